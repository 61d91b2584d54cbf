/*
 * attention.h - the coaches' attention list: which learners need a coach, why
 * and since when. Design: "Attention list" in issue 6.
 *
 * A pure function of plain arrays and a time the caller passes in: no store,
 * no clock, no network. The caller loads one cohort's progress, the waiting
 * submissions, flagged reviews and open help requests, calls
 * gr_attention_compute(), and pushes the entries to the coaches' boards.
 *
 * All times are milliseconds since the Unix epoch (int64_t).
 */
#ifndef GR_ATTENTION_H
#define GR_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

#define GR_ATTENTION_HOUR_MS ((int64_t)60 * 60 * 1000)
#define GR_ATTENTION_DAY_MS (24 * GR_ATTENTION_HOUR_MS)
#define GR_ATTENTION_INACTIVE_DAYS_DEFAULT 7

enum gr_attention_kind {
	GR_ATTENTION_STUCK,          /* over twice the peers' median on a step, and a day */
	GR_ATTENTION_INACTIVE,       /* no activity for the configured number of days */
	GR_ATTENTION_WAITING_REVIEW, /* a submission without a reviewer for over 24 h */
	GR_ATTENTION_FLAGGED_REVIEW, /* a review someone flagged */
	GR_ATTENTION_HELP_REQUEST,   /* an open help request */
	GR_ATTENTION_KIND_COUNT
};

/* One step of one learner's progress. Only completed steps are read. */
struct gr_attention_step {
	int complete;        /* nonzero when done or passed */
	int64_t started_at;  /* when the learner started the step */
	int64_t finished_at; /* when it became done or passed; >= started_at */
};

struct gr_attention_learner {
	int64_t id;
	int64_t last_activity_at;
	int current_step;           /* index into steps, or -1 when on no step */
	int64_t current_started_at; /* started_at of the current step */
	/* step_count entries (the input's), indexed like the track; may be
	 * NULL when step_count is 0. Borrowed. */
	const struct gr_attention_step *steps;
};

/* A submission waiting for a reviewer since waiting_since. */
struct gr_attention_waiting {
	int64_t learner_id;
	int step;
	int64_t waiting_since;
};

/* A flagged review of a learner's work. */
struct gr_attention_flagged {
	int64_t learner_id;
	int64_t review_id;
	int64_t flagged_at;
};

/* An open help request by a learner. */
struct gr_attention_help {
	int64_t learner_id;
	int64_t request_id;
	int64_t opened_at;
};

/* Everything one computation reads; all arrays are borrowed and may be NULL
 * when their count is 0. */
struct gr_attention_input {
	const struct gr_attention_learner *learners;
	size_t learner_count;
	size_t step_count; /* steps per learner (the track's) */
	const struct gr_attention_waiting *waiting;
	size_t waiting_count;
	const struct gr_attention_flagged *flagged;
	size_t flagged_count;
	const struct gr_attention_help *help;
	size_t help_count;
};

struct gr_attention_settings {
	int inactive_days; /* 1 .. 3650; GR_ATTENTION_INACTIVE_DAYS_DEFAULT */
};

struct gr_attention_entry {
	int64_t learner_id;
	enum gr_attention_kind kind;
	int64_t since; /* when the reason began to hold */
	int step;      /* stuck and waiting_review: the step; else -1 */
	int64_t ref;   /* flagged_review: review id; help_request: request id; else 0 */
};

/* The settings with every field at its default. */
struct gr_attention_settings gr_attention_settings_default(void);

/*
 * The attention list of input at now, written to *out (the caller's, freed
 * with gr_attention_free(); NULL when there are no entries) and its length
 * to *out_count, sorted by since, oldest first (ties: kind, learner id, step,
 * ref, so the order is the same on every call). A learner may have several
 * entries, one per reason. Rules (t = now - current_started_at):
 *
 *   stuck           the current step is not complete, at least one learner
 *                   has completed it, t > 2 x median and t >= 1 day, where
 *                   median is that of (finished_at - started_at) over the
 *                   learners who completed the step; over an even count it
 *                   is the mean of the two middle values (2 x median is then
 *                   their sum, so no rounding happens).
 *                   since = current_started_at + max(2 x median, 1 day).
 *   inactive        now - last_activity_at >= inactive_days days.
 *                   since = last_activity_at + inactive_days days.
 *   waiting_review  now - waiting_since > 24 h. since = waiting_since + 24 h.
 *   flagged_review  always. since = flagged_at.
 *   help_request    always. since = opened_at.
 *
 * Returns 0; GR_EINVALID (with a message) for a current step or waiting step
 * out of range, a completed step that finished before it started, or
 * inactive_days out of range; GR_ERROR when memory runs out. On failure
 * *out is NULL and *out_count 0. settings may be NULL for the defaults.
 */
int gr_attention_compute(struct gr_attention_entry **out, size_t *out_count,
			 const struct gr_attention_input *input, int64_t now,
			 const struct gr_attention_settings *settings);

/* Frees a list from gr_attention_compute(); accepts NULL. */
void gr_attention_free(struct gr_attention_entry *entries);

/* "stuck", "inactive", "waiting_review", "flagged_review", "help_request":
 * the names used in the protocol. Borrowed, static. */
const char *gr_attention_kind_name(enum gr_attention_kind kind);

#endif
