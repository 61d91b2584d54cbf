/*
 * checkpoint.h - the write-ahead log folded back into the database off the
 * event loop.
 *
 * SQLite checkpoints on its own after a commit that leaves the log at
 * 1,000 pages or more, inside that commit, on the committing thread: with
 * synchronous = FULL that is writing the pages back and syncing the
 * database file on the loop, a stall of several milliseconds every few
 * seconds under load. Offloaded, the loop's connection no longer
 * checkpoints by itself; after such a commit one checkpoint is queued on
 * the worker pool instead, on a connection of its own. It is PASSIVE: it
 * copies what no reader still needs and never waits for the writer or the
 * readers, so the loop's next commit is never held up by it. One runs at a
 * time; a commit that finds one running leaves the next to a later commit.
 * The log starts over only after a checkpoint that leaves nothing in it,
 * so when it has grown to four times the mark (steady writes), the commit
 * checkpoints what is left in place, as SQLite would have.
 */
#ifndef GR_STORE_CHECKPOINT_H
#define GR_STORE_CHECKPOINT_H

#include "store/store.h"

struct gr_workers;

/*
 * From now on, checkpoints of store's database run on workers (borrowed;
 * it must be stopped before the store is closed, as groundsd does) once
 * the log holds pages pages (> 0) after a commit. A store without a file
 * (in memory) is left as it is.
 */
int gr_store_checkpoint_offload(struct gr_store *store, struct gr_workers *workers, int pages);

/*
 * SQLite checkpoints in the commit again, from now on (before the workers
 * stop: a job still running ends on its own). Accepts a store never
 * offloaded.
 */
void gr_store_checkpoint_stop(struct gr_store *store);

/*
 * How many offloaded checkpoints have finished, how many of them failed,
 * and how many commits checkpointed in place because the log had grown to
 * four times the mark meanwhile.
 */
void gr_store_checkpoint_counts(struct gr_store *store, long *done, long *failed,
				long *in_place);

#endif
