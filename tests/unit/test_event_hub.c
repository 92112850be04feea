/*
 * test_event_hub.c — the live events below the HTTP layer, on a migrated
 * SQLite file: store_events (seq per store without gaps, nothing from a
 * rolled-back transaction, the commit hook, retention, single-use
 * tickets) and the hub (streams per store limited, a notification wakes
 * only that store's streams and only forward, heartbeats come due).
 * tests/api/events.test.mjs covers the stream end to end on both
 * backends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store/store_events.h"
#include "store/store_tenants.h"
#include "workers/event_hub.h"

static const struct store_actor test_actor = { "test", "system", "test", "local" };

struct fixture {
	char path[40];
	struct store *s;
	struct arena *a;
	struct tenant_rec t1, t2;
};

static int setup(struct fixture *f)
{
	char url[64], err[256];
	struct store_tx *tx;
	snprintf(f->path, sizeof f->path, "/tmp/qt-events-XXXXXX");
	int fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", f->path);
	f->a = arena_new();
	if (store_open(url, 2, &f->s, err, sizeof err) != STORE_OK ||
	    store_migrate(f->s, NULL, err, sizeof err) != STORE_OK)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (store_begin_platform(f->s, 1, &test_actor, &tx) != STORE_OK)
			return -1;
		if (store_tenant_create(tx, i ? "two" : "one", "Store", NULL, "professional", f->a,
			i ? &f->t2 : &f->t1) != STORE_OK) {
			store_rollback(tx);
			return -1;
		}
		if (store_commit(tx) != STORE_OK)
			return -1;
	}
	return 0;
}

static void teardown(struct fixture *f)
{
	char side[64];
	store_close(f->s);
	arena_free(f->a);
	unlink(f->path);
	snprintf(side, sizeof side, "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", f->path);
	unlink(side);
}

static int append(struct store *s, const char *tenant, const char *type, int commit)
{
	struct store_tx *tx;
	if (store_begin_tenant(s, tenant, 1, &test_actor, &tx) != STORE_OK)
		return -1;
	int rc = store_event_append(tx, type, "id-1", "{\"x\":1}");
	if (rc != STORE_OK || !commit) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

struct heard {
	char tenant[37];
	int64_t seq;
	int calls;
};

static void hook(void *cls, const char *tenant_id, int64_t seq)
{
	struct heard *h = cls;
	snprintf(h->tenant, sizeof h->tenant, "%s", tenant_id);
	h->seq = seq;
	h->calls++;
}

TEST(seq_runs_per_store_without_gaps_and_a_rollback_takes_none)
{
	struct fixture f;
	struct heard heard = { "", 0, 0 };
	CHECK_INT(setup(&f), 0);
	store_set_event_hook(f.s, hook, &heard);
	CHECK_INT(append(f.s, f.t1.id, "customer.created", 1), STORE_OK);
	CHECK_INT(heard.calls, 1);
	CHECK_INT(heard.seq, 1);
	CHECK_STR(heard.tenant, f.t1.id);
	CHECK_INT(append(f.s, f.t1.id, "entry.created", 0), STORE_OK);   /* rolled back */
	CHECK_INT(heard.calls, 1);
	CHECK_INT(append(f.s, f.t2.id, "customer.created", 1), STORE_OK);
	CHECK_INT(heard.seq, 1);                                          /* store two's own 1 */
	CHECK_INT(append(f.s, f.t1.id, "entry.created", 1), STORE_OK);
	CHECK_INT(heard.seq, 2);
	store_set_event_hook(f.s, NULL, NULL);

	struct store_tx *tx;
	struct event_head head;
	struct event_rec *ev;
	int n = 0;
	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_event_head(tx, &head), STORE_OK);
	CHECK_INT(head.seq, 2);
	CHECK_INT(head.pruned_seq, 0);
	CHECK_INT(store_event_list(tx, 0, 10, f.a, &ev, &n), STORE_OK);
	store_rollback(tx);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(ev[0].seq, 1);
		CHECK_STR(ev[0].type, "customer.created");
		CHECK_STR(ev[0].data, "{\"x\":1}");
		CHECK_INT(ev[1].seq, 2);
		CHECK_STR(ev[1].type, "entry.created");
	}
	/* A read transaction cannot append. */
	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_event_append(tx, "x", "y", "{}"), STORE_ERROR);
	store_rollback(tx);
	teardown(&f);
}

