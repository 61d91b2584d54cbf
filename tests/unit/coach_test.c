/*
 * coach_test.c - the services a coach works with, together, as main.c
 * wires them: the help desk (daemon/services/helpdesk.c), the board
 * (board.c) and nudges (nudges.c), behind the live service, with the review
 * service, a real store in a temporary directory, a track loaded from
 * a fixture git repository, a fake clock, and clients that are plain
 * structs talking the websocket protocol: a help request is told to the
 * least busy online peers in waves and expires; one peer accepts and only
 * the two may write; every move of a request goes through domain/help.c
 * (its refusals, and a life breaking an invariant is never stored); the
 * board summary's attention list (stuck, inactive, help requests) and
 * review counts, for one cohort only; the summary push to a watched board,
 * sent when it changed and not more often; nudges live and in hello;
 * board.get for coaches only, with who is online and where.
 */
#include "core/error.h"
#include "tracks/git.h"
#include "tracks/library.h"
#include "services/live.h"
#include "core/log.h"
#include "services/reviews.h"
#include "store/cohort.h"
#include "store/help.h"
#include "store/progress.h"
#include "store/store.h"
#include "store/user.h"
#include "core/workers.h"

#include "client.h"
#include "demo.h"
#include "harness.h"

#include <jansson.h>
#include <stdarg.h>

#define SECOND_MS 1000LL
#define MINUTE_MS (60 * SECOND_MS)
#define HOUR_MS (60 * MINUTE_MS)
#define DAY_MS (24 * HOUR_MS)
/* A busy board's summary at most this often (daemon/services/live.c, docs/protocol.md). */
#define SUMMARY_BUSY_MS (10 * SECOND_MS)

/* Learners of cohort c1 (lena first, so by id: lena, ana, ben, cal, dev, eli), zoe of c2, kim a
 * coach. */
enum { LENA, ANA, BEN, CAL, DEV, ELI, ZOE, KIM, PEOPLE };

static const char *const handles[PEOPLE] = {"lena", "ana", "ben", "cal",
					    "dev",  "eli", "zoe", "kim"};

struct fixture {
	char *dir;
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_library *library;
	struct demo_services services;
	struct gr_reviews *reviews;
	struct gr_board *board;
	struct gr_helpdesk *helpdesk;
	struct gr_live *live;
	struct gr_user users[PEOPLE];
	struct gr_client clients[PEOPLE];
	int connected[PEOPLE];
	int off_loop; /* the live service has the worker pool: summaries and renders go there */
	struct gr_client second; /* lena's second connection */
	int second_open;
};

/* A track "demo": two lessons, and a project needing 1 review with a 1-item checklist. */
static void make_track(const char *dir)
{
	harness_write_file(dir, "track.md",
		   "# Demo\n\nA demo track.\n\n## Basics\n\n- [One](one.md)\n- [Two](two.md)\n"
		   "- [Project](project.md)\n");
	harness_write_file(dir, "one.md", "---\nid: one\n---\n# One\n\nFirst.\n");
	harness_write_file(dir, "two.md", "---\nid: two\n---\n# Two\n\nSecond.\n");
	harness_write_file(dir, "project.md",
		   "---\nid: project\nkind: project\nreviews: 1\n---\n# Project\n\nMake it.\n\n"
		   "## Review checklist\n\n- [ ] It works\n");
	harness_git_commit(dir);
}

static void add_user(struct fixture *f, int who)
{
	struct gr_user *user = &f->users[who];

	memset(user, 0, sizeof(*user));
	snprintf(user->handle, sizeof(user->handle), "%s", handles[who]);
	snprintf(user->display_name, sizeof(user->display_name), "%c%s", handles[who][0] - 32,
		 handles[who] + 1);
	snprintf(user->cohort, sizeof(user->cohort), "%s", who == ZOE ? "c2" : "c1");
	snprintf(user->password_hash, sizeof(user->password_hash), "x");
	user->role = who == KIM ? GR_ROLE_COACH : GR_ROLE_LEARNER;
	user->created_at = fake_now;
	/* Cohorts are records, in the default centre; a coach coaches within their centres. */
	CHECK(gr_store_cohort_add(f->store, user->cohort, 1, fake_now) != GR_ERROR);
	CHECK_INT(gr_store_user_insert(f->store, user), ==, 0);
	if (who == KIM) /* kim coaches c1 only */
		CHECK_INT(gr_store_user_add_coached(f->store, user->id, "c1"), ==, 0);
}

/* The review, coach and live services; help as given, attention after 3 days. */
static void services_start(struct fixture *f, const struct gr_help_settings *help)
{
	struct gr_reviews_settings review_settings;
	struct gr_board_settings board_settings;
	struct gr_helpdesk_settings helpdesk_settings;
	struct demo_wiring wiring;

	gr_reviews_settings_defaults(&review_settings);
	review_settings.clock = fake_clock;
	gr_board_settings_defaults(&board_settings);
	board_settings.clock = fake_clock;
	board_settings.inactive_days = 3;
	board_settings.workers = f->off_loop ? f->workers : NULL; /* board.get made there */
	gr_helpdesk_settings_defaults(&helpdesk_settings);
	helpdesk_settings.clock = fake_clock;
	if (help)
		helpdesk_settings.help = *help;
	demo_wiring_defaults(&wiring);
	wiring.live.workers = f->off_loop ? f->workers : NULL;
	wiring.reviews = &review_settings;
	wiring.board = &board_settings;
	wiring.helpdesk = &helpdesk_settings;
	demo_services_start(&f->services, f->store, f->library, &wiring);
	f->reviews = f->services.reviews;
	f->board = f->services.board;
	f->helpdesk = f->services.helpdesk;
	f->live = f->services.live;
}

static void services_stop(struct fixture *f)
{
	for (int i = 0; i < PEOPLE; i++)
		if (f->connected[i])
			gr_live_client_close(f->live, &f->clients[i]);
	if (f->second_open)
		gr_live_client_close(f->live, &f->second);
	memset(f->connected, 0, sizeof(f->connected));
	f->second_open = 0;
	demo_services_stop(&f->services);
	f->live = NULL;
	f->board = NULL;
	f->helpdesk = NULL;
	f->reviews = NULL;
}

static void fixture_open_with(struct fixture *f, const struct gr_help_settings *help,
			      int off_loop)
{
	char db[512];

	memset(f, 0, sizeof(*f));
	f->off_loop = off_loop;
	f->dir = harness_temp_dir();
	demo_open(f->dir, make_track, db, sizeof db, &f->store, &f->workers, &f->library);
	for (int who = 0; who < PEOPLE; who++)
		add_user(f, who);
	services_start(f, help);
}

static void fixture_open(struct fixture *f, const struct gr_help_settings *help)
{
	fixture_open_with(f, help, 0);
}

static void fixture_close(struct fixture *f)
{
	services_stop(f);
	gr_library_free(f->library);
	gr_workers_stop(f->workers);
	gr_store_close(f->store);
	harness_remove_tree(f->dir);
	free(f->dir);
}

static void say_on(struct fixture *f, struct gr_client *client, const char *text)
{
	gr_live_receive(f->live, client, text, strlen(text));
}

/* Open a connection for who on client and say hello; the hello reply (caller decrefs). */
static json_t *hello_on(struct fixture *f, struct gr_client *client, int who)
{
	json_t *reply;

	memset(client, 0, sizeof(*client));
	client->user = f->users[who];
	CHECK_INT(gr_live_client_open(f->live, client), ==, 0);
	say_on(f, client, "{\"type\":\"hello\",\"id\":1}");
	gr_live_flush(f->live);
	reply = next(client);
	CHECK(reply != NULL);
	CHECK_STR(text_of(reply, "type"), "ok");
	drain(client);
	return reply;
}

static void connect_user(struct fixture *f, int who)
{
	json_decref(hello_on(f, &f->clients[who], who));
	f->connected[who] = 1;
}

/*
 * Send a request and expect its reply with code ("ok" or an error code);
 * the caller decrefs. Pushes queued before the reply are skipped.
 */
