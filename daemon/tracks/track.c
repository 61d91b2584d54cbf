/*
 * track.c - loading a track from git into its served form (see track.h).
 *
 * Steps, in order: resolve the ref to a commit; walk the commit's tree
 * (symlinks and submodules are reported, never followed); read track.md's
 * outline (outline.c), or without one take every .md file in path order,
 * README.md first; read each step's front matter, find its title and review
 * checklist, and render it, rewriting relative links (to steps: step URLs;
 * to other files: blob URLs pinned to the commit; anything leaving the
 * track: refused); finally check ids and requires (duplicates, dangling ids,
 * cycles).
 *
 * A step that cannot be read becomes an error step with an explanation
 * instead of content; only a track that cannot be read at all fails to load.
 */
#include "tracks/track.h"

#include "core/account.h"
#include "core/error.h"
#include "tracks/markdown.h"
#include "tracks/outline.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct loader {
	const struct gr_track_source *source;
	struct gr_git *git;
	struct gr_track *track;
	struct gr_problems *problems;
	int *file_step; /* per file: the index of its step, or -1 */
	int step_capacity;
	size_t max_blob;
	char prefix[PATH_MAX]; /* "subdir/" for naming files in problems */
	char file_name[PATH_MAX];
};

/* "subdir/path" as authors see it in their repository. */
static const char *file_name(struct loader *loader, const char *path)
{
	if ((size_t)snprintf(loader->file_name, sizeof(loader->file_name), "%s%s", loader->prefix,
			     path) >= sizeof(loader->file_name))
		return path; /* a name that long cannot come from git */
	return loader->file_name;
}

static int compare_files(const void *a, const void *b)
{
	return strcmp(((const struct gr_track_file *)a)->path, ((const struct gr_track_file *)b)->path);
}

static int file_index(const struct gr_track *track, const char *path)
{
	struct gr_track_file key = { .path = (char *)path };
	const struct gr_track_file *found =
		bsearch(&key, track->files, (size_t)track->file_count, sizeof(key), compare_files);

	return found ? (int)(found - track->files) : -1;
}

const struct gr_track_file *gr_track_file(const struct gr_track *track, const char *path)
{
	int index = file_index(track, path);

	return index < 0 ? NULL : &track->files[index];
}

const struct gr_step *gr_track_step(const struct gr_track *track, const char *id)
{
	for (int i = 0; i < track->step_count; i++)
		if (strcmp(track->steps[i].id, id) == 0)
			return &track->steps[i];
	return NULL;
}

int gr_track_step_index(const struct gr_track *track, const struct gr_step *step)
{
	return step ? (int)(step - track->steps) : -1;
}

struct gr_track *gr_track_retain(struct gr_track *track)
{
	track->references++;
	return track;
}

static void step_clear(struct gr_step *step)
{
	free(step->id);
	free(step->title);
	free(step->path);
	free(step->html);
	free(step->error);
	free(step->page);
	gr_manifest_strings_clear(&step->requires);
	gr_manifest_strings_clear(&step->rubric);
}

void gr_track_release(struct gr_track *track)
{
	if (!track || --track->references > 0)
		return;
	for (int i = 0; i < track->step_count; i++)
		step_clear(&track->steps[i]);
	for (int i = 0; i < track->module_count; i++)
		free(track->modules[i].title);
	for (int i = 0; i < track->file_count; i++)
		free(track->files[i].path);
	free(track->steps);
	free(track->modules);
	free(track->files);
	free(track->id);
	free(track->title);
	free(track->summary);
	free(track->language);
	gr_manifest_strings_clear(&track->requires);
	free(track);
}

/* ---- files ------------------------------------------------------------ */

static int collect_file(const struct gr_git_entry *entry, void *payload)
{
	struct loader *loader = payload;
	struct gr_track *track = loader->track;
	struct gr_track_file *grown;

	if (entry->kind != GR_GIT_FILE) {
		gr_manifest_problems_add(loader->problems, file_name(loader, entry->path), 1,
				entry->kind == GR_GIT_SYMLINK ? "symbolic links are not followed"
							      : "submodules are not followed");
		return 0;
	}
	grown = realloc(track->files, sizeof(*grown) * (size_t)(track->file_count + 1));
	if (!grown)
		goto oom;
	track->files = grown;
	grown = &track->files[track->file_count];
	if (!(grown->path = strdup(entry->path)))
		goto oom;
	memcpy(grown->blob, entry->id, sizeof(grown->blob));
	grown->size = entry->size;
	track->file_count++;
	return 0;
oom:
	gr_error_set("out of memory");
	return GR_ERROR;
}

