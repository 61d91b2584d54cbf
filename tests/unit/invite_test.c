/* Tests for invite.h: issuing (the ranges of days, role, cohort and time),
 * the state at each time (expired from expires_at on, used before expired),
 * using an invite once and the words of each refusal (a refused use changes
 * nothing), the checker naming each invariant of an invite broken on
 * purpose, and a seeded walk of thousands of moves over a handful of
 * invites with the checker called after every move. */
#include "harness.h"

#include "core/error.h"
#include "domain/invite.h"

#define DAY GR_INVITE_DAY_MS
#define T0 ((int64_t)1800000000000) /* the fake clock of the service tests */

/* A learner's invite for cohort "north", made at T0 by "coach", for 14 days. */
static struct gr_invite issued(void)
{
	struct gr_invite invite;

	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_LEARNER, "north", "coach", 14, T0), ==, 0);
	return invite;
}

static void test_issue(void)
{
	struct gr_invite invite = issued();

	CHECK_INT(invite.role, ==, GR_ROLE_LEARNER);
	CHECK_STR(invite.cohort, "north");
	CHECK_STR(invite.created_by, "coach");
	CHECK_INT(invite.created_at, ==, T0);
	CHECK_INT(invite.expires_at, ==, T0 + 14 * DAY);
	CHECK_INT(invite.used_at, ==, 0);
	CHECK_STR(invite.used_by, "");
	CHECK_INT(gr_invite_check(&invite), ==, 0);

	/* No cohort and no creator: the operator's tool, or the first start. */
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_ADMIN, NULL, NULL, 1, T0), ==, 0);
	CHECK_STR(invite.cohort, "");
	CHECK_STR(invite.created_by, "");
	CHECK_INT(invite.expires_at, ==, T0 + DAY);
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_COACH, "", "", 365, T0), ==, 0);
	CHECK_INT(invite.expires_at, ==, T0 + 365 * DAY);
	CHECK_INT(gr_invite_check(&invite), ==, 0);
}

static void test_issue_refused(void)
{
	struct gr_invite invite = issued(), before = invite;

	gr_error_clear();
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_LEARNER, NULL, NULL, 0, T0), ==, GR_EINVALID);
	CHECK_STR(gr_error_last(), "An invite lasts 1 to 365 days.");
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_LEARNER, NULL, NULL, 366, T0), ==, GR_EINVALID);
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_LEARNER, NULL, NULL, -1, T0), ==, GR_EINVALID);
	CHECK_INT(gr_invite_issue(&invite, (enum gr_role)7, NULL, NULL, 14, T0), ==, GR_EINVALID);
	/* A partner belongs to no cohort. */
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_PARTNER, "autumn", NULL, 14, T0), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "A partner belongs to no cohort");
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_LEARNER, NULL, NULL, 14, 0), ==, GR_EINVALID);
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_LEARNER, "a\tb", NULL, 14, T0), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "A cohort is 1 to 64 characters");
	/* A bad cohort is said before bad days. */
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_LEARNER, "a\tb", NULL, 0, T0), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "A cohort is 1 to 64 characters");
	CHECK(memcmp(&invite, &before, sizeof(invite)) == 0); /* untouched */
	CHECK_INT(gr_invite_issue(&invite, GR_ROLE_PARTNER, NULL, NULL, 14, T0), ==, 0);
	CHECK_INT(invite.role, ==, GR_ROLE_PARTNER);
	CHECK_INT(gr_invite_check(&invite), ==, 0);
}

static void test_states(void)
{
	struct gr_invite invite = issued();

	CHECK_INT(gr_invite_state_at(&invite, T0), ==, GR_INVITE_ISSUED);
	CHECK_INT(gr_invite_state_at(&invite, T0 + 14 * DAY - 1), ==, GR_INVITE_ISSUED);
	CHECK_INT(gr_invite_state_at(&invite, T0 + 14 * DAY), ==, GR_INVITE_EXPIRED);
	CHECK_INT(gr_invite_use(&invite, "ada", T0 + DAY), ==, 0);
	CHECK_INT(gr_invite_state_at(&invite, T0 + DAY), ==, GR_INVITE_USED);
	/* Used stays used after the expiry. */
	CHECK_INT(gr_invite_state_at(&invite, T0 + 100 * DAY), ==, GR_INVITE_USED);
}

