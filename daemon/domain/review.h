/*
 * review.h - the peer-review pairing engine: who reviews which submission,
 * the leases on those assignments, and the verdict once enough reviews are
 * in. Design: "Peer review pairing" in DESIGN.md; the assignment slot's
 * state machine, its transition table and invariants are drawn in review.c.
 *
 * A pure domain module: no store, no network, no clock. The caller (the
 * daemon, a test, the simulation) keeps one engine in memory, feeds it
 * events - learners come and go, steps are defined, work is submitted,
 * reviews are given or declined, time passes - always with the time of the
 * event in Unix milliseconds. The engine answers each event at once and
 * reports what it did (an assignment made, a lease expired, a verdict
 * reached) through the effect callback in its configuration, so the caller
 * can store and push each effect. Every random choice comes from the
 * engine's own generator seeded from the configuration: the same events
 * with the same seed give the same effects.
 *
 * Ids are the caller's (store row ids), except assignment ids, which the
 * engine numbers 1, 2, 3 ... in the order it makes them.
 *
 * Functions return 0 or a negative code from error.h with a message set by
 * gr_error_set(): GR_ENOTFOUND (an unknown id), GR_EEXISTS (an id given
 * twice), GR_EINVALID (a bad argument), GR_EFORBIDDEN (not the assignee),
 * GR_EEXPIRED (the lease ran out before the review came), GR_ECONFLICT (not
 * allowed from the current state), GR_ERROR (out of memory).
 */
#ifndef GR_REVIEW_H
#define GR_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#define GR_REVIEW_HOUR_MS ((int64_t)60 * 60 * 1000)
#define GR_REVIEW_DEFAULT_LEASE_MS (48 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_LEASE_ONLINE_MS (4 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_RECENT_MS (14 * 24 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_ABSENT_MS (7 * 24 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_LOAD_WINDOW_MS (48 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_RESCUE_AFTER_MS (60 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_RESCUE_LEASE_MS (36 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_MOVE_AFTER_MS (1 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_DEFAULT_PUSH_CAP 2
#define GR_REVIEW_DEFAULT_COACH_AFTER_MS (24 * GR_REVIEW_HOUR_MS)
#define GR_REVIEW_WEEK_MS (7 * 24 * GR_REVIEW_HOUR_MS)

struct gr_review;

enum gr_review_policy {
	GR_REVIEW_POLICY_ENGINE, /* everything in DESIGN.md */
	GR_REVIEW_POLICY_NAIVE,	 /* the honest baseline: a uniformly random eligible reviewer,
				    the same leases and reassignment; no presence, rescue, load
				    order, pull, moves or coaches */
};

enum gr_review_verdict {
	GR_REVIEW_PASS,
	GR_REVIEW_NEEDS_WORK,
};

/* Where one submission (one attempt) stands. */
enum gr_review_submission_state {
	GR_REVIEW_SUBMISSION_WAITING,	/* at least one slot has no reviewer */
	GR_REVIEW_SUBMISSION_IN_REVIEW, /* every slot has a reviewer or a review */
	GR_REVIEW_SUBMISSION_PASSED,
	GR_REVIEW_SUBMISSION_NEEDS_WORK,
};

/* Why a waiting submission waits. */
enum gr_review_wait_reason {
	GR_REVIEW_WAIT_NONE,	   /* not waiting */
	GR_REVIEW_WAIT_NO_PEER,	   /* nobody else can review this step yet */
	GR_REVIEW_WAIT_NOT_ONLINE, /* peers could; none is online (late work) or around lately */
	GR_REVIEW_WAIT_COACH,	   /* no peer took it in time: the cohort's coaches decide */
};

enum gr_review_assignment_state {
	GR_REVIEW_ASSIGNED, /* the live lease */
	GR_REVIEW_DONE,	    /* the review was given in time */
	GR_REVIEW_EXPIRED,  /* the lease ran out, or the reviewer left */
	GR_REVIEW_DECLINED, /* the reviewer said no */
};

/* "assigned", "done", "expired", "declined": the names the store keeps. */
const char *gr_review_assignment_state_name(enum gr_review_assignment_state state);

/* GR_EINVALID for a name that is no state. */
int gr_review_assignment_state_from_name(enum gr_review_assignment_state *out, const char *name);

