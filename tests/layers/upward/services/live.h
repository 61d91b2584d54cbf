#include <sqlite3.h>
int gr_live_open(void);
int gr_other_thing(void);
