/*
 * inbox.c - notifications (see inbox.h; messages in docs/protocol.md,
 * "Notifications").
 *
 * Owns which events of a user's stream make a notification and of what
 * kind, storing it in the change that stores its event (the live service
 * tells every event as it is stored: one turn, services/turn.c), telling
 * the user's open connections at once, listing a user's notifications and
 * marking them read. Only the user reads or marks their own. It leaves the
 * rows to store/notification.c and the streams to the live service.
 *
 * A notification's life is short: unread, then read (never unread again);
 * a user keeps the last GR_STORE_NOTIFICATION_KEEP, older ones are
 * forgotten as new ones come.
 */
#include "services/inbox.h"

#include "core/error.h"
#include "core/log.h"
#include "services/live.h"
#include "services/turn.h"
#include "store/notification.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFICATIONS_LISTED 50

struct gr_inbox {
	struct gr_store *store;
	struct gr_turn *turn;
	struct gr_live *live; /* NULL until attached */
	gr_clock_fn *clock;
};

int gr_inbox_new(struct gr_inbox **out, struct gr_store *store, struct gr_turn *turn,
		 gr_clock_fn *clock)
{
	struct gr_inbox *inbox = calloc(1, sizeof(*inbox));

	*out = NULL;
	if (!inbox) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	inbox->store = store;
	inbox->turn = turn;
	inbox->clock = clock;
	*out = inbox;
	return 0;
}

void gr_inbox_free(struct gr_inbox *inbox)
{
	free(inbox);
}

static int64_t now_ms(const struct gr_inbox *inbox)
{
	return inbox->clock ? inbox->clock() : gr_clock_now_ms();
}

const char *gr_inbox_kind(const char *name, const struct gr_json *fields)
{
	const char *action;

	if (!name)
		return NULL;
	if (strcmp(name, "review.assigned") == 0)
		return "review_assigned";
	if (strcmp(name, "review.received") == 0)
		return "verdict";
	if (strcmp(name, "review.decided") == 0) {
		/* A coach's verdict; assigning a reviewer or more time is none. */
		action = gr_json_text(gr_json_get(fields, "action"), NULL);
		return action && (strcmp(action, "pass") == 0 || strcmp(action, "needs_work") == 0)
			       ? "verdict"
			       : NULL;
	}
	if (strcmp(name, "help.offered") == 0)
		return "help_request";
	if (strcmp(name, "nudge") == 0)
		return "nudge";
	if (strcmp(name, "reflection.comment") == 0)
		return "reflection_comment";
	if (strcmp(name, "project.feedback") == 0)
		return "partner_feedback";
	if (strcmp(name, "project.proposed") == 0)
		return "project_proposed";
	return NULL;
}

/* A notification as the protocol shows it, new; NULL when out of memory. */
static struct gr_json *notification_json(const struct gr_store_notification *row)
{
	struct gr_json *event = row->body ? gr_json_load(row->body, strlen(row->body)) : NULL;

	return gr_json_pack("{s:I, s:s, s:I, s:I, s:b, s:o?}", "notification", (long long)row->id,
			    "kind", row->kind, "seq", (long long)row->seq, "at",
			    (long long)row->created_at, "read", row->read_at != 0, "event", event);
}

static void user_topic(char *out, size_t size, int64_t user_id)
{
	snprintf(out, size, "user:%lld", (long long)user_id);
}

/* Tell the user's connections (after the commit): what, and how many are unread now. */
static int tell(struct gr_inbox *inbox, int64_t user_id, const char *event,
		struct gr_json *notification)
{
	int64_t unread = 0;
	char topic[64];
	int rc;

	if ((rc = gr_store_notification_unread(inbox->store, user_id, &unread)) != 0) {
		gr_json_free(notification);
		return rc;
	}
	user_topic(topic, sizeof(topic), user_id);
	return gr_live_push(inbox->live, topic,
			    gr_json_pack("{s:s, s:s, s:o, s:I}", "type", "event", "event", event,
					 "notification", notification, "unread",
					 (long long)unread));
}

