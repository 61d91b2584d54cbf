/*
 * session.c - the life of a sign-in session (see session.h; design in
 * "Security" in DESIGN.md).
 *
 * Owns: how long a session lasts, when it signs its user in, which ending
 * wins, the words a person sees when it does not, and the invariants of a
 * session. Leaves to others: the token and its hash (secret.c), starting
 * one after a sign-in or a join, and signing out (auth.c), keeping, ending
 * and pruning the rows (store.c), and the cookie (net layer).
 *
 *     gr_session_start()   +------+  gr_session_sign_out()          +------------+
 *     -------------------> | live | ------------------------------> | signed_out |
 *     (a sign-in, a join)  +------+                                 +------------+
 *                           |    |
 *                           |    |   gr_session_disable(): an admin +---------------+
 *                           |    +--------------------------------> | user_disabled |
 *                           |        disabled its user              +---------------+
 *                           |
 *                           |  expires_at comes: time alone, nothing is
 *                           v  written (gr_session_state_at())
 *                      +---------+
 *                      | expired |
 *                      +---------+
 *
 * Transition table; every other move leaves the session as it is:
 *
 *   from   event                        to             function
 *   -----  ---------------------------  -------------  ----------------------------
 *   -      a sign-in or a join          live           gr_session_start()
 *   live   its person signs out         signed_out     gr_session_sign_out()
 *   live   an admin disables its user   user_disabled  gr_session_disable()
 *   live   now reaches expires_at       expired        gr_session_state_at() (time)
 *   signed_out, user_disabled, expired: final.
 *
 * In the daemon's store: auth.c's start_session() inserts a new session's
 * row, gr_auth_logout() deletes it, gr_store_user_disable() deletes every
 * row of the user (and the lookup refuses a disabled user's), and the
 * lookup refuses a row from expires_at on until the housekeeping prunes it.
 *
 * gr_session_usable() is what the store's lookup answers: a session signs
 * its user in only while live (before expires_at, not ended).
 *
 * Invariants of one session, checked by gr_session_check() in every build
 * type (it returns the number of the first broken one):
 *   1. In range: user_id > 0 and created_at > 0.
 *   2. It lasts a while, at most GR_SESSION_DAYS_MAX days: created_at <
 *      expires_at <= created_at + 365 days.
 *   3. It ends at most one way: not both signed out and disabled.
 *   4. An ending falls within its life: created_at <= signed_out_at or
 *      disabled_at < expires_at. Once expired, nothing more happens to it.
 */
#include "domain/session.h"

#include "core/error.h"

#include <assert.h>
#include <inttypes.h>

#define LIFETIME_MAX_MS (GR_SESSION_DAYS_MAX * GR_SESSION_DAY_MS)

int gr_session_start(struct gr_session *out, int64_t user_id, int days, int64_t now)
{
	assert(out);
	if (user_id <= 0 || now <= 0 || days < 1 || days > GR_SESSION_DAYS_MAX) {
		gr_error_set("session: user %" PRId64 ", %d days or time %" PRId64 " out of range",
			     user_id, days, now);
		return GR_EINVALID;
	}
	*out = (struct gr_session){
	    .user_id = user_id,
	    .created_at = now,
	    .expires_at = now + days * GR_SESSION_DAY_MS,
	};
	assert(gr_session_check(out) == 0);
	return 0;
}

enum gr_session_state gr_session_state_at(const struct gr_session *session, int64_t now)
{
	assert(session);
	if (session->signed_out_at)
		return GR_SESSION_SIGNED_OUT;
	if (session->disabled_at)
		return GR_SESSION_USER_DISABLED;
	return now >= session->expires_at ? GR_SESSION_EXPIRED : GR_SESSION_LIVE;
}

int gr_session_usable(const struct gr_session *session, int64_t now)
{
	if (gr_session_state_at(session, now) == GR_SESSION_LIVE)
		return 0;
	gr_error_set("not signed in, or the sign-in has expired");
	return GR_EAUTH;
}

/* now, but never before the session began (a clock set back). */
static int64_t not_before(const struct gr_session *session, int64_t now)
{
	return now > session->created_at ? now : session->created_at;
}

void gr_session_sign_out(struct gr_session *session, int64_t now)
{
	if (gr_session_state_at(session, now) != GR_SESSION_LIVE)
		return;
	session->signed_out_at = not_before(session, now);
}

void gr_session_disable(struct gr_session *session, int64_t now)
{
	if (gr_session_state_at(session, now) != GR_SESSION_LIVE)
		return;
	session->disabled_at = not_before(session, now);
}

/* Invariant n is broken: the message, and n. */
static int broken(int invariant, const char *what)
{
	gr_error_set("session invariant %d: %s", invariant, what);
	return invariant;
}

/* Whether an ending at `at` (0: none) falls outside the session's life. */
static int outside(const struct gr_session *session, int64_t at)
{
	return at && (at < session->created_at || at >= session->expires_at);
}

int gr_session_check(const struct gr_session *session)
{
	assert(session);
	if (session->user_id <= 0 || session->created_at <= 0)
		return broken(1, "the user or the time it began is out of range");
	if (session->expires_at <= session->created_at)
		return broken(2, "it expires no later than it began");
	if (session->expires_at - session->created_at > LIFETIME_MAX_MS)
		return broken(2, "it lasts longer than 365 days");
	if (session->signed_out_at && session->disabled_at)
		return broken(3, "it was both signed out and ended by disabling its user");
	if (outside(session, session->signed_out_at))
		return broken(4, "it was signed out before it began or after it expired");
	if (outside(session, session->disabled_at))
		return broken(4, "its user was disabled before it began or after it expired");
	return 0;
}
