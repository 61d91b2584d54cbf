/* Tests for help.h with a fake clock (plain numbers): a new request widens at
 * once, waits after a wave and widens again exactly wave_ms later, expires at
 * expire_ms even when a wave is due, and *next_at in each case (also when the
 * expiry comes before the next wave); a wave that found nobody keeps asking;
 * who is picked (online and untold only, by open offers, then helped, then
 * user id, at most wave_size), successive waves that never repeat a peer and
 * reach everyone, and the ranges of the settings. Then a request's life:
 * every move from every state against a table written out here, the
 * refusals and their words (a refused move changes nothing), the checker
 * naming each invariant of a request broken on purpose, and a seeded walk
 * of thousands of moves, driven by gr_help_due() and gr_help_pick() as the
 * help desk (services/helpdesk.c) drives them, with the checker called
 * after every move. */
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

/* Waves with the picked marked told, as the help desk does. */
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

/* ---- a help request's life ------------------------------------------------- */

#define AUTHOR 7
#define HELPER 8
#define NO_MOVE (-1) /* expected: refused, the request unchanged */

enum move { TOLD, ACCEPT, RESOLVE, WITHDRAW, EXPIRE, MOVE_COUNT };

static const char *const state_words[GR_HELP_STATE_COUNT] = {
    "open", "accepted", "resolved", "withdrawn", "expired",
};

/* A request in state, reached by the moves of the table from a new one. */
static struct gr_help_request request_in(enum gr_help_state state)
{
	struct gr_help_settings settings = defaults();
	struct gr_help_request request;

	CHECK_INT(gr_help_open(&request, AUTHOR, OPENED), ==, 0);
	CHECK_INT(gr_help_told(&request, 3, OPENED), ==, 0);
	if (state == GR_HELP_STATE_ACCEPTED || state == GR_HELP_STATE_RESOLVED)
		CHECK_INT(gr_help_accept(&request, HELPER, 1, OPENED + MINUTE), ==, 0);
	if (state == GR_HELP_STATE_RESOLVED || state == GR_HELP_STATE_WITHDRAWN)
		CHECK_INT(gr_help_close(&request, state, AUTHOR, OPENED + 2 * MINUTE), ==, 0);
	if (state == GR_HELP_STATE_EXPIRED)
		CHECK_INT(gr_help_expire(&request, &settings, OPENED + 60 * MINUTE), ==, 0);
	CHECK_INT(request.state, ==, state);
	CHECK_INT(gr_help_check(&request), ==, 0);
	return request;
}

static int make_move(struct gr_help_request *request, enum move move, int64_t now)
{
	struct gr_help_settings settings = defaults();

	switch (move) {
	case TOLD:
		return gr_help_told(request, 2, now);
	case ACCEPT:
		return gr_help_accept(request, HELPER, 1, now);
	case RESOLVE:
		return gr_help_close(request, GR_HELP_STATE_RESOLVED, AUTHOR, now);
	case WITHDRAW:
		return gr_help_close(request, GR_HELP_STATE_WITHDRAWN, AUTHOR, now);
	default:
		return gr_help_expire(request, &settings, now);
	}
}

/* Written from the table in help.c's header. Short names for the table only. */
#define OP GR_HELP_STATE_OPEN
#define AC GR_HELP_STATE_ACCEPTED
#define RS GR_HELP_STATE_RESOLVED
#define WD GR_HELP_STATE_WITHDRAWN
#define EX GR_HELP_STATE_EXPIRED
#define NO NO_MOVE
/* clang-format off */
static const int request_expected[GR_HELP_STATE_COUNT][MOVE_COUNT] = {
	/*              TOLD ACCEPT RESOLVE WITHDRAW EXPIRE */
	/* open      */ {OP,  AC,    RS,     WD,      EX},
	/* accepted  */ {NO,  NO,    RS,     WD,      NO},
	/* resolved  */ {NO,  NO,    NO,     NO,      NO},
	/* withdrawn */ {NO,  NO,    NO,     NO,      NO},
	/* expired   */ {NO,  NO,    NO,     NO,      NO},
};
/* clang-format on */
#undef OP
#undef AC
#undef RS
#undef WD
#undef EX
#undef NO

