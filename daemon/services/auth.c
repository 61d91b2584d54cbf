/*
 * auth.c - joining, signing in, sessions and invites (see auth.h).
 *
 * Sign-in is rate limited per handle (a few free failures, then a growing
 * wait) and per address (a ceiling high enough for a centre behind one
 * NAT): core/ratelimit.h. A sign-in in progress is no failure, but it takes
 * one of its handle's and its address's tries until its hash is done, so a
 * burst of parallel guesses cannot slip past the limit; one handle's
 * failures never refuse another handle's right password, until a whole
 * address reaches its ceiling.
 *
 * Every change (an account with its invite spent and first session, a
 * session, an invite) is one change of the loop's turn (turn.h), committed
 * before the caller is told it happened: the turn is flushed then, so a
 * reply never reports what a failed commit lost.
 *
 * The lives of invites and sessions are drawn in domain/invite.c and
 * domain/session.c, and decided there: an invite is made by
 * gr_invite_issue() and may be used as gr_invite_usable() says; a session
 * starts by gr_session_start(). What is stored is checked first
 * (gr_invite_check(), gr_session_check()): a broken invariant is a bug,
 * logged and refused, never stored. The codes and tokens and the rate
 * limit are this file's; who may invite whom is services/rights.c's.
 *
 * A sign-out, a new password and the account changes (the operator's
 * tool's) tell the listener of gr_auth_on_change() what ended once it is
 * committed, so the daemon closes the open connections concerned before the
 * request that ended them is answered. The first start's admin invite is
 * named in the meta table and refused once any admin exists.
 *
 * A join asks gr_invite_usable() when it starts and spends the invite once
 * the password is hashed, tens of milliseconds later, with the store's
 * "used_at IS NULL" update and no second look at the time: a join that
 * began before the expiry may end just after it (see domain/invite.c).
 */
#include "services/auth.h"

#include "core/error.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/workers.h"
#include "core/metrics.h"
#include "domain/invite.h"
#include "domain/session.h"
#include "services/rights.h"
#include "services/turn.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/invite.h"
#include "store/session.h"
#include "store/store.h"
#include "store/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRONG_PAIR "Wrong user name or password."
#define SESSION_UNSAVED "Could not sign in: the server could not save it."
#define ACCOUNT_UNSAVED "Could not save the new account. Please try again."

struct gr_auth {
	struct gr_store *store;
	struct gr_turn *turn;	  /* the loop's, or own_turn */
	struct gr_turn *own_turn; /* without a loop: each change commits at once */
	struct gr_workers *workers;
	struct gr_ratelimit *by_handle;
	struct gr_ratelimit *by_address;
	struct gr_auth_settings settings;
	gr_auth_changed_fn *changed; /* sessions ended or rights changed, committed */
	void *changed_payload;
};

/* One register or login in flight. The password copy is wiped when done. */
struct attempt {
	struct gr_auth *auth;
	gr_auth_done_fn *done;
	void *payload;
	struct gr_auth_result result;
	struct gr_invite invite;
	int user_found;
	int64_t started_at;
	char handle_key[GR_HANDLE_MAX + 3];
	char address_key[80];
	char password[GR_PASSWORD_MAX + 1];
	char new_password[GR_PASSWORD_MAX + 1]; /* a password change: the new one */
	char new_hash[GR_PASSWORD_HASH_SIZE];
	unsigned char session_hash[GR_TOKEN_HASH_SIZE]; /* a password change: kept */
};

void gr_auth_settings_defaults(struct gr_auth_settings *out)
{
	out->invite_days = 14;
	out->session_days = 30;
	out->max_failures = 5;
	out->delay_ms = 30 * 1000;
	out->failure_window_ms = 15 * 60 * 1000;
	out->address_failures = 300;
	out->clock = NULL;
}

/* What settings make of the two limits. */
static void limit_policies(struct gr_ratelimit_policy *out_handle,
			   struct gr_ratelimit_policy *out_address,
			   const struct gr_auth_settings *settings)
{
	out_handle->free_failures = settings->max_failures;
	out_handle->delay_ms = settings->delay_ms;
	out_handle->max_delay_ms = settings->failure_window_ms;
	out_handle->forget_ms = settings->failure_window_ms;
	out_address->free_failures = settings->address_failures;
	out_address->delay_ms = 0;
	out_address->max_delay_ms = 0;
	out_address->forget_ms = settings->address_failures > 0
		? settings->failure_window_ms / settings->address_failures : 0;
	if (out_address->forget_ms < 1)
		out_address->forget_ms = 1;
}

int gr_auth_set_limits(struct gr_auth *auth, const struct gr_auth_settings *settings)
{
	struct gr_ratelimit_policy handle, address;
	int rc;

	limit_policies(&handle, &address, settings);
	if ((rc = gr_ratelimit_set_policy(auth->by_handle, &handle)) != 0)
		return rc;
	if ((rc = gr_ratelimit_set_policy(auth->by_address, &address)) != 0)
		return rc;
	auth->settings.max_failures = settings->max_failures;
	auth->settings.delay_ms = settings->delay_ms;
	auth->settings.failure_window_ms = settings->failure_window_ms;
	auth->settings.address_failures = settings->address_failures;
	return 0;
}

static int64_t now(const struct gr_auth *auth)
{
	return auth->settings.clock ? auth->settings.clock() : gr_clock_now_ms();
}

