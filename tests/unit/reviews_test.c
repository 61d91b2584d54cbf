/*
 * reviews_test.c - the review service (daemon/reviews.c) behind the live
 * service, with a real store in a temporary directory, a track loaded from
 * a fixture git repository, a fake clock, and clients that are plain
 * structs: peers who passed the step are assigned a submission; reviews
 * lead to the verdict and its progress event; needs work brings a
 * resubmission back to the same reviewers; only the assignee or the
 * author may read a submission; ratings and flags are the author's; a
 * restart rebuilds the same engine from the logged inputs; an expired lease
 * is reassigned; a tick without effects is not logged; names are shown
 * only when reviews are not double-blind. Snapshots: a rebuild from a
 * snapshot and the inputs after it, and a full replay, both give the engine
 * that never stopped; snapshots are made at their cadence and the inputs
 * before the older of two pruned; an unreadable snapshot falls back to an
 * older one or a replay, or, when the inputs it needs were pruned, stops
 * the start with a message; a failed change still rebuilds the engine.
 */
#include "core/error.h"
#include "tracks/git.h"
#include "tracks/library.h"
#include "services/live.h"
#include "core/log.h"
#include "core/metrics.h"
#include "services/reviews.h"
#include "store/cohort.h"
#include "store/assignment.h"
#include "store/event.h"
#include "store/progress.h"
#include "store/review.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "store/user.h"
#include "core/workers.h"

#include "client.h"
#include "demo.h"
#include "harness.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>

#define HOUR_MS (60 * 60 * 1000LL)

static int double_blind = 1;	   /* the review service's setting for the next fixture */
static int snapshot_inputs = 1000; /* likewise */
enum { LENA, SAM, ANA, ELI, KIM, PEOPLE };

struct fixture {
	char *dir;
	char db[512];
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_library *library;
	struct demo_services services;
	struct gr_reviews *reviews;
	struct gr_live *live;
	struct gr_user users[PEOPLE];
	struct gr_client clients[PEOPLE];
	int connected[PEOPLE];
};

/* A track "demo": a lesson, and a project needing 2 reviews with a 2-item checklist. */
static void make_track(const char *dir)
{
	harness_write_file(dir, "track.md",
		   "# Demo\n\nA demo track.\n\n## Basics\n\n- [One](one.md)\n"
		   "- [Project](project.md)\n");
	harness_write_file(dir, "one.md", "---\nid: one\n---\n# One\n\nFirst.\n");
	harness_write_file(dir, "project.md",
		   "---\nid: project\nkind: project\nreviews: 2\n---\n# Project\n\nMake it.\n\n"
		   "## Review checklist\n\n- [ ] It works\n- [ ] It is tidy\n");
	harness_git_commit(dir);
}

