/*
 * project.c - the tables of partner projects (see project.h): projects,
 * project_cohorts, teams, team_members, submissions.team_id,
 * project_feedback and feedback_shown.
 *
 * Owns storing a brief and its moves, the cohorts it is open to, who may
 * see its track in one query, teams and their members (a team left empty
 * is deleted with its last member), a team's latest work and the
 * feedback on it. Leaves the life of a project and what people may write
 * to domain/project.c, and who may do what to services/projects.c.
 */
#include "store/project.h"

#include "core/error.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

enum statement {
	INSERT,
	UPDATE,
	BY_ID,
	BY_TRACK,
	EACH,
	ACCESS,
	OPEN_TO,
	UNOPEN,
	EACH_COHORT,
	COHORT,
	TEAM_INSERT,
	TEAM_GET,
	TEAM_OF,
	TEAM_OF_TRACK,
	TEAM_OF_SUBMISSION,
	IN_TEAM_OF_SUBMISSION,
	TEAM_EACH,
	TEAM_COUNT_IN_COHORT,
	TEAM_JOIN,
	TEAM_LEAVE,
	TEAM_DELETE_EMPTY,
	TEAM_SET_AUTHOR,
	TEAM_EACH_MEMBER,
	TEAM_MARK,
	TEAM_LATEST,
	FEEDBACK_INSERT,
	FEEDBACK_EACH,
	FEEDBACK_OF_USER,
	FEEDBACK_RECEIVED,
	FEEDBACK_SHOW,
	FEEDBACK_HIDE,
	SET_HTML,
	STATEMENT_COUNT
};

/* The columns read_project reads, from projects p joined to centres x and users u. */
#define COLUMNS                                                                                    \
	"SELECT p.id, p.partner_id, p.centre_id, p.state, p.team_size, p.track_id IS NOT NULL,"    \
	" p.note <> '', p.created_at, p.updated_at, coalesce(p.decided_by, 0),"                    \
	" coalesce(p.decided_at, 0), p.title, p.summary, p.brief_md, p.brief_html, p.checklist,"   \
	" p.note, coalesce(p.track_id, ''), x.name, u.handle, u.display_name"                      \
	" FROM projects p JOIN centres x ON x.id = p.centre_id JOIN users u ON u.id = "            \
	"p.partner_id"

/* The columns read_team reads, from teams t. */
#define TEAM_COLUMNS                                                                               \
	"SELECT t.id, t.project_id, coalesce(t.cohort_id, 0), coalesce(t.author_id, 0),"           \
	" t.created_at, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id), t.name,"     \
	" coalesce((SELECT c.name FROM cohorts c WHERE c.id = t.cohort_id), '') FROM teams t"

/* The columns read_feedback reads, from project_feedback f. */
#define FEEDBACK_COLUMNS                                                                           \
	"SELECT f.id, f.submission_id, coalesce(f.partner_id, 0), f.body, f.created_at"

