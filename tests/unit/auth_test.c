/* Tests for auth.h with a real store in a temp dir, a worker pool and a fake
 * clock: invites (create, check, single use, expiry, who may invite whom),
 * joining (taken handle keeps the invite), signing in (right/wrong password,
 * same answer for an unknown handle, the rate limits per account and per
 * address, sign-ins in progress that are no failures), sessions
 * (expiry, logout, disabled users), the first-start invite, and invites and
 * sessions made and checked by domain/invite.c and domain/session.c. */
#include "harness.h"

#include "services/auth.h"
#include "core/error.h"
#include "core/log.h"
#include "domain/invite.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/invite.h"
#include "store/store.h"
#include "store/user.h"
#include "core/workers.h"

#include <time.h>

#define DAY (24 * 60 * 60 * 1000LL)
#define PASSWORD "correct horse battery"

static int64_t fake_now = 1700000000000LL;

static int64_t fake_clock(void)
{
	return fake_now;
}

struct outcome {
	int calls;
	struct gr_auth_result result;
};

static void on_done(const struct gr_auth_result *result, void *payload)
{
	struct outcome *outcome = payload;

	outcome->calls++;
	outcome->result = *result;
}

struct fixture {
	char *dir;
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_auth *auth;
};

static void fixture_open(struct fixture *f)
{
	struct gr_auth_settings settings;
	char path[512];

	memset(f, 0, sizeof *f);
	f->dir = harness_temp_dir();
	snprintf(path, sizeof path, "%s/grounds.db", f->dir);
	gr_auth_settings_defaults(&settings);
	settings.clock = fake_clock;
	if (gr_store_open(&f->store, path) != 0 || gr_workers_start(&f->workers, 2) != 0 ||
	    gr_auth_new(&f->auth, f->store, f->workers, &settings) != 0) {
		fprintf(stderr, "fixture: %s\n", gr_error_last());
		exit(2);
	}
	/* The cohorts the tests invite to are on record; "nowhere" is not. */
	for (const char *const *name = (const char *const[]){ "spring", "north", "c", "d", NULL };
	     *name; name++)
		if (gr_store_cohort_add(f->store, *name, 1, fake_now) != 0)
			exit(2);
}

static void fixture_close(struct fixture *f)
{
	gr_workers_stop(f->workers);
	gr_auth_free(f->auth);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {0, (long)ms * 1000000L};

	nanosleep(&ts, NULL);
}

/* Completes worker jobs until outcome's callback ran (at most ~5 s). */
static void wait_for(struct fixture *f, struct outcome *outcome)
{
	for (int i = 0; i < 2500 && outcome->calls == 0; i++) {
		if (gr_workers_complete(f->workers) == 0 && outcome->calls == 0)
			sleep_ms(2);
	}
	CHECK_INT(outcome->calls, ==, 1);
}

static struct outcome join(struct fixture *f, const char *invite, const char *handle,
			   const char *password)
{
	struct gr_auth_join request = {invite, handle, "Some Name", password};
	struct outcome outcome;

	memset(&outcome, 0, sizeof outcome);
	gr_auth_register(f->auth, &request, on_done, &outcome);
	wait_for(f, &outcome);
	return outcome;
}

static struct outcome login(struct fixture *f, const char *handle, const char *password,
			    const char *address)
{
	struct outcome outcome;

	memset(&outcome, 0, sizeof outcome);
	gr_auth_login(f->auth, handle, password, address, on_done, &outcome);
	wait_for(f, &outcome);
	return outcome;
}

/* A user stored directly, with a hash nobody can sign in with. */
static struct gr_user store_user(struct fixture *f, const char *handle, enum gr_role role)
{
	struct gr_user user;

	memset(&user, 0, sizeof user);
	snprintf(user.handle, sizeof user.handle, "%s", handle);
	snprintf(user.display_name, sizeof user.display_name, "%s", handle);
	snprintf(user.password_hash, sizeof user.password_hash, "x");
	user.role = role;
	user.created_at = fake_now;
	CHECK_INT(gr_store_user_insert(f->store, &user), ==, 0);
	return user;
}

static void test_settings_defaults(void)
{
	struct gr_auth_settings settings;

	memset(&settings, 0x7f, sizeof settings);
	gr_auth_settings_defaults(&settings);
	CHECK_INT(settings.invite_days, ==, 14);
	CHECK_INT(settings.session_days, ==, 30);
	CHECK_INT(settings.max_failures, ==, 5);
	CHECK_INT(settings.delay_ms, ==, 30 * 1000);
	CHECK_INT(settings.failure_window_ms, ==, 15 * 60 * 1000);
	CHECK_INT(settings.address_failures, ==, 300);
	CHECK(settings.clock == NULL);
}

