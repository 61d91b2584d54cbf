/* Tests for ratelimit.h: the sliding window (below the limit, at the limit,
 * unblocked once the oldest failure leaves the window), forgive, clear,
 * bad limits, and the cap on tracked keys. Time is driven through `now`. */
#include "harness.h"

#include "core/error.h"
#include "core/ratelimit.h"

static void test_bad_limits(void)
{
	struct gr_ratelimit *limit = (struct gr_ratelimit *)1;

	CHECK_INT(gr_ratelimit_new(&limit, 0, 1000), ==, GR_EINVALID);
	CHECK(limit == NULL);
	CHECK_INT(gr_ratelimit_new(&limit, GR_RATELIMIT_MAX_FAILURES + 1, 1000), ==, GR_EINVALID);
	CHECK_INT(gr_ratelimit_new(&limit, 5, 0), ==, GR_EINVALID);
	CHECK_INT(gr_ratelimit_new(&limit, GR_RATELIMIT_MAX_FAILURES, 1), ==, 0);
	CHECK(limit != NULL);
	gr_ratelimit_free(limit);
	gr_ratelimit_free(NULL);
}

static void test_window(void)
{
	struct gr_ratelimit *limit = NULL;

	CHECK_INT(gr_ratelimit_new(&limit, 3, 1000), ==, 0);
	if (!limit)
		return;
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 0), ==, 0);
	gr_ratelimit_fail(limit, "sam", 100);
	gr_ratelimit_fail(limit, "sam", 200);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 250), ==, 0);
	gr_ratelimit_fail(limit, "sam", 300);
	/* Three failures: blocked until the first (100) leaves the window. */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 300), ==, 1100);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 1099), ==, 1100);
	/* Other keys are not affected. */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "kim", 300), ==, 0);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sa", 300), ==, 0);
	/* At 1100 the failure at 100 has left; two remain, so free again. */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 1100), ==, 0);
	/* One more failure within the window of 200 and 300 blocks again. */
	gr_ratelimit_fail(limit, "sam", 1150);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 1150), ==, 1200);
	/* Long after, everything has expired. */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 5000), ==, 0);
	gr_ratelimit_fail(limit, "sam", 5000);
	gr_ratelimit_fail(limit, "sam", 5001);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "sam", 5002), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_failing_while_blocked(void)
{
	struct gr_ratelimit *limit = NULL;

	CHECK_INT(gr_ratelimit_new(&limit, 2, 100), ==, 0);
	if (!limit)
		return;
	gr_ratelimit_fail(limit, "k", 10);
	gr_ratelimit_fail(limit, "k", 20);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", 30), ==, 110);
	/* A further failure keeps the last max_failures: blocked until 20 + 100. */
	gr_ratelimit_fail(limit, "k", 50);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", 60), ==, 120);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", 120), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_max_failures_limit(void)
{
	struct gr_ratelimit *limit = NULL;
	int64_t now = 1000;

	/* The largest limit: the ring holds every failure. */
	CHECK_INT(gr_ratelimit_new(&limit, GR_RATELIMIT_MAX_FAILURES, 100000), ==, 0);
	if (!limit)
		return;
	for (int i = 0; i < GR_RATELIMIT_MAX_FAILURES - 1; i++)
		gr_ratelimit_fail(limit, "k", now + i);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 100), ==, 0);
	gr_ratelimit_fail(limit, "k", now + 100);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 100), ==, now + 100000);
	/* Keep failing: the ring wraps and the oldest kept one sets the time. */
	for (int i = 0; i < 20; i++)
		gr_ratelimit_fail(limit, "k", now + 200 + i);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "k", now + 300), ==, now + 204 + 100000);
	gr_ratelimit_free(limit);
}

static void test_forgive(void)
{
	struct gr_ratelimit *limit = NULL;

	CHECK_INT(gr_ratelimit_new(&limit, 3, 1000), ==, 0);
	if (!limit)
		return;
	gr_ratelimit_fail(limit, "ada", 10);
	gr_ratelimit_fail(limit, "ada", 20);
	gr_ratelimit_fail(limit, "ada", 30);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "ada", 40), ==, 1010);
	/* Forgiving the one at 20 unblocks; forgiving an unknown time does nothing. */
	gr_ratelimit_forgive(limit, "ada", 25);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "ada", 40), ==, 1010);
	gr_ratelimit_forgive(limit, "ada", 20);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "ada", 40), ==, 0);
	/* The ones at 10 and 30 remain, in order: one more failure blocks until 1010. */
	gr_ratelimit_fail(limit, "ada", 50);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "ada", 60), ==, 1010);
	/* Forgiving the oldest moves the block to the next one. */
	gr_ratelimit_forgive(limit, "ada", 10);
	gr_ratelimit_fail(limit, "ada", 70);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "ada", 80), ==, 1030);
	/* Forgiving a key never seen is harmless and adds nothing. */
	gr_ratelimit_forgive(limit, "nobody", 10);
	CHECK_INT(gr_ratelimit_size(limit), ==, 1);
	gr_ratelimit_free(limit);
}

