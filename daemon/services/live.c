/*
 * live.c - the live service (see live.h; design: "Progress and submissions",
 * "Live updates" and "Store" in DESIGN.md; messages: docs/protocol.md).
 *
 * Owns the routing of each request on /ws by its type, to the handler a
 * service registered (a table; live.c includes none of the services that
 * register into it), and what the requests of its own mean: hello (replay
 * or snapshot), progress, submissions, rooms and boards, previews; the
 * group commit that makes writes durable before they are acknowledged; the
 * users' event streams; presence, which lives in memory only (who is in
 * which step's room); and which boards are watched, whose summaries it asks
 * the service that listens for them. It leaves decoding to protocol.c, the
 * state machine to progress.c, queues and topics to fanout.c, SQL to
 * store.c, sockets to net.c, and every other request to its service.
 *
 * Progress moves only as gr_progress_next() says, and save_change() calls
 * gr_progress_check() on the next state before it is stored: a broken
 * invariant is a bug, refused (internal) with its message, never stored.
 * A stored state that no longer fits its step (a new commit changed the
 * step's review count: invariant 2 or 3) is kept as it is, every action
 * from it a conflict as today, and logged the first time it is loaded
 * (load_state()).
 *
 * Every reply and event goes through the loop's turn (turn.c, drawn in
 * docs/development.md, "One turn"): while the turn has a transaction open,
 * it is held until the COMMIT, in order; a reply that reports a change
 * carries its failure ("internal") in case the COMMIT fails.
 *
 * Invariants: a reply to a write is queued only after its COMMIT; an event is
 * queued only after the COMMIT that stored it; every request gets exactly one
 * reply; a connection's own stream is delivered only after its hello, so a
 * replay is never overtaken by a newer event.
 *
 * Topics: "user:ID" (a user's own stream, every connection after hello),
 * "room:TRACK/STEP" (who is on a step now), "board:COHORT/TRACK" (coaches and
 * admins only), "conn:ID" (every connection of a user from its opening,
 * never published to: how many a user has open). One event is serialized
 * once and published to the author's stream and board; the seq in it is
 * the author's.
 *
 * Rendering first: untrusted markdown (a preview, submitted work, a review
 * comment) is rendered on the worker pool, never on the loop, and the
 * request's handler runs on the loop once it is done, with the HTML in
 * request->html (stored beside the markdown by the handlers that store
 * it, so reading never renders). Meanwhile the connection is paused and
 * what it sends waits behind the request (struct waiting), so its replies
 * keep their order and go through the turn like any other. The pool's
 * lanes give each user one render at a time and renders_waiting more;
 * another is answered busy. docs/security.md, "Rendering untrusted text".
 */
#include "services/live.h"

#include "core/array.h"
#include "core/error.h"
#include "core/log.h"
#include "core/metrics.h"
#include "domain/progress.h"
#include "domain/project.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/cohort.h"
#include "store/event.h"
#include "store/progress.h"
#include "store/project.h"
#include "store/session.h"
#include "store/store.h"
#include "store/submission.h"
#include "store/user.h"
#include "tracks/library.h"
#include "tracks/markdown.h"
#include "core/workers.h"
#include "store/review.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOPICS_PER_CLIENT 8
#define DAY_MS (24 * 60 * 60 * 1000LL)
/*
 * A summary reads the whole cohort's progress (some 30 ms for 300 learners
 * on a 100-step track), so a busy board gets one at most every
 * SUMMARY_BUSY_MS: what it holds moves slowly (stuck, inactive, waiting a
 * day), and what moves fast (progress, help, flags) reaches boards as events
 * at once. Any board gets one at least every SUMMARY_IDLE_MS, as time moves
 * learners into the list, and at most one board's is made per tick.
 */
#define SUMMARY_BUSY_MS 10000
#define SUMMARY_IDLE_MS 60000
#define SAVE_FAILED "The change could not be saved; please try again."
#define BUSY_RETRY_S 1 /* busy: when to try a render again */

/* A board someone watches, and the summary it was last sent. */
struct board {
	char *topic;
	char *cohort, *track; /* parsed from the topic */
	int dirty;	      /* events went to it since the last summary */
	int64_t sent_at;
	char *attention;      /* the attention list last sent (JSON text) */
	struct gr_json *counts; /* handle → {given, received} as last sent */
	int64_t *members;       /* the cohort's learners when last read, ids ascending */
	size_t member_count;
};

/*
 * A board's summary made off the loop (at 10,000 learners it takes longer
 * than a turn may), with what the board had last sent: the worker works
 * out what changed too, and the loop only publishes it. One at a time.
 */
struct summary_job {
	struct gr_live_summary job; /* first: the maker hands it back */
	struct gr_live *live;	    /* NULL: orphaned, the service was freed */
	char *topic, *cohort, *track;
	char *attention;	    /* as last sent; on the worker, as sent now */
	struct gr_json *counts;
	struct gr_json *changes; /* made on the worker: what to publish */
	int64_t now;
};

/* Who handles a request type. */
struct route {
	gr_live_handler_fn *handle;
	void *payload;
};

/* A service that listens. */
struct listener {
	struct gr_live_listener hear;
	void *payload;
};

/* A stored progress state that breaks an invariant, logged once. */
struct stale {
	int64_t user_id;
	char track_id[129];
	char step_id[129];
};

struct gr_live {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_turn *turn;
	struct route routes[GR_REQUEST_TYPE_COUNT];
	struct listener *listeners;
	int listener_count;
	struct board *boards;
	int board_count, board_capacity;
	struct summary_job *summarizing; /* a board's summary being made off the loop */
	struct gr_live_settings settings;
	struct gr_live_hooks hooks;
	struct gr_fanout *fanout;
	struct gr_protocol *protocol;
	struct gr_message *resync;
	int client_count;
	struct gr_json *write_id; /* replying to a write with this id (NULL: none) */
	struct gr_json *reply_id; /* replying to a request with this id (NULL: none) */
	size_t reply_most;	  /* the largest reply a connection's queue can take (0: no hooks yet) */
	int in_write;		  /* a handler is replying to a write it made */
	struct stale *stale;	  /* stored states found breaking an invariant, logged */
	int stale_count, stale_capacity;
	struct gr_client *clients; /* every open connection */
	int64_t data_version;	   /* the store's, at the last poll */
	int recheck_due;	   /* a check failed: try again at the next poll */
	struct recheck *rechecking; /* the check of every connection, read on a worker */
	int recheck_again;	    /* asked for while one ran: another after it */
	uint64_t opened;	    /* connections opened so far (each has its number) */
	struct waiting **resting; /* connections told busy, not read until their time */
	int resting_count;
	size_t resting_capacity;
	struct waiting **put_off; /* connections put off by a busy turn, first come first */
	size_t put_off_first, put_off_count, put_off_capacity; /* [first, count) wait */
};

void gr_live_settings_defaults(struct gr_live_settings *out)
{
	memset(out, 0, sizeof(*out));
	out->queue_messages = 256;
	out->queue_bytes = 1024 * 1024;
	out->event_days = 30;
	out->messages_per_second = 20;
}

static int64_t now_ms(const struct gr_live *live)
{
	return live->settings.clock ? live->settings.clock() : gr_clock_now_ms();
}

/* ---- the services that listen -------------------------------------------- */

static void tell_arrived(struct gr_live *live)
{
	for (int i = 0; i < live->listener_count; i++)
		if (live->listeners[i].hear.arrived)
			live->listeners[i].hear.arrived(live->listeners[i].payload);
}

static void tell_presence(struct gr_live *live, const struct gr_user *user, int opened)
{
	for (int i = 0; i < live->listener_count; i++) {
		struct listener *listener = &live->listeners[i];

		if (listener->hear.presence &&
		    listener->hear.presence(listener->payload, user, opened) != 0)
			gr_log_warn("%s %s, but a service was not told: %s", user->handle,
				    opened ? "came online" : "went offline", gr_error_last());
	}
}

static int tell_submitted(struct gr_live *live, const struct gr_store_submission *submission,
			  int reviews)
{
	int rc;

	for (int i = 0; i < live->listener_count; i++) {
		struct listener *listener = &live->listeners[i];

		if (listener->hear.submitted &&
		    (rc = listener->hear.submitted(listener->payload, submission, reviews)) != 0)
			return rc;
	}
	return 0;
}

/* An event stored on user_id's stream as seq, in the change that stored it. */
static int tell_event(struct gr_live *live, int64_t user_id, int64_t seq,
		      const struct gr_json *fields, const char *body)
{
	int rc;

	for (int i = 0; i < live->listener_count; i++) {
		struct listener *listener = &live->listeners[i];

		if (listener->hear.event &&
		    (rc = listener->hear.event(listener->payload, user_id, seq, fields, body)) != 0)
			return rc;
	}
	return 0;
}

static void tell_hello(struct gr_live *live, const struct gr_user *user, struct gr_json *reply)
{
	for (int i = 0; i < live->listener_count; i++)
		if (live->listeners[i].hear.hello)
			live->listeners[i].hear.hello(live->listeners[i].payload, user, reply);
}

/* The listener that makes board summaries, or NULL. */
static struct listener *summary_maker(struct gr_live *live)
{
	for (int i = 0; i < live->listener_count; i++)
		if (live->listeners[i].hear.summary)
			return &live->listeners[i];
	return NULL;
}

static struct gr_json *summary_of(struct gr_live *live, const char *cohort, const char *track)
{
	struct listener *maker = summary_maker(live);

	return maker ? maker->hear.summary(maker->payload, cohort, track) : NULL;
}

static void rest_over(struct gr_live *live);
static void board_online(struct gr_live *live, const struct gr_user *user, int online);
static int board_members(struct gr_live *live, struct board *board, int tell);

/* ---- sending ------------------------------------------------------------- */

static struct gr_message *message_of(struct gr_live *live, struct gr_json *json)
{
	char *text = gr_json_dump(json);
	struct gr_message *message =
		text ? gr_fanout_message_new(live->hooks.headroom, text, strlen(text)) : NULL;

	free(text);
	gr_json_free(json);
	if (!message)
		gr_error_set("out of memory");
	return message;
}

static int send_text(struct gr_client *client, const char *text, size_t len);

static int send_json(struct gr_live *live, struct gr_client *client, struct gr_json *json)
{
	char *text = json ? gr_json_dump(json) : NULL;
	int rc = text ? send_text(client, text, strlen(text)) : -1;

	(void)live;
	free(text);
	gr_json_free(json);
	return rc;
}

/*
 * The protocol's send function: through the turn, now or after its commit;
 * a reply to a write comes with its failure, for a commit that fails.
 */
static int send_text(struct gr_client *client, const char *text, size_t len)
{
	struct gr_live *live = client->service;
	struct gr_message *message, *instead = NULL;
	char why[128];

	if (live->reply_most && len > live->reply_most) {
		/* It could never be queued: say so, instead of closing a client that reads. */
		snprintf(why, sizeof(why), "The reply would be larger than %zu KiB.",
			 live->settings.queue_bytes / 1024);
		return send_json(live, client,
				 gr_protocol_error(live->reply_id, "reply_too_large", why));
	}
	if (!(message = gr_fanout_message_new(live->hooks.headroom, text, len)))
		return -1;
	if (live->in_write &&
	    !(instead = message_of(live, gr_protocol_error(live->write_id, "internal",
							    SAVE_FAILED)))) {
		gr_fanout_message_unref(message);
		return -1;
	}
	return gr_turn_reply(live->turn, &client->subscriber, message, instead);
}

