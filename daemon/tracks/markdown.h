/*
 * markdown.h - the one wrapper around cmark: parse CommonMark, walk what the
 * track reader needs from a document (headings, paragraphs, links, images,
 * task-list items), and render it to HTML in cmark's safe mode (raw HTML and
 * unsafe link schemes such as javascript: never reach the output). Only
 * markdown.c includes cmark.h.
 */
#ifndef GR_MARKDOWN_H
#define GR_MARKDOWN_H

#include <stddef.h>

struct gr_markdown;

enum gr_markdown_kind {
	GR_MARKDOWN_HEADING,   /* level, text */
	GR_MARKDOWN_PARAGRAPH, /* a top-level paragraph: text */
	GR_MARKDOWN_LIST_LINK, /* a list item that starts with a link: url, text */
	GR_MARKDOWN_LINK,      /* any link: url, text */
	GR_MARKDOWN_IMAGE,     /* any image: url, text (the alt text) */
	GR_MARKDOWN_TASK,      /* a list item "[ ] text" or "[x] text": text, checked */
};

struct gr_markdown_item {
	enum gr_markdown_kind kind;
	int level;
	int checked;
	int line; /* 1-based, within the text given to gr_markdown_parse */
	const char *text;
	const char *url;
};

/* Called for each item in document order; a non-zero return stops the walk. */
typedef int gr_markdown_visit_fn(const struct gr_markdown_item *item, void *payload);

/*
 * Return a new URL (malloc'd; the renderer frees it) for a link or image, or
 * NULL to keep it as it is.
 */
typedef char *gr_markdown_rewrite_fn(const char *url, int is_image, int line, void *payload);

/* Parse text (need not be NUL-terminated). */
int gr_markdown_parse(struct gr_markdown **out, const char *text, size_t len);
void gr_markdown_free(struct gr_markdown *doc);

/*
 * Calls fn for each item. Returns 0 when the walk ended or fn stopped it
 * with a positive return, fn's return when that was negative (an error
 * code, passed up unchanged), or GR_ERROR when out of memory.
 */
int gr_markdown_visit(struct gr_markdown *doc, gr_markdown_visit_fn *fn, void *payload);

/*
 * Render safe HTML, first passing every link and image URL through rewrite
 * (may be NULL). The result is malloc'd and the caller's to free.
 */
char *gr_markdown_render(struct gr_markdown *doc, gr_markdown_rewrite_fn *rewrite, void *payload);

/*
 * Safe HTML of a NUL-terminated markdown text, its links left as written
 * (what learners and partners write: submissions, reviews, briefs).
 * malloc'd, or NULL (out of memory). Any thread.
 */
char *gr_markdown_html(const char *markdown);

#endif