static void test_forgive_after_wrap(void)
{
	struct gr_ratelimit *limit = NULL;

	/* Make the ring's head sit past index 0, then forgive across the wrap. */
	CHECK_INT(gr_ratelimit_new(&limit, 4, 1000000), ==, 0);
	if (!limit)
		return;
	for (int i = 1; i <= GR_RATELIMIT_MAX_FAILURES + 2; i++)
		gr_ratelimit_fail(limit, "w", i * 10);
	/* Kept: 150, 160, 170, 180. */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "w", 200), ==, 150 + 1000000);
	gr_ratelimit_forgive(limit, "w", 160);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "w", 200), ==, 0);
	gr_ratelimit_fail(limit, "w", 190);
	/* Kept: 150, 170, 180, 190. */
	CHECK_INT(gr_ratelimit_blocked_until(limit, "w", 200), ==, 150 + 1000000);
	gr_ratelimit_forgive(limit, "w", 150);
	gr_ratelimit_fail(limit, "w", 195);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "w", 200), ==, 170 + 1000000);
	gr_ratelimit_free(limit);
}

static void test_clear(void)
{
	struct gr_ratelimit *limit = NULL;

	CHECK_INT(gr_ratelimit_new(&limit, 2, 1000), ==, 0);
	if (!limit)
		return;
	gr_ratelimit_fail(limit, "a", 1);
	gr_ratelimit_fail(limit, "a", 2);
	gr_ratelimit_fail(limit, "b", 2);
	CHECK_INT(gr_ratelimit_size(limit), ==, 2);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a", 3), ==, 1001);
	gr_ratelimit_clear(limit, "a");
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a", 3), ==, 0);
	CHECK_INT(gr_ratelimit_size(limit), ==, 1);
	gr_ratelimit_clear(limit, "a");
	gr_ratelimit_clear(limit, "never");
	CHECK_INT(gr_ratelimit_size(limit), ==, 1);
	/* After clearing, it takes max_failures new failures to block again. */
	gr_ratelimit_fail(limit, "a", 4);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "a", 5), ==, 0);
	gr_ratelimit_fail(limit, "b", 4);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "b", 5), ==, 1002);
	gr_ratelimit_free(limit);
}

static void test_key_cap(void)
{
	struct gr_ratelimit *limit = NULL;
	char key[32];

	CHECK_INT(gr_ratelimit_new(&limit, 3, 60000), ==, 0);
	if (!limit)
		return;
	/* Fill the table with keys that failed once, earlier. */
	for (int i = 0; i < GR_RATELIMIT_MAX_KEYS - 1; i++) {
		snprintf(key, sizeof key, "flood-%d", i);
		gr_ratelimit_fail(limit, key, 900);
	}
	/* A key under attack, failing recently. */
	for (int i = 0; i < 3; i++)
		gr_ratelimit_fail(limit, "victim", 1000 + i);
	CHECK_INT(gr_ratelimit_size(limit), ==, GR_RATELIMIT_MAX_KEYS);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "victim", 1010), ==, 61000);

	/* More new keys: the table does not grow, and the victim stays blocked. */
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof key, "more-%d", i);
		gr_ratelimit_fail(limit, key, 1010);
	}
	CHECK_INT(gr_ratelimit_size(limit), ==, GR_RATELIMIT_MAX_KEYS);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "victim", 1020), ==, 61000);
	/* The newest new key is tracked. */
	gr_ratelimit_fail(limit, "more-19", 1011);
	gr_ratelimit_fail(limit, "more-19", 1012);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "more-19", 1020), ==, 61010);

	/* Long after, a new key sweeps out every stale entry. */
	gr_ratelimit_fail(limit, "late", 1000000);
	CHECK_INT(gr_ratelimit_size(limit), <, GR_RATELIMIT_MAX_KEYS);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "victim", 1000000), ==, 0);
	gr_ratelimit_free(limit);
}

static void test_key_cap_sweeps_stale(void)
{
	struct gr_ratelimit *limit = NULL;
	char key[32];

	CHECK_INT(gr_ratelimit_new(&limit, 2, 100), ==, 0);
	if (!limit)
		return;
	for (int i = 0; i < GR_RATELIMIT_MAX_KEYS; i++) {
		snprintf(key, sizeof key, "k%d", i);
		gr_ratelimit_fail(limit, key, 10);
	}
	CHECK_INT(gr_ratelimit_size(limit), ==, GR_RATELIMIT_MAX_KEYS);
	/* Every tracked failure has left the window: all are swept, one added. */
	gr_ratelimit_fail(limit, "fresh", 500);
	CHECK_INT(gr_ratelimit_size(limit), ==, 1);
	gr_ratelimit_fail(limit, "fresh", 501);
	CHECK_INT(gr_ratelimit_blocked_until(limit, "fresh", 502), ==, 600);
	gr_ratelimit_free(limit);
}

int main(void)
{
	RUN(test_bad_limits);
	RUN(test_window);
	RUN(test_failing_while_blocked);
	RUN(test_max_failures_limit);
	RUN(test_forgive);
	RUN(test_forgive_after_wrap);
	RUN(test_clear);
	RUN(test_key_cap);
	RUN(test_key_cap_sweeps_stale);
	return harness_done();
}
