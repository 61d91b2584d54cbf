/*
 * check.c - the operator's check of a database (see check.h; how it is
 * used: "Check" in docs/operating.md).
 *
 * Owns the order of the checks and their reports. Each life is read back
 * from the store as its domain module's plain struct and given to that
 * module's checker (gr_invite_check, gr_reset_check, gr_session_check,
 * gr_help_check, gr_progress_check, gr_review_check, gr_application_check,
 * gr_project_check),
 * the same checkers the services run
 * before every write; SQLite's checks are the store's
 * (gr_store_backup_integrity). A check reports; it never repairs.
 */
#include "services/check.h"

#include "core/clock.h"
#include "core/error.h"
#include "domain/application.h"
#include "domain/help.h"
#include "domain/invite.h"
#include "domain/progress.h"
#include "domain/project.h"
#include "domain/reset.h"
#include "domain/review.h"
#include "domain/session.h"
#include "services/reviews.h"
#include "services/turn.h"
#include "store/application.h"
#include "store/backup.h"
#include "store/invite.h"
#include "store/project.h"
#include "store/reset.h"
#include "store/survey.h"
#include "tracks/library.h"

#include <stdio.h>
#include <string.h>

struct run {
	struct gr_library *library;
	gr_check_report_fn *fn;
	void *payload;
	int problems;
	char missing_track[129]; /* the last track found missing, reported once */
};

static void report(struct run *run, const char *about, const char *problem)
{
	run->problems++;
	if (run->fn)
		run->fn(about, problem, run->payload);
}

static void database_problem(const char *problem, void *payload)
{
	report(payload, "database", problem);
}

static int check_invite(const struct gr_invite *invite, void *payload)
{
	char about[48];

	if (gr_invite_check(invite) != 0) {
		snprintf(about, sizeof(about), "invite %lld", (long long)invite->id);
		report(payload, about, gr_error_last());
	}
	return 0;
}

static int check_reset(const struct gr_reset *reset, void *payload)
{
	char about[48];

	if (gr_reset_check(reset) != 0) {
		snprintf(about, sizeof(about), "reset link %lld", (long long)reset->id);
		report(payload, about, gr_error_last());
	}
	return 0;
}

static int check_application(const struct gr_store_application *row, void *payload)
{
	char about[48];

	if (gr_application_check(&row->life) != 0) {
		snprintf(about, sizeof(about), "application %lld", (long long)row->life.id);
		report(payload, about, gr_error_last());
	}
	return 0;
}

static int check_project(const struct gr_store_project *row, void *payload)
{
	char about[48];

	if (gr_project_check(&row->life) != 0) {
		snprintf(about, sizeof(about), "project %lld", (long long)row->life.id);
		report(payload, about, gr_error_last());
	}
	return 0;
}

static int check_session(const struct gr_session *session, void *payload)
{
	char about[48];

	if (gr_session_check(session) != 0) {
		snprintf(about, sizeof(about), "a session of user %lld",
			 (long long)session->user_id);
		report(payload, about, gr_error_last());
	}
	return 0;
}

static int check_help(int64_t id, const struct gr_help_request *request, void *payload)
{
	char about[48];

	if (gr_help_check(request) != 0) {
		snprintf(about, sizeof(about), "help request %lld", (long long)id);
		report(payload, about, gr_error_last());
	}
	return 0;
}

static int check_progress(int64_t user_id, const char *track_id, const char *step_id,
			  enum gr_progress_state state, void *payload)
{
	struct run *run = payload;
	const struct gr_track *track = run->library ? gr_library_track(run->library, track_id) : NULL;
	const struct gr_step *step = track ? gr_track_step(track, step_id) : NULL;
	char about[320];

	snprintf(about, sizeof(about), "progress of user %lld on %s/%s", (long long)user_id,
		 track_id, step_id);
	if (!track) {
		/* A removed track keeps its progress; only say once that it is unchecked. */
		if (strcmp(run->missing_track, track_id) != 0 && run->fn)
			run->fn(track_id, "track not loaded: its progress rows are not checked",
				run->payload);
		snprintf(run->missing_track, sizeof(run->missing_track), "%s", track_id);
		return 0;
	}
	if (!step)
		return 0; /* a step a later commit removed: kept, and shown nowhere */
	if (gr_progress_check(state, step->reviews) != 0)
		report(run, about, gr_error_last());
	return 0;
}

/* The review engine rebuilt from the store's log, then its invariants. */
static int check_reviews(struct run *run, struct gr_store *store)
{
	struct gr_reviews_settings settings;
	struct gr_reviews *reviews = NULL;
	struct gr_turn *turn = NULL;
	int rc;

	gr_reviews_settings_defaults(&settings);
	if ((rc = gr_turn_new(&turn, store)) != 0)
		return rc;
	if ((rc = gr_reviews_new(&reviews, store, run->library, turn, &settings)) != 0) {
		report(run, "reviews", gr_error_last());
		rc = 0;
	} else if (gr_review_check(gr_reviews_engine(reviews)) != 0) {
		report(run, "reviews", gr_error_last());
	}
	gr_reviews_free(reviews);
	gr_turn_free(turn);
	return rc;
}

int gr_check_run(int *out_problems, struct gr_store *store, struct gr_library *library,
		 gr_check_report_fn *fn, void *payload)
{
	struct run run = { .library = library, .fn = fn, .payload = payload };
	int found = 0;
	int rc;

	*out_problems = 0;
	if ((rc = gr_store_backup_integrity(store, &found, database_problem, &run)) != 0)
		return rc;
	if (found) { /* the rows cannot be trusted to read back */
		*out_problems = run.problems;
		return 0;
	}
	if ((rc = gr_store_invite_each(store, check_invite, &run)) != 0 ||
	    (rc = gr_store_reset_each(store, check_reset, &run)) != 0 ||
	    (rc = gr_store_application_each(store, 0, check_application, &run)) != 0 ||
	    (rc = gr_store_project_each(store, check_project, &run)) != 0 ||
	    (rc = gr_store_survey_each_session(store, check_session, &run)) != 0 ||
	    (rc = gr_store_survey_each_help(store, check_help, &run)) != 0 ||
	    (rc = gr_store_survey_each_progress(store, check_progress, &run)) != 0 ||
	    (rc = check_reviews(&run, store)) != 0)
		return rc;
	*out_problems = run.problems;
	return 0;
}
