/*
 * grounds - the operator's command-line tool. It opens the same SQLite file
 * as groundsd (WAL lets both work at once) and calls the same domain code, so
 * an account made here is the same as one made in the browser.
 *
 * Each command is a row in a table: its words, its usage line and a function
 * that gets the remaining arguments. Exit status: 0 done, 1 failed, 2 bad
 * usage.
 */
#include "services/accounts.h"
#include "services/auth.h"
#include "core/config.h"
#include "core/error.h"
#include "services/check.h"
#include "services/export.h"
#include "core/files.h"
#include "core/log.h"
#include "tracks/git.h"
#include "tracks/library.h"
#include "services/projects.h"
#include "store/project.h"
#include "tracks/manifest.h"
#include "tracks/track.h"
#include "core/secret.h"
#include "store/backup.h"
#include "services/applications.h"
#include "store/centre.h"
#include "store/cohort.h"
#include "store/invite.h"
#include "store/session.h"
#include "store/store.h"
#include "store/track.h"
#include "store/user.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define USAGE_ERROR 2

/* The config groundsd's package installs; the tool reads it too when present. */
#define GR_SYSTEM_CONFIG "/etc/grounds/grounds.conf"
/* The one `cmake --install` puts under this build's prefix (SYSCONFDIR), looked at first. */
#ifndef GR_INSTALLED_CONFIG
#define GR_INSTALLED_CONFIG GR_SYSTEM_CONFIG
#endif

struct context {
	struct gr_config config;
	int init; /* --init: a data directory that does not exist may be made */
	struct gr_store *store;
	struct gr_auth *auth;
	struct gr_accounts *accounts;
	struct gr_applications *applications;
};

/* Options a command accepts: --name VALUE, or a flag without a value. */
struct option {
	const char *name;
	int takes_value;
	const char *value; /* set by parse_options; "" for a given flag */
};

typedef int command_fn(struct context *context, int argc, char **argv);

struct command {
	const char *group;
	const char *verb;
	const char *usage;
	command_fn *run;
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "grounds: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'grounds --help'.\n");
	return USAGE_ERROR;
}

/*
 * Split argv into positionals and the given options. Returns the number of
 * positionals (moved to the front of argv) or -1 after reporting an error.
 */
static int parse_options(int argc, char **argv, struct option *options, int option_count)
{
	int positional = 0;

	for (int i = 0; i < argc; i++) {
		struct option *found = NULL;

		if (strncmp(argv[i], "--", 2) != 0) {
			argv[positional++] = argv[i];
			continue;
		}
		for (int o = 0; o < option_count; o++)
			if (strcmp(argv[i] + 2, options[o].name) == 0)
				found = &options[o];
		if (!found) {
			usage_error("unknown option '%s'", argv[i]);
			return -1;
		}
		if (!found->takes_value) {
			found->value = "";
		} else if (i + 1 < argc) {
			found->value = argv[++i];
		} else {
			usage_error("%s needs a value", argv[i]);
			return -1;
		}
	}
	return positional;
}

/*
 * The data directory must exist, unless --init says to make one: run from
 * the wrong folder, the tool must not start an empty school there.
 */
static int data_dir_exists(struct context *context)
{
	struct stat st;

	if (stat(context->config.data_dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (context->init)
		return gr_files_make_dirs(context->config.data_dir) == 0 ? 0 : 1;
	fprintf(stderr,
		"grounds: there is no data directory at %s\n"
		"Point at groundsd's with --data-dir DIR or --config FILE (or /etc/grounds/grounds.conf,\n"
		"GROUNDS_CONFIG), or give --init to make a new one there.\n",
		context->config.data_dir);
	return 1;
}

static int open_context(struct context *context)
{
	struct gr_applications_settings applications = { context->config.application_days,
							  context->config.apply_per_hour };
	struct gr_auth_settings settings;
	char path[PATH_MAX + 16];
	int rc;

	gr_auth_settings_defaults(&settings);
	settings.invite_days = context->config.invite_days;
	settings.session_days = context->config.session_days;
	if ((rc = data_dir_exists(context)) != 0)
		return rc;
	gr_files_database_path(path, sizeof(path), context->config.data_dir);
	if ((rc = gr_secret_init()) ||
	    (rc = gr_store_open(&context->store, path)) ||
	    (rc = gr_auth_new(&context->auth, context->store, NULL, &settings)) ||
	    (rc = gr_accounts_new(&context->accounts, context->store, context->auth, NULL, NULL)) ||
	    (rc = gr_accounts_name_default_centre(context->accounts,
						  context->config.default_centre)) ||
	    (rc = gr_applications_new(&context->applications, context->store, context->auth,
				      &applications, NULL))) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	return 0;
}

static void format_time(char *out, size_t size, int64_t ms)
{
	time_t seconds = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0) {
		snprintf(out, size, "-");
		return;
	}
	localtime_r(&seconds, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

/* ---- passwords -------------------------------------------------------- */

static void strip_newline(char *text)
{
	size_t len = strlen(text);

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
}

static int read_line(char *out, size_t size, FILE *in)
{
	if (!fgets(out, (int)size, in))
		return -1;
	if (!strchr(out, '\n') && !feof(in))
		return -1; /* longer than any password allowed */
	strip_newline(out);
	return 0;
}

/* Ask twice on the terminal, without echo. */
static int prompt_password(char *out, size_t size)
{
	char again[GR_PASSWORD_MAX + 2];
	struct termios saved, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int rc = -1;

	if (!tty) {
		fprintf(stderr, "grounds: no terminal to ask for the password; use --password-stdin\n");
		return -1;
	}
	tcgetattr(fileno(tty), &saved);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	fprintf(tty, "Password (at least %d characters): ", GR_PASSWORD_MIN);
	fflush(tty);
	if (read_line(out, size, tty) == 0) {
		fprintf(tty, "\nThe same password again: ");
		fflush(tty);
		if (read_line(again, sizeof(again), tty) == 0)
			rc = strcmp(out, again) == 0 ? 0 : 1;
	}
	fprintf(tty, "\n");
	tcsetattr(fileno(tty), TCSAFLUSH, &saved);
	fclose(tty);
	gr_secret_wipe(again, sizeof(again));
	if (rc == 1)
		fprintf(stderr, "grounds: the two passwords differ\n");
	return rc ? -1 : 0;
}

/* ---- commands --------------------------------------------------------- */

/*
 * The --centre of a new coach: a centre there is, and the one of their
 * --cohort if they have one. 0, else 1 after saying which field is wrong.
 */
static int check_new_coach_centre(struct context *context, const struct gr_user *user,
				  const char *centre)
{
	char of_cohort[GR_STORE_CENTRE_NAME_SIZE];
	int64_t id;

	if (user->role != GR_ROLE_COACH) {
		fprintf(stderr, "grounds: --centre is for coaches: a learner belongs to the centre "
				"of their cohort, an admin to every centre\n");
		return 1;
	}
	if (gr_accounts_centre_find(context->accounts, &id, centre) != 0) {
		fprintf(stderr, "grounds: --centre: %s\n", gr_error_last());
		return 1;
	}
	if (!user->cohort[0])
		return 0;
	if (gr_store_cohort_centre(context->store, of_cohort, user->cohort) != 0) {
		fprintf(stderr, "grounds: --cohort: %s\n", gr_error_last());
		return 1;
	}
	if (strcmp(of_cohort, centre) != 0) {
		fprintf(stderr, "grounds: --cohort: the cohort %s is in the centre %s, not in %s\n",
			user->cohort, of_cohort, centre);
		return 1;
	}
	return 0;
}

static int user_add(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "role", 1, NULL },
				    { "cohort", 1, NULL },
				    { "name", 1, NULL },
				    { "password-stdin", 0, NULL },
				    { "centre", 1, NULL } };
	char password[GR_PASSWORD_MAX + 2];
	const char *centre = NULL;
	struct gr_user user;
	int positional = parse_options(argc, argv, options, 5);
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 1 || !options[0].value)
		return usage_error("%s", "usage: user add HANDLE --role ROLE [--cohort C] "
					  "[--centre CENTRE] [--name NAME] [--password-stdin]");
	centre = options[4].value;
	memset(&user, 0, sizeof(user));
	if (gr_account_role_from_name(&user.role, options[0].value) != 0)
		return usage_error("%s", gr_error_last());
	snprintf(user.handle, sizeof(user.handle), "%s", argv[0]);
	snprintf(user.cohort, sizeof(user.cohort), "%s", options[1].value ? options[1].value : "");
	snprintf(user.display_name, sizeof(user.display_name), "%s",
		 options[2].value ? options[2].value : argv[0]);
	if (gr_account_check_handle(argv[0]) != 0)
		return usage_error("%s", gr_error_last());
	if (options[3].value ? read_line(password, sizeof(password), stdin)
			     : prompt_password(password, sizeof(password))) {
		fprintf(stderr, "grounds: could not read a password\n");
		return 1;
	}
	if ((rc = open_context(context)) != 0 ||
	    (centre && (rc = check_new_coach_centre(context, &user, centre)) != 0)) {
		gr_secret_wipe(password, sizeof(password));
		return rc;
	}
	rc = gr_auth_add_user(context->auth, &user, password);
	gr_secret_wipe(password, sizeof(password));
	if (rc == 0 && centre)
		rc = gr_accounts_coach_centres(context->accounts, &user, NULL, user.handle, &centre, 1);
	if (rc) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	printf("Added %s (%s%s%s%s%s).\n", user.handle, gr_account_role_name(user.role),
	       user.cohort[0] ? ", cohort " : "", user.cohort, centre ? ", centre " : "",
	       centre ? centre : "");
	return 0;
}

