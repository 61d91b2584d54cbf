/* Tests for store/checkpoint.h: offloaded, the write-ahead log is folded
 * back into the database by a worker once it holds the given pages, not in
 * the commit; nothing committed is lost; SQLite checkpoints by itself again
 * after stop; a store closed while a checkpoint runs frees it when it ends. */
#include "harness.h"
#include "scratch.h"

#include "core/workers.h"
#include "store/checkpoint.h"
#include "store/user.h"

#include <sys/stat.h>
#include <time.h>

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Run the finished jobs' ends, as the loop does, until none is left (at most 10 s). */
static void settle(struct gr_workers *workers)
{
	struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 10000 && gr_workers_pending(workers) > 0; i++) {
		gr_workers_complete(workers);
		nanosleep(&pause, NULL);
	}
	gr_workers_complete(workers);
}

static void add_users(struct gr_store *store, struct gr_workers *workers, const char *prefix,
		      int count)
{
	for (int i = 0; i < count; i++) {
		char handle[32];
		struct gr_user user;

		snprintf(handle, sizeof handle, "%s%d", prefix, i);
		user = make_user(handle, GR_ROLE_LEARNER);
		CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
		gr_workers_complete(workers);
	}
}

static void test_offloaded(void)
{
	char *dir, database[600];
	struct gr_store *store = open_fresh(&dir);
	struct gr_workers *workers = NULL;
	long done = -1, failed = -1, in_place = -1;
	long long before;

	snprintf(database, sizeof database, "%s", db_path(dir, "grounds.db"));
	CHECK_INT(gr_workers_start(&workers, 1), ==, 0);
	CHECK_INT(gr_store_checkpoint_offload(store, workers, 0), ==, GR_EINVALID);
	CHECK_INT(gr_store_checkpoint_offload(store, workers, 8), ==, 0);
	before = file_size(database);
	add_users(store, workers, "learner", 200);
	settle(workers);
	gr_store_checkpoint_counts(store, &done, &failed, &in_place);
	CHECK(done >= 1);
	CHECK_INT(failed, ==, 0);
	/* The pages reached the database file itself: SQLite alone would wait for 1,000. */
	CHECK(file_size(database) > before);
	CHECK_INT(query_int(database, "SELECT count(*) FROM users"), ==, 200);

	/* Stopped: commits go on (SQLite checkpoints in them again), no job is queued. */
	gr_store_checkpoint_stop(store);
	add_users(store, workers, "later", 50);
	CHECK_INT(gr_workers_pending(workers), ==, 0);
	gr_store_checkpoint_counts(store, &done, &failed, &in_place);
	CHECK_INT(done, ==, 0); /* the counts went with the offload */
	CHECK_INT(query_int(database, "SELECT count(*) FROM users"), ==, 250);
	gr_workers_stop(workers);
	close_fresh(store, dir);
}

/*
 * Steady writes with a worker's checkpoint always running: the commits
 * checkpoint in place once the log is four times the mark, so it starts
 * over and stays bounded.
 */
static void test_log_bounded(void)
{
	char *dir, wal[600];
	struct gr_store *store = open_fresh(&dir);
	struct gr_workers *workers = NULL;
	long done = -1, failed = -1, in_place = -1;
	long long largest = 0;

	snprintf(wal, sizeof wal, "%s", db_path(dir, "grounds.db-wal"));
	CHECK_INT(gr_workers_start(&workers, 1), ==, 0);
	CHECK_INT(gr_store_checkpoint_offload(store, workers, 8), ==, 0);
	for (int i = 0; i < 400; i++) {
		char handle[32];
		struct gr_user user;

		snprintf(handle, sizeof handle, "learner%d", i);
		user = make_user(handle, GR_ROLE_LEARNER);
		CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
		if (i % 50 == 49)
			gr_workers_complete(workers); /* the loop is busy: its ends run late */
		if (file_size(wal) > largest)
			largest = file_size(wal);
	}
	settle(workers);
	gr_store_checkpoint_counts(store, &done, &failed, &in_place);
	CHECK(in_place >= 1);
	CHECK_INT(failed, ==, 0);
	/* 400 inserts without a restart make a log of over 2 MB; bounded, it stays far below. */
	CHECK(largest < 1024 * 1024);
	CHECK_INT(query_int(db_path(dir, "grounds.db"), "SELECT count(*) FROM users"), ==, 400);
	gr_store_checkpoint_stop(store);
	gr_workers_stop(workers);
	close_fresh(store, dir);
}

static void test_closed_while_running(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_workers *workers = NULL;

	CHECK_INT(gr_workers_start(&workers, 1), ==, 0);
	CHECK_INT(gr_store_checkpoint_offload(store, workers, 1), ==, 0);
	add_users(store, workers, "learner", 3); /* queues a checkpoint; its end not yet run */
	gr_store_close(store);			/* the job ends later and frees what it used */
	gr_workers_stop(workers);
	harness_remove_tree(dir);
	free(dir);
}

int main(void)
{
	RUN(test_offloaded);
	RUN(test_log_bounded);
	RUN(test_closed_while_running);
	return harness_done();
}