static void test_invite_create_and_check(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	char code[GR_TOKEN_TEXT_SIZE], other[GR_TOKEN_TEXT_SIZE];
	struct gr_user admin;

	fixture_open(&f);
	admin = store_user(&f, "boss", GR_ROLE_ADMIN);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &admin, GR_ROLE_COACH, "spring", 0),
		  ==, 0);
	CHECK_INT(strlen(code), >=, 16);
	CHECK_INT(invite.role, ==, GR_ROLE_COACH);
	CHECK_STR(invite.cohort, "spring");
	CHECK_INT(invite.created_at, ==, fake_now);
	CHECK_INT(invite.expires_at, ==, fake_now + 14 * DAY);
	CHECK_STR(invite.created_by, "boss");

	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, 0);
	CHECK_INT(checked.id, ==, invite.id);
	CHECK_INT(checked.role, ==, GR_ROLE_COACH);
	CHECK_STR(checked.cohort, "spring");
	CHECK_STR(checked.created_by, "boss");
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, "no-such-code"), ==, GR_ENOTFOUND);

	/* Codes differ each time; explicit days; the operator (NULL) may invite anyone. */
	CHECK_INT(gr_auth_invite_create(f.auth, other, &invite, NULL, GR_ROLE_ADMIN, NULL, 3), ==,
		  0);
	CHECK_INT(strcmp(code, other), !=, 0);
	CHECK_INT(invite.expires_at, ==, fake_now + 3 * DAY);
	CHECK_STR(invite.created_by, "");
	CHECK_STR(invite.cohort, "");

	/* Bad days and cohorts. */
	CHECK_INT(gr_auth_invite_create(f.auth, other, &invite, NULL, GR_ROLE_LEARNER, NULL, 366),
		  ==, GR_EINVALID);
	CHECK_INT(gr_auth_invite_create(f.auth, other, &invite, NULL, GR_ROLE_LEARNER, NULL, -1),
		  ==, GR_EINVALID);
	CHECK_INT(gr_auth_invite_create(f.auth, other, &invite, NULL, GR_ROLE_LEARNER, "a\nb", 1),
		  ==, GR_EINVALID);
	fixture_close(&f);
}

static void test_invite_expiry(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	char code[GR_TOKEN_TEXT_SIZE];
	int64_t start = fake_now;
	struct outcome outcome;

	fixture_open(&f);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, NULL, 1), ==,
		  0);
	fake_now = start + DAY - 1;
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, 0);
	fake_now = start + DAY;
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, GR_EEXPIRED);
	CHECK_CONTAINS(gr_error_last(), "expired");
	/* Joining with it fails at once, naming the invite. */
	outcome = join(&f, code, "late", PASSWORD);
	CHECK_INT(outcome.result.status, ==, GR_EEXPIRED);
	CHECK_STR(outcome.result.field, "invite");
	CHECK_CONTAINS(outcome.result.message, "expired");
	fake_now = start + 2 * DAY;
	fixture_close(&f);
}

static void test_who_may_invite(void)
{
	struct fixture f;
	struct gr_invite invite;
	char code[GR_TOKEN_TEXT_SIZE];
	struct gr_user coach, learner, admin;

	fixture_open(&f);
	admin = store_user(&f, "admin1", GR_ROLE_ADMIN);
	coach = store_user(&f, "coach1", GR_ROLE_COACH);
	learner = store_user(&f, "learner1", GR_ROLE_LEARNER);
	CHECK(gr_store_cohort_add(f.store, "c", 1, fake_now) != GR_ERROR); /* in the default centre */
	CHECK_INT(gr_store_user_add_coached(f.store, coach.id, "c"), ==, 0);

	/* A coach invites learners to the cohorts they coach, and nowhere else. */
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &coach, GR_ROLE_LEARNER, "c", 0), ==,
		  0);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &coach, GR_ROLE_LEARNER, "d", 0), ==,
		  GR_EFORBIDDEN);
	CHECK_CONTAINS(gr_error_last(), "cohorts you coach only");
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &coach, GR_ROLE_LEARNER, NULL, 0),
		  ==, GR_EFORBIDDEN);
	CHECK_CONTAINS(gr_error_last(), "name the cohort");
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &coach, GR_ROLE_COACH, NULL, 0), ==,
		  GR_EFORBIDDEN);
	CHECK_CONTAINS(gr_error_last(), "name the centre");
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &coach, GR_ROLE_ADMIN, NULL, 0), ==,
		  GR_EFORBIDDEN);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &learner, GR_ROLE_LEARNER, NULL, 0),
		  ==, GR_EFORBIDDEN);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &learner, GR_ROLE_COACH, NULL, 0), ==,
		  GR_EFORBIDDEN);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &learner, GR_ROLE_ADMIN, NULL, 0), ==,
		  GR_EFORBIDDEN);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &admin, GR_ROLE_ADMIN, NULL, 0), ==,
		  0);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, &admin, GR_ROLE_COACH, NULL, 0), ==,
		  0);
	fixture_close(&f);
}

/* The coaches of a centre, by handle, as "a,b". */
static int add_handle(const char *text, void *payload)
{
	char *names = payload;

	snprintf(names + strlen(names), 64 - strlen(names), "%s%s", names[0] ? "," : "", text);
	return 0;
}

/*
 * An invite names a coach's centre: who joins with it belongs there. A
 * coach invites coaches into their own centres only; a learner's centre is
 * their cohort's; an admin's invite names none; each refusal names its field.
 */
