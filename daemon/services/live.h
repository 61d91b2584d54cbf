/*
 * live.h - the live service behind /ws: the hub every request passes
 * through. It owns the connections, routes each request to the service
 * registered for its type, answers the messages of its own (hello,
 * progress, submissions, rooms and boards, previews), and delivers replies
 * and events to every open connection that should see them. Design:
 * "Progress and submissions", "Live updates", "Store" and "Protocol" in
 * DESIGN.md; the messages are in docs/protocol.md.
 *
 * Other services (reviews, board, help desk, nudges) register into it
 * with gr_live_route() and gr_live_listen(), and call it for the users'
 * event streams and who is online; it includes none of them (only the
 * stateless rule of cohorts, services/rights.h, for the boards). It also
 * closes the connections whose session ended or whose user's rights
 * changed (gr_live_poll()).
 *
 * Writes made during one turn of the event loop share one transaction
 * (group commit, services/turn.h): the first write of a turn begins it and
 * asks the network layer, through request_flush, to call gr_live_flush()
 * once the turn's events are handled. Replies to those writes, and the
 * events they caused, are held until the commit succeeded; so an
 * acknowledged change survives a crash. No network or SQLite type appears
 * here.
 */
#ifndef GR_LIVE_H
#define GR_LIVE_H

#include "core/account.h"
#include "core/clock.h"
#include "core/fanout.h"
#include "core/json.h"
#include "domain/progress.h"
#include "protocol/protocol.h"

#include <stddef.h>
#include <stdint.h>

struct gr_workers;

struct gr_library;
struct gr_store;
struct gr_store_submission;
struct gr_turn;
struct gr_live;

struct gr_live_settings {
	int queue_messages;       /* a connection's queue: at most this many messages */
	size_t queue_bytes;       /* ... and this many bytes */
	int event_days;           /* events kept for replay after a reconnect */
	double messages_per_second; /* per connection; 0 = no limit */
	int connections_per_user; /* open at once; 0 = no limit */
	struct gr_workers *workers; /* where markdown is rendered; NULL: on the caller's thread */
	int renders_waiting;	    /* a user's renders waiting behind the one running */
	gr_clock_fn *clock;       /* NULL: the wall clock */
};

struct gr_live_hooks {
	size_t headroom;              /* bytes the network layer needs in front of a message */
	gr_fanout_notify_fn *notify;  /* a connection has something to write */
	void (*request_flush)(void *payload); /* call gr_live_flush() after this turn */
	void *payload;
	/*
	 * Close the connection at once with a close code and reason, dropping
	 * what it had queued (its session ended or its rights changed). It
	 * must not call gr_live_client_close() itself: the close comes later,
	 * from the loop. May be NULL: the connection is then only refused
	 * every further message.
	 */
	void (*end)(struct gr_client *client, int code, const char *reason, void *payload);
	/* Stop (1) or go on (0) reading the client's messages (may be NULL). */
	void (*pause)(struct gr_client *client, int paused, void *payload);
	/*
	 * Whether this turn of the loop has done its share (may be NULL: never
	 * done). A message that comes after it waits for the next turn, and its
	 * connection is paused meanwhile; next_turn must then arrange that
	 * gr_live_take_up() is called at the start of the next turn.
	 */
	int (*turn_done)(void *payload);
	void (*next_turn)(void *payload);
};

/*
 * How a connection is closed when its session ends (signed out, disabled,
 * a new password, expired) or its user's rights change (role, cohort, the
 * cohorts a coach coaches); docs/protocol.md, "When a session ends".
 */
#define GR_LIVE_CLOSE_SESSION_ENDED 4001
#define GR_LIVE_CLOSE_RIGHTS_CHANGED 4003

void gr_live_settings_defaults(struct gr_live_settings *out);

/*
 * A new live service on store, library and the loop's turn (all borrowed),
 * which carries its writes, replies and events. The caller's to free.
 */
int gr_live_new(struct gr_live **out, struct gr_store *store, struct gr_library *library,
		struct gr_turn *turn, const struct gr_live_settings *settings);
/* The network layer's hooks; set once, before the first connection opens. */
int gr_live_set_hooks(struct gr_live *live, const struct gr_live_hooks *hooks);
/*
 * At the start of a turn: the messages earlier busy turns put off, first
 * come first, while this turn has room (at least one connection's).
 */
void gr_live_take_up(struct gr_live *live);

/* Flushes what is pending. Accepts NULL. Every client must be closed first. */
void gr_live_free(struct gr_live *live);

/*
 * A request of one type, handled by a service: fill out (ok with its body,
 * or gr_protocol_fail()). The live service replies with it through the
 * loop's turn, after the pushes the handler made, and when out->wrote with
 * its failure ready in case the commit fails. Only a connection that said
 * hello gets here, except for hello itself.
 */
