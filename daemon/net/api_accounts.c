/*
 * api_accounts.c - the HTTP routes of accounts that recover (docs/api.md,
 * "Profile and sessions", "Reset links", "Users, cohorts and invites"):
 * a user's own profile and sessions, reset links, and the admin's users,
 * centres, cohorts and invites. Each handler reads the request, asks
 * services/accounts.c or services/auth.c, and turns the result into a
 * status and a JSON body; who may do what is decided there and written in
 * docs/api.md's table. The routes are rows of api.c's table.
 */
#include "net/api_internal.h"

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "net/url.h"
#include "services/accounts.h"
#include "services/auth.h"
#include "services/rights.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/invite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- profile and sessions ---------------------------------------------- */

/* POST /api/profile {display_name?, language?}: the signed-in user's own. */
void api_profile_set(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "display_name", "language" };
	const char *values[2];
	const char *field = NULL;
	struct gr_json *body;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0 || !(body = api_read_body(call)))
		return;
	if (api_read_texts(call, body, names, values, 2, 0) == 0) {
		rc = gr_accounts_set_profile(api->accounts, &user, &field, values[0], values[1]);
		if (rc)
			api_reply_status(call, rc, gr_error_last(), field);
		else
			api_reply_value(call, 200, api_user_value(&user));
	}
	gr_json_free(body);
}

static int add_session(const struct gr_accounts_session *session, void *payload)
{
	return gr_json_append(payload, gr_json_pack("{s:s, s:b, s:I, s:I, s:I, s:s}", "id",
						     session->id, "current", session->current,
						     "created_at", (long long)session->created_at,
						     "seen_at", (long long)session->seen_at,
						     "expires_at", (long long)session->expires_at,
						     "agent", session->agent));
}

/* GET /api/sessions: the signed-in user's open sessions, this one marked. */
void api_sessions_list(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *list;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	list = gr_json_array();
	rc = gr_accounts_sessions(api->accounts, &user, call->session_token, add_session, list);
	if (rc) {
		gr_json_free(list);
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:o}", "sessions", list));
}

/* POST /api/sessions/end-others: sign out everywhere else. */
void api_sessions_end_others(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_user user;
	int ended = 0;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	rc = gr_accounts_end_other_sessions(api->accounts, &ended, &user, call->session_token);
	if (rc)
		api_reply_status(call, rc, gr_error_last(), NULL);
	else
		api_reply_value(call, 200, gr_json_pack("{s:i}", "ended", ended));
}

/* ---- reset links ------------------------------------------------------- */

/* The refusal of a reset link that may not be used: its own code, for the client's words. */
static void reply_reset_refused(struct gr_http_call *call, int rc, const char *message)
{
	static const struct {
		int status;
		const char *code;
	} codes[] = {
		{ GR_ENOTFOUND, "reset_unknown" },
		{ GR_EUSED, "reset_used" },
		{ GR_ECONFLICT, "reset_replaced" },
		{ GR_EEXPIRED, "reset_expired" },
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (codes[i].status == rc) {
			api_reply_error(call, 400, codes[i].code, message, "token");
			return;
		}
	}
	api_reply_status(call, rc, message, rc == GR_EFORBIDDEN ? "token" : NULL);
}

/* GET /api/reset/TOKEN: whose account the link resets, while it may be used. */
void api_reset_get(struct gr_api *api, struct gr_http_call *call, const char *token)
{
	struct gr_reset reset;
	struct gr_user user;
	int rc;

	if (strchr(token, '/')) {
		api_reply_error(call, 404, "not_found", "There is nothing at this address.", NULL);
		return;
	}
	rc = gr_accounts_reset_check(api->accounts, &user, &reset, token);
	if (rc) {
		reply_reset_refused(call, rc, gr_error_last());
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:s, s:s, s:I}", "handle", user.handle,
						"display_name", user.display_name, "expires_at",
						(long long)reset.expires_at));
}

