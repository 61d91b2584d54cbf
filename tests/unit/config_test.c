/* Tests for config.h: defaults, the config file (key = value, comments,
 * blank lines, quotes, FILE:LINE errors; from an open stream too), bad
 * values, command-line flags overriding the file, unknown flags, --help and
 * --version, base URL. */
#include "harness.h"

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"

static char *temp_dir;

/* Writes text to DIR/name and returns the path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *file;

	snprintf(path, sizeof path, "%s/%s", temp_dir, name);
	file = fopen(path, "w");
	if (!file) {
		perror(path);
		exit(2);
	}
	fputs(text, file);
	fclose(file);
	return path;
}

static void test_defaults(void)
{
	struct gr_config config;
	char url[600];

	memset(&config, 0x5a, sizeof config);
	gr_config_defaults(&config);
	CHECK_STR(config.data_dir, "./grounds-data");
	CHECK_STR(config.listen_host, "127.0.0.1");
	CHECK_INT(config.listen_port, ==, 8080);
	CHECK_INT(config.log_level, ==, GR_LOG_INFO);
	CHECK_STR(config.public_url, "");
	CHECK_STR(config.web_root, "");
	CHECK_INT(config.allowed_origin_count, ==, 0);
	CHECK_INT(config.invite_days, ==, 14);
	CHECK_INT(config.session_days, ==, 30);
	CHECK_INT(config.workers, ==, 2);
	CHECK_INT(config.max_body_kib, ==, 64);
	CHECK_INT(config.max_open_files, ==, 16384);
	CHECK_INT(config.track_check_seconds, ==, 5);
	CHECK_INT(config.max_file_mib, ==, 10);
	CHECK_INT(config.double_blind, ==, 1);
	CHECK_INT(config.inactive_days, ==, 7);
	CHECK_INT(config.help_wave_size, ==, 3);
	CHECK_INT(config.help_wave_minutes, ==, 3);
	CHECK_INT(config.help_expire_minutes, ==, 60);
	CHECK_INT(config.review_push_cap, ==, 2);
	CHECK_INT(config.coach_after_hours, ==, 24);
	gr_config_base_url(&config, url, sizeof url);
	CHECK_STR(url, "http://127.0.0.1:8080");
}

static void test_file(void)
{
	struct gr_config config;
	const char *path = write_file("good.conf",
				      "# a comment\n"
				      "\n"
				      "data_dir = /var/lib/grounds\n"
				      "   # an indented comment\n"
				      "listen=0.0.0.0:9090\n"
				      "\t\n"
				      "log_level = debug\n"
				      "public_url = \"https://grounds.example.org/\"\n"
				      "allowed_origins = https://a.example.org, http://b.example.org:8000\n"
				      "invite_days = 7\n"
				      "session_days = 365\n"
				      "workers = 64\n"
				      "max_body_kib = 128\n"
				      "track_check_seconds = 3600\n"
				      "max_file_mib = 1\n"
				      "web_root = /srv/web\n");
	char url[600];

	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, path), ==, 0);
	CHECK_STR(config.data_dir, "/var/lib/grounds");
	CHECK_STR(config.listen_host, "0.0.0.0");
	CHECK_INT(config.listen_port, ==, 9090);
	CHECK_INT(config.log_level, ==, GR_LOG_DEBUG);
	CHECK_STR(config.public_url, "https://grounds.example.org");
	CHECK_INT(config.allowed_origin_count, ==, 2);
	CHECK_STR(config.allowed_origins[0], "https://a.example.org");
	CHECK_STR(config.allowed_origins[1], "http://b.example.org:8000");
	CHECK_INT(config.invite_days, ==, 7);
	CHECK_INT(config.session_days, ==, 365);
	CHECK_INT(config.workers, ==, 64);
	CHECK_INT(config.max_body_kib, ==, 128);
	CHECK_INT(config.track_check_seconds, ==, 3600);
	CHECK_INT(config.max_file_mib, ==, 1);
	CHECK_STR(config.web_root, "/srv/web");
	gr_config_base_url(&config, url, sizeof url);
	CHECK_STR(url, "https://grounds.example.org");

	/* A last line without a newline is read too. */
	path = write_file("nonl.conf", "workers = 5");
	CHECK_INT(gr_config_load_file(&config, path), ==, 0);
	CHECK_INT(config.workers, ==, 5);
}

