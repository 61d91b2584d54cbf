/*
 * ratelimit.h - counts failures per key (a handle, an address) in a sliding
 * window: once a key has max_failures within window_ms, it is blocked until
 * the oldest of those failures leaves the window. Memory is bounded: at most
 * GR_RATELIMIT_MAX_KEYS keys are tracked, stale ones are dropped first.
 * Time is passed in; nothing here reads a clock.
 */
#ifndef GR_RATELIMIT_H
#define GR_RATELIMIT_H

#include <stdint.h>

#define GR_RATELIMIT_MAX_KEYS 65536
#define GR_RATELIMIT_MAX_FAILURES 16

struct gr_ratelimit;

/* max_failures is 1..GR_RATELIMIT_MAX_FAILURES. */
int gr_ratelimit_new(struct gr_ratelimit **out, int max_failures, int64_t window_ms);
void gr_ratelimit_free(struct gr_ratelimit *limit);

/* 0 when key may try now, else the time at which it may try again. */
int64_t gr_ratelimit_blocked_until(struct gr_ratelimit *limit, const char *key, int64_t now);

void gr_ratelimit_fail(struct gr_ratelimit *limit, const char *key, int64_t now);

/*
 * Take back one failure recorded at time at (an attempt counted as a failure
 * while in flight, which then succeeded).
 */
void gr_ratelimit_forgive(struct gr_ratelimit *limit, const char *key, int64_t at);

/* Forget key's failures (after a success). */
void gr_ratelimit_clear(struct gr_ratelimit *limit, const char *key);

/* How many keys are tracked (for tests and the debug log). */
int gr_ratelimit_size(const struct gr_ratelimit *limit);

#endif
