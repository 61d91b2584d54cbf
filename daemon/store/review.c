/*
 * review.c - the review_inputs, review_steps and reviews tables (see
 * review.h).
 *
 * Owns the pairing engine's input log (written in the transaction of each
 * change, replayed at start), the engine's numbers for reviewed steps, and
 * the reviews given with their ratings and flags. Leaves pairing to
 * domain/review.c, what the inputs mean to services/reviews.c, and the
 * leases to assignment.c.
 */
#include "store/review.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum statement {
	INPUT_INSERT,
	INPUT_ALL,
	STEP_INSERT,
	STEP_GET,
	STEP_ALL,
	INSERT,
	GET,
	OF_ASSIGNMENT,
	OF_SUBMISSION,
	RATE,
	FLAG,
	UNRENDERED,
	SET_HTML,
	FLAG_RESOLVE,
	UPHELD,
	DECISION_INSERT,
	DECISIONS,
	STATEMENT_COUNT
};

#define REVIEW_COLUMNS \
	"r.id, r.assignment_id, r.submission_id, r.reviewer_id, r.verdict, r.checks," \
	" r.comment_md, r.created_at, r.helpfulness, r.flag_reason, r.flagged_at, s.user_id," \
	" r.comment_html, r.flag_kind, r.flag_outcome"
#define REVIEW_JOIN " FROM reviews r JOIN submissions s ON s.id = r.submission_id"

static const char *const sql[STATEMENT_COUNT] = {
	[INPUT_INSERT] = "INSERT INTO review_inputs (kind, a, b, c, d, at)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[INPUT_ALL] = "SELECT seq, kind, a, b, c, d, at FROM review_inputs ORDER BY seq",
	[STEP_INSERT] = "INSERT INTO review_steps (track_id, step_id) VALUES (?1, ?2)"
			" ON CONFLICT (track_id, step_id) DO NOTHING",
	[STEP_GET] = "SELECT id FROM review_steps WHERE track_id = ?1 AND step_id = ?2",
	[STEP_ALL] = "SELECT id, track_id, step_id FROM review_steps ORDER BY id",
	[INSERT] = "INSERT INTO reviews (assignment_id, submission_id, reviewer_id, verdict,"
		   " checks, comment_md, created_at, comment_html)"
		   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[GET] = "SELECT " REVIEW_COLUMNS REVIEW_JOIN " WHERE r.id = ?1",
	[OF_ASSIGNMENT] = "SELECT " REVIEW_COLUMNS REVIEW_JOIN " WHERE r.assignment_id = ?1",
	[OF_SUBMISSION] = "SELECT " REVIEW_COLUMNS REVIEW_JOIN
			  " WHERE r.submission_id = ?1 ORDER BY r.id",
	[RATE] = "UPDATE reviews SET helpfulness = ?2 WHERE id = ?1",
	[FLAG] = "UPDATE reviews SET flag_kind = ?4, flag_reason = ?2, flagged_at = ?3"
		 " WHERE id = ?1 AND flagged_at IS NULL",
	[UNRENDERED] = "SELECT id, comment_md FROM reviews WHERE id > ?1 AND comment_html IS NULL"
		       " ORDER BY id LIMIT 1",
	[SET_HTML] = "UPDATE reviews SET comment_html = ?2 WHERE id = ?1",
	[FLAG_RESOLVE] = "UPDATE reviews SET flag_outcome = ?2, flag_resolved_at = ?3"
			 " WHERE id = ?1 AND flagged_at IS NOT NULL AND flag_outcome IS NULL",
	[UPHELD] = "SELECT count(*) FROM reviews WHERE reviewer_id = ?1 AND flag_outcome = 'upheld'",
	[DECISION_INSERT] = "INSERT INTO review_decisions (submission_id, coach_id, action,"
			    " reviewer_id, review_id, note, created_at)"
			    " VALUES (?1, nullif(?2, 0), ?3, nullif(?4, 0), nullif(?5, 0), ?6, ?7)",
	[DECISIONS] = "SELECT d.id, d.submission_id, coalesce(d.coach_id, 0), d.action,"
		      " coalesce(d.reviewer_id, 0), coalesce(d.review_id, 0), d.note, d.created_at,"
		      " coalesce(c.handle, ''), a.handle, s.track_id, s.step_id"
		      " FROM review_decisions d JOIN submissions s ON s.id = d.submission_id"
		      " JOIN users a ON a.id = s.user_id LEFT JOIN users c ON c.id = d.coach_id"
		      " WHERE coalesce(a.cohort, '') = ?1 AND s.track_id = ?2 AND d.created_at >= ?3"
		      " ORDER BY d.id",
};

