/*
 * snapshot.c - the review engine's snapshots in the store (see
 * snapshot.h; when they are made and read: "Snapshots" in
 * services/reviews.c).
 *
 * Owns the review_snapshots table (migration 6 in schema.c) and the pruning
 * of review_inputs. A snapshot row is (seq, state, made_at): state is the
 * engine's bytes (domain/review.c, "Snapshots") once it had applied every
 * input up to seq. The bytes are opaque here. Statements are prepared once,
 * at open, like every store file's (internal.h).
 *
 * Pruning keeps what a start may need: the newest keep snapshots and every
 * input after the oldest of them, so a newest snapshot that cannot be read
 * still leaves an older one and the inputs after it. The input at the
 * oldest kept seq itself stays: review_inputs numbers rows max(seq) + 1,
 * and an emptied table would start again at 1, below the snapshots.
 */
#include "store/snapshot.h"

#include "core/error.h"
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum statement { SAVE, KEEP, PRUNE, NEWEST, COUNT, FIRST_INPUT, INPUTS_AFTER, STATEMENT_COUNT };

static const char *const sql[STATEMENT_COUNT] = {
	[SAVE] = "INSERT OR REPLACE INTO review_snapshots (seq, state, made_at)"
		" SELECT coalesce(max(seq), 0), ?1, ?2 FROM review_inputs RETURNING seq",
	[KEEP] = "DELETE FROM review_snapshots WHERE seq < (SELECT min(seq) FROM"
		" (SELECT seq FROM review_snapshots ORDER BY seq DESC LIMIT ?1))",
	[PRUNE] = "DELETE FROM review_inputs WHERE (SELECT count(*) FROM review_snapshots) >= ?1"
		" AND seq < (SELECT min(seq) FROM review_snapshots)",
	[NEWEST] = "SELECT seq, state, made_at FROM review_snapshots"
		" WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
	[COUNT] = "SELECT count(*) FROM review_snapshots",
	[FIRST_INPUT] = "SELECT coalesce(min(seq), 0) FROM review_inputs",
	[INPUTS_AFTER] = "SELECT seq, kind, a, b, c, d, at FROM review_inputs"
		" WHERE seq > ?1 ORDER BY seq",
};

const struct store_sql store_snapshot_sql = { sql, STATEMENT_COUNT };

int gr_store_snapshot_save(struct gr_store *store, int64_t *out_seq, const unsigned char *bytes,
			   size_t size, int64_t now, int keep)
{
	sqlite3_stmt *stmt = store_statement(store, STORE_FILE_SNAPSHOT, SAVE);
	int rc;

	*out_seq = 0;
	if (!stmt)
		return GR_ERROR;
	sqlite3_bind_blob64(stmt, 1, bytes, size, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out_seq = sqlite3_column_int64(stmt, 0);
	if (rc != SQLITE_ROW || sqlite3_step(stmt) != SQLITE_DONE) {
		rc = store_fail(store, "saving a snapshot of the review engine");
		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	if (!(stmt = store_statement(store, STORE_FILE_SNAPSHOT, KEEP)))
		return GR_ERROR;
	sqlite3_bind_int(stmt, 1, keep < 1 ? 1 : keep);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	if (!(stmt = store_statement(store, STORE_FILE_SNAPSHOT, PRUNE)))
		return GR_ERROR;
	sqlite3_bind_int(stmt, 1, keep < 1 ? 1 : keep);
	return store_run(store, stmt, NULL);
}

static int copy_snapshot(struct gr_store_snapshot *out, sqlite3_stmt *stmt)
{
	const void *blob = sqlite3_column_blob(stmt, 1);
	int size = sqlite3_column_bytes(stmt, 1);

	out->seq = sqlite3_column_int64(stmt, 0);
	out->made_at = sqlite3_column_int64(stmt, 2);
	out->size = (size_t)size;
	if (!(out->bytes = malloc(out->size ? out->size : 1))) {
		gr_error_set("out of memory reading a snapshot of %d bytes", size);
		return GR_ERROR;
	}
	if (size > 0)
		memcpy(out->bytes, blob, out->size);
	return 0;
}

int gr_store_snapshot_newest(struct gr_store *store, struct gr_store_snapshot *out, int64_t before)
{
	sqlite3_stmt *stmt = store_statement(store, STORE_FILE_SNAPSHOT, NEWEST);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!stmt)
		return GR_ERROR;
	sqlite3_bind_int64(stmt, 1, before);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		rc = copy_snapshot(out, stmt);
	else if (rc == SQLITE_DONE)
		rc = GR_ENOTFOUND;
	else
		rc = store_fail(store, "reading a snapshot of the review engine");
	sqlite3_reset(stmt);
	if (rc == GR_ENOTFOUND)
		gr_error_set("no snapshot of the review engine");
	return rc;
}

void gr_store_snapshot_clear(struct gr_store_snapshot *snapshot)
{
	free(snapshot->bytes);
	memset(snapshot, 0, sizeof(*snapshot));
}

/* The one integer a query returns. */
static int query_int64(struct gr_store *store, int64_t *out, int which, const char *doing)
{
	sqlite3_stmt *stmt = store_statement(store, STORE_FILE_SNAPSHOT, which);
	int rc;

	*out = 0;
	if (!stmt)
		return GR_ERROR;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	rc = rc == SQLITE_ROW ? 0 : store_fail(store, doing);
	sqlite3_reset(stmt);
	return rc;
}

int gr_store_snapshot_count(struct gr_store *store, int *out)
{
	int64_t count = 0;
	int rc = query_int64(store, &count, COUNT, "counting the review engine's snapshots");

	*out = (int)count;
	return rc;
}

int gr_store_snapshot_first_input(struct gr_store *store, int64_t *out)
{
	return query_int64(store, out, FIRST_INPUT, "reading the first review input");
}

int gr_store_snapshot_inputs_after(struct gr_store *store, int64_t seq,
				   gr_store_review_input_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = store_statement(store, STORE_FILE_SNAPSHOT, INPUTS_AFTER);
	struct gr_store_review_input row;
	int rc;

	if (!stmt)
		return GR_ERROR;
	sqlite3_bind_int64(stmt, 1, seq);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *kind = sqlite3_column_text(stmt, 1);

		memset(&row, 0, sizeof(row));
		row.seq = sqlite3_column_int64(stmt, 0);
		snprintf(row.kind, sizeof(row.kind), "%s", kind ? (const char *)kind : "");
		row.a = sqlite3_column_int64(stmt, 2);
		row.b = sqlite3_column_int64(stmt, 3);
		row.c = sqlite3_column_int64(stmt, 4);
		row.d = sqlite3_column_int64(stmt, 5);
		row.at = sqlite3_column_int64(stmt, 6);
		if ((rc = fn(&row, payload)) != 0) {
			sqlite3_reset(stmt);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(store, "reading the review inputs");
	sqlite3_reset(stmt);
	return rc;
}
