/*
 * api_applications.c - the HTTP routes of applications (docs/api.md,
 * "Applications"): the public form's list of centres, applying, the
 * applicant's private link, and the coaches' list and decisions. Each
 * handler reads the request, asks services/applications.c, and turns the
 * result into a status and a JSON body; who may do what is decided there
 * and written in docs/api.md's table. The routes are rows of api.c's
 * table.
 */
#include "net/api_internal.h"

#include "core/error.h"
#include "core/json.h"
#include "services/applications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_place(const struct gr_store_centre *centre, void *payload)
{
	return gr_json_append(payload, gr_json_pack("{s:s, s:s, s:s}", "name", centre->name,
						     "borough", centre->borough, "address",
						     centre->address));
}

/* GET /api/apply: anyone; the centres one may apply to. */
void api_apply_form(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *list = gr_json_array();
	int rc;

	if ((rc = gr_applications_centres(api->applications, add_place, list)) != 0) {
		gr_json_free(list);
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:o}", "centres", list));
}

/* POST /api/apply {name, phone?, email?, motivation, when, centre, language?}: anyone. */
void api_apply(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "name", "phone", "email", "motivation", "when",
					      "centre", "language" };
	const char *values[7];
	struct gr_applications_apply apply;
	char token[GR_TOKEN_TEXT_SIZE], url[700];
	const char *field = NULL;
	int64_t id = 0, retry_ms = 0;
	struct gr_json *body;
	int rc;

	if (!(body = api_read_body(call)))
		return;
	if (api_read_texts(call, body, names, values, 7, 0) == 0) {
		memset(&apply, 0, sizeof(apply));
		apply.form = (struct gr_application_form){ values[0], values[1], values[2], values[3],
							   values[4] };
		apply.centre = values[5];
		apply.language = values[6];
		apply.address = call->address;
		rc = gr_applications_submit(api->applications, token, &id, &field, &retry_ms, &apply);
		if (rc == GR_ELIMITED)
			call->retry_after_s = (int)((retry_ms + 999) / 1000);
		if (rc) {
			api_reply_status(call, rc, gr_error_last(), field);
		} else {
			snprintf(url, sizeof(url), "%s/apply/%s", api->base_url, token);
			api_reply_value(call, 201, gr_json_pack("{s:I, s:s, s:s}", "id", (long long)id,
								"token", token, "url", url));
		}
		gr_secret_wipe(token, sizeof(token));
	}
	gr_json_free(body);
}

struct status {
	struct gr_api *api;
	struct gr_json *value;
};

/* What the applicant reads on their link: never who decided, nor what a coach may read only. */
static int status_of(const struct gr_store_application *row, void *payload)
{
	struct status *status = payload;
	char invite[700] = "";

	if (row->invite_code[0])
		snprintf(invite, sizeof(invite), "%s/join/%s", status->api->base_url, row->invite_code);
	status->value = gr_json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s*, s:s*}", "state",
				     gr_application_state_name(row->life.state), "centre",
				     row->centre, "name", row->name, "language", row->language,
				     "created_at", (long long)row->life.created_at, "waiting_at",
				     (long long)row->life.waiting_at, "decided_at",
				     (long long)row->life.decided_at, "message",
				     row->message[0] ? row->message : NULL, "invite_url",
				     invite[0] ? invite : NULL);
	return status->value ? 0 : GR_ERROR;
}

/* GET /api/apply/TOKEN: anyone with the link; where the application stands. */
void api_apply_status(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct status status = { api, NULL };
	int rc = gr_applications_by_token(api->applications, arg, status_of, &status);

	if (rc) {
		gr_json_free(status.value);
		api_reply_status(call, rc, gr_error_last(), rc == GR_ENOTFOUND ? "token" : NULL);
		return;
	}
	api_reply_value(call, 200, status.value);
}

static int add_application(const struct gr_store_application *row, void *payload)
{
	return gr_json_append(payload, gr_applications_value(row));
}

/* GET /api/applications: coaches (their centres') and admins (all). */
void api_applications_list(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *list;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	list = gr_json_array();
	if ((rc = gr_applications_list(api->applications, &user, add_application, list)) != 0) {
		gr_json_free(list);
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	api_reply_value(call, 200, gr_json_pack("{s:o}", "applications", list));
}

static int one_value(const struct gr_store_application *row, void *payload)
{
	*(struct gr_json **)payload = gr_applications_value(row);
	return 0;
}

/* POST /api/applications/ID/(invite {cohort} | wait {} | decline {message}). */
void api_application_decide(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const names[] = { "cohort", "message" };
	const char *values[2] = { NULL, NULL }, *field = NULL;
	struct gr_json *body = NULL, *value = NULL;
	struct gr_user user;
	char *end = NULL;
	long long id = strtoll(arg, &end, 10);
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!end || end == arg || id <= 0 ||
	    (strcmp(end, "/invite") != 0 && strcmp(end, "/wait") != 0 &&
	     strcmp(end, "/decline") != 0)) {
		api_reply_error(call, 404, "not_found", "There is nothing at this address.", NULL);
		return;
	}
	if (!(body = api_read_body(call)))
		return;
	if (api_read_texts(call, body, names, values, 2, 0) != 0)
		goto out;
	if (strcmp(end, "/invite") == 0)
		rc = gr_applications_invite(api->applications, &user, id, values[0], &field);
	else if (strcmp(end, "/decline") == 0)
		rc = gr_applications_decline(api->applications, &user, id, values[1], &field);
	else
		rc = gr_applications_wait(api->applications, &user, id);
	if (rc == 0)
		rc = gr_applications_get(api->applications, &user, id, one_value, &value);
	if (rc)
		api_reply_status(call, rc, gr_error_last(), field);
	else
		api_reply_value(call, 200, value);
out:
	gr_json_free(body);
}
