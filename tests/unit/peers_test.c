/*
 * peers_test.c - peers' work after passing (daemon/services/peers.c) with a
 * real store and track: nobody reads shared work before their own passed,
 * work is shared anonymously or with a name and withdrawn at once, a
 * reader thanks an author once (the author told once), and only the author
 * shares their own passed work.
 */
#include "core/log.h"
#include "services/live.h"
#include "services/peers.h"
#include "store/progress.h"
#include "store/submission.h"
#include "store/user.h"
#include "tracks/git.h"

#include "client.h"
#include "demo.h"
#include "harness.h"

#include <jansson.h>

struct fixture {
	char *dir;
	char db[512];
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_library *library;
	struct demo_services services;
	struct gr_peers *peers;
	struct gr_user lena, sam, ana, kim;
	int64_t lena_work, sam_work, ana_work;
	struct gr_client lena_tab, sam_tab, ana_tab, kim_tab;
};

static void make_track(const char *dir)
{
	harness_write_file(dir, "track.md", "# Demo\n\nA demo track.\n\n## Basics\n\n"
					    "- [One](one.md)\n- [Project](project.md)\n");
	harness_write_file(dir, "one.md", "---\nid: one\n---\n# One\n\nFirst.\n");
	harness_write_file(dir, "project.md", "---\nid: project\nkind: project\nreviews: 2\n---\n"
					      "# Project\n\nMake it.\n");
	harness_git_commit(dir);
}

static void add_user(struct fixture *f, struct gr_user *user, const char *handle,
		     enum gr_role role)
{
	memset(user, 0, sizeof(*user));
	snprintf(user->handle, sizeof(user->handle), "%s", handle);
	snprintf(user->display_name, sizeof(user->display_name), "%s the Great", handle);
	snprintf(user->cohort, sizeof(user->cohort), "c1");
	snprintf(user->password_hash, sizeof(user->password_hash), "x");
	user->role = role;
	user->created_at = fake_now;
	CHECK_INT(gr_store_user_insert(f->store, user), ==, 0);
}

/* A submission of user on the project, whose progress is state. */
static int64_t work(struct fixture *f, const struct gr_user *user, enum gr_progress_state state)
{
	struct gr_store_submission submission = { 0 };
	struct gr_store_progress row = { 0 };

	submission.user_id = user->id;
	submission.track_id = "demo";
	submission.step_id = "project";
	submission.track_commit = "0";
	submission.body_md = "My *page*.";
	submission.body_html = "<p>My <em>page</em>.</p>\n";
	submission.link = "https://example.org/page";
	submission.created_at = fake_now;
	CHECK_INT(gr_store_submission_insert(f->store, &submission), ==, 0);
	snprintf(row.track_id, sizeof row.track_id, "demo");
	snprintf(row.step_id, sizeof row.step_id, "project");
	row.state = state;
	row.started_at = row.updated_at = fake_now;
	CHECK_INT(gr_store_progress_put(f->store, user->id, &row), ==, 0);
	return submission.id;
}

static void client_open(struct fixture *f, struct gr_client *client, const struct gr_user *user)
{
	memset(client, 0, sizeof(*client));
	client->user = *user;
	CHECK_INT(gr_live_client_open(f->services.live, client), ==, 0);
	demo_hello(f->services.live, client);
}

static void fixture_open(struct fixture *f)
{
	struct demo_wiring wiring;

	memset(f, 0, sizeof(*f));
	f->dir = harness_temp_dir();
	demo_open(f->dir, make_track, f->db, sizeof f->db, &f->store, &f->workers, &f->library);
	demo_wiring_defaults(&wiring);
	demo_services_start(&f->services, f->store, f->library, &wiring);
	CHECK_INT(gr_peers_new(&f->peers, f->store, f->library, f->services.turn, fake_clock), ==, 0);
	CHECK_INT(gr_peers_attach(f->peers, f->services.live), ==, 0);
	add_user(f, &f->lena, "lena", GR_ROLE_LEARNER);
	add_user(f, &f->sam, "sam", GR_ROLE_LEARNER);
	add_user(f, &f->ana, "ana", GR_ROLE_LEARNER);
	add_user(f, &f->kim, "kim", GR_ROLE_COACH);
	f->lena_work = work(f, &f->lena, GR_PROGRESS_PASSED);
	f->sam_work = work(f, &f->sam, GR_PROGRESS_PASSED);
	f->ana_work = work(f, &f->ana, GR_PROGRESS_IN_REVIEW);
	client_open(f, &f->lena_tab, &f->lena);
	client_open(f, &f->sam_tab, &f->sam);
	client_open(f, &f->ana_tab, &f->ana);
	client_open(f, &f->kim_tab, &f->kim);
}

