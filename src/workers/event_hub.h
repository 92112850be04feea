/*
 * event_hub.h — fan-out of live events inside `serve`: which event
 * streams are open for which tenant, and waking them when their tenant's
 * sequence moves or a heartbeat is due.
 *
 * The hub holds no events, only each tenant's latest known seq; a woken
 * stream reads what it has not sent from the store (store_events.h), so
 * a missed wake-up delays an event but never loses it.  It hears of new
 * events from:
 *   - this process's commits (event_hub_notify, set as the store's event
 *     hook by serve);
 *   - on PostgreSQL, other processes' commits: a thread LISTENs on
 *     qt_events, reconnecting when the connection drops (and then wakes
 *     every stream to re-read, since notifications sent meanwhile are
 *     gone).  Behind a transaction pooler (QT_DB with statement_cache=off)
 *     it needs a direct URL (listen_url, QT_EVENTS_DB); without one, other
 *     processes' changes arrive at the streams' heartbeats;
 *   - on SQLite, other processes' commits (the CLI): the heads are polled
 *     once a second while any stream is open.
 * A store's streams wake at once for its first new event, then at most
 * every 50 ms while events keep coming (a burst is read in one go).  A
 * timer marks a heartbeat due on each stream every heartbeat_s and wakes
 * it; streams also re-read and re-check their caller then.
 *
 * Streams per tenant are limited (per process): event_hub_subscribe
 * refuses past per_tenant.
 *
 * Thread-safe; every function may be called from any thread.
 */
#ifndef QT_WORKERS_EVENT_HUB_H
#define QT_WORKERS_EVENT_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct event_hub_config {
	int heartbeat_s;           /* QT_SSE_HEARTBEAT_S, >= 1 */
	int per_tenant;            /* QT_SSE_PER_TENANT, >= 1 */
	const char *listen_url;    /* PostgreSQL: a direct URL for LISTEN, or NULL for the store's
	                            * (must outlive the hub) */
};

struct event_hub;
struct event_sub;

/* Start the timer thread (and the LISTEN thread on PostgreSQL).  s must
 * outlive the hub.  NULL on failure (logged). */
struct event_hub *event_hub_start(struct store *s, const struct event_hub_config *cfg);
/* Stop and join the threads and free the hub.  Every subscription must
 * have been released first (stop the HTTP server before).  NULL is fine. */
void event_hub_stop(struct event_hub *h);

/* The tenant's events reach seq (committed): wake its streams.  Matches
 * the store's event hook (store_set_event_hook) with h as cls. */
void event_hub_notify(void *h, const char *tenant_id, int64_t seq);

/* A stream of tenant_id opens; seq is the tenant's head as the stream
 * read it.  NULL when the tenant already has per_tenant streams here. */
struct event_sub *event_hub_subscribe(struct event_hub *h, const char *tenant_id, int64_t seq);
/* From now on wake(arg) wakes the stream (from any thread, without the
 * hub's lock; wake must not call back into the hub). */
void event_hub_attach(struct event_sub *sub, void (*wake)(void *arg), void *arg);
/* The stream is gone: once this returns, wake is never called again (a
 * wake already on its way is waited for) and sub is freed. */
void event_hub_unsubscribe(struct event_sub *sub);

/*
 * The tenant's latest events, as the streams formatted them, shared so
 * that one write read by one stream from the store serves every stream of
 * its store (a write wakes them all at once).  The hub keeps the last
 * EVENT_HUB_CACHE messages in seq order, without gaps.
 *
 * event_hub_cached: put(cls, text, len) for each cached message after
 * after_seq, in order.  Returns the last seq put, after_seq when nothing
 * newer is cached, or -1 when the cache does not reach back to
 * after_seq + 1 (read the store instead).  put runs with the hub's lock
 * held.
 * event_hub_offer: a message read from the store, offered in seq order
 * (text is copied); one that does not follow the cached ones restarts the
 * cache at it.
 */
#define EVENT_HUB_CACHE 128
int64_t event_hub_cached(struct event_sub *sub, int64_t after_seq,
	void (*put)(void *cls, const char *text, size_t len), void *cls);
void event_hub_offer(struct event_sub *sub, int64_t seq, const char *text, size_t len);

/* The latest seq the hub knows of for the sub's tenant. */
int64_t event_hub_seq(struct event_sub *sub);
/* 1 when a heartbeat came due since the last call (and clears it). */
int event_hub_heartbeat_due(struct event_sub *sub);
/* Open streams in this process (for metrics and tests). */
int event_hub_streams(struct event_hub *h);

#endif