typedef void gr_live_handler_fn(void *payload, struct gr_protocol_answer *out,
				struct gr_client *client, const struct gr_request *request);

struct gr_live_route {
	enum gr_request_type type;
	gr_live_handler_fn *handle;
};

/*
 * A request its service answers later, after work on the worker pool: in
 * its handler, gr_live_later() instead of filling out. The connection then
 * waits as it does behind a render: what it sends meanwhile is held, and
 * handled in order after the answer. The service must call
 * gr_live_answer() exactly once, on the loop, also when the connection
 * closed meanwhile (the answer then goes nowhere).
 */
struct gr_live_later;

/*
 * In a handler: the answer to request comes later. NULL when that cannot
 * be (out of memory): the handler answers now, in out. Otherwise out is
 * left alone and goes nowhere.
 */
struct gr_live_later *gr_live_later(struct gr_live *live, struct gr_client *client,
				    const struct gr_request *request,
				    struct gr_protocol_answer *out);
/* The answer to a later request, as a handler would fill out; frees later. */
void gr_live_answer(struct gr_live_later *later, struct gr_protocol_answer *out);
/* The later request's fields (valid until gr_live_answer()). */
const struct gr_request *gr_live_later_request(const struct gr_live_later *later);

/* A board's summary being made off the loop (see summary_start below). */
struct gr_live_summary {
	const char *cohort, *track; /* valid until done */
	struct gr_workers *workers;
	struct gr_json *summary; /* the maker's result, new, or NULL */
	void (*made)(struct gr_live_summary *job); /* on the worker, after the summary; may be NULL */
	void (*done)(struct gr_live_summary *job); /* on the loop, last */
};

/* What a service hears from the live service; any member may be NULL. */
struct gr_live_listener {
	/* A connection of user opened (1) or closed (0). */
	int (*presence)(void *payload, const struct gr_user *user, int opened);
	/*
	 * Work was stored, in the change that stores it, on a step needing
	 * reviews peer reviews; a failure undoes the change.
	 */
	int (*submitted)(void *payload, const struct gr_store_submission *submission,
			 int reviews);
	/* Someone said hello, or completed a step: someone new who may help. */
	void (*arrived)(void *payload);
	/*
	 * An event was stored on the stream of user_id as seq (fields: what the
	 * service gave gr_live_event(); body: the event as pushed), in the
	 * change that stores it, after it was queued; a failure undoes the
	 * change. Both borrowed for the call.
	 */
	int (*event)(void *payload, int64_t user_id, int64_t seq, const struct gr_json *fields,
		     const char *body);
	/* user said hello: add fields to the reply (borrowed). */
	void (*hello)(void *payload, const struct gr_user *user, struct gr_json *reply);
	/*
	 * The summary of the board of cohort on track for a coach who watches
	 * it: {"attention": […], "learners": {handle: {…}}}, new, or NULL.
	 */
	struct gr_json *(*summary)(void *payload, const char *cohort, const char *track);
	/*
	 * The same, made off the loop on job->workers (may be NULL: then
	 * summary is called on the loop): 0 when started, and then the maker
	 * sets job->summary on a worker, calls job->made there, and
	 * job->done on the loop at the end (also when it failed: summary
	 * NULL). Any other return: nothing was started.
	 */
	int (*summary_start)(void *payload, struct gr_live_summary *job);
};

/*
 * Requests of the types in routes[0..count) go to their handlers, with
 * payload. A type has one handler: a later route replaces it.
 */
int gr_live_route(struct gr_live *live, const struct gr_live_route *routes, int count,
		  void *payload);
/* The service of payload hears what listener names (copied). */
int gr_live_listen(struct gr_live *live, const struct gr_live_listener *listener, void *payload);
/*
 * The routes and the listener of payload are removed: its types become
 * unknown_type again (a service leaving before shutdown).
 */
void gr_live_forget(struct gr_live *live, void *payload);

/* ---- for the services: the users' streams, who is online ------------------ */

/*
 * In a change of the loop's turn: append an event (fields consumed: "event"
 * and its own) to the user's own stream, stored now and pushed after the
 * commit; with board_track also to the board of the user's cohort on that
 * track.
 */
int gr_live_event(struct gr_live *live, int64_t user_id, const char *board_track,
		  struct gr_json *fields);
/* In a change: push message (consumed; a whole message) to topic after the commit, unstored. */
int gr_live_push(struct gr_live *live, const char *topic, struct gr_json *message);
/*
 * In a change: apply a progress action that reviews decided (REVIEW_BEGIN,
 * PASS, FAIL) to the user's step, with the usual progress event. A state
 * that does not allow it is left alone (0).
 */
