/*
 * reviews.h - the review service: the pairing engine (review.h) made
 * durable and live. It logs every input of the engine in the store, in the
 * transaction of the change it belongs to, and rebuilds the engine at start
 * by replaying them; it stores and pushes what the engine decides (an
 * assignment, an expired lease, a review received, a verdict); and it
 * answers the review messages of the protocol (review.list, review.get,
 * submission.get, review.submit, review.decline, review.rate, review.flag;
 * docs/protocol.md). Design: "Peer review pairing" in DESIGN.md.
 *
 * No network or SQLite type appears here. The live service (live.c) owns
 * the turn's transaction and the users' event streams, and lends them
 * through the hooks below; it calls in here when a learner's connections
 * open and close, when work is submitted, and for each review message.
 * Loop thread only.
 */
#ifndef GR_REVIEWS_H
#define GR_REVIEWS_H

#include "core/account.h"
#include "core/clock.h"
#include "domain/progress.h"
#include "protocol/protocol.h"
#include "domain/review.h"

#include <jansson.h>
#include <stdint.h>

struct gr_store;
struct gr_store_submission;
struct gr_library;
struct gr_reviews;

struct gr_reviews_settings {
	enum gr_review_policy policy;
	int64_t lease_ms;	 /* a review's lease; default 48 h */
	int64_t lease_online_ms; /* ... when author and reviewer are both online; default 4 h */
	int double_blind;	 /* 1 (default): neither side learns the other's name */
	gr_clock_fn *clock;	 /* NULL: the wall clock */
	int snapshot_inputs;	 /* a snapshot at the tick after this many inputs; 0: never */
};

/* What the live service lends: the write path of a turn and the event streams. */
struct gr_reviews_hooks {
	/*
	 * Open a savepoint inside the turn's transaction (beginning the turn's
	 * transaction if needed). Returns a mark (>= 0) for end, or a negative code.
	 */
	int (*begin)(void *payload);
	/*
	 * Release the savepoint (ok) or roll it back, dropping the events
	 * published since its mark. Returns 0, or a negative code when the
	 * release failed (then it was rolled back).
	 */
	int (*end)(void *payload, int mark, int ok);
	/*
	 * Append event (consumed; an object with "event" and its fields) to the
	 * user's own stream: stored now, pushed after the commit; with
	 * board_track also to the board of the user's cohort on that track.
	 */
	int (*event)(void *payload, int64_t user_id, const char *board_track, json_t *event);
	/*
	 * Apply a progress action that the reviews decided (REVIEW_BEGIN, PASS,
	 * FAIL) to the user's step, with the usual progress event. A state that
	 * does not allow it is left alone (0).
	 */
	int (*progress)(void *payload, int64_t user_id, const char *track_id, const char *step_id,
			int reviews, enum gr_progress_action action);
	void *payload;
};

/*
 * One answer to a review message (or a coach message, coach.h): body (ok) or
 * code and message (an error).
 */
struct gr_reviews_answer {
	json_t *body; /* the reply's fields, the caller's; with an error, its extra fields or NULL */
	const char
	    *code; /* NULL when ok; else forbidden, not_found, conflict, bad_value, internal */
	char message[256];
	int wrote; /* the answer reports a change (the reply waits for the commit) */
};

/* Engine policy, 48 h and 4 h leases, double-blind, the wall clock, snapshots every 1,000 inputs. */
void gr_reviews_settings_defaults(struct gr_reviews_settings *out);

/*
 * A new service on store and library (both borrowed): the engine rebuilt
 * from its newest snapshot and the inputs logged after it, with the seed
 * kept in the store (made on first use), every learner then marked
 * offline. The caller's to free. Fails, saying what to do, when no
 * snapshot can be read and the inputs it covered were pruned.
 */
int gr_reviews_new(struct gr_reviews **out, struct gr_store *store, struct gr_library *library,
		   const struct gr_reviews_settings *settings);
/* Set once, by the live service, before the first change. */
void gr_reviews_set_hooks(struct gr_reviews *reviews, const struct gr_reviews_hooks *hooks);
/* Accepts NULL. */
void gr_reviews_free(struct gr_reviews *reviews);

/*
 * Rebuild the engine from the store after a commit failed, so memory
 * matches what is stored.
 */
int gr_reviews_rebuild(struct gr_reviews *reviews);

/* A connection of user opened (1) or closed (0): the first and last of a learner count. */
int gr_reviews_presence(struct gr_reviews *reviews, const struct gr_user *user, int opened);

/*
 * Work was just stored (inside the caller's transaction) on a step needing
 * reviews peer reviews: hand it to the engine, which assigns what it can.
 */
int gr_reviews_submitted(struct gr_reviews *reviews, const struct gr_store_submission *submission,
			 int reviews_needed);

/* Whether type is one of the review messages answered here. */
int gr_reviews_handles(enum gr_request_type type);

/* Answer a review message of user; out is always filled. */
void gr_reviews_request(struct gr_reviews *reviews, struct gr_reviews_answer *out,
			const struct gr_user *user, const struct gr_request *request);

/*
 * Time passes (about once a minute): expire leases, reassign, notice who
 * left; and store a snapshot of the engine when one is due (reviews.c,
 * "Snapshots").
 */
int gr_reviews_tick(struct gr_reviews *reviews);

/*
 * Store a snapshot of the engine now if any input was logged since the
 * last one (at a clean stop, so the next start replays nothing): in the
 * transaction open on the store, or its own. 0, or a code (logged).
 */
int gr_reviews_snapshot(struct gr_reviews *reviews);

/* The engine, borrowed, for lookups (tests, the board). */
const struct gr_review *gr_reviews_engine(const struct gr_reviews *reviews);

#endif
