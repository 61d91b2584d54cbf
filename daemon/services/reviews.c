/*
 * reviews.c - the review service (see reviews.h; design: "Peer review
 * pairing" and "Store" in DESIGN.md; messages: docs/protocol.md).
 *
 * Owns: keeping the pairing engine (review.c) durable, storing and pushing
 * its effects, who of the learners is connected, and the review messages.
 * Leaves the pairing itself to review.c, the progress state machine to
 * progress.c, the turn's transaction to turn.c, the event streams to live.c
 * (which it is attached to), SQL to store.c, and rendering markdown to live.c
 * (it is rendered once, when written, and read back as stored HTML).
 *
 * Durability by event sourcing. The engine lives in memory only. Every
 * input it is given is appended to review_inputs in the same savepoint as
 * the change it belongs to, and the effects it answers with are stored
 * there too (review_assignments, progress, events):
 *
 *   change ──► savepoint ──► engine input ──► effects: rows + events (pending)
 *                               └──► review_inputs row
 *          ──► release ─ok─► the turn's COMMIT ──► events pushed
 *                     └fail► rollback, pending events dropped, engine rebuilt
 *                            (an undo of the turn: also when the COMMIT fails)
 *
 * At start the engine is rebuilt by replaying review_inputs in seq order
 * with the same seed and settings (kept in the meta table, made once): the
 * same inputs give the same effects and the same assignment ids. During the
 * replay the effect callback stores and pushes nothing. The replay starts
 * from the engine's newest snapshot, not from the first input (see
 * "Snapshots" below).
 *
 * The inputs (kind: a, b, c, d):
 *   learner  learner                          gr_review_learner_add
 *   active   learner, active                  gr_review_learner_active
 *   online   learner, online                  gr_review_learner_online
 *   step     step, reviews                    gr_review_step_add
 *   pass     learner, step                    gr_review_step_pass
 *   submit   submission, author, step, attempt  gr_review_submit
 *   give     assignment, reviewer, verdict    gr_review_give
 *   decline  assignment, reviewer             gr_review_decline
 *   open     assignment, reviewer             gr_review_open
 *   pull     learner                          gr_review_pull
 *   coach    submission, 1 pass / 2 needs work / 3 extend
 *                                             gr_review_coach_decide, _extend
 *   coach_assign  submission, reviewer        gr_review_coach_assign
 *   withdraw assignment                       gr_review_withdraw (a flag upheld)
 *   cohort   learner, cohort number           gr_review_learner_cohort (peers review
 *                                             within their cohort; a hash of its name)
 *   tick     -                                gr_review_tick
 *
 * Which ticks are logged. gr_review_tick() expires the leases that are due
 * and re-examines the waiting queue; each expiry or assignment is an
 * effect. Without effects it changes one thing: the re-examination drops
 * queue entries that no longer wait, which decides where a submission
 * re-enters the queue later. After any tick the queue holds only waiting
 * submissions, so a tick without effects that follows another tick with no
 * input in between changes nothing at all. Hence a tick is logged when it
 * had an effect or when any other input was logged since the last logged
 * tick (dirty); the ticks left out are exact no-ops, and replay matches.
 *
 * Steps and learners are the engine's by integer id: a learner is the user
 * id, a step the id of its (track, step) row in review_steps.
 *
 * Invariants: an input is logged only if the engine accepted it; a stored
 * assignment row exists for every assignment the engine made outside a
 * replay, with the engine's id; after a failed change the engine is rebuilt
 * from the store, so memory never runs ahead of what is stored.
 */
#include "services/reviews.h"
#include "services/rights.h"

#include "core/account.h"
#include "core/error.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/metrics.h"
#include "services/live.h"
#include "services/turn.h"
#include "store/assignment.h"
#include "store/cohort.h"
#include "store/progress.h"
#include "store/project.h"
#include "store/reflection.h"
#include "store/review.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "store/submission.h"
#include "store/user.h"
#include "tracks/library.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_KEY "review_engine"
#define LIST_LIMIT 200

struct step_entry {
	int64_t id;
	char track[129];
	char step[129];
	int reviews; /* 0 until the engine knows the step */
};

struct connections { /* open addressing, user id -> open connections; key 0 is empty */
	int64_t *users;
	int *counts;
	int cap; /* a power of two, or 0 */
	int used;
};

struct gr_reviews {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_reviews_settings settings;
	struct gr_turn *turn; /* the loop's: every change is one of its savepoints */
	struct gr_live *live; /* NULL until attached: effects are stored, not pushed */
	struct gr_review_config config;
	struct gr_review *engine;
	struct step_entry *steps;
	int step_count, step_cap;
	int64_t *learners; /* every learner the engine knows, in the order added */
	int learner_count, learner_cap;
	struct connections connections;
	int replaying;	/* effects are neither stored nor pushed */
	int dirty;	/* an input other than a tick was logged since the last logged tick */
	int effects;	/* effects of the current input */
	int failed;	/* an effect could not be stored (its code): the change is undone */
	int changed;	/* the engine changed in the current change */
	int64_t giving; /* the review being given, for its review.received event */
	int64_t made;	/* the assignment the last pull, coach_assign or withdraw made; 0: none */
	/* Snapshots (see "Snapshots"): */
	int64_t since_snapshot;	      /* inputs logged since the newest snapshot */
	int64_t last_input_at;	      /* when the last input was logged; 0: none since the start */
	int64_t restored_seq;	      /* the snapshot the last rebuild began from; 0: none */
	size_t restored_size;	      /* its bytes */
	int64_t restored_assignments; /* the assignments the engine had in it */
	/*
	 * Team work (partner projects): the engine knows a team's author only;
	 * when it passes them, the other members are told it passed too
	 * ("pass" inputs after the input that passed the author, so they can
	 * review later teams). Pending (learner, step) pairs.
	 */
	int64_t (*team_passes)[2];
	int team_pass_count, team_pass_cap;
};

void gr_reviews_settings_defaults(struct gr_reviews_settings *out)
{
	memset(out, 0, sizeof(*out));
	out->policy = GR_REVIEW_POLICY_ENGINE;
	out->lease_ms = GR_REVIEW_DEFAULT_LEASE_MS;
	out->lease_online_ms = GR_REVIEW_DEFAULT_LEASE_ONLINE_MS;
	out->double_blind = 1;
	out->snapshot_inputs = 1000;
	out->push_cap = GR_REVIEW_DEFAULT_PUSH_CAP;
	out->coach_after_ms = GR_REVIEW_DEFAULT_COACH_AFTER_MS;
}

static int64_t now_ms(const struct gr_reviews *reviews)
{
	return reviews->settings.clock ? reviews->settings.clock() : gr_clock_now_ms();
}

static int out_of_memory(void)
{
	gr_error_set("reviews: out of memory");
	return GR_ERROR;
}

/* Grow *items (capacity *cap, size bytes each) to hold need. */
static int reserve(void **items, int *cap, int need, size_t size)
{
	int next = *cap ? *cap * 2 : 16;
	void *grown;

	if (need <= *cap)
		return 0;
	while (next < need)
		next *= 2;
	if (!(grown = realloc(*items, (size_t)next * size)))
		return out_of_memory();
	*items = grown;
	*cap = next;
	return 0;
}

/* ---- steps ----------------------------------------------------------------- */

static struct step_entry *step_by_id(struct gr_reviews *reviews, int64_t id)
{
	for (int i = 0; i < reviews->step_count; i++)
		if (reviews->steps[i].id == id)
			return &reviews->steps[i];
	return NULL;
}

static struct step_entry *step_by_name(struct gr_reviews *reviews, const char *track,
				       const char *step)
{
	for (int i = 0; i < reviews->step_count; i++)
		if (strcmp(reviews->steps[i].track, track) == 0 &&
		    strcmp(reviews->steps[i].step, step) == 0)
			return &reviews->steps[i];
	return NULL;
}

static int step_remember(int64_t id, const char *track, const char *step, void *payload)
{
	struct gr_reviews *reviews = payload;
	struct step_entry *entry;

	if (step_by_id(reviews, id))
		return 0;
	if (reserve((void **)&reviews->steps, &reviews->step_cap, reviews->step_count + 1,
		    sizeof(*reviews->steps)) < 0)
		return GR_ERROR;
	entry = &reviews->steps[reviews->step_count++];
	memset(entry, 0, sizeof(*entry));
	entry->id = id;
	snprintf(entry->track, sizeof(entry->track), "%s", track);
	snprintf(entry->step, sizeof(entry->step), "%s", step);
	return 0;
}

/* The step as served now, or NULL (its track removed or not loaded yet). */
static const struct gr_step *served_step(struct gr_reviews *reviews, const char *track,
					 const char *step)
{
	const struct gr_track *found = gr_library_track(reviews->library, track);

	return found ? gr_track_step(found, step) : NULL;
}

/* ---- the engine's inputs --------------------------------------------------- */

typedef int apply_fn(struct gr_reviews *reviews, const struct gr_store_review_input *input);

static int apply_learner(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	int rc = gr_review_learner_add(reviews->engine, input->a, input->at);

	if (rc == 0 && reserve((void **)&reviews->learners, &reviews->learner_cap,
			       reviews->learner_count + 1, sizeof(*reviews->learners)) == 0)
		reviews->learners[reviews->learner_count++] = input->a;
	return rc;
}

static int apply_active(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_learner_active(reviews->engine, input->a, (int)input->b, input->at);
}

static int apply_online(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_learner_online(reviews->engine, input->a, (int)input->b, input->at);
}

static int apply_step(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	struct step_entry *entry = step_by_id(reviews, input->a);
	int rc = gr_review_step_add(reviews->engine, input->a, (int)input->b);

	if (rc == 0 && entry)
		entry->reviews = (int)input->b;
	return rc;
}

static int apply_pass(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_step_pass(reviews->engine, input->a, input->b, input->at);
}

static int apply_submit(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_submit(reviews->engine, input->a, input->b, input->c, (int)input->d,
				input->at);
}

static int apply_give(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_give(reviews->engine, input->a, input->b, (enum gr_review_verdict)input->c,
			      input->at);
}

static int apply_decline(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_decline(reviews->engine, input->a, input->b, input->at);
}

static int apply_tick(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_tick(reviews->engine, input->at);
}

static int apply_cohort(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_learner_cohort(reviews->engine, input->a, (int)input->b, input->at);
}

static int apply_open(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_open(reviews->engine, input->a, input->b, input->at);
}

static int apply_pull(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_pull(reviews->engine, &reviews->made, input->a, input->at);
}

static int apply_coach(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	if (input->b == 3)
		return gr_review_coach_extend(reviews->engine, input->a, input->at);
	return gr_review_coach_decide(reviews->engine, input->a,
				      input->b == 1 ? GR_REVIEW_PASS : GR_REVIEW_NEEDS_WORK,
				      input->at);
}

static int apply_coach_assign(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_coach_assign(reviews->engine, &reviews->made, input->a, input->b,
				      input->at);
}

static int apply_withdraw(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	return gr_review_withdraw(reviews->engine, &reviews->made, input->a, input->at);
}

