/* Tests for help.h with a fake clock (plain numbers): a new request widens at
 * once, waits after a wave and widens again exactly wave_ms later, expires at
 * expire_ms even when a wave is due, and *next_at in each case (also when the
 * expiry comes before the next wave); a wave that found nobody keeps asking;
 * who is picked (online and untold only, by open offers, then helped, then
 * user id, at most wave_size), successive waves that never repeat a peer and
 * reach everyone, and the ranges of the settings. */
#include "harness.h"

#include "core/error.h"
#include "domain/help.h"

#define MINUTE GR_HELP_MINUTE_MS
#define OPENED ((int64_t)1800000000000) /* the fake clock, 2027-01-15 */
#define NONE ((size_t)-1)		/* an out slot gr_help_pick() left alone */

static struct gr_help_settings defaults(void)
{
	struct gr_help_settings settings;

	gr_help_settings_default(&settings);
	return settings;
}

static void test_defaults(void)
{
	struct gr_help_settings settings = defaults();

	CHECK_INT(settings.wave_size, ==, 3);
	CHECK_INT(settings.wave_ms, ==, 3 * MINUTE);
	CHECK_INT(settings.expire_ms, ==, 60 * MINUTE);
	CHECK_INT(gr_help_settings_check(&settings), ==, 0);
}

static void test_widen_at_open(void)
{
	struct gr_help_settings settings = defaults();
	int64_t next_at = 0;

	CHECK_INT(gr_help_due(&settings, OPENED, 0, OPENED, &next_at), ==, GR_HELP_WIDEN);
	CHECK_INT(next_at, ==, OPENED);
	/* Still nobody told a little later: widen now. */
	CHECK_INT(gr_help_due(&settings, OPENED, 0, OPENED + 1000, &next_at), ==, GR_HELP_WIDEN);
	CHECK_INT(next_at, ==, OPENED + 1000);
	/* next_at may be NULL. */
	CHECK_INT(gr_help_due(&settings, OPENED, 0, OPENED, NULL), ==, GR_HELP_WIDEN);
}

static void test_wait_then_widen(void)
{
	struct gr_help_settings settings = defaults();
	int64_t wave = OPENED + 2 * MINUTE;
	int64_t next_at = 0;

	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave, &next_at), ==, GR_HELP_WAIT);
	CHECK_INT(next_at, ==, wave + 3 * MINUTE);
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave + 3 * MINUTE - 1, &next_at), ==,
		  GR_HELP_WAIT);
	CHECK_INT(next_at, ==, wave + 3 * MINUTE);
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave + 3 * MINUTE, &next_at), ==,
		  GR_HELP_WIDEN);
	CHECK_INT(next_at, ==, wave + 3 * MINUTE);
	/* Late callers widen too, and next_at is now, not the missed time. */
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave + 5 * MINUTE, &next_at), ==,
		  GR_HELP_WIDEN);
	CHECK_INT(next_at, ==, wave + 5 * MINUTE);
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave + 3 * MINUTE - 1, NULL), ==,
		  GR_HELP_WAIT);

	/* Other settings: the wave is settings->wave_ms, not the default. */
	settings.wave_ms = 10 * MINUTE;
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave + 3 * MINUTE, &next_at), ==,
		  GR_HELP_WAIT);
	CHECK_INT(next_at, ==, wave + 10 * MINUTE);
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave + 10 * MINUTE, &next_at), ==,
		  GR_HELP_WIDEN);
}

static void test_expire(void)
{
	struct gr_help_settings settings = defaults();
	int64_t expiry = OPENED + 60 * MINUTE;
	int64_t next_at = 0;

	/* Just before: a due wave still widens. */
	CHECK_INT(gr_help_due(&settings, OPENED, 0, expiry - 1, &next_at), ==, GR_HELP_WIDEN);
	CHECK_INT(next_at, ==, expiry - 1);
	CHECK_INT(gr_help_due(&settings, OPENED, expiry - 3 * MINUTE - 1, expiry - 1, &next_at), ==,
		  GR_HELP_WIDEN);
	/* At expire_ms: expire, though a wave is due (never told, or told long ago). */
	CHECK_INT(gr_help_due(&settings, OPENED, 0, expiry, &next_at), ==, GR_HELP_EXPIRE);
	CHECK_INT(next_at, ==, expiry);
	CHECK_INT(gr_help_due(&settings, OPENED, expiry - 3 * MINUTE, expiry, &next_at), ==,
		  GR_HELP_EXPIRE);
	CHECK_INT(next_at, ==, expiry);
	CHECK_INT(gr_help_due(&settings, OPENED, expiry - MINUTE, expiry, &next_at), ==,
		  GR_HELP_EXPIRE);
	CHECK_INT(gr_help_due(&settings, OPENED, OPENED, expiry + 60 * MINUTE, &next_at), ==,
		  GR_HELP_EXPIRE);
	CHECK_INT(next_at, ==, expiry);

	/* Other settings: the expiry is settings->expire_ms. */
	settings.expire_ms = 10 * MINUTE;
	CHECK_INT(
	    gr_help_due(&settings, OPENED, OPENED + 8 * MINUTE, OPENED + 10 * MINUTE, &next_at), ==,
	    GR_HELP_EXPIRE);
	CHECK_INT(next_at, ==, OPENED + 10 * MINUTE);
}

