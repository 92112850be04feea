/* batcher.c — see batcher.h. */
#include <pthread.h>
#include <stdlib.h>

#include "util/batcher.h"

struct batcher {
	const struct batcher_ops *ops;
	void *cls;
	int max_batch;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t queued;
	struct batch_item *head, *tail;   /* under lock */
	int stopping;                     /* under lock */
	struct batcher_stats stats;       /* under lock */
};

/* Up to max_batch items off the front of the queue, in order, into *out
 * (a NULL-terminated list).  Under b->lock. */
static int take(struct batcher *b, struct batch_item **out)
{
	int n = 0;
	struct batch_item *first = b->head, *last = NULL;
	for (struct batch_item *it = b->head; it && n < b->max_batch; it = it->next) {
		last = it;
		n++;
	}
	b->head = last->next;
	if (!b->head)
		b->tail = NULL;
	last->next = NULL;
	*out = first;
	return n;
}

static void *batcher_main(void *arg)
{
	struct batcher *b = arg;
	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->head && !b->stopping)
			pthread_cond_wait(&b->queued, &b->lock);
		if (!b->head)
			break;    /* stopping, and nothing left */
		struct batch_item *batch;
		int n = take(b, &batch);
		pthread_mutex_unlock(&b->lock);

		int rc = b->ops->begin(b->cls, n);
		if (rc == 0) {
			for (struct batch_item *it = batch; it; it = it->next)
				b->ops->run(b->cls, it);
			rc = b->ops->commit(b->cls);
		}
		pthread_mutex_lock(&b->lock);
		b->stats.batches++;
		b->stats.items += (uint64_t)n;
		if (n > b->stats.largest)
			b->stats.largest = n;
		pthread_mutex_unlock(&b->lock);

		while (batch) {
			struct batch_item *next = batch->next;   /* answer may free it */
			b->ops->answer(b->cls, batch, rc);
			batch = next;
		}
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

struct batcher *batcher_start(const struct batcher_ops *ops, void *cls, int max_batch)
{
	struct batcher *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->ops = ops;
	b->cls = cls;
	b->max_batch = max_batch < 1 ? 1 : max_batch;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->queued, NULL);
	if (pthread_create(&b->thread, NULL, batcher_main, b) != 0) {
		pthread_cond_destroy(&b->queued);
		pthread_mutex_destroy(&b->lock);
		free(b);
		return NULL;
	}
	return b;
}

void batcher_submit(struct batcher *b, struct batch_item *it)
{
	it->next = NULL;
	pthread_mutex_lock(&b->lock);
	if (b->tail)
		b->tail->next = it;
	else
		b->head = it;
	b->tail = it;
	pthread_cond_signal(&b->queued);
	pthread_mutex_unlock(&b->lock);
}

void batcher_stats(struct batcher *b, struct batcher_stats *out)
{
	pthread_mutex_lock(&b->lock);
	*out = b->stats;
	pthread_mutex_unlock(&b->lock);
}

void batcher_stop(struct batcher *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_cond_signal(&b->queued);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->queued);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
