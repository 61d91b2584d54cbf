/*
 * applications.h - applying to the school with one's motivation: someone
 * with no account applies to a centre and gets a private link to see where
 * their application stands; the coaches of that centre (and the admins)
 * are told at once, and invite them (an invite made for that person,
 * linked to the application), put them on the waiting list, or decline
 * with a kind message the applicant reads on their link. Decided
 * applications are deleted application_days after the decision. Design:
 * "Applications" in docs/operating.md; the HTTP routes in docs/api.md.
 *
 * Who may see and decide is services/rights.c's gr_rights_may_see_centre;
 * the life of an application is domain/application.c's. Every change is
 * one change of the turn, committed before it is reported. No network or
 * SQLite type appears here. Loop thread only.
 */
#ifndef GR_APPLICATIONS_H
#define GR_APPLICATIONS_H

#include "core/account.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/secret.h"
#include "store/application.h"
#include "store/centre.h"

struct gr_auth;
struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_applications;

struct gr_applications_settings {
	int keep_days; /* decided applications are deleted this long after the decision */
	int per_hour;  /* applications one address may send in an hour */
};

/*
 * A new service on store, making invites through auth (both borrowed);
 * clock NULL: the wall clock. Changes commit at once until given the
 * loop's turn. The caller's to free.
 */
int gr_applications_new(struct gr_applications **out, struct gr_store *store,
			struct gr_auth *auth, const struct gr_applications_settings *settings,
			gr_clock_fn *clock);
void gr_applications_set_turn(struct gr_applications *apps, struct gr_turn *turn);
/* Tell the coaches through live (borrowed; NULL: nobody, as in the operator's tool). */
void gr_applications_set_live(struct gr_applications *apps, struct gr_live *live);
/* A reload: the new settings from now on. */
int gr_applications_set_settings(struct gr_applications *apps,
				 const struct gr_applications_settings *settings);
/* Accepts NULL. */
void gr_applications_free(struct gr_applications *apps);

/* What an applicant sends. */
struct gr_applications_apply {
	struct gr_application_form form;
	const char *centre;   /* the centre's name */
	const char *language; /* the page's language, "en" or "nl" (else "") */
	const char *address;  /* the client's address, for the rate limit */
};

/*
 * Store an application and tell the centre's coaches. out_token receives
 * the private link's token (only its hash is kept), *out_id its id.
 * GR_EINVALID with *out_field the field at fault ("centre" included);
 * GR_ELIMITED with *out_retry_ms when the address sent too many lately.
 */
int gr_applications_submit(struct gr_applications *apps, char out_token[GR_TOKEN_TEXT_SIZE],
			   int64_t *out_id, const char **out_field, int64_t *out_retry_ms,
			   const struct gr_applications_apply *apply);

/* The application of a private link's token: fn once; GR_ENOTFOUND. */
int gr_applications_by_token(struct gr_applications *apps, const char *token,
			     gr_store_application_fn *fn, void *payload);

/*
 * The applications by (NULL: the operator) may see, newest first: an
 * admin's and the operator's all, a coach's those to their centres; a
 * learner none (GR_EFORBIDDEN).
 */
int gr_applications_list(struct gr_applications *apps, const struct gr_user *by,
			 gr_store_application_fn *fn, void *payload);

/* One application by id, if by (NULL: the operator) may see it: GR_ENOTFOUND, GR_EFORBIDDEN. */
int gr_applications_get(struct gr_applications *apps, const struct gr_user *by, int64_t id,
			gr_store_application_fn *fn, void *payload);

/*
 * A coach's or admin's decisions on application id: the waiting list, an
 * invite as a learner to cohort (a cohort of the application's centre the
 * deciding coach coaches), or a decline with message. GR_ENOTFOUND,
 * GR_EFORBIDDEN, GR_ECONFLICT (decided already), GR_EINVALID with
 * *out_field ("cohort", "message").
 */
int gr_applications_wait(struct gr_applications *apps, const struct gr_user *by, int64_t id);
int gr_applications_invite(struct gr_applications *apps, const struct gr_user *by, int64_t id,
			   const char *cohort, const char **out_field);
int gr_applications_decline(struct gr_applications *apps, const struct gr_user *by, int64_t id,
			    const char *message, const char **out_field);

/* Delete the applications decided keep_days ago or more; *out_count says how many. */
int gr_applications_purge(struct gr_applications *apps, int *out_count);

/* Each centre one may apply to (no figures), by name. */
int gr_applications_centres(struct gr_applications *apps, gr_store_centre_fn *fn, void *payload);

/* An application as the coaches read it (docs/api.md, "GET /api/applications"); NULL: no memory. */
struct gr_json *gr_applications_value(const struct gr_store_application *row);

#endif
