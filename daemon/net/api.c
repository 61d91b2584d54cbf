/*
 * api.c - the JSON API (see api.h and docs/api.md). A table maps method and
 * path to a handler; handlers read the JSON body with jansson, call the
 * domain (auth.c) and turn its result into a status and a JSON body. Errors
 * always have the shape {"error":{"code","message"[,"field"]}}.
 */
#include "net/api.h"

#include "net/api_internal.h"
#include "services/accounts.h"
#include "services/auth.h"
#include "core/json.h"
#include "core/config.h"
#include "core/files.h"
#include "tracks/library.h"
#include "store/track.h"
#include "core/workers.h"
#include "core/error.h"
#include "services/export.h"
#include "services/projects.h"
#include "services/rights.h"
#include "net/url.h"
#include "protocol/errors.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/schema.h"
#include "store/survey.h"

#include <jansson.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef api_handler_fn handler_fn;

struct route {
	const char *method;
	const char *path; /* ending in '/' matches as a prefix; the rest is arg */
	handler_fn *handle;
};

int gr_api_new(struct gr_api **out, const struct gr_api_parts *parts)
{
	struct gr_api *api = calloc(1, sizeof(*api));
	const struct gr_config *config = parts->config;

	*out = NULL;
	if (!api) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	api->auth = parts->auth;
	api->accounts = parts->accounts;
	api->applications = parts->applications;
	api->library = parts->library;
	api->workers = parts->workers;
	api->config = config;
	api->store = parts->store;
	api->portfolio = parts->portfolio;
	api->outcomes = parts->outcomes;
	api->projects = parts->projects;
	gr_config_base_url(config, api->base_url, sizeof(api->base_url));
	api->secure_cookie = strncmp(api->base_url, "https://", 8) == 0;
	*out = api;
	return 0;
}

void gr_api_free(struct gr_api *api)
{
	free(api);
}

void gr_api_call_clear(struct gr_http_call *call)
{
	if (!call->keep_response)
		free(call->response);
	call->keep_response = 0;
	call->response = NULL;
	call->response_len = 0;
}

/* ---- responses -------------------------------------------------------- */

/* Send json (a reference is taken over) with status. */
static void reply_json(struct gr_http_call *call, int status, json_t *json)
{
	gr_api_call_clear(call);
	call->status = status;
	call->response = json ? json_dumps(json, JSON_COMPACT) : NULL;
	json_decref(json);
	if (!call->response) {
		call->status = 500;
		call->response = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
	}
	call->response_len = call->response ? strlen(call->response) : 0;
	call->reply(call);
}

/*
 * Reply with the error named name: a code, or a reason sent with its code
 * (protocol/errors.c), and its parameters: the field at fault, and for
 * rate_limited the seconds to wait (also in Retry-After).
 */
static void reply_error(struct gr_http_call *call, int status, const char *name,
			const char *message, const char *field)
{
	const char *code = gr_errors_code(name);
	json_t *error;

	assert(code && "an error missing from protocol/errors.c");
	error = json_pack("{s:s, s:s}", "code", code ? code : name, "message", message);
	if (error && gr_errors_is_reason(name))
		json_object_set_new(error, "reason", json_string(name));
	if (error && field)
		json_object_set_new(error, "field", json_string(field));
	if (error && code && strcmp(code, "rate_limited") == 0 && call->retry_after_s > 0)
		json_object_set_new(error, "retry_after", json_integer(call->retry_after_s));
	if (status >= 500)
		gr_log_error("%s %s: %s", call->method, call->path, message);
	reply_json(call, status, json_pack("{s:o}", "error", error));
}

static const struct {
	int status;
	int http_status;
	const char *code;
} status_map[] = {
	{ GR_EINVALID, 400, "bad_value" },   { GR_EUSED, 400, "invite_used" },
	{ GR_EEXPIRED, 400, "invite_expired" }, { GR_EAUTH, 401, "unauthenticated" },
	{ GR_EFORBIDDEN, 403, "forbidden" }, { GR_ENOTFOUND, 404, "not_found" },
	{ GR_EEXISTS, 409, "conflict" },     { GR_ELIMITED, 429, "rate_limited" },
	{ GR_ECONFLICT, 409, "conflict" },
};

/* Reply with the HTTP error that fits a domain status. */
static void reply_status(struct gr_http_call *call, int status, const char *message,
			 const char *field)
{
	for (size_t i = 0; i < sizeof(status_map) / sizeof(status_map[0]); i++) {
		if (status_map[i].status == status) {
			const char *name = status_map[i].code;

			if (status == GR_EEXISTS && field && strcmp(field, "handle") == 0)
				name = "handle_taken";
			reply_error(call, status_map[i].http_status, name, message, field);
			return;
		}
	}
	reply_error(call, 500, "internal", message, field);
}

