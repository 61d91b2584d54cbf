/*
 * projects.c - partner projects (see projects.h).
 *
 * Owns who may do what to a project (its partner writes and proposes; a
 * coach of its centre or an admin returns, approves, opens and closes; a
 * learner of a cohort it is open to makes, joins and leaves teams), the
 * track an approved brief becomes (track.md and brief.md committed into
 * DATA/tracks/partner-ID.git with gr_git_commit_directory, registered in
 * the same change, and loaded at once after the commit), the projects as
 * each role reads them, and the partner's feedback, stored and pushed to
 * every member of the team. Telling the coaches of a proposed brief and
 * the members of feedback goes through gr_live_event: each is an event on
 * the person's own stream, which the inbox keeps ("project_proposed",
 * "partner_feedback").
 *
 * Leaves the life of a project and what people write to
 * domain/project.c, keeping it to store/project.c, who sees a project's
 * track to services/rights.c, and a team's hand-in and the verdict for
 * every member to services/live.c and services/reviews.c (the review
 * engine sees the team's one author).
 */
#include "services/projects.h"

#include "core/error.h"
#include "core/log.h"
#include "core/workers.h"
#include "domain/project.h"
#include "services/live.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/centre.h"
#include "store/project.h"
#include "store/track.h"
#include "store/user.h"
#include "tracks/git.h"
#include "tracks/library.h"
#include "tracks/markdown.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct gr_projects {
	struct gr_store *store;
	struct gr_library *library;
	struct gr_live *live;	  /* NULL: nobody to tell */
	struct gr_turn *turn;	  /* the loop's, or own_turn */
	struct gr_turn *own_turn; /* without a loop: each change commits at once */
	gr_clock_fn *clock;
	char data_dir[1024];
	struct gr_workers *workers;   /* NULL: briefs render where they are written */
	struct render_job *rendering; /* briefs being rendered on a worker */
};

static int64_t now(const struct gr_projects *projects)
{
	return projects->clock ? projects->clock() : gr_clock_now_ms();
}

int gr_projects_new(struct gr_projects **out, struct gr_store *store, struct gr_library *library,
		    const char *data_dir, gr_clock_fn *clock)
{
	struct gr_projects *projects = calloc(1, sizeof(*projects));
	int rc;

	*out = NULL;
	if (!projects) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	projects->store = store;
	projects->library = library;
	projects->clock = clock;
	snprintf(projects->data_dir, sizeof(projects->data_dir), "%s", data_dir ? data_dir : ".");
	if ((rc = gr_turn_new(&projects->own_turn, store)) != 0) {
		gr_projects_free(projects);
		return rc;
	}
	projects->turn = projects->own_turn;
	*out = projects;
	return 0;
}

void gr_projects_set_turn(struct gr_projects *projects, struct gr_turn *turn)
{
	projects->turn = turn ? turn : projects->own_turn;
}

void gr_projects_set_workers(struct gr_projects *projects, struct gr_workers *workers)
{
	projects->workers = workers;
}

void gr_projects_set_live(struct gr_projects *projects, struct gr_live *live)
{
	projects->live = live;
}

static void render_orphan_all(struct gr_projects *projects);

void gr_projects_free(struct gr_projects *projects)
{
	if (!projects)
		return;
	render_orphan_all(projects);
	gr_turn_free(projects->own_turn);
	free(projects);
}

typedef int write_fn(struct gr_projects *projects, void *argument);

/* write(projects, argument) as one change of the turn, committed when this returns 0. */
static int change(struct gr_projects *projects, write_fn *write, void *argument)
{
	struct gr_turn_change turn_change;
	int rc;

	if ((rc = gr_turn_begin(projects->turn, &turn_change)) != 0 ||
	    (rc = gr_turn_end(projects->turn, &turn_change, write(projects, argument))) != 0)
		return rc;
	return gr_turn_flush(projects->turn);
}

/* 0 when life keeps its invariants; else a bug: logged, and GR_ERROR. */
static int keeps_invariants(const struct gr_project *life)
{
	if (gr_project_check(life) == 0)
		return 0;
	gr_log_error("refused to store a broken project: %s", gr_error_last());
	gr_error_set("The server refused a change that would break a project.");
	return GR_ERROR;
}

/* Sets why and the message; returns rc. */
static int refuse(struct gr_projects_why *why, int rc, const char *error, const char *field,
		  const char *message)
{
	why->error = error;
	why->field = field;
	if (message)
		gr_error_set("%s", message);
	return rc;
}

/* ---- a project as each role reads it --------------------------------------------- */

/* What a reader of projects is. */
struct reader {
	struct gr_projects *projects;
	const struct gr_user *by;
};

static int add_text(const char *text, void *payload)
{
	return gr_json_append(payload, gr_json_string(text));
}

static int add_person(int64_t id, void *payload)
{
	struct reader *reader = ((void **)payload)[0];
	struct gr_json *list = ((void **)payload)[1];

	return gr_json_append(list, gr_live_person(reader->projects->store, id));
}

static int add_feedback(const struct gr_store_project_feedback *row, void *payload)
{
	return gr_json_append(payload,
			      gr_json_pack("{s:I, s:s, s:I}", "id", (long long)row->id, "body",
					   row->body, "at", (long long)row->created_at));
}

/* The state of a team's work from its author's progress on the step. */
static const char *work_state(const char *progress)
{
	static const char *const names[] = {"in_review", "passed", "needs_work"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(progress, names[i]) == 0)
			return names[i];
	return "waiting";
}