/*
 * Reply to request with out, unless it went out already: held until the
 * commit when it reports a write made in this turn.
 */
static void reply(struct gr_live *live, struct gr_client *client,
		  const struct gr_request *request, struct gr_protocol_answer *out)
{
	if (out->sent)
		return;
	live->in_write = out->wrote && !out->code && gr_turn_pending(live->turn);
	live->write_id = request->id;
	live->reply_id = request->id;
	gr_protocol_reply(live->protocol, client, request->id, out);
	live->in_write = 0;
	live->write_id = NULL;
	live->reply_id = NULL;
}

/* Publish an event (consumed) to up to two topics, after the commit. */
static int publish_later(struct gr_live *live, struct gr_json *event, const char *topic1,
			 const char *topic2)
{
	struct gr_message *message = message_of(live, event);

	if (!message)
		return GR_ERROR;
	return gr_turn_push(live->turn, message, topic1, topic2);
}

/* Publish an event (consumed) to a topic now: presence, which is not stored. */
static void publish_now(struct gr_live *live, struct gr_json *event, const char *topic)
{
	struct gr_message *message = message_of(live, event);

	if (message)
		gr_fanout_publish(live->fanout, topic, message);
	gr_fanout_message_unref(message);
}

/* The turn's hook: events went to topic; if it is a watched board, its summary is due. */
static void board_touched(void *payload, const char *topic)
{
	struct gr_live *live = payload;

	if (strncmp(topic, "board:", 6) != 0)
		return;
	for (int i = 0; i < live->board_count; i++)
		if (strcmp(live->boards[i].topic, topic) == 0)
			live->boards[i].dirty = 1;
}

/* The turn's hook: ask the network layer to flush after this turn of the loop. */
static void flush_soon(void *payload)
{
	struct gr_live *live = payload;

	if (live->hooks.request_flush)
		live->hooks.request_flush(live->hooks.payload);
}

void gr_live_flush(struct gr_live *live)
{
	if (live)
		gr_turn_flush(live->turn);
}

int gr_live_pending(const struct gr_live *live)
{
	return live && gr_turn_pending(live->turn);
}

/* ---- lookups ------------------------------------------------------------- */

/*
 * The track of id when user may see it (services/rights.c), else NULL as
 * for a track that does not exist.
 */
static const struct gr_track *seen_track(struct gr_live *live, const struct gr_user *user,
					 const char *id)
{
	const struct gr_track *track = gr_library_track(live->library, id);

	return track && gr_rights_may_see_track(live->store, user, id) ? track : NULL;
}

/* The step request names, or NULL with out failed (not_found). */
static const struct gr_step *find_step(struct gr_live *live, struct gr_protocol_answer *out,
				       const struct gr_user *user,
				       const struct gr_request *request,
				       const struct gr_track **out_track)
{
	const struct gr_track *track = seen_track(live, user, request->track);
	const struct gr_step *step = track ? gr_track_step(track, request->step) : NULL;

	*out_track = track;
	if (!track)
		gr_protocol_fail(out, "track_missing", "There is no such track.");
	else if (!step)
		gr_protocol_fail(out, "step_missing", "This track has no such step.");
	return step;
}

/* Whether the user's row was logged as breaking an invariant already. */
static int stale_known(const struct gr_live *live, int64_t user_id,
		       const struct gr_store_progress *row)
{
	for (int i = 0; i < live->stale_count; i++) {
		const struct stale *stale = &live->stale[i];

		if (stale->user_id == user_id && strcmp(stale->track_id, row->track_id) == 0 &&
		    strcmp(stale->step_id, row->step_id) == 0)
			return 1;
	}
	return 0;
}

/*
 * A stored row of the user's on a step with reviews peer reviews (-1: not
 * known) that breaks a progress invariant: logged the first time, and
 * kept as it is.
 */
static void note_stale(struct gr_live *live, int64_t user_id, const struct gr_store_progress *row,
		       int reviews)
{
	struct stale *grown, *stale;
	int capacity;

	if (reviews < 0 || gr_progress_check(row->state, reviews) == 0 ||
	    stale_known(live, user_id, row))
		return;
	gr_log_warn("progress of user %lld on %s/%s is kept as stored: %s", (long long)user_id,
		    row->track_id, row->step_id, gr_error_last());
	if (live->stale_count == live->stale_capacity) {
		capacity = live->stale_capacity ? live->stale_capacity * 2 : 8;
		if (!(grown = realloc(live->stale, (size_t)capacity * sizeof(*grown))))
			return; /* logged again next time */
		live->stale = grown;
		live->stale_capacity = capacity;
	}
	stale = &live->stale[live->stale_count++];
	stale->user_id = user_id;
	snprintf(stale->track_id, sizeof(stale->track_id), "%s", row->track_id);
	snprintf(stale->step_id, sizeof(stale->step_id), "%s", row->step_id);
}

/*
 * The user's progress on a step with reviews peer reviews (-1: not known),
 * as stored (not started when there is no row).
 */
static int load_state(struct gr_live *live, enum gr_progress_state *out,
		      struct gr_store_progress *row, int64_t user_id, const char *track,
		      const char *step, int reviews)
{
	int rc = gr_store_progress_get(live->store, row, user_id, track, step);

	*out = GR_PROGRESS_NOT_STARTED;
	if (rc == GR_ENOTFOUND) {
		memset(row, 0, sizeof(*row));
		snprintf(row->track_id, sizeof(row->track_id), "%s", track);
		snprintf(row->step_id, sizeof(row->step_id), "%s", step);
		return 0;
	}
	if (rc)
		return rc;
	note_stale(live, user_id, row, reviews);
	*out = row->state;
	return 0;
}

/* The first step of requires the user has not completed, or NULL. */
static const char *missing_requirement(struct gr_live *live, int64_t user_id,
				       const struct gr_track *track, const struct gr_step *step)
{
	for (int i = 0; i < step->requires.count; i++) {
		const char *id = step->requires.items[i];
		const struct gr_step *required = gr_track_step(track, id);
		struct gr_store_progress row;
		enum gr_progress_state state;

		if (load_state(live, &state, &row, user_id, track->id, id,
			       required ? required->reviews : -1) ||
		    !gr_progress_is_complete(state))
			return id;
	}
	return NULL;
}

static void board_topic(char *out, size_t size, const struct gr_user *user, const char *track)
{
	snprintf(out, size, "board:%s/%s", user->cohort, track);
}

static void user_topic(char *out, size_t size, const struct gr_user *user)
{
	snprintf(out, size, "user:%lld", (long long)user->id);
}

/* ---- progress and submissions -------------------------------------------- */

/*
 * Store row in its next state on a step with reviews peer reviews, with its
 * event; on success the reply's fields and the event (both the caller's).
 * A next state that breaks a progress invariant is not stored: GR_ERROR,
 * with the invariant's message.
 */
static int save_change(struct gr_live *live, const struct gr_user *user,
		       struct gr_store_progress *row, enum gr_progress_state next, int reviews,
		       struct gr_json *extra, struct gr_json **out_reply,
		       struct gr_json **out_event)
{
	int64_t now = now_ms(live), seq = 0;
	struct gr_json *event;
	char *body, message[256];
	int rc;

	if (gr_progress_check(next, reviews) != 0) {
		snprintf(message, sizeof(message), "%s", gr_error_last());
		gr_error_set("%s/%s not stored: %s", row->track_id, row->step_id, message);
		return GR_ERROR;
	}
	if (gr_progress_is_complete(row->state) && !gr_progress_is_complete(next))
		row->finished_at = 0; /* "done" taken back */
	row->state = next;
	if (next == GR_PROGRESS_STARTED && !row->started_at)
		row->started_at = now;
	if (gr_progress_is_complete(next))
		row->finished_at = now;
	if (gr_progress_is_complete(next))
		tell_arrived(live); /* one more who could help with the step */
	row->updated_at = now;
	if ((rc = gr_store_progress_put(live->store, user->id, row)) ||
	    (rc = gr_store_event_next_seq(live->store, user->id, &seq)))
		return rc;
	event = gr_json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "type", "event", "seq",
			  (long long)seq, "event", extra ? "submission" : "progress", "user",
			  user->handle, "track", row->track_id, "step", row->step_id, "state",
			  gr_progress_state_name(row->state), "at", (long long)now);
	if (!event)
		return GR_ERROR;
	if (extra)
		gr_json_set(event, "submission", gr_json_ref(extra));
	body = gr_json_dump(event);
	rc = body ? gr_store_event_insert(live->store, user->id, seq, body, now) : GR_ERROR;
	free(body);
	if (rc) {
		gr_json_free(event);
		return rc;
	}
	*out_event = event;
	*out_reply = gr_json_pack("{s:s, s:I}", "state", gr_progress_state_name(row->state), "seq", (long long)seq);
	if (extra)
		gr_json_set(*out_reply, "submission", gr_json_ref(extra));
	return 0;
}

/* Fail out with conflict, naming the current state (and a step it requires). */
static void refuse(struct gr_protocol_answer *out, enum gr_progress_state current,
		   const char *message, const char *requires)
{
	gr_protocol_fail(out, requires ? "step_locked" : "step_state", "%s", message);
	out->body = gr_json_pack("{s:s, s:s*}", "state", gr_progress_state_name(current),
				 "requires", requires);
}

/*
 * Whether action on a step in state current waits for the steps it
 * requires: starting it, and finishing or handing in a step begun (a step
 * it requires was undone since, or the track added a requirement). Undoing
 * never waits; work handed in already goes on through its reviews.
 */
static int locks(enum gr_progress_state current, enum gr_progress_action action)
{
	if (current == GR_PROGRESS_NOT_STARTED)
		return action != GR_PROGRESS_UNDO;
	return current == GR_PROGRESS_STARTED &&
	       (action == GR_PROGRESS_FINISH || action == GR_PROGRESS_SUBMIT);
}

/*
 * Whether action may change who's progress on step (the client's, or
 * their team's author's), and to what
 * (row and *out_next). Returns 1 when a change follows; 0 when out answers
 * the request (refused, or nothing changes); a negative code when the
 * store failed.
 */
static int decide(struct gr_live *live, struct gr_protocol_answer *out, const struct gr_user *who,
		  const struct gr_track *track, const struct gr_step *step,
		  enum gr_progress_action action, struct gr_store_progress *row,
		  enum gr_progress_state *out_next)
{
	enum gr_progress_state current;
	const char *missing;
	char message[256];
	int rc;

	if ((rc = load_state(live, &current, row, who->id, track->id, step->id, step->reviews)))
		return rc;
	if (locks(current, action) &&
	    (missing = missing_requirement(live, who->id, track, step)) != NULL) {
		const struct gr_step *first = gr_track_step(track, missing);

		snprintf(message, sizeof(message), "Finish \"%s\" first: this step needs it.",
			 first ? first->title : missing);
		refuse(out, current, message, missing);
		return 0;
	}
	if (gr_progress_next(out_next, current, action, step->reviews) != 0) {
		refuse(out, current, gr_error_last(), NULL);
		return 0;
	}
	if (*out_next == current && action != GR_PROGRESS_SUBMIT) {
		out->body = gr_json_pack("{s:s}", "state", gr_progress_state_name(current));
		return 0;
	}
	return 1;
}

/* Queue the change's event (consumed) for the user's stream and board. */
static void queue_event(struct gr_live *live, const struct gr_user *user, const char *track,
			struct gr_json *event)
{
	char own[64], board[400];

	user_topic(own, sizeof(own), user);
	board_topic(board, sizeof(board), user, track);
	if (publish_later(live, event, own, board) != 0)
		gr_log_error("an event of %s could not be queued", user->handle);
}