static json_t *user_json(const struct gr_user *user)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s*}", "handle", user->handle, "display_name",
			 user->display_name, "role", gr_account_role_name(user->role), "cohort",
			 user->cohort[0] ? user->cohort : NULL, "language",
			 user->language[0] ? user->language : NULL);
}

static void set_session_cookie(struct gr_api *api, struct gr_http_call *call, const char *token,
			       long max_age_s)
{
	snprintf(call->set_cookie, sizeof(call->set_cookie),
		 GR_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", token,
		 max_age_s, api->secure_cookie ? "; Secure" : "");
}

/* ---- requests --------------------------------------------------------- */

/* Parse the body as a JSON object; on failure reply and return NULL. */
static json_t *read_body(struct gr_http_call *call)
{
	json_error_t error;
	json_t *body;

	if (!call->body || call->body_len == 0) {
		reply_error(call, 400, "bad_json", "The request needs a JSON object as its body.",
			    NULL);
		return NULL;
	}
	body = json_loadb(call->body, call->body_len, JSON_REJECT_DUPLICATES, &error);
	if (!body || !json_is_object(body)) {
		char message[256];

		snprintf(message, sizeof(message), "The body is not a JSON object%s%s",
			 body ? "" : ": ", body ? "." : error.text);
		json_decref(body);
		reply_error(call, 400, "bad_json", message, NULL);
		return NULL;
	}
	return body;
}

/*
 * Read string fields named in names into values (NULL when optional and
 * absent). On failure reply and return non-zero.
 */
static int read_strings(struct gr_http_call *call, json_t *body, const char *const *names,
			const char **values, int count, int required)
{
	for (int i = 0; i < count; i++) {
		json_t *value = json_object_get(body, names[i]);
		char message[128];

		values[i] = NULL;
		if (!value || json_is_null(value)) {
			if (!required)
				continue;
			snprintf(message, sizeof(message), "'%s' is missing.", names[i]);
			reply_error(call, 400, "missing_field", message, names[i]);
			return -1;
		}
		if (!json_is_string(value) || strlen(json_string_value(value)) !=
						      json_string_length(value)) {
			snprintf(message, sizeof(message), "'%s' must be text.", names[i]);
			reply_error(call, 400, "bad_value", message, names[i]);
			return -1;
		}
		values[i] = json_string_value(value);
	}
	return 0;
}

static int require_user(struct gr_api *api, struct gr_http_call *call, struct gr_user *out)
{
	int rc = gr_auth_session_user(api->auth, out, call->session_token);

	if (rc == GR_EAUTH)
		reply_error(call, 401, "unauthenticated", "Please sign in first.", NULL);
	else if (rc)
		reply_status(call, rc, gr_error_last(), NULL);
	return rc;
}

/* ---- handlers --------------------------------------------------------- */

/*
 * 429 for a sign-in that must wait: Retry-After in seconds, and in the
 * body the whole minutes ("minutes") and whose failures ("limit": account
 * or address), for the client to say "try again in N minutes".
 */
static void reply_limited(struct gr_http_call *call, const struct gr_auth_result *result)
{
	int64_t wait_ms = result->retry_at - gr_clock_now_ms();
	int by_address = result->limited_by && strcmp(result->limited_by, "address") == 0;
	json_t *error;

	call->retry_after_s = wait_ms > 0 ? (int)((wait_ms + 999) / 1000) : 1;
	error = json_pack("{s:s, s:s, s:s, s:i, s:s, s:I}", "code", "rate_limited", "reason",
			  by_address ? "signin_address" : "signin_account", "message",
			  result->message, "retry_after", call->retry_after_s, "limit",
			  result->limited_by ? result->limited_by : "account", "minutes",
			  (json_int_t)((call->retry_after_s + 59) / 60));
	reply_json(call, 429, json_pack("{s:o}", "error", error));
}

