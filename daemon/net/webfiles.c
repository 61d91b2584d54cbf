/*
 * webfiles.c - the web client's files from memory (see webfiles.h).
 *
 * A few dozen files at most, so a plain array searched by path. Each
 * request stats its file: a changed size, time or inode reads it again, so
 * an edited client shows on the next reload. The ETag is made of the same
 * three values. The gzip copy is made with zlib at its best level, once per
 * version of a file, at its first request; a browser's first load pays it
 * for about 60 ms (docs/performance.md says why this beats a copy made at
 * build time).
 *
 * API replies are compressed as they go out: at zlib's fastest level, on
 * the loop, unless they name their bytes with a key (an ETag: a step page
 * is the same bytes for every learner) and a copy at the best level is
 * kept in a small ring of GR_WEBFILES_GZIP_KEPT, newest replacing oldest.
 */
#include "net/webfiles.h"

#include "core/error.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define GZIP_MIN 256 /* smaller files are sent as they are */

struct entry {
	char *path;
	dev_t device;
	ino_t inode;
	off_t size;
	struct timespec modified;
	unsigned char *data;
	unsigned char *gzip;
	struct gr_webfile file;
};

/* A response's gzip copy, kept by its key. */
struct kept {
	char *key;
	unsigned char *gzip; /* NULL: not worth it */
	size_t gzip_len;
};

struct gr_webfiles {
	struct entry *entries;
	size_t count, capacity;
	struct kept kept[GR_WEBFILES_GZIP_KEPT];
	size_t kept_next;	/* the slot the next copy replaces */
	unsigned char *scratch; /* the last copy made and not kept */
};

