/*
 * store.h - the one SQLite database: opening it, transactions and small
 * settings. Each domain's queries have their own header next to this one
 * (user.h, help.h, ...); schema.h has the schema's version. Only files in
 * daemon/store/ include sqlite3.h; callers see plain structs. Times are Unix
 * milliseconds and always passed in, so callers (and tests) own the clock.
 *
 * A store handle belongs to one thread. groundsd uses it from its event loop;
 * the operator's tool opens its own handle on the same file (WAL mode lets both
 * work at once; a writer waits up to 5 s for the other's lock).
 */
#ifndef GR_STORE_H
#define GR_STORE_H

#include <stddef.h>
#include <stdint.h>

struct gr_store;

/* Open (creating if needed) and migrate the database at path. */
int gr_store_open(struct gr_store **out, const char *path);

/*
 * The same with a given migration list; migration i (from 0) takes the schema
 * from version i to i + 1. For tests of the migration machinery: every
 * query needs the real schema, so on such a store only
 * gr_store_schema_version() and gr_store_close() may be called.
 */
int gr_store_open_with(struct gr_store **out, const char *path,
		       const char *const *migrations, int migration_count);

/* Accepts NULL. */
void gr_store_close(struct gr_store *store);

/*
 * The database file's path, for another connection to the same database
 * (a worker's reads: WAL lets it read the last commit while this one
 * writes); NULL for a database in memory. Borrowed.
 */
const char *gr_store_path(struct gr_store *store);

/*
 * How a commit is made durable. DURABLE (the default at open): the log is
 * synced at every commit (synchronous = FULL), so what was acknowledged
 * survives a power cut. FAST (synchronous = NORMAL): it survives the
 * process being killed, but a power cut may lose the last commits (the
 * database stays consistent).
 */
enum gr_store_durability { GR_STORE_DURABLE, GR_STORE_FAST };
int gr_store_set_durability(struct gr_store *store, enum gr_store_durability durability);
/* PRAGMA synchronous as SQLite numbers it (1 NORMAL, 2 FULL), or -1; for tests. */
int gr_store_durability_synchronous(struct gr_store *store);

/*
 * Transactions nest: inside an open transaction, begin makes a savepoint,
 * commit releases it and rollback undoes only it. The outermost commit is
 * the one that makes everything durable.
 */
int gr_store_begin(struct gr_store *store);
int gr_store_commit(struct gr_store *store);
void gr_store_rollback(struct gr_store *store);
int gr_store_in_transaction(struct gr_store *store);

/* Small key/value settings. get: GR_ENOTFOUND if absent. */
int gr_store_meta_get(struct gr_store *store, char *out, size_t out_size, const char *key);
int gr_store_meta_set(struct gr_store *store, const char *key, const char *value);

/*
 * SQLite's data_version of this connection: it moves whenever another
 * connection (the operator's tool) committed a change to the file, and
 * never for this connection's own writes.
 */
int gr_store_data_version(struct gr_store *store, int64_t *out);

/*
 * Listings (the functions of the domain headers that take a callback) call
 * it for each row in order and stop early when it returns non-zero: they
 * return what it returned when that is an error code (negative), passed up
 * unchanged, and 0 when it only asked to stop (positive). A row this
 * grounds cannot read (a stored name it does not know) stops a listing
 * with that row's error.
 */

/* Called with one row id of a listing. */
typedef int gr_store_id_fn(int64_t id, void *payload);

#endif
