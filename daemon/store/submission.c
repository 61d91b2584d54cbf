/*
 * submission.c - the submissions table (see submission.h).
 *
 * Owns storing a submission as the next attempt of its author on its step,
 * and reading one back. Leaves whether a learner may submit to
 * domain/progress.c and services/live.c, and its reviews to review.c and
 * assignment.c.
 */
#include "store/submission.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum statement { INSERT, GET, LATEST, UNRENDERED, SET_HTML, STATEMENT_COUNT };

#define SUBMISSION_COLUMNS \
	"id, attempt, user_id, track_id, step_id, track_commit, body_md, link, created_at," \
	" body_html"

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO submissions (user_id, track_id, step_id, attempt,"
		   " track_commit, body_md, link, created_at, body_html)"
		   " SELECT ?1, ?2, ?3, coalesce(max(attempt), 0) + 1, ?4, ?5, ?6, ?7, ?8"
		   " FROM submissions WHERE user_id = ?1 AND track_id = ?2"
		   " AND step_id = ?3 RETURNING id, attempt",
	[GET] = "SELECT " SUBMISSION_COLUMNS " FROM submissions WHERE id = ?1",
	[LATEST] = "SELECT " SUBMISSION_COLUMNS " FROM submissions WHERE user_id = ?1"
		   " AND track_id = ?2 AND step_id = ?3 ORDER BY attempt DESC LIMIT 1",
	[UNRENDERED] = "SELECT id, body_md FROM submissions WHERE id > ?1 AND body_html IS NULL"
		       " ORDER BY id LIMIT 1",
	[SET_HTML] = "UPDATE submissions SET body_html = ?2 WHERE id = ?1",
};

const struct store_sql store_submission_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_SUBMISSION, which);
}

int gr_store_submission_insert(struct gr_store *store, struct gr_store_submission *submission)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, submission->user_id);
	sqlite3_bind_text(stmt, 2, submission->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, submission->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, submission->track_commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, submission->body_md, -1, SQLITE_STATIC);
	store_bind_text_or_null(stmt, 6, submission->link);
	sqlite3_bind_int64(stmt, 7, submission->created_at);
	store_bind_text_or_null(stmt, 8, submission->body_html);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		submission->id = sqlite3_column_int64(stmt, 0);
		submission->attempt = sqlite3_column_int(stmt, 1);
		rc = sqlite3_step(stmt);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(store, "saving a submission");
}

/* At most one row of stmt, handed to fn; GR_ENOTFOUND when there is none. */
static int one_submission(struct gr_store *store, sqlite3_stmt *stmt, gr_store_submission_fn *fn,
			  void *payload)
{
	struct gr_store_submission row;
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.attempt = sqlite3_column_int(stmt, 1);
		row.user_id = sqlite3_column_int64(stmt, 2);
		row.track_id = store_column_or_empty(stmt, 3);
		row.step_id = store_column_or_empty(stmt, 4);
		row.track_commit = store_column_or_empty(stmt, 5);
		row.body_md = store_column_or_empty(stmt, 6);
		row.link = store_column_or_empty(stmt, 7);
		row.created_at = sqlite3_column_int64(stmt, 8);
		row.body_html = sqlite3_column_type(stmt, 9) == SQLITE_NULL
					? NULL
					: store_column_or_empty(stmt, 9);
		rc = fn(&row, payload);
		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		gr_error_set("no such submission");
		return GR_ENOTFOUND;
	}
	return store_fail(store, "reading a submission");
}

int gr_store_submission_get(struct gr_store *store, int64_t id, gr_store_submission_fn *fn,
			    void *payload)
{
	sqlite3_stmt *stmt = statement(store, GET);

	sqlite3_bind_int64(stmt, 1, id);
	return one_submission(store, stmt, fn, payload);
}

int gr_store_submission_latest(struct gr_store *store, int64_t user_id, const char *track_id,
			       const char *step_id, gr_store_submission_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, LATEST);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, step_id, -1, SQLITE_STATIC);
	return one_submission(store, stmt, fn, payload);
}

int gr_store_submission_unrendered(struct gr_store *store, int64_t after, int64_t *out_id,
				   char **out_md)
{
	return store_next_unrendered(store, statement(store, UNRENDERED), after, out_id, out_md,
				     "submission");
}

int gr_store_submission_set_html(struct gr_store *store, int64_t id, const char *html)
{
	sqlite3_stmt *stmt = statement(store, SET_HTML);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, html, -1, SQLITE_STATIC);
	return store_run(store, stmt, NULL);
}
