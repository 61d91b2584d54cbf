/*
 * helpdesk.c - help from peers (see helpdesk.h; messages in
 * docs/protocol.md, "Help from peers").
 *
 * Owns a help request's life: asked, told in waves to peers who finished
 * the step, accepted by one, its thread of messages, and closed (resolved,
 * withdrawn, expired); what each viewer sees of it; and which open requests
 * found nobody to tell, so that a tick looks again only when someone came.
 * It leaves when a wave is due and whom it picks to help.c, the rows to the
 * store, and the event streams, the board's pushes and who is online to
 * the live service. Every change is stored with its events in a savepoint
 * of the loop's turn (turn.h), so its reply and pushes go out after the
 * commit.
 */
#include "services/helpdesk.h"

#include "core/error.h"
#include "core/log.h"
#include "domain/progress.h"
#include "services/board.h"
#include "services/live.h"
#include "services/turn.h"
#include "store/help.h"
#include "store/progress.h"
#include "store/store.h"
#include "store/user.h"
#include "tracks/library.h"
#include "tracks/track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open request whose last look for someone to tell found nobody. */
struct unanswered {
	int64_t request;
	uint64_t arrivals; /* desk->arrivals then: look again once someone came */
};

struct gr_helpdesk {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_turn *turn;
	struct gr_live *live; /* NULL until attached */
	struct gr_helpdesk_settings settings;
	uint64_t arrivals; /* users who said hello or finished a step: new people to tell */
	struct unanswered *unanswered;
	size_t unanswered_count;
};

void gr_helpdesk_settings_defaults(struct gr_helpdesk_settings *out)
{
	memset(out, 0, sizeof(*out));
	gr_help_settings_default(&out->help);
}

int gr_helpdesk_new(struct gr_helpdesk **out, struct gr_store *store, struct gr_library *library,
		    struct gr_turn *turn, const struct gr_helpdesk_settings *settings)
{
	struct gr_helpdesk *desk;
	int rc;