static int work_json(const struct gr_store_project_team_work *work, void *payload)
{
	struct reader *reader = ((void **)payload)[0];
	struct gr_json **out = ((void **)payload)[1];
	struct gr_json *feedback = gr_json_array();
	int rc = gr_store_project_feedback_each(reader->projects->store, work->id, add_feedback,
						feedback);

	if (rc != 0) {
		gr_json_free(feedback);
		return rc;
	}
	*out = gr_json_pack("{s:I, s:i, s:s, s:s, s:s?, s:I, s:o}", "id", (long long)work->id,
			    "attempt", work->attempt, "state", work_state(work->progress),
			    "body_html", work->body_html, "link", work->link[0] ? work->link : NULL,
			    "submitted_at", (long long)work->created_at, "feedback", feedback);
	return *out ? 0 : GR_ERROR;
}

/* Whether reader sees who is in team, and its work: not a learner of another team or cohort. */
static int sees_team(const struct reader *reader, const struct gr_store_project_team *team,
		     int work)
{
	const struct gr_user *by = reader->by;
	struct gr_store_project_team own;

	if (by->role != GR_ROLE_LEARNER)
		return 1;
	if (!work)
		return by->cohort[0] && strcmp(by->cohort, team->cohort) == 0;
	return gr_store_project_team_of(reader->projects->store, &own, team->project_id, by->id) ==
		   0 &&
	       own.id == team->id;
}

static struct gr_json *team_value(struct reader *reader, const struct gr_store_project_team *team)
{
	struct gr_json *members = gr_json_array(), *submission = NULL;
	void *member_payload[2] = {reader, members};
	void *work_payload[2] = {reader, &submission};
	int rc = 0;

	if (sees_team(reader, team, 0))
		rc = gr_store_project_team_each_member(reader->projects->store, team->id,
						       add_person, member_payload);
	if (rc == 0 && sees_team(reader, team, 1)) {
		rc = gr_store_project_team_latest(reader->projects->store, team->id, work_json,
						  work_payload);
		rc = rc == GR_ENOTFOUND ? 0 : rc;
	}
	if (rc != 0) {
		gr_json_free(members);
		gr_json_free(submission);
		return NULL;
	}
	return gr_json_pack("{s:I, s:s, s:s, s:i, s:o, s:o}", "id", (long long)team->id, "name",
			    team->name, "cohort", team->cohort, "member_count", team->members,
			    "members", members, "submission",
			    submission ? submission : gr_json_null());
}

static int add_team(const struct gr_store_project_team *team, void *payload)
{
	struct reader *reader = ((void **)payload)[0];

	return gr_json_append(((void **)payload)[1], team_value(reader, team));
}

/* A project as reader reads it (docs/api.md, "P"); NULL when it failed. */
static struct gr_json *project_value(struct reader *reader, const struct gr_store_project *row)
{
	struct gr_json *cohorts = gr_json_array(), *teams = gr_json_array(), *value;
	struct gr_json *checklist = gr_json_load(row->checklist, strlen(row->checklist));
	void *team_payload[2] = {reader, teams};
	int rc =
	    gr_store_project_each_cohort(reader->projects->store, row->life.id, add_text, cohorts);

	if (rc == 0)
		rc = gr_store_project_team_each(reader->projects->store, row->life.id, add_team,
						team_payload);
	if (rc != 0 || !checklist) {
		gr_json_free(cohorts);
		gr_json_free(teams);
		gr_json_free(checklist);
		return NULL;
	}
	value = gr_json_pack(
	    "{s:I, s:s, s:s, s:s, s:s?, s:i, s:o, s:s, s:s?, s:{s:I, s:s}, s:{s:s, s:s},"
	    " s:s?, s:o, s:o, s:I, s:I}",
	    "id", (long long)row->life.id, "title", row->title, "summary", row->summary, "brief_md",
	    row->brief_md, "brief_html", row->brief_html[0] ? row->brief_html : NULL, "team_size", row->life.team_size,
	    "checklist", checklist, "state", gr_project_state_name(row->life.state), "note",
	    row->note[0] ? row->note : NULL, "centre", "id", (long long)row->life.centre_id, "name",
	    row->centre, "partner", "handle", row->partner_handle, "display_name",
	    row->partner_name, "track", row->track_id[0] ? row->track_id : NULL, "cohorts", cohorts,
	    "teams", teams, "created_at", (long long)row->life.created_at, "updated_at",
	    (long long)row->life.updated_at);
	return value;
}

/*
 * Whether by may read the project row (see gr_projects_list); listing: in
 * the list, where nobody but its partner sees a draft (the coaches of its
 * centre and the admins read one by its id: a brief they returned).
 */
static int may_read(struct gr_projects *projects, const struct gr_user *by,
		    const struct gr_store_project *row, int listing)
{
	if (by->disabled_at)
		return 0;
	switch (by->role) {
	case GR_ROLE_PARTNER:
		return row->life.partner_id == by->id;
	case GR_ROLE_ADMIN:
		return !listing || row->life.state != GR_PROJECT_DRAFT;
	case GR_ROLE_COACH:
		return (!listing || row->life.state != GR_PROJECT_DRAFT) &&
		       gr_rights_may_see_centre(projects->store, by, row->life.centre_id);
	case GR_ROLE_LEARNER:
		return (row->life.state == GR_PROJECT_OPEN ||
			row->life.state == GR_PROJECT_CLOSED) &&
		       row->track_id[0] &&
		       gr_rights_may_see_track(projects->store, by, row->track_id);
	}
	return 0;
}

