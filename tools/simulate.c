/*
 * simulate - drives the real peer-review pairing engine (daemon/domain/
 * review.c, linked from grounds_core) with simulated time, and compares the
 * engine's policy with an honest baseline on the same population and seed.
 *
 * The baseline is what a careful first version would do: a uniformly
 * random reviewer among the eligible, the same leases (4 h when author and
 * reviewer are online, else 48 h) with the same expiry and reassignment,
 * and the same learners (they decline, vanish and come back the same way).
 * It has none of the engine's presence (push only to who is online, hand
 * back on leaving), load and owed order, weekly push cap, moves of unopened
 * pushes, "review something now", or coaches' path.
 *
 * The learner model. No centre has logged a year of reviews yet, so every
 * number below is an assumption, chosen to be pessimistic where a guess
 * was needed; where a public system gives a figure, it is named.
 *   - N learners (default 300) over W weeks (default 12), on a track of 6
 *     projects needing 2 reviews each with lessons in between: the shape of
 *     courses/web-basics (assumed R = 2, as ORA2's default must_be_graded_by).
 *   - Start: in week 1, or (15 %) late, in weeks 4 to 8 (assumed).
 *   - Vanishing: 12 % stop coming after a week or more, with whatever
 *     reviews they hold (assumed; Exercism's 28-day timeouts exist because
 *     this happens).
 *   - Pace: a multiplier of 0.6 to 1.8 on every task; lessons 5-10 h,
 *     projects 3-7 h, rework after needs-work 2 h (assumed).
 *   - Sessions: a day has a session with a chance of 0.35 to 0.9, starting
 *     around a usual hour (8-22, +-2) and lasting 1-3 h (+-1) (assumed: a
 *     free centre's opening hours, learners with jobs).
 *   - Promptness: the chance per online hour of doing a pending review:
 *     0.4-0.9, and for 30 % only 0.05-0.2 (assumed: the few who sit on
 *     work are what leases are for).
 *   - Helpfulness: the chance per online hour with nothing pending of
 *     pressing "Review something now": 0.05-0.3, and 0.6 while one owes
 *     reviews (assumed; the engine policy only: the baseline has no button).
 *   - Declines: 0-8 % of assignments when first seen (assumed).
 *   - Verdicts: a reviewer passes a first attempt with the author's skill
 *     (0.5-0.95), +0.2 per later attempt, at most 0.97 (assumed).
 *   - Flags: an author flags 2 % of the reviews they receive; a coach
 *     upholds half of them (assumed).
 *   - Coaches: each cohort's coaches look at their list at 10:00 and 15:00
 *     every day (assumed: a centre staffed daily). On a tie or an item with
 *     reviews they decide; on one with none they ask a learner online now
 *     from another cohort who passed the step (the one who owes most), once,
 *     or decide when there is none or it came back. A flag: uphold or dismiss. Every such act
 *     counts as a coach decision.
 *   - One learner runs far ahead (pace 0.3, online 9-13 every day), so each
 *     of their later projects has nobody ahead who passed it.
 * Time moves in one-hour steps; the engine is told of every session start
 * and end, submission, opening, review, decline and pull, and ticks every
 * hour.
 *
 * --cohort-size N splits the learners into cohorts of N who review only
 * within their cohort (the coaches may add a reviewer from another one).
 * --seeds K runs seeds S .. S+K-1 and prints the median of each measure.
 * --json prints {"engine": {...}, "baseline": {...}} with the keys listed
 * in docs/reviews.md instead of the table.
 *
 * Usage: simulate [--learners N] [--weeks W] [--seed S] [--seeds K]
 *                 [--cohort-size N] [--json]
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
#define FLAG_CHANCE 0.02
#define COACH_HOURS_A 10
#define COACH_HOURS_B 15

struct options {
	int learners;
	int weeks;
	uint64_t seed;
	int seeds;
	int cohort_size; /* 0: one cohort of everyone */
	bool json;
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
	double helpfulness; /* chance per free online hour of pulling a review */
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
	int given_by_push; /* reviews given on leases pushed to them */
	int received;
	bool submitted_any;
	bool passed_any;
};

