/*
 * internal.h - what the store's own files share, and nothing outside
 * daemon/store/ may include (tools/check-layers refuses it): the SQLite
 * handle, each file's table of statements, and the helpers that bind, step
 * and read them. Names here start with store_, not gr_: they are not the
 * store's interface.
 *
 * Each domain file (user.c, help.c, ...) numbers its statements with its own
 * enum, lists their SQL in a struct store_sql and borrows them prepared with
 * store_statement(). store.c prepares every file's statements at open, so a
 * statement that does not fit the schema fails there and not on first use.
 */
#ifndef GR_STORE_INTERNAL_H
#define GR_STORE_INTERNAL_H

#include "core/account.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* The files that own statements; store.c lists their tables in this order. */
enum store_file {
	STORE_FILE_STORE,
	STORE_FILE_USER,
	STORE_FILE_INVITE,
	STORE_FILE_SESSION,
	STORE_FILE_TRACK,
	STORE_FILE_PROGRESS,
	STORE_FILE_SUBMISSION,
	STORE_FILE_EVENT,
	STORE_FILE_REVIEW,
	STORE_FILE_ASSIGNMENT,
	STORE_FILE_COHORT,
	STORE_FILE_NUDGE,
	STORE_FILE_HELP,
	STORE_FILE_SNAPSHOT,
	STORE_FILE_NOTIFICATION,
	STORE_FILE_RESET,
	STORE_FILE_REFLECTION,
	STORE_FILE_PORTFOLIO,
	STORE_FILE_OUTCOME,
	STORE_FILE_CENTRE,
	STORE_FILE_APPLICATION,
	STORE_FILE_PROJECT,
	STORE_FILE_COUNT
};

/* One file's statements: SQL indexed by the file's own enum. */
struct store_sql {
	const char *const *text;
	int count;
};

/* Each domain file's table (store.c keeps its own). */
extern const struct store_sql store_user_sql, store_invite_sql, store_session_sql, store_track_sql,
	store_progress_sql, store_submission_sql, store_event_sql, store_review_sql,
	store_assignment_sql, store_cohort_sql, store_nudge_sql, store_help_sql,
	store_snapshot_sql, store_notification_sql, store_reset_sql, store_centre_sql,
	store_application_sql;
extern const struct store_sql store_reflection_sql, store_portfolio_sql, store_outcome_sql;
extern const struct store_sql store_project_sql;

struct store_checkpoint;

struct gr_store {
	sqlite3 *db;
	sqlite3_stmt **statements[STORE_FILE_COUNT]; /* each file's, prepared at open */
	int depth; /* open transactions: 1 = BEGIN, more = savepoints inside it */
	struct store_checkpoint *checkpoint; /* NULL: SQLite checkpoints in the commit */
};

/* ---- checkpoint.c: checkpoints on the worker pool ---------------------- */

/* At the store's close: freed now, or by its running job's end. Accepts NULL. */
void store_checkpoint_close(struct store_checkpoint *checkpoint);
void store_checkpoint_free(struct store_checkpoint *checkpoint);

/* ---- store.c: statements and the failures of SQLite ---------------------- */

/*
 * Sets the message "database: doing: what SQLite said" and returns
 * GR_EBUSY when the database stayed locked, else GR_ERROR.
 */
int store_fail(struct gr_store *store, const char *doing);

/* Runs SQL that returns no rows (a migration, a pragma, a savepoint). */
int store_exec(struct gr_store *store, const char *sql);

/* Borrows statement which of file, reset and with its bindings cleared. */
sqlite3_stmt *store_statement(struct gr_store *store, enum store_file file, int which);

/* Runs a statement that returns no rows; out_changes may be NULL. */
int store_run(struct gr_store *store, sqlite3_stmt *stmt, int *out_changes);

/* Reads the current row of a statement into out; 0 or the failure's code. */
typedef int store_read_fn(void *out, sqlite3_stmt *stmt);

/*
 * Steps a statement expected to return at most one row and reads it with
 * read. GR_ENOTFOUND with the message missing when there is none.
 */
int store_one_row(struct gr_store *store, sqlite3_stmt *stmt, store_read_fn *read, void *out,
		  const char *missing);

/*
 * Steps stmt: 1 with a row to read; 0 at the end or on a failure, with the
 * statement reset and *rc set to 0 or the failure's code.
 *
 *	while (store_next_row(store, stmt, &rc, "reading nudges")) {
 *		if ((rc = read(&row, stmt)) != 0 || (rc = fn(&row, payload)) != 0)
 *			return store_stop(stmt, rc);
 *	}
 *	return rc;
 */
int store_next_row(struct gr_store *store, sqlite3_stmt *stmt, int *rc, const char *doing);

/*
 * Ends a loop over rows early: a row could not be read, or the callback
 * returned rc. Returns rc when it is an error code (negative), else 0.
 */
int store_stop(sqlite3_stmt *stmt, int rc);

/* Calls fn with the first column of every row, until fn returns non-zero (see store_stop). */
int store_each_id(struct gr_store *store, sqlite3_stmt *stmt, const char *doing,
		  gr_store_id_fn *fn, void *payload);

/*
 * The first row (id, markdown) of stmt, whose ?1 is bound to after: the
 * next stored text with no HTML yet. The markdown is the caller's to free.
 * GR_ENOTFOUND when none is left (the message says that every one of
 * `what` is rendered).
 */
int store_next_unrendered(struct gr_store *store, sqlite3_stmt *stmt, int64_t after,
			  int64_t *out_id, char **out_md, const char *what);

/* NULL for NULL or "". */
void store_bind_text_or_null(sqlite3_stmt *stmt, int index, const char *text);
/* NULL for 0. */
void store_bind_time_or_null(sqlite3_stmt *stmt, int index, int64_t time);

/* A text column copied into out ("" for NULL), cut to out_size. */
void store_column_text(char *out, size_t out_size, sqlite3_stmt *stmt, int column);
/* A text column borrowed until the statement moves on ("" for NULL). */
const char *store_column_or_empty(sqlite3_stmt *stmt, int column);

/* ---- user.c: a user as other files' statements read one ----------------- */

/* The columns store_read_user reads, from users u, first in a statement. */
#define STORE_USER_COLUMNS                                                                        \
	"u.id, u.handle, u.display_name, u.role, u.cohort, u.password_hash, u.created_at, "       \
	"u.disabled_at, u.language, u.rights_stamp"
#define STORE_USER_COLUMN_COUNT 10

/* Reads STORE_USER_COLUMNS; GR_EINVALID when the stored role is unknown. */
int store_read_user(struct gr_user *out, sqlite3_stmt *stmt);

/* ---- schema.c: migrations ------------------------------------------------ */

/* This binary's migrations, gr_store_schema_latest() of them. */
extern const char *const store_migrations[];

/*
 * Brings the database from its version up to count with list, each
 * migration in its own transaction; GR_ENEWER when it is newer than count.
 * path is for messages.
 */
int store_migrate(struct gr_store *store, const char *path, const char *const *list, int count);

#endif
