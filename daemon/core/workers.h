/*
 * workers.h - a small pool of threads for work that would stall the event
 * loop (password hashing now; loading tracks and backups later).
 *
 * A job is two functions: work() runs on a worker thread and must not touch
 * loop-owned state; done() runs later on the loop thread, from
 * gr_workers_complete(). After a job finishes, the pool calls the wake
 * function (the network layer passes one that interrupts its poll), so the
 * loop knows to call gr_workers_complete().
 */
#ifndef GR_WORKERS_H
#define GR_WORKERS_H

struct gr_workers;

typedef void gr_workers_work_fn(void *payload);
typedef void gr_workers_done_fn(void *payload);
typedef void gr_workers_wake_fn(void *payload);

/* threads >= 1; GR_EINVALID otherwise. */
int gr_workers_start(struct gr_workers **out, int threads);

/*
 * Set the function called (from a worker thread) when a job has finished.
 * It runs with the pool's lock held: it must only signal the loop (as
 * lws_cancel_service does), never call back into the pool.
 */
void gr_workers_set_wake(struct gr_workers *workers, gr_workers_wake_fn *wake, void *payload);

/* Queue a job. done may be NULL. */
int gr_workers_submit(struct gr_workers *workers, gr_workers_work_fn *work, gr_workers_done_fn *done,
		      void *payload);

/*
 * Queue a job in the lane named key (a user's id, say): the jobs of one
 * lane run one at a time, in order, so one key never holds more than one
 * thread and the others' jobs pass it. At most waiting jobs of the lane
 * wait behind the one running; one more is refused with GR_ELIMITED (its
 * payload untouched, done not called).
 */
int gr_workers_submit_lane(struct gr_workers *workers, long long key, int waiting,
			   gr_workers_work_fn *work, gr_workers_done_fn *done, void *payload);

/* Run the done() of every finished job; returns how many ran. Loop thread only. */
int gr_workers_complete(struct gr_workers *workers);

/* Jobs queued or running and not yet completed. */
int gr_workers_pending(struct gr_workers *workers);

/*
 * Run every job queued or running to its end, done() included, and the
 * jobs those queue, while the threads keep running. Loop thread only; for
 * a shutdown that must not tear down what a job still uses.
 */
void gr_workers_drain(struct gr_workers *workers);
/*
 * Finish every queued job, stop the threads, run the remaining done()
 * callbacks and free the pool. Accepts NULL.
 */
void gr_workers_stop(struct gr_workers *workers);

#endif
