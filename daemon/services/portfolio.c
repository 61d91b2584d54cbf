/*
 * portfolio.c - learners' portfolios (see portfolio.h; routes in
 * docs/api.md, "Portfolios").
 *
 * Owns what a portfolio holds, made each time from the learner's progress
 * and the served tracks: a track is completed when every one of its steps
 * is done or passed; a project or reflection is in it once passed, with its
 * passed work (the latest attempt), shown only when the learner chose so.
 * Owns who may show what, and the public link: a fresh random token per
 * share, only its hash stored, deleted on revoke. Leaves the rows to
 * store/portfolio.c; each change is a change of the loop's turn, flushed
 * before the HTTP reply says it happened.
 */
#include "services/portfolio.h"

#include "core/error.h"
#include "core/log.h"
#include "services/turn.h"
#include "store/portfolio.h"
#include "store/progress.h"
#include "store/project.h"
#include "store/submission.h"
#include "tracks/library.h"
#include "tracks/track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gr_portfolio {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_turn *turn;
	gr_clock_fn *clock;
};

int gr_portfolio_new(struct gr_portfolio **out, struct gr_store *store, struct gr_library *library,
		     struct gr_turn *turn, gr_clock_fn *clock)
{
	struct gr_portfolio *portfolio = calloc(1, sizeof(*portfolio));

	*out = NULL;
	if (!portfolio) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	portfolio->store = store;
	portfolio->library = library;
	portfolio->turn = turn;
	portfolio->clock = clock;
	*out = portfolio;
	return 0;
}

void gr_portfolio_free(struct gr_portfolio *portfolio)
{
	free(portfolio);
}

static int64_t now_ms(const struct gr_portfolio *portfolio)
{
	return portfolio->clock ? portfolio->clock() : gr_clock_now_ms();
}

static int out_of_memory(void)
{
	gr_error_set("out of memory");
	return GR_ERROR;
}

/* ---- reading: what the learner did -------------------------------------- */

/* The learner's progress rows and the submissions they show. */
struct record {
	struct gr_store_progress *rows;
	int count, capacity;
	int64_t *shown;
	int shown_count, shown_capacity;
};

static int add_row(const struct gr_store_progress *row, void *payload)
{
	struct record *record = payload;

	if (record->count == record->capacity) {
		int capacity = record->capacity ? record->capacity * 2 : 32;
		struct gr_store_progress *rows = realloc(record->rows, (size_t)capacity * sizeof(*rows));

		if (!rows)
			return out_of_memory();
		record->rows = rows;
		record->capacity = capacity;
	}
	record->rows[record->count++] = *row;
	return 0;
}

static int add_shown(int64_t id, void *payload)
{
	struct record *record = payload;

	if (record->shown_count == record->shown_capacity) {
		int capacity = record->shown_capacity ? record->shown_capacity * 2 : 16;
		int64_t *shown = realloc(record->shown, (size_t)capacity * sizeof(*shown));

		if (!shown)
			return out_of_memory();
		record->shown = shown;
		record->shown_capacity = capacity;
	}
	record->shown[record->shown_count++] = id;
	return 0;
}

static void record_clear(struct record *record)
{
	free(record->rows);
	free(record->shown);
	memset(record, 0, sizeof(*record));
}

static const struct gr_store_progress *row_of(const struct record *record, const char *track,
					      const char *step)
{
	for (int i = 0; i < record->count; i++)
		if (strcmp(record->rows[i].track_id, track) == 0 &&
		    strcmp(record->rows[i].step_id, step) == 0)
			return &record->rows[i];
	return NULL;
}

static int is_shown(const struct record *record, int64_t id)
{
	for (int i = 0; i < record->shown_count; i++)
		if (record->shown[i] == id)
			return 1;
	return 0;
}

/* ---- making the portfolio ---------------------------------------------- */

struct making {
	struct gr_portfolio *portfolio;
	const struct record *record;
	int64_t user_id;
	int public; /* only what is shown, no dates */
	struct gr_json *tracks, *projects, *reflections, *feedback;
};