static void test_invite_to_a_centre(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	char code[GR_TOKEN_TEXT_SIZE], centres[64] = "";
	const char *field = NULL;
	struct gr_user admin, coach, stored;
	struct outcome joined;
	int64_t zuid = 0;
	int coaches = 0;
#define MAKE(by, role, cohort, centre)                                                             \
	gr_auth_invite_make(f.auth, code, &invite, &field, (by),                                  \
			    &(struct gr_auth_invite_request){ (role), (cohort), (centre), 0 })

	fixture_open(&f);
	CHECK_INT(gr_store_centre_add(f.store, &zuid, "Zuid", "", "", fake_now), ==, 0);
	CHECK_INT(gr_store_cohort_add(f.store, "z1", zuid, fake_now), ==, 0);
	admin = store_user(&f, "admin1", GR_ROLE_ADMIN);
	coach = store_user(&f, "coach1", GR_ROLE_COACH);
	CHECK_INT(gr_store_user_add_coached(f.store, coach.id, "c"), ==, 0); /* of Main centre */

	/* The operator invites a coach to Zuid; who joins belongs to Zuid, and only there. */
	CHECK_INT(MAKE(NULL, GR_ROLE_COACH, NULL, "Zuid"), ==, 0);
	CHECK_STR(invite.centre, "Zuid");
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, 0);
	CHECK_STR(checked.centre, "Zuid");
	joined = join(&f, code, "zara", PASSWORD);
	CHECK_INT(joined.result.status, ==, 0);
	CHECK_INT(gr_store_centre_each_of_coach(f.store, joined.result.user.id, add_handle, centres),
		  ==, 0);
	CHECK_STR(centres, "Zuid");
	CHECK_INT(gr_store_user_coaches(f.store, &coaches, joined.result.user.id, "z1"), ==, 0);
	CHECK_INT(coaches, ==, 0); /* a centre, no cohort given */

	/* With a cohort of that centre too: they coach it. */
	CHECK_INT(MAKE(&admin, GR_ROLE_COACH, "z1", "Zuid"), ==, 0);
	joined = join(&f, code, "zeno", PASSWORD);
	CHECK_INT(joined.result.status, ==, 0);
	CHECK_INT(gr_store_user_coaches(f.store, &coaches, joined.result.user.id, "z1"), ==, 0);
	CHECK_INT(coaches, ==, 1);

	/* A coach of Main invites a coach to Main, not to Zuid. */
	CHECK_INT(MAKE(&coach, GR_ROLE_COACH, NULL, GR_STORE_CENTRE_DEFAULT), ==, 0);
	CHECK_STR(invite.centre, GR_STORE_CENTRE_DEFAULT);
	CHECK_INT(MAKE(&coach, GR_ROLE_COACH, NULL, "Zuid"), ==, GR_EFORBIDDEN);
	CHECK_STR(field, "centre");
	CHECK_CONTAINS(gr_error_last(), "centres you coach in only");
	CHECK_INT(MAKE(&coach, GR_ROLE_COACH, "d", GR_STORE_CENTRE_DEFAULT), ==, GR_EFORBIDDEN);
	CHECK_STR(field, "cohort"); /* a cohort of Main they do not coach */
	CHECK_INT(MAKE(&coach, GR_ROLE_ADMIN, NULL, NULL), ==, GR_EFORBIDDEN);
	CHECK_STR(field, "role");

	/* A coach's cohort must lie in the centre named. */
	CHECK_INT(MAKE(&admin, GR_ROLE_COACH, "c", "Zuid"), ==, GR_EINVALID);
	CHECK_STR(field, "centre");
	CHECK_CONTAINS(gr_error_last(), "The cohort c is in the centre Main centre, not in Zuid.");

	/* A learner's centre is their cohort's: the same one is taken, not stored; another refused. */
	CHECK_INT(MAKE(&admin, GR_ROLE_LEARNER, "z1", "Zuid"), ==, 0);
	CHECK_STR(invite.centre, "");
	CHECK_INT(MAKE(&admin, GR_ROLE_LEARNER, "c", "Zuid"), ==, GR_EINVALID);
	CHECK_STR(field, "centre");
	CHECK_INT(MAKE(&admin, GR_ROLE_LEARNER, NULL, "Zuid"), ==, GR_EINVALID);
	CHECK_STR(field, "centre");
	CHECK_CONTAINS(gr_error_last(), "centre of their cohort");

	/* An admin's names none; an unknown centre is named. */
	CHECK_INT(MAKE(NULL, GR_ROLE_ADMIN, NULL, "Zuid"), ==, GR_EINVALID);
	CHECK_STR(field, "centre");
	CHECK_INT(MAKE(NULL, GR_ROLE_COACH, NULL, "Nowhere"), ==, GR_EINVALID);
	CHECK_STR(field, "centre");
	CHECK_CONTAINS(gr_error_last(), "no centre 'Nowhere'");
	CHECK_INT(gr_store_user_by_handle(f.store, &stored, "zara"), ==, 0);
	fixture_close(&f);
#undef MAKE
}

static void test_register_and_single_use(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	struct gr_user stored, by_session;
	char code[GR_TOKEN_TEXT_SIZE];
	struct outcome first, second;

	fixture_open(&f);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_COACH, "north", 0), ==,
		  0);
	first = join(&f, code, "newbie", PASSWORD);
	CHECK_INT(first.result.status, ==, 0);
	CHECK_STR(first.result.user.handle, "newbie");
	CHECK_INT(first.result.user.role, ==, GR_ROLE_COACH);
	CHECK_STR(first.result.user.cohort, "north");
	CHECK_INT(first.result.user.id, >, 0);
	CHECK_INT(strlen(first.result.session_token), >=, 32);
	CHECK_INT(first.result.session_expires_at, ==, fake_now + 30 * DAY);

	/* The user is stored with an argon2 hash, not the password. */
	CHECK_INT(gr_store_user_by_handle(f.store, &stored, "newbie"), ==, 0);
	CHECK_STR(stored.display_name, "Some Name");
	CHECK_INT(strncmp(stored.password_hash, "$argon2id$", 10), ==, 0);
	CHECK_NOT_CONTAINS(stored.password_hash, PASSWORD);
	CHECK_INT(stored.created_at, ==, fake_now);
	/* The session works. */
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, first.result.session_token), ==, 0);
	CHECK_STR(by_session.handle, "newbie");

	/* The invite is spent. */
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, GR_EUSED);
	second = join(&f, code, "another", PASSWORD);
	CHECK_INT(second.result.status, ==, GR_EUSED);
	CHECK_STR(second.result.field, "invite");
	CHECK_INT(gr_store_user_by_handle(f.store, &stored, "another"), ==, GR_ENOTFOUND);
	fixture_close(&f);
}

