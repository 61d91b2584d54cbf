/* Tests for progress.h: every (state, action) pair for a step without reviews
 * and a step with two reviews against tables written out here by hand, the
 * conflict messages, state names both ways, is_complete, the checker on
 * every state (the number of the invariant each broken one breaks, in every
 * build type), and a seeded random walk that calls the checker after every
 * action and keeps the rules about moves: passed is never left, done only by
 * UNDO and only back to started. */
#include "harness.h"

#include "core/error.h"
#include "domain/progress.h"

#define N_STATES GR_PROGRESS_STATE_COUNT
#define N_ACTIONS GR_PROGRESS_ACTION_COUNT
#define NO (-1) /* expected: GR_ECONFLICT, state unchanged */

/* Short names, for the expected tables only. */
#define NOT_STARTED GR_PROGRESS_NOT_STARTED
#define STARTED GR_PROGRESS_STARTED
#define DONE GR_PROGRESS_DONE
#define SUBMITTED GR_PROGRESS_SUBMITTED
#define IN_REVIEW GR_PROGRESS_IN_REVIEW
#define PASSED GR_PROGRESS_PASSED
#define NEEDS_WORK GR_PROGRESS_NEEDS_WORK

/*
 * Expected next state, written from the rules in the brief and DESIGN.md,
 * not from progress.c. Rows: current state. Columns: START, FINISH, SUBMIT,
 * REVIEW_BEGIN, PASS, FAIL, UNDO (a lesson's "mark as done" taken back).
 */
/* clang-format off */
static const int lesson_expected[N_STATES][N_ACTIONS] = {
	/*               START        FINISH  SUBMIT  REVIEW  PASS  FAIL  UNDO */
	/* not_started */ { STARTED,    NO,     NO,     NO,     NO,   NO,   NO },
	/* started     */ { STARTED,    DONE,   NO,     NO,     NO,   NO,   STARTED },
	/* done        */ { DONE,       DONE,   NO,     NO,     NO,   NO,   STARTED },
	/* submitted   */ { NO,         NO,     NO,     NO,     NO,   NO,   NO },
	/* in_review   */ { NO,         NO,     NO,     NO,     NO,   NO,   NO },
	/* passed      */ { NO,         NO,     NO,     NO,     NO,   NO,   NO },
	/* needs_work  */ { NO,         NO,     NO,     NO,     NO,   NO,   NO },
};

static const int reviewed_expected[N_STATES][N_ACTIONS] = {
	/*               START        FINISH  SUBMIT     REVIEW     PASS    FAIL        UNDO */
	/* not_started */ { STARTED,    NO,     NO,        NO,        NO,     NO,         NO },
	/* started     */ { STARTED,    NO,     SUBMITTED, NO,        NO,     NO,         NO },
	/* done        */ { NO,         NO,     NO,        NO,        NO,     NO,         NO },
	/* submitted   */ { SUBMITTED,  NO,     NO,        IN_REVIEW, PASSED, NEEDS_WORK, NO },
	/* in_review   */ { IN_REVIEW,  NO,     NO,        IN_REVIEW, PASSED, NEEDS_WORK, NO },
	/* passed      */ { PASSED,     NO,     NO,        NO,        NO,     NO,         NO },
	/* needs_work  */ { NEEDS_WORK, NO,     SUBMITTED, IN_REVIEW, NO,     NO,         NO },
};

/* How a message should name each state and action. */
static const char *const state_words[N_STATES] = {
	"not started", "started", "done", "submitted", "in review", "passed", "needs work",
};

static const char *const action_words[N_ACTIONS] = {
	"opened", "marked done", "submitted", "reviewer", "passed", "sent back", "marked not done",
};

static const char *const names[N_STATES] = {
	"not_started", "started", "done", "submitted", "in_review", "passed", "needs_work",
};
/* clang-format on */

/* Whether a state may be stored for a step needing reviews reviews. */
static int allowed_for(int state, int reviews)
{
	if (reviews == 0)
		return state == NOT_STARTED || state == STARTED || state == DONE;
	return state != DONE;
}

static void check_pair(int state, int action, int reviews, int expected)
{
	enum gr_progress_state out = GR_PROGRESS_STATE_COUNT;
	int failures = harness_failures;
	int rc;

	gr_error_clear();
	rc = gr_progress_next(&out, state, action, reviews);
	if (expected != NO) {
		CHECK_INT(rc, ==, 0);
		CHECK_INT(out, ==, expected);
	} else {
		CHECK_INT(rc, ==, GR_ECONFLICT);
		CHECK_INT(out, ==, state); /* left as it was */
		CHECK(gr_error_last()[0] != '\0');
		CHECK_CONTAINS(gr_error_last(), state_words[state]);
		CHECK_CONTAINS(gr_error_last(), action_words[action]);
	}
	if (harness_failures != failures)
		fprintf(stderr, "  (from %s, action %d, reviews %d)\n", names[state], action,
			reviews);
}

