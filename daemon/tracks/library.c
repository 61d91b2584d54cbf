/*
 * library.c - the set of served tracks and their reloading (see library.h).
 *
 * A check snapshots the registry on the loop thread, resolves refs and loads
 * changed tracks on a worker, and swaps the new set in on the loop thread.
 * Only one check runs at a time. A commit that failed to load is remembered
 * and not retried until the ref moves again.
 */
#include "tracks/library.h"

#include "core/error.h"
#include "core/log.h"
#include "store/store.h"
#include "store/track.h"
#include "core/workers.h"
#include "core/metrics.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECENT_COMMITS 4

struct entry {
	struct gr_track_entry source;
	struct gr_track *track; /* NULL until a commit loaded */
	char recent[RECENT_COMMITS][GR_GIT_ID_SIZE];
	char failed[GR_GIT_ID_SIZE];
};

struct gr_library {
	struct gr_store *store;
	struct gr_workers *workers;
	size_t max_blob;
	struct entry *entries;
	int count;
	int checking;
	int closed;
	gr_library_change_fn *listener;
	void *listener_payload;
};

/* One registered track in a check: what is known before, what came of it. */
struct item {
	struct gr_track_entry source;
	char loaded[GR_GIT_ID_SIZE];
	char failed[GR_GIT_ID_SIZE];
	char commit[GR_GIT_ID_SIZE];
	struct gr_track *result;
	int rc;
	int problems;
	char message[512];
};

struct check {
	struct gr_library *library;
	struct item *items;
	int count;
	int capacity;
};

int gr_library_new(struct gr_library **out, struct gr_store *store, struct gr_workers *workers,
		   size_t max_blob)
{
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	(*out)->store = store;
	(*out)->workers = workers;
	(*out)->max_blob = max_blob;
	return 0;
}

static void free_entries(struct entry *entries, int count)
{
	for (int i = 0; i < count; i++)
		gr_track_release(entries[i].track);
	free(entries);
}

void gr_library_free(struct gr_library *library)
{
	if (!library)
		return;
	if (library->checking) {
		library->closed = 1; /* the check's done() frees it */
		return;
	}
	free_entries(library->entries, library->count);
	free(library);
}

void gr_library_set_listener(struct gr_library *library, gr_library_change_fn *fn, void *payload)
{
	library->listener = fn;
	library->listener_payload = payload;
}

static struct entry *find(const struct gr_library *library, const char *id)
{
	for (int i = 0; i < library->count; i++)
		if (strcmp(library->entries[i].source.id, id) == 0)
			return &library->entries[i];
	return NULL;
}

/* ---- the check, on a worker ------------------------------------------- */

static void check_item(struct item *item, size_t max_blob)
{
	struct gr_problems problems = { 0 };
	struct gr_track_source source = { item->source.id, item->source.repo, item->source.ref,
					   item->source.subdir, NULL, max_blob };
	struct gr_git *git = NULL;

	item->rc = gr_git_open(&git, item->source.repo);
	if (item->rc == 0)
		item->rc = gr_git_resolve(git, item->commit, item->source.ref);
	gr_git_free(git);
	if (item->rc == 0 && strcmp(item->commit, item->loaded) != 0 &&
	    strcmp(item->commit, item->failed) != 0) {
		source.commit = item->commit;
		item->rc = gr_track_load(&item->result, &source, &problems);
		item->problems = problems.count;
		if (problems.count)
			snprintf(item->message, sizeof(item->message), "%s:%d: %s",
				 problems.items[0].file, problems.items[0].line,
				 problems.items[0].message);
	}
	if (item->rc)
		snprintf(item->message, sizeof(item->message), "%s", gr_error_last());
	gr_manifest_problems_clear(&problems);
}

static void check_work(void *payload)
{
	struct check *check = payload;

	for (int i = 0; i < check->count; i++)
		check_item(&check->items[i], check->library->max_blob);
}

/* ---- swapping in, on the loop thread ---------------------------------- */

