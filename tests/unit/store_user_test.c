/* Tests for store/user.h and store/session.h: users (insert, find, count,
 * disable, list, change), who coaches which cohort, and the sessions that
 * sign them in. */
#include "harness.h"
#include "scratch.h"

#include "core/account.h"
#include "core/error.h"
#include "store/cohort.h"
#include "store/session.h"
#include "store/user.h"

static void test_users(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user ada = make_user("ada", GR_ROLE_COACH);
	struct gr_user dup = make_user("ada", GR_ROLE_LEARNER);
	struct gr_user bob = make_user("bob", GR_ROLE_LEARNER);
	struct gr_user got;
	unsigned char token[GR_TOKEN_HASH_SIZE];
	int64_t count = -1;

	snprintf(ada.cohort, sizeof ada.cohort, "spring");
	CHECK_INT(gr_store_user_insert(store, &ada), ==, 0);
	CHECK_INT(ada.id, >, 0);
	CHECK_INT(gr_store_user_insert(store, &dup), ==, GR_EEXISTS);
	CHECK_CONTAINS(gr_error_last(), "ada");
	CHECK_INT(gr_store_user_insert(store, &bob), ==, 0);
	CHECK_INT(bob.id, !=, ada.id);
	CHECK_INT(gr_store_user_count(store, &count), ==, 0);
	CHECK_INT(count, ==, 2);

	CHECK_INT(gr_store_user_by_handle(store, &got, "ada"), ==, 0);
	CHECK_INT(got.id, ==, ada.id);
	CHECK_STR(got.handle, "ada");
	CHECK_STR(got.display_name, "Name of ada");
	CHECK_INT(got.role, ==, GR_ROLE_COACH);
	CHECK_STR(got.cohort, "spring");
	CHECK_STR(got.password_hash, "hash-ada");
	CHECK_INT(got.created_at, ==, 1000);
	CHECK_INT(got.disabled_at, ==, 0);
	CHECK_INT(gr_store_user_by_handle(store, &got, "bob"), ==, 0);
	CHECK_STR(got.cohort, "");
	CHECK_INT(got.role, ==, GR_ROLE_LEARNER);
	CHECK_INT(gr_store_user_by_handle(store, &got, "nobody"), ==, GR_ENOTFOUND);

	/* Disabling ends sessions and marks the user. */
	hash_of(token, 7);
	CHECK_INT(gr_store_session_insert(store, token, ada.id, 1000, 5000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, token, 2000), ==, 0);
	CHECK_INT(gr_store_user_disable(store, "ada", 3000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, token, 2000), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_user_by_handle(store, &got, "ada"), ==, 0);
	CHECK_INT(got.disabled_at, ==, 3000);
	CHECK_INT(gr_store_user_disable(store, "nobody", 3000), ==, GR_ENOTFOUND);
	/* A new session of a disabled user is not valid either. */
	hash_of(token, 8);
	CHECK_INT(gr_store_session_insert(store, token, ada.id, 1000, 5000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, token, 2000), ==, GR_ENOTFOUND);
	/* bob is untouched. */
	CHECK_INT(gr_store_user_by_handle(store, &got, "bob"), ==, 0);
	CHECK_INT(got.disabled_at, ==, 0);

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static int count_user(const struct gr_user *user, void *payload)
{
	char *order = payload;

	strcat(order, user->handle);
	strcat(order, ",");
	return 0;
}

static void test_user_each(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user c = make_user("cat", GR_ROLE_LEARNER);
	struct gr_user a = make_user("ann", GR_ROLE_ADMIN);
	char order[64] = "";

	CHECK_INT(gr_store_user_insert(store, &c), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &a), ==, 0);
	CHECK_INT(gr_store_user_each(store, count_user, order), ==, 0);
	CHECK_STR(order, "ann,cat,");
	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

static int count_calls(const struct gr_user *user, void *payload)
{
	(void)user;
	(*(int *)payload)++;
	return 0;
}

/* A role this grounds does not know fails the read, and a listing, instead of ending it quietly. */
static void test_unknown_role(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user ann = make_user("ann", GR_ROLE_LEARNER);
	struct gr_user zed = make_user("zed", GR_ROLE_LEARNER);
	struct gr_user got;
	int calls = 0;

	CHECK_INT(gr_store_user_insert(store, &ann), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &zed), ==, 0);
	CHECK_INT(exec_sql(db_path(dir, "grounds.db"),
			   "UPDATE users SET role = 'wizard' WHERE handle = 'zed'"),
		  ==, 0);
	CHECK_INT(gr_store_user_by_handle(store, &got, "zed"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "wizard");
	CHECK_INT(gr_store_user_by_handle(store, &got, "ann"), ==, 0);
	CHECK_INT(gr_store_user_each(store, count_calls, &calls), ==, GR_EINVALID);
	CHECK_INT(calls, ==, 1); /* ann, then zed's row fails */
	close_fresh(store, dir);
}

static int collect_cohort(const char *cohort, void *payload)
{
	char *list = payload;

	strcat(list, cohort);
	strcat(list, ";");
	return 0;
}

static void test_changes_and_coaching(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user ada = make_user("ada", GR_ROLE_COACH);
	struct gr_user bob = make_user("bob", GR_ROLE_ADMIN);
	struct gr_user got;
	unsigned char one[GR_TOKEN_HASH_SIZE], two[GR_TOKEN_HASH_SIZE];
	char list[128] = "";
	int64_t count = -1;
	int coaches = -1;

	CHECK_INT(gr_store_user_insert(store, &ada), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &bob), ==, 0);
	CHECK_INT(gr_store_user_count_admins(store, &count), ==, 0);
	CHECK_INT(count, ==, 1);

	/* A coach coaches the cohorts given (records, in the default centre), and only those. */
	for (const char *const *name = (const char *const[]){ "autumn", "spring", "winter", NULL };
	     *name; name++)
		CHECK_INT(gr_store_cohort_add(store, *name, 1, 1000), ==, 0);
	CHECK_INT(gr_store_user_coaches(store, &coaches, ada.id, "autumn"), ==, 0);
	CHECK_INT(coaches, ==, 0);
	CHECK_INT(gr_store_user_add_coached(store, ada.id, "autumn"), ==, 0);
	CHECK_INT(gr_store_user_add_coached(store, ada.id, "autumn"), ==, 0); /* once */
	CHECK_INT(gr_store_user_add_coached(store, ada.id, "spring"), ==, 0);
	CHECK_INT(gr_store_user_coaches(store, &coaches, ada.id, "autumn"), ==, 0);
	CHECK_INT(coaches, ==, 1);
	CHECK_INT(gr_store_user_coaches(store, &coaches, bob.id, "autumn"), ==, 0);
	CHECK_INT(coaches, ==, 0);
	CHECK_INT(gr_store_user_each_coached(store, ada.id, collect_cohort, list), ==, 0);
	CHECK_STR(list, "autumn;spring;");
	CHECK_INT(gr_store_user_set_coached(store, ada.id, "winter"), ==, 0);
	list[0] = '\0';
	CHECK_INT(gr_store_user_each_coached(store, ada.id, collect_cohort, list), ==, 0);
	CHECK_STR(list, "winter;");
	CHECK_INT(gr_store_user_set_coached(store, ada.id, NULL), ==, 0);
	list[0] = '\0';
	CHECK_INT(gr_store_user_each_coached(store, ada.id, collect_cohort, list), ==, 0);
	CHECK_STR(list, "");

	/* Role, cohort, password, enabling: by id, GR_ENOTFOUND for none. */
	CHECK_INT(gr_store_user_set_role(store, ada.id, GR_ROLE_LEARNER), ==, 0);
	CHECK_INT(gr_store_user_set_cohort(store, ada.id, "autumn"), ==, 0);
	CHECK_INT(gr_store_user_set_password(store, ada.id, "hash-new"), ==, 0);
	CHECK_INT(gr_store_user_by_id(store, &got, ada.id), ==, 0);
	CHECK_INT(got.role, ==, GR_ROLE_LEARNER);
	CHECK_STR(got.cohort, "autumn");
	CHECK_STR(got.password_hash, "hash-new");
	CHECK_INT(gr_store_user_set_cohort(store, ada.id, NULL), ==, 0);
	CHECK_INT(gr_store_user_by_id(store, &got, ada.id), ==, 0);
	CHECK_STR(got.cohort, "");
	CHECK_INT(gr_store_user_set_role(store, 999, GR_ROLE_ADMIN), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_user_enable(store, 999), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_user_disable(store, "ada", 3000), ==, 0);
	CHECK_INT(gr_store_user_enable(store, ada.id), ==, 0);
	CHECK_INT(gr_store_user_by_id(store, &got, ada.id), ==, 0);
	CHECK_INT(got.disabled_at, ==, 0);

	/* Ending a user's sessions, all or all but one. */
	hash_of(one, 1);
	hash_of(two, 2);
	CHECK_INT(gr_store_session_insert(store, one, ada.id, 1000, 5000), ==, 0);
	CHECK_INT(gr_store_session_insert(store, two, ada.id, 1000, 5000), ==, 0);
	CHECK_INT(gr_store_session_count(store, &count, ada.id, 2000), ==, 0);
	CHECK_INT(count, ==, 2);
	CHECK_INT(gr_store_session_end_user(store, ada.id, one), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, one, 2000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, two, 2000), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_session_end_user(store, ada.id, NULL), ==, 0);
	CHECK_INT(gr_store_session_count(store, &count, ada.id, 2000), ==, 0);
	CHECK_INT(count, ==, 0);
	close_fresh(store, dir);
}