static json_t *request(struct fixture *f, int who, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static json_t *request(struct fixture *f, int who, const char *expected, const char *fmt, ...)
{
	char text[4096];
	json_t *reply;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	say_on(f, &f->clients[who], text);
	if (f->off_loop)
		demo_drain_workers(f->workers);
	gr_live_flush(f->live);
	while ((reply = next(&f->clients[who])) != NULL &&
	       strcmp(text_of(reply, "type"), "ok") != 0 &&
	       strcmp(text_of(reply, "type"), "error") != 0)
		json_decref(reply);
	CHECK(reply != NULL);
	if (strcmp(expected, "ok") == 0)
		CHECK_STR(text_of(reply, "type"), "ok");
	else
		CHECK_STR(text_of(reply, "code"), expected);
	if (reply && strcmp(text_of(reply, "type"), "error") == 0 && strcmp(expected, "ok") == 0)
		fprintf(stderr, "  %s: %s: %s\n", handles[who], text, text_of(reply, "message"));
	return reply;
}

static void expect(struct fixture *f, int who, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void expect(struct fixture *f, int who, const char *expected, const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	json_decref(request(f, who, expected, "%s", text));
}

static void set_progress(struct fixture *f, int who, const char *step, const char *state)
{
	expect(f, who, "ok",
	       "{\"type\":\"progress.set\",\"id\":2,\"track\":\"demo\",\"step\":\"%s\","
	       "\"state\":\"%s\"}",
	       step, state);
}

/* The request id an event is about: "request" is the request, or its id. */
static int64_t request_of(json_t *event)
{
	json_t *request = json_object_get(event, "request");

	return json_is_object(request) ? int_of(request, "request")
				       : (int64_t)json_integer_value(request);
}

/*
 * The first push named event queued for who (others skipped) about help
 * request (any when 0), or NULL; the caller decrefs.
 */
static json_t *push_about(struct fixture *f, int who, const char *event, int64_t request)
{
	json_t *json;

	while ((json = next(&f->clients[who])) != NULL) {
		if (strcmp(text_of(json, "type"), "event") == 0 &&
		    strcmp(text_of(json, "event"), event) == 0 &&
		    (request == 0 || request_of(json) == request))
			return json;
		json_decref(json);
	}
	return NULL;
}

/* How many pushes named event were queued for who; the queue is emptied. */
static int count_pushes(struct fixture *f, int who, const char *event)
{
	int count = 0;
	json_t *json;

	while ((json = next(&f->clients[who])) != NULL) {
		if (strcmp(text_of(json, "type"), "event") == 0 &&
		    strcmp(text_of(json, "event"), event) == 0)
			count++;
		json_decref(json);
	}
	return count;
}

/* who finished step (done) before the test: a row written straight to the store. */
static void finished_before(struct fixture *f, int who, const char *step,
			    enum gr_progress_state state)
{
	struct gr_store_progress row = {.track_id = "demo", .state = state};

	snprintf(row.step_id, sizeof row.step_id, "%s", step);
	row.started_at = row.finished_at = row.updated_at = fake_now;
	CHECK_INT(gr_store_progress_put(f->store, f->users[who].id, &row), ==, 0);
}

static void tick(struct fixture *f)
{
	CHECK_INT(gr_helpdesk_tick(f->helpdesk), ==, 0);
	gr_live_flush(f->live);
}

static int count_id(int64_t id, void *payload)
{
	(void)id;
	(*(int *)payload)++;
	return 0;
}

/* How many peers were told of the request, as stored. */
static int told_count(struct fixture *f, int64_t request)
{
	int count = 0;

	CHECK_INT(gr_store_help_offer_each(f->store, request, count_id, &count), ==, 0);
	return count;
}

static int was_told(struct fixture *f, int64_t request, int who)
{
	int told = -1;

	CHECK_INT(gr_store_help_offered(f->store, &told, request, f->users[who].id), ==, 0);
	return told;
}

/* ---- help: waves and expiry --------------------------------------------- */

/* A request by zoe on step two (nobody finished it), as the store keeps it. */
static int64_t zoe_request(struct fixture *f, int64_t opened_at)
{
	struct gr_store_help help = {0};

	help.user_id = f->users[ZOE].id;
	snprintf(help.track_id, sizeof help.track_id, "demo");
	snprintf(help.step_id, sizeof help.step_id, "two");
	snprintf(help.body, sizeof help.body, "Stuck on two.");
	help.opened_at = opened_at;
	CHECK_INT(gr_store_help_insert(f->store, &help), ==, 0);
	return help.id;
}

/* who was told of request at `at`, as the help desk stores a wave: the offer and its time. */
static void told_before(struct fixture *f, int64_t request, int who, int64_t at)
{
	struct gr_store_help help;

	CHECK_INT(gr_store_help_offer_insert(f->store, request, f->users[who].id, at), ==, 0);
	CHECK_INT(gr_store_help_get(f->store, &help, request), ==, 0);
	help.last_wave_at = at;
	CHECK_INT(gr_store_help_update(f->store, &help), ==, 0);
}

/* Check that exactly the peers in told (a mask of who) got help.offered of request now. */
static void check_offered(struct fixture *f, int64_t request, unsigned told)
{
	for (int who = ANA; who <= ELI; who++) {
		json_t *event;

		if (!f->connected[who])
			continue;
		event = push_about(f, who, "help.offered", request);
		if (!(told & (1u << who))) {
			if (event)
				HARNESS_FAIL("%s was told of request %lld", handles[who],
					     (long long)request);
			harness_checks++;
			json_decref(event);
			continue;
		}
		CHECK(event != NULL);
		if (!event) {
			fprintf(stderr, "  %s was not told\n", handles[who]);
			continue;
		}
		CHECK_STR(text_of(json_object_get(event, "request"), "step"), "one");
		CHECK_STR(text_of(json_object_get(event, "request"), "state"), "open");
		/* Until someone accepts, those told do not see who asked. */
		CHECK(json_object_get(json_object_get(event, "request"), "user") == NULL);
		json_decref(event);
	}
}

static void test_help_waves_and_expiry(void)
{
	struct gr_help_settings help = {2, 3 * MINUTE_MS, 20 * MINUTE_MS};
	struct gr_store_help earlier = {0};
	struct fixture f;
	json_t *reply, *event;
	int64_t t0, id, other;

	fixture_open(&f, &help);
	t0 = fake_now;
	for (int who = ANA; who <= ELI; who++)
		finished_before(&f, who, "one", GR_PROGRESS_DONE);
	/*
	 * ana helped zoe once before; ben is told of zoe's open request; cal and
	 * dev are free. Both requests as the help desk would have stored them.
	 */
	earlier.id = zoe_request(&f, t0 - 2 * HOUR_MS);
	CHECK_INT(gr_store_help_offer_insert(f.store, earlier.id, f.users[ANA].id,
					     t0 - 2 * HOUR_MS), ==, 0);
	CHECK_INT(gr_store_help_get(f.store, &earlier, earlier.id), ==, 0);
	earlier.state = GR_HELP_STATE_RESOLVED;
	earlier.last_wave_at = t0 - 2 * HOUR_MS;
	earlier.helper_id = f.users[ANA].id;
	earlier.accepted_at = t0 - HOUR_MS;
	earlier.closed_at = t0 - HOUR_MS / 2;
	CHECK_INT(gr_store_help_update(f.store, &earlier), ==, 0);
	other = zoe_request(&f, t0);
	told_before(&f, other, BEN, t0);
	/* Everyone but eli is online. */
	for (int who = LENA; who <= DEV; who++)
		connect_user(&f, who);
	set_progress(&f, LENA, "one", "started");

	/*
	 * The first wave: the least busy two, cal and dev; not ana (helped once)
	 * nor ben (told of another request), though both come first by id.
	 */
	reply = request(&f, LENA, "ok",
			"{\"type\":\"help.ask\",\"id\":3,\"track\":\"demo\",\"step\":\"one\","
			"\"body\":\"My links do not work.\"}");
	event = json_object_get(reply, "request");
	id = int_of(event, "request");
	CHECK_INT(id, >, 0);
	CHECK_INT(int_of(event, "told"), ==, 2);
	CHECK_STR(text_of(event, "state"), "open");
	CHECK_STR(text_of(json_object_get(event, "user"), "handle"), "lena");
	json_decref(reply);
	check_offered(&f, id, 1u << CAL | 1u << DEV);
	CHECK_INT(told_count(&f, id), ==, 2);
	CHECK_INT(was_told(&f, id, ELI), ==, 0);
	expect(&f, LENA, "conflict",
	       "{\"type\":\"help.ask\",\"id\":4,\"track\":\"demo\",\"step\":\"one\","
	       "\"body\":\"Again.\"}");

	/* Before the wave's three minutes, nobody new. */
	fake_now = t0 + 3 * MINUTE_MS - SECOND_MS;
	tick(&f);
	check_offered(&f, id, 0);
	CHECK_INT(told_count(&f, id), ==, 2);

	/* At three minutes, the next two: ana and ben. */
	fake_now = t0 + 3 * MINUTE_MS;
	tick(&f);
	check_offered(&f, id, 1u << ANA | 1u << BEN);
	CHECK_INT(told_count(&f, id), ==, 4);
	CHECK_INT(was_told(&f, id, ELI), ==, 0);

	/* At six minutes nobody is left online: nobody is told. */
	fake_now = t0 + 6 * MINUTE_MS;
	tick(&f);
	check_offered(&f, id, 0);
	CHECK_INT(told_count(&f, id), ==, 4);
	CHECK_INT(was_told(&f, id, ELI), ==, 0);

	/* eli comes: the wave is due (the last went out 3.5 minutes ago), so eli is told. */
	fake_now = t0 + 6 * MINUTE_MS + 30 * SECOND_MS;
	connect_user(&f, ELI);
	CHECK_INT(was_told(&f, id, ELI), ==, 0);
	tick(&f);
	check_offered(&f, id, 1u << ELI);
	CHECK_INT(told_count(&f, id), ==, 5);
	reply = request(&f, LENA, "ok", "{\"type\":\"help.get\",\"id\":5,\"request\":%lld}",
			(long long)id);
	CHECK_INT(int_of(json_object_get(reply, "request"), "told"), ==, 5);
	json_decref(reply);

	/* Just before 20 minutes it is still open; at 20 minutes it expires. */
	fake_now = t0 + 20 * MINUTE_MS - SECOND_MS;
	tick(&f);
	CHECK((event = push_about(&f, LENA, "help.closed", id)) == NULL);
	json_decref(event);
	fake_now = t0 + 20 * MINUTE_MS;
	tick(&f);
	CHECK((event = push_about(&f, LENA, "help.closed", id)) != NULL);
	CHECK_STR(text_of(event, "state"), "expired");
	CHECK_STR(text_of(json_object_get(event, "request"), "state"), "expired");
	json_decref(event);
	for (int who = ANA; who <= ELI; who++) {
		CHECK((event = push_about(&f, who, "help.closed", id)) != NULL);
		CHECK_STR(text_of(event, "state"), "expired");
		json_decref(event);
	}
	reply = request(&f, ANA, "conflict", "{\"type\":\"help.accept\",\"id\":6,\"request\":%lld}",
			(long long)id);
	CHECK_STR(text_of(reply, "state"), "expired");
	json_decref(reply);
	reply = request(&f, LENA, "ok", "{\"type\":\"help.list\",\"id\":7}");
	CHECK_INT(json_array_size(json_object_get(reply, "mine")), ==, 0);
	json_decref(reply);
	reply = request(&f, ANA, "ok", "{\"type\":\"help.list\",\"id\":8}");
	CHECK_INT(json_array_size(json_object_get(reply, "offered")), ==, 0);
	json_decref(reply);
	/* Expired is final: later ticks tell nobody again. */
	fake_now += 5 * MINUTE_MS;
	tick(&f);
	CHECK_INT(count_pushes(&f, LENA, "help.closed"), ==, 0);
	CHECK_INT(count_pushes(&f, CAL, "help.closed"), ==, 0);
	/* Having expired, lena may ask again. */
	expect(&f, LENA, "ok",
	       "{\"type\":\"help.ask\",\"id\":9,\"track\":\"demo\",\"step\":\"one\","
	       "\"body\":\"Still stuck.\"}");
	fixture_close(&f);
}

/*
 * A request that found nobody to tell looks again when someone could help:
 * ben, online all along, finishes the step and is told at the next tick;
 * eli, who finished it before, is told once she says hello.
 */
static void test_help_when_someone_can(void)
{
	struct fixture f;
	json_t *reply, *offer;
	int64_t id;

	fixture_open(&f, NULL);
	connect_user(&f, LENA);
	connect_user(&f, BEN);
	finished_before(&f, ELI, "one", GR_PROGRESS_DONE);
	set_progress(&f, LENA, "one", "started");
	reply = request(&f, LENA, "ok",
			"{\"type\":\"help.ask\",\"id\":3,\"track\":\"demo\",\"step\":\"one\","
			"\"body\":\"Stuck.\"}");
	id = int_of(json_object_get(reply, "request"), "request");
	CHECK_INT(int_of(json_object_get(reply, "request"), "told"), ==, 0);
	json_decref(reply);
	tick(&f);
	tick(&f);
	CHECK_INT(count_pushes(&f, BEN, "help.offered"), ==, 0);

	set_progress(&f, BEN, "one", "started");
	set_progress(&f, BEN, "one", "done");
	tick(&f);
	offer = push_about(&f, BEN, "help.offered", id);
	CHECK(offer != NULL);
	json_decref(offer);
	CHECK_INT(told_count(&f, id), ==, 1);

	fake_now += 3 * MINUTE_MS; /* the next wave is due; eli comes */
	connect_user(&f, ELI);
	tick(&f);
	offer = push_about(&f, ELI, "help.offered", id);
	CHECK(offer != NULL);
	json_decref(offer);
	CHECK_INT(told_count(&f, id), ==, 2);
	fixture_close(&f);
}

/* ---- help: accepting, the thread, closing ------------------------------- */

static void test_help_accept_and_thread(void)
{
	struct gr_help_settings help = {3, 3 * MINUTE_MS, 60 * MINUTE_MS};
	struct fixture f;
	json_t *reply, *event, *request_json, *messages;
	char text[256];
	int64_t id;
	int closed;

	fixture_open(&f, &help);
	for (int who = ANA; who <= CAL; who++)
		finished_before(&f, who, "one", GR_PROGRESS_DONE);
	for (int who = LENA; who <= DEV; who++)
		connect_user(&f, who);
	connect_user(&f, KIM);
	set_progress(&f, LENA, "one", "started");
	reply = request(&f, LENA, "ok",
			"{\"type\":\"help.ask\",\"id\":3,\"track\":\"demo\",\"step\":\"one\","
			"\"body\":\"Help.\"}");
	id = int_of(json_object_get(reply, "request"), "request");
	CHECK_INT(int_of(json_object_get(reply, "request"), "told"), ==, 3);
	json_decref(reply);
	check_offered(&f, id, 1u << ANA | 1u << BEN | 1u << CAL);

	/* Who was not told may neither see nor take it; the requester may not take their own. */
	expect(&f, DEV, "forbidden", "{\"type\":\"help.get\",\"id\":4,\"request\":%lld}",
	       (long long)id);
	expect(&f, DEV, "forbidden", "{\"type\":\"help.accept\",\"id\":4,\"request\":%lld}",
	       (long long)id);
	expect(&f, LENA, "forbidden", "{\"type\":\"help.accept\",\"id\":4,\"request\":%lld}",
	       (long long)id);
	expect(&f, LENA, "conflict",
	       "{\"type\":\"help.message\",\"id\":4,\"request\":%lld,\"body\":\"Anyone?\"}",
	       (long long)id);

	/*
	 * ben accepts: lena learns who; ana and cal that it is taken; ben, whose
	 * pushes come before his reply, is not told it closed.
	 */
	snprintf(text, sizeof text, "{\"type\":\"help.accept\",\"id\":5,\"request\":%lld}",
		 (long long)id);
	say_on(&f, &f.clients[BEN], text);
	gr_live_flush(f.live);
	reply = NULL;
	closed = 0;
	while ((event = next(&f.clients[BEN])) != NULL) {
		closed += strcmp(text_of(event, "event"), "help.closed") == 0;
		if (strcmp(text_of(event, "type"), "ok") == 0) {
			json_decref(reply);
			reply = event;
			continue;
		}
		json_decref(event);
	}
	CHECK(reply != NULL);
	CHECK_INT(closed, ==, 0);
	request_json = json_object_get(reply, "request");
	CHECK_STR(text_of(request_json, "state"), "accepted");
	CHECK_STR(text_of(json_object_get(request_json, "user"), "handle"), "lena");
	CHECK_STR(text_of(json_object_get(request_json, "helper"), "handle"), "ben");
	json_decref(reply);
	CHECK((event = push_about(&f, LENA, "help.accepted", id)) != NULL);
	CHECK_STR(text_of(json_object_get(json_object_get(event, "request"), "helper"), "handle"),
		  "ben");
	json_decref(event);
	for (int who = ANA; who <= CAL; who += CAL - ANA) {
		CHECK((event = push_about(&f, who, "help.closed", id)) != NULL);
		CHECK_STR(text_of(event, "state"), "accepted");
		json_decref(event);
	}
	CHECK_INT(count_pushes(&f, DEV, "help.closed"), ==, 0);
	reply = request(&f, CAL, "conflict", "{\"type\":\"help.accept\",\"id\":6,\"request\":%lld}",
			(long long)id);
	CHECK_STR(text_of(reply, "state"), "accepted");
	json_decref(reply);

	/* Only the two write; both receive each message. */
	expect(
	    &f, LENA, "ok",
	    "{\"type\":\"help.message\",\"id\":7,\"request\":%lld,\"body\":\"Table by the door?\"}",
	    (long long)id);
	CHECK((event = push_about(&f, BEN, "help.message", id)) != NULL);
	CHECK_STR(text_of(json_object_get(event, "message"), "body"), "Table by the door?");
	CHECK_STR(text_of(json_object_get(json_object_get(event, "message"), "from"), "handle"),
		  "lena");
	json_decref(event);
	expect(&f, BEN, "ok",
	       "{\"type\":\"help.message\",\"id\":8,\"request\":%lld,\"body\":\"On my way.\"}",
	       (long long)id);
	CHECK((event = push_about(&f, LENA, "help.message", id)) != NULL);
	CHECK_STR(text_of(json_object_get(event, "message"), "body"), "On my way.");
	CHECK_STR(text_of(json_object_get(json_object_get(event, "message"), "from"), "handle"),
		  "ben");
	json_decref(event);
	expect(&f, ANA, "forbidden",
	       "{\"type\":\"help.message\",\"id\":9,\"request\":%lld,\"body\":\"Me too.\"}",
	       (long long)id);
	expect(&f, DEV, "forbidden",
	       "{\"type\":\"help.message\",\"id\":9,\"request\":%lld,\"body\":\"Me too.\"}",
	       (long long)id);
	expect(&f, KIM, "forbidden",
	       "{\"type\":\"help.message\",\"id\":9,\"request\":%lld,\"body\":\"Coach here.\"}",
	       (long long)id);
	CHECK_INT(count_pushes(&f, ANA, "help.message"), ==, 0);

	/* The coach reads it all; a peer told but not helping sees no names or messages. */
	reply = request(&f, KIM, "ok", "{\"type\":\"help.get\",\"id\":10,\"request\":%lld}",
			(long long)id);
	request_json = json_object_get(reply, "request");
	messages = json_object_get(request_json, "messages");
	CHECK_INT(json_array_size(messages), ==, 2);
	CHECK_STR(text_of(json_array_get(messages, 0), "body"), "Table by the door?");
	CHECK_STR(text_of(json_array_get(messages, 1), "body"), "On my way.");
	CHECK_STR(text_of(json_object_get(json_array_get(messages, 1), "from"), "handle"), "ben");
	CHECK_STR(text_of(json_object_get(request_json, "helper"), "handle"), "ben");
	CHECK_STR(text_of(json_object_get(request_json, "user"), "handle"), "lena");
	json_decref(reply);
	reply = request(&f, ANA, "ok", "{\"type\":\"help.get\",\"id\":11,\"request\":%lld}",
			(long long)id);
	request_json = json_object_get(reply, "request");
	CHECK(json_object_get(request_json, "messages") == NULL);
	CHECK(json_object_get(request_json, "user") == NULL);
	json_decref(reply);
	expect(&f, DEV, "forbidden", "{\"type\":\"help.get\",\"id\":12,\"request\":%lld}",
	       (long long)id);
	connect_user(&f, ZOE);
	expect(&f, ZOE, "forbidden", "{\"type\":\"help.get\",\"id\":12,\"request\":%lld}",
	       (long long)id);
	expect(&f, ZOE, "not_found", "{\"type\":\"help.get\",\"id\":12,\"request\":999}");

	/* help.list: lena's own, ben's to help with. */
	reply = request(&f, BEN, "ok", "{\"type\":\"help.list\",\"id\":13}");
	CHECK_INT(json_array_size(json_object_get(reply, "offered")), ==, 1);
	json_decref(reply);

	/* Only lena closes it; ben is told it is resolved, and the thread is closed. */
	expect(&f, BEN, "forbidden", "{\"type\":\"help.resolve\",\"id\":14,\"request\":%lld}",
	       (long long)id);
	reply = request(&f, LENA, "ok", "{\"type\":\"help.resolve\",\"id\":15,\"request\":%lld}",
			(long long)id);
	CHECK_STR(text_of(reply, "state"), "resolved");
	json_decref(reply);
	CHECK((event = push_about(&f, BEN, "help.closed", id)) != NULL);
	CHECK_STR(text_of(event, "state"), "resolved");
	json_decref(event);
	CHECK_INT(count_pushes(&f, ANA, "help.closed"), ==, 0);
	expect(&f, BEN, "conflict",
	       "{\"type\":\"help.message\",\"id\":16,\"request\":%lld,\"body\":\"Bye.\"}",
	       (long long)id);
	expect(&f, LENA, "conflict", "{\"type\":\"help.withdraw\",\"id\":17,\"request\":%lld}",
	       (long long)id);
	fixture_close(&f);
}

/* ---- help: every move through help.c -------------------------------------- */

/*
 * A request by who on step, stored straight away at opened_at and told to
 * peer with no wave time: it breaks help invariant 5 (told to peers, but no
 * wave), which no move of help.c makes.
 */
static int64_t broken_request(struct fixture *f, int who, const char *step, int peer,
			      int64_t opened_at)
{
	struct gr_store_help help = {0};

	help.user_id = f->users[who].id;
	snprintf(help.track_id, sizeof help.track_id, "demo");
	snprintf(help.step_id, sizeof help.step_id, "%s", step);
	snprintf(help.body, sizeof help.body, "Stuck.");
	help.opened_at = opened_at;
	CHECK_INT(gr_store_help_insert(f->store, &help), ==, 0);
	CHECK_INT(gr_store_help_offer_insert(f->store, help.id, f->users[peer].id, opened_at), ==,
		  0);
	return help.id;
}

/* The life of a stored request as help.c sees it: its row, and told counts its offers. */
static struct gr_help_request life_of(struct fixture *f, int64_t request)
{
	struct gr_help_request life = {0};
	struct gr_store_help help;

	CHECK_INT(gr_store_help_get(f->store, &help, request), ==, 0);
	life.state = help.state;
	life.author_id = help.user_id;
	life.helper_id = help.helper_id;
	life.opened_at = help.opened_at;
	life.last_wave_at = help.last_wave_at;
	life.accepted_at = help.accepted_at;
	life.closed_at = help.closed_at;
	life.told = told_count(f, request);
	return life;
}

static int64_t logged(const char *log, const char *format, long long request)
{
	char needle[128];

	snprintf(needle, sizeof needle, format, request);
	return harness_count(log, needle);
}

/*
 * The help desk moves requests by help.c: its refusals in its words, first;
 * a move that would store a life breaking an invariant is refused as an
 * internal error and logged with the invariant, and nothing is stored; the
 * tick logs such a request once, leaves it, and expires the others; an
 * accept after the expiry is refused as gr_help_accept() refuses it.
 */
static void test_help_moves_through_help_c(void)
{
	struct gr_help_settings help = {3, 3 * MINUTE_MS, 20 * MINUTE_MS};
	struct harness_stderr capture;
	struct gr_help_request life;
	struct gr_store_help row;
	struct fixture f;
	json_t *reply;
	char *log;
	int64_t t0, broken, left, good;

	fixture_open(&f, &help);
	t0 = fake_now;
	for (int who = LENA; who <= CAL; who++)
		connect_user(&f, who);
	broken = broken_request(&f, LENA, "one", BEN, t0);
	left = broken_request(&f, DEV, "two", ANA, t0);
	good = zoe_request(&f, t0);
	told_before(&f, good, ANA, t0);

	/* cal was not told: refused before anything is checked, in help.c's words. */
	reply = request(&f, CAL, "forbidden",
			"{\"type\":\"help.accept\",\"id\":3,\"request\":%lld}", (long long)broken);
	life = life_of(&f, broken);
	CHECK_INT(gr_help_accept(&life, f.users[CAL].id, 0, fake_now), ==, GR_EFORBIDDEN);
	CHECK_STR(text_of(reply, "message"), gr_error_last());
	json_decref(reply);

	/* ben was told, but the life accepting it would break invariant 5; so would withdrawing. */
	harness_stderr_begin(&capture);
	expect(&f, BEN, "internal", "{\"type\":\"help.accept\",\"id\":4,\"request\":%lld}",
	       (long long)broken);
	expect(&f, LENA, "internal", "{\"type\":\"help.withdraw\",\"id\":5,\"request\":%lld}",
	       (long long)broken);
	log = harness_stderr_end(&capture);
	CHECK_INT(logged(log, "help request %lld not stored: help invariant 5", (long long)broken),
		  ==, 2);
	free(log);
	CHECK_INT(gr_store_help_get(f.store, &row, broken), ==, 0);
	CHECK_INT(row.state, ==, GR_HELP_STATE_OPEN);
	CHECK_INT(row.helper_id, ==, 0);
	CHECK_INT(row.accepted_at, ==, 0);
	CHECK_INT(row.closed_at, ==, 0);
	CHECK_INT(count_pushes(&f, LENA, "help.accepted"), ==, 0);
	CHECK_INT(count_pushes(&f, BEN, "help.closed"), ==, 0);

	/* At the expiry: left is logged once and stays open; good expires; broken is left alone. */
	fake_now = t0 + 20 * MINUTE_MS;
	harness_stderr_begin(&capture);
	tick(&f);
	tick(&f);
	log = harness_stderr_end(&capture);
	CHECK_INT(logged(log, "help request %lld not stored: help invariant 5", (long long)left),
		  ==, 1);
	CHECK_INT(logged(log, "help request %lld ", (long long)broken), ==, 0);
	free(log);
	CHECK_INT(gr_store_help_get(f.store, &row, left), ==, 0);
	CHECK_INT(row.state, ==, GR_HELP_STATE_OPEN);
	CHECK_INT(row.closed_at, ==, 0);
	CHECK_INT(gr_store_help_get(f.store, &row, good), ==, 0);
	CHECK_INT(row.state, ==, GR_HELP_STATE_EXPIRED);
	CHECK_INT(row.closed_at, ==, fake_now);

	/* ana, told of good, accepts after its expiry: refused as gr_help_accept() refuses. */
	reply = request(&f, ANA, "conflict",
			"{\"type\":\"help.accept\",\"id\":6,\"request\":%lld}", (long long)good);
	CHECK_STR(text_of(reply, "state"), "expired");
	life = life_of(&f, good);
	CHECK_INT(gr_help_accept(&life, f.users[ANA].id, 1, fake_now), ==, GR_ECONFLICT);
	CHECK_STR(text_of(reply, "message"), gr_error_last());
	json_decref(reply);
	fixture_close(&f);
}

/* ---- the attention list in the board summary ---------------------------- */

/* The summary of cohort's board on track, as a coach's board receives it (caller decrefs). */
static json_t *summary_of(struct fixture *f, const char *cohort, const char *track)
{
	struct gr_json *summary = gr_board_summary(f->board, cohort, track);
	json_t *copy = jansson_of(summary);

	gr_json_free(summary);
	return copy;
}

/* The entry of kind for user in summary's attention list, or NULL (borrowed). */
static json_t *attention_entry(json_t *summary, const char *user, const char *kind)
{
	json_t *entry;
	size_t i;

	json_array_foreach(json_object_get(summary, "attention"), i,
			   entry) if (strcmp(text_of(entry, "user"), user) == 0 &&
				      strcmp(text_of(entry, "kind"), kind) == 0) return entry;
	return NULL;
}

static void check_entry(json_t *summary, const char *user, const char *kind, int64_t since,
			const char *step)
{
	json_t *entry = attention_entry(summary, user, kind);

	CHECK(entry != NULL);
	if (!entry) {
		fprintf(stderr, "  no %s entry for %s\n", kind, user);
		return;
	}
	CHECK_INT(int_of(entry, "since"), ==, since);
	if (step)
		CHECK_STR(text_of(entry, "step"), step);
}

/* Nothing of zoe (cohort c2) in a summary of c1. */
static void check_no_zoe(json_t *summary)
{
	json_t *entry;
	size_t i;

	json_array_foreach(json_object_get(summary, "attention"), i, entry)
	    CHECK(strcmp(text_of(entry, "user"), "zoe") != 0);
	CHECK(json_object_get(json_object_get(summary, "learners"), "zoe") == NULL);
	CHECK(json_object_get(json_object_get(summary, "learners"), "kim") == NULL);
}

static void test_attention_summary(void)
{
	struct fixture f;
	json_t *summary, *learners, *reply;
	int64_t t0, help_id;

	fixture_open(&f, NULL);
	t0 = fake_now;
	for (int who = LENA; who <= ZOE; who++)
		connect_user(&f, who);
	finished_before(&f, ANA, "project", GR_PROGRESS_PASSED); /* at t0: ana can review */
	set_progress(&f, ANA, "one", "started");
	set_progress(&f, BEN, "one", "started");
	set_progress(&f, ZOE, "one", "started");
	fake_now = t0 + 2 * HOUR_MS; /* ana: one in 2 h */
	set_progress(&f, ANA, "one", "done");
	set_progress(&f, ANA, "two", "started");
	fake_now = t0 + 10 * HOUR_MS; /* dev submits the project; ana reviews it */
	set_progress(&f, DEV, "project", "started");
	expect(&f, DEV, "ok",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"demo\",\"step\":\"project\","
	       "\"body_md\":\"My page.\"}");
	set_progress(&f, DEV, "one", "started");
	fake_now = t0 + 11 * HOUR_MS;
	expect(&f, ANA, "ok",
	       "{\"type\":\"review.submit\",\"id\":5,\"assignment\":1,\"verdict\":\"pass\","
	       "\"checks\":[true],\"comment_md\":\"Good.\"}");
	fake_now = t0 + 12 * HOUR_MS; /* dev: one in 2 h as well; the median stays 2 h */
	set_progress(&f, DEV, "one", "done");
	/* 20 h on one is over twice the median (2 h) but under a day: not stuck yet. */
	fake_now = t0 + 20 * HOUR_MS;
	summary = summary_of(&f, "c1", "demo");
	CHECK(summary != NULL);
	CHECK(attention_entry(summary, "ben", "stuck") == NULL);
	CHECK_INT(json_array_size(json_object_get(summary, "attention")), ==, 0);
	json_decref(summary);
	fake_now = t0 + 22 * HOUR_MS; /* ana: two in 20 h */
	set_progress(&f, ANA, "two", "done");
	fake_now = t0 + DAY_MS;
	set_progress(&f, CAL, "two", "started");

	/* Two days on: ben is stuck on one since a day after he began (2 x 2 h < a day). */
	fake_now = t0 + 2 * DAY_MS;
	summary = summary_of(&f, "c1", "demo");
	CHECK(summary != NULL);
	CHECK_INT(json_array_size(json_object_get(summary, "attention")), ==, 1);
	check_entry(summary, "ben", "stuck", t0 + DAY_MS, "one");
	CHECK(attention_entry(summary, "cal", "stuck") == NULL); /* a day on two: not 40 h */
	CHECK(attention_entry(summary, "dev", "inactive") == NULL);
	check_no_zoe(summary);
	learners = json_object_get(summary, "learners");
	CHECK_INT(json_object_size(learners), ==, 6);
	CHECK_INT(int_of(json_object_get(learners, "ana"), "given"), ==, 1);
	CHECK_INT(int_of(json_object_get(learners, "ana"), "received"), ==, 0);
	CHECK_INT(int_of(json_object_get(learners, "ana"), "last_activity"), ==, t0 + 22 * HOUR_MS);
	CHECK_INT(int_of(json_object_get(learners, "dev"), "given"), ==, 0);
	CHECK_INT(int_of(json_object_get(learners, "dev"), "received"), ==, 1);
	CHECK_INT(int_of(json_object_get(learners, "dev"), "last_activity"), ==, t0 + 12 * HOUR_MS);
	CHECK_INT(int_of(json_object_get(learners, "ben"), "last_activity"), ==, t0);
	CHECK(json_object_get(json_object_get(learners, "lena"), "last_activity") != NULL);
	CHECK_INT(int_of(json_object_get(learners, "lena"), "last_activity"), ==, 0);
	json_decref(summary);

	/* ben asks for help (so does zoe, of the other cohort): an entry with the request. */
	reply = request(&f, BEN, "ok",
			"{\"type\":\"help.ask\",\"id\":6,\"track\":\"demo\",\"step\":\"one\","
			"\"body\":\"Lost.\"}");
	help_id = int_of(json_object_get(reply, "request"), "request");
	json_decref(reply);
	expect(&f, ZOE, "ok",
	       "{\"type\":\"help.ask\",\"id\":6,\"track\":\"demo\",\"step\":\"one\","
	       "\"body\":\"Lost too.\"}");
	summary = summary_of(&f, "c1", "demo");
	CHECK(summary != NULL);
	CHECK_INT(json_array_size(json_object_get(summary, "attention")), ==, 2);
	check_entry(summary, "ben", "help_request", t0 + 2 * DAY_MS, NULL);
	CHECK_INT(int_of(attention_entry(summary, "ben", "help_request"), "request"), ==, help_id);
	check_no_zoe(summary);
	json_decref(summary);

	/*
	 * 3 days 13 h on: cal stuck on two since 40 h (2 x 20 h) after he began;
	 * ben, lena and eli (no progress since joining) inactive since 3 days,
	 * dev since 3 days after his last change; not ana yet (22 h + 3 days).
	 */
	fake_now = t0 + 3 * DAY_MS + 13 * HOUR_MS;
	summary = summary_of(&f, "c1", "demo");
	CHECK(summary != NULL);
	CHECK_INT(json_array_size(json_object_get(summary, "attention")), ==, 7);
	check_entry(summary, "ben", "stuck", t0 + DAY_MS, "one");
	check_entry(summary, "ben", "help_request", t0 + 2 * DAY_MS, NULL);
	check_entry(summary, "cal", "stuck", t0 + DAY_MS + 40 * HOUR_MS, "two");
	check_entry(summary, "ben", "inactive", t0 + 3 * DAY_MS, NULL);
	check_entry(summary, "lena", "inactive", t0 + 3 * DAY_MS, NULL);
	check_entry(summary, "eli", "inactive", t0 + 3 * DAY_MS, NULL);
	check_entry(summary, "dev", "inactive", t0 + 12 * HOUR_MS + 3 * DAY_MS, NULL);
	CHECK(attention_entry(summary, "ana", "inactive") == NULL);
	/* Oldest first. */
	CHECK_STR(text_of(json_array_get(json_object_get(summary, "attention"), 0), "kind"),
		  "stuck");
	CHECK_STR(text_of(json_array_get(json_object_get(summary, "attention"), 6), "user"), "dev");
	check_no_zoe(summary);
	json_decref(summary);

	/* The other cohort's board has only zoe. */
	summary = summary_of(&f, "c2", "demo");
	CHECK(summary != NULL);
	CHECK_INT(json_object_size(json_object_get(summary, "learners")), ==, 1);
	CHECK(attention_entry(summary, "zoe", "help_request") != NULL);
	CHECK(attention_entry(summary, "ben", "help_request") == NULL);
	json_decref(summary);
	CHECK(summary_of(&f, "c1", "nosuchtrack") == NULL);
	fixture_close(&f);
}

/* ---- the board summary push ------------------------------------------------ */

/* The board.summary pushes queued for kim; the last one in *out (caller decrefs) when out. */
static int summaries(struct fixture *f, json_t **out)
{
	int count = 0;
	json_t *json;

	if (out)
		*out = NULL;
	while ((json = next(&f->clients[KIM])) != NULL) {
		if (strcmp(text_of(json, "type"), "event") == 0 &&
		    strcmp(text_of(json, "event"), "board.summary") == 0) {
			count++;
			if (out) {
				json_decref(*out);
				*out = json;
				continue;
			}
		}
		json_decref(json);
	}
	return count;
}

static void board_tick(struct fixture *f)
{
	gr_live_tick(f->live);
	if (f->off_loop) {
		/* Made on a worker: nothing reaches the board before the loop runs its end. */
		CHECK_INT(summaries(f, NULL), ==, 0);
		demo_drain_workers(f->workers);
	}
	gr_live_flush(f->live);
}

static void summary_push(int off_loop)
{
	struct fixture f;
	json_t *summary;
	int64_t t0;

	fixture_open_with(&f, NULL, off_loop);
	t0 = fake_now;
	connect_user(&f, KIM);
	connect_user(&f, ANA);
	expect(&f, KIM, "ok", "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"board:c1/demo\"}");
	board_tick(&f);
	CHECK_INT(summaries(&f, NULL), ==, 0); /* nothing changed yet */
	set_progress(&f, ANA, "one", "started");
	CHECK_INT(count_pushes(&f, KIM, "progress"), ==, 1);

	/* Busy: at most every SUMMARY_BUSY_MS. */
	fake_now = t0 + SUMMARY_BUSY_MS - SECOND_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, NULL), ==, 0);
	fake_now = t0 + SUMMARY_BUSY_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, &summary), ==, 1);
	CHECK_STR(text_of(summary, "topic"), "board:c1/demo");
	CHECK_INT(int_of(summary, "now"), ==, fake_now);
	CHECK_INT(json_array_size(json_object_get(summary, "attention")), ==, 0);
	/*
	 * The first summary leaves out the counts board.get gave already: ana
	 * has given and received no reviews, so no learner is in it.
	 */
	CHECK(json_object_get(summary, "learners") == NULL);
	json_decref(summary);

	/* No change: none right after, nor after a minute (the same summary is not resent). */
	board_tick(&f);
	CHECK_INT(summaries(&f, NULL), ==, 0);
	fake_now = t0 + SUMMARY_BUSY_MS + 60 * SECOND_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, NULL), ==, 0);

	/* Time alone makes ana inactive: the next tick a minute on sends it. */
	fake_now = t0 + 3 * DAY_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, &summary), ==, 1);
	check_entry(summary, "ana", "inactive", t0 + 3 * DAY_MS, NULL);
	CHECK(json_object_get(summary, "learners") == NULL); /* no counts moved: only the list */
	json_decref(summary);
	fake_now += 30 * SECOND_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, NULL), ==, 0);

	/* A help request is an entry at once: the busy board's next summary has it. */
	finished_before(&f, BEN, "one", GR_PROGRESS_DONE);
	connect_user(&f, BEN);
	expect(&f, ANA, "ok",
	       "{\"type\":\"help.ask\",\"id\":6,\"track\":\"demo\",\"step\":\"one\","
	       "\"body\":\"Lost.\"}");
	CHECK_INT(count_pushes(&f, KIM, "help"), ==, 1);
	fake_now += SUMMARY_BUSY_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, &summary), ==, 1);
	CHECK(attention_entry(summary, "ana", "help_request") != NULL);
	json_decref(summary);

	/* Nobody watches any more: no summary is made. */
	expect(&f, KIM, "ok", "{\"type\":\"unsubscribe\",\"id\":7,\"topic\":\"board:c1/demo\"}");
	set_progress(&f, BEN, "two", "started");
	fake_now += 2 * MINUTE_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, NULL), ==, 0);
	fixture_close(&f);
}

