/* Tests for ratelimit.h: free failures then a growing wait (an account),
 * a ceiling (an address), failures forgotten one at a time, attempts in
 * flight that take a try but are not failures, clear, a new policy, bad
 * policies, the sweep and the cap on tracked keys. Time is driven through
 * `now`. */
#include "harness.h"

#include "core/error.h"
#include "core/ratelimit.h"

#define MINUTE (60 * 1000)

/* An account's: 5 free, then 30 s doubling up to 15 min; one forgotten per 15 min. */
static const struct gr_ratelimit_policy account = { 5, 30 * 1000, 15 * MINUTE, 15 * MINUTE };
/* An address's: 300 within 15 min, then wait until one is forgotten. */
static const struct gr_ratelimit_policy address = { 300, 0, 0, 15 * MINUTE / 300 };

/* One attempt of key at now that fails (or not). */
static void attempt(struct gr_ratelimit *limit, const char *key, int64_t now, int failed)
{
	gr_ratelimit_begin(limit, key, now);
	gr_ratelimit_end(limit, key, now, failed);
}

static void test_bad_policies(void)
{
	struct gr_ratelimit *limit = (struct gr_ratelimit *)1;
	struct gr_ratelimit_policy bad = account;

	bad.free_failures = 0;
	CHECK_INT(gr_ratelimit_new(&limit, &bad), ==, GR_EINVALID);
	CHECK(limit == NULL);
	bad = account;
	bad.free_failures = GR_RATELIMIT_MAX_FREE + 1;
	CHECK_INT(gr_ratelimit_new(&limit, &bad), ==, GR_EINVALID);
	bad = account;
	bad.forget_ms = 0;
	CHECK_INT(gr_ratelimit_new(&limit, &bad), ==, GR_EINVALID);
	bad = account;
	bad.max_delay_ms = bad.delay_ms - 1;
	CHECK_INT(gr_ratelimit_new(&limit, &bad), ==, GR_EINVALID);
	bad = account;
	bad.delay_ms = -1;
	CHECK_INT(gr_ratelimit_new(&limit, &bad), ==, GR_EINVALID);
	CHECK_INT(gr_ratelimit_new(&limit, &address), ==, 0);
	CHECK(limit != NULL);
	CHECK_INT(gr_ratelimit_set_policy(limit, &bad), ==, GR_EINVALID);
	gr_ratelimit_free(limit);
	gr_ratelimit_free(NULL);
}

