/*
 * outcomes.h - what became of each learner (a job, an internship, further
 * study, stopped; a date and a note), recorded by a coach of their cohort
 * or an admin, and the figures of each cohort and each centre: how many
 * reached each outcome, and the median number of days from joining to it. HTTP routes
 * in docs/api.md ("Outcomes"); the CSV is export.c's.
 *
 * No network or SQLite type appears here. Loop thread only.
 */
#ifndef GR_OUTCOMES_H
#define GR_OUTCOMES_H

#include "core/account.h"
#include "core/clock.h"
#include "core/json.h"

struct gr_store;
struct gr_turn;
struct gr_outcomes;

/* A new service on store and the loop's turn (borrowed); clock NULL: the wall clock. */
int gr_outcomes_new(struct gr_outcomes **out, struct gr_store *store, struct gr_turn *turn,
		    gr_clock_fn *clock);
/* Accepts NULL. */
void gr_outcomes_free(struct gr_outcomes *outcomes);

/*
 * Record (or replace) the outcome of the learner handle, by a coach of
 * their cohort or an admin: kind "job", "internship", "study" or
 * "stopped", date "YYYY-MM-DD" (the day it happened), note plain text up
 * to 1000 bytes (NULL: none). GR_EINVALID with *out_field naming the
 * field, GR_ENOTFOUND (no such learner), GR_EFORBIDDEN (the message says
 * why).
 */
int gr_outcomes_record(struct gr_outcomes *outcomes, const struct gr_user *by, const char *handle,
		       const char *kind, const char *date, const char *note,
		       const char **out_field);

/*
 * The figures of every cohort by may coach, and of every centre by belongs
 * to (an admin: every centre), each by name: a new object
 * {"centres": [{"centre", "cohorts": [names], "learners", "reached",
 * "median_days", "outcomes"}], "cohorts": [{"cohort", "centre",
 * "learners", "reached", "median_days", "outcomes": {"job": {"count",
 * "median_days"}, …}}]}; median_days is null where nobody reached one. A
 * centre's figures add up its cohorts in "cohorts": those by coaches.
 */
int gr_outcomes_figures(struct gr_outcomes *outcomes, struct gr_json **out,
			const struct gr_user *by);

/* Whole days from joining (ms) to the day an outcome was reached (ms, 00:00 UTC): by UTC dates. */
int gr_outcomes_days(int64_t joined_at, int64_t reached_at);

/* "YYYY-MM-DD" (years 2000-2199) to 00:00 UTC of that day in ms; -1 when not a date. */
int64_t gr_outcomes_parse_date(const char *text);

#endif
