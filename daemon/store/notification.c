/*
 * notification.c - the notifications table (see notification.h).
 *
 * Owns storing a user's notification, keeping only their last few hundred,
 * listing them, counting the unread and marking them read. Leaves which
 * events make one, who may read which, and telling the user, to
 * services/inbox.c.
 */
#include "store/notification.h"

#include "store/internal.h"

#include <sqlite3.h>

enum statement { INSERT, PRUNE, GET, EACH, UNREAD, READ_ONE, READ_ALL, STATEMENT_COUNT };

#define NOTIFICATION_COLUMNS "id, user_id, kind, seq, created_at, read_at"

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO notifications (user_id, kind, seq, body, created_at)"
		   " VALUES (?1, ?2, ?3, ?4, ?5)",
	[PRUNE] = "DELETE FROM notifications WHERE user_id = ?1 AND id <= ("
		  "SELECT id FROM notifications WHERE user_id = ?1"
		  " ORDER BY id DESC LIMIT 1 OFFSET ?2)",
	[GET] = "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE id = ?1",
	[EACH] = "SELECT " NOTIFICATION_COLUMNS ", body FROM notifications"
		 " WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2",
	[UNREAD] = "SELECT count(*) FROM notifications WHERE user_id = ?1 AND read_at IS NULL",
	[READ_ONE] = "UPDATE notifications SET read_at = ?3"
		     " WHERE id = ?2 AND user_id = ?1 AND read_at IS NULL",
	[READ_ALL] = "UPDATE notifications SET read_at = ?3"
		     " WHERE user_id = ?1 AND read_at IS NULL",
};

const struct store_sql store_notification_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_NOTIFICATION, which);
}

static int read_notification(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_notification *row = out;

	row->id = sqlite3_column_int64(stmt, 0);
	row->user_id = sqlite3_column_int64(stmt, 1);
	store_column_text(row->kind, sizeof(row->kind), stmt, 2);
	row->seq = sqlite3_column_int64(stmt, 3);
	row->created_at = sqlite3_column_int64(stmt, 4);
	row->read_at = sqlite3_column_int64(stmt, 5);
	row->body = NULL;
	return 0;
}

int gr_store_notification_insert(struct gr_store *store, struct gr_store_notification *row,
				 int keep)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, row->user_id);
	sqlite3_bind_text(stmt, 2, row->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, row->seq);
	sqlite3_bind_text(stmt, 4, row->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, row->created_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	row->id = sqlite3_last_insert_rowid(store->db);
	stmt = statement(store, PRUNE);
	sqlite3_bind_int64(stmt, 1, row->user_id);
	sqlite3_bind_int(stmt, 2, keep);
	return store_run(store, stmt, NULL);
}

int gr_store_notification_get(struct gr_store *store, struct gr_store_notification *out,
			      int64_t id)
{
	sqlite3_stmt *stmt = statement(store, GET);

	sqlite3_bind_int64(stmt, 1, id);
	return store_one_row(store, stmt, read_notification, out,
			     "There is no such notification.");
}

int gr_store_notification_each(struct gr_store *store, int64_t user_id, int limit,
			       gr_store_notification_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, EACH);
	struct gr_store_notification row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int(stmt, 2, limit);
	while (store_next_row(store, stmt, &rc, "reading notifications")) {
		read_notification(&row, stmt);
		row.body = (const char *)sqlite3_column_text(stmt, 6);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

static int read_count(void *out, sqlite3_stmt *stmt)
{
	*(int64_t *)out = sqlite3_column_int64(stmt, 0);
	return 0;
}

int gr_store_notification_unread(struct gr_store *store, int64_t user_id, int64_t *out)
{
	sqlite3_stmt *stmt = statement(store, UNREAD);

	sqlite3_bind_int64(stmt, 1, user_id);
	return store_one_row(store, stmt, read_count, out, "counting notifications");
}

int gr_store_notification_read(struct gr_store *store, int64_t user_id, int64_t id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, id ? READ_ONE : READ_ALL);

	sqlite3_bind_int64(stmt, 1, user_id);
	if (id)
		sqlite3_bind_int64(stmt, 2, id);
	sqlite3_bind_int64(stmt, 3, now);
	return store_run(store, stmt, NULL);
}
