/*
 * webfiles.h - the web client's files, served from memory: each read once
 * (again when it changes on disk), with an ETag so a browser revalidates
 * for free, and a gzip copy of text so a cheap phone on a slow line loads
 * the client in a third of the bytes. Design: "Web client" in STYLE.md and
 * the browser's budget; served by net.c.
 *
 * Loop thread only. No network type appears here.
 */
#ifndef GR_WEBFILES_H
#define GR_WEBFILES_H

#include <stddef.h>

#define GR_WEBFILES_MAX_FILE (4 * 1024 * 1024) /* a client file larger is refused */
#define GR_WEBFILES_MAX_COUNT 512	      /* files kept at once */
#define GR_WEBFILES_GZIP_MIN_BODY 1024	      /* a smaller response is sent as it is */
#define GR_WEBFILES_GZIP_KEPT 64	      /* gzip copies of responses kept by key */

struct gr_webfile {
	const unsigned char *data;
	size_t len;
	const unsigned char *gzip; /* NULL when not worth it (binary, small or not smaller) */
	size_t gzip_len;
	char etag[64]; /* quoted, for the ETag header */
};

struct gr_webfiles;

int gr_webfiles_new(struct gr_webfiles **out);
/* Accepts NULL. */
void gr_webfiles_free(struct gr_webfiles *files);

/*
 * The file at path (the caller has checked that it lies in the web root),
 * read now or kept from before when its size and time are unchanged. *out
 * is borrowed until the next call. compress: make a gzip copy (text).
 * GR_ENOTFOUND when it is missing or not a regular file, GR_ETOOLARGE over
 * GR_WEBFILES_MAX_FILE, GR_ELIMITED when GR_WEBFILES_MAX_COUNT other files
 * are kept already, GR_ERROR when it cannot be read.
 */
int gr_webfiles_get(struct gr_webfiles *files, const struct gr_webfile **out, const char *path,
		    int compress);

/* Whether an If-None-Match header value names etag ("*", or one of a list). */
int gr_webfiles_etag_matches(const char *if_none_match, const char *etag);

/* Whether an Accept-Encoding header value accepts gzip (not with q=0). */
int gr_webfiles_accepts_gzip(const char *accept_encoding);

/*
 * Whether a response of this Content-Type is worth compressing: any text
 * type, JSON, JavaScript, XML and SVG. Never a type that is compressed already
 * (images but SVG, audio, video, fonts, archives, anything unknown).
 */
int gr_webfiles_compressible(const char *content_type);

/* How a reply's body goes out. */
struct gr_webfiles_reply {
	const unsigned char *gzip; /* its gzip copy (borrowed until the next call), or NULL: as it is */
	size_t gzip_len;
	int vary; /* the body sent depends on Accept-Encoding: say so with Vary */
};

/*
 * How to send a reply (an API response, made on the loop) of content_type
 * and len bytes to a client that sent accept_encoding (NULL: none). A body
 * of a compressible type and at least GR_WEBFILES_GZIP_MIN_BODY bytes
 * varies; it is gzipped when the client accepts gzip and the copy is
 * smaller. key names these bytes and changes when they do (a path and its
 * ETag): the copy is then made at zlib's best level and kept for the next
 * request with that key (the GR_WEBFILES_GZIP_KEPT latest are kept). NULL:
 * made now, at the fast level, and not kept. GR_ERROR when out of memory
 * (out->gzip is NULL: the body goes out as it is).
 */
int gr_webfiles_reply(struct gr_webfiles *files, struct gr_webfiles_reply *out,
		      const char *accept_encoding, const char *content_type, const char *key,
		      const void *body, size_t len);

#endif