/* ---- team work: partner projects ------------------------------------------ */

/* A team's hand-in: the team, its author as the review engine knows them, and its members. */
struct team_work {
	struct gr_store_project_team team; /* id 0: solo work */
	struct gr_user author;
	int64_t members[GR_PROJECT_TEAM_MAX + 1];
	int member_count;
};

static int add_member(int64_t id, void *payload)
{
	struct team_work *work = payload;

	if (work->member_count < (int)(sizeof(work->members) / sizeof(work->members[0])))
		work->members[work->member_count++] = id;
	return 0;
}

static int copy_project(const struct gr_store_project *row, void *payload)
{
	*(struct gr_project *)payload = row->life;
	return 0;
}

/*
 * Whether work on track is a team's (a partner project's track): 1 with
 * work filled (team.id 0 for solo work on any other track); 0 when out
 * answers (no team, the project not open); a negative code when the store
 * failed. The author is the team's (teams.author_id), or the client at a
 * team's first hand-in.
 */
static int team_of(struct gr_live *live, struct gr_protocol_answer *out,
		   const struct gr_client *client, const struct gr_track *track,
		   struct team_work *work)
{
	struct gr_project project;
	int closed = 0, rc;

	memset(work, 0, sizeof(*work));
	work->author = client->user;
	rc = gr_store_project_by_track(live->store, track->id, copy_project, &project);
	if (rc == GR_ENOTFOUND)
		return 1;
	if (rc)
		return rc;
	if (gr_project_takes_work(&project, &closed) != 0) {
		if (closed)
			gr_protocol_fail(out, "project_closed", "%s", gr_error_last());
		else
			gr_protocol_fail(out, "project_state", "%s", gr_error_last());
		return 0;
	}
	rc = gr_store_project_team_of_track(live->store, &work->team, track->id, client->user.id);
	if (rc == GR_ENOTFOUND) {
		gr_protocol_fail(out, "team_required",
				 "Join a team of this project first: a team hands in one piece of "
				 "work.");
		return 0;
	}
	if (rc || (rc = gr_store_project_team_each_member(live->store, work->team.id, add_member, work)))
		return rc;
	if (work->team.author_id && work->team.author_id != client->user.id &&
	    (rc = gr_store_user_by_id(live->store, &work->author, work->team.author_id)) != 0)
		return rc;
	return 1;
}

/*
 * In the change of a team's hand-in, after the author's: every other
 * member's progress moves to next too, with their own event (extra: the
 * submission). *out_body is the client's reply when the client is one of
 * them; events[] receives the events to queue, *count how many.
 */
static int mirror_members(struct gr_live *live, const struct team_work *work,
			  const struct gr_client *client, const struct gr_track *track,
			  const struct gr_step *step, enum gr_progress_state next,
			  struct gr_json *extra, struct gr_json **out_body, struct gr_user *users,
			  struct gr_json **events, int *count)
{
	struct gr_store_progress row;
	enum gr_progress_state current;
	struct gr_json *body = NULL;
	int rc;

	for (int i = 0; i < work->member_count; i++) {
		int64_t id = work->members[i];

		if (id == work->author.id)
			continue;
		if ((rc = gr_store_user_by_id(live->store, &users[*count], id)) ||
		    (rc = load_state(live, &current, &row, id, track->id, step->id, step->reviews)) ||
		    (rc = save_change(live, &users[*count], &row, next, step->reviews, extra, &body,
				      &events[*count])))
			return rc;
		if (id == client->user.id) {
			gr_json_free(*out_body);
			*out_body = body;
		} else {
			gr_json_free(body);
		}
		++*count;
	}
	return 0;
}

/*
 * Apply action to the client's progress on the step, with its checks and
 * event; with a submission, store it first and hand it to the services
 * that listen, in the same change. The reply goes before the event. On a
 * partner project's track the submission is the team's: it goes in under
 * the team's author and every member's progress moves with it.
 */
static void change_progress(struct gr_live *live, struct gr_protocol_answer *out,
			    struct gr_client *client, const struct gr_request *request,
			    enum gr_progress_action action,
			    const struct gr_store_submission *submission)
{
	const struct gr_track *track;
	const struct gr_step *step = find_step(live, out, &client->user, request, &track);
	enum gr_progress_state next;
	struct gr_store_progress row;
	struct gr_store_submission saved;
	struct team_work work;
	struct gr_user users[GR_PROJECT_TEAM_MAX + 1];
	struct gr_json *extra = NULL, *body = NULL, *events[GR_PROJECT_TEAM_MAX + 2] = { NULL };
	struct gr_turn_change change;
	int count = 0, rc;

	if (!step)
		return;
	memset(&work, 0, sizeof(work));
	work.author = client->user;
	if (submission && (rc = team_of(live, out, client, track, &work)) <= 0) {
		if (rc < 0)
			goto unsaved;
		return;
	}
	if ((rc = decide(live, out, &work.author, track, step, action, &row, &next)) <= 0) {
		if (rc < 0)
			goto unsaved;
		return;
	}
	if ((rc = gr_turn_begin(live->turn, &change)) != 0)
		goto unsaved;
	if (submission) {
		saved = *submission;
		saved.user_id = work.author.id;
		saved.track_commit = track->commit;
		if ((rc = gr_store_submission_insert(live->store, &saved)))
			goto failed;
		if (work.team.id &&
		    ((rc = gr_store_project_team_mark_submission(live->store, saved.id, work.team.id)) ||
		     (!work.team.author_id &&
		      (rc = gr_store_project_team_set_author(live->store, work.team.id, work.author.id)))))
			goto failed;
		extra = gr_json_pack("{s:I, s:i}", "id", (long long)saved.id, "attempt",
				     saved.attempt);
		if (extra && work.team.id)
			gr_json_set(extra, "team", gr_json_integer(work.team.id));
	}
	users[0] = work.author;
	if ((rc = save_change(live, &work.author, &row, next, step->reviews, extra, &body,
			      &events[0])))
		goto failed;
	if (work.team.id && (rc = mirror_members(live, &work, client, track, step, next, extra,
						 &body, users + 1, events + 1, &count)))
		goto failed;
	count++; /* the author's, then the members' */
	out->body = body;
	out->wrote = 1;
	reply(live, client, request, out);
	for (int i = 0; i < count; i++) {
		queue_event(live, &users[i], track->id, events[i]);
		events[i] = NULL;
	}
	/* The engine's first assignments belong to the same change. */
	if (submission)
		rc = tell_submitted(live, &saved, step->reviews);
	if ((rc = gr_turn_end(live->turn, &change, rc)) != 0)
		goto unsaved;
	gr_json_free(extra);
	return;
failed:
	gr_turn_end(live->turn, &change, rc);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		gr_json_free(events[i]);
	gr_json_free(body);
unsaved:
	gr_json_free(extra);
	gr_log_error("saving progress of %s: %s", client->user.handle, gr_error_last());
	out->sent = 0;
	gr_protocol_fail(out, "internal", "The change could not be saved.");
}

static void handle_progress(void *payload, struct gr_protocol_answer *out,
			    struct gr_client *client, const struct gr_request *request)
{
	struct gr_live *live = payload;
	enum gr_progress_state wanted;

	if (gr_progress_state_from_name(&wanted, request->state) != 0)
		gr_protocol_fail(out, "bad_value",
				 "'state' is one of not_started, started, done, submitted, "
				 "in_review, passed, needs_work.");
	else if (wanted == GR_PROGRESS_STARTED)
		change_progress(live, out, client, request, GR_PROGRESS_START, NULL);
	else if (wanted == GR_PROGRESS_DONE)
		change_progress(live, out, client, request, GR_PROGRESS_FINISH, NULL);
	else if (wanted == GR_PROGRESS_SUBMITTED)
		gr_protocol_fail(out, "bad_value", "Work is submitted with submission.create.");
	else if (wanted == GR_PROGRESS_NOT_STARTED)
		gr_protocol_fail(out, "bad_value", "A step that was started stays started.");
	else
		gr_protocol_fail(out, "bad_value", "Only peer reviews can set this state.");
}

/* Taking back "mark as done" (docs/protocol.md, "Undoing: progress.undo"). */
static void handle_undo(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			const struct gr_request *request)
{
	change_progress(payload, out, client, request, GR_PROGRESS_UNDO, NULL);
}

static int link_is_valid(const char *link)
{
	if (strncmp(link, "https://", 8) != 0 && strncmp(link, "http://", 7) != 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)link; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == 0x7f)
			return 0;
	return 1;
}

static void handle_submission(void *payload, struct gr_protocol_answer *out,
			      struct gr_client *client, const struct gr_request *request)
{
	struct gr_live *live = payload;
	struct gr_store_submission submission = { 0 };

	if (request->link && request->link[0] && !link_is_valid(request->link)) {
		gr_protocol_fail(out, "link_invalid",
				 "'link' must be a web address starting with https:// or http://.");
		out->body = gr_json_pack("{s:s}", "field", "link");
		return;
	}
	if (!request->body_md[strspn(request->body_md, " \t\r\n")]) {
		gr_protocol_fail(out, "work_empty", "'body_md' is empty: describe what you made.");
		out->body = gr_json_pack("{s:s}", "field", "body_md");
		return;
	}
	submission.user_id = client->user.id;
	submission.track_id = request->track;
	submission.step_id = request->step;
	submission.body_md = request->body_md;
	submission.body_html = request->html;
	submission.link = request->link;
	submission.created_at = now_ms(live);
	change_progress(live, out, client, request, GR_PROGRESS_SUBMIT, &submission);
}

/* ---- hello: replay or snapshot ------------------------------------------- */

struct replay {
	struct gr_live *live;
	struct gr_client *client;
	struct gr_json *progress;
};

static int replay_event(int64_t seq, const char *body, void *payload)
{
	struct replay *replay = payload;

	return send_text(replay->client, body, strlen(body));
}

static int snapshot_row(const struct gr_store_progress *row, void *payload)
{
	struct replay *replay = payload;

	return gr_json_append(replay->progress,
			      gr_json_pack("{s:s, s:s, s:s, s:I}", "track", row->track_id, "step",
					   row->step_id, "state", gr_progress_state_name(row->state), "updated_at",
					   (long long)row->updated_at));
}

static struct gr_json *user_json(const struct gr_user *user)
{
	return gr_json_pack("{s:s, s:s, s:s, s:s?}", "handle", user->handle, "display_name",
			    user->display_name, "role", gr_account_role_name(user->role), "cohort",
			    user->cohort[0] ? user->cohort : NULL);
}

/* The reply goes first, then what the connection missed. */
static void handle_hello(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			 const struct gr_request *request)
{
	struct gr_live *live = payload;
	struct replay replay = { live, client, NULL };
	int64_t first = 0, last = 0, since = request->last_seq;
	int can_replay, was_online;
	char own[64];

	gr_live_flush(live); /* replay only what is committed */
	if (gr_store_event_range(live->store, client->user.id, &first, &last) != 0) {
		gr_protocol_fail(out, "internal", "Your history cannot be read.");
		return;
	}
	can_replay = since >= 0 && since <= last &&
		     (since == last || (first > 0 && first <= since + 1)) &&
		     last - since <= live->settings.queue_messages / 2;
	out->body = gr_json_pack("{s:o, s:I, s:s, s:o}", "user", user_json(&client->user), "seq",
				 (long long)last, "sync", can_replay ? "replay" : "snapshot",
				 "nudges", gr_json_array());
	if (out->body)
		tell_hello(live, &client->user, out->body);
	gr_fanout_queue_resynced(&client->subscriber.queue);
	reply(live, client, request, out);
	if (can_replay) {
		gr_store_event_each_since(live->store, client->user.id, since, replay_event,
					  &replay);
	} else {
		replay.progress = gr_json_array();
		gr_store_progress_each(live->store, client->user.id, snapshot_row, &replay);
		gr_protocol_send_json(live->protocol, client,
				      gr_json_pack("{s:s, s:I, s:o}", "type", "snapshot", "seq",
						   (long long)last, "progress", replay.progress));
	}
	user_topic(own, sizeof(own), &client->user);
	client->synced = 1;
	was_online = gr_live_online(live, client->user.id);
	gr_fanout_subscribe(live->fanout, &client->subscriber, own);
	if (!was_online)
		board_online(live, &client->user, 1);
	tell_arrived(live); /* someone new may help with an open request */
}

