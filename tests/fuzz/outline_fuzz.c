/*
 * outline_fuzz.c - libFuzzer target for the track outline parser: each
 * input is a whole track.md given to gr_outline_parse(). Which files the
 * track has is decided by a hash of the path (one in eight is missing, and
 * so is every path holding "missing"), so broken links are reached too.
 * Checked beyond not crashing:
 *
 * - a track.md that reads has a title; its modules cover its steps in
 *   order with no gap or overlap, each with a title; every step is a file
 *   the track has, listed once, ending in .md, a path inside the track (no
 *   leading '/', no empty, "." or ".." segment), on a line of the text;
 * - one that does not read returns GR_EINVALID, adds a problem and leaves
 *   the outline empty;
 * - every problem names track.md and a line of the text (lines as
 *   CommonMark counts them, where a lone CR ends a line too).
 *
 * A broken promise abort()s, which libFuzzer (or the corpus replay under
 * CTest) reports. Built as a fuzzer with -DFUZZ=ON (clang), and always as a
 * replay of the corpus under CTest.
 */
#include "core/error.h"
#include "tracks/outline.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_NAME "track.md"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "outline_fuzz: " __VA_ARGS__);                                     \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

static int exists(const char *path, void *payload)
{
	uint32_t hash = 2166136261u;

	if (payload != (void *)exists)
		FAIL("exists called with the wrong payload");
	if (path[0] == '/' || strlen(path) >= PATH_MAX)
		FAIL("exists asked about '%s'", path);
	for (const char *p = path; *p; p++)
		hash = (hash ^ (unsigned char)*p) * 16777619u;
	return hash % 8 != 0 && !strstr(path, "missing");
}

/* "/" + path + "/" holds no "//", "/./" or "/../". */
static int inside_track(const char *path)
{
	char *wrapped;
	int inside;

	if (path[0] == '/' || asprintf(&wrapped, "/%s/", path) < 0)
		return 0;
	inside = !strstr(wrapped, "//") && !strstr(wrapped, "/./") && !strstr(wrapped, "/../");
	free(wrapped);
	return inside;
}

static void check_steps(const struct gr_outline *outline, int lines)
{
	for (int i = 0; i < outline->step_count; i++) {
		const struct gr_outline_step *step = &outline->steps[i];
		size_t len = strlen(step->path);

		if (!inside_track(step->path))
			FAIL("step %d at '%s' is not inside the track", i, step->path);
		if (len < 3 || strcasecmp(step->path + len - 3, ".md") != 0)
			FAIL("step %d at '%s' is not a .md file", i, step->path);
		if (!exists(step->path, (void *)exists))
			FAIL("step %d at '%s' is not a file of the track", i, step->path);
		if (step->line < 1 || step->line > lines)
			FAIL("step %d on line %d of %d", i, step->line, lines);
		if (step->module < 0 || step->module >= outline->module_count)
			FAIL("step %d in module %d of %d", i, step->module, outline->module_count);
		for (int j = 0; j < i; j++)
			if (strcmp(outline->steps[j].path, step->path) == 0)
				FAIL("'%s' listed as steps %d and %d", step->path, j, i);
		if (i > 0 && step->line < outline->steps[i - 1].line)
			FAIL("step %d on line %d, before step %d", i, step->line, i - 1);
	}
}

static void check_modules(const struct gr_outline *outline)
{
	int next = 0;

	for (int m = 0; m < outline->module_count; m++) {
		const struct gr_outline_module *module = &outline->modules[m];

		if (!module->title)
			FAIL("module %d has no title", m);
		if (module->first_step != next || module->step_count < 0)
			FAIL("module %d covers %d+%d, expected to start at %d", m,
			     module->first_step, module->step_count, next);
		for (int i = next; i < next + module->step_count; i++)
			if (i >= outline->step_count || outline->steps[i].module != m)
				FAIL("step %d is not in module %d", i, m);
		next += module->step_count;
	}
	if (next != outline->step_count)
		FAIL("modules cover %d of %d steps", next, outline->step_count);
}

static void check_problems(const struct gr_problems *problems, int lines)
{
	for (int i = 0; i < problems->count; i++) {
		const struct gr_problem *problem = &problems->items[i];

		if (!problem->file || strcmp(problem->file, FILE_NAME) != 0 || !problem->message ||
		    !problem->message[0])
			FAIL("problem %d without its file or message", i);
		if (problem->line < 1 || problem->line > lines)
			FAIL("problem on line %d of %d: %s", problem->line, lines,
			     problem->message);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct gr_outline empty;
	struct gr_problems problems = { 0 };
	struct gr_outline outline;
	int lines = 1, rc;

	/* Lines as CommonMark counts them: a lone CR ends one too. */
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' ||
			 (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	rc = gr_outline_parse(&outline, (const char *)data, size, FILE_NAME, exists,
			      (void *)exists, &problems);
	if (rc == 0) {
		if (!outline.title)
			FAIL("read without a title");
		check_modules(&outline);
		check_steps(&outline, lines);
	} else if (rc == GR_EINVALID) {
		if (problems.count == 0)
			FAIL("refused without a problem");
		if (memcmp(&outline, &empty, sizeof(outline)) != 0)
			FAIL("a refused outline is not empty");
	} else {
		FAIL("gr_outline_parse returned %d: %s", rc, gr_error_last());
	}
	check_problems(&problems, lines);
	gr_outline_clear(&outline);
	gr_manifest_problems_clear(&problems);
	return 0;
}