static void test_growing_delay(void)
{
	struct gr_ratelimit *limit = NULL;
	struct gr_ratelimit_policy unforgetting = account;
	int64_t now = 1000000, until;

	/* Nothing forgotten during the test, to see the whole sequence. */
	unforgetting.forget_ms = 24 * 60 * MINUTE;
	CHECK_INT(gr_ratelimit_new(&limit, &unforgetting), ==, 0);
	if (!limit)
		return;
	/* Five free failures. */
	for (int i = 0; i < 5; i++) {
		CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", now), ==, 0);
		attempt(limit, "sam", now, 1);
		now += 1000;
	}
	CHECK_INT(gr_ratelimit_failures(limit, "sam", now), ==, 5);
	/* Then 30 s after the last, 1 min, 2, 4, 8, 15, 15. */
	static const int64_t waits[] = { 30000, 60000, 120000, 240000, 480000, 900000, 900000 };
	for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++) {
		int64_t last = now - 1000;

		until = gr_ratelimit_blocked_until(limit, "sam", now);
		CHECK_INT(until, ==, last + waits[i]);
		CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", until - 1), ==, until);
		now = until;
		CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", now), ==, 0);
		attempt(limit, "sam", now, 1);
		now += 1000;
	}
	/* Other keys are not affected, nor a prefix of the key. */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "kim", now), ==, 0);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sa", now), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_forgetting(void)
{
	struct gr_ratelimit *limit = NULL;
	int64_t start = 5000;

	CHECK_INT(gr_ratelimit_new(&limit, &account), ==, 0);
	if (!limit)
		return;
	for (int i = 0; i < 6; i++)
		attempt(limit, "lea", start + i, 1);
	CHECK_INT(gr_ratelimit_failures(limit, "lea", start + 10), ==, 6);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "lea", start + 10), ==, start + 5 + 60000);
	/* One failure is forgotten per 15 minutes from the first: 5 left, free again. */
	CHECK_INT(gr_ratelimit_failures(limit, "lea", start + 15 * MINUTE - 1), ==, 6);
	CHECK_INT(gr_ratelimit_failures(limit, "lea", start + 15 * MINUTE), ==, 5);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "lea", start + 15 * MINUTE), ==, 0);
	CHECK_INT(gr_ratelimit_failures(limit, "lea", start + 45 * MINUTE), ==, 3);
	/* All of them after 6 × 15 minutes; the sweep then drops the key. */
	CHECK_INT(gr_ratelimit_failures(limit, "lea", start + 90 * MINUTE), ==, 0);
	gr_ratelimit_sweep(limit, start + 90 * MINUTE);
	CHECK_INT(gr_ratelimit_size(limit), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_ceiling(void)
{
	struct gr_ratelimit *limit = NULL;
	int64_t now = 10000;

	CHECK_INT(gr_ratelimit_new(&limit, &address), ==, 0);
	if (!limit)
		return;
	/* 299 failures within a second: still free. */
	for (int i = 0; i < 299; i++)
		attempt(limit, "a:192.0.2.1", now, 1);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a:192.0.2.1", now), ==, 0);
	attempt(limit, "a:192.0.2.1", now, 1);
	/* At the ceiling: until one is forgotten (15 min / 300 = 3 s after the first). */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a:192.0.2.1", now + 10), ==, now + 3000);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a:192.0.2.1", now + 3000), ==, 0);
	attempt(limit, "a:192.0.2.1", now + 3000, 1);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a:192.0.2.1", now + 3001), ==, now + 6000);
	/* A whole window later, all forgotten. */
	CHECK_INT(gr_ratelimit_failures(limit, "a:192.0.2.1", now + 3000 + 15 * MINUTE), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_in_flight(void)
{
	struct gr_ratelimit *limit = NULL;
	int64_t now = 1000;

	CHECK_INT(gr_ratelimit_new(&limit, &account), ==, 0);
	if (!limit)
		return;
	/* Attempts in flight are not failures... */
	for (int i = 0; i < 4; i++)
		gr_ratelimit_begin(limit, "k", now);
	CHECK_INT(gr_ratelimit_failures(limit, "k", now), ==, 0);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now), ==, 0);
	/* ...but each takes one of the five tries while it runs. */
	gr_ratelimit_begin(limit, "k", now);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now), ==, now + GR_RATELIMIT_IN_FLIGHT_WAIT_MS);
	/* They end well: no failure, and every try is back. */
	for (int i = 0; i < 5; i++)
		gr_ratelimit_end(limit, "k", now + 50, 0);
	CHECK_INT(gr_ratelimit_failures(limit, "k", now + 50), ==, 0);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 50), ==, 0);
	/* With 4 failures, one try is left: one in flight uses it. */
	for (int i = 0; i < 4; i++)
		attempt(limit, "k", now + 100, 1);
	gr_ratelimit_begin(limit, "k", now + 200);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 200), ==, now + 200 + GR_RATELIMIT_IN_FLIGHT_WAIT_MS);
	gr_ratelimit_end(limit, "k", now + 250, 1);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 260), ==, now + 250 + 30000);
	/* Past the wait, one attempt at a time. */
	gr_ratelimit_begin(limit, "k", now + 250 + 30000);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 250 + 30000), >, now + 250 + 30000);
	gr_ratelimit_end(limit, "k", now + 250 + 30050, 0);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 250 + 30060), ==, 0);
	/* Ending an attempt never begun is harmless. */
	gr_ratelimit_end(limit, "nobody", now, 0);
	CHECK_INT(gr_ratelimit_size(limit), ==, 1);
	gr_ratelimit_free(limit);
}

