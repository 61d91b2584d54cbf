/*
 * live.h - the live service behind /ws: progress and submissions made
 * durable, the events they cause, and their delivery to every open
 * connection that should see them. Design: "Progress and submissions",
 * "Live updates", "Store" and "Protocol" in DESIGN.md; the messages are in
 * docs/protocol.md.
 *
 * Writes made during one turn of the event loop share one transaction
 * (group commit): the first write of a turn begins it and asks the network
 * layer, through request_flush, to call gr_live_flush() once the turn's
 * events are handled. Replies to those writes, and the events they caused,
 * are held until the commit succeeded; so an acknowledged change survives a
 * crash. No network or SQLite type appears here.
 */
#ifndef GR_LIVE_H
#define GR_LIVE_H

#include "core/clock.h"
#include "core/fanout.h"
#include "protocol/protocol.h"

#include <stddef.h>

struct gr_library;
struct gr_coach;
struct gr_reviews;
struct gr_store;
struct gr_live;

struct gr_live_settings {
	int queue_messages;       /* a connection's queue: at most this many messages */
	size_t queue_bytes;       /* ... and this many bytes */
	int event_days;           /* events kept for replay after a reconnect */
	double messages_per_second; /* per connection; 0 = no limit */
	gr_clock_fn *clock;       /* NULL: the wall clock */
};

struct gr_live_hooks {
	size_t headroom;              /* bytes the network layer needs in front of a message */
	gr_fanout_notify_fn *notify;  /* a connection has something to write */
	void (*request_flush)(void *payload); /* call gr_live_flush() after this turn */
	void *payload;
};

void gr_live_settings_defaults(struct gr_live_settings *out);

int gr_live_new(struct gr_live **out, struct gr_store *store, struct gr_library *library,
		const struct gr_live_settings *settings);
/* The network layer's hooks; set once, before the first connection opens. */
int gr_live_set_hooks(struct gr_live *live, const struct gr_live_hooks *hooks);
/* Flushes what is pending. Accepts NULL. Every client must be closed first. */
void gr_live_free(struct gr_live *live);

/*
 * Answer the review messages with reviews (borrowed; NULL: none) and tell
 * it when learners come and go. Set before the first connection opens, and
 * to NULL before shutdown closes the last ones.
 */
void gr_live_set_reviews(struct gr_live *live, struct gr_reviews *reviews);

/*
 * Answer the board, nudge and help messages with coach (borrowed; NULL:
 * none) and keep the summaries of watched boards up to date. Set before the
 * first connection opens, and to NULL before shutdown.
 */
void gr_live_set_coach(struct gr_live *live, struct gr_coach *coach);

/*
 * A gr_library_change_fn (payload: the live service): pushes "track.updated"
 * to the pages following "track:ID" when a new commit is served or the
 * track is removed (commit NULL).
 */
void gr_live_track_changed(const char *track_id, const char *commit, void *payload);

/* Time passes (about once a second): watched boards get their summaries. */
void gr_live_tick(struct gr_live *live);

/* A connection opened for client->user (already checked by the caller). */
int gr_live_client_open(struct gr_live *live, struct gr_client *client);
/* A connection closed: leaves its topics (telling rooms), drops what it had queued. */
void gr_live_client_close(struct gr_live *live, struct gr_client *client);

/* One whole text message from the client. */
void gr_live_receive(struct gr_live *live, struct gr_client *client, const char *text,
		     size_t len);

/* Reply to the client outside any request (a frame over the size limit). */
void gr_live_send_error(struct gr_live *live, struct gr_client *client, const char *code,
			const char *message);

/* Commit the turn's writes, then deliver their replies and events. */
void gr_live_flush(struct gr_live *live);

/* Whether writes wait for a flush (the network layer flushes before HTTP replies). */
int gr_live_pending(const struct gr_live *live);

/* Forget events older than event_days (a periodic chore). */
void gr_live_housekeeping(struct gr_live *live);

/* Open connections and room members, for logs and tests. */
int gr_live_client_count(const struct gr_live *live);

#endif
