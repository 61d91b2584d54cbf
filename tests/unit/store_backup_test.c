/* Tests for store/backup.h and services/check.h: a backup is a checked copy
 * of what was committed; verification refuses what is not a whole grounds
 * database (garbage, a newer schema, a broken file); a restore replaces the
 * database in one rename and keeps the old one; the integrity check and
 * every domain checker report what is broken; durability is FULL by
 * default. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "services/check.h"
#include "store/backup.h"
#include "store/schema.h"
#include "store/user.h"
#include "tracks/library.h"

#include <unistd.h>

static void test_backup_and_verify(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user alice = make_user("alice", GR_ROLE_LEARNER);
	char backup[600], garbage[600], newer[600];
	int version = 0;

	CHECK_INT(gr_store_user_insert(store, &alice), ==, 0);
	snprintf(backup, sizeof backup, "%s/copy.db", dir);
	CHECK_INT(gr_store_backup(store, backup, 0), ==, 0);
	CHECK_INT(access(backup, F_OK), ==, 0);
	CHECK_INT(access(db_path(dir, "copy.db.partial"), F_OK), ==, -1);
	CHECK_INT(query_int(backup, "SELECT count(*) FROM users WHERE handle = 'alice'"), ==, 1);
	CHECK_INT(gr_store_backup_verify(backup, &version), ==, 0);
	CHECK_INT(version, ==, gr_store_schema_latest());

	/* An existing file is only replaced when asked. */
	CHECK_INT(gr_store_backup(store, backup, 0), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "already exists");
	CHECK_INT(gr_store_backup(store, backup, 1), ==, 0);

	snprintf(garbage, sizeof garbage, "%s/garbage.db", dir);
	harness_write_file(dir, "garbage.db", "this is not a database at all, not even close to one.");
	CHECK_INT(gr_store_backup_verify(garbage, &version), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "not a grounds database");
	CHECK_INT(version, ==, -1);
	CHECK_INT(gr_store_backup_verify(db_path(dir, "missing.db"), &version), ==, GR_EINVALID);

	snprintf(newer, sizeof newer, "%s/newer.db", dir);
	CHECK_INT(gr_store_backup(store, newer, 0), ==, 0);
	CHECK_INT(exec_sql(newer, "PRAGMA user_version = 9999"), ==, 0);
	CHECK_INT(gr_store_backup_verify(newer, &version), ==, GR_ENEWER);
	CHECK_CONTAINS(gr_error_last(), "9999");

	/* A file that opens but whose pages are damaged fails the integrity check. */
	CHECK_INT(exec_sql(newer, "PRAGMA user_version = 1; PRAGMA writable_schema = ON;"
				  " UPDATE sqlite_schema SET rootpage = 9999 WHERE name = 'users';"),
		  ==, 0);
	CHECK(gr_store_backup_verify(newer, &version) != 0);
	close_fresh(store, dir);
}

static void test_restore(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user alice = make_user("alice", GR_ROLE_LEARNER);
	struct gr_user bob = make_user("bob", GR_ROLE_LEARNER);
	char database[600], backup[600], kept[600];

	snprintf(database, sizeof database, "%s/grounds.db", dir);
	snprintf(backup, sizeof backup, "%s/copy.db", dir);
	snprintf(kept, sizeof kept, "%s/grounds.db.before-restore", dir);
	CHECK_INT(gr_store_user_insert(store, &alice), ==, 0);
	CHECK_INT(gr_store_backup(store, backup, 0), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &bob), ==, 0); /* after the backup */
	gr_store_close(store);

	/* A broken backup changes nothing. */
	harness_write_file(dir, "broken.db", "garbage");
	CHECK(gr_store_backup_restore(database, db_path(dir, "broken.db")) != 0);
	CHECK_INT(query_int(database, "SELECT count(*) FROM users"), ==, 2);
	CHECK_INT(access(kept, F_OK), ==, -1);

	CHECK_INT(gr_store_backup_restore(database, backup), ==, 0);
	CHECK_INT(query_int(database, "SELECT count(*) FROM users"), ==, 1);
	CHECK_INT(query_int(database, "SELECT count(*) FROM users WHERE handle = 'alice'"), ==, 1);
	CHECK_INT(query_int(kept, "SELECT count(*) FROM users"), ==, 2); /* bob is kept there */
	CHECK_INT(access(db_path(dir, "grounds.db.restoring"), F_OK), ==, -1);

	CHECK_INT(gr_store_open(&store, database), ==, 0);
	CHECK_INT(gr_store_user_count(store, &(int64_t){ 0 }), ==, 0);
	close_fresh(store, dir);
}

static void note(const char *about, const char *problem, void *payload)
{
	char *seen = payload;
	size_t len = strlen(seen);

	snprintf(seen + len, 4096 - len, "%s: %s\n", about, problem);
}

static void test_check(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user alice = make_user("alice", GR_ROLE_LEARNER);
	struct gr_library *library = NULL;
	const char *path;
	char seen[4096] = "";
	int problems = -1;

	CHECK_INT(gr_store_user_insert(store, &alice), ==, 0);
	CHECK_INT(gr_library_new(&library, store, NULL, 1 << 20), ==, 0);
	gr_library_load(library);
	CHECK_INT(gr_check_run(&problems, store, library, note, seen), ==, 0);
	CHECK_INT(problems, ==, 0);
	CHECK_STR(seen, "");

	/* Rows no service would write, each breaking one domain invariant. */
	path = db_path(dir, "grounds.db");
	CHECK_INT(exec_sql(path,
			   "INSERT INTO invites (code_hash, role, created_at, expires_at)"
			   " VALUES (x'01', 'learner', 500, 400);"
			   "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
			   " VALUES (x'02', 1, 900, 900);"
			   "INSERT INTO help_requests (user_id, track_id, step_id, body, state,"
			   " opened_at) VALUES (1, 't', 's', 'help', 'accepted', 100);"
			   "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)"
			   " VALUES (x'04', 1, 100, 200);"),
		  ==, 0);
	CHECK_INT(gr_check_run(&problems, store, library, note, seen), ==, 0);
	CHECK_INT(problems, ==, 4);
	CHECK_CONTAINS(seen, "reset link 1: reset invariant 2");
	CHECK_CONTAINS(seen, "invite 1: invite invariant 2");
	CHECK_CONTAINS(seen, "a session of user 1: session invariant 2");
	CHECK_CONTAINS(seen, "help request 1: help invariant 3");

	/* SQLite's own check: a row that refers to no user. */
	seen[0] = '\0';
	CHECK_INT(exec_sql(path, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
				 " VALUES (x'03', 77, 100, 200);"),
		  ==, 0);
	CHECK_INT(gr_check_run(&problems, store, library, note, seen), ==, 0);
	CHECK_INT(problems, ==, 1);
	CHECK_CONTAINS(seen, "database: row");
	CHECK_CONTAINS(seen, "of sessions refers to a missing row of users");
	gr_library_free(library);
	close_fresh(store, dir);
}

static void test_durability(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);

	CHECK_INT(gr_store_durability_synchronous(store), ==, 2); /* FULL */
	CHECK_INT(gr_store_set_durability(store, GR_STORE_FAST), ==, 0);
	CHECK_INT(gr_store_durability_synchronous(store), ==, 1); /* NORMAL */
	CHECK_INT(gr_store_set_durability(store, GR_STORE_DURABLE), ==, 0);
	CHECK_INT(gr_store_durability_synchronous(store), ==, 2);
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_backup_and_verify);
	RUN(test_restore);
	RUN(test_check);
	RUN(test_durability);
	return harness_done();
}
