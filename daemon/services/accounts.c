/*
 * accounts.c - accounts that recover (see accounts.h).
 *
 * Owns a user's own profile (name, language), the list of their sessions
 * and ending the others, reset links from their making to their use, the
 * centres and cohorts as records, which centres a coach belongs to, and
 * the admin's search of users. Leaves the life of
 * a reset link to domain/reset.c, its storing to store/reset.c, who may
 * coach whom to services/rights.c, and signing in, invites and the
 * operator's changes to roles and cohorts to services/auth.c, whose
 * listener it tells when sessions end.
 *
 * A reset link is made like an invite: 32 random bytes in clear once, in
 * the link, and only their hash stored. Using one hashes the new password
 * on the workers; the link is then spent with a "used_at IS NULL" update
 * in the same change that sets the password and ends every session, after
 * gr_reset_use() said it is still usable at that moment, so a link is used
 * once and never after its 24 hours. What is stored is checked first
 * (gr_reset_check()): a broken invariant is a bug, logged and refused.
 */
#include "services/accounts.h"

#include "core/error.h"
#include "core/log.h"
#include "core/workers.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/reset.h"
#include "store/session.h"
#include "store/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gr_accounts {
	struct gr_store *store;
	struct gr_auth *auth;
	struct gr_turn *turn;	  /* the loop's, or own_turn */
	struct gr_turn *own_turn; /* without a loop: each change commits at once */
	struct gr_workers *workers;
	gr_clock_fn *clock;
};

static int64_t now(const struct gr_accounts *accounts)
{
	return accounts->clock ? accounts->clock() : gr_clock_now_ms();
}

int gr_accounts_new(struct gr_accounts **out, struct gr_store *store, struct gr_auth *auth,
		    struct gr_workers *workers, gr_clock_fn *clock)
{
	struct gr_accounts *accounts = calloc(1, sizeof(*accounts));
	int rc;

	*out = NULL;
	if (!accounts) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	accounts->store = store;
	accounts->auth = auth;
	accounts->workers = workers;
	accounts->clock = clock;
	if ((rc = gr_turn_new(&accounts->own_turn, store)) != 0) {
		free(accounts);
		return rc;
	}
	accounts->turn = accounts->own_turn;
	*out = accounts;
	return 0;
}

void gr_accounts_set_turn(struct gr_accounts *accounts, struct gr_turn *turn)
{
	accounts->turn = turn ? turn : accounts->own_turn;
}

void gr_accounts_free(struct gr_accounts *accounts)
{
	if (!accounts)
		return;
	gr_turn_free(accounts->own_turn);
	free(accounts);
}

typedef int write_fn(struct gr_accounts *accounts, void *argument);

/* write(accounts, argument) as one change of the turn, committed when this returns 0. */
static int change(struct gr_accounts *accounts, write_fn *write, void *argument)
{
	struct gr_turn_change turn_change;
	int rc;

	if ((rc = gr_turn_begin(accounts->turn, &turn_change)) != 0 ||
	    (rc = gr_turn_end(accounts->turn, &turn_change, write(accounts, argument))) != 0)
		return rc;
	return gr_turn_flush(accounts->turn);
}

/* Tell auth's listener that sessions of user_id ended: all, or all but keep. */
static void sessions_ended(struct gr_accounts *accounts, int64_t user_id,
			   const unsigned char *keep)
{
	struct gr_auth_change ended = { user_id, NULL, keep, 0, 0 };

	gr_auth_tell_changed(accounts->auth, &ended);
}

static int user_by_handle(struct gr_accounts *accounts, struct gr_user *out, const char *handle)
{
	int rc = gr_store_user_by_handle(accounts->store, out, handle);

	if (rc == GR_ENOTFOUND)
		gr_error_set("There is no user '%.40s'.", handle);
	return rc;
}

/* ---- one's own profile and sessions ----------------------------------- */

struct profile {
	struct gr_user *user;
	const char *display_name;
	const char *language;
};

static int write_profile(struct gr_accounts *accounts, void *argument)
{
	struct profile *p = argument;
	int rc = 0;

	if (p->display_name)
		rc = gr_store_user_set_display_name(accounts->store, p->user->id, p->display_name);
	if (rc == 0 && p->language)
		rc = gr_store_user_set_language(accounts->store, p->user->id, p->language);
	return rc;
}

