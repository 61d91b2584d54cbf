/*
 * projects.h - partner projects: a partner writes a brief for a centre
 * and sends it to its coaches (told live, and in their inbox); a coach of
 * that centre (or an admin) returns it with a note, or approves it, which
 * commits it as the one-step track partner-ID and registers it, then
 * opens it to cohorts of that centre they coach; learners of those
 * cohorts make teams or join one with room; a team hands in one piece of
 * work with the usual submission.create (services/live.c), peer-reviewed
 * as usual; the partner reads their projects' teams and work and gives
 * feedback, pushed to every member's stream. Design: "Partner projects"
 * in docs/api.md; the life of a project is domain/project.c's.
 *
 * Who may see a project's track is services/rights.c's
 * gr_rights_may_see_track. Every change is one change of the turn,
 * committed before it is reported. No network or SQLite type appears
 * here. Loop thread only.
 */
#ifndef GR_PROJECTS_H
#define GR_PROJECTS_H

#include "core/account.h"
#include "core/clock.h"
#include "core/json.h"

struct gr_library;
struct gr_live;
struct gr_store;
struct gr_turn;
struct gr_workers;
struct gr_projects;

/*
 * A new service on store and library (both borrowed), writing the tracks
 * of approved briefs under data_dir/tracks; clock NULL: the wall clock.
 * Changes commit at once until given the loop's turn. The caller's to free.
 */
int gr_projects_new(struct gr_projects **out, struct gr_store *store, struct gr_library *library,
		    const char *data_dir, gr_clock_fn *clock);
void gr_projects_set_turn(struct gr_projects *projects, struct gr_turn *turn);
/* Tell people through live (borrowed; NULL: nobody, as in the operator's tool). */
void gr_projects_set_live(struct gr_projects *projects, struct gr_live *live);
/*
 * Render briefs on workers (borrowed; loop thread), after they are stored;
 * without (NULL: the unit tests, the CLI) they render where they are written.
 */
void gr_projects_set_workers(struct gr_projects *projects, struct gr_workers *workers);
/* Accepts NULL. */
void gr_projects_free(struct gr_projects *projects);

/*
 * Why a request was refused, beyond its code: the error's name in
 * protocol/errors.c ("project_missing", "team_full", ...; NULL: the code
 * says it) and the field at fault (NULL: none).
 */
struct gr_projects_why {
	const char *error;
	const char *field;
};

/* What a partner writes. */
struct gr_projects_brief {
	const char *title;
	const char *summary;
	const char *brief_md;
	int team_size;
	const char *const *checklist;
	int checklist_count;
	const char *centre; /* the centre's name */
};

/*
 * The projects by may see (docs/api.md, "GET /api/projects"), into *out
 * (new): a partner their own, in every state; a coach those of their
 * centres and an admin all, every state but draft; a learner the open
 * (and closed) ones open to their cohort, with "mine".
 */
int gr_projects_list(struct gr_projects *projects, const struct gr_user *by, struct gr_json **out);

/* How many open projects learner by may work on (0 for anyone else), into *out. */
int gr_projects_count_open(struct gr_projects *projects, const struct gr_user *by, int *out);

/* Project id as by sees it, into *out (new). GR_ENOTFOUND, GR_EFORBIDDEN, with why. */
int gr_projects_get(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		    struct gr_json **out, struct gr_projects_why *why);

/*
 * A partner's brief: a new draft (*out_id), or an edit of their draft id.
 * GR_EINVALID with why->field; GR_EFORBIDDEN; GR_ECONFLICT (not a draft).
 */
int gr_projects_create(struct gr_projects *projects, const struct gr_user *by,
		       const struct gr_projects_brief *brief, int64_t *out_id,
		       struct gr_projects_why *why);
int gr_projects_edit(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		     const struct gr_projects_brief *brief, struct gr_projects_why *why);
/* The partner sends their draft to the coaches of its centre. */
int gr_projects_propose(struct gr_projects *projects, const struct gr_user *by, int64_t id,
			struct gr_projects_why *why);

/*
 * A coach's (of the project's centre) or an admin's moves: return with a
 * note, approve (the track committed and registered), open to a cohort of
 * the centre they coach, take a cohort back while it has no team, close.
 */
int gr_projects_return(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		       const char *note, struct gr_projects_why *why);
int gr_projects_approve(struct gr_projects *projects, const struct gr_user *by, int64_t id,
			struct gr_projects_why *why);
int gr_projects_open(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		     const char *cohort, int open, struct gr_projects_why *why);
int gr_projects_close(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		      struct gr_projects_why *why);

/*
 * A learner's teams: make one on project_id (and be in it; *out the team
 * as the list shows it, new), join team_id, leave it before its first
 * hand-in (a team left empty is deleted).
 */
int gr_projects_team_create(struct gr_projects *projects, const struct gr_user *by,
			    int64_t project_id, const char *name, struct gr_json **out,
			    struct gr_projects_why *why);
int gr_projects_team_join(struct gr_projects *projects, const struct gr_user *by, int64_t team_id,
			  struct gr_projects_why *why);
int gr_projects_team_leave(struct gr_projects *projects, const struct gr_user *by, int64_t team_id,
			   struct gr_projects_why *why);

/*
 * The project's partner gives feedback on a team's submission: stored,
 * and pushed to every member ("project.feedback"). *out: {id, body, at}.
 */
int gr_projects_feedback(struct gr_projects *projects, const struct gr_user *by,
			 int64_t submission_id, const char *body, struct gr_json **out,
			 struct gr_projects_why *why);

/*
 * The operator links the registered track track_id (one step, a project)
 * as a project of the partner handle for centre, open at once.
 */
int gr_projects_link(struct gr_projects *projects, int64_t *out_id, const char *track_id,
		     const char *partner, const char *centre, int team_size);

#endif
