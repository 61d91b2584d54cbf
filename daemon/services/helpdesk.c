/*
 * helpdesk.c - help from peers (see helpdesk.h; messages in
 * docs/protocol.md, "Help from peers").
 *
 * Owns a help request's life: asked, told in waves to peers who finished
 * the step, accepted by one, its thread of messages, and closed (resolved,
 * withdrawn, expired); what each viewer sees of it; and which open requests
 * found nobody to tell, so that a tick looks again only when someone came.
 * It leaves to help.c (domain/help.c, where the life is drawn) which move
 * is allowed from which state and by whom, the words of each refusal, the
 * invariants, when a wave is due and whom it picks; the rows to the store;
 * and the event streams, the board's pushes and who is online to the live
 * service. Every change is stored with its events in a savepoint of the
 * loop's turn (turn.h), so its reply and pushes go out after the commit.
 *
 * Each move goes through help.c on the request's life (struct
 * gr_help_request), read from its row by request_of() and written back by
 * save_request(), the one place the two meet:
 *
 *   message        help.c's move                   stored and told here
 *   -------------  ------------------------------  --------------------------------
 *   help.ask       gr_help_open(), gr_help_told()  the row; the first wave's peers
 *   (tick) widen   gr_help_told()                  the next wave's peers
 *   help.accept    gr_help_accept()                the helper; who asked, the
 *                                                  others told (taken)
 *   help.resolve,  gr_help_close()                 closed; the helper, or the
 *   help.withdraw                                  peers told while open
 *   (tick) expire  gr_help_expire()                expired; who asked, the peers told
 *
 * save_request() calls gr_help_check() before every write of a request: a
 * life that breaks an invariant is a bug, refused as an internal error
 * with the invariant's message (logged by whoever reports the failure) and
 * never stored; the tick leaves such a request alone from then on.
 */
#include "services/helpdesk.h"

#include "core/array.h"
#include "core/error.h"
#include "core/log.h"
#include "domain/progress.h"
#include "services/board.h"
#include "services/live.h"
#include "services/rights.h"
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
	int64_t *broken; /* requests refused for a broken invariant: the tick leaves them */
	size_t broken_count, broken_capacity;
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
	if (desk) {
		free(desk->unanswered);
		free(desk->broken);
	}
	free(desk);
}

