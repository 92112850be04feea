/*
 * test_member_feed.c — the news the member cache lives on
 * (store/store_member_feed.h), on migrated SQLite files: this process's
 * commits tell the hook of the store they changed, after the commit (a
 * rolled-back change, or a read, tells nothing); another process's
 * changes (a second struct store on the same file) are found by
 * store_member_poll, one call per store that changed; plans and deleted
 * stores are news for every store.  The PostgreSQL side (NOTIFY from the
 * triggers, through the events listener) is proven end to end by
 * tests/api/member_cache.test.mjs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store/store_member_feed.h"
#include "store/store_plans.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "store/store_users.h"

static const struct store_actor test_actor = { "test", "system", "test", "local" };

struct heard {
	int calls, every;
	char tenant[37];
	int up, down;
};

static void on_changed(void *cls, const char *tenant_id)
{
	struct heard *h = cls;
	h->calls++;
	if (!tenant_id)
		h->every++;
	else
		snprintf(h->tenant, sizeof h->tenant, "%s", tenant_id);
}

static void on_listening(void *cls, int up)
{
	struct heard *h = cls;
	if (up)
		h->up++;
	else
		h->down++;
}

struct fixture {
	char path[40];
	struct store *s, *other;     /* two "processes" on one file */
	struct arena *a;
	struct tenant_rec t1, t2;
	struct user_rec u1;
};

static int setup(struct fixture *f)
{
	char url[64], err[256];
	struct store_tx *tx;
	snprintf(f->path, sizeof f->path, "/tmp/qt-members-XXXXXX");
	int fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", f->path);
	f->a = arena_new();
	if (store_open(url, 2, &f->s, err, sizeof err) != STORE_OK ||
	    store_migrate(f->s, NULL, err, sizeof err) != STORE_OK ||
	    store_open(url, 2, &f->other, err, sizeof err) != STORE_OK)
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
	if (store_begin_tenant(f->s, f->t1.id, 1, &test_actor, &tx) != STORE_OK)
		return -1;
	if (store_user_create(tx, "a@example.com", "A", "hash", "admin", f->a, &f->u1) != STORE_OK) {
		store_rollback(tx);
		return -1;
	}
	return store_commit(tx) == STORE_OK ? 0 : -1;
}

static void teardown(struct fixture *f)
{
	char side[64];
	store_set_member_hook(f->s, NULL);
	store_set_member_hook(f->other, NULL);
	store_close(f->other);
	store_close(f->s);
	arena_free(f->a);
	unlink(f->path);
	snprintf(side, sizeof side, "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", f->path);
	unlink(side);
}

