/*
 * config.c - parsing groundsd's settings (see config.h). Table-driven: each key
 * has a parser that checks its value and writes it into struct gr_config.
 * Flags are thin aliases for keys. Nothing here touches the network or disk
 * beyond reading the config file.
 */
#include "core/config.h"

#include "core/error.h"
#include "core/log.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef int key_parser(struct gr_config *config, const char *key, const char *value);

struct key {
	const char *name;
	key_parser *parse;
	const char *default_text;
	const char *help;
	size_t offset, size; /* the field(s) it sets, to tell a change */
	int reloadable;	     /* a running groundsd takes it on SIGHUP */
};

#define FIELD(name) offsetof(struct gr_config, name), sizeof(((struct gr_config *)0)->name)

static int copy_string(char *out, size_t size, const char *key, const char *value)
{
	if (strlen(value) >= size) {
		gr_error_set("%s: value is too long (at most %zu bytes)", key, size - 1);
		return GR_EINVALID;
	}
	memcpy(out, value, strlen(value) + 1);
	return 0;
}

static int parse_int(int *out, const char *key, const char *value, long min, long max)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || n < min || n > max) {
		gr_error_set("%s: expected a whole number from %ld to %ld, got '%s'", key, min, max,
			     value);
		return GR_EINVALID;
	}
	*out = (int)n;
	return 0;
}

static int parse_data_dir(struct gr_config *config, const char *key, const char *value)
{
	if (value[0] == '\0') {
		gr_error_set("%s: must not be empty", key);
		return GR_EINVALID;
	}
	return copy_string(config->data_dir, sizeof(config->data_dir), key, value);
}

/* HOST:PORT, where HOST may be [IPv6]. */
static int parse_listen(struct gr_config *config, const char *key, const char *value)
{
	const char *colon = strrchr(value, ':');
	const char *host = value;
	size_t host_len;
	int port;

	if (!colon || colon == value)
		goto bad;
	host_len = (size_t)(colon - value);
	if (host[0] == '[') {
		if (host_len < 3 || host[host_len - 1] != ']')
			goto bad;
		host++;
		host_len -= 2;
	}
	if (host_len >= sizeof(config->listen_host))
		goto bad;
	for (size_t i = 0; i < host_len; i++)
		if (!isalnum((unsigned char)host[i]) && !strchr(".-:", host[i]))
			goto bad;
	if (parse_int(&port, key, colon + 1, 1, 65535))
		return GR_EINVALID;
	memcpy(config->listen_host, host, host_len);
	config->listen_host[host_len] = '\0';
	config->listen_port = port;
	return 0;
bad:
	gr_error_set("%s: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got '%s'", key,
		     value);
	return GR_EINVALID;
}

static int parse_log_level(struct gr_config *config, const char *key, const char *value)
{
	int level = gr_log_level_from_name(value);

	if (level < 0) {
		gr_error_set("%s: expected error, warn, info or debug, got '%s'", key, value);
		return GR_EINVALID;
	}
	config->log_level = level;
	return 0;
}

static int is_http_url(const char *value)
{
	return (strncmp(value, "http://", 7) == 0 && value[7]) ||
	       (strncmp(value, "https://", 8) == 0 && value[8]);
}

/* An http(s) URL without its trailing '/'s, or "". */
static int parse_public_url(struct gr_config *config, const char *key, const char *value)
{
	char url[sizeof(config->public_url)];
	size_t len;

	if (copy_string(url, sizeof(url), key, value))
		return GR_EINVALID;
	len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	/* Checked once trimmed: "http:///" must not become "http:". */
	if (len && !is_http_url(url)) {
		gr_error_set("%s: expected an http:// or https:// URL, got '%s'", key, value);
		return GR_EINVALID;
	}
	memcpy(config->public_url, url, len + 1);
	return 0;
}

static int parse_web_root(struct gr_config *config, const char *key, const char *value)
{
	return copy_string(config->web_root, sizeof(config->web_root), key, value);
}