static int print_user(const struct gr_user *user, void *payload)
{
	char created[32];

	format_time(created, sizeof(created), user->created_at);
	printf("%-20s %-8s %-16s %-9s %-16s %s\n", user->handle, gr_account_role_name(user->role),
	       user->cohort[0] ? user->cohort : "-", user->disabled_at ? "disabled" : "active",
	       created, user->display_name);
	++*(int *)payload;
	return 0;
}

static int user_list(struct context *context, int argc, char **argv)
{
	int count = 0;
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	printf("%-20s %-8s %-16s %-9s %-16s %s\n", "HANDLE", "ROLE", "COHORT", "STATUS", "JOINED",
	       "NAME");
	if (gr_store_user_each(context->store, print_user, &count) != 0) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	fprintf(stderr, "%d users\n", count);
	return 0;
}

/* The password for HANDLE: from stdin with --password-stdin, else asked twice. */
static int read_password(char *out, size_t size, const struct option *from_stdin)
{
	if (from_stdin->value ? read_line(out, size, stdin) : prompt_password(out, size)) {
		fprintf(stderr, "grounds: could not read a password\n");
		return -1;
	}
	return 0;
}

/* Report a failed account change; 1. */
static int account_failed(void)
{
	fprintf(stderr, "grounds: %s\n", gr_error_last());
	return 1;
}

static int user_passwd(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "password-stdin", 0, NULL } };
	char password[GR_PASSWORD_MAX + 2];
	struct gr_user user;
	int positional = parse_options(argc, argv, options, 1);
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 1)
		return usage_error("%s", "usage: user passwd HANDLE [--password-stdin]");
	if (read_password(password, sizeof(password), &options[0]) != 0)
		return 1;
	if ((rc = open_context(context)) != 0)
		return rc;
	rc = gr_auth_user_set_password(context->auth, &user, argv[0], password);
	gr_secret_wipe(password, sizeof(password));
	if (rc)
		return account_failed();
	printf("New password for %s; their sessions have ended.\n", user.handle);
	return 0;
}

static int user_enable(struct context *context, int argc, char **argv)
{
	struct gr_user user;
	int rc;

	if (argc != 1 || argv[0][0] == '-')
		return usage_error("%s", "usage: user enable HANDLE");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_auth_user_enable(context->auth, &user, argv[0]) != 0)
		return account_failed();
	printf("Enabled %s: they may sign in again.\n", user.handle);
	return 0;
}

static int user_role(struct context *context, int argc, char **argv)
{
	struct gr_user user;
	enum gr_role role;
	int rc;

	if (argc != 2 || argv[0][0] == '-')
		return usage_error("%s", "usage: user role HANDLE ROLE");
	if (gr_account_role_from_name(&role, argv[1]) != 0)
		return usage_error("%s", gr_error_last());
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_auth_user_set_role(context->auth, &user, argv[0], role) != 0)
		return account_failed();
	printf("%s is now %s%s%s; their open pages reload their rights.\n", user.handle,
	       gr_account_role_name(user.role),
	       user.role == GR_ROLE_COACH && user.cohort[0] ? ", coaching cohort " : "",
	       user.role == GR_ROLE_COACH ? user.cohort : "");
	return 0;
}

static int user_cohort(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "none", 0, NULL } };
	struct gr_user user;
	int positional = parse_options(argc, argv, options, 1);
	const char *cohort;
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 2 - (options[0].value != NULL))
		return usage_error("%s", "usage: user cohort HANDLE COHORT | user cohort HANDLE --none");
	cohort = options[0].value ? NULL : argv[1];
	if (cohort && gr_account_check_cohort(cohort) != 0)
		return usage_error("%s", gr_error_last());
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_auth_user_set_cohort(context->auth, &user, argv[0], cohort) != 0)
		return account_failed();
	if (!cohort)
		printf("%s is in no cohort now.\n", user.handle);
	else
		printf("%s is in cohort %s%s.\n", user.handle, cohort,
		       user.role == GR_ROLE_COACH ? ", and coaches it (only it)" : "");
	return 0;
}