static int64_t now_ms(const struct gr_helpdesk *desk)
{
	return desk->settings.clock ? desk->settings.clock() : gr_clock_now_ms();
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
			 gr_live_person(desk->store, row->user_id), "body", row->body, "at",
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

/* ---- a request's life, as help.c moves it ------------------------------------ */

/* The life of the stored request help: its row, and told counts its offers. */
static int request_of(struct gr_helpdesk *desk, struct gr_help_request *out,
		      const struct gr_store_help *help)
{
	*out = (struct gr_help_request){
		.state = help->state,
		.author_id = help->user_id,
		.helper_id = help->helper_id,
		.opened_at = help->opened_at,
		.last_wave_at = help->last_wave_at,
		.accepted_at = help->accepted_at,
		.closed_at = help->closed_at,
	};
	return gr_store_help_offer_each(desk->store, help->id, count_id, &out->told);
}

static int is_broken(const struct gr_helpdesk *desk, int64_t request)
{
	for (size_t i = 0; i < desk->broken_count; i++)
		if (desk->broken[i] == request)
			return 1;
	return 0;
}

/*
 * 0 when life keeps help.c's invariants. Otherwise GR_ERROR with the broken
 * invariant's message, and help is remembered so the tick leaves it alone.
 */
static int keeps_invariants(struct gr_helpdesk *desk, const struct gr_store_help *help,
			    const struct gr_help_request *life)
{
	char message[256];

	if (gr_help_check(life) == 0)
		return 0;
	snprintf(message, sizeof(message), "%s", gr_error_last());
	if (help->id)
		gr_error_set("help request %lld not stored: %s", (long long)help->id, message);
	else
		gr_error_set("a new help request not stored: %s", message);
	if (help->id && !is_broken(desk, help->id) &&
	    gr_array_grow((void **)&desk->broken, &desk->broken_capacity, desk->broken_count,
		 sizeof(*desk->broken)) == 0)
		desk->broken[desk->broken_count++] = help->id;
	return GR_ERROR;
}

/* Store help as life now is (inside a write), unless it breaks an invariant. */
static int save_request(struct gr_helpdesk *desk, struct gr_store_help *help,
			const struct gr_help_request *life)
{
	int rc;

	if ((rc = keeps_invariants(desk, help, life)) != 0)
		return rc;
	help->state = life->state;
	help->helper_id = life->helper_id;
	help->last_wave_at = life->last_wave_at;
	help->accepted_at = life->accepted_at;
	help->closed_at = life->closed_at;
	return gr_store_help_update(desk->store, help);
}

/* Fail out as help.c refused a move (rc); a conflict names the request's state. */
static void refuse(struct gr_protocol_answer *out, int rc, const struct gr_store_help *help,
		   const char *doing)
{
	gr_protocol_fail_status(out, rc, doing);
	if (rc == GR_ECONFLICT)
		out->body = gr_json_pack("{s:s}", "state", gr_help_state_name(help->state));
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
	gr_json_set(json, "user", gr_live_person(desk->store, help->user_id));
	gr_json_set(json, "helper", gr_live_person(desk->store, help->helper_id));
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

	if (gr_array_grow((void **)&list->items, &list->capacity, list->count, sizeof(*list->items)))
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

/*
 * Tell the picked peers of help, whose life is life (inside a write); the
 * wave is stored when anyone was told (gr_help_told()).
 */
static int wave_tell(struct gr_helpdesk *desk, struct gr_store_help *help,
		     struct gr_help_request *life, const struct candidates *list,
		     const size_t *picked, size_t count, int64_t now)
{
	int rc = gr_help_told(life, (int)count, now);

	for (size_t i = 0; i < count && rc == 0; i++) {
		int64_t peer = list->items[picked[i]].user_id;

		if (!(rc = gr_store_help_offer_insert(desk->store, help->id, peer, now)))
			rc = gr_live_event(desk->live, peer, NULL,
					   gr_json_pack("{s:s, s:o}", "event", "help.offered",
							"request",
							help_json(desk, help, VIEW_TOLD)));
	}
	if (rc == 0 && count > 0)
		rc = save_request(desk, help, life);
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

/* Store a new request (life just opened), tell its first wave and the requester's board. */
static int open_request(struct gr_helpdesk *desk, struct gr_store_help *help,
			struct gr_help_request *life)
{
	struct candidates list = { 0 };
	size_t picked[GR_HELP_MAX_WAVE], count = 0;
	int rc;

	if (!(rc = keeps_invariants(desk, help, life)) &&
	    !(rc = gr_store_help_insert(desk->store, help)) &&
	    !(rc = wave_pick(desk, help, &list, picked, &count)) &&
	    !(rc = wave_tell(desk, help, life, &list, picked, count, life->opened_at)))
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
	struct gr_help_request life;
	enum gr_progress_state state;
	int64_t open_id = 0;
	struct gr_turn_change change;
	int rc;

	if (track && !gr_rights_may_see_track(desk->store, user, track->id))
		track = NULL; /* a partner project's track, to those it is not for */
	if (!track || !gr_track_step(track, request->step)) {
		gr_protocol_fail(out, track ? "step_missing" : "track_missing",
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
		gr_protocol_fail(out,
				 state == GR_PROGRESS_NOT_STARTED ? "help_step_not_open"
								  : "help_step_finished",
				 "%s",
				 state == GR_PROGRESS_NOT_STARTED
					 ? "Open the step first, then ask for help with it."
					 : "You finished this step already.");
		out->body = gr_json_pack("{s:s}", "state", gr_progress_state_name(state));
		return;
	}
	if (open_id) {
		gr_protocol_fail(out, "help_open_already",
				 "You asked for help already; close that request before asking "
				 "again.");
		out->body = gr_json_pack("{s:I}", "request", (long long)open_id);
		return;
	}
	if ((rc = gr_help_open(&life, user->id, now_ms(desk))) != 0) {
		gr_protocol_fail_status(out, rc, "asking for help");
		return;
	}
	help.user_id = life.author_id;
	snprintf(help.track_id, sizeof(help.track_id), "%s", track->id);
	snprintf(help.step_id, sizeof(help.step_id), "%s", request->step);
	snprintf(help.body, sizeof(help.body), "%s", request->body);
	help.opened_at = life.opened_at;
	if ((rc = gr_turn_begin(desk->turn, &change)) != 0 ||
	    (rc = gr_turn_end(desk->turn, &change, open_request(desk, &help, &life))) != 0) {
		gr_protocol_fail_status(out, rc, "asking for help");
		return;
	}
	out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_FULL));
	out->wrote = 1;
}

/*
 * The request of request->request, its life (life may be NULL), and whether
 * user was told of it; else out is failed.
 */
static int load_request(struct gr_helpdesk *desk, struct gr_protocol_answer *out,
			struct gr_store_help *help, struct gr_help_request *life, int *told,
			const struct gr_user *user, const struct gr_request *request)
{
	int rc = gr_store_help_get(desk->store, help, request->request);

	*told = 0;
	if (rc == 0)
		rc = gr_store_help_offered(desk->store, told, help->id, user->id);
	if (rc == 0 && life)
		rc = request_of(desk, life, help);
	if (rc != 0)
		gr_protocol_fail_status(out, rc, "reading a help request");
	return rc;
}

/* life accepted help: the requester learns who helps, the others that it is taken. */
static int accept_request(struct gr_helpdesk *desk, struct gr_store_help *help,
			  const struct gr_help_request *life)
{
	int rc;

	if (!(rc = save_request(desk, help, life)) &&
	    !(rc = gr_live_event(desk->live, help->user_id, NULL,
				 gr_json_pack("{s:s, s:o}", "event", "help.accepted", "request",
					      help_json(desk, help, VIEW_FULL)))) &&
	    !(rc = close_offers(desk, help, "accepted", life->helper_id)))
		rc = publish_board_help(desk, help);
	return rc;
}

static void help_accept(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			const struct gr_request *request)
{
	struct gr_helpdesk *desk = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_help help;
	struct gr_help_request life;
	struct gr_turn_change change;
	int told, rc;

	if (load_request(desk, out, &help, &life, &told, user, request) != 0)
		return;
	if ((rc = gr_help_accept(&life, user->id, told, now_ms(desk))) != 0) {
		refuse(out, rc, &help, "accepting a help request");
		return;
	}
	if ((rc = gr_turn_begin(desk->turn, &change)) != 0 ||
	    (rc = gr_turn_end(desk->turn, &change, accept_request(desk, &help, &life))) != 0) {
		gr_protocol_fail_status(out, rc, "accepting a help request");
		return;
	}
	out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_FULL));
	out->wrote = 1;
}

