/*
 * review.c - the peer-review pairing engine (see review.h; design in "Peer
 * review pairing" in DESIGN.md).
 *
 * Owns: who may review what (eligibility), whom to choose (the order of
 * choice), assignment leases and their expiry, declines and reassignment,
 * the queue of submissions waiting for a reviewer, the verdict of the
 * reviews, the counts of reviews given and received, and the reason a
 * submission waits. Leaves to others: storing every effect and pushing it
 * live (the daemon, through the effect callback), the review's rubric and
 * comment, ratings and flags (the store), who is online (the net layer
 * tells us), and the progress state of a step (progress.c).
 *
 * Every submission attempt needs R reviews, held in R slots (R+1 after a
 * tie). A slot is filled through assignments: leases given to one reviewer.
 *
 * The assignment slot:
 *
 *                     fill() -> assign()                gr_review_give()
 *     +------+  a candidate exists  +----------+   review in time   +------+
 *     | open | -------------------> | assigned | -----------------> | done |
 *     +------+                      +----------+                    +------+
 *        ^                            |  |  |
 *        |   release(): due <= now    |  |  |  release(): the
 *        |   (gr_review_tick) or      |  |  |  reviewer says no
 *        |   the reviewer left        |  |  |  (gr_review_decline)
 *        |   (gr_review_learner_      |  |  v
 *        |   active)                  v  |  assignment DECLINED
 *        |              assignment EXPIRED
 *        +--------------------------------+
 *           the slot reopens and release() calls fill() at once to look
 *           for someone else: the new assignment is REASSIGNED (it
 *           replaces the slot's last)
 *
 * The assignment, one lease, from assign() to exactly one final state:
 *
 *                     gr_review_give(), the assignee, before due_at
 *                  +----------------------------------------------> DONE
 *     ASSIGNED ----+  gr_review_tick() once due_at <= now, or
 *     (assign())   |  gr_review_learner_active(0) of the assignee
 *                  +----------------------------------------------> EXPIRED
 *                  |  gr_review_decline(), the assignee
 *                  +----------------------------------------------> DECLINED
 *
 * DONE, EXPIRED and DECLINED are final: give and decline refuse them
 * (GR_EEXPIRED, GR_ECONFLICT) and tick passes them by. A slot's history is
 * its assignments in order; at most the last one is live.
 *
 * Transition table (slot state; assignment state in brackets):
 *
 *   from      event                      to                   function
 *   --------  -------------------------  -------------------  ----------------------
 *   (none)    submit, or a tie           open                 open_slots()
 *   open      an eligible peer exists    assigned [ASSIGNED]  fill() -> assign(), called
 *                                                             by submit, tie, tick,
 *                                                             step_pass, online,
 *                                                             active, decline, expiry
 *   assigned  the assignee reviews       done [DONE]          gr_review_give()
 *   assigned  due <= now                 open [EXPIRED]       gr_review_tick() -> release()
 *   assigned  the assignee leaves        open [EXPIRED]       gr_review_learner_active()
 *                                                             -> release()
 *   assigned  the assignee declines      open [DECLINED]      gr_review_decline()
 *                                                             -> release()
 *   done      -                          final
 *
 * The submission (one attempt):
 *
 *              gr_review_submit(): R open slots
 *                      |
 *                      v            every slot assigned or done
 *                 +---------+  -------------------------------->  +-----------+
 *                 | waiting |                                     | in_review |
 *                 +---------+  <--------------------------------  +-----------+
 *                      ^     a lease ended and nobody took the slot     |
 *                      |                                                | every slot done:
 *                      |  a tie: one more slot (R+1)                    | decide()
 *                      +------------------------------------------------+
 *                                                                       |
 *                                     more passes     +--------+        |
 *                                   +---------------> | passed | <------+
 *                                   |                 +--------+        |
 *                                   |  more needs-work +------------+   |
 *                                   +----------------> | needs_work | <-+
 *                                                      +------------+
 *
 *   from       event                                to          function
 *   ---------  -----------------------------------  ----------  ------------------------
 *   (none)     the author submits attempt n         waiting     gr_review_submit()
 *   waiting    the last open slot is assigned       in_review   fill() -> update_waiting()
 *   in_review  a lease ends (expired, declined, the  waiting     release() -> fill()
 *              assignee left) and nobody takes it
 *   in_review  the last review is given, a tie      waiting     decide() -> open_slots()
 *   in_review  the last review is given, majority   passed or   decide()
 *              pass or needs work                   needs_work
 *   passed     -                                    final: the author passed the step
 *   needs_work -                                    final: the author may submit attempt
 *                                                   n+1, a new submission
 *
 * Only gr_review_give() makes a slot done, so decide() always starts from
 * in_review: with every slot done, none is open.
 *
 * Eligible for a slot: an active learner other than the author, who neither
 * holds nor gave a review on this attempt, nor declined it, and who passed
 * the step; while fewer than R passed peers are free to take it (present,
 * no open assignment), also those who submitted the same step: peers at the
 * same point review each other rather than queue behind the first few who
 * passed. A peer whose lease on this attempt expired stays eligible as a
 * last resort. The naive policy widens only while fewer than R passed.
 *
 * Presence (engine policy only). A lease is given only to a learner who can
 * act on it: online now, or offline but seen within absent_ms and not
 * having let a lease expire since their last review. The others wait for
 * their next session: coming online re-examines the queue, so they are
 * assigned the moment they are back, and no lease is lost on them.
 *
 * Order of choice (engine policy), the first difference decides:
 *   0. a reviewer who reviewed the previous attempt (a resubmission)
 *   1. not a last resort (no lapsed lease on this attempt)
 *   2. least load: open assignments plus leases that ended within
 *      load_window_ms (open ones alone favour whoever finishes fastest:
 *      the simulation showed them taking most of the work)
 *   3. online now
 *   4. reliability: the fewest tenths of their leases let expire
 *   5. most reviews owed (received minus given)
 *   6. no review of the same author assigned within recent_ms
 *   7. seeded random (reservoir sampling over the remaining ties)
 *
 * Rescue. A submission waiting rescue_after_ms (default 60 h) is late: its
 * open slots go only to peers online now; those who let half or more of
 * their leases expire come last, then the least load; the lease is
 * rescue_lease_ms (36 h: past the same hour tomorrow) unless both are
 * online (then lease_online_ms as always). A late submission thus never
 * waits out another 48-hour lease on someone who is away.
 *
 * The naive policy (for the simulation) picks uniformly among the eligible,
 * ignores presence, never rescues, and its leases never expire.
 *
 * Invariants, checked by gr_review_check() in every build type (it returns
 * the number of the first broken one it finds), and asserted after every
 * operation in debug builds:
 *   1. Never the author: no assignment's reviewer is its submission's author.
 *   2. Never twice: on one attempt a reviewer holds at most one assignment
 *      that is live or done, and none at all after declining it.
 *   3. At most one live assignment per slot: an open slot has none, an
 *      assigned slot exactly one (its `live`), a done slot none.
 *   4. A slot is filled by at most one done review: a done slot has exactly
 *      one (its `done`), other slots none.
 *   5. Each learner's open count equals their live assignments; given and
 *      received equal the done reviews by and for them. Live assignments
 *      belong to active learners.
 *   6. A submission is waiting iff undecided with an open slot, and then it
 *      is in the waiting queue (which holds nothing else); decided iff every
 *      slot is done and the passes and needs-work differ, and the state
 *      follows the majority. It has R slots, or R+1 after a tie (R even).
 *   7. Under the naive policy no lease has a due time.
 *   8. Per learner and step, at most the latest attempt is undecided, and
 *      every earlier attempt ended in needs_work.
 *   9. Each lease belongs where it says: an assignment is listed on its own
 *      submission, in one of that submission's slots, and a slot's `last` is
 *      the newest assignment made for it; under the engine policy a lease is
 *      due after it was given.
 * The moves of the diagrams (final states stay final, an assignment id
 * never changes owner) are walked by the property test in review_test.c.
 */
