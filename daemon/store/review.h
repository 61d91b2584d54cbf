/*
 * review.h - peer reviews as stored: the pairing engine's input log, its
 * numbers for reviewed steps, and the reviews given with their ratings and
 * flags. The leases they are given under are in assignment.h. Design:
 * "Peer review pairing" in domain/review.h and services/reviews.c.
 */
#ifndef GR_STORE_REVIEW_H
#define GR_STORE_REVIEW_H

#include "store/store.h"

#include <stdint.h>

/*
 * One input to the pairing engine, logged in the transaction of the change
 * it belongs to and replayed in seq order at start. What kind, a, b, c and
 * d mean is services/reviews.c's business.
 */
struct gr_store_review_input {
	int64_t seq; /* set when read */
	char kind[16];
	int64_t a, b, c, d;
	int64_t at;
};

int gr_store_review_input_insert(struct gr_store *store, const struct gr_store_review_input *input);
typedef int gr_store_review_input_fn(const struct gr_store_review_input *input, void *payload);
/* Every input, by seq; stops early when fn returns non-zero. */
int gr_store_review_input_each(struct gr_store *store, gr_store_review_input_fn *fn,
			       void *payload);

/* The engine's integer id for (track, step), made on first use. */
int gr_store_review_step_id(struct gr_store *store, int64_t *out, const char *track_id,
			    const char *step_id);
typedef int gr_store_review_step_fn(int64_t id, const char *track_id, const char *step_id,
				    void *payload);
int gr_store_review_step_each(struct gr_store *store, gr_store_review_step_fn *fn, void *payload);

/* A review given; strings borrowed (read) or the caller's (insert). */
struct gr_store_review {
	int64_t id; /* set by insert */
	int64_t assignment_id;
	int64_t submission_id;
	int64_t reviewer_id;
	const char *verdict; /* "pass" or "needs_work" */
	const char *checks;  /* a JSON array of booleans, one per rubric item */
	const char *comment_md;
	const char *comment_html; /* comment_md rendered safely; NULL: none (yet) */
	int64_t created_at;
	int helpfulness;	 /* 1-5, 0 when not rated */
	const char *flag_reason; /* NULL when not flagged */
	int64_t flagged_at;
	int64_t author_id;	  /* read only: the submission's author */
	const char *flag_kind;	  /* read only: rude, wrong, empty, other; "" when not flagged */
	const char *flag_outcome; /* read only: "", "dismissed" or "upheld" */
};

int gr_store_review_insert(struct gr_store *store, struct gr_store_review *review);
typedef int gr_store_review_fn(const struct gr_store_review *review, void *payload);
/* GR_ENOTFOUND when there is none; otherwise what fn returned. */
int gr_store_review_get(struct gr_store *store, int64_t id, gr_store_review_fn *fn, void *payload);
int gr_store_review_of_assignment(struct gr_store *store, int64_t assignment_id,
				  gr_store_review_fn *fn, void *payload);
/* Every review of a submission, oldest first. */
int gr_store_review_each_of_submission(struct gr_store *store, int64_t submission_id,
				       gr_store_review_fn *fn, void *payload);
int gr_store_review_rate(struct gr_store *store, int64_t id, int helpfulness);
/* GR_ECONFLICT when the review was flagged already (the first reason stays). */
int gr_store_review_flag(struct gr_store *store, int64_t id, const char *kind, const char *reason,
			 int64_t now);
/*
 * A coach resolved the flag: outcome "dismissed" or "upheld". GR_ECONFLICT
 * when the review is not flagged or the flag was resolved already.
 */
int gr_store_review_flag_resolve(struct gr_store *store, int64_t id, const char *outcome,
				 int64_t now);
/* How many flags on reviews by reviewer_id coaches upheld. */
int gr_store_review_upheld_count(struct gr_store *store, int *out, int64_t reviewer_id);

/* A coach's decision on a submission or a flag; strings borrowed. */
struct gr_store_review_decision {
	int64_t id; /* set by insert */
	int64_t submission_id;
	int64_t coach_id;
	const char *action; /* pass, needs_work, assign, extend, dismiss, uphold */
	int64_t reviewer_id; /* assign, uphold: the reviewer added; else 0 */
	int64_t review_id;   /* dismiss, uphold: the review flagged; else 0 */
	const char *note;
	int64_t created_at;
	/* read only: */
	const char *coach;    /* the coach's handle, "" when gone */
	const char *author;   /* the submission author's handle */
	const char *track_id;
	const char *step_id;
};

int gr_store_review_decision_insert(struct gr_store *store,
				    struct gr_store_review_decision *decision);
typedef int gr_store_review_decision_fn(const struct gr_store_review_decision *decision,
					void *payload);
/* The decisions on work of a cohort's learners ("" for none) on a track, since, oldest first. */
int gr_store_review_decision_each(struct gr_store *store, const char *cohort, const char *track_id,
				  int64_t since, gr_store_review_decision_fn *fn, void *payload);

/* As gr_store_submission_unrendered, for review comments. */
int gr_store_review_unrendered(struct gr_store *store, int64_t after, int64_t *out_id,
			       char **out_md);
int gr_store_review_set_html(struct gr_store *store, int64_t id, const char *html);

#endif
