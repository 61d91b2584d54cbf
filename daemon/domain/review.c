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
 *           replaces the slot's last). Also EXPIRED, but handed back (no
 *           lapse): an unopened lease whose reviewer has been away
 *           move_after_ms, one moved to a free peer online
 *           (move_unopened), one a puller takes over (gr_review_pull),
 *           and the live leases of work a coach decides.
 *
 *   open -> assigned also by gr_review_pull() (the learner asks) and
 *   gr_review_coach_assign() (a coach chooses, from any cohort).
 *   done -> open: gr_review_withdraw(), a flag upheld on undecided work or
 *   on a needs-work verdict not yet resubmitted; the done assignment stays
 *   DONE, marked withdrawn, and no longer counts in the verdict.
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
 * Presence (engine policy only). A lease is pushed only to a learner online
 * now; coming online re-examines the queue, so they are assigned the
 * moment they are back. Opening a lease (gr_review_open) makes it theirs to
 * finish within lease_ms; one not opened is handed back move_after_ms after
 * they left, and moves to a free peer online after move_after_ms. (The
 * simulation found 95 % of expired leases expiring with their reviewer
 * away: leases had been given to, and timed against, learners not there.)
 *
 * Give about what you get (engine policy). A learner is pushed a lease only
 * while fewer than push_cap plus what they owe were pushed to them in the
 * last 7 days, and while the reviews they gave on pushed leases, counting
 * those they hold, stay under twice what they received plus push_cap.
 * Pulling (gr_review_pull) is free of both.
 *
 * Coaches (engine policy). Undecided work with an open slot, or a tie whose
 * extra review is not in, goes to the coaches (an effect, COACH) once
 * coach_after_ms passed since it was submitted, the tie, or the coaches'
 * last step (assign, extend); they decide it (the verdict is theirs),
 * choose a reviewer, or extend.
 *
 * Order of choice (engine policy), the first difference decides:
 *   0. a reviewer who reviewed the previous attempt (a resubmission)
 *   1. not a last resort (no lapsed lease on this attempt)
 *   2. most reviews owed (received minus given, at least 0)
 *   3. least load: open assignments plus leases that ended within
 *      load_window_ms (open ones alone favour whoever finishes fastest:
 *      the simulation showed them taking most of the work); every
 *      candidate is online now
 *   4. reliability: the fewest tenths of their leases let expire
 *   5. fewest reviews given beyond those received
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
 * The naive policy is the simulation's honest baseline: uniformly among the
 * eligible, whoever is present or not, with the same leases, expiry and
 * reassignment; no rescue, load or owed order, push cap, pull, moves or
 * coaches.
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
 *      is in the waiting queue (which holds nothing else); unless a coach
 *      decided it, decided iff every slot is done and the passes and
 *      needs-work differ, and the state follows the majority; decided, it
 *      holds no live lease. It has R slots, or R+1 after a tie (R even).
 *   7. A coach's verdict only on decided work; only undecided work is with
 *      the coaches, and only under the engine policy; under the baseline no
 *      lease is pulled, opened or chosen by a coach; only a done review is
 *      withdrawn.
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
 * Whether the learner can be pushed a lease now: online. (Pushing to
 * learners seen lately but away was the main cause of expired leases: the
 * simulation showed nine in ten expiring with their reviewer offline.)
 */
static bool is_present(const struct gr_review *review, const struct learner *learner, int64_t now)
{
	(void)review;
	(void)now;
	return learner->online;
}

static int owed(const struct learner *learner)
{
	return learner->received > learner->given ? learner->received - learner->given : 0;
}

static int pushed_this_week(const struct learner *learner, int64_t now)
{
	int n = 0;

	for (int i = 0; i < RECENT_PUSHES; i++)
		n += learner->pushed_at[i] && now - learner->pushed_at[i] < GR_REVIEW_WEEK_MS;
	return n;
}

/*
 * Whether one more review may be pushed to the learner: fewer pushes in the
 * last 7 days than push_cap plus what they owe, and fewer reviews given on
 * pushed leases, counting the ones they hold, than twice what they received
 * plus push_cap. Pulling is free.
 */
static bool may_push(const struct gr_review *review, const struct learner *learner, int64_t now)
{
	return pushed_this_week(learner, now) < review->config.push_cap + owed(learner) &&
	       learner->given_pushed + learner->open <
		   2 * learner->received + review->config.push_cap;
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
	if (kind == GR_REVIEW_EFFECT_ASSIGNED || kind == GR_REVIEW_EFFECT_REASSIGNED) {
		effect.due_at = review->assignments[assignment_index].due_at;
		effect.pulled = review->assignments[assignment_index].pulled;
		effect.by_coach = review->assignments[assignment_index].by_coach;
	}
	if (kind == GR_REVIEW_EFFECT_PASSED || kind == GR_REVIEW_EFFECT_NEEDS_WORK)
		effect.by_coach = submission->by_coach;
	if (kind == GR_REVIEW_EFFECT_EXPIRED)
		effect.handed_back = review->handing_back;
	if (kind == GR_REVIEW_EFFECT_OPENED)
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

	if (!learner->active || learner_index == submission->author ||
	    learner->cohort != review->learners[submission->author].cohort)
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
	key[2] = -(int64_t)owed(learner);
	key[3] = rescue ? lapse_rate(learner) >= 5 : load;
	key[4] = rescue ? load : lapse_rate(learner);
	key[5] = learner->given - learner->received;
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
				       review->learners[i].open == 0 &&
				       may_push(review, &review->learners[i], now)));
	widen = passed < review->steps[submission->step].reviews;
	for (int i = 0; i < review->learner_count; i++) {
		int class_ = candidate_class(review, submission, i);

		if (class_ == NONE || ((class_ & SUBMITTED_STEP) && !widen))
			continue;
		if (engine && (!is_present(review, &review->learners[i], now) ||
			       !may_push(review, &review->learners[i], now)))
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

/*
 * The best candidate for submission who is online, free (no open lease) and
 * may be pushed one, by the order of choice, the first found on a tie: no
 * random draw, so looking and finding nobody changes nothing (a tick that
 * makes no move need not be logged; services/reviews.c).
 */
static int choose_free(const struct gr_review *review, int submission_index, int64_t now)
{
	const struct submission *submission = &review->submissions[submission_index];
	int64_t best[KEY_SIZE], key[KEY_SIZE];
	int chosen = NONE, passed = 0;
	bool widen;

	for (int i = 0; i < review->learner_count; i++)
		passed += candidate_class(review, submission, i) == PASSED_STEP;
	widen = passed < review->steps[submission->step].reviews;
	for (int i = 0; i < review->learner_count; i++) {
		const struct learner *learner = &review->learners[i];
		int class_ = candidate_class(review, submission, i);

		if (class_ == NONE || ((class_ & SUBMITTED_STEP) && !widen) || !learner->online ||
		    learner->open > 0 || !may_push(review, learner, now))
			continue;
		choice_key(key, review, submission, i, class_, false, now);
		if (chosen == NONE || compare_keys(key, best) < 0) {
			memcpy(best, key, sizeof(best));
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
	if (reviewer->online && review->learners[submission->author].online)
		return now + review->config.lease_online_ms;
	if (rescue && engine_policy(review))
		return now + review->config.rescue_lease_ms;
	return now + review->config.lease_ms;
}

/* How a lease is given: pushed by the engine, pulled by the reviewer, or chosen by a coach. */
enum how { PUSHED, PULLED, BY_COACH };

/* open -> assigned: give slot to reviewer. */
static int assign_how(struct gr_review *review, int slot_index, int reviewer_index, bool rescue,
		      enum how how, int64_t now)
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
	    .pulled = how == PULLED,
	    .by_coach = how == BY_COACH,
	};
	review->assignment_count++;
	if (how == PUSHED) {
		reviewer->pushed_at[reviewer->pushed_next] = now ? now : 1;
		reviewer->pushed_next = (reviewer->pushed_next + 1) % RECENT_PUSHES;
	}
	slot->state = SLOT_ASSIGNED;
	slot->live = index;
	slot->last = index;
	reviewer->open++;
	remember_author(reviewer, submission->author, now);
	emit(review, replaces == NONE ? GR_REVIEW_EFFECT_ASSIGNED : GR_REVIEW_EFFECT_REASSIGNED,
	     slot->submission, index, replaces, now);
	return 0;
}

static int assign(struct gr_review *review, int slot_index, int reviewer_index, bool rescue,
		  int64_t now)
{
	return assign_how(review, slot_index, reviewer_index, rescue, PUSHED, now);
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

/*
 * assigned -> open, the assignment ending in state, without refilling;
 * handed back: an expiry that is not the reviewer's lapse.
 */
static void end_lease(struct gr_review *review, int assignment_index,
		      enum gr_review_assignment_state state, bool handed_back, int64_t now)
{
	struct assignment *assignment = &review->assignments[assignment_index];
	struct slot *slot = &review->slots[assignment->slot];

	assert(assignment->state == GR_REVIEW_ASSIGNED);
	assignment->state = state;
	assignment->ended_at = now;
	review->learners[assignment->reviewer].open--;
	remember_lease(&review->learners[assignment->reviewer], now);
	if (state == GR_REVIEW_EXPIRED && !handed_back) {
		review->learners[assignment->reviewer].lapses++;
		review->learners[assignment->reviewer].lapsed++;
	}
	slot->state = SLOT_OPEN;
	slot->live = NONE;
	slot->opened_at = now;
	review->handing_back = handed_back;
	emit(review,
	     state == GR_REVIEW_DECLINED ? GR_REVIEW_EFFECT_DECLINED : GR_REVIEW_EFFECT_EXPIRED,
	     assignment->submission, assignment_index, NONE, now);
	review->handing_back = false;
}

static void call_coach(struct gr_review *review, int submission_index, int64_t now);

/*
 * assigned -> open, the assignment ending in state; then reassign. When the
 * reviewer a coach chose did not review, and no peer takes the slot, it goes
 * back to the coaches at once.
 */
static int release_how(struct gr_review *review, int assignment_index,
		       enum gr_review_assignment_state state, bool handed_back, int64_t now)
{
	int submission_index = review->assignments[assignment_index].submission;
	bool by_coach = review->assignments[assignment_index].by_coach;
	int rc;

	end_lease(review, assignment_index, state, handed_back, now);
	rc = fill(review, submission_index, now);
	if (rc == 0 && by_coach && has_open_slot(review, &review->submissions[submission_index]))
		call_coach(review, submission_index, now);
	return rc;
}

static int release(struct gr_review *review, int assignment_index,
		   enum gr_review_assignment_state state, int64_t now)
{
	return release_how(review, assignment_index, state, false, now);
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
		submission->clock_at = now; /* the coaches' clock starts again */
		emit(review, GR_REVIEW_EFFECT_TIE, submission_index, NONE, NONE, now);
		return fill(review, submission_index, now);
	}
	submission->decided_at = now;
	submission->coach_at = 0;
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
	    .move_after_ms = GR_REVIEW_DEFAULT_MOVE_AFTER_MS,
	    .push_cap = GR_REVIEW_DEFAULT_PUSH_CAP,
	    .coach_after_ms = GR_REVIEW_DEFAULT_COACH_AFTER_MS,
	};
}

