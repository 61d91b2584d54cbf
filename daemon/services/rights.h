/*
 * rights.h - who may act on whom beyond what a role alone allows: the one
 * rule of cohorts. A learner coaches nobody; a coach coaches the cohorts
 * the coach_cohorts relation gives them that lie in the centres they
 * belong to (store/user.h, store/centre.h), and nothing else; an admin
 * may do all, in every centre. Every service that shows or changes something of a
 * cohort asks gr_rights_may_coach() (boards, the CSV export, attention
 * lists, nudges, invites, help requests), so the rule is written once.
 * The whole table of who may do what is in docs/api.md, and
 * tests/e2e/authz.test.mjs walks it.
 */
#ifndef GR_RIGHTS_H
#define GR_RIGHTS_H

#include "core/account.h"

struct gr_store;

/*
 * 1 when user may coach cohort ("" for learners without a cohort; only an
 * admin coaches those), within their centres: see its board, its learners' progress and help
 * requests, nudge its learners, invite learners to it. 0 otherwise, also
 * when the store cannot say (logged): a failure never grants a right.
 */
int gr_rights_may_coach(struct gr_store *store, const struct gr_user *user, const char *cohort);

/*
 * 1 when user may see and decide the applications to centre_id: an admin,
 * or a coach who belongs to that centre. 0 otherwise, also when the store
 * cannot say (logged).
 */
int gr_rights_may_see_centre(struct gr_store *store, const struct gr_user *user,
			     int64_t centre_id);

/*
 * 0 when coach may nudge learner; else GR_EFORBIDDEN with a message. Nudges
 * go to learners only, from a coach of their cohort or an admin.
 */
int gr_rights_may_nudge(struct gr_store *store, const struct gr_user *coach,
			const struct gr_user *learner);

/*
 * 0 when creator (NULL: the operator's tool or the first start) may invite
 * someone as role into cohort (NULL or "": none); else GR_EFORBIDDEN with
 * a message. An admin invites anyone anywhere; a coach invites learners
 * to a cohort they coach; a learner nobody.
 */
int gr_rights_may_invite(struct gr_store *store, const struct gr_user *creator,
			 enum gr_role role, const char *cohort);

/*
 * 1 when user may see the track track_id, and read, follow and work on it
 * (the one rule of partner tracks, docs/api.md "Who may do what"): a track
 * that is no partner project's, everyone but a partner; a partner
 * project's track, its partner, the admins, the coaches of its centre,
 * and the learners of a cohort it is open to. 0 otherwise, also when the
 * store cannot say (logged): whoever gets 0 is answered as for a track
 * that does not exist.
 */
int gr_rights_may_see_track(struct gr_store *store, const struct gr_user *user,
			    const char *track_id);

#endif
