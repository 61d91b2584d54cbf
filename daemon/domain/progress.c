/*
 * progress.c - the state machine of one learner's progress on one step (see
 * progress.h; design in "Progress and submissions" in DESIGN.md).
 *
 * Owns: which action is allowed from which state, the state that follows,
 * the words of the conflict message, the state names used in the store and
 * the protocol, and the invariants of a stored state. Leaves to others:
 * loading and storing the state and appending its event (store.c), pairing
 * reviewers and counting verdicts (the review engine decides when PASS or
 * FAIL happens; here they are only allowed or not), and pushing the change
 * live.
 *
 * Two families of steps share the states. Lessons and exercises have no
 * reviews (reviews == 0); steps that need peer review have reviews > 0.
 *
 * Steps without reviews:
 *
 *     +-------------+  START   +---------+  FINISH  +------+
 *     | not_started | -------> | started | <------> | done |
 *     +-------------+          +---------+   UNDO   +------+
 *                              START, UNDO: stays   START, FINISH: stays
 *
 * Steps with reviews:
 *
 *     +-------------+  START   +---------+  SUBMIT  +-----------+
 *     | not_started | -------> | started | -------> | submitted | <----------+
 *     +-------------+          +---------+          +-----------+            |
 *                                                         |                  |
 *                                                         | REVIEW_BEGIN     | SUBMIT
 *                                                         v                  | (resubmit)
 *     +--------+           PASS                     +-----------+  FAIL  +------------+
 *     | passed | <--------------------------------- | in_review | -----> | needs_work |
 *     +--------+                                    +-----------+        +------------+
 *                                                   REVIEW_BEGIN: stays
 *
 *     START on every state but not_started: stays (opening a step twice).
 *
 * Transition table. "stays" is allowed and leaves the state unchanged;
 * every pair not listed is GR_ECONFLICT. All transitions are made by
 * gr_progress_next(), which looks them up in lesson_next[][] (reviews == 0)
 * or reviewed_next[][] (reviews > 0) and writes the message in conflict().
 *
 *   family    from         action        to          why
 *   --------  -----------  ------------  ----------  ----------------------------
 *   both      not_started  START         started     the learner opens the step
 *   lesson    started      START         stays       opened again
 *   lesson    started      FINISH        done        marked done
 *   lesson    started      UNDO          stays       undone twice (two tabs)
 *   lesson    done         START         stays       opened again
 *   lesson    done         FINISH        stays       marked done twice (two tabs)
 *   lesson    done         UNDO          started     "mark as done" undone
 *   reviewed  started      START         stays       opened again
 *   reviewed  started      SUBMIT        submitted   first submission
 *   reviewed  submitted    START         stays       opened again
 *   reviewed  submitted    REVIEW_BEGIN  in_review   first reviewer assigned
 *   reviewed  submitted    PASS          passed      a coach decided: no peer could
 *   reviewed  submitted    FAIL          needs_work  a coach decided: no peer could
 *   reviewed  in_review    START         stays       opened again
 *   reviewed  in_review    REVIEW_BEGIN  stays       another reviewer assigned
 *   reviewed  in_review    PASS          passed      the reviews' verdict
 *   reviewed  in_review    FAIL          needs_work  the reviews' verdict
 *   reviewed  needs_work   START         stays       opened again
 *   reviewed  needs_work   SUBMIT        submitted   a resubmission
 *   reviewed  needs_work   REVIEW_BEGIN  in_review   the verdict reopened: a coach upheld
 *                                                    a flag on a review in it
 *   reviewed  passed       START         stays       opened again; nothing else
 *                                                    leaves passed
 *
 * Notable conflicts: FINISH from not_started (a step is started before it is
 * done); FINISH and UNDO on any reviewed step (it is passed by its reviews,
 * not marked done, and a verdict is not the learner's to undo); UNDO from
 * not_started (nothing was marked); SUBMIT, REVIEW_BEGIN, PASS and FAIL on a lesson; SUBMIT from
 * submitted or in_review (already waiting); PASS and FAIL other than from
 * submitted or in_review.
 *
 * Invariants of a stored state, checked by gr_progress_check() in every
 * build type (it returns the number of the first broken one), and asserted
 * on every result of gr_progress_next() in debug builds:
 *   1. In range: 0 <= state < GR_PROGRESS_STATE_COUNT, and reviews >= 0.
 *   2. A step without reviews is never submitted, in_review, passed or
 *      needs_work.
 *   3. A step with reviews is never done.
 * A stored state that breaks 2 or 3 (say a track update changed a step's
 * review count) is not asserted on input: every action from it is a
 * conflict, so gr_progress_next() never produces such a state. Two rules of
 * the table are about moves, not states, and the tests walk them: passed
 * is never left, done is left only by UNDO and only back to started (the
 * learner's own "mark as done" taken back), and nothing but START leads out
 * of not_started.
 */
