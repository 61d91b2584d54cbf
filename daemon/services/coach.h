/*
 * coach.h - the coach service: the state of a coaches' board (board.get),
 * its summary (the attention list, reviews given and received), nudges from
 * coaches to learners, and help requests between peers (help.*): who is
 * told, in waves, until someone accepts or the request expires. Messages in
 * docs/protocol.md ("The coaches' board", "Nudges", "Help from peers").
 *
 * No network or SQLite type appears here. Like the review service, it
 * borrows the live service's write path and event streams through hooks,
 * and asks it who is online. Loop thread only.
 */
#ifndef GR_COACH_H
#define GR_COACH_H

#include "core/account.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/help.h"
#include "protocol/protocol.h"
#include "services/reviews.h"

#include <stdint.h>

struct gr_store;
struct gr_library;
struct gr_coach;

struct gr_coach_settings {
	int inactive_days;		 /* attention: no progress for this long; default 7 */
	int flag_days;			 /* attention: flags of the last days; default 30 */
	struct gr_help_settings help;	 /* waves and expiry of help requests */
	gr_clock_fn *clock;		 /* NULL: the wall clock */
};

struct gr_coach_hooks {
	/* As in struct gr_reviews_hooks: a savepoint of the turn, ended with its mark. */
	int (*begin)(void *payload);
	int (*end)(void *payload, int mark, int ok);
	/*
	 * Append event (consumed; "event" and its fields) to the user's own
	 * stream, pushed after the commit; with board_track also to the board
	 * of the user's cohort on that track.
	 */
	int (*event)(void *payload, int64_t user_id, const char *board_track, struct gr_json *event);
	/* Push event (consumed; a whole message) to a topic after the commit, unstored. */
	int (*publish)(void *payload, const char *topic, struct gr_json *event);
	/* Whether the user has a connection open. */
	int (*online)(void *payload, int64_t user_id);
	/* The step of track whose page the user has open (a room), or NULL. Borrowed. */
	const char *(*here)(void *payload, int64_t user_id, const char *track);
	void *payload;
};

/* inactive_days 7, flag_days 30, the help defaults, the wall clock. */
void gr_coach_settings_defaults(struct gr_coach_settings *out);

/* A new service on store, library and reviews (borrowed; reviews may be NULL). */
int gr_coach_new(struct gr_coach **out, struct gr_store *store, struct gr_library *library,
		 struct gr_reviews *reviews, const struct gr_coach_settings *settings);
void gr_coach_set_hooks(struct gr_coach *coach, const struct gr_coach_hooks *hooks);
/* Accepts NULL. */
void gr_coach_free(struct gr_coach *coach);

/* Whether type is one of the messages answered here. */
int gr_coach_handles(enum gr_request_type type);

/* Answer a message of user; out is always filled (as for the review messages). */
void gr_coach_request(struct gr_coach *coach, struct gr_reviews_answer *out,
		      const struct gr_user *user, const struct gr_request *request);

/* The user's unread nudges for the hello reply: a new array, or NULL on failure. */
struct gr_json *gr_coach_unread_nudges(struct gr_coach *coach, int64_t user_id);

/*
 * The summary of the board of cohort on track at now: {"attention": […],
 * "learners": {handle: {given, received, last_activity}}}, a new object;
 * NULL on failure (logged).
 */
struct gr_json *gr_coach_summary(struct gr_coach *coach, const char *cohort, const char *track);

/*
 * Someone said hello, or finished a step: an open request that found
 * nobody to tell looks again at the next tick (until then it does not, to
 * spare the store).
 */
void gr_coach_arrived(struct gr_coach *coach);

/* Time passes (about once a second): help requests widen and expire. */
int gr_coach_tick(struct gr_coach *coach);

#endif