/* Read a file of the track as text; NULL with a problem if it cannot be. */
static char *read_text(struct loader *loader, const struct gr_track_file *file, size_t *out_len,
		       char **out_error)
{
	char message[256];
	char *text = NULL;
	int rc = gr_git_read_blob(loader->git, &text, out_len, file->blob, loader->max_blob);

	if (rc == 0 && (memchr(text, '\0', *out_len) || gr_account_utf8_length(text) < 0)) {
		snprintf(message, sizeof(message), "is not valid UTF-8 text");
		free(text);
		text = NULL;
	} else if (rc) {
		snprintf(message, sizeof(message), "%s", gr_error_last());
	} else {
		return text;
	}
	gr_manifest_problems_add(loader->problems, file_name(loader, file->path), 1, "%s", message);
	if (out_error)
		*out_error = strdup(message);
	return NULL;
}

/* ---- paths and links -------------------------------------------------- */

static int ends_with(const char *text, const char *end)
{
	size_t len = strlen(text), end_len = strlen(end);

	return len >= end_len && strcasecmp(text + len - end_len, end) == 0;
}

/* Where a relative link inside the track leads. */
struct target {
	char path[PATH_MAX];
	const char *fragment; /* "#..." or "" */
};

/* Returns 0 and fills target, or -1 after recording why the link is bad. */
static int link_target(struct loader *loader, struct target *out, const char *from,
		       const char *url, int line)
{
	size_t len = strcspn(url, "?#");

	out->fragment = strchr(url + len, '#') ? strchr(url + len, '#') : "";
	if (gr_outline_link_path(out->path, sizeof(out->path), from, url) != 0) {
		gr_manifest_problems_add(loader->problems, file_name(loader, from), line, "%s",
					 gr_error_last());
		return -1;
	}
	return 0;
}

struct render_context {
	struct loader *loader;
	const struct gr_step *step;
	int line_offset;
};

static char *rewrite_link(const char *url, int is_image, int line, void *payload)
{
	struct render_context *context = payload;
	struct loader *loader = context->loader;
	struct gr_track *track = loader->track;
	const char *from = context->step->path;
	struct target target;
	char *result = NULL;
	int index;

	line += context->line_offset;
	if (!url[0] || url[0] == '#' || gr_outline_has_scheme(url))
		return NULL;
	if (link_target(loader, &target, from, url, line) != 0)
		return strdup("#");
	index = file_index(track, target.path);
	if (index >= 0 && !is_image && loader->file_step[index] >= 0) {
		const struct gr_step *to = &track->steps[loader->file_step[index]];

		if (asprintf(&result, "/tracks/%s/steps/%s%s", track->id, to->id, target.fragment) < 0)
			result = NULL;
		return result;
	}
	if (index < 0 || (!is_image && ends_with(target.path, ".md"))) {
		gr_manifest_problems_add(loader->problems, file_name(loader, from), line,
				index < 0 ? "broken %s: '%s' is not in the track"
					  : "broken %s: '%s' is not a step of the track",
				is_image ? "image link" : "link", url);
		return strdup("#");
	}
	if (asprintf(&result, "/t/%s/%s/%s", track->id, track->commit, target.path) < 0)
		result = NULL;
	return result;
}

/* ---- the manifest ----------------------------------------------------- */

static int add_module(struct gr_track *track, const char *title)
{
	struct gr_module *grown =
		realloc(track->modules, sizeof(*grown) * (size_t)(track->module_count + 1));

	if (!grown)
		goto oom;
	track->modules = grown;
	memset(&grown[track->module_count], 0, sizeof(*grown));
	grown[track->module_count].first_step = track->step_count;
	if (!(grown[track->module_count].title = strdup(title)))
		goto oom;
	track->module_count++;
	return 0;
oom:
	gr_error_set("out of memory");
	return GR_ERROR;
}

