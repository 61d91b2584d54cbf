/*
 * metrics.c - the daemon's numbers and their text form (see metrics.h).
 *
 * Owns one struct gr_metrics for the process, the commit histogram's
 * buckets and the exposition format; each counter is bumped by the module
 * where its event happens. Names, types and help lines are one table, so
 * the text and docs/api.md list the same metrics.
 */
#include "core/metrics.h"

#include "core/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct gr_metrics process_metrics;

/* Upper bounds in microseconds: 100 us .. 1 s. */
static const int64_t commit_bounds[GR_METRICS_COMMIT_BUCKETS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000,
};

struct described {
	const char *name;
	const char *help;
};

static const struct described counters[GR_METRICS_COUNTER_COUNT] = {
	[GR_METRICS_MESSAGES_IN] = { "grounds_ws_messages_received_total",
				     "Websocket messages received." },
	[GR_METRICS_MESSAGES_OUT] = { "grounds_ws_messages_sent_total",
				      "Websocket messages sent." },
	[GR_METRICS_QUEUE_RESYNCS] = { "grounds_ws_queue_resyncs_total",
				       "Slow connections whose queue overflowed and must resync." },
	[GR_METRICS_LEASES_EXPIRED] = { "grounds_review_leases_expired_total",
					"Review leases that ran out before the review was given." },
	[GR_METRICS_SIGNIN_FAILURES] = { "grounds_signin_failures_total",
					 "Sign-ins refused: a wrong handle or password, or over the limit." },
	[GR_METRICS_TRACK_RELOAD_ERRORS] = { "grounds_track_reload_errors_total",
					     "New commits of a track that could not be loaded." },
	[GR_METRICS_CONNECTIONS_OPENED] = { "grounds_ws_connections_opened_total",
					    "Websocket connections opened." },
	[GR_METRICS_CONNECTIONS_CLOSED] = { "grounds_ws_connections_closed_total",
					    "Websocket connections closed." },
	[GR_METRICS_HTTP_REQUESTS] = { "grounds_http_requests_total",
				       "HTTP requests: pages, files, the API and the metrics." },
	[GR_METRICS_SLOW_TURNS] = { "grounds_loop_slow_turns_total",
				    "Turns of the event loop that took over 10 ms of CPU time." },
	[GR_METRICS_MESSAGES_PUT_OFF] = { "grounds_ws_messages_put_off_total",
					  "Websocket messages put off to the next turn of the event loop: "
					  "the one they came in had done its share." },
};

static const struct described gauges[GR_METRICS_GAUGE_COUNT] = {
	[GR_METRICS_CONNECTIONS] = { "grounds_ws_connections", "Open websocket connections." },
	[GR_METRICS_SUBMISSIONS_WAITING] = { "grounds_submissions_waiting",
					     "Submitted work waiting for a reviewer." },
	[GR_METRICS_HELP_OPEN] = { "grounds_help_requests_open",
				   "Help requests open without a helper." },
};

struct gr_metrics *gr_metrics_now(void)
{
	return &process_metrics;
}

static int bucket_of(int64_t microseconds)
{
	int bucket = 0;

	while (bucket < GR_METRICS_COMMIT_BUCKETS && microseconds > commit_bounds[bucket])
		bucket++;
	return bucket;
}

void gr_metrics_observe_commit(struct gr_metrics *metrics, int64_t microseconds)
{
	if (microseconds < 0)
		microseconds = 0;
	metrics->commit_buckets[bucket_of(microseconds)]++;
	metrics->commit_count++;
	metrics->commit_sum_us += (uint64_t)microseconds;
}

void gr_metrics_observe_turn(struct gr_metrics *metrics, int64_t microseconds,
			     int64_t cpu_microseconds)
{
	if (cpu_microseconds > metrics->turn_cpu_max_us)
		metrics->turn_cpu_max_us = cpu_microseconds;
	if (microseconds < 0)
		microseconds = 0;
	metrics->turn_buckets[bucket_of(microseconds)]++;
	metrics->turn_count++;
	metrics->turn_sum_us += (uint64_t)microseconds;
	if (microseconds > metrics->turn_max_us)
		metrics->turn_max_us = microseconds;
}