static const struct {
	const char *kind;
	apply_fn *apply;
} inputs[] = {
    {"learner", apply_learner},
    {"active", apply_active},
    {"online", apply_online},
    {"step", apply_step},
    {"pass", apply_pass},
    {"submit", apply_submit},
    {"give", apply_give},
    {"decline", apply_decline},
    {"tick", apply_tick},
    {"open", apply_open},
    {"pull", apply_pull},
    {"coach", apply_coach},
    {"coach_assign", apply_coach_assign},
    {"withdraw", apply_withdraw},
    {"cohort", apply_cohort},
};

static int apply(struct gr_reviews *reviews, const struct gr_store_review_input *input)
{
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		if (strcmp(inputs[i].kind, input->kind) == 0)
			return inputs[i].apply(reviews, input);
	gr_error_set("reviews: unknown input '%s'", input->kind);
	return GR_EINVALID;
}

static int ensure_learner(struct gr_reviews *reviews, int64_t learner_id);
static int input(struct gr_reviews *reviews, const char *kind, int64_t a, int64_t b, int64_t c,
		 int64_t d);

/* The members of a team whose author passed: each passes too, one input each. */
static int pass_team(struct gr_reviews *reviews)
{
	int rc = 0;

	while (rc == 0 && reviews->team_pass_count > 0) {
		int64_t *pair = reviews->team_passes[--reviews->team_pass_count];
		int64_t learner = pair[0], step = pair[1];

		if ((rc = ensure_learner(reviews, learner)) == 0)
			rc = input(reviews, "pass", learner, step, 0, 0);
	}
	return rc;
}

/*
 * Give the engine one input and log it (see "Which ticks are logged").
 * Returns the engine's code; effects are stored as they happen.
 */
static int input(struct gr_reviews *reviews, const char *kind, int64_t a, int64_t b, int64_t c,
		 int64_t d)
{
	struct gr_store_review_input row = {.a = a, .b = b, .c = c, .d = d};
	int is_tick = strcmp(kind, "tick") == 0, rc;

	snprintf(row.kind, sizeof(row.kind), "%s", kind);
	row.at = now_ms(reviews);
	reviews->effects = 0;
	rc = apply(reviews, &row);
	if (rc == 0 || rc == GR_ERROR || reviews->effects > 0)
		reviews->changed = 1;
	if (rc != 0 || reviews->failed)
		return rc ? rc : reviews->failed;
	if (is_tick && reviews->effects == 0 && !reviews->dirty)
		return 0;
	reviews->dirty = !is_tick;
	if ((rc = gr_store_review_input_insert(reviews->store, &row)) == 0) {
		reviews->since_snapshot++;
		reviews->last_input_at = row.at;
	}
	return rc ? rc : pass_team(reviews);
}

/* ---- replay and snapshots ------------------------------------------------------ */

/*
 * Snapshots. Replaying every input since the centre opened would make each
 * start slower than the last, so now and then the engine's whole state
 * (gr_review_snapshot, format in review.c) is stored with the last input
 * it covers (store/snapshot.c). It is written inside the transaction open
 * on the store, so it commits, or rolls back, with the inputs it covers.
 * A rebuild restores the newest snapshot and replays only the inputs
 * logged after it.
 *
 * When. At a tick (once a minute): when settings.snapshot_inputs inputs
 * (default 1,000) were logged since the last snapshot, or a tenth of that
 * and then none for QUIET_MS (a quiet spell: most evenings); and at a
 * clean stop (gr_reviews_snapshot, called by main.c), so the next start
 * replays nothing. A start after a crash replays at most about
 * snapshot_inputs inputs plus those of the last minute. A snapshot costs
 * its whole size (2.8 MB after a simulated year of 300 learners:
 * tools/bench-startup), so a few inputs after a quiet spell do not earn
 * one.
 *
 * What is kept. Saving a snapshot keeps the newest SNAPSHOTS_KEPT (two)
 * and prunes the inputs before the older one: the inputs are read only to
 * rebuild the engine (the stored assignments, reviews and events are the
 * history people see), and the older snapshot with the inputs after it is
 * the way back when the newest cannot be read.
 *
 * Rebuilding (at start, and after a failed change): the newest snapshot
 * that restores; one that does not (a format this grounds does not read,
 * corruption) is logged as an error and the next older one tried; with
 * none left, a full replay of the inputs, which needs every input since
 * the first: when some were pruned, the rebuild fails with a message
 * telling the operator what to do, and groundsd does not start.
 *
 * Invariant: a stored snapshot at seq is the engine's state after
 * exactly the inputs up to seq, so restoring it and replaying the rest
 * gives the engine a full replay would.
 */
#define SNAPSHOTS_KEPT 2
#define QUIET_MS ((int64_t)10 * 60 * 1000)

static int replay_one(const struct gr_store_review_input *row, void *payload)
{
	struct gr_reviews *reviews = payload;

	if (apply(reviews, row) != 0)
		gr_log_warn("review input %lld (%s) replays with an error: %s", (long long)row->seq,
			    row->kind, gr_error_last());
	reviews->since_snapshot++;
	reviews->last_input_at = row->at;
	return 0;
}

static void on_effect(const struct gr_review_effect *effect, void *payload);

/* The service's own lists, read back from a restored engine. */
static int adopt_engine(struct gr_reviews *reviews)
{
	int count = gr_review_learner_count(reviews->engine);

	if (reserve((void **)&reviews->learners, &reviews->learner_cap, count,
		    sizeof(*reviews->learners)) < 0)
		return GR_ERROR;
	for (int i = 0; i < count; i++)
		reviews->learners[i] = gr_review_learner_id(reviews->engine, i);
	reviews->learner_count = count;
	for (int i = 0; i < reviews->step_count; i++)
		reviews->steps[i].reviews =
		    gr_review_step_reviews(reviews->engine, reviews->steps[i].id);
	return 0;
}

/* The engine from the newest snapshot that restores, or none (engine NULL). */
static int restore_newest(struct gr_reviews *reviews)
{
	struct gr_store_snapshot snapshot = {0};
	int64_t before = INT64_MAX;
	int rc;

	while ((rc = gr_store_snapshot_newest(reviews->store, &snapshot, before)) == 0) {
		if (gr_review_restore(&reviews->engine, &reviews->config, snapshot.bytes,
				      snapshot.size) == 0) {
			reviews->restored_seq = snapshot.seq;
			reviews->restored_size = snapshot.size;
			gr_store_snapshot_clear(&snapshot);
			return adopt_engine(reviews);
		}
		gr_log_error("the review engine's snapshot of input %lld cannot be used (%s); "
			     "rebuilding from an older snapshot or the inputs instead",
			     (long long)snapshot.seq, gr_error_last());
		before = snapshot.seq;
		gr_store_snapshot_clear(&snapshot);
	}
	return rc == GR_ENOTFOUND ? 0 : rc;
}

/* No snapshot restored: a fresh engine, if no input was pruned. */
static int start_empty(struct gr_reviews *reviews)
{
	int64_t first = 0;
	int rc = gr_store_snapshot_first_input(reviews->store, &first);

	if (rc != 0)
		return rc;
	if (first > 1) {
		gr_error_set("the review engine cannot be rebuilt: no snapshot of it can be read "
			     "(see the errors above) and the inputs before #%lld, which they "
			     "covered, were pruned. Run the grounds version that wrote the "
			     "snapshots, or stop groundsd and put back a backup with "
			     "'grounds restore FILE' (backups are made by 'grounds backup FILE')",
			     (long long)first);
		return GR_ERROR;
	}
	return gr_review_new(&reviews->engine, &reviews->config);
}

/* A fresh engine: the newest usable snapshot, then every logged input after it. */
static int replay(struct gr_reviews *reviews)
{
	int rc;

	gr_review_free(reviews->engine);
	reviews->engine = NULL;
	reviews->learner_count = 0;
	reviews->restored_seq = 0;
	reviews->restored_size = 0;
	reviews->since_snapshot = 0;
	reviews->last_input_at = 0;
	reviews->step_count = 0; /* read again: a failed change may have undone one */
	if ((rc = gr_store_review_step_each(reviews->store, step_remember, reviews)) != 0 ||
	    (rc = restore_newest(reviews)) != 0 ||
	    (!reviews->engine && (rc = start_empty(reviews)) != 0))
		return rc;
	reviews->restored_assignments = gr_review_assignment_count(reviews->engine);
	reviews->replaying = 1;
	rc = gr_store_snapshot_inputs_after(reviews->store, reviews->restored_seq, replay_one,
					    reviews);
	reviews->replaying = 0;
	reviews->dirty = 1; /* the first tick after a start is always logged */
	return rc;
}

/* Rebuild the engine from the store after a change failed, so memory matches what is stored. */
static int rebuild(struct gr_reviews *reviews)
{
	int rc = replay(reviews);

	if (rc != 0)
		gr_log_error("rebuilding the review engine: %s", gr_error_last());
	return rc;
}

/* The turn's undo: a change the engine saw was rolled back. */
static void undo(void *payload)
{
	rebuild(payload);
}

/*
 * The replayed engine must have made exactly the stored assignments; a
 * difference (a lost input, changed settings) is logged loudly. Checked
 * from the last assignment the snapshot holds on, so it costs what the
 * replay did.
 */
static void verify_replay(struct gr_reviews *reviews)
{
	struct gr_review_assignment_info info;
	struct gr_store_assignment row;
	int64_t id = reviews->restored_assignments > 0 ? reviews->restored_assignments : 1;

	for (; gr_review_assignment_get(&info, reviews->engine, id) == 0; id++) {
		if (gr_store_assignment_get(reviews->store, &row, id) != 0 ||
		    row.reviewer_id != info.reviewer_id ||
		    row.submission_id != info.submission_id) {
			gr_log_error("the review engine replayed assignment %lld differently from "
				     "what is stored",
				     (long long)id);
			return;
		}
	}
	if (gr_store_assignment_get(reviews->store, &row, id) == 0)
		gr_log_error("the review engine replayed %lld assignments; more are stored",
			     (long long)id - 1);
}

/* Milliseconds on a clock that only goes forward, for how long a rebuild or snapshot took. */
static double monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
}

/* Store a snapshot of the engine as it is, in the open transaction or its own. */
static int save_snapshot(struct gr_reviews *reviews)
{
	unsigned char *bytes = NULL;
	size_t size = 0;
	int64_t seq = 0;
	double began = monotonic_ms();
	int rc = gr_review_snapshot(&bytes, &size, reviews->engine);

	struct gr_turn_change change;

	if (rc == 0 && (rc = gr_turn_begin(reviews->turn, &change)) == 0)
		rc = gr_turn_end(reviews->turn, &change,
				 gr_store_snapshot_save(reviews->store, &seq, bytes, size,
							now_ms(reviews), SNAPSHOTS_KEPT));
	free(bytes);
	if (rc != 0) {
		gr_log_warn("could not store a snapshot of the review engine: %s", gr_error_last());
		return rc;
	}
	reviews->since_snapshot = 0;
	gr_log_debug("stored a snapshot of the review engine after input %lld in %.0f ms: %zu "
		     "bytes",
		     (long long)seq, monotonic_ms() - began, size);
	return 0;
}

/* Whether a tick at now should store a snapshot. */
static int snapshot_due(const struct gr_reviews *reviews, int64_t now)
{
	if (reviews->settings.snapshot_inputs <= 0 || reviews->since_snapshot == 0)
		return 0;
	return reviews->since_snapshot >= reviews->settings.snapshot_inputs ||
	       (reviews->since_snapshot * 10 >= reviews->settings.snapshot_inputs &&
		now - reviews->last_input_at >= QUIET_MS);
}

