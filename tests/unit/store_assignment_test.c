/* Tests for store/assignment.h: a review assignment's state as the
 * domain's enum, stored under the state's name, how a lease ends, and a
 * stored name this grounds does not know. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "domain/review.h"
#include "store/assignment.h"
#include "store/submission.h"
#include "store/user.h"

static const enum gr_review_assignment_state every_state[] = {
	GR_REVIEW_ASSIGNED, GR_REVIEW_DONE, GR_REVIEW_EXPIRED, GR_REVIEW_DECLINED,
};

static int count_rows(const struct gr_store_assignment *row, void *payload)
{
	(void)row;
	(*(int *)payload)++;
	return 0;
}

/* A submission by author and an assignment of it to reviewer, numbered id. */
static void assign(struct gr_store *store, int64_t id, int64_t author, int64_t reviewer)
{
	struct gr_store_submission work = {
		.user_id = author, .track_id = "web", .step_id = "project",
		.track_commit = "abc", .body_md = "# Mine", .created_at = 1000,
	};
	struct gr_store_assignment row = {
		.id = id, .reviewer_id = reviewer, .state = GR_REVIEW_ASSIGNED,
		.due_at = 9000, .created_at = 2000,
	};

	CHECK_INT(gr_store_submission_insert(store, &work), ==, 0);
	row.submission_id = work.id;
	CHECK_INT(gr_store_assignment_insert(store, &row), ==, 0);
}

/* Every state is stored under its name and read back as itself. */
static void test_states_round_trip(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user ann = make_user("ann", GR_ROLE_LEARNER);
	struct gr_user ben = make_user("ben", GR_ROLE_LEARNER);
	struct gr_store_assignment got;
	char stored[32];

	CHECK_INT(gr_store_user_insert(store, &ann), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &ben), ==, 0);
	assign(store, 1, ann.id, ben.id);
	CHECK_INT(gr_store_assignment_get(store, &got, 1), ==, 0);
	CHECK_INT(got.state, ==, GR_REVIEW_ASSIGNED);
	CHECK_INT(got.author_id, ==, ann.id);
	CHECK_INT(got.reviewer_id, ==, ben.id);
	CHECK_INT(got.ended_at, ==, 0);
	CHECK_STR(got.step_id, "project");
	for (size_t i = 0; i < sizeof every_state / sizeof every_state[0]; i++) {
		int64_t at = 3000 + (int64_t)i;

		CHECK_INT(gr_store_assignment_end(store, 1, every_state[i], at), ==, 0);
		CHECK_INT(gr_store_assignment_get(store, &got, 1), ==, 0);
		CHECK_INT(got.state, ==, every_state[i]);
		CHECK_INT(got.ended_at, ==, at);
		CHECK_STR(query_text(stored, sizeof stored, db_path(dir, "grounds.db"),
				     "SELECT state FROM review_assignments"),
			  gr_review_assignment_state_name(every_state[i]));
	}
	CHECK_INT(gr_store_assignment_end(store, 2, GR_REVIEW_DONE, 4000), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_assignment_get(store, &got, 2), ==, GR_ENOTFOUND);
	close_fresh(store, dir);
}

static void test_unknown_state(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user ann = make_user("ann", GR_ROLE_LEARNER);
	struct gr_user ben = make_user("ben", GR_ROLE_LEARNER);
	struct gr_store_assignment got;
	int calls = 0;

	CHECK_INT(gr_store_user_insert(store, &ann), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &ben), ==, 0);
	assign(store, 1, ann.id, ben.id);
	assign(store, 2, ann.id, ben.id);
	CHECK_INT(exec_sql(db_path(dir, "grounds.db"),
			   "UPDATE review_assignments SET state = 'lost' WHERE id = 1"),
		  ==, 0);
	CHECK_INT(gr_store_assignment_get(store, &got, 1), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "lost");
	CHECK_INT(gr_store_assignment_get(store, &got, 2), ==, 0);
	/* Newest first: 2 is read, then 1 fails the listing. */
	CHECK_INT(gr_store_assignment_each_of_reviewer(store, ben.id, 10, count_rows, &calls), ==,
		  GR_EINVALID);
	CHECK_INT(calls, ==, 1);
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_states_round_trip);
	RUN(test_unknown_state);
	return harness_done();
}
