/*
 * notification.h - each user's inbox: the events that ask something of
 * them, with read state (services/inbox.c decides which, and tells them).
 */
#ifndef GR_STORE_NOTIFICATION_H
#define GR_STORE_NOTIFICATION_H

#include "store/store.h"

#include <stdint.h>

/* How many a user keeps: an insert forgets the oldest beyond these. */
#define GR_STORE_NOTIFICATION_KEEP 200

struct gr_store_notification {
	int64_t id;      /* set by insert */
	int64_t user_id; /* whose */
	char kind[32];   /* review_assigned, verdict, help_request or nudge */
	int64_t seq;     /* the event of the user's stream that made it */
	const char *body; /* the event as pushed (JSON); borrowed */
	int64_t created_at;
	int64_t read_at; /* 0 while unread */
};
typedef int gr_store_notification_fn(const struct gr_store_notification *row, void *payload);

/* Store it (inside the change that stores its event), then forget the user's oldest beyond keep. */
int gr_store_notification_insert(struct gr_store *store, struct gr_store_notification *row,
				 int keep);
/* GR_ENOTFOUND when there is none; body is NULL (read it with each). */
int gr_store_notification_get(struct gr_store *store, struct gr_store_notification *out,
			      int64_t id);
/* The user's, newest first, at most limit; body borrowed for the call. */
int gr_store_notification_each(struct gr_store *store, int64_t user_id, int limit,
			       gr_store_notification_fn *fn, void *payload);
/* How many of the user's are unread. */
int gr_store_notification_unread(struct gr_store *store, int64_t user_id, int64_t *out);
/* Mark one of the user's read at now (id 0: all of them); a second call changes nothing. */
int gr_store_notification_read(struct gr_store *store, int64_t user_id, int64_t id, int64_t now);

#endif
