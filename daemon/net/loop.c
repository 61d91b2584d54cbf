/*
 * loop.c - the event loop on libuv (see loop.h). The only file that
 * includes uv.h.
 *
 * Each turn is measured: libuv counts the time it spent waiting in
 * epoll_wait (UV_METRICS_IDLE_TIME), and a prepare handle runs just before
 * each wait, so the time between two prepares less the wait between them
 * is one turn's work: timers, every ready connection's callbacks, the end
 * of the turn (the group commit). It goes to the metrics' turn histogram.
 * The loop thread's CPU time over the same turn is kept too (its longest):
 * on a machine whose cores are busy with other work, a turn's wall time
 * counts the time the thread waited for a core, its CPU time only the work.
 *
 * A turn that took over GR_LOOP_SLOW_TURN_US of CPU is counted, and said in
 * the log with what it did (at warn at most once a minute, saying how many
 * more there were; each one at debug): the time in timers, in the worker
 * pool's results and in the end of the turn (the commit), the rest being
 * the connections' reading and writing, and how many messages, connections
 * and HTTP requests came and went.
 */
#include "net/loop.h"

#include "core/error.h"
#include "core/log.h"
#include "core/metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

/* A timer or a signal watcher made here; closed and freed with the loop. */
struct handle {
	union {
		uv_handle_t handle;
		uv_timer_t timer;
		uv_signal_t signal;
	} uv;
	gr_loop_fn *fn;
	void *payload;
	struct gr_loop *loop;
	struct handle *next;
};

/* Where one turn's time went (ns) and what came and went in it. */
struct turn_parts {
	uint64_t timers, results, end;
	uint64_t messages_in, messages_out, opened, closed, http; /* the counters at the turn's start */
};

struct gr_loop {
	uv_loop_t uv;
	uv_async_t wake;
	gr_loop_fn *wake_fn;
	void *wake_payload;
	uv_check_t turn_end;
	uv_idle_t turn_end_now; /* while turn_end waits: the loop must not block first */
	gr_loop_fn *turn_end_fn;
	void *turn_end_payload;
	uv_prepare_t measure;
	gr_loop_fn *next_turn_fn; /* called at the start of the next turn (after the measure) */
	void *next_turn_payload;
	uv_idle_t next_turn_now;  /* while next_turn_fn waits: the loop must not block first */
	uint64_t measured_at, idle_at; /* ns: the last prepare, and the idle time then */
	uint64_t cpu_at;	       /* ns: the loop thread's CPU time then */
	struct turn_parts parts;       /* what this turn has done so far */
	uint64_t slow_said_at;	       /* ns: the last slow turn written to the log */
	uint64_t slow_unsaid;	       /* slow turns since then not written */
	struct handle *handles;
	int closed;
};

static void on_wake(uv_async_t *async)
{
	struct gr_loop *loop = async->data;
	uint64_t start = uv_hrtime();

	if (loop->wake_fn)
		loop->wake_fn(loop->wake_payload);
	loop->parts.results += uv_hrtime() - start;
}

static void on_turn_end(uv_check_t *check)
{
	struct gr_loop *loop = check->data;
	uint64_t start = uv_hrtime();

	uv_check_stop(check);
	uv_idle_stop(&loop->turn_end_now);
	if (loop->turn_end_fn)
		loop->turn_end_fn(loop->turn_end_payload);
	loop->parts.end += uv_hrtime() - start;
}

static void on_idle(uv_idle_t *idle)
{
	(void)idle;
}

