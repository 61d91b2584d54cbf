/*
 * clock.h - wall-clock time in Unix milliseconds, the unit of every stored
 * time. Modules that decide by time take a clock function, so tests can
 * substitute a fake one.
 */
#ifndef GR_CLOCK_H
#define GR_CLOCK_H

#include <stdint.h>
#include <time.h>

typedef int64_t gr_clock_fn(void);

static inline int64_t gr_clock_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

#endif
