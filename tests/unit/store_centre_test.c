/* Tests for store/centre.h: centres, who coaches in which, the one rule of
 * cohorts read within a coach's centres, the figures of each centre, and
 * the move of a database from before centres into one default centre. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/progress.h"
#include "store/schema.h"
#include "store/user.h"

static int64_t add_centre(struct gr_store *store, const char *name)
{
	int64_t id = 0;

	CHECK_INT(gr_store_centre_add(store, &id, name, "a borough", "an address", 5000), ==, 0);
	CHECK_INT(id, >, 0);
	return id;
}

static struct gr_user add_user(struct gr_store *store, const char *handle, enum gr_role role,
			       const char *cohort)
{
	struct gr_user user = make_user(handle, role);

	snprintf(user.cohort, sizeof user.cohort, "%s", cohort);
	CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
	return user;
}

static int coaches(struct gr_store *store, int64_t id, const char *cohort)
{
	int out = -1;

	CHECK_INT(gr_store_user_coaches(store, &out, id, cohort), ==, 0);
	return out;
}

static int join_name(const char *text, void *payload)
{
	char *names = payload;

	snprintf(names + strlen(names), 64 - strlen(names), "%s%s", names[0] ? "," : "", text);
	return 0;
}

/* A fresh database has the one default centre; names are unique; lookups name what is missing. */
static void test_add_and_find(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	int64_t count = 0, first = 0, id = 0, noord;

	CHECK_INT(gr_store_centre_count(store, &count, &first), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(gr_store_centre_id(store, &id, GR_STORE_CENTRE_DEFAULT), ==, 0);
	CHECK_INT(id, ==, first);
	noord = add_centre(store, "Noord");
	CHECK_INT(gr_store_centre_add(store, &id, "Noord", "", "", 6000), ==, GR_EEXISTS);
	CHECK_CONTAINS(gr_error_last(), "Noord");
	CHECK_INT(gr_store_centre_id(store, &id, "Noord"), ==, 0);
	CHECK_INT(id, ==, noord);
	CHECK_INT(gr_store_centre_id(store, &id, "Zuid"), ==, GR_ENOTFOUND);
	CHECK_CONTAINS(gr_error_last(), "Zuid");
	CHECK_INT(gr_store_centre_count(store, &count, &first), ==, 0);
	CHECK_INT(count, ==, 2);
	close_fresh(store, dir);
}

/* A coach coaches a cohort only while coach_cohorts names it and they belong to its centre. */
static void test_rule_within_centres(void)
{
	char *dir, names[64] = "", centre[GR_STORE_CENTRE_NAME_SIZE];
	struct gr_store *store = open_fresh(&dir);
	int64_t noord = add_centre(store, "Noord"), zuid = add_centre(store, "Zuid");
	struct gr_user mona;
	char path[512];

	snprintf(path, sizeof path, "%s", db_path(dir, "grounds.db"));
	CHECK_INT(gr_store_cohort_add(store, "autumn", noord, 1000), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "spring", zuid, 1000), ==, 0);
	CHECK_INT(gr_store_cohort_centre(store, centre, "spring"), ==, 0);
	CHECK_STR(centre, "Zuid");
	CHECK_INT(gr_store_cohort_centre(store, centre, "winter"), ==, GR_ENOTFOUND);
	mona = add_user(store, "mona", GR_ROLE_COACH, "autumn");
	/* Given a cohort, a coach joins its centre. */
	CHECK_INT(gr_store_user_add_coached(store, mona.id, "autumn"), ==, 0);
	CHECK_INT(coaches(store, mona.id, "autumn"), ==, 1);
	CHECK_INT(gr_store_centre_each_of_coach(store, mona.id, join_name, names), ==, 0);
	CHECK_STR(names, "Noord");
	/* A row of coach_cohorts outside one's centres grants nothing. */
	CHECK_INT(exec_sql(path, "INSERT INTO coach_cohorts (user_id, cohort) SELECT id, 'spring'"
				 " FROM users WHERE handle = 'mona'"),
		  ==, 0);
	CHECK_INT(coaches(store, mona.id, "spring"), ==, 0);
	/* Setting the centres prunes what lies outside them and grows the rights stamp. */
	CHECK_INT(gr_store_centre_set_coach(store, mona.id, &noord, 1), ==, 0);
	CHECK_INT(query_int(path, "SELECT count(*) FROM coach_cohorts WHERE cohort = 'spring'"), ==, 0);
	CHECK_INT(query_int(path, "SELECT rights_stamp FROM users WHERE handle = 'mona'"), ==, 1);
	CHECK_INT(gr_store_user_add_coached(store, mona.id, "spring"), ==, 0);
	CHECK_INT(coaches(store, mona.id, "spring"), ==, 1);
	names[0] = '\0';
	CHECK_INT(gr_store_centre_each_of_coach(store, mona.id, join_name, names), ==, 0);
	CHECK_STR(names, "Noord,Zuid");
	/* Out of Noord: its cohort is no longer hers, Zuid's stays. */
	CHECK_INT(gr_store_centre_set_coach(store, mona.id, &zuid, 1), ==, 0);
	CHECK_INT(coaches(store, mona.id, "autumn"), ==, 0);
	CHECK_INT(coaches(store, mona.id, "spring"), ==, 1);
	CHECK_INT(query_int(path, "SELECT rights_stamp FROM users WHERE handle = 'mona'"), ==, 2);
	{
		struct gr_user again;

		CHECK_INT(gr_store_user_by_id(store, &again, mona.id), ==, 0);
		CHECK_INT(again.rights_stamp, ==, 2);
	}
	close_fresh(store, dir);
}

