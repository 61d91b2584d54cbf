/*
 * demo.h - where the tests of the services start: a fake clock, network
 * hooks that do nothing, a store in a test's directory with the track
 * "demo" (written by the test's own make_track) registered and loaded into
 * a library, the services wired together as main.c wires them, and a
 * client's side of the socket: saying a message, a request and its reply.
 */
#ifndef GROUNDS_TEST_DEMO_H
#define GROUNDS_TEST_DEMO_H

#include "core/fanout.h"
#include "services/board.h"
#include "services/helpdesk.h"
#include "services/live.h"
#include "services/nudges.h"
#include "services/reviews.h"
#include "services/turn.h"
#include "tracks/library.h"
#include "store/store.h"
#include "store/track.h"
#include "core/workers.h"

#include "client.h"
#include "harness.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int64_t fake_now = 1800000000000LL;

static inline int64_t fake_clock(void)
{
	return fake_now;
}

/* The network layer's hooks, for services that run without one. */
static inline void ignore_flush(void *payload)
{
	(void)payload;
}

static inline void ignore_notify(struct gr_subscriber *subscriber, void *payload)
{
	(void)subscriber;
	(void)payload;
}

/*
 * In dir: make_track(dir/repo), a store at db (dir/grounds.db, written
 * there; db_size bytes), "demo" registered from the repo, and a library
 * (with one worker) that has loaded it.
 */
static inline void demo_open(const char *dir, void (*make_track)(const char *repo), char *db,
			     size_t db_size, struct gr_store **store, struct gr_workers **workers,
			     struct gr_library **library)
{
	struct gr_track_entry entry = {0};
	char repo[512];

	snprintf(repo, sizeof repo, "%s/repo", dir);
	mkdir(repo, 0755);
	make_track(repo);
	snprintf(db, db_size, "%s/grounds.db", dir);
	CHECK_INT(gr_store_open(store, db), ==, 0);
	snprintf(entry.id, sizeof entry.id, "demo");
	snprintf(entry.repo, sizeof entry.repo, "%s", repo);
	CHECK_INT(gr_store_track_insert(*store, &entry), ==, 0);
	CHECK_INT(gr_workers_start(workers, 1), ==, 0);
	CHECK_INT(gr_library_new(library, *store, *workers, 0), ==, 0);
	gr_library_check(*library);
	for (int i = 0; i < 500 && !gr_library_track(*library, "demo"); i++) {
		struct timespec pause = {0, 10 * 1000 * 1000};

		nanosleep(&pause, NULL);
		gr_workers_complete(*workers);
	}
	CHECK(gr_library_track(*library, "demo") != NULL);
}

/* Run the workers' jobs and their completions until none is pending (bounded, about 10 s). */
static inline void demo_drain_workers(struct gr_workers *workers)
{
	for (int i = 0; i < 10000 && gr_workers_pending(workers) > 0; i++) {
		struct timespec pause = {0, 1000 * 1000};

		if (gr_workers_complete(workers) == 0)
			nanosleep(&pause, NULL);
	}
	CHECK_INT(gr_workers_pending(workers), ==, 0);
}

/* The services of a test: the turn and live always, the others when asked for. */
struct demo_services {
	struct gr_turn *turn;
	struct gr_live *live;
	struct gr_reviews *reviews;
	struct gr_board *board;
	struct gr_helpdesk *helpdesk;
	struct gr_nudges *nudges;
};

/* What to start, and how. */
struct demo_wiring {
	struct gr_live_settings live;
	struct gr_live_hooks hooks;		     /* the network layer's */
	const struct gr_reviews_settings *reviews;   /* NULL: no review service */
	const struct gr_board_settings *board;	     /* NULL: no board, help desk, nudges */
	const struct gr_helpdesk_settings *helpdesk; /* with board; NULL: the defaults */
};

/* Default settings on the fake clock, no message rate limit, hooks that do nothing. */
static inline void demo_wiring_defaults(struct demo_wiring *out)
{
	memset(out, 0, sizeof(*out));
	gr_live_settings_defaults(&out->live);
	out->live.clock = fake_clock;
	out->live.messages_per_second = 0;
	out->hooks = (struct gr_live_hooks){ .headroom = 16, .notify = ignore_notify,
					     .request_flush = ignore_flush };
}

/*
 * The services on store and library, made and attached to the live service
 * as main.c does; the network layer's hooks last, as when the loop starts.
 */
static inline void demo_services_start(struct demo_services *out, struct gr_store *store,
				       struct gr_library *library, const struct demo_wiring *wiring)
{
	struct gr_helpdesk_settings helpdesk;

