/*
 * bare_lws.c - the least a libwebsockets server does for the workload of
 * tools/bench-compare: groundsd's live fan-out without groundsd. Nothing is
 * stored, checked or authorised; it is the floor that groundsd's own
 * figures are measured against (docs/performance.md, "Side by side").
 *
 *   bare_lws [--listen HOST:PORT] [--loop poll|uv]
 *
 * It speaks the part of docs/protocol.md that tools/loadgen uses, with the
 * messages groundsd sends:
 *
 *   {"type":"hello","id":1,"user":"learner7"}   -> {"type":"ok","id":1,"seq":0}
 *   {"type":"subscribe","id":2,"topic":"board:C/T"}
 *                                                -> {"type":"ok","id":2,"topic":"board:C/T"}
 *   {"type":"progress.set","id":N,"track":T,"step":S,"state":X}
 *                                                -> {"type":"ok","id":N,"state":X,"seq":K}
 *
 * and each progress.set pushes {"type":"event","seq":K,"event":"progress",
 * "user":U,"track":T,"step":S,"state":X,"at":MS} to the sender's own
 * connection and to every connection subscribed to a board, as groundsd
 * pushes it to the user's stream and to the cohort's board. The event is
 * built once and shared by reference between the queues; each connection
 * writes what is queued framed into one send.
 * A connection whose queue is full (QUEUE_MAX) drops the newest message and
 * counts it (printed at exit).
 *
 * --loop uv runs lws on libuv (LWS_SERVER_OPTION_LIBUV, Debian's
 * libwebsockets-evlib-uv); the default is lws's own poll() loop.
 * tools/bench-compare picks the loop groundsd is built with. SIGINT or
 * SIGTERM stops it.
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_MAX 256	 /* messages waiting on one connection */
#define WRITE_BATCH 64	 /* frames written in one send at most */
#define MESSAGE_MAX 1024 /* a longer request closes the connection; a longer reply goes alone */
#define FIELD_MAX 128

/* One outgoing message, shared by every queue it is on. */
struct message {
	int refs;
	size_t len;
	unsigned char data[]; /* LWS_PRE bytes of headroom, then len bytes */
};

struct conn {
	struct conn *next_board, **prev_board; /* on the list of boards, when subscribed */
	struct lws *wsi;
	char user[FIELD_MAX];
	long long seq;
	struct message *queue[QUEUE_MAX];
	int head, count;
	char *in; /* a request arriving in pieces */
	size_t in_len;
};

static struct conn *boards;
static long dropped, connections;
static struct lws_context *context;
static volatile sig_atomic_t stopping;

