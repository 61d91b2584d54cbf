/*
 * store.c - the SQLite connection (see store.h; the store's place among the
 * layers: "Layout" in docs/development.md).
 *
 * Owns opening and closing the database, nested transactions, the meta
 * settings, and the statement cache: every file's statements (internal.h)
 * are prepared once at open and borrowed, reset, for each use. Also the
 * helpers all the store's files step and read statements with. Leaves the
 * schema and its migrations to schema.c and each domain's SQL to its own
 * file (user.c, help.c, ...).
 */
#include "store/store.h"

#include "core/error.h"
#include "store/internal.h"
#include "store/schema.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum statement { BEGIN, COMMIT, ROLLBACK, META_GET, META_SET, DATA_VERSION, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	[BEGIN] = "BEGIN IMMEDIATE",
	[COMMIT] = "COMMIT",
	[ROLLBACK] = "ROLLBACK",
	[META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
		     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[DATA_VERSION] = "PRAGMA data_version",
};

static const struct store_sql own_sql = { sql, STATEMENT_COUNT };

static const struct store_sql *const files[STORE_FILE_COUNT] = {
	[STORE_FILE_STORE] = &own_sql,
	[STORE_FILE_USER] = &store_user_sql,
	[STORE_FILE_INVITE] = &store_invite_sql,
	[STORE_FILE_SESSION] = &store_session_sql,
	[STORE_FILE_TRACK] = &store_track_sql,
	[STORE_FILE_PROGRESS] = &store_progress_sql,
	[STORE_FILE_SUBMISSION] = &store_submission_sql,
	[STORE_FILE_EVENT] = &store_event_sql,
	[STORE_FILE_REVIEW] = &store_review_sql,
	[STORE_FILE_ASSIGNMENT] = &store_assignment_sql,
	[STORE_FILE_COHORT] = &store_cohort_sql,
	[STORE_FILE_NUDGE] = &store_nudge_sql,
	[STORE_FILE_HELP] = &store_help_sql,
	[STORE_FILE_SNAPSHOT] = &store_snapshot_sql,
	[STORE_FILE_NOTIFICATION] = &store_notification_sql,
	[STORE_FILE_RESET] = &store_reset_sql,
	[STORE_FILE_REFLECTION] = &store_reflection_sql,
	[STORE_FILE_PORTFOLIO] = &store_portfolio_sql,
	[STORE_FILE_OUTCOME] = &store_outcome_sql,
	[STORE_FILE_CENTRE] = &store_centre_sql,
	[STORE_FILE_APPLICATION] = &store_application_sql,
	[STORE_FILE_PROJECT] = &store_project_sql,
};

/* ---- the statement cache and the helpers of every store file ------------- */

int store_fail(struct gr_store *store, const char *doing)
{
	int code = sqlite3_extended_errcode(store->db);

	gr_error_set("database: %s: %s", doing, sqlite3_errmsg(store->db));
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return GR_EBUSY;
	return GR_ERROR;
}

int store_exec(struct gr_store *store, const char *text)
{
	char *message = NULL;
	int rc = sqlite3_exec(store->db, text, NULL, NULL, &message);

	if (rc != SQLITE_OK) {
		gr_error_set("database: %s", message ? message : sqlite3_errmsg(store->db));
		sqlite3_free(message);
		return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? GR_EBUSY
										 : GR_ERROR;
	}
	return 0;
}

sqlite3_stmt *store_statement(struct gr_store *store, enum store_file file, int which)
{
	sqlite3_stmt *stmt;

	assert(file >= 0 && file < STORE_FILE_COUNT && store->statements[file]);
	assert(which >= 0 && which < files[file]->count);
	stmt = store->statements[file][which];
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return stmt;
}

int store_run(struct gr_store *store, sqlite3_stmt *stmt, int *out_changes)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return store_fail(store, sqlite3_sql(stmt));
	if (out_changes)
		*out_changes = sqlite3_changes(store->db);
	return 0;
}

