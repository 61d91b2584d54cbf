/*
 * webfiles_test.c - the web client's files from memory (daemon/webfiles.c):
 * a file is read once and kept while unchanged, read again after a change
 * with a new ETag; text gets a gzip copy that inflates to the same bytes,
 * small or incompressible files do not; missing files, directories and
 * files over the limit are refused; If-None-Match and Accept-Encoding are
 * read as HTTP means them.
 */
#include "core/error.h"
#include "net/webfiles.h"

#include "harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static char *dir;

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *file = fopen(path, "wb");

	if (!file || fwrite(text, 1, len, file) != len) {
		perror(path);
		exit(2);
	}
	fclose(file);
}

/* gzip data inflated into out (room for size); returns the length, or -1. */
static long gunzip(const unsigned char *data, size_t len, unsigned char *out, size_t size)
{
	z_stream stream;
	long result = -1;

	memset(&stream, 0, sizeof(stream));
	if (inflateInit2(&stream, 15 + 16) != Z_OK)
		return -1;
	stream.next_in = (Bytef *)data;
	stream.avail_in = (uInt)len;
	stream.next_out = out;
	stream.avail_out = (uInt)size;
	if (inflate(&stream, Z_FINISH) == Z_STREAM_END)
		result = (long)stream.total_out;
	inflateEnd(&stream);
	return result;
}

static void test_text_is_kept_and_gzipped(void)
{
	struct gr_webfiles *files = NULL;
	const struct gr_webfile *first, *again, *changed;
	char path[512], text[8192], etag[64];
	unsigned char inflated[16384];
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/app.js", dir);
	while (len + 40 < sizeof(text))
		len += (size_t)snprintf(text + len, sizeof(text) - len, "console.log('line %zu');\n",
					len);
	write_file(path, text, len);
	CHECK_INT(gr_webfiles_new(&files), ==, 0);
	CHECK_INT(gr_webfiles_get(files, &first, path, 1), ==, 0);
	CHECK_INT(first->len, ==, len);
	CHECK(memcmp(first->data, text, len) == 0);
	CHECK(first->gzip != NULL);
	CHECK_INT(first->gzip_len, <, len / 3); /* repetitive text shrinks a lot */
	CHECK_INT(gunzip(first->gzip, first->gzip_len, inflated, sizeof(inflated)), ==, (long)len);
	CHECK(memcmp(inflated, text, len) == 0);
	CHECK_INT(first->etag[0], ==, '"');
	CHECK_INT(first->etag[strlen(first->etag) - 1], ==, '"');
	snprintf(etag, sizeof(etag), "%s", first->etag);

	/* Unchanged: the same copy, not read again. */
	CHECK_INT(gr_webfiles_get(files, &again, path, 1), ==, 0);
	CHECK(again->data == first->data);
	CHECK_STR(again->etag, etag);

	/* Changed on disk (same size, later time): read again, with a new ETag. */
	text[0] = '/';
	text[1] = '/';
	write_file(path, text, len);
	{
		struct timespec times[2] = { { 0, UTIME_OMIT }, { time(NULL) + 5, 0 } };

		CHECK_INT(utimensat(AT_FDCWD, path, times, 0), ==, 0);
	}
	CHECK_INT(gr_webfiles_get(files, &changed, path, 1), ==, 0);
	CHECK(memcmp(changed->data, "//", 2) == 0);
	CHECK(strcmp(changed->etag, etag) != 0);
	CHECK_INT(gunzip(changed->gzip, changed->gzip_len, inflated, sizeof(inflated)), ==, (long)len);
	CHECK(memcmp(inflated, "//", 2) == 0);
	gr_webfiles_free(files);
}

static void test_no_gzip_when_not_worth_it(void)
{
	struct gr_webfiles *files = NULL;
	const struct gr_webfile *file;
	char path[512], noise[4096];
	unsigned int seed = 7;

	CHECK_INT(gr_webfiles_new(&files), ==, 0);
	snprintf(path, sizeof(path), "%s/small.css", dir);
	write_file(path, "body { margin: 0; }\n", 20);
	CHECK_INT(gr_webfiles_get(files, &file, path, 1), ==, 0);
	CHECK(file->gzip == NULL); /* too small to gain anything */

	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (char)(rand_r(&seed) & 0xff);
	snprintf(path, sizeof(path), "%s/noise.txt", dir);
	write_file(path, noise, sizeof(noise));
	CHECK_INT(gr_webfiles_get(files, &file, path, 1), ==, 0);
	CHECK(file->gzip == NULL); /* gzip would be larger */
	CHECK_INT(file->len, ==, sizeof(noise));

	snprintf(path, sizeof(path), "%s/picture.png", dir);
	memset(noise, 'a', sizeof(noise));
	write_file(path, noise, sizeof(noise));
	CHECK_INT(gr_webfiles_get(files, &file, path, 0), ==, 0);
	CHECK(file->gzip == NULL); /* not asked for */
	gr_webfiles_free(files);
}

