/* Tests for review.h: eligibility, each criterion of the order of choice in
 * turn, leases expiring and being reassigned, declines, a tie bringing one
 * more reviewer, a resubmission going back to the same reviewers, a
 * submission with no eligible reviewer yet that is assigned once someone
 * passes, never the author and never twice, who may read a submission, the
 * naive policy, a property test of thousands of random operations under a
 * fixed seed with the invariants checked after each (and the moves: a final
 * assignment or verdict never changes), and engines broken on purpose, one
 * per invariant, that the checker names by number. */
#include "harness.h"

#include "core/error.h"
#include "domain/review.h"
#include "domain/review_internal.h" /* to break an engine on purpose */

#define HOUR GR_REVIEW_HOUR_MS
#define DAY (24 * HOUR)
#define T0 ((int64_t)1700000000000)
#define MAX_EFFECTS 65536

static struct gr_review_effect effects[MAX_EFFECTS];
static int effect_count;

static void record(const struct gr_review_effect *effect, void *payload)
{
	(void)payload;
	if (effect_count < MAX_EFFECTS)
		effects[effect_count++] = *effect;
}

/* The last effect of kind, or NULL. */
static const struct gr_review_effect *last_effect(enum gr_review_effect_kind kind)
{
	for (int i = effect_count - 1; i >= 0; i--)
		if (effects[i].kind == kind)
			return &effects[i];
	return NULL;
}

static int count_effects(enum gr_review_effect_kind kind)
{
	int n = 0;

	for (int i = 0; i < effect_count; i++)
		n += effects[i].kind == kind;
	return n;
}

/*
 * An engine with learners 1..learners, online (the engine pushes only to
 * learners online), the effect recorder, and a push cap high enough that
 * only the tests of the cap meet it.
 */
static struct gr_review *engine_with(enum gr_review_policy policy, uint64_t seed, int learners)
{
	struct gr_review_config config;
	struct gr_review *review = NULL;

	gr_review_config_default(&config);
	config.policy = policy;
	config.seed = seed;
	config.on_effect = record;
	config.push_cap = 16;
	effect_count = 0;
	if (gr_review_new(&review, &config) != 0) {
		fprintf(stderr, "gr_review_new: %s\n", gr_error_last());
		exit(2);
	}
	for (int i = 1; i <= learners; i++) {
		gr_review_learner_add(review, i, T0);
		gr_review_learner_online(review, i, 1, T0);
	}
	return review;
}

static struct gr_review *engine(int learners)
{
	return engine_with(GR_REVIEW_POLICY_ENGINE, 42, learners);
}

/* The reviewers currently assigned (live) to a submission, in assignment order. */
static int live_reviewers(const struct gr_review *review, int64_t submission, int64_t out[8])
{
	struct gr_review_assignment_info info;
	int n = 0;

	for (int64_t id = 1; gr_review_assignment_get(&info, review, id) == 0; id++)
		if (info.submission_id == submission && info.state == GR_REVIEW_ASSIGNED && n < 8)
			out[n++] = info.reviewer_id;
	return n;
}

/* The live assignment id of reviewer on submission, or 0. */
static int64_t live_assignment(const struct gr_review *review, int64_t submission, int64_t reviewer)
{
	struct gr_review_assignment_info info;

	for (int64_t id = 1; gr_review_assignment_get(&info, review, id) == 0; id++)
		if (info.submission_id == submission && info.reviewer_id == reviewer &&
		    info.state == GR_REVIEW_ASSIGNED)
			return id;
	return 0;
}

static void test_config_and_errors(void)
{
	struct gr_review_config config;
	struct gr_review *review = NULL;

	gr_review_config_default(&config);
	CHECK_INT(config.lease_ms, ==, 48 * HOUR);
	CHECK_INT(config.lease_online_ms, ==, 4 * HOUR);
	CHECK_INT(config.policy, ==, GR_REVIEW_POLICY_ENGINE);
	config.lease_ms = 0;
	CHECK_INT(gr_review_new(&review, &config), ==, GR_EINVALID);
	CHECK(review == NULL);
	gr_review_free(NULL);

	review = engine(2);
	CHECK_INT(gr_review_learner_add(review, 1, T0), ==, GR_EEXISTS);
	CHECK_INT(gr_review_learner_add(review, 0, T0), ==, GR_EINVALID);
	CHECK_INT(gr_review_step_add(review, 10, 0), ==, GR_EINVALID);
	CHECK_INT(gr_review_step_add(review, 10, 2), ==, 0);
	CHECK_INT(gr_review_step_add(review, 10, 2), ==, GR_EEXISTS);
	CHECK_INT(gr_review_submit(review, 100, 9, 10, 1, T0), ==, GR_ENOTFOUND);
	CHECK_CONTAINS(gr_error_last(), "no learner with id 9");
	CHECK_INT(gr_review_submit(review, 100, 1, 99, 1, T0), ==, GR_ENOTFOUND);
	CHECK_INT(gr_review_submit(review, 100, 1, 10, 0, T0), ==, GR_EINVALID);
	CHECK_INT(gr_review_submit(review, 100, 1, 10, 1, T0), ==, 0);
	CHECK_INT(gr_review_submit(review, 100, 2, 10, 1, T0), ==, GR_EEXISTS);
	CHECK_INT(gr_review_submit(review, 101, 1, 10, 2, T0), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "still in review");
	CHECK_INT(gr_review_give(review, 77, 2, GR_REVIEW_PASS, T0), ==, GR_ENOTFOUND);
	CHECK_INT(gr_review_step_pass(review, 1, 99, T0), ==, GR_ENOTFOUND);
	CHECK_INT(gr_review_learner_online(review, 9, 1, T0), ==, GR_ENOTFOUND);
	CHECK_STR(gr_review_effect_name(GR_REVIEW_EFFECT_REASSIGNED), "reassigned");
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

/* Passed peers first; inactive, not started and the author never. */
static void test_eligibility(void)
{
	struct gr_review *review = engine(6);
	int64_t got[8];
	int n;

	gr_review_step_add(review, 10, 2);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 4, 10, T0);
	gr_review_step_pass(review, 5, 10, T0);
	gr_review_learner_active(review, 4, 0, T0); /* left */
	/* 3 and 6 never reached the step. */
	CHECK_INT(gr_review_submit(review, 100, 1, 10, 1, T0), ==, 0);
	n = live_reviewers(review, 100, got);
	CHECK_INT(n, ==, 2);
	CHECK(n == 2 && ((got[0] == 2 && got[1] == 5) || (got[0] == 5 && got[1] == 2)));
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_ASSIGNED), ==, 2);

	/* Fewer than R passed peers: the one who passed, then a peer who
	 * submitted the same step. */
	gr_review_step_add(review, 11, 2);
	gr_review_step_pass(review, 2, 11, T0);
	CHECK_INT(gr_review_submit(review, 200, 3, 11, 1, T0), ==, 0); /* 3 gets only 2 */
	n = live_reviewers(review, 200, got);
	CHECK_INT(n, ==, 1);
	CHECK_INT(got[0], ==, 2);
	CHECK_INT(gr_review_submit(review, 201, 6, 11, 1, T0), ==, 0);
	/* 6's submission: 2 (passed) and 3 (same point); 3's waiting slot: 6. */
	n = live_reviewers(review, 201, got);
	CHECK_INT(n, ==, 2);
	CHECK(n == 2 && ((got[0] == 2 && got[1] == 3) || (got[0] == 3 && got[1] == 2)));
	n = live_reviewers(review, 200, got);
	CHECK_INT(n, ==, 2);
	CHECK(n == 2 && got[1] == 6);

	/* Same-step peers come in only while too few passed peers are free. */
	gr_review_give(review, live_assignment(review, 100, 5), 5, GR_REVIEW_PASS, T0);
	gr_review_step_add(review, 12, 1);
	gr_review_step_pass(review, 5, 12, T0);
	CHECK_INT(gr_review_submit(review, 300, 6, 12, 1, T0), ==, 0);
	CHECK_INT(live_reviewers(review, 300, got), ==, 1);
	CHECK_INT(got[0], ==, 5);
	/* 5, the one passed peer, is busy: 6, at the same point, takes it. */
	CHECK_INT(gr_review_submit(review, 301, 1, 12, 1, T0), ==, 0);
	CHECK_INT(live_reviewers(review, 301, got), ==, 1);
	CHECK_INT(got[0], ==, 6);
	/* 5 is free again: only 5, not 1 or 6 who only submitted. */
	gr_review_give(review, live_assignment(review, 300, 5), 5, GR_REVIEW_NEEDS_WORK, T0 + HOUR);
	gr_review_give(review, live_assignment(review, 301, 6), 6, GR_REVIEW_NEEDS_WORK, T0 + HOUR);
	CHECK_INT(gr_review_submit(review, 302, 3, 12, 1, T0 + 2 * HOUR), ==, 0);
	CHECK_INT(live_reviewers(review, 302, got), ==, 1);
	CHECK_INT(got[0], ==, 5);
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

