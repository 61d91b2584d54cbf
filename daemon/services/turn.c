/*
 * turn.c - one turn of the event loop (see turn.h; drawn in
 * docs/development.md, "One turn").
 *
 * Owns the turn's transaction and its savepoints, the outbox of replies and
 * pushes that wait for the commit, and the undo callbacks of the changes
 * made in it. It leaves what a change writes to the services, SQL to the
 * store, and queues and topics to fanout.c.
 *
 *   idle ──begin──► open, depth 1 ──begin──► depth 2 ... ──end──► depth 0
 *    ▲                                                              │
 *    └──────────── flush: COMMIT, deliver (or fail, undo) ◄─────────┘
 *                  (without a loop, the end of depth 1 flushes)
 *
 * Invariants: the outbox and the undos are empty when idle; depth is the
 * number of changes begun and not ended, and the store's transaction depth
 * is depth + 1 while open; a change's entries are those past its marks, so
 * rolling it back truncates to them.
 */
#include "services/turn.h"

#include "core/error.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/store.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A reply (to a subscriber) or a push (to topics) waiting for the commit. */
struct outgoing {
	struct gr_message *message;
	struct gr_message *instead; /* a reply's, when the commit fails */
	struct gr_subscriber *subscriber;
	char *topics[2];
};

struct undo {
	gr_turn_undo_fn *fn;
	void *payload;
};

struct gr_turn {
	struct gr_store *store;
	struct gr_turn_hooks hooks;
	int open;  /* the turn's transaction is begun */
	int depth; /* changes begun and not ended */
	struct outgoing *outbox;
	int outbox_count, outbox_capacity;
	struct undo *undos;
	int undo_count, undo_capacity;
};

int gr_turn_new(struct gr_turn **out, struct gr_store *store)
{
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	(*out)->store = store;
	return 0;
}

void gr_turn_set_hooks(struct gr_turn *turn, const struct gr_turn_hooks *hooks)
{
	assert(turn->depth == 0);
	turn->hooks = *hooks;
}

void gr_turn_free(struct gr_turn *turn)
{
	if (!turn)
		return;
	gr_turn_flush(turn);
	free(turn->outbox);
	free(turn->undos);
	free(turn);
}

