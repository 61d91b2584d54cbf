/* Tests for store.h: schema migrations (fresh, reopen, failure, newer
 * database), users, invites, sessions, meta settings, the track registry,
 * and the weeks of activity behind the coaches' weekly chart. */
#include "harness.h"

#include "core/account.h"
#include "core/error.h"
#include "store/store.h"

#include <sqlite3.h>

static char path_buffer[512];

static const char *db_path(const char *dir, const char *name)
{
	snprintf(path_buffer, sizeof path_buffer, "%s/%s", dir, name);
	return path_buffer;
}

/* Runs a query returning one integer on the file directly, or -1. */
static int64_t query_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int64_t value = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

static int exec_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = GR_ERROR;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	sqlite3_close(db);
	return rc;
}

static void test_fresh_database_is_latest(void)
{
	char *dir = harness_temp_dir();
	struct gr_store *store = NULL;

	CHECK_INT(gr_store_latest_version(), >=, 2);
	CHECK_INT(gr_store_open(&store, db_path(dir, "fresh.db")), ==, 0);
	CHECK(store != NULL);
	CHECK_INT(gr_store_schema_version(store), ==, gr_store_latest_version());
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static const char *const counting_migrations[] = {
	"CREATE TABLE runs (n INTEGER);",
	"INSERT INTO runs (n) VALUES (1);",
};

static void test_reopen_does_not_rerun(void)
{
	char *dir = harness_temp_dir();
	const char *path = db_path(dir, "reopen.db");
	struct gr_store *store = NULL;

	CHECK_INT(gr_store_open_with(&store, path, counting_migrations, 2), ==, 0);
	CHECK_INT(gr_store_schema_version(store), ==, 2);
	gr_store_close(store);
	CHECK_INT(query_int(path, "SELECT count(*) FROM runs"), ==, 1);

	store = NULL;
	CHECK_INT(gr_store_open_with(&store, path, counting_migrations, 2), ==, 0);
	CHECK_INT(gr_store_schema_version(store), ==, 2);
	gr_store_close(store);
	CHECK_INT(query_int(path, "SELECT count(*) FROM runs"), ==, 1);

	/* The real schema: reopening keeps data and version. */
	path = db_path(dir, "real.db");
	store = NULL;
	CHECK_INT(gr_store_open(&store, path), ==, 0);
	CHECK_INT(gr_store_meta_set(store, "k", "v"), ==, 0);
	gr_store_close(store);
	store = NULL;
	CHECK_INT(gr_store_open(&store, path), ==, 0);
	if (store) {
		char value[16] = "";

		CHECK_INT(gr_store_schema_version(store), ==, gr_store_latest_version());
		CHECK_INT(gr_store_meta_get(store, value, sizeof value, "k"), ==, 0);
		CHECK_STR(value, "v");
	}
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static const char *const failing_migrations[] = {
	"CREATE TABLE a (n INTEGER);",
	"CREATE TABLE b (n INTEGER); INSERT INTO no_such_table VALUES (1);",
};

static const char *const fixed_migrations[] = {
	"CREATE TABLE a (n INTEGER);",
	"CREATE TABLE b (n INTEGER);",
};

static void test_failing_migration_rolls_back(void)
{
	char *dir = harness_temp_dir();
	const char *path = db_path(dir, "fail.db");
	struct gr_store *store = (struct gr_store *)1;
	int rc;

	rc = gr_store_open_with(&store, path, failing_migrations, 2);
	CHECK_INT(rc, !=, 0);
	CHECK(store == NULL);
	CHECK_CONTAINS(gr_error_last(), "migration 2");
	CHECK_INT(query_int(path, "PRAGMA user_version"), ==, 1);
	/* Migration 1 was kept, migration 2's table was rolled back. */
	CHECK_INT(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'a'"), ==, 1);
	CHECK_INT(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), ==, 0);

	/* A fixed list carries on from version 1 without rerunning migration 1. */
	store = NULL;
	CHECK_INT(gr_store_open_with(&store, path, fixed_migrations, 2), ==, 0);
	if (store)
		CHECK_INT(gr_store_schema_version(store), ==, 2);
	gr_store_close(store);
	CHECK_INT(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), ==, 1);
	harness_remove_tree(dir);
	free(dir);
}

static void test_newer_database_refused(void)
{
	char *dir = harness_temp_dir();
	const char *path = db_path(dir, "newer.db");
	struct gr_store *store = NULL;
	char sql[64];

	CHECK_INT(gr_store_open(&store, path), ==, 0);
	gr_store_close(store);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", gr_store_latest_version() + 1);
	CHECK_INT(exec_sql(path, sql), ==, 0);

	store = (struct gr_store *)1;
	CHECK_INT(gr_store_open(&store, path), ==, GR_ENEWER);
	CHECK(store == NULL);
	CHECK_CONTAINS(gr_error_last(), "newer");
	CHECK_INT(query_int(path, "PRAGMA user_version"), ==, gr_store_latest_version() + 1);
	harness_remove_tree(dir);
	free(dir);
}

static struct gr_store *open_fresh(char **out_dir)
{
	struct gr_store *store = NULL;

	*out_dir = harness_temp_dir();
	if (gr_store_open(&store, db_path(*out_dir, "grounds.db")) != 0) {
		fprintf(stderr, "cannot open store: %s\n", gr_error_last());
		exit(2);
	}
	return store;
}

static struct gr_user make_user(const char *handle, enum gr_role role)
{
	struct gr_user user;

	memset(&user, 0, sizeof user);
	snprintf(user.handle, sizeof user.handle, "%s", handle);
	snprintf(user.display_name, sizeof user.display_name, "Name of %s", handle);
	user.role = role;
	snprintf(user.password_hash, sizeof user.password_hash, "hash-%s", handle);
	user.created_at = 1000;
	return user;
}

static void hash_of(unsigned char out[GR_TOKEN_HASH_SIZE], int seed)
{
	memset(out, seed, GR_TOKEN_HASH_SIZE);
}

static void test_users(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user ada = make_user("ada", GR_ROLE_COACH);
	struct gr_user dup = make_user("ada", GR_ROLE_LEARNER);
	struct gr_user bob = make_user("bob", GR_ROLE_LEARNER);
	struct gr_user got;
	unsigned char token[GR_TOKEN_HASH_SIZE];
	int64_t count = -1;

	snprintf(ada.cohort, sizeof ada.cohort, "spring");
	CHECK_INT(gr_store_user_insert(store, &ada), ==, 0);
	CHECK_INT(ada.id, >, 0);
	CHECK_INT(gr_store_user_insert(store, &dup), ==, GR_EEXISTS);
	CHECK_CONTAINS(gr_error_last(), "ada");
	CHECK_INT(gr_store_user_insert(store, &bob), ==, 0);
	CHECK_INT(bob.id, !=, ada.id);
	CHECK_INT(gr_store_user_count(store, &count), ==, 0);
	CHECK_INT(count, ==, 2);

	CHECK_INT(gr_store_user_by_handle(store, &got, "ada"), ==, 0);
	CHECK_INT(got.id, ==, ada.id);
	CHECK_STR(got.handle, "ada");
	CHECK_STR(got.display_name, "Name of ada");
	CHECK_INT(got.role, ==, GR_ROLE_COACH);
	CHECK_STR(got.cohort, "spring");
	CHECK_STR(got.password_hash, "hash-ada");
	CHECK_INT(got.created_at, ==, 1000);
	CHECK_INT(got.disabled_at, ==, 0);
	CHECK_INT(gr_store_user_by_handle(store, &got, "bob"), ==, 0);
	CHECK_STR(got.cohort, "");
	CHECK_INT(got.role, ==, GR_ROLE_LEARNER);
	CHECK_INT(gr_store_user_by_handle(store, &got, "nobody"), ==, GR_ENOTFOUND);

	/* Disabling ends sessions and marks the user. */
	hash_of(token, 7);
	CHECK_INT(gr_store_session_insert(store, token, ada.id, 1000, 5000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, token, 2000), ==, 0);
	CHECK_INT(gr_store_user_disable(store, "ada", 3000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, token, 2000), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_user_by_handle(store, &got, "ada"), ==, 0);
	CHECK_INT(got.disabled_at, ==, 3000);
	CHECK_INT(gr_store_user_disable(store, "nobody", 3000), ==, GR_ENOTFOUND);
	/* A new session of a disabled user is not valid either. */
	hash_of(token, 8);
	CHECK_INT(gr_store_session_insert(store, token, ada.id, 1000, 5000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, token, 2000), ==, GR_ENOTFOUND);
	/* bob is untouched. */
	CHECK_INT(gr_store_user_by_handle(store, &got, "bob"), ==, 0);
	CHECK_INT(got.disabled_at, ==, 0);

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static int count_user(const struct gr_user *user, void *payload)
{
	char *order = payload;

	strcat(order, user->handle);
	strcat(order, ",");
	return 0;
}

static void test_user_each(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user c = make_user("cat", GR_ROLE_LEARNER);
	struct gr_user a = make_user("ann", GR_ROLE_ADMIN);
	char order[64] = "";

	CHECK_INT(gr_store_user_insert(store, &c), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &a), ==, 0);
	CHECK_INT(gr_store_user_each(store, count_user, order), ==, 0);
	CHECK_STR(order, "ann,cat,");
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static void test_invites(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user coach = make_user("coach", GR_ROLE_COACH);
	struct gr_user learner = make_user("learner", GR_ROLE_LEARNER);
	struct gr_invite invite, got;
	unsigned char code[GR_TOKEN_HASH_SIZE], other[GR_TOKEN_HASH_SIZE];

	CHECK_INT(gr_store_user_insert(store, &coach), ==, 0);
	memset(&invite, 0, sizeof invite);
	invite.role = GR_ROLE_LEARNER;
	snprintf(invite.cohort, sizeof invite.cohort, "autumn");
	invite.created_at = 100;
	invite.expires_at = 900;
	hash_of(code, 1);
	hash_of(other, 2);
	CHECK_INT(gr_store_invite_insert(store, &invite, code, coach.id), ==, 0);
	CHECK_INT(invite.id, >, 0);

	CHECK_INT(gr_store_invite_by_hash(store, &got, code), ==, 0);
	CHECK_INT(got.id, ==, invite.id);
	CHECK_INT(got.role, ==, GR_ROLE_LEARNER);
	CHECK_STR(got.cohort, "autumn");
	CHECK_INT(got.created_at, ==, 100);
	CHECK_INT(got.expires_at, ==, 900);
	CHECK_INT(got.used_at, ==, 0);
	CHECK_STR(got.created_by, "coach");
	CHECK_STR(got.used_by, "");
	CHECK_INT(gr_store_invite_by_hash(store, &got, other), ==, GR_ENOTFOUND);

	CHECK_INT(gr_store_user_insert(store, &learner), ==, 0);
	CHECK_INT(gr_store_invite_use(store, invite.id, learner.id, 500), ==, 0);
	CHECK_INT(gr_store_invite_use(store, invite.id, learner.id, 600), ==, GR_EUSED);
	CHECK_INT(gr_store_invite_by_hash(store, &got, code), ==, 0);
	CHECK_INT(got.used_at, ==, 500);
	CHECK_STR(got.used_by, "learner");

	/* An invite from the operator's tool has no creator. */
	memset(&invite, 0, sizeof invite);
	invite.role = GR_ROLE_ADMIN;
	invite.created_at = 200;
	invite.expires_at = 900;
	CHECK_INT(gr_store_invite_insert(store, &invite, other, 0), ==, 0);
	CHECK_INT(gr_store_invite_by_hash(store, &got, other), ==, 0);
	CHECK_STR(got.created_by, "");
	CHECK_INT(got.role, ==, GR_ROLE_ADMIN);
	/* The same code twice is refused. */
	CHECK_INT(gr_store_invite_insert(store, &invite, other, 0), !=, 0);

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static void test_sessions(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user user = make_user("sam", GR_ROLE_LEARNER);
	struct gr_user got;
	unsigned char a[GR_TOKEN_HASH_SIZE], b[GR_TOKEN_HASH_SIZE], c[GR_TOKEN_HASH_SIZE];

	CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
	hash_of(a, 0xa);
	hash_of(b, 0xb);
	hash_of(c, 0xc);
	CHECK_INT(gr_store_session_insert(store, a, user.id, 1000, 2000), ==, 0);
	CHECK_INT(gr_store_session_insert(store, b, user.id, 1000, 9000), ==, 0);

	CHECK_INT(gr_store_session_user(store, &got, a, 1999), ==, 0);
	CHECK_STR(got.handle, "sam");
	CHECK_INT(got.id, ==, user.id);
	CHECK_INT(gr_store_session_user(store, &got, a, 2000), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_session_user(store, &got, a, 2500), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_session_user(store, &got, c, 1500), ==, GR_ENOTFOUND);

	/* Prune removes the expired one only: it stays gone even asked "earlier". */
	CHECK_INT(gr_store_session_prune(store, 3000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, a, 1500), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_session_user(store, &got, b, 1500), ==, 0);

	CHECK_INT(gr_store_session_delete(store, b), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, b, 1500), ==, GR_ENOTFOUND);

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static void test_meta(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	char value[32] = "untouched";

	CHECK_INT(gr_store_meta_get(store, value, sizeof value, "missing"), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_meta_set(store, "greeting", "hello"), ==, 0);
	CHECK_INT(gr_store_meta_get(store, value, sizeof value, "greeting"), ==, 0);
	CHECK_STR(value, "hello");
	CHECK_INT(gr_store_meta_set(store, "greeting", "again"), ==, 0);
	CHECK_INT(gr_store_meta_get(store, value, sizeof value, "greeting"), ==, 0);
	CHECK_STR(value, "again");
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static void test_transactions(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	char value[32] = "";

	CHECK_INT(gr_store_begin(store), ==, 0);
	CHECK_INT(gr_store_meta_set(store, "a", "1"), ==, 0);
	gr_store_rollback(store);
	CHECK_INT(gr_store_meta_get(store, value, sizeof value, "a"), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_begin(store), ==, 0);
	CHECK_INT(gr_store_meta_set(store, "a", "2"), ==, 0);
	CHECK_INT(gr_store_commit(store), ==, 0);
	CHECK_INT(gr_store_meta_get(store, value, sizeof value, "a"), ==, 0);
	CHECK_STR(value, "2");
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static int collect_track(const struct gr_track_entry *entry, void *payload)
{
	char *out = payload;
	size_t used = strlen(out);

	snprintf(out + used, 1024 - used, "%s|%s|%s|%s|%lld;", entry->id, entry->repo, entry->ref,
		 entry->subdir, (long long)entry->added_at);
	return 0;
}

static int stop_at_first(const struct gr_track_entry *entry, void *payload)
{
	(*(int *)payload)++;
	return 1;
}

static void test_tracks(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_track_entry entry;
	char listing[1024] = "";
	int calls = 0;

	memset(&entry, 0, sizeof entry);
	snprintf(entry.id, sizeof entry.id, "zeta");
	snprintf(entry.repo, sizeof entry.repo, "/srv/zeta.git");
	snprintf(entry.ref, sizeof entry.ref, "main");
	snprintf(entry.subdir, sizeof entry.subdir, "course");
	entry.added_at = 42;
	CHECK_INT(gr_store_track_insert(store, &entry), ==, 0);
	CHECK_INT(gr_store_track_insert(store, &entry), ==, GR_EEXISTS);
	CHECK_CONTAINS(gr_error_last(), "zeta");

	memset(&entry, 0, sizeof entry);
	snprintf(entry.id, sizeof entry.id, "alpha");
	snprintf(entry.repo, sizeof entry.repo, "/srv/alpha.git");
	entry.added_at = 7;
	CHECK_INT(gr_store_track_insert(store, &entry), ==, 0);

	CHECK_INT(gr_store_track_each(store, collect_track, listing), ==, 0);
	CHECK_STR(listing, "alpha|/srv/alpha.git|||7;zeta|/srv/zeta.git|main|course|42;");
	CHECK_INT(gr_store_track_each(store, stop_at_first, &calls), ==, 0);
	CHECK_INT(calls, ==, 1);

	CHECK_INT(gr_store_track_delete(store, "zeta"), ==, 0);
	CHECK_INT(gr_store_track_delete(store, "zeta"), ==, GR_ENOTFOUND);
	listing[0] = '\0';
	CHECK_INT(gr_store_track_each(store, collect_track, listing), ==, 0);
	CHECK_STR(listing, "alpha|/srv/alpha.git|||7;");

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

/* Weeks start on Monday, UTC; 1970-01-01 was a Thursday. */
static void test_week_of(void)
{
	const int64_t day = GR_STORE_DAY_MS;
	const int64_t monday = 1795392000000LL; /* 2026-11-23 00:00 UTC, a Monday */

	CHECK_INT(gr_store_week_of(0), ==, 0);
	CHECK_INT(gr_store_week_of(4 * day - 1), ==, 0); /* Sunday 1970-01-04, last moment */
	CHECK_INT(gr_store_week_of(4 * day), ==, 1);	  /* Monday 1970-01-05 */
	CHECK_INT(gr_store_week_of(monday) - gr_store_week_of(monday - 1), ==, 1);
	CHECK_INT(gr_store_week_of(monday + 7 * day - 1), ==, gr_store_week_of(monday));
	CHECK_INT(gr_store_week_of(monday + 7 * day), ==, gr_store_week_of(monday) + 1);
	CHECK_INT(gr_store_week_of(-3 * day), ==, 0); /* Monday 1969-12-29 began week 0 */
	CHECK_INT(gr_store_week_of(-3 * day - 1), ==, -1); /* the Sunday before: down, not toward 0 */
}

/* Each progress change marks its week; a database from before schema 5 gets its weeks filled in. */
static void test_activity_weeks(void)
{
	const int64_t week = 7 * GR_STORE_DAY_MS, monday = 1795392000000LL;
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user user = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_progress row = { .track_id = "web", .step_id = "one", .state = "started" };
	char path[512];

	snprintf(path, sizeof path, "%s", db_path(dir, "grounds.db"));
	CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
	row.started_at = row.updated_at = monday - week; /* the week before */
	CHECK_INT(gr_store_progress_put(store, user.id, &row), ==, 0);
	snprintf(row.state, sizeof row.state, "done");
	row.finished_at = row.updated_at = monday + 2 * GR_STORE_DAY_MS;
	CHECK_INT(gr_store_progress_put(store, user.id, &row), ==, 0);
	CHECK_INT(gr_store_progress_put(store, user.id, &row), ==, 0); /* the same week again */
	CHECK_INT(query_int(path, "SELECT count(*) FROM activity_weeks"), ==, 2);
	gr_store_close(store);

	/* As if written by the version before: no schema 5, no weeks. */
	CHECK_INT(exec_sql(path, "DROP TABLE activity_weeks; DROP TABLE help_messages;"
				 "DROP TABLE help_offers; DROP TABLE help_requests; DROP TABLE nudges;"
				 "DROP INDEX reviews_by_reviewer; DROP TABLE review_snapshots;"
				 "PRAGMA user_version = 4;"),
		  ==, 0);
	CHECK_INT(gr_store_open(&store, path), ==, 0);
	CHECK_INT(gr_store_schema_version(store), ==, gr_store_latest_version());
	/* Filled in from the row kept: the week it began and the week of its last change. */
	CHECK_INT(query_int(path, "SELECT count(*) FROM activity_weeks"), ==, 2);
	{
		char sql[160];

		snprintf(sql, sizeof sql, "SELECT count(*) FROM activity_weeks WHERE week IN (%lld, %lld)",
			 (long long)gr_store_week_of(monday - week), (long long)gr_store_week_of(monday));
		CHECK_INT(query_int(path, sql), ==, 2);
	}
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

int main(void)
{
	RUN(test_fresh_database_is_latest);
	RUN(test_reopen_does_not_rerun);
	RUN(test_failing_migration_rolls_back);
	RUN(test_newer_database_refused);
	RUN(test_users);
	RUN(test_user_each);
	RUN(test_invites);
	RUN(test_sessions);
	RUN(test_meta);
	RUN(test_transactions);
	RUN(test_tracks);
	RUN(test_week_of);
	RUN(test_activity_weeks);
	return harness_done();
}