/* Add the step stored at file index to the last module; its details are read later. */
static int add_step(struct loader *loader, int index)
{
	struct gr_track *track = loader->track;
	struct gr_step *step;

	if (track->step_count == loader->step_capacity) {
		int capacity = loader->step_capacity ? loader->step_capacity * 2 : 16;
		struct gr_step *grown = realloc(track->steps, sizeof(*grown) * (size_t)capacity);

		if (!grown)
			goto oom;
		track->steps = grown;
		loader->step_capacity = capacity;
	}
	step = &track->steps[track->step_count];
	memset(step, 0, sizeof(*step));
	step->module = track->module_count - 1;
	step->estimate = -1;
	if (!(step->path = strdup(track->files[index].path)))
		goto oom;
	memcpy(step->blob, track->files[index].blob, sizeof(step->blob));
	loader->file_step[index] = track->step_count++;
	track->modules[track->module_count - 1].step_count++;
	return 0;
oom:
	gr_error_set("out of memory");
	return GR_ERROR;
}

static int file_exists(const char *path, void *payload)
{
	return file_index(payload, path) >= 0;
}

/* The outline's modules and steps, in order, into the track. */
static int take_outline(struct loader *loader, struct gr_outline *outline)
{
	struct gr_track *track = loader->track;

	track->title = outline->title;
	track->summary = outline->summary;
	track->language = outline->meta.language;
	track->requires = outline->meta.requires;
	outline->title = outline->summary = outline->meta.language = NULL;
	memset(&outline->meta.requires, 0, sizeof(outline->meta.requires));
	for (int m = 0; m < outline->module_count; m++) {
		const struct gr_outline_module *module = &outline->modules[m];

		if (add_module(track, module->title))
			return GR_ERROR;
		for (int i = module->first_step; i < module->first_step + module->step_count; i++)
			if (add_step(loader, file_index(track, outline->steps[i].path)))
				return GR_ERROR;
	}
	return 0;
}

static int read_manifest(struct loader *loader, int index)
{
	struct gr_track *track = loader->track;
	struct gr_outline outline;
	size_t len;
	int before = loader->problems->count, rc;
	char *text = read_text(loader, &track->files[index], &len, NULL);

	if (!text) {
		gr_error_set("%s", before < loader->problems->count
					   ? loader->problems->items[before].message
					   : "track.md cannot be read");
		return GR_EINVALID;
	}
	rc = gr_outline_parse(&outline, text, len, file_name(loader, "track.md"), file_exists, track,
			      loader->problems);
	free(text);
	if (rc == 0)
		rc = take_outline(loader, &outline);
	gr_outline_clear(&outline);
	return rc;
}

/* Without track.md: every .md file in path order, README.md first. */
static int implicit_manifest(struct loader *loader)
{
	struct gr_track *track = loader->track;
	int readme = file_index(track, "README.md");
	int rc;

	if (add_module(track, track->id))
		return GR_ERROR;
	if (readme >= 0 && add_step(loader, readme))
		return GR_ERROR;
	for (int i = 0; i < track->file_count; i++)
		if (i != readme && ends_with(track->files[i].path, ".md") &&
		    (rc = add_step(loader, i)) != 0)
			return rc;
	return 0;
}

/* ---- steps ------------------------------------------------------------ */

struct step_walk {
	char *first_heading;
	int in_checklist;
	struct gr_strings *rubric;
	int rc;
};

static int step_item(const struct gr_markdown_item *item, void *payload)
{
	struct step_walk *walk = payload;

	if (item->kind == GR_MARKDOWN_HEADING) {
		if (!walk->first_heading && !(walk->first_heading = strdup(item->text))) {
			gr_error_set("out of memory");
			return walk->rc = GR_ERROR;
		}
		if (item->level <= 2)
			walk->in_checklist = item->level == 2 &&
					     strcasecmp(item->text, "Review checklist") == 0;
	} else if (item->kind == GR_MARKDOWN_TASK && walk->in_checklist) {
		walk->rc = gr_manifest_strings_add(walk->rubric, item->text);
	}
	return walk->rc;
}

static char *html_escape(const char *text)
{
	size_t len = 0;
	char *out, *p;

	for (const char *c = text; *c; c++)
		len += *c == '<' || *c == '>' ? 4 : *c == '&' ? 5 : *c == '"' ? 6 : 1;
	if (!(p = out = malloc(len + 1)))
		return NULL;
	for (const char *c = text; *c; c++) {
		const char *entity = *c == '<' ? "&lt;" : *c == '>' ? "&gt;" : *c == '&' ? "&amp;"
								     : *c == '"' ? "&quot;" : NULL;

		if (entity) {
			p = stpcpy(p, entity);
		} else {
			*p++ = *c;
		}
	}
	*p = '\0';
	return out;
}

