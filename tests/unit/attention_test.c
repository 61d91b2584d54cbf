/* Tests for attention.h with a fake "now": the stuck rule at twice the median
 * (odd and even peer counts) and at its one-day floor, no peers → not stuck,
 * the inactive and waiting boundaries, flagged and help entries, the order by
 * since, empty input, bad input, kind names, and 1,000 learners × 100 steps in
 * one call. */
#include "harness.h"

#include "domain/attention.h"
#include "core/error.h"

#define HOUR GR_ATTENTION_HOUR_MS
#define DAY GR_ATTENTION_DAY_MS
#define NOW ((int64_t)1800000000000) /* the fake clock, 2027-01-15 */
#define STEPS 4
#define MAX_LEARNERS 8

/* A small cohort on a STEPS-step track, built up by each test. */
struct cohort {
	struct gr_attention_learner learners[MAX_LEARNERS];
	struct gr_attention_step steps[MAX_LEARNERS][STEPS];
	struct gr_attention_input input;
};

static void cohort_init(struct cohort *c)
{
	memset(c, 0, sizeof *c);
	c->input.learners = c->learners;
	c->input.step_count = STEPS;
}

/* Adds a learner active just now, on no step; returns its index. */
static int add_learner(struct cohort *c, int64_t id)
{
	int i = (int)c->input.learner_count++;
	c->learners[i].id = id;
	c->learners[i].last_activity_at = NOW;
	c->learners[i].current_step = -1;
	c->learners[i].steps = c->steps[i];
	return i;
}

/* A peer who completed step in duration ms, a week ago. */
static void add_finisher(struct cohort *c, int64_t id, int step, int64_t duration)
{
	int i = add_learner(c, id);
	c->steps[i][step] =
		(struct gr_attention_step){ 1, NOW - 7 * DAY, NOW - 7 * DAY + duration };
}

/* A learner on step since started_at. */
static int add_on_step(struct cohort *c, int64_t id, int step, int64_t started_at)
{
	int i = add_learner(c, id);
	c->learners[i].current_step = step;
	c->learners[i].current_started_at = started_at;
	return i;
}

/* Computes at now with the defaults; returns the count, entries in *out. */
static size_t compute(struct gr_attention_entry **out, const struct cohort *c, int64_t now)
{
	size_t count = 99;
	int rc = gr_attention_compute(out, &count, &c->input, now, NULL);
	CHECK_INT(rc, ==, 0);
	if (rc != 0)
		fprintf(stderr, "  message: %s\n", gr_error_last());
	return count;
}

/* The number of entries of kind for learner. */
static int count_kind(const struct gr_attention_entry *entries, size_t count, int64_t learner,
		      enum gr_attention_kind kind)
{
	int n = 0;
	for (size_t i = 0; i < count; i++)
		n += entries[i].learner_id == learner && entries[i].kind == kind;
	return n;
}

/* Whether learner 100 is stuck at now; checks the entry when it is. */
static int stuck_at(const struct cohort *c, int64_t now, int64_t since, int step)
{
	struct gr_attention_entry *entries = NULL;
	size_t count = compute(&entries, c, now);
	int stuck = count_kind(entries, count, 100, GR_ATTENTION_STUCK);
	for (size_t i = 0; i < count; i++) {
		if (entries[i].learner_id == 100 && entries[i].kind == GR_ATTENTION_STUCK) {
			CHECK_INT(entries[i].since, ==, since);
			CHECK_INT(entries[i].step, ==, step);
			CHECK_INT(entries[i].ref, ==, 0);
		}
	}
	gr_attention_free(entries);
	return stuck;
}

