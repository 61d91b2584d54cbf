/* Tests for services/accounts.h with a real store, a worker pool and a fake
 * clock: reset links (used once, refused after their 24 hours, replaced by
 * a newer one, the coach's rights, the store keeping hashes only, sessions
 * ended), cohorts as records (rename moves every reference at once, or
 * none), a profile's checks, the sessions list and ending the others, and
 * the short names of browsers. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "core/log.h"
#include "core/workers.h"
#include "domain/reset.h"
#include "services/accounts.h"
#include "services/auth.h"
#include "store/cohort.h"
#include "store/session.h"
#include "store/store.h"
#include "store/user.h"

#include <time.h>

#define HOUR (60 * 60 * 1000LL)
#define PASSWORD "correct horse battery"

static int64_t fake_now = 1700000000000LL;

static int64_t fake_clock(void)
{
	return fake_now;
}

struct fixture {
	char *dir;
	char path[512];
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_auth *auth;
	struct gr_accounts *accounts;
	int ended; /* sessions-ended notices from the accounts service */
	int64_t ended_user;
};

static void on_change(void *payload, const struct gr_auth_change *change)
{
	struct fixture *f = payload;

	f->ended++;
	f->ended_user = change->user_id;
}

static struct gr_user add_user(struct fixture *f, const char *handle, enum gr_role role,
			       const char *cohort)
{
	struct gr_user user;

	memset(&user, 0, sizeof user);
	snprintf(user.handle, sizeof user.handle, "%s", handle);
	snprintf(user.display_name, sizeof user.display_name, "%s", handle);
	snprintf(user.cohort, sizeof user.cohort, "%s", cohort);
	user.role = role;
	if (gr_auth_add_user(f->auth, &user, PASSWORD) != 0) {
		fprintf(stderr, "add_user: %s\n", gr_error_last());
		exit(2);
	}
	return user;
}

static void fixture_open(struct fixture *f)
{
	struct gr_auth_settings settings;

	memset(f, 0, sizeof *f);
	f->dir = harness_temp_dir();
	snprintf(f->path, sizeof f->path, "%s/grounds.db", f->dir);
	gr_auth_settings_defaults(&settings);
	settings.clock = fake_clock;
	if (gr_store_open(&f->store, f->path) != 0 || gr_workers_start(&f->workers, 2) != 0 ||
	    gr_auth_new(&f->auth, f->store, f->workers, &settings) != 0 ||
	    gr_accounts_new(&f->accounts, f->store, f->auth, f->workers, fake_clock) != 0 ||
	    gr_store_cohort_add(f->store, "autumn", 1, fake_now) != 0 ||
	    gr_store_cohort_add(f->store, "spring", 1, fake_now) != 0) {
		fprintf(stderr, "fixture: %s\n", gr_error_last());
		exit(2);
	}
	gr_auth_on_change(f->auth, on_change, f);
}

static void fixture_close(struct fixture *f)
{
	gr_workers_stop(f->workers);
	gr_accounts_free(f->accounts);
	gr_auth_free(f->auth);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
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

/* Uses a reset link and waits for its answer (at most ~5 s). */
static struct outcome use_link(struct fixture *f, const char *token, const char *password)
{
	struct timespec pause = { 0, 2000000L };
	struct outcome outcome;

	memset(&outcome, 0, sizeof outcome);
	gr_accounts_reset_use(f->accounts, token, password, on_done, &outcome);
	for (int i = 0; i < 2500 && outcome.calls == 0; i++)
		if (gr_workers_complete(f->workers) == 0 && outcome.calls == 0)
			nanosleep(&pause, NULL);
	CHECK_INT(outcome.calls, ==, 1);
	return outcome;
}

/* A session for user, as a sign-in would leave it. */
static void add_session(struct fixture *f, const struct gr_user *user, const char *token)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];

	gr_secret_token_hash(hash, token);
	CHECK_INT(gr_store_session_insert(f->store, hash, user->id, fake_now, fake_now + 30 * 24 * HOUR),
		  ==, 0);
}

static int64_t sessions_of(struct fixture *f, const struct gr_user *user)
{
	int64_t count = -1;

	CHECK_INT(gr_store_session_count(f->store, &count, user->id, fake_now), ==, 0);
	return count;
}

static int signs_in_with(struct fixture *f, const char *handle, const char *password)
{
	struct gr_user user;

	return gr_store_user_by_handle(f->store, &user, handle) == 0 &&
	       gr_secret_password_verify(user.password_hash, password) == 0;
}

