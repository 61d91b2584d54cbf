/*
 * simulate - drives the real peer-review pairing engine (daemon/review.c,
 * linked from grounds_core) with simulated time, and compares the engine's
 * policy with a naive one on the same population and seed.
 *
 * The population: N learners (default 300) over W weeks (default 12) on a
 * sample track of 6 projects needing 2 reviews each, with lessons in
 * between that take time. Learners differ in pace, in how often and when
 * they are online, in how promptly they review, and in how good their work
 * is. Some start late (weeks 3 to 8); some vanish mid-way and never finish
 * the reviews they hold; one learner runs far ahead, so each of their later
 * projects has nobody ahead who passed it. Time moves in one-hour steps; the
 * engine is told of every session start and end, every submission, review
 * and decline, and ticks every hour.
 *
 * Usage: simulate [--learners N] [--weeks W] [--seed S]
 */
#include "core/error.h"
#include "domain/review.h"

#include "splitmix.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR GR_REVIEW_HOUR_MS
#define T0 ((int64_t)1700000000000)
#define PROJECTS 6
#define REVIEWS 2
#define SEEN 64 /* assignments remembered as considered for declining */

struct options {
	int learners;
	int weeks;
	uint64_t seed;
};

/* Who a simulated learner is; the same for both policies. */
struct persona {
	int start_hour;	    /* when they join */
	int vanish_hour;    /* when they stop coming, or INT32_MAX */
	double pace;	    /* multiplies every piece of work */
	double day_chance;  /* chance of a session on a given day */
	int session_hour;   /* usual hour of day a session starts */
	int session_length; /* hours, on average */
	double promptness;  /* chance per online hour of doing a pending review */
	double decline;	    /* chance of declining an assignment when first seen */
	double skill;	    /* chance a reviewer passes a first attempt */
	double lesson_hours[PROJECTS];
	double project_hours[PROJECTS];
};

/* A learner's state in one run. */
struct learner {
	uint64_t rng;
	bool joined;
	bool online;
	int task;	  /* 2k: lessons before project k; 2k+1: project k; 2*PROJECTS: done */
	double work_done; /* hours on the current task */
	int pending;	  /* the submission in review, or -1 */
	bool rework;	  /* the pending project needs work */
	double rework_done;
	int attempt[PROJECTS];
	int64_t *todo; /* live assignment ids */
	int todo_count, todo_cap;
	int64_t seen[SEEN]; /* assignments already considered for declining */
	int seen_count;
	int given;
	bool passed_any;
};

struct submission {
	int author;
	int project;
	int attempt;
	int64_t submitted_at;
	int64_t first_review_at; /* 0 until then */
	int64_t decided_at;	 /* 0 until then */
};

struct run {
	const struct options *options;
	const struct persona *personas;
	struct learner *learners;
	struct submission *submissions;
	int submission_count, submission_cap;
	struct gr_review *review;
	enum gr_review_policy policy;
	int expired, declined, reassigned, ties, assignments;
	int64_t now;
};

struct results {
	int submissions;
	double first_median, first_p95, first_max;
	double verdict_median, verdict_p95, verdict_max;
	int waited_72h;
	int undecided;
	int stranded;  /* undecided, submitted more than 7 days before the end */
	int dead_ends; /* undecided with no way forward */
	int reviews_max;
	double reviews_mean, gini;
	int expired, declined, reassigned, ties;
	double leader_first_review; /* hours, the leader's last project */
	int finished;		    /* learners who passed every project */
};

/* ---- the population --------------------------------------------------- */

