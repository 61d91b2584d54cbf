/*
 * errors.c - the table of the errors the server sends (see errors.h).
 *
 * One row per code, then one per reason with the code it is sent under and
 * the parameters its sentence needs (fields of the error next to "code" and
 * "message"; space-separated). Add a row before sending a new one:
 * gr_protocol_fail() and the HTTP API assert that a name is here, and
 * tests/e2e/i18n.test.mjs fails when a row lacks its English or Dutch
 * wording or its line in the docs. The rows are read by that test as text:
 * keep each on one line, in this shape.
 */
#include "protocol/errors.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *name;
	const char *code; /* NULL: the name is a code */
	const char *parameters;
} errors[] = {
	/* codes */
	{ "bad_json", NULL, "" },
	{ "bad_value", NULL, "field" },
	{ "missing_field", NULL, "field" },
	{ "unknown_type", NULL, "" },
	{ "hello_first", NULL, "" },
	{ "rate_limited", NULL, "retry_after" },
	{ "too_large", NULL, "field limit" },
	{ "busy", NULL, "retry_after" },
	{ "not_found", NULL, "" },
	{ "forbidden", NULL, "" },
	{ "conflict", NULL, "state" },
	{ "internal", NULL, "" },
	{ "unauthenticated", NULL, "" },
	{ "bad_credentials", NULL, "" },
	{ "invite_invalid", NULL, "field" },
	{ "method_not_allowed", NULL, "" },
	{ "unsupported_media_type", NULL, "" },
	{ "reset_unknown", NULL, "field" },
	{ "reset_used", NULL, "field" },
	{ "reset_replaced", NULL, "field" },
	{ "reset_expired", NULL, "field" },
	/* reasons: what is missing */
	{ "page_missing", "not_found", "" },
	{ "track_missing", "not_found", "" },
	{ "step_missing", "not_found", "" },
	{ "file_missing", "not_found", "" },
	{ "review_missing", "not_found", "" },
	{ "submission_missing", "not_found", "" },
	{ "no_submission", "not_found", "" },
	{ "nothing_to_review", "not_found", "" },
	{ "user_unknown", "not_found", "" },
	{ "not_subscribed", "not_found", "" },
	{ "portfolio_not_shared", "not_found", "" },
	{ "project_missing", "not_found", "" },
	/* reasons: who may */
	{ "coaches_only", "forbidden", "" },
	{ "learners_only", "forbidden", "" },
	{ "not_your_cohort", "forbidden", "" },
	{ "review_not_yours", "forbidden", "" },
	{ "review_gone", "forbidden", "state" },
	{ "review_author_only", "forbidden", "" },
	{ "help_not_yours", "forbidden", "" },
	{ "nudge_not_yours", "forbidden", "" },
	{ "other_site", "forbidden", "" },
	{ "address_not_allowed", "forbidden", "" },
	{ "not_your_project", "forbidden", "" },
	/* reasons: too many tries */
	{ "signin_account", "rate_limited", "retry_after" },
	{ "signin_address", "rate_limited", "retry_after" },
	/* reasons: not now */
	{ "step_locked", "conflict", "state requires" },
	{ "step_state", "conflict", "state" },
	{ "review_done", "conflict", "" },
	{ "review_declined", "conflict", "" },
	{ "review_expired", "conflict", "" },
	{ "help_step_not_open", "conflict", "state" },
	{ "help_step_finished", "conflict", "state" },
	{ "help_open_already", "conflict", "request" },
	{ "help_not_accepted", "conflict", "" },
	{ "handle_taken", "conflict", "field" },
	{ "work_not_passed", "conflict", "field" },
	{ "team_required", "conflict", "" },
	{ "team_full", "conflict", "" },
	{ "already_in_team", "conflict", "" },
	{ "project_closed", "conflict", "" },
	{ "project_state", "conflict", "" },
	{ "team_handed_in", "conflict", "" },
	/* reasons: what was sent */
	{ "link_invalid", "bad_value", "field" },
	{ "work_empty", "bad_value", "field" },
	{ "comment_needed", "bad_value", "field" },
	{ "note_needed", "bad_value", "field" },
	{ "flag_reason_needed", "bad_value", "field" },
	{ "checklist_changed", "bad_value", "field" },
	{ "learner_unknown", "bad_value", "field user" },
	{ "reviewer_not_eligible", "bad_value", "field user" },
	{ "invite_days", "bad_value", "field" },
	{ "not_a_reflection", "bad_value", "field" },
	{ "too_many_topics", "too_large", "limit" },
	{ "reply_too_large", "too_large", "" },
	/* reasons: invites */
	{ "invite_unknown", "invite_invalid", "field" },
	{ "invite_used", "invite_invalid", "field" },
	{ "invite_expired", "invite_invalid", "field" },
};

static int find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(errors) / sizeof(errors[0]); i++) {
		if (strcmp(errors[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

const char *gr_errors_code(const char *name)
{
	int i = find(name);

	if (i < 0)
		return NULL;
	return errors[i].code ? errors[i].code : errors[i].name;
}

int gr_errors_is_reason(const char *name)
{
	int i = find(name);

	return i >= 0 && errors[i].code != NULL;
}