static void test_reset_link_used_once(void)
{
	struct fixture f;
	char token[GR_TOKEN_TEXT_SIZE], sql[256];
	struct gr_user lena, got;
	struct gr_reset reset;
	struct outcome outcome;

	fixture_open(&f);
	lena = add_user(&f, "lena", GR_ROLE_LEARNER, "autumn");
	add_session(&f, &lena, "tab-one");
	add_session(&f, &lena, "tab-two");
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, NULL, "lena"), ==, 0);
	CHECK_STR(got.handle, "lena");
	CHECK_INT(reset.expires_at, ==, fake_now + 24 * HOUR);
	CHECK_INT(gr_reset_check(&reset), ==, 0);
	/* Only a hash of the token is kept. */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM password_resets WHERE token_hash = '%s'", token);
	CHECK_INT(query_int(f.path, sql), ==, 0);
	CHECK_INT(query_int(f.path, "SELECT length(token_hash) FROM password_resets"), ==, 32);

	/* A short password is refused naming its field, and the link stays usable. */
	outcome = use_link(&f, token, "short");
	CHECK_INT(outcome.result.status, ==, GR_EINVALID);
	CHECK_STR(outcome.result.field, "password");
	CHECK_INT(sessions_of(&f, &lena), ==, 2);

	fake_now += HOUR;
	outcome = use_link(&f, token, "a brand new password");
	CHECK_INT(outcome.result.status, ==, 0);
	CHECK_STR(outcome.result.user.handle, "lena");
	CHECK(signs_in_with(&f, "lena", "a brand new password"));
	CHECK_INT(sessions_of(&f, &lena), ==, 0);
	CHECK_INT(f.ended, ==, 1);
	CHECK_INT(f.ended_user, ==, lena.id);

	/* Used: refused, whatever the password, and nothing changes. */
	outcome = use_link(&f, token, "yet another password");
	CHECK_INT(outcome.result.status, ==, GR_EUSED);
	CHECK_STR(outcome.result.field, "token");
	CHECK(strstr(outcome.result.message, "used already") != NULL);
	CHECK(signs_in_with(&f, "lena", "a brand new password"));
	CHECK_INT(gr_accounts_reset_check(f.accounts, &got, &reset, token), ==, GR_EUSED);
	CHECK_INT(gr_accounts_reset_check(f.accounts, &got, &reset, "no-such-token"), ==,
		  GR_ENOTFOUND);
	fixture_close(&f);
}

static void test_reset_link_expires_after_a_day(void)
{
	struct fixture f;
	char token[GR_TOKEN_TEXT_SIZE];
	struct gr_user got;
	struct gr_reset reset;
	struct outcome outcome;

	fixture_open(&f);
	add_user(&f, "sam", GR_ROLE_LEARNER, "autumn");
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, NULL, "sam"), ==, 0);
	fake_now += 24 * HOUR - 1; /* the last moment it works */
	CHECK_INT(gr_accounts_reset_check(f.accounts, &got, &reset, token), ==, 0);
	fake_now += 1;
	CHECK_INT(gr_accounts_reset_check(f.accounts, &got, &reset, token), ==, GR_EEXPIRED);
	CHECK(strstr(gr_error_last(), "24 hours") != NULL);
	outcome = use_link(&f, token, "a brand new password");
	CHECK_INT(outcome.result.status, ==, GR_EEXPIRED);
	CHECK(signs_in_with(&f, "sam", PASSWORD));
	fixture_close(&f);
}

static void test_newer_link_replaces_older(void)
{
	struct fixture f;
	char first[GR_TOKEN_TEXT_SIZE], second[GR_TOKEN_TEXT_SIZE];
	struct gr_user got;
	struct gr_reset reset;

	fixture_open(&f);
	add_user(&f, "rita", GR_ROLE_LEARNER, "autumn");
	CHECK_INT(gr_accounts_reset_create(f.accounts, first, &reset, &got, NULL, "rita"), ==, 0);
	fake_now += 1000;
	CHECK_INT(gr_accounts_reset_create(f.accounts, second, &reset, &got, NULL, "rita"), ==, 0);
	CHECK_INT(gr_accounts_reset_check(f.accounts, &got, &reset, first), ==, GR_ECONFLICT);
	CHECK(strstr(gr_error_last(), "newer reset link") != NULL);
	CHECK_INT(reset.replaced_at, ==, fake_now);
	CHECK_INT(gr_reset_check(&reset), ==, 0);
	CHECK_INT(use_link(&f, first, "a brand new password").result.status, ==, GR_ECONFLICT);
	CHECK_INT(use_link(&f, second, "a brand new password").result.status, ==, 0);
	fixture_close(&f);
}

