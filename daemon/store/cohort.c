/*
 * cohort.c - the coaches' board's queries over a cohort (see cohort.h).
 *
 * Owns the week numbering of activity_weeks (progress.c writes a row for
 * each change, schema.c's migration 5 filled in the weeks before it), and
 * reading a cohort's review counts, active weeks and flagged reviews.
 * Leaves each learner's progress on a track to progress.c
 * (gr_store_progress_of_cohort), open help requests to help.c, and what
 * the board makes of it all to domain/attention.c and services/board.c.
 *
 * Also owns the cohorts as records (the cohorts table): adding one to its
 * centre, asking whether a name is one and its centre, listing them, and
 * renaming one together with
 * every reference to it (users, invites, coach_cohorts), which the caller
 * makes one change of the turn so all move or none.
 */
#include "store/cohort.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>

enum statement {
	STATS,
	WEEKS,
	FLAGS,
	MEMBERS,
	ADD,
	EXISTS,
	ALL,
	RENAME,
	RENAME_USERS,
	RENAME_INVITES,
	RENAME_COACHES,
	CENTRE,
	STATEMENT_COUNT
};

static const char *const sql[STATEMENT_COUNT] = {
	[STATS] = "SELECT u.id,"
		  " (SELECT count(*) FROM reviews r WHERE r.reviewer_id = u.id),"
		  " (SELECT count(*) FROM reviews r JOIN submissions s"
		  "   ON s.id = r.submission_id WHERE s.user_id = u.id),"
		  " (SELECT max(updated_at) FROM progress p WHERE p.user_id = u.id)"
		  " FROM users u WHERE u.role = 'learner' AND coalesce(u.cohort, '') = ?1"
		  " AND u.disabled_at IS NULL ORDER BY u.id",
	[WEEKS] = "SELECT a.week, count(*) FROM activity_weeks a JOIN users u"
		  " ON u.id = a.user_id WHERE a.track_id = ?2 AND a.week >= ?3"
		  " AND u.role = 'learner' AND coalesce(u.cohort, '') = ?1"
		  " AND u.disabled_at IS NULL GROUP BY a.week ORDER BY a.week",
	[FLAGS] = "SELECT s.user_id, r.id, r.flagged_at, s.step_id, coalesce(r.flag_kind, 'other'),"
		  " r.flag_reason, r.submission_id, r.assignment_id, r.reviewer_id FROM reviews r"
		  " JOIN submissions s ON s.id = r.submission_id JOIN users u"
		  " ON u.id = s.user_id WHERE r.flagged_at >= ?3 AND s.track_id = ?2"
		  " AND r.flag_outcome IS NULL"
		  " AND coalesce(u.cohort, '') = ?1 AND u.disabled_at IS NULL ORDER BY r.id",
	[MEMBERS] = "SELECT id FROM users WHERE role = 'learner' AND coalesce(cohort, '') = ?1"
		    " AND disabled_at IS NULL ORDER BY id",
	[ADD] = "INSERT INTO cohorts (name, created_at, centre_id) VALUES (?1, ?2, ?3)",
	[EXISTS] = "SELECT count(*) FROM cohorts WHERE name = ?1",
	[ALL] = "SELECT c.name, c.created_at,"
		" (SELECT count(*) FROM users u WHERE u.cohort = c.name AND u.role = 'learner'"
		"   AND u.disabled_at IS NULL),"
		" (SELECT count(*) FROM coach_cohorts k WHERE k.cohort = c.name),"
		" x.name FROM cohorts c JOIN centres x ON x.id = c.centre_id ORDER BY c.name",
	[CENTRE] = "SELECT x.name FROM cohorts c JOIN centres x ON x.id = c.centre_id"
		   " WHERE c.name = ?1",
	[RENAME] = "UPDATE cohorts SET name = ?2 WHERE name = ?1",
	[RENAME_USERS] = "UPDATE users SET cohort = ?2 WHERE cohort = ?1",
	[RENAME_INVITES] = "UPDATE invites SET cohort = ?2 WHERE cohort = ?1",
	[RENAME_COACHES] = "UPDATE coach_cohorts SET cohort = ?2 WHERE cohort = ?1",
};

const struct store_sql store_cohort_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_COHORT, which);
}

int64_t gr_store_cohort_week_of(int64_t ms)
{
	/* 1970-01-01 was a Thursday: shifted by three days, weeks start on Monday. */
	int64_t shifted = ms + 3 * GR_STORE_DAY_MS;

	return (shifted >= 0 ? shifted : shifted - 7 * GR_STORE_DAY_MS + 1) / (7 * GR_STORE_DAY_MS);
}

