/*
 * invite.c - the invites table (see invite.h).
 *
 * Owns storing, finding, spending and listing invites by the hash of their
 * code, with the centre a coach's invite names (kept by id, read by name). Leaves making codes and hashing them to core/secret.c, and whether
 * an invite may still be used (its expiry) to services/auth.c.
 */
#include "store/invite.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

enum statement { INSERT, BY_HASH, USE, REVOKE, ALL, BY_ID, STATEMENT_COUNT };

#define INVITE_COLUMNS \
	"i.id, i.role, i.cohort, i.created_at, i.expires_at, i.used_at, c.handle, b.handle," \
	" i.revoked_at, x.name"
#define INVITE_JOINS \
	" FROM invites i LEFT JOIN users c ON c.id = i.created_by" \
	" LEFT JOIN users b ON b.id = i.used_by LEFT JOIN centres x ON x.id = i.centre_id"

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO invites (code_hash, role, cohort, created_by, created_at,"
		   " expires_at, centre_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		   " (SELECT id FROM centres WHERE name = ?7))",
	[BY_HASH] = "SELECT " INVITE_COLUMNS INVITE_JOINS " WHERE i.code_hash = ?1",
	[USE] = "UPDATE invites SET used_at = ?3, used_by = ?2 WHERE id = ?1 AND used_at IS NULL"
		" AND revoked_at IS NULL",
	[REVOKE] = "UPDATE invites SET revoked_at = ?2 WHERE id = ?1 AND used_at IS NULL"
		   " AND revoked_at IS NULL",
	[ALL] = "SELECT " INVITE_COLUMNS INVITE_JOINS " ORDER BY i.created_at DESC, i.id DESC",
	[BY_ID] = "SELECT " INVITE_COLUMNS INVITE_JOINS " WHERE i.id = ?1",
};

const struct store_sql store_invite_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_INVITE, which);
}

static int read_invite(void *out, sqlite3_stmt *stmt)
{
	struct gr_invite *invite = out;

	memset(invite, 0, sizeof(*invite));
	invite->id = sqlite3_column_int64(stmt, 0);
	store_column_text(invite->cohort, sizeof(invite->cohort), stmt, 2);
	invite->created_at = sqlite3_column_int64(stmt, 3);
	invite->expires_at = sqlite3_column_int64(stmt, 4);
	invite->used_at = sqlite3_column_int64(stmt, 5);
	store_column_text(invite->created_by, sizeof(invite->created_by), stmt, 6);
	store_column_text(invite->used_by, sizeof(invite->used_by), stmt, 7);
	invite->revoked_at = sqlite3_column_int64(stmt, 8);
	store_column_text(invite->centre, sizeof(invite->centre), stmt, 9);
	return gr_account_role_from_name(&invite->role, store_column_or_empty(stmt, 1));
}

int gr_store_invite_insert(struct gr_store *store, struct gr_invite *invite,
			   const unsigned char code_hash[GR_TOKEN_HASH_SIZE], int64_t created_by)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_blob(stmt, 1, code_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, gr_account_role_name(invite->role), -1, SQLITE_STATIC);
	store_bind_text_or_null(stmt, 3, invite->cohort);
	if (created_by > 0)
		sqlite3_bind_int64(stmt, 4, created_by);
	sqlite3_bind_int64(stmt, 5, invite->created_at);
	sqlite3_bind_int64(stmt, 6, invite->expires_at);
	store_bind_text_or_null(stmt, 7, invite->centre[0] ? invite->centre : NULL);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	invite->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_invite_by_hash(struct gr_store *store, struct gr_invite *out,
			    const unsigned char code_hash[GR_TOKEN_HASH_SIZE])
{
	sqlite3_stmt *stmt = statement(store, BY_HASH);

	sqlite3_bind_blob(stmt, 1, code_hash, GR_TOKEN_HASH_SIZE, SQLITE_STATIC);
	return store_one_row(store, stmt, read_invite, out, "This invite link is not known.");
}

int gr_store_invite_use(struct gr_store *store, int64_t invite_id, int64_t user_id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, USE);
	int changes = 0;
	int rc;

	sqlite3_bind_int64(stmt, 1, invite_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, now);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("This invite link has already been used.");
		return GR_EUSED;
	}
	return 0;
}

int gr_store_invite_revoke(struct gr_store *store, int64_t invite_id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, REVOKE);
	int changes = 0;
	int rc;

	sqlite3_bind_int64(stmt, 1, invite_id);
	sqlite3_bind_int64(stmt, 2, now);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("This invite was used or revoked already.");
		return GR_EUSED;
	}
	return 0;
}

int gr_store_invite_each(struct gr_store *store, gr_store_invite_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, ALL);
	struct gr_invite invite;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "listing invites")) {
		if ((rc = read_invite(&invite, stmt)) != 0 || (rc = fn(&invite, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_invite_by_id(struct gr_store *store, struct gr_invite *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, BY_ID);

	sqlite3_bind_int64(stmt, 1, id);
	return store_one_row(store, stmt, read_invite, out, "no such invite");
}
