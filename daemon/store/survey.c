/*
 * survey.c - whole-table reads (see survey.h). Owns the SQL that counts
 * and lists rows across every user, for the check and the metrics; each
 * table's own queries stay in its file (help.c, progress.c, session.c).
 * Statements are prepared per call: these run once a scrape or a check.
 */
#include "store/survey.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>

static int prepare(struct gr_store *store, sqlite3_stmt **out, const char *sql)
{
	if (sqlite3_prepare_v2(store->db, sql, -1, out, NULL) != SQLITE_OK)
		return store_fail(store, sql);
	return 0;
}

static int count(struct gr_store *store, int64_t *out, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = 0;
	if ((rc = prepare(store, &stmt, sql)) != 0)
		return rc;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		rc = store_fail(store, sql);
	sqlite3_finalize(stmt);
	return rc;
}

int gr_store_survey_submissions_waiting(struct gr_store *store, int64_t *out)
{
	return count(store, out, "SELECT count(*) FROM progress WHERE state = 'submitted'");
}

int gr_store_survey_help_open(struct gr_store *store, int64_t *out)
{
	return count(store, out, "SELECT count(*) FROM help_requests WHERE state = 'open'");
}

/* The caller's callback, one of them set, and its payload. */
struct visit {
	gr_store_survey_session_fn *session;
	gr_store_survey_help_fn *help;
	gr_store_survey_progress_fn *progress;
	void *payload;
};

/* Prepares sql and calls row for each of its rows until one returns non-zero. */
typedef int row_fn(sqlite3_stmt *stmt, const struct visit *visit);

static int each(struct gr_store *store, const char *sql, row_fn *row, const struct visit *visit)
{
	sqlite3_stmt *stmt = NULL;
	int rc, step;

	if ((rc = prepare(store, &stmt, sql)) != 0)
		return rc;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		if ((rc = row(stmt, visit)) != 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_fail(store, sql);
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}

static int session_row(sqlite3_stmt *stmt, const struct visit *visit)
{
	struct gr_session session = {
		.user_id = sqlite3_column_int64(stmt, 0),
		.created_at = sqlite3_column_int64(stmt, 1),
		.expires_at = sqlite3_column_int64(stmt, 2),
	};

	return visit->session(&session, visit->payload);
}

int gr_store_survey_each_session(struct gr_store *store, gr_store_survey_session_fn *fn,
				 void *payload)
{
	struct visit visit = { .session = fn, .payload = payload };

	return each(store, "SELECT user_id, created_at, expires_at FROM sessions ORDER BY user_id",
		    session_row, &visit);
}

static int help_row(sqlite3_stmt *stmt, const struct visit *visit)
{
	struct gr_help_request request = {
		.author_id = sqlite3_column_int64(stmt, 1),
		.helper_id = sqlite3_column_int64(stmt, 3),
		.opened_at = sqlite3_column_int64(stmt, 4),
		.last_wave_at = sqlite3_column_int64(stmt, 5),
		.accepted_at = sqlite3_column_int64(stmt, 6),
		.closed_at = sqlite3_column_int64(stmt, 7),
		.told = sqlite3_column_int(stmt, 8),
	};
	int rc = gr_help_state_from_name(&request.state, store_column_or_empty(stmt, 2));

	if (rc != 0)
		return rc;
	return visit->help(sqlite3_column_int64(stmt, 0), &request, visit->payload);
}

int gr_store_survey_each_help(struct gr_store *store, gr_store_survey_help_fn *fn, void *payload)
{
	struct visit visit = { .help = fn, .payload = payload };

	return each(store,
		    "SELECT h.id, h.user_id, h.state, h.helper_id, h.opened_at, h.last_wave_at,"
		    " h.accepted_at, h.closed_at,"
		    " (SELECT count(*) FROM help_offers o WHERE o.request_id = h.id)"
		    " FROM help_requests h ORDER BY h.id",
		    help_row, &visit);
}

static int progress_row(sqlite3_stmt *stmt, const struct visit *visit)
{
	enum gr_progress_state state;
	int rc = gr_progress_state_from_name(&state, store_column_or_empty(stmt, 3));

	if (rc != 0)
		return rc;
	return visit->progress(sqlite3_column_int64(stmt, 0), store_column_or_empty(stmt, 1),
			       store_column_or_empty(stmt, 2), state, visit->payload);
}

int gr_store_survey_each_progress(struct gr_store *store, gr_store_survey_progress_fn *fn,
				  void *payload)
{
	struct visit visit = { .progress = fn, .payload = payload };

	return each(store,
		    "SELECT user_id, track_id, step_id, state FROM progress"
		    " ORDER BY user_id, track_id, step_id",
		    progress_row, &visit);
}