int gr_webfiles_new(struct gr_webfiles **out)
{
	if (!(*out = calloc(1, sizeof(**out)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return 0;
}

static void entry_clear(struct entry *entry)
{
	free(entry->data);
	free(entry->gzip);
	entry->data = entry->gzip = NULL;
}

void gr_webfiles_free(struct gr_webfiles *files)
{
	if (!files)
		return;
	for (size_t i = 0; i < files->count; i++) {
		entry_clear(&files->entries[i]);
		free(files->entries[i].path);
	}
	for (size_t i = 0; i < GR_WEBFILES_GZIP_KEPT; i++) {
		free(files->kept[i].key);
		free(files->kept[i].gzip);
	}
	free(files->scratch);
	free(files->entries);
	free(files);
}

/* All of a file, or a code; *out is the caller's. */
static int read_all(const char *path, const struct stat *info, unsigned char **out)
{
	size_t len = (size_t)info->st_size, done = 0;
	unsigned char *data = malloc(len + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*out = NULL;
	if (!data || fd < 0) {
		gr_error_set("%s: %s", path, data ? strerror(errno) : "out of memory");
		free(data);
		if (fd >= 0)
			close(fd);
		return GR_ERROR;
	}
	while (done < len) {
		ssize_t n = read(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			gr_error_set("%s: %s", path, n < 0 ? strerror(errno) : "changed while read");
			free(data);
			close(fd);
			return GR_ERROR;
		}
		done += (size_t)n;
	}
	close(fd);
	*out = data;
	return 0;
}

/* A gzip copy of data when it is smaller; NULL otherwise (or out of memory: sent as is). */
static unsigned char *gzip_of(const unsigned char *data, size_t len, size_t *out_len, int level)
{
	z_stream stream;
	uLong bound;
	unsigned char *out;

	memset(&stream, 0, sizeof(stream));
	/* 15 + 16: a window of 32 KiB, with the gzip header and trailer. */
	if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 9,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	bound = deflateBound(&stream, (uLong)len);
	if (!(out = malloc(bound))) {
		deflateEnd(&stream);
		return NULL;
	}
	stream.next_in = (Bytef *)data;
	stream.avail_in = (uInt)len;
	stream.next_out = out;
	stream.avail_out = (uInt)bound;
	if (deflate(&stream, Z_FINISH) != Z_STREAM_END || stream.total_out >= len) {
		deflateEnd(&stream);
		free(out);
		return NULL;
	}
	*out_len = stream.total_out;
	deflateEnd(&stream);
	return out;
}

static struct entry *find(struct gr_webfiles *files, const char *path)
{
	for (size_t i = 0; i < files->count; i++)
		if (strcmp(files->entries[i].path, path) == 0)
			return &files->entries[i];
	return NULL;
}

static struct entry *add(struct gr_webfiles *files, const char *path)
{
	struct entry *entry;

	if (files->count == files->capacity) {
		size_t capacity = files->capacity ? files->capacity * 2 : 16;
		struct entry *grown = realloc(files->entries, capacity * sizeof(*grown));

		if (!grown)
			return NULL;
		files->entries = grown;
		files->capacity = capacity;
	}
	entry = &files->entries[files->count];
	memset(entry, 0, sizeof(*entry));
	if (!(entry->path = strdup(path)))
		return NULL;
	files->count++;
	return entry;
}

static int unchanged(const struct entry *entry, const struct stat *info)
{
	return entry->data && entry->device == info->st_dev && entry->inode == info->st_ino &&
	       entry->size == info->st_size && entry->modified.tv_sec == info->st_mtim.tv_sec &&
	       entry->modified.tv_nsec == info->st_mtim.tv_nsec;
}

int gr_webfiles_get(struct gr_webfiles *files, const struct gr_webfile **out, const char *path,
		    int compress)
{
	struct entry *entry;
	struct stat info;
	unsigned char *data;
	int rc;

	*out = NULL;
	if (stat(path, &info) != 0 || !S_ISREG(info.st_mode)) {
		gr_error_set("%s: not found", path);
		return GR_ENOTFOUND;
	}
	if (info.st_size > GR_WEBFILES_MAX_FILE) {
		gr_error_set("%s: over %d bytes", path, GR_WEBFILES_MAX_FILE);
		return GR_ETOOLARGE;
	}
	if (!(entry = find(files, path))) {
		if (files->count >= GR_WEBFILES_MAX_COUNT) {
			gr_error_set("%s: %d client files kept already", path,
				     GR_WEBFILES_MAX_COUNT);
			return GR_ELIMITED;
		}
		if (!(entry = add(files, path))) {
			gr_error_set("out of memory");
			return GR_ERROR;
		}
	}
	if (unchanged(entry, &info)) {
		*out = &entry->file;
		return 0;
	}
	if ((rc = read_all(path, &info, &data)) != 0)
		return rc;
	entry_clear(entry);
	entry->data = data;
	entry->device = info.st_dev;
	entry->inode = info.st_ino;
	entry->size = info.st_size;
	entry->modified = info.st_mtim;
	entry->file.data = data;
	entry->file.len = (size_t)info.st_size;
	entry->file.gzip = NULL;
	entry->file.gzip_len = 0;
	if (compress && entry->file.len >= GZIP_MIN &&
	    (entry->gzip = gzip_of(data, entry->file.len, &entry->file.gzip_len, Z_BEST_COMPRESSION)))
		entry->file.gzip = entry->gzip;
	snprintf(entry->file.etag, sizeof(entry->file.etag), "\"%llx-%llx-%llx\"",
		 (unsigned long long)info.st_ino, (unsigned long long)info.st_size,
		 (unsigned long long)info.st_mtim.tv_sec * 1000000000ull +
		     (unsigned long long)info.st_mtim.tv_nsec);
	*out = &entry->file;
	return 0;
}

/* The next comma-separated item of *text, trimmed, into [*start, *end); 0 at the end. */
static int next_item(const char **text, const char **start, const char **end)
{
	const char *p = *text;

	while (*p == ',' || isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	*start = p;
	while (*p && *p != ',')
		p++;
	*text = p;
	while (p > *start && isspace((unsigned char)p[-1]))
		p--;
	*end = p;
	return 1;
}

int gr_webfiles_etag_matches(const char *if_none_match, const char *etag)
{
	const char *start, *end;
	size_t len = strlen(etag);

	while (if_none_match && next_item(&if_none_match, &start, &end)) {
		if (end - start == 1 && *start == '*')
			return 1;
		if (end - start > 2 && strncmp(start, "W/", 2) == 0)
			start += 2; /* a weak comparison is what If-None-Match asks for */
		if ((size_t)(end - start) == len && strncmp(start, etag, len) == 0)
			return 1;
	}
	return 0;
}

/* Whether the parameters of a coding (after its name) leave it wanted: not q=0. */
static int wanted(const char *params, const char *end)
{
	const char *q = params;

	while ((q = memchr(q, ';', (size_t)(end - q)))) {
		q++;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
			return strtod(q + 2, NULL) > 0;
	}
	return 1;
}

int gr_webfiles_accepts_gzip(const char *accept_encoding)
{
	const char *start, *end;
	int star = 0;

	while (accept_encoding && next_item(&accept_encoding, &start, &end)) {
		const char *name_end = memchr(start, ';', (size_t)(end - start));
		size_t name_len;

		if (!name_end)
			name_end = end;
		while (name_end > start && isspace((unsigned char)name_end[-1]))
			name_end--;
		name_len = (size_t)(name_end - start);
		if (name_len == 4 && strncasecmp(start, "gzip", 4) == 0)
			return wanted(name_end, end);
		if (name_len == 1 && *start == '*')
			star = wanted(name_end, end);
	}
	return star;
}

/* The media type of a Content-Type value, without its parameters, is one of these. */
int gr_webfiles_compressible(const char *content_type)
{
	static const char *const types[] = { "application/json", "application/javascript",
					     "application/xml", "image/svg+xml" };
	size_t len;

	if (!content_type)
		return 0;
	len = strcspn(content_type, "; \t");
	if (len > 5 && strncasecmp(content_type, "text/", 5) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i]) == len && strncasecmp(content_type, types[i], len) == 0)
			return 1;
	return 0;
}

static struct kept *find_kept(struct gr_webfiles *files, const char *key)
{
	for (size_t i = 0; i < GR_WEBFILES_GZIP_KEPT; i++)
		if (files->kept[i].key && strcmp(files->kept[i].key, key) == 0)
			return &files->kept[i];
	return NULL;
}

int gr_webfiles_reply(struct gr_webfiles *files, struct gr_webfiles_reply *out,
		      const char *accept_encoding, const char *content_type, const char *key,
		      const void *body, size_t len)
{
	struct kept *kept;
	char *copy;

	memset(out, 0, sizeof(*out));
	if (len < GR_WEBFILES_GZIP_MIN_BODY || !gr_webfiles_compressible(content_type))
		return 0;
	out->vary = 1;
	if (!gr_webfiles_accepts_gzip(accept_encoding))
		return 0;
	if (!key) {
		free(files->scratch);
		files->scratch = gzip_of(body, len, &out->gzip_len, Z_BEST_SPEED);
		out->gzip = files->scratch;
		out->gzip_len = out->gzip ? out->gzip_len : 0;
		return 0;
	}
	if (!(kept = find_kept(files, key))) {
		if (!(copy = strdup(key))) {
			gr_error_set("out of memory");
			return GR_ERROR;
		}
		kept = &files->kept[files->kept_next];
		files->kept_next = (files->kept_next + 1) % GR_WEBFILES_GZIP_KEPT;
		free(kept->key);
		free(kept->gzip);
		kept->key = copy;
		kept->gzip = gzip_of(body, len, &kept->gzip_len, Z_BEST_COMPRESSION);
	}
	out->gzip = kept->gzip;
	out->gzip_len = kept->gzip ? kept->gzip_len : 0;
	return 0;
}