/* Loads text as a config file and expects GR_EINVALID naming FILE:LINE and needle. */
static void expect_file_error(const char *text, const char *line_tag, const char *needle)
{
	struct gr_config config;
	const char *path = write_file("bad.conf", text);
	char where[600];

	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, path), ==, GR_EINVALID);
	snprintf(where, sizeof where, "%s:%s:", path, line_tag);
	CHECK_CONTAINS(gr_error_last(), where);
	CHECK_CONTAINS(gr_error_last(), needle);
}

static void test_file_errors(void)
{
	struct gr_config config;
	char missing[600];

	expect_file_error("# ok\n\ncolour = blue\n", "3", "colour");
	expect_file_error("workers = 2\nlisten = 127.0.0.1\n", "2", "listen");
	expect_file_error("workers = 0\n", "1", "workers");
	expect_file_error("workers = abc\n", "1", "abc");
	expect_file_error("log_level = bogus\n", "1", "bogus");
	expect_file_error("data_dir /tmp\n", "1", "key = value");

	/* A bad line stops the file: later lines are not applied. */
	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, write_file("stop.conf",
							  "workers = 3\nnope = 1\nworkers = 9\n")),
		  ==, GR_EINVALID);
	CHECK_INT(config.workers, !=, 9);

	snprintf(missing, sizeof missing, "%s/missing.conf", temp_dir);
	CHECK_INT(gr_config_load_file(&config, missing), ==, GR_ENOTFOUND);
	CHECK_CONTAINS(gr_error_last(), "missing.conf");
}

/* A file already open, named in errors as the caller says. */
static void test_stream(void)
{
	static char text[] = "workers = 5\nlog_level = \"warn\"\n";
	static char bad[] = "workers = 5\n\nlog_level = loud\n";
	struct gr_config config;
	FILE *file = fmemopen(text, strlen(text), "r");

	gr_config_defaults(&config);
	CHECK(file != NULL);
	if (!file)
		return;
	CHECK_INT(gr_config_load_stream(&config, file, "memory"), ==, 0);
	fclose(file);
	CHECK_INT(config.workers, ==, 5);
	CHECK_INT(config.log_level, ==, GR_LOG_WARN);
	file = fmemopen(bad, strlen(bad), "r");
	CHECK(file != NULL);
	if (!file)
		return;
	CHECK_INT(gr_config_load_stream(&config, file, "memory"), ==, GR_EINVALID);
	fclose(file);
	CHECK_CONTAINS(gr_error_last(), "memory:3:");
	CHECK_CONTAINS(gr_error_last(), "loud");
}

static void test_bad_values(void)
{
	struct gr_config config;

	gr_config_defaults(&config);
	CHECK_INT(gr_config_set(&config, "no_such_key", "1"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "no_such_key");

	CHECK_INT(gr_config_set(&config, "listen", "127.0.0.1"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "listen");
	CHECK_INT(gr_config_set(&config, "listen", ":8080"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "listen", "localhost:"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "listen", "localhost:0"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "listen", "localhost:65536"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "listen", "local host:80"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "listen", "[::1:80"), ==, GR_EINVALID);
	/* Failed sets leave the value alone. */
	CHECK_STR(config.listen_host, "127.0.0.1");
	CHECK_INT(config.listen_port, ==, 8080);

	CHECK_INT(gr_config_set(&config, "workers", "0"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "workers", "65"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "workers", "abc"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "workers", "3x"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "workers", ""), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "workers", "99999999999999999999"), ==, GR_EINVALID);
	CHECK_INT(config.workers, ==, 2);
	CHECK_INT(gr_config_set(&config, "invite_days", "366"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "session_days", "-1"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "track_check_seconds", "0"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "max_file_mib", "1025"), ==, GR_EINVALID);

	CHECK_INT(gr_config_set(&config, "log_level", "bogus"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "bogus");
	CHECK_INT(gr_config_set(&config, "log_level", "INFO"), ==, GR_EINVALID);
	CHECK_INT(config.log_level, ==, GR_LOG_INFO);
	CHECK_INT(gr_config_set(&config, "log_level", "warn"), ==, 0);
	CHECK_INT(config.log_level, ==, GR_LOG_WARN);

	CHECK_INT(gr_config_set(&config, "data_dir", ""), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "public_url", "ftp://x"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "public_url", "https://"), ==, GR_EINVALID);
	/* Only slashes after the scheme: nothing is left once they are trimmed. */
	CHECK_INT(gr_config_set(&config, "public_url", "http:///"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "public_url", "https:////"), ==, GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "public_url", "https://a.org//"), ==, 0);
	CHECK_STR(config.public_url, "https://a.org");
	CHECK_INT(gr_config_set(&config, "allowed_origins", "https://a.org/path"), ==,
		  GR_EINVALID);
	CHECK_INT(gr_config_set(&config, "allowed_origins", "a.org"), ==, GR_EINVALID);

	/* Too long for its buffer. */
	{
		char long_value[700];

		memset(long_value, 'h', sizeof long_value - 1);
		long_value[sizeof long_value - 1] = '\0';
		memcpy(long_value, "https://", 8);
		CHECK_INT(gr_config_set(&config, "public_url", long_value), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "too long");
	}
}

