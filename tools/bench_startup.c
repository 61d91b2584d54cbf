/*
 * bench_startup - writes the data directory of a peer-learning centre after
 * a simulated year, the way groundsd would have left it, for timing
 * groundsd's start-up (tools/bench-startup). Design: "Peer review pairing"
 * and "Store" in DESIGN.md; the snapshots: "Snapshots" in
 * daemon/services/reviews.c.
 *
 *   bench_startup --data-dir DIR [--learners N] [--weeks W] [--projects P]
 *                 [--seed S] [--snapshot-inputs K]
 *
 * The population is tools/simulate's, stretched to a year: N seats
 * (default 300) on one track of P projects (default 24) needing 2 reviews
 * each, with lessons between them. Learners differ in pace, in how often
 * and when they come, in how promptly they review and decline, and in how
 * good their work is; 12% stop coming part-way and are disabled by a coach
 * three weeks later; those who pass every project leave two weeks after.
 * A seat left empty takes a new learner a few days later. Time moves in
 * hours; each hour every learner who is in a session reviews or works, and
 * the review tick runs every minute, as in groundsd.
 *
 * It drives the real review service (daemon/services/reviews.c) behind the
 * real live service on a real store, as groundsd wires them: each learner
 * in a session has a connection (a struct gr_client) and sends the
 * protocol's messages (progress.set, submission.create, review.decline,
 * review.submit), so review_inputs, review_assignments, reviews,
 * submissions, progress, events and users are written exactly as groundsd
 * writes them, each request committed as one turn of the loop. The track
 * ("centre": a lesson, then a project, P times) is a git repository in
 * DIR/track, registered and loaded as groundsd loads tracks. With
 * --snapshot-inputs K the service stores snapshots of its engine at its
 * cadence (K inputs, default 1000, or a quiet spell) and prunes old inputs,
 * as this grounds does; with 0 it stores none and keeps every input, as
 * grounds did before snapshots. The year ends at 16:00 on its last day,
 * mid-activity, without a clean stop: a start replays the inputs logged
 * since the last snapshot. The engine's seed is fixed by --seed, so two
 * runs with the same options make the same history whatever K is.
 *
 * Prints what it wrote: learners, submissions, assignments, inputs logged
 * and kept, snapshots, and its own time.
 */
#include "core/error.h"
#include "core/fanout.h"
#include "core/files.h"
#include "core/log.h"
#include "core/workers.h"
#include "domain/review.h"
#include "protocol/protocol.h"
#include "services/live.h"
#include "services/reviews.h"
#include "services/turn.h"
#include "store/assignment.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "store/track.h"
#include "store/user.h"
#include "tracks/git.h"
#include "tracks/library.h"

#include "splitmix.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MINUTE ((int64_t)60 * 1000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define REVIEWS 2
#define MAX_PROJECTS 64
#define TRACK "centre"

struct options {
	const char *data_dir;
	int learners;
	int weeks;
	int projects;
	uint64_t seed;
	int snapshot_inputs;
};

/* Who a learner is (tools/simulate.c's persona). */
struct persona {
	int vanish_hour; /* when they stop coming, or INT_MAX */
	double pace;	 /* multiplies every piece of work */
	double day_chance;
	int session_hour;
	int session_length;
	double promptness; /* chance per online hour of doing a pending review */
	double decline;	   /* chance of declining an assignment when first seen */
	double skill;	   /* chance a reviewer passes a first attempt */
	double lesson_hours, project_hours;
};

/* One seat's current learner. */
struct seat {
	struct gr_user user;	 /* id 0: the seat is empty */
	struct gr_client client; /* their connection while online */
	struct persona persona;
	int start_hour;
	int leave_hour;	  /* INT_MAX until they finished or vanished */
	int disable_hour; /* when a coach disables the account, or INT_MAX */
	uint64_t rng;
	bool online;
	int task; /* 2k: lessons before project k; 2k+1: project k; 2P: finished */
	double work_done;
	int64_t pending; /* the submission in review, or 0 */
	int pending_project;
	bool rework;
	double rework_done;
	int attempt[MAX_PROJECTS];
	int64_t seen[64]; /* assignments already considered for declining */
	int seen_count;
};

