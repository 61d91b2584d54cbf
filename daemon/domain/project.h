/*
 * project.h - the life of a partner project: a partner (a tech
 * entrepreneur or company) writes a brief, sends it to the coaches of a
 * centre, a coach approves it (it becomes a one-step track, partner-ID)
 * and opens it to cohorts, learners hand in team work on it, and a coach
 * closes it. Design: "Partner projects" in docs/api.md and docs/tracks.md;
 * the diagram, transition table and invariants are in project.c.
 *
 * Pure functions over struct gr_project and a time the caller passes in,
 * and the rules of what a partner writes (sizes, the checklist, the team
 * size), a team's name and a partner's feedback: no store, no clock. Who
 * may make a move, the track an approved brief becomes and the teams
 * themselves are services/projects.c's.
 *
 * The moves return 0, or a negative code with a message fit to show the
 * person acting, and then leave the project as it was.
 */
#ifndef GR_PROJECT_H
#define GR_PROJECT_H

#include <stddef.h>
#include <stdint.h>

/* The limits of what a partner writes: characters, except the brief (bytes). */
#define GR_PROJECT_TITLE_MAX 120
#define GR_PROJECT_SUMMARY_MAX 300
#define GR_PROJECT_BRIEF_MAX (64 * 1024)
#define GR_PROJECT_TEAM_MIN 2
#define GR_PROJECT_TEAM_MAX 6
#define GR_PROJECT_CHECKLIST_MAX 10 /* lines */
#define GR_PROJECT_LINE_MAX 200	    /* characters per checklist line */
#define GR_PROJECT_NOTE_MAX 1000    /* a coach's note when returning a brief */
#define GR_PROJECT_TEAM_NAME_MAX 60
#define GR_PROJECT_FEEDBACK_MAX 4000 /* bytes of plain text */

enum gr_project_state {
	GR_PROJECT_DRAFT,    /* the partner writes; only they see it */
	GR_PROJECT_PROPOSED, /* sent to the coaches of its centre */
	GR_PROJECT_OPEN,     /* approved: its track is served, teams form in its cohorts */
	GR_PROJECT_CLOSED,   /* no new teams, no hand-ins; everything stays readable */
	GR_PROJECT_STATE_COUNT
};

struct gr_project {
	int64_t id;
	int64_t partner_id;
	int64_t centre_id;
	enum gr_project_state state;
	int team_size;
	int has_track;	    /* approved: its track is registered */
	int has_note;	    /* a coach's note on a returned brief is kept */
	int64_t created_at; /* Unix ms */
	int64_t updated_at; /* the last move or edit */
	int64_t decided_by; /* who approved it; 0: not yet, or the account is gone */
	int64_t decided_at; /* when it was approved; 0: not yet */
};

/* What a partner writes; the checklist as lines. */
struct gr_project_form {
	const char *title;
	const char *summary;
	const char *brief_md;
	int team_size;
	const char *const *checklist;
	int checklist_count;
};

/* "draft", "proposed", "open", "closed"; from_name: GR_EINVALID for another. */
const char *gr_project_state_name(enum gr_project_state state);
int gr_project_state_from_name(enum gr_project_state *out, const char *name);

/*
 * 0 when form may be stored; else GR_EINVALID with *out_field the field at
 * fault ("title", "summary", "brief_md", "team_size", "checklist") and the
 * words the partner sees.
 */
int gr_project_check_form(const struct gr_project_form *form, const char **out_field);

/* 0 when note is a coach's note: 1 to GR_PROJECT_NOTE_MAX characters. */
int gr_project_check_note(const char *note);
/* 0 when name is a team's name: 1 to GR_PROJECT_TEAM_NAME_MAX characters on one line. */
int gr_project_check_team_name(const char *name);
/* 0 when body is feedback: 1 to GR_PROJECT_FEEDBACK_MAX bytes of text, not only spaces. */
int gr_project_check_feedback(const char *body);

/* A new draft by partner_id for centre_id at now. GR_EINVALID for a value out of range. */
int gr_project_write(struct gr_project *out, int64_t partner_id, int64_t centre_id, int team_size,
		     int64_t now);

/* draft: the partner edits it (team_size new); else GR_ECONFLICT. */
int gr_project_edit(struct gr_project *project, int team_size, int64_t now);

/* draft -> proposed (its note dropped); else GR_ECONFLICT. */
int gr_project_propose(struct gr_project *project, int64_t now);

/* proposed -> draft with the coach's note; else GR_ECONFLICT. */
int gr_project_return(struct gr_project *project, int64_t coach, int64_t now);

/* proposed -> open, its track registered, by coach; else GR_ECONFLICT. */
int gr_project_approve(struct gr_project *project, int64_t coach, int64_t now);

/* An operator links a track of one project step: a new project, open at once. */
int gr_project_link(struct gr_project *out, int64_t partner_id, int64_t centre_id, int team_size,
		    int64_t now);

/* open -> closed; else GR_ECONFLICT. */
int gr_project_close(struct gr_project *project, int64_t now);

/*
 * Whether the project takes what learners do now: 0 when open; else
 * GR_ECONFLICT, with *out_closed 1 when it is closed (and 0 when it is not
 * open yet).
 */
int gr_project_takes_work(const struct gr_project *project, int *out_closed);

/* 0 when a team of members learners has room for one more; else GR_ECONFLICT. */
int gr_project_team_has_room(const struct gr_project *project, int members);

/* 0 when the project may be opened to a cohort, or one taken back: open only. */
int gr_project_may_open(const struct gr_project *project);

/*
 * The invariants numbered in project.c, in every build type. 0 when they
 * hold, else the number of the first broken one (1 .. 5) with a one-line
 * message. A positive result is not an error code.
 */
int gr_project_check(const struct gr_project *project);

#endif
