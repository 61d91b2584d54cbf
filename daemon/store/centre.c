/*
 * centre.c - the centres table and the coach_centres relation (see
 * centre.h; the design of the rule is in docs/api.md, "Who may do what").
 *
 * Owns adding and listing centres with their figures, which centres a
 * coach belongs to, and naming the default centre schema.c's migration 14
 * made. Leaves a cohort's centre to cohort.c (it is set when the cohort is
 * added), the rule built on both to user.c's gr_store_user_coaches and
 * services/rights.c, and the checks of names to core/account.c.
 */
#include "store/centre.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum statement {
	ADD,
	ID,
	COUNT,
	ALL,
	OF_COACH,
	COACH_CLEAR,
	COACH_ADD,
	COACH_PRUNE,
	COACH_STAMP,
	UNNAMED,
	RENAME,
	NAMED,
	PLACES,
	HAS_COACH,
	WATCHERS,
	STATEMENT_COUNT
};

/* An active learner of centre x.id: through their cohort. */
#define CENTRE_LEARNERS                                                                          \
	" FROM users u JOIN cohorts c ON c.name = u.cohort WHERE c.centre_id = x.id"              \
	" AND u.role = 'learner' AND u.disabled_at IS NULL"

static const char *const sql[STATEMENT_COUNT] = {
	[ADD] = "INSERT INTO centres (name, borough, address, created_at) VALUES (?1, ?2, ?3, ?4)",
	[ID] = "SELECT id FROM centres WHERE name = ?1",
	[COUNT] = "SELECT count(*), coalesce(min(id), 0) FROM centres",
	[ALL] = "SELECT x.id, x.name, x.borough, x.address, x.created_at,"
		" (SELECT count(*) FROM cohorts c WHERE c.centre_id = x.id),"
		" (SELECT count(*)" CENTRE_LEARNERS "),"
		" (SELECT count(*) FROM coach_centres m JOIN users u ON u.id = m.user_id"
		"   WHERE m.centre_id = x.id AND u.role = 'coach' AND u.disabled_at IS NULL),"
		" (SELECT count(*)" CENTRE_LEARNERS " AND EXISTS (SELECT 1 FROM progress p"
		"   WHERE p.user_id = u.id AND p.updated_at >= ?1)),"
		" (SELECT count(*) FROM progress p JOIN users u ON u.id = p.user_id"
		"   JOIN cohorts c ON c.name = u.cohort WHERE c.centre_id = x.id"
		"   AND u.role = 'learner' AND p.state IN ('done', 'passed') AND p.finished_at >= ?2)"
		" FROM centres x ORDER BY x.name",
	[OF_COACH] = "SELECT x.name FROM coach_centres m JOIN centres x ON x.id = m.centre_id"
		     " WHERE m.user_id = ?1 ORDER BY x.name",
	[COACH_CLEAR] = "DELETE FROM coach_centres WHERE user_id = ?1",
	[COACH_ADD] = "INSERT OR IGNORE INTO coach_centres (user_id, centre_id) VALUES (?1, ?2)",
	[COACH_PRUNE] = "DELETE FROM coach_cohorts WHERE user_id = ?1 AND cohort NOT IN"
			" (SELECT c.name FROM cohorts c JOIN coach_centres m"
			"  ON m.centre_id = c.centre_id AND m.user_id = ?1)",
	[COACH_STAMP] = "UPDATE users SET rights_stamp = rights_stamp + 1 WHERE id = ?1",
	[UNNAMED] = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'default_centre_unnamed'",
	[RENAME] = "UPDATE centres SET name = ?2 WHERE id = ?1",
	[NAMED] = "DELETE FROM meta WHERE key = 'default_centre_unnamed'",
	[PLACES] = "SELECT id, name, borough, address, created_at FROM centres ORDER BY name",
	[HAS_COACH] = "SELECT count(*) FROM coach_centres WHERE user_id = ?1 AND centre_id = ?2",
	[WATCHERS] = "SELECT u.id FROM users u WHERE u.disabled_at IS NULL AND (u.role = 'admin'"
		     " OR (u.role = 'coach' AND EXISTS (SELECT 1 FROM coach_centres m"
		     "  WHERE m.user_id = u.id AND m.centre_id = ?1))) ORDER BY u.id",
};

const struct store_sql store_centre_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_CENTRE, which);
}

int gr_store_centre_add(struct gr_store *store, int64_t *out, const char *name,
			const char *borough, const char *address, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, ADD);
	int rc;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, borough ? borough : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, address ? address : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("There is a centre '%s' already.", name);
		return GR_EEXISTS;
	}
	if (rc != SQLITE_DONE)
		return store_fail(store, "adding a centre");
	*out = sqlite3_last_insert_rowid(store->db);
	return 0;
}

static int read_id(void *out, sqlite3_stmt *stmt)
{
	*(int64_t *)out = sqlite3_column_int64(stmt, 0);
	return 0;
}

