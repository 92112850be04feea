/*
 * test_store_group.c — group commit in the store (store.h, "group commit"):
 * on SQLite many transactions run inside one, each in a savepoint; one
 * that rolls back (or whose statement hits a constraint) undoes only its
 * own work; nothing of the group is visible to another connection nor
 * told to the event hook before store_group_commit; a COMMIT that fails
 * loses the whole group and tells the hook nothing; a transaction that
 * ends out of order breaks the group instead of committing half of it.
 */
#define QT_STORE_PRIVATE 1
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store/store_events.h"
#include "store/store_internal.h"

static const char *const tenant = "018f0000-0000-7000-8000-000000000001";

struct hook_log {
	int calls;
	int64_t last_seq;
	char last_tenant[37];
};

static void hook(void *cls, const char *tenant_id, int64_t seq)
{
	struct hook_log *h = cls;
	h->calls++;
	h->last_seq = seq;
	snprintf(h->last_tenant, sizeof h->last_tenant, "%s", tenant_id);
}

static struct store *open_scratch(char path[40])
{
	char url[64], err[256];
	struct store *s = NULL;
	struct store_tx *tx;
	snprintf(path, 40, "/tmp/qt-group-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", path);
	if (store_open(url, 4, &s, err, sizeof err) != STORE_OK)
		return NULL;
	if (store_begin_platform(s, 1, NULL, &tx) != STORE_OK)
		return NULL;
	int rc = store_exec(tx, "CREATE TABLE t (x INTEGER PRIMARY KEY)", NULL, 0, NULL);
	if (rc == STORE_OK)
		rc = store_exec(tx, "CREATE TABLE parent (id INTEGER PRIMARY KEY)", NULL, 0, NULL);
	if (rc == STORE_OK)
		rc = store_exec(tx, "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) "
			"DEFERRABLE INITIALLY DEFERRED)", NULL, 0, NULL);
	if (rc != STORE_OK || store_commit(tx) != STORE_OK)
		return NULL;
	return s;
}

static void close_scratch(struct store *s, const char *path)
{
	char side[64];
	store_close(s);
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static int insert(struct store_tx *tx, int64_t x)
{
	struct db_param p[] = { DB_INT(x) };
	return store_exec(tx, "INSERT INTO t (x) VALUES ($1)", p, 1, NULL);
}

/* The rows of t as a bit set (x < 63), read in a transaction of its own. */
static int64_t rows_now(struct store *s)
{
	struct store_tx *tx;
	struct db_res *r = NULL;
	int64_t bits = 0;
	if (store_begin_tenant(s, tenant, 0, NULL, &tx) != STORE_OK)
		return -1;
	if (store_exec(tx, "SELECT x FROM t", NULL, 0, &r) == STORE_OK)
		for (int i = 0; i < db_res_rows(r); i++)
			bits |= (int64_t)1 << db_res_int(r, i, 0);
	db_res_free(r);
	store_rollback(tx);
	return bits;
}

/* rows_now from another thread: what any other connection sees. */
struct peek {
	struct store *s;
	int64_t bits;
};

static void *peek_main(void *arg)
{
	struct peek *p = arg;
	p->bits = rows_now(p->s);
	return NULL;
}

static int64_t rows_elsewhere(struct store *s)
{
	struct peek p = { s, -1 };
	pthread_t t;
	if (pthread_create(&t, NULL, peek_main, &p) != 0)
		return -1;
	pthread_join(t, NULL);
	return p.bits;
}

#define BIT(x) ((int64_t)1 << (x))

TEST(a_refused_transaction_undoes_only_its_own_work_in_the_group)
{
	char path[40];
	struct store *s = open_scratch(path);
	CHECK(s != NULL);
	if (!s)
		return;
	struct store_group *g;
	struct store_tx *tx, *inner;
	CHECK_INT(store_group_begin(s, &g), STORE_OK);

	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);   /* kept */
	CHECK_INT(insert(tx, 1), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);

	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);   /* refused */
	CHECK_INT(insert(tx, 2), STORE_OK);
	store_rollback(tx);

	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);   /* a conflict */
	CHECK_INT(insert(tx, 3), STORE_OK);
	CHECK_INT(insert(tx, 1), STORE_CONFLICT);    /* 1 is the first one's */
	store_rollback(tx);

	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);   /* nested, then refused */
	CHECK_INT(insert(tx, 4), STORE_OK);
	CHECK_INT(store_begin_platform(s, 0, NULL, &inner), STORE_OK);
	CHECK_INT(insert(inner, 5), STORE_OK);
	CHECK_INT(store_commit(inner), STORE_OK);
	store_rollback(tx);

	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);   /* sees what came before */
	CHECK_INT(insert(tx, 6), STORE_OK);
	struct db_res *r = NULL;
	CHECK_INT(store_exec(tx, "SELECT COUNT(*) FROM t", NULL, 0, &r), STORE_OK);
	CHECK_INT(db_res_int(r, 0, 0), 2);
	db_res_free(r);
	CHECK_INT(store_commit(tx), STORE_OK);

	/* Not committed yet: another connection sees none of it. */
	CHECK_INT(rows_elsewhere(s), 0);
	CHECK_INT(store_group_commit(g), STORE_OK);
	CHECK_INT(rows_elsewhere(s), BIT(1) | BIT(6));
	/* And this thread is back to transactions of its own. */
	CHECK_INT(rows_now(s), BIT(1) | BIT(6));
	close_scratch(s, path);
}

