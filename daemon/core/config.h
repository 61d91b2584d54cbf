/*
 * config.h - groundsd's settings: built-in defaults, then a config file of
 * `key = value` lines, then command-line flags, each overriding the last.
 * Every key, its default and its meaning live in one table in config.c, which
 * also prints them for --help; docs/configuration.md describes the same keys.
 */
#ifndef GR_CONFIG_H
#define GR_CONFIG_H

#include "core/address.h"

#include <limits.h>
#include <stdio.h>

#define GR_CONFIG_MAX_ORIGINS 16

struct gr_config {
	char data_dir[PATH_MAX];
	char listen_host[256];
	int listen_port;
	int log_level; /* enum gr_log_level */
	char public_url[512];  /* "" = http://listen_host:listen_port */
	char web_root[PATH_MAX]; /* "" = found next to the binary */
	char allowed_origins[GR_CONFIG_MAX_ORIGINS][256];
	int allowed_origin_count;
	int invite_days;
	int session_days;
	int workers;
	int max_body_kib;
	int track_check_seconds;
	int max_file_mib;
	int max_message_kib;
	int queue_messages;
	int queue_kib;
	int messages_per_second;
	int max_connections_per_user; /* websockets one user may have open at once */
	int max_open_files;	      /* the open-file limit: a descriptor per connection */
	int render_queue;	       /* a user's renders waiting behind the one running */
	int event_days;
	int review_lease_hours;
	int review_lease_online_hours;
	int review_push_cap;	/* reviews pushed a week beyond what one owes */
	int coach_after_hours;	/* a tie or a slot nobody took goes to the coaches */
	int double_blind; /* 1: reviewers and authors never learn each other's names */
	int inactive_days;       /* no progress this long: "inactive" on the attention list */
	int help_wave_size;      /* peers told of a help request at a time */
	int help_wave_minutes;   /* wait for a helper before the next wave */
	int help_expire_minutes; /* an open request without a helper expires; > help_wave_minutes */
	int durability_fast;     /* 1: synchronous = NORMAL; 0 (full): FULL */
	struct gr_address_list metrics_allow; /* who may read /metrics */
	/* Sign-in limits (services/auth.h) and whose forwarding headers are believed. */
	int signin_free_tries;	      /* an account's failed sign-ins before it waits */
	int signin_delay_seconds;     /* the first wait, doubled by each further failure */
	int signin_max_delay_minutes; /* the longest wait; the address ceiling's window */
	int signin_address_failures;  /* failed sign-ins from one address per that window */
	struct gr_address_list trusted_proxies; /* X-Forwarded-For / Forwarded believed from */
	char default_centre[257]; /* the name of the centre an upgraded school's cohorts move into */
	int application_days;	  /* decided applications are deleted this long after */
	int apply_per_hour;	  /* applications one address may send in an hour */
};

enum gr_config_action {
	GR_CONFIG_RUN,
	GR_CONFIG_HELP,
	GR_CONFIG_VERSION,
};

void gr_config_defaults(struct gr_config *out);

/* Set one key from its text form. GR_EINVALID names the key and the problem. */
int gr_config_set(struct gr_config *config, const char *key, const char *value);

/*
 * Read a config file. Errors are reported as "FILE:LINE: message". Keys that
 * depend on each other (help_expire_minutes > help_wave_minutes) are checked
 * once the whole file is read, so their order does not matter; such an error
 * is "FILE: message", naming both keys.
 */
int gr_config_load_file(struct gr_config *config, const char *path);

/* The same for a file already open, read up to its end or first error; name
 * stands for the file in errors. */
int gr_config_load_stream(struct gr_config *config, FILE *file, const char *name);

/*
 * Apply groundsd's command line: --config FILE is read first, then the other
 * flags override it. On GR_EINVALID the message names the flag or key.
 */
int gr_config_from_args(struct gr_config *config, enum gr_config_action *out_action,
			int argc, char *const argv[]);

/* The base URL people open, e.g. "http://127.0.0.1:8080" (no trailing /). */
void gr_config_base_url(const struct gr_config *config, char *out, size_t out_size);

/*
 * A config file read again (SIGHUP): each key whose value in loaded differs
 * from running is reported to fn (may be NULL), in the table's order, with
 * whether a running groundsd takes it now (1: copied into running) or only
 * at its next start (0: running keeps its value).
 */
typedef void gr_config_change_fn(const char *key, int reloadable, void *payload);
void gr_config_reload(struct gr_config *running, const struct gr_config *loaded,
		      gr_config_change_fn *fn, void *payload);

/* 1 when a key reloads on SIGHUP, 0 when it needs a restart, -1 for no such key. */
int gr_config_key_reloadable(const char *key);

/* Write the table of keys with their defaults and meanings (for --help). */
void gr_config_print_keys(FILE *out);

#endif