static void test_who_may_make_links(void)
{
	struct fixture f;
	char token[GR_TOKEN_TEXT_SIZE];
	struct gr_user mona, admin, lena, got;
	struct gr_reset reset;

	fixture_open(&f);
	mona = add_user(&f, "mona", GR_ROLE_COACH, "autumn");
	admin = add_user(&f, "boss", GR_ROLE_ADMIN, "");
	lena = add_user(&f, "lena", GR_ROLE_LEARNER, "autumn");
	add_user(&f, "lars", GR_ROLE_LEARNER, "spring");
	add_user(&f, "carl", GR_ROLE_COACH, "autumn");
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, &mona, "lena"), ==, 0);
	CHECK_INT(reset.created_by, ==, mona.id);
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, &mona, "lars"), ==,
		  GR_EFORBIDDEN);
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, &mona, "carl"), ==,
		  GR_EFORBIDDEN); /* a coach, though of her cohort */
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, &lena, "lars"), ==,
		  GR_EFORBIDDEN);
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, &admin, "carl"), ==, 0);
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, &admin, "nobody"), ==,
		  GR_ENOTFOUND);
	CHECK(strstr(gr_error_last(), "no user 'nobody'") != NULL);
	/* A disabled account cannot be reset by its link. */
	CHECK_INT(gr_accounts_reset_create(f.accounts, token, &reset, &got, &admin, "lars"), ==, 0);
	CHECK_INT(gr_accounts_user_disable(f.accounts, &got, "lars"), ==, 0);
	CHECK_INT(gr_accounts_reset_check(f.accounts, &got, &reset, token), ==, GR_EFORBIDDEN);
	fixture_close(&f);
}

static void test_cohort_rename_moves_everything(void)
{
	struct fixture f;
	char code[GR_TOKEN_TEXT_SIZE], text[64];
	const char *field = NULL;
	struct gr_invite invite;
	struct gr_user mona;
	int coaches = 0, exists = 0;

	fixture_open(&f);
	mona = add_user(&f, "mona", GR_ROLE_COACH, "autumn");
	add_user(&f, "lena", GR_ROLE_LEARNER, "autumn");
	add_user(&f, "lars", GR_ROLE_LEARNER, "spring");
	CHECK_INT(gr_auth_invite_create(f.auth, code, &invite, NULL, GR_ROLE_LEARNER, "autumn", 0), ==,
		  0);
	CHECK_INT(gr_accounts_cohort_add(f.accounts, NULL, &field, "autumn", NULL), ==, GR_EEXISTS);
	CHECK_STR(field, "name");
	CHECK_INT(gr_accounts_cohort_add(f.accounts, NULL, &field, "bad\tname", NULL), ==, GR_EINVALID);
	CHECK_INT(gr_accounts_cohort_add(f.accounts, &mona, &field, "winter", NULL), ==, GR_EFORBIDDEN);
	CHECK_INT(gr_accounts_cohort_add(f.accounts, NULL, &field, "winter", "Nowhere"), ==, GR_EINVALID);
	CHECK_STR(field, "centre");

	CHECK_INT(gr_accounts_cohort_rename(f.accounts, "autumn", "spring"), ==, GR_EEXISTS);
	CHECK_INT(gr_accounts_cohort_rename(f.accounts, "nope", "winter"), ==, GR_ENOTFOUND);
	CHECK_INT(gr_accounts_cohort_rename(f.accounts, "autumn", ""), ==, GR_EINVALID);
	/* Refused renames left every reference where it was. */
	CHECK_INT(query_int(f.path, "SELECT count(*) FROM users WHERE cohort = 'autumn'"), ==, 2);

	CHECK_INT(gr_accounts_cohort_rename(f.accounts, "autumn", "autumn-2026"), ==, 0);
	CHECK_INT(query_int(f.path, "SELECT count(*) FROM users WHERE cohort = 'autumn-2026'"), ==, 2);
	CHECK_INT(query_int(f.path, "SELECT count(*) FROM invites WHERE cohort = 'autumn-2026'"), ==, 1);
	CHECK_INT(query_int(f.path, "SELECT count(*) FROM users WHERE cohort = 'spring'"), ==, 1);
	CHECK_INT(gr_store_user_coaches(f.store, &coaches, mona.id, "autumn-2026"), ==, 0);
	CHECK_INT(coaches, ==, 1);
	CHECK_INT(gr_store_cohort_exists(f.store, &exists, "autumn"), ==, 0);
	CHECK_INT(exists, ==, 0);
	CHECK_STR(query_text(text, sizeof text, f.path, "SELECT group_concat(name) FROM"
			     " (SELECT name FROM cohorts ORDER BY name)"), "autumn-2026,spring");

	/* One transaction: a rename that fails half-way leaves all as it was. */
	CHECK_INT(exec_sql(f.path, "CREATE TRIGGER no_winter BEFORE UPDATE ON coach_cohorts"
				   " WHEN NEW.cohort = 'winter' BEGIN SELECT RAISE(ABORT, 'no'); END;"),
		  ==, 0);
	CHECK(gr_accounts_cohort_rename(f.accounts, "autumn-2026", "winter") < 0);
	CHECK_INT(query_int(f.path, "SELECT count(*) FROM users WHERE cohort = 'autumn-2026'"), ==, 2);
	CHECK_INT(query_int(f.path, "SELECT count(*) FROM cohorts WHERE name = 'winter'"), ==, 0);
	fixture_close(&f);
}

