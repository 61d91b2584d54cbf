/*
 * accounts.h - accounts that recover: a user's own profile and sessions,
 * password reset links made by a coach or an admin, cohorts as records,
 * and the admin's view of users. Design: "Resetting a password" in
 * docs/operating.md; the HTTP routes in docs/api.md.
 *
 * What the operator's tool and the web client both do is here once: the
 * tool calls these with maker NULL (the operator), the API with the
 * signed-in user, whose rights are checked here (services/rights.h).
 * Changes to roles, cohorts, passwords and invites stay auth.c's
 * (gr_auth_user_*); this service adds what they lacked.
 *
 * Every change is one change of the turn, committed before it is reported;
 * one that ends sessions tells auth's listener (gr_auth_on_change()), so
 * open connections close before the caller is answered.
 */
#ifndef GR_ACCOUNTS_H
#define GR_ACCOUNTS_H

#include "core/account.h"
#include "core/clock.h"
#include "core/secret.h"
#include "domain/reset.h"
#include "services/auth.h"
#include "store/centre.h"
#include "store/user.h"

struct gr_store;
struct gr_turn;
struct gr_workers;
struct gr_accounts;

/* A session is marked seen at most this often (a write). */
#define GR_ACCOUNTS_SEEN_EVERY_MS ((int64_t)60 * 1000)
/* The most users one search returns. */
#define GR_ACCOUNTS_SEARCH_MAX 200

/*
 * workers may be NULL for the operator's tool, which never uses a reset
 * link. clock NULL: the wall clock. Changes commit at once until given the
 * loop's turn.
 */
int gr_accounts_new(struct gr_accounts **out, struct gr_store *store, struct gr_auth *auth,
		    struct gr_workers *workers, gr_clock_fn *clock);
void gr_accounts_set_turn(struct gr_accounts *accounts, struct gr_turn *turn);
void gr_accounts_free(struct gr_accounts *accounts);

/* ---- one's own profile and sessions ---- */

/*
 * Change user's display name and language (NULL: as it was; language ""
 * : none). user is updated. GR_EINVALID with *out_field "display_name" or
 * "language".
 */
int gr_accounts_set_profile(struct gr_accounts *accounts, struct gr_user *user,
			    const char **out_field, const char *display_name, const char *language);

/*
 * The session of token was used now from agent (NULL: unknown); writes at
 * most once a minute. The API calls it on GET /api/me, which the client
 * asks when it starts, not on every request or socket (a write each).
 */
void gr_accounts_session_seen(struct gr_accounts *accounts, const char *token, const char *agent);

/* One of a user's sessions, borrowed for the call. */
struct gr_accounts_session {
	char id[17];	   /* the first 8 bytes of its token's hash, in hex: names it, reveals nothing */
	int current;	   /* it is the session asking */
	int64_t created_at;
	int64_t seen_at;
	int64_t expires_at;
	const char *agent; /* a short name of the browser, "" when unknown */
};
typedef int gr_accounts_session_fn(const struct gr_accounts_session *session, void *payload);
/* Each open session of user, last seen first; token is the asking one's. */
int gr_accounts_sessions(struct gr_accounts *accounts, const struct gr_user *user,
			 const char *token, gr_accounts_session_fn *fn, void *payload);
/* End every session of user but token's; *out_ended says how many ended. */
int gr_accounts_end_other_sessions(struct gr_accounts *accounts, int *out_ended,
				   const struct gr_user *user, const char *token);

/* "Firefox on Linux" and the like from a User-Agent header, into out. */
void gr_accounts_agent_name(char *out, size_t size, const char *user_agent);

/* ---- reset links ---- */

/*
 * Make a reset link for the user handle, by maker (NULL: the operator's
 * tool): an admin for anyone, a coach for the learners of the cohorts they
 * coach (gr_rights_may_coach()). The newest link replaces the user's older
 * ones. The token is written to out_token; out_user receives the user.
 * GR_ENOTFOUND (no such user), GR_EFORBIDDEN.
 */
