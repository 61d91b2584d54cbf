/*
 * reflections.c - a coach's comments on reflections (see reflections.h;
 * messages in docs/protocol.md, "Reflections").
 *
 * Owns a cohort's reflections on a track for its coaches (reflection.list),
 * and commenting: who may (a coach of the author's cohort, or an admin,
 * by rights.c's rule), on what (a submission of a step the served track
 * calls a reflection), storing it and its event on the author's stream
 * (which the inbox hears). It leaves the rows to store/reflection.c, the
 * comments shown with the learner's work to submission.get (reviews.c),
 * and a change is a savepoint of the loop's turn (turn.h), so the reply and
 * the push go out after the commit.
 */
#include "services/reflections.h"

#include "core/account.h"
#include "core/error.h"
#include "services/live.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/reflection.h"
#include "store/submission.h"
#include "store/user.h"
#include "tracks/library.h"
#include "tracks/track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gr_reflections {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_turn *turn;
	struct gr_live *live; /* NULL until attached */
	gr_clock_fn *clock;
};

int gr_reflections_new(struct gr_reflections **out, struct gr_store *store,
		       struct gr_library *library, struct gr_turn *turn, gr_clock_fn *clock)
{
	struct gr_reflections *reflections = calloc(1, sizeof(*reflections));

	*out = NULL;
	if (!reflections) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	reflections->store = store;
	reflections->library = library;
	reflections->turn = turn;
	reflections->clock = clock;
	*out = reflections;
	return 0;
}

void gr_reflections_free(struct gr_reflections *reflections)
{
	free(reflections);
}

/* What a comment is about: the submission's author, track and step. */
struct work {
	int64_t author_id;
	char track[129]; /* ids are at most 128 characters */
	char step[129];
	int attempt;
};

static int copy_work(const struct gr_store_submission *row, void *payload)
{
	struct work *work = payload;

	work->author_id = row->user_id;
	work->attempt = row->attempt;
	snprintf(work->track, sizeof(work->track), "%s", row->track_id);
	snprintf(work->step, sizeof(work->step), "%s", row->step_id);
	return 0;
}

/* The served step of the work, if the track calls it a reflection; else NULL. */
static const struct gr_step *reflection_step(struct gr_reflections *reflections,
					     const struct work *work)
{
	const struct gr_track *track = gr_library_track(reflections->library, work->track);
	const struct gr_step *step = track ? gr_track_step(track, work->step) : NULL;

	return step && step->kind == GR_STEP_REFLECTION ? step : NULL;
}

struct commenting {
	struct gr_reflections *reflections;
	struct gr_store_reflection_comment comment;
	const struct work *work;
	const char *title;
};

/* Store the comment, with its event on the author's stream. */
static int store_comment(struct commenting *c)
{
	struct gr_reflections *reflections = c->reflections;
	int rc = gr_store_reflection_comment_insert(reflections->store, &c->comment);

	if (rc != 0)
		return rc;
	return gr_live_event(
	    reflections->live, c->work->author_id, NULL,
	    gr_json_pack("{s:s, s:I, s:s, s:s, s:s, s:i, s:{s:I, s:o, s:s, s:I}}", "event",
			 "reflection.comment", "submission", (long long)c->comment.submission_id,
			 "track", c->work->track, "step", c->work->step, "title", c->title,
			 "attempt", c->work->attempt, "comment", "comment", (long long)c->comment.id,
			 "from", gr_live_person(reflections->store, c->comment.coach_id), "body",
			 c->comment.body, "at", (long long)c->comment.created_at));
}

/* The author of the work, if user may comment on it; else fails out and returns non-zero. */
static int may_comment(struct gr_reflections *reflections, struct gr_protocol_answer *out,
		       const struct gr_user *user, const struct work *work)
{
	struct gr_user author;
	int rc = gr_store_user_by_id(reflections->store, &author, work->author_id);

	if (rc != 0) {
		gr_protocol_fail_status(out, rc, "a comment on a reflection");
		return rc;
	}
	if (!gr_rights_may_coach(reflections->store, user, author.cohort)) {
		gr_protocol_fail(out, "not_your_cohort",
				 "You may comment on the reflections of the cohorts you coach only.");
		return GR_EFORBIDDEN;
	}
	return 0;
}