/* ---- rooms and boards ---------------------------------------------------- */

struct peers {
	struct gr_json *list;
	int64_t seen[64];
	int seen_count;
};

static int add_peer(struct gr_subscriber *subscriber, void *payload)
{
	struct gr_client *client = subscriber->owner;
	struct peers *peers = payload;

	for (int i = 0; i < peers->seen_count; i++)
		if (peers->seen[i] == client->user.id)
			return 0;
	if (peers->seen_count < (int)(sizeof(peers->seen) / sizeof(peers->seen[0])))
		peers->seen[peers->seen_count++] = client->user.id;
	gr_json_append(peers->list,
			      gr_json_pack("{s:s, s:s}", "handle", client->user.handle,
					"display_name", client->user.display_name));
	return gr_json_size(peers->list) >= 50; /* enough people to show */
}

/* Who is in a room: distinct people, each once, up to 50; count is how many listed. */
static struct gr_json *room_presence(struct gr_live *live, const char *topic)
{
	struct peers peers = { .list = gr_json_array() };

	gr_fanout_each(live->fanout, topic, add_peer, &peers);
	return gr_json_pack("{s:s, s:s, s:s, s:o, s:i}", "type", "event", "event", "presence",
			 "topic", topic, "peers", peers.list, "count",
			 (int)gr_json_size(peers.list));
}

/*
 * Tell a learner's board which step they are on (step NULL: none now), and
 * whether any connection of theirs is still open.
 */
static void board_presence(struct gr_live *live, struct gr_client *client, const char *track,
			   const char *step)
{
	char board[400];

	if (client->user.role != GR_ROLE_LEARNER)
		return;
	board_topic(board, sizeof(board), &client->user, track);
	publish_now(live,
		    gr_json_pack("{s:s, s:s, s:s, s:s, s:s?, s:b}", "type", "event", "event",
				 "presence", "user", client->user.handle, "track", track, "step",
				 step, "online", gr_live_online(live, client->user.id)),
		    board);
}

/*
 * A learner's first connection said hello (online 1), or their last one
 * closed (0): the watched boards of their cohort are told, one message per
 * board whatever the number of the learner's tabs.
 */
static void board_online(struct gr_live *live, const struct gr_user *user, int online)
{
	if (user->role != GR_ROLE_LEARNER)
		return;
	for (int i = 0; i < live->board_count; i++) {
		const struct board *board = &live->boards[i];

		if (strcmp(board->cohort, user->cohort) == 0)
			publish_now(live,
				    gr_json_pack("{s:s, s:s, s:s, s:s, s:b}", "type", "event", "event",
						 "presence", "user", user->handle, "track",
						 board->track, "online", online),
				    board->topic);
	}
}

/* "room:TRACK/STEP" → track and step (into buffers); 0 when it is one. */
static int parse_room(const char *topic, char *track, size_t track_size, const char **step)
{
	const char *slash;

	if (strncmp(topic, "room:", 5) != 0 || !(slash = strchr(topic + 5, '/')) ||
	    (size_t)(slash - topic - 5) >= track_size || slash == topic + 5)
		return -1;
	snprintf(track, track_size, "%.*s", (int)(slash - topic - 5), topic + 5);
	*step = slash + 1;
	return 0;
}

static int remember_topic(struct gr_client *client, const char *topic)
{
	char **grown = realloc(client->topics, (size_t)(client->topic_count + 1) * sizeof(char *));

	if (!grown)
		return -1;
	client->topics = grown;
	if (!(client->topics[client->topic_count] = strdup(topic)))
		return -1;
	client->topic_count++;
	return 0;
}

static void forget_topic(struct gr_client *client, const char *topic)
{
	for (int i = 0; i < client->topic_count; i++) {
		if (strcmp(client->topics[i], topic) == 0) {
			free(client->topics[i]);
			client->topics[i] = client->topics[--client->topic_count];
			return;
		}
	}
}

struct gr_json *gr_live_person(struct gr_store *store, int64_t user_id)
{
	struct gr_user user;

	if (user_id <= 0 || gr_store_user_by_id(store, &user, user_id) != 0)
		return gr_json_null();
	return gr_json_pack("{s:s, s:s}", "handle", user.handle, "display_name",
			    user.display_name);
}

/*
 * The library serves a new commit of a track (commit NULL: the track was
 * removed): the pages that follow "track:ID" are told, so they can redraw
 * their outline. Not stored: a page opened later reads the new commit anyway.
 */
void gr_live_track_changed(const char *track_id, const char *commit, void *payload)
{
	struct gr_live *live = payload;
	char topic[140];

	snprintf(topic, sizeof(topic), "track:%s", track_id);
	publish_now(live,
		    gr_json_pack("{s:s, s:s, s:s, s:s, s:s?}", "type", "event", "event",
				 "track.updated", "topic", topic, "track", track_id, "commit",
				 commit),
		    topic);
}

/* Checks a topic the client asks for; fails out and returns -1 when refused. */
static int check_topic(struct gr_live *live, struct gr_protocol_answer *out,
		       struct gr_client *client, const struct gr_request *request)
{
	const char *topic = request->topic, *step = NULL, *slash;
	char track[130];

	if (parse_room(topic, track, sizeof(track), &step) == 0) {
		const struct gr_track *found = seen_track(live, &client->user, track);

		if (found && gr_track_step(found, step))
			return 0;
		gr_protocol_fail(out, "step_missing", "There is no such step.");
		return -1;
	}
	if (strncmp(topic, "board:", 6) == 0 && (slash = strrchr(topic, '/'))) {
		char cohort[GR_COHORT_MAX * 4 + 1];

		if (!gr_account_is_coach(&client->user)) {
			gr_protocol_fail(out, "coaches_only",
					 "Only coaches and admins may watch a board.");
			return -1;
		}
		snprintf(cohort, sizeof(cohort), "%.*s", (int)(slash - topic - 6), topic + 6);
		if ((size_t)(slash - topic - 6) >= sizeof(cohort) ||
		    !gr_rights_may_coach(live->store, &client->user, cohort)) {
			gr_protocol_fail(out, "not_your_cohort",
					 "You may watch the boards of the cohorts you coach only.");
			return -1;
		}
		if (seen_track(live, &client->user, slash + 1))
			return 0;
		gr_protocol_fail(out, "track_missing", "There is no such track.");
		return -1;
	}
	if (strncmp(topic, "track:", 6) == 0) {
		if (seen_track(live, &client->user, topic + 6))
			return 0;
		gr_protocol_fail(out, "track_missing", "There is no such track.");
		return -1;
	}
	gr_protocol_fail(out, "bad_value",
			 "'topic' is room:TRACK/STEP, track:TRACK or board:COHORT/TRACK.");
	return -1;
}

/* A growing list of ids. */
struct ids {
	int64_t *list;
	size_t count, capacity;
};

static int add_id(int64_t id, void *payload)
{
	struct ids *ids = payload;

	if (gr_array_grow((void **)&ids->list, &ids->capacity, ids->count, sizeof(*ids->list)))
		return GR_ERROR;
	ids->list[ids->count++] = id;
	return 0;
}

/* Tell a board that the learner id joined or left its cohort (event). */
static void tell_member(struct gr_live *live, struct board *board, const char *event, int64_t id)
{
	struct gr_user user;

	if (gr_store_user_by_id(live->store, &user, id) != 0)
		return; /* removed meanwhile: nothing to show or drop */
	publish_now(live,
		    gr_json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "event", "event", event,
				 "topic", board->topic, "track", board->track, "user", user.handle,
				 "display_name", user.display_name),
		    board->topic);
}

/*
 * Read the learners of a board's cohort again; with tell, the board is
 * sent each one it did not have when last read ("member.joined": an
 * invite used, or someone moved in), before any progress of theirs, and
 * each one it had that is gone ("member.left": moved to another cohort,
 * or no longer a learner). Both lists are sorted by id.
 */
static int board_members(struct gr_live *live, struct board *board, int tell)
{
	struct ids fresh = { 0 };
	size_t i = 0, old = 0;
	int rc = gr_store_cohort_members(live->store, board->cohort, add_id, &fresh);

	if (rc != 0) {
		free(fresh.list);
		return rc;
	}
	while (tell && (i < fresh.count || old < board->member_count)) {
		if (old == board->member_count ||
		    (i < fresh.count && fresh.list[i] < board->members[old])) {
			tell_member(live, board, "member.joined", fresh.list[i++]);
		} else if (i == fresh.count || board->members[old] < fresh.list[i]) {
			tell_member(live, board, "member.left", board->members[old++]);
		} else { /* in both */
			i++;
			old++;
		}
	}
	free(board->members);
	board->members = fresh.list;
	board->member_count = fresh.count;
	return 0;
}

void gr_live_members_changed(struct gr_live *live)
{
	for (int i = 0; i < live->board_count; i++)
		if (board_members(live, &live->boards[i], 1) != 0)
			gr_log_warn("the learners of %s: %s", live->boards[i].topic, gr_error_last());
}

/* Remember a board topic (checked already) so its summary is kept up to date. */
static int board_watch(struct gr_live *live, const char *topic)
{
	const char *slash = strrchr(topic, '/');
	struct board *board;

	for (int i = 0; i < live->board_count; i++)
		if (strcmp(live->boards[i].topic, topic) == 0)
			return 0;
	if (live->board_count == live->board_capacity) {
		int capacity = live->board_capacity ? live->board_capacity * 2 : 8;
		struct board *grown = realloc(live->boards, (size_t)capacity * sizeof(*grown));

		if (!grown)
			return GR_ERROR;
		live->boards = grown;
		live->board_capacity = capacity;
	}
	board = &live->boards[live->board_count];
	memset(board, 0, sizeof(*board));
	board->topic = strdup(topic);
	board->cohort = strndup(topic + 6, (size_t)(slash - topic - 6));
	board->track = strdup(slash + 1);
	board->sent_at = now_ms(live);
	if (!board->topic || !board->cohort || !board->track) {
		free(board->topic);
		free(board->cohort);
		free(board->track);
		return GR_ERROR;
	}
	live->board_count++;
	if (board_members(live, board, 0) != 0)
		gr_log_warn("the learners of %s: %s", board->topic, gr_error_last());
	return 0;
}

static void board_forget(struct gr_live *live, int index)
{
	struct board *board = &live->boards[index];

	free(board->topic);
	free(board->cohort);
	free(board->track);
	free(board->attention);
	gr_json_free(board->counts);
	free(board->members);
	*board = live->boards[--live->board_count];
}

