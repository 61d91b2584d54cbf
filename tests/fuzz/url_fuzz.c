/*
 * url_fuzz.c - libFuzzer target for the request URL rules of net/url.c.
 * Each line of the input (up to a NUL) is, in turn, a decoded query
 * argument as libwebsockets hands it over, a relative path, a web root path
 * and a path matched against the API's routes; the whole input (up to a
 * NUL) is also read as a raw query string. Checked beyond not crashing:
 *
 * - a built query holds only plain bytes, '=', '&' and %XX, fits its
 *   buffer, and is cut only at a whole argument;
 * - every argument with a plain name reads back as its own value, the first
 *   of its name winning, and too small a buffer is refused, not cut;
 * - a value decoded from any query, encoded again and decoded, is the same;
 * - an accepted relative path has no empty, "." or ".." segment, an
 *   accepted web file no ".." and no hidden segment, and a route's argument
 *   is the rest of the path after its pattern.
 *
 * A broken promise abort()s, which libFuzzer (or the corpus replay under
 * CTest) reports. Built as a fuzzer with -DFUZZ=ON (clang), and always as a
 * replay of the corpus under CTest.
 */
#include "core/error.h"
#include "net/url.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QUERY_MAX 1024 /* struct api_call's query in net.c */
#define MAX_ARGUMENTS 64

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "url_fuzz: " __VA_ARGS__);                                         \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

/* api.c's routes. */
static const char *const patterns[] = { "/api/register", "/api/login",  "/api/logout",
					"/api/me",       "/api/invites", "/api/invites/",
					"/api/tracks",   "/api/board.csv", "/api/tracks/",
					"/t/" };

static int is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~", c));
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Only plain bytes, '&', one '=' per argument, and %XX with upper-case hex. */
static void check_query_shape(const char *query)
{
	int equals = 0;

	for (const char *p = query; *p; p++) {
		if (*p == '%') {
			if (!is_hex((unsigned char)p[1]) || !is_hex((unsigned char)p[2]))
				FAIL("bad escape in built query '%s'", query);
			p += 2;
		} else if (*p == '&') {
			if (p == query || p[1] == '\0' || p[1] == '&')
				FAIL("empty argument in built query '%s'", query);
			equals = 0;
		} else if (*p == '=') {
			if (equals++)
				FAIL("two '=' in one argument of '%s'", query);
		} else if (!is_plain((unsigned char)*p)) {
			FAIL("unencoded byte 0x%02x in built query '%s'", (unsigned char)*p, query);
		}
	}
}

/* The name of an argument when it is plain and has a value, else NULL. */
static const char *plain_name(const char *argument, char *out, size_t size)
{
	size_t len = strcspn(argument, "=");

	if (len == 0 || !argument[len] || len >= size)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (!is_plain((unsigned char)argument[i]))
			return NULL;
	memcpy(out, argument, len);
	out[len] = '\0';
	return out;
}

static void check_read_back(const char *query, char *const *arguments, int count)
{
	static char value[QUERY_MAX], small[8];

	for (int i = 0; i < count; i++) {
		char name[QUERY_MAX];
		const char *expected = NULL;
		int rc;

		if (!plain_name(arguments[i], name, sizeof(name)))
			continue;
		for (int j = 0; j <= i && !expected; j++)
			if (strncmp(arguments[j], name, strlen(name)) == 0 &&
			    arguments[j][strlen(name)] == '=')
				expected = arguments[j] + strlen(name) + 1;
		if ((rc = gr_url_query_value(value, sizeof(value), query, name)) != 0)
			FAIL("'%s' not read back from '%s': %d", name, query, rc);
		if (strcmp(value, expected) != 0)
			FAIL("'%s' read back as '%s', not '%s', from '%s'", name, value, expected,
			     query);
		rc = gr_url_query_value(small, sizeof(small), query, name);
		if ((strlen(expected) < sizeof(small)) != (rc == 0))
			FAIL("'%s' of %zu bytes into %zu: %d", name, strlen(expected),
			     sizeof(small), rc);
		if (rc == 0 && strcmp(small, expected) != 0)
			FAIL("'%s' read back as '%s' into a small buffer", name, small);
	}
}

