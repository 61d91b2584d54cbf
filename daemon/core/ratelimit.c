/*
 * ratelimit.c - failed attempts per key, by a policy (see ratelimit.h).
 *
 * A chained hash table of keys. An entry keeps a count of failures, when it
 * last failed, when its forgetting clock started, and its attempts in
 * flight; no list of times, so a ceiling of hundreds costs the same as one
 * of five. When the table is full, entries with nothing to remember are
 * swept; if none are, the entry with the oldest last failure is evicted, so
 * a flood of new keys cannot grow memory or blank out the limit of a key
 * under active attack.
 *
 * Invariants: 0 <= failures; 0 <= in_flight; an entry with neither is
 * removable at any time.
 */
#include "core/ratelimit.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384 /* a power of two */

struct entry {
	struct entry *next;
	int failures;	      /* not yet forgotten */
	int in_flight;	      /* attempts begun and not ended */
	int64_t last_failure; /* when it last failed */
	int64_t forget_from;  /* the next failure is forgotten forget_ms after this */
	char key[];
};

struct gr_ratelimit {
	struct entry *buckets[BUCKETS];
	struct gr_ratelimit_policy policy;
	int size;
};

static uint32_t hash(const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h & (BUCKETS - 1);
}

static int policy_valid(const struct gr_ratelimit_policy *policy)
{
	return policy->free_failures >= 1 && policy->free_failures <= GR_RATELIMIT_MAX_FREE &&
	       policy->delay_ms >= 0 && policy->max_delay_ms >= policy->delay_ms &&
	       policy->forget_ms > 0;
}

int gr_ratelimit_new(struct gr_ratelimit **out, const struct gr_ratelimit_policy *policy)
{
	*out = NULL;
	if (!policy_valid(policy)) {
		gr_error_set("rate limit: bad limits");
		return GR_EINVALID;
	}
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	(*out)->policy = *policy;
	return 0;
}

int gr_ratelimit_set_policy(struct gr_ratelimit *limit, const struct gr_ratelimit_policy *policy)
{
	if (!policy_valid(policy)) {
		gr_error_set("rate limit: bad limits");
		return GR_EINVALID;
	}
	limit->policy = *policy;
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

/* Forget the failures whose time has come. */
static void forget(const struct gr_ratelimit *limit, struct entry *entry, int64_t now)
{
	int64_t periods;

	if (entry->failures == 0 || now <= entry->forget_from)
		return;
	periods = (now - entry->forget_from) / limit->policy.forget_ms;
	if (periods >= entry->failures) {
		entry->failures = 0;
		return;
	}
	entry->failures -= (int)periods;
	entry->forget_from += periods * limit->policy.forget_ms;
}

/* The wait after the failures beyond the free ones: delay_ms doubled per extra failure. */
static int64_t wait_after(const struct gr_ratelimit_policy *policy, int extra)
{
	int64_t wait = policy->delay_ms;

	for (int i = 0; i < extra && wait < policy->max_delay_ms; i++)
		wait *= 2;
	return wait < policy->max_delay_ms ? wait : policy->max_delay_ms;
}

/* When a key with failures >= free_failures may try again, ignoring what is in flight. */
static int64_t waits_until(const struct gr_ratelimit *limit, const struct entry *entry)
{
	const struct gr_ratelimit_policy *policy = &limit->policy;
	int extra = entry->failures - policy->free_failures;

	if (policy->delay_ms > 0)
		return entry->last_failure + wait_after(policy, extra);
	return entry->forget_from + (int64_t)(extra + 1) * policy->forget_ms;
}

int64_t gr_ratelimit_blocked_until(struct gr_ratelimit *limit, const char *key, int64_t now)
{
	struct entry *entry = *find(limit, key);
	int64_t until;
	int tries;

	if (!entry)
		return 0;
	forget(limit, entry, now);
	if (entry->failures < limit->policy.free_failures) {
		tries = limit->policy.free_failures - entry->failures;
	} else {
		until = waits_until(limit, entry);
		if (until > now)
			return until;
		tries = 1;
	}
	if (entry->in_flight < tries)
		return 0;
	return now + GR_RATELIMIT_IN_FLIGHT_WAIT_MS;
}

/* Make room for one more key. */
static void make_room(struct gr_ratelimit *limit, int64_t now)
{
	struct entry **oldest = NULL;

	for (int i = 0; i < BUCKETS; i++) {
		struct entry **link = &limit->buckets[i];

		while (*link) {
			forget(limit, *link, now);
			if ((*link)->failures == 0 && (*link)->in_flight == 0) {
				unlink_entry(limit, link);
				continue;
			}
			if (!oldest || (*link)->last_failure < (*oldest)->last_failure)
				oldest = link;
			link = &(*link)->next;
		}
	}
	if (limit->size >= GR_RATELIMIT_MAX_KEYS && oldest)
		unlink_entry(limit, oldest);
}

/* key's entry, made when missing; NULL without memory. */
static struct entry *entry_for(struct gr_ratelimit *limit, const char *key, int64_t now)
{
	struct entry **link = find(limit, key);
	struct entry *entry = *link;
	size_t len;

	if (entry)
		return entry;
	if (limit->size >= GR_RATELIMIT_MAX_KEYS)
		make_room(limit, now);
	len = strlen(key);
	entry = calloc(1, sizeof(*entry) + len + 1);
	if (!entry)
		return NULL;
	memcpy(entry->key, key, len + 1);
	entry->next = limit->buckets[hash(key)];
	limit->buckets[hash(key)] = entry;
	limit->size++;
	return entry;
}

void gr_ratelimit_begin(struct gr_ratelimit *limit, const char *key, int64_t now)
{
	struct entry *entry = entry_for(limit, key, now);

	if (entry)
		entry->in_flight++;
}

void gr_ratelimit_end(struct gr_ratelimit *limit, const char *key, int64_t now, int failed)
{
	struct entry *entry = failed ? entry_for(limit, key, now) : *find(limit, key);

	if (!entry)
		return; /* evicted meanwhile, and nothing to count */
	if (entry->in_flight > 0)
		entry->in_flight--;
	if (!failed)
		return;
	forget(limit, entry, now);
	if (entry->failures == 0)
		entry->forget_from = now;
	entry->failures++;
	entry->last_failure = now;
}

void gr_ratelimit_clear(struct gr_ratelimit *limit, const char *key)
{
	struct entry **link = find(limit, key);

	if (!*link)
		return;
	if ((*link)->in_flight > 0)
		(*link)->failures = 0;
	else
		unlink_entry(limit, link);
}

void gr_ratelimit_sweep(struct gr_ratelimit *limit, int64_t now)
{
	for (int i = 0; i < BUCKETS; i++) {
		struct entry **link = &limit->buckets[i];

		while (*link) {
			forget(limit, *link, now);
			if ((*link)->failures == 0 && (*link)->in_flight == 0)
				unlink_entry(limit, link);
			else
				link = &(*link)->next;
		}
	}
}

int gr_ratelimit_failures(struct gr_ratelimit *limit, const char *key, int64_t now)
{
	struct entry *entry = *find(limit, key);

	if (!entry)
		return 0;
	forget(limit, entry, now);
	return entry->failures;
}

int gr_ratelimit_size(const struct gr_ratelimit *limit)
{
	return limit->size;
}
