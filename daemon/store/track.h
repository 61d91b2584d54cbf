/*
 * track.h - the registry of tracks: which git repositories the library
 * serves, and from which ref and folder. Reading the tracks is tracks/'s.
 */
#ifndef GR_STORE_TRACK_H
#define GR_STORE_TRACK_H

#include "store/store.h"

#include <stdint.h>

/* A registered track: where its repository is and what to serve from it. */
struct gr_track_entry {
	char id[129];
	char repo[4096];
	char ref[256];    /* "" = HEAD */
	char subdir[1024]; /* "" = the root */
	int64_t added_at;
};

/* GR_EEXISTS if the id is taken. */
int gr_store_track_insert(struct gr_store *store, const struct gr_track_entry *entry);
/* GR_ENOTFOUND if there is no such track. Progress on it is kept. */
int gr_store_track_delete(struct gr_store *store, const char *id);

typedef int gr_store_track_fn(const struct gr_track_entry *entry, void *payload);
/* Every registered track, by id; stops early when fn returns non-zero. */
int gr_store_track_each(struct gr_store *store, gr_store_track_fn *fn, void *payload);

#endif
