/*
 * project.c - the life of a partner project (see project.h).
 *
 * Owns the states, which move leads where and by whom in kind (the
 * partner writes and proposes; a coach returns, approves and closes),
 * when learners may form teams and hand in, and what a partner, a coach,
 * a team and feedback may write. Leaves who exactly may move it (its
 * partner, a coach of its centre) and the track an approved brief becomes
 * to services/projects.c, keeping projects and teams to store/project.c.
 *
 *   gr_project_write()  +-------+ gr_project_propose() +----------+
 *   ------------------> | draft | -------------------> | proposed |
 *   (a partner)         +-------+ <------------------- +----------+
 *     gr_project_edit()  ^    |    gr_project_return()      |
 *     (draft only) ------+----+    (a coach's note)         | gr_project_approve()
 *                                                           v (a coach: its track)
 *   gr_project_link()                                   +------+ gr_project_close() +--------+
 *   --------------------------------------------------> | open | -----------------> | closed |
 *   (the operator links a track of one project step)    +------+                    +--------+
 *
 *   While open, a coach opens it to cohorts of its centre (and takes one
 *   back while no team of that cohort exists): gr_project_may_open().
 *   Learners of those cohorts form teams of at most team_size
 *   (gr_project_team_has_room) and hand in (gr_project_takes_work) while
 *   it is open; closed is final and everything stays readable.
 *
 * Transition table; every move not listed is refused (GR_ECONFLICT) and
 * changes nothing:
 *
 *   from      event                                  to        function
 *   --------  -------------------------------------  --------  --------------------
 *   (none)    a partner writes a brief               draft     gr_project_write()
 *   draft     the partner edits it                   draft     gr_project_edit()
 *   draft     the partner sends it to the coaches    proposed  gr_project_propose()
 *   proposed  a coach returns it with a note         draft     gr_project_return()
 *   proposed  a coach approves it (track committed)  open      gr_project_approve()
 *   (none)    the operator links a track             open      gr_project_link()
 *   open      a coach closes it                      closed    gr_project_close()
 *
 * Invariants of one project, checked by gr_project_check() in every build
 * type (it returns the number of the first broken one):
 *   1. In range: partner_id > 0, centre_id > 0, created_at > 0, a known
 *      state, team_size in 2 .. 6, decided_by >= 0, decided_at >= 0.
 *   2. Moved no earlier than written: updated_at >= created_at.
 *   3. Not approved (draft, proposed): no track, decided_by == 0 and
 *      decided_at == 0.
 *   4. Approved (open, closed): its track, and decided_at in
 *      [created_at, updated_at].
 *   5. A coach's note only on a draft (a returned brief).
 */
#include "domain/project.h"

#include "core/account.h"
#include "core/error.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

static const char *const state_names[GR_PROJECT_STATE_COUNT] = {
	[GR_PROJECT_DRAFT] = "draft",
	[GR_PROJECT_PROPOSED] = "proposed",
	[GR_PROJECT_OPEN] = "open",
	[GR_PROJECT_CLOSED] = "closed",
};

const char *gr_project_state_name(enum gr_project_state state)
{
	return (unsigned)state < GR_PROJECT_STATE_COUNT ? state_names[state] : "unknown";
}

int gr_project_state_from_name(enum gr_project_state *out, const char *name)
{
	for (int i = 0; i < GR_PROJECT_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum gr_project_state)i;
			return 0;
		}
	}
	gr_error_set("A project is draft, proposed, open or closed, not '%.20s'.", name);
	return GR_EINVALID;
}

/* ---- what people write ------------------------------------------------- */

/*
 * 0 when text is valid UTF-8 of 1 to max characters, not only spaces,
 * with no control character but, when lines, line breaks and tabs.
 */
static int fits(const char *text, long max, int lines)
{
	long count = text ? gr_account_utf8_length(text) : -1;

	if (count < 1 || count > max || !text[strspn(text, " \t\r\n")])
		return -1;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    *p == 0x7f)
			return -1;
	return 0;
}

/* Fails with field and message; returns GR_EINVALID. */
static int bad(const char **out_field, const char *field, const char *message)
{
	*out_field = field;
	gr_error_set("%s", message);
	return GR_EINVALID;
}

