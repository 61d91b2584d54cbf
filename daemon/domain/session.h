/*
 * session.h - the life of a sign-in session: started by signing in or
 * joining, then signed out, expired, or ended because its user was
 * disabled. Design: "Security" in DESIGN.md; the diagram, transition table
 * and invariants are in session.c.
 *
 * Pure functions over a plain struct and a time the caller passes in: no
 * store, no clock, no secret. The token (random bytes, stored only as
 * their hash) is auth.c's. In the store a session that ends is deleted, so
 * only live sessions, and expired ones not yet pruned, have a row; here
 * every state is a value, to say which moves there are.
 */
#ifndef GR_SESSION_H
#define GR_SESSION_H

#include <stdint.h>

#define GR_SESSION_DAY_MS ((int64_t)24 * 60 * 60 * 1000)
#define GR_SESSION_DAYS_MAX 365 /* the longest a sign-in lasts (session_days) */

enum gr_session_state {
	GR_SESSION_LIVE,	  /* signed in */
	GR_SESSION_SIGNED_OUT,	  /* its person signed out; final */
	GR_SESSION_EXPIRED,	  /* expires_at came first; final */
	GR_SESSION_USER_DISABLED, /* an admin disabled its user; final */
	GR_SESSION_STATE_COUNT
};

struct gr_session {
	int64_t user_id;
	int64_t created_at;
	int64_t expires_at;    /* live until just before this time */
	int64_t signed_out_at; /* 0 unless signed out */
	int64_t disabled_at;   /* 0 unless its user was disabled while it was live */
};

/*
 * A new live session, written to out, for user_id at now, lasting days
 * (1 .. GR_SESSION_DAYS_MAX). GR_EINVALID for a user, days or time out of
 * range.
 */
int gr_session_start(struct gr_session *out, int64_t user_id, int days, int64_t now);

/* Where the session stands at now. */
enum gr_session_state gr_session_state_at(const struct gr_session *session, int64_t now);

/*
 * 0 when the session signs its user in at now (it is live); otherwise
 * GR_EAUTH with the words a person sees.
 */
int gr_session_usable(const struct gr_session *session, int64_t now);

/*
 * Its person signs out at now: live -> signed out. Any other state stays
 * as it is: signing out twice, or after the expiry, is no error.
 */
void gr_session_sign_out(struct gr_session *session, int64_t now);

/* Its user was disabled at now: live -> user disabled. Any other state stays. */
void gr_session_disable(struct gr_session *session, int64_t now);

/*
 * The invariants numbered in session.c, in every build type. Returns 0
 * when they hold, else the number of the first broken one (1 .. 4), with a
 * one-line message from gr_error_set() that names it ("session invariant
 * 3: ..."); the message is untouched when they hold. A positive result is
 * not an error code.
 */
int gr_session_check(const struct gr_session *session);

#endif
