/*
 * project.h - partner projects as stored: the brief a partner wrote (its
 * markdown, its HTML rendered once when written, its checklist as a JSON
 * array), where it stands, the track it became, the cohorts it is open
 * to, its teams and their members, the team of a team's submission, and
 * the partner's feedback with whether each member shows it on their
 * portfolio. struct gr_project and its life are in domain/project.h; who
 * may see and do what is services/projects.c's.
 */
#ifndef GR_STORE_PROJECT_H
#define GR_STORE_PROJECT_H

#include "domain/project.h"
#include "store/store.h"
#include "store/user.h"

#include <stdint.h>

/* A project as stored; texts borrowed for a callback's call. */
struct gr_store_project {
	struct gr_project life;
	const char *title;
	const char *summary;
	const char *brief_md;
	const char *brief_html;
	const char *checklist; /* a JSON array of texts */
	const char *note;      /* a coach's note on a returned brief, "" for none */
	const char *track_id;  /* "" until approved */
	const char *centre;    /* the centre's name */
	const char *partner_handle;
	const char *partner_name;
};

/* What is written with a project: the brief as texts (checked by the caller). */
struct gr_store_project_texts {
	const char *title;
	const char *summary;
	const char *brief_md;
	const char *brief_html;
	const char *checklist; /* a JSON array of texts */
};

typedef int gr_store_project_fn(const struct gr_store_project *row, void *payload);

/* Stores a new project (life->id is set), with track_id ("" or NULL: none). */
int gr_store_project_insert(struct gr_store *store, struct gr_project *life,
			    const struct gr_store_project_texts *texts, const char *track_id);

/*
 * Writes life's state, team size and times, and (when not NULL) texts,
 * note ("" clears it) and track_id. GR_ENOTFOUND when there is none.
 */
int gr_store_project_update(struct gr_store *store, const struct gr_project *life,
			    const struct gr_store_project_texts *texts, const char *note,
			    const char *track_id);

/*
 * The brief of project id rendered as brief_html, if its markdown is still
 * brief_md (a brief edited meanwhile is left for its own rendering).
 */
int gr_store_project_set_html(struct gr_store *store, int64_t id, const char *brief_md,
			      const char *brief_html);
/* Project id, or the project of track_id: fn once; GR_ENOTFOUND when there is none. */
int gr_store_project_by_id(struct gr_store *store, int64_t id, gr_store_project_fn *fn,
			   void *payload);
int gr_store_project_by_track(struct gr_store *store, const char *track_id, gr_store_project_fn *fn,
			      void *payload);
/* Every project, newest first. */
int gr_store_project_each(struct gr_store *store, gr_store_project_fn *fn, void *payload);

/*
 * Who may see the track track_id beyond the rule of ordinary tracks: *out
 * is 0 for a track that is no project's; else 1 with its partner, its
 * centre and whether it is open to cohort (a cohort's name, "" for none).
 */
struct gr_store_project_access {
	int is_project;
	int64_t partner_id;
	int64_t centre_id;
	int open_to_cohort;
};
int gr_store_project_access(struct gr_store *store, struct gr_store_project_access *out,
			    const char *track_id, const char *cohort);

/* ---- the cohorts a project is open to --------------------------------------- */

/* Opens project_id to cohort_id; *out_added 0 when it was already. */
int gr_store_project_open_to(struct gr_store *store, int *out_added, int64_t project_id,
			     int64_t cohort_id);
/* Takes cohort_id back; GR_ENOTFOUND when it was not open to it. */
int gr_store_project_unopen(struct gr_store *store, int64_t project_id, int64_t cohort_id);
/* The names of the cohorts project_id is open to, by name. */
int gr_store_project_each_cohort(struct gr_store *store, int64_t project_id, gr_store_text_fn *fn,
				 void *payload);
/* A cohort's id and centre by name: GR_ENOTFOUND when there is none. */
int gr_store_project_cohort(struct gr_store *store, int64_t *out_id, int64_t *out_centre,
			    const char *name);

/* ---- teams -------------------------------------------------------------------- */

struct gr_store_project_team {
	int64_t id;
	int64_t project_id;
	int64_t cohort_id;
	int64_t author_id; /* 0 until the first hand-in */
	int64_t created_at;
	int members;
	char name[GR_PROJECT_TEAM_NAME_MAX * 4 + 1];
	char cohort[256]; /* its cohort's name, "" when the cohort is gone */
};

typedef int gr_store_project_team_fn(const struct gr_store_project_team *team, void *payload);