const struct store_sql store_review_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_REVIEW, which);
}

/* ---- the engine's input log and step ids -------------------------------- */

int gr_store_review_input_insert(struct gr_store *store, const struct gr_store_review_input *input)
{
	sqlite3_stmt *stmt = statement(store, INPUT_INSERT);

	sqlite3_bind_text(stmt, 1, input->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, input->a);
	sqlite3_bind_int64(stmt, 3, input->b);
	sqlite3_bind_int64(stmt, 4, input->c);
	sqlite3_bind_int64(stmt, 5, input->d);
	sqlite3_bind_int64(stmt, 6, input->at);
	return store_run(store, stmt, NULL);
}

int gr_store_review_input_each(struct gr_store *store, gr_store_review_input_fn *fn,
			       void *payload)
{
	sqlite3_stmt *stmt = statement(store, INPUT_ALL);
	struct gr_store_review_input input;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "reading review inputs")) {
		memset(&input, 0, sizeof(input));
		input.seq = sqlite3_column_int64(stmt, 0);
		store_column_text(input.kind, sizeof(input.kind), stmt, 1);
		input.a = sqlite3_column_int64(stmt, 2);
		input.b = sqlite3_column_int64(stmt, 3);
		input.c = sqlite3_column_int64(stmt, 4);
		input.d = sqlite3_column_int64(stmt, 5);
		input.at = sqlite3_column_int64(stmt, 6);
		if ((rc = fn(&input, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_review_step_id(struct gr_store *store, int64_t *out, const char *track_id,
			    const char *step_id)
{
	sqlite3_stmt *stmt = statement(store, STEP_INSERT);
	int rc;

	*out = 0;
	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	stmt = statement(store, STEP_GET);
	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "numbering a reviewed step");
}

int gr_store_review_step_each(struct gr_store *store, gr_store_review_step_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, STEP_ALL);
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "reading reviewed steps"))
		if ((rc = fn(sqlite3_column_int64(stmt, 0), store_column_or_empty(stmt, 1),
			     store_column_or_empty(stmt, 2), payload)) != 0)
			return store_stop(stmt, rc);
	return rc;
}

/* ---- reviews ------------------------------------------------------------ */

int gr_store_review_insert(struct gr_store *store, struct gr_store_review *review)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, review->assignment_id);
	sqlite3_bind_int64(stmt, 2, review->submission_id);
	sqlite3_bind_int64(stmt, 3, review->reviewer_id);
	sqlite3_bind_text(stmt, 4, review->verdict, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, review->checks, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, review->comment_md ? review->comment_md : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, review->created_at);
	store_bind_text_or_null(stmt, 8, review->comment_html);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	review->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

static void read_review(struct gr_store_review *row, sqlite3_stmt *stmt)
{
	row->id = sqlite3_column_int64(stmt, 0);
	row->assignment_id = sqlite3_column_int64(stmt, 1);
	row->submission_id = sqlite3_column_int64(stmt, 2);
	row->reviewer_id = sqlite3_column_int64(stmt, 3);
	row->verdict = store_column_or_empty(stmt, 4);
	row->checks = store_column_or_empty(stmt, 5);
	row->comment_md = store_column_or_empty(stmt, 6);
	row->created_at = sqlite3_column_int64(stmt, 7);
	row->helpfulness = sqlite3_column_int(stmt, 8);
	row->flag_reason =
	    sqlite3_column_type(stmt, 9) == SQLITE_NULL ? NULL : store_column_or_empty(stmt, 9);
	row->flagged_at = sqlite3_column_int64(stmt, 10);
	row->author_id = sqlite3_column_int64(stmt, 11);
	row->comment_html =
	    sqlite3_column_type(stmt, 12) == SQLITE_NULL ? NULL : store_column_or_empty(stmt, 12);
	row->flag_kind = store_column_or_empty(stmt, 13);
	row->flag_outcome = store_column_or_empty(stmt, 14);
}

/* Every row of stmt (REVIEW_COLUMNS) to fn, until fn returns non-zero. */
static int each_review(struct gr_store *store, sqlite3_stmt *stmt, gr_store_review_fn *fn,
		       void *payload)
{
	struct gr_store_review row;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "reading reviews")) {
		read_review(&row, stmt);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

/* The one row of stmt to fn: what fn returned, or GR_ENOTFOUND when there is none. */
static int one_review(struct gr_store *store, sqlite3_stmt *stmt, gr_store_review_fn *fn,
		      void *payload)
{
	struct gr_store_review row;
	int rc = 0;

	if (!store_next_row(store, stmt, &rc, "reading a review")) {
		if (rc == 0) {
			gr_error_set("no such review");
			rc = GR_ENOTFOUND;
		}
		return rc;
	}
	read_review(&row, stmt);
	rc = fn(&row, payload);
	sqlite3_reset(stmt);
	return rc;
}

int gr_store_review_get(struct gr_store *store, int64_t id, gr_store_review_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, GET);

	sqlite3_bind_int64(stmt, 1, id);
	return one_review(store, stmt, fn, payload);
}

