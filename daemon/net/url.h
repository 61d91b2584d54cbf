/*
 * url.h - the parts of a request's URL that HTTP handling reads, as plain
 * strings: the query string (built from the arguments libwebsockets hands
 * over, and read back by name), paths that must stay inside a directory, and
 * the API's routes. No network or JSON type appears here, so each rule can
 * be tested and fuzzed alone (tests/unit/url_test.c, tests/fuzz/url_fuzz.c).
 */
#ifndef GR_URL_H
#define GR_URL_H

#include <stddef.h>

/*
 * Append one query argument, "name=value" already percent-decoded (as
 * libwebsockets hands each over), to the query string in out (size bytes,
 * NUL-terminated; start from ""). Arguments are joined by '&'; every byte
 * other than [A-Za-z0-9-._~] and the argument's first '=' is percent-encoded
 * again, so a value's '&', '=', '+' and '%' read back as themselves. An
 * empty argument adds nothing. GR_ETOOLARGE, with out unchanged, when the
 * argument does not fit: a query is only ever cut at a whole argument.
 */
int gr_url_query_append(char *out, size_t size, const char *argument);

/*
 * The value of the first argument called name in a query string, decoded
 * ("%XX" and '+' for a space; a '%' not followed by two hex digits is kept
 * as it is) into out (size bytes). Names are compared as written, byte for
 * byte. GR_ENOTFOUND when there is no such argument ("name" without '=' is
 * none); GR_EINVALID when the value holds "%00" or does not fit in out.
 */
int gr_url_query_value(char *out, size_t size, const char *query, const char *name);

#define GR_URL_MAX_PATH 2048

/*
 * A safe relative path: 1 to GR_URL_MAX_PATH - 1 bytes, no leading '/', no
 * empty, "." or ".." segment, no backslash. Returns 1 when safe, else 0.
 */
int gr_url_safe_path(const char *path);

enum gr_url_web_kind {
	GR_URL_WEB_REFUSED, /* could leave the web root, or names a hidden file */
	GR_URL_WEB_PAGE,    /* a page of the client: serve index.html */
	GR_URL_WEB_FILE,    /* the file at the path below the web root */
};

/*
 * What a request path outside /api/ asks of the web root. Pages are paths
 * whose last segment has no '.', and everything under /tracks/ and /join/
 * (a step id may hold a dot). A path that does not start with '/', or holds
 * "..", "//", a backslash or (for a file) a segment starting with '.', is
 * refused.
 */
enum gr_url_web_kind gr_url_web_path(const char *path);

/*
 * Match a request path against a route's pattern. A pattern ending in '/'
 * matches every longer path it starts, and returns the rest (borrowed from
 * path, never empty); any other pattern matches only itself and returns "".
 * NULL when the path does not match.
 */
const char *gr_url_route_match(const char *pattern, const char *path);

struct gr_config;

/*
 * Whether a request's Host header names this server: the listen address
 * (host:port), the host of public_url or of one of allowed_origins (with
 * their port, if they name one), or a loopback name (localhost, 127.x.x.x,
 * [::1]) on any port, for health checks. Compared without case; 0 for an
 * empty or unknown host. docs/security.md, "Protocol limits".
 */
int gr_url_host_allowed(const char *host, const struct gr_config *config);

#endif