int gr_auth_new(struct gr_auth **out, struct gr_store *store, struct gr_workers *workers,
		const struct gr_auth_settings *settings)
{
	struct gr_auth *auth = calloc(1, sizeof(*auth));
	struct gr_ratelimit_policy handle, address;
	int rc;

	*out = NULL;
	if (!auth) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	auth->store = store;
	auth->workers = workers;
	auth->settings = *settings;
	limit_policies(&handle, &address, settings);
	if ((rc = gr_turn_new(&auth->own_turn, store)) != 0 ||
	    (rc = gr_ratelimit_new(&auth->by_handle, &handle)) != 0 ||
	    (rc = gr_ratelimit_new(&auth->by_address, &address)) != 0) {
		gr_auth_free(auth);
		return rc;
	}
	auth->turn = auth->own_turn;
	*out = auth;
	return 0;
}

void gr_auth_set_turn(struct gr_auth *auth, struct gr_turn *turn)
{
	auth->turn = turn ? turn : auth->own_turn;
}

void gr_auth_free(struct gr_auth *auth)
{
	if (!auth)
		return;
	gr_ratelimit_free(auth->by_handle);
	gr_ratelimit_free(auth->by_address);
	gr_turn_free(auth->own_turn);
	free(auth);
}

typedef int write_fn(struct gr_auth *auth, void *argument);

/* write(auth, argument) as one change of the turn, committed when this returns 0. */
static int change(struct gr_auth *auth, write_fn *write, void *argument)
{
	struct gr_turn_change turn_change;
	int rc;

	if ((rc = gr_turn_begin(auth->turn, &turn_change)) != 0 ||
	    (rc = gr_turn_end(auth->turn, &turn_change, write(auth, argument))) != 0)
		return rc;
	return gr_turn_flush(auth->turn);
}

static void set_result(struct gr_auth_result *result, int status, const char *field,
		       const char *message)
{
	result->status = status;
	result->field = field;
	snprintf(result->message, sizeof(result->message), "%s", message);
}

static void attempt_free(struct attempt *attempt)
{
	gr_secret_wipe(attempt->password, sizeof(attempt->password));
	gr_secret_wipe(attempt->new_password, sizeof(attempt->new_password));
	free(attempt);
}

static void finish(struct attempt *attempt)
{
	attempt->done(&attempt->result, attempt->payload);
	attempt_free(attempt);
}

void gr_auth_on_change(struct gr_auth *auth, gr_auth_changed_fn *changed, void *payload)
{
	auth->changed = changed;
	auth->changed_payload = payload;
}

/* Sessions ended or rights changed, and it is committed: the open connections must follow. */
static void tell_changed(struct gr_auth *auth, int64_t user_id, const unsigned char *session,
			 const unsigned char *keep, int rights)
{
	struct gr_auth_change change = { user_id, session, keep, rights, 0 };

	if (auth->changed)
		auth->changed(auth->changed_payload, &change);
}

static struct attempt *attempt_new(struct gr_auth *auth, const char *password,
				   gr_auth_done_fn *done, void *payload)
{
	struct attempt *attempt = calloc(1, sizeof(*attempt));

	if (!attempt)
		return NULL;
	attempt->auth = auth;
	attempt->done = done;
	attempt->payload = payload;
	attempt->started_at = now(auth);
	snprintf(attempt->password, sizeof(attempt->password), "%s", password);
	return attempt;
}

/*
 * 0 when a made thing (what: "session", "invite") keeps its invariants,
 * whose checker returned broken; else a bug: logged, and GR_ERROR.
 */
static int keeps_invariants(int broken, const char *what)
{
	if (broken == 0)
		return 0;
	gr_log_error("%s not stored: %s", what, gr_error_last());
	return GR_ERROR;
}

/* Create a session for result->user and put its token into result (a write). */
static int start_session(struct gr_auth *auth, void *argument)
{
	struct gr_auth_result *result = argument;
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	struct gr_session session;
	int rc;

	rc = gr_session_start(&session, result->user.id, auth->settings.session_days, now(auth));
	if (rc != 0)
		gr_log_error("session of %s not started: %s", result->user.handle,
			     gr_error_last());
	else
		rc = keeps_invariants(gr_session_check(&session), "session");
	if (rc == 0) {
		gr_secret_token(result->session_token, 32);
		gr_secret_token_hash(hash, result->session_token);
		result->session_expires_at = session.expires_at;
		rc = gr_store_session_insert(auth->store, hash, session.user_id,
					     session.created_at, session.expires_at);
	}
	if (rc)
		set_result(result, rc, NULL, SESSION_UNSAVED);
	return rc;
}

/*
 * GR_EUSED when invite is the first start's admin invite and an admin
 * exists already, however made (the operator's tool, another invite).
 */
static int first_start_spent(struct gr_auth *auth, const struct gr_invite *invite)
{
	char value[32];
	int64_t admins = 0;
	int rc = gr_store_meta_get(auth->store, value, sizeof(value), "first_start_invite");

	if (rc == GR_ENOTFOUND || (rc == 0 && atoll(value) != invite->id))
		return 0;
	if (rc != 0 || (rc = gr_store_user_count_admins(auth->store, &admins)) != 0)
		return rc;
	if (admins == 0)
		return 0;
	gr_error_set("This first-start link is no longer valid: an admin account exists. "
		     "Ask the admin for an invite.");
	return GR_EUSED;
}

