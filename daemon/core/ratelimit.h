/*
 * ratelimit.h - limits failed attempts per key (an account, an address), by
 * a policy (docs/security.md, "Rate limits"):
 *
 * - free_failures failures cost nothing; once a key has that many, it
 *   waits. With delay_ms, the wait runs from its last failure: delay_ms,
 *   doubled by each further failure, at most max_delay_ms (an account's
 *   growing delay). Without, the key waits until it has fewer failures
 *   again (an address's ceiling).
 * - failures are forgotten one at a time, one per forget_ms, the clock
 *   starting at the first failure a key has; a success may forget them all
 *   (gr_ratelimit_clear).
 * - an attempt in flight (begun, its outcome not known: a password hash
 *   takes tens of milliseconds) is not a failure, but it takes one of the
 *   key's tries while it runs, so a burst of parallel guesses cannot slip
 *   past the limit: a key may have as many attempts in flight as it has
 *   failures left before a wait (one, once a wait is over).
 *
 * Memory is bounded: at most GR_RATELIMIT_MAX_KEYS keys are tracked; keys
 * with nothing to remember are dropped first. Time is passed in; nothing
 * here reads a clock.
 */
#ifndef GR_RATELIMIT_H
#define GR_RATELIMIT_H

#include <stdint.h>

#define GR_RATELIMIT_MAX_KEYS 65536
#define GR_RATELIMIT_MAX_FREE 1000000
/* Refused only because the key's tries are in flight: ask again this much later. */
#define GR_RATELIMIT_IN_FLIGHT_WAIT_MS 1000

struct gr_ratelimit_policy {
	int free_failures;    /* 1 .. GR_RATELIMIT_MAX_FREE */
	int64_t delay_ms;     /* the first wait after them; 0: wait until one is forgotten */
	int64_t max_delay_ms; /* the longest wait (>= delay_ms) */
	int64_t forget_ms;    /* one failure is forgotten per this long (> 0) */
};

struct gr_ratelimit;

/* GR_EINVALID for a policy outside the ranges above. */
int gr_ratelimit_new(struct gr_ratelimit **out, const struct gr_ratelimit_policy *policy);
void gr_ratelimit_free(struct gr_ratelimit *limit);

/* A new policy for every key, from now on (a reload); what keys remember stays. */
int gr_ratelimit_set_policy(struct gr_ratelimit *limit, const struct gr_ratelimit_policy *policy);

/* 0 when key may begin an attempt now, else the time at which it may. */
int64_t gr_ratelimit_blocked_until(struct gr_ratelimit *limit, const char *key, int64_t now);

/*
 * An attempt of key begins (blocked_until said 0): it is in flight until
 * gr_ratelimit_end(). Without memory for a new key it is not tracked (the
 * limit fails open for that key; an attempt has two keys).
 */
void gr_ratelimit_begin(struct gr_ratelimit *limit, const char *key, int64_t now);

/* An attempt of key ended at now; failed: it counts as a failure. */
void gr_ratelimit_end(struct gr_ratelimit *limit, const char *key, int64_t now, int failed);

/* Forget key's failures (after a success); its attempts in flight stay. */
void gr_ratelimit_clear(struct gr_ratelimit *limit, const char *key);

/* Drop keys with nothing left to remember (a periodic chore). */
void gr_ratelimit_sweep(struct gr_ratelimit *limit, int64_t now);

/* Key's failures not yet forgotten at now (for tests and logs). */
int gr_ratelimit_failures(struct gr_ratelimit *limit, const char *key, int64_t now);

/* How many keys are tracked (for tests and the debug log). */
int gr_ratelimit_size(const struct gr_ratelimit *limit);

#endif
