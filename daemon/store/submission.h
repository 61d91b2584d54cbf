/*
 * submission.h - submitted work: each attempt a learner makes at a step
 * that needs reviews, with the commit the step was read at.
 */
#ifndef GR_STORE_SUBMISSION_H
#define GR_STORE_SUBMISSION_H

#include "store/store.h"

#include <stdint.h>

/* A piece of submitted work: markdown and an optional link. */
struct gr_store_submission {
	int64_t id;  /* set by insert */
	int attempt; /* set by insert: 1 for the first, then 2, ... */
	int64_t user_id;
	const char *track_id;
	const char *step_id;
	const char *track_commit; /* the commit the step was read at */
	const char *body_md;
	const char *body_html; /* body_md rendered safely; NULL on insert: not yet */
	const char *link; /* NULL or "" for none */
	int64_t created_at;
};

int gr_store_submission_insert(struct gr_store *store, struct gr_store_submission *submission);

/*
 * A submission read back; its strings are borrowed for the call of fn.
 * GR_ENOTFOUND when there is none; otherwise what fn returned.
 */
typedef int gr_store_submission_fn(const struct gr_store_submission *row, void *payload);
int gr_store_submission_get(struct gr_store *store, int64_t id, gr_store_submission_fn *fn,
			    void *payload);
/* The user's latest attempt on a step. */
int gr_store_submission_latest(struct gr_store *store, int64_t user_id, const char *track_id,
			       const char *step_id, gr_store_submission_fn *fn, void *payload);

/*
 * The first submission after id after whose HTML is not stored yet: its
 * id and markdown (malloc'd, the caller's). GR_ENOTFOUND when there is none.
 */
int gr_store_submission_unrendered(struct gr_store *store, int64_t after, int64_t *out_id,
				   char **out_md);
int gr_store_submission_set_html(struct gr_store *store, int64_t id, const char *html);

#endif