static int check_invite(struct gr_auth *auth, struct gr_invite *out, const char *code)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	int rc;

	gr_secret_token_hash(hash, code);
	rc = gr_store_invite_by_hash(auth->store, out, hash);
	if (rc == GR_ENOTFOUND)
		gr_error_set("This invite link is not known. Check that it was copied whole.");
	if (rc || (rc = gr_invite_usable(out, now(auth))) != 0)
		return rc;
	return first_start_spent(auth, out);
}

int gr_auth_invite_check(struct gr_auth *auth, struct gr_invite *out, const char *code)
{
	return check_invite(auth, out, code);
}

/* ---- joining ---------------------------------------------------------- */

static void hash_password_work(void *payload)
{
	struct attempt *attempt = payload;

	if (gr_secret_password_hash(attempt->result.user.password_hash, attempt->password))
		set_result(&attempt->result, GR_ERROR, NULL, "The server ran out of memory.");
}

/* Store the user, spend the invite, sign in (a write: all or nothing). */
static int join(struct gr_auth *auth, void *argument)
{
	struct attempt *attempt = argument;
	struct gr_auth_result *result = &attempt->result;
	int rc;

	/* The first start's link, only while no admin exists (one may have been made since). */
	if ((rc = first_start_spent(auth, &attempt->invite)) != 0) {
		set_result(result, rc, "invite", gr_error_last());
		return rc;
	}
	if ((rc = gr_store_user_insert(auth->store, &result->user)) != 0 ||
	    (rc = gr_store_invite_use(auth->store, attempt->invite.id, result->user.id,
				      result->user.created_at)) != 0) {
		set_result(result, rc, rc == GR_EEXISTS ? "handle" : rc == GR_EUSED ? "invite" : NULL,
			   gr_error_last());
		return rc;
	}
	/* A coach invited to a centre belongs to it; invited to a cohort, coaches it. */
	if (result->user.role == GR_ROLE_COACH && attempt->invite.centre[0] &&
	    (rc = gr_store_centre_join_coach(auth->store, result->user.id,
					     attempt->invite.centre))) {
		set_result(result, rc, NULL, gr_error_last());
		return rc;
	}
	if (result->user.role == GR_ROLE_COACH && result->user.cohort[0] &&
	    (rc = gr_store_user_add_coached(auth->store, result->user.id, result->user.cohort))) {
		set_result(result, rc, NULL, gr_error_last());
		return rc;
	}
	if ((rc = start_session(auth, result)) != 0)
		set_result(result, rc, NULL, ACCOUNT_UNSAVED);
	return rc;
}

/* On the loop thread: the new account, saved before the reply says so. */
static void register_done(void *payload)
{
	struct attempt *attempt = payload;
	struct gr_auth_result *result = &attempt->result;
	int rc;

	if (result->status)
		goto out;
	result->user.created_at = now(attempt->auth);
	if ((rc = change(attempt->auth, join, attempt)) != 0) {
		if (result->status == 0) /* the change was not begun, or not committed */
			set_result(result, rc, NULL, ACCOUNT_UNSAVED);
		goto out;
	}
	gr_log_info("%s joined as %s", result->user.handle, gr_account_role_name(result->user.role));
	if (attempt->auth->changed) /* committed: the boards of their cohort show them */
		attempt->auth->changed(attempt->auth->changed_payload,
				       &(struct gr_auth_change){ .user_id = result->user.id, .joined = 1 });
out:
	finish(attempt);
}

static int check_join(const struct gr_auth_join *join, const char **out_field)
{
	static const char *const fields[] = { "invite", "handle", "display_name", "password" };
	const char *values[] = { join->invite, join->handle, join->display_name, join->password };
	int (*const checks[])(const char *) = { NULL, gr_account_check_handle,
						gr_account_check_display_name,
						gr_account_check_password };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		*out_field = fields[i];
		if (!values[i]) {
		gr_error_set("'%s' is missing.", fields[i]);
			return GR_EINVALID;
		}
		if (checks[i] && checks[i](values[i]) != 0)
			return GR_EINVALID;
	}
	*out_field = NULL;
	return 0;
}

/* Queue a join; on an immediate failure fill out and return its status. */
static int register_start(struct gr_auth *auth, const struct gr_auth_join *join,
			  struct attempt *attempt, struct gr_auth_result *out)
{
	struct gr_user existing;
	const char *field;
	int rc;

	if ((rc = check_join(join, &field)) != 0)
		goto fail;
	field = "invite";
	if ((rc = check_invite(auth, &attempt->invite, join->invite)) != 0)
		goto fail;
	field = "handle";
	rc = gr_store_user_by_handle(auth->store, &existing, join->handle);
	if (rc == 0) {
		gr_error_set("The user name '%s' is taken. Please choose another.", join->handle);
		rc = GR_EEXISTS;
		goto fail;
	}
	if (rc != GR_ENOTFOUND)
		goto fail;
	snprintf(attempt->result.user.handle, sizeof(attempt->result.user.handle), "%s",
		 join->handle);
	snprintf(attempt->result.user.display_name, sizeof(attempt->result.user.display_name),
		 "%s", join->display_name);
	attempt->result.user.role = attempt->invite.role;
	snprintf(attempt->result.user.cohort, sizeof(attempt->result.user.cohort), "%s",
		 attempt->invite.cohort);
	field = NULL;
	if ((rc = gr_workers_submit(auth->workers, hash_password_work, register_done, attempt)))
		goto fail;
	return 0;
fail:
	set_result(out, rc, field, gr_error_last());
	return rc;
}