struct ids {
	int64_t id[4];
	int count;
};

static int add_id(int64_t id, void *payload)
{
	struct ids *ids = payload;

	if (ids->count < 4)
		ids->id[ids->count] = id;
	ids->count++;
	return 0;
}

/*
 * The disabled learners, which the review engine's tick reads every minute
 * on the event loop, come from an index of the disabled users alone, not a
 * scan of every user.
 */
static void test_disabled_learners_from_an_index(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	const char *handles[] = {"ada", "bo", "cy", "dee"};
	struct gr_user users[4];
	struct ids ids = {0};
	char plan[512];

	for (int i = 0; i < 4; i++) {
		users[i] = make_user(handles[i], i == 3 ? GR_ROLE_COACH : GR_ROLE_LEARNER);
		CHECK_INT(gr_store_user_insert(store, &users[i]), ==, 0);
	}
	CHECK_INT(gr_store_user_disable(store, "bo", 3000), ==, 0);
	CHECK_INT(gr_store_user_disable(store, "dee", 3000), ==, 0); /* a coach: not listed */
	CHECK_INT(gr_store_user_disabled_learners(store, add_id, &ids), ==, 0);
	CHECK_INT(ids.count, ==, 1);
	CHECK_INT(ids.id[0], ==, users[1].id);
	plan_of(plan, sizeof plan, db_path(dir, "grounds.db"),
		"SELECT id FROM users WHERE role = 'learner' AND disabled_at IS NOT NULL ORDER BY id");
	CHECK_CONTAINS(plan, "users_disabled");
	CHECK_NOT_CONTAINS(plan, "SCAN users;");
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_users);
	RUN(test_user_each);
	RUN(test_changes_and_coaching);
	RUN(test_unknown_role);
	RUN(test_disabled_learners_from_an_index);
	return harness_done();
}
