/*
 * bench_tracks - how long groundsd takes to load and render a big track from
 * git. Writes a track of N realistic lessons (default 700) into a fresh bare
 * repository with libgit2, loads it R times (default 9) exactly as the daemon
 * does, and prints the median, min and max load time and the process's peak
 * memory. Usage: bench_tracks [STEPS] [RUNS]
 */
#include "tracks/git.h"
#include "tracks/track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");

	if (!file || fputs(text, file) < 0) {
		perror(path);
		exit(1);
	}
	fclose(file);
}

/* A lesson of about 4 KB: headings, paragraphs, a list, code, links, an image. */
static void write_lesson(const char *dir, int index, int steps)
{
	char path[1024], text[8192];
	int len;

	len = snprintf(text, sizeof(text),
		       "---\nid: step-%03d\nkind: %s\nestimate: %dm\n%s---\n"
		       "# Lesson %d: working with files\n\n"
		       "In this lesson you practise one more thing about files and folders. "
		       "Take your time: read each part, try the commands, and ask a peer when "
		       "something is unclear. There is no hurry and no deadline.\n\n"
		       "## What you will learn\n\n"
		       "- how to look at what is inside a folder;\n"
		       "- how to make a new folder and move into it;\n"
		       "- how to copy a file and check that the copy is there.\n\n"
		       "## Try it\n\n"
		       "Open the terminal and type the commands below, one at a time. Press "
		       "*Enter* after each one and read what the computer answers.\n\n"
		       "```sh\nmkdir practice-%d\ncd practice-%d\ntouch notes.txt\ncp notes.txt "
		       "notes-copy.txt\nls -l\n```\n\n"
		       "![The terminal after the commands](images/terminal.svg)\n\n"
		       "If you see two files, well done. If you see an error, read it out loud: "
		       "error messages usually say exactly what went wrong. Compare your commands "
		       "with the ones above, letter by letter.\n\n"
		       "## Why this matters\n\n"
		       "Every program you will ever write lives in files and folders. Knowing how "
		       "to move around quickly makes everything else easier, and it is one of the "
		       "first things people ask about in a job interview for a junior role.\n\n"
		       "> Tip: press the up arrow to bring back the command you typed before.\n\n"
		       "| command | what it does |\n| --- | --- |\n| `ls` | list files |\n"
		       "| `cd` | change folder |\n| `cp` | copy |\n\n"
		       "When you are ready, go on to [the next lesson](lesson-%03d.md) or look back "
		       "at [the first one](lesson-000.md).\n",
		       index, index % 10 == 9 ? "project" : index % 3 ? "lesson" : "exercise",
		       10 + index % 50, index > 0 ? "requires: [step-000]\n" : "", index, index, index,
		       (index + 1) % steps);
	if (index % 10 == 9)
		len += snprintf(text + len, sizeof(text) - (size_t)len,
				"\n## Review checklist\n\n- [ ] The folder has the right name\n"
				"- [ ] Both files are there\n- [ ] The commands are written down\n");
	snprintf(path, sizeof(path), "%s/lesson-%03d.md", dir, index);
	write_file(path, text);
}

static void write_track(const char *dir, int steps)
{
	size_t size = 256 + (size_t)steps * 64, len = 0;
	char *manifest = malloc(size), path[1024];

	len += (size_t)snprintf(manifest, size, "# A long track\n\nMany lessons for the benchmark.\n");
	for (int i = 0; i < steps; i++) {
		if (i % 50 == 0)
			len += (size_t)snprintf(manifest + len, size - len, "\n## Module %d\n\n", i / 50 + 1);
		len += (size_t)snprintf(manifest + len, size - len, "- [Lesson %d](lesson-%03d.md)\n", i,
					i);
		write_lesson(dir, i, steps);
	}
	snprintf(path, sizeof(path), "%s/track.md", dir);
	write_file(path, manifest);
	snprintf(path, sizeof(path), "%s/images", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/images/terminal.svg", dir);
	write_file(path, "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>terminal</title></svg>\n");
	free(manifest);
}

int main(int argc, char **argv)
{
	int steps = argc > 1 ? atoi(argv[1]) : 700, runs = argc > 2 ? atoi(argv[2]) : 9;
	char work[] = "/tmp/bench-tracks-XXXXXX", dir[600], repo[600], commit[GR_GIT_ID_SIZE];
	double *times = calloc((size_t)runs, sizeof(double));
	struct gr_problems problems = { 0 };
	struct rusage usage;
	char command[700];

	if (steps < 1 || runs < 1 || !mkdtemp(work) || !times)
		return 2;
	snprintf(dir, sizeof(dir), "%s/track", work);
	snprintf(repo, sizeof(repo), "%s/track.git", work);
	mkdir(dir, 0700);
	write_track(dir, steps);
	gr_git_init();
	if (gr_git_commit_directory(commit, repo, dir, "main", "benchmark track")) {
		fprintf(stderr, "cannot commit the track\n");
		return 1;
	}
	for (int r = 0; r < runs; r++) {
		struct gr_track_source source = { "bench", repo, NULL, NULL, NULL, 0 };
		struct gr_track *track = NULL;
		double start = now_ms();

		if (gr_track_load(&track, &source, r == 0 ? &problems : NULL) != 0) {
			fprintf(stderr, "load failed\n");
			return 1;
		}
		times[r] = now_ms() - start;
		if (r == 0)
			printf("track: %d steps, %d modules, %d files, %d problems\n", track->step_count,
			       track->module_count, track->file_count, problems.count);
		gr_track_release(track);
	}
	qsort(times, (size_t)runs, sizeof(double), compare_doubles);
	getrusage(RUSAGE_SELF, &usage);
	printf("load and render from git, %d runs: median %.1f ms, min %.1f ms, max %.1f ms\n", runs,
	       times[runs / 2], times[0], times[runs - 1]);
	printf("peak memory (max RSS): %.1f MiB\n", usage.ru_maxrss / 1024.0);
	gr_manifest_problems_clear(&problems);
	gr_git_shutdown();
	snprintf(command, sizeof(command), "rm -rf '%s'", work);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", work);
	free(times);
	return 0;
}
