/*
 * turn_test.c - one turn of the event loop (daemon/services/turn.c) on a
 * real store in a temporary directory, with subscribers on a real fanout:
 * a failed change rolls back, drops its replies and pushes, and calls its
 * undo; a committed turn delivers what it recorded in order, and only after
 * the commit; nested changes share the turn's one transaction, and an inner
 * one rolls back alone; without a loop each change commits as it ends; a
 * reply outside a transaction goes at once; a closed connection's replies
 * are dropped.
 */
#include "core/error.h"
#include "core/fanout.h"
#include "core/log.h"
#include "services/turn.h"
#include "store/store.h"

#include "harness.h"

struct fixture {
	char *dir;
	char db[512];
	struct gr_store *store;
	struct gr_turn *turn;
	struct gr_fanout *fanout;
	struct gr_message *resync;
	struct gr_subscriber a, b; /* a: replies; b: follows "topic" */
	int flush_requests;
	int undos;
	char published[256]; /* topics the turn reported, space-separated */
};

static void ignore_notify(struct gr_subscriber *subscriber, void *payload)
{
	(void)subscriber;
	(void)payload;
}

static void request_flush(void *payload)
{
	struct fixture *f = payload;

	f->flush_requests++;
}

static void published(void *payload, const char *topic)
{
	struct fixture *f = payload;
	size_t used = strlen(f->published);

	snprintf(f->published + used, sizeof(f->published) - used, "%s ", topic);
}

static void count_undo(void *payload)
{
	struct fixture *f = payload;

	f->undos++;
}

/* loop: whether the turn has a loop (a request_flush hook). */
static void fixture_open(struct fixture *f, int loop)
{
	struct gr_turn_hooks hooks = { NULL, loop ? request_flush : NULL, published, f };

	memset(f, 0, sizeof(*f));
	f->dir = harness_temp_dir();
	snprintf(f->db, sizeof f->db, "%s/grounds.db", f->dir);
	CHECK_INT(gr_store_open(&f->store, f->db), ==, 0);
	CHECK_INT(gr_turn_new(&f->turn, f->store), ==, 0);
	CHECK_INT(gr_fanout_new(&f->fanout, ignore_notify, NULL), ==, 0);
	f->resync = gr_fanout_message_new(0, "resync", 6);
	CHECK_INT(gr_fanout_queue_init(&f->a.queue, 16, 4096, f->resync), ==, 0);
	CHECK_INT(gr_fanout_queue_init(&f->b.queue, 16, 4096, f->resync), ==, 0);
	CHECK_INT(gr_fanout_subscribe(f->fanout, &f->b, "topic"), ==, 0);
	hooks.fanout = f->fanout;
	gr_turn_set_hooks(f->turn, &hooks);
}

