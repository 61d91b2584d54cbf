/*
 * store.h - the one SQLite database: schema migrations, transactions and
 * every query grounds makes. Only store.c includes sqlite3.h; callers see
 * plain structs from account.h. Times are Unix milliseconds and always passed
 * in, so callers (and tests) own the clock.
 *
 * A store handle belongs to one thread. groundsd uses it from its event loop;
 * the operator's tool opens its own handle on the same file (WAL mode lets both
 * work at once; a writer waits up to 5 s for the other's lock).
 */
#ifndef GR_STORE_H
#define GR_STORE_H

#include "account.h"

#include <stddef.h>
#include <stdint.h>

struct gr_store;

/* Open (creating if needed) and migrate the database at path. */
int gr_store_open(struct gr_store **out, const char *path);

/*
 * The same with a given migration list; migration i (from 0) takes the schema
 * from version i to i + 1. For tests of the migration machinery.
 */
int gr_store_open_with(struct gr_store **out, const char *path,
		       const char *const *migrations, int migration_count);

/* Accepts NULL. */
void gr_store_close(struct gr_store *store);

/* The schema version (PRAGMA user_version). */
int gr_store_schema_version(struct gr_store *store);

/* The number of migrations this binary knows. */
int gr_store_latest_version(void);

/*
 * Transactions nest: inside an open transaction, begin makes a savepoint,
 * commit releases it and rollback undoes only it. The outermost commit is
 * the one that makes everything durable.
 */
int gr_store_begin(struct gr_store *store);
int gr_store_commit(struct gr_store *store);
void gr_store_rollback(struct gr_store *store);
int gr_store_in_transaction(struct gr_store *store);

/* Small key/value settings. get: GR_ENOTFOUND if absent. */
int gr_store_meta_get(struct gr_store *store, char *out, size_t out_size, const char *key);
int gr_store_meta_set(struct gr_store *store, const char *key, const char *value);

/* Inserts user (its id is set on success); GR_EEXISTS if the handle is taken. */
int gr_store_user_insert(struct gr_store *store, struct gr_user *user);
int gr_store_user_by_handle(struct gr_store *store, struct gr_user *out, const char *handle);
int gr_store_user_count(struct gr_store *store, int64_t *out);
/* Marks the user disabled and ends all their sessions. GR_ENOTFOUND if none. */
int gr_store_user_disable(struct gr_store *store, const char *handle, int64_t now);

typedef int gr_store_user_fn(const struct gr_user *user, void *payload);
/* Calls fn for every user, by handle; stops early when fn returns non-zero. */
int gr_store_user_each(struct gr_store *store, gr_store_user_fn *fn, void *payload);

/* invite->id is set on success. */
int gr_store_invite_insert(struct gr_store *store, struct gr_invite *invite,
			   const unsigned char code_hash[GR_TOKEN_HASH_SIZE], int64_t created_by);
int gr_store_invite_by_hash(struct gr_store *store, struct gr_invite *out,
			    const unsigned char code_hash[GR_TOKEN_HASH_SIZE]);
/* Spends the invite; GR_EUSED if it was spent already. */
int gr_store_invite_use(struct gr_store *store, int64_t invite_id, int64_t user_id, int64_t now);

typedef int gr_store_invite_fn(const struct gr_invite *invite, void *payload);
/* Every invite, newest first. */
int gr_store_invite_each(struct gr_store *store, gr_store_invite_fn *fn, void *payload);

int gr_store_session_insert(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t user_id,
			    int64_t created_at, int64_t expires_at);
/* The active user of an unexpired session; GR_ENOTFOUND otherwise. */
int gr_store_session_user(struct gr_store *store, struct gr_user *out,
			  const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t now);
int gr_store_session_delete(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE]);
/* Removes sessions that expired before now. */
int gr_store_session_prune(struct gr_store *store, int64_t now);

/* A registered track: where its repository is and what to serve from it. */
struct gr_track_entry {
	char id[129];
	char repo[4096];
	char ref[256];    /* "" = HEAD */
	char subdir[1024]; /* "" = the root */
	int64_t added_at;
};

/* GR_EEXISTS if the id is taken. */
int gr_store_track_insert(struct gr_store *store, const struct gr_track_entry *entry);
/* GR_ENOTFOUND if there is no such track. Progress on it is kept. */
int gr_store_track_delete(struct gr_store *store, const char *id);

typedef int gr_store_track_fn(const struct gr_track_entry *entry, void *payload);
/* Every registered track, by id. */
int gr_store_track_each(struct gr_store *store, gr_store_track_fn *fn, void *payload);

/* One learner's progress on one step. Times are 0 when not reached. */
struct gr_store_progress {
	char track_id[129];
	char step_id[129];
	char state[16]; /* a name from progress.h */
	int64_t started_at;
	int64_t finished_at; /* done or passed */
	int64_t updated_at;
};

/* GR_ENOTFOUND when the learner never touched the step. */
int gr_store_progress_get(struct gr_store *store, struct gr_store_progress *out, int64_t user_id,
			  const char *track_id, const char *step_id);
/* Insert or replace the row for (user, track, step). */
int gr_store_progress_put(struct gr_store *store, int64_t user_id,
			  const struct gr_store_progress *row);

