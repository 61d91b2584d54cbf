/*
 * nudge.c - the nudges table (see nudge.h).
 *
 * Owns storing a coach's nudge, marking it read, and listing a learner's
 * unread ones. Leaves who may nudge whom, and telling the learner, to
 * services/nudges.c.
 */
#include "store/nudge.h"

#include "store/internal.h"

#include <sqlite3.h>

enum statement { INSERT, GET, READ, UNREAD, STATEMENT_COUNT };

#define NUDGE_COLUMNS "id, user_id, coach_id, body, created_at, read_at"

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO nudges (user_id, coach_id, body, created_at)"
		   " VALUES (?1, ?2, ?3, ?4)",
	[GET] = "SELECT " NUDGE_COLUMNS " FROM nudges WHERE id = ?1",
	[READ] = "UPDATE nudges SET read_at = ?2 WHERE id = ?1 AND read_at IS NULL",
	[UNREAD] = "SELECT " NUDGE_COLUMNS " FROM nudges"
		   " WHERE user_id = ?1 AND read_at IS NULL ORDER BY id LIMIT ?2",
};

const struct store_sql store_nudge_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_NUDGE, which);
}

static int read_nudge(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_nudge *row = out;

	row->id = sqlite3_column_int64(stmt, 0);
	row->user_id = sqlite3_column_int64(stmt, 1);
	row->coach_id = sqlite3_column_int64(stmt, 2);
	store_column_text(row->body, sizeof(row->body), stmt, 3);
	row->created_at = sqlite3_column_int64(stmt, 4);
	row->read_at = sqlite3_column_int64(stmt, 5);
	return 0;
}

int gr_store_nudge_insert(struct gr_store *store, struct gr_store_nudge *nudge)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, nudge->user_id);
	sqlite3_bind_int64(stmt, 2, nudge->coach_id);
	sqlite3_bind_text(stmt, 3, nudge->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, nudge->created_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	nudge->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_nudge_get(struct gr_store *store, struct gr_store_nudge *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, GET);

	sqlite3_bind_int64(stmt, 1, id);
	return store_one_row(store, stmt, read_nudge, out, "There is no such nudge.");
}

int gr_store_nudge_read(struct gr_store *store, int64_t id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, READ);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now);
	return store_run(store, stmt, NULL);
}

int gr_store_nudge_each_unread(struct gr_store *store, int64_t user_id, int limit,
			       gr_store_nudge_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, UNREAD);
	struct gr_store_nudge row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int(stmt, 2, limit);
	while (store_next_row(store, stmt, &rc, "reading nudges")) {
		read_nudge(&row, stmt);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
