/*
 * events.c — the live event stream: POST /api/v1/events/ticket and
 * GET /api/v1/events (Server-Sent Events), plan feature realtime.
 *
 * A stream is a parked HTTP response (http/response.h resp_stream): it
 * holds no worker thread while it waits.  The hub (workers/event_hub.h)
 * wakes it when its store's sequence moves or a heartbeat is due; it then
 * reads what it has not sent from tenant_events in a short read
 * transaction of its own and writes it:
 *
 *     id: 42
 *     event: entry.created
 *     data: {"id":"…","customer_id":"…","balance_minor":1500,…}
 *
 * First, one of: `event: ready` (no Last-Event-ID: the stream starts at
 * the store's latest id, which it carries, so a reconnect resumes from
 * there), nothing (a Last-Event-ID the store still has: the events after
 * it follow), or `event: reset` (an id older than what is kept, or not
 * one of this store's: reload everything; the stream goes on from the
 * latest id).  A heartbeat is the comment line ": heartbeat".  At each
 * heartbeat the stream also re-checks its caller (still a member of at
 * least the member role, sessions not ended, plan still has realtime)
 * and ends when that no longer holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "domain/plan.h"
#include "security/token.h"
#include "store/store_events.h"
#include "store/store_users.h"
#include "util/buf.h"
#include "util/clock.h"
#include "workers/event_hub.h"

#define TICKET_TTL_S 60
/* Events read per wake; a stream far behind reads on at its next call. */
#define READ_BATCH 200
/* What the client waits before reconnecting by itself (EventSource). */
#define RETRY_MS 3000

struct live_stream {
	struct store *store;
	struct event_sub *sub;
	char tenant_id[37];
	char user_id[37];
	int64_t token_version;
	int64_t sent_seq;            /* the last event written */
	int more;                    /* the last read was a full batch */
	int attached;                /* the hub wakes this stream's handle */
	int ending;                  /* write what is buffered, then end */
	struct buf out;
	size_t out_pos;
};

static void stream_wake(void *arg)
{
	http_stream_wake(arg);
}

/* One SSE message into b; data may hold several lines. */
static void put_message(struct buf *b, int64_t id, const char *event, const char *data)
{
	if (id >= 0)
		buf_printf(b, "id: %lld\n", (long long)id);
	buf_printf(b, "event: %s\n", event);
	for (const char *p = data;;) {
		const char *nl = strpbrk(p, "\r\n");
		buf_puts(b, "data: ");
		buf_append(b, p, nl ? (size_t)(nl - p) : strlen(p));
		buf_putc(b, '\n');
		if (!nl)
			break;
		p = nl + (nl[0] == '\r' && nl[1] == '\n' ? 2 : 1);
	}
	buf_putc(b, '\n');
}

