/*
 * manifest.h - reading what authors write at the top of track files: YAML
 * front matter (with libyaml; only manifest.c includes yaml.h) for steps and
 * for the track manifest, step estimates, and the list of problems found,
 * each with a file and line. Pure functions of their text: no git, no disk.
 * Design: "Tracks" in DESIGN.md; the authors' guide is docs/tracks.md.
 */
#ifndef GR_MANIFEST_H
#define GR_MANIFEST_H

#include <stddef.h>

/* Problems found while reading a track, reported as "file:line: message". */
struct gr_problem {
	char *file;
	int line;
	char *message;
};

struct gr_problems {
	struct gr_problem *items;
	int count;
	int capacity;
};

void gr_manifest_problems_add(struct gr_problems *problems, const char *file, int line, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
void gr_manifest_problems_clear(struct gr_problems *problems);

enum gr_step_kind {
	GR_STEP_LESSON,
	GR_STEP_EXERCISE,
	GR_STEP_PROJECT,
	GR_STEP_REFLECTION, /* writing about a soft skill in practice, reviewed supportively */
};

const char *gr_manifest_step_kind_name(enum gr_step_kind kind);

/* A list of strings, each malloc'd. */
struct gr_strings {
	char **items;
	int count;
};

void gr_manifest_strings_clear(struct gr_strings *strings);
int gr_manifest_strings_add(struct gr_strings *strings, const char *text);

/* A step's front matter; fields not given are NULL or -1. */
struct gr_step_meta {
	char *id;
	char *title;
	int kind;        /* enum gr_step_kind, or -1 */
	int reviews;     /* or -1 */
	int estimate;    /* minutes, or -1 */
	struct gr_strings requires;
};

/* The manifest's front matter. */
struct gr_track_meta {
	char *id;
	char *language;
	struct gr_strings requires;
};

void gr_manifest_step_clear(struct gr_step_meta *meta);
void gr_manifest_track_clear(struct gr_track_meta *meta);

/*
 * Find front matter: text that starts with a line "---" and runs to a line
 * "---" or "...". Sets the YAML's span and where the markdown body starts
 * (offset and the 1-based line of its first line). Without front matter the
 * YAML span is empty and the body is the whole text. GR_EINVALID (with a
 * problem recorded) if the front matter never ends.
 */
int gr_manifest_front_matter_split(const char *text, size_t len, size_t *out_yaml_start,
			  size_t *out_yaml_len, size_t *out_body_start, int *out_body_line,
			  const char *file, struct gr_problems *problems);

/*
 * Parse a step's or the manifest's front matter. Every problem goes to
 * problems with its line (line numbers count from first_line, the line the
 * YAML starts on). Returns 0, or GR_EINVALID if anything was wrong; what could
 * be read is still set.
 */
int gr_manifest_step_parse(struct gr_step_meta *out, const char *yaml, size_t len, int first_line,
		       const char *file, struct gr_problems *problems);
int gr_manifest_track_parse(struct gr_track_meta *out, const char *yaml, size_t len, int first_line,
			const char *file, struct gr_problems *problems);

/* "45m", "2h", "1h30m" or a number of minutes -> minutes; -1 if not valid. */
int gr_manifest_estimate_parse(const char *text);

/* Ids of steps and tracks: 1-128 characters of a-z A-Z 0-9 _ - . / (no "..", no leading /). */
int gr_manifest_valid_id(const char *id);

#endif