void gr_auth_register(struct gr_auth *auth, const struct gr_auth_join *join,
		      gr_auth_done_fn *done, void *payload)
{
	struct attempt *attempt = attempt_new(auth, join->password ? join->password : "", done,
					      payload);
	struct gr_auth_result failed;

	memset(&failed, 0, sizeof(failed));
	if (!attempt) {
		set_result(&failed, GR_ERROR, NULL, "The server ran out of memory.");
		done(&failed, payload);
	} else if (register_start(auth, join, attempt, &failed) != 0) {
		attempt_free(attempt);
		done(&failed, payload);
	}
}

/* ---- signing in ------------------------------------------------------- */

/* Refuse the attempt if the handle or the address must wait. */
static int check_limit(struct gr_auth *auth, struct attempt *attempt, struct gr_auth_result *out)
{
	int64_t t = attempt->started_at;
	int64_t by_handle = gr_ratelimit_blocked_until(auth->by_handle, attempt->handle_key, t);
	int64_t by_address = gr_ratelimit_blocked_until(auth->by_address, attempt->address_key, t);
	int64_t minutes;
	char message[160];

	if (!by_handle && !by_address)
		return 0;
	gr_metrics_count(GR_METRICS_SIGNIN_FAILURES);
	out->retry_at = by_handle > by_address ? by_handle : by_address;
	out->limited_by = by_handle >= by_address ? "account" : "address";
	minutes = (out->retry_at - t + 60 * 1000 - 1) / (60 * 1000);
	snprintf(message, sizeof(message), "Too many failed sign-ins %s. Try again in %lld minute%s.",
		 by_handle >= by_address ? "for this account" : "from this network",
		 (long long)minutes, minutes == 1 ? "" : "s");
	set_result(out, GR_ELIMITED, NULL, message);
	gr_log_warn("sign-in for '%s' from %s refused: too many failures for the %s",
		    attempt->handle_key + 2, attempt->address_key + 2, out->limited_by);
	return GR_ELIMITED;
}

/* A sign-in begins: in flight for its handle and address until end_attempt(). */
static void begin_attempt(struct gr_auth *auth, struct attempt *attempt)
{
	gr_ratelimit_begin(auth->by_handle, attempt->handle_key, attempt->started_at);
	gr_ratelimit_begin(auth->by_address, attempt->address_key, attempt->started_at);
}

/* It ended; failed: a wrong pair, counted for both. */
static void end_attempt(struct gr_auth *auth, struct attempt *attempt, int failed)
{
	int64_t t = now(auth);

	gr_ratelimit_end(auth->by_handle, attempt->handle_key, t, failed);
	gr_ratelimit_end(auth->by_address, attempt->address_key, t, failed);
}

static void verify_password_work(void *payload)
{
	struct attempt *attempt = payload;
	char discard[GR_PASSWORD_HASH_SIZE];

	if (attempt->user_found) {
		if (gr_secret_password_verify(attempt->result.user.password_hash,
					      attempt->password) == 0)
			return;
	} else {
		/* Spend the same time on an unknown handle as on a known one. */
		gr_secret_password_hash(discard, attempt->password);
	}
	set_result(&attempt->result, GR_EAUTH, NULL, WRONG_PAIR);
}

static void login_done(void *payload)
{
	struct attempt *attempt = payload;
	struct gr_auth *auth = attempt->auth;
	int rc;

	if (attempt->result.status == 0 &&
	    (rc = change(auth, start_session, &attempt->result)) != 0 &&
	    attempt->result.status == 0) /* stored, but not committed */
		set_result(&attempt->result, rc, NULL, SESSION_UNSAVED);
	end_attempt(auth, attempt, attempt->result.status == GR_EAUTH);
	if (attempt->result.status == 0) {
		gr_ratelimit_clear(auth->by_handle, attempt->handle_key);
		gr_log_info("%s signed in", attempt->result.user.handle);
	} else if (attempt->result.status == GR_EAUTH) {
		gr_metrics_count(GR_METRICS_SIGNIN_FAILURES);
		gr_log_info("failed sign-in for '%s' from %s", attempt->handle_key + 2,
			    attempt->address_key + 2);
	}
	gr_secret_wipe(attempt->result.user.password_hash, sizeof(attempt->result.user.password_hash));
	finish(attempt);
}

/* Queue a sign-in; on an immediate failure fill out and return its status. */
static int login_start(struct gr_auth *auth, const char *handle, const char *address,
		       struct attempt *attempt, struct gr_auth_result *out)
{
	int rc;

	snprintf(attempt->handle_key, sizeof(attempt->handle_key), "h:%s", handle);
	snprintf(attempt->address_key, sizeof(attempt->address_key), "a:%s", address);
	if ((rc = check_limit(auth, attempt, out)) != 0)
		return rc;
	rc = gr_store_user_by_handle(auth->store, &attempt->result.user, handle);
	if (rc != 0 && rc != GR_ENOTFOUND) {
		set_result(out, rc, NULL, "The server could not check your sign-in.");
		return rc;
	}
	attempt->user_found = rc == 0 && attempt->result.user.disabled_at == 0;
	if ((rc = gr_workers_submit(auth->workers, verify_password_work, login_done, attempt))) {
		set_result(out, rc, NULL, "The server ran out of memory.");
		return rc;
	}
	begin_attempt(auth, attempt);
	return 0;
}

