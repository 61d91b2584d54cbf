/* Tests for store/snapshot.c: a snapshot covers the review inputs stored
 * before it and commits or rolls back with them; the newest before a seq
 * is found; only the newest snapshots are kept, and the inputs before the
 * oldest kept one are pruned, but never so that the inputs' numbering
 * starts again; the inputs after a seq come back in order. */
#include "harness.h"

#include "core/error.h"
#include "store/snapshot.h"
#include "store/store.h"

struct fixture {
	char *dir;
	char path[512];
	struct gr_store *store;
};

static void fixture_open(struct fixture *f)
{
	f->dir = harness_temp_dir();
	snprintf(f->path, sizeof f->path, "%s/grounds.db", f->dir);
	CHECK_INT(gr_store_open(&f->store, f->path), ==, 0);
}

static void fixture_close(struct fixture *f)
{
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

static void add_inputs(struct fixture *f, int n)
{
	struct gr_store_review_input input = {.kind = "tick", .at = 1000};

	for (int i = 0; i < n; i++)
		CHECK_INT(gr_store_review_input_insert(f->store, &input), ==, 0);
}

struct seqs {
	int64_t items[64];
	int count;
};

static int collect(const struct gr_store_review_input *input, void *payload)
{
	struct seqs *seqs = payload;

	if (seqs->count < 64)
		seqs->items[seqs->count++] = input->seq;
	return 0;
}

static int64_t first_input(struct fixture *f)
{
	int64_t first = -1;

	CHECK_INT(gr_store_snapshot_first_input(f->store, &first), ==, 0);
	return first;
}

static int snapshot_count(struct fixture *f)
{
	int count = -1;

	CHECK_INT(gr_store_snapshot_count(f->store, &count), ==, 0);
	return count;
}

static void test_save_and_read(void)
{
	struct fixture f;
	struct gr_store_snapshot snapshot = {0};
	struct seqs seqs = {0};
	const unsigned char one[] = {1, 2, 3}, two[] = {4, 5, 6, 7};
	int64_t seq = -1;

	fixture_open(&f);
	CHECK_INT(first_input(&f), ==, 0);
	CHECK_INT(gr_store_snapshot_newest(f.store, &snapshot, INT64_MAX), ==, GR_ENOTFOUND);
	add_inputs(&f, 3);
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, one, sizeof one, 500, 2), ==, 0);
	CHECK_INT(seq, ==, 3);
	add_inputs(&f, 2);
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, two, sizeof two, 600, 2), ==, 0);
	CHECK_INT(seq, ==, 5);
	CHECK_INT(gr_store_snapshot_newest(f.store, &snapshot, INT64_MAX), ==, 0);
	CHECK_INT(snapshot.seq, ==, 5);
	CHECK_INT(snapshot.made_at, ==, 600);
	CHECK_INT(snapshot.size, ==, sizeof two);
	CHECK(snapshot.bytes && memcmp(snapshot.bytes, two, sizeof two) == 0);
	gr_store_snapshot_clear(&snapshot);
	CHECK(snapshot.bytes == NULL);
	CHECK_INT(gr_store_snapshot_newest(f.store, &snapshot, 5), ==, 0);
	CHECK_INT(snapshot.seq, ==, 3);
	CHECK(snapshot.bytes && memcmp(snapshot.bytes, one, sizeof one) == 0);
	gr_store_snapshot_clear(&snapshot);
	CHECK_INT(gr_store_snapshot_newest(f.store, &snapshot, 3), ==, GR_ENOTFOUND);
	/* With two kept, the inputs before the older one are gone, its own stays. */
	CHECK_INT(first_input(&f), ==, 3);
	CHECK_INT(gr_store_snapshot_inputs_after(f.store, 3, collect, &seqs), ==, 0);
	CHECK_INT(seqs.count, ==, 2);
	CHECK_INT(seqs.items[0], ==, 4);
	CHECK_INT(seqs.items[1], ==, 5);
	fixture_close(&f);
}

static void test_keep_and_prune(void)
{
	struct fixture f;
	struct gr_store_snapshot snapshot = {0};
	const unsigned char bytes[] = {9};
	int64_t seq = 0;

	fixture_open(&f);
	for (int i = 0; i < 5; i++) {
		add_inputs(&f, 10);
		CHECK_INT(gr_store_snapshot_save(f.store, &seq, bytes, sizeof bytes, i, 2), ==, 0);
		CHECK_INT(seq, ==, 10 * (i + 1));
	}
	CHECK_INT(snapshot_count(&f), ==, 2);
	CHECK_INT(first_input(&f), ==, 40);
	/* Nothing new since the last: the same seq replaces it, and nothing more goes. */
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, bytes, sizeof bytes, 99, 2), ==, 0);
	CHECK_INT(seq, ==, 50);
	CHECK_INT(snapshot_count(&f), ==, 2);
	CHECK_INT(first_input(&f), ==, 40);
	CHECK_INT(gr_store_snapshot_newest(f.store, &snapshot, INT64_MAX), ==, 0);
	CHECK_INT(snapshot.made_at, ==, 99);
	gr_store_snapshot_clear(&snapshot);
	/* The numbering goes on after pruning. */
	add_inputs(&f, 1);
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, bytes, sizeof bytes, 100, 2), ==, 0);
	CHECK_INT(seq, ==, 51);
	CHECK_INT(first_input(&f), ==, 50);
	/* Keeping one: every input before it goes but its own. */
	add_inputs(&f, 4);
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, bytes, sizeof bytes, 101, 1), ==, 0);
	CHECK_INT(snapshot_count(&f), ==, 1);
	CHECK_INT(first_input(&f), ==, 55);
	add_inputs(&f, 1);
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, bytes, sizeof bytes, 102, 1), ==, 0);
	CHECK_INT(seq, ==, 56);
	fixture_close(&f);
}

/* A snapshot is part of the caller's transaction. */
static void test_rolled_back(void)
{
	struct fixture f;
	struct gr_store_snapshot snapshot = {0};
	const unsigned char bytes[] = {1, 2};
	int64_t seq = 0;

	fixture_open(&f);
	add_inputs(&f, 2);
	CHECK_INT(gr_store_begin(f.store), ==, 0);
	add_inputs(&f, 2);
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, bytes, sizeof bytes, 1, 2), ==, 0);
	CHECK_INT(seq, ==, 4);
	gr_store_rollback(f.store);
	CHECK_INT(gr_store_snapshot_newest(f.store, &snapshot, INT64_MAX), ==, GR_ENOTFOUND);
	CHECK_INT(snapshot_count(&f), ==, 0);
	CHECK_INT(gr_store_begin(f.store), ==, 0);
	CHECK_INT(gr_store_snapshot_save(f.store, &seq, bytes, sizeof bytes, 1, 2), ==, 0);
	CHECK_INT(seq, ==, 2);
	CHECK_INT(gr_store_commit(f.store), ==, 0);
	/* Survives a reopen. */
	gr_store_close(f.store);
	CHECK_INT(gr_store_open(&f.store, f.path), ==, 0);
	CHECK_INT(gr_store_snapshot_newest(f.store, &snapshot, INT64_MAX), ==, 0);
	CHECK_INT(snapshot.seq, ==, 2);
	gr_store_snapshot_clear(&snapshot);
	fixture_close(&f);
}

int main(void)
{
	RUN(test_save_and_read);
	RUN(test_keep_and_prune);
	RUN(test_rolled_back);
	return harness_done();
}