static void test_summary_push(void)
{
	summary_push(0);
}

/* The same with the worker pool: each summary is made off the loop. */
static void test_summary_push_off_loop(void)
{
	summary_push(1);
}

/*
 * Off the loop, the waiting work's standing still comes from the review
 * engine (looked up on the loop between the two jobs): lena's work, a day
 * without a reviewer, reaches the watching board.
 */
static void test_summary_off_loop_waiting(void)
{
	struct fixture f;
	json_t *summary;
	int64_t t0;

	fixture_open_with(&f, NULL, 1);
	t0 = fake_now;
	connect_user(&f, KIM);
	connect_user(&f, LENA);
	expect(&f, KIM, "ok", "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"board:c1/demo\"}");
	set_progress(&f, LENA, "project", "started");
	expect(&f, LENA, "ok",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"demo\",\"step\":\"project\","
	       "\"body_md\":\"Mine.\"}");
	fake_now = t0 + 25 * HOUR_MS;
	board_tick(&f);
	CHECK_INT(summaries(&f, &summary), ==, 1);
	check_entry(summary, "lena", "waiting_review", t0 + DAY_MS, "project");
	json_decref(summary);
	fixture_close(&f);
}

/*
 * Work waiting over a day for a reviewer, and a flagged review, through the
 * review service: lena hands in the project when nobody can review it; a
 * day and an hour on she is listed from a day after; once ben hands in too,
 * they review each other and the entry goes; lena flags ben's review and
 * that is listed, with the review, from when she flagged it.
 */
