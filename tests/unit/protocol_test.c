/* Tests for protocol.h: replies to /ws messages as docs/protocol.md lists
 * them: ping -> ok with the same id; bad_json, missing_field, unknown_type,
 * bad_value, too_large and rate_limited errors; exactly one reply per
 * message; and the struct gr_request each type's fields decode into. */
#include "harness.h"

#include "core/error.h"
#include "protocol/protocol.h"

#include "client.h"

#include <jansson.h>

static int sent_count;
static char last_sent[1024];
static struct gr_client *last_client;

static int capture(struct gr_client *client, const char *text, size_t len)
{
	sent_count++;
	last_client = client;
	snprintf(last_sent, sizeof last_sent, "%.*s", (int)len, text);
	return 0;
}

static struct gr_protocol *protocol;
static struct gr_client client;

/* Sends text and returns the parsed single reply (caller decrefs), or NULL. */
static json_t *exchange(const char *text)
{
	json_t *reply;

	sent_count = 0;
	last_sent[0] = '\0';
	last_client = NULL;
	gr_protocol_receive(protocol, &client, text, strlen(text));
	CHECK_INT(sent_count, ==, 1);
	CHECK(last_client == &client);
	reply = json_loads(last_sent, 0, NULL);
	CHECK(reply != NULL && json_is_object(reply));
	return reply;
}

static const char *field(json_t *reply, const char *name)
{
	return json_string_value(json_object_get(reply, name));
}

/* Expects an error reply with code and no id. */
static void expect_error(const char *text, const char *code)
{
	json_t *reply = exchange(text);

	CHECK_STR(field(reply, "type"), "error");
	CHECK_STR(field(reply, "code"), code);
	CHECK(field(reply, "message") && field(reply, "message")[0]);
	CHECK(json_object_get(reply, "id") == NULL);
	json_decref(reply);
}

static void test_ping(void)
{
	json_t *reply = exchange("{\"type\": \"ping\", \"id\": 1}");

	CHECK_STR(field(reply, "type"), "ok");
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 1);
	CHECK(json_is_integer(json_object_get(reply, "id")));
	CHECK(json_object_get(reply, "code") == NULL);
	json_decref(reply);

	reply = exchange("{\"id\": \"req-42\", \"type\": \"ping\"}");
	CHECK_STR(field(reply, "type"), "ok");
	CHECK_STR(field(reply, "id"), "req-42");
	json_decref(reply);

	reply = exchange("{\"type\": \"ping\", \"id\": 9007199254740993}");
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 9007199254740993LL);
	json_decref(reply);

	/* Without an id: ok, and no id in the reply. */
	reply = exchange("{\"type\": \"ping\"}");
	CHECK_STR(field(reply, "type"), "ok");
	CHECK(json_object_get(reply, "id") == NULL);
	json_decref(reply);

	/* Extra fields are ignored. */
	reply = exchange("{\"type\": \"ping\", \"id\": 2, \"extra\": [1, 2]}");
	CHECK_STR(field(reply, "type"), "ok");
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 2);
	json_decref(reply);
}

static void test_length_is_honoured(void)
{
	const char text[] = "{\"type\": \"ping\", \"id\": 7}GARBAGE";
	json_t *reply;

	sent_count = 0;
	gr_protocol_receive(protocol, &client, text, strlen(text) - strlen("GARBAGE"));
	CHECK_INT(sent_count, ==, 1);
	reply = json_loads(last_sent, 0, NULL);
	CHECK_STR(field(reply, "type"), "ok");
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 7);
	json_decref(reply);
}

static void test_bad_json(void)
{
	expect_error("{\"type\": \"ping\"", "bad_json");
	expect_error("not json", "bad_json");
	expect_error("", "bad_json");
	expect_error("[{\"type\": \"ping\", \"id\": 1}]", "bad_json");
	expect_error("\"ping\"", "bad_json");
	expect_error("42", "bad_json");
	expect_error("{\"type\": \"ping\"} {\"type\": \"ping\"}", "bad_json");
	expect_error("{\"type\": \"ping\", \"type\": \"ping\", \"id\": 1}", "bad_json");
}

