/*
 * reviews.h - the review service: the pairing engine (review.h) made
 * durable and live. It logs every input of the engine in the store, in the
 * transaction of the change it belongs to, and rebuilds the engine at start
 * by replaying them; it stores and pushes what the engine decides (an
 * assignment, an expired lease, a review received, a verdict); and it
 * answers the review messages of the protocol (review.list, review.get,
 * submission.get, review.submit, review.decline, review.rate, review.flag,
 * review.pull, and the coaches' review.coach, review.coach_list and
 * flag.resolve; docs/protocol.md). Design: "Peer review pairing" in DESIGN.md.
 *
 * No network or SQLite type appears here. Each change is a savepoint of the
 * loop's turn (turn.h); the live service (live.c) owns the users' event
 * streams; attached to it, this service registers its messages and hears
 * when a learner's connections open and close and when work is submitted.
 * Loop thread only.
 */
#ifndef GR_REVIEWS_H
#define GR_REVIEWS_H

#include "core/clock.h"
#include "domain/review.h"

#include <stdint.h>

struct gr_library;
struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_reviews;

struct gr_reviews_settings {
	enum gr_review_policy policy;
	int64_t lease_ms;	 /* a review's lease; default 48 h */
	int64_t lease_online_ms; /* ... when author and reviewer are both online; default 4 h */
	int double_blind;	 /* 1 (default): neither side learns the other's name */
	gr_clock_fn *clock;	 /* NULL: the wall clock */
	int snapshot_inputs;	 /* a snapshot at the tick after this many inputs; 0: never */
	int push_cap;		 /* reviews pushed a week beyond what one owes; default 2 */
	int64_t coach_after_ms;	 /* a tie or slot nobody took goes to the coaches; 24 h */
};

/*
 * Engine policy, 48 h and 4 h leases, double-blind, the wall clock, snapshots
 * every 1,000 inputs, a push cap of 2, coaches after 24 h.
 */
void gr_reviews_settings_defaults(struct gr_reviews_settings *out);

/*
 * A new service on store, library and the loop's turn, which carries its
 * changes (all borrowed): the engine rebuilt from its newest snapshot and
 * the inputs logged after it, with the seed kept in the store (made on
 * first use), every learner then marked offline. The caller's to free.
 * Fails, saying what to do, when no snapshot can be read and the inputs it
 * covered were pruned.
 */
int gr_reviews_new(struct gr_reviews **out, struct gr_store *store, struct gr_library *library,
		   struct gr_turn *turn, const struct gr_reviews_settings *settings);
/* Accepts NULL. */
void gr_reviews_free(struct gr_reviews *reviews);

/*
 * Answer the review messages through live (borrowed), store and push the
 * engine's effects through it, and hear from it who comes and goes and what
 * is submitted. live NULL: stop (before shutdown; connections that close
 * then do not go offline, as a start marks everyone so).
 */
int gr_reviews_attach(struct gr_reviews *reviews, struct gr_live *live);

/*
 * Time passes (about once a minute): expire leases, reassign, notice who
 * left; and store a snapshot of the engine when one is due (reviews.c,
 * "Snapshots").
 */
int gr_reviews_tick(struct gr_reviews *reviews);

/*
 * Store a snapshot of the engine now if any input was logged since the
 * last one (at a clean stop, so the next start replays nothing), as a
 * change of the turn. 0, or a code (logged).
 */
int gr_reviews_snapshot(struct gr_reviews *reviews);

/* The engine, borrowed, for lookups (tests, the board). */
const struct gr_review *gr_reviews_engine(const struct gr_reviews *reviews);

#endif