/* A served track whose every step is done or passed. */
static int add_track(struct making *making, const struct gr_track *track)
{
	int64_t completed_at = 0;
	struct gr_json *item;

	for (int i = 0; i < track->step_count; i++) {
		const struct gr_store_progress *row =
		    row_of(making->record, track->id, track->steps[i].id);

		if (!row || !gr_progress_is_complete(row->state))
			return 0;
		completed_at = row->finished_at > completed_at ? row->finished_at : completed_at;
	}
	if (track->step_count == 0)
		return 0;
	item = gr_json_pack("{s:s, s:s}", "track", track->id, "title", track->title);
	if (item && !making->public)
		gr_json_set(item, "completed_at", gr_json_integer(completed_at));
	return !item || gr_json_append(making->tracks, item) ? out_of_memory() : 0;
}

struct work {
	struct making *making;
	const struct gr_step *step;
	const struct gr_store_progress *row;
	struct gr_json *list;
};

static int add_work(const struct gr_store_submission *submission, void *payload)
{
	struct work *work = payload;
	int shown = is_shown(work->making->record, submission->id);
	struct gr_json *item;

	if (work->making->public && !shown)
		return 0;
	item = gr_json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?}", "submission",
			    (long long)submission->id, "track", submission->track_id, "step",
			    submission->step_id, "title", work->step->title, "body_html",
			    submission->body_html, "link",
			    submission->link && submission->link[0] ? submission->link : NULL);
	if (item && !work->making->public) {
		gr_json_set(item, "passed_at", gr_json_integer(work->row->finished_at));
		gr_json_set(item, "shown", gr_json_pack("b", shown));
	}
	return !item || gr_json_append(work->list, item) ? out_of_memory() : 0;
}

/*
 * fn with the latest work user_id handed in on track's step: their own, or,
 * on a partner project, their team's (handed in under the team's author).
 * GR_ENOTFOUND when there is none.
 */
static int latest_work(struct gr_store *store, int64_t user_id, const char *track_id,
		       const char *step_id, gr_store_submission_fn *fn, void *payload)
{
	struct gr_store_project_team team;
	int rc = gr_store_submission_latest(store, user_id, track_id, step_id, fn, payload);

	if (rc != GR_ENOTFOUND)
		return rc;
	if ((rc = gr_store_project_team_of_track(store, &team, track_id, user_id)) != 0)
		return rc;
	if (team.author_id <= 0 || team.author_id == user_id)
		return GR_ENOTFOUND;
	return gr_store_submission_latest(store, team.author_id, track_id, step_id, fn, payload);
}

/* A passed project or reflection, with its passed work. */
static int add_passed(struct making *making, const struct gr_store_progress *row)
{
	const struct gr_track *track = gr_library_track(making->portfolio->library, row->track_id);
	const struct gr_step *step = track ? gr_track_step(track, row->step_id) : NULL;
	struct work work = { making, step, row, NULL };
	int rc;

	if (row->state != GR_PROGRESS_PASSED || !step ||
	    (step->kind != GR_STEP_PROJECT && step->kind != GR_STEP_REFLECTION))
		return 0;
	work.list = step->kind == GR_STEP_PROJECT ? making->projects : making->reflections;
	rc = latest_work(making->portfolio->store, making->user_id, row->track_id, row->step_id,
			 add_work, &work);
	return rc == GR_ENOTFOUND ? 0 : rc;
}

static void making_clear(struct making *making)
{
	gr_json_free(making->tracks);
	gr_json_free(making->projects);
	gr_json_free(making->reflections);
	gr_json_free(making->feedback);
}

/*
 * A partner's feedback on the work of a team the learner is in: its
 * project's title and the words, never the partner's name; the public
 * view shows only what the learner shows, without dates.
 */
static int add_feedback(const struct gr_store_project_feedback *row, void *payload)
{
	struct making *making = payload;
	struct gr_json *item = making->public
				       ? gr_json_pack("{s:I, s:s, s:s}", "feedback", (long long)row->id,
						      "project", row->project, "body", row->body)
				       : gr_json_pack("{s:I, s:s, s:s, s:I, s:b}", "feedback",
						      (long long)row->id, "project", row->project,
						      "body", row->body, "at", (long long)row->created_at,
						      "shown", row->shown);

	return gr_json_append(making->feedback, item) ? out_of_memory() : 0;
}

