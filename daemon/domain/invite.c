/*
 * invite.c - the life of an invite (see invite.h; design in "People and
 * roles" and "Security" in DESIGN.md).
 *
 * Owns: how long an invite lasts, when it may be used, what using it
 * writes, the words a person joining sees when it may not, and the
 * invariants of a stored invite. Leaves to others: the code and its hash
 * (secret.c), who may invite whom and spending the invite in the join's
 * transaction (auth.c), and keeping invites (store.c).
 *
 *     gr_invite_issue()    +--------+  gr_invite_use(): someone joins  +------+
 *     -------------------> | issued | -------------------------------> | used |
 *     (an admin, a coach,  +--------+  with it before expires_at       +------+
 *     the operator's tool)      |
 *                               |  expires_at comes: time alone, nothing
 *                               |  is written (gr_invite_state_at())
 *                               v
 *                          +---------+   gr_invite_revoke()   +---------+
 *                          | expired | ---------------------> | revoked |
 *                          +---------+  (issued, too)         +---------+
 *
 * Transition table; every move not listed is refused and changes nothing:
 *
 *   from     event                           to       function
 *   -------  ------------------------------  -------  ---------------------------
 *   (none)   an invite is made               issued   gr_invite_issue()
 *   issued   someone joins with it, before   used     gr_invite_use()
 *            expires_at
 *   issued   now reaches expires_at          expired  gr_invite_state_at() (time)
 *   issued   the operator withdraws it       revoked  gr_invite_revoke()
 *   expired  the operator withdraws it       revoked  gr_invite_revoke()
 *   used     -                               final: GR_EUSED, also after expiry
 *   revoked  -                               final: GR_EUSED (refused as spent)
 *
 * In the daemon, auth.c asks gr_invite_usable() when a join starts and
 * spends the invite once the password is hashed, tens of milliseconds
 * later, with the store's "used_at IS NULL" update; so a join that began
 * in time may spend an invite just after its expiry, and no invariant
 * bounds used_at by expires_at.
 *
 * Invariants of one invite, checked by gr_invite_check() in every build
 * type (it returns the number of the first broken one):
 *   1. In range: the role is learner, coach, admin or partner, and
 *      created_at > 0.
 *   2. It lasts a while, at most GR_INVITE_DAYS_MAX days: created_at <
 *      expires_at <= created_at + 365 days.
 *   3. Used iff it names who used it: used_at != 0 exactly when used_by is
 *      not "".
 *   4. Used no earlier than it was made: used_at >= created_at.
 *   5. Its cohort is "" or a valid cohort name.
 *   6. Revoked only while unused, and no earlier than it was made:
 *      revoked_at == 0, or used_at == 0 and revoked_at >= created_at.
 */
#include "domain/invite.h"

#include "core/error.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define LIFETIME_MAX_MS (GR_INVITE_DAYS_MAX * GR_INVITE_DAY_MS)

static int role_valid(enum gr_role role)
{
	return role == GR_ROLE_LEARNER || role == GR_ROLE_COACH || role == GR_ROLE_ADMIN ||
	       role == GR_ROLE_PARTNER;
}

int gr_invite_issue(struct gr_invite *out, enum gr_role role, const char *cohort,
		    const char *created_by, int days, int64_t now)
{
	int rc;

	assert(out);
	if (!role_valid(role) || now <= 0) {
		gr_error_set("invite: role %d or time %" PRId64 " out of range", (int)role, now);
		return GR_EINVALID;
	}
	if (cohort && cohort[0] && (rc = gr_account_check_cohort(cohort)) != 0)
		return rc;
	if (role == GR_ROLE_PARTNER && cohort && cohort[0]) {
		gr_error_set("A partner belongs to no cohort: invite them without one.");
		return GR_EINVALID;
	}
	if (days < 1 || days > GR_INVITE_DAYS_MAX) {
		gr_error_set("An invite lasts 1 to %d days.", GR_INVITE_DAYS_MAX);
		return GR_EINVALID;
	}
	memset(out, 0, sizeof(*out));
	out->role = role;
	snprintf(out->cohort, sizeof(out->cohort), "%s", cohort ? cohort : "");
	snprintf(out->created_by, sizeof(out->created_by), "%s", created_by ? created_by : "");
	out->created_at = now;
	out->expires_at = now + days * GR_INVITE_DAY_MS;
	assert(gr_invite_check(out) == 0);
	return 0;
}