static void test_stuck_boundary_odd(void)
{
	struct cohort c;
	int64_t start = NOW - 30 * DAY;

	cohort_init(&c);
	/* Peers took 1, 2 and 9 days on step 1: median 2 days, threshold 4. */
	add_finisher(&c, 1, 1, 1 * DAY);
	add_finisher(&c, 2, 1, 9 * DAY);
	add_finisher(&c, 3, 1, 2 * DAY);
	add_on_step(&c, 100, 1, start);
	CHECK_INT(stuck_at(&c, start + 4 * DAY - 1, 0, 1), ==, 0);
	CHECK_INT(stuck_at(&c, start + 4 * DAY, 0, 1), ==, 0); /* exactly 2× median */
	CHECK_INT(stuck_at(&c, start + 4 * DAY + 1, start + 4 * DAY, 1), ==, 1);
	CHECK_INT(stuck_at(&c, start + 20 * DAY, start + 4 * DAY, 1), ==, 1);
}

static void test_stuck_boundary_even(void)
{
	struct cohort c;
	int64_t start = NOW - 30 * DAY;

	cohort_init(&c);
	/* Durations 1, 2, 3 and 10 days: median (2 + 3) / 2 = 2.5 days, 2× = 5. */
	add_finisher(&c, 1, 2, 10 * DAY);
	add_finisher(&c, 2, 2, 2 * DAY);
	add_finisher(&c, 3, 2, 1 * DAY);
	add_finisher(&c, 4, 2, 3 * DAY);
	add_on_step(&c, 100, 2, start);
	CHECK_INT(stuck_at(&c, start + 5 * DAY, 0, 2), ==, 0);
	CHECK_INT(stuck_at(&c, start + 5 * DAY + 1, start + 5 * DAY, 2), ==, 1);

	/* Two peers of 1 ms and 2 ms: median 1.5 ms, and 2× it exactly 3 ms,
	 * so the one-day floor decides; no rounding lost half a millisecond. */
	cohort_init(&c);
	add_finisher(&c, 1, 0, 1);
	add_finisher(&c, 2, 0, 2);
	add_on_step(&c, 100, 0, start);
	CHECK_INT(stuck_at(&c, start + DAY - 1, 0, 0), ==, 0);
	CHECK_INT(stuck_at(&c, start + DAY, start + DAY, 0), ==, 1);
}

static void test_stuck_one_day_floor(void)
{
	struct cohort c;
	int64_t start = NOW - 10 * DAY;

	cohort_init(&c);
	/* Median one hour: over twice it after two hours, but not yet a day. */
	add_finisher(&c, 1, 3, HOUR);
	add_on_step(&c, 100, 3, start);
	CHECK_INT(stuck_at(&c, start + 2 * HOUR + 1, 0, 3), ==, 0);
	CHECK_INT(stuck_at(&c, start + 12 * HOUR, 0, 3), ==, 0);
	CHECK_INT(stuck_at(&c, start + DAY - 1, 0, 3), ==, 0);
	CHECK_INT(stuck_at(&c, start + DAY, start + DAY, 3), ==, 1); /* at least a day */
	CHECK_INT(stuck_at(&c, start + 3 * DAY, start + DAY, 3), ==, 1);
}

static void test_stuck_needs_peers(void)
{
	struct cohort c;
	struct gr_attention_entry *entries = NULL;
	int64_t start = NOW - 100 * DAY;
	int me;

	cohort_init(&c);
	/* Nobody finished step 2 (one finished step 1; one merely started 2). */
	add_finisher(&c, 1, 1, HOUR);
	me = add_on_step(&c, 2, 2, NOW - 200 * DAY);
	c.steps[me][2] = (struct gr_attention_step){ 0, NOW - 200 * DAY, 0 };
	add_on_step(&c, 100, 2, start);
	CHECK_INT(stuck_at(&c, NOW, 0, 2), ==, 0);
	CHECK_INT(stuck_at(&c, NOW + 1000 * DAY, 0, 2), ==, 0);

	/* A step the learner has already completed is not stuck either. */
	cohort_init(&c);
	add_finisher(&c, 1, 1, HOUR);
	me = add_on_step(&c, 100, 1, start);
	c.steps[me][1] = (struct gr_attention_step){ 1, start, start + HOUR };
	CHECK_INT(stuck_at(&c, NOW, 0, 1), ==, 0);

	/* The learner's own unfinished step does not count as a peer's. */
	cohort_init(&c);
	add_on_step(&c, 100, 0, start);
	CHECK_INT(compute(&entries, &c, NOW), ==, 0);
	gr_attention_free(entries);
}

