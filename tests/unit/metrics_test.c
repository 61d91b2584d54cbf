/* Tests for core/metrics.h: the Prometheus text format (HELP and TYPE
 * before each metric, counters and gauges as given, the commit histogram's
 * cumulative buckets, sum and count), and that it carries no names. */
#include "harness.h"

#include "core/metrics.h"

#include <stdlib.h>
#include <string.h>

/* The value on the line that starts with "name " (or name{...} given whole). */
static double value_of(const char *text, const char *name)
{
	size_t len = strlen(name);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, name, len) == 0 && line[len] == ' ')
			return strtod(line + len + 1, NULL);
	return -1;
}

static void test_format(void)
{
	struct gr_metrics metrics;
	size_t len;
	char *text = NULL;

	memset(&metrics, 0, sizeof metrics);
	metrics.counters[GR_METRICS_MESSAGES_IN] = 12;
	metrics.counters[GR_METRICS_SIGNIN_FAILURES] = 3;
	metrics.gauges[GR_METRICS_CONNECTIONS] = 7;
	metrics.gauges[GR_METRICS_HELP_OPEN] = 2;
	gr_metrics_observe_commit(&metrics, 80);      /* <= 100 us */
	gr_metrics_observe_commit(&metrics, 100);     /* <= 100 us: bounds are inclusive */
	gr_metrics_observe_commit(&metrics, 3000);    /* <= 5 ms */
	gr_metrics_observe_commit(&metrics, 5000000); /* +Inf */
	gr_metrics_observe_turn(&metrics, 12000, 3000); /* <= 25 ms, 3 ms of it on a core */
	gr_metrics_observe_turn(&metrics, 400, 400);    /* <= 500 us */
	gr_metrics_observe_turn(&metrics, -5, 0);       /* a clock step: 0 */
	CHECK_INT(gr_metrics_render(&text, &len, &metrics, "9.8.7"), ==, 0);
	if (!text)
		return;
	CHECK_INT(len, ==, strlen(text));
	CHECK_CONTAINS(text, "grounds_build_info{version=\"9.8.7\"} 1\n");
	CHECK_CONTAINS(text, "# HELP grounds_ws_messages_received_total ");
	CHECK_CONTAINS(text, "# TYPE grounds_ws_messages_received_total counter\n"
			     "grounds_ws_messages_received_total 12\n");
	CHECK_CONTAINS(text, "# TYPE grounds_ws_connections gauge\ngrounds_ws_connections 7\n");
	CHECK(value_of(text, "grounds_signin_failures_total") == 3);
	CHECK(value_of(text, "grounds_help_requests_open") == 2);
	CHECK(value_of(text, "grounds_submissions_waiting") == 0);
	CHECK(value_of(text, "grounds_review_leases_expired_total") == 0);
	CHECK(value_of(text, "grounds_track_reload_errors_total") == 0);
	CHECK(value_of(text, "grounds_ws_queue_resyncs_total") == 0);
	CHECK(value_of(text, "grounds_ws_messages_sent_total") == 0);
	CHECK_CONTAINS(text, "# TYPE grounds_commit_seconds histogram\n");
	CHECK(value_of(text, "grounds_commit_seconds_bucket{le=\"0.0001\"}") == 2);
	CHECK(value_of(text, "grounds_commit_seconds_bucket{le=\"0.0025\"}") == 2);
	CHECK(value_of(text, "grounds_commit_seconds_bucket{le=\"0.005\"}") == 3);
	CHECK(value_of(text, "grounds_commit_seconds_bucket{le=\"1\"}") == 3);
	CHECK(value_of(text, "grounds_commit_seconds_bucket{le=\"+Inf\"}") == 4);
	CHECK(value_of(text, "grounds_commit_seconds_count") == 4);
	CHECK(value_of(text, "grounds_commit_seconds_sum") > 5.003 &&
	      value_of(text, "grounds_commit_seconds_sum") < 5.0032);
	/* The loop's turns: their own histogram, and the longest. */
	CHECK_CONTAINS(text, "# TYPE grounds_loop_turn_seconds histogram\n");
	CHECK(value_of(text, "grounds_loop_turn_seconds_bucket{le=\"0.0001\"}") == 1);
	CHECK(value_of(text, "grounds_loop_turn_seconds_bucket{le=\"0.0005\"}") == 2);
	CHECK(value_of(text, "grounds_loop_turn_seconds_bucket{le=\"0.01\"}") == 2);
	CHECK(value_of(text, "grounds_loop_turn_seconds_bucket{le=\"0.025\"}") == 3);
	CHECK(value_of(text, "grounds_loop_turn_seconds_count") == 3);
	CHECK_CONTAINS(text, "# TYPE grounds_loop_turn_max_seconds gauge\n");
	CHECK(value_of(text, "grounds_loop_turn_max_seconds") > 0.01199 &&
	      value_of(text, "grounds_loop_turn_max_seconds") < 0.01201);
	CHECK(value_of(text, "grounds_loop_turn_cpu_max_seconds") > 0.00299 &&
	      value_of(text, "grounds_loop_turn_cpu_max_seconds") < 0.00301);
	/* Every metric line is a name (and labels), a space and a number. */
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		CHECK(strncmp(line, "grounds_", 8) == 0);
		CHECK(strchr(line, ' ') != NULL);
	}
	free(text);
}

static void test_process_counters(void)
{
	struct gr_metrics *metrics = gr_metrics_now();
	uint64_t before = metrics->counters[GR_METRICS_QUEUE_RESYNCS];

	gr_metrics_count(GR_METRICS_QUEUE_RESYNCS);
	gr_metrics_count(GR_METRICS_QUEUE_RESYNCS);
	CHECK_INT(metrics->counters[GR_METRICS_QUEUE_RESYNCS], ==, before + 2);
	gr_metrics_set(GR_METRICS_CONNECTIONS, 42);
	CHECK_INT(gr_metrics_now()->gauges[GR_METRICS_CONNECTIONS], ==, 42);
	CHECK(gr_metrics_clock_us() > 0);
}

int main(void)
{
	RUN(test_format);
	RUN(test_process_counters);
	return harness_done();
}