/*
 * What changed since board's last summary: the attention list when it is
 * not the one sent, and the review counts of the learners whose counts
 * moved (a coach who came later has the rest from board.get). The first
 * summary of a board leaves out the learners with no reviews given or
 * received, which every board.get shows already: at 10,000 learners they
 * made a message of some 400 KB for every board, which overflowed their
 * queues. NULL when nothing changed. Consumes summary.
 */
/* Collects in moved the counts of a learner that are not the ones last sent. */
struct moved_counts {
	struct gr_json *sent;
	struct gr_json *moved;
};

static int note_moved(const char *handle, struct gr_json *numbers, void *payload)
{
	struct moved_counts *counts = payload;
	struct gr_json *previous = gr_json_get(counts->sent, handle);

	gr_json_delete(numbers, "last_activity"); /* boards follow it from the events */
	if (!counts->sent && gr_json_integer_value(gr_json_get(numbers, "given")) == 0 &&
	    gr_json_integer_value(gr_json_get(numbers, "received")) == 0)
		return 0; /* the first summary: a board.get said so already */
	if (!previous || !gr_json_equal(previous, numbers))
		gr_json_set(counts->moved, handle, gr_json_ref(numbers));
	return 0;
}

static struct gr_json *summary_changes(char **sent_attention, struct gr_json **sent_counts,
				       struct gr_json *summary)
{
	struct gr_json *attention = gr_json_get(summary, "attention");
	struct gr_json *learners = gr_json_get(summary, "learners"), *counts, *changes, *moved;
	char *text = gr_json_dump(attention);

	changes = gr_json_object();
	moved = gr_json_object();
	if (!text || !changes || !moved)
		goto fail;
	if (!*sent_attention || strcmp(text, *sent_attention) != 0) {
		gr_json_set(changes, "attention", gr_json_ref(attention));
		free(*sent_attention);
		*sent_attention = text;
		text = NULL;
	}
	gr_json_each(learners, note_moved, &(struct moved_counts){ *sent_counts, moved });
	counts = gr_json_ref(learners);
	gr_json_free(*sent_counts);
	*sent_counts = counts;
	if (gr_json_size(moved))
		gr_json_set(changes, "learners", gr_json_ref(moved));
	if (!gr_json_size(changes))
		goto fail;
	free(text);
	gr_json_free(moved);
	gr_json_free(summary);
	return changes;
fail:
	free(text);
	gr_json_free(moved);
	gr_json_free(changes);
	gr_json_free(summary);
	return NULL;
}

static void summary_publish(struct gr_live *live, struct gr_json *changes, const char *topic,
			    int64_t now)
{
	gr_json_set(changes, "type", gr_json_string("event"));
	gr_json_set(changes, "event", gr_json_string("board.summary"));
	gr_json_set(changes, "topic", gr_json_string(topic));
	gr_json_set(changes, "now", gr_json_integer(now));
	publish_now(live, changes, topic);
}

static void summary_job_free(struct summary_job *job)
{
	gr_json_free(job->job.summary);
	gr_json_free(job->changes);
	gr_json_free(job->counts);
	free(job->attention);
	free(job->topic);
	free(job->cohort);
	free(job->track);
	free(job);
}

/* On the worker: what changed since the board's last summary. */
static void summary_made(struct gr_live_summary *made)
{
	struct summary_job *job = (struct summary_job *)made;

	if (!made->summary)
		return;
	job->changes = summary_changes(&job->attention, &job->counts, made->summary);
	made->summary = NULL; /* consumed */
}

/* On the loop: the board keeps what was sent, and its watchers get what changed. */
static void summary_done(struct gr_live_summary *made)
{
	struct summary_job *job = (struct summary_job *)made;
	struct gr_live *live = job->live;

	if (live) {
		live->summarizing = NULL;
		for (int i = 0; i < live->board_count; i++) {
			struct board *board = &live->boards[i];

			if (strcmp(board->topic, job->topic) != 0)
				continue;
			free(board->attention);
			gr_json_free(board->counts);
			board->attention = job->attention;
			board->counts = job->counts;
			job->attention = NULL;
			job->counts = NULL;
			if (job->changes)
				summary_publish(live, job->changes, job->topic, job->now);
			job->changes = NULL;
			break;
		}
	}
	summary_job_free(job);
}

/* Start board's summary off the loop; what it last sent goes with it. */
static void summary_begin(struct gr_live *live, struct listener *maker, struct board *board,
			  int64_t now)
{
	struct summary_job *job = calloc(1, sizeof(*job));

	if (!job || !(job->topic = strdup(board->topic)) ||
	    !(job->cohort = strdup(board->cohort)) || !(job->track = strdup(board->track))) {
		if (job)
			summary_job_free(job);
		return;
	}
	job->live = live;
	job->now = now;
	job->job = (struct gr_live_summary){ job->cohort,	  job->track,	live->settings.workers,
					     NULL,		  summary_made, summary_done };
	job->attention = board->attention;
	job->counts = board->counts;
	board->attention = NULL;
	board->counts = NULL;
	if (maker->hear.summary_start(maker->payload, &job->job) != 0) {
		gr_log_warn("the summary of %s could not be started: %s", board->topic,
			    gr_error_last());
		board->attention = job->attention;
		board->counts = job->counts;
		job->attention = NULL;
		job->counts = NULL;
		summary_job_free(job);
		return;
	}
	live->summarizing = job;
}

/*
 * Send one board what changed in its summary: the board waiting longest of
 * those due (busy for SUMMARY_BUSY_MS, or idle for SUMMARY_IDLE_MS). Boards
 * nobody watches any more are forgotten. With a worker pool the summary is
 * made off the loop, one at a time, and published when it is done.
 */
static void boards_refresh(struct gr_live *live)
{
	int64_t now = now_ms(live);
	struct board *board = NULL;
	struct listener *maker = summary_maker(live);
	struct gr_json *summary, *changes;

	for (int i = live->board_count - 1; i >= 0; i--)
		if (gr_fanout_count(live->fanout, live->boards[i].topic) == 0)
			board_forget(live, i);
	if (live->summarizing)
		return;
	for (int i = 0; i < live->board_count; i++) {
		struct board *candidate = &live->boards[i];
		int64_t age = now - candidate->sent_at;

		if (((candidate->dirty && age >= SUMMARY_BUSY_MS) || age >= SUMMARY_IDLE_MS) &&
		    (!board || candidate->sent_at < board->sent_at))
			board = candidate;
	}
	if (!board)
		return;
	board->dirty = 0;
	board->sent_at = now;
	if (live->settings.workers && maker->hear.summary_start) {
		summary_begin(live, maker, board, now);
		return;
	}
	if (!(summary = summary_of(live, board->cohort, board->track)) ||
	    !(changes = summary_changes(&board->attention, &board->counts, summary)))
		return;
	summary_publish(live, changes, board->topic, now);
}

static void handle_subscribe(void *payload, struct gr_protocol_answer *out,
			     struct gr_client *client, const struct gr_request *request)
{
	struct gr_live *live = payload;
	const char *topic = request->topic, *step;
	char track[130];

	if (check_topic(live, out, client, request) != 0)
		return;
	if (!gr_fanout_is_subscribed(live->fanout, &client->subscriber, topic)) {
		if (client->topic_count >= MAX_TOPICS_PER_CLIENT) {
			gr_protocol_fail(
			    out, "too_many_topics",
			    "A connection follows at most 8 topics; unsubscribe first.");
			out->body = gr_json_pack("{s:i}", "limit", MAX_TOPICS_PER_CLIENT);
			return;
		}
		if (remember_topic(client, topic) ||
		    gr_fanout_subscribe(live->fanout, &client->subscriber, topic)) {
			gr_protocol_fail(out, "internal", "Out of memory.");
			return;
		}
	}
	if (strncmp(topic, "board:", 6) == 0 && board_watch(live, topic) != 0) {
		gr_protocol_fail(out, "internal", "Out of memory.");
		return;
	}
	out->body = gr_json_pack("{s:s}", "topic", topic);
	if (parse_room(topic, track, sizeof(track), &step) == 0) {
		struct gr_json *presence = room_presence(live, topic);

		gr_json_set(out->body, "peers", gr_json_ref(gr_json_get(presence, "peers")));
		publish_now(live, presence, topic);
		board_presence(live, client, track, step);
	}
}

/*
 * After leaving a room: tell the others in it, and the learner's board
 * where they are now: in another tab still open on the track, or nowhere.
 */
static void left_topic(struct gr_live *live, struct gr_client *client, const char *topic)
{
	const char *step;
	char track[130];

	if (parse_room(topic, track, sizeof(track), &step) != 0)
		return;
	if (gr_fanout_count(live->fanout, topic) > 0)
		publish_now(live, room_presence(live, topic), topic);
	board_presence(live, client, track, gr_live_here(live, client->user.id, track));
}

static void handle_unsubscribe(void *payload, struct gr_protocol_answer *out,
			       struct gr_client *client, const struct gr_request *request)
{
	struct gr_live *live = payload;

	if (strncmp(request->topic, "user:", 5) == 0 || strncmp(request->topic, "conn:", 5) == 0 ||
	    gr_fanout_unsubscribe(live->fanout, &client->subscriber, request->topic) != 0) {
		gr_protocol_fail(out, "not_subscribed",
				 "This connection does not follow that topic.");
		return;
	}
	forget_topic(client, request->topic);
	left_topic(live, client, request->topic);
	out->body = gr_json_pack("{s:s}", "topic", request->topic);
}

/* Rendered first (dispatch): the HTML is ready. */
static void handle_preview(void *payload, struct gr_protocol_answer *out,
			   struct gr_client *client, const struct gr_request *request)
{
	(void)payload;
	(void)client;
	assert(request->html);
	out->body = gr_json_pack("{s:s}", "html", request->html);
}

void gr_live_tick(struct gr_live *live)
{
	rest_over(live);
	if (summary_maker(live))
		boards_refresh(live);
}

/* ---- for the services: the users' streams, progress, who is online -------- */

int gr_live_event(struct gr_live *live, int64_t user_id, const char *board_track,
		  struct gr_json *fields)
{
	struct gr_user user;
	int64_t now = now_ms(live), seq = 0;
	struct gr_json *event = NULL;
	char *body = NULL, own[64], board[400];
	int rc;

	if (!fields) {
		rc = GR_ERROR; /* the pack that made it said why */
		goto out;
	}
	if ((rc = gr_store_user_by_id(live->store, &user, user_id)) ||
	    (rc = gr_store_event_next_seq(live->store, user_id, &seq)))
		goto out;
	event = gr_json_pack("{s:s, s:I, s:s}", "type", "event", "seq", (long long)seq, "user",
			     user.handle);
	if (!event || gr_json_update(event, fields) != 0 ||
	    gr_json_set(event, "at", gr_json_integer(now)) != 0 ||
	    !(body = gr_json_dump(event))) {
		rc = GR_ERROR;
		goto out;
	}
	if ((rc = gr_store_event_insert(live->store, user_id, seq, body, now)))
		goto out;
	user_topic(own, sizeof(own), &user);
	if (board_track)
		board_topic(board, sizeof(board), &user, board_track);
	rc = publish_later(live, event, own, board_track ? board : NULL);
	event = NULL;
	if (rc == 0)
		rc = tell_event(live, user_id, seq, fields, body);
out:
	gr_json_free(fields);
	gr_json_free(event);
	free(body);
	return rc;
}

int gr_live_push(struct gr_live *live, const char *topic, struct gr_json *message)
{
	if (!message)
		return GR_ERROR; /* the pack that made it said why */
	return publish_later(live, message, topic, NULL);
}

