/*
 * live_test.c - the live service (daemon/services/live.c) with a real store, a real
 * track loaded from a fixture git repository, and clients that are plain
 * structs: hello before anything else, group commit (no reply before the
 * commit, one flush per turn), progress and its requires lock, submissions,
 * events to every connection of a user and to a coach's board, replay and
 * snapshot, rooms and presence, a slow client's overflow and resync, a client
 * closing with replies pending, pruning old events, stored states that no
 * longer fit their step (checked by domain/progress.c), logged once, and
 * messages put off by a busy turn of the loop.
 */
#include "core/error.h"
#include "tracks/git.h"
#include "tracks/library.h"
#include "services/live.h"
#include "core/log.h"
#include "store/cohort.h"
#include "store/progress.h"
#include "store/session.h"
#include "store/store.h"
#include "store/submission.h"
#include "store/user.h"
#include "core/workers.h"

#include "client.h"
#include "demo.h"
#include "harness.h"
#include "scratch.h"

#include <jansson.h>
#include <semaphore.h>
#include <time.h>

#define HEADROOM 16

static int flush_requests;
static void request_flush(void *payload)
{
	flush_requests++;
}

/* The connections the live service ended, as the network layer's end hook hears them. */
static struct ended {
	struct gr_client *client;
	int code;
	char reason[64];
} ended[8];
static int ended_count;
static void record_end(struct gr_client *client, int code, const char *reason, void *payload)
{
	(void)payload;
	if (ended_count < 8)
		ended[ended_count++] = (struct ended){ client, code, "" };
	snprintf(ended[ended_count - 1].reason, sizeof ended[0].reason, "%s", reason);
}

struct fixture {
	char *dir;
	char db[512];
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_library *library;
	struct demo_services services;
	struct gr_live *live;
	struct gr_user learner, other, coach;
};

/* A track "demo": lesson one, lesson two (requires one), project (2 reviews). */
static void make_track(const char *dir)
{
	harness_write_file(dir, "track.md", "# Demo\n\nA demo track.\n\n## Basics\n\n- [One](one.md)\n"
				    "- [Two](two.md)\n- [Project](project.md)\n");
	harness_write_file(dir, "one.md", "---\nid: one\n---\n# One\n\nFirst.\n");
	harness_write_file(dir, "two.md", "---\nid: two\nrequires: [one]\n---\n# Two\n\nSecond.\n");
	harness_write_file(dir, "project.md", "---\nid: project\nkind: project\nreviews: 2\n---\n"
				      "# Project\n\nMake it.\n\n## Review checklist\n\n- [ ] It works\n");
	harness_git_commit(dir);
}

static void add_user(struct fixture *f, struct gr_user *user, const char *handle,
		     enum gr_role role)
{
	memset(user, 0, sizeof(*user));
	snprintf(user->handle, sizeof(user->handle), "%s", handle);
	snprintf(user->display_name, sizeof(user->display_name), "%s", handle);
	snprintf(user->cohort, sizeof(user->cohort), "c1");
	snprintf(user->password_hash, sizeof(user->password_hash), "x");
	user->role = role;
	user->created_at = fake_now;
	/* c1 is a record, in the default centre; a coach coaches within their centres. */
	CHECK(gr_store_cohort_add(f->store, "c1", 1, fake_now) != GR_ERROR);
	CHECK_INT(gr_store_user_insert(f->store, user), ==, 0);
	if (role == GR_ROLE_COACH)
		CHECK_INT(gr_store_user_add_coached(f->store, user->id, "c1"), ==, 0);
}

/* Set before fixture_open: renders on the fixture's workers, and these limits. */
static int use_workers, renders_waiting, connections_per_user;

/* The network layer's view of the loop's turn: whether it is full, and what was asked of it. */
static int turn_full, next_turns;
static struct gr_client *paused[4];
static int turn_done(void *payload)
{
	(void)payload;
	return turn_full;
}
static void next_turn(void *payload)
{
	(void)payload;
	next_turns++;
}
static void record_pause(struct gr_client *client, int pause, void *payload)
{
	(void)payload;
	for (int i = 0; i < 4; i++)
		if (pause ? !paused[i] : paused[i] == client) {
			paused[i] = pause ? client : NULL;
			return;
		}
}
static int is_paused(const struct gr_client *client)
{
	for (int i = 0; i < 4; i++)
		if (paused[i] == client)
			return 1;
	return 0;
}

static void fixture_open(struct fixture *f, int queue_messages)
{
	struct demo_wiring wiring;

	memset(f, 0, sizeof(*f));
	f->dir = harness_temp_dir();
	demo_open(f->dir, make_track, f->db, sizeof f->db, &f->store, &f->workers, &f->library);
	demo_wiring_defaults(&wiring);
	wiring.live.queue_messages = queue_messages;
	wiring.live.workers = use_workers ? f->workers : NULL;
	wiring.live.renders_waiting = renders_waiting;
	wiring.live.connections_per_user = connections_per_user;
	wiring.hooks = (struct gr_live_hooks){ .headroom = HEADROOM, .notify = ignore_notify,
					       .request_flush = request_flush, .end = record_end,
					       .pause = record_pause, .turn_done = turn_done,
					       .next_turn = next_turn };
	turn_full = next_turns = 0;
	memset(paused, 0, sizeof(paused));
	demo_services_start(&f->services, f->store, f->library, &wiring);
	f->live = f->services.live;
	add_user(f, &f->learner, "lena", GR_ROLE_LEARNER);
	add_user(f, &f->other, "sam", GR_ROLE_LEARNER);
	add_user(f, &f->coach, "kim", GR_ROLE_COACH);
	flush_requests = 0;
	ended_count = 0;
}

