/*
 * array.h - growing a plain C array by doubling, the one way every module
 * that keeps a list of its own does it.
 */
#ifndef GR_ARRAY_H
#define GR_ARRAY_H

#include <stddef.h>

/*
 * Room for one more item of size after count in *items, whose room is
 * *capacity items: when full, *items is reallocated to twice as many (8 the
 * first time) and *capacity updated. 0, or GR_ERROR with the message set
 * when out of memory (then *items and *capacity are as they were).
 */
int gr_array_grow(void **items, size_t *capacity, size_t count, size_t size);

#endif