static void test_request_table(void)
{
	const int64_t now = OPENED + 61 * MINUTE; /* late enough to expire */

	for (int state = 0; state < GR_HELP_STATE_COUNT; state++) {
		for (int move = 0; move < MOVE_COUNT; move++) {
			struct gr_help_request request = request_in(state), before = request;
			int want = request_expected[state][move], failures = harness_failures;
			int rc = make_move(&request, move, now);

			if (want == NO_MOVE) {
				CHECK_INT(rc, ==, GR_ECONFLICT);
				CHECK(memcmp(&request, &before, sizeof(request)) == 0);
			} else {
				CHECK_INT(rc, ==, 0);
				CHECK_INT(request.state, ==, want);
			}
			CHECK_INT(gr_help_check(&request), ==, 0);
			if (harness_failures != failures)
				fprintf(stderr, "  (from %s, move %d)\n", state_words[state], move);
		}
	}
}

static void test_request_moves(void)
{
	struct gr_help_request request;

	CHECK_INT(gr_help_open(&request, AUTHOR, OPENED), ==, 0);
	CHECK_INT(request.state, ==, GR_HELP_STATE_OPEN);
	CHECK_INT(request.author_id, ==, AUTHOR);
	CHECK_INT(request.opened_at, ==, OPENED);
	CHECK_INT(request.helper_id + request.last_wave_at + request.accepted_at +
		      request.closed_at + request.told,
		  ==, 0);
	/* A wave that found nobody keeps the wave's time as it was. */
	CHECK_INT(gr_help_told(&request, 0, OPENED + MINUTE), ==, 0);
	CHECK_INT(request.last_wave_at, ==, 0);
	CHECK_INT(request.told, ==, 0);
	CHECK_INT(gr_help_told(&request, 3, OPENED + 2 * MINUTE), ==, 0);
	CHECK_INT(gr_help_told(&request, 2, OPENED + 5 * MINUTE), ==, 0);
	CHECK_INT(request.told, ==, 5);
	CHECK_INT(request.last_wave_at, ==, OPENED + 5 * MINUTE);
	CHECK_INT(gr_help_accept(&request, HELPER, 1, OPENED + 6 * MINUTE), ==, 0);
	CHECK_INT(request.helper_id, ==, HELPER);
	CHECK_INT(request.accepted_at, ==, OPENED + 6 * MINUTE);
	CHECK_INT(gr_help_close(&request, GR_HELP_STATE_RESOLVED, AUTHOR, OPENED + 9 * MINUTE), ==, 0);
	CHECK_INT(request.closed_at, ==, OPENED + 9 * MINUTE);
	CHECK_INT(request.helper_id, ==, HELPER); /* who helped is kept */
	CHECK_INT(gr_help_check(&request), ==, 0);

	/* A clock set back never puts a move before the one it follows. */
	CHECK_INT(gr_help_open(&request, AUTHOR, OPENED), ==, 0);
	CHECK_INT(gr_help_told(&request, 1, OPENED - MINUTE), ==, 0);
	CHECK_INT(request.last_wave_at, ==, OPENED);
	CHECK_INT(gr_help_told(&request, 1, OPENED + 3 * MINUTE), ==, 0);
	CHECK_INT(gr_help_accept(&request, HELPER, 1, OPENED + MINUTE), ==, 0);
	CHECK_INT(request.accepted_at, ==, OPENED + 3 * MINUTE);
	CHECK_INT(gr_help_close(&request, GR_HELP_STATE_WITHDRAWN, AUTHOR, OPENED), ==, 0);
	CHECK_INT(request.closed_at, ==, OPENED + 3 * MINUTE);
	CHECK_INT(gr_help_check(&request), ==, 0);
}

/* move refused with code and words, changing nothing. */
#define CHECK_REFUSED(request, call, code, words)                                                  \
	do {                                                                                       \
		struct gr_help_request refused_before = *(request);                                \
		gr_error_clear();                                                                  \
		CHECK_INT(call, ==, code);                                                         \
		CHECK_CONTAINS(gr_error_last(), words);                                            \
		CHECK(memcmp(&refused_before, (request), sizeof(refused_before)) == 0);            \
	} while (0)

