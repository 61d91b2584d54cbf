/*
 * export.h - the progress CSV of issue 6, shared by GET /api/board.csv and
 * `grounds export progress`: one row per active learner of a cohort (by
 * handle) x step of a track (in outline order), RFC 4180 with CRLF line ends.
 */
#ifndef GR_EXPORT_H
#define GR_EXPORT_H

#include "core/account.h"

#include <stddef.h>
#include <stdint.h>

struct gr_store;
struct gr_track;

/*
 * Write the CSV into *out (malloc'd, NUL-terminated, length in *out_len).
 * Columns: handle, display_name, track, step, step_title, state, started_at,
 * finished_at, updated_at, and the latest coach's decision on that step of
 * that learner's work: coach_decision (pass, needs_work, assign, extend,
 * dismiss, uphold), coach (a handle), coach_note, coach_decided_at (times
 * ISO 8601 UTC; all empty when absent).
 */
int gr_export_progress_csv(struct gr_store *store, const struct gr_track *track, const char *cohort,
			   char **out, size_t *out_len);

/*
 * The outcomes of a cohort's learners as CSV, the same way: one row per
 * learner with an outcome (by outcome, then days): handle, display_name,
 * cohort, joined_on, outcome (job, internship, study, stopped), reached_on
 * (dates YYYY-MM-DD, UTC), days (from joining to the outcome), note.
 */
int gr_export_outcomes_csv(struct gr_store *store, const char *cohort, char **out, size_t *out_len);

/*
 * The outcomes of a centre's learners as CSV, the same columns and order
 * (by cohort first): only of the cohorts of centre_id that by may coach
 * (services/rights.h; an admin: all). Whether by may ask about that
 * centre at all is the caller's to decide first.
 */
int gr_export_outcomes_centre_csv(struct gr_store *store, const struct gr_user *by,
				  int64_t centre_id, char **out, size_t *out_len);

#endif