static void fixture_close(struct fixture *f)
{
	demo_services_stop(&f->services);
	gr_library_free(f->library);
	gr_workers_stop(f->workers);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

/* A connection of user, signed in with a session of its own (as the network layer opens one). */
static void client_open(struct fixture *f, struct gr_client *client, const struct gr_user *user)
{
	static int64_t sessions;

	memset(client, 0, sizeof(*client));
	client->user = *user;
	sessions++;
	memcpy(client->session, &sessions, sizeof(sessions));
	CHECK_INT(gr_store_session_insert(f->store, client->session, user->id, fake_now,
					  fake_now + 365LL * 24 * 60 * 60 * 1000),
		  ==, 0);
	CHECK_INT(gr_live_client_open(f->live, client), ==, 0);
}

#define SET(step, state) \
	"{\"type\":\"progress.set\",\"id\":9,\"track\":\"demo\",\"step\":\"" step \
	"\",\"state\":\"" state "\"}"

/* The state of lena's progress as another connection to the file sees it. */
static const char *committed_state(struct fixture *f, const char *step, char *out, size_t size)
{
	struct gr_store *reader = NULL;
	struct gr_store_progress row;

	snprintf(out, size, "(none)");
	if (gr_store_open(&reader, f->db) == 0 &&
	    gr_store_progress_get(reader, &row, f->learner.id, "demo", step) == 0)
		snprintf(out, size, "%s", gr_progress_state_name(row.state));
	gr_store_close(reader);
	return out;
}

/* ---- tests --------------------------------------------------------------- */

static void test_hello_first(void)
{
	struct fixture f;
	struct gr_client a;
	json_t *reply, *snapshot;

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	json_decref(demo_request(f.live, &a, "hello_first", SET("one", "started")));
	json_decref(demo_request(f.live, &a, "hello_first", "{\"type\":\"ping\",\"id\":1}"));
	reply = demo_request(f.live, &a, "ok", "{\"type\":\"hello\",\"id\":\"h\"}");
	CHECK_STR(text_of(reply, "id"), "h");
	CHECK_STR(text_of(reply, "sync"), "snapshot");
	CHECK_STR(text_of(json_object_get(reply, "user"), "handle"), "lena");
	snapshot = next(&a);
	CHECK_STR(text_of(snapshot, "type"), "snapshot");
	CHECK_INT(json_array_size(json_object_get(snapshot, "progress")), ==, 0);
	json_decref(reply);
	json_decref(snapshot);
	gr_live_client_close(f.live, &a);
	fixture_close(&f);
}

static void test_group_commit(void)
{
	struct fixture f;
	struct gr_client a, b;
	char state[32];
	json_t *reply;

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	client_open(&f, &b, &f.learner);
	demo_hello(f.live, &a);
	demo_hello(f.live, &b);
	demo_say(f.live, &a, SET("one", "started"));
	demo_say(f.live, &a, SET("project", "started"));
	CHECK_INT(flush_requests, ==, 1);
	CHECK(gr_live_pending(f.live));
	CHECK(gr_fanout_queue_peek(&a.subscriber.queue) == NULL); /* nothing before the commit */
	CHECK(gr_fanout_queue_peek(&b.subscriber.queue) == NULL);
	CHECK_STR(committed_state(&f, "one", state, sizeof state), "(none)");

	gr_live_flush(f.live);
	CHECK(!gr_live_pending(f.live));
	CHECK_STR(committed_state(&f, "one", state, sizeof state), "started");
	CHECK_STR(committed_state(&f, "project", state, sizeof state), "started");
	/* a: its two replies and the two events; b: the two events only. */
	CHECK_INT(drain(&a), ==, 4);
	reply = next(&b);
	CHECK_STR(text_of(reply, "event"), "progress");
	CHECK_STR(text_of(reply, "step"), "one");
	CHECK_INT(int_of(reply, "seq"), ==, 1);
	json_decref(reply);
	reply = next(&b);
	CHECK_INT(int_of(reply, "seq"), ==, 2);
	json_decref(reply);
	CHECK(next(&b) == NULL);
	gr_live_client_close(f.live, &a);
	gr_live_client_close(f.live, &b);
	fixture_close(&f);
}

static void test_progress_rules(void)
{
	struct fixture f;
	struct gr_client a;
	json_t *reply;

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	demo_hello(f.live, &a);
	reply = demo_request(f.live, &a, "conflict", SET("two", "started"));
	CHECK_STR(text_of(reply, "requires"), "one");
	CHECK_STR(text_of(reply, "state"), "not_started");
	CHECK_CONTAINS(text_of(reply, "message"), "One");
	json_decref(reply);
	json_decref(demo_request(f.live, &a, "conflict", SET("one", "done")));
	json_decref(demo_request(f.live, &a, "ok", SET("one", "started")));
	drain(&a);
	reply = demo_request(f.live, &a, "ok", SET("one", "started")); /* again: no change, no event */
	CHECK(int_of(reply, "seq") == 0);
	CHECK(next(&a) == NULL);
	json_decref(reply);
	json_decref(demo_request(f.live, &a, "ok", SET("one", "done")));
	drain(&a);
	json_decref(demo_request(f.live, &a, "ok", SET("two", "started")));
	drain(&a);
	/* One undone: two, begun meanwhile, is locked again until one is done again. */
	json_decref(demo_request(f.live, &a, "ok",
				 "{\"type\":\"progress.undo\",\"id\":9,\"track\":\"demo\",\"step\":\"one\"}"));
	reply = demo_request(f.live, &a, "conflict", SET("two", "done"));
	CHECK_STR(text_of(reply, "requires"), "one");
	CHECK_STR(text_of(reply, "state"), "started");
	json_decref(reply);
	json_decref(demo_request(f.live, &a, "ok", SET("two", "started"))); /* reopening it is no change */
	json_decref(demo_request(f.live, &a, "ok", SET("one", "done")));
	json_decref(demo_request(f.live, &a, "ok", SET("two", "done")));
	drain(&a);
	/* States only submissions and reviews set: not the client's to set. */
	json_decref(demo_request(f.live, &a, "bad_value", SET("two", "passed")));
	json_decref(demo_request(f.live, &a, "bad_value", SET("two", "submitted")));
	json_decref(demo_request(f.live, &a, "bad_value", SET("two", "not_started")));
	json_decref(demo_request(f.live, &a, "bad_value", SET("two", "finished")));
	json_decref(demo_request(f.live, &a, "not_found", SET("nine", "started")));
	json_decref(demo_request(f.live, &a, "not_found",
			    "{\"type\":\"progress.set\",\"id\":1,\"track\":\"x\",\"step\":\"one\","
			    "\"state\":\"started\"}"));
	gr_live_client_close(f.live, &a);
	fixture_close(&f);
}

#define SUBMIT(body, link)                                                                 \
	"{\"type\":\"submission.create\",\"id\":5,\"track\":\"demo\",\"step\":\"project\"," \
	"\"body_md\":\"" body "\"" link "}"

static void test_submission(void)
{
	struct fixture f;
	struct gr_client a;
	json_t *reply;

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	demo_hello(f.live, &a);
	json_decref(demo_request(f.live, &a, "conflict", SUBMIT("mine", ""))); /* not started */
	json_decref(demo_request(f.live, &a, "ok", SET("project", "started")));
	drain(&a);
	json_decref(demo_request(f.live, &a, "bad_value", SUBMIT("mine", ",\"link\":\"javascript:x\"")));
	json_decref(demo_request(f.live, &a, "bad_value", SUBMIT("  \\n", "")));
	json_decref(demo_request(f.live, &a, "conflict", SET("project", "done")));
	reply = demo_request(f.live, &a, "ok", SUBMIT("# My work", ",\"link\":\"https://example.org/x\""));
	CHECK_STR(text_of(reply, "state"), "submitted");
	CHECK_INT(int_of(json_object_get(reply, "submission"), "attempt"), ==, 1);
	CHECK(int_of(json_object_get(reply, "submission"), "id") > 0);
	json_decref(reply);
	reply = next(&a); /* the event */
	CHECK_STR(text_of(reply, "event"), "submission");
	json_decref(reply);
	json_decref(demo_request(f.live, &a, "conflict", SUBMIT("again", "")));
	gr_live_client_close(f.live, &a);
	fixture_close(&f);
}

static void test_replay_and_snapshot(void)
{
	struct fixture f;
	struct gr_client a, later;
	json_t *reply;

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	demo_hello(f.live, &a);
	json_decref(demo_request(f.live, &a, "ok", SET("one", "started")));
	json_decref(demo_request(f.live, &a, "ok", SET("one", "done")));
	json_decref(demo_request(f.live, &a, "ok", SET("two", "started")));
	client_open(&f, &later, &f.learner);
	reply = demo_request(f.live, &later, "ok", "{\"type\":\"hello\",\"id\":1,\"last_seq\":1}");
	CHECK_STR(text_of(reply, "sync"), "replay");
	CHECK_INT(int_of(reply, "seq"), ==, 3);
	json_decref(reply);
	for (int seq = 2; seq <= 3; seq++) {
		reply = next(&later);
		CHECK_INT(int_of(reply, "seq"), ==, seq);
		json_decref(reply);
	}
	CHECK(next(&later) == NULL);
	reply = demo_request(f.live, &later, "ok", "{\"type\":\"hello\",\"id\":2,\"last_seq\":99}");
	CHECK_STR(text_of(reply, "sync"), "snapshot");
	json_decref(reply);
	reply = next(&later);
	CHECK_INT(json_array_size(json_object_get(reply, "progress")), ==, 2);
	json_decref(reply);

	/* Events older than event_days are pruned: a gap gets a snapshot. */
	fake_now += 31LL * 24 * 60 * 60 * 1000;
	gr_live_housekeeping(f.live);
	reply = demo_request(f.live, &later, "ok", "{\"type\":\"hello\",\"id\":3,\"last_seq\":1}");
	CHECK_STR(text_of(reply, "sync"), "snapshot");
	json_decref(reply);
	drain(&later);
	json_decref(demo_request(f.live, &a, "ok", SET("project", "started")));
	reply = next(&a);
	CHECK_INT(int_of(reply, "seq"), ==, 4); /* numbers are never reused */
	json_decref(reply);
	gr_live_client_close(f.live, &a);
	gr_live_client_close(f.live, &later);
	fixture_close(&f);
}

static void test_rooms(void)
{
	struct fixture f;
	struct gr_client a, b, c;
	json_t *reply;

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	client_open(&f, &b, &f.other);
	client_open(&f, &c, &f.coach);
	demo_hello(f.live, &a);
	demo_hello(f.live, &b);
	demo_hello(f.live, &c);
	json_decref(demo_request(f.live, &c, "ok",
			    "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"board:c1/demo\"}"));
	reply = demo_request(f.live, &a, "ok", "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"room:demo/one\"}");
	CHECK_INT(json_array_size(json_object_get(reply, "peers")), ==, 1);
	json_decref(reply);
	drain(&a);
	reply = next(&c); /* the board hears where lena is */
	CHECK_STR(text_of(reply, "event"), "presence");
	CHECK_STR(text_of(reply, "user"), "lena");
	CHECK_STR(text_of(reply, "step"), "one");
	json_decref(reply);
	json_decref(demo_request(f.live, &b, "ok",
			    "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"room:demo/one\"}"));
	reply = next(&a);
	CHECK_STR(text_of(reply, "topic"), "room:demo/one");
	CHECK_INT(int_of(reply, "count"), ==, 2);
	json_decref(reply);
	gr_live_client_close(f.live, &b);
	reply = next(&a);
	CHECK_INT(int_of(reply, "count"), ==, 1);
	json_decref(reply);
	json_decref(demo_request(f.live, &a, "forbidden",
			    "{\"type\":\"subscribe\",\"id\":3,\"topic\":\"board:c1/demo\"}"));
	json_decref(demo_request(f.live, &a, "not_found",
			    "{\"type\":\"subscribe\",\"id\":4,\"topic\":\"room:demo/nine\"}"));
	json_decref(demo_request(f.live, &a, "bad_value",
			    "{\"type\":\"subscribe\",\"id\":5,\"topic\":\"user:1\"}"));
	json_decref(demo_request(f.live, &a, "not_found",
			    "{\"type\":\"unsubscribe\",\"id\":6,\"topic\":\"room:demo/two\"}"));
	json_decref(demo_request(f.live, &a, "ok",
			    "{\"type\":\"unsubscribe\",\"id\":7,\"topic\":\"room:demo/one\"}"));
	drain(&c);
	json_decref(demo_request(f.live, &a, "ok", SET("one", "started")));
	reply = next(&c); /* lena's progress reaches her cohort's board */
	CHECK_STR(text_of(reply, "event"), "progress");
	CHECK_STR(text_of(reply, "user"), "lena");
	json_decref(reply);
	gr_live_client_close(f.live, &a);
	gr_live_client_close(f.live, &c);
	fixture_close(&f);
}

/* The next presence event on client's queue (other messages skipped), or NULL. */
static json_t *next_presence(struct gr_client *client)
{
	json_t *event;

	while ((event = next(client)) != NULL && strcmp(text_of(event, "event"), "presence") != 0)
		json_decref(event);
	return event;
}

/*
 * Presence on a board counts connections: a learner with two tabs on a
 * step who closes one is still there and still online; closing the last
 * one takes them off the step and offline, each told once.
 */
static void test_board_presence_per_connection(void)
{
	struct fixture f;
	struct gr_client tab1, tab2, board;
	json_t *event;

	fixture_open(&f, 64);
	client_open(&f, &board, &f.coach);
	demo_hello(f.live, &board);
	json_decref(demo_request(f.live, &board, "ok",
			    "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"board:c1/demo\"}"));
	client_open(&f, &tab1, &f.learner);
	client_open(&f, &tab2, &f.learner);
	demo_hello(f.live, &tab1);
	event = next_presence(&board); /* the first hello: online */
	CHECK(event != NULL);
	CHECK_STR(text_of(event, "user"), "lena");
	CHECK(json_is_true(json_object_get(event, "online")));
	CHECK(json_object_get(event, "step") == NULL);
	json_decref(event);
	demo_hello(f.live, &tab2);
	CHECK(next_presence(&board) == NULL); /* already online: nothing new */
	json_decref(demo_request(f.live, &tab1, "ok",
			    "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"room:demo/one\"}"));
	json_decref(demo_request(f.live, &tab2, "ok",
			    "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"room:demo/one\"}"));
	drain(&board);
	gr_live_client_close(f.live, &tab1);
	event = next_presence(&board); /* the other tab is on the step still */
	CHECK(event != NULL);
	CHECK_STR(text_of(event, "step"), "one");
	CHECK(json_is_true(json_object_get(event, "online")));
	json_decref(event);
	CHECK(next_presence(&board) == NULL);
	gr_live_client_close(f.live, &tab2);
	event = next_presence(&board); /* off the step */
	CHECK(event != NULL);
	CHECK(json_is_null(json_object_get(event, "step")));
	CHECK(json_is_false(json_object_get(event, "online")));
	json_decref(event);
	event = next_presence(&board); /* and offline */
	CHECK(event != NULL);
	CHECK(json_object_get(event, "step") == NULL);
	CHECK(json_is_false(json_object_get(event, "online")));
	json_decref(event);
	CHECK(next_presence(&board) == NULL);
	gr_live_client_close(f.live, &board);
	fixture_close(&f);
}

/*
 * A learner who joins the cohort reaches its watched board at once, before
 * any progress: made here (an invite), or moved in by another process.
 */
static void test_board_member_joined(void)
{
	struct fixture f;
	struct gr_client board;
	struct gr_user noor, omar;
	json_t *event;
	char sql[200];

	fixture_open(&f, 64);
	client_open(&f, &board, &f.coach);
	demo_hello(f.live, &board);
	json_decref(demo_request(f.live, &board, "ok",
			    "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"board:c1/demo\"}"));
	gr_live_members_changed(f.live); /* nobody new yet */
	CHECK(next(&board) == NULL);
	add_user(&f, &noor, "noor", GR_ROLE_LEARNER);
	gr_live_members_changed(f.live);
	event = next(&board);
	CHECK(event != NULL);
	CHECK_STR(text_of(event, "event"), "member.joined");
	CHECK_STR(text_of(event, "user"), "noor");
	CHECK_STR(text_of(event, "track"), "demo");
	CHECK_STR(text_of(event, "topic"), "board:c1/demo");
	json_decref(event);
	gr_live_members_changed(f.live); /* told once */
	CHECK(next(&board) == NULL);
	/* Omar is moved out of c1 and back in by another process (the operator's tool). */
	add_user(&f, &omar, "omar", GR_ROLE_LEARNER);
	gr_live_members_changed(f.live);
	drain(&board);
	/* Moved out of c1: the board drops him (member.left), once. */
	CHECK_INT(exec_sql(f.db, "UPDATE users SET cohort = 'c2' WHERE handle = 'omar'"), ==, 0);
	gr_live_poll(f.live);
	event = next(&board);
	CHECK(event != NULL);
	CHECK_STR(text_of(event, "event"), "member.left");
	CHECK_STR(text_of(event, "user"), "omar");
	CHECK_STR(text_of(event, "topic"), "board:c1/demo");
	json_decref(event);
	gr_live_members_changed(f.live);
	CHECK(next(&board) == NULL);
	snprintf(sql, sizeof sql, "UPDATE users SET cohort = 'c1' WHERE id = %lld", (long long)omar.id);
	CHECK_INT(exec_sql(f.db, sql), ==, 0);
	gr_live_poll(f.live);
	event = next(&board);
	CHECK(event != NULL);
	CHECK_STR(text_of(event, "event"), "member.joined");
	CHECK_STR(text_of(event, "user"), "omar");
	json_decref(event);
	gr_live_client_close(f.live, &board);
	fixture_close(&f);
}

static void test_overflow_resync(void)
{
	struct fixture f;
	struct gr_client a, slow;
	json_t *reply;
	int resyncs = 0, replies = 0;

	fixture_open(&f, 8);
	client_open(&f, &a, &f.learner);
	client_open(&f, &slow, &f.learner);
	demo_hello(f.live, &a);
	demo_hello(f.live, &slow);
	/* Each of a's requests makes an event for slow, which never reads. */
	json_decref(demo_request(f.live, &a, "ok", SET("one", "started")));
	json_decref(demo_request(f.live, &a, "ok", SET("one", "done")));
	json_decref(demo_request(f.live, &a, "ok", SET("two", "started")));
	json_decref(demo_request(f.live, &a, "ok", SET("two", "done")));
	drain(&a);
	for (int i = 0; i < 6; i++) { /* replies stay; the events do not */
		char text[200];

		snprintf(text, sizeof text,
			 "{\"type\":\"subscribe\",\"id\":%d,\"topic\":\"room:demo/one\"}", i);
		demo_say(f.live, &slow, "%s", text);
	}
	CHECK(slow.subscriber.queue.resyncing);
	CHECK(!slow.subscriber.queue.must_close);
	CHECK(slow.subscriber.queue.count <= 8);
	while ((reply = next(&slow)) != NULL) {
		resyncs += strcmp(text_of(reply, "type"), "resync") == 0;
		replies += strcmp(text_of(reply, "type"), "ok") == 0;
		json_decref(reply);
	}
	CHECK_INT(resyncs, ==, 1);
	CHECK_INT(replies, ==, 6); /* every request got its reply */
	reply = demo_request(f.live, &slow, "ok", "{\"type\":\"hello\",\"id\":1,\"last_seq\":0}");
	CHECK_STR(text_of(reply, "sync"), "replay");
	json_decref(reply);
	for (int seq = 1; seq <= 4; seq++) { /* what it missed, in order */
		reply = next(&slow);
		CHECK_INT(int_of(reply, "seq"), ==, seq);
		json_decref(reply);
	}
	CHECK(next(&slow) == NULL);
	CHECK(!slow.subscriber.queue.resyncing);
	gr_live_client_close(f.live, &a);
	gr_live_client_close(f.live, &slow);
	fixture_close(&f);
}

static void test_close_with_replies_pending(void)
{
	struct fixture f;
	struct gr_client a, b;
	char state[32];

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	client_open(&f, &b, &f.learner);
	demo_hello(f.live, &a);
	demo_hello(f.live, &b);
	demo_say(f.live, &a, SET("one", "started"));
	gr_live_client_close(f.live, &a); /* gone before the commit */
	gr_live_flush(f.live);
	CHECK_STR(committed_state(&f, "one", state, sizeof state), "started");
	CHECK_INT(drain(&b), ==, 1); /* the event still reaches the other tab */
	gr_live_client_close(f.live, &b);
	fixture_close(&f);
}

static void test_preview(void)
{
	struct fixture f;
	struct gr_client a;
	json_t *reply;

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	demo_hello(f.live, &a);
	reply = demo_request(f.live, &a, "ok",
			"{\"type\":\"markdown.preview\",\"id\":1,\"body_md\":\"# Hi <script>x</script> "
			"[a](javascript:alert(1))\"}");
	CHECK_CONTAINS(text_of(reply, "html"), "<h1>Hi");
	CHECK_NOT_CONTAINS(text_of(reply, "html"), "<script");
	CHECK_NOT_CONTAINS(text_of(reply, "html"), "javascript:");
	json_decref(reply);
	gr_live_client_close(f.live, &a);
	fixture_close(&f);
}

/* Runs the done() of the workers' jobs until none is pending (bounded). */
static void finish_renders(struct fixture *f)
{
	demo_drain_workers(f->workers);
	gr_live_flush(f->live);
}

/*
 * With workers, markdown is rendered off the loop: nothing is answered
 * until the render is done, and what the connection sent after it is
 * answered after it, in order. A user's second render beyond the budget
 * is busy (retry_after), and that connection is not read until the tick
 * after its time; a connection that closes while its render runs is
 * forgotten. A user has at most connections_per_user connections.
 */
static sem_t gate;

static void wait_for_gate(void *payload)
{
	(void)payload;
	sem_wait(&gate);
}

static int copy_html(const struct gr_store_submission *row, void *payload)
{
	snprintf(payload, 64, "%s", row->body_html ? row->body_html : "(null)");
	return 0;
}

static void test_render_on_workers(void)
{
	struct fixture f;
	struct gr_client a, b, c, d;
	json_t *reply;

	use_workers = 1, renders_waiting = 1, connections_per_user = 3;
	fixture_open(&f, 64);
	use_workers = renders_waiting = connections_per_user = 0;
	client_open(&f, &a, &f.learner);
	client_open(&f, &b, &f.learner);
	client_open(&f, &c, &f.learner);
	CHECK_INT(gr_live_may_open(f.live, f.learner.id), ==, GR_ELIMITED);
	memset(&d, 0, sizeof d);
	d.user = f.learner;
	CHECK_INT(gr_live_client_open(f.live, &d), ==, GR_ELIMITED);
	CHECK_INT(gr_live_may_open(f.live, f.other.id), ==, 0);
	demo_hello(f.live, &a);
	demo_hello(f.live, &b);
	demo_hello(f.live, &c);

	/* lena's lane is taken by a job that waits for the test: her renders queue behind it. */
	sem_init(&gate, 0, 0);
	CHECK_INT(gr_workers_submit_lane(f.workers, f.learner.id, 1, wait_for_gate, NULL, NULL), ==, 0);
	demo_say(f.live, &a, "{\"type\":\"markdown.preview\",\"id\":2,\"body_md\":\"*x*\"}");
	demo_say(f.live, &a, "{\"type\":\"ping\",\"id\":3}");
	demo_say(f.live, &a, "{\"type\":\"markdown.preview\",\"id\":4,\"body_md\":\"**y**\"}");
	/* One render runs for lena: another connection of hers is told busy, and rests. */
	reply = demo_request(f.live, &b, "busy", "{\"type\":\"markdown.preview\",\"id\":5,\"body_md\":\"z\"}");
	CHECK_INT(json_integer_value(json_object_get(reply, "retry_after")), ==, 1);
	json_decref(reply);
	demo_say(f.live, &b, "{\"type\":\"ping\",\"id\":6}");
	CHECK(next(&b) == NULL);
	CHECK(next(&a) == NULL); /* nothing before the render is done */

	sem_post(&gate);
	finish_renders(&f);
	reply = next(&a);
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 2);
	CHECK_STR(text_of(reply, "html"), "<p><em>x</em></p>\n");
	json_decref(reply);
	reply = next(&a);
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 3);
	CHECK_STR(text_of(reply, "type"), "ok");
	json_decref(reply);
	finish_renders(&f); /* the second preview waited behind the ping */
	reply = next(&a);
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 4);
	CHECK_STR(text_of(reply, "html"), "<p><strong>y</strong></p>\n");
	json_decref(reply);

	gr_live_tick(f.live); /* too early: b still rests */
	CHECK(next(&b) == NULL);
	fake_now += 1000;
	gr_live_tick(f.live);
	gr_live_flush(f.live);
	reply = next(&b);
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 6);
	json_decref(reply);

	/* Closing while a render runs (or while resting): the render's end finds no one. */
	CHECK_INT(gr_workers_submit_lane(f.workers, f.learner.id, 1, wait_for_gate, NULL, NULL), ==, 0);
	demo_say(f.live, &c, "{\"type\":\"markdown.preview\",\"id\":7,\"body_md\":\"gone\"}");
	demo_say(f.live, &c, "{\"type\":\"ping\",\"id\":8}");
	reply = demo_request(f.live, &b, "busy", "{\"type\":\"markdown.preview\",\"id\":9,\"body_md\":\"z\"}");
	json_decref(reply);
	gr_live_client_close(f.live, &c);
	gr_live_client_close(f.live, &b);
	sem_post(&gate);
	finish_renders(&f);
	sem_destroy(&gate);
	gr_live_client_close(f.live, &a);
	fixture_close(&f);
}

