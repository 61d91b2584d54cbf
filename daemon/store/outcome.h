/*
 * outcome.h - what became of each learner, as a coach recorded it: a job,
 * an internship, further study, or stopped; with the date it happened and a
 * note. One per learner: recording again replaces it.
 */
#ifndef GR_STORE_OUTCOME_H
#define GR_STORE_OUTCOME_H

#include "store/store.h"

#include <stdint.h>

enum gr_store_outcome_kind {
	GR_STORE_OUTCOME_JOB,
	GR_STORE_OUTCOME_INTERNSHIP,
	GR_STORE_OUTCOME_STUDY,
	GR_STORE_OUTCOME_STOPPED,
	GR_STORE_OUTCOME_KIND_COUNT
};

/* "job", "internship", "study", "stopped". */
const char *gr_store_outcome_kind_name(enum gr_store_outcome_kind kind);
/* 0, or -1 for a name that is none of them. */
int gr_store_outcome_kind_from_name(enum gr_store_outcome_kind *out, const char *name);

/* The longest note, in bytes. */
#define GR_STORE_OUTCOME_NOTE_MAX 1000

struct gr_store_outcome {
	int64_t user_id;
	enum gr_store_outcome_kind kind;
	int64_t reached_at; /* the day it happened: 00:00 UTC, in ms */
	char note[GR_STORE_OUTCOME_NOTE_MAX + 1];
	int64_t coach_id; /* who recorded it; 0 once that account is gone */
	int64_t recorded_at;
};

/* Insert or replace the learner's outcome. */
int gr_store_outcome_put(struct gr_store *store, const struct gr_store_outcome *outcome);

/* A learner with an outcome, and when they joined; strings borrowed for the call. */
struct gr_store_outcome_row {
	const char *cohort; /* "" when none */
	const char *handle;
	const char *display_name;
	int64_t joined_at;
	struct gr_store_outcome outcome;
};
typedef int gr_store_outcome_fn(const struct gr_store_outcome_row *row, void *payload);
/*
 * The one query of outcomes: every learner with one, of cohort (NULL: of
 * every cohort) and of the cohorts of centre_id (0: of every centre), by
 * cohort, then kind, then days from joining. Figures and the exports (of a
 * cohort, of a centre) all read it.
 */
int gr_store_outcome_each(struct gr_store *store, const char *cohort, int64_t centre_id,
			  gr_store_outcome_fn *fn, void *payload);

#endif
