/* Tests for services/outcomes.h: the days an outcome is dated, the whole
 * days from joining to it, by UTC dates, and the figures of each cohort
 * and centre as each reader sees them, with the CSV of a centre
 * (services/export.h). */
#include "harness.h"
#include "scratch.h"

#include "services/export.h"
#include "services/outcomes.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/outcome.h"
#include "store/user.h"

#include <stdlib.h>

#define DAY (24LL * 60 * 60 * 1000)

static void test_parse_date(void)
{
	const int64_t first = 1798761600000LL; /* 2027-01-01 00:00 UTC */

	CHECK_INT(gr_outcomes_parse_date("2027-01-01"), ==, first);
	CHECK_INT(gr_outcomes_parse_date("2027-01-02"), ==, first + DAY);
	CHECK_INT(gr_outcomes_parse_date("2026-12-31"), ==, first - DAY);
	CHECK_INT(gr_outcomes_parse_date("2000-03-01") - gr_outcomes_parse_date("2000-02-28"), ==,
		  2 * DAY); /* 2000 was a leap year */
	CHECK_INT(gr_outcomes_parse_date("2028-02-29"), >, 0);
	CHECK_INT(gr_outcomes_parse_date("2027-02-29"), ==, -1); /* not a leap year */
	CHECK_INT(gr_outcomes_parse_date("2100-02-29"), ==, -1); /* nor is 2100 */
	CHECK_INT(gr_outcomes_parse_date("2027-04-31"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-13-01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-00-10"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("1999-12-31"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-1-01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027/01/01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("2027-01-01T00:00"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date("+027-01-01"), ==, -1);
	CHECK_INT(gr_outcomes_parse_date(""), ==, -1);
	CHECK_INT(gr_outcomes_parse_date(NULL), ==, -1);
}

static void test_days(void)
{
	const int64_t first = 1798761600000LL;

	/* Joined late in the day, reached the next morning: one day, by dates. */
	CHECK_INT(gr_outcomes_days(first - 60 * 1000, first), ==, 1);
	CHECK_INT(gr_outcomes_days(first + 9 * 60 * 60 * 1000, first + 10 * DAY), ==, 10);
	CHECK_INT(gr_outcomes_days(first + DAY - 1, first), ==, 0);
	CHECK_INT(gr_outcomes_days(first + 3 * DAY, first), ==, -3); /* recorded before joining */
}

static void test_kind_names(void)
{
	enum gr_store_outcome_kind kind;

	for (int k = 0; k < GR_STORE_OUTCOME_KIND_COUNT; k++) {
		CHECK_INT(gr_store_outcome_kind_from_name(&kind, gr_store_outcome_kind_name(k)), ==, 0);
		CHECK_INT(kind, ==, k);
	}
	CHECK_STR(gr_store_outcome_kind_name(GR_STORE_OUTCOME_STUDY), "study");
	CHECK_INT(gr_store_outcome_kind_from_name(&kind, "Job"), ==, -1);
	CHECK_INT(gr_store_outcome_kind_from_name(&kind, NULL), ==, -1);
}

static struct gr_user learner(struct gr_store *store, const char *handle, const char *cohort,
			      int kind, int days)
{
	struct gr_user user = make_user(handle, GR_ROLE_LEARNER);
	struct gr_store_outcome outcome = { 0 };

	user.created_at = 0; /* joined on day 0 */
	snprintf(user.cohort, sizeof user.cohort, "%s", cohort);
	CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
	if (kind >= 0) {
		outcome.user_id = user.id;
		outcome.kind = (enum gr_store_outcome_kind)kind;
		outcome.reached_at = days * DAY;
		outcome.recorded_at = 1;
		CHECK_INT(gr_store_outcome_put(store, &outcome), ==, 0);
	}
	return user;
}

/* The figures of reader equal expected (JSON text). */
static void check_figures(struct gr_outcomes *outcomes, const struct gr_user *reader,
			  const char *expected)
{
	struct gr_json *figures = NULL, *want = gr_json_load(expected, strlen(expected));
	char *got;

	CHECK(want != NULL);
	CHECK_INT(gr_outcomes_figures(outcomes, &figures, reader), ==, 0);
	got = gr_json_dump(figures);
	if (!gr_json_equal(figures, want))
		HARNESS_FAIL("figures of %s: got %s", reader->handle, got ? got : "(none)");
	free(got);
	gr_json_free(figures);
	gr_json_free(want);
}

#define NONE "{\"count\": 0, \"median_days\": null}"

/*
 * Two centres: Main (autumn: a1 job +10, a2 job +30, a3 none; spring: s1
 * study +40) and Noord (winter: w1 internship +20). An admin sees both
 * centres whole; kim (Main, coaches autumn) sees Main as autumn adds up,
 * and not Noord; nils (Noord, coaches nothing) sees Noord with zeros.
 */
static void test_figures_per_centre(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_outcomes *outcomes = NULL;
	struct gr_user admin = make_user("admin1", GR_ROLE_ADMIN), kim = make_user("kim", GR_ROLE_COACH),
		       nils = make_user("nils", GR_ROLE_COACH), a1;
	struct gr_json *figures = NULL;
	int64_t main_centre = 0, noord = 0;
	char *csv = NULL;
	size_t len = 0;

	CHECK_INT(gr_store_centre_id(store, &main_centre, GR_STORE_CENTRE_DEFAULT), ==, 0);
	CHECK_INT(gr_store_centre_add(store, &noord, "Noord", "", "", 1), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "autumn", main_centre, 1), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "spring", main_centre, 1), ==, 0);
	CHECK_INT(gr_store_cohort_add(store, "winter", noord, 1), ==, 0);
	a1 = learner(store, "a1", "autumn", GR_STORE_OUTCOME_JOB, 10);
	learner(store, "a2", "autumn", GR_STORE_OUTCOME_JOB, 30);
	learner(store, "a3", "autumn", -1, 0);
	learner(store, "s1", "spring", GR_STORE_OUTCOME_STUDY, 40);
	learner(store, "w1", "winter", GR_STORE_OUTCOME_INTERNSHIP, 20);
	CHECK_INT(gr_store_user_insert(store, &admin), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &kim), ==, 0);
	CHECK_INT(gr_store_user_add_coached(store, kim.id, "autumn"), ==, 0); /* joins Main too */
	CHECK_INT(gr_store_user_insert(store, &nils), ==, 0);
	CHECK_INT(gr_store_centre_set_coach(store, nils.id, &noord, 1), ==, 0);
	CHECK_INT(gr_outcomes_new(&outcomes, store, NULL, NULL), ==, 0);

	check_figures(outcomes, &admin,
		      "{\"centres\": ["
		      "{\"centre\": \"Main centre\", \"cohorts\": [\"autumn\", \"spring\"], \"learners\": 4,"
		      " \"reached\": 3, \"median_days\": 30, \"outcomes\": {\"job\": {\"count\": 2, \"median_days\": 20.0},"
		      " \"internship\": " NONE ", \"study\": {\"count\": 1, \"median_days\": 40}, \"stopped\": " NONE "}},"
		      "{\"centre\": \"Noord\", \"cohorts\": [\"winter\"], \"learners\": 1, \"reached\": 1,"
		      " \"median_days\": 20, \"outcomes\": {\"job\": " NONE ", \"internship\": {\"count\": 1, \"median_days\": 20},"
		      " \"study\": " NONE ", \"stopped\": " NONE "}}],"
		      " \"cohorts\": ["
		      "{\"cohort\": \"autumn\", \"centre\": \"Main centre\", \"learners\": 3, \"reached\": 2, \"median_days\": 20.0,"
		      " \"outcomes\": {\"job\": {\"count\": 2, \"median_days\": 20.0}, \"internship\": " NONE ","
		      " \"study\": " NONE ", \"stopped\": " NONE "}},"
		      "{\"cohort\": \"spring\", \"centre\": \"Main centre\", \"learners\": 1, \"reached\": 1, \"median_days\": 40,"
		      " \"outcomes\": {\"job\": " NONE ", \"internship\": " NONE ","
		      " \"study\": {\"count\": 1, \"median_days\": 40}, \"stopped\": " NONE "}},"
		      "{\"cohort\": \"winter\", \"centre\": \"Noord\", \"learners\": 1, \"reached\": 1, \"median_days\": 20,"
		      " \"outcomes\": {\"job\": " NONE ", \"internship\": {\"count\": 1, \"median_days\": 20},"
		      " \"study\": " NONE ", \"stopped\": " NONE "}}]}");
	/* kim: Main as autumn adds up, no spring, no Noord. */
	check_figures(outcomes, &kim,
		      "{\"centres\": ["
		      "{\"centre\": \"Main centre\", \"cohorts\": [\"autumn\"], \"learners\": 3,"
		      " \"reached\": 2, \"median_days\": 20.0, \"outcomes\": {\"job\": {\"count\": 2, \"median_days\": 20.0},"
		      " \"internship\": " NONE ", \"study\": " NONE ", \"stopped\": " NONE "}}],"
		      " \"cohorts\": ["
		      "{\"cohort\": \"autumn\", \"centre\": \"Main centre\", \"learners\": 3, \"reached\": 2, \"median_days\": 20.0,"
		      " \"outcomes\": {\"job\": {\"count\": 2, \"median_days\": 20.0}, \"internship\": " NONE ","
		      " \"study\": " NONE ", \"stopped\": " NONE "}}]}");
	/* nils: his centre, none of its cohorts. */
	check_figures(outcomes, &nils,
		      "{\"centres\": [{\"centre\": \"Noord\", \"cohorts\": [], \"learners\": 0, \"reached\": 0,"
		      " \"median_days\": null, \"outcomes\": {\"job\": " NONE ", \"internship\": " NONE ","
		      " \"study\": " NONE ", \"stopped\": " NONE "}}], \"cohorts\": []}");
	CHECK_INT(gr_outcomes_figures(outcomes, &figures, &a1), ==, GR_EFORBIDDEN);
	CHECK(figures == NULL);

	/* The CSV of a centre: by cohort, only the cohorts the reader coaches there. */
	CHECK_INT(gr_export_outcomes_centre_csv(store, &admin, main_centre, &csv, &len), ==, 0);
	CHECK_CONTAINS(csv, "handle,display_name,cohort,joined_on,outcome,reached_on,days,note\r\n"
			    "a1,Name of a1,autumn,1970-01-01,job,1970-01-11,10,\r\n");
	CHECK_CONTAINS(csv, "a2,Name of a2,autumn,");
	CHECK_CONTAINS(csv, "\r\ns1,Name of s1,spring,1970-01-01,study,1970-02-10,40,\r\n");
	CHECK_NOT_CONTAINS(csv, "w1");
	CHECK_INT(len, ==, strlen(csv));
	free(csv);
	CHECK_INT(gr_export_outcomes_centre_csv(store, &kim, main_centre, &csv, &len), ==, 0);
	CHECK_CONTAINS(csv, "a1,");
	CHECK_CONTAINS(csv, "a2,");
	CHECK_NOT_CONTAINS(csv, "s1");
	free(csv);
	CHECK_INT(gr_export_outcomes_centre_csv(store, &admin, noord, &csv, &len), ==, 0);
	CHECK_CONTAINS(csv, "w1,Name of w1,winter,");
	CHECK_NOT_CONTAINS(csv, "a1");
	free(csv);

	gr_outcomes_free(outcomes);
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_parse_date);
	RUN(test_days);
	RUN(test_kind_names);
	RUN(test_figures_per_centre);
	return harness_done();
}
