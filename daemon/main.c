/*
 * main.c - groundsd: read the settings, open the data directory, wire the
 * modules together, serve until SIGINT or SIGTERM (SIGHUP reloads the
 * settings that allow it), then shut down in order.
 * Exit status: 0 after a clean stop, 1 when something failed at run time,
 * 2 for a bad command line or config file.
 */
#include "net/api.h"
#include "services/accounts.h"
#include "services/applications.h"
#include "services/auth.h"
#include "services/board.h"
#include "core/config.h"
#include "core/error.h"
#include "core/files.h"
#include "tracks/git.h"
#include "services/helpdesk.h"
#include "tracks/library.h"
#include "services/live.h"
#include "core/log.h"
#include "core/metrics.h"
#include "net/net.h"
#include "services/nudges.h"
#include "services/outcomes.h"
#include "services/portfolio.h"
#include "services/projects.h"
#include "services/reflections.h"
#include "services/peers.h"
#include "services/inbox.h"
#include "services/reviews.h"
#include "core/secret.h"
#include "store/checkpoint.h"
#include "store/store.h"
#include "services/turn.h"
#include "core/workers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>


static void usage(FILE *out)
{
	fprintf(out,
		"Usage: groundsd [--config FILE] [--data-dir DIR] [--listen HOST:PORT]\n"
		"                [--log-level LEVEL]\n"
		"       groundsd --help | --version\n"
		"\n"
		"Serves grounds: learning tracks, progress, peer review and the coaches' board.\n"
		"\n"
		"  --config FILE       read settings from FILE (lines of 'key = value')\n"
		"  --data-dir DIR      same as the data_dir setting\n"
		"  --listen HOST:PORT  same as the listen setting\n"
		"  --log-level LEVEL   same as the log_level setting\n"
		"  --help              show this help and exit\n"
		"  --version           show the version and exit\n"
		"\n"
		"Flags override the config file. Settings (key, default, meaning):\n");
	gr_config_print_keys(out);
	fprintf(out, "\nLogs go to stderr. See docs/configuration.md.\n");
}


static void announce(const struct gr_config *config, struct gr_auth *auth)
{
	char base[512], code[GR_TOKEN_TEXT_SIZE];
	struct gr_invite invite;
	int rc;

	gr_config_base_url(config, base, sizeof(base));
	rc = gr_auth_first_start(auth, code, &invite);
	if (rc == 0) {
		printf("First start: create the admin account with this one-time link\n"
		       "(valid for 24 hours, and only until an admin account exists):\n"
		       "  %s/join/%s\n",
		       base, code);
		gr_log_info("first start: made the one-time admin invite, valid for 24 hours and "
			    "only until an admin account exists");
	} else if (rc != GR_ENOTFOUND) {
		gr_log_error("could not make the first admin invite: %s", gr_error_last());
	}
	printf("grounds is running: open %s/\n", base);
}

struct daemon {
	struct gr_config *config;
	int argc;
	char **argv;
	struct gr_store *store;
	struct gr_workers *workers;
	struct gr_auth *auth;
	struct gr_accounts *accounts;
	struct gr_applications *applications;
	struct gr_library *library;
	struct gr_turn *turn;
	struct gr_live *live;
	struct gr_reviews *reviews;
	struct gr_board *board;
	struct gr_helpdesk *helpdesk;
	struct gr_nudges *nudges;
	struct gr_reflections *reflections;
	struct gr_portfolio *portfolio;
	struct gr_projects *projects;
	struct gr_outcomes *outcomes;
	struct gr_peers *peers;
	struct gr_inbox *inbox;
	struct gr_api *api;
	struct gr_net *net;
	int lock_fd;
	int git_started;
	long ticks;
};

#define HOUSEKEEPING_SECONDS 300
#define REVIEW_TICK_SECONDS 60
/* The log's size, in pages, at which a worker checkpoints it (SQLite's own default). */
#define CHECKPOINT_PAGES 1000

static void log_change(const char *key, int reloadable, void *payload)
{
	if (reloadable)
		gr_log_info("reload: %s changed and applies now", key);
	else
		gr_log_warn("reload: %s changed but needs a restart of groundsd to apply", key);
}