/* grounds user centre HANDLE CENTRE...: the centres a coach belongs to. */
static int user_centre(struct context *context, int argc, char **argv)
{
	struct gr_user user;
	int rc;

	if (argc < 2 || argv[0][0] == '-')
		return usage_error("%s", "usage: user centre HANDLE CENTRE...");
	for (int i = 1; i < argc; i++)
		if (gr_account_check_centre(argv[i]) != 0)
			return usage_error("CENTRE: %s", gr_error_last());
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_accounts_coach_centres(context->accounts, &user, NULL, argv[0],
				      (const char *const *)argv + 1, (size_t)argc - 1) != 0)
		return account_failed();
	printf("%s coaches in %d centre%s now:", user.handle, argc - 1, argc == 2 ? "" : "s");
	for (int i = 1; i < argc; i++)
		printf("%s %s", i > 1 ? "," : "", argv[i]);
	printf(" (of their cohorts, those in these centres).\n");
	return 0;
}

static int print_coached(const char *cohort, void *payload)
{
	printf("%s%s", *(int *)payload ? ", " : "", cohort);
	++*(int *)payload;
	return 0;
}

static int user_show(struct context *context, int argc, char **argv)
{
	char created[32], disabled[32];
	struct gr_user user;
	int64_t sessions = 0;
	int coached = 0;
	int rc;

	if (argc != 1 || argv[0][0] == '-')
		return usage_error("%s", "usage: user show HANDLE");
	if ((rc = open_context(context)) != 0)
		return rc;
	rc = gr_store_user_by_handle(context->store, &user, argv[0]);
	if (rc == GR_ENOTFOUND)
		gr_error_set("There is no user '%.40s'.", argv[0]);
	if (rc || (rc = gr_store_session_count(context->store, &sessions, user.id,
					       gr_clock_now_ms())) != 0)
		return account_failed();
	format_time(created, sizeof(created), user.created_at);
	format_time(disabled, sizeof(disabled), user.disabled_at);
	printf("handle:   %s\nname:     %s\nrole:     %s\ncohort:   %s\n", user.handle,
	       user.display_name, gr_account_role_name(user.role),
	       user.cohort[0] ? user.cohort : "-");
	if (user.role == GR_ROLE_COACH) {
		printf("coaches:  ");
		if (gr_store_user_each_coached(context->store, user.id, print_coached, &coached))
			return account_failed();
		printf("%s\ncentres:  ", coached ? "" : "(no cohort)");
		coached = 0;
		if (gr_store_centre_each_of_coach(context->store, user.id, print_coached, &coached))
			return account_failed();
		printf("%s\n", coached ? "" : "(none)");
	}
	printf("status:   %s%s\njoined:   %s\nsessions: %lld open\n",
	       user.disabled_at ? "disabled since " : "active", user.disabled_at ? disabled : "",
	       created, (long long)sessions);
	return 0;
}

static int invite_revoke(struct context *context, int argc, char **argv)
{
	struct gr_invite invite;
	int rc;

	/* A code is base64url: it may begin with '-', so only --help is not one. */
	if (argc != 1 || strcmp(argv[0], "--help") == 0)
		return usage_error("%s", "usage: invite revoke CODE");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_auth_invite_revoke(context->auth, &invite, argv[0]) != 0)
		return account_failed();
	printf("Revoked the invite for a %s%s%s: it can no longer be used.\n",
	       gr_account_role_name(invite.role), invite.cohort[0] ? " in cohort " : "",
	       invite.cohort);
	return 0;
}

static int user_disable(struct context *context, int argc, char **argv)
{
	struct gr_user user;
	int rc;

	if (argc != 1 || argv[0][0] == '-')
		return usage_error("%s", "usage: user disable HANDLE");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_accounts_user_disable(context->accounts, &user, argv[0]) != 0)
		return account_failed();
	printf("Disabled %s; their sessions have ended.\n", user.handle);
	return 0;
}

/* ---- reset links and cohorts -------------------------------------------- */

static int user_reset(struct context *context, int argc, char **argv)
{
	char token[GR_TOKEN_TEXT_SIZE], base[512], until[32];
	struct gr_reset reset;
	struct gr_user user;
	int rc;

	if (argc != 1 || argv[0][0] == '-')
		return usage_error("%s", "usage: user reset HANDLE");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_accounts_reset_create(context->accounts, token, &reset, &user, NULL, argv[0]) != 0)
		return account_failed();
	gr_config_base_url(&context->config, base, sizeof(base));
	format_time(until, sizeof(until), reset.expires_at);
	printf("%s/reset/%s\n", base, token);
	fprintf(stderr, "One-time password reset link for %s (%s), valid until %s; it replaces any "
			"older link for them.\n", user.handle, user.display_name, until);
	return 0;
}

static int cohort_add(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "centre", 1, NULL } };
	char centre[GR_STORE_CENTRE_NAME_SIZE];
	const char *field = NULL;
	int positional = parse_options(argc, argv, options, 1);
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 1)
		return usage_error("%s", "usage: cohort add NAME [--centre CENTRE]");
	if (gr_account_check_cohort(argv[0]) != 0)
		return usage_error("%s", gr_error_last());
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_accounts_cohort_add(context->accounts, NULL, &field, argv[0], options[0].value)) {
		fprintf(stderr, "grounds: %s%s\n", field && strcmp(field, "centre") == 0 ? "--centre: " : "",
			gr_error_last());
		return 1;
	}
	if (gr_store_cohort_centre(context->store, centre, argv[0]) != 0)
		return account_failed();
	printf("Added the cohort %s to the centre %s.\n", argv[0], centre);
	return 0;
}

static int print_cohort(const struct gr_store_cohort *cohort, void *payload)
{
	char created[32];

	format_time(created, sizeof(created), cohort->created_at);
	printf("%-24s %8d %7d  %-16s  %s\n", cohort->name, cohort->learners, cohort->coaches,
	       created, cohort->centre);
	++*(int *)payload;
	return 0;
}

static int cohort_list(struct context *context, int argc, char **argv)
{
	int count = 0;
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	printf("%-24s %8s %7s  %-16s  %s\n", "COHORT", "LEARNERS", "COACHES", "ADDED", "CENTRE");
	if (gr_store_cohort_each(context->store, print_cohort, &count) != 0)
		return account_failed();
	fprintf(stderr, "%d cohorts\n", count);
	return 0;
}

/* ---- applications --------------------------------------------------------- */

static int print_application_line(const struct gr_store_application *row, void *payload)
{
	char created[32];

	format_time(created, sizeof(created), row->life.created_at);
	printf("%-6lld %-9s %-20s %-16s %s\n", (long long)row->life.id,
	       gr_application_state_name(row->life.state), row->centre, created, row->name);
	++*(int *)payload;
	return 0;
}