/* Criterion 1: fewest open assignments. */
static void test_choice_load(void)
{
	struct gr_review *review = engine(5);
	int64_t got[8];

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_learner_online(review, 2, 1, T0); /* online, but busier */
	gr_review_submit(review, 100, 4, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 2); /* equal load: online wins */
	gr_review_submit(review, 101, 5, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 101, got), ==, 1);
	CHECK_INT(got[0], ==, 3); /* 2 has one open, 3 none */
	gr_review_free(review);
}

/* Criterion 1 counts leases that ended lately as load, too. */
static void test_choice_recent_load(void)
{
	struct gr_review *review = engine(5);
	int64_t got[8], first, other;

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	live_reviewers(review, 100, got);
	first = got[0];
	other = first == 2 ? 3 : 2;
	/* Needs work, so the author does not become a reviewer here. */
	gr_review_give(review, live_assignment(review, 100, first), first, GR_REVIEW_NEEDS_WORK,
		       T0 + HOUR);
	/* first is online, but reviewed an hour ago: the other one. */
	gr_review_learner_online(review, first, 1, T0 + 2 * HOUR);
	gr_review_submit(review, 101, 4, 10, 1, T0 + 2 * HOUR);
	CHECK_INT(live_reviewers(review, 101, got), ==, 1);
	CHECK_INT(got[0], ==, other);
	/* Two days on, that review no longer counts: online wins again. */
	gr_review_give(review, live_assignment(review, 101, other), other, GR_REVIEW_NEEDS_WORK,
		       T0 + 3 * HOUR);
	gr_review_learner_online(review, first, 1, T0 + 60 * HOUR);
	gr_review_submit(review, 102, 5, 10, 1, T0 + 60 * HOUR);
	CHECK_INT(live_reviewers(review, 102, got), ==, 1);
	CHECK_INT(got[0], ==, first);
	gr_review_free(review);
}

/* Reliability: fewer leases let lapse comes before the reviews given. */
static void test_choice_reliability(void)
{
	struct gr_review *review = engine(5);
	int64_t got[8];

	gr_review_step_add(review, 9, 1);
	gr_review_step_add(review, 10, 1);
	/* 2 is pushed a lease (4 h: both online) and lets it lapse, opened. */
	gr_review_step_pass(review, 2, 9, T0);
	gr_review_learner_online(review, 3, 0, T0);
	gr_review_submit(review, 90, 4, 9, 1, T0);
	CHECK_INT(live_reviewers(review, 90, got), ==, 1);
	CHECK_INT(gr_review_open(review, live_assignment(review, 90, 2), 2, T0), ==, 0);
	gr_review_tick(review, T0 + 48 * HOUR);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_EXPIRED), ==, 1);
	CHECK(!last_effect(GR_REVIEW_EFFECT_EXPIRED)->handed_back);
	gr_review_learner_online(review, 3, 1, T0 + 150 * HOUR);

	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0 + 200 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 3);
	gr_review_free(review);
}

/* Presence: only a learner online now is pushed a lease. */
static void test_choice_online(void)
{
	for (int online = 2; online <= 3; online++) {
		struct gr_review *review = engine(4);
		int64_t got[8];

		gr_review_step_add(review, 10, 1);
		gr_review_step_pass(review, 2, 10, T0);
		gr_review_step_pass(review, 3, 10, T0);
		gr_review_learner_online(review, online == 2 ? 3 : 2, 0, T0);
		gr_review_submit(review, 100, 1, 10, 1, T0);
		CHECK_INT(live_reviewers(review, 100, got), ==, 1);
		CHECK_INT(got[0], ==, online);
		gr_review_free(review);
	}
}

/* Criterion 3: most reviews owed (received minus given). */
static void test_choice_owed(void)
{
	struct gr_review *review = engine(5);
	int64_t got[8];
	struct gr_review_learner_info info;

	gr_review_step_add(review, 9, 1);
	gr_review_step_add(review, 10, 1);
	/* 3 submits step 9 and 5 reviews it: 3 now owes one review. */
	gr_review_step_pass(review, 5, 9, T0);
	gr_review_submit(review, 90, 3, 9, 1, T0);
	CHECK_INT(gr_review_give(review, live_assignment(review, 90, 5), 5, GR_REVIEW_PASS, T0), ==,
		  0);
	gr_review_learner_get(&info, review, 3, 0);
	CHECK_INT(info.received, ==, 1);
	CHECK_INT(info.given, ==, 0);
	gr_review_learner_get(&info, review, 5, 0);
	CHECK_INT(info.given, ==, 1);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_PASSED)->submission_id, ==, 90);

	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0 + HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 3);
	gr_review_free(review);
}

/* Criterion 4: no recent review of the same author. */
static void test_choice_recent(void)
{
	struct gr_review *review = engine(5);
	int64_t got[8], first, second;

	gr_review_step_add(review, 8, 1);
	gr_review_step_add(review, 9, 1);
	gr_review_step_add(review, 10, 1);
	for (int step = 8; step <= 9; step++) {
		gr_review_step_pass(review, 2, step, T0);
		gr_review_step_pass(review, 3, step, T0);
	}
	/* 1's work goes to one of them, 4's to the other (who owes more). */
	gr_review_submit(review, 80, 1, 8, 1, T0);
	live_reviewers(review, 80, got);
	first = got[0];
	gr_review_give(review, live_assignment(review, 80, first), first, GR_REVIEW_PASS, T0);
	gr_review_submit(review, 91, 4, 9, 1, T0);
	live_reviewers(review, 91, got);
	second = got[0];
	CHECK(second != first);
	gr_review_give(review, live_assignment(review, 91, second), second, GR_REVIEW_PASS, T0);

	/* Equal load, presence and debt: who reviewed 1 lately gives way. */
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0 + DAY);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, second);
	gr_review_submit(review, 101, 4, 10, 1, T0 + DAY);
	CHECK_INT(live_reviewers(review, 101, got), ==, 1);
	CHECK_INT(got[0], ==, first);
	gr_review_free(review);
}

/* Criterion 5: a seeded random tie-break, reproducible and fair. */
static void test_choice_random(void)
{
	int chosen[6] = {0};

	for (uint64_t seed = 1; seed <= 200; seed++) {
		int64_t got[8], again[8];

		for (int run = 0; run < 2; run++) {
			struct gr_review *review = engine_with(GR_REVIEW_POLICY_ENGINE, seed, 5);

			gr_review_step_add(review, 10, 1);
			for (int i = 2; i <= 5; i++)
				gr_review_step_pass(review, i, 10, T0);
			gr_review_submit(review, 100, 1, 10, 1, T0);
			live_reviewers(review, 100, run ? again : got);
			gr_review_free(review);
		}
		CHECK_INT(got[0], ==, again[0]);
		chosen[got[0]]++;
	}
	for (int i = 2; i <= 5; i++)
		CHECK_INT(chosen[i], >, 20);
	CHECK_INT(chosen[1], ==, 0);
}

