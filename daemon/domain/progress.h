/*
 * progress.h - the state machine of one learner's progress on one step.
 * Design: "Progress and submissions" in DESIGN.md; the diagram, transition
 * table and invariants are in progress.c.
 *
 * Pure functions of (state, action, the step's review count): no store, no
 * clock, no network. The caller loads the current state, asks here whether
 * an action is allowed and what state follows, and stores the result.
 */
#ifndef GR_PROGRESS_H
#define GR_PROGRESS_H

enum gr_progress_state {
	GR_PROGRESS_NOT_STARTED,
	GR_PROGRESS_STARTED,
	GR_PROGRESS_DONE,       /* lessons and exercises (no reviews) */
	GR_PROGRESS_SUBMITTED,  /* reviewed steps: waiting for reviewers */
	GR_PROGRESS_IN_REVIEW,  /* at least one reviewer assigned */
	GR_PROGRESS_PASSED,
	GR_PROGRESS_NEEDS_WORK,
	GR_PROGRESS_STATE_COUNT
};

enum gr_progress_action {
	GR_PROGRESS_START,        /* the learner opens the step */
	GR_PROGRESS_FINISH,       /* the learner marks a step without reviews done */
	GR_PROGRESS_SUBMIT,       /* the learner submits (or resubmits) work */
	GR_PROGRESS_REVIEW_BEGIN, /* the pairing engine assigned a reviewer */
	GR_PROGRESS_PASS,         /* the reviews' verdict: passed */
	GR_PROGRESS_FAIL,         /* the reviews' verdict: needs work */
	GR_PROGRESS_UNDO,         /* the learner takes back "mark as done" */
	GR_PROGRESS_ACTION_COUNT
};

/*
 * The state that follows action from current on a step needing reviews
 * peer reviews (0 for lessons and exercises), written to out. Returns 0, or
 * GR_ECONFLICT (with a message naming both) when the action is not allowed
 * from current; then *out is current. Repeating START on a step already
 * begun, FINISH on a step done, or REVIEW_BEGIN on a step in review is
 * allowed and leaves the state as it is (two tabs may both click); so is
 * UNDO on a lesson that is started (undone already). A stored
 * state that no longer fits the step (its review count changed in a new
 * commit) allows no action.
 */
int gr_progress_next(enum gr_progress_state *out, enum gr_progress_state current,
		     enum gr_progress_action action, int reviews);

/* True for the states that satisfy another step's requires: done, passed. */
int gr_progress_is_complete(enum gr_progress_state state);

/* "not_started", "started", "done", "submitted", "in_review", "passed", "needs_work". */
const char *gr_progress_state_name(enum gr_progress_state state);

/* GR_EINVALID for a name that is no state. */
int gr_progress_state_from_name(enum gr_progress_state *out, const char *name);

/*
 * The invariants of one stored state (numbered in progress.c), in every
 * build type. Returns 0 when they hold, else the number of the first broken
 * one (1 .. 3), with a one-line message from gr_error_set() that names it
 * ("progress invariant 2: ..."); the error message is untouched when they
 * hold. A positive result is not an error code: it is for a test or an
 * assert (gr_progress_next() asserts it on its result in debug builds).
 */
int gr_progress_check(enum gr_progress_state state, int reviews);

#endif