static const char *const sql[STATEMENT_COUNT] = {
	[INSERT] = "INSERT INTO projects (partner_id, centre_id, title, summary, brief_md,"
		   " brief_html, team_size, checklist, state, track_id, created_at, updated_at,"
		   " decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		   " nullif(?10, ''), ?11, ?12, nullif(?13, 0), nullif(?14, 0))",
	[UPDATE] = "UPDATE projects SET state = ?2, team_size = ?3, updated_at = ?4,"
		   " decided_by = nullif(?5, 0), decided_at = nullif(?6, 0),"
		   " title = coalesce(?7, title), summary = coalesce(?8, summary),"
		   " brief_md = coalesce(?9, brief_md), brief_html = coalesce(?10, brief_html),"
		   " checklist = coalesce(?11, checklist), note = coalesce(?12, note),"
		   " track_id = coalesce(?13, track_id) WHERE id = ?1",
	[BY_ID] = COLUMNS " WHERE p.id = ?1",
	[BY_TRACK] = COLUMNS " WHERE p.track_id = ?1",
	[EACH] = COLUMNS " ORDER BY p.id DESC",
	[ACCESS] = "SELECT p.partner_id, p.centre_id, EXISTS (SELECT 1 FROM project_cohorts pc"
		   " JOIN cohorts c ON c.id = pc.cohort_id WHERE pc.project_id = p.id"
		   " AND c.name = ?2) FROM projects p WHERE p.track_id = ?1",
	[OPEN_TO] = "INSERT OR IGNORE INTO project_cohorts (project_id, cohort_id) VALUES (?1, ?2)",
	[UNOPEN] = "DELETE FROM project_cohorts WHERE project_id = ?1 AND cohort_id = ?2",
	[EACH_COHORT] = "SELECT c.name FROM project_cohorts pc JOIN cohorts c ON c.id = pc.cohort_id"
			" WHERE pc.project_id = ?1 ORDER BY c.name",
	[COHORT] = "SELECT id, centre_id FROM cohorts WHERE name = ?1",
	[TEAM_INSERT] = "INSERT INTO teams (project_id, cohort_id, name, created_at)"
			" VALUES (?1, nullif(?2, 0), ?3, ?4)",
	[TEAM_GET] = TEAM_COLUMNS " WHERE t.id = ?1",
	[TEAM_OF] = TEAM_COLUMNS " JOIN team_members m ON m.team_id = t.id"
				 " WHERE m.project_id = ?1 AND m.user_id = ?2",
	[TEAM_OF_TRACK] = TEAM_COLUMNS " JOIN team_members m ON m.team_id = t.id"
				       " JOIN projects p ON p.id = t.project_id"
				       " WHERE p.track_id = ?1 AND m.user_id = ?2",
	[TEAM_OF_SUBMISSION] = TEAM_COLUMNS " JOIN submissions s ON s.team_id = t.id WHERE s.id = ?1",
	[TEAM_EACH] = TEAM_COLUMNS " WHERE t.project_id = ?1 ORDER BY t.id",
	[IN_TEAM_OF_SUBMISSION] = "SELECT count(*) FROM submissions s JOIN team_members m"
				  " ON m.team_id = s.team_id WHERE s.id = ?1 AND m.user_id = ?2",
	[TEAM_COUNT_IN_COHORT] = "SELECT count(*) FROM teams WHERE project_id = ?1 AND cohort_id = ?2",
	[TEAM_JOIN] = "INSERT INTO team_members (team_id, user_id, project_id, joined_at)"
		      " VALUES (?1, ?2, ?3, ?4)",
	[TEAM_LEAVE] = "DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2",
	[TEAM_DELETE_EMPTY] = "DELETE FROM teams WHERE id = ?1 AND NOT EXISTS"
			      " (SELECT 1 FROM team_members WHERE team_id = ?1)",
	[TEAM_SET_AUTHOR] = "UPDATE teams SET author_id = ?2 WHERE id = ?1",
	[TEAM_EACH_MEMBER] = "SELECT user_id FROM team_members WHERE team_id = ?1"
			     " ORDER BY joined_at, user_id",
	[TEAM_MARK] = "UPDATE submissions SET team_id = ?2 WHERE id = ?1",
	[TEAM_LATEST] = "SELECT s.id, s.attempt, coalesce(s.body_html, ''), coalesce(s.link, ''),"
			" s.created_at, coalesce(g.state, '') FROM submissions s"
			" LEFT JOIN progress g ON g.user_id = s.user_id AND g.track_id = s.track_id"
			" AND g.step_id = s.step_id WHERE s.team_id = ?1"
			" ORDER BY s.created_at DESC, s.id DESC LIMIT 1",
	[FEEDBACK_INSERT] = "INSERT INTO project_feedback (submission_id, partner_id, body,"
			    " created_at) VALUES (?1, ?2, ?3, ?4)",
	[FEEDBACK_EACH] = FEEDBACK_COLUMNS ", '', 0 FROM project_feedback f"
					   " WHERE f.submission_id = ?1 ORDER BY f.id",
	[FEEDBACK_OF_USER] =
	    FEEDBACK_COLUMNS ", p.title, EXISTS (SELECT 1 FROM feedback_shown w"
			     " WHERE w.feedback_id = f.id AND w.user_id = ?1) AS shown"
			     " FROM project_feedback f JOIN submissions s ON s.id = f.submission_id"
			     " JOIN team_members m ON m.team_id = s.team_id AND m.user_id = ?1"
			     " JOIN teams t ON t.id = s.team_id JOIN projects p ON p.id = t.project_id"
			     " WHERE ?2 = 0 OR shown ORDER BY f.id DESC",
	[FEEDBACK_RECEIVED] = "SELECT EXISTS (SELECT 1 FROM project_feedback f JOIN submissions s"
			      " ON s.id = f.submission_id JOIN team_members m ON m.team_id = s.team_id"
			      " WHERE f.id = ?1 AND m.user_id = ?2)",
	[FEEDBACK_SHOW] = "INSERT OR IGNORE INTO feedback_shown (feedback_id, user_id) VALUES (?1, ?2)",
	[FEEDBACK_HIDE] = "DELETE FROM feedback_shown WHERE feedback_id = ?1 AND user_id = ?2",
	[SET_HTML] = "UPDATE projects SET brief_html = ?3 WHERE id = ?1 AND brief_md = ?2",
};