void gr_auth_login(struct gr_auth *auth, const char *handle, const char *password,
		   const char *address, gr_auth_done_fn *done, void *payload)
{
	struct attempt *attempt = NULL;
	struct gr_auth_result failed;

	memset(&failed, 0, sizeof(failed));
	if (strlen(password) > GR_PASSWORD_MAX || strlen(handle) > GR_HANDLE_MAX)
		set_result(&failed, GR_EAUTH, NULL, WRONG_PAIR);
	else if (!(attempt = attempt_new(auth, password, done, payload)))
		set_result(&failed, GR_ERROR, NULL, "The server ran out of memory.");
	else if (login_start(auth, handle, address, attempt, &failed) == 0)
		return;
	if (attempt)
		attempt_free(attempt);
	done(&failed, payload);
}

/* ---- sessions and invites --------------------------------------------- */

int gr_auth_session_user(struct gr_auth *auth, struct gr_user *out, const char *token)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	int rc;

	if (!token || !token[0]) {
		gr_error_set("not signed in");
		return GR_EAUTH;
	}
	gr_secret_token_hash(hash, token);
	rc = gr_store_session_user(auth->store, out, hash, now(auth));
	if (rc == GR_ENOTFOUND) {
		gr_error_set("not signed in, or the sign-in has expired");
		return GR_EAUTH;
	}
	return rc;
}

static int delete_session(struct gr_auth *auth, void *argument)
{
	return gr_store_session_delete(auth->store, argument);
}

int gr_auth_logout(struct gr_auth *auth, const char *token)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	int rc;

	if (!token || !token[0])
		return 0;
	gr_secret_token_hash(hash, token);
	if ((rc = change(auth, delete_session, hash)) == 0)
		tell_changed(auth, 0, hash, NULL, 0);
	return rc;
}

/* An invite issued, to store with a new code: what gr_auth_invite_create() makes. */
struct invite_order {
	char *code;
	struct gr_invite *invite; /* issued by gr_invite_issue() */
	const struct gr_user *creator;
};

/*
 * An invite for role and cohort by creator (NULL: the operator) lasting
 * days (0: the default), issued at now into order (not yet stored).
 */
static int issue_invite(struct gr_auth *auth, struct invite_order *order, enum gr_role role,
			const char *cohort, int days)
{
	return gr_invite_issue(order->invite, role, cohort,
			       order->creator ? order->creator->handle : NULL,
			       days ? days : auth->settings.invite_days, now(auth));
}

/* Store the invite of order, with a new code (a write). */
static int write_invite(struct gr_auth *auth, void *argument)
{
	struct invite_order *order = argument;
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	int rc;

	if ((rc = keeps_invariants(gr_invite_check(order->invite), "invite")) != 0)
		return rc;
	gr_secret_token(order->code, 16);
	gr_secret_token_hash(hash, order->code);
	return gr_store_invite_insert(auth->store, order->invite, hash,
				      order->creator ? order->creator->id : 0);
}

/* Invalid, naming field; the message is set already. */
static int invalid_field(const char **out_field, const char *field, int rc)
{
	*out_field = field;
	return rc;
}

/* The id of the centre named (0: none, "" or NULL) into *out; GR_EINVALID naming it. */
static int centre_named(struct gr_auth *auth, int64_t *out, const char *centre)
{
	int rc;

	*out = 0;
	if (!centre || !centre[0])
		return 0;
	if ((rc = gr_account_check_centre(centre)) != 0 ||
	    (rc = gr_store_centre_id(auth->store, out, centre)) != 0)
		return rc == GR_ENOTFOUND ? GR_EINVALID : rc; /* the message names it */
	return 0;
}

/*
 * Whether the centre an invite names fits its role: a coach's invite may
 * name one (their cohort, if any, must lie in it); a learner's centre is
 * their cohort's, so one named must be that; an admin belongs to every
 * centre. GR_EINVALID for the field "centre".
 */
static int centre_fits(struct gr_auth *auth, enum gr_role role, const char *cohort,
		       const char *centre)
{
	char of_cohort[GR_STORE_CENTRE_NAME_SIZE] = "";
	int rc;

	if (!centre || !centre[0])
		return 0;
	if (role == GR_ROLE_ADMIN) {
		gr_error_set("An admin belongs to every centre: an invite for an admin names none.");
		return GR_EINVALID;
	}
	if (role == GR_ROLE_LEARNER && (!cohort || !cohort[0])) {
		gr_error_set("A learner belongs to the centre of their cohort: name the cohort, and "
			     "the centre is its.");
		return GR_EINVALID;
	}
	if (cohort && cohort[0] && (rc = gr_store_cohort_centre(auth->store, of_cohort, cohort)) != 0)
		return rc == GR_ENOTFOUND ? GR_EINVALID : rc;
	if (of_cohort[0] && strcmp(of_cohort, centre) != 0) {
		gr_error_set("The cohort %.64s is in the centre %.64s, not in %.64s.", cohort, of_cohort,
			     centre);
		return GR_EINVALID;
	}
	return 0;
}

