/*
 * outcomes.c - learners' outcomes (see outcomes.h; routes in docs/api.md,
 * "Outcomes").
 *
 * Owns who may record an outcome (rights.c's rule of cohorts: a coach of
 * the learner's cohort, or an admin), checking what is recorded, and the
 * figures of each cohort and each centre, made from the store's one query
 * of outcomes (store/outcome.c). A centre's figures add up those of its
 * cohorts the reader coaches, so a coach sees of a centre what they see of
 * its cohorts, and nothing of a centre they do not belong to. A change is
 * a change of the loop's turn, flushed before the HTTP reply.
 */
#include "services/outcomes.h"

#include "core/array.h"
#include "core/error.h"
#include "core/log.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/outcome.h"
#include "store/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24LL * 60 * 60 * 1000)

struct gr_outcomes {
	struct gr_store *store;
	struct gr_turn *turn;
	gr_clock_fn *clock;
};

int gr_outcomes_new(struct gr_outcomes **out, struct gr_store *store, struct gr_turn *turn,
		    gr_clock_fn *clock)
{
	struct gr_outcomes *outcomes = calloc(1, sizeof(*outcomes));

	*out = NULL;
	if (!outcomes) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	outcomes->store = store;
	outcomes->turn = turn;
	outcomes->clock = clock;
	*out = outcomes;
	return 0;
}

void gr_outcomes_free(struct gr_outcomes *outcomes)
{
	free(outcomes);
}

static int64_t floor_days(int64_t ms)
{
	return ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
}

