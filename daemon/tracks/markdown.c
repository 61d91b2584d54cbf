/*
 * markdown.c - the cmark wrapper (see markdown.h; design: "Tracks" in
 * DESIGN.md). cmark 0.30 renders safely by default: raw HTML becomes a
 * comment and links with javascript:, vbscript:, file: or non-image data:
 * URLs are emptied. We never pass CMARK_OPT_UNSAFE.
 */
#include "tracks/markdown.h"

#include "core/error.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

struct gr_markdown {
	cmark_node *root;
};

/* Growable text for flattening a node's inline content. */
struct text {
	char *data;
	size_t len;
	size_t cap;
};

static int text_append(struct text *text, const char *add, size_t len)
{
	if (text->len + len + 1 > text->cap) {
		size_t cap = (text->len + len + 1) * 2;
		char *grown = realloc(text->data, cap);

		if (!grown) {
			gr_error_set("out of memory");
			return GR_ERROR;
		}
		text->data = grown;
		text->cap = cap;
	}
	memcpy(text->data + text->len, add, len);
	text->len += len;
	text->data[text->len] = '\0';
	return 0;
}

/* The plain text inside node: text and code literals, breaks as spaces. */
static int flatten(struct text *out, cmark_node *node)
{
	cmark_iter *iter = cmark_iter_new(node);
	cmark_event_type event;
	int rc = 0;

	out->len = 0;
	rc = text_append(out, "", 0);
	while (!rc && (event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
		cmark_node *current = cmark_iter_get_node(iter);
		cmark_node_type type = cmark_node_get_type(current);
		const char *literal;

		if (event != CMARK_EVENT_ENTER)
			continue;
		if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) {
			literal = cmark_node_get_literal(current);
			rc = text_append(out, literal, strlen(literal));
		} else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
			rc = text_append(out, " ", 1);
		}
	}
	cmark_iter_free(iter);
	return rc;
}

int gr_markdown_parse(struct gr_markdown **out, const char *text, size_t len)
{
	struct gr_markdown *doc = calloc(1, sizeof(*doc));

	*out = NULL;
	if (!doc || !(doc->root = cmark_parse_document(text, len, CMARK_OPT_VALIDATE_UTF8))) {
		free(doc);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	*out = doc;
	return 0;
}

void gr_markdown_free(struct gr_markdown *doc)
{
	if (!doc)
		return;
	cmark_node_free(doc->root);
	free(doc);
}

/* cmark knows the lines of blocks only; an inline node takes its block's. */
static int node_line(cmark_node *node)
{
	int line = 0;

	for (; node && (line = cmark_node_get_start_line(node)) == 0; node = cmark_node_parent(node))
		;
	return line;
}

/* "[ ] text" or "[x] text" at the start of a list item's paragraph. */
static int task_marker(const char *text, int *out_checked)
{
	if (text[0] != '[' || !text[1] || !strchr(" xX", text[1]) || text[2] != ']' ||
	    text[3] != ' ')
		return 0;
	*out_checked = text[1] != ' ';
	return 1;
}

/* The first link of a list item's first paragraph, if the paragraph starts with it. */
static cmark_node *leading_link(cmark_node *item)
{
	cmark_node *paragraph = cmark_node_first_child(item);
	cmark_node *first = paragraph ? cmark_node_first_child(paragraph) : NULL;

	if (!paragraph || cmark_node_get_type(paragraph) != CMARK_NODE_PARAGRAPH || !first)
		return NULL;
	return cmark_node_get_type(first) == CMARK_NODE_LINK ? first : NULL;
}

static int visit_item(cmark_node *node, struct text *text, gr_markdown_visit_fn *fn,
		      void *payload)
{
	struct gr_markdown_item item = { 0 };
	cmark_node *paragraph, *link;
	int rc;

	item.line = node_line(node);
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_HEADING:
		item.kind = GR_MARKDOWN_HEADING;
		item.level = cmark_node_get_heading_level(node);
		break;
	case CMARK_NODE_PARAGRAPH:
		if (cmark_node_get_type(cmark_node_parent(node)) != CMARK_NODE_DOCUMENT)
			return 0;
		item.kind = GR_MARKDOWN_PARAGRAPH;
		break;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		item.kind = cmark_node_get_type(node) == CMARK_NODE_LINK ? GR_MARKDOWN_LINK
									 : GR_MARKDOWN_IMAGE;
		item.url = cmark_node_get_url(node);
		break;
	case CMARK_NODE_ITEM:
		paragraph = cmark_node_first_child(node);
		if (!paragraph || cmark_node_get_type(paragraph) != CMARK_NODE_PARAGRAPH)
			return 0;
		if ((link = leading_link(node)) != NULL) {
			item.kind = GR_MARKDOWN_LIST_LINK;
			item.url = cmark_node_get_url(link);
			node = link;
			break;
		}
		if ((rc = flatten(text, paragraph)) != 0)
			return rc;
		if (!task_marker(text->data, &item.checked))
			return 0;
		item.kind = GR_MARKDOWN_TASK;
		item.text = text->data + 4;
		return fn(&item, payload);
	default:
		return 0;
	}
	if ((rc = flatten(text, node)) != 0)
		return rc;
	item.text = text->data;
	return fn(&item, payload);
}

int gr_markdown_visit(struct gr_markdown *doc, gr_markdown_visit_fn *fn, void *payload)
{
	cmark_iter *iter = cmark_iter_new(doc->root);
	struct text text = { 0 };
	cmark_event_type event;
	int rc = 0;

	while (!rc && (event = cmark_iter_next(iter)) != CMARK_EVENT_DONE)
		if (event == CMARK_EVENT_ENTER)
			rc = visit_item(cmark_iter_get_node(iter), &text, fn, payload);
	cmark_iter_free(iter);
	free(text.data);
	return rc < 0 ? rc : 0;
}

char *gr_markdown_render(struct gr_markdown *doc, gr_markdown_rewrite_fn *rewrite, void *payload)
{
	cmark_iter *iter = cmark_iter_new(doc->root);
	cmark_event_type event;
	char *html;

	while (rewrite && (event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(iter);
		cmark_node_type type = cmark_node_get_type(node);
		char *url;

		if (event != CMARK_EVENT_ENTER || (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE))
			continue;
		url = rewrite(cmark_node_get_url(node), type == CMARK_NODE_IMAGE,
			      node_line(node), payload);
		if (url) {
			cmark_node_set_url(node, url);
			free(url);
		}
	}
	cmark_iter_free(iter);
	html = cmark_render_html(doc->root, CMARK_OPT_SAFE);
	if (!html)
		gr_error_set("out of memory");
	return html;
}

char *gr_markdown_html(const char *markdown)
{
	struct gr_markdown *doc = NULL;
	char *html = NULL;

	if (gr_markdown_parse(&doc, markdown, strlen(markdown)) == 0)
		html = gr_markdown_render(doc, NULL, NULL);
	gr_markdown_free(doc);
	return html;
}
