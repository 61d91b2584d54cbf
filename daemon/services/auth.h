/*
 * auth.h - accounts in use: invites, joining, signing in and out, sessions,
 * and the sign-in rate limit. Design: "People and roles" and "Security" in
 * DESIGN.md.
 *
 * Hashing a password takes tens of milliseconds, so gr_auth_register() and
 * gr_auth_login() hand it to the worker pool and report through a callback
 * on the loop thread; everything else here is quick and synchronous. Only
 * hashes of invite codes and session tokens are stored: a code or token is
 * seen in clear once, when it is made.
 */
#ifndef GR_AUTH_H
#define GR_AUTH_H

#include "core/account.h"
#include "core/clock.h"
#include "core/secret.h"

struct gr_store;
struct gr_turn;
struct gr_workers;
struct gr_auth;

/*
 * The sign-in limits (docs/security.md, "Rate limits"): an account has
 * max_failures free failed sign-ins, then waits delay_ms after its last
 * failure, twice that after the next, up to failure_window_ms; it forgets
 * one failure per failure_window_ms, and all of them on a correct password.
 * An address (a whole centre behind one NAT) may fail address_failures
 * times within failure_window_ms before it waits. A sign-in in progress
 * is no failure, whatever its outcome turns out to be.
 */
struct gr_auth_settings {
	int invite_days;  /* default expiry of an invite */
	int session_days; /* how long a sign-in lasts */
	int max_failures; /* an account's failed sign-ins before it waits */
	int64_t delay_ms; /* its first wait, doubled by each further failure ... */
	int64_t failure_window_ms; /* ... up to this; the address ceiling's window */
	int address_failures;	   /* failed sign-ins from one address per window */
	gr_clock_fn *clock; /* NULL: the wall clock */
};

/* The first start's admin link lasts a day at most (and only until an admin exists). */
#define GR_AUTH_FIRST_START_DAYS 1

/*
 * The defaults of DESIGN.md and the issue: 14 days, 30 days; 5 free
 * failures per account, then 30 s doubling up to 15 minutes; 300 failures
 * per address in 15 minutes.
 */
void gr_auth_settings_defaults(struct gr_auth_settings *out);

/*
 * workers may be NULL for the operator's tool, which never signs anyone in.
 * Its changes commit at once, until it is given the loop's turn.
 */
int gr_auth_new(struct gr_auth **out, struct gr_store *store, struct gr_workers *workers,
		const struct gr_auth_settings *settings);
/*
 * Make every change in turn (borrowed), the loop's, which all writers of
 * the store share; each is still committed before it is reported. NULL:
 * back to committing at once.
 */
void gr_auth_set_turn(struct gr_auth *auth, struct gr_turn *turn);
void gr_auth_free(struct gr_auth *auth);

/* New sign-in limits from settings (a reload); GR_EINVALID leaves the old ones. */
int gr_auth_set_limits(struct gr_auth *auth, const struct gr_auth_settings *settings);

/* What a committed change ended, for the open connections to follow. */
struct gr_auth_change {
	int64_t user_id;
	const unsigned char *session; /* this one session ended (signed out), or NULL */
	const unsigned char *keep;    /* else every session of the user but this one (NULL: all) */
	int rights;                   /* no session ended: the user's role or cohort changed */
	int joined;                   /* nothing ended: user_id is a new account */
};

/*
 * Called on the loop thread once a change that ended sessions or changed
 * someone's rights is committed (a sign-out, a new password, an account
 * change made in this process), or a new account joined, before the caller
 * is told it happened, so open connections and boards can follow
 * (services/live.h). change is borrowed.
 */
typedef void gr_auth_changed_fn(void *payload, const struct gr_auth_change *change);
void gr_auth_on_change(struct gr_auth *auth, gr_auth_changed_fn *changed, void *payload);

/* What a register or login attempt came to. */
struct gr_auth_result {
	int status;        /* 0 or a GR_E* code */
	const char *field; /* the input field at fault, or NULL */
	char message[256]; /* for a person, when status != 0 */
	struct gr_user user;
	char session_token[GR_TOKEN_TEXT_SIZE];
	int64_t session_expires_at;
	int64_t retry_at; /* GR_ELIMITED: when trying again is allowed */
	const char *limited_by; /* GR_ELIMITED: "account" or "address" */
};

/* Called exactly once, on the loop thread; result is borrowed for the call. */
typedef void gr_auth_done_fn(const struct gr_auth_result *result, void *payload);

struct gr_auth_join {
	const char *invite;
	const char *handle;
	const char *display_name;
	const char *password;
};

/*
 * Create the account an invite allows and sign it in. Failures:
 * GR_EINVALID (field says which), GR_ENOTFOUND / GR_EUSED / GR_EEXPIRED (the
 * invite), GR_EEXISTS (handle taken; the invite stays unspent).
 */
void gr_auth_register(struct gr_auth *auth, const struct gr_auth_join *join,
		      gr_auth_done_fn *done, void *payload);

/*
 * Sign in. GR_EAUTH for a wrong pair (same message and cost whether or not
 * the handle exists), GR_ELIMITED when the handle or the address has to wait
 * (retry_at, limited_by). address identifies the client for the rate limit:
 * the peer, or what a trusted proxy said of it (core/address.h).
 */