static void remember(struct entry *entry, const char *commit)
{
	memmove(entry->recent[1], entry->recent[0], sizeof(entry->recent[0]) * (RECENT_COMMITS - 1));
	memcpy(entry->recent[0], commit, GR_GIT_ID_SIZE);
}

static void notify(struct gr_library *library, const char *id, const char *commit)
{
	if (library->listener)
		library->listener(id, commit, library->listener_payload);
}

/* The new entry for item, taking over the old entry's state where it has one. */
static void apply_item(struct gr_library *library, struct entry *out, struct item *item)
{
	struct entry *old = find(library, item->source.id);

	memset(out, 0, sizeof(*out));
	if (old && strcmp(old->source.repo, item->source.repo) == 0 &&
	    strcmp(old->source.ref, item->source.ref) == 0 &&
	    strcmp(old->source.subdir, item->source.subdir) == 0) {
		*out = *old;
		old->track = NULL;
	}
	out->source = item->source;
	if (item->result) {
		gr_track_release(out->track);
		out->track = item->result;
		item->result = NULL;
		remember(out, out->track->commit);
		out->failed[0] = '\0';
		gr_log_info("track %s: serving commit %.12s (%d steps%s%s)", out->source.id,
			    out->track->commit, out->track->step_count,
			    item->problems ? "; first problem: " : "", item->problems ? item->message : "");
		notify(library, out->source.id, out->track->commit);
	} else if (item->rc) {
		gr_metrics_count(GR_METRICS_TRACK_RELOAD_ERRORS);
		if (item->commit[0])
			memcpy(out->failed, item->commit, sizeof(out->failed));
		gr_log_warn("track %s: %s%s%.12s", out->source.id, item->message,
			    out->track ? "; still serving " : "", out->track ? out->track->commit : "");
	}
}

static int in_check(const struct check *check, const char *id)
{
	for (int i = 0; i < check->count; i++)
		if (strcmp(check->items[i].source.id, id) == 0)
			return 1;
	return 0;
}

static void check_done(void *payload)
{
	struct check *check = payload;
	struct gr_library *library = check->library;
	struct entry *entries = calloc((size_t)check->count + 1, sizeof(*entries));

	library->checking = 0;
	if (library->closed || !entries) {
		free(entries);
		goto out;
	}
	for (int i = 0; i < check->count; i++)
		apply_item(library, &entries[i], &check->items[i]);
	for (int i = 0; i < library->count; i++) {
		if (!in_check(check, library->entries[i].source.id)) {
			gr_log_info("track %s: removed", library->entries[i].source.id);
			notify(library, library->entries[i].source.id, NULL);
		}
	}
	free_entries(library->entries, library->count);
	library->entries = entries;
	library->count = check->count;
out:
	for (int i = 0; i < check->count; i++)
		gr_track_release(check->items[i].result);
	if (library->closed)
		gr_library_free(library);
	free(check->items);
	free(check);
}

/* ---- starting a check ------------------------------------------------- */

static int add_item(const struct gr_track_entry *source, void *payload)
{
	struct check *check = payload;
	struct entry *known = find(check->library, source->id);
	struct item *item;

	if (check->count == check->capacity) {
		int capacity = check->capacity ? check->capacity * 2 : 8;
		struct item *grown = realloc(check->items, sizeof(*grown) * (size_t)capacity);

		if (!grown) {
			gr_error_set("out of memory");
			return GR_ERROR;
		}
		check->items = grown;
		check->capacity = capacity;
	}
	item = &check->items[check->count++];
	memset(item, 0, sizeof(*item));
	item->source = *source;
	if (known && strcmp(known->source.repo, source->repo) == 0 &&
	    strcmp(known->source.ref, source->ref) == 0 &&
	    strcmp(known->source.subdir, source->subdir) == 0) {
		if (known->track)
			memcpy(item->loaded, known->track->commit, sizeof(item->loaded));
		memcpy(item->failed, known->failed, sizeof(item->failed));
	}
	return 0;
}

/* A check of every registered track, read from the store; NULL on failure. */
static struct check *check_new(struct gr_library *library)
{
	struct check *check = calloc(1, sizeof(*check));

