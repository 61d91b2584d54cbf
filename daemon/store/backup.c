/*
 * backup.c - copies of the database (see backup.h; the operator's side is
 * "Back up" and "Restore" in docs/operating.md).
 *
 * Owns VACUUM INTO for a backup, the read-only verification of a copy, the
 * steps that put a copy in place of a database, and the integrity pragmas.
 * Leaves the daemon's lock on the data directory to core/files.c and the
 * domain's checks to services/check.c.
 *
 * A backup is VACUUM INTO: one read transaction, so on a WAL database it
 * sees exactly the transactions committed before it began while groundsd
 * goes on writing, and it writes a compact file with no log beside it.
 * Every file this module writes is written under another name, synced,
 * and renamed into place, and the directory synced after the rename.
 */
#include "store/backup.h"

#include "core/error.h"
#include "store/internal.h"
#include "store/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (64 * 1024)

/* ---- files: sync, copy, rename ------------------------------------------- */

static int sync_path(const char *path, int directory)
{
	int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fsync(fd) != 0) {
		gr_error_set("cannot sync %s: %s", path, strerror(errno));
		rc = GR_ERROR;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The directory a file is in, for syncing it after a rename. */
static void directory_of(char *out, size_t size, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, size, ".");
	else if (slash == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static int rename_synced(const char *from, const char *to)
{
	char directory[PATH_MAX];

	if (rename(from, to) != 0) {
		gr_error_set("cannot rename %s to %s: %s", from, to, strerror(errno));
		return GR_ERROR;
	}
	directory_of(directory, sizeof(directory), to);
	return sync_path(directory, 1);
}

/* Copies from to a new file to (mode 0600), synced. */
static int copy_file(const char *from, const char *to)
{
	char buffer[COPY_CHUNK];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = GR_ERROR;
	ssize_t n;

	if (in < 0 || out < 0) {
		gr_error_set("cannot copy %s to %s: %s", from, to, strerror(errno));
		goto out;
	}
	while ((n = read(in, buffer, sizeof(buffer))) > 0)
		if (write(out, buffer, (size_t)n) != n)
			break;
	if (n != 0 || fsync(out) != 0) {
		gr_error_set("cannot copy %s to %s: %s", from, to, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && rc == 0) {
		gr_error_set("cannot write %s: %s", to, strerror(errno));
		rc = GR_ERROR;
	}
	return rc;
}

/* ---- reading a copy ----------------------------------------------------- */

/* An integer pragma, e.g. "PRAGMA user_version". */
static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*out = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : GR_ERROR;
}

/*
 * Runs a check pragma and calls fn for each problem. integrity_check says
 * "ok" when all is well; foreign_key_check returns no rows then.
 */
static int each_problem(sqlite3 *db, const char *sql, int *count, gr_store_problem_fn *fn,
			void *payload)
{
	sqlite3_stmt *stmt = NULL;
	char line[512];
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		gr_error_set("database: %s: %s", sql, sqlite3_errmsg(db));
		return GR_ERROR;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *first = (const char *)sqlite3_column_text(stmt, 0);

		if (sqlite3_column_count(stmt) == 1 && first && strcmp(first, "ok") == 0)
			continue;
		if (sqlite3_column_count(stmt) == 1)
			snprintf(line, sizeof(line), "%s", first ? first : "(null)");
		else /* foreign_key_check: table, rowid, parent table, key number */
			snprintf(line, sizeof(line), "row %lld of %s refers to a missing row of %s",
				 (long long)sqlite3_column_int64(stmt, 1), first ? first : "?",
				 (const char *)sqlite3_column_text(stmt, 2));
		++*count;
		if (fn)
			fn(line, payload);
	}
	if (rc != SQLITE_DONE) {
		gr_error_set("database: %s: %s", sql, sqlite3_errmsg(db));
		rc = GR_ERROR;
	} else {
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int check_db(sqlite3 *db, int *out_problems, gr_store_problem_fn *fn, void *payload)
{
	int rc;

	*out_problems = 0;
	if ((rc = each_problem(db, "PRAGMA integrity_check", out_problems, fn, payload)) != 0)
		return rc;
	return each_problem(db, "PRAGMA foreign_key_check", out_problems, fn, payload);
}

/* Remembers the first problem for an error message. */
static void first_problem(const char *problem, void *payload)
{
	char *first = payload;

	if (!first[0])
		snprintf(first, 256, "%s", problem);
}

int gr_store_backup_verify(const char *path, int *out_version)
{
	char first[256] = "";
	sqlite3 *db = NULL;
	int problems = 0, version = -1;
	int rc = GR_EINVALID;

	*out_version = -1;
	if (access(path, R_OK) != 0) {
		gr_error_set("cannot read %s: %s", path, strerror(errno));
		return GR_EINVALID;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    pragma_int(db, "PRAGMA user_version", &version) != 0) {
		gr_error_set("%s is not a grounds database: %s", path,
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (version < 1) {
		gr_error_set("%s is not a grounds database (schema version %d)", path, version);
		goto out;
	}
	if (version > gr_store_schema_latest()) {
		gr_error_set("%s has schema version %d, but this grounds knows only up to %d: "
			     "restore it with the grounds that wrote it",
			     path, version, gr_store_schema_latest());
		rc = GR_ENEWER;
		goto out;
	}
	if (check_db(db, &problems, first_problem, first) != 0 || problems) {
		gr_error_set("%s fails the integrity check (%d problems%s%s)", path, problems,
			     first[0] ? "; the first: " : "", first);
		goto out;
	}
	*out_version = version;
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

/* ---- backup ------------------------------------------------------------- */

int gr_store_backup(struct gr_store *store, const char *path, int replace)
{
	char partial[PATH_MAX + 16];
	sqlite3_stmt *stmt = NULL;
	int version, rc = GR_ERROR;

	if (store->depth > 0) {
		gr_error_set("a backup cannot be taken inside a transaction");
		return GR_ERROR;
	}
	if (!replace && access(path, F_OK) == 0) {
		gr_error_set("%s already exists", path);
		return GR_EINVALID;
	}
	if ((size_t)snprintf(partial, sizeof(partial), "%s.partial", path) >= sizeof(partial)) {
		gr_error_set("the backup's path is too long");
		return GR_EINVALID;
	}
	unlink(partial); /* a copy an earlier backup left half-written */
	if (sqlite3_prepare_v2(store->db, "VACUUM INTO ?1", -1, &stmt, NULL) != SQLITE_OK) {
		rc = store_fail(store, "preparing the backup");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, partial, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = store_fail(store, "writing the backup");
		goto out;
	}
	if ((rc = gr_store_backup_verify(partial, &version)) != 0 ||
	    (rc = sync_path(partial, 0)) != 0 || (rc = rename_synced(partial, path)) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc)
		unlink(partial);
	return rc;
}

/* ---- restore ------------------------------------------------------------ */

/*
 * Opening and closing a WAL database as its last user folds the log into
 * the file and removes it, so the file alone is the whole database.
 */
static int fold_log(const char *database_path)
{
	sqlite3 *db = NULL;
	int rc = 0;

	if (access(database_path, F_OK) != 0)
		return 0;
	if (sqlite3_open_v2(database_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
		gr_error_set("cannot read the database %s: %s", database_path,
			     db ? sqlite3_errmsg(db) : "out of memory");
		rc = GR_ERROR;
	}
	if (sqlite3_close(db) != SQLITE_OK && rc == 0) {
		gr_error_set("cannot close the database %s", database_path);
		rc = GR_ERROR;
	}
	return rc;
}

/* Keeps the old database as path.before-restore (a hard link: path stays). */
static int keep_old(const char *database_path)
{
	char kept[PATH_MAX + 32];

	if (access(database_path, F_OK) != 0)
		return 0;
	snprintf(kept, sizeof(kept), "%s.before-restore", database_path);
	unlink(kept);
	if (link(database_path, kept) != 0) {
		gr_error_set("cannot keep the old database as %s: %s", kept, strerror(errno));
		return GR_ERROR;
	}
	return 0;
}

/* The log and shared memory of the old database must not meet the new one. */
static int remove_side_files(const char *database_path)
{
	static const char *const suffixes[] = { "-wal", "-shm", "-journal" };
	char side[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", database_path, suffixes[i]);
		if (unlink(side) != 0 && errno != ENOENT) {
			gr_error_set("cannot remove %s: %s", side, strerror(errno));
			return GR_ERROR;
		}
	}
	return 0;
}

int gr_store_backup_restore(const char *database_path, const char *backup_path)
{
	char beside[PATH_MAX + 16];
	int version, rc;

	if ((size_t)snprintf(beside, sizeof(beside), "%s.restoring", database_path) >=
	    sizeof(beside)) {
		gr_error_set("the database's path is too long");
		return GR_EINVALID;
	}
	if ((rc = gr_store_backup_verify(backup_path, &version)) != 0)
		return rc;
	unlink(beside);
	if ((rc = copy_file(backup_path, beside)) != 0 ||
	    (rc = gr_store_backup_verify(beside, &version)) != 0)
		goto out;
	if ((rc = fold_log(database_path)) != 0 || (rc = keep_old(database_path)) != 0 ||
	    (rc = remove_side_files(database_path)) != 0)
		goto out;
	rc = rename_synced(beside, database_path);
out:
	if (rc)
		unlink(beside);
	return rc;
}

/* ---- the integrity of the open database ---------------------------------- */

int gr_store_backup_integrity(struct gr_store *store, int *out_problems, gr_store_problem_fn *fn,
			      void *payload)
{
	return check_db(store->db, out_problems, fn, payload);
}