/* The accounts' settings, sign-in limits included, from the config. */
static void auth_settings(struct gr_auth_settings *out, const struct gr_config *config)
{
	gr_auth_settings_defaults(out);
	out->invite_days = config->invite_days;
	out->session_days = config->session_days;
	out->max_failures = config->signin_free_tries;
	out->delay_ms = (int64_t)config->signin_delay_seconds * 1000;
	out->failure_window_ms = (int64_t)config->signin_max_delay_minutes * 60 * 1000;
	out->address_failures = config->signin_address_failures;
	if (out->delay_ms > out->failure_window_ms)
		out->delay_ms = out->failure_window_ms;
}

/*
 * SIGHUP: read the config file and the command line again, as at start;
 * the settings that allow it apply at once, the others are logged as
 * needing a restart. A file that does not parse changes nothing.
 */
static void reload(void *payload)
{
	struct daemon *d = payload;
	struct gr_config loaded;
	struct gr_auth_settings settings;
	enum gr_config_action action;

	gr_config_defaults(&loaded);
	if (gr_config_from_args(&loaded, &action, d->argc, d->argv) != 0) {
		gr_log_error("reload: %s; keeping the running settings", gr_error_last());
		return;
	}
	gr_log_info("reload: read the settings again");
	gr_config_reload(d->config, &loaded, log_change, NULL);
	gr_log_set_level((enum gr_log_level)d->config->log_level);
	if (gr_store_set_durability(d->store, d->config->durability_fast ? GR_STORE_FAST
									: GR_STORE_DURABLE) != 0)
		gr_log_error("reload: durability: %s", gr_error_last());
	auth_settings(&settings, d->config);
	if (gr_auth_set_limits(d->auth, &settings) != 0)
		gr_log_error("reload: sign-in limits: %s", gr_error_last());
}

/*
 * A change of auth's ended sessions or rights: their open connections close at
 * once. A new account: the boards of its cohort show it. A new role or
 * cohort: the boards of the cohort left drop the learner, those of the
 * cohort joined show them.
 */
static void sessions_changed(void *payload, const struct gr_auth_change *change)
{
	struct gr_live *live = payload;

	if (change->joined) {
		gr_live_members_changed(live);
	} else if (change->session) {
		gr_live_end_session(live, change->session);
	} else {
		gr_live_end_user(live, change->user_id, change->keep,
				 change->rights ? GR_LIVE_CLOSE_RIGHTS_CHANGED
						: GR_LIVE_CLOSE_SESSION_ENDED);
		if (change->rights)
			gr_live_members_changed(live);
	}
}

/* Applications are kept no longer than application_days after their decision. */
/* Partner projects: their briefs become tracks under the data directory's tracks/. */
static int start_projects(struct daemon *d, const struct gr_config *config)
{
	char data_dir[PATH_MAX];
	int rc;

	if (!realpath(config->data_dir, data_dir))
		snprintf(data_dir, sizeof(data_dir), "%s", config->data_dir);
	if ((rc = gr_projects_new(&d->projects, d->store, d->library, data_dir, NULL)) != 0)
		return rc;
	gr_projects_set_turn(d->projects, d->turn);
	gr_projects_set_live(d->projects, d->live);
	gr_projects_set_workers(d->projects, d->workers);
	return 0;
}

static void purge_applications(struct daemon *d)
{
	int count = 0;

	if (gr_applications_purge(d->applications, &count) != 0)
		gr_log_warn("could not delete old applications: %s", gr_error_last());
}

static void application_settings(struct gr_applications_settings *out,
				 const struct gr_config *config)
{
	out->keep_days = config->application_days;
	out->per_hour = config->apply_per_hour;
}

/* A tick over this many microseconds says in the debug log where its time went. */
#define TICK_SLOW_US 5000

/* About once a second, on the loop thread. */
static void tick(void *payload)
{
	struct daemon *d = payload;
	int64_t at[6];

	d->ticks++;
	at[0] = gr_metrics_clock_us();
	if (d->ticks % d->config->track_check_seconds == 0)
		gr_library_check(d->library);
	at[1] = gr_metrics_clock_us();
	if (d->ticks % REVIEW_TICK_SECONDS == 1)
		gr_reviews_tick(d->reviews);
	at[2] = gr_metrics_clock_us();
	gr_helpdesk_tick(d->helpdesk);
	at[3] = gr_metrics_clock_us();
	gr_live_tick(d->live);
	at[4] = gr_metrics_clock_us();
	if (d->ticks % HOUSEKEEPING_SECONDS == 0) {
		gr_auth_housekeeping(d->auth);
		gr_live_housekeeping(d->live);
		purge_applications(d);
	}
	at[5] = gr_metrics_clock_us();
	if (at[5] - at[0] > TICK_SLOW_US)
		gr_log_debug("the tick took %.1f ms: tracks %.1f, reviews %.1f, help %.1f, "
			     "boards %.1f, housekeeping %.1f",
			     (double)(at[5] - at[0]) / 1000, (double)(at[1] - at[0]) / 1000,
			     (double)(at[2] - at[1]) / 1000, (double)(at[3] - at[2]) / 1000,
			     (double)(at[4] - at[3]) / 1000, (double)(at[5] - at[4]) / 1000);
}