const struct store_sql store_project_sql = {sql, STATEMENT_COUNT};

static sqlite3_stmt *statement(struct gr_store *store, enum statement which)
{
	return store_statement(store, STORE_FILE_PROJECT, which);
}

/* ---- projects ----------------------------------------------------------- */

static void bind_texts(sqlite3_stmt *stmt, int first, const struct gr_store_project_texts *texts)
{
	const char *values[] = {texts ? texts->title : NULL, texts ? texts->summary : NULL,
				texts ? texts->brief_md : NULL, texts ? texts->brief_html : NULL};

	for (int i = 0; i < 4; i++)
		if (values[i])
			sqlite3_bind_text(stmt, first + i, values[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(stmt, first + i);
}

int gr_store_project_insert(struct gr_store *store, struct gr_project *life,
			    const struct gr_store_project_texts *texts, const char *track_id)
{
	sqlite3_stmt *stmt = statement(store, INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, life->partner_id);
	sqlite3_bind_int64(stmt, 2, life->centre_id);
	bind_texts(stmt, 3, texts);
	sqlite3_bind_int(stmt, 7, life->team_size);
	sqlite3_bind_text(stmt, 8, texts->checklist, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, gr_project_state_name(life->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 10, track_id ? track_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, life->created_at);
	sqlite3_bind_int64(stmt, 12, life->updated_at);
	sqlite3_bind_int64(stmt, 13, life->decided_by);
	sqlite3_bind_int64(stmt, 14, life->decided_at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("The track %s is a project's already.", track_id ? track_id : "");
		return GR_EEXISTS;
	}
	if (rc != SQLITE_DONE)
		return store_fail(store, "storing a project");
	life->id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_project_update(struct gr_store *store, const struct gr_project *life,
			    const struct gr_store_project_texts *texts, const char *note,
			    const char *track_id)
{
	sqlite3_stmt *stmt = statement(store, UPDATE);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, life->id);
	sqlite3_bind_text(stmt, 2, gr_project_state_name(life->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, life->team_size);
	sqlite3_bind_int64(stmt, 4, life->updated_at);
	sqlite3_bind_int64(stmt, 5, life->decided_by);
	sqlite3_bind_int64(stmt, 6, life->decided_at);
	bind_texts(stmt, 7, texts);
	if (texts && texts->checklist)
		sqlite3_bind_text(stmt, 11, texts->checklist, -1, SQLITE_STATIC);
	if (note)
		sqlite3_bind_text(stmt, 12, note, -1, SQLITE_STATIC);
	if (track_id)
		sqlite3_bind_text(stmt, 13, track_id, -1, SQLITE_STATIC);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("There is no such project.");
		return GR_ENOTFOUND;
	}
	return 0;
}

int gr_store_project_set_html(struct gr_store *store, int64_t id, const char *brief_md,
			      const char *brief_html)
{
	sqlite3_stmt *stmt = statement(store, SET_HTML);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, brief_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, brief_html, -1, SQLITE_STATIC);
	return store_run(store, stmt, NULL);
}

/* The row stmt is on; GR_EINVALID for a state this grounds does not know. */
static int read_project(struct gr_store_project *out, sqlite3_stmt *stmt)
{
	const char **texts[] = {
	    &out->title, &out->summary,	 &out->brief_md, &out->brief_html,     &out->checklist,
	    &out->note,	 &out->track_id, &out->centre,	 &out->partner_handle, &out->partner_name};

	memset(out, 0, sizeof(*out));
	out->life.id = sqlite3_column_int64(stmt, 0);
	out->life.partner_id = sqlite3_column_int64(stmt, 1);
	out->life.centre_id = sqlite3_column_int64(stmt, 2);
	out->life.team_size = sqlite3_column_int(stmt, 4);
	out->life.has_track = sqlite3_column_int(stmt, 5);
	out->life.has_note = sqlite3_column_int(stmt, 6);
	out->life.created_at = sqlite3_column_int64(stmt, 7);
	out->life.updated_at = sqlite3_column_int64(stmt, 8);
	out->life.decided_by = sqlite3_column_int64(stmt, 9);
	out->life.decided_at = sqlite3_column_int64(stmt, 10);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		*texts[i] = store_column_or_empty(stmt, 11 + (int)i);
	return gr_project_state_from_name(&out->life.state, store_column_or_empty(stmt, 3));
}

/* Calls fn for each row of stmt; missing: the message when there is none (NULL: none is fine). */
static int each_project(struct gr_store *store, sqlite3_stmt *stmt, gr_store_project_fn *fn,
			void *payload, const char *missing)
{
	struct gr_store_project row;
	int rc = 0, rows = 0;

	while (store_next_row(store, stmt, &rc, "reading projects")) {
		rows++;
		if ((rc = read_project(&row, stmt)) != 0 || (rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	if (rc == 0 && rows == 0 && missing) {
		gr_error_set("%s", missing);
		return GR_ENOTFOUND;
	}
	return rc;
}

int gr_store_project_by_id(struct gr_store *store, int64_t id, gr_store_project_fn *fn,
			   void *payload)
{
	sqlite3_stmt *stmt = statement(store, BY_ID);

	sqlite3_bind_int64(stmt, 1, id);
	return each_project(store, stmt, fn, payload, "There is no such project.");
}

int gr_store_project_by_track(struct gr_store *store, const char *track_id, gr_store_project_fn *fn,
			      void *payload)
{
	sqlite3_stmt *stmt = statement(store, BY_TRACK);

	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	return each_project(store, stmt, fn, payload, "No project has this track.");
}

int gr_store_project_each(struct gr_store *store, gr_store_project_fn *fn, void *payload)
{
	return each_project(store, statement(store, EACH), fn, payload, NULL);
}

static int read_access(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_project_access *access = out;

	access->is_project = 1;
	access->partner_id = sqlite3_column_int64(stmt, 0);
	access->centre_id = sqlite3_column_int64(stmt, 1);
	access->open_to_cohort = sqlite3_column_int(stmt, 2);
	return 0;
}

int gr_store_project_access(struct gr_store *store, struct gr_store_project_access *out,
			    const char *track_id, const char *cohort)
{
	sqlite3_stmt *stmt = statement(store, ACCESS);
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, cohort ? cohort : "", -1, SQLITE_STATIC);
	rc = store_one_row(store, stmt, read_access, out, "");
	return rc == GR_ENOTFOUND ? 0 : rc;
}

/* ---- cohorts ---------------------------------------------------------------- */

int gr_store_project_open_to(struct gr_store *store, int *out_added, int64_t project_id,
			     int64_t cohort_id)
{
	sqlite3_stmt *stmt = statement(store, OPEN_TO);

	sqlite3_bind_int64(stmt, 1, project_id);
	sqlite3_bind_int64(stmt, 2, cohort_id);
	return store_run(store, stmt, out_added);
}

int gr_store_project_unopen(struct gr_store *store, int64_t project_id, int64_t cohort_id)
{
	sqlite3_stmt *stmt = statement(store, UNOPEN);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, project_id);
	sqlite3_bind_int64(stmt, 2, cohort_id);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("This project is not open to that cohort.");
		return GR_ENOTFOUND;
	}
	return 0;
}

int gr_store_project_each_cohort(struct gr_store *store, int64_t project_id, gr_store_text_fn *fn,
				 void *payload)
{
	sqlite3_stmt *stmt = statement(store, EACH_COHORT);
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, project_id);
	while (store_next_row(store, stmt, &rc, "reading a project's cohorts"))
		if ((rc = fn(store_column_or_empty(stmt, 0), payload)) != 0)
			return store_stop(stmt, rc);
	return rc;
}

static int read_cohort(void *out, sqlite3_stmt *stmt)
{
	int64_t *ids = out;

	ids[0] = sqlite3_column_int64(stmt, 0);
	ids[1] = sqlite3_column_int64(stmt, 1);
	return 0;
}

int gr_store_project_cohort(struct gr_store *store, int64_t *out_id, int64_t *out_centre,
			    const char *name)
{
	sqlite3_stmt *stmt = statement(store, COHORT);
	int64_t ids[2] = {0, 0};
	int rc;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = store_one_row(store, stmt, read_cohort, ids, "There is no such cohort.");
	*out_id = ids[0];
	*out_centre = ids[1];
	return rc;
}

/* ---- teams ------------------------------------------------------------------ */

static int read_team(void *out, sqlite3_stmt *stmt)
{
	struct gr_store_project_team *team = out;

	memset(team, 0, sizeof(*team));
	team->id = sqlite3_column_int64(stmt, 0);
	team->project_id = sqlite3_column_int64(stmt, 1);
	team->cohort_id = sqlite3_column_int64(stmt, 2);
	team->author_id = sqlite3_column_int64(stmt, 3);
	team->created_at = sqlite3_column_int64(stmt, 4);
	team->members = sqlite3_column_int(stmt, 5);
	store_column_text(team->name, sizeof(team->name), stmt, 6);
	store_column_text(team->cohort, sizeof(team->cohort), stmt, 7);
	return 0;
}

int gr_store_project_team_insert(struct gr_store *store, int64_t *out_id, int64_t project_id,
				 int64_t cohort_id, const char *name, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, TEAM_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, project_id);
	sqlite3_bind_int64(stmt, 2, cohort_id);
	sqlite3_bind_text(stmt, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("This project has a team called '%.60s' already.", name);
		return GR_EEXISTS;
	}
	if (rc != SQLITE_DONE)
		return store_fail(store, "storing a team");
	*out_id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int gr_store_project_team_get(struct gr_store *store, struct gr_store_project_team *out, int64_t id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_GET);

	sqlite3_bind_int64(stmt, 1, id);
	return store_one_row(store, stmt, read_team, out, "There is no such team.");
}

