/*
 * api_projects.c - the HTTP routes of partner projects (docs/api.md,
 * "Partner projects"): the projects each role sees, a partner's brief and
 * its moves, the coaches' decisions, learners' teams and the partner's
 * feedback. Each handler reads the request, asks services/projects.c,
 * and turns the result into a status and a JSON body; who may do what is
 * decided there and written in docs/api.md's table. The routes are rows
 * of api.c's table.
 */
#include "net/api_internal.h"

#include "core/error.h"
#include "core/json.h"
#include "domain/project.h"
#include "services/projects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reply with a refusal: its error's name when the service named one, else its code's. */
static void reply_refused(struct gr_http_call *call, int rc, const struct gr_projects_why *why)
{
	int status = rc == GR_ENOTFOUND	   ? 404
		     : rc == GR_EFORBIDDEN ? 403
		     : rc == GR_EINVALID   ? 400
					   : 409;

	if (why->error && rc != GR_ERROR)
		api_reply_error(call, status, why->error, gr_error_last(), why->field);
	else
		api_reply_status(call, rc, gr_error_last(), why->field);
}

/* GET /api/projects: what the signed-in user sees, by role. */
void api_projects_list(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *value = NULL;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if ((rc = gr_projects_list(api->projects, &user, &value)) != 0) {
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, value);
}

/* The id at the start of arg and the rest after it ("" or "/move"); 0 when there is none. */
static long long read_id(const char *arg, const char **out_rest)
{
	char *end = NULL;
	long long id = strtoll(arg, &end, 10);

	*out_rest = end;
	return end && end != arg && id > 0 && arg[0] >= '0' && arg[0] <= '9' ? id : 0;
}

/* GET /api/projects/ID: one project as the signed-in user sees it. */
void api_project_get(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_projects_why why = {NULL, NULL};
	struct gr_json *value = NULL;
	struct gr_user user;
	const char *rest;
	long long id = read_id(arg, &rest);
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!id || rest[0]) {
		api_reply_error(call, 404, "page_missing", "There is nothing at this address.",
				NULL);
		return;
	}
	if ((rc = gr_projects_get(api->projects, &user, id, &value, &why)) != 0) {
		reply_refused(call, rc, &why);
		return;
	}
	api_reply_value(call, 200, value);
}

/*
 * The brief in body into brief (its checklist's lines into lines, borrowed
 * from body); on a member that is not what it must be replies 400 naming
 * it and returns non-zero.
 */
static int read_brief(struct gr_http_call *call, const struct gr_json *body,
		      struct gr_projects_brief *brief, const char **lines)
{
	static const char *const names[] = {"title", "summary", "brief_md", "centre"};
	const char *values[4];
	struct gr_json *size = gr_json_get(body, "team_size");
	struct gr_json *list = gr_json_get(body, "checklist");

	if (api_read_texts(call, body, names, values, 4, 1) != 0)
		return -1;
	memset(brief, 0, sizeof(*brief));
	brief->title = values[0];
	brief->summary = values[1];
	brief->brief_md = values[2];
	brief->centre = values[3];
	if (gr_json_kind(size) != GR_JSON_INTEGER) {
		api_reply_error(call, 400, "bad_value", "'team_size' is a number from 2 to 6.",
				"team_size");
		return -1;
	}
	brief->team_size = (int)gr_json_integer_value(size);
	if (gr_json_integer_value(size) != brief->team_size)
		brief->team_size = 0;
	if (gr_json_kind(list) != GR_JSON_ARRAY || gr_json_size(list) > GR_PROJECT_CHECKLIST_MAX) {
		api_reply_error(call, 400, "bad_value",
				"'checklist' is a list of 1 to 10 lines of text.", "checklist");
		return -1;
	}
	for (size_t i = 0; i < gr_json_size(list); i++) {
		size_t len = 0;

		lines[i] = gr_json_text(gr_json_at(list, i), &len);
		if (!lines[i] || strlen(lines[i]) != len) {
			api_reply_error(call, 400, "bad_value",
					"'checklist' is a list of 1 to 10 lines of text.",
					"checklist");
			return -1;
		}
	}
	brief->checklist = lines;
	brief->checklist_count = (int)gr_json_size(list);
	return 0;
}

/* Replies 200 (or status) with project id as user sees it. */
static void reply_project(struct gr_api *api, struct gr_http_call *call, const struct gr_user *user,
			  long long id, int status)
{
	struct gr_projects_why why = {NULL, NULL};
	struct gr_json *value = NULL;
	int rc = gr_projects_get(api->projects, user, id, &value, &why);

	if (rc)
		reply_refused(call, rc, &why);
	else
		api_reply_value(call, status, value);
}

/* POST /api/projects: a partner's new brief, a draft. */
void api_project_create(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_projects_why why = {NULL, NULL};
	const char *lines[GR_PROJECT_CHECKLIST_MAX];
	struct gr_projects_brief brief;
	struct gr_json *body;
	struct gr_user user;
	int64_t id = 0;
	int rc;

	if (api_require_user(api, call, &user) != 0 || !(body = api_read_body(call)))
		return;
	if (read_brief(call, body, &brief, lines) == 0) {
		if ((rc = gr_projects_create(api->projects, &user, &brief, &id, &why)) != 0)
			reply_refused(call, rc, &why);
		else
			reply_project(api, call, &user, id, 201);
	}
	gr_json_free(body);
}