int gr_reviews_snapshot(struct gr_reviews *reviews)
{
	if (!reviews || reviews->settings.snapshot_inputs <= 0 || reviews->since_snapshot == 0)
		return 0;
	return save_snapshot(reviews);
}

/* The start's rebuild, timed and logged: where it began and how many inputs it applied. */
static int rebuild_at_start(struct gr_reviews *reviews)
{
	double began = monotonic_ms();
	char from[128];
	int rc = replay(reviews);

	if (rc != 0)
		return rc;
	verify_replay(reviews);
	if (reviews->restored_seq > 0)
		snprintf(from, sizeof(from),
			 "the snapshot of input %lld (%zu bytes) and the %lld inputs after it",
			 (long long)reviews->restored_seq, reviews->restored_size,
			 (long long)reviews->since_snapshot);
	else
		snprintf(from, sizeof(from), "all %lld inputs (no snapshot)",
			 (long long)reviews->since_snapshot);
	gr_log_info("review engine rebuilt: %d learners, %d reviewed steps, in %.0f ms from %s",
		    reviews->learner_count, reviews->step_count, monotonic_ms() - began, from);
	return 0;
}

/* ---- the engine's settings and seed, made once ----------------------------- */

/* Keep the engine's seed and settings, which its inputs replay with. */
static int save_config(struct gr_reviews *reviews)
{
	const struct gr_review_config *config = &reviews->config;
	char text[160];

	snprintf(text, sizeof(text), "%llu %lld %lld %d %d %lld", (unsigned long long)config->seed,
		 (long long)config->lease_ms, (long long)config->lease_online_ms,
		 (int)config->policy, config->push_cap, (long long)config->coach_after_ms);
	return gr_store_meta_set(reviews->store, SEED_KEY, text);
}

/* The seed and settings the inputs were logged with; made from settings the first time. */
static int load_config(struct gr_reviews *reviews)
{
	struct gr_review_config *config = &reviews->config;
	char text[160];
	unsigned long long seed = 0;
	long long lease = 0, lease_online = 0, coach_after = 0;
	int policy = 0, push_cap = 0, fields, rc;

	gr_review_config_default(config);
	config->on_effect = on_effect;
	config->payload = reviews;
	config->policy = reviews->settings.policy;
	config->lease_ms = reviews->settings.lease_ms;
	config->lease_online_ms = reviews->settings.lease_online_ms;
	config->push_cap = reviews->settings.push_cap;
	config->coach_after_ms = reviews->settings.coach_after_ms;
	rc = gr_store_meta_get(reviews->store, text, sizeof(text), SEED_KEY);
	if (rc == 0 && (fields = sscanf(text, "%llu %lld %lld %d %d %lld", &seed, &lease,
					&lease_online, &policy, &push_cap, &coach_after)) >= 4) {
		config->seed = seed;
		if (fields == 6 &&
		    (push_cap != config->push_cap || coach_after != config->coach_after_ms))
			gr_log_warn("the review push cap and the wait before coaches keep their "
				    "first settings (%d, %lld ms): the engine replays its history "
				    "with them",
				    push_cap, coach_after);
		if (lease != config->lease_ms || lease_online != config->lease_online_ms ||
		    policy != (int)config->policy)
			gr_log_warn("review leases keep their first settings (%lld ms, %lld ms "
				    "online): the engine replays its history with them",
				    lease, lease_online);
		config->lease_ms = lease;
		config->lease_online_ms = lease_online;
		config->policy = (enum gr_review_policy)policy;
		if (fields == 6) {
			config->push_cap = push_cap;
			config->coach_after_ms = coach_after;
			return 0;
		}
		/* Kept by a grounds before the push cap: this one's settings from now on. */
		return save_config(reviews);
	}
	if (rc != 0 && rc != GR_ENOTFOUND)
		return rc;
	gr_secret_init();
	config->seed =
	    ((uint64_t)gr_secret_uniform(UINT32_MAX) << 32) | gr_secret_uniform(UINT32_MAX);
	return save_config(reviews);
}

/* ---- effects --------------------------------------------------------------- */

/* An event (consumed) on the user's stream, through the live service. */
static int push(struct gr_reviews *reviews, int64_t user_id, const char *board_track,
		struct gr_json *event)
{
	if (!event)
		return GR_ERROR; /* the pack that made it said why */
	if (!reviews->live) {
		gr_json_free(event);
		return 0;
	}
	return gr_live_event(reviews->live, user_id, board_track, event);
}

static int progress(struct gr_reviews *reviews, int64_t user_id, const struct step_entry *step,
		    enum gr_progress_action action)
{
	if (!reviews->live)
		return 0;
	return gr_live_progress(reviews->live, user_id, step->track, step->step, step->reviews,
				action);
}

static const char *step_title(struct gr_reviews *reviews, const struct step_entry *step)
{
	const struct gr_step *served = served_step(reviews, step->track, step->step);

	return served ? served->title : step->step;
}

/* ASSIGNED, REASSIGNED: the lease stored, the reviewer told, the author in review. */
static int effect_assigned(struct gr_reviews *reviews, const struct gr_review_effect *effect,
			   const struct step_entry *step)
{
	struct gr_store_assignment row = {
	    .id = effect->assignment_id,
	    .submission_id = effect->submission_id,
	    .reviewer_id = effect->reviewer_id,
	    .state = GR_REVIEW_ASSIGNED,
	    .due_at = effect->due_at,
	    .created_at = effect->at,
	};
	struct gr_json *event =
	    gr_json_pack("{s:s, s:I, s:s, s:s, s:s, s:I}", "event", "review.assigned", "assignment",
		      (long long)effect->assignment_id, "track", step->track, "step", step->step,
		      "title", step_title(reviews, step), "due_at", (long long)effect->due_at);
	int rc = gr_store_assignment_insert(reviews->store, &row);

	if (rc != 0) {
		gr_json_free(event);
		return rc;
	}
	if ((rc = push(reviews, effect->reviewer_id, NULL, event)) != 0)
		return rc;
	return progress(reviews, effect->author_id, step, GR_PROGRESS_REVIEW_BEGIN);
}

/* EXPIRED, DECLINED: the lease ended; the reviewer is told. */
static int effect_ended(struct gr_reviews *reviews, const struct gr_review_effect *effect,
			const struct step_entry *step)
{
	enum gr_review_assignment_state ended =
	    effect->kind == GR_REVIEW_EFFECT_DECLINED ? GR_REVIEW_DECLINED : GR_REVIEW_EXPIRED;
	const char *reason = gr_review_assignment_state_name(ended);
	int rc = gr_store_assignment_end(reviews->store, effect->assignment_id, ended, effect->at);

	if (rc != 0)
		return rc;
	return push(reviews, effect->reviewer_id, NULL,
		    gr_json_pack("{s:s, s:I, s:s, s:s, s:s}", "event", "review.expired",
				 "assignment", (long long)effect->assignment_id, "reason", reason,
				 "track", step->track, "step", step->step));
}

/* REVIEWED: the lease is done; the author receives the review (not who gave it). */
static int effect_reviewed(struct gr_reviews *reviews, const struct gr_review_effect *effect,
			   const struct step_entry *step)
{
	int rc = gr_store_assignment_end(reviews->store, effect->assignment_id, GR_REVIEW_DONE,
					 effect->at);

	if (rc != 0)
		return rc;
	return push(reviews, effect->author_id, NULL,
		    gr_json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "event", "review.received",
			      "review", (long long)reviews->giving, "submission",
			      (long long)effect->submission_id, "track", step->track, "step",
			      step->step, "verdict",
			      effect->verdict == GR_REVIEW_PASS ? "pass" : "needs_work"));
}

/* COACH: no peer took it in time; the author and the cohort's board are told. */
static int effect_coach(struct gr_reviews *reviews, const struct gr_review_effect *effect,
			const struct step_entry *step)
{
	return push(reviews, effect->author_id, step->track,
		    gr_json_pack("{s:s, s:I, s:s, s:s, s:s}", "event", "review.coach", "submission",
				 (long long)effect->submission_id, "track", step->track, "step",
				 step->step, "title", step_title(reviews, step)));
}

static int queue_member(int64_t id, void *payload)
{
	struct gr_reviews *reviews = ((void **)payload)[0];
	const struct gr_review_effect *effect = ((void **)payload)[1];
	const struct step_entry *step = ((void **)payload)[2];

	if (id == effect->author_id)
		return 0;
	if (reserve((void **)&reviews->team_passes, &reviews->team_pass_cap,
		    reviews->team_pass_count + 1, sizeof(*reviews->team_passes)) < 0)
		return GR_ERROR;
	reviews->team_passes[reviews->team_pass_count][0] = id;
	reviews->team_passes[reviews->team_pass_count++][1] = step->id;
	return 0;
}

/* PASSED on a team's work: its other members pass too, once this input is logged. */
static int team_passed(struct gr_reviews *reviews, const struct gr_review_effect *effect,
		       const struct step_entry *step)
{
	struct gr_store_project_team team;
	void *payload[3] = { reviews, (void *)effect, (void *)step };
	int rc = gr_store_project_team_of_submission(reviews->store, &team, effect->submission_id);

	if (rc == GR_ENOTFOUND)
		return 0;
	return rc ? rc : gr_store_project_team_each_member(reviews->store, team.id, queue_member, payload);
}

static int store_effect(struct gr_reviews *reviews, const struct gr_review_effect *effect)
{
	const struct step_entry *step = step_by_id(reviews, effect->step_id);
	int rc;

	if (!step) {
		gr_error_set("reviews: an effect on unknown step %lld", (long long)effect->step_id);
		return GR_ERROR;
	}
	switch (effect->kind) {
	case GR_REVIEW_EFFECT_ASSIGNED:
	case GR_REVIEW_EFFECT_REASSIGNED:
		return effect_assigned(reviews, effect, step);
	case GR_REVIEW_EFFECT_EXPIRED:
		gr_metrics_count(GR_METRICS_LEASES_EXPIRED);
		return effect_ended(reviews, effect, step);
	case GR_REVIEW_EFFECT_DECLINED:
		return effect_ended(reviews, effect, step);
	case GR_REVIEW_EFFECT_REVIEWED:
		return effect_reviewed(reviews, effect, step);
	case GR_REVIEW_EFFECT_PASSED:
		if ((rc = progress(reviews, effect->author_id, step, GR_PROGRESS_PASS)) != 0)
			return rc;
		return team_passed(reviews, effect, step);
	case GR_REVIEW_EFFECT_NEEDS_WORK:
		return progress(reviews, effect->author_id, step, GR_PROGRESS_FAIL);
	case GR_REVIEW_EFFECT_TIE:
		return 0; /* one more slot: its assignment follows as its own effect */
	case GR_REVIEW_EFFECT_COACH:
		return effect_coach(reviews, effect, step);
	case GR_REVIEW_EFFECT_OPENED:
		return gr_store_assignment_due(reviews->store, effect->assignment_id,
					       effect->due_at);
	case GR_REVIEW_EFFECT_WITHDRAWN:
		return 0; /* the flag's outcome is stored by whoever upheld it */
	case GR_REVIEW_EFFECT_REOPENED:
		return progress(reviews, effect->author_id, step, GR_PROGRESS_REVIEW_BEGIN);
	}
	return 0;
}

