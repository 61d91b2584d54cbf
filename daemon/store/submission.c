/*
 * submission.c - the submissions table (see submission.h).
 *
 * Owns storing a submission as the next attempt of its author on its step,
 * and reading one back; and, once it passed, how its author shares it
 * with peers and the thanks it got. Leaves whether a learner may submit
 * (or read a peer's work) to domain/progress.c and the services, and its
 * reviews to review.c and assignment.c.
 */
#include "store/submission.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum statement {
	INSERT,
	GET,
	LATEST,
	UNRENDERED,
	SET_HTML,
	SET_SHARE,
	SHARING,
	THANK,
	SHARED,
	STATEMENT_COUNT
};

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
	[SET_SHARE] = "UPDATE submissions SET share = ?2 WHERE id = ?1",
	[SHARING] = "SELECT share, (SELECT count(*) FROM submission_thanks t"
		    " WHERE t.submission_id = s.id), EXISTS (SELECT 1 FROM submission_thanks t"
		    " WHERE t.submission_id = s.id AND t.user_id = ?2)"
		    " FROM submissions s WHERE s.id = ?1",
	[THANK] = "INSERT OR IGNORE INTO submission_thanks (submission_id, user_id, created_at)"
		  " VALUES (?1, ?2, ?3)",
	[SHARED] = "SELECT s.id, s.attempt, s.user_id, s.track_id, s.step_id, s.track_commit,"
		   " s.body_md, s.link, s.created_at, s.body_html, s.share, u.handle,"
		   " u.display_name, (SELECT count(*) FROM submission_thanks t"
		   "   WHERE t.submission_id = s.id) AS thanks,"
		   " EXISTS (SELECT 1 FROM submission_thanks t WHERE t.submission_id = s.id"
		   "   AND t.user_id = ?3)"
		   " FROM submissions s JOIN users u ON u.id = s.user_id"
		   " JOIN progress p ON p.user_id = s.user_id AND p.track_id = s.track_id"
		   "   AND p.step_id = s.step_id"
		   " WHERE s.track_id = ?1 AND s.step_id = ?2 AND s.share <> 'none'"
		   " AND s.user_id <> ?3 AND p.state = 'passed' AND u.disabled_at IS NULL"
		   " AND s.attempt = (SELECT max(attempt) FROM submissions l"
		   "   WHERE l.user_id = s.user_id AND l.track_id = s.track_id"
		   "   AND l.step_id = s.step_id)"
		   " ORDER BY thanks DESC, s.created_at DESC, s.id DESC LIMIT ?4",
};

static const char *const share_names[] = {
	[GR_STORE_SHARE_NONE] = "none",
	[GR_STORE_SHARE_ANONYMOUS] = "anonymous",
	[GR_STORE_SHARE_NAMED] = "named",
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

/* The current row's SUBMISSION_COLUMNS, borrowed until the statement moves on. */
static void read_submission(struct gr_store_submission *row, sqlite3_stmt *stmt)
{
	row->id = sqlite3_column_int64(stmt, 0);
	row->attempt = sqlite3_column_int(stmt, 1);
	row->user_id = sqlite3_column_int64(stmt, 2);
	row->track_id = store_column_or_empty(stmt, 3);
	row->step_id = store_column_or_empty(stmt, 4);
	row->track_commit = store_column_or_empty(stmt, 5);
	row->body_md = store_column_or_empty(stmt, 6);
	row->link = store_column_or_empty(stmt, 7);
	row->created_at = sqlite3_column_int64(stmt, 8);
	row->body_html =
		sqlite3_column_type(stmt, 9) == SQLITE_NULL ? NULL : store_column_or_empty(stmt, 9);
}

/* At most one row of stmt, handed to fn; GR_ENOTFOUND when there is none. */
static int one_submission(struct gr_store *store, sqlite3_stmt *stmt, gr_store_submission_fn *fn,
			  void *payload)
{
	struct gr_store_submission row;
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW) {
		read_submission(&row, stmt);
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

const char *gr_store_submission_share_name(enum gr_store_share share)
{
	return share_names[share];
}

int gr_store_submission_share_from_name(enum gr_store_share *out, const char *name)
{
	for (size_t i = 0; i < sizeof(share_names) / sizeof(share_names[0]); i++) {
		if (strcmp(share_names[i], name) == 0) {
			*out = (enum gr_store_share)i;
			return 0;
		}
	}
	return -1;
}

static enum gr_store_share column_share(sqlite3_stmt *stmt, int column)
{
	enum gr_store_share share = GR_STORE_SHARE_NONE;

	gr_store_submission_share_from_name(&share, store_column_or_empty(stmt, column));
	return share;
}

int gr_store_submission_set_share(struct gr_store *store, int64_t id, enum gr_store_share share)
{
	sqlite3_stmt *stmt = statement(store, SET_SHARE);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, gr_store_submission_share_name(share), -1, SQLITE_STATIC);
	return store_run(store, stmt, NULL);
}

static int read_sharing(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_sharing *sharing = out;

	sharing->share = column_share(stmt, 0);
	sharing->thanks = sqlite3_column_int(stmt, 1);
	sharing->thanked = sqlite3_column_int(stmt, 2) != 0;
	return 0;
}

int gr_store_submission_sharing(struct gr_store *store, struct gr_store_sharing *out, int64_t id,
				int64_t reader_id)
{
	sqlite3_stmt *stmt = statement(store, SHARING);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, reader_id);
	return store_one_row(store, stmt, read_sharing, out, "no such submission");
}

int gr_store_submission_thank(struct gr_store *store, int *out_added, int64_t id,
			      int64_t reader_id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, THANK);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, reader_id);
	sqlite3_bind_int64(stmt, 3, now);
	return store_run(store, stmt, out_added);
}

int gr_store_submission_each_shared(struct gr_store *store, const char *track_id,
				    const char *step_id, int64_t reader_id, int limit,
				    gr_store_shared_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, SHARED);
	struct gr_store_submission submission;
	struct gr_store_shared row = { .submission = &submission };
	int rc = 0;

	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, reader_id);
	sqlite3_bind_int(stmt, 4, limit);
	while (store_next_row(store, stmt, &rc, "reading peers' shared work")) {
		read_submission(&submission, stmt);
		row.sharing.share = column_share(stmt, 10);
		row.handle = store_column_or_empty(stmt, 11);
		row.display_name = store_column_or_empty(stmt, 12);
		row.sharing.thanks = sqlite3_column_int(stmt, 13);
		row.sharing.thanked = sqlite3_column_int(stmt, 14) != 0;
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