static void test_double_blind(void)
{
	struct gr_config config;

	gr_config_defaults(&config);
	CHECK_INT(gr_config_set(&config, "double_blind", "no"), ==, 0);
	CHECK_INT(config.double_blind, ==, 0);
	CHECK_INT(gr_config_set(&config, "double_blind", "yes"), ==, 0);
	CHECK_INT(config.double_blind, ==, 1);
	CHECK_INT(gr_config_set(&config, "double_blind", "maybe"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "double_blind");
	CHECK_CONTAINS(gr_error_last(), "maybe");
	CHECK_INT(gr_config_set(&config, "double_blind", ""), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "double_blind");
	CHECK_INT(config.double_blind, ==, 1); /* failed sets leave the value alone */
}

/* key accepts min and max and refuses one beyond each, naming itself. */
static void check_range(const char *key, const char *below, const char *min, const char *max,
			const char *above)
{
	struct gr_config config;

	gr_config_defaults(&config);
	CHECK_INT(gr_config_set(&config, key, below), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), key);
	CHECK_INT(gr_config_set(&config, key, above), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), key);
	CHECK_INT(gr_config_set(&config, key, min), ==, 0);
	CHECK_INT(gr_config_set(&config, key, max), ==, 0);
}

static void test_attention_and_help(void)
{
	struct gr_config config;
	const char *path;

	check_range("inactive_days", "0", "1", "3650", "3651");
	check_range("help_wave_size", "0", "1", "50", "51");
	check_range("help_wave_minutes", "0", "1", "120", "121");
	check_range("help_expire_minutes", "4", "5", "1440", "1441");
	check_range("review_push_cap", "-1", "0", "16", "17");
	check_range("coach_after_hours", "0", "1", "720", "721");

	path = write_file("help.conf", "inactive_days = 14\n"
				       "help_wave_size = 5\n"
				       "help_wave_minutes = 10\n"
				       "help_expire_minutes = 11\n");
	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, path), ==, 0);
	CHECK_INT(config.inactive_days, ==, 14);
	CHECK_INT(config.help_wave_size, ==, 5);
	CHECK_INT(config.help_wave_minutes, ==, 10);
	CHECK_INT(config.help_expire_minutes, ==, 11);

	/* The order in the file does not matter: only the result is checked. */
	path = write_file("order.conf", "help_wave_minutes = 90\nhelp_expire_minutes = 120\n");
	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, path), ==, 0);
	CHECK_INT(config.help_wave_minutes, ==, 90);
	CHECK_INT(config.help_expire_minutes, ==, 120);

	/* The expiry must come after the first wave: equal or less is refused. */
	path = write_file("equal.conf", "help_wave_minutes = 10\nhelp_expire_minutes = 10\n");
	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, path), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), path);
	CHECK_CONTAINS(gr_error_last(), "help_expire_minutes (10)");
	CHECK_CONTAINS(gr_error_last(), "greater than help_wave_minutes (10)");
	path = write_file("less.conf", "help_expire_minutes = 30\nhelp_wave_minutes = 45\n");
	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, path), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "help_expire_minutes (30)");
	CHECK_CONTAINS(gr_error_last(), "help_wave_minutes (45)");
	/* Against a default: a wave longer than the default hour. */
	path = write_file("wave.conf", "help_wave_minutes = 60\n");
	gr_config_defaults(&config);
	CHECK_INT(gr_config_load_file(&config, path), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "help_wave_minutes (60)");

	/* groundsd --config refuses it too. */
	{
		char config_path[600];
		char *argv[] = {"groundsd", "--config", config_path, NULL};
		enum gr_config_action action;

		snprintf(config_path, sizeof config_path, "%s", path);
		gr_config_defaults(&config);
		CHECK_INT(gr_config_from_args(&config, &action, 3, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "help_expire_minutes");
	}
}