static void test_expiry_before_next_wave(void)
{
	struct gr_help_settings settings = defaults();
	int64_t expiry = OPENED + 60 * MINUTE;
	int64_t wave = expiry - 2 * MINUTE; /* the next would be a minute after expiry */
	int64_t next_at = 0;

	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave, &next_at), ==, GR_HELP_WAIT);
	CHECK_INT(next_at, ==, expiry);
	CHECK_INT(gr_help_due(&settings, OPENED, wave, expiry - 1, &next_at), ==, GR_HELP_WAIT);
	CHECK_INT(next_at, ==, expiry);
	/* Exactly at the boundary the two are the same time. */
	wave = expiry - 3 * MINUTE;
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave, &next_at), ==, GR_HELP_WAIT);
	CHECK_INT(next_at, ==, expiry);
	/* One millisecond earlier, the wave comes first. */
	wave = expiry - 3 * MINUTE - 1;
	CHECK_INT(gr_help_due(&settings, OPENED, wave, wave, &next_at), ==, GR_HELP_WAIT);
	CHECK_INT(next_at, ==, expiry - 1);
}

/* A wave that told nobody leaves last_wave_at alone: every call widens. */
static void test_empty_wave_keeps_asking(void)
{
	struct gr_help_settings settings = defaults();
	int64_t first_wave = OPENED; /* told someone at once; later waves find nobody */
	int widen = 0, wait = 0, expire = 0, widen_later = 0;
	int64_t next_at = 0;

	for (int64_t now = OPENED; now < OPENED + 60 * MINUTE; now += 1000) {
		enum gr_help_due due = gr_help_due(&settings, OPENED, first_wave, now, &next_at);

		widen += due == GR_HELP_WIDEN;
		wait += due == GR_HELP_WAIT;
		expire += due == GR_HELP_EXPIRE;
		widen_later += due == GR_HELP_WIDEN && next_at != now;
	}
	/* Waiting for the first 3 minutes (180 calls), then asking every second. */
	CHECK_INT(wait, ==, 180);
	CHECK_INT(widen, ==, 60 * 60 - 180);
	CHECK_INT(expire, ==, 0);
	CHECK_INT(widen_later, ==, 0);
	CHECK_INT(gr_help_due(&settings, OPENED, first_wave, OPENED + 60 * MINUTE, &next_at), ==,
		  GR_HELP_EXPIRE);
	/* Nobody ever told: asks from the start. */
	CHECK_INT(gr_help_due(&settings, OPENED, 0, OPENED + 30 * MINUTE, &next_at), ==,
		  GR_HELP_WIDEN);
}

static void reset(size_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NONE;
}

static void test_pick_eligible(void)
{
	struct gr_help_settings settings = defaults();
	/* Only index 2 and 4 are online and untold. */
	struct gr_help_candidate candidates[] = {
	    {.user_id = 1, .online = 0, .told = 0},
	    {.user_id = 2, .online = 1, .told = 1},
	    {.user_id = 3, .online = 1, .told = 0, .open_offers = 4, .helped = 9},
	    {.user_id = 4, .online = 0, .told = 1},
	    {.user_id = 5, .online = 1, .told = 0, .open_offers = 5},
	};
	size_t out[8];

	reset(out, 8);
	CHECK_INT(gr_help_pick(&settings, candidates, 5, out), ==, 2);
	CHECK_INT(out[0], ==, 2);
	CHECK_INT(out[1], ==, 4);
	CHECK_INT(out[2], ==, NONE);
}