static void test_refusals(void)
{
	struct gr_webfiles *files = NULL;
	const struct gr_webfile *file = (const void *)1;
	char path[512];
	int fd;

	CHECK_INT(gr_webfiles_new(&files), ==, 0);
	snprintf(path, sizeof(path), "%s/missing.js", dir);
	CHECK_INT(gr_webfiles_get(files, &file, path, 1), ==, GR_ENOTFOUND);
	CHECK(file == NULL);
	CHECK_INT(gr_webfiles_get(files, &file, dir, 1), ==, GR_ENOTFOUND); /* a directory */

	snprintf(path, sizeof(path), "%s/huge.js", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, GR_WEBFILES_MAX_FILE + 1) == 0);
	close(fd);
	CHECK_INT(gr_webfiles_get(files, &file, path, 1), ==, GR_ETOOLARGE);
	CHECK_CONTAINS(gr_error_last(), "huge.js");
	gr_webfiles_free(files);
}

static void test_etag_matches(void)
{
	const char *etag = "\"1f-2a-3b\"";

	CHECK(gr_webfiles_etag_matches("\"1f-2a-3b\"", etag));
	CHECK(gr_webfiles_etag_matches("W/\"1f-2a-3b\"", etag));
	CHECK(gr_webfiles_etag_matches("\"other\", \"1f-2a-3b\"", etag));
	CHECK(gr_webfiles_etag_matches(" \"other\" ,W/\"1f-2a-3b\" ", etag));
	CHECK(gr_webfiles_etag_matches("*", etag));
	CHECK(!gr_webfiles_etag_matches("\"1f-2a-3\"", etag));
	CHECK(!gr_webfiles_etag_matches("\"1f-2a-3b\"x", etag));
	CHECK(!gr_webfiles_etag_matches("1f-2a-3b", etag));
	CHECK(!gr_webfiles_etag_matches("", etag));
	CHECK(!gr_webfiles_etag_matches(NULL, etag));
}