struct sim {
	const struct options *options;
	struct gr_store *store;
	struct gr_turn *turn;
	struct gr_live *live;
	struct gr_reviews *reviews;
	struct seat *seats;
	struct persona *personas; /* by user id, for the pass chance of their work */
	int persona_cap;
	int learners_ever, submissions;
	int64_t request_id;
	uint64_t rng;
};

static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

static void must(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "bench_startup: %s: %s\n", what, gr_error_last());
		exit(1);
	}
}

/* ---- learners come and go ------------------------------------------------- */

static void make_persona(struct persona *p, uint64_t *rng, int hour, int hours)
{
	p->vanish_hour = INT_MAX;
	if (uniform(rng) < 0.12)
		p->vanish_hour = hour + (int)between(rng, 7 * 24, hours * 0.5);
	p->pace = between(rng, 0.6, 1.8);
	p->day_chance = between(rng, 0.35, 0.9);
	p->session_hour = (int)between(rng, 8, 22);
	p->session_length = 1 + (int)between(rng, 0, 3);
	p->promptness = uniform(rng) < 0.3 ? between(rng, 0.05, 0.2) : between(rng, 0.4, 0.9);
	p->decline = between(rng, 0.0, 0.08);
	p->skill = between(rng, 0.5, 0.95);
	p->lesson_hours = between(rng, 5, 10);
	p->project_hours = between(rng, 3, 7);
}

/* A new learner takes seat i at hour. */
static void join(struct sim *sim, int i, int hour)
{
	struct seat *seat = &sim->seats[i];
	int number = ++sim->learners_ever;

	memset(seat, 0, sizeof(*seat));
	make_persona(&seat->persona, &sim->rng, hour, sim->options->weeks * 7 * 24);
	seat->start_hour = hour;
	seat->leave_hour = seat->disable_hour = INT_MAX;
	seat->rng = hash3(sim->options->seed, (uint64_t)number, 7);
	snprintf(seat->user.handle, sizeof(seat->user.handle), "learner%d", number);
	snprintf(seat->user.display_name, sizeof(seat->user.display_name), "Learner %d", number);
	snprintf(seat->user.cohort, sizeof(seat->user.cohort), "year");
	snprintf(seat->user.password_hash, sizeof(seat->user.password_hash), "!bench");
	seat->user.role = GR_ROLE_LEARNER;
	seat->user.created_at = fake_now;
	must(gr_store_user_insert(sim->store, &seat->user), "adding a learner");
	if (seat->user.id >= sim->persona_cap) {
		sim->persona_cap = (int)seat->user.id * 2 + 64;
		sim->personas =
		    realloc(sim->personas, (size_t)sim->persona_cap * sizeof(*sim->personas));
		if (!sim->personas)
			must(GR_ERROR, "out of memory");
	}
	sim->personas[seat->user.id] = seat->persona;
}

static bool in_session(const struct sim *sim, const struct seat *seat, int hour)
{
	const struct persona *p = &seat->persona;
	uint64_t roll = hash3(sim->options->seed, (uint64_t)seat->user.id, (uint64_t)hour / 24 + 1);
	int at = hour % 24, start = p->session_hour + (int)(roll % 5) - 2;
	int length = p->session_length + (int)((roll >> 8) % 3) - 1;

	if (hour < seat->start_hour || hour >= seat->leave_hour || hour >= p->vanish_hour)
		return false;
	if ((double)((roll >> 16) % 1000) / 1000.0 >= p->day_chance)
		return false;
	return at >= start && at < start + (length < 1 ? 1 : length);
}

