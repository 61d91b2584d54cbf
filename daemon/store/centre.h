/*
 * centre.h - the centres of a school and who coaches in which. A centre
 * has a unique name, a borough and an address; every cohort belongs to one
 * (store/cohort.h) and every coach to one or more (coach_centres), and a
 * coach coaches only cohorts of their centres (store/user.h,
 * services/rights.h). A learner belongs to their cohort's centre.
 */
#ifndef GR_STORE_CENTRE_H
#define GR_STORE_CENTRE_H

#include "store/store.h"
#include "store/user.h"

#include <stdint.h>

/* The name a database's first centre has until the setting default_centre names it. */
#define GR_STORE_CENTRE_DEFAULT "Main centre"

/* Adds a centre (checked by the caller); *out its id. GR_EEXISTS when the name is taken. */
int gr_store_centre_add(struct gr_store *store, int64_t *out, const char *name,
			const char *borough, const char *address, int64_t now);

/* *out the id of the centre named name; GR_ENOTFOUND when there is none. */
int gr_store_centre_id(struct gr_store *store, int64_t *out, const char *name);

/* How many centres there are; *out_first the id of the oldest one (0: none). */
int gr_store_centre_count(struct gr_store *store, int64_t *out, int64_t *out_first);

/* A centre with its figures. Borrowed for the call. */
struct gr_store_centre {
	int64_t id;
	const char *name;
	const char *borough;
	const char *address;
	int64_t created_at;
	int cohorts;
	int learners;	/* active learners of its cohorts */
	int coaches;	/* active coaches who belong to it */
	int active;	/* of its learners, those who changed their progress since active_since */
	int passed;	/* steps its learners finished (done or passed) since passed_since */
};
typedef int gr_store_centre_fn(const struct gr_store_centre *row, void *payload);
/* Each centre, by name, with its figures counted over the given windows. */
int gr_store_centre_each(struct gr_store *store, int64_t active_since, int64_t passed_since,
			 gr_store_centre_fn *fn, void *payload);

/* Each centre without its figures (all 0), by name: the light list. */
int gr_store_centre_each_place(struct gr_store *store, gr_store_centre_fn *fn, void *payload);

/* *out is 1 when user_id belongs to centre_id as a coach (the coach_centres relation). */
int gr_store_centre_has_coach(struct gr_store *store, int *out, int64_t user_id,
			      int64_t centre_id);

/* The ids of the active admins and of the active coaches of centre_id, ascending. */
int gr_store_centre_each_watcher(struct gr_store *store, int64_t centre_id, gr_store_id_fn *fn,
				 void *payload);

/* Each centre's name the user id coaches in, by name. */
int gr_store_centre_each_of_coach(struct gr_store *store, int64_t id, gr_store_text_fn *fn,
				  void *payload);

/*
 * Makes centres[0..count) (ids) the centres user id coaches in: the cohorts
 * they coached outside them are no longer theirs, and their rights stamp
 * grows so open connections are closed as their rights changed. Run it
 * inside one change.
 */
int gr_store_centre_set_coach(struct gr_store *store, int64_t id, const int64_t *centres,
			      size_t count);

/*
 * Adds centre (a name) to the centres user_id coaches in, keeping the
 * others: a new coach joining with an invite that names it. GR_ENOTFOUND
 * when there is no such centre.
 */
int gr_store_centre_join_coach(struct gr_store *store, int64_t user_id, const char *centre);

/*
 * The first start after the migration to centres names the default centre
 * name (the setting default_centre), once: *out_named is 1 when it did.
 * GR_EEXISTS when another centre has that name.
 */
int gr_store_centre_name_default(struct gr_store *store, int *out_named, const char *name);

#endif