struct listing {
	struct reader reader;
	struct gr_json *list;
	struct gr_json *mine; /* a learner's: project id -> team id */
};

static int list_one(const struct gr_store_project *row, void *payload)
{
	struct listing *listing = payload;
	struct gr_store_project_team team;
	char key[32];
	int rc;

	if (!may_read(listing->reader.projects, listing->reader.by, row, 1))
		return 0;
	if (listing->mine) {
		rc = gr_store_project_team_of(listing->reader.projects->store, &team, row->life.id,
					      listing->reader.by->id);
		if (rc == 0) {
			snprintf(key, sizeof(key), "%lld", (long long)row->life.id);
			if (gr_json_set(listing->mine, key, gr_json_integer(team.id)) != 0)
				return GR_ERROR;
		} else if (rc != GR_ENOTFOUND) {
			return rc;
		}
	}
	return gr_json_append(listing->list, project_value(&listing->reader, row));
}

int gr_projects_list(struct gr_projects *projects, const struct gr_user *by, struct gr_json **out)
{
	struct listing listing = {{projects, by}, gr_json_array(), NULL};
	int rc;

	*out = NULL;
	if (by->role == GR_ROLE_LEARNER)
		listing.mine = gr_json_object();
	if ((rc = gr_store_project_each(projects->store, list_one, &listing)) != 0 ||
	    !(*out = gr_json_pack("{s:O}", "projects", listing.list))) {
		gr_json_free(listing.list);
		gr_json_free(listing.mine);
		return rc ? rc : GR_ERROR;
	}
	gr_json_free(listing.list);
	if (listing.mine)
		gr_json_set(*out, "mine", listing.mine);
	return 0;
}

struct counting {
	struct gr_projects *projects;
	const struct gr_user *by;
	int count;
};

static int count_one(const struct gr_store_project *row, void *payload)
{
	struct counting *counting = payload;

	if (row->life.state == GR_PROJECT_OPEN && may_read(counting->projects, counting->by, row, 1))
		counting->count++;
	return 0;
}

int gr_projects_count_open(struct gr_projects *projects, const struct gr_user *by, int *out)
{
	struct counting counting = { projects, by, 0 };
	int rc = by->role == GR_ROLE_LEARNER
			 ? gr_store_project_each(projects->store, count_one, &counting)
			 : 0;

	*out = rc == 0 ? counting.count : 0;
	return rc;
}

/* A project as a move needs it: its life, and what a track or a message is made of. */
struct loaded {
	struct reader reader;
	int may;	       /* reader may read it */
	struct gr_json *value; /* with want_value: as reader reads it */
	int want_value;
	struct gr_project life;
	char track[130];
	char title[GR_PROJECT_TITLE_MAX * 4 + 1];
};

static int load_one(const struct gr_store_project *row, void *payload)
{
	struct loaded *loaded = payload;

	loaded->life = row->life;
	snprintf(loaded->track, sizeof(loaded->track), "%s", row->track_id);
	snprintf(loaded->title, sizeof(loaded->title), "%s", row->title);
	loaded->may = may_read(loaded->reader.projects, loaded->reader.by, row, 0);
	if (loaded->may && loaded->want_value &&
	    !(loaded->value = project_value(&loaded->reader, row)))
		return GR_ERROR;
	return 0;
}

/*
 * Loads project id into loaded when by may read it: GR_ENOTFOUND
 * (project_missing) for none, and for a learner who may not read it;
 * GR_EFORBIDDEN (not_your_project) for anyone else who may not.
 */
static int load(struct gr_projects *projects, struct loaded *loaded, const struct gr_user *by,
		int64_t id, struct gr_projects_why *why)
{
	int rc;

	loaded->reader = (struct reader){projects, by};
	loaded->may = 0;
	rc = gr_store_project_by_id(projects->store, id, load_one, loaded);
	if (rc == GR_ENOTFOUND || (rc == 0 && !loaded->may && by->role == GR_ROLE_LEARNER))
		return refuse(why, GR_ENOTFOUND, "project_missing", NULL,
			      "There is no such project.");
	if (rc)
		return rc;
	if (!loaded->may)
		return refuse(why, GR_EFORBIDDEN, "not_your_project", NULL,
			      by->role == GR_ROLE_PARTNER
				  ? "This project is another partner's."
				  : "This project is for a centre you do not coach in.");
	return 0;
}

int gr_projects_get(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		    struct gr_json **out, struct gr_projects_why *why)
{
	struct loaded loaded = {.want_value = 1};
	int rc = load(projects, &loaded, by, id, why);

	*out = rc == 0 ? loaded.value : NULL;
	if (rc)
		gr_json_free(loaded.value);
	return rc;
}

/* ---- the partner's brief ---------------------------------------------------------- */

/* A brief's checklist as stored: a JSON array of its lines (new), or NULL. */
static char *checklist_text(const struct gr_projects_brief *brief)
{
	struct gr_json *list = gr_json_array();
	char *text;

	for (int i = 0; i < brief->checklist_count; i++)
		gr_json_append(list, gr_json_string(brief->checklist[i]));
	text = gr_json_dump(list);
	gr_json_free(list);
	return text;
}

/* A brief checked and made ready to store: the form, its centre, its HTML and checklist. */
struct writing {
	struct gr_project life;
	struct gr_store_project_texts texts;
	char *html, *checklist;
	int64_t centre_id;
};