enum gr_review_effect_kind {
	GR_REVIEW_EFFECT_ASSIGNED,   /* a first assignment for a slot, with its due time */
	GR_REVIEW_EFFECT_REASSIGNED, /* a new assignment for a slot whose last one ended */
	GR_REVIEW_EFFECT_EXPIRED,    /* a lease ran out (or its reviewer left) */
	GR_REVIEW_EFFECT_DECLINED,   /* a reviewer declined */
	GR_REVIEW_EFFECT_REVIEWED,   /* a review was given; the author receives it */
	GR_REVIEW_EFFECT_TIE,	     /* the reviews are tied: one more slot opened */
	GR_REVIEW_EFFECT_PASSED,     /* the verdict: the author passed the step */
	GR_REVIEW_EFFECT_NEEDS_WORK, /* the verdict: the author resubmits */
	GR_REVIEW_EFFECT_COACH,	     /* no peer took it in time: it goes to the coaches */
	GR_REVIEW_EFFECT_OPENED,     /* the reviewer opened a pushed or pulled lease */
	GR_REVIEW_EFFECT_WITHDRAWN,  /* a review left the verdict (a flag was upheld) */
	GR_REVIEW_EFFECT_REOPENED,   /* a needs-work verdict is open again after that */
};

/*
 * What happened, passed to the effect callback. Fields that do not apply to
 * the kind are 0. Borrowed for the duration of the call.
 */
struct gr_review_effect {
	enum gr_review_effect_kind kind;
	int64_t at;			/* the time of the event that caused it */
	int64_t submission_id;		/* always set */
	int64_t author_id;		/* always set */
	int64_t step_id;		/* always set */
	int attempt;			/* always set */
	int64_t assignment_id;		/* assignment kinds and REVIEWED */
	int64_t reviewer_id;		/* assignment kinds and REVIEWED */
	int64_t replaces;		/* REASSIGNED: the assignment this one follows */
	int64_t due_at;			/* ASSIGNED, REASSIGNED */
	enum gr_review_verdict verdict; /* REVIEWED */
	int slots;			/* TIE: the slot count now */
	int by_coach;			/* PASSED, NEEDS_WORK: a coach decided; ASSIGNED,
					   REASSIGNED: a coach chose the reviewer */
	int pulled;			/* ASSIGNED, REASSIGNED: the reviewer asked for it */
	int handed_back;		/* EXPIRED: not the reviewer's lapse (they left
					   before opening it, it moved, or a coach decided) */
};

typedef void gr_review_effect_fn(const struct gr_review_effect *effect, void *payload);

struct gr_review_config {
	enum gr_review_policy policy;
	uint64_t seed;
	int64_t lease_ms;	 /* default 48 h */
	int64_t lease_online_ms; /* when author and reviewer are both online; default 4 h */
	int64_t recent_ms;	 /* "recently reviewed this author"; default 14 days */
	int64_t absent_ms;	 /* offline this long: not assigned until back; default 7 days */
	int64_t load_window_ms;	 /* leases ended this recently count as load; default 48 h */
	int64_t rescue_after_ms; /* a submission waiting this long is rescued; default 60 h */
	int64_t rescue_lease_ms; /* the lease of a rescued slot; default 36 h */
	int64_t move_after_ms;	 /* an unopened push may move to a free peer online; 1 h */
	int push_cap;		 /* pushes a week beyond what one owes, and reviews
				    given on pushes beyond twice those received;
				    default 2 */
	int64_t coach_after_ms;	 /* a tie or open slot waiting this long goes to the
				    cohort's coaches; default 24 h */
	gr_review_effect_fn *on_effect; /* may be NULL; must not call back into the engine */
	void *payload;			/* passed to on_effect */
};

/* Where a submission stands ("where does my submission stand"). */
struct gr_review_standing {
	enum gr_review_submission_state state;
	int slots;    /* reviews needed now (R, or R+1 after a tie) */
	int done;     /* reviews given */
	int assigned; /* live assignments */
	int open;     /* slots without a reviewer */
	int passes;   /* done reviews with a pass */
	enum gr_review_wait_reason reason;
	int eligible;	     /* peers who could take an open slot */
	int eligible_online; /* of those, online now */
	int64_t submitted_at;
	int64_t waiting_since; /* when the oldest open slot opened; 0 if none is open */
	int64_t decided_at;    /* 0 until the verdict */
	int64_t coach_at;      /* when it went to the coaches; 0 if not with them */
	int by_coach;	       /* the verdict was a coach's */
};

