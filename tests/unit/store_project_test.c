/* Tests for store/project.h: a partner's brief stored and read back (by
 * id, by track, all), its moves written, who may see its track in one
 * query, the cohorts it is open to, teams (one per learner per project, a
 * team left empty deleted, its author and its work), the feedback on a
 * team's work with what each member shows, and the role "partner" and the
 * inbox's new kinds allowed by the widened CHECKs. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/project.h"
#include "store/submission.h"
#include "store/user.h"

struct copy {
	int calls;
	struct gr_project life;
	char title[128], track[64], centre[64], partner[64], note[128], checklist[256];
};

static int keep(const struct gr_store_project *row, void *payload)
{
	struct copy *c = payload;

	c->calls++;
	c->life = row->life;
	snprintf(c->title, sizeof c->title, "%s", row->title);
	snprintf(c->track, sizeof c->track, "%s", row->track_id);
	snprintf(c->centre, sizeof c->centre, "%s", row->centre);
	snprintf(c->partner, sizeof c->partner, "%s", row->partner_handle);
	snprintf(c->note, sizeof c->note, "%s", row->note);
	snprintf(c->checklist, sizeof c->checklist, "%s", row->checklist);
	return 0;
}

static int count_id(int64_t id, void *payload)
{
	(void)id;
	++*(int *)payload;
	return 0;
}

static int count_text(const char *text, void *payload)
{
	(void)text;
	++*(int *)payload;
	return 0;
}

struct shown {
	int calls, shown;
	char project[128];
};

static int keep_feedback(const struct gr_store_project_feedback *row, void *payload)
{
	struct shown *s = payload;

	s->calls++;
	s->shown = row->shown;
	snprintf(s->project, sizeof s->project, "%s", row->project);
	return 0;
}

static int keep_work(const struct gr_store_project_team_work *work, void *payload)
{
	snprintf(payload, 32, "%d %s", work->attempt, work->progress);
	return 0;
}

static void test_projects(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user pia = make_user("pia", GR_ROLE_PARTNER),
		       coach = make_user("mona", GR_ROLE_COACH);
	struct gr_store_project_texts texts = {"A bakery's site", "Two pages.", "# Brief",
					       "<h1>Brief</h1>", "[\"It loads\"]"};
	struct gr_store_project_access access;
	struct gr_project life;
	struct copy c = {0};
	int64_t autumn = 0, centre = 0;
	int added = -1, count = 0;

	CHECK_INT(gr_store_user_insert(store, &pia), ==, 0); /* the widened CHECK takes a partner */
	CHECK_INT(gr_store_user_insert(store, &coach), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "autumn", 1, 1000), ==, 0);
	CHECK_INT(gr_project_write(&life, pia.id, 1, 3, 5000), ==, 0);
	CHECK_INT(gr_store_project_insert(store, &life, &texts, NULL), ==, 0);
	CHECK_INT(life.id, >, 0);
	CHECK_INT(gr_store_project_by_id(store, life.id, keep, &c), ==, 0);
	CHECK_INT(c.calls, ==, 1);
	CHECK_INT(c.life.state, ==, GR_PROJECT_DRAFT);
	CHECK_INT(c.life.team_size, ==, 3);
	CHECK_INT(c.life.has_track, ==, 0);
	CHECK_STR(c.title, "A bakery's site");
	CHECK_STR(c.partner, "pia");
	CHECK_STR(c.centre, GR_STORE_CENTRE_DEFAULT);
	CHECK_STR(c.checklist, "[\"It loads\"]");
	CHECK_INT(gr_project_check(&c.life), ==, 0);
	CHECK_INT(gr_store_project_by_id(store, 999, keep, &c), ==, GR_ENOTFOUND);

	/* Returned with a note, proposed (the note cleared), approved with its track. */
	CHECK_INT(gr_project_propose(&life, 6000), ==, 0);
	CHECK_INT(gr_project_return(&life, coach.id, 6500), ==, 0);
	CHECK_INT(gr_store_project_update(store, &life, NULL, "Who are the users?", NULL), ==, 0);
	CHECK_INT(gr_store_project_by_id(store, life.id, keep, &c), ==, 0);
	CHECK_INT(c.life.has_note, ==, 1);
	CHECK_STR(c.note, "Who are the users?");
	CHECK_STR(c.title, "A bakery's site"); /* texts NULL: kept */
	CHECK_INT(gr_project_propose(&life, 7000), ==, 0);
	CHECK_INT(gr_project_approve(&life, coach.id, 8000), ==, 0);
	CHECK_INT(gr_store_project_update(store, &life, NULL, "", "partner-1"), ==, 0);
	CHECK_INT(gr_store_project_by_track(store, "partner-1", keep, &c), ==, 0);
	CHECK_INT(c.life.state, ==, GR_PROJECT_OPEN);
	CHECK_INT(c.life.decided_by, ==, coach.id);
	CHECK_INT(c.life.has_track, ==, 1);
	CHECK_INT(c.life.has_note, ==, 0);
	CHECK_STR(c.track, "partner-1");
	CHECK_INT(gr_project_check(&c.life), ==, 0);
	CHECK_INT(gr_store_project_by_track(store, "web-basics", keep, &c), ==, GR_ENOTFOUND);

	/* Who may see it: open to autumn only once a coach opened it there. */
	CHECK_INT(gr_store_project_access(store, &access, "web-basics", "autumn"), ==, 0);
	CHECK_INT(access.is_project, ==, 0);
	CHECK_INT(gr_store_project_access(store, &access, "partner-1", "autumn"), ==, 0);
	CHECK_INT(access.is_project, ==, 1);
	CHECK_INT(access.partner_id, ==, pia.id);
	CHECK_INT(access.centre_id, ==, 1);
	CHECK_INT(access.open_to_cohort, ==, 0);
	CHECK_INT(gr_store_project_cohort(store, &autumn, &centre, "autumn"), ==, 0);
	CHECK_INT(centre, ==, 1);
	CHECK_INT(gr_store_project_open_to(store, &added, life.id, autumn), ==, 0);
	CHECK_INT(added, ==, 1);
	CHECK_INT(gr_store_project_open_to(store, &added, life.id, autumn), ==, 0);
	CHECK_INT(added, ==, 0);
	CHECK_INT(gr_store_project_access(store, &access, "partner-1", "autumn"), ==, 0);
	CHECK_INT(access.open_to_cohort, ==, 1);
	CHECK_INT(gr_store_project_access(store, &access, "partner-1", "spring"), ==, 0);
	CHECK_INT(access.open_to_cohort, ==, 0);
	CHECK_INT(gr_store_project_each_cohort(store, life.id, count_text, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(gr_store_project_unopen(store, life.id, autumn), ==, 0);
	CHECK_INT(gr_store_project_unopen(store, life.id, autumn), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_project_cohort(store, &autumn, &centre, "nowhere"), ==, GR_ENOTFOUND);

	/* A second track of the same id is refused. */
	CHECK_INT(gr_project_link(&life, pia.id, 1, 2, 9000), ==, 0);
	CHECK_INT(gr_store_project_insert(store, &life, &texts, "partner-1"), ==, GR_EEXISTS);
	c.calls = 0;
	CHECK_INT(gr_store_project_each(store, keep, &c), ==, 0);
	CHECK_INT(c.calls, ==, 1);
	close_fresh(store, dir);
}

static void test_teams_and_feedback(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user pia = make_user("pia", GR_ROLE_PARTNER),
		       ann = make_user("ann", GR_ROLE_LEARNER),
		       ben = make_user("ben", GR_ROLE_LEARNER);
	struct gr_store_project_texts texts = {"T", "S", "B", "<p>B</p>", "[\"x\"]"};
	struct gr_store_submission work = {.track_id = "partner-1",
					   .step_id = "brief",
					   .track_commit = "c0ffee",
					   .body_md = "Ours.",
					   .created_at = 9000};
	struct gr_store_project_team team;
	struct gr_project life;
	struct shown shown = {0};
	char seen[32] = "";
	int64_t alpha = 0, beta = 0, autumn = 0, centre = 0, feedback = 0;
	int count = 0, received = -1;
	char path[512];

	snprintf(path, sizeof path, "%s", db_path(dir, "grounds.db"));
	CHECK_INT(gr_store_user_insert(store, &pia), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &ann), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &ben), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "autumn", 1, 1000), ==, 0);
	CHECK_INT(gr_store_project_cohort(store, &autumn, &centre, "autumn"), ==, 0);
	CHECK_INT(gr_project_link(&life, pia.id, 1, 2, 5000), ==, 0);
	CHECK_INT(gr_store_project_insert(store, &life, &texts, "partner-1"), ==, 0);

	CHECK_INT(gr_store_project_team_insert(store, &alpha, life.id, autumn, "Alpha", 6000), ==,
		  0);
	CHECK_INT(gr_store_project_team_insert(store, &beta, life.id, autumn, "Alpha", 6000), ==,
		  GR_EEXISTS);
	CHECK_INT(gr_store_project_team_insert(store, &beta, life.id, autumn, "Beta", 6000), ==, 0);
	CHECK_INT(gr_store_project_team_join(store, alpha, life.id, ann.id, 6100), ==, 0);
	CHECK_INT(gr_store_project_team_join(store, beta, life.id, ann.id, 6100), ==, GR_EEXISTS);
	CHECK_INT(gr_store_project_team_join(store, alpha, life.id, ben.id, 6200), ==, 0);
	CHECK_INT(gr_store_project_team_get(store, &team, alpha), ==, 0);
	CHECK_INT(team.members, ==, 2);
	CHECK_STR(team.name, "Alpha");
	CHECK_STR(team.cohort, "autumn");
	CHECK_INT(team.author_id, ==, 0);
	CHECK_INT(gr_store_project_team_of_track(store, &team, "partner-1", ben.id), ==, 0);
	CHECK_INT(team.id, ==, alpha);
	CHECK_INT(gr_store_project_team_of_track(store, &team, "web-basics", ben.id), ==,
		  GR_ENOTFOUND);
	CHECK_INT(gr_store_project_team_of(store, &team, life.id, pia.id), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_project_team_count_in_cohort(store, &count, life.id, autumn), ==, 0);
	CHECK_INT(count, ==, 2);
	count = 0;
	CHECK_INT(gr_store_project_team_each_member(store, alpha, count_id, &count), ==, 0);
	CHECK_INT(count, ==, 2);

	/* Beta, left by nobody, is deleted when its last member leaves. */
	CHECK_INT(gr_store_project_team_join(store, beta, life.id, pia.id, 6300), ==, 0);
	CHECK_INT(gr_store_project_team_leave(store, beta, pia.id), ==, 0);
	CHECK_INT(gr_store_project_team_get(store, &team, beta), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_project_team_leave(store, beta, pia.id), ==, GR_ENOTFOUND);

	/* The team's work: under its author, marked with the team; the latest one read. */
	CHECK_INT(gr_store_project_team_latest(store, alpha, keep_work, seen), ==, GR_ENOTFOUND);
	work.user_id = ann.id;
	CHECK_INT(gr_store_submission_insert(store, &work), ==, 0);
	CHECK_INT(gr_store_project_team_mark_submission(store, work.id, alpha), ==, 0);
	CHECK_INT(gr_store_project_team_set_author(store, alpha, ann.id), ==, 0);
	CHECK_INT(gr_store_project_team_of_submission(store, &team, work.id), ==, 0);
	CHECK_INT(team.id, ==, alpha);
	CHECK_INT(team.author_id, ==, ann.id);
	CHECK_INT(gr_store_project_team_latest(store, alpha, keep_work, seen), ==, 0);
	CHECK_STR(seen, "1 "); /* attempt 1, no progress row yet */
	/* Who is in the team that handed it in: both members, not the partner. */
	CHECK_INT(gr_store_project_in_team_of_submission(store, &count, work.id, ben.id), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(gr_store_project_in_team_of_submission(store, &count, work.id, ann.id), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(gr_store_project_in_team_of_submission(store, &count, work.id, pia.id), ==, 0);
	CHECK_INT(count, ==, 0);
	CHECK_INT(gr_store_project_in_team_of_submission(store, &count, work.id + 1, ben.id), ==, 0);
	CHECK_INT(count, ==, 0); /* no such work */

	/* Feedback reaches each member; each shows it or not, on their own. */
	CHECK_INT(
	    gr_store_project_feedback_insert(store, &feedback, work.id, pia.id, "Tasty.", 9500), ==,
	    0);
	CHECK_INT(gr_store_project_feedback_each(store, work.id, keep_feedback, &shown), ==, 0);
	CHECK_INT(shown.calls, ==, 1);
	CHECK_INT(gr_store_project_feedback_received(store, &received, feedback, ben.id), ==, 0);
	CHECK_INT(received, ==, 1);
	CHECK_INT(gr_store_project_feedback_received(store, &received, feedback, pia.id), ==, 0);
	CHECK_INT(received, ==, 0);
	shown = (struct shown){0};
	CHECK_INT(gr_store_project_feedback_each_of_user(store, ben.id, 0, keep_feedback, &shown),
		  ==, 0);
	CHECK_INT(shown.calls, ==, 1);
	CHECK_INT(shown.shown, ==, 0);
	CHECK_STR(shown.project, "T");
	shown = (struct shown){0};
	CHECK_INT(gr_store_project_feedback_each_of_user(store, ben.id, 1, keep_feedback, &shown),
		  ==, 0);
	CHECK_INT(shown.calls, ==, 0);
	CHECK_INT(gr_store_project_feedback_show(store, feedback, ben.id, 1), ==, 0);
	CHECK_INT(gr_store_project_feedback_show(store, feedback, ben.id, 1), ==,
		  0); /* twice: once */
	CHECK_INT(gr_store_project_feedback_each_of_user(store, ben.id, 1, keep_feedback, &shown),
		  ==, 0);
	CHECK_INT(shown.calls, ==, 1);
	CHECK_INT(shown.shown, ==, 1);
	shown = (struct shown){0};
	CHECK_INT(gr_store_project_feedback_each_of_user(store, ann.id, 1, keep_feedback, &shown),
		  ==, 0);
	CHECK_INT(shown.calls, ==, 0); /* ann shows nothing */
	CHECK_INT(gr_store_project_feedback_show(store, feedback, ben.id, 0), ==, 0);
	CHECK_INT(query_int(path, "SELECT count(*) FROM feedback_shown"), ==, 0);

	/* The inbox's new kinds pass the widened CHECK. */
	CHECK_INT(exec_sql(path, "PRAGMA ignore_check_constraints = OFF;"
				 "INSERT INTO notifications (user_id, kind, seq, body, created_at)"
				 " VALUES (2, 'partner_feedback', 1, '{}', 1),"
				 " (1, 'project_proposed', 1, '{}', 1)"),
		  ==, 0);
	CHECK_INT(exec_sql(path, "PRAGMA ignore_check_constraints = OFF;"
				 "INSERT INTO notifications (user_id, kind, seq, body, created_at)"
				 " VALUES (2, 'gossip', 2, '{}', 1)"),
		  ==, GR_ERROR);
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_projects);
	RUN(test_teams_and_feedback);
	return harness_done();
}
