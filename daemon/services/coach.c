/*
 * coach.c - the coach service (see coach.h; messages in docs/protocol.md).
 *
 * A board's state and summary are read from the store on demand: one
 * cohort's progress on one track, their reviews and activity, the flagged
 * reviews, the open help requests, and, from the review engine, how long
 * each waiting submission has had no reviewer. The attention rules are
 * attention.c's; the waves of a help request are help.c's. Every change
 * (a nudge, a help request and its messages) is stored with its events in a
 * savepoint of the live service's turn, so its reply and pushes go out
 * after the commit.
 */
#include "services/coach.h"

#include "domain/attention.h"
#include "core/error.h"
#include "tracks/library.h"
#include "core/log.h"
#include "domain/progress.h"
#include "domain/review.h"
#include "store/store.h"
#include "tracks/track.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NUDGES_IN_HELLO 20
#define WEEKS_ON_BOARD 12

/* An open request whose last look for someone to tell found nobody. */
struct unanswered {
	int64_t request;
	uint64_t arrivals; /* coach->arrivals then: look again once someone came */
};

struct gr_coach {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_reviews *reviews;
	struct gr_coach_settings settings;
	struct gr_coach_hooks hooks;
	uint64_t arrivals; /* users who said hello: new people to tell */
	struct unanswered *unanswered;
	size_t unanswered_count;
};

void gr_coach_settings_defaults(struct gr_coach_settings *out)
{
	memset(out, 0, sizeof(*out));
	out->inactive_days = GR_ATTENTION_INACTIVE_DAYS_DEFAULT;
	out->flag_days = 30;
	gr_help_settings_default(&out->help);
}

int gr_coach_new(struct gr_coach **out, struct gr_store *store, struct gr_library *library,
		 struct gr_reviews *reviews, const struct gr_coach_settings *settings)
{
	struct gr_coach *coach;
	int rc;

