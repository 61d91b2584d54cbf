/*
 * fanout.c - live delivery (see fanout.h; design in "Live updates" in
 * DESIGN.md).
 *
 * Owns three things: shared messages (one allocation each: header, headroom,
 * text, NUL), each connection's bounded queue of message references, and the
 * topic table mapping a topic name to its subscribers. It leaves sockets,
 * framing and what a message says to the network layer and the domain code:
 * the network layer fills the headroom, drains queues and closes connections
 * whose queue is must_close.
 *
 * Topics live in a chained hash table (FNV-1a, doubled when the load passes
 * 3/4). A subscription node sits on two lists at once: its topic's doubly
 * linked list of subscribers (walked by publish) and its subscriber's doubly
 * linked list of topics (walked by subscribe, unsubscribe and
 * unsubscribe_all). So publishing costs one pointer push per subscriber, and
 * no operation on one subscriber ever walks another subscriber. A topic is
 * freed when its last subscriber leaves.
 *
 * The queue's states:
 *
 *            push past a bound             push past a bound
 *   normal ----------------------> resyncing -----------------> must_close
 *      ^                               |
 *      +------ gr_fanout_queue_resynced ------+
 *
 *   normal -> resyncing      gr_fanout_queue_push (overflow): unreference every
 *                            event held, keep the replies, queue the resync
 *                            message (kept like a reply); an event pushed is
 *                            refused, a reply is queued if it now fits
 *   resyncing -> resyncing   gr_fanout_queue_push of an event: refused, dropped++;
 *                            of a reply: queued if it fits
 *   resyncing -> normal      gr_fanout_queue_resynced: clears resyncing and dropped,
 *                            keeps what is queued
 *   any -> must_close        a reply that does not fit even with no event
 *                            held: unreference all held, refuse the push;
 *                            final, every later push is refused and
 *                            gr_fanout_queue_resynced does nothing
 *
 * Replies are never dropped while the connection stays: a request gets its
 * one reply, or the connection is closed.
 *
 * A queue's ring starts at QUEUE_FIRST_SLOTS slots and doubles when full,
 * up to its capacity: at 10,000 connections a ring of capacity slots each
 * was 2.3 KiB a connection, most of it never used.
 *
 * Invariants (asserted by check_queue after each push and pop in debug
 * builds):
 *   - 0 <= count <= capacity and bytes <= max_bytes, bytes being the sum of
 *     the lengths of the messages held (a message held by several queues is
 *     counted in full by each, the conservative bound), so a queue never
 *     references more than capacity pointers and max_bytes of text;
 *   - the queue holds one reference of its own to the resync message from
 *     gr_fanout_queue_init to gr_fanout_queue_clear, so it can always queue it again;
 *   - resyncing implies the resync message was queued at the overflow that
 *     set it (it may have been popped since), unless that overflow made the
 *     queue must_close;
 *   - replies[i] says whether slot i holds a reply (or the resync message);
 *   - must_close implies resyncing, and a must_close queue holds nothing.
 *
 * `dropped` counts the events refused since the last resync: the event whose
 * push overflowed the queue, and every event pushed while resyncing.
 */
#include "core/fanout.h"

#include "core/error.h"
#include "core/metrics.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ------------------------------------------------------------ */

struct gr_message {
	int refcount;
	size_t headroom;
	size_t len;
	unsigned char data[]; /* headroom bytes, then len bytes of text, then NUL */
};

struct gr_message *gr_fanout_message_new(size_t headroom, const char *text, size_t len)
{
	struct gr_message *message;

	assert(text || len == 0);
	if (headroom > SIZE_MAX - sizeof(*message) - 1 ||
	    len > SIZE_MAX - sizeof(*message) - 1 - headroom) {
		gr_error_set("message too large");
		return NULL;
	}
	message = malloc(sizeof(*message) + headroom + len + 1);
	if (!message) {
		gr_error_set("out of memory");
		return NULL;
	}
	message->refcount = 1;
	message->headroom = headroom;
	message->len = len;
	if (len)
		memcpy(message->data + headroom, text, len);
	message->data[headroom + len] = '\0';
	return message;
}

struct gr_message *gr_fanout_message_ref(struct gr_message *message)
{
	assert(message && message->refcount > 0);
	message->refcount++;
	return message;
}

void gr_fanout_message_unref(struct gr_message *message)
{
	if (!message)
		return;
	assert(message->refcount > 0);
	if (--message->refcount == 0)
		free(message);
}