static void make_personas(struct persona *out, const struct options *options)
{
	uint64_t rng = options->seed;
	int hours = options->weeks * 7 * 24;

	for (int i = 0; i < options->learners; i++) {
		struct persona *p = &out[i];
		double roll = uniform(&rng);

		p->start_hour = (int)between(&rng, 0, 7 * 24);
		if (roll < 0.15) /* late starters */
			p->start_hour = (int)between(&rng, 3 * 7 * 24, 8 * 7 * 24);
		p->vanish_hour = INT32_MAX;
		if (uniform(&rng) < 0.12) /* they stop coming, reviews and all */
			p->vanish_hour = p->start_hour + (int)between(&rng, 7 * 24, hours * 0.7);
		p->pace = between(&rng, 0.6, 1.8);
		p->day_chance = between(&rng, 0.35, 0.9);
		p->session_hour = (int)between(&rng, 8, 22);
		p->session_length = 1 + (int)between(&rng, 0, 3);
		p->promptness =
		    uniform(&rng) < 0.3 ? between(&rng, 0.05, 0.2) : between(&rng, 0.4, 0.9);
		p->decline = between(&rng, 0.0, 0.08);
		p->skill = between(&rng, 0.5, 0.95);
		for (int k = 0; k < PROJECTS; k++) {
			p->lesson_hours[k] = between(&rng, 5, 10);
			p->project_hours[k] = between(&rng, 3, 7);
		}
	}
	/* One learner runs far ahead: later projects have nobody ahead. */
	out[0] = (struct persona){
	    .start_hour = 0,
	    .vanish_hour = INT32_MAX,
	    .pace = 0.3,
	    .day_chance = 1.0,
	    .session_hour = 9,
	    .session_length = 4,
	    .promptness = 0.9,
	    .skill = 0.95,
	};
	for (int k = 0; k < PROJECTS; k++) {
		out[0].lesson_hours[k] = 6;
		out[0].project_hours[k] = 4;
	}
}

/* Whether learner i is in a session at hour h: a fixed schedule per day. */
static bool in_session(const struct persona *p, uint64_t seed, int i, int hour)
{
	int day = hour / 24, at = hour % 24;
	uint64_t roll = hash3(seed, (uint64_t)i + 1, (uint64_t)day + 1);
	int start = p->session_hour + (int)(roll % 5) - 2;
	int length = p->session_length + (int)((roll >> 8) % 3) - 1;

	if (hour < p->start_hour || hour >= p->vanish_hour)
		return false;
	if ((double)((roll >> 16) % 1000) / 1000.0 >= p->day_chance)
		return false;
	if (length < 1)
		length = 1;
	return at >= start && at < start + length;
}

/* ---- effects ---------------------------------------------------------- */

static int learner_index(int64_t id)
{
	return (int)(id - 1);
}

static void todo_add(struct learner *learner, int64_t assignment)
{
	if (learner->todo_count == learner->todo_cap) {
		learner->todo_cap = learner->todo_cap ? 2 * learner->todo_cap : 8;
		learner->todo = realloc(learner->todo, (size_t)learner->todo_cap * sizeof(int64_t));
		if (!learner->todo) {
			perror("simulate");
			exit(1);
		}
	}
	learner->todo[learner->todo_count++] = assignment;
}

static void todo_remove(struct learner *learner, int64_t assignment)
{
	for (int i = 0; i < learner->todo_count; i++)
		if (learner->todo[i] == assignment)
			learner->todo[i] = learner->todo[--learner->todo_count];
}

static void on_effect(const struct gr_review_effect *effect, void *payload)
{
	struct run *run = payload;
	struct submission *submission = &run->submissions[effect->submission_id - 1];
	struct learner *author = &run->learners[learner_index(effect->author_id)];

	switch (effect->kind) {
	case GR_REVIEW_EFFECT_REASSIGNED:
		run->reassigned++;
		/* fall through */
	case GR_REVIEW_EFFECT_ASSIGNED:
		run->assignments++;
		todo_add(&run->learners[learner_index(effect->reviewer_id)], effect->assignment_id);
		break;
	case GR_REVIEW_EFFECT_EXPIRED:
		run->expired++;
		todo_remove(&run->learners[learner_index(effect->reviewer_id)],
			    effect->assignment_id);
		break;
	case GR_REVIEW_EFFECT_DECLINED:
		run->declined++;
		todo_remove(&run->learners[learner_index(effect->reviewer_id)],
			    effect->assignment_id);
		break;
	case GR_REVIEW_EFFECT_REVIEWED:
		if (!submission->first_review_at)
			submission->first_review_at = effect->at;
		break;
	case GR_REVIEW_EFFECT_TIE:
		run->ties++;
		break;
	case GR_REVIEW_EFFECT_PASSED:
		submission->decided_at = effect->at;
		author->pending = -1;
		author->rework = false;
		author->passed_any = true;
		break;
	case GR_REVIEW_EFFECT_NEEDS_WORK:
		submission->decided_at = effect->at;
		author->rework = true;
		author->rework_done = 0;
		break;
	}
}

