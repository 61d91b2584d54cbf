/*
 * reset.c - the password_resets table (see reset.h).
 *
 * Owns storing a link (replacing the user's older ones in the same
 * statement's transaction), finding one by the hash of its token, and
 * spending it with a "used_at IS NULL" update, so a link is used once even
 * when two uses race. Leaves the life of a link to domain/reset.c and the
 * token, the rights and the new password to services/accounts.c.
 */
#include "store/reset.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

enum statement { REPLACE_OPEN, INSERT, BY_HASH, USE, ALL, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	/* gr_reset_replace() on every open link of the user: issued or expired, not used. */
	[REPLACE_OPEN] = "UPDATE password_resets SET replaced_at = ?2"
			 " WHERE user_id = ?1 AND used_at IS NULL AND replaced_at IS NULL",
	[INSERT] = "INSERT INTO password_resets (token_hash, user_id, created_by, created_at,"
		   " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[BY_HASH] = "SELECT id, user_id, coalesce(created_by, 0), created_at, expires_at,"
		    " coalesce(used_at, 0), coalesce(replaced_at, 0) FROM password_resets"
		    " WHERE token_hash = ?1",
	[USE] = "UPDATE password_resets SET used_at = ?2"
		" WHERE id = ?1 AND used_at IS NULL AND replaced_at IS NULL",
	[ALL] = "SELECT id, user_id, coalesce(created_by, 0), created_at, expires_at,"
		" coalesce(used_at, 0), coalesce(replaced_at, 0) FROM password_resets ORDER BY id",
};

const struct store_sql store_reset_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_RESET, which);
}

static int read_reset(void *out, sqlite3_stmt *stmt)
{
	struct gr_reset *reset = out;

	memset(reset, 0, sizeof(*reset));
	reset->id = sqlite3_column_int64(stmt, 0);
	reset->user_id = sqlite3_column_int64(stmt, 1);
	reset->created_by = sqlite3_column_int64(stmt, 2);
	reset->created_at = sqlite3_column_int64(stmt, 3);
	reset->expires_at = sqlite3_column_int64(stmt, 4);
	reset->used_at = sqlite3_column_int64(stmt, 5);
	reset->replaced_at = sqlite3_column_int64(stmt, 6);
	return 0;
}

int gr_store_reset_insert(struct gr_store *store, struct gr_reset *reset,
			  const unsigned char token_hash[GR_TOKEN_HASH_SIZE])
{
	sqlite3_stmt *stmt = statement(store, REPLACE_OPEN);
	int rc;

	sqlite3_bind_int64(stmt, 1, reset->user_id);
	sqlite3_bind_int64(stmt, 2, reset->created_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	stmt = statement(store, INSERT);
	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, reset->user_id);
	if (reset->created_by > 0)
		sqlite3_bind_int64(stmt, 3, reset->created_by);
	sqlite3_bind_int64(stmt, 4, reset->created_at);
	sqlite3_bind_int64(stmt, 5, reset->expires_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	reset->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_reset_by_hash(struct gr_store *store, struct gr_reset *out,
			   const unsigned char token_hash[GR_TOKEN_HASH_SIZE])
{
	sqlite3_stmt *stmt = statement(store, BY_HASH);

	sqlite3_bind_blob(stmt, 1, token_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return store_one_row(store, stmt, read_reset, out, "no such reset link");
}

int gr_store_reset_use(struct gr_store *store, int64_t id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, USE);
	int changes = 0;
	int rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("This reset link was used already. Ask your coach for a new one.");
		return GR_EUSED;
	}
	return 0;
}

int gr_store_reset_each(struct gr_store *store, gr_store_reset_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, ALL);
	struct gr_reset reset;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "listing reset links")) {
		if ((rc = read_reset(&reset, stmt)) != 0 || (rc = fn(&reset, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
