/*
 * assignment.c - the review_assignments table (see assignment.h).
 *
 * Owns storing each lease the pairing engine makes, how it ended, and
 * reading leases back with what they need of their submission; the stored
 * names of their states are converted to and from enum
 * gr_review_assignment_state here and nowhere else. Leaves the life cycle
 * of a lease (diagram and invariants) to domain/review.c and the reviews
 * given under one to review.c.
 */
#include "store/assignment.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

enum statement { INSERT, END, DUE, GET, OF_REVIEWER, STATEMENT_COUNT };

#define ASSIGNMENT_COLUMNS \
	"a.id, a.submission_id, a.reviewer_id, a.state, a.due_at, a.created_at, a.ended_at," \
	" s.user_id, s.track_id, s.step_id, s.attempt"
#define ASSIGNMENT_JOIN " FROM review_assignments a JOIN submissions s ON s.id = a.submission_id"

static const char *const sql[STATEMENT_COUNT] = {
    [INSERT] = "INSERT INTO review_assignments (id, submission_id, reviewer_id,"
	       " state, due_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [END] = "UPDATE review_assignments SET state = ?2, ended_at = ?3 WHERE id = ?1",
    [DUE] = "UPDATE review_assignments SET due_at = ?2 WHERE id = ?1",
    [GET] = "SELECT " ASSIGNMENT_COLUMNS ASSIGNMENT_JOIN " WHERE a.id = ?1",
    [OF_REVIEWER] = "SELECT " ASSIGNMENT_COLUMNS ASSIGNMENT_JOIN
		    " WHERE a.reviewer_id = ?1 ORDER BY a.id DESC LIMIT ?2",
};

const struct store_sql store_assignment_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_ASSIGNMENT, which);
}

int gr_store_assignment_insert(struct gr_store *store, const struct gr_store_assignment *row)
{
	sqlite3_stmt *stmt = statement(store, INSERT);

	sqlite3_bind_int64(stmt, 1, row->id);
	sqlite3_bind_int64(stmt, 2, row->submission_id);
	sqlite3_bind_int64(stmt, 3, row->reviewer_id);
	sqlite3_bind_text(stmt, 4, gr_review_assignment_state_name(row->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, row->due_at);
	sqlite3_bind_int64(stmt, 6, row->created_at);
	return store_run(store, stmt, NULL);
}

int gr_store_assignment_end(struct gr_store *store, int64_t id,
			    enum gr_review_assignment_state state, int64_t ended_at)
{
	sqlite3_stmt *stmt = statement(store, END);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, gr_review_assignment_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, ended_at);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("no assignment %lld", (long long)id);
		return GR_ENOTFOUND;
	}
	return 0;
}

static int read_assignment(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_assignment *row = out;

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(stmt, 0);
	row->submission_id = sqlite3_column_int64(stmt, 1);
	row->reviewer_id = sqlite3_column_int64(stmt, 2);
	row->due_at = sqlite3_column_int64(stmt, 4);
	row->created_at = sqlite3_column_int64(stmt, 5);
	row->ended_at = sqlite3_column_int64(stmt, 6);
	row->author_id = sqlite3_column_int64(stmt, 7);
	store_column_text(row->track_id, sizeof(row->track_id), stmt, 8);
	store_column_text(row->step_id, sizeof(row->step_id), stmt, 9);
	row->attempt = sqlite3_column_int(stmt, 10);
	return gr_review_assignment_state_from_name(&row->state, store_column_or_empty(stmt, 3));
}

int gr_store_assignment_get(struct gr_store *store, struct gr_store_assignment *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, GET);

	sqlite3_bind_int64(stmt, 1, id);
	return store_one_row(store, stmt, read_assignment, out, "no such assignment");
}

int gr_store_assignment_each_of_reviewer(struct gr_store *store, int64_t reviewer_id, int limit,
					 gr_store_assignment_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_REVIEWER);
	struct gr_store_assignment row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, reviewer_id);
	sqlite3_bind_int(stmt, 2, limit);
	while (store_next_row(store, stmt, &rc, "reading assignments")) {
		if ((rc = read_assignment(&row, stmt)) != 0 || (rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_assignment_due(struct gr_store *store, int64_t id, int64_t due_at)
{
	sqlite3_stmt *stmt = statement(store, DUE);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, due_at);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("no review assignment %lld", (long long)id);
		return GR_ENOTFOUND;
	}
	return 0;
}
