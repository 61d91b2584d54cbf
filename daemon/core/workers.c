/*
 * workers.c - the worker pool (see workers.h). One mutex guards two FIFO
 * lists: jobs waiting for a thread and jobs waiting for their done() on the
 * loop thread. Worker threads block every signal so SIGINT and SIGTERM always
 * reach the loop thread. They run at a lower priority than the loop
 * (WORKER_NICE): when the cores are busy, the loop's short replies go
 * before the workers' long jobs (a render of hostile markdown, a hash).
 *
 * A lane (gr_workers_submit_lane) is a third list per key: its first job
 * is queued like any other, the rest wait in the lane and the next one is
 * queued when the one before it finished. Lanes exist only while they hold
 * jobs.
 */
#include "core/workers.h"

#include "core/error.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WORKER_NICE 10

struct lane;

struct job {
	struct job *next;
	gr_workers_work_fn *work;
	gr_workers_done_fn *done;
	void *payload;
	struct lane *lane; /* NULL: not in a lane */
};

struct list {
	struct job *head;
	struct job *tail;
};

/* The jobs of one key: one queued or running, the others waiting here. */
struct lane {
	struct lane *next;
	long long key;
	struct list waiting;
	int waiting_count;
};

struct gr_workers {
	pthread_mutex_t lock;
	pthread_cond_t wakeup;
	struct list queued;
	struct list finished;
	struct lane *lanes;
	int pending;
	int stopping;
	gr_workers_wake_fn *wake;
	void *wake_payload;
	int thread_count;
	pthread_t threads[];
};

static void push(struct list *list, struct job *job)
{
	job->next = NULL;
	if (list->tail)
		list->tail->next = job;
	else
		list->head = job;
	list->tail = job;
}

static struct job *pop(struct list *list)
{
	struct job *job = list->head;

	if (job) {
		list->head = job->next;
		if (!list->head)
			list->tail = NULL;
	}
	return job;
}

/* A lane's job finished (lock held): queue the next one, or drop the empty lane. */
static void lane_next(struct gr_workers *workers, struct lane *lane)
{
	struct job *next = pop(&lane->waiting);
	struct lane **link;

	if (next) {
		lane->waiting_count--;
		push(&workers->queued, next);
		pthread_cond_signal(&workers->wakeup);
		return;
	}
	for (link = &workers->lanes; *link != lane; link = &(*link)->next)
		;
	*link = lane->next;
	free(lane);
}

