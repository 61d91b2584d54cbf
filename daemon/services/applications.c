/*
 * applications.c - applying with one's motivation (see applications.h).
 *
 * Owns the private link of an application (32 random bytes in clear once,
 * in the link, and only their hash stored, like a reset link), the rate
 * limit of applications per address, telling the coaches of the centre
 * and the admins (an "application" event on each one's own stream, not
 * stored), the decisions as one change each, and deleting decided
 * applications once they are old enough. Leaves the life of an
 * application and what an applicant may write to domain/application.c,
 * keeping them to store/application.c, who may see and decide to
 * services/rights.c, and the invite made for an applicant to
 * services/auth.c (made first, in its own change, then linked in the
 * application's: a failure in between leaves an unlinked invite, logged,
 * never a decision without its invite).
 */
#include "services/applications.h"

#include "core/address.h"
#include "core/error.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "domain/application.h"
#include "services/auth.h"
#include "services/live.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/cohort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS ((int64_t)60 * 60 * 1000)
#define DAY_MS (24 * HOUR_MS)

struct gr_applications {
	struct gr_store *store;
	struct gr_auth *auth;
	struct gr_live *live;	  /* NULL: nobody to tell */
	struct gr_turn *turn;	  /* the loop's, or own_turn */
	struct gr_turn *own_turn; /* without a loop: each change commits at once */
	struct gr_ratelimit *by_address;
	struct gr_applications_settings settings;
	gr_clock_fn *clock;
};

static int64_t now(const struct gr_applications *apps)
{
	return apps->clock ? apps->clock() : gr_clock_now_ms();
}

/* per_hour applications an hour: each one is a "failure" forgotten after an hour / per_hour. */
static void limit_policy(struct gr_ratelimit_policy *out, const struct gr_applications_settings *s)
{
	out->free_failures = s->per_hour;
	out->delay_ms = 0;
	out->max_delay_ms = 0;
	out->forget_ms = HOUR_MS / s->per_hour > 0 ? HOUR_MS / s->per_hour : 1;
}

int gr_applications_new(struct gr_applications **out, struct gr_store *store,
			struct gr_auth *auth, const struct gr_applications_settings *settings,
			gr_clock_fn *clock)
{
	struct gr_applications *apps = calloc(1, sizeof(*apps));
	struct gr_ratelimit_policy policy;
	int rc;

	*out = NULL;
	if (!apps) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	apps->store = store;
	apps->auth = auth;
	apps->clock = clock;
	apps->settings = *settings;
	limit_policy(&policy, settings);
	if ((rc = gr_turn_new(&apps->own_turn, store)) != 0 ||
	    (rc = gr_ratelimit_new(&apps->by_address, &policy)) != 0) {
		gr_applications_free(apps);
		return rc;
	}
	apps->turn = apps->own_turn;
	*out = apps;
	return 0;
}

void gr_applications_set_turn(struct gr_applications *apps, struct gr_turn *turn)
{
	apps->turn = turn ? turn : apps->own_turn;
}

void gr_applications_set_live(struct gr_applications *apps, struct gr_live *live)
{
	apps->live = live;
}

int gr_applications_set_settings(struct gr_applications *apps,
				 const struct gr_applications_settings *settings)
{
	struct gr_ratelimit_policy policy;

	limit_policy(&policy, settings);
	apps->settings = *settings;
	return gr_ratelimit_set_policy(apps->by_address, &policy);
}

void gr_applications_free(struct gr_applications *apps)
{
	if (!apps)
		return;
	gr_ratelimit_free(apps->by_address);
	gr_turn_free(apps->own_turn);
	free(apps);
}

typedef int write_fn(struct gr_applications *apps, void *argument);

/* write(apps, argument) as one change of the turn, committed when this returns 0. */
static int change(struct gr_applications *apps, write_fn *write, void *argument)
{
	struct gr_turn_change turn_change;
	int rc;

	if ((rc = gr_turn_begin(apps->turn, &turn_change)) != 0 ||
	    (rc = gr_turn_end(apps->turn, &turn_change, write(apps, argument))) != 0)
		return rc;
	return gr_turn_flush(apps->turn);
}

