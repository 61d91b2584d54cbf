/*
 * api_portfolio.c - the JSON API's routes of portfolios and outcomes (see
 * docs/api.md, "Portfolios" and "Outcomes"): reading a request, asking
 * services/portfolio.c, services/outcomes.c and services/export.c, and
 * replying. Shares api_internal.h with api.c.
 */
#include "net/api_internal.h"

#include "core/error.h"
#include "core/json.h"
#include "net/url.h"
#include "services/export.h"
#include "services/outcomes.h"
#include "services/portfolio.h"
#include "services/rights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- portfolios ---------------------------------------------------------- */

/* GET /api/portfolio: one's own. */
void api_portfolio_get(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *portfolio = NULL;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if ((rc = gr_portfolio_get(api->portfolio, &portfolio, &user)) != 0)
		api_reply_status(call, rc, gr_error_last(), NULL);
	else
		api_reply_value(call, 200, portfolio);
}

/* POST /api/portfolio/show {feedback, shown}: a partner's feedback one's team received. */
static void feedback_show(struct gr_api *api, struct gr_http_call *call,
			  const struct gr_user *user, const struct gr_json *feedback,
			  const struct gr_json *shown)
{
	int rc;

	if (gr_json_integer_value(feedback) < 1)
		api_reply_error(call, 400, "bad_value", "'feedback' is the id of feedback you received.",
				"feedback");
	else if (gr_json_kind(shown) != GR_JSON_TRUE && gr_json_kind(shown) != GR_JSON_FALSE)
		api_reply_error(call, 400, "bad_value", "'shown' is true or false.", "shown");
	else if ((rc = gr_portfolio_show_feedback(api->portfolio, user,
						  gr_json_integer_value(feedback),
						  gr_json_kind(shown) == GR_JSON_TRUE)) != 0)
		api_reply_status(call, rc, gr_error_last(), "feedback");
	else
		api_reply_value(call, 200,
				gr_json_pack("{s:I, s:b}", "feedback",
					     (long long)gr_json_integer_value(feedback), "shown",
					     gr_json_kind(shown) == GR_JSON_TRUE));
}

/*
 * POST /api/portfolio/show {submission, shown}: one's own passed work; or
 * {feedback, shown}: a partner's feedback on one's team's work.
 */
static void portfolio_show(struct gr_api *api, struct gr_http_call *call)
{
	struct gr_json *body, *submission, *shown;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0 || !(body = api_read_body(call)))
		return;
	submission = gr_json_get(body, "submission");
	shown = gr_json_get(body, "shown");
	if (gr_json_kind(gr_json_get(body, "feedback")) == GR_JSON_INTEGER && !submission) {
		feedback_show(api, call, &user, gr_json_get(body, "feedback"), shown);
	} else if (gr_json_kind(submission) != GR_JSON_INTEGER || gr_json_integer_value(submission) < 1) {
		api_reply_error(call, 400, "bad_value", "'submission' is the id of your work.",
				"submission");
	} else if (gr_json_kind(shown) != GR_JSON_TRUE && gr_json_kind(shown) != GR_JSON_FALSE) {
		api_reply_error(call, 400, "bad_value", "'shown' is true or false.", "shown");
	} else if ((rc = gr_portfolio_show(api->portfolio, &user, gr_json_integer_value(submission),
					   gr_json_kind(shown) == GR_JSON_TRUE)) != 0) {
		if (rc == GR_ECONFLICT)
			api_reply_error(call, 409, "work_not_passed", gr_error_last(), "submission");
		else
			api_reply_status(call, rc, gr_error_last(), "submission");
	} else {
		api_reply_value(call, 200,
				gr_json_pack("{s:I, s:b}", "submission",
					     (long long)gr_json_integer_value(submission), "shown",
					     gr_json_kind(shown) == GR_JSON_TRUE));
	}
	gr_json_free(body);
}