	*out = NULL;
	if ((rc = gr_help_settings_check(&settings->help)) != 0)
		return rc;
	if (!(desk = calloc(1, sizeof(*desk)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	desk->store = store;
	desk->library = library;
	desk->turn = turn;
	desk->settings = *settings;
	*out = desk;
	return 0;
}

void gr_helpdesk_free(struct gr_helpdesk *desk)
{
	if (desk)
		free(desk->unanswered);
	free(desk);
}

static int64_t now_ms(const struct gr_helpdesk *desk)
{
	return desk->settings.clock ? desk->settings.clock() : gr_clock_now_ms();
}

static int is_coach(const struct gr_user *user)
{
	return user->role == GR_ROLE_COACH || user->role == GR_ROLE_ADMIN;
}

/* {"handle", "display_name"} of a user id, or JSON null when unknown. */
static struct gr_json *person(struct gr_store *store, int64_t user_id)
{
	struct gr_user user;

	if (user_id <= 0 || gr_store_user_by_id(store, &user, user_id) != 0)
		return gr_json_null();
	return gr_json_pack("{s:s, s:s}", "handle", user.handle, "display_name",
			    user.display_name);
}

/* Room for one more of count items of size in *items (doubling); GR_ERROR when out of memory. */
static int grow(void **items, size_t *capacity, size_t count, size_t size)
{
	void *grown;

	if (count < *capacity)
		return 0;
	if (!(grown = realloc(*items, (*capacity ? *capacity * 2 : 8) * size))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	*items = grown;
	*capacity = *capacity ? *capacity * 2 : 8;
	return 0;
}

/* What a loop over rows builds: a JSON array, for a user. */
struct listing {
	struct gr_helpdesk *desk;
	int64_t user_id;
	struct gr_json *list;
};

/* ---- a request and who is told of it -------------------------------------- */

/* How much of a request a viewer sees. */
enum view {
	VIEW_TOLD, /* a peer told of it: no names, no messages */
	VIEW_FULL, /* requester, helper, coaches: names and messages */
};

static struct gr_json *message_json(struct gr_helpdesk *desk,
				    const struct gr_store_help_message *row)
{
	return gr_json_pack("{s:I, s:o, s:s, s:I}", "message", (long long)row->id, "from",
			 person(desk->store, row->user_id), "body", row->body, "at",
			 (long long)row->created_at);
}

static int add_message(const struct gr_store_help_message *row, void *payload)
{
	struct listing *listing = payload;

	return gr_json_append(listing->list, message_json(listing->desk, row));
}

static int count_id(int64_t id, void *payload)
{
	(void)id;
	(*(int *)payload)++;
	return 0;
}

static struct gr_json *help_json(struct gr_helpdesk *desk, const struct gr_store_help *help,
				 enum view view)
{
	const struct gr_track *track = gr_library_track(desk->library, help->track_id);
	const struct gr_step *step = track ? gr_track_step(track, help->step_id) : NULL;
	struct gr_json *json = gr_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "request",
				 (long long)help->id, "track", help->track_id, "step",
				 help->step_id, "title", step ? step->title : help->step_id,
				 "body", help->body, "state", gr_help_state_name(help->state), "opened_at",
				 (long long)help->opened_at);
	struct listing messages = { desk, 0, NULL };
	int told = 0;

	if (!json || view == VIEW_TOLD)
		return json;
	gr_store_help_offer_each(desk->store, help->id, count_id, &told);
	if ((messages.list = gr_json_array()))
		gr_store_help_message_each(desk->store, help->id, add_message, &messages);
	gr_json_set(json, "user", person(desk->store, help->user_id));
	gr_json_set(json, "helper", person(desk->store, help->helper_id));
	gr_json_set(json, "told", gr_json_integer(told));
	gr_json_set(json, "messages", messages.list ? messages.list : gr_json_array());
	return json;
}

/* Tell the requester's board that a request opened or changed. */
static int publish_board_help(struct gr_helpdesk *desk, const struct gr_store_help *help)
{
	struct gr_user user;
	char topic[400];
	int rc;

	if ((rc = gr_store_user_by_id(desk->store, &user, help->user_id)) != 0)
		return rc;
	snprintf(topic, sizeof(topic), "board:%s/%s", user.cohort, help->track_id);
	return gr_live_push(desk->live, topic,
			    gr_json_pack("{s:s, s:s, s:s, s:o}", "type", "event", "event", "help",
					 "topic", topic, "request",
					 gr_board_help_entry(desk->store, help)));
}

/* Who can be told of a request, read from the store; the caller frees. */
struct candidates {
	struct gr_helpdesk *desk;
	int64_t request_id;
	struct gr_help_candidate *items;
	size_t count, capacity;
};

static int add_candidate(const struct gr_store_help_candidate *row, void *payload)
{
	struct candidates *list = payload;
	struct gr_helpdesk *desk = list->desk;
	struct gr_help_candidate *item;
	int told = 0, rc;

	if (grow((void **)&list->items, &list->capacity, list->count, sizeof(*list->items)))
		return GR_ERROR;
	if ((rc = gr_store_help_offered(desk->store, &told, list->request_id, row->user_id)))
		return rc;
	item = &list->items[list->count++];
	item->user_id = row->user_id;
	item->online = gr_live_online(desk->live, row->user_id);
	item->told = told;
	item->open_offers = row->open_offers;
	item->helped = row->helped;
	return 0;
}

/* Who the next wave of an open request tells: *count of list's items, at picked. */
static int wave_pick(struct gr_helpdesk *desk, const struct gr_store_help *help,
		     struct candidates *list, size_t *picked, size_t *count)
{
	int rc;

	memset(list, 0, sizeof(*list));
	list->desk = desk;
	list->request_id = help->id;
	*count = 0;
	if ((rc = gr_store_help_candidates(desk->store, help->track_id, help->step_id,
					   help->user_id, add_candidate, list)))
		return rc;
	*count = gr_help_pick(&desk->settings.help, list->items, list->count, picked);
	return 0;
}

/* Tell the picked peers (inside a write); the wave's time is kept when anyone was told. */
static int wave_tell(struct gr_helpdesk *desk, struct gr_store_help *help,
		     const struct candidates *list, const size_t *picked, size_t count,
		     int64_t now)
{
	int rc = 0;

	for (size_t i = 0; i < count && rc == 0; i++) {
		int64_t peer = list->items[picked[i]].user_id;

		if (!(rc = gr_store_help_offer_insert(desk->store, help->id, peer, now)))
			rc = gr_live_event(desk->live, peer, NULL,
					   gr_json_pack("{s:s, s:o}", "event", "help.offered",
							"request",
							help_json(desk, help, VIEW_TOLD)));
	}
	if (rc == 0 && count > 0) {
		help->last_wave_at = now;
		rc = gr_store_help_update(desk->store, help);
	}
	return rc;
}

struct closing {
	struct gr_helpdesk *desk;
	const struct gr_store_help *help;
	const char *state; /* what the peers are told it became */
	int64_t skip;      /* a user who learns it otherwise */
};

static int tell_closed(int64_t user_id, void *payload)
{
	struct closing *closing = payload;

	if (user_id == closing->skip)
		return 0;
	return gr_live_event(closing->desk->live, user_id, NULL,
			  gr_json_pack("{s:s, s:s, s:o}", "event", "help.closed", "state",
				    closing->state,
				    "request", help_json(closing->desk, closing->help, VIEW_TOLD)));
}

/* Tell the peers told of an open request (but skip) that it is no longer theirs to take. */
static int close_offers(struct gr_helpdesk *desk, const struct gr_store_help *help,
			const char *state, int64_t skip)
{
	struct closing closing = { desk, help, state, skip };

	return gr_store_help_offer_each(desk->store, help->id, tell_closed, &closing);
}

static int find_live_request(const struct gr_store_help *row, void *payload)
{
	*(int64_t *)payload = row->id;
	return 1;
}

/* ---- the messages ---------------------------------------------------------- */

/* The state of user's progress on a step (not started when there is none). */
static int progress_state(struct gr_helpdesk *desk, enum gr_progress_state *out, int64_t user_id,
			  const char *track, const char *step)
{
	struct gr_store_progress row;
	int rc = gr_store_progress_get(desk->store, &row, user_id, track, step);

	*out = GR_PROGRESS_NOT_STARTED;
	if (rc == GR_ENOTFOUND)
		return 0;
	if (rc == 0)
		*out = row.state;
	return rc;
}

/* Store a new request and tell its first wave and the requester's board. */
static int open_request(struct gr_helpdesk *desk, struct gr_store_help *help)
{
	struct candidates list = { 0 };
	size_t picked[GR_HELP_MAX_WAVE], count = 0;
	int rc;

	if (!(rc = gr_store_help_insert(desk->store, help)) &&
	    !(rc = wave_pick(desk, help, &list, picked, &count)) &&
	    !(rc = wave_tell(desk, help, &list, picked, count, help->opened_at)))
		rc = publish_board_help(desk, help);
	free(list.items);
	return rc;
}

static void help_ask(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		     const struct gr_request *request)
{
	struct gr_helpdesk *desk = payload;
	const struct gr_user *user = &client->user;
	const struct gr_track *track = gr_library_track(desk->library, request->track);
	struct gr_store_help help = { 0 };
	enum gr_progress_state state;
	int64_t open_id = 0;
	struct gr_turn_change change;
	int rc;

	if (!track || !gr_track_step(track, request->step)) {
		gr_protocol_fail(out, "not_found",
				 track ? "This track has no such step."
				       : "There is no such track.");
		return;
	}
	if ((rc = progress_state(desk, &state, user->id, track->id, request->step)) != 0 ||
	    (rc = gr_store_help_live_of_user(desk->store, user->id, find_live_request,
					     &open_id)) != 0) {
		gr_protocol_fail_status(out, rc, "asking for help");
		return;
	}
	if (state == GR_PROGRESS_NOT_STARTED || gr_progress_is_complete(state)) {
		gr_protocol_fail(out, "conflict", "%s",
				 state == GR_PROGRESS_NOT_STARTED
					 ? "Open the step first, then ask for help with it."
					 : "You finished this step already.");
		out->body = gr_json_pack("{s:s}", "state", gr_progress_state_name(state));
		return;
	}
	if (open_id) {
		gr_protocol_fail(out, "conflict",
				 "You asked for help already; close that request before asking "
				 "again.");
		out->body = gr_json_pack("{s:I}", "request", (long long)open_id);
		return;
	}
	help.user_id = user->id;
	snprintf(help.track_id, sizeof(help.track_id), "%s", track->id);
	snprintf(help.step_id, sizeof(help.step_id), "%s", request->step);
	snprintf(help.body, sizeof(help.body), "%s", request->body);
	help.opened_at = now_ms(desk);
	if ((rc = gr_turn_begin(desk->turn, &change)) != 0 ||
	    (rc = gr_turn_end(desk->turn, &change, open_request(desk, &help))) != 0) {
		gr_protocol_fail_status(out, rc, "asking for help");
		return;
	}
	out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_FULL));
	out->wrote = 1;
}

/* The request of request->request, and whether user was told of it; else out is failed. */
static int load_request(struct gr_helpdesk *desk, struct gr_protocol_answer *out,
			struct gr_store_help *help, int *told, const struct gr_user *user,
			const struct gr_request *request)
{
	int rc = gr_store_help_get(desk->store, help, request->request);

	*told = 0;
	if (rc == 0)
		rc = gr_store_help_offered(desk->store, told, help->id, user->id);
	if (rc != 0)
		gr_protocol_fail_status(out, rc, "reading a help request");
	return rc;
}

/* user helps with help: the requester learns who, the others told that it is taken. */
static int accept_request(struct gr_helpdesk *desk, struct gr_store_help *help,
			  const struct gr_user *user)
{
	int rc;

	help->state = GR_HELP_STATE_ACCEPTED;
	help->helper_id = user->id;
	help->accepted_at = now_ms(desk);
	if (!(rc = gr_store_help_update(desk->store, help)) &&
	    !(rc = gr_live_event(desk->live, help->user_id, NULL,
				 gr_json_pack("{s:s, s:o}", "event", "help.accepted", "request",
					      help_json(desk, help, VIEW_FULL)))) &&
	    !(rc = close_offers(desk, help, "accepted", user->id)))
		rc = publish_board_help(desk, help);
	return rc;
}

static void help_accept(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			const struct gr_request *request)
{
	struct gr_helpdesk *desk = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_help help;
	struct gr_turn_change change;
	int told, rc;

	if (load_request(desk, out, &help, &told, user, request) != 0)
		return;
	if (!told || help.user_id == user->id) {
		gr_protocol_fail(out, "forbidden", "This request was not offered to you.");
		return;
	}
	if (help.state != GR_HELP_STATE_OPEN) {
		gr_protocol_fail(out, "conflict", "%s",
				 help.state == GR_HELP_STATE_ACCEPTED
					 ? "Someone else is helping already."
					 : "This request is closed.");
		out->body = gr_json_pack("{s:s}", "state", gr_help_state_name(help.state));
		return;
	}
	if ((rc = gr_turn_begin(desk->turn, &change)) != 0 ||
	    (rc = gr_turn_end(desk->turn, &change, accept_request(desk, &help, user))) != 0) {
		gr_protocol_fail_status(out, rc, "accepting a help request");
		return;
	}
	out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_FULL));
	out->wrote = 1;
}

