/*
 * nudges.h - nudges: a coach's short note to one learner (nudge.send),
 * pushed live and repeated in every hello until the learner marks it read
 * (nudge.read). Messages in docs/protocol.md ("Nudges").
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_NUDGES_H
#define GR_NUDGES_H

#include "core/clock.h"
#include "core/json.h"

#include <stdint.h>

struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_nudges;

/*
 * A new service on store and the loop's turn, which carries its changes
 * (both borrowed); clock NULL: the wall clock. The caller's to free.
 */
int gr_nudges_new(struct gr_nudges **out, struct gr_store *store, struct gr_turn *turn,
		  gr_clock_fn *clock);
/* Accepts NULL. */
void gr_nudges_free(struct gr_nudges *nudges);

/*
 * Answer nudge.send and nudge.read through live (borrowed), and add the
 * unread nudges to every hello. live NULL: stop (before shutdown).
 */
int gr_nudges_attach(struct gr_nudges *nudges, struct gr_live *live);

/* The user's unread nudges, oldest first, at most 20: a new array, or NULL (logged). */
struct gr_json *gr_nudges_unread(struct gr_nudges *nudges, int64_t user_id);

#endif