struct figures {
	int seen;
	struct gr_store_centre noord;
};

static int keep_noord(const struct gr_store_centre *row, void *payload)
{
	struct figures *f = payload;

	f->seen++;
	if (strcmp(row->name, "Noord") == 0) {
		f->noord = *row;
		f->noord.name = f->noord.borough = f->noord.address = NULL; /* borrowed */
	}
	return 0;
}

/* Each centre's figures count its own cohorts, learners, coaches and recent progress only. */
static void test_figures(void)
{
	const int64_t day = GR_STORE_DAY_MS, now = 100 * GR_STORE_DAY_MS;
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	int64_t noord = add_centre(store, "Noord"), zuid = add_centre(store, "Zuid");
	struct gr_store_progress row = { .track_id = "web", .step_id = "one",
					 .state = GR_PROGRESS_PASSED };
	struct gr_user lena, lars, mona;
	struct figures f = { 0 };

	CHECK_INT(gr_store_cohort_add(store, "autumn", noord, 1000), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "summer", noord, 1000), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "spring", zuid, 1000), ==, 0);
	lena = add_user(store, "lena", GR_ROLE_LEARNER, "autumn");
	add_user(store, "lise", GR_ROLE_LEARNER, "summer");
	lars = add_user(store, "lars", GR_ROLE_LEARNER, "spring");
	mona = add_user(store, "mona", GR_ROLE_COACH, "autumn");
	CHECK_INT(gr_store_user_add_coached(store, mona.id, "autumn"), ==, 0);
	row.started_at = now - 40 * day;
	row.finished_at = row.updated_at = now - 2 * day; /* active, passed in the windows */
	CHECK_INT(gr_store_progress_put(store, lena.id, &row), ==, 0);
	snprintf(row.step_id, sizeof row.step_id, "two");
	row.finished_at = row.updated_at = now - 35 * day; /* before both windows */
	CHECK_INT(gr_store_progress_put(store, lena.id, &row), ==, 0);
	snprintf(row.step_id, sizeof row.step_id, "one");
	row.finished_at = row.updated_at = now - day; /* Zuid's, not Noord's */
	CHECK_INT(gr_store_progress_put(store, lars.id, &row), ==, 0);
	CHECK_INT(gr_store_centre_each(store, now - 7 * day, now - 30 * day, keep_noord, &f), ==, 0);
	CHECK_INT(f.seen, ==, 3);
	CHECK_INT(f.noord.cohorts, ==, 2);
	CHECK_INT(f.noord.learners, ==, 2);
	CHECK_INT(f.noord.coaches, ==, 1);
	CHECK_INT(f.noord.active, ==, 1);
	CHECK_INT(f.noord.passed, ==, 1);
	close_fresh(store, dir);
}