void gr_auth_login(struct gr_auth *auth, const char *handle, const char *password,
		   const char *address, gr_auth_done_fn *done, void *payload);

struct gr_auth_password {
	const char *session_token; /* the session making the change: it stays */
	const char *current_password;
	const char *new_password;
	const char *address; /* the client, for the rate limit */
};

/*
 * Change the signed-in user's password and end their other sessions.
 * Failures: GR_EAUTH with field "current_password" for a wrong current
 * password (counted like a failed sign-in), or with no field when the
 * session is not valid; GR_EINVALID with field "new_password"; GR_ELIMITED.
 */
void gr_auth_change_password(struct gr_auth *auth, const struct gr_auth_password *change,
			     gr_auth_done_fn *done, void *payload);

/* The active user of a session token; GR_EAUTH if none, expired or disabled. */
int gr_auth_session_user(struct gr_auth *auth, struct gr_user *out, const char *token);

/* End a session (no error if it does not exist). */
int gr_auth_logout(struct gr_auth *auth, const char *token);

/*
 * Make an invite. creator NULL means the operator (first start or the
 * operator's tool). Who may invite whom: gr_rights_may_invite().
 * days 0 means the default. The code is written to out_code.
 */
int gr_auth_invite_create(struct gr_auth *auth, char out_code[GR_TOKEN_TEXT_SIZE],
			  struct gr_invite *out_invite, const struct gr_user *creator,
			  enum gr_role role, const char *cohort, int days);

/* What an invite is for: role, cohort and centre (NULL or "": none), days (0: the default). */
struct gr_auth_invite_request {
	enum gr_role role;
	const char *cohort;
	const char *centre;
	int days;
};

/*
 * Make an invite as gr_auth_invite_create() does, with a centre: a coach
 * who joins with an invite naming one belongs to that centre (and, with a
 * cohort too, it must lie there). A learner's invite takes its centre
 * from its cohort: a centre named with it must be that one, and is not
 * stored; an admin's names none. GR_EINVALID or GR_EFORBIDDEN with
 * *out_field the field at fault ("cohort", "centre", "role",
 * "expires_in_days"; NULL: none).
 */
int gr_auth_invite_make(struct gr_auth *auth, char out_code[GR_TOKEN_TEXT_SIZE],
			struct gr_invite *out_invite, const char **out_field,
			const struct gr_user *creator, const struct gr_auth_invite_request *request);

/* An invite that can still be used; GR_ENOTFOUND / GR_EUSED / GR_EEXPIRED. */
int gr_auth_invite_check(struct gr_auth *auth, struct gr_invite *out, const char *code);

/*
 * On the very first start (no users, no first-start invite made before),
 * make the one-time admin invite, valid GR_AUTH_FIRST_START_DAYS and only
 * while no admin exists; GR_ENOTFOUND when it is not the first start.
 */
int gr_auth_first_start(struct gr_auth *auth, char out_code[GR_TOKEN_TEXT_SIZE],
			struct gr_invite *out_invite);

/*
 * Create an account directly, hashing on the calling thread (for the
 * operator's tool, never the event loop).
 */
int gr_auth_add_user(struct gr_auth *auth, struct gr_user *user, const char *password);

/*
 * The operator's changes to an account by handle (for the operator's tool:
 * hashing runs on the calling thread). out receives the user as changed.
 * GR_ENOTFOUND for an unknown handle, GR_EINVALID for a bad password or
 * cohort (one not on record, too: gr_auth_cohort_known()). A new password ends every session of the user; a role or cohort
 * change makes a coach coach that cohort only (or nothing, for other roles).
 */
int gr_auth_user_set_password(struct gr_auth *auth, struct gr_user *out, const char *handle,
			      const char *password);
int gr_auth_user_enable(struct gr_auth *auth, struct gr_user *out, const char *handle);
int gr_auth_user_set_role(struct gr_auth *auth, struct gr_user *out, const char *handle,
			  enum gr_role role);
/* cohort NULL or "": none. */
int gr_auth_user_set_cohort(struct gr_auth *auth, struct gr_user *out, const char *handle,
			    const char *cohort);

/*
 * Withdraw an unused invite by its code (or its whole link); out receives
 * it. GR_ENOTFOUND, GR_EUSED (used already), GR_EEXISTS (revoked already).
 */
int gr_auth_invite_revoke(struct gr_auth *auth, struct gr_invite *out, const char *code);

/* ---- for services/accounts.c ---------------------------------------------- */

/*
 * Tell the listener of gr_auth_on_change() what a committed change made
 * elsewhere ended (a reset link used, "sign out everywhere else").
 */
void gr_auth_tell_changed(struct gr_auth *auth, const struct gr_auth_change *change);

/* Withdraw an unused invite by its id, as gr_auth_invite_revoke() by its code. */
int gr_auth_invite_revoke_id(struct gr_auth *auth, struct gr_invite *out, int64_t id);

/*
 * 0 when cohort (NULL or "": none) is a cohort on record; else GR_EINVALID
 * with a message naming it, or the store's failure.
 */
int gr_auth_cohort_known(struct gr_auth *auth, const char *cohort);

/* Drop expired sessions and stale rate-limit entries (a periodic chore). */
void gr_auth_housekeeping(struct gr_auth *auth);

#endif