static void signed_in(const struct gr_auth_result *result, void *payload)
{
	struct gr_http_call *call = payload;
	struct gr_api *api = call->api;
	int joined = strcmp(call->path, "/api/register") == 0;

	if (result->status == GR_EAUTH) {
		reply_error(call, 401, "bad_credentials", result->message, NULL);
		return;
	}
	if (result->status == GR_ELIMITED) {
		reply_limited(call, result);
		return;
	}
	if (joined && result->status == GR_ENOTFOUND) {
		reply_error(call, 400, "invite_unknown", result->message, result->field);
		return;
	}
	if (result->status) {
		reply_status(call, result->status, result->message, result->field);
		return;
	}
	set_session_cookie(api, call, result->session_token,
			   (long)api->config->session_days * 24 * 60 * 60);
	reply_json(call, joined ? 201 : 200, user_json(&result->user));
}

static void handle_register(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "invite", "handle", "display_name", "password" };
	const char *values[4];
	json_t *body = read_body(call);
	struct gr_auth_join join;

	if (!body)
		return;
	if (read_strings(call, body, names, values, 4, 1) == 0) {
		join.invite = values[0];
		join.handle = values[1];
		join.display_name = values[2];
		join.password = values[3];
		gr_auth_register(api->auth, &join, signed_in, call);
	}
	json_decref(body);
}

static void handle_login(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "handle", "password" };
	const char *values[2];
	json_t *body = read_body(call);

	if (!body)
		return;
	if (read_strings(call, body, names, values, 2, 1) == 0)
		gr_auth_login(api->auth, values[0], values[1], call->address, signed_in, call);
	json_decref(body);
}

static void handle_logout(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	int rc = gr_auth_logout(api->auth, call->session_token);

	if (rc) {
		reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	set_session_cookie(api, call, "", 0);
	reply_json(call, 200, json_object());
}

static void password_changed(const struct gr_auth_result *result, void *payload)
{
	struct gr_http_call *call = payload;

	if (result->status == GR_EAUTH && result->field) {
		reply_error(call, 400, "bad_value", result->message, result->field);
		return;
	}
	if (result->status == GR_EAUTH) {
		reply_error(call, 401, "unauthenticated", "Please sign in first.", NULL);
		return;
	}
	if (result->status == GR_ELIMITED) {
		reply_limited(call, result);
		return;
	}
	if (result->status) {
		reply_status(call, result->status, result->message, result->field);
		return;
	}
	reply_json(call, 200, json_object());
}

/* POST /api/password: the signed-in user's new password; their other sessions end. */
static void handle_password(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "current_password", "new_password" };
	const char *values[2];
	struct gr_auth_password change;
	struct gr_user user;
	json_t *body;

	if (require_user(api, call, &user) != 0 || !(body = read_body(call)))
		return;
	if (read_strings(call, body, names, values, 2, 1) == 0) {
		change.session_token = call->session_token;
		change.current_password = values[0];
		change.new_password = values[1];
		change.address = call->address;
		gr_auth_change_password(api->auth, &change, password_changed, call);
	}
	json_decref(body);
}

static void handle_me(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_user user;
	int projects = 0;
	json_t *me;

	if (require_user(api, call, &user) != 0)
		return;
	if (api->accounts) /* the client asks when it opens: the session is in use */
		gr_accounts_session_seen(api->accounts, call->session_token, call->user_agent);
	me = user_json(&user);
	/* A learner's open partner projects: the header shows "Projects" when there are any. */
	if (me && user.role == GR_ROLE_LEARNER && api->projects &&
	    gr_projects_count_open(api->projects, &user, &projects) == 0 && projects > 0)
		json_object_set_new(me, "projects", json_integer(projects));
	reply_json(call, 200, me);
}

static json_t *invite_json(const struct gr_invite *invite)
{
	return json_pack("{s:s, s:s?, s:I}", "role", gr_account_role_name(invite->role), "cohort",
			 invite->cohort[0] ? invite->cohort : NULL, "expires_at",
			 (json_int_t)invite->expires_at);
}

/* Reads expires_in_days: absent means the default (0). */
static int read_days(struct gr_http_call *call, json_t *body, int *out)
{
	json_t *days = json_object_get(body, "expires_in_days");

	*out = 0;
	if (!days || json_is_null(days))
		return 0;
	if (!json_is_integer(days) || json_integer_value(days) < 1 ||
	    json_integer_value(days) > 365) {
		reply_error(call, 400, "invite_days", "An invite lasts 1 to 365 days.",
			    "expires_in_days");
		return -1;
	}
	*out = (int)json_integer_value(days);
	return 0;
}