static void test_pick_order(void)
{
	struct gr_help_settings settings = {.wave_size = 50};
	/*
	 * Best first: 3 and 4 (no offers, helped once; 3 has the lower id),
	 * then 2 (no offers, helped 5 times), then 1 (offers, never helped).
	 * Indexes are not in that order, and each rule alone would give another.
	 */
	struct gr_help_candidate candidates[] = {
	    {.user_id = 1, .online = 1, .open_offers = 2, .helped = 0},
	    {.user_id = 4, .online = 1, .open_offers = 0, .helped = 1},
	    {.user_id = 2, .online = 1, .open_offers = 0, .helped = 5},
	    {.user_id = 3, .online = 1, .open_offers = 0, .helped = 1},
	    {.user_id = 9, .online = 1, .open_offers = 1, .helped = 7},
	};
	size_t out[50];

	reset(out, 50);
	CHECK_INT(gr_help_pick(&settings, candidates, 5, out), ==, 5);
	CHECK_INT(out[0], ==, 3); /* user 3 */
	CHECK_INT(out[1], ==, 1); /* user 4 */
	CHECK_INT(out[2], ==, 2); /* user 2 */
	CHECK_INT(out[3], ==, 4); /* user 9: one offer beats two */
	CHECK_INT(out[4], ==, 0); /* user 1 */
	CHECK_INT(out[5], ==, NONE);
}

static void test_pick_at_most_wave_size(void)
{
	struct gr_help_settings settings = defaults();
	struct gr_help_candidate candidates[6];
	size_t out[8];

	for (int i = 0; i < 6; i++)
		candidates[i] = (struct gr_help_candidate){.user_id = 10 - i, .online = 1};
	reset(out, 8);
	CHECK_INT(gr_help_pick(&settings, candidates, 6, out), ==, 3);
	CHECK_INT(out[0], ==, 5); /* users 5, 6, 7 */
	CHECK_INT(out[1], ==, 4);
	CHECK_INT(out[2], ==, 3);
	CHECK_INT(out[3], ==, NONE);

	settings.wave_size = 1;
	reset(out, 8);
	CHECK_INT(gr_help_pick(&settings, candidates, 6, out), ==, 1);
	CHECK_INT(out[0], ==, 5);
	CHECK_INT(out[1], ==, NONE);
}

static void test_pick_nobody(void)
{
	struct gr_help_settings settings = defaults();
	struct gr_help_candidate candidates[] = {
	    {.user_id = 1, .online = 0},
	    {.user_id = 2, .online = 1, .told = 1},
	    {.user_id = 3, .online = 0, .told = 1},
	};
	size_t out[3];

	reset(out, 3);
	CHECK_INT(gr_help_pick(&settings, candidates, 3, out), ==, 0);
	CHECK_INT(out[0], ==, NONE);
	CHECK_INT(gr_help_pick(&settings, NULL, 0, out), ==, 0);
	CHECK_INT(out[0], ==, NONE);
}

/* Waves with the picked marked told, as the coach service does. */
static void test_successive_waves(void)
{
	enum { N = 23 };
	struct gr_help_settings settings = {.wave_size = 4};
	struct gr_help_candidate candidates[N];
	int told_in_wave[N];
	size_t out[4];
	int online = 0, waves = 0, told = 0;

	for (int i = 0; i < N; i++) {
		candidates[i] = (struct gr_help_candidate){
		    .user_id = 1000 - 7 * i,
		    .online = i % 5 != 2,
		    .open_offers = (i * 7) % 3,
		    .helped = (i * 5) % 4,
		};
		told_in_wave[i] = 0;
		online += candidates[i].online;
	}
	for (;;) {
		size_t n = gr_help_pick(&settings, candidates, N, out);

		if (n == 0)
			break;
		waves++;
		/* Full waves until the last. */
		CHECK_INT(n, ==, online - told < 4 ? online - told : 4);
		for (size_t k = 0; k < n; k++) {
			CHECK(out[k] < N);
			if (out[k] >= N)
				return;
			CHECK(candidates[out[k]].online);
			CHECK_INT(told_in_wave[out[k]], ==, 0);
			told_in_wave[out[k]] = waves;
		}
		for (size_t k = 0; k < n; k++)
			candidates[out[k]].told = 1;
		told += (int)n;
		if (waves > N)
			break;
	}
	CHECK_INT(told, ==, online);
	CHECK_INT(waves, ==, (online + 3) / 4);
	for (int i = 0; i < N; i++)
		CHECK_INT(told_in_wave[i] != 0, ==, candidates[i].online);

	/* Someone who comes online later is told in the next wave. */
	candidates[2].online = 1;
	CHECK_INT(gr_help_pick(&settings, candidates, N, out), ==, 1);
	CHECK_INT(out[0], ==, 2);
}

/*
 * A request followed through time by a caller that sleeps until next_at
 * and, once nobody is left to tell, asks once a minute.
 */