/* 0 when life keeps its invariants; else a bug: logged, and GR_ERROR. */
static int keeps_invariants(const struct gr_application *life)
{
	if (gr_application_check(life) == 0)
		return 0;
	gr_log_error("refused to store a broken application: %s", gr_error_last());
	gr_error_set("The server refused a change that would break an application.");
	return GR_ERROR;
}

/* ---- telling the coaches ------------------------------------------------- */

struct gr_json *gr_applications_value(const struct gr_store_application *row)
{
	return gr_json_pack("{s:I, s:s, s:s, s:s, s:s*, s:s*, s:s, s:s, s:s, s:I, s:I, s:I,"
			    " s:s*, s:s*}",
			    "id", (long long)row->life.id, "state",
			    gr_application_state_name(row->life.state), "centre", row->centre,
			    "name", row->name, "phone", row->phone[0] ? row->phone : NULL, "email",
			    row->email[0] ? row->email : NULL, "motivation", row->motivation, "when",
			    row->when, "language", row->language, "created_at",
			    (long long)row->life.created_at, "waiting_at",
			    (long long)row->life.waiting_at, "decided_at",
			    (long long)row->life.decided_at, "decided_by",
			    row->decided_by[0] ? row->decided_by : NULL, "message",
			    row->message[0] ? row->message : NULL);
}

struct tell {
	struct gr_applications *apps;
	const struct gr_store_application *row;
};

static int tell_one(int64_t user_id, void *payload)
{
	struct tell *tell = payload;
	char topic[64];

	snprintf(topic, sizeof(topic), "user:%lld", (long long)user_id);
	return gr_live_push(tell->apps->live, topic,
			    gr_json_pack("{s:s, s:s, s:o}", "type", "event", "event", "application",
					 "application", gr_applications_value(tell->row)));
}

static int tell_row(const struct gr_store_application *row, void *payload)
{
	struct tell tell = { payload, row };

	return gr_store_centre_each_watcher(tell.apps->store, row->life.centre_id, tell_one, &tell);
}

/* In a change: tell the coaches of its centre and the admins where application id stands. */
static int tell_watchers(struct gr_applications *apps, int64_t id)
{
	if (!apps->live)
		return 0;
	return gr_store_application_by_id(apps->store, id, tell_row, apps);
}

/* ---- applying ------------------------------------------------------------ */

struct submit {
	struct gr_application life;
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	const struct gr_applications_apply *apply;
};

static int write_submit(struct gr_applications *apps, void *argument)
{
	struct submit *s = argument;
	const char *language = s->apply->language;
	int rc;

	if (!language || (strcmp(language, "en") != 0 && strcmp(language, "nl") != 0))
		language = "";
	if ((rc = keeps_invariants(&s->life)) != 0 ||
	    (rc = gr_store_application_insert(apps->store, &s->life, s->hash, &s->apply->form,
					      language)) != 0)
		return rc;
	return tell_watchers(apps, s->life.id);
}

/* The centre named name into *out (field "centre" at fault otherwise). */
static int centre_of(struct gr_applications *apps, int64_t *out, const char *name)
{
	int rc;

	if (!name || !name[0]) {
		gr_error_set("Choose the centre you want to come to.");
		return GR_EINVALID;
	}
	rc = gr_store_centre_id(apps->store, out, name);
	if (rc == GR_ENOTFOUND) {
		gr_error_set("There is no centre '%.64s': choose one from the list.", name);
		return GR_EINVALID;
	}
	return rc;
}

