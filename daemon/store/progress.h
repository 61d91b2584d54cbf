/*
 * progress.h - each learner's progress on each step they touched, with the
 * weeks they were active in. The state machine that moves it is
 * domain/progress.c's; a row carries its state as that module's enum.
 */
#ifndef GR_STORE_PROGRESS_H
#define GR_STORE_PROGRESS_H

#include "core/account.h"
#include "domain/progress.h"
#include "store/store.h"

#include <stdint.h>

/* One learner's progress on one step. Times are 0 when not reached. */
struct gr_store_progress {
	char track_id[129];
	char step_id[129];
	enum gr_progress_state state;
	int64_t started_at;
	int64_t finished_at; /* done or passed */
	int64_t updated_at;
};

/*
 * GR_ENOTFOUND when the learner never touched the step. Reading a row whose
 * stored state this grounds does not know fails with GR_EINVALID, here and
 * in every listing below.
 */
int gr_store_progress_get(struct gr_store *store, struct gr_store_progress *out, int64_t user_id,
			  const char *track_id, const char *step_id);
/* Insert or replace the row for (user, track, step); marks the week of updated_at active. */
int gr_store_progress_put(struct gr_store *store, int64_t user_id,
			  const struct gr_store_progress *row);

typedef int gr_store_progress_fn(const struct gr_store_progress *row, void *payload);
/* Every step a user has touched, by track and step. */
int gr_store_progress_each(struct gr_store *store, int64_t user_id, gr_store_progress_fn *fn,
			   void *payload);

/* The users who passed a step, in id order (for peer review). */
int gr_store_progress_passed_each(struct gr_store *store, const char *track_id,
				  const char *step_id, gr_store_id_fn *fn, void *payload);

/*
 * Each active learner of a cohort, by handle, with each step of track_id
 * they touched (by step id), or once with row NULL when they touched none.
 */
typedef int gr_store_cohort_progress_fn(const struct gr_user *user,
					const struct gr_store_progress *row, void *payload);
int gr_store_progress_of_cohort(struct gr_store *store, const char *cohort, const char *track_id,
				gr_store_cohort_progress_fn *fn, void *payload);

#endif