static void test_waves_over_time(void)
{
	enum { N = 8 };
	struct gr_help_settings settings = defaults();
	struct gr_help_candidate candidates[N];
	int64_t widened_at[4] = {0}, last_wave = 0, now = OPENED, next_at = 0;
	size_t out[3];
	int widen = 0, empty = 0, calls = 0;
	enum gr_help_due due;

	for (int i = 0; i < N; i++)
		candidates[i] = (struct gr_help_candidate){.user_id = i + 1, .online = 1};
	while ((due = gr_help_due(&settings, OPENED, last_wave, now, &next_at)) != GR_HELP_EXPIRE &&
	       ++calls < 200) {
		size_t n;

		if (due == GR_HELP_WAIT) {
			CHECK_INT(next_at, >, now);
			now = next_at;
			continue;
		}
		CHECK_INT(next_at, ==, now);
		n = gr_help_pick(&settings, candidates, N, out);
		for (size_t k = 0; k < n; k++)
			candidates[out[k]].told = 1;
		if (n == 0) {
			empty++;
			now += MINUTE;
			continue;
		}
		if (widen < 4)
			widened_at[widen] = now;
		widen++;
		last_wave = now;
	}
	CHECK_INT(due, ==, GR_HELP_EXPIRE);
	CHECK_INT(now, ==, OPENED + 60 * MINUTE);
	CHECK_INT(next_at, ==, OPENED + 60 * MINUTE);
	CHECK_INT(widen, ==, 3); /* 3 + 3 + 2 of 8 */
	CHECK_INT(widened_at[0], ==, OPENED);
	CHECK_INT(widened_at[1], ==, OPENED + 3 * MINUTE);
	CHECK_INT(widened_at[2], ==, OPENED + 6 * MINUTE);
	CHECK_INT(empty, ==, 60 - 9); /* minutes 9 .. 59 */
	CHECK_INT(last_wave, ==, OPENED + 6 * MINUTE);
	for (int i = 0; i < N; i++)
		CHECK_INT(candidates[i].told, ==, 1);
}

/* settings must be rejected with a message containing words. */
static void check_rejected(struct gr_help_settings settings, const char *words)
{
	gr_error_clear();
	CHECK_INT(gr_help_settings_check(&settings), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), words);
}

static void check_accepted(struct gr_help_settings settings)
{
	CHECK_INT(gr_help_settings_check(&settings), ==, 0);
}

/* The defaults with wave_size, wave_ms and expire_ms (0: default) changed. */
static struct gr_help_settings with(int wave_size, int64_t wave_ms, int64_t expire_ms)
{
	struct gr_help_settings settings = defaults();

	if (wave_size)
		settings.wave_size = wave_size;
	if (wave_ms)
		settings.wave_ms = wave_ms;
	if (expire_ms)
		settings.expire_ms = expire_ms;
	return settings;
}

static void test_settings_check(void)
{
	const int64_t day = 24 * 60 * MINUTE;
	struct gr_help_settings zero = defaults();

	zero.wave_size = 0;
	check_rejected(zero, "wave_size");
	check_rejected(with(-1, 0, 0), "wave_size");
	check_accepted(with(1, 0, 0));
	check_accepted(with(50, 0, 0));
	check_rejected(with(51, 0, 0), "wave_size");

	check_rejected(with(0, MINUTE - 1, 0), "wave_ms");
	check_rejected(with(0, -MINUTE, 0), "wave_ms");
	check_accepted(with(0, MINUTE, 0));
	check_accepted(with(0, 120 * MINUTE, day));
	check_rejected(with(0, 120 * MINUTE + 1, day), "wave_ms");

	check_rejected(with(0, 0, 5 * MINUTE - 1), "expire_ms");
	check_accepted(with(0, 0, 5 * MINUTE));
	check_accepted(with(0, 0, day));
	check_rejected(with(0, 0, day + 1), "expire_ms");

	/* expire_ms must be greater than wave_ms; the message names both. */
	check_rejected(with(0, 10 * MINUTE, 10 * MINUTE), "expire_ms");
	CHECK_CONTAINS(gr_error_last(), "greater than wave_ms");
	check_rejected(with(0, 10 * MINUTE, 10 * MINUTE - 1), "greater than wave_ms");
	check_accepted(with(0, 10 * MINUTE, 10 * MINUTE + 1));
}

int main(void)
{
	RUN(test_defaults);
	RUN(test_widen_at_open);
	RUN(test_wait_then_widen);
	RUN(test_expire);
	RUN(test_expiry_before_next_wave);
	RUN(test_empty_wave_keeps_asking);
	RUN(test_pick_eligible);
	RUN(test_pick_order);
	RUN(test_pick_at_most_wave_size);
	RUN(test_pick_nobody);
	RUN(test_successive_waves);
	RUN(test_waves_over_time);
	RUN(test_settings_check);
	return harness_done();
}