int64_t gr_metrics_clock_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* A growing text buffer; on failure it stays failed and says so once at the end. */
struct text {
	char *data;
	size_t len, capacity;
	int failed;
};

static void append(struct text *text, const char *fmt, ...)
{
	va_list args;
	int n;

	if (text->failed)
		return;
	for (;;) {
		size_t room = text->capacity - text->len;

		va_start(args, fmt);
		n = vsnprintf(text->data ? text->data + text->len : NULL, room, fmt, args);
		va_end(args);
		if (n < 0) {
			text->failed = 1;
			return;
		}
		if ((size_t)n < room) {
			text->len += (size_t)n;
			return;
		}
		size_t capacity = text->capacity ? text->capacity * 2 : 2048;
		while (capacity - text->len <= (size_t)n)
			capacity *= 2;
		char *grown = realloc(text->data, capacity);
		if (!grown) {
			text->failed = 1;
			return;
		}
		text->data = grown;
		text->capacity = capacity;
	}
}

static void header(struct text *text, const char *name, const char *help, const char *type)
{
	append(text, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(struct text *text, const char *name, const char *help,
		      const uint64_t *buckets, uint64_t sum_us, uint64_t count)
{
	uint64_t cumulative = 0;

	header(text, name, help, "histogram");
	for (int i = 0; i < GR_METRICS_COMMIT_BUCKETS; i++) {
		cumulative += buckets[i];
		append(text, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name,
		       (double)commit_bounds[i] / 1e6, cumulative);
	}
	cumulative += buckets[GR_METRICS_COMMIT_BUCKETS];
	append(text, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cumulative);
	append(text, "%s_sum %.6f\n%s_count %" PRIu64 "\n", name, (double)sum_us / 1e6, name,
	       count);
}

int gr_metrics_render(char **out, size_t *out_len, const struct gr_metrics *metrics,
		      const char *version)
{
	struct text text = { 0 };

	*out = NULL;
	*out_len = 0;
	header(&text, "grounds_build_info", "The running grounds' version.", "gauge");
	append(&text, "grounds_build_info{version=\"%s\"} 1\n", version);
	for (int i = 0; i < GR_METRICS_GAUGE_COUNT; i++) {
		header(&text, gauges[i].name, gauges[i].help, "gauge");
		append(&text, "%s %" PRId64 "\n", gauges[i].name, metrics->gauges[i]);
	}
	for (int i = 0; i < GR_METRICS_COUNTER_COUNT; i++) {
		header(&text, counters[i].name, counters[i].help, "counter");
		append(&text, "%s %" PRIu64 "\n", counters[i].name, metrics->counters[i]);
	}
	histogram(&text, "grounds_commit_seconds",
		  "Time to commit one turn's changes to the database.", metrics->commit_buckets,
		  metrics->commit_sum_us, metrics->commit_count);
	histogram(&text, "grounds_loop_turn_seconds",
		  "Work done in one turn of the event loop, between two waits.",
		  metrics->turn_buckets, metrics->turn_sum_us, metrics->turn_count);
	header(&text, "grounds_loop_turn_max_seconds", "The longest turn of the event loop so far.",
	       "gauge");
	append(&text, "grounds_loop_turn_max_seconds %.6f\n", (double)metrics->turn_max_us / 1e6);
	header(&text, "grounds_loop_turn_cpu_max_seconds",
	       "The most CPU time one turn of the event loop took so far.", "gauge");
	append(&text, "grounds_loop_turn_cpu_max_seconds %.6f\n",
	       (double)metrics->turn_cpu_max_us / 1e6);
	if (text.failed || !text.data) {
		free(text.data);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	*out = text.data;
	*out_len = text.len;
	return 0;
}