static void fixture_close(struct fixture *f)
{
	gr_live_client_close(f->services.live, &f->lena_tab);
	gr_live_client_close(f->services.live, &f->sam_tab);
	gr_live_client_close(f->services.live, &f->ana_tab);
	gr_live_client_close(f->services.live, &f->kim_tab);
	gr_peers_attach(f->peers, NULL);
	demo_services_stop(&f->services);
	gr_peers_free(f->peers);
	gr_library_free(f->library);
	gr_workers_stop(f->workers);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

#define LIST "{\"type\":\"peers.list\",\"id\":2,\"track\":\"demo\",\"step\":\"project\"}"
#define SHARE "{\"type\":\"submission.share\",\"id\":3,\"submission\":%lld,\"share\":\"%s\"}"
#define THANK "{\"type\":\"submission.thank\",\"id\":4,\"submission\":%lld}"

/* Share the work (by its author's connection), expecting ok. */
static void share(struct fixture *f, struct gr_client *author, int64_t id, const char *how)
{
	json_t *reply = demo_request(f->services.live, author, "ok", SHARE, (long long)id, how);

	CHECK_STR(text_of(reply, "share"), how);
	json_decref(reply);
}

/* peers.list as reader sees it: the peers' list (a new reference). */
static json_t *peers_seen(struct fixture *f, struct gr_client *reader)
{
	json_t *reply = demo_request(f->services.live, reader, "ok", LIST);
	json_t *list = json_incref(json_object_get(reply, "peers"));

	json_decref(reply);
	return list;
}

static void test_no_spoilers(void)
{
	struct fixture f;
	json_t *reply, *list;

	fixture_open(&f);
	share(&f, &f.lena_tab, f.lena_work, "named");
	json_decref(demo_request(f.services.live, &f.ana_tab, "forbidden", LIST)); /* hers is in review */
	json_decref(demo_request(f.services.live, &f.ana_tab, "forbidden", THANK, (long long)f.lena_work));
	json_decref(demo_request(f.services.live, &f.sam_tab, "not_found",
			    "{\"type\":\"peers.list\",\"id\":5,\"track\":\"demo\",\"step\":\"one\"}"));
	json_decref(demo_request(f.services.live, &f.sam_tab, "not_found",
			    "{\"type\":\"peers.list\",\"id\":5,\"track\":\"nope\",\"step\":\"one\"}"));
	/* A coach reads what is shared without passing anything, and has no work of their own. */
	reply = demo_request(f.services.live, &f.kim_tab, "ok", LIST);
	CHECK(json_is_null(json_object_get(reply, "mine")));
	list = json_object_get(reply, "peers");
	CHECK_INT(json_array_size(list), ==, 1);
	CHECK_INT(int_of(json_array_get(list, 0), "submission"), ==, f.lena_work);
	json_decref(reply);
	fixture_close(&f);
}

static void test_share_and_withdraw(void)
{
	struct fixture f;
	json_t *reply, *list, *item;

	fixture_open(&f);
	list = peers_seen(&f, &f.sam_tab); /* not shared: the default */
	CHECK_INT(json_array_size(list), ==, 0);
	json_decref(list);
	share(&f, &f.lena_tab, f.lena_work, "anonymous");
	list = peers_seen(&f, &f.sam_tab);
	CHECK_INT(json_array_size(list), ==, 1);
	item = json_array_get(list, 0);
	CHECK(json_is_null(json_object_get(item, "author")));
	CHECK_STR(text_of(item, "body_html"), "<p>My <em>page</em>.</p>\n");
	CHECK_STR(text_of(item, "link"), "https://example.org/page");
	{
		char *text = json_dumps(item, 0);

		CHECK(strstr(text, "lena") == NULL); /* nothing names her */
		free(text);
	}
	json_decref(list);
	share(&f, &f.lena_tab, f.lena_work, "named");
	list = peers_seen(&f, &f.sam_tab);
	item = json_object_get(json_array_get(list, 0), "author");
	CHECK_STR(text_of(item, "handle"), "lena");
	CHECK_STR(text_of(item, "display_name"), "lena the Great");
	json_decref(list);
	/* Her own list has her choice, not her work among the peers'. */
	reply = demo_request(f.services.live, &f.lena_tab, "ok", LIST);
	CHECK_STR(text_of(json_object_get(reply, "mine"), "share"), "named");
	CHECK_INT(json_array_size(json_object_get(reply, "peers")), ==, 0);
	json_decref(reply);
	share(&f, &f.lena_tab, f.lena_work, "none"); /* withdrawn at once */
	list = peers_seen(&f, &f.sam_tab);
	CHECK_INT(json_array_size(list), ==, 0);
	json_decref(list);
	json_decref(demo_request(f.services.live, &f.sam_tab, "not_found", THANK, (long long)f.lena_work));
	/* Only the author shares, only passed work, only a known choice. */
	json_decref(demo_request(f.services.live, &f.sam_tab, "forbidden", SHARE, (long long)f.lena_work, "named"));
	json_decref(demo_request(f.services.live, &f.kim_tab, "forbidden", SHARE, (long long)f.lena_work, "named"));
	json_decref(demo_request(f.services.live, &f.ana_tab, "conflict", SHARE, (long long)f.ana_work, "named"));
	json_decref(demo_request(f.services.live, &f.lena_tab, "bad_value", SHARE, (long long)f.lena_work, "all"));
	json_decref(demo_request(f.services.live, &f.lena_tab, "not_found", SHARE, 999LL, "named"));
	fixture_close(&f);
}

static void test_thank_once(void)
{
	struct fixture f;
	json_t *reply, *event;
	int thanked_events = 0;

	fixture_open(&f);
	share(&f, &f.lena_tab, f.lena_work, "anonymous");
	drain(&f.lena_tab);
	reply = demo_request(f.services.live, &f.sam_tab, "ok", THANK, (long long)f.lena_work);
	CHECK_INT(int_of(reply, "thanks"), ==, 1);
	CHECK(json_is_true(json_object_get(reply, "thanked")));
	json_decref(reply);
	reply = demo_request(f.services.live, &f.sam_tab, "ok", THANK, (long long)f.lena_work); /* again: the same */
	CHECK_INT(int_of(reply, "thanks"), ==, 1);
	json_decref(reply);
	reply = demo_request(f.services.live, &f.kim_tab, "ok", THANK, (long long)f.lena_work); /* a coach's */
	CHECK_INT(int_of(reply, "thanks"), ==, 2);
	json_decref(reply);
	while ((event = next(&f.lena_tab)) != NULL) { /* the author is told once per reader */
		if (strcmp(text_of(event, "event"), "submission.thanked") == 0) {
			thanked_events++;
			CHECK_INT(int_of(event, "submission"), ==, f.lena_work);
			CHECK_INT(int_of(event, "thanks"), ==, thanked_events);
		}
		json_decref(event);
	}
	CHECK_INT(thanked_events, ==, 2);
	json_decref(demo_request(f.services.live, &f.lena_tab, "forbidden", THANK, (long long)f.lena_work));
	reply = demo_request(f.services.live, &f.lena_tab, "ok", LIST); /* the author sees how many thanked her */
	CHECK_INT(int_of(json_object_get(reply, "mine"), "thanks"), ==, 2);
	json_decref(reply);
	reply = demo_request(f.services.live, &f.sam_tab, "ok", LIST);
	CHECK(json_is_true(json_object_get(json_array_get(json_object_get(reply, "peers"), 0),
					   "thanked")));
	json_decref(reply);
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	gr_git_init();
	RUN(test_no_spoilers);
	RUN(test_share_and_withdraw);
	RUN(test_thank_once);
	gr_git_shutdown();
	return harness_done();
}
