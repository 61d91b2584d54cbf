/*
 * loadgen.c - a websocket load generator for groundsd's live service (/ws).
 * Design: "Performance budget" and "Live updates" in DESIGN.md; messages in
 * docs/protocol.md; driven by tools/bench-live.
 *
 *   loadgen prepare --data-dir DIR --learners N --coaches M --cohort C
 *                   [--track T --steps K --filled F]
 *   loadgen run --url ws://HOST:PORT/ws --tokens FILE --connections N
 *               --rate R --boards B --seconds S --track T --steps K
 *               [--sources ADDR,ADDR,...] [--connect-rate C] [--idle-seconds I]
 *               [--protocol grounds|plain] [--slow W]
 *
 * prepare writes N learners and M coaches of cohort C, each with a session,
 * straight into the data directory's store (no password hashing: the
 * accounts cannot sign in, only use their session), and writes the session
 * tokens to DIR/loadgen-tokens.txt as lines "ROLE HANDLE TOKEN". With
 * --filled F, each learner has also done the last F steps of track T
 * (s(K-F+1)..sK), at times spread over the last eight weeks, so a coach's
 * board starts full (its grid, medians and weekly chart have data) while the
 * load walks s1, s2, ... Run it before groundsd starts.
 *
 * run opens N learner and B coach connections at a bounded rate (spread over
 * the --sources addresses, so one address does not run out of ports), says
 * hello on each, subscribes every coach connection to board:COHORT/TRACK,
 * idles, then sends R progress.set requests per second for S seconds. Each
 * learner walks the steps s1..sK of track T: "started" then "done" for each,
 * one request in flight at a time, so every request changes a state and
 * causes one event. It measures the reply latency (write of the request to
 * its ok) and the push latency (write of the request to each board's receipt
 * of its event, matched by user, step and state), and prints them with the
 * achieved rate, every error and this process's own CPU use (a busy load
 * generator adds its own queueing to every figure). Progress lines on stdout
 * say when all connections are open ("connected ..."), when the load starts
 * and ends ("load ...", "load done") and when it has drained ("drained"), so
 * a driver can sample the daemon's memory and CPU at those moments. Learners
 * start at s1, so run against accounts fresh from prepare: steps already
 * done are answered "ok" without a change and counted as unchanged.
 *
 * --protocol plain drives a server that has no sessions (tools/compare/,
 * for tools/bench-compare): no --tokens, the accounts are learner1..N and
 * coach1..B, no cookie is sent and hello names the user ("user": handle).
 * The messages are otherwise the same.
 *
 * With --slow W, W more coach connections (accounts after the B boards')
 * subscribe to the same board and then never read again: slow consumers.
 * The daemon must bound what it holds for them (their queues overflow and
 * they are closed) without the others' latencies suffering; they are
 * counted apart and never in the push figures.
 *
 * One thread: one libwebsockets client context on a libuv loop (epoll, like
 * the daemon's: with poll() every wake-up scanned all N descriptors, and
 * the load generator was the bottleneck at 10,000) and one timer that paces
 * connects and requests (every 1 ms while loading, every 10 ms otherwise).
 * After "drained" the results are printed and stdout is closed before the
 * connections are.
 */
#include "core/account.h"
#include "core/error.h"
#include "core/files.h"
#include "core/secret.h"
#include "store/cohort.h"
#include "store/progress.h"
#include "store/session.h"
#include "store/store.h"
#include "store/user.h"

#include <libwebsockets.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define TOKENS_FILE "loadgen-tokens.txt"
#define SESSION_MS (30LL * 24 * 60 * 60 * 1000)
#define LOAD_TICK_US 1000   /* the timer while sending updates, for even pacing */
#define TICK_US 10000       /* ... and otherwise: each wake-up polls every connection */
#define MAX_CONNECTING 1000   /* handshakes in flight at once */
#define CONNECT_TIMEOUT_S 120 /* give up waiting for the rest after this */
#define DRAIN_TIMEOUT_S 10
#define QUIET_US 1000000       /* no push for this long: the rest are not coming */
#define HOLD_US 1500000       /* after "drained", before closing everything */
#define RECENT 32             /* a learner's latest sends, kept for matching events */
#define MAX_SOURCES 16
#define MAX_ERROR_CODES 16
#define MESSAGE_MAX 512

/* ---- small helpers ------------------------------------------------------ */

static int64_t now_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* Latencies in microseconds; sorted once at the end. */
struct samples {
	uint32_t *values;
	size_t count, capacity;
};

static void samples_add(struct samples *samples, int64_t us)
{
	if (samples->count == samples->capacity) {
		size_t capacity = samples->capacity ? samples->capacity * 2 : 4096;
		uint32_t *grown = realloc(samples->values, capacity * sizeof(*grown));

		if (!grown)
			return; /* out of memory: the sample is lost, the run goes on */
		samples->values = grown;
		samples->capacity = capacity;
	}
	samples->values[samples->count++] = us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0 < q <= 1) in milliseconds of sorted samples. */
static double quantile_ms(const struct samples *samples, double q)
{
	double exact = q * (double)samples->count;
	size_t rank = (size_t)exact;

	if (!samples->count)
		return 0;
	if ((double)rank < exact)
		rank++; /* the nearest-rank method: ceil(q * count) */
	return samples->values[rank ? rank - 1 : 0] / 1000.0;
}

static void samples_print(struct samples *samples, const char *name, const char *extra)
{
	qsort(samples->values, samples->count, sizeof(uint32_t), compare_u32);
	printf("%s latency ms: median %.2f p99 %.2f max %.2f (n=%zu%s)\n", name,
	       quantile_ms(samples, 0.5), quantile_ms(samples, 0.99), quantile_ms(samples, 1.0),
	       samples->count, extra);
}

