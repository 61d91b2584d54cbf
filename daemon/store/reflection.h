/*
 * reflection.h - a coach's comments on a learner's reflection: each one on
 * one submission of a reflection step, kept with the work.
 */
#ifndef GR_STORE_REFLECTION_H
#define GR_STORE_REFLECTION_H

#include "store/store.h"

#include <stdint.h>

/* The longest comment, in bytes. */
#define GR_STORE_REFLECTION_COMMENT_MAX 2000

struct gr_store_reflection_comment {
	int64_t id; /* set by insert */
	int64_t submission_id;
	int64_t coach_id; /* 0 once that account is gone */
	int attempt;      /* read back: the submission's attempt */
	char body[GR_STORE_REFLECTION_COMMENT_MAX + 1];
	int64_t created_at;
};
typedef int gr_store_reflection_comment_fn(const struct gr_store_reflection_comment *row,
					   void *payload);

int gr_store_reflection_comment_insert(struct gr_store *store,
				       struct gr_store_reflection_comment *comment);
/*
 * The comments on every attempt of user_id at one step, oldest first, until
 * fn returns non-zero (then that).
 */
int gr_store_reflection_each_comment(struct gr_store *store, int64_t user_id, const char *track_id,
				     const char *step_id, gr_store_reflection_comment_fn *fn,
				     void *payload);

/* The latest attempt of each learner of a cohort at each step of a track they handed work in on. */
struct gr_store_reflection_work {
	int64_t submission_id;
	const char *handle; /* borrowed for the call, as the strings below */
	const char *display_name;
	const char *step_id;
	int attempt;
	const char *body_html; /* NULL while not rendered */
	int64_t created_at;
};
typedef int gr_store_reflection_work_fn(const struct gr_store_reflection_work *row, void *payload);
/*
 * Each active learner's latest work on each step of track_id in cohort,
 * newest first, at most limit; the caller keeps the reflections.
 */
int gr_store_reflection_each_latest(struct gr_store *store, const char *cohort, const char *track_id,
				    int limit, gr_store_reflection_work_fn *fn, void *payload);
/* The comments on one submission, oldest first. */
int gr_store_reflection_each_comment_of(struct gr_store *store, int64_t submission_id,
					gr_store_reflection_comment_fn *fn, void *payload);

#endif
