/*
 * demo.h - where the tests of the live, review and coach services start: a
 * fake clock, network hooks that do nothing, and a store in a test's
 * directory with the track "demo" (written by the test's own make_track)
 * registered and loaded into a library.
 */
#ifndef GROUNDS_TEST_DEMO_H
#define GROUNDS_TEST_DEMO_H

#include "core/fanout.h"
#include "tracks/library.h"
#include "store/store.h"
#include "store/track.h"
#include "core/workers.h"

#include "harness.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

static int64_t fake_now = 1800000000000LL;

static inline int64_t fake_clock(void)
{
	return fake_now;
}

/* The network layer's hooks, for services that run without one. */
static inline void ignore_flush(void *payload)
{
	(void)payload;
}

static inline void ignore_notify(struct gr_subscriber *subscriber, void *payload)
{
	(void)subscriber;
	(void)payload;
}

/*
 * In dir: make_track(dir/repo), a store at db (dir/grounds.db, written
 * there; db_size bytes), "demo" registered from the repo, and a library
 * (with one worker) that has loaded it.
 */
static inline void demo_open(const char *dir, void (*make_track)(const char *repo), char *db,
			     size_t db_size, struct gr_store **store, struct gr_workers **workers,
			     struct gr_library **library)
{
	struct gr_track_entry entry = {0};
	char repo[512];

	snprintf(repo, sizeof repo, "%s/repo", dir);
	mkdir(repo, 0755);
	make_track(repo);
	snprintf(db, db_size, "%s/grounds.db", dir);
	CHECK_INT(gr_store_open(store, db), ==, 0);
	snprintf(entry.id, sizeof entry.id, "demo");
	snprintf(entry.repo, sizeof entry.repo, "%s", repo);
	CHECK_INT(gr_store_track_insert(*store, &entry), ==, 0);
	CHECK_INT(gr_workers_start(workers, 1), ==, 0);
	CHECK_INT(gr_library_new(library, *store, *workers, 0), ==, 0);
	gr_library_check(*library);
	for (int i = 0; i < 500 && !gr_library_track(*library, "demo"); i++) {
		struct timespec pause = {0, 10 * 1000 * 1000};

		nanosleep(&pause, NULL);
		gr_workers_complete(*workers);
	}
	CHECK(gr_library_track(*library, "demo") != NULL);
}

#endif