struct submission {
	int author;
	int project;
	int attempt;
	int64_t submitted_at;
	int64_t first_review_at; /* 0 until then */
	int64_t decided_at;	 /* 0 until then */
	int64_t tie_at;		 /* 0 without a tie */
	int64_t coach_at;	 /* 0 while not with the coaches */
	bool coach_asked;	 /* a coach asked a reviewer from another cohort */
	bool waited_eligible_online; /* an open slot while an eligible peer was online */
};

struct flag {
	int64_t assignment;
	int64_t at;
	int64_t resolved_at; /* 0 until a coach resolved it */
};

struct run {
	const struct options *options;
	const struct persona *personas;
	uint64_t seed;
	struct learner *learners;
	struct submission *submissions;
	int submission_count, submission_cap;
	struct flag *flags;
	int flag_count, flag_cap;
	struct gr_review *review;
	enum gr_review_policy policy;
	uint64_t rng; /* the coaches' and the flags' own */
	int expired, handed_back, declined, reassigned, ties, assignments, pulls;
	int coach_decisions;
	double coach_wait_hours; /* from going to the coaches to a coach's act, summed */
	int coach_calls;
	int64_t now;
};

struct results {
	int submissions;
	double first_median, first_p95;
	double verdict_median, verdict_p95, verdict_max;
	int waited_72h, waited_72h_eligible_online;
	int undecided;
	int stranded; /* undecided, submitted more than 7 days before the end */
	int reviews_max;
	double reviews_mean, given_max_over_mean;
	double
	    reciprocity_in_band; /* share of learners who submitted with given/received in 0.5-2 */
	int push_excess_max;	 /* the largest given by push - 2 x received */
	int expired, handed_back, declined, reassigned, ties, pulls, flags;
	int ties_unresolved_72h, flags_unresolved_72h;
	int coach_calls, coach_decisions;
	double coach_wait_mean; /* hours from a call to the coaches to their act */
	int finished;		/* learners who passed every project */
};

/* ---- the population --------------------------------------------------- */