/* Turn a step into an error step that says why it cannot be shown. */
static int fail_step(struct gr_step *step, char *error)
{
	char *escaped = error ? html_escape(error) : NULL;

	step->error = error;
	free(step->html);
	step->html = NULL;
	if (escaped && asprintf(&step->html, "<p class=\"step-error\">This step cannot be shown: %s.</p>",
				escaped) < 0)
		step->html = NULL;
	free(escaped);
	if (!step->error || !step->html) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return 0;
}

/* Default id: the path without ".md". */
static char *default_id(const char *path)
{
	size_t len = strlen(path);

	return strndup(path, ends_with(path, ".md") ? len - 3 : len);
}

/* Fill in what front matter left out. */
static int apply_meta(struct gr_step *step, struct gr_step_meta *meta, char *first_heading)
{
	const char *base = strrchr(step->path, '/');

	step->id = meta->id ? meta->id : default_id(step->path);
	step->title = meta->title ? meta->title : first_heading ? first_heading
								: default_id(base ? base + 1 : step->path);
	if (step->title != first_heading)
		free(first_heading);
	step->kind = meta->kind >= 0 ? (enum gr_step_kind)meta->kind : GR_STEP_LESSON;
	step->reviews = meta->reviews >= 0 ? meta->reviews
			: step->kind == GR_STEP_PROJECT ? 2
			: step->kind == GR_STEP_REFLECTION ? 1
			: 0;
	step->estimate = meta->estimate;
	step->requires = meta->requires;
	meta->id = meta->title = NULL;
	meta->requires.items = NULL;
	meta->requires.count = 0;
	if (!step->id || !step->title) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return 0;
}

/*
 * First pass over a step: read it, take its front matter, title and review
 * checklist. Its parsed markdown is kept in *out_doc for rendering, which
 * waits until every step's id is known.
 */
static int read_step(struct loader *loader, struct gr_step *step, struct gr_markdown **out_doc,
		     int *out_line_offset)
{
	struct gr_track_file *file = &loader->track->files[file_index(loader->track, step->path)];
	struct step_walk walk = { .rubric = &step->rubric };
	struct gr_step_meta meta;
	size_t len, yaml_start, yaml_len, body_start;
	char *error = NULL;
	char *text = read_text(loader, file, &len, &error);
	int body_line = 1;
	int rc = GR_ERROR;

	*out_doc = NULL;
	gr_manifest_step_parse(&meta, "", 0, 1, NULL, NULL);
	if (!text) {
		if ((rc = apply_meta(step, &meta, NULL)) == 0)
			rc = fail_step(step, error);
		goto out;
	}
	if (gr_manifest_front_matter_split(text, len, &yaml_start, &yaml_len, &body_start, &body_line,
				  file_name(loader, step->path), loader->problems) == 0)
		gr_manifest_step_parse(&meta, text + yaml_start, yaml_len, 2,
				   file_name(loader, step->path), loader->problems);
	*out_line_offset = body_line - 1;
	if ((rc = gr_markdown_parse(out_doc, text + body_start, len - body_start)) != 0 ||
	    (rc = gr_markdown_visit(*out_doc, step_item, &walk)) != 0 || (rc = walk.rc) != 0)
		goto out;
	rc = apply_meta(step, &meta, walk.first_heading);
	walk.first_heading = NULL;
out:
	free(walk.first_heading);
	gr_manifest_step_clear(&meta);
	free(text);
	return rc;
}

static int render_step(struct loader *loader, struct gr_step *step, struct gr_markdown *doc,
		       int line_offset)
{
	struct render_context context = { loader, step, line_offset };

	if (!doc)
		return 0; /* an error step */
	if (!(step->html = gr_markdown_render(doc, rewrite_link, &context))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	return 0;
}

static int read_steps(struct loader *loader)
{
	struct gr_track *track = loader->track;
	struct gr_markdown **docs = calloc((size_t)track->step_count + 1, sizeof(*docs));
	int *offsets = calloc((size_t)track->step_count + 1, sizeof(*offsets));
	int rc = 0;

	if (!docs || !offsets) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
	}

	for (int i = 0; rc == 0 && i < track->step_count; i++)
		rc = read_step(loader, &track->steps[i], &docs[i], &offsets[i]);
	for (int i = 0; rc == 0 && i < track->step_count; i++)
		rc = render_step(loader, &track->steps[i], docs[i], offsets[i]);
	for (int i = 0; docs && i < track->step_count; i++)
		gr_markdown_free(docs[i]);
	free(docs);
	free(offsets);
	return rc;
}

/* ---- checks across steps ---------------------------------------------- */

