/*
 * track_test.c - loading tracks from git (daemon/track.c over gitrepo.c,
 * manifest.c and markdown.c). Fixture repositories are made with the git
 * command line in a temporary directory: a track with a track.md manifest
 * (modules, steps, requires, estimates, review checklist), the same content
 * as a bare clone, refs and pinned commits, a track in a subdirectory, a
 * track without a manifest, links leaving the track (.., absolute paths,
 * encoded ..), symlinks out of the repository, blobs over the size cap,
 * invalid UTF-8, duplicate ids, requires cycles and dangling requires, link
 * rewriting to step and blob URLs, and that the committed tree is read, not
 * the working tree.
 */
#include "core/error.h"
#include "tracks/git.h"
#include "tracks/manifest.h"
#include "tracks/track.h"

#include "harness.h"

#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* ---- fixtures ---------------------------------------------------------- */

/* Run a shell command built with printf; returns its exit status. */
static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int shell(const char *fmt, ...)
{
	char command[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(command, sizeof command, fmt, ap);
	va_end(ap);
	rc = system(command);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, command);
	return rc;
}

/* Write len bytes to dir/path, making the directories on the way. */
static void write_bytes(const char *dir, const char *path, const char *data, size_t len)
{
	char full[1024];
	FILE *file;

	snprintf(full, sizeof full, "%s/%s", dir, path);
	for (char *slash = strchr(full + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(full, 0755);
		*slash = '/';
	}
	file = fopen(full, "wb");
	if (!file || fwrite(data, 1, len, file) != len) {
		perror(full);
		exit(2);
	}
	fclose(file);
}

static void write_file(const char *dir, const char *path, const char *text)
{
	write_bytes(dir, path, text, strlen(text));
}

static void git_init(const char *dir)
{
	CHECK_INT(shell("git init -q -b main '%s'", dir), ==, 0);
}

/* Commit everything in dir; the new commit's id goes to out (may be NULL). */
static void git_commit(const char *dir, char out[GR_GIT_ID_SIZE])
{
	CHECK_INT(shell("cd '%s' && git add -A && git commit -q -m fixture", dir), ==, 0);
	if (out) {
		char command[1200];
		FILE *pipe;

		snprintf(command, sizeof command, "git -C '%s' rev-parse HEAD", dir);
		pipe = popen(command, "r");
		out[0] = '\0';
		if (!pipe || !fgets(out, GR_GIT_ID_SIZE, pipe))
			out[0] = '\0';
		if (pipe)
			pclose(pipe);
		CHECK_INT(strlen(out), ==, 40);
	}
}

/* A path below a temporary directory, in a static buffer per slot. */
static const char *path_in(const char *dir, const char *name)
{
	static char buffers[4][1024];
	static int next;
	char *buffer = buffers[next++ % 4];

	snprintf(buffer, sizeof buffers[0], "%s/%s", dir, name);
	return buffer;
}

/* Load with the given source fields; problems is cleared first. */
static int load(struct gr_track **out, const char *repo, const char *subdir, const char *ref,
		size_t max_blob, struct gr_problems *problems)
{
	struct gr_track_source source = {
		.id = "demo", .repo = repo, .subdir = subdir, .ref = ref, .max_blob = max_blob,
	};

	gr_manifest_problems_clear(problems);
	return gr_track_load(out, &source, problems);
}

/* The index of the first problem for file whose message contains needle, or -1. */
static int find_problem(const struct gr_problems *problems, const char *file, const char *needle)
{
	for (int i = 0; i < problems->count; i++)
		if ((!file || strcmp(problems->items[i].file, file) == 0) &&
		    strstr(problems->items[i].message, needle))
			return i;
	return -1;
}

/* Check a problem exists for file at line (0: any line) mentioning needle. */
static void expect_problem(const struct gr_problems *problems, const char *file, int line,
			   const char *needle)
{
	int i = find_problem(problems, file, needle);

	CHECK_INT(i, >=, 0);
	if (i < 0) {
		fprintf(stderr, "  no problem for %s mentioning '%s'; got:\n", file, needle);
		for (int j = 0; j < problems->count; j++)
			fprintf(stderr, "    %s:%d: %s\n", problems->items[j].file,
				problems->items[j].line, problems->items[j].message);
	} else if (line) {
		CHECK_INT(problems->items[i].line, ==, line);
	}
}

static void print_problems(const struct gr_problems *problems)
{
	for (int j = 0; j < problems->count; j++)
		fprintf(stderr, "    %s:%d: %s\n", problems->items[j].file, problems->items[j].line,
			problems->items[j].message);
}

/* ---- a track with a manifest -------------------------------------------- */

static const char manifest_md[] = "---\n"
				  "id: demo\n"
				  "language: nl\n"
				  "requires: [basics, shell]\n"
				  "---\n"
				  "# Demo *Track*\n"
				  "\n"
				  "A short summary\n"
				  "of the track.\n"
				  "\n"
				  "## Getting started\n"
				  "\n"
				  "- [Welcome](intro.md)\n"
				  "- [Setup](setup/install.md) - install the tools\n"
				  "\n"
				  "## Projects\n"
				  "\n"
				  "- [Build it](project.md)\n"
				  "- Not a step: [the web](https://example.org/)\n";

static const char intro_md[] = "---\n"
			       "id: welcome\n"
			       "estimate: 45m\n"
			       "---\n"
			       "# Welcome here\n"
			       "\n"
			       "Go on to [the setup](setup/install.md#first), see ![logo](images/logo.png)\n"
			       "and get [the code](files/code.c). [Out](https://example.org/x).\n"
			       "[Top](#top)\n";

static const char install_md[] = "# Install\n"
				 "\n"
				 "Back to [welcome](../intro.md) or [the project](./../project.md?x=1).\n"
				 "![shot](../images/logo.png)\n";

static const char project_md[] = "---\n"
				 "kind: project\n"
				 "requires: [welcome, setup/install]\n"
				 "estimate: 2h\n"
				 "---\n"
				 "# Build it\n"
				 "\n"
				 "Do the *thing*.\n"
				 "\n"
				 "## Review checklist\n"
				 "\n"
				 "- [ ] It compiles\n"
				 "- [ ] It has *tests*\n"
				 "\n"
				 "### Style\n"
				 "\n"
				 "- [x] Names are clear\n"
				 "\n"
				 "## Notes\n"
				 "\n"
				 "- [ ] not a rubric item\n";

static void write_demo(const char *dir)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

	write_file(dir, "track.md", manifest_md);
	write_file(dir, "intro.md", intro_md);
	write_file(dir, "setup/install.md", install_md);
	write_file(dir, "project.md", project_md);
	write_file(dir, "extra.md", "# Not listed\n");
	write_file(dir, "files/code.c", "int main(void) { return 0; }\n");
	write_bytes(dir, "images/logo.png", png, sizeof png - 1);
}