int gr_applications_submit(struct gr_applications *apps, char out_token[GR_TOKEN_TEXT_SIZE],
			   int64_t *out_id, const char **out_field, int64_t *out_retry_ms,
			   const struct gr_applications_apply *apply)
{
	struct submit s = { .apply = apply };
	int64_t at = now(apps), until, centre = 0;
	char key[GR_ADDRESS_TEXT_SIZE + 16];
	int rc;

	*out_field = NULL;
	*out_retry_ms = 0;
	snprintf(key, sizeof(key), "a:%s", apply->address ? apply->address : "");
	if ((until = gr_ratelimit_blocked_until(apps->by_address, key, at)) > 0) {
		*out_retry_ms = until - at;
		gr_error_set("Many applications came from this address lately. Please try again "
			     "later.");
		return GR_ELIMITED;
	}
	if ((rc = gr_application_check_form(&apply->form, out_field)) != 0)
		return rc;
	if ((rc = centre_of(apps, &centre, apply->centre)) != 0) {
		*out_field = rc == GR_EINVALID ? "centre" : NULL;
		return rc;
	}
	if ((rc = gr_application_submit(&s.life, centre, at)) != 0)
		return rc;
	gr_secret_token(out_token, 32);
	gr_secret_token_hash(s.hash, out_token);
	if ((rc = change(apps, write_submit, &s)) != 0)
		return rc;
	gr_ratelimit_begin(apps->by_address, key, at);
	gr_ratelimit_end(apps->by_address, key, at, 1); /* one more from this address */
	*out_id = s.life.id;
	gr_log_info("application %lld to centre %s", (long long)s.life.id, apply->centre);
	return 0;
}

int gr_applications_by_token(struct gr_applications *apps, const char *token,
			     gr_store_application_fn *fn, void *payload)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	const char *slash = strrchr(token, '/');

	gr_secret_token_hash(hash, slash ? slash + 1 : token);
	return gr_store_application_by_hash(apps->store, hash, fn, payload);
}

/* ---- the coaches' view ----------------------------------------------------- */

struct listing {
	struct gr_applications *apps;
	const struct gr_user *by; /* NULL: the operator */
	gr_store_application_fn *fn;
	void *payload;
	int may; /* the last row's: by may see it */
};

/* Calls fn with row when by may see it. */
static int list_one(const struct gr_store_application *row, void *payload)
{
	struct listing *listing = payload;

	listing->may = !listing->by || gr_rights_may_see_centre(listing->apps->store, listing->by,
								 row->life.centre_id);
	return listing->may && listing->fn ? listing->fn(row, listing->payload) : 0;
}

int gr_applications_list(struct gr_applications *apps, const struct gr_user *by,
			 gr_store_application_fn *fn, void *payload)
{
	struct listing listing = { apps, by, fn, payload, 0 };

	if (by && !gr_account_is_coach(by)) {
		gr_error_set("Only coaches and admins see applications.");
		return GR_EFORBIDDEN;
	}
	return gr_store_application_each(apps->store, 0, list_one, &listing);
}

int gr_applications_get(struct gr_applications *apps, const struct gr_user *by, int64_t id,
			gr_store_application_fn *fn, void *payload)
{
	struct listing listing = { apps, by, fn, payload, 0 };
	int rc;

	if (by && !gr_account_is_coach(by)) {
		gr_error_set("Only coaches and admins see applications.");
		return GR_EFORBIDDEN;
	}
	if ((rc = gr_store_application_by_id(apps->store, id, list_one, &listing)) != 0)
		return rc;
	if (!listing.may) {
		gr_error_set("You may see the applications to your centres only.");
		return GR_EFORBIDDEN;
	}
	return 0;
}

/* ---- decisions ----------------------------------------------------------- */

/* An application as a decision needs it: its life and its centre's name. */
struct decision {
	struct gr_application life;
	char centre[GR_STORE_CENTRE_NAME_SIZE];
	const char *message;	 /* a decline's */
	const char *invite_code; /* an invite's */
};

static int load_one(const struct gr_store_application *row, void *payload)
{
	struct decision *d = payload;

	d->life = row->life;
	snprintf(d->centre, sizeof(d->centre), "%s", row->centre);
	return 0;
}

/* Loads application id into d when by may decide it. */
static int load(struct gr_applications *apps, struct decision *d, const struct gr_user *by,
		int64_t id)
{
	int rc;

	memset(d, 0, sizeof(*d));
	if (!by || !gr_account_is_coach(by)) {
		gr_error_set("Only coaches and admins decide applications.");
		return GR_EFORBIDDEN;
	}
	if ((rc = gr_store_application_by_id(apps->store, id, load_one, d)) != 0)
		return rc;
	if (!gr_rights_may_see_centre(apps->store, by, d->life.centre_id)) {
		gr_error_set("You may decide the applications to your centres only.");
		return GR_EFORBIDDEN;
	}
	return 0;
}