static void test_request_refusals(void)
{
	struct gr_help_settings settings = defaults();
	struct gr_help_request request, open = request_in(GR_HELP_STATE_OPEN);
	struct gr_help_request accepted = request_in(GR_HELP_STATE_ACCEPTED);
	struct gr_help_request expired = request_in(GR_HELP_STATE_EXPIRED);

	gr_error_clear();
	CHECK_INT(gr_help_open(&request, 0, OPENED), ==, GR_EINVALID);
	CHECK_INT(gr_help_open(&request, AUTHOR, 0), ==, GR_EINVALID);
	CHECK(gr_error_last()[0] != '\0');

	/* Accepting: forbidden to who asked and to whom it was not told, before the state. */
	CHECK_REFUSED(&open, gr_help_accept(&open, AUTHOR, 1, OPENED), GR_EFORBIDDEN,
		      "This request was not offered to you.");
	CHECK_REFUSED(&open, gr_help_accept(&open, HELPER, 0, OPENED), GR_EFORBIDDEN,
		      "not offered to you");
	CHECK_REFUSED(&accepted, gr_help_accept(&accepted, HELPER + 1, 0, OPENED), GR_EFORBIDDEN,
		      "not offered to you");
	CHECK_REFUSED(&accepted, gr_help_accept(&accepted, HELPER + 1, 1, OPENED), GR_ECONFLICT,
		      "Someone else is helping already.");
	CHECK_REFUSED(&expired, gr_help_accept(&expired, HELPER, 1, OPENED), GR_ECONFLICT,
		      "This request is closed.");

	/* Closing: only who asked, and only once. */
	CHECK_REFUSED(&accepted, gr_help_close(&accepted, GR_HELP_STATE_RESOLVED, HELPER, OPENED),
		      GR_EFORBIDDEN, "Only who asked may close a help request.");
	CHECK_REFUSED(&expired, gr_help_close(&expired, GR_HELP_STATE_WITHDRAWN, AUTHOR, OPENED),
		      GR_ECONFLICT, "This request is closed already.");
	CHECK_REFUSED(&open, gr_help_close(&open, GR_HELP_STATE_EXPIRED, AUTHOR, OPENED), GR_EINVALID,
		      "resolved or withdrawn");
	CHECK_REFUSED(&open, gr_help_close(&open, GR_HELP_STATE_ACCEPTED, AUTHOR, OPENED), GR_EINVALID,
		      "resolved or withdrawn");

	/* Expiring: open only, and not before it is due. */
	CHECK_REFUSED(&open, gr_help_expire(&open, &settings, OPENED + 60 * MINUTE - 1),
		      GR_ECONFLICT, "not due");
	CHECK_REFUSED(&accepted, gr_help_expire(&accepted, &settings, OPENED + 600 * MINUTE),
		      GR_ECONFLICT, "Someone else is helping already.");

	/* Waves: open only, and never a negative count. */
	CHECK_REFUSED(&open, gr_help_told(&open, -1, OPENED), GR_EINVALID, "-1");
	CHECK_REFUSED(&accepted, gr_help_told(&accepted, 1, OPENED), GR_ECONFLICT,
		      "Someone else is helping already.");
	CHECK_REFUSED(&expired, gr_help_told(&expired, 1, OPENED), GR_ECONFLICT, "closed");
}

/* request must break invariant, with a message containing words. */
static void check_broken(struct gr_help_request request, int invariant, const char *words)
{
	char number[32];

	snprintf(number, sizeof number, "help invariant %d: ", invariant);
	gr_error_clear();
	CHECK_INT(gr_help_check(&request), ==, invariant);
	CHECK_CONTAINS(gr_error_last(), number);
	CHECK_CONTAINS(gr_error_last(), words);
}