static void test_attention_waiting_and_flagged(void)
{
	struct fixture f;
	json_t *summary, *assigned, *received;
	int64_t t0, review;

	fixture_open(&f, NULL);
	t0 = fake_now;
	for (int who = LENA; who <= ZOE; who++)
		connect_user(&f, who);
	set_progress(&f, LENA, "project", "started");
	expect(&f, LENA, "ok",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"demo\",\"step\":\"project\","
	       "\"body_md\":\"Mine.\"}");
	fake_now = t0 + 23 * HOUR_MS;
	summary = summary_of(&f, "c1", "demo");
	CHECK(summary != NULL);
	CHECK(attention_entry(summary, "lena", "waiting_review") == NULL); /* not a day yet */
	json_decref(summary);
	fake_now = t0 + 25 * HOUR_MS;
	summary = summary_of(&f, "c1", "demo");
	check_entry(summary, "lena", "waiting_review", t0 + DAY_MS, "project");
	json_decref(summary);

	/* ben hands in too: each can review the other, so lena's work waits no more. */
	set_progress(&f, BEN, "project", "started");
	count_pushes(&f, BEN, "review.assigned");
	expect(&f, BEN, "ok",
	       "{\"type\":\"submission.create\",\"id\":4,\"track\":\"demo\",\"step\":\"project\","
	       "\"body_md\":\"Mine too.\"}");
	assigned = push_about(&f, BEN, "review.assigned", 0);
	CHECK(assigned != NULL);
	summary = summary_of(&f, "c1", "demo");
	CHECK(attention_entry(summary, "lena", "waiting_review") == NULL);
	json_decref(summary);

	/* ben reviews lena's work; she flags the review an hour later. */
	expect(&f, BEN, "ok",
	       "{\"type\":\"review.submit\",\"id\":5,\"assignment\":%lld,\"verdict\":\"pass\","
	       "\"checks\":[true],\"comment_md\":\"Fine.\"}",
	       (long long)int_of(assigned, "assignment"));
	json_decref(assigned);
	received = push_about(&f, LENA, "review.received", 0);
	CHECK(received != NULL);
	review = int_of(received, "review");
	json_decref(received);
	fake_now += HOUR_MS;
	expect(&f, LENA, "ok", "{\"type\":\"review.flag\",\"id\":6,\"review\":%lld,"
			       "\"reason\":\"It says nothing.\"}",
	       (long long)review);
	summary = summary_of(&f, "c1", "demo");
	check_entry(summary, "lena", "flagged_review", fake_now, NULL);
	CHECK_INT(int_of(attention_entry(summary, "lena", "flagged_review"), "review"), ==, review);
	CHECK(attention_entry(summary, "ben", "flagged_review") == NULL);
	json_decref(summary);
	fixture_close(&f);
}

