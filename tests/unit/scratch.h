/*
 * scratch.h - where the store's tests start: a fresh store in a temporary
 * directory, users and token hashes to put in it, and SQL run on the
 * database file directly, to look underneath the store or to write what it
 * never would.
 */
#ifndef GROUNDS_TEST_SCRATCH_H
#define GROUNDS_TEST_SCRATCH_H

#include "core/account.h"
#include "core/error.h"
#include "store/store.h"

#include "harness.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static char scratch_path[512];

/* dir/name, in a buffer the next call reuses. */
static inline const char *db_path(const char *dir, const char *name)
{
	snprintf(scratch_path, sizeof scratch_path, "%s/%s", dir, name);
	return scratch_path;
}

/* Runs a query returning one integer on the file directly, or -1. */
static inline int64_t query_int(const char *path, const char *sql)
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

/* Runs a query returning one text on the file directly into out ("" if none). */
static inline const char *query_text(char *out, size_t size, const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	snprintf(out, size, "%s", "");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return out;
}

/* How SQLite means to run sql on the file: the details of its plan, joined. */
static inline void plan_of(char *out, size_t size, const char *path, const char *sql)
{
	char explain[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t used = 0;

	out[0] = '\0';
	snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, explain, -1, &stmt, NULL) == SQLITE_OK)
		while (sqlite3_step(stmt) == SQLITE_ROW && used < size)
			used += (size_t)snprintf(out + used, size - used, "%s;",
						 (const char *)sqlite3_column_text(stmt, 3));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* Runs SQL on the file directly, with the schema's CHECKs off: 0 or GR_ERROR. */
static inline int exec_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = GR_ERROR;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, "PRAGMA ignore_check_constraints = ON", NULL, NULL, NULL) ==
		SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	sqlite3_close(db);
	return rc;
}

/* A new store at out_dir/grounds.db; the test stops (exit 2) if it cannot open one. */
static inline struct gr_store *open_fresh(char **out_dir)
{
	struct gr_store *store = NULL;

	*out_dir = harness_temp_dir();
	if (gr_store_open(&store, db_path(*out_dir, "grounds.db")) != 0) {
		fprintf(stderr, "cannot open store: %s\n", gr_error_last());
		exit(2);
	}
	return store;
}

/* Closes store and removes its directory. */
static inline void close_fresh(struct gr_store *store, char *dir)
{
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static inline struct gr_user make_user(const char *handle, enum gr_role role)
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

static inline void hash_of(unsigned char out[GR_TOKEN_HASH_SIZE], int seed)
{
	memset(out, seed, GR_TOKEN_HASH_SIZE);
}

#endif
