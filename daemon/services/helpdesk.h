/*
 * helpdesk.h - help from peers (help.*): a learner stuck on a step asks;
 * the request is told, in waves, to the least busy peers online who
 * finished the step, until one accepts (then the two write to each other)
 * or it expires. Messages in docs/protocol.md ("Help from peers").
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_HELPDESK_H
#define GR_HELPDESK_H

#include "core/clock.h"
#include "domain/help.h"

struct gr_library;
struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_helpdesk;

struct gr_helpdesk_settings {
	struct gr_help_settings help; /* waves and expiry of help requests */
	gr_clock_fn *clock;	      /* NULL: the wall clock */
};

/* The help defaults, the wall clock. */
void gr_helpdesk_settings_defaults(struct gr_helpdesk_settings *out);

/*
 * A new help desk on store, library and the loop's turn, which carries its
 * changes (all borrowed). The caller's to free.
 */
int gr_helpdesk_new(struct gr_helpdesk **out, struct gr_store *store, struct gr_library *library,
		    struct gr_turn *turn, const struct gr_helpdesk_settings *settings);
/* Accepts NULL. */
void gr_helpdesk_free(struct gr_helpdesk *desk);

/*
 * Answer the help messages through live (borrowed), which also carries
 * their events and says who is online; hear when someone arrives. live
 * NULL: stop (before shutdown).
 */
int gr_helpdesk_attach(struct gr_helpdesk *desk, struct gr_live *live);

/*
 * Time passes (about once a second): help requests widen and expire. An
 * open request that found nobody to tell looks again only once someone
 * said hello or finished a step since, to spare the store. A request whose
 * move was refused for a broken invariant (a bug) is logged once and left
 * alone; the others go on.
 */
int gr_helpdesk_tick(struct gr_helpdesk *desk);

#endif
