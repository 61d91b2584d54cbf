/* Tests for store/session.h: sessions by token hash, their expiry and pruning. */
#include "harness.h"
#include "scratch.h"

#include "core/account.h"
#include "core/error.h"
#include "store/session.h"
#include "store/user.h"

static void test_sessions(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user user = make_user("sam", GR_ROLE_LEARNER);
	struct gr_user got;
	unsigned char a[GR_TOKEN_HASH_SIZE], b[GR_TOKEN_HASH_SIZE], c[GR_TOKEN_HASH_SIZE];

	CHECK_INT(gr_store_user_insert(store, &user), ==, 0);
	hash_of(a, 0xa);
	hash_of(b, 0xb);
	hash_of(c, 0xc);
	CHECK_INT(gr_store_session_insert(store, a, user.id, 1000, 2000), ==, 0);
	CHECK_INT(gr_store_session_insert(store, b, user.id, 1000, 9000), ==, 0);

	CHECK_INT(gr_store_session_user(store, &got, a, 1999), ==, 0);
	CHECK_STR(got.handle, "sam");
	CHECK_INT(got.id, ==, user.id);
	CHECK_INT(gr_store_session_user(store, &got, a, 2000), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_session_user(store, &got, a, 2500), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_session_user(store, &got, c, 1500), ==, GR_ENOTFOUND);

	/* Prune removes the expired one only: it stays gone even asked "earlier". */
	CHECK_INT(gr_store_session_prune(store, 3000), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, a, 1500), ==, GR_ENOTFOUND);
	CHECK_INT(gr_store_session_user(store, &got, b, 1500), ==, 0);

	CHECK_INT(gr_store_session_delete(store, b), ==, 0);
	CHECK_INT(gr_store_session_user(store, &got, b, 1500), ==, GR_ENOTFOUND);

	gr_store_close(store);
	harness_remove_tree(dir);
	free(dir);
}

int main(void)
{
	RUN(test_sessions);
	return harness_done();
}
