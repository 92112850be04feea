/*
 * group_commit.h — group commit of write requests on SQLite.
 *
 * SQLite has one writer at a time, and each commit of its own costs a
 * WAL append and the locking around it.  So the write routes marked
 * .group_commit are not run on the thread that received them: that thread
 * suspends the connection (req_defer) and queues the request, and goes on
 * serving others.  One writer thread (util/batcher.h) takes what is queued
 * when its previous batch ends, up to QT_GROUP_COMMIT_MAX requests, and
 * applies them in one write transaction (store_group_begin), each request
 * as it would run alone — authentication, Idempotency-Key, handler — in
 * its transaction, which is a savepoint of the batch's (store.h).  A
 * refused request rolls back to its savepoint and leaves the others be.
 * Only after the batch's COMMIT has returned are the requests answered
 * (req_resume) and the live streams woken (the event hook); when the
 * COMMIT fails, every request of the batch is answered with that failure
 * (503, or 500) and none is reported done.
 *
 * A writer thread rather than a leader among the server's threads: the
 * server's threads never wait on the write lock nor run a batch, so all
 * of them keep reading requests (the next batch) and serving reads while a
 * batch runs; a leader would stall every connection of its thread for the
 * batch and need a hand-off when the queue is not empty at its end.  The
 * writer's one connection also keeps SQLite's caches warm.  There is no
 * timer: a lone write is applied at once, and batches grow with the load.
 *
 * PostgreSQL does not use this (app.group_commit stays NULL).
 */
#ifndef QT_API_GROUP_COMMIT_H
#define QT_API_GROUP_COMMIT_H

#include "http/request.h"
#include "http/router.h"
#include "util/buf.h"

struct app;
struct group_commit;

/* Start the writer for app->store (SQLite), up to max_batch requests a
 * batch (>= 1).  NULL when its thread cannot be started. */
struct group_commit *group_commit_start(struct app *app, int max_batch);
/* From api_dispatch, on the server's thread: suspend r and queue it. */
void group_commit_submit(struct group_commit *gc, struct req *r, const struct route *rt);
/* The writer's counters, in Prometheus text, appended to out. */
void group_commit_metrics(struct group_commit *gc, struct buf *out);
/* Answer everything queued, stop the thread, free gc; NULL is fine.  After
 * the HTTP server has stopped (nothing is submitted any more). */
void group_commit_stop(struct group_commit *gc);

/* dispatch.c: authenticate, open the request's transaction, run the route's
 * handler, commit or roll back — api_dispatch once the route is known. */
void api_dispatch_route(struct req *r, const struct route *rt);

#endif