static void *worker_main(void *arg)
{
	struct gr_workers *workers = arg;

	/* Linux keeps a nice value per thread: this one only (failing is harmless). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
	pthread_mutex_lock(&workers->lock);
	for (;;) {
		struct job *job = pop(&workers->queued);

		if (!job) {
			if (workers->stopping)
				break;
			pthread_cond_wait(&workers->wakeup, &workers->lock);
			continue;
		}
		pthread_mutex_unlock(&workers->lock);
		job->work(job->payload);
		pthread_mutex_lock(&workers->lock);
		if (job->lane)
			lane_next(workers, job->lane);
		job->lane = NULL;
		push(&workers->finished, job);
		if (workers->wake)
			workers->wake(workers->wake_payload);
	}
	pthread_mutex_unlock(&workers->lock);
	return NULL;
}

int gr_workers_start(struct gr_workers **out, int threads)
{
	struct gr_workers *workers = calloc(1, sizeof(*workers) + (size_t)threads * sizeof(pthread_t));
	sigset_t all, previous;

	*out = NULL;
	if (threads < 1) {
		free(workers);
		gr_error_set("a worker pool needs at least one thread");
		return GR_EINVALID;
	}
	if (!workers) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	pthread_mutex_init(&workers->lock, NULL);
	pthread_cond_init(&workers->wakeup, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	for (; workers->thread_count < threads; workers->thread_count++) {
		if (pthread_create(&workers->threads[workers->thread_count], NULL, worker_main,
				   workers) != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
	if (workers->thread_count < threads) {
		gr_workers_stop(workers);
		gr_error_set("cannot start %d worker threads", threads);
		return GR_ERROR;
	}
	*out = workers;
	return 0;
}

void gr_workers_set_wake(struct gr_workers *workers, gr_workers_wake_fn *wake, void *payload)
{
	pthread_mutex_lock(&workers->lock);
	workers->wake = wake;
	workers->wake_payload = payload;
	pthread_mutex_unlock(&workers->lock);
}

int gr_workers_submit(struct gr_workers *workers, gr_workers_work_fn *work, gr_workers_done_fn *done,
		      void *payload)
{
	struct job *job = malloc(sizeof(*job));

	if (!job) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	job->work = work;
	job->done = done;
	job->payload = payload;
	job->lane = NULL;
	pthread_mutex_lock(&workers->lock);
	push(&workers->queued, job);
	workers->pending++;
	pthread_cond_signal(&workers->wakeup);
	pthread_mutex_unlock(&workers->lock);
	return 0;
}

int gr_workers_submit_lane(struct gr_workers *workers, long long key, int waiting,
			   gr_workers_work_fn *work, gr_workers_done_fn *done, void *payload)
{
	struct job *job = malloc(sizeof(*job));
	struct lane *lane;
	int rc = 0;

	if (!job) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	*job = (struct job){ NULL, work, done, payload, NULL };
	pthread_mutex_lock(&workers->lock);
	for (lane = workers->lanes; lane && lane->key != key; lane = lane->next)
		;
	if (lane && lane->waiting_count >= waiting) {
		gr_error_set("%d jobs of this kind are waiting already", lane->waiting_count);
		rc = GR_ELIMITED;
	} else if (lane) {
		job->lane = lane;
		push(&lane->waiting, job);
		lane->waiting_count++;
	} else if (!(lane = calloc(1, sizeof(*lane)))) {
		gr_error_set("out of memory");
		rc = GR_ERROR;
	} else {
		lane->key = key;
		lane->next = workers->lanes;
		workers->lanes = lane;
		job->lane = lane;
		push(&workers->queued, job);
		pthread_cond_signal(&workers->wakeup);
	}
	if (rc == 0)
		workers->pending++;
	pthread_mutex_unlock(&workers->lock);
	if (rc != 0)
		free(job);
	return rc;
}

int gr_workers_complete(struct gr_workers *workers)
{
	struct list finished;
	struct job *job;
	int count = 0;

	pthread_mutex_lock(&workers->lock);
	finished = workers->finished;
	workers->finished.head = workers->finished.tail = NULL;
	pthread_mutex_unlock(&workers->lock);
	while ((job = pop(&finished)) != NULL) {
		if (job->done)
			job->done(job->payload);
		free(job);
		count++;
	}
	pthread_mutex_lock(&workers->lock);
	workers->pending -= count;
	pthread_mutex_unlock(&workers->lock);
	return count;
}

int gr_workers_pending(struct gr_workers *workers)
{
	int pending;

	pthread_mutex_lock(&workers->lock);
	pending = workers->pending;
	pthread_mutex_unlock(&workers->lock);
	return pending;
}

void gr_workers_drain(struct gr_workers *workers)
{
	struct timespec pause = { 0, 1000000 }; /* 1 ms */

	if (!workers)
		return;
	while (gr_workers_pending(workers) > 0) {
		if (gr_workers_complete(workers) == 0)
			nanosleep(&pause, NULL);
	}
}

void gr_workers_stop(struct gr_workers *workers)
{
	if (!workers)
		return;
	pthread_mutex_lock(&workers->lock);
	workers->stopping = 1;
	workers->wake = NULL;
	pthread_cond_broadcast(&workers->wakeup);
	pthread_mutex_unlock(&workers->lock);
	for (int i = 0; i < workers->thread_count; i++)
		pthread_join(workers->threads[i], NULL);
	gr_workers_complete(workers);
	pthread_cond_destroy(&workers->wakeup);
	pthread_mutex_destroy(&workers->lock);
	free(workers);
}