static void test_register_race_on_one_invite(void)
{
	struct fixture f;
	struct gr_invite invite;
	struct gr_user stored;
	char code[GR_TOKEN_TEXT_SIZE];
	struct gr_auth_join a = {NULL, "racer-a", "A", PASSWORD};
	struct gr_auth_join b = {NULL, "racer-b", "B", PASSWORD};
	struct outcome oa, ob;
	int64_t users = -1;

	fixture_open(&f);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, NULL, 0), ==,
		  0);
	a.invite = b.invite = code;
	memset(&oa, 0, sizeof oa);
	memset(&ob, 0, sizeof ob);
	/* Both pass the early check while the invite is unspent. */
	gr_auth_register(f.auth, &a, on_done, &oa);
	gr_auth_register(f.auth, &b, on_done, &ob);
	wait_for(&f, &oa);
	wait_for(&f, &ob);
	CHECK_INT((oa.result.status == 0) + (ob.result.status == 0), ==, 1);
	CHECK_INT((oa.result.status == GR_EUSED) + (ob.result.status == GR_EUSED), ==, 1);
	/* The loser's account was rolled back. */
	CHECK_INT(gr_store_user_count(f.store, &users), ==, 0);
	CHECK_INT(users, ==, 1);
	CHECK_INT(gr_store_user_by_handle(f.store, &stored,
					  oa.result.status ? "racer-a" : "racer-b"),
		  ==, GR_ENOTFOUND);
	fixture_close(&f);
}

static void test_register_invalid_input(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	char code[GR_TOKEN_TEXT_SIZE];
	struct outcome outcome;
	struct gr_auth_join missing = {NULL, "handle", "Name", PASSWORD};

	fixture_open(&f);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, NULL, 0), ==,
		  0);
	outcome = join(&f, code, "Bad Handle", PASSWORD);
	CHECK_INT(outcome.result.status, ==, GR_EINVALID);
	CHECK_STR(outcome.result.field, "handle");
	outcome = join(&f, code, "goodhandle", "short");
	CHECK_INT(outcome.result.status, ==, GR_EINVALID);
	CHECK_STR(outcome.result.field, "password");
	CHECK_CONTAINS(outcome.result.message, "10");
	outcome = join(&f, "wrong-code", "goodhandle", PASSWORD);
	CHECK_INT(outcome.result.status, ==, GR_ENOTFOUND);
	CHECK_STR(outcome.result.field, "invite");

	memset(&outcome, 0, sizeof outcome);
	gr_auth_register(f.auth, &missing, on_done, &outcome);
	wait_for(&f, &outcome);
	CHECK_INT(outcome.result.status, ==, GR_EINVALID);
	CHECK_STR(outcome.result.field, "invite");
	/* None of that spent the invite. */
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, 0);
	fixture_close(&f);
}

static void test_register_taken_handle(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	char code[GR_TOKEN_TEXT_SIZE];
	struct outcome outcome;

	fixture_open(&f);
	store_user(&f, "taken", GR_ROLE_LEARNER);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, NULL, 0), ==,
		  0);
	outcome = join(&f, code, "taken", PASSWORD);
	CHECK_INT(outcome.result.status, ==, GR_EEXISTS);
	CHECK_STR(outcome.result.field, "handle");
	CHECK_CONTAINS(outcome.result.message, "taken");
	/* The invite is still usable, and works with another handle. */
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, 0);
	CHECK_INT(checked.used_at, ==, 0);
	outcome = join(&f, code, "free-handle", PASSWORD);
	CHECK_INT(outcome.result.status, ==, 0);
	CHECK_STR(outcome.result.user.handle, "free-handle");
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, GR_EUSED);
	fixture_close(&f);
}