static void test_lease_expiry(void)
{
	struct gr_review *review = engine(4);
	struct gr_review_standing standing;
	struct gr_review_assignment_info info;
	const struct gr_review_effect *effect;
	int64_t got[8], first, assignment;

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_learner_online(review, 1, 0, T0); /* the author is away: 48 h */
	gr_review_submit(review, 100, 1, 10, 1, T0);
	live_reviewers(review, 100, got);
	first = got[0];
	assignment = live_assignment(review, 100, first);
	/* Opened: it no longer moves, nor goes back when they leave. */
	CHECK_INT(gr_review_open(review, assignment, first, T0), ==, 0);
	CHECK_INT(gr_review_open(review, assignment, first, T0 + 1), ==, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_OPENED), ==, 1);
	CHECK_INT(gr_review_open(review, assignment, first == 2 ? 3 : 2, T0), ==, GR_EFORBIDDEN);
	CHECK_INT(gr_review_assignment_get(&info, review, assignment), ==, 0);
	CHECK_INT(info.opened_at, ==, T0);
	CHECK_INT(info.due_at, ==, T0 + 48 * HOUR);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_ASSIGNED)->due_at, ==, T0 + 48 * HOUR);

	CHECK_INT(gr_review_tick(review, T0 + 47 * HOUR), ==, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_EXPIRED), ==, 0);
	CHECK_INT(gr_review_tick(review, T0 + 48 * HOUR), ==, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_EXPIRED), ==, 1);
	effect = last_effect(GR_REVIEW_EFFECT_REASSIGNED);
	CHECK(effect != NULL);
	if (effect) {
		CHECK_INT(effect->replaces, ==, assignment);
		CHECK(effect->reviewer_id != first);
		CHECK_INT(effect->due_at, ==, T0 + 96 * HOUR);
		gr_review_open(review, effect->assignment_id, effect->reviewer_id, T0 + 48 * HOUR);
	}
	gr_review_assignment_get(&info, review, assignment);
	CHECK_INT(info.state, ==, GR_REVIEW_EXPIRED);
	CHECK_INT(info.ended_at, ==, T0 + 48 * HOUR);
	/* Too late: the review is refused. */
	CHECK_INT(gr_review_give(review, assignment, first, GR_REVIEW_PASS, T0 + 49 * HOUR), ==,
		  GR_EEXPIRED);

	/* The second expires too, past the rescue time, with both away: the
	 * slot waits for someone online (saying so) rather than for someone away. */
	gr_review_learner_online(review, 2, 0, T0 + 95 * HOUR);
	gr_review_learner_online(review, 3, 0, T0 + 95 * HOUR);
	gr_review_tick(review, T0 + 96 * HOUR);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_EXPIRED), ==, 2);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0);
	gr_review_standing_get(&standing, review, 100, T0 + 96 * HOUR);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_WAITING);
	/* Waiting over coach_after_ms with an open slot: the coaches are told too. */
	CHECK_INT(standing.reason, ==, GR_REVIEW_WAIT_COACH);
	CHECK_INT(standing.coach_at, ==, T0 + 96 * HOUR);
	CHECK_INT(standing.eligible, ==, 2);
	CHECK_INT(standing.eligible_online, ==, 0);
	CHECK_INT(standing.waiting_since, ==, T0 + 96 * HOUR);
	/* Whoever comes online first gets it, with the rescue lease. */
	gr_review_learner_online(review, first, 1, T0 + 99 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, first);
	effect = last_effect(GR_REVIEW_EFFECT_REASSIGNED);
	CHECK(effect != NULL);
	if (effect)
		CHECK_INT(effect->due_at, ==, T0 + 99 * HOUR + 36 * HOUR);

	/* Both online: the shorter lease. */
	gr_review_learner_online(review, 1, 1, T0 + 100 * HOUR);
	gr_review_learner_online(review, 2, 1, T0 + 100 * HOUR);
	gr_review_learner_online(review, 3, 1, T0 + 100 * HOUR);
	gr_review_step_add(review, 11, 1);
	gr_review_step_pass(review, 2, 11, T0);
	gr_review_submit(review, 110, 1, 11, 1, T0 + 100 * HOUR);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_ASSIGNED)->due_at, ==, T0 + 104 * HOUR);

	/* A reviewer who leaves hands the lease on at once. */
	gr_review_step_pass(review, 4, 11, T0 + 100 * HOUR);
	gr_review_learner_active(review, 2, 0, T0 + 101 * HOUR);
	CHECK_INT(live_reviewers(review, 110, got), ==, 1);
	CHECK_INT(got[0], ==, 4);
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

static void test_decline(void)
{
	struct gr_review *review = engine(3);
	struct gr_review_standing standing;
	int64_t got[8], first, second, assignment;

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	live_reviewers(review, 100, got);
	first = got[0];
	second = first == 2 ? 3 : 2;
	assignment = live_assignment(review, 100, first);
	CHECK_INT(gr_review_decline(review, assignment, second, T0), ==, GR_EFORBIDDEN);
	CHECK_INT(gr_review_decline(review, assignment, first, T0 + HOUR), ==, 0);
	CHECK_INT(gr_review_decline(review, assignment, first, T0 + HOUR), ==, GR_ECONFLICT);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_DECLINED), ==, 1);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, second);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_REASSIGNED)->replaces, ==, assignment);

	/* The second declines too: nobody is left, the decliners never return. */
	gr_review_decline(review, live_assignment(review, 100, second), second, T0 + 2 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0);
	CHECK_INT(gr_review_standing_get(&standing, review, 100, T0 + 2 * HOUR), ==, 0);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_WAITING);
	CHECK_INT(standing.reason, ==, GR_REVIEW_WAIT_NO_PEER);
	CHECK_INT(standing.open, ==, 1);
	CHECK_INT(standing.waiting_since, ==, T0 + 2 * HOUR);
	gr_review_tick(review, T0 + 100 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0);
	gr_review_free(review);
}

/* One pass, one needs work: a third reviewer decides. */
static void test_tie(void)
{
	struct gr_review *review = engine(5);
	struct gr_review_standing standing;
	int64_t got[8];

	gr_review_step_add(review, 10, 2);
	for (int i = 2; i <= 4; i++)
		gr_review_step_pass(review, i, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 2);
	gr_review_give(review, live_assignment(review, 100, got[0]), got[0], GR_REVIEW_PASS,
		       T0 + 1);
	CHECK_INT(gr_review_give(review, live_assignment(review, 100, got[1]), got[1],
				 GR_REVIEW_NEEDS_WORK, T0 + 2),
		  ==, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_TIE), ==, 1);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_TIE)->slots, ==, 3);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_PASSED) +
		      count_effects(GR_REVIEW_EFFECT_NEEDS_WORK),
		  ==, 0);
	gr_review_standing_get(&standing, review, 100, T0 + 2);
	CHECK_INT(standing.slots, ==, 3);
	CHECK_INT(standing.done, ==, 2);
	CHECK_INT(standing.assigned, ==, 1);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_IN_REVIEW);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 2 + 3 + 4 - effects[0].reviewer_id - effects[1].reviewer_id);
	gr_review_give(review, live_assignment(review, 100, got[0]), got[0], GR_REVIEW_PASS,
		       T0 + 3);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_PASSED), ==, 1);
	gr_review_standing_get(&standing, review, 100, T0 + 3);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_PASSED);
	CHECK_INT(standing.passes, ==, 2);
	CHECK_INT(standing.decided_at, ==, T0 + 3);

	/* The author passed the step, so 1 now reviews 5's work. */
	gr_review_submit(review, 101, 5, 10, 1, T0 + 4);
	live_reviewers(review, 101, got);
	CHECK(got[0] == 1 || got[1] == 1);
	CHECK_INT(gr_review_submit(review, 102, 1, 10, 2, T0 + 5), ==, GR_ECONFLICT);
	CHECK_CONTAINS(gr_error_last(), "passed already");
	gr_review_free(review);
}