int gr_accounts_set_profile(struct gr_accounts *accounts, struct gr_user *user,
			    const char **out_field, const char *display_name, const char *language)
{
	struct profile p = { user, display_name, language };
	int rc;

	*out_field = NULL;
	if (display_name && (rc = gr_account_check_display_name(display_name)) != 0) {
		*out_field = "display_name";
		return rc;
	}
	if (language && language[0] && (rc = gr_account_check_language(language)) != 0) {
		*out_field = "language";
		return rc;
	}
	if ((rc = change(accounts, write_profile, &p)) != 0)
		return rc;
	if (display_name)
		snprintf(user->display_name, sizeof(user->display_name), "%s", display_name);
	if (language)
		snprintf(user->language, sizeof(user->language), "%s", language);
	return 0;
}

struct seen {
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	const char *agent;
	int64_t at;
};

static int write_seen(struct gr_accounts *accounts, void *argument)
{
	struct seen *seen = argument;

	return gr_store_session_seen(accounts->store, seen->hash, seen->at, seen->agent,
				     seen->at - GR_ACCOUNTS_SEEN_EVERY_MS);
}

void gr_accounts_session_seen(struct gr_accounts *accounts, const char *token, const char *agent)
{
	char name[64];
	struct seen seen;

	if (!token || !token[0])
		return;
	gr_secret_token_hash(seen.hash, token);
	seen.at = now(accounts);
	seen.agent = NULL;
	if (agent && agent[0]) {
		gr_accounts_agent_name(name, sizeof(name), agent);
		seen.agent = name;
	}
	if (change(accounts, write_seen, &seen) != 0)
		gr_log_warn("could not note a session as seen: %s", gr_error_last());
}

struct listing {
	unsigned char current[GR_TOKEN_HASH_SIZE];
	gr_accounts_session_fn *fn;
	void *payload;
};

static int list_session(const struct gr_store_session_info *row, void *payload)
{
	struct listing *listing = payload;
	struct gr_accounts_session session;

	for (int i = 0; i < 8; i++)
		snprintf(session.id + 2 * i, 3, "%02x", row->token_hash[i]);
	session.current = memcmp(row->token_hash, listing->current, GR_TOKEN_HASH_SIZE) == 0;
	session.created_at = row->created_at;
	session.seen_at = row->seen_at;
	session.expires_at = row->expires_at;
	session.agent = row->agent;
	return listing->fn(&session, listing->payload);
}

int gr_accounts_sessions(struct gr_accounts *accounts, const struct gr_user *user,
			 const char *token, gr_accounts_session_fn *fn, void *payload)
{
	struct listing listing = { { 0 }, fn, payload };

	gr_secret_token_hash(listing.current, token ? token : "");
	return gr_store_session_each_of_user(accounts->store, user->id, now(accounts), list_session,
					     &listing);
}

static int count_session(const struct gr_store_session_info *row, void *payload)
{
	++*(int *)payload;
	return 0;
}

struct ending {
	int64_t user_id;
	unsigned char keep[GR_TOKEN_HASH_SIZE];
};

static int write_end_others(struct gr_accounts *accounts, void *argument)
{
	struct ending *ending = argument;

	return gr_store_session_end_user(accounts->store, ending->user_id, ending->keep);
}

int gr_accounts_end_other_sessions(struct gr_accounts *accounts, int *out_ended,
				   const struct gr_user *user, const char *token)
{
	struct ending ending = { user->id, { 0 } };
	int before = 0;
	int rc;

	*out_ended = 0;
	gr_secret_token_hash(ending.keep, token ? token : "");
	if ((rc = gr_store_session_each_of_user(accounts->store, user->id, now(accounts),
						count_session, &before)) != 0 ||
	    (rc = change(accounts, write_end_others, &ending)) != 0)
		return rc;
	*out_ended = before > 0 ? before - 1 : 0;
	gr_log_info("%s signed out everywhere else (%d sessions)", user->handle, *out_ended);
	sessions_ended(accounts, user->id, ending.keep);
	return 0;
}

/* The first of names found in text, or NULL. */
static const char *first_of(const char *text, const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strstr(text, names[i]))
			return names[i];
	return NULL;
}