static void writing_clear(struct writing *w)
{
	free(w->html);
	free(w->checklist);
}

/*
 * A brief is markdown from outside the centre: with workers it is stored
 * with an empty brief_html and rendered on a worker afterwards (cmark can
 * take long on some texts; the loop must not wait), then stored if the
 * brief was not edited meanwhile. Until then the API says brief_html null.
 */
struct render_job {
	struct gr_projects *projects; /* NULL: orphaned */
	int64_t id;
	char *markdown, *html;
	struct render_job *next; /* the service's jobs under way */
};

static void render_work(void *payload)
{
	struct render_job *job = payload;

	job->html = gr_markdown_html(job->markdown);
}

static int write_html(struct gr_projects *projects, void *argument)
{
	struct render_job *job = argument;

	return gr_store_project_set_html(projects->store, job->id, job->markdown, job->html);
}

static void render_done(void *payload)
{
	struct render_job *job = payload;
	struct render_job **link;

	if (job->projects) {
		for (link = &job->projects->rendering; *link; link = &(*link)->next)
			if (*link == job) {
				*link = job->next;
				break;
			}
		if (!job->html || change(job->projects, write_html, job) != 0)
			gr_log_error("the brief of project %lld was not rendered: %s",
				     (long long)job->id, gr_error_last());
	}
	free(job->markdown);
	free(job->html);
	free(job);
}

/* The service is freed: its renders under way end on their own, storing nothing. */
static void render_orphan_all(struct gr_projects *projects)
{
	while (projects->rendering) {
		struct render_job *job = projects->rendering;

		projects->rendering = job->next;
		job->projects = NULL;
		job->next = NULL;
	}
}

/* Render project id's brief markdown on a worker; logged when it cannot start. */
static void render_later(struct gr_projects *projects, int64_t id, const char *markdown)
{
	struct render_job *job = calloc(1, sizeof(*job));

	if (!job || !(job->markdown = strdup(markdown))) {
		free(job);
		gr_log_error("the brief of project %lld was not rendered: out of memory",
			     (long long)id);
		return;
	}
	job->projects = projects;
	job->id = id;
	job->next = projects->rendering;
	projects->rendering = job;
	if (gr_workers_submit(projects->workers, render_work, render_done, job) != 0) {
		job->html = NULL;
		render_done(job); /* logged */
	}
}

