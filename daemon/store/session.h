/*
 * session.h - sign-in sessions: the hash of a session token, whose it is
 * and until when. The tokens themselves are never stored.
 */
#ifndef GR_STORE_SESSION_H
#define GR_STORE_SESSION_H

#include "core/account.h"
#include "store/store.h"

#include <stdint.h>

int gr_store_session_insert(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t user_id,
			    int64_t created_at, int64_t expires_at);
/* The active user of an unexpired session; GR_ENOTFOUND otherwise. */
int gr_store_session_user(struct gr_store *store, struct gr_user *out,
			  const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t now);
int gr_store_session_delete(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE]);
/* Ends every session of the user but the one of keep_hash (NULL: every one). */
int gr_store_session_end_user(struct gr_store *store, int64_t user_id,
			      const unsigned char *keep_hash);

/* The user's unexpired sessions. */
int gr_store_session_count(struct gr_store *store, int64_t *out, int64_t user_id, int64_t now);

/* A valid session: unexpired, of a user not disabled. Pointers borrowed for the call. */
struct gr_store_session_row {
	const unsigned char *token_hash; /* GR_TOKEN_HASH_SIZE bytes */
	int64_t user_id;
	enum gr_role role;
	const char *cohort; /* "" for none */
	int64_t rights_stamp;
};
typedef int gr_store_session_fn(const struct gr_store_session_row *row, void *payload);
/* Each valid session at now, in no order; stops early when fn returns non-zero. */
int gr_store_session_each_valid(struct gr_store *store, int64_t now, gr_store_session_fn *fn,
				void *payload);

/*
 * The session was seen at now from a browser that calls itself agent (NULL:
 * unknown, kept as it was). Written only when it was last seen at or before
 * seen_before, or the agent changed, so a busy session writes rarely.
 */
int gr_store_session_seen(struct gr_store *store, const unsigned char token_hash[GR_TOKEN_HASH_SIZE],
			  int64_t now, const char *agent, int64_t seen_before);

/* One of a user's sessions, borrowed for the call. */
struct gr_store_session_info {
	const unsigned char *token_hash; /* GR_TOKEN_HASH_SIZE bytes */
	int64_t created_at;
	int64_t expires_at;
	int64_t seen_at; /* created_at when never seen since */
	const char *agent; /* "" when unknown */
};
typedef int gr_store_session_info_fn(const struct gr_store_session_info *row, void *payload);
/* Each unexpired session of user_id at now, last seen first. */
int gr_store_session_each_of_user(struct gr_store *store, int64_t user_id, int64_t now,
				  gr_store_session_info_fn *fn, void *payload);

/* Removes sessions that expired before now. */
int gr_store_session_prune(struct gr_store *store, int64_t now);

#endif