static void make_personas(struct persona *out, const struct options *options, uint64_t seed)
{
	uint64_t rng = seed;
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
	/* Drawn after the rest, so the rest stays as it was before pulling existed. */
	for (int i = 0; i < options->learners; i++)
		out[i].helpfulness = between(&rng, 0.05, 0.3);
	/* One learner runs far ahead: later projects have nobody ahead. */
	out[0] = (struct persona){
	    .start_hour = 0,
	    .vanish_hour = INT32_MAX,
	    .pace = 0.3,
	    .day_chance = 1.0,
	    .session_hour = 9,
	    .session_length = 4,
	    .promptness = 0.9,
	    .helpfulness = 0.3,
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

static int cohort_of(const struct options *options, int i)
{
	return options->cohort_size > 0 ? 1 + i / options->cohort_size : 0;
}

/* ---- effects ---------------------------------------------------------- */

static void *grow(void *items, int *cap, int count, size_t size)
{
	if (count < *cap)
		return items;
	*cap = *cap ? 2 * *cap : 64;
	items = realloc(items, (size_t)*cap * size);
	if (!items) {
		perror("simulate");
		exit(1);
	}
	return items;
}

static int learner_index(int64_t id)
{
	return (int)(id - 1);
}

static void todo_add(struct learner *learner, int64_t assignment)
{
	learner->todo =
	    grow(learner->todo, &learner->todo_cap, learner->todo_count, sizeof(*learner->todo));
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
		run->pulls += effect->pulled;
		todo_add(&run->learners[learner_index(effect->reviewer_id)], effect->assignment_id);
		break;
	case GR_REVIEW_EFFECT_EXPIRED:
		if (effect->handed_back)
			run->handed_back++;
		else
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
		author->received++;
		break;
	case GR_REVIEW_EFFECT_TIE:
		run->ties++;
		if (!submission->tie_at)
			submission->tie_at = effect->at;
		break;
	case GR_REVIEW_EFFECT_PASSED:
		if (!submission->first_review_at) /* a coach's verdict is a review */
			submission->first_review_at = effect->at;
		submission->decided_at = effect->at;
		submission->coach_at = 0;
		author->pending = -1;
		author->rework = false;
		author->passed_any = true;
		break;
	case GR_REVIEW_EFFECT_NEEDS_WORK:
		if (!submission->first_review_at)
			submission->first_review_at = effect->at;
		submission->decided_at = effect->at;
		submission->coach_at = 0;
		author->rework = true;
		author->rework_done = 0;
		break;
	case GR_REVIEW_EFFECT_COACH:
		submission->coach_at = effect->at;
		run->coach_calls++;
		break;
	case GR_REVIEW_EFFECT_REOPENED:
		submission->decided_at = 0;
		author->rework = false;
		break;
	case GR_REVIEW_EFFECT_OPENED:
	case GR_REVIEW_EFFECT_WITHDRAWN:
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

static bool engine(const struct run *run)
{
	return run->policy == GR_REVIEW_POLICY_ENGINE;
}

/* Open and give the review of assignment id; the author may flag it. */
static void give(struct run *run, int i, int64_t id)
{
	struct learner *learner = &run->learners[i];
	struct gr_review_assignment_info info;
	enum gr_review_verdict verdict;

	must(gr_review_assignment_get(&info, run->review, id), "assignment");
	verdict = uniform(&learner->rng) < pass_chance(run, info.submission_id)
		      ? GR_REVIEW_PASS
		      : GR_REVIEW_NEEDS_WORK;
	todo_remove(learner, id);
	learner->given++;
	learner->given_by_push += !info.pulled && !info.by_coach;
	if (engine(run))
		must(gr_review_open(run->review, id, i + 1, run->now), "open");
	must(gr_review_give(run->review, id, i + 1, verdict, run->now), "give");
	if (uniform(&run->rng) < FLAG_CHANCE) {
		run->flags = grow(run->flags, &run->flag_cap, run->flag_count, sizeof(*run->flags));
		run->flags[run->flag_count++] = (struct flag){.assignment = id, .at = run->now};
	}
}

/*
 * Declines first seen assignments now and then; gives at most one review,
 * or presses "Review something now" and gives that. Returns hours spent.
 */
static double do_reviews(struct run *run, int i)
{
	struct learner *learner = &run->learners[i];
	const struct persona *p = &run->personas[i];
	struct gr_review_learner_info me;
	int64_t pulled;

	for (int k = 0; k < learner->todo_count; k++) {
		int64_t id = learner->todo[k];

		if (seen_before(learner, id))
			continue;
		if (uniform(&learner->rng) < p->decline) {
			must(gr_review_decline(run->review, id, i + 1, run->now), "decline");
			k = -1; /* the list changed */
		}
	}
	if (learner->todo_count > 0) {
		if (uniform(&learner->rng) >= p->promptness)
			return 0;
		give(run, i, learner->todo[0]);
		return 0.5;
	}
	if (!engine(run))
		return 0;
	must(gr_review_learner_get(&me, run->review, i + 1, run->now), "learner");
	if (uniform(&learner->rng) >= (me.owed > 0 ? 0.6 : p->helpfulness))
		return 0;
	if (gr_review_pull(run->review, &pulled, i + 1, run->now) != 0)
		return 0; /* nothing to take */
	give(run, i, pulled);
	return 0.5;
}

static void submit(struct run *run, int i, int project)
{
	struct learner *learner = &run->learners[i];
	struct submission *submission;

	run->submissions = grow(run->submissions, &run->submission_cap, run->submission_count,
				sizeof(*run->submissions));
	submission = &run->submissions[run->submission_count++];
	*submission = (struct submission){
	    .author = i,
	    .project = project,
	    .attempt = ++learner->attempt[project],
	    .submitted_at = run->now,
	};
	learner->pending = run->submission_count - 1;
	learner->rework = false;
	learner->submitted_any = true;
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
	bool online = in_session(p, run->seed, i, hour);

	if (!learner->joined && hour >= p->start_hour) {
		learner->joined = true;
		learner->rng = hash3(run->seed, (uint64_t)i + 1, 0);
		must(gr_review_learner_add(run->review, i + 1, run->now), "learner");
		if (cohort_of(run->options, i))
			must(gr_review_learner_cohort(run->review, i + 1,
						      cohort_of(run->options, i), run->now),
			     "cohort");
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

/* ---- the coaches ------------------------------------------------------ */

/*
 * A learner online now outside the author's cohort, past the project and
 * free to review it, who owes the most reviews (then holds the fewest), or -1.
 */
static int reviewer_elsewhere(const struct run *run, const struct submission *submission)
{
	struct gr_review_learner_info info, best_info = {0};
	int best = -1;

	for (int i = 0; i < run->options->learners; i++) {
		const struct learner *learner = &run->learners[i];

		if (i == submission->author || !learner->online ||
		    cohort_of(run->options, i) == cohort_of(run->options, submission->author) ||
		    learner->task <= 2 * submission->project + 1 ||
		    (learner->pending >= 0 &&
		     run->submissions[learner->pending].project == submission->project))
			continue;
		must(gr_review_learner_get(&info, run->review, i + 1, run->now), "learner");
		if (best < 0 || info.owed > best_info.owed ||
		    (info.owed == best_info.owed && info.open < best_info.open)) {
			best = i;
			best_info = info;
		}
	}
	return best;
}

static void coach_submission(struct run *run, int index)
{
	struct submission *submission = &run->submissions[index];
	struct gr_review_standing standing;
	int64_t id = index + 1, assignment;
	int other;

	must(gr_review_standing_get(&standing, run->review, id, run->now), "standing");
	run->coach_wait_hours += (double)(run->now - submission->coach_at) / HOUR;
	run->coach_decisions++;
	if (standing.done == 0 && standing.open > 0 && !submission->coach_asked &&
	    (other = reviewer_elsewhere(run, submission)) >= 0 &&
	    gr_review_coach_assign(run->review, &assignment, id, other + 1, run->now) == 0) {
		submission->coach_at = 0;
		submission->coach_asked = true;
		return;
	}
	must(gr_review_coach_decide(
		 run->review, id,
		 uniform(&run->rng) < pass_chance(run, id) ? GR_REVIEW_PASS : GR_REVIEW_NEEDS_WORK,
		 run->now),
	     "coach decide");
}

static void coaches_look(struct run *run)
{
	int64_t replacement;

	for (int i = 0; i < run->submission_count; i++)
		if (run->submissions[i].coach_at && !run->submissions[i].decided_at)
			coach_submission(run, i);
	for (int i = 0; i < run->flag_count; i++) {
		struct flag *flag = &run->flags[i];

		if (flag->resolved_at)
			continue;
		flag->resolved_at = run->now;
		run->coach_decisions++;
		if (uniform(&run->rng) < 0.5)
			must(gr_review_withdraw(run->review, &replacement, flag->assignment,
						run->now),
			     "withdraw");
	}
}

/* ---- measuring -------------------------------------------------------- */

/* Every hour: which waiting submissions have an open slot while an eligible peer is online. */
static void watch_waiting(struct run *run)
{
	struct gr_review_standing standing;

	for (int i = 0; i < run->submission_count; i++) {
		struct submission *s = &run->submissions[i];

		if (s->decided_at || s->waited_eligible_online)
			continue;
		must(gr_review_standing_get(&standing, run->review, i + 1, run->now), "standing");
		if (standing.open > 0 && standing.eligible_online > 0)
			s->waited_eligible_online = true;
	}
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

static void measure_submissions(struct results *out, const struct run *run, int64_t end)
{
	int n = run->submission_count;
	double *first = calloc((size_t)n + 1, sizeof(double));
	double *verdict = calloc((size_t)n + 1, sizeof(double));

	if (!first || !verdict) {
		perror("simulate");
		exit(1);
	}
	out->submissions = n;
	for (int i = 0; i < n; i++) {
		const struct submission *s = &run->submissions[i];
		/* Undecided ones count with the time they have waited so far. */
		int64_t reviewed = s->first_review_at ? s->first_review_at : end;
		int64_t decided = s->decided_at ? s->decided_at : end;

		first[i] = (double)(reviewed - s->submitted_at) / HOUR;
		verdict[i] = (double)(decided - s->submitted_at) / HOUR;
		out->waited_72h += verdict[i] > 72;
		out->waited_72h_eligible_online += verdict[i] > 72 && s->waited_eligible_online;
		if (s->tie_at && decided - s->tie_at > 72 * HOUR)
			out->ties_unresolved_72h++;
		if (!s->decided_at) {
			out->undecided++;
			out->stranded += end - s->submitted_at > 7 * 24 * HOUR;
		}
	}
	qsort(first, (size_t)n, sizeof(double), compare_doubles);
	qsort(verdict, (size_t)n, sizeof(double), compare_doubles);
	out->first_median = percentile(first, n, 0.5);
	out->first_p95 = percentile(first, n, 0.95);
	out->verdict_median = percentile(verdict, n, 0.5);
	out->verdict_p95 = percentile(verdict, n, 0.95);
	out->verdict_max = n ? verdict[n - 1] : 0;
	free(first);
	free(verdict);
}

/* Load (learners who passed a project) and reciprocity (learners who submitted). */
static void measure_learners(struct results *out, const struct run *run)
{
	int reviewers = 0, submitters = 0, in_band = 0;
	double total = 0;

	out->push_excess_max = INT32_MIN;
	for (int i = 0; i < run->options->learners; i++) {
		const struct learner *l = &run->learners[i];
		int excess = l->given_by_push - 2 * l->received;

		if (l->passed_any) {
			reviewers++;
			total += l->given;
			if (l->given > out->reviews_max)
				out->reviews_max = l->given;
			out->finished += l->task == 2 * PROJECTS && l->pending < 0;
		}
		if (!l->submitted_any)
			continue;
		submitters++;
		/* Nothing received yet: in band while they gave at most one. */
		in_band += l->received ? 2 * l->given >= l->received && l->given <= 2 * l->received
				       : l->given <= 1;
		if (excess > out->push_excess_max)
			out->push_excess_max = excess;
	}
	out->reviews_mean = reviewers ? total / reviewers : 0;
	out->given_max_over_mean = out->reviews_mean ? out->reviews_max / out->reviews_mean : 0;
	out->reciprocity_in_band = submitters ? (double)in_band / submitters : 0;
	if (out->push_excess_max == INT32_MIN)
		out->push_excess_max = 0;
}

static void measure(struct results *out, const struct run *run, int64_t end)
{
	memset(out, 0, sizeof(*out));
	measure_submissions(out, run, end);
	measure_learners(out, run);
	for (int i = 0; i < run->flag_count; i++) {
		int64_t resolved = run->flags[i].resolved_at ? run->flags[i].resolved_at : end;

		out->flags_unresolved_72h += resolved - run->flags[i].at > 72 * HOUR;
	}
	out->flags = run->flag_count;
	out->expired = run->expired;
	out->handed_back = run->handed_back;
	out->declined = run->declined;
	out->reassigned = run->reassigned;
	out->ties = run->ties;
	out->pulls = run->pulls;
	out->coach_calls = run->coach_calls;
	out->coach_decisions = run->coach_decisions;
	out->coach_wait_mean =
	    run->coach_decisions ? run->coach_wait_hours / run->coach_decisions : 0;
}

/* ---- one run ---------------------------------------------------------- */

static void simulate(struct results *out, const struct options *options, uint64_t seed,
		     const struct persona *personas, enum gr_review_policy policy)
{
	struct run run = {.options = options, .personas = personas, .policy = policy, .seed = seed};
	struct gr_review_config config;
	int hours = options->weeks * 7 * 24;

	run.rng = hash3(seed, 0, 7);
	gr_review_config_default(&config);
	config.policy = policy;
	config.seed = seed;
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
		if (engine(&run) && (hour % 24 == COACH_HOURS_A || hour % 24 == COACH_HOURS_B))
			coaches_look(&run);
		for (int i = 0; i < options->learners; i++)
			learner_hour(&run, i, hour);
		watch_waiting(&run);
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
	free(run.flags);
}

/* ---- medians over seeds ----------------------------------------------- */

/* Each measure as a double, for the medians; the same order in both. */
#define MEASURES 30

static void to_array(double out[MEASURES], const struct results *r)
{
	const double values[MEASURES] = {
	    r->submissions,
	    r->first_median,
	    r->first_p95,
	    r->verdict_median,
	    r->verdict_p95,
	    r->verdict_max,
	    r->waited_72h,
	    r->waited_72h_eligible_online,
	    r->undecided,
	    r->stranded,
	    r->reviews_max,
	    r->reviews_mean,
	    r->given_max_over_mean,
	    r->reciprocity_in_band,
	    r->push_excess_max,
	    r->expired,
	    r->handed_back,
	    r->declined,
	    r->reassigned,
	    r->ties,
	    r->pulls,
	    r->flags,
	    r->ties_unresolved_72h,
	    r->flags_unresolved_72h,
	    r->coach_calls,
	    r->coach_decisions,
	    r->coach_wait_mean,
	    r->finished,
	    0,
	    0,
	};

	memcpy(out, values, sizeof(values));
}

static void from_array(struct results *out, const double v[MEASURES])
{
	*out = (struct results){
	    .submissions = (int)v[0],
	    .first_median = v[1],
	    .first_p95 = v[2],
	    .verdict_median = v[3],
	    .verdict_p95 = v[4],
	    .verdict_max = v[5],
	    .waited_72h = (int)v[6],
	    .waited_72h_eligible_online = (int)v[7],
	    .undecided = (int)v[8],
	    .stranded = (int)v[9],
	    .reviews_max = (int)v[10],
	    .reviews_mean = v[11],
	    .given_max_over_mean = v[12],
	    .reciprocity_in_band = v[13],
	    .push_excess_max = (int)v[14],
	    .expired = (int)v[15],
	    .handed_back = (int)v[16],
	    .declined = (int)v[17],
	    .reassigned = (int)v[18],
	    .ties = (int)v[19],
	    .pulls = (int)v[20],
	    .flags = (int)v[21],
	    .ties_unresolved_72h = (int)v[22],
	    .flags_unresolved_72h = (int)v[23],
	    .coach_calls = (int)v[24],
	    .coach_decisions = (int)v[25],
	    .coach_wait_mean = v[26],
	    .finished = (int)v[27],
	};
}

/* The median of each measure over k runs (the lower middle one for even k). */
static void median(struct results *out, const struct results *runs, int k)
{
	double column[MEASURES][64], values[MEASURES], medians[MEASURES];

	for (int i = 0; i < k; i++) {
		to_array(values, &runs[i]);
		for (int m = 0; m < MEASURES; m++)
			column[m][i] = values[m];
	}
	for (int m = 0; m < MEASURES; m++) {
		qsort(column[m], (size_t)k, sizeof(double), compare_doubles);
		medians[m] = column[m][(k - 1) / 2];
	}
	from_array(out, medians);
}

/* ---- the table and the JSON ------------------------------------------- */

static void row_hours(const char *name, double engine_, double baseline)
{
	printf("  %-44s %10.1f %10.1f\n", name, engine_, baseline);
}

static void row_count(const char *name, int engine_, int baseline)
{
	printf("  %-44s %10d %10d\n", name, engine_, baseline);
}

static void print_table(const struct options *options, const struct results *e,
			const struct results *n)
{
	printf("simulate: %d learners, %d weeks, seed %" PRIu64, options->learners, options->weeks,
	       options->seed);
	if (options->seeds > 1)
		printf(" .. %" PRIu64 " (medians of %d runs)", options->seed + options->seeds - 1,
		       options->seeds);
	if (options->cohort_size)
		printf(", cohorts of %d", options->cohort_size);
	printf(", %d projects x %d reviews\n\n", PROJECTS, REVIEWS);
	printf("  %-44s %10s %10s\n", "", "engine", "baseline");
	row_count("submissions (attempts)", e->submissions, n->submissions);
	row_count("learners who passed every project", e->finished, n->finished);
	row_hours("first review, median (h)", e->first_median, n->first_median);
	row_hours("first review, p95 (h)", e->first_p95, n->first_p95);
	row_hours("verdict, median (h)", e->verdict_median, n->verdict_median);
	row_hours("verdict, p95 (h)", e->verdict_p95, n->verdict_p95);
	row_hours("verdict, max (h)", e->verdict_max, n->verdict_max);
	row_count("waited > 72 h for the verdict", e->waited_72h, n->waited_72h);
	row_count("  of which with an eligible peer online", e->waited_72h_eligible_online,
		  n->waited_72h_eligible_online);
	row_count("undecided at the end (any age)", e->undecided, n->undecided);
	row_count("stranded (undecided, over 7 d old)", e->stranded, n->stranded);
	row_count("reviews given per reviewer, max", e->reviews_max, n->reviews_max);
	row_hours("reviews given per reviewer, mean", e->reviews_mean, n->reviews_mean);
	printf("  %-44s %10.2f %10.2f\n", "given, max / mean", e->given_max_over_mean,
	       n->given_max_over_mean);
	printf("  %-44s %9.0f%% %9.0f%%\n", "given / received within 0.5-2",
	       100 * e->reciprocity_in_band, 100 * n->reciprocity_in_band);
	row_count("largest (given by push - 2 x received)", e->push_excess_max, n->push_excess_max);
	row_count("leases expired (the reviewer's lapse)", e->expired, n->expired);
	row_count("leases handed back (left unopened, moved)", e->handed_back, n->handed_back);
	row_count("declined", e->declined, n->declined);
	row_count("reassigned", e->reassigned, n->reassigned);
	row_count("pulled (\"review something now\")", e->pulls, n->pulls);
	row_count("ties (one more reviewer)", e->ties, n->ties);
	row_count("ties unresolved after 72 h", e->ties_unresolved_72h, n->ties_unresolved_72h);
	row_count("flags", e->flags, n->flags);
	row_count("flags unresolved after 72 h", e->flags_unresolved_72h, n->flags_unresolved_72h);
	row_count("sent to the coaches", e->coach_calls, n->coach_calls);
	row_count("coach decisions (verdicts, reviewers, flags)", e->coach_decisions,
		  n->coach_decisions);
	row_hours("coach needed: hours until they acted, mean", e->coach_wait_mean,
		  n->coach_wait_mean);
	printf(
	    "\n  Times of undecided submissions count as the time waited so far.\n"
	    "  Reviews given per reviewer: learners who passed a project; given / received:\n"
	    "  learners who submitted (nothing received yet: in band if they gave at most 1).\n");
}

static void print_object(const char *name, const struct results *r, bool last)
{
	printf("  \"%s\": {\"verdict_median_h\": %.1f, \"verdict_p95_h\": %.1f, "
	       "\"waited_72h\": %d, \"waited_72h_eligible_online\": %d, \"stranded\": %d, "
	       "\"given_max_over_mean\": %.2f, \"reciprocity_in_band\": %.3f, "
	       "\"ties_unresolved_72h\": %d, \"flags_unresolved_72h\": %d, "
	       "\"coach_decisions\": %d}%s\n",
	       name, r->verdict_median, r->verdict_p95, r->waited_72h,
	       r->waited_72h_eligible_online, r->stranded, r->given_max_over_mean,
	       r->reciprocity_in_band, r->ties_unresolved_72h, r->flags_unresolved_72h,
	       r->coach_decisions, last ? "" : ",");
}

static const char usage[] = "usage: simulate [--learners N] [--weeks W] [--seed S] [--seeds K] "
			    "[--cohort-size N] [--json]\n";

static int parse(struct options *out, int argc, char **argv)
{
	*out = (struct options){.learners = 300, .weeks = 12, .seed = 1, .seeds = 1};
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		long long value;

		if (strcmp(argv[i], "--json") == 0) {
			out->json = true;
			continue;
		}
		value = i + 1 < argc ? strtoll(argv[i + 1], &end, 10) : -1;
		if (!end || *end || value < 1) {
			fputs(usage, stderr);
			return -1;
		}
		if (strcmp(argv[i], "--learners") == 0 && value >= 2 && value <= 100000)
			out->learners = (int)value;
		else if (strcmp(argv[i], "--weeks") == 0 && value <= 520)
			out->weeks = (int)value;
		else if (strcmp(argv[i], "--seed") == 0)
			out->seed = (uint64_t)value;
		else if (strcmp(argv[i], "--seeds") == 0 && value <= 64)
			out->seeds = (int)value;
		else if (strcmp(argv[i], "--cohort-size") == 0 && value >= 2 && value <= 100000)
			out->cohort_size = (int)value;
		else {
			fputs(usage, stderr);
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
	struct results engine_runs[64], baseline_runs[64], engine_, baseline;

	if (parse(&options, argc, argv) < 0)
		return 2;
	personas = calloc((size_t)options.learners, sizeof(*personas));
	if (!personas) {
		perror("simulate");
		return 1;
	}
	for (int k = 0; k < options.seeds; k++) {
		uint64_t seed = options.seed + (uint64_t)k;

		make_personas(personas, &options, seed);
		simulate(&engine_runs[k], &options, seed, personas, GR_REVIEW_POLICY_ENGINE);
		simulate(&baseline_runs[k], &options, seed, personas, GR_REVIEW_POLICY_NAIVE);
	}
	median(&engine_, engine_runs, options.seeds);
	median(&baseline, baseline_runs, options.seeds);
	if (options.json) {
		printf("{\n");
		print_object("engine", &engine_, false);
		print_object("baseline", &baseline, true);
		printf("}\n");
	} else {
		print_table(&options, &engine_, &baseline);
	}
	free(personas);
	return 0;
}
