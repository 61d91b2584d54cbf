/*
 * schema.h - the version of the database's schema. The schema itself and
 * its numbered migrations are in schema.c; gr_store_open() brings a
 * database up to the latest.
 */
#ifndef GR_STORE_SCHEMA_H
#define GR_STORE_SCHEMA_H

#include "store/store.h"

/* The database's schema version (PRAGMA user_version); -1 if it cannot be read. */
int gr_store_schema_version(struct gr_store *store);

/* The number of migrations this binary knows: the version it brings a database to. */
int gr_store_schema_latest(void);

#endif
