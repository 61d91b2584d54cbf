/* Tests for services/inbox.c: which events make a notification and of what
 * kind; a notification is stored in the change that stores its event (a
 * change rolled back leaves neither), names that event's seq, and a user
 * keeps only the last GR_STORE_NOTIFICATION_KEEP. */
#include "harness.h"
#include "demo.h"

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "tracks/git.h"
#include "services/inbox.h"
#include "store/event.h"
#include "store/notification.h"
#include "store/user.h"

#include <stdlib.h>
#include <string.h>

struct fixture {
	char *dir;
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_library *library;
	struct demo_services services;
	struct gr_inbox *inbox;
	struct gr_user lena;
};

static void make_track(const char *dir)
{
	harness_write_file(dir, "track.md", "# Demo\n\nA demo track.\n\n## Basics\n\n- [One](one.md)\n");
	harness_write_file(dir, "one.md", "---\nid: one\n---\n# One\n\nFirst.\n");
	harness_git_commit(dir);
}

static void fixture_open(struct fixture *f)
{
	struct demo_wiring wiring;
	char db[512];

	memset(f, 0, sizeof(*f));
	f->dir = harness_temp_dir();
	demo_open(f->dir, make_track, db, sizeof db, &f->store, &f->workers, &f->library);
	snprintf(f->lena.handle, sizeof f->lena.handle, "lena");
	snprintf(f->lena.display_name, sizeof f->lena.display_name, "Lena");
	snprintf(f->lena.password_hash, sizeof f->lena.password_hash, "x");
	f->lena.role = GR_ROLE_LEARNER;
	f->lena.created_at = fake_now;
	CHECK_INT(gr_store_user_insert(f->store, &f->lena), ==, 0);
	demo_wiring_defaults(&wiring);
	demo_services_start(&f->services, f->store, f->library, &wiring);
	CHECK_INT(gr_inbox_new(&f->inbox, f->store, f->services.turn, fake_clock), ==, 0);
	CHECK_INT(gr_inbox_attach(f->inbox, f->services.live), ==, 0);
}

static void fixture_close(struct fixture *f)
{
	gr_inbox_attach(f->inbox, NULL);
	demo_services_stop(&f->services);
	gr_inbox_free(f->inbox);
	gr_library_free(f->library);
	gr_workers_stop(f->workers);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

static int64_t unread(struct fixture *f)
{
	int64_t count = -1;

	CHECK_INT(gr_store_notification_unread(f->store, f->lena.id, &count), ==, 0);
	return count;
}

/* An event on lena's stream in a change of its own, kept (rc 0) or rolled back. */
static void event_in_change(struct fixture *f, struct gr_json *fields, int rc)
{
	struct gr_turn_change change;

	CHECK_INT(gr_turn_begin(f->services.turn, &change), ==, 0);
	CHECK_INT(gr_live_event(f->services.live, f->lena.id, NULL, fields), ==, 0);
	CHECK_INT(gr_turn_end(f->services.turn, &change, rc), ==, rc);
	CHECK_INT(gr_turn_flush(f->services.turn), ==, 0);
}

static struct gr_json *nudge_event(int id)
{
	return gr_json_pack("{s:s, s:{s:i, s:s}}", "event", "nudge", "nudge", "nudge", id, "body",
			    "Come and see me.");
}

static void test_kinds(void)
{
	struct gr_json *pass = gr_json_pack("{s:s}", "action", "pass");
	struct gr_json *extend = gr_json_pack("{s:s}", "action", "extend");

	CHECK_STR(gr_inbox_kind("review.assigned", NULL), "review_assigned");
	CHECK_STR(gr_inbox_kind("review.received", NULL), "verdict");
	CHECK_STR(gr_inbox_kind("review.decided", pass), "verdict");
	CHECK(gr_inbox_kind("review.decided", extend) == NULL); /* more time is no verdict */
	CHECK_STR(gr_inbox_kind("help.offered", NULL), "help_request");
	CHECK_STR(gr_inbox_kind("reflection.comment", NULL), "reflection_comment");
	CHECK_STR(gr_inbox_kind("nudge", NULL), "nudge");
	CHECK_STR(gr_inbox_kind("project.feedback", NULL), "partner_feedback");
	CHECK_STR(gr_inbox_kind("project.proposed", NULL), "project_proposed");
	CHECK(gr_inbox_kind("progress", NULL) == NULL);
	CHECK(gr_inbox_kind("help.message", NULL) == NULL);
	CHECK(gr_inbox_kind("review.expired", NULL) == NULL);
	CHECK(gr_inbox_kind(NULL, NULL) == NULL);
	gr_json_free(pass);
	gr_json_free(extend);
}

struct first {
	int64_t seq;
	char kind[32];
	int count;
};

static int note_first(const struct gr_store_notification *row, void *payload)
{
	struct first *first = payload;

	if (first->count++ == 0) {
		first->seq = row->seq;
		snprintf(first->kind, sizeof first->kind, "%s", row->kind);
	}
	return 0;
}

static void test_same_change(void)
{
	struct fixture f;
	struct first first = { 0 };
	int64_t from = 0, last = 0;

	fixture_open(&f);
	/* Rolled back: neither the event nor its notification. */
	event_in_change(&f, nudge_event(1), GR_ERROR);
	CHECK_INT(unread(&f), ==, 0);
	CHECK_INT(gr_store_event_range(f.store, f.lena.id, &from, &last), ==, 0);
	CHECK_INT(last, ==, 0);
	/* Kept: one of each, the notification naming the event. */
	event_in_change(&f, nudge_event(2), 0);
	CHECK_INT(unread(&f), ==, 1);
	CHECK_INT(gr_store_event_range(f.store, f.lena.id, &from, &last), ==, 0);
	CHECK_INT(gr_store_notification_each(f.store, f.lena.id, 10, note_first, &first), ==, 0);
	CHECK_INT(first.seq, ==, last);
	CHECK_STR(first.kind, "nudge");
	/* An event that asks nothing of her makes none. */
	event_in_change(&f, gr_json_pack("{s:s, s:s}", "event", "help.closed", "state", "expired"), 0);
	CHECK_INT(unread(&f), ==, 1);
	fixture_close(&f);
}

static void test_bounded(void)
{
	struct fixture f;
	struct first first = { 0 };

	fixture_open(&f);
	for (int i = 0; i < GR_STORE_NOTIFICATION_KEEP + 5; i++)
		event_in_change(&f, nudge_event(i + 1), 0);
	CHECK_INT(unread(&f), ==, GR_STORE_NOTIFICATION_KEEP);
	CHECK_INT(gr_store_notification_each(f.store, f.lena.id, 1000, note_first, &first), ==, 0);
	CHECK_INT(first.count, ==, GR_STORE_NOTIFICATION_KEEP);
	CHECK_INT(first.seq, ==, GR_STORE_NOTIFICATION_KEEP + 5); /* the newest kept */
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	gr_git_init();
	RUN(test_kinds);
	RUN(test_same_change);
	RUN(test_bounded);
	gr_git_shutdown();
	return harness_done();
}