static void test_inactive_boundary(void)
{
	struct cohort c;
	struct gr_attention_entry *entries = NULL;
	struct gr_attention_settings settings = gr_attention_settings_default();
	int64_t last = NOW - 30 * DAY;
	size_t count = 0;

	CHECK_INT(settings.inactive_days, ==, 7);
	cohort_init(&c);
	add_learner(&c, 100);
	c.learners[0].last_activity_at = last;

	count = compute(&entries, &c, last + 7 * DAY - 1);
	CHECK_INT(count, ==, 0);
	gr_attention_free(entries);

	count = compute(&entries, &c, last + 7 * DAY);
	CHECK_INT(count, ==, 1);
	if (count == 1) {
		CHECK_INT(entries[0].learner_id, ==, 100);
		CHECK_INT(entries[0].kind, ==, GR_ATTENTION_INACTIVE);
		CHECK_INT(entries[0].since, ==, last + 7 * DAY);
		CHECK_INT(entries[0].step, ==, -1);
		CHECK_INT(entries[0].ref, ==, 0);
	}
	gr_attention_free(entries);

	/* N is a parameter: with 2 days the same learner is inactive sooner. */
	settings.inactive_days = 2;
	CHECK_INT(gr_attention_compute(&entries, &count, &c.input, last + 2 * DAY - 1, &settings), ==,
		  0);
	CHECK_INT(count, ==, 0);
	gr_attention_free(entries);
	CHECK_INT(gr_attention_compute(&entries, &count, &c.input, last + 2 * DAY, &settings), ==, 0);
	CHECK_INT(count, ==, 1);
	if (count == 1)
		CHECK_INT(entries[0].since, ==, last + 2 * DAY);
	gr_attention_free(entries);
}

static void test_waiting_boundary(void)
{
	struct cohort c;
	struct gr_attention_entry *entries = NULL;
	struct gr_attention_waiting waiting[] = { { 100, 2, NOW - 50 * HOUR } };
	int64_t since = waiting[0].waiting_since;
	size_t count;

	cohort_init(&c);
	c.input.waiting = waiting;
	c.input.waiting_count = 1;

	count = compute(&entries, &c, since + 24 * HOUR);
	CHECK_INT(count, ==, 0); /* exactly 24 h is not longer than 24 h */
	gr_attention_free(entries);

	count = compute(&entries, &c, since + 24 * HOUR + 1);
	CHECK_INT(count, ==, 1);
	if (count == 1) {
		CHECK_INT(entries[0].learner_id, ==, 100);
		CHECK_INT(entries[0].kind, ==, GR_ATTENTION_WAITING_REVIEW);
		CHECK_INT(entries[0].since, ==, since + 24 * HOUR);
		CHECK_INT(entries[0].step, ==, 2);
		CHECK_INT(entries[0].ref, ==, 0);
	}
	gr_attention_free(entries);
}

