/*
 * turn.h - one turn of the event loop as the services change things in it:
 * every change is a savepoint inside the turn's one transaction (group
 * commit), and what it says to people (replies, pushes) goes out only after
 * that transaction committed. Drawn in docs/development.md ("One turn").
 *
 *   gr_turn_begin(turn, &change);        the turn's first change BEGINs and
 *   ...writes, gr_turn_reply/push...       asks the loop for a flush
 *   gr_turn_on_undo(turn, rebuild, x);   when memory ran ahead of the store
 *   rc = gr_turn_end(turn, &change, rc); 0: kept; else rolled back: its
 *                                        replies and pushes dropped, its
 *                                        undos called
 *   ... later in the loop: gr_turn_flush(turn): COMMIT, then everything
 *   recorded goes out in order; if the COMMIT fails, each reply that
 *   reported a change becomes its failure, pushes are dropped, and every
 *   undo of the turn is called.
 *
 * Changes nest: a change begun inside another is a savepoint inside it, and
 * rolling back the outer one rolls back the inner one too (and calls its
 * undos). Without a loop (no request_flush hook: at start, or in the
 * operator's tool) each outermost change commits as it ends.
 *
 * One turn per store: everything that writes in a store's transactions
 * must use the same turn. Loop thread only. No SQLite type appears here.
 */
#ifndef GR_TURN_H
#define GR_TURN_H

#include "core/fanout.h"

struct gr_store;
struct gr_turn;

/* A change in progress: what was recorded before it began. */
struct gr_turn_change {
	int outbox; /* replies and pushes */
	int undos;  /* undo callbacks */
};

/* Called after a change or its turn was rolled back, to rebuild memory from the store. */
typedef void gr_turn_undo_fn(void *payload);

struct gr_turn_hooks {
	struct gr_fanout *fanout; /* where replies and pushes go; NULL: nowhere yet */
	/* Call gr_turn_flush() once this turn of the loop is handled; NULL: no loop. */
	void (*request_flush)(void *payload);
	/* A push went to topic (after the commit); may be NULL. */
	void (*published)(void *payload, const char *topic);
	void *payload;
};

/* A turn on store (borrowed), without a loop until hooks are set. The caller's to free. */
int gr_turn_new(struct gr_turn **out, struct gr_store *store);
/* Set when the loop starts, with no change open; copied. */
void gr_turn_set_hooks(struct gr_turn *turn, const struct gr_turn_hooks *hooks);
/* Flushes what is pending first. Accepts NULL. */
void gr_turn_free(struct gr_turn *turn);

/*
 * Begin a change: a savepoint in the turn's transaction, which the turn's
 * first change begins (asking the loop for a flush). 0 or the store's code.
 */
int gr_turn_begin(struct gr_turn *turn, struct gr_turn_change *out);
/*
 * Call undo(payload) if the innermost open change is rolled back, or the
 * turn that holds it. Registered once per change that needs it.
 */
int gr_turn_on_undo(struct gr_turn *turn, gr_turn_undo_fn *undo, void *payload);
/*
 * End a change: with rc 0 its savepoint is released (and without a loop,
 * committed when it is the outermost); else, or when the release fails, it
 * is rolled back, the replies and pushes recorded since it began are
 * dropped and its undos called. Returns rc, or the failed release's code.
 */
int gr_turn_end(struct gr_turn *turn, const struct gr_turn_change *change, int rc);

/*
 * A reply to subscriber (message consumed): now when the turn has no
 * transaction open, else after its commit, in order. instead (consumed; NULL
 * for none): the reply reported a change, and instead goes when the commit
 * fails. 0, or GR_ERROR when out of memory (the messages are dropped).
 */
int gr_turn_reply(struct gr_turn *turn, struct gr_subscriber *subscriber,
		  struct gr_message *message, struct gr_message *instead);
/*
 * Push message (consumed) to topic and, when not NULL, also_topic after the
 * commit; dropped if the change or the commit is rolled back. Now when no
 * transaction is open. 0, or GR_ERROR when out of memory.
 */
int gr_turn_push(struct gr_turn *turn, struct gr_message *message, const char *topic,
		 const char *also_topic);
/* subscriber is going away: the replies held for it are dropped. */
void gr_turn_forget(struct gr_turn *turn, struct gr_subscriber *subscriber);

/*
 * Commit the turn's transaction, then deliver what it recorded; see above
 * for a failure. 0 (also when nothing was open) or the commit's code.
 */
int gr_turn_flush(struct gr_turn *turn);
/* Whether the turn has a transaction open (writes wait for a flush). */
int gr_turn_pending(const struct gr_turn *turn);

#endif