/* Just before the loop waits: what ran since the last wait was one turn. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* A slow turn, in the log: at most one line a minute at warn, the others at debug. */
static void say_slow(struct gr_loop *loop, uint64_t now, uint64_t work, uint64_t cpu)
{
	const struct turn_parts *p = &loop->parts;
	const uint64_t *counters = gr_metrics_now()->counters;
	uint64_t known = p->timers + p->results + p->end;
	int warn = !loop->slow_said_at || now - loop->slow_said_at >= 60 * 1000000000ull;
	char more[64] = "";

	gr_metrics_count(GR_METRICS_SLOW_TURNS);
	if (!warn) {
		loop->slow_unsaid++;
		if (gr_log_get_level() < GR_LOG_DEBUG)
			return;
	} else if (loop->slow_unsaid) {
		snprintf(more, sizeof(more), "; %llu more since the last said",
			 (unsigned long long)loop->slow_unsaid);
	}
	gr_log(warn ? GR_LOG_WARN : GR_LOG_DEBUG,
	       "a turn of the event loop took %.1f ms (%.1f ms of CPU): timers %.1f ms, "
	       "worker results %.1f ms, end of turn (commit) %.1f ms, connections %.1f ms; "
	       "%llu messages in, %llu out, %llu connections opened, %llu closed, %llu HTTP "
	       "requests%s",
	       ms(work), ms(cpu), ms(p->timers), ms(p->results), ms(p->end),
	       ms(work > known ? work - known : 0),
	       (unsigned long long)(counters[GR_METRICS_MESSAGES_IN] - p->messages_in),
	       (unsigned long long)(counters[GR_METRICS_MESSAGES_OUT] - p->messages_out),
	       (unsigned long long)(counters[GR_METRICS_CONNECTIONS_OPENED] - p->opened),
	       (unsigned long long)(counters[GR_METRICS_CONNECTIONS_CLOSED] - p->closed),
	       (unsigned long long)(counters[GR_METRICS_HTTP_REQUESTS] - p->http), more);
	if (warn) {
		loop->slow_said_at = now;
		loop->slow_unsaid = 0;
	}
}

static void on_prepare(uv_prepare_t *prepare)
{
	struct gr_loop *loop = prepare->data;
	uint64_t now = uv_hrtime(), idle = uv_metrics_idle_time(&loop->uv), cpu = thread_cpu_ns();
	const uint64_t *counters = gr_metrics_now()->counters;

	if (loop->measured_at) {
		uint64_t span = now - loop->measured_at, waited = idle - loop->idle_at;
		uint64_t work = span > waited ? span - waited : 0;

		gr_metrics_observe_turn(gr_metrics_now(), (int64_t)(work / 1000),
					(int64_t)((cpu - loop->cpu_at) / 1000));
		if (cpu - loop->cpu_at > GR_LOOP_SLOW_TURN_US * 1000ull)
			say_slow(loop, now, work, cpu - loop->cpu_at);
	}
	loop->measured_at = now;
	loop->idle_at = idle;
	loop->cpu_at = cpu;
	loop->parts = (struct turn_parts){
		.messages_in = counters[GR_METRICS_MESSAGES_IN],
		.messages_out = counters[GR_METRICS_MESSAGES_OUT],
		.opened = counters[GR_METRICS_CONNECTIONS_OPENED],
		.closed = counters[GR_METRICS_CONNECTIONS_CLOSED],
		.http = counters[GR_METRICS_HTTP_REQUESTS],
	};
	/* Work put off to this turn: measured with it, not with the last. */
	if (loop->next_turn_fn) {
		gr_loop_fn *fn = loop->next_turn_fn;

		loop->next_turn_fn = NULL;
		uv_idle_stop(&loop->next_turn_now);
		fn(loop->next_turn_payload);
	}
}

int gr_loop_new(struct gr_loop **out)
{
	struct gr_loop *loop = calloc(1, sizeof(*loop));
	int rc;

	*out = NULL;
	if (!loop) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	if ((rc = uv_loop_init(&loop->uv)) != 0) {
		free(loop);
		gr_error_set("cannot start the event loop: %s", uv_strerror(rc));
		return GR_ERROR;
	}
	uv_loop_configure(&loop->uv, UV_METRICS_IDLE_TIME);
	uv_async_init(&loop->uv, &loop->wake, on_wake);
	loop->wake.data = loop;
	uv_check_init(&loop->uv, &loop->turn_end);
	loop->turn_end.data = loop;
	uv_idle_init(&loop->uv, &loop->turn_end_now);
	uv_idle_init(&loop->uv, &loop->next_turn_now);
	uv_prepare_init(&loop->uv, &loop->measure);
	loop->measure.data = loop;
	uv_prepare_start(&loop->measure, on_prepare);
	/* The measure does not keep the loop running on its own. */
	uv_unref((uv_handle_t *)&loop->measure);
	*out = loop;
	return 0;
}

static void handle_closed(uv_handle_t *uv)
{
	free(uv->data);
}

void gr_loop_close(struct gr_loop *loop)
{
	struct handle *handle, *next;

	if (loop->closed)
		return;
	loop->closed = 1;
	for (handle = loop->handles; handle; handle = next) {
		next = handle->next;
		uv_close(&handle->uv.handle, handle_closed);
	}
	uv_close((uv_handle_t *)&loop->wake, NULL);
	uv_close((uv_handle_t *)&loop->turn_end, NULL);
	uv_close((uv_handle_t *)&loop->turn_end_now, NULL);
	uv_close((uv_handle_t *)&loop->measure, NULL);
	uv_close((uv_handle_t *)&loop->next_turn_now, NULL);
	loop->handles = NULL;
	/* Until the last close callback: lws's handles finish closing here too. */
	uv_run(&loop->uv, UV_RUN_DEFAULT);
}

