/*
 * help.h - help requests between peers as stored: the requests, which
 * peers were told of each (offers), who could be told, and the messages
 * between who asked and who helps. When to tell more peers, and whom, is
 * domain/help.c's; a request carries its state as that module's enum.
 * Design: "Help from peers" in docs/protocol.md.
 */
#ifndef GR_STORE_HELP_H
#define GR_STORE_HELP_H

#include "domain/help.h"
#include "store/store.h"

#include <stdint.h>

struct gr_store_help {
	int64_t id; /* set by insert */
	int64_t user_id; /* who asked */
	char track_id[129];
	char step_id[129];
	char body[501];
	enum gr_help_state state;
	int64_t helper_id; /* 0 until accepted */
	int64_t opened_at;
	int64_t last_wave_at; /* 0 until a peer was told */
	int64_t accepted_at;  /* 0 when not */
	int64_t closed_at;    /* 0 while open or accepted */
};
typedef int gr_store_help_fn(const struct gr_store_help *row, void *payload);
/* Inserts an open request (user_id, track_id, step_id, body, opened_at); sets id and state. */
int gr_store_help_insert(struct gr_store *store, struct gr_store_help *help);
/*
 * GR_ENOTFOUND when there is none. Reading a request whose stored state
 * this grounds does not know fails with GR_EINVALID, here and in every
 * listing below.
 */
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