static void on_effect(const struct gr_review_effect *effect, void *payload)
{
	struct gr_reviews *reviews = payload;
	int rc;

	reviews->effects++;
	if (reviews->replaying || reviews->failed)
		return;
	if ((rc = store_effect(reviews, effect)) != 0) {
		gr_log_error("storing the review effect '%s' on submission %lld: %s",
			     gr_review_effect_name(effect->kind), (long long)effect->submission_id,
			     gr_error_last());
		reviews->failed = rc;
	}
}

/* ---- changes: one savepoint each ------------------------------------------ */

typedef int change_fn(struct gr_reviews *reviews, void *argument);

/*
 * Run fn inside a savepoint of the turn. When it or an effect failed, the
 * savepoint is rolled back and the engine rebuilt from what is stored.
 */
static int change(struct gr_reviews *reviews, change_fn *fn, void *argument)
{
	struct gr_turn_change turn_change;
	int rc, undo_rc = 0;

	if ((rc = gr_turn_begin(reviews->turn, &turn_change)) != 0)
		return rc;
	reviews->failed = 0;
	reviews->changed = 0;
	rc = fn(reviews, argument);
	if (rc == 0 && reviews->failed)
		rc = reviews->failed; /* on_effect logged why */
	/* Memory ran ahead of the store: if the change or its turn is undone, rebuild. */
	if (reviews->changed && (undo_rc = gr_turn_on_undo(reviews->turn, undo, reviews)) != 0)
		rc = rc ? rc : undo_rc;
	rc = gr_turn_end(reviews->turn, &turn_change, rc);
	if (rc != 0 && undo_rc != 0)
		rebuild(reviews); /* the undo could not be registered */
	reviews->failed = 0;
	reviews->team_pass_count = 0;
	return rc;
}

/* The learner, known to the engine from now on. */
/*
 * The engine's number for a cohort: 0 for none, else a 31-bit hash of its
 * name (never 0). Peers review within their cohort (review.c); two names
 * sharing a number would only pool their reviewers.
 */
static int cohort_number(const char *cohort)
{
	uint32_t hash = 2166136261u;

	if (!cohort || !cohort[0])
		return 0;
	for (const unsigned char *c = (const unsigned char *)cohort; *c; c++)
		hash = (hash ^ *c) * 16777619u;
	return (int)(hash & 0x7fffffff) | 1;
}

/* Tell the engine the learner's cohort as stored, when it knows another. */
static int sync_cohort(struct gr_reviews *reviews, int64_t learner_id)
{
	struct gr_review_learner_info info;
	struct gr_user user;
	int rc = gr_store_user_by_id(reviews->store, &user, learner_id), number;

	if (rc == GR_ENOTFOUND)
		return 0;
	if (rc != 0 || (rc = gr_review_learner_get(&info, reviews->engine, learner_id,
						   now_ms(reviews))) != 0)
		return rc;
	number = cohort_number(user.cohort);
	return number == info.cohort ? 0 : input(reviews, "cohort", learner_id, number, 0, 0);
}

static int ensure_learner(struct gr_reviews *reviews, int64_t learner_id)
{
	struct gr_review_learner_info info;
	int rc;

	if (gr_review_learner_get(&info, reviews->engine, learner_id, now_ms(reviews)) == 0)
		return 0;
	if ((rc = input(reviews, "learner", learner_id, 0, 0, 0)) != 0)
		return rc;
	return sync_cohort(reviews, learner_id);
}

struct id_list {
	int64_t *ids;
	int count, cap;
};

static int add_id(int64_t id, void *payload)
{
	struct id_list *list = payload;

	if (reserve((void **)&list->ids, &list->cap, list->count + 1, sizeof(*list->ids)) < 0)
		return GR_ERROR;
	list->ids[list->count++] = id;
	return 0;
}

/* Tell the engine who passed a step it has just learnt about. */
static int add_passed(struct gr_reviews *reviews, const struct step_entry *step)
{
	struct id_list list = {0};
	int rc =
	    gr_store_progress_passed_each(reviews->store, step->track, step->step, add_id, &list);

	for (int i = 0; i < list.count && rc == 0; i++)
		if ((rc = ensure_learner(reviews, list.ids[i])) == 0)
			rc = input(reviews, "pass", list.ids[i], step->id, 0, 0);
	free(list.ids);
	return rc;
}

/* The step, known to the engine with its review count from now on. */
static int ensure_step(struct gr_reviews *reviews, struct step_entry **out, const char *track,
		       const char *step, int reviews_needed)
{
	int64_t id = 0;
	int rc;

	*out = step_by_name(reviews, track, step);
	if (*out && (*out)->reviews > 0)
		return 0;
	if (!*out) {
		if ((rc = gr_store_review_step_id(reviews->store, &id, track, step)) != 0 ||
		    (rc = step_remember(id, track, step, reviews)) != 0)
			return rc;
		*out = step_by_id(reviews, id);
	}
	if ((rc = input(reviews, "step", (*out)->id, reviews_needed, 0, 0)) != 0)
		return rc;
	return add_passed(reviews, *out);
}

/* ---- presence --------------------------------------------------------------- */

static int *connection_count(struct connections *table, int64_t user)
{
	uint64_t mask, at;

	if (table->used * 2 >= table->cap) {
		struct connections grown = {.cap = table->cap ? table->cap * 2 : 64};

		grown.users = calloc((size_t)grown.cap, sizeof(*grown.users));
		grown.counts = calloc((size_t)grown.cap, sizeof(*grown.counts));
		if (!grown.users || !grown.counts) {
			free(grown.users);
			free(grown.counts);
			return NULL;
		}
		for (int i = 0; i < table->cap; i++)
			if (table->users[i])
				*connection_count(&grown, table->users[i]) = table->counts[i];
		free(table->users);
		free(table->counts);
		*table = grown;
	}
	mask = (uint64_t)table->cap - 1;
	for (at = ((uint64_t)user * 0x9e3779b97f4a7c15ULL) & mask; table->users[at];
	     at = (at + 1) & mask)
		if (table->users[at] == user)
			return &table->counts[at];
	table->users[at] = user;
	table->used++;
	return &table->counts[at];
}

/*
 * A learner came online or left. Coming online, their cohort is read again:
 * a change by a coach, an admin or the operator's tool (which closes their
 * connections, so they come back) reaches the engine before anything is
 * pushed to them.
 */
static int change_online(struct gr_reviews *reviews, void *argument)
{
	const int64_t *args = argument; /* user, online */
	int rc = ensure_learner(reviews, args[0]);

	if (rc == 0 && args[1])
		rc = sync_cohort(reviews, args[0]);
	return rc ? rc : input(reviews, "online", args[0], args[1], 0, 0);
}

/* A connection of user opened or closed: the first and last of a learner count. */
static int presence(void *payload, const struct gr_user *user, int opened)
{
	struct gr_reviews *reviews = payload;
	int *count;
	int64_t args[2] = {user->id, opened != 0};

	if (user->role != GR_ROLE_LEARNER)
		return 0;
	if (!(count = connection_count(&reviews->connections, user->id)))
		return out_of_memory();
	*count += opened ? 1 : -1;
	if ((opened && *count != 1) || (!opened && *count != 0))
		return 0;
	return change(reviews, change_online, args);
}

/*
 * At start nobody is connected, whatever the log last said; and each
 * learner's cohort is the one stored (a change since, or learners an older
 * grounds knew without cohorts).
 */
static int mark_all_offline(struct gr_reviews *reviews, void *argument)
{
	struct gr_review_learner_info info;
	int rc = 0;

	(void)argument;
	for (int i = 0; i < reviews->learner_count && rc == 0; i++) {
		if (gr_review_learner_get(&info, reviews->engine, reviews->learners[i],
					  now_ms(reviews)) == 0 &&
		    info.online)
			rc = input(reviews, "online", reviews->learners[i], 0, 0, 0);
		if (rc == 0)
			rc = sync_cohort(reviews, reviews->learners[i]);
	}
	return rc;
}

/* ---- submissions and time --------------------------------------------------- */

struct submitted {
	const struct gr_store_submission *submission;
	int reviews_needed;
};

static int change_submit(struct gr_reviews *reviews, void *argument)
{
	const struct submitted *work = argument;
	const struct gr_store_submission *submission = work->submission;
	struct step_entry *step;
	int rc;

	if ((rc = ensure_learner(reviews, submission->user_id)) != 0 ||
	    (rc = ensure_step(reviews, &step, submission->track_id, submission->step_id,
			      work->reviews_needed)) != 0)
		return rc;
	return input(reviews, "submit", submission->id, submission->user_id, step->id,
		     submission->attempt);
}

/* Work was just stored, in the change that stores it: the engine assigns what it can. */
static int submitted(void *payload, const struct gr_store_submission *submission,
		     int reviews_needed)
{
	struct gr_reviews *reviews = payload;
	struct submitted work = {submission, reviews_needed};

	return change(reviews, change_submit, &work);
}

/* Learners disabled since: their leases go to others. */
static int deactivate(int64_t id, void *payload)
{
	struct gr_reviews *reviews = payload;
	struct gr_review_learner_info info;

	if (gr_review_learner_get(&info, reviews->engine, id, now_ms(reviews)) != 0 || !info.active)
		return 0;
	return input(reviews, "active", id, 0, 0, 0);
}

static int change_tick(struct gr_reviews *reviews, void *argument)
{
	struct id_list list = {0};
	int rc;

	(void)argument;
	rc = gr_store_user_disabled_learners(reviews->store, add_id, &list);
	for (int i = 0; i < list.count && rc == 0; i++)
		rc = deactivate(list.ids[i], reviews);
	free(list.ids);
	return rc ? rc : input(reviews, "tick", 0, 0, 0, 0);
}

int gr_reviews_tick(struct gr_reviews *reviews)
{
	int rc = change(reviews, change_tick, NULL);

	if (rc != 0)
		gr_log_error("the review tick failed: %s", gr_error_last());
	else if (snapshot_due(reviews, now_ms(reviews)))
		save_snapshot(reviews); /* a failure is logged and tried again next tick */
	return rc;
}

/* ---- the messages: helpers ------------------------------------------------------ */

/* Stored HTML (rendered when it was written) as JSON: null when there is none. */
static struct gr_json *html_json(const char *html)
{
	return html ? gr_json_string(html) : gr_json_null();
}

static int is_blank(const char *text)
{
	return !text || !text[strspn(text, " \t\r\n")];
}

static const char *state_name(enum gr_review_submission_state state)
{
	static const char *const names[] = {
	    [GR_REVIEW_SUBMISSION_WAITING] = "waiting",
	    [GR_REVIEW_SUBMISSION_IN_REVIEW] = "in_review",
	    [GR_REVIEW_SUBMISSION_PASSED] = "passed",
	    [GR_REVIEW_SUBMISSION_NEEDS_WORK] = "needs_work",
	};

	return names[state];
}

static const char *served_title(struct gr_reviews *reviews, const char *track, const char *step)
{
	const struct gr_step *served = served_step(reviews, track, step);

	return served ? served->title : step;
}

/*
 * The assignment asked for, if it is user's: else out is failed (not_found,
 * forbidden) and -1 returned.
 */
