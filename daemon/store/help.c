/*
 * help.c - the help_requests, help_offers and help_messages tables (see
 * help.h).
 *
 * Owns storing help requests and their changes, the stored names of their
 * states (converted to and from enum gr_help_state here and nowhere else),
 * which peers were told of a request, who could be told (the candidates,
 * with how busy they are), and the messages in a request. Leaves a
 * request's life (which move, by whom, when it widens or expires, and to
 * whom) to domain/help.c, and making the moves to services/helpdesk.c.
 */
#include "store/help.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

enum statement {
	INSERT,
	GET,
	UPDATE,
	LIVE_OF_USER,
	OPEN_ALL,
	OF_COHORT,
	OFFERED_TO,
	OFFER_INSERT,
	OFFER_EXISTS,
	OFFERS_OF,
	CANDIDATES,
	MESSAGE_INSERT,
	MESSAGES_OF,
	STATEMENT_COUNT
};

#define HELP_COLUMNS \
	"h.id, h.user_id, h.track_id, h.step_id, h.body, h.state, coalesce(h.helper_id, 0)," \
	" h.opened_at, h.last_wave_at, coalesce(h.accepted_at, 0), coalesce(h.closed_at, 0)"

/* The states in SQL are the names gr_help_state_name() gives. */
static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO help_requests (user_id, track_id, step_id, body, state,"
		   " opened_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
	[GET] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE h.id = ?1",
	[UPDATE] = "UPDATE help_requests SET state = ?2, helper_id = ?3, last_wave_at = ?4,"
		   " accepted_at = ?5, closed_at = ?6 WHERE id = ?1",
	[LIVE_OF_USER] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE h.user_id = ?1"
			 " AND h.state IN ('open', 'accepted') ORDER BY h.id",
	[OPEN_ALL] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE h.state = 'open'"
		     " ORDER BY h.id",
	[OF_COHORT] = "SELECT " HELP_COLUMNS " FROM help_requests h JOIN users u"
		      " ON u.id = h.user_id WHERE h.state IN ('open', 'accepted')"
		      " AND h.track_id = ?2 AND coalesce(u.cohort, '') = ?1 ORDER BY h.id",
	[OFFERED_TO] = "SELECT " HELP_COLUMNS " FROM help_requests h WHERE"
		       " (h.state = 'open' AND h.id IN (SELECT request_id FROM help_offers"
		       " WHERE user_id = ?1)) OR (h.state = 'accepted' AND h.helper_id = ?1)"
		       " ORDER BY h.id",
	[OFFER_INSERT] = "INSERT OR IGNORE INTO help_offers (request_id, user_id, offered_at)"
			 " VALUES (?1, ?2, ?3)",
	[OFFER_EXISTS] = "SELECT 1 FROM help_offers WHERE request_id = ?1 AND user_id = ?2",
	[OFFERS_OF] = "SELECT user_id FROM help_offers WHERE request_id = ?1 ORDER BY user_id",
	[CANDIDATES] = "SELECT u.id,"
		       " (SELECT count(*) FROM help_offers o JOIN help_requests h"
		       "   ON h.id = o.request_id WHERE o.user_id = u.id AND h.state = 'open'),"
		       " (SELECT count(*) FROM help_requests h WHERE h.helper_id = u.id)"
		       " FROM progress p JOIN users u ON u.id = p.user_id"
		       " WHERE p.track_id = ?1 AND p.step_id = ?2 AND p.state IN ('done', 'passed')"
		       " AND u.id != ?3 AND u.disabled_at IS NULL ORDER BY u.id",
	[MESSAGE_INSERT] = "INSERT INTO help_messages (request_id, user_id, body, created_at)"
			   " VALUES (?1, ?2, ?3, ?4)",
	[MESSAGES_OF] = "SELECT id, request_id, user_id, body, created_at FROM help_messages"
			" WHERE request_id = ?1 ORDER BY id",
};

const struct store_sql store_help_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_HELP, which);
}

/* ---- requests ----------------------------------------------------------- */

static int read_help(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_help *row = out;

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(stmt, 0);
	row->user_id = sqlite3_column_int64(stmt, 1);
	store_column_text(row->track_id, sizeof(row->track_id), stmt, 2);
	store_column_text(row->step_id, sizeof(row->step_id), stmt, 3);
	store_column_text(row->body, sizeof(row->body), stmt, 4);
	row->helper_id = sqlite3_column_int64(stmt, 6);
	row->opened_at = sqlite3_column_int64(stmt, 7);
	row->last_wave_at = sqlite3_column_int64(stmt, 8);
	row->accepted_at = sqlite3_column_int64(stmt, 9);
	row->closed_at = sqlite3_column_int64(stmt, 10);
	return gr_help_state_from_name(&row->state, store_column_or_empty(stmt, 5));
}