TEST(retention_deletes_a_prefix_and_says_where_it_ends)
{
	struct fixture f;
	CHECK_INT(setup(&f), 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(append(f.s, f.t1.id, "entry.created", 1), STORE_OK);
	/* Nothing is old yet. */
	CHECK_INT(store_event_prune(f.s, 0, 0), STORE_OK);
	struct store_tx *tx;
	struct event_head head;
	struct event_rec *ev;
	int n = 0;
	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_event_head(tx, &head), STORE_OK);
	store_rollback(tx);
	CHECK_INT(head.pruned_seq, 0);
	/* Everything before a cutoff in the future goes. */
	int64_t future = (int64_t)time(NULL) * 1000 + 3600 * 1000;
	CHECK_INT(store_event_prune(f.s, future, 0), STORE_OK);
	CHECK_INT(append(f.s, f.t1.id, "entry.created", 1), STORE_OK);
	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_event_head(tx, &head), STORE_OK);
	CHECK_INT(store_event_list(tx, 0, 10, f.a, &ev, &n), STORE_OK);
	store_rollback(tx);
	CHECK_INT(head.seq, 4);
	CHECK_INT(head.pruned_seq, 3);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(ev[0].seq, 4);
	teardown(&f);
}

TEST(a_ticket_is_used_once_and_not_after_it_expires)
{
	struct fixture f;
	struct store_tx *tx;
	enum event_ticket_state state;
	char *user = NULL;
	int64_t version = -1;
	CHECK_INT(setup(&f), 0);
	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_event_ticket_create(tx, "hash-a", "user-1", 7, 1000, 61000), STORE_OK);
	CHECK_INT(store_event_ticket_create(tx, "hash-b", "user-1", 7, 1000, 61000), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);

	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_event_ticket_use(tx, "hash-a", 2000, f.a, &state, &user, &version), STORE_OK);
	CHECK_INT(state, TICKET_VALID);
	CHECK_STR(user, "user-1");
	CHECK_INT(version, 7);
	CHECK_INT(store_event_ticket_use(tx, "hash-a", 2000, f.a, &state, &user, &version), STORE_OK);
	CHECK_INT(state, TICKET_USED);
	CHECK_INT(store_event_ticket_use(tx, "hash-b", 61000, f.a, &state, &user, &version), STORE_OK);
	CHECK_INT(state, TICKET_EXPIRED);
	CHECK_INT(store_event_ticket_use(tx, "hash-c", 2000, f.a, &state, &user, &version), STORE_OK);
	CHECK_INT(state, TICKET_UNKNOWN);
	CHECK_INT(store_commit(tx), STORE_OK);
	/* Another store does not know the ticket. */
	CHECK_INT(store_begin_tenant(f.s, f.t2.id, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_event_ticket_use(tx, "hash-b", 2000, f.a, &state, &user, &version), STORE_OK);
	CHECK_INT(state, TICKET_UNKNOWN);
	store_rollback(tx);
	teardown(&f);
}

/* Wakes come from the hub's timer thread too. */
static void count_wake(void *arg)
{
	__atomic_fetch_add((int *)arg, 1, __ATOMIC_SEQ_CST);
}

