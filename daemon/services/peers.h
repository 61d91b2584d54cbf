/*
 * peers.h - peers' work after passing: once a learner's work on a step
 * passed, they may read the passed work their peers chose to share on that
 * step (peers.list), share their own (submission.share: not shared,
 * anonymously or with their name, changed at any time) and thank an author
 * once (submission.thank). Coaches and admins may read what is shared.
 * Messages in docs/protocol.md ("Peers' work after passing").
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_PEERS_H
#define GR_PEERS_H

#include "core/clock.h"

struct gr_library;
struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_peers;

/*
 * A new service on store, library and the loop's turn, which carries its
 * changes (all borrowed); clock NULL: the wall clock. The caller's to free.
 */
int gr_peers_new(struct gr_peers **out, struct gr_store *store, struct gr_library *library,
		 struct gr_turn *turn, gr_clock_fn *clock);
/* Accepts NULL. */
void gr_peers_free(struct gr_peers *peers);

/* Answer peers.list, submission.share and submission.thank through live; NULL: stop. */
int gr_peers_attach(struct gr_peers *peers, struct gr_live *live);

#endif
