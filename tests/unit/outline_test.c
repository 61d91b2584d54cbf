/* Tests for outline.h: track.md's title, summary, modules and steps (with
 * front matter, steps before the first module, empty modules), skipped step
 * links with their problems and lines, refused track.md files, and where
 * relative links lead. The track's files are a fixed list. */
#include "harness.h"

#include "core/error.h"
#include "tracks/outline.h"

static const char *const files[] = { "intro.md", "steps/a.md", "steps/b.md", "steps/c d.md",
				     "notes.txt" };

static int exists(const char *path, void *payload)
{
	++*(int *)payload;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i], path) == 0)
			return 1;
	return 0;
}

static int parse(struct gr_outline *out, struct gr_problems *problems, const char *text)
{
	int asked = 0;

	return gr_outline_parse(out, text, strlen(text), "c/track.md", exists, &asked, problems);
}

static void test_outline(void)
{
	struct gr_problems problems = { 0 };
	struct gr_outline outline;

	CHECK_INT(parse(&outline, &problems,
			"---\nlanguage: nl\nrequires: [basics]\n---\n"
			"# Intro\n\nWhat it is about.\n\nMore text.\n\n"
			"- [Start](intro.md)\n\n## Module one\n\n- [A](steps/a.md)\n"
			"1. [B](./steps/b.md#top)\n- [Web](https://example.org/x.md)\n"
			"- [Notes](notes.txt)\n- plain\n\n## Empty\n\n## Last\n\n"
			"- [C](steps/c%20d.md?x=1)\n"),
		  ==, 0);
	CHECK_INT(problems.count, ==, 0);
	CHECK_STR(outline.title, "Intro");
	CHECK_STR(outline.summary, "What it is about.");
	CHECK_STR(outline.meta.language, "nl");
	CHECK_INT(outline.meta.requires.count, ==, 1);
	CHECK_INT(outline.module_count, ==, 4);
	CHECK_INT(outline.step_count, ==, 4);
	if (outline.module_count == 4 && outline.step_count == 4) {
		/* Steps before the first "##" are in a module named after the title. */
		CHECK_STR(outline.modules[0].title, "Intro");
		CHECK_INT(outline.modules[0].step_count, ==, 1);
		CHECK_STR(outline.modules[1].title, "Module one");
		CHECK_INT(outline.modules[1].first_step, ==, 1);
		CHECK_INT(outline.modules[1].step_count, ==, 2);
		CHECK_STR(outline.modules[2].title, "Empty");
		CHECK_INT(outline.modules[2].first_step, ==, 3);
		CHECK_INT(outline.modules[2].step_count, ==, 0);
		CHECK_INT(outline.modules[3].first_step, ==, 3);
		CHECK_STR(outline.steps[0].path, "intro.md");
		CHECK_INT(outline.steps[0].line, ==, 11);
		CHECK_STR(outline.steps[2].path, "steps/b.md");
		CHECK_INT(outline.steps[2].module, ==, 1);
		CHECK_STR(outline.steps[3].path, "steps/c d.md");
		CHECK_INT(outline.steps[3].module, ==, 3);
		CHECK_INT(outline.steps[3].line, ==, 25);
	}
	gr_outline_clear(&outline);
	CHECK(outline.title == NULL && outline.steps == NULL && outline.module_count == 0);
	gr_outline_clear(&outline);
	gr_manifest_problems_clear(&problems);
}

