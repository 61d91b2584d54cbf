/* Tests for the snapshots of review.h (gr_review_snapshot, gr_review_restore):
 * a restored engine gives the same snapshot byte for byte and the same
 * answers (standing, assignments, learners) as the engine that never
 * stopped, and makes the same decisions after the same further inputs; a
 * property test restarts one of two engines from its snapshot at random
 * points of seeded random input sequences; and snapshots that are
 * truncated, corrupt, of another version or made with other settings are
 * refused with a message saying so, never trusted. */
#include "harness.h"

#include "core/error.h"
#include "domain/review.h"

#define HOUR GR_REVIEW_HOUR_MS
#define T0 ((int64_t)1700000000000)
#define LEARNERS 24
#define STEPS 4

/* ---- recording effects, one list per engine ---------------------------- */

struct recorder {
	struct gr_review_effect *items;
	int count, cap;
};

static void record(const struct gr_review_effect *effect, void *payload)
{
	struct recorder *recorder = payload;

	if (recorder->count == recorder->cap) {
		recorder->cap = recorder->cap ? recorder->cap * 2 : 256;
		recorder->items = realloc(recorder->items, (size_t)recorder->cap * sizeof(*effect));
		if (!recorder->items)
			exit(2);
	}
	recorder->items[recorder->count++] = *effect;
}

static int same_effect(const struct gr_review_effect *a, const struct gr_review_effect *b)
{
	return a->kind == b->kind && a->at == b->at && a->submission_id == b->submission_id &&
	       a->author_id == b->author_id && a->step_id == b->step_id &&
	       a->attempt == b->attempt && a->assignment_id == b->assignment_id &&
	       a->reviewer_id == b->reviewer_id && a->replaces == b->replaces &&
	       a->due_at == b->due_at && a->verdict == b->verdict && a->slots == b->slots &&
	       a->by_coach == b->by_coach && a->pulled == b->pulled &&
	       a->handed_back == b->handed_back;
}

/* Effects from index from on are the same in both lists. */
static void check_same_effects(const struct recorder *a, const struct recorder *b, int from_a,
			       int from_b)
{
	CHECK_INT(a->count - from_a, ==, b->count - from_b);
	for (int i = 0; from_a + i < a->count && from_b + i < b->count; i++)
		if (!same_effect(&a->items[from_a + i], &b->items[from_b + i])) {
			CHECK_INT(i, <, 0); /* the first difference */
			break;
		}
}

static void config_for(struct gr_review_config *config, enum gr_review_policy policy, uint64_t seed,
		       struct recorder *recorder)
{
	gr_review_config_default(config);
	config->policy = policy;
	config->seed = seed;
	config->on_effect = record;
	config->payload = recorder;
}

/* ---- random inputs, made from one engine's state, given to any ---------- */

enum op_kind {
	OP_LEARNER,
	OP_ONLINE,
	OP_ACTIVE,
	OP_PASS,
	OP_SUBMIT,
	OP_GIVE,
	OP_DECLINE,
	OP_TICK,
	OP_OPEN,
	OP_PULL,
	OP_DECIDE,
	OP_COACH_ASSIGN,
	OP_EXTEND,
	OP_WITHDRAW,
	OP_COHORT
};

struct op {
	enum op_kind kind;
	int64_t a, b, c, d, now;
};

struct walk {
	uint64_t state;
	int64_t now, next_submission;
	int learners;
};

static uint64_t walk_random(struct walk *walk)
{
	walk->state ^= walk->state << 13;
	walk->state ^= walk->state >> 7;
	walk->state ^= walk->state << 17;
	return walk->state;
}

/* A live assignment of review (or now and then any), or 0 when none is live. */
static int64_t some_assignment(struct walk *walk, const struct gr_review *review)
{
	struct gr_review_assignment_info info;
	int64_t live[512], count = gr_review_assignment_count(review);
	int n = 0;

	for (int64_t id = 1; id <= count && n < 512; id++)
		if (gr_review_assignment_get(&info, review, id) == 0 &&
		    info.state == GR_REVIEW_ASSIGNED)
			live[n++] = id;
	if (n == 0)
		return 0;
	if (walk_random(walk) % 8 == 0)
		return 1 + (int64_t)(walk_random(walk) % (uint64_t)count);
	return live[walk_random(walk) % (uint64_t)n];
}

