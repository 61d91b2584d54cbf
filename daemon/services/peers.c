/*
 * peers.c - peers' work after passing (see peers.h; messages in
 * docs/protocol.md, "Peers' work after passing").
 *
 * Owns who may read the shared work of a step (a learner whose own work
 * on it passed, so nobody reads a solution before making theirs; any
 * coach or admin), how a piece of work is shown to them (its stored HTML,
 * its author's name only when the author chose so), sharing and
 * withdrawing one's passed work, and thanking its author once. It leaves
 * the rows to the store (store/submission.c), whether work passed to the
 * progress the review engine moved, and the author's stream to the live
 * service; a change is a savepoint of the loop's turn (turn.h), so its
 * reply and push go out after the commit.
 *
 * Shared work is read when asked for, never cached: a withdrawal hides it
 * from the next peers.list on.
 */
#include "services/peers.h"

#include "core/error.h"
#include "core/log.h"
#include "services/live.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/progress.h"
#include "store/store.h"
#include "store/submission.h"
#include "store/user.h"
#include "tracks/library.h"
#include "tracks/track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEERS_LISTED 50

struct gr_peers {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_turn *turn;
	struct gr_live *live; /* NULL until attached */
	gr_clock_fn *clock;
};

int gr_peers_new(struct gr_peers **out, struct gr_store *store, struct gr_library *library,
		 struct gr_turn *turn, gr_clock_fn *clock)
{
	struct gr_peers *peers = calloc(1, sizeof(*peers));

	*out = NULL;
	if (!peers) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	peers->store = store;
	peers->library = library;
	peers->turn = turn;
	peers->clock = clock;
	*out = peers;
	return 0;
}

void gr_peers_free(struct gr_peers *peers)
{
	free(peers);
}

static int64_t now_ms(const struct gr_peers *peers)
{
	return peers->clock ? peers->clock() : gr_clock_now_ms();
}

/* Whether the user's work on the step passed. */
static int has_passed(struct gr_peers *peers, int64_t user_id, const char *track,
		      const char *step)
{
	struct gr_store_progress row;

	return gr_store_progress_get(peers->store, &row, user_id, track, step) == 0 &&
	       row.state == GR_PROGRESS_PASSED;
}

/* Whether the user may read the shared work of a step: a coach, or passed it. */
static int may_read(struct gr_peers *peers, const struct gr_user *user, const char *track,
		    const char *step)
{
	return gr_account_is_coach(user) || has_passed(peers, user->id, track, step);
}

/* A submission as this service needs it, copied out of the store's row. */
struct work {
	int64_t id;
	int64_t user_id;
	char track[129];
	char step[129];
};

static int copy_work(const struct gr_store_submission *row, void *payload)
{
	struct work *work = payload;

	work->id = row->id;
	work->user_id = row->user_id;
	snprintf(work->track, sizeof(work->track), "%s", row->track_id);
	snprintf(work->step, sizeof(work->step), "%s", row->step_id);
	return 0;
}

/* Whether work is its author's latest attempt on its step, and that passed. */
static int work_passed(struct gr_peers *peers, const struct work *work)
{
	struct work latest = { 0 };

	return has_passed(peers, work->user_id, work->track, work->step) &&
	       gr_store_submission_latest(peers->store, work->user_id, work->track, work->step,
					  copy_work, &latest) == 0 &&
	       latest.id == work->id;
}

/* ---- peers.list ------------------------------------------------------------- */

static int add_shared(const struct gr_store_shared *row, void *payload)
{
	const struct gr_store_submission *work = row->submission;
	struct gr_json *item = gr_json_pack(
	    "{s:I, s:s, s:s?, s:I, s:i, s:b}", "submission", (long long)work->id, "body_html",
	    work->body_html ? work->body_html : "", "link", work->link[0] ? work->link : NULL,
	    "submitted_at", (long long)work->created_at, "thanks", row->sharing.thanks, "thanked",
	    row->sharing.thanked);

	if (!item)
		return GR_ERROR;
	gr_json_set(item, "author",
		    row->sharing.share == GR_STORE_SHARE_NAMED
			? gr_json_pack("{s:s, s:s}", "handle", row->handle, "display_name",
				       row->display_name)
			: gr_json_null());
	return gr_json_append(payload, item);
}

/* The reader's own passed work on the step, as they share it (JSON null: none). */
static struct gr_json *mine_json(struct gr_peers *peers, const struct gr_user *user,
				 const char *track, const char *step)
{
	struct gr_store_sharing sharing;
	struct work work = { 0 };

	if (!has_passed(peers, user->id, track, step) ||
	    gr_store_submission_latest(peers->store, user->id, track, step, copy_work, &work) != 0 ||
	    gr_store_submission_sharing(peers->store, &sharing, work.id, user->id) != 0)
		return gr_json_null();
	return gr_json_pack("{s:I, s:s, s:i}", "submission", (long long)work.id, "share",
			    gr_store_submission_share_name(sharing.share), "thanks", sharing.thanks);
}

