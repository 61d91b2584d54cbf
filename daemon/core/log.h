/*
 * log.h - one line per event on stderr: UTC time, level, message.
 *
 *   2026-11-24T21:03:07.118Z info  listening on http://127.0.0.1:8080/
 */
#ifndef GR_LOG_H
#define GR_LOG_H

enum gr_log_level {
	GR_LOG_ERROR,
	GR_LOG_WARN,
	GR_LOG_INFO,
	GR_LOG_DEBUG,
};

/* Only messages at or above this level are written (default: info). */
void gr_log_set_level(enum gr_log_level level);
enum gr_log_level gr_log_get_level(void);

/* "error", "warn", "info", "debug" -> level; -1 if the name is unknown. */
int gr_log_level_from_name(const char *name);
const char *gr_log_level_name(enum gr_log_level level);

void gr_log(enum gr_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define gr_log_error(...) gr_log(GR_LOG_ERROR, __VA_ARGS__)
#define gr_log_warn(...) gr_log(GR_LOG_WARN, __VA_ARGS__)
#define gr_log_info(...) gr_log(GR_LOG_INFO, __VA_ARGS__)
#define gr_log_debug(...) gr_log(GR_LOG_DEBUG, __VA_ARGS__)

#endif
