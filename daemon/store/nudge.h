/*
 * nudge.h - nudges: a coach's short message to a learner, shown until the
 * learner has read it.
 */
#ifndef GR_STORE_NUDGE_H
#define GR_STORE_NUDGE_H

#include "store/store.h"

#include <stdint.h>

struct gr_store_nudge {
	int64_t id;       /* set by insert */
	int64_t user_id;  /* to whom */
	int64_t coach_id; /* from whom */
	char body[501];
	int64_t created_at;
	int64_t read_at; /* 0 while unread */
};
typedef int gr_store_nudge_fn(const struct gr_store_nudge *row, void *payload);
int gr_store_nudge_insert(struct gr_store *store, struct gr_store_nudge *nudge);
/* GR_ENOTFOUND when there is none. */
int gr_store_nudge_get(struct gr_store *store, struct gr_store_nudge *out, int64_t id);
/* Mark it read at now (once: a second call changes nothing). */
int gr_store_nudge_read(struct gr_store *store, int64_t id, int64_t now);
/* The user's unread nudges, oldest first, at most limit. */
int gr_store_nudge_each_unread(struct gr_store *store, int64_t user_id, int limit,
			       gr_store_nudge_fn *fn, void *payload);

#endif
