/*
 * sql.h - what store.c lends the store's other files (snapshot.c): its
 * connection's statements, prepared once and kept until the store closes,
 * and its way of reporting a failed statement. Only daemon/store/ includes
 * this; the layers above see store.h and the other store headers.
 */
#ifndef GR_STORE_SQL_H
#define GR_STORE_SQL_H

#include <sqlite3.h>

struct gr_store;

/*
 * The statement for sql, prepared on first use and kept until the store
 * closes, reset and with its bindings cleared; borrowed. sql must have
 * static storage: its address is the key. NULL, with the message set,
 * when it does not prepare.
 */
sqlite3_stmt *gr_store_sql_statement(struct gr_store *store, const char *sql);

/* Run a statement that returns no rows; out_changes may be NULL. */
int gr_store_sql_run(struct gr_store *store, sqlite3_stmt *stmt, int *out_changes);

/* The connection's last error: its code (GR_EBUSY or GR_ERROR), the message set. */
int gr_store_sql_fail(struct gr_store *store, const char *doing);

#endif