/* ---- options ------------------------------------------------------------- */

struct options {
	const char *data_dir, *cohort, *url, *tokens, *track, *sources, *protocol;
	int learners, coaches, connections, rate, boards, seconds, steps, connect_rate,
		idle_seconds, filled, slow;
};

enum option_kind { TEXT, NUMBER };

static const struct option_spec {
	const char *name;
	enum option_kind kind;
	size_t offset;
} option_specs[] = {
#define OPTION(name, kind, member) { name, kind, offsetof(struct options, member) }
	OPTION("--data-dir", TEXT, data_dir),	   OPTION("--cohort", TEXT, cohort),
	OPTION("--url", TEXT, url),		   OPTION("--tokens", TEXT, tokens),
	OPTION("--track", TEXT, track),		   OPTION("--sources", TEXT, sources),
	OPTION("--learners", NUMBER, learners),	   OPTION("--coaches", NUMBER, coaches),
	OPTION("--connections", NUMBER, connections), OPTION("--rate", NUMBER, rate),
	OPTION("--boards", NUMBER, boards),	   OPTION("--seconds", NUMBER, seconds),
	OPTION("--steps", NUMBER, steps),	   OPTION("--connect-rate", NUMBER, connect_rate),
	OPTION("--idle-seconds", NUMBER, idle_seconds), OPTION("--filled", NUMBER, filled),
	OPTION("--protocol", TEXT, protocol),	   OPTION("--slow", NUMBER, slow),
#undef OPTION
};

static int set_option(struct options *options, const char *name, const char *value)
{
	for (size_t i = 0; i < sizeof(option_specs) / sizeof(option_specs[0]); i++) {
		const struct option_spec *spec = &option_specs[i];
		char *member = (char *)options + spec->offset, *end = NULL;
		long n;

		if (strcmp(spec->name, name) != 0)
			continue;
		if (spec->kind == TEXT) {
			*(const char **)(void *)member = value;
			return 0;
		}
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || end == value || *end || n < 0 || n > 10000000) {
			fprintf(stderr, "loadgen: %s wants a whole number, not '%s'\n", name, value);
			return -1;
		}
		*(int *)(void *)member = (int)n;
		return 0;
	}
	fprintf(stderr, "loadgen: unknown option '%s'\n", name);
	return -1;
}

static int parse_options(struct options *out, int argc, char **argv)
{
	memset(out, 0, sizeof(*out));
	out->cohort = "bench";
	out->connect_rate = 2000;
	out->idle_seconds = 3;
	out->protocol = "grounds";
	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "loadgen: %s needs a value\n", argv[i]);
			return -1;
		}
		if (set_option(out, argv[i], argv[i + 1]) != 0)
			return -1;
	}
	return 0;
}

/* ---- prepare: accounts and sessions straight into the store ------------- */

static int add_account(struct gr_store *store, FILE *out, enum gr_role role, int number,
		       const char *cohort, int64_t now, int64_t *out_id)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	char token[GR_TOKEN_TEXT_SIZE];
	struct gr_user user;
	int rc;

	memset(&user, 0, sizeof(user));
	snprintf(user.handle, sizeof(user.handle), "%s%d", gr_account_role_name(role), number);
	snprintf(user.display_name, sizeof(user.display_name), "Load %s %d", gr_account_role_name(role),
		 number);
	snprintf(user.cohort, sizeof(user.cohort), "%s", cohort);
	snprintf(user.password_hash, sizeof(user.password_hash), "!loadgen"); /* no sign-in */
	user.role = role;
	user.created_at = now;
	if ((rc = gr_store_user_insert(store, &user)) != 0)
		return rc;
	gr_secret_token(token, 32);
	gr_secret_token_hash(hash, token);
	if ((rc = gr_store_session_insert(store, hash, user.id, now, now + SESSION_MS)) != 0)
		return rc;
	fprintf(out, "%s %s %s\n", gr_account_role_name(role), user.handle, token);
	*out_id = user.id;
	return 0;
}

/* Learner user_id has done the last `filled` steps, at times spread over eight weeks. */
static int fill_progress(struct gr_store *store, int64_t user_id, const struct options *options,
			 int64_t now)
{
	const int64_t hour = 60 * 60 * 1000LL, span = 8 * 7 * 24 * hour;
	struct gr_store_progress row;
	int rc = 0;

	for (int step = options->steps - options->filled + 1; rc == 0 && step <= options->steps;
	     step++) {
		/* A fixed pseudo-random spread: the same board on every run. */
		uint32_t mix = (uint32_t)(user_id * 2654435761u) ^ (uint32_t)(step * 40503u);

		memset(&row, 0, sizeof(row));
		snprintf(row.track_id, sizeof(row.track_id), "%s", options->track);
		snprintf(row.step_id, sizeof(row.step_id), "s%d", step);
		row.state = GR_PROGRESS_DONE;
		row.started_at = now - span + (int64_t)(mix % (uint32_t)(span / hour)) * hour;
		row.finished_at = row.started_at + (1 + mix % 48) * hour;
		row.updated_at = row.finished_at;
		rc = gr_store_progress_put(store, user_id, &row);
	}
	return rc;
}