static void add_user(struct fixture *f, int who, const char *handle, enum gr_role role)
{
	struct gr_user *user = &f->users[who];

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

/* The review and live services on the fixture's store (again, after a restart). */
static void services_start(struct fixture *f)
{
	struct gr_reviews_settings review_settings;
	struct demo_wiring wiring;

	gr_reviews_settings_defaults(&review_settings);
	review_settings.clock = fake_clock;
	review_settings.double_blind = double_blind;
	review_settings.snapshot_inputs = snapshot_inputs;
	demo_wiring_defaults(&wiring);
	wiring.reviews = &review_settings;
	demo_services_start(&f->services, f->store, f->library, &wiring);
	f->reviews = f->services.reviews;
	f->live = f->services.live;
}

static void services_stop(struct fixture *f)
{
	for (int i = 0; i < PEOPLE; i++)
		if (f->connected[i])
			gr_live_client_close(f->live, &f->clients[i]);
	memset(f->connected, 0, sizeof(f->connected));
	demo_services_stop(&f->services);
	f->live = NULL;
	f->reviews = NULL;
}

static void fixture_open(struct fixture *f)
{

	memset(f, 0, sizeof(*f));
	f->dir = harness_temp_dir();
	demo_open(f->dir, make_track, f->db, sizeof f->db, &f->store, &f->workers, &f->library);
	add_user(f, LENA, "lena", GR_ROLE_LEARNER);
	add_user(f, SAM, "sam", GR_ROLE_LEARNER);
	add_user(f, ANA, "ana", GR_ROLE_LEARNER);
	add_user(f, ELI, "eli", GR_ROLE_LEARNER);
	add_user(f, KIM, "kim", GR_ROLE_COACH);
	services_start(f);
}

static void fixture_close(struct fixture *f)
{
	services_stop(f);
	gr_library_free(f->library);
	gr_workers_stop(f->workers);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

static void say(struct fixture *f, int who, const char *text)
{
	gr_live_receive(f->live, &f->clients[who], text, strlen(text));
}

/* Open a connection for who and say hello. */
static void connect_user(struct fixture *f, int who)
{
	memset(&f->clients[who], 0, sizeof(f->clients[who]));
	f->clients[who].user = f->users[who];
	CHECK_INT(gr_live_client_open(f->live, &f->clients[who]), ==, 0);
	f->connected[who] = 1;
	say(f, who, "{\"type\":\"hello\",\"id\":1}");
	gr_live_flush(f->live);
	drain(&f->clients[who]);
}

/*
 * Send a request and expect its reply with code ("ok" or an error code);
 * the caller decrefs. Pushes queued before the reply are skipped.
 */
static json_t *request(struct fixture *f, int who, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static json_t *request(struct fixture *f, int who, const char *expected, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	demo_vsay(f->live, &f->clients[who], fmt, ap);
	va_end(ap);
	return demo_reply(f->live, &f->clients[who], expected);
}

static void expect(struct fixture *f, int who, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void expect(struct fixture *f, int who, const char *expected, const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	json_decref(request(f, who, expected, "%s", text));
}

/* The first push named event queued for who (others skipped), or NULL; caller decrefs. */
static json_t *push_named(struct fixture *f, int who, const char *event)
{
	json_t *json;

	while ((json = next(&f->clients[who])) != NULL) {
		if (strcmp(text_of(json, "type"), "event") == 0 &&
		    strcmp(text_of(json, "event"), event) == 0)
			return json;
		json_decref(json);
	}
	return NULL;
}

/* who passed the project before the engine knew the step (an older grounds). */
static void passed_before(struct fixture *f, int who)
{
	struct gr_store_progress row = {
	    .track_id = "demo", .step_id = "project", .state = GR_PROGRESS_PASSED};

	row.started_at = row.finished_at = row.updated_at = fake_now;
	CHECK_INT(gr_store_progress_put(f->store, f->users[who].id, &row), ==, 0);
}

static void submit(struct fixture *f, int who)
{
	expect(f, who, "ok",
	       "{\"type\":\"progress.set\",\"id\":2,\"track\":\"demo\",\"step\":\"project\","
	       "\"state\":\"started\"}");
	expect(f, who, "ok",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"demo\",\"step\":\"project\","
	       "\"body_md\":\"# My page\\n\\nMade **by me** <script>alert(1)</script>\","
	       "\"link\":\"https://example.org/page\"}");
}

static const char *progress_state(struct fixture *f, int who, char *out, size_t size)
{
	struct gr_store_progress row;

	snprintf(out, size, "(none)");
	if (gr_store_progress_get(f->store, &row, f->users[who].id, "demo", "project") == 0)
		snprintf(out, size, "%s", gr_progress_state_name(row.state));
	return out;
}

static int64_t reviewer_of(struct fixture *f, int64_t assignment)
{
	struct gr_review_assignment_info info;

	if (gr_review_assignment_get(&info, gr_reviews_engine(f->reviews), assignment) != 0)
		return 0;
	return info.reviewer_id;
}

static int who_is(struct fixture *f, int64_t user_id)
{
	for (int i = 0; i < PEOPLE; i++)
		if (f->users[i].id == user_id)
			return i;
	return -1;
}

static int count_input(const struct gr_store_review_input *input, void *payload)
{
	(void)input;
	(*(int *)payload)++;
	return 0;
}

static int input_count(struct fixture *f)
{
	int count = 0;

	CHECK_INT(gr_store_review_input_each(f->store, count_input, &count), ==, 0);
	return count;
}

#define REVIEW(assignment, verdict, comment)                                                       \
	"{\"type\":\"review.submit\",\"id\":5,\"assignment\":%d,\"verdict\":\"" verdict "\","      \
	"\"checks\":[true,false],\"comment_md\":\"" comment "\"}",                                 \
	    (int)(assignment)

/* Two peers passed; lena submits; both are assigned, the events say so. */
static void assign_two(struct fixture *f)
{
	json_t *event;
	char state[32];

	passed_before(f, SAM);
	passed_before(f, ANA);
	connect_user(f, LENA);
	connect_user(f, SAM);
	connect_user(f, ANA);
	connect_user(f, KIM);
	expect(f, KIM, "ok", "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"board:c1/demo\"}");
	submit(f, LENA);
	CHECK_STR(progress_state(f, LENA, state, sizeof state), "in_review");
	CHECK_INT(who_is(f, reviewer_of(f, 1)), !=, who_is(f, reviewer_of(f, 2)));
	for (int who = SAM; who <= ANA; who++) {
		CHECK((event = push_named(f, who, "review.assigned")) != NULL);
		CHECK_STR(text_of(event, "track"), "demo");
		CHECK_STR(text_of(event, "step"), "project");
		CHECK_STR(text_of(event, "title"), "Project");
		CHECK_INT(int_of(event, "due_at"), >, fake_now);
		CHECK_INT(reviewer_of(f, int_of(event, "assignment")), ==, f->users[who].id);
		json_decref(event);
	}
	CHECK((event = push_named(f, LENA, "submission")) != NULL);
	CHECK_STR(text_of(event, "state"), "submitted");
	json_decref(event);
	CHECK((event = push_named(f, LENA, "progress")) != NULL);
	CHECK_STR(text_of(event, "state"), "in_review");
	json_decref(event);
}

/* The assignment id of who's assignment among 1 and 2. */
static int assignment_of(struct fixture *f, int who)
{
	return reviewer_of(f, 1) == f->users[who].id ? 1 : 2;
}

static void test_assigned_and_passed(void)
{
	struct fixture f;
	json_t *reply, *event;
	char state[32];

	fixture_open(&f);
	assign_two(&f);
	reply = request(&f, SAM, "ok", "{\"type\":\"review.list\",\"id\":4}");
	CHECK_INT(json_array_size(json_object_get(reply, "assignments")), ==, 1);
	CHECK_STR(text_of(json_array_get(json_object_get(reply, "assignments"), 0), "state"),
		  "assigned");
	CHECK(!json_object_get(json_array_get(json_object_get(reply, "assignments"), 0), "author"));
	json_decref(reply);
	reply = request(&f, SAM, "ok", "{\"type\":\"review.get\",\"id\":4,\"assignment\":%d}",
			assignment_of(&f, SAM));
	CHECK(!json_object_get(reply, "author"));
	CHECK_INT(json_array_size(json_object_get(reply, "rubric")), ==, 2);
	CHECK_CONTAINS(text_of(reply, "body_html"), "<strong>by me</strong>");
	CHECK_NOT_CONTAINS(text_of(reply, "body_html"), "<script>");
	CHECK_STR(text_of(reply, "link"), "https://example.org/page");
	{
		char *dump = json_dumps(reply, 0);

		CHECK_NOT_CONTAINS(dump, "lena"); /* double-blind */
		free(dump);
	}
	json_decref(reply);
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "pass", "Nice."));
	expect(&f, SAM, "conflict", REVIEW(assignment_of(&f, SAM), "pass", "Again."));
	CHECK((event = push_named(&f, LENA, "review.received")) != NULL);
	CHECK_STR(text_of(event, "verdict"), "pass");
	json_decref(event);
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "in_review");
	expect(&f, ANA, "ok", REVIEW(assignment_of(&f, ANA), "pass", ""));
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "passed");
	CHECK((event = push_named(&f, LENA, "progress")) != NULL);
	CHECK_STR(text_of(event, "state"), "passed");
	json_decref(event);
	CHECK((event = push_named(&f, KIM, "progress")) != NULL); /* the board */
	json_decref(event);
	reply = request(
	    &f, LENA, "ok",
	    "{\"type\":\"submission.get\",\"id\":6,\"track\":\"demo\",\"step\":\"project\"}");
	CHECK_STR(text_of(reply, "state"), "passed");
	CHECK_INT(json_array_size(json_object_get(reply, "reviews")), ==, 2);
	CHECK_INT(int_of(json_object_get(reply, "standing"), "done"), ==, 2);
	for (size_t i = 0; i < 2; i++)
		CHECK(!json_object_get(json_array_get(json_object_get(reply, "reviews"), i),
				       "reviewer"));
	json_decref(reply);
	fixture_close(&f);
}

