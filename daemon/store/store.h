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

#include "core/account.h"

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

/* ---- the coaches' board ------------------------------------------------ */

#define GR_STORE_DAY_MS ((int64_t)24 * 60 * 60 * 1000)

/* The week of a time: weeks since Monday 1970-01-05 UTC (week 0 holds its first days too). */
int64_t gr_store_week_of(int64_t ms);

/* One active learner of a cohort: reviews given and received, latest progress change (0: none). */
struct gr_store_learner_stats {
	int64_t user_id;
	int given;
	int received;
	int64_t last_activity;
};
typedef int gr_store_stats_fn(const struct gr_store_learner_stats *row, void *payload);
/* Each active learner of the cohort ("" for none), by id. */
int gr_store_cohort_stats(struct gr_store *store, const char *cohort, gr_store_stats_fn *fn,
			  void *payload);

/* A week in which active learners of a cohort changed their progress on a track. */
struct gr_store_week {
	int64_t week;
	int active;
};
typedef int gr_store_week_fn(const struct gr_store_week *row, void *payload);
/* Each week from from_week on with activity, oldest first. */
int gr_store_cohort_weeks(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t from_week, gr_store_week_fn *fn, void *payload);

/* A review of a cohort learner's work on a track, flagged by them. */
struct gr_store_flag {
	int64_t user_id; /* the author, who flagged it */
	int64_t review_id;
	int64_t flagged_at;
	char step_id[129];
};
typedef int gr_store_flag_fn(const struct gr_store_flag *row, void *payload);
/* Each review flagged at or after since, by id. */
int gr_store_cohort_flags(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t since, gr_store_flag_fn *fn, void *payload);

/* ---- nudges: a coach's short message to a learner ---------------------- */

struct gr_store_nudge {
	int64_t id;       /* set by insert */
	int64_t user_id;  /* to whom */
	int64_t coach_id; /* from whom */
	char body[501];
	int64_t created_at;
	int64_t read_at; /* 0 while unread */
};
typedef int gr_store_nudge_fn(const struct gr_store_nudge *row, void *payload);
int gr_store_nudge_insert(struct gr_store *store, struct gr_store_nudge *nudge);
/* GR_ENOTFOUND when there is none. */
int gr_store_nudge_get(struct gr_store *store, struct gr_store_nudge *out, int64_t id);
/* Mark it read at now (once: a second call changes nothing). */
int gr_store_nudge_read(struct gr_store *store, int64_t id, int64_t now);
/* The user's unread nudges, oldest first, at most limit. */
int gr_store_nudge_each_unread(struct gr_store *store, int64_t user_id, int limit,
			       gr_store_nudge_fn *fn, void *payload);

/* ---- help requests between peers --------------------------------------- */

struct gr_store_help {
	int64_t id; /* set by insert */
	int64_t user_id; /* who asked */
	char track_id[129];
	char step_id[129];
	char body[501];
	char state[16];    /* open, accepted, resolved, withdrawn, expired */
	int64_t helper_id; /* 0 until accepted */
	int64_t opened_at;
	int64_t last_wave_at; /* 0 until a peer was told */
	int64_t accepted_at;  /* 0 when not */
	int64_t closed_at;    /* 0 while open or accepted */
};
typedef int gr_store_help_fn(const struct gr_store_help *row, void *payload);
/* Inserts an open request (user_id, track_id, step_id, body, opened_at). */
int gr_store_help_insert(struct gr_store *store, struct gr_store_help *help);
/* GR_ENOTFOUND when there is none. */
int gr_store_help_get(struct gr_store *store, struct gr_store_help *out, int64_t id);
/* Stores state, helper_id, last_wave_at, accepted_at and closed_at. */
int gr_store_help_update(struct gr_store *store, const struct gr_store_help *help);
/* The user's requests that are open or accepted, by id. */
int gr_store_help_live_of_user(struct gr_store *store, int64_t user_id, gr_store_help_fn *fn,
			       void *payload);
/* Every open request (nobody accepted yet), by id. */
int gr_store_help_each_open(struct gr_store *store, gr_store_help_fn *fn, void *payload);
/* Open and accepted requests of a cohort's learners on a track, by id. */
int gr_store_help_of_cohort(struct gr_store *store, const char *cohort, const char *track_id,
			    gr_store_help_fn *fn, void *payload);
/* Open requests the user was told of, and accepted ones they help with, by id. */
int gr_store_help_offered_to(struct gr_store *store, int64_t user_id, gr_store_help_fn *fn,
			     void *payload);
/* The user was told of the request at now (again: no change). */
int gr_store_help_offer_insert(struct gr_store *store, int64_t request_id, int64_t user_id,
			       int64_t now);
/* *out = whether the user was told of the request. */
int gr_store_help_offered(struct gr_store *store, int *out, int64_t request_id, int64_t user_id);
/* Each user told of the request, by id. */
int gr_store_help_offer_each(struct gr_store *store, int64_t request_id, gr_store_id_fn *fn,
			     void *payload);

/* Someone who finished a step, with how busy they are helping. */
struct gr_store_help_candidate {
	int64_t user_id;
	int open_offers; /* open requests they are told of */
	int helped;      /* requests they accepted, ever */
};
typedef int gr_store_help_candidate_fn(const struct gr_store_help_candidate *row, void *payload);
/* Each active user but author_id whose step is done or passed, by id. */
int gr_store_help_candidates(struct gr_store *store, const char *track_id, const char *step_id,
			     int64_t author_id, gr_store_help_candidate_fn *fn, void *payload);

struct gr_store_help_message {
	int64_t id; /* set by insert */
	int64_t request_id;
	int64_t user_id; /* who wrote it */
	char body[501];
	int64_t created_at;
};
typedef int gr_store_help_message_fn(const struct gr_store_help_message *row, void *payload);
int gr_store_help_message_insert(struct gr_store *store, struct gr_store_help_message *message);
/* A request's messages, oldest first. */
int gr_store_help_message_each(struct gr_store *store, int64_t request_id,
			       gr_store_help_message_fn *fn, void *payload);

#endif