static void test_login_and_sessions(void)
{
	struct fixture f;
	struct gr_user user, by_session;
	struct outcome right, wrong, unknown, disabled;
	int64_t signed_in_at;
	bool hash_blank = true;

	fixture_open(&f);
	memset(&user, 0, sizeof user);
	snprintf(user.handle, sizeof user.handle, "sam");
	snprintf(user.display_name, sizeof user.display_name, "Sam");
	user.role = GR_ROLE_LEARNER;
	CHECK_INT(gr_auth_add_user(f.auth, &user, PASSWORD), ==, 0);
	CHECK_INT(user.id, >, 0);
	CHECK_INT(gr_auth_add_user(f.auth, &user, "short"), ==, GR_EINVALID);

	signed_in_at = fake_now;
	right = login(&f, "sam", PASSWORD, "10.0.0.1");
	CHECK_INT(right.result.status, ==, 0);
	CHECK_STR(right.result.user.handle, "sam");
	CHECK_INT(right.result.session_expires_at, ==, signed_in_at + 30 * DAY);
	for (size_t i = 0; i < sizeof right.result.user.password_hash; i++)
		if (right.result.user.password_hash[i])
			hash_blank = false;
	CHECK(hash_blank);

	wrong = login(&f, "sam", PASSWORD "!", "10.0.0.1");
	CHECK_INT(wrong.result.status, ==, GR_EAUTH);
	CHECK_STR(wrong.result.session_token, "");
	unknown = login(&f, "nobody", PASSWORD, "10.0.0.1");
	CHECK_INT(unknown.result.status, ==, GR_EAUTH);
	CHECK_STR(unknown.result.message, wrong.result.message);

	/* The session is valid until it expires. */
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, right.result.session_token), ==, 0);
	CHECK_INT(by_session.id, ==, user.id);
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, "not-a-token"), ==, GR_EAUTH);
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, ""), ==, GR_EAUTH);
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, NULL), ==, GR_EAUTH);
	fake_now = signed_in_at + 30 * DAY - 1;
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, right.result.session_token), ==, 0);
	fake_now = signed_in_at + 30 * DAY;
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, right.result.session_token), ==,
		  GR_EAUTH);
	/* Housekeeping prunes it: it stays gone even if the clock went back. */
	gr_auth_housekeeping(f.auth);
	fake_now = signed_in_at;
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, right.result.session_token), ==,
		  GR_EAUTH);

	/* Logout ends a session; logging out twice or with no token is fine. */
	right = login(&f, "sam", PASSWORD, "10.0.0.2");
	CHECK_INT(right.result.status, ==, 0);
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, right.result.session_token), ==, 0);
	CHECK_INT(gr_auth_logout(f.auth, right.result.session_token), ==, 0);
	CHECK_INT(gr_auth_session_user(f.auth, &by_session, right.result.session_token), ==,
		  GR_EAUTH);
	CHECK_INT(gr_auth_logout(f.auth, right.result.session_token), ==, 0);
	CHECK_INT(gr_auth_logout(f.auth, NULL), ==, 0);

	/* A disabled user cannot sign in, with the same answer as a wrong password. */
	CHECK_INT(gr_store_user_disable(f.store, "sam", fake_now), ==, 0);
	disabled = login(&f, "sam", PASSWORD, "10.0.0.3");
	CHECK_INT(disabled.result.status, ==, GR_EAUTH);
	CHECK_STR(disabled.result.message, wrong.result.message);
	fake_now += DAY;
	fixture_close(&f);
}

/* An account to sign in with PASSWORD (hashed once per run: hashing is slow). */
static void add_user(struct fixture *f, const char *handle)
{
	static char hash[GR_PASSWORD_HASH_SIZE];
	struct gr_user user;

	if (!hash[0])
		CHECK_INT(gr_secret_password_hash(hash, PASSWORD), ==, 0);
	memset(&user, 0, sizeof user);
	snprintf(user.handle, sizeof user.handle, "%s", handle);
	snprintf(user.display_name, sizeof user.display_name, "%s", handle);
	snprintf(user.password_hash, sizeof user.password_hash, "%s", hash);
	user.created_at = fake_now;
	CHECK_INT(gr_store_user_insert(f->store, &user), ==, 0);
}

static void test_rate_limit(void)
{
	struct fixture f;
	struct outcome outcome;
	int64_t last_failure;
	int failures = 0;

	fixture_open(&f);
	add_user(&f, "kim");
	/* Five free failures, a second apart, from different addresses. */
	for (int i = 0; i < 5; i++) {
		char address[32];

		snprintf(address, sizeof address, "192.0.2.%d", i);
		outcome = login(&f, "kim", "wrong password!", address);
		if (outcome.result.status == GR_EAUTH)
			failures++;
		fake_now += 1000;
	}
	CHECK_INT(failures, ==, 5);
	last_failure = fake_now - 1000;
	/* Now even the right password waits 30 s after the last failure, and says so. */
	outcome = login(&f, "kim", PASSWORD, "198.51.100.1");
	CHECK_INT(outcome.result.status, ==, GR_ELIMITED);
	CHECK_INT(outcome.result.retry_at, ==, last_failure + 30 * 1000);
	CHECK_STR(outcome.result.limited_by, "account");
	CHECK_STR(outcome.result.message,
		  "Too many failed sign-ins for this account. Try again in 1 minute.");
	CHECK_STR(outcome.result.session_token, "");
	/* After the wait, one more failure doubles it: a minute. */
	fake_now = last_failure + 30 * 1000;
	CHECK_INT(login(&f, "kim", "wrong again!!", "198.51.100.1").result.status, ==, GR_EAUTH);
	outcome = login(&f, "kim", PASSWORD, "198.51.100.1");
	CHECK_INT(outcome.result.status, ==, GR_ELIMITED);
	CHECK_INT(outcome.result.retry_at, ==, fake_now + 60 * 1000);
	/* (The sequence up to its cap of 15 minutes: ratelimit_test.c.) */
	/* Once it is over, the right password signs in and clears the account. */
	fake_now = outcome.result.retry_at;
	outcome = login(&f, "kim", PASSWORD, "198.51.100.1");
	CHECK_INT(outcome.result.status, ==, 0);
	CHECK_INT(strlen(outcome.result.session_token), >, 0);
	CHECK_INT(login(&f, "kim", "wrong password!", "198.51.100.1").result.status, ==, GR_EAUTH);
	fake_now += DAY;
	fixture_close(&f);
}