static void test_use(void)
{
	struct gr_invite invite = issued(), before;

	CHECK_INT(gr_invite_usable(&invite, T0 + DAY), ==, 0);
	CHECK_INT(gr_invite_use(&invite, "ada", T0 + DAY), ==, 0);
	CHECK_INT(invite.used_at, ==, T0 + DAY);
	CHECK_STR(invite.used_by, "ada");
	CHECK_INT(gr_invite_check(&invite), ==, 0);

	/* Once only, with the words a person joining sees; nothing changes. */
	before = invite;
	CHECK_INT(gr_invite_usable(&invite, T0 + 2 * DAY), ==, GR_EUSED);
	CHECK_INT(gr_invite_use(&invite, "bob", T0 + 2 * DAY), ==, GR_EUSED);
	CHECK_STR(gr_error_last(),
		  "This invite link has already been used. Ask your coach for a new one.");
	/* Used is said before expired. */
	CHECK_INT(gr_invite_use(&invite, "bob", T0 + 20 * DAY), ==, GR_EUSED);
	CHECK(memcmp(&invite, &before, sizeof(invite)) == 0);

	invite = issued();
	before = invite;
	CHECK_INT(gr_invite_usable(&invite, T0 + 14 * DAY), ==, GR_EEXPIRED);
	CHECK_INT(gr_invite_use(&invite, "ada", T0 + 14 * DAY), ==, GR_EEXPIRED);
	CHECK_STR(gr_error_last(), "This invite link has expired. Ask your coach for a new one.");
	CHECK_INT(gr_invite_use(&invite, "", T0), ==, GR_EINVALID);
	CHECK_INT(gr_invite_use(&invite, NULL, T0), ==, GR_EINVALID);
	CHECK(memcmp(&invite, &before, sizeof(invite)) == 0);

	/* A clock set back never puts the use before the invite. */
	CHECK_INT(gr_invite_use(&invite, "ada", T0 - DAY), ==, 0);
	CHECK_INT(invite.used_at, ==, T0);
	CHECK_INT(gr_invite_check(&invite), ==, 0);
}

static void test_revoke(void)
{
	struct gr_invite invite = issued(), before;

	CHECK_INT(gr_invite_revoke(&invite, T0 + DAY), ==, 0);
	CHECK_INT(invite.revoked_at, ==, T0 + DAY);
	CHECK_INT(gr_invite_state_at(&invite, T0 + DAY), ==, GR_INVITE_REVOKED);
	CHECK_INT(gr_invite_check(&invite), ==, 0);
	/* A revoked invite is refused as spent, and cannot be revoked twice. */
	before = invite;
	CHECK_INT(gr_invite_use(&invite, "ada", T0 + DAY), ==, GR_EUSED);
	CHECK_STR(gr_error_last(), "This invite link was withdrawn. Ask your coach for a new one.");
	CHECK_INT(gr_invite_revoke(&invite, T0 + 2 * DAY), ==, GR_EEXISTS);
	CHECK(memcmp(&invite, &before, sizeof(invite)) == 0);

	/* An expired invite may be revoked; a used one may not. */
	invite = issued();
	CHECK_INT(gr_invite_revoke(&invite, T0 + 20 * DAY), ==, 0);
	invite = issued();
	CHECK_INT(gr_invite_use(&invite, "ada", T0 + DAY), ==, 0);
	before = invite;
	CHECK_INT(gr_invite_revoke(&invite, T0 + 2 * DAY), ==, GR_EUSED);
	CHECK_CONTAINS(gr_error_last(), "used by ada");
	CHECK(memcmp(&invite, &before, sizeof(invite)) == 0);
}

/* invite must break invariant, with a message containing words. */
static void check_broken(struct gr_invite invite, int invariant, const char *words)
{
	char number[40];

	snprintf(number, sizeof number, "invite invariant %d: ", invariant);
	gr_error_clear();
	CHECK_INT(gr_invite_check(&invite), ==, invariant);
	CHECK_CONTAINS(gr_error_last(), number);
	CHECK_CONTAINS(gr_error_last(), words);
}

static void test_check_broken(void)
{
	struct gr_invite valid = issued(), used = issued(), i;

	CHECK_INT(gr_invite_use(&used, "ada", T0 + DAY), ==, 0);
	gr_error_clear();
	CHECK_INT(gr_invite_check(&valid), ==, 0);
	CHECK_INT(gr_invite_check(&used), ==, 0);
	CHECK_STR(gr_error_last(), ""); /* a valid invite sets no message */

	i = valid, i.role = (enum gr_role)4;
	check_broken(i, 1, "role");
	i = valid, i.created_at = 0, i.expires_at = DAY;
	check_broken(i, 1, "out of range");

	i = valid, i.expires_at = i.created_at;
	check_broken(i, 2, "expires no later than it was made");
	i = valid, i.expires_at = i.created_at + 365 * DAY + 1;
	check_broken(i, 2, "longer than 365 days");

	i = used, i.used_by[0] = '\0';
	check_broken(i, 3, "used by nobody");
	i = valid, snprintf(i.used_by, sizeof i.used_by, "ada");
	check_broken(i, 3, "names a user but is unused");

	i = used, i.used_at = T0 - 1;
	check_broken(i, 4, "used before it was made");

	i = valid, snprintf(i.cohort, sizeof i.cohort, "bad\ncohort");
	check_broken(i, 5, "cohort");

	i = used, i.revoked_at = i.used_at;
	check_broken(i, 6, "revoked after it was used");

	i = valid, i.revoked_at = T0 - 1;
	check_broken(i, 6, "revoked before it was made");
}

