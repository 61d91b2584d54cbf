/* Tests for session.h: starting one (the ranges of user, days and time),
 * the state at each time (expired from expires_at on), signing out and
 * disabling the user from every state (only a live session changes), which
 * states sign the user in and the words when not, the checker naming each
 * invariant of a session broken on purpose, and a seeded walk of thousands
 * of moves over a few users' sessions with the checker called after every
 * move. */
#include "harness.h"

#include "core/error.h"
#include "domain/session.h"

#define DAY GR_SESSION_DAY_MS
#define T0 ((int64_t)1800000000000) /* the fake clock of the service tests */

/* User 5's session, started at T0 for 30 days. */
static struct gr_session started(void)
{
	struct gr_session session;

	CHECK_INT(gr_session_start(&session, 5, 30, T0), ==, 0);
	return session;
}

static void test_start(void)
{
	struct gr_session session = started(), before = session;

	CHECK_INT(session.user_id, ==, 5);
	CHECK_INT(session.created_at, ==, T0);
	CHECK_INT(session.expires_at, ==, T0 + 30 * DAY);
	CHECK_INT(session.signed_out_at + session.disabled_at, ==, 0);
	CHECK_INT(gr_session_check(&session), ==, 0);
	CHECK_INT(gr_session_state_at(&session, T0), ==, GR_SESSION_LIVE);

	gr_error_clear();
	CHECK_INT(gr_session_start(&session, 0, 30, T0), ==, GR_EINVALID);
	CHECK_INT(gr_session_start(&session, 5, 0, T0), ==, GR_EINVALID);
	CHECK_INT(gr_session_start(&session, 5, 366, T0), ==, GR_EINVALID);
	CHECK_INT(gr_session_start(&session, 5, 30, 0), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "out of range");
	CHECK(memcmp(&session, &before, sizeof(session)) == 0); /* untouched */
	CHECK_INT(gr_session_start(&session, 5, 365, T0), ==, 0);
	CHECK_INT(gr_session_check(&session), ==, 0);
}

static void test_expiry(void)
{
	struct gr_session session = started();

	CHECK_INT(gr_session_state_at(&session, T0 + 30 * DAY - 1), ==, GR_SESSION_LIVE);
	CHECK_INT(gr_session_usable(&session, T0 + 30 * DAY - 1), ==, 0);
	/* From expires_at on, as the store's lookup (expires_at > now) says. */
	CHECK_INT(gr_session_state_at(&session, T0 + 30 * DAY), ==, GR_SESSION_EXPIRED);
	gr_error_clear();
	CHECK_INT(gr_session_usable(&session, T0 + 30 * DAY), ==, GR_EAUTH);
	CHECK_STR(gr_error_last(), "not signed in, or the sign-in has expired");
}

/* A session in state at T0 + 2 days, reached by the moves of the table. */
static struct gr_session session_in(enum gr_session_state state)
{
	struct gr_session session;
	int64_t now = T0 + 2 * DAY;

	CHECK_INT(gr_session_start(&session, 5, state == GR_SESSION_EXPIRED ? 1 : 30, T0), ==, 0);
	if (state == GR_SESSION_SIGNED_OUT)
		gr_session_sign_out(&session, T0 + DAY);
	if (state == GR_SESSION_USER_DISABLED)
		gr_session_disable(&session, T0 + DAY);
	CHECK_INT(gr_session_state_at(&session, now), ==, state);
	return session;
}