/* gr_live_progress for one user. */
static int progress_one(struct gr_live *live, int64_t user_id, const char *track_id,
			const char *step_id, int reviews, enum gr_progress_action action)
{
	enum gr_progress_state current, next;
	struct gr_store_progress row;
	struct gr_user user;
	struct gr_json *body = NULL, *event = NULL;
	char own[64], board[400];
	int rc;

	if ((rc = gr_store_user_by_id(live->store, &user, user_id)) ||
	    (rc = load_state(live, &current, &row, user_id, track_id, step_id, reviews)))
		return rc;
	if (gr_progress_next(&next, current, action, reviews) != 0) {
		gr_log_warn("reviews of %s on %s/%s: %s", user.handle, track_id, step_id,
			    gr_error_last());
		return 0;
	}
	if (next == current)
		return 0;
	if ((rc = save_change(live, &user, &row, next, reviews, NULL, &body, &event)))
		return rc;
	gr_json_free(body);
	user_topic(own, sizeof(own), &user);
	board_topic(board, sizeof(board), &user, track_id);
	return publish_later(live, event, own, board);
}

/*
 * A verdict on a team's work applies to every member: the review engine
 * knows the team's author only (teams.author_id), so what it decides for
 * the author on a partner project's track, each member's progress follows.
 */
int gr_live_progress(struct gr_live *live, int64_t user_id, const char *track_id,
		     const char *step_id, int reviews, enum gr_progress_action action)
{
	struct team_work work;
	int rc = progress_one(live, user_id, track_id, step_id, reviews, action);

	if (rc)
		return rc;
	memset(&work, 0, sizeof(work));
	rc = gr_store_project_team_of_track(live->store, &work.team, track_id, user_id);
	if (rc == GR_ENOTFOUND || (rc == 0 && work.team.author_id != user_id))
		return 0;
	if (rc || (rc = gr_store_project_team_each_member(live->store, work.team.id, add_member, &work)))
		return rc;
	for (int i = 0; rc == 0 && i < work.member_count; i++)
		if (work.members[i] != user_id)
			rc = progress_one(live, work.members[i], track_id, step_id, reviews, action);
	return rc;
}

int gr_live_online(struct gr_live *live, int64_t user_id)
{
	char topic[64];

	snprintf(topic, sizeof(topic), "user:%lld", (long long)user_id);
	return gr_fanout_count(live->fanout, topic) > 0;
}

struct here {
	const char *track;
	const char *step;
};

static int find_here(struct gr_subscriber *subscriber, void *payload)
{
	struct gr_client *client = subscriber->owner;
	struct here *here = payload;
	size_t len = strlen(here->track);

	for (int i = 0; i < client->topic_count; i++) {
		const char *topic = client->topics[i];

		if (strncmp(topic, "room:", 5) == 0 && strncmp(topic + 5, here->track, len) == 0 &&
		    topic[5 + len] == '/') {
			here->step = topic + 6 + len;
			return 1;
		}
	}
	return 0;
}

const char *gr_live_here(struct gr_live *live, int64_t user_id, const char *track)
{
	struct here here = { track, NULL };
	char topic[64];

	snprintf(topic, sizeof(topic), "user:%lld", (long long)user_id);
	gr_fanout_each(live->fanout, topic, find_here, &here);
	return here.step;
}

/* ---- routing ------------------------------------------------------------- */

int gr_live_route(struct gr_live *live, const struct gr_live_route *routes, int count,
		  void *payload)
{
	for (int i = 0; i < count; i++) {
		assert(routes[i].type >= 0 && routes[i].type < GR_REQUEST_TYPE_COUNT);
		live->routes[routes[i].type] = (struct route){ routes[i].handle, payload };
	}
	return 0;
}

int gr_live_listen(struct gr_live *live, const struct gr_live_listener *listener, void *payload)
{
	struct listener *grown = realloc(live->listeners,
					 (size_t)(live->listener_count + 1) * sizeof(*grown));

	if (!grown) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	live->listeners = grown;
	live->listeners[live->listener_count++] = (struct listener){ *listener, payload };
	return 0;
}

void gr_live_forget(struct gr_live *live, void *payload)
{
	for (int type = 0; type < GR_REQUEST_TYPE_COUNT; type++)
		if (live->routes[type].payload == payload)
			live->routes[type] = (struct route){ NULL, NULL };
	for (int i = live->listener_count - 1; i >= 0; i--)
		if (live->listeners[i].payload == payload)
			memmove(&live->listeners[i], &live->listeners[i + 1],
				(size_t)(--live->listener_count - i) * sizeof(*live->listeners));
}

static const struct gr_live_route own_routes[] = {
	{ GR_REQUEST_HELLO, handle_hello },
	{ GR_REQUEST_PROGRESS_SET, handle_progress },
	{ GR_REQUEST_PROGRESS_UNDO, handle_undo },
	{ GR_REQUEST_SUBMISSION_CREATE, handle_submission },
	{ GR_REQUEST_SUBSCRIBE, handle_subscribe },
	{ GR_REQUEST_UNSUBSCRIBE, handle_unsubscribe },
	{ GR_REQUEST_PREVIEW, handle_preview },
};

/* ---- rendering first ------------------------------------------------------ */

/* A message that came while a request of its connection waited for its render. */
struct held {
	struct held *next;
	size_t len;
	char text[];
};

/* A request waiting for its markdown to be rendered, and what came after it. */
struct waiting {
	struct gr_live *live;
	struct gr_client *client;  /* NULL once the connection closed */
	struct gr_request request; /* its strings in request.message, referenced here */
	const char *markdown;	   /* in request.message: read by the worker */
	char *html;		   /* the worker's result; NULL when rendering failed */
	struct held *held, *held_last;
	int64_t until; /* > 0: no render, the connection rests (told busy) until then;
			  PUT_OFF: put off by a busy turn to the next */
};

#define PUT_OFF (-1)

/* The markdown a request's route wants rendered first, or NULL. */
static const char *markdown_of(const struct gr_request *request)
{
	switch (request->type) {
	case GR_REQUEST_PREVIEW:
	case GR_REQUEST_SUBMISSION_CREATE:
		return request->body_md;
	case GR_REQUEST_REVIEW_SUBMIT:
		return request->comment_md;
	default:
		return NULL;
	}
}

/* The route answers a request rendered first (html may be NULL: rendering failed). */
static void answer_rendered(struct gr_live *live, struct gr_client *client,
			    const struct gr_request *request, char *html)
{
	const struct route *route = &live->routes[request->type];
	struct gr_request rendered = *request;
	struct gr_protocol_answer out = { 0 };

	rendered.html = html;
	if (!html)
		gr_protocol_fail(&out, "internal", "The text could not be rendered.");
	else if (!route->handle)
		gr_protocol_fail(&out, "unknown_type", "This message type is not known.");
	else
		route->handle(route->payload, &out, client, &rendered);
	reply(live, client, &rendered, &out);
}

static void waiting_free(struct waiting *waiting)
{
	struct held *held;

	while ((held = waiting->held)) {
		waiting->held = held->next;
		free(held);
	}
	gr_json_free(waiting->request.message);
	free(waiting->html);
	free(waiting);
}

/*
 * The messages held behind a request whose render is done, in order, until
 * one waits again: the rest then wait behind that one.
 */
static void release_held(struct gr_live *live, struct gr_client *client, struct waiting *done)
{
	struct held *held;

	while ((held = done->held)) {
		struct waiting *again = client->waiting;

		if (again) {
			again->held = done->held; /* it came last: nothing is held behind it yet */
			again->held_last = done->held_last;
			done->held = done->held_last = NULL;
			return;
		}
		done->held = held->next;
		gr_protocol_receive(live->protocol, client, held->text, held->len);
		free(held);
	}
	done->held_last = NULL;
	if (!client->waiting && live->hooks.pause)
		live->hooks.pause(client, 0, live->hooks.payload);
}

static void render_work(void *payload)
{
	struct waiting *waiting = payload;

	waiting->html = gr_markdown_html(waiting->markdown);
}

/* On the loop: answer the request, then what came after it. */
static void render_done(void *payload)
{
	struct waiting *waiting = payload;
	struct gr_client *client = waiting->client;

	if (client) {
		client->waiting = NULL;
		answer_rendered(waiting->live, client, &waiting->request, waiting->html);
		release_held(waiting->live, client, waiting);
	}
	waiting_free(waiting);
}

/*
 * The connection was told busy: it is not read for BUSY_RETRY_S seconds (the
 * tick after that ends its rest), so a client that does not wait costs the
 * loop nothing meanwhile; what it sent waits, in order, as behind a render.
 */
static void rest(struct gr_live *live, struct gr_client *client)
{
	struct waiting *waiting = calloc(1, sizeof(*waiting));

	if (!waiting || gr_array_grow((void **)&live->resting, &live->resting_capacity,
				      (size_t)live->resting_count + 1, sizeof(*live->resting)) != 0) {
		free(waiting);
		return; /* out of memory: it is read on at once */
	}
	waiting->live = live;
	waiting->client = client;
	waiting->until = now_ms(live) + BUSY_RETRY_S * 1000;
	live->resting[live->resting_count++] = waiting;
	client->waiting = waiting;
	if (live->hooks.pause)
		live->hooks.pause(client, 1, live->hooks.payload);
}

/* Take a resting connection's entry off the list (it is the caller's to free). */
static void rest_forget(struct gr_live *live, struct waiting *waiting)
{
	for (int i = 0; i < live->resting_count; i++)
		if (live->resting[i] == waiting) {
			live->resting[i] = live->resting[--live->resting_count];
			return;
		}
}

/* The tick: the connections whose rest is over are read again, what they sent first. */
static void rest_over(struct gr_live *live)
{
	int64_t now = now_ms(live);

	for (int i = live->resting_count - 1; i >= 0; i--) {
		struct waiting *waiting = live->resting[i];

		if (waiting->until > now)
			continue;
		rest_forget(live, waiting);
		waiting->client->waiting = NULL;
		release_held(live, waiting->client, waiting);
		waiting_free(waiting);
		i = live->resting_count; /* releasing may have made others rest */
	}
}

/*
 * Render the request's markdown on a worker, then answer it (0); or fail
 * out (busy when the user has renders_waiting waiting already, and then the
 * connection rests).
 * Without workers it is rendered and answered now.
 */
static int render_first(struct gr_live *live, struct gr_client *client,
			const struct gr_request *request, struct gr_protocol_answer *out)
{
	struct waiting *waiting;
	char *html;
	int rc;

	if (!live->settings.workers) {
		html = gr_markdown_html(markdown_of(request));
		answer_rendered(live, client, request, html);
		free(html);
		return 0;
	}
	if (!(waiting = calloc(1, sizeof(*waiting)))) {
		gr_protocol_fail(out, "internal", "Out of memory.");
		return -1;
	}
	*waiting = (struct waiting){ live, client, *request, markdown_of(request), NULL, NULL, NULL, 0 };
	gr_json_ref(request->message);
	rc = gr_workers_submit_lane(live->settings.workers, client->user.id,
				    live->settings.renders_waiting, render_work, render_done,
				    waiting);
	if (rc != 0) {
		waiting_free(waiting);
		if (rc == GR_ELIMITED) {
			gr_protocol_fail(out, "busy",
					 "Your earlier texts are still being rendered; try again in "
					 "a moment.");
			out->body = gr_json_pack("{s:i}", "retry_after", BUSY_RETRY_S);
			rest(live, client);
		} else {
			gr_protocol_fail(out, "internal", "The text could not be rendered.");
		}
		return -1;
	}
	client->waiting = waiting;
	if (live->hooks.pause)
		live->hooks.pause(client, 1, live->hooks.payload);
	return 0;
}