static int application_list(struct context *context, int argc, char **argv)
{
	int count = 0;
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	printf("%-6s %-9s %-20s %-16s %s\n", "ID", "STATE", "CENTRE", "SENT", "NAME");
	if (gr_applications_list(context->applications, NULL, print_application_line, &count))
		return account_failed();
	fprintf(stderr, "%d application%s\n", count, count == 1 ? "" : "s");
	return 0;
}

static int print_application(const struct gr_store_application *row, void *payload)
{
	char created[32], decided[32];

	(void)payload;
	format_time(created, sizeof(created), row->life.created_at);
	format_time(decided, sizeof(decided), row->life.decided_at);
	printf("id:         %lld\nstate:      %s\ncentre:     %s\nname:       %s\n"
	       "phone:      %s\ne-mail:     %s\nwhen:       %s\nsent:       %s\n",
	       (long long)row->life.id, gr_application_state_name(row->life.state), row->centre,
	       row->name, row->phone[0] ? row->phone : "-", row->email[0] ? row->email : "-",
	       row->when, created);
	if (row->life.decided_at)
		printf("decided:    %s by %s\n", decided, row->decided_by[0] ? row->decided_by : "-");
	if (row->message[0])
		printf("message:    %s\n", row->message);
	printf("motivation:\n%s\n", row->motivation);
	return 0;
}

static int application_show(struct context *context, int argc, char **argv)
{
	char *end = NULL;
	long long id = argc == 1 ? strtoll(argv[0], &end, 10) : 0;
	int rc;

	if (argc != 1 || !end || *end || id <= 0)
		return usage_error("%s", "usage: application show ID");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_applications_get(context->applications, NULL, id, print_application, NULL) != 0)
		return account_failed();
	return 0;
}

static int application_purge(struct context *context, int argc, char **argv)
{
	int count = 0;
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_applications_purge(context->applications, &count) != 0)
		return account_failed();
	printf("Deleted %d application%s decided %d days ago or more.\n", count,
	       count == 1 ? "" : "s", context->config.application_days);
	return 0;
}

/* ---- centres ------------------------------------------------------------- */

static int centre_add(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "borough", 1, NULL }, { "address", 1, NULL } };
	const char *field = NULL;
	int positional = parse_options(argc, argv, options, 2);
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 1)
		return usage_error("%s", "usage: centre add NAME [--borough B] [--address A]");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_accounts_centre_add(context->accounts, NULL, &field, argv[0], options[0].value,
				   options[1].value) != 0) {
		int flag = field && strcmp(field, "name") != 0; /* --borough or --address */

		fprintf(stderr, "grounds: %s%s%s%s\n", flag ? "--" : "", flag ? field : "",
			flag ? ": " : "", gr_error_last());
		return 1;
	}
	printf("Added the centre %s.\n", argv[0]);
	return 0;
}

static int print_centre(const struct gr_store_centre *centre, void *payload)
{
	printf("%-20s %7d %8d %7d  %-16s %s\n", centre->name, centre->cohorts, centre->learners,
	       centre->coaches, centre->borough[0] ? centre->borough : "-",
	       centre->address[0] ? centre->address : "-");
	++*(int *)payload;
	return 0;
}

static int centre_list(struct context *context, int argc, char **argv)
{
	int count = 0;
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	printf("%-20s %7s %8s %7s  %-16s %s\n", "CENTRE", "COHORTS", "LEARNERS", "COACHES",
	       "BOROUGH", "ADDRESS");
	if (gr_accounts_centres(context->accounts, NULL, print_centre, &count) != 0)
		return account_failed();
	fprintf(stderr, "%d centre%s\n", count, count == 1 ? "" : "s");
	return 0;
}

static int cohort_rename(struct context *context, int argc, char **argv)
{
	int rc;

	if (argc != 2 || argv[0][0] == '-' || argv[1][0] == '-')
		return usage_error("%s", "usage: cohort rename OLD NEW");
	if (gr_account_check_cohort(argv[1]) != 0)
		return usage_error("%s", gr_error_last());
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_accounts_cohort_rename(context->accounts, argv[0], argv[1]) != 0)
		return account_failed();
	printf("The cohort %s is now called %s: its learners, coaches and invites moved with it.\n",
	       argv[0], argv[1]);
	return 0;
}

static int invite_create(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "role", 1, NULL },
				    { "cohort", 1, NULL },
				    { "expires", 1, NULL },
				    { "centre", 1, NULL } };
	char code[GR_TOKEN_TEXT_SIZE], base[512], *end = NULL;
	struct gr_auth_invite_request request = { 0 };
	const char *field = NULL;
	struct gr_invite invite;
	long days = 0;
	int positional = parse_options(argc, argv, options, 4);
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 0 || !options[0].value)
		return usage_error("%s", "usage: invite create --role ROLE [--cohort C] "
					  "[--centre CENTRE] [--expires DAYS]");
	if (gr_account_role_from_name(&request.role, options[0].value) != 0)
		return usage_error("%s", gr_error_last());
	if (options[2].value) {
		days = strtol(options[2].value, &end, 10);
		if (*end || days < 1 || days > 365)
			return usage_error("--expires takes a number of days from 1 to 365, not '%s'",
					   options[2].value);
	}
	request.cohort = options[1].value;
	request.centre = options[3].value;
	request.days = (int)days;
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_auth_invite_make(context->auth, code, &invite, &field, NULL, &request) != 0) {
		fprintf(stderr, "grounds: %s%s%s%s\n", field ? "--" : "", field ? field : "",
			field ? ": " : "", gr_error_last());
		return 1;
	}
	gr_config_base_url(&context->config, base, sizeof(base));
	printf("%s/join/%s\n", base, code);
	fprintf(stderr, "One-time invite for a %s%s%s%s%s, valid for %ld days.\n",
		gr_account_role_name(request.role), invite.cohort[0] ? " in cohort " : "",
		invite.cohort, invite.centre[0] ? " in centre " : "", invite.centre,
		days ? days : (long)context->config.invite_days);
	return 0;
}

static int print_invite(const struct gr_invite *invite, void *payload)
{
	char created[32], expires[32], status[64];

	format_time(created, sizeof(created), invite->created_at);
	format_time(expires, sizeof(expires), invite->expires_at);
	if (invite->used_at)
		snprintf(status, sizeof(status), "used by %s", invite->used_by);
	else if (invite->revoked_at)
		snprintf(status, sizeof(status), "revoked");
	else if (invite->expires_at <= *(int64_t *)payload)
		snprintf(status, sizeof(status), "expired");
	else
		snprintf(status, sizeof(status), "open");
	printf("%-16s %-16s %-8s %-16s %-16s %-12s %s\n", created, expires,
	       gr_account_role_name(invite->role), invite->cohort[0] ? invite->cohort : "-",
	       invite->centre[0] ? invite->centre : "-",
	       invite->created_by[0] ? invite->created_by : "(operator)", status);
	return 0;
}