int gr_store_project_team_of(struct gr_store *store, struct gr_store_project_team *out,
			     int64_t project_id, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_OF);

	sqlite3_bind_int64(stmt, 1, project_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	return store_one_row(store, stmt, read_team, out, "You are in no team of this project.");
}

int gr_store_project_team_of_track(struct gr_store *store, struct gr_store_project_team *out,
				   const char *track_id, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_OF_TRACK);

	sqlite3_bind_text(stmt, 1, track_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, user_id);
	return store_one_row(store, stmt, read_team, out, "You are in no team of this project.");
}

int gr_store_project_team_of_submission(struct gr_store *store, struct gr_store_project_team *out,
					int64_t submission_id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_OF_SUBMISSION);

	sqlite3_bind_int64(stmt, 1, submission_id);
	return store_one_row(store, stmt, read_team, out, "This work is no team's.");
}

int gr_store_project_team_each(struct gr_store *store, int64_t project_id,
			       gr_store_project_team_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, TEAM_EACH);
	struct gr_store_project_team team;
	int rc = 0;

	sqlite3_bind_int64(stmt, 1, project_id);
	while (store_next_row(store, stmt, &rc, "reading teams"))
		if ((rc = read_team(&team, stmt)) != 0 || (rc = fn(&team, payload)) != 0)
			return store_stop(stmt, rc);
	return rc;
}

