/*
 * url.c - query strings, safe paths and routes (see url.h). Pure functions
 * of their strings: net.c hands over what libwebsockets decoded, api.c asks
 * for values, routes and file paths. Reading the request itself stays in
 * net.c, and what a route does in api.c. Design: "The pieces" in DESIGN.md;
 * the API's addresses are in docs/api.md.
 */
#include "net/url.h"

#include "core/config.h"
#include "core/error.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gr_url_query_append(char *out, size_t size, const char *argument)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start = strlen(out), len = start;
	int named = 0;

	assert(size > start);
	if (!argument[0])
		return 0;
	if (start > 0 && len + 1 < size)
		out[len++] = '&';
	for (const unsigned char *p = (const unsigned char *)argument; *p; p++) {
		int plain = is_plain(*p) || (*p == '=' && !named);

		named |= *p == '=';
		if (len + (plain ? 1 : 3) >= size) {
			out[start] = '\0';
			return GR_ETOOLARGE;
		}
		if (plain) {
			out[len++] = (char)*p;
		} else {
			out[len++] = '%';
			out[len++] = hex[*p >> 4];
			out[len++] = hex[*p & 15];
		}
	}
	out[len] = '\0';
	return 0;
}

/* Decode one value, up to the end of its argument, into out. */
static int decode_value(char *out, size_t size, const char *value)
{
	size_t len = 0;

	for (const char *p = value; *p && *p != '&'; p++) {
		char c = *p;

		if (c == '+') {
			c = ' ';
		} else if (c == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
			c = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
			p += 2;
			if (c == '\0')
				return GR_EINVALID;
		}
		if (len + 1 >= size)
			return GR_EINVALID;
		out[len++] = c;
	}
	out[len] = '\0';
	return 0;
}

int gr_url_query_value(char *out, size_t size, const char *query, const char *name)
{
	size_t name_len = strlen(name);

	for (const char *pair = query; pair && *pair;) {
		const char *next = strchr(pair, '&');

		if (strncmp(pair, name, name_len) == 0 && pair[name_len] == '=')
			return decode_value(out, size, pair + name_len + 1);
		pair = next ? next + 1 : NULL;
	}
	return GR_ENOTFOUND;
}

int gr_url_safe_path(const char *path)
{
	const char *segment = path;

	if (!path[0] || strlen(path) >= GR_URL_MAX_PATH || strchr(path, '\\'))
		return 0;
	for (;;) {
		size_t len = strcspn(segment, "/");

		if (len == 0 || (len == 1 && segment[0] == '.') ||
		    (len == 2 && segment[0] == '.' && segment[1] == '.'))
			return 0;
		if (!segment[len])
			return 1;
		segment += len + 1;
	}
}

static int is_client_page(const char *path)
{
	return strncmp(path, "/tracks/", 8) == 0 || strncmp(path, "/join/", 6) == 0;
}

enum gr_url_web_kind gr_url_web_path(const char *path)
{
	const char *last = strrchr(path, '/');

	if (path[0] != '/' || strstr(path, "..") || strchr(path, '\\') || strstr(path, "//"))
		return GR_URL_WEB_REFUSED;
	if (!strchr(last, '.') || is_client_page(path))
		return GR_URL_WEB_PAGE;
	if (strstr(path, "/."))
		return GR_URL_WEB_REFUSED;
	return GR_URL_WEB_FILE;
}

const char *gr_url_route_match(const char *pattern, const char *path)
{
	size_t len = strlen(pattern);

	assert(len > 0);
	if (pattern[len - 1] == '/')
		return strncmp(path, pattern, len) == 0 && path[len] ? path + len : NULL;
	return strcmp(path, pattern) == 0 ? "" : NULL;
}

/* The authority of an http(s) URL (what a Host header says for it) into out. */
static void authority_of(const char *url, char *out, size_t size)
{
	const char *rest = strstr(url, "://");
	size_t len;

	rest = rest ? rest + 3 : url;
	len = strcspn(rest, "/?#");
	snprintf(out, size, "%.*s", (int)len, rest);
}

/* localhost, 127.x.x.x or [::1], with or without a port. */
static int is_loopback(const char *host)
{
	size_t name_len = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	const char *port = host + name_len;

	if (*port && (*port != ':' || !port[1] || strspn(port + 1, "0123456789") != strlen(port + 1)))
		return 0;
	if (name_len == 9 && strncasecmp(host, "localhost", 9) == 0)
		return 1;
	if (name_len == 5 && strncmp(host, "[::1]", 5) == 0)
		return 1;
	return name_len >= 7 && name_len <= 15 && strncmp(host, "127.", 4) == 0 &&
	       strspn(host, "0123456789.") >= name_len;
}

int gr_url_host_allowed(const char *host, const struct gr_config *config)
{
	char allowed[512], base[512];

	if (!host[0])
		return 0;
	if (is_loopback(host))
		return 1;
	snprintf(allowed, sizeof(allowed), strchr(config->listen_host, ':') ? "[%s]:%d" : "%s:%d",
		 config->listen_host, config->listen_port);
	if (strcasecmp(host, allowed) == 0)
		return 1;
	gr_config_base_url(config, base, sizeof(base));
	authority_of(base, allowed, sizeof(allowed));
	if (strcasecmp(host, allowed) == 0)
		return 1;
	for (int i = 0; i < config->allowed_origin_count; i++) {
		authority_of(config->allowed_origins[i], allowed, sizeof(allowed));
		if (strcasecmp(host, allowed) == 0)
			return 1;
	}
	return 0;
}
