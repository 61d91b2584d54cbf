/* Tests for store/progress.h: a step's progress with its state as the
 * domain's enum, stored under the state's name, and a stored name this
 * grounds does not know. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "domain/progress.h"
#include "store/progress.h"
#include "store/survey.h"
#include "store/user.h"

static int count_rows(const struct gr_store_progress *row, void *payload)
{
	(void)row;
	(*(int *)payload)++;
	return 0;
}

/* Every state is stored under its name and read back as itself. */
static void test_states_round_trip(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_progress row = { .track_id = "web", .step_id = "one" }, got;
	char stored[32];

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	CHECK_INT(gr_store_progress_get(store, &got, lena.id, "web", "one"), ==, GR_ENOTFOUND);
	for (int state = 0; state < GR_PROGRESS_STATE_COUNT; state++) {
		row.state = (enum gr_progress_state)state;
		row.updated_at = 1000 + state;
		CHECK_INT(gr_store_progress_put(store, lena.id, &row), ==, 0);
		CHECK_INT(gr_store_progress_get(store, &got, lena.id, "web", "one"), ==, 0);
		CHECK_INT(got.state, ==, state);
		CHECK_INT(got.updated_at, ==, 1000 + state);
		CHECK_STR(query_text(stored, sizeof stored, db_path(dir, "grounds.db"),
				     "SELECT state FROM progress"),
			  gr_progress_state_name(row.state));
	}
	close_fresh(store, dir);
}

static void test_unknown_state(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_progress row = { .track_id = "web", .step_id = "one",
					 .state = GR_PROGRESS_STARTED, .updated_at = 1000 };
	struct gr_store_progress got;
	int calls = 0;

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	CHECK_INT(gr_store_progress_put(store, lena.id, &row), ==, 0);
	snprintf(row.step_id, sizeof row.step_id, "two");
	CHECK_INT(gr_store_progress_put(store, lena.id, &row), ==, 0);
	CHECK_INT(exec_sql(db_path(dir, "grounds.db"),
			   "UPDATE progress SET state = 'dreaming' WHERE step_id = 'two'"),
		  ==, 0);
	CHECK_INT(gr_store_progress_get(store, &got, lena.id, "web", "two"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "dreaming");
	CHECK_INT(gr_store_progress_get(store, &got, lena.id, "web", "one"), ==, 0);
	CHECK_INT(gr_store_progress_each(store, lena.id, count_rows, &calls), ==, GR_EINVALID);
	CHECK_INT(calls, ==, 1);
	close_fresh(store, dir);
}

/*
 * The work submitted and waiting, which /metrics counts at every scrape on
 * the event loop, is counted from an index of the submitted rows alone, not
 * by reading every learner's progress.
 */
static void test_submitted_counted_from_an_index(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_progress row = { .track_id = "web", .updated_at = 1 };
	static const enum gr_progress_state states[] = {
		GR_PROGRESS_SUBMITTED, GR_PROGRESS_DONE, GR_PROGRESS_SUBMITTED,
		GR_PROGRESS_IN_REVIEW, GR_PROGRESS_STARTED, GR_PROGRESS_SUBMITTED,
	};
	char plan[512];
	int64_t waiting = -1;

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		snprintf(row.step_id, sizeof row.step_id, "step-%zu", i);
		row.state = states[i];
		CHECK_INT(gr_store_progress_put(store, lena.id, &row), ==, 0);
	}
	CHECK_INT(gr_store_survey_submissions_waiting(store, &waiting), ==, 0);
	CHECK_INT(waiting, ==, 3);
	plan_of(plan, sizeof plan, db_path(dir, "grounds.db"),
		"SELECT count(*) FROM progress WHERE state = 'submitted'");
	CHECK_CONTAINS(plan, "progress_submitted");
	CHECK_NOT_CONTAINS(plan, "SCAN progress;");
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_states_round_trip);
	RUN(test_unknown_state);
	RUN(test_submitted_counted_from_an_index);
	return harness_done();
}