static int own_assignment(struct gr_reviews *reviews, struct gr_protocol_answer *out,
			  struct gr_store_assignment *row, const struct gr_user *user, int64_t id)
{
	int rc = gr_store_assignment_get(reviews->store, row, id);

	if (rc == GR_ENOTFOUND) {
		gr_protocol_fail(out, "review_missing", "There is no review assignment %lld.",
				 (long long)id);
		return -1;
	}
	if (rc != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return -1;
	}
	if (row->reviewer_id != user->id) {
		gr_protocol_fail(out, "review_not_yours", "This review is not yours.");
		return -1;
	}
	return 0;
}

/* The assignment is still the user's to review; else out is failed (conflict). */
static int still_open(struct gr_protocol_answer *out, const struct gr_store_assignment *row)
{
	if (row->state == GR_REVIEW_ASSIGNED)
		return 0;
	if (row->state == GR_REVIEW_DONE)
		gr_protocol_fail(out, "review_done", "You reviewed this already.");
	else if (row->state == GR_REVIEW_DECLINED)
		gr_protocol_fail(out, "review_declined", "You declined this review.");
	else
		gr_protocol_fail(out, "review_expired",
			  "The time for this review ran out, and it went to someone else.");
	return -1;
}

/* The scalar fields of a review, copied out of the store's row. */
struct review_ids {
	int64_t id, assignment_id, submission_id, author_id;
	struct gr_json *json; /* built by a reader, or NULL */
};

static int copy_review_ids(const struct gr_store_review *review, void *payload)
{
	struct review_ids *ids = payload;

	ids->id = review->id;
	ids->assignment_id = review->assignment_id;
	ids->submission_id = review->submission_id;
	ids->author_id = review->author_id;
	return 0;
}

/*
 * The review asked for, if user wrote what it reviews (for a team's work:
 * any member of the team); else out is failed.
 */
static int own_review(struct gr_reviews *reviews, struct gr_protocol_answer *out,
		      struct review_ids *ids, const struct gr_user *user, int64_t id)
{
	int rc = gr_store_review_get(reviews->store, id, copy_review_ids, ids), member = 0;

	if (rc == GR_ENOTFOUND) {
		gr_protocol_fail(out, "review_missing", "There is no review %lld.", (long long)id);
		return -1;
	}
	if (rc == 0 && ids->author_id != user->id) /* a team's work is each member's */
		rc = gr_store_project_in_team_of_submission(reviews->store, &member,
							    ids->submission_id, user->id);
	if (rc != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return -1;
	}
	if (ids->author_id != user->id && !member) {
		gr_protocol_fail(out, "review_author_only",
				 "Only the author of the work reviewed, or a member of the team that "
				 "handed it in, may do this.");
		return -1;
	}
	return 0;
}

/*
 * Add field = {"handle", "display_name"} of user_id to object, only when
 * reviews are not double-blind (and the user is known). 0 or a code.
 */
static int add_person(struct gr_reviews *reviews, struct gr_json *object, const char *field,
		      int64_t user_id)
{
	struct gr_user person;
	int rc;

	if (reviews->settings.double_blind)
		return 0;
	rc = gr_store_user_by_id(reviews->store, &person, user_id);
	if (rc != 0)
		return rc == GR_ENOTFOUND ? 0 : rc;
	return gr_json_set(object, field,
			   gr_json_pack("{s:s, s:s}", "handle", person.handle, "display_name",
					person.display_name))
		   ? out_of_memory()
		   : 0;
}

/* ---- review.list ------------------------------------------------------------ */

struct listing {
	struct gr_reviews *reviews;
	struct gr_json *list;
};

static int list_one(const struct gr_store_assignment *row, void *payload)
{
	struct listing *listing = payload;
	struct gr_json *item = gr_json_pack(
	    "{s:I, s:I, s:s, s:s, s:s, s:i, s:I, s:s}", "assignment", (long long)row->id,
	    "submission", (long long)row->submission_id, "track", row->track_id, "step",
	    row->step_id, "title", served_title(listing->reviews, row->track_id, row->step_id),
	    "attempt", row->attempt, "due_at", (long long)row->due_at, "state",
	    gr_review_assignment_state_name(row->state));
	int rc;

	if (!item)
		return out_of_memory();
	if ((rc = add_person(listing->reviews, item, "author", row->author_id)) != 0) {
		gr_json_free(item);
		return rc;
	}
	return gr_json_append(listing->list, item) ? out_of_memory() : 0;
}

static void handle_list(void *payload, struct gr_protocol_answer *out,
			struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	const struct gr_user *user = &client->user;
	struct listing listing = {reviews, gr_json_array()};
	struct gr_review_learner_info info;
	int rc;

	(void)request;
	gr_review_learner_get(&info, reviews->engine, user->id,
			      now_ms(reviews)); /* zeros when unknown */
	rc = gr_store_assignment_each_of_reviewer(reviews->store, user->id, LIST_LIMIT, list_one,
						  &listing);
	if (rc != 0) {
		gr_json_free(listing.list);
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	out->body = gr_json_pack("{s:o, s:i, s:i, s:i, s:i}", "assignments", listing.list, "given",
				 info.given, "received", info.received, "owed", info.owed,
				 "push_room", info.push_room);
}

/* ---- review.get ------------------------------------------------------------- */

static struct gr_json *rubric_json(const struct gr_step *step)
{
	struct gr_json *rubric = gr_json_array();

	for (int i = 0; step && i < step->rubric.count; i++)
		gr_json_append(rubric, gr_json_string(step->rubric.items[i]));
	return rubric;
}

static int work_to_review(const struct gr_store_submission *row, void *payload)
{
	struct gr_json *body = payload;

	gr_json_set(body, "body_html", html_json(row->body_html));
	gr_json_set(body, "link", row->link[0] ? gr_json_string(row->link) : gr_json_null());
	return 0;
}

static int review_given(const struct gr_store_review *review, void *payload)
{
	struct gr_json *body = payload;

	gr_json_set(body, "review",
		    gr_json_pack("{s:I, s:s, s:o, s:s}", "review", (long long)review->id, "verdict",
				 review->verdict, "checks",
				 gr_json_load(review->checks, strlen(review->checks)), "comment_md",
				 review->comment_md));
	return 0;
}

static int change_open(struct gr_reviews *reviews, void *argument)
{
	const struct gr_store_assignment *row = argument;

	return input(reviews, "open", row->id, row->reviewer_id, 0, 0);
}

/* The assignee opened a live lease; once is enough (the store has its new due time). */
static int open_lease(struct gr_reviews *reviews, struct gr_store_assignment *row)
{
	struct gr_review_assignment_info info;
	int rc;

	if (gr_review_assignment_get(&info, reviews->engine, row->id) != 0 || info.opened_at ||
	    info.state != GR_REVIEW_ASSIGNED)
		return 0;
	if ((rc = change(reviews, change_open, row)) == 0)
		row->due_at = gr_review_assignment_get(&info, reviews->engine, row->id) == 0
				  ? info.due_at
				  : row->due_at;
	return rc;
}

/*
 * Only the assignee, while the lease is live or done; who the author is only
 * when reviews are not double-blind.
 */
static void handle_get(void *payload, struct gr_protocol_answer *out,
		       struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	const struct gr_user *user = &client->user;
	const struct gr_step *step;
	struct gr_store_assignment row;
	int rc;

	if (own_assignment(reviews, out, &row, user, request->assignment) != 0)
		return;
	if (row.state != GR_REVIEW_ASSIGNED && row.state != GR_REVIEW_DONE) {
		gr_protocol_fail(out, "review_gone", "This review is no longer yours: it was %s.",
			  gr_review_assignment_state_name(row.state));
		out->body = gr_json_pack("{s:s}", "state",
					 gr_review_assignment_state_name(row.state));
		return;
	}
	/* Reading it opens it: the lease is the reviewer's to finish now. */
	if (row.state == GR_REVIEW_ASSIGNED && (rc = open_lease(reviews, &row)) != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	step = served_step(reviews, row.track_id, row.step_id);
	out->body =
	    gr_json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:o, s:I, s:s}", "assignment",
			 (long long)row.id, "track", row.track_id, "step", row.step_id, "title",
			 step ? step->title : row.step_id, "kind",
			 gr_manifest_step_kind_name(step ? step->kind : GR_STEP_PROJECT), "attempt",
			 row.attempt, "rubric", rubric_json(step), "due_at", (long long)row.due_at,
			 "state", gr_review_assignment_state_name(row.state));
	rc = gr_store_submission_get(reviews->store, row.submission_id, work_to_review, out->body);
	if (rc == 0)
		rc = add_person(reviews, out->body, "author", row.author_id);
	if (rc == 0 && row.state == GR_REVIEW_DONE)
		rc = gr_store_review_of_assignment(reviews->store, row.id, review_given, out->body);
	if (rc != 0)
		gr_protocol_fail_status(out, rc, "a review request");
}

/* ---- submission.get --------------------------------------------------------- */

static int my_work(const struct gr_store_submission *row, void *payload)
{
	struct gr_json **body = payload;

	*body =
	    gr_json_pack("{s:I, s:s, s:s, s:i, s:I, s:o, s:s?}", "submission", (long long)row->id,
			 "track", row->track_id, "step", row->step_id, "attempt", row->attempt,
			 "submitted_at", (long long)row->created_at, "body_html",
			 html_json(row->body_html), "link", row->link[0] ? row->link : NULL);
	return *body ? 0 : out_of_memory();
}

struct received {
	struct gr_reviews *reviews;
	struct gr_json *list;
};

static int review_received(const struct gr_store_review *review, void *payload)
{
	struct received *received = payload;
	int rc;
	struct gr_json *item = gr_json_pack(
	    "{s:I, s:s, s:o, s:o, s:b, s:I}", "review", (long long)review->id, "verdict",
	    review->verdict, "checks", gr_json_load(review->checks, strlen(review->checks)),
	    "comment_html", html_json(review->comment_html), "flagged", review->flag_reason != NULL,
	    "created_at", (long long)review->created_at);

	if (!item)
		return out_of_memory();
	gr_json_set(item, "helpfulness",
		    review->helpfulness ? gr_json_integer(review->helpfulness) : gr_json_null());
	if ((rc = add_person(received->reviews, item, "reviewer", review->reviewer_id)) != 0) {
		gr_json_free(item);
		return rc;
	}
	return gr_json_append(received->list, item) ? out_of_memory() : 0;
}

static struct gr_json *standing_json(const struct gr_review_standing *standing)
{
	static const char *const reasons[] = {
	    [GR_REVIEW_WAIT_NONE] = NULL,
	    [GR_REVIEW_WAIT_NO_PEER] = "no_peer",
	    [GR_REVIEW_WAIT_NOT_ONLINE] = "not_online",
	    [GR_REVIEW_WAIT_COACH] = "coach",
	};

	return gr_json_pack("{s:i, s:i, s:i, s:i, s:s?, s:i, s:i, s:I, s:I, s:b}", "slots",
			    standing->slots, "done", standing->done, "assigned", standing->assigned,
			    "open", standing->open, "reason", reasons[standing->reason], "eligible",
			    standing->eligible, "online", standing->eligible_online,
			    "waiting_since", (long long)standing->waiting_since, "coach_at",
			    (long long)standing->coach_at, "by_coach", standing->by_coach);
}

