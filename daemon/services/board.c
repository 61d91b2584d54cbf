/*
 * board.c - the coaches' board (see board.h; messages in docs/protocol.md,
 * "The coaches' board").
 *
 * Owns what a board shows, read from the store on demand: one cohort's
 * progress on one track, their reviews and activity, the flagged reviews,
 * the open help requests, and, from the review engine, how long each
 * waiting submission has had no reviewer; and how a help request looks on
 * a board. It leaves the attention rules to attention.c, who is online and
 * where to the live service, and the pushes of a watched board (when, and
 * what changed) to the live service too. It writes nothing.
 */
#include "services/board.h"

#include "core/array.h"
#include "core/error.h"
#include "core/log.h"
#include "core/workers.h"
#include "domain/attention.h"
#include "domain/progress.h"
#include "domain/review.h"
#include "services/live.h"
#include "services/reviews.h"
#include "services/rights.h"
#include "store/cohort.h"
#include "store/review.h"
#include "store/event.h"
#include "store/help.h"
#include "store/progress.h"
#include "store/store.h"
#include "store/submission.h"
#include "store/user.h"
#include "tracks/library.h"
#include "tracks/track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WEEKS_ON_BOARD 12
/*
 * A coach's home shows the attention lists of their cohorts on every
 * track; each is read from the last summary made for that board (a watched
 * board makes one at least every minute) when it is younger than this, and
 * made at most once in that time otherwise: opening a home page never
 * loads a whole cohort on the loop more than once a minute per board.
 */
#define ATTENTION_FRESH_MS 60000
#define ATTENTION_CACHED 64

/* The attention list last made for one cohort on one track. */
struct attention_cache {
	char *cohort, *track;
	int64_t at;
	struct gr_json *attention;
};

struct summary_job;
struct get_job;

struct gr_board {
	struct summary_job *running; /* a summary being made off the loop */
	struct get_job *getting;     /* board.get replies being made off the loop */
	struct gr_store *store;
	struct gr_library *library;
	struct gr_reviews *reviews; /* NULL: no work waits for a reviewer */
	struct gr_live *live;	    /* NULL until attached */
	struct gr_board_settings settings;
	struct attention_cache cache[ATTENTION_CACHED];
	int cached, cache_next;
};

void gr_board_settings_defaults(struct gr_board_settings *out)
{
	memset(out, 0, sizeof(*out));
	out->inactive_days = GR_ATTENTION_INACTIVE_DAYS_DEFAULT;
	out->flag_days = 30;
}

int gr_board_new(struct gr_board **out, struct gr_store *store, struct gr_library *library,
		 struct gr_reviews *reviews, const struct gr_board_settings *settings)
{
	struct gr_board *board = calloc(1, sizeof(*board));

	*out = NULL;
	if (!board) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	board->store = store;
	board->library = library;
	board->reviews = reviews;
	board->settings = *settings;
	*out = board;
	return 0;
}

static void summary_orphan(struct summary_job *job);
static void get_orphan_all(struct gr_board *board);

void gr_board_free(struct gr_board *board)
{
	if (!board)
		return;
	if (board->running)
		summary_orphan(board->running); /* it ends on its own */
	get_orphan_all(board);
	for (int i = 0; i < board->cached; i++) {
		free(board->cache[i].cohort);
		free(board->cache[i].track);
		gr_json_free(board->cache[i].attention);
	}
	free(board);
}