	*out = NULL;
	if ((rc = gr_help_settings_check(&settings->help)) != 0)
		return rc;
	if (!(coach = calloc(1, sizeof(*coach)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	coach->store = store;
	coach->library = library;
	coach->reviews = reviews;
	coach->settings = *settings;
	*out = coach;
	return 0;
}

void gr_coach_set_hooks(struct gr_coach *coach, const struct gr_coach_hooks *hooks)
{
	coach->hooks = *hooks;
}

void gr_coach_free(struct gr_coach *coach)
{
	if (coach)
		free(coach->unanswered);
	free(coach);
}

void gr_coach_arrived(struct gr_coach *coach)
{
	coach->arrivals++;
}

int gr_coach_handles(enum gr_request_type type)
{
	switch (type) {
	case GR_REQUEST_BOARD_GET:
	case GR_REQUEST_NUDGE_SEND:
	case GR_REQUEST_NUDGE_READ:
	case GR_REQUEST_HELP_ASK:
	case GR_REQUEST_HELP_ACCEPT:
	case GR_REQUEST_HELP_GET:
	case GR_REQUEST_HELP_MESSAGE:
	case GR_REQUEST_HELP_RESOLVE:
	case GR_REQUEST_HELP_WITHDRAW:
	case GR_REQUEST_HELP_LIST:
		return 1;
	default:
		return 0;
	}
}

static int64_t now_ms(const struct gr_coach *coach)
{
	return coach->settings.clock ? coach->settings.clock() : gr_clock_now_ms();
}

static int is_coach(const struct gr_user *user)
{
	return user->role == GR_ROLE_COACH || user->role == GR_ROLE_ADMIN;
}

static void fail_with(struct gr_reviews_answer *out, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error answer; out->body, when set, keeps extra fields for the error (state, request). */
static void fail_with(struct gr_reviews_answer *out, const char *code, const char *fmt, ...)
{
	va_list ap;

	out->code = code;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
}

/* A failed store call: not_found with its message, else internal (logged). */
static void fail_code(struct gr_reviews_answer *out, int rc, const char *doing)
{
	gr_json_free(out->body);
	out->body = NULL;
	if (rc == GR_ENOTFOUND) {
		fail_with(out, "not_found", "%s", gr_error_last());
		return;
	}
	gr_log_error("%s failed: %s", doing, gr_error_last());
	fail_with(out, "internal", "That could not be done; please try again.");
}

/* {"handle", "display_name"} of a user id, or JSON null when unknown. */
static struct gr_json *person(struct gr_coach *coach, int64_t user_id)
{
	struct gr_user user;

	if (user_id <= 0 || gr_store_user_by_id(coach->store, &user, user_id) != 0)
		return gr_json_null();
	return gr_json_pack("{s:s, s:s}", "handle", user.handle, "display_name", user.display_name);
}

/* What a loop over rows builds: a JSON array, for a user. */
struct listing {
	struct gr_coach *coach;
	int64_t user_id;
	struct gr_json *list;
};

static void board_topic(char *out, size_t size, const char *cohort, const char *track)
{
	snprintf(out, size, "board:%s/%s", cohort, track);
}

/* ---- a cohort on a track, for the board --------------------------------- */

struct learner {
	struct gr_user user;
	struct gr_attention_step *steps; /* one per step of the track */
	int current;			 /* the step started last and not complete, or -1 */
	int64_t current_started_at;
	int given, received;
	int64_t last_activity; /* 0: none */
	struct gr_json *progress;      /* board.get only: step id → its row */
};

/* A step's id and its index in the track, sorted by id for bsearch. */
struct step_index {
	const char *id;
	int index;
};

struct cohort {
	struct gr_coach *coach;
	const struct gr_track *track;
	struct step_index *steps; /* track->step_count, by id */
	int with_progress;
	struct learner *learners;
	size_t count, capacity;
	struct gr_attention_waiting *waiting;
	size_t waiting_count, waiting_capacity;
	int failed;
};

static void cohort_free(struct cohort *cohort)
{
	for (size_t i = 0; i < cohort->count; i++) {
		free(cohort->learners[i].steps);
		gr_json_free(cohort->learners[i].progress);
	}
	free(cohort->learners);
	free(cohort->waiting);
	free(cohort->steps);
}

static int compare_step_index(const void *a, const void *b)
{
	return strcmp(((const struct step_index *)a)->id, ((const struct step_index *)b)->id);
}

/* The index of a step of the cohort's track, or -1 when the track has no such step. */
static int step_index_of(const struct cohort *cohort, const char *id)
{
	struct step_index key = { id, 0 };
	const struct step_index *found =
	    bsearch(&key, cohort->steps, (size_t)cohort->track->step_count, sizeof(key),
		    compare_step_index);

	return found ? found->index : -1;
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

static struct learner *learner_add(struct cohort *cohort, const struct gr_user *user)
{
	struct learner *learner;

	if (grow((void **)&cohort->learners, &cohort->capacity, cohort->count,
		 sizeof(*cohort->learners)))
		return NULL;
	learner = &cohort->learners[cohort->count++]; /* counted now: cohort_free frees a part */
	memset(learner, 0, sizeof(*learner));
	learner->user = *user;
	learner->current = -1;
	learner->steps = calloc((size_t)cohort->track->step_count + 1, sizeof(*learner->steps));
	if (!learner->steps)
		return NULL;
	if (cohort->with_progress && !(learner->progress = gr_json_object()))
		return NULL;
	return learner;
}

/* A submission of the learner on step (submitted or in review): does a slot wait? */
struct waiting_lookup {
	struct cohort *cohort;
	int64_t learner_id;
	int step;
};

static int note_waiting(const struct gr_store_submission *row, void *payload)
{
	struct waiting_lookup *lookup = payload;
	struct cohort *cohort = lookup->cohort;
	const struct gr_review *engine = gr_reviews_engine(cohort->coach->reviews);
	struct gr_review_standing standing;

	if (gr_review_standing_get(&standing, engine, row->id, now_ms(cohort->coach)) != 0 ||
	    standing.open == 0 || standing.waiting_since <= 0)
		return 0;
	if (grow((void **)&cohort->waiting, &cohort->waiting_capacity, cohort->waiting_count,
		 sizeof(*cohort->waiting)))
		return GR_ERROR;
	cohort->waiting[cohort->waiting_count++] = (struct gr_attention_waiting){
		lookup->learner_id, lookup->step, standing.waiting_since
	};
	return 0;
}

static int add_progress(const struct gr_user *user, const struct gr_store_progress *row,
			void *payload)
{
	struct cohort *cohort = payload;
	struct learner *learner = cohort->count ? &cohort->learners[cohort->count - 1] : NULL;
	enum gr_progress_state state;
	int index;

	if ((!learner || learner->user.id != user->id) && !(learner = learner_add(cohort, user)))
		goto oom;
	if (!row || gr_progress_state_from_name(&state, row->state) != 0)
		return 0;
	if (learner->progress &&
	    gr_json_set(learner->progress, row->step_id,
				gr_json_pack("{s:s, s:I, s:I, s:I}", "state", row->state, "started_at",
					  (long long)row->started_at, "finished_at",
					  (long long)row->finished_at, "updated_at",
					  (long long)row->updated_at)) != 0)
		goto oom;
	if ((index = step_index_of(cohort, row->step_id)) < 0)
		return 0; /* a step the track no longer has */
	if (gr_progress_is_complete(state)) {
		/* A row written by hand may lack a time: never let one row spoil the board. */
		int64_t started = row->started_at ? row->started_at : row->finished_at;
		int64_t finished = row->finished_at >= started ? row->finished_at : started;

		learner->steps[index] = (struct gr_attention_step){ 1, started, finished };
		return 0;
	}
	if (state != GR_PROGRESS_NOT_STARTED && row->started_at >= learner->current_started_at) {
		learner->current = index;
		learner->current_started_at = row->started_at;
	}
	if ((state == GR_PROGRESS_SUBMITTED || state == GR_PROGRESS_IN_REVIEW) &&
	    cohort->coach->reviews) {
		struct waiting_lookup lookup = { cohort, user->id, index };
		int rc = gr_store_submission_latest(cohort->coach->store, user->id,
						    cohort->track->id, row->step_id, note_waiting,
						    &lookup);

		if (rc != 0 && rc != GR_ENOTFOUND)
			return rc;
	}
	return 0;
oom:
	gr_error_set("out of memory");
	return GR_ERROR;
}

static struct learner *learner_by_id(struct cohort *cohort, int64_t id)
{
	for (size_t i = 0; i < cohort->count; i++)
		if (cohort->learners[i].user.id == id)
			return &cohort->learners[i];
	return NULL;
}

static int add_stats(const struct gr_store_learner_stats *row, void *payload)
{
	struct learner *learner = learner_by_id(payload, row->user_id);

	if (learner) {
		learner->given = row->given;
		learner->received = row->received;
		learner->last_activity = row->last_activity;
	}
	return 0;
}

/* One cohort's learners on a track, with their progress, stats and waiting work. */
static int cohort_load(struct cohort *out, struct gr_coach *coach, const char *cohort,
		       const struct gr_track *track, int with_progress)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->coach = coach;
	out->track = track;
	out->with_progress = with_progress;
	if (!(out->steps = calloc((size_t)track->step_count + 1, sizeof(*out->steps)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	for (int i = 0; i < track->step_count; i++)
		out->steps[i] = (struct step_index){ track->steps[i].id, i };
	qsort(out->steps, (size_t)track->step_count, sizeof(*out->steps), compare_step_index);
	if ((rc = gr_store_progress_of_cohort(coach->store, cohort, track->id, add_progress, out)) ||
	    (rc = gr_store_cohort_stats(coach->store, cohort, add_stats, out)))
		cohort_free(out);
	return rc;
}

/* ---- the attention list ---------------------------------------------------- */

struct lists {
	struct gr_attention_flagged *flagged;
	size_t flagged_count, flagged_capacity;
	struct gr_attention_help *help;
	size_t help_count, help_capacity;
	struct gr_json *help_json; /* board.get: the requests as the board shows them */
	struct gr_coach *coach;
};

static int add_flag(const struct gr_store_flag *row, void *payload)
{
	struct lists *lists = payload;

	if (grow((void **)&lists->flagged, &lists->flagged_capacity, lists->flagged_count,
		 sizeof(*lists->flagged)))
		return GR_ERROR;
	lists->flagged[lists->flagged_count++] =
	    (struct gr_attention_flagged){ row->user_id, row->review_id, row->flagged_at };
	return 0;
}

/* A help request as a board shows it. */
static struct gr_json *board_help_json(struct gr_coach *coach, const struct gr_store_help *help)
{
	struct gr_user user;
	const char *handle = "";

	if (gr_store_user_by_id(coach->store, &user, help->user_id) == 0)
		handle = user.handle;
	return gr_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I}", "request",
			 (long long)help->id, "user", handle, "track", help->track_id, "step",
			 help->step_id, "body", help->body, "state", help->state, "helper",
			 person(coach, help->helper_id), "opened_at", (long long)help->opened_at);
}

static int add_help(const struct gr_store_help *row, void *payload)
{
	struct lists *lists = payload;

	if (lists->help_json &&
	    gr_json_append(lists->help_json, board_help_json(lists->coach, row)) != 0)
		return GR_ERROR;
	if (strcmp(row->state, "open") != 0)
		return 0;
	if (grow((void **)&lists->help, &lists->help_capacity, lists->help_count,
		 sizeof(*lists->help)))
		return GR_ERROR;
	lists->help[lists->help_count++] =
	    (struct gr_attention_help){ row->user_id, row->id, row->opened_at };
	return 0;
}

/* The attention list of a loaded cohort as JSON (a new array), or NULL. */
static struct gr_json *attention_json(struct gr_coach *coach, struct cohort *cohort, const char *name,
			      struct gr_json *help_json, int64_t now)
{
	struct lists lists = { .help_json = help_json, .coach = coach };
	struct gr_attention_learner *learners = NULL;
	struct gr_attention_settings settings = gr_attention_settings_default();
	struct gr_attention_input input = { 0 };
	struct gr_attention_entry *entries = NULL;
	size_t count = 0;
	struct gr_json *list = NULL;
	int rc;

	settings.inactive_days = coach->settings.inactive_days;
	if ((rc = gr_store_cohort_flags(coach->store, name, cohort->track->id,
					now - coach->settings.flag_days * GR_STORE_DAY_MS, add_flag,
					&lists)) ||
	    (rc = gr_store_help_of_cohort(coach->store, name, cohort->track->id, add_help, &lists)))
		goto out;
	if (cohort->count && !(learners = calloc(cohort->count, sizeof(*learners))))
		goto out;
	for (size_t i = 0; i < cohort->count; i++) {
		const struct learner *learner = &cohort->learners[i];

		learners[i] = (struct gr_attention_learner){
			learner->user.id,
			learner->last_activity ? learner->last_activity : learner->user.created_at,
			learner->current, learner->current_started_at, learner->steps
		};
	}
	input = (struct gr_attention_input){ learners,
					     cohort->count,
					     (size_t)cohort->track->step_count,
					     cohort->waiting,
					     cohort->waiting_count,
					     lists.flagged,
					     lists.flagged_count,
					     lists.help,
					     lists.help_count };
	if (gr_attention_compute(&entries, &count, &input, now, &settings) != 0)
		goto out;
	list = gr_json_array();
	for (size_t i = 0; list && i < count; i++) {
		const struct gr_attention_entry *entry = &entries[i];
		const struct learner *learner = learner_by_id(cohort, entry->learner_id);
		struct gr_json *item = gr_json_pack("{s:s, s:s, s:I}", "user",
					 learner ? learner->user.handle : "", "kind",
					 gr_attention_kind_name(entry->kind), "since",
					 (long long)entry->since);

		if (item && entry->step >= 0)
			gr_json_set(item, "step",
					    gr_json_string(cohort->track->steps[entry->step].id));
		if (item && entry->kind == GR_ATTENTION_FLAGGED_REVIEW)
			gr_json_set(item, "review", gr_json_integer(entry->ref));
		if (item && entry->kind == GR_ATTENTION_HELP_REQUEST)
			gr_json_set(item, "request", gr_json_integer(entry->ref));
		gr_json_append(list, item);
	}
out:
	if (!list)
		gr_log_error("the attention list of board:%s/%s: %s", name, cohort->track->id,
			     gr_error_last());
	gr_attention_free(entries);
	free(learners);
	free(lists.flagged);
	free(lists.help);
	return list;
}

struct gr_json *gr_coach_summary(struct gr_coach *coach, const char *name, const char *track_id)
{
	const struct gr_track *track = gr_library_track(coach->library, track_id);
	struct cohort cohort;
	struct gr_json *summary = NULL, *attention, *learners;

	if (!track || cohort_load(&cohort, coach, name, track, 0) != 0)
		return NULL;
	if (!(attention = attention_json(coach, &cohort, name, NULL, now_ms(coach))))
		goto out;
	learners = gr_json_object();
	for (size_t i = 0; learners && i < cohort.count; i++) {
		const struct learner *learner = &cohort.learners[i];

		gr_json_set(learners, learner->user.handle,
				    gr_json_pack("{s:i, s:i, s:I}", "given", learner->given,
					      "received", learner->received, "last_activity",
					      (long long)learner->last_activity));
	}
	summary = gr_json_pack("{s:o, s:o*}", "attention", attention, "learners", learners);
out:
	cohort_free(&cohort);
	return summary;
}

/* ---- board.get ------------------------------------------------------------ */

static int add_week(const struct gr_store_week *row, void *payload)
{
	struct gr_json *weeks = payload;
	int64_t first = gr_json_integer_value(gr_json_get(gr_json_at(weeks, 0), "n"));
	size_t at = (size_t)(row->week - first);

	if (row->week >= first && at < gr_json_size(weeks))
		gr_json_set(gr_json_at(weeks, at), "active", gr_json_integer(row->active));
	return 0;
}

/* The last WEEKS_ON_BOARD weeks, each {"week": "YYYY-MM-DD" (its Monday), "active"}. */
static struct gr_json *weeks_json(struct gr_coach *coach, const char *name, const char *track, int64_t now)
{
	int64_t last = gr_store_week_of(now), first = last - (WEEKS_ON_BOARD - 1);
	struct gr_json *weeks = gr_json_array();

	for (int64_t n = first; weeks && n <= last; n++) {
		time_t monday = (time_t)((n * 7 - 3) * (GR_STORE_DAY_MS / 1000));
		struct tm tm;
		char date[16];

		gmtime_r(&monday, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		gr_json_append(weeks, gr_json_pack("{s:s, s:i, s:I}", "week", date, "active",
						       0, "n", (long long)n));
	}
	if (weeks && gr_store_cohort_weeks(coach->store, name, track, first, add_week, weeks) != 0) {
		gr_json_free(weeks);
		return NULL;
	}
	for (size_t index = 0; index < gr_json_size(weeks); index++)
		gr_json_delete(gr_json_at(weeks, index), "n");
	return weeks;
}

static void board_get(struct gr_coach *coach, struct gr_reviews_answer *out,
		      const struct gr_user *user, const struct gr_request *request)
{
	const struct gr_track *track = gr_library_track(coach->library, request->track);
	int64_t now = now_ms(coach);
	struct cohort cohort;
	struct gr_json *steps, *learners, *help, *attention, *weeks;

	if (!is_coach(user)) {
		fail_with(out, "forbidden", "Only coaches and admins may see a board.");
		return;
	}
	if (!track) {
		fail_with(out, "not_found", "There is no such track.");
		return;
	}
	if (cohort_load(&cohort, coach, request->cohort, track, 1) != 0) {
		fail_code(out, GR_ERROR, "reading a board");
		return;
	}
	steps = gr_json_array();
	for (int i = 0; i < track->step_count; i++)
		gr_json_append(steps, gr_json_pack("{s:s, s:s, s:i}", "id", track->steps[i].id,
						       "title", track->steps[i].title, "reviews",
						       track->steps[i].reviews));
	learners = gr_json_array();
	for (size_t i = 0; i < cohort.count; i++) {
		struct learner *learner = &cohort.learners[i];
		const char *here = coach->hooks.here ? coach->hooks.here(coach->hooks.payload,
									 learner->user.id, track->id)
						     : NULL;
		int64_t first = 0, seq = 0;

		gr_store_event_range(coach->store, learner->user.id, &first, &seq);
		gr_json_append(
		    learners,
		    gr_json_pack("{s:s, s:s, s:I, s:b, s:s?, s:o, s:i, s:i, s:O}", "handle",
			      learner->user.handle, "display_name", learner->user.display_name,
			      "seq", (long long)seq, "online",
			      coach->hooks.online &&
				  coach->hooks.online(coach->hooks.payload, learner->user.id),
			      "here", here, "last_activity",
			      learner->last_activity ? gr_json_integer(learner->last_activity)
						     : gr_json_null(),
			      "given", learner->given, "received", learner->received, "progress",
			      learner->progress));
	}
	help = gr_json_array();
	attention = attention_json(coach, &cohort, request->cohort, help, now);
	weeks = weeks_json(coach, request->cohort, track->id, now);
	cohort_free(&cohort);
	if (!attention || !weeks) {
		gr_json_free(steps);
		gr_json_free(learners);
		gr_json_free(help);
		gr_json_free(attention);
		gr_json_free(weeks);
		fail_code(out, GR_ERROR, "reading a board");
		return;
	}
	out->body = gr_json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "cohort", request->cohort,
			      "track", track->id, "now", (long long)now, "steps", steps,
			      "learners", learners, "weeks", weeks, "attention", attention, "help",
			      help);
}

/* ---- writes: a savepoint of the live service's turn ---------------------- */

static int write_begin(struct gr_coach *coach)
{
	if (coach->hooks.begin)
		return coach->hooks.begin(coach->hooks.payload);
	return gr_store_begin(coach->store) == 0 ? 0 : GR_ERROR;
}

/* Ends the savepoint: kept when rc is 0, else rolled back. Returns rc, or the failed release's. */
static int write_end(struct gr_coach *coach, int mark, int rc)
{
	int ended;

	if (coach->hooks.end)
		ended = coach->hooks.end(coach->hooks.payload, mark, rc == 0);
	else if (rc == 0)
		ended = gr_store_commit(coach->store);
	else
		gr_store_rollback(coach->store), ended = 0;
	return rc ? rc : ended;
}

static int push_event(struct gr_coach *coach, int64_t user_id, const char *board_track,
		      struct gr_json *fields)
{
	if (!fields) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	if (!coach->hooks.event) {
		gr_json_free(fields);
		return 0;
	}
	return coach->hooks.event(coach->hooks.payload, user_id, board_track, fields);
}

/* ---- nudges --------------------------------------------------------------- */

static struct gr_json *nudge_json(struct gr_coach *coach, const struct gr_store_nudge *nudge)
{
	return gr_json_pack("{s:I, s:o, s:s, s:I}", "nudge", (long long)nudge->id, "from",
			 person(coach, nudge->coach_id), "body", nudge->body, "at",
			 (long long)nudge->created_at);
}

static void nudge_send(struct gr_coach *coach, struct gr_reviews_answer *out,
		       const struct gr_user *user, const struct gr_request *request)
{
	struct gr_store_nudge nudge = { 0 };
	struct gr_user learner;
	int mark, rc;

	if (!is_coach(user)) {
		fail_with(out, "forbidden", "Only coaches and admins send nudges.");
		return;
	}
	rc = gr_store_user_by_handle(coach->store, &learner, request->user);
	if (rc == GR_ENOTFOUND || (rc == 0 && learner.disabled_at)) {
		fail_with(out, "not_found", "Nobody has that user name.");
		return;
	}
	if (rc != 0 || (mark = write_begin(coach)) < 0) {
		fail_code(out, GR_ERROR, "sending a nudge");
		return;
	}
	nudge.user_id = learner.id;
	nudge.coach_id = user->id;
	snprintf(nudge.body, sizeof(nudge.body), "%s", request->body);
	nudge.created_at = now_ms(coach);
	rc = gr_store_nudge_insert(coach->store, &nudge);
	if (rc == 0)
		rc = push_event(coach, learner.id, NULL,
				gr_json_pack("{s:s, s:o}", "event", "nudge", "nudge",
					  nudge_json(coach, &nudge)));
	if ((rc = write_end(coach, mark, rc)) != 0) {
		fail_code(out, GR_ERROR, "sending a nudge");
		return;
	}
	out->body = gr_json_pack("{s:I}", "nudge", (long long)nudge.id);
	out->wrote = 1;
}

static void nudge_read(struct gr_coach *coach, struct gr_reviews_answer *out,
		       const struct gr_user *user, const struct gr_request *request)
{
	struct gr_store_nudge nudge;
	int mark, rc = gr_store_nudge_get(coach->store, &nudge, request->nudge);

	if (rc != 0) {
		fail_code(out, rc, "reading a nudge");
		return;
	}
	if (nudge.user_id != user->id) {
		fail_with(out, "forbidden", "This nudge is for someone else.");
		return;
	}
	if ((mark = write_begin(coach)) < 0 ||
	    write_end(coach, mark, gr_store_nudge_read(coach->store, nudge.id, now_ms(coach))) != 0) {
		fail_code(out, GR_ERROR, "marking a nudge read");
		return;
	}
	out->body = gr_json_pack("{s:I, s:b}", "nudge", (long long)nudge.id, "read", 1);
	out->wrote = 1;
}

static int add_nudge(const struct gr_store_nudge *row, void *payload)
{
	struct listing *listing = payload;

	return gr_json_append(listing->list, nudge_json(listing->coach, row));
}

struct gr_json *gr_coach_unread_nudges(struct gr_coach *coach, int64_t user_id)
{
	struct listing listing = { coach, user_id, gr_json_array() };

	if (listing.list && gr_store_nudge_each_unread(coach->store, user_id, NUDGES_IN_HELLO,
						       add_nudge, &listing) != 0) {
		gr_log_error("reading nudges: %s", gr_error_last());
		gr_json_free(listing.list);
		return NULL;
	}
	return listing.list;
}

/* ---- help requests ---------------------------------------------------------- */

/* How much of a request a viewer sees. */
enum view {
	VIEW_TOLD, /* a peer told of it: no names, no messages */
	VIEW_FULL, /* requester, helper, coaches: names and messages */
};

static struct gr_json *message_json(struct gr_coach *coach, const struct gr_store_help_message *row)
{
	return gr_json_pack("{s:I, s:o, s:s, s:I}", "message", (long long)row->id, "from",
			 person(coach, row->user_id), "body", row->body, "at",
			 (long long)row->created_at);
}

static int add_message(const struct gr_store_help_message *row, void *payload)
{
	struct listing *listing = payload;

	return gr_json_append(listing->list, message_json(listing->coach, row));
}

static int count_id(int64_t id, void *payload)
{
	(void)id;
	(*(int *)payload)++;
	return 0;
}

static struct gr_json *help_json(struct gr_coach *coach, const struct gr_store_help *help, enum view view)
{
	const struct gr_track *track = gr_library_track(coach->library, help->track_id);
	const struct gr_step *step = track ? gr_track_step(track, help->step_id) : NULL;
	struct gr_json *json = gr_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "request",
				 (long long)help->id, "track", help->track_id, "step",
				 help->step_id, "title", step ? step->title : help->step_id,
				 "body", help->body, "state", help->state, "opened_at",
				 (long long)help->opened_at);
	struct listing messages = { coach, 0, NULL };
	int told = 0;

	if (!json || view == VIEW_TOLD)
		return json;
	gr_store_help_offer_each(coach->store, help->id, count_id, &told);
	if ((messages.list = gr_json_array()))
		gr_store_help_message_each(coach->store, help->id, add_message, &messages);
	gr_json_set(json, "user", person(coach, help->user_id));
	gr_json_set(json, "helper", person(coach, help->helper_id));
	gr_json_set(json, "told", gr_json_integer(told));
	gr_json_set(json, "messages", messages.list ? messages.list : gr_json_array());
	return json;
}

/* Tell the requester's board that a request opened or changed. */
static int publish_board_help(struct gr_coach *coach, const struct gr_store_help *help)
{
	struct gr_user user;
	char topic[400];
	int rc;

	if (!coach->hooks.publish)
		return 0;
	if ((rc = gr_store_user_by_id(coach->store, &user, help->user_id)) != 0)
		return rc;
	board_topic(topic, sizeof(topic), user.cohort, help->track_id);
	return coach->hooks.publish(coach->hooks.payload, topic,
				    gr_json_pack("{s:s, s:s, s:s, s:o}", "type", "event", "event",
					      "help", "topic", topic, "request",
					      board_help_json(coach, help)));
}

/* Who can be told of a request, read from the store; the caller frees. */
struct candidates {
	struct gr_coach *coach;
	int64_t request_id;
	struct gr_help_candidate *items;
	size_t count, capacity;
};

static int add_candidate(const struct gr_store_help_candidate *row, void *payload)
{
	struct candidates *list = payload;
	struct gr_coach *coach = list->coach;
	struct gr_help_candidate *item;
	int told = 0, rc;

	if (grow((void **)&list->items, &list->capacity, list->count, sizeof(*list->items)))
		return GR_ERROR;
	if ((rc = gr_store_help_offered(coach->store, &told, list->request_id, row->user_id)))
		return rc;
	item = &list->items[list->count++];
	item->user_id = row->user_id;
	item->online = coach->hooks.online && coach->hooks.online(coach->hooks.payload,
								   row->user_id);
	item->told = told;
	item->open_offers = row->open_offers;
	item->helped = row->helped;
	return 0;
}

/* Who the next wave of an open request tells: *count of list's items, at picked. */
static int wave_pick(struct gr_coach *coach, const struct gr_store_help *help,
		     struct candidates *list, size_t *picked, size_t *count)
{
	int rc;

	memset(list, 0, sizeof(*list));
	list->coach = coach;
	list->request_id = help->id;
	*count = 0;
	if ((rc = gr_store_help_candidates(coach->store, help->track_id, help->step_id,
					   help->user_id, add_candidate, list)))
		return rc;
	*count = gr_help_pick(&coach->settings.help, list->items, list->count, picked);
	return 0;
}

/* Tell the picked peers (inside a write); the wave's time is kept when anyone was told. */
static int wave_tell(struct gr_coach *coach, struct gr_store_help *help,
		     const struct candidates *list, const size_t *picked, size_t count,
		     int64_t now)
{
	int rc = 0;

	for (size_t i = 0; i < count && rc == 0; i++) {
		int64_t peer = list->items[picked[i]].user_id;

		if (!(rc = gr_store_help_offer_insert(coach->store, help->id, peer, now)))
			rc = push_event(coach, peer, NULL,
					gr_json_pack("{s:s, s:o}", "event", "help.offered", "request",
						  help_json(coach, help, VIEW_TOLD)));
	}
	if (rc == 0 && count > 0) {
		help->last_wave_at = now;
		rc = gr_store_help_update(coach->store, help);
	}
	return rc;
}

struct closing {
	struct gr_coach *coach;
	const struct gr_store_help *help;
	const char *state; /* what the peers are told it became */
	int64_t skip;      /* a user who learns it otherwise */
};

static int tell_closed(int64_t user_id, void *payload)
{
	struct closing *closing = payload;

	if (user_id == closing->skip)
		return 0;
	return push_event(closing->coach, user_id, NULL,
			  gr_json_pack("{s:s, s:s, s:o}", "event", "help.closed", "state",
				    closing->state,
				    "request", help_json(closing->coach, closing->help, VIEW_TOLD)));
}

/* Tell the peers told of an open request (but skip) that it is no longer theirs to take. */
static int close_offers(struct gr_coach *coach, const struct gr_store_help *help,
			const char *state, int64_t skip)
{
	struct closing closing = { coach, help, state, skip };

	return gr_store_help_offer_each(coach->store, help->id, tell_closed, &closing);
}

static int find_live_request(const struct gr_store_help *row, void *payload)
{
	*(int64_t *)payload = row->id;
	return 1;
}

static void help_ask(struct gr_coach *coach, struct gr_reviews_answer *out,
		     const struct gr_user *user, const struct gr_request *request)
{
	const struct gr_track *track = gr_library_track(coach->library, request->track);
	struct gr_store_help help = { 0 };
	struct gr_store_progress row;
	enum gr_progress_state state = GR_PROGRESS_NOT_STARTED;
	int64_t open_id = 0, now = now_ms(coach);
	struct candidates list = { 0 };
	size_t picked[GR_HELP_MAX_WAVE], count = 0;
	int mark, rc;

	if (!track || !gr_track_step(track, request->step)) {
		fail_with(out, "not_found", track ? "This track has no such step."
						  : "There is no such track.");
		return;
	}
	rc = gr_store_progress_get(coach->store, &row, user->id, track->id, request->step);
	if ((rc != 0 && rc != GR_ENOTFOUND) ||
	    (rc == 0 && gr_progress_state_from_name(&state, row.state) != 0) ||
	    gr_store_help_live_of_user(coach->store, user->id, find_live_request, &open_id) != 0) {
		fail_code(out, GR_ERROR, "asking for help");
		return;
	}
	if (state == GR_PROGRESS_NOT_STARTED || gr_progress_is_complete(state)) {
		out->body = gr_json_pack("{s:s}", "state", gr_progress_state_name(state));
		fail_with(out, "conflict", state == GR_PROGRESS_NOT_STARTED
					       ? "Open the step first, then ask for help with it."
					       : "You finished this step already.");
		return;
	}
	if (open_id) {
		out->body = gr_json_pack("{s:I}", "request", (long long)open_id);
		fail_with(out, "conflict",
			  "You asked for help already; close that request before asking again.");
		return;
	}
	if ((mark = write_begin(coach)) < 0) {
		fail_code(out, GR_ERROR, "asking for help");
		return;
	}
	help.user_id = user->id;
	snprintf(help.track_id, sizeof(help.track_id), "%s", track->id);
	snprintf(help.step_id, sizeof(help.step_id), "%s", request->step);
	snprintf(help.body, sizeof(help.body), "%s", request->body);
	help.opened_at = now;
	if (!(rc = gr_store_help_insert(coach->store, &help)) &&
	    !(rc = wave_pick(coach, &help, &list, picked, &count)) &&
	    !(rc = wave_tell(coach, &help, &list, picked, count, now)))
		rc = publish_board_help(coach, &help);
	free(list.items);
	if ((rc = write_end(coach, mark, rc)) != 0) {
		fail_code(out, GR_ERROR, "asking for help");
		return;
	}
	out->body = gr_json_pack("{s:o}", "request", help_json(coach, &help, VIEW_FULL));
	out->wrote = 1;
}

/* The request of request->request, and whether user was told of it. */
static int load_request(struct gr_coach *coach, struct gr_reviews_answer *out,
			struct gr_store_help *help, int *told, const struct gr_user *user,
			const struct gr_request *request)
{
	int rc = gr_store_help_get(coach->store, help, request->request);

	*told = 0;
	if (rc == 0)
		rc = gr_store_help_offered(coach->store, told, help->id, user->id);
	if (rc != 0)
		fail_code(out, rc, "reading a help request");
	return rc;
}

static void help_accept(struct gr_coach *coach, struct gr_reviews_answer *out,
			const struct gr_user *user, const struct gr_request *request)
{
	struct gr_store_help help;
	int told, mark, rc;

	if (load_request(coach, out, &help, &told, user, request) != 0)
		return;
	if (!told || help.user_id == user->id) {
		fail_with(out, "forbidden", "This request was not offered to you.");
		return;
	}
	if (strcmp(help.state, "open") != 0) {
		out->body = gr_json_pack("{s:s}", "state", help.state);
		fail_with(out, "conflict", strcmp(help.state, "accepted") == 0
					       ? "Someone else is helping already."
					       : "This request is closed.");
		return;
	}
	if ((mark = write_begin(coach)) < 0) {
		fail_code(out, GR_ERROR, "accepting a help request");
		return;
	}
	snprintf(help.state, sizeof(help.state), "accepted");
	help.helper_id = user->id;
	help.accepted_at = now_ms(coach);
	if (!(rc = gr_store_help_update(coach->store, &help)) &&
	    !(rc = push_event(coach, help.user_id, NULL,
			      gr_json_pack("{s:s, s:o}", "event", "help.accepted", "request",
					help_json(coach, &help, VIEW_FULL)))) &&
	    !(rc = close_offers(coach, &help, "accepted", user->id)))
		rc = publish_board_help(coach, &help);
	if ((rc = write_end(coach, mark, rc)) != 0) {
		fail_code(out, GR_ERROR, "accepting a help request");
		return;
	}
	out->body = gr_json_pack("{s:o}", "request", help_json(coach, &help, VIEW_FULL));
	out->wrote = 1;
}

static void help_get(struct gr_coach *coach, struct gr_reviews_answer *out,
		     const struct gr_user *user, const struct gr_request *request)
{
	struct gr_store_help help;
	int told;

	if (load_request(coach, out, &help, &told, user, request) != 0)
		return;
	if (help.user_id == user->id || help.helper_id == user->id || is_coach(user))
		out->body = gr_json_pack("{s:o}", "request", help_json(coach, &help, VIEW_FULL));
	else if (told)
		out->body = gr_json_pack("{s:o}", "request", help_json(coach, &help, VIEW_TOLD));
	else
		fail_with(out, "forbidden", "This help request is not yours to see.");
}

static void help_message(struct gr_coach *coach, struct gr_reviews_answer *out,
			 const struct gr_user *user, const struct gr_request *request)
{
	struct gr_store_help help;
	struct gr_store_help_message message = { 0 };
	struct gr_json *json;
	int told, mark, rc;

	if (load_request(coach, out, &help, &told, user, request) != 0)
		return;
	if (help.user_id != user->id && help.helper_id != user->id) {
		fail_with(out, "forbidden", "Only the two people in this request write in it.");
		return;
	}
	if (strcmp(help.state, "accepted") != 0) {
		out->body = gr_json_pack("{s:s}", "state", help.state);
		fail_with(out, "conflict", "Messages can be written once someone accepted, "
					   "until the request is closed.");
		return;
	}
	if ((mark = write_begin(coach)) < 0) {
		fail_code(out, GR_ERROR, "writing a help message");
		return;
	}
	message.request_id = help.id;
	message.user_id = user->id;
	snprintf(message.body, sizeof(message.body), "%s", request->body);
	message.created_at = now_ms(coach);
	rc = gr_store_help_message_insert(coach->store, &message);
	json = message_json(coach, &message);
	for (int i = 0; i < 2 && rc == 0; i++)
		rc = push_event(coach, i ? help.helper_id : help.user_id, NULL,
				gr_json_pack("{s:s, s:I, s:O}", "event", "help.message", "request",
					  (long long)help.id, "message", json));
	if ((rc = write_end(coach, mark, rc)) != 0) {
		gr_json_free(json);
		fail_code(out, GR_ERROR, "writing a help message");
		return;
	}
	out->body = gr_json_pack("{s:o}", "message", json);
	out->wrote = 1;
}

/* Close a request as state (resolved, withdrawn, expired), telling whoever still expects it. */
static int close_request(struct gr_coach *coach, struct gr_store_help *help, const char *state,
			 int64_t now)
{
	int was_open = strcmp(help->state, "open") == 0;
	int rc;

	snprintf(help->state, sizeof(help->state), "%s", state);
	help->closed_at = now;
	if ((rc = gr_store_help_update(coach->store, help)))
		return rc;
	if (was_open)
		rc = close_offers(coach, help, state, 0);
	else
		rc = push_event(coach, help->helper_id, NULL,
				gr_json_pack("{s:s, s:s, s:o}", "event", "help.closed", "state", state,
					  "request", help_json(coach, help, VIEW_FULL)));
	if (rc == 0) /* the requester's other tabs, and an expiry, which nobody asked for */
		rc = push_event(coach, help->user_id, NULL,
				gr_json_pack("{s:s, s:s, s:o}", "event", "help.closed", "state", state,
					  "request", help_json(coach, help, VIEW_FULL)));
	return rc ? rc : publish_board_help(coach, help);
}

static void help_close(struct gr_coach *coach, struct gr_reviews_answer *out,
		       const struct gr_user *user, const struct gr_request *request,
		       const char *state)
{
	struct gr_store_help help;
	int told, mark, rc;

	if (load_request(coach, out, &help, &told, user, request) != 0)
		return;
	if (help.user_id != user->id) {
		fail_with(out, "forbidden", "Only who asked may close a help request.");
		return;
	}
	if (strcmp(help.state, "open") != 0 && strcmp(help.state, "accepted") != 0) {
		out->body = gr_json_pack("{s:s}", "state", help.state);
		fail_with(out, "conflict", "This request is closed already.");
		return;
	}
	if ((mark = write_begin(coach)) < 0 ||
	    (rc = write_end(coach, mark, close_request(coach, &help, state, now_ms(coach)))) != 0) {
		fail_code(out, GR_ERROR, "closing a help request");
		return;
	}
	out->body = gr_json_pack("{s:I, s:s}", "request", (long long)help.id, "state", state);
	out->wrote = 1;
}

static int list_request(const struct gr_store_help *row, void *payload)
{
	struct listing *listing = payload;
	enum view view = row->user_id == listing->user_id || row->helper_id == listing->user_id
				 ? VIEW_FULL
				 : VIEW_TOLD;

	return gr_json_append(listing->list, help_json(listing->coach, row, view));
}

static void help_list(struct gr_coach *coach, struct gr_reviews_answer *out,
		      const struct gr_user *user)
{
	struct listing mine = { coach, user->id, gr_json_array() };
	struct listing offered = { coach, user->id, gr_json_array() };

	if (gr_store_help_live_of_user(coach->store, user->id, list_request, &mine) != 0 ||
	    gr_store_help_offered_to(coach->store, user->id, list_request, &offered) != 0) {
		gr_json_free(mine.list);
		gr_json_free(offered.list);
		fail_code(out, GR_ERROR, "listing help requests");
		return;
	}
	out->body = gr_json_pack("{s:o, s:o}", "mine", mine.list, "offered", offered.list);
}

void gr_coach_request(struct gr_coach *coach, struct gr_reviews_answer *out,
		      const struct gr_user *user, const struct gr_request *request)
{
	memset(out, 0, sizeof(*out));
	switch (request->type) {
	case GR_REQUEST_BOARD_GET:
		board_get(coach, out, user, request);
		break;
	case GR_REQUEST_NUDGE_SEND:
		nudge_send(coach, out, user, request);
		break;
	case GR_REQUEST_NUDGE_READ:
		nudge_read(coach, out, user, request);
		break;
	case GR_REQUEST_HELP_ASK:
		help_ask(coach, out, user, request);
		break;
	case GR_REQUEST_HELP_ACCEPT:
		help_accept(coach, out, user, request);
		break;
	case GR_REQUEST_HELP_GET:
		help_get(coach, out, user, request);
		break;
	case GR_REQUEST_HELP_MESSAGE:
		help_message(coach, out, user, request);
		break;
	case GR_REQUEST_HELP_RESOLVE:
		help_close(coach, out, user, request, "resolved");
		break;
	case GR_REQUEST_HELP_WITHDRAW:
		help_close(coach, out, user, request, "withdrawn");
		break;
	case GR_REQUEST_HELP_LIST:
		help_list(coach, out, user);
		break;
	default:
		fail_with(out, "unknown_type", "This message type is not known.");
	}
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
static int nobody_came(const struct gr_coach *coach, int64_t request)
{
	for (size_t i = 0; i < coach->unanswered_count; i++)
		if (coach->unanswered[i].request == request)
			return coach->unanswered[i].arrivals == coach->arrivals;
	return 0;
}

int gr_coach_tick(struct gr_coach *coach)
{
	struct open_list open = { 0 };
	struct unanswered *unanswered = NULL;
	size_t unanswered_count = 0;
	int64_t now = now_ms(coach);
	int rc;

	if ((rc = gr_store_help_each_open(coach->store, collect_open, &open)) != 0)
		goto out;
	if (open.count && !(unanswered = calloc(open.count, sizeof(*unanswered)))) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
		goto out;
	}
	for (size_t i = 0; i < open.count && rc == 0; i++) {
		struct gr_store_help *help = &open.items[i];
		enum gr_help_due due = gr_help_due(&coach->settings.help, help->opened_at,
						   help->last_wave_at, now, NULL);
		struct candidates list = { 0 };
		size_t picked[GR_HELP_MAX_WAVE], count = 0;
		int mark;

		if (due == GR_HELP_WIDEN && nobody_came(coach, help->id)) {
			unanswered[unanswered_count++] = (struct unanswered){ help->id, coach->arrivals };
			continue; /* the same people online as when it last looked */
		}
		if (due == GR_HELP_WIDEN &&
		    ((rc = wave_pick(coach, help, &list, picked, &count)) || count == 0)) {
			free(list.items); /* nobody to tell yet: looked at again when someone comes */
			if (rc == 0)
				unanswered[unanswered_count++] =
				    (struct unanswered){ help->id, coach->arrivals };
			continue;
		}
		if (due != GR_HELP_WAIT && (mark = write_begin(coach)) < 0)
			rc = mark;
		else if (due != GR_HELP_WAIT)
			rc = write_end(coach, mark,
				       due == GR_HELP_EXPIRE
					   ? close_request(coach, help, "expired", now)
					   : wave_tell(coach, help, &list, picked, count, now));
		free(list.items);
	}
	free(coach->unanswered);
	coach->unanswered = unanswered;
	coach->unanswered_count = unanswered_count;
	unanswered = NULL;
out:
	if (rc != 0)
		gr_log_error("help requests: %s", gr_error_last());
	free(unanswered);
	free(open.items);
	return rc;
}