static void test_accepts_gzip(void)
{
	CHECK(gr_webfiles_accepts_gzip("gzip"));
	CHECK(gr_webfiles_accepts_gzip("gzip, deflate, br"));
	CHECK(gr_webfiles_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
	CHECK(gr_webfiles_accepts_gzip("deflate, *"));
	CHECK(gr_webfiles_accepts_gzip("gzip ; q=0.001"));
	CHECK(!gr_webfiles_accepts_gzip("gzip;q=0"));
	CHECK(!gr_webfiles_accepts_gzip("gzip;q=0.0, *"));
	CHECK(!gr_webfiles_accepts_gzip("*;q=0"));
	CHECK(!gr_webfiles_accepts_gzip("deflate, br"));
	CHECK(!gr_webfiles_accepts_gzip("x-gzip2"));
	CHECK(!gr_webfiles_accepts_gzip("identity"));
	CHECK(!gr_webfiles_accepts_gzip(""));
	CHECK(!gr_webfiles_accepts_gzip(NULL));
}

static void test_compressible_types(void)
{
	CHECK(gr_webfiles_compressible("application/json; charset=utf-8"));
	CHECK(gr_webfiles_compressible("application/json"));
	CHECK(gr_webfiles_compressible("text/csv; charset=utf-8"));
	CHECK(gr_webfiles_compressible("text/plain"));
	CHECK(gr_webfiles_compressible("image/svg+xml"));
	CHECK(gr_webfiles_compressible("application/javascript"));
	CHECK(!gr_webfiles_compressible("image/png"));
	CHECK(!gr_webfiles_compressible("image/jpeg"));
	CHECK(!gr_webfiles_compressible("font/woff2"));
	CHECK(!gr_webfiles_compressible("application/gzip"));
	CHECK(!gr_webfiles_compressible("application/zip"));
	CHECK(!gr_webfiles_compressible("application/octet-stream"));
	CHECK(!gr_webfiles_compressible("application/jsonp")); /* a longer name, not JSON */
	CHECK(!gr_webfiles_compressible("text/"));
	CHECK(!gr_webfiles_compressible(""));
	CHECK(!gr_webfiles_compressible(NULL));
}

/* A JSON body of about len bytes, as the API writes it. */
static size_t json_body(char *out, size_t size)
{
	size_t len = (size_t)snprintf(out, size, "{\"steps\":[");

	for (int i = 0; len + 80 < size; i++)
		len += (size_t)snprintf(out + len, size - len,
					"%s{\"id\":\"s%d\",\"title\":\"Step %d\",\"state\":\"done\"}",
					i ? "," : "", i, i);
	len += (size_t)snprintf(out + len, size - len, "]}");
	return len;
}

/* Compression on or off by Accept-Encoding (q=0 is a refusal), type and size. */
static void test_reply_on_and_off(void)
{
	static const struct {
		const char *accept_encoding;
		int gzip;
	} cases[] = {
		{ "gzip, deflate, br", 1 }, { "br;q=1.0, gzip;q=0.5", 1 }, { "*", 1 },
		{ "gzip;q=0", 0 },	    { "gzip;q=0.0, *", 0 },	     { "*;q=0", 0 },
		{ "identity", 0 },	    { "br", 0 },			     { "", 0 },
		{ NULL, 0 },
	};
	struct gr_webfiles *files = NULL;
	struct gr_webfiles_reply how;
	static char body[8192];
	static unsigned char inflated[16384];
	size_t len = json_body(body, sizeof(body));
	const char *json = "application/json; charset=utf-8";

	CHECK_INT(gr_webfiles_new(&files), ==, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(gr_webfiles_reply(files, &how, cases[i].accept_encoding, json, NULL, body,
					    len),
			  ==, 0);
		CHECK_INT(how.vary, ==, 1); /* gzipped or not, the body depends on the header */
		CHECK_INT(how.gzip != NULL, ==, cases[i].gzip);
		if (how.gzip) {
			CHECK_INT(how.gzip_len, <, len / 2);
			CHECK_INT(gunzip(how.gzip, how.gzip_len, inflated, sizeof(inflated)), ==,
				  (long)len);
			CHECK(memcmp(inflated, body, len) == 0);
		}
	}

	/* Already compressed types and small bodies go as they are, and do not vary. */
	CHECK_INT(gr_webfiles_reply(files, &how, "gzip", "image/png", NULL, body, len), ==, 0);
	CHECK(how.gzip == NULL);
	CHECK_INT(how.vary, ==, 0);
	CHECK_INT(gr_webfiles_reply(files, &how, "gzip", json, NULL, body,
				    GR_WEBFILES_GZIP_MIN_BODY - 1),
		  ==, 0);
	CHECK(how.gzip == NULL);
	CHECK_INT(how.vary, ==, 0);
	gr_webfiles_free(files);
}

/* A reply with a key (its path and ETag) is compressed once and kept. */
static void test_reply_kept_by_key(void)
{
	struct gr_webfiles *files = NULL;
	struct gr_webfiles_reply first, again, other;
	static char body[8192];
	static unsigned char inflated[16384];
	size_t len = json_body(body, sizeof(body));
	const char *json = "application/json";
	char key[32];

	CHECK_INT(gr_webfiles_new(&files), ==, 0);
	CHECK_INT(gr_webfiles_reply(files, &first, "gzip", json, "/api/a \"1\"", body, len), ==, 0);
	CHECK(first.gzip != NULL);
	CHECK_INT(gr_webfiles_reply(files, &again, "gzip", json, "/api/a \"1\"", body, len), ==, 0);
	CHECK(again.gzip == first.gzip); /* the kept copy, not made again */
	body[2] = 'X'; /* other bytes under another key */
	CHECK_INT(gr_webfiles_reply(files, &other, "gzip", json, "/api/a \"2\"", body, len), ==, 0);
	CHECK(other.gzip != first.gzip);
	CHECK_INT(gunzip(other.gzip, other.gzip_len, inflated, sizeof(inflated)), ==, (long)len);
	CHECK(memcmp(inflated, body, len) == 0);

	/* Only the latest GR_WEBFILES_GZIP_KEPT are kept; each stays right. */
	for (int i = 0; i < 2 * GR_WEBFILES_GZIP_KEPT; i++) {
		snprintf(key, sizeof(key), "/api/b \"%d\"", i);
		CHECK_INT(gr_webfiles_reply(files, &other, "gzip", json, key, body, len), ==, 0);
		CHECK(other.gzip != NULL);
	}
	CHECK_INT(gr_webfiles_reply(files, &again, "gzip", json, "/api/a \"2\"", body, len), ==, 0);
	CHECK_INT(gunzip(again.gzip, again.gzip_len, inflated, sizeof(inflated)), ==, (long)len);
	CHECK(memcmp(inflated, body, len) == 0);
	gr_webfiles_free(files);
}

int main(void)
{
	dir = harness_temp_dir();
	RUN(test_text_is_kept_and_gzipped);
	RUN(test_no_gzip_when_not_worth_it);
	RUN(test_refusals);
	RUN(test_etag_matches);
	RUN(test_accepts_gzip);
	RUN(test_compressible_types);
	RUN(test_reply_on_and_off);
	RUN(test_reply_kept_by_key);
	harness_remove_tree(dir);
	free(dir);
	return harness_done();
}