/* Needs work; the next attempt goes back to the same two reviewers. */
static void test_resubmission(void)
{
	struct gr_review *review = engine(7);
	int64_t got[8], a, b;

	gr_review_step_add(review, 10, 2);
	for (int i = 2; i <= 6; i++)
		gr_review_step_pass(review, i, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 2);
	a = got[0];
	b = got[1];
	gr_review_give(review, live_assignment(review, 100, a), a, GR_REVIEW_NEEDS_WORK, T0 + 1);
	gr_review_give(review, live_assignment(review, 100, b), b, GR_REVIEW_NEEDS_WORK, T0 + 2);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_NEEDS_WORK), ==, 1);
	/* Give a and b other work, so load alone would choose someone else. */
	gr_review_step_add(review, 11, 2);
	gr_review_step_pass(review, a, 11, T0);
	gr_review_step_pass(review, b, 11, T0);
	gr_review_submit(review, 110, 7, 11, 1, T0 + 3);
	CHECK_INT(gr_review_submit(review, 101, 1, 10, 1, T0 + 4), ==, GR_EINVALID);
	CHECK_INT(gr_review_submit(review, 101, 1, 10, 2, T0 + 4), ==, 0);
	CHECK_INT(live_reviewers(review, 101, got), ==, 2);
	CHECK((got[0] == a && got[1] == b) || (got[0] == b && got[1] == a));
	gr_review_free(review);
}

/* The first submitter of a step waits with the reason, until a peer exists. */
static void test_no_peer_yet(void)
{
	struct gr_review *review = engine(4);
	struct gr_review_standing standing;
	int64_t got[8];

	gr_review_step_add(review, 10, 1);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0);
	CHECK_INT(gr_review_standing_get(&standing, review, 100, T0), ==, 0);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_WAITING);
	CHECK_INT(standing.reason, ==, GR_REVIEW_WAIT_NO_PEER);
	CHECK_INT(standing.eligible, ==, 0);
	CHECK_INT(standing.open, ==, 1);
	CHECK_INT(standing.waiting_since, ==, T0);

	gr_review_step_pass(review, 3, 10, T0 + 5 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 3);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_ASSIGNED)->at, ==, T0 + 5 * HOUR);
	gr_review_standing_get(&standing, review, 100, T0 + 5 * HOUR);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_IN_REVIEW);
	CHECK_INT(standing.reason, ==, GR_REVIEW_WAIT_NONE);

	/* Peers at the same point review each other. */
	gr_review_step_add(review, 11, 1);
	gr_review_submit(review, 110, 1, 11, 1, T0);
	CHECK_INT(live_reviewers(review, 110, got), ==, 0);
	gr_review_submit(review, 111, 2, 11, 1, T0 + HOUR);
	CHECK_INT(live_reviewers(review, 110, got), ==, 1);
	CHECK_INT(got[0], ==, 2);
	CHECK_INT(live_reviewers(review, 111, got), ==, 1);
	CHECK_INT(got[0], ==, 1);
	gr_review_free(review);
}

/* A peer who is away is not given the lease, and is when back. */
static void test_not_online(void)
{
	struct gr_review *review = engine(3);
	struct gr_review_standing standing;
	int64_t got[8], later = T0 + 8 * DAY;

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_learner_online(review, 2, 0, T0);
	gr_review_submit(review, 100, 1, 10, 1, later);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0);
	gr_review_standing_get(&standing, review, 100, later);
	CHECK_INT(standing.reason, ==, GR_REVIEW_WAIT_NOT_ONLINE);
	CHECK_INT(standing.eligible, ==, 1);
	CHECK_INT(standing.eligible_online, ==, 0);
	gr_review_learner_online(review, 2, 1, later + HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 2);
	gr_review_free(review);
}

/* Never the author; never the same reviewer twice on one attempt. */
static void test_never_author_never_twice(void)
{
	struct gr_review *review = engine(2);
	struct gr_review_standing standing;
	int64_t got[8];

	gr_review_step_add(review, 10, 3);
	gr_review_step_pass(review, 1, 10, T0); /* even a passed author */
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 2);
	gr_review_standing_get(&standing, review, 100, T0);
	CHECK_INT(standing.open, ==, 2);
	CHECK_INT(standing.assigned, ==, 1);
	CHECK_INT(standing.reason, ==, GR_REVIEW_WAIT_NO_PEER);
	/* 2 leaves without opening it: an hour on, handed back, no lapse; 2 gets
	 * it again when back. */
	gr_review_learner_online(review, 2, 0, T0 + HOUR);
	gr_review_tick(review, T0 + 2 * HOUR - 1);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	gr_review_tick(review, T0 + 2 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0);
	CHECK(last_effect(GR_REVIEW_EFFECT_EXPIRED)->handed_back);
	gr_review_learner_online(review, 2, 1, T0 + 49 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	/* Reviewing brings 2 no second slot on the same attempt. */
	gr_review_give(review, live_assignment(review, 100, 2), 2, GR_REVIEW_PASS, T0 + 50 * HOUR);
	gr_review_tick(review, T0 + 100 * HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0);
	gr_review_standing_get(&standing, review, 100, T0);
	CHECK_INT(standing.done, ==, 1);
	CHECK_INT(standing.open, ==, 2);
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

static void test_may_read(void)
{
	struct gr_review *review = engine(3);
	int64_t got[8], reviewer, other;

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	live_reviewers(review, 100, got);
	reviewer = got[0];
	other = reviewer == 2 ? 3 : 2;
	CHECK(gr_review_may_read(review, 1, 100));
	CHECK(gr_review_may_read(review, reviewer, 100));
	CHECK(!gr_review_may_read(review, other, 100));
	CHECK(!gr_review_may_read(review, 9, 100));
	CHECK(!gr_review_may_read(review, 1, 999));
	gr_review_decline(review, live_assignment(review, 100, reviewer), reviewer, T0);
	CHECK(!gr_review_may_read(review, reviewer, 100));
	CHECK(gr_review_may_read(review, other, 100));
	gr_review_free(review);
}

/* The honest baseline: anyone eligible, the same leases and reassignment, nothing more. */
static void test_naive_policy(void)
{
	struct gr_review *review = engine_with(GR_REVIEW_POLICY_NAIVE, 7, 3);
	struct gr_review_assignment_info info;
	int64_t got[8], pulled;

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	for (int i = 1; i <= 3; i++)
		gr_review_learner_online(review, i, 0, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0 + 30 * DAY); /* all long away */
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	gr_review_assignment_get(&info, review, 1);
	CHECK_INT(info.due_at, ==, T0 + 30 * DAY + 48 * HOUR);
	CHECK_INT(gr_review_pull(review, &pulled, got[0] == 2 ? 3 : 2, T0 + 30 * DAY), ==,
		  GR_ECONFLICT);
	CHECK_INT(gr_review_coach_decide(review, 100, GR_REVIEW_PASS, T0 + 30 * DAY), ==,
		  GR_ECONFLICT);
	gr_review_tick(review, T0 + 33 * DAY);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_EXPIRED), ==, 1);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_REASSIGNED), ==, 1);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_COACH), ==, 0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	gr_review_free(review);
}

