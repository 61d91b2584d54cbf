/*
 * application.c - the life of an application (see application.h).
 *
 * Owns: the states, which coach's move leads where, when a decided
 * application is old enough to be deleted, and what an applicant may write
 * (sizes, a way to reach them). Leaves the private link and who may decide
 * to services/applications.c, the invite made for the applicant to
 * services/auth.c, and keeping applications to store/application.c.
 *
 *     gr_application_submit()  +-----+  gr_application_wait()  +---------+
 *     -----------------------> | new | ----------------------> | waiting |
 *     (someone, no account)    +-----+                         +---------+
 *                               |   |                            |     |
 *        gr_application_invite()|   |gr_application_decline()    |     |
 *                               v   v                            |     |
 *                      +---------+ +----------+  <---------------+     |
 *                      | invited | | declined |   decline              |
 *                      +---------+ +----------+                        |
 *                           ^----------------------------------------- +
 *                                                invite
 *
 *   invited and declined are final; gr_application_expired() says when
 *   one is to be deleted (the setting application_days after the decision).
 *
 * Transition table; every move not listed is refused (GR_ECONFLICT) and
 * changes nothing:
 *
 *   from     event                               to        function
 *   -------  ----------------------------------  --------  ------------------------
 *   (none)   someone applies                     new       gr_application_submit()
 *   new      a coach puts them on the list       waiting   gr_application_wait()
 *   new      a coach invites them                invited   gr_application_invite()
 *   waiting  a coach invites them                invited   gr_application_invite()
 *   new      a coach declines, with a message    declined  gr_application_decline()
 *   waiting  a coach declines, with a message    declined  gr_application_decline()
 *
 * Invariants of one application, checked by gr_application_check() in
 * every build type (it returns the number of the first broken one):
 *   1. In range: centre_id > 0, created_at > 0, a known state, ids >= 0.
 *   2. Undecided (new, waiting): decided_at == 0, decided_by == 0, invite_id == 0.
 *   3. On the list only from waiting on: new has waiting_at == 0; waiting has
 *      waiting_at >= created_at; a decided one has waiting_at 0 or in
 *      [created_at, decided_at].
 *   4. Decided (invited, declined) no earlier than it was sent:
 *      decided_at >= created_at.
 *   5. Invited has its invite (invite_id > 0); declined has none.
 */
#include "domain/application.h"

#include "core/account.h"
#include "core/error.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

static const char *const state_names[GR_APPLICATION_STATE_COUNT] = {
	[GR_APPLICATION_NEW] = "new",
	[GR_APPLICATION_WAITING] = "waiting",
	[GR_APPLICATION_INVITED] = "invited",
	[GR_APPLICATION_DECLINED] = "declined",
};

const char *gr_application_state_name(enum gr_application_state state)
{
	return (unsigned)state < GR_APPLICATION_STATE_COUNT ? state_names[state] : "unknown";
}

int gr_application_state_from_name(enum gr_application_state *out, const char *name)
{
	for (int i = 0; i < GR_APPLICATION_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum gr_application_state)i;
			return 0;
		}
	}
	gr_error_set("An application is new, waiting, invited or declined, not '%.20s'.", name);
	return GR_EINVALID;
}

/* ---- what an applicant writes ------------------------------------------ */

static int empty(const char *text)
{
	return !text || !text[0];
}

/*
 * 0 when text is valid UTF-8 of min to max characters, with no control
 * character but, when lines, line breaks and tabs.
 */
static int fits(const char *text, long min, long max, int lines)
{
	long count = gr_account_utf8_length(text);

	if (count < min || count > max)
		return -1;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f)
			return -1;
	return 0;
}

/* Digits, spaces and + - ( ) . only, with at least six digits. */
static int phone_number(const char *text)
{
	int digits = 0;

	if (fits(text, 1, GR_APPLICATION_PHONE_MAX, 0) != 0)
		return -1;
	for (const char *p = text; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" +-().", *p))
			return -1;
	}
	return digits >= 6 ? 0 : -1;
}

/* One @ between a part without spaces and a domain with a dot. */
static int email_address(const char *text)
{
	const char *at = strchr(text, '@');

	if (fits(text, 3, GR_APPLICATION_EMAIL_MAX, 0) != 0 || !at || at == text ||
	    strchr(at + 1, '@') || strchr(text, ' ') || !strchr(at + 1, '.') ||
	    at[1] == '.' || text[strlen(text) - 1] == '.')
		return -1;
	return 0;
}

/* Fails with field and message; returns GR_EINVALID. */
static int bad(const char **out_field, const char *field, const char *message)
{
	*out_field = field;
	gr_error_set("%s", message);
	return GR_EINVALID;
}

int gr_application_check_form(const struct gr_application_form *form, const char **out_field)
{
	*out_field = NULL;
	if (empty(form->name) || fits(form->name, 1, GR_APPLICATION_NAME_MAX, 0) != 0)
		return bad(out_field, "name", "Your name is 1 to 100 characters.");
	if (empty(form->phone) && empty(form->email))
		return bad(out_field, "contact",
			   "Give a phone number or an e-mail address, so a coach can reach you.");
	if (!empty(form->phone) && phone_number(form->phone) != 0)
		return bad(out_field, "phone", "A phone number has 6 to 30 digits, spaces and + - ( ).");
	if (!empty(form->email) && email_address(form->email) != 0)
		return bad(out_field, "email",
			   "An e-mail address looks like name@example.org (at most 200 characters).");
	if (empty(form->motivation) ||
	    fits(form->motivation, GR_APPLICATION_MOTIVATION_MIN, GR_APPLICATION_MOTIVATION_MAX, 1))
		return bad(out_field, "motivation",
			   "Tell us why you want to learn here in 20 to 4000 characters.");
	if (empty(form->when) || fits(form->when, 1, GR_APPLICATION_WHEN_MAX, 1) != 0)
		return bad(out_field, "when", "Say when you can come, in 1 to 500 characters.");
	return 0;
}