/* A message that came while the connection waits for a render: after it, in order. */
static void hold(struct waiting *waiting, const char *text, size_t len)
{
	struct held *held = malloc(sizeof(*held) + len);

	if (!held) {
		gr_log_error("a message of %s was lost: out of memory", waiting->client->user.handle);
		return;
	}
	held->next = NULL;
	held->len = len;
	memcpy(held->text, text, len);
	if (waiting->held_last)
		waiting->held_last->next = held;
	else
		waiting->held = held;
	waiting->held_last = held;
}

/* ---- a busy turn's share ------------------------------------------------------ */

/*
 * A message that comes when the loop's turn has done its share (the
 * turn_done hook) waits for the next turn, its connection paused, as behind
 * a render with no job. So one turn never grows with how many connections
 * happen to be ready at once (10,000 learners, or a backlog after the
 * machine was busy elsewhere): the turn commits, and the replies and board
 * pushes go out, before more is read. The next turn takes up first the
 * connections put off, in the order they came.
 */
static void put_off(struct gr_live *live, struct gr_client *client, const char *text,
		    size_t len)
{
	struct waiting *waiting = calloc(1, sizeof(*waiting));

	if (!waiting || gr_array_grow((void **)&live->put_off, &live->put_off_capacity,
				      live->put_off_count + 1, sizeof(*live->put_off)) != 0) {
		free(waiting);
		gr_protocol_receive(live->protocol, client, text, len); /* out of memory: now */
		return;
	}
	waiting->live = live;
	waiting->client = client;
	waiting->until = PUT_OFF;
	hold(waiting, text, len);
	client->waiting = waiting;
	live->put_off[live->put_off_count++] = waiting;
	gr_metrics_count(GR_METRICS_MESSAGES_PUT_OFF);
	if (live->hooks.pause)
		live->hooks.pause(client, 1, live->hooks.payload);
	if (live->put_off_count - live->put_off_first == 1 && live->hooks.next_turn)
		live->hooks.next_turn(live->hooks.payload);
}

/* A connection put off closed: its place in the list stays, empty. */
static void put_off_forget(struct gr_live *live, struct waiting *waiting)
{
	for (size_t i = live->put_off_first; i < live->put_off_count; i++)
		if (live->put_off[i] == waiting) {
			live->put_off[i] = NULL;
			return;
		}
}

void gr_live_take_up(struct gr_live *live)
{
	int done = 0;

	/* At least one: a turn that starts with no room left still moves on. */
	while (live->put_off_first < live->put_off_count && !done) {
		struct waiting *waiting = live->put_off[live->put_off_first++];

		if (!waiting) /* closed meanwhile */
			continue;
		waiting->client->waiting = NULL;
		if (!waiting->client->ended) /* else it is being closed: nothing more is handled */
			release_held(live, waiting->client, waiting);
		waiting_free(waiting);
		done = live->hooks.turn_done && live->hooks.turn_done(live->hooks.payload);
	}
	if (live->put_off_first == live->put_off_count) {
		live->put_off_first = live->put_off_count = 0;
		return;
	}
	if (live->put_off_first * 2 >= live->put_off_count) { /* a list that never empties stays small */
		live->put_off_count -= live->put_off_first;
		memmove(live->put_off, live->put_off + live->put_off_first,
			live->put_off_count * sizeof(*live->put_off));
		live->put_off_first = 0;
	}
	if (live->hooks.next_turn)
		live->hooks.next_turn(live->hooks.payload);
}

/* ---- answers that come later ------------------------------------------------ */

/*
 * A request a service answers after work on the workers: the same wait as
 * a render's (held messages, paused reading), with the service's job in
 * place of the render.
 */
struct gr_live_later *gr_live_later(struct gr_live *live, struct gr_client *client,
				    const struct gr_request *request,
				    struct gr_protocol_answer *out)
{
	struct waiting *waiting;

	if (client->waiting || !(waiting = calloc(1, sizeof(*waiting))))
		return NULL;
	*waiting = (struct waiting){ live, client, *request, NULL, NULL, NULL, NULL, 0 };
	gr_json_ref(request->message);
	client->waiting = waiting;
	if (live->hooks.pause)
		live->hooks.pause(client, 1, live->hooks.payload);
	out->sent = 1; /* the dispatch's reply: nothing */
	return (struct gr_live_later *)waiting;
}

const struct gr_request *gr_live_later_request(const struct gr_live_later *later)
{
	return &((const struct waiting *)later)->request;
}

void gr_live_answer(struct gr_live_later *later, struct gr_protocol_answer *out)
{
	struct waiting *waiting = (struct waiting *)later;
	struct gr_client *client = waiting->client;

	if (client) {
		client->waiting = NULL;
		reply(waiting->live, client, &waiting->request, out);
		release_held(waiting->live, client, waiting);
	} else {
		gr_json_free(out->body);
		out->body = NULL;
	}
	waiting_free(waiting);
}

/*
 * What a partner may ask on the socket: their own stream and the pages of
 * their projects' tracks (docs/api.md, "Who may do what"); no progress,
 * submissions, reviews, help, boards or nudges.
 */
static int partner_may(enum gr_request_type type)
{
	switch (type) {
	case GR_REQUEST_PING:
	case GR_REQUEST_HELLO:
	case GR_REQUEST_SUBSCRIBE:
	case GR_REQUEST_UNSUBSCRIBE:
	case GR_REQUEST_PREVIEW:
	case GR_REQUEST_NOTIFICATION_LIST:
	case GR_REQUEST_NOTIFICATION_READ:
		return 1;
	default:
		return 0;
	}
}

/* The protocol's dispatch: the route of the request's type answers it. */
static void dispatch(struct gr_client *client, const struct gr_request *request, void *payload)
{
	struct gr_live *live = payload;
	const struct route *route = &live->routes[request->type];
	struct gr_protocol_answer out = { 0 };

	if (request->type != GR_REQUEST_HELLO && !client->synced)
		gr_protocol_fail(&out, "hello_first",
				 "Say hello first: it tells you where you left off.");
	else if (client->user.role == GR_ROLE_PARTNER && !partner_may(request->type))
		gr_protocol_fail(&out, "forbidden",
				 "A partner sees their own projects only: their briefs, teams and "
				 "the work handed in.");
	else if (!route->handle)
		gr_protocol_fail(&out, "unknown_type", "This message type is not known.");
	else if (markdown_of(request) && !request->html) {
		if (render_first(live, client, request, &out) == 0)
			return; /* answered when rendered */
	} else
		route->handle(route->payload, &out, client, request);
	reply(live, client, request, &out);
}

/* ---- the service --------------------------------------------------------- */

int gr_live_new(struct gr_live **out, struct gr_store *store, struct gr_library *library,
		struct gr_turn *turn, const struct gr_live_settings *settings)
{
	struct gr_live *live = calloc(1, sizeof(*live));
	int rc;

	*out = NULL;
	if (!live) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	live->store = store;
	live->library = library;
	live->turn = turn;
	live->settings = *settings;
	if ((rc = gr_protocol_new(&live->protocol, send_text)) != 0) {
		gr_live_free(live);
		return rc;
	}
	gr_protocol_set_dispatch(live->protocol, dispatch, live);
	gr_protocol_set_rate(live->protocol, settings->messages_per_second,
			     settings->messages_per_second * 2, settings->clock);
	gr_live_route(live, own_routes, (int)(sizeof(own_routes) / sizeof(own_routes[0])), live);
	if ((rc = gr_store_data_version(store, &live->data_version)) != 0) {
		gr_live_free(live);
		return rc;
	}
	*out = live;
	return 0;
}

