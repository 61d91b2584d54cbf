/* Tests for fanout.h: shared messages and their references, the bounded
 * queue (FIFO order, wrap-around, overflow by count and by bytes, resync,
 * must_close), and topics (subscribe, unsubscribe, publish with notify, table
 * growth, many subscribers). The suite runs under AddressSanitizer: a leaked
 * reference shows as a leak. */
#include "harness.h"

#include "core/error.h"
#include "core/fanout.h"

#include <time.h>

#define RESYNC_TEXT "{\"type\":\"resync\"}"

static struct gr_message *text_message(const char *text)
{
	return gr_fanout_message_new(16, text, strlen(text));
}

static void test_message(void)
{
	struct gr_message *message = gr_fanout_message_new(10, "hello world", 5);

	CHECK(message != NULL);
	if (!message)
		return;
	CHECK_INT(gr_fanout_message_len(message), ==, 5);
	CHECK(memcmp(gr_fanout_message_text(message), "hello", 5) == 0);
	CHECK_STR(gr_fanout_message_text(message), "hello"); /* NUL after the text */
	CHECK(gr_fanout_message_text(message) == (const char *)gr_fanout_message_headroom(message) + 10);
	/* The headroom is writable and does not touch the text. */
	memset(gr_fanout_message_headroom(message), 'x', 10);
	CHECK_STR(gr_fanout_message_text(message), "hello");

	CHECK(gr_fanout_message_ref(message) == message);
	gr_fanout_message_unref(message);
	CHECK_STR(gr_fanout_message_text(message), "hello"); /* still one reference */
	gr_fanout_message_unref(message);
	gr_fanout_message_unref(NULL);

	/* No headroom, empty text. */
	message = gr_fanout_message_new(0, NULL, 0);
	CHECK(message != NULL);
	if (message) {
		CHECK_INT(gr_fanout_message_len(message), ==, 0);
		CHECK_STR(gr_fanout_message_text(message), "");
		CHECK(gr_fanout_message_text(message) == (const char *)gr_fanout_message_headroom(message));
		gr_fanout_message_unref(message);
	}
}

static void test_queue_init(void)
{
	struct gr_message *resync = text_message(RESYNC_TEXT);
	struct gr_queue queue;
	struct gr_queue zeroed = { 0 };

	CHECK_INT(gr_fanout_queue_init(&queue, 0, 1000, resync), ==, GR_EINVALID);
	/* The resync message must fit in the byte bound. */
	CHECK_INT(gr_fanout_queue_init(&queue, 4, strlen(RESYNC_TEXT) - 1, resync), ==, GR_EINVALID);
	CHECK_INT(gr_fanout_queue_init(&queue, 1, strlen(RESYNC_TEXT), resync), ==, 0);
	CHECK(gr_fanout_queue_peek(&queue) == NULL);
	CHECK_INT(queue.count, ==, 0);
	CHECK_INT(queue.bytes, ==, 0);
	gr_fanout_queue_clear(&queue);
	gr_fanout_queue_clear(&zeroed);
	gr_fanout_queue_clear(&queue); /* cleared twice is a zeroed queue */
	gr_fanout_message_unref(resync);
}