static void fixture_close(struct fixture *f)
{
	gr_turn_free(f->turn);
	gr_fanout_unsubscribe_all(f->fanout, &f->b);
	gr_fanout_queue_clear(&f->a.queue);
	gr_fanout_queue_clear(&f->b.queue);
	gr_fanout_message_unref(f->resync);
	gr_fanout_free(f->fanout);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

static struct gr_message *text(const char *text)
{
	return gr_fanout_message_new(0, text, strlen(text));
}

/* The next message queued for subscriber ("(none)" when there is none), popped. */
static const char *next_text(struct gr_subscriber *subscriber, char *out, size_t size)
{
	struct gr_message *message = gr_fanout_queue_peek(&subscriber->queue);

	snprintf(out, size, "(none)");
	if (message) {
		snprintf(out, size, "%.*s", (int)gr_fanout_message_len(message),
			 gr_fanout_message_text(message));
		gr_fanout_queue_pop(&subscriber->queue);
	}
	return out;
}

/* A setting as another connection to the file sees it: committed only. */
static const char *committed(struct fixture *f, const char *key, char *out, size_t size)
{
	struct gr_store *reader = NULL;

	snprintf(out, size, "(none)");
	if (gr_store_open(&reader, f->db) == 0 &&
	    gr_store_meta_get(reader, out, size, key) != 0)
		snprintf(out, size, "(none)");
	gr_store_close(reader);
	return out;
}

/* A change that sets key, replies to a and pushes to "topic", then ends with rc. */
static int make_change(struct fixture *f, const char *key, const char *reply, int rc)
{
	struct gr_turn_change change;
	char push[64];

	CHECK_INT(gr_turn_begin(f->turn, &change), ==, 0);
	CHECK_INT(gr_store_meta_set(f->store, key, "set"), ==, 0);
	CHECK_INT(gr_turn_reply(f->turn, &f->a, text(reply), text("failed")), ==, 0);
	snprintf(push, sizeof push, "push %s", key);
	CHECK_INT(gr_turn_push(f->turn, text(push), "topic", NULL), ==, 0);
	CHECK_INT(gr_turn_on_undo(f->turn, count_undo, f), ==, 0);
	return gr_turn_end(f->turn, &change, rc);
}

static void test_failed_change(void)
{
	struct fixture f;
	char buffer[64];

	fixture_open(&f, 1);
	CHECK_INT(make_change(&f, "kept", "reply kept", 0), ==, 0);
	CHECK_INT(make_change(&f, "undone", "reply undone", GR_ECONFLICT), ==, GR_ECONFLICT);
	CHECK_INT(f.undos, ==, 1); /* the failed change's undo, not the kept one's */
	CHECK_INT(gr_store_meta_get(f.store, buffer, sizeof buffer, "undone"), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_meta_get(f.store, buffer, sizeof buffer, "kept"), ==, 0);
	CHECK_INT(gr_turn_flush(f.turn), ==, 0);
	/* Only the kept change's reply and push went out. */
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "reply kept");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "(none)");
	CHECK_STR(next_text(&f.b, buffer, sizeof buffer), "push kept");
	CHECK_STR(next_text(&f.b, buffer, sizeof buffer), "(none)");
	CHECK_STR(f.published, "topic ");
	CHECK_STR(committed(&f, "kept", buffer, sizeof buffer), "set");
	CHECK_STR(committed(&f, "undone", buffer, sizeof buffer), "(none)");
	CHECK_INT(f.undos, ==, 1); /* a committed turn calls no undo */
	fixture_close(&f);
}

static void test_delivery_after_commit(void)
{
	struct fixture f;
	char buffer[64];

	fixture_open(&f, 1);
	CHECK_INT(make_change(&f, "one", "reply one", 0), ==, 0);
	CHECK_INT(gr_turn_reply(f.turn, &f.a, text("a read"), NULL), ==, 0);
	CHECK_INT(make_change(&f, "two", "reply two", 0), ==, 0);
	CHECK(gr_turn_pending(f.turn));
	/* Nothing before the commit, and nothing committed yet. */
	CHECK(gr_fanout_queue_peek(&f.a.queue) == NULL);
	CHECK(gr_fanout_queue_peek(&f.b.queue) == NULL);
	CHECK_STR(committed(&f, "one", buffer, sizeof buffer), "(none)");

	CHECK_INT(gr_turn_flush(f.turn), ==, 0);
	CHECK(!gr_turn_pending(f.turn));
	CHECK_STR(committed(&f, "one", buffer, sizeof buffer), "set");
	CHECK_STR(committed(&f, "two", buffer, sizeof buffer), "set");
	/* In the order recorded; the failures instead of replies were not needed. */
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "reply one");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "a read");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "reply two");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "(none)");
	CHECK_STR(next_text(&f.b, buffer, sizeof buffer), "push one");
	CHECK_STR(next_text(&f.b, buffer, sizeof buffer), "push two");
	CHECK_INT(f.undos, ==, 0);
	CHECK_INT(gr_turn_flush(f.turn), ==, 0); /* nothing open: nothing to do */

	/* Outside a transaction a reply goes at once. */
	CHECK_INT(gr_turn_reply(f.turn, &f.a, text("now"), NULL), ==, 0);
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "now");
	fixture_close(&f);
}