TEST(the_hub_limits_streams_per_store_and_wakes_only_that_store_forward)
{
	struct fixture f;
	CHECK_INT(setup(&f), 0);
	struct event_hub_config cfg = { .heartbeat_s = 3600, .per_tenant = 2 };
	struct event_hub *h = event_hub_start(f.s, &cfg);
	CHECK(h != NULL);
	if (!h) {
		teardown(&f);
		return;
	}
	int w1 = 0, w2 = 0, w3 = 0;
	struct event_sub *a = event_hub_subscribe(h, f.t1.id, 5);
	struct event_sub *b = event_hub_subscribe(h, f.t1.id, 3);
	CHECK(a && b);
	CHECK(event_hub_subscribe(h, f.t1.id, 5) == NULL);
	struct event_sub *c = event_hub_subscribe(h, f.t2.id, 0);
	CHECK(c != NULL);
	CHECK_INT(event_hub_streams(h), 3);
	event_hub_attach(a, count_wake, &w1);
	event_hub_attach(b, count_wake, &w2);
	event_hub_attach(c, count_wake, &w3);
	CHECK_INT(event_hub_seq(b), 5);          /* the highest head seen */

	event_hub_notify(h, f.t1.id, 6);
	CHECK_INT(w1, 1);
	CHECK_INT(w2, 1);
	CHECK_INT(w3, 0);
	CHECK_INT(event_hub_seq(a), 6);
	event_hub_notify(h, f.t1.id, 6);         /* nothing new */
	event_hub_notify(h, f.t1.id, 4);         /* old news */
	CHECK_INT(w1, 1);
	event_hub_notify(h, f.t2.id, 1);
	CHECK_INT(w3, 1);
	event_hub_notify(h, "00000000-0000-0000-0000-000000000000", 9);   /* nobody watches */

	event_hub_unsubscribe(a);
	struct event_sub *d = event_hub_subscribe(h, f.t1.id, 0);
	CHECK(d != NULL);
	CHECK_INT(event_hub_seq(d), 6);          /* the store's entry lived on with b */
	event_hub_unsubscribe(b);
	event_hub_unsubscribe(c);
	event_hub_unsubscribe(d);
	CHECK_INT(event_hub_streams(h), 0);
	/* The store's entry went with its last stream: a new one starts afresh. */
	struct event_sub *e = event_hub_subscribe(h, f.t1.id, 2);
	CHECK_INT(event_hub_seq(e), 2);
	event_hub_unsubscribe(e);
	event_hub_stop(h);
	teardown(&f);
}

TEST(the_hub_marks_heartbeats_due_and_wakes_for_them)
{
	struct fixture f;
	CHECK_INT(setup(&f), 0);
	struct event_hub_config cfg = { .heartbeat_s = 1, .per_tenant = 5 };
	struct event_hub *h = event_hub_start(f.s, &cfg);
	CHECK(h != NULL);
	if (!h) {
		teardown(&f);
		return;
	}
	int woken = 0;
	struct event_sub *a = event_hub_subscribe(h, f.t1.id, 0);
	event_hub_attach(a, count_wake, &woken);
	CHECK_INT(event_hub_heartbeat_due(a), 0);
	for (int i = 0; i < 40 && !__atomic_load_n(&woken, __ATOMIC_SEQ_CST); i++)
		usleep(100 * 1000);
	CHECK(__atomic_load_n(&woken, __ATOMIC_SEQ_CST) >= 1);
	CHECK_INT(event_hub_heartbeat_due(a), 1);
	CHECK_INT(event_hub_heartbeat_due(a), 0);  /* taken */
	event_hub_unsubscribe(a);
	event_hub_stop(h);
	teardown(&f);
}

struct collected {
	char text[256];
	int n;
};

static void collect(void *cls, const char *text, size_t len)
{
	struct collected *c = cls;
	size_t have = strlen(c->text);
	if (have + len < sizeof c->text) {
		memcpy(c->text + have, text, len);
		c->text[have + len] = '\0';
	}
	c->n++;
}

