/*
 * config_fuzz.c - libFuzzer target for groundsd's config file parser: each
 * input is a whole config file, read from memory with fmemopen() through
 * gr_config_load_stream() on top of the defaults. Checked beyond not
 * crashing:
 *
 * - a file that loads leaves every setting within its limits: a non-empty
 *   data_dir, a listen host of host characters and a port 1-65535, a known
 *   log level, an http(s) public URL without a trailing '/', at most 16
 *   allowed origins each http(s)://HOST[:PORT] without a path, every number
 *   in its documented range, help_expire_minutes > help_wave_minutes, and
 *   every string NUL-terminated inside its buffer;
 * - a file that does not load says so in one line that starts with the
 *   file's name and, for a line's problem, a line number the file has;
 * - the same file loads the same way twice.
 *
 * A broken promise abort()s, which libFuzzer (or the corpus replay under
 * CTest) reports. Built as a fuzzer with -DFUZZ=ON (clang), and always as a
 * replay of the corpus under CTest.
 */
#include "core/config.h"
#include "core/error.h"
#include "core/log.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.conf"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "config_fuzz: " __VA_ARGS__);                                      \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

/* Every whole-number setting and its range, as docs/configuration.md says. */
static const struct {
	const char *name;
	size_t offset;
	int min, max;
} numbers[] = {
	{ "listen port", offsetof(struct gr_config, listen_port), 1, 65535 },
	{ "invite_days", offsetof(struct gr_config, invite_days), 1, 365 },
	{ "session_days", offsetof(struct gr_config, session_days), 1, 365 },
	{ "workers", offsetof(struct gr_config, workers), 1, 64 },
	{ "max_body_kib", offsetof(struct gr_config, max_body_kib), 1, 64 * 1024 },
	{ "track_check_seconds", offsetof(struct gr_config, track_check_seconds), 1, 3600 },
	{ "max_file_mib", offsetof(struct gr_config, max_file_mib), 1, 1024 },
	{ "max_message_kib", offsetof(struct gr_config, max_message_kib), 1, 16 * 1024 },
	{ "queue_messages", offsetof(struct gr_config, queue_messages), 8, 65536 },
	{ "queue_kib", offsetof(struct gr_config, queue_kib), 16, 1024 * 1024 },
	{ "messages_per_second", offsetof(struct gr_config, messages_per_second), 0, 100000 },
	{ "event_days", offsetof(struct gr_config, event_days), 1, 3650 },
	{ "review_lease_hours", offsetof(struct gr_config, review_lease_hours), 1, 24 * 365 },
	{ "review_lease_online_hours", offsetof(struct gr_config, review_lease_online_hours), 1,
	  24 * 365 },
	{ "double_blind", offsetof(struct gr_config, double_blind), 0, 1 },
	{ "inactive_days", offsetof(struct gr_config, inactive_days), 1, 3650 },
	{ "help_wave_size", offsetof(struct gr_config, help_wave_size), 1, 50 },
	{ "help_wave_minutes", offsetof(struct gr_config, help_wave_minutes), 1, 120 },
	{ "help_expire_minutes", offsetof(struct gr_config, help_expire_minutes), 5, 24 * 60 },
	{ "log_level", offsetof(struct gr_config, log_level), GR_LOG_ERROR, GR_LOG_DEBUG },
};

static void check_terminated(const char *name, const char *text, size_t size)
{
	if (strnlen(text, size) >= size)
		FAIL("%s is not NUL-terminated inside its %zu bytes", name, size);
}

/* http:// or https:// and something after it. */
static const char *after_scheme(const char *url)
{
	if (strncmp(url, "http://", 7) == 0 && url[7])
		return url + 7;
	if (strncmp(url, "https://", 8) == 0 && url[8])
		return url + 8;
	return NULL;
}

static void check_strings(const struct gr_config *config)
{
	size_t len;

	check_terminated("data_dir", config->data_dir, sizeof(config->data_dir));
	check_terminated("listen host", config->listen_host, sizeof(config->listen_host));
	check_terminated("public_url", config->public_url, sizeof(config->public_url));
	check_terminated("web_root", config->web_root, sizeof(config->web_root));
	if (!config->data_dir[0])
		FAIL("empty data_dir");
	if (!config->listen_host[0] ||
	    strspn(config->listen_host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789.-:") != strlen(config->listen_host))
		FAIL("listen host '%s'", config->listen_host);
	len = strlen(config->public_url);
	if (len && (!after_scheme(config->public_url) || config->public_url[len - 1] == '/'))
		FAIL("public_url '%s' is not an http(s) URL without a trailing '/'",
		     config->public_url);
	if (config->allowed_origin_count < 0 ||
	    config->allowed_origin_count > GR_CONFIG_MAX_ORIGINS)
		FAIL("%d allowed origins", config->allowed_origin_count);
	for (int i = 0; i < config->allowed_origin_count; i++) {
		const char *origin = config->allowed_origins[i];
		const char *host;

		check_terminated("an allowed origin", origin, sizeof(config->allowed_origins[i]));
		host = after_scheme(origin);
		if (!host || strchr(host, '/') || strpbrk(origin, " ,\t"))
			FAIL("allowed origin '%s'", origin);
	}
}

static void check_loaded(const struct gr_config *config)
{
	char url[1024];

	check_strings(config);
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		int value;

		memcpy(&value, (const char *)config + numbers[i].offset, sizeof(value));
		if (value < numbers[i].min || value > numbers[i].max)
			FAIL("%s is %d, outside %d-%d", numbers[i].name, value, numbers[i].min,
			     numbers[i].max);
	}
	if (config->help_expire_minutes <= config->help_wave_minutes)
		FAIL("help_expire_minutes %d <= help_wave_minutes %d", config->help_expire_minutes,
		     config->help_wave_minutes);
	gr_config_base_url(config, url, sizeof(url));
	if (!after_scheme(url))
		FAIL("base URL '%s'", url);
}

/* "NAME: ..." or "NAME:LINE: ..." with 1 <= LINE <= the file's lines. */
static void check_error(const char *message, const uint8_t *data, size_t size)
{
	size_t lines = 1;
	char *end;
	long line;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (strncmp(message, NAME ":", strlen(NAME ":")) != 0)
		FAIL("error without the file's name: '%s'", message);
	if (strchr(message, '\n'))
		FAIL("error of more than one line: '%s'", message);
	message += strlen(NAME ":");
	if (message[0] == ' ')
		return;
	line = strtol(message, &end, 10);
	if (end == message || *end != ':' || line < 1 || (size_t)line > lines)
		FAIL("error with a bad line number: '%s' (%zu lines)", message, lines);
}

static int load(struct gr_config *out, const uint8_t *data, size_t size)
{
	FILE *file;
	int rc;

	gr_config_defaults(out);
	if (!(file = fmemopen((void *)data, size, "r")))
		abort();
	rc = gr_config_load_stream(out, file, NAME);
	fclose(file);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gr_config first, second;
	char message[1024];
	int rc, again;

	if (size == 0)
		return 0; /* fmemopen() refuses an empty buffer */
	gr_error_clear();
	rc = load(&first, data, size);
	if (rc != 0 && rc != GR_EINVALID)
		FAIL("load returned %d", rc);
	if (rc == 0) {
		check_loaded(&first);
	} else {
		snprintf(message, sizeof(message), "%s", gr_error_last());
		check_error(message, data, size);
	}
	again = load(&second, data, size);
	if (again != rc || (rc == 0 && memcmp(&first, &second, sizeof(first)) != 0))
		FAIL("the same file loaded two ways");
	return 0;
}
