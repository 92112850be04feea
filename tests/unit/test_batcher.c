/*
 * test_batcher.c — the batching behind group commit (util/batcher.h): a
 * batch is what was queued when the previous one ended, up to the most a
 * batch may hold, in submission order; a lone item runs at once; an item
 * is answered only after its batch's commit, with the commit's outcome
 * for every item of the batch; a batch that cannot begin runs nothing;
 * stopping answers everything still queued.
 */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "util/batcher.h"

#define MAX_ITEMS 64

struct item {
	struct batch_item link;   /* first */
	int id;
	int ran_in;        /* the batch it ran in (1-based), 0: never ran */
	int answered;      /* times answered */
	int answer_rc;
	int committed_before_answer;
};

/* A fake transaction: records what the batcher asks of it. */
struct fake {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int batch;              /* batches begun */
	int open;               /* inside begin..commit */
	int sizes[MAX_ITEMS];   /* items per batch, as begin was told */
	int run_order[MAX_ITEMS], nrun;
	int commits;
	int answers;
	int fail_begin_of;      /* begin of batch n fails with -5 (0: never) */
	int fail_commit_of;     /* commit of batch n fails with -7 (0: never) */
	int hold;               /* begin waits while set */
	int holding;            /* begin is waiting */
};

static int fake_begin(void *cls, int n)
{
	struct fake *f = cls;
	pthread_mutex_lock(&f->lock);
	f->batch++;
	if (f->batch <= MAX_ITEMS)
		f->sizes[f->batch - 1] = n;
	f->holding = 1;
	pthread_cond_broadcast(&f->changed);
	while (f->hold)
		pthread_cond_wait(&f->changed, &f->lock);
	f->holding = 0;
	int rc = f->batch == f->fail_begin_of ? -5 : 0;
	f->open = rc == 0;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static void fake_run(void *cls, struct batch_item *it)
{
	struct fake *f = cls;
	struct item *i = (struct item *)it;
	pthread_mutex_lock(&f->lock);
	i->ran_in = f->open ? f->batch : -1;
	if (f->nrun < MAX_ITEMS)
		f->run_order[f->nrun++] = i->id;
	pthread_mutex_unlock(&f->lock);
}

static int fake_commit(void *cls)
{
	struct fake *f = cls;
	pthread_mutex_lock(&f->lock);
	f->commits++;
	f->open = 0;
	int rc = f->batch == f->fail_commit_of ? -7 : 0;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static void fake_answer(void *cls, struct batch_item *it, int rc)
{
	struct fake *f = cls;
	struct item *i = (struct item *)it;
	pthread_mutex_lock(&f->lock);
	i->answered++;
	i->answer_rc = rc;
	i->committed_before_answer = !f->open;
	f->answers++;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

static const struct batcher_ops ops = {
	.begin = fake_begin, .run = fake_run, .commit = fake_commit, .answer = fake_answer,
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof *f);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->changed, NULL);
}

static void wait_answers(struct fake *f, int n)
{
	pthread_mutex_lock(&f->lock);
	while (f->answers < n)
		pthread_cond_wait(&f->changed, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

/* Hold the batcher inside the begin of its next batch. */
static void hold_next_begin(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	f->hold = 1;
	pthread_mutex_unlock(&f->lock);
}

static void wait_holding(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	while (!f->holding)
		pthread_cond_wait(&f->changed, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

static void release(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	f->hold = 0;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

TEST(a_lone_item_runs_at_once_in_a_batch_of_its_own)
{
	struct fake f;
	struct item one = { .id = 1 };
	fake_init(&f);
	struct batcher *b = batcher_start(&ops, &f, 64);
	CHECK(b != NULL);
	batcher_submit(b, &one.link);
	wait_answers(&f, 1);   /* no timer to wait out: it simply happens */
	CHECK_INT(f.batch, 1);
	CHECK_INT(f.sizes[0], 1);
	CHECK_INT(one.ran_in, 1);
	CHECK_INT(one.answered, 1);
	CHECK_INT(one.answer_rc, 0);
	CHECK(one.committed_before_answer);
	struct batcher_stats st;
	batcher_stats(b, &st);
	CHECK_INT((int)st.batches, 1);
	CHECK_INT((int)st.items, 1);
	CHECK_INT(st.largest, 1);
	batcher_stop(b);
}

TEST(what_arrives_while_a_batch_runs_is_the_next_batch_in_order)
{
	struct fake f;
	struct item it[11];
	fake_init(&f);
	struct batcher *b = batcher_start(&ops, &f, 64);
	hold_next_begin(&f);
	it[0] = (struct item){ .id = 0 };
	batcher_submit(b, &it[0].link);
	wait_holding(&f);            /* batch 1 (item 0) is running */
	for (int i = 1; i < 11; i++) {
		it[i] = (struct item){ .id = i };
		batcher_submit(b, &it[i].link);
	}
	release(&f);
	wait_answers(&f, 11);
	CHECK_INT(f.batch, 2);
	CHECK_INT(f.sizes[0], 1);
	CHECK_INT(f.sizes[1], 10);
	CHECK_INT(f.commits, 2);
	for (int i = 0; i < 11; i++) {
		CHECK_INT(f.run_order[i], i);
		CHECK_INT(it[i].ran_in, i == 0 ? 1 : 2);
		CHECK_INT(it[i].answered, 1);
		CHECK(it[i].committed_before_answer);
	}
	batcher_stop(b);
}

TEST(a_batch_holds_at_most_max_items)
{
	struct fake f;
	struct item it[11];
	fake_init(&f);
	struct batcher *b = batcher_start(&ops, &f, 4);
	hold_next_begin(&f);
	it[0] = (struct item){ .id = 0 };
	batcher_submit(b, &it[0].link);
	wait_holding(&f);
	for (int i = 1; i < 11; i++) {
		it[i] = (struct item){ .id = i };
		batcher_submit(b, &it[i].link);
	}
	release(&f);
	wait_answers(&f, 11);
	CHECK_INT(f.batch, 4);
	CHECK_INT(f.sizes[0], 1);
	CHECK_INT(f.sizes[1], 4);
	CHECK_INT(f.sizes[2], 4);
	CHECK_INT(f.sizes[3], 2);
	for (int i = 0; i < 11; i++)
		CHECK_INT(f.run_order[i], i);
	struct batcher_stats st;
	batcher_stats(b, &st);
	CHECK_INT((int)st.batches, 4);
	CHECK_INT((int)st.items, 11);
	CHECK_INT(st.largest, 4);
	batcher_stop(b);
}

TEST(a_failed_commit_is_every_items_answer_and_only_its_batchs)
{
	struct fake f;
	struct item it[6];
	fake_init(&f);
	f.fail_commit_of = 2;
	struct batcher *b = batcher_start(&ops, &f, 64);
	hold_next_begin(&f);
	it[0] = (struct item){ .id = 0 };
	batcher_submit(b, &it[0].link);
	wait_holding(&f);
	for (int i = 1; i < 4; i++) {      /* batch 2: items 1-3, its commit fails */
		it[i] = (struct item){ .id = i };
		batcher_submit(b, &it[i].link);
	}
	release(&f);
	wait_answers(&f, 4);
	for (int i = 4; i < 6; i++) {      /* batch 3 commits again */
		it[i] = (struct item){ .id = i };
		batcher_submit(b, &it[i].link);
	}
	wait_answers(&f, 6);
	CHECK_INT(it[0].answer_rc, 0);
	for (int i = 1; i < 4; i++) {
		CHECK_INT(it[i].ran_in, 2);       /* each ran ... */
		CHECK_INT(it[i].answer_rc, -7);   /* ... and none is done */
		CHECK_INT(it[i].answered, 1);
	}
	for (int i = 4; i < 6; i++)
		CHECK_INT(it[i].answer_rc, 0);
	batcher_stop(b);
}

TEST(a_batch_that_cannot_begin_runs_nothing_and_answers_its_code)
{
	struct fake f;
	struct item one = { .id = 1 }, two = { .id = 2 };
	fake_init(&f);
	f.fail_begin_of = 1;
	struct batcher *b = batcher_start(&ops, &f, 64);
	batcher_submit(b, &one.link);
	wait_answers(&f, 1);
	CHECK_INT(one.ran_in, 0);
	CHECK_INT(one.answer_rc, -5);
	CHECK_INT(f.commits, 0);
	batcher_submit(b, &two.link);
	wait_answers(&f, 2);
	CHECK_INT(two.ran_in, 2);
	CHECK_INT(two.answer_rc, 0);
	batcher_stop(b);
}

TEST(stopping_answers_everything_still_queued)
{
	struct fake f;
	struct item it[20];
	fake_init(&f);
	struct batcher *b = batcher_start(&ops, &f, 8);
	hold_next_begin(&f);
	it[0] = (struct item){ .id = 0 };
	batcher_submit(b, &it[0].link);
	wait_holding(&f);
	for (int i = 1; i < 20; i++) {
		it[i] = (struct item){ .id = i };
		batcher_submit(b, &it[i].link);
	}
	release(&f);
	batcher_stop(b);      /* returns once all are answered */
	CHECK_INT(f.answers, 20);
	for (int i = 0; i < 20; i++) {
		CHECK_INT(it[i].answered, 1);
		CHECK_INT(it[i].answer_rc, 0);
	}
}

CHECK_MAIN()