/* One account's failures never refuse another's right password from that address. */
static void test_one_account_does_not_lock_the_address(void)
{
	struct fixture f;
	struct outcome outcome;

	struct gr_auth_settings settings;

	fixture_open(&f);
	add_user(&f, "ana");
	add_user(&f, "ben");
	gr_auth_settings_defaults(&settings);
	settings.max_failures = 2; /* fewer hashes: each takes a while */
	CHECK_INT(gr_auth_set_limits(f.auth, &settings), ==, 0);
	for (int i = 0; i < 20; i++) {
		outcome = login(&f, "ana", "not her password", "203.0.113.9");
		CHECK_INT(outcome.result.status, ==, i < 2 ? GR_EAUTH : GR_ELIMITED);
		fake_now += 100;
	}
	CHECK_STR(outcome.result.limited_by, "account");
	CHECK_INT(login(&f, "ben", PASSWORD, "203.0.113.9").result.status, ==, 0);
	fake_now += DAY;
	fixture_close(&f);
}

static void test_rate_limit_by_address(void)
{
	struct fixture f;
	struct gr_auth_settings settings;
	struct outcome outcome;
	int failures = 0;

	fixture_open(&f);
	add_user(&f, "ada");
	/* A ceiling of 4 per 15 minutes (the default is 300), taken at once. */
	gr_auth_settings_defaults(&settings);
	settings.address_failures = 4;
	CHECK_INT(gr_auth_set_limits(f.auth, &settings), ==, 0);
	/* Four failures for different (unknown) handles from one address. */
	for (int i = 0; i < 4; i++) {
		char handle[16];

		snprintf(handle, sizeof handle, "guess%d", i);
		outcome = login(&f, handle, "whatever123", "203.0.113.9");
		if (outcome.result.status == GR_EAUTH)
			failures++;
	}
	CHECK_INT(failures, ==, 4);
	outcome = login(&f, "ada", PASSWORD, "203.0.113.9");
	CHECK_INT(outcome.result.status, ==, GR_ELIMITED);
	CHECK_STR(outcome.result.limited_by, "address");
	CHECK_INT(outcome.result.retry_at, ==, fake_now + 225 * 1000);
	CHECK_STR(outcome.result.message,
		  "Too many failed sign-ins from this network. Try again in 4 minutes.");
	/* Another address is not affected; after 225 s one failure is forgotten. */
	CHECK_INT(login(&f, "ada", PASSWORD, "203.0.113.10").result.status, ==, 0);
	fake_now += 225 * 1000;
	CHECK_INT(login(&f, "ada", PASSWORD, "203.0.113.9").result.status, ==, 0);
	/* A bad setting is refused and changes nothing. */
	settings.max_failures = 0;
	CHECK_INT(gr_auth_set_limits(f.auth, &settings), ==, GR_EINVALID);
	fake_now += DAY;
	fixture_close(&f);
}

/* Sign-ins in progress are not failures: 6 right ones at once from one address. */
static void test_many_sign_ins_at_once(void)
{
	struct fixture f;
	struct gr_auth_settings settings;
	struct outcome outcomes[6];
	char handle[16];
	int done = 0;

	fixture_open(&f);
	for (int i = 0; i < 6; i++) {
		snprintf(handle, sizeof handle, "learner%d", i);
		add_user(&f, handle);
	}
	memset(outcomes, 0, sizeof outcomes);
	for (int i = 0; i < 6; i++) {
		snprintf(handle, sizeof handle, "learner%d", i);
		gr_auth_login(f.auth, handle, PASSWORD, "192.0.2.77", on_done, &outcomes[i]);
	}
	for (int i = 0; i < 10000 && done < 6; i++) {
		if (gr_workers_complete(f.workers) == 0)
			sleep_ms(2);
		done = 0;
		for (int j = 0; j < 6; j++)
			done += outcomes[j].calls;
	}
	CHECK_INT(done, ==, 6);
	for (int i = 0; i < 6; i++)
		CHECK_INT(outcomes[i].result.status, ==, 0);
	/* As many guesses at one account at once as it has free tries; one more waits. */
	gr_auth_settings_defaults(&settings);
	settings.max_failures = 2;
	CHECK_INT(gr_auth_set_limits(f.auth, &settings), ==, 0);
	memset(outcomes, 0, sizeof outcomes);
	for (int i = 0; i < 3; i++)
		gr_auth_login(f.auth, "learner0", "guess guess", "192.0.2.78", on_done, &outcomes[i]);
	CHECK_INT(outcomes[2].calls, ==, 1);
	CHECK_INT(outcomes[2].result.status, ==, GR_ELIMITED);
	for (int i = 0; i < 2; i++)
		wait_for(&f, &outcomes[i]);
	for (int i = 0; i < 2; i++)
		CHECK_INT(outcomes[i].result.status, ==, GR_EAUTH);
	fake_now += DAY;
	fixture_close(&f);
}