/* The portfolio of user_id: everything, or (public) only what they show. */
static int make(struct gr_portfolio *portfolio, struct gr_json **out, int64_t user_id, int public)
{
	struct record record = { 0 };
	struct making making = { portfolio, &record, user_id, public, gr_json_array(),
				 gr_json_array(), gr_json_array(), gr_json_array() };
	int rc = making.tracks && making.projects && making.reflections && making.feedback
			 ? 0
			 : out_of_memory();

	*out = NULL;
	if (rc == 0)
		rc = gr_store_progress_each(portfolio->store, user_id, add_row, &record);
	if (rc == 0)
		rc = gr_store_portfolio_each_shown(portfolio->store, user_id, add_shown, &record);
	for (int i = 0; rc == 0 && i < gr_library_count(portfolio->library); i++) {
		const struct gr_track *track = gr_library_at(portfolio->library, i);

		rc = track ? add_track(&making, track) : 0;
	}
	for (int i = 0; rc == 0 && i < record.count; i++)
		rc = add_passed(&making, &record.rows[i]);
	record_clear(&record);
	if (rc == 0)
		rc = gr_store_project_feedback_each_of_user(portfolio->store, user_id, public, add_feedback,
						    &making);
	if (rc == 0 &&
	    !(*out = gr_json_pack("{s:O, s:O, s:O, s:O}", "tracks", making.tracks, "projects",
				  making.projects, "reflections", making.reflections,
				  "partner_feedback", making.feedback)))
		rc = out_of_memory();
	making_clear(&making);
	return rc;
}

int gr_portfolio_get(struct gr_portfolio *portfolio, struct gr_json **out,
		     const struct gr_user *user)
{
	int64_t shared_at = 0;
	int rc = make(portfolio, out, user->id, 0);

	if (rc == 0 && (rc = gr_store_portfolio_link_of(portfolio->store, &shared_at, user->id)) ==
			   GR_ENOTFOUND)
		rc = 0;
	if (rc != 0) {
		gr_json_free(*out);
		*out = NULL;
		return rc;
	}
	gr_json_set(*out, "shared_at", shared_at ? gr_json_integer(shared_at) : gr_json_null());
	return 0;
}

int gr_portfolio_public(struct gr_portfolio *portfolio, struct gr_json **out, const char *token)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	int64_t user_id = 0;
	int rc;

	*out = NULL;
	gr_secret_token_hash(hash, token);
	if ((rc = gr_store_portfolio_link_user(portfolio->store, &user_id, hash)) != 0)
		return rc;
	return make(portfolio, out, user_id, 1);
}

/* ---- changing it ------------------------------------------------------- */

struct showing {
	int64_t user_id;
	int64_t latest; /* the latest attempt's id at the step */
	char track[129];
	char step[129];
};

static int copy_owner(const struct gr_store_submission *row, void *payload)
{
	struct showing *showing = payload;

	showing->user_id = row->user_id;
	snprintf(showing->track, sizeof(showing->track), "%s", row->track_id);
	snprintf(showing->step, sizeof(showing->step), "%s", row->step_id);
	return 0;
}

static int copy_latest(const struct gr_store_submission *row, void *payload)
{
	((struct showing *)payload)->latest = row->id;
	return 0;
}

/*
 * 0 when user may show submission_id: their passed work of a project or
 * reflection, or their team's on a partner project.
 */