int gr_outcomes_days(int64_t joined_at, int64_t reached_at)
{
	return (int)(floor_days(reached_at) - floor_days(joined_at));
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t gr_outcomes_parse_date(const char *text)
{
	static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, leap;

	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			return -1;
	y = atoi(text);
	m = atoi(text + 5);
	d = atoi(text + 8);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1 || d > month_days[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return -1;
	return days_from_civil(y, m, d) * DAY_MS;
}

/* ---- recording ----------------------------------------------------------- */

static int invalid(const char **out_field, const char *field, const char *message)
{
	*out_field = field;
	gr_error_set("%s", message);
	return GR_EINVALID;
}

static int write_outcome(struct gr_outcomes *outcomes, const struct gr_store_outcome *outcome)
{
	struct gr_turn_change change;
	int rc;

	if ((rc = gr_turn_begin(outcomes->turn, &change)) != 0 ||
	    (rc = gr_turn_end(outcomes->turn, &change,
			      gr_store_outcome_put(outcomes->store, outcome))) != 0)
		return rc;
	return gr_turn_flush(outcomes->turn);
}

int gr_outcomes_record(struct gr_outcomes *outcomes, const struct gr_user *by, const char *handle,
		       const char *kind, const char *date, const char *note,
		       const char **out_field)
{
	struct gr_store_outcome outcome = { 0 };
	struct gr_user learner;
	int rc;

	*out_field = NULL;
	if (!gr_account_is_coach(by)) {
		gr_error_set("Only coaches and admins record outcomes.");
		return GR_EFORBIDDEN;
	}
	if ((rc = gr_store_user_by_handle(outcomes->store, &learner, handle)) == GR_ENOTFOUND ||
	    (rc == 0 && learner.role != GR_ROLE_LEARNER)) {
		*out_field = "user";
		gr_error_set("There is no learner with that user name.");
		return GR_ENOTFOUND;
	}
	if (rc != 0)
		return rc;
	if (!gr_rights_may_coach(outcomes->store, by, learner.cohort)) {
		gr_error_set("You may record the outcomes of the learners of the cohorts you coach only.");
		return GR_EFORBIDDEN;
	}
	if (gr_store_outcome_kind_from_name(&outcome.kind, kind) != 0)
		return invalid(out_field, "kind", "'kind' is job, internship, study or stopped.");
	if ((outcome.reached_at = gr_outcomes_parse_date(date)) < 0)
		return invalid(out_field, "date", "'date' is a day written YYYY-MM-DD.");
	if (note && strlen(note) > GR_STORE_OUTCOME_NOTE_MAX)
		return invalid(out_field, "note", "'note' is at most 1000 bytes.");
	snprintf(outcome.note, sizeof(outcome.note), "%s", note ? note : "");
	outcome.user_id = learner.id;
	outcome.coach_id = by->id;
	outcome.recorded_at = outcomes->clock ? outcomes->clock() : gr_clock_now_ms();
	if ((rc = write_outcome(outcomes, &outcome)) != 0)
		return rc;
	gr_log_info("%s recorded the outcome of %s: %s", by->handle, learner.handle, kind);
	return 0;
}

/* ---- figures ------------------------------------------------------------- */

/* The days of each kind of one cohort or centre, gathered from the one query. */
struct tally {
	int *days[GR_STORE_OUTCOME_KIND_COUNT];
	int count[GR_STORE_OUTCOME_KIND_COUNT];
	int capacity[GR_STORE_OUTCOME_KIND_COUNT];
};

static int tally_put(struct tally *tally, int kind, int days)
{
	if (tally->count[kind] == tally->capacity[kind]) {
		int capacity = tally->capacity[kind] ? tally->capacity[kind] * 2 : 16;
		int *grown = realloc(tally->days[kind], (size_t)capacity * sizeof(*grown));

		if (!grown) {
			gr_error_set("out of memory");
			return GR_ERROR;
		}
		tally->days[kind] = grown;
		tally->capacity[kind] = capacity;
	}
	tally->days[kind][tally->count[kind]++] = days;
	return 0;
}

static int tally_one(const struct gr_store_outcome_row *row, void *payload)
{
	return tally_put(payload, (int)row->outcome.kind,
			 gr_outcomes_days(row->joined_at, row->outcome.reached_at));
}

/* Adds every day of from to into. */
static int tally_merge(struct tally *into, const struct tally *from)
{
	int rc = 0;

	for (int kind = 0; rc == 0 && kind < GR_STORE_OUTCOME_KIND_COUNT; kind++)
		for (int i = 0; rc == 0 && i < from->count[kind]; i++)
			rc = tally_put(into, kind, from->days[kind][i]);
	return rc;
}

static void tally_free(struct tally *tally)
{
	for (int kind = 0; kind < GR_STORE_OUTCOME_KIND_COUNT; kind++)
		free(tally->days[kind]);
}

static int by_number(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The median of n numbers (sorted here), or JSON null for none. */
static struct gr_json *median_json(int *days, int n)
{
	if (n == 0)
		return gr_json_null();
	qsort(days, (size_t)n, sizeof(*days), by_number);
	if (n % 2)
		return gr_json_integer(days[n / 2]);
	return gr_json_pack("f", (days[n / 2 - 1] + days[n / 2]) / 2.0);
}

/* {key: name, "learners", "reached", "median_days", "outcomes": {…}} of one cohort or centre. */
static struct gr_json *figures_json(const char *key, const char *name, int learners,
				    struct tally *tally)
{
	struct gr_json *kinds = gr_json_object(), *figures = NULL;
	int total = 0, reached = 0;
	int *all;

	for (int kind = 0; kind < GR_STORE_OUTCOME_KIND_COUNT; kind++)
		total += tally->count[kind];
	all = malloc((size_t)(total ? total : 1) * sizeof(*all));
	for (int kind = 0; all && kinds && kind < GR_STORE_OUTCOME_KIND_COUNT; kind++) {
		for (int i = 0; i < tally->count[kind]; i++)
			all[reached++] = tally->days[kind][i];
		gr_json_set(kinds, gr_store_outcome_kind_name((enum gr_store_outcome_kind)kind),
			    gr_json_pack("{s:i, s:o}", "count", tally->count[kind], "median_days",
					 median_json(tally->days[kind], tally->count[kind])));
	}
	if (all && kinds)
		figures = gr_json_pack("{s:s, s:i, s:i, s:o, s:O}", key, name, "learners", learners,
				       "reached", reached, "median_days", median_json(all, reached),
				       "outcomes", kinds);
	gr_json_free(kinds);
	free(all);
	return figures;
}

/* A centre the reader may see, and what the cohorts of it they coach add up to. */
struct centre_sum {
	int64_t id;
	char name[GR_STORE_CENTRE_NAME_SIZE];
	int learners;
	struct tally tally;
	struct gr_json *cohorts; /* the names counted */
};

struct figures {
	struct gr_outcomes *outcomes;
	const struct gr_user *by;
	struct gr_json *list;
	struct centre_sum *centres; /* by name, as the store lists them */
	size_t centre_count, centre_capacity;
};

static int add_centre(const struct gr_store_centre *centre, void *payload)
{
	struct figures *figures = payload;
	struct centre_sum *sum;
	int rc;

	if (!gr_rights_may_see_centre(figures->outcomes->store, figures->by, centre->id))
		return 0;
	if ((rc = gr_array_grow((void **)&figures->centres, &figures->centre_capacity,
				figures->centre_count, sizeof(*figures->centres))) != 0)
		return rc;
	sum = &figures->centres[figures->centre_count];
	memset(sum, 0, sizeof(*sum));
	sum->id = centre->id;
	snprintf(sum->name, sizeof(sum->name), "%s", centre->name);
	if (!(sum->cohorts = gr_json_array())) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	figures->centre_count++;
	return 0;
}

/* The cohort's figures counted in its centre's too, when the reader sees that centre. */
static int count_in_centre(struct figures *figures, const struct gr_store_cohort *cohort,
			   const struct tally *tally)
{
	for (size_t i = 0; i < figures->centre_count; i++) {
		struct centre_sum *sum = &figures->centres[i];

		if (strcmp(sum->name, cohort->centre) != 0)
			continue;
		sum->learners += cohort->learners;
		if (gr_json_append(sum->cohorts, gr_json_string(cohort->name)) != 0)
			return GR_ERROR;
		return tally_merge(&sum->tally, tally);
	}
	return 0;
}

static int add_cohort(const struct gr_store_cohort *cohort, void *payload)
{
	struct figures *figures = payload;
	struct tally tally = { 0 };
	struct gr_json *row = NULL;
	int rc;

	if (!gr_rights_may_coach(figures->outcomes->store, figures->by, cohort->name))
		return 0;
	rc = gr_store_outcome_each(figures->outcomes->store, cohort->name, 0, tally_one, &tally);
	if (rc == 0)
		rc = count_in_centre(figures, cohort, &tally);
	if (rc == 0 && (!(row = figures_json("cohort", cohort->name, cohort->learners, &tally)) ||
			gr_json_set(row, "centre", gr_json_string(cohort->centre)) != 0 ||
			gr_json_append(figures->list, gr_json_ref(row)) != 0)) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
	}
	gr_json_free(row);
	tally_free(&tally);
	return rc;
}

/* The centres' figures, in their order; NULL when out of memory. */
static struct gr_json *centres_json(struct figures *figures)
{
	struct gr_json *list = gr_json_array(), *row;

	for (size_t i = 0; list && i < figures->centre_count; i++) {
		struct centre_sum *sum = &figures->centres[i];

		row = figures_json("centre", sum->name, sum->learners, &sum->tally);
		if (!row || gr_json_set(row, "cohorts", gr_json_ref(sum->cohorts)) != 0 ||
		    gr_json_append(list, row) != 0) {
			gr_json_free(list);
			return NULL;
		}
	}
	return list;
}

int gr_outcomes_figures(struct gr_outcomes *outcomes, struct gr_json **out,
			const struct gr_user *by)
{
	struct figures figures = { outcomes, by, NULL, NULL, 0, 0 };
	struct gr_json *centres = NULL;
	int rc;

	*out = NULL;
	if (!gr_account_is_coach(by)) {
		gr_error_set("Only coaches and admins see outcomes.");
		return GR_EFORBIDDEN;
	}
	if (!(figures.list = gr_json_array())) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	if ((rc = gr_store_centre_each_place(outcomes->store, add_centre, &figures)) == 0 &&
	    (rc = gr_store_cohort_each(outcomes->store, add_cohort, &figures)) == 0) {
		if ((centres = centres_json(&figures)) &&
		    (*out = gr_json_pack("{s:o, s:O}", "centres", centres, "cohorts", figures.list)))
			rc = 0;
		else
			rc = GR_ERROR;
	}
	for (size_t i = 0; i < figures.centre_count; i++) {
		tally_free(&figures.centres[i].tally);
		gr_json_free(figures.centres[i].cohorts);
	}
	free(figures.centres);
	gr_json_free(figures.list);
	return rc;
}