/* With double_blind off, the reviewer sees the author and the author the reviewers. */
static void test_names_shown(void)
{
	struct fixture f;
	json_t *reply, *person;

	double_blind = 0;
	fixture_open(&f);
	assign_two(&f);
	reply = request(&f, SAM, "ok", "{\"type\":\"review.list\",\"id\":4}");
	person =
	    json_object_get(json_array_get(json_object_get(reply, "assignments"), 0), "author");
	CHECK_STR(text_of(person, "handle"), "lena");
	CHECK_STR(text_of(person, "display_name"), f.users[LENA].display_name);
	json_decref(reply);
	reply = request(&f, SAM, "ok", "{\"type\":\"review.get\",\"id\":4,\"assignment\":%d}",
			assignment_of(&f, SAM));
	person = json_object_get(reply, "author");
	CHECK_STR(text_of(person, "handle"), "lena");
	CHECK_STR(text_of(person, "display_name"), f.users[LENA].display_name);
	json_decref(reply);
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "pass", "Nice."));
	expect(&f, ANA, "ok", REVIEW(assignment_of(&f, ANA), "needs_work", "More."));
	reply = request(
	    &f, LENA, "ok",
	    "{\"type\":\"submission.get\",\"id\":6,\"track\":\"demo\",\"step\":\"project\"}");
	CHECK_INT(json_array_size(json_object_get(reply, "reviews")), ==, 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *review = json_array_get(json_object_get(reply, "reviews"), i);
		const char *handle;

		person = json_object_get(review, "reviewer");
		handle = text_of(person, "handle");
		CHECK(strcmp(handle, "sam") == 0 || strcmp(handle, "ana") == 0);
		CHECK_STR(text_of(person, "display_name"), handle);
	}
	json_decref(reply);
	fixture_close(&f);
	double_blind = 1;
}

static void test_refusals(void)
{
	struct fixture f;
	json_t *reply;
	int64_t review;

	fixture_open(&f);
	assign_two(&f);
	connect_user(&f, ELI);
	/* Only the assignee reads the work; the author reads their own with submission.get. */
	expect(&f, LENA, "forbidden", "{\"type\":\"review.get\",\"id\":4,\"assignment\":1}");
	expect(&f, ELI, "forbidden", "{\"type\":\"review.get\",\"id\":4,\"assignment\":1}");
	expect(&f, ANA, "forbidden", "{\"type\":\"review.get\",\"id\":4,\"assignment\":%d}",
	       assignment_of(&f, SAM));
	expect(&f, ANA, "not_found", "{\"type\":\"review.get\",\"id\":4,\"assignment\":99}");
	expect(&f, ELI, "not_found",
	       "{\"type\":\"submission.get\",\"id\":6,\"track\":\"demo\",\"step\":\"project\"}");
	expect(&f, ELI, "forbidden", REVIEW(1, "pass", ""));
	expect(&f, SAM, "bad_value", REVIEW(assignment_of(&f, SAM), "needs_work", " "));
	expect(&f, SAM, "bad_value", REVIEW(assignment_of(&f, SAM), "maybe", "x"));
	expect(&f, SAM, "bad_value",
	       "{\"type\":\"review.submit\",\"id\":5,\"assignment\":%d,\"verdict\":\"pass\","
	       "\"checks\":[true]}",
	       assignment_of(&f, SAM));
	reply = request(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "needs_work", "Add *alt*."));
	review = int_of(reply, "review");
	json_decref(reply);
	/* Ratings and flags are the author's. */
	expect(&f, SAM, "forbidden",
	       "{\"type\":\"review.rate\",\"id\":7,\"review\":%d,\"helpfulness\":5}", (int)review);
	expect(&f, LENA, "bad_value",
	       "{\"type\":\"review.rate\",\"id\":7,\"review\":%d,\"helpfulness\":6}", (int)review);
	expect(&f, LENA, "ok",
	       "{\"type\":\"review.rate\",\"id\":7,\"review\":%d,\"helpfulness\":4}", (int)review);
	expect(&f, ANA, "forbidden",
	       "{\"type\":\"review.flag\",\"id\":8,\"review\":%d,\"reason\":\"rude\"}",
	       (int)review);
	expect(&f, LENA, "ok",
	       "{\"type\":\"review.flag\",\"id\":8,\"review\":%d,\"reason\":\"rude\"}",
	       (int)review);
	reply = request(
	    &f, LENA, "ok",
	    "{\"type\":\"submission.get\",\"id\":6,\"track\":\"demo\",\"step\":\"project\"}");
	{
		json_t *first = json_array_get(json_object_get(reply, "reviews"), 0);

		CHECK_INT(int_of(first, "helpfulness"), ==, 4);
		CHECK(json_is_true(json_object_get(first, "flagged")));
		CHECK_CONTAINS(text_of(first, "comment_html"), "<em>alt</em>");
	}
	json_decref(reply);
	/* A declined review goes to someone else: eli, who has not passed, cannot take it. */
	expect(&f, ANA, "ok", "{\"type\":\"review.decline\",\"id\":9,\"assignment\":%d}",
	       assignment_of(&f, ANA));
	expect(&f, ANA, "forbidden", "{\"type\":\"review.get\",\"id\":4,\"assignment\":%d}",
	       assignment_of(&f, ANA));
	fixture_close(&f);
}