/* ---- one learner's hour ----------------------------------------------- */

static void must(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "simulate: %s: %s\n", what, gr_error_last());
		exit(1);
	}
}

static bool seen_before(struct learner *learner, int64_t assignment)
{
	for (int i = 0; i < learner->seen_count; i++)
		if (learner->seen[i] == assignment)
			return true;
	if (learner->seen_count == SEEN)
		learner->seen_count = 0;
	learner->seen[learner->seen_count++] = assignment;
	return false;
}

/* The chance one reviewer passes this attempt. */
static double pass_chance(const struct run *run, int64_t submission_id)
{
	const struct submission *submission = &run->submissions[submission_id - 1];
	double chance = run->personas[submission->author].skill + 0.2 * (submission->attempt - 1);

	return chance > 0.97 ? 0.97 : chance;
}

/* Declines first seen assignments now and then; gives at most one review. Returns hours spent. */
static double do_reviews(struct run *run, int i)
{
	struct learner *learner = &run->learners[i];
	const struct persona *p = &run->personas[i];
	struct gr_review_assignment_info info;
	bool engine = run->policy == GR_REVIEW_POLICY_ENGINE; /* naive: no declines */

	for (int k = 0; k < learner->todo_count; k++) {
		int64_t id = learner->todo[k];

		if (seen_before(learner, id) || !engine)
			continue;
		if (uniform(&learner->rng) < p->decline) {
			must(gr_review_decline(run->review, id, i + 1, run->now), "decline");
			k = -1; /* the list changed */
		}
	}
	if (learner->todo_count == 0 || uniform(&learner->rng) >= p->promptness)
		return 0;
	int64_t id = learner->todo[0];

	must(gr_review_assignment_get(&info, run->review, id), "assignment");
	enum gr_review_verdict verdict =
	    uniform(&learner->rng) < pass_chance(run, info.submission_id) ? GR_REVIEW_PASS
									  : GR_REVIEW_NEEDS_WORK;
	todo_remove(learner, id);
	learner->given++;
	must(gr_review_give(run->review, id, i + 1, verdict, run->now), "give");
	return 0.5;
}

static void submit(struct run *run, int i, int project)
{
	struct learner *learner = &run->learners[i];
	struct submission *submission;

	if (run->submission_count == run->submission_cap) {
		run->submission_cap = run->submission_cap ? run->submission_cap * 2 : 256;
		run->submissions = realloc(run->submissions,
					   (size_t)run->submission_cap * sizeof(*run->submissions));
		if (!run->submissions) {
			perror("simulate");
			exit(1);
		}
	}
	submission = &run->submissions[run->submission_count++];
	*submission = (struct submission){
	    .author = i,
	    .project = project,
	    .attempt = ++learner->attempt[project],
	    .submitted_at = run->now,
	};
	learner->pending = run->submission_count - 1;
	learner->rework = false;
	must(gr_review_submit(run->review, run->submission_count, i + 1, project + 1,
			      submission->attempt, run->now),
	     "submit");
}

