/* Tests for workers.h: work runs off the calling thread, done() runs only
 * from gr_workers_complete on the calling (loop) thread, in order, exactly
 * once per job; the wake function; pending counts; stopping with jobs still
 * queued runs them all and frees everything (the suite runs under ASan). */
#include "harness.h"

#include "core/error.h"
#include "core/workers.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>

enum { JOBS = 40 };

struct job_state {
	int index;
	int work_runs;
	int done_runs;
	pthread_t work_thread;
	pthread_t done_thread;
	int done_position;
};

static pthread_t loop_thread;
static atomic_int wakes;
static sem_t wake_sem;
static int done_sequence;
static int done_order[JOBS + 8];

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void on_wake(void *payload)
{
	atomic_fetch_add(&wakes, 1);
	sem_post(&wake_sem);
	(void)payload;
}

static void work(void *payload)
{
	struct job_state *state = payload;

	state->work_thread = pthread_self();
	state->work_runs++;
	if (state->index % 7 == 0)
		sleep_ms(2);
}

static void slow_work(void *payload)
{
	work(payload);
	sleep_ms(5);
}

static void done(void *payload)
{
	struct job_state *state = payload;

	state->done_thread = pthread_self();
	state->done_runs++;
	state->done_position = done_sequence;
	if (done_sequence < (int)(sizeof done_order / sizeof done_order[0]))
		done_order[done_sequence] = state->index;
	done_sequence++;
}

/* Waits (bounded) for n wakes from the pool; returns false on time-out. */
static bool wait_wakes(int n)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	for (int i = 0; i < n; i++)
		if (sem_timedwait(&wake_sem, &deadline) != 0)
			return false;
	return true;
}

static void reset(struct job_state *states, int count)
{
	memset(states, 0, sizeof(*states) * (size_t)count);
	for (int i = 0; i < count; i++)
		states[i].index = i;
	done_sequence = 0;
	memset(done_order, -1, sizeof done_order);
	atomic_store(&wakes, 0);
	while (sem_trywait(&wake_sem) == 0)
		;
}

static void test_done_only_on_complete(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[1];

	reset(states, 1);
	CHECK_INT(gr_workers_start(&workers, 2), ==, 0);
	if (!workers)
		return;
	gr_workers_set_wake(workers, on_wake, NULL);
	CHECK_INT(gr_workers_pending(workers), ==, 0);
	CHECK_INT(gr_workers_complete(workers), ==, 0);
	CHECK_INT(gr_workers_submit(workers, work, done, &states[0]), ==, 0);
	CHECK_INT(gr_workers_pending(workers), ==, 1);
	CHECK(wait_wakes(1));
	/* The work ran on another thread; done has not run on its own. */
	CHECK_INT(states[0].work_runs, ==, 1);
	CHECK(!pthread_equal(states[0].work_thread, loop_thread));
	sleep_ms(20);
	CHECK_INT(states[0].done_runs, ==, 0);
	CHECK_INT(gr_workers_pending(workers), ==, 1);

	CHECK_INT(gr_workers_complete(workers), ==, 1);
	CHECK_INT(states[0].done_runs, ==, 1);
	CHECK(pthread_equal(states[0].done_thread, loop_thread));
	CHECK_INT(gr_workers_pending(workers), ==, 0);
	/* Nothing left to complete. */
	CHECK_INT(gr_workers_complete(workers), ==, 0);
	CHECK_INT(states[0].done_runs, ==, 1);
	gr_workers_stop(workers);
	CHECK_INT(states[0].done_runs, ==, 1);
	CHECK_INT(states[0].work_runs, ==, 1);
}

static void test_many_jobs_in_order(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[JOBS];
	int completed = 0;
	bool in_order = true;
	bool off_loop = true;
	bool on_loop = true;
	bool once = true;

	reset(states, JOBS);
	/* One thread: jobs finish in the order they were submitted. */
	CHECK_INT(gr_workers_start(&workers, 1), ==, 0);
	if (!workers)
		return;
	gr_workers_set_wake(workers, on_wake, NULL);
	for (int i = 0; i < JOBS; i++)
		CHECK_INT(gr_workers_submit(workers, work, done, &states[i]), ==, 0);
	/* Complete as they trickle in, like the loop would. */
	for (int tries = 0; completed < JOBS && tries < 5000; tries++) {
		completed += gr_workers_complete(workers);
		if (completed < JOBS)
			sleep_ms(1);
	}
	CHECK_INT(completed, ==, JOBS);
	CHECK_INT(atomic_load(&wakes), ==, JOBS);
	CHECK_INT(gr_workers_pending(workers), ==, 0);
	for (int i = 0; i < JOBS; i++) {
		if (done_order[i] != i)
			in_order = false;
		if (pthread_equal(states[i].work_thread, loop_thread))
			off_loop = false;
		if (!pthread_equal(states[i].done_thread, loop_thread))
			on_loop = false;
		if (states[i].work_runs != 1 || states[i].done_runs != 1)
			once = false;
	}
	CHECK(in_order);
	CHECK(off_loop);
	CHECK(on_loop);
	CHECK(once);
	gr_workers_stop(workers);
	CHECK_INT(done_sequence, ==, JOBS);
}

