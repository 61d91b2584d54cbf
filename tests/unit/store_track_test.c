/* Tests for store/track.h: the registry of tracks. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "store/track.h"

static int collect_track(const struct gr_track_entry *entry, void *payload)
{
	char *out = payload;
	size_t used = strlen(out);

	snprintf(out + used, 1024 - used, "%s|%s|%s|%s|%lld;", entry->id, entry->repo, entry->ref,
		 entry->subdir, (long long)entry->added_at);
	return 0;
}

static int stop_at_first(const struct gr_track_entry *entry, void *payload)
{
	(*(int *)payload)++;
	return 1;
}

static void test_tracks(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_track_entry entry;
	char listing[1024] = "";
	int calls = 0;

	memset(&entry, 0, sizeof entry);
	snprintf(entry.id, sizeof entry.id, "zeta");
	snprintf(entry.repo, sizeof entry.repo, "/srv/zeta.git");
	snprintf(entry.ref, sizeof entry.ref, "main");
	snprintf(entry.subdir, sizeof entry.subdir, "course");
	entry.added_at = 42;
	CHECK_INT(gr_store_track_insert(store, &entry), ==, 0);
	CHECK_INT(gr_store_track_insert(store, &entry), ==, GR_EEXISTS);
	CHECK_CONTAINS(gr_error_last(), "zeta");

	memset(&entry, 0, sizeof entry);
	snprintf(entry.id, sizeof entry.id, "alpha");
	snprintf(entry.repo, sizeof entry.repo, "/srv/alpha.git");
	entry.added_at = 7;
	CHECK_INT(gr_store_track_insert(store, &entry), ==, 0);

	CHECK_INT(gr_store_track_each(store, collect_track, listing), ==, 0);
	CHECK_STR(listing, "alpha|/srv/alpha.git|||7;zeta|/srv/zeta.git|main|course|42;");
	CHECK_INT(gr_store_track_each(store, stop_at_first, &calls), ==, 0);
	CHECK_INT(calls, ==, 1);

	CHECK_INT(gr_store_track_delete(store, "zeta"), ==, 0);
	CHECK_INT(gr_store_track_delete(store, "zeta"), ==, GR_ENOTFOUND);
	listing[0] = '\0';
	CHECK_INT(gr_store_track_each(store, collect_track, listing), ==, 0);
	CHECK_STR(listing, "alpha|/srv/alpha.git|||7;");

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

int main(void)
{
	RUN(test_tracks);
	return harness_done();
}
