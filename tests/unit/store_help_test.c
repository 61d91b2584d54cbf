/* Tests for store/help.h: a help request's state as the domain's enum,
 * stored under the state's name, and a stored name this grounds does not
 * know. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "domain/help.h"
#include "store/help.h"
#include "store/user.h"

static int count_rows(const struct gr_store_help *row, void *payload)
{
	(void)row;
	(*(int *)payload)++;
	return 0;
}

static int64_t ask(struct gr_store *store, int64_t user_id, int64_t at)
{
	struct gr_store_help help = { .user_id = user_id, .opened_at = at };

	snprintf(help.track_id, sizeof help.track_id, "web");
	snprintf(help.step_id, sizeof help.step_id, "one");
	snprintf(help.body, sizeof help.body, "My links do not work.");
	help.state = GR_HELP_STATE_EXPIRED; /* insert makes it open whatever it says */
	CHECK_INT(gr_store_help_insert(store, &help), ==, 0);
	CHECK_INT(help.state, ==, GR_HELP_STATE_OPEN);
	return help.id;
}

/* Every state is stored under its name and read back as itself. */
static void test_states_round_trip(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_help help;
	char stored[32];
	int64_t id;

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	id = ask(store, lena.id, 1000);
	CHECK_INT(gr_store_help_get(store, &help, id), ==, 0);
	CHECK_INT(help.state, ==, GR_HELP_STATE_OPEN);
	CHECK_STR(help.body, "My links do not work.");
	for (int state = 0; state < GR_HELP_STATE_COUNT; state++) {
		help.state = (enum gr_help_state)state;
		CHECK_INT(gr_store_help_update(store, &help), ==, 0);
		CHECK_INT(gr_store_help_get(store, &help, id), ==, 0);
		CHECK_INT(help.state, ==, state);
		CHECK_STR(query_text(stored, sizeof stored, db_path(dir, "grounds.db"),
				     "SELECT state FROM help_requests"),
			  gr_help_state_name(help.state));
	}
	CHECK_INT(gr_store_help_get(store, &help, id + 1), ==, GR_ENOTFOUND);
	close_fresh(store, dir);
}

static void test_unknown_state(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_help help;
	int64_t first, second;
	int calls = 0;

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	first = ask(store, lena.id, 1000);
	second = ask(store, lena.id, 2000);
	CHECK_INT(exec_sql(db_path(dir, "grounds.db"),
			   "UPDATE help_requests SET state = 'pondering' WHERE id = 2"),
		  ==, 0);
	CHECK_INT(second, ==, 2);
	CHECK_INT(gr_store_help_get(store, &help, second), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "pondering");
	CHECK_INT(gr_store_help_get(store, &help, first), ==, 0);
	/* Listings select by state in SQL: the unknown one is not among the open. */
	CHECK_INT(gr_store_help_each_open(store, count_rows, &calls), ==, 0);
	CHECK_INT(calls, ==, 1);
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_states_round_trip);
	RUN(test_unknown_state);
	return harness_done();
}