static void check_ids(struct loader *loader)
{
	struct gr_track *track = loader->track;

	for (int i = 0; i < track->step_count; i++) {
		const struct gr_step *step = &track->steps[i];
		const struct gr_step *first = gr_track_step(track, step->id);

		if (first != step)
			gr_manifest_problems_add(loader->problems, file_name(loader, step->path), 1,
					"duplicate step id '%s' (also %s)", step->id, first->path);
		for (int r = 0; r < step->requires.count; r++)
			if (!gr_track_step(track, step->requires.items[r]))
				gr_manifest_problems_add(loader->problems, file_name(loader, step->path), 1,
						"requires '%s', which is not a step of this track",
						step->requires.items[r]);
	}
}

enum { UNSEEN, ACTIVE, DONE };

/* Depth-first search for a requires cycle through step index i. */
static int find_cycle(struct loader *loader, int i, char *state)
{
	struct gr_track *track = loader->track;
	const struct gr_step *step = &track->steps[i];

	state[i] = ACTIVE;
	for (int r = 0; r < step->requires.count; r++) {
		int next = gr_track_step_index(track, gr_track_step(track, step->requires.items[r]));

		if (next < 0 || state[next] == DONE)
			continue;
		if (state[next] == ACTIVE) {
			gr_manifest_problems_add(loader->problems, file_name(loader, step->path), 1,
					"requires form a cycle: '%s' requires '%s', which leads back to it",
					step->id, track->steps[next].id);
			continue;
		}
		find_cycle(loader, next, state);
	}
	state[i] = DONE;
	return 0;
}

static int check_cycles(struct loader *loader)
{
	char *state = calloc((size_t)loader->track->step_count + 1, 1);

	if (!state) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	for (int i = 0; i < loader->track->step_count; i++)
		if (state[i] == UNSEEN)
			find_cycle(loader, i, state);
	free(state);
	return 0;
}

/* ---- loading ---------------------------------------------------------- */

static int load(struct loader *loader)
{
	const struct gr_track_source *source = loader->source;
	struct gr_track *track = loader->track;
	int manifest, rc;

	if ((rc = gr_git_open(&loader->git, source->repo)) != 0)
		return rc;
	if (source->commit)
		snprintf(track->commit, sizeof(track->commit), "%s", source->commit);
	else if ((rc = gr_git_resolve(loader->git, track->commit, source->ref)) != 0)
		return rc;
	if ((rc = gr_git_walk(loader->git, track->commit, source->subdir, collect_file, loader)) != 0)
		return rc;
	qsort(track->files, (size_t)track->file_count, sizeof(*track->files), compare_files);
	if (!(loader->file_step = malloc(sizeof(int) * ((size_t)track->file_count + 1)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	for (int i = 0; i < track->file_count; i++)
		loader->file_step[i] = -1;
	manifest = file_index(track, "track.md");
	rc = manifest >= 0 ? read_manifest(loader, manifest) : implicit_manifest(loader);
	if (rc)
		return rc;
	if (track->step_count == 0) {
		gr_manifest_problems_add(loader->problems, file_name(loader, manifest >= 0 ? "track.md" : ""), 1,
				"the track has no steps");
		gr_error_set("the track has no steps");
		return GR_EINVALID;
	}
	if ((rc = read_steps(loader)) != 0)
		return rc;
	if (!track->title)
		track->title = strdup(track->steps[0].title);
	check_ids(loader);
	return check_cycles(loader);
}

int gr_track_load(struct gr_track **out, const struct gr_track_source *source,
		  struct gr_problems *problems)
{
	struct gr_problems own = { 0 };
	struct loader loader = { 0 };
	int rc;

	*out = NULL;
	loader.source = source;
	loader.problems = problems ? problems : &own;
	loader.max_blob = source->max_blob ? source->max_blob : GR_TRACK_DEFAULT_MAX_BLOB;
	if (source->subdir && source->subdir[0])
		snprintf(loader.prefix, sizeof(loader.prefix), "%s/", source->subdir);
	loader.track = calloc(1, sizeof(*loader.track));
	if (!loader.track || !(loader.track->id = strdup(source->id))) {
		free(loader.track);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	loader.track->references = 1;
	rc = load(&loader);
	if (rc == GR_ERROR && !gr_error_last()[0])
		gr_error_set("out of memory");
	if (rc == 0)
		*out = loader.track;
	else
		gr_track_release(loader.track);
	gr_git_free(loader.git);
	free(loader.file_step);
	gr_manifest_problems_clear(&own);
	return rc;
}