static int add_accounts(struct gr_store *store, FILE *out, const struct options *options)
{
	int64_t now = (int64_t)time(NULL) * 1000, id;
	int rc;

	if ((rc = gr_store_begin(store)) != 0)
		return rc;
	rc = gr_store_cohort_add(store, options->cohort, 1, now); /* on record in the default centre */
	if (rc == GR_EEXISTS)
		rc = 0;
	for (int i = 1; rc == 0 && i <= options->learners; i++) {
		rc = add_account(store, out, GR_ROLE_LEARNER, i, options->cohort, now, &id);
		if (rc == 0 && options->filled > 0)
			rc = fill_progress(store, id, options, now);
	}
	for (int i = 1; rc == 0 && i <= options->coaches; i++) {
		rc = add_account(store, out, GR_ROLE_COACH, i, options->cohort, now, &id);
		if (rc == 0) /* a coach sees only the boards of the cohorts they coach */
			rc = gr_store_user_add_coached(store, id, options->cohort);
	}
	if (rc == 0)
		return gr_store_commit(store);
	gr_store_rollback(store);
	return rc;
}

static int prepare(const struct options *options)
{
	char db_path[4096], tokens_path[4096];
	struct gr_store *store = NULL;
	FILE *out = NULL;
	int fd, rc = GR_ERROR;

	if (!options->data_dir || gr_account_check_cohort(options->cohort) != 0) {
		fprintf(stderr, "loadgen: prepare needs --data-dir DIR and a valid --cohort\n");
		return 2;
	}
	if (options->filled > 0 && (!options->track || options->filled > options->steps)) {
		fprintf(stderr, "loadgen: --filled F needs --track T and --steps K with F <= K\n");
		return 2;
	}
	snprintf(tokens_path, sizeof(tokens_path), "%s/%s", options->data_dir, TOKENS_FILE);
	gr_files_database_path(db_path, sizeof(db_path), options->data_dir);
	if ((rc = gr_secret_init()) || (rc = gr_files_make_dirs(options->data_dir)) ||
	    (rc = gr_store_open(&store, db_path)))
		goto out;
	fd = open(tokens_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		gr_error_set("cannot write %s: %s", tokens_path, strerror(errno));
		rc = GR_ERROR;
		goto out;
	}
	rc = add_accounts(store, out, options);
out:
	if (out && fclose(out) != 0 && rc == 0) {
		gr_error_set("cannot write %s", tokens_path);
		rc = GR_ERROR;
	}
	gr_store_close(store);
	if (rc)
		fprintf(stderr, "loadgen: prepare: %s\n", gr_error_last());
	return rc ? 1 : 0;
}

/* ---- the run's state ----------------------------------------------------- */

struct account {
	char handle[GR_HANDLE_MAX + 1];
	char token[GR_TOKEN_TEXT_SIZE];
	int number; /* N of "learnerN" */
};

enum conn_kind { LEARNER, BOARD, SLOW };
enum conn_state { IDLE, CONNECTING, HELLO, SUBSCRIBING, READY, CLOSED, FAILED };

/* One write of a learner: its update number (2 * step + done) and when. */
struct sent {
	int update;
	int64_t at;
};

struct conn {
	struct run *run;
	struct lws *wsi;
	enum conn_kind kind;
	enum conn_state state;
	const struct account *account;
	int source;
	int update;       /* a learner's next update: 2 * step index + (0 started, 1 done) */
	int64_t request_id; /* the request in flight (0: none) */
	int64_t request_at;
	size_t out_len;   /* a message waiting to be written (0: none) */
	unsigned char out[LWS_PRE + MESSAGE_MAX];
	struct sent recent[RECENT];
	char *partial;    /* a message that came in pieces */
	size_t partial_len;
};

enum phase { CONNECT, SETTLE, LOAD, DRAIN, DONE };

struct counts {
	long connect_errors, setup_errors, closed, sent, ok, changed, unchanged, errors, stalls,
		pushes, unmatched, resyncs, resyncs_in_load, expected_pushes, acked_in_load, summaries, received,
		received_in_load, open_at_end, boards_open_at_end, slow_ready, slow_closed;
	double load_seconds, load_cpu_seconds; /* this process's CPU time during the load */
	char error_codes[MAX_ERROR_CODES][32];
	long error_code_counts[MAX_ERROR_CODES];
};

struct run {
	struct options options;
	struct lws_context *context;
	uv_loop_t loop;
	int loop_started;
	uv_timer_t tick;
	int tick_started;
	char url_copy[512], host[300], origin[320], path[256], address[256];
	int port;
	char board_topic[400];
	char *sources[MAX_SOURCES];
	int source_count;
	struct account *learners, *coaches;
	int learner_count, coach_count;
	struct conn *conns; /* boards first, then the slow ones, then learners */
	int conn_count, started, ready, connecting, boards_ready;
	struct conn **by_number; /* learner number → its connection */
	int max_number;
	enum phase phase;
	int64_t phase_at, connect_started_at, last_push_at;
	long issued;
	int next_learner;
	int64_t next_request_id;
	struct samples replies, pushes;
	struct counts counts;
	int interrupted, printed;
};

static void count_error(struct counts *counts, const char *code, size_t len)
{
	int i;

	if (!len) {
		code = "(no code)";
		len = strlen(code);
	}
	counts->errors++;
	for (i = 0; i < MAX_ERROR_CODES && counts->error_codes[i][0]; i++)
		if (strlen(counts->error_codes[i]) == len &&
		    memcmp(counts->error_codes[i], code, len) == 0)
			break;
	if (i == MAX_ERROR_CODES)
		return;
	if (!counts->error_codes[i][0])
		snprintf(counts->error_codes[i], sizeof(counts->error_codes[i]), "%.*s", (int)len,
			 code);
	counts->error_code_counts[i]++;
}