static void reset_used(const struct gr_auth_result *result, void *payload)
{
	struct gr_http_call *call = payload;

	if (result->status == GR_EINVALID && result->field) {
		api_reply_error(call, 400, "bad_value", result->message, result->field);
		return;
	}
	if (result->status) {
		reply_reset_refused(call, result->status, result->message);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:s}", "handle", result->user.handle));
}

/* POST /api/reset {token, password}: a new password; every session of the user ends. */
void api_reset_use(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "token", "password" };
	const char *values[2];
	struct gr_json *body = api_read_body(call);

	if (!body)
		return;
	if (api_read_texts(call, body, names, values, 2, 1) == 0)
		gr_accounts_reset_use(api->accounts, values[0], values[1], reset_used, call);
	gr_json_free(body);
}

/* ---- users ------------------------------------------------------------- */

static int add_name(const char *name, void *payload)
{
	return gr_json_append(payload, gr_json_string(name));
}

/* A user of the admin's list: a coach's with the centres they belong to. */
static struct gr_json *user_row(struct gr_api *api, const struct gr_user *user)
{
	struct gr_json *row = api_user_value(user), *centres;

	gr_json_set(row, "disabled", gr_json_pack("b", user->disabled_at != 0));
	gr_json_set(row, "created_at", gr_json_integer(user->created_at));
	if (user->role == GR_ROLE_COACH && (centres = gr_json_array())) {
		if (gr_store_centre_each_of_coach(api->store, user->id, add_name, centres) != 0)
			gr_log_error("could not read the centres of %s: %s", user->handle,
				     gr_error_last());
		gr_json_set(row, "centres", centres);
	}
	return row;
}

struct user_list {
	struct gr_api *api;
	struct gr_json *list;
};

static int add_user(const struct gr_user *user, void *payload)
{
	struct user_list *listing = payload;

	return gr_json_append(listing->list, user_row(listing->api, user));
}

/* A query argument into out ("" when absent); else replies 400 and returns non-zero. */
static int query_text(struct gr_http_call *call, char *out, size_t size, const char *name)
{
	int rc = gr_url_query_value(out, size, call->query ? call->query : "", name);
	char message[96];

	if (rc == GR_ENOTFOUND) {
		out[0] = '\0';
		return 0;
	}
	if (rc == 0)
		return 0;
	snprintf(message, sizeof(message), "'%s' is not valid.", name);
	api_reply_error(call, 400, "bad_value", message, name);
	return -1;
}

/* GET /api/users?q=TEXT&cohort=C: admins all, coaches the learners they coach. */
void api_users_list(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	char text[128], cohort[GR_COHORT_MAX * 4 + 1];
	struct gr_json *list;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0 || query_text(call, text, sizeof(text), "q") ||
	    query_text(call, cohort, sizeof(cohort), "cohort"))
		return;
	list = gr_json_array();
	rc = gr_accounts_users(api->accounts, &user, text, cohort, add_user,
			       &(struct user_list){ api, list });
	if (rc) {
		gr_json_free(list);
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:o}", "users", list));
}

/* POST /api/users/HANDLE/reset: a reset link, by a coach of their learner or an admin. */
static void user_reset(struct gr_api *api, struct gr_http_call *call, const struct gr_user *by,
		       const char *handle)
{
	char token[GR_TOKEN_TEXT_SIZE], url[1024];
	struct gr_reset reset;
	struct gr_user user;
	int rc = gr_accounts_reset_create(api->accounts, token, &reset, &user, by, handle);

	if (rc) {
		api_reply_status(call, rc, gr_error_last(), rc == GR_ENOTFOUND ? "handle" : NULL);
		return;
	}
	snprintf(url, sizeof(url), "%s/reset/%s", api->base_url, token);
	api_reply_value(call, 201, gr_json_pack("{s:s, s:s, s:s, s:I}", "handle", user.handle,
						"display_name", user.display_name, "url", url,
						"expires_at", (long long)reset.expires_at));
}

