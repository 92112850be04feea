/*
 * logbuf.c — per-thread single-producer rings drained by one writer thread.
 *
 * Each ring's head (bytes put, only its owner writes it) and tail (bytes
 * written out, only the writer thread writes it) count up for ever; their
 * difference is the fill and `& (cap - 1)` the offset.  The owner stores
 * the head with release after copying the line, the writer loads it with
 * acquire before reading the bytes, and the other way round for the tail.
 *
 * Waking the writer costs a lock only on the line that makes `pending`
 * go from 0 to 1, once per batch.  The writer clears `pending` before it
 * reads the heads and each producer reads it after storing its head, both
 * behind a full fence, so a line is either seen by the pass under way or
 * wakes the next one.
 *
 * Stopping: the state leaves RUNNING, then the writer waits until no ring
 * is `busy` (a producer between its state check and its head store) and
 * drains for the last time.  A producer sets busy before it checks the
 * state, behind a fence, so it either sees the stop and writes directly,
 * or is waited for.  Rings are never freed, so a late producer's busy
 * store always lands in live memory.
 */
#include "util/log.h"
#include "util/logbuf.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { STOPPED, RUNNING, STOPPING };

struct ring {
	/* The owner's side. */
	_Alignas(64) _Atomic size_t head;
	atomic_int busy;
	_Atomic uint64_t dropped;
	int urgent_sent;              /* asked for an early flush at this fill */
	/* The writer's side. */
	_Alignas(64) _Atomic size_t tail;
	struct ring *next;            /* all rings (reg_lock) */
	int owned;                    /* a live thread puts into it (reg_lock) */
	size_t cap;                   /* a power of two */
	char *data;
};

static struct {
	pthread_mutex_t lock;         /* the fields below that are not atomic */
	pthread_cond_t wake;          /* writer: lines pending, urgent, flush, stop */
	pthread_cond_t flushed_cond;
	atomic_int state;
	atomic_int pending;           /* a line was put since the writer's last pass */
	int urgent;
	uint64_t flush_wanted, flush_done;
	int refs;
	atomic_int fd;
	pthread_t writer;
} lb = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.fd = STDOUT_FILENO,
};

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ring *rings;
static pthread_key_t owner_key;
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;
static _Thread_local struct ring *my_ring;

/* One write(2) of line and its '\n' (util/log.c). */
static void put_direct(const char *line, size_t n)
{
	log_line_fd(atomic_load_explicit(&lb.fd, memory_order_relaxed), line, n);
}

/* ---- Rings and their owners ---- */

/* A thread that ends leaves its ring to the next thread that logs. */
static void owner_gone(void *value)
{
	struct ring *r = value;
	my_ring = NULL;   /* a put from a later destructor registers again */
	pthread_mutex_lock(&reg_lock);
	r->owned = 0;
	pthread_mutex_unlock(&reg_lock);
}

static void owner_key_create(void)
{
	pthread_key_create(&owner_key, owner_gone);
}

static struct ring *ring_of_thread(void)
{
	if (my_ring)
		return my_ring;
	pthread_once(&owner_once, owner_key_create);
	pthread_mutex_lock(&reg_lock);
	struct ring *r;
	for (r = rings; r; r = r->next)
		if (!r->owned)
			break;
	if (!r) {
		r = aligned_alloc(64, sizeof *r);
		char *data = malloc(LOGBUF_RING_BYTES);
		if (!r || !data) {
			free(r);
			free(data);
			pthread_mutex_unlock(&reg_lock);
			return NULL;
		}
		memset(r, 0, sizeof *r);
		r->cap = LOGBUF_RING_BYTES;
		r->data = data;
		r->next = rings;
		rings = r;
	}
	r->owned = 1;
	pthread_mutex_unlock(&reg_lock);
	pthread_setspecific(owner_key, r);
	my_ring = r;
	return r;
}

/* ---- Producers ---- */

static void wake_writer(int urgent)
{
	pthread_mutex_lock(&lb.lock);
	if (urgent)
		lb.urgent = 1;
	pthread_cond_signal(&lb.wake);
	pthread_mutex_unlock(&lb.lock);
}

