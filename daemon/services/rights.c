/*
 * rights.c - the rule of cohorts (see rights.h; the table of who may do
 * what is in docs/api.md, "Who may do what").
 *
 * Owns the one answer to "may this user coach this cohort", the two
 * rules built on it (nudges, invites), and the one rule of who sees a
 * partner project's track. The centre is part of that answer:
 * gr_store_user_coaches reads coach_cohorts within the coach's centres in
 * one query (why coach_cohorts stays, as a narrowing inside a centre:
 * docs/api.md, "Who may do what"). Leaves what a role alone allows to each
 * service, and the relations themselves to store/user.c and
 * store/centre.c.
 */
#include "services/rights.h"

#include "core/error.h"
#include "core/log.h"
#include "store/centre.h"
#include "store/project.h"
#include "store/user.h"

int gr_rights_may_coach(struct gr_store *store, const struct gr_user *user, const char *cohort)
{
	int coaches = 0;

	if (user->disabled_at)
		return 0;
	if (user->role == GR_ROLE_ADMIN)
		return 1;
	if (user->role != GR_ROLE_COACH || !cohort || !cohort[0])
		return 0;
	if (gr_store_user_coaches(store, &coaches, user->id, cohort) != 0) {
		gr_log_error("could not read whom %s coaches: %s", user->handle, gr_error_last());
		return 0;
	}
	return coaches;
}

int gr_rights_may_see_centre(struct gr_store *store, const struct gr_user *user,
			     int64_t centre_id)
{
	int belongs = 0;

	if (user->disabled_at)
		return 0;
	if (user->role == GR_ROLE_ADMIN)
		return 1;
	if (user->role != GR_ROLE_COACH)
		return 0;
	if (gr_store_centre_has_coach(store, &belongs, user->id, centre_id) != 0) {
		gr_log_error("could not read the centres of %s: %s", user->handle, gr_error_last());
		return 0;
	}
	return belongs;
}

int gr_rights_may_nudge(struct gr_store *store, const struct gr_user *coach,
			const struct gr_user *learner)
{
	if (!gr_account_is_coach(coach)) {
		gr_error_set("Only coaches and admins send nudges.");
		return GR_EFORBIDDEN;
	}
	if (learner->role != GR_ROLE_LEARNER) {
		gr_error_set("Nudges go to learners only.");
		return GR_EFORBIDDEN;
	}
	if (!gr_rights_may_coach(store, coach, learner->cohort)) {
		gr_error_set("You may nudge the learners of the cohorts you coach only.");
		return GR_EFORBIDDEN;
	}
	return 0;
}

int gr_rights_may_invite(struct gr_store *store, const struct gr_user *creator,
			 enum gr_role role, const char *cohort)
{
	if (!creator || (creator->role == GR_ROLE_ADMIN && !creator->disabled_at))
		return 0;
	if (creator->role != GR_ROLE_COACH) {
		gr_error_set("Only coaches and admins may invite people.");
		return GR_EFORBIDDEN;
	}
	if (role != GR_ROLE_LEARNER) {
		gr_error_set("A coach may invite learners only.");
		return GR_EFORBIDDEN;
	}
	if (!cohort || !cohort[0]) {
		gr_error_set("A coach invites learners to a cohort they coach: name the cohort.");
		return GR_EFORBIDDEN;
	}
	if (!gr_rights_may_coach(store, creator, cohort)) {
		gr_error_set("You may invite learners to the cohorts you coach only.");
		return GR_EFORBIDDEN;
	}
	return 0;
}

int gr_rights_may_see_track(struct gr_store *store, const struct gr_user *user,
			    const char *track_id)
{
	struct gr_store_project_access access;

	if (user->disabled_at || !track_id)
		return 0;
	if (gr_store_project_access(store, &access, track_id, user->cohort) != 0) {
		gr_log_error("could not read who may see the track %s: %s", track_id,
			     gr_error_last());
		return 0;
	}
	if (!access.is_project)
		return user->role != GR_ROLE_PARTNER;
	switch (user->role) {
	case GR_ROLE_ADMIN:
		return 1;
	case GR_ROLE_PARTNER:
		return access.partner_id == user->id;
	case GR_ROLE_COACH:
		return gr_rights_may_see_centre(store, user, access.centre_id);
	case GR_ROLE_LEARNER:
		return user->cohort[0] && access.open_to_cohort;
	}
	return 0;
}