static void test_missing_type(void)
{
	json_t *reply = exchange("{\"id\": 5}");

	CHECK_STR(field(reply, "type"), "error");
	CHECK_STR(field(reply, "code"), "missing_field");
	CHECK_CONTAINS(field(reply, "message"), "type");
	/* The id was usable, so it comes back. */
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 5);
	json_decref(reply);

	expect_error("{}", "missing_field");
}

static void test_unknown_type(void)
{
	json_t *reply = exchange("{\"type\": \"pong\", \"id\": \"x\"}");

	CHECK_STR(field(reply, "type"), "error");
	CHECK_STR(field(reply, "code"), "unknown_type");
	CHECK_STR(field(reply, "id"), "x");
	json_decref(reply);

	expect_error("{\"type\": \"PING\"}", "unknown_type");
	expect_error("{\"type\": \"\"}", "unknown_type");
}

static void test_bad_value(void)
{
	/* An id that is not a number or text: error, and no id echoed. */
	expect_error("{\"type\": \"ping\", \"id\": {\"a\": 1}}", "bad_value");
	expect_error("{\"type\": \"ping\", \"id\": [1]}", "bad_value");
	expect_error("{\"type\": \"ping\", \"id\": 1.5}", "bad_value");
	expect_error("{\"type\": \"ping\", \"id\": true}", "bad_value");
	/* The id is checked before the type. */
	expect_error("{\"id\": {}}", "bad_value");
}

/* A "type" that is not text is a bad value, not a missing field. */
static void test_type_of_wrong_kind(void)
{
	json_t *reply = exchange("{\"type\": 5, \"id\": 3}");

	CHECK_STR(field(reply, "code"), "bad_value");
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 3);
	json_decref(reply);
}

static void test_many_messages(void)
{
	int oks = 0;

	for (int i = 0; i < 100; i++) {
		char text[64];
		json_t *reply;

		snprintf(text, sizeof text, "{\"type\":\"ping\",\"id\":%d}", i);
		reply = exchange(text);
		if (reply && json_integer_value(json_object_get(reply, "id")) == i &&
		    field(reply, "type") && strcmp(field(reply, "type"), "ok") == 0)
			oks++;
		json_decref(reply);
	}
	CHECK_INT(oks, ==, 100);
}

/* ---- the decoder's table: every type, its fields and limits ---------------- */

/* What the dispatch function saw, copied (the request's pointers are borrowed). */
static struct {
	int calls;
	enum gr_request_type type;
	json_t *id;
	int64_t last_seq;
	char *track, *step, *state, *body_md, *link, *topic;
	void *payload;
} seen;
static int dispatch_payload;

static char *copy(const char *text)
{
	return text ? strdup(text) : NULL;
}

static void forget(void)
{
	json_decref(seen.id);
	free(seen.track);
	free(seen.step);
	free(seen.state);
	free(seen.body_md);
	free(seen.link);
	free(seen.topic);
	memset(&seen, 0, sizeof(seen));
}

/* Records the request and replies once, as the live service does. */
static void record(struct gr_client *c, const struct gr_request *request, void *payload)
{
	struct gr_json *reply = gr_json_pack("{s:s}", "type", "ok");

	forget();
	seen.calls = 1;
	seen.type = request->type;
	seen.id = jansson_of(request->id);
	seen.last_seq = request->last_seq;
	seen.track = copy(request->track);
	seen.step = copy(request->step);
	seen.state = copy(request->state);
	seen.body_md = copy(request->body_md);
	seen.link = copy(request->link);
	seen.topic = copy(request->topic);
	seen.payload = payload;
	if (request->id)
		gr_json_set(reply, "id", gr_json_ref(request->id));
	gr_protocol_send_json(protocol, c, reply);
}

/* Sends json (consumed) as a message; returns the one reply (caller decrefs). */
static json_t *exchange_json(json_t *message)
{
	char *text = json_dumps(message, JSON_COMPACT);
	json_t *reply;

	CHECK(text != NULL);
	forget();
	reply = exchange(text ? text : "");
	free(text);
	json_decref(message);
	return reply;
}

/* Expects an error with code for message (consumed), the id 77 echoed, no
 * dispatch, and (when not NULL) name in the message. */