	if (!check)
		return NULL;
	check->library = library;
	if (gr_store_track_each(library->store, add_item, check) != 0) {
		gr_log_warn("cannot check the tracks: %s", gr_error_last());
		free(check->items);
		free(check);
		return NULL;
	}
	return check;
}

void gr_library_load(struct gr_library *library)
{
	struct check *check;

	if (library->checking || !(check = check_new(library)))
		return;
	library->checking = 1;
	check_work(check);
	check_done(check);
}

void gr_library_check(struct gr_library *library)
{
	struct check *check;

	if (library->checking || !(check = check_new(library)))
		return;
	if (gr_workers_submit(library->workers, check_work, check_done, check) != 0) {
		gr_log_warn("cannot check the tracks: %s", gr_error_last());
		free(check->items);
		free(check);
		return;
	}
	library->checking = 1;
}

int gr_library_checking(const struct gr_library *library)
{
	return library->checking;
}

int gr_library_count(const struct gr_library *library)
{
	return library->count;
}

struct gr_track *gr_library_at(const struct gr_library *library, int index)
{
	return library->entries[index].track;
}

struct gr_track *gr_library_track(const struct gr_library *library, const char *id)
{
	struct entry *entry = find(library, id);

	return entry ? entry->track : NULL;
}

const struct gr_track_entry *gr_library_source(const struct gr_library *library, const char *id,
					       const char *commit)
{
	struct entry *entry = find(library, id);

	for (int i = 0; entry && i < RECENT_COMMITS; i++)
		if (entry->recent[i][0] && strcmp(entry->recent[i], commit) == 0)
			return &entry->source;
	return NULL;
}

/* ---- sample tracks ---------------------------------------------------- */

static int count_track(const struct gr_track_entry *entry, void *payload)
{
	++*(int *)payload;
	return 0;
}

/* 1 when the sample was added, 0 when skipped, or an error. */
static int add_sample(struct gr_store *store, const char *courses_dir, const char *name,
		      const char *data_dir, int64_t now)
{
	struct gr_track_entry entry = { 0 };
	char dir[PATH_MAX], manifest[PATH_MAX + 16], commit[GR_GIT_ID_SIZE];
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s", courses_dir, name);
	snprintf(manifest, sizeof(manifest), "%s/track.md", dir);
	if (access(manifest, R_OK) != 0 || !gr_manifest_valid_id(name) || strchr(name, '/'))
		return 0;
	snprintf(entry.id, sizeof(entry.id), "%s", name);
	snprintf(entry.repo, sizeof(entry.repo), "%s/tracks/%s.git", data_dir, name);
	if ((rc = gr_git_commit_directory(commit, entry.repo, dir, "main",
					  "Sample track shipped with grounds")) != 0)
		return rc;
	entry.added_at = now;
	rc = gr_store_track_insert(store, &entry);
	if (rc == 0)
		gr_log_info("added the sample track %s (commit %.12s)", name, commit);
	return rc == 0 ? 1 : rc == GR_EEXISTS ? 0 : rc;
}

int gr_library_add_samples(int *out_added, struct gr_store *store, const char *courses_dir,
			   const char *data_dir, int64_t now)
{
	struct dirent **names = NULL;
	char done[8];
	int tracks = 0, count, rc;

	*out_added = 0;
	if (gr_store_meta_get(store, done, sizeof(done), "sample_tracks") == 0)
		return 0;
	if ((rc = gr_store_track_each(store, count_track, &tracks)) != 0)
		return rc;
	if (tracks == 0) {
		count = scandir(courses_dir, &names, NULL, alphasort);
		if (count < 0) {
			gr_log_warn("no sample tracks: cannot read %s", courses_dir);
			count = 0;
		}
		for (int i = 0; i < count; i++) {
			if (names[i]->d_name[0] != '.' &&
			    add_sample(store, courses_dir, names[i]->d_name, data_dir, now) > 0)
				tracks++;
			free(names[i]);
		}
		free(names);
		*out_added = tracks;
	}
	return gr_store_meta_set(store, "sample_tracks", "added");
}