/* Discard what the live service queued for a connection (pushes a browser would show). */
static void drain(struct gr_client *client)
{
	while (gr_fanout_queue_peek(&client->subscriber.queue))
		gr_fanout_queue_pop(&client->subscriber.queue);
}

/*
 * The seat's learner sends text and the turn is flushed, as the loop does;
 * their reply (caller decrefs), after any pushes queued before it. Any
 * error but a conflict (a review already given or declined) stops the run.
 */
static json_t *say(struct sim *sim, struct seat *seat, const char *text)
{
	struct gr_client *client = &seat->client;
	struct gr_message *message;
	json_t *reply = NULL;
	const char *type, *code;

	gr_live_receive(sim->live, client, text, strlen(text));
	gr_live_flush(sim->live);
	while (!reply && (message = gr_fanout_queue_peek(&client->subscriber.queue)) != NULL) {
		json_t *json = json_loadb(gr_fanout_message_text(message),
					  gr_fanout_message_len(message), 0, NULL);

		gr_fanout_queue_pop(&client->subscriber.queue);
		type = json_string_value(json_object_get(json, "type"));
		if (type && (strcmp(type, "ok") == 0 || strcmp(type, "error") == 0))
			reply = json;
		else
			json_decref(json);
	}
	drain(client);
	if (!reply) {
		fprintf(stderr, "bench_startup: no reply to %s\n", text);
		exit(1);
	}
	code = json_string_value(json_object_get(reply, "code"));
	if (code && strcmp(code, "conflict") != 0) {
		fprintf(stderr, "bench_startup: %s: %s\n", code,
			json_string_value(json_object_get(reply, "message")));
		exit(1);
	}
	return reply;
}

static void set_online(struct sim *sim, struct seat *seat, bool online)
{
	char hello[64];

	if (seat->online == online)
		return;
	seat->online = online;
	if (!online) {
		gr_live_client_close(sim->live, &seat->client);
		memset(&seat->client, 0, sizeof(seat->client));
		return;
	}
	memset(&seat->client, 0, sizeof(seat->client));
	seat->client.user = seat->user;
	must(gr_live_client_open(sim->live, &seat->client), "a connection");
	snprintf(hello, sizeof(hello), "{\"type\":\"hello\",\"id\":%lld}",
		 (long long)++sim->request_id);
	json_decref(say(sim, seat, hello));
}

/* Seats of learners who left, disabled by a coach; empty seats filled again. */
static void turnover(struct sim *sim, int hour)
{
	for (int i = 0; i < sim->options->learners; i++) {
		struct seat *seat = &sim->seats[i];

		if (seat->user.id && seat->persona.vanish_hour <= hour &&
		    seat->leave_hour == INT_MAX) {
			seat->leave_hour = hour;
			seat->disable_hour = hour + 21 * 24;
		}
		if (seat->user.id && seat->disable_hour <= hour) {
			set_online(sim, seat, false);
			must(gr_store_user_disable(sim->store, seat->user.handle, fake_now),
			     "disabling a learner");
			seat->disable_hour = INT_MAX;
			seat->user.id = 0;
			seat->start_hour = hour + 24 * (1 + (int)(splitmix(&sim->rng) % 7));
		}
		if (seat->user.id == 0 && hour >= seat->start_hour)
			join(sim, i, hour);
	}
}

/* ---- one learner's hour ---------------------------------------------------- */

struct live_list {
	int64_t ids[32];
	int count;
};

static int collect_live(const struct gr_store_assignment *row, void *payload)
{
	struct live_list *list = payload;

	if (row->state == GR_REVIEW_ASSIGNED && list->count < 32)
		list->ids[list->count++] = row->id;
	return 0;
}

static bool seen_before(struct seat *seat, int64_t assignment)
{
	for (int i = 0; i < seat->seen_count; i++)
		if (seat->seen[i] == assignment)
			return true;
	if (seat->seen_count == 64)
		seat->seen_count = 0;
	seat->seen[seat->seen_count++] = assignment;
	return false;
}