static void test_queue_fifo(void)
{
	struct gr_message *resync = text_message(RESYNC_TEXT);
	struct gr_message *messages[10];
	struct gr_queue queue;
	char text[16];

	for (int i = 0; i < 10; i++) {
		snprintf(text, sizeof text, "m%d", i);
		messages[i] = text_message(text);
	}
	CHECK_INT(gr_fanout_queue_init(&queue, 4, 1000, resync), ==, 0);
	/* Push and pop past the end of the ring several times. */
	int next_in = 0, next_out = 0;
	for (int round = 0; round < 6; round++) {
		while (queue.count < 3 && next_in < 10)
			CHECK_INT(gr_fanout_queue_push(&queue, messages[next_in++], GR_QUEUE_EVENT), ==, 0);
		for (int i = 0; i < queue.count; i++) /* in order across the wrap */
			CHECK(gr_fanout_queue_at(&queue, i) == messages[next_out + i]);
		for (int i = 0; i < 2 && queue.count > 0; i++) {
			CHECK(gr_fanout_queue_peek(&queue) == messages[next_out]);
			gr_fanout_queue_pop(&queue);
			next_out++;
		}
	}
	while (gr_fanout_queue_peek(&queue)) {
		CHECK(gr_fanout_queue_peek(&queue) == messages[next_out]);
		gr_fanout_queue_pop(&queue);
		next_out++;
	}
	CHECK_INT(next_in, ==, 10);
	CHECK_INT(next_out, ==, 10);
	CHECK_INT(queue.bytes, ==, 0);
	CHECK_INT(queue.resyncing, ==, 0);

	/* Full to capacity exactly is fine; bytes add up. */
	for (int i = 0; i < 4; i++)
		CHECK_INT(gr_fanout_queue_push(&queue, messages[i], GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(queue.count, ==, 4);
	CHECK_INT(queue.bytes, ==, 8);
	CHECK_INT(queue.resyncing, ==, 0);
	/* Clearing drops the queue's references: the messages are ours alone. */
	gr_fanout_queue_clear(&queue);
	for (int i = 0; i < 10; i++)
		gr_fanout_message_unref(messages[i]);
	gr_fanout_message_unref(resync);
}

/* The ring grows as a queue fills, across a wrap, in order, and never past capacity. */
static void test_queue_grows(void)
{
	struct gr_message *resync = text_message(RESYNC_TEXT);
	struct gr_message *messages[100];
	struct gr_queue queue;
	char text[16];
	int next_out = 0;

	for (int i = 0; i < 100; i++) {
		snprintf(text, sizeof text, "m%d", i);
		messages[i] = text_message(text);
	}
	CHECK_INT(gr_fanout_queue_init(&queue, 64, 100000, resync), ==, 0);
	CHECK_INT(queue.slots, <, 64); /* small until it is used */
	/* Wrap the small ring first, then fill it past its size while wrapped. */
	for (int i = 0; i < 5; i++)
		CHECK_INT(gr_fanout_queue_push(&queue, messages[i], GR_QUEUE_EVENT), ==, 0);
	for (; next_out < 4; next_out++)
		gr_fanout_queue_pop(&queue);
	for (int i = 5; i < 64 + 4; i++)
		CHECK_INT(gr_fanout_queue_push(&queue, messages[i], GR_QUEUE_EVENT), ==, 0);
	CHECK_INT(queue.count, ==, 64);
	CHECK_INT(queue.slots, ==, 64);
	for (int i = 0; i < queue.count; i++)
		CHECK(gr_fanout_queue_at(&queue, i) == messages[next_out + i]);
	/* At capacity: the next event overflows as ever. */
	CHECK_INT(gr_fanout_queue_push(&queue, messages[99], GR_QUEUE_EVENT), ==, GR_ELIMITED);
	CHECK_INT(queue.resyncing, ==, 1);
	CHECK_INT(queue.slots, ==, 64);
	gr_fanout_queue_clear(&queue);
	for (int i = 0; i < 100; i++)
		gr_fanout_message_unref(messages[i]);
	gr_fanout_message_unref(resync);
}

static void test_overflow_by_count(void)
{
	struct gr_message *resync = text_message(RESYNC_TEXT);
	struct gr_message *event = text_message("event");
	struct gr_message *reply = text_message("reply");
	struct gr_queue queue;

	CHECK_INT(gr_fanout_queue_init(&queue, 3, 1000, resync), ==, 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, 0);
	/* The fourth overflows: everything goes, only the resync stays. */
	CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, GR_ELIMITED);
	CHECK_INT(queue.count, ==, 1);
	CHECK(gr_fanout_queue_peek(&queue) == resync);
	CHECK_INT(queue.bytes, ==, strlen(RESYNC_TEXT));
	CHECK_INT(queue.resyncing, ==, 1);
	CHECK_INT(queue.must_close, ==, 0);
	CHECK_INT(queue.dropped, ==, 1);

	/* Events are dropped and counted; replies still queue. */
	CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, GR_ELIMITED);
	CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, GR_ELIMITED);
	CHECK_INT(queue.dropped, ==, 3);
	CHECK_INT(queue.count, ==, 1);
	CHECK_INT(gr_fanout_queue_push(&queue, reply, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(queue.count, ==, 2);
	CHECK_INT(queue.bytes, ==, strlen(RESYNC_TEXT) + 5);

	/* The client reads the resync message and the reply. */
	CHECK(gr_fanout_queue_peek(&queue) == resync);
	gr_fanout_queue_pop(&queue);
	CHECK(gr_fanout_queue_peek(&queue) == reply);
	gr_fanout_queue_pop(&queue);
	CHECK(gr_fanout_queue_peek(&queue) == NULL);
	CHECK_INT(queue.resyncing, ==, 1); /* still, until it says hello */

	/* It resyncs: events queue again, the count restarts. */
	gr_fanout_queue_resynced(&queue);
	CHECK_INT(queue.resyncing, ==, 0);
	CHECK_INT(queue.dropped, ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, 0);
	CHECK_INT(queue.count, ==, 1);

	/* A second overflow after resyncing is a fresh first one: the events
	 * go, the resync message comes first, and the reply is kept. */
	CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, reply, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(queue.resyncing, ==, 1);
	CHECK_INT(queue.must_close, ==, 0);
	CHECK_INT(queue.dropped, ==, 0); /* a reply is not an event */
	CHECK_INT(queue.count, ==, 2);
	CHECK(gr_fanout_queue_peek(&queue) == resync);

	/* Replies that cannot fit even with no event held: must close, nothing held. */
	CHECK_INT(gr_fanout_queue_push(&queue, reply, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, reply, GR_QUEUE_REPLY), ==, GR_ELIMITED);
	CHECK_INT(queue.must_close, ==, 1);
	CHECK_INT(queue.resyncing, ==, 1);
	CHECK_INT(queue.count, ==, 0);
	CHECK_INT(queue.bytes, ==, 0);
	CHECK(gr_fanout_queue_peek(&queue) == NULL);
	/* Final: nothing queues any more, and resynced does not undo it. */
	CHECK_INT(gr_fanout_queue_push(&queue, reply, GR_QUEUE_REPLY), ==, GR_ELIMITED);
	CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, GR_ELIMITED);
	CHECK_INT(queue.count, ==, 0);
	gr_fanout_queue_resynced(&queue);
	CHECK_INT(queue.must_close, ==, 1);
	CHECK_INT(queue.resyncing, ==, 1);

	gr_fanout_queue_clear(&queue);
	gr_fanout_message_unref(event);
	gr_fanout_message_unref(reply);
	gr_fanout_message_unref(resync);
}