/* Needs work from both: the author resubmits, and the same reviewers are asked again. */
static void test_needs_work_and_resubmit(void)
{
	struct fixture f;
	json_t *event;
	char state[32];
	int64_t sam = 0, ana = 0;

	fixture_open(&f);
	assign_two(&f);
	sam = f.users[SAM].id;
	ana = f.users[ANA].id;
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "needs_work", "No alt text."));
	expect(&f, ANA, "ok", REVIEW(assignment_of(&f, ANA), "needs_work", "Too short."));
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "needs_work");
	CHECK((event = push_named(&f, LENA, "progress")) != NULL);
	CHECK_STR(text_of(event, "state"), "needs_work");
	json_decref(event);
	expect(&f, LENA, "ok",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"demo\",\"step\":\"project\","
	       "\"body_md\":\"Better now.\"}");
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "in_review");
	CHECK(reviewer_of(&f, 3) == sam || reviewer_of(&f, 3) == ana);
	CHECK(reviewer_of(&f, 4) == sam || reviewer_of(&f, 4) == ana);
	CHECK_INT(reviewer_of(&f, 3), !=, reviewer_of(&f, 4));
	fixture_close(&f);
}

/* Stop everything, reopen the store, start again: the same engine. */
static void restart(struct fixture *f)
{
	services_stop(f);
	gr_store_close(f->store);
	CHECK_INT(gr_store_open(&f->store, f->db), ==, 0);
	services_start(f);
}

static void test_replay(void)
{
	struct gr_review_assignment_info before[2], after;
	struct fixture f;
	int64_t first = 0, last_before = 0, last_after = 0;
	char state[32];

	fixture_open(&f);
	assign_two(&f);
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "pass", ""));
	for (int i = 0; i < 2; i++)
		CHECK_INT(gr_review_assignment_get(&before[i], gr_reviews_engine(f.reviews), i + 1),
			  ==, 0);
	gr_store_event_range(f.store, f.users[LENA].id, &first, &last_before);
	restart(&f);
	gr_store_event_range(f.store, f.users[LENA].id, &first, &last_after);
	CHECK_INT(last_after, ==, last_before); /* the replay wrote no events */
	for (int i = 0; i < 2; i++) {
		CHECK_INT(gr_review_assignment_get(&after, gr_reviews_engine(f.reviews), i + 1), ==,
			  0);
		CHECK_INT(after.reviewer_id, ==, before[i].reviewer_id);
		CHECK_INT(after.submission_id, ==, before[i].submission_id);
		CHECK_INT(after.state, ==, before[i].state);
		CHECK_INT(after.due_at, ==, before[i].due_at);
	}
	CHECK_INT(gr_review_assignment_get(&after, gr_reviews_engine(f.reviews), 3), ==,
		  GR_ENOTFOUND);
	connect_user(&f, LENA);
	connect_user(&f, ANA);
	expect(&f, ANA, "ok", "{\"type\":\"review.list\",\"id\":4}");
	expect(&f, ANA, "ok", REVIEW(assignment_of(&f, ANA), "pass", ""));
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "passed");
	fixture_close(&f);
}

static void disconnect(struct fixture *f, int who)
{
	gr_live_client_close(f->live, &f->clients[who]);
	f->connected[who] = 0;
	gr_live_flush(f->live);
}

/*
 * Leases follow presence: nobody offline is assigned; a lease left unopened
 * goes back an hour after its reviewer left; an opened one runs 48 hours
 * and then expires; ticks with nothing to do are not logged.
 */