/* The names of body's "centres", an array of 1 to 32 texts, into out; else replies 400. */
static int read_centres(struct gr_http_call *call, const struct gr_json *body, const char **out,
			size_t *out_count)
{
	const struct gr_json *list = gr_json_get(body, "centres");
	size_t count = gr_json_size(list);

	if (gr_json_kind(list) != GR_JSON_ARRAY || count < 1 || count > 32) {
		api_reply_error(call, 400, "bad_value",
				"'centres' is a list of the names of one centre or more.", "centres");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (!(out[i] = gr_json_text(gr_json_at(list, i), NULL))) {
			api_reply_error(call, 400, "bad_value", "'centres' holds names of centres only.",
					"centres");
			return -1;
		}
		if (gr_account_check_centre(out[i]) != 0) {
			api_reply_error(call, 400, "bad_value", gr_error_last(), "centres");
			return -1;
		}
	}
	*out_count = count;
	return 0;
}

/* POST /api/users/HANDLE/centres {"centres": [NAME…]}: the centres a coach belongs to. */
static int user_centres(struct gr_api *api, struct gr_http_call *call, const struct gr_user *by,
			struct gr_user *out, const char *handle, const char **out_field)
{
	const char *names[32];
	struct gr_json *body = api_read_body(call);
	size_t count = 0;
	int rc;

	if (!body)
		return 1; /* replied */
	if (read_centres(call, body, names, &count) != 0) {
		gr_json_free(body);
		return 1;
	}
	rc = gr_accounts_coach_centres(api->accounts, out, by, handle, names, count);
	*out_field = rc == GR_ENOTFOUND ? "handle" : "centres";
	gr_json_free(body);
	return rc;
}

/* An admin's change to the user handle: role, cohort, centres, enable or disable. */
static int user_admin_change(struct gr_api *api, struct gr_http_call *call,
			     const struct gr_user *by, struct gr_user *out, const char *handle,
			     const char *action, const char **out_field)
{
	static const char *const names[] = { "role", "cohort" };
	const char *values[2] = { NULL, NULL };
	struct gr_json *body = NULL;
	enum gr_role role;
	int rc = GR_ENOTFOUND;

	if (strcmp(action, "role") == 0 || strcmp(action, "cohort") == 0) {
		int is_role = action[0] == 'r';

		if (!(body = api_read_body(call)))
			return 1; /* replied */
		if (api_read_texts(call, body, names + !is_role, values + !is_role, 1, is_role)) {
			gr_json_free(body);
			return 1;
		}
	}
	*out_field = "handle";
	if (strcmp(action, "centres") == 0) {
		rc = user_centres(api, call, by, out, handle, out_field);
	} else if (strcmp(action, "role") == 0) {
		*out_field = "role";
		rc = gr_account_role_from_name(&role, values[0]);
		if (rc == 0 && strcmp(handle, by->handle) == 0 && role != GR_ROLE_ADMIN) {
			gr_error_set("You cannot take the admin role from yourself.");
			rc = GR_ECONFLICT;
		}
		if (rc == 0 && (rc = gr_auth_user_set_role(api->auth, out, handle, role)) != 0)
			*out_field = rc == GR_ENOTFOUND ? "handle" : NULL;
	} else if (strcmp(action, "cohort") == 0) {
		rc = gr_auth_user_set_cohort(api->auth, out, handle, values[1]);
		*out_field = rc == GR_ENOTFOUND ? "handle" : "cohort";
	} else if (strcmp(action, "enable") == 0) {
		rc = gr_auth_user_enable(api->auth, out, handle);
	} else if (strcmp(action, "disable") == 0) {
		if (strcmp(handle, by->handle) == 0) {
			gr_error_set("You cannot disable your own account.");
			rc = GR_ECONFLICT;
		} else {
			rc = gr_accounts_user_disable(api->accounts, out, handle);
		}
	} else {
		gr_error_set("There is nothing at this address.");
		*out_field = NULL;
	}
	gr_json_free(body);
	return rc;
}