static void test_overflow_by_bytes(void)
{
	struct gr_message *resync = text_message(RESYNC_TEXT);
	struct gr_message *ten = text_message("0123456789");
	struct gr_message *big = text_message("0123456789012345678901234567890123456789");
	size_t max = 30;
	struct gr_queue queue;

	CHECK_INT(gr_fanout_queue_init(&queue, 100, max, resync), ==, 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(gr_fanout_queue_push(&queue, ten, GR_QUEUE_EVENT), ==, 0);
	CHECK_INT(queue.bytes, ==, 30); /* exactly at the bound is fine */
	CHECK_INT(gr_fanout_queue_push(&queue, ten, GR_QUEUE_EVENT), ==, GR_ELIMITED);
	CHECK_INT(queue.count, ==, 1);
	CHECK(gr_fanout_queue_peek(&queue) == resync);
	CHECK_INT(queue.bytes, ==, strlen(RESYNC_TEXT));
	CHECK_INT(queue.resyncing, ==, 1);

	/* The resync message's bytes count: one reply of 10 fits, not two. */
	CHECK_INT(gr_fanout_queue_push(&queue, ten, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(queue.bytes, ==, strlen(RESYNC_TEXT) + 10);
	CHECK_INT(queue.must_close, ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, ten, GR_QUEUE_REPLY), ==, GR_ELIMITED);
	CHECK_INT(queue.must_close, ==, 1);
	CHECK_INT(queue.count, ==, 0);
	gr_fanout_queue_clear(&queue);

	/* One reply over the bound can never be delivered: the connection must close. */
	CHECK_INT(gr_fanout_queue_init(&queue, 100, max, resync), ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, big, GR_QUEUE_REPLY), ==, GR_ELIMITED);
	CHECK_INT(queue.must_close, ==, 1);
	CHECK_INT(queue.count, ==, 0);
	gr_fanout_queue_clear(&queue);

	/* One event over the bound: dropped, and the client told to resync. */
	CHECK_INT(gr_fanout_queue_init(&queue, 100, max, resync), ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, ten, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(gr_fanout_queue_push(&queue, big, GR_QUEUE_EVENT), ==, GR_ELIMITED);
	CHECK_INT(queue.resyncing, ==, 1);
	CHECK_INT(queue.dropped, ==, 1);
	CHECK(gr_fanout_queue_peek(&queue) == ten); /* the reply stays first */
	gr_fanout_queue_pop(&queue);
	CHECK(gr_fanout_queue_peek(&queue) == resync);
	gr_fanout_queue_clear(&queue);

	gr_fanout_message_unref(ten);
	gr_fanout_message_unref(big);
	gr_fanout_message_unref(resync);
}

/* The resync message may be popped and queued again on the next overflow. */
static void test_resync_requeued(void)
{
	struct gr_message *resync = text_message(RESYNC_TEXT);
	struct gr_message *event = text_message("e");
	struct gr_queue queue;

	CHECK_INT(gr_fanout_queue_init(&queue, 2, 1000, resync), ==, 0);
	for (int round = 0; round < 5; round++) {
		CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, 0);
		CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, 0);
		CHECK_INT(gr_fanout_queue_push(&queue, event, GR_QUEUE_EVENT), ==, GR_ELIMITED);
		CHECK(gr_fanout_queue_peek(&queue) == resync);
		gr_fanout_queue_pop(&queue);
		CHECK(gr_fanout_queue_peek(&queue) == NULL);
		gr_fanout_queue_resynced(&queue);
	}
	gr_fanout_queue_clear(&queue);
	/* The queue let go of its own reference too: ours is the last. */
	gr_fanout_message_unref(event);
	gr_fanout_message_unref(resync);
}

