/*
 * event.h - each user's stream of events, as pushed to their connections,
 * kept for a while so a client that reconnects can catch up.
 */
#ifndef GR_STORE_EVENT_H
#define GR_STORE_EVENT_H

#include "store/store.h"

#include <stdint.h>

/*
 * Each user's stream of events, numbered 1, 2, ... by seq, never reused even
 * after old events are pruned. body is the event exactly as pushed (JSON).
 * range: the first seq still kept (0 when none is) and the last one given.
 * next_seq takes the next number (inside the caller's transaction).
 */
int gr_store_event_range(struct gr_store *store, int64_t user_id, int64_t *out_first,
			 int64_t *out_last);
int gr_store_event_next_seq(struct gr_store *store, int64_t user_id, int64_t *out);
int gr_store_event_insert(struct gr_store *store, int64_t user_id, int64_t seq, const char *body,
			  int64_t now);

typedef int gr_store_event_fn(int64_t seq, const char *body, void *payload);
/* The user's events after after_seq, in order; stops early when fn returns non-zero. */
int gr_store_event_each_since(struct gr_store *store, int64_t user_id, int64_t after_seq,
			      gr_store_event_fn *fn, void *payload);
/* Forget events older than before (replay falls back to a snapshot). */
int gr_store_event_prune(struct gr_store *store, int64_t before);

#endif