/* Checks brief and fills w (its life left to the caller). */
static int prepare(struct gr_projects *projects, struct writing *w,
		   const struct gr_projects_brief *brief, struct gr_projects_why *why)
{
	struct gr_project_form form = {brief->title,	 brief->summary,   brief->brief_md,
				       brief->team_size, brief->checklist, brief->checklist_count};
	const char *field = NULL;
	int rc;

	memset(w, 0, sizeof(*w));
	if ((rc = gr_project_check_form(&form, &field)) != 0)
		return refuse(why, rc, NULL, field, NULL);
	if (!brief->centre || !brief->centre[0])
		return refuse(why, GR_EINVALID, NULL, "centre",
			      "Choose the centre whose learners the project is for.");
	rc = gr_store_centre_id(projects->store, &w->centre_id, brief->centre);
	if (rc == GR_ENOTFOUND)
		return refuse(why, GR_EINVALID, NULL, "centre", "There is no such centre.");
	if (rc)
		return rc;
	w->html = projects->workers ? strdup("") : gr_markdown_html(brief->brief_md);
	if (!w->html || !(w->checklist = checklist_text(brief))) {
		writing_clear(w);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	w->texts = (struct gr_store_project_texts){brief->title, brief->summary, brief->brief_md,
						   w->html, w->checklist};
	return 0;
}

static int write_new(struct gr_projects *projects, void *argument)
{
	struct writing *w = argument;
	int rc = keeps_invariants(&w->life);

	return rc ? rc : gr_store_project_insert(projects->store, &w->life, &w->texts, NULL);
}

int gr_projects_create(struct gr_projects *projects, const struct gr_user *by,
		       const struct gr_projects_brief *brief, int64_t *out_id,
		       struct gr_projects_why *why)
{
	struct writing w;
	int rc;

	*out_id = 0;
	if (by->role != GR_ROLE_PARTNER || by->disabled_at)
		return refuse(why, GR_EFORBIDDEN, NULL, NULL,
			      "Only partners write project briefs.");
	if ((rc = prepare(projects, &w, brief, why)) != 0)
		return rc;
	if ((rc = gr_project_write(&w.life, by->id, w.centre_id, brief->team_size,
				   now(projects))) == 0 &&
	    (rc = change(projects, write_new, &w)) == 0) {
		*out_id = w.life.id;
		if (projects->workers)
			render_later(projects, w.life.id, brief->brief_md);
		gr_log_info("%s wrote the project brief %lld", by->handle, (long long)w.life.id);
	}
	writing_clear(&w);
	return rc;
}

/* Loads project id for a move of its partner by. */
static int load_own(struct gr_projects *projects, struct loaded *loaded, const struct gr_user *by,
		    int64_t id, struct gr_projects_why *why)
{
	int rc = load(projects, loaded, by, id, why);

	if (rc == 0 && by->role != GR_ROLE_PARTNER)
		return refuse(why, GR_EFORBIDDEN, NULL, NULL,
			      "Only the project's partner writes and sends its brief.");
	return rc;
}

struct update {
	struct gr_project life;
	const struct gr_store_project_texts *texts;
	const char *note;
	const char *track;
};

static int write_update(struct gr_projects *projects, void *argument)
{
	struct update *u = argument;
	int rc = keeps_invariants(&u->life);

	return rc ? rc
		  : gr_store_project_update(projects->store, &u->life, u->texts, u->note, u->track);
}

/* A move refused by the life of a project: conflict, project_state. */
static int state_refused(struct gr_projects_why *why, int rc)
{
	if (rc == GR_ECONFLICT)
		why->error = "project_state";
	return rc;
}

int gr_projects_edit(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		     const struct gr_projects_brief *brief, struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct writing w;
	struct update u;
	int rc;

	if ((rc = load_own(projects, &loaded, by, id, why)) != 0)
		return rc;
	if ((rc = gr_project_edit(&loaded.life, loaded.life.team_size, now(projects))) != 0)
		return state_refused(why, rc);
	if ((rc = prepare(projects, &w, brief, why)) != 0)
		return rc;
	if ((rc = gr_project_edit(&loaded.life, brief->team_size, now(projects))) == 0) {
		loaded.life.centre_id = w.centre_id;
		u = (struct update){loaded.life, &w.texts, NULL, NULL};
		if ((rc = change(projects, write_update, &u)) == 0 && projects->workers)
			render_later(projects, id, brief->brief_md);
	}
	writing_clear(&w);
	return rc;
}

/* A proposed brief: each coach of its centre and each admin is told, and it is in their inbox. */
struct telling {
	struct gr_projects *projects;
	const struct loaded *loaded;
	const char *partner;
};

static int tell_coach(int64_t user_id, void *payload)
{
	struct telling *t = payload;

	return gr_live_event(t->projects->live, user_id, NULL,
			     gr_json_pack("{s:s, s:I, s:s, s:s}", "event", "project.proposed",
					  "project", (long long)t->loaded->life.id, "title",
					  t->loaded->title, "partner", t->partner));
}

struct proposing {
	struct update update;
	struct telling telling;
};

static int write_propose(struct gr_projects *projects, void *argument)
{
	struct proposing *p = argument;
	int rc = write_update(projects, &p->update);

	if (rc || !projects->live)
		return rc;
	return gr_store_centre_each_watcher(projects->store, p->update.life.centre_id, tell_coach,
					    &p->telling);
}

int gr_projects_propose(struct gr_projects *projects, const struct gr_user *by, int64_t id,
			struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct proposing p;
	int rc;

	if ((rc = load_own(projects, &loaded, by, id, why)) != 0)
		return rc;
	if ((rc = gr_project_propose(&loaded.life, now(projects))) != 0)
		return state_refused(why, rc);
	p.update = (struct update){loaded.life, NULL, "", NULL};
	p.telling = (struct telling){projects, &loaded, by->handle};
	return change(projects, write_propose, &p);
}

/* ---- the coaches' moves ------------------------------------------------------------- */

/* Loads project id for a move of a coach of its centre, or an admin. */
static int load_coached(struct gr_projects *projects, struct loaded *loaded,
			const struct gr_user *by, int64_t id, struct gr_projects_why *why)
{
	int rc;

	if (!gr_account_is_coach(by))
		return refuse(why, GR_EFORBIDDEN, "coaches_only", NULL,
			      "Only the coaches of the project's centre decide on it.");
	if ((rc = load(projects, loaded, by, id, why)) != 0)
		return rc;
	if (!gr_rights_may_see_centre(projects->store, by, loaded->life.centre_id))
		return refuse(why, GR_EFORBIDDEN, "not_your_project", NULL,
			      "This project is for a centre you do not coach in.");
	return 0;
}

int gr_projects_return(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		       const char *note, struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct update u;
	int rc;

	if ((rc = load_coached(projects, &loaded, by, id, why)) != 0)
		return rc;
	if ((rc = gr_project_check_note(note)) != 0)
		return refuse(why, rc, NULL, "note", NULL);
	if ((rc = gr_project_return(&loaded.life, by->id, now(projects))) != 0)
		return state_refused(why, rc);
	u = (struct update){loaded.life, NULL, note, NULL};
	return change(projects, write_update, &u);
}

/* Writes text into dir/name; 0 or GR_ERROR. */
static int write_file(const char *dir, const char *name, const char *text)
{
	char path[1400];
	FILE *file;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(file = fopen(path, "w"))) {
		gr_error_set("cannot write %s: %s", path, strerror(errno));
		return GR_ERROR;
	}
	if (fputs(text, file) == EOF)
		rc = GR_ERROR;
	if (fclose(file) != 0 || rc) {
		gr_error_set("cannot write %s", path);
		return GR_ERROR;
	}
	return 0;
}

/* The files of a brief's track, written from its stored row into a directory. */
struct track_files {
	const char *dir;
	int rc;
};

