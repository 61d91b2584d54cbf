/*
 * outcome.c - the outcomes table (see outcome.h).
 *
 * Owns storing a learner's outcome and the one query that reads them by
 * cohort or by centre. Leaves who may record one and the figures made from
 * them to services/outcomes.c.
 */
#include "store/outcome.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

static const char *const kind_names[GR_STORE_OUTCOME_KIND_COUNT] = {
	[GR_STORE_OUTCOME_JOB] = "job",
	[GR_STORE_OUTCOME_INTERNSHIP] = "internship",
	[GR_STORE_OUTCOME_STUDY] = "study",
	[GR_STORE_OUTCOME_STOPPED] = "stopped",
};

const char *gr_store_outcome_kind_name(enum gr_store_outcome_kind kind)
{
	return kind < GR_STORE_OUTCOME_KIND_COUNT ? kind_names[kind] : "";
}

int gr_store_outcome_kind_from_name(enum gr_store_outcome_kind *out, const char *name)
{
	for (int kind = 0; name && kind < GR_STORE_OUTCOME_KIND_COUNT; kind++)
		if (strcmp(name, kind_names[kind]) == 0) {
			*out = (enum gr_store_outcome_kind)kind;
			return 0;
		}
	return -1;
}

enum statement { PUT, EACH, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	[PUT] = "INSERT INTO outcomes (user_id, kind, reached_at, note, coach_id, recorded_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind,"
		" reached_at = excluded.reached_at, note = excluded.note,"
		" coach_id = excluded.coach_id, recorded_at = excluded.recorded_at",
	[EACH] = "SELECT coalesce(u.cohort, ''), u.handle, u.display_name, u.created_at,"
		 " o.user_id, o.kind, o.reached_at, o.note, o.coach_id, o.recorded_at"
		 " FROM outcomes o JOIN users u ON u.id = o.user_id"
		 " WHERE (?1 IS NULL OR u.cohort = ?1) AND (?2 IS NULL OR u.cohort IN"
		 "  (SELECT c.name FROM cohorts c WHERE c.centre_id = ?2))"
		 " ORDER BY coalesce(u.cohort, ''), o.kind, o.reached_at - u.created_at, u.handle",
};

const struct store_sql store_outcome_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_OUTCOME, which);
}

int gr_store_outcome_put(struct gr_store *store, const struct gr_store_outcome *outcome)
{
	sqlite3_stmt *stmt = statement(store, PUT);

	sqlite3_bind_int64(stmt, 1, outcome->user_id);
	sqlite3_bind_text(stmt, 2, gr_store_outcome_kind_name(outcome->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, outcome->reached_at);
	sqlite3_bind_text(stmt, 4, outcome->note, -1, SQLITE_STATIC);
	if (outcome->coach_id)
		sqlite3_bind_int64(stmt, 5, outcome->coach_id);
	else
		sqlite3_bind_null(stmt, 5);
	sqlite3_bind_int64(stmt, 6, outcome->recorded_at);
	return store_run(store, stmt, NULL);
}

static int read_row(struct gr_store_outcome_row *row, sqlite3_stmt *stmt)
{
	row->cohort = store_column_or_empty(stmt, 0);
	row->handle = store_column_or_empty(stmt, 1);
	row->display_name = store_column_or_empty(stmt, 2);
	row->joined_at = sqlite3_column_int64(stmt, 3);
	row->outcome.user_id = sqlite3_column_int64(stmt, 4);
	if (gr_store_outcome_kind_from_name(&row->outcome.kind,
					    (const char *)sqlite3_column_text(stmt, 5)) != 0) {
		gr_error_set("database: an outcome of a kind this grounds does not know");
		return GR_EINVALID;
	}
	row->outcome.reached_at = sqlite3_column_int64(stmt, 6);
	store_column_text(row->outcome.note, sizeof(row->outcome.note), stmt, 7);
	row->outcome.coach_id = sqlite3_column_int64(stmt, 8);
	row->outcome.recorded_at = sqlite3_column_int64(stmt, 9);
	return 0;
}

int gr_store_outcome_each(struct gr_store *store, const char *cohort, int64_t centre_id,
			  gr_store_outcome_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, EACH);
	struct gr_store_outcome_row row;
	int rc = 0;

	store_bind_text_or_null(stmt, 1, cohort);
	if (centre_id > 0)
		sqlite3_bind_int64(stmt, 2, centre_id);
	else
		sqlite3_bind_null(stmt, 2);
	while (store_next_row(store, stmt, &rc, "reading outcomes")) {
		if ((rc = read_row(&row, stmt)) != 0 || (rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
