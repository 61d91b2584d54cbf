/*
 * progress.c - the progress and activity_weeks tables (see progress.h).
 *
 * Owns reading and writing a learner's progress on a step, the stored
 * names of its states (converted to and from enum gr_progress_state here
 * and nowhere else), and marking the week of each change active for the
 * coaches' chart (cohort.c reads those weeks). Leaves which change is
 * allowed to domain/progress.c and the event that goes with a change to
 * event.c, in the caller's transaction.
 */
#include "store/progress.h"

#include "core/error.h"
#include "store/cohort.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

enum statement { GET, PUT, WEEK_PUT, OF_USER, PASSED_ON_STEP, OF_COHORT, STATEMENT_COUNT };

#define PROGRESS_COLUMNS "track_id, step_id, state, started_at, finished_at, updated_at"

static const char *const sql[STATEMENT_COUNT] = {
	[GET] = "SELECT " PROGRESS_COLUMNS " FROM progress"
		" WHERE user_id = ?1 AND track_id = ?2 AND step_id = ?3",
	[PUT] = "INSERT INTO progress (user_id, track_id, step_id, state, started_at,"
		" finished_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (user_id, track_id, step_id) DO UPDATE SET"
		" state = excluded.state, started_at = excluded.started_at,"
		" finished_at = excluded.finished_at, updated_at = excluded.updated_at",
	[WEEK_PUT] = "INSERT OR IGNORE INTO activity_weeks (user_id, track_id, week)"
		     " VALUES (?1, ?2, ?3)",
	[OF_USER] = "SELECT " PROGRESS_COLUMNS " FROM progress WHERE user_id = ?1"
		    " ORDER BY track_id, step_id",
	[PASSED_ON_STEP] = "SELECT user_id FROM progress WHERE track_id = ?1"
			   " AND step_id = ?2 AND state = 'passed' ORDER BY user_id",
	[OF_COHORT] = "SELECT " STORE_USER_COLUMNS ", p.track_id, p.step_id, p.state, p.started_at,"
		      " p.finished_at, p.updated_at FROM users u LEFT JOIN progress p"
		      " ON p.user_id = u.id AND p.track_id = ?2 WHERE u.role = 'learner'"
		      " AND coalesce(u.cohort, '') = ?1 AND u.disabled_at IS NULL"
		      " ORDER BY u.handle, u.id, p.step_id",
};

const struct store_sql store_progress_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_PROGRESS, which);
}

/* Reads PROGRESS_COLUMNS from column first on. */
static int read_progress_at(struct gr_store_progress *row, sqlite3_stmt *stmt, int first)
{
	memset(row, 0, sizeof(*row));
	store_column_text(row->track_id, sizeof(row->track_id), stmt, first);
	store_column_text(row->step_id, sizeof(row->step_id), stmt, first + 1);
	row->started_at = sqlite3_column_int64(stmt, first + 3);
	row->finished_at = sqlite3_column_int64(stmt, first + 4);
	row->updated_at = sqlite3_column_int64(stmt, first + 5);
	return gr_progress_state_from_name(&row->state, store_column_or_empty(stmt, first + 2));
}

static int read_progress(void *out, sqlite3_stmt *stmt)
{
	return read_progress_at(out, stmt, 0);
}

int gr_store_progress_get(struct gr_store *store, struct gr_store_progress *out, int64_t user_id,
			  const char *track_id, const char *step_id)
{
	sqlite3_stmt *stmt = statement(store, GET);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, step_id, -1, SQLITE_STATIC);
	return store_one_row(store, stmt, read_progress, out, "no progress on this step");
}

int gr_store_progress_put(struct gr_store *store, int64_t user_id,
			  const struct gr_store_progress *row)
{
	sqlite3_stmt *stmt = statement(store, PUT);
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, row->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, row->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, gr_progress_state_name(row->state), -1, SQLITE_STATIC);
	store_bind_time_or_null(stmt, 5, row->started_at);
	store_bind_time_or_null(stmt, 6, row->finished_at);
	sqlite3_bind_int64(stmt, 7, row->updated_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	stmt = statement(store, WEEK_PUT);
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, row->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, gr_store_cohort_week_of(row->updated_at));
	return store_run(store, stmt, NULL);
}

int gr_store_progress_each(struct gr_store *store, int64_t user_id, gr_store_progress_fn *fn,
			   void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_USER);
	struct gr_store_progress row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, user_id);
	while (store_next_row(store, stmt, &rc, "reading progress")) {
		if ((rc = read_progress(&row, stmt)) != 0 || (rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_progress_passed_each(struct gr_store *store, const char *track_id,
				  const char *step_id, gr_store_id_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, PASSED_ON_STEP);

	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	return store_each_id(store, stmt, "reading who passed a step", fn, payload);
}

int gr_store_progress_of_cohort(struct gr_store *store, const char *cohort, const char *track_id,
				gr_store_cohort_progress_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_COHORT);
	struct gr_store_progress row;
	struct gr_user user = { 0 };
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	while (store_next_row(store, stmt, &rc, "reading a cohort's progress")) {
		int touched = sqlite3_column_type(stmt, STORE_USER_COLUMN_COUNT) != SQLITE_NULL;

		/* Rows come by user: read each user once. */
		if (sqlite3_column_int64(stmt, 0) != user.id &&
		    (rc = store_read_user(&user, stmt)) != 0)
			return store_stop(stmt, rc);
		if (touched && (rc = read_progress_at(&row, stmt, STORE_USER_COLUMN_COUNT)) != 0)
			return store_stop(stmt, rc);
		if ((rc = fn(&user, touched ? &row : NULL, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