/* A manifest line's text: line breaks as spaces. */
static void one_line(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static int write_track_files(const struct gr_store_project *row, void *payload)
{
	struct track_files *files = payload;
	struct gr_json *checklist = gr_json_load(row->checklist, strlen(row->checklist));
	size_t size = strlen(row->brief_md) + strlen(row->checklist) * 2 + 2048, used;
	char summary[GR_PROJECT_SUMMARY_MAX * 4 + 1], *step = malloc(size);
	char manifest[GR_PROJECT_TITLE_MAX * 4 + sizeof(summary) + 64];

	one_line(summary, sizeof(summary), row->summary);
	if (!step || !checklist) {
		free(step);
		gr_json_free(checklist);
		gr_error_set("out of memory");
		return files->rc = GR_ERROR;
	}
	snprintf(manifest, sizeof(manifest),
		 "# %s\n\n%s\n\n## Project\n\n- [The brief](brief.md)\n", row->title, summary);
	used = (size_t)snprintf(step, size,
				"---\nkind: project\nreviews: 2\n---\n\n# %s\n\n%s\n\n"
				"## Review checklist\n\n",
				row->title, row->brief_md);
	for (size_t i = 0; i < gr_json_size(checklist) && used < size; i++)
		used += (size_t)snprintf(step + used, size - used, "- [ ] %s\n",
					 gr_json_text(gr_json_at(checklist, i), NULL));
	files->rc = write_file(files->dir, "track.md", manifest);
	if (files->rc == 0)
		files->rc = write_file(files->dir, "brief.md", step);
	free(step);
	gr_json_free(checklist);
	return files->rc;
}

/* Commits project id's brief as the track track_id into DATA/tracks/track_id.git. */
static int commit_track(struct gr_projects *projects, struct gr_track_entry *entry, int64_t id)
{
	char dir[1300], tracks[1100], commit[GR_GIT_ID_SIZE], path[1400];
	struct track_files files = {dir, 0};
	int rc;

	snprintf(tracks, sizeof(tracks), "%s/tracks", projects->data_dir);
	snprintf(dir, sizeof(dir), "%s/.%s-XXXXXX", tracks, entry->id);
	if ((mkdir(tracks, 0750) != 0 && errno != EEXIST) || !mkdtemp(dir)) {
		gr_error_set("cannot make a folder for the track %s: %s", entry->id,
			     strerror(errno));
		return GR_ERROR;
	}
	rc = gr_store_project_by_id(projects->store, id, write_track_files, &files);
	snprintf(entry->repo, sizeof(entry->repo), "%s/%s.git", tracks, entry->id);
	if (rc == 0)
		rc = gr_git_commit_directory(commit, entry->repo, dir, "main",
					     "The brief approved by the centre's coaches");
	snprintf(path, sizeof(path), "%s/track.md", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/brief.md", dir);
	unlink(path);
	rmdir(dir);
	if (rc == 0)
		gr_log_info("the brief of project %lld is the track %s (commit %.12s)",
			    (long long)id, entry->id, commit);
	return rc;
}

struct approving {
	struct update update;
	struct gr_track_entry entry;
};

static int write_approve(struct gr_projects *projects, void *argument)
{
	struct approving *a = argument;
	int rc = write_update(projects, &a->update);

	if (rc == 0)
		rc = gr_store_track_insert(projects->store, &a->entry);
	if (rc == GR_EEXISTS)
		gr_error_set("A track %s is registered already: remove it first "
			     "('grounds track remove %s').",
			     a->entry.id, a->entry.id);
	return rc;
}

int gr_projects_approve(struct gr_projects *projects, const struct gr_user *by, int64_t id,
			struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct approving a;
	int rc;

	if ((rc = load_coached(projects, &loaded, by, id, why)) != 0)
		return rc;
	if ((rc = gr_project_approve(&loaded.life, by->id, now(projects))) != 0)
		return state_refused(why, rc);
	memset(&a.entry, 0, sizeof(a.entry));
	snprintf(a.entry.id, sizeof(a.entry.id), "partner-%lld", (long long)id);
	a.entry.added_at = loaded.life.decided_at;
	a.update = (struct update){loaded.life, NULL, "", a.entry.id};
	if ((rc = commit_track(projects, &a.entry, id)) != 0 ||
	    (rc = change(projects, write_approve, &a)) != 0)
		return rc;
	gr_log_info("%s approved project %lld", by->handle, (long long)id);
	if (projects->library)
		gr_library_load(projects->library); /* served from the next request on */
	return 0;
}

struct opening {
	int64_t project_id, cohort_id;
	int open;
	struct gr_projects_why *why;
};

static int write_open(struct gr_projects *projects, void *argument)
{
	struct opening *o = argument;
	int added = 0, teams = 0, rc;

	if (o->open)
		return gr_store_project_open_to(projects->store, &added, o->project_id,
						o->cohort_id);
	if ((rc = gr_store_project_team_count_in_cohort(projects->store, &teams, o->project_id,
							o->cohort_id)) != 0)
		return rc;
	if (teams > 0)
		return refuse(o->why, GR_ECONFLICT, NULL, "cohort",
			      "Learners of this cohort have teams on this project already.");
	rc = gr_store_project_unopen(projects->store, o->project_id, o->cohort_id);
	return rc == GR_ENOTFOUND ? refuse(o->why, GR_EINVALID, NULL, "cohort", NULL) : rc;
}

int gr_projects_open(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		     const char *cohort, int open, struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct opening o = {id, 0, open, why};
	int64_t centre = 0;
	int rc;

	if ((rc = load_coached(projects, &loaded, by, id, why)) != 0)
		return rc;
	if ((rc = gr_project_may_open(&loaded.life)) != 0)
		return state_refused(why, rc);
	if (!cohort || !cohort[0])
		return refuse(why, GR_EINVALID, NULL, "cohort", "Choose a cohort.");
	rc = gr_store_project_cohort(projects->store, &o.cohort_id, &centre, cohort);
	if (rc == GR_ENOTFOUND || (rc == 0 && centre != loaded.life.centre_id))
		return refuse(why, GR_EINVALID, NULL, "cohort",
			      "Choose a cohort of the project's centre.");
	if (rc)
		return rc;
	if (!gr_rights_may_coach(projects->store, by, cohort))
		return refuse(why, GR_EFORBIDDEN, "not_your_cohort", "cohort",
			      "You may open a project to the cohorts you coach only.");
	return change(projects, write_open, &o);
}

int gr_projects_close(struct gr_projects *projects, const struct gr_user *by, int64_t id,
		      struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct update u;
	int rc;

	if ((rc = load_coached(projects, &loaded, by, id, why)) != 0)
		return rc;
	if ((rc = gr_project_close(&loaded.life, now(projects))) != 0)
		return state_refused(why, rc);
	u = (struct update){loaded.life, NULL, NULL, NULL};
	return change(projects, write_update, &u);
}

/* ---- teams ------------------------------------------------------------------------ */

/* Loads project id for a learner's team move: they see it, and it takes work. */
static int load_for_team(struct gr_projects *projects, struct loaded *loaded,
			 const struct gr_user *by, int64_t id, struct gr_projects_why *why)
{
	int closed = 0, rc;

	if (by->role != GR_ROLE_LEARNER)
		return refuse(why, GR_EFORBIDDEN, "learners_only", NULL,
			      "Only learners make and join teams.");
	if ((rc = load(projects, loaded, by, id, why)) != 0)
		return rc;
	if ((rc = gr_project_takes_work(&loaded->life, &closed)) != 0)
		return refuse(why, rc, closed ? "project_closed" : "project_state", NULL, NULL);
	return 0;
}

struct joining {
	const struct gr_user *by;
	int64_t project_id, team_id, cohort_id;
	const char *name;
	struct gr_projects_why *why;
};

static int write_join(struct gr_projects *projects, void *argument)
{
	struct joining *j = argument;
	int rc;

	if (j->name) {
		rc = gr_store_project_team_insert(projects->store, &j->team_id, j->project_id,
						  j->cohort_id, j->name, now(projects));
		if (rc == GR_EEXISTS)
			return refuse(j->why, rc, NULL, "name", NULL);
		if (rc)
			return rc;
	}
	rc = gr_store_project_team_join(projects->store, j->team_id, j->project_id, j->by->id,
					now(projects));
	return rc == GR_EEXISTS ? refuse(j->why, GR_ECONFLICT, "already_in_team", NULL, NULL) : rc;
}

/* GR_ECONFLICT (already_in_team) when by is in a team of project_id. */
static int in_no_team(struct gr_projects *projects, const struct gr_user *by, int64_t project_id,
		      struct gr_projects_why *why)
{
	struct gr_store_project_team team;
	int rc = gr_store_project_team_of(projects->store, &team, project_id, by->id);

	if (rc == 0)
		return refuse(why, GR_ECONFLICT, "already_in_team", NULL,
			      "You are in a team of this project already: leave it first.");
	return rc == GR_ENOTFOUND ? 0 : rc;
}

int gr_projects_team_create(struct gr_projects *projects, const struct gr_user *by,
			    int64_t project_id, const char *name, struct gr_json **out,
			    struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct joining j = {by, project_id, 0, 0, name, why};
	struct gr_store_project_team team;
	struct reader reader = {projects, by};
	int64_t centre = 0;
	int rc;

	*out = NULL;
	if ((rc = load_for_team(projects, &loaded, by, project_id, why)) != 0)
		return rc;
	if ((rc = gr_project_check_team_name(name)) != 0)
		return refuse(why, rc, NULL, "name", NULL);
	if ((rc = in_no_team(projects, by, project_id, why)) != 0 ||
	    (rc = gr_store_project_cohort(projects->store, &j.cohort_id, &centre, by->cohort)) !=
		0 ||
	    (rc = change(projects, write_join, &j)) != 0 ||
	    (rc = gr_store_project_team_get(projects->store, &team, j.team_id)) != 0)
		return rc;
	if (!(*out = team_value(&reader, &team)))
		return GR_ERROR;
	return 0;
}

int gr_projects_team_join(struct gr_projects *projects, const struct gr_user *by, int64_t team_id,
			  struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct gr_store_project_team team;
	struct joining j = {by, 0, team_id, 0, NULL, why};
	int rc = gr_store_project_team_get(projects->store, &team, team_id);

	if (rc == GR_ENOTFOUND)
		return refuse(why, rc, NULL, NULL, "There is no such team.");
	if (rc || (rc = load_for_team(projects, &loaded, by, team.project_id, why)) != 0)
		return rc;
	if (strcmp(team.cohort, by->cohort) != 0)
		return refuse(why, GR_EFORBIDDEN, "not_your_cohort", NULL,
			      "You may join the teams of your own cohort only.");
	if ((rc = in_no_team(projects, by, team.project_id, why)) != 0)
		return rc;
	if ((rc = gr_project_team_has_room(&loaded.life, team.members)) != 0)
		return refuse(why, rc, "team_full", NULL, NULL);
	j.project_id = team.project_id;
	return change(projects, write_join, &j);
}

struct leaving {
	int64_t team_id, user_id;
};

static int write_leave(struct gr_projects *projects, void *argument)
{
	struct leaving *l = argument;

	return gr_store_project_team_leave(projects->store, l->team_id, l->user_id);
}

int gr_projects_team_leave(struct gr_projects *projects, const struct gr_user *by, int64_t team_id,
			   struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct gr_store_project_team team, own;
	struct leaving l = {team_id, by->id};
	int rc = gr_store_project_team_get(projects->store, &team, team_id);

	if (rc == GR_ENOTFOUND)
		return refuse(why, rc, NULL, NULL, "There is no such team.");
	if (rc || (rc = load_for_team(projects, &loaded, by, team.project_id, why)) != 0)
		return rc;
	rc = gr_store_project_team_of(projects->store, &own, team.project_id, by->id);
	if (rc == GR_ENOTFOUND || (rc == 0 && own.id != team_id))
		return refuse(why, GR_ENOTFOUND, NULL, NULL, "You are not in this team.");
	if (rc)
		return rc;
	if (team.author_id)
		return refuse(why, GR_ECONFLICT, "team_handed_in", NULL,
			      "Your team has handed in work: its members stay together.");
	return change(projects, write_leave, &l);
}

/* ---- the partner's feedback ------------------------------------------------------ */

struct giving {
	struct gr_projects *projects;
	int64_t submission_id, partner_id, feedback_id, at;
	const char *body;
	const struct loaded *loaded;
	int64_t team_id;
};

static int tell_member(int64_t user_id, void *payload)
{
	struct giving *g = payload;

	return gr_live_event(
	    g->projects->live, user_id, NULL,
	    gr_json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:{s:I, s:s, s:I}}", "event",
			 "project.feedback", "project", (long long)g->loaded->life.id, "title",
			 g->loaded->title, "track", g->loaded->track, "step", "brief", "submission",
			 (long long)g->submission_id, "feedback", "id", (long long)g->feedback_id,
			 "body", g->body, "at", (long long)g->at));
}