static void create_invite(struct gr_api *api, struct gr_http_call *call, json_t *body,
			  const struct gr_user *creator)
{
	static const char *const names[] = { "role", "cohort" };
	const char *values[2];
	char code[GR_TOKEN_TEXT_SIZE];
	char url[1024];
	struct gr_invite invite;
	enum gr_role role;
	json_t *reply;
	int days;
	int rc;

	if (read_strings(call, body, names, values, 1, 1) ||
	    read_strings(call, body, names + 1, values + 1, 1, 0) || read_days(call, body, &days))
		return;
	if (gr_account_role_from_name(&role, values[0]) != 0) {
		reply_error(call, 400, "bad_value", gr_error_last(), "role");
		return;
	}
	rc = gr_auth_invite_create(api->auth, code, &invite, creator, role, values[1], days);
	if (rc) {
		reply_status(call, rc, gr_error_last(), rc == GR_EINVALID ? "cohort" : NULL);
		return;
	}
	snprintf(url, sizeof(url), "%s/join/%s", api->base_url, code);
	reply = invite_json(&invite);
	json_object_set_new(reply, "code", json_string(code));
	json_object_set_new(reply, "url", json_string(url));
	gr_log_info("%s invited a new %s%s%s", creator->handle, gr_account_role_name(role),
		    invite.cohort[0] ? " to cohort " : "", invite.cohort);
	reply_json(call, 201, reply);
}

static void handle_invite_create(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_user user;
	json_t *body;

	if (require_user(api, call, &user) != 0)
		return;
	if (!gr_account_is_coach(&user)) {
		reply_error(call, 403, "coaches_only", "Only coaches and admins may invite people.",
				   NULL);
		return;
	}
	if (!(body = read_body(call)))
		return;
	create_invite(api, call, body, &user);
	json_decref(body);
}

static void handle_invite_get(struct gr_api *api, struct gr_http_call *call, const char *code)
{
	if (strchr(code, '/')) {
		reply_error(call, 404, "page_missing", "There is nothing at this address.", NULL);
		return;
	}
	struct gr_invite invite;
	int rc = gr_auth_invite_check(api->auth, &invite, code);

	if (rc == GR_ENOTFOUND || rc == GR_EUSED || rc == GR_EEXPIRED) {
		reply_error(call, 400,
			    rc == GR_ENOTFOUND ? "invite_unknown"
			    : rc == GR_EUSED   ? "invite_used"
					       : "invite_expired",
			    gr_error_last(), "invite");
		return;
	}
	if (rc) {
		reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	reply_json(call, 200, invite_json(&invite));
}


/* ---- tracks ----------------------------------------------------------- */

static json_t *strings_json(const struct gr_strings *strings)
{
	json_t *array = json_array();

	for (int i = 0; array && i < strings->count; i++)
		json_array_append_new(array, json_string(strings->items[i]));
	return array;
}

static json_t *estimate_json(int minutes)
{
	return minutes >= 0 ? json_integer(minutes) : json_null();
}

static json_t *step_summary_json(const struct gr_step *step)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:o, s:o}", "id", step->id, "title", step->title,
			 "kind", gr_manifest_step_kind_name(step->kind), "reviews", step->reviews, "requires",
			 strings_json(&step->requires), "estimate", estimate_json(step->estimate));
}

static void handle_tracks(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	json_t *list = json_array();
	struct gr_user user;

	if (require_user(api, call, &user) != 0) {
		json_decref(list);
		return;
	}
	for (int i = 0; list && i < gr_library_count(api->library); i++) {
		const struct gr_track *track = gr_library_at(api->library, i);

		if (track && gr_rights_may_see_track(api->store, &user, track->id))
			json_array_append_new(
				list, json_pack("{s:s, s:s, s:s?, s:s, s:i}", "id", track->id, "title",
						track->title, "summary", track->summary, "commit",
						track->commit, "steps", track->step_count));
	}
	reply_json(call, 200, list);
}

static json_t *track_json(const struct gr_track *track)
{
	json_t *modules = json_array();

	for (int m = 0; modules && m < track->module_count; m++) {
		const struct gr_module *module = &track->modules[m];
		json_t *steps = json_array();

		for (int i = 0; steps && i < module->step_count; i++)
			json_array_append_new(steps,
					      step_summary_json(&track->steps[module->first_step + i]));
		json_array_append_new(modules, json_pack("{s:s, s:o}", "title", module->title,
							 "steps", steps));
	}
	return json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:s, s:o}", "id", track->id, "title",
			 track->title, "summary", track->summary, "language", track->language,
			 "requires", strings_json(&track->requires), "commit", track->commit,
			 "modules", modules);
}

