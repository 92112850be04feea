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
 * by themselves with what arrives while one runs.  An item that finds
 * nothing queued and nothing running need not wait for the thread at all:
 * batcher_run_now applies it in place, as a batch of one, on the caller's
 * thread (what comes meanwhile is queued and left to the batcher's thread).
 *
 * Thread safety: batcher_submit and batcher_run_now from any thread.  One
 * batch runs at a time, on the batcher's thread or in batcher_run_now's
 * caller: the ops are never called concurrently, but not always on the
 * same thread.
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
/* When nothing is queued and no batch runs: apply it at once on this
 * thread as a batch of its own (begin, run, commit, answer) and return 1.
 * Otherwise return 0 having done nothing: then batcher_submit it. */
int batcher_run_now(struct batcher *b, struct batch_item *it);
/* Queue it (FIFO).  Not after batcher_stop has begun. */
void batcher_submit(struct batcher *b, struct batch_item *it);
void batcher_stats(struct batcher *b, struct batcher_stats *out);
/* Apply and answer everything queued, then stop the thread and free b.
 * NULL is fine. */
void batcher_stop(struct batcher *b);

#endif