/* ---- nudges ------------------------------------------------------------------ */

static void test_nudges(void)
{
	struct fixture f;
	json_t *reply, *event, *nudges;
	int64_t id;

	fixture_open(&f, NULL);
	connect_user(&f, KIM);
	connect_user(&f, LENA);
	connect_user(&f, ANA);
	expect(&f, ANA, "forbidden",
	       "{\"type\":\"nudge.send\",\"id\":2,\"user\":\"lena\",\"body\":\"Hi.\"}");
	CHECK_INT(count_pushes(&f, LENA, "nudge"), ==, 0);
	expect(&f, KIM, "not_found",
	       "{\"type\":\"nudge.send\",\"id\":2,\"user\":\"nobody\",\"body\":\"Hi.\"}");
	/* kim coaches c1: not zoe of c2, and never a coach (kim is one). */
	expect(&f, KIM, "forbidden",
	       "{\"type\":\"nudge.send\",\"id\":2,\"user\":\"zoe\",\"body\":\"Hi.\"}");
	expect(&f, KIM, "forbidden",
	       "{\"type\":\"nudge.send\",\"id\":2,\"user\":\"kim\",\"body\":\"Hi.\"}");
	CHECK_INT(count_pushes(&f, KIM, "nudge"), ==, 0);
	reply = request(&f, KIM, "ok",
			"{\"type\":\"nudge.send\",\"id\":3,\"user\":\"lena\","
			"\"body\":\"Find me at the window table.\"}");
	id = int_of(reply, "nudge");
	CHECK_INT(id, >, 0);
	json_decref(reply);
	CHECK((event = push_about(&f, LENA, "nudge", 0)) != NULL);
	CHECK_INT(int_of(json_object_get(event, "nudge"), "nudge"), ==, id);
	CHECK_STR(text_of(json_object_get(event, "nudge"), "body"), "Find me at the window table.");
	CHECK_STR(text_of(json_object_get(json_object_get(event, "nudge"), "from"), "handle"),
		  "kim");
	CHECK_INT(int_of(event, "seq"), >, 0);
	json_decref(event);
	CHECK_INT(count_pushes(&f, ANA, "nudge"), ==, 0);

	/* Unread, it comes again with every hello. */
	reply = hello_on(&f, &f.second, LENA);
	f.second_open = 1;
	nudges = json_object_get(reply, "nudges");
	CHECK_INT(json_array_size(nudges), ==, 1);
	CHECK_INT(int_of(json_array_get(nudges, 0), "nudge"), ==, id);
	CHECK_STR(text_of(json_array_get(nudges, 0), "body"), "Find me at the window table.");
	json_decref(reply);
	gr_live_client_close(f.live, &f.second);
	f.second_open = 0;
	reply = hello_on(&f, &f.second, ANA);
	f.second_open = 1;
	CHECK_INT(json_array_size(json_object_get(reply, "nudges")), ==, 0);
	json_decref(reply);
	gr_live_client_close(f.live, &f.second);
	f.second_open = 0;

	/* Only lena marks it read. */
	expect(&f, ANA, "forbidden", "{\"type\":\"nudge.read\",\"id\":4,\"nudge\":%lld}",
	       (long long)id);
	expect(&f, KIM, "forbidden", "{\"type\":\"nudge.read\",\"id\":4,\"nudge\":%lld}",
	       (long long)id);
	expect(&f, LENA, "not_found", "{\"type\":\"nudge.read\",\"id\":4,\"nudge\":%lld}",
	       (long long)id + 100);
	reply = hello_on(&f, &f.second, LENA);
	f.second_open = 1;
	CHECK_INT(json_array_size(json_object_get(reply, "nudges")), ==, 1);
	json_decref(reply);
	gr_live_client_close(f.live, &f.second);
	f.second_open = 0;
	reply = request(&f, LENA, "ok", "{\"type\":\"nudge.read\",\"id\":5,\"nudge\":%lld}",
			(long long)id);
	CHECK(json_is_true(json_object_get(reply, "read")));
	json_decref(reply);
	reply = hello_on(&f, &f.second, LENA);
	f.second_open = 1;
	CHECK(json_is_array(json_object_get(reply, "nudges")));
	CHECK_INT(json_array_size(json_object_get(reply, "nudges")), ==, 0);
	json_decref(reply);
	fixture_close(&f);
}