static void test_nested_changes_share_the_turn(void)
{
	struct gr_turn_change outer, inner;
	struct fixture f;
	char buffer[64];

	fixture_open(&f, 1);
	CHECK_INT(gr_turn_begin(f.turn, &outer), ==, 0);
	CHECK_INT(gr_store_meta_set(f.store, "outer", "set"), ==, 0);
	CHECK_INT(make_change(&f, "inner", "reply inner", 0), ==, 0); /* nested, kept */
	CHECK_INT(make_change(&f, "dropped", "reply dropped", GR_ERROR), ==, GR_ERROR); /* alone */
	CHECK_INT(f.undos, ==, 1);
	CHECK_INT(gr_turn_end(f.turn, &outer, 0), ==, 0);
	CHECK_INT(make_change(&f, "after", "reply after", 0), ==, 0); /* the same turn, later */
	CHECK_INT(f.flush_requests, ==, 1); /* one transaction for all of them */
	CHECK_STR(committed(&f, "outer", buffer, sizeof buffer), "(none)");
	CHECK_INT(gr_turn_flush(f.turn), ==, 0);
	CHECK_STR(committed(&f, "outer", buffer, sizeof buffer), "set");
	CHECK_STR(committed(&f, "inner", buffer, sizeof buffer), "set");
	CHECK_STR(committed(&f, "after", buffer, sizeof buffer), "set");
	CHECK_STR(committed(&f, "dropped", buffer, sizeof buffer), "(none)");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "reply inner");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "reply after");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "(none)");

	/* Rolling the outer change back takes the inner one with it, and its undo. */
	f.undos = 0;
	CHECK_INT(gr_turn_begin(f.turn, &outer), ==, 0);
	CHECK_INT(gr_turn_begin(f.turn, &inner), ==, 0);
	CHECK_INT(gr_store_meta_set(f.store, "inner2", "set"), ==, 0);
	CHECK_INT(gr_turn_on_undo(f.turn, count_undo, &f), ==, 0);
	CHECK_INT(gr_turn_on_undo(f.turn, count_undo, &f), ==, 0); /* the same one twice */
	CHECK_INT(gr_turn_reply(f.turn, &f.a, text("inner2"), NULL), ==, 0);
	CHECK_INT(gr_turn_end(f.turn, &inner, 0), ==, 0);
	CHECK_INT(gr_turn_end(f.turn, &outer, GR_ECONFLICT), ==, GR_ECONFLICT);
	CHECK_INT(f.undos, ==, 1); /* called once */
	CHECK_INT(gr_turn_flush(f.turn), ==, 0);
	CHECK_STR(committed(&f, "inner2", buffer, sizeof buffer), "(none)");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "(none)");
	CHECK_INT(f.flush_requests, ==, 2); /* a second turn of the loop */
	fixture_close(&f);
}

static void test_without_a_loop(void)
{
	struct fixture f;
	char buffer[64];

	fixture_open(&f, 0);
	CHECK_INT(make_change(&f, "at-once", "reply", 0), ==, 0);
	CHECK(!gr_turn_pending(f.turn));
	CHECK_STR(committed(&f, "at-once", buffer, sizeof buffer), "set");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "reply");
	CHECK_STR(next_text(&f.b, buffer, sizeof buffer), "push at-once");
	CHECK_INT(make_change(&f, "never", "reply never", GR_ERROR), ==, GR_ERROR);
	CHECK(!gr_turn_pending(f.turn));
	CHECK_STR(committed(&f, "never", buffer, sizeof buffer), "(none)");
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "(none)");
	CHECK_INT(f.undos, ==, 1);
	CHECK_INT(f.flush_requests, ==, 0);
	fixture_close(&f);
}

static void test_forgotten_subscriber(void)
{
	struct fixture f;
	char buffer[64];

	fixture_open(&f, 1);
	CHECK_INT(make_change(&f, "key", "to a closed connection", 0), ==, 0);
	gr_turn_forget(f.turn, &f.a); /* a closes before the commit */
	CHECK_INT(gr_turn_flush(f.turn), ==, 0);
	CHECK_STR(next_text(&f.a, buffer, sizeof buffer), "(none)");
	CHECK_STR(next_text(&f.b, buffer, sizeof buffer), "push key"); /* others still hear */
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	RUN(test_failed_change);
	RUN(test_delivery_after_commit);
	RUN(test_nested_changes_share_the_turn);
	RUN(test_without_a_loop);
	RUN(test_forgotten_subscriber);
	return harness_done();
}