static void test_moves_from_every_state(void)
{
	/* Expected state after sign out / disable, from the table in session.c. */
	static const enum gr_session_state after[GR_SESSION_STATE_COUNT][2] = {
	    [GR_SESSION_LIVE] = {GR_SESSION_SIGNED_OUT, GR_SESSION_USER_DISABLED},
	    [GR_SESSION_SIGNED_OUT] = {GR_SESSION_SIGNED_OUT, GR_SESSION_SIGNED_OUT},
	    [GR_SESSION_EXPIRED] = {GR_SESSION_EXPIRED, GR_SESSION_EXPIRED},
	    [GR_SESSION_USER_DISABLED] = {GR_SESSION_USER_DISABLED, GR_SESSION_USER_DISABLED},
	};
	const int64_t now = T0 + 2 * DAY;

	for (int state = 0; state < GR_SESSION_STATE_COUNT; state++) {
		for (int move = 0; move < 2; move++) {
			struct gr_session session = session_in(state), before = session;

			if (move == 0)
				gr_session_sign_out(&session, now);
			else
				gr_session_disable(&session, now);
			CHECK_INT(gr_session_state_at(&session, now), ==, after[state][move]);
			CHECK_INT(gr_session_check(&session), ==, 0);
			/* Only a live session changes; the others stay exactly as they were. */
			CHECK_INT(memcmp(&session, &before, sizeof(session)) == 0, ==,
				  state != GR_SESSION_LIVE);
			/* Only live signs its user in. */
			CHECK_INT(gr_session_usable(&before, now) == 0, ==,
				  state == GR_SESSION_LIVE);
		}
	}
}

static void test_endings(void)
{
	struct gr_session session = started();

	gr_session_sign_out(&session, T0 + DAY);
	CHECK_INT(session.signed_out_at, ==, T0 + DAY);
	/* Signed out is final, also after the expiry. */
	CHECK_INT(gr_session_state_at(&session, T0 + 40 * DAY), ==, GR_SESSION_SIGNED_OUT);
	CHECK_INT(gr_session_usable(&session, T0 + DAY), ==, GR_EAUTH);

	session = started();
	gr_session_disable(&session, T0 + 3 * DAY);
	CHECK_INT(session.disabled_at, ==, T0 + 3 * DAY);
	CHECK_INT(gr_session_state_at(&session, T0 + 3 * DAY), ==, GR_SESSION_USER_DISABLED);

	/* A clock set back never puts the end before the start. */
	session = started();
	gr_session_sign_out(&session, T0 - DAY);
	CHECK_INT(session.signed_out_at, ==, T0);
	CHECK_INT(gr_session_check(&session), ==, 0);
}

/* session must break invariant, with a message containing words. */
static void check_broken(struct gr_session session, int invariant, const char *words)
{
	char number[40];

	snprintf(number, sizeof number, "session invariant %d: ", invariant);
	gr_error_clear();
	CHECK_INT(gr_session_check(&session), ==, invariant);
	CHECK_CONTAINS(gr_error_last(), number);
	CHECK_CONTAINS(gr_error_last(), words);
}

static void test_check_broken(void)
{
	struct gr_session valid = started(), s;

	gr_error_clear();
	CHECK_INT(gr_session_check(&valid), ==, 0);
	CHECK_STR(gr_error_last(), ""); /* a valid session sets no message */

	s = valid, s.user_id = 0;
	check_broken(s, 1, "out of range");
	s = valid, s.created_at = -1;
	check_broken(s, 1, "out of range");

	s = valid, s.expires_at = s.created_at;
	check_broken(s, 2, "expires no later than it began");
	s = valid, s.expires_at = s.created_at + 365 * DAY + 1;
	check_broken(s, 2, "longer than 365 days");

	s = valid, s.signed_out_at = T0 + DAY, s.disabled_at = T0 + DAY;
	check_broken(s, 3, "both signed out and ended by disabling");

	s = valid, s.signed_out_at = T0 - 1;
	check_broken(s, 4, "signed out before it began");
	s = valid, s.signed_out_at = s.expires_at;
	check_broken(s, 4, "after it expired");
	s = valid, s.disabled_at = s.expires_at + DAY;
	check_broken(s, 4, "its user was disabled before it began or after it expired");
}

/* ---- the walk ---- */

#define WALK_USERS 3
#define WALK_SESSIONS 8

static uint32_t walk_seed;