static void make_op(struct op *op, struct walk *walk, const struct gr_review *review)
{
	struct gr_review_assignment_info info;
	int64_t assignment;

	memset(op, 0, sizeof(*op));
	walk->now += (int64_t)(walk_random(walk) % (6 * HOUR));
	op->now = walk->now;
	op->a = 1 + (int64_t)(walk_random(walk) % (uint64_t)walk->learners);
	op->b = 1 + (int64_t)(walk_random(walk) % STEPS);
	switch (walk_random(walk) % 12) {
	case 10:
		/* The moves of pulling, opening, coaches and flags, and cohorts. */
		op->kind = (enum op_kind)(OP_OPEN + walk_random(walk) % 7);
		op->c = 1 + (int64_t)(walk_random(walk) % (uint64_t)walk->next_submission);
		if (op->kind == OP_OPEN || op->kind == OP_WITHDRAW) {
			assignment = some_assignment(walk, review);
			if (op->kind == OP_WITHDRAW)
				assignment =
				    1 +
				    (int64_t)(walk_random(walk) %
					      (uint64_t)(gr_review_assignment_count(review) + 1));
			if (gr_review_assignment_get(&info, review, assignment) != 0) {
				op->kind = OP_TICK;
				return;
			}
			op->a = assignment;
			op->b = info.reviewer_id;
		}
		return;
	case 0:
		op->kind = walk->learners < LEARNERS ? OP_LEARNER : OP_TICK;
		if (op->kind == OP_LEARNER)
			op->a = ++walk->learners;
		return;
	case 1:
		op->kind = OP_ONLINE;
		op->b = (int64_t)(walk_random(walk) % 2);
		return;
	case 2:
		op->kind = OP_ACTIVE;
		op->b = walk_random(walk) % 5 != 0;
		return;
	case 3:
		op->kind = OP_PASS;
		return;
	case 4:
	case 5:
		op->kind = OP_SUBMIT;
		op->c = op->b;
		op->b = op->a;
		op->a = walk->next_submission++;
		op->d = op->a; /* attempts only grow */
		return;
	case 6:
	case 7:
	case 8:
		assignment = some_assignment(walk, review);
		if (!assignment || gr_review_assignment_get(&info, review, assignment) != 0) {
			op->kind = OP_TICK;
			return;
		}
		op->kind = walk_random(walk) % 6 == 0 ? OP_DECLINE : OP_GIVE;
		op->a = assignment;
		op->b = info.reviewer_id;
		op->c = walk_random(walk) % 3 ? GR_REVIEW_PASS : GR_REVIEW_NEEDS_WORK;
		return;
	default:
		op->kind = OP_TICK;
	}
}

static int apply_op(struct gr_review *review, const struct op *op)
{
	int64_t made;

	switch (op->kind) {
	case OP_LEARNER:
		return gr_review_learner_add(review, op->a, op->now);
	case OP_ONLINE:
		return gr_review_learner_online(review, op->a, (int)op->b, op->now);
	case OP_ACTIVE:
		return gr_review_learner_active(review, op->a, (int)op->b, op->now);
	case OP_PASS:
		return gr_review_step_pass(review, op->a, op->b, op->now);
	case OP_SUBMIT:
		return gr_review_submit(review, op->a, op->b, op->c, (int)op->d, op->now);
	case OP_GIVE:
		return gr_review_give(review, op->a, op->b, (enum gr_review_verdict)op->c, op->now);
	case OP_DECLINE:
		return gr_review_decline(review, op->a, op->b, op->now);
	case OP_TICK:
		return gr_review_tick(review, op->now);
	case OP_OPEN:
		return gr_review_open(review, op->a, op->b, op->now);
	case OP_PULL:
		return gr_review_pull(review, &made, op->a, op->now);
	case OP_DECIDE:
		return gr_review_coach_decide(review, op->c, (enum gr_review_verdict)(op->b % 2),
					      op->now);
	case OP_COACH_ASSIGN:
		return gr_review_coach_assign(review, &made, op->c, op->a, op->now);
	case OP_EXTEND:
		return gr_review_coach_extend(review, op->c, op->now);
	case OP_WITHDRAW:
		return gr_review_withdraw(review, &made, op->a, op->now);
	case OP_COHORT:
		return gr_review_learner_cohort(review, op->a, (int)(op->b % 2), op->now);
	}
	return GR_EINVALID;
}

static struct gr_review *new_engine(const struct gr_review_config *config, struct walk *walk,
				    uint64_t seed)
{
	struct gr_review *review = NULL;

	if (gr_review_new(&review, config) != 0)
		exit(2);
	*walk = (struct walk){
	    .state = seed * 2654435761u + 1, .now = T0, .next_submission = 1, .learners = 6};
	for (int step = 1; step <= STEPS; step++)
		gr_review_step_add(review, step, 1 + step % 3);
	for (int i = 1; i <= walk->learners; i++)
		gr_review_learner_add(review, i, T0);
	return review;
}