/* Pull: the oldest waiting slot a learner may review; then an unopened lease of someone away. */
static void test_pull(void)
{
	struct gr_review *review = engine(5);
	struct gr_review_assignment_info info;
	struct gr_review_learner_info learner;
	int64_t made = 0, got[8];

	gr_review_step_add(review, 10, 1);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 4, 10, T0);
	gr_review_learner_online(review, 2, 0, T0);
	gr_review_learner_online(review, 4, 0, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 0); /* nobody who passed is online */
	/* 3 reached no step, 1 may not review their own: nothing to take. */
	CHECK_INT(gr_review_pull(review, &made, 3, T0 + HOUR), ==, GR_ENOTFOUND);
	CHECK_INT(made, ==, 0);
	CHECK_INT(gr_review_pull(review, &made, 1, T0 + HOUR), ==, GR_ENOTFOUND);
	CHECK_INT(gr_review_pull(review, &made, 9, T0 + HOUR), ==, GR_ENOTFOUND);
	/* 2, even offline, takes it. */
	CHECK_INT(gr_review_pull(review, &made, 2, T0 + HOUR), ==, 0);
	CHECK_INT(gr_review_assignment_get(&info, review, made), ==, 0);
	CHECK_INT(info.submission_id, ==, 100);
	CHECK(info.pulled);
	CHECK(last_effect(GR_REVIEW_EFFECT_ASSIGNED)->pulled);
	gr_review_learner_get(&learner, review, 2, T0 + HOUR);
	CHECK_INT(learner.pushed_this_week, ==, 0); /* not counted against the weekly cap */
	/* 3 submits: 1, at the same point and online, is pushed it; 1 leaves
	 * without opening it; 4 pulls and takes it over, no lapse for 1. */
	gr_review_submit(review, 101, 3, 10, 1, T0 + 2 * HOUR);
	CHECK_INT(live_reviewers(review, 101, got), ==, 1);
	CHECK_INT(got[0], ==, 1);
	gr_review_learner_online(review, 1, 0, T0 + 2 * HOUR + 1);
	CHECK_INT(gr_review_pull(review, &made, 4, T0 + 2 * HOUR + 2), ==, 0);
	gr_review_assignment_get(&info, review, made);
	CHECK_INT(info.submission_id, ==, 101);
	CHECK(last_effect(GR_REVIEW_EFFECT_EXPIRED)->handed_back);
	CHECK_INT(live_reviewers(review, 101, got), ==, 1);
	CHECK_INT(got[0], ==, 4);
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

/* The weekly cap: pushed push_cap beyond what one owes, then no more pushes; pulls still. */
static void test_push_cap(void)
{
	struct gr_review_config config;
	struct gr_review *review = NULL;
	struct gr_review_learner_info info;
	int64_t got[8], made;

	gr_review_config_default(&config);
	config.on_effect = record;
	effect_count = 0;
	CHECK_INT(config.push_cap, ==, 2);
	CHECK_INT(gr_review_new(&review, &config), ==, 0);
	for (int i = 1; i <= 3; i++) {
		gr_review_learner_add(review, i, T0);
		gr_review_learner_online(review, i, 1, T0);
	}
	for (int step = 10; step <= 12; step++) {
		gr_review_step_add(review, step, 1);
		gr_review_step_pass(review, 2, step, T0);
	}
	for (int step = 10; step <= 12; step++)
		gr_review_submit(review, 90 + step, 1, step, 1, T0 + step);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(live_reviewers(review, 101, got), ==, 1);
	CHECK_INT(live_reviewers(review, 102, got), ==, 0); /* 2 has had two pushes */
	gr_review_learner_get(&info, review, 2, T0 + HOUR);
	CHECK_INT(info.pushed_this_week, ==, 2);
	CHECK_INT(info.push_room, ==, 0);
	CHECK_INT(gr_review_pull(review, &made, 2, T0 + HOUR), ==, 0); /* pulling is free */
	CHECK_INT(live_reviewers(review, 102, got), ==, 1);
	/* 1 received a review: 1 owes one, and 2 has given one more than received. */
	gr_review_give(review, live_assignment(review, 100, 2), 2, GR_REVIEW_PASS, T0 + HOUR);
	gr_review_learner_get(&info, review, 1, T0 + HOUR);
	CHECK_INT(info.owed, ==, 1);
	CHECK_INT(info.push_room, ==, 3); /* the cap plus what 1 owes */
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

/* Owing comes before load in the order of choice. */
static void test_owed_before_load(void)
{
	struct gr_review *review = engine(5);
	int64_t got[8];

	gr_review_step_add(review, 9, 1);
	gr_review_step_add(review, 10, 1);
	gr_review_step_add(review, 11, 1);
	gr_review_step_pass(review, 5, 9, T0);
	gr_review_learner_online(review, 2, 0, T0);
	gr_review_submit(review, 90, 3, 9, 1, T0); /* to 5: 3 now owes one */
	gr_review_give(review, live_assignment(review, 90, 5), 5, GR_REVIEW_PASS, T0);
	gr_review_step_pass(review, 3, 11, T0);
	gr_review_submit(review, 110, 4, 11, 1, T0); /* 3 has load now */
	CHECK_INT(live_reviewers(review, 110, got), ==, 1);
	CHECK_INT(got[0], ==, 3);
	gr_review_learner_online(review, 2, 1, T0);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0 + HOUR);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 3); /* owes one, though busier than 2 */
	gr_review_free(review);
}

/* A tie nobody can break goes to the coaches after coach_after_ms; their three moves. */
static void test_coach_paths(void)
{
	struct gr_review *review = engine(5);
	struct gr_review_standing standing;
	int64_t made = 0, got[8];

	gr_review_step_add(review, 10, 2);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_learner_cohort(review, 4, 7, T0); /* another cohort */
	gr_review_learner_cohort(review, 5, 7, T0);
	gr_review_step_pass(review, 5, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 2);
	CHECK(got[0] != 5 && got[1] != 5); /* peers review within their cohort */
	gr_review_give(review, live_assignment(review, 100, 2), 2, GR_REVIEW_PASS, T0 + HOUR);
	gr_review_give(review, live_assignment(review, 100, 3), 3, GR_REVIEW_NEEDS_WORK, T0 + HOUR);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_TIE), ==, 1);
	gr_review_tick(review, T0 + 25 * HOUR - 1);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_COACH), ==, 0);
	gr_review_tick(review, T0 + 25 * HOUR);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_COACH), ==, 1);
	gr_review_standing_get(&standing, review, 100, T0 + 25 * HOUR);
	CHECK_INT(standing.reason, ==, GR_REVIEW_WAIT_COACH);
	CHECK_INT(standing.coach_at, ==, T0 + 25 * HOUR);
	/* Extend: the peers get another day; then it comes back. */
	CHECK_INT(gr_review_coach_extend(review, 100, T0 + 26 * HOUR), ==, 0);
	gr_review_standing_get(&standing, review, 100, T0 + 26 * HOUR);
	CHECK_INT(standing.coach_at, ==, 0);
	gr_review_tick(review, T0 + 50 * HOUR - 1);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_COACH), ==, 1);
	gr_review_tick(review, T0 + 50 * HOUR);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_COACH), ==, 2);
	/* Assign: only someone who passed the step, from any cohort. */
	CHECK_INT(gr_review_coach_assign(review, &made, 100, 4, T0 + 51 * HOUR), ==, GR_EINVALID);
	CHECK_INT(gr_review_coach_assign(review, &made, 100, 1, T0 + 51 * HOUR), ==, GR_EINVALID);
	CHECK_INT(gr_review_coach_assign(review, &made, 100, 5, T0 + 51 * HOUR), ==, 0);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 5);
	CHECK(last_effect(GR_REVIEW_EFFECT_ASSIGNED)->by_coach);
	CHECK_INT(gr_review_coach_assign(review, &made, 100, 5, T0 + 51 * HOUR), ==, GR_EINVALID);
	/* A stuck review: with no slot open, the coach takes 5's lease back for 4. */
	gr_review_step_pass(review, 4, 10, T0 + 51 * HOUR);
	CHECK_INT(gr_review_coach_assign(review, &made, 100, 4, T0 + 51 * HOUR + 1), ==, 0);
	CHECK(last_effect(GR_REVIEW_EFFECT_EXPIRED)->handed_back);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_EXPIRED)->reviewer_id, ==, 5);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 4);
	/* Decide: the live lease ends (no lapse) and the verdict is the coach's. */
	CHECK_INT(gr_review_coach_decide(review, 100, GR_REVIEW_PASS, T0 + 52 * HOUR), ==, 0);
	CHECK(last_effect(GR_REVIEW_EFFECT_EXPIRED)->handed_back);
	CHECK(last_effect(GR_REVIEW_EFFECT_PASSED)->by_coach);
	gr_review_standing_get(&standing, review, 100, T0 + 52 * HOUR);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_PASSED);
	CHECK(standing.by_coach);
	CHECK_INT(gr_review_coach_decide(review, 100, GR_REVIEW_PASS, T0 + 53 * HOUR), ==,
		  GR_ECONFLICT);
	CHECK_INT(gr_review_coach_extend(review, 999, T0), ==, GR_ENOTFOUND);
	/* The first submitter of a step nobody reached: to the coaches too. */
	gr_review_step_add(review, 11, 1);
	gr_review_submit(review, 110, 2, 11, 1, T0 + 60 * HOUR);
	gr_review_tick(review, T0 + 84 * HOUR);
	CHECK_INT(last_effect(GR_REVIEW_EFFECT_COACH)->submission_id, ==, 110);
	CHECK_INT(gr_review_coach_decide(review, 110, GR_REVIEW_NEEDS_WORK, T0 + 85 * HOUR), ==, 0);
	CHECK_INT(gr_review_submit(review, 111, 2, 11, 2, T0 + 86 * HOUR), ==,
		  0); /* may resubmit */
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