static int read_int(void *out, sqlite3_stmt *stmt)
{
	*(int *)out = sqlite3_column_int(stmt, 0);
	return 0;
}

int gr_store_project_in_team_of_submission(struct gr_store *store, int *out,
					   int64_t submission_id, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, IN_TEAM_OF_SUBMISSION);

	*out = 0;
	sqlite3_bind_int64(stmt, 1, submission_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	return store_one_row(store, stmt, read_int, out, "reading a team's members");
}

int gr_store_project_team_count_in_cohort(struct gr_store *store, int *out, int64_t project_id,
					  int64_t cohort_id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_COUNT_IN_COHORT);

	*out = 0;
	sqlite3_bind_int64(stmt, 1, project_id);
	sqlite3_bind_int64(stmt, 2, cohort_id);
	return store_one_row(store, stmt, read_int, out, "counting teams");
}

int gr_store_project_team_join(struct gr_store *store, int64_t team_id, int64_t project_id,
			       int64_t user_id, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, TEAM_JOIN);
	int rc;

	sqlite3_bind_int64(stmt, 1, team_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, project_id);
	sqlite3_bind_int64(stmt, 4, now);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		gr_error_set("You are in a team of this project already.");
		return GR_EEXISTS;
	}
	return rc == SQLITE_DONE ? 0 : store_fail(store, "joining a team");
}