/* The JSON of a step page, made once per loaded commit and kept with the step. */
static const char *step_page(const struct gr_track *track, struct gr_step *step, size_t *out_len)
{
	int index = gr_track_step_index(track, step);
	json_t *page;

	if (!step->page) {
		page = step_summary_json(step);
		json_object_set_new(page, "html", json_string(step->html ? step->html : ""));
		json_object_set_new(page, "rubric", strings_json(&step->rubric));
		json_object_set_new(page, "prev", index > 0 ? json_string(track->steps[index - 1].id)
							    : json_null());
		json_object_set_new(page, "next", index + 1 < track->step_count
							  ? json_string(track->steps[index + 1].id)
							  : json_null());
		json_object_set_new(page, "module", json_string(track->modules[step->module].title));
		json_object_set_new(page, "commit", json_string(track->commit));
		if (step->error)
			json_object_set_new(page, "error", json_string(step->error));
		step->page = json_dumps(page, JSON_COMPACT);
		step->page_len = step->page ? strlen(step->page) : 0;
		json_decref(page);
	}
	*out_len = step->page_len;
	return step->page;
}

static void reply_step(struct gr_http_call *call, const struct gr_track *track,
		       struct gr_step *step)
{
	size_t len;
	const char *page = step_page(track, step, &len);

	if (!page) {
		reply_error(call, 500, "internal", "out of memory", NULL);
		return;
	}
	snprintf(call->etag, sizeof(call->etag), "\"%.16s-%d\"", track->commit,
		 gr_track_step_index(track, step));
	call->cache_control = "private, no-cache";
	gr_api_call_clear(call);
	if (strcmp(call->if_none_match, call->etag) == 0) {
		call->status = 304;
	} else {
		call->status = 200;
		call->response = (char *)page;
		call->response_len = len;
		call->keep_response = 1;
	}
	call->reply(call);
}

/* /api/tracks/ID or /api/tracks/ID/steps/STEP (a step id may contain '/'). */
static void handle_track(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	const char *steps = strstr(arg, "/steps/");
	size_t id_len = steps ? (size_t)(steps - arg) : strlen(arg);
	struct gr_track *track = NULL;
	struct gr_user user;
	char id[130];

	if (require_user(api, call, &user) != 0)
		return;
	if (id_len < sizeof(id)) {
		memcpy(id, arg, id_len);
		id[id_len] = '\0';
		track = gr_library_track(api->library, id);
	}
	if (track && !gr_rights_may_see_track(api->store, &user, id))
		track = NULL; /* a partner project's track, to those it is not for */
	if (!track || (!steps && strchr(id, '/'))) {
		reply_error(call, 404, "track_missing", "There is no such track.", NULL);
		return;
	}
	if (!steps) {
		reply_json(call, 200, track_json(track));
		return;
	}
	for (int i = 0; i < track->step_count; i++) {
		if (strcmp(track->steps[i].id, steps + 7) == 0) {
			reply_step(call, track, &track->steps[i]);
			return;
		}
	}
	reply_error(call, 404, "step_missing", "There is no such step in this track.", NULL);
}

/* ---- track files ------------------------------------------------------ */

/* Reading a file of a track, on a worker. */
struct file_job {
	struct gr_http_call *call;
	struct gr_track_entry source;
	char commit[GR_GIT_ID_SIZE];
	char path[2048];
	size_t max;
	char *data;
	size_t len;
	int rc;
};

static void file_work(void *payload)
{
	struct file_job *job = payload;
	struct gr_git *git = NULL;
	char full[4096], id[GR_GIT_ID_SIZE];
	size_t size;

	snprintf(full, sizeof(full), "%s%s%s", job->source.subdir, job->source.subdir[0] ? "/" : "",
		 job->path);
	job->rc = gr_git_open(&git, job->source.repo);
	if (job->rc == 0)
		job->rc = gr_git_find_file(git, id, &size, job->commit, full);
	if (job->rc == 0)
		job->rc = gr_git_read_blob(git, &job->data, &job->len, id, job->max);
	gr_git_free(git);
}

static void file_done(void *payload)
{
	struct file_job *job = payload;
	struct gr_http_call *call = job->call;

	if (job->rc == GR_EINVALID) {
		reply_error(call, 413, "too_large", "This file is over the size limit.", NULL);
	} else if (job->rc) {
		reply_error(call, 404, "file_missing", "There is no such file in this track.",
			    NULL);
	} else {
		gr_api_call_clear(call);
		call->status = 200;
		call->response = job->data;
		call->response_len = job->len;
		call->response_type = gr_files_mime_type(job->path);
		if (!call->response_type)
			call->response_type = "application/octet-stream";
		call->cache_control = "public, max-age=31536000, immutable";
		call->policy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
			       "sandbox";
		job->data = NULL;
		call->reply(call);
	}
	free(job->data);
	free(job);
}

