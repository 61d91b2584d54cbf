/*
 * reset.h - the life of a password reset link: made by a coach or an
 * admin (or the operator's tool) for one user, used once within a day, or
 * expired, or replaced by a newer link for the same user. Design: "Reset
 * without e-mail" in docs/operating.md; the diagram, transition table and
 * invariants are in reset.c.
 *
 * Pure functions over struct gr_reset and a time the caller passes in: no
 * store, no clock, no secret. The token (random bytes, stored only as
 * their hash), who may make a link for whom and setting the password are
 * services/accounts.c's.
 *
 * The moves return 0, or a negative code with a message fit to show the
 * person holding the link, and then leave the link as it was.
 */
#ifndef GR_RESET_H
#define GR_RESET_H

#include <stdint.h>

#define GR_RESET_LIFETIME_MS ((int64_t)24 * 60 * 60 * 1000) /* a link lasts a day */

struct gr_reset {
	int64_t id;
	int64_t user_id;
	int64_t created_by; /* 0: the operator's tool */
	int64_t created_at; /* Unix ms */
	int64_t expires_at;
	int64_t used_at;     /* 0: not used */
	int64_t replaced_at; /* 0: not replaced by a newer link */
};

enum gr_reset_state {
	GR_RESET_ISSUED,   /* may be used until expires_at */
	GR_RESET_USED,	   /* a new password was set with it; final */
	GR_RESET_EXPIRED,  /* expires_at came before anyone used it; final */
	GR_RESET_REPLACED, /* a newer link for the same user was made; final */
	GR_RESET_STATE_COUNT
};

/*
 * A new link for user_id, made at now by created_by (0: the operator's
 * tool), lasting GR_RESET_LIFETIME_MS. GR_EINVALID for an id or time out
 * of range.
 */
int gr_reset_issue(struct gr_reset *out, int64_t user_id, int64_t created_by, int64_t now);

/* Where the link stands at now; a used or replaced link stays so after its expiry. */
enum gr_reset_state gr_reset_state_at(const struct gr_reset *reset, int64_t now);

/*
 * 0 when the link may be used at now; else GR_EUSED (used), GR_ECONFLICT
 * (replaced by a newer link) or GR_EEXPIRED, with the words its holder sees.
 */
int gr_reset_usable(const struct gr_reset *reset, int64_t now);

/* The link is used at now: issued -> used. Refused as gr_reset_usable() says. */
int gr_reset_use(struct gr_reset *reset, int64_t now);

/* A newer link replaces this one at now: issued or expired -> replaced; else GR_EUSED. */
int gr_reset_replace(struct gr_reset *reset, int64_t now);

/*
 * The invariants numbered in reset.c, in every build type. Returns 0 when
 * they hold, else the number of the first broken one (1 .. 4), with a
 * one-line message ("reset invariant 2: ..."). A positive result is not an
 * error code.
 */
int gr_reset_check(const struct gr_reset *reset);

#endif