static void test_many_at_once_under_a_ceiling(void)
{
	struct gr_ratelimit *limit = NULL;
	char key[32];

	/* 30 sign-ins at once from one address, each its own account: none is refused. */
	CHECK_INT(gr_ratelimit_new(&limit, &address), ==, 0);
	if (!limit)
		return;
	for (int i = 0; i < 30; i++) {
		CHECK_INT(gr_ratelimit_blocked_until(limit, "a:centre", 100), ==, 0);
		gr_ratelimit_begin(limit, "a:centre", 100);
	}
	for (int i = 0; i < 30; i++)
		gr_ratelimit_end(limit, "a:centre", 150, 0);
	CHECK_INT(gr_ratelimit_failures(limit, "a:centre", 150), ==, 0);
	gr_ratelimit_sweep(limit, 150);
	CHECK_INT(gr_ratelimit_size(limit), ==, 0);
	/* Near the ceiling, what is in flight counts against it. */
	for (int i = 0; i < 298; i++)
		attempt(limit, "a:centre", 200, 1);
	gr_ratelimit_begin(limit, "a:centre", 200);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a:centre", 200), ==, 0);
	gr_ratelimit_begin(limit, "a:centre", 200);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a:centre", 200), >, 200);
	snprintf(key, sizeof key, "a:elsewhere");
	CHECK_INT(gr_ratelimit_blocked_until(limit, key, 200), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_clear_and_policy(void)
{
	struct gr_ratelimit *limit = NULL;
	struct gr_ratelimit_policy shorter = account;

	CHECK_INT(gr_ratelimit_new(&limit, &account), ==, 0);
	if (!limit)
		return;
	for (int i = 0; i < 7; i++)
		attempt(limit, "a", 10, 1);
	attempt(limit, "b", 10, 1);
	CHECK_INT(gr_ratelimit_size(limit), ==, 2);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a", 20), ==, 10 + 120000);
	/* A new policy applies to what keys remember. */
	shorter.delay_ms = 1000;
	shorter.max_delay_ms = 2000;
	CHECK_INT(gr_ratelimit_set_policy(limit, &shorter), ==, 0);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a", 20), ==, 10 + 2000);
	gr_ratelimit_clear(limit, "a");
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a", 20), ==, 0);
	CHECK_INT(gr_ratelimit_size(limit), ==, 1);
	gr_ratelimit_clear(limit, "never");
	/* A key with an attempt in flight keeps its entry when cleared. */
	gr_ratelimit_begin(limit, "b", 30);
	gr_ratelimit_clear(limit, "b");
	CHECK_INT(gr_ratelimit_failures(limit, "b", 30), ==, 0);
	CHECK_INT(gr_ratelimit_size(limit), ==, 1);
	gr_ratelimit_end(limit, "b", 40, 0);
	gr_ratelimit_sweep(limit, 40);
	CHECK_INT(gr_ratelimit_size(limit), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_key_cap(void)
{
	struct gr_ratelimit *limit = NULL;
	struct gr_ratelimit_policy three = { 3, 60000, 60000, 60000 };
	char key[32];

	CHECK_INT(gr_ratelimit_new(&limit, &three), ==, 0);
	if (!limit)
		return;
	/* Fill the table with keys that failed once, earlier. */
	for (int i = 0; i < GR_RATELIMIT_MAX_KEYS - 1; i++) {
		snprintf(key, sizeof key, "flood-%d", i);
		attempt(limit, key, 900, 1);
	}
	/* A key under attack, failing recently. */
	for (int i = 0; i < 3; i++)
		attempt(limit, "victim", 1000 + i, 1);
	CHECK_INT(gr_ratelimit_size(limit), ==, GR_RATELIMIT_MAX_KEYS);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "victim", 1010), ==, 61002);

	/* More new keys: the table does not grow, and the victim stays blocked. */
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof key, "more-%d", i);
		attempt(limit, key, 1010, 1);
	}
	CHECK_INT(gr_ratelimit_size(limit), ==, GR_RATELIMIT_MAX_KEYS);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "victim", 1020), ==, 61002);
	/* The newest new key is tracked. */
	CHECK_INT(gr_ratelimit_failures(limit, "more-19", 1020), ==, 1);
	/* Once the flood is forgotten, making room sweeps it all away. */
	attempt(limit, "late", 900 + 60000, 1);
	CHECK_INT(gr_ratelimit_size(limit), <, 100);
	CHECK_INT(gr_ratelimit_failures(limit, "victim", 900 + 60000), ==, 3);
	gr_ratelimit_free(limit);
}

int main(void)
{
	RUN(test_bad_policies);
	RUN(test_growing_delay);
	RUN(test_forgetting);
	RUN(test_ceiling);
	RUN(test_in_flight);
	RUN(test_many_at_once_under_a_ceiling);
	RUN(test_clear_and_policy);
	RUN(test_key_cap);
	return harness_done();
}