TEST(events_are_told_once_the_group_commits_and_never_for_undone_work)
{
	char path[40];
	struct store *s = open_scratch(path);
	CHECK(s != NULL);
	if (!s)
		return;
	struct hook_log h = { 0 };
	store_set_event_hook(s, hook, &h);
	struct store_group *g;
	struct store_tx *tx, *inner;
	CHECK_INT(store_group_begin(s, &g), STORE_OK);
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);
	tx->event_seq = 6;
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);
	tx->event_seq = 7;
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);   /* undone: its event too */
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &inner), STORE_OK);
	inner->event_seq = 9;
	CHECK_INT(store_commit(inner), STORE_OK);
	store_rollback(tx);
	CHECK_INT(h.calls, 0);          /* nothing before the COMMIT */
	CHECK_INT(store_group_commit(g), STORE_OK);
	CHECK_INT(h.calls, 1);          /* the tenant's last seq, once */
	CHECK_INT(h.last_seq, 7);
	CHECK_STR(h.last_tenant, tenant);

	/* A group that rolls back tells nothing. */
	h.calls = 0;
	CHECK_INT(store_group_begin(s, &g), STORE_OK);
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);
	tx->event_seq = 8;
	CHECK_INT(store_commit(tx), STORE_OK);
	store_group_rollback(g);
	CHECK_INT(h.calls, 0);
	store_set_event_hook(s, NULL, NULL);
	close_scratch(s, path);
}

TEST(a_commit_that_fails_loses_the_whole_group_and_tells_nothing)
{
	char path[40];
	struct store *s = open_scratch(path);
	CHECK(s != NULL);
	if (!s)
		return;
	struct hook_log h = { 0 };
	store_set_event_hook(s, hook, &h);
	struct store_group *g;
	struct store_tx *tx;
	CHECK_INT(store_group_begin(s, &g), STORE_OK);
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);
	CHECK_INT(insert(tx, 1), STORE_OK);
	tx->event_seq = 3;
	CHECK_INT(store_commit(tx), STORE_OK);
	/* A deferred foreign key is checked at COMMIT: this one fails it. */
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);
	CHECK_INT(store_exec(tx, "INSERT INTO child (parent_id) VALUES (99)", NULL, 0, NULL), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK(store_group_commit(g) != STORE_OK);
	CHECK_INT(h.calls, 0);
	CHECK_INT(rows_elsewhere(s), 0);
	CHECK_INT(rows_now(s), 0);
	/* The writer is free again: the next group commits. */
	CHECK_INT(store_group_begin(s, &g), STORE_OK);
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &tx), STORE_OK);
	CHECK_INT(insert(tx, 2), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(store_group_commit(g), STORE_OK);
	CHECK_INT(rows_elsewhere(s), BIT(2));
	store_set_event_hook(s, NULL, NULL);
	close_scratch(s, path);
}

TEST(a_transaction_ending_out_of_order_breaks_the_group)
{
	char path[40];
	struct store *s = open_scratch(path);
	CHECK(s != NULL);
	if (!s)
		return;
	struct store_group *g, *again;
	struct store_tx *a, *b, *c;
	CHECK_INT(store_group_begin(s, &g), STORE_OK);
	CHECK_INT(store_group_begin(s, &again), STORE_ERROR);   /* one a thread */
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &a), STORE_OK);
	CHECK_INT(insert(a, 1), STORE_OK);
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &b), STORE_OK);
	CHECK_INT(insert(b, 2), STORE_OK);
	CHECK_INT(store_commit(a), STORE_ERROR);   /* b is still open */
	CHECK_INT(store_begin_tenant(s, tenant, 1, NULL, &c), STORE_ERROR);
	store_rollback(b);
	CHECK_INT(store_group_commit(g), STORE_ERROR);
	CHECK_INT(rows_now(s), 0);
	close_scratch(s, path);
}

CHECK_MAIN()
