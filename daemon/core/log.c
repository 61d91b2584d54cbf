/*
 * log.c - the daemon's log lines (see log.h). Each line is formatted into one
 * buffer and written with a single write(2), so lines from worker threads
 * never interleave.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum gr_log_level current_level = GR_LOG_INFO;

static const char *const level_names[] = {
	[GR_LOG_ERROR] = "error",
	[GR_LOG_WARN] = "warn",
	[GR_LOG_INFO] = "info",
	[GR_LOG_DEBUG] = "debug",
};

void gr_log_set_level(enum gr_log_level level)
{
	current_level = level;
}

enum gr_log_level gr_log_get_level(void)
{
	return current_level;
}

int gr_log_level_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *gr_log_level_name(enum gr_log_level level)
{
	return level_names[level];
}

void gr_log(enum gr_log_level level, const char *fmt, ...)
{
	char line[2048];
	struct timespec now;
	struct tm tm;
	size_t len;
	va_list ap;

	if (level > current_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	len += (size_t)snprintf(line + len, sizeof(line) - len, ".%03ldZ %-5s ",
				now.tv_nsec / 1000000, level_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	len = strlen(line);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	while (len > 0 && line[len - 1] == '\n')
		len--;
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0) {
		/* Nowhere left to report a failed log write. */
	}
}