static uint32_t walk_random(void)
{
	walk_seed = walk_seed * 1664525u + 1013904223u;
	return walk_seed >> 8;
}

struct walk_counts {
	int moves, broken, left_final, wrong_usable, ended_wrong;
	int reached[GR_SESSION_STATE_COUNT];
};

/* After a move at now, each session against what the walk saw before it. */
static void walk_look(const struct gr_session *sessions, enum gr_session_state *was, int64_t now,
		      struct walk_counts *counts)
{
	for (int i = 0; i < WALK_SESSIONS; i++) {
		enum gr_session_state state = gr_session_state_at(&sessions[i], now);

		if (gr_session_check(&sessions[i]) != 0 && counts->broken++ < 5)
			fprintf(stderr, "  walk move %d: %s\n", counts->moves, gr_error_last());
		counts->left_final += was[i] != GR_SESSION_LIVE && state != was[i];
		counts->wrong_usable +=
		    (gr_session_usable(&sessions[i], now) == 0) != (state == GR_SESSION_LIVE);
		counts->reached[state]++;
		was[i] = state;
	}
}

static void walk(uint32_t seed, int moves, struct walk_counts *counts)
{
	struct gr_session sessions[WALK_SESSIONS];
	enum gr_session_state was[WALK_SESSIONS];
	int64_t now = T0;

	walk_seed = seed;
	for (int i = 0; i < WALK_SESSIONS; i++) {
		CHECK_INT(gr_session_start(&sessions[i], 1 + i % WALK_USERS, 1, now), ==, 0);
		was[i] = GR_SESSION_LIVE;
	}
	for (int m = 0; m < moves; m++) {
		int which = (int)(walk_random() % WALK_SESSIONS);
		int64_t user = 1 + (int64_t)(walk_random() % WALK_USERS);
		struct gr_session before = sessions[which];
		int live = gr_session_state_at(&before, now) == GR_SESSION_LIVE;

		now += (int64_t)(walk_random() % (2 * 60 * 60 * 1000)); /* up to 2 hours */
		live = live && now < before.expires_at;
		switch (walk_random() % 4) {
		case 0: /* a new sign-in in its place */
			CHECK_INT(gr_session_start(&sessions[which], user,
						   1 + (int)(walk_random() % 2), now),
				  ==, 0);
			was[which] = GR_SESSION_LIVE;
			break;
		case 1:
			gr_session_sign_out(&sessions[which], now);
			counts->ended_wrong += live != (sessions[which].signed_out_at == now &&
							before.signed_out_at == 0);
			break;
		case 2: /* an admin disables user: every session of theirs */
			if (walk_random() % 4)
				break;
			for (int i = 0; i < WALK_SESSIONS; i++)
				if (sessions[i].user_id == user)
					gr_session_disable(&sessions[i], now);
			break;
		default:
			break; /* time passes */
		}
		counts->moves++;
		walk_look(sessions, was, now, counts);
	}
}

static void test_walk(void)
{
	static const uint32_t seeds[] = {20240611u, 5u, 31u};

	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct walk_counts counts = {0}, again = {0};

		walk(seeds[s], 4000, &counts);
		CHECK_INT(counts.moves, ==, 4000);
		CHECK_INT(counts.broken, ==, 0);
		CHECK_INT(counts.left_final, ==, 0);
		CHECK_INT(counts.wrong_usable, ==, 0);
		CHECK_INT(counts.ended_wrong, ==, 0);
		for (int state = 0; state < GR_SESSION_STATE_COUNT; state++)
			CHECK_INT(counts.reached[state], >, 100);
		walk(seeds[s], 4000, &again); /* the same seed walks the same way */
		CHECK(memcmp(&counts, &again, sizeof(counts)) == 0);
	}
}

int main(void)
{
	RUN(test_start);
	RUN(test_expiry);
	RUN(test_moves_from_every_state);
	RUN(test_endings);
	RUN(test_check_broken);
	RUN(test_walk);
	return harness_done();
}