static int invite_list(struct context *context, int argc, char **argv)
{
	int64_t now = gr_clock_now_ms();
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	printf("%-16s %-16s %-8s %-16s %-16s %-12s %s\n", "CREATED", "EXPIRES", "ROLE", "COHORT",
	       "CENTRE", "BY", "STATUS");
	if (gr_store_invite_each(context->store, print_invite, &now) != 0) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	return 0;
}

/* ---- operating: backup, restore, check --------------------------------- */

/* Where the check works on a copy: never on the database groundsd writes. */
static void scratch_path(char *out, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, size, "%s/grounds-check-%ld.db", tmp && tmp[0] ? tmp : "/tmp",
		 (long)getpid());
}

static void remove_database(const char *path)
{
	char side[PATH_MAX + 16];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static void print_check_problem(const char *about, const char *problem, void *payload)
{
	printf("%s: %s\n", about, problem);
}

/* Every check on the database copy at path (which it may write); 0 clean, 1 not, or a code. */
static int check_copy(const char *path, const struct gr_config *config)
{
	struct gr_store *store = NULL;
	struct gr_library *library = NULL;
	int problems = 0, git = 0;
	int rc;

	gr_log_set_level(GR_LOG_WARN); /* the tracks and the engine loading are no news here */
	if ((rc = gr_store_open(&store, path)) != 0 || (rc = gr_git_init()) != 0)
		goto out;
	git = 1;
	if ((rc = gr_library_new(&library, store, NULL, (size_t)config->max_file_mib * 1024 * 1024)))
		goto out;
	gr_library_load(library);
	if ((rc = gr_check_run(&problems, store, library, print_check_problem, NULL)) != 0)
		goto out;
	rc = problems ? 1 : 0;
	if (problems)
		fprintf(stderr, "%d problem%s found\n", problems, problems == 1 ? "" : "s");
out:
	if (rc < 0)
		fprintf(stderr, "grounds: the check could not run: %s\n", gr_error_last());
	gr_library_free(library);
	gr_store_close(store);
	if (git)
		gr_git_shutdown();
	return rc;
}

static int check(struct context *context, int argc, char **argv)
{
	char scratch[PATH_MAX];
	int version, rc;

	if (argc > 1 || (argc == 1 && argv[0][0] == '-'))
		return usage_error("%s", "usage: check [FILE]");
	scratch_path(scratch, sizeof(scratch));
	remove_database(scratch);
	if (argc == 1) {
		/* A backup: SQLite's checks on the file itself, then the rest on a copy. */
		if (gr_store_backup_verify(argv[0], &version) != 0 ||
		    gr_store_backup_restore(scratch, argv[0]) != 0) {
			printf("database: %s\n", gr_error_last());
			remove_database(scratch);
			return 1;
		}
	} else {
		if ((rc = open_context(context)) != 0)
			return rc;
		if (gr_store_backup(context->store, scratch, 1) != 0) {
			fprintf(stderr, "grounds: %s\n", gr_error_last());
			return 1;
		}
	}
	rc = check_copy(scratch, &context->config);
	remove_database(scratch);
	snprintf(scratch + strlen(scratch), sizeof(scratch) - strlen(scratch), ".before-restore");
	unlink(scratch);
	if (rc == 0)
		fprintf(stderr, "%s: no problems (integrity, invites, reset links, sessions, help requests, "
				"progress, reviews)\n",
			argc ? argv[0] : context->config.data_dir);
	return rc == 0 ? 0 : 1;
}

/* The names a backup --into DIR gives: grounds-YYYYmmdd-HHMMSS.db, in time order. */
static int is_kept_backup(const struct dirent *entry)
{
	size_t len = strlen(entry->d_name);

	return strncmp(entry->d_name, "grounds-", 8) == 0 && len == strlen("grounds-YYYYmmdd-HHMMSS.db") &&
	       strcmp(entry->d_name + len - 3, ".db") == 0;
}

/* Remove the oldest of DIR's backups beyond keep. */
static int prune_backups(const char *dir, long keep)
{
	struct dirent **names = NULL;
	char path[PATH_MAX];
	int count = scandir(dir, &names, is_kept_backup, alphasort);
	int rc = 0;

	if (count < 0) {
		fprintf(stderr, "grounds: cannot list %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (i < count - keep) {
			if (unlink(path) != 0) {
				fprintf(stderr, "grounds: cannot remove %s: %s\n", path, strerror(errno));
				rc = 1;
			} else {
				fprintf(stderr, "Removed the old backup %s.\n", path);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int backup(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "into", 1, NULL }, { "keep", 1, NULL } };
	char path[PATH_MAX], stamp[32];
	int positional = parse_options(argc, argv, options, 2);
	long keep = 0;
	char *end = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if ((positional == 1) == (options[0].value != NULL) || (options[1].value && !options[0].value))
		return usage_error("%s", "usage: backup FILE | backup --into DIR [--keep N]");
	if (options[1].value) {
		keep = strtol(options[1].value, &end, 10);
		if (*end || keep < 1 || keep > 10000)
			return usage_error("--keep takes a number of backups from 1 to 10000, not '%s'",
					   options[1].value);
	}
	if (options[0].value) {
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(path, sizeof(path), "%s/grounds-%s.db", options[0].value, stamp);
		if ((rc = gr_files_make_dirs(options[0].value)) != 0) {
			fprintf(stderr, "grounds: %s\n", gr_error_last());
			return 1;
		}
	} else {
		snprintf(path, sizeof(path), "%s", argv[0]);
	}
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_store_backup(context->store, path, 0) != 0) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	printf("%s\n", path);
	fprintf(stderr, "Backed up %s to %s (checked). Keep the track repositories too "
			"(see 'grounds track list').\n",
		context->config.data_dir, path);
	return keep ? prune_backups(options[0].value, keep) : 0;
}

static int restore(struct context *context, int argc, char **argv)
{
	char database[PATH_MAX + 16], scratch[PATH_MAX];
	int lock_fd = -1, version, rc;

	if (argc != 1 || argv[0][0] == '-')
		return usage_error("%s", "usage: restore FILE");
	if ((rc = data_dir_exists(context)) != 0)
		return rc;
	if (gr_files_lock_data_dir(context->config.data_dir, &lock_fd) != 0) {
		fprintf(stderr, "grounds: %s: stop it first (e.g. systemctl stop groundsd), "
				"then restore\n", gr_error_last());
		return 1;
	}
	/* groundsd cannot start while the lock is held: check, then replace. */
	if (gr_store_backup_verify(argv[0], &version) != 0) {
		fprintf(stderr, "grounds: nothing changed: %s\n", gr_error_last());
		rc = 1;
		goto out;
	}
	scratch_path(scratch, sizeof(scratch));
	remove_database(scratch);
	if (gr_store_backup_restore(scratch, argv[0]) != 0 ||
	    (rc = check_copy(scratch, &context->config)) != 0) {
		if (rc <= 0)
			fprintf(stderr, "grounds: %s\n", gr_error_last());
		fprintf(stderr, "grounds: nothing changed: %s fails the check\n", argv[0]);
		rc = 1;
	}
	remove_database(scratch);
	snprintf(scratch + strlen(scratch), sizeof(scratch) - strlen(scratch), ".before-restore");
	unlink(scratch);
	if (rc)
		goto out;
	gr_files_database_path(database, sizeof(database), context->config.data_dir);
	if (gr_store_backup_restore(database, argv[0]) != 0) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		rc = 1;
		goto out;
	}
	printf("Restored %s (schema version %d) into %s.\n", argv[0], version,
	       context->config.data_dir);
	fprintf(stderr, "The database it replaced is kept as %s.before-restore. "
			"Start groundsd again.\n", database);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}

/* ---- tracks ----------------------------------------------------------- */

static void print_problems(FILE *out, const struct gr_problems *problems)
{
	for (int i = 0; i < problems->count; i++)
		fprintf(out, "%s:%d: %s\n", problems->items[i].file, problems->items[i].line,
			problems->items[i].message);
}

/* Load a track once, as groundsd would; prints why it cannot be served. */
static int load_track(struct gr_track **out, const struct gr_track_source *source,
		      struct gr_problems *problems, const struct gr_config *config)
{
	struct gr_track_source sized = *source;
	int rc;

	sized.max_blob = (size_t)config->max_file_mib * 1024 * 1024;
	if ((rc = gr_git_init()) != 0)
		return rc;
	rc = gr_track_load(out, &sized, problems);
	gr_git_shutdown();
	return rc;
}

static int track_check(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "ref", 1, NULL }, { "path", 1, NULL } };
	struct gr_problems problems = { 0 };
	struct gr_track_source source = { 0 };
	struct gr_track *track = NULL;
	int positional = parse_options(argc, argv, options, 2);
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 1)
		return usage_error("%s", "usage: track check PATH [--ref REF] [--path SUBDIR]");
	source.id = "check";
	source.repo = argv[0];
	source.ref = options[0].value;
	source.subdir = options[1].value;
	rc = load_track(&track, &source, &problems, &context->config);
	print_problems(stdout, &problems);
	if (rc && problems.count == 0)
		printf("%s: %s\n", argv[0], gr_error_last());
	if (rc == 0 && problems.count == 0)
		fprintf(stderr, "%s: %d steps in %d modules, no problems\n", track->title,
			track->step_count, track->module_count);
	rc = rc || problems.count ? 1 : 0;
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	return rc;
}

