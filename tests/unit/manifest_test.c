/*
 * manifest_test.c - front matter and manifest metadata (daemon/manifest.c):
 * splitting front matter from the body (with and without it, terminators,
 * unterminated), every step key (id, title, kind, reviews, requires,
 * estimate), the track keys (id, language, requires), estimate parsing, valid
 * ids, and every problem the reader reports, with its line number.
 */
#include "core/error.h"
#include "tracks/manifest.h"

#include "harness.h"

/* Split text (NUL-terminated) and keep the results in globals for checks. */
static size_t yaml_start, yaml_len, body_start;
static int body_line;

static int split(const char *text, struct gr_problems *problems)
{
	return gr_manifest_front_matter_split(text, strlen(text), &yaml_start, &yaml_len, &body_start,
				     &body_line, "step.md", problems);
}

/* Index of the first problem whose message contains needle, or -1. */
static int find_problem(const struct gr_problems *problems, const char *needle)
{
	for (int i = 0; i < problems->count; i++)
		if (strstr(problems->items[i].message, needle))
			return i;
	return -1;
}

static int parse_step(struct gr_step_meta *meta, const char *yaml, int first_line,
		      struct gr_problems *problems)
{
	return gr_manifest_step_parse(meta, yaml, strlen(yaml), first_line, "step.md", problems);
}

static int parse_track(struct gr_track_meta *meta, const char *yaml, int first_line,
		       struct gr_problems *problems)
{
	return gr_manifest_track_parse(meta, yaml, strlen(yaml), first_line, "track.md", problems);
}

/* ---- front matter split ---------------------------------------------- */

