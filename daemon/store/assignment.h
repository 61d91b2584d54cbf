/*
 * assignment.h - review assignments as stored: each lease the pairing
 * engine gives a reviewer on a submission, and how it ended. The lease's
 * life cycle is domain/review.c's; a row carries its state as that
 * module's enum.
 */
#ifndef GR_STORE_ASSIGNMENT_H
#define GR_STORE_ASSIGNMENT_H

#include "domain/review.h"
#include "store/store.h"

#include <stdint.h>

/* A review assignment (a lease), with what it needs of its submission. */
struct gr_store_assignment {
	int64_t id; /* the engine's id */
	int64_t submission_id;
	int64_t reviewer_id;
	enum gr_review_assignment_state state;
	int64_t due_at;
	int64_t created_at;
	int64_t ended_at; /* 0 while assigned */
	/* read only, from the submission: */
	int64_t author_id;
	char track_id[129];
	char step_id[129];
	int attempt;
};

int gr_store_assignment_insert(struct gr_store *store, const struct gr_store_assignment *row);
/* Sets the state the lease ended in; GR_ENOTFOUND if there is no such assignment. */
int gr_store_assignment_end(struct gr_store *store, int64_t id,
			    enum gr_review_assignment_state state, int64_t ended_at);
/* A new due time (the reviewer opened it); GR_ENOTFOUND if there is no such assignment. */
int gr_store_assignment_due(struct gr_store *store, int64_t id, int64_t due_at);
/*
 * GR_ENOTFOUND if there is no such assignment. Reading a row whose stored
 * state this grounds does not know fails with GR_EINVALID, here and below.
 */
int gr_store_assignment_get(struct gr_store *store, struct gr_store_assignment *out, int64_t id);
typedef int gr_store_assignment_fn(const struct gr_store_assignment *row, void *payload);
/* The reviewer's latest assignments, newest first, at most limit. */
int gr_store_assignment_each_of_reviewer(struct gr_store *store, int64_t reviewer_id, int limit,
					 gr_store_assignment_fn *fn, void *payload);

#endif