/* Declines some assignments when first seen; gives at most one review. Hours spent. */
static double do_reviews(struct sim *sim, struct seat *seat)
{
	struct live_list live = {.count = 0};
	struct gr_store_assignment row;
	char text[512];
	uint64_t *rng = &seat->rng;
	double chance;

	must(gr_store_assignment_each_of_reviewer(sim->store, seat->user.id, 32, collect_live,
						  &live),
	     "listing assignments");
	for (int k = 0; k < live.count; k++) {
		if (seen_before(seat, live.ids[k]) || uniform(rng) >= seat->persona.decline)
			continue;
		snprintf(text, sizeof(text),
			 "{\"type\":\"review.decline\",\"id\":%lld,\"assignment\":%lld}",
			 (long long)++sim->request_id, (long long)live.ids[k]);
		json_decref(say(sim, seat, text));
		live.ids[k--] = live.ids[--live.count];
	}
	if (live.count == 0 || uniform(rng) >= seat->persona.promptness)
		return 0;
	must(gr_store_assignment_get(sim->store, &row, live.ids[0]), "reading an assignment");
	chance = sim->personas[row.author_id].skill + 0.2 * (row.attempt - 1);
	snprintf(text, sizeof(text),
		 "{\"type\":\"review.submit\",\"id\":%lld,\"assignment\":%lld,"
		 "\"verdict\":\"%s\",\"checks\":[],"
		 "\"comment_md\":\"Checked it against the list; see the notes above.\"}",
		 (long long)++sim->request_id, (long long)row.id,
		 uniform(rng) < (chance > 0.97 ? 0.97 : chance) ? "pass" : "needs_work");
	json_decref(say(sim, seat, text));
	return 0.5;
}

/* Work on project submitted: started first (a first attempt), then submission.create. */
static void submit(struct sim *sim, struct seat *seat, int project)
{
	char text[512];
	json_t *reply, *submission;

	if (!seat->rework) {
		snprintf(text, sizeof(text),
			 "{\"type\":\"progress.set\",\"id\":%lld,\"track\":\"" TRACK "\","
			 "\"step\":\"p%d\",\"state\":\"started\"}",
			 (long long)++sim->request_id, project + 1);
		json_decref(say(sim, seat, text));
	}
	snprintf(text, sizeof(text),
		 "{\"type\":\"submission.create\",\"id\":%lld,\"track\":\"" TRACK "\","
		 "\"step\":\"p%d\",\"body_md\":\"My project: what I made, how to run it, "
		 "and what I would do next.\"}",
		 (long long)++sim->request_id, project + 1);
	reply = say(sim, seat, text);
	submission = json_object_get(reply, "submission");
	if (!json_is_object(submission)) {
		fprintf(stderr, "bench_startup: submission.create: no submission in its reply\n");
		exit(1);
	}
	seat->attempt[project] = (int)json_integer_value(json_object_get(submission, "attempt"));
	seat->pending = json_integer_value(json_object_get(submission, "id"));
	json_decref(reply);
	seat->pending_project = project;
	seat->rework = false;
	sim->submissions++;
}

/* Where the pending submission stands: rework after needs work, on after a pass. */
static void check_verdict(struct sim *sim, struct seat *seat)
{
	struct gr_review_standing standing;

	if (!seat->pending || seat->rework ||
	    gr_review_standing_get(&standing, gr_reviews_engine(sim->reviews), seat->pending,
				   fake_now) != 0)
		return;
	if (standing.state == GR_REVIEW_SUBMISSION_PASSED) {
		seat->pending = 0;
	} else if (standing.state == GR_REVIEW_SUBMISSION_NEEDS_WORK) {
		seat->rework = true;
		seat->rework_done = 0;
	}
}