void gr_accounts_agent_name(char *out, size_t size, const char *user_agent)
{
	/* Order matters: Edge and Opera say Chrome too, Chrome says Safari. */
	static const char *const browsers[] = { "Edg/", "OPR/", "Firefox/", "Chromium/",
						"Chrome/", "Safari/" };
	static const char *const names[] = { "Edge", "Opera", "Firefox", "Chromium", "Chrome",
					     "Safari" };
	static const char *const systems[] = { "Android", "iPhone", "iPad", "Windows",
					       "Mac OS X", "CrOS", "Linux" };
	static const char *const system_names[] = { "Android", "iPhone", "iPad", "Windows",
						    "macOS", "ChromeOS", "Linux" };
	const char *browser = first_of(user_agent, browsers, 6);
	const char *system = first_of(user_agent, systems, 7);
	const char *browser_name = NULL, *system_name = NULL;

	for (size_t i = 0; browser && i < 6; i++)
		if (browser == browsers[i])
			browser_name = names[i];
	for (size_t i = 0; system && i < 7; i++)
		if (system == systems[i])
			system_name = system_names[i];
	if (browser_name && system_name)
		snprintf(out, size, "%s on %s", browser_name, system_name);
	else if (browser_name || system_name)
		snprintf(out, size, "%s", browser_name ? browser_name : system_name);
	else
		snprintf(out, size, "%.40s", user_agent);
}

/* ---- reset links ------------------------------------------------------- */

/*
 * 0 when maker (NULL: the operator) may make a reset link for user: an
 * admin for anyone, a coach for a learner of a cohort they coach.
 */
static int may_reset(struct gr_accounts *accounts, const struct gr_user *maker,
		     const struct gr_user *user)
{
	if (!maker || (maker->role == GR_ROLE_ADMIN && !maker->disabled_at))
		return 0;
	if (maker->role != GR_ROLE_COACH) {
		gr_error_set("Only coaches and admins make reset links.");
		return GR_EFORBIDDEN;
	}
	if (user->role != GR_ROLE_LEARNER || !gr_rights_may_coach(accounts->store, maker,
								   user->cohort)) {
		gr_error_set("You may make reset links for the learners of the cohorts you coach "
			     "only.");
		return GR_EFORBIDDEN;
	}
	return 0;
}

struct reset_order {
	char *token;
	struct gr_reset *reset;
};

static int write_reset(struct gr_accounts *accounts, void *argument)
{
	struct reset_order *order = argument;
	unsigned char hash[GR_TOKEN_HASH_SIZE];

	if (gr_reset_check(order->reset) != 0) {
		gr_log_error("reset link not stored: %s", gr_error_last());
		return GR_ERROR;
	}
	gr_secret_token(order->token, 32);
	gr_secret_token_hash(hash, order->token);
	return gr_store_reset_insert(accounts->store, order->reset, hash);
}

int gr_accounts_reset_create(struct gr_accounts *accounts, char out_token[GR_TOKEN_TEXT_SIZE],
			     struct gr_reset *out, struct gr_user *out_user,
			     const struct gr_user *maker, const char *handle)
{
	struct reset_order order = { out_token, out };
	int rc;

	if ((rc = user_by_handle(accounts, out_user, handle)) != 0 ||
	    (rc = may_reset(accounts, maker, out_user)) != 0 ||
	    (rc = gr_reset_issue(out, out_user->id, maker ? maker->id : 0, now(accounts))) != 0 ||
	    (rc = change(accounts, write_reset, &order)) != 0)
		return rc;
	gr_log_info("%s made a password reset link for %s", maker ? maker->handle : "the operator",
		    out_user->handle);
	return 0;
}

int gr_accounts_reset_check(struct gr_accounts *accounts, struct gr_user *out,
			    struct gr_reset *out_reset, const char *token)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	int rc;

	gr_secret_token_hash(hash, token ? token : "");
	rc = gr_store_reset_by_hash(accounts->store, out_reset, hash);
	if (rc == GR_ENOTFOUND)
		gr_error_set("This is not a reset link grounds made. Check that it was copied whole.");
	if (rc || (rc = gr_reset_usable(out_reset, now(accounts))) != 0 ||
	    (rc = gr_store_user_by_id(accounts->store, out, out_reset->user_id)) != 0)
		return rc;
	if (out->disabled_at) {
		gr_error_set("This account is disabled; an admin can enable it again.");
		return GR_EFORBIDDEN;
	}
	return 0;
}