static void test_split_without_front_matter(void)
{
	struct gr_problems problems = { 0 };
	const char *text = "# Title\n\nSome text.\n";

	CHECK_INT(split(text, &problems), ==, 0);
	CHECK_INT(yaml_len, ==, 0);
	CHECK_INT(body_start, ==, 0);
	CHECK_INT(body_line, ==, 1);
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void test_split_with_front_matter(void)
{
	struct gr_problems problems = { 0 };
	const char *text = "---\nid: intro\ntitle: Hello\n---\n# Body\n";

	CHECK_INT(split(text, &problems), ==, 0);
	CHECK_INT(yaml_start, ==, 4);
	CHECK_INT(yaml_len, ==, strlen("id: intro\ntitle: Hello\n"));
	CHECK(strncmp(text + yaml_start, "id: intro\ntitle: Hello\n", yaml_len) == 0);
	CHECK_STR(text + body_start, "# Body\n");
	CHECK_INT(body_line, ==, 5);
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void test_split_dots_terminator_crlf_and_trailing_space(void)
{
	struct gr_problems problems = { 0 };
	const char *dots = "---\nkind: lesson\n...\nbody\n";
	const char *crlf = "---\r\nkind: lesson\r\n---\r\nbody\r\n";
	const char *spaces = "--- \nkind: lesson\n---\t\nbody\n";

	CHECK_INT(split(dots, &problems), ==, 0);
	CHECK_INT(yaml_len, ==, strlen("kind: lesson\n"));
	CHECK_STR(dots + body_start, "body\n");
	CHECK_INT(body_line, ==, 4);

	CHECK_INT(split(crlf, &problems), ==, 0);
	CHECK_INT(yaml_start, ==, 5);
	CHECK(strncmp(crlf + yaml_start, "kind: lesson\r\n", yaml_len) == 0);
	CHECK_INT(yaml_len, ==, strlen("kind: lesson\r\n"));
	CHECK_STR(crlf + body_start, "body\r\n");
	CHECK_INT(body_line, ==, 4);

	CHECK_INT(split(spaces, &problems), ==, 0);
	CHECK_INT(yaml_len, ==, strlen("kind: lesson\n"));
	CHECK_STR(spaces + body_start, "body\n");
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void test_split_byte_order_mark(void)
{
	struct gr_problems problems = { 0 };
	const char *with_yaml = "\xEF\xBB\xBF---\nid: a\n---\nbody\n";
	const char *plain = "\xEF\xBB\xBF# Title\n";

	CHECK_INT(split(with_yaml, &problems), ==, 0);
	CHECK_INT(yaml_start, ==, 7);
	CHECK_INT(yaml_len, ==, strlen("id: a\n"));
	CHECK_STR(with_yaml + body_start, "body\n");
	CHECK_INT(split(plain, &problems), ==, 0);
	CHECK_INT(yaml_len, ==, 0);
	CHECK_STR(plain + body_start, "# Title\n");
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void test_split_not_a_fence(void)
{
	struct gr_problems problems = { 0 };
	const char *four = "----\nid: a\n---\n";
	const char *late = "\n---\nid: a\n---\n";

	CHECK_INT(split(four, &problems), ==, 0);
	CHECK_INT(yaml_len, ==, 0);
	CHECK_INT(body_start, ==, 0);
	CHECK_INT(split(late, &problems), ==, 0);
	CHECK_INT(yaml_len, ==, 0);
	CHECK_INT(body_start, ==, 0);
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void test_split_empty_front_matter(void)
{
	struct gr_problems problems = { 0 };
	const char *text = "---\n---\nbody\n";

	CHECK_INT(split(text, &problems), ==, 0);
	CHECK_INT(yaml_len, ==, 0);
	CHECK_STR(text + body_start, "body\n");
	CHECK_INT(body_line, ==, 3);
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void test_split_unterminated(void)
{
	struct gr_problems problems = { 0 };
	const char *text = "---\nid: a\ntitle: b\n# Body\n";

	CHECK_INT(split(text, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, ==, 1);
	if (problems.count == 1) {
		CHECK_STR(problems.items[0].file, "step.md");
		CHECK_INT(problems.items[0].line, ==, 1);
		CHECK_CONTAINS(problems.items[0].message, "no closing");
	}
	CHECK_INT(body_start, ==, 0);
	CHECK_INT(yaml_len, ==, 0);
	gr_manifest_problems_clear(&problems);
}

/* ---- step meta --------------------------------------------------------- */

static void test_step_meta_all_keys(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;
	const char *yaml = "id: basics/hello\n"
			   "title: \"Hello, world\"\n"
			   "kind: project\n"
			   "reviews: 3\n"
			   "requires: [basics/setup, intro]\n"
			   "estimate: 1h30m\n";

	CHECK_INT(parse_step(&meta, yaml, 2, &problems), ==, 0);
	CHECK_INT(problems.count, ==, 0);
	CHECK_STR(meta.id, "basics/hello");
	CHECK_STR(meta.title, "Hello, world");
	CHECK_INT(meta.kind, ==, GR_STEP_PROJECT);
	CHECK_INT(meta.reviews, ==, 3);
	CHECK_INT(meta.estimate, ==, 90);
	CHECK_INT(meta.requires.count, ==, 2);
	if (meta.requires.count == 2) {
		CHECK_STR(meta.requires.items[0], "basics/setup");
		CHECK_STR(meta.requires.items[1], "intro");
	}
	gr_manifest_step_clear(&meta);
	CHECK(meta.id == NULL);
	CHECK_INT(meta.kind, ==, -1);
	CHECK_INT(meta.requires.count, ==, 0);
	gr_manifest_problems_clear(&problems);
}

static void test_step_meta_defaults(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;

	CHECK_INT(parse_step(&meta, "", 2, &problems), ==, 0);
	CHECK(meta.id == NULL);
	CHECK(meta.title == NULL);
	CHECK_INT(meta.kind, ==, -1);
	CHECK_INT(meta.reviews, ==, -1);
	CHECK_INT(meta.estimate, ==, -1);
	CHECK_INT(meta.requires.count, ==, 0);
	gr_manifest_step_clear(&meta);

	CHECK_INT(parse_step(&meta, "title: Only a title\n", 2, &problems), ==, 0);
	CHECK_STR(meta.title, "Only a title");
	CHECK(meta.id == NULL);
	CHECK_INT(meta.kind, ==, -1);
	CHECK_INT(meta.reviews, ==, -1);
	CHECK_INT(meta.estimate, ==, -1);
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

static void test_step_meta_kinds_and_block_list(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;
	const char *yaml = "kind: exercise\nrequires:\n  - one\n  - two/three\nreviews: 0\n";

	CHECK_INT(parse_step(&meta, yaml, 2, &problems), ==, 0);
	CHECK_INT(meta.kind, ==, GR_STEP_EXERCISE);
	CHECK_INT(meta.reviews, ==, 0);
	CHECK_INT(meta.requires.count, ==, 2);
	if (meta.requires.count == 2)
		CHECK_STR(meta.requires.items[1], "two/three");
	gr_manifest_step_clear(&meta);

	CHECK_INT(parse_step(&meta, "kind: lesson\nestimate: 45\n", 2, &problems), ==, 0);
	CHECK_INT(meta.kind, ==, GR_STEP_LESSON);
	CHECK_INT(meta.estimate, ==, 45);
	gr_manifest_step_clear(&meta);

	/* "requires:" with nothing after it is an empty list, not a problem */
	CHECK_INT(parse_step(&meta, "requires:\n", 2, &problems), ==, 0);
	CHECK_INT(meta.requires.count, ==, 0);
	CHECK_INT(problems.count, ==, 0);
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);

	CHECK_STR(gr_manifest_step_kind_name(GR_STEP_LESSON), "lesson");
	CHECK_STR(gr_manifest_step_kind_name(GR_STEP_EXERCISE), "exercise");
	CHECK_STR(gr_manifest_step_kind_name(GR_STEP_PROJECT), "project");
}

/* One bad step value: GR_EINVALID, one problem on the expected line. */
static void expect_step_problem(const char *yaml, int first_line, int line, const char *needle)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;
	int i;

	CHECK_INT(parse_step(&meta, yaml, first_line, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, ==, 1);
	i = find_problem(&problems, needle);
	CHECK_INT(i, >=, 0);
	if (i >= 0) {
		CHECK_INT(problems.items[i].line, ==, line);
		CHECK_STR(problems.items[i].file, "step.md");
	} else {
		fprintf(stderr, "  (expected a problem containing '%s' for \"%s\")\n", needle, yaml);
	}
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

/* A reflection step: its kind by name, and only that spelling. */
static void test_step_meta_reflection(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;

	CHECK_INT(parse_step(&meta, "kind: reflection\nestimate: 30m\n", 2, &problems), ==, 0);
	CHECK_INT(problems.count, ==, 0);
	CHECK_INT(meta.kind, ==, GR_STEP_REFLECTION);
	CHECK_INT(meta.reviews, ==, -1); /* the default is the track loader's */
	CHECK_INT(meta.estimate, ==, 30);
	gr_manifest_step_clear(&meta);
	CHECK_INT(parse_step(&meta, "kind: reflection\nreviews: 3\n", 2, &problems), ==, 0);
	CHECK_INT(meta.kind, ==, GR_STEP_REFLECTION);
	CHECK_INT(meta.reviews, ==, 3);
	gr_manifest_step_clear(&meta);
	CHECK_STR(gr_manifest_step_kind_name(GR_STEP_REFLECTION), "reflection");
	CHECK_STR(gr_manifest_step_kind_name(GR_STEP_PROJECT), "project");
	gr_manifest_problems_clear(&problems);
	expect_step_problem("kind: Reflection\n", 2, 2, "kind: expected lesson, exercise, project or reflection");
	expect_step_problem("kind: reflections\n", 2, 2, "kind:");
}

static void test_step_meta_bad_values(void)
{
	/* the YAML starts on line 2 of the file (after the opening ---) */
	expect_step_problem("title: T\nid: has space\n", 2, 3, "id:");
	expect_step_problem("id: ../escape\n", 2, 2, "id:");
	expect_step_problem("id: /abs\n", 2, 2, "id:");
	expect_step_problem("title: \"\"\n", 2, 2, "title: must not be empty");
	expect_step_problem("kind: homework\n", 2, 2, "kind: expected lesson, exercise, project or reflection");
	expect_step_problem("\n\nreviews: many\n", 2, 4, "reviews:");
	expect_step_problem("reviews: 10\n", 2, 2, "reviews:");
	expect_step_problem("reviews: -1\n", 2, 2, "reviews:");
	expect_step_problem("reviews: \"\"\n", 2, 2, "reviews:");
	expect_step_problem("reviews: 2x\n", 2, 2, "reviews:");
	expect_step_problem("estimate: soon\n", 5, 5, "estimate: expected a time");
	expect_step_problem("estimate: 0m\n", 2, 2, "estimate:");
	expect_step_problem("requires: [good, ../bad]\n", 2, 2, "requires: each item is an id");
	expect_step_problem("requires:\n  - good\n  - \"with space\"\n", 2, 4,
			    "requires: each item is an id");
}

static void test_step_meta_bad_types(void)
{
	/* a list where a single value belongs */
	expect_step_problem("kind: lesson\ntitle: [a, b]\n", 2, 3, "title: expected a single value");
	/* a block value is reported on the line where the value starts */
	expect_step_problem("id:\n  - a\n  - b\n", 2, 3, "id: expected a single value");
	/* a mapping where a single value belongs */
	expect_step_problem("estimate:\n  hours: 1\n", 2, 3, "estimate: expected a single value");
	/* a single value where a list belongs */
	expect_step_problem("requires: intro\n", 2, 2, "requires: expected a list");
	expect_step_problem("requires: {a: b}\n", 2, 2, "requires: expected a list");
	/* list items must be scalars */
	expect_step_problem("requires:\n  - a\n  - [b, c]\n", 2, 4,
			    "requires: each item must be a single value");
	expect_step_problem("requires: [a, {b: c}]\n", 2, 2,
			    "requires: each item must be a single value");
}

static void test_step_meta_bad_value_keeps_the_rest(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;
	const char *yaml = "id: ok\nkind: nonsense\ntitle: [x]\nreviews: 4\nrequires: [a, {b: c}, d]\n";

	CHECK_INT(parse_step(&meta, yaml, 2, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, ==, 3);
	CHECK_STR(meta.id, "ok");
	CHECK_INT(meta.kind, ==, -1);
	CHECK(meta.title == NULL);
	CHECK_INT(meta.reviews, ==, 4);
	CHECK_INT(meta.requires.count, ==, 2);
	if (meta.requires.count == 2) {
		CHECK_STR(meta.requires.items[0], "a");
		CHECK_STR(meta.requires.items[1], "d");
	}
	CHECK_INT(problems.count >= 1 ? problems.items[0].line : 0, ==, 3);
	CHECK_INT(problems.count >= 2 ? problems.items[1].line : 0, ==, 4);
	CHECK_INT(problems.count >= 3 ? problems.items[2].line : 0, ==, 6);
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

static void test_step_meta_unknown_key(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;
	const char *yaml = "id: a\nauthor: Someone\nextra:\n  nested: [1, 2]\n  more: x\nkind: lesson\n";
	int i;

	CHECK_INT(parse_step(&meta, yaml, 2, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, ==, 2);
	i = find_problem(&problems, "unknown front matter key 'author'");
	CHECK_INT(i, >=, 0);
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, ==, 3);
	i = find_problem(&problems, "unknown front matter key 'extra'");
	CHECK_INT(i, >=, 0);
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, ==, 4);
	/* the unknown key's nested value is skipped and the keys after it still read */
	CHECK_STR(meta.id, "a");
	CHECK_INT(meta.kind, ==, GR_STEP_LESSON);
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);

	/* a track-only key is unknown in a step, and a step key in a track */
	expect_step_problem("language: en\n", 2, 2, "unknown front matter key 'language'");
}

static void test_step_meta_unknown_key_truncated(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;
	char yaml[300];
	char key[201];
	int i;

	memset(key, 'k', 200);
	key[200] = '\0';
	snprintf(yaml, sizeof yaml, "%s: 1\n", key);
	CHECK_INT(parse_step(&meta, yaml, 2, &problems), ==, GR_EINVALID);
	i = find_problem(&problems, "unknown front matter key");
	CHECK_INT(i, >=, 0);
	if (i >= 0)
		CHECK_INT(strlen(problems.items[i].message), <, 120);
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

/* Parse yaml as a step; expect GR_EINVALID and the first problem to match. */
static void expect_first_step_problem(const char *yaml, int line, const char *needle)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;

	CHECK_INT(parse_step(&meta, yaml, 2, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, >=, 1);
	if (problems.count >= 1) {
		CHECK_CONTAINS(problems.items[0].message, needle);
		CHECK_INT(problems.items[0].line, ==, line);
	}
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

static void test_step_meta_not_a_mapping(void)
{
	expect_step_problem("just some words\n", 2, 2, "front matter must be 'key: value' lines");
	/* a list at the top: reported from the line the list starts */
	expect_first_step_problem("\n- a\n- b\n", 3, "front matter must be 'key: value' lines");
}

/*
 * A key that is itself a list or mapping is one problem, and the entries after
 * it are still read.
 */
static void test_step_meta_complex_key(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;

	expect_first_step_problem("id: a\n[x, y]: z\n", 3, "front matter keys must be plain words");
	expect_first_step_problem("? {k: v}\n: z\n", 2, "front matter keys must be plain words");

	CHECK_INT(parse_step(&meta, "[x]: z\nid: a\ntitle: b\n", 2, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, ==, 1);
	CHECK_INT(find_problem(&problems, "unknown front matter key"), ==, -1);
	CHECK_STR(meta.id, "a");
	CHECK_STR(meta.title, "b");
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

static void test_step_meta_invalid_yaml(void)
{
	struct gr_problems problems = { 0 };
	struct gr_step_meta meta;
	const char *yaml = "id: a\ntitle: \"unterminated\nkind: lesson\n";
	int i;

	CHECK_INT(parse_step(&meta, yaml, 2, &problems), ==, GR_EINVALID);
	i = find_problem(&problems, "front matter is not valid YAML");
	CHECK_INT(i, >=, 0);
	CHECK_INT(problems.count, ==, 1);
	/* libyaml reports the quoted scalar's end: line 4 of the front matter */
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, >=, 3);
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, <=, 5);
	/* what came before the error is still set */
	CHECK_STR(meta.id, "a");
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);

	/* bad indentation: a mapping value where a key was expected */
	CHECK_INT(parse_step(&meta, "id: a\n title: b\nkind: x: y\n", 10, &problems), ==,
		  GR_EINVALID);
	i = find_problem(&problems, "front matter is not valid YAML");
	CHECK_INT(i, >=, 0);
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, >=, 10);
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, <=, 12);
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);

	/* a tab for indentation */
	CHECK_INT(parse_step(&meta, "requires:\n\t- a\n", 2, &problems), ==, GR_EINVALID);
	CHECK_INT(find_problem(&problems, "not valid YAML"), >=, 0);
	gr_manifest_step_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

static void test_problems_accumulate_and_clear(void)
{
	struct gr_problems problems = { 0 };

	for (int i = 0; i < 20; i++)
		gr_manifest_problems_add(&problems, "f.md", i + 1, "problem %d of %s", i, "many");
	CHECK_INT(problems.count, ==, 20);
	CHECK_STR(problems.items[19].message, "problem 19 of many");
	CHECK_INT(problems.items[19].line, ==, 20);
	CHECK_STR(problems.items[0].file, "f.md");
	gr_manifest_problems_add(&problems, NULL, 0, "no file");
	CHECK_STR(problems.items[20].file, "");
	gr_manifest_problems_clear(&problems);
	CHECK_INT(problems.count, ==, 0);
	CHECK(problems.items == NULL);
}

/* ---- track meta ---------------------------------------------------------- */

static void test_track_meta(void)
{
	struct gr_problems problems = { 0 };
	struct gr_track_meta meta;
	const char *yaml = "id: c-basics\nlanguage: nl\nrequires: [intro, shell.tools]\n";

	CHECK_INT(parse_track(&meta, yaml, 2, &problems), ==, 0);
	CHECK_INT(problems.count, ==, 0);
	CHECK_STR(meta.id, "c-basics");
	CHECK_STR(meta.language, "nl");
	CHECK_INT(meta.requires.count, ==, 2);
	if (meta.requires.count == 2)
		CHECK_STR(meta.requires.items[1], "shell.tools");
	gr_manifest_track_clear(&meta);
	CHECK(meta.id == NULL);
	CHECK(meta.language == NULL);

	CHECK_INT(parse_track(&meta, "language: en-GB\n", 2, &problems), ==, 0);
	CHECK_STR(meta.language, "en-GB");
	CHECK(meta.id == NULL);
	gr_manifest_track_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

static void expect_track_problem(const char *yaml, int line, const char *needle)
{
	struct gr_problems problems = { 0 };
	struct gr_track_meta meta;
	int i;

	CHECK_INT(parse_track(&meta, yaml, 2, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, ==, 1);
	i = find_problem(&problems, needle);
	CHECK_INT(i, >=, 0);
	if (i >= 0) {
		CHECK_INT(problems.items[i].line, ==, line);
		CHECK_STR(problems.items[i].file, "track.md");
	} else {
		fprintf(stderr, "  (expected a problem containing '%s' for \"%s\")\n", needle, yaml);
	}
	gr_manifest_track_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

static void test_track_meta_problems(void)
{
	/* track ids may not contain '/' although step ids may */
	expect_track_problem("id: a/b\n", 2, "id:");
	expect_track_problem("id: \"a b\"\n", 2, "id:");
	expect_track_problem("language: e\n", 2, "language:");
	expect_track_problem("language: english-as-spoken-here\n", 2, "language:");
	expect_track_problem("\nlanguage: en_US\n", 3, "language:");
	expect_track_problem("language: [en, nl]\n", 2, "language: expected a single value");
	expect_track_problem("requires: other\n", 2, "requires: expected a list");
	expect_track_problem("requires: [ok, \"../x\"]\n", 2, "requires: each item is an id");
	expect_track_problem("kind: lesson\n", 2, "unknown front matter key 'kind'");
	expect_track_problem("id: t\nestimate: 1h\n", 3, "unknown front matter key 'estimate'");
}

static void test_track_meta_not_mapping_or_invalid(void)
{
	struct gr_problems problems = { 0 };
	struct gr_track_meta meta;
	int i;

	CHECK_INT(parse_track(&meta, "- id\n", 2, &problems), ==, GR_EINVALID);
	CHECK_INT(problems.count, >=, 1);
	CHECK_INT(find_problem(&problems, "front matter must be 'key: value' lines"), ==, 0);
	CHECK_INT(problems.count >= 1 ? problems.items[0].line : 0, ==, 2);
	gr_manifest_track_clear(&meta);
	gr_manifest_problems_clear(&problems);

	CHECK_INT(parse_track(&meta, "language: en\nid: [unclosed\n", 2, &problems), ==,
		  GR_EINVALID);
	i = find_problem(&problems, "front matter is not valid YAML");
	CHECK_INT(i, >=, 0);
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, >=, 3);
	CHECK_INT(i >= 0 ? problems.items[i].line : 0, <=, 4);
	CHECK_STR(meta.language, "en");
	CHECK(meta.id == NULL);
	gr_manifest_track_clear(&meta);
	gr_manifest_problems_clear(&problems);
}

/* ---- estimates and ids ----------------------------------------------- */

static void test_estimate_valid(void)
{
	CHECK_INT(gr_manifest_estimate_parse("45m"), ==, 45);
	CHECK_INT(gr_manifest_estimate_parse("2h"), ==, 120);
	CHECK_INT(gr_manifest_estimate_parse("1h30m"), ==, 90);
	CHECK_INT(gr_manifest_estimate_parse("1h30"), ==, 90);
	CHECK_INT(gr_manifest_estimate_parse("90"), ==, 90);
	CHECK_INT(gr_manifest_estimate_parse("1"), ==, 1);
	CHECK_INT(gr_manifest_estimate_parse("0h5m"), ==, 5);
	CHECK_INT(gr_manifest_estimate_parse("10000m"), ==, 10000);
	CHECK_INT(gr_manifest_estimate_parse("1666h"), ==, 99960);
}

static void test_estimate_invalid(void)
{
	static const char *const bad[] = {
		"",	 "m",	   "h",	      "0",     "0m",	"0h",	  "0h0m",   "30m1h",
		"1h2h",	 "30m30m", "1.5h",    "-5",    "+5",	" 45m",	  "45m ",   "45 m",
		"45s",	 "45min",  "1d",      "h30",   "10001", "10001m", "1667h",  "abc",
		"1h30mx", "1hm",   "99999999999999999999",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int minutes = gr_manifest_estimate_parse(bad[i]);

		CHECK_INT(minutes, ==, -1);
		if (minutes != -1)
			fprintf(stderr, "  (for \"%s\")\n", bad[i]);
	}
}

static void test_valid_ids(void)
{
	char long_id[130];

	CHECK(gr_manifest_valid_id("a"));
	CHECK(gr_manifest_valid_id("intro"));
	CHECK(gr_manifest_valid_id("basics/hello-world_2.v1"));
	CHECK(gr_manifest_valid_id("A.b"));
	memset(long_id, 'x', 128);
	long_id[128] = '\0';
	CHECK(gr_manifest_valid_id(long_id));
	long_id[128] = 'x';
	long_id[129] = '\0';
	CHECK(!gr_manifest_valid_id(long_id));

	CHECK(!gr_manifest_valid_id(""));
	CHECK(!gr_manifest_valid_id("/abs"));
	CHECK(!gr_manifest_valid_id("trailing/"));
	CHECK(!gr_manifest_valid_id("a//b"));
	CHECK(!gr_manifest_valid_id(".."));
	CHECK(!gr_manifest_valid_id("a/../b"));
	CHECK(!gr_manifest_valid_id("a..b"));
	CHECK(!gr_manifest_valid_id("has space"));
	CHECK(!gr_manifest_valid_id("tab\there"));
	CHECK(!gr_manifest_valid_id("caf\xc3\xa9"));
	CHECK(!gr_manifest_valid_id("a:b"));
	CHECK(!gr_manifest_valid_id("a\\b"));
	CHECK(!gr_manifest_valid_id("a?b"));
}

int main(void)
{
	RUN(test_split_without_front_matter);
	RUN(test_split_with_front_matter);
	RUN(test_split_dots_terminator_crlf_and_trailing_space);
	RUN(test_split_byte_order_mark);
	RUN(test_split_not_a_fence);
	RUN(test_split_empty_front_matter);
	RUN(test_split_unterminated);
	RUN(test_step_meta_all_keys);
	RUN(test_step_meta_defaults);
	RUN(test_step_meta_kinds_and_block_list);
	RUN(test_step_meta_reflection);
	RUN(test_step_meta_bad_values);
	RUN(test_step_meta_bad_types);
	RUN(test_step_meta_bad_value_keeps_the_rest);
	RUN(test_step_meta_unknown_key);
	RUN(test_step_meta_unknown_key_truncated);
	RUN(test_step_meta_not_a_mapping);
	RUN(test_step_meta_complex_key);
	RUN(test_step_meta_invalid_yaml);
	RUN(test_problems_accumulate_and_clear);
	RUN(test_track_meta);
	RUN(test_track_meta_problems);
	RUN(test_track_meta_not_mapping_or_invalid);
	RUN(test_estimate_valid);
	RUN(test_estimate_invalid);
	RUN(test_valid_ids);
	return harness_done();
}
