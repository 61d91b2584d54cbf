/*
 * attention.c - the coaches' attention list (see attention.h; design in
 * "Attention list" in issue 6).
 *
 * Owns: the five rules that put a learner on the list (stuck, inactive,
 * waiting for a reviewer, a flagged review, an open help request), the
 * "since" of each entry, the per-step median the stuck rule compares with,
 * the order of the list and the kind names used in the protocol. Leaves to
 * others: loading progress, submissions, flags and help requests (store.c),
 * reading the clock (the caller passes now), choosing the cohort and who may
 * see the list, and pushing it live (net layer).
 *
 * One call does all the work in O(S x L log L + E log E) for S steps, L
 * learners and E entries: a pass per step gathers the completed durations
 * and sorts them for the median, a pass over the learners applies the stuck
 * and inactive rules, a pass over each event list applies its rule, and one
 * sort orders the result. Nothing is kept between calls.
 *
 * Boundaries, as the issue words them: "over twice the median" is strict,
 * "at least a day" is inclusive, "no activity for N days" is inclusive,
 * "longer than 24 h" is strict.
 */
#include "domain/attention.h"

#include "core/error.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#define NO_MEDIAN (-1) /* no learner completed the step */

static const char *const kind_names[GR_ATTENTION_KIND_COUNT] = {
	[GR_ATTENTION_STUCK] = "stuck",
	[GR_ATTENTION_INACTIVE] = "inactive",
	[GR_ATTENTION_WAITING_REVIEW] = "waiting_review",
	[GR_ATTENTION_FLAGGED_REVIEW] = "flagged_review",
	[GR_ATTENTION_HELP_REQUEST] = "help_request",
};

/* The entries found so far, grown by doubling. */
struct list {
	struct gr_attention_entry *entries;
	size_t count;
	size_t capacity;
};

struct gr_attention_settings gr_attention_settings_default(void)
{
	struct gr_attention_settings settings = {
		.inactive_days = GR_ATTENTION_INACTIVE_DAYS_DEFAULT,
	};
	return settings;
}

static int add(struct list *list, int64_t learner_id, enum gr_attention_kind kind, int64_t since,
	       int step, int64_t ref)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 64;
		struct gr_attention_entry *grown =
			realloc(list->entries, capacity * sizeof *list->entries);
		if (!grown) {
			gr_error_set("attention: out of memory for %zu entries", capacity);
			return GR_ERROR;
		}
		list->entries = grown;
		list->capacity = capacity;
	}
	list->entries[list->count++] = (struct gr_attention_entry){
		.learner_id = learner_id, .kind = kind, .since = since, .step = step, .ref = ref,
	};
	return 0;
}

static int compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int compare_entries(const void *a, const void *b)
{
	const struct gr_attention_entry *x = a, *y = b;

	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->learner_id != y->learner_id)
		return x->learner_id < y->learner_id ? -1 : 1;
	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	return (x->ref > y->ref) - (x->ref < y->ref);
}

/*
 * Twice the median time of the learners who completed step (the sum of the
 * two middle values over an even count, so it is exact), or NO_MEDIAN.
 * durations has room for every learner.
 */
static int twice_median(int64_t *out, const struct gr_attention_input *input, size_t step,
			int64_t *durations)
{
	size_t n = 0;

	for (size_t i = 0; i < input->learner_count; i++) {
		const struct gr_attention_step *s = &input->learners[i].steps[step];
		if (!s->complete)
			continue;
		if (s->finished_at < s->started_at) {
			gr_error_set("attention: learner %" PRId64 " finished step %zu before starting it",
				     input->learners[i].id, step);
			return GR_EINVALID;
		}
		durations[n++] = s->finished_at - s->started_at;
	}
	if (n == 0) {
		*out = NO_MEDIAN;
		return 0;
	}
	qsort(durations, n, sizeof *durations, compare_int64);
	*out = n % 2 ? 2 * durations[n / 2] : durations[n / 2 - 1] + durations[n / 2];
	return 0;
}

/* twice_median() for every step, into medians[step_count]. */
static int all_medians(int64_t *medians, const struct gr_attention_input *input)
{
	int64_t *durations = NULL;
	int rc = 0;

	if (input->step_count == 0 || input->learner_count == 0)
		goto out;
	durations = malloc(input->learner_count * sizeof *durations);
	if (!durations) {
		gr_error_set("attention: out of memory for %zu durations", input->learner_count);
		rc = GR_ERROR;
		goto out;
	}
	for (size_t step = 0; step < input->step_count && rc == 0; step++)
		rc = twice_median(&medians[step], input, step, durations);
out:
	free(durations);
	return rc;
}

