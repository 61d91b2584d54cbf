/* Tests for store/invite.h: storing, finding, spending and listing invites. */
#include "harness.h"
#include "scratch.h"

#include "core/account.h"
#include "core/error.h"
#include "store/invite.h"
#include "store/user.h"

static void test_invites(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user coach = make_user("coach", GR_ROLE_COACH);
	struct gr_user learner = make_user("learner", GR_ROLE_LEARNER);
	struct gr_invite invite, got;
	unsigned char code[GR_TOKEN_HASH_SIZE], other[GR_TOKEN_HASH_SIZE];

	CHECK_INT(gr_store_user_insert(store, &coach), ==, 0);
	memset(&invite, 0, sizeof invite);
	invite.role = GR_ROLE_LEARNER;
	snprintf(invite.cohort, sizeof invite.cohort, "autumn");
	invite.created_at = 100;
	invite.expires_at = 900;
	hash_of(code, 1);
	hash_of(other, 2);
	CHECK_INT(gr_store_invite_insert(store, &invite, code, coach.id), ==, 0);
	CHECK_INT(invite.id, >, 0);

	CHECK_INT(gr_store_invite_by_hash(store, &got, code), ==, 0);
	CHECK_INT(got.id, ==, invite.id);
	CHECK_INT(got.role, ==, GR_ROLE_LEARNER);
	CHECK_STR(got.cohort, "autumn");
	CHECK_INT(got.created_at, ==, 100);
	CHECK_INT(got.expires_at, ==, 900);
	CHECK_INT(got.used_at, ==, 0);
	CHECK_STR(got.created_by, "coach");
	CHECK_STR(got.used_by, "");
	CHECK_INT(gr_store_invite_by_hash(store, &got, other), ==, GR_ENOTFOUND);

	CHECK_INT(gr_store_user_insert(store, &learner), ==, 0);
	CHECK_INT(gr_store_invite_use(store, invite.id, learner.id, 500), ==, 0);
	CHECK_INT(gr_store_invite_use(store, invite.id, learner.id, 600), ==, GR_EUSED);
	CHECK_INT(gr_store_invite_by_hash(store, &got, code), ==, 0);
	CHECK_INT(got.used_at, ==, 500);
	CHECK_STR(got.used_by, "learner");

	/* An invite from the operator's tool has no creator. */
	memset(&invite, 0, sizeof invite);
	invite.role = GR_ROLE_ADMIN;
	invite.created_at = 200;
	invite.expires_at = 900;
	CHECK_INT(gr_store_invite_insert(store, &invite, other, 0), ==, 0);
	CHECK_INT(gr_store_invite_by_hash(store, &got, other), ==, 0);
	CHECK_STR(got.created_by, "");
	CHECK_INT(got.role, ==, GR_ROLE_ADMIN);
	/* The same code twice is refused. */
	CHECK_INT(gr_store_invite_insert(store, &invite, other, 0), !=, 0);

	/* A coach's invite names a centre: kept by id, read by its name; none is "". */
	memset(&invite, 0, sizeof invite);
	invite.role = GR_ROLE_COACH;
	invite.created_at = 300;
	invite.expires_at = 900;
	snprintf(invite.centre, sizeof invite.centre, "Main centre");
	hash_of(code, 3);
	CHECK_INT(gr_store_invite_insert(store, &invite, code, 0), ==, 0);
	CHECK_INT(gr_store_invite_by_id(store, &got, invite.id), ==, 0);
	CHECK_STR(got.centre, "Main centre");
	CHECK_INT(query_int(db_path(dir, "grounds.db"),
			    "SELECT count(*) FROM invites WHERE centre_id = 1"), ==, 1);
	CHECK_INT(gr_store_invite_by_hash(store, &got, other), ==, 0);
	CHECK_STR(got.centre, "");

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

int main(void)
{
	RUN(test_invites);
	return harness_done();
}