/* ---- topics -------------------------------------------------------------- */

#define MAX_SUBSCRIBERS 10000

struct notes {
	int calls;
	struct gr_subscriber *last;
	int per[MAX_SUBSCRIBERS];
	struct gr_subscriber *base;
};

static void note(struct gr_subscriber *subscriber, void *payload)
{
	struct notes *notes = payload;

	notes->calls++;
	notes->last = subscriber;
	if (notes->base) {
		ptrdiff_t index = subscriber - notes->base;

		if (index >= 0 && index < MAX_SUBSCRIBERS)
			notes->per[index]++;
	}
}

static struct gr_message *the_resync;

static void subscriber_init(struct gr_subscriber *subscriber, int capacity, size_t max_bytes)
{
	memset(subscriber, 0, sizeof(*subscriber));
	if (gr_fanout_queue_init(&subscriber->queue, capacity, max_bytes, the_resync) != 0) {
		fprintf(stderr, "gr_fanout_queue_init: %s\n", gr_error_last());
		exit(2);
	}
}

static void subscriber_done(struct gr_fanout *fanout, struct gr_subscriber *subscriber)
{
	gr_fanout_unsubscribe_all(fanout, subscriber);
	gr_fanout_queue_clear(&subscriber->queue);
}

static void test_subscribe(void)
{
	static struct notes notes;
	struct gr_fanout *fanout = NULL;
	struct gr_subscriber a, b;

	CHECK_INT(gr_fanout_new(&fanout, note, &notes), ==, 0);
	if (!fanout)
		return;
	subscriber_init(&a, 8, 1000);
	subscriber_init(&b, 8, 1000);

	CHECK_INT(gr_fanout_count(fanout, "room"), ==, 0);
	CHECK_INT(gr_fanout_subscribe(fanout, &a, "room"), ==, 0);
	CHECK_INT(gr_fanout_subscribe(fanout, &a, "room"), ==, 0); /* counts once */
	CHECK_INT(gr_fanout_count(fanout, "room"), ==, 1);
	CHECK_INT(gr_fanout_subscribe(fanout, &b, "room"), ==, 0);
	CHECK_INT(gr_fanout_subscribe(fanout, &b, "board"), ==, 0);
	CHECK_INT(gr_fanout_count(fanout, "room"), ==, 2);
	CHECK_INT(gr_fanout_count(fanout, "board"), ==, 1);
	CHECK_INT(gr_fanout_count(fanout, "roo"), ==, 0);
	CHECK(gr_fanout_is_subscribed(fanout, &a, "room"));
	CHECK(!gr_fanout_is_subscribed(fanout, &a, "board"));
	CHECK(gr_fanout_is_subscribed(fanout, &b, "board"));
	CHECK(!gr_fanout_is_subscribed(fanout, &b, "nowhere"));

	/* Unsubscribing what is not there. */
	CHECK_INT(gr_fanout_unsubscribe(fanout, &a, "board"), ==, GR_ENOTFOUND);
	CHECK_INT(gr_fanout_unsubscribe(fanout, &a, "nowhere"), ==, GR_ENOTFOUND);
	CHECK_INT(gr_fanout_count(fanout, "board"), ==, 1);

	/* Unsubscribing once is enough even after subscribing twice. */
	CHECK_INT(gr_fanout_unsubscribe(fanout, &a, "room"), ==, 0);
	CHECK(!gr_fanout_is_subscribed(fanout, &a, "room"));
	CHECK_INT(gr_fanout_unsubscribe(fanout, &a, "room"), ==, GR_ENOTFOUND);
	CHECK_INT(gr_fanout_count(fanout, "room"), ==, 1);
	CHECK(a.subscriptions == NULL);

	/* unsubscribe_all removes b everywhere; the empty topics go. */
	gr_fanout_unsubscribe_all(fanout, &b);
	CHECK(b.subscriptions == NULL);
	CHECK_INT(gr_fanout_count(fanout, "room"), ==, 0);
	CHECK_INT(gr_fanout_count(fanout, "board"), ==, 0);
	CHECK(!gr_fanout_is_subscribed(fanout, &b, "room"));
	CHECK_INT(gr_fanout_unsubscribe(fanout, &b, "room"), ==, GR_ENOTFOUND);
	gr_fanout_unsubscribe_all(fanout, &b); /* nothing left: fine */

	/* A topic can come back after it was freed. */
	CHECK_INT(gr_fanout_subscribe(fanout, &a, "room"), ==, 0);
	CHECK_INT(gr_fanout_count(fanout, "room"), ==, 1);

	subscriber_done(fanout, &a);
	subscriber_done(fanout, &b);
	gr_fanout_free(fanout); /* asserts that no topics remain */
	gr_fanout_free(NULL);
}