/* A list of origins separated by spaces or commas, each scheme://host[:port]. */
static int parse_allowed_origins(struct gr_config *config, const char *key, const char *value)
{
	const char *p = value;
	int count = 0;

	while (*p) {
		size_t len = strcspn(p, " ,\t");

		if (len == 0) {
			p++;
			continue;
		}
		if (count == GR_CONFIG_MAX_ORIGINS) {
			gr_error_set("%s: at most %d origins", key, GR_CONFIG_MAX_ORIGINS);
			return GR_EINVALID;
		}
		if (len >= sizeof(config->allowed_origins[0])) {
			gr_error_set("%s: an origin is too long", key);
			return GR_EINVALID;
		}
		memcpy(config->allowed_origins[count], p, len);
		config->allowed_origins[count][len] = '\0';
		if (!is_http_url(config->allowed_origins[count]) ||
		    strchr(strchr(config->allowed_origins[count], ':') + 3, '/')) {
			gr_error_set("%s: expected origins like https://grounds.example.org, got '%s'",
				     key, config->allowed_origins[count]);
			return GR_EINVALID;
		}
		count++;
		p += len;
	}
	config->allowed_origin_count = count;
	return 0;
}

static int parse_invite_days(struct gr_config *config, const char *key, const char *value)
{
	return parse_int(&config->invite_days, key, value, 1, 365);
}

static int parse_session_days(struct gr_config *config, const char *key, const char *value)
{
	return parse_int(&config->session_days, key, value, 1, 365);
}

static int parse_workers(struct gr_config *config, const char *key, const char *value)
{
	return parse_int(&config->workers, key, value, 1, 64);
}

static int parse_default_centre(struct gr_config *config, const char *key, const char *value)
{
	if (!value[0]) {
		gr_error_set("%s: must not be empty", key);
		return GR_EINVALID;
	}
	return copy_string(config->default_centre, sizeof(config->default_centre), key, value);
}

static int parse_max_body_kib(struct gr_config *config, const char *key, const char *value)
{
	return parse_int(&config->max_body_kib, key, value, 1, 64 * 1024);
}

static int parse_track_check_seconds(struct gr_config *config, const char *key, const char *value)
{
	return parse_int(&config->track_check_seconds, key, value, 1, 3600);
}

static int parse_max_file_mib(struct gr_config *config, const char *key, const char *value)
{
	return parse_int(&config->max_file_mib, key, value, 1, 1024);
}

/* yes or no. */
static int parse_bool(int *out, const char *key, const char *value)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
		*out = strcmp(value, "yes") == 0;
		return 0;
	}
	gr_error_set("%s: expected yes or no, got '%s'", key, value);
	return GR_EINVALID;
}

static int parse_double_blind(struct gr_config *config, const char *key, const char *value)
{
	return parse_bool(&config->double_blind, key, value);
}

static int parse_durability(struct gr_config *config, const char *key, const char *value)
{
	if (strcmp(value, "full") == 0 || strcmp(value, "fast") == 0) {
		config->durability_fast = strcmp(value, "fast") == 0;
		return 0;
	}
	gr_error_set("%s: expected full or fast, got '%s'", key, value);
	return GR_EINVALID;
}

static int parse_metrics_allow(struct gr_config *config, const char *key, const char *value)
{
	if (gr_address_list_parse(&config->metrics_allow, value) != 0) {
		char message[256];

		snprintf(message, sizeof(message), "%s", gr_error_last());
		gr_error_set("%s: %s", key, message);
		return GR_EINVALID;
	}
	return 0;
}

static int parse_trusted_proxies(struct gr_config *config, const char *key, const char *value)
{
	if (gr_address_list_parse(&config->trusted_proxies, value) != 0) {
		char message[256];

		snprintf(message, sizeof(message), "%s", gr_error_last());
		gr_error_set("%s: %s", key, message);
		return GR_EINVALID;
	}
	return 0;
}

/* A whole-number setting between min and max. */
#define INT_SETTING(field, min, max)                                                        \
	static int parse_##field(struct gr_config *config, const char *key, const char *value) \
	{                                                                                     \
		return parse_int(&config->field, key, value, min, max);                         \
	}

INT_SETTING(max_message_kib, 1, 16 * 1024)
INT_SETTING(queue_messages, 8, 65536)
INT_SETTING(queue_kib, 16, 1024 * 1024)
INT_SETTING(messages_per_second, 0, 100000)
INT_SETTING(max_connections_per_user, 1, 10000)
INT_SETTING(max_open_files, 256, 1048576)
INT_SETTING(render_queue, 0, 1000)
INT_SETTING(event_days, 1, 3650)
INT_SETTING(review_lease_hours, 1, 24 * 365)
INT_SETTING(review_lease_online_hours, 1, 24 * 365)
INT_SETTING(review_push_cap, 0, 16)
INT_SETTING(coach_after_hours, 1, 24 * 30)
INT_SETTING(inactive_days, 1, 3650)
INT_SETTING(help_wave_size, 1, 50)
INT_SETTING(help_wave_minutes, 1, 120)
INT_SETTING(help_expire_minutes, 5, 24 * 60)
INT_SETTING(signin_free_tries, 1, 100)
INT_SETTING(signin_delay_seconds, 1, 3600)
INT_SETTING(signin_max_delay_minutes, 1, 24 * 60)
INT_SETTING(signin_address_failures, 1, 1000000)
INT_SETTING(application_days, 1, 3650)
INT_SETTING(apply_per_hour, 1, 10000)

