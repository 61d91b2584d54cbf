/*
 * outline.h - reading a track's outline from track.md: its front matter
 * (with manifest.c), the first `# Title`, the summary paragraph after it,
 * `##` modules, and the list items that start with a link to a .md file as
 * the steps, in order. Also where a relative link in a track's file leads,
 * which the track reader uses again for the links inside steps. A pure
 * function of its text: which files the track has is asked through a
 * callback, so no git type appears here. Design: "Tracks" in DESIGN.md; the
 * authors' guide to track.md is docs/tracks.md.
 */
#ifndef GR_OUTLINE_H
#define GR_OUTLINE_H

#include "tracks/manifest.h"

#include <stddef.h>

struct gr_outline_module {
	char *title;
	int first_step; /* index into the outline's steps */
	int step_count;
};

struct gr_outline_step {
	char *path; /* inside the track, resolved against track.md; a file the track has */
	int module; /* index into the outline's modules */
	int line;   /* of its list item in track.md */
};

/*
 * A track.md read. Steps listed before the first `##` go into a first
 * module named after the title; modules cover the steps in order, with no
 * gap, and may be empty.
 */
struct gr_outline {
	struct gr_track_meta meta;
	char *title;
	char *summary; /* NULL when there is none */
	struct gr_outline_module *modules;
	int module_count;
	struct gr_outline_step *steps;
	int step_count;
};

/* Whether the track has a file at path (inside the track, no leading '/'). */
typedef int gr_outline_exists_fn(const char *path, void *payload);

/*
 * Read track.md's text (len bytes, need not be NUL-terminated). Every
 * problem goes to problems as "file:line: message": a step link that leaves
 * the track, is absolute, names no file of the track or names one listed
 * before is skipped with a problem. GR_EINVALID (with the first new problem
 * as the error message) when track.md cannot make a track: its front matter
 * is broken, or it has no `# Title`; GR_ERROR when out of memory. On any
 * failure out is left empty. problems must not be NULL. The caller frees a
 * read outline with gr_outline_clear().
 */
int gr_outline_parse(struct gr_outline *out, const char *text, size_t len, const char *file,
		     gr_outline_exists_fn *exists, void *payload, struct gr_problems *problems);

/* Frees what an outline holds and empties it. Accepts an empty outline. */
void gr_outline_clear(struct gr_outline *outline);

/* A URL with a scheme ("https:", "mailto:"), which never leads into the track. */
int gr_outline_has_scheme(const char *url);

/*
 * Where a relative link in the track's file from leads: url without its
 * query and fragment, percent-decoded and resolved against from's folder,
 * into out (size bytes). GR_EINVALID, with a message for the author that
 * names the link, when it is an absolute path, leaves the track, holds a bad
 * escape or %00, or does not fit.
 */
int gr_outline_link_path(char *out, size_t size, const char *from, const char *url);

#endif