int gr_store_review_of_assignment(struct gr_store *store, int64_t assignment_id,
				  gr_store_review_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_ASSIGNMENT);

	sqlite3_bind_int64(stmt, 1, assignment_id);
	return one_review(store, stmt, fn, payload);
}

int gr_store_review_each_of_submission(struct gr_store *store, int64_t submission_id,
				       gr_store_review_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_SUBMISSION);

	sqlite3_bind_int64(stmt, 1, submission_id);
	return each_review(store, stmt, fn, payload);
}

int gr_store_review_rate(struct gr_store *store, int64_t id, int helpfulness)
{
	sqlite3_stmt *stmt = statement(store, RATE);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, helpfulness);
	return store_run(store, stmt, NULL);
}

int gr_store_review_flag(struct gr_store *store, int64_t id, const char *kind, const char *reason,
			 int64_t now)
{
	sqlite3_stmt *stmt = statement(store, FLAG);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	sqlite3_bind_text(stmt, 4, kind, -1, SQLITE_STATIC);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("You flagged this review already; a coach will look at it.");
		return GR_ECONFLICT;
	}
	return 0;
}

int gr_store_review_unrendered(struct gr_store *store, int64_t after, int64_t *out_id,
			       char **out_md)
{
	return store_next_unrendered(store, statement(store, UNRENDERED), after, out_id, out_md,
				     "review comment");
}

int gr_store_review_flag_resolve(struct gr_store *store, int64_t id, const char *outcome,
				 int64_t now)
{
	sqlite3_stmt *stmt = statement(store, FLAG_RESOLVE);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("This review is not flagged, or a coach resolved its flag already.");
		return GR_ECONFLICT;
	}
	return 0;
}

int gr_store_review_set_html(struct gr_store *store, int64_t id, const char *html)
{
	sqlite3_stmt *stmt = statement(store, SET_HTML);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, html, -1, SQLITE_STATIC);
	return store_run(store, stmt, NULL);
}

int gr_store_review_upheld_count(struct gr_store *store, int *out, int64_t reviewer_id)
{
	sqlite3_stmt *stmt = statement(store, UPHELD);
	int rc = 0;

	*out = 0;
	sqlite3_bind_int64(stmt, 1, reviewer_id);
	if (store_next_row(store, stmt, &rc, "counting upheld flags")) {
		*out = sqlite3_column_int(stmt, 0);
		sqlite3_reset(stmt);
	}
	return rc;
}

int gr_store_review_decision_insert(struct gr_store *store,
				    struct gr_store_review_decision *decision)
{
	sqlite3_stmt *stmt = statement(store, DECISION_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, decision->submission_id);
	sqlite3_bind_int64(stmt, 2, decision->coach_id);
	sqlite3_bind_text(stmt, 3, decision->action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, decision->reviewer_id);
	sqlite3_bind_int64(stmt, 5, decision->review_id);
	sqlite3_bind_text(stmt, 6, decision->note ? decision->note : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, decision->created_at);
	if ((rc = store_run(store, stmt, NULL)) == 0)
		decision->id = sqlite3_last_insert_rowid(store->db);
	return rc;
}

int gr_store_review_decision_each(struct gr_store *store, const char *cohort, const char *track_id,
				  int64_t since, gr_store_review_decision_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, DECISIONS);
	struct gr_store_review_decision row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, since);
	while (store_next_row(store, stmt, &rc, "reading coaches' decisions")) {
		row = (struct gr_store_review_decision){
		    .id = sqlite3_column_int64(stmt, 0),
		    .submission_id = sqlite3_column_int64(stmt, 1),
		    .coach_id = sqlite3_column_int64(stmt, 2),
		    .action = store_column_or_empty(stmt, 3),
		    .reviewer_id = sqlite3_column_int64(stmt, 4),
		    .review_id = sqlite3_column_int64(stmt, 5),
		    .note = store_column_or_empty(stmt, 6),
		    .created_at = sqlite3_column_int64(stmt, 7),
		    .coach = store_column_or_empty(stmt, 8),
		    .author = store_column_or_empty(stmt, 9),
		    .track_id = store_column_or_empty(stmt, 10),
		    .step_id = store_column_or_empty(stmt, 11),
		};
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