/* ---- board.get ------------------------------------------------------------------ */

/* The learner of board.get's reply with handle, or NULL (borrowed). */
static json_t *board_learner(json_t *reply, const char *handle)
{
	json_t *learner;
	size_t i;

	json_array_foreach(json_object_get(reply, "learners"), i,
			   learner) if (strcmp(text_of(learner, "handle"), handle) ==
					0) return learner;
	return NULL;
}

/* The id of the next reply (not an event) client got, or -1. */
static long long next_reply_id(struct gr_client *client)
{
	json_t *message;
	long long id = -1;

	while ((message = next(client)) != NULL) {
		if (strcmp(text_of(message, "type"), "event") != 0) {
			id = json_integer_value(json_object_get(message, "id"));
			json_decref(message);
			break;
		}
		json_decref(message);
	}
	return id;
}

static void board_get(int off_loop)
{
	struct fixture f;
	json_t *reply, *learner;

	fixture_open_with(&f, NULL, off_loop);
	connect_user(&f, KIM);
	connect_user(&f, ANA);
	connect_user(&f, BEN);
	connect_user(&f, ZOE);
	expect(&f, ANA, "forbidden",
	       "{\"type\":\"board.get\",\"id\":2,\"cohort\":\"c1\",\"track\":\"demo\"}");
	expect(&f, KIM, "not_found",
	       "{\"type\":\"board.get\",\"id\":2,\"cohort\":\"c1\",\"track\":\"nope\"}");
	set_progress(&f, ANA, "one", "started");
	expect(&f, ANA, "ok", "{\"type\":\"subscribe\",\"id\":3,\"topic\":\"room:demo/one\"}");
	expect(&f, ZOE, "ok", "{\"type\":\"subscribe\",\"id\":3,\"topic\":\"room:demo/two\"}");

	reply = request(&f, KIM, "ok",
			"{\"type\":\"board.get\",\"id\":4,\"cohort\":\"c1\",\"track\":\"demo\"}");
	CHECK_STR(text_of(reply, "cohort"), "c1");
	CHECK_INT(json_array_size(json_object_get(reply, "steps")), ==, 3);
	CHECK_INT(json_array_size(json_object_get(reply, "learners")), ==, 6);
	CHECK(board_learner(reply, "zoe") == NULL);
	CHECK(board_learner(reply, "kim") == NULL);
	CHECK((learner = board_learner(reply, "ana")) != NULL);
	CHECK(json_is_true(json_object_get(learner, "online")));
	CHECK_STR(text_of(learner, "here"), "one");
	CHECK_STR(text_of(json_object_get(json_object_get(learner, "progress"), "one"), "state"),
		  "started");
	CHECK((learner = board_learner(reply, "ben")) != NULL);
	CHECK(json_is_true(json_object_get(learner, "online")));
	CHECK(json_object_get(learner, "here") == NULL ||
	      json_is_null(json_object_get(learner, "here")));
	CHECK((learner = board_learner(reply, "cal")) != NULL);
	CHECK(json_is_false(json_object_get(learner, "online")));
	CHECK(json_is_null(json_object_get(learner, "last_activity")));
	json_decref(reply);

	/*
	 * Leaving the room: here is none again. The other cohort's board is not
	 * kim's to see (kim coaches c1 only) until kim coaches c2 too; then it
	 * has only zoe, on two.
	 */
	expect(&f, ANA, "ok", "{\"type\":\"unsubscribe\",\"id\":5,\"topic\":\"room:demo/one\"}");
	reply = request(&f, KIM, "ok",
			"{\"type\":\"board.get\",\"id\":6,\"cohort\":\"c1\",\"track\":\"demo\"}");
	learner = board_learner(reply, "ana");
	CHECK(learner && !json_is_string(json_object_get(learner, "here")));
	json_decref(reply);
	expect(&f, KIM, "forbidden",
	       "{\"type\":\"board.get\",\"id\":7,\"cohort\":\"c2\",\"track\":\"demo\"}");
	expect(&f, KIM, "forbidden", "{\"type\":\"subscribe\",\"id\":8,\"topic\":\"board:c2/demo\"}");
	CHECK_INT(gr_store_user_add_coached(f.store, f.users[KIM].id, "c2"), ==, 0);
	reply = request(&f, KIM, "ok",
			"{\"type\":\"board.get\",\"id\":9,\"cohort\":\"c2\",\"track\":\"demo\"}");
	CHECK_INT(json_array_size(json_object_get(reply, "learners")), ==, 1);
	CHECK((learner = board_learner(reply, "zoe")) != NULL);
	CHECK_STR(text_of(learner, "here"), "two");
	json_decref(reply);

	if (off_loop) {
		/* Made on a worker: nothing goes out, the coach's next message waits behind it. */
		say_on(&f, &f.clients[KIM],
		       "{\"type\":\"board.get\",\"id\":10,\"cohort\":\"c1\",\"track\":\"demo\"}");
		say_on(&f, &f.clients[KIM], "{\"type\":\"ping\",\"id\":11}");
		gr_live_flush(f.live);
		CHECK_INT(next_reply_id(&f.clients[KIM]), ==, -1);
		demo_drain_workers(f.workers);
		gr_live_flush(f.live);
		CHECK_INT(next_reply_id(&f.clients[KIM]), ==, 10);
		CHECK_INT(next_reply_id(&f.clients[KIM]), ==, 11);

		/* A coach who leaves while it is made: the answer goes nowhere, nothing leaks. */
		say_on(&f, &f.clients[KIM],
		       "{\"type\":\"board.get\",\"id\":12,\"cohort\":\"c1\",\"track\":\"demo\"}");
		gr_live_client_close(f.live, &f.clients[KIM]);
		f.connected[KIM] = 0;
		demo_drain_workers(f.workers);
	}
	fixture_close(&f);
}