/* Connections being set up, and ready ones, are counted as they change state. */
static int is_setting_up(enum conn_state state)
{
	return state == CONNECTING || state == HELLO || state == SUBSCRIBING;
}

static void set_state(struct conn *conn, enum conn_state state)
{
	struct run *run = conn->run;

	run->connecting += is_setting_up(state) - is_setting_up(conn->state);
	run->ready += (state == READY) - (conn->state == READY);
	if (conn->kind == BOARD)
		run->boards_ready += (state == READY) - (conn->state == READY);
	if (conn->kind == SLOW && state == READY)
		run->counts.slow_ready++;
	conn->state = state;
}

/* ---- reading the tokens and the command line ----------------------------- */

static int add_token(struct account **list, int *count, const char *handle, const char *token)
{
	struct account *grown = realloc(*list, (size_t)(*count + 1) * sizeof(**list));
	struct account *account;

	if (!grown)
		return -1;
	*list = grown;
	account = &grown[(*count)++];
	snprintf(account->handle, sizeof(account->handle), "%s", handle);
	snprintf(account->token, sizeof(account->token), "%s", token);
	account->number = atoi(handle + strcspn(handle, "0123456789"));
	return 0;
}

static int read_tokens(struct run *run, const char *path)
{
	char line[256], role[16], handle[GR_HANDLE_MAX + 1], token[GR_TOKEN_TEXT_SIZE];
	FILE *in = fopen(path, "r");
	int rc = 0;

	if (!in) {
		fprintf(stderr, "loadgen: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%15s %32s %47s", role, handle, token) != 3)
			continue;
		if (strcmp(role, "learner") == 0)
			rc = add_token(&run->learners, &run->learner_count, handle, token);
		else
			rc = add_token(&run->coaches, &run->coach_count, handle, token);
	}
	fclose(in);
	return rc;
}

static int parse_url(struct run *run, const char *url)
{
	const char *scheme, *address, *path;

	snprintf(run->url_copy, sizeof(run->url_copy), "%s", url);
	if (lws_parse_uri(run->url_copy, &scheme, &address, &run->port, &path) ||
	    strcmp(scheme, "ws") != 0) {
		fprintf(stderr, "loadgen: --url is ws://HOST:PORT/PATH, not '%s'\n", url);
		return -1;
	}
	snprintf(run->address, sizeof(run->address), "%s", address);
	snprintf(run->path, sizeof(run->path), "/%s", path);
	snprintf(run->host, sizeof(run->host), "%s:%d", address, run->port);
	snprintf(run->origin, sizeof(run->origin), "http://%s:%d", address, run->port);
	return 0;
}

/* "A,B,C" → run->sources (the text is modified in place). */
static void parse_sources(struct run *run, char *list)
{
	for (char *source = strtok(list, ","); source && run->source_count < MAX_SOURCES;
	     source = strtok(NULL, ","))
		run->sources[run->source_count++] = source;
}

static int is_plain(const struct options *o)
{
	return strcmp(o->protocol, "plain") == 0;
}

static int check_run_options(const struct options *o)
{
	if (!o->url || (!o->tokens && !is_plain(o)) || !o->track || !o->connections || !o->rate ||
	    !o->seconds || !o->steps) {
		fprintf(stderr, "loadgen: run needs --url, --tokens (but with --protocol plain),"
				" --track, --steps and non-zero --connections, --rate and --seconds\n");
		return -1;
	}
	if ((strcmp(o->protocol, "grounds") != 0 && !is_plain(o))) {
		fprintf(stderr, "loadgen: --protocol is grounds or plain\n");
		return -1;
	}
	return 0;
}

/* --protocol plain without --tokens: learner1..N and coach1..B, with no sessions. */
static int name_accounts(struct run *run)
{
	char handle[GR_HANDLE_MAX + 1];
	int rc = 0;

	for (int i = 1; rc == 0 && i <= run->options.connections; i++) {
		snprintf(handle, sizeof(handle), "learner%d", i);
		rc = add_token(&run->learners, &run->learner_count, handle, "");
	}
	for (int i = 1; rc == 0 && i <= run->options.boards; i++) {
		snprintf(handle, sizeof(handle), "coach%d", i);
		rc = add_token(&run->coaches, &run->coach_count, handle, "");
	}
	return rc;
}

/* Boards first, then learners; each learner findable by the number in its handle. */
static int make_conns(struct run *run)
{
	const struct options *o = &run->options;

	int coaches = o->boards + o->slow;

	if (run->learner_count < o->connections || run->coach_count < coaches) {
		fprintf(stderr, "loadgen: %s has %d learners and %d coaches; %d and %d wanted\n",
			o->tokens, run->learner_count, run->coach_count, o->connections, coaches);
		return -1;
	}
	run->conn_count = coaches + o->connections;
	run->conns = calloc((size_t)run->conn_count, sizeof(*run->conns));
	for (int i = 0; i < o->connections; i++)
		if (run->learners[i].number > run->max_number)
			run->max_number = run->learners[i].number;
	run->by_number = calloc((size_t)run->max_number + 1, sizeof(*run->by_number));
	if (!run->conns || !run->by_number)
		return -1;
	for (int i = 0; i < run->conn_count; i++) {
		struct conn *conn = &run->conns[i];

		conn->run = run;
		conn->source = run->source_count ? i % run->source_count : -1;
		conn->kind = i < o->boards ? BOARD : i < coaches ? SLOW : LEARNER;
		conn->account = conn->kind != LEARNER ? &run->coaches[i]
						      : &run->learners[i - coaches];
		if (conn->kind == LEARNER)
			run->by_number[conn->account->number] = conn;
	}
	return 0;
}

