/*
 * projects_test.c - partner projects (services/projects.c) with the live
 * and review services, a real store and library in a temporary directory
 * and a fake clock: a partner's brief written, proposed and approved (it
 * becomes the served track partner-ID, with its checklist as the rubric)
 * and opened to a cohort; who may make each move; teams made and joined;
 * a team's hand-in goes in under one author with every member's progress
 * moving along, another member's hand-in is a conflict; the reviewers'
 * verdict passes every member, and the engine is told each passed; the
 * partner's feedback is stored and pushed to every member's stream.
 */
#include "core/error.h"
#include "core/log.h"
#include "services/projects.h"
#include "services/rights.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/progress.h"
#include "store/project.h"
#include "store/user.h"
#include "tracks/git.h"

#include "client.h"
#include "demo.h"
#include "harness.h"
#include "scratch.h"

#include <jansson.h>
#include <stdarg.h>
#include <time.h>

enum { PIA, KIM, ANN, BEN, SAM, ELI, WIM, PEOPLE };

struct fixture {
	char *dir;
	char db[512];
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_library *library;
	struct demo_services services;
	struct gr_projects *projects;
	struct gr_user users[PEOPLE];
	struct gr_client clients[PEOPLE];
	int connected[PEOPLE];
};

static void make_track(const char *dir)
{
	harness_write_file(dir, "track.md",
			   "# Demo\n\nA demo track.\n\n## Basics\n\n- [One](one.md)\n");
	harness_write_file(dir, "one.md", "---\nid: one\n---\n# One\n\nFirst.\n");
	harness_git_commit(dir);
}

static void add_user(struct fixture *f, int who, const char *handle, enum gr_role role,
		     const char *cohort)
{
	struct gr_user *user = &f->users[who];

	memset(user, 0, sizeof(*user));
	snprintf(user->handle, sizeof(user->handle), "%s", handle);
	snprintf(user->display_name, sizeof(user->display_name), "%s", handle);
	snprintf(user->cohort, sizeof(user->cohort), "%s", cohort);
	snprintf(user->password_hash, sizeof(user->password_hash), "x");
	user->role = role;
	user->created_at = fake_now;
	if (cohort[0])
		CHECK(gr_store_cohort_add(f->store, cohort, 1, fake_now) != GR_ERROR);
	CHECK_INT(gr_store_user_insert(f->store, user), ==, 0);
	if (role == GR_ROLE_COACH)
		CHECK_INT(gr_store_user_add_coached(f->store, user->id, cohort), ==, 0);
}

static void fixture_open(struct fixture *f)
{
	struct gr_reviews_settings reviews;
	struct demo_wiring wiring;

	memset(f, 0, sizeof(*f));
	f->dir = harness_temp_dir();
	demo_open(f->dir, make_track, f->db, sizeof f->db, &f->store, &f->workers, &f->library);
	add_user(f, PIA, "pia", GR_ROLE_PARTNER, "");
	add_user(f, KIM, "kim", GR_ROLE_COACH, "c1");
	add_user(f, ANN, "ann", GR_ROLE_LEARNER, "c1");
	add_user(f, BEN, "ben", GR_ROLE_LEARNER, "c1");
	add_user(f, SAM, "sam", GR_ROLE_LEARNER, "c1");
	add_user(f, ELI, "eli", GR_ROLE_LEARNER, "c1");
	add_user(f, WIM, "wim", GR_ROLE_LEARNER, "c2");
	gr_reviews_settings_defaults(&reviews);
	reviews.clock = fake_clock;
	demo_wiring_defaults(&wiring);
	wiring.reviews = &reviews;
	demo_services_start(&f->services, f->store, f->library, &wiring);
	CHECK_INT(gr_projects_new(&f->projects, f->store, f->library, f->dir, fake_clock), ==, 0);
	gr_projects_set_turn(f->projects, f->services.turn);
	gr_projects_set_live(f->projects, f->services.live);
}