int gr_store_cohort_stats(struct gr_store *store, const char *cohort, gr_store_stats_fn *fn,
			  void *payload)
{
	sqlite3_stmt *stmt = statement(store, STATS);
	struct gr_store_learner_stats row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	while (store_next_row(store, stmt, &rc, "reading a cohort's reviews and activity")) {
		row.user_id = sqlite3_column_int64(stmt, 0);
		row.given = sqlite3_column_int(stmt, 1);
		row.received = sqlite3_column_int(stmt, 2);
		row.last_activity = sqlite3_column_int64(stmt, 3);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_cohort_members(struct gr_store *store, const char *cohort, gr_store_id_fn *fn,
			    void *payload)
{
	sqlite3_stmt *stmt = statement(store, MEMBERS);

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	return store_each_id(store, stmt, "reading a cohort's learners", fn, payload);
}

int gr_store_cohort_weeks(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t from_week, gr_store_week_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, WEEKS);
	struct gr_store_week row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, from_week);
	while (store_next_row(store, stmt, &rc, "reading a cohort's active weeks")) {
		row.week = sqlite3_column_int64(stmt, 0);
		row.active = sqlite3_column_int(stmt, 1);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_cohort_flags(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t since, gr_store_flag_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, FLAGS);
	struct gr_store_flag row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, since);
	while (store_next_row(store, stmt, &rc, "reading a cohort's flagged reviews")) {
		row.user_id = sqlite3_column_int64(stmt, 0);
		row.review_id = sqlite3_column_int64(stmt, 1);
		row.flagged_at = sqlite3_column_int64(stmt, 2);
		store_column_text(row.step_id, sizeof(row.step_id), stmt, 3);
		store_column_text(row.kind, sizeof(row.kind), stmt, 4);
		store_column_text(row.reason, sizeof(row.reason), stmt, 5);
		row.submission_id = sqlite3_column_int64(stmt, 6);
		row.assignment_id = sqlite3_column_int64(stmt, 7);
		row.reviewer_id = sqlite3_column_int64(stmt, 8);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_cohort_add(struct gr_store *store, const char *name, int64_t centre, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, ADD);
	int rc;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, centre);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("There is a cohort '%s' already.", name);
		return GR_EEXISTS;
	}
	return rc == SQLITE_DONE ? 0 : store_fail(store, "adding a cohort");
}

int gr_store_cohort_exists(struct gr_store *store, int *out, const char *name)
{
	sqlite3_stmt *stmt = statement(store, EXISTS);
	int rc;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW && sqlite3_column_int64(stmt, 0) > 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "looking up a cohort");
}

int gr_store_cohort_each(struct gr_store *store, gr_store_cohort_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, ALL);
	struct gr_store_cohort row;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "listing cohorts")) {
		row.name = store_column_or_empty(stmt, 0);
		row.created_at = sqlite3_column_int64(stmt, 1);
		row.learners = sqlite3_column_int(stmt, 2);
		row.coaches = sqlite3_column_int(stmt, 3);
		row.centre = store_column_or_empty(stmt, 4);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_cohort_rename(struct gr_store *store, const char *from, const char *to)
{
	static const enum statement references[] = { RENAME_USERS, RENAME_INVITES, RENAME_COACHES };
	sqlite3_stmt *stmt = statement(store, RENAME);
	int changes = 0;
	int rc;

	sqlite3_bind_text(stmt, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, to, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	changes = sqlite3_changes(store->db);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("There is a cohort '%s' already.", to);
		return GR_EEXISTS;
	}
	if (rc != SQLITE_DONE)
		return store_fail(store, "renaming a cohort");
	if (changes == 0) {
		gr_error_set("There is no cohort '%s'.", from);
		return GR_ENOTFOUND;
	}
	for (size_t i = 0; i < sizeof(references) / sizeof(references[0]); i++) {
		stmt = statement(store, references[i]);
		sqlite3_bind_text(stmt, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, to, -1, SQLITE_STATIC);
		if ((rc = store_run(store, stmt, NULL)) != 0)
			return rc;
	}
	return 0;
}

static int read_name(void *out, sqlite3_stmt *stmt)
{
	store_column_text(out, GR_STORE_CENTRE_NAME_SIZE, stmt, 0);
	return 0;
}

int gr_store_cohort_centre(struct gr_store *store, char out[GR_STORE_CENTRE_NAME_SIZE],
			   const char *name)
{
	sqlite3_stmt *stmt = statement(store, CENTRE);
	int rc;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = store_one_row(store, stmt, read_name, out, "no such cohort");
	if (rc == GR_ENOTFOUND)
		gr_error_set("There is no cohort '%.64s'.", name);
	return rc;
}
