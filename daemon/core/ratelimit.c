/*
 * ratelimit.c - sliding-window failure counting (see ratelimit.h).
 *
 * A chained hash table of keys; each entry keeps the times of its last
 * max_failures failures in a ring. When the table is full, entries whose
 * failures have all left the window are swept; if none are, the entry with
 * the oldest last failure is evicted, so a flood of new keys cannot grow
 * memory or blank out the limit of a key under active attack.
 */
#include "core/ratelimit.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384 /* a power of two */

struct entry {
	struct entry *next;
	int64_t failures[GR_RATELIMIT_MAX_FAILURES]; /* a ring, oldest at head */
	int head;
	int count;
	char key[];
};

struct gr_ratelimit {
	struct entry *buckets[BUCKETS];
	int max_failures;
	int64_t window_ms;
	int size;
};

static uint32_t hash(const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h & (BUCKETS - 1);
}

int gr_ratelimit_new(struct gr_ratelimit **out, int max_failures, int64_t window_ms)
{
	*out = NULL;
	if (max_failures < 1 || max_failures > GR_RATELIMIT_MAX_FAILURES || window_ms <= 0) {
		gr_error_set("rate limit: bad limits");
		return GR_EINVALID;
	}
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	(*out)->max_failures = max_failures;
	(*out)->window_ms = window_ms;
	return 0;
}

void gr_ratelimit_free(struct gr_ratelimit *limit)
{
	if (!limit)
		return;
	for (int i = 0; i < BUCKETS; i++) {
		while (limit->buckets[i]) {
			struct entry *next = limit->buckets[i]->next;

			free(limit->buckets[i]);
			limit->buckets[i] = next;
		}
	}
	free(limit);
}

static struct entry **find(struct gr_ratelimit *limit, const char *key)
{
	struct entry **link = &limit->buckets[hash(key)];

	while (*link && strcmp((*link)->key, key) != 0)
		link = &(*link)->next;
	return link;
}

static void unlink_entry(struct gr_ratelimit *limit, struct entry **link)
{
	struct entry *gone = *link;

	*link = gone->next;
	free(gone);
	limit->size--;
}

static int64_t newest(const struct entry *entry)
{
	return entry->failures[(entry->head + entry->count - 1) % GR_RATELIMIT_MAX_FAILURES];
}

/* Drop failures that left the window. */
static void expire(struct gr_ratelimit *limit, struct entry *entry, int64_t now)
{
	while (entry->count > 0 && entry->failures[entry->head] <= now - limit->window_ms) {
		entry->head = (entry->head + 1) % GR_RATELIMIT_MAX_FAILURES;
		entry->count--;
	}
}

/* Make room for one more key. */
static void make_room(struct gr_ratelimit *limit, int64_t now)
{
	struct entry **oldest = NULL;

	for (int i = 0; i < BUCKETS; i++) {
		struct entry **link = &limit->buckets[i];

		while (*link) {
			expire(limit, *link, now);
			if ((*link)->count == 0) {
				unlink_entry(limit, link);
				continue;
			}
			if (!oldest || newest(*link) < newest(*oldest))
				oldest = link;
			link = &(*link)->next;
		}
	}
	if (limit->size >= GR_RATELIMIT_MAX_KEYS && oldest)
		unlink_entry(limit, oldest);
}

int64_t gr_ratelimit_blocked_until(struct gr_ratelimit *limit, const char *key, int64_t now)
{
	struct entry **link = find(limit, key);

	if (!*link)
		return 0;
	expire(limit, *link, now);
	if ((*link)->count < limit->max_failures)
		return 0;
	return (*link)->failures[(*link)->head] + limit->window_ms;
}

void gr_ratelimit_fail(struct gr_ratelimit *limit, const char *key, int64_t now)
{
	struct entry **link = find(limit, key);
	struct entry *entry = *link;

	if (!entry) {
		size_t len = strlen(key);

		if (limit->size >= GR_RATELIMIT_MAX_KEYS)
			make_room(limit, now);
		entry = calloc(1, sizeof(*entry) + len + 1);
		if (!entry)
			return; /* fails open for this key; the address key still counts */
		memcpy(entry->key, key, len + 1);
		entry->next = limit->buckets[hash(key)];
		limit->buckets[hash(key)] = entry;
		limit->size++;
	}
	expire(limit, entry, now);
	if (entry->count == limit->max_failures) {
		entry->head = (entry->head + 1) % GR_RATELIMIT_MAX_FAILURES;
		entry->count--;
	}
	entry->failures[(entry->head + entry->count) % GR_RATELIMIT_MAX_FAILURES] = now;
	entry->count++;
}

void gr_ratelimit_forgive(struct gr_ratelimit *limit, const char *key, int64_t at)
{
	struct entry *entry = *find(limit, key);

	if (!entry)
		return;
	for (int i = entry->count - 1; i >= 0; i--) {
		int index = (entry->head + i) % GR_RATELIMIT_MAX_FAILURES;

		if (entry->failures[index] != at)
			continue;
		/* Close the gap: move the newer failures one place back. */
		for (int j = i; j < entry->count - 1; j++)
			entry->failures[(entry->head + j) % GR_RATELIMIT_MAX_FAILURES] =
				entry->failures[(entry->head + j + 1) % GR_RATELIMIT_MAX_FAILURES];
		entry->count--;
		return;
	}
}

void gr_ratelimit_clear(struct gr_ratelimit *limit, const char *key)
{
	struct entry **link = find(limit, key);

	if (*link)
		unlink_entry(limit, link);
}

int gr_ratelimit_size(const struct gr_ratelimit *limit)
{
	return limit->size;
}
