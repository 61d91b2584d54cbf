/*
 * markdown_test.c - the cmark wrapper (daemon/markdown.c): safe rendering
 * (script tags, raw HTML blocks and inline HTML, event-handler attributes,
 * javascript:/vbscript:/data: links and images never reach the output, also
 * when the rewrite callback hands one back), the URL rewrite callback for
 * links and images with their line numbers, and the visitor's headings,
 * paragraphs, list links, links, images and tasks with correct lines.
 */
#include "core/error.h"
#include "tracks/markdown.h"

#include "harness.h"

#include <sys/wait.h>

/* Parse and render text with rewrite; the caller frees the result. */
static char *render(const char *text, gr_markdown_rewrite_fn *rewrite, void *payload)
{
	struct gr_markdown *doc = NULL;
	char *html = NULL;

	CHECK_INT(gr_markdown_parse(&doc, text, strlen(text)), ==, 0);
	if (doc)
		html = gr_markdown_render(doc, rewrite, payload);
	CHECK(html != NULL);
	gr_markdown_free(doc);
	return html;
}

/* Lowercased copy, to look for markup in any case. */
static char *lower(const char *text)
{
	char *copy = strdup(text ? text : "");

	for (char *p = copy; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return copy;
}

/* None of the dangerous pieces appear in html, in any case. */
static void check_clean(const char *html)
{
	static const char *const never[] = {
		"<script", "</script", "javascript:", "vbscript:", "data:text", "data:image/svg",
		"onerror", "onclick", "onload",	    "<iframe",	 "<div",      "<img src=x",
		"<style",  "<object", "<svg",
	};
	char *text = lower(html);

	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
		CHECK_NOT_CONTAINS(text, never[i]);
	free(text);
}

/* ---- safe rendering ------------------------------------------------------ */

static void test_plain_rendering(void)
{
	char *html = render("# Title\n\nSome *emphasis* and `code`.\n\n- one\n- two\n", NULL, NULL);

	CHECK_CONTAINS(html, "<h1>Title</h1>");
	CHECK_CONTAINS(html, "<em>emphasis</em>");
	CHECK_CONTAINS(html, "<code>code</code>");
	CHECK_CONTAINS(html, "<li>one</li>");
	free(html);

	/* text that looks like markup is escaped, not dropped */
	html = render("a < b && c > d \"q\"\n", NULL, NULL);
	CHECK_CONTAINS(html, "a &lt; b &amp;&amp; c &gt; d &quot;q&quot;");
	free(html);
}

static void test_script_tags_removed(void)
{
	char *html = render("<script>alert('block')</script>\n\nText <script>alert(2)</script> "
			    "and <SCRIPT src=\"https://evil.example/x.js\"></SCRIPT>\n",
			    NULL, NULL);

	check_clean(html);
	CHECK_NOT_CONTAINS(html, "alert('block')");
	CHECK_NOT_CONTAINS(html, "evil.example");
	CHECK_CONTAINS(html, "raw HTML omitted");
	CHECK_CONTAINS(html, "Text");
	free(html);
}

static void test_raw_html_blocks_and_inline(void)
{
	char *html = render("<div onclick=\"steal()\">\n\n*inside*\n\n</div>\n\n"
			    "<iframe src=\"https://evil.example\"></iframe>\n\n"
			    "<style>body{display:none}</style>\n\n"
			    "<!-- a comment -->\n\n"
			    "Inline <b onmouseover=\"x()\">bold</b> and <svg onload=alert(1)></svg>.\n",
			    NULL, NULL);

	check_clean(html);
	CHECK_NOT_CONTAINS(html, "<b ");
	CHECK_NOT_CONTAINS(html, "steal()");
	CHECK_NOT_CONTAINS(html, "display:none");
	CHECK_NOT_CONTAINS(html, "a comment");
	/* the markdown between the HTML blocks is still rendered */
	CHECK_CONTAINS(html, "<em>inside</em>");
	CHECK_CONTAINS(html, "bold");
	free(html);
}

static void test_event_handler_attributes(void)
{
	char *html = render("<img src=x onerror=alert(1)>\n\n"
			    "Text <img src=x onerror=\"alert(2)\"> <a href=\"#\" onclick=\"y()\">a</a>\n",
			    NULL, NULL);

	check_clean(html);
	CHECK_NOT_CONTAINS(html, "alert(");
	free(html);

	/* a quote in alt text or title is escaped, so no attribute can start */
	html = render("![alt\" onerror=\"alert(3)](pic.png \"t\\\" onload=\\\"alert(4)\")\n", NULL,
		      NULL);
	CHECK_NOT_CONTAINS(html, "\" onerror=\"");
	CHECK_NOT_CONTAINS(html, "\" onload=\"");
	CHECK_CONTAINS(html, "alt=\"alt&quot; onerror=&quot;alert(3)\"");
	CHECK_CONTAINS(html, "<img src=\"pic.png\"");
	free(html);
}

static void test_unsafe_link_schemes(void)
{
	char *html = render("[a](javascript:alert(1))\n"
			    "[b](JaVaScRiPt:alert(1))\n"
			    "[c](vbscript:msgbox(1))\n"
			    "[d](data:text/html;base64,PHNjcmlwdD4=)\n"
			    "[e](&#106;avascript:alert(1))\n"
			    "[f](<javascript:alert(1)>)\n"
			    "[g]\n\n[g]: javascript:alert(3)\n",
			    NULL, NULL);

	check_clean(html);
	CHECK_NOT_CONTAINS(html, "alert(1)\"");
	CHECK_NOT_CONTAINS(html, "msgbox");
	CHECK_NOT_CONTAINS(html, "PHNjcmlwdD4");
	/* the links stay, with empty targets */
	CHECK_CONTAINS(html, "<a href=\"\">a</a>");
	CHECK_CONTAINS(html, "<a href=\"\">c</a>");
	CHECK_CONTAINS(html, "<a href=\"\">g</a>");
	free(html);

	/* an autolink keeps its text but loses its target */
	html = render("<javascript:alert(2)>\n", NULL, NULL);
	CHECK_CONTAINS(html, "<a href=\"\">javascript:alert(2)</a>");
	CHECK_NOT_CONTAINS(html, "href=\"javascript");
	free(html);
}

static void test_unsafe_image_schemes(void)
{
	char *html = render("![a](javascript:alert(1))\n"
			    "![b](vbscript:x)\n"
			    "![c](data:text/html,<script>alert(1)</script>)\n"
			    "![d](data:image/svg+xml;base64,PHN2Zz4=)\n"
			    "![ok](https://example.org/ok.png)\n",
			    NULL, NULL);

	check_clean(html);
	CHECK_NOT_CONTAINS(html, "PHN2Zz4");
	CHECK_CONTAINS(html, "<img src=\"\" alt=\"a\" />");
	CHECK_CONTAINS(html, "<img src=\"\" alt=\"d\" />");
	CHECK_CONTAINS(html, "src=\"https://example.org/ok.png\"");
	free(html);
}

static void test_safe_links_kept(void)
{
	char *html = render("[a](https://example.org/x?y=1&z=2) [b](other.md#part) "
			    "[c](mailto:someone@example.org) [d](/absolute/path)\n",
			    NULL, NULL);

	CHECK_CONTAINS(html, "href=\"https://example.org/x?y=1&amp;z=2\"");
	CHECK_CONTAINS(html, "href=\"other.md#part\"");
	CHECK_CONTAINS(html, "href=\"mailto:someone@example.org\"");
	CHECK_CONTAINS(html, "href=\"/absolute/path\"");
	free(html);
}

/* ---- rewriting ------------------------------------------------------------ */

struct seen_url {
	char url[128];
	int is_image;
	int line;
};

struct rewrites {
	struct seen_url seen[16];
	int count;
	const char *force; /* if set, every URL becomes this */
};

static char *rewrite_relative(const char *url, int is_image, int line, void *payload)
{
	struct rewrites *r = payload;
	char *out;

	if (r->count < 16) {
		snprintf(r->seen[r->count].url, sizeof r->seen[0].url, "%s", url);
		r->seen[r->count].is_image = is_image;
		r->seen[r->count].line = line;
		r->count++;
	}
	if (r->force)
		return strdup(r->force);
	if (strstr(url, "://") || url[0] == '/')
		return NULL; /* keep it as it is */
	out = malloc(strlen(url) + 32);
	if (out)
		sprintf(out, "%s%s", is_image ? "/img/" : "/step/", url);
	return out;
}

static void test_rewrite_links_and_images(void)
{
	struct rewrites r = { 0 };
	char *html = render("# Links\n"
			    "\n"
			    "See [next](next.md) and [ext](https://example.org/).\n"
			    "\n"
			    "![diagram](images/diagram.png)\n"
			    "\n"
			    "- [item](sub/item.md)\n"
			    "  and ![inline](a.gif)\n",
			    rewrite_relative, &r);

	CHECK_CONTAINS(html, "<a href=\"/step/next.md\">next</a>");
	CHECK_CONTAINS(html, "<a href=\"https://example.org/\">ext</a>");
	CHECK_CONTAINS(html, "<img src=\"/img/images/diagram.png\" alt=\"diagram\" />");
	CHECK_CONTAINS(html, "<a href=\"/step/sub/item.md\">item</a>");
	CHECK_CONTAINS(html, "src=\"/img/a.gif\"");
	CHECK_NOT_CONTAINS(html, "\"next.md\"");
	CHECK_NOT_CONTAINS(html, "\"images/diagram.png\"");
	CHECK_INT(r.count, ==, 5);
	CHECK_STR(r.seen[0].url, "next.md");
	CHECK_INT(r.seen[0].is_image, ==, 0);
	CHECK_INT(r.seen[0].line, ==, 3);
	CHECK_STR(r.seen[1].url, "https://example.org/");
	CHECK_INT(r.seen[1].line, ==, 3);
	CHECK_STR(r.seen[2].url, "images/diagram.png");
	CHECK_INT(r.seen[2].is_image, ==, 1);
	CHECK_INT(r.seen[2].line, ==, 5);
	CHECK_STR(r.seen[3].url, "sub/item.md");
	CHECK_INT(r.seen[3].line, ==, 7);
	CHECK_STR(r.seen[4].url, "a.gif");
	CHECK_INT(r.seen[4].is_image, ==, 1);
	CHECK_INT(r.seen[4].line, ==, 8);
	free(html);
}

static void test_rewrite_cannot_smuggle_unsafe_url(void)
{
	struct rewrites r = { .force = "javascript:alert(1)" };
	char *html = render("[a](a.md) ![b](b.png)\n", rewrite_relative, &r);

	CHECK_INT(r.count, ==, 2);
	check_clean(html);
	CHECK_CONTAINS(html, "<a href=\"\">a</a>");
	free(html);

	r = (struct rewrites){ .force = "x\" onclick=\"alert(1)" };
	html = render("[a](a.md)\n", rewrite_relative, &r);
	CHECK_NOT_CONTAINS(html, "\" onclick");
	CHECK_CONTAINS(html, "href=\"x%22%20onclick=%22alert(1)\"");
	free(html);
}

static void test_render_twice_and_null_rewrite(void)
{
	struct gr_markdown *doc = NULL;
	struct rewrites r = { 0 };
	const char *text = "[x](x.md)\n";
	char *first, *second;

	CHECK_INT(gr_markdown_parse(&doc, text, strlen(text)), ==, 0);
	first = gr_markdown_render(doc, NULL, NULL);
	CHECK_CONTAINS(first, "href=\"x.md\"");
	second = gr_markdown_render(doc, rewrite_relative, &r);
	CHECK_CONTAINS(second, "href=\"/step/x.md\"");
	free(first);
	free(second);
	gr_markdown_free(doc);
	gr_markdown_free(NULL);
}

/* What people write, as safe HTML in one call: links as written, scripts and javascript: gone. */
static void test_html_of_text(void)
{
	char *html = gr_markdown_html("*hi* [x](x.md) <script>alert(1)</script> [y](javascript:alert(1))\n");

	CHECK_CONTAINS(html, "<em>hi</em>");
	CHECK_CONTAINS(html, "href=\"x.md\"");
	CHECK(html && !strstr(html, "<script"));
	CHECK(html && !strstr(html, "javascript:"));
	free(html);
	html = gr_markdown_html("");
	CHECK(html != NULL);
	free(html);
}

/* ---- visiting --------------------------------------------------------------- */

struct seen_item {
	enum gr_markdown_kind kind;
	int level, checked, line;
	char text[96];
	char url[96];
};

struct visits {
	struct seen_item items[32];
	int count;
	int stop_after; /* 0: never */
};

static int record(const struct gr_markdown_item *item, void *payload)
{
	struct visits *v = payload;

	if (v->count < 32) {
		struct seen_item *s = &v->items[v->count];

		s->kind = item->kind;
		s->level = item->level;
		s->checked = item->checked;
		s->line = item->line;
		snprintf(s->text, sizeof s->text, "%s", item->text ? item->text : "(null)");
		snprintf(s->url, sizeof s->url, "%s", item->url ? item->url : "(null)");
	}
	v->count++;
	return v->stop_after && v->count >= v->stop_after;
}

static void visit(const char *text, struct visits *v)
{
	struct gr_markdown *doc = NULL;

	CHECK_INT(gr_markdown_parse(&doc, text, strlen(text)), ==, 0);
	if (doc)
		CHECK_INT(gr_markdown_visit(doc, record, v), ==, 0);
	gr_markdown_free(doc);
}

/* The index of the next item of kind at or after from, or -1. */
static int find_kind(const struct visits *v, enum gr_markdown_kind kind, int from)
{
	for (int i = from; i < v->count && i < 32; i++)
		if (v->items[i].kind == kind)
			return i;
	return -1;
}

static void check_item(const struct visits *v, int i, enum gr_markdown_kind kind, int line,
		       const char *text, const char *url)
{
	CHECK_INT(i, >=, 0);
	if (i < 0)
		return;
	CHECK_INT(v->items[i].kind, ==, kind);
	CHECK_INT(v->items[i].line, ==, line);
	if (text)
		CHECK_STR(v->items[i].text, text);
	if (url)
		CHECK_STR(v->items[i].url, url);
}

static void test_visit_headings_and_paragraphs(void)
{
	struct visits v = { 0 };
	int i;

	visit("# The *Track*\n"
	      "\n"
	      "A summary\n"
	      "over two lines.\n"
	      "\n"
	      "## Module `one`\n"
	      "\n"
	      "Setext two\n"
	      "----------\n"
	      "\n"
	      "> a quoted paragraph is not top level\n",
	      &v);
	i = find_kind(&v, GR_MARKDOWN_HEADING, 0);
	check_item(&v, i, GR_MARKDOWN_HEADING, 1, "The Track", NULL);
	CHECK_INT(i >= 0 ? v.items[i].level : 0, ==, 1);
	i = find_kind(&v, GR_MARKDOWN_PARAGRAPH, 0);
	check_item(&v, i, GR_MARKDOWN_PARAGRAPH, 3, "A summary over two lines.", NULL);
	i = find_kind(&v, GR_MARKDOWN_HEADING, i + 1);
	check_item(&v, i, GR_MARKDOWN_HEADING, 6, "Module one", NULL);
	CHECK_INT(i >= 0 ? v.items[i].level : 0, ==, 2);
	i = find_kind(&v, GR_MARKDOWN_HEADING, i + 1);
	check_item(&v, i, GR_MARKDOWN_HEADING, 8, "Setext two", NULL);
	CHECK_INT(i >= 0 ? v.items[i].level : 0, ==, 2);
	/* only one paragraph: the quoted one is not at the top level */
	CHECK_INT(find_kind(&v, GR_MARKDOWN_PARAGRAPH, find_kind(&v, GR_MARKDOWN_PARAGRAPH, 0) + 1),
		  ==, -1);
	CHECK_INT(v.count, ==, 4);
}

static void test_visit_links_images_in_order(void)
{
	struct visits v = { 0 };
	int i;

	visit("Intro line\n"
	      "with [a link](a.md) on line two\n"
	      "and ![a *pic*](img/p.png) on three.\n"
	      "\n"
	      "> [quoted](q.md)\n"
	      "\n"
	      "| no | tables |\n"
	      "\n"
	      "[ref]\n"
	      "\n"
	      "[ref]: r.md\n",
	      &v);
	i = find_kind(&v, GR_MARKDOWN_LINK, 0);
	check_item(&v, i, GR_MARKDOWN_LINK, 2, "a link", "a.md");
	i = find_kind(&v, GR_MARKDOWN_IMAGE, 0);
	check_item(&v, i, GR_MARKDOWN_IMAGE, 3, "a pic", "img/p.png");
	i = find_kind(&v, GR_MARKDOWN_LINK, i + 1);
	check_item(&v, i, GR_MARKDOWN_LINK, 5, "quoted", "q.md");
	i = find_kind(&v, GR_MARKDOWN_LINK, i + 1);
	check_item(&v, i, GR_MARKDOWN_LINK, 9, "ref", "r.md");
	CHECK_INT(find_kind(&v, GR_MARKDOWN_LINK, i + 1), ==, -1);
	/* no list items here, so no list links or tasks */
	CHECK_INT(find_kind(&v, GR_MARKDOWN_LIST_LINK, 0), ==, -1);
	CHECK_INT(find_kind(&v, GR_MARKDOWN_TASK, 0), ==, -1);
}

static void test_visit_list_links(void)
{
	struct visits v = { 0 };
	int i;

	visit("## Steps\n"
	      "\n"
	      "- [First step](first.md)\n"
	      "- [Second](dir/second.md) - with a note\n"
	      "- Not a link first: [third](third.md)\n"
	      "1. [Numbered](n.md)\n",
	      &v);
	i = find_kind(&v, GR_MARKDOWN_LIST_LINK, 0);
	check_item(&v, i, GR_MARKDOWN_LIST_LINK, 3, "First step", "first.md");
	i = find_kind(&v, GR_MARKDOWN_LIST_LINK, i + 1);
	check_item(&v, i, GR_MARKDOWN_LIST_LINK, 4, "Second", "dir/second.md");
	i = find_kind(&v, GR_MARKDOWN_LIST_LINK, i + 1);
	check_item(&v, i, GR_MARKDOWN_LIST_LINK, 6, "Numbered", "n.md");
	CHECK_INT(find_kind(&v, GR_MARKDOWN_LIST_LINK, i + 1), ==, -1);
	/* the third item's link is a plain link, not a list link */
	i = find_kind(&v, GR_MARKDOWN_LINK, 0);
	while (i >= 0 && strcmp(v.items[i].url, "third.md") != 0)
		i = find_kind(&v, GR_MARKDOWN_LINK, i + 1);
	check_item(&v, i, GR_MARKDOWN_LINK, 5, "third", "third.md");
}

static void test_visit_tasks(void)
{
	struct visits v = { 0 };
	int i;

	visit("## Review checklist\n"
	      "\n"
	      "- [ ] The code *compiles*\n"
	      "- [x] Tests pass with `make check`\n"
	      "- [X] Upper-case mark\n"
	      "- [] not a task\n"
	      "- [ ]no space\n"
	      "- plain item\n"
	      "* [ ] another list\n",
	      &v);
	i = find_kind(&v, GR_MARKDOWN_TASK, 0);
	check_item(&v, i, GR_MARKDOWN_TASK, 3, "The code compiles", NULL);
	CHECK_INT(i >= 0 ? v.items[i].checked : -1, ==, 0);
	i = find_kind(&v, GR_MARKDOWN_TASK, i + 1);
	check_item(&v, i, GR_MARKDOWN_TASK, 4, "Tests pass with make check", NULL);
	CHECK_INT(i >= 0 ? v.items[i].checked : -1, ==, 1);
	i = find_kind(&v, GR_MARKDOWN_TASK, i + 1);
	check_item(&v, i, GR_MARKDOWN_TASK, 5, "Upper-case mark", NULL);
	CHECK_INT(i >= 0 ? v.items[i].checked : -1, ==, 1);
	i = find_kind(&v, GR_MARKDOWN_TASK, i + 1);
	check_item(&v, i, GR_MARKDOWN_TASK, 9, "another list", NULL);
	CHECK_INT(find_kind(&v, GR_MARKDOWN_TASK, i + 1), ==, -1);
}

/* List items that are only the start of a task marker are not tasks. */
static void visit_short_list_items(void)
{
	static const char *const texts[] = { "- [\n", "- [ \n", "- [x\n", "- [ ]\n", "- [x]\n" };

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		struct visits v = { 0 };

		visit(texts[t], &v);
		CHECK_INT(find_kind(&v, GR_MARKDOWN_TASK, 0), ==, -1);
	}
}

