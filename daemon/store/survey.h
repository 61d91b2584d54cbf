/*
 * survey.h - reads over whole tables, for the operator's check
 * (services/check.c) and the metrics' gauges: counts, and every row of a
 * kind whatever its state. Rare and not on a hot path, so its statements are
 * prepared for each call rather than cached.
 */
#ifndef GR_STORE_SURVEY_H
#define GR_STORE_SURVEY_H

#include "domain/help.h"
#include "domain/progress.h"
#include "domain/session.h"
#include "store/store.h"

#include <stdint.h>

/* Steps submitted for review that no reviewer has taken yet (state submitted). */
int gr_store_survey_submissions_waiting(struct gr_store *store, int64_t *out);

/* Help requests open, without a helper yet. */
int gr_store_survey_help_open(struct gr_store *store, int64_t *out);

/* Every stored session as its life (a stored session is live or expired). */
typedef int gr_store_survey_session_fn(const struct gr_session *session, void *payload);
int gr_store_survey_each_session(struct gr_store *store, gr_store_survey_session_fn *fn,
				 void *payload);

/* Every help request as its life, told counting its offers; id is the row's. */
typedef int gr_store_survey_help_fn(int64_t id, const struct gr_help_request *request,
				    void *payload);
int gr_store_survey_each_help(struct gr_store *store, gr_store_survey_help_fn *fn, void *payload);

/* Every progress row: whose, which step, its state. */
typedef int gr_store_survey_progress_fn(int64_t user_id, const char *track_id,
					const char *step_id, enum gr_progress_state state,
					void *payload);
int gr_store_survey_each_progress(struct gr_store *store, gr_store_survey_progress_fn *fn,
				  void *payload);

#endif