/* POST /api/users/HANDLE/(role|cohort|centres|enable|disable|reset). */
void api_user_change(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	const char *slash = strchr(arg, '/');
	const char *field = NULL;
	char handle[GR_HANDLE_MAX + 1];
	struct gr_user by, user;
	int rc;

	if (api_require_user(api, call, &by) != 0)
		return;
	if (!slash || slash == arg || (size_t)(slash - arg) > GR_HANDLE_MAX || strchr(slash + 1, '/')) {
		api_reply_error(call, 404, "not_found", "There is nothing at this address.", NULL);
		return;
	}
	snprintf(handle, sizeof(handle), "%.*s", (int)(slash - arg), arg);
	if (strcmp(slash + 1, "reset") == 0) {
		user_reset(api, call, &by, handle);
		return;
	}
	if (by.role != GR_ROLE_ADMIN) {
		api_reply_error(call, 403, "forbidden", "Only admins change accounts.", NULL);
		return;
	}
	rc = user_admin_change(api, call, &by, &user, handle, slash + 1, &field);
	if (rc > 0)
		return; /* replied */
	if (rc == GR_ENOTFOUND && !field)
		api_reply_error(call, 404, "not_found", gr_error_last(), NULL);
	else if (rc)
		api_reply_status(call, rc, gr_error_last(), field);
	else
		api_reply_value(call, 200, user_row(api, &user));
}

/* ---- cohorts ----------------------------------------------------------- */

struct cohort_list {
	struct gr_api *api;
	const struct gr_user *by;
	struct gr_json *list;
};

static int add_cohort(const struct gr_store_cohort *cohort, void *payload)
{
	struct cohort_list *listing = payload;

	if (!gr_rights_may_coach(listing->api->store, listing->by, cohort->name))
		return 0;
	return gr_json_append(listing->list,
			      gr_json_pack("{s:s, s:s, s:I, s:i, s:i}", "name", cohort->name, "centre",
					   cohort->centre, "created_at", (long long)cohort->created_at,
					   "learners", cohort->learners, "coaches", cohort->coaches));
}

/* GET /api/cohorts: an admin's every one, a coach's the ones they coach. */
void api_cohorts_list(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct cohort_list listing = { api, NULL, NULL };
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!gr_account_is_coach(&user)) {
		api_reply_error(call, 403, "forbidden", "Only coaches and admins see the cohorts.",
				NULL);
		return;
	}
	listing.by = &user;
	listing.list = gr_json_array();
	if ((rc = gr_store_cohort_each(api->store, add_cohort, &listing)) != 0) {
		gr_json_free(listing.list);
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:o}", "cohorts", listing.list));
}

/* POST /api/cohorts {name, centre?}: admins. */
void api_cohort_add(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "name", "centre" };
	const char *values[2];
	const char *field = NULL;
	struct gr_json *body;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (user.role != GR_ROLE_ADMIN) {
		api_reply_error(call, 403, "forbidden", "Only admins add cohorts.", NULL);
		return;
	}
	if (!(body = api_read_body(call)))
		return;
	if (api_read_texts(call, body, names, values, 1, 1) == 0 &&
	    api_read_texts(call, body, names + 1, values + 1, 1, 0) == 0) {
		rc = gr_accounts_cohort_add(api->accounts, &user, &field, values[0], values[1]);
		if (rc)
			api_reply_status(call, rc, gr_error_last(), field);
		else
			api_reply_value(call, 201, gr_json_pack("{s:s}", "name", values[0]));
	}
	gr_json_free(body);
}

/* ---- centres ----------------------------------------------------------- */

static int add_centre(const struct gr_store_centre *centre, void *payload)
{
	return gr_json_append(payload,
			      gr_json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:i, s:i, s:i}", "name",
					   centre->name, "borough", centre->borough, "address",
					   centre->address, "created_at", (long long)centre->created_at,
					   "cohorts", centre->cohorts, "learners", centre->learners,
					   "coaches", centre->coaches, "active_7d", centre->active,
					   "passed_30d", centre->passed));
}