static void test_listen_forms(void)
{
	struct gr_config config;
	char url[600];

	gr_config_defaults(&config);
	CHECK_INT(gr_config_set(&config, "listen", "[::1]:8081"), ==, 0);
	CHECK_STR(config.listen_host, "::1");
	CHECK_INT(config.listen_port, ==, 8081);
	gr_config_base_url(&config, url, sizeof url);
	CHECK_STR(url, "http://[::1]:8081");
	CHECK_INT(gr_config_set(&config, "listen", "grounds.local:1"), ==, 0);
	CHECK_STR(config.listen_host, "grounds.local");
	CHECK_INT(config.listen_port, ==, 1);
	CHECK_INT(gr_config_set(&config, "listen", "localhost:65535"), ==, 0);
	CHECK_INT(config.listen_port, ==, 65535);
}

static void test_flags_override_file(void)
{
	struct gr_config config;
	enum gr_config_action action = GR_CONFIG_HELP;
	const char *path = write_file("flags.conf", "data_dir = /from/file\n"
						    "listen = 10.0.0.1:1000\n"
						    "workers = 7\n"
						    "log_level = error\n");
	char config_path[600];

	snprintf(config_path, sizeof config_path, "%s", path);
	{
		/* --config comes after the flags, yet the flags still win. */
		char *argv[] = {"groundsd", "--data-dir", "/from/flag", "--listen=[::]:2000",
				"--config", config_path, NULL};

		gr_config_defaults(&config);
		CHECK_INT(gr_config_from_args(&config, &action, 6, argv), ==, 0);
		CHECK_INT(action, ==, GR_CONFIG_RUN);
		CHECK_STR(config.data_dir, "/from/flag");
		CHECK_STR(config.listen_host, "::");
		CHECK_INT(config.listen_port, ==, 2000);
		/* Keys without a flag come from the file. */
		CHECK_INT(config.workers, ==, 7);
		CHECK_INT(config.log_level, ==, GR_LOG_ERROR);
	}
	{
		char config_arg[620];
		char *argv[] = {"groundsd", config_arg, "--log-level", "debug", NULL};

		snprintf(config_arg, sizeof config_arg, "--config=%s", config_path);
		gr_config_defaults(&config);
		CHECK_INT(gr_config_from_args(&config, &action, 4, argv), ==, 0);
		CHECK_STR(config.data_dir, "/from/file");
		CHECK_INT(config.log_level, ==, GR_LOG_DEBUG);
	}
	{
		char *argv[] = {"groundsd", NULL};

		gr_config_defaults(&config);
		action = GR_CONFIG_VERSION;
		CHECK_INT(gr_config_from_args(&config, &action, 1, argv), ==, 0);
		CHECK_INT(action, ==, GR_CONFIG_RUN);
		CHECK_STR(config.data_dir, "./grounds-data");
	}
}

