/* Tests for store/cohort.h: the weeks of activity behind the coaches'
 * weekly chart, marked by each progress change. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "store/cohort.h"
#include "store/progress.h"
#include "store/schema.h"
#include "store/user.h"

/* Weeks start on Monday, UTC; 1970-01-01 was a Thursday. */
static void test_week_of(void)
{
	const int64_t day = GR_STORE_DAY_MS;
	const int64_t monday = 1795392000000LL; /* 2026-11-23 00:00 UTC, a Monday */
	int64_t (*const week_of)(int64_t) = gr_store_cohort_week_of;

	CHECK_INT(week_of(0), ==, 0);
	CHECK_INT(week_of(4 * day - 1), ==, 0); /* Sunday 1970-01-04, last moment */
	CHECK_INT(week_of(4 * day), ==, 1);	  /* Monday 1970-01-05 */
	CHECK_INT(week_of(monday) - week_of(monday - 1), ==, 1);
	CHECK_INT(week_of(monday + 7 * day - 1), ==, week_of(monday));
	CHECK_INT(week_of(monday + 7 * day), ==, week_of(monday) + 1);
	CHECK_INT(week_of(-3 * day), ==, 0); /* Monday 1969-12-29 began week 0 */
	CHECK_INT(week_of(-3 * day - 1), ==, -1); /* the Sunday before: down, not toward 0 */
}

/* Each progress change marks its week; a database from before schema 5 gets its weeks filled in. */
static void test_activity_weeks(void)
{
	const int64_t week = 7 * GR_STORE_DAY_MS, monday = 1795392000000LL;
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user user = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_progress row = { .track_id = "web", .step_id = "one",
					 .state = GR_PROGRESS_STARTED };
	char path[512];

	snprintf(path, sizeof path, "%s", db_path(dir, "grounds.db"));
	CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
	row.started_at = row.updated_at = monday - week; /* the week before */
	CHECK_INT(gr_store_progress_put(store, user.id, &row), ==, 0);
	row.state = GR_PROGRESS_DONE;
	row.finished_at = row.updated_at = monday + 2 * GR_STORE_DAY_MS;
	CHECK_INT(gr_store_progress_put(store, user.id, &row), ==, 0);
	CHECK_INT(gr_store_progress_put(store, user.id, &row), ==, 0); /* the same week again */
	CHECK_INT(query_int(path, "SELECT count(*) FROM activity_weeks"), ==, 2);
	gr_store_close(store);

	/* As if written by the version before: no schema 5, no weeks. */
	CHECK_INT(exec_sql(path, "DROP INDEX progress_submitted; DROP INDEX users_disabled;"
				 "ALTER TABLE invites DROP COLUMN centre_id;"
				 "DROP TABLE feedback_shown; DROP TABLE project_feedback;"
				 "DROP INDEX submissions_by_team;"
				 "ALTER TABLE submissions DROP COLUMN team_id;"
				 "DROP TABLE team_members; DROP TABLE teams;"
				 "DROP TABLE project_cohorts; DROP TABLE projects;"
				 "DROP TABLE applications;"
				 "DROP TABLE coach_centres; DROP TABLE cohorts; DROP TABLE centres;"
				 "DELETE FROM meta WHERE key = 'default_centre_unnamed';"
				 "ALTER TABLE users DROP COLUMN rights_stamp;"
				 "DROP TABLE activity_weeks; DROP TABLE help_messages;"
				 "DROP TABLE help_offers; DROP TABLE help_requests; DROP TABLE nudges;"
				 "DROP INDEX reviews_by_reviewer; DROP TABLE review_snapshots;"
				 "DROP TABLE coach_cohorts; ALTER TABLE invites DROP COLUMN revoked_at;"
				 "ALTER TABLE submissions DROP COLUMN body_html;"
				 "ALTER TABLE reviews DROP COLUMN comment_html;"
				 "DROP TABLE review_decisions; ALTER TABLE reviews DROP COLUMN flag_kind;"
				 "ALTER TABLE reviews DROP COLUMN flag_outcome;"
				 "ALTER TABLE reviews DROP COLUMN flag_resolved_at;"
				 "DROP TABLE submission_thanks; DROP INDEX submissions_shared;"
				 "ALTER TABLE submissions DROP COLUMN share;"
				 "DROP TABLE notifications;"
				 "DROP TABLE password_resets;"
				 "ALTER TABLE users DROP COLUMN language;"
				 "ALTER TABLE sessions DROP COLUMN seen_at;"
				 "ALTER TABLE sessions DROP COLUMN agent;"
				 "DROP TABLE reflection_comments; DROP TABLE portfolio_items;"
				 "DROP TABLE portfolio_links; DROP TABLE outcomes;"
				 "PRAGMA user_version = 4;"),
		  ==, 0);
	CHECK_INT(gr_store_open(&store, path), ==, 0);
	CHECK_INT(gr_store_schema_version(store), ==, gr_store_schema_latest());
	/* Filled in from the row kept: the week it began and the week of its last change. */
	CHECK_INT(query_int(path, "SELECT count(*) FROM activity_weeks"), ==, 2);
	{
		char sql[160];

		snprintf(sql, sizeof sql, "SELECT count(*) FROM activity_weeks WHERE week IN (%lld, %lld)",
			 (long long)gr_store_cohort_week_of(monday - week),
			 (long long)gr_store_cohort_week_of(monday));
		CHECK_INT(query_int(path, sql), ==, 2);
	}
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

int main(void)
{
	RUN(test_week_of);
	RUN(test_activity_weeks);
	return harness_done();
}