/* ---- the walk ---- */

#define WALK_INVITES 5

static uint32_t walk_seed;

static uint32_t walk_random(void)
{
	walk_seed = walk_seed * 1664525u + 1013904223u;
	return walk_seed >> 8;
}

struct walk_counts {
	int moves, broken, wrong_code, changed_when_refused, left_final;
	int reached[GR_INVITE_STATE_COUNT];
};

/* The code a use should get, from the rules in invite.h. */
static int expected_use(const struct gr_invite *invite, const char *handle, int64_t now)
{
	if (!handle[0])
		return GR_EINVALID;
	if (invite->used_at || invite->revoked_at)
		return GR_EUSED;
	return now >= invite->expires_at ? GR_EEXPIRED : 0;
}

/* The code a revocation should get. */
static int expected_revoke(const struct gr_invite *invite)
{
	if (invite->used_at)
		return GR_EUSED;
	return invite->revoked_at ? GR_EEXISTS : 0;
}

/* One move on invite at now: a join with it or its revocation now and then, else time passing. */
static void walk_move(struct gr_invite *invite, enum gr_invite_state *was, int64_t now,
		      struct walk_counts *counts)
{
	static const char *const handles[] = {"ada", "bob", "cy", ""};
	const char *handle = handles[walk_random() % 4];
	struct gr_invite before = *invite;
	int want = 0, rc = 0;
	enum gr_invite_state state;
	uint32_t move = walk_random() % 12;

	if (move < 4) {
		want = expected_use(invite, handle, now);
		rc = gr_invite_use(invite, handle, now);
	} else if (move == 4) {
		want = expected_revoke(invite);
		rc = gr_invite_revoke(invite, now);
	}
	state = gr_invite_state_at(invite, now);
	counts->moves++;
	counts->wrong_code += rc != want;
	counts->wrong_code += (gr_invite_usable(invite, now) == 0) != (state == GR_INVITE_ISSUED);
	if (rc != 0)
		counts->changed_when_refused += memcmp(&before, invite, sizeof(before)) != 0;
	/* Used and revoked are final; expired only ever becomes revoked. */
	counts->left_final += (*was == GR_INVITE_USED || *was == GR_INVITE_REVOKED) && state != *was;
	counts->left_final += *was == GR_INVITE_EXPIRED && state != *was && state != GR_INVITE_REVOKED;
	if (gr_invite_check(invite) != 0 && counts->broken++ < 5)
		fprintf(stderr, "  walk move %d: %s\n", counts->moves, gr_error_last());
	counts->reached[state]++;
	*was = state;
}

static void walk(uint32_t seed, int moves, struct walk_counts *counts)
{
	struct gr_invite invites[WALK_INVITES];
	enum gr_invite_state was[WALK_INVITES];
	int64_t now = T0;

	walk_seed = seed;
	for (int i = 0; i < WALK_INVITES; i++) {
		CHECK_INT(gr_invite_issue(&invites[i], GR_ROLE_LEARNER, NULL, NULL, 1, now), ==, 0);
		was[i] = GR_INVITE_ISSUED;
	}
	for (int i = 0; i < moves; i++) {
		int which = (int)(walk_random() % WALK_INVITES);

		now += (int64_t)(walk_random() % (3 * 60 * 60 * 1000)); /* up to 3 hours */
		if (walk_random() % 4 == 0) { /* a new invite in its place */
			CHECK_INT(gr_invite_issue(&invites[which],
						  (enum gr_role)(walk_random() % 3), NULL, "coach",
						  1 + (int)(walk_random() % 3), now),
				  ==, 0);
			was[which] = GR_INVITE_ISSUED;
		}
		walk_move(&invites[which], &was[which], now, counts);
		for (int j = 0; j < WALK_INVITES; j++) /* the others, as time passed */
			if (gr_invite_check(&invites[j]) != 0)
				counts->broken++;
	}
}

static void test_walk(void)
{
	static const uint32_t seeds[] = {20240611u, 3u, 77u};

	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct walk_counts counts = {0}, again = {0};

		walk(seeds[s], 8000, &counts);
		CHECK_INT(counts.moves, ==, 8000);
		CHECK_INT(counts.broken, ==, 0);
		CHECK_INT(counts.wrong_code, ==, 0);
		CHECK_INT(counts.changed_when_refused, ==, 0);
		CHECK_INT(counts.left_final, ==, 0);
		for (int state = 0; state < GR_INVITE_STATE_COUNT; state++)
			CHECK_INT(counts.reached[state], >, 100);
		walk(seeds[s], 8000, &again); /* the same seed walks the same way */
		CHECK(memcmp(&counts, &again, sizeof(counts)) == 0);
	}
}

int main(void)
{
	RUN(test_issue);
	RUN(test_issue_refused);
	RUN(test_states);
	RUN(test_use);
	RUN(test_revoke);
	RUN(test_check_broken);
	RUN(test_walk);
	return harness_done();
}