int gr_review_new(struct gr_review **out, const struct gr_review_config *config)
{
	struct gr_review *review;

	*out = NULL;
	if (config->lease_ms <= 0 || config->lease_online_ms <= 0 || config->rescue_lease_ms <= 0 ||
	    config->recent_ms < 0 || config->absent_ms < 0 || config->load_window_ms < 0 ||
	    config->rescue_after_ms <= 0 || config->move_after_ms <= 0 || config->push_cap < 0 ||
	    config->push_cap > RECENT_PUSHES / 2 || config->coach_after_ms <= 0 ||
	    (config->policy != GR_REVIEW_POLICY_ENGINE &&
	     config->policy != GR_REVIEW_POLICY_NAIVE)) {
		gr_error_set("review: leases and waits must be positive, the push cap 0 to %d and "
			     "the policy known",
			     RECENT_PUSHES / 2);
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
	if (!online)
		return finish(review, 0);
	return finish(review, reexamine(review, index, now));
}

int gr_review_learner_cohort(struct gr_review *review, int64_t learner_id, int cohort, int64_t now)
{
	int index = find(&review->learner_ids, learner_id, "learner");

	if (index == NONE)
		return GR_ENOTFOUND;
	if (cohort < 0) {
		gr_error_set("review: cohort %d is negative", cohort);
		return GR_EINVALID;
	}
	review->learners[index].cohort = cohort;
	return finish(review, reexamine(review, NONE, now));
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
	    .clock_at = now,
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

/* A verdict a reviewer or a coach may give: pass or needs work (else the error is set). */
static bool verdict_valid(enum gr_review_verdict verdict)
{
	if (verdict == GR_REVIEW_PASS || verdict == GR_REVIEW_NEEDS_WORK)
		return true;
	gr_error_set("review: verdict %d is neither pass nor needs work", (int)verdict);
	return false;
}

int gr_review_give(struct gr_review *review, int64_t assignment_id_, int64_t reviewer_id,
		   enum gr_review_verdict verdict, int64_t now)
{
	int index = live_assignment(review, assignment_id_, reviewer_id);
	struct assignment *assignment;
	struct slot *slot;

	if (index < 0)
		return index;
	if (!verdict_valid(verdict))
		return GR_EINVALID;
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
	review->learners[assignment->reviewer].given_pushed +=
	    !assignment->pulled && !assignment->by_coach;
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

/* A pushed lease nobody opened, that may move: held move_after_ms, or its reviewer left. */
static bool may_move(const struct gr_review *review, const struct assignment *a, int64_t now)
{
	return a->state == GR_REVIEW_ASSIGNED && !a->opened_at && !a->pulled && !a->by_coach &&
	       (!review->learners[a->reviewer].online ||
		now - a->assigned_at > review->config.move_after_ms);
}

/*
 * Unopened leases (engine policy). One whose reviewer has been offline for
 * move_after_ms is handed back: the slot reopens for whoever is online, or
 * waits for whoever comes next, rather than the lease running out while its
 * reviewer is away (the first cause of expired leases the simulation
 * found). A push held longer than that by a reviewer still online moves to
 * a peer who is online, free (no open lease) and may be pushed one, as the
 * order of choice picks them. Neither is the reviewer's lapse.
 */
static int move_unopened(struct gr_review *review, int64_t now)
{
	int rc = 0;

	for (int i = 0; i < review->assignment_count && rc == 0; i++) {
		const struct assignment *a = &review->assignments[i];
		const struct learner *reviewer = &review->learners[a->reviewer];
		int slot = a->slot, other;

		if (a->state != GR_REVIEW_ASSIGNED || a->opened_at)
			continue;
		if (!reviewer->online &&
		    now - reviewer->last_seen >= review->config.move_after_ms) {
			rc = release_how(review, i, GR_REVIEW_EXPIRED, true, now);
			continue;
		}
		if (!may_move(review, a, now) ||
		    (other = choose_free(review, a->submission, now)) == NONE)
			continue;
		end_lease(review, i, GR_REVIEW_EXPIRED, true, now);
		rc = assign(review, slot, other, false, now);
	}
	return rc;
}

/* Whether the submission waits on a peer: an open slot, or a tie's extra review. */
static bool waits_on_peer(const struct gr_review *review, const struct submission *submission)
{
	return !is_decided(submission) &&
	       (has_open_slot(review, submission) ||
		submission->slots.count > review->steps[submission->step].reviews);
}

static void call_coach(struct gr_review *review, int submission_index, int64_t now)
{
	struct submission *submission = &review->submissions[submission_index];

	if (submission->coach_at || !engine_policy(review) || is_decided(submission))
		return;
	submission->coach_at = now ? now : 1;
	emit(review, GR_REVIEW_EFFECT_COACH, submission_index, NONE, NONE, now);
}

/* Ties and open slots nobody took within coach_after_ms go to the coaches. */
static void call_coaches(struct gr_review *review, int64_t now)
{
	for (int i = 0; i < review->submission_count; i++) {
		const struct submission *submission = &review->submissions[i];

		if (!submission->coach_at && waits_on_peer(review, submission) &&
		    now - submission->clock_at >= review->config.coach_after_ms)
			call_coach(review, i, now);
	}
}

int gr_review_tick(struct gr_review *review, int64_t now)
{
	int rc = 0;

	for (int i = 0; i < review->assignment_count && rc == 0; i++)
		if (review->assignments[i].state == GR_REVIEW_ASSIGNED &&
		    review->assignments[i].due_at <= now)
			rc = release(review, i, GR_REVIEW_EXPIRED, now);
	if (rc == 0 && engine_policy(review))
		rc = move_unopened(review, now);
	/* Nothing becomes eligible by time alone; this is a safety net. */
	if (rc == 0)
		rc = reexamine(review, NONE, now);
	if (rc == 0 && engine_policy(review))
		call_coaches(review, now);
	return finish(review, rc);
}

int gr_review_open(struct gr_review *review, int64_t assignment_id_, int64_t reviewer_id,
		   int64_t now)
{
	int index = live_assignment(review, assignment_id_, reviewer_id);
	struct assignment *assignment;

	if (index < 0)
		return index;
	assignment = &review->assignments[index];
	if (assignment->opened_at || !engine_policy(review))
		return 0; /* the baseline's leases do not change when opened */
	assignment->opened_at = now ? now : 1;
	if (now + review->config.lease_ms > assignment->due_at)
		assignment->due_at = now + review->config.lease_ms;
	emit(review, GR_REVIEW_EFFECT_OPENED, assignment->submission, index, NONE, now);
	return finish(review, 0);
}

/* Whether learner may pull a slot of submission: eligible, and a peer at the same
 * point only while too few who passed are eligible at all. */
static bool may_pull(const struct gr_review *review, const struct submission *submission,
		     int learner)
{
	int class_ = candidate_class(review, submission, learner), passed = 0;

	if (class_ == NONE)
		return false;
	if (!(class_ & SUBMITTED_STEP))
		return true;
	for (int i = 0; i < review->learner_count; i++)
		passed += candidate_class(review, submission, i) == PASSED_STEP;
	return passed < review->steps[submission->step].reviews;
}

static int first_open_slot(const struct gr_review *review, const struct submission *submission)
{
	for (int i = 0; i < submission->slots.count; i++)
		if (review->slots[submission->slots.items[i]].state == SLOT_OPEN)
			return submission->slots.items[i];
	return NONE;
}

/* The oldest waiting submission learner may pull a slot of, or NONE. */
static int oldest_to_pull(const struct gr_review *review, int learner)
{
	for (int i = 0; i < review->waiting.count; i++) {
		const struct submission *submission =
		    &review->submissions[review->waiting.items[i]];

		if (!is_decided(submission) && has_open_slot(review, submission) &&
		    may_pull(review, submission, learner))
			return review->waiting.items[i];
	}
	return NONE;
}

int gr_review_pull(struct gr_review *review, int64_t *out, int64_t learner_id, int64_t now)
{
	int learner = find(&review->learner_ids, learner_id, "learner");
	int submission, slot = NONE, rc;

	*out = 0;
	if (learner == NONE)
		return GR_ENOTFOUND;
	if (!engine_policy(review) || !review->learners[learner].active) {
		gr_error_set("review: only an active learner under the engine policy may pull");
		return GR_ECONFLICT;
	}
	if ((submission = oldest_to_pull(review, learner)) != NONE) {
		slot = first_open_slot(review, &review->submissions[submission]);
	} else {
		for (int i = 0; i < review->assignment_count && slot == NONE; i++) {
			const struct assignment *a = &review->assignments[i];

			if (!may_move(review, a, now) ||
			    !may_pull(review, &review->submissions[a->submission], learner))
				continue;
			slot = a->slot;
			submission = a->submission;
			end_lease(review, i, GR_REVIEW_EXPIRED, true, now);
		}
	}
	if (slot == NONE) {
		gr_error_set("review: nothing is waiting that you may review");
		return finish(review, GR_ENOTFOUND);
	}
	rc = assign_how(review, slot, learner, false, PULLED, now);
	if (rc == 0)
		rc = update_waiting(review, submission);
	if (rc == 0)
		*out = review->slots[slot].live + 1;
	return finish(review, rc);
}

/* The slot of the submission's oldest live lease, or NONE. */
static int oldest_live_slot(const struct gr_review *review, const struct submission *submission)
{
	int best = NONE;

	for (int i = 0; i < submission->slots.count; i++) {
		const struct slot *slot = &review->slots[submission->slots.items[i]];

		if (slot->state == SLOT_ASSIGNED &&
		    (best == NONE || slot->live < review->slots[best].live))
			best = submission->slots.items[i];
	}
	return best;
}

/* The undecided latest attempt a coach acts on, or a negative code. */
static int coach_submission(const struct gr_review *review, int64_t submission_id)
{
	int index = find(&review->submission_ids, submission_id, "submission");

	if (index == NONE)
		return GR_ENOTFOUND;
	if (!engine_policy(review) || is_decided(&review->submissions[index])) {
		gr_error_set("review: submission %lld is decided already",
			     (long long)submission_id);
		return GR_ECONFLICT;
	}
	return index;
}

static void unqueue(struct gr_review *review, int submission_index)
{
	int kept = 0;

	if (!review->submissions[submission_index].queued)
		return;
	for (int i = 0; i < review->waiting.count; i++)
		if (review->waiting.items[i] != submission_index)
			review->waiting.items[kept++] = review->waiting.items[i];
	review->waiting.count = kept;
	review->submissions[submission_index].queued = false;
}

int gr_review_coach_decide(struct gr_review *review, int64_t submission_id,
			   enum gr_review_verdict verdict, int64_t now)
{
	int index = coach_submission(review, submission_id);
	struct submission *submission;

	if (index < 0)
		return index;
	if (!verdict_valid(verdict))
		return GR_EINVALID;
	for (int i = 0; i < review->submissions[index].slots.count; i++) {
		const struct slot *slot = &review->slots[review->submissions[index].slots.items[i]];

		if (slot->state == SLOT_ASSIGNED)
			end_lease(review, slot->live, GR_REVIEW_EXPIRED, true, now);
	}
	submission = &review->submissions[index];
	unqueue(review, index);
	submission->by_coach = true;
	submission->coach_at = 0;
	submission->decided_at = now;
	if (verdict == GR_REVIEW_NEEDS_WORK) {
		submission->state = GR_REVIEW_SUBMISSION_NEEDS_WORK;
		emit(review, GR_REVIEW_EFFECT_NEEDS_WORK, index, NONE, NONE, now);
		return finish(review, 0);
	}
	submission->state = GR_REVIEW_SUBMISSION_PASSED;
	learner_step_mutable(&review->learners[submission->author], submission->step)->passed =
	    true;
	emit(review, GR_REVIEW_EFFECT_PASSED, index, NONE, NONE, now);
	return finish(review, reexamine(review, submission->author, now));
}

int gr_review_coach_assign(struct gr_review *review, int64_t *out, int64_t submission_id,
			   int64_t reviewer_id, int64_t now)
{
	int index = coach_submission(review, submission_id);
	int reviewer = index < 0 ? NONE : find(&review->learner_ids, reviewer_id, "learner");
	int slot, rc;
	struct submission *submission;
	enum relation relation;

	*out = 0;
	if (index < 0)
		return index;
	if (reviewer == NONE)
		return GR_ENOTFOUND;
	submission = &review->submissions[index];
	relation = relation_to(review, submission, reviewer);
	if (!review->learners[reviewer].active || reviewer == submission->author ||
	    !learner_step(&review->learners[reviewer], submission->step)->passed ||
	    relation == REL_HOLDS || relation == REL_DECLINED) {
		gr_error_set("review: learner %lld may not review submission %lld: they must be "
			     "active, have passed the step, and not be on it already",
			     (long long)reviewer_id, (long long)submission_id);
		return GR_EINVALID;
	}
	/* No open slot: the coach reassigns the stuck review, the oldest live lease. */
	if ((slot = first_open_slot(review, submission)) == NONE &&
	    (slot = oldest_live_slot(review, submission)) != NONE)
		end_lease(review, review->slots[slot].live, GR_REVIEW_EXPIRED, true, now);
	if (slot == NONE) {
		gr_error_set("review: every review of submission %lld is given",
			     (long long)submission_id);
		return GR_ECONFLICT;
	}
	rc = assign_how(review, slot, reviewer, false, BY_COACH, now);
	submission = &review->submissions[index];
	submission->coach_at = 0;
	submission->clock_at = now;
	if (rc == 0)
		rc = update_waiting(review, index);
	if (rc == 0)
		*out = review->slots[slot].live + 1;
	return finish(review, rc);
}

int gr_review_coach_extend(struct gr_review *review, int64_t submission_id, int64_t now)
{
	int index = coach_submission(review, submission_id);

	if (index < 0)
		return index;
	review->submissions[index].coach_at = 0;
	review->submissions[index].clock_at = now;
	return finish(review, 0);
}

int gr_review_withdraw(struct gr_review *review, int64_t *out, int64_t assignment_id_, int64_t now)
{
	struct assignment *assignment;
	struct submission *submission;
	struct slot *slot;
	int index = (int)(assignment_id_ - 1), rc;

	*out = 0;
	if (assignment_id_ <= 0 || assignment_id_ > review->assignment_count) {
		gr_error_set("review: no assignment with id %lld", (long long)assignment_id_);
		return GR_ENOTFOUND;
	}
	assignment = &review->assignments[index];
	if (assignment->state != GR_REVIEW_DONE || assignment->withdrawn) {
		gr_error_set("review: assignment %lld is no review in the verdict",
			     (long long)assignment_id_);
		return GR_ECONFLICT;
	}
	submission = &review->submissions[assignment->submission];
	/* A pass stands, and so does a verdict the author has moved on from: nothing to redo. */
	if (submission->state == GR_REVIEW_SUBMISSION_PASSED || submission->by_coach ||
	    learner_step(&review->learners[submission->author], submission->step)->latest !=
		assignment->submission)
		return 0;
	assignment->withdrawn = true;
	emit(review, GR_REVIEW_EFFECT_WITHDRAWN, assignment->submission, index, NONE, now);
	slot = &review->slots[assignment->slot];
	slot->state = SLOT_OPEN;
	slot->done = NONE;
	slot->opened_at = now;
	submission->clock_at = now;
	if (submission->state == GR_REVIEW_SUBMISSION_NEEDS_WORK) {
		submission->state = GR_REVIEW_SUBMISSION_IN_REVIEW;
		submission->decided_at = 0;
		emit(review, GR_REVIEW_EFFECT_REOPENED, assignment->submission, NONE, NONE, now);
	}
	rc = fill(review, assignment->submission, now);
	if (rc == 0 && slot->state == SLOT_ASSIGNED)
		*out = slot->live + 1;
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
	out->coach_at = submission->coach_at;
	out->by_coach = submission->by_coach;
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
	if (submission->coach_at)
		out->reason = GR_REVIEW_WAIT_COACH;
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
	    .opened_at = assignment->opened_at,
	    .pulled = assignment->pulled,
	    .by_coach = assignment->by_coach,
	    .withdrawn = assignment->withdrawn,
	};
	return 0;
}

int gr_review_learner_get(struct gr_review_learner_info *out, const struct gr_review *review,
			  int64_t learner_id, int64_t now)
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
	out->owed = owed(learner);
	out->cohort = learner->cohort;
	out->pushed_this_week = pushed_this_week(learner, now);
	out->push_room = review->config.push_cap + out->owed - out->pushed_this_week;
	if (out->push_room < 0)
		out->push_room = 0;
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
	    [GR_REVIEW_EFFECT_ASSIGNED] = "assigned",
	    [GR_REVIEW_EFFECT_REASSIGNED] = "reassigned",
	    [GR_REVIEW_EFFECT_EXPIRED] = "expired",
	    [GR_REVIEW_EFFECT_DECLINED] = "declined",
	    [GR_REVIEW_EFFECT_REVIEWED] = "reviewed",
	    [GR_REVIEW_EFFECT_TIE] = "tie",
	    [GR_REVIEW_EFFECT_PASSED] = "passed",
	    [GR_REVIEW_EFFECT_NEEDS_WORK] = "needs_work",
	    [GR_REVIEW_EFFECT_COACH] = "coach",
	    [GR_REVIEW_EFFECT_OPENED] = "opened",
	    [GR_REVIEW_EFFECT_WITHDRAWN] = "withdrawn",
	    [GR_REVIEW_EFFECT_REOPENED] = "reopened",
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
		done += assignment->state == GR_REVIEW_DONE && !assignment->withdrawn;
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
				    review->assignments[slot->done].withdrawn ||
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
		if (a->withdrawn && a->state != GR_REVIEW_DONE)
			BROKEN(7, "assignment %d is withdrawn but was never a review",
			       list->items[i] + 1);
		if (!engine_policy(review) && (a->pulled || a->by_coach || a->opened_at))
			BROKEN(7, "baseline assignment %d was pulled, opened or given by a coach",
			       list->items[i] + 1);
		if (a->opened_at && a->opened_at < a->assigned_at)
			BROKEN(9, "assignment %d was opened before it was given",
			       list->items[i] + 1);
		if (a->due_at <= a->assigned_at)
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

static bool has_live_slot(const struct gr_review *review, const struct submission *submission)
{
	for (int i = 0; i < submission->slots.count; i++)
		if (review->slots[submission->slots.items[i]].state == SLOT_ASSIGNED)
			return true;
	return false;
}

/* Invariant 6: a peers' verdict follows the majority of the done reviews. */
static int check_majority(const struct gr_review *review, const struct submission *submission,
			  bool decided)
{
	int passes, needs_work, done;

	count_verdicts(review, submission, &passes, &needs_work, &done);
	if (decided != (done == submission->slots.count && passes != needs_work))
		BROKEN(6, "submission %lld is %s with %d of %d done", (long long)submission->id,
		       decided ? "decided" : "undecided", done, submission->slots.count);
	if (submission->state == GR_REVIEW_SUBMISSION_PASSED && passes <= needs_work)
		BROKEN(6, "submission %lld passed without a majority", (long long)submission->id);
	if (submission->state == GR_REVIEW_SUBMISSION_NEEDS_WORK && passes >= needs_work)
		BROKEN(6, "submission %lld needs work without a majority",
		       (long long)submission->id);
	return 0;
}

/* Invariants 6, 7 and 8 for one submission. */
static int check_submission(const struct gr_review *review, int index)
{
	const struct submission *submission = &review->submissions[index];
	int reviews = review->steps[submission->step].reviews, rc;
	bool open = has_open_slot(review, submission), decided = is_decided(submission);

	if (submission->slots.count != reviews &&
	    (submission->slots.count != reviews + 1 || reviews % 2 != 0))
		BROKEN(6, "submission %lld has %d slots for %d reviews", (long long)submission->id,
		       submission->slots.count, reviews);
	if (submission->by_coach && !decided)
		BROKEN(7, "submission %lld has a coach's verdict but is undecided",
		       (long long)submission->id);
	if (submission->coach_at && (decided || !engine_policy(review)))
		BROKEN(7, "submission %lld is with the coaches but %s", (long long)submission->id,
		       decided ? "decided" : "under the baseline policy");
	/* A coach's verdict stands for the majority. */
	if (!submission->by_coach && (rc = check_majority(review, submission, decided)) != 0)
		return rc;
	if (decided && has_live_slot(review, submission))
		BROKEN(6, "submission %lld is decided with a live lease",
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

/* Invariant 5: the counts kept per learner. counts has 4 ints per learner. */
static int check_counts(const struct gr_review *review, int *counts)
{
	for (int i = 0; i < review->assignment_count; i++) {
		const struct assignment *assignment = &review->assignments[i];

		counts[4 * assignment->reviewer] += assignment->state == GR_REVIEW_ASSIGNED;
		if (assignment->state == GR_REVIEW_DONE) {
			counts[4 * assignment->reviewer + 1]++;
			counts[4 * review->submissions[assignment->submission].author + 2]++;
			counts[4 * assignment->reviewer + 3] +=
			    !assignment->pulled && !assignment->by_coach;
		}
	}
	for (int i = 0; i < review->learner_count; i++) {
		const struct learner *learner = &review->learners[i];
		const int *count = &counts[4 * i];

		if (learner->open != count[0] || learner->given != count[1] ||
		    learner->received != count[2] || learner->given_pushed != count[3])
			BROKEN(5,
			       "learner %lld counts %d open, %d given (%d pushed), %d received; "
			       "the assignments say %d, %d (%d), %d",
			       (long long)learner->id, learner->open, learner->given,
			       learner->given_pushed, learner->received, count[0], count[1],
			       count[3], count[2]);
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
	int *counts = calloc(4 * learners, sizeof(*counts));
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

/* ---- snapshots -------------------------------------------------------- */

/*
 * Snapshots. gr_review_snapshot() writes the engine's whole state as bytes
 * and gr_review_restore() reads them back into an engine that cannot be
 * told apart from the original: every array in the same order (indexes are
 * stored as they are), the generator's state, the queue, each learner's
 * rings of recent leases and authors. Only the id maps are rebuilt, and
 * they decide nothing. The daemon stores a snapshot now and then, so a
 * start restores it and replays only the inputs that came after
 * (reviews.c, "Snapshots").
 *
 * Format, version 2 (version 1 had none of the fields marked v2, and is
 * still read: they then take the config's settings, a cohort of 0, no
 * pushes remembered, a coaches' clock from the submission time, and no
 * lease opened, pulled, chosen by a coach or withdrawn). Every integer is
 * little-endian whatever the machine:
 * u8, u32, i32 (two's complement), u64, i64. An index is an i32 into one
 * of the arrays below, -1 for none. The same state gives the same bytes.
 *
 *   header    "GRRS", u32 version (2), u64 body length
 *   body:
 *     config  u8 policy, u64 seed, i64 lease, lease_online, recent, absent,
 *             load_window, rescue_after and rescue_lease (ms); v2: i64
 *             move_after, i32 push_cap, i64 coach_after
 *     rng     u64 the generator's state
 *     counts  u32 steps, learners, submissions, slots, assignments, waiting
 *     steps   per step: i64 id, i32 reviews
 *     learners per learner: i64 id; u8 flags (1 online, 2 active);
 *             i64 last_seen; i32 lapses, lapsed, given, received, open;
 *             u8 ring position and 16 x i64: when their last leases ended;
 *             u8 ring position and 8 x (learner index, i64 at): authors
 *             recently assigned; u32 n and n x (u8 flags: 1 passed,
 *             2 submitted; submission index latest) for steps 0..n-1 (the
 *             steps after the last one they touched are left out);
 *             v2: i32 cohort, given_pushed, u8 ring position and 32 x i64: when their
 *             last pushes were made
 *     submissions per submission: i64 id; learner index author; step index;
 *             i32 attempt; submission index previous; u8 state; i64
 *             submitted_at, decided_at; u8 queued; u32 n and n slot
 *             indexes; u32 n and n assignment indexes (every one made);
 *             v2: u8 by_coach, i64 clock_at, coach_at
 *     slots   per slot: submission index; u8 state (0 open, 1 assigned,
 *             2 done); assignment indexes live, done, last; i64 opened_at
 *     assignments per assignment (id = index + 1): slot, submission and
 *             learner (reviewer) indexes; u8 state, u8 verdict; i64
 *             assigned_at, due_at, ended_at; v2: i64 opened_at, u8 flags
 *             (1 pulled, 2 chosen by a coach, 4 withdrawn)
 *     waiting the queue, oldest first: submission indexes
 *   trailer   u64 FNV-1a (64-bit) of everything before it
 *
 * Enums are stored as their values in review.h. A reader refuses what it
 * cannot trust: a short or long buffer, another magic, a version it does
 * not know, a checksum that does not match, a count that cannot fit in
 * the bytes left, an index or enum out of range, a duplicate id, links
 * that disagree (a slot listed under another submission), and finally any
 * broken invariant (gr_review_check). A change to the format bumps
 * GR_REVIEW_SNAPSHOT_VERSION; the daemon then falls back to a replay.
 */
#define SNAPSHOT_MAGIC "GRRS"
#define SNAPSHOT_HEADER 16 /* magic, version, body length */
#define SNAPSHOT_TRAILER 8 /* the checksum */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* The fewest bytes one record of each array takes: bounds a count read. */
#define MIN_STEP 12
#define MIN_LEARNER (8 + 1 + 8 + 5 * 4 + 1 + RECENT_LEASES * 8 + 1 + RECENT_AUTHORS * 12 + 4)
#define MIN_SUBMISSION (8 + 4 * 4 + 1 + 2 * 8 + 1 + 2 * 4)
#define MIN_SLOT (4 + 1 + 3 * 4 + 8)
#define MIN_ASSIGNMENT (3 * 4 + 2 + 3 * 8)

static uint64_t fnv1a(const unsigned char *bytes, size_t size)
{
	uint64_t hash = FNV_OFFSET;

	for (size_t i = 0; i < size; i++)
		hash = (hash ^ bytes[i]) * FNV_PRIME;
	return hash;
}

struct writer {
	unsigned char *bytes;
	size_t size, cap;
	bool failed;
};

/* Append the low width bytes of value, least significant first. */
static void put(struct writer *w, uint64_t value, int width)
{
	if (w->failed)
		return;
	if (w->size + (size_t)width > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		unsigned char *grown;

		while (cap < w->size + (size_t)width)
			cap *= 2;
		if (!(grown = realloc(w->bytes, cap))) {
			w->failed = true;
			return;
		}
		w->bytes = grown;
		w->cap = cap;
	}
	for (int i = 0; i < width; i++)
		w->bytes[w->size++] = (unsigned char)(value >> (8 * i));
}

static void put_u8(struct writer *w, unsigned value)
{
	put(w, value, 1);
}

static void put_i32(struct writer *w, int value)
{
	put(w, (uint32_t)(int32_t)value, 4);
}

static void put_i64(struct writer *w, int64_t value)
{
	put(w, (uint64_t)value, 8);
}

static void put_list(struct writer *w, const struct int_list *list)
{
	put(w, (uint32_t)list->count, 4);
	for (int i = 0; i < list->count; i++)
		put_i32(w, list->items[i]);
}

static void write_config(struct writer *w, const struct gr_review_config *config)
{
	put_u8(w, (unsigned)config->policy);
	put(w, config->seed, 8);
	put_i64(w, config->lease_ms);
	put_i64(w, config->lease_online_ms);
	put_i64(w, config->recent_ms);
	put_i64(w, config->absent_ms);
	put_i64(w, config->load_window_ms);
	put_i64(w, config->rescue_after_ms);
	put_i64(w, config->rescue_lease_ms);
	put_i64(w, config->move_after_ms);
	put_i32(w, config->push_cap);
	put_i64(w, config->coach_after_ms);
}

/* The learner's step records up to the last one that is not blank. */
static int touched_steps(const struct learner *learner)
{
	int n = learner->step_cap;

	while (n > 0 && !learner->steps[n - 1].passed && !learner->steps[n - 1].submitted &&
	       learner->steps[n - 1].latest == NONE)
		n--;
	return n;
}

static void write_learner(struct writer *w, const struct learner *learner)
{
	int steps = touched_steps(learner);

	put_i64(w, learner->id);
	put_u8(w, (learner->online ? 1u : 0u) | (learner->active ? 2u : 0u));
	put_i64(w, learner->last_seen);
	put_i32(w, learner->lapses);
	put_i32(w, learner->lapsed);
	put_i32(w, learner->given);
	put_i32(w, learner->received);
	put_i32(w, learner->open);
	put_u8(w, (unsigned)learner->ended_next);
	for (int i = 0; i < RECENT_LEASES; i++)
		put_i64(w, learner->ended_at[i]);
	put_u8(w, (unsigned)learner->recent_next);
	for (int i = 0; i < RECENT_AUTHORS; i++) {
		put_i32(w, learner->recent_author[i]);
		put_i64(w, learner->recent_at[i]);
	}
	put(w, (uint32_t)steps, 4);
	for (int i = 0; i < steps; i++) {
		put_u8(w, (learner->steps[i].passed ? 1u : 0u) |
			      (learner->steps[i].submitted ? 2u : 0u));
		put_i32(w, learner->steps[i].latest);
	}
	put_i32(w, learner->cohort);
	put_i32(w, learner->given_pushed);
	put_u8(w, (unsigned)learner->pushed_next);
	for (int i = 0; i < RECENT_PUSHES; i++)
		put_i64(w, learner->pushed_at[i]);
}

static void write_submission(struct writer *w, const struct submission *submission)
{
	put_i64(w, submission->id);
	put_i32(w, submission->author);
	put_i32(w, submission->step);
	put_i32(w, submission->attempt);
	put_i32(w, submission->previous);
	put_u8(w, (unsigned)submission->state);
	put_i64(w, submission->submitted_at);
	put_i64(w, submission->decided_at);
	put_u8(w, submission->queued ? 1u : 0u);
	put_list(w, &submission->slots);
	put_list(w, &submission->assignments);
	put_u8(w, submission->by_coach ? 1u : 0u);
	put_i64(w, submission->clock_at);
	put_i64(w, submission->coach_at);
}

static void write_slot(struct writer *w, const struct slot *slot)
{
	put_i32(w, slot->submission);
	put_u8(w, (unsigned)slot->state);
	put_i32(w, slot->live);
	put_i32(w, slot->done);
	put_i32(w, slot->last);
	put_i64(w, slot->opened_at);
}

static void write_assignment(struct writer *w, const struct assignment *assignment)
{
	put_i32(w, assignment->slot);
	put_i32(w, assignment->submission);
	put_i32(w, assignment->reviewer);
	put_u8(w, (unsigned)assignment->state);
	put_u8(w, (unsigned)assignment->verdict);
	put_i64(w, assignment->assigned_at);
	put_i64(w, assignment->due_at);
	put_i64(w, assignment->ended_at);
	put_i64(w, assignment->opened_at);
	put_u8(w, (assignment->pulled ? 1u : 0u) | (assignment->by_coach ? 2u : 0u) |
		      (assignment->withdrawn ? 4u : 0u));
}

static void write_body(struct writer *w, const struct gr_review *review)
{
	write_config(w, &review->config);
	put(w, review->rng, 8);
	put(w, (uint32_t)review->step_count, 4);
	put(w, (uint32_t)review->learner_count, 4);
	put(w, (uint32_t)review->submission_count, 4);
	put(w, (uint32_t)review->slot_count, 4);
	put(w, (uint32_t)review->assignment_count, 4);
	put(w, (uint32_t)review->waiting.count, 4);
	for (int i = 0; i < review->step_count; i++) {
		put_i64(w, review->steps[i].id);
		put_i32(w, review->steps[i].reviews);
	}
	for (int i = 0; i < review->learner_count; i++)
		write_learner(w, &review->learners[i]);
	for (int i = 0; i < review->submission_count; i++)
		write_submission(w, &review->submissions[i]);
	for (int i = 0; i < review->slot_count; i++)
		write_slot(w, &review->slots[i]);
	for (int i = 0; i < review->assignment_count; i++)
		write_assignment(w, &review->assignments[i]);
	for (int i = 0; i < review->waiting.count; i++)
		put_i32(w, review->waiting.items[i]);
}

int gr_review_snapshot(unsigned char **out, size_t *out_size, const struct gr_review *review)
{
	struct writer w = {0};
	size_t body;

	*out = NULL;
	*out_size = 0;
	for (int i = 0; i < 4; i++)
		put_u8(&w, (unsigned char)SNAPSHOT_MAGIC[i]);
	put(&w, GR_REVIEW_SNAPSHOT_VERSION, 4);
	put(&w, 0, 8); /* the body's length, filled in below */
	write_body(&w, review);
	if (w.failed) {
		free(w.bytes);
		return out_of_memory();
	}
	body = w.size - SNAPSHOT_HEADER;
	for (int i = 0; i < 8; i++)
		w.bytes[8 + i] = (unsigned char)((uint64_t)body >> (8 * i));
	put(&w, fnv1a(w.bytes, w.size), 8);
	if (w.failed) {
		free(w.bytes);
		return out_of_memory();
	}
	*out = w.bytes;
	*out_size = w.size;
	return 0;
}

/* ---- reading a snapshot ----------------------------------------------- */

struct reader {
	const unsigned char *start, *at, *end;
	unsigned version;    /* of the snapshot: 1 lacks what version 2 added */
	const char *problem; /* the first thing found wrong, or NULL */
	size_t problem_at;   /* its byte offset */
};

static void corrupt(struct reader *r, const char *problem)
{
	if (r->problem)
		return;
	r->problem = problem;
	r->problem_at = (size_t)(r->at - r->start);
}

static uint64_t get(struct reader *r, int width)
{
	uint64_t value = 0;

	if (r->problem)
		return 0;
	if (r->end - r->at < width) {
		corrupt(r, "the body ends early");
		return 0;
	}
	for (int i = 0; i < width; i++)
		value |= (uint64_t)r->at[i] << (8 * i);
	r->at += width;
	return value;
}

static int64_t get_i64(struct reader *r)
{
	uint64_t value = get(r, 8);

	return value <= INT64_MAX ? (int64_t)value : -(int64_t)(~value) - 1;
}

static int get_i32(struct reader *r)
{
	uint32_t value = (uint32_t)get(r, 4);

	return value <= INT32_MAX ? (int)value : -(int)(~value) - 1;
}

/* A u8 no greater than last. */
static unsigned get_small(struct reader *r, unsigned last, const char *what)
{
	unsigned value = (unsigned)get(r, 1);

	if (value > last)
		corrupt(r, what);
	return value;
}

/* An index into an array of count, or NONE when none is allowed. */
static int get_index(struct reader *r, int count, bool none_allowed)
{
	int value = get_i32(r);

	if (value < (none_allowed ? NONE : 0) || value >= count) {
		corrupt(r, "an index is out of range");
		return none_allowed ? NONE : 0;
	}
	return value;
}

static int get_natural(struct reader *r)
{
	int value = get_i32(r);

	if (value < 0) {
		corrupt(r, "a count is negative");
		return 0;
	}
	return value;
}

/* A count of records of at least min bytes each, that fit in what is left. */
static int get_count(struct reader *r, size_t min)
{
	uint32_t value = (uint32_t)get(r, 4);

	if (r->problem)
		return 0;
	if (value > INT32_MAX / 2 || (size_t)value > (size_t)(r->end - r->at) / min) {
		corrupt(r, "a count does not fit in the bytes left");
		return 0;
	}
	return (int)value;
}

static void *array_of(struct reader *r, int count, size_t size)
{
	void *array;

	if (r->problem || count == 0)
		return NULL;
	if (!(array = calloc((size_t)count, size)))
		corrupt(r, "out of memory");
	return array;
}

static void read_list(struct reader *r, struct int_list *list, int count)
{
	int n = get_count(r, 4);

	if (!(list->items = array_of(r, n, sizeof(int))))
		return;
	list->cap = list->count = n;
	for (int i = 0; i < n; i++)
		list->items[i] = get_index(r, count, false);
}

static void read_config(struct reader *r, struct gr_review_config *out)
{
	out->policy = (enum gr_review_policy)get_small(r, GR_REVIEW_POLICY_NAIVE, "unknown policy");
	out->seed = get(r, 8);
	out->lease_ms = get_i64(r);
	out->lease_online_ms = get_i64(r);
	out->recent_ms = get_i64(r);
	out->absent_ms = get_i64(r);
	out->load_window_ms = get_i64(r);
	out->rescue_after_ms = get_i64(r);
	out->rescue_lease_ms = get_i64(r);
	if (r->version < 2)
		return; /* the caller keeps the config's own */
	out->move_after_ms = get_i64(r);
	out->push_cap = get_i32(r);
	out->coach_after_ms = get_i64(r);
}

static bool same_settings(const struct gr_review_config *a, const struct gr_review_config *b)
{
	return a->policy == b->policy && a->seed == b->seed && a->lease_ms == b->lease_ms &&
	       a->lease_online_ms == b->lease_online_ms && a->recent_ms == b->recent_ms &&
	       a->absent_ms == b->absent_ms && a->load_window_ms == b->load_window_ms &&
	       a->rescue_after_ms == b->rescue_after_ms &&
	       a->rescue_lease_ms == b->rescue_lease_ms && a->move_after_ms == b->move_after_ms &&
	       a->push_cap == b->push_cap && a->coach_after_ms == b->coach_after_ms;
}

/* A new id into map, positive and not seen before. */
static void read_id(struct reader *r, struct id_map *map, int64_t *out, int index)
{
	*out = get_i64(r);
	if (r->problem)
		return;
	if (*out <= 0 || map_find(map, *out) != NONE)
		corrupt(r, "an id is not positive or comes twice");
	else if (map_put(map, *out, index) < 0)
		corrupt(r, "out of memory");
}

static void read_learner(struct reader *r, struct gr_review *review, int index)
{
	struct learner *learner = &review->learners[index];
	unsigned flags;
	int steps;

	read_id(r, &review->learner_ids, &learner->id, index);
	flags = get_small(r, 3, "unknown learner flags");
	learner->online = flags & 1;
	learner->active = flags & 2;
	learner->last_seen = get_i64(r);
	learner->lapses = get_natural(r);
	learner->lapsed = get_natural(r);
	learner->given = get_natural(r);
	learner->received = get_natural(r);
	learner->open = get_natural(r);
	learner->ended_next =
	    (int)get_small(r, RECENT_LEASES - 1, "a ring position is out of range");
	for (int i = 0; i < RECENT_LEASES; i++)
		learner->ended_at[i] = get_i64(r);
	learner->recent_next =
	    (int)get_small(r, RECENT_AUTHORS - 1, "a ring position is out of range");
	for (int i = 0; i < RECENT_AUTHORS; i++) {
		learner->recent_author[i] = get_index(r, review->learner_count, false);
		learner->recent_at[i] = get_i64(r);
	}
	steps = get_count(r, 5);
	if (steps > review->step_count)
		corrupt(r, "a learner has more step records than there are steps");
	learner->steps = array_of(r, steps, sizeof(*learner->steps));
	learner->step_cap = learner->steps ? steps : 0;
	for (int i = 0; i < learner->step_cap; i++) {
		flags = get_small(r, 3, "unknown step flags");
		learner->steps[i].passed = flags & 1;
		learner->steps[i].submitted = flags & 2;
		learner->steps[i].latest = get_index(r, review->submission_count, true);
	}
	if (r->version < 2) {
		learner->given_pushed = learner->given; /* version 1 only pushed */
		return;
	}
	if ((learner->cohort = get_i32(r)) < 0)
		corrupt(r, "a cohort is negative");
	learner->given_pushed = get_natural(r);
	learner->pushed_next =
	    (int)get_small(r, RECENT_PUSHES - 1, "a ring position is out of range");
	for (int i = 0; i < RECENT_PUSHES; i++)
		learner->pushed_at[i] = get_i64(r);
}

static void read_submission(struct reader *r, struct gr_review *review, int index)
{
	struct submission *submission = &review->submissions[index];

	read_id(r, &review->submission_ids, &submission->id, index);
	submission->author = get_index(r, review->learner_count, false);
	submission->step = get_index(r, review->step_count, false);
	submission->attempt = get_i32(r);
	submission->previous = get_index(r, review->submission_count, true);
	submission->state = (enum gr_review_submission_state)get_small(
	    r, GR_REVIEW_SUBMISSION_NEEDS_WORK, "unknown submission state");
	submission->submitted_at = get_i64(r);
	submission->decided_at = get_i64(r);
	submission->queued = get_small(r, 1, "unknown queued flag");
	read_list(r, &submission->slots, review->slot_count);
	read_list(r, &submission->assignments, review->assignment_count);
	if (r->version < 2) {
		submission->clock_at = submission->submitted_at;
		return;
	}
	submission->by_coach = get_small(r, 1, "unknown coach flag");
	submission->clock_at = get_i64(r);
	submission->coach_at = get_i64(r);
}

static void read_slot(struct reader *r, struct gr_review *review, struct slot *slot)
{
	slot->submission = get_index(r, review->submission_count, false);
	slot->state = (enum slot_state)get_small(r, SLOT_DONE, "unknown slot state");
	slot->live = get_index(r, review->assignment_count, true);
	slot->done = get_index(r, review->assignment_count, true);
	slot->last = get_index(r, review->assignment_count, true);
	slot->opened_at = get_i64(r);
}

static void read_assignment(struct reader *r, struct gr_review *review,
			    struct assignment *assignment)
{
	unsigned flags;

	assignment->slot = get_index(r, review->slot_count, false);
	assignment->submission = get_index(r, review->submission_count, false);
	assignment->reviewer = get_index(r, review->learner_count, false);
	assignment->state = (enum gr_review_assignment_state)get_small(r, GR_REVIEW_DECLINED,
								       "unknown assignment state");
	assignment->verdict =
	    (enum gr_review_verdict)get_small(r, GR_REVIEW_NEEDS_WORK, "unknown verdict");
	assignment->assigned_at = get_i64(r);
	assignment->due_at = get_i64(r);
	assignment->ended_at = get_i64(r);
	if (r->version < 2)
		return;
	assignment->opened_at = get_i64(r);
	flags = get_small(r, 7, "unknown assignment flags");
	assignment->pulled = flags & 1;
	assignment->by_coach = flags & 2;
	assignment->withdrawn = flags & 4;
}

/* The arrays' sizes, then every record. */
static void read_body(struct reader *r, struct gr_review *review)
{
	int steps = get_count(r, MIN_STEP), learners = get_count(r, MIN_LEARNER);
	int submissions = get_count(r, MIN_SUBMISSION), slots = get_count(r, MIN_SLOT);
	int assignments = get_count(r, MIN_ASSIGNMENT), waiting = get_count(r, 4);

	/* Counts first, so a free() after a failure sees what was allocated. */
	review->steps = array_of(r, steps, sizeof(*review->steps));
	review->step_count = review->step_cap = review->steps ? steps : 0;
	review->learners = array_of(r, learners, sizeof(*review->learners));
	review->learner_count = review->learner_cap = review->learners ? learners : 0;
	review->submissions = array_of(r, submissions, sizeof(*review->submissions));
	review->submission_count = review->submission_cap = review->submissions ? submissions : 0;
	review->slots = array_of(r, slots, sizeof(*review->slots));
	review->slot_count = review->slot_cap = review->slots ? slots : 0;
	review->assignments = array_of(r, assignments, sizeof(*review->assignments));
	review->assignment_count = review->assignment_cap = review->assignments ? assignments : 0;
	review->waiting.items = array_of(r, waiting, sizeof(int));
	review->waiting.count = review->waiting.cap = review->waiting.items ? waiting : 0;
	for (int i = 0; i < review->step_count && !r->problem; i++) {
		read_id(r, &review->step_ids, &review->steps[i].id, i);
		if ((review->steps[i].reviews = get_i32(r)) < 1)
			corrupt(r, "a step needs fewer than one review");
	}
	for (int i = 0; i < review->learner_count && !r->problem; i++)
		read_learner(r, review, i);
	for (int i = 0; i < review->submission_count && !r->problem; i++)
		read_submission(r, review, i);
	for (int i = 0; i < review->slot_count && !r->problem; i++)
		read_slot(r, review, &review->slots[i]);
	for (int i = 0; i < review->assignment_count && !r->problem; i++)
		read_assignment(r, review, &review->assignments[i]);
	for (int i = 0; i < review->waiting.count && !r->problem; i++)
		review->waiting.items[i] = get_index(r, review->submission_count, false);
}

/*
 * The links gr_review_check() takes for granted: each slot and assignment
 * listed once, under its own submission; each queued submission in the
 * queue once. NULL, or what is wrong.
 */
static const char *check_links(const struct gr_review *review)
{
	int *seen_slot = calloc((size_t)review->slot_count + 1, sizeof(int));
	int *seen_assignment = calloc((size_t)review->assignment_count + 1, sizeof(int));
	int *seen_waiting = calloc((size_t)review->submission_count + 1, sizeof(int));
	const char *problem = NULL;

	if (!seen_slot || !seen_assignment || !seen_waiting) {
		problem = "out of memory";
		goto out;
	}
	for (int i = 0; i < review->submission_count && !problem; i++) {
		const struct submission *submission = &review->submissions[i];

		for (int k = 0; k < submission->slots.count; k++) {
			int slot = submission->slots.items[k];

			if (review->slots[slot].submission != i || seen_slot[slot]++)
				problem = "a slot is listed under another submission, or twice";
		}
		for (int k = 0; k < submission->assignments.count; k++) {
			int index = submission->assignments.items[k];
			const struct assignment *assignment = &review->assignments[index];

			if (assignment->submission != i ||
			    review->slots[assignment->slot].submission != i ||
			    seen_assignment[index]++)
				problem =
				    "an assignment is listed under another submission, or twice";
		}
	}
	for (int i = 0; i < review->slot_count && !problem; i++)
		if (!seen_slot[i])
			problem = "a slot belongs to no submission";
	for (int i = 0; i < review->assignment_count && !problem; i++)
		if (!seen_assignment[i])
			problem = "an assignment belongs to no submission";
	for (int i = 0; i < review->waiting.count && !problem; i++) {
		int index = review->waiting.items[i];

		if (!review->submissions[index].queued || seen_waiting[index]++)
			problem = "the queue holds a submission twice, or one not marked queued";
	}
out:
	free(seen_slot);
	free(seen_assignment);
	free(seen_waiting);
	return problem;
}

/* The header and trailer: 0, or a code with the message set. */
static int check_frame(const unsigned char *bytes, size_t size)
{
	uint64_t version, body, sum = 0;

	if (size < SNAPSHOT_HEADER + SNAPSHOT_TRAILER) {
		gr_error_set("review snapshot: truncated: %zu bytes, less than its header", size);
		return GR_EINVALID;
	}
	if (memcmp(bytes, SNAPSHOT_MAGIC, 4) != 0) {
		gr_error_set("review snapshot: not a snapshot of the review engine (no GRRS mark)");
		return GR_EINVALID;
	}
	version = (uint64_t)bytes[4] | (uint64_t)bytes[5] << 8 | (uint64_t)bytes[6] << 16 |
		  (uint64_t)bytes[7] << 24;
	if (version < 1 || version > GR_REVIEW_SNAPSHOT_VERSION) {
		gr_error_set("review snapshot: format version %llu; this grounds reads versions "
			     "1 to %d",
			     (unsigned long long)version, GR_REVIEW_SNAPSHOT_VERSION);
		return version > GR_REVIEW_SNAPSHOT_VERSION ? GR_ENEWER : GR_EINVALID;
	}
	body = 0;
	for (int i = 0; i < 8; i++) {
		body |= (uint64_t)bytes[8 + i] << (8 * i);
		sum |= (uint64_t)bytes[size - SNAPSHOT_TRAILER + (size_t)i] << (8 * i);
	}
	if (body != size - SNAPSHOT_HEADER - SNAPSHOT_TRAILER) {
		gr_error_set("review snapshot: truncated or padded: %zu bytes where the header "
			     "says %llu",
			     size, (unsigned long long)body + SNAPSHOT_HEADER + SNAPSHOT_TRAILER);
		return GR_EINVALID;
	}
	if (sum != fnv1a(bytes, size - SNAPSHOT_TRAILER)) {
		gr_error_set("review snapshot: corrupt: its checksum does not match");
		return GR_EINVALID;
	}
	return 0;
}

int gr_review_restore(struct gr_review **out, const struct gr_review_config *config,
		      const unsigned char *bytes, size_t size)
{
	struct gr_review *review = NULL;
	struct gr_review_config stored = {0};
	struct reader r = {0};
	const char *problem;
	int rc;

	*out = NULL;
	if ((rc = check_frame(bytes, size)) != 0 || (rc = gr_review_new(&review, config)) != 0)
		return rc;
	r = (struct reader){
	    bytes, bytes + SNAPSHOT_HEADER, bytes + size - SNAPSHOT_TRAILER, bytes[4], NULL, 0};
	stored = *config; /* version 1 holds only the settings it knew */
	read_config(&r, &stored);
	review->rng = get(&r, 8);
	read_body(&r, review);
	if (!r.problem && r.at != r.end)
		corrupt(&r, "bytes are left after the last record");
	if (r.problem) {
		gr_error_set("review snapshot: corrupt: %s (at byte %zu)", r.problem, r.problem_at);
		rc = GR_EINVALID;
	} else if (!same_settings(&stored, config)) {
		gr_error_set("review snapshot: made with other settings (policy, seed or leases) "
			     "than the engine's");
		rc = GR_EINVALID;
	} else if ((problem = check_links(review)) != NULL) {
		gr_error_set("review snapshot: inconsistent: %s", problem);
		rc = GR_EINVALID;
	} else if (gr_review_check(review) != 0) {
		gr_error_set("review snapshot: inconsistent: %s", gr_error_last());
		rc = GR_EINVALID;
	}
	if (rc != 0) {
		gr_review_free(review);
		return rc;
	}
	*out = review;
	return 0;
}

int gr_review_coach_each(const struct gr_review *review, gr_review_coach_fn *fn, void *payload)
{
	int rc = 0;

	for (int i = 0; i < review->submission_count && rc == 0; i++)
		if (review->submissions[i].coach_at)
			rc =
			    fn(review->submissions[i].id, review->submissions[i].coach_at, payload);
	return rc;
}

/* ---- what a restored service reads back ------------------------------- */

int gr_review_learner_count(const struct gr_review *review)
{
	return review->learner_count;
}

int64_t gr_review_learner_id(const struct gr_review *review, int index)
{
	assert(index >= 0 && index < review->learner_count);
	return review->learners[index].id;
}

int gr_review_step_reviews(const struct gr_review *review, int64_t step_id)
{
	int index = map_find(&review->step_ids, step_id);

	return index == NONE ? 0 : review->steps[index].reviews;
}

int64_t gr_review_assignment_count(const struct gr_review *review)
{
	return review->assignment_count;
}