/* A flag upheld: the review leaves a needs-work verdict, someone else reviews; a pass stands. */
static void test_withdraw(void)
{
	struct gr_review *review = engine(5);
	struct gr_review_standing standing;
	int64_t made = -1, got[8], rude;

	gr_review_step_add(review, 10, 2);
	gr_review_step_pass(review, 2, 10, T0);
	gr_review_step_pass(review, 3, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	rude = live_assignment(review, 100, 2);
	gr_review_give(review, rude, 2, GR_REVIEW_NEEDS_WORK, T0 + HOUR);
	gr_review_give(review, live_assignment(review, 100, 3), 3, GR_REVIEW_NEEDS_WORK, T0 + HOUR);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_NEEDS_WORK), ==, 1);
	gr_review_step_pass(review, 4, 10, T0 + 2 * HOUR);
	CHECK_INT(gr_review_withdraw(review, &made, 999, T0), ==, GR_ENOTFOUND);
	CHECK_INT(gr_review_withdraw(review, &made, rude, T0 + 3 * HOUR), ==, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_WITHDRAWN), ==, 1);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_REOPENED), ==, 1);
	CHECK_INT(live_reviewers(review, 100, got), ==, 1);
	CHECK_INT(got[0], ==, 4); /* not 2 again */
	CHECK_INT(made, ==, live_assignment(review, 100, 4));
	gr_review_give(review, made, 4, GR_REVIEW_PASS, T0 + 4 * HOUR);
	CHECK_INT(gr_review_withdraw(review, &made, rude, T0 + 4 * HOUR), ==, GR_ECONFLICT);
	gr_review_standing_get(&standing, review, 100, T0 + 4 * HOUR);
	CHECK_INT(standing.state, ==, GR_REVIEW_SUBMISSION_WAITING); /* a tie now: one more */
	CHECK_INT(standing.done, ==, 2);
	/* A pass stands: withdrawing a review of passed work changes nothing. */
	gr_review_step_add(review, 11, 1);
	gr_review_step_pass(review, 2, 11, T0);
	gr_review_submit(review, 110, 3, 11, 1, T0 + 5 * HOUR);
	gr_review_give(review, live_assignment(review, 110, 2), 2, GR_REVIEW_PASS, T0 + 5 * HOUR);
	CHECK_INT(
	    gr_review_withdraw(review, &made, gr_review_assignment_count(review), T0 + 6 * HOUR),
	    ==, 0);
	CHECK_INT(made, ==, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_WITHDRAWN), ==, 1);
	CHECK_INT(gr_review_check(review), ==, 0);
	gr_review_free(review);
}

/* ---- the property test ------------------------------------------------ */

static uint64_t walk_state;

static uint64_t walk_random(void)
{
	walk_state ^= walk_state << 13;
	walk_state ^= walk_state >> 7;
	walk_state ^= walk_state << 17;
	return walk_state;
}

#define WALK_LEARNERS 24
#define WALK_STEPS 4

/* One random operation; returns its result code. */
static int walk_step(struct gr_review *review, int64_t *now, int64_t *next_submission,
		     int *learners)
{
	int64_t learner = 1 + (int64_t)(walk_random() % (uint64_t)*learners);
	int64_t step = 1 + (int64_t)(walk_random() % WALK_STEPS);
	struct gr_review_assignment_info info;

	int64_t live[256];
	int live_count = 0;

	*now += (int64_t)(walk_random() % (6 * HOUR));
	for (int64_t id = 1; gr_review_assignment_get(&info, review, id) == 0; id++)
		if (info.state == GR_REVIEW_ASSIGNED && live_count < 256)
			live[live_count++] = id;
	switch (walk_random() % 13) {
	case 9: {
		/* The new moves: open, pull, a coach's, a withdrawal, a cohort. */
		int64_t made,
		    submission = 1 + (int64_t)(walk_random() % (uint64_t)*next_submission);

		switch (walk_random() % 7) {
		case 0:
			if (live_count == 0)
				return 0;
			gr_review_assignment_get(&info, review,
						 live[walk_random() % (uint64_t)live_count]);
			return gr_review_open(review, info.id, info.reviewer_id, *now);
		case 1:
			return gr_review_pull(review, &made, learner, *now);
		case 2:
			return gr_review_coach_decide(
			    review, submission,
			    walk_random() % 2 ? GR_REVIEW_PASS : GR_REVIEW_NEEDS_WORK, *now);
		case 3: {
			/* Refusing a learner who may not review it is no error. */
			int rc = gr_review_coach_assign(review, &made, submission, learner, *now);

			return rc == GR_EINVALID ? 0 : rc;
		}
		case 4:
			return gr_review_coach_extend(review, submission, *now);
		case 5: {
			/* Mostly a done review of work that needs work; now and then
			 * any, to meet the refusals. */
			int64_t count = gr_review_assignment_count(review);
			int64_t id = 1 + (int64_t)(walk_random() % (uint64_t)(count + 1));
			struct gr_review_standing standing;

			for (int64_t k = 0; walk_random() % 8 && k < count; k++) {
				int64_t at = 1 + (id + k) % (count ? count : 1);

				if (gr_review_assignment_get(&info, review, at) == 0 &&
				    info.state == GR_REVIEW_DONE && !info.withdrawn &&
				    gr_review_standing_get(&standing, review, info.submission_id,
							   *now) == 0 &&
				    standing.state == GR_REVIEW_SUBMISSION_NEEDS_WORK) {
					id = at;
					break;
				}
			}
			return gr_review_withdraw(review, &made, id, *now);
		}
		default:
			return gr_review_learner_cohort(review, learner, (int)(walk_random() % 2),
							*now);
		}
	}
	case 10:
	case 11:
		return gr_review_tick(review, *now);
	case 0:
		if (*learners < WALK_LEARNERS)
			return gr_review_learner_add(review, ++*learners, *now);
		return gr_review_tick(review, *now);
	case 1:
		return gr_review_learner_online(review, learner, (int)(walk_random() % 2), *now);
	case 2:
		return gr_review_learner_active(review, learner, walk_random() % 5 != 0, *now);
	case 3:
		return gr_review_step_pass(review, learner, step, *now);
	case 4:
	case 5:
		/* Attempts only grow; conflicts (still in review) are fine. */
		*next_submission += 1;
		return gr_review_submit(review, *next_submission - 1, learner, step,
					(int)(*next_submission - 1), *now);
	case 6:
	case 7:
	case 8:
		if (live_count == 0)
			return 0;
		/* Mostly a live one; now and then any, to meet the refusals too. */
		if (walk_random() % 8 == 0)
			gr_review_assignment_get(
			    &info, review,
			    1 + (int64_t)(walk_random() % (uint64_t)live[live_count - 1]));
		else
			gr_review_assignment_get(&info, review,
						 live[walk_random() % (uint64_t)live_count]);
		if (walk_random() % 6 == 0)
			return gr_review_decline(review, info.id, info.reviewer_id, *now);
		return gr_review_give(review, info.id, info.reviewer_id,
				      walk_random() % 3 ? GR_REVIEW_PASS : GR_REVIEW_NEEDS_WORK,
				      *now);
	default:
		return gr_review_tick(review, *now);
	}
}