static int may_show(struct gr_portfolio *portfolio, const struct gr_user *user,
		    int64_t submission_id)
{
	struct showing showing = { 0 };
	struct gr_store_progress row;
	const struct gr_track *track;
	const struct gr_step *step;
	int rc = gr_store_submission_get(portfolio->store, submission_id, copy_owner, &showing);
	int member = 0;

	if (rc == 0 && showing.user_id != user->id &&
	    (rc = gr_store_project_in_team_of_submission(portfolio->store, &member, submission_id,
							 user->id)) == 0 &&
	    !member) /* a team's work is each member's */
		rc = GR_EFORBIDDEN;
	if (rc == GR_ENOTFOUND || rc == GR_EFORBIDDEN) {
		gr_error_set("Only your own work can be in your portfolio.");
		return rc;
	}
	track = rc == 0 ? gr_library_track(portfolio->library, showing.track) : NULL;
	step = track ? gr_track_step(track, showing.step) : NULL;
	if (rc == 0 && (rc = gr_store_progress_get(portfolio->store, &row, user->id, showing.track,
						   showing.step)) == GR_ENOTFOUND) {
		row.state = GR_PROGRESS_NOT_STARTED;
		rc = 0;
	}
	if (rc == 0)
		rc = latest_work(portfolio->store, user->id, showing.track, showing.step,
				 copy_latest, &showing);
	if (rc != 0)
		return rc;
	if (!step || (step->kind != GR_STEP_PROJECT && step->kind != GR_STEP_REFLECTION) ||
	    row.state != GR_PROGRESS_PASSED || showing.latest != submission_id) {
		gr_error_set("Only the passed work of a project or a reflection can be shown.");
		return GR_ECONFLICT;
	}
	return 0;
}

int gr_portfolio_show(struct gr_portfolio *portfolio, const struct gr_user *user,
		      int64_t submission_id, int shown)
{
	struct gr_turn_change change;
	int rc;

	if (shown && (rc = may_show(portfolio, user, submission_id)) != 0)
		return rc;
	if ((rc = gr_turn_begin(portfolio->turn, &change)) != 0 ||
	    (rc = gr_turn_end(portfolio->turn, &change,
			      gr_store_portfolio_show(portfolio->store, user->id, submission_id,
						      shown, now_ms(portfolio)))) != 0)
		return rc;
	return gr_turn_flush(portfolio->turn);
}

int gr_portfolio_share(struct gr_portfolio *portfolio, const struct gr_user *user,
		       char out[GR_TOKEN_TEXT_SIZE])
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	struct gr_turn_change change;
	int rc;

	gr_secret_token(out, 32);
	gr_secret_token_hash(hash, out);
	if ((rc = gr_turn_begin(portfolio->turn, &change)) != 0 ||
	    (rc = gr_turn_end(portfolio->turn, &change,
			      gr_store_portfolio_link_set(portfolio->store, user->id, hash,
							  now_ms(portfolio)))) != 0 ||
	    (rc = gr_turn_flush(portfolio->turn)) != 0) {
		memset(out, 0, GR_TOKEN_TEXT_SIZE);
		return rc;
	}
	gr_log_info("%s shares their portfolio", user->handle);
	return 0;
}

int gr_portfolio_revoke(struct gr_portfolio *portfolio, const struct gr_user *user)
{
	struct gr_turn_change change;
	int rc;

	if ((rc = gr_turn_begin(portfolio->turn, &change)) != 0 ||
	    (rc = gr_turn_end(portfolio->turn, &change,
			      gr_store_portfolio_link_remove(portfolio->store, user->id))) != 0)
		return rc;
	return gr_turn_flush(portfolio->turn);
}

int gr_portfolio_show_feedback(struct gr_portfolio *portfolio, const struct gr_user *user,
			       int64_t feedback_id, int shown)
{
	struct gr_turn_change change;
	int received = 0, rc;

	if ((rc = gr_store_project_feedback_received(portfolio->store, &received, feedback_id,
					     user->id)) != 0)
		return rc;
	if (!received) {
		gr_error_set("Only feedback on your own team's work can be in your portfolio.");
		return GR_ENOTFOUND;
	}
	if ((rc = gr_turn_begin(portfolio->turn, &change)) != 0 ||
	    (rc = gr_turn_end(portfolio->turn, &change,
			      gr_store_project_feedback_show(portfolio->store, feedback_id, user->id,
						     shown))) != 0)
		return rc;
	return gr_turn_flush(portfolio->turn);
}