void logbuf_put(const char *line, size_t n)
{
	struct ring *r = atomic_load_explicit(&lb.state, memory_order_relaxed) == RUNNING
		? ring_of_thread() : NULL;
	if (!r || n + 1 > LOGBUF_RING_BYTES / 2) {
		put_direct(line, n);
		return;
	}
	atomic_store_explicit(&r->busy, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&lb.state, memory_order_relaxed) != RUNNING) {
		atomic_store_explicit(&r->busy, 0, memory_order_release);
		put_direct(line, n);
		return;
	}
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t fill = head - tail, need = n + 1;
	if (r->cap - fill < need) {
		atomic_store_explicit(&r->dropped,
			atomic_load_explicit(&r->dropped, memory_order_relaxed) + 1, memory_order_relaxed);
		atomic_store_explicit(&r->busy, 0, memory_order_release);
		/* The writer was told at half full; it is behind, not asleep. */
		if (!r->urgent_sent) {
			r->urgent_sent = 1;
			wake_writer(1);
		}
		return;
	}
	size_t off = head & (r->cap - 1);
	size_t first = r->cap - off < n ? r->cap - off : n;
	memcpy(r->data + off, line, first);
	memcpy(r->data, line + first, n - first);
	r->data[(head + n) & (r->cap - 1)] = '\n';
	atomic_store_explicit(&r->head, head + need, memory_order_release);
	atomic_store_explicit(&r->busy, 0, memory_order_release);

	/* Ask for an early pass once per crossing of half the ring. */
	int urgent = 0;
	if (fill + need >= r->cap / 2) {
		urgent = !r->urgent_sent;
		r->urgent_sent = 1;
	} else {
		r->urgent_sent = 0;
	}
	atomic_thread_fence(memory_order_seq_cst);
	if (urgent || (!atomic_load_explicit(&lb.pending, memory_order_relaxed) &&
	    !atomic_exchange(&lb.pending, 1)))
		wake_writer(urgent);
}

/* ---- The writer ---- */

/* Write what every ring holds; 1 when anything was written. */
static int drain(int fd)
{
	struct iovec iov[64];
	struct ring *who[32];
	size_t upto[32];
	int any = 0;

	pthread_mutex_lock(&reg_lock);
	struct ring *next = rings;
	pthread_mutex_unlock(&reg_lock);
	/* The list only grows at its front, so walking it from a snapshot
	 * of the front needs no lock; rings added meanwhile wait for the
	 * next pass, which their first line asked for. */
	while (next) {
		int niov = 0, nwho = 0;
		size_t total = 0;
		for (; next && nwho < 32; next = next->next) {
			struct ring *r = next;
			size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
			size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
			if (head == tail)
				continue;
			size_t off = tail & (r->cap - 1), len = head - tail;
			size_t first = r->cap - off < len ? r->cap - off : len;
			iov[niov++] = (struct iovec){ r->data + off, first };
			if (len > first)
				iov[niov++] = (struct iovec){ r->data, len - first };
			who[nwho] = r;
			upto[nwho++] = head;
			total += len;
		}
		if (!nwho)
			continue;
		any = 1;
		struct iovec *v = iov;
		while (total > 0) {
			ssize_t w = writev(fd, v, niov);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				break;  /* the lines are lost; nowhere to report it */
			}
			total -= (size_t)w;
			while (niov > 0 && (size_t)w >= v->iov_len) {
				w -= (ssize_t)v->iov_len;
				v++;
				niov--;
			}
			if (niov > 0) {
				v->iov_base = (char *)v->iov_base + w;
				v->iov_len -= (size_t)w;
			}
		}
		for (int i = 0; i < nwho; i++)
			atomic_store_explicit(&who[i]->tail, upto[i], memory_order_release);
	}
	return any;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += (long)ms * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lb.lock);
	for (;;) {
		while (!atomic_load(&lb.pending) && !lb.urgent && lb.flush_wanted == lb.flush_done &&
		       atomic_load(&lb.state) == RUNNING)
			pthread_cond_wait(&lb.wake, &lb.lock);
		/* Let a batch gather, unless someone is waiting for it. */
		struct timespec until;
		deadline_in(&until, LOGBUF_FLUSH_MS);
		while (!lb.urgent && lb.flush_wanted == lb.flush_done && atomic_load(&lb.state) == RUNNING)
			if (pthread_cond_timedwait(&lb.wake, &lb.lock, &until) == ETIMEDOUT)
				break;
		int stopping = atomic_load(&lb.state) != RUNNING;
		uint64_t ticket = lb.flush_wanted;
		lb.urgent = 0;
		int fd = atomic_load_explicit(&lb.fd, memory_order_relaxed);
		pthread_mutex_unlock(&lb.lock);

		atomic_store(&lb.pending, 0);
		atomic_thread_fence(memory_order_seq_cst);
		if (stopping) {
			pthread_mutex_lock(&reg_lock);
			struct ring *all = rings;
			pthread_mutex_unlock(&reg_lock);
			for (struct ring *r = all; r; r = r->next)
				while (atomic_load_explicit(&r->busy, memory_order_acquire))
					sched_yield();
		}
		while (drain(fd) && stopping)
			;

		pthread_mutex_lock(&lb.lock);
		lb.flush_done = ticket;
		pthread_cond_broadcast(&lb.flushed_cond);
		if (stopping)
			break;
	}
	pthread_mutex_unlock(&lb.lock);
	return NULL;
}