/*
 * Each connection is a descriptor: the soft open-file limit is set to
 * max_open_files (a shell's default of 1024 would cap the connections near
 * 1,000), within the hard limit, before libwebsockets sizes its table of
 * descriptors from it. Not simply the hard limit: Debian's libwebsockets
 * walks that whole table at every close (about 1 µs per 1,000 entries, on
 * top of some 35 µs a close), and a hard limit of a million would make each
 * close cost a millisecond.
 */
static void set_file_limit(int max_open_files)
{
	struct rlimit limit;
	rlim_t want = (rlim_t)max_open_files;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
		return;
	if (limit.rlim_max != RLIM_INFINITY && want > limit.rlim_max) {
		gr_log_warn("max_open_files is %d, but the open-file limit may not go over %llu: "
			    "fewer connections can be open (raise it, e.g. LimitNOFILE= in the "
			    "service unit)",
			    max_open_files, (unsigned long long)limit.rlim_max);
		want = limit.rlim_max;
	}
	limit.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
		gr_log_warn("could not set the open-file limit to %llu: %s",
			    (unsigned long long)want, strerror(errno));
}

/* On the first start, the sample tracks become real tracks served from git. */
static void add_samples(struct daemon *d)
{
	char courses[PATH_MAX], data_dir[PATH_MAX];
	int added = 0;

	gr_files_share_dir(courses, sizeof(courses), "courses");
	if (!realpath(d->config->data_dir, data_dir) ||
	    gr_library_add_samples(&added, d->store, courses, data_dir, gr_clock_now_ms()) != 0)
		gr_log_warn("could not add the sample tracks: %s", gr_error_last());
	else if (added)
		gr_log_info("first start: added %d sample tracks from %s", added, courses);
}

/* Texts stored before their HTML was (schema 7) get it now, before anyone reads them. */
static int render_stored(struct gr_live *live)
{
	int count = 0;
	int rc = gr_live_render_stored(live, &count);

	if (rc != 0)
		gr_log_error("rendering stored texts: %s", gr_error_last());
	else if (count > 0)
		gr_log_info("rendered %d stored texts written before their HTML was kept", count);
	return rc;
}

/* The review engine, rebuilt from the store, answering through the live service. */
static int start_reviews(struct daemon *d, const struct gr_config *config)
{
	struct gr_reviews_settings settings;
	int rc;

	gr_reviews_settings_defaults(&settings);
	settings.lease_ms = (int64_t)config->review_lease_hours * 60 * 60 * 1000;
	settings.lease_online_ms = (int64_t)config->review_lease_online_hours * 60 * 60 * 1000;
	settings.push_cap = config->review_push_cap;
	settings.coach_after_ms = (int64_t)config->coach_after_hours * 60 * 60 * 1000;
	settings.double_blind = config->double_blind;
	if ((rc = gr_reviews_new(&d->reviews, d->store, d->library, d->turn, &settings)) != 0)
		return rc;
	return gr_reviews_attach(d->reviews, d->live);
}

