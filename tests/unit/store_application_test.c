/* Tests for store/application.h: an application stored with its token's
 * hash and read back by it, by id and by centre, a decision written, and
 * the decided ones deleted once old enough (the undecided kept). */
#include "harness.h"
#include "scratch.h"

#include "core/error.h"
#include "store/application.h"
#include "store/centre.h"

struct copy {
	int calls;
	struct gr_application life;
	char name[128], centre[64], message[128], invite_code[64], motivation[128];
};

static int keep(const struct gr_store_application *row, void *payload)
{
	struct copy *c = payload;

	c->calls++;
	c->life = row->life;
	snprintf(c->name, sizeof c->name, "%s", row->name);
	snprintf(c->centre, sizeof c->centre, "%s", row->centre);
	snprintf(c->message, sizeof c->message, "%s", row->message);
	snprintf(c->invite_code, sizeof c->invite_code, "%s", row->invite_code);
	snprintf(c->motivation, sizeof c->motivation, "%s", row->motivation);
	return 0;
}

static void test_store_and_decide(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	const struct gr_application_form form = { "Amal <b>Haddad</b>", "+31 6 1234 5678", NULL,
						  "Line one.\nLine two of my reasons.", "Mornings" };
	unsigned char hash[GR_TOKEN_HASH_SIZE], other[GR_TOKEN_HASH_SIZE];
	struct gr_application life, second;
	struct copy c = { 0 };
	int64_t zuid = 0;

	CHECK_INT(gr_store_centre_add(store, &zuid, "Zuid", "", "", 1000), ==, 0);
	hash_of(hash, 1);
	hash_of(other, 2);
	CHECK_INT(gr_application_submit(&life, 1, 5000), ==, 0);
	CHECK_INT(gr_store_application_insert(store, &life, hash, &form, "nl"), ==, 0);
	CHECK_INT(life.id, >, 0);
	CHECK_INT(gr_application_submit(&second, zuid, 6000), ==, 0);
	CHECK_INT(gr_store_application_insert(store, &second, other, &form, ""), ==, 0);

	CHECK_INT(gr_store_application_by_hash(store, hash, keep, &c), ==, 0);
	CHECK_INT(c.calls, ==, 1);
	CHECK_INT(c.life.id, ==, life.id);
	CHECK_INT(c.life.state, ==, GR_APPLICATION_NEW);
	CHECK_STR(c.name, "Amal <b>Haddad</b>"); /* stored as written: shown as text */
	CHECK_STR(c.centre, GR_STORE_CENTRE_DEFAULT);
	CHECK_STR(c.motivation, "Line one.\nLine two of my reasons.");
	hash_of(other, 3);
	CHECK_INT(gr_store_application_by_hash(store, other, keep, &c), ==, GR_ENOTFOUND);

	c.calls = 0;
	CHECK_INT(gr_store_application_each(store, zuid, keep, &c), ==, 0);
	CHECK_INT(c.calls, ==, 1);
	CHECK_STR(c.centre, "Zuid");
	c.calls = 0;
	CHECK_INT(gr_store_application_each(store, 0, keep, &c), ==, 0);
	CHECK_INT(c.calls, ==, 2);
	CHECK_INT(c.life.id, ==, life.id); /* newest first: the first one last */

	CHECK_INT(gr_application_decline(&life, 4, 7000), ==, 0);
	life.decided_by = 0; /* no such user: kept as none */
	CHECK_INT(gr_store_application_update(store, &life, "We are full this season.", NULL), ==, 0);
	CHECK_INT(gr_store_application_by_id(store, life.id, keep, &c), ==, 0);
	CHECK_INT(c.life.state, ==, GR_APPLICATION_DECLINED);
	CHECK_INT(c.life.decided_at, ==, 7000);
	CHECK_STR(c.message, "We are full this season.");
	CHECK_STR(c.invite_code, "");
	second.id = 999;
	CHECK_INT(gr_store_application_update(store, &second, NULL, NULL), ==, GR_ENOTFOUND);
	close_fresh(store, dir);
}

static void test_purge(void)
{
	char *dir;
	struct gr_store *store = open_fresh(&dir);
	const struct gr_application_form form = { "Amal", NULL, "amal@example.org",
						  "I want to build websites.", "Evenings" };
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	struct gr_application old, recent, open;
	int count = -1;

	hash_of(hash, 1);
	CHECK_INT(gr_application_submit(&old, 1, 1000), ==, 0);
	CHECK_INT(gr_store_application_insert(store, &old, hash, &form, "en"), ==, 0);
	hash_of(hash, 2);
	CHECK_INT(gr_application_submit(&recent, 1, 1000), ==, 0);
	CHECK_INT(gr_store_application_insert(store, &recent, hash, &form, "en"), ==, 0);
	hash_of(hash, 3);
	CHECK_INT(gr_application_submit(&open, 1, 1000), ==, 0);
	CHECK_INT(gr_store_application_insert(store, &open, hash, &form, "en"), ==, 0);
	CHECK_INT(gr_application_decline(&old, 1, 2000), ==, 0);
	old.decided_by = 0;
	CHECK_INT(gr_store_application_update(store, &old, "No.", NULL), ==, 0);
	CHECK_INT(gr_application_decline(&recent, 1, 9000), ==, 0);
	recent.decided_by = 0;
	CHECK_INT(gr_store_application_update(store, &recent, "Not now.", NULL), ==, 0);
	CHECK_INT(gr_store_application_purge(store, 5000, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(gr_store_application_by_id(store, old.id, NULL, NULL), ==, GR_ENOTFOUND);
	count = -1;
	CHECK_INT(gr_store_application_purge(store, 1000000, &count), ==, 0);
	CHECK_INT(count, ==, 1); /* the recent one; the undecided one stays */
	{
		struct copy c = { 0 };

		CHECK_INT(gr_store_application_by_id(store, open.id, keep, &c), ==, 0);
		CHECK_INT(c.life.state, ==, GR_APPLICATION_NEW);
	}
	close_fresh(store, dir);
}

int main(void)
{
	RUN(test_store_and_decide);
	RUN(test_purge);
	return harness_done();
}