/* Is the caller still allowed to watch?  1 yes, 0 no, -1 could not tell. */
static int still_allowed(struct live_stream *st, struct store_tx *tx, struct arena *a)
{
	struct member_ctx m;
	int rc = store_member_context(tx, st->user_id, a, &m);
	if (rc == STORE_NOT_FOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	if (m.token_version != st->token_version || !role_at_least(m.role, ROLE_MEMBER))
		return 0;
	uint32_t features = api_plan_features(m.plan, m.plan_updated_at, m.plan_features);
	return (features & PLAN_FEATURE_BIT(FEATURE_REALTIME)) != 0;
}

static void put_cached(void *cls, const char *text, size_t len)
{
	buf_append(cls, text, len);
}

/* Read what is new (and re-check the caller at a heartbeat) into
 * st->out.  What another stream of the store has just read comes from
 * the hub's cache; the store is read only for the rest, at a heartbeat
 * (which also catches anything a lost notification left behind), and
 * after a full batch. */
static void fill(struct live_stream *st, int recheck)
{
	struct store_tx *tx;
	struct event_rec *ev;
	int n = 0;
	if (!recheck && !st->more) {
		int64_t last = event_hub_cached(st->sub, st->sent_seq, put_cached, &st->out);
		if (last >= 0) {
			st->sent_seq = last;
			if (last >= event_hub_seq(st->sub))
				return;
		}
	}
	struct arena *a = arena_new();
	int rc = store_begin_tenant(st->store, st->tenant_id, 0, NULL, &tx);
	if (rc != STORE_OK) {
		/* The database is away: say nothing now, try again at the
		 * next wake (the client keeps its place). */
		arena_free(a);
		return;
	}
	if (recheck) {
		int ok = still_allowed(st, tx, a);
		if (ok == 0) {
			store_rollback(tx);
			arena_free(a);
			st->ending = 1;
			return;
		}
	}
	rc = store_event_list(tx, st->sent_seq, READ_BATCH, a, &ev, &n);
	if (rc == STORE_OK)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	if (rc == STORE_OK) {
		for (int i = 0; i < n; i++) {
			size_t at = st->out.len;
			put_message(&st->out, ev[i].seq, ev[i].type, ev[i].data);
			event_hub_offer(st->sub, ev[i].seq, st->out.data + at, st->out.len - at);
			st->sent_seq = ev[i].seq;
		}
		st->more = n == READ_BATCH;
	}
	arena_free(a);
}

static long stream_read(void *cls, struct http_stream *h, char *out, size_t max)
{
	struct live_stream *st = cls;
	if (st->out_pos == 0 && st->out.len == 0 && !st->ending) {
		/* Nothing buffered: look for news. */
		if (!st->attached) {
			event_hub_attach(st->sub, stream_wake, h);
			st->attached = 1;
		}
		int heartbeat = event_hub_heartbeat_due(st->sub);
		if (heartbeat || st->more || event_hub_seq(st->sub) > st->sent_seq)
			fill(st, heartbeat);
		if (st->out.len == 0 && heartbeat && !st->ending)
			buf_puts(&st->out, ": heartbeat\n\n");
	}
	if (st->out_pos < st->out.len) {
		size_t n = st->out.len - st->out_pos;
		if (n > max)
			n = max;
		memcpy(out, st->out.data + st->out_pos, n);
		st->out_pos += n;
		if (st->out_pos == st->out.len)
			st->out_pos = st->out.len = 0;
		return (long)n;
	}
	return st->ending ? RESP_STREAM_END : RESP_STREAM_WAIT;
}

static void stream_done(void *cls, int completed)
{
	struct live_stream *st = cls;
	(void)completed;
	event_hub_unsubscribe(st->sub);
	buf_release(&st->out);
	free(st);
}

static const struct resp_stream_ops live_ops = { stream_read, stream_done };

/* Last-Event-ID (header, which EventSource sends when it reconnects) or
 * ?last_event_id=: 0 absent, 1 set, -1 with a 400 naming it. */
static int last_event_id(struct req *r, int64_t *out)
{
	const char *field = "Last-Event-ID";
	const char *v = req_header(r, field);
	if (!v) {
		field = "last_event_id";
		v = req_query(r, field);
	}
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (!*v || *v == '-' || *v == '+' || *end || errno || n < 0)
		return req_fail_field(r, 400, "invalid_parameter", field,
			"must be the id of an event this stream sent (a whole number)");
	*out = n;
	return 1;
}

int h_events_stream(struct req *r)
{
	struct event_head head;
	int64_t from = 0;

	if (api_require_feature(r, "realtime") < 0)
		return -1;
	int resume = last_event_id(r, &from);
	if (resume < 0)
		return -1;
	if (!r->app->events)
		return req_fail(r, 503, "events_unavailable", "live events are not served by this process");
	struct user_rec u;
	int rc = store_event_head(r->tx, &head);
	if (rc == STORE_OK)
		rc = store_user_by_id(r->tx, r->caller.user_id, r->arena, &u);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);

	struct event_sub *sub = event_hub_subscribe(r->app->events, r->caller.tenant_id, head.seq);
	if (!sub) {
		req_failf(r, 429, "too_many_streams",
			"this store has %d live event streams open on this server already; close one or try again later",
			r->app->cfg.sse_per_tenant);
		req_problem_extra(r, "limit", json_integer(r->app->cfg.sse_per_tenant));
		r->problem.retry_after = 30;
		return -1;
	}
	struct live_stream *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	st->store = r->app->store;
	st->sub = sub;
	snprintf(st->tenant_id, sizeof st->tenant_id, "%s", r->caller.tenant_id);
	snprintf(st->user_id, sizeof st->user_id, "%s", r->caller.user_id);
	st->token_version = u.token_version;
	buf_init(&st->out);
	buf_printf(&st->out, "retry: %d\n\n", RETRY_MS);
	if (resume && from >= head.pruned_seq && from <= head.seq) {
		st->sent_seq = from;
		st->more = 1;
	} else {
		char *data = arena_printf(r->arena, "{\"seq\":%lld}", (long long)head.seq);
		put_message(&st->out, head.seq, resume ? "reset" : "ready", data);
		st->sent_seq = head.seq;
	}
	/* Proxies (nginx) must pass each event on as it comes. */
	resp_header(r, "X-Accel-Buffering", "no");
	return resp_stream(r, 200, "text/event-stream; charset=utf-8", &live_ops, st);
}

int h_events_ticket(struct req *r)
{
	struct user_rec u;
	char random[TOKEN_LEN + 1], hash[65];

	if (api_require_feature(r, "realtime") < 0)
		return -1;
	int rc = store_user_by_id(r->tx, r->caller.user_id, r->arena, &u);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	/* The store's id first, so the ticket finds its store (and Row Level
	 * Security) before anything is read; dispatch.c redeems it. */
	token_random(random);
	char *ticket = arena_printf(r->arena, "%s.%s", r->caller.tenant_id, random);
	token_hash(ticket, hash);
	int64_t now = clock_now_ms();
	rc = store_event_ticket_create(r->tx, hash, r->caller.user_id, u.token_version, now,
		now + TICKET_TTL_S * 1000LL);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *o = json_object();
	json_object_set_new(o, "ticket", json_string(ticket));
	json_object_set_new(o, "expires_in", json_integer(TICKET_TTL_S));
	return resp_json(r, 200, o);
}