static void test_flagged_and_help(void)
{
	struct cohort c;
	struct gr_attention_entry *entries = NULL;
	struct gr_attention_flagged flagged[] = { { 7, 555, NOW - 3 * HOUR } };
	struct gr_attention_help help[] = { { 8, 42, NOW - 5 * 60 * 1000 } };
	size_t count;

	cohort_init(&c);
	c.input.flagged = flagged;
	c.input.flagged_count = 1;
	c.input.help = help;
	c.input.help_count = 1;
	count = compute(&entries, &c, NOW);
	CHECK_INT(count, ==, 2);
	if (count == 2) {
		CHECK_INT(entries[0].learner_id, ==, 7);
		CHECK_INT(entries[0].kind, ==, GR_ATTENTION_FLAGGED_REVIEW);
		CHECK_INT(entries[0].since, ==, NOW - 3 * HOUR);
		CHECK_INT(entries[0].step, ==, -1);
		CHECK_INT(entries[0].ref, ==, 555);
		CHECK_INT(entries[1].learner_id, ==, 8);
		CHECK_INT(entries[1].kind, ==, GR_ATTENTION_HELP_REQUEST);
		CHECK_INT(entries[1].since, ==, NOW - 5 * 60 * 1000);
		CHECK_INT(entries[1].step, ==, -1);
		CHECK_INT(entries[1].ref, ==, 42);
	}
	gr_attention_free(entries);
}

static void test_sorted_by_since(void)
{
	struct cohort c;
	struct gr_attention_entry *entries = NULL;
	struct gr_attention_waiting waiting[] = { { 30, 1, NOW - 3 * DAY } };  /* since -2 d */
	struct gr_attention_flagged flagged[] = { { 40, 9, NOW - 1 * HOUR },   /* since -1 h */
						  { 41, 8, NOW - 10 * DAY } }; /* -10 d */
	struct gr_attention_help help[] = { { 50, 3, NOW - 2 * DAY } };        /* since -2 d */
	static const struct {
		int64_t learner;
		enum gr_attention_kind kind;
		int64_t since;
	} expected[] = {
		{ 41, GR_ATTENTION_FLAGGED_REVIEW, NOW - 10 * DAY },
		{ 20, GR_ATTENTION_INACTIVE, NOW - 13 * DAY + 7 * DAY },
		{ 10, GR_ATTENTION_STUCK, NOW - 5 * DAY + 2 * DAY },
		{ 30, GR_ATTENTION_WAITING_REVIEW, NOW - 2 * DAY }, /* tie: kind order */
		{ 50, GR_ATTENTION_HELP_REQUEST, NOW - 2 * DAY },
		{ 40, GR_ATTENTION_FLAGGED_REVIEW, NOW - 1 * HOUR },
	};
	size_t count;
	int i;

	cohort_init(&c);
	c.input.waiting = waiting;
	c.input.waiting_count = 1;
	c.input.flagged = flagged;
	c.input.flagged_count = 2;
	c.input.help = help;
	c.input.help_count = 1;
	add_finisher(&c, 1, 0, DAY); /* median 1 day on step 0 */
	add_on_step(&c, 10, 0, NOW - 5 * DAY);
	i = add_learner(&c, 20);
	c.learners[i].last_activity_at = NOW - 13 * DAY;

	count = compute(&entries, &c, NOW);
	CHECK_INT(count, ==, sizeof expected / sizeof expected[0]);
	for (size_t k = 0; k < count && k < sizeof expected / sizeof expected[0]; k++) {
		CHECK_INT(entries[k].learner_id, ==, expected[k].learner);
		CHECK_INT(entries[k].kind, ==, expected[k].kind);
		CHECK_INT(entries[k].since, ==, expected[k].since);
	}
	for (size_t k = 1; k < count; k++)
		CHECK(entries[k - 1].since <= entries[k].since);
	gr_attention_free(entries);
}

static void test_both_stuck_and_inactive(void)
{
	struct cohort c;
	struct gr_attention_entry *entries = NULL;
	size_t count;
	int me;

	cohort_init(&c);
	add_finisher(&c, 1, 0, DAY);
	me = add_on_step(&c, 100, 0, NOW - 20 * DAY);
	c.learners[me].last_activity_at = NOW - 19 * DAY;
	count = compute(&entries, &c, NOW);
	CHECK_INT(count, ==, 2);
	CHECK_INT(count_kind(entries, count, 100, GR_ATTENTION_STUCK), ==, 1);
	CHECK_INT(count_kind(entries, count, 100, GR_ATTENTION_INACTIVE), ==, 1);
	if (count == 2) {
		CHECK_INT(entries[0].kind, ==, GR_ATTENTION_STUCK); /* -18 d before -12 d */
		CHECK_INT(entries[0].since, ==, NOW - 18 * DAY);
		CHECK_INT(entries[1].since, ==, NOW - 12 * DAY);
	}
	gr_attention_free(entries);
}