/* No summary once a module or a step has begun; the first "#" only is the title. */
static void test_summary_and_title(void)
{
	struct gr_problems problems = { 0 };
	struct gr_outline outline;

	CHECK_INT(parse(&outline, &problems, "# T\n\n- [A](steps/a.md)\n\nLate.\n\n# Other\n"), ==,
		  0);
	CHECK_STR(outline.title, "T");
	CHECK(outline.summary == NULL);
	gr_outline_clear(&outline);
	CHECK_INT(parse(&outline, &problems, "Before.\n\n# T\n\n## M\n\nLate.\n"), ==, 0);
	CHECK(outline.summary == NULL);
	CHECK_INT(outline.module_count, ==, 1);
	CHECK_INT(outline.step_count, ==, 0);
	gr_outline_clear(&outline);
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void expect_problem(const struct gr_problems *problems, int index, int line,
			   const char *needle)
{
	CHECK_INT(problems->count, >, index);
	if (problems->count <= index)
		return;
	CHECK_STR(problems->items[index].file, "c/track.md");
	CHECK_INT(problems->items[index].line, ==, line);
	CHECK_CONTAINS(problems->items[index].message, needle);
}

static void test_skipped_links(void)
{
	struct gr_problems problems = { 0 };
	struct gr_outline outline;

	CHECK_INT(parse(&outline, &problems,
			"# T\n\n- [Up](../up.md)\n- [Abs](/intro.md)\n- [Gone](missing.md)\n"
			"- [A](steps/a.md)\n- [A again](steps/../steps/a.md)\n- [Bad](a%zz.md)\n"
			"- [Nul](a%00.md)\n- [Dir](steps/..)\n"),
		  ==, 0);
	CHECK_INT(outline.step_count, ==, 1);
	expect_problem(&problems, 0, 3, "'../up.md' leads outside the track");
	expect_problem(&problems, 1, 4, "absolute path");
	expect_problem(&problems, 2, 5, "broken step link: 'missing.md'");
	expect_problem(&problems, 3, 7, "'steps/../steps/a.md' is listed twice");
	expect_problem(&problems, 4, 8, "leads outside");
	expect_problem(&problems, 5, 9, "leads outside");
	CHECK_INT(problems.count, ==, 6); /* "steps/.." is not a .md link */
	gr_outline_clear(&outline);
	gr_manifest_problems_clear(&problems);
}

static void test_refused(void)
{
	struct gr_problems problems = { 0 };
	struct gr_outline outline;

	CHECK_INT(parse(&outline, &problems, "Text.\n\n- [A](steps/a.md)\n"), ==, GR_EINVALID);
	expect_problem(&problems, 0, 1, "no '# Title' heading");
	CHECK_CONTAINS(gr_error_last(), "no '# Title'");
	CHECK(outline.title == NULL && outline.step_count == 0 && outline.steps == NULL);
	gr_manifest_problems_clear(&problems);

	CHECK_INT(parse(&outline, &problems, "---\nlanguage: en\nauthor: me\n---\n# T\n"), ==,
		  GR_EINVALID);
	expect_problem(&problems, 0, 3, "unknown front matter key 'author'");
	CHECK(outline.title == NULL && outline.meta.language == NULL);
	gr_manifest_problems_clear(&problems);

	CHECK_INT(parse(&outline, &problems, "---\nlanguage: en\n# T\n"), ==, GR_EINVALID);
	expect_problem(&problems, 0, 1, "no closing");
	gr_manifest_problems_clear(&problems);

	/* Nothing after the front matter: the problem is on its closing line. */
	CHECK_INT(parse(&outline, &problems, "---\nlanguage: en\n---"), ==, GR_EINVALID);
	expect_problem(&problems, 0, 3, "no '# Title' heading");
	gr_manifest_problems_clear(&problems);
	CHECK_INT(parse(&outline, &problems, "---\n---\n"), ==, GR_EINVALID);
	expect_problem(&problems, 0, 2, "no '# Title' heading");
	gr_manifest_problems_clear(&problems);
	CHECK_INT(parse(&outline, &problems, ""), ==, GR_EINVALID);
	expect_problem(&problems, 0, 1, "no '# Title' heading");
	gr_manifest_problems_clear(&problems);
}

static void test_link_path(void)
{
	char path[64];

	CHECK_INT(gr_outline_link_path(path, sizeof(path), "steps/a.md", "b.md"), ==, 0);
	CHECK_STR(path, "steps/b.md");
	CHECK_INT(gr_outline_link_path(path, sizeof(path), "steps/a.md", "../img/x.png?v=2#f"), ==,
		  0);
	CHECK_STR(path, "img/x.png");
	CHECK_INT(gr_outline_link_path(path, sizeof(path), "a.md", "./sub//c%20d.md"), ==, 0);
	CHECK_STR(path, "sub/c d.md");
	CHECK_INT(gr_outline_link_path(path, sizeof(path), "steps/a.md", "../../x.md"), ==,
		  GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "leads outside the track");
	CHECK_INT(gr_outline_link_path(path, sizeof(path), "a.md", "%2e%2e/x.md"), ==, GR_EINVALID);
	CHECK_INT(gr_outline_link_path(path, sizeof(path), "a.md", "/x.md"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "absolute path");
	CHECK_INT(gr_outline_link_path(path, sizeof(path), "a.md", "."), ==, GR_EINVALID);
	CHECK_INT(gr_outline_link_path(path, 8, "a.md", "123456789.md"), ==, GR_EINVALID);
	CHECK_INT(gr_outline_has_scheme("https://example.org"), ==, 1);
	CHECK_INT(gr_outline_has_scheme("mailto:a@b"), ==, 1);
	CHECK_INT(gr_outline_has_scheme("a.md"), ==, 0);
	CHECK_INT(gr_outline_has_scheme(":x"), ==, 0);
	CHECK_INT(gr_outline_has_scheme("a/b:c"), ==, 0);
}

int main(void)
{
	RUN(test_outline);
	RUN(test_summary_and_title);
	RUN(test_skipped_links);
	RUN(test_refused);
	RUN(test_link_path);
	return harness_done();
}