/* GET /api/centres: admins, each centre with its figures. */
void api_centres_list(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *list;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	list = gr_json_array();
	if ((rc = gr_accounts_centres(api->accounts, &user, add_centre, list)) != 0) {
		gr_json_free(list);
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:o}", "centres", list));
}

/* POST /api/centres {name, borough?, address?}: admins. */
void api_centre_add(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "name", "borough", "address" };
	const char *values[3];
	const char *field = NULL;
	struct gr_json *body;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (user.role != GR_ROLE_ADMIN) {
		api_reply_error(call, 403, "forbidden", "Only admins add centres.", NULL);
		return;
	}
	if (!(body = api_read_body(call)))
		return;
	if (api_read_texts(call, body, names, values, 1, 1) == 0 &&
	    api_read_texts(call, body, names + 1, values + 1, 2, 0) == 0) {
		rc = gr_accounts_centre_add(api->accounts, &user, &field, values[0], values[1],
					    values[2]);
		if (rc)
			api_reply_status(call, rc, gr_error_last(), field);
		else
			api_reply_value(call, 201, gr_json_pack("{s:s}", "name", values[0]));
	}
	gr_json_free(body);
}

/* ---- invites ----------------------------------------------------------- */

static const char *invite_status(const struct gr_invite *invite, int64_t now)
{
	if (invite->used_at)
		return "used";
	if (invite->revoked_at)
		return "revoked";
	return invite->expires_at <= now ? "expired" : "open";
}

struct invite_list {
	struct gr_json *list;
	int64_t now;
};

static int add_invite(const struct gr_invite *invite, void *payload)
{
	struct invite_list *listing = payload;

	return gr_json_append(
		listing->list,
		gr_json_pack("{s:I, s:s, s:s?, s:s?, s:I, s:I, s:s?, s:s?, s:s}", "id",
			     (long long)invite->id, "role", gr_account_role_name(invite->role),
			     "cohort", invite->cohort[0] ? invite->cohort : NULL, "centre",
			     invite->centre[0] ? invite->centre : NULL, "created_at",
			     (long long)invite->created_at, "expires_at", (long long)invite->expires_at,
			     "created_by", invite->created_by[0] ? invite->created_by : NULL,
			     "used_by", invite->used_by[0] ? invite->used_by : NULL, "status",
			     invite_status(invite, listing->now)));
}

static int require_admin(struct gr_api *api, struct gr_http_call *call, const char *message)
{
	struct gr_user user;

	if (api_require_user(api, call, &user) != 0)
		return -1;
	if (user.role != GR_ROLE_ADMIN) {
		api_reply_error(call, 403, "forbidden", message, NULL);
		return -1;
	}
	return 0;
}

/* GET /api/invites: every invite, newest first (admins). */
void api_invites_list(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct invite_list listing = { NULL, gr_clock_now_ms() };
	int rc;

	if (require_admin(api, call, "Only admins list the invites.") != 0)
		return;
	listing.list = gr_json_array();
	if ((rc = gr_store_invite_each(api->store, add_invite, &listing)) != 0) {
		gr_json_free(listing.list);
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:o}", "invites", listing.list));
}

/* POST /api/invites/ID/revoke: withdraw an unused invite (admins). */
void api_invite_revoke(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_invite invite;
	char *end = NULL;
	long long id = strtoll(arg, &end, 10);
	int rc;

	if (require_admin(api, call, "Only admins revoke invites.") != 0)
		return;
	if (!end || end == arg || strcmp(end, "/revoke") != 0 || id <= 0) {
		api_reply_error(call, 404, "not_found", "There is nothing at this address.", NULL);
		return;
	}
	rc = gr_auth_invite_revoke_id(api->auth, &invite, id);
	if (rc == GR_EUSED || rc == GR_EEXISTS)
		api_reply_error(call, 409, "conflict", gr_error_last(), NULL);
	else if (rc)
		api_reply_status(call, rc, gr_error_last(), NULL);
	else
		api_reply_value(call, 200, gr_json_pack("{s:I, s:s}", "id", (long long)invite.id,
							"status", "revoked"));
}