static void expect_field_error(json_t *message, const char *code, const char *name)
{
	json_t *reply;

	json_object_set_new(message, "id", json_integer(77));
	reply = exchange_json(message);
	CHECK_STR(field(reply, "type"), "error");
	CHECK_STR(field(reply, "code"), code);
	if (name)
		CHECK_CONTAINS(field(reply, "message"), name);
	CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, 77);
	CHECK_INT(seen.calls, ==, 0);
	json_decref(reply);
}

/* Expects message (consumed) to be dispatched and answered ok. */
static void expect_dispatched(json_t *message)
{
	json_t *reply = exchange_json(message);

	CHECK_STR(field(reply, "type"), "ok");
	CHECK_INT(seen.calls, ==, 1);
	json_decref(reply);
}

static const struct {
	const char *type;
	const char *required[3];
} required_fields[] = {
	{ "progress.set", { "track", "step", "state" } },
	{ "submission.create", { "track", "step", "body_md" } },
	{ "subscribe", { "topic" } },
	{ "unsubscribe", { "topic" } },
	{ "markdown.preview", { "body_md" } },
};

/* A well-formed message of required_fields[i] with every field it needs. */
static json_t *complete(size_t i)
{
	json_t *message = json_pack("{s:s}", "type", required_fields[i].type);

	for (int f = 0; f < 3 && required_fields[i].required[f]; f++)
		json_object_set_new(message, required_fields[i].required[f], json_string("x"));
	return message;
}

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void test_required_fields(void)
{
	for (size_t i = 0; i < COUNT(required_fields); i++) {
		harness_current = required_fields[i].type;
		expect_dispatched(complete(i));
		for (int f = 0; f < 3 && required_fields[i].required[f]; f++) {
			const char *name = required_fields[i].required[f];
			json_t *message = complete(i);

			json_object_del(message, name);
			expect_field_error(message, "missing_field", name);
			/* null is the same as absent */
			message = complete(i);
			json_object_set_new(message, name, json_null());
			expect_field_error(message, "missing_field", name);
		}
	}
	harness_current = "test_required_fields";
	/* hello needs nothing but its type; the optional link neither. */
	expect_dispatched(json_pack("{s:s}", "type", "hello"));
	CHECK_INT(seen.last_seq, ==, -1);
	expect_dispatched(json_pack("{s:s, s:n}", "type", "hello", "last_seq"));
	CHECK_INT(seen.last_seq, ==, -1);
	CHECK(seen.link == NULL);
}

static void test_wrong_kinds(void)
{
	const char *texts[] = { "track", "step", "state", "body_md", "link", "topic" };
	json_t *wrong[] = { json_integer(5), json_real(1.5), json_true(), json_pack("[s]", "x"),
			    json_pack("{s:s}", "a", "b") };

	/* Anything but text for a text field. */
	for (size_t w = 0; w < COUNT(wrong); w++) {
		for (size_t i = 0; i < COUNT(required_fields); i++) {
			for (int f = 0; f < 3 && required_fields[i].required[f]; f++) {
				json_t *message = complete(i);

				json_object_set(message, required_fields[i].required[f], wrong[w]);
				expect_field_error(message, "bad_value",
						   required_fields[i].required[f]);
			}
		}
		for (size_t t = 0; t < COUNT(texts); t++) {
			/* Also the optional link, and text fields a type does not have
			 * (ignored, like any extra field). */
			json_t *message = complete(1);

			json_object_set(message, "link", wrong[w]);
			expect_field_error(message, "bad_value", "link");
			message = complete(4);
			json_object_set(message, texts[t], wrong[w]);
			if (strcmp(texts[t], "body_md") == 0)
				expect_field_error(message, "bad_value", "body_md");
			else
				expect_dispatched(message);
		}
	}
	for (size_t w = 0; w < COUNT(wrong); w++)
		json_decref(wrong[w]);

	/* last_seq: a whole number, 0 or more. */
	expect_field_error(json_pack("{s:s, s:i}", "type", "hello", "last_seq", -1), "bad_value",
			   "last_seq");
	expect_field_error(
		json_pack("{s:s, s:I}", "type", "hello", "last_seq", (json_int_t)INT64_MIN),
		"bad_value", "last_seq");
	expect_field_error(json_pack("{s:s, s:f}", "type", "hello", "last_seq", 3.5), "bad_value",
			   "last_seq");
	expect_field_error(json_pack("{s:s, s:f}", "type", "hello", "last_seq", 3.0), "bad_value",
			   "last_seq");
	expect_field_error(json_pack("{s:s, s:s}", "type", "hello", "last_seq", "5"), "bad_value",
			   "last_seq");
	expect_field_error(json_pack("{s:s, s:b}", "type", "hello", "last_seq", 1), "bad_value",
			   "last_seq");
	expect_field_error(json_pack("{s:s, s:[i]}", "type", "hello", "last_seq", 5), "bad_value",
			   "last_seq");
	expect_dispatched(json_pack("{s:s, s:i}", "type", "hello", "last_seq", 0));
	CHECK_INT(seen.last_seq, ==, 0);
	expect_dispatched(
		json_pack("{s:s, s:I}", "type", "hello", "last_seq", (json_int_t)INT64_MAX));
	CHECK_INT(seen.last_seq, ==, INT64_MAX);
	/* Past int64: not a number jansson can hold. */
	expect_error("{\"type\":\"hello\",\"last_seq\":9223372036854775808}", "bad_json");
}