int gr_live_progress(struct gr_live *live, int64_t user_id, const char *track_id,
		     const char *step_id, int reviews, enum gr_progress_action action);
/* Whether the user has a connection open. */
int gr_live_online(struct gr_live *live, int64_t user_id);
/* The step of track whose page the user has open (a room), or NULL. Borrowed. */
const char *gr_live_here(struct gr_live *live, int64_t user_id, const char *track);

/*
 * A gr_library_change_fn (payload: the live service): pushes "track.updated"
 * to the pages following "track:ID" when a new commit is served or the
 * track is removed (commit NULL).
 */
void gr_live_track_changed(const char *track_id, const char *commit, void *payload);

/*
 * A user as every service's messages show one: {"handle", "display_name"},
 * or JSON null for an unknown id (or 0). The caller's.
 */
struct gr_json *gr_live_person(struct gr_store *store, int64_t user_id);

/*
 * In this process, committed: the session of hash ended (signed out), or
 * every session of user_id but keep (NULL: all) ended or had its rights
 * changed (code: GR_LIVE_CLOSE_SESSION_ENDED or _RIGHTS_CHANGED). Their
 * connections are ended at once, so not one more of their messages is
 * handled; no store is read.
 */
void gr_live_end_session(struct gr_live *live, const unsigned char hash[GR_TOKEN_HASH_SIZE]);
void gr_live_end_user(struct gr_live *live, int64_t user_id, const unsigned char *keep, int code);

/*
 * The learners of a cohort may have changed (someone joined with an
 * invite, or was moved in or out): each watched board is sent
 * "member.joined" for each learner of its cohort it did not have, before
 * any progress of theirs, and "member.left" for each it had who is no
 * longer one. gr_live_poll() calls it when another process committed.
 */
void gr_live_members_changed(struct gr_live *live);

/*
 * Called a few times a second: when another process (the operator's tool)
 * committed to the store since the last poll, or gr_live_sessions_changed()
 * was called, every open connection's session and user is read again; a
 * connection whose session is gone (signed out, expired, the user disabled,
 * a new password) is ended with GR_LIVE_CLOSE_SESSION_ENDED, one whose
 * user's role or cohort moved with GR_LIVE_CLOSE_RIGHTS_CHANGED.
 */
void gr_live_poll(struct gr_live *live);

/*
 * The same check, whatever changed: one pass over the valid sessions in
 * the store, matched to the open connections in memory. With a worker
 * pool the store is read on a worker and the connections are ended when
 * it is done (0 now); without one, at once. Returns how many connections
 * it ended, or a negative code (nothing ended then, and the next poll
 * tries again).
 */
int gr_live_recheck(struct gr_live *live);

/* Time passes (about once a second): watched boards get their summaries. */
void gr_live_tick(struct gr_live *live);

/*
 * Whether the user may open one more connection: 0, or GR_ELIMITED (with
 * its message) when connections_per_user are open.
 */
int gr_live_may_open(struct gr_live *live, int64_t user_id);

/*
 * Render and store the HTML of the submissions and review comments written
 * before their HTML was stored (schema 7); *out_count says how many. At
 * start, before the loop serves anyone.
 */
int gr_live_render_stored(struct gr_live *live, int *out_count);

/* A connection opened for client->user (already checked by the caller). */
int gr_live_client_open(struct gr_live *live, struct gr_client *client);
/* A connection closed: leaves its topics (telling rooms), drops what it had queued. */
void gr_live_client_close(struct gr_live *live, struct gr_client *client);

/*
 * One whole text message from the client. A message whose markdown is
 * rendered first (markdown.preview, submission.create, review.submit)
 * waits for a worker; the messages after it wait behind it, so replies
 * keep their order, and the pause hook stops reading meanwhile. A user has
 * one render running and at most renders_waiting more; another is
 * answered busy, with retry_after in seconds.
 */
void gr_live_receive(struct gr_live *live, struct gr_client *client, const char *text,
		     size_t len);

/* Reply to the client outside any request (a frame over the size limit). */
void gr_live_send_error(struct gr_live *live, struct gr_client *client, const char *code,
			const char *message);

/* Commit the turn's writes, then deliver their replies and events. */
void gr_live_flush(struct gr_live *live);

/* Whether writes wait for a flush (the network layer flushes before HTTP replies). */
int gr_live_pending(const struct gr_live *live);

/*
 * Forget events older than event_days, and close the connections of
 * sessions that expired meanwhile (a periodic chore).
 */
void gr_live_housekeeping(struct gr_live *live);

/* Open connections and room members, for logs and tests. */
int gr_live_client_count(const struct gr_live *live);

#endif
