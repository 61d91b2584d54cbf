/*
 * track.c - the tracks table, the registry of tracks (see track.h).
 *
 * Owns adding, removing and listing registered tracks. Leaves cloning and
 * reading them to tracks/library.c, and the operator's commands to
 * tools/grounds.c.
 */
#include "store/track.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <string.h>

enum statement { INSERT, DELETE, ALL, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO tracks (id, repo, ref, subdir, added_at)"
		   " VALUES (?1, ?2, ?3, ?4, ?5)",
	[DELETE] = "DELETE FROM tracks WHERE id = ?1",
	[ALL] = "SELECT id, repo, ref, subdir, added_at FROM tracks ORDER BY id",
};

const struct store_sql store_track_sql = { sql, STATEMENT_COUNT };

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_TRACK, which);
}

int gr_store_track_insert(struct gr_store *store, const struct gr_track_entry *entry)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_text(stmt, 1, entry->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, entry->repo, -1, SQLITE_STATIC);
	store_bind_text_or_null(stmt, 3, entry->ref);
	store_bind_text_or_null(stmt, 4, entry->subdir);
	sqlite3_bind_int64(stmt, 5, entry->added_at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("there is already a track '%s'", entry->id);
		return GR_EEXISTS;
	}
	return rc == SQLITE_DONE ? 0 : store_fail(store, "adding a track");
}

int gr_store_track_delete(struct gr_store *store, const char *id)
{
	sqlite3_stmt *stmt = statement(store, DELETE);
	int changes = 0;
	int rc;

	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("no track '%s'", id);
		return GR_ENOTFOUND;
	}
	return 0;
}

int gr_store_track_each(struct gr_store *store, gr_store_track_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, ALL);
	struct gr_track_entry entry;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "listing tracks")) {
		memset(&entry, 0, sizeof(entry));
		store_column_text(entry.id, sizeof(entry.id), stmt, 0);
		store_column_text(entry.repo, sizeof(entry.repo), stmt, 1);
		store_column_text(entry.ref, sizeof(entry.ref), stmt, 2);
		store_column_text(entry.subdir, sizeof(entry.subdir), stmt, 3);
		entry.added_at = sqlite3_column_int64(stmt, 4);
		if ((rc = fn(&entry, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}