/* The coaches' boards, help from peers, nudges, peers' shared work and the inbox, answering through the live service. */
static int start_coaching(struct daemon *d, const struct gr_config *config)
{
	struct gr_board_settings board;
	struct gr_helpdesk_settings help;
	int rc;

	gr_board_settings_defaults(&board);
	board.inactive_days = config->inactive_days;
	board.flag_days = config->event_days;
	board.workers = d->workers;
	gr_helpdesk_settings_defaults(&help);
	help.help.wave_size = config->help_wave_size;
	help.help.wave_ms = (int64_t)config->help_wave_minutes * GR_HELP_MINUTE_MS;
	help.help.expire_ms = (int64_t)config->help_expire_minutes * GR_HELP_MINUTE_MS;
	if ((rc = gr_board_new(&d->board, d->store, d->library, d->reviews, &board)) != 0 ||
	    (rc = gr_helpdesk_new(&d->helpdesk, d->store, d->library, d->turn, &help)) != 0 ||
	    (rc = gr_nudges_new(&d->nudges, d->store, d->turn, NULL)) != 0 ||
	    (rc = gr_peers_new(&d->peers, d->store, d->library, d->turn, NULL)) != 0 ||
	    (rc = gr_inbox_new(&d->inbox, d->store, d->turn, NULL)) != 0 ||
	    (rc = gr_reflections_new(&d->reflections, d->store, d->library, d->turn, NULL)) != 0)
		return rc;
	if ((rc = gr_board_attach(d->board, d->live)) != 0 ||
	    (rc = gr_helpdesk_attach(d->helpdesk, d->live)) != 0 ||
	    (rc = gr_peers_attach(d->peers, d->live)) != 0 ||
	    (rc = gr_inbox_attach(d->inbox, d->live)) != 0 ||
	    (rc = gr_reflections_attach(d->reflections, d->live)) != 0)
		return rc;
	return gr_nudges_attach(d->nudges, d->live);
}

static int serve(struct daemon *d, const struct gr_config *config)
{
	struct gr_auth_settings settings;
	struct gr_live_settings live_settings;
	struct gr_api_parts api_parts;
	struct gr_applications_settings applications;
	struct gr_net_parts parts;
	char db_path[PATH_MAX + 16];
	int rc;

	auth_settings(&settings, config);
	gr_files_database_path(db_path, sizeof(db_path), config->data_dir);
	if ((rc = gr_files_make_dirs(config->data_dir)) ||
	    (rc = gr_files_lock_data_dir(config->data_dir, &d->lock_fd)) ||
	    (rc = gr_secret_init()) || (rc = gr_store_open(&d->store, db_path)) ||
	    (rc = gr_store_set_durability(d->store, config->durability_fast ? GR_STORE_FAST
									   : GR_STORE_DURABLE)) ||
	    (rc = gr_workers_start(&d->workers, config->workers)) ||
	    (rc = gr_store_checkpoint_offload(d->store, d->workers, CHECKPOINT_PAGES)) ||
	    (rc = gr_auth_new(&d->auth, d->store, d->workers, &settings)) ||
	    (rc = gr_git_init()))
		return rc;
	d->git_started = 1;
	if ((rc = gr_library_new(&d->library, d->store, d->workers,
				 (size_t)config->max_file_mib * 1024 * 1024)))
		return rc;
	gr_live_settings_defaults(&live_settings);
	live_settings.queue_messages = config->queue_messages;
	live_settings.queue_bytes = (size_t)config->queue_kib * 1024;
	live_settings.messages_per_second = config->messages_per_second;
	live_settings.event_days = config->event_days;
	live_settings.connections_per_user = config->max_connections_per_user;
	live_settings.renders_waiting = config->render_queue;
	live_settings.workers = d->workers;
	/* One turn for every writer of the store: the loop's, from the first request on. */
	if ((rc = gr_turn_new(&d->turn, d->store)))
		return rc;
	gr_auth_set_turn(d->auth, d->turn);
	if ((rc = gr_accounts_new(&d->accounts, d->store, d->auth, d->workers, NULL)))
		return rc;
	gr_accounts_set_turn(d->accounts, d->turn);
	if ((rc = gr_portfolio_new(&d->portfolio, d->store, d->library, d->turn, NULL)) ||
	    (rc = gr_outcomes_new(&d->outcomes, d->store, d->turn, NULL)))
		return rc;
	if ((rc = gr_accounts_name_default_centre(d->accounts, config->default_centre)))
		return rc;
	application_settings(&applications, config);
	if ((rc = gr_applications_new(&d->applications, d->store, d->auth, &applications, NULL)))
		return rc;
	gr_applications_set_turn(d->applications, d->turn);
	if ((rc = gr_live_new(&d->live, d->store, d->library, d->turn, &live_settings)) ||
	    (rc = start_reviews(d, config)) || (rc = start_coaching(d, config)))
		return rc;
	gr_library_set_listener(d->library, gr_live_track_changed, d->live);
	gr_applications_set_live(d->applications, d->live);
	purge_applications(d);
	if ((rc = start_projects(d, config)) != 0)
		return rc;
	/* A sign-out or a new password closes the session's open connections. */
	gr_auth_on_change(d->auth, sessions_changed, d->live);
	if ((rc = render_stored(d->live)) != 0)
		return rc;
	api_parts.auth = d->auth;
	api_parts.accounts = d->accounts;
	api_parts.applications = d->applications;
	api_parts.library = d->library;
	api_parts.workers = d->workers;
	api_parts.config = config;
	api_parts.store = d->store;
	api_parts.portfolio = d->portfolio;
	api_parts.outcomes = d->outcomes;
	api_parts.projects = d->projects;
	if ((rc = gr_api_new(&d->api, &api_parts)) != 0)
		return rc;
	set_file_limit(config->max_open_files);
	memset(&parts, 0, sizeof(parts));
	parts.config = config;
	parts.api = d->api;
	parts.workers = d->workers;
	parts.live = d->live;
	parts.tick = tick;
	parts.reload = reload;
	parts.tick_payload = d;
	if ((rc = gr_net_start(&d->net, &parts)) != 0)
		return rc;
	gr_log_info("groundsd %s: data in %s, web client from %s, listening on %s:%d", GR_VERSION,
		    config->data_dir, gr_net_web_root(d->net), config->listen_host,
		    config->listen_port);
	add_samples(d);
	gr_library_load(d->library); /* served from the first request on */
	announce(config, d->auth);
	rc = gr_net_run(d->net);
	/* A clean stop leaves a snapshot of the review engine: the next start replays nothing. */
	if (gr_reviews_snapshot(d->reviews) == 0)
		gr_turn_flush(d->turn);
	/* A clean stop leaves a snapshot of the review engine: the next start replays nothing. */
	gr_reviews_snapshot(d->reviews);
	/* Connections still open at exit need not go offline: a start marks everyone so. */
	gr_peers_attach(d->peers, NULL);
	gr_nudges_attach(d->nudges, NULL);
	gr_reflections_attach(d->reflections, NULL);
	gr_inbox_attach(d->inbox, NULL);
	gr_helpdesk_attach(d->helpdesk, NULL);
	gr_board_attach(d->board, NULL);
	gr_reviews_attach(d->reviews, NULL);
	return rc;
}