/* One use of a reset link in flight. The password copy is wiped when done. */
struct reset_use {
	struct gr_accounts *accounts;
	gr_auth_done_fn *done;
	void *payload;
	struct gr_auth_result result;
	struct gr_reset reset;
	char password[GR_PASSWORD_MAX + 1];
	char hash[GR_PASSWORD_HASH_SIZE];
	int hashed;
};

static void reset_use_free(struct reset_use *use)
{
	gr_secret_wipe(use->password, sizeof(use->password));
	gr_secret_wipe(use->hash, sizeof(use->hash));
	free(use);
}

static void set_result(struct gr_auth_result *result, int status, const char *field,
		       const char *message)
{
	result->status = status;
	result->field = field;
	snprintf(result->message, sizeof(result->message), "%s", message);
}

static void hash_work(void *payload)
{
	struct reset_use *use = payload;

	use->hashed = gr_secret_password_hash(use->hash, use->password) == 0;
}

/* The link spent, the new password stored, every session ended (a write). */
static int write_reset_use(struct gr_accounts *accounts, void *argument)
{
	struct reset_use *use = argument;
	int64_t at = now(accounts);
	int rc;

	if ((rc = gr_reset_use(&use->reset, at)) != 0)
		return rc;
	if (gr_reset_check(&use->reset) != 0) {
		gr_log_error("reset link not used: %s", gr_error_last());
		return GR_ERROR;
	}
	if ((rc = gr_store_reset_use(accounts->store, use->reset.id, at)) != 0 ||
	    (rc = gr_store_user_set_password(accounts->store, use->reset.user_id, use->hash)) != 0)
		return rc;
	return gr_store_session_end_user(accounts->store, use->reset.user_id, NULL);
}

static void reset_use_done(void *payload)
{
	struct reset_use *use = payload;
	struct gr_accounts *accounts = use->accounts;
	int rc;

	if (!use->hashed) {
		set_result(&use->result, GR_ERROR, NULL, "The server ran out of memory.");
	} else if ((rc = change(accounts, write_reset_use, use)) != 0) {
		set_result(&use->result, rc, rc == GR_ERROR || rc == GR_EBUSY ? NULL : "token",
			   rc == GR_ERROR || rc == GR_EBUSY ? "Could not save the new password."
							    : gr_error_last());
	} else {
		gr_log_info("%s set a new password with a reset link; their sessions ended",
			    use->result.user.handle);
		sessions_ended(accounts, use->reset.user_id, NULL);
	}
	gr_secret_wipe(use->result.user.password_hash, sizeof(use->result.user.password_hash));
	use->done(&use->result, use->payload);
	reset_use_free(use);
}

void gr_accounts_reset_use(struct gr_accounts *accounts, const char *token, const char *password,
			   gr_auth_done_fn *done, void *payload)
{
	struct reset_use *use = calloc(1, sizeof(*use));
	struct gr_auth_result failed;
	int rc;

	memset(&failed, 0, sizeof(failed));
	if (!use) {
		set_result(&failed, GR_ERROR, NULL, "The server ran out of memory.");
	} else if ((rc = gr_accounts_reset_check(accounts, &use->result.user, &use->reset,
						 token)) != 0) {
		set_result(&failed, rc, "token", gr_error_last());
	} else if ((rc = gr_account_check_password(password)) != 0) {
		set_result(&failed, rc, "password", gr_error_last());
	} else {
		use->accounts = accounts;
		use->done = done;
		use->payload = payload;
		snprintf(use->password, sizeof(use->password), "%s", password);
		if ((rc = gr_workers_submit(accounts->workers, hash_work, reset_use_done, use)) == 0)
			return;
		set_result(&failed, rc, NULL, "The server ran out of memory.");
	}
	if (use)
		reset_use_free(use);
	done(&failed, payload);
}

/* ---- centres ----------------------------------------------------------- */

/* By the operator's tool (NULL) or an active admin; else GR_EFORBIDDEN with message. */
static int by_admin(const struct gr_user *by, const char *message)
{
	if (by && (by->role != GR_ROLE_ADMIN || by->disabled_at)) {
		gr_error_set("%s", message);
		return GR_EFORBIDDEN;
	}
	return 0;
}

struct centre_add {
	int64_t id;
	const char *name, *borough, *address;
};