/*
 * What the walk saw of each assignment and submission last time, to check
 * the moves: an assignment keeps its submission and reviewer, and leaves
 * ASSIGNED only once, for good; a verdict never changes.
 */
#define WALK_SEEN 8192

struct walk_seen {
	struct gr_review_assignment_info assignments[WALK_SEEN];
	int assignment_count;
	enum gr_review_submission_state submissions[WALK_SEEN];
	int64_t submission_count;
};

static struct walk_seen walk_seen;

/* Whether a REOPENED effect for submission was recorded (a withdrawn review). */
static bool reopened(int64_t submission)
{
	for (int i = 0; i < effect_count; i++)
		if (effects[i].kind == GR_REVIEW_EFFECT_REOPENED &&
		    effects[i].submission_id == submission)
			return true;
	return false;
}

static bool is_final(enum gr_review_submission_state state)
{
	return state == GR_REVIEW_SUBMISSION_PASSED || state == GR_REVIEW_SUBMISSION_NEEDS_WORK;
}

/* The moves since the last call that no diagram in review.c allows. */
static int walk_bad_moves(const struct gr_review *review, int64_t submissions, int64_t now)
{
	struct gr_review_assignment_info info;
	struct gr_review_standing standing;
	int bad = 0;

	for (int64_t id = 1; gr_review_assignment_get(&info, review, id) == 0 && id <= WALK_SEEN;
	     id++) {
		const struct gr_review_assignment_info *was = &walk_seen.assignments[id - 1];

		if (id <= walk_seen.assignment_count &&
		    (was->submission_id != info.submission_id ||
		     was->reviewer_id != info.reviewer_id ||
		     (was->state != GR_REVIEW_ASSIGNED && was->state != info.state)))
			bad++;
		walk_seen.assignments[id - 1] = info;
		if (id > walk_seen.assignment_count)
			walk_seen.assignment_count = (int)id;
	}
	for (int64_t id = 1; id < submissions && id <= WALK_SEEN; id++) {
		if (gr_review_standing_get(&standing, review, id, now) != 0)
			continue;
		if (id <= walk_seen.submission_count && is_final(walk_seen.submissions[id - 1]) &&
		    walk_seen.submissions[id - 1] != standing.state &&
		    !(walk_seen.submissions[id - 1] == GR_REVIEW_SUBMISSION_NEEDS_WORK &&
		      reopened(id)))
			bad++;
		walk_seen.submissions[id - 1] = standing.state;
		if (id > walk_seen.submission_count)
			walk_seen.submission_count = id;
	}
	return bad;
}

static void walk(enum gr_review_policy policy, uint64_t seed, int operations)
{
	struct gr_review *review = engine_with(policy, seed, 6);
	int64_t now = T0, next_submission = 1;
	int learners = 6, failures = 0, errors = 0, decided = 0, bad_moves = 0;
	struct gr_review_standing standing;

	memset(&walk_seen, 0, sizeof(walk_seen));

	walk_state = seed * 2654435761u + 1;
	for (int step = 1; step <= WALK_STEPS; step++)
		gr_review_step_add(review, step, 1 + step % 3);
	for (int i = 0; i < operations; i++) {
		int rc = walk_step(review, &now, &next_submission, &learners);

		if (rc == GR_ERROR || rc == GR_EINVALID) {
			errors++;
			if (errors < 5)
				fprintf(stderr, "walk operation %d: %d %s\n", i, rc,
					gr_error_last());
		}
		if (gr_review_check(review) != 0 && failures++ < 5)
			fprintf(stderr, "walk operation %d: %s\n", i, gr_error_last());
		bad_moves += walk_bad_moves(review, next_submission, now);
	}
	CHECK_INT(failures, ==, 0);
	CHECK_INT(bad_moves, ==, 0);
	CHECK_INT(walk_seen.assignment_count, >, 100);
	CHECK_INT(errors, ==, 0);
	/* Nothing is stranded while someone could review it. */
	gr_review_tick(review, now);
	for (int64_t id = 1; id < next_submission; id++) {
		if (gr_review_standing_get(&standing, review, id, now) != 0)
			continue;
		decided += standing.state == GR_REVIEW_SUBMISSION_PASSED ||
			   standing.state == GR_REVIEW_SUBMISSION_NEEDS_WORK;
		if (standing.open > 0 && policy == GR_REVIEW_POLICY_NAIVE)
			CHECK_INT(standing.eligible, ==, 0);
		if (standing.open > 0 && policy == GR_REVIEW_POLICY_ENGINE)
			CHECK_INT(standing.eligible_online, ==, 0);
	}
	CHECK_INT(decided, >, 10);
	CHECK_INT(effect_count, >, 100);
	/* The walk reached every kind of effect (the recorder keeps the first
	 * MAX_EFFECTS, enough for all of them). */
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_ASSIGNED), >, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_REVIEWED), >, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_PASSED), >, 0);
	CHECK_INT(count_effects(GR_REVIEW_EFFECT_NEEDS_WORK), >, 0);
	if (policy == GR_REVIEW_POLICY_ENGINE && operations >= 3000) {
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_EXPIRED), >, 0);
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_REASSIGNED), >, 0);
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_DECLINED), >, 0);
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_TIE), >, 0);
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_COACH), >, 0);
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_OPENED), >, 0);
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_WITHDRAWN), >, 0);
		CHECK_INT(count_effects(GR_REVIEW_EFFECT_REOPENED), >, 0);
	}
	gr_review_free(review);
}

static void test_property_random_operations(void)
{
	walk(GR_REVIEW_POLICY_ENGINE, 20240601, 3000);
	walk(GR_REVIEW_POLICY_ENGINE, 7, 3000);
	walk(GR_REVIEW_POLICY_NAIVE, 20240601, 2000);
}

/* The same events under the same seed give the same effects. */
static void test_deterministic(void)
{
	struct gr_review_effect first[MAX_EFFECTS];
	int first_count;

	walk(GR_REVIEW_POLICY_ENGINE, 99, 1500);
	first_count = effect_count;
	memcpy(first, effects, sizeof(first));
	walk(GR_REVIEW_POLICY_ENGINE, 99, 1500);
	CHECK_INT(effect_count, ==, first_count);
	for (int i = 0; i < first_count && i < effect_count; i++) {
		const struct gr_review_effect *a = &first[i], *b = &effects[i];

		if (a->kind != b->kind || a->at != b->at || a->submission_id != b->submission_id ||
		    a->assignment_id != b->assignment_id || a->reviewer_id != b->reviewer_id ||
		    a->due_at != b->due_at) {
			CHECK_INT(i, <, 0); /* the first difference */
			break;
		}
	}
}

/* ---- engines broken on purpose ---------------------------------------- */

/*
 * A valid engine to break: step 10 needs 2 reviews, learners 2, 3 and 4
 * passed it, and learner 1's submission 100 has both slots assigned.
 */