static void fixture_close(struct fixture *f)
{
	for (int i = 0; i < PEOPLE; i++)
		if (f->connected[i])
			gr_live_client_close(f->services.live, &f->clients[i]);
	gr_projects_free(f->projects);
	demo_services_stop(&f->services);
	gr_library_free(f->library);
	gr_workers_stop(f->workers);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

static void connect_user(struct fixture *f, int who)
{
	memset(&f->clients[who], 0, sizeof(f->clients[who]));
	f->clients[who].user = f->users[who];
	CHECK_INT(gr_live_client_open(f->services.live, &f->clients[who]), ==, 0);
	f->connected[who] = 1;
	demo_hello(f->services.live, &f->clients[who]);
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
	json_decref(demo_request(f->services.live, &f->clients[who], expected, "%s", text));
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

static const char *state_of(struct fixture *f, int who, const char *track, char *out, size_t size)
{
	struct gr_store_progress row;

	snprintf(out, size, "(none)");
	if (gr_store_progress_get(f->store, &row, f->users[who].id, track, "brief") == 0)
		snprintf(out, size, "%s", gr_progress_state_name(row.state));
	return out;
}

static const char *const CHECKLIST[] = {"The page loads", "Every image has an alt text"};
static const struct gr_projects_brief BRIEF = {
    "A bakery's site",	    "Two pages.", "# Bakker Bart\n\nMake **two** pages.", 2, CHECKLIST, 2,
    GR_STORE_CENTRE_DEFAULT};

/* A project of pia's, approved by kim and open to c1: its id. */
static int64_t open_project(struct fixture *f)
{
	struct gr_projects_why why = {NULL, NULL};
	int64_t id = 0;

	CHECK_INT(gr_projects_create(f->projects, &f->users[PIA], &BRIEF, &id, &why), ==, 0);
	CHECK_INT(gr_projects_propose(f->projects, &f->users[PIA], id, &why), ==, 0);
	CHECK_INT(gr_projects_approve(f->projects, &f->users[KIM], id, &why), ==, 0);
	CHECK_INT(gr_projects_open(f->projects, &f->users[KIM], id, "c1", 1, &why), ==, 0);
	return id;
}

/* Who may make which move, and the track an approved brief becomes. */
static void test_moves_and_track(void)
{
	struct fixture f;
	struct gr_projects_why why = {NULL, NULL};
	const struct gr_track *track;
	struct gr_json *value = NULL;
	int64_t id = 0;

	fixture_open(&f);
	CHECK_INT(gr_projects_create(f.projects, &f.users[ANN], &BRIEF, &id, &why), ==,
		  GR_EFORBIDDEN);
	CHECK_INT(gr_projects_create(f.projects, &f.users[PIA], &BRIEF, &id, &why), ==, 0);
	why = (struct gr_projects_why){NULL, NULL};
	CHECK_INT(gr_projects_approve(f.projects, &f.users[KIM], id, &why), ==, GR_ECONFLICT);
	CHECK_STR(why.error, "project_state"); /* not sent yet */
	CHECK_INT(gr_projects_get(f.projects, &f.users[ANN], id, &value, &why), ==, GR_ENOTFOUND);
	CHECK_STR(why.error, "project_missing");
	CHECK_INT(gr_projects_propose(f.projects, &f.users[PIA], id, &why), ==, 0);
	CHECK_INT(gr_projects_propose(f.projects, &f.users[PIA], id, &why), ==, GR_ECONFLICT);
	CHECK_STR(why.error, "project_state");
	CHECK_INT(gr_projects_approve(f.projects, &f.users[PIA], id, &why), ==, GR_EFORBIDDEN);
	CHECK_STR(why.error, "coaches_only");
	CHECK(gr_library_track(f.library, "partner-1") == NULL);
	CHECK_INT(gr_projects_approve(f.projects, &f.users[KIM], id, &why), ==, 0);
	track = gr_library_track(f.library, "partner-1");
	CHECK(track != NULL);
	if (track) {
		CHECK_STR(track->title, "A bakery's site");
		CHECK_INT(track->step_count, ==, 1);
		CHECK_STR(track->steps[0].id, "brief");
		CHECK_INT(track->steps[0].kind, ==, GR_STEP_PROJECT);
		CHECK_INT(track->steps[0].reviews, ==, 2);
		CHECK_INT(track->steps[0].rubric.count, ==, 2);
		CHECK_STR(track->steps[0].rubric.items[1], "Every image has an alt text");
	}
	/* Seen by its partner, its centre's coach; by the learners of c1 once opened there. */
	CHECK_INT(gr_rights_may_see_track(f.store, &f.users[PIA], "partner-1"), ==, 1);
	CHECK_INT(gr_rights_may_see_track(f.store, &f.users[KIM], "partner-1"), ==, 1);
	CHECK_INT(gr_rights_may_see_track(f.store, &f.users[ANN], "partner-1"), ==, 0);
	CHECK_INT(gr_rights_may_see_track(f.store, &f.users[PIA], "demo"), ==, 0);
	CHECK_INT(gr_rights_may_see_track(f.store, &f.users[ANN], "demo"), ==, 1);
	CHECK_INT(gr_projects_open(f.projects, &f.users[KIM], id, "c2", 1, &why), ==,
		  GR_EFORBIDDEN);
	CHECK_STR(why.error, "not_your_cohort");
	CHECK_INT(gr_projects_open(f.projects, &f.users[KIM], id, "c1", 1, &why), ==, 0);
	CHECK_INT(gr_rights_may_see_track(f.store, &f.users[ANN], "partner-1"), ==, 1);
	CHECK_INT(gr_rights_may_see_track(f.store, &f.users[WIM], "partner-1"), ==, 0);
	CHECK_INT(gr_projects_get(f.projects, &f.users[ANN], id, &value, &why), ==, 0);
	CHECK_STR(gr_json_text(gr_json_get(value, "state"), NULL), "open");
	CHECK_STR(gr_json_text(gr_json_get(value, "track"), NULL), "partner-1");
	gr_json_free(value);
	CHECK_INT(gr_projects_close(f.projects, &f.users[KIM], id, &why), ==, 0);
	CHECK_INT(gr_projects_team_create(f.projects, &f.users[ANN], id, "Alpha", &value, &why), ==,
		  GR_ECONFLICT);
	CHECK_STR(why.error, "project_closed");
	fixture_close(&f);
}

/* A team hands in once, every member moves with it, the verdict passes them all. */
static void test_team_work(void)
{
	struct fixture f;
	struct gr_projects_why why = {NULL, NULL};
	struct gr_json *team = NULL, *given = NULL;
	int64_t id, alpha, submission = 0;
	json_t *reply, *pushed;
	char state[32], sql[200];

	fixture_open(&f);
	id = open_project(&f);
	CHECK_INT(gr_projects_team_create(f.projects, &f.users[ANN], id, "Alpha", &team, &why), ==,
		  0);
	alpha = gr_json_integer_value(gr_json_get(team, "id"));
	gr_json_free(team);
	CHECK_INT(gr_projects_team_join(f.projects, &f.users[BEN], alpha, &why), ==, 0);
	CHECK_INT(gr_projects_team_join(f.projects, &f.users[SAM], alpha, &why), ==, GR_ECONFLICT);
	CHECK_STR(why.error, "team_full");
	CHECK_INT(gr_projects_team_join(f.projects, &f.users[WIM], alpha, &why), ==, GR_ENOTFOUND);

	for (int who = ANN; who <= ELI; who++) {
		connect_user(&f, who);
		expect(&f, who, "ok",
		       "{\"type\":\"progress.set\",\"id\":2,\"track\":\"partner-1\","
		       "\"step\":\"brief\",\"state\":\"started\"}");
	}
	expect(&f, SAM, "conflict",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"partner-1\","
	       "\"step\":\"brief\",\"body_md\":\"Alone.\"}");
	reply = demo_request(f.services.live, &f.clients[BEN], "ok",
			     "{\"type\":\"submission.create\",\"id\":3,\"track\":\"partner-1\","
			     "\"step\":\"brief\",\"body_md\":\"Our **pages**.\"}");
	submission =
	    json_integer_value(json_object_get(json_object_get(reply, "submission"), "id"));
	CHECK_INT(json_integer_value(json_object_get(json_object_get(reply, "submission"), "team")),
		  ==, alpha);
	json_decref(reply);
	/* Under one author, the member who handed in first; ann's progress moved too. */
	snprintf(sql, sizeof sql,
		 "SELECT user_id FROM submissions WHERE id = %lld AND team_id = %lld",
		 (long long)submission, (long long)alpha);
	CHECK_INT(query_int(f.db, sql), ==, f.users[BEN].id);
	CHECK_STR(state_of(&f, ANN, "partner-1", state, sizeof state), "submitted");
	pushed = push_named(&f, ANN, "submission");
	CHECK(pushed != NULL);
	json_decref(pushed);
	expect(&f, ANN, "conflict",
	       "{\"type\":\"submission.create\",\"id\":4,\"track\":\"partner-1\","
	       "\"step\":\"brief\",\"body_md\":\"Mine too.\"}");
	CHECK_INT(gr_projects_team_leave(f.projects, &f.users[ANN], alpha, &why), ==, GR_ECONFLICT);
	CHECK_STR(why.error, "team_handed_in");

	/* Nobody passed the step: the coach decides, and both members pass. */
	connect_user(&f, KIM);
	expect(&f, KIM, "ok",
	       "{\"type\":\"review.coach\",\"id\":5,\"submission\":%lld,"
	       "\"action\":\"decide\",\"verdict\":\"pass\",\"note\":\"Well done.\"}",
	       (long long)submission);
	CHECK_STR(state_of(&f, BEN, "partner-1", state, sizeof state), "passed");
	CHECK_STR(state_of(&f, ANN, "partner-1", state, sizeof state), "passed");
	/* The engine knows ann passed too, so she may review later teams. */
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM review_inputs WHERE kind = 'pass' AND a = %lld",
		 (long long)f.users[ANN].id);
	CHECK_INT(query_int(f.db, sql), ==, 1);

	/* Feedback from the partner reaches both members' streams; another partner is refused. */
	CHECK_INT(gr_projects_feedback(f.projects, &f.users[ANN], submission, "Hi", &given, &why),
		  ==, GR_EFORBIDDEN);
	CHECK_INT(gr_projects_feedback(f.projects, &f.users[PIA], submission, " ", &given, &why),
		  ==, GR_EINVALID);
	CHECK_STR(why.field, "body");
	CHECK_INT(gr_projects_feedback(f.projects, &f.users[PIA], submission, "Lovely bread.",
				       &given, &why),
		  ==, 0);
	CHECK_STR(gr_json_text(gr_json_get(given, "body"), NULL), "Lovely bread.");
	gr_json_free(given);
	gr_live_flush(f.services.live);
	for (int who = ANN; who <= BEN; who++) {
		pushed = push_named(&f, who, "project.feedback");
		CHECK(pushed != NULL);
		if (pushed)
			CHECK_INT(json_integer_value(json_object_get(pushed, "submission")), ==,
				  submission);
		json_decref(pushed);
	}
	CHECK(push_named(&f, SAM, "project.feedback") == NULL);
	reply = demo_request(f.services.live, &f.clients[ANN], "ok",
			     "{\"type\":\"submission.get\",\"id\":6,\"track\":\"partner-1\","
			     "\"step\":\"brief\"}");
	CHECK_INT(json_integer_value(json_object_get(reply, "submission")), ==, submission);
	CHECK_INT((int)json_array_size(json_object_get(json_object_get(reply, "team"), "members")),
		  ==, 2);
	CHECK_STR(text_of(json_array_get(json_object_get(reply, "feedback"), 0), "body"),
		  "Lovely bread.");
	json_decref(reply);
	fixture_close(&f);
}

/* The second team's work goes to members of the first, who passed; the verdict passes both. */
static void test_peers_review_a_team(void)
{
	struct fixture f;
	struct gr_projects_why why = {NULL, NULL};
	struct gr_json *team = NULL;
	int64_t id, alpha, beta, first, second;
	json_t *reply, *list;
	char state[32];

	fixture_open(&f);
	id = open_project(&f);
	CHECK_INT(gr_projects_team_create(f.projects, &f.users[ANN], id, "Alpha", &team, &why), ==,
		  0);
	alpha = gr_json_integer_value(gr_json_get(team, "id"));
	gr_json_free(team);
	CHECK_INT(gr_projects_team_join(f.projects, &f.users[BEN], alpha, &why), ==, 0);
	CHECK_INT(gr_projects_team_create(f.projects, &f.users[SAM], id, "Beta", &team, &why), ==,
		  0);
	beta = gr_json_integer_value(gr_json_get(team, "id"));
	gr_json_free(team);
	CHECK_INT(gr_projects_team_join(f.projects, &f.users[ELI], beta, &why), ==, 0);
	for (int who = KIM; who <= ELI; who++)
		connect_user(&f, who);
	for (int who = ANN; who <= ELI; who++)
		expect(&f, who, "ok",
		       "{\"type\":\"progress.set\",\"id\":2,\"track\":\"partner-1\","
		       "\"step\":\"brief\",\"state\":\"started\"}");
	reply = demo_request(f.services.live, &f.clients[ANN], "ok",
			     "{\"type\":\"submission.create\",\"id\":3,\"track\":\"partner-1\","
			     "\"step\":\"brief\",\"body_md\":\"Alpha.\"}");
	first = json_integer_value(json_object_get(json_object_get(reply, "submission"), "id"));
	json_decref(reply);
	expect(&f, KIM, "ok",
	       "{\"type\":\"review.coach\",\"id\":5,\"submission\":%lld,"
	       "\"action\":\"decide\",\"verdict\":\"pass\",\"note\":\"Good.\"}",
	       (long long)first);
	reply = demo_request(f.services.live, &f.clients[ELI], "ok",
			     "{\"type\":\"submission.create\",\"id\":3,\"track\":\"partner-1\","
			     "\"step\":\"brief\",\"body_md\":\"Beta.\"}");
	second = json_integer_value(json_object_get(json_object_get(reply, "submission"), "id"));
	json_decref(reply);
	/* ann and ben, who passed with Alpha, review Beta's work; never sam, of Beta. */
	for (int who = ANN; who <= BEN; who++) {
		int64_t assignment = 0;

		list = demo_request(f.services.live, &f.clients[who], "ok",
				    "{\"type\":\"review.list\",\"id\":7}");
		for (size_t i = 0; i < json_array_size(json_object_get(list, "assignments")); i++) {
			json_t *a = json_array_get(json_object_get(list, "assignments"), i);

			if (json_integer_value(json_object_get(a, "submission")) == second)
				assignment = json_integer_value(json_object_get(a, "assignment"));
		}
		json_decref(list);
		CHECK_INT(assignment, >, 0);
		expect(&f, who, "ok",
		       "{\"type\":\"review.submit\",\"id\":8,\"assignment\":%lld,"
		       "\"verdict\":\"pass\",\"checks\":[true,true],\"comment_md\":\"Yes.\"}",
		       (long long)assignment);
	}
	CHECK_STR(state_of(&f, SAM, "partner-1", state, sizeof state), "passed");
	CHECK_STR(state_of(&f, ELI, "partner-1", state, sizeof state), "passed");
	fixture_close(&f);
}


/* The brief_html project id shows pia now (NULL: not rendered yet), into out. */
static void brief_html_of(struct fixture *f, int64_t id, char *out, size_t size)
{
	struct gr_projects_why why = {NULL, NULL};
	struct gr_json *value = NULL;
	const char *html;

	CHECK_INT(gr_projects_get(f->projects, &f->users[PIA], id, &value, &why), ==, 0);
	html = gr_json_text(gr_json_get(value, "brief_html"), NULL);
	snprintf(out, size, "%s", html ? html : "(null)");
	gr_json_free(value);
}

/*
 * With workers a brief renders on one after it is stored (null until
 * then), and a render overtaken by an edit stores nothing: the edit's own
 * render does.
 */
static void test_brief_renders_on_a_worker(void)
{
	struct fixture f;
	struct gr_projects_why why = {NULL, NULL};
	struct gr_projects_brief edit = BRIEF;
	char html[256];
	int64_t id = 0;

	fixture_open(&f);
	gr_projects_set_workers(f.projects, f.workers);
	CHECK_INT(gr_projects_create(f.projects, &f.users[PIA], &BRIEF, &id, &why), ==, 0);
	brief_html_of(&f, id, html, sizeof html);
	CHECK_STR(html, "(null)");
	demo_drain_workers(f.workers);
	brief_html_of(&f, id, html, sizeof html);
	CHECK(strstr(html, "<strong>two</strong>") != NULL);

	/* Two edits before either render lands: the first's render finds its text gone. */
	edit.brief_md = "Make *one* page.";
	CHECK_INT(gr_projects_edit(f.projects, &f.users[PIA], id, &edit, &why), ==, 0);
	edit.brief_md = "Make **three** pages.";
	CHECK_INT(gr_projects_edit(f.projects, &f.users[PIA], id, &edit, &why), ==, 0);
	brief_html_of(&f, id, html, sizeof html);
	CHECK_STR(html, "(null)");
	demo_drain_workers(f.workers);
	brief_html_of(&f, id, html, sizeof html);
	CHECK(strstr(html, "<strong>three</strong>") != NULL);
	CHECK(strstr(html, "<em>one</em>") == NULL);

	/* Freed while a render runs: it ends on its own, storing nothing. */
	edit.brief_md = "Make **four** pages.";
	CHECK_INT(gr_projects_edit(f.projects, &f.users[PIA], id, &edit, &why), ==, 0);
	gr_projects_free(f.projects);
	f.projects = NULL;
	demo_drain_workers(f.workers);
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	gr_git_init();
	RUN(test_moves_and_track);
	RUN(test_team_work);
	RUN(test_peers_review_a_team);
	RUN(test_brief_renders_on_a_worker);
	return harness_done();
}