static int count_session(const struct gr_accounts_session *session, void *payload)
{
	int *counts = payload;

	counts[0]++;
	counts[1] += session->current;
	return 0;
}

static void test_profile_and_sessions(void)
{
	struct fixture f;
	struct gr_user lena, stored;
	const char *field = NULL;
	int counts[2] = { 0, 0 }, ended = -1;

	fixture_open(&f);
	lena = add_user(&f, "lena", GR_ROLE_LEARNER, "autumn");
	CHECK_INT(gr_accounts_set_profile(f.accounts, &lena, &field, "", NULL), ==, GR_EINVALID);
	CHECK_STR(field, "display_name");
	CHECK_INT(gr_accounts_set_profile(f.accounts, &lena, &field, NULL, "fr"), ==, GR_EINVALID);
	CHECK_STR(field, "language");
	CHECK_INT(gr_accounts_set_profile(f.accounts, &lena, &field, "Lena B.", "nl"), ==, 0);
	CHECK_INT(gr_store_user_by_handle(f.store, &stored, "lena"), ==, 0);
	CHECK_STR(stored.display_name, "Lena B.");
	CHECK_STR(stored.language, "nl");
	CHECK_INT(gr_accounts_set_profile(f.accounts, &lena, &field, NULL, ""), ==, 0);
	CHECK_INT(gr_store_user_by_handle(f.store, &stored, "lena"), ==, 0);
	CHECK_STR(stored.language, "");

	add_session(&f, &lena, "laptop");
	add_session(&f, &lena, "phone");
	add_session(&f, &lena, "library");
	gr_accounts_session_seen(f.accounts, "phone", "Mozilla/5.0 (Linux; Android 14) Chrome/120");
	CHECK_INT(query_int(f.path, "SELECT count(*) FROM sessions WHERE agent = 'Chrome on Android'"),
		  ==, 1);
	CHECK_INT(gr_accounts_sessions(f.accounts, &lena, "laptop", count_session, counts), ==, 0);
	CHECK_INT(counts[0], ==, 3);
	CHECK_INT(counts[1], ==, 1);
	CHECK_INT(gr_accounts_end_other_sessions(f.accounts, &ended, &lena, "laptop"), ==, 0);
	CHECK_INT(ended, ==, 2);
	CHECK_INT(sessions_of(&f, &lena), ==, 1);
	CHECK_INT(f.ended, ==, 1);
	fixture_close(&f);
}

static void test_agent_names(void)
{
	static const char *const cases[][2] = {
		{ "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		  "Firefox on Linux" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
		  " Chrome/120.0.0.0 Safari/537.36 Edg/120.0",
		  "Edge on Windows" },
		{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
		  " Version/17.0 Mobile/15E148 Safari/604.1",
		  "Safari on iPhone" },
		{ "curl/8.1", "curl/8.1" },
	};
	char name[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		gr_accounts_agent_name(name, sizeof name, cases[i][0]);
		CHECK_STR(name, cases[i][1]);
	}
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	if (gr_secret_init() != 0)
		return 2;
	RUN(test_reset_link_used_once);
	RUN(test_reset_link_expires_after_a_day);
	RUN(test_newer_link_replaces_older);
	RUN(test_who_may_make_links);
	RUN(test_cohort_rename_moves_everything);
	RUN(test_profile_and_sessions);
	RUN(test_agent_names);
	return harness_done();
}