static int write_centre_add(struct gr_accounts *accounts, void *argument)
{
	struct centre_add *add = argument;

	return gr_store_centre_add(accounts->store, &add->id, add->name, add->borough, add->address,
				   now(accounts));
}

int gr_accounts_centre_add(struct gr_accounts *accounts, const struct gr_user *by,
			   const char **out_field, const char *name, const char *borough,
			   const char *address)
{
	struct centre_add add = { 0, name, borough ? borough : "", address ? address : "" };
	int rc;

	*out_field = NULL;
	if ((rc = by_admin(by, "Only admins add centres.")) != 0)
		return rc;
	if ((rc = gr_account_check_centre(name)) != 0)
		*out_field = "name";
	else if ((rc = gr_account_check_place(add.borough, GR_CENTRE_BOROUGH_MAX, "A borough")) != 0)
		*out_field = "borough";
	else if ((rc = gr_account_check_place(add.address, GR_CENTRE_ADDRESS_MAX, "An address")) != 0)
		*out_field = "address";
	else if ((rc = change(accounts, write_centre_add, &add)) != 0)
		*out_field = rc == GR_EEXISTS ? "name" : NULL;
	if (rc)
		return rc;
	gr_log_info("%s added the centre %s", by ? by->handle : "the operator", name);
	return 0;
}

int gr_accounts_centre_find(struct gr_accounts *accounts, int64_t *out, const char *name)
{
	int64_t count = 0;
	int rc;

	if (name && name[0]) {
		rc = gr_store_centre_id(accounts->store, out, name);
		return rc == GR_ENOTFOUND ? GR_EINVALID : rc; /* the message names it */
	}
	if ((rc = gr_store_centre_count(accounts->store, &count, out)) != 0)
		return rc;
	if (count != 1) {
		gr_error_set("%s", count ? "There are several centres: name the centre."
					 : "There is no centre yet: add one first.");
		return GR_EINVALID;
	}
	return 0;
}

int gr_accounts_centres(struct gr_accounts *accounts, const struct gr_user *by,
			gr_store_centre_fn *fn, void *payload)
{
	const int64_t day = (int64_t)24 * 60 * 60 * 1000, at = now(accounts);
	int rc = by_admin(by, "Only admins see the centres' figures.");

	return rc ? rc : gr_store_centre_each(accounts->store, at - 7 * day, at - 30 * day, fn, payload);
}

struct coach_centres {
	const struct gr_user *user;
	const int64_t *ids;
	size_t count;
};

static int write_coach_centres(struct gr_accounts *accounts, void *argument)
{
	struct coach_centres *c = argument;

	return gr_store_centre_set_coach(accounts->store, c->user->id, c->ids, c->count);
}

int gr_accounts_coach_centres(struct gr_accounts *accounts, struct gr_user *out,
			      const struct gr_user *by, const char *handle,
			      const char *const *centres, size_t count)
{
	struct coach_centres c = { out, NULL, count };
	int64_t *ids = NULL;
	int rc;

	if ((rc = by_admin(by, "Only admins change a coach's centres.")) != 0 ||
	    (rc = user_by_handle(accounts, out, handle)) != 0)
		return rc;
	if (out->role != GR_ROLE_COACH || count == 0) {
		gr_error_set(out->role != GR_ROLE_COACH
				     ? "Only coaches belong to centres; %s is not a coach (a learner "
				       "belongs to their cohort's centre, an admin to all)."
				     : "A coach belongs to one centre at least (%s).",
			     out->handle);
		return GR_EINVALID;
	}
	if (!(ids = calloc(count, sizeof(*ids)))) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = gr_accounts_centre_find(accounts, &ids[i], centres[i]);
	c.ids = ids;
	if (rc == 0 && (rc = change(accounts, write_coach_centres, &c)) == 0) {
		struct gr_auth_change changed = { out->id, NULL, NULL, 1, 0 };

		gr_auth_tell_changed(accounts->auth, &changed);
		gr_log_info("%s changed the centres of %s", by ? by->handle : "the operator",
			    out->handle);
	}
	free(ids);
	return rc;
}

struct default_name {
	const char *name;
	int named;
};

static int write_default_name(struct gr_accounts *accounts, void *argument)
{
	struct default_name *d = argument;

	return gr_store_centre_name_default(accounts->store, &d->named, d->name);
}