/* The demo track as committed, with no uncommitted changes considered. */
static void check_demo(const struct gr_track *track, const char *commit)
{
	const struct gr_step *step;
	const struct gr_track_file *file;
	char url[256];

	CHECK_STR(track->id, "demo");
	CHECK_STR(track->title, "Demo Track");
	CHECK_STR(track->summary, "A short summary of the track.");
	CHECK_STR(track->language, "nl");
	CHECK_INT(track->requires.count, ==, 2);
	if (track->requires.count == 2) {
		CHECK_STR(track->requires.items[0], "basics");
		CHECK_STR(track->requires.items[1], "shell");
	}
	CHECK_STR(track->commit, commit);

	CHECK_INT(track->module_count, ==, 2);
	if (track->module_count == 2) {
		CHECK_STR(track->modules[0].title, "Getting started");
		CHECK_INT(track->modules[0].first_step, ==, 0);
		CHECK_INT(track->modules[0].step_count, ==, 2);
		CHECK_STR(track->modules[1].title, "Projects");
		CHECK_INT(track->modules[1].first_step, ==, 2);
		CHECK_INT(track->modules[1].step_count, ==, 1);
	}

	CHECK_INT(track->step_count, ==, 3);
	if (track->step_count != 3)
		return;
	step = &track->steps[0];
	CHECK_STR(step->id, "welcome");
	CHECK_STR(step->title, "Welcome here");
	CHECK_STR(step->path, "intro.md");
	CHECK_INT(step->kind, ==, GR_STEP_LESSON);
	CHECK_INT(step->reviews, ==, 0);
	CHECK_INT(step->estimate, ==, 45);
	CHECK_INT(step->module, ==, 0);
	CHECK(step->error == NULL);
	CHECK_INT(step->rubric.count, ==, 0);
	file = gr_track_file(track, "intro.md");
	CHECK(file != NULL);
	if (file)
		CHECK_STR(step->blob, file->blob);
	/* a link to another step becomes that step's URL, keeping the fragment */
	CHECK_CONTAINS(step->html, "href=\"/tracks/demo/steps/setup/install#first\"");
	/* images and other files become blob URLs pinned to the commit */
	snprintf(url, sizeof url, "src=\"/t/demo/%s/images/logo.png\"", commit);
	CHECK_CONTAINS(step->html, url);
	snprintf(url, sizeof url, "href=\"/t/demo/%s/files/code.c\"", commit);
	CHECK_CONTAINS(step->html, url);
	CHECK_CONTAINS(step->html, "href=\"https://example.org/x\"");
	CHECK_CONTAINS(step->html, "href=\"#top\"");
	CHECK_NOT_CONTAINS(step->html, "estimate"); /* front matter is not shown */

	step = &track->steps[1];
	CHECK_STR(step->id, "setup/install");
	CHECK_STR(step->title, "Install");
	CHECK_STR(step->path, "setup/install.md");
	CHECK_INT(step->estimate, ==, -1);
	CHECK_INT(step->module, ==, 0);
	CHECK_INT(step->requires.count, ==, 0);
	/* relative links resolve against the step's own directory */
	CHECK_CONTAINS(step->html, "href=\"/tracks/demo/steps/welcome\"");
	CHECK_CONTAINS(step->html, "href=\"/tracks/demo/steps/project\"");
	snprintf(url, sizeof url, "src=\"/t/demo/%s/images/logo.png\"", commit);
	CHECK_CONTAINS(step->html, url);
	CHECK_NOT_CONTAINS(step->html, "../intro.md");

	step = &track->steps[2];
	CHECK_STR(step->id, "project");
	CHECK_STR(step->title, "Build it");
	CHECK_INT(step->kind, ==, GR_STEP_PROJECT);
	CHECK_INT(step->reviews, ==, 2); /* projects default to two reviews */
	CHECK_INT(step->estimate, ==, 120);
	CHECK_INT(step->module, ==, 1);
	CHECK_INT(step->requires.count, ==, 2);
	if (step->requires.count == 2) {
		CHECK_STR(step->requires.items[0], "welcome");
		CHECK_STR(step->requires.items[1], "setup/install");
	}
	/* the rubric: task items under "## Review checklist", including its subsections */
	CHECK_INT(step->rubric.count, ==, 3);
	if (step->rubric.count == 3) {
		CHECK_STR(step->rubric.items[0], "It compiles");
		CHECK_STR(step->rubric.items[1], "It has tests");
		CHECK_STR(step->rubric.items[2], "Names are clear");
	}
	CHECK_CONTAINS(step->html, "<em>thing</em>");

	/* lookups */
	CHECK(gr_track_step(track, "welcome") == &track->steps[0]);
	CHECK(gr_track_step(track, "project") == &track->steps[2]);
	CHECK(gr_track_step(track, "intro") == NULL);
	CHECK(gr_track_step(track, "extra") == NULL); /* not listed in track.md */
	CHECK_INT(gr_track_step_index(track, gr_track_step(track, "project")), ==, 2);
	CHECK_INT(gr_track_step_index(track, NULL), ==, -1);

	/* every file is there for serving, sorted by path, with its size */
	file = gr_track_file(track, "images/logo.png");
	CHECK(file != NULL);
	CHECK_INT(file ? file->size : 0, ==, 16);
	CHECK_INT(file ? strlen(file->blob) : 0, ==, 40);
	CHECK(gr_track_file(track, "files/code.c") != NULL);
	CHECK(gr_track_file(track, "extra.md") != NULL);
	CHECK(gr_track_file(track, "missing.png") == NULL);
	CHECK_INT(track->file_count, ==, 7);
	for (int i = 1; i < track->file_count; i++)
		CHECK_INT(strcmp(track->files[i - 1].path, track->files[i].path), <, 0);
}