int gr_project_check_form(const struct gr_project_form *form, const char **out_field)
{
	*out_field = NULL;
	if (fits(form->title, GR_PROJECT_TITLE_MAX, 0) != 0)
		return bad(out_field, "title",
			   "A project's title is 1 to 120 characters on one line.");
	if (fits(form->summary, GR_PROJECT_SUMMARY_MAX, 1) != 0)
		return bad(out_field, "summary", "A project's summary is 1 to 300 characters.");
	if (!form->brief_md || strlen(form->brief_md) > GR_PROJECT_BRIEF_MAX ||
	    fits(form->brief_md, GR_PROJECT_BRIEF_MAX, 1) != 0)
		return bad(out_field, "brief_md", "A brief is 1 byte to 64 KiB of markdown text.");
	if (form->team_size < GR_PROJECT_TEAM_MIN || form->team_size > GR_PROJECT_TEAM_MAX)
		return bad(out_field, "team_size", "A team has 2 to 6 learners.");
	if (form->checklist_count < 1 || form->checklist_count > GR_PROJECT_CHECKLIST_MAX)
		return bad(out_field, "checklist",
			   "A review checklist has 1 to 10 lines, each 1 to 200 characters.");
	for (int i = 0; i < form->checklist_count; i++)
		if (fits(form->checklist[i], GR_PROJECT_LINE_MAX, 0) != 0)
			return bad(
			    out_field, "checklist",
			    "A review checklist has 1 to 10 lines, each 1 to 200 characters.");
	return 0;
}

int gr_project_check_note(const char *note)
{
	if (fits(note, GR_PROJECT_NOTE_MAX, 1) != 0) {
		gr_error_set("A note to the partner is 1 to 1000 characters.");
		return GR_EINVALID;
	}
	return 0;
}

int gr_project_check_team_name(const char *name)
{
	if (fits(name, GR_PROJECT_TEAM_NAME_MAX, 0) != 0) {
		gr_error_set("A team's name is 1 to 60 characters on one line.");
		return GR_EINVALID;
	}
	return 0;
}

int gr_project_check_feedback(const char *body)
{
	if (!body || strlen(body) > GR_PROJECT_FEEDBACK_MAX ||
	    fits(body, GR_PROJECT_FEEDBACK_MAX, 1) != 0) {
		gr_error_set("Feedback is 1 to 4000 bytes of plain text.");
		return GR_EINVALID;
	}
	return 0;
}

/* ---- the moves ----------------------------------------------------------- */

/* A new project of partner_id in state for centre_id at now. */
static int begin(struct gr_project *out, int64_t partner_id, int64_t centre_id, int team_size,
		 int64_t now, enum gr_project_state state)
{
	assert(out);
	if (partner_id <= 0 || centre_id <= 0 || now <= 0 || team_size < GR_PROJECT_TEAM_MIN ||
	    team_size > GR_PROJECT_TEAM_MAX) {
		gr_error_set("project: partner %" PRId64 ", centre %" PRId64 ", team size %d or "
			     "time %" PRId64 " out of range",
			     partner_id, centre_id, team_size, now);
		return GR_EINVALID;
	}
	memset(out, 0, sizeof(*out));
	out->partner_id = partner_id;
	out->centre_id = centre_id;
	out->team_size = team_size;
	out->state = state;
	out->created_at = out->updated_at = now;
	return 0;
}

int gr_project_write(struct gr_project *out, int64_t partner_id, int64_t centre_id, int team_size,
		     int64_t now)
{
	return begin(out, partner_id, centre_id, team_size, now, GR_PROJECT_DRAFT);
}

int gr_project_link(struct gr_project *out, int64_t partner_id, int64_t centre_id, int team_size,
		    int64_t now)
{
	int rc = begin(out, partner_id, centre_id, team_size, now, GR_PROJECT_OPEN);

	if (rc == 0) {
		out->has_track = 1;
		out->decided_at = now;
	}
	return rc;
}

/* 0 when project is in state; else GR_ECONFLICT naming what it is. */
static int in_state(const struct gr_project *project, enum gr_project_state state, const char *move)
{
	if (project->state == state)
		return 0;
	gr_error_set("This project is %s: it cannot be %s now.",
		     gr_project_state_name(project->state), move);
	return GR_ECONFLICT;
}

/* The later of now and the project's last move. */
static int64_t at(const struct gr_project *project, int64_t now)
{
	return now > project->updated_at ? now : project->updated_at;
}

