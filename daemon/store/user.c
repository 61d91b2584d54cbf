/*
 * user.c - the users table and who coaches which cohort (see user.h).
 *
 * Owns inserting, finding, counting, listing, disabling and changing users,
 * the coach_cohorts relation (read within the coach's centres, which
 * store/centre.c keeps; a coach given a cohort joins its centre), and how a
 * user row is read (store_read_user, which session.c and progress.c use for
 * their joins). Leaves the rules of handles, roles and passwords to
 * core/account.c and signing in to services/auth.c.
 */
#include "store/user.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

enum statement {
	INSERT,
	BY_HANDLE,
	BY_ID,
	COUNT,
	DISABLE,
	SESSIONS_DELETE,
	ALL,
	DISABLED_LEARNERS,
	ENABLE,
	SET_PASSWORD,
	SET_ROLE,
	SET_COHORT,
	COUNT_ADMINS,
	COACHES,
	COACHED_CLEAR,
	COACHED_ADD,
	COACHED_EACH,
	COACHED_CENTRE,
	SET_DISPLAY_NAME,
	SET_LANGUAGE,
	SEARCH,
	STATEMENT_COUNT
};

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO users (handle, display_name, role, cohort, password_hash,"
		   " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[BY_HANDLE] = "SELECT " STORE_USER_COLUMNS " FROM users u WHERE u.handle = ?1",
	[BY_ID] = "SELECT " STORE_USER_COLUMNS " FROM users u WHERE u.id = ?1",
	[COUNT] = "SELECT count(*) FROM users",
	[DISABLE] = "UPDATE users SET disabled_at = ?2 WHERE handle = ?1",
	[SESSIONS_DELETE] = "DELETE FROM sessions WHERE user_id ="
			    " (SELECT id FROM users WHERE handle = ?1)",
	[ALL] = "SELECT " STORE_USER_COLUMNS " FROM users u ORDER BY u.handle",
	[DISABLED_LEARNERS] = "SELECT id FROM users WHERE role = 'learner'"
			      " AND disabled_at IS NOT NULL ORDER BY id",
	[ENABLE] = "UPDATE users SET disabled_at = NULL WHERE id = ?1",
	[SET_PASSWORD] = "UPDATE users SET password_hash = ?2 WHERE id = ?1",
	[SET_ROLE] = "UPDATE users SET role = ?2 WHERE id = ?1",
	[SET_COHORT] = "UPDATE users SET cohort = ?2 WHERE id = ?1",
	[COUNT_ADMINS] = "SELECT count(*) FROM users WHERE role = 'admin'",
	/* The one rule's question: coach_cohorts names it, within the coach's centres. */
	[COACHES] = "SELECT count(*) FROM coach_cohorts k JOIN cohorts c ON c.name = k.cohort"
		    " JOIN coach_centres m ON m.user_id = k.user_id AND m.centre_id = c.centre_id"
		    " WHERE k.user_id = ?1 AND k.cohort = ?2",
	[COACHED_CLEAR] = "DELETE FROM coach_cohorts WHERE user_id = ?1",
	[COACHED_ADD] = "INSERT OR IGNORE INTO coach_cohorts (user_id, cohort) VALUES (?1, ?2)",
	[COACHED_EACH] = "SELECT k.cohort FROM coach_cohorts k JOIN cohorts c ON c.name = k.cohort"
			 " JOIN coach_centres m ON m.user_id = k.user_id AND m.centre_id = c.centre_id"
			 " WHERE k.user_id = ?1 ORDER BY k.cohort",
	[COACHED_CENTRE] = "INSERT OR IGNORE INTO coach_centres (user_id, centre_id)"
			   " SELECT ?1, centre_id FROM cohorts WHERE name = ?2",
	[SET_DISPLAY_NAME] = "UPDATE users SET display_name = ?2 WHERE id = ?1",
	[SET_LANGUAGE] = "UPDATE users SET language = ?2 WHERE id = ?1",
	[SEARCH] = "SELECT " STORE_USER_COLUMNS " FROM users u WHERE (?1 = ''"
		   " OR instr(lower(u.handle), lower(?1)) > 0"
		   " OR instr(lower(u.display_name), lower(?1)) > 0)"
		   " AND (?2 = '' OR coalesce(u.cohort, '') = ?2)"
		   " ORDER BY u.handle LIMIT ?3",
};