/* /t/ID/COMMIT/PATH */
static void handle_track_file(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	const struct gr_track_entry *source;
	const char *commit = strchr(arg, '/');
	const char *path = commit ? strchr(commit + 1, '/') : NULL;
	struct file_job *job;
	char id[130], commit_id[GR_GIT_ID_SIZE];
	struct gr_user user;
	int rc;

	if (require_user(api, call, &user) != 0)
		return;
	if (!path || (size_t)(commit - arg) >= sizeof(id) || path - commit - 1 != 40 ||
	    !gr_url_safe_path(path + 1)) {
		reply_error(call, 404, "file_missing", "There is no such file.", NULL);
		return;
	}
	snprintf(id, sizeof(id), "%.*s", (int)(commit - arg), arg);
	snprintf(commit_id, sizeof(commit_id), "%.40s", commit + 1);
	source = gr_rights_may_see_track(api->store, &user, id)
			 ? gr_library_source(api->library, id, commit_id)
			 : NULL;
	if (!source || !(job = calloc(1, sizeof(*job)))) {
		reply_error(call, 404, "file_missing", "There is no such file.", NULL);
		return;
	}
	memcpy(job->commit, commit_id, sizeof(job->commit));
	job->call = call;
	job->source = *source;
	job->max = (size_t)api->config->max_file_mib * 1024 * 1024;
	snprintf(job->path, sizeof(job->path), "%s", path + 1);
	if ((rc = gr_workers_submit(api->workers, file_work, file_done, job)) != 0) {
		free(job);
		reply_status(call, rc, gr_error_last(), NULL);
	}
}

/* ---- progress export ------------------------------------------------- */

