/*
 * track.h - one learning track as served: its title, modules and steps with
 * their rendered HTML and review checklists, pinned to one commit of its git
 * repository. Loading reads the repository (git.c), track.md's outline
 * (outline.c), the front matter (manifest.c) and the markdown (markdown.c),
 * and collects every problem with file and line. A loaded track is immutable
 * and reference counted, so the loop can keep serving one while a worker
 * loads its successor.
 * Design: "Tracks" in DESIGN.md; format: docs/tracks.md.
 */
#ifndef GR_TRACK_H
#define GR_TRACK_H

#include "tracks/git.h"
#include "tracks/manifest.h"

#include <stddef.h>

#define GR_TRACK_DEFAULT_MAX_BLOB (10 * 1024 * 1024)

struct gr_step {
	char *id;
	char *title;
	char *path; /* within the track */
	enum gr_step_kind kind;
	int reviews;
	int estimate; /* minutes, or -1 */
	struct gr_strings requires;
	struct gr_strings rubric; /* the review checklist */
	char *html;               /* safe HTML; for a broken step, an explanation */
	char *error;              /* NULL, or why the step could not be read */
	int module;
	char blob[GR_GIT_ID_SIZE];
	char *page; /* the step page's JSON, made on first request (loop thread) */
	size_t page_len;
};

struct gr_module {
	char *title;
	int first_step;
	int step_count;
};

/* Every file of the track, for serving images and downloads; sorted by path. */
struct gr_track_file {
	char *path;
	char blob[GR_GIT_ID_SIZE];
	size_t size;
};

struct gr_track {
	int references;
	char *id; /* as registered */
	char *title;
	char *summary;
	char *language;
	struct gr_strings requires;
	char commit[GR_GIT_ID_SIZE];
	struct gr_module *modules;
	int module_count;
	struct gr_step *steps;
	int step_count;
	struct gr_track_file *files;
	int file_count;
};

/* Where a track comes from. */
struct gr_track_source {
	const char *id;
	const char *repo;   /* path of the repository */
	const char *ref;    /* NULL or "": HEAD */
	const char *subdir; /* NULL or "": the root */
	const char *commit; /* NULL: resolve ref; else load exactly this commit */
	size_t max_blob;    /* 0: GR_TRACK_DEFAULT_MAX_BLOB */
};

/*
 * Load a track. Problems that leave the track usable (a broken link, an error
 * step) are added to problems and the track is returned; problems that make
 * it unusable (no repository, no such ref or directory, an unreadable
 * track.md, no steps) return an error. problems may be NULL.
 */
int gr_track_load(struct gr_track **out, const struct gr_track_source *source,
		  struct gr_problems *problems);

struct gr_track *gr_track_retain(struct gr_track *track);
/* Drops a reference; frees the track with the last one. Accepts NULL. */
void gr_track_release(struct gr_track *track);

/* Borrowed lookups; NULL when absent. */
const struct gr_step *gr_track_step(const struct gr_track *track, const char *id);
const struct gr_track_file *gr_track_file(const struct gr_track *track, const char *path);

/* The index of a step in track->steps, or -1. */
int gr_track_step_index(const struct gr_track *track, const struct gr_step *step);

#endif