static int write_decision(struct gr_applications *apps, void *argument)
{
	struct decision *d = argument;
	int rc;

	if ((rc = keeps_invariants(&d->life)) != 0 ||
	    (rc = gr_store_application_update(apps->store, &d->life, d->message,
					      d->invite_code)) != 0)
		return rc;
	return tell_watchers(apps, d->life.id);
}

int gr_applications_wait(struct gr_applications *apps, const struct gr_user *by, int64_t id)
{
	struct decision d;
	int rc;

	if ((rc = load(apps, &d, by, id)) != 0 ||
	    (rc = gr_application_wait(&d.life, by->id, now(apps))) != 0)
		return rc;
	return change(apps, write_decision, &d);
}

int gr_applications_decline(struct gr_applications *apps, const struct gr_user *by, int64_t id,
			    const char *message, const char **out_field)
{
	struct decision d;
	int rc;

	*out_field = NULL;
	if ((rc = load(apps, &d, by, id)) != 0)
		return rc;
	if ((rc = gr_application_check_message(message)) != 0) {
		*out_field = "message";
		return rc;
	}
	if ((rc = gr_application_decline(&d.life, by->id, now(apps))) != 0)
		return rc;
	d.message = message;
	return change(apps, write_decision, &d);
}

int gr_applications_invite(struct gr_applications *apps, const struct gr_user *by, int64_t id,
			   const char *cohort, const char **out_field)
{
	char code[GR_TOKEN_TEXT_SIZE], centre[GR_STORE_CENTRE_NAME_SIZE];
	struct gr_invite invite;
	struct gr_application decided;
	struct decision d;
	int rc;

	*out_field = NULL;
	if ((rc = load(apps, &d, by, id)) != 0)
		return rc;
	*out_field = "cohort";
	if (!cohort || !cohort[0]) {
		gr_error_set("Choose the cohort to invite them to.");
		return GR_EINVALID;
	}
	if ((rc = gr_store_cohort_centre(apps->store, centre, cohort)) != 0)
		return rc == GR_ENOTFOUND ? GR_EINVALID : rc;
	if (strcmp(centre, d.centre) != 0) {
		gr_error_set("The cohort %s is in the centre %s; this application is to %s.", cohort,
			     centre, d.centre);
		return GR_EINVALID;
	}
	/* Decided on a copy first: an application decided already makes no invite. */
	decided = d.life;
	if ((rc = gr_application_invite(&decided, by->id, 1, now(apps))) != 0) {
		*out_field = NULL;
		return rc;
	}
	if ((rc = gr_auth_invite_create(apps->auth, code, &invite, by, GR_ROLE_LEARNER, cohort, 0))) {
		*out_field = rc == GR_EFORBIDDEN ? NULL : "cohort";
		return rc;
	}
	*out_field = NULL;
	if ((rc = gr_application_invite(&d.life, by->id, invite.id, now(apps))) != 0)
		return rc;
	d.invite_code = code;
	if ((rc = change(apps, write_decision, &d)) != 0)
		gr_log_error("invite %lld was made for application %lld, which could not be "
			     "linked to it: %s",
			     (long long)invite.id, (long long)id, gr_error_last());
	gr_secret_wipe(code, sizeof(code));
	return rc;
}

/* ---- keeping no longer than needed --------------------------------------- */

struct purge {
	int64_t before;
	int count;
};

static int write_purge(struct gr_applications *apps, void *argument)
{
	struct purge *p = argument;

	return gr_store_application_purge(apps->store, p->before, &p->count);
}

int gr_applications_purge(struct gr_applications *apps, int *out_count)
{
	struct purge p = { now(apps) - (int64_t)apps->settings.keep_days * DAY_MS, 0 };
	int rc = change(apps, write_purge, &p);

	*out_count = p.count;
	if (rc == 0 && p.count > 0)
		gr_log_info("deleted %d applications decided %d days ago or more", p.count,
			    apps->settings.keep_days);
	return rc;
}

int gr_applications_centres(struct gr_applications *apps, gr_store_centre_fn *fn, void *payload)
{
	return gr_store_centre_each_place(apps->store, fn, payload);
}