static int track_add(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "ref", 1, NULL }, { "path", 1, NULL } };
	struct gr_problems problems = { 0 };
	struct gr_track_source source = { 0 };
	struct gr_track_entry entry = { 0 };
	struct gr_track *track = NULL;
	char repo[PATH_MAX];
	int positional = parse_options(argc, argv, options, 2);
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 2)
		return usage_error("%s", "usage: track add ID REPO [--ref REF] [--path SUBDIR]");
	if (!gr_manifest_valid_id(argv[0]) || strchr(argv[0], '/'))
		return usage_error("a track id is 1-128 characters of a-z, A-Z, 0-9, _ - ., not '%s'",
				   argv[0]);
	if (!realpath(argv[1], repo)) {
		fprintf(stderr, "grounds: no repository at %s\n", argv[1]);
		return 1;
	}
	source.id = argv[0];
	source.repo = repo;
	source.ref = options[0].value;
	source.subdir = options[1].value;
	rc = load_track(&track, &source, &problems, &context->config);
	print_problems(stderr, &problems);
	if (rc) {
		fprintf(stderr, "grounds: %s cannot be served: %s\n", argv[1], gr_error_last());
		gr_manifest_problems_clear(&problems);
		return 1;
	}
	snprintf(entry.id, sizeof(entry.id), "%s", argv[0]);
	snprintf(entry.repo, sizeof(entry.repo), "%s", repo);
	snprintf(entry.ref, sizeof(entry.ref), "%s", options[0].value ? options[0].value : "");
	snprintf(entry.subdir, sizeof(entry.subdir), "%s", options[1].value ? options[1].value : "");
	entry.added_at = gr_clock_now_ms();
	if ((rc = open_context(context)) == 0 && (rc = gr_store_track_insert(context->store, &entry)))
		fprintf(stderr, "grounds: %s\n", gr_error_last());
	if (rc == 0)
		printf("Added track %s: %s, %d steps at commit %.12s%s\n", entry.id, track->title,
		       track->step_count, track->commit,
		       problems.count ? " (with the problems above)" : "");
	gr_track_release(track);
	gr_manifest_problems_clear(&problems);
	return rc ? 1 : 0;
}

static int print_track(const struct gr_track_entry *entry, void *payload)
{
	struct context *context = payload;
	struct gr_track_source source = { entry->id, entry->repo, entry->ref, entry->subdir, NULL, 0 };
	struct gr_track *track = NULL;

	if (load_track(&track, &source, NULL, &context->config) == 0)
		printf("%-24s %-12.12s %5d  %s\n", entry->id, track->commit, track->step_count,
		       track->title);
	else
		printf("%-24s %-12s %5s  (cannot be read: %s)\n", entry->id, "-", "-", gr_error_last());
	gr_track_release(track);
	return 0;
}

static int track_list(struct context *context, int argc, char **argv)
{
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	printf("%-24s %-12s %5s  %s\n", "ID", "COMMIT", "STEPS", "TITLE");
	if (gr_store_track_each(context->store, print_track, context) != 0) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	return 0;
}

static int track_remove(struct context *context, int argc, char **argv)
{
	int rc;

	if (argc != 1 || argv[0][0] == '-')
		return usage_error("%s", "usage: track remove ID");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_store_track_delete(context->store, argv[0]) != 0) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	printf("Removed track %s; progress on it is kept.\n", argv[0]);
	return 0;
}

/* ---- export ----------------------------------------------------------- */

struct find_track {
	const char *id;
	struct gr_track_entry entry;
	int found;
};

static int find_track(const struct gr_track_entry *entry, void *payload)
{
	struct find_track *find = payload;

	if (strcmp(entry->id, find->id) != 0)
		return 0;
	find->entry = *entry;
	find->found = 1;
	return 1;
}