static void test_lease_expiry(void)
{
	struct fixture f;
	struct gr_store_assignment row;
	json_t *reply, *standing;
	uint64_t expired;
	int inputs;

	fixture_open(&f);
	passed_before(&f, SAM);
	passed_before(&f, ANA);
	passed_before(&f, ELI);
	connect_user(&f, LENA);
	submit(&f, LENA);
	CHECK_INT(reviewer_of(&f, 1), ==, 0);
	reply = request(
	    &f, LENA, "ok",
	    "{\"type\":\"submission.get\",\"id\":6,\"track\":\"demo\",\"step\":\"project\"}");
	standing = json_object_get(reply, "standing");
	CHECK_STR(text_of(standing, "reason"), "not_online");
	CHECK_INT(int_of(standing, "eligible"), ==, 3);
	json_decref(reply);
	connect_user(&f, SAM);
	connect_user(&f, ANA);
	CHECK(reviewer_of(&f, 1) && reviewer_of(&f, 2));
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	inputs = input_count(&f);
	fake_now += 60 * 1000;
	gr_reviews_tick(f.reviews);
	fake_now += 60 * 1000;
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	CHECK_INT(input_count(&f), ==, inputs);
	/* Sam opens his; both leave. An hour on, Ana's unopened lease goes back. */
	expect(&f, SAM, "ok", "{\"type\":\"review.get\",\"id\":4,\"assignment\":%d}",
	       assignment_of(&f, SAM));
	CHECK_INT(gr_store_assignment_get(f.store, &row, assignment_of(&f, SAM)), ==, 0);
	CHECK_INT(row.due_at, ==, fake_now + 48 * HOUR_MS);
	disconnect(&f, SAM);
	disconnect(&f, ANA);
	expired = gr_metrics_now()->counters[GR_METRICS_LEASES_EXPIRED];
	fake_now += HOUR_MS;
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	CHECK_INT(gr_store_assignment_get(f.store, &row, assignment_of(&f, ANA)), ==, 0);
	CHECK_INT(row.state, ==, GR_REVIEW_EXPIRED);
	CHECK_INT(gr_metrics_now()->counters[GR_METRICS_LEASES_EXPIRED], ==, expired + 1);
	CHECK_INT(gr_store_assignment_get(f.store, &row, assignment_of(&f, SAM)), ==, 0);
	CHECK_INT(row.state, ==, GR_REVIEW_ASSIGNED);
	CHECK_INT(gr_store_assignment_get(f.store, &row, 3), ==, GR_ENOTFOUND);
	/* Eli comes: the open slot is his at once. */
	connect_user(&f, ELI);
	CHECK_INT(gr_store_assignment_get(f.store, &row, 3), ==, 0);
	CHECK_INT(row.reviewer_id, ==, f.users[ELI].id);
	/* Sam's opened lease runs out 48 hours after he opened it. */
	fake_now += 48 * HOUR_MS;
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	CHECK_INT(gr_store_assignment_get(f.store, &row, 1 + (assignment_of(&f, SAM) == 1 ? 0 : 1)),
		  ==, 0);
	CHECK_INT(row.state, ==, GR_REVIEW_EXPIRED);
	/* Eli's, never opened, ran out too: three ended leases counted for /metrics. */
	CHECK_INT(gr_store_assignment_get(f.store, &row, 3), ==, 0);
	CHECK_INT(row.state, ==, GR_REVIEW_EXPIRED);
	CHECK_INT(gr_metrics_now()->counters[GR_METRICS_LEASES_EXPIRED], ==, expired + 3);
	fixture_close(&f);
}

/* "Review something now": a learner online who passed the step takes the oldest waiting. */
static void test_pull(void)
{
	struct fixture f;
	json_t *reply;

	fixture_open(&f);
	passed_before(&f, SAM);
	connect_user(&f, LENA);
	submit(&f, LENA);
	connect_user(&f, ELI);
	connect_user(&f, KIM);
	/* Eli has not passed the step; coaches do not review. */
	expect(&f, ELI, "not_found", "{\"type\":\"review.pull\",\"id\":4}");
	expect(&f, KIM, "forbidden", "{\"type\":\"review.pull\",\"id\":4}");
	connect_user(&f, SAM); /* pushed one at once */
	CHECK_INT(reviewer_of(&f, 1), ==, f.users[SAM].id);
	/* One slot is left, but Sam holds the other: nothing for him to pull. */
	expect(&f, SAM, "not_found", "{\"type\":\"review.pull\",\"id\":4}");
	passed_before(&f, ANA);
	restart(&f);
	connect_user(&f, ANA);
	reply = request(&f, ANA, "ok", "{\"type\":\"review.list\",\"id\":4}");
	CHECK_INT(int_of(reply, "owed"), ==, 0);
	CHECK_INT(int_of(reply, "push_room"), >=, 0);
	json_decref(reply);
	fixture_close(&f);
}

/* The coaches decide a tie, with a note the author reads; it is stored and listed. */
static void test_coach_decides(void)
{
	struct fixture f;
	json_t *reply, *event, *item;
	char state[32];

	fixture_open(&f);
	assign_two(&f);
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "pass", "Nice."));
	expect(&f, ANA, "ok", REVIEW(assignment_of(&f, ANA), "needs_work", "More."));
	/* A tie; nobody else can review it. A day on, it goes to the coaches. */
	fake_now += 25 * HOUR_MS;
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	CHECK((event = push_named(&f, LENA, "review.coach")) != NULL);
	json_decref(event);
	reply = request(
	    &f, LENA, "ok",
	    "{\"type\":\"submission.get\",\"id\":6,\"track\":\"demo\",\"step\":\"project\"}");
	CHECK_STR(text_of(json_object_get(reply, "standing"), "reason"), "coach");
	json_decref(reply);
	reply = request(&f, KIM, "ok",
			"{\"type\":\"review.coach_list\",\"id\":7,\"cohort\":\"c1\",\"track\":\"demo\"}");
	CHECK_INT(json_array_size(json_object_get(reply, "items")), ==, 1);
	item = json_array_get(json_object_get(reply, "items"), 0);
	CHECK_STR(text_of(item, "why"), "tie");
	CHECK_STR(text_of(item, "author"), "lena");
	CHECK_INT(json_array_size(json_object_get(item, "reviews")), ==, 2);
	CHECK_CONTAINS(text_of(item, "body_html"), "<strong>by me</strong>");
	json_decref(reply);
	/* Refusals: a learner, no note, a bad action. */
	expect(&f, SAM, "forbidden",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"extend\"}");
	expect(&f, KIM, "bad_value",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"decide\","
	       "\"verdict\":\"pass\"}");
	expect(&f, KIM, "bad_value",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"shrug\"}");
	expect(&f, KIM, "not_found",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":99,\"action\":\"extend\"}");
	connect_user(&f, ELI); /* has not passed the step: may not be asked */
	expect(&f, KIM, "bad_value",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"assign\","
	       "\"user\":\"eli\"}");
	expect(&f, KIM, "bad_value",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"assign\","
	       "\"user\":\"nobody\"}");
	expect(&f, KIM, "ok",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"decide\","
	       "\"verdict\":\"pass\",\"note\":\"The page works; the alt text can come later.\"}");
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "passed");
	CHECK((event = push_named(&f, LENA, "review.decided")) != NULL);
	CHECK_STR(text_of(event, "action"), "pass");
	CHECK_CONTAINS(text_of(event, "note"), "alt text");
	json_decref(event);
	expect(&f, KIM, "conflict",
	       "{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"extend\"}");
	reply = request(&f, KIM, "ok",
			"{\"type\":\"review.coach_list\",\"id\":7,\"cohort\":\"c1\",\"track\":\"demo\"}");
	CHECK_INT(json_array_size(json_object_get(reply, "items")), ==, 0);
	CHECK_INT(json_array_size(json_object_get(reply, "decisions")), ==, 1);
	CHECK_STR(text_of(json_array_get(json_object_get(reply, "decisions"), 0), "action"), "pass");
	CHECK_STR(text_of(json_array_get(json_object_get(reply, "decisions"), 0), "coach"), "kim");
	json_decref(reply);
	/* The decision replays: a restart gives the same engine. */
	restart(&f);
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "passed");
	fixture_close(&f);
}