int gr_application_check_message(const char *message)
{
	if (empty(message) || fits(message, 1, GR_APPLICATION_MESSAGE_MAX, 1) != 0) {
		gr_error_set("A message to the applicant is 1 to 1000 characters.");
		return GR_EINVALID;
	}
	return 0;
}

/* ---- the moves ----------------------------------------------------------- */

int gr_application_submit(struct gr_application *out, int64_t centre_id, int64_t now)
{
	assert(out);
	if (centre_id <= 0 || now <= 0) {
		gr_error_set("application: centre %" PRId64 " or time %" PRId64 " out of range",
			     centre_id, now);
		return GR_EINVALID;
	}
	memset(out, 0, sizeof(*out));
	out->centre_id = centre_id;
	out->state = GR_APPLICATION_NEW;
	out->created_at = now;
	return 0;
}

/* 0 when application is new (or, with waiting_too, waiting); else GR_ECONFLICT. */
static int undecided(const struct gr_application *application, int waiting_too)
{
	if (application->state == GR_APPLICATION_NEW ||
	    (waiting_too && application->state == GR_APPLICATION_WAITING))
		return 0;
	gr_error_set("This application is %s already.",
		     application->state == GR_APPLICATION_WAITING
			     ? "on the waiting list"
			     : gr_application_state_name(application->state));
	return GR_ECONFLICT;
}

int gr_application_wait(struct gr_application *application, int64_t coach, int64_t now)
{
	int rc = undecided(application, 0);

	if (rc)
		return rc;
	(void)coach; /* the list is not a decision: who decides is kept at the decision */
	application->state = GR_APPLICATION_WAITING;
	application->waiting_at = now > application->created_at ? now : application->created_at;
	return 0;
}

/* new or waiting -> to, by coach at now. */
static int decide(struct gr_application *application, enum gr_application_state to,
		  int64_t coach, int64_t now)
{
	int64_t earliest = application->waiting_at ? application->waiting_at
						   : application->created_at;
	int rc = undecided(application, 1);

	if (rc)
		return rc;
	if (coach <= 0) {
		gr_error_set("application: a decision needs its coach");
		return GR_EINVALID;
	}
	application->state = to;
	application->decided_by = coach;
	application->decided_at = now > earliest ? now : earliest;
	return 0;
}

int gr_application_invite(struct gr_application *application, int64_t coach, int64_t invite_id,
			  int64_t now)
{
	int rc;

	if (invite_id <= 0) {
		gr_error_set("application: an invite %" PRId64 " out of range", invite_id);
		return GR_EINVALID;
	}
	if ((rc = decide(application, GR_APPLICATION_INVITED, coach, now)) == 0)
		application->invite_id = invite_id;
	return rc;
}

int gr_application_decline(struct gr_application *application, int64_t coach, int64_t now)
{
	return decide(application, GR_APPLICATION_DECLINED, coach, now);
}

int gr_application_expired(const struct gr_application *application, int64_t kept_ms,
			   int64_t now)
{
	return application->decided_at > 0 && now - application->decided_at >= kept_ms;
}

/* ---- the invariants ------------------------------------------------------ */

int gr_application_check(const struct gr_application *a)
{
	int decided = a->state == GR_APPLICATION_INVITED || a->state == GR_APPLICATION_DECLINED;

	if (a->centre_id <= 0 || a->created_at <= 0 ||
	    (unsigned)a->state >= GR_APPLICATION_STATE_COUNT || a->waiting_at < 0 ||
	    a->decided_at < 0 || a->decided_by < 0 || a->invite_id < 0) {
		gr_error_set("application invariant 1: %" PRId64 " out of range", a->id);
		return 1;
	}
	if (!decided && (a->decided_at || a->decided_by || a->invite_id)) {
		gr_error_set("application invariant 2: %" PRId64 " is undecided but has a decision",
			     a->id);
		return 2;
	}
	if ((a->state == GR_APPLICATION_NEW && a->waiting_at) ||
	    (a->state == GR_APPLICATION_WAITING && a->waiting_at < a->created_at) ||
	    (decided && a->waiting_at &&
	     (a->waiting_at < a->created_at || a->waiting_at > a->decided_at))) {
		gr_error_set("application invariant 3: %" PRId64 " on the list at %" PRId64, a->id,
			     a->waiting_at);
		return 3;
	}
	if (decided && a->decided_at < a->created_at) {
		gr_error_set("application invariant 4: %" PRId64 " decided before it was sent", a->id);
		return 4;
	}
	if ((a->state == GR_APPLICATION_INVITED) != (a->invite_id > 0)) {
		gr_error_set("application invariant 5: %" PRId64 " is %s with invite %" PRId64, a->id,
			     gr_application_state_name(a->state), a->invite_id);
		return 5;
	}
	return 0;
}