static void do_work(struct sim *sim, struct seat *seat, double hours, int hour)
{
	const struct persona *p = &seat->persona;
	int projects = sim->options->projects, project = seat->task / 2;
	bool is_project = seat->task % 2 == 1;

	if (seat->rework) {
		seat->rework_done += hours;
		if (seat->rework_done >= 2.0 * p->pace)
			submit(sim, seat, seat->pending_project);
		return;
	}
	if (seat->task >= 2 * projects) {
		if (!seat->pending && seat->leave_hour == INT_MAX) {
			seat->leave_hour = hour + 14 * 24; /* finished: off in two weeks */
			seat->disable_hour = seat->leave_hour;
		}
		return;
	}
	if (is_project && seat->pending)
		return; /* a project waits for the previous one to pass */
	seat->work_done += hours;
	if (seat->work_done < p->pace * (is_project ? p->project_hours : p->lesson_hours))
		return;
	seat->work_done = 0;
	seat->task++;
	if (is_project)
		submit(sim, seat, project);
}

static void learner_hour(struct sim *sim, struct seat *seat, int hour)
{
	bool online = seat->user.id && in_session(sim, seat, hour);

	if (!seat->user.id)
		return;
	set_online(sim, seat, online);
	check_verdict(sim, seat);
	if (online)
		do_work(sim, seat, 1.0 - do_reviews(sim, seat), hour);
}

/* ---- the year ---------------------------------------------------------------- */

static void one_hour(struct sim *sim, int64_t t0, int hour)
{
	fake_now = t0 + hour * HOUR;
	turnover(sim, hour);
	for (int i = 0; i < sim->options->learners; i++)
		learner_hour(sim, &sim->seats[i], hour);
	for (int minute = 0; minute < 60; minute++) {
		fake_now = t0 + hour * HOUR + minute * MINUTE;
		gr_reviews_tick(sim->reviews);
		gr_live_flush(sim->live);
	}
	for (int i = 0; i < sim->options->learners; i++)
		if (sim->seats[i].online)
			drain(&sim->seats[i].client);
}

static void ignore_notify(struct gr_subscriber *subscriber, void *payload)
{
	(void)subscriber;
	(void)payload;
}

static void ignore_flush(void *payload)
{
	(void)payload;
}

/* text into dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	file = fopen(path, "w");
	if (!file || fputs(text, file) < 0 || fclose(file) != 0) {
		fprintf(stderr, "bench_startup: cannot write %s\n", path);
		exit(1);
	}
}

/*
 * The track "centre" as a git repository in data_dir/track, registered in
 * the store: P times a lesson, then a project needing REVIEWS reviews.
 */
static void make_track(struct sim *sim)
{
	struct gr_track_entry entry = {0};
	char repo[4096], name[32], text[256], command[4400], *outline;
	size_t size = 256 + (size_t)sim->options->projects * 64, used;

	snprintf(repo, sizeof(repo), "%.4000s/track", sim->options->data_dir);
	mkdir(repo, 0755);
	outline = malloc(size);
	if (!outline)
		must(GR_ERROR, "out of memory");
	used =
	    (size_t)snprintf(outline, size, "# Centre\n\nA year of projects.\n\n## Projects\n\n");
	for (int k = 1; k <= sim->options->projects; k++) {
		used +=
		    (size_t)snprintf(outline + used, size - used,
				     "- [Lesson %d](l%d.md)\n- [Project %d](p%d.md)\n", k, k, k, k);
		snprintf(name, sizeof(name), "l%d.md", k);
		snprintf(text, sizeof(text), "---\nid: l%d\n---\n# Lesson %d\n\nRead it.\n", k, k);
		write_file(repo, name, text);
		snprintf(name, sizeof(name), "p%d.md", k);
		snprintf(text, sizeof(text),
			 "---\nid: p%d\nkind: project\nreviews: %d\n---\n# Project %d\n\n"
			 "Make it.\n",
			 k, REVIEWS, k);
		write_file(repo, name, text);
	}
	write_file(repo, "track.md", outline);
	free(outline);
	snprintf(command, sizeof(command),
		 "cd '%s' && git init -q && git add -A && git -c user.name=bench "
		 "-c user.email=bench@example.org commit -qm centre",
		 repo);
	if (system(command) != 0)
		must(GR_ERROR, "committing the track");
	snprintf(entry.id, sizeof(entry.id), TRACK);
	snprintf(entry.repo, sizeof(entry.repo), "%s", repo);
	entry.added_at = fake_now;
	must(gr_store_track_insert(sim->store, &entry), "registering the track");
}