static int export_progress(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "cohort", 1, NULL }, { "track", 1, NULL } };
	struct find_track find = { 0 };
	struct gr_track_source source = { 0 };
	struct gr_track *track = NULL;
	int positional = parse_options(argc, argv, options, 2);
	size_t len;
	char *csv;
	int rc;

	if (positional < 0)
		return USAGE_ERROR;
	if (positional != 0 || !options[0].value || !options[0].value[0] || !options[1].value ||
	    !options[1].value[0])
		return usage_error("%s", "usage: export progress --cohort C --track T");
	if ((rc = open_context(context)) != 0)
		return rc;
	find.id = options[1].value;
	if (gr_store_track_each(context->store, find_track, &find) != 0) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	if (!find.found) {
		fprintf(stderr, "grounds: there is no track '%s' (see 'grounds track list')\n",
			find.id);
		return 1;
	}
	source.id = find.entry.id;
	source.repo = find.entry.repo;
	source.ref = find.entry.ref;
	source.subdir = find.entry.subdir;
	if (load_track(&track, &source, NULL, &context->config) != 0) {
		fprintf(stderr, "grounds: track %s cannot be read: %s\n", find.id, gr_error_last());
		return 1;
	}
	rc = gr_export_progress_csv(context->store, track, options[0].value, &csv, &len);
	gr_track_release(track);
	if (rc) {
		fprintf(stderr, "grounds: %s\n", gr_error_last());
		return 1;
	}
	rc = fwrite(csv, 1, len, stdout) != len || fflush(stdout) != 0;
	free(csv);
	if (rc)
		fprintf(stderr, "grounds: cannot write the CSV\n");
	return rc ? 1 : 0;
}

/* ---- partner projects ------------------------------------------------------ */

static int print_project_line(const struct gr_store_project *row, void *payload)
{
	++*(int *)payload;
	printf("%-6lld %-9s %-20s %-16s %-14s %s\n", (long long)row->life.id,
	       gr_project_state_name(row->life.state), row->centre, row->partner_handle,
	       row->track_id[0] ? row->track_id : "-", row->title);
	return 0;
}

static int project_list(struct context *context, int argc, char **argv)
{
	int count = 0;
	int rc;

	if (argc)
		return usage_error("unexpected '%s'", argv[0]);
	if ((rc = open_context(context)) != 0)
		return rc;
	printf("%-6s %-9s %-20s %-16s %-14s %s\n", "ID", "STATE", "CENTRE", "PARTNER", "TRACK",
	       "TITLE");
	if (gr_store_project_each(context->store, print_project_line, &count) != 0)
		return account_failed();
	fprintf(stderr, "%d project%s\n", count, count == 1 ? "" : "s");
	return 0;
}

static int print_text_item(const char *text, void *payload)
{
	printf("%s%s", *(int *)payload ? ", " : "", text);
	++*(int *)payload;
	return 0;
}

static int print_member(int64_t id, void *payload)
{
	struct context *context = payload;
	struct gr_user user;

	if (gr_store_user_by_id(context->store, &user, id) == 0)
		printf(" %s", user.handle);
	return 0;
}

static int print_team(const struct gr_store_project_team *team, void *payload)
{
	printf("team:       %lld %s (%s, %d):", (long long)team->id, team->name,
	       team->cohort[0] ? team->cohort : "-", team->members);
	gr_store_project_team_each_member(((struct context *)payload)->store, team->id, print_member,
				  payload);
	printf("%s\n", team->author_id ? ", handed in" : "");
	return 0;
}

static int print_project(const struct gr_store_project *row, void *payload)
{
	struct context *context = payload;
	char created[32], decided[32];
	int cohorts = 0;

	format_time(created, sizeof(created), row->life.created_at);
	format_time(decided, sizeof(decided), row->life.decided_at);
	printf("id:         %lld\ntitle:      %s\nstate:      %s\ncentre:     %s\n"
	       "partner:    %s (%s)\nteam size:  %d\ntrack:      %s\nwritten:    %s\n"
	       "approved:   %s\ncohorts:    ",
	       (long long)row->life.id, row->title, gr_project_state_name(row->life.state),
	       row->centre, row->partner_handle, row->partner_name, row->life.team_size,
	       row->track_id[0] ? row->track_id : "-", created, decided);
	gr_store_project_each_cohort(context->store, row->life.id, print_text_item, &cohorts);
	printf("%s\n", cohorts ? "" : "-");
	if (row->note[0])
		printf("note:       %s\n", row->note);
	return gr_store_project_team_each(context->store, row->life.id, print_team, context);
}

static int project_show(struct context *context, int argc, char **argv)
{
	char *end = NULL;
	long long id = argc == 1 ? strtoll(argv[0], &end, 10) : 0;
	int rc;

	if (argc != 1 || !end || *end || id <= 0)
		return usage_error("%s", "usage: project show ID");
	if ((rc = open_context(context)) != 0)
		return rc;
	if (gr_store_project_by_id(context->store, id, print_project, context) != 0)
		return account_failed();
	return 0;
}

/* project add --track ID --partner HANDLE --centre NAME --team-size N: a track in git, linked. */
static int project_add(struct context *context, int argc, char **argv)
{
	struct option options[] = { { "track", 1, NULL },
				    { "partner", 1, NULL },
				    { "centre", 1, NULL },
				    { "team-size", 1, NULL } };
	struct gr_library *library = NULL;
	struct gr_projects *projects = NULL;
	char *end = NULL;
	long size;
	int64_t id = 0;
	int positional = parse_options(argc, argv, options, 4), git = 0, rc;

	if (positional < 0)
		return 2;
	if (positional > 0 || !options[0].value || !options[1].value || !options[2].value ||
	    !options[3].value)
		return usage_error("%s", "usage: project add --track ID --partner HANDLE "
					 "--centre NAME --team-size N");
	size = strtol(options[3].value, &end, 10);
	if (!end || *end || size < GR_PROJECT_TEAM_MIN || size > GR_PROJECT_TEAM_MAX)
		return usage_error("%s", "--team-size is 2 to 6");
	if ((rc = open_context(context)) != 0)
		return rc;
	gr_log_set_level(GR_LOG_WARN);
	if ((rc = gr_git_init()) == 0) {
		git = 1;
		rc = gr_library_new(&library, context->store, NULL,
				    (size_t)context->config.max_file_mib * 1024 * 1024);
	}
	if (rc == 0) {
		gr_library_load(library);
		rc = gr_projects_new(&projects, context->store, library, context->config.data_dir,
				     NULL);
	}
	if (rc == 0)
		rc = gr_projects_link(projects, &id, options[0].value, options[1].value,
				      options[2].value, (int)size);
	if (rc == 0)
		printf("Project %lld: the track %s, open, for %s's learners, with %s as partner; "
		       "open it to cohorts in the web client.\n",
		       (long long)id, options[0].value, options[2].value, options[1].value);
	else
		fprintf(stderr, "grounds: %s\n", gr_error_last());
	gr_projects_free(projects);
	gr_library_free(library);
	if (git)
		gr_git_shutdown();
	return rc ? 1 : 0;
}