/* ---- messages ------------------------------------------------------------ */

/* A piece of a received message (not NUL-terminated). */
struct span {
	const char *text;
	size_t len;
};

/* What loadgen reads from a message; absent fields are empty spans. */
struct message {
	struct span type, code, event, user, step, state;
	int64_t id;
	int has_id, has_seq;
};

static int span_is(struct span span, const char *text)
{
	return span.len == strlen(text) && memcmp(span.text, text, span.len) == 0;
}

/*
 * The value of a key in a compact JSON object, found by KEY(name): a
 * string's text or a number's digits. The daemon writes compact JSON and escapes every quote
 * inside a string, so '"key":' only matches a real key; the values read here
 * (types, codes, handles, step ids, states) never contain escapes.
 */
#define KEY(name) "\"" name "\":" /* what json_field looks for */

static struct span json_field(const char *text, size_t len, const char *key_pattern)
{
	size_t n = strlen(key_pattern);
	const char *at = memmem(text, len, key_pattern, n), *end = text + len, *stop;
	struct span none = { NULL, 0 };

	if (!at)
		return none;
	at += n;
	if (at < end && *at == '"') {
		at++;
		stop = memchr(at, '"', (size_t)(end - at));
	} else {
		for (stop = at; stop < end && (*stop == '-' || (*stop >= '0' && *stop <= '9'));)
			stop++;
	}
	if (!stop || stop == at)
		return none;
	return (struct span){ at, (size_t)(stop - at) };
}

static int64_t span_number(struct span span)
{
	int64_t n = 0;

	for (size_t i = 0; i < span.len; i++)
		if (span.text[i] >= '0' && span.text[i] <= '9')
			n = n * 10 + (span.text[i] - '0');
	return n;
}

static void parse_message(struct message *out, const char *text, size_t len)
{
	struct span id;

	memset(out, 0, sizeof(*out));
	out->type = json_field(text, len, KEY("type"));
	if (span_is(out->type, "event")) {
		out->event = json_field(text, len, KEY("event"));
		out->user = json_field(text, len, KEY("user"));
		out->step = json_field(text, len, KEY("step"));
		out->state = json_field(text, len, KEY("state"));
		return;
	}
	id = json_field(text, len, KEY("id"));
	out->has_id = id.len > 0;
	out->id = span_number(id);
	out->code = json_field(text, len, KEY("code"));
	out->has_seq = json_field(text, len, KEY("seq")).len > 0;
}