/* The library has loaded the track, as groundsd's has before it listens. */
static void wait_for_track(struct gr_library *library, struct gr_workers *workers)
{
	gr_library_check(library);
	for (int i = 0; i < 3000 && !gr_library_track(library, TRACK); i++) {
		struct timespec pause = {0, 10 * 1000 * 1000};

		nanosleep(&pause, NULL);
		gr_workers_complete(workers);
	}
	if (!gr_library_track(library, TRACK))
		must(GR_ERROR, "loading the track");
}

static int count_row(int64_t id, void *payload)
{
	(void)id;
	(*(int *)payload)++;
	return 0;
}

static void report(struct sim *sim, double seconds)
{
	struct gr_store_snapshot snapshot = {0};
	int64_t first = 0, assignments;
	int snapshots = 0, disabled = 0;

	must(gr_store_snapshot_first_input(sim->store, &first), "reading the inputs");
	must(gr_store_snapshot_count(sim->store, &snapshots), "counting snapshots");
	must(gr_store_user_disabled_learners(sim->store, count_row, &disabled), "counting");
	assignments = gr_review_assignment_count(gr_reviews_engine(sim->reviews));
	printf("bench_startup: %d seats, %d weeks, %d projects, seed %llu, snapshots every %d "
	       "inputs\n",
	       sim->options->learners, sim->options->weeks, sim->options->projects,
	       (unsigned long long)sim->options->seed, sim->options->snapshot_inputs);
	printf("  learners %d (%d disabled), submissions %d, assignments %lld\n",
	       sim->learners_ever, disabled, sim->submissions, (long long)assignments);
	if (gr_store_snapshot_newest(sim->store, &snapshot, INT64_MAX) == 0)
		printf("  snapshots %d, the newest after input %lld: %zu bytes\n", snapshots,
		       (long long)snapshot.seq, snapshot.size);
	else
		printf("  snapshots 0\n");
	gr_store_snapshot_clear(&snapshot);
	printf("  review inputs kept from #%lld on; written in %.1f s\n", (long long)first,
	       seconds);
}

