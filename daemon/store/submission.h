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

/*
 * Peers' work after passing: whether the author of passed work lets peers
 * who passed the same step read it, and under which name; and the thanks
 * its readers gave it, one per reader.
 */
enum gr_store_share { GR_STORE_SHARE_NONE, GR_STORE_SHARE_ANONYMOUS, GR_STORE_SHARE_NAMED };

/* "none", "anonymous", "named". */
const char *gr_store_submission_share_name(enum gr_store_share share);
/* 0, or -1 for a name that is none of them. */
int gr_store_submission_share_from_name(enum gr_store_share *out, const char *name);

int gr_store_submission_set_share(struct gr_store *store, int64_t id, enum gr_store_share share);

/* How a submission is shared: the choice, its thanks, and whether reader_id thanked it. */
struct gr_store_sharing {
	enum gr_store_share share;
	int thanks;
	int thanked;
};
int gr_store_submission_sharing(struct gr_store *store, struct gr_store_sharing *out, int64_t id,
				int64_t reader_id);

/* reader_id thanks the submission's author: *out_added is 1, or 0 when they had already. */
int gr_store_submission_thank(struct gr_store *store, int *out_added, int64_t id,
			      int64_t reader_id, int64_t now);

/*
 * A shared piece of work on a step: its author's latest attempt, which
 * passed (their progress on the step is passed), the author not disabled.
 * Its strings are borrowed for the call.
 */
struct gr_store_shared {
	const struct gr_store_submission *submission;
	const char *handle;
	const char *display_name;
	struct gr_store_sharing sharing; /* thanked: by the reader */
};
typedef int gr_store_shared_fn(const struct gr_store_shared *row, void *payload);
/* Up to limit shared works of a step but reader_id's own, most thanked first, then newest. */
int gr_store_submission_each_shared(struct gr_store *store, const char *track_id,
				    const char *step_id, int64_t reader_id, int limit,
				    gr_store_shared_fn *fn, void *payload);

#endif