/*
 * Run in a child process, so that a memory error caught by the sanitizers
 * (reading past "[" at the end of an item) is one failed check, not the end
 * of the run.
 */
static void test_visit_short_list_items(void)
{
	int status = 0;
	pid_t pid;

	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		visit_short_list_items();
		_exit(harness_failures ? 1 : 0);
	}
	CHECK_INT(pid, >, 0);
	CHECK_INT(waitpid(pid, &status, 0), ==, pid);
	CHECK(WIFEXITED(status));
	CHECK_INT(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), ==, 0);
}

static void test_visit_stops_when_asked(void)
{
	struct visits v = { .stop_after = 2 };

	visit("# One\n\n# Two\n\n# Three\n\n# Four\n", &v);
	CHECK_INT(v.count, ==, 2);
	CHECK_STR(v.items[1].text, "Two");
}

static int refuse_second(const struct gr_markdown_item *item, void *payload)
{
	(void)item;
	return ++*(int *)payload == 2 ? GR_ETOOLARGE : 0;
}

/* A negative return is an error code, passed up as it is; the walk stops there. */
static void test_visit_passes_errors_up(void)
{
	const char text[] = "# One\n\n# Two\n\n# Three\n";
	struct gr_markdown *doc = NULL;
	int calls = 0;

	CHECK_INT(gr_markdown_parse(&doc, text, strlen(text)), ==, 0);
	if (doc)
		CHECK_INT(gr_markdown_visit(doc, refuse_second, &calls), ==, GR_ETOOLARGE);
	CHECK_INT(calls, ==, 2);
	gr_markdown_free(doc);
}

