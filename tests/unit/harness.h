/* A tiny assertion harness for the unit tests.
 *
 * Each *_test.c is its own process under CTest. A failed check prints the
 * file, line, the expression and both values, and the test goes on so one
 * run shows every failure; the process exits non-zero if any check failed.
 *
 *   static void test_something(void) { CHECK_INT(gr_x(), ==, 0); }
 *   int main(void) { RUN(test_something); return harness_done(); }
 */
#ifndef GROUNDS_TEST_HARNESS_H
#define GROUNDS_TEST_HARNESS_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int harness_failures;
static int harness_checks;
static const char *harness_current = "";

#define HARNESS_FAIL(...)                                                                          \
	do {                                                                                       \
		harness_failures++;                                                                \
		fprintf(stderr, "%s:%d: in %s: ", __FILE__, __LINE__, harness_current);            \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
	} while (0)

#define CHECK(expr)                                                                                \
	do {                                                                                       \
		harness_checks++;                                                                  \
		if (!(expr))                                                                       \
			HARNESS_FAIL("CHECK(%s) failed", #expr);                                   \
	} while (0)

#define CHECK_INT(a, op, b)                                                                        \
	do {                                                                                       \
		harness_checks++;                                                                  \
		int64_t harness_a = (int64_t)(a), harness_b = (int64_t)(b);                        \
		if (!(harness_a op harness_b))                                                     \
			HARNESS_FAIL("CHECK_INT(%s %s %s): %" PRId64 " vs %" PRId64, #a, #op, #b,  \
				     harness_a, harness_b);                                        \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		harness_checks++;                                                                  \
		const char *harness_sa = (a), *harness_sb = (b);                                   \
		if (!harness_sa || !harness_sb || strcmp(harness_sa, harness_sb) != 0)             \
			HARNESS_FAIL("CHECK_STR(%s, %s): \"%s\" vs \"%s\"", #a, #b,                \
				     harness_sa ? harness_sa : "(null)",                           \
				     harness_sb ? harness_sb : "(null)");                          \
	} while (0)

/* True when needle occurs in haystack; prints both when it does not. */
#define CHECK_CONTAINS(haystack, needle)                                                           \
	do {                                                                                       \
		harness_checks++;                                                                  \
		const char *harness_h = (haystack), *harness_n = (needle);                         \
		if (!harness_h || !strstr(harness_h, harness_n))                                   \
			HARNESS_FAIL("CHECK_CONTAINS(%s, \"%s\"): got \"%s\"", #haystack,          \
				     harness_n, harness_h ? harness_h : "(null)");                 \
	} while (0)

#define CHECK_NOT_CONTAINS(haystack, needle)                                                       \
	do {                                                                                       \
		harness_checks++;                                                                  \
		const char *harness_h = (haystack), *harness_n = (needle);                         \
		if (!harness_h || strstr(harness_h, harness_n))                                    \
			HARNESS_FAIL("CHECK_NOT_CONTAINS(%s, \"%s\"): got \"%s\"", #haystack,      \
				     harness_n, harness_h ? harness_h : "(null)");                 \
	} while (0)

/*
 * What the code under test writes to stderr (the daemon's log lines)
 * between harness_stderr_begin() and harness_stderr_end(), which returns it
 * (the caller frees) and writes it on to the real stderr as well.
 */
struct harness_stderr {
	int saved; /* the real stderr */
	FILE *file;
};

static inline void harness_stderr_begin(struct harness_stderr *capture)
{
	fflush(stderr);
	capture->file = tmpfile();
	capture->saved = dup(STDERR_FILENO);
	if (!capture->file || capture->saved < 0 ||
	    dup2(fileno(capture->file), STDERR_FILENO) < 0) {
		perror("harness_stderr_begin");
		exit(2);
	}
}

static inline char *harness_stderr_end(struct harness_stderr *capture)
{
	long size;
	char *text;

	fflush(stderr);
	dup2(capture->saved, STDERR_FILENO);
	close(capture->saved);
	fseek(capture->file, 0, SEEK_END);
	size = ftell(capture->file);
	text = calloc(1, size > 0 ? (size_t)size + 1 : 1);
	rewind(capture->file);
	if (!text || (size > 0 && fread(text, 1, (size_t)size, capture->file) != (size_t)size)) {
		perror("harness_stderr_end");
		exit(2);
	}
	fclose(capture->file);
	fputs(text, stderr);
	return text;
}

/* How many times needle occurs in text. */
static inline int harness_count(const char *text, const char *needle)
{
	int count = 0;

	for (const char *at = text; at && (at = strstr(at, needle)) != NULL; at += strlen(needle))
		count++;
	return count;
}

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		harness_current = #fn;                                                             \
		fn();                                                                              \
	} while (0)

static inline int harness_done(void)
{
	fprintf(stderr, "%d checks, %d failed\n", harness_checks, harness_failures);
	return harness_failures ? 1 : 0;
}

/* A fresh temporary directory for one test; the caller removes it with
 * harness_remove_tree. Returns a static buffer per call site's copy. */
static inline char *harness_temp_dir(void)
{
	char *dir = strdup("/tmp/grounds-test-XXXXXX");
	if (!dir || !mkdtemp(dir)) {
		perror("mkdtemp");
		exit(2);
	}
	return dir;
}

static inline void harness_remove_tree(const char *dir)
{
	char command[512];
	if (!dir || strncmp(dir, "/tmp/grounds-test-", 18) != 0)
		return;
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Writes text to dir/name; a test that cannot set itself up stops (exit 2). */
static inline void harness_write_file(const char *dir, const char *name, const char *text)
{
	char path[600];
	FILE *file;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	file = fopen(path, "w");
	if (!file || fputs(text, file) < 0) {
		perror(path);
		exit(2);
	}
	fclose(file);
}

/* Makes dir a git repository with everything in it committed (exit 2 on failure). */
static inline void harness_git_commit(const char *dir)
{
	char command[1024];

	snprintf(command, sizeof command,
		 "cd '%s' && git init -q && git add -A && git -c user.name=t "
		 "-c user.email=t@example.org commit -qm demo",
		 dir);
	if (system(command) != 0)
		exit(2);
}

#endif
