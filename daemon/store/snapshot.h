/*
 * snapshot.h - snapshots of the review engine in the store: the bytes of
 * gr_review_snapshot() with the last review input they cover, the inputs
 * logged after one, and the pruning of the inputs no snapshot needs. When
 * and why: "Snapshots" in services/reviews.c; the table: migration 6 in
 * store.c. Times are Unix milliseconds.
 */
#ifndef GR_STORE_SNAPSHOT_H
#define GR_STORE_SNAPSHOT_H

#include "store/review.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct gr_store_snapshot {
	int64_t seq; /* the last review input it covers */
	int64_t made_at;
	unsigned char *bytes; /* malloc'd; gr_store_snapshot_clear() frees it */
	size_t size;
};

/*
 * Store bytes as the engine's state after every review input stored so
 * far (in the caller's transaction, so it commits or rolls back with
 * them); *out_seq is the last input it covers. Then only the newest keep
 * snapshots (keep >= 1) are kept, and once there are keep, the inputs
 * before the oldest kept one are deleted: a start can replay from any
 * kept snapshot. The input that snapshot covers last stays, so the
 * numbering of review_inputs (no AUTOINCREMENT) never starts again.
 */
int gr_store_snapshot_save(struct gr_store *store, int64_t *out_seq, const unsigned char *bytes,
			   size_t size, int64_t now, int keep);

/*
 * The newest snapshot covering fewer inputs than before (INT64_MAX: the
 * newest of all), its bytes the caller's (gr_store_snapshot_clear);
 * GR_ENOTFOUND when there is none.
 */
int gr_store_snapshot_newest(struct gr_store *store, struct gr_store_snapshot *out, int64_t before);
/* Frees the bytes; accepts a cleared or zeroed snapshot. */
void gr_store_snapshot_clear(struct gr_store_snapshot *snapshot);

/* How many snapshots are stored. */
int gr_store_snapshot_count(struct gr_store *store, int *out);

/* The first review input still stored, 0 when none is: those before it were pruned. */
int gr_store_snapshot_first_input(struct gr_store *store, int64_t *out);

/* Each review input after seq, in seq order; stops when fn returns non-zero. */
int gr_store_snapshot_inputs_after(struct gr_store *store, int64_t seq,
				   gr_store_review_input_fn *fn, void *payload);

#endif