/*
 * Texts stored before their HTML was kept (schema 7) get it at start, once;
 * a submission stored now carries it from the start.
 */
static void test_render_stored(void)
{
	struct fixture f;
	struct gr_store_submission work = { .track_id = "demo", .step_id = "project",
					    .track_commit = "c", .body_md = "**old**",
					    .created_at = 1 };
	struct gr_client a;
	char html[64] = "";
	int count = -1;
	json_t *reply;

	fixture_open(&f, 64);
	work.user_id = f.other.id;
	CHECK_INT(gr_store_submission_insert(f.store, &work), ==, 0);
	CHECK_INT(gr_live_render_stored(f.live, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(gr_store_submission_get(f.store, work.id, copy_html, html), ==, 0);
	CHECK_STR(html, "<p><strong>old</strong></p>\n");
	CHECK_INT(gr_live_render_stored(f.live, &count), ==, 0);
	CHECK_INT(count, ==, 0);

	client_open(&f, &a, &f.learner);
	demo_hello(f.live, &a);
	json_decref(demo_request(f.live, &a, "ok", SET("project", "started")));
	drain(&a);
	reply = demo_request(f.live, &a, "ok", SUBMIT("*new*", ""));
	CHECK_INT(gr_store_submission_get(f.store,
					  json_integer_value(json_object_get(
					      json_object_get(reply, "submission"), "id")),
					  copy_html, html), ==, 0);
	CHECK_STR(html, "<p><em>new</em></p>\n");
	json_decref(reply);
	CHECK_INT(gr_live_render_stored(f.live, &count), ==, 0);
	CHECK_INT(count, ==, 0);
	gr_live_client_close(f.live, &a);
	fixture_close(&f);
}

/* lena's progress on step written straight to the store, as an older commit left it. */
static void stored_before(struct fixture *f, const char *step, enum gr_progress_state state)
{
	struct gr_store_progress row = {.track_id = "demo", .state = state};

	snprintf(row.step_id, sizeof row.step_id, "%s", step);
	row.started_at = row.finished_at = row.updated_at = fake_now;
	CHECK_INT(gr_store_progress_put(f->store, f->learner.id, &row), ==, 0);
}

/*
 * States stored before a new commit changed a step's review count break
 * progress invariant 2 or 3: they are kept and answered as before (every
 * action a conflict; a passed lesson still completes what requires it),
 * and each is logged once, the first time it is loaded.
 */
static void test_stale_state_logged_once(void)
{
	enum gr_log_level level = gr_log_get_level();
	struct harness_stderr capture;
	struct fixture f;
	struct gr_client a;
	char state[32], *log;
	json_t *reply;

	fixture_open(&f, 64);
	stored_before(&f, "project", GR_PROGRESS_DONE); /* project has 2 reviews now */
	stored_before(&f, "one", GR_PROGRESS_PASSED);	/* one has none */
	client_open(&f, &a, &f.learner);
	demo_hello(f.live, &a);
	gr_log_set_level(GR_LOG_WARN);
	harness_stderr_begin(&capture);
	for (int i = 0; i < 2; i++) {
		reply = demo_request(f.live, &a, "conflict", SET("project", "started"));
		CHECK_STR(text_of(reply, "state"), "done");
		CHECK_STR(text_of(reply, "message"),
			  "this step is done; it cannot be opened (a step with reviews should "
			  "never be in this state)");
		json_decref(reply);
	}
	CHECK_INT(gr_live_progress(f.live, f.learner.id, "demo", "project", 2,
				   GR_PROGRESS_REVIEW_BEGIN),
		  ==, 0);
	json_decref(demo_request(f.live, &a, "ok", SET("two", "started")));
	json_decref(demo_request(f.live, &a, "conflict", SET("one", "started")));
	log = harness_stderr_end(&capture);
	gr_log_set_level(level);
	CHECK_INT(harness_count(log, "progress invariant 3: a step with 2 reviews is done"), ==, 1);
	CHECK_INT(harness_count(log, "progress invariant 2: a step without reviews is passed"), ==,
		  1);
	CHECK_CONTAINS(log, "on demo/project is kept as stored");
	free(log);
	CHECK_STR(committed_state(&f, "project", state, sizeof state), "done");
	CHECK_STR(committed_state(&f, "one", state, sizeof state), "passed");
	gr_live_client_close(f.live, &a);
	fixture_close(&f);
}

static void session_client(struct fixture *f, struct gr_client *client, const struct gr_user *user)
{
	client_open(f, client, user);
	demo_hello(f->live, client);
}

/*
 * Sessions that end close their connections: 4001 when the session is gone
 * (signed out, or the user disabled by another process), 4003 when the
 * user's role or cohort moved; nothing more is answered on them.
 */
static void test_sessions_end(void)
{
	struct fixture f;
	struct gr_client lena, sam, kim;
	struct gr_store *other = NULL;

	fixture_open(&f, 64);
	session_client(&f, &lena, &f.learner);
	session_client(&f, &sam, &f.other);
	session_client(&f, &kim, &f.coach);
	CHECK_INT(gr_live_recheck(f.live), ==, 0);
	CHECK_INT(ended_count, ==, 0);

	/* Signed out in this process: at once, with 4001. */
	CHECK_INT(gr_store_session_delete(f.store, lena.session), ==, 0);
	gr_live_end_session(f.live, lena.session);
	CHECK_INT(ended_count, ==, 1);
	CHECK(ended[0].client == &lena);
	CHECK_INT(ended[0].code, ==, GR_LIVE_CLOSE_SESSION_ENDED);
	CHECK_STR(ended[0].reason, "session ended");
	CHECK(lena.ended);
	demo_say(f.live, &lena, "{\"type\":\"ping\",\"id\":9}");
	gr_live_flush(f.live);
	CHECK_INT(drain(&lena), ==, 0); /* not answered */

	/* A new role: 4003; once only. */
	CHECK_INT(gr_store_user_set_role(f.store, f.other.id, GR_ROLE_COACH), ==, 0);
	CHECK_INT(gr_live_recheck(f.live), ==, 1);
	CHECK_INT(gr_live_recheck(f.live), ==, 0);
	CHECK_INT(ended_count, ==, 2);
	CHECK(ended[1].client == &sam);
	CHECK_INT(ended[1].code, ==, GR_LIVE_CLOSE_RIGHTS_CHANGED);

	/* Another process disables kim: the poll sees the data version move. */
	gr_live_poll(f.live);
	CHECK_INT(ended_count, ==, 2);
	CHECK_INT(gr_store_open(&other, f.db), ==, 0);
	CHECK_INT(gr_store_user_disable(other, "kim", fake_now), ==, 0);
	gr_store_close(other);
	gr_live_poll(f.live);
	CHECK_INT(ended_count, ==, 3);
	CHECK(ended[2].client == &kim);
	CHECK_INT(ended[2].code, ==, GR_LIVE_CLOSE_SESSION_ENDED);

	/* A new password here: the user's other sessions end, this one stays. */
	struct gr_client here, there;

	session_client(&f, &here, &f.learner);
	session_client(&f, &there, &f.learner);
	gr_live_end_user(f.live, f.learner.id, here.session, GR_LIVE_CLOSE_SESSION_ENDED);
	CHECK_INT(ended_count, ==, 4);
	CHECK(ended[3].client == &there);
	CHECK(!here.ended);
	CHECK_INT(gr_live_recheck(f.live), ==, 0); /* here's session is still valid */

	gr_live_client_close(f.live, &lena);
	gr_live_client_close(f.live, &sam);
	gr_live_client_close(f.live, &kim);
	gr_live_client_close(f.live, &here);
	gr_live_client_close(f.live, &there);
	CHECK_INT(gr_live_client_count(f.live), ==, 0);
	fixture_close(&f);
}

/*
 * With workers, the store's sessions are read off the loop: nothing ends
 * until the read is done; then a disabled user's connection ends (4001)
 * and one whose role moved (4003); a connection opened after the read
 * began is not judged by it, though its session was never in the store; a
 * change while a check runs asks for one more after it; a service freed
 * while a check runs leaks nothing.
 */
static void test_recheck_off_loop(void)
{
	struct fixture f;
	struct gr_client lena, sam, kim, late;
	struct gr_store *other = NULL;

	use_workers = 1;
	fixture_open(&f, 64);
	use_workers = 0;
	session_client(&f, &lena, &f.learner);
	session_client(&f, &sam, &f.other);
	session_client(&f, &kim, &f.coach);
	CHECK_INT(gr_store_open(&other, f.db), ==, 0);
	CHECK_INT(gr_store_user_disable(other, "lena", fake_now), ==, 0);
	CHECK_INT(gr_store_user_set_role(other, f.other.id, GR_ROLE_COACH), ==, 0);
	gr_store_close(other);

	/* The one worker is busy: the check waits behind the gate. */
	sem_init(&gate, 0, 0);
	CHECK_INT(gr_workers_submit(f.workers, wait_for_gate, NULL, NULL), ==, 0);
	gr_live_poll(f.live); /* another process wrote: a check starts */
	/* Opened meanwhile, with a session the store never had. */
	memset(&late, 0, sizeof late);
	late.user = f.coach;
	memset(late.session, 0xee, sizeof late.session);
	CHECK_INT(gr_live_client_open(f.live, &late), ==, 0);
	CHECK_INT(gr_live_recheck(f.live), ==, 0); /* one runs: another after it */
	CHECK_INT(ended_count, ==, 0);		   /* nothing before the read is done */

	sem_post(&gate);
	for (int i = 0; i < 10000 && ended_count < 2; i++)
		if (gr_workers_complete(f.workers) == 0)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	CHECK_INT(ended_count, ==, 2);
	CHECK(lena.ended && sam.ended && !kim.ended);
	CHECK(!late.ended); /* opened after the read began */
	for (int i = 0; i < ended_count; i++)
		CHECK_INT(ended[i].code, ==,
			  ended[i].client == &lena ? GR_LIVE_CLOSE_SESSION_ENDED
						   : GR_LIVE_CLOSE_RIGHTS_CHANGED);
	/* The check asked for meanwhile judges late: opened before its read. */
	demo_drain_workers(f.workers);
	CHECK_INT(ended_count, ==, 3);
	CHECK(late.ended);
	sem_destroy(&gate);

	/* Freed while a check runs. */
	CHECK_INT(gr_live_recheck(f.live), ==, 0);
	gr_live_client_close(f.live, &lena);
	gr_live_client_close(f.live, &sam);
	gr_live_client_close(f.live, &kim);
	gr_live_client_close(f.live, &late);
	fixture_close(&f);
}

/* The id of the next reply queued for client, or -1 if none. */
static int64_t next_id(struct gr_client *client)
{
	json_t *reply = next(client);
	int64_t id = reply ? int_of(reply, "id") : -1;

	json_decref(reply);
	return id;
}

/*
 * A turn that has done its share puts off what comes next to the next turn:
 * the connection is paused, its messages wait in order, and the next turn
 * takes up the connections first come first while it has room (at least
 * one). A connection that closes while put off is forgotten.
 */
static void test_put_off_by_a_busy_turn(void)
{
	struct fixture f;
	struct gr_client a, b, c;
	char state[32];

	fixture_open(&f, 64);
	client_open(&f, &a, &f.learner);
	client_open(&f, &b, &f.other);
	client_open(&f, &c, &f.coach);
	demo_hello(f.live, &a);
	demo_hello(f.live, &b);
	demo_hello(f.live, &c);

	turn_full = 1;
	demo_say(f.live, &a, "{\"type\":\"ping\",\"id\":1}");
	demo_say(f.live, &a, SET("one", "started"));
	demo_say(f.live, &b, "{\"type\":\"ping\",\"id\":3}");
	demo_say(f.live, &c, "{\"type\":\"ping\",\"id\":4}");
	CHECK_INT(next_turns, ==, 1); /* asked once for the three */
	CHECK(is_paused(&a) && is_paused(&b) && is_paused(&c));
	gr_live_flush(f.live);
	CHECK(next(&a) == NULL && next(&b) == NULL && next(&c) == NULL);
	CHECK_STR(committed_state(&f, "one", state, sizeof state), "(none)");

	/* The next turn is full at once: a alone, both her messages in order. */
	gr_live_take_up(f.live);
	gr_live_flush(f.live);
	CHECK_INT(next_id(&a), ==, 1);
	CHECK_INT(next_id(&a), ==, 9);
	drain(&a); /* the event of her progress */
	CHECK_STR(committed_state(&f, "one", state, sizeof state), "started");
	CHECK(!is_paused(&a) && is_paused(&b) && is_paused(&c));
	CHECK(next(&b) == NULL);
	CHECK_INT(next_turns, ==, 2); /* b and c still wait */

	/* b closes while put off; the turn after has room for c. */
	gr_live_client_close(f.live, &b);
	turn_full = 0;
	gr_live_take_up(f.live);
	gr_live_flush(f.live);
	CHECK_INT(next_id(&c), ==, 4);
	CHECK(!is_paused(&c));
	CHECK_INT(next_turns, ==, 2);

	/* With room in the turn nothing waits. */
	demo_say(f.live, &a, "{\"type\":\"ping\",\"id\":5}");
	gr_live_flush(f.live);
	CHECK_INT(next_id(&a), ==, 5);
	CHECK_INT(next_turns, ==, 2);
	drain(&a);
	drain(&c);
	gr_live_client_close(f.live, &a);
	gr_live_client_close(f.live, &c);
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	gr_git_init();
	RUN(test_hello_first);
	RUN(test_group_commit);
	RUN(test_progress_rules);
	RUN(test_submission);
	RUN(test_replay_and_snapshot);
	RUN(test_rooms);
	RUN(test_board_presence_per_connection);
	RUN(test_board_member_joined);
	RUN(test_overflow_resync);
	RUN(test_close_with_replies_pending);
	RUN(test_preview);
	RUN(test_render_on_workers);
	RUN(test_render_stored);
	RUN(test_stale_state_logged_once);
	RUN(test_sessions_end);
	RUN(test_put_off_by_a_busy_turn);
	RUN(test_recheck_off_loop);
	gr_git_shutdown();
	return harness_done();
}
