/* Tests for store/notification.h: a user keeps their last few notifications
 * (the oldest forgotten as new ones come, other users' untouched), newest
 * first, with the unread counted and marked read one at a time or all, only
 * the user's own; a kind the table does not know is refused. */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "store/notification.h"
#include "store/user.h"

struct seen {
	int count;
	int64_t first_seq, last_seq;
	int unread;
	char first_body[64];
};

static int note_row(const struct gr_store_notification *row, void *payload)
{
	struct seen *seen = payload;

	if (seen->count++ == 0) {
		seen->first_seq = row->seq;
		snprintf(seen->first_body, sizeof seen->first_body, "%s", row->body);
	}
	seen->last_seq = row->seq;
	seen->unread += row->read_at == 0;
	return 0;
}

static int64_t add(struct gr_store *store, int64_t user_id, const char *kind, int64_t seq, int keep)
{
	struct gr_store_notification row = { .user_id = user_id, .seq = seq, .created_at = seq };
	char body[64];

	snprintf(row.kind, sizeof row.kind, "%s", kind);
	snprintf(body, sizeof body, "{\"seq\":%lld}", (long long)seq);
	row.body = body;
	CHECK_INT(gr_store_notification_insert(store, &row, keep), ==, 0);
	CHECK(row.id > 0);
	return row.id;
}

static void test_bounded_newest_first(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_user sam = make_user("sam", GR_ROLE_LEARNER);
	struct seen seen = { 0 };
	int64_t unread = -1;

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &sam), ==, 0);
	add(store, sam.id, "nudge", 1, 5);
	for (int seq = 1; seq <= 12; seq++)
		add(store, lena.id, seq % 2 ? "verdict" : "review_assigned", seq, 5);
	CHECK_INT(gr_store_notification_each(store, lena.id, 100, note_row, &seen), ==, 0);
	CHECK_INT(seen.count, ==, 5); /* the last five kept */
	CHECK_INT(seen.first_seq, ==, 12); /* newest first */
	CHECK_INT(seen.last_seq, ==, 8);
	CHECK_STR(seen.first_body, "{\"seq\":12}");
	CHECK_INT(gr_store_notification_unread(store, lena.id, &unread), ==, 0);
	CHECK_INT(unread, ==, 5);
	/* Another user's were not forgotten for lena's. */
	CHECK_INT(gr_store_notification_unread(store, sam.id, &unread), ==, 0);
	CHECK_INT(unread, ==, 1);
	/* At most limit listed. */
	memset(&seen, 0, sizeof seen);
	CHECK_INT(gr_store_notification_each(store, lena.id, 2, note_row, &seen), ==, 0);
	CHECK_INT(seen.count, ==, 2);
	close_fresh(store, dir);
}

static void test_read_one_and_all(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_user sam = make_user("sam", GR_ROLE_LEARNER);
	struct gr_store_notification row;
	int64_t first, second, sams, unread = -1;

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	CHECK_INT(gr_store_user_insert(store, &sam), ==, 0);
	first = add(store, lena.id, "nudge", 1, GR_STORE_NOTIFICATION_KEEP);
	second = add(store, lena.id, "help_request", 2, GR_STORE_NOTIFICATION_KEEP);
	sams = add(store, sam.id, "verdict", 1, GR_STORE_NOTIFICATION_KEEP);
	CHECK_INT(gr_store_notification_read(store, lena.id, first, 500), ==, 0);
	CHECK_INT(gr_store_notification_get(store, &row, first), ==, 0);
	CHECK_INT(row.read_at, ==, 500);
	CHECK_INT(row.user_id, ==, lena.id);
	CHECK_STR(row.kind, "nudge");
	/* Read stays read at its first time. */
	CHECK_INT(gr_store_notification_read(store, lena.id, first, 900), ==, 0);
	CHECK_INT(gr_store_notification_get(store, &row, first), ==, 0);
	CHECK_INT(row.read_at, ==, 500);
	/* Marking another user's id as lena changes nothing. */
	CHECK_INT(gr_store_notification_read(store, lena.id, sams, 600), ==, 0);
	CHECK_INT(gr_store_notification_unread(store, sam.id, &unread), ==, 0);
	CHECK_INT(unread, ==, 1);
	/* All of lena's, and only hers. */
	CHECK_INT(gr_store_notification_read(store, lena.id, 0, 700), ==, 0);
	CHECK_INT(gr_store_notification_unread(store, lena.id, &unread), ==, 0);
	CHECK_INT(unread, ==, 0);
	CHECK_INT(gr_store_notification_get(store, &row, second), ==, 0);
	CHECK_INT(row.read_at, ==, 700);
	CHECK_INT(gr_store_notification_unread(store, sam.id, &unread), ==, 0);
	CHECK_INT(unread, ==, 1);
	CHECK_INT(gr_store_notification_get(store, &row, sams + 100), ==, GR_ENOTFOUND);
	close_fresh(store, dir);
}

static void test_unknown_kind_refused(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	struct gr_user lena = make_user("lena", GR_ROLE_LEARNER);
	struct gr_store_notification row = { .seq = 1, .body = "{}", .created_at = 1 };

	CHECK_INT(gr_store_user_insert(store, &lena), ==, 0);
	row.user_id = lena.id;
	snprintf(row.kind, sizeof row.kind, "progress");
	CHECK(gr_store_notification_insert(store, &row, GR_STORE_NOTIFICATION_KEEP) != 0);
	CHECK_INT(query_int(db_path(dir, "grounds.db"), "SELECT count(*) FROM notifications"), ==, 0);
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_bounded_newest_first);
	RUN(test_read_one_and_all);
	RUN(test_unknown_kind_refused);
	return harness_done();
}
