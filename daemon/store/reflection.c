/*
 * reflection.c - the reflection_comments table (see reflection.h).
 *
 * Owns storing a coach's comment on a reflection and reading a learner's
 * comments on one step. Leaves who may comment, which steps are
 * reflections and telling the learner to services/reflections.c.
 */
#include "store/reflection.h"

#include "store/internal.h"

#include <sqlite3.h>

enum statement { INSERT, OF_STEP, OF_SUBMISSION, LATEST, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO reflection_comments (submission_id, coach_id, body, created_at)"
		   " VALUES (?1, ?2, ?3, ?4)",
	[OF_STEP] = "SELECT c.id, c.submission_id, c.coach_id, s.attempt, c.body, c.created_at"
		    " FROM reflection_comments c JOIN submissions s ON s.id = c.submission_id"
		    " WHERE s.user_id = ?1 AND s.track_id = ?2 AND s.step_id = ?3 ORDER BY c.id",
	[OF_SUBMISSION] = "SELECT c.id, c.submission_id, c.coach_id, s.attempt, c.body, c.created_at"
			  " FROM reflection_comments c JOIN submissions s ON s.id = c.submission_id"
			  " WHERE c.submission_id = ?1 ORDER BY c.id",
	[LATEST] = "SELECT s.id, u.handle, u.display_name, s.step_id, s.attempt, s.body_html,"
		   " s.created_at FROM submissions s JOIN users u ON u.id = s.user_id"
		   " WHERE u.cohort = ?1 AND s.track_id = ?2 AND u.disabled_at IS NULL"
		   " AND u.role = 'learner' AND s.attempt = (SELECT max(t.attempt) FROM submissions t"
		   " WHERE t.user_id = s.user_id AND t.track_id = s.track_id AND t.step_id = s.step_id)"
		   " ORDER BY s.created_at DESC, s.id DESC LIMIT ?3",
};

const struct store_sql store_reflection_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_REFLECTION, which);
}

int gr_store_reflection_comment_insert(struct gr_store *store,
				       struct gr_store_reflection_comment *comment)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, comment->submission_id);
	if (comment->coach_id)
		sqlite3_bind_int64(stmt, 2, comment->coach_id);
	else
		sqlite3_bind_null(stmt, 2);
	sqlite3_bind_text(stmt, 3, comment->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, comment->created_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	comment->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

/* Every comment stmt reads, to fn. */
static int each_comment(struct gr_store *store, sqlite3_stmt *stmt,
			gr_store_reflection_comment_fn *fn, void *payload)
{
	struct gr_store_reflection_comment row;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "reading comments on a reflection")) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.submission_id = sqlite3_column_int64(stmt, 1);
		row.coach_id = sqlite3_column_int64(stmt, 2);
		row.attempt = sqlite3_column_int(stmt, 3);
		store_column_text(row.body, sizeof(row.body), stmt, 4);
		row.created_at = sqlite3_column_int64(stmt, 5);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_reflection_each_comment(struct gr_store *store, int64_t user_id, const char *track_id,
				     const char *step_id, gr_store_reflection_comment_fn *fn,
				     void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_STEP);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, step_id, -1, SQLITE_STATIC);
	return each_comment(store, stmt, fn, payload);
}

int gr_store_reflection_each_comment_of(struct gr_store *store, int64_t submission_id,
					gr_store_reflection_comment_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_SUBMISSION);

	sqlite3_bind_int64(stmt, 1, submission_id);
	return each_comment(store, stmt, fn, payload);
}

int gr_store_reflection_each_latest(struct gr_store *store, const char *cohort, const char *track_id,
				    int limit, gr_store_reflection_work_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, LATEST);
	struct gr_store_reflection_work row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, limit);
	while (store_next_row(store, stmt, &rc, "reading a cohort's reflections")) {
		row.submission_id = sqlite3_column_int64(stmt, 0);
		row.handle = store_column_or_empty(stmt, 1);
		row.display_name = store_column_or_empty(stmt, 2);
		row.step_id = store_column_or_empty(stmt, 3);
		row.attempt = sqlite3_column_int(stmt, 4);
		row.body_html = (const char *)sqlite3_column_text(stmt, 5);
		row.created_at = sqlite3_column_int64(stmt, 6);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
