/*
 * outline.c - reading track.md into a track's outline (see outline.h).
 *
 * The front matter goes to manifest.c; the markdown after it is walked once
 * (markdown.c), each item either naming the track, summing it up, starting
 * a module or listing a step. A step's link is resolved against track.md
 * (gr_outline_link_path, also used by track.c for the links inside steps)
 * and must name a file the track has, once. Reading the files themselves,
 * and what a step holds, is left to track.c. The format is in docs/tracks.md.
 */
#include "tracks/outline.h"

#include "core/error.h"
#include "tracks/markdown.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- links ------------------------------------------------------------ */

static int hex_value(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Percent-decode src into out; returns -1 for a bad escape or a NUL. */
static int url_decode(char *out, size_t size, const char *src, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			if (i + 2 >= len || !isxdigit((unsigned char)src[i + 1]) ||
			    !isxdigit((unsigned char)src[i + 2]))
				return -1;
			c = hex_value((unsigned char)src[i + 1]) * 16 +
			    hex_value((unsigned char)src[i + 2]);
			i += 2;
			if (c == 0)
				return -1;
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/*
 * Resolve relative (decoded) against the directory of base, both inside the
 * track. Returns -1 if the result would leave the track.
 */
static int resolve_path(char *out, size_t size, const char *base, const char *relative)
{
	char joined[PATH_MAX];
	const char *slash = strrchr(base, '/');
	char *segment, *save = NULL;
	size_t len = 0;

	if ((size_t)snprintf(joined, sizeof(joined), "%.*s%s%s", slash ? (int)(slash - base) : 0,
			     base, slash ? "/" : "", relative) >= sizeof(joined))
		return -1;
	out[0] = '\0';
	for (segment = strtok_r(joined, "/", &save); segment;
	     segment = strtok_r(NULL, "/", &save)) {
		if (strcmp(segment, ".") == 0)
			continue;
		if (strcmp(segment, "..") == 0) {
			char *last;

			if (len == 0)
				return -1;
			last = strrchr(out, '/');
			len = last ? (size_t)(last - out) : 0;
			out[len] = '\0';
			continue;
		}
		if (len + strlen(segment) + 2 > size)
			return -1;
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "/" : "", segment);
	}
	return len ? 0 : -1;
}

int gr_outline_has_scheme(const char *url)
{
	size_t len =
		strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	return len > 0 && url[len] == ':';
}

int gr_outline_link_path(char *out, size_t size, const char *from, const char *url)
{
	char decoded[PATH_MAX];

	if (url[0] == '/') {
		gr_error_set("link '%s' is an absolute path; use a path relative to this file",
			     url);
		return GR_EINVALID;
	}
	if (url_decode(decoded, sizeof(decoded), url, strcspn(url, "?#")) != 0 ||
	    resolve_path(out, size, from, decoded) != 0) {
		gr_error_set("link '%s' leads outside the track", url);
		return GR_EINVALID;
	}
	return 0;
}

/* ---- the walk --------------------------------------------------------- */

struct walk {
	struct gr_outline *outline;
	const char *file;
	gr_outline_exists_fn *exists;
	void *payload;
	struct gr_problems *problems;
	int line_offset;
	int module_capacity;
	int step_capacity;
	int rc;
};

/* A module whose title is NULL until the walk ends is the title's. */
static int add_module(struct walk *walk, const char *title)
{
	struct gr_outline *outline = walk->outline;
	struct gr_outline_module *module;

	if (outline->module_count == walk->module_capacity) {
		int capacity = walk->module_capacity ? walk->module_capacity * 2 : 8;
		struct gr_outline_module *grown =
			realloc(outline->modules, sizeof(*grown) * (size_t)capacity);

		if (!grown)
			return GR_ERROR;
		outline->modules = grown;
		walk->module_capacity = capacity;
	}
	module = &outline->modules[outline->module_count];
	module->first_step = outline->step_count;
	module->step_count = 0;
	module->title = NULL;
	if (title && !(module->title = strdup(title)))
		return GR_ERROR;
	outline->module_count++;
	return 0;
}

static int add_step(struct walk *walk, const char *path, int line)
{
	struct gr_outline *outline = walk->outline;
	struct gr_outline_step *step;

	if (outline->module_count == 0 && add_module(walk, NULL))
		return GR_ERROR;
	if (outline->step_count == walk->step_capacity) {
		int capacity = walk->step_capacity ? walk->step_capacity * 2 : 16;
		struct gr_outline_step *grown =
			realloc(outline->steps, sizeof(*grown) * (size_t)capacity);

		if (!grown)
			return GR_ERROR;
		outline->steps = grown;
		walk->step_capacity = capacity;
	}
	step = &outline->steps[outline->step_count];
	step->module = outline->module_count - 1;
	step->line = line;
	if (!(step->path = strdup(path)))
		return GR_ERROR;
	outline->step_count++;
	outline->modules[outline->module_count - 1].step_count++;
	return 0;
}

static int ends_with_md(const char *path, size_t len)
{
	return len >= 3 && strncasecmp(path + len - 3, ".md", 3) == 0;
}

static int listed_before(const struct gr_outline *outline, const char *path)
{
	for (int i = 0; i < outline->step_count; i++)
		if (strcmp(outline->steps[i].path, path) == 0)
			return 1;
	return 0;
}

/* A list item that starts with a link: a step when it names a .md file. */
static int step_link(struct walk *walk, const char *url, int line)
{
	char path[PATH_MAX];

	if (gr_outline_has_scheme(url) || !ends_with_md(url, strcspn(url, "?#")))
		return 0;
	if (gr_outline_link_path(path, sizeof(path), "track.md", url) != 0)
		gr_manifest_problems_add(walk->problems, walk->file, line, "%s", gr_error_last());
	else if (!walk->exists(path, walk->payload))
		gr_manifest_problems_add(walk->problems, walk->file, line,
					 "broken step link: '%s' is not in the track", url);
	else if (listed_before(walk->outline, path))
		gr_manifest_problems_add(walk->problems, walk->file, line, "'%s' is listed twice",
					 url);
	else
		return add_step(walk, path, line);
	return 0;
}

static int outline_item(const struct gr_markdown_item *item, void *payload)
{
	struct walk *walk = payload;
	struct gr_outline *outline = walk->outline;

	if (item->kind == GR_MARKDOWN_HEADING && item->level == 1 && !outline->title) {
		if (!(outline->title = strdup(item->text)))
			walk->rc = GR_ERROR;
	} else if (item->kind == GR_MARKDOWN_PARAGRAPH && outline->title && !outline->summary &&
		   outline->module_count == 0) {
		if (!(outline->summary = strdup(item->text)))
			walk->rc = GR_ERROR;
	} else if (item->kind == GR_MARKDOWN_HEADING && item->level == 2) {
		walk->rc = add_module(walk, item->text);
	} else if (item->kind == GR_MARKDOWN_LIST_LINK) {
		walk->rc = step_link(walk, item->url, item->line + walk->line_offset);
	}
	return walk->rc;
}

/* ---- reading track.md ------------------------------------------------- */

/* The front matter into out->meta; GR_EINVALID when it is broken. */
static int read_front_matter(struct gr_outline *out, const char *text, size_t len,
			     const char *file, struct gr_problems *problems, size_t *out_body_start,
			     int *out_body_line)
{
	size_t yaml_start, yaml_len;

	if (gr_manifest_front_matter_split(text, len, &yaml_start, &yaml_len, out_body_start,
					   out_body_line, file, problems) != 0)
		return GR_EINVALID;
	if (gr_manifest_track_parse(&out->meta, text + yaml_start, yaml_len, 2, file, problems))
		return GR_EINVALID;
	return 0;
}

static int read_body(struct walk *walk, const char *text, size_t len, int body_line)
{
	struct gr_outline *outline = walk->outline;
	struct gr_markdown *doc = NULL;
	int rc;

	walk->line_offset = body_line - 1;
	rc = gr_markdown_parse(&doc, text, len);
	if (rc == 0)
		rc = gr_markdown_visit(doc, outline_item, walk);
	gr_markdown_free(doc);
	if (rc || walk->rc)
		return GR_ERROR;
	if (!outline->title) {
		/* Front matter that ends the file leaves no body line: name its last. */
		gr_manifest_problems_add(walk->problems, walk->file,
					 len == 0 && body_line > 1 ? body_line - 1 : body_line,
					 "track.md has no '# Title' heading");
		return GR_EINVALID;
	}
	if (outline->module_count > 0 && !outline->modules[0].title &&
	    !(outline->modules[0].title = strdup(outline->title)))
		return GR_ERROR;
	return 0;
}

int gr_outline_parse(struct gr_outline *out, const char *text, size_t len, const char *file,
		     gr_outline_exists_fn *exists, void *payload, struct gr_problems *problems)
{
	struct walk walk = { out, file, exists, payload, problems, 0, 0, 0, 0 };
	int before = problems->count, body_line, rc;
	size_t body_start;

	memset(out, 0, sizeof(*out));
	rc = read_front_matter(out, text, len, file, problems, &body_start, &body_line);
	if (rc == 0)
		rc = read_body(&walk, text + body_start, len - body_start, body_line);
	if (rc == GR_EINVALID)
		gr_error_set("%s", before < problems->count ? problems->items[before].message
							    : "track.md cannot be read");
	else if (rc)
		gr_error_set("out of memory");
	if (rc)
		gr_outline_clear(out);
	return rc;
}

void gr_outline_clear(struct gr_outline *outline)
{
	gr_manifest_track_clear(&outline->meta);
	free(outline->title);
	free(outline->summary);
	for (int i = 0; i < outline->module_count; i++)
		free(outline->modules[i].title);
	free(outline->modules);
	for (int i = 0; i < outline->step_count; i++)
		free(outline->steps[i].path);
	free(outline->steps);
	memset(outline, 0, sizeof(*outline));
}