static void check_table(const int expected[N_STATES][N_ACTIONS], int reviews)
{
	for (int state = 0; state < N_STATES; state++)
		for (int action = 0; action < N_ACTIONS; action++)
			check_pair(state, action, reviews, expected[state][action]);
}

static void test_lesson_table(void)
{
	check_table(lesson_expected, 0);
}

static void test_reviewed_table(void)
{
	check_table(reviewed_expected, 2);
	/* Any positive review count is the same family. */
	check_table(reviewed_expected, 1);
	check_table(reviewed_expected, 5);
}

static void test_messages(void)
{
	enum gr_progress_state out;

	CHECK_INT(gr_progress_next(&out, SUBMITTED, GR_PROGRESS_FINISH, 2), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "this step is submitted; it cannot be marked done");
	CHECK_INT(gr_progress_next(&out, NOT_STARTED, GR_PROGRESS_FINISH, 0), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "this step is not started; it cannot be marked done");
	CHECK_INT(gr_progress_next(&out, IN_REVIEW, GR_PROGRESS_SUBMIT, 2), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "this step is in review; it cannot be submitted");
	CHECK_INT(gr_progress_next(&out, NEEDS_WORK, GR_PROGRESS_PASS, 2), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "this step needs work; it cannot be passed");
	/* Undoing: only a lesson's "done", and a verdict never. */
	CHECK_INT(gr_progress_next(&out, NOT_STARTED, GR_PROGRESS_UNDO, 0), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "it cannot be marked not done (it was never marked done)");
	CHECK_INT(gr_progress_next(&out, PASSED, GR_PROGRESS_UNDO, 2), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "this step is passed; it cannot be marked not done (it passes by peer review)");
	/* No internal names in front of a learner. */
	for (int state = 0; state < N_STATES; state++) {
		gr_progress_next(&out, state, GR_PROGRESS_FAIL, 2);
		CHECK_NOT_CONTAINS(gr_error_last(), "_");
		CHECK_NOT_CONTAINS(gr_error_last(), "GR_");
	}
}

static void test_names(void)
{
	enum gr_progress_state out;

	for (int state = 0; state < N_STATES; state++) {
		CHECK_STR(gr_progress_state_name(state), names[state]);
		out = GR_PROGRESS_STATE_COUNT;
		CHECK_INT(gr_progress_state_from_name(&out, names[state]), ==, 0);
		CHECK_INT(out, ==, state);
		CHECK_INT(gr_progress_state_from_name(&out, gr_progress_state_name(state)), ==, 0);
		CHECK_INT(out, ==, state);
	}
}

static void test_unknown_names(void)
{
	/* clang-format off */
	static const char *const bad[] = {
		"", "Started", "STARTED", "started ", " started", "start", "in review",
		"needs-work", "not started", "done\n", "passedx", "unknown",
	};
	/* clang-format on */
	enum gr_progress_state out = GR_PROGRESS_PASSED;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gr_error_clear();
		CHECK_INT(gr_progress_state_from_name(&out, bad[i]), ==, GR_EINVALID);
		CHECK(gr_error_last()[0] != '\0');
	}
	gr_error_clear();
	CHECK_INT(gr_progress_state_from_name(&out, NULL), ==, GR_EINVALID);
	CHECK(gr_error_last()[0] != '\0');
	CHECK_INT(out, ==, GR_PROGRESS_PASSED); /* untouched on failure */
}

static void test_is_complete(void)
{
	static const int complete[N_STATES] = {0, 0, 1, 0, 0, 1, 0};

	for (int state = 0; state < N_STATES; state++)
		CHECK_INT(!!gr_progress_is_complete(state), ==, complete[state]);
}

/* A small LCG, so the walk is the same on every libc. */
static uint32_t walk_seed = 20240611u;

static uint32_t walk_random(void)
{
	walk_seed = walk_seed * 1664525u + 1013904223u;
	return walk_seed >> 8;
}

static void walk(int reviews, int steps, int reached[N_STATES])
{
	const int(*expected)[N_ACTIONS] = reviews == 0 ? lesson_expected : reviewed_expected;
	enum gr_progress_state state = GR_PROGRESS_NOT_STARTED;
	int wrong = 0, broken = 0, left = 0, undone = 0;

	for (int i = 0; i < steps; i++) {
		enum gr_progress_action action = walk_random() % N_ACTIONS;
		enum gr_progress_state next = state;
		int rc = gr_progress_next(&next, state, action, reviews);
		int want = expected[state][action];

		wrong += rc != (want == NO ? GR_ECONFLICT : 0);
		wrong += next != (want == NO ? state : (enum gr_progress_state)want);
		wrong += (int)next < 0 || next >= GR_PROGRESS_STATE_COUNT;
		wrong += !allowed_for(next, reviews);
		if (gr_progress_check(next, reviews) != 0 && broken++ < 5)
			fprintf(stderr, "  walk step %d: %s\n", i, gr_error_last());
		/* Passed is final; done is left only by UNDO, back to started. */
		left += state == PASSED && next != state;
		left += state == DONE && next != state &&
			(action != GR_PROGRESS_UNDO || next != STARTED);
		undone += state == DONE && next == STARTED;
		/* Only START leaves not_started. */
		left += state == NOT_STARTED && next != state && action != GR_PROGRESS_START;
		state = next;
		reached[state]++;
		if (walk_random() % 40 == 0)
			state = GR_PROGRESS_NOT_STARTED; /* a new learner on the same step */
	}
	CHECK_INT(wrong, ==, 0);
	CHECK_INT(broken, ==, 0);
	CHECK_INT(left, ==, 0);
	/* The walk took "done" back at least once where a step can be done. */
	CHECK_INT(undone > 0, ==, reviews == 0);
}