int store_one_row(struct gr_store *store, sqlite3_stmt *stmt, store_read_fn *read, void *out,
		  const char *missing)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW) {
		rc = read(out, stmt);
		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		gr_error_set("%s", missing);
		return GR_ENOTFOUND;
	}
	return store_fail(store, sqlite3_sql(stmt));
}

int store_next_row(struct gr_store *store, sqlite3_stmt *stmt, int *rc, const char *doing)
{
	int step = sqlite3_step(stmt);

	if (step == SQLITE_ROW)
		return 1;
	sqlite3_reset(stmt);
	*rc = step == SQLITE_DONE ? 0 : store_fail(store, doing);
	return 0;
}

int store_stop(sqlite3_stmt *stmt, int rc)
{
	sqlite3_reset(stmt);
	return rc < 0 ? rc : 0;
}

int store_each_id(struct gr_store *store, sqlite3_stmt *stmt, const char *doing,
		  gr_store_id_fn *fn, void *payload)
{
	int rc = 0;

	while (store_next_row(store, stmt, &rc, doing))
		if ((rc = fn(sqlite3_column_int64(stmt, 0), payload)) != 0)
			return store_stop(stmt, rc);
	return rc;
}

void store_bind_text_or_null(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, index);
}

void store_bind_time_or_null(sqlite3_stmt *stmt, int index, int64_t time)
{
	if (time)
		sqlite3_bind_int64(stmt, index, time);
	else
		sqlite3_bind_null(stmt, index);
}

void store_column_text(char *out, size_t out_size, sqlite3_stmt *stmt, int column)
{
	snprintf(out, out_size, "%s", store_column_or_empty(stmt, column));
}

const char *store_column_or_empty(sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	return text ? (const char *)text : "";
}

int store_next_unrendered(struct gr_store *store, sqlite3_stmt *stmt, int64_t after,
			  int64_t *out_id, char **out_md, const char *what)
{
	int rc;

	*out_md = NULL;
	sqlite3_bind_int64(stmt, 1, after);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(stmt, 0);
		*out_md = strdup(store_column_or_empty(stmt, 1));
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		gr_error_set("every %s is rendered", what);
		return GR_ENOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return store_fail(store, "reading a stored text to render");
	if (!*out_md) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return 0;
}

