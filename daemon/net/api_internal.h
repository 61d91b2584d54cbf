/*
 * api_internal.h - what the JSON API's files share (api.c, api_accounts.c),
 * private to net/ (tools/check-layers refuses it elsewhere): the API's
 * parts, the shape of a handler, and the helpers that read a request and
 * send a reply. Only api.c includes jansson; the others build their JSON
 * with core/json.h. Names here start with api_, not gr_.
 */
#ifndef GR_API_INTERNAL_H
#define GR_API_INTERNAL_H

#include "core/account.h"
#include "net/api.h"

struct gr_json;

struct gr_api {
	struct gr_auth *auth;
	struct gr_accounts *accounts;
	struct gr_applications *applications;
	struct gr_library *library;
	struct gr_workers *workers;
	const struct gr_config *config;
	struct gr_store *store;
	struct gr_portfolio *portfolio;
	struct gr_outcomes *outcomes;
	struct gr_projects *projects;
	char base_url[512];
	int secure_cookie;
};

typedef void api_handler_fn(struct gr_api *api, struct gr_http_call *call, const char *arg);

/* Reply {"error":{"code","message"[,"field"]}} with status. */
void api_reply_error(struct gr_http_call *call, int status, const char *code, const char *message,
		     const char *field);
/* Reply with the HTTP error that fits a domain status (GR_E*). */
void api_reply_status(struct gr_http_call *call, int status, const char *message,
		      const char *field);
/* Reply with json (consumed) and status. */
void api_reply_value(struct gr_http_call *call, int status, struct gr_json *json);

/* The signed-in user into out; else replies 401 (or the failure) and returns non-zero. */
int api_require_user(struct gr_api *api, struct gr_http_call *call, struct gr_user *out);

/* The body as a JSON object, the caller's to free; else replies 400 and returns NULL. */
struct gr_json *api_read_body(struct gr_http_call *call);
/*
 * The text members names[0..count) of body into values (NULL when absent
 * and not required). On a missing or non-text one replies 400 naming the
 * field and returns non-zero.
 */
int api_read_texts(struct gr_http_call *call, const struct gr_json *body, const char *const *names,
		   const char **values, int count, int required);

/* {handle, display_name, role, cohort, language}: what /api/me says of a user. */
struct gr_json *api_user_value(const struct gr_user *user);

/* ---- api_accounts.c: profiles, sessions, reset links, users, cohorts ---- */

api_handler_fn api_profile_set, api_sessions_list, api_sessions_end_others;
api_handler_fn api_reset_get, api_reset_use;
api_handler_fn api_users_list, api_user_change;
api_handler_fn api_cohorts_list, api_cohort_add;
api_handler_fn api_centres_list, api_centre_add;

/* ---- api_applications.c: applying, the applicant's link, the coaches' decisions ---- */

api_handler_fn api_apply_form, api_apply, api_apply_status;
api_handler_fn api_applications_list, api_application_decide;
api_handler_fn api_invites_list, api_invite_revoke;

/* ---- api_portfolio.c: portfolios and outcomes ---- */

api_handler_fn api_portfolio_get, api_portfolio_change, api_portfolio_public;
api_handler_fn api_outcome_record, api_outcome_figures, api_outcome_csv;

/* ---- api_projects.c: partner projects, teams, feedback ---- */

api_handler_fn api_projects_list, api_project_get, api_project_create, api_project_change;
api_handler_fn api_team_change;

#endif