static void help_get(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		     const struct gr_request *request)
{
	struct gr_helpdesk *desk = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_help help;
	int told;

	if (load_request(desk, out, &help, &told, user, request) != 0)
		return;
	if (help.user_id == user->id || help.helper_id == user->id || is_coach(user))
		out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_FULL));
	else if (told)
		out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_TOLD));
	else
		gr_protocol_fail(out, "forbidden", "This help request is not yours to see.");
}

/* Store message (as json) in help's thread, and tell both of the two. */
static int write_message(struct gr_helpdesk *desk, const struct gr_store_help *help,
			 struct gr_store_help_message *message, struct gr_json **out_json)
{
	int rc = gr_store_help_message_insert(desk->store, message);

	*out_json = message_json(desk, message);
	for (int i = 0; i < 2 && rc == 0; i++)
		rc = gr_live_event(desk->live, i ? help->helper_id : help->user_id, NULL,
				   gr_json_pack("{s:s, s:I, s:O}", "event", "help.message",
						"request", (long long)help->id, "message",
						*out_json));
	return rc;
}

static void help_message(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			 const struct gr_request *request)
{
	struct gr_helpdesk *desk = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_help help;
	struct gr_store_help_message message = { 0 };
	struct gr_json *json = NULL;
	struct gr_turn_change change;
	int told, rc;

	if (load_request(desk, out, &help, &told, user, request) != 0)
		return;
	if (help.user_id != user->id && help.helper_id != user->id) {
		gr_protocol_fail(out, "forbidden",
				 "Only the two people in this request write in it.");
		return;
	}
	if (help.state != GR_HELP_STATE_ACCEPTED) {
		gr_protocol_fail(out, "conflict",
				 "Messages can be written once someone accepted, until the "
				 "request is closed.");
		out->body = gr_json_pack("{s:s}", "state", gr_help_state_name(help.state));
		return;
	}
	message.request_id = help.id;
	message.user_id = user->id;
	snprintf(message.body, sizeof(message.body), "%s", request->body);
	message.created_at = now_ms(desk);
	if ((rc = gr_turn_begin(desk->turn, &change)) != 0 ||
	    (rc = gr_turn_end(desk->turn, &change,
			      write_message(desk, &help, &message, &json))) != 0) {
		gr_json_free(json);
		gr_protocol_fail_status(out, rc, "writing a help message");
		return;
	}
	out->body = gr_json_pack("{s:o}", "message", json);
	out->wrote = 1;
}

