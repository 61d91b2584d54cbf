/*
 * session.c - the sessions table (see session.h).
 *
 * Owns storing, looking up, listing, ending and pruning sessions by the
 * hash of their token, and when each was last seen and from which browser. Leaves making tokens to core/secret.c and sign-in, sign-out
 * and how long a session lasts to services/auth.c; disabling a user ends
 * their sessions in user.c.
 */
#include "store/session.h"

#include "store/internal.h"

#include <sqlite3.h>

enum statement {
	INSERT,
	USER,
	DELETE,
	PRUNE,
	END_OF_USER,
	COUNT_OF_USER,
	VALID,
	SEEN,
	OF_USER,
	STATEMENT_COUNT
};

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
		   " VALUES (?1, ?2, ?3, ?4)",
	[USER] = "SELECT " STORE_USER_COLUMNS " FROM sessions s JOIN users u ON u.id = s.user_id"
		 " WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL",
	[DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
	[PRUNE] = "DELETE FROM sessions WHERE expires_at <= ?1",
	[END_OF_USER] = "DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS NOT ?2",
	[COUNT_OF_USER] = "SELECT count(*) FROM sessions WHERE user_id = ?1 AND expires_at > ?2",
	[VALID] = "SELECT s.token_hash, u.id, u.role, u.cohort, u.rights_stamp FROM sessions s"
		  " JOIN users u ON u.id = s.user_id"
		  " WHERE s.expires_at > ?1 AND u.disabled_at IS NULL",
	[SEEN] = "UPDATE sessions SET seen_at = ?2, agent = coalesce(?3, agent)"
		 " WHERE token_hash = ?1 AND (seen_at IS NULL OR seen_at <= ?4"
		 " OR (?3 IS NOT NULL AND agent IS NOT ?3))",
	[OF_USER] = "SELECT token_hash, created_at, expires_at, coalesce(seen_at, created_at),"
		    " agent FROM sessions WHERE user_id = ?1 AND expires_at > ?2"
		    " ORDER BY coalesce(seen_at, created_at) DESC",
};

const struct store_sql store_session_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_SESSION, which);
}

static int read_user(void *out, sqlite3_stmt *stmt)
{
	return store_read_user(out, stmt);
}

int gr_store_session_insert(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t user_id,
			    int64_t created_at, int64_t expires_at)
{
	sqlite3_stmt *stmt = statement(store, INSERT);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, created_at);
	sqlite3_bind_int64(stmt, 4, expires_at);
	return store_run(store, stmt, NULL);
}

int gr_store_session_user(struct gr_store *store, struct gr_user *out,
			  const unsigned char token_hash[GR_TOKEN_HASH_SIZE], int64_t now)
{
	sqlite3_stmt *stmt = statement(store, USER);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	return store_one_row(store, stmt, read_user, out, "no valid session");
}

int gr_store_session_delete(struct gr_store *store,
			    const unsigned char token_hash[GR_TOKEN_HASH_SIZE])
{
	sqlite3_stmt *stmt = statement(store, DELETE);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return store_run(store, stmt, NULL);
}

int gr_store_session_prune(struct gr_store *store, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, PRUNE);

	sqlite3_bind_int64(stmt, 1, now);
	return store_run(store, stmt, NULL);
}

int gr_store_session_end_user(struct gr_store *store, int64_t user_id,
			      const unsigned char *keep_hash)
{
	sqlite3_stmt *stmt = statement(store, END_OF_USER);

	sqlite3_bind_int64(stmt, 1, user_id);
	if (keep_hash)
		sqlite3_bind_blob(stmt, 2, keep_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return store_run(store, stmt, NULL);
}

int gr_store_session_count(struct gr_store *store, int64_t *out, int64_t user_id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, COUNT_OF_USER);
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, now);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "counting sessions");
}

int gr_store_session_each_valid(struct gr_store *store, int64_t now, gr_store_session_fn *fn,
				void *payload)
{
	sqlite3_stmt *stmt = statement(store, VALID);
	struct gr_store_session_row row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, now);
	while (store_next_row(store, stmt, &rc, "listing valid sessions")) {
		if (sqlite3_column_bytes(stmt, 0) != GR_TOKEN_HASH_SIZE)
			continue; /* not a hash this grounds made */
		row.token_hash = sqlite3_column_blob(stmt, 0);
		row.user_id = sqlite3_column_int64(stmt, 1);
		row.cohort = store_column_or_empty(stmt, 3);
		row.rights_stamp = sqlite3_column_int64(stmt, 4);
		if ((rc = gr_account_role_from_name(&row.role, store_column_or_empty(stmt, 2))) != 0 ||
		    (rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_session_seen(struct gr_store *store, const unsigned char token_hash[GR_TOKEN_HASH_SIZE],
			  int64_t now, const char *agent, int64_t seen_before)
{
	sqlite3_stmt *stmt = statement(store, SEEN);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	store_bind_text_or_null(stmt, 3, agent);
	sqlite3_bind_int64(stmt, 4, seen_before);
	return store_run(store, stmt, NULL);
}

int gr_store_session_each_of_user(struct gr_store *store, int64_t user_id, int64_t now,
				  gr_store_session_info_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_USER);
	struct gr_store_session_info row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, now);
	while (store_next_row(store, stmt, &rc, "listing a user's sessions")) {
		if (sqlite3_column_bytes(stmt, 0) != GR_TOKEN_HASH_SIZE)
			continue; /* not a hash this grounds made */
		row.token_hash = sqlite3_column_blob(stmt, 0);
		row.created_at = sqlite3_column_int64(stmt, 1);
		row.expires_at = sqlite3_column_int64(stmt, 2);
		row.seen_at = sqlite3_column_int64(stmt, 3);
		row.agent = store_column_or_empty(stmt, 4);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
