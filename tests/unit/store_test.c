/* Tests for store.h and schema.h: schema migrations (fresh, reopen,
 * failure, newer database), meta settings and transactions. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "store/schema.h"
#include "store/store.h"

static void test_fresh_database_is_latest(void)
{
	char *dir = harness_temp_dir();
	struct gr_store *store = NULL;

	CHECK_INT(gr_store_schema_latest(), >=, 2);
	CHECK_INT(gr_store_open(&store, db_path(dir, "fresh.db")), ==, 0);
	CHECK(store != NULL);
	CHECK_INT(gr_store_schema_version(store), ==, gr_store_schema_latest());
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

		CHECK_INT(gr_store_schema_version(store), ==, gr_store_schema_latest());
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
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", gr_store_schema_latest() + 1);
	CHECK_INT(exec_sql(path, sql), ==, 0);

	store = (struct gr_store *)1;
	CHECK_INT(gr_store_open(&store, path), ==, GR_ENEWER);
	CHECK(store == NULL);
	CHECK_CONTAINS(gr_error_last(), "newer");
	CHECK_INT(query_int(path, "PRAGMA user_version"), ==, gr_store_schema_latest() + 1);
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

int main(void)
{
	RUN(test_fresh_database_is_latest);
	RUN(test_reopen_does_not_rerun);
	RUN(test_failing_migration_rolls_back);
	RUN(test_newer_database_refused);
	RUN(test_meta);
	RUN(test_transactions);
	return harness_done();
}