/* In `s`, change the role of the fixture's user (commit or not). */
static int demote(struct store *s, struct fixture *f, const char *role, int commit)
{
	struct store_tx *tx;
	if (store_begin_tenant(s, f->t1.id, 1, &test_actor, &tx) != STORE_OK)
		return -1;
	int rc = store_member_set_role(tx, f->u1.id, role);
	if (rc != STORE_OK || !commit) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

TEST(this_process_s_commits_tell_the_hook_of_their_store_and_a_rollback_tells_nothing)
{
	struct fixture f;
	struct heard h;
	memset(&h, 0, sizeof h);
	CHECK_INT(setup(&f), 0);
	struct store_member_hook hook = { on_changed, on_listening, &h };
	store_set_member_hook(f.s, &hook);
	CHECK_INT(demote(f.s, &f, "member", 0), STORE_OK);
	CHECK_INT(h.calls, 0);
	CHECK_INT(demote(f.s, &f, "member", 1), STORE_OK);
	CHECK_INT(h.calls, 1);
	CHECK_STR(h.tenant, f.t1.id);
	/* Sign-out, settings, the store's status: the same. */
	struct store_tx *tx;
	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_user_end_sessions(tx, f.u1.id), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(h.calls, 2);
	struct settings_rec s;
	CHECK_INT(store_begin_tenant(f.s, f.t2.id, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_settings_get(tx, f.a, &s), STORE_OK);
	s.upi_id = arena_strdup(f.a, "shop@upi");
	CHECK_INT(store_settings_put(tx, &s), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(h.calls, 3);
	CHECK_STR(h.tenant, f.t2.id);
	CHECK_INT(store_begin_platform(f.s, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_tenant_update(tx, f.t1.id, NULL, "suspended", NULL, 0), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(h.calls, 4);
	CHECK_STR(h.tenant, f.t1.id);
	CHECK_INT(h.every, 0);
	/* A plan: every store's. */
	struct plan_rec p = { .name = arena_strdup(f.a, "tiny"), .customer_limit = 5, .storage_mb = 1,
		.requests_per_min = 60, .features = arena_strdup(f.a, "[\"ledger\"]") };
	CHECK_INT(store_begin_platform(f.s, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_plan_create(tx, &p), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(h.every, 1);
	/* A read tells nothing. */
	struct member_ctx m;
	CHECK_INT(store_begin_tenant(f.s, f.t1.id, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_member_context(tx, f.u1.id, f.a, &m), STORE_OK);
	store_rollback(tx);
	CHECK_INT(h.calls, 5);
	teardown(&f);
}

TEST(another_process_s_changes_are_found_by_the_poll_by_store)
{
	struct fixture f;
	struct heard h;
	memset(&h, 0, sizeof h);
	CHECK_INT(setup(&f), 0);
	CHECK_INT(store_member_polled(f.s), 1);
	struct store_member_hook hook = { on_changed, on_listening, &h };
	store_set_member_hook(f.s, &hook);
	int64_t cursor = -1;
	/* The first look is news for every store (nothing known before). */
	CHECK_INT(store_member_poll(f.s, &cursor), STORE_OK);
	CHECK_INT(h.every, 1);
	CHECK(cursor > 0);
	CHECK_INT(store_member_poll(f.s, &cursor), STORE_OK);
	CHECK_INT(h.calls, 1);                       /* nothing new */
	/* The other process demotes: this one's hook hears nothing at the
	 * commit, and the poll finds it, for that store only. */
	CHECK_INT(demote(f.other, &f, "viewer", 1), STORE_OK);
	CHECK_INT(h.calls, 1);
	CHECK_INT(store_member_poll(f.s, &cursor), STORE_OK);
	CHECK_INT(h.calls, 2);
	CHECK_INT(h.every, 1);
	CHECK_STR(h.tenant, f.t1.id);
	/* A rolled-back change moves nothing. */
	CHECK_INT(demote(f.other, &f, "admin", 0), STORE_OK);
	CHECK_INT(store_member_poll(f.s, &cursor), STORE_OK);
	CHECK_INT(h.calls, 2);
	/* A sign-out and the store's settings in the other store. */
	struct store_tx *tx;
	CHECK_INT(store_begin_tenant(f.other, f.t1.id, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_user_end_sessions(tx, f.u1.id), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	struct settings_rec s;
	CHECK_INT(store_begin_tenant(f.other, f.t2.id, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_settings_get(tx, f.a, &s), STORE_OK);
	CHECK_INT(store_settings_put(tx, &s), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(store_member_poll(f.s, &cursor), STORE_OK);
	CHECK_INT(h.calls, 4);                       /* one call per store */
	CHECK_INT(h.every, 1);
	/* A plan edit: every store's. */
	struct plan_rec p = { .name = arena_strdup(f.a, "professional"), .customer_limit = 5, .storage_mb = 1,
		.requests_per_min = 60, .features = arena_strdup(f.a, "[\"ledger\"]") };
	CHECK_INT(store_begin_platform(f.other, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_plan_update(tx, &p), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	CHECK_INT(store_member_poll(f.s, &cursor), STORE_OK);
	CHECK_INT(h.every, 2);
	/* A store deleted (its number goes with it): every store's. */
	CHECK_INT(store_begin_platform(f.other, 1, &test_actor, &tx), STORE_OK);
	CHECK_INT(store_tenant_update(tx, f.t2.id, NULL, "suspended", NULL, 0), STORE_OK);
	CHECK_INT(store_tenant_delete(tx, f.t2.id), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);
	int every = h.every;
	CHECK_INT(store_member_poll(f.s, &cursor), STORE_OK);
	CHECK_INT(h.every, every + 1);
	/* The hook is this process's: nothing is heard of a poll elsewhere. */
	CHECK_INT(h.up + h.down, 0);
	teardown(&f);
}

CHECK_MAIN()