/* Queue one message on conn (one at a time) and ask to write it. */
static void queue_message(struct conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void queue_message(struct conn *conn, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf((char *)conn->out + LWS_PRE, MESSAGE_MAX, fmt, args);
	va_end(args);
	conn->out_len = n < 0 ? 0 : n >= MESSAGE_MAX ? MESSAGE_MAX - 1 : (size_t)n;
	lws_callback_on_writable(conn->wsi);
}

/* With --protocol plain the server has no session to know the user by: hello names it. */
static void send_hello(struct conn *conn)
{
	if (is_plain(&conn->run->options))
		queue_message(conn, "{\"type\":\"hello\",\"id\":1,\"user\":\"%s\"}",
			      conn->account->handle);
	else
		queue_message(conn, "{\"type\":\"hello\",\"id\":1}");
}

/* A learner's next update: step s(update / 2 + 1), started then done. */
static void send_update(struct run *run, struct conn *conn)
{
	conn->request_id = ++run->next_request_id;
	conn->request_at = 0;
	queue_message(conn,
		      "{\"type\":\"progress.set\",\"id\":%" PRId64 ",\"track\":\"%s\","
		      "\"step\":\"s%d\",\"state\":\"%s\"}",
		      conn->request_id, run->options.track, conn->update / 2 + 1,
		      conn->update % 2 ? "done" : "started");
	run->counts.sent++;
}

static int write_queued(struct conn *conn)
{
	int64_t now;

	if (!conn->out_len)
		return 0;
	if (lws_write(conn->wsi, conn->out + LWS_PRE, conn->out_len, LWS_WRITE_TEXT) <
	    (int)conn->out_len)
		return -1;
	conn->out_len = 0;
	if (conn->request_id && !conn->request_at) {
		now = now_us();
		conn->request_at = now;
		conn->recent[conn->update % RECENT] = (struct sent){ conn->update, now };
	}
	return 0;
}

/* ---- what comes back ----------------------------------------------------- */

/* The reply to hello or subscribe, while a connection is being set up. */
static int on_setup_reply(struct conn *conn, const struct message *m)
{
	struct run *run = conn->run;

	if (!span_is(m->type, "ok")) {
		if (run->counts.setup_errors++ < 5)
			fprintf(stderr, "loadgen: %s: setup refused: %.*s\n", conn->account->handle,
				(int)m->code.len, m->code.len ? m->code.text : "");
		set_state(conn, FAILED);
		return -1;
	}
	if (conn->state == HELLO && conn->kind != LEARNER) {
		set_state(conn, SUBSCRIBING);
		queue_message(conn, "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"%s\"}",
			      run->board_topic);
		return 0;
	}
	set_state(conn, READY);
	if (conn->kind == SLOW)
		lws_rx_flow_control(conn->wsi, 0); /* never reads again */
	return 0;
}

/* A learner's reply to its update in flight: latency, then the next update. */
static void on_update_reply(struct conn *conn, const struct message *m)
{
	struct run *run = conn->run;
	int64_t now = now_us();

	if (!m->has_id || m->id != conn->request_id)
		return; /* a reply to a hello after a resync */
	if (conn->request_at)
		samples_add(&run->replies, now - conn->request_at);
	if (span_is(m->type, "ok")) {
		run->counts.ok++;
		if (m->has_seq) {
			run->counts.changed++;
			run->counts.expected_pushes += run->boards_ready;
		} else {
			run->counts.unchanged++;
		}
	} else {
		count_error(&run->counts, m->code.text, m->code.len);
	}
	conn->request_id = 0;
	conn->update++;
}

/* A board's event: find the write that caused it. */
static void on_board_event(struct conn *conn, const struct message *m)
{
	struct run *run = conn->run;
	int64_t number = span_number(m->user), step = span_number(m->step);
	int update = (int)(2 * (step - 1) + span_is(m->state, "done"));
	struct conn *learner;
	const struct sent *sent;

	if (span_is(m->event, "board.summary"))
		run->counts.summaries++;
	if (!span_is(m->event, "progress"))
		return;
	learner = number <= run->max_number ? run->by_number[number] : NULL;
	sent = learner && update >= 0 ? &learner->recent[update % RECENT] : NULL;
	if (!sent || sent->update != update || !sent->at) {
		run->counts.unmatched++;
		return;
	}
	run->last_push_at = now_us();
	samples_add(&run->pushes, run->last_push_at - sent->at);
	run->counts.pushes++;
}

static int on_message(struct conn *conn, const char *text, size_t len)
{
	struct message m;

	conn->run->counts.received++;
	parse_message(&m, text, len);
	if (span_is(m.type, "event")) {
		if (conn->kind == BOARD)
			on_board_event(conn, &m);
		return 0;
	}
	if (span_is(m.type, "resync")) {
		conn->run->counts.resyncs++;
		if (conn->run->phase == LOAD)
			conn->run->counts.resyncs_in_load++;
		send_hello(conn);
		return 0;
	}
	if (!span_is(m.type, "ok") && !span_is(m.type, "error"))
		return 0; /* the snapshot after hello */
	if (is_setting_up(conn->state))
		return on_setup_reply(conn, &m);
	if (conn->kind == LEARNER)
		on_update_reply(conn, &m);
	return 0;
}

/* Whole messages to on_message; pieces are joined first. */
static int receive(struct conn *conn, struct lws *wsi, const char *in, size_t len)
{
	char *grown;
	int rc;

	if (!conn->partial && lws_is_first_fragment(wsi) && lws_is_final_fragment(wsi))
		return on_message(conn, in, len);
	if (!(grown = realloc(conn->partial, conn->partial_len + len)))
		return -1;
	memcpy(grown + conn->partial_len, in, len);
	conn->partial = grown;
	conn->partial_len += len;
	if (!lws_is_final_fragment(wsi))
		return 0;
	rc = on_message(conn, conn->partial, conn->partial_len);
	free(conn->partial);
	conn->partial = NULL;
	conn->partial_len = 0;
	return rc;
}

/* ---- connections --------------------------------------------------------- */

static int append_cookie(struct conn *conn, struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;
	char cookie[GR_TOKEN_TEXT_SIZE + 32];
	int n = snprintf(cookie, sizeof(cookie), "grounds_session=%s", conn->account->token);

	return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_COOKIE, (unsigned char *)cookie,
					    n, p, end) ? -1 : 0;
}

static void on_connect_error(struct conn *conn, const char *why)
{
	struct run *run = conn->run;

	if (run->counts.connect_errors++ < 5)
		fprintf(stderr, "loadgen: %s could not connect: %s\n", conn->account->handle,
			why ? why : "(no reason given)");
	conn->wsi = NULL;
	set_state(conn, FAILED);
}