/* The stuck and inactive rules for one learner. */
static int check_learner(struct list *list, const struct gr_attention_learner *learner,
			 const int64_t *medians, const struct gr_attention_input *input,
			 int64_t now, int64_t inactive_ms)
{
	int step = learner->current_step;

	if (step < -1 || (step >= 0 && (size_t)step >= input->step_count)) {
		gr_error_set("attention: learner %" PRId64 " is on step %d of %zu", learner->id,
			     step, input->step_count);
		return GR_EINVALID;
	}
	if (step >= 0 && !learner->steps[step].complete && medians[step] != NO_MEDIAN) {
		int64_t t = now - learner->current_started_at;
		if (t > medians[step] && t >= GR_ATTENTION_DAY_MS) {
			int64_t wait = medians[step] > GR_ATTENTION_DAY_MS ? medians[step]
									   : GR_ATTENTION_DAY_MS;
			if (add(list, learner->id, GR_ATTENTION_STUCK,
				learner->current_started_at + wait, step, 0) != 0)
				return GR_ERROR;
		}
	}
	if (now - learner->last_activity_at >= inactive_ms)
		return add(list, learner->id, GR_ATTENTION_INACTIVE,
			   learner->last_activity_at + inactive_ms, -1, 0);
	return 0;
}

/* The waiting, flagged and help rules: one entry per listed event. */
static int check_events(struct list *list, const struct gr_attention_input *input, int64_t now)
{
	for (size_t i = 0; i < input->waiting_count; i++) {
		const struct gr_attention_waiting *w = &input->waiting[i];
		if (w->step < 0 || (size_t)w->step >= input->step_count) {
			gr_error_set("attention: learner %" PRId64 " waits on step %d of %zu",
				     w->learner_id, w->step, input->step_count);
			return GR_EINVALID;
		}
		if (now - w->waiting_since > GR_ATTENTION_DAY_MS &&
		    add(list, w->learner_id, GR_ATTENTION_WAITING_REVIEW,
			w->waiting_since + GR_ATTENTION_DAY_MS, w->step, 0) != 0)
			return GR_ERROR;
	}
	for (size_t i = 0; i < input->flagged_count; i++) {
		const struct gr_attention_flagged *f = &input->flagged[i];
		if (add(list, f->learner_id, GR_ATTENTION_FLAGGED_REVIEW, f->flagged_at, -1,
			f->review_id) != 0)
			return GR_ERROR;
	}
	for (size_t i = 0; i < input->help_count; i++) {
		const struct gr_attention_help *h = &input->help[i];
		if (add(list, h->learner_id, GR_ATTENTION_HELP_REQUEST, h->opened_at, -1,
			h->request_id) != 0)
			return GR_ERROR;
	}
	return 0;
}

int gr_attention_compute(struct gr_attention_entry **out, size_t *out_count,
			 const struct gr_attention_input *input, int64_t now,
			 const struct gr_attention_settings *settings)
{
	struct gr_attention_settings defaults = gr_attention_settings_default();
	struct list list = { 0 };
	int64_t *medians = NULL;
	int rc = 0;

	assert(out && out_count && input);
	*out = NULL;
	*out_count = 0;
	if (!settings)
		settings = &defaults;
	if (settings->inactive_days < 1 || settings->inactive_days > 3650) {
		gr_error_set("attention: inactive_days %d is not between 1 and 3650",
			     settings->inactive_days);
		return GR_EINVALID;
	}
	medians = calloc(input->step_count ? input->step_count : 1, sizeof *medians);
	if (!medians) {
		gr_error_set("attention: out of memory for %zu steps", input->step_count);
		return GR_ERROR;
	}
	rc = all_medians(medians, input);
	for (size_t i = 0; i < input->learner_count && rc == 0; i++)
		rc = check_learner(&list, &input->learners[i], medians, input, now,
				   settings->inactive_days * GR_ATTENTION_DAY_MS);
	if (rc == 0)
		rc = check_events(&list, input, now);
	if (rc != 0) {
		free(list.entries);
		goto out;
	}
	if (list.count > 1)
		qsort(list.entries, list.count, sizeof *list.entries, compare_entries);
	*out = list.entries;
	*out_count = list.count;
out:
	free(medians);
	return rc;
}

void gr_attention_free(struct gr_attention_entry *entries)
{
	free(entries);
}

const char *gr_attention_kind_name(enum gr_attention_kind kind)
{
	assert((int)kind >= 0 && kind < GR_ATTENTION_KIND_COUNT);
	if ((int)kind < 0 || kind >= GR_ATTENTION_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}
