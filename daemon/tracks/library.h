/*
 * library.h - the tracks groundsd serves: the registry in the store, each
 * loaded at the commit its ref points to. gr_library_check() (every few
 * seconds) reads the registry, then a worker resolves every ref and loads
 * what changed; the results are swapped in whole on the loop thread. A
 * commit that fails to load leaves the last good one served.
 */
#ifndef GR_LIBRARY_H
#define GR_LIBRARY_H

#include "tracks/track.h"

#include <stdint.h>

struct gr_store;
struct gr_workers;
struct gr_library;

/* commit is NULL when the track was removed. */
typedef void gr_library_change_fn(const char *track_id, const char *commit, void *payload);

int gr_library_new(struct gr_library **out, struct gr_store *store, struct gr_workers *workers,
		   size_t max_blob);
void gr_library_free(struct gr_library *library);

void gr_library_set_listener(struct gr_library *library, gr_library_change_fn *fn, void *payload);

/* Start a check unless one is running. Loop thread only. */
void gr_library_check(struct gr_library *library);

/*
 * Check and load every track now, on the calling thread (at start, so the
 * tracks are served from the first request).
 */
void gr_library_load(struct gr_library *library);

/* Whether a check is running (for tests and shutdown). */
int gr_library_checking(const struct gr_library *library);

/* Loaded tracks, by id; borrowed until the next swap (loop thread only). */
int gr_library_count(const struct gr_library *library);
struct gr_track *gr_library_at(const struct gr_library *library, int index);
struct gr_track *gr_library_track(const struct gr_library *library, const char *id);

/*
 * Where a track's files come from, if commit is one this library has served
 * for it (the current commit or one of the few before). Borrowed.
 */
const struct gr_track_entry *gr_library_source(const struct gr_library *library, const char *id,
					       const char *commit);

/*
 * On the first start of a data directory (no track registered, samples never
 * added), commit each sample track under courses_dir into its own repository
 * in data_dir/tracks/NAME.git and register it. Sets *out_added to how many.
 */
int gr_library_add_samples(int *out_added, struct gr_store *store, const char *courses_dir,
			   const char *data_dir, int64_t now);

#endif