/* Run operations random inputs on review. */
static void run_walk(struct gr_review *review, struct walk *walk, int operations)
{
	struct op op;

	for (int i = 0; i < operations; i++) {
		make_op(&op, walk, review);
		apply_op(review, &op);
	}
}

/* ---- comparing two engines -------------------------------------------- */

static void check_same_bytes(const unsigned char *a, size_t a_size, const unsigned char *b,
			     size_t b_size)
{
	CHECK_INT(a_size, ==, b_size);
	CHECK(a_size == b_size && memcmp(a, b, a_size) == 0);
}

static void check_same_snapshot(const struct gr_review *a, const struct gr_review *b)
{
	unsigned char *bytes_a = NULL, *bytes_b = NULL;
	size_t size_a = 0, size_b = 0;

	CHECK_INT(gr_review_snapshot(&bytes_a, &size_a, a), ==, 0);
	CHECK_INT(gr_review_snapshot(&bytes_b, &size_b, b), ==, 0);
	check_same_bytes(bytes_a, size_a, bytes_b, size_b);
	free(bytes_a);
	free(bytes_b);
}

/* Every answer the engines give about submissions, assignments and learners. */
static void check_same_answers(const struct gr_review *a, const struct gr_review *b,
			       int64_t submissions, int64_t now)
{
	struct gr_review_standing sa, sb;
	struct gr_review_assignment_info ia, ib;
	struct gr_review_learner_info la, lb;
	int differ = 0;

	CHECK_INT(gr_review_assignment_count(a), ==, gr_review_assignment_count(b));
	CHECK_INT(gr_review_learner_count(a), ==, gr_review_learner_count(b));
	for (int64_t id = 1; id < submissions; id++) {
		int rc_a = gr_review_standing_get(&sa, a, id, now);
		int rc_b = gr_review_standing_get(&sb, b, id, now);

		differ += rc_a != rc_b || sa.state != sb.state || sa.slots != sb.slots ||
			  sa.done != sb.done || sa.assigned != sb.assigned || sa.open != sb.open ||
			  sa.passes != sb.passes || sa.reason != sb.reason ||
			  sa.eligible != sb.eligible || sa.eligible_online != sb.eligible_online ||
			  sa.submitted_at != sb.submitted_at ||
			  sa.waiting_since != sb.waiting_since || sa.decided_at != sb.decided_at;
	}
	for (int64_t id = 1; id <= gr_review_assignment_count(a) + 1; id++) {
		int rc_a = gr_review_assignment_get(&ia, a, id);
		int rc_b = gr_review_assignment_get(&ib, b, id);

		differ += rc_a != rc_b || ia.submission_id != ib.submission_id ||
			  ia.reviewer_id != ib.reviewer_id || ia.author_id != ib.author_id ||
			  ia.step_id != ib.step_id || ia.attempt != ib.attempt ||
			  ia.state != ib.state || ia.verdict != ib.verdict ||
			  ia.assigned_at != ib.assigned_at || ia.due_at != ib.due_at ||
			  ia.ended_at != ib.ended_at;
	}
	for (int i = 0; i < gr_review_learner_count(a); i++) {
		int64_t id = gr_review_learner_id(a, i);

		CHECK_INT(gr_review_learner_id(b, i), ==, id);
		gr_review_learner_get(&la, a, id, 0);
		gr_review_learner_get(&lb, b, id, 0);
		differ += la.given != lb.given || la.received != lb.received ||
			  la.open != lb.open || la.online != lb.online || la.active != lb.active;
		for (int64_t s = 1; s < submissions && s < 60; s++)
			differ += gr_review_may_read(a, id, s) != gr_review_may_read(b, id, s);
	}
	for (int64_t step = 0; step <= STEPS + 1; step++)
		CHECK_INT(gr_review_step_reviews(a, step), ==, gr_review_step_reviews(b, step));
	CHECK_INT(differ, ==, 0);
}

static struct gr_review *restored(const struct gr_review *from,
				  const struct gr_review_config *config)
{
	struct gr_review *review = NULL;
	unsigned char *bytes = NULL;
	size_t size = 0;

	CHECK_INT(gr_review_snapshot(&bytes, &size, from), ==, 0);
	if (gr_review_restore(&review, config, bytes, size) != 0) {
		fprintf(stderr, "restore: %s\n", gr_error_last());
		exit(1);
	}
	free(bytes);
	return review;
}

/* ---- the tests -------------------------------------------------------- */