struct gr_review_assignment_info {
	int64_t id;
	int64_t submission_id;
	int64_t reviewer_id;
	int64_t author_id;
	int64_t step_id;
	int attempt;
	enum gr_review_assignment_state state;
	enum gr_review_verdict verdict; /* when done */
	int64_t assigned_at;
	int64_t due_at;	  /* INT64_MAX under the naive policy */
	int64_t ended_at; /* 0 while assigned */
	int64_t opened_at; /* 0 until the reviewer opened it */
	int pulled;	   /* the reviewer asked for it ("review something now") */
	int by_coach;	   /* a coach chose the reviewer */
	int withdrawn;	   /* done, then taken out of the verdict (a flag upheld) */
};

struct gr_review_learner_info {
	int given;    /* reviews given */
	int received; /* reviews received on own submissions */
	int open;     /* live assignments */
	int online;
	int active;
	int owed;	      /* received minus given, at least 0 */
	int pushed_this_week; /* leases pushed in the last 7 days */
	int push_room;	      /* more that may be pushed this week: cap + owed - pushed */
	int cohort;
};

/* Defaults: engine policy, seed 1, the default durations, no callback. */
void gr_review_config_default(struct gr_review_config *out);

/* A new, empty engine, the caller's to free with gr_review_free(). */
int gr_review_new(struct gr_review **out, const struct gr_review_config *config);
void gr_review_free(struct gr_review *review);

/* Steps: reviews is how many reviews a submission needs (R >= 1). */
int gr_review_step_add(struct gr_review *review, int64_t step_id, int reviews);

/* Learners start active and offline, seen at now. */
int gr_review_learner_add(struct gr_review *review, int64_t learner_id, int64_t now);

/*
 * The learner's cohort (0: none, the default). Peers review only within
 * their cohort; a coach may add a reviewer from another one. Re-examines
 * the queue.
 */
int gr_review_learner_cohort(struct gr_review *review, int64_t learner_id, int cohort, int64_t now);

/* Coming online re-examines the waiting submissions. */
int gr_review_learner_online(struct gr_review *review, int64_t learner_id, int online, int64_t now);

/*
 * Active learners may be chosen; leaving (active 0) expires the learner's
 * live leases at once and reassigns them. Coming back re-examines the queue.
 */
int gr_review_learner_active(struct gr_review *review, int64_t learner_id, int active, int64_t now);

/*
 * The learner passed the step outside the engine (loaded from the store, or
 * passed before reviews were counted). A verdict of PASSED does this itself.
 * Re-examines the waiting submissions of the step.
 */
int gr_review_step_pass(struct gr_review *review, int64_t learner_id, int64_t step_id, int64_t now);

/*
 * A new submission (attempt 1) or resubmission (attempt > the last one,
 * after a needs-work verdict) by author on step: opens R slots and fills
 * those it can, a resubmission first with the reviewers of the previous
 * attempt. GR_ECONFLICT while the author's last attempt is undecided or
 * passed.
 */
int gr_review_submit(struct gr_review *review, int64_t submission_id, int64_t author_id,
		     int64_t step_id, int attempt, int64_t now);

/*
 * The assignee gives the review. GR_EFORBIDDEN if reviewer_id is not the
 * assignee, GR_EEXPIRED if the lease ran out, GR_ECONFLICT if it was
 * already given or declined. When the last slot is done, the verdict.
 */
int gr_review_give(struct gr_review *review, int64_t assignment_id, int64_t reviewer_id,
		   enum gr_review_verdict verdict, int64_t now);

/* The assignee declines; the slot goes to someone else. Errors as _give. */
int gr_review_decline(struct gr_review *review, int64_t assignment_id, int64_t reviewer_id,
		      int64_t now);

/*
 * The assignee opened the review (engine policy: its lease now runs
 * lease_ms from now, and it no longer moves or goes back when they leave).
 * Errors as _give. Opening twice is no error.
 */
int gr_review_open(struct gr_review *review, int64_t assignment_id, int64_t reviewer_id,
		   int64_t now);

/*
 * "Review something now" (engine policy): the learner takes the oldest
 * waiting slot they may review; failing that, a pushed lease nobody opened
 * whose reviewer is offline or has held it move_after_ms. Not counted
 * against the weekly push cap. *out is the new assignment's id.
 * GR_ENOTFOUND when there is nothing to take, GR_ECONFLICT under the
 * baseline policy.
 */
int gr_review_pull(struct gr_review *review, int64_t *out, int64_t learner_id, int64_t now);

/*
 * Time passes: expire every lease due at or before now and reassign; move
 * unopened pushes to free peers online; send ties and slots nobody took
 * within coach_after_ms to the coaches.
 */
int gr_review_tick(struct gr_review *review, int64_t now);

