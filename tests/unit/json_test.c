/*
 * json_test.c - the JSON wrapper (daemon/core/json.c): who owns what (a set
 * or an append consumes its value, even when it fails; a getter borrows; a
 * reference keeps a value alive past its container), a pack that fails says
 * why and consumes its "o" values, and text written and read back is the
 * same value. Run under the sanitizers, a leak or a use after free here
 * fails the test.
 */
#include "core/error.h"
#include "core/json.h"

#include "harness.h"

static void test_set_consumes_get_borrows(void)
{
	struct gr_json *object = gr_json_object();
	struct gr_json *value = gr_json_string("kept");
	const char *text;

	CHECK(object != NULL);
	CHECK_INT(gr_json_set(object, "a", gr_json_ref(value)), ==, 0);
	CHECK(gr_json_get(object, "a") == value); /* borrowed: the same value */
	CHECK_INT(gr_json_size(object), ==, 1);
	gr_json_free(object);
	/* Our own reference outlives the container. */
	CHECK_STR(gr_json_text(value, NULL), "kept");
	gr_json_free(value);

	/* A set that fails still consumes the value: no leak, no error ignored. */
	value = gr_json_string("lost");
	CHECK_INT(gr_json_set(NULL, "a", value), ==, GR_ERROR);
	CHECK_CONTAINS(gr_error_last(), "'a'");
	CHECK_INT(gr_json_set(NULL, "a", NULL), ==, GR_ERROR);

	object = gr_json_pack("{s:s}", "name", "lena");
	text = gr_json_text(gr_json_get(object, "name"), NULL);
	CHECK_STR(text, "lena");
	gr_json_delete(object, "name");
	CHECK(gr_json_get(object, "name") == NULL);
	CHECK(gr_json_get(object, "nothing") == NULL);
	CHECK(gr_json_get(NULL, "name") == NULL);
	gr_json_free(object);
	gr_json_free(NULL);
}

static void test_arrays(void)
{
	struct gr_json *array = gr_json_array();
	struct gr_json *item;

	CHECK_INT(gr_json_append(array, gr_json_integer(7)), ==, 0);
	CHECK_INT(gr_json_append(array, gr_json_pack("{s:b}", "read", 1)), ==, 0);
	CHECK_INT(gr_json_append(array, NULL), ==, GR_ERROR); /* a failed pack's NULL */
	CHECK_INT(gr_json_size(array), ==, 2);
	CHECK_INT(gr_json_integer_value(gr_json_at(array, 0)), ==, 7);
	CHECK_INT(gr_json_kind(gr_json_get(gr_json_at(array, 1), "read")), ==, GR_JSON_TRUE);
	CHECK(gr_json_at(array, 2) == NULL);
	/* An append to something that is not a list fails and consumes its value. */
	item = gr_json_string("x");
	CHECK_INT(gr_json_append(gr_json_at(array, 0), item), ==, GR_ERROR);
	gr_json_free(array);
}

static void test_pack(void)
{
	struct gr_json *inner = gr_json_pack("{s:I}", "seq", (long long)INT64_MAX);
	struct gr_json *kept = gr_json_string("borrowed");
	struct gr_json *json;

	json = gr_json_pack("{s:s, s:o, s:O, s:s?, s:o*, s:n}", "type", "ok", "inner", inner,
			    "kept", kept, "none", NULL, "left_out", NULL, "null");
	CHECK(json != NULL);
	CHECK_INT(gr_json_integer_value(gr_json_get(gr_json_get(json, "inner"), "seq")), ==,
		  INT64_MAX);
	CHECK(gr_json_get(json, "kept") == kept);
	CHECK_INT(gr_json_kind(gr_json_get(json, "none")), ==, GR_JSON_NULL);
	CHECK(gr_json_get(json, "left_out") == NULL);
	CHECK_INT(gr_json_kind(gr_json_get(json, "null")), ==, GR_JSON_NULL);
	gr_json_free(json);
	CHECK_STR(gr_json_text(kept, NULL), "borrowed"); /* "O" took a reference of its own */
	gr_json_free(kept);

	/* Errors are reported, and an "o" value is consumed even then. */
	gr_error_clear();
	inner = gr_json_object();
	CHECK(gr_json_pack("{s:o, s:o}", "a", inner, "b", NULL) == NULL);
	CHECK_CONTAINS(gr_error_last(), "NULL");
	CHECK_CONTAINS(gr_error_last(), "{s:o, s:o}");
	CHECK(gr_json_pack("{s:s}", "a", NULL) == NULL);
	CHECK(gr_error_last()[0] != '\0');
	gr_error_clear();
	CHECK(gr_json_pack("{s:q}", "a", 1) == NULL);
	CHECK_CONTAINS(gr_error_last(), "format");
}

