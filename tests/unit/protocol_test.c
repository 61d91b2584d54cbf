/* Tests for protocol.h: replies to /ws messages as docs/protocol.md lists
 * them: ping -> ok with the same id; bad_json, missing_field, unknown_type,
 * bad_value errors; exactly one reply per message. */
#include "harness.h"

#include "error.h"
#include "protocol.h"

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
	gr_protocol_free(protocol);
	return harness_done();
}