int gr_project_edit(struct gr_project *project, int team_size, int64_t now)
{
	int rc = in_state(project, GR_PROJECT_DRAFT, "edited (only a draft is)");

	if (rc)
		return rc;
	if (team_size < GR_PROJECT_TEAM_MIN || team_size > GR_PROJECT_TEAM_MAX) {
		gr_error_set("A team has 2 to 6 learners.");
		return GR_EINVALID;
	}
	project->team_size = team_size;
	project->updated_at = at(project, now);
	return 0;
}

int gr_project_propose(struct gr_project *project, int64_t now)
{
	int rc = in_state(project, GR_PROJECT_DRAFT, "sent to the coaches");

	if (rc)
		return rc;
	project->state = GR_PROJECT_PROPOSED;
	project->has_note = 0;
	project->updated_at = at(project, now);
	return 0;
}

int gr_project_return(struct gr_project *project, int64_t coach, int64_t now)
{
	int rc = in_state(project, GR_PROJECT_PROPOSED, "returned");

	if (rc)
		return rc;
	(void)coach; /* returning is no decision: the note says who may read it */
	project->state = GR_PROJECT_DRAFT;
	project->has_note = 1;
	project->updated_at = at(project, now);
	return 0;
}

int gr_project_approve(struct gr_project *project, int64_t coach, int64_t now)
{
	int rc = in_state(project, GR_PROJECT_PROPOSED, "approved");

	if (rc)
		return rc;
	if (coach <= 0) {
		gr_error_set("project: an approval needs its coach");
		return GR_EINVALID;
	}
	project->state = GR_PROJECT_OPEN;
	project->has_track = 1;
	project->decided_by = coach;
	project->updated_at = project->decided_at = at(project, now);
	return 0;
}

int gr_project_close(struct gr_project *project, int64_t now)
{
	int rc = in_state(project, GR_PROJECT_OPEN, "closed");

	if (rc)
		return rc;
	project->state = GR_PROJECT_CLOSED;
	project->updated_at = at(project, now);
	return 0;
}

int gr_project_takes_work(const struct gr_project *project, int *out_closed)
{
	*out_closed = project->state == GR_PROJECT_CLOSED;
	if (project->state == GR_PROJECT_OPEN)
		return 0;
	gr_error_set(*out_closed ? "This project is closed: no new teams, no hand-ins."
				 : "This project is not open yet.");
	return GR_ECONFLICT;
}

int gr_project_team_has_room(const struct gr_project *project, int members)
{
	if (members < project->team_size)
		return 0;
	gr_error_set("This team is full: a team of this project has at most %d learners.",
		     project->team_size);
	return GR_ECONFLICT;
}

int gr_project_may_open(const struct gr_project *project)
{
	return in_state(project, GR_PROJECT_OPEN, "opened to a cohort");
}

/* ---- the invariants ------------------------------------------------------ */

int gr_project_check(const struct gr_project *p)
{
	int approved = p->state == GR_PROJECT_OPEN || p->state == GR_PROJECT_CLOSED;

	if (p->partner_id <= 0 || p->centre_id <= 0 || p->created_at <= 0 ||
	    (unsigned)p->state >= GR_PROJECT_STATE_COUNT || p->team_size < GR_PROJECT_TEAM_MIN ||
	    p->team_size > GR_PROJECT_TEAM_MAX || p->decided_by < 0 || p->decided_at < 0) {
		gr_error_set("project invariant 1: %" PRId64 " out of range", p->id);
		return 1;
	}
	if (p->updated_at < p->created_at) {
		gr_error_set("project invariant 2: %" PRId64 " moved before it was written", p->id);
		return 2;
	}
	if (!approved && (p->has_track || p->decided_by || p->decided_at)) {
		gr_error_set("project invariant 3: %" PRId64 " is %s but approved", p->id,
			     gr_project_state_name(p->state));
		return 3;
	}
	if (approved &&
	    (!p->has_track || p->decided_at < p->created_at || p->decided_at > p->updated_at)) {
		gr_error_set("project invariant 4: %" PRId64 " is %s without its track or approval",
			     p->id, gr_project_state_name(p->state));
		return 4;
	}
	if (p->has_note && p->state != GR_PROJECT_DRAFT) {
		gr_error_set("project invariant 5: %" PRId64 " is %s with a coach's note", p->id,
			     gr_project_state_name(p->state));
		return 5;
	}
	return 0;
}