/* Prepares every file's statements; they refer to the latest schema. */
static int prepare_all(struct gr_store *store)
{
	for (int file = 0; file < STORE_FILE_COUNT; file++) {
		const struct store_sql *table = files[file];

		store->statements[file] = calloc((size_t)table->count, sizeof(sqlite3_stmt *));
		if (!store->statements[file]) {
			gr_error_set("out of memory");
			return GR_ERROR;
		}
		for (int i = 0; i < table->count; i++) {
			assert(table->text[i]);
			sqlite3_stmt **stmt = &store->statements[file][i];

			if (sqlite3_prepare_v3(store->db, table->text[i], -1,
					       SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
				return store_fail(store, table->text[i]);
		}
	}
	return 0;
}

/* ---- opening and closing ------------------------------------------------ */

int gr_store_open_with(struct gr_store **out, const char *path, const char *const *list,
		       int count)
{
	struct gr_store *store = calloc(1, sizeof(*store));
	int rc = GR_ERROR;

	*out = NULL;
	if (!store) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	if (sqlite3_open_v2(path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		gr_error_set("cannot open database %s: %s", path,
			     store->db ? sqlite3_errmsg(store->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, 5000);
	/*
	 * WAL with synchronous = FULL: the log is synced at every commit, so a
	 * commit acknowledged survives a power cut as well as a crash. The
	 * loop's turn groups every change of a turn into one commit, so that
	 * is one fsync per turn, not per request. gr_store_set_durability()
	 * trades it for NORMAL.
	 */
	if ((rc = store_exec(store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
				    " PRAGMA foreign_keys = ON;")) != 0 ||
	    (rc = store_migrate(store, path, list, count)) != 0)
		goto out;
	/* The statements refer to the latest schema; a test's own list may lack it. */
	if (list == store_migrations && (rc = prepare_all(store)) != 0)
		goto out;
	*out = store;
	return 0;
out:
	gr_store_close(store);
	return rc;
}

int gr_store_open(struct gr_store **out, const char *path)
{
	return gr_store_open_with(out, path, store_migrations, gr_store_schema_latest());
}

const char *gr_store_path(struct gr_store *store)
{
	const char *path = sqlite3_db_filename(store->db, "main");

	return path && path[0] ? path : NULL;
}

void gr_store_close(struct gr_store *store)
{
	if (!store)
		return;
	for (int file = 0; file < STORE_FILE_COUNT; file++) {
		for (int i = 0; store->statements[file] && i < files[file]->count; i++)
			sqlite3_finalize(store->statements[file][i]);
		free(store->statements[file]);
	}
	if (store->db)
		sqlite3_wal_hook(store->db, NULL, NULL);
	store_checkpoint_close(store->checkpoint);
	sqlite3_close(store->db);
	free(store);
}

int gr_store_set_durability(struct gr_store *store, enum gr_store_durability durability)
{
	return store_exec(store, durability == GR_STORE_FAST ? "PRAGMA synchronous = NORMAL"
							     : "PRAGMA synchronous = FULL");
}

int gr_store_durability_synchronous(struct gr_store *store)
{
	sqlite3_stmt *stmt = NULL;
	int value = -1;

	if (sqlite3_prepare_v2(store->db, "PRAGMA synchronous", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/* ---- transactions ------------------------------------------------------- */

/*
 * Transactions nest: the outermost is BEGIN IMMEDIATE ... COMMIT, inner ones
 * are savepoints, so a function that makes its own transaction can run inside
 * a group commit and still roll back only its own part.
 */
static int savepoint(struct gr_store *store, const char *verb, int depth)
{
	char text[48];

	snprintf(text, sizeof(text), "%s s%d", verb, depth);
	return store_exec(store, text);
}

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_STORE, which);
}

int gr_store_begin(struct gr_store *store)
{
	int rc = store->depth == 0 ? store_run(store, statement(store, BEGIN), NULL)
				   : savepoint(store, "SAVEPOINT", store->depth + 1);

	if (rc == 0)
		store->depth++;
	return rc;
}

int gr_store_commit(struct gr_store *store)
{
	int rc;

	assert(store->depth > 0);
	rc = store->depth == 1 ? store_run(store, statement(store, COMMIT), NULL)
			       : savepoint(store, "RELEASE", store->depth);
	if (rc == 0)
		store->depth--;
	return rc;
}

void gr_store_rollback(struct gr_store *store)
{
	if (store->depth > 1) {
		savepoint(store, "ROLLBACK TO", store->depth);
		savepoint(store, "RELEASE", store->depth);
	} else if (!sqlite3_get_autocommit(store->db)) {
		store_run(store, statement(store, ROLLBACK), NULL);
	}
	if (store->depth > 0)
		store->depth--;
}

int gr_store_in_transaction(struct gr_store *store)
{
	return store->depth > 0;
}

/* ---- meta settings ------------------------------------------------------ */

int gr_store_meta_get(struct gr_store *store, char *out, size_t out_size, const char *key)
{
	sqlite3_stmt *stmt = statement(store, META_GET);
	int rc;

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_column_text(out, out_size, stmt, 0);
		sqlite3_reset(stmt);
		return 0;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		gr_error_set("no setting '%s'", key);
		return GR_ENOTFOUND;
	}
	return store_fail(store, "reading a setting");
}

int gr_store_meta_set(struct gr_store *store, const char *key, const char *value)
{
	sqlite3_stmt *stmt = statement(store, META_SET);

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
	return store_run(store, stmt, NULL);
}

int gr_store_data_version(struct gr_store *store, int64_t *out)
{
	sqlite3_stmt *stmt = statement(store, DATA_VERSION);
	int rc = sqlite3_step(stmt);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "reading the data version");
}