/*
 * A coach's moves on an undecided latest attempt (engine policy; else
 * GR_ECONFLICT). Decide: the verdict, ending every live lease on it
 * (handed back, no lapse). Assign: the coach gives an open slot to a
 * reviewer who passed the step, from any cohort; with no slot open, the
 * oldest live lease (a stuck review) is taken back and given to them
 * (GR_ECONFLICT when every review is in, GR_EINVALID when the reviewer may
 * not review it). Extend: the coaches step back and the peers get
 * coach_after_ms more.
 */
int gr_review_coach_decide(struct gr_review *review, int64_t submission_id,
			   enum gr_review_verdict verdict, int64_t now);
int gr_review_coach_assign(struct gr_review *review, int64_t *out, int64_t submission_id,
			   int64_t reviewer_id, int64_t now);
int gr_review_coach_extend(struct gr_review *review, int64_t submission_id, int64_t now);

/*
 * A flag on a done review was upheld: the review leaves the verdict. If its
 * submission is undecided, or decided needs-work and still the author's
 * latest attempt, its slot reopens and is filled by someone else (*out:
 * the replacement assignment, or 0 when none is free yet); a pass stands.
 * GR_ECONFLICT when the review is not done.
 */
int gr_review_withdraw(struct gr_review *review, int64_t *out, int64_t assignment_id, int64_t now);

/* Lookups; GR_ENOTFOUND for an unknown id. */
int gr_review_standing_get(struct gr_review_standing *out, const struct gr_review *review,
			   int64_t submission_id, int64_t now);
int gr_review_assignment_get(struct gr_review_assignment_info *out, const struct gr_review *review,
			     int64_t assignment_id);
int gr_review_learner_get(struct gr_review_learner_info *out, const struct gr_review *review,
			  int64_t learner_id, int64_t now);

/*
 * Whether learner may read the submission: its author, or a reviewer with a
 * live or done assignment on it. 0 for unknown ids.
 */
int gr_review_may_read(const struct gr_review *review, int64_t learner_id, int64_t submission_id);

/*
 * Check every invariant numbered in review.c, in every build type. Returns
 * 0 when they hold, else the number of the first broken one found (1 .. 9),
 * with a one-line message from gr_error_set() that names it ("review
 * invariant 2: ..."); the message is untouched when they hold. A positive
 * result is not an error code. Takes time linear in the engine's size; in
 * debug builds every operation asserts it on its way out.
 */
int gr_review_check(const struct gr_review *review);

const char *gr_review_effect_name(enum gr_review_effect_kind kind);

/* ---- snapshots: the engine's whole state as bytes ---------------------- */

/*
 * The snapshot format this engine writes and reads; the format is drawn in
 * review.c ("Snapshots"). Restoring a snapshot gives an engine that makes
 * exactly the decisions the one it was taken from would have made: the
 * same random state, leases, queue order and assignment ids.
 */
#define GR_REVIEW_SNAPSHOT_VERSION 2

/*
 * The engine's whole state: *out (malloc'd, the caller's to free) holds
 * *out_size bytes. The same state always gives the same bytes.
 */
int gr_review_snapshot(unsigned char **out, size_t *out_size, const struct gr_review *review);

/*
 * A new engine (the caller's to free) in the state of a snapshot. config
 * gives the effect callback and must hold the settings the snapshot was
 * made with (policy, seed, durations), else GR_EINVALID. A version 1
 * snapshot is read with the new settings taken from config. A snapshot that
 * is truncated, corrupt or inconsistent is refused with GR_EINVALID, one
 * of a newer format with GR_ENEWER, each with a message saying what is
 * wrong; *out is then NULL. Never trusts a count or index it reads.
 */
int gr_review_restore(struct gr_review **out, const struct gr_review_config *config,
		      const unsigned char *bytes, size_t size);

/* Each submission with the coaches, oldest call first; stops when fn returns non-zero. */
typedef int gr_review_coach_fn(int64_t submission_id, int64_t coach_at, void *payload);
int gr_review_coach_each(const struct gr_review *review, gr_review_coach_fn *fn, void *payload);

/* What a restored service needs to rebuild its own tables. */
int gr_review_learner_count(const struct gr_review *review);
/* The id of the index-th learner added (0 <= index < gr_review_learner_count). */
int64_t gr_review_learner_id(const struct gr_review *review, int index);
/* The reviews a step needs, or 0 when the engine does not know the step. */
int gr_review_step_reviews(const struct gr_review *review, int64_t step_id);
/* How many assignments the engine made: the last assignment id. */
int64_t gr_review_assignment_count(const struct gr_review *review);

#endif