static void test_random_walk(void)
{
	int lesson_reached[N_STATES] = {0};
	int reviewed_reached[N_STATES] = {0};

	walk(0, 4000, lesson_reached);
	for (int reviews = 1; reviews <= 3; reviews++)
		walk(reviews, 4000, reviewed_reached);
	/* The walk covered every state each family can be in. */
	for (int state = 0; state < N_STATES; state++) {
		CHECK_INT(lesson_reached[state] > 0, ==, allowed_for(state, 0));
		CHECK_INT(reviewed_reached[state] > 0, ==, allowed_for(state, 2));
	}
}

/* The invariant a state breaks for a family, from the header comment of
 * progress.c: 0 when it may be stored; else 2 without reviews, 3 with. */
static int broken_invariant(int state, int reviews)
{
	if (allowed_for(state, reviews))
		return 0;
	return reviews == 0 ? 2 : 3;
}

static void test_check_every_state(void)
{
	static const int review_counts[] = {0, 1, 2, 5};

	for (size_t r = 0; r < sizeof(review_counts) / sizeof(review_counts[0]); r++) {
		int reviews = review_counts[r];

		for (int state = 0; state < N_STATES; state++) {
			int want = broken_invariant(state, reviews);

			gr_error_clear();
			CHECK_INT(gr_progress_check(state, reviews), ==, want);
			if (want) {
				char number[32];

				snprintf(number, sizeof number, "progress invariant %d:", want);
				CHECK_CONTAINS(gr_error_last(), number);
				CHECK_CONTAINS(gr_error_last(), reviews ? "with" : "without");
			} else {
				CHECK_STR(gr_error_last(), ""); /* a valid state sets no message */
			}
		}
	}
}

static void test_check_broken_states(void)
{
	gr_error_clear();
	CHECK_INT(gr_progress_check(GR_PROGRESS_STATE_COUNT, 0), ==, 1);
	CHECK_CONTAINS(gr_error_last(), "progress invariant 1:");
	CHECK_INT(gr_progress_check(GR_PROGRESS_NOT_STARTED - 1, 2), ==, 1);
	CHECK_INT(gr_progress_check(STARTED, -1), ==, 1);
	CHECK_CONTAINS(gr_error_last(), "review count -1");
	/* The first broken one wins: out of range before the family's rules. */
	CHECK_INT(gr_progress_check(GR_PROGRESS_STATE_COUNT, -1), ==, 1);
	CHECK_INT(gr_progress_check(PASSED, 0), ==, 2);
	CHECK_CONTAINS(gr_error_last(), "progress invariant 2: a step without reviews is passed");
	CHECK_INT(gr_progress_check(NEEDS_WORK, 0), ==, 2);
	CHECK_CONTAINS(gr_error_last(), "needs_work");
	CHECK_INT(gr_progress_check(DONE, 3), ==, 3);
	CHECK_CONTAINS(gr_error_last(), "progress invariant 3: a step with 3 reviews is done");
}

/* A state broken by a new commit of the track allows no action and is never produced. */
static void test_broken_state_is_stuck(void)
{
	for (int action = 0; action < N_ACTIONS; action++) {
		enum gr_progress_state out = GR_PROGRESS_STATE_COUNT;

		CHECK_INT(gr_progress_next(&out, IN_REVIEW, action, 0), ==, GR_ECONFLICT);
		CHECK_INT(out, ==, IN_REVIEW);
		CHECK_INT(gr_progress_next(&out, DONE, action, 2), ==, GR_ECONFLICT);
		CHECK_INT(out, ==, DONE);
	}
	CHECK_CONTAINS(gr_error_last(), "should never be in this state");
}

int main(void)
{
	RUN(test_lesson_table);
	RUN(test_reviewed_table);
	RUN(test_messages);
	RUN(test_names);
	RUN(test_unknown_names);
	RUN(test_is_complete);
	RUN(test_random_walk);
	RUN(test_check_every_state);
	RUN(test_check_broken_states);
	RUN(test_broken_state_is_stuck);
	return harness_done();
}