/* A coach's comment on a reflection, as submission.get shows it. */
static int comment_received(const struct gr_store_reflection_comment *row, void *payload)
{
	struct received *received = payload;
	struct gr_json *from = row->coach_id ? gr_live_person(received->reviews->store, row->coach_id)
					     : gr_json_null();
	struct gr_json *item = gr_json_pack("{s:I, s:i, s:o, s:s, s:I}", "comment", (long long)row->id,
					    "attempt", row->attempt, "from", from, "body", row->body,
					    "at", (long long)row->created_at);

	return !item || gr_json_append(received->list, item) ? out_of_memory() : 0;
}

static int add_member_person(int64_t id, void *payload)
{
	struct received *received = payload;

	return gr_json_append(received->list, gr_live_person(received->reviews->store, id))
		       ? out_of_memory()
		       : 0;
}

static int add_feedback(const struct gr_store_project_feedback *row, void *payload)
{
	return gr_json_append(payload, gr_json_pack("{s:I, s:s, s:I}", "id", (long long)row->id,
						     "body", row->body, "at",
						     (long long)row->created_at))
		       ? out_of_memory()
		       : 0;
}

/* A team's work: body gets "team" {id, name, members} and the partner's "feedback" on it. */
static int team_json(struct gr_reviews *reviews, struct gr_json *body,
		     const struct gr_store_project_team *team, int64_t submission_id)
{
	struct received members = {reviews, gr_json_array()};
	struct gr_json *feedback = gr_json_array();
	int rc = members.list && feedback ? 0 : out_of_memory();

	if (rc == 0)
		rc = gr_store_project_team_each_member(reviews->store, team->id, add_member_person,
					       &members);
	if (rc == 0)
		rc = gr_store_project_feedback_each(reviews->store, submission_id, add_feedback, feedback);
	if (rc != 0) {
		gr_json_free(members.list);
		gr_json_free(feedback);
		return rc;
	}
	gr_json_set(body, "team",
		    gr_json_pack("{s:I, s:s, s:o}", "id", (long long)team->id, "name", team->name,
				 "members", members.list));
	gr_json_set(body, "feedback", feedback);
	return 0;
}