/* POST /api/projects/feedback {submission, body}: the project's partner. */
static void give_feedback(struct gr_api *api, struct gr_http_call *call, const struct gr_user *user,
			  const struct gr_json *body)
{
	static const char *const names[] = {"body"};
	struct gr_projects_why why = {NULL, NULL};
	struct gr_json *submission = gr_json_get(body, "submission"), *value = NULL;
	const char *text = NULL;
	int rc;

	if (gr_json_kind(submission) != GR_JSON_INTEGER) {
		api_reply_error(call, 400, "bad_value", "'submission' is the id of a team's work.",
				"submission");
		return;
	}
	if (api_read_texts(call, body, names, &text, 1, 1) != 0)
		return;
	rc = gr_projects_feedback(api->projects, user, gr_json_integer_value(submission), text,
				  &value, &why);
	if (rc)
		reply_refused(call, rc, &why);
	else
		api_reply_value(call, 201, gr_json_pack("{s:o}", "feedback", value));
}

/* A move of project id named move ("propose", ...), with body. */
static int move(struct gr_api *api, const struct gr_user *user, long long id, const char *move,
		const struct gr_json *body, struct gr_projects_why *why)
{
	static const char *const names[] = {"note", "cohort"};
	const char *values[2] = {NULL, NULL};
	struct gr_projects *projects = api->projects;

	for (int i = 0; i < 2; i++)
		values[i] = gr_json_text(gr_json_get(body, names[i]), NULL);
	if (strcmp(move, "propose") == 0)
		return gr_projects_propose(projects, user, id, why);
	if (strcmp(move, "approve") == 0)
		return gr_projects_approve(projects, user, id, why);
	if (strcmp(move, "return") == 0)
		return gr_projects_return(projects, user, id, values[0], why);
	if (strcmp(move, "open") == 0 || strcmp(move, "unopen") == 0)
		return gr_projects_open(projects, user, id, values[1], move[0] == 'o', why);
	if (strcmp(move, "close") == 0)
		return gr_projects_close(projects, user, id, why);
	why->error = "page_missing";
	gr_error_set("There is nothing at this address.");
	return GR_ENOTFOUND;
}

/* POST /api/projects/ID/teams {name}: a learner makes a team. */
static void make_team(struct gr_api *api, struct gr_http_call *call, const struct gr_user *user,
		      long long id, const struct gr_json *body)
{
	static const char *const names[] = {"name"};
	struct gr_projects_why why = {NULL, NULL};
	struct gr_json *team = NULL;
	const char *name = NULL;
	int rc;

	if (api_read_texts(call, body, names, &name, 1, 1) != 0)
		return;
	if ((rc = gr_projects_team_create(api->projects, user, id, name, &team, &why)) != 0)
		reply_refused(call, rc, &why);
	else
		api_reply_value(call, 201, gr_json_pack("{s:o}", "team", team));
}

/*
 * POST /api/projects/ID (an edit), /ID/propose, /approve, /return {note},
 * /open {cohort}, /unopen {cohort}, /close, /ID/teams {name}, and
 * /feedback {submission, body}.
 */
void api_project_change(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_projects_why why = {NULL, NULL};
	const char *lines[GR_PROJECT_CHECKLIST_MAX], *rest = "";
	struct gr_projects_brief brief;
	struct gr_json *body = NULL;
	struct gr_user user;
	long long id = strcmp(arg, "feedback") == 0 ? 0 : read_id(arg, &rest);
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!id && strcmp(arg, "feedback") != 0) {
		api_reply_error(call, 404, "page_missing", "There is nothing at this address.",
				NULL);
		return;
	}
	if (!(body = api_read_body(call)))
		return;
	if (!id) {
		give_feedback(api, call, &user, body);
	} else if (strcmp(rest, "/teams") == 0) {
		make_team(api, call, &user, id, body);
	} else if (!rest[0]) {
		if (read_brief(call, body, &brief, lines) == 0) {
			if ((rc = gr_projects_edit(api->projects, &user, id, &brief, &why)) != 0)
				reply_refused(call, rc, &why);
			else
				reply_project(api, call, &user, id, 200);
		}
	} else if (rest[0] == '/' && (rc = move(api, &user, id, rest + 1, body, &why)) != 0) {
		reply_refused(call, rc, &why);
	} else if (rest[0] == '/') {
		reply_project(api, call, &user, id, 200);
	} else {
		api_reply_error(call, 404, "page_missing", "There is nothing at this address.",
				NULL);
	}
	gr_json_free(body);
}

/* POST /api/teams/ID/join, /api/teams/ID/leave: a learner. */
void api_team_change(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_projects_why why = {NULL, NULL};
	struct gr_user user;
	const char *rest;
	long long id = read_id(arg, &rest);
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!id || (strcmp(rest, "/join") != 0 && strcmp(rest, "/leave") != 0)) {
		api_reply_error(call, 404, "page_missing", "There is nothing at this address.",
				NULL);
		return;
	}
	rc = strcmp(rest, "/join") == 0 ? gr_projects_team_join(api->projects, &user, id, &why)
					: gr_projects_team_leave(api->projects, &user, id, &why);
	if (rc)
		reply_refused(call, rc, &why);
	else
		api_reply_value(call, 200, gr_json_object());
}
