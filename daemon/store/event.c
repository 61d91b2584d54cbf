/*
 * event.c - the events table and each user's event counter (see event.h).
 *
 * Owns numbering a user's events, keeping them, replaying them after a seq
 * and pruning old ones. Leaves what an event says and who receives it to
 * the services (live.c, reviews.c, helpdesk.c, nudges.c) and delivery to
 * core/fanout.c.
 */
#include "store/event.h"

#include "store/internal.h"

#include <sqlite3.h>

enum statement { LAST_SEQ, NEXT_SEQ, FIRST_SEQ, INSERT, SINCE, PRUNE, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	[LAST_SEQ] = "SELECT event_seq FROM users WHERE id = ?1",
	[NEXT_SEQ] = "UPDATE users SET event_seq = event_seq + 1 WHERE id = ?1 RETURNING event_seq",
	[FIRST_SEQ] = "SELECT coalesce(min(seq), 0) FROM events WHERE user_id = ?1",
	[INSERT] = "INSERT INTO events (user_id, seq, body, created_at) VALUES (?1, ?2, ?3, ?4)",
	[SINCE] = "SELECT seq, body FROM events WHERE user_id = ?1 AND seq > ?2 ORDER BY seq",
	[PRUNE] = "DELETE FROM events WHERE created_at < ?1",
};

const struct store_sql store_event_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_EVENT, which);
}

/* The one integer a statement on one user returns. */
static int one_integer(struct gr_store *store, enum statement which, int64_t user_id,
		       int64_t *out)
{
	sqlite3_stmt *stmt = statement(store, which);
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, sqlite3_sql(stmt));
}

int gr_store_event_range(struct gr_store *store, int64_t user_id, int64_t *out_first,
			 int64_t *out_last)
{
	int rc = one_integer(store, FIRST_SEQ, user_id, out_first);

	return rc ? rc : one_integer(store, LAST_SEQ, user_id, out_last);
}

int gr_store_event_next_seq(struct gr_store *store, int64_t user_id, int64_t *out)
{
	return one_integer(store, NEXT_SEQ, user_id, out);
}

int gr_store_event_insert(struct gr_store *store, int64_t user_id, int64_t seq, const char *body,
			  int64_t now)
{
	sqlite3_stmt *stmt = statement(store, INSERT);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, seq);
	sqlite3_bind_text(stmt, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	return store_run(store, stmt, NULL);
}

int gr_store_event_each_since(struct gr_store *store, int64_t user_id, int64_t after_seq,
			      gr_store_event_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, SINCE);
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, after_seq);
	while (store_next_row(store, stmt, &rc, "reading events"))
		if ((rc = fn(sqlite3_column_int64(stmt, 0), store_column_or_empty(stmt, 1), payload)) != 0)
			return store_stop(stmt, rc);
	return rc;
}

int gr_store_event_prune(struct gr_store *store, int64_t before)
{
	sqlite3_stmt *stmt = statement(store, PRUNE);

	sqlite3_bind_int64(stmt, 1, before);
	return store_run(store, stmt, NULL);
}
