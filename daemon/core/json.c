/*
 * json.c - JSON values through jansson (see json.h for who owns what).
 *
 * Owns the only use of jansson's values in the daemon besides the two
 * codecs that read and write messages on the wire with jansson's own
 * options (net/api.c; protocol.c reads through here). It leaves what a
 * message means to its callers.
 *
 * A struct gr_json is never defined: a struct gr_json * is a json_t * under
 * another name, converted at this file's edges. So the wrapper costs no
 * allocation, a reference count is jansson's, and pack's "o" and "O" take a
 * struct gr_json * as they are (all pointers to structures share one
 * representation).
 */
#include "core/json.h"

#include "core/error.h"

#include <jansson.h>
#include <stdarg.h>

static json_t *raw(const struct gr_json *json)
{
	return (json_t *)json;
}

static struct gr_json *wrap(json_t *json)
{
	return (struct gr_json *)json;
}

struct gr_json *gr_json_pack(const char *format, ...)
{
	json_error_t error;
	json_t *json;
	va_list ap;

	va_start(ap, format);
	json = json_vpack_ex(&error, 0, format, ap);
	va_end(ap);
	if (!json)
		gr_error_set("json: %s (packing \"%s\")", error.text, format);
	return wrap(json);
}

static struct gr_json *made(json_t *json)
{
	if (!json)
		gr_error_set("json: out of memory");
	return wrap(json);
}

struct gr_json *gr_json_object(void)
{
	return made(json_object());
}

struct gr_json *gr_json_array(void)
{
	return made(json_array());
}

struct gr_json *gr_json_string(const char *text)
{
	if (!text) {
		gr_error_set("json: no text for a string");
		return NULL;
	}
	return made(json_string(text));
}

struct gr_json *gr_json_integer(int64_t value)
{
	return made(json_integer((json_int_t)value));
}

struct gr_json *gr_json_null(void)
{
	return wrap(json_null());
}

struct gr_json *gr_json_ref(struct gr_json *json)
{
	return wrap(json_incref(raw(json)));
}

void gr_json_free(struct gr_json *json)
{
	json_decref(raw(json));
}

int gr_json_set(struct gr_json *object, const char *key, struct gr_json *value)
{
	if (!value || json_object_set_new(raw(object), key, raw(value)) != 0) {
		gr_error_set("json: could not set '%s'", key);
		return GR_ERROR;
	}
	return 0;
}

int gr_json_append(struct gr_json *array, struct gr_json *value)
{
	if (!value || json_array_append_new(raw(array), raw(value)) != 0) {
		gr_error_set("json: could not append to a list");
		return GR_ERROR;
	}
	return 0;
}

int gr_json_update(struct gr_json *object, const struct gr_json *fields)
{
	if (json_object_update(raw(object), raw(fields)) != 0) {
		gr_error_set("json: could not copy the members of an object");
		return GR_ERROR;
	}
	return 0;
}

void gr_json_delete(struct gr_json *object, const char *key)
{
	json_object_del(raw(object), key);
}

struct gr_json *gr_json_get(const struct gr_json *object, const char *key)
{
	return wrap(json_object_get(raw(object), key));
}

struct gr_json *gr_json_at(const struct gr_json *array, size_t index)
{
	return wrap(json_array_get(raw(array), index));
}

size_t gr_json_size(const struct gr_json *json)
{
	if (json_is_object(raw(json)))
		return json_object_size(raw(json));
	return json_array_size(raw(json));
}

int gr_json_each(const struct gr_json *object, gr_json_each_fn *fn, void *payload)
{
	const char *key;
	json_t *value;
	int rc;

	json_object_foreach(raw(object), key, value) {
		if ((rc = fn(key, wrap(value), payload)) != 0)
			return rc;
	}
	return 0;
}

enum gr_json_kind gr_json_kind(const struct gr_json *json)
{
	static const enum gr_json_kind kinds[] = {
		[JSON_OBJECT] = GR_JSON_OBJECT, [JSON_ARRAY] = GR_JSON_ARRAY,
		[JSON_STRING] = GR_JSON_STRING, [JSON_INTEGER] = GR_JSON_INTEGER,
		[JSON_REAL] = GR_JSON_REAL,	[JSON_TRUE] = GR_JSON_TRUE,
		[JSON_FALSE] = GR_JSON_FALSE,	[JSON_NULL] = GR_JSON_NULL,
	};

	return json ? kinds[json_typeof(raw(json))] : GR_JSON_ABSENT;
}

int64_t gr_json_integer_value(const struct gr_json *json)
{
	return (int64_t)json_integer_value(raw(json));
}

const char *gr_json_text(const struct gr_json *json, size_t *out_len)
{
	if (out_len)
		*out_len = json_string_length(raw(json));
	return json_string_value(raw(json));
}

int gr_json_equal(const struct gr_json *a, const struct gr_json *b)
{
	return json_equal(raw(a), raw(b));
}

char *gr_json_dump(const struct gr_json *json)
{
	char *text = json ? json_dumps(raw(json), JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (!text)
		gr_error_set("json: could not write a value");
	return text;
}

struct gr_json *gr_json_load(const char *text, size_t len)
{
	json_error_t error;
	json_t *json = json_loadb(
	    text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);

	if (!json)
		gr_error_set("json: %s at line %d, column %d", error.text, error.line,
			     error.column);
	return wrap(json);
}