static void test_flag_errors(void)
{
	struct gr_config config;
	enum gr_config_action action;

	{
		char *argv[] = {"groundsd", "--verbose", NULL};

		gr_config_defaults(&config);
		CHECK_INT(gr_config_from_args(&config, &action, 2, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "--verbose");
	}
	{
		char *argv[] = {"groundsd", "--listenx=1:2", NULL};

		CHECK_INT(gr_config_from_args(&config, &action, 2, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "--listenx");
	}
	{
		char *argv[] = {"groundsd", "--listen", "nowhere", NULL};

		CHECK_INT(gr_config_from_args(&config, &action, 3, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "--listen");
		CHECK_CONTAINS(gr_error_last(), "nowhere");
	}
	{
		char *argv[] = {"groundsd", "--data-dir", NULL};

		CHECK_INT(gr_config_from_args(&config, &action, 2, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "--data-dir");
	}
	{
		char *argv[] = {"groundsd", "--config", NULL};

		CHECK_INT(gr_config_from_args(&config, &action, 2, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "--config");
	}
	{
		char missing[600];
		char *argv[] = {"groundsd", "--config", missing, NULL};

		snprintf(missing, sizeof missing, "%s/none.conf", temp_dir);
		CHECK_INT(gr_config_from_args(&config, &action, 3, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), "none.conf");
	}
	{
		const char *path = write_file("unknown.conf", "workers = 2\n\nshoe_size = 44\n");
		char config_path[600];
		char *argv[] = {"groundsd", "--config", config_path, NULL};
		char where[620];

		snprintf(config_path, sizeof config_path, "%s", path);
		snprintf(where, sizeof where, "%s:3:", config_path);
		CHECK_INT(gr_config_from_args(&config, &action, 3, argv), ==, GR_EINVALID);
		CHECK_CONTAINS(gr_error_last(), where);
		CHECK_CONTAINS(gr_error_last(), "shoe_size");
	}
}

static void test_help_and_version(void)
{
	struct gr_config config;
	enum gr_config_action action;
	char *help[] = {"groundsd", "--data-dir", "/x", "--help", NULL};
	char *short_help[] = {"groundsd", "-h", NULL};
	char *version[] = {"groundsd", "--version", NULL};
	char *help_with_bad[] = {"groundsd", "--bogus", "--help", NULL};

	gr_config_defaults(&config);
	action = GR_CONFIG_RUN;
	CHECK_INT(gr_config_from_args(&config, &action, 4, help), ==, 0);
	CHECK_INT(action, ==, GR_CONFIG_HELP);
	action = GR_CONFIG_RUN;
	CHECK_INT(gr_config_from_args(&config, &action, 2, short_help), ==, 0);
	CHECK_INT(action, ==, GR_CONFIG_HELP);
	action = GR_CONFIG_RUN;
	CHECK_INT(gr_config_from_args(&config, &action, 2, version), ==, 0);
	CHECK_INT(action, ==, GR_CONFIG_VERSION);
	/* --help wins over a flag that would be refused. */
	action = GR_CONFIG_RUN;
	CHECK_INT(gr_config_from_args(&config, &action, 3, help_with_bad), ==, 0);
	CHECK_INT(action, ==, GR_CONFIG_HELP);
}

static void test_print_keys(void)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	CHECK(out != NULL);
	if (!out)
		return;
	gr_config_print_keys(out);
	fclose(out);
	CHECK_CONTAINS(text, "data_dir");
	CHECK_CONTAINS(text, "./grounds-data");
	CHECK_CONTAINS(text, "listen");
	CHECK_CONTAINS(text, "127.0.0.1:8080");
	CHECK_CONTAINS(text, "session_days");
	CHECK_CONTAINS(text, "max_file_mib");
	CHECK_CONTAINS(text, "double_blind");
	CHECK_CONTAINS(text, "inactive_days");
	CHECK_CONTAINS(text, "help_wave_size");
	CHECK_CONTAINS(text, "help_wave_minutes");
	CHECK_CONTAINS(text, "help_expire_minutes");
	CHECK_CONTAINS(text, "durability");
	CHECK_CONTAINS(text, "metrics_allow");
	CHECK_CONTAINS(text, "[reloads on SIGHUP]");
	free(text);
}

static void test_durability_and_metrics_allow(void)
{
	struct gr_config config;

	gr_config_defaults(&config);
	CHECK_INT(config.durability_fast, ==, 0);
	CHECK_INT(config.metrics_allow.count, ==, 2);
	CHECK(gr_address_list_contains(&config.metrics_allow, "127.0.0.1"));
	CHECK(gr_address_list_contains(&config.metrics_allow, "::1"));
	CHECK(!gr_address_list_contains(&config.metrics_allow, "10.0.0.1"));
	CHECK_INT(gr_config_set(&config, "durability", "fast"), ==, 0);
	CHECK_INT(config.durability_fast, ==, 1);
	CHECK_INT(gr_config_set(&config, "durability", "full"), ==, 0);
	CHECK_INT(config.durability_fast, ==, 0);
	CHECK_INT(gr_config_set(&config, "durability", "normal"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "durability: expected full or fast");
	CHECK_INT(gr_config_set(&config, "metrics_allow", "10.0.0.0/8"), ==, 0);
	CHECK(gr_address_list_contains(&config.metrics_allow, "10.9.8.7"));
	CHECK(!gr_address_list_contains(&config.metrics_allow, "127.0.0.1"));
	CHECK_INT(gr_config_set(&config, "metrics_allow", "everyone"), ==, GR_EINVALID);
	CHECK_CONTAINS(gr_error_last(), "metrics_allow: ");
	CHECK_CONTAINS(gr_error_last(), "everyone");
	CHECK_INT(gr_config_set(&config, "metrics_allow", ""), ==, 0);
	CHECK_INT(config.metrics_allow.count, ==, 0);
}

struct changes {
	char text[512];
};

static void record_change(const char *key, int reloadable, void *payload)
{
	struct changes *changes = payload;
	size_t len = strlen(changes->text);

	snprintf(changes->text + len, sizeof changes->text - len, "%s=%d ", key, reloadable);
}

static void test_reload(void)
{
	struct gr_config running, loaded;
	struct changes changes = { "" };

	gr_config_defaults(&running);
	gr_config_defaults(&loaded);
	gr_config_reload(&running, &loaded, record_change, &changes);
	CHECK_STR(changes.text, "");
	CHECK_INT(gr_config_set(&loaded, "log_level", "debug"), ==, 0);
	CHECK_INT(gr_config_set(&loaded, "listen", "0.0.0.0:9999"), ==, 0);
	CHECK_INT(gr_config_set(&loaded, "durability", "fast"), ==, 0);
	CHECK_INT(gr_config_set(&loaded, "metrics_allow", "10.0.0.0/8"), ==, 0);
	CHECK_INT(gr_config_set(&loaded, "session_days", "3"), ==, 0);
	CHECK_INT(gr_config_set(&loaded, "max_body_kib", "128"), ==, 0);
	gr_config_reload(&running, &loaded, record_change, &changes);
	CHECK_STR(changes.text, "listen=0 log_level=1 session_days=0 max_body_kib=1 durability=1 "
				"metrics_allow=1 ");
	/* What reloads is taken; what needs a restart keeps its running value. */
	CHECK_INT(running.log_level, ==, GR_LOG_DEBUG);
	CHECK_INT(running.durability_fast, ==, 1);
	CHECK_INT(running.max_body_kib, ==, 128);
	CHECK(gr_address_list_contains(&running.metrics_allow, "10.1.1.1"));
	CHECK_STR(running.listen_host, "127.0.0.1");
	CHECK_INT(running.listen_port, ==, 8080);
	CHECK_INT(running.session_days, ==, 30);
	CHECK_INT(gr_config_key_reloadable("log_level"), ==, 1);
	CHECK_INT(gr_config_key_reloadable("data_dir"), ==, 0);
	CHECK_INT(gr_config_key_reloadable("nope"), ==, -1);
}

int main(void)
{
	temp_dir = harness_temp_dir();
	RUN(test_durability_and_metrics_allow);
	RUN(test_reload);
	RUN(test_defaults);
	RUN(test_file);
	RUN(test_file_errors);
	RUN(test_stream);
	RUN(test_bad_values);
	RUN(test_double_blind);
	RUN(test_attention_and_help);
	RUN(test_listen_forms);
	RUN(test_flags_override_file);
	RUN(test_flag_errors);
	RUN(test_help_and_version);
	RUN(test_print_keys);
	harness_remove_tree(temp_dir);
	free(temp_dir);
	return harness_done();
}