/* The live service stored an event: one that asks something of its user is noted. */
static int heard(void *payload, int64_t user_id, int64_t seq, const struct gr_json *fields,
		 const char *body)
{
	struct gr_inbox *inbox = payload;
	const char *kind =
	    gr_inbox_kind(gr_json_text(gr_json_get(fields, "event"), NULL), fields);
	struct gr_store_notification row = { 0 };
	int rc;

	if (!kind)
		return 0;
	row.user_id = user_id;
	snprintf(row.kind, sizeof(row.kind), "%s", kind);
	row.seq = seq;
	row.body = body;
	row.created_at = now_ms(inbox);
	if ((rc = gr_store_notification_insert(inbox->store, &row, GR_STORE_NOTIFICATION_KEEP)))
		return rc;
	return tell(inbox, user_id, "notification", notification_json(&row));
}

static int add_notification(const struct gr_store_notification *row, void *payload)
{
	return gr_json_append(payload, notification_json(row));
}

static void notification_list(void *payload, struct gr_protocol_answer *out,
			      struct gr_client *client, const struct gr_request *request)
{
	struct gr_inbox *inbox = payload;
	struct gr_json *list = gr_json_array();
	int64_t unread = 0;
	int rc = list ? 0 : GR_ERROR;

	(void)request;
	if (rc == 0)
		rc = gr_store_notification_each(inbox->store, client->user.id,
						NOTIFICATIONS_LISTED, add_notification, list);
	if (rc == 0)
		rc = gr_store_notification_unread(inbox->store, client->user.id, &unread);
	if (rc != 0) {
		gr_json_free(list);
		gr_protocol_fail_status(out, rc, "listing notifications");
		return;
	}
	out->body = gr_json_pack("{s:I, s:o}", "unread", (long long)unread, "notifications", list);
}

/* Mark the user's notification id (0: all of them) read, and tell their other tabs. */
static int mark_read(struct gr_inbox *inbox, int64_t user_id, int64_t id)
{
	int rc = gr_store_notification_read(inbox->store, user_id, id, now_ms(inbox));

	if (rc != 0)
		return rc;
	return tell(inbox, user_id, "notification.read", gr_json_integer(id));
}

static void notification_read(void *payload, struct gr_protocol_answer *out,
			      struct gr_client *client, const struct gr_request *request)
{
	struct gr_inbox *inbox = payload;
	struct gr_store_notification row;
	struct gr_turn_change change;
	int64_t unread = 0;
	int rc;

	if (request->notification) {
		rc = gr_store_notification_get(inbox->store, &row, request->notification);
		if (rc == 0 && row.user_id != client->user.id) {
			gr_protocol_fail(out, "forbidden", "This notification is for someone else.");
			return;
		}
		if (rc != 0) {
			gr_protocol_fail_status(out, rc, "reading a notification");
			return;
		}
	}
	if ((rc = gr_turn_begin(inbox->turn, &change)) != 0 ||
	    (rc = gr_turn_end(inbox->turn, &change,
			      mark_read(inbox, client->user.id, request->notification))) != 0 ||
	    (rc = gr_store_notification_unread(inbox->store, client->user.id, &unread)) != 0) {
		gr_protocol_fail_status(out, rc, "marking notifications read");
		return;
	}
	out->body = gr_json_pack("{s:I, s:I}", "notification", (long long)request->notification,
				 "unread", (long long)unread);
	out->wrote = 1;
}

int gr_inbox_attach(struct gr_inbox *inbox, struct gr_live *live)
{
	static const struct gr_live_route routes[] = {
		{ GR_REQUEST_NOTIFICATION_LIST, notification_list },
		{ GR_REQUEST_NOTIFICATION_READ, notification_read },
	};
	struct gr_live_listener listener = { .event = heard };
	int rc;

	if (inbox->live)
		gr_live_forget(inbox->live, inbox);
	inbox->live = live;
	if (!live)
		return 0;
	if ((rc = gr_live_route(live, routes, 2, inbox)) != 0 ||
	    (rc = gr_live_listen(live, &listener, inbox)) != 0)
		return rc;
	return 0;
}