/* Tear down in the order that lets every in-flight job finish cleanly. */
static void shut_down(struct daemon *d)
{
	if (d->library) /* a check still under way reports to nobody */
		gr_library_set_listener(d->library, NULL, NULL);
	/*
	 * No worker opens a file while the network closes thousands of
	 * descriptors: the jobs under way end first, with no new checkpoint.
	 */
	if (d->store)
		gr_store_checkpoint_stop(d->store);
	gr_workers_drain(d->workers);
	gr_net_free(d->net);
	gr_live_free(d->live);
	gr_peers_free(d->peers);
	gr_nudges_free(d->nudges);
	gr_reflections_free(d->reflections);
	gr_inbox_free(d->inbox);
	gr_helpdesk_free(d->helpdesk);
	gr_board_free(d->board);
	gr_reviews_free(d->reviews);
	gr_library_free(d->library);
	gr_workers_stop(d->workers);
	gr_api_free(d->api);
	gr_portfolio_free(d->portfolio);
	gr_projects_free(d->projects);
	gr_outcomes_free(d->outcomes);
	gr_applications_free(d->applications);
	gr_accounts_free(d->accounts);
	gr_auth_free(d->auth);
	gr_turn_free(d->turn); /* after the workers: a sign-in finishing then still writes */
	if (d->git_started)
		gr_git_shutdown();
	gr_store_close(d->store);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
}

int main(int argc, char **argv)
{
	struct gr_config config;
	enum gr_config_action action;
	struct daemon d = { .config = &config, .lock_fd = -1, .argc = argc, .argv = argv };
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	gr_config_defaults(&config);
	if (gr_config_from_args(&config, &action, argc, argv) != 0) {
		fprintf(stderr, "groundsd: %s\nTry 'groundsd --help'.\n", gr_error_last());
		return 2;
	}
	if (action == GR_CONFIG_HELP) {
		usage(stdout);
		return 0;
	}
	if (action == GR_CONFIG_VERSION) {
		printf("groundsd %s\n", GR_VERSION);
		return 0;
	}
	gr_log_set_level((enum gr_log_level)config.log_level);
	/* SIGINT, SIGTERM and SIGHUP are the loop's (net.c); a reload before it runs does nothing. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	rc = serve(&d, &config);
	if (rc)
		gr_log_error("%s", gr_error_last());
	shut_down(&d);
	if (!rc)
		gr_log_info("stopped");
	return rc ? 1 : 0;
}