int gr_store_project_team_leave(struct gr_store *store, int64_t team_id, int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_LEAVE);
	int changes = 0, rc;

	sqlite3_bind_int64(stmt, 1, team_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	if ((rc = store_run(store, stmt, &changes)) != 0)
		return rc;
	if (changes == 0) {
		gr_error_set("You are not in this team.");
		return GR_ENOTFOUND;
	}
	stmt = statement(store, TEAM_DELETE_EMPTY);
	sqlite3_bind_int64(stmt, 1, team_id);
	return store_run(store, stmt, NULL);
}

int gr_store_project_team_set_author(struct gr_store *store, int64_t team_id, int64_t author_id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_SET_AUTHOR);

	sqlite3_bind_int64(stmt, 1, team_id);
	sqlite3_bind_int64(stmt, 2, author_id);
	return store_run(store, stmt, NULL);
}

int gr_store_project_team_each_member(struct gr_store *store, int64_t team_id, gr_store_id_fn *fn,
				      void *payload)
{
	sqlite3_stmt *stmt = statement(store, TEAM_EACH_MEMBER);

	sqlite3_bind_int64(stmt, 1, team_id);
	return store_each_id(store, stmt, "reading a team's members", fn, payload);
}

int gr_store_project_team_mark_submission(struct gr_store *store, int64_t submission_id,
					  int64_t team_id)
{
	sqlite3_stmt *stmt = statement(store, TEAM_MARK);

	sqlite3_bind_int64(stmt, 1, submission_id);
	sqlite3_bind_int64(stmt, 2, team_id);
	return store_run(store, stmt, NULL);
}

