/* A store file may include its own folder's private header. */
#include "store/internal.h"
