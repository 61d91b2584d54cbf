/*
 * review_internal.h - the memory of the peer-review pairing engine: its
 * learners, steps, submissions, slots and assignments, laid out for
 * review.c. Everyone else sees struct gr_review as opaque through review.h;
 * only review.c and tests/unit/review_test.c include this file, the test to
 * break an engine on purpose and see gr_review_check() name the invariant.
 * The state machines and invariants these fields carry are drawn in
 * review.c.
 */
#ifndef GR_REVIEW_INTERNAL_H
#define GR_REVIEW_INTERNAL_H

#include "domain/review.h"

#include <stdbool.h>
#include <stdint.h>

#define RECENT_AUTHORS 8 /* remembered per reviewer for criterion 6 */
#define RECENT_LEASES 16 /* ended leases remembered per reviewer for criterion 2 */
#define RECENT_PUSHES 32 /* pushes remembered per reviewer for the weekly cap */
#define NONE (-1)
#define NEVER INT64_MAX

enum slot_state { SLOT_OPEN, SLOT_ASSIGNED, SLOT_DONE };

struct int_list {
	int *items;
	int count;
	int cap;
};

struct id_map { /* open addressing; key 0 is empty (ids are > 0) */
	int64_t *keys;
	int *values;
	int cap; /* a power of two, or 0 */
	int count;
};

struct learner_step {
	bool passed;
	bool submitted;
	int latest; /* the last submission on the step, or NONE */
};

struct learner {
	int64_t id;
	bool online;
	bool active;
	int64_t last_seen; /* the last time the learner came online or went offline */
	int lapses;	   /* leases let expire since the learner last gave a review */
	int lapsed;	   /* leases let expire, ever */
	int64_t ended_at[RECENT_LEASES]; /* when their last leases ended */
	int ended_next;
	int given;
	int received;
	int open;
	struct learner_step *steps; /* indexed like review->steps, up to step_cap */
	int step_cap;
	int recent_author[RECENT_AUTHORS];
	int64_t recent_at[RECENT_AUTHORS];
	int recent_next;
	int cohort;			  /* 0: none */
	int given_pushed;		  /* of given: on leases pushed to them */
	int64_t pushed_at[RECENT_PUSHES]; /* when their last pushes were made */
	int pushed_next;
};

struct step {
	int64_t id;
	int reviews;
};

struct submission {
	int64_t id;
	int author;
	int step;
	int attempt;
	int previous; /* the author's previous attempt on the step, or NONE */
	enum gr_review_submission_state state;
	int64_t submitted_at;
	int64_t decided_at;
	bool queued;
	bool by_coach;	  /* a coach decided the verdict */
	int64_t clock_at; /* the coaches' clock: since submit, the last tie or extension */
	int64_t coach_at; /* when it went to the coaches; 0 while not with them */
	struct int_list slots;	     /* indexes into review->slots */
	struct int_list assignments; /* every assignment ever made, in order */
};

struct slot {
	int submission;
	enum slot_state state;
	int live; /* the assigned assignment, or NONE */
	int done; /* the done assignment, or NONE */
	int last; /* the latest assignment of any state, or NONE */
	int64_t opened_at;
};

struct assignment {
	int slot;
	int submission;
	int reviewer;
	enum gr_review_assignment_state state;
	enum gr_review_verdict verdict;
	int64_t assigned_at;
	int64_t due_at;
	int64_t ended_at;
	int64_t opened_at; /* 0 until opened */
	bool pulled;	   /* taken by the reviewer, not pushed */
	bool by_coach;	   /* a coach chose the reviewer */
	bool withdrawn;	   /* done, then taken out of the verdict (a flag upheld) */
};

struct gr_review {
	struct gr_review_config config;
	uint64_t rng;
	struct learner *learners;
	int learner_count, learner_cap;
	struct step *steps;
	int step_count, step_cap;
	struct submission *submissions;
	int submission_count, submission_cap;
	struct slot *slots;
	int slot_count, slot_cap;
	struct assignment *assignments; /* id = index + 1 */
	int assignment_count, assignment_cap;
	struct id_map learner_ids, step_ids, submission_ids;
	struct int_list waiting; /* submissions with an open slot, oldest first */
	bool handing_back;	 /* while emitting an expiry that is no lapse */
};

#endif