int gr_store_centre_id(struct gr_store *store, int64_t *out, const char *name)
{
	sqlite3_stmt *stmt = statement(store, ID);
	int rc;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = store_one_row(store, stmt, read_id, out, "no such centre");
	if (rc == GR_ENOTFOUND)
		gr_error_set("There is no centre '%.64s'.", name);
	return rc;
}

int gr_store_centre_count(struct gr_store *store, int64_t *out, int64_t *out_first)
{
	sqlite3_stmt *stmt = statement(store, COUNT);
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		*out_first = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "counting centres");
}

/* A centre's own columns (id, name, borough, address, created_at) of a row, borrowed. */
static void read_place(sqlite3_stmt *stmt, struct gr_store_centre *row)
{
	row->id = sqlite3_column_int64(stmt, 0);
	row->name = store_column_or_empty(stmt, 1);
	row->borough = store_column_or_empty(stmt, 2);
	row->address = store_column_or_empty(stmt, 3);
	row->created_at = sqlite3_column_int64(stmt, 4);
}
int gr_store_centre_each(struct gr_store *store, int64_t active_since, int64_t passed_since,
			 gr_store_centre_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, ALL);
	struct gr_store_centre row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, active_since);
	sqlite3_bind_int64(stmt, 2, passed_since);
	while (store_next_row(store, stmt, &rc, "listing centres")) {
		read_place(stmt, &row);
		row.cohorts = sqlite3_column_int(stmt, 5);
		row.learners = sqlite3_column_int(stmt, 6);
		row.coaches = sqlite3_column_int(stmt, 7);
		row.active = sqlite3_column_int(stmt, 8);
		row.passed = sqlite3_column_int(stmt, 9);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_centre_each_of_coach(struct gr_store *store, int64_t id, gr_store_text_fn *fn,
				  void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_COACH);
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, id);
	while (store_next_row(store, stmt, &rc, "listing a coach's centres"))
		if ((rc = fn(store_column_or_empty(stmt, 0), payload)) != 0)
			return store_stop(stmt, rc);
	return rc;
}

/* Runs the statement which with the user id bound first. */
static int run_for_user(struct gr_store *store, enum statement which, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, which);

	sqlite3_bind_int64(stmt, 1, id);
	return store_run(store, stmt, NULL);
}

int gr_store_centre_set_coach(struct gr_store *store, int64_t id, const int64_t *centres,
			      size_t count)
{
	int rc = run_for_user(store, COACH_CLEAR, id);

	for (size_t i = 0; rc == 0 && i < count; i++) {
		sqlite3_stmt *stmt = statement(store, COACH_ADD);

		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, centres[i]);
		rc = store_run(store, stmt, NULL);
	}
	if (rc == 0)
		rc = run_for_user(store, COACH_PRUNE, id);
	return rc ? rc : run_for_user(store, COACH_STAMP, id);
}

int gr_store_centre_join_coach(struct gr_store *store, int64_t user_id, const char *centre)
{
	sqlite3_stmt *stmt;
	int64_t id = 0;
	int rc;

	if ((rc = gr_store_centre_id(store, &id, centre)) != 0)
		return rc;
	stmt = statement(store, COACH_ADD);
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, id);
	return store_run(store, stmt, NULL);
}

int gr_store_centre_name_default(struct gr_store *store, int *out_named, const char *name)
{
	sqlite3_stmt *stmt = statement(store, UNNAMED);
	int64_t id = 0;
	int rc = store_one_row(store, stmt, read_id, &id, "no unnamed centre");

	*out_named = 0;
	if (rc == GR_ENOTFOUND)
		return 0; /* named before */
	if (rc)
		return rc;
	stmt = statement(store, RENAME);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("default_centre: there is another centre named '%s' already.", name);
		return GR_EEXISTS;
	}
	if (rc != SQLITE_DONE)
		return store_fail(store, "naming the default centre");
	if ((rc = store_run(store, statement(store, NAMED), NULL)) != 0)
		return rc;
	*out_named = 1;
	return 0;
}

int gr_store_centre_each_place(struct gr_store *store, gr_store_centre_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, PLACES);
	struct gr_store_centre row;
	int rc = 0;

	memset(&row, 0, sizeof(row));
	while (store_next_row(store, stmt, &rc, "listing centres")) {
		read_place(stmt, &row);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_centre_has_coach(struct gr_store *store, int *out, int64_t user_id,
			      int64_t centre_id)
{
	sqlite3_stmt *stmt = statement(store, HAS_COACH);
	int rc;

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, centre_id);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW && sqlite3_column_int64(stmt, 0) > 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "reading a coach's centres");
}

int gr_store_centre_each_watcher(struct gr_store *store, int64_t centre_id, gr_store_id_fn *fn,
				 void *payload)
{
	sqlite3_stmt *stmt = statement(store, WATCHERS);

	sqlite3_bind_int64(stmt, 1, centre_id);
	return store_each_id(store, stmt, "reading who watches a centre", fn, payload);
}