/* Close a request in state closed (resolved, withdrawn, expired), telling whoever expects it. */
static int close_request(struct gr_helpdesk *desk, struct gr_store_help *help,
			 enum gr_help_state closed, int64_t now)
{
	const char *state = gr_help_state_name(closed);
	int was_open = help->state == GR_HELP_STATE_OPEN;
	int rc;

	help->state = closed;
	help->closed_at = now;
	if ((rc = gr_store_help_update(desk->store, help)))
		return rc;
	if (was_open)
		rc = close_offers(desk, help, state, 0);
	else
		rc =
		    gr_live_event(desk->live, help->helper_id, NULL,
				  gr_json_pack("{s:s, s:s, s:o}", "event", "help.closed", "state",
					       state, "request", help_json(desk, help, VIEW_FULL)));
	if (rc == 0) /* the requester's other tabs, and an expiry, which nobody asked for */
		rc =
		    gr_live_event(desk->live, help->user_id, NULL,
				  gr_json_pack("{s:s, s:s, s:o}", "event", "help.closed", "state",
					       state, "request", help_json(desk, help, VIEW_FULL)));
	return rc ? rc : publish_board_help(desk, help);
}

static void help_close(struct gr_helpdesk *desk, struct gr_protocol_answer *out,
		       const struct gr_user *user, const struct gr_request *request,
		       enum gr_help_state closed)
{
	struct gr_store_help help;
	struct gr_turn_change change;
	int told, rc;