#include "domain/progress.h"

#include "core/error.h"

#include <assert.h>
#include <string.h>

#define STAYS (-1)    /* allowed; the state does not change */
#define CONFLICT (-2) /* not allowed from this state */

/* The tables are laid out by hand, a row per state. */
/* clang-format off */
#define NS GR_PROGRESS_NOT_STARTED
#define ST GR_PROGRESS_STARTED
#define DN GR_PROGRESS_DONE
#define SB GR_PROGRESS_SUBMITTED
#define IR GR_PROGRESS_IN_REVIEW
#define PS GR_PROGRESS_PASSED
#define NW GR_PROGRESS_NEEDS_WORK
#define XX CONFLICT

/* Columns: START, FINISH, SUBMIT, REVIEW_BEGIN, PASS, FAIL, UNDO. */
static const signed char lesson_next[GR_PROGRESS_STATE_COUNT][GR_PROGRESS_ACTION_COUNT] = {
	[NS] = { ST, XX, XX, XX, XX, XX, XX },
	[ST] = { STAYS, DN, XX, XX, XX, XX, STAYS },
	[DN] = { STAYS, STAYS, XX, XX, XX, XX, ST },
	[SB] = { XX, XX, XX, XX, XX, XX, XX }, /* never stored for a lesson */
	[IR] = { XX, XX, XX, XX, XX, XX, XX }, /* never stored for a lesson */
	[PS] = { XX, XX, XX, XX, XX, XX, XX }, /* never stored for a lesson */
	[NW] = { XX, XX, XX, XX, XX, XX, XX }, /* never stored for a lesson */
};

static const signed char reviewed_next[GR_PROGRESS_STATE_COUNT][GR_PROGRESS_ACTION_COUNT] = {
	[NS] = { ST, XX, XX, XX, XX, XX, XX },
	[ST] = { STAYS, XX, SB, XX, XX, XX, XX },
	[DN] = { XX, XX, XX, XX, XX, XX, XX }, /* never stored for a reviewed step */
	[SB] = { STAYS, XX, XX, IR, PS, NW, XX },
	[IR] = { STAYS, XX, XX, STAYS, PS, NW, XX },
	[PS] = { STAYS, XX, XX, XX, XX, XX, XX },
	[NW] = { STAYS, XX, SB, IR, XX, XX, XX },
};

#undef NS
#undef ST
#undef DN
#undef SB
#undef IR
#undef PS
#undef NW
#undef XX

static const char *const state_names[GR_PROGRESS_STATE_COUNT] = {
	[GR_PROGRESS_NOT_STARTED] = "not_started",
	[GR_PROGRESS_STARTED] = "started",
	[GR_PROGRESS_DONE] = "done",
	[GR_PROGRESS_SUBMITTED] = "submitted",
	[GR_PROGRESS_IN_REVIEW] = "in_review",
	[GR_PROGRESS_PASSED] = "passed",
	[GR_PROGRESS_NEEDS_WORK] = "needs_work",
};

/* "this step ..." in plain words, for messages. */
static const char *const state_words[GR_PROGRESS_STATE_COUNT] = {
	[GR_PROGRESS_NOT_STARTED] = "is not started",
	[GR_PROGRESS_STARTED] = "is started",
	[GR_PROGRESS_DONE] = "is done",
	[GR_PROGRESS_SUBMITTED] = "is submitted",
	[GR_PROGRESS_IN_REVIEW] = "is in review",
	[GR_PROGRESS_PASSED] = "is passed",
	[GR_PROGRESS_NEEDS_WORK] = "needs work",
};

/* "it cannot be ..." in plain words, for messages. */
static const char *const action_words[GR_PROGRESS_ACTION_COUNT] = {
	[GR_PROGRESS_START] = "opened",
	[GR_PROGRESS_FINISH] = "marked done",
	[GR_PROGRESS_SUBMIT] = "submitted",
	[GR_PROGRESS_REVIEW_BEGIN] = "given a reviewer",
	[GR_PROGRESS_PASS] = "passed",
	[GR_PROGRESS_FAIL] = "sent back for more work",
	[GR_PROGRESS_UNDO] = "marked not done",
};
/* clang-format on */

