/*
 * checkpoint.c - checkpoints of the write-ahead log on the worker pool
 * (checkpoint.h). SQLite's own automatic checkpoint is a write-ahead-log
 * hook; sqlite3_wal_hook() replaces it with ours, which queues the job.
 */
#include "store/checkpoint.h"

#include "core/error.h"
#include "core/log.h"
#include "core/workers.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SQLITE_DEFAULT_WAL_AUTOCHECKPOINT
#define SQLITE_DEFAULT_WAL_AUTOCHECKPOINT 1000
#endif

struct store_checkpoint {
	struct gr_workers *workers;
	char *path;
	int pages;
	int running; /* a job is queued or running */
	int closed;  /* the store closed while it ran: its done() frees this */
	int rc;	     /* the running job's result, read in done() */
	char error[256];
	long done, failed, in_place;
};

static void checkpoint_work(void *payload)
{
	struct store_checkpoint *checkpoint = payload;
	sqlite3 *db = NULL;
	int rc;

	checkpoint->error[0] = '\0';
	rc = sqlite3_open_v2(checkpoint->path, &db, SQLITE_OPEN_READWRITE, NULL);
	/* A connection that has read nothing yet does not know the log is there. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		snprintf(checkpoint->error, sizeof(checkpoint->error), "%s (%d)",
			 db ? sqlite3_errmsg(db) : "out of memory",
			 db ? sqlite3_extended_errcode(db) : rc);
	checkpoint->rc = rc == SQLITE_BUSY ? SQLITE_OK : rc; /* busy: the next one goes on */
	sqlite3_close(db);
}

static void checkpoint_done(void *payload)
{
	struct store_checkpoint *checkpoint = payload;

	checkpoint->running = 0;
	checkpoint->done++;
	if (checkpoint->rc != SQLITE_OK) {
		checkpoint->failed++;
		gr_log_warn("checkpointing %s: %s (the next commit tries again)", checkpoint->path,
			    checkpoint->error);
	}
	if (checkpoint->closed)
		store_checkpoint_free(checkpoint);
}

/*
 * After each commit of the loop's connection: the log holds frames pages.
 * The log starts over at the first write after a checkpoint that left
 * nothing in it, which under steady writes a worker's checkpoint never
 * does (commits land while it runs). So once the log is LOG_GROWN times
 * the mark, this commit checkpoints in place, as SQLite would: most pages
 * are in the database already, and the next write starts the log over.
 */
#define LOG_GROWN 4

static int on_commit(void *payload, sqlite3 *db, const char *name, int frames)
{
	struct store_checkpoint *checkpoint = payload;

	if (frames < checkpoint->pages || checkpoint->running)
		return SQLITE_OK;
	if (frames >= LOG_GROWN * checkpoint->pages) {
		checkpoint->in_place++;
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	if (gr_workers_submit(checkpoint->workers, checkpoint_work, checkpoint_done, checkpoint) ==
	    0)
		checkpoint->running = 1;
	else
		gr_log_warn("checkpointing %s: %s (the next commit tries again)", checkpoint->path,
			    gr_error_last());
	return SQLITE_OK;
}

int gr_store_checkpoint_offload(struct gr_store *store, struct gr_workers *workers, int pages)
{
	const char *path = gr_store_path(store);
	struct store_checkpoint *checkpoint;

	if (!path || store->checkpoint)
		return 0;
	if (pages <= 0) {
		gr_error_set("checkpoint: pages must be > 0 (got %d)", pages);
		return GR_EINVALID;
	}
	if (!(checkpoint = calloc(1, sizeof(*checkpoint))) ||
	    !(checkpoint->path = strdup(path))) {
		free(checkpoint);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	checkpoint->workers = workers;
	checkpoint->pages = pages;
	store->checkpoint = checkpoint;
	sqlite3_wal_hook(store->db, on_commit, checkpoint);
	return 0;
}

void gr_store_checkpoint_stop(struct gr_store *store)
{
	if (!store->checkpoint)
		return;
	sqlite3_wal_autocheckpoint(store->db, SQLITE_DEFAULT_WAL_AUTOCHECKPOINT);
	store_checkpoint_close(store->checkpoint);
	store->checkpoint = NULL;
}

void gr_store_checkpoint_counts(struct gr_store *store, long *done, long *failed,
				long *in_place)
{
	*done = store->checkpoint ? store->checkpoint->done : 0;
	*failed = store->checkpoint ? store->checkpoint->failed : 0;
	*in_place = store->checkpoint ? store->checkpoint->in_place : 0;
}

void store_checkpoint_close(struct store_checkpoint *checkpoint)
{
	if (!checkpoint)
		return;
	if (checkpoint->running)
		checkpoint->closed = 1; /* its done() frees it */
	else
		store_checkpoint_free(checkpoint);
}

void store_checkpoint_free(struct store_checkpoint *checkpoint)
{
	free(checkpoint->path);
	free(checkpoint);
}