/* An empty engine, and one a long walk built, come back the same. */
static void test_round_trip(void)
{
	struct recorder ra = {0}, rb = {0};
	struct gr_review_config ca, cb;
	struct gr_review *a, *b;
	struct walk walk;
	struct op op;
	int from_a, rc_a, rc_b, codes = 0;

	config_for(&ca, GR_REVIEW_POLICY_ENGINE, 42, &ra);
	config_for(&cb, GR_REVIEW_POLICY_ENGINE, 42, &rb);
	CHECK_INT(gr_review_new(&a, &ca), ==, 0);
	b = restored(a, &cb);
	check_same_snapshot(a, b);
	gr_review_free(a);
	gr_review_free(b);

	a = new_engine(&ca, &walk, 11);
	run_walk(a, &walk, 2500);
	CHECK_INT(gr_review_assignment_count(a), >, 100);
	b = restored(a, &cb);
	check_same_snapshot(a, b);
	check_same_answers(a, b, walk.next_submission, walk.now);
	CHECK_INT(gr_review_check(b), ==, 0);
	/* The same further inputs: the same effects, the same state after. */
	from_a = ra.count;
	for (int i = 0; i < 1500; i++) {
		make_op(&op, &walk, a);
		rc_a = apply_op(a, &op);
		rc_b = apply_op(b, &op);
		codes += rc_a != rc_b;
	}
	CHECK_INT(codes, ==, 0);
	CHECK_INT(ra.count - from_a, >, 40);
	check_same_effects(&ra, &rb, from_a, 0);
	check_same_snapshot(a, b);
	check_same_answers(a, b, walk.next_submission, walk.now);
	gr_review_free(a);
	gr_review_free(b);
	free(ra.items);
	free(rb.items);
}

/*
 * Seeded random inputs given to two engines, one of which is restarted
 * from its own snapshot at random points: they never differ.
 */
static void property(enum gr_review_policy policy, uint64_t seed, int operations)
{
	struct recorder ra = {0}, rb = {0};
	struct gr_review_config ca, cb;
	struct gr_review *a, *b;
	struct walk walk, b_walk;
	struct op op;
	uint64_t points = seed ^ 0x5eed;
	int restarts = 0, codes = 0;

	config_for(&ca, policy, seed, &ra);
	config_for(&cb, policy, seed, &rb);
	a = new_engine(&ca, &walk, seed);
	b = new_engine(&cb, &b_walk, seed);
	for (int i = 0; i < operations; i++) {
		points = points * 6364136223846793005ULL + 1442695040888963407ULL;
		if ((points >> 33) % 97 == 0) {
			struct gr_review *next = restored(b, &cb);

			gr_review_free(b);
			b = next;
			restarts++;
		}
		make_op(&op, &walk, a);
		codes += apply_op(a, &op) != apply_op(b, &op);
	}
	CHECK_INT(restarts, >, 5);
	CHECK_INT(codes, ==, 0);
	CHECK_INT(ra.count, >, 100);
	check_same_effects(&ra, &rb, 0, 0);
	check_same_snapshot(a, b);
	check_same_answers(a, b, walk.next_submission, walk.now);
	gr_review_free(a);
	gr_review_free(b);
	free(ra.items);
	free(rb.items);
}

static void test_property_restarts(void)
{
	property(GR_REVIEW_POLICY_ENGINE, 20240601, 3000);
	property(GR_REVIEW_POLICY_ENGINE, 7, 3000);
	property(GR_REVIEW_POLICY_ENGINE, 31337, 2000);
	property(GR_REVIEW_POLICY_NAIVE, 20240601, 2000);
}

/* ---- refusals --------------------------------------------------------- */

static uint64_t fnv1a(const unsigned char *bytes, size_t size)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
	return hash;
}

/* Write the checksum of a changed snapshot, as the format says. */
static void reseal(unsigned char *bytes, size_t size)
{
	uint64_t sum = fnv1a(bytes, size - 8);

	for (int i = 0; i < 8; i++)
		bytes[size - 8 + (size_t)i] = (unsigned char)(sum >> (8 * i));
}

/* Restoring bytes fails with code and a message containing text. */
static void check_refused(const struct gr_review_config *config, const unsigned char *bytes,
			  size_t size, int code, const char *text)
{
	struct gr_review *review = (struct gr_review *)1;

	CHECK_INT(gr_review_restore(&review, config, bytes, size), ==, code);
	CHECK(review == NULL);
	CHECK_CONTAINS(gr_error_last(), text);
}