/* A string of n copies of c (caller frees). */
static char *repeat(char c, size_t n)
{
	char *text = malloc(n + 1);

	if (text) {
		memset(text, c, n);
		text[n] = '\0';
	}
	return text;
}

static void test_limits(void)
{
	char *body = repeat('b', GR_PROTOCOL_MAX_BODY + 1);
	char *long_id = repeat('i', 129);
	char *long_topic = repeat('t', 301);
	char *long_link = repeat('l', 2049);

	if (!body || !long_id || !long_topic || !long_link)
		abort();
	/* body_md: GR_PROTOCOL_MAX_BODY bytes is fine, one more is too_large. */
	expect_field_error(json_pack("{s:s, s:s}", "type", "markdown.preview", "body_md", body),
			   "too_large", "body_md");
	expect_field_error(json_pack("{s:s, s:s, s:s, s:s}", "type", "submission.create", "track",
				     "t", "step", "s", "body_md", body),
			   "too_large", "body_md");
	body[GR_PROTOCOL_MAX_BODY] = '\0';
	expect_dispatched(json_pack("{s:s, s:s}", "type", "markdown.preview", "body_md", body));
	CHECK_INT(seen.body_md ? strlen(seen.body_md) : 0, ==, GR_PROTOCOL_MAX_BODY);
	/* The limit is in bytes: 34134 three-byte characters are 102402 bytes. */
	{
		size_t n = GR_PROTOCOL_MAX_BODY / 3 + 1;
		char *wide = malloc(n * 3 + 1);

		if (!wide)
			abort();
		for (size_t k = 0; k < n; k++)
			memcpy(wide + k * 3, "\xe2\x82\xac", 3);
		wide[n * 3] = '\0';
		expect_field_error(json_pack("{s:s, s:s}", "type", "markdown.preview", "body_md",
					     wide),
				   "too_large", "body_md");
		free(wide);
	}

	/* track, step, state: 128 bytes; topic 300; link 2048: bad_value beyond. */
	for (int f = 0; f < 3; f++) {
		const char *name = required_fields[0].required[f];
		json_t *message = complete(0);

		json_object_set_new(message, name, json_string(long_id));
		expect_field_error(message, "bad_value", name);
		message = complete(1);
		if (f < 2) {
			json_object_set_new(message, name, json_string(long_id));
			expect_field_error(message, "bad_value", name);
		} else {
			json_decref(message);
		}
	}
	long_id[128] = '\0';
	expect_dispatched(json_pack("{s:s, s:s, s:s, s:s}", "type", "progress.set", "track",
				    long_id, "step", long_id, "state", long_id));
	CHECK_INT(seen.state ? strlen(seen.state) : 0, ==, 128);

	expect_field_error(json_pack("{s:s, s:s}", "type", "subscribe", "topic", long_topic),
			   "bad_value", "topic");
	expect_field_error(json_pack("{s:s, s:s}", "type", "unsubscribe", "topic", long_topic),
			   "bad_value", "topic");
	long_topic[300] = '\0';
	expect_dispatched(json_pack("{s:s, s:s}", "type", "subscribe", "topic", long_topic));
	CHECK_INT(seen.topic ? strlen(seen.topic) : 0, ==, 300);

	expect_field_error(json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "submission.create",
				     "track", "t", "step", "s", "body_md", "b", "link", long_link),
			   "bad_value", "link");
	long_link[2048] = '\0';
	expect_dispatched(json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "submission.create",
				    "track", "t", "step", "s", "body_md", "b", "link", long_link));
	CHECK_INT(seen.link ? strlen(seen.link) : 0, ==, 2048);
	free(body);
	free(long_id);
	free(long_topic);
	free(long_link);
}

