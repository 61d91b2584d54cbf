/*
 * inbox.h - each user's notifications: the events that ask something of
 * them (a review assigned to them, a verdict on their work, a help request
 * to them, a coach's nudge), kept with read state (the bell in the web
 * client's header). Messages in docs/protocol.md ("Notifications").
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_INBOX_H
#define GR_INBOX_H

#include "core/clock.h"
#include "core/json.h"

struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_inbox;

/*
 * A new service on store and the loop's turn, which carries its changes
 * (both borrowed); clock NULL: the wall clock. The caller's to free.
 */
int gr_inbox_new(struct gr_inbox **out, struct gr_store *store, struct gr_turn *turn,
		 gr_clock_fn *clock);
/* Accepts NULL. */
void gr_inbox_free(struct gr_inbox *inbox);

/*
 * Hear every event stored on a user's stream through live (borrowed), and
 * answer notification.list and notification.read. live NULL: stop.
 */
int gr_inbox_attach(struct gr_inbox *inbox, struct gr_live *live);

/* The kind of notification an event named name makes (fields: the rest of it), or NULL. */
const char *gr_inbox_kind(const char *name, const struct gr_json *fields);

#endif