static void test_publish(void)
{
	static struct notes notes;
	struct gr_fanout *fanout = NULL;
	struct gr_subscriber subscribers[3];
	struct gr_message *message = text_message("{\"progress\":1}");
	struct gr_message *reply = text_message("{\"ok\":1}");

	memset(&notes, 0, sizeof(notes));
	notes.base = subscribers;
	CHECK_INT(gr_fanout_new(&fanout, note, &notes), ==, 0);
	if (!fanout)
		return;
	for (int i = 0; i < 3; i++)
		subscriber_init(&subscribers[i], 3, 1000);

	/* Nobody on the topic: nothing queued, nobody told. */
	CHECK_INT(gr_fanout_publish(fanout, "room", message), ==, 0);
	CHECK_INT(notes.calls, ==, 0);

	for (int i = 0; i < 3; i++)
		CHECK_INT(gr_fanout_subscribe(fanout, &subscribers[i], "room"), ==, 0);
	CHECK_INT(gr_fanout_subscribe(fanout, &subscribers[0], "mine"), ==, 0);

	/* Each queue goes from empty to non-empty: one notify each. */
	CHECK_INT(gr_fanout_publish(fanout, "room", message), ==, 3);
	CHECK_INT(notes.calls, ==, 3);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(notes.per[i], ==, 1);
		CHECK(gr_fanout_queue_peek(&subscribers[i].queue) == message);
	}
	/* Already non-empty: queued, but nobody is told again. */
	CHECK_INT(gr_fanout_publish(fanout, "room", message), ==, 3);
	CHECK_INT(notes.calls, ==, 3);
	CHECK_INT(subscribers[1].queue.count, ==, 2);

	/* Subscriber 1 drains; the next publish tells only it. */
	gr_fanout_queue_pop(&subscribers[1].queue);
	gr_fanout_queue_pop(&subscribers[1].queue);
	CHECK_INT(gr_fanout_publish(fanout, "room", message), ==, 3);
	CHECK_INT(notes.calls, ==, 4);
	CHECK_INT(notes.per[1], ==, 2);

	/* Subscriber 0 and 2 are full (3): the next publish overflows them.
	 * They were not empty, so no notify; 1 has room. */
	CHECK_INT(gr_fanout_publish(fanout, "room", message), ==, 1);
	CHECK_INT(notes.calls, ==, 4);
	CHECK_INT(subscribers[0].queue.resyncing, ==, 1);
	CHECK(gr_fanout_queue_peek(&subscribers[0].queue) == the_resync);
	CHECK_INT(subscribers[2].queue.resyncing, ==, 1);
	CHECK_INT(subscribers[1].queue.resyncing, ==, 0);

	/* Resyncing: events to 0 are dropped, a reply is sent. */
	CHECK_INT(gr_fanout_publish(fanout, "mine", message), ==, 0);
	CHECK_INT(subscribers[0].queue.dropped, ==, 2);
	CHECK_INT(gr_fanout_send(fanout, &subscribers[0], reply, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(gr_fanout_send(fanout, &subscribers[0], message, GR_QUEUE_EVENT), ==,
		  GR_ELIMITED);
	CHECK_INT(subscribers[0].queue.count, ==, 2);
	CHECK_INT(notes.calls, ==, 4);

	/* send to an empty queue notifies once. */
	gr_fanout_queue_clear(&subscribers[2].queue);
	CHECK_INT(gr_fanout_queue_init(&subscribers[2].queue, 3, 1000, the_resync), ==, 0);
	CHECK_INT(gr_fanout_send(fanout, &subscribers[2], reply, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(notes.calls, ==, 5);
	CHECK(notes.last == &subscribers[2]);
	CHECK_INT(gr_fanout_send(fanout, &subscribers[2], reply, GR_QUEUE_REPLY), ==, 0);
	CHECK_INT(notes.calls, ==, 5);

	/* Clearing every queue leaves only our reference: unref frees (ASan). */
	for (int i = 0; i < 3; i++)
		subscriber_done(fanout, &subscribers[i]);
	CHECK_INT(gr_fanout_count(fanout, "room"), ==, 0);
	CHECK_INT(gr_fanout_count(fanout, "mine"), ==, 0);
	gr_fanout_message_unref(message);
	gr_fanout_message_unref(reply);
	gr_fanout_free(fanout);
}

/* An overflow that leaves the resync message in an empty queue notifies,
 * and so does a queue becoming must_close. */
static void test_notify_on_overflow(void)
{
	static struct notes notes;
	struct gr_fanout *fanout = NULL;
	struct gr_subscriber subscriber;
	struct gr_message *big = text_message("0123456789012345678901234567890123456789");

	memset(&notes, 0, sizeof(notes));
	CHECK_INT(gr_fanout_new(&fanout, note, &notes), ==, 0);
	if (!fanout)
		return;
	subscriber_init(&subscriber, 4, 30);
	CHECK_INT(gr_fanout_subscribe(fanout, &subscriber, "room"), ==, 0);

	/* Empty, and the message alone is over the bound. */
	CHECK_INT(gr_fanout_publish(fanout, "room", big), ==, 0);
	CHECK_INT(notes.calls, ==, 1);
	CHECK(gr_fanout_queue_peek(&subscriber.queue) == the_resync);
	gr_fanout_queue_pop(&subscriber.queue);

	/* Resyncing and empty: an oversized reply makes it must_close. The
	 * queue stays empty, but the network layer must hear of it. */
	CHECK_INT(gr_fanout_send(fanout, &subscriber, big, GR_QUEUE_REPLY), ==, GR_ELIMITED);
	CHECK_INT(subscriber.queue.must_close, ==, 1);
	CHECK_INT(notes.calls, ==, 2);
	CHECK_INT(gr_fanout_send(fanout, &subscriber, big, GR_QUEUE_REPLY), ==, GR_ELIMITED);
	CHECK_INT(notes.calls, ==, 2); /* once */

	subscriber_done(fanout, &subscriber);
	gr_fanout_message_unref(big);
	gr_fanout_free(fanout);
}

struct each_state {
	int seen;
	int stop_after;
};

static int each_count(struct gr_subscriber *subscriber, void *payload)
{
	struct each_state *state = payload;

	(void)subscriber;
	state->seen++;
	return state->seen == state->stop_after ? 7 : 0;
}

static void test_each(void)
{
	struct gr_fanout *fanout = NULL;
	struct gr_subscriber subscribers[5];
	struct each_state state = { 0, 0 };

	CHECK_INT(gr_fanout_new(&fanout, NULL, NULL), ==, 0);
	if (!fanout)
		return;
	for (int i = 0; i < 5; i++) {
		subscriber_init(&subscribers[i], 2, 100);
		CHECK_INT(gr_fanout_subscribe(fanout, &subscribers[i], "board"), ==, 0);
	}
	CHECK_INT(gr_fanout_each(fanout, "board", each_count, &state), ==, 0);
	CHECK_INT(state.seen, ==, 5);
	state = (struct each_state){ 0, 3 };
	CHECK_INT(gr_fanout_each(fanout, "board", each_count, &state), ==, 7);
	CHECK_INT(state.seen, ==, 3);
	state = (struct each_state){ 0, 0 };
	CHECK_INT(gr_fanout_each(fanout, "nowhere", each_count, &state), ==, 0);
	CHECK_INT(state.seen, ==, 0);
	for (int i = 0; i < 5; i++)
		subscriber_done(fanout, &subscribers[i]);
	gr_fanout_free(fanout);
}

static void test_many_topics(void)
{
	struct gr_fanout *fanout = NULL;
	struct gr_subscriber a, b;
	char topic[32];
	int missing = 0, wrong = 0;

	CHECK_INT(gr_fanout_new(&fanout, NULL, NULL), ==, 0);
	if (!fanout)
		return;
	subscriber_init(&a, 8, 1000);
	subscriber_init(&b, 8, 1000);
	for (int i = 0; i < 10000; i++) {
		snprintf(topic, sizeof topic, "step/%d", i);
		if (gr_fanout_subscribe(fanout, &a, topic) != 0)
			missing++;
		if (i % 2 == 0 && gr_fanout_subscribe(fanout, &b, topic) != 0)
			missing++;
	}
	CHECK_INT(missing, ==, 0);
	for (int i = 0; i < 10000; i++) {
		snprintf(topic, sizeof topic, "step/%d", i);
		if (gr_fanout_count(fanout, topic) != (i % 2 == 0 ? 2 : 1))
			wrong++;
	}
	CHECK_INT(wrong, ==, 0);
	CHECK_INT(gr_fanout_count(fanout, "step/10000"), ==, 0);
	CHECK(gr_fanout_is_subscribed(fanout, &b, "step/9998"));
	CHECK(!gr_fanout_is_subscribed(fanout, &b, "step/9999"));

	/* a leaves: the odd topics go, the even ones keep b. */
	gr_fanout_unsubscribe_all(fanout, &a);
	wrong = 0;
	for (int i = 0; i < 10000; i++) {
		snprintf(topic, sizeof topic, "step/%d", i);
		if (gr_fanout_count(fanout, topic) != (i % 2 == 0 ? 1 : 0))
			wrong++;
	}
	CHECK_INT(wrong, ==, 0);
	subscriber_done(fanout, &a);
	subscriber_done(fanout, &b);
	CHECK_INT(gr_fanout_count(fanout, "step/0"), ==, 0);
	gr_fanout_free(fanout);
}

static void test_subscriber_on_many_topics(void)
{
	struct gr_fanout *fanout = NULL;
	struct gr_subscriber a, b;
	struct gr_message *message = text_message("x");
	char topic[32];
	int queued = 0;

	CHECK_INT(gr_fanout_new(&fanout, NULL, NULL), ==, 0);
	if (!fanout)
		return;
	subscriber_init(&a, 200, 1000);
	subscriber_init(&b, 200, 1000);
	for (int i = 0; i < 100; i++) {
		snprintf(topic, sizeof topic, "topic-%d", i);
		CHECK_INT(gr_fanout_subscribe(fanout, &a, topic), ==, 0);
		CHECK_INT(gr_fanout_subscribe(fanout, &b, topic), ==, 0);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(topic, sizeof topic, "topic-%d", i);
		queued += gr_fanout_publish(fanout, topic, message);
	}
	CHECK_INT(queued, ==, 200);
	CHECK_INT(a.queue.count, ==, 100);
	/* Unsubscribe a from every other topic, from the middle of its list. */
	for (int i = 0; i < 100; i += 2) {
		snprintf(topic, sizeof topic, "topic-%d", i);
		CHECK_INT(gr_fanout_unsubscribe(fanout, &a, topic), ==, 0);
	}
	CHECK(!gr_fanout_is_subscribed(fanout, &a, "topic-50"));
	CHECK(gr_fanout_is_subscribed(fanout, &a, "topic-51"));
	CHECK_INT(gr_fanout_count(fanout, "topic-50"), ==, 1);
	CHECK_INT(gr_fanout_count(fanout, "topic-51"), ==, 2);
	gr_fanout_unsubscribe_all(fanout, &a);
	CHECK_INT(gr_fanout_count(fanout, "topic-51"), ==, 1);
	gr_fanout_unsubscribe_all(fanout, &b);
	CHECK_INT(gr_fanout_count(fanout, "topic-51"), ==, 0);
	subscriber_done(fanout, &a);
	subscriber_done(fanout, &b);
	gr_fanout_message_unref(message);
	gr_fanout_free(fanout);
}

static void test_many_subscribers(void)
{
	static struct notes notes;
	static struct gr_subscriber subscribers[MAX_SUBSCRIBERS];
	struct gr_fanout *fanout = NULL;
	struct gr_message *message = text_message("{\"board\":\"update\"}");
	struct timespec start, end;
	int failed = 0, notified = 0;

	memset(&notes, 0, sizeof(notes));
	notes.base = subscribers;
	CHECK_INT(gr_fanout_new(&fanout, note, &notes), ==, 0);
	if (!fanout)
		return;
	for (int i = 0; i < MAX_SUBSCRIBERS; i++) {
		subscriber_init(&subscribers[i], 16, 4096);
		if (gr_fanout_subscribe(fanout, &subscribers[i], "cohort/1") != 0)
			failed++;
	}
	CHECK_INT(failed, ==, 0);
	CHECK_INT(gr_fanout_count(fanout, "cohort/1"), ==, MAX_SUBSCRIBERS);

	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_INT(gr_fanout_publish(fanout, "cohort/1", message), ==, MAX_SUBSCRIBERS);
	clock_gettime(CLOCK_MONOTONIC, &end);
	fprintf(stderr, "publish to %d subscribers: %.3f ms\n", MAX_SUBSCRIBERS,
		(double)(end.tv_sec - start.tv_sec) * 1e3 +
			(double)(end.tv_nsec - start.tv_nsec) / 1e6);
	CHECK_INT(notes.calls, ==, MAX_SUBSCRIBERS);
	for (int i = 0; i < MAX_SUBSCRIBERS; i++)
		notified += notes.per[i] == 1 && gr_fanout_queue_peek(&subscribers[i].queue) == message;
	CHECK_INT(notified, ==, MAX_SUBSCRIBERS);

	/* Everyone leaves, in an order unlike the subscription order. */
	for (int i = 0; i < MAX_SUBSCRIBERS; i += 2)
		subscriber_done(fanout, &subscribers[i]);
	CHECK_INT(gr_fanout_count(fanout, "cohort/1"), ==, MAX_SUBSCRIBERS / 2);
	for (int i = MAX_SUBSCRIBERS - 1; i >= 0; i -= 2)
		subscriber_done(fanout, &subscribers[i]);
	CHECK_INT(gr_fanout_count(fanout, "cohort/1"), ==, 0);
	gr_fanout_message_unref(message); /* the last reference: freed */
	gr_fanout_free(fanout);
}

int main(void)
{
	the_resync = text_message(RESYNC_TEXT);
	if (!the_resync)
		return 2;
	RUN(test_message);
	RUN(test_queue_init);
	RUN(test_queue_fifo);
	RUN(test_queue_grows);
	RUN(test_overflow_by_count);
	RUN(test_overflow_by_bytes);
	RUN(test_resync_requeued);
	RUN(test_subscribe);
	RUN(test_publish);
	RUN(test_notify_on_overflow);
	RUN(test_each);
	RUN(test_many_topics);
	RUN(test_subscriber_on_many_topics);
	RUN(test_many_subscribers);
	gr_fanout_message_unref(the_resync);
	return harness_done();
}