	if (load_request(desk, out, &help, &told, user, request) != 0)
		return;
	if (help.user_id != user->id) {
		gr_protocol_fail(out, "forbidden", "Only who asked may close a help request.");
		return;
	}
	if (help.state != GR_HELP_STATE_OPEN && help.state != GR_HELP_STATE_ACCEPTED) {
		gr_protocol_fail(out, "conflict", "This request is closed already.");
		out->body = gr_json_pack("{s:s}", "state", gr_help_state_name(help.state));
		return;
	}
	if ((rc = gr_turn_begin(desk->turn, &change)) != 0 ||
	    (rc = gr_turn_end(desk->turn, &change,
			      close_request(desk, &help, closed, now_ms(desk)))) != 0) {
		gr_protocol_fail_status(out, rc, "closing a help request");
		return;
	}
	out->body = gr_json_pack("{s:I, s:s}", "request", (long long)help.id, "state",
				 gr_help_state_name(closed));
	out->wrote = 1;
}

static void help_resolve(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			 const struct gr_request *request)
{
	help_close(payload, out, &client->user, request, GR_HELP_STATE_RESOLVED);
}

static void help_withdraw(void *payload, struct gr_protocol_answer *out,
			  struct gr_client *client, const struct gr_request *request)
{
	help_close(payload, out, &client->user, request, GR_HELP_STATE_WITHDRAWN);
}

static int list_request(const struct gr_store_help *row, void *payload)
{
	struct listing *listing = payload;
	enum view view = row->user_id == listing->user_id || row->helper_id == listing->user_id
				 ? VIEW_FULL
				 : VIEW_TOLD;

	return gr_json_append(listing->list, help_json(listing->desk, row, view));
}

static void help_list(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		      const struct gr_request *request)
{
	struct gr_helpdesk *desk = payload;
	int64_t user_id = client->user.id;
	struct listing mine = { desk, user_id, gr_json_array() };
	struct listing offered = { desk, user_id, gr_json_array() };
	int rc;

	(void)request;
	if ((rc = gr_store_help_live_of_user(desk->store, user_id, list_request, &mine)) != 0 ||
	    (rc = gr_store_help_offered_to(desk->store, user_id, list_request, &offered)) != 0) {
		gr_json_free(mine.list);
		gr_json_free(offered.list);
		gr_protocol_fail_status(out, rc, "listing help requests");
		return;
	}
	out->body = gr_json_pack("{s:o, s:o}", "mine", mine.list, "offered", offered.list);
}