/*
 * A database from before centres: its cohorts and coaches move into the
 * default centre and everyone coaches what they coached; the setting names
 * that centre once.
 */
static void test_migration(void)
{
	char *dir, path[512], text[64];
	struct gr_store *store = open_fresh(&dir);
	struct gr_user mona, carl;
	int named = 0;
	char downgrade[2048];

	snprintf(path, sizeof path, "%s", db_path(dir, "grounds.db"));
	CHECK_INT(gr_store_cohort_add(store, "autumn", 1, 1000), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "spring", 1, 1000), ==, 0);
	mona = add_user(store, "mona", GR_ROLE_COACH, "autumn");
	carl = add_user(store, "carl", GR_ROLE_COACH, "spring");
	CHECK_INT(gr_store_user_add_coached(store, mona.id, "autumn"), ==, 0);
	CHECK_INT(gr_store_user_add_coached(store, carl.id, "spring"), ==, 0);
	gr_store_close(store);
	/*
	 * As if written by the version before the centres' migration (14):
	 * without it and those after it (15: partner projects; 16: an
	 * invite's centre; 17: two indexes), back to version 13.
	 */
	snprintf(downgrade, sizeof downgrade, "DROP INDEX progress_submitted; DROP INDEX users_disabled;"
				 "ALTER TABLE invites DROP COLUMN centre_id;"
				 "DROP TABLE feedback_shown; DROP TABLE project_feedback;"
				 "DROP INDEX submissions_by_team;"
				 "ALTER TABLE submissions DROP COLUMN team_id;"
				 "DROP TABLE team_members; DROP TABLE teams;"
				 "DROP TABLE project_cohorts; DROP TABLE projects;"
				 "DROP TABLE applications; DROP TABLE coach_centres;"
				 "CREATE TABLE old_cohorts (id INTEGER PRIMARY KEY,"
				 "  name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);"
				 "INSERT INTO old_cohorts SELECT id, name, created_at FROM cohorts;"
				 "DROP TABLE cohorts; ALTER TABLE old_cohorts RENAME TO cohorts;"
				 "DROP TABLE centres;"
				 "DELETE FROM meta WHERE key = 'default_centre_unnamed';"
				 "ALTER TABLE users DROP COLUMN rights_stamp;"
				 "PRAGMA user_version = 13;");
	CHECK_INT(exec_sql(path, downgrade), ==, 0);
	CHECK_INT(gr_store_open(&store, path), ==, 0);
	CHECK_INT(gr_store_schema_version(store), ==, gr_store_schema_latest());
	CHECK_INT(query_int(path, "SELECT count(*) FROM cohorts WHERE centre_id = 1"), ==, 2);
	CHECK_INT(query_int(path, "SELECT count(*) FROM coach_centres WHERE centre_id = 1"), ==, 2);
	CHECK_INT(coaches(store, mona.id, "autumn"), ==, 1);
	CHECK_INT(coaches(store, mona.id, "spring"), ==, 0);
	CHECK_INT(coaches(store, carl.id, "spring"), ==, 1);
	CHECK_STR(query_text(text, sizeof text, path, "SELECT name FROM centres"),
		  GR_STORE_CENTRE_DEFAULT);
	/* Named once by the setting; a later setting changes nothing. */
	CHECK_INT(gr_store_centre_name_default(store, &named, "Centrum"), ==, 0);
	CHECK_INT(named, ==, 1);
	CHECK_INT(gr_store_centre_name_default(store, &named, "Elsewhere"), ==, 0);
	CHECK_INT(named, ==, 0);
	CHECK_STR(query_text(text, sizeof text, path, "SELECT name FROM centres"), "Centrum");
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_add_and_find);
	RUN(test_rule_within_centres);
	RUN(test_figures);
	RUN(test_migration);
	return harness_done();
}