static int64_t now_ms(const struct gr_board *board)
{
	return board->settings.clock ? board->settings.clock() : gr_clock_now_ms();
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

/* A submission waiting somewhere in the review engine, found off the loop. */
struct pending {
	int64_t learner_id;
	int step;
	int64_t submission_id;
};

struct cohort {
	struct gr_board *board;
	struct gr_store *store; /* read from: the board's, or a worker's own */
	int off_loop;		/* on a worker: the review engine is not to be touched */
	int64_t now;
	const struct gr_track *track;
	struct step_index *steps; /* track->step_count, by id */
	int with_progress;
	struct learner *learners;
	size_t count, capacity;
	struct gr_attention_waiting *waiting;
	size_t waiting_count, waiting_capacity;
	struct learner **by_id;	 /* the learners sorted by id (learner_by_id) */
	struct pending *pending; /* off the loop: submissions whose standing the loop looks up */
	size_t pending_count, pending_capacity;
	int failed;
};

static void cohort_free(struct cohort *cohort)
{
	for (size_t i = 0; i < cohort->count; i++) {
		free(cohort->learners[i].steps);
		gr_json_free(cohort->learners[i].progress);
	}
	free(cohort->learners);
	free(cohort->by_id);
	free(cohort->waiting);
	free(cohort->pending);
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

static struct learner *learner_add(struct cohort *cohort, const struct gr_user *user)
{
	struct learner *learner;

	if (gr_array_grow((void **)&cohort->learners, &cohort->capacity, cohort->count,
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
	const struct gr_review *engine = gr_reviews_engine(cohort->board->reviews);
	struct gr_review_standing standing;

	if (cohort->off_loop) {
		/* The engine is the loop's: note the submission, the loop looks it up. */
		if (gr_array_grow((void **)&cohort->pending, &cohort->pending_capacity,
				  cohort->pending_count, sizeof(*cohort->pending)))
			return GR_ERROR;
		cohort->pending[cohort->pending_count++] =
		    (struct pending){ lookup->learner_id, lookup->step, row->id };
		return 0;
	}
	if (gr_review_standing_get(&standing, engine, row->id, cohort->now) != 0 ||
	    standing.open == 0 || standing.waiting_since <= 0)
		return 0;
	if (gr_array_grow((void **)&cohort->waiting, &cohort->waiting_capacity, cohort->waiting_count,
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
	if (!row)
		return 0;
	state = row->state;
	if (learner->progress &&
	    gr_json_set(learner->progress, row->step_id,
			gr_json_pack("{s:s, s:I, s:I, s:I}", "state", gr_progress_state_name(row->state), "started_at",
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
	    cohort->board->reviews) {
		struct waiting_lookup lookup = { cohort, user->id, index };
		int rc = gr_store_submission_latest(cohort->store, user->id,
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

static int compare_by_id(const void *a, const void *b)
{
	int64_t x = (*(struct learner *const *)a)->user.id, y = (*(struct learner *const *)b)->user.id;

	return x < y ? -1 : x > y;
}

/* The learners sorted by id, once they are all loaded (a stats row each: no scan each). */
static int index_by_id(struct cohort *cohort)
{
	if (cohort->count && !(cohort->by_id = malloc(cohort->count * sizeof(*cohort->by_id)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	for (size_t i = 0; i < cohort->count; i++)
		cohort->by_id[i] = &cohort->learners[i];
	if (cohort->count)
		qsort(cohort->by_id, cohort->count, sizeof(*cohort->by_id), compare_by_id);
	return 0;
}

static struct learner *learner_by_id(struct cohort *cohort, int64_t id)
{
	struct learner key, *wanted = &key, **found;

	key.user.id = id;
	found = cohort->by_id ? bsearch(&wanted, cohort->by_id, cohort->count,
					sizeof(*cohort->by_id), compare_by_id)
			      : NULL;
	return found ? *found : NULL;
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

/*
 * One cohort's learners on a track, with their progress, stats and waiting
 * work, read from store (the board's on the loop; a worker's own off it,
 * then the waiting work is left in out->pending for the loop).
 */
static int cohort_load(struct cohort *out, struct gr_board *board, struct gr_store *store,
		       int off_loop, const char *cohort, const struct gr_track *track,
		       int with_progress, int64_t now)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->board = board;
	out->store = store;
	out->off_loop = off_loop;
	out->now = now;
	out->track = track;
	out->with_progress = with_progress;
	if (!(out->steps = calloc((size_t)track->step_count + 1, sizeof(*out->steps)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	for (int i = 0; i < track->step_count; i++)
		out->steps[i] = (struct step_index){ track->steps[i].id, i };
	qsort(out->steps, (size_t)track->step_count, sizeof(*out->steps), compare_step_index);
	if ((rc = gr_store_progress_of_cohort(store, cohort, track->id, add_progress, out)) ||
	    (rc = index_by_id(out)) || (rc = gr_store_cohort_stats(store, cohort, add_stats, out)))
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
	struct gr_store *store;	   /* the cohort's: the loop's, or a worker's own */
};

static int add_flag(const struct gr_store_flag *row, void *payload)
{
	struct lists *lists = payload;

	if (gr_array_grow((void **)&lists->flagged, &lists->flagged_capacity, lists->flagged_count,
		 sizeof(*lists->flagged)))
		return GR_ERROR;
	lists->flagged[lists->flagged_count++] =
	    (struct gr_attention_flagged){ row->user_id, row->review_id, row->flagged_at };
	return 0;
}

struct gr_json *gr_board_help_entry(struct gr_store *store, const struct gr_store_help *help)
{
	struct gr_user user;
	const char *handle = "";

	if (gr_store_user_by_id(store, &user, help->user_id) == 0)
		handle = user.handle;
	return gr_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I}", "request",
			    (long long)help->id, "user", handle, "track", help->track_id, "step",
			    help->step_id, "body", help->body, "state", gr_help_state_name(help->state), "helper",
			    gr_live_person(store, help->helper_id), "opened_at",
			    (long long)help->opened_at);
}

static int add_help(const struct gr_store_help *row, void *payload)
{
	struct lists *lists = payload;

	if (lists->help_json &&
	    gr_json_append(lists->help_json, gr_board_help_entry(lists->store, row)) != 0)
		return GR_ERROR;
	if (row->state != GR_HELP_STATE_OPEN)
		return 0;
	if (gr_array_grow((void **)&lists->help, &lists->help_capacity, lists->help_count,
		 sizeof(*lists->help)))
		return GR_ERROR;
	lists->help[lists->help_count++] =
	    (struct gr_attention_help){ row->user_id, row->id, row->opened_at };
	return 0;
}

/* The attention list's entries for a loaded cohort (the caller frees them: gr_attention_free). */
static int attention_entries(struct gr_board *board, struct cohort *cohort, const char *name,
			     struct gr_json *help_json, int64_t now,
			     struct gr_attention_entry **out, size_t *out_count)
{
	struct lists lists = { .help_json = help_json, .store = cohort->store };
	struct gr_attention_learner *learners = NULL;
	struct gr_attention_settings settings = gr_attention_settings_default();
	struct gr_attention_input input = { 0 };
	int rc;

	settings.inactive_days = board->settings.inactive_days;
	if ((rc = gr_store_cohort_flags(cohort->store, name, cohort->track->id,
					now - board->settings.flag_days * GR_STORE_DAY_MS, add_flag,
					&lists)) ||
	    (rc = gr_store_help_of_cohort(cohort->store, name, cohort->track->id, add_help, &lists)))
		goto out;
	if (cohort->count && !(learners = calloc(cohort->count, sizeof(*learners)))) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
		goto out;
	}
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
	rc = gr_attention_compute(out, out_count, &input, now, &settings);
out:
	free(learners);
	free(lists.flagged);
	free(lists.help);
	return rc;
}

static int flag_details(const struct gr_store_review *review, void *payload)
{
	struct gr_json *item = payload;

	gr_json_set(item, "flag_kind", gr_json_string(review->flag_kind[0] ? review->flag_kind
									   : "other"));
	gr_json_set(item, "reason",
		    gr_json_string(review->flag_reason ? review->flag_reason : ""));
	gr_json_set(item, "submission", gr_json_integer(review->submission_id));
	gr_json_set(item, "assignment", gr_json_integer(review->assignment_id));
	return 0;
}

/*
 * One entry of the attention list as a board shows it; a flagged review
 * with its kind, the author's words and the submission it is on, so the
 * board links to the review and the work.
 */
static struct gr_json *entry_json(struct gr_board *board, struct cohort *cohort,
				  const struct gr_attention_entry *entry)
{
	const struct learner *learner = learner_by_id(cohort, entry->learner_id);
	struct gr_json *item = gr_json_pack(
		"{s:s, s:s, s:I}", "user", learner ? learner->user.handle : "", "kind",
		gr_attention_kind_name(entry->kind), "since", (long long)entry->since);

	if (item && entry->step >= 0)
		gr_json_set(item, "step", gr_json_string(cohort->track->steps[entry->step].id));
	if (item && entry->kind == GR_ATTENTION_FLAGGED_REVIEW) {
		gr_json_set(item, "review", gr_json_integer(entry->ref));
		if (gr_store_review_get(cohort->store, entry->ref, flag_details, item) != 0)
			gr_log_warn("flagged review %lld: %s", (long long)entry->ref,
				    gr_error_last());
	}
	if (item && entry->kind == GR_ATTENTION_HELP_REQUEST)
		gr_json_set(item, "request", gr_json_integer(entry->ref));
	return item;
}

/*
 * The attention list of a loaded cohort as JSON (*out, new); help_json,
 * when not NULL, gets the cohort's help requests as the board shows them.
 */
static int attention_json(struct gr_json **out, struct gr_board *board, struct cohort *cohort,
			  const char *name, struct gr_json *help_json, int64_t now)
{
	struct gr_attention_entry *entries = NULL;
	size_t count = 0;
	int rc = attention_entries(board, cohort, name, help_json, now, &entries, &count);

	*out = NULL;
	if (rc == 0 && !(*out = gr_json_array()))
		rc = GR_ERROR;
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = gr_json_append(*out, entry_json(board, cohort, &entries[i]));
	if (rc != 0) {
		gr_log_error("the attention list of board:%s/%s: %s", name, cohort->track->id,
			     gr_error_last());
		gr_json_free(*out);
		*out = NULL;
	}
	gr_attention_free(entries);
	return rc;
}

static struct attention_cache *cache_find(struct gr_board *board, const char *cohort,
					  const char *track)
{
	for (int i = 0; i < board->cached; i++)
		if (strcmp(board->cache[i].cohort, cohort) == 0 &&
		    strcmp(board->cache[i].track, track) == 0)
			return &board->cache[i];
	return NULL;
}

/* Remember attention (borrowed) as the list of cohort on track at now. */
static void cache_keep(struct gr_board *board, const char *cohort, const char *track,
		       struct gr_json *attention, int64_t now)
{
	struct attention_cache *entry = cache_find(board, cohort, track);
	char *cohort_copy, *track_copy;

	if (!entry) {
		if (!(cohort_copy = strdup(cohort)) || !(track_copy = strdup(track))) {
			free(cohort_copy);
			return; /* made again next time */
		}
		if (board->cached < ATTENTION_CACHED)
			entry = &board->cache[board->cached++];
		else {
			entry = &board->cache[board->cache_next];
			board->cache_next = (board->cache_next + 1) % ATTENTION_CACHED;
			free(entry->cohort);
			free(entry->track);
			gr_json_free(entry->attention);
		}
		entry->cohort = cohort_copy;
		entry->track = track_copy;
		entry->attention = NULL;
	}
	gr_json_free(entry->attention);
	entry->attention = gr_json_ref(attention);
	entry->at = now;
}

/* The summary of a loaded cohort (new, or NULL): its attention list and review counts. */
static struct gr_json *summary_json(struct gr_board *board, struct cohort *cohort,
				    const char *name)
{
	struct gr_json *attention, *learners;

	if (attention_json(&attention, board, cohort, name, NULL, cohort->now) != 0)
		return NULL;
	learners = gr_json_object();
	for (size_t i = 0; learners && i < cohort->count; i++) {
		const struct learner *learner = &cohort->learners[i];

		gr_json_set(learners, learner->user.handle,
			    gr_json_pack("{s:i, s:i, s:I}", "given", learner->given, "received",
					 learner->received, "last_activity",
					 (long long)learner->last_activity));
	}
	return gr_json_pack("{s:o, s:o*}", "attention", attention, "learners", learners);
}

struct gr_json *gr_board_summary(struct gr_board *board, const char *name, const char *track_id)
{
	const struct gr_track *track = gr_library_track(board->library, track_id);
	struct gr_json *summary;
	struct cohort cohort;

	if (!track || cohort_load(&cohort, board, board->store, 0, name, track, 0,
				  now_ms(board)) != 0)
		return NULL;
	summary = summary_json(board, &cohort, name);
	if (summary)
		cache_keep(board, name, track_id, gr_json_get(summary, "attention"), cohort.now);
	cohort_free(&cohort);
	return summary;
}

/* ---- the summary off the loop ------------------------------------------------- */

/*
 * At 10,000 learners a summary reads and weighs the whole cohort for some
 * hundreds of milliseconds: on the loop that stalled every connection.
 * So a watched board's summary is made on the worker pool, in two jobs
 * with one short step on the loop between them:
 *
 *   load (worker)     open a store connection of its own (WAL: it reads the
 *                     last commit while the loop writes), read the cohort's
 *                     progress, stats and submitted work;
 *   standings (loop)  look up, in the review engine (the loop's alone), how
 *                     long each submitted work has waited for a reviewer;
 *   make (worker)     the attention list and the review counts as JSON, then
 *                     the live service's own work on it (what changed since
 *                     the board's last summary); close the store;
 *   done (loop)       the live service publishes.
 *
 * The job holds a reference to the track, taken and dropped on the loop,
 * and a copy of the board's settings.
 * A board freed while its job runs orphans the job: its last steps on the
 * loop only free it.
 */
struct summary_job {
	struct gr_board *board; /* NULL: orphaned */
	struct gr_board settings; /* a copy, for the workers: the settings, and whether reviews exist */
	struct gr_live_summary *out;
	struct gr_track *track;
	char *cohort_name;
	char *path; /* the database's */
	struct gr_store *store;
	struct cohort cohort;
	struct gr_json *attention; /* the summary's, for the home pages' cache */
	int loaded;
};

static void summary_orphan(struct summary_job *job)
{
	job->board = NULL;
}

static void summary_job_end(struct summary_job *job)
{
	struct gr_live_summary *out = job->out;

	if (job->board)
		job->board->running = NULL;
	if (job->loaded)
		cohort_free(&job->cohort);
	gr_store_close(job->store);
	gr_track_release(job->track);
	gr_json_free(job->attention);
	free(job->cohort_name);
	free(job->path);
	free(job);
	out->done(out);
}

static void summary_make(void *payload)
{
	struct summary_job *job = payload;

	job->out->summary = summary_json(job->cohort.board, &job->cohort, job->cohort_name);
	job->attention = gr_json_ref(gr_json_get(job->out->summary, "attention"));
	if (job->out->made)
		job->out->made(job->out);
	gr_store_close(job->store); /* on the thread that used it last */
	job->store = NULL;
}

static void summary_made(void *payload)
{
	struct summary_job *job = payload;

	if (job->board && job->attention)
		cache_keep(job->board, job->cohort_name, job->track->id, job->attention,
			   job->cohort.now);
	summary_job_end(job);
}

static void summary_load(void *payload)
{
	struct summary_job *job = payload;

	if (gr_store_open(&job->store, job->path) != 0) {
		gr_log_error("a board's summary: %s", gr_error_last());
		return;
	}
	job->loaded = cohort_load(&job->cohort, job->cohort.board, job->store, 1,
				  job->cohort_name, job->track, 0, job->cohort.now) == 0;
	if (!job->loaded)
		gr_log_error("a board's summary: %s", gr_error_last());
}

/*
 * On the loop, for a cohort loaded off it: how long each submitted work
 * has waited for a reviewer, which only the review engine (the loop's)
 * knows.
 */
static int cohort_standings(struct gr_board *board, struct cohort *cohort)
{
	const struct gr_review *engine = board->reviews ? gr_reviews_engine(board->reviews) : NULL;

	for (size_t i = 0; engine && i < cohort->pending_count; i++) {
		const struct pending *pending = &cohort->pending[i];
		struct gr_review_standing standing;

		if (gr_review_standing_get(&standing, engine, pending->submission_id,
					   cohort->now) != 0 ||
		    standing.open == 0 || standing.waiting_since <= 0)
			continue;
		if (gr_array_grow((void **)&cohort->waiting, &cohort->waiting_capacity,
				  cohort->waiting_count, sizeof(*cohort->waiting)))
			return GR_ERROR;
		cohort->waiting[cohort->waiting_count++] = (struct gr_attention_waiting){
			pending->learner_id, pending->step, standing.waiting_since
		};
	}
	return 0;
}

/* On the loop, between the two jobs. */
static void summary_loaded(void *payload)
{
	struct summary_job *job = payload;

	if (job->board && job->loaded && cohort_standings(job->board, &job->cohort) == 0 &&
	    gr_workers_submit(job->out->workers, summary_make, summary_made, job) == 0)
		return;
	summary_job_end(job);
}

static int summary_start(void *payload, struct gr_live_summary *out)
{
	struct gr_board *board = payload;
	struct gr_track *track = gr_library_track(board->library, out->track);
	const char *path = gr_store_path(board->store);
	struct summary_job *job;

	if (!track || board->running || !path || !(job = calloc(1, sizeof(*job))))
		return GR_ERROR;
	job->board = board;
	job->out = out;
	job->track = gr_track_retain(track);
	job->settings = *board;
	job->settings.running = NULL;
	job->settings.cached = 0; /* the cache is the loop's alone */
	job->cohort.board = &job->settings;
	job->cohort.now = now_ms(board);
	job->cohort_name = strdup(out->cohort);
	job->path = strdup(path);
	if (!job->cohort_name || !job->path ||
	    gr_workers_submit(out->workers, summary_load, summary_loaded, job) != 0) {
		gr_track_release(job->track);
		free(job->cohort_name);
		free(job->path);
		free(job);
		return GR_ERROR;
	}
	board->running = job;
	return 0;
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

/* The last WEEKS_ON_BOARD weeks (*out, new), each {"week": "YYYY-MM-DD" (its Monday), "active"}. */
static int weeks_json(struct gr_json **out, struct gr_store *store, const char *name,
		      const char *track, int64_t now)
{
	int64_t last = gr_store_cohort_week_of(now), first = last - (WEEKS_ON_BOARD - 1);
	struct gr_json *weeks = gr_json_array();
	int rc = weeks ? 0 : GR_ERROR;

	for (int64_t n = first; rc == 0 && n <= last; n++) {
		time_t monday = (time_t)((n * 7 - 3) * (GR_STORE_DAY_MS / 1000));
		struct tm tm;
		char date[16];

		gmtime_r(&monday, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		rc = gr_json_append(weeks, gr_json_pack("{s:s, s:i, s:I}", "week", date, "active",
							0, "n", (long long)n));
	}
	if (rc == 0)
		rc = gr_store_cohort_weeks(store, name, track, first, add_week, weeks);
	if (rc != 0) {
		gr_json_free(weeks);
		*out = NULL;
		return rc;
	}
	for (size_t index = 0; index < gr_json_size(weeks); index++)
		gr_json_delete(gr_json_at(weeks, index), "n");
	*out = weeks;
	return 0;
}

/* Where a learner is, as the loop knows it: board.get's live part. */
struct presence {
	int64_t seq; /* their stream's last event */
	int online;
	char *here; /* the step of the track whose page they have open, or NULL */
};

/* One learner as board.get shows them: who, whether online and where, and their progress. */
static struct gr_json *learner_json(const struct learner *learner, const struct presence *at)
{
	return gr_json_pack("{s:s, s:s, s:I, s:b, s:s?, s:o, s:i, s:i, s:O}", "handle",
			    learner->user.handle, "display_name", learner->user.display_name, "seq",
			    (long long)at->seq, "online", at->online, "here", at->here,
			    "last_activity",
			    learner->last_activity ? gr_json_integer(learner->last_activity)
						   : gr_json_null(),
			    "given", learner->given, "received", learner->received, "progress",
			    learner->progress);
}

/* A presence for each learner of a loaded cohort, with their stream's last event, read from store. */
static int presence_read(struct presence **out, struct gr_store *store, const struct cohort *cohort)
{
	struct presence *all = calloc(cohort->count + 1, sizeof(*all));

	*out = all;
	if (!all) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	for (size_t i = 0; i < cohort->count; i++) {
		int64_t first = 0;

		gr_store_event_range(store, cohort->learners[i].user.id, &first, &all[i].seq);
	}
	return 0;
}

/* Who is online and where: the live service's, so on the loop only. */
static int presence_live(struct presence *all, struct gr_board *board, const struct cohort *cohort)
{
	for (size_t i = 0; i < cohort->count; i++) {
		int64_t id = cohort->learners[i].user.id;
		const char *here = gr_live_here(board->live, id, cohort->track->id);

		all[i].online = gr_live_online(board->live, id);
		if (here && !(all[i].here = strdup(here))) {
			gr_error_set("out of memory");
			return GR_ERROR;
		}
	}
	return 0;
}

static void presence_free(struct presence *all, size_t count)
{
	for (size_t i = 0; all && i < count; i++)
		free(all[i].here);
	free(all);
}

/* The whole board of a loaded cohort, with presence (count: the cohort's). */
static int board_json(struct gr_json **out, struct gr_board *board, struct cohort *cohort,
		      const char *name, const struct presence *presence, struct gr_json *weeks)
{
	const struct gr_track *track = cohort->track;
	struct gr_json *steps = gr_json_array(), *learners = gr_json_array();
	struct gr_json *help = gr_json_array(), *attention = NULL;
	int rc;

	for (int i = 0; steps && i < track->step_count; i++)
		gr_json_append(steps, gr_json_pack("{s:s, s:s, s:i}", "id", track->steps[i].id,
						   "title", track->steps[i].title, "reviews",
						   track->steps[i].reviews));
	for (size_t i = 0; learners && i < cohort->count; i++)
		gr_json_append(learners, learner_json(&cohort->learners[i], &presence[i]));
	rc = attention_json(&attention, board, cohort, name, help, cohort->now);
	if (rc == 0 && !(*out = gr_json_pack("{s:s, s:s, s:I, s:o, s:o, s:O, s:o, s:o}", "cohort",
					      name, "track", track->id, "now",
					      (long long)cohort->now, "steps", steps, "learners",
					      learners, "weeks", weeks, "attention", attention,
					      "help", help)))
		rc = GR_ERROR;
	if (rc != 0) {
		*out = NULL;
		if (!attention) { /* the pack was not reached: nothing was consumed */
			gr_json_free(steps);
			gr_json_free(learners);
			gr_json_free(help);
		}
	}
	return rc;
}

/*
 * A board.get at 10,000 learners reads the whole cohort with every
 * learner's progress: tens of milliseconds. With workers it is made like a
 * summary (above), and the coach's connection waits meanwhile
 * (gr_live_later: what it sends is held, in order):
 *
 *   load (worker)    its own store connection: the cohort with progress,
 *                    review counts and submitted work, the weeks;
 *   live (loop)      the standings (the review engine's), and who is
 *                    online and where (the live service's), with each
 *                    learner's last event;
 *   make (worker)    the attention list (flags and help requests read on
 *                    its connection) and the reply's JSON;
 *   answer (loop)    gr_live_answer().
 *
 * A board freed while a job runs orphans it; its last steps on the loop
 * answer "internal" and free it.
 */
struct get_job {
	struct gr_board *board;	  /* NULL: orphaned */
	struct gr_board settings; /* a copy, for the workers (as a summary's) */
	struct gr_workers *workers;
	struct gr_live_later *later;
	struct gr_track *track;
	char *cohort_name;
	char *path;
	struct gr_store *store;
	struct cohort cohort;
	int loaded;
	struct presence *presence;
	struct gr_json *weeks, *body;
	int rc;
	struct get_job *next; /* the board's jobs under way */
};

static void get_job_end(struct get_job *job)
{
	struct gr_protocol_answer out = { 0 };
	struct get_job **link;

	if (job->board)
		for (link = &job->board->getting; *link; link = &(*link)->next)
			if (*link == job) {
				*link = job->next;
				break;
			}
	if (job->body)
		out.body = job->body;
	else
		gr_protocol_fail_status(&out, job->rc ? job->rc : GR_ERROR, "reading a board");
	gr_live_answer(job->later, &out);
	presence_free(job->presence, job->presence ? job->cohort.count : 0);
	if (job->loaded)
		cohort_free(&job->cohort);
	gr_store_close(job->store);
	gr_json_free(job->weeks);
	gr_track_release(job->track);
	free(job->cohort_name);
	free(job->path);
	free(job);
}

/* The board is freed: its jobs under way end on their own, answering "internal". */
static void get_orphan_all(struct gr_board *board)
{
	while (board->getting) {
		struct get_job *job = board->getting;

		board->getting = job->next;
		job->board = NULL;
		job->next = NULL;
	}
}

static void get_make(void *payload)
{
	struct get_job *job = payload;

	job->rc = board_json(&job->body, &job->settings, &job->cohort, job->cohort_name,
			     job->presence, job->weeks);
	if (job->rc != 0)
		gr_log_error("a board of %s: %s", job->cohort_name, gr_error_last());
	gr_store_close(job->store); /* on the thread that used it last */
	job->store = NULL;
}

static void get_made(void *payload)
{
	get_job_end(payload);
}

static void get_load(void *payload)
{
	struct get_job *job = payload;
	int began;

	if ((job->rc = gr_store_open(&job->store, job->path)) != 0) {
		gr_log_error("a board of %s: %s", job->cohort_name, gr_error_last());
		return;
	}
	/*
	 * One read transaction: the progress and each learner's last event
	 * from the same commit, so a push after it is exactly one the board
	 * has not seen.
	 */
	began = gr_store_begin(job->store) == 0;
	if ((job->rc = cohort_load(&job->cohort, &job->settings, job->store, 1, job->cohort_name,
				   job->track, 1, job->cohort.now)) == 0) {
		job->loaded = 1;
		if ((job->rc = presence_read(&job->presence, job->store, &job->cohort)) == 0)
			job->rc = weeks_json(&job->weeks, job->store, job->cohort_name,
					     job->track->id, job->cohort.now);
	}
	if (began)
		gr_store_commit(job->store);
	if (job->rc != 0)
		gr_log_error("a board of %s: %s", job->cohort_name, gr_error_last());
}

/* On the loop, between the two jobs: what only the loop knows. */
static void get_loaded(void *payload)
{
	struct get_job *job = payload;

	if (!job->board || !job->loaded || job->rc != 0)
		goto end;
	if ((job->rc = cohort_standings(job->board, &job->cohort)) != 0 ||
	    (job->rc = presence_live(job->presence, job->board, &job->cohort)) != 0)
		goto end;
	if ((job->rc = gr_workers_submit(job->workers, get_make, get_made, job)) == 0)
		return;
end:
	get_job_end(job);
}

/* Start board.get of cohort on track off the loop: 0, or nothing was started. */
static int get_start(struct gr_board *board, struct gr_client *client,
		     const struct gr_request *request, const struct gr_track *track,
		     struct gr_protocol_answer *out)
{
	const char *path = gr_store_path(board->store);
	struct get_job *job;

	if (!board->settings.workers || !path || !(job = calloc(1, sizeof(*job))))
		return GR_ERROR;
	job->board = board;
	job->workers = board->settings.workers;
	job->track = gr_track_retain((struct gr_track *)track);
	job->settings = *board;
	job->settings.running = NULL;
	job->settings.getting = NULL;
	job->settings.cached = 0; /* the cache is the loop's alone */
	job->cohort.now = now_ms(board);
	job->cohort_name = strdup(request->cohort);
	job->path = strdup(path);
	if (!job->cohort_name || !job->path ||
	    !(job->later = gr_live_later(board->live, client, request, out))) {
		gr_track_release(job->track);
		free(job->cohort_name);
		free(job->path);
		free(job);
		return GR_ERROR;
	}
	job->next = board->getting;
	board->getting = job;
	if (gr_workers_submit(job->workers, get_load, get_loaded, job) != 0) {
		job->rc = GR_ERROR;
		get_job_end(job); /* answered: internal */
	}
	return 0;
}

static void board_get(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
		      const struct gr_request *request)
{
	struct gr_board *board = payload;
	const struct gr_track *track = gr_library_track(board->library, request->track);
	struct presence *presence = NULL;
	struct gr_json *weeks = NULL;
	struct cohort cohort;
	int64_t now;
	int rc;

	gr_live_flush(board->live); /* a board's state holds only what is committed */
	if (!gr_account_is_coach(&client->user)) {
		gr_protocol_fail(out, "coaches_only", "Only coaches and admins may see a board.");
		return;
	}
	if (!gr_rights_may_coach(board->store, &client->user, request->cohort)) {
		gr_protocol_fail(out, "not_your_cohort",
				 "You may see the boards of the cohorts you coach only.");
		return;
	}
	if (!track || !gr_rights_may_see_track(board->store, &client->user, track->id)) {
		gr_protocol_fail(out, "track_missing", "There is no such track.");
		return;
	}
	if (get_start(board, client, request, track, out) == 0)
		return; /* answered when made */
	/* Without workers (the unit tests), or out of memory: here and now. */
	now = now_ms(board);
	if ((rc = cohort_load(&cohort, board, board->store, 0, request->cohort, track, 1, now)) !=
	    0) {
		gr_protocol_fail_status(out, rc, "reading a board");
		return;
	}
	if ((rc = presence_read(&presence, board->store, &cohort)) == 0 &&
	    (rc = presence_live(presence, board, &cohort)) == 0 &&
	    (rc = weeks_json(&weeks, board->store, request->cohort, track->id, now)) == 0)
		rc = board_json(&out->body, board, &cohort, request->cohort, presence, weeks);
	gr_json_free(weeks);
	presence_free(presence, cohort.count);
	cohort_free(&cohort);
	if (rc != 0)
		gr_protocol_fail_status(out, rc, "reading a board");
}

/* ---- a coach's home: home.attention ---------------------------------------- */

/* The attention list of cohort on track (borrowed from the cache), or NULL (logged). */
static struct gr_json *attention_of(struct gr_board *board, const char *name,
				    const struct gr_track *track, int64_t now)
{
	struct attention_cache *entry = cache_find(board, name, track->id);
	struct gr_json *attention = NULL;
	struct cohort cohort;

	if (entry && now - entry->at < ATTENTION_FRESH_MS)
		return entry->attention;
	if (cohort_load(&cohort, board, board->store, 0, name, track, 0, now) != 0) {
		gr_log_error("the attention list of %s/%s: %s", name, track->id, gr_error_last());
		return NULL;
	}
	if (attention_json(&attention, board, &cohort, name, NULL, now) == 0) {
		cache_keep(board, name, track->id, attention, now);
		gr_json_free(attention);
	}
	cohort_free(&cohort);
	entry = cache_find(board, name, track->id);
	return entry && entry->at == now ? entry->attention : NULL;
}

/* Each cohort the coach coaches, with its attention list on each track. */
struct coached {
	struct gr_board *board;
	struct gr_json *cohorts;
};

static int add_coached(const char *name, void *payload)
{
	struct coached *coached = payload;
	struct gr_board *board = coached->board;
	struct gr_json *tracks = gr_json_array();
	int64_t now = now_ms(board);
	int rc = tracks ? 0 : GR_ERROR;

	for (int i = 0; rc == 0 && i < gr_library_count(board->library); i++) {
		const struct gr_track *track = gr_library_at(board->library, i);
		struct gr_json *attention = attention_of(board, name, track, now);

		rc = gr_json_append(tracks, gr_json_pack("{s:s, s:s, s:O*}", "track", track->id,
							 "title", track->title, "attention",
							 attention));
	}
	if (rc != 0) {
		gr_json_free(tracks);
		return rc;
	}
	return gr_json_append(coached->cohorts,
			      gr_json_pack("{s:s, s:o}", "cohort", name, "tracks", tracks));
}

static void home_attention(void *payload, struct gr_protocol_answer *out,
			   struct gr_client *client, const struct gr_request *request)
{
	struct coached coached = { payload, gr_json_array() };
	int rc = coached.cohorts ? 0 : GR_ERROR;

	(void)request;
	if (!gr_account_is_coach(&client->user)) {
		gr_json_free(coached.cohorts);
		gr_protocol_fail(out, "forbidden", "Only coaches and admins have cohorts to watch.");
		return;
	}
	if (rc == 0)
		rc = gr_store_user_each_coached(coached.board->store, client->user.id, add_coached,
						&coached);
	if (rc != 0) {
		gr_json_free(coached.cohorts);
		gr_protocol_fail_status(out, rc, "reading the attention lists");
		return;
	}
	out->body = gr_json_pack("{s:o}", "cohorts", coached.cohorts);
}

/* ---- the service ---------------------------------------------------------- */

static struct gr_json *summary(void *payload, const char *cohort, const char *track)
{
	return gr_board_summary(payload, cohort, track);
}

int gr_board_attach(struct gr_board *board, struct gr_live *live)
{
	static const struct gr_live_route routes[] = {
		{ GR_REQUEST_BOARD_GET, board_get },
		{ GR_REQUEST_HOME_ATTENTION, home_attention },
	};
	struct gr_live_listener listener = { .summary = summary, .summary_start = summary_start };
	int rc;

	if (board->live)
		gr_live_forget(board->live, board);
	board->live = live;
	if (!live)
		return 0;
	if ((rc = gr_live_route(live, routes, 2, board)) != 0 ||
	    (rc = gr_live_listen(live, &listener, board)) != 0)
		return rc;
	return 0;
}