static const struct key keys[] = {
	{ "data_dir", parse_data_dir, "./grounds-data",
	  "directory for the database and track repositories (created if missing)",
	  FIELD(data_dir), 0 },
	{ "listen", parse_listen, "127.0.0.1:8080", "address and port to serve HTTP on",
	  offsetof(struct gr_config, listen_host), offsetof(struct gr_config, log_level) - offsetof(struct gr_config, listen_host), 0 },
	{ "log_level", parse_log_level, "info", "error, warn, info or debug",
	  FIELD(log_level), 1 },
	{ "public_url", parse_public_url, "",
	  "URL people open, used in invite links (empty: http://LISTEN)",
	  FIELD(public_url), 0 },
	{ "web_root", parse_web_root, "",
	  "directory of the web client (empty: the installed one, or the source tree's)",
	  FIELD(web_root), 0 },
	{ "allowed_origins", parse_allowed_origins, "",
	  "extra origins allowed to open /ws, separated by spaces",
	  offsetof(struct gr_config, allowed_origins), offsetof(struct gr_config, invite_days) - offsetof(struct gr_config, allowed_origins), 1 },
	{ "invite_days", parse_invite_days, "14", "days before a new invite expires",
	  FIELD(invite_days), 0 },
	{ "session_days", parse_session_days, "30", "days a sign-in lasts",
	  FIELD(session_days), 0 },
	{ "workers", parse_workers, "2", "worker threads for password hashing and other slow work",
	  FIELD(workers), 0 },
	{ "max_body_kib", parse_max_body_kib, "64", "largest HTTP request body accepted, in KiB",
	  FIELD(max_body_kib), 1 },
	{ "track_check_seconds", parse_track_check_seconds, "5",
	  "how often to look for new commits on the tracks' refs",
	  FIELD(track_check_seconds), 1 },
	{ "max_file_mib", parse_max_file_mib, "10", "largest file read from a track repository, in MiB",
	  FIELD(max_file_mib), 0 },
	{ "max_message_kib", parse_max_message_kib, "256",
	  "largest websocket message accepted, in KiB (larger: too_large, then closed)",
	  FIELD(max_message_kib), 1 },
	{ "queue_messages", parse_queue_messages, "256",
	  "messages waiting for one slow connection before it must resync",
	  FIELD(queue_messages), 0 },
	{ "queue_kib", parse_queue_kib, "1024",
	  "bytes waiting for one slow connection before it must resync, in KiB",
	  FIELD(queue_kib), 0 },
	{ "messages_per_second", parse_messages_per_second, "20",
	  "websocket messages one connection may send per second (0: no limit)",
	  FIELD(messages_per_second), 0 },
	{ "max_connections_per_user", parse_max_connections_per_user, "8",
	  "websockets one user may have open at once (one more is refused with 429)",
	  FIELD(max_connections_per_user), 0 },
	{ "max_open_files", parse_max_open_files, "16384",
	  "the open-file limit: one per connection, and some for files",
	  FIELD(max_open_files), 0 },
	{ "render_queue", parse_render_queue, "4",
	  "a user's markdown renders waiting behind the one running (more: busy)",
	  FIELD(render_queue), 0 },
	{ "event_days", parse_event_days, "30",
	  "days events are kept for a reconnecting client to catch up",
	  FIELD(event_days), 0 },
	{ "review_lease_hours", parse_review_lease_hours, "48",
	  "hours a reviewer has for an assigned review before it goes to someone else",
	  FIELD(review_lease_hours), 0 },
	{ "review_lease_online_hours", parse_review_lease_online_hours, "4",
	  "the same when author and reviewer are both online at the assignment",
	  FIELD(review_lease_online_hours), 0 },
	{ "review_push_cap", parse_review_push_cap, "2",
	  "reviews pushed to a learner a week beyond what they owe (they may still pull more)",
	  FIELD(review_push_cap), 0 },
	{ "coach_after_hours", parse_coach_after_hours, "24",
	  "hours a tie or a review nobody takes waits for peers before the cohort's coaches decide",
	  FIELD(coach_after_hours), 0 },
	{ "double_blind", parse_double_blind, "yes",
	  "yes: reviewers and authors never see each other's names; no: they do",
	  FIELD(double_blind), 0 },
	{ "inactive_days", parse_inactive_days, "7",
	  "days without progress before a learner shows on the attention list as inactive",
	  FIELD(inactive_days), 0 },
	{ "help_wave_size", parse_help_wave_size, "3", "peers told of a help request at a time",
	  FIELD(help_wave_size), 0 },
	{ "help_wave_minutes", parse_help_wave_minutes, "3",
	  "minutes a help request waits for a helper before more peers are told",
	  FIELD(help_wave_minutes), 0 },
	{ "help_expire_minutes", parse_help_expire_minutes, "60",
	  "minutes before an open help request without a helper expires (> help_wave_minutes)",
	  FIELD(help_expire_minutes), 0 },
	{ "durability", parse_durability, "full",
	  "full: every commit synced, survives a power cut; fast: may lose the last commits then",
	  FIELD(durability_fast), 1 },
	{ "metrics_allow", parse_metrics_allow, "127.0.0.1 ::1",
	  "addresses and networks (ADDRESS/BITS) that may read /metrics, separated by spaces",
	  FIELD(metrics_allow), 1 },
	{ "signin_free_tries", parse_signin_free_tries, "5",
	  "failed sign-ins of one account before it must wait",
	  FIELD(signin_free_tries), 1 },
	{ "signin_delay_seconds", parse_signin_delay_seconds, "30",
	  "that account's first wait; each further failure doubles it",
	  FIELD(signin_delay_seconds), 1 },
	{ "signin_max_delay_minutes", parse_signin_max_delay_minutes, "15",
	  "an account's longest wait; it forgets one failure per this long",
	  FIELD(signin_max_delay_minutes), 1 },
	{ "signin_address_failures", parse_signin_address_failures, "300",
	  "failed sign-ins from one address (a centre's NAT) per signin_max_delay_minutes",
	  FIELD(signin_address_failures), 1 },
	{ "trusted_proxies", parse_trusted_proxies, "",
	  "proxies (ADDRESS or ADDRESS/BITS) whose X-Forwarded-For or Forwarded is believed",
	  FIELD(trusted_proxies), 1 },
	{ "default_centre", parse_default_centre, "Main centre",
	  "the name of the first centre, which an upgraded school's cohorts and coaches move into",
	  FIELD(default_centre), 0 },
	{ "application_days", parse_application_days, "90",
	  "days an application is kept after a coach invited or declined the applicant",
	  FIELD(application_days), 0 },
	{ "apply_per_hour", parse_apply_per_hour, "5",
	  "applications one address (a client, trusted_proxies applied) may send in an hour",
	  FIELD(apply_per_hour), 0 },
};

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