static void run(const struct options *options)
{
	struct gr_reviews_settings settings;
	struct gr_live_settings live_settings;
	struct gr_live_hooks hooks = {.headroom = 16, .notify = ignore_notify, .request_flush = ignore_flush};
	struct gr_workers *workers = NULL;
	struct gr_library *library = NULL;
	struct sim sim = {.options = options, .rng = options->seed * 7919 + 1};
	char path[4200], seed[128];
	int hours = options->weeks * 7 * 24 + 16; /* the model's days begin at hour 0 */
	int64_t t0 = (time(NULL) * 1000 - (int64_t)hours * HOUR) / HOUR * HOUR;
	struct timespec began, ended;

	clock_gettime(CLOCK_MONOTONIC, &began);
	fake_now = t0;
	gr_files_database_path(path, sizeof(path), options->data_dir);
	must(gr_files_make_dirs(options->data_dir), options->data_dir);
	must(gr_store_open(&sim.store, path), path);
	/* The engine's settings as groundsd records them (reviews.c), with a fixed seed. */
	snprintf(seed, sizeof(seed), "%llu %lld %lld 0", (unsigned long long)options->seed,
		 (long long)GR_REVIEW_DEFAULT_LEASE_MS,
		 (long long)GR_REVIEW_DEFAULT_LEASE_ONLINE_MS);
	must(gr_store_meta_set(sim.store, "review_engine", seed), "recording the seed");
	must(gr_workers_start(&workers, 1), "workers");
	make_track(&sim);
	must(gr_library_new(&library, sim.store, workers, 0), "library");
	wait_for_track(library, workers);
	/* The services as main.c wires them; the loop's hooks last. */
	must(gr_turn_new(&sim.turn, sim.store), "the turn");
	gr_live_settings_defaults(&live_settings);
	live_settings.clock = fake_clock;
	live_settings.messages_per_second = 0;
	must(gr_live_new(&sim.live, sim.store, library, sim.turn, &live_settings),
	     "the live service");
	gr_reviews_settings_defaults(&settings);
	settings.clock = fake_clock;
	settings.snapshot_inputs = options->snapshot_inputs;
	must(gr_reviews_new(&sim.reviews, sim.store, library, sim.turn, &settings),
	     "the review service");
	must(gr_reviews_attach(sim.reviews, sim.live), "attaching the review service");
	must(gr_live_set_hooks(sim.live, &hooks), "the live service's hooks");
	sim.seats = calloc((size_t)options->learners, sizeof(*sim.seats));
	if (!sim.seats)
		must(GR_ERROR, "out of memory");
	for (int i = 0; i < options->learners; i++)
		sim.seats[i].start_hour = (int)(splitmix(&sim.rng) % (7 * 24));
	for (int hour = 0; hour < hours; hour++)
		one_hour(&sim, t0, hour);
	clock_gettime(CLOCK_MONOTONIC, &ended);
	report(&sim, (double)(ended.tv_sec - began.tv_sec) +
			 (double)(ended.tv_nsec - began.tv_nsec) / 1e9);
	/* The year ends without a clean stop: no snapshot; connections just go. */
	gr_reviews_attach(sim.reviews, NULL);
	for (int i = 0; i < options->learners; i++)
		if (sim.seats[i].online)
			gr_live_client_close(sim.live, &sim.seats[i].client);
	gr_live_free(sim.live);
	gr_reviews_free(sim.reviews);
	gr_turn_free(sim.turn);
	gr_library_free(library);
	gr_workers_stop(workers);
	gr_store_close(sim.store);
	free(sim.seats);
	free(sim.personas);
}

static int parse(struct options *out, int argc, char **argv)
{
	*out = (struct options){
	    .learners = 300, .weeks = 52, .projects = 24, .seed = 1, .snapshot_inputs = 1000};
	for (int i = 1; i + 1 < argc; i += 2) {
		char *end = NULL;
		long long value = strtoll(argv[i + 1], &end, 10);
		bool number = end && !*end && value >= 0;

		if (strcmp(argv[i], "--data-dir") == 0)
			out->data_dir = argv[i + 1];
		else if (strcmp(argv[i], "--learners") == 0 && number && value >= 2 &&
			 value <= 100000)
			out->learners = (int)value;
		else if (strcmp(argv[i], "--weeks") == 0 && number && value >= 1 && value <= 520)
			out->weeks = (int)value;
		else if (strcmp(argv[i], "--projects") == 0 && number && value >= 1 &&
			 value <= MAX_PROJECTS)
			out->projects = (int)value;
		else if (strcmp(argv[i], "--seed") == 0 && number)
			out->seed = (uint64_t)value;
		else if (strcmp(argv[i], "--snapshot-inputs") == 0 && number && value <= INT_MAX)
			out->snapshot_inputs = (int)value;
		else
			return -1;
	}
	return out->data_dir && argc % 2 == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct options options;

	if (parse(&options, argc, argv) < 0) {
		fprintf(stderr, "usage: bench_startup --data-dir DIR [--learners N] [--weeks W] "
				"[--projects P] [--seed S] [--snapshot-inputs K]\n");
		return 2;
	}
	gr_log_set_level(GR_LOG_ERROR);
	gr_git_init();
	run(&options);
	gr_git_shutdown();
	return 0;
}