static void test_request_check_broken(void)
{
	struct gr_help_request open = request_in(GR_HELP_STATE_OPEN), r;
	struct gr_help_request accepted = request_in(GR_HELP_STATE_ACCEPTED);
	struct gr_help_request resolved = request_in(GR_HELP_STATE_RESOLVED);
	struct gr_help_request expired = request_in(GR_HELP_STATE_EXPIRED);

	/* A valid request sets no message. */
	gr_error_clear();
	CHECK_INT(gr_help_check(&resolved), ==, 0);
	CHECK_STR(gr_error_last(), "");

	r = open, r.state = GR_HELP_STATE_COUNT;
	check_broken(r, 1, "unknown request is out of range");
	r = open, r.author_id = 0;
	check_broken(r, 1, "out of range");
	r = open, r.opened_at = 0;
	check_broken(r, 1, "out of range");
	r = open, r.told = -1;
	check_broken(r, 1, "out of range");

	r = open, r.closed_at = OPENED + MINUTE;
	check_broken(r, 2, "open request has a closing time");
	r = resolved, r.closed_at = 0;
	check_broken(r, 2, "resolved request has no closing time");
	r = expired, r.closed_at = OPENED - 1;
	check_broken(r, 2, "closed before it opened");

	r = accepted, r.accepted_at = 0;
	check_broken(r, 3, "has a helper but no acceptance time");
	r = open, r.accepted_at = OPENED;
	check_broken(r, 3, "has an acceptance time but no helper");
	r = accepted, r.helper_id = 0, r.accepted_at = 0;
	check_broken(r, 3, "accepted request has no helper");
	r = expired, r.helper_id = HELPER, r.accepted_at = OPENED + MINUTE;
	check_broken(r, 3, "expired request has a helper");

	r = accepted, r.helper_id = AUTHOR;
	check_broken(r, 4, "helped by who asked");
	r = accepted, r.told = 0, r.last_wave_at = 0;
	check_broken(r, 4, "never told to");
	r = accepted, r.accepted_at = OPENED - 1;
	check_broken(r, 4, "accepted before it opened");
	r = resolved, r.closed_at = r.accepted_at - 1;
	check_broken(r, 4, "after it closed");

	r = open, r.last_wave_at = 0;
	check_broken(r, 5, "told to peers with no wave time");
	r = open, r.told = 0;
	check_broken(r, 5, "wave time but was told to nobody");
	r = open, r.last_wave_at = OPENED - 1;
	check_broken(r, 5, "wave before it opened");
	r = accepted, r.last_wave_at = r.accepted_at + 1;
	check_broken(r, 5, "after it was taken");
	r = expired, r.last_wave_at = r.closed_at + 1;
	check_broken(r, 5, "or closed");
}

/* ---- the walk ---- */

#define WALK_USERS 10
#define WALK_REQUESTS 4

static uint32_t walk_seed;

static uint32_t walk_random(void)
{
	walk_seed = walk_seed * 1664525u + 1013904223u;
	return walk_seed >> 8;
}

struct walked {
	struct gr_help_request request;
	int live;		  /* a request is in this place */
	int told[WALK_USERS + 1]; /* by user id */
};

struct walk_counts {
	int moves, refused, broken, changed_when_refused, final_changed, wrong_code;
	int reached[GR_HELP_STATE_COUNT];
};

/* The code the table in help.c expects, from the request before the move. */
static int expected_accept(const struct walked *w, int64_t user)
{
	if (!w->told[user] || user == w->request.author_id)
		return GR_EFORBIDDEN;
	return w->request.state == GR_HELP_STATE_OPEN ? 0 : GR_ECONFLICT;
}

static int expected_close(const struct walked *w, enum gr_help_state to, int64_t user)
{
	if (to != GR_HELP_STATE_RESOLVED && to != GR_HELP_STATE_WITHDRAWN)
		return GR_EINVALID;
	if (user != w->request.author_id)
		return GR_EFORBIDDEN;
	return w->request.state == GR_HELP_STATE_OPEN || w->request.state == GR_HELP_STATE_ACCEPTED
		   ? 0
		   : GR_ECONFLICT;
}

/* What the help desk does once a second: expire, or tell the next wave. */
static int walk_tick(struct walked *w, const struct gr_help_settings *settings, int64_t now,
		     int *want)
{
	struct gr_help_candidate candidates[WALK_USERS];
	size_t picked[GR_HELP_MAX_WAVE], count = 0, n = 0;
	enum gr_help_due due;

	if (w->request.state != GR_HELP_STATE_OPEN) {
		*want = GR_ECONFLICT;
		return gr_help_told(&w->request, 1, now);
	}
	due = gr_help_due(settings, w->request.opened_at, w->request.last_wave_at, now, NULL);
	if (due == GR_HELP_EXPIRE) {
		*want = 0;
		return gr_help_expire(&w->request, settings, now);
	}
	if (due == GR_HELP_WAIT) {
		*want = GR_ECONFLICT; /* not due to expire */
		return gr_help_expire(&w->request, settings, now);
	}
	for (int64_t user = 1; user <= WALK_USERS; user++) {
		if (user == w->request.author_id)
			continue;
		candidates[n++] = (struct gr_help_candidate){
		    .user_id = user,
		    .online = walk_random() % 3 != 0,
		    .told = w->told[user],
		};
	}
	count = gr_help_pick(settings, candidates, n, picked);
	for (size_t i = 0; i < count; i++)
		w->told[candidates[picked[i]].user_id] = 1;
	*want = 0;
	return gr_help_told(&w->request, (int)count, now);
}

