/*
 * reset.c - the life of a password reset link (see reset.h).
 *
 * Owns: how long a link lasts, when it may be used, and the words its
 * holder sees when it may not. Leaves the token and its hash to
 * core/secret.c, who may make a link for whom and the new password to
 * services/accounts.c, and keeping links to store/reset.c.
 *
 *     gr_reset_issue()     +--------+  gr_reset_use(): a new password  +------+
 *     -------------------> | issued | -------------------------------> | used |
 *     (a coach, an admin,  +--------+  before expires_at               +------+
 *     the operator's tool)   |    |
 *                            |    |  expires_at comes: time alone, nothing is
 *                            |    |  written (gr_reset_state_at())
 *       gr_reset_replace():  |    v
 *       a newer link for     |  +---------+  gr_reset_replace()  +----------+
 *       the same user        |  | expired | -------------------> | replaced |
 *                            |  +---------+                      +----------+
 *                            +-------------------------------------^
 *
 * Transition table; every move not listed is refused and changes nothing:
 *
 *   from      event                              to        function
 *   --------  ---------------------------------  --------  --------------------
 *   (none)    a link is made                     issued    gr_reset_issue()
 *   issued    a new password set with it         used      gr_reset_use()
 *   issued    now reaches expires_at             expired   gr_reset_state_at()
 *   issued    a newer link for the user is made  replaced  gr_reset_replace()
 *   expired   a newer link for the user is made  replaced  gr_reset_replace()
 *   used      -                                  final: GR_EUSED
 *   replaced  -                                  final: GR_ECONFLICT
 *
 * Invariants of one link, checked by gr_reset_check() in every build type
 * (it returns the number of the first broken one):
 *   1. In range: user_id > 0, created_by >= 0, created_at > 0.
 *   2. It lasts exactly a day: expires_at == created_at + GR_RESET_LIFETIME_MS.
 *   3. Used within its life: used_at == 0, or created_at <= used_at < expires_at.
 *   4. Replaced only while unused, no earlier than it was made:
 *      replaced_at == 0, or used_at == 0 and replaced_at >= created_at.
 */
#include "domain/reset.h"

#include "core/error.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

int gr_reset_issue(struct gr_reset *out, int64_t user_id, int64_t created_by, int64_t now)
{
	assert(out);
	if (user_id <= 0 || created_by < 0 || now <= 0) {
		gr_error_set("reset link: user %" PRId64 " or time %" PRId64 " out of range",
			     user_id, now);
		return GR_EINVALID;
	}
	memset(out, 0, sizeof(*out));
	out->user_id = user_id;
	out->created_by = created_by;
	out->created_at = now;
	out->expires_at = now + GR_RESET_LIFETIME_MS;
	return 0;
}

enum gr_reset_state gr_reset_state_at(const struct gr_reset *reset, int64_t now)
{
	if (reset->used_at)
		return GR_RESET_USED;
	if (reset->replaced_at)
		return GR_RESET_REPLACED;
	return now >= reset->expires_at ? GR_RESET_EXPIRED : GR_RESET_ISSUED;
}

int gr_reset_usable(const struct gr_reset *reset, int64_t now)
{
	switch (gr_reset_state_at(reset, now)) {
	case GR_RESET_ISSUED:
		return 0;
	case GR_RESET_USED:
		gr_error_set("This reset link was used already. Ask your coach for a new one.");
		return GR_EUSED;
	case GR_RESET_REPLACED:
		gr_error_set("A newer reset link was made for this account; only the newest one "
			     "works. Ask your coach for it.");
		return GR_ECONFLICT;
	default:
		gr_error_set("This reset link has expired: a link lasts 24 hours. Ask your coach "
			     "for a new one.");
		return GR_EEXPIRED;
	}
}

int gr_reset_use(struct gr_reset *reset, int64_t now)
{
	int rc = gr_reset_usable(reset, now);

	if (rc == 0)
		reset->used_at = now;
	return rc;
}

int gr_reset_replace(struct gr_reset *reset, int64_t now)
{
	enum gr_reset_state state = gr_reset_state_at(reset, now);

	if (state != GR_RESET_ISSUED && state != GR_RESET_EXPIRED) {
		gr_error_set("reset link %" PRId64 " is %s already", reset->id,
			     state == GR_RESET_USED ? "used" : "replaced");
		return GR_EUSED;
	}
	reset->replaced_at = now;
	return 0;
}

int gr_reset_check(const struct gr_reset *reset)
{
	if (reset->user_id <= 0 || reset->created_by < 0 || reset->created_at <= 0) {
		gr_error_set("reset invariant 1: user %" PRId64 ", maker %" PRId64
			     " or created_at %" PRId64 " out of range",
			     reset->user_id, reset->created_by, reset->created_at);
		return 1;
	}
	if (reset->expires_at != reset->created_at + GR_RESET_LIFETIME_MS) {
		gr_error_set("reset invariant 2: expires_at %" PRId64 " is not a day after %" PRId64,
			     reset->expires_at, reset->created_at);
		return 2;
	}
	if (reset->used_at &&
	    (reset->used_at < reset->created_at || reset->used_at >= reset->expires_at)) {
		gr_error_set("reset invariant 3: used at %" PRId64 ", outside its life", reset->used_at);
		return 3;
	}
	if (reset->replaced_at && (reset->used_at || reset->replaced_at < reset->created_at)) {
		gr_error_set("reset invariant 4: replaced at %" PRId64 " though used or before made",
			     reset->replaced_at);
		return 4;
	}
	return 0;
}