static void test_kinds_and_values(void)
{
	struct gr_json *json = gr_json_pack("{s:i, s:s, s:b, s:[], s:{}, s:f}", "n", 5, "s", "t",
					    "f", 0, "a", "o", "r", 1.5);
	size_t len = 99;

	CHECK_INT(gr_json_kind(NULL), ==, GR_JSON_ABSENT);
	CHECK_INT(gr_json_kind(json), ==, GR_JSON_OBJECT);
	CHECK_INT(gr_json_kind(gr_json_get(json, "n")), ==, GR_JSON_INTEGER);
	CHECK_INT(gr_json_kind(gr_json_get(json, "s")), ==, GR_JSON_STRING);
	CHECK_INT(gr_json_kind(gr_json_get(json, "f")), ==, GR_JSON_FALSE);
	CHECK_INT(gr_json_kind(gr_json_get(json, "a")), ==, GR_JSON_ARRAY);
	CHECK_INT(gr_json_kind(gr_json_get(json, "r")), ==, GR_JSON_REAL);
	CHECK_INT(gr_json_integer_value(gr_json_get(json, "s")), ==, 0); /* not an integer */
	CHECK(gr_json_text(gr_json_get(json, "n"), &len) == NULL);
	CHECK_INT(gr_json_size(gr_json_get(json, "s")), ==, 0);
	CHECK_INT(gr_json_size(json), ==, 6);
	gr_json_free(json);
}

static int count_member(const char *key, struct gr_json *value, void *payload)
{
	int *count = payload;

	(void)value;
	(*count)++;
	return strcmp(key, "stop") == 0 ? 7 : 0;
}

static void test_each_update_equal(void)
{
	struct gr_json *a = gr_json_pack("{s:i, s:i}", "x", 1, "y", 2);
	struct gr_json *b = gr_json_pack("{s:i}", "y", 2);
	struct gr_json *stop = gr_json_pack("{s:i, s:i, s:i}", "a", 1, "stop", 2, "z", 3);
	int count = 0;

	CHECK(!gr_json_equal(a, b));
	CHECK_INT(gr_json_update(b, a), ==, 0);
	CHECK(gr_json_equal(a, b));
	CHECK_INT(gr_json_each(a, count_member, &count), ==, 0);
	CHECK_INT(count, ==, 2);
	count = 0;
	CHECK_INT(gr_json_each(stop, count_member, &count), ==, 7);
	CHECK_INT(count, ==, 2);
	CHECK_INT(gr_json_update(NULL, a), ==, GR_ERROR);
	gr_json_free(a);
	gr_json_free(b);
	gr_json_free(stop);
}

static void test_dump_load_round_trip(void)
{
	static const char text[] = "{\"type\":\"event\",\"seq\":9007199254740993,\"body\":\"a\\u0000b\","
				   "\"list\":[true,false,null,1.5],\"empty\":{}}";
	struct gr_json *json = gr_json_load(text, sizeof(text) - 1), *again;
	char *dumped;
	size_t len;

	CHECK(json != NULL);
	CHECK_INT(gr_json_integer_value(gr_json_get(json, "seq")), ==, 9007199254740993LL);
	CHECK(gr_json_text(gr_json_get(json, "body"), &len) != NULL);
	CHECK_INT(len, ==, 3); /* \u0000 kept: the length passes the NUL */
	dumped = gr_json_dump(json);
	CHECK_STR(dumped, text); /* compact, in the order written */
	again = gr_json_load(dumped, strlen(dumped));
	CHECK(gr_json_equal(json, again));
	free(dumped);
	gr_json_free(again);
	gr_json_free(json);

	/* Any one value; not two, not a key twice, not broken text. */
	json = gr_json_load("42", 2);
	CHECK_INT(gr_json_integer_value(json), ==, 42);
	dumped = gr_json_dump(json);
	CHECK_STR(dumped, "42");
	free(dumped);
	gr_json_free(json);
	CHECK(gr_json_load("{} {}", 5) == NULL);
	CHECK(gr_json_load("{\"a\":1,\"a\":2}", 13) == NULL);
	CHECK_CONTAINS(gr_error_last(), "duplicate");
	CHECK(gr_json_load("{\"a\":", 5) == NULL);
	CHECK_CONTAINS(gr_error_last(), "line 1");
	/* The length is honoured: what follows it is not read. */
	json = gr_json_load("[1]garbage", 3);
	CHECK_INT(gr_json_size(json), ==, 1);
	gr_json_free(json);
	CHECK(gr_json_dump(NULL) == NULL);
}

int main(void)
{
	RUN(test_set_consumes_get_borrows);
	RUN(test_arrays);
	RUN(test_pack);
	RUN(test_kinds_and_values);
	RUN(test_each_update_equal);
	RUN(test_dump_load_round_trip);
	return harness_done();
}