static void test_board_get(void)
{
	board_get(0);
}

static void test_board_get_off_loop(void)
{
	board_get(1);
}

/* The entry of user of kind on cohort's track in a home.attention reply, or NULL. */
static json_t *home_entry(json_t *reply, const char *cohort, const char *track, const char *user,
			  const char *kind)
{
	size_t i, j, k;
	json_t *each, *list, *entry;

	json_array_foreach(json_object_get(reply, "cohorts"), i, each)
	{
		if (strcmp(text_of(each, "cohort"), cohort) != 0)
			continue;
		json_array_foreach(json_object_get(each, "tracks"), j, list)
		{
			if (strcmp(text_of(list, "track"), track) != 0)
				continue;
			json_array_foreach(json_object_get(list, "attention"), k, entry)
			{
				if (strcmp(text_of(entry, "user"), user) == 0 &&
				    strcmp(text_of(entry, "kind"), kind) == 0)
					return entry;
			}
		}
	}
	return NULL;
}

/*
 * A coach's home made off the loop: a list that is missing or older than a
 * minute is made on a worker (the reply waits, in order), with the review
 * standings the loop adds; a fresh one is answered from the cache at once.
 */
static void test_home_attention_off_loop(void)
{
	struct fixture f;
	json_t *reply;
	int64_t t0;

	fixture_open_with(&f, NULL, 1);
	t0 = fake_now;
	connect_user(&f, KIM);
	connect_user(&f, LENA);
	expect(&f, LENA, "forbidden", "{\"type\":\"home.attention\",\"id\":2}");
	set_progress(&f, LENA, "project", "started");
	expect(&f, LENA, "ok",
	       "{\"type\":\"submission.create\",\"id\":3,\"track\":\"demo\",\"step\":\"project\","
	       "\"body_md\":\"Mine.\"}");
	fake_now = t0 + 25 * HOUR_MS;

	/* Nothing cached: made on a worker, the next message waiting behind it. */
	say_on(&f, &f.clients[KIM], "{\"type\":\"home.attention\",\"id\":4}");
	say_on(&f, &f.clients[KIM], "{\"type\":\"ping\",\"id\":5}");
	gr_live_flush(f.live);
	CHECK_INT(next_reply_id(&f.clients[KIM]), ==, -1);
	demo_drain_workers(f.workers);
	gr_live_flush(f.live);
	reply = next(&f.clients[KIM]);
	CHECK(reply != NULL);
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 4);
	CHECK(home_entry(reply, "c1", "demo", "lena", "waiting_review") != NULL);
	json_decref(reply);
	CHECK_INT(next_reply_id(&f.clients[KIM]), ==, 5);

	/* Fresh in the cache: answered at once, no worker. */
	say_on(&f, &f.clients[KIM], "{\"type\":\"home.attention\",\"id\":6}");
	gr_live_flush(f.live);
	reply = next(&f.clients[KIM]);
	CHECK(reply != NULL);
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 6);
	CHECK(home_entry(reply, "c1", "demo", "lena", "waiting_review") != NULL);
	json_decref(reply);
	CHECK_INT(gr_workers_pending(f.workers), ==, 0);

	/* A minute on it is stale: made again off the loop. */
	fake_now += 61 * 1000;
	say_on(&f, &f.clients[KIM], "{\"type\":\"home.attention\",\"id\":7}");
	gr_live_flush(f.live);
	CHECK_INT(next_reply_id(&f.clients[KIM]), ==, -1);
	demo_drain_workers(f.workers);
	gr_live_flush(f.live);
	CHECK_INT(next_reply_id(&f.clients[KIM]), ==, 7);

	/* A coach who leaves while it is made: the answer goes nowhere, nothing leaks. */
	fake_now += 61 * 1000;
	say_on(&f, &f.clients[KIM], "{\"type\":\"home.attention\",\"id\":8}");
	gr_live_client_close(f.live, &f.clients[KIM]);
	f.connected[KIM] = 0;
	demo_drain_workers(f.workers);
	fixture_close(&f);
}

int main(void)
{
	gr_log_set_level(GR_LOG_ERROR);
	gr_git_init();
	RUN(test_help_waves_and_expiry);
	RUN(test_help_when_someone_can);
	RUN(test_help_accept_and_thread);
	RUN(test_help_moves_through_help_c);
	RUN(test_attention_summary);
	RUN(test_summary_push);
	RUN(test_summary_push_off_loop);
	RUN(test_summary_off_loop_waiting);
	RUN(test_attention_waiting_and_flagged);
	RUN(test_nudges);
	RUN(test_board_get);
	RUN(test_board_get_off_loop);
	RUN(test_home_attention_off_loop);
	gr_git_shutdown();
	return harness_done();
}