/* The user's latest work on a step, where it stands, and the reviews it received. */
static void handle_submission_get(void *payload, struct gr_protocol_answer *out,
				  struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	const struct gr_user *user = &client->user;
	struct gr_review_standing standing;
	struct gr_json *list = gr_json_array();
	struct received received = {reviews, list};
	struct gr_store_project_team team = {0};
	int64_t id, author = user->id;
	int rc = gr_store_project_team_of_track(reviews->store, &team, request->track, user->id);

	if (rc == 0 && team.author_id)
		author = team.author_id; /* a team's work goes in under its author */
	rc = rc == 0 || rc == GR_ENOTFOUND ? 0 : rc;
	if (rc == 0)
		rc = gr_store_submission_latest(reviews->store, author, request->track,
						request->step, my_work, &out->body);

	if (rc == 0) {
		id = gr_json_integer_value(gr_json_get(out->body, "submission"));
		rc = gr_store_review_each_of_submission(reviews->store, id, review_received,
							&received);
	}
	if (rc != 0) {
		gr_json_free(list);
		if (rc == GR_ENOTFOUND)
			gr_protocol_fail(out, "no_submission",
					 "You have not submitted work on this step.");
		else
			gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	gr_json_set(out->body, "reviews", list);
	received.list = gr_json_array();
	rc = received.list ? gr_store_reflection_each_comment(reviews->store, user->id, request->track,
							       request->step, comment_received,
							       &received)
			   : out_of_memory();
	if (rc != 0) {
		gr_json_free(received.list);
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	gr_json_set(out->body, "comments", received.list);
	if (team.id && (rc = team_json(reviews, out->body, &team, id)) != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	if (gr_review_standing_get(&standing, reviews->engine, id, now_ms(reviews)) == 0) {
		gr_json_set(out->body, "state", gr_json_string(state_name(standing.state)));
		gr_json_set(out->body, "standing", standing_json(&standing));
	} else {
		gr_json_set(out->body, "state", gr_json_null());
		gr_json_set(out->body, "standing", gr_json_null());
	}
}

/* ---- review.submit and review.decline ---------------------------------------- */

struct giving {
	const struct gr_store_assignment *row;
	const struct gr_request *request;
	enum gr_review_verdict verdict;
	char checks[GR_PROTOCOL_MAX_CHECKS * 6 + 3];
	int64_t review_id;
};

static void checks_text(char *out, size_t size, const struct gr_request *request)
{
	size_t used = (size_t)snprintf(out, size, "[");

	for (int i = 0; i < request->check_count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "",
					 request->checks[i] ? "true" : "false");
	if (used < size)
		snprintf(out + used, size - used, "]");
}

static int change_give(struct gr_reviews *reviews, void *argument)
{
	struct giving *giving = argument;
	struct gr_store_review review = {
	    .assignment_id = giving->row->id,
	    .submission_id = giving->row->submission_id,
	    .reviewer_id = giving->row->reviewer_id,
	    .verdict = giving->verdict == GR_REVIEW_PASS ? "pass" : "needs_work",
	    .checks = giving->checks,
	    .comment_md = giving->request->comment_md,
	    .comment_html = giving->request->html ? giving->request->html : "",
	    .created_at = now_ms(reviews),
	};
	int rc = gr_store_review_insert(reviews->store, &review);

	if (rc != 0)
		return rc;
	giving->review_id = reviews->giving = review.id;
	return input(reviews, "give", giving->row->id, giving->row->reviewer_id, giving->verdict,
		     0);
}

/* The request's verdict and checks fit the step; else out is failed (bad_value). */
static int check_review(struct gr_reviews *reviews, struct gr_protocol_answer *out,
			const struct gr_store_assignment *row, const struct gr_request *request,
			enum gr_review_verdict *verdict)
{
	const struct gr_step *step = served_step(reviews, row->track_id, row->step_id);

	if (strcmp(request->verdict, "pass") == 0) {
		*verdict = GR_REVIEW_PASS;
	} else if (strcmp(request->verdict, "needs_work") == 0) {
		*verdict = GR_REVIEW_NEEDS_WORK;
	} else {
		gr_protocol_fail(out, "bad_value", "'verdict' is pass or needs_work.");
		return -1;
	}
	if (step && request->check_count != step->rubric.count) {
		gr_protocol_fail(out, "checklist_changed",
				 "'checks' has %d answers; the checklist has %d items.",
				 request->check_count, step->rubric.count);
		out->body = gr_json_pack("{s:s}", "field", "checks");
		return -1;
	}
	if (*verdict == GR_REVIEW_NEEDS_WORK && is_blank(request->comment_md)) {
		gr_protocol_fail(out, "comment_needed", "Say in 'comment_md' what needs work.");
		out->body = gr_json_pack("{s:s}", "field", "comment_md");
		return -1;
	}
	return 0;
}

static void handle_submit(void *payload, struct gr_protocol_answer *out,
			  struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_assignment row;
	struct giving giving = {&row, request, GR_REVIEW_PASS, "", 0};
	int rc;

	if (own_assignment(reviews, out, &row, user, request->assignment) != 0 ||
	    still_open(out, &row) != 0 ||
	    check_review(reviews, out, &row, request, &giving.verdict) != 0)
		return;
	checks_text(giving.checks, sizeof(giving.checks), request);
	if ((rc = change(reviews, change_give, &giving)) != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	out->wrote = 1;
	out->body = gr_json_pack("{s:I, s:I, s:s}", "review", (long long)giving.review_id,
			      "assignment", (long long)row.id, "state", "done");
}

static int change_decline(struct gr_reviews *reviews, void *argument)
{
	const struct gr_store_assignment *row = argument;

	return input(reviews, "decline", row->id, row->reviewer_id, 0, 0);
}

static void handle_decline(void *payload, struct gr_protocol_answer *out,
			   struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	const struct gr_user *user = &client->user;
	struct gr_store_assignment row;
	int rc;

	if (own_assignment(reviews, out, &row, user, request->assignment) != 0 ||
	    still_open(out, &row) != 0)
		return;
	if ((rc = change(reviews, change_decline, &row)) != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	out->wrote = 1;
	out->body =
	    gr_json_pack("{s:I, s:s}", "assignment", (long long)row.id, "state", "declined");
}

/* ---- review.rate and review.flag ---------------------------------------------- */

struct feedback {
	const struct review_ids *ids;
	const struct gr_request *request;
};

static int change_rate(struct gr_reviews *reviews, void *argument)
{
	const struct feedback *feedback = argument;

	return gr_store_review_rate(reviews->store, feedback->ids->id,
				    feedback->request->helpfulness);
}

static void handle_rate(void *payload, struct gr_protocol_answer *out,
			struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	const struct gr_user *user = &client->user;
	struct review_ids ids = {0};
	struct feedback feedback = {&ids, request};
	int rc;

	if (own_review(reviews, out, &ids, user, request->review) != 0)
		return;
	if ((rc = change(reviews, change_rate, &feedback)) != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	out->wrote = 1;
	out->body = gr_json_pack("{s:I, s:i}", "review", (long long)ids.id, "helpfulness",
			      request->helpfulness);
}

/* The flag is stored and shown on the board of the author's cohort (to coaches). */
static int change_flag(struct gr_reviews *reviews, void *argument)
{
	const struct feedback *feedback = argument;
	struct gr_store_assignment row;
	int rc;

	const char *kind = feedback->request->kind ? feedback->request->kind : "other";

	if ((rc = gr_store_assignment_get(reviews->store, &row, feedback->ids->assignment_id)) ||
	    (rc = gr_store_review_flag(reviews->store, feedback->ids->id, kind,
				       feedback->request->reason, now_ms(reviews))))
		return rc;
	return push(reviews, feedback->ids->author_id, row.track_id,
		    gr_json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "event", "review.flagged",
				 "review", (long long)feedback->ids->id, "submission",
				 (long long)feedback->ids->submission_id, "track", row.track_id,
				 "step", row.step_id, "kind", kind, "reason",
				 feedback->request->reason));
}

static const char *const flag_kinds[] = {"rude", "wrong", "empty", "other"};

static int is_flag_kind(const char *kind)
{
	for (size_t i = 0; i < sizeof(flag_kinds) / sizeof(flag_kinds[0]); i++)
		if (strcmp(kind, flag_kinds[i]) == 0)
			return 1;
	return 0;
}

static void handle_flag(void *payload, struct gr_protocol_answer *out,
			struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	const struct gr_user *user = &client->user;
	struct review_ids ids = {0};
	struct feedback feedback = {&ids, request};
	int rc;

	if (own_review(reviews, out, &ids, user, request->review) != 0)
		return;
	if (is_blank(request->reason)) {
		gr_protocol_fail(out, "flag_reason_needed",
				 "Say in 'reason' what is wrong with this review.");
		out->body = gr_json_pack("{s:s}", "field", "reason");
		return;
	}
	if (request->kind && !is_flag_kind(request->kind)) {
		gr_protocol_fail(out, "bad_value", "'kind' is rude, wrong, empty or other.");
		return;
	}
	if ((rc = change(reviews, change_flag, &feedback)) != 0) {
		gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	out->wrote = 1;
	out->body = gr_json_pack("{s:I, s:b}", "review", (long long)ids.id, "flagged", 1);
}

/* ---- review.pull ---------------------------------------------------------------- */

static int change_pull(struct gr_reviews *reviews, void *argument)
{
	const int64_t *learner = argument;
	int rc = ensure_learner(reviews, *learner);

	reviews->made = 0;
	return rc ? rc : input(reviews, "pull", *learner, 0, 0, 0);
}

/* "Review something now": the oldest waiting review this learner may give. */
static void handle_pull(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	int64_t learner = client->user.id;
	int rc;

	(void)request;
	if (client->user.role != GR_ROLE_LEARNER) {
		gr_protocol_fail(out, "learners_only", "Only learners review each other's work.");
		return;
	}
	if ((rc = change(reviews, change_pull, &learner)) != 0) {
		if (rc == GR_ENOTFOUND)
			gr_protocol_fail(out, "nothing_to_review",
					 "Nothing is waiting that you may review now. Thank you "
					 "for offering!");
		else
			gr_protocol_fail_status(out, rc, "a review request");
		return;
	}
	out->wrote = 1;
	out->body = gr_json_pack("{s:I}", "assignment", (long long)reviews->made);
}

/* ---- the coaches: review.coach, flag.resolve, review.coach_list ------------------ */

/*
 * Whether user may act as a coach on the work of the learners of cohort
 * ("" for none): services/rights.c's one rule of cohorts.
 */
static int may_coach(struct gr_reviews *reviews, const struct gr_user *user, const char *cohort)
{
	return gr_rights_may_coach(reviews->store, user, cohort);
}

/* What a coach acts on: a submission, its author and step. */
struct coached {
	int64_t submission_id;
	int64_t author_id;
	char track[129];
	char step[129];
	char cohort[257];
	char author[64];
};

static int copy_submission(const struct gr_store_submission *row, void *payload)
{
	struct coached *coached = payload;

	coached->author_id = row->user_id;
	snprintf(coached->track, sizeof(coached->track), "%s", row->track_id);
	snprintf(coached->step, sizeof(coached->step), "%s", row->step_id);
	return 0;
}

/* The submission, if user may coach its author's cohort; else out is failed, -1. */
static int coach_on(struct gr_reviews *reviews, struct gr_protocol_answer *out,
		    struct coached *coached, const struct gr_user *user, int64_t submission_id)
{
	struct gr_user author;
	int rc;

	memset(coached, 0, sizeof(*coached));
	coached->submission_id = submission_id;
	if (!gr_account_is_coach(user)) {
		gr_protocol_fail(out, "coaches_only", "Only coaches may do this.");
		return -1;
	}
	rc = gr_store_submission_get(reviews->store, submission_id, copy_submission, coached);
	if (rc == 0)
		rc = gr_store_user_by_id(reviews->store, &author, coached->author_id);
	if (rc != 0) {
		if (rc == GR_ENOTFOUND)
			gr_protocol_fail(out, "submission_missing", "There is no submission %lld.",
					 (long long)submission_id);
		else
			gr_protocol_fail_status(out, rc, "a coach's request");
		return -1;
	}
	snprintf(coached->cohort, sizeof(coached->cohort), "%s", author.cohort);
	snprintf(coached->author, sizeof(coached->author), "%s", author.handle);
	if (!may_coach(reviews, user, author.cohort)) {
		gr_protocol_fail(out, "not_your_cohort", "You do not coach this learner's cohort.");
		return -1;
	}
	return 0;
}

struct decision {
	const struct coached *coached;
	struct gr_store_review_decision row;
	int action; /* the coach input's b; 0 for coach_assign */
};

static int change_decide(struct gr_reviews *reviews, void *argument)
{
	struct decision *decision = argument;
	int rc;

	reviews->made = 0;
	if (!decision->action && (rc = ensure_learner(reviews, decision->row.reviewer_id)) != 0)
		return rc;
	if (decision->action)
		rc = input(reviews, "coach", decision->coached->submission_id, decision->action, 0,
			   0);
	else
		rc = input(reviews, "coach_assign", decision->coached->submission_id,
			   decision->row.reviewer_id, 0, 0);
	if (rc == 0)
		rc = gr_store_review_decision_insert(reviews->store, &decision->row);
	if (rc == 0)
		rc = push(reviews, decision->coached->author_id, decision->coached->track,
			  gr_json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "event", "review.decided",
				       "submission", (long long)decision->coached->submission_id,
				       "track", decision->coached->track, "step",
				       decision->coached->step, "action", decision->row.action,
				       "note", decision->row.note));
	return rc;
}

/* The request's action as a decision; else out is failed (bad_value), -1. */
static int read_decision(struct gr_reviews *reviews, struct gr_protocol_answer *out,
			 struct decision *decision, const struct gr_request *request)
{
	const char *action = request->action, *verdict = request->verdict;
	struct gr_user reviewer;

	if (strcmp(action, "decide") == 0 && verdict &&
	    (strcmp(verdict, "pass") == 0 || strcmp(verdict, "needs_work") == 0)) {
		decision->action = strcmp(verdict, "pass") == 0 ? 1 : 2;
		decision->row.action = strcmp(verdict, "pass") == 0 ? "pass" : "needs_work";
		if (is_blank(request->note)) {
			gr_protocol_fail(out, "note_needed",
					 "Say in 'note' why: the author reads it.");
			out->body = gr_json_pack("{s:s}", "field", "note");
			return -1;
		}
		return 0;
	}
	if (strcmp(action, "extend") == 0) {
		decision->action = 3;
		decision->row.action = "extend";
		return 0;
	}
	if (strcmp(action, "assign") == 0 && request->user) {
		if (gr_store_user_by_handle(reviews->store, &reviewer, request->user) != 0 ||
		    reviewer.role != GR_ROLE_LEARNER) {
			gr_protocol_fail(out, "learner_unknown", "There is no learner '%s'.",
					 request->user);
			out->body = gr_json_pack("{s:s, s:s}", "field", "user", "user",
						 request->user);
			return -1;
		}
		decision->action = 0;
		decision->row.action = "assign";
		decision->row.reviewer_id = reviewer.id;
		return 0;
	}
	gr_protocol_fail(out, "bad_value",
			 "'action' is decide (with 'verdict' pass or needs_work and a 'note'), "
			 "assign (with the reviewer's handle in 'user') or extend.");
	return -1;
}

/* A coach decides a submission no peer could: a verdict, a reviewer, or more time. */
static void handle_coach(void *payload, struct gr_protocol_answer *out, struct gr_client *client,
			 const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	struct coached coached;
	struct decision decision = {&coached, {0}, 0};
	int rc;

	if (coach_on(reviews, out, &coached, &client->user, request->submission) != 0 ||
	    read_decision(reviews, out, &decision, request) != 0)
		return;
	decision.row.submission_id = coached.submission_id;
	decision.row.coach_id = client->user.id;
	decision.row.note = request->note ? request->note : "";
	decision.row.created_at = now_ms(reviews);
	if ((rc = change(reviews, change_decide, &decision)) != 0) {
		if (rc == GR_EINVALID)
			gr_protocol_fail(out, "reviewer_not_eligible",
					 "%s may not review this work: they must have passed the "
					 "step, be active, and not be on it already.",
					 request->user ? request->user : "That learner");
		else
			gr_protocol_fail_status(out, rc, "a coach's decision");
		if (rc == GR_EINVALID)
			out->body = gr_json_pack("{s:s, s:s*}", "field", "user", "user",
						 request->user);
		return;
	}
	out->wrote = 1;
	out->body =
	    gr_json_pack("{s:I, s:s, s:I}", "submission", (long long)coached.submission_id,
			 "action", decision.row.action, "assignment", (long long)reviews->made);
}

struct resolving {
	const struct coached *coached;
	int64_t review_id, assignment_id, reviewer_id;
	int uphold;
	const char *note;
	int64_t coach_id;
};

static int change_resolve(struct gr_reviews *reviews, void *argument)
{
	struct resolving *r = argument;
	struct gr_store_review_decision row = {
	    .submission_id = r->coached->submission_id,
	    .coach_id = r->coach_id,
	    .action = r->uphold ? "uphold" : "dismiss",
	    .review_id = r->review_id,
	    .note = r->note,
	    .created_at = now_ms(reviews),
	};
	struct gr_review_assignment_info replacement;
	int rc = gr_store_review_flag_resolve(reviews->store, r->review_id,
					      r->uphold ? "upheld" : "dismissed", row.created_at);

	reviews->made = 0;
	if (rc == 0 && r->uphold)
		rc = input(reviews, "withdraw", r->assignment_id, 0, 0, 0);
	if (rc == 0 && reviews->made &&
	    gr_review_assignment_get(&replacement, reviews->engine, reviews->made) == 0)
		row.reviewer_id = replacement.reviewer_id;
	if (rc == 0)
		rc = gr_store_review_decision_insert(reviews->store, &row);
	/* The author hears the outcome; the reviewer, when upheld, why, kindly. */
	if (rc == 0)
		rc = push(reviews, r->coached->author_id, r->coached->track,
			  gr_json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:b}", "event",
				       "review.flag_resolved", "review", (long long)r->review_id,
				       "submission", (long long)r->coached->submission_id, "track",
				       r->coached->track, "step", r->coached->step, "outcome",
				       r->uphold ? "upheld" : "dismissed", "replaced",
				       reviews->made != 0));
	if (rc == 0 && r->uphold)
		rc =
		    push(reviews, r->reviewer_id, NULL,
			 gr_json_pack("{s:s, s:I, s:s, s:s, s:s}", "event", "review.flag_upheld",
				      "review", (long long)r->review_id, "track", r->coached->track,
				      "step", r->coached->step, "note", r->note));
	return rc;
}

static int copy_flagged(const struct gr_store_review *review, void *payload)
{
	struct resolving *r = payload;

	if (!review->flag_reason || review->flag_outcome[0]) {
		gr_error_set("This review is not flagged, or a coach resolved its flag already.");
		return GR_ECONFLICT;
	}
	r->review_id = review->id;
	r->assignment_id = review->assignment_id;
	r->reviewer_id = review->reviewer_id;
	return 0;
}

/*
 * A coach resolves a flag: dismiss (the review stands) or uphold (it leaves
 * the verdict, someone else reviews, and its reviewer is told why).
 */
static void handle_flag_resolve(void *payload, struct gr_protocol_answer *out,
				struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	struct review_ids ids = {0};
	struct coached coached;
	struct resolving r = {&coached,	      0, 0, 0, 0, request->note ? request->note : "",
			      client->user.id};
	int rc = gr_store_review_get(reviews->store, request->review, copy_review_ids, &ids);

	if (rc != 0) {
		if (rc == GR_ENOTFOUND)
			gr_protocol_fail(out, "review_missing", "There is no review %lld.",
					 (long long)request->review);
		else
			gr_protocol_fail_status(out, rc, "a coach's request");
		return;
	}
	if (coach_on(reviews, out, &coached, &client->user, ids.submission_id) != 0)
		return;
	if (strcmp(request->action, "dismiss") != 0 && strcmp(request->action, "uphold") != 0) {
		gr_protocol_fail(out, "bad_value", "'action' is dismiss or uphold.");
		return;
	}
	r.uphold = strcmp(request->action, "uphold") == 0;
	if (r.uphold && is_blank(r.note)) {
		gr_protocol_fail(out, "note_needed",
				 "Say in 'note', kindly, what the reviewer could do better.");
		out->body = gr_json_pack("{s:s}", "field", "note");
		return;
	}
	if ((rc = gr_store_review_get(reviews->store, request->review, copy_flagged, &r)) != 0 ||
	    (rc = change(reviews, change_resolve, &r)) != 0) {
		gr_protocol_fail_status(out, rc, "a coach's request");
		return;
	}
	out->wrote = 1;
	out->body =
	    gr_json_pack("{s:I, s:s, s:I}", "review", (long long)r.review_id, "outcome",
			 r.uphold ? "upheld" : "dismissed", "assignment", (long long)reviews->made);
}

/* What review.coach_list gathers for one cohort and track. */
struct coach_list {
	struct gr_reviews *reviews;
	const char *cohort, *track;
	struct gr_json *items, *flags, *decisions;
};

static int handle_of(struct gr_reviews *reviews, char *out, size_t size, int64_t user_id)
{
	struct gr_user user;
	int rc = gr_store_user_by_id(reviews->store, &user, user_id);

	snprintf(out, size, "%s", rc == 0 ? user.handle : "");
	return rc == GR_ENOTFOUND ? 0 : rc;
}

static int side_by_side(const struct gr_store_review *review, void *payload)
{
	struct received *received = payload;
	char reviewer[64];
	int rc = handle_of(received->reviews, reviewer, sizeof(reviewer), review->reviewer_id);
	struct gr_json *item = gr_json_pack(
	    "{s:I, s:s, s:o, s:o, s:s, s:b}", "review", (long long)review->id, "verdict",
	    review->verdict, "checks", gr_json_load(review->checks, strlen(review->checks)),
	    "comment_html", html_json(review->comment_html), "reviewer", reviewer, "flagged",
	    review->flag_reason != NULL);

	if (rc != 0 || !item) {
		gr_json_free(item);
		return rc ? rc : out_of_memory();
	}
	return gr_json_append(received->list, item) ? out_of_memory() : 0;
}

struct work {
	struct gr_json *item;
	int64_t author_id;
	char track[129], step[129];
};

static int work_side(const struct gr_store_submission *row, void *payload)
{
	struct work *work = payload;

	work->author_id = row->user_id;
	snprintf(work->track, sizeof(work->track), "%s", row->track_id);
	snprintf(work->step, sizeof(work->step), "%s", row->step_id);
	work->item = gr_json_pack(
	    "{s:I, s:s, s:s, s:i, s:I, s:o, s:s?}", "submission", (long long)row->id, "track",
	    row->track_id, "step", row->step_id, "attempt", row->attempt, "submitted_at",
	    (long long)row->created_at, "body_html", html_json(row->body_html), "link",
	    row->link && row->link[0] ? row->link : NULL);
	return work->item ? 0 : out_of_memory();
}

/* One submission with the coaches: the work and its reviews side by side, if it is this list's. */
static int coach_item(int64_t submission_id, int64_t coach_at, void *payload)
{
	struct coach_list *list = payload;
	struct work work = {0};
	struct gr_user author;
	struct gr_review_standing standing;
	struct received received = {list->reviews, NULL};
	int rc = gr_store_submission_get(list->reviews->store, submission_id, work_side, &work);

	if (rc == GR_ENOTFOUND)
		return 0;
	if (rc == 0 &&
	    (rc = gr_store_user_by_id(list->reviews->store, &author, work.author_id)) == 0 &&
	    (strcmp(author.cohort, list->cohort) != 0 || strcmp(work.track, list->track) != 0)) {
		gr_json_free(work.item);
		return 0;
	}
	if (rc == 0 && gr_review_standing_get(&standing, list->reviews->engine, submission_id,
					      now_ms(list->reviews)) == 0) {
		gr_json_set(work.item, "since", gr_json_integer(coach_at));
		gr_json_set(work.item, "author", gr_json_string(author.handle));
		gr_json_set(work.item, "title",
			    gr_json_string(served_title(list->reviews, work.track, work.step)));
		/* A tie, a step nobody else could review, or peers who did not take it. */
		gr_json_set(work.item, "why",
			    gr_json_string(standing.done > 0 && standing.passes * 2 == standing.done
					       ? "tie"
					   : standing.eligible == 0 ? "no_peer"
								    : "not_taken"));
		gr_json_set(work.item, "standing", standing_json(&standing));
	}
	received.list = gr_json_array();
	if (rc == 0)
		rc = gr_store_review_each_of_submission(list->reviews->store, submission_id,
							side_by_side, &received);
	gr_json_set(work.item, "reviews", received.list);
	if (rc != 0) {
		gr_json_free(work.item);
		return rc;
	}
	return gr_json_append(list->items, work.item) ? out_of_memory() : 0;
}

static int flagged_review(const struct gr_store_review *review, void *payload)
{
	struct gr_json *item = payload;

	gr_json_set(item, "verdict", gr_json_string(review->verdict));
	gr_json_set(item, "comment_html", html_json(review->comment_html));
	return 0;
}

static int flagged_work(const struct gr_store_submission *row, void *payload)
{
	gr_json_set(payload, "body_html", html_json(row->body_html));
	return 0;
}

/* A flag not resolved yet: its words, the review and the work, and the reviewer's upheld count. */
static int flag_item(const struct gr_store_flag *row, void *payload)
{
	struct coach_list *list = payload;
	struct gr_json *item;
	char author[64], reviewer[64];
	int upheld = 0, rc;

	if ((rc = handle_of(list->reviews, author, sizeof(author), row->user_id)) ||
	    (rc = handle_of(list->reviews, reviewer, sizeof(reviewer), row->reviewer_id)) ||
	    (rc = gr_store_review_upheld_count(list->reviews->store, &upheld, row->reviewer_id)))
		return rc;
	item = gr_json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i}", "review",
			    (long long)row->review_id, "submission", (long long)row->submission_id,
			    "assignment", (long long)row->assignment_id, "author", author,
			    "reviewer", reviewer, "step", row->step_id, "title",
			    served_title(list->reviews, list->track, row->step_id), "kind",
			    row->kind, "reason", row->reason, "flagged_at",
			    (long long)row->flagged_at, "upheld", upheld);
	if (!item)
		return out_of_memory();
	if ((rc =
		 gr_store_review_get(list->reviews->store, row->review_id, flagged_review, item)) ||
	    (rc = gr_store_submission_get(list->reviews->store, row->submission_id, flagged_work,
					  item))) {
		gr_json_free(item);
		return rc;
	}
	return gr_json_append(list->flags, item) ? out_of_memory() : 0;
}

static int decision_item(const struct gr_store_review_decision *row, void *payload)
{
	struct coach_list *list = payload;

	return gr_json_append(list->decisions,
			      gr_json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "decision",
					   (long long)row->id, "submission",
					   (long long)row->submission_id, "action", row->action,
					   "coach", row->coach, "author", row->author, "step",
					   row->step_id, "note", row->note, "at",
					   (long long)row->created_at))
		   ? out_of_memory()
		   : 0;
}

