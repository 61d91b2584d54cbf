/*
 * error.c - the per-thread last error message (see error.h).
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_message[512];

void gr_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
}

const char *gr_error_last(void)
{
	return last_message;
}

void gr_error_clear(void)
{
	last_message[0] = '\0';
}