const struct store_sql store_user_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_USER, which);
}

int store_read_user(struct gr_user *out, sqlite3_stmt *stmt)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(stmt, 0);
	store_column_text(out->handle, sizeof(out->handle), stmt, 1);
	store_column_text(out->display_name, sizeof(out->display_name), stmt, 2);
	store_column_text(out->cohort, sizeof(out->cohort), stmt, 4);
	store_column_text(out->password_hash, sizeof(out->password_hash), stmt, 5);
	out->created_at = sqlite3_column_int64(stmt, 6);
	out->disabled_at = sqlite3_column_int64(stmt, 7);
	store_column_text(out->language, sizeof(out->language), stmt, 8);
	out->rights_stamp = sqlite3_column_int64(stmt, 9);
	return gr_account_role_from_name(&out->role, store_column_or_empty(stmt, 3));
}

static int read_user(void *out, sqlite3_stmt *stmt)
{
	return store_read_user(out, stmt);
}

int gr_store_user_insert(struct gr_store *store, struct gr_user *user)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_text(stmt, 1, user->handle, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, user->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, gr_account_role_name(user->role), -1, SQLITE_STATIC);
	store_bind_text_or_null(stmt, 4, user->cohort);
	sqlite3_bind_text(stmt, 5, user->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, user->created_at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("The user name '%s' is taken.", user->handle);
		return GR_EEXISTS;
	}
	if (rc != SQLITE_DONE)
		return store_fail(store, "adding a user");
	user->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_user_by_handle(struct gr_store *store, struct gr_user *out, const char *handle)
{
	sqlite3_stmt *stmt = statement(store, BY_HANDLE);

	sqlite3_bind_text(stmt, 1, handle, -1, SQLITE_STATIC);
	return store_one_row(store, stmt, read_user, out, "no such user");
}

int gr_store_user_by_id(struct gr_store *store, struct gr_user *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, BY_ID);

	sqlite3_bind_int64(stmt, 1, id);
	return store_one_row(store, stmt, read_user, out, "no such user");
}

int gr_store_user_count(struct gr_store *store, int64_t *out)
{
	sqlite3_stmt *stmt = statement(store, COUNT);
	int rc = sqlite3_step(stmt);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "counting users");
}

int gr_store_user_disable(struct gr_store *store, const char *handle, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, DISABLE);
	int changes = 0;
	int rc;

	if ((rc = gr_store_begin(store)) != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, handle, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		goto out;
	if (changes == 0) {
		gr_error_set("no user '%s'", handle);
		rc = GR_ENOTFOUND;
		goto out;
	}
	stmt = statement(store, SESSIONS_DELETE);
	sqlite3_bind_text(stmt, 1, handle, -1, SQLITE_STATIC);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		goto out;
	return gr_store_commit(store);
out:
	gr_store_rollback(store);
	return rc;
}