int gr_accounts_reset_create(struct gr_accounts *accounts, char out_token[GR_TOKEN_TEXT_SIZE],
			     struct gr_reset *out, struct gr_user *out_user,
			     const struct gr_user *maker, const char *handle);

/*
 * The account a token resets, while it may be used: GR_ENOTFOUND (not a
 * link), GR_EUSED, GR_ECONFLICT (replaced), GR_EEXPIRED, GR_EFORBIDDEN
 * (the account is disabled); the message says which to its holder.
 */
int gr_accounts_reset_check(struct gr_accounts *accounts, struct gr_user *out,
			    struct gr_reset *out_reset, const char *token);

/*
 * Set a new password with a reset link and end every session of its user.
 * The password is hashed on the workers; done is called once on the loop
 * thread with the result (field "password" for a bad one, "token" for the
 * link), its user filled in on success.
 */
void gr_accounts_reset_use(struct gr_accounts *accounts, const char *token, const char *password,
			   gr_auth_done_fn *done, void *payload);

/* ---- centres ---- */

/*
 * Add a centre; by NULL (the operator's tool) or an admin. GR_EINVALID or
 * GR_EEXISTS with *out_field "name", "borough" or "address"; GR_EFORBIDDEN.
 */
int gr_accounts_centre_add(struct gr_accounts *accounts, const struct gr_user *by,
			   const char **out_field, const char *name, const char *borough,
			   const char *address);

/*
 * *out the id of the centre named name; NULL or "": the only centre there
 * is. GR_EINVALID with a message naming the centre when there is no such
 * one, or when name is empty and there are several.
 */
int gr_accounts_centre_find(struct gr_accounts *accounts, int64_t *out, const char *name);

/*
 * Each centre with its figures (learners active in the last 7 days, steps
 * finished in the last 30): for the operator (NULL) and admins only.
 */
int gr_accounts_centres(struct gr_accounts *accounts, const struct gr_user *by,
			gr_store_centre_fn *fn, void *payload);

/*
 * Make centres[0..count) (names, at least one) the centres of the coach
 * handle, by the operator (NULL) or an admin. The cohorts they coached
 * outside them are no longer theirs; their open connections close as
 * after any change of rights. GR_ENOTFOUND (no such user), GR_EINVALID
 * (not a coach, no centre, an unknown centre: the message names it).
 */
int gr_accounts_coach_centres(struct gr_accounts *accounts, struct gr_user *out,
			      const struct gr_user *by, const char *handle,
			      const char *const *centres, size_t count);

/*
 * Names the default centre name (the setting default_centre) once, at the
 * first start after the database moved to centres; nothing afterwards.
 * Another centre with that name already: logged, and the name is kept.
 */
int gr_accounts_name_default_centre(struct gr_accounts *accounts, const char *name);

/* ---- cohorts ---- */

/*
 * Add a cohort to the centre named centre (NULL or "": the only centre);
 * by NULL (the operator's tool) or an admin. GR_EINVALID, GR_EEXISTS with
 * *out_field "name" or "centre"; GR_EFORBIDDEN.
 */
int gr_accounts_cohort_add(struct gr_accounts *accounts, const struct gr_user *by,
			   const char **out_field, const char *name, const char *centre);
/*
 * Rename a cohort and every reference to it in one change (the operator's
 * tool). GR_EINVALID (to), GR_ENOTFOUND (from), GR_EEXISTS (to). The open
 * connections of its members follow as after a change of rights.
 */
int gr_accounts_cohort_rename(struct gr_accounts *accounts, const char *from, const char *to);

/* ---- the admin's view ---- */

/*
 * Users whose handle or name holds text (NULL or "": all), in cohort (NULL
 * or "": any): for an admin every user, for a coach the learners of the
 * cohorts they coach, for a learner none (GR_EFORBIDDEN).
 */
int gr_accounts_users(struct gr_accounts *accounts, const struct gr_user *by, const char *text,
		      const char *cohort, gr_store_user_fn *fn, void *payload);

/* Disable the user handle; their sessions end. GR_ENOTFOUND. */
int gr_accounts_user_disable(struct gr_accounts *accounts, struct gr_user *out,
			     const char *handle);

#endif
