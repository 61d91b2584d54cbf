/*
 * loop_test.c - the event loop's measure of its turns (daemon/net/loop.c) on
 * a real libuv loop: a turn whose timer burns 15 ms of CPU is counted as
 * slow and said in the log with where its time went; a second slow turn
 * within the minute is counted but not said again; quick turns are neither;
 * the end of a turn runs once per arming.
 */
#include "core/log.h"
#include "core/metrics.h"
#include "net/loop.h"

#include "harness.h"

#include <time.h>

static uint64_t cpu_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

struct ticker {
	int calls;
	int burn_ms; /* CPU time each call spends */
};

static void tick(void *payload)
{
	struct ticker *ticker = payload;
	uint64_t until = cpu_ns() + (uint64_t)ticker->burn_ms * 1000000u;
	volatile unsigned spin = 0;

	ticker->calls++;
	while (cpu_ns() < until)
		spin++;
}

static void run_until(struct gr_loop *loop, struct ticker *ticker, int calls)
{
	while (ticker->calls < calls)
		gr_loop_run_once(loop);
	gr_loop_run_once(loop); /* the prepare after the last call measures its turn */
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;

	for (const char *at = text; (at = strstr(at, needle)); at += strlen(needle))
		n++;
	return n;
}

/* "timers 15.2 ms" in a slow turn's line: 15.2; -1 without one. */
static double timers_ms(const char *text)
{
	const char *at = strstr(text, "of CPU): timers ");
	double value = -1;

	if (at && sscanf(at, "of CPU): timers %lf ms", &value) != 1)
		value = -1;
	return value;
}

static void test_slow_turns_counted_and_said_once_a_minute(void)
{
	struct gr_loop *loop = NULL;
	struct ticker quick = { 0, 0 }, slow = { 0, 0 };
	struct harness_stderr capture;
	uint64_t *slow_turns = &gr_metrics_now()->counters[GR_METRICS_SLOW_TURNS];
	uint64_t before = *slow_turns;
	char *text;

	CHECK_INT(gr_loop_new(&loop), ==, 0);
	CHECK_INT(gr_loop_every(loop, 5, tick, &quick), ==, 0);
	harness_stderr_begin(&capture);
	run_until(loop, &quick, 3);
	CHECK_INT(*slow_turns, ==, before);

	/* A timer that burns 15 ms of CPU: two slow turns (or more), one line. */
	slow.burn_ms = 15;
	CHECK_INT(gr_loop_every(loop, 5, tick, &slow), ==, 0);
	while (*slow_turns < before + 2 && slow.calls < 50)
		gr_loop_run_once(loop);
	slow.burn_ms = 0;
	text = harness_stderr_end(&capture);
	CHECK_INT(*slow_turns, >=, before + 2);
	CHECK_INT(count_of(text, "a turn of the event loop took"), ==, 1);
	CHECK_CONTAINS(text, " warn ");
	CHECK(timers_ms(text) >= 15.0); /* where the time went */
	CHECK_CONTAINS(text, "worker results 0.0 ms");
	CHECK_CONTAINS(text, "0 connections opened, 0 closed, 0 HTTP requests");
	CHECK(gr_metrics_now()->turn_cpu_max_us >= 15000);
	free(text);
	gr_loop_free(loop);
}

static int ends;

static void on_end(void *payload)
{
	(void)payload;
	ends++;
}

static void arm(void *payload)
{
	gr_loop_at_turn_end(payload, on_end, NULL);
}

static void test_turn_end_runs_once_per_arming(void)
{
	struct gr_loop *loop = NULL;
	struct ticker ticker = { 0, 0 };

	CHECK_INT(gr_loop_new(&loop), ==, 0);
	CHECK_INT(gr_loop_every(loop, 5, tick, &ticker), ==, 0);
	gr_loop_at_turn_end(loop, on_end, NULL);
	gr_loop_run_once(loop);
	CHECK_INT(ends, ==, 1);
	run_until(loop, &ticker, 3);
	CHECK_INT(ends, ==, 1); /* not armed again */
	/* Armed by a timer: it runs in that turn, not after the next wait. */
	CHECK_INT(gr_loop_every(loop, 5, arm, loop), ==, 0);
	run_until(loop, &ticker, ticker.calls + 2);
	CHECK_INT(ends, >=, 2);
	gr_loop_free(loop);
}

int main(void)
{
	gr_log_set_level(GR_LOG_INFO);
	RUN(test_slow_turns_counted_and_said_once_a_minute);
	RUN(test_turn_end_runs_once_per_arming);
	return harness_done();
}
