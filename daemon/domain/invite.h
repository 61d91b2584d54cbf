/*
 * invite.h - the life of an invite: issued, then used once or expired.
 * Design: "People and roles" and "Security" in DESIGN.md; the diagram,
 * transition table and invariants are in invite.c.
 *
 * Pure functions over struct gr_invite (core/account.h) and a time the
 * caller passes in: no store, no clock, no secret. The code itself (random
 * bytes, stored only as their hash), who may invite whom, and spending an
 * invite in the store's transaction are auth.c's.
 *
 * The moves return 0, or a negative code with a message fit to show the
 * person who asked for it, and then leave the invite as it was.
 */
#ifndef GR_INVITE_H
#define GR_INVITE_H

#include "core/account.h"

#include <stdint.h>

#define GR_INVITE_DAY_MS ((int64_t)24 * 60 * 60 * 1000)
#define GR_INVITE_DAYS_MAX 365 /* the longest an invite lasts */

enum gr_invite_state {
	GR_INVITE_ISSUED,  /* may be used until expires_at */
	GR_INVITE_USED,	   /* spent by one join; final */
	GR_INVITE_EXPIRED, /* expires_at came before anyone used it; final */
	GR_INVITE_REVOKED, /* withdrawn by the operator before anyone used it; final */
	GR_INVITE_STATE_COUNT
};

/*
 * A new invite, written to out, for role and cohort (NULL or "": none),
 * made at now by created_by (a handle; NULL or "": the operator's tool or
 * the first start), lasting days (1 .. GR_INVITE_DAYS_MAX). GR_EINVALID for
 * a role, cohort, days or time out of range.
 */
int gr_invite_issue(struct gr_invite *out, enum gr_role role, const char *cohort,
		    const char *created_by, int days, int64_t now);

/* Where the invite stands at now; a used invite stays used after its expiry. */
enum gr_invite_state gr_invite_state_at(const struct gr_invite *invite, int64_t now);

/*
 * 0 when the invite may be used at now; GR_EUSED (used or revoked) or
 * GR_EEXPIRED (used, then revoked, is said first) with the words a person joining sees.
 */
int gr_invite_usable(const struct gr_invite *invite, int64_t now);

/*
 * The invite is spent by handle at now: issued -> used. Refused as
 * gr_invite_usable() says, or GR_EINVALID for an empty handle.
 */
int gr_invite_use(struct gr_invite *invite, const char *handle, int64_t now);

/*
 * The invite is withdrawn at now: issued or expired -> revoked. GR_EUSED
 * for a used invite, GR_EEXISTS for one revoked already.
 */
int gr_invite_revoke(struct gr_invite *invite, int64_t now);
/*
 * The invariants numbered in invite.c, in every build type. Returns 0 when
 * they hold, else the number of the first broken one (1 .. 7), with a
 * one-line message from gr_error_set() that names it ("invite invariant
 * 2: ..."); the message is untouched when they hold. A positive result is
 * not an error code.
 */
int gr_invite_check(const struct gr_invite *invite);

#endif