int gr_store_user_each(struct gr_store *store, gr_store_user_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, ALL);
	struct gr_user user;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "listing users")) {
		if ((rc = store_read_user(&user, stmt)) != 0 || (rc = fn(&user, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_user_disabled_learners(struct gr_store *store, gr_store_id_fn *fn, void *payload)
{
	return store_each_id(store, statement(store, DISABLED_LEARNERS),
			     "listing disabled learners", fn, payload);
}

/* Runs an update of one user by id; GR_ENOTFOUND when there is none. */
static int update_user(struct gr_store *store, sqlite3_stmt *stmt, int64_t id)
{
	int changes = 0;
	int rc;

	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("no user with id %lld", (long long)id);
		return GR_ENOTFOUND;
	}
	return 0;
}

int gr_store_user_enable(struct gr_store *store, int64_t id)
{
	return update_user(store, statement(store, ENABLE), id);
}

int gr_store_user_set_password(struct gr_store *store, int64_t id, const char *password_hash)
{
	sqlite3_stmt *stmt = statement(store, SET_PASSWORD);

	sqlite3_bind_text(stmt, 2, password_hash, -1, SQLITE_STATIC);
	return update_user(store, stmt, id);
}

int gr_store_user_set_role(struct gr_store *store, int64_t id, enum gr_role role)
{
	sqlite3_stmt *stmt = statement(store, SET_ROLE);

	sqlite3_bind_text(stmt, 2, gr_account_role_name(role), -1, SQLITE_STATIC);
	return update_user(store, stmt, id);
}

int gr_store_user_set_cohort(struct gr_store *store, int64_t id, const char *cohort)
{
	sqlite3_stmt *stmt = statement(store, SET_COHORT);

	store_bind_text_or_null(stmt, 2, cohort);
	return update_user(store, stmt, id);
}

int gr_store_user_count_admins(struct gr_store *store, int64_t *out)
{
	sqlite3_stmt *stmt = statement(store, COUNT_ADMINS);
	int rc = sqlite3_step(stmt);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "counting admins");
}

int gr_store_user_coaches(struct gr_store *store, int *out, int64_t id, const char *cohort)
{
	sqlite3_stmt *stmt = statement(store, COACHES);
	int rc;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, cohort, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW && sqlite3_column_int64(stmt, 0) > 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail(store, "reading who coaches a cohort");
}

int gr_store_user_set_coached(struct gr_store *store, int64_t id, const char *cohort)
{
	sqlite3_stmt *stmt = statement(store, COACHED_CLEAR);
	int rc;

	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = store_run(store, stmt, NULL)) != 0 || !cohort || !cohort[0])
		return rc;
	return gr_store_user_add_coached(store, id, cohort);
}

int gr_store_user_add_coached(struct gr_store *store, int64_t id, const char *cohort)
{
	static const enum statement writes[] = { COACHED_ADD, COACHED_CENTRE };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(writes) / sizeof(writes[0]); i++) {
		sqlite3_stmt *stmt = statement(store, writes[i]);

		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, cohort, -1, SQLITE_STATIC);
		rc = store_run(store, stmt, NULL);
	}
	return rc;
}

int gr_store_user_each_coached(struct gr_store *store, int64_t id, gr_store_text_fn *fn,
			       void *payload)
{
	sqlite3_stmt *stmt = statement(store, COACHED_EACH);
	char cohort[GR_COHORT_MAX * 4 + 1];
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, id);
	while (store_next_row(store, stmt, &rc, "listing the cohorts of a coach")) {
		store_column_text(cohort, sizeof(cohort), stmt, 0);
		if ((rc = fn(cohort, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_user_set_display_name(struct gr_store *store, int64_t id, const char *name)
{
	sqlite3_stmt *stmt = statement(store, SET_DISPLAY_NAME);

	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	return update_user(store, stmt, id);
}

int gr_store_user_set_language(struct gr_store *store, int64_t id, const char *language)
{
	sqlite3_stmt *stmt = statement(store, SET_LANGUAGE);

	store_bind_text_or_null(stmt, 2, language);
	return update_user(store, stmt, id);
}

int gr_store_user_search(struct gr_store *store, const char *text, const char *cohort, int limit,
			 gr_store_user_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, SEARCH);
	struct gr_user user;
	int rc = 0;

	sqlite3_bind_text(stmt, 1, text ? text : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, cohort ? cohort : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, limit);
	while (store_next_row(store, stmt, &rc, "searching users")) {
		if ((rc = store_read_user(&user, stmt)) != 0 || (rc = fn(&user, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