/* A flag upheld: the review leaves the verdict, someone else reviews, all are told. */
static void test_flag_upheld(void)
{
	struct fixture f;
	json_t *reply, *event, *flag;
	int64_t review;
	char state[32];

	fixture_open(&f);
	passed_before(&f, ELI);
	assign_two(&f);
	reply = request(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "needs_work", "Bad."));
	review = int_of(reply, "review");
	json_decref(reply);
	expect(&f, ANA, "ok", REVIEW(assignment_of(&f, ANA), "needs_work", "Add alt text."));
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "needs_work");
	expect(&f, LENA, "bad_value",
	       "{\"type\":\"review.flag\",\"id\":8,\"review\":%d,\"reason\":\"x\",\"kind\":\"mean\"}",
	       (int)review);
	expect(&f, LENA, "ok",
	       "{\"type\":\"review.flag\",\"id\":8,\"review\":%d,\"reason\":\"It says only bad\","
	       "\"kind\":\"empty\"}",
	       (int)review);
	reply = request(&f, KIM, "ok",
			"{\"type\":\"review.coach_list\",\"id\":7,\"cohort\":\"c1\",\"track\":\"demo\"}");
	CHECK_INT(json_array_size(json_object_get(reply, "flags")), ==, 1);
	flag = json_array_get(json_object_get(reply, "flags"), 0);
	CHECK_STR(text_of(flag, "kind"), "empty");
	CHECK_STR(text_of(flag, "reason"), "It says only bad");
	CHECK_STR(text_of(flag, "reviewer"), "sam");
	CHECK_INT(int_of(flag, "submission"), ==, 1);
	CHECK_INT(int_of(flag, "upheld"), ==, 0);
	json_decref(reply);
	connect_user(&f, ELI);
	expect(&f, KIM, "bad_value",
	       "{\"type\":\"flag.resolve\",\"id\":9,\"review\":%d,\"action\":\"uphold\"}",
	       (int)review);
	reply = request(&f, KIM, "ok",
			"{\"type\":\"flag.resolve\",\"id\":9,\"review\":%d,\"action\":\"uphold\","
			"\"note\":\"Say what to change, and how.\"}",
			(int)review);
	CHECK_STR(text_of(reply, "outcome"), "upheld");
	CHECK_INT(reviewer_of(&f, int_of(reply, "assignment")), ==, f.users[ELI].id);
	json_decref(reply);
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "in_review");
	CHECK((event = push_named(&f, LENA, "review.flag_resolved")) != NULL);
	CHECK_STR(text_of(event, "outcome"), "upheld");
	CHECK(json_is_true(json_object_get(event, "replaced")));
	json_decref(event);
	CHECK((event = push_named(&f, SAM, "review.flag_upheld")) != NULL);
	CHECK_CONTAINS(text_of(event, "note"), "how");
	json_decref(event);
	expect(&f, KIM, "conflict",
	       "{\"type\":\"flag.resolve\",\"id\":9,\"review\":%d,\"action\":\"dismiss\"}",
	       (int)review);
	reply = request(&f, KIM, "ok",
			"{\"type\":\"review.coach_list\",\"id\":7,\"cohort\":\"c1\",\"track\":\"demo\"}");
	CHECK_INT(json_array_size(json_object_get(reply, "flags")), ==, 0);
	CHECK_STR(text_of(json_array_get(json_object_get(reply, "decisions"), 0), "action"),
		  "uphold");
	json_decref(reply);
	restart(&f);
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "in_review");
	fixture_close(&f);
}

static void exec_sql(struct fixture *f, const char *sql);

/*
 * Eli, who passed the step, in cohort c2; Sam, who passed it too, and Lena in
 * the fixture's: Lena submits, and only Sam may review her work.
 */
static void two_cohorts(struct fixture *f)
{
	fixture_open(f);
	exec_sql(f, "UPDATE users SET cohort = 'c2' WHERE handle = 'eli'");
	passed_before(f, SAM);
	passed_before(f, ELI);
	connect_user(f, SAM);
	connect_user(f, ELI);
	connect_user(f, LENA);
	submit(f, LENA);
	CHECK_INT(reviewer_of(f, 1), ==, f->users[SAM].id);
	CHECK_INT(reviewer_of(f, 2), ==, 0); /* eli is in another cohort */
}