int gr_accounts_name_default_centre(struct gr_accounts *accounts, const char *name)
{
	struct default_name d = { name, 0 };
	int rc;

	if (!name || !name[0] || strcmp(name, GR_STORE_CENTRE_DEFAULT) == 0)
		return 0;
	if ((rc = gr_account_check_centre(name)) != 0) {
		char message[200];

		snprintf(message, sizeof(message), "%s", gr_error_last());
		gr_error_set("default_centre: %s", message);
		return rc;
	}
	if ((rc = change(accounts, write_default_name, &d)) == GR_EEXISTS) {
		/* The operator named another centre so: keep both as they are, and say so. */
		gr_log_warn("%s; the default centre keeps its name", gr_error_last());
		return 0;
	}
	if (rc)
		return rc;
	if (d.named)
		gr_log_info("the default centre is called %s", name);
	return 0;
}

/* ---- cohorts ----------------------------------------------------------- */

struct cohort_add {
	const char *name;
	int64_t centre;
};

static int write_cohort_add(struct gr_accounts *accounts, void *argument)
{
	struct cohort_add *add = argument;

	return gr_store_cohort_add(accounts->store, add->name, add->centre, now(accounts));
}

int gr_accounts_cohort_add(struct gr_accounts *accounts, const struct gr_user *by,
			   const char **out_field, const char *name, const char *centre)
{
	struct cohort_add add = { name, 0 };
	int rc;

	*out_field = NULL;
	if ((rc = by_admin(by, "Only admins add cohorts.")) != 0)
		return rc;
	if ((rc = gr_account_check_cohort(name)) != 0) {
		*out_field = "name";
		return rc;
	}
	if ((rc = gr_accounts_centre_find(accounts, &add.centre, centre)) != 0) {
		*out_field = "centre";
		return rc;
	}
	if ((rc = change(accounts, write_cohort_add, &add)) != 0) {
		*out_field = rc == GR_EEXISTS ? "name" : NULL;
		return rc;
	}
	gr_log_info("%s added the cohort %s", by ? by->handle : "the operator", name);
	return 0;
}

struct rename {
	const char *from;
	const char *to;
};

static int write_rename(struct gr_accounts *accounts, void *argument)
{
	struct rename *rename = argument;

	return gr_store_cohort_rename(accounts->store, rename->from, rename->to);
}

int gr_accounts_cohort_rename(struct gr_accounts *accounts, const char *from, const char *to)
{
	struct rename rename = { from, to };
	int rc;

	if ((rc = gr_account_check_cohort(to)) != 0 ||
	    (rc = change(accounts, write_rename, &rename)) != 0)
		return rc;
	gr_log_info("the cohort %s is now called %s", from, to);
	return 0;
}

/* ---- the admin's view -------------------------------------------------- */

struct search {
	struct gr_accounts *accounts;
	const struct gr_user *by;
	gr_store_user_fn *fn;
	void *payload;
};

static int search_one(const struct gr_user *user, void *payload)
{
	struct search *search = payload;

	if (search->by->role != GR_ROLE_ADMIN &&
	    (user->role != GR_ROLE_LEARNER ||
	     !gr_rights_may_coach(search->accounts->store, search->by, user->cohort)))
		return 0;
	return search->fn(user, search->payload);
}

int gr_accounts_users(struct gr_accounts *accounts, const struct gr_user *by, const char *text,
		      const char *cohort, gr_store_user_fn *fn, void *payload)
{
	struct search search = { accounts, by, fn, payload };

	if (!gr_account_is_coach(by) || by->disabled_at) {
		gr_error_set("Only coaches and admins look people up.");
		return GR_EFORBIDDEN;
	}
	return gr_store_user_search(accounts->store, text, cohort, GR_ACCOUNTS_SEARCH_MAX,
				    search_one, &search);
}

static int write_disable(struct gr_accounts *accounts, void *argument)
{
	struct gr_user *user = argument;

	return gr_store_user_disable(accounts->store, user->handle, now(accounts));
}

int gr_accounts_user_disable(struct gr_accounts *accounts, struct gr_user *out,
			     const char *handle)
{
	int rc;

	if ((rc = user_by_handle(accounts, out, handle)) != 0 ||
	    (rc = change(accounts, write_disable, out)) != 0)
		return rc;
	out->disabled_at = now(accounts);
	gr_log_info("%s is disabled; their sessions ended", out->handle);
	sessions_ended(accounts, out->id, NULL);
	return 0;
}