static void test_refusals(void)
{
	struct recorder recorder = {0};
	struct gr_review_config config, other;
	struct gr_review *review, *back = NULL;
	struct walk walk;
	unsigned char *bytes = NULL, *copy;
	size_t size = 0, waiting;
	int accepted = 0;

	config_for(&config, GR_REVIEW_POLICY_ENGINE, 3, &recorder);
	review = new_engine(&config, &walk, 3);
	run_walk(review, &walk, 300);
	CHECK_INT(gr_review_snapshot(&bytes, &size, review), ==, 0);
	CHECK_INT(size, >, 1000);
	copy = malloc(size);
	CHECK(copy != NULL);
	if (!copy)
		return;

	/* Every truncation, and one byte too many. */
	for (size_t n = 0; n < size; n++)
		accepted += gr_review_restore(&back, &config, bytes, n) == 0;
	CHECK_INT(accepted, ==, 0);
	check_refused(&config, bytes, 10, GR_EINVALID, "truncated");
	check_refused(&config, bytes, size - 1, GR_EINVALID, "truncated");
	memcpy(copy, bytes, size);
	{
		unsigned char *longer = calloc(1, size + 1);

		memcpy(longer, bytes, size);
		check_refused(&config, longer, size + 1, GR_EINVALID, "truncated or padded");
		free(longer);
	}

	/* A byte changed (each of the first 256, then every 13th): refused. */
	for (size_t i = 0; i < size; i += i < 256 ? 1 : 13) {
		memcpy(copy, bytes, size);
		copy[i] ^= 0x20;
		accepted += gr_review_restore(&back, &config, copy, size) == 0;
	}
	CHECK_INT(accepted, ==, 0);
	memcpy(copy, bytes, size);
	copy[size / 2] ^= 1;
	check_refused(&config, copy, size, GR_EINVALID, "checksum");

	/* Not a snapshot, another version (newer, older). */
	memcpy(copy, bytes, size);
	copy[0] = 'X';
	check_refused(&config, copy, size, GR_EINVALID, "not a snapshot");
	memcpy(copy, bytes, size);
	copy[4] = GR_REVIEW_SNAPSHOT_VERSION + 1;
	check_refused(&config, copy, size, GR_ENEWER,
		      "format version 3; this grounds reads versions 1 to 2");
	memcpy(copy, bytes, size);
	copy[4] = 0;
	check_refused(&config, copy, size, GR_EINVALID, "format version 0");

	/* Checksums right, contents wrong: the reader checks what it reads. */
	memcpy(copy, bytes, size);
	copy[16] = 7; /* the policy */
	reseal(copy, size);
	check_refused(&config, copy, size, GR_EINVALID, "corrupt: unknown policy");
	memcpy(copy, bytes, size);
	copy[16 + 85 + 8 + 7] = 0x7f; /* the learner count's high byte */
	reseal(copy, size);
	check_refused(&config, copy, size, GR_EINVALID, "a count does not fit");
	memcpy(copy, bytes, size);
	waiting = (size_t)copy[16 + 85 + 8 + 20]; /* the queue's length (small here) */
	memset(copy + size - 8 - 4 * waiting - 47 + 8, 0x7f, 4); /* the last reviewer index */
	reseal(copy, size);
	check_refused(&config, copy, size, GR_EINVALID, "index is out of range");
	memcpy(copy, bytes, size);
	/* Step 2's id made step 1's. */
	memcpy(copy + 16 + 85 + 8 + 24 + 12, copy + 16 + 85 + 8 + 24, 8);
	reseal(copy, size);
	check_refused(&config, copy, size, GR_EINVALID, "comes twice");
	memcpy(copy, bytes, size);
	copy[16 + 85 + 8 + 24 + 12 * STEPS + 8] ^= 1; /* learner 1's flags: online flips */
	reseal(copy, size);
	accepted = gr_review_restore(&back, &config, copy, size) == 0; /* a valid state */
	CHECK_INT(accepted, ==, 1);
	gr_review_free(back);
	back = NULL;
	memcpy(copy, bytes, size);
	copy[16 + 85 + 8 + 24 + 12 * STEPS + 8 + 1 + 8 + 8] += 1; /* learner 1's given count */
	reseal(copy, size);
	check_refused(&config, copy, size, GR_EINVALID, "inconsistent");

	/* Made with another seed or lease. */
	other = config;
	other.seed = 4;
	check_refused(&other, bytes, size, GR_EINVALID, "other settings");
	other = config;
	other.lease_ms += 1;
	check_refused(&other, bytes, size, GR_EINVALID, "other settings");

	free(copy);
	free(bytes);
	gr_review_free(review);
	free(recorder.items);
}

int main(void)
{
	RUN(test_round_trip);
	RUN(test_property_restarts);
	RUN(test_refusals);
	return harness_done();
}