/* Whether user coaches the cohort of help's requester (an admin: always). */
static int coaches_requester(struct gr_helpdesk *desk, const struct gr_user *user,
			     const struct gr_store_help *help)
{
	struct gr_user requester;

	if (!gr_account_is_coach(user) ||
	    gr_store_user_by_id(desk->store, &requester, help->user_id) != 0)
		return 0;
	return gr_rights_may_coach(desk->store, user, requester.cohort);
}

static void help_get(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		     const struct gr_request *request)
{
	struct gr_helpdesk *desk = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_help help;
	int told;

	if (load_request(desk, out, &help, NULL, &told, user, request) != 0)
		return;
	if (help.user_id == user->id || help.helper_id == user->id ||
	    coaches_requester(desk, user, &help))
		out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_FULL));
	else if (told)
		out->body = gr_json_pack("{s:o}", "request", help_json(desk, &help, VIEW_TOLD));
	else
		gr_protocol_fail(out, "help_not_yours", "This help request is not yours to see.");
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

	if (load_request(desk, out, &help, NULL, &told, user, request) != 0)
		return;
	if (help.user_id != user->id && help.helper_id != user->id) {
		gr_protocol_fail(out, "help_not_yours",
				 "Only the two people in this request write in it.");
		return;
	}
	if (help.state != GR_HELP_STATE_ACCEPTED) {
		gr_protocol_fail(out, "help_not_accepted",
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

/* Store help closed as life is (resolved, withdrawn, expired), telling whoever expects it. */
static int close_request(struct gr_helpdesk *desk, struct gr_store_help *help,
			 const struct gr_help_request *life)
{
	const char *state = gr_help_state_name(life->state);
	int was_open = help->state == GR_HELP_STATE_OPEN;
	int rc;

	if ((rc = save_request(desk, help, life)))
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
	struct gr_help_request life;
	struct gr_turn_change change;
	int told, rc;

	if (load_request(desk, out, &help, &life, &told, user, request) != 0)
		return;
	if ((rc = gr_help_close(&life, closed, user->id, now_ms(desk))) != 0) {
		refuse(out, rc, &help, "closing a help request");
		return;
	}
	if ((rc = gr_turn_begin(desk->turn, &change)) != 0 ||
	    (rc = gr_turn_end(desk->turn, &change, close_request(desk, &help, &life))) != 0) {
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

	if (gr_array_grow((void **)&list->items, &list->capacity, list->count, sizeof(*list->items)))
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

/* An open request is due to expire (inside a write): gr_help_expire(), stored and told. */
static int expire_request(struct gr_helpdesk *desk, struct gr_store_help *help, int64_t now)
{
	struct gr_help_request life;
	int rc;

	if ((rc = request_of(desk, &life, help)) ||
	    (rc = gr_help_expire(&life, &desk->settings.help, now)))
		return rc;
	return close_request(desk, help, &life);
}

/* An open request's next wave (inside a write): the picked peers are told. */
static int widen_request(struct gr_helpdesk *desk, struct gr_store_help *help,
			 const struct candidates *list, const size_t *picked, size_t count,
			 int64_t now)
{
	struct gr_help_request life;
	int rc;

	if ((rc = request_of(desk, &life, help)))
		return rc;
	return wave_tell(desk, help, &life, list, picked, count, now);
}

/*
 * What is due for one open request at now: expire it, tell its next wave,
 * or nothing. One that finds nobody to tell is added to unanswered; one
 * refused for a broken invariant is logged and left alone from then on, so
 * the others go on.
 */
static int tick_request(struct gr_helpdesk *desk, struct gr_store_help *help, int64_t now,
			struct unanswered *unanswered, size_t *unanswered_count)
{
	enum gr_help_due due = gr_help_due(&desk->settings.help, help->opened_at,
					   help->last_wave_at, now, NULL);
	struct candidates list = { 0 };
	size_t picked[GR_HELP_MAX_WAVE], count = 0;
	struct gr_turn_change change;
	int rc = 0;

	if (due == GR_HELP_WAIT || is_broken(desk, help->id))
		return 0;
	/* Nobody to tell: the same people online as when it last looked, or nobody picked. */
	if (due == GR_HELP_WIDEN &&
	    (nobody_came(desk, help->id) ||
	     (rc = wave_pick(desk, help, &list, picked, &count)) != 0 || count == 0)) {
		free(list.items);
		if (rc == 0)
			unanswered[(*unanswered_count)++] =
			    (struct unanswered){ help->id, desk->arrivals };
		return rc;
	}
	if ((rc = gr_turn_begin(desk->turn, &change)) == 0)
		rc = gr_turn_end(desk->turn, &change,
				 due == GR_HELP_EXPIRE
				     ? expire_request(desk, help, now)
				     : widen_request(desk, help, &list, picked, count, now));
	free(list.items);
	if (rc != 0 && is_broken(desk, help->id)) {
		gr_log_error("help requests: %s", gr_error_last());
		rc = 0;
	}
	return rc;
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
	for (size_t i = 0; i < open.count && rc == 0; i++)
		rc = tick_request(desk, &open.items[i], now, unanswered, &unanswered_count);
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