void gr_loop_free(struct gr_loop *loop)
{
	if (!loop)
		return;
	gr_loop_close(loop);
	uv_run(&loop->uv, UV_RUN_DEFAULT); /* what a last lws_context_destroy closed */
	uv_loop_close(&loop->uv);
	free(loop);
}

void *gr_loop_native(struct gr_loop *loop)
{
	return &loop->uv;
}

int gr_loop_run(struct gr_loop *loop)
{
	uv_run(&loop->uv, UV_RUN_DEFAULT);
	return 0;
}

void gr_loop_run_once(struct gr_loop *loop)
{
	uv_run(&loop->uv, UV_RUN_ONCE);
}

void gr_loop_stop(struct gr_loop *loop)
{
	uv_stop(&loop->uv);
}

static struct handle *handle_new(struct gr_loop *loop, gr_loop_fn *fn, void *payload)
{
	struct handle *handle = calloc(1, sizeof(*handle));

	if (!handle) {
		gr_error_set("out of memory");
		return NULL;
	}
	handle->fn = fn;
	handle->payload = payload;
	handle->loop = loop;
	handle->uv.handle.data = handle;
	handle->next = loop->handles;
	loop->handles = handle;
	return handle;
}

static void on_timer(uv_timer_t *timer)
{
	struct handle *handle = timer->data;
	struct gr_loop *loop = handle->loop;
	uint64_t start = uv_hrtime();

	handle->fn(handle->payload);
	loop->parts.timers += uv_hrtime() - start;
}

int gr_loop_every(struct gr_loop *loop, int ms, gr_loop_fn *fn, void *payload)
{
	struct handle *handle = handle_new(loop, fn, payload);

	if (!handle)
		return GR_ERROR;
	uv_timer_init(&loop->uv, &handle->uv.timer);
	handle->uv.handle.data = handle;
	uv_timer_start(&handle->uv.timer, on_timer, (uint64_t)ms, (uint64_t)ms);
	return 0;
}

static void on_signal(uv_signal_t *signal, int signum)
{
	struct handle *handle = signal->data;

	(void)signum;
	handle->fn(handle->payload);
}

int gr_loop_on_signal(struct gr_loop *loop, int signum, gr_loop_fn *fn, void *payload)
{
	struct handle *handle = handle_new(loop, fn, payload);
	int rc;

	if (!handle)
		return GR_ERROR;
	uv_signal_init(&loop->uv, &handle->uv.signal);
	handle->uv.handle.data = handle;
	if ((rc = uv_signal_start(&handle->uv.signal, on_signal, signum)) != 0) {
		gr_error_set("cannot handle signal %d: %s", signum, uv_strerror(rc));
		return GR_ERROR;
	}
	/* A watcher alone does not keep the loop running. */
	uv_unref(&handle->uv.handle);
	return 0;
}

int gr_loop_on_wake(struct gr_loop *loop, gr_loop_fn *fn, void *payload)
{
	loop->wake_fn = fn;
	loop->wake_payload = payload;
	return 0;
}

void gr_loop_wake(struct gr_loop *loop)
{
	uv_async_send(&loop->wake);
}

void gr_loop_at_turn_end(struct gr_loop *loop, gr_loop_fn *fn, void *payload)
{
	loop->turn_end_fn = fn;
	loop->turn_end_payload = payload;
	uv_check_start(&loop->turn_end, on_turn_end);
	/* Armed by a timer, before the wait: an active idle handle makes that wait 0. */
	uv_idle_start(&loop->turn_end_now, on_idle);
}

void gr_loop_next_turn(struct gr_loop *loop, gr_loop_fn *fn, void *payload)
{
	loop->next_turn_fn = fn;
	loop->next_turn_payload = payload;
	/* An active idle handle makes the wait before it 0: the next turn comes at once. */
	uv_idle_start(&loop->next_turn_now, on_idle);
}

int64_t gr_loop_turn_cpu_us(struct gr_loop *loop)
{
	return loop->measured_at ? (int64_t)((thread_cpu_ns() - loop->cpu_at) / 1000) : 0;
}