TEST(the_hub_shares_what_one_stream_read_in_order_and_without_gaps)
{
	struct fixture f;
	CHECK_INT(setup(&f), 0);
	struct event_hub_config cfg = { .heartbeat_s = 3600, .per_tenant = 5 };
	struct event_hub *h = event_hub_start(f.s, &cfg);
	CHECK(h != NULL);
	if (!h) {
		teardown(&f);
		return;
	}
	struct event_sub *a = event_hub_subscribe(h, f.t1.id, 0);
	struct event_sub *b = event_hub_subscribe(h, f.t1.id, 0);
	struct event_sub *other = event_hub_subscribe(h, f.t2.id, 0);
	struct collected c = { "", 0 };
	CHECK_INT(event_hub_cached(b, 0, collect, &c), -1);          /* nothing yet: read the store */
	event_hub_offer(a, 1, "1;", 2);
	event_hub_offer(a, 2, "2;", 2);
	event_hub_offer(b, 2, "2;", 2);                               /* a second reader's copy */
	event_hub_offer(a, 3, "3;", 2);
	CHECK_INT(event_hub_cached(b, 0, collect, &c), 3);
	CHECK_STR(c.text, "1;2;3;");
	c = (struct collected){ "", 0 };
	CHECK_INT(event_hub_cached(b, 1, collect, &c), 3);
	CHECK_STR(c.text, "2;3;");
	CHECK_INT(event_hub_cached(b, 3, collect, &c), 3);            /* nothing newer */
	CHECK_INT(event_hub_cached(other, 0, collect, &c), -1);       /* another store's cache */
	/* A gap restarts the cache: what came before it is no longer there. */
	event_hub_offer(a, 10, "10;", 3);
	CHECK_INT(event_hub_cached(b, 2, collect, &c), -1);
	c = (struct collected){ "", 0 };
	CHECK_INT(event_hub_cached(b, 9, collect, &c), 10);
	CHECK_STR(c.text, "10;");
	/* Full: the oldest go. */
	char msg[16];
	for (int s = 11; s <= 10 + EVENT_HUB_CACHE; s++) {
		int len = snprintf(msg, sizeof msg, "%d;", s);
		event_hub_offer(a, s, msg, (size_t)len);
	}
	CHECK_INT(event_hub_cached(b, 9, collect, &c), -1);
	c = (struct collected){ "", 0 };
	CHECK_INT(event_hub_cached(b, 10 + EVENT_HUB_CACHE - 2, collect, &c), 10 + EVENT_HUB_CACHE);
	CHECK_INT(c.n, 2);
	event_hub_unsubscribe(a);
	event_hub_unsubscribe(b);
	event_hub_unsubscribe(other);
	event_hub_stop(h);
	teardown(&f);
}

TEST(a_burst_wakes_a_store_at_once_then_once_more_after_the_window)
{
	struct fixture f;
	CHECK_INT(setup(&f), 0);
	struct event_hub_config cfg = { .heartbeat_s = 3600, .per_tenant = 5 };
	struct event_hub *h = event_hub_start(f.s, &cfg);
	CHECK(h != NULL);
	if (!h) {
		teardown(&f);
		return;
	}
	int woken = 0;
	struct event_sub *a = event_hub_subscribe(h, f.t1.id, 0);
	event_hub_attach(a, count_wake, &woken);
	event_hub_notify(h, f.t1.id, 1);
	CHECK_INT(__atomic_load_n(&woken, __ATOMIC_SEQ_CST), 1);     /* the first: at once */
	for (int64_t seq = 2; seq <= 20; seq++)
		event_hub_notify(h, f.t1.id, seq);
	/* The rest: a wake soon after, not one per event (a slow machine
	 * may see the window pass inside the loop once or twice). */
	for (int i = 0; i < 50 && __atomic_load_n(&woken, __ATOMIC_SEQ_CST) < 2; i++)
		usleep(10 * 1000);
	usleep(100 * 1000);
	int n = __atomic_load_n(&woken, __ATOMIC_SEQ_CST);
	CHECK(n >= 2 && n <= 5);
	CHECK_INT(event_hub_seq(a), 20);
	event_hub_unsubscribe(a);
	event_hub_stop(h);
	teardown(&f);
}

CHECK_MAIN()