int gr_store_project_team_latest(struct gr_store *store, int64_t team_id,
				 gr_store_project_team_work_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, TEAM_LATEST);
	struct gr_store_project_team_work work;
	int rc = 0, rows = 0;

	sqlite3_bind_int64(stmt, 1, team_id);
	while (store_next_row(store, stmt, &rc, "reading a team's work")) {
		rows++;
		work.id = sqlite3_column_int64(stmt, 0);
		work.attempt = sqlite3_column_int(stmt, 1);
		work.body_html = store_column_or_empty(stmt, 2);
		work.link = store_column_or_empty(stmt, 3);
		work.created_at = sqlite3_column_int64(stmt, 4);
		work.progress = store_column_or_empty(stmt, 5);
		if ((rc = fn(&work, payload)) != 0)
			return store_stop(stmt, rc);
	}
	if (rc == 0 && rows == 0) {
		gr_error_set("This team has handed in nothing yet.");
		return GR_ENOTFOUND;
	}
	return rc;
}

/* ---- feedback ----------------------------------------------------------------- */

int gr_store_project_feedback_insert(struct gr_store *store, int64_t *out_id, int64_t submission_id,
				     int64_t partner_id, const char *body, int64_t now)
{
	sqlite3_stmt *stmt = statement(store, FEEDBACK_INSERT);
	int rc;

	sqlite3_bind_int64(stmt, 1, submission_id);
	sqlite3_bind_int64(stmt, 2, partner_id);
	sqlite3_bind_text(stmt, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	if ((rc = store_run(store, stmt, NULL)) != 0)
		return rc;
	*out_id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

static int each_feedback(struct gr_store *store, sqlite3_stmt *stmt,
			 gr_store_project_feedback_fn *fn, void *payload)
{
	struct gr_store_project_feedback row;
	int rc = 0;

	while (store_next_row(store, stmt, &rc, "reading feedback")) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.submission_id = sqlite3_column_int64(stmt, 1);
		row.partner_id = sqlite3_column_int64(stmt, 2);
		row.body = store_column_or_empty(stmt, 3);
		row.created_at = sqlite3_column_int64(stmt, 4);
		row.project = store_column_or_empty(stmt, 5);
		row.shown = sqlite3_column_int(stmt, 6);
		if ((rc = fn(&row, payload)) != 0)
			return store_stop(stmt, rc);
	}
	return rc;
}

int gr_store_project_feedback_each(struct gr_store *store, int64_t submission_id,
				   gr_store_project_feedback_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, FEEDBACK_EACH);

	sqlite3_bind_int64(stmt, 1, submission_id);
	return each_feedback(store, stmt, fn, payload);
}

int gr_store_project_feedback_each_of_user(struct gr_store *store, int64_t user_id, int shown_only,
					   gr_store_project_feedback_fn *fn, void *payload)
{
	sqlite3_stmt *stmt = statement(store, FEEDBACK_OF_USER);

	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int(stmt, 2, shown_only);
	return each_feedback(store, stmt, fn, payload);
}

int gr_store_project_feedback_received(struct gr_store *store, int *out, int64_t feedback_id,
				       int64_t user_id)
{
	sqlite3_stmt *stmt = statement(store, FEEDBACK_RECEIVED);

	*out = 0;
	sqlite3_bind_int64(stmt, 1, feedback_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	return store_one_row(store, stmt, read_int, out, "reading feedback");
}

int gr_store_project_feedback_show(struct gr_store *store, int64_t feedback_id, int64_t user_id,
				   int shown)
{
	sqlite3_stmt *stmt = statement(store, shown ? FEEDBACK_SHOW : FEEDBACK_HIDE);

	sqlite3_bind_int64(stmt, 1, feedback_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	return store_run(store, stmt, NULL);
}
