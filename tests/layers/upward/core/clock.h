/* core must not call up into services. */
#include "services/live.h"
