/*
 * json.h - JSON values: the replies, pushes and stored events the services
 * build, and the messages the protocol reads. The one wrapper of jansson
 * (see json.c); no jansson type appears here, so a service's interface
 * never carries one.
 *
 * Ownership, as in jansson:
 *   - A function that returns a struct gr_json * returns a new reference,
 *     the caller's to drop with gr_json_free(): gr_json_pack, gr_json_load,
 *     the constructors and gr_json_ref.
 *   - The getters (gr_json_get, gr_json_at, gr_json_text) return borrowed
 *     values, valid while their container holds them.
 *   - Putting a value into a container consumes the caller's reference, even
 *     on failure: gr_json_set, gr_json_append, and pack's "o". So
 *     gr_json_set(reply, "user", gr_json_pack(...)) leaks nothing when the
 *     pack failed (the set fails too). To keep a value as well, pass
 *     gr_json_ref(value), or use pack's "O".
 *   - Everything else borrows its arguments. Every function accepts NULL
 *     where it takes a value, and then fails or returns nothing.
 *
 * Failures set the one-line message (core/error.h): a pack names what was
 * wrong with the format or its arguments, a load what was wrong with the text.
 */
#ifndef GR_JSON_H
#define GR_JSON_H

#include <stddef.h>
#include <stdint.h>

struct gr_json;

enum gr_json_kind {
	GR_JSON_ABSENT, /* no value (a NULL pointer) */
	GR_JSON_OBJECT,
	GR_JSON_ARRAY,
	GR_JSON_STRING,
	GR_JSON_INTEGER,
	GR_JSON_REAL,
	GR_JSON_TRUE,
	GR_JSON_FALSE,
	GR_JSON_NULL,
};

/*
 * A new value built from format and its arguments, as jansson's json_pack:
 * "{s:s, s:I, s:o}" and so on. s: text; s?: text or NULL (null); i and b: an
 * int; I: a long long (cast an int64_t); n: null; o: a struct gr_json *,
 * consumed; O: a struct gr_json *, borrowed; o? and o*: NULL gives null, or
 * leaves the member out. NULL when the format or an argument is wrong (a
 * NULL "o" or text), with the message set.
 */
struct gr_json *gr_json_pack(const char *format, ...);

struct gr_json *gr_json_object(void);
struct gr_json *gr_json_array(void);
/* A copy of text, which must be UTF-8. */
struct gr_json *gr_json_string(const char *text);
struct gr_json *gr_json_integer(int64_t value);
struct gr_json *gr_json_null(void);

/* One more reference to json, returned. */
struct gr_json *gr_json_ref(struct gr_json *json);
/* Drops a reference; the value goes when the last one does. */
void gr_json_free(struct gr_json *json);

/* object[key] = value (consumed, even on failure). 0 or GR_ERROR. */
int gr_json_set(struct gr_json *object, const char *key, struct gr_json *value);
/* Appends value (consumed, even on failure) to array. 0 or GR_ERROR. */
int gr_json_append(struct gr_json *array, struct gr_json *value);
/* Sets every member of fields (borrowed) in object. 0 or GR_ERROR. */
int gr_json_update(struct gr_json *object, const struct gr_json *fields);
/* Removes key from object, if there. */
void gr_json_delete(struct gr_json *object, const char *key);

/* object[key], borrowed; NULL when absent or object is not an object. */
struct gr_json *gr_json_get(const struct gr_json *object, const char *key);
/* array[index], borrowed; NULL past the end or when array is not an array. */
struct gr_json *gr_json_at(const struct gr_json *array, size_t index);
/* The members of an object or an array; 0 for anything else. */
size_t gr_json_size(const struct gr_json *json);

typedef int gr_json_each_fn(const char *key, struct gr_json *value, void *payload);
/*
 * Calls fn for each member of object, in order, with the member borrowed;
 * stops at the first non-zero return and returns it. fn must not add or
 * remove object's members.
 */
int gr_json_each(const struct gr_json *object, gr_json_each_fn *fn, void *payload);

enum gr_json_kind gr_json_kind(const struct gr_json *json);
/* An integer's value; 0 for anything else. */
int64_t gr_json_integer_value(const struct gr_json *json);
/*
 * A string's text, borrowed, and its length in bytes in *out_len (when not
 * NULL): a string may hold "\u0000", so the length can pass a NUL. NULL for
 * anything else.
 */
const char *gr_json_text(const struct gr_json *json, size_t *out_len);
/* Whether a and b are the same value (members compared, not identity). */
int gr_json_equal(const struct gr_json *a, const struct gr_json *b);

/* Compact text of json, malloc'd (the caller frees it); NULL on failure. */
char *gr_json_dump(const struct gr_json *json);
/*
 * The value in text[0..len): exactly one JSON value of any kind, with no
 * key twice in an object; "\u0000" is allowed in strings. NULL when the text
 * is not that, with the message set.
 */
struct gr_json *gr_json_load(const char *text, size_t len);

#endif