/* Peers review within their cohort; a coach may ask a learner from another one. */
static void test_cohorts(void)
{
	struct fixture f;
	json_t *reply;

	two_cohorts(&f);
	connect_user(&f, KIM);
	reply = request(
	    &f, LENA, "ok",
	    "{\"type\":\"submission.get\",\"id\":6,\"track\":\"demo\",\"step\":\"project\"}");
	CHECK_INT(int_of(json_object_get(reply, "standing"), "open"), ==, 1);
	CHECK_INT(int_of(json_object_get(reply, "standing"), "eligible"), ==, 0);
	json_decref(reply);
	reply = request(&f, KIM, "ok",
			"{\"type\":\"review.coach\",\"id\":8,\"submission\":1,\"action\":\"assign\","
			"\"user\":\"eli\"}");
	CHECK_INT(reviewer_of(&f, int_of(reply, "assignment")), ==, f.users[ELI].id);
	json_decref(reply);
	/* A restart keeps the cohorts (replayed from the inputs). */
	restart(&f);
	CHECK_INT(reviewer_of(&f, 2), ==, f.users[ELI].id);
	fixture_close(&f);
}

/* A learner moved to another cohort while the daemon runs reviews there from their next connection. */
static void test_cohort_change(void)
{
	struct fixture f;

	two_cohorts(&f);
	/* The operator's tool moves eli to lena's cohort; his connections end and he comes back. */
	exec_sql(&f, "UPDATE users SET cohort = (SELECT cohort FROM users WHERE handle = 'lena')"
		     " WHERE handle = 'eli'");
	disconnect(&f, ELI);
	connect_user(&f, ELI);
	CHECK_INT(reviewer_of(&f, 2), ==, f.users[ELI].id);
	/* A restart replays the change. */
	restart(&f);
	CHECK_INT(reviewer_of(&f, 2), ==, f.users[ELI].id);
	fixture_close(&f);
}

/* ---- snapshots ------------------------------------------------------------ */

/* The engine's state as bytes (the caller frees), for comparing engines. */
static unsigned char *engine_bytes(struct fixture *f, size_t *size)
{
	unsigned char *bytes = NULL;

	CHECK_INT(gr_review_snapshot(&bytes, size, gr_reviews_engine(f->reviews)), ==, 0);
	return bytes;
}

static void check_engine_is(struct fixture *f, const unsigned char *bytes, size_t size)
{
	size_t now_size = 0;
	unsigned char *now = engine_bytes(f, &now_size);

	CHECK_INT(now_size, ==, size);
	CHECK(now && now_size == size && memcmp(now, bytes, size) == 0);
	free(now);
}

/* Run SQL on the fixture's database from a connection of its own. */
static void exec_sql(struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	char *message = NULL;

	CHECK_INT(sqlite3_open(f->db, &db), ==, SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
		HARNESS_FAIL("%s: %s", sql, message ? message : "?");
	sqlite3_free(message);
	sqlite3_close(db);
}

static int snapshots(struct fixture *f)
{
	int count = -1;

	CHECK_INT(gr_store_snapshot_count(f->store, &count), ==, 0);
	return count;
}

static int64_t first_input(struct fixture *f)
{
	int64_t first = -1;

	CHECK_INT(gr_store_snapshot_first_input(f->store, &first), ==, 0);
	return first;
}

/* Store a snapshot now, as a clean stop does, and commit the turn it was written in. */
static void snapshot_now(struct fixture *f)
{
	CHECK_INT(gr_reviews_snapshot(f->reviews), ==, 0);
	gr_live_flush(f->live);
}

/*
 * Every connection closed. A start marks everyone offline, so the engine
 * that never stopped is compared with a rebuilt one after the same inputs.
 */
static void end_sessions(struct fixture *f)
{
	for (int i = 0; i < PEOPLE; i++)
		if (f->connected[i]) {
			gr_live_client_close(f->live, &f->clients[i]);
			f->connected[i] = 0;
		}
	gr_live_flush(f->live);
}

/* Everybody's sessions end and begin again: inputs with nothing to decide. */
static void come_and_go(struct fixture *f, int times)
{
	for (int i = 0; i < times; i++) {
		gr_live_client_close(f->live, &f->clients[SAM]);
		f->connected[SAM] = 0;
		connect_user(f, SAM);
	}
	gr_live_flush(f->live);
}

/*
 * The engine rebuilt from a snapshot and the inputs after it, and from a
 * full replay, is byte for byte the engine that never stopped.
 */
static void test_snapshot_rebuild(void)
{
	struct fixture f;
	unsigned char *live;
	size_t size = 0;
	char state[32];

	fixture_open(&f);
	assign_two(&f);
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "pass", ""));
	snapshot_now(&f);
	CHECK_INT(snapshots(&f), ==, 1);
	snapshot_now(&f); /* nothing new: none made */
	CHECK_INT(snapshots(&f), ==, 1);
	come_and_go(&f, 2); /* inputs after the snapshot */
	end_sessions(&f);   /* and more */
	live = engine_bytes(&f, &size);
	restart(&f); /* the snapshot and the inputs after it */
	check_engine_is(&f, live, size);
	exec_sql(&f, "DELETE FROM review_snapshots");
	restart(&f); /* every input again */
	check_engine_is(&f, live, size);
	free(live);
	/* And it goes on deciding: the second review passes the step. */
	connect_user(&f, ANA);
	expect(&f, ANA, "ok", REVIEW(assignment_of(&f, ANA), "pass", ""));
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "passed");
	fixture_close(&f);
}