int gr_auth_invite_make(struct gr_auth *auth, char out_code[GR_TOKEN_TEXT_SIZE],
			struct gr_invite *out_invite, const char **out_field,
			const struct gr_user *creator, const struct gr_auth_invite_request *request)
{
	struct invite_order order = { out_code, out_invite, creator };
	int64_t centre_id = 0;
	int rc;

	*out_field = NULL;
	if ((rc = centre_named(auth, &centre_id, request->centre)) != 0)
		return invalid_field(out_field, "centre", rc);
	if ((rc = gr_rights_may_invite(auth->store, creator, request->role, request->cohort,
				       centre_id, out_field)) != 0)
		return rc;
	if (request->role == GR_ROLE_PARTNER && request->cohort && request->cohort[0]) {
		gr_error_set("A partner belongs to no cohort: an invite for a partner names none.");
		return invalid_field(out_field, "cohort", GR_EINVALID);
	}
	if ((rc = issue_invite(auth, &order, request->role, request->cohort, request->days)) != 0 ||
	    (rc = gr_auth_cohort_known(auth, request->cohort)) != 0)
		return invalid_field(out_field, "cohort", rc);
	if ((rc = centre_fits(auth, request->role, request->cohort, request->centre)) != 0)
		return invalid_field(out_field, "centre", rc);
	if (request->role == GR_ROLE_COACH && centre_id)
		snprintf(out_invite->centre, sizeof(out_invite->centre), "%s", request->centre);
	return change(auth, write_invite, &order);
}

int gr_auth_invite_create(struct gr_auth *auth, char out_code[GR_TOKEN_TEXT_SIZE],
			  struct gr_invite *out_invite, const struct gr_user *creator,
			  enum gr_role role, const char *cohort, int days)
{
	const struct gr_auth_invite_request request = { role, cohort, NULL, days };
	const char *field;

	return gr_auth_invite_make(auth, out_code, out_invite, &field, creator, &request);
}

/*
 * The admin invite of the first start, unless one was made or someone
 * joined (a write). The setting names it, so it is refused once an admin
 * exists (first_start_spent()).
 */
static int write_first_invite(struct gr_auth *auth, void *argument)
{
	struct invite_order *order = argument;
	char value[32];
	int64_t users = 0;
	int rc = gr_store_meta_get(auth->store, value, sizeof(value), "first_start_invite");

	if (rc == 0 ||
	    (rc == GR_ENOTFOUND && (rc = gr_store_user_count(auth->store, &users)) == 0 &&
	     users > 0)) {
		gr_error_set("not the first start");
		return GR_ENOTFOUND;
	}
	if (rc != 0 || (rc = write_invite(auth, argument)) != 0)
		return rc;
	snprintf(value, sizeof(value), "%lld", (long long)order->invite->id);
	return gr_store_meta_set(auth->store, "first_start_invite", value);
}

int gr_auth_first_start(struct gr_auth *auth, char out_code[GR_TOKEN_TEXT_SIZE],
			struct gr_invite *out_invite)
{
	struct invite_order order = { out_code, out_invite, NULL };
	int rc;

	if ((rc = issue_invite(auth, &order, GR_ROLE_ADMIN, NULL, GR_AUTH_FIRST_START_DAYS)) != 0)
		return rc;
	return change(auth, write_first_invite, &order);
}

static int insert_user(struct gr_auth *auth, void *argument)
{
	struct gr_user *user = argument;
	int rc = gr_store_user_insert(auth->store, user);

	if (rc == 0 && user->role == GR_ROLE_COACH && user->cohort[0])
		rc = gr_store_user_add_coached(auth->store, user->id, user->cohort);
	return rc;
}

/* A partner (a company with a project) belongs to no cohort. */
static int partner_without_cohort(const struct gr_user *user, const char *cohort)
{
	if (user->role != GR_ROLE_PARTNER || !cohort || !cohort[0])
		return 0;
	gr_error_set("%s is a partner, and a partner belongs to no cohort.", user->handle);
	return GR_EINVALID;
}

int gr_auth_add_user(struct gr_auth *auth, struct gr_user *user, const char *password)
{
	int rc;

	if ((rc = gr_account_check_handle(user->handle)) != 0 ||
	    (rc = gr_account_check_display_name(user->display_name)) != 0 ||
	    (rc = partner_without_cohort(user, user->cohort)) != 0 ||
	    (user->cohort[0] && (rc = gr_account_check_cohort(user->cohort)) != 0) ||
	    (rc = gr_auth_cohort_known(auth, user->cohort)) != 0 ||
	    (rc = gr_account_check_password(password)) != 0)
		return rc;
	if ((rc = gr_secret_password_hash(user->password_hash, password)) != 0)
		return rc;
	user->created_at = now(auth);
	return change(auth, insert_user, user);
}

/* ---- changing a password ---------------------------------------------- */

/* On a worker: the current password must match; then the new one is hashed. */
static void change_password_work(void *payload)
{
	struct attempt *attempt = payload;

	if (gr_secret_password_verify(attempt->result.user.password_hash, attempt->password) != 0)
		set_result(&attempt->result, GR_EAUTH, "current_password",
			   "The current password is not right.");
	else if (gr_secret_password_hash(attempt->new_hash, attempt->new_password) != 0)
		set_result(&attempt->result, GR_ERROR, NULL, "The server ran out of memory.");
}