const char *gr_fanout_message_text(const struct gr_message *message)
{
	return (const char *)message->data + message->headroom;
}

size_t gr_fanout_message_len(const struct gr_message *message)
{
	return message->len;
}

unsigned char *gr_fanout_message_headroom(struct gr_message *message)
{
	return message->data;
}

/* ---- queues -------------------------------------------------------------- */

#define QUEUE_FIRST_SLOTS 8

static struct gr_message **slot(const struct gr_queue *queue, int index)
{
	return &queue->ring[(queue->head + index) % queue->slots];
}

static unsigned char *reply_flag(const struct gr_queue *queue, int index)
{
	return &queue->replies[(queue->head + index) % queue->slots];
}

/* Room for one more: the ring grows (in order, from slot 0) when full. 0 when out of memory. */
static int make_room(struct gr_queue *queue)
{
	int slots = queue->slots * 2 < queue->capacity ? queue->slots * 2 : queue->capacity;
	struct gr_message **ring;
	unsigned char *replies;

	if (queue->count < queue->slots)
		return 1;
	ring = malloc((size_t)slots * sizeof(*ring));
	replies = malloc((size_t)slots);
	if (!ring || !replies) {
		free(ring);
		free(replies);
		return 0;
	}
	for (int i = 0; i < queue->count; i++) {
		ring[i] = *slot(queue, i);
		replies[i] = *reply_flag(queue, i);
	}
	free(queue->ring);
	free(queue->replies);
	queue->ring = ring;
	queue->replies = replies;
	queue->head = 0;
	queue->slots = slots;
	return 1;
}

#ifndef NDEBUG
static void check_queue(const struct gr_queue *queue)
{
	size_t bytes = 0;
	int resync_held = 0;

	assert(queue->capacity > 0 && queue->ring && queue->resync);
	assert(queue->slots > 0 && queue->slots <= queue->capacity);
	assert(queue->head >= 0 && queue->head < queue->slots);
	assert(queue->count >= 0 && queue->count <= queue->slots);
	for (int i = 0; i < queue->count; i++) {
		const struct gr_message *message = *slot(queue, i);

		assert(message && message->refcount > 0);
		bytes += message->len;
		resync_held += message == queue->resync;
	}
	assert(bytes == queue->bytes);
	assert(queue->bytes <= queue->max_bytes);
	/* The queue's own reference plus one per slot holding it. */
	assert(queue->resync->refcount >= 1 + resync_held);
	assert(!queue->must_close || queue->resyncing);
	assert(!queue->must_close || queue->count == 0);
	assert(queue->resyncing || queue->dropped == 0);
}
#else
#define check_queue(queue) ((void)0)
#endif