static int state_valid(enum gr_progress_state state)
{
	return (int)state >= 0 && state < GR_PROGRESS_STATE_COUNT;
}

static int action_valid(enum gr_progress_action action)
{
	return (int)action >= 0 && action < GR_PROGRESS_ACTION_COUNT;
}

/* Whether state can be stored for a step of this family (invariants 2, 3;
 * gr_progress_check() says which is broken). */
static int state_fits(enum gr_progress_state state, int reviews)
{
	if (reviews == 0)
		return state <= GR_PROGRESS_DONE;
	return state != GR_PROGRESS_DONE;
}

/* Why action is refused from current, appended to the message, or "". */
static const char *conflict_reason(enum gr_progress_state current, enum gr_progress_action action,
				   int reviews)
{
	if (!state_fits(current, reviews))
		return reviews == 0 ? " (a step without reviews should never be in this state)"
				    : " (a step with reviews should never be in this state)";
	if (reviews == 0 && action >= GR_PROGRESS_SUBMIT && action <= GR_PROGRESS_FAIL)
		return " (it has no peer reviews)";
	if (reviews > 0 && (action == GR_PROGRESS_FINISH || action == GR_PROGRESS_UNDO))
		return " (it passes by peer review)";
	if (action == GR_PROGRESS_SUBMIT &&
	    (current == GR_PROGRESS_SUBMITTED || current == GR_PROGRESS_IN_REVIEW))
		return " (it is already waiting for review)";
	if (action == GR_PROGRESS_FINISH && current == GR_PROGRESS_NOT_STARTED)
		return " (open it first)";
	if (action == GR_PROGRESS_UNDO && current == GR_PROGRESS_NOT_STARTED)
		return " (it was never marked done)";
	return "";
}

static int conflict(enum gr_progress_state current, enum gr_progress_action action, int reviews)
{
	gr_error_set("this step %s; it cannot be %s%s", state_words[current], action_words[action],
		     conflict_reason(current, action, reviews));
	return GR_ECONFLICT;
}

int gr_progress_next(enum gr_progress_state *out, enum gr_progress_state current,
		     enum gr_progress_action action, int reviews)
{
	int next;

	assert(reviews >= 0);
	assert(state_valid(current));
	assert(action_valid(action));
	*out = current;
	if (reviews < 0 || !state_valid(current) || !action_valid(action)) {
		gr_error_set("progress: state %d, action %d or review count %d out of range",
			     (int)current, (int)action, reviews);
		return GR_EINVALID;
	}
	next = reviews == 0 ? lesson_next[current][action] : reviewed_next[current][action];
	if (next == CONFLICT)
		return conflict(current, action, reviews);
	if (next != STAYS)
		*out = (enum gr_progress_state)next;
	assert(gr_progress_check(*out, reviews) == 0);
	return 0;
}

int gr_progress_is_complete(enum gr_progress_state state)
{
	return state == GR_PROGRESS_DONE || state == GR_PROGRESS_PASSED;
}

const char *gr_progress_state_name(enum gr_progress_state state)
{
	assert(state_valid(state));
	if (!state_valid(state))
		return "unknown";
	return state_names[state];
}

int gr_progress_state_from_name(enum gr_progress_state *out, const char *name)
{
	for (int state = 0; name && state < GR_PROGRESS_STATE_COUNT; state++) {
		if (strcmp(name, state_names[state]) == 0) {
			*out = (enum gr_progress_state)state;
			return 0;
		}
	}
	gr_error_set("\"%s\" is not a progress state", name ? name : "(none)");
	return GR_EINVALID;
}

int gr_progress_check(enum gr_progress_state state, int reviews)
{
	if (!state_valid(state) || reviews < 0) {
		gr_error_set("progress invariant 1: state %d or review count %d out of range",
			     (int)state, reviews);
		return 1;
	}
	if (reviews == 0 && state > GR_PROGRESS_DONE) {
		gr_error_set("progress invariant 2: a step without reviews is %s",
			     state_names[state]);
		return 2;
	}
	if (reviews > 0 && state == GR_PROGRESS_DONE) {
		gr_error_set("progress invariant 3: a step with %d reviews is done", reviews);
		return 3;
	}
	return 0;
}