/*
 * What the coaches of a cohort decide on a track: the submissions no peer
 * took in time (the work and its reviews side by side), the flags not
 * resolved yet (with each reviewer's count of upheld flags), and the
 * decisions made so far.
 */
static void handle_coach_list(void *payload, struct gr_protocol_answer *out,
			      struct gr_client *client, const struct gr_request *request)
{
	struct gr_reviews *reviews = payload;
	struct coach_list list = {reviews,	   request->cohort, request->track,
				  gr_json_array(), gr_json_array(), gr_json_array()};
	int rc;

	if (!may_coach(reviews, &client->user, request->cohort)) {
		gr_protocol_fail(out, "not_your_cohort", "You do not coach this cohort.");
		rc = -1;
	} else if ((rc = gr_review_coach_each(reviews->engine, coach_item, &list)) != 0 ||
		   (rc = gr_store_cohort_flags(reviews->store, request->cohort, request->track, 0,
					       flag_item, &list)) != 0 ||
		   (rc = gr_store_review_decision_each(reviews->store, request->cohort,
						       request->track, 0, decision_item, &list)) !=
		       0) {
		gr_protocol_fail_status(out, rc, "the coaches' list");
	}
	if (rc != 0) {
		gr_json_free(list.items);
		gr_json_free(list.flags);
		gr_json_free(list.decisions);
		return;
	}
	out->body = gr_json_pack("{s:s, s:s, s:o, s:o, s:o}", "cohort", request->cohort, "track",
				 request->track, "items", list.items, "flags", list.flags,
				 "decisions", list.decisions);
}

/* ---- the service ------------------------------------------------------------- */

int gr_reviews_new(struct gr_reviews **out, struct gr_store *store, struct gr_library *library,
		   struct gr_turn *turn, const struct gr_reviews_settings *settings)
{
	struct gr_reviews *reviews = calloc(1, sizeof(*reviews));
	int rc;

	*out = NULL;
	if (!reviews)
		return out_of_memory();
	reviews->store = store;
	reviews->library = library;
	reviews->turn = turn;
	reviews->settings = *settings;
	if ((rc = load_config(reviews)) != 0 || (rc = rebuild_at_start(reviews)) != 0 ||
	    (rc = change(reviews, mark_all_offline, NULL)) != 0) {
		gr_reviews_free(reviews);
		return rc;
	}
	*out = reviews;
	return 0;
}

int gr_reviews_attach(struct gr_reviews *reviews, struct gr_live *live)
{
	static const struct gr_live_route routes[] = {
	    {GR_REQUEST_REVIEW_LIST, handle_list},
	    {GR_REQUEST_REVIEW_GET, handle_get},
	    {GR_REQUEST_SUBMISSION_GET, handle_submission_get},
	    {GR_REQUEST_REVIEW_SUBMIT, handle_submit},
	    {GR_REQUEST_REVIEW_DECLINE, handle_decline},
	    {GR_REQUEST_REVIEW_RATE, handle_rate},
	    {GR_REQUEST_REVIEW_FLAG, handle_flag},
	    {GR_REQUEST_REVIEW_PULL, handle_pull},
	    {GR_REQUEST_REVIEW_COACH, handle_coach},
	    {GR_REQUEST_REVIEW_COACH_LIST, handle_coach_list},
	    {GR_REQUEST_FLAG_RESOLVE, handle_flag_resolve},
	};
	struct gr_live_listener listener = { .presence = presence, .submitted = submitted };
	int rc;

	if (reviews->live)
		gr_live_forget(reviews->live, reviews);
	reviews->live = live;
	if (!live)
		return 0;
	if ((rc = gr_live_route(live, routes, (int)(sizeof(routes) / sizeof(routes[0])),
				reviews)) != 0 ||
	    (rc = gr_live_listen(live, &listener, reviews)) != 0)
		return rc;
	return 0;
}

void gr_reviews_free(struct gr_reviews *reviews)
{
	if (!reviews)
		return;
	gr_review_free(reviews->engine);
	free(reviews->steps);
	free(reviews->learners);
	free(reviews->connections.users);
	free(reviews->connections.counts);
	free(reviews->team_passes);
	free(reviews);
}

const struct gr_review *gr_reviews_engine(const struct gr_reviews *reviews)
{
	return reviews->engine;
}
