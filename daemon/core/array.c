/*
 * array.c - growing a plain C array by doubling (see array.h).
 */
#include "core/array.h"

#include "core/error.h"

#include <stdlib.h>

int gr_array_grow(void **items, size_t *capacity, size_t count, size_t size)
{
	size_t grown_capacity = *capacity ? *capacity * 2 : 8;
	void *grown;

	if (count < *capacity)
		return 0;
	if (!(grown = realloc(*items, grown_capacity * size))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	*items = grown;
	*capacity = grown_capacity;
	return 0;
}