static void test_empty(void)
{
	struct gr_attention_input input = { 0 };
	struct gr_attention_entry *entries = (struct gr_attention_entry *)&input;
	size_t count = 99;

	CHECK_INT(gr_attention_compute(&entries, &count, &input, NOW, NULL), ==, 0);
	CHECK(entries == NULL);
	CHECK_INT(count, ==, 0);
	gr_attention_free(entries);
	gr_attention_free(NULL);

	/* Learners on no step with steps but nothing to report. */
	struct cohort c;
	cohort_init(&c);
	add_learner(&c, 1);
	add_learner(&c, 2);
	CHECK_INT(compute(&entries, &c, NOW), ==, 0);
	CHECK(entries == NULL);
}

static void test_invalid(void)
{
	struct cohort c;
	struct gr_attention_entry *entries = NULL;
	struct gr_attention_settings settings = { .inactive_days = 0 };
	struct gr_attention_waiting waiting[] = { { 1, STEPS, NOW } };
	size_t count = 5;
	int i;

	cohort_init(&c);
	add_learner(&c, 1);
	CHECK_INT(gr_attention_compute(&entries, &count, &c.input, NOW, &settings), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "inactive_days");
	CHECK(entries == NULL);
	CHECK_INT(count, ==, 0);

	i = add_on_step(&c, 2, STEPS, NOW);
	CHECK_INT(gr_attention_compute(&entries, &count, &c.input, NOW, NULL), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "learner 2 is on step 4 of 4");
	CHECK(entries == NULL);
	c.learners[i].current_step = -1;

	add_finisher(&c, 3, 0, DAY);
	c.steps[2][0].finished_at = c.steps[2][0].started_at - 1;
	CHECK_INT(gr_attention_compute(&entries, &count, &c.input, NOW, NULL), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "learner 3 finished step 0 before starting it");
	c.steps[2][0].finished_at = c.steps[2][0].started_at;

	c.input.waiting = waiting;
	c.input.waiting_count = 1;
	CHECK_INT(gr_attention_compute(&entries, &count, &c.input, NOW, NULL), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "waits on step 4");
	CHECK(entries == NULL);
	CHECK_INT(count, ==, 0);
}

static void test_kind_names(void)
{
	CHECK_STR(gr_attention_kind_name(GR_ATTENTION_STUCK), "stuck");
	CHECK_STR(gr_attention_kind_name(GR_ATTENTION_INACTIVE), "inactive");
	CHECK_STR(gr_attention_kind_name(GR_ATTENTION_WAITING_REVIEW), "waiting_review");
	CHECK_STR(gr_attention_kind_name(GR_ATTENTION_FLAGGED_REVIEW), "flagged_review");
	CHECK_STR(gr_attention_kind_name(GR_ATTENTION_HELP_REQUEST), "help_request");
}

/*
 * 1,000 learners × 100 steps. Learner i has completed steps 0 .. i % 100 - 1,
 * each in (i % 7 + 1) hours, and is on step i % 100 since i % 10 days ago;
 * every 50th learner was last active 8 days ago. The expected entries are
 * worked out here from the medians, not from attention.c.
 */
#define BIG_LEARNERS 1000
#define BIG_STEPS 100