	memset(out, 0, sizeof(*out));
	CHECK_INT(gr_turn_new(&out->turn, store), ==, 0);
	CHECK_INT(gr_live_new(&out->live, store, library, out->turn, &wiring->live), ==, 0);
	if (wiring->reviews) {
		CHECK_INT(gr_reviews_new(&out->reviews, store, library, out->turn, wiring->reviews),
			  ==, 0);
		CHECK_INT(gr_reviews_attach(out->reviews, out->live), ==, 0);
	}
	if (wiring->board) {
		gr_helpdesk_settings_defaults(&helpdesk);
		helpdesk.clock = wiring->live.clock;
		if (wiring->helpdesk)
			helpdesk = *wiring->helpdesk;
		CHECK_INT(gr_board_new(&out->board, store, library, out->reviews, wiring->board),
			  ==, 0);
		CHECK_INT(gr_helpdesk_new(&out->helpdesk, store, library, out->turn, &helpdesk), ==,
			  0);
		CHECK_INT(gr_nudges_new(&out->nudges, store, out->turn, wiring->live.clock), ==, 0);
		CHECK_INT(gr_board_attach(out->board, out->live), ==, 0);
		CHECK_INT(gr_helpdesk_attach(out->helpdesk, out->live), ==, 0);
		CHECK_INT(gr_nudges_attach(out->nudges, out->live), ==, 0);
	}
	CHECK_INT(gr_live_set_hooks(out->live, &wiring->hooks), ==, 0);
}

/* Detach and free them all, as main.c does at shutdown; every client closed first. */
static inline void demo_services_stop(struct demo_services *services)
{
	if (services->nudges)
		gr_nudges_attach(services->nudges, NULL);
	if (services->helpdesk)
		gr_helpdesk_attach(services->helpdesk, NULL);
	if (services->board)
		gr_board_attach(services->board, NULL);
	if (services->reviews)
		gr_reviews_attach(services->reviews, NULL);
	gr_live_free(services->live);
	gr_nudges_free(services->nudges);
	gr_helpdesk_free(services->helpdesk);
	gr_board_free(services->board);
	gr_reviews_free(services->reviews);
	gr_turn_free(services->turn);
	memset(services, 0, sizeof(*services));
}

/* ---- a client's side of the socket ------------------------------------- */

/* Send a message (printf-style, up to 4 KB) to live as client's. */
static inline void demo_say(struct gr_live *live, struct gr_client *client, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void demo_vsay(struct gr_live *live, struct gr_client *client, const char *fmt,
			     va_list ap)
{
	char text[4096];
	int len = vsnprintf(text, sizeof text, fmt, ap);

	CHECK(len >= 0 && (size_t)len < sizeof text);
	gr_live_receive(live, client, text, strlen(text));
}

static inline void demo_say(struct gr_live *live, struct gr_client *client, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	demo_vsay(live, client, fmt, ap);
	va_end(ap);
}

/* The hello of a connection, its reply and any replay read and dropped. */
static inline void demo_hello(struct gr_live *live, struct gr_client *client)
{
	demo_say(live, client, "{\"type\":\"hello\",\"id\":1}");
	drain(client);
}

/*
 * The turn flushed, then the one reply client was sent, expected with code
 * ("ok" or an error code; caller decrefs). Pushes queued before the reply
 * (from earlier requests) are skipped.
 */
static inline json_t *demo_reply(struct gr_live *live, struct gr_client *client,
				 const char *expected)
{
	json_t *reply;

	gr_live_flush(live);
	while ((reply = next(client)) != NULL && strcmp(text_of(reply, "type"), "ok") != 0 &&
	       strcmp(text_of(reply, "type"), "error") != 0)
		json_decref(reply);
	CHECK(reply != NULL);
	if (strcmp(expected, "ok") == 0)
		CHECK_STR(text_of(reply, "type"), "ok");
	else
		CHECK_STR(text_of(reply, "code"), expected);
	if (reply && strcmp(text_of(reply, "type"), "error") == 0 && strcmp(expected, "ok") == 0)
		fprintf(stderr, "  error: %s\n", text_of(reply, "message"));
	return reply;
}

/* Send a request (printf-style) and expect one reply with code: demo_reply(). */
static inline json_t *demo_request(struct gr_live *live, struct gr_client *client,
				   const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline json_t *demo_request(struct gr_live *live, struct gr_client *client,
				   const char *expected, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	demo_vsay(live, client, fmt, ap);
	va_end(ap);
	return demo_reply(live, client, expected);
}

#endif