/* POST /api/portfolio/share: a new public link; POST /api/portfolio/revoke: none. */
static void portfolio_link(struct gr_api *api, struct gr_http_call *call, int share)
{
	char token[GR_TOKEN_TEXT_SIZE], path[GR_TOKEN_TEXT_SIZE + 8];
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	rc = share ? gr_portfolio_share(api->portfolio, &user, token)
		   : gr_portfolio_revoke(api->portfolio, &user);
	if (rc != 0) {
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	if (!share) {
		api_reply_value(call, 200, gr_json_pack("{s:b}", "shared", 0));
		return;
	}
	snprintf(path, sizeof(path), "/p/%s", token);
	api_reply_value(call, 201, gr_json_pack("{s:s, s:s}", "token", token, "path", path));
}

/* POST /api/portfolio/show, …/share, …/revoke. */
void api_portfolio_change(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	if (strcmp(arg, "show") == 0)
		portfolio_show(api, call);
	else if (strcmp(arg, "share") == 0 || strcmp(arg, "revoke") == 0)
		portfolio_link(api, call, strcmp(arg, "share") == 0);
	else
		api_reply_error(call, 404, "page_missing", "There is nothing at this address.", NULL);
}

/* GET /api/portfolio/public/TOKEN: anyone, only what its owner shows. */
void api_portfolio_public(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *portfolio = NULL;
	int rc;

	if (strlen(arg) >= GR_TOKEN_TEXT_SIZE ||
	    (rc = gr_portfolio_public(api->portfolio, &portfolio, arg)) == GR_ENOTFOUND) {
		api_reply_error(call, 404, "portfolio_not_shared", "This portfolio is not shared.",
				NULL);
		return;
	}
	if (rc != 0)
		api_reply_status(call, rc, gr_error_last(), NULL);
	else
		api_reply_value(call, 200, portfolio);
}

/* ---- outcomes ------------------------------------------------------------ */

/* POST /api/outcomes {user, kind, date, note}: a coach of the learner's cohort, or an admin. */
void api_outcome_record(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	static const char *const required[] = { "user", "kind", "date" };
	static const char *const optional[] = { "note" };
	const char *values[3], *note[1], *field = NULL;
	struct gr_json *body;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!gr_account_is_coach(&user)) {
		api_reply_error(call, 403, "coaches_only", "Only coaches and admins record outcomes.",
				NULL);
		return;
	}
	if (!(body = api_read_body(call)))
		return;
	if (api_read_texts(call, body, required, values, 3, 1) == 0 &&
	    api_read_texts(call, body, optional, note, 1, 0) == 0) {
		rc = gr_outcomes_record(api->outcomes, &user, values[0], values[1], values[2], note[0],
					&field);
		if (rc == GR_EFORBIDDEN)
			api_reply_error(call, 403, "not_your_cohort", gr_error_last(), "user");
		else if (rc == GR_ENOTFOUND)
			api_reply_error(call, 404, "user_unknown", gr_error_last(), "user");
		else if (rc != 0)
			api_reply_status(call, rc, gr_error_last(), field);
		else
			api_reply_value(call, 201, gr_json_pack("{s:s, s:s, s:s}", "user", values[0],
								"kind", values[1], "date", values[2]));
	}
	gr_json_free(body);
}

/* GET /api/outcomes: the figures of the cohorts one coaches (an admin: all). */
void api_outcome_figures(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	struct gr_json *figures = NULL;
	struct gr_user user;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!gr_account_is_coach(&user)) {
		api_reply_error(call, 403, "coaches_only", "Only coaches and admins see outcomes.",
				NULL);
		return;
	}
	if ((rc = gr_outcomes_figures(api->outcomes, &figures, &user)) != 0)
		api_reply_status(call, rc, gr_error_last(), NULL);
	else
		api_reply_value(call, 200, figures);
}

/* GET /api/outcomes.csv?cohort=C: with the rights of /api/board.csv. */
void api_outcome_csv(struct gr_api *api, struct gr_http_call *call, const char *arg)
{
	char cohort[256], name[96];
	struct gr_user user;
	size_t len, n = 0;
	char *csv;
	int rc;

	if (api_require_user(api, call, &user) != 0)
		return;
	if (!gr_account_is_coach(&user)) {
		api_reply_error(call, 403, "coaches_only", "Only coaches and admins export outcomes.",
				NULL);
		return;
	}
	if (gr_url_query_value(cohort, sizeof(cohort), call->query ? call->query : "", "cohort") != 0 ||
	    !cohort[0] || strlen(cohort) != strcspn(cohort, "\r\n")) {
		api_reply_error(call, 400, "bad_value", "'cohort' is missing or not valid.", "cohort");
		return;
	}
	if (!gr_rights_may_coach(api->store, &user, cohort)) {
		api_reply_error(call, 403, "not_your_cohort",
				"You may export the outcomes of the cohorts you coach only.", "cohort");
		return;
	}
	if ((rc = gr_export_outcomes_csv(api->store, cohort, &csv, &len)) != 0) {
		api_reply_status(call, rc, gr_error_last(), NULL);
		return;
	}
	/* outcomes-COHORT.csv with only [A-Za-z0-9._-] kept, others as '_'. */
	n = (size_t)snprintf(name, sizeof(name), "outcomes-");
	for (const char *p = cohort; *p && n < 80; p++)
		name[n++] = (strchr("._-", *p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9'))
				    ? *p
				    : '_';
	name[n] = '\0';
	snprintf(call->disposition, sizeof(call->disposition), "attachment; filename=\"%s.csv\"",
		 name);
	gr_api_call_clear(call);
	call->status = 200;
	call->response = csv;
	call->response_len = len;
	call->response_type = "text/csv; charset=utf-8";
	call->reply(call);
}