static void test_first_start(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	char code[GR_TOKEN_TEXT_SIZE], again[GR_TOKEN_TEXT_SIZE];
	struct gr_auth_settings settings;
	struct gr_auth *second = NULL;

	fixture_open(&f);
	CHECK_INT(gr_auth_first_start(f.auth, code, &invite), ==, 0);
	CHECK_INT(invite.role, ==, GR_ROLE_ADMIN);
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, 0);
	CHECK_INT(checked.role, ==, GR_ROLE_ADMIN);
	/* Not again, even though nobody has joined yet... */
	CHECK_INT(gr_auth_first_start(f.auth, again, &invite), ==, GR_ENOTFOUND);
	/* ...nor from another auth on the same database (a restart). */
	gr_auth_settings_defaults(&settings);
	settings.clock = fake_clock;
	CHECK_INT(gr_auth_new(&second, f.store, f.workers, &settings), ==, 0);
	if (second)
		CHECK_INT(gr_auth_first_start(second, again, &invite), ==, GR_ENOTFOUND);
	gr_auth_free(second);
	/* It lasts a day, and dies once an admin exists however made (the operator's tool). */
	CHECK_INT(checked.expires_at - checked.created_at, ==, DAY);
	store_user(&f, "made-by-cli", GR_ROLE_ADMIN);
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, GR_EUSED);
	CHECK_CONTAINS(gr_error_last(), "an admin account exists");
	fixture_close(&f);

	/* A database that already has users is not a first start. */
	fixture_open(&f);
	store_user(&f, "existing", GR_ROLE_ADMIN);
	CHECK_INT(gr_auth_first_start(f.auth, code, &invite), ==, GR_ENOTFOUND);
	fixture_close(&f);
}

/* A cohort of 64 multibyte characters is kept whole, not cut mid-character. */
static void test_long_multibyte_cohort(void)
{
	struct fixture f;
	struct gr_invite invite, checked;
	char code[GR_TOKEN_TEXT_SIZE];
	char cohort[256] = "";

	for (int i = 0; i < 40; i++)
		strcat(cohort, "\xc3\xa9"); /* é: 40 characters, 80 bytes */
	fixture_open(&f);
	CHECK_INT(gr_account_check_cohort(cohort), ==, 0);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, cohort, 0),
		  ==, GR_EINVALID); /* not on record yet */
	CHECK_INT(gr_store_cohort_add(f.store, cohort, 1, fake_now), ==, 0);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, cohort, 0),
		  ==, 0);
	CHECK_STR(invite.cohort, cohort);
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, 0);
	CHECK_STR(checked.cohort, cohort);
	fixture_close(&f);
}

/* An invite or a user's cohort must be a cohort on record: a typo no longer splits one. */
static void test_unknown_cohort_refused(void)
{
	struct fixture f;
	struct gr_invite invite;
	struct gr_user user = { .role = GR_ROLE_LEARNER };
	char code[GR_TOKEN_TEXT_SIZE];

	fixture_open(&f);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, "nowhere", 0),
		  ==, GR_EINVALID);
	CHECK(strstr(gr_error_last(), "no cohort 'nowhere'") != NULL);
	snprintf(user.handle, sizeof user.handle, "lena");
	snprintf(user.display_name, sizeof user.display_name, "Lena");
	snprintf(user.cohort, sizeof user.cohort, "nowhere");
	CHECK_INT(gr_auth_add_user(f.auth, &user, PASSWORD), ==, GR_EINVALID);
	snprintf(user.cohort, sizeof user.cohort, "spring");
	CHECK_INT(gr_auth_add_user(f.auth, &user, PASSWORD), ==, 0);
	CHECK_INT(gr_auth_user_set_cohort(f.auth, &user, "lena", "nowhere"), ==, GR_EINVALID);
	CHECK_INT(gr_auth_user_set_cohort(f.auth, &user, "lena", "north"), ==, 0);
	CHECK_STR(user.cohort, "north");
	CHECK_INT(gr_auth_user_set_cohort(f.auth, &user, "nobody", "north"), ==, GR_ENOTFOUND);
	CHECK(strstr(gr_error_last(), "no user 'nobody'") != NULL);
	fixture_close(&f);
}

/*
 * A partner (a company with a project) belongs to no cohort: an invite or
 * an account for one with a cohort is refused, moving one into a cohort is
 * refused, and a learner who becomes a partner leaves theirs.
 */
static void test_partner_without_cohort(void)
{
	struct fixture f;
	struct gr_user user = { .role = GR_ROLE_PARTNER }, stored;
	struct gr_invite invite;
	char code[GR_TOKEN_TEXT_SIZE];

	fixture_open(&f);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_PARTNER, "spring", 0),
		  ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "an invite for a partner names none");
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_PARTNER, NULL, 0), ==,
		  0);
	snprintf(user.handle, sizeof user.handle, "acme");
	snprintf(user.display_name, sizeof user.display_name, "Acme");
	snprintf(user.cohort, sizeof user.cohort, "spring");
	CHECK_INT(gr_auth_add_user(f.auth, &user, PASSWORD), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "a partner belongs to no cohort");
	user.cohort[0] = '\0';
	CHECK_INT(gr_auth_add_user(f.auth, &user, PASSWORD), ==, 0);
	CHECK_INT(gr_auth_user_set_cohort(f.auth, &user, "acme", "spring"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "acme is a partner");
	CHECK_INT(gr_store_user_by_handle(f.store, &stored, "acme"), ==, 0);
	CHECK_STR(stored.cohort, "");

	user = (struct gr_user){ .role = GR_ROLE_LEARNER };
	snprintf(user.handle, sizeof user.handle, "lena");
	snprintf(user.display_name, sizeof user.display_name, "Lena");
	snprintf(user.cohort, sizeof user.cohort, "spring");
	CHECK_INT(gr_auth_add_user(f.auth, &user, PASSWORD), ==, 0);
	CHECK_INT(gr_auth_user_set_role(f.auth, &user, "lena", GR_ROLE_PARTNER), ==, 0);
	CHECK_STR(user.cohort, "");
	CHECK_INT(gr_store_user_by_handle(f.store, &stored, "lena"), ==, 0);
	CHECK_INT(stored.role, ==, GR_ROLE_PARTNER);
	CHECK_STR(stored.cohort, "");
	fixture_close(&f);
}

