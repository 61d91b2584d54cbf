/*
 * reflections.h - reflection steps beyond peer review: a coach of the
 * learner's cohort comments on a reflection (reflection.comment), stored
 * with the work and pushed to the learner's stream, so it reaches their
 * inbox. Peer review of reflections is the review service's, as for any
 * reviewed step. Messages in docs/protocol.md ("Reflections").
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_REFLECTIONS_H
#define GR_REFLECTIONS_H

#include "core/clock.h"

struct gr_library;
struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_reflections;

/*
 * A new service on store, library (which says which steps are
 * reflections) and the loop's turn (all borrowed); clock NULL: the wall
 * clock. The caller's to free.
 */
int gr_reflections_new(struct gr_reflections **out, struct gr_store *store,
		       struct gr_library *library, struct gr_turn *turn, gr_clock_fn *clock);
/* Accepts NULL. */
void gr_reflections_free(struct gr_reflections *reflections);

/*
 * Answer reflection.comment and reflection.list through live (borrowed).
 * live NULL: stop (before shutdown).
 */
int gr_reflections_attach(struct gr_reflections *reflections, struct gr_live *live);

#endif
