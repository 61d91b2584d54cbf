/* services may call the store, but not see what its files share. */
#include "store/internal.h"