static struct gr_review *breakable(enum gr_review_policy policy)
{
	struct gr_review *review = engine_with(policy, 5, 6);

	gr_review_step_add(review, 10, 2);
	for (int64_t learner = 2; learner <= 4; learner++)
		gr_review_step_pass(review, learner, 10, T0);
	gr_review_submit(review, 100, 1, 10, 1, T0);
	CHECK_INT(review->submission_count, ==, 1);
	CHECK_INT(review->assignment_count, ==, 2);
	CHECK_INT(gr_review_check(review), ==, 0);
	return review;
}

/* The checker names invariant, in a message that says so; then the engine is freed. */
static void expect_broken(struct gr_review *review, int invariant, const char *words)
{
	char number[40];

	snprintf(number, sizeof number, "review invariant %d: ", invariant);
	gr_error_clear();
	CHECK_INT(gr_review_check(review), ==, invariant);
	CHECK_CONTAINS(gr_error_last(), number);
	CHECK_CONTAINS(gr_error_last(), words);
	gr_review_free(review);
}

static void test_broken_author(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);

	review->assignments[0].reviewer = review->submissions[0].author;
	expect_broken(review, 1, "reviewed by its author");
}

static void test_broken_twice(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);
	int declined;

	review->assignments[1].reviewer = review->assignments[0].reviewer;
	expect_broken(review, 2, "twice");

	/* After declining, never again on the same attempt. */
	review = breakable(GR_REVIEW_POLICY_ENGINE);
	declined = review->assignments[0].reviewer;
	CHECK_INT(gr_review_decline(review, 1, review->learners[declined].id, T0 + HOUR), ==, 0);
	CHECK_INT(review->assignment_count, ==, 3); /* the third learner took it */
	review->assignments[2].reviewer = declined;
	expect_broken(review, 2, "after declining");
}

static void test_broken_live(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);

	review->slots[0].state = SLOT_OPEN; /* yet its assignment is live */
	expect_broken(review, 3, "slot 0 is open with 1 live");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->slots[1].live = 0; /* the other slot's lease */
	expect_broken(review, 3, "does not point at its live assignment");
}

static void test_broken_done(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);
	int64_t reviewer = review->learners[review->assignments[0].reviewer].id;

	CHECK_INT(gr_review_give(review, 1, reviewer, GR_REVIEW_PASS, T0 + HOUR), ==, 0);
	CHECK_INT(gr_review_check(review), ==, 0);
	review->slots[0].done = NONE;
	expect_broken(review, 4, "does not point at its done review");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	reviewer = review->learners[review->assignments[0].reviewer].id;
	gr_review_give(review, 1, reviewer, GR_REVIEW_PASS, T0 + HOUR);
	review->slots[0].state = SLOT_OPEN; /* yet a review filled it */
	expect_broken(review, 4, "slot 0 is open with 1 done");
}

static void test_broken_counts(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);

	review->learners[review->assignments[0].reviewer].open++;
	expect_broken(review, 5, "2 open");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->learners[0].received = 3;
	expect_broken(review, 5, "3 received");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->learners[review->assignments[1].reviewer].active = false;
	expect_broken(review, 5, "a learner who left holds assignment 2");
}

static void test_broken_submission(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);

	review->submissions[0].state = GR_REVIEW_SUBMISSION_WAITING; /* no slot is open */
	expect_broken(review, 6, "waiting with no open slot");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->submissions[0].state = GR_REVIEW_SUBMISSION_PASSED; /* no review yet */
	expect_broken(review, 6, "decided with 0 of 2 done");

	/* Waiting, but not queued: learner 5 is the first on step 11. */
	review = breakable(GR_REVIEW_POLICY_ENGINE);
	gr_review_step_add(review, 11, 1);
	CHECK_INT(gr_review_submit(review, 101, 5, 11, 1, T0), ==, 0);
	CHECK_INT(review->submissions[1].state, ==, GR_REVIEW_SUBMISSION_WAITING);
	CHECK_INT(gr_review_check(review), ==, 0);
	review->submissions[1].queued = false;
	expect_broken(review, 6, "waits outside the queue");

	/* Queued, but not in the queue. */
	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->submissions[0].queued = true;
	expect_broken(review, 6, "1 submissions are marked queued, 0 are in the queue");
}

static void test_broken_coach(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_NAIVE);

	review->assignments[0].pulled = true;
	expect_broken(review, 7, "baseline assignment 1 was pulled, opened or given by a coach");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->submissions[0].by_coach = true;
	expect_broken(review, 7, "has a coach's verdict but is undecided");

	review = breakable(GR_REVIEW_POLICY_NAIVE);
	review->submissions[0].coach_at = T0;
	expect_broken(review, 7, "with the coaches but under the baseline policy");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->assignments[0].withdrawn = true;
	expect_broken(review, 7, "withdrawn but was never a review");
}

static void test_broken_attempts(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);

	/* Submission 100 is undecided, but the learner's latest is another. */
	review->learners[0].steps[0].latest = NONE;
	expect_broken(review, 8, "not the author's latest attempt");

	/* Attempt 2 follows an attempt that passed. */
	review = breakable(GR_REVIEW_POLICY_ENGINE);
	for (int64_t id = 1; id <= 2; id++)
		gr_review_give(review, id,
			       review->learners[review->assignments[id - 1].reviewer].id,
			       GR_REVIEW_NEEDS_WORK, T0 + HOUR);
	CHECK_INT(review->submissions[0].state, ==, GR_REVIEW_SUBMISSION_NEEDS_WORK);
	CHECK_INT(gr_review_submit(review, 101, 1, 10, 2, T0 + 2 * HOUR), ==, 0);
	CHECK_INT(gr_review_check(review), ==, 0);
	review->submissions[1].previous = 1; /* itself: still undecided */
	expect_broken(review, 8, "follows an attempt that did not need work");
}

static void test_broken_lease(void)
{
	struct gr_review *review = breakable(GR_REVIEW_POLICY_ENGINE);

	review->slots[0].last = NONE; /* forgets the lease it gave */
	expect_broken(review, 9, "slot 0 remembers assignment 0 as its latest, not 1");

	review = breakable(GR_REVIEW_POLICY_ENGINE);
	review->assignments[1].due_at = review->assignments[1].assigned_at;
	expect_broken(review, 9, "due before it was given");

	/* Listed on submission 100, but says it is another's. */
	review = breakable(GR_REVIEW_POLICY_ENGINE);
	gr_review_step_add(review, 11, 1);
	gr_review_submit(review, 101, 5, 11, 1, T0);
	review->assignments[0].submission = 1;
	expect_broken(review, 9, "assignment 1 is listed on submission 100 but is not its own");
}

int main(void)
{
	RUN(test_config_and_errors);
	RUN(test_eligibility);
	RUN(test_choice_load);
	RUN(test_choice_recent_load);
	RUN(test_choice_online);
	RUN(test_choice_reliability);
	RUN(test_choice_owed);
	RUN(test_choice_recent);
	RUN(test_choice_random);
	RUN(test_lease_expiry);
	RUN(test_decline);
	RUN(test_tie);
	RUN(test_resubmission);
	RUN(test_no_peer_yet);
	RUN(test_not_online);
	RUN(test_never_author_never_twice);
	RUN(test_may_read);
	RUN(test_naive_policy);
	RUN(test_pull);
	RUN(test_push_cap);
	RUN(test_owed_before_load);
	RUN(test_coach_paths);
	RUN(test_withdraw);
	RUN(test_property_random_operations);
	RUN(test_deterministic);
	RUN(test_broken_author);
	RUN(test_broken_twice);
	RUN(test_broken_live);
	RUN(test_broken_done);
	RUN(test_broken_counts);
	RUN(test_broken_submission);
	RUN(test_broken_coach);
	RUN(test_broken_attempts);
	RUN(test_broken_lease);
	return harness_done();
}
