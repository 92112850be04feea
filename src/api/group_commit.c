/* group_commit.c — see group_commit.h. */
#include <stdlib.h>

#include "api/common.h"
#include "api/group_commit.h"
#include "app.h"
#include "util/batcher.h"
#include "util/log.h"

struct group_commit {
	struct app *app;
	struct batcher *batcher;
	struct store_group *group;   /* the batch's transaction (writer thread) */
};

/* One queued request, from its arena (it lives until the answer is sent). */
struct write_item {
	struct batch_item link;   /* first: the batcher's item is the write_item */
	struct req *r;
	const struct route *rt;
};

static int batch_begin(void *cls, int n)
{
	struct group_commit *gc = cls;
	int rc = store_group_begin(gc->app->store, &gc->group);
	if (rc != STORE_OK) {
		log_error("group commit: a batch of %d write(s) could not begin", n);
		gc->group = NULL;
	}
	return rc;
}

static void batch_run(void *cls, struct batch_item *it)
{
	(void)cls;
	struct write_item *w = (struct write_item *)it;
	api_dispatch_route(w->r, w->rt);
}

static int batch_commit(void *cls)
{
	struct group_commit *gc = cls;
	int rc = store_group_commit(gc->group);
	gc->group = NULL;
	if (rc != STORE_OK)
		log_error("group commit: the batch did not commit; each of its writes is answered with the failure");
	return rc;
}

/* A batch that did not commit: whatever each request was going to say,
 * nothing of it happened. */
static void batch_answer(void *cls, struct batch_item *it, int rc)
{
	(void)cls;
	struct req *r = ((struct write_item *)it)->r;
	if (rc != STORE_OK) {
		r->resp.status = 0;
		r->resp.content_type = NULL;
		r->resp.body.len = 0;
		r->resp.nheaders = 0;
		/* Unavailable or busy: try again (503); anything else is ours (500). */
		api_store_fail(r, rc == STORE_UNAVAILABLE || rc == STORE_BUSY ? rc : STORE_ERROR, NULL);
	}
	req_resume(r);
}

static const struct batcher_ops write_ops = {
	.begin = batch_begin, .run = batch_run, .commit = batch_commit, .answer = batch_answer,
};

struct group_commit *group_commit_start(struct app *app, int max_batch)
{
	struct group_commit *gc = calloc(1, sizeof *gc);
	if (!gc)
		return NULL;
	gc->app = app;
	gc->batcher = batcher_start(&write_ops, gc, max_batch);
	if (!gc->batcher) {
		free(gc);
		return NULL;
	}
	return gc;
}

void group_commit_submit(struct group_commit *gc, struct req *r, const struct route *rt)
{
	struct write_item *w = arena_alloc(r->arena, sizeof *w);
	w->r = r;
	w->rt = rt;
	req_defer(r);
	batcher_submit(gc->batcher, &w->link);
}

void group_commit_metrics(struct group_commit *gc, struct buf *out)
{
	struct batcher_stats st;
	if (!gc)
		return;
	batcher_stats(gc->batcher, &st);
	buf_printf(out, "# HELP qt_write_batches_total Batches of SQLite writes committed together (group commit).\n"
		"# TYPE qt_write_batches_total counter\nqt_write_batches_total %llu\n"
		"# HELP qt_write_batched_requests_total Write requests applied in those batches.\n"
		"# TYPE qt_write_batched_requests_total counter\nqt_write_batched_requests_total %llu\n"
		"# HELP qt_write_batch_largest The most write requests one batch held.\n"
		"# TYPE qt_write_batch_largest gauge\nqt_write_batch_largest %d\n",
		(unsigned long long)st.batches, (unsigned long long)st.items, st.largest);
}

void group_commit_stop(struct group_commit *gc)
{
	if (!gc)
		return;
	batcher_stop(gc->batcher);
	free(gc);
}