/* Own work for the hours left in this online hour. */
static void do_work(struct run *run, int i, double hours)
{
	struct learner *learner = &run->learners[i];
	const struct persona *p = &run->personas[i];

	if (learner->rework) {
		learner->rework_done += hours;
		if (learner->rework_done >= 2.0 * p->pace)
			submit(run, i, run->submissions[learner->pending].project);
		return;
	}
	if (learner->task >= 2 * PROJECTS)
		return;
	int project = learner->task / 2;
	bool is_project = learner->task % 2 == 1;

	/* A project waits for the previous one to pass (its "requires"). */
	if (is_project && learner->pending >= 0)
		return;
	learner->work_done += hours;
	double needed =
	    p->pace * (is_project ? p->project_hours[project] : p->lesson_hours[project]);

	if (learner->work_done < needed)
		return;
	learner->work_done = 0;
	learner->task++;
	if (is_project)
		submit(run, i, project);
}

static void learner_hour(struct run *run, int i, int hour)
{
	struct learner *learner = &run->learners[i];
	const struct persona *p = &run->personas[i];
	bool online = in_session(p, run->options->seed, i, hour);

	if (!learner->joined && hour >= p->start_hour) {
		learner->joined = true;
		learner->rng = hash3(run->options->seed, (uint64_t)i + 1, 0);
		must(gr_review_learner_add(run->review, i + 1, run->now), "learner");
	}
	if (!learner->joined)
		return;
	if (online != learner->online) {
		learner->online = online;
		must(gr_review_learner_online(run->review, i + 1, online, run->now), "online");
	}
	if (!online)
		return;
	do_work(run, i, 1.0 - do_reviews(run, i));
}

/* ---- measuring -------------------------------------------------------- */

/*
 * Whether an undecided submission has no way forward: a slot nobody could
 * take, or a lease that never ends held by someone who vanished.
 */
