/*
 * backup.h - copies of the database for the operator: a consistent copy
 * taken while groundsd writes, its verification, putting one back in place
 * of a data directory's database, and the database's own integrity check.
 * The domain's checks over the rows are the check service's
 * (services/check.h); the operator's commands are grounds backup, restore
 * and check (docs/operating.md).
 */
#ifndef GR_STORE_BACKUP_H
#define GR_STORE_BACKUP_H

#include "store/store.h"

/*
 * A consistent copy of the database at path, as of one moment: every
 * transaction committed before the copy began, none after (a read
 * transaction on the WAL, so groundsd keeps writing meanwhile). Written to
 * path.partial, verified, synced, then renamed onto path, so path is either
 * absent, the old file, or a whole verified copy. GR_EINVALID when path
 * exists and replace is 0.
 */
int gr_store_backup(struct gr_store *store, const char *path, int replace);

/*
 * Whether the file at path is a whole grounds database this binary can
 * open: SQLite's integrity check passes, and its schema version is from 1
 * up to the latest this binary knows (*out_version). Opens it read-only.
 * GR_EINVALID with what is wrong, GR_ENEWER for a newer schema.
 */
int gr_store_backup_verify(const char *path, int *out_version);

/*
 * Puts the backup at backup_path in place of the database at
 * database_path, which no one may have open (the caller holds the data
 * directory's lock). Verifies it first and changes nothing when it fails.
 * The copy is written beside the database and synced; the old database,
 * its log folded in, stays as database_path.before-restore; then one
 * rename makes the copy the database, so a crash at any point leaves either
 * the old database or the restored one.
 */
int gr_store_backup_restore(const char *database_path, const char *backup_path);

/* One problem the integrity check found, a line of text. */
typedef void gr_store_problem_fn(const char *problem, void *payload);

/*
 * PRAGMA integrity_check and foreign_key_check on the open database: calls
 * fn for each problem and sets *out_problems to their number. 0 when the
 * checks ran (whatever they found), else a code.
 */
int gr_store_backup_integrity(struct gr_store *store, int *out_problems, gr_store_problem_fn *fn,
			      void *payload);

#endif