/*
 * Text with an embedded NUL would reach a handler cut short at the NUL, so it
 * is never dispatched: the frame is one JSON object, so the answer is
 * bad_value, with the id.
 */
static void expect_nul_refused(const char *text)
{
	json_t *reply;

	forget();
	reply = exchange(text);
	CHECK_STR(field(reply, "type"), "error");
	CHECK_STR(field(reply, "code"), "bad_value");
	CHECK_INT(seen.calls, ==, 0);
	json_decref(reply);
}

static void test_embedded_nul(void)
{
	expect_nul_refused("{\"type\":\"subscribe\",\"id\":1,\"topic\":\"room:a\\u0000b\"}");
	expect_nul_refused("{\"type\":\"progress.set\",\"id\":1,\"track\":\"t\\u0000\","
			   "\"step\":\"s\",\"state\":\"done\"}");
	expect_nul_refused("{\"type\":\"markdown.preview\",\"body_md\":\"\\u0000\"}");
	expect_nul_refused("{\"type\":\"submission.create\",\"track\":\"t\",\"step\":\"s\","
			   "\"body_md\":\"b\",\"link\":\"https://x/\\u0000.evil\"}");
	/* Nor may a type with a NUL pass for the type before it. */
	expect_nul_refused("{\"type\":\"ping\\u0000x\",\"id\":1}");
	expect_nul_refused("{\"type\":\"hello\\u0000\"}");
	/* A raw NUL byte is not JSON at all. */
	{
		const char raw[] = "{\"type\":\"ping\",\"id\":\"a\0b\"}";
		json_t *reply;

		sent_count = 0;
		gr_protocol_receive(protocol, &client, raw, sizeof(raw) - 1);
		CHECK_INT(sent_count, ==, 1);
		reply = json_loads(last_sent, 0, NULL);
		CHECK_STR(field(reply, "code"), "bad_json");
		json_decref(reply);
	}
}