static int write_feedback(struct gr_projects *projects, void *argument)
{
	struct giving *g = argument;
	int rc = gr_store_project_feedback_insert(projects->store, &g->feedback_id,
						  g->submission_id, g->partner_id, g->body, g->at);

	if (rc || !projects->live)
		return rc;
	return gr_store_project_team_each_member(projects->store, g->team_id, tell_member, g);
}

int gr_projects_feedback(struct gr_projects *projects, const struct gr_user *by,
			 int64_t submission_id, const char *body, struct gr_json **out,
			 struct gr_projects_why *why)
{
	struct loaded loaded = {0};
	struct gr_store_project_team team;
	struct giving g = {projects, submission_id, by->id, 0, now(projects), body, &loaded, 0};
	int rc;

	*out = NULL;
	if (by->role != GR_ROLE_PARTNER)
		return refuse(why, GR_EFORBIDDEN, NULL, NULL,
			      "Only the project's partner gives feedback on its teams' work.");
	rc = gr_store_project_team_of_submission(projects->store, &team, submission_id);
	if (rc == GR_ENOTFOUND)
		return refuse(why, rc, "submission_missing", "submission",
			      "There is no team's work with this id.");
	if (rc || (rc = load(projects, &loaded, by, team.project_id, why)) != 0)
		return rc;
	if ((rc = gr_project_check_feedback(body)) != 0)
		return refuse(why, rc, NULL, "body", NULL);
	g.team_id = team.id;
	if ((rc = change(projects, write_feedback, &g)) != 0)
		return rc;
	*out = gr_json_pack("{s:I, s:s, s:I}", "id", (long long)g.feedback_id, "body", body, "at",
			    (long long)g.at);
	return *out ? 0 : GR_ERROR;
}

