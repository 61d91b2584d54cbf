/*
 * loop.h - the one event loop of groundsd: libuv's (epoll on Linux), so a
 * turn costs what is ready, not what is open. libwebsockets joins it as a
 * foreign loop (net.c); the worker pool's wake-ups, the timers, the signals
 * and the end of each turn are handles on it here. Only loop.c includes
 * uv.h. Design: docs/performance.md, "The loop".
 *
 * Everything but gr_loop_wake() is for the loop thread only.
 */
#ifndef GR_LOOP_H
#define GR_LOOP_H

#include <stdint.h>

struct gr_loop;

/* A turn of the loop over this much CPU time (µs) is slow: counted and logged. */
#define GR_LOOP_SLOW_TURN_US 10000

typedef void gr_loop_fn(void *payload);

/* A new loop, measuring each turn into the metrics (core/metrics.h). */
int gr_loop_new(struct gr_loop **out);

/*
 * Close the handles made here and run the loop until every handle on it
 * (libwebsockets' too, after lws_context_destroy) has closed. After it
 * only gr_loop_free() may be called.
 */
void gr_loop_close(struct gr_loop *loop);

/* gr_loop_close() if not yet, then free the loop. Accepts NULL. */
void gr_loop_free(struct gr_loop *loop);

/* The loop as libuv knows it (a uv_loop_t), for lws's foreign_loops. Borrowed. */
void *gr_loop_native(struct gr_loop *loop);

/* Run until gr_loop_stop(). GR_ERROR if the loop failed. */
int gr_loop_run(struct gr_loop *loop);

/* One turn: wait for something to happen, handle it. */
void gr_loop_run_once(struct gr_loop *loop);

/* Make gr_loop_run() return after this turn. */
void gr_loop_stop(struct gr_loop *loop);

/* Call fn every ms milliseconds, the first time ms from now. */
int gr_loop_every(struct gr_loop *loop, int ms, gr_loop_fn *fn, void *payload);

/* Call fn on the loop when signal signum arrives (instead of its default action). */
int gr_loop_on_signal(struct gr_loop *loop, int signum, gr_loop_fn *fn, void *payload);

/*
 * The function gr_loop_wake() makes the loop call; one per loop. The wake-ups
 * of several gr_loop_wake() calls before the loop ran it may come as one.
 */
int gr_loop_on_wake(struct gr_loop *loop, gr_loop_fn *fn, void *payload);

/* Wake the loop to call the on_wake function. Any thread; async-signal-safe. */
void gr_loop_wake(struct gr_loop *loop);

/*
 * Call fn once when this turn's events are all handled, before the loop
 * waits again (a group commit: every request of the turn, one COMMIT).
 * One function per loop: the later call's fn and payload win.
 */
void gr_loop_at_turn_end(struct gr_loop *loop, gr_loop_fn *fn, void *payload);

/*
 * Call fn at the start of the next turn, which then comes without waiting
 * (work a busy turn put off: it is measured as the next turn's). One
 * function per loop: the later call's fn and payload win.
 */
void gr_loop_next_turn(struct gr_loop *loop, gr_loop_fn *fn, void *payload);

/*
 * The loop thread's CPU time in the turn running now so far, in
 * microseconds: its work, without the time it waited for a busy core.
 */
int64_t gr_loop_turn_cpu_us(struct gr_loop *loop);

#endif