/* A snapshot after snapshot_inputs inputs, or after a quiet spell; old inputs go. */
static void test_snapshot_cadence(void)
{
	struct gr_review_assignment_info before, after;
	struct fixture f;

	snapshot_inputs = 4;
	fixture_open(&f);
	assign_two(&f);
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	CHECK_INT(snapshots(&f), ==, 1); /* more than 4 inputs since the start */
	CHECK_INT(first_input(&f), ==, 1);
	come_and_go(&f, 1); /* two inputs: not yet */
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	CHECK_INT(snapshots(&f), ==, 1);
	fake_now += 11 * 60 * 1000; /* a quiet spell */
	gr_reviews_tick(f.reviews);
	gr_live_flush(f.live);
	CHECK_INT(snapshots(&f), ==, 2);
	CHECK_INT(first_input(&f), >, 1); /* the inputs before the older one are gone */
	for (int round = 0; round < 3; round++) {
		come_and_go(&f, 3);
		gr_reviews_tick(f.reviews);
		gr_live_flush(f.live);
	}
	CHECK_INT(snapshots(&f), ==, 2);
	CHECK_INT(gr_review_assignment_get(&before, gr_reviews_engine(f.reviews), 2), ==, 0);
	restart(&f);
	CHECK_INT(gr_review_assignment_get(&after, gr_reviews_engine(f.reviews), 2), ==, 0);
	CHECK_INT(after.reviewer_id, ==, before.reviewer_id);
	CHECK_INT(after.due_at, ==, before.due_at);
	connect_user(&f, SAM);
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "pass", ""));
	fixture_close(&f);
	snapshot_inputs = 1000;
}

/*
 * A snapshot that cannot be read: the older one, or a full replay, or,
 * when the inputs it covered were pruned, a start that stops and says so.
 */
static void test_snapshot_unreadable(void)
{
	struct fixture f;
	struct gr_reviews_settings settings;
	struct gr_reviews *reviews = NULL;
	struct gr_turn *turn = NULL;
	unsigned char *live;
	size_t size = 0;

	fixture_open(&f);
	assign_two(&f);
	/* The only one is damaged, no input was pruned: a full replay. */
	snapshot_now(&f);
	come_and_go(&f, 1);
	end_sessions(&f);
	live = engine_bytes(&f, &size);
	exec_sql(&f, "UPDATE review_snapshots SET state = substr(state, 1, 100)");
	CHECK_INT(first_input(&f), ==, 1);
	restart(&f);
	check_engine_is(&f, live, size);
	free(live);
	/* Two more: the second prunes the inputs the first covered. */
	exec_sql(&f, "DELETE FROM review_snapshots");
	connect_user(&f, SAM);
	for (int i = 0; i < 2; i++) {
		come_and_go(&f, 1);
		snapshot_now(&f);
	}
	come_and_go(&f, 1);
	CHECK_INT(first_input(&f), >, 1);
	/* The newest is damaged: the older one and the inputs after it. */
	end_sessions(&f);
	live = engine_bytes(&f, &size);
	exec_sql(&f, "UPDATE review_snapshots SET state = x'00'"
		     " WHERE seq = (SELECT max(seq) FROM review_snapshots)");
	restart(&f);
	check_engine_is(&f, live, size);
	free(live);
	/* Both are: the start stops and says what to do. */
	exec_sql(&f, "UPDATE review_snapshots SET state = x'47525253'");
	services_stop(&f);
	gr_reviews_settings_defaults(&settings);
	settings.clock = fake_clock;
	CHECK_INT(gr_turn_new(&turn, f.store), ==, 0);
	CHECK_INT(gr_reviews_new(&reviews, f.store, f.library, turn, &settings), ==, GR_ERROR);
	CHECK(reviews == NULL);
	gr_turn_free(turn);
	CHECK_CONTAINS(gr_error_last(), "were pruned");
	CHECK_CONTAINS(gr_error_last(), "'grounds restore FILE'");
	fixture_close(&f);
}

/* A change that fails after a snapshot is undone, in memory too, and the next one works. */
static void test_snapshot_failed_change(void)
{
	struct fixture f;
	unsigned char *before;
	size_t size = 0;
	char state[32];

	fixture_open(&f);
	passed_before(&f, SAM);
	passed_before(&f, ANA);
	connect_user(&f, LENA);
	connect_user(&f, SAM);
	connect_user(&f, ANA);
	snapshot_now(&f);
	before = engine_bytes(&f, &size);
	exec_sql(&f, "CREATE TRIGGER no_leases BEFORE INSERT ON review_assignments"
		     " BEGIN SELECT RAISE(FAIL, 'no leases today'); END");
	expect(&f, LENA, "ok",
	       "{\"type\":\"progress.set\",\"id\":2,\"track\":\"demo\",\"step\":\"project\","
	       "\"state\":\"started\"}");
	expect(&f, LENA, "internal",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"demo\","
	       "\"step\":\"project\",\"body_md\":\"Mine.\"}");
	check_engine_is(&f, before, size);
	CHECK_INT(reviewer_of(&f, 1), ==, 0);
	free(before);
	exec_sql(&f, "DROP TRIGGER no_leases");
	submit(&f, LENA);
	CHECK_STR(progress_state(&f, LENA, state, sizeof state), "in_review");
	CHECK(reviewer_of(&f, 1) && reviewer_of(&f, 2));
	restart(&f);
	CHECK(reviewer_of(&f, 1) && reviewer_of(&f, 2));
	/* The step the failed change first named is known again after the restart. */
	connect_user(&f, SAM);
	expect(&f, SAM, "ok", REVIEW(assignment_of(&f, SAM), "pass", ""));
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	gr_git_init();
	RUN(test_assigned_and_passed);
	RUN(test_refusals);
	RUN(test_needs_work_and_resubmit);
	RUN(test_replay);
	RUN(test_lease_expiry);
	RUN(test_pull);
	RUN(test_coach_decides);
	RUN(test_flag_upheld);
	RUN(test_cohorts);
	RUN(test_cohort_change);
	RUN(test_names_shown);
	RUN(test_snapshot_rebuild);
	RUN(test_snapshot_cadence);
	RUN(test_snapshot_unreadable);
	RUN(test_snapshot_failed_change);
	gr_git_shutdown();
	return harness_done();
}