static int count_invite(const struct gr_invite *invite, void *payload)
{
	(void)invite;
	(*(int *)payload)++;
	return 0;
}

static int invites_stored(struct fixture *f)
{
	int count = 0;

	CHECK_INT(gr_store_invite_each(f->store, count_invite, &count), ==, 0);
	return count;
}

/*
 * Invites and sessions are made and checked by the domain: an invite is
 * refused as gr_invite_usable() refuses it, in its words, and a join that
 * began before its invite expired still ends after the expiry (the note in
 * domain/invite.c); with lifetimes gr_invite_issue() and gr_session_start()
 * do not allow (settings the config never gives), no invite is made and no
 * session started, and the session's refusal is logged.
 */
static void test_lives_by_the_domain(void)
{
	struct fixture f;
	struct gr_auth_settings settings;
	struct gr_auth *odd = NULL;
	struct gr_invite expiring, joining, checked;
	struct gr_auth_join request = {NULL, "late", "Late Comer", PASSWORD};
	struct harness_stderr capture;
	char code[GR_TOKEN_TEXT_SIZE], joined[GR_TOKEN_TEXT_SIZE], words[256], *log;
	struct outcome outcome;
	int64_t start = fake_now;

	fixture_open(&f);
	CHECK_INT(gr_auth_invite_create(f.auth, code, &expiring, NULL, GR_ROLE_LEARNER, NULL, 1),
		  ==, 0);
	CHECK_INT(gr_auth_invite_create(f.auth, joined, &joining, NULL, GR_ROLE_LEARNER, NULL, 1),
		  ==, 0);

	/* A join checks the invite just before it expires and spends it just after. */
	fake_now = start + DAY - 1;
	memset(&outcome, 0, sizeof outcome);
	request.invite = joined;
	gr_auth_register(f.auth, &request, on_done, &outcome);
	fake_now = start + DAY + 50;
	wait_for(&f, &outcome);
	CHECK_INT(outcome.result.status, ==, 0);
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, joined), ==, GR_EUSED);
	snprintf(words, sizeof words, "%s", gr_error_last());
	CHECK_INT(gr_invite_usable(&checked, fake_now), ==, GR_EUSED);
	CHECK_STR(words, gr_error_last());
	CHECK_INT(checked.used_at, ==, start + DAY + 50);
	CHECK_INT(gr_invite_check(&checked), ==, 0);

	/* The other one expired: refused in gr_invite_usable()'s words. */
	CHECK_INT(gr_auth_invite_check(f.auth, &checked, code), ==, GR_EEXPIRED);
	snprintf(words, sizeof words, "%s", gr_error_last());
	CHECK_INT(gr_invite_usable(&expiring, fake_now), ==, GR_EEXPIRED);
	CHECK_STR(words, gr_error_last());

	/* Invites and sessions of 0 days: nothing made, nothing stored. */
	gr_auth_settings_defaults(&settings);
	settings.clock = fake_clock;
	settings.invite_days = 0;
	settings.session_days = 0;
	CHECK_INT(gr_auth_new(&odd, f.store, f.workers, &settings), ==, 0);
	if (!odd) {
		fixture_close(&f);
		return;
	}
	CHECK_INT(gr_auth_invite_create(odd, code, &checked, NULL, GR_ROLE_LEARNER, NULL, 0), ==,
		  GR_EINVALID);
	CHECK_STR(gr_error_last(), "An invite lasts 1 to 365 days.");
	CHECK_INT(invites_stored(&f), ==, 2);
	CHECK_INT(gr_auth_invite_create(odd, code, &checked, NULL, GR_ROLE_LEARNER, NULL, 3), ==, 0);
	CHECK_INT(invites_stored(&f), ==, 3);
	harness_stderr_begin(&capture);
	memset(&outcome, 0, sizeof outcome);
	gr_auth_login(odd, "late", PASSWORD, "10.0.0.9", on_done, &outcome);
	wait_for(&f, &outcome);
	log = harness_stderr_end(&capture);
	CHECK_INT(outcome.result.status, ==, GR_EINVALID);
	CHECK_STR(outcome.result.message, "Could not sign in: the server could not save it.");
	CHECK_STR(outcome.result.session_token, "");
	CHECK_CONTAINS(log, "session of late not started: session: user");
	free(log);
	gr_auth_free(odd);
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	if (gr_secret_init() != 0)
		return 2;
	RUN(test_settings_defaults);
	RUN(test_invite_create_and_check);
	RUN(test_invite_expiry);
	RUN(test_long_multibyte_cohort);
	RUN(test_unknown_cohort_refused);
	RUN(test_partner_without_cohort);
	RUN(test_who_may_invite);
	RUN(test_invite_to_a_centre);
	RUN(test_register_and_single_use);
	RUN(test_register_race_on_one_invite);
	RUN(test_register_invalid_input);
	RUN(test_register_taken_handle);
	RUN(test_login_and_sessions);
	RUN(test_rate_limit);
	RUN(test_rate_limit_by_address);
	RUN(test_one_account_does_not_lock_the_address);
	RUN(test_many_sign_ins_at_once);
	RUN(test_first_start);
	RUN(test_lives_by_the_domain);
	return harness_done();
}
