/*
 * api.c - the JSON API (see api.h and docs/api.md). A table maps method and
 * path to a handler; handlers read the JSON body with jansson, call the
 * domain (auth.c) and turn its result into a status and a JSON body. Errors
 * always have the shape {"error":{"code","message"[,"field"]}}.
 */
#include "api.h"

#include "auth.h"
#include "config.h"
#include "error.h"
#include "log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct gr_api {
	struct gr_auth *auth;
	const struct gr_config *config;
	char base_url[512];
	int secure_cookie;
};

typedef void handler_fn(struct gr_api *api, struct gr_http_call *call, const char *arg);

struct route {
	const char *method;
	const char *path; /* ending in '/' matches as a prefix; the rest is arg */
	handler_fn *handle;
};

int gr_api_new(struct gr_api **out, struct gr_auth *auth, const struct gr_config *config)
{
	struct gr_api *api = calloc(1, sizeof(*api));

	*out = NULL;
	if (!api) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	api->auth = auth;
	api->config = config;
	gr_config_base_url(config, api->base_url, sizeof(api->base_url));
	api->secure_cookie = strncmp(api->base_url, "https://", 8) == 0;
	*out = api;
	return 0;
}

void gr_api_free(struct gr_api *api)
{
	free(api);
}

void gr_http_call_clear(struct gr_http_call *call)
{
	free(call->response);
	call->response = NULL;
	call->response_len = 0;
}

/* ---- responses -------------------------------------------------------- */

/* Send json (a reference is taken over) with status. */
static void reply_json(struct gr_http_call *call, int status, json_t *json)
{
	gr_http_call_clear(call);
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

static void reply_error(struct gr_http_call *call, int status, const char *code,
			const char *message, const char *field)
{
	json_t *error = json_pack("{s:s, s:s}", "code", code, "message", message);

	if (error && field)
		json_object_set_new(error, "field", json_string(field));
	if (status >= 500)
		gr_log_error("%s %s: %s", call->method, call->path, message);
	reply_json(call, status, json_pack("{s:o}", "error", error));
}

static const struct {
	int status;
	int http_status;
	const char *code;
} status_map[] = {
	{ GR_EINVALID, 400, "bad_value" },   { GR_EUSED, 400, "invite_invalid" },
	{ GR_EEXPIRED, 400, "invite_invalid" }, { GR_EAUTH, 401, "unauthenticated" },
	{ GR_EFORBIDDEN, 403, "forbidden" }, { GR_ENOTFOUND, 404, "not_found" },
	{ GR_EEXISTS, 409, "conflict" },     { GR_ELIMITED, 429, "rate_limited" },
};

/* Reply with the HTTP error that fits a domain status. */
static void reply_status(struct gr_http_call *call, int status, const char *message,
			 const char *field)
{
	for (size_t i = 0; i < sizeof(status_map) / sizeof(status_map[0]); i++) {
		if (status_map[i].status == status) {
			reply_error(call, status_map[i].http_status, status_map[i].code, message,
				    field);
			return;
		}
	}
	reply_error(call, 500, "internal", message, field);
}

static json_t *user_json(const struct gr_user *user)
{
	return json_pack("{s:s, s:s, s:s, s:s?}", "handle", user->handle, "display_name",
			 user->display_name, "role", gr_role_name(user->role), "cohort",
			 user->cohort[0] ? user->cohort : NULL);
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
		int64_t wait_ms = result->retry_at - gr_clock_now_ms();

		call->retry_after_s = wait_ms > 0 ? (int)((wait_ms + 999) / 1000) : 1;
	}
	if (joined && result->status == GR_ENOTFOUND) {
		reply_error(call, 400, "invite_invalid", result->message, result->field);
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

static void handle_me(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_user user;

	if (require_user(api, call, &user) == 0)
		reply_json(call, 200, user_json(&user));
}

static json_t *invite_json(const struct gr_invite *invite)
{
	return json_pack("{s:s, s:s?, s:I}", "role", gr_role_name(invite->role), "cohort",
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
		reply_error(call, 400, "bad_value", "An invite lasts 1 to 365 days.",
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
	if (gr_role_from_name(&role, values[0]) != 0) {
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
	gr_log_info("%s invited a new %s%s%s", creator->handle, gr_role_name(role),
		    invite.cohort[0] ? " to cohort " : "", invite.cohort);
	reply_json(call, 201, reply);
}

static void handle_invite_create(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_user user;
	json_t *body;

	if (require_user(api, call, &user) != 0)
		return;
	if (user.role == GR_ROLE_LEARNER) {
		reply_error(call, 403, "forbidden", "Only coaches and admins may invite people.",
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
	struct gr_invite invite;
	int rc = gr_auth_invite_check(api->auth, &invite, code);

	if (rc == GR_ENOTFOUND || rc == GR_EUSED || rc == GR_EEXPIRED) {
		reply_error(call, 400, "invite_invalid", gr_error_last(), "invite");
		return;
	}
	if (rc) {
		reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	reply_json(call, 200, invite_json(&invite));
}

static const struct route routes[] = {
	{ "POST", "/api/register", handle_register },
	{ "POST", "/api/login", handle_login },
	{ "POST", "/api/logout", handle_logout },
	{ "GET", "/api/me", handle_me },
	{ "POST", "/api/invites", handle_invite_create },
	{ "GET", "/api/invites/", handle_invite_get },
};

/* Match path against a route's; returns the argument after a prefix or "". */
static const char *match(const struct route *route, const char *path)
{
	size_t len = strlen(route->path);

	if (route->path[len - 1] == '/')
		return strncmp(path, route->path, len) == 0 && path[len] && !strchr(path + len, '/')
			       ? path + len
			       : NULL;
	return strcmp(path, route->path) == 0 ? "" : NULL;
}

static int is_json(const char *content_type)
{
	size_t len = strlen("application/json");

	return strncasecmp(content_type, "application/json", len) == 0 &&
	       (content_type[len] == '\0' || content_type[len] == ';');
}

void gr_api_handle(struct gr_api *api, struct gr_http_call *call)
{
	const struct route *allowed = NULL;

	call->api = api;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *arg = match(&routes[i], call->path);

		if (!arg)
			continue;
		allowed = &routes[i];
		if (strcmp(routes[i].method, call->method) != 0)
			continue;
		if (strcmp(call->method, "POST") == 0) {
			if (call->origin[0] && !gr_api_origin_allowed(api, call->origin, call->host)) {
				reply_error(call, 403, "forbidden",
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
	reply_error(call, 404, "not_found", "There is nothing at this address.", NULL);
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
