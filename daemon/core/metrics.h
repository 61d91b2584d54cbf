/*
 * metrics.h - groundsd's numbers for /metrics (docs/api.md, "Metrics"), in
 * the Prometheus text format. Counters and gauges are plain integers that
 * the loop thread bumps where things happen (net, fanout, turn, auth,
 * reviews, library); nothing here locks, so only the loop thread may call
 * the functions that change them. The numbers are counts and times only:
 * never a handle, a name or an address.
 */
#ifndef GR_METRICS_H
#define GR_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum gr_metrics_counter {
	GR_METRICS_MESSAGES_IN,	       /* websocket messages received whole */
	GR_METRICS_MESSAGES_OUT,       /* websocket messages written */
	GR_METRICS_QUEUE_RESYNCS,      /* a slow connection's queue overflowed: it must resync */
	GR_METRICS_LEASES_EXPIRED,     /* review leases that ran out */
	GR_METRICS_SIGNIN_FAILURES,    /* sign-ins refused: wrong pair or over the limit */
	GR_METRICS_TRACK_RELOAD_ERRORS, /* a track's new commit that could not be loaded */
	GR_METRICS_CONNECTIONS_OPENED, /* websocket connections opened */
	GR_METRICS_CONNECTIONS_CLOSED, /* websocket connections closed */
	GR_METRICS_HTTP_REQUESTS,      /* HTTP requests (pages, files, the API, /metrics) */
	GR_METRICS_SLOW_TURNS,	       /* turns of the loop over GR_LOOP_SLOW_TURN_US of CPU */
	GR_METRICS_MESSAGES_PUT_OFF,   /* messages put off to the next turn: that one had done its share */
	GR_METRICS_COUNTER_COUNT
};

enum gr_metrics_gauge {
	GR_METRICS_CONNECTIONS,	       /* open websocket connections */
	GR_METRICS_SUBMISSIONS_WAITING, /* submitted work no reviewer has yet (at the scrape) */
	GR_METRICS_HELP_OPEN,	       /* help requests open, without a helper (at the scrape) */
	GR_METRICS_GAUGE_COUNT
};

/* The commit latency histogram's upper bounds, in microseconds; then +Inf. */
#define GR_METRICS_COMMIT_BUCKETS 12

struct gr_metrics {
	uint64_t counters[GR_METRICS_COUNTER_COUNT];
	int64_t gauges[GR_METRICS_GAUGE_COUNT];
	uint64_t commit_buckets[GR_METRICS_COMMIT_BUCKETS + 1]; /* not cumulative; last: +Inf */
	uint64_t commit_count;
	uint64_t commit_sum_us;
	uint64_t turn_buckets[GR_METRICS_COMMIT_BUCKETS + 1]; /* the loop's turns, same bounds */
	uint64_t turn_count;
	uint64_t turn_sum_us;
	int64_t turn_max_us;	 /* the longest turn since the start */
	int64_t turn_cpu_max_us; /* the most CPU time one turn took */
};

/* The daemon's numbers, borrowed; the loop thread's. */
struct gr_metrics *gr_metrics_now(void);

static inline void gr_metrics_count(enum gr_metrics_counter which)
{
	gr_metrics_now()->counters[which]++;
}

static inline void gr_metrics_add(enum gr_metrics_counter which, uint64_t count)
{
	gr_metrics_now()->counters[which] += count;
}

static inline void gr_metrics_set(enum gr_metrics_gauge which, int64_t value)
{
	gr_metrics_now()->gauges[which] = value;
}

/* One commit of the loop's turn took microseconds. */
void gr_metrics_observe_commit(struct gr_metrics *metrics, int64_t microseconds);

/*
 * One turn of the event loop (its work, not its wait) took microseconds,
 * cpu_microseconds of them on a core.
 */
void gr_metrics_observe_turn(struct gr_metrics *metrics, int64_t microseconds,
			     int64_t cpu_microseconds);

/* A monotonic clock in microseconds, for timing. */
int64_t gr_metrics_clock_us(void);

/*
 * metrics in the Prometheus text exposition format (version 0.0.4), with
 * version as the grounds_build_info label; malloc'd into *out (the
 * caller's to free). GR_ERROR when memory runs out.
 */
int gr_metrics_render(char **out, size_t *out_len, const struct gr_metrics *metrics,
		      const char *version);

#endif
