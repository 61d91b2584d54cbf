/*
 * cohort.h - what the coaches' board reads about a cohort at once: each
 * learner's reviews and latest activity, the weeks they were active, and
 * the reviews they flagged. A cohort is the users with the same cohort
 * name ("" for none); only active learners count.
 */
#ifndef GR_STORE_COHORT_H
#define GR_STORE_COHORT_H

#include "core/account.h"
#include "store/store.h"

#include <stdint.h>

#define GR_STORE_DAY_MS ((int64_t)24 * 60 * 60 * 1000)

/* The week of a time: weeks since Monday 1970-01-05 UTC (week 0 holds its first days too). */
int64_t gr_store_cohort_week_of(int64_t ms);

/* One active learner of a cohort: reviews given and received, latest progress change (0: none). */
struct gr_store_learner_stats {
	int64_t user_id;
	int given;
	int received;
	int64_t last_activity;
};
typedef int gr_store_stats_fn(const struct gr_store_learner_stats *row, void *payload);
/* Each active learner of the cohort ("" for none), by id. */
int gr_store_cohort_stats(struct gr_store *store, const char *cohort, gr_store_stats_fn *fn,
			  void *payload);

/* Each active learner of the cohort ("" for none): their ids, ascending. */
int gr_store_cohort_members(struct gr_store *store, const char *cohort, gr_store_id_fn *fn,
			    void *payload);

/* A week in which active learners of a cohort changed their progress on a track. */
struct gr_store_week {
	int64_t week;
	int active;
};
typedef int gr_store_week_fn(const struct gr_store_week *row, void *payload);
/* Each week from from_week on with activity, oldest first. */
int gr_store_cohort_weeks(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t from_week, gr_store_week_fn *fn, void *payload);

/* A review of a cohort learner's work on a track, flagged by them, not resolved yet. */
struct gr_store_flag {
	int64_t user_id; /* the author, who flagged it */
	int64_t review_id;
	int64_t flagged_at;
	char step_id[129];
	char kind[16];	   /* rude, wrong, empty, other */
	char reason[1001]; /* the author's words */
	int64_t submission_id;
	int64_t assignment_id;
	int64_t reviewer_id;
};
typedef int gr_store_flag_fn(const struct gr_store_flag *row, void *payload);
/* Each review flagged at or after since whose flag no coach resolved, by id. */
int gr_store_cohort_flags(struct gr_store *store, const char *cohort, const char *track_id,
			  int64_t since, gr_store_flag_fn *fn, void *payload);

/* ---- cohorts as records ---- */

/*
 * Adds a cohort named name (checked by the caller) to the centre of id
 * centre (store/centre.h); GR_EEXISTS if there is one.
 */
int gr_store_cohort_add(struct gr_store *store, const char *name, int64_t centre, int64_t now);

/* The bytes of a centre's name, its end included (64 characters of up to 4 bytes). */
#define GR_STORE_CENTRE_NAME_SIZE (GR_CENTRE_NAME_MAX * 4 + 1)
/* The name of the centre cohort name belongs to; GR_ENOTFOUND when there is no such cohort. */
int gr_store_cohort_centre(struct gr_store *store, char out[GR_STORE_CENTRE_NAME_SIZE],
			   const char *name);
/* *out is 1 when there is a cohort named name. */
int gr_store_cohort_exists(struct gr_store *store, int *out, const char *name);

/* A cohort, with its active learners and its coaches counted. Borrowed for the call. */
struct gr_store_cohort {
	const char *name;
	int64_t created_at;
	int learners;
	int coaches;
	const char *centre; /* the name of its centre */
};
typedef int gr_store_cohort_fn(const struct gr_store_cohort *row, void *payload);
/* Each cohort, by name. */
int gr_store_cohort_each(struct gr_store *store, gr_store_cohort_fn *fn, void *payload);

/*
 * Renames cohort from to to (checked by the caller), and every reference to
 * it: users, invites, who coaches it. Run it inside one transaction.
 * GR_ENOTFOUND when there is no cohort from, GR_EEXISTS when to is taken.
 */
int gr_store_cohort_rename(struct gr_store *store, const char *from, const char *to);

#endif