static const struct command commands[] = {
	{ "user", "add",
	  "user add HANDLE --role ROLE [--cohort C] [--centre CENTRE] [--name NAME] "
	  "[--password-stdin]",
	  user_add },
	{ "user", "list", "user list", user_list },
	{ "user", "disable", "user disable HANDLE", user_disable },
	{ "user", "enable", "user enable HANDLE", user_enable },
	{ "user", "passwd", "user passwd HANDLE [--password-stdin]", user_passwd },
	{ "user", "role", "user role HANDLE ROLE", user_role },
	{ "user", "cohort", "user cohort HANDLE COHORT | user cohort HANDLE --none", user_cohort },
	{ "user", "centre", "user centre HANDLE CENTRE...", user_centre },
	{ "user", "show", "user show HANDLE", user_show },
	{ "user", "reset", "user reset HANDLE", user_reset },
	{ "centre", "add", "centre add NAME [--borough B] [--address A]", centre_add },
	{ "centre", "list", "centre list", centre_list },
	{ "cohort", "add", "cohort add NAME [--centre CENTRE]", cohort_add },
	{ "application", "list", "application list", application_list },
	{ "application", "show", "application show ID", application_show },
	{ "application", "purge", "application purge", application_purge },
	{ "cohort", "list", "cohort list", cohort_list },
	{ "cohort", "rename", "cohort rename OLD NEW", cohort_rename },
	{ "invite", "create",
	  "invite create --role ROLE [--cohort C] [--centre CENTRE] [--expires DAYS]",
	  invite_create },
	{ "invite", "list", "invite list", invite_list },
	{ "invite", "revoke", "invite revoke CODE", invite_revoke },
	{ "track", "add", "track add ID REPO [--ref REF] [--path SUBDIR]", track_add },
	{ "track", "list", "track list", track_list },
	{ "track", "remove", "track remove ID", track_remove },
	{ "track", "check", "track check PATH [--ref REF] [--path SUBDIR]", track_check },
	{ "project", "list", "project list", project_list },
	{ "project", "show", "project show ID", project_show },
	{ "project", "add",
	  "project add --track ID --partner HANDLE --centre NAME --team-size N", project_add },
	{ "export", "progress", "export progress --cohort C --track T", export_progress },
	{ "backup", NULL, "backup FILE | backup --into DIR [--keep N]", backup },
	{ "restore", NULL, "restore FILE", restore },
	{ "check", NULL, "check [FILE]", check },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: grounds [--config FILE] [--data-dir DIR] [--init] COMMAND ...\n"
		     "       grounds --help | --version\n\n"
		     "The operator's tool for a grounds instance; safe to use while groundsd runs.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  grounds %s\n", commands[i].usage);
	fprintf(out, "\nROLE is learner, coach, admin or partner. Without --password-stdin, user add\n"
		     "asks for the password on the terminal. invite create --centre names the\n"
		     "centre a coach who joins with it belongs to; an invite for a learner takes\n"
		     "its centre from its --cohort (a --centre given must be that one), and one\n"
		     "for an admin or a partner names none. The config file is --config FILE, else\n"
		     "$GROUNDS_CONFIG, else the first that exists of:\n");
	fprintf(out, "  %s\n", GR_INSTALLED_CONFIG);
	if (strcmp(GR_INSTALLED_CONFIG, GR_SYSTEM_CONFIG) != 0)
		fprintf(out, "  %s\n", GR_SYSTEM_CONFIG);
	fprintf(out, "Links use its public_url. --data-dir defaults to its data_dir, else\n"
		     "./grounds-data, and must exist unless --init is given. export progress writes\n"
		     "CSV (one row per learner of the cohort and step of the track) to standard\n"
		     "output.\n"
		     "backup writes a checked copy of the database while groundsd runs; --into DIR\n"
		     "names it by the time and --keep N removes all but the newest N there.\n"
		     "restore refuses while groundsd runs, checks FILE, keeps the replaced\n"
		     "database as grounds.db.before-restore. check runs SQLite's integrity check\n"
		     "and every domain checker on a copy of the database (or on FILE); exit\n"
		     "status 1 when it finds a problem.\n");
}

/*
 * Global options come before the command; returns the index of the command.
 * The config file is read first, so --data-dir overrides it wherever it stands.
 */
static int global_options(struct context *context, int argc, char **argv)
{
	const char *config = NULL;
	int explicit = 0, i = 1;

	for (int c = 1; c + 1 < argc && strncmp(argv[c], "--", 2) == 0; c++)
		if (strcmp(argv[c], "--config") == 0)
			config = argv[c + 1], explicit = 1;
	if (!config && getenv("GROUNDS_CONFIG"))
		config = getenv("GROUNDS_CONFIG"), explicit = 1; /* "": no file at all */
	if (!config && access(GR_INSTALLED_CONFIG, F_OK) == 0)
		config = GR_INSTALLED_CONFIG;
	if (!config && access(GR_SYSTEM_CONFIG, F_OK) == 0)
		config = GR_SYSTEM_CONFIG;
	if (config && config[0] && gr_config_load_file(&context->config, config) != 0) {
		fprintf(stderr, "grounds: %s%s\n", gr_error_last(),
			explicit ? "" : " (the system's config; choose another with --config)");
		exit(USAGE_ERROR);
	}
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("grounds %s\n", GR_VERSION);
			exit(0);
		} else if (strcmp(argv[i], "--init") == 0) {
			context->init = 1;
		} else if (strcmp(argv[i], "--config") == 0 && value) {
			i++; /* read above */
		} else if (strcmp(argv[i], "--data-dir") == 0 && value) {
			if (gr_config_set(&context->config, "data_dir", value) != 0)
				exit(usage_error("%s", gr_error_last()));
			i++;
		} else {
			exit(usage_error(value ? "unknown option '%s'" : "%s needs a value", argv[i]));
		}
	}
	return i;
}

static int is_group(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].group) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct context context;
	int first, rc = USAGE_ERROR;

	memset(&context, 0, sizeof(context));
	gr_config_defaults(&context.config);
	first = global_options(&context, argc, argv);
	if (first >= argc) {
		usage(stderr);
		return USAGE_ERROR;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!commands[i].verb && strcmp(argv[first], commands[i].group) == 0) {
			rc = commands[i].run(&context, argc - first - 1, argv + first + 1);
			goto out;
		}
		if (commands[i].verb && first + 1 < argc &&
		    strcmp(argv[first], commands[i].group) == 0 &&
		    strcmp(argv[first + 1], commands[i].verb) == 0) {
			rc = commands[i].run(&context, argc - first - 2, argv + first + 2);
			goto out;
		}
	}
	if (first + 1 < argc && is_group(argv[first]))
		fprintf(stderr, "grounds: unknown command '%s %s' (see --help)\n", argv[first],
			argv[first + 1]);
	else if (is_group(argv[first]))
		fprintf(stderr, "grounds: '%s' needs a command (see --help)\n", argv[first]);
	else
		usage_error("unknown command '%s' (see --help)", argv[first]);
out:
	gr_applications_free(context.applications);
	gr_accounts_free(context.accounts);
	gr_auth_free(context.auth);
	gr_store_close(context.store);
	return rc;
}
