/* Tests for domain/reset.h: a link's life (issued, used, expired,
 * replaced), the words its holder sees, every refused move leaving the link
 * as it was, and gr_reset_check() after every step of a seeded random walk
 * and on each invariant broken on purpose. */
#include "harness.h"

#include "core/error.h"
#include "domain/reset.h"

#include <stdlib.h>

#define T0 1700000000000LL
#define DAY GR_RESET_LIFETIME_MS

static void test_life(void)
{
	struct gr_reset reset, before;

	CHECK_INT(gr_reset_issue(&reset, 0, 0, T0), ==, GR_EINVALID);
	CHECK_INT(gr_reset_issue(&reset, 7, 3, T0), ==, 0);
	CHECK_INT(reset.expires_at, ==, T0 + DAY);
	CHECK_INT(gr_reset_state_at(&reset, T0 + DAY - 1), ==, GR_RESET_ISSUED);
	CHECK_INT(gr_reset_state_at(&reset, T0 + DAY), ==, GR_RESET_EXPIRED);
	CHECK_INT(gr_reset_usable(&reset, T0 + DAY), ==, GR_EEXPIRED);
	CHECK(strstr(gr_error_last(), "expired") != NULL);
	before = reset;
	CHECK_INT(gr_reset_use(&reset, T0 + DAY), ==, GR_EEXPIRED);
	CHECK_INT(memcmp(&before, &reset, sizeof reset), ==, 0);
	CHECK_INT(gr_reset_use(&reset, T0 + 5), ==, 0);
	CHECK_INT(gr_reset_state_at(&reset, T0 + 2 * DAY), ==, GR_RESET_USED);
	CHECK_INT(gr_reset_use(&reset, T0 + 6), ==, GR_EUSED);
	CHECK(strstr(gr_error_last(), "used already") != NULL);
	CHECK_INT(gr_reset_replace(&reset, T0 + 7), ==, GR_EUSED);
	CHECK_INT(gr_reset_check(&reset), ==, 0);

	CHECK_INT(gr_reset_issue(&reset, 7, 0, T0), ==, 0);
	CHECK_INT(gr_reset_replace(&reset, T0 + 2 * DAY), ==, 0); /* expired, then replaced */
	CHECK_INT(gr_reset_usable(&reset, T0 + 1), ==, GR_ECONFLICT);
	CHECK(strstr(gr_error_last(), "newer reset link") != NULL);
	CHECK_INT(gr_reset_replace(&reset, T0 + 3 * DAY), ==, GR_EUSED);
	CHECK_INT(gr_reset_check(&reset), ==, 0);
}

static void test_random_walk(void)
{
	srand(15);
	for (int walk = 0; walk < 200; walk++) {
		struct gr_reset reset;
		int64_t now = T0;

		CHECK_INT(gr_reset_issue(&reset, 1 + rand() % 50, rand() % 3, now), ==, 0);
		for (int step = 0; step < 8; step++) {
			now += rand() % (DAY / 3);
			if (rand() % 2)
				gr_reset_use(&reset, now);
			else
				gr_reset_replace(&reset, now);
			CHECK_INT(gr_reset_check(&reset), ==, 0);
		}
	}
}

static void test_broken_invariants(void)
{
	struct gr_reset reset;

	gr_reset_issue(&reset, 7, 0, T0);
	reset.user_id = 0;
	CHECK_INT(gr_reset_check(&reset), ==, 1);
	gr_reset_issue(&reset, 7, 0, T0);
	reset.expires_at += 1;
	CHECK_INT(gr_reset_check(&reset), ==, 2);
	gr_reset_issue(&reset, 7, 0, T0);
	reset.used_at = T0 + DAY;
	CHECK_INT(gr_reset_check(&reset), ==, 3);
	CHECK(strstr(gr_error_last(), "reset invariant 3") != NULL);
	gr_reset_issue(&reset, 7, 0, T0);
	reset.used_at = T0 + 1;
	reset.replaced_at = T0 + 2;
	CHECK_INT(gr_reset_check(&reset), ==, 4);
}

int main(void)
{
	RUN(test_life);
	RUN(test_random_walk);
	RUN(test_broken_invariants);
	return harness_done();
}