static void test_manifest_track(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	char commit[GR_GIT_ID_SIZE];

	git_init(repo);
	write_demo(repo);
	git_commit(repo, commit);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK(track != NULL);
	CHECK_INT(problems.count, ==, 0);
	print_problems(&problems);
	if (track) {
		CHECK_INT(track->references, ==, 1);
		check_demo(track, commit);
		/* reference counting: retain keeps it alive through one release */
		CHECK(gr_track_retain(track) == track);
		CHECK_INT(track->references, ==, 2);
		gr_track_release(track);
		CHECK_INT(track->references, ==, 1);
		CHECK_STR(track->title, "Demo Track");
	}
	gr_track_release(track);
	gr_track_release(NULL);

	/* problems may be NULL */
	{
		struct gr_track_source source = { .id = "demo", .repo = repo };

		track = NULL;
		CHECK_INT(gr_track_load(&track, &source, NULL), ==, 0);
		CHECK_INT(track ? track->step_count : 0, ==, 3);
		gr_track_release(track);
	}
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

static void test_bare_clone_reads_the_same(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	const char *bare = path_in(dir, "bare.git");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL, *from_bare = NULL;
	char commit[GR_GIT_ID_SIZE];

	git_init(repo);
	write_demo(repo);
	git_commit(repo, commit);
	CHECK_INT(shell("git clone -q --bare '%s' '%s'", repo, bare), ==, 0);
	CHECK_INT(load(&from_bare, bare, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(problems.count, ==, 0);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	if (from_bare && track) {
		check_demo(from_bare, commit);
		CHECK_INT(from_bare->step_count, ==, track->step_count);
		for (int i = 0; i < track->step_count && i < from_bare->step_count; i++) {
			CHECK_STR(from_bare->steps[i].id, track->steps[i].id);
			CHECK_STR(from_bare->steps[i].html, track->steps[i].html);
			CHECK_STR(from_bare->steps[i].blob, track->steps[i].blob);
		}
	}
	gr_track_release(track);
	gr_track_release(from_bare);

	/* the same content pushed to a fresh bare repository, on another branch */
	CHECK_INT(shell("git init -q --bare '%s/pushed.git' && git -C '%s' push -q '%s/pushed.git' "
			"main:refs/heads/published",
			dir, repo, dir),
		  ==, 0);
	CHECK_INT(load(&from_bare, path_in(dir, "pushed.git"), NULL, "published", 0, &problems), ==,
		  0);
	if (from_bare)
		check_demo(from_bare, commit);
	gr_track_release(from_bare);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

static void test_reads_committed_tree_not_working_tree(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	char commit[GR_GIT_ID_SIZE];

	git_init(repo);
	write_demo(repo);
	git_commit(repo, commit);
	/* change, stage, add and delete in the working tree without committing */
	write_file(repo, "intro.md", "# Uncommitted WORKTREE-EDIT\n");
	write_file(repo, "setup/install.md", "# Staged STAGED-EDIT\n");
	CHECK_INT(shell("git -C '%s' add setup/install.md", repo), ==, 0);
	write_file(repo, "new.md", "# New NEW-FILE\n");
	CHECK_INT(shell("rm '%s/project.md'", repo), ==, 0);
	write_file(repo, "track.md", "# Replaced\n\n- [New](new.md)\n");

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(problems.count, ==, 0);
	if (track) {
		check_demo(track, commit);
		for (int i = 0; i < track->step_count; i++) {
			CHECK_NOT_CONTAINS(track->steps[i].html, "WORKTREE-EDIT");
			CHECK_NOT_CONTAINS(track->steps[i].html, "STAGED-EDIT");
			CHECK_NOT_CONTAINS(track->steps[i].html, "NEW-FILE");
		}
		CHECK(gr_track_file(track, "new.md") == NULL);
	}
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

static void test_refs_and_pinned_commits(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	char first[GR_GIT_ID_SIZE], second[GR_GIT_ID_SIZE];

	git_init(repo);
	write_file(repo, "a.md", "# Version one\n");
	git_commit(repo, first);
	CHECK_INT(shell("git -C '%s' branch old", repo), ==, 0);
	write_file(repo, "a.md", "# Version two\n");
	git_commit(repo, second);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_STR(track ? track->commit : NULL, second);
	CHECK_STR(track && track->step_count ? track->steps[0].title : NULL, "Version two");
	gr_track_release(track);

	CHECK_INT(load(&track, repo, NULL, "old", 0, &problems), ==, 0);
	CHECK_STR(track ? track->commit : NULL, first);
	CHECK_STR(track && track->step_count ? track->steps[0].title : NULL, "Version one");
	gr_track_release(track);

	{
		struct gr_track_source source = { .id = "demo", .repo = repo, .commit = first };

		CHECK_INT(gr_track_load(&track, &source, &problems), ==, 0);
		CHECK_STR(track ? track->commit : NULL, first);
		CHECK_STR(track && track->step_count ? track->steps[0].title : NULL, "Version one");
		gr_track_release(track);
		source.commit = "0123456789012345678901234567890123456789";
		CHECK_INT(gr_track_load(&track, &source, &problems), ==, GR_ENOTFOUND);
		CHECK(track == NULL);
	}

	CHECK_INT(load(&track, repo, NULL, "no-such-branch", 0, &problems), ==, GR_ENOTFOUND);
	CHECK(track == NULL);
	CHECK_CONTAINS(gr_error_last(), "no-such-branch");
	CHECK_INT(load(&track, path_in(dir, "not-a-repo"), NULL, NULL, 0, &problems), ==,
		  GR_ENOTFOUND);
	CHECK(track == NULL);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/* ---- a track in a subdirectory ---------------------------------------------- */

static void test_subdir_track(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	char commit[GR_GIT_ID_SIZE], url[256];

	git_init(repo);
	write_file(repo, "README.md", "# The repository, not the track\n");
	write_file(repo, "secret.md", "# Outside SECRET-OUTSIDE\n");
	write_file(repo, "courses/c/track.md", "# C course\n\n## One\n\n- [Start](start.md)\n"
					       "- [Outside](../../secret.md)\n");
	write_file(repo, "courses/c/start.md", "# Start\n\n![pic](img/p.png)\n\n"
					       "[next](more/next.md) [escape](../../secret.md)\n");
	write_file(repo, "courses/c/more/next.md", "# Next\n\n[back](../start.md)\n");
	write_file(repo, "courses/c/img/p.png", "PNG");
	git_commit(repo, commit);

	CHECK_INT(load(&track, repo, "courses/c", NULL, 0, &problems), ==, 0);
	if (track) {
		CHECK_STR(track->title, "C course");
		CHECK_INT(track->step_count, ==, 1);
		CHECK_STR(track->step_count ? track->steps[0].id : NULL, "start");
		CHECK_STR(track->step_count ? track->steps[0].path : NULL, "start.md");
		/* files are named relative to the track */
		CHECK(gr_track_file(track, "img/p.png") != NULL);
		CHECK(gr_track_file(track, "more/next.md") != NULL);
		CHECK(gr_track_file(track, "README.md") == NULL);
		CHECK(gr_track_file(track, "secret.md") == NULL);
		snprintf(url, sizeof url, "src=\"/t/demo/%s/img/p.png\"", commit);
		CHECK_CONTAINS(track->step_count ? track->steps[0].html : NULL, url);
		CHECK_NOT_CONTAINS(track->step_count ? track->steps[0].html : NULL, "secret.md");
	}
	/* problems name files as they are in the repository */
	expect_problem(&problems, "courses/c/track.md", 6, "outside the track");
	expect_problem(&problems, "courses/c/start.md", 5, "outside the track");
	/* more/next.md exists but is not a step of this track */
	expect_problem(&problems, "courses/c/start.md", 5, "not a step of the track");
	gr_track_release(track);

	/* a trailing slash names the same directory */
	CHECK_INT(load(&track, repo, "courses/c/", NULL, 0, &problems), ==, 0);
	CHECK_STR(track ? track->title : NULL, "C course");
	gr_track_release(track);

	CHECK_INT(load(&track, repo, "courses/missing", NULL, 0, &problems), ==, GR_ENOTFOUND);
	CHECK(track == NULL);
	CHECK_INT(load(&track, repo, "README.md", NULL, 0, &problems), ==, GR_ENOTFOUND);
	CHECK(track == NULL);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/* ---- a track without a manifest -------------------------------------------------- */

static void test_no_manifest(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;

	git_init(repo);
	write_file(repo, "b.md", "# Bee\n\n[to a](a.md) [to c](b/c.md)\n");
	write_file(repo, "a.md", "Just text, no heading.\n");
	write_file(repo, "b/c.md", "---\nid: sea\n---\nNo heading here either.\n");
	write_file(repo, "README.md", "# Read me first\n\nThe summary.\n");
	write_file(repo, "notes.txt", "# not markdown\n");
	write_file(repo, "z/UPPER.MD", "# Upper\n");
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(problems.count, ==, 0);
	print_problems(&problems);
	if (track) {
		static const char *const ids[] = { "README", "a", "b", "sea", "z/UPPER" };
		static const char *const titles[] = { "Read me first", "a", "Bee", "c", "Upper" };

		CHECK_INT(track->step_count, ==, 5);
		for (int i = 0; i < 5 && i < track->step_count; i++) {
			CHECK_STR(track->steps[i].id, ids[i]);
			CHECK_STR(track->steps[i].title, titles[i]);
			CHECK_INT(track->steps[i].module, ==, 0);
		}
		/* the title comes from the first step; one module holds every step */
		CHECK_STR(track->title, "Read me first");
		CHECK_INT(track->module_count, ==, 1);
		CHECK_INT(track->module_count ? track->modules[0].step_count : 0, ==, 5);
		CHECK(gr_track_step(track, "notes") == NULL);
		CHECK(gr_track_file(track, "notes.txt") != NULL);
		if (track->step_count >= 3) {
			CHECK_CONTAINS(track->steps[2].html, "href=\"/tracks/demo/steps/a\"");
			CHECK_CONTAINS(track->steps[2].html, "href=\"/tracks/demo/steps/sea\"");
		}
	}
	gr_track_release(track);

	/* a repository with no markdown at all is not a track */
	git_init(path_in(dir, "empty"));
	write_file(path_in(dir, "empty"), "code.c", "int x;\n");
	git_commit(path_in(dir, "empty"), NULL);
	CHECK_INT(load(&track, path_in(dir, "empty"), NULL, NULL, 0, &problems), ==, GR_EINVALID);
	CHECK(track == NULL);
	expect_problem(&problems, NULL, 0, "no steps");
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/* ---- links that leave the track ------------------------------------------------ */

static void test_links_leaving_the_track(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	const char *html;

	git_init(repo);
	write_file(repo, "links.md", "---\n"
				     "title: Links\n"
				     "---\n"
				     "# Links\n"
				     "\n"
				     "[up](../outside.md)\n"
				     "\n"
				     "[abs](/etc/passwd)\n"
				     "\n"
				     "[deep](sub/../../x.md)\n"
				     "\n"
				     "[encoded](%2e%2E/secret.md)\n"
				     "\n"
				     "![img](../../../etc/hostname)\n"
				     "\n"
				     "[missing](nothere.md)\n"
				     "\n"
				     "![missing image](nothere.png)\n"
				     "\n"
				     "[ok](other.md) [protocol-relative](//evil.example/x)\n"
				     "\n"
				     "[js](javascript:alert(1)) <script>alert(2)</script>\n"
				     "<img src=x onerror=alert(3)>\n");
	write_file(repo, "other.md", "# Other\n");
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	html = track && track->step_count ? track->steps[0].html : NULL;
	/* line numbers count the front matter */
	expect_problem(&problems, "links.md", 6, "'../outside.md' leads outside the track");
	expect_problem(&problems, "links.md", 8, "'/etc/passwd' is an absolute path");
	expect_problem(&problems, "links.md", 10, "'sub/../../x.md' leads outside the track");
	expect_problem(&problems, "links.md", 12, "'%2e%2E/secret.md' leads outside the track");
	expect_problem(&problems, "links.md", 14, "'../../../etc/hostname' leads outside the track");
	expect_problem(&problems, "links.md", 16, "broken link: 'nothere.md' is not in the track");
	expect_problem(&problems, "links.md", 18,
		       "broken image link: 'nothere.png' is not in the track");
	expect_problem(&problems, "links.md", 20, "'//evil.example/x' is an absolute path");
	CHECK_INT(problems.count, ==, 8);
	/* refused links lead nowhere */
	CHECK_NOT_CONTAINS(html, "outside.md");
	CHECK_NOT_CONTAINS(html, "/etc/passwd\"");
	CHECK_NOT_CONTAINS(html, "secret.md\"");
	CHECK_NOT_CONTAINS(html, "hostname\"");
	CHECK_NOT_CONTAINS(html, "evil.example");
	CHECK_CONTAINS(html, "<a href=\"#\">up</a>");
	CHECK_CONTAINS(html, "<a href=\"#\">abs</a>");
	CHECK_CONTAINS(html, "<a href=\"/tracks/demo/steps/other\">ok</a>");
	/* a step is rendered safely: no script, handler or javascript: link */
	CHECK_CONTAINS(html, "<a href=\"\">js</a>");
	CHECK_NOT_CONTAINS(html, "<script");
	CHECK_NOT_CONTAINS(html, "onerror");
	CHECK_NOT_CONTAINS(html, "javascript:");
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/*
 * Run fn(arg) in a child process and return its exit status (0 when its
 * checks passed); a crash shows as 128 + the signal.
 */
static int in_child(void (*fn)(const char *), const char *arg)
{
	int status = 0;
	pid_t pid;

	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(harness_failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "  child died of signal %d\n", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

/* A repository whose track.md has no "# Title": refused with a problem. */
static void load_untitled(const char *repo)
{
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, GR_EINVALID);
	CHECK(track == NULL);
	expect_problem(&problems, "track.md", 1, "no '# Title' heading");
	CHECK_CONTAINS(gr_error_last(), "no '# Title' heading");
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
}

static void test_manifest_link_problems(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;

	git_init(repo);
	write_file(repo, "track.md", "---\n"
				     "language: en\n"
				     "---\n"
				     "# Broken links\n"
				     "\n"
				     "## Module\n"
				     "\n"
				     "- [Good](good.md)\n"
				     "- [Up](../up.md)\n"
				     "- [Absolute](/good.md)\n"
				     "- [Missing](missing.md)\n"
				     "- [Again](good.md)\n"
				     "- [Not markdown](data.csv)\n");
	write_file(repo, "good.md", "# Good\n");
	write_file(repo, "data.csv", "a,b\n");
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(track ? track->step_count : 0, ==, 1);
	expect_problem(&problems, "track.md", 9, "'../up.md' leads outside the track");
	expect_problem(&problems, "track.md", 10, "absolute path");
	expect_problem(&problems, "track.md", 11, "broken step link: 'missing.md'");
	expect_problem(&problems, "track.md", 12, "'good.md' is listed twice");
	CHECK_INT(problems.count, ==, 4);
	gr_track_release(track);

	/*
	 * A manifest without a title makes no track. Loaded in a child process,
	 * so that a crash there is one failed check rather than the end of the run.
	 */
	write_file(repo, "track.md", "Some text.\n\n- [Good](good.md)\n");
	git_commit(repo, NULL);
	CHECK_INT(in_child(load_untitled, repo), ==, 0);

	/* bad front matter in the manifest makes no track either */

	write_file(repo, "track.md", "---\nlanguage: en\nauthor: me\n---\n# T\n\n- [Good](good.md)\n");
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, GR_EINVALID);
	CHECK(track == NULL);
	expect_problem(&problems, "track.md", 3, "unknown front matter key 'author'");

	write_file(repo, "track.md", "---\nlanguage: en\n# T\n\n- [Good](good.md)\n");
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, GR_EINVALID);
	CHECK(track == NULL);
	expect_problem(&problems, "track.md", 1, "no closing");

	write_file(repo, "track.md", "# Only a title\n\n- [Missing](missing.md)\n");
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, GR_EINVALID);
	CHECK(track == NULL);
	expect_problem(&problems, "track.md", 1, "no steps");
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/* ---- symlinks ---------------------------------------------------------------------- */

static void test_symlinks_not_followed(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;

	write_file(dir, "secret.md", "# Secret\n\nTOP-SECRET-CONTENT\n");
	git_init(repo);
	write_file(repo, "real.md", "# Real\n\n[leak](leak.md) ![pic](pic.png)\n");
	CHECK_INT(shell("ln -s '%s/secret.md' '%s/leak.md' && ln -s ../secret.md '%s/rel.md' && "
			"ln -s /etc/passwd '%s/pic.png' && ln -s real.md '%s/alias.md'",
			dir, repo, repo, repo, repo),
		  ==, 0);
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	if (track) {
		CHECK_INT(track->step_count, ==, 1);
		CHECK_STR(track->step_count ? track->steps[0].id : NULL, "real");
		CHECK(gr_track_step(track, "leak") == NULL);
		CHECK(gr_track_step(track, "rel") == NULL);
		CHECK(gr_track_step(track, "alias") == NULL);
		CHECK(gr_track_file(track, "leak.md") == NULL);
		CHECK(gr_track_file(track, "pic.png") == NULL);
		for (int i = 0; i < track->step_count; i++) {
			CHECK_NOT_CONTAINS(track->steps[i].html, "TOP-SECRET");
			CHECK_NOT_CONTAINS(track->steps[i].html, "root:");
			CHECK_NOT_CONTAINS(track->steps[i].html, "/t/demo/");
		}
	}
	expect_problem(&problems, "leak.md", 1, "symbolic links are not followed");
	expect_problem(&problems, "rel.md", 1, "symbolic links are not followed");
	expect_problem(&problems, "pic.png", 1, "symbolic links are not followed");
	expect_problem(&problems, "alias.md", 1, "symbolic links are not followed");
	expect_problem(&problems, "real.md", 3, "broken link: 'leak.md'");
	expect_problem(&problems, "real.md", 3, "broken image link: 'pic.png'");
	gr_track_release(track);

	/* listed in a manifest, or as the manifest itself */
	write_file(repo, "track.md", "# With links\n\n- [Real](real.md)\n- [Leak](leak.md)\n");
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(track ? track->step_count : 0, ==, 1);
	expect_problem(&problems, "track.md", 4, "broken step link: 'leak.md'");
	for (int i = 0; track && i < track->step_count; i++)
		CHECK_NOT_CONTAINS(track->steps[i].html, "TOP-SECRET");
	gr_track_release(track);

	CHECK_INT(shell("cd '%s' && rm track.md && ln -s ../secret.md track.md", repo), ==, 0);
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_STR(track ? track->title : NULL, "Real");
	expect_problem(&problems, "track.md", 1, "symbolic links are not followed");
	for (int i = 0; track && i < track->step_count; i++)
		CHECK_NOT_CONTAINS(track->steps[i].html, "TOP-SECRET");
	gr_track_release(track);

	/* a symlinked subdirectory is not a directory of the track */
	CHECK_INT(shell("ln -s '%s' '%s/outside-dir'", dir, repo), ==, 0);
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, "outside-dir", NULL, 0, &problems), ==, GR_ENOTFOUND);
	CHECK(track == NULL);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/* ---- size cap and encodings ------------------------------------------------------ */

static void check_error_step(const struct gr_track *track, const char *id, const char *why)
{
	const struct gr_step *step = gr_track_step(track, id);

	CHECK(step != NULL);
	if (!step)
		return;
	CHECK(step->error != NULL);
	CHECK_CONTAINS(step->error, why);
	CHECK_CONTAINS(step->html, "cannot be shown");
	CHECK_CONTAINS(step->html, why);
}

static void test_blob_over_size_cap(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	char big[2001], exact[1001];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "# Big\n\n", 7);
	memset(exact, 'y', sizeof exact - 1);
	exact[sizeof exact - 1] = '\0';
	memcpy(exact, "# Exact\n\n", 9);
	git_init(repo);
	write_file(repo, "a.md", "# Small\n");
	write_file(repo, "big.md", big);
	write_file(repo, "exact.md", exact);
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 1000, &problems), ==, 0);
	if (track) {
		CHECK_INT(track->step_count, ==, 3);
		check_error_step(track, "big", "over the limit of 1000");
		CHECK_NOT_CONTAINS(gr_track_step(track, "big") ? gr_track_step(track, "big")->html
							       : NULL,
				   "xxxxxxxx");
		/* the id still comes from the path and the title from the file name */
		CHECK_STR(gr_track_step(track, "big") ? gr_track_step(track, "big")->title : NULL,
			  "big");
		/* exactly the cap is allowed */
		CHECK(gr_track_step(track, "exact") && !gr_track_step(track, "exact")->error);
		CHECK_STR(gr_track_step(track, "exact") ? gr_track_step(track, "exact")->title : NULL,
			  "Exact");
		CHECK(gr_track_step(track, "a") && !gr_track_step(track, "a")->error);
	}
	expect_problem(&problems, "big.md", 1, "2000 bytes, over the limit of 1000");
	CHECK_INT(problems.count, ==, 1);
	gr_track_release(track);

	/* a manifest over the cap makes no track */
	big[0] = '#';
	write_file(repo, "track.md", big);
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, NULL, NULL, 1000, &problems), ==, GR_EINVALID);
	CHECK(track == NULL);
	expect_problem(&problems, "track.md", 1, "over the limit");
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

static void test_blob_over_default_cap(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	size_t size = GR_TRACK_DEFAULT_MAX_BLOB + 1;
	char *huge = malloc(size);
	char message[128];

	memset(huge, 'z', size);
	memcpy(huge, "# Huge\n\n", 8);
	git_init(repo);
	write_file(repo, "a.md", "# Small\n");
	write_bytes(repo, "huge.md", huge, size);
	free(huge);
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	snprintf(message, sizeof message, "%zu bytes, over the limit of %d", size,
		 GR_TRACK_DEFAULT_MAX_BLOB);
	expect_problem(&problems, "huge.md", 1, message);
	if (track)
		check_error_step(track, "huge", "over the limit");
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

static void test_invalid_utf8_step(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	static const char with_nul[] = "# Nul\n\nbefore\0after\n";

	git_init(repo);
	write_file(repo, "good.md", "# Good \xc3\xa9t\xc3\xa9\n");
	write_file(repo, "bad.md", "---\nid: bad-id\n---\n# Bad \xff\xfe <b>\n");
	write_file(repo, "overlong.md", "# Overlong \xc0\xaf\n");
	write_file(repo, "surrogate.md", "# Surrogate \xed\xa0\x80\n");
	write_bytes(repo, "nul.md", with_nul, sizeof with_nul - 1);
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	if (track) {
		CHECK_INT(track->step_count, ==, 5);
		/* front matter cannot be trusted either: the id comes from the path */
		check_error_step(track, "bad", "not valid UTF-8");
		check_error_step(track, "overlong", "not valid UTF-8");
		check_error_step(track, "surrogate", "not valid UTF-8");
		check_error_step(track, "nul", "not valid UTF-8");
		CHECK(gr_track_step(track, "bad-id") == NULL);
		CHECK_STR(gr_track_step(track, "good") ? gr_track_step(track, "good")->title : NULL,
			  "Good \xc3\xa9t\xc3\xa9");
		for (int i = 0; i < track->step_count; i++) {
			CHECK_NOT_CONTAINS(track->steps[i].html, "\xff");
			CHECK_NOT_CONTAINS(track->steps[i].html, "<b>");
		}
	}
	expect_problem(&problems, "bad.md", 1, "is not valid UTF-8 text");
	expect_problem(&problems, "overlong.md", 1, "is not valid UTF-8 text");
	expect_problem(&problems, "surrogate.md", 1, "is not valid UTF-8 text");
	expect_problem(&problems, "nul.md", 1, "is not valid UTF-8 text");
	CHECK_INT(problems.count, ==, 4);
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/* ---- reflection steps ------------------------------------------------------------- */

/* A reflection is reviewed by peers: one review unless it says, and its checklist as any step's. */
static void test_reflection_steps(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;
	const struct gr_step *step;

	git_init(repo);
	write_file(repo, "track.md", "# Soft\n\n## Team\n\n- [Team](team.md)\n- [Two](two.md)\n"
				     "- [Talk](talk.md)\n");
	write_file(repo, "team.md", "---\nid: team\nkind: reflection\n---\n# Working in a team\n\n"
				    "Write about it.\n\n## Review checklist\n\n"
				    "- [ ] It tells one real moment\n- [ ] It names what they would try next\n");
	write_file(repo, "two.md", "---\nid: two\nkind: reflection\nreviews: 2\n---\n# Two\n");
	write_file(repo, "talk.md", "---\nid: talk\nkind: reflection\nreviews: 0\n---\n# Talk\n");
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(problems.count, ==, 0);
	CHECK_INT(track ? track->step_count : 0, ==, 3);
	step = track ? gr_track_step(track, "team") : NULL;
	CHECK(step != NULL);
	if (step) {
		CHECK_INT(step->kind, ==, GR_STEP_REFLECTION);
		CHECK_INT(step->reviews, ==, 1); /* reflections default to one review */
		CHECK_INT(step->rubric.count, ==, 2);
		if (step->rubric.count == 2)
			CHECK_STR(step->rubric.items[1], "It names what they would try next");
	}
	step = track ? gr_track_step(track, "two") : NULL;
	CHECK_INT(step ? step->reviews : -1, ==, 2);
	step = track ? gr_track_step(track, "talk") : NULL;
	CHECK_INT(step ? (int)step->kind : -1, ==, GR_STEP_REFLECTION);
	CHECK_INT(step ? step->reviews : -1, ==, 0);
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

/* ---- ids and requires --------------------------------------------------------------- */

static void test_ids_and_requires(void)
{
	char *dir = harness_temp_dir();
	const char *repo = path_in(dir, "repo");
	struct gr_problems problems = { 0 };
	struct gr_track *track = NULL;

	git_init(repo);
	write_file(repo, "track.md", "# Ids\n\n## All\n\n"
				     "- [A](a.md)\n- [B](b.md)\n- [X](x.md)\n- [Y](y.md)\n"
				     "- [Z](z.md)\n- [W](w.md)\n- [Ok](ok.md)\n");
	write_file(repo, "a.md", "---\nid: same\n---\n# A\n");
	write_file(repo, "b.md", "---\nid: same\n---\n# B\n");
	write_file(repo, "x.md", "---\nrequires: [y]\n---\n# X\n");
	write_file(repo, "y.md", "---\nrequires: [x]\n---\n# Y\n");
	write_file(repo, "z.md", "---\nrequires: [ghost, ok]\n---\n# Z\n");
	write_file(repo, "w.md", "---\nrequires: [w]\n---\n# W\n");
	write_file(repo, "ok.md", "---\nrequires: [same]\nkind: exercise\nreviews: 1\n---\n# Ok\n");
	git_commit(repo, NULL);

	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(track ? track->step_count : 0, ==, 7);
	expect_problem(&problems, "b.md", 0, "duplicate step id 'same' (also a.md)");
	CHECK_INT(find_problem(&problems, "a.md", "duplicate"), ==, -1);
	expect_problem(&problems, "z.md", 0, "requires 'ghost', which is not a step of this track");
	CHECK_INT(find_problem(&problems, "z.md", "'ok'"), ==, -1);
	expect_problem(&problems, NULL, 0, "requires form a cycle");
	CHECK(find_problem(&problems, "x.md", "cycle") >= 0 ||
	      find_problem(&problems, "y.md", "cycle") >= 0);
	expect_problem(&problems, "w.md", 0, "requires form a cycle: 'w' requires 'w'");
	CHECK_INT(find_problem(&problems, "ok.md", ""), ==, -1);
	CHECK_INT(find_problem(&problems, "z.md", "cycle"), ==, -1);
	CHECK_INT(problems.count, ==, 4);
	if (track && gr_track_step(track, "ok")) {
		CHECK_INT(gr_track_step(track, "ok")->kind, ==, GR_STEP_EXERCISE);
		CHECK_INT(gr_track_step(track, "ok")->reviews, ==, 1);
	}
	gr_track_release(track);

	/* a longer cycle through three steps, and bad front matter in a step */
	write_file(repo, "track.md", "# Ids\n\n- [P](p.md)\n- [Q](q.md)\n- [R](r.md)\n");
	write_file(repo, "p.md", "---\nrequires: [q]\n---\n# P\n");
	write_file(repo, "q.md", "---\nrequires: [r]\nauthor: someone\n---\n# Q\n");
	write_file(repo, "r.md", "---\nrequires: [p]\nkind: quiz\n---\n# R\n");
	write_file(repo, "s.md", "---\nid: never-closed\n# S\n\nBody text.\n");
	write_file(repo, "track.md",
		   "# Ids\n\n- [P](p.md)\n- [Q](q.md)\n- [R](r.md)\n- [S](s.md)\n");
	git_commit(repo, NULL);
	CHECK_INT(load(&track, repo, NULL, NULL, 0, &problems), ==, 0);
	CHECK_INT(track ? track->step_count : 0, ==, 4);
	/* unterminated front matter: reported, and the step is still served from its path */
	expect_problem(&problems, "s.md", 1, "no closing");
	CHECK(track && gr_track_step(track, "s") && !gr_track_step(track, "s")->error);
	CHECK(track && !gr_track_step(track, "never-closed"));
	CHECK_CONTAINS(track && gr_track_step(track, "s") ? gr_track_step(track, "s")->html : NULL,
		       "Body text.");
	expect_problem(&problems, NULL, 0, "requires form a cycle");
	expect_problem(&problems, "q.md", 3, "unknown front matter key 'author'");
	expect_problem(&problems, "r.md", 3, "kind: expected lesson, exercise, project or reflection");
	/* a step with a front matter problem is still served, with defaults */
	CHECK_INT(track && gr_track_step(track, "r") ? (int)gr_track_step(track, "r")->kind : -1, ==,
		  GR_STEP_LESSON);
	CHECK_INT(problems.count, ==, 4);
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	harness_remove_tree(dir);
	free(dir);
}

int main(void)
{
	/* fixtures must not depend on the user's or system's git configuration */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "t", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@example.org", 1);
	setenv("GIT_COMMITTER_NAME", "t", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@example.org", 1);
	if (gr_git_init() != 0)
		return 2;
	RUN(test_manifest_track);
	RUN(test_bare_clone_reads_the_same);
	RUN(test_reads_committed_tree_not_working_tree);
	RUN(test_refs_and_pinned_commits);
	RUN(test_subdir_track);
	RUN(test_no_manifest);
	RUN(test_links_leaving_the_track);
	RUN(test_manifest_link_problems);
	RUN(test_symlinks_not_followed);
	RUN(test_blob_over_size_cap);
	RUN(test_blob_over_default_cap);
	RUN(test_invalid_utf8_step);
	RUN(test_ids_and_requires);
	RUN(test_reflection_steps);
	gr_git_shutdown();
	return harness_done();
}