/* A new team; GR_EEXISTS when the project has a team of that name. */
int gr_store_project_team_insert(struct gr_store *store, int64_t *out_id, int64_t project_id,
				 int64_t cohort_id, const char *name, int64_t now);
/* Team id into out; GR_ENOTFOUND. */
int gr_store_project_team_get(struct gr_store *store, struct gr_store_project_team *out,
			      int64_t id);
/* The team of user_id in project_id, or on the project of track_id: GR_ENOTFOUND when none. */
int gr_store_project_team_of(struct gr_store *store, struct gr_store_project_team *out,
			     int64_t project_id, int64_t user_id);
int gr_store_project_team_of_track(struct gr_store *store, struct gr_store_project_team *out,
				   const char *track_id, int64_t user_id);
/* The team of submission_id: GR_ENOTFOUND for solo work. */
int gr_store_project_team_of_submission(struct gr_store *store, struct gr_store_project_team *out,
					int64_t submission_id);
/* *out 1 when user_id is in the team that handed in submission_id, else 0 (also for solo work). */
int gr_store_project_in_team_of_submission(struct gr_store *store, int *out,
					   int64_t submission_id, int64_t user_id);
/* Each team of project_id, oldest first. */
int gr_store_project_team_each(struct gr_store *store, int64_t project_id,
			       gr_store_project_team_fn *fn, void *payload);
/* How many teams of project_id are of cohort_id. */
int gr_store_project_team_count_in_cohort(struct gr_store *store, int *out, int64_t project_id,
					  int64_t cohort_id);
/* user_id joins team_id of project_id; GR_EEXISTS when they are in a team of it. */
int gr_store_project_team_join(struct gr_store *store, int64_t team_id, int64_t project_id,
			       int64_t user_id, int64_t now);
/* user_id leaves team_id; a team left empty is deleted. GR_ENOTFOUND when not a member. */
int gr_store_project_team_leave(struct gr_store *store, int64_t team_id, int64_t user_id);
/* The member whose id the review engine knows as the team's author. */
int gr_store_project_team_set_author(struct gr_store *store, int64_t team_id, int64_t author_id);
/* Each member's user id of team_id, by joining time. */
int gr_store_project_team_each_member(struct gr_store *store, int64_t team_id, gr_store_id_fn *fn,
				      void *payload);
/* submission_id is the work of team_id. */
int gr_store_project_team_mark_submission(struct gr_store *store, int64_t submission_id,
					  int64_t team_id);

/* A team's latest hand-in, as the projects' pages show it. */
struct gr_store_project_team_work {
	int64_t id;
	int attempt;
	const char *body_html;
	const char *link;
	int64_t created_at;
	const char *progress; /* the author's state on the step, "" for none */
};
typedef int gr_store_project_team_work_fn(const struct gr_store_project_team_work *work,
					  void *payload);
/* fn once with team_id's latest submission; GR_ENOTFOUND when it handed in nothing. */
int gr_store_project_team_latest(struct gr_store *store, int64_t team_id,
				 gr_store_project_team_work_fn *fn, void *payload);

/* ---- feedback ------------------------------------------------------------------ */

struct gr_store_project_feedback {
	int64_t id;
	int64_t submission_id;
	int64_t partner_id; /* 0 when the account is gone */
	const char *body;
	int64_t created_at;
	const char *project; /* the project's title (each_of_user) */
	int shown;	     /* whether the user shows it (each_of_user) */
};
typedef int gr_store_project_feedback_fn(const struct gr_store_project_feedback *row,
					 void *payload);

int gr_store_project_feedback_insert(struct gr_store *store, int64_t *out_id, int64_t submission_id,
				     int64_t partner_id, const char *body, int64_t now);
/* Each feedback on submission_id, oldest first. */
int gr_store_project_feedback_each(struct gr_store *store, int64_t submission_id,
				   gr_store_project_feedback_fn *fn, void *payload);
/* Each feedback on the work of the teams user_id is in, newest first; shown_only: those shown. */
int gr_store_project_feedback_each_of_user(struct gr_store *store, int64_t user_id, int shown_only,
					   gr_store_project_feedback_fn *fn, void *payload);
/* Whether user_id received feedback_id (a member of its team): *out 1 or 0. */
int gr_store_project_feedback_received(struct gr_store *store, int *out, int64_t feedback_id,
				       int64_t user_id);
/* user_id shows feedback_id on their portfolio, or not. */
int gr_store_project_feedback_show(struct gr_store *store, int64_t feedback_id, int64_t user_id,
				   int shown);

#endif