/* GET /api/board.csv?cohort=C&track=T: coaches and admins. */
static void handle_board_csv(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "cohort", "track" };
	char values[2][256], name[96];
	const struct gr_track *track;
	struct gr_user user;
	size_t len, n = 0;
	char *csv;
	int rc;

	if (require_user(api, call, &user) != 0)
		return;
	if (!gr_account_is_coach(&user)) {
		reply_error(call, 403, "coaches_only",
			    "Only coaches and admins may export progress.", NULL);
		return;
	}
	for (int i = 0; i < 2; i++) {
		char message[64];

		if (gr_url_query_value(values[i], sizeof(values[i]), call->query ? call->query : "",
				       names[i]) != 0 || !values[i][0] ||
		    strlen(values[i]) != strcspn(values[i], "\r\n")) {
			snprintf(message, sizeof(message), "'%s' is missing or not valid.", names[i]);
			reply_error(call, 400, "bad_value", message, names[i]);
			return;
		}
	}
	if (!gr_rights_may_coach(api->store, &user, values[0])) {
		reply_error(call, 403, "not_your_cohort",
			    "You may export the progress of the cohorts you coach only.", "cohort");
		return;
	}
	if (!(track = gr_library_track(api->library, values[1])) ||
	    !gr_rights_may_see_track(api->store, &user, track->id)) {
		reply_error(call, 404, "track_missing", "There is no such track.", NULL);
		return;
	}
	if ((rc = gr_export_progress_csv(api->store, track, values[0], &csv, &len)) != 0) {
		reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	/* progress-COHORT-TRACK.csv with only [A-Za-z0-9._-] kept, others as '_'. */
	for (const char *p = "progress-"; *p; p++)
		name[n++] = *p;
	for (int i = 0; i < 2; i++) {
		for (const char *p = values[i]; *p && n < 80; p++)
			name[n++] = (strchr("._-", *p) || (*p >= 'a' && *p <= 'z') ||
				     (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
					    ? *p
					    : '_';
		name[n++] = i == 0 ? '-' : '\0';
	}
	snprintf(call->disposition, sizeof(call->disposition), "attachment; filename=\"%s.csv\"",
		 name);
	gr_api_call_clear(call);
	call->status = 200;
	call->response = csv;
	call->response_len = len;
	call->response_type = "text/csv; charset=utf-8";
	call->reply(call);
}

/* ---- health and metrics ---------------------------------------------- */

static void reply_text(struct gr_http_call *call, int status, char *text, size_t len,
		       const char *type)
{
	gr_api_call_clear(call);
	call->status = status;
	call->response = text;
	call->response_len = text ? len : 0;
	call->response_type = type;
	if (!text) {
		call->status = 500;
		call->response = (char *)"out of memory\n";
		call->response_len = strlen(call->response);
		call->keep_response = 1;
	}
	call->reply(call);
}

/* GET /healthz: 200 and the version while the database answers, else 503. */
static void handle_healthz(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char ok[] = "ok grounds " GR_VERSION "\n";
	static const char down[] = "unavailable: the database does not answer\n";
	int answers = gr_store_schema_version(api->store) >= 1;

	if (!answers)
		gr_log_error("healthz: the database does not answer: %s", gr_error_last());
	gr_api_call_clear(call);
	call->status = answers ? 200 : 503;
	call->response = (char *)(answers ? ok : down);
	call->response_len = strlen(call->response);
	call->keep_response = 1;
	call->response_type = "text/plain; charset=utf-8";
	call->reply(call);
}

/*
 * GET /metrics: the Prometheus text format, only to addresses in
 * metrics_allow. The two gauges of stored work are counted at the scrape.
 */
static void handle_metrics(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_metrics *metrics = gr_metrics_now();
	int64_t waiting = 0, help = 0;
	size_t len;
	char *text;

	if (!gr_address_list_contains(&api->config->metrics_allow, call->peer)) {
		reply_error(call, 403, "address_not_allowed",
			    "This address may not read the metrics (see metrics_allow).", NULL);
		return;
	}
	if (gr_store_survey_submissions_waiting(api->store, &waiting) == 0 &&
	    gr_store_survey_help_open(api->store, &help) == 0) {
		gr_metrics_set(GR_METRICS_SUBMISSIONS_WAITING, waiting);
		gr_metrics_set(GR_METRICS_HELP_OPEN, help);
	} else {
		gr_log_warn("metrics: %s", gr_error_last());
	}
	if (gr_metrics_render(&text, &len, metrics, GR_VERSION) != 0)
		text = NULL;
	reply_text(call, 200, text, len, "text/plain; version=0.0.4; charset=utf-8");
}

static const struct route routes[] = {
	{ "GET", "/healthz", handle_healthz },
	{ "GET", "/metrics", handle_metrics },
	{ "POST", "/api/register", handle_register },
	{ "POST", "/api/login", handle_login },
	{ "POST", "/api/logout", handle_logout },
	{ "GET", "/api/me", handle_me },
	{ "POST", "/api/password", handle_password },
	{ "POST", "/api/invites", handle_invite_create },
	{ "GET", "/api/invites/", handle_invite_get },
	/* accounts that recover (api_accounts.c) */
	{ "POST", "/api/profile", api_profile_set },
	{ "GET", "/api/sessions", api_sessions_list },
	{ "POST", "/api/sessions/end-others", api_sessions_end_others },
	{ "GET", "/api/reset/", api_reset_get },
	{ "POST", "/api/reset", api_reset_use },
	{ "GET", "/api/users", api_users_list },
	{ "POST", "/api/users/", api_user_change },
	{ "GET", "/api/cohorts", api_cohorts_list },
	{ "POST", "/api/cohorts", api_cohort_add },
	{ "GET", "/api/centres", api_centres_list },
	{ "POST", "/api/centres", api_centre_add },
	{ "GET", "/api/apply", api_apply_form },
	{ "POST", "/api/apply", api_apply },
	{ "GET", "/api/apply/", api_apply_status },
	{ "GET", "/api/applications", api_applications_list },
	{ "POST", "/api/applications/", api_application_decide },
	{ "GET", "/api/invites", api_invites_list },
	{ "POST", "/api/invites/", api_invite_revoke },
	{ "GET", "/api/tracks", handle_tracks },
	{ "GET", "/api/board.csv", handle_board_csv },
	{ "GET", "/api/tracks/", handle_track },
	{ "GET", "/t/", handle_track_file },
	/* portfolios and outcomes (api_portfolio.c) */
	{ "GET", "/api/portfolio", api_portfolio_get },
	{ "GET", "/api/portfolio/public/", api_portfolio_public },
	{ "POST", "/api/portfolio/", api_portfolio_change },
	{ "POST", "/api/outcomes", api_outcome_record },
	{ "GET", "/api/outcomes", api_outcome_figures },
	{ "GET", "/api/outcomes.csv", api_outcome_csv },
	/* partner projects (api_projects.c) */
	{ "GET", "/api/projects", api_projects_list },
	{ "POST", "/api/projects", api_project_create },
	{ "GET", "/api/projects/", api_project_get },
	{ "POST", "/api/projects/", api_project_change },
	{ "POST", "/api/teams/", api_team_change },
};

static int is_json(const char *content_type)
{
	size_t len = strlen("application/json");

	return strncasecmp(content_type, "application/json", len) == 0 &&
	       (content_type[len] == '\0' || content_type[len] == ';');
}

void gr_api_handle(struct gr_api *api, struct gr_http_call *call)
{
	const struct route *allowed = NULL;

	gr_error_clear(); /* no message of an earlier call reaches this one's reply */
	call->api = api;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *arg = gr_url_route_match(routes[i].path, call->path);

		if (!arg)
			continue;
		allowed = &routes[i];
		if (strcmp(routes[i].method, call->method) != 0)
			continue;
		if (strcmp(call->method, "POST") == 0) {
			if (call->origin[0] && !gr_api_origin_allowed(api, call->origin, call->host)) {
				reply_error(call, 403, "other_site",
						   "Requests from other sites are not accepted.", NULL);
				return;
			}
			if (!is_json(call->content_type)) {
				reply_error(call, 415, "unsupported_media_type",
						   "Send the body as application/json.", NULL);
				return;
			}
		}
		routes[i].handle(api, call, arg);
		return;
	}
	if (allowed) {
		reply_error(call, 405, "method_not_allowed",
				   "This address does not take that method.", NULL);
		return;
	}
	reply_error(call, 404, "page_missing", "There is nothing at this address.", NULL);
}

int gr_api_origin_allowed(const struct gr_api *api, const char *origin, const char *host)
{
	const char *rest = NULL;

	if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	if (rest && host[0] && strcasecmp(rest, host) == 0)
		return 1;
	if (strcasecmp(origin, api->base_url) == 0)
		return 1;
	for (int i = 0; i < api->config->allowed_origin_count; i++)
		if (strcasecmp(origin, api->config->allowed_origins[i]) == 0)
			return 1;
	return 0;
}

int gr_api_session_user(struct gr_api *api, struct gr_user *out, const char *token)
{
	return gr_auth_session_user(api->auth, out, token);
}

/* ---- for the API's other files (api_internal.h) ------------------------- */

void api_reply_error(struct gr_http_call *call, int status, const char *code, const char *message,
		     const char *field)
{
	reply_error(call, status, code, message, field);
}

void api_reply_status(struct gr_http_call *call, int status, const char *message,
		      const char *field)
{
	reply_status(call, status, message, field);
}

void api_reply_value(struct gr_http_call *call, int status, struct gr_json *json)
{
	char *text = json ? gr_json_dump(json) : NULL;

	gr_json_free(json);
	gr_api_call_clear(call);
	call->status = text ? status : 500;
	call->response = text ? text
			      : strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
	call->response_len = call->response ? strlen(call->response) : 0;
	call->reply(call);
}

int api_require_user(struct gr_api *api, struct gr_http_call *call, struct gr_user *out)
{
	return require_user(api, call, out);
}

struct gr_json *api_read_body(struct gr_http_call *call)
{
	json_t *body = read_body(call); /* replies when it is not an object */
	struct gr_json *value;

	if (!body)
		return NULL;
	json_decref(body);
	if (!(value = gr_json_load(call->body, call->body_len)))
		reply_error(call, 400, "bad_json", gr_error_last(), NULL);
	return value;
}

int api_read_texts(struct gr_http_call *call, const struct gr_json *body, const char *const *names,
		   const char **values, int count, int required)
{
	for (int i = 0; i < count; i++) {
		struct gr_json *value = gr_json_get(body, names[i]);
		size_t len = 0;
		char message[128];

		values[i] = NULL;
		if (!value || gr_json_kind(value) == GR_JSON_NULL) {
			if (!required)
				continue;
			snprintf(message, sizeof(message), "'%s' is missing.", names[i]);
			api_reply_error(call, 400, "missing_field", message, names[i]);
			return -1;
		}
		values[i] = gr_json_text(value, &len);
		if (!values[i] || strlen(values[i]) != len) {
			snprintf(message, sizeof(message), "'%s' must be text.", names[i]);
			api_reply_error(call, 400, "bad_value", message, names[i]);
			return -1;
		}
	}
	return 0;
}

struct gr_json *api_user_value(const struct gr_user *user)
{
	return gr_json_pack("{s:s, s:s, s:s, s:s?, s:s*}", "handle", user->handle, "display_name",
			    user->display_name, "role", gr_account_role_name(user->role), "cohort",
			    user->cohort[0] ? user->cohort : NULL, "language",
			    user->language[0] ? user->language : NULL);
}