/* ---- Life cycle ---- */

int logbuf_start(int fd)
{
	int rc = 0;
	pthread_mutex_lock(&start_lock);
	if (lb.refs > 0) {
		lb.refs++;
		goto out;
	}
	static int conds_ready;
	if (!conds_ready) {
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&lb.wake, &ca);
		pthread_condattr_destroy(&ca);
		pthread_cond_init(&lb.flushed_cond, NULL);
		conds_ready = 1;
	}
	pthread_mutex_lock(&lb.lock);
	atomic_store_explicit(&lb.fd, fd, memory_order_relaxed);
	lb.urgent = 0;
	lb.flush_done = lb.flush_wanted;
	atomic_store(&lb.pending, 0);
	atomic_store(&lb.state, RUNNING);
	pthread_mutex_unlock(&lb.lock);
	if (pthread_create(&lb.writer, NULL, writer_main, NULL) != 0) {
		atomic_store(&lb.state, STOPPED);
		rc = -1;
		goto out;
	}
	lb.refs = 1;
out:
	pthread_mutex_unlock(&start_lock);
	return rc;
}

void logbuf_flush(void)
{
	pthread_mutex_lock(&lb.lock);
	if (atomic_load(&lb.state) == RUNNING) {
		uint64_t ticket = ++lb.flush_wanted;
		pthread_cond_signal(&lb.wake);
		while (lb.flush_done < ticket && atomic_load(&lb.state) == RUNNING)
			pthread_cond_wait(&lb.flushed_cond, &lb.lock);
	}
	pthread_mutex_unlock(&lb.lock);
}

void logbuf_stop(void)
{
	pthread_mutex_lock(&start_lock);
	if (lb.refs == 0 || --lb.refs > 0) {
		pthread_mutex_unlock(&start_lock);
		return;
	}
	pthread_mutex_lock(&lb.lock);
	atomic_store(&lb.state, STOPPING);
	pthread_cond_signal(&lb.wake);
	pthread_cond_broadcast(&lb.flushed_cond);
	pthread_mutex_unlock(&lb.lock);
	pthread_join(lb.writer, NULL);
	atomic_store(&lb.state, STOPPED);
	pthread_mutex_unlock(&start_lock);
}

uint64_t logbuf_dropped(void)
{
	uint64_t n = 0;
	pthread_mutex_lock(&reg_lock);
	for (struct ring *r = rings; r; r = r->next)
		n += atomic_load_explicit(&r->dropped, memory_order_relaxed);
	pthread_mutex_unlock(&reg_lock);
	return n;
}