enum gr_invite_state gr_invite_state_at(const struct gr_invite *invite, int64_t now)
{
	assert(invite);
	if (invite->used_at)
		return GR_INVITE_USED;
	if (invite->revoked_at)
		return GR_INVITE_REVOKED;
	return now >= invite->expires_at ? GR_INVITE_EXPIRED : GR_INVITE_ISSUED;
}

int gr_invite_usable(const struct gr_invite *invite, int64_t now)
{
	switch (gr_invite_state_at(invite, now)) {
	case GR_INVITE_USED:
		gr_error_set(
		    "This invite link has already been used. Ask your coach for a new one.");
		return GR_EUSED;
	case GR_INVITE_EXPIRED:
		gr_error_set("This invite link has expired. Ask your coach for a new one.");
		return GR_EEXPIRED;
	case GR_INVITE_REVOKED:
		gr_error_set("This invite link was withdrawn. Ask your coach for a new one.");
		return GR_EUSED;
	default:
		return 0;
	}
}

int gr_invite_use(struct gr_invite *invite, const char *handle, int64_t now)
{
	int rc;

	assert(invite);
	if (!handle || !handle[0]) {
		gr_error_set("invite: used by nobody");
		return GR_EINVALID;
	}
	if ((rc = gr_invite_usable(invite, now)) != 0)
		return rc;
	/* A clock set back never puts the use before the invite. */
	invite->used_at = now > invite->created_at ? now : invite->created_at;
	snprintf(invite->used_by, sizeof(invite->used_by), "%s", handle);
	return 0;
}

int gr_invite_revoke(struct gr_invite *invite, int64_t now)
{
	assert(invite);
	switch (gr_invite_state_at(invite, now)) {
	case GR_INVITE_USED:
		gr_error_set("This invite was used by %s already; disable the account instead.",
			     invite->used_by);
		return GR_EUSED;
	case GR_INVITE_REVOKED:
		gr_error_set("This invite was revoked already.");
		return GR_EEXISTS;
	default:
		/* A clock set back never puts the revocation before the invite. */
		invite->revoked_at = now > invite->created_at ? now : invite->created_at;
		return 0;
	}
}

/* Invariant n is broken: the message, and n. */
static int broken(int invariant, const char *what)
{
	gr_error_set("invite invariant %d: %s", invariant, what);
	return invariant;
}

int gr_invite_check(const struct gr_invite *invite)
{
	const struct gr_invite *i = invite;

	assert(i);
	if (!role_valid(i->role) || i->created_at <= 0)
		return broken(1, "the role or the time it was made is out of range");
	if (i->expires_at <= i->created_at)
		return broken(2, "it expires no later than it was made");
	if (i->expires_at - i->created_at > LIFETIME_MAX_MS)
		return broken(2, "it lasts longer than 365 days");
	if ((i->used_at != 0) != (i->used_by[0] != '\0'))
		return broken(3, i->used_at ? "it was used by nobody"
					    : "it names a user but is unused");
	if (i->used_at && i->used_at < i->created_at)
		return broken(4, "it was used before it was made");
	if (i->cohort[0] && gr_account_check_cohort(i->cohort) != 0)
		return broken(5, "its cohort is not a valid cohort name");
	if (i->revoked_at && (i->used_at || i->revoked_at < i->created_at))
		return broken(6, i->used_at ? "it was revoked after it was used"
					    : "it was revoked before it was made");
	return 0;
}