static void walk_move(struct walked *w, const struct gr_help_settings *settings, int64_t now,
		      struct walk_counts *counts)
{
	struct gr_help_request before = w->request;
	int64_t user = 1 + walk_random() % WALK_USERS;
	int rc, want;

	switch (walk_random() % 6) {
	case 0:
	case 1:
		rc = walk_tick(w, settings, now, &want);
		break;
	case 2:
	case 3:
		want = expected_accept(w, user);
		rc = gr_help_accept(&w->request, user, w->told[user], now);
		break;
	default: {
		enum gr_help_state to = walk_random() % 2 ? GR_HELP_STATE_RESOLVED : GR_HELP_STATE_WITHDRAWN;

		if (walk_random() % 10 == 0)
			to = (enum gr_help_state)(walk_random() % GR_HELP_STATE_COUNT);
		if (walk_random() % 3)
			user = w->request.author_id;
		want = expected_close(w, to, user);
		rc = gr_help_close(&w->request, to, user, now);
	}
	}
	counts->moves++;
	counts->wrong_code += rc != want;
	if (rc != 0) {
		counts->refused++;
		counts->changed_when_refused += memcmp(&before, &w->request, sizeof(before)) != 0;
	}
	counts->final_changed +=
	    (before.state == GR_HELP_STATE_RESOLVED || before.state == GR_HELP_STATE_WITHDRAWN ||
	     before.state == GR_HELP_STATE_EXPIRED) &&
	    memcmp(&before, &w->request, sizeof(before)) != 0;
	if (gr_help_check(&w->request) != 0 && counts->broken++ < 5)
		fprintf(stderr, "  walk move %d: %s\n", counts->moves, gr_error_last());
	counts->reached[w->request.state]++;
}

static void walk_requests(uint32_t seed, int moves, struct walk_counts *counts)
{
	struct gr_help_settings settings = defaults();
	struct walked walked[WALK_REQUESTS];
	int64_t now = OPENED;

	memset(walked, 0, sizeof(walked));
	walk_seed = seed;
	for (int i = 0; i < moves; i++) {
		struct walked *w = &walked[walk_random() % WALK_REQUESTS];

		now += (int64_t)(walk_random() % (4 * MINUTE));
		/* A closed request makes room for a new one now and then. */
		if (!w->live || (w->request.state > GR_HELP_STATE_ACCEPTED && walk_random() % 4 == 0)) {
			memset(w, 0, sizeof(*w));
			CHECK_INT(gr_help_open(&w->request, 1 + walk_random() % WALK_USERS, now),
				  ==, 0);
			w->live = 1;
		}
		walk_move(w, &settings, now, counts);
	}
}

static void test_request_walk(void)
{
	static const uint32_t seeds[] = {20240611u, 7u, 99u};

	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct walk_counts counts = {0}, again = {0};

		walk_requests(seeds[s], 4000, &counts);
		CHECK_INT(counts.moves, ==, 4000);
		CHECK_INT(counts.broken, ==, 0);
		CHECK_INT(counts.wrong_code, ==, 0);
		CHECK_INT(counts.changed_when_refused, ==, 0);
		CHECK_INT(counts.final_changed, ==, 0);
		CHECK_INT(counts.refused, >, 100);
		for (int state = 0; state < GR_HELP_STATE_COUNT; state++)
			CHECK_INT(counts.reached[state], >, 10);
		/* The same seed walks the same way. */
		walk_requests(seeds[s], 4000, &again);
		CHECK(memcmp(&counts, &again, sizeof(counts)) == 0);
	}
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
	RUN(test_request_table);
	RUN(test_request_moves);
	RUN(test_request_refusals);
	RUN(test_request_check_broken);
	RUN(test_request_walk);
	return harness_done();
}