static void test_many_learners(void)
{
	struct gr_attention_learner *learners = calloc(BIG_LEARNERS, sizeof *learners);
	struct gr_attention_step *steps = calloc(BIG_LEARNERS * BIG_STEPS, sizeof *steps);
	struct gr_attention_input input = { 0 };
	struct gr_attention_entry *entries = NULL;
	int64_t durations[BIG_LEARNERS];
	int expected_stuck = 0, expected_inactive = 0, stuck = 0, inactive = 0;
	size_t count = 0;

	if (!learners || !steps) {
		CHECK(!"out of memory");
		goto out;
	}
	for (int i = 0; i < BIG_LEARNERS; i++) {
		int current = i % BIG_STEPS;
		learners[i].id = 10000 + i;
		learners[i].last_activity_at = i % 50 == 0 ? NOW - 8 * DAY : NOW - HOUR;
		learners[i].current_step = current;
		learners[i].current_started_at = NOW - (int64_t)(i % 10) * DAY;
		learners[i].steps = &steps[(size_t)i * BIG_STEPS];
		for (int s = 0; s < current; s++)
			steps[(size_t)i * BIG_STEPS + s] = (struct gr_attention_step){
				1, NOW - 30 * DAY, NOW - 30 * DAY + (int64_t)(i % 7 + 1) * HOUR
			};
		expected_inactive += i % 50 == 0;
	}
	/* Expected: a median per step by counting (durations are 1..7 hours). */
	for (int i = 0; i < BIG_LEARNERS; i++) {
		int current = i % BIG_STEPS, n = 0;
		int64_t twice, t = (int64_t)(i % 10) * DAY;
		for (int j = 0; j < BIG_LEARNERS; j++)
			if (current < j % BIG_STEPS)
				durations[n++] = (int64_t)(j % 7 + 1) * HOUR;
		if (n == 0)
			continue;
		/* Insertion sort keeps this independent of the module's qsort. */
		for (int a = 1; a < n; a++)
			for (int b = a; b > 0 && durations[b - 1] > durations[b]; b--) {
				int64_t tmp = durations[b];
				durations[b] = durations[b - 1];
				durations[b - 1] = tmp;
			}
		twice = n % 2 ? 2 * durations[n / 2] : durations[n / 2 - 1] + durations[n / 2];
		expected_stuck += t > twice && t >= DAY;
	}
	input.learners = learners;
	input.learner_count = BIG_LEARNERS;
	input.step_count = BIG_STEPS;
	CHECK_INT(gr_attention_compute(&entries, &count, &input, NOW, NULL), ==, 0);
	for (size_t k = 0; k < count; k++) {
		stuck += entries[k].kind == GR_ATTENTION_STUCK;
		inactive += entries[k].kind == GR_ATTENTION_INACTIVE;
		if (entries[k].kind == GR_ATTENTION_STUCK) {
			int i = (int)(entries[k].learner_id - 10000);
			if (entries[k].step != i % BIG_STEPS || entries[k].since > NOW)
				CHECK(!"stuck entry on the wrong step or in the future");
		}
	}
	CHECK_INT(expected_stuck, >, 100); /* the data really exercises the rule */
	CHECK_INT(stuck, ==, expected_stuck);
	CHECK_INT(inactive, ==, expected_inactive);
	CHECK_INT(count, ==, expected_stuck + expected_inactive);
	for (size_t k = 1; k < count; k++)
		if (entries[k - 1].since > entries[k].since)
			CHECK(!"entries out of order");
out:
	gr_attention_free(entries);
	free(steps);
	free(learners);
}

int main(void)
{
	RUN(test_stuck_boundary_odd);
	RUN(test_stuck_boundary_even);
	RUN(test_stuck_one_day_floor);
	RUN(test_stuck_needs_peers);
	RUN(test_inactive_boundary);
	RUN(test_waiting_boundary);
	RUN(test_flagged_and_help);
	RUN(test_sorted_by_since);
	RUN(test_both_stuck_and_inactive);
	RUN(test_empty);
	RUN(test_invalid);
	RUN(test_kind_names);
	RUN(test_many_learners);
	return harness_done();
}