static void on_closed(struct conn *conn)
{
	if (conn->kind == SLOW && conn->state == READY)
		conn->run->counts.slow_closed++;
	else if (conn->state == READY && conn->run->phase < DONE)
		conn->run->counts.closed++;
	conn->wsi = NULL;
	if (conn->state != FAILED)
		set_state(conn, CLOSED);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct conn *conn = lws_get_opaque_user_data(wsi);

	if (!conn)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return conn->account->token[0] ? append_cookie(conn, wsi, in, len) : 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		on_connect_error(conn, in);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		set_state(conn, HELLO);
		send_hello(conn);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return receive(conn, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return write_queued(conn);
	case LWS_CALLBACK_CLIENT_CLOSED:
		on_closed(conn);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "grounds", callback, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void start_connect(struct run *run, struct conn *conn)
{
	struct lws_client_connect_info info;

	memset(&info, 0, sizeof(info));
	info.context = run->context;
	info.address = run->address;
	info.port = run->port;
	info.path = run->path;
	info.host = run->host;
	info.origin = run->origin;
	info.protocol = "grounds";
	info.local_protocol_name = "grounds";
	info.iface = conn->source >= 0 ? run->sources[conn->source] : NULL;
	info.opaque_user_data = conn;
	info.pwsi = &conn->wsi;
	set_state(conn, CONNECTING);
	if (!lws_client_connect_via_info(&info) && conn->state == CONNECTING)
		on_connect_error(conn, "lws_client_connect_via_info failed");
}

/* ---- pacing: one timer for connects, updates and the end ----------------- */

static double cpu_seconds(void)
{
	struct rusage usage;

	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return 0;
	return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
	       (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double seconds_since(int64_t then)
{
	return (double)(now_us() - then) / 1e6;
}

static void enter_phase(struct run *run, enum phase phase)
{
	run->phase = phase;
	run->phase_at = now_us();
}

static void connect_some(struct run *run)
{
	double elapsed = seconds_since(run->connect_started_at);
	long due = (long)(elapsed * run->options.connect_rate) + 1;

	while (run->started < run->conn_count && run->started < due &&
	       run->connecting < MAX_CONNECTING)
		start_connect(run, &run->conns[run->started++]);
	if ((run->started < run->conn_count || run->connecting > 0) &&
	    elapsed < CONNECT_TIMEOUT_S)
		return;
	printf("connected %d of %d (%d boards) in %.1f s; %ld connect errors, %ld refused\n",
	       run->ready, run->conn_count, run->boards_ready, elapsed,
	       run->counts.connect_errors, run->counts.setup_errors);
	fflush(stdout);
	enter_phase(run, SETTLE);
}

/* The next learner that is ready, has nothing in flight and has steps left. */
static struct conn *next_learner(struct run *run)
{
	int learners = run->options.connections;

	for (int tries = 0; tries < learners; tries++) {
		struct conn *conn =
		    &run->conns[run->options.boards + run->options.slow + run->next_learner];

		run->next_learner = (run->next_learner + 1) % learners;
		if (conn->state == READY && !conn->request_id &&
		    conn->update < 2 * run->options.steps)
			return conn;
	}
	return NULL;
}

/* Issue what the rate says is due; what cannot be issued is skipped, not owed. */
static void load_some(struct run *run)
{
	double elapsed = seconds_since(run->phase_at);
	long due = (long)(elapsed * run->options.rate);
	struct conn *conn;

	while (run->issued < due) {
		if (!(conn = next_learner(run))) {
			run->counts.stalls += due - run->issued;
			run->issued = due;
			break;
		}
		send_update(run, conn);
		run->issued++;
	}
	if (elapsed >= run->options.seconds) {
		run->counts.load_seconds = elapsed;
		run->counts.acked_in_load = run->counts.changed;
		run->counts.received_in_load = run->counts.received - run->counts.received_in_load;
		run->counts.load_cpu_seconds += cpu_seconds();
		printf("load done\n");
		fflush(stdout);
		enter_phase(run, DRAIN);
	}
}

static long in_flight(const struct run *run)
{
	return run->counts.sent - run->counts.ok - run->counts.errors;
}

/* Every reply is in, and every push too or none came for QUIET_US (the daemon dropped them). */
static int is_drained(const struct run *run)
{
	const struct counts *c = &run->counts;

	if (seconds_since(run->phase_at) >= DRAIN_TIMEOUT_S)
		return 1;
	return in_flight(run) == 0 && (c->pushes + c->unmatched >= c->expected_pushes ||
				       now_us() - run->last_push_at >= QUIET_US);
}

static void print_results(struct run *run);

/*
 * The results go out, and stdout is closed, before the connections are: a
 * driver reading to the end of the output goes on at once (closing ten
 * thousand connections takes a while, on libuv more).
 */
static void finish(struct run *run)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	run->counts.open_at_end = run->ready;
	run->counts.boards_open_at_end = run->boards_ready;
	print_results(run);
	run->printed = 1;
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	run->interrupted = 1; /* run_free closes the connections */
}

/*
 * The pacing timer is libuv's, not an lws_sul: lws re-arms its libuv timer
 * for the next sul in whole milliseconds, so with one due in under a
 * millisecond the loop spun without waiting (a fifth of this process's CPU).
 */
static void tick(uv_timer_t *timer)
{
	struct run *run = timer->data;

	if (run->phase == CONNECT) {
		connect_some(run);
	} else if (run->phase == SETTLE && seconds_since(run->phase_at) >= run->options.idle_seconds) {
		printf("load %d updates/s for %d s\n", run->options.rate, run->options.seconds);
		fflush(stdout);
		run->counts.load_cpu_seconds = -cpu_seconds();
		run->counts.received_in_load = run->counts.received;
		enter_phase(run, LOAD);
	} else if (run->phase == LOAD) {
		load_some(run);
	} else if (run->phase == DRAIN && is_drained(run)) {
		printf("drained in %.1f s\n", seconds_since(run->phase_at));
		fflush(stdout);
		enter_phase(run, DONE);
	} else if (run->phase == DONE && now_us() - run->phase_at >= HOLD_US) {
		finish(run);
		return;
	}
	uv_timer_start(&run->tick, tick, (run->phase == LOAD ? LOAD_TICK_US : TICK_US) / 1000, 0);
}

/* ---- results ------------------------------------------------------------- */

static void print_results(struct run *run)
{
	struct counts *c = &run->counts;
	char extra[160];

	printf("connections: %d open at the end (%d boards); %ld connect errors, %ld refused,"
	       " %ld closed during the run\n",
	       (int)c->open_at_end, (int)c->boards_open_at_end, c->connect_errors, c->setup_errors,
	       c->closed);
	printf("updates: %ld sent, %ld ok (%ld changed, %ld unchanged), %ld errors, %ld skipped"
	       " (no learner free), %ld unanswered\n",
	       c->sent, c->ok, c->changed, c->unchanged, c->errors, c->stalls, in_flight(run));
	for (int i = 0; i < MAX_ERROR_CODES && c->error_codes[i][0]; i++)
		printf("  error %s: %ld\n", c->error_codes[i], c->error_code_counts[i]);
	printf("rate: %.1f updates/s acknowledged during the load (target %d/s over %.1f s);"
	       " loadgen used %.0f%% of a core, %.2f us of CPU per message received (%ld)\n",
	       c->load_seconds > 0 ? (double)c->acked_in_load / c->load_seconds : 0.0,
	       run->options.rate, c->load_seconds,
	       c->load_seconds > 0 ? 100 * c->load_cpu_seconds / c->load_seconds : 0.0,
	       c->received_in_load ? 1e6 * c->load_cpu_seconds / (double)c->received_in_load : 0.0,
	       c->received_in_load);
	samples_print(&run->replies, "reply", "");
	snprintf(extra, sizeof(extra), " of %ld expected, %.1f%% delivered; %ld unmatched, %ld resyncs (%ld during the load)",
		 c->expected_pushes,
		 c->expected_pushes ? 100.0 * (double)c->pushes / (double)c->expected_pushes : 100.0,
		 c->unmatched, c->resyncs, c->resyncs_in_load);
	samples_print(&run->pushes, "push", extra);
	printf("board summaries (attention list, reviews, activity): %ld received over all boards\n",
	       c->summaries);
	if (run->options.slow)
		printf("slow connections (never reading): %ld of %d opened, %ld closed by the daemon\n",
		       c->slow_ready, run->options.slow, c->slow_closed);
	fflush(stdout);
}

/* ---- main ---------------------------------------------------------------- */

/*
 * A descriptor per connection, and a few more: libwebsockets sizes its table
 * of descriptors from this limit. (Its fd_limit_per_thread would size the
 * table too, but then lws finds each ready descriptor's connection by a walk
 * through the whole table: at 10,000 connections that was a tenth of this
 * process's CPU.)
 */
static void set_file_limit(int connections)
{
	struct rlimit limit;
	rlim_t want = (rlim_t)connections + 256;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
		return;
	limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || want < limit.rlim_max ? want : limit.rlim_max;
	setrlimit(RLIMIT_NOFILE, &limit);
}

/* On libuv lws watches SIGINT and SIGTERM itself: they end loadgen, as without it. */
static void on_loop_signal(void *handle, int signal_number)
{
	(void)handle;
	signal(signal_number, SIG_DFL);
	raise(signal_number);
}

static int make_context(struct run *run)
{
	struct lws_context_creation_info info;
	void *foreign_loops[1] = { &run->loop };

	if (uv_loop_init(&run->loop) != 0) {
		fprintf(stderr, "loadgen: cannot make the event loop\n");
		return -1;
	}
	run->loop_started = 1;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.foreign_loops = foreign_loops;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_JUST_USE_RAW_ORIGIN |
		       LWS_SERVER_OPTION_LIBUV;
	info.user = run;
	info.signal_cb = on_loop_signal;
	lws_set_log_level(LLL_ERR, NULL);
	run->context = lws_create_context(&info);
	if (!run->context) {
		fprintf(stderr, "loadgen: cannot create the libwebsockets context%s\n",
			" (it runs on libuv: libwebsockets-evlib-uv, installed by tools/setup)");
		return -1;
	}
	return 0;
}

static void run_free(struct run *run)
{
	if (run->context)
		lws_context_destroy(run->context);
	if (run->tick_started)
		uv_close((uv_handle_t *)&run->tick, NULL);
	if (run->loop_started) {
		uv_run(&run->loop, UV_RUN_DEFAULT); /* lws's handles close */
		uv_loop_close(&run->loop);
	}
	for (int i = 0; i < run->conn_count; i++)
		free(run->conns[i].partial);
	free(run->conns);
	free(run->by_number);
	free(run->learners);
	free(run->coaches);
	free(run->replies.values);
	free(run->pushes.values);
}

static int run_load(struct run *run)
{
	static char sources[1024];
	int rc = 1;

	snprintf(sources, sizeof(sources), "%s", run->options.sources ? run->options.sources : "");
	parse_sources(run, sources);
	snprintf(run->board_topic, sizeof(run->board_topic), "board:%s/%s", run->options.cohort,
		 run->options.track);
	if (check_run_options(&run->options) || parse_url(run, run->options.url) ||
	    (run->options.tokens ? read_tokens(run, run->options.tokens) : name_accounts(run)) ||
	    make_conns(run))
		goto out;
	set_file_limit(run->conn_count);
	if (make_context(run))
		goto out;
	run->connect_started_at = now_us();
	enter_phase(run, CONNECT);
	uv_timer_init(&run->loop, &run->tick);
	run->tick.data = run;
	run->tick_started = 1;
	uv_timer_start(&run->tick, tick, TICK_US / 1000, 0);
	while (!run->interrupted)
		uv_run(&run->loop, UV_RUN_ONCE);
	if (!run->printed) {
		run->counts.open_at_end = run->ready;
		run->counts.boards_open_at_end = run->boards_ready;
		print_results(run);
	}
	rc = run->ready || run->counts.open_at_end ? 0 : 1;
out:
	run_free(run);
	return rc;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: loadgen prepare --data-dir DIR --learners N --coaches M --cohort C\n"
		"       loadgen run --url ws://HOST:PORT/ws --tokens FILE --connections N --rate R\n"
		"               --boards B --seconds S --track T --steps K [--cohort C]\n"
		"               [--sources ADDR,...] [--connect-rate C] [--idle-seconds I]\n"
		"               [--protocol grounds|plain] [--slow W]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct run run;

	if (argc < 2 || parse_options(&run.options, argc - 2, argv + 2) != 0)
		return usage();
	if (strcmp(argv[1], "prepare") == 0)
		return prepare(&run.options);
	if (strcmp(argv[1], "run") == 0)
		return run_load(&run);
	return usage();
}