typedef int gr_store_progress_fn(const struct gr_store_progress *row, void *payload);
/* Every step a user has touched, by track and step. */
int gr_store_progress_each(struct gr_store *store, int64_t user_id, gr_store_progress_fn *fn,
			   void *payload);

/* A piece of submitted work: markdown and an optional link. */
struct gr_store_submission {
	int64_t id;  /* set by insert */
	int attempt; /* set by insert: 1 for the first, then 2, ... */
	int64_t user_id;
	const char *track_id;
	const char *step_id;
	const char *track_commit; /* the commit the step was read at */
	const char *body_md;
	const char *link; /* NULL or "" for none */
	int64_t created_at;
};

int gr_store_submission_insert(struct gr_store *store, struct gr_store_submission *submission);

/*
 * Each user's stream of events, numbered 1, 2, ... by seq, never reused even
 * after old events are pruned. body is the event exactly as pushed (JSON).
 * range: the first seq still kept (0 when none is) and the last one given.
 * next_seq takes the next number (inside the caller's transaction).
 */
int gr_store_event_range(struct gr_store *store, int64_t user_id, int64_t *out_first,
			 int64_t *out_last);
int gr_store_event_next_seq(struct gr_store *store, int64_t user_id, int64_t *out);
int gr_store_event_insert(struct gr_store *store, int64_t user_id, int64_t seq, const char *body,
			  int64_t now);

typedef int gr_store_event_fn(int64_t seq, const char *body, void *payload);
/* The user's events after after_seq, in order. */
int gr_store_event_each_since(struct gr_store *store, int64_t user_id, int64_t after_seq,
			      gr_store_event_fn *fn, void *payload);
/* Forget events older than before (replay falls back to a snapshot). */
int gr_store_event_prune(struct gr_store *store, int64_t before);

/* ---- peer review (reviews.c; design: "Peer review pairing") ------------- */

typedef int gr_store_id_fn(int64_t id, void *payload);

/* GR_ENOTFOUND if there is no user with that id. */
int gr_store_user_by_id(struct gr_store *store, struct gr_user *out, int64_t id);
/* The ids of disabled learners, in order. */
int gr_store_user_disabled_learners(struct gr_store *store, gr_store_id_fn *fn, void *payload);
/* The users who passed a step, in id order. */
int gr_store_progress_passed_each(struct gr_store *store, const char *track_id,
				  const char *step_id, gr_store_id_fn *fn, void *payload);

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
 * One input to the pairing engine, logged in the transaction of the change
 * it belongs to and replayed in seq order at start. What kind, a, b, c and
 * d mean is reviews.c's business.
 */
struct gr_store_review_input {
	int64_t seq; /* set when read */
	char kind[16];
	int64_t a, b, c, d;
	int64_t at;
};

int gr_store_review_input_insert(struct gr_store *store, const struct gr_store_review_input *input);
typedef int gr_store_review_input_fn(const struct gr_store_review_input *input, void *payload);
int gr_store_review_input_each(struct gr_store *store, gr_store_review_input_fn *fn,
			       void *payload);

/* The engine's integer id for (track, step), made on first use. */
int gr_store_review_step_id(struct gr_store *store, int64_t *out, const char *track_id,
			    const char *step_id);
typedef int gr_store_review_step_fn(int64_t id, const char *track_id, const char *step_id,
				    void *payload);
int gr_store_review_step_each(struct gr_store *store, gr_store_review_step_fn *fn, void *payload);

/* A review assignment (a lease), with what it needs of its submission. */
struct gr_store_assignment {
	int64_t id; /* the engine's id */
	int64_t submission_id;
	int64_t reviewer_id;
	char state[16]; /* assigned, done, expired, declined */
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
/* GR_ENOTFOUND if there is no such assignment. */
int gr_store_assignment_end(struct gr_store *store, int64_t id, const char *state,
			    int64_t ended_at);
int gr_store_assignment_get(struct gr_store *store, struct gr_store_assignment *out, int64_t id);
typedef int gr_store_assignment_fn(const struct gr_store_assignment *row, void *payload);
/* The reviewer's latest assignments, newest first, at most limit. */
int gr_store_assignment_each_of_reviewer(struct gr_store *store, int64_t reviewer_id, int limit,
					 gr_store_assignment_fn *fn, void *payload);

/* A review given; strings borrowed (read) or the caller's (insert). */
struct gr_store_review {
	int64_t id; /* set by insert */
	int64_t assignment_id;
	int64_t submission_id;
	int64_t reviewer_id;
	const char *verdict; /* "pass" or "needs_work" */
	const char *checks;  /* a JSON array of booleans, one per rubric item */
	const char *comment_md;
	int64_t created_at;
	int helpfulness;	 /* 1-5, 0 when not rated */
	const char *flag_reason; /* NULL when not flagged */
	int64_t flagged_at;
	int64_t author_id; /* read only: the submission's author */
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
int gr_store_review_flag(struct gr_store *store, int64_t id, const char *reason, int64_t now);

/* ---- export ------------------------------------------------------------ */

/*
 * Each active learner of a cohort, by handle, with each step of track_id
 * they touched (by step id), or once with row NULL when they touched none.
 */
typedef int gr_store_cohort_progress_fn(const struct gr_user *user,
					const struct gr_store_progress *row, void *payload);
int gr_store_progress_of_cohort(struct gr_store *store, const char *cohort, const char *track_id,
				gr_store_cohort_progress_fn *fn, void *payload);

#endif