static void peers_list(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		       const struct gr_request *request)
{
	struct gr_peers *peers = payload;
	const struct gr_track *track = gr_library_track(peers->library, request->track);
	const struct gr_step *step = track && gr_rights_may_see_track(peers->store, &client->user,
								       track->id)
					     ? gr_track_step(track, request->step)
					     : NULL;
	struct gr_json *list;
	int rc;

	if (!step || step->reviews <= 0) {
		gr_protocol_fail(out, "not_found",
				 track ? "This track has no step with reviewed work by that id."
				       : "There is no such track.");
		return;
	}
	if (!may_read(peers, &client->user, track->id, step->id)) {
		gr_protocol_fail(out, "forbidden",
				 "You can read your peers' work on this step once yours passed.");
		return;
	}
	list = gr_json_array();
	rc = list ? gr_store_submission_each_shared(peers->store, track->id, step->id,
						    client->user.id, PEERS_LISTED, add_shared, list)
		  : GR_ERROR;
	if (rc != 0) {
		gr_json_free(list);
		gr_protocol_fail_status(out, rc, "reading peers' work");
		return;
	}
	out->body = gr_json_pack("{s:s, s:s, s:o, s:o}", "track", track->id, "step", step->id,
				 "mine", mine_json(peers, &client->user, track->id, step->id),
				 "peers", list);
}

/* ---- submission.share ------------------------------------------------------- */

static void submission_share(void *payload, struct gr_protocol_answer *out,
			     struct gr_client *client, const struct gr_request *request)
{
	struct gr_peers *peers = payload;
	enum gr_store_share share;
	struct gr_turn_change change;
	struct work work = { 0 };
	int rc;

	if (gr_store_submission_share_from_name(&share, request->share) != 0) {
		gr_protocol_fail(out, "bad_value", "'share' is none, anonymous or named.");
		return;
	}
	if ((rc = gr_store_submission_get(peers->store, request->submission, copy_work, &work))) {
		gr_protocol_fail_status(out, rc, "reading work to share");
		return;
	}
	if (work.user_id != client->user.id) {
		gr_protocol_fail(out, "forbidden", "Only the author of this work may share it.");
		return;
	}
	if (!work_passed(peers, &work)) {
		gr_protocol_fail(out, "conflict", "Only work that passed its reviews can be shared.");
		return;
	}
	if ((rc = gr_turn_begin(peers->turn, &change)) != 0 ||
	    (rc = gr_turn_end(peers->turn, &change,
			      gr_store_submission_set_share(peers->store, work.id, share))) != 0) {
		gr_protocol_fail_status(out, rc, "sharing work");
		return;
	}
	out->body = gr_json_pack("{s:I, s:s}", "submission", (long long)work.id, "share",
				 gr_store_submission_share_name(share));
	out->wrote = 1;
}

/* ---- submission.thank ------------------------------------------------------- */

/* Store the reader's thanks; the first tells the author, on their stream. */
static int store_thanks(struct gr_peers *peers, const struct work *work, int64_t reader_id,
			struct gr_store_sharing *out)
{
	int added = 0;
	int rc;

	if ((rc = gr_store_submission_thank(peers->store, &added, work->id, reader_id,
					    now_ms(peers))) ||
	    (rc = gr_store_submission_sharing(peers->store, out, work->id, reader_id)) || !added)
		return rc;
	return gr_live_event(peers->live, work->user_id, NULL,
			     gr_json_pack("{s:s, s:s, s:s, s:I, s:i}", "event", "submission.thanked",
					  "track", work->track, "step", work->step, "submission",
					  (long long)work->id, "thanks", out->thanks));
}

static void submission_thank(void *payload, struct gr_protocol_answer *out,
			     struct gr_client *client, const struct gr_request *request)
{
	struct gr_peers *peers = payload;
	struct gr_store_sharing sharing = { 0 };
	struct gr_turn_change change;
	struct work work = { 0 };
	struct gr_user author;
	int rc = gr_store_submission_get(peers->store, request->submission, copy_work, &work);

	if (rc == 0 && (rc = gr_store_submission_sharing(peers->store, &sharing, work.id, 0)) == 0 &&
	    (rc = gr_store_user_by_id(peers->store, &author, work.user_id)) == 0 &&
	    (sharing.share == GR_STORE_SHARE_NONE || author.disabled_at ||
	     !work_passed(peers, &work)))
		rc = GR_ENOTFOUND;
	if (rc == GR_ENOTFOUND) {
		gr_protocol_fail(out, "not_found", "There is no such shared work.");
		return;
	}
	if (rc != 0) {
		gr_protocol_fail_status(out, rc, "reading work to thank");
		return;
	}
	if (work.user_id == client->user.id) {
		gr_protocol_fail(out, "forbidden", "This is your own work: thank your peers instead.");
		return;
	}
	if (!may_read(peers, &client->user, work.track, work.step)) {
		gr_protocol_fail(out, "forbidden",
				 "You can read your peers' work on this step once yours passed.");
		return;
	}
	if ((rc = gr_turn_begin(peers->turn, &change)) != 0 ||
	    (rc = gr_turn_end(peers->turn, &change,
			      store_thanks(peers, &work, client->user.id, &sharing))) != 0) {
		gr_protocol_fail_status(out, rc, "thanking an author");
		return;
	}
	out->body = gr_json_pack("{s:I, s:i, s:b}", "submission", (long long)work.id, "thanks",
				 sharing.thanks, "thanked", 1);
	out->wrote = 1;
}

int gr_peers_attach(struct gr_peers *peers, struct gr_live *live)
{
	static const struct gr_live_route routes[] = {
		{ GR_REQUEST_PEERS_LIST, peers_list },
		{ GR_REQUEST_SUBMISSION_SHARE, submission_share },
		{ GR_REQUEST_SUBMISSION_THANK, submission_thank },
	};

	if (peers->live)
		gr_live_forget(peers->live, peers);
	peers->live = live;
	if (!live)
		return 0;
	return gr_live_route(live, routes, (int)(sizeof(routes) / sizeof(routes[0])), peers);
}