/* Build a query from the arguments as net.c does, and read it back. */
static void check_query(char *const *arguments, int count)
{
	static char query[QUERY_MAX], before[QUERY_MAX];
	int accepted = 0;

	query[0] = '\0';
	for (int i = 0; i < count; i++) {
		int rc;

		memcpy(before, query, sizeof(query));
		rc = gr_url_query_append(query, sizeof(query), arguments[i]);
		if (rc != 0 && rc != GR_ETOOLARGE)
			FAIL("query append returned %d", rc);
		if (rc != 0 && strcmp(before, query) != 0)
			FAIL("a refused argument changed the query");
		if (rc != 0)
			break;
		if (strnlen(query, sizeof(query)) >= sizeof(query))
			FAIL("built query overran its buffer");
		accepted = i + 1;
	}
	check_query_shape(query);
	check_read_back(query, arguments, accepted);
}

/* Decode a value from any query; encoded again and decoded, it is the same. */
static void check_decode(const char *query, const char *name)
{
	static char value[QUERY_MAX], again[QUERY_MAX], encoded[3 * QUERY_MAX + 8];
	char argument[QUERY_MAX + 8];

	if (gr_url_query_value(value, sizeof(value), query, name) != 0)
		return;
	if (strlen(value) >= sizeof(value))
		FAIL("decoded value overran its buffer");
	snprintf(argument, sizeof(argument), "v=%s", value);
	encoded[0] = '\0';
	if (gr_url_query_append(encoded, sizeof(encoded), argument) != 0)
		FAIL("a decoded value of %zu bytes does not encode", strlen(value));
	if (gr_url_query_value(again, sizeof(again), encoded, "v") != 0 ||
	    strcmp(value, again) != 0)
		FAIL("'%s' encoded as '%s' decodes as '%s'", value, encoded, again);
}

/* "/" + path + "/" holds no "//", "/./" or "/../". */
static int segments_ok(const char *path)
{
	char wrapped[GR_URL_MAX_PATH + 3];

	snprintf(wrapped, sizeof(wrapped), "/%s/", path);
	return !strstr(wrapped, "//") && !strstr(wrapped, "/./") && !strstr(wrapped, "/../");
}

static void check_paths(const char *line)
{
	enum gr_url_web_kind kind;

	if (gr_url_safe_path(line)) {
		if (line[0] == '/' || strchr(line, '\\') || strlen(line) >= GR_URL_MAX_PATH ||
		    !segments_ok(line))
			FAIL("'%s' taken as a safe path", line);
	} else if (line[0] && line[0] != '/' && !strchr(line, '\\') &&
		   strlen(line) < GR_URL_MAX_PATH && segments_ok(line)) {
		FAIL("safe path '%s' refused", line);
	}
	kind = gr_url_web_path(line);
	if (kind != GR_URL_WEB_REFUSED &&
	    (line[0] != '/' || strstr(line, "..") || strstr(line, "//") || strchr(line, '\\')))
		FAIL("web path '%s' not refused (%d)", line, (int)kind);
	if (kind == GR_URL_WEB_FILE &&
	    (strstr(line, "/.") || (strlen(line) < GR_URL_MAX_PATH && !gr_url_safe_path(line + 1))))
		FAIL("web file '%s' is hidden or unsafe", line);
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		const char *pattern = patterns[i];
		size_t len = strlen(pattern);
		const char *arg = gr_url_route_match(pattern, line);
		int prefix = pattern[len - 1] == '/';
		int matches = prefix ? strncmp(line, pattern, len) == 0 && line[len]
				     : strcmp(line, pattern) == 0;

		if (matches != (arg != NULL))
			FAIL("'%s' %s route %s", line, arg ? "matched" : "did not match", pattern);
		if (arg && arg != (prefix ? line + len : arg))
			FAIL("route %s gave '%s' for '%s'", pattern, arg, line);
		if (arg && !prefix && arg[0])
			FAIL("exact route %s gave an argument", pattern);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *arguments[MAX_ARGUMENTS], *line, *rest;
	char name[64];
	int count = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_decode(text, "cohort");
	check_decode(text, "track");
	if (plain_name(text, name, sizeof(name)))
		check_decode(text, name);
	rest = text;
	while ((line = strsep(&rest, "\n")) != NULL && count < MAX_ARGUMENTS) {
		arguments[count++] = line;
		check_paths(line);
	}
	check_query(arguments, count);
	free(text);
	return 0;
}