static struct message *message_new(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct message *message_new(const char *fmt, ...)
{
	struct message *message;
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (n < 0 || !(message = malloc(sizeof(*message) + LWS_PRE + (size_t)n + 1)))
		return NULL;
	va_start(args, fmt);
	vsnprintf((char *)message->data + LWS_PRE, (size_t)n + 1, fmt, args);
	va_end(args);
	message->refs = 1;
	message->len = (size_t)n;
	return message;
}

static void message_unref(struct message *message)
{
	if (message && --message->refs == 0)
		free(message);
}

static void enqueue(struct conn *conn, struct message *message)
{
	if (!message)
		return;
	if (conn->count == QUEUE_MAX) {
		dropped++;
		return;
	}
	message->refs++;
	conn->queue[(conn->head + conn->count++) % QUEUE_MAX] = message;
	lws_callback_on_writable(conn->wsi);
}

/* Queue a message built for one connection only. */
static void reply(struct conn *conn, struct message *message)
{
	enqueue(conn, message);
	message_unref(message);
}

/*
 * The value of "key": in a flat JSON object, as text: a string's contents
 * (no escapes are expected in the fields read here) or a number's digits.
 */
static void field(char *out, const char *text, size_t len, const char *key)
{
	char pattern[32];
	const char *at, *end = text + len, *stop;
	size_t n = (size_t)snprintf(pattern, sizeof(pattern), "\"%s\":", key);

	out[0] = '\0';
	if (!(at = memmem(text, len, pattern, n)))
		return;
	at += n;
	while (at < end && *at == ' ')
		at++;
	if (at < end && *at == '"') {
		at++;
		stop = memchr(at, '"', (size_t)(end - at));
	} else {
		for (stop = at; stop < end && *stop != ',' && *stop != '}' && *stop != ' ';)
			stop++;
	}
	if (stop && stop - at < FIELD_MAX) {
		memcpy(out, at, (size_t)(stop - at));
		out[stop - at] = '\0';
	}
}

static long long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void on_progress(struct conn *conn, const char *id, const char *text, size_t len)
{
	char track[FIELD_MAX], step[FIELD_MAX], state[FIELD_MAX];
	struct message *event;
	long long seq = ++conn->seq;

	field(track, text, len, "track");
	field(step, text, len, "step");
	field(state, text, len, "state");
	reply(conn, message_new("{\"type\":\"ok\",\"id\":%s,\"state\":\"%s\",\"seq\":%lld}", id,
				state, seq));
	event = message_new("{\"type\":\"event\",\"seq\":%lld,\"event\":\"progress\",\"user\":\"%s\","
			    "\"track\":\"%s\",\"step\":\"%s\",\"state\":\"%s\",\"at\":%lld}",
			    seq, conn->user, track, step, state, now_ms());
	enqueue(conn, event);
	for (struct conn *board = boards; board; board = board->next_board)
		if (board != conn)
			enqueue(board, event);
	message_unref(event);
}

static void on_subscribe(struct conn *conn, const char *id, const char *text, size_t len)
{
	char topic[FIELD_MAX];

	field(topic, text, len, "topic");
	if (!conn->prev_board) {
		conn->next_board = boards;
		if (boards)
			boards->prev_board = &conn->next_board;
		conn->prev_board = &boards;
		boards = conn;
	}
	reply(conn, message_new("{\"type\":\"ok\",\"id\":%s,\"topic\":\"%s\"}", id, topic));
}

static void on_request(struct conn *conn, const char *text, size_t len)
{
	char type[FIELD_MAX], id[FIELD_MAX];

	field(type, text, len, "type");
	field(id, text, len, "id");
	if (!id[0])
		snprintf(id, sizeof(id), "null");
	if (strcmp(type, "progress.set") == 0) {
		on_progress(conn, id, text, len);
	} else if (strcmp(type, "hello") == 0) {
		field(conn->user, text, len, "user");
		reply(conn, message_new("{\"type\":\"ok\",\"id\":%s,\"seq\":%lld}", id, conn->seq));
	} else if (strcmp(type, "subscribe") == 0) {
		on_subscribe(conn, id, text, len);
	} else {
		reply(conn, message_new("{\"type\":\"error\",\"id\":%s,\"code\":\"unknown_type\"}",
					id));
	}
}

/* Whole requests to on_request; pieces are joined first. */
static int receive(struct conn *conn, struct lws *wsi, const char *in, size_t len)
{
	char *grown;

	if (!conn->in && lws_is_final_fragment(wsi)) {
		on_request(conn, in, len);
		return 0;
	}
	if (conn->in_len + len > MESSAGE_MAX || !(grown = realloc(conn->in, conn->in_len + len)))
		return -1;
	memcpy(grown + conn->in_len, in, len);
	conn->in = grown;
	conn->in_len += len;
	if (lws_is_final_fragment(wsi)) {
		on_request(conn, conn->in, conn->in_len);
		free(conn->in);
		conn->in = NULL;
		conn->in_len = 0;
	}
	return 0;
}

/* The header of an unmasked, final text frame of len (< 64 KiB) bytes; returns its size. */
static size_t frame_header(unsigned char *out, size_t len)
{
	out[0] = 0x81;
	if (len < 126) {
		out[1] = (unsigned char)len;
		return 2;
	}
	out[1] = 126;
	out[2] = (unsigned char)(len >> 8);
	out[3] = (unsigned char)len;
	return 4;
}

/*
 * Up to WRITE_BATCH queued messages framed into one send (a board gets
 * dozens a turn: a system call each would cost more than the messages),
 * as groundsd's net.c does; lws sends bytes written as HTTP on a websocket
 * as they are.
 */
static int write_some(struct conn *conn)
{
	static unsigned char batch[LWS_PRE + WRITE_BATCH * (MESSAGE_MAX + 4)];
	size_t used = 0;
	int count = 0;

	for (; count < conn->count && count < WRITE_BATCH; count++) {
		struct message *message = conn->queue[(conn->head + count) % QUEUE_MAX];

		if (message->len > MESSAGE_MAX)
			break;
		used += frame_header(batch + LWS_PRE + used, message->len);
		memcpy(batch + LWS_PRE + used, message->data + LWS_PRE, message->len);
		used += message->len;
	}
	if (count == 0 && conn->count) { /* one message too long to batch: on its own */
		struct message *message = conn->queue[conn->head];

		if (lws_write(conn->wsi, message->data + LWS_PRE, message->len, LWS_WRITE_TEXT) <
		    (int)message->len)
			return -1;
		count = 1;
	} else if (count && lws_write(conn->wsi, batch + LWS_PRE, used, LWS_WRITE_HTTP) < (int)used) {
		return -1;
	}
	for (; count > 0; count--) {
		message_unref(conn->queue[conn->head]);
		conn->head = (conn->head + 1) % QUEUE_MAX;
		conn->count--;
	}
	if (conn->count)
		lws_callback_on_writable(conn->wsi);
	return 0;
}

static void on_closed(struct conn *conn)
{
	if (conn->prev_board) {
		*conn->prev_board = conn->next_board;
		if (conn->next_board)
			conn->next_board->prev_board = conn->prev_board;
		conn->prev_board = NULL;
	}
	while (conn->count) {
		message_unref(conn->queue[conn->head]);
		conn->head = (conn->head + 1) % QUEUE_MAX;
		conn->count--;
	}
	free(conn->in);
	conn->in = NULL;
	connections--;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct conn *conn = user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(conn, 0, sizeof(*conn));
		conn->wsi = wsi;
		connections++;
		return 0;
	case LWS_CALLBACK_RECEIVE:
		return receive(conn, wsi, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return write_some(conn);
	case LWS_CALLBACK_CLOSED:
		on_closed(conn);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "grounds", callback, sizeof(struct conn), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void on_signal(int signal_number)
{
	(void)signal_number;
	stopping = 1;
	if (context)
		lws_cancel_service(context);
}

/* On libuv, lws watches the signals itself and calls this: the loop ends as the context goes. */
static void on_loop_signal(void *handle, int signal_number)
{
	(void)handle;
	(void)signal_number;
	stopping = 1;
	lws_context_destroy(context);
}

static int usage(void)
{
	fprintf(stderr, "usage: bare_lws [--listen HOST:PORT] [--loop poll|uv]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	char host[256] = "127.0.0.1";
	const char *loop = "poll", *colon;
	int port = 8090;

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--listen") == 0 && (colon = strrchr(argv[i + 1], ':')) &&
		    (size_t)(colon - argv[i + 1]) < sizeof(host)) {
			snprintf(host, sizeof(host), "%.*s", (int)(colon - argv[i + 1]), argv[i + 1]);
			port = atoi(colon + 1);
		} else if (strcmp(argv[i], "--loop") == 0 &&
			   (strcmp(argv[i + 1], "poll") == 0 || strcmp(argv[i + 1], "uv") == 0)) {
			loop = argv[i + 1];
		} else {
			return usage();
		}
	}
	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = host;
	info.protocols = protocols;
	info.signal_cb = on_loop_signal;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 |
		       (strcmp(loop, "uv") == 0 ? LWS_SERVER_OPTION_LIBUV : 0);
	lws_set_log_level(LLL_ERR, NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!(context = lws_create_context(&info))) {
		fprintf(stderr, "bare_lws: cannot listen on %s:%d with the %s loop\n", host, port,
			loop);
		return 1;
	}
	printf("bare_lws listening on %s:%d (%s loop)\n", host, port, loop);
	fflush(stdout);
	while (!stopping && lws_service(context, 0) >= 0)
		;
	lws_context_destroy(context);
	printf("bare_lws: %ld messages dropped on full queues, %ld connections open at the end\n",
	       dropped, connections);
	return 0;
}