static void test_several_threads(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[JOBS];
	int completed = 0;
	bool once = true;
	bool positions_distinct = true;
	int seen[JOBS] = {0};

	reset(states, JOBS);
	CHECK_INT(gr_workers_start(&workers, 4), ==, 0);
	if (!workers)
		return;
	gr_workers_set_wake(workers, on_wake, NULL);
	for (int i = 0; i < JOBS; i++)
		CHECK_INT(gr_workers_submit(workers, work, done, &states[i]), ==, 0);
	CHECK(wait_wakes(JOBS));
	completed = gr_workers_complete(workers);
	CHECK_INT(completed, ==, JOBS);
	for (int i = 0; i < JOBS; i++) {
		if (states[i].work_runs != 1 || states[i].done_runs != 1)
			once = false;
		if (states[i].done_position < 0 || states[i].done_position >= JOBS ||
		    seen[states[i].done_position]++)
			positions_distinct = false;
	}
	CHECK(once);
	CHECK(positions_distinct);
	CHECK_INT(gr_workers_pending(workers), ==, 0);
	gr_workers_stop(workers);
}

static void test_done_may_be_null(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[2];

	reset(states, 2);
	CHECK_INT(gr_workers_start(&workers, 1), ==, 0);
	if (!workers)
		return;
	gr_workers_set_wake(workers, on_wake, NULL);
	CHECK_INT(gr_workers_submit(workers, work, NULL, &states[0]), ==, 0);
	CHECK_INT(gr_workers_submit(workers, work, done, &states[1]), ==, 0);
	CHECK(wait_wakes(2));
	CHECK_INT(gr_workers_complete(workers), ==, 2);
	CHECK_INT(states[0].work_runs, ==, 1);
	CHECK_INT(states[0].done_runs, ==, 0);
	CHECK_INT(states[1].done_runs, ==, 1);
	CHECK_INT(gr_workers_pending(workers), ==, 0);
	gr_workers_stop(workers);
}

static void test_stop_with_pending_jobs(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[12];
	bool all_ran = true;

	reset(states, 12);
	CHECK_INT(gr_workers_start(&workers, 2), ==, 0);
	if (!workers)
		return;
	gr_workers_set_wake(workers, on_wake, NULL);
	for (int i = 0; i < 12; i++)
		CHECK_INT(gr_workers_submit(workers, slow_work, done, &states[i]), ==, 0);
	/* Most are still queued when the pool is stopped. */
	CHECK_INT(gr_workers_pending(workers), >, 0);
	gr_workers_stop(workers);
	for (int i = 0; i < 12; i++) {
		if (states[i].work_runs != 1 || states[i].done_runs != 1 ||
		    !pthread_equal(states[i].done_thread, loop_thread))
			all_ran = false;
	}
	CHECK(all_ran);
	CHECK_INT(done_sequence, ==, 12);
	gr_workers_stop(NULL);
}

static void test_stop_with_finished_uncompleted(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[3];

	reset(states, 3);
	CHECK_INT(gr_workers_start(&workers, 1), ==, 0);
	if (!workers)
		return;
	gr_workers_set_wake(workers, on_wake, NULL);
	for (int i = 0; i < 3; i++)
		CHECK_INT(gr_workers_submit(workers, work, done, &states[i]), ==, 0);
	CHECK(wait_wakes(3));
	CHECK_INT(done_sequence, ==, 0);
	/* Finished but never completed: stop runs their done() exactly once. */
	gr_workers_stop(workers);
	CHECK_INT(done_sequence, ==, 3);
	CHECK_INT(done_order[0], ==, 0);
	CHECK_INT(done_order[1], ==, 1);
	CHECK_INT(done_order[2], ==, 2);
	for (int i = 0; i < 3; i++)
		CHECK_INT(states[i].done_runs, ==, 1);
}

static void test_without_wake(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[1];
	int completed = 0;

	reset(states, 1);
	CHECK_INT(gr_workers_start(&workers, 1), ==, 0);
	if (!workers)
		return;
	CHECK_INT(gr_workers_submit(workers, work, done, &states[0]), ==, 0);
	for (int tries = 0; completed == 0 && tries < 5000; tries++) {
		completed = gr_workers_complete(workers);
		if (!completed)
			sleep_ms(1);
	}
	CHECK_INT(completed, ==, 1);
	CHECK_INT(states[0].done_runs, ==, 1);
	CHECK_INT(atomic_load(&wakes), ==, 0);
	gr_workers_stop(workers);
}