/* The new password stored, and every other session of the user ended (a write). */
static int write_password(struct gr_auth *auth, void *argument)
{
	struct attempt *attempt = argument;
	int rc;

	if ((rc = gr_store_user_set_password(auth->store, attempt->result.user.id,
					     attempt->new_hash)) != 0)
		return rc;
	return gr_store_session_end_user(auth->store, attempt->result.user.id,
					 attempt->session_hash);
}

static void change_password_done(void *payload)
{
	struct attempt *attempt = payload;
	struct gr_auth *auth = attempt->auth;
	int rc;

	if (attempt->result.status == 0 && (rc = change(auth, write_password, attempt)) != 0)
		set_result(&attempt->result, rc, NULL, "Could not save the new password.");
	end_attempt(auth, attempt,
		    attempt->result.status == GR_EAUTH && attempt->result.field != NULL);
	if (attempt->result.status == 0) {
		gr_ratelimit_clear(auth->by_handle, attempt->handle_key);
		gr_log_info("%s changed their password; their other sessions ended",
			    attempt->result.user.handle);
		tell_changed(auth, attempt->result.user.id, NULL, attempt->session_hash, 0);
	} else if (attempt->result.status == GR_EAUTH) {
		gr_log_info("wrong current password for '%s' from %s", attempt->handle_key + 2,
			    attempt->address_key + 2);
	}
	gr_secret_wipe(attempt->result.user.password_hash, sizeof(attempt->result.user.password_hash));
	gr_secret_wipe(attempt->new_hash, sizeof(attempt->new_hash));
	finish(attempt);
}

/* Queue a password change; on an immediate failure fill out and return its status. */
static int change_password_start(struct gr_auth *auth, const struct gr_auth_password *change,
				 struct attempt *attempt, struct gr_auth_result *out)
{
	int rc;

	if ((rc = gr_auth_session_user(auth, &attempt->result.user, change->session_token)) != 0) {
		set_result(out, rc, NULL, "Please sign in first.");
		return rc;
	}
	gr_secret_token_hash(attempt->session_hash, change->session_token);
	snprintf(attempt->handle_key, sizeof(attempt->handle_key), "h:%s",
		 attempt->result.user.handle);
	snprintf(attempt->address_key, sizeof(attempt->address_key), "a:%s", change->address);
	if ((rc = check_limit(auth, attempt, out)) != 0)
		return rc;
	if ((rc = gr_account_check_password(change->new_password)) != 0) {
		set_result(out, rc, "new_password", gr_error_last());
		return rc;
	}
	snprintf(attempt->new_password, sizeof(attempt->new_password), "%s", change->new_password);
	if ((rc = gr_workers_submit(auth->workers, change_password_work, change_password_done,
				    attempt))) {
		set_result(out, rc, NULL, "The server ran out of memory.");
		return rc;
	}
	/* A wrong current password counts as a failed sign-in. */
	begin_attempt(auth, attempt);
	return 0;
}

void gr_auth_change_password(struct gr_auth *auth, const struct gr_auth_password *change,
			     gr_auth_done_fn *done, void *payload)
{
	struct attempt *attempt = NULL;
	struct gr_auth_result failed;

	memset(&failed, 0, sizeof(failed));
	if (strlen(change->current_password) > GR_PASSWORD_MAX)
		set_result(&failed, GR_EAUTH, "current_password", "The current password is not right.");
	else if (!(attempt = attempt_new(auth, change->current_password, done, payload)))
		set_result(&failed, GR_ERROR, NULL, "The server ran out of memory.");
	else if (change_password_start(auth, change, attempt, &failed) == 0)
		return;
	if (attempt)
		attempt_free(attempt);
	done(&failed, payload);
}

/* ---- the operator's changes to accounts --------------------------------- */

/* What gr_auth_user_* changes, as one write. */
struct account_change {
	struct gr_user *user;
	const char *password_hash; /* set_password */
	enum gr_role role;	   /* set_role */
	const char *cohort;	   /* set_cohort */
	int ends;		   /* it ends every session of the user (else: 1 rights, 0 nothing) */
	int rights;
};

static int write_password_reset(struct gr_auth *auth, void *argument)
{
	struct account_change *c = argument;
	int rc = gr_store_user_set_password(auth->store, c->user->id, c->password_hash);

	return rc ? rc : gr_store_session_end_user(auth->store, c->user->id, NULL);
}

static int write_enable(struct gr_auth *auth, void *argument)
{
	struct account_change *c = argument;

	c->user->disabled_at = 0;
	return gr_store_user_enable(auth->store, c->user->id);
}

/* A coach coaches their own cohort; nobody else coaches any. */
static int write_coached(struct gr_auth *auth, const struct gr_user *user)
{
	return gr_store_user_set_coached(auth->store, user->id,
					 user->role == GR_ROLE_COACH ? user->cohort : NULL);
}

static int write_role(struct gr_auth *auth, void *argument)
{
	struct account_change *c = argument;
	int rc = gr_store_user_set_role(auth->store, c->user->id, c->role);

	c->user->role = c->role;
	if (rc == 0 && c->role == GR_ROLE_PARTNER && c->user->cohort[0]) {
		rc = gr_store_user_set_cohort(auth->store, c->user->id, NULL);
		c->user->cohort[0] = '\0';
	}
	return rc ? rc : write_coached(auth, c->user);
}