void gr_config_defaults(struct gr_config *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int rc = keys[i].parse(out, keys[i].name, keys[i].default_text);

		if (rc != 0)
			abort(); /* a default that does not parse is a programming error */
	}
}

int gr_config_set(struct gr_config *config, const char *key, const char *value)
{
	const struct key *k = find_key(key);

	if (!k) {
		gr_error_set("unknown setting '%s'", key);
		return GR_EINVALID;
	}
	return k->parse(config, key, value);
}

/* The rules between keys, checked once every key of a file is read. */
static int check_together(const struct gr_config *config)
{
	if (config->help_expire_minutes <= config->help_wave_minutes) {
		gr_error_set("help_expire_minutes (%d) must be greater than help_wave_minutes (%d)",
			     config->help_expire_minutes, config->help_wave_minutes);
		return GR_EINVALID;
	}
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int apply_line(struct gr_config *config, char *line)
{
	char *eq, *key, *value;
	size_t len;

	line = trim(line);
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		gr_error_set("expected 'key = value', got '%s'", line);
		return GR_EINVALID;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	len = strlen(value);
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value[len - 1] = '\0';
		value++;
	}
	return gr_config_set(config, key, value);
}

int gr_config_load_stream(struct gr_config *config, FILE *file, const char *name)
{
	char line[4096];
	int line_number = 0;
	int rc = 0;

	while (fgets(line, sizeof(line), file)) {
		line_number++;
		if (!strchr(line, '\n') && !feof(file)) {
			gr_error_set("%s:%d: line is too long", name, line_number);
			return GR_EINVALID;
		}
		if ((rc = apply_line(config, line)) != 0) {
			char message[512];

			snprintf(message, sizeof(message), "%s", gr_error_last());
			gr_error_set("%s:%d: %s", name, line_number, message);
			return rc;
		}
	}
	if ((rc = check_together(config)) != 0) {
		char message[512];

		snprintf(message, sizeof(message), "%s", gr_error_last());
		gr_error_set("%s: %s", name, message);
	}
	return rc;
}