int gr_live_set_hooks(struct gr_live *live, const struct gr_live_hooks *hooks)
{
	static const char resync[] =
	    "{\"type\":\"resync\",\"message\":\"You fell behind; say hello "
	    "again to catch up.\"}";

	struct gr_turn_hooks turn_hooks = { NULL, flush_soon, board_touched, live };
	int rc;

	assert(!live->fanout && live->client_count == 0);
	live->hooks = *hooks;
	if ((rc = gr_fanout_new(&live->fanout, hooks->notify, hooks->payload)) != 0)
		return rc;
	if (!(live->resync = gr_fanout_message_new(hooks->headroom, resync, sizeof(resync) - 1))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	turn_hooks.fanout = live->fanout;
	live->reply_most = live->settings.queue_bytes - (sizeof(resync) - 1);
	if (!hooks->request_flush)
		turn_hooks.request_flush = NULL; /* no loop: each change commits as it ends */
	gr_turn_set_hooks(live->turn, &turn_hooks);
	return 0;
}

static void recheck_orphan(struct gr_live *live);

void gr_live_free(struct gr_live *live)
{
	if (!live)
		return;
	gr_live_flush(live);
	if (live->summarizing) /* it ends on its own */
		live->summarizing->live = NULL;
	recheck_orphan(live); /* so does a check of the connections */
	if (live->fanout) /* what the turn delivers from now on has nowhere to go */
		gr_turn_set_hooks(live->turn, &(struct gr_turn_hooks){ 0 });
	while (live->board_count > 0)
		board_forget(live, live->board_count - 1);
	free(live->boards);
	free(live->listeners);
	free(live->stale);
	assert(live->resting_count == 0); /* every client closed first */
	free(live->resting);
	free(live->put_off);
	gr_fanout_message_unref(live->resync);
	gr_protocol_free(live->protocol);
	gr_fanout_free(live->fanout);
	free(live);
}

int gr_live_client_open(struct gr_live *live, struct gr_client *client)
{
	int rc;

	client->service = live;
	client->subscriber.owner = client;
	char own[64];

	if ((rc = gr_live_may_open(live, client->user.id)) != 0)
		return rc;
	if ((rc = gr_fanout_queue_init(&client->subscriber.queue, live->settings.queue_messages,
				       live->settings.queue_bytes, live->resync)) != 0)
		return rc;
	snprintf(own, sizeof(own), "conn:%lld", (long long)client->user.id);
	if ((rc = gr_fanout_subscribe(live->fanout, &client->subscriber, own)) != 0) {
		gr_fanout_queue_clear(&client->subscriber.queue);
		return rc;
	}
	client->live_prev = NULL;
	client->live_next = live->clients;
	if (live->clients)
		live->clients->live_prev = client;
	live->clients = client;
	live->client_count++;
	client->opened = ++live->opened;
	tell_presence(live, &client->user, 1);
	return 0;
}

void gr_live_client_close(struct gr_live *live, struct gr_client *client)
{
	struct waiting *waiting = client->waiting;
	char own[64];
	int counted;

	if (waiting && waiting->until == PUT_OFF) { /* only the list of those put off refers to it */
		put_off_forget(live, waiting);
		waiting_free(waiting);
	} else if (waiting && waiting->until) { /* resting: nothing else refers to it */
		rest_forget(live, waiting);
		waiting_free(waiting);
	} else if (waiting) { /* its render, or its service's job, finishes without it */
		waiting->client = NULL;
	}
	client->waiting = NULL;
	gr_turn_forget(live->turn, &client->subscriber);
	user_topic(own, sizeof(own), &client->user);
	counted = gr_fanout_is_subscribed(live->fanout, &client->subscriber, own);
	gr_fanout_unsubscribe_all(live->fanout, &client->subscriber);
	for (int i = 0; i < client->topic_count; i++) {
		left_topic(live, client, client->topics[i]);
		free(client->topics[i]);
	}
	if (counted && !gr_live_online(live, client->user.id))
		board_online(live, &client->user, 0);
	free(client->topics);
	client->topics = NULL;
	client->topic_count = 0;
	gr_fanout_queue_clear(&client->subscriber.queue);
	if (client->live_prev)
		client->live_prev->live_next = client->live_next;
	else
		live->clients = client->live_next;
	if (client->live_next)
		client->live_next->live_prev = client->live_prev;
	client->live_prev = client->live_next = NULL;
	live->client_count--;
	tell_presence(live, &client->user, 0);
}

void gr_live_receive(struct gr_live *live, struct gr_client *client, const char *text,
		     size_t len)
{
	if (client->ended) /* its session or rights ended: it is being closed */
		return;
	if (client->waiting)
		hold(client->waiting, text, len);
	else if (live->hooks.turn_done && live->hooks.next_turn &&
		 live->hooks.turn_done(live->hooks.payload))
		put_off(live, client, text, len);
	else
		gr_protocol_receive(live->protocol, client, text, len);
}

int gr_live_may_open(struct gr_live *live, int64_t user_id)
{
	int limit = live->settings.connections_per_user;
	char own[64];

	snprintf(own, sizeof(own), "conn:%lld", (long long)user_id);
	if (limit > 0 && live->fanout && gr_fanout_count(live->fanout, own) >= limit) {
		gr_error_set("%d connections of this user are open already", limit);
		return GR_ELIMITED;
	}
	return 0;
}

/* One stored text's HTML: rendered, then stored in a change of its own. */
static int render_one(struct gr_live *live, int64_t id, const char *markdown,
		      int (*store_html)(struct gr_store *store, int64_t id, const char *html))
{
	struct gr_turn_change change;
	char *html = gr_markdown_html(markdown);
	int rc;

	if (!html) {
		gr_error_set("out of memory rendering stored text %lld", (long long)id);
		return GR_ERROR;
	}
	if ((rc = gr_turn_begin(live->turn, &change)) == 0)
		rc = gr_turn_end(live->turn, &change, store_html(live->store, id, html));
	free(html);
	return rc;
}

typedef int unrendered_fn(struct gr_store *store, int64_t after, int64_t *out_id,
			  char **out_md);
typedef int store_html_fn(struct gr_store *store, int64_t id, const char *html);

/* Every row of a table whose HTML is not stored yet, in id order. */
static int render_table(struct gr_live *live, unrendered_fn *next, store_html_fn *store_html,
			int *count)
{
	int64_t after = 0, id = 0;
	char *markdown = NULL;
	int rc;

	while ((rc = next(live->store, after, &id, &markdown)) == 0) {
		rc = render_one(live, id, markdown, store_html);
		free(markdown);
		if (rc != 0)
			return rc;
		after = id;
		++*count;
	}
	return rc == GR_ENOTFOUND ? 0 : rc;
}

int gr_live_render_stored(struct gr_live *live, int *out_count)
{
	int rc;

	*out_count = 0;
	rc = render_table(live, gr_store_submission_unrendered, gr_store_submission_set_html,
			  out_count);
	return rc ? rc : render_table(live, gr_store_review_unrendered, gr_store_review_set_html,
				      out_count);
}

/* ---- sessions that end --------------------------------------------------- */

/* Refuse the connection every further message, and have it closed with code. */
static void end_client(struct gr_live *live, struct gr_client *client, int code,
		       const char *reason)
{
	if (client->ended)
		return;
	client->ended = 1;
	client->synced = 0;
	gr_log_info("closing a connection of %s: %s", client->user.handle, reason);
	if (live->hooks.end)
		live->hooks.end(client, code, reason, live->hooks.payload);
}

void gr_live_end_session(struct gr_live *live, const unsigned char hash[GR_TOKEN_HASH_SIZE])
{
	struct gr_client *client, *next;

	for (client = live->clients; client; client = next) {
		next = client->live_next; /* an end may close it at once */
		if (memcmp(client->session, hash, sizeof(client->session)) == 0)
			end_client(live, client, GR_LIVE_CLOSE_SESSION_ENDED, "session ended");
	}
}

void gr_live_end_user(struct gr_live *live, int64_t user_id, const unsigned char *keep, int code)
{
	struct gr_client *client, *next;

	for (client = live->clients; client; client = next) {
		next = client->live_next;
		if (client->user.id == user_id &&
		    (!keep || memcmp(client->session, keep, sizeof(client->session)) != 0))
			end_client(live, client,
				   code, code == GR_LIVE_CLOSE_RIGHTS_CHANGED ? "rights changed"
									 : "session ended");
	}
}

/*
 * The check of every open connection against the store's valid sessions:
 * one read of them all, sorted by session, then each connection looked up
 * in it. With a worker pool the read is made on a worker with a connection
 * of its own (some 10 ms at 10,000 sessions, which the loop would stall
 * for), and only the look-ups run on the loop; a connection opened after
 * the read began is not judged by it. One check at a time: a change meanwhile
 * asks for another after it.
 */
struct valid {
	unsigned char session[GR_TOKEN_HASH_SIZE];
	int64_t user_id, rights_stamp;
	enum gr_role role;
	char cohort[sizeof(((struct gr_user *)0)->cohort)];
};

struct recheck {
	struct gr_live *live; /* NULL once the service is freed */
	char *path;	      /* the store's, for the worker's own connection */
	int64_t now;
	uint64_t opened_before; /* the connections it judges: opened before the read */
	struct valid *valid;	/* sorted by session */
	size_t count, capacity;
	int rc;
	char error[256];
};

static int by_session(const void *a, const void *b)
{
	return memcmp(((const struct valid *)a)->session, ((const struct valid *)b)->session,
		      GR_TOKEN_HASH_SIZE);
}

static int keep_valid(const struct gr_store_session_row *row, void *payload)
{
	struct recheck *check = payload;
	struct valid *valid;

	if (gr_array_grow((void **)&check->valid, &check->capacity, check->count + 1,
			  sizeof(*check->valid)) != 0)
		return GR_ERROR;
	valid = &check->valid[check->count++];
	memcpy(valid->session, row->token_hash, GR_TOKEN_HASH_SIZE);
	valid->user_id = row->user_id;
	valid->rights_stamp = row->rights_stamp;
	valid->role = row->role;
	snprintf(valid->cohort, sizeof(valid->cohort), "%s", row->cohort);
	return 0;
}

/* Read the valid sessions from store, sorted (loop or worker). */
static void recheck_read(struct recheck *check, struct gr_store *store)
{
	check->rc = gr_store_session_each_valid(store, check->now, keep_valid, check);
	if (check->rc != 0)
		snprintf(check->error, sizeof(check->error), "%s", gr_error_last());
	else
		qsort(check->valid, check->count, sizeof(*check->valid), by_session);
}

/* On the loop: end the connections whose session is gone or whose rights moved. */
static int recheck_apply(struct gr_live *live, const struct recheck *check)
{
	struct gr_client *client, *next;
	int ended = 0;

	if (check->rc != 0) {
		gr_log_error("checking open sessions: %s", check->error);
		live->recheck_due = 1; /* again at the next poll */
		return check->rc;
	}
	for (client = live->clients; client; client = next) {
		struct valid key, *valid;
		const struct gr_user *user = &client->user;
		int changed;

		next = client->live_next;
		if (client->ended || client->opened > check->opened_before)
			continue;
		memcpy(key.session, client->session, GR_TOKEN_HASH_SIZE);
		valid = bsearch(&key, check->valid, check->count, sizeof(*check->valid), by_session);
		if (valid && valid->user_id == user->id && valid->role == user->role &&
		    strcmp(valid->cohort, user->cohort) == 0 &&
		    valid->rights_stamp == user->rights_stamp)
			continue;
		changed = valid != NULL; /* the session is still valid: the user's rights moved */
		end_client(live, client,
			   changed ? GR_LIVE_CLOSE_RIGHTS_CHANGED : GR_LIVE_CLOSE_SESSION_ENDED,
			   changed ? "rights changed" : "session ended");
		ended++;
	}
	return ended;
}

/* The service goes: a check being read ends on its own, with nothing to apply. */
static void recheck_orphan(struct gr_live *live)
{
	if (live->rechecking)
		live->rechecking->live = NULL;
}

static void recheck_free(struct recheck *check)
{
	free(check->valid);
	free(check->path);
	free(check);
}

static void recheck_work(void *payload)
{
	struct recheck *check = payload;
	struct gr_store *store = NULL;

	if ((check->rc = gr_store_open(&store, check->path)) != 0)
		snprintf(check->error, sizeof(check->error), "%s", gr_error_last());
	else
		recheck_read(check, store);
	gr_store_close(store);
}

static void recheck_done(void *payload)
{
	struct recheck *check = payload;
	struct gr_live *live = check->live;

	if (live) {
		live->rechecking = NULL;
		recheck_apply(live, check);
		if (live->recheck_again) {
			live->recheck_again = 0;
			gr_live_recheck(live);
		}
	}
	recheck_free(check);
}

int gr_live_recheck(struct gr_live *live)
{
	struct recheck *check;
	int rc;

	live->recheck_due = 0;
	if (live->rechecking) { /* a change since its read began: once more after it */
		live->recheck_again = 1;
		return 0;
	}
	if (live->client_count == 0)
		return 0;
	if (!(check = calloc(1, sizeof(*check)))) {
		gr_log_error("checking open sessions: out of memory");
		live->recheck_due = 1;
		return GR_ERROR;
	}
	check->live = live;
	check->now = now_ms(live);
	check->opened_before = live->opened;
	if (live->settings.workers) {
		if ((check->path = strdup(gr_store_path(live->store))) &&
		    gr_workers_submit(live->settings.workers, recheck_work, recheck_done, check) ==
			    0) {
			live->rechecking = check;
			return 0;
		}
		free(check->path);
		check->path = NULL; /* the pool is stopping, or out of memory: here, now */
	}
	recheck_read(check, live->store);
	rc = recheck_apply(live, check);
	recheck_free(check);
	return rc;
}

void gr_live_poll(struct gr_live *live)
{
	int64_t version = live->data_version, started;

	if (gr_store_data_version(live->store, &version) != 0) {
		gr_log_warn("reading the store's data version: %s", gr_error_last());
		return;
	}
	if (version == live->data_version && !live->recheck_due)
		return;
	live->data_version = version;
	started = gr_metrics_clock_us();
	gr_live_members_changed(live); /* the operator's tool may have moved someone in */
	if (live->clients)
		gr_live_recheck(live);
	else
		live->recheck_due = 0;
	gr_log_debug("another process wrote to the store: %.1f ms on the loop to check the "
		     "members and the %d open connections (their sessions read %s)",
		     (double)(gr_metrics_clock_us() - started) / 1000, live->client_count,
		     live->rechecking ? "on a worker" : "here");
}

void gr_live_send_error(struct gr_live *live, struct gr_client *client, const char *code,
			const char *message)
{
	struct gr_protocol_answer out = { 0 };

	gr_protocol_fail(&out, code, "%s", message);
	gr_protocol_reply(live->protocol, client, NULL, &out);
}

void gr_live_housekeeping(struct gr_live *live)
{
	gr_live_flush(live);
	if (gr_store_event_prune(live->store, now_ms(live) - live->settings.event_days * DAY_MS))
		gr_log_warn("pruning old events: %s", gr_error_last());
	if (live->clients) /* sessions that expired since the last check */
		gr_live_recheck(live);
}

int gr_live_client_count(const struct gr_live *live)
{
	return live->client_count;
}
