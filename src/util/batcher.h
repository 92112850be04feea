/*
 * batcher.h — one thread that takes work items from a queue in batches:
 * it opens a batch, applies each item in it, closes the batch, then tells
 * every item's owner the batch's outcome.  Group commit on SQLite
 * (api/group_commit.c) is its user: a batch is one transaction, an item a
 * write request.
 *
 * A batch is what is queued when the previous one ends, up to max_batch
 * items, in the order they were submitted: no timer, so a lone item is
 * applied as soon as the thread is free, and under load the batches grow
 * by themselves with what arrives while one runs.
 *
 * Thread safety: batcher_submit from any thread; the ops run on the
 * batcher's thread only, one at a time.
 */
#ifndef QT_UTIL_BATCHER_H
#define QT_UTIL_BATCHER_H

#include <stdint.h>

/* Embedded in the caller's item; the batcher links items through it. */
struct batch_item {
	struct batch_item *next;
};

struct batcher_ops {
	/* Open a batch of n items: 0, or a negative code that each of them
	 * is answered with (run is not called). */
	int (*begin)(void *cls, int n);
	/* Apply one item in the open batch.  What becomes of the item alone
	 * (refused, say) is the item's own business. */
	void (*run)(void *cls, struct batch_item *it);
	/* Close the batch: 0 when all it applied is durable, else a
	 * negative code. */
	int (*commit)(void *cls);
	/* Tell an item's owner the outcome: rc is 0 once the batch
	 * committed, else begin's or commit's code.  After this the batcher
	 * no longer touches the item. */
	void (*answer)(void *cls, struct batch_item *it, int rc);
};

struct batcher_stats {
	uint64_t batches;   /* batches run (counted before their items are answered) */
	uint64_t items;     /* items in them */
	int largest;        /* items in the largest batch */
};

struct batcher;

/* Start the thread.  ops and cls must outlive the batcher; max_batch >= 1.
 * NULL when no thread can be started. */
struct batcher *batcher_start(const struct batcher_ops *ops, void *cls, int max_batch);
/* Queue it (FIFO).  Not after batcher_stop has begun. */
void batcher_submit(struct batcher *b, struct batch_item *it);
void batcher_stats(struct batcher *b, struct batcher_stats *out);
/* Apply and answer everything queued, then stop the thread and free b.
 * NULL is fine. */
void batcher_stop(struct batcher *b);

#endif