int gr_config_load_file(struct gr_config *config, const char *path)
{
	FILE *file = fopen(path, "r");
	int rc;

	if (!file) {
		gr_error_set("%s: cannot open config file: %s", path, strerror(errno));
		return GR_ENOTFOUND;
	}
	rc = gr_config_load_stream(config, file, path);
	fclose(file);
	return rc;
}

struct flag {
	const char *name;
	const char *key; /* NULL for flags without a value */
};

static const struct flag flags[] = {
	{ "--config", NULL },
	{ "--data-dir", "data_dir" },
	{ "--listen", "listen" },
	{ "--log-level", "log_level" },
};

/* Splits "--name=value" or "--name value"; returns the value or NULL. */
static const char *flag_value(const char *arg, const char *name, int argc, char *const argv[],
			      int *index)
{
	size_t len = strlen(name);

	if (strncmp(arg, name, len) != 0)
		return NULL;
	if (arg[len] == '=')
		return arg + len + 1;
	if (arg[len] != '\0')
		return NULL;
	if (*index + 1 >= argc) {
		gr_error_set("%s needs a value", name);
		return "";
	}
	return argv[++*index];
}

static int find_config_flag(const char **out_path, int argc, char *const argv[])
{
	*out_path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *value = flag_value(argv[i], "--config", argc, argv, &i);

		if (value && value[0] == '\0') {
			gr_error_set("--config needs a file name");
			return GR_EINVALID;
		}
		if (value)
			*out_path = value;
	}
	return 0;
}

int gr_config_from_args(struct gr_config *config, enum gr_config_action *out_action,
			int argc, char *const argv[])
{
	const char *config_path;
	int rc;

	*out_action = GR_CONFIG_RUN;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			*out_action = GR_CONFIG_HELP;
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			*out_action = GR_CONFIG_VERSION;
			return 0;
		}
	}
	if ((rc = find_config_flag(&config_path, argc, argv)) != 0)
		return rc;
	if (config_path && (rc = gr_config_load_file(config, config_path)) != 0)
		return rc == GR_ENOTFOUND ? GR_EINVALID : rc;
	for (int i = 1; i < argc; i++) {
		const char *value = NULL;
		const struct flag *flag = NULL;

		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]) && !value; f++) {
			value = flag_value(argv[i], flags[f].name, argc, argv, &i);
			flag = &flags[f];
		}
		if (!value) {
			gr_error_set("unknown option '%s' (see --help)", argv[i]);
			return GR_EINVALID;
		}
		if (value[0] == '\0' && flag->key) {
			gr_error_set("%s needs a value", flag->name);
			return GR_EINVALID;
		}
		if (flag->key && (rc = gr_config_set(config, flag->key, value)) != 0) {
			char message[512];

			snprintf(message, sizeof(message), "%s", gr_error_last());
			gr_error_set("%s: %s", flag->name, message);
			return rc;
		}
	}
	return 0;
}

void gr_config_base_url(const struct gr_config *config, char *out, size_t out_size)
{
	if (config->public_url[0])
		snprintf(out, out_size, "%s", config->public_url);
	else if (strchr(config->listen_host, ':'))
		snprintf(out, out_size, "http://[%s]:%d", config->listen_host, config->listen_port);
	else
		snprintf(out, out_size, "http://%s:%d", config->listen_host, config->listen_port);
}

void gr_config_reload(struct gr_config *running, const struct gr_config *loaded,
		      gr_config_change_fn *fn, void *payload)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *to = (char *)running + keys[i].offset;
		const char *from = (const char *)loaded + keys[i].offset;

		if (memcmp(to, from, keys[i].size) == 0)
			continue;
		if (keys[i].reloadable)
			memcpy(to, from, keys[i].size);
		if (fn)
			fn(keys[i].name, keys[i].reloadable, payload);
	}
}

int gr_config_key_reloadable(const char *key)
{
	const struct key *k = find_key(key);

	return k ? k->reloadable : -1;
}

void gr_config_print_keys(FILE *out)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		fprintf(out, "  %-20s %-16s %s%s\n", keys[i].name,
			keys[i].default_text[0] ? keys[i].default_text : "(empty)", keys[i].help,
			keys[i].reloadable ? " [reloads on SIGHUP]" : "");
}