static void comment_send(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			 const struct gr_request *request)
{
	struct gr_reflections *reflections = payload;
	const struct gr_user *user = &client->user;
	struct work work = { 0 };
	struct commenting c = { .reflections = reflections, .work = &work };
	const struct gr_step *step;
	struct gr_turn_change change;
	int rc;

	if (!gr_account_is_coach(user)) {
		gr_protocol_fail(out, "coaches_only", "Only coaches and admins comment on reflections.");
		return;
	}
	rc = gr_store_submission_get(reflections->store, request->submission, copy_work, &work);
	if (rc == GR_ENOTFOUND) {
		gr_protocol_fail(out, "submission_missing", "There is no such submission.");
		return;
	}
	if (rc != 0) {
		gr_protocol_fail_status(out, rc, "a comment on a reflection");
		return;
	}
	if (may_comment(reflections, out, user, &work) != 0)
		return;
	if (!(step = reflection_step(reflections, &work))) {
		gr_protocol_fail(out, "not_a_reflection",
				 "That submission is not on a reflection step.");
		out->body = gr_json_pack("{s:s}", "field", "submission");
		return;
	}
	c.title = step->title;
	c.comment.submission_id = request->submission;
	c.comment.coach_id = user->id;
	snprintf(c.comment.body, sizeof(c.comment.body), "%s", request->body);
	c.comment.created_at = reflections->clock ? reflections->clock() : gr_clock_now_ms();
	if ((rc = gr_turn_begin(reflections->turn, &change)) != 0 ||
	    (rc = gr_turn_end(reflections->turn, &change, store_comment(&c))) != 0) {
		gr_protocol_fail_status(out, rc, "a comment on a reflection");
		return;
	}
	out->body = gr_json_pack("{s:I, s:I}", "comment", (long long)c.comment.id, "submission",
				 (long long)c.comment.submission_id);
	out->wrote = 1;
}

/* ---- reflection.list: a cohort's reflections on a track, for its coaches ---- */

#define REFLECTIONS_LISTED 200

struct listing {
	struct gr_reflections *reflections;
	const struct gr_track *track;
	struct gr_json *list;
};

static int add_comment(const struct gr_store_reflection_comment *row, void *payload)
{
	struct listing *listing = payload;
	struct gr_json *from = row->coach_id ? gr_live_person(listing->reflections->store, row->coach_id)
					     : gr_json_null();
	struct gr_json *comments = gr_json_get(gr_json_at(listing->list, gr_json_size(listing->list) - 1),
					       "comments");

	if (gr_json_append(comments, gr_json_pack("{s:I, s:o, s:s, s:I}", "comment",
						  (long long)row->id, "from", from, "body", row->body,
						  "at", (long long)row->created_at)) != 0) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return 0;
}

static int add_work(const struct gr_store_reflection_work *row, void *payload)
{
	struct listing *listing = payload;
	const struct gr_step *step = gr_track_step(listing->track, row->step_id);
	struct gr_json *item;

	if (!step || step->kind != GR_STEP_REFLECTION)
		return 0;
	item = gr_json_pack("{s:I, s:{s:s, s:s}, s:s, s:s, s:i, s:I, s:s?, s:[]}", "submission",
			    (long long)row->submission_id, "user", "handle", row->handle,
			    "display_name", row->display_name, "step", row->step_id, "title",
			    step->title, "attempt", row->attempt, "submitted_at",
			    (long long)row->created_at, "body_html", row->body_html, "comments");
	if (!item || gr_json_append(listing->list, item) != 0) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return gr_store_reflection_each_comment_of(listing->reflections->store, row->submission_id,
						   add_comment, listing);
}

static void list_reflections(void *payload, struct gr_protocol_answer *out,
			     struct gr_client *client, const struct gr_request *request)
{
	struct gr_reflections *reflections = payload;
	struct listing listing = { reflections, NULL, NULL };
	int rc = GR_ERROR;

	if (!gr_account_is_coach(&client->user)) {
		gr_protocol_fail(out, "coaches_only", "Only coaches and admins read a cohort's reflections.");
		return;
	}
	if (!gr_rights_may_coach(reflections->store, &client->user, request->cohort)) {
		gr_protocol_fail(out, "not_your_cohort",
				 "You may read the reflections of the cohorts you coach only.");
		return;
	}
	if (!(listing.track = gr_library_track(reflections->library, request->track)) ||
	    !gr_rights_may_see_track(reflections->store, &client->user, request->track)) {
		gr_protocol_fail(out, "track_missing", "There is no such track.");
		return;
	}
	if (!(listing.list = gr_json_array()) ||
	    (rc = gr_store_reflection_each_latest(reflections->store, request->cohort, request->track,
						  REFLECTIONS_LISTED, add_work, &listing)) != 0) {
		gr_json_free(listing.list);
		gr_protocol_fail_status(out, rc, "listing reflections");
		return;
	}
	out->body = gr_json_pack("{s:s, s:s, s:o}", "cohort", request->cohort, "track",
				 request->track, "reflections", listing.list);
}

int gr_reflections_attach(struct gr_reflections *reflections, struct gr_live *live)
{
	static const struct gr_live_route routes[] = {
		{ GR_REQUEST_REFLECTION_COMMENT, comment_send },
		{ GR_REQUEST_REFLECTION_LIST, list_reflections },
	};

	if (reflections->live)
		gr_live_forget(reflections->live, reflections);
	reflections->live = live;
	if (!live)
		return 0;
	return gr_live_route(live, routes, 2, reflections);
}