static bool dead_end(const struct run *run, int64_t submission_id, int64_t end)
{
	struct gr_review_standing standing;
	struct gr_review_assignment_info info;
	int end_hour = (int)((end - T0) / HOUR);

	must(gr_review_standing_get(&standing, run->review, submission_id, end), "standing");
	if (standing.open > 0 && standing.eligible == 0)
		return true;
	for (int64_t id = 1; gr_review_assignment_get(&info, run->review, id) == 0; id++)
		if (info.submission_id == submission_id && info.state == GR_REVIEW_ASSIGNED &&
		    info.due_at == INT64_MAX &&
		    run->personas[learner_index(info.reviewer_id)].vanish_hour <= end_hour)
			return true;
	return false;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(const double *sorted, int n, double q)
{
	double rank = q * n;
	int at = (int)rank;

	if (n == 0)
		return 0;
	if (at < rank) /* the ceiling, without libm */
		at++;
	at--;
	return sorted[at < 0 ? 0 : at >= n ? n - 1 : at];
}

static double gini(double *values, int n)
{
	double sum = 0, weighted = 0;

	qsort(values, (size_t)n, sizeof(*values), compare_doubles);
	for (int i = 0; i < n; i++) {
		sum += values[i];
		weighted += (i + 1) * values[i];
	}
	if (n == 0 || sum == 0)
		return 0;
	return 2 * weighted / (n * sum) - (double)(n + 1) / n;
}

static void measure(struct results *out, const struct run *run, int64_t end)
{
	int n = run->submission_count, learners = run->options->learners, reviewers = 0;
	double *first = calloc((size_t)n + 1, sizeof(double));
	double *verdict = calloc((size_t)n + 1, sizeof(double));
	double *given = calloc((size_t)learners, sizeof(double));
	double total = 0;

	memset(out, 0, sizeof(*out));
	if (!first || !verdict || !given) {
		perror("simulate");
		exit(1);
	}
	out->submissions = n;
	out->leader_first_review = -1;
	for (int i = 0; i < n; i++) {
		const struct submission *s = &run->submissions[i];
		/* Undecided ones count with the time they have waited so far. */
		int64_t reviewed = s->first_review_at ? s->first_review_at : end;
		int64_t decided = s->decided_at ? s->decided_at : end;

		first[i] = (double)(reviewed - s->submitted_at) / HOUR;
		verdict[i] = (double)(decided - s->submitted_at) / HOUR;
		out->waited_72h += verdict[i] > 72;
		if (!s->decided_at) {
			out->undecided++;
			out->stranded += end - s->submitted_at > 7 * 24 * HOUR;
			out->dead_ends += dead_end(run, i + 1, end);
		}
		if (s->author == 0 && s->project == PROJECTS - 1 && s->attempt == 1)
			out->leader_first_review = first[i];
	}
	qsort(first, (size_t)n, sizeof(double), compare_doubles);
	qsort(verdict, (size_t)n, sizeof(double), compare_doubles);
	out->first_median = percentile(first, n, 0.5);
	out->first_p95 = percentile(first, n, 0.95);
	out->first_max = n ? first[n - 1] : 0;
	out->verdict_median = percentile(verdict, n, 0.5);
	out->verdict_p95 = percentile(verdict, n, 0.95);
	out->verdict_max = n ? verdict[n - 1] : 0;
	/* Load: reviews given by everyone who could review (passed a project). */
	for (int i = 0; i < learners; i++) {
		if (!run->learners[i].passed_any)
			continue;
		given[reviewers++] = run->learners[i].given;
		total += run->learners[i].given;
		if (run->learners[i].given > out->reviews_max)
			out->reviews_max = run->learners[i].given;
		out->finished +=
		    run->learners[i].task == 2 * PROJECTS && run->learners[i].pending < 0;
	}
	out->reviews_mean = reviewers ? total / reviewers : 0;
	out->gini = gini(given, reviewers);
	out->expired = run->expired;
	out->declined = run->declined;
	out->reassigned = run->reassigned;
	out->ties = run->ties;
	free(first);
	free(verdict);
	free(given);
}

/* ---- one run ---------------------------------------------------------- */

static void simulate(struct results *out, const struct options *options,
		     const struct persona *personas, enum gr_review_policy policy)
{
	struct run run = {.options = options, .personas = personas, .policy = policy};
	struct gr_review_config config;
	int hours = options->weeks * 7 * 24;

	gr_review_config_default(&config);
	config.policy = policy;
	config.seed = options->seed;
	config.on_effect = on_effect;
	config.payload = &run;
	must(gr_review_new(&run.review, &config), "new");
	run.learners = calloc((size_t)options->learners, sizeof(*run.learners));
	if (!run.learners) {
		perror("simulate");
		exit(1);
	}
	for (int i = 0; i < options->learners; i++)
		run.learners[i].pending = -1;
	for (int k = 0; k < PROJECTS; k++)
		must(gr_review_step_add(run.review, k + 1, REVIEWS), "step");
	for (int hour = 0; hour < hours; hour++) {
		run.now = T0 + (int64_t)hour * HOUR;
		must(gr_review_tick(run.review, run.now), "tick");
		for (int i = 0; i < options->learners; i++)
			learner_hour(&run, i, hour);
	}
	run.now = T0 + (int64_t)hours * HOUR;
	must(gr_review_tick(run.review, run.now), "tick");
	/* gr_review_check() returns the number of a broken invariant. */
	must(gr_review_check(run.review) != 0 ? GR_ERROR : 0, "check");
	measure(out, &run, run.now);
	gr_review_free(run.review);
	for (int i = 0; i < options->learners; i++)
		free(run.learners[i].todo);
	free(run.learners);
	free(run.submissions);
}

/* ---- the table -------------------------------------------------------- */

static void row_hours(const char *name, double engine, double naive)
{
	printf("  %-40s %10.1f %10.1f\n", name, engine, naive);
}

static void row_count(const char *name, int engine, int naive)
{
	printf("  %-40s %10d %10d\n", name, engine, naive);
}

static void print_table(const struct options *options, const struct results *e,
			const struct results *n)
{
	printf("simulate: %d learners, %d weeks, seed %" PRIu64 ", %d projects x %d reviews\n\n",
	       options->learners, options->weeks, options->seed, PROJECTS, REVIEWS);
	printf("  %-40s %10s %10s\n", "", "engine", "naive");
	row_count("submissions (attempts)", e->submissions, n->submissions);
	row_count("learners who passed every project", e->finished, n->finished);
	row_hours("first review, median (h)", e->first_median, n->first_median);
	row_hours("first review, p95 (h)", e->first_p95, n->first_p95);
	row_hours("first review, max (h)", e->first_max, n->first_max);
	row_hours("verdict, median (h)", e->verdict_median, n->verdict_median);
	row_hours("verdict, p95 (h)", e->verdict_p95, n->verdict_p95);
	row_hours("verdict, max (h)", e->verdict_max, n->verdict_max);
	printf("  %-40s %5d (%2d%%) %4d (%2d%%)\n", "waited > 72 h for the verdict", e->waited_72h,
	       e->submissions ? 100 * e->waited_72h / e->submissions : 0, n->waited_72h,
	       n->submissions ? 100 * n->waited_72h / n->submissions : 0);
	row_count("undecided at the end (any age)", e->undecided, n->undecided);
	row_count("undecided, submitted over 7 d before end", e->stranded, n->stranded);
	row_count("stranded (no way forward at the end)", e->dead_ends, n->dead_ends);
	row_count("reviews per reviewer, max", e->reviews_max, n->reviews_max);
	row_hours("reviews per reviewer, mean", e->reviews_mean, n->reviews_mean);
	printf("  %-40s %10.3f %10.3f\n", "reviews per reviewer, Gini", e->gini, n->gini);
	row_count("expired leases", e->expired, n->expired);
	row_count("declined", e->declined, n->declined);
	row_count("reassigned", e->reassigned, n->reassigned);
	row_count("ties (one more reviewer)", e->ties, n->ties);
	printf("  %-40s", "leader's last project, first review (h)");
	for (int i = 0; i < 2; i++) {
		double hours = i ? n->leader_first_review : e->leader_first_review;

		if (hours < 0)
			printf(" %10s", "not reached");
		else
			printf(" %10.1f", hours);
	}
	printf("\n\n  Times of undecided submissions count as the time waited so far.\n"
	       "  Stranded: an open slot nobody can take, or a lease that never ends held by\n"
	       "  a learner who vanished. Reviews per reviewer: learners who passed a project.\n");
}

static int parse(struct options *out, int argc, char **argv)
{
	*out = (struct options){.learners = 300, .weeks = 12, .seed = 1};
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		long long value = i + 1 < argc ? strtoll(argv[i + 1], &end, 10) : -1;

		if (!end || *end || value < 1) {
			fprintf(stderr, "usage: simulate [--learners N] [--weeks W] [--seed S]\n");
			return -1;
		}
		if (strcmp(argv[i], "--learners") == 0 && value >= 2 && value <= 100000)
			out->learners = (int)value;
		else if (strcmp(argv[i], "--weeks") == 0 && value <= 520)
			out->weeks = (int)value;
		else if (strcmp(argv[i], "--seed") == 0)
			out->seed = (uint64_t)value;
		else {
			fprintf(stderr, "usage: simulate [--learners N] [--weeks W] [--seed S]\n");
			return -1;
		}
		i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options options;
	struct persona *personas;
	struct results engine, naive;

	if (parse(&options, argc, argv) < 0)
		return 2;
	personas = calloc((size_t)options.learners, sizeof(*personas));
	if (!personas) {
		perror("simulate");
		return 1;
	}
	make_personas(personas, &options);
	simulate(&engine, &options, personas, GR_REVIEW_POLICY_ENGINE);
	simulate(&naive, &options, personas, GR_REVIEW_POLICY_NAIVE);
	print_table(&options, &engine, &naive);
	free(personas);
	return 0;
}