/* Room for one more of *count items of size at *items. */
static int reserve(void **items, int *capacity, int count, size_t size)
{
	int grown_capacity = *capacity ? *capacity * 2 : 16;
	void *grown;

	if (count < *capacity)
		return 0;
	if (!(grown = realloc(*items, (size_t)grown_capacity * size))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	*items = grown;
	*capacity = grown_capacity;
	return 0;
}

/* ---- changes ------------------------------------------------------------- */

int gr_turn_begin(struct gr_turn *turn, struct gr_turn_change *out)
{
	int rc;

	if (!turn->open) {
		if ((rc = gr_store_begin(turn->store)) != 0)
			return rc;
		turn->open = 1;
		if (turn->hooks.request_flush)
			turn->hooks.request_flush(turn->hooks.payload);
	}
	if ((rc = gr_store_begin(turn->store)) != 0) {
		if (turn->depth == 0 && !turn->hooks.request_flush)
			gr_turn_flush(turn);
		return rc;
	}
	turn->depth++;
	out->outbox = turn->outbox_count;
	out->undos = turn->undo_count;
	return 0;
}

int gr_turn_on_undo(struct gr_turn *turn, gr_turn_undo_fn *undo, void *payload)
{
	assert(turn->depth > 0);
	if (reserve((void **)&turn->undos, &turn->undo_capacity, turn->undo_count,
		    sizeof(*turn->undos)) != 0)
		return GR_ERROR;
	turn->undos[turn->undo_count++] = (struct undo){ undo, payload };
	return 0;
}

/* Call the undos from index first on, each fn and payload once. */
static void undo_since(struct gr_turn *turn, int first)
{
	for (int i = first; i < turn->undo_count; i++) {
		int seen = 0;

		for (int j = first; j < i && !seen; j++)
			seen = turn->undos[j].fn == turn->undos[i].fn &&
			       turn->undos[j].payload == turn->undos[i].payload;
		if (!seen)
			turn->undos[i].fn(turn->undos[i].payload);
	}
	turn->undo_count = first;
}

static void outgoing_release(struct outgoing *outgoing)
{
	gr_fanout_message_unref(outgoing->message);
	gr_fanout_message_unref(outgoing->instead);
	free(outgoing->topics[0]);
	free(outgoing->topics[1]);
}

int gr_turn_end(struct gr_turn *turn, const struct gr_turn_change *change, int rc)
{
	int released = 0;

	assert(turn->depth > 0);
	if (rc != 0 || (released = gr_store_commit(turn->store)) != 0) {
		gr_store_rollback(turn->store);
		while (turn->outbox_count > change->outbox)
			outgoing_release(&turn->outbox[--turn->outbox_count]);
		undo_since(turn, change->undos);
	}
	turn->depth--;
	if (turn->depth == 0 && !turn->hooks.request_flush) {
		int committed = gr_turn_flush(turn);

		released = released ? released : committed;
	}
	return rc ? rc : released;
}

/* ---- what goes out after the commit -------------------------------------- */

static struct outgoing *outgoing_add(struct gr_turn *turn)
{
	struct outgoing *outgoing;

	if (reserve((void **)&turn->outbox, &turn->outbox_capacity, turn->outbox_count,
		    sizeof(*turn->outbox)) != 0)
		return NULL;
	outgoing = &turn->outbox[turn->outbox_count++];
	memset(outgoing, 0, sizeof(*outgoing));
	return outgoing;
}

static void send_now(struct gr_turn *turn, struct gr_subscriber *subscriber,
		     struct gr_message *message)
{
	if (turn->hooks.fanout && subscriber)
		gr_fanout_send(turn->hooks.fanout, subscriber, message, GR_QUEUE_REPLY);
}

static void publish_now(struct gr_turn *turn, struct gr_message *message, const char *topic)
{
	if (!turn->hooks.fanout || !topic)
		return;
	gr_fanout_publish(turn->hooks.fanout, topic, message);
	if (turn->hooks.published)
		turn->hooks.published(turn->hooks.payload, topic);
}

int gr_turn_reply(struct gr_turn *turn, struct gr_subscriber *subscriber,
		  struct gr_message *message, struct gr_message *instead)
{
	struct outgoing *outgoing;

	if (!turn->open) {
		send_now(turn, subscriber, message);
		gr_fanout_message_unref(message);
		gr_fanout_message_unref(instead);
		return 0;
	}
	if (!(outgoing = outgoing_add(turn))) {
		gr_fanout_message_unref(message);
		gr_fanout_message_unref(instead);
		return GR_ERROR;
	}
	*outgoing = (struct outgoing){ message, instead, subscriber, { NULL, NULL } };
	return 0;
}

int gr_turn_push(struct gr_turn *turn, struct gr_message *message, const char *topic,
		 const char *also_topic)
{
	struct outgoing *outgoing;

	if (!turn->open) {
		publish_now(turn, message, topic);
		publish_now(turn, message, also_topic);
		gr_fanout_message_unref(message);
		return 0;
	}
	if (!(outgoing = outgoing_add(turn))) {
		gr_fanout_message_unref(message);
		return GR_ERROR;
	}
	outgoing->message = message;
	outgoing->topics[0] = topic ? strdup(topic) : NULL;
	outgoing->topics[1] = also_topic ? strdup(also_topic) : NULL;
	if ((topic && !outgoing->topics[0]) || (also_topic && !outgoing->topics[1])) {
		outgoing_release(&turn->outbox[--turn->outbox_count]);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return 0;
}

void gr_turn_forget(struct gr_turn *turn, struct gr_subscriber *subscriber)
{
	for (int i = 0; i < turn->outbox_count; i++)
		if (turn->outbox[i].subscriber == subscriber)
			turn->outbox[i].subscriber = NULL;
}

/* Everything recorded goes out in order; after a failed commit, replies' failures only. */
static void deliver(struct gr_turn *turn, int committed)
{
	for (int i = 0; i < turn->outbox_count; i++) {
		struct outgoing *outgoing = &turn->outbox[i];

		if (committed || !outgoing->instead)
			send_now(turn, outgoing->subscriber, outgoing->message);
		else
			send_now(turn, outgoing->subscriber, outgoing->instead);
		for (int t = 0; committed && t < 2; t++)
			publish_now(turn, outgoing->message, outgoing->topics[t]);
		outgoing_release(outgoing);
	}
	turn->outbox_count = 0;
}

int gr_turn_flush(struct gr_turn *turn)
{
	int64_t started_us;
	int rc;

	if (!turn || !turn->open)
		return 0;
	assert(turn->depth == 0);
	started_us = gr_metrics_clock_us();
	rc = gr_store_commit(turn->store);
	gr_metrics_observe_commit(gr_metrics_now(), gr_metrics_clock_us() - started_us);
	if (rc != 0) {
		gr_log_error("saving the changes of this turn failed: %s", gr_error_last());
		gr_store_rollback(turn->store);
	}
	turn->open = 0;
	deliver(turn, rc == 0);
	if (rc != 0)
		undo_since(turn, 0);
	turn->undo_count = 0;
	return rc;
}

int gr_turn_pending(const struct gr_turn *turn)
{
	return turn && turn->open;
}