#include "domain/review.h"
#include "domain/review_internal.h"

#include "core/error.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A candidate's relation to one attempt. */
enum relation { REL_NONE, REL_HOLDS, REL_DECLINED, REL_EXPIRED };

/* ---- small helpers ---------------------------------------------------- */

static int out_of_memory(void)
{
	gr_error_set("review: out of memory");
	return GR_ERROR;
}

/* Make room for need items of size bytes in *items (capacity *cap). */
static int reserve(void **items, int *cap, int need, size_t size)
{
	int next = *cap ? *cap : 8;
	void *grown;

	if (need <= *cap)
		return 0;
	while (next < need)
		next *= 2;
	grown = realloc(*items, (size_t)next * size);
	if (!grown)
		return out_of_memory();
	*items = grown;
	*cap = next;
	return 0;
}

#define RESERVE(array, cap, need) reserve((void **)&(array), &(cap), (need), sizeof(*(array)))

static int list_push(struct int_list *list, int value)
{
	if (RESERVE(list->items, list->cap, list->count + 1) < 0)
		return GR_ERROR;
	list->items[list->count++] = value;
	return 0;
}

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t next_random(struct gr_review *review)
{
	uint64_t z = (review->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static int random_below(struct gr_review *review, int n)
{
	return (int)(next_random(review) % (uint64_t)n);
}

static uint64_t hash_id(int64_t id)
{
	uint64_t z = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return z ^ (z >> 29);
}

static int map_find(const struct id_map *map, int64_t id)
{
	if (!map->cap || id <= 0)
		return NONE;
	for (uint64_t at = hash_id(id) & (uint64_t)(map->cap - 1);;
	     at = (at + 1) & (uint64_t)(map->cap - 1)) {
		if (map->keys[at] == 0)
			return NONE;
		if (map->keys[at] == id)
			return map->values[at];
	}
}

static void map_put_unchecked(struct id_map *map, int64_t id, int value)
{
	uint64_t at = hash_id(id) & (uint64_t)(map->cap - 1);

	while (map->keys[at] != 0)
		at = (at + 1) & (uint64_t)(map->cap - 1);
	map->keys[at] = id;
	map->values[at] = value;
	map->count++;
}

/* id must be > 0 and not in the map yet. */
static int map_put(struct id_map *map, int64_t id, int value)
{
	if ((map->count + 1) * 2 > map->cap) {
		struct id_map grown = {.cap = map->cap ? map->cap * 2 : 64};

		grown.keys = calloc((size_t)grown.cap, sizeof(*grown.keys));
		grown.values = calloc((size_t)grown.cap, sizeof(*grown.values));
		if (!grown.keys || !grown.values) {
			free(grown.keys);
			free(grown.values);
			return out_of_memory();
		}
		for (int i = 0; i < map->cap; i++)
			if (map->keys[i] != 0)
				map_put_unchecked(&grown, map->keys[i], map->values[i]);
		free(map->keys);
		free(map->values);
		*map = grown;
	}
	map_put_unchecked(map, id, value);
	return 0;
}

static void map_free(struct id_map *map)
{
	free(map->keys);
	free(map->values);
}

static int find(const struct id_map *map, int64_t id, const char *what)
{
	int index = map_find(map, id);

	if (index == NONE)
		gr_error_set("review: no %s with id %lld", what, (long long)id);
	return index;
}

static const struct learner_step no_step = {.latest = NONE};

static const struct learner_step *learner_step(const struct learner *learner, int step)
{
	return step < learner->step_cap ? &learner->steps[step] : &no_step;
}

/* The learner's record for step, created on first write. NULL without memory. */
static struct learner_step *learner_step_mutable(struct learner *learner, int step)
{
	int old = learner->step_cap;

	if (step >= old) {
		if (RESERVE(learner->steps, learner->step_cap, step + 1) < 0)
			return NULL;
		for (int i = old; i < learner->step_cap; i++)
			learner->steps[i] = no_step;
	}
	return &learner->steps[step];
}

static bool is_decided(const struct submission *submission)
{
	return submission->state == GR_REVIEW_SUBMISSION_PASSED ||
	       submission->state == GR_REVIEW_SUBMISSION_NEEDS_WORK;
}

static bool engine_policy(const struct gr_review *review)
{
	return review->config.policy == GR_REVIEW_POLICY_ENGINE;
}

/*
 * Whether the learner can be given a lease now: online; or offline, but
 * seen lately and not having let a lease expire since their last review.
 */
static bool is_present(const struct gr_review *review, const struct learner *learner, int64_t now)
{
	if (learner->online)
		return true;
	return learner->lapses == 0 && now - learner->last_seen <= review->config.absent_ms;
}

static int64_t assignment_id(int index)
{
	return (int64_t)index + 1;
}

/* Debug builds check every invariant on the way out of each operation. */
static int finish(struct gr_review *review, int rc)
{
	assert(gr_review_check(review) == 0);
	(void)review;
	return rc;
}

/* ---- effects ---------------------------------------------------------- */

static void emit(struct gr_review *review, enum gr_review_effect_kind kind, int submission_index,
		 int assignment_index, int replaces, int64_t now)
{
	const struct submission *submission = &review->submissions[submission_index];
	struct gr_review_effect effect = {
	    .kind = kind,
	    .at = now,
	    .submission_id = submission->id,
	    .author_id = review->learners[submission->author].id,
	    .step_id = review->steps[submission->step].id,
	    .attempt = submission->attempt,
	};

	if (assignment_index != NONE) {
		const struct assignment *assignment = &review->assignments[assignment_index];

		effect.assignment_id = assignment_id(assignment_index);
		effect.reviewer_id = review->learners[assignment->reviewer].id;
	}
	if (kind == GR_REVIEW_EFFECT_ASSIGNED || kind == GR_REVIEW_EFFECT_REASSIGNED)
		effect.due_at = review->assignments[assignment_index].due_at;
	if (kind == GR_REVIEW_EFFECT_REASSIGNED)
		effect.replaces = assignment_id(replaces);
	if (kind == GR_REVIEW_EFFECT_REVIEWED)
		effect.verdict = review->assignments[assignment_index].verdict;
	if (kind == GR_REVIEW_EFFECT_TIE)
		effect.slots = submission->slots.count;
	if (review->config.on_effect)
		review->config.on_effect(&effect, review->config.payload);
}

/* ---- eligibility and choice ------------------------------------------- */

static enum relation relation_to(const struct gr_review *review,
				 const struct submission *submission, int learner)
{
	enum relation relation = REL_NONE;

	for (int i = 0; i < submission->assignments.count; i++) {
		const struct assignment *assignment =
		    &review->assignments[submission->assignments.items[i]];

		if (assignment->reviewer != learner)
			continue;
		if (assignment->state == GR_REVIEW_ASSIGNED || assignment->state == GR_REVIEW_DONE)
			return REL_HOLDS;
		if (assignment->state == GR_REVIEW_DECLINED)
			return REL_DECLINED;
		relation = REL_EXPIRED;
	}
	return relation;
}

/*
 * The candidate's class for one slot of submission, or NONE when not
 * eligible: PASSED_STEP or SUBMITTED_STEP, plus LAPSED_HERE when a lease of
 * theirs on this attempt expired (a last resort). Presence is left to the
 * caller.
 */
#define PASSED_STEP 0
#define SUBMITTED_STEP 1
#define LAPSED_HERE 2

static int candidate_class(const struct gr_review *review, const struct submission *submission,
			   int learner_index)
{
	const struct learner *learner = &review->learners[learner_index];
	const struct learner_step *progress = learner_step(learner, submission->step);
	enum relation relation;

	if (!learner->active || learner_index == submission->author)
		return NONE;
	if (!progress->passed && !progress->submitted)
		return NONE;
	relation = relation_to(review, submission, learner_index);
	if (relation == REL_HOLDS || relation == REL_DECLINED)
		return NONE;
	return (progress->passed ? PASSED_STEP : SUBMITTED_STEP) |
	       (relation == REL_EXPIRED ? LAPSED_HERE : 0);
}

static bool reviewed_previous(const struct gr_review *review, const struct submission *submission,
			      int learner)
{
	const struct submission *previous;

	if (submission->previous == NONE)
		return false;
	previous = &review->submissions[submission->previous];
	for (int i = 0; i < previous->assignments.count; i++) {
		const struct assignment *assignment =
		    &review->assignments[previous->assignments.items[i]];

		if (assignment->reviewer == learner && assignment->state == GR_REVIEW_DONE)
			return true;
	}
	return false;
}

static bool reviewed_author_recently(const struct gr_review *review, const struct learner *learner,
				     int author, int64_t now)
{
	for (int i = 0; i < RECENT_AUTHORS; i++)
		if (learner->recent_at[i] && learner->recent_author[i] == author &&
		    now - learner->recent_at[i] <= review->config.recent_ms)
			return true;
	return false;
}

/* Leases that ended (done, expired or declined) within the load window. */
static int recent_leases(const struct gr_review *review, const struct learner *learner, int64_t now)
{
	int n = 0;

	for (int i = 0; i < RECENT_LEASES; i++)
		n += learner->ended_at[i] &&
		     now - learner->ended_at[i] <= review->config.load_window_ms;
	return n;
}

/* Tenths of the learner's leases that expired rather than being reviewed. */
static int lapse_rate(const struct learner *learner)
{
	return learner->lapsed * 10 / (learner->lapsed + learner->given + 1);
}

/*
 * The order of choice as a tuple; smaller is better. A rescued slot puts
 * the unreliable last, before load (every candidate is online then).
 */
#define KEY_SIZE 7

static void choice_key(int64_t key[KEY_SIZE], const struct gr_review *review,
		       const struct submission *submission, int learner_index, int class_,
		       bool rescue, int64_t now)
{
	const struct learner *learner = &review->learners[learner_index];
	int64_t load = learner->open + recent_leases(review, learner, now);

	key[0] =
	    !(class_ & LAPSED_HERE) && reviewed_previous(review, submission, learner_index) ? 0 : 1;
	key[1] = class_ & LAPSED_HERE ? 1 : 0;
	key[2] = rescue ? lapse_rate(learner) >= 5 : load;
	key[3] = learner->online ? 0 : 1;
	key[4] = rescue ? load : lapse_rate(learner);
	key[5] = -(int64_t)(learner->received - learner->given);
	key[6] = reviewed_author_recently(review, learner, submission->author, now) ? 1 : 0;
}

static int compare_keys(const int64_t a[KEY_SIZE], const int64_t b[KEY_SIZE])
{
	for (int i = 0; i < KEY_SIZE; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* The chosen reviewer for an open slot of submission, or NONE. */
static int choose(struct gr_review *review, int submission_index, bool rescue, int64_t now)
{
	const struct submission *submission = &review->submissions[submission_index];
	int64_t best[KEY_SIZE], key[KEY_SIZE];
	int chosen = NONE, ties = 0, passed = 0;
	bool engine = engine_policy(review), widen;

	/* Fewer than R peers who passed can take it: peers at the same point may. */
	for (int i = 0; i < review->learner_count; i++)
		passed += candidate_class(review, submission, i) == PASSED_STEP &&
			  (!engine || (is_present(review, &review->learners[i], now) &&
				       review->learners[i].open == 0));
	widen = passed < review->steps[submission->step].reviews;
	for (int i = 0; i < review->learner_count; i++) {
		int class_ = candidate_class(review, submission, i);

		if (class_ == NONE || ((class_ & SUBMITTED_STEP) && !widen))
			continue;
		if (engine && !is_present(review, &review->learners[i], now))
			continue;
		if (engine && rescue && !review->learners[i].online)
			continue;
		if (engine) {
			choice_key(key, review, submission, i, class_, rescue, now);
		} else {
			memset(key, 0, sizeof(key)); /* uniform among the eligible */
		}
		int order = chosen == NONE ? -1 : compare_keys(key, best);

		if (order < 0) {
			memcpy(best, key, sizeof(best));
			chosen = i;
			ties = 1;
		} else if (order == 0 && random_below(review, ++ties) == 0) {
			chosen = i;
		}
	}
	return chosen;
}

/* ---- the slot's transitions ------------------------------------------- */

static void remember_author(struct learner *reviewer, int author, int64_t now)
{
	reviewer->recent_author[reviewer->recent_next] = author;
	reviewer->recent_at[reviewer->recent_next] = now ? now : 1;
	reviewer->recent_next = (reviewer->recent_next + 1) % RECENT_AUTHORS;
}

static void remember_lease(struct learner *reviewer, int64_t now)
{
	reviewer->ended_at[reviewer->ended_next] = now ? now : 1;
	reviewer->ended_next = (reviewer->ended_next + 1) % RECENT_LEASES;
}

static int64_t lease_due(const struct gr_review *review, const struct submission *submission,
			 const struct learner *reviewer, bool rescue, int64_t now)
{
	if (!engine_policy(review))
		return NEVER;
	if (reviewer->online && review->learners[submission->author].online)
		return now + review->config.lease_online_ms;
	if (rescue)
		return now + review->config.rescue_lease_ms;
	return now + review->config.lease_ms;
}

/* open -> assigned: give slot to reviewer. */
static int assign(struct gr_review *review, int slot_index, int reviewer_index, bool rescue,
		  int64_t now)
{
	struct slot *slot = &review->slots[slot_index];
	struct submission *submission = &review->submissions[slot->submission];
	struct learner *reviewer = &review->learners[reviewer_index];
	int replaces = slot->last, index = review->assignment_count;

	assert(slot->state == SLOT_OPEN);
	if (RESERVE(review->assignments, review->assignment_cap, index + 1) < 0 ||
	    list_push(&submission->assignments, index) < 0)
		return GR_ERROR;
	review->assignments[index] = (struct assignment){
	    .slot = slot_index,
	    .submission = slot->submission,
	    .reviewer = reviewer_index,
	    .state = GR_REVIEW_ASSIGNED,
	    .assigned_at = now,
	    .due_at = lease_due(review, submission, reviewer, rescue, now),
	};
	review->assignment_count++;
	slot->state = SLOT_ASSIGNED;
	slot->live = index;
	slot->last = index;
	reviewer->open++;
	remember_author(reviewer, submission->author, now);
	emit(review, replaces == NONE ? GR_REVIEW_EFFECT_ASSIGNED : GR_REVIEW_EFFECT_REASSIGNED,
	     slot->submission, index, replaces, now);
	return 0;
}

static bool has_open_slot(const struct gr_review *review, const struct submission *submission)
{
	for (int i = 0; i < submission->slots.count; i++)
		if (review->slots[submission->slots.items[i]].state == SLOT_OPEN)
			return true;
	return false;
}

/* Recompute waiting / in review, and queue the submission if it waits. */
static int update_waiting(struct gr_review *review, int submission_index)
{
	struct submission *submission = &review->submissions[submission_index];

	if (is_decided(submission))
		return 0;
	if (!has_open_slot(review, submission)) {
		submission->state = GR_REVIEW_SUBMISSION_IN_REVIEW;
		return 0;
	}
	submission->state = GR_REVIEW_SUBMISSION_WAITING;
	if (submission->queued)
		return 0;
	if (list_push(&review->waiting, submission_index) < 0)
		return GR_ERROR;
	submission->queued = true;
	return 0;
}

/* Fill every open slot of a submission that someone can take. */
static int fill(struct gr_review *review, int submission_index, int64_t now)
{
	int rc = 0;

	for (int i = 0; i < review->submissions[submission_index].slots.count && rc == 0; i++) {
		int slot_index = review->submissions[submission_index].slots.items[i];
		int reviewer;
		bool rescue;

		if (review->slots[slot_index].state != SLOT_OPEN)
			continue;
		rescue = engine_policy(review) &&
			 now - review->submissions[submission_index].submitted_at >=
			     review->config.rescue_after_ms;
		reviewer = choose(review, submission_index, rescue, now);
		if (reviewer == NONE)
			break;
		rc = assign(review, slot_index, reviewer, rescue, now);
	}
	if (update_waiting(review, submission_index) < 0)
		return GR_ERROR;
	return rc;
}

/*
 * Re-examine the waiting queue, oldest first. With learner != NONE only the
 * submissions that learner could now take are filled (a cheap pre-check);
 * with NONE, all of them. Drops the ones no longer waiting.
 */
static int reexamine(struct gr_review *review, int learner, int64_t now)
{
	int kept = 0, rc = 0;

	for (int i = 0; i < review->waiting.count; i++) {
		int index = review->waiting.items[i];
		struct submission *submission = &review->submissions[index];

		if (rc == 0 && !is_decided(submission) &&
		    (learner == NONE || candidate_class(review, submission, learner) != NONE))
			rc = fill(review, index, now);
		submission = &review->submissions[index];
		if (!is_decided(submission) && has_open_slot(review, submission))
			review->waiting.items[kept++] = index;
		else
			submission->queued = false;
	}
	/* fill() appends nothing here: every submission it sees is queued. */
	review->waiting.count = kept;
	return rc;
}

/* assigned -> open, the assignment ending in state; then reassign. */
static int release(struct gr_review *review, int assignment_index,
		   enum gr_review_assignment_state state, int64_t now)
{
	struct assignment *assignment = &review->assignments[assignment_index];
	struct slot *slot = &review->slots[assignment->slot];
	int submission_index = assignment->submission;

	assert(assignment->state == GR_REVIEW_ASSIGNED);
	assignment->state = state;
	assignment->ended_at = now;
	review->learners[assignment->reviewer].open--;
	remember_lease(&review->learners[assignment->reviewer], now);
	if (state == GR_REVIEW_EXPIRED) {
		review->learners[assignment->reviewer].lapses++;
		review->learners[assignment->reviewer].lapsed++;
	}
	slot->state = SLOT_OPEN;
	slot->live = NONE;
	slot->opened_at = now;
	emit(review,
	     state == GR_REVIEW_DECLINED ? GR_REVIEW_EFFECT_DECLINED : GR_REVIEW_EFFECT_EXPIRED,
	     submission_index, assignment_index, NONE, now);
	return fill(review, submission_index, now);
}

/* Append n open slots to a submission. */
static int open_slots(struct gr_review *review, int submission_index, int n, int64_t now)
{
	struct submission *submission = &review->submissions[submission_index];

	if (RESERVE(review->slots, review->slot_cap, review->slot_count + n) < 0 ||
	    RESERVE(submission->slots.items, submission->slots.cap, submission->slots.count + n) <
		0)
		return GR_ERROR;
	for (int i = 0; i < n; i++) {
		review->slots[review->slot_count] = (struct slot){
		    .submission = submission_index,
		    .state = SLOT_OPEN,
		    .live = NONE,
		    .done = NONE,
		    .last = NONE,
		    .opened_at = now,
		};
		submission->slots.items[submission->slots.count++] = review->slot_count++;
	}
	return 0;
}

static void count_verdicts(const struct gr_review *review, const struct submission *submission,
			   int *passes, int *needs_work, int *done)
{
	*passes = *needs_work = *done = 0;
	for (int i = 0; i < submission->slots.count; i++) {
		const struct slot *slot = &review->slots[submission->slots.items[i]];

		if (slot->state != SLOT_DONE)
			continue;
		(*done)++;
		if (review->assignments[slot->done].verdict == GR_REVIEW_PASS)
			(*passes)++;
		else
			(*needs_work)++;
	}
}

/* Every slot is done: the verdict, or one more slot on a tie. */
static int decide(struct gr_review *review, int submission_index, int64_t now)
{
	struct submission *submission = &review->submissions[submission_index];
	struct learner *author = &review->learners[submission->author];
	int passes, needs_work, done;

	count_verdicts(review, submission, &passes, &needs_work, &done);
	if (done < submission->slots.count)
		return 0;
	if (passes == needs_work) {
		if (open_slots(review, submission_index, 1, now) < 0)
			return GR_ERROR;
		emit(review, GR_REVIEW_EFFECT_TIE, submission_index, NONE, NONE, now);
		return fill(review, submission_index, now);
	}
	submission->decided_at = now;
	if (passes < needs_work) {
		submission->state = GR_REVIEW_SUBMISSION_NEEDS_WORK;
		emit(review, GR_REVIEW_EFFECT_NEEDS_WORK, submission_index, NONE, NONE, now);
		return 0;
	}
	submission->state = GR_REVIEW_SUBMISSION_PASSED;
	learner_step_mutable(author, submission->step)->passed = true; /* exists: it submitted */
	emit(review, GR_REVIEW_EFFECT_PASSED, submission_index, NONE, NONE, now);
	return reexamine(review, submission->author, now);
}

/* ---- the interface ---------------------------------------------------- */

void gr_review_config_default(struct gr_review_config *out)
{
	*out = (struct gr_review_config){
	    .policy = GR_REVIEW_POLICY_ENGINE,
	    .seed = 1,
	    .lease_ms = GR_REVIEW_DEFAULT_LEASE_MS,
	    .lease_online_ms = GR_REVIEW_DEFAULT_LEASE_ONLINE_MS,
	    .recent_ms = GR_REVIEW_DEFAULT_RECENT_MS,
	    .absent_ms = GR_REVIEW_DEFAULT_ABSENT_MS,
	    .load_window_ms = GR_REVIEW_DEFAULT_LOAD_WINDOW_MS,
	    .rescue_after_ms = GR_REVIEW_DEFAULT_RESCUE_AFTER_MS,
	    .rescue_lease_ms = GR_REVIEW_DEFAULT_RESCUE_LEASE_MS,
	};
}

int gr_review_new(struct gr_review **out, const struct gr_review_config *config)
{
	struct gr_review *review;

	*out = NULL;
	if (config->lease_ms <= 0 || config->lease_online_ms <= 0 || config->rescue_lease_ms <= 0 ||
	    config->recent_ms < 0 || config->absent_ms < 0 || config->load_window_ms < 0 ||
	    config->rescue_after_ms <= 0 ||
	    (config->policy != GR_REVIEW_POLICY_ENGINE &&
	     config->policy != GR_REVIEW_POLICY_NAIVE)) {
		gr_error_set("review: leases must be positive and the policy known");
		return GR_EINVALID;
	}
	review = calloc(1, sizeof(*review));
	if (!review)
		return out_of_memory();
	review->config = *config;
	review->rng = config->seed;
	*out = review;
	return 0;
}

void gr_review_free(struct gr_review *review)
{
	if (!review)
		return;
	for (int i = 0; i < review->learner_count; i++)
		free(review->learners[i].steps);
	for (int i = 0; i < review->submission_count; i++) {
		free(review->submissions[i].slots.items);
		free(review->submissions[i].assignments.items);
	}
	free(review->learners);
	free(review->steps);
	free(review->submissions);
	free(review->slots);
	free(review->assignments);
	free(review->waiting.items);
	map_free(&review->learner_ids);
	map_free(&review->step_ids);
	map_free(&review->submission_ids);
	free(review);
}

static int check_new_id(const struct id_map *map, int64_t id, const char *what)
{
	if (id <= 0) {
		gr_error_set("review: %s id %lld is not positive", what, (long long)id);
		return GR_EINVALID;
	}
	if (map_find(map, id) != NONE) {
		gr_error_set("review: %s %lld exists already", what, (long long)id);
		return GR_EEXISTS;
	}
	return 0;
}

int gr_review_step_add(struct gr_review *review, int64_t step_id, int reviews)
{
	int rc = check_new_id(&review->step_ids, step_id, "step");

	if (rc < 0)
		return rc;
	if (reviews < 1) {
		gr_error_set("review: step %lld needs at least one review", (long long)step_id);
		return GR_EINVALID;
	}
	if (RESERVE(review->steps, review->step_cap, review->step_count + 1) < 0 ||
	    map_put(&review->step_ids, step_id, review->step_count) < 0)
		return GR_ERROR;
	review->steps[review->step_count++] = (struct step){.id = step_id, .reviews = reviews};
	return finish(review, 0);
}

int gr_review_learner_add(struct gr_review *review, int64_t learner_id, int64_t now)
{
	int rc = check_new_id(&review->learner_ids, learner_id, "learner");

	if (rc < 0)
		return rc;
	if (RESERVE(review->learners, review->learner_cap, review->learner_count + 1) < 0 ||
	    map_put(&review->learner_ids, learner_id, review->learner_count) < 0)
		return GR_ERROR;
	review->learners[review->learner_count++] = (struct learner){
	    .id = learner_id,
	    .active = true,
	    .last_seen = now,
	};
	return finish(review, 0);
}

int gr_review_learner_online(struct gr_review *review, int64_t learner_id, int online, int64_t now)
{
	int index = find(&review->learner_ids, learner_id, "learner");
	struct learner *learner;

	if (index == NONE)
		return GR_ENOTFOUND;
	learner = &review->learners[index];
	learner->online = online != 0;
	learner->last_seen = now;
	/* Back after a long absence, the learner may be chosen again. */
	if (!online)
		return finish(review, 0);
	return finish(review, reexamine(review, index, now));
}

int gr_review_learner_active(struct gr_review *review, int64_t learner_id, int active, int64_t now)
{
	int index = find(&review->learner_ids, learner_id, "learner");
	int rc = 0;

	if (index == NONE)
		return GR_ENOTFOUND;
	review->learners[index].active = active != 0;
	if (active)
		return finish(review, reexamine(review, index, now));
	for (int i = 0; i < review->assignment_count && rc == 0; i++)
		if (review->assignments[i].reviewer == index &&
		    review->assignments[i].state == GR_REVIEW_ASSIGNED)
			rc = release(review, i, GR_REVIEW_EXPIRED, now);
	return finish(review, rc);
}

int gr_review_step_pass(struct gr_review *review, int64_t learner_id, int64_t step_id, int64_t now)
{
	int learner = find(&review->learner_ids, learner_id, "learner");
	int step = learner == NONE ? NONE : find(&review->step_ids, step_id, "step");
	struct learner_step *progress;

	if (learner == NONE || step == NONE)
		return GR_ENOTFOUND;
	progress = learner_step_mutable(&review->learners[learner], step);
	if (!progress)
		return GR_ERROR;
	progress->passed = true;
	return finish(review, reexamine(review, learner, now));
}

/* Whether author may submit attempt on step now; sets the message if not. */
static int check_attempt(const struct gr_review *review, int author, int step, int attempt)
{
	const struct learner_step *progress = learner_step(&review->learners[author], step);
	const struct submission *last;

	if (progress->latest == NONE) {
		if (attempt >= 1)
			return 0;
		gr_error_set("review: attempts are numbered from 1, not %d", attempt);
		return GR_EINVALID;
	}
	last = &review->submissions[progress->latest];
	if (last->state != GR_REVIEW_SUBMISSION_NEEDS_WORK) {
		gr_error_set("review: attempt %d on this step is %s", last->attempt,
			     last->state == GR_REVIEW_SUBMISSION_PASSED ? "passed already"
									: "still in review");
		return GR_ECONFLICT;
	}
	if (attempt <= last->attempt) {
		gr_error_set("review: attempt %d follows attempt %d", attempt, last->attempt);
		return GR_EINVALID;
	}
	return 0;
}

static int add_submission(struct gr_review *review, int64_t submission_id, int author, int step,
			  int attempt, int64_t now)
{
	struct learner_step *progress = learner_step_mutable(&review->learners[author], step);
	int index = review->submission_count;

	if (!progress || RESERVE(review->submissions, review->submission_cap, index + 1) < 0 ||
	    map_put(&review->submission_ids, submission_id, index) < 0)
		return GR_ERROR;
	review->submissions[index] = (struct submission){
	    .id = submission_id,
	    .author = author,
	    .step = step,
	    .attempt = attempt,
	    .previous = progress->latest,
	    .state = GR_REVIEW_SUBMISSION_WAITING,
	    .submitted_at = now,
	};
	review->submission_count++;
	progress->latest = index;
	progress->submitted = true;
	return index;
}

int gr_review_submit(struct gr_review *review, int64_t submission_id, int64_t author_id,
		     int64_t step_id, int attempt, int64_t now)
{
	int author = find(&review->learner_ids, author_id, "learner");
	int step = author == NONE ? NONE : find(&review->step_ids, step_id, "step");
	int rc, index;

	if (author == NONE || step == NONE)
		return GR_ENOTFOUND;
	rc = check_new_id(&review->submission_ids, submission_id, "submission");
	if (rc == 0)
		rc = check_attempt(review, author, step, attempt);
	if (rc < 0)
		return rc;
	index = add_submission(review, submission_id, author, step, attempt, now);
	if (index < 0)
		return finish(review, index);
	rc = open_slots(review, index, review->steps[step].reviews, now);
	if (rc == 0)
		rc = fill(review, index, now);
	else
		update_waiting(review, index);
	/* The author may now review the others waiting on this step. */
	if (rc == 0)
		rc = reexamine(review, author, now);
	return finish(review, rc);
}

/* The live assignment reviewer_id holds as assignment_id, or a negative code. */
static int live_assignment(const struct gr_review *review, int64_t assignment_id_,
			   int64_t reviewer_id)
{
	const struct assignment *assignment;
	int index;

	if (assignment_id_ <= 0 || assignment_id_ > review->assignment_count) {
		gr_error_set("review: no assignment with id %lld", (long long)assignment_id_);
		return GR_ENOTFOUND;
	}
	index = (int)(assignment_id_ - 1);
	assignment = &review->assignments[index];
	if (review->learners[assignment->reviewer].id != reviewer_id) {
		gr_error_set("review: assignment %lld is not yours", (long long)assignment_id_);
		return GR_EFORBIDDEN;
	}
	if (assignment->state == GR_REVIEW_EXPIRED) {
		gr_error_set("review: the time for assignment %lld ran out and it went to "
			     "someone else",
			     (long long)assignment_id_);
		return GR_EEXPIRED;
	}
	if (assignment->state != GR_REVIEW_ASSIGNED) {
		gr_error_set("review: assignment %lld was already %s", (long long)assignment_id_,
			     assignment->state == GR_REVIEW_DONE ? "reviewed" : "declined");
		return GR_ECONFLICT;
	}
	return index;
}

int gr_review_give(struct gr_review *review, int64_t assignment_id_, int64_t reviewer_id,
		   enum gr_review_verdict verdict, int64_t now)
{
	int index = live_assignment(review, assignment_id_, reviewer_id);
	struct assignment *assignment;
	struct slot *slot;

	if (index < 0)
		return index;
	if (verdict != GR_REVIEW_PASS && verdict != GR_REVIEW_NEEDS_WORK) {
		gr_error_set("review: verdict %d is neither pass nor needs work", (int)verdict);
		return GR_EINVALID;
	}
	assignment = &review->assignments[index];
	slot = &review->slots[assignment->slot];
	assignment->state = GR_REVIEW_DONE;
	assignment->verdict = verdict;
	assignment->ended_at = now;
	slot->state = SLOT_DONE;
	slot->live = NONE;
	slot->done = index;
	review->learners[assignment->reviewer].open--;
	review->learners[assignment->reviewer].given++;
	review->learners[assignment->reviewer].lapses = 0;
	remember_lease(&review->learners[assignment->reviewer], now);
	review->learners[review->submissions[assignment->submission].author].received++;
	emit(review, GR_REVIEW_EFFECT_REVIEWED, assignment->submission, index, NONE, now);
	return finish(review, decide(review, assignment->submission, now));
}

int gr_review_decline(struct gr_review *review, int64_t assignment_id_, int64_t reviewer_id,
		      int64_t now)
{
	int index = live_assignment(review, assignment_id_, reviewer_id);

	if (index < 0)
		return index;
	return finish(review, release(review, index, GR_REVIEW_DECLINED, now));
}

int gr_review_tick(struct gr_review *review, int64_t now)
{
	int rc = 0;

	for (int i = 0; i < review->assignment_count && rc == 0; i++)
		if (review->assignments[i].state == GR_REVIEW_ASSIGNED &&
		    review->assignments[i].due_at <= now)
			rc = release(review, i, GR_REVIEW_EXPIRED, now);
	/* Nothing becomes eligible by time alone; this is a safety net. */
	if (rc == 0)
		rc = reexamine(review, NONE, now);
	return finish(review, rc);
}

/* ---- lookups ---------------------------------------------------------- */

static void count_eligible(int *eligible, int *online, const struct gr_review *review,
			   const struct submission *submission)
{
	int passed[2] = {0}, submitted[2] = {0}; /* [all, online] */

	for (int i = 0; i < review->learner_count; i++) {
		int class_ = candidate_class(review, submission, i);
		int *count = class_ & SUBMITTED_STEP ? submitted : passed;

		if (class_ == NONE)
			continue;
		count[0]++;
		count[1] += review->learners[i].online;
	}
	/* Peers at the same point count while too few have passed. */
	if (passed[0] >= review->steps[submission->step].reviews)
		submitted[0] = submitted[1] = 0;
	*eligible = passed[0] + submitted[0];
	*online = passed[1] + submitted[1];
}

int gr_review_standing_get(struct gr_review_standing *out, const struct gr_review *review,
			   int64_t submission_id, int64_t now)
{
	int index = find(&review->submission_ids, submission_id, "submission");
	const struct submission *submission;

	memset(out, 0, sizeof(*out));
	if (index == NONE)
		return GR_ENOTFOUND;
	submission = &review->submissions[index];
	out->state = submission->state;
	out->slots = submission->slots.count;
	out->submitted_at = submission->submitted_at;
	out->decided_at = submission->decided_at;
	for (int i = 0; i < submission->slots.count; i++) {
		const struct slot *slot = &review->slots[submission->slots.items[i]];

		if (slot->state == SLOT_DONE) {
			out->done++;
			out->passes += review->assignments[slot->done].verdict == GR_REVIEW_PASS;
		} else if (slot->state == SLOT_ASSIGNED) {
			out->assigned++;
		} else {
			out->open++;
			if (!out->waiting_since || slot->opened_at < out->waiting_since)
				out->waiting_since = slot->opened_at;
		}
	}
	if (out->open == 0 || is_decided(submission))
		return 0;
	count_eligible(&out->eligible, &out->eligible_online, review, submission);
	out->reason = out->eligible == 0 ? GR_REVIEW_WAIT_NO_PEER : GR_REVIEW_WAIT_NOT_ONLINE;
	(void)now;
	return 0;
}

int gr_review_assignment_get(struct gr_review_assignment_info *out, const struct gr_review *review,
			     int64_t assignment_id_)
{
	const struct assignment *assignment;
	const struct submission *submission;

	memset(out, 0, sizeof(*out));
	if (assignment_id_ <= 0 || assignment_id_ > review->assignment_count) {
		gr_error_set("review: no assignment with id %lld", (long long)assignment_id_);
		return GR_ENOTFOUND;
	}
	assignment = &review->assignments[assignment_id_ - 1];
	submission = &review->submissions[assignment->submission];
	*out = (struct gr_review_assignment_info){
	    .id = assignment_id_,
	    .submission_id = submission->id,
	    .reviewer_id = review->learners[assignment->reviewer].id,
	    .author_id = review->learners[submission->author].id,
	    .step_id = review->steps[submission->step].id,
	    .attempt = submission->attempt,
	    .state = assignment->state,
	    .verdict = assignment->verdict,
	    .assigned_at = assignment->assigned_at,
	    .due_at = assignment->due_at,
	    .ended_at = assignment->ended_at,
	};
	return 0;
}

int gr_review_learner_get(struct gr_review_learner_info *out, const struct gr_review *review,
			  int64_t learner_id)
{
	int index = find(&review->learner_ids, learner_id, "learner");
	const struct learner *learner;

	memset(out, 0, sizeof(*out));
	if (index == NONE)
		return GR_ENOTFOUND;
	learner = &review->learners[index];
	out->given = learner->given;
	out->received = learner->received;
	out->open = learner->open;
	out->online = learner->online;
	out->active = learner->active;
	return 0;
}

int gr_review_may_read(const struct gr_review *review, int64_t learner_id, int64_t submission_id)
{
	int learner = map_find(&review->learner_ids, learner_id);
	int index = map_find(&review->submission_ids, submission_id);

	if (learner == NONE || index == NONE)
		return 0;
	if (review->submissions[index].author == learner)
		return 1;
	return relation_to(review, &review->submissions[index], learner) == REL_HOLDS;
}

static const char *const assignment_state_names[] = {
	[GR_REVIEW_ASSIGNED] = "assigned",
	[GR_REVIEW_DONE] = "done",
	[GR_REVIEW_EXPIRED] = "expired",
	[GR_REVIEW_DECLINED] = "declined",
};

#define ASSIGNMENT_STATE_COUNT \
	(int)(sizeof(assignment_state_names) / sizeof(assignment_state_names[0]))

const char *gr_review_assignment_state_name(enum gr_review_assignment_state state)
{
	assert((int)state >= 0 && (int)state < ASSIGNMENT_STATE_COUNT);
	if ((int)state < 0 || (int)state >= ASSIGNMENT_STATE_COUNT)
		return "unknown";
	return assignment_state_names[state];
}

int gr_review_assignment_state_from_name(enum gr_review_assignment_state *out, const char *name)
{
	for (int state = 0; name && state < ASSIGNMENT_STATE_COUNT; state++) {
		if (strcmp(name, assignment_state_names[state]) == 0) {
			*out = (enum gr_review_assignment_state)state;
			return 0;
		}
	}
	gr_error_set("\"%.40s\" is not a review assignment's state", name ? name : "(none)");
	return GR_EINVALID;
}

const char *gr_review_effect_name(enum gr_review_effect_kind kind)
{
	static const char *const names[] = {
	    [GR_REVIEW_EFFECT_ASSIGNED] = "assigned", [GR_REVIEW_EFFECT_REASSIGNED] = "reassigned",
	    [GR_REVIEW_EFFECT_EXPIRED] = "expired",   [GR_REVIEW_EFFECT_DECLINED] = "declined",
	    [GR_REVIEW_EFFECT_REVIEWED] = "reviewed", [GR_REVIEW_EFFECT_TIE] = "tie",
	    [GR_REVIEW_EFFECT_PASSED] = "passed",     [GR_REVIEW_EFFECT_NEEDS_WORK] = "needs_work",
	};

	if ((int)kind < 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}

/* ---- the checker ------------------------------------------------------ */

/* Invariant n is broken: set the message, return n from the function. */
#define BROKEN(n, ...)                                                                             \
	do {                                                                                       \
		broken(n, __VA_ARGS__);                                                            \
		return n;                                                                          \
	} while (0)

static void broken(int invariant, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void broken(int invariant, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	gr_error_set("review invariant %d: %s", invariant, what);
}

static const char *const slot_state_names[] = {
    [SLOT_OPEN] = "open",
    [SLOT_ASSIGNED] = "assigned",
    [SLOT_DONE] = "done",
};

/* Invariants 3, 4 and 9 for one slot. */
static int check_slot(const struct gr_review *review, int index)
{
	const struct slot *slot = &review->slots[index];
	const struct submission *submission = &review->submissions[slot->submission];
	int live = 0, done = 0, newest = NONE;

	for (int i = 0; i < submission->assignments.count; i++) {
		const struct assignment *assignment =
		    &review->assignments[submission->assignments.items[i]];

		if (assignment->slot != index)
			continue;
		live += assignment->state == GR_REVIEW_ASSIGNED;
		done += assignment->state == GR_REVIEW_DONE;
		newest = submission->assignments.items[i];
	}
	if (live != (slot->state == SLOT_ASSIGNED))
		BROKEN(3, "slot %d is %s with %d live assignments", index,
		       slot_state_names[slot->state], live);
	if ((slot->live != NONE) != (slot->state == SLOT_ASSIGNED) ||
	    (slot->live != NONE && (review->assignments[slot->live].state != GR_REVIEW_ASSIGNED ||
				    review->assignments[slot->live].slot != index)))
		BROKEN(3, "slot %d does not point at its live assignment", index);
	if (done != (slot->state == SLOT_DONE))
		BROKEN(4, "slot %d is %s with %d done reviews", index,
		       slot_state_names[slot->state], done);
	if ((slot->done != NONE) != (slot->state == SLOT_DONE) ||
	    (slot->done != NONE && (review->assignments[slot->done].state != GR_REVIEW_DONE ||
				    review->assignments[slot->done].slot != index)))
		BROKEN(4, "slot %d does not point at its done review", index);
	if (slot->last != newest)
		BROKEN(9, "slot %d remembers assignment %d as its latest, not %d", index,
		       slot->last + 1, newest + 1);
	return 0;
}

/*
 * Scratch space for the checker, one entry per learner, stamped with the
 * submission being checked so it need not be cleared between submissions.
 */
struct seen {
	int stamp;    /* submission index + 1 when the fields below are current */
	int holds;    /* live or done assignments on this submission */
	int declined; /* the index of a declined assignment, or NONE */
};

/* Invariants 1, 2, 5 (live leases of active learners), 7 and 9 for one
 * submission's assignments. */
static int check_reviewers(const struct gr_review *review, int index, struct seen *seen)
{
	const struct submission *submission = &review->submissions[index];
	const struct int_list *list = &submission->assignments;

	for (int i = 0; i < list->count; i++) {
		const struct assignment *a = &review->assignments[list->items[i]];
		struct seen *reviewer = &seen[a->reviewer];

		if (a->submission != index || review->slots[a->slot].submission != index)
			BROKEN(9, "assignment %d is listed on submission %lld but is not its own",
			       list->items[i] + 1, (long long)submission->id);
		if (a->reviewer == submission->author)
			BROKEN(1, "submission %lld is reviewed by its author",
			       (long long)submission->id);
		if (a->state == GR_REVIEW_ASSIGNED && !review->learners[a->reviewer].active)
			BROKEN(5, "a learner who left holds assignment %d", list->items[i] + 1);
		if (!engine_policy(review) && a->due_at != NEVER)
			BROKEN(7, "naive assignment %d has a due time", list->items[i] + 1);
		if (engine_policy(review) && a->due_at <= a->assigned_at)
			BROKEN(9, "assignment %d is due before it was given", list->items[i] + 1);
		if (reviewer->stamp != index + 1)
			*reviewer = (struct seen){.stamp = index + 1, .declined = NONE};
		if (reviewer->declined != NONE)
			BROKEN(2, "learner %lld was given submission %lld again after declining it",
			       (long long)review->learners[a->reviewer].id,
			       (long long)submission->id);
		if (a->state == GR_REVIEW_DECLINED)
			reviewer->declined = list->items[i];
		if ((a->state == GR_REVIEW_ASSIGNED || a->state == GR_REVIEW_DONE) &&
		    ++reviewer->holds > 1)
			BROKEN(2, "learner %lld is on submission %lld twice",
			       (long long)review->learners[a->reviewer].id,
			       (long long)submission->id);
	}
	return 0;
}

/* Invariants 6 and 8 for one submission. */
static int check_submission(const struct gr_review *review, int index)
{
	const struct submission *submission = &review->submissions[index];
	int passes, needs_work, done, reviews = review->steps[submission->step].reviews;
	bool open = has_open_slot(review, submission), decided = is_decided(submission);

	count_verdicts(review, submission, &passes, &needs_work, &done);
	if (submission->slots.count != reviews &&
	    (submission->slots.count != reviews + 1 || reviews % 2 != 0))
		BROKEN(6, "submission %lld has %d slots for %d reviews", (long long)submission->id,
		       submission->slots.count, reviews);
	if (decided != (done == submission->slots.count && passes != needs_work))
		BROKEN(6, "submission %lld is %s with %d of %d done", (long long)submission->id,
		       decided ? "decided" : "undecided", done, submission->slots.count);
	if (submission->state == GR_REVIEW_SUBMISSION_PASSED && passes <= needs_work)
		BROKEN(6, "submission %lld passed without a majority", (long long)submission->id);
	if (submission->state == GR_REVIEW_SUBMISSION_NEEDS_WORK && passes >= needs_work)
		BROKEN(6, "submission %lld needs work without a majority",
		       (long long)submission->id);
	if (!decided && (submission->state == GR_REVIEW_SUBMISSION_WAITING) != open)
		BROKEN(6, "submission %lld is %s with %s open slot", (long long)submission->id,
		       open ? "in review" : "waiting", open ? "an" : "no");
	if (!decided && open && !submission->queued)
		BROKEN(6, "submission %lld waits outside the queue", (long long)submission->id);
	if (submission->previous != NONE &&
	    review->submissions[submission->previous].state != GR_REVIEW_SUBMISSION_NEEDS_WORK)
		BROKEN(8, "submission %lld follows an attempt that did not need work",
		       (long long)submission->id);
	if (!decided &&
	    learner_step(&review->learners[submission->author], submission->step)->latest != index)
		BROKEN(8, "submission %lld is undecided but not the author's latest attempt",
		       (long long)submission->id);
	return 0;
}

/* Invariant 6: the queue holds exactly the submissions marked queued, once each. */
static int check_queue(const struct gr_review *review)
{
	int queued = 0;

	for (int i = 0; i < review->submission_count; i++)
		queued += review->submissions[i].queued;
	if (queued != review->waiting.count)
		BROKEN(6, "%d submissions are marked queued, %d are in the queue", queued,
		       review->waiting.count);
	for (int i = 0; i < review->waiting.count; i++)
		if (!review->submissions[review->waiting.items[i]].queued)
			BROKEN(6, "submission %lld is in the queue but not marked queued",
			       (long long)review->submissions[review->waiting.items[i]].id);
	return 0;
}

/* Invariant 5: the counts kept per learner. counts has 3 ints per learner. */
static int check_counts(const struct gr_review *review, int *counts)
{
	for (int i = 0; i < review->assignment_count; i++) {
		const struct assignment *assignment = &review->assignments[i];

		counts[3 * assignment->reviewer] += assignment->state == GR_REVIEW_ASSIGNED;
		if (assignment->state == GR_REVIEW_DONE) {
			counts[3 * assignment->reviewer + 1]++;
			counts[3 * review->submissions[assignment->submission].author + 2]++;
		}
	}
	for (int i = 0; i < review->learner_count; i++) {
		const struct learner *learner = &review->learners[i];
		const int *count = &counts[3 * i];

		if (learner->open != count[0] || learner->given != count[1] ||
		    learner->received != count[2])
			BROKEN(5,
			       "learner %lld counts %d open, %d given, %d received; the "
			       "assignments say %d, %d, %d",
			       (long long)learner->id, learner->open, learner->given,
			       learner->received, count[0], count[1], count[2]);
	}
	return 0;
}

/*
 * Slots first, then each submission and its assignments, then the queue and
 * the learners' counts: the first broken invariant found in that order.
 */
int gr_review_check(const struct gr_review *review)
{
	size_t learners = (size_t)review->learner_count + 1;
	struct seen *seen = calloc(learners, sizeof(*seen));
	int *counts = calloc(3 * learners, sizeof(*counts));
	int rc = 0;

	if (!seen || !counts) {
		free(seen);
		free(counts);
		return 0; /* nothing to check with */
	}
	for (int i = 0; i < review->slot_count && rc == 0; i++)
		rc = check_slot(review, i);
	for (int i = 0; i < review->submission_count && rc == 0; i++) {
		rc = check_submission(review, i);
		if (rc == 0)
			rc = check_reviewers(review, i, seen);
	}
	if (rc == 0)
		rc = check_queue(review);
	if (rc == 0)
		rc = check_counts(review, counts);
	free(seen);
	free(counts);
	return rc;
}