/* ---- time passes ------------------------------------------------------------ */

struct open_list {
	struct gr_store_help *items;
	size_t count, capacity;
};

static int collect_open(const struct gr_store_help *row, void *payload)
{
	struct open_list *list = payload;

	if (grow((void **)&list->items, &list->capacity, list->count, sizeof(*list->items)))
		return GR_ERROR;
	list->items[list->count++] = *row;
	return 0;
}

/* Whether request found nobody to tell when it last looked, and nobody came since. */
static int nobody_came(const struct gr_helpdesk *desk, int64_t request)
{
	for (size_t i = 0; i < desk->unanswered_count; i++)
		if (desk->unanswered[i].request == request)
			return desk->unanswered[i].arrivals == desk->arrivals;
	return 0;
}

int gr_helpdesk_tick(struct gr_helpdesk *desk)
{
	struct open_list open = { 0 };
	struct unanswered *unanswered = NULL;
	size_t unanswered_count = 0;
	int64_t now = now_ms(desk);
	int rc;

	if (!desk->live)
		return 0; /* nobody to tell before it is attached */
	if ((rc = gr_store_help_each_open(desk->store, collect_open, &open)) != 0)
		goto out;
	if (open.count && !(unanswered = calloc(open.count, sizeof(*unanswered)))) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
		goto out;
	}
	for (size_t i = 0; i < open.count && rc == 0; i++) {
		struct gr_store_help *help = &open.items[i];
		enum gr_help_due due = gr_help_due(&desk->settings.help, help->opened_at,
						   help->last_wave_at, now, NULL);
		struct candidates list = { 0 };
		size_t picked[GR_HELP_MAX_WAVE], count = 0;
		struct gr_turn_change change;

		if (due == GR_HELP_WIDEN && nobody_came(desk, help->id)) {
			unanswered[unanswered_count++] =
			    (struct unanswered){help->id, desk->arrivals};
			continue; /* the same people online as when it last looked */
		}
		if (due == GR_HELP_WIDEN &&
		    ((rc = wave_pick(desk, help, &list, picked, &count)) || count == 0)) {
			/* Nobody to tell yet: looked at again when someone comes. */
			free(list.items);
			if (rc == 0)
				unanswered[unanswered_count++] =
				    (struct unanswered){ help->id, desk->arrivals };
			continue;
		}
		if (due == GR_HELP_EXPIRE && (rc = gr_turn_begin(desk->turn, &change)) == 0)
			rc = gr_turn_end(desk->turn, &change,
					 close_request(desk, help, GR_HELP_STATE_EXPIRED, now));
		else if (due == GR_HELP_WIDEN && (rc = gr_turn_begin(desk->turn, &change)) == 0)
			rc = gr_turn_end(desk->turn, &change,
					 wave_tell(desk, help, &list, picked, count, now));
		free(list.items);
	}
	free(desk->unanswered);
	desk->unanswered = unanswered;
	desk->unanswered_count = unanswered_count;
	unanswered = NULL;
out:
	if (rc != 0)
		gr_log_error("help requests: %s", gr_error_last());
	free(unanswered);
	free(open.items);
	return rc;
}

/* ---- the service ------------------------------------------------------------ */

static void arrived(void *payload)
{
	struct gr_helpdesk *desk = payload;

	desk->arrivals++;
}

int gr_helpdesk_attach(struct gr_helpdesk *desk, struct gr_live *live)
{
	static const struct gr_live_route routes[] = {
	    {GR_REQUEST_HELP_ASK, help_ask},	     {GR_REQUEST_HELP_ACCEPT, help_accept},
	    {GR_REQUEST_HELP_GET, help_get},	     {GR_REQUEST_HELP_MESSAGE, help_message},
	    {GR_REQUEST_HELP_RESOLVE, help_resolve}, {GR_REQUEST_HELP_WITHDRAW, help_withdraw},
	    {GR_REQUEST_HELP_LIST, help_list},
	};
	struct gr_live_listener listener = { .arrived = arrived };
	int rc;

	if (desk->live)
		gr_live_forget(desk->live, desk);
	desk->live = live;
	if (!live)
		return 0;
	if ((rc = gr_live_route(live, routes, (int)(sizeof(routes) / sizeof(routes[0])), desk)) ||
	    (rc = gr_live_listen(live, &listener, desk)))
		return rc;
	return 0;
}