static atomic_int lane_running, lane_most, lane_finished;
static atomic_int passer_saw; /* lane jobs finished when the other key's job ran */

static void lane_work(void *payload)
{
	int now = atomic_fetch_add(&lane_running, 1) + 1;

	if (now > atomic_load(&lane_most))
		atomic_store(&lane_most, now);
	sleep_ms(20);
	atomic_fetch_sub(&lane_running, 1);
	atomic_fetch_add(&lane_finished, 1);
	work(payload);
}

static void passer_work(void *payload)
{
	atomic_store(&passer_saw, atomic_load(&lane_finished));
	work(payload);
}

/*
 * A lane's jobs run one at a time and in order, however many threads are
 * free; another key's job passes them; one more than the lane may hold
 * waiting is refused and never runs.
 */
static void test_lanes(void)
{
	struct gr_workers *workers = NULL;
	static struct job_state states[6];
	bool in_order = true;

	reset(states, 6);
	CHECK_INT(gr_workers_start(&workers, 3), ==, 0);
	if (!workers)
		return;
	gr_workers_set_wake(workers, on_wake, NULL);
	for (int i = 0; i < 4; i++) /* one running, three waiting */
		CHECK_INT(gr_workers_submit_lane(workers, 7, 3, lane_work, done, &states[i]), ==, 0);
	CHECK_INT(gr_workers_submit_lane(workers, 7, 3, lane_work, done, &states[4]), ==,
		  GR_ELIMITED);
	CHECK_INT(gr_workers_submit_lane(workers, 8, 3, passer_work, done, &states[5]), ==, 0);
	CHECK_INT(gr_workers_pending(workers), ==, 5);
	CHECK(wait_wakes(5));
	CHECK_INT(gr_workers_complete(workers), ==, 5);
	CHECK_INT(atomic_load(&lane_most), ==, 1);
	CHECK_INT(atomic_load(&passer_saw), <, 4);
	CHECK_INT(states[4].work_runs, ==, 0);
	CHECK_INT(states[4].done_runs, ==, 0);
	for (int i = 1; i < 4; i++)
		if (states[i].done_position <= states[i - 1].done_position)
			in_order = false;
	CHECK(in_order);
	/* The lane is gone once empty: a new job of the key runs at once. */
	CHECK_INT(gr_workers_submit_lane(workers, 7, 0, lane_work, done, &states[4]), ==, 0);
	gr_workers_stop(workers);
	CHECK_INT(states[4].done_runs, ==, 1);
}

/* A pool without threads would queue jobs that never run: refused. */
/* Drain: every job ends, done() on this thread, and the jobs those queue too. */
static struct gr_workers *drained_pool;
static struct job_state chained[2];

static void done_and_queue(void *payload)
{
	done(payload);
	CHECK_INT(gr_workers_submit(drained_pool, slow_work, done, &chained[1]), ==, 0);
}

static void test_drain(void)
{
	struct job_state states[4] = { 0 };

	CHECK_INT(gr_workers_start(&drained_pool, 2), ==, 0);
	gr_workers_drain(drained_pool); /* nothing to wait for */
	for (int i = 0; i < 4; i++) {
		states[i].index = i;
		CHECK_INT(gr_workers_submit(drained_pool, slow_work, done, &states[i]), ==, 0);
	}
	CHECK_INT(gr_workers_submit(drained_pool, slow_work, done_and_queue, &chained[0]), ==, 0);
	gr_workers_drain(drained_pool);
	CHECK_INT(gr_workers_pending(drained_pool), ==, 0);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(states[i].done_runs, ==, 1);
		CHECK(pthread_equal(states[i].done_thread, pthread_self()));
	}
	CHECK_INT(chained[0].done_runs, ==, 1);
	CHECK_INT(chained[1].work_runs, ==, 1);
	CHECK_INT(chained[1].done_runs, ==, 1);
	gr_workers_drain(NULL);
	gr_workers_stop(drained_pool);
}

static void test_needs_a_thread(void)
{
	struct gr_workers *workers = (struct gr_workers *)&workers;

	CHECK_INT(gr_workers_start(&workers, 0), ==, GR_EINVALID);
	CHECK(workers == NULL);
	CHECK_INT(gr_workers_start(&workers, -3), ==, GR_EINVALID);
}

int main(void)
{
	loop_thread = pthread_self();
	sem_init(&wake_sem, 0, 0);
	RUN(test_needs_a_thread);
	RUN(test_done_only_on_complete);
	RUN(test_many_jobs_in_order);
	RUN(test_several_threads);
	RUN(test_done_may_be_null);
	RUN(test_stop_with_pending_jobs);
	RUN(test_stop_with_finished_uncompleted);
	RUN(test_without_wake);
	RUN(test_lanes);
	RUN(test_drain);
	sem_destroy(&wake_sem);
	return harness_done();
}
