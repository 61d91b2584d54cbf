/*
 * fanout.h - live delivery: shared messages, each connection's bounded
 * queue, and topics with their subscribers. Design: "Live updates" in
 * DESIGN.md.
 *
 * A message is serialized once and shared by reference: publishing to a
 * topic with N subscribers costs N queue pushes of one pointer, no copies.
 * Each connection owns one gr_queue, bounded by a message count and a byte
 * count. When a push would pass either bound, the queue drops every event
 * it holds (replies stay: each request gets its one reply) and queues the
 * shared "resync" message: the client must say hello again to catch up.
 * Until gr_fanout_queue_resynced() is called, further pushes of events are dropped
 * (counted in `dropped`); replies still queue, and a reply that does not fit
 * even then marks the queue must_close: the network layer closes the
 * connection, so a client that never reads cannot hold more than the bound.
 *
 * No network type appears here. The network layer passes a headroom (bytes
 * reserved in front of each message's text, for its framing) and a notify
 * function called whenever a queue goes from empty to non-empty.
 * Single-threaded: everything runs on the event loop.
 */
#ifndef GR_FANOUT_H
#define GR_FANOUT_H

#include <stddef.h>

/* A reference-counted, immutable text with headroom in front of it. */
struct gr_message;

/* A new message with one reference; NULL when out of memory. */
struct gr_message *gr_fanout_message_new(size_t headroom, const char *text, size_t len);
struct gr_message *gr_fanout_message_ref(struct gr_message *message);
/* Drops one reference; frees on the last. Accepts NULL. */
void gr_fanout_message_unref(struct gr_message *message);
/* The text (not NUL-terminated) and its length. */
const char *gr_fanout_message_text(const struct gr_message *message);
size_t gr_fanout_message_len(const struct gr_message *message);
/* The writable headroom in front of the text (for the network layer). */
unsigned char *gr_fanout_message_headroom(struct gr_message *message);

struct gr_queue {
	struct gr_message **ring; /* slots slots, grown up to capacity as needed */
	unsigned char *replies;   /* per slot: holds a reply (kept on overflow) */
	int head, count, capacity;
	int slots;               /* allocated: most queues stay short, and each connection has one */
	size_t bytes, max_bytes; /* text bytes held, and their bound */
	int resyncing;           /* overflowed; events dropped until resynced */
	int must_close;          /* overflowed again while resyncing */
	unsigned long dropped;   /* events dropped since the last resync */
	struct gr_message *resync; /* the shared resync message; the queue owns one reference */
};

/*
 * capacity messages and max_bytes text bytes at most. resync is the message
 * queued in place of what an overflow drops; the queue takes a reference.
 */
int gr_fanout_queue_init(struct gr_queue *queue, int capacity, size_t max_bytes,
		  struct gr_message *resync);
/* Unreferences everything held. Accepts a zeroed queue. */
void gr_fanout_queue_clear(struct gr_queue *queue);

enum gr_queue_kind { GR_QUEUE_EVENT, GR_QUEUE_REPLY };

/*
 * Queue a reference to message. Returns 0 when queued; GR_ELIMITED when it
 * was dropped (an event while resyncing) or overflowed (see above).
 */
int gr_fanout_queue_push(struct gr_queue *queue, struct gr_message *message, enum gr_queue_kind kind);
/* The oldest message, borrowed, or NULL. */
struct gr_message *gr_fanout_queue_peek(const struct gr_queue *queue);
/* The message index places after the oldest (0 <= index < count), borrowed. */
struct gr_message *gr_fanout_queue_at(const struct gr_queue *queue, int index);
/* Removes the oldest message and drops the queue's reference to it. */
void gr_fanout_queue_pop(struct gr_queue *queue);
/* The client has caught up: events are queued again. */
void gr_fanout_queue_resynced(struct gr_queue *queue);

/* ---- topics -------------------------------------------------------------- */

struct gr_fanout;

/*
 * One connection as a subscriber: its queue, and an opaque owner for the
 * network layer. Embedded in the connection; zero it and gr_fanout_queue_init its
 * queue before first use.
 */
struct gr_subscriber {
	struct gr_queue queue;
	void *owner;
	struct gr_subscription *subscriptions; /* private: this subscriber's topics */
};

/*
 * Called when a subscriber's queue goes from empty to non-empty, and once
 * when it becomes must_close (which may leave it empty): the writer checks
 * must_close before the queue. Must not subscribe or unsubscribe anyone.
 */
typedef void gr_fanout_notify_fn(struct gr_subscriber *subscriber, void *payload);

int gr_fanout_new(struct gr_fanout **out, gr_fanout_notify_fn *notify, void *payload);
/* Accepts NULL. Subscribers must have been removed first. */
void gr_fanout_free(struct gr_fanout *fanout);

/* Subscribing twice to one topic is allowed and counts once. */
int gr_fanout_subscribe(struct gr_fanout *fanout, struct gr_subscriber *subscriber,
			const char *topic);
/* GR_ENOTFOUND if not subscribed. */
int gr_fanout_unsubscribe(struct gr_fanout *fanout, struct gr_subscriber *subscriber,
			  const char *topic);
/* Every topic of subscriber (a connection closing). */
void gr_fanout_unsubscribe_all(struct gr_fanout *fanout, struct gr_subscriber *subscriber);
int gr_fanout_is_subscribed(const struct gr_fanout *fanout,
			    const struct gr_subscriber *subscriber, const char *topic);

/*
 * Queue message (an event) on every subscriber of topic; returns how many
 * queued it. The message is not consumed: the caller keeps its reference.
 */
int gr_fanout_publish(struct gr_fanout *fanout, const char *topic, struct gr_message *message);

/* Queue a message on one subscriber (a reply or a push to one connection). */
int gr_fanout_send(struct gr_fanout *fanout, struct gr_subscriber *subscriber,
		   struct gr_message *message, enum gr_queue_kind kind);

typedef int gr_fanout_each_fn(struct gr_subscriber *subscriber, void *payload);
/*
 * Calls fn for each subscriber of topic until it returns non-zero, and
 * returns that value (0 when fn never did). fn must not change subscriptions.
 */
int gr_fanout_each(struct gr_fanout *fanout, const char *topic, gr_fanout_each_fn *fn,
		   void *payload);
/* The number of subscribers of topic. */
int gr_fanout_count(const struct gr_fanout *fanout, const char *topic);

#endif