int gr_fanout_queue_init(struct gr_queue *queue, int capacity, size_t max_bytes,
		  struct gr_message *resync)
{
	assert(resync);
	memset(queue, 0, sizeof(*queue));
	if (capacity < 1 || resync->len > max_bytes) {
		gr_error_set("queue: bounds too small for the resync message");
		return GR_EINVALID;
	}
	queue->slots = capacity < QUEUE_FIRST_SLOTS ? capacity : QUEUE_FIRST_SLOTS;
	queue->ring = calloc((size_t)queue->slots, sizeof(*queue->ring));
	queue->replies = calloc((size_t)queue->slots, 1);
	if (!queue->ring || !queue->replies) {
		free(queue->ring);
		free(queue->replies);
		queue->ring = NULL;
		queue->replies = NULL;
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	queue->capacity = capacity;
	queue->max_bytes = max_bytes;
	queue->resync = gr_fanout_message_ref(resync);
	check_queue(queue);
	return 0;
}

/* Unreference everything held; bounds, state and the resync message stay. */
static void drop_all(struct gr_queue *queue)
{
	for (int i = 0; i < queue->count; i++)
		gr_fanout_message_unref(*slot(queue, i));
	queue->head = 0;
	queue->count = 0;
	queue->bytes = 0;
}

void gr_fanout_queue_clear(struct gr_queue *queue)
{
	if (queue->ring)
		drop_all(queue);
	free(queue->ring);
	free(queue->replies);
	gr_fanout_message_unref(queue->resync);
	memset(queue, 0, sizeof(*queue));
}

static void append(struct gr_queue *queue, struct gr_message *message, int is_reply)
{
	*reply_flag(queue, queue->count) = (unsigned char)is_reply;
	*slot(queue, queue->count) = gr_fanout_message_ref(message);
	queue->count++;
	queue->bytes += message->len;
}

/* Within both bounds with message; the ring grows for it (out of memory: it does not fit). */
static int fits(struct gr_queue *queue, const struct gr_message *message)
{
	return queue->count < queue->capacity && message->len <= queue->max_bytes - queue->bytes &&
	       make_room(queue);
}

/* Unreference every event held; the replies stay, in their order. */
static void drop_events(struct gr_queue *queue)
{
	int kept = 0;

	for (int i = 0; i < queue->count; i++) {
		struct gr_message *message = *slot(queue, i);

		if (*reply_flag(queue, i)) {
			*slot(queue, kept) = message;
			*reply_flag(queue, kept++) = 1;
			continue;
		}
		queue->bytes -= message->len;
		gr_fanout_message_unref(message);
	}
	for (int i = kept; i < queue->count; i++)
		*slot(queue, i) = NULL;
	queue->count = kept;
}

/* Give up on the client: nothing more is queued; the connection is to close. */
static int give_up(struct gr_queue *queue)
{
	drop_all(queue);
	queue->resyncing = 1;
	queue->must_close = 1;
	check_queue(queue);
	return GR_ELIMITED;
}

int gr_fanout_queue_push(struct gr_queue *queue, struct gr_message *message, enum gr_queue_kind kind)
{
	assert(message && queue->ring);
	if (queue->must_close)
		return GR_ELIMITED;
	if (queue->resyncing && kind == GR_QUEUE_EVENT) {
		queue->dropped++;
		return GR_ELIMITED;
	}
	if (!fits(queue, message)) {
		drop_events(queue);
		if (!queue->resyncing) {
			queue->resyncing = 1;
			gr_metrics_count(GR_METRICS_QUEUE_RESYNCS);
			if (!fits(queue, queue->resync))
				return give_up(queue);
			append(queue, queue->resync, 1);
		}
		if (kind == GR_QUEUE_EVENT) {
			queue->dropped++;
			check_queue(queue);
			return GR_ELIMITED;
		}
		if (!fits(queue, message))
			return give_up(queue);
	}
	append(queue, message, kind == GR_QUEUE_REPLY);
	check_queue(queue);
	return 0;
}

struct gr_message *gr_fanout_queue_peek(const struct gr_queue *queue)
{
	return queue->count ? *slot(queue, 0) : NULL;
}

struct gr_message *gr_fanout_queue_at(const struct gr_queue *queue, int index)
{
	assert(index >= 0 && index < queue->count);
	return *slot(queue, index);
}

void gr_fanout_queue_pop(struct gr_queue *queue)
{
	struct gr_message *message;

	assert(queue->count > 0);
	if (queue->count == 0)
		return;
	message = *slot(queue, 0);
	*slot(queue, 0) = NULL;
	queue->head = (queue->head + 1) % queue->slots;
	queue->count--;
	queue->bytes -= message->len;
	gr_fanout_message_unref(message);
	check_queue(queue);
}

void gr_fanout_queue_resynced(struct gr_queue *queue)
{
	if (queue->must_close)
		return; /* final: the connection is closing */
	queue->resyncing = 0;
	queue->dropped = 0;
}

/* ---- topics -------------------------------------------------------------- */

struct topic;

/* One subscriber on one topic, linked into both of their lists. */
struct gr_subscription {
	struct topic *topic;
	struct gr_subscriber *subscriber;
	struct gr_subscription *topic_prev, *topic_next;   /* the topic's subscribers */
	struct gr_subscription *mine_prev, *mine_next;     /* the subscriber's topics */
};

struct topic {
	struct topic *next; /* in its bucket */
	uint32_t hash;
	int count;
	struct gr_subscription *first, *last;
	char name[];
};

struct gr_fanout {
	struct topic **buckets;
	size_t bucket_count; /* a power of two */
	size_t size;         /* topics */
	gr_fanout_notify_fn *notify;
	void *payload;
};

#define INITIAL_BUCKETS 64

static uint32_t hash(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

int gr_fanout_new(struct gr_fanout **out, gr_fanout_notify_fn *notify, void *payload)
{
	struct gr_fanout *fanout = NULL;

	*out = NULL;
	fanout = calloc(1, sizeof(*fanout));
	if (!fanout)
		goto oom;
	fanout->buckets = calloc(INITIAL_BUCKETS, sizeof(*fanout->buckets));
	if (!fanout->buckets)
		goto oom;
	fanout->bucket_count = INITIAL_BUCKETS;
	fanout->notify = notify;
	fanout->payload = payload;
	*out = fanout;
	return 0;
oom:
	free(fanout);
	gr_error_set("out of memory");
	return GR_ERROR;
}

void gr_fanout_free(struct gr_fanout *fanout)
{
	if (!fanout)
		return;
	assert(fanout->size == 0); /* every subscriber must have left */
	free(fanout->buckets);
	free(fanout);
}

static struct topic **find_topic(const struct gr_fanout *fanout, const char *name, uint32_t h)
{
	struct topic **link = &fanout->buckets[h & (fanout->bucket_count - 1)];

	while (*link && ((*link)->hash != h || strcmp((*link)->name, name) != 0))
		link = &(*link)->next;
	return link;
}

static struct topic *lookup(const struct gr_fanout *fanout, const char *name)
{
	return *find_topic(fanout, name, hash(name));
}

/* Double the buckets; on failure keep the old ones (only slower). */
static void grow(struct gr_fanout *fanout)
{
	size_t count = fanout->bucket_count * 2;
	struct topic **buckets = calloc(count, sizeof(*buckets));

	if (!buckets)
		return;
	for (size_t i = 0; i < fanout->bucket_count; i++) {
		while (fanout->buckets[i]) {
			struct topic *topic = fanout->buckets[i];

			fanout->buckets[i] = topic->next;
			topic->next = buckets[topic->hash & (count - 1)];
			buckets[topic->hash & (count - 1)] = topic;
		}
	}
	free(fanout->buckets);
	fanout->buckets = buckets;
	fanout->bucket_count = count;
}

/* The topic called name, created empty if missing; NULL when out of memory. */
static struct topic *topic_get(struct gr_fanout *fanout, const char *name)
{
	uint32_t h = hash(name);
	struct topic **link = find_topic(fanout, name, h);
	struct topic *topic;
	size_t len;

	if (*link)
		return *link;
	if ((fanout->size + 1) * 4 > fanout->bucket_count * 3) {
		grow(fanout);
		link = &fanout->buckets[h & (fanout->bucket_count - 1)];
	}
	len = strlen(name);
	topic = calloc(1, sizeof(*topic) + len + 1);
	if (!topic) {
		gr_error_set("out of memory");
		return NULL;
	}
	memcpy(topic->name, name, len + 1);
	topic->hash = h;
	topic->next = *link;
	*link = topic;
	fanout->size++;
	return topic;
}

static void topic_remove(struct gr_fanout *fanout, struct topic *topic)
{
	struct topic **link = &fanout->buckets[topic->hash & (fanout->bucket_count - 1)];

	assert(topic->count == 0 && !topic->first);
	while (*link != topic)
		link = &(*link)->next;
	*link = topic->next;
	fanout->size--;
	free(topic);
}

/* subscriber's subscription to topic, or NULL: walks only its own topics. */
static struct gr_subscription *find_subscription(const struct gr_subscriber *subscriber,
						 const struct topic *topic)
{
	struct gr_subscription *subscription = subscriber->subscriptions;

	while (subscription && subscription->topic != topic)
		subscription = subscription->mine_next;
	return subscription;
}

int gr_fanout_subscribe(struct gr_fanout *fanout, struct gr_subscriber *subscriber,
			const char *topic_name)
{
	struct topic *topic = topic_get(fanout, topic_name);
	struct gr_subscription *subscription;

	if (!topic)
		return GR_ERROR;
	if (find_subscription(subscriber, topic))
		return 0;
	subscription = calloc(1, sizeof(*subscription));
	if (!subscription) {
		if (topic->count == 0)
			topic_remove(fanout, topic);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	subscription->topic = topic;
	subscription->subscriber = subscriber;
	/* Append to the topic, so publish delivers in subscription order. */
	subscription->topic_prev = topic->last;
	if (topic->last)
		topic->last->topic_next = subscription;
	else
		topic->first = subscription;
	topic->last = subscription;
	topic->count++;
	/* Prepend to the subscriber. */
	subscription->mine_next = subscriber->subscriptions;
	if (subscriber->subscriptions)
		subscriber->subscriptions->mine_prev = subscription;
	subscriber->subscriptions = subscription;
	return 0;
}

/* Unlink subscription from both lists and free it, and its topic if empty. */
static void subscription_remove(struct gr_fanout *fanout, struct gr_subscription *subscription)
{
	struct topic *topic = subscription->topic;
	struct gr_subscriber *subscriber = subscription->subscriber;

	if (subscription->topic_prev)
		subscription->topic_prev->topic_next = subscription->topic_next;
	else
		topic->first = subscription->topic_next;
	if (subscription->topic_next)
		subscription->topic_next->topic_prev = subscription->topic_prev;
	else
		topic->last = subscription->topic_prev;
	topic->count--;
	if (subscription->mine_prev)
		subscription->mine_prev->mine_next = subscription->mine_next;
	else
		subscriber->subscriptions = subscription->mine_next;
	if (subscription->mine_next)
		subscription->mine_next->mine_prev = subscription->mine_prev;
	free(subscription);
	if (topic->count == 0)
		topic_remove(fanout, topic);
}

int gr_fanout_unsubscribe(struct gr_fanout *fanout, struct gr_subscriber *subscriber,
			  const char *topic_name)
{
	struct topic *topic = lookup(fanout, topic_name);
	struct gr_subscription *subscription = topic ? find_subscription(subscriber, topic) : NULL;

	if (!subscription) {
		gr_error_set("not subscribed to %s", topic_name);
		return GR_ENOTFOUND;
	}
	subscription_remove(fanout, subscription);
	return 0;
}

void gr_fanout_unsubscribe_all(struct gr_fanout *fanout, struct gr_subscriber *subscriber)
{
	while (subscriber->subscriptions)
		subscription_remove(fanout, subscriber->subscriptions);
}

int gr_fanout_is_subscribed(const struct gr_fanout *fanout,
			    const struct gr_subscriber *subscriber, const char *topic_name)
{
	struct topic *topic = lookup(fanout, topic_name);

	return topic && find_subscription(subscriber, topic) != NULL;
}

/*
 * Push, and tell the network layer when the subscriber needs its attention:
 * its queue went from empty to non-empty (including when an overflow left
 * only the resync message), or the queue just became must_close (which may
 * leave it empty, so the network layer would otherwise never look at it).
 */
static int deliver(struct gr_fanout *fanout, struct gr_subscriber *subscriber,
		   struct gr_message *message, enum gr_queue_kind kind)
{
	struct gr_queue *queue = &subscriber->queue;
	int was_empty = queue->count == 0;
	int was_closing = queue->must_close;
	int rc = gr_fanout_queue_push(queue, message, kind);

	if (fanout->notify &&
	    ((was_empty && queue->count > 0) || (!was_closing && queue->must_close)))
		fanout->notify(subscriber, fanout->payload);
	return rc;
}

/*
 * notify must not subscribe or unsubscribe anyone: it runs while the topic's
 * list is being walked.
 */
int gr_fanout_publish(struct gr_fanout *fanout, const char *topic_name, struct gr_message *message)
{
	struct topic *topic = lookup(fanout, topic_name);
	int queued = 0;

	if (!topic)
		return 0;
	for (struct gr_subscription *s = topic->first; s; s = s->topic_next)
		queued += deliver(fanout, s->subscriber, message, GR_QUEUE_EVENT) == 0;
	return queued;
}

int gr_fanout_send(struct gr_fanout *fanout, struct gr_subscriber *subscriber,
		   struct gr_message *message, enum gr_queue_kind kind)
{
	return deliver(fanout, subscriber, message, kind);
}

/*
 * fn must not subscribe or unsubscribe anyone (it runs while the topic's list
 * is being walked); it may send. Returns fn's non-zero result, or 0.
 */
int gr_fanout_each(struct gr_fanout *fanout, const char *topic_name, gr_fanout_each_fn *fn,
		   void *payload)
{
	struct topic *topic = lookup(fanout, topic_name);

	if (!topic)
		return 0;
	for (struct gr_subscription *s = topic->first; s; s = s->topic_next) {
		int rc = fn(s->subscriber, payload);

		if (rc)
			return rc;
	}
	return 0;
}

int gr_fanout_count(const struct gr_fanout *fanout, const char *topic_name)
{
	struct topic *topic = lookup(fanout, topic_name);

	return topic ? topic->count : 0;
}