/* ---- the operator's link ------------------------------------------------------------ */

struct linking {
	struct gr_project life;
	struct gr_store_project_texts texts;
	const char *track;
};

static int write_link(struct gr_projects *projects, void *argument)
{
	struct linking *l = argument;
	int rc = keeps_invariants(&l->life);

	return rc ? rc : gr_store_project_insert(projects->store, &l->life, &l->texts, l->track);
}

int gr_projects_link(struct gr_projects *projects, int64_t *out_id, const char *track_id,
		     const char *partner, const char *centre, int team_size)
{
	const struct gr_track *track =
	    projects->library ? gr_library_track(projects->library, track_id) : NULL;
	const struct gr_step *step = track && track->step_count == 1 ? &track->steps[0] : NULL;
	struct gr_user user;
	struct linking l = {.track = track_id};
	struct gr_json *rubric = gr_json_array();
	char *checklist = NULL;
	int64_t centre_id = 0;
	int rc;

	*out_id = 0;
	if (!track || !step || step->kind != GR_STEP_PROJECT) {
		gr_json_free(rubric);
		gr_error_set("%s is not a loaded track of one project step.", track_id);
		return GR_EINVALID;
	}
	if ((rc = gr_store_user_by_handle(projects->store, &user, partner)) != 0 ||
	    (rc = gr_store_centre_id(projects->store, &centre_id, centre)) != 0) {
		gr_json_free(rubric);
		return rc;
	}
	if (user.role != GR_ROLE_PARTNER) {
		gr_json_free(rubric);
		gr_error_set("%s is a %s, not a partner.", partner,
			     gr_account_role_name(user.role));
		return GR_EINVALID;
	}
	for (int i = 0; i < step->rubric.count; i++)
		gr_json_append(rubric, gr_json_string(step->rubric.items[i]));
	checklist = gr_json_dump(rubric);
	gr_json_free(rubric);
	l.texts = (struct gr_store_project_texts){
	    track->title, track->summary ? track->summary : track->title, "",
	    step->html ? step->html : "", checklist ? checklist : "[]"};
	if ((rc = gr_project_link(&l.life, user.id, centre_id, team_size, now(projects))) == 0 &&
	    (rc = change(projects, write_link, &l)) == 0)
		*out_id = l.life.id;
	free(checklist);
	return rc;
}