static void test_parse_not_nul_terminated_and_invalid_utf8(void)
{
	struct gr_markdown *doc = NULL;
	const char text[] = "# Cut here # and not here";
	char *html;

	CHECK_INT(gr_markdown_parse(&doc, text, 10), ==, 0);
	html = doc ? gr_markdown_render(doc, NULL, NULL) : NULL;
	CHECK_CONTAINS(html, "<h1>Cut here</h1>");
	CHECK_NOT_CONTAINS(html, "not here");
	free(html);
	gr_markdown_free(doc);

	/* invalid UTF-8 is replaced, never copied through */
	html = render("bad \xff\xfe bytes\n", NULL, NULL);
	CHECK_NOT_CONTAINS(html, "\xff");
	CHECK_CONTAINS(html, "\xef\xbf\xbd"); /* U+FFFD */
	free(html);
}

int main(void)
{
	RUN(test_plain_rendering);
	RUN(test_script_tags_removed);
	RUN(test_raw_html_blocks_and_inline);
	RUN(test_event_handler_attributes);
	RUN(test_unsafe_link_schemes);
	RUN(test_unsafe_image_schemes);
	RUN(test_safe_links_kept);
	RUN(test_rewrite_links_and_images);
	RUN(test_rewrite_cannot_smuggle_unsafe_url);
	RUN(test_render_twice_and_null_rewrite);
	RUN(test_html_of_text);
	RUN(test_visit_headings_and_paragraphs);
	RUN(test_visit_links_images_in_order);
	RUN(test_visit_list_links);
	RUN(test_visit_tasks);
	RUN(test_visit_short_list_items);
	RUN(test_visit_stops_when_asked);
	RUN(test_visit_passes_errors_up);
	RUN(test_parse_not_nul_terminated_and_invalid_utf8);
	return harness_done();
}