/* Every request stmt selects (HELP_COLUMNS) to fn, until fn returns non-zero. */
static int each_help(struct gr_store *store, sqlite3_stmt *stmt, const char *doing,
		     gr_store_help_fn *fn, void *payload)
{
	struct gr_store_help row;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, doing)) {
		if ((rc = read_help(&row, stmt)) != 0 || (rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_help_insert(struct gr_store *store, struct gr_store_help *help)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, help->user_id);
	sqlite3_bind_text(stmt, 2, help->track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, help->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, help->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, help->opened_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	help->id = sqlite3_last_insert_rowid(store->db);
	help->state = GR_HELP_STATE_OPEN;
	return 0;
}

int gr_store_help_get(struct gr_store *store, struct gr_store_help *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, GET);

	sqlite3_bind_int64(stmt, 1, id);
	return store_one_row(store, stmt, read_help, out, "There is no such help request.");
}

int gr_store_help_update(struct gr_store *store, const struct gr_store_help *help)
{
	sqlite3_stmt *stmt = statement(store, UPDATE);

	sqlite3_bind_int64(stmt, 1, help->id);
	sqlite3_bind_text(stmt, 2, gr_help_state_name(help->state), -1, SQLITE_STATIC);
	if (help->helper_id > 0)
		sqlite3_bind_int64(stmt, 3, help->helper_id);
	sqlite3_bind_int64(stmt, 4, help->last_wave_at);
	store_bind_time_or_null(stmt, 5, help->accepted_at);
	store_bind_time_or_null(stmt, 6, help->closed_at);
	return store_run(store, stmt, NULL);
}

int gr_store_help_live_of_user(struct gr_store *store, int64_t user_id, gr_store_help_fn *fn,
			       void *payload)
{
	sqlite3_stmt *stmt = statement(store, LIVE_OF_USER);

	sqlite3_bind_int64(stmt, 1, user_id);
	return each_help(store, stmt, "reading help requests", fn, payload);
}

int gr_store_help_each_open(struct gr_store *store, gr_store_help_fn *fn, void *payload)
{
	return each_help(store, statement(store, OPEN_ALL), "reading help requests", fn, payload);
}

int gr_store_help_of_cohort(struct gr_store *store, const char *cohort, const char *track_id,
			    gr_store_help_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, OF_COHORT);

	sqlite3_bind_text(stmt, 1, cohort, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, track_id, -1, SQLITE_STATIC);
	return each_help(store, stmt, "reading a cohort's help requests", fn, payload);
}

int gr_store_help_offered_to(struct gr_store *store, int64_t user_id, gr_store_help_fn *fn,
			     void *payload)
{
	sqlite3_stmt *stmt = statement(store, OFFERED_TO);

	sqlite3_bind_int64(stmt, 1, user_id);
	return each_help(store, stmt, "reading help requests", fn, payload);
}

/* ---- offers and candidates ---------------------------------------------- */

int gr_store_help_offer_insert(struct gr_store *store, int64_t request_id, int64_t user_id,
			       int64_t now)
{
	sqlite3_stmt *stmt = statement(store, OFFER_INSERT);

	sqlite3_bind_int64(stmt, 1, request_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, now);
	return store_run(store, stmt, NULL);
}

int gr_store_help_offered(struct gr_store *store, int *out, int64_t request_id, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, OFFER_EXISTS);
	int rc;

	sqlite3_bind_int64(stmt, 1, request_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	*out = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(store, "reading help offers");
}

int gr_store_help_offer_each(struct gr_store *store, int64_t request_id, gr_store_id_fn *fn,
			     void *payload)
{
	sqlite3_stmt *stmt = statement(store, OFFERS_OF);

	sqlite3_bind_int64(stmt, 1, request_id);
	return store_each_id(store, stmt, "reading help offers", fn, payload);
}

int gr_store_help_candidates(struct gr_store *store, const char *track_id, const char *step_id,
			     int64_t author_id, gr_store_help_candidate_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, CANDIDATES);
	struct gr_store_help_candidate row;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, step_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, author_id);
	while (store_next_row(store, stmt, &rc, "reading who could help")) {
		row.user_id = sqlite3_column_int64(stmt, 0);
		row.open_offers = sqlite3_column_int(stmt, 1);
		row.helped = sqlite3_column_int(stmt, 2);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

/* ---- messages ----------------------------------------------------------- */

int gr_store_help_message_insert(struct gr_store *store, struct gr_store_help_message *message)
{
	sqlite3_stmt *stmt = statement(store, MESSAGE_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, message->request_id);
	sqlite3_bind_int64(stmt, 2, message->user_id);
	sqlite3_bind_text(stmt, 3, message->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, message->created_at);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	message->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_help_message_each(struct gr_store *store, int64_t request_id,
			       gr_store_help_message_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, MESSAGES_OF);
	struct gr_store_help_message row;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, request_id);
	while (store_next_row(store, stmt, &rc, "reading help messages")) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.request_id = sqlite3_column_int64(stmt, 1);
		row.user_id = sqlite3_column_int64(stmt, 2);
		store_column_text(row.body, sizeof(row.body), stmt, 3);
		row.created_at = sqlite3_column_int64(stmt, 4);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