/* Each type's request carries exactly the message's fields, and no others. */
static void test_decoded_fields(void)
{
	json_t *reply;

	expect_dispatched(json_pack("{s:s, s:i, s:i, s:s}", "type", "hello", "id", 1, "last_seq",
				    41, "track", "ignored"));
	CHECK_INT(seen.type, ==, GR_REQUEST_HELLO);
	CHECK(json_is_integer(seen.id) && json_integer_value(seen.id) == 1);
	CHECK_INT(seen.last_seq, ==, 41);
	CHECK(!seen.track && !seen.step && !seen.state && !seen.body_md && !seen.link &&
	      !seen.topic);
	CHECK(seen.payload == &dispatch_payload);

	expect_dispatched(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "progress.set", "id",
				    "p-1", "track", "c-basics", "step", "01-intro", "state", "done",
				    "topic", "ignored"));
	CHECK_INT(seen.type, ==, GR_REQUEST_PROGRESS_SET);
	CHECK_STR(json_string_value(seen.id), "p-1");
	CHECK_INT(seen.last_seq, ==, -1);
	CHECK_STR(seen.track, "c-basics");
	CHECK_STR(seen.step, "01-intro");
	CHECK_STR(seen.state, "done");
	CHECK(!seen.body_md && !seen.link && !seen.topic);

	expect_dispatched(json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "type", "submission.create",
				    "id", 2, "track", "caf\xc3\xa9", "step", "\xe6\x97\xa5",
				    "body_md", "# Hi\n\n\xf0\x9f\x98\x80", "link",
				    "https://example.org/x"));
	CHECK_INT(seen.type, ==, GR_REQUEST_SUBMISSION_CREATE);
	CHECK_INT(json_integer_value(seen.id), ==, 2);
	CHECK_STR(seen.track, "caf\xc3\xa9");
	CHECK_STR(seen.step, "\xe6\x97\xa5");
	CHECK_STR(seen.body_md, "# Hi\n\n\xf0\x9f\x98\x80");
	CHECK_STR(seen.link, "https://example.org/x");
	CHECK(!seen.state && !seen.topic);
	CHECK_INT(seen.last_seq, ==, -1);

	/* Without the optional link; empty text is text. */
	expect_dispatched(json_pack("{s:s, s:s, s:s, s:s}", "type", "submission.create", "track",
				    "t", "step", "", "body_md", ""));
	CHECK(seen.id == NULL);
	CHECK_STR(seen.step, "");
	CHECK_STR(seen.body_md, "");
	CHECK(seen.link == NULL);

	expect_dispatched(json_pack("{s:s, s:i, s:s}", "type", "subscribe", "id", 3, "topic",
				    "room:c-basics/01-intro"));
	CHECK_INT(seen.type, ==, GR_REQUEST_SUBSCRIBE);
	CHECK_INT(json_integer_value(seen.id), ==, 3);
	CHECK_STR(seen.topic, "room:c-basics/01-intro");
	CHECK(!seen.track && !seen.step && !seen.state && !seen.body_md && !seen.link);

	expect_dispatched(json_pack("{s:s, s:i, s:s}", "type", "unsubscribe", "id", 4, "topic",
				    "board:c-basics"));
	CHECK_INT(seen.type, ==, GR_REQUEST_UNSUBSCRIBE);
	CHECK_STR(seen.topic, "board:c-basics");

	expect_dispatched(json_pack("{s:s, s:i, s:s}", "type", "markdown.preview", "id", 5,
				    "body_md", "*hi*"));
	CHECK_INT(seen.type, ==, GR_REQUEST_PREVIEW);
	CHECK_STR(seen.body_md, "*hi*");
	CHECK(!seen.track && !seen.step && !seen.state && !seen.link && !seen.topic);

	/* Unicode escapes arrive as UTF-8. */
	forget();
	reply = exchange("{\"type\":\"subscribe\",\"topic\":\"caf\\u00e9 \\ud83d\\ude00\"}");
	CHECK_STR(field(reply, "type"), "ok");
	CHECK_STR(seen.topic, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	json_decref(reply);
	/* A lone surrogate is not text. */
	expect_error("{\"type\":\"subscribe\",\"topic\":\"\\ud83d\"}", "bad_json");

	/* ping is still answered by the protocol, not dispatched. */
	forget();
	reply = exchange("{\"type\":\"ping\",\"id\":6}");
	CHECK_STR(field(reply, "type"), "ok");
	CHECK_INT(seen.calls, ==, 0);
	json_decref(reply);
}

/* Without a dispatch function every type but ping is unknown_type. */
static void test_without_dispatch(void)
{
	const char *types[] = { "hello", "progress.set", "submission.create", "subscribe",
				"unsubscribe", "markdown.preview" };
	json_t *reply;

	gr_protocol_set_dispatch(protocol, NULL, NULL);
	for (size_t i = 0; i < COUNT(types); i++) {
		/* Even when the fields it would need are missing. */
		reply = exchange_json(json_pack("{s:s, s:i}", "type", types[i], "id", (int)i));
		CHECK_STR(field(reply, "type"), "error");
		CHECK_STR(field(reply, "code"), "unknown_type");
		CHECK_INT(json_integer_value(json_object_get(reply, "id")), ==, (int)i);
		json_decref(reply);
	}
	reply = exchange_json(complete(0));
	CHECK_STR(field(reply, "code"), "unknown_type");
	json_decref(reply);
	reply = exchange("{\"type\":\"ping\",\"id\":9}");
	CHECK_STR(field(reply, "type"), "ok");
	json_decref(reply);
	CHECK_INT(seen.calls, ==, 0);
	gr_protocol_set_dispatch(protocol, record, &dispatch_payload);
}

/*
 * With a service behind it, ping waits for hello like everything else; a
 * text id longer than 64 characters is refused and never echoed.
 */
