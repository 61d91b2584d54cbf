/*
 * nudges.c - nudges (see nudges.h; messages in docs/protocol.md, "Nudges").
 *
 * Owns sending a nudge (stored, with its event on the learner's stream),
 * marking it read, and the unread ones in a hello. It leaves the rows to
 * the store and the event streams to the live service; a change is a
 * savepoint of the loop's turn (turn.h), so its reply and push go out after
 * the commit.
 */
#include "services/nudges.h"

#include "core/error.h"
#include "core/log.h"
#include "services/live.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/nudge.h"
#include "store/store.h"
#include "store/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUDGES_IN_HELLO 20

struct gr_nudges {
	struct gr_store *store;
	struct gr_turn *turn;
	struct gr_live *live; /* NULL until attached */
	gr_clock_fn *clock;
};

int gr_nudges_new(struct gr_nudges **out, struct gr_store *store, struct gr_turn *turn,
		  gr_clock_fn *clock)
{
	struct gr_nudges *nudges = calloc(1, sizeof(*nudges));

	*out = NULL;
	if (!nudges) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	nudges->store = store;
	nudges->turn = turn;
	nudges->clock = clock;
	*out = nudges;
	return 0;
}

void gr_nudges_free(struct gr_nudges *nudges)
{
	free(nudges);
}

static int64_t now_ms(const struct gr_nudges *nudges)
{
	return nudges->clock ? nudges->clock() : gr_clock_now_ms();
}

static struct gr_json *nudge_json(struct gr_nudges *nudges, const struct gr_store_nudge *nudge)
{
	return gr_json_pack("{s:I, s:o, s:s, s:I}", "nudge", (long long)nudge->id, "from",
			    gr_live_person(nudges->store, nudge->coach_id), "body", nudge->body, "at",
			    (long long)nudge->created_at);
}

/* Store the nudge, with its event on the learner's stream. */
static int store_nudge(struct gr_nudges *nudges, struct gr_store_nudge *nudge)
{
	int rc = gr_store_nudge_insert(nudges->store, nudge);

	if (rc != 0)
		return rc;
	return gr_live_event(nudges->live, nudge->user_id, NULL,
			     gr_json_pack("{s:s, s:o}", "event", "nudge", "nudge",
					  nudge_json(nudges, nudge)));
}

static void nudge_send(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		       const struct gr_request *request)
{
	struct gr_nudges *nudges = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_nudge nudge = { 0 };
	struct gr_turn_change change;
	struct gr_user learner;
	int rc;

	if (!gr_account_is_coach(user)) {
		gr_protocol_fail(out, "coaches_only", "Only coaches and admins send nudges.");
		return;
	}
	rc = gr_store_user_by_handle(nudges->store, &learner, request->user);
	if (rc == GR_ENOTFOUND || (rc == 0 && learner.disabled_at)) {
		gr_protocol_fail(out, "user_unknown", "Nobody has that user name.");
		return;
	}
	if (rc == 0 && gr_rights_may_nudge(nudges->store, user, &learner) != 0) {
		gr_protocol_fail(out, "not_your_cohort", "%s", gr_error_last());
		return;
	}
	nudge.user_id = learner.id;
	nudge.coach_id = user->id;
	snprintf(nudge.body, sizeof(nudge.body), "%s", request->body);
	nudge.created_at = now_ms(nudges);
	if (rc != 0 || (rc = gr_turn_begin(nudges->turn, &change)) != 0 ||
	    (rc = gr_turn_end(nudges->turn, &change, store_nudge(nudges, &nudge))) != 0) {
		gr_protocol_fail_status(out, rc, "sending a nudge");
		return;
	}
	out->body = gr_json_pack("{s:I}", "nudge", (long long)nudge.id);
	out->wrote = 1;
}

static void nudge_read(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		       const struct gr_request *request)
{
	struct gr_nudges *nudges = payload;
	struct gr_store_nudge nudge;
	struct gr_turn_change change;
	int rc = gr_store_nudge_get(nudges->store, &nudge, request->nudge);

	if (rc != 0) {
		gr_protocol_fail_status(out, rc, "reading a nudge");
		return;
	}
	if (nudge.user_id != client->user.id) {
		gr_protocol_fail(out, "nudge_not_yours", "This nudge is for someone else.");
		return;
	}
	if ((rc = gr_turn_begin(nudges->turn, &change)) != 0 ||
	    (rc = gr_turn_end(nudges->turn, &change,
			      gr_store_nudge_read(nudges->store, nudge.id, now_ms(nudges)))) != 0) {
		gr_protocol_fail_status(out, rc, "marking a nudge read");
		return;
	}
	out->body = gr_json_pack("{s:I, s:b}", "nudge", (long long)nudge.id, "read", 1);
	out->wrote = 1;
}

struct listing {
	struct gr_nudges *nudges;
	struct gr_json *list;
};

static int add_nudge(const struct gr_store_nudge *row, void *payload)
{
	struct listing *listing = payload;

	return gr_json_append(listing->list, nudge_json(listing->nudges, row));
}

struct gr_json *gr_nudges_unread(struct gr_nudges *nudges, int64_t user_id)
{
	struct listing listing = { nudges, gr_json_array() };

	if (listing.list && gr_store_nudge_each_unread(nudges->store, user_id, NUDGES_IN_HELLO,
						       add_nudge, &listing) != 0) {
		gr_log_error("reading nudges: %s", gr_error_last());
		gr_json_free(listing.list);
		return NULL;
	}
	return listing.list;
}

/* A hello's reply carries the unread nudges (an empty list when they cannot be read). */
static void hello(void *payload, const struct gr_user *user, struct gr_json *reply)
{
	struct gr_json *unread = gr_nudges_unread(payload, user->id);

	if (unread)
		gr_json_set(reply, "nudges", unread);
}

int gr_nudges_attach(struct gr_nudges *nudges, struct gr_live *live)
{
	static const struct gr_live_route routes[] = {
		{ GR_REQUEST_NUDGE_SEND, nudge_send },
		{ GR_REQUEST_NUDGE_READ, nudge_read },
	};
	struct gr_live_listener listener = { .hello = hello };
	int rc;

	if (nudges->live)
		gr_live_forget(nudges->live, nudges);
	nudges->live = live;
	if (!live)
		return 0;
	if ((rc = gr_live_route(live, routes, 2, nudges)) != 0 ||
	    (rc = gr_live_listen(live, &listener, nudges)) != 0)
		return rc;
	return 0;
}