static int write_cohort(struct gr_auth *auth, void *argument)
{
	struct account_change *c = argument;
	int rc = partner_without_cohort(c->user, c->cohort);

	if (rc == 0)
		rc = gr_store_user_set_cohort(auth->store, c->user->id, c->cohort);

	snprintf(c->user->cohort, sizeof(c->user->cohort), "%s", c->cohort ? c->cohort : "");
	return rc ? rc : write_coached(auth, c->user);
}

/* Load user by handle into out, then make write as one change; tells the loop. */
static int change_user(struct gr_auth *auth, struct gr_user *out, const char *handle,
		       write_fn *write, struct account_change *c)
{
	int rc = gr_store_user_by_handle(auth->store, out, handle);

	if (rc == GR_ENOTFOUND)
		gr_error_set("There is no user '%.40s'.", handle);
	if (rc)
		return rc;
	c->user = out;
	if ((rc = change(auth, write, c)) == 0 && (c->ends || c->rights))
		tell_changed(auth, out->id, NULL, NULL, !c->ends);
	return rc;
}

int gr_auth_user_set_password(struct gr_auth *auth, struct gr_user *out, const char *handle,
			      const char *password)
{
	char hash[GR_PASSWORD_HASH_SIZE];
	struct account_change c = { .password_hash = hash, .ends = 1 };
	int rc;

	if ((rc = gr_account_check_password(password)) != 0 ||
	    (rc = gr_secret_password_hash(hash, password)) != 0)
		return rc;
	rc = change_user(auth, out, handle, write_password_reset, &c);
	gr_secret_wipe(hash, sizeof(hash));
	return rc;
}

int gr_auth_user_enable(struct gr_auth *auth, struct gr_user *out, const char *handle)
{
	struct account_change c = { 0 };

	return change_user(auth, out, handle, write_enable, &c);
}

int gr_auth_user_set_role(struct gr_auth *auth, struct gr_user *out, const char *handle,
			  enum gr_role role)
{
	struct account_change c = { .role = role, .rights = 1 };

	return change_user(auth, out, handle, write_role, &c);
}

int gr_auth_user_set_cohort(struct gr_auth *auth, struct gr_user *out, const char *handle,
			    const char *cohort)
{
	struct account_change c = { .cohort = cohort, .rights = 1 };
	int rc;

	if (cohort && cohort[0] && (rc = gr_account_check_cohort(cohort)) != 0)
		return rc;
	if ((rc = gr_auth_cohort_known(auth, cohort)) != 0)
		return rc;
	return change_user(auth, out, handle, write_cohort, &c);
}

/* ---- revoking an invite ------------------------------------------------- */

static int write_revoke(struct gr_auth *auth, void *argument)
{
	struct gr_invite *invite = argument;
	int rc;

	if ((rc = keeps_invariants(gr_invite_check(invite), "invite")) != 0)
		return rc;
	return gr_store_invite_revoke(auth->store, invite->id, invite->revoked_at);
}

int gr_auth_invite_revoke(struct gr_auth *auth, struct gr_invite *out, const char *code)
{
	unsigned char hash[GR_TOKEN_HASH_SIZE];
	const char *slash = strrchr(code, '/');
	int rc;

	gr_secret_token_hash(hash, slash ? slash + 1 : code); /* the code, or its whole link */
	rc = gr_store_invite_by_hash(auth->store, out, hash);
	if (rc == GR_ENOTFOUND)
		gr_error_set("No invite has this code. Check that it was copied whole.");
	if (rc || (rc = gr_invite_revoke(out, now(auth))) != 0)
		return rc;
	return change(auth, write_revoke, out);
}

int gr_auth_invite_revoke_id(struct gr_auth *auth, struct gr_invite *out, int64_t id)
{
	int rc = gr_store_invite_by_id(auth->store, out, id);

	if (rc == GR_ENOTFOUND)
		gr_error_set("There is no invite %lld.", (long long)id);
	if (rc || (rc = gr_invite_revoke(out, now(auth))) != 0)
		return rc;
	return change(auth, write_revoke, out);
}

/* ---- for services/accounts.c -------------------------------------------- */

void gr_auth_tell_changed(struct gr_auth *auth, const struct gr_auth_change *change)
{
	tell_changed(auth, change->user_id, change->session, change->keep, change->rights);
}

int gr_auth_cohort_known(struct gr_auth *auth, const char *cohort)
{
	int known = 0;
	int rc;

	if (!cohort || !cohort[0])
		return 0;
	if ((rc = gr_store_cohort_exists(auth->store, &known, cohort)) != 0)
		return rc;
	if (!known) {
		gr_error_set("There is no cohort '%.64s': pick one from the list, or add it first "
			     "(an admin, or 'grounds cohort add').", cohort);
		return GR_EINVALID;
	}
	return 0;
}

void gr_auth_housekeeping(struct gr_auth *auth)
{
	gr_ratelimit_sweep(auth->by_handle, now(auth));
	gr_ratelimit_sweep(auth->by_address, now(auth));
	if (gr_store_session_prune(auth->store, now(auth)) != 0)
		gr_log_warn("could not remove expired sessions: %s", gr_error_last());
}