static void test_hello_first(void)
{
	char message[300], id[80];
	json_t *reply;

	client.synced = 0;
	reply = exchange("{\"type\":\"ping\",\"id\":1}");
	CHECK_STR(field(reply, "code"), "hello_first");
	json_decref(reply);
	client.synced = 1;
	reply = exchange("{\"type\":\"ping\",\"id\":1}");
	CHECK_STR(field(reply, "type"), "ok");
	json_decref(reply);
	memset(id, 'x', 65);
	id[65] = '\0';
	snprintf(message, sizeof message, "{\"type\":\"ping\",\"id\":\"%s\"}", id);
	reply = exchange(message);
	CHECK_STR(field(reply, "code"), "bad_value");
	CHECK(json_object_get(reply, "id") == NULL);
	CHECK(strstr(last_sent, "xxxxxxxx") == NULL);
	json_decref(reply);
	/* 64 characters, some of two bytes: still an id. */
	snprintf(message, sizeof message, "{\"type\":\"ping\",\"id\":\"%.*s%s\"}", 60, id,
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	reply = exchange(message);
	CHECK_STR(field(reply, "type"), "ok");
	CHECK_INT((long long)strlen(field(reply, "id")), ==, 68);
	json_decref(reply);
	client.synced = 0;
}

static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

static void test_rate_limit(void)
{
	struct gr_client other = { 0 };
	json_t *reply;

	/* A fresh connection; the fake clock starts well after 0. */
	memset(&client, 0, sizeof(client));
	client.synced = other.synced = 1;
	fake_now = 1700000000000;
	gr_protocol_set_rate(protocol, 2, 4, fake_clock);
	for (int i = 0; i < 4; i++) {
		reply = exchange("{\"type\":\"ping\",\"id\":1}");
		CHECK_STR(field(reply, "type"), "ok");
		json_decref(reply);
	}
	/* The 5th at the same moment: rate_limited, without parsing (no id). */
	expect_error("{\"type\":\"ping\",\"id\":1}", "rate_limited");
	expect_error("not even json", "rate_limited");
	/* Another connection has its own bucket. */
	sent_count = 0;
	gr_protocol_receive(protocol, &other, "{\"type\":\"ping\"}", 15);
	CHECK_INT(sent_count, ==, 1);
	CHECK_CONTAINS(last_sent, "\"ok\"");

	/* 2 a second: 500 ms later one more message may pass, not two. */
	fake_now += 500;
	reply = exchange("{\"type\":\"ping\",\"id\":2}");
	CHECK_STR(field(reply, "type"), "ok");
	json_decref(reply);
	expect_error("{\"type\":\"ping\",\"id\":3}", "rate_limited");

	/* Dispatched types count too; after a long pause the burst is back, not more. */
	fake_now += 60000;
	for (int i = 0; i < 4; i++) {
		reply = exchange("{\"type\":\"subscribe\",\"topic\":\"t\"}");
		CHECK_STR(field(reply, "type"), "ok");
		json_decref(reply);
	}
	expect_error("{\"type\":\"subscribe\",\"topic\":\"t\"}", "rate_limited");

	/* per_second 0: no limit. */
	gr_protocol_set_rate(protocol, 0, 0, fake_clock);
	for (int i = 0; i < 20; i++) {
		reply = exchange("{\"type\":\"ping\"}");
		CHECK_STR(field(reply, "type"), "ok");
		json_decref(reply);
	}
	memset(&client, 0, sizeof(client));
}

int main(void)
{
	CHECK_INT(gr_protocol_new(&protocol, capture), ==, 0);
	if (!protocol)
		return harness_done();
	RUN(test_ping);
	RUN(test_type_of_wrong_kind);
	RUN(test_length_is_honoured);
	RUN(test_bad_json);
	RUN(test_missing_type);
	RUN(test_unknown_type);
	RUN(test_bad_value);
	RUN(test_many_messages);
	RUN(test_without_dispatch);
	gr_protocol_set_dispatch(protocol, record, &dispatch_payload);
	RUN(test_hello_first);
	client.synced = 1; /* as the live service marks a connection that said hello */
	RUN(test_required_fields);
	RUN(test_wrong_kinds);
	RUN(test_limits);
	RUN(test_embedded_nul);
	RUN(test_decoded_fields);
	RUN(test_rate_limit);
	forget();
	gr_protocol_free(protocol);
	return harness_done();
}
