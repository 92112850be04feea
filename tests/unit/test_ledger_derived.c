/*
 * test_ledger_derived.c — the derived fields the writers keep in the
 * customer row (core/ledger.c), through the real store: random purchases,
 * payments, adjustments and reversals with random (often back-dated)
 * dates go through ledger_record and ledger_reverse, each in its own
 * transaction; after each, the aging computed from the row alone (its
 * open lots, domain/open_lots.h) must equal the full FIFO walk over every
 * entry (ledger_aging_full) at many `now` values, and verify must find
 * nothing.  Then a customer with more open lots than a row keeps, and
 * back again.
 *
 * On SQLite always; on PostgreSQL too when QT_PG_OWNER_URL is set
 * (tests/lib/pg.sh start DIR prints it).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/ledger.h"
#include "domain/open_lots.h"
#include "store/store.h"
#include "store/store_customers.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "store/store_verify.h"
#include "util/arena.h"
#include "util/uuid.h"

#define DAY AGING_DAY_MS

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct fixture {
	struct store *s;
	char tenant[37], actor[37];
	struct settings_rec st;
	char path[40];
};

static int open_fixture(struct fixture *f, const char *pg_url, int period)
{
	char err[256], url[64], slug[32];
	struct store_tx *tx;
	struct tenant_rec t;
	struct arena *a = arena_new();
	memset(f, 0, sizeof *f);
	if (pg_url) {
		if (store_open(pg_url, 1, &f->s, err, sizeof err) != STORE_OK)
			return -1;
	} else {
		snprintf(f->path, sizeof f->path, "/tmp/qt-derived-XXXXXX");
		int fd = mkstemp(f->path);
		if (fd < 0)
			return -1;
		close(fd);
		snprintf(url, sizeof url, "sqlite:%s", f->path);
		if (store_open(url, 1, &f->s, err, sizeof err) != STORE_OK)
			return -1;
	}
	if (store_migrate(f->s, NULL, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "  migrate: %s\n", err);
		return -1;
	}
	uuid_v7(f->actor);
	struct store_actor actor = { f->actor, "owner", "test", "127.0.0.1" };
	/* Every run makes a store of its own (PostgreSQL keeps the last's). */
	snprintf(slug, sizeof slug, "derived-%.8s", f->actor + 28);
	int rc = store_begin_platform(f->s, 1, &actor, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_create(tx, slug, slug, NULL, "enterprise", a, &t);
		if (rc == STORE_OK)
			rc = store_commit(tx);
		else
			store_rollback(tx);
	}
	if (rc == STORE_OK) {
		snprintf(f->tenant, sizeof f->tenant, "%s", t.id);
		rc = store_begin_tenant(f->s, f->tenant, 1, &actor, &tx);
	}
	if (rc == STORE_OK) {
		rc = store_settings_get(tx, a, &f->st);
		/* Kept past the arena: only numbers are read from it. */
		f->st.credit_period_days = period;
		f->st.default_credit_limit_minor = 1000000000000LL;
		if (rc == STORE_OK)
			rc = store_settings_put(tx, &f->st);
		if (rc == STORE_OK)
			rc = store_commit(tx);
		else
			store_rollback(tx);
	}
	memset(&f->st, 0, sizeof f->st);
	f->st.credit_period_days = period;
	f->st.default_credit_limit_minor = 1000000000000LL;
	arena_free(a);
	return rc == STORE_OK ? 0 : -1;
}

static void close_fixture(struct fixture *f)
{
	store_close(f->s);
	if (f->path[0]) {
		char side[64];
		unlink(f->path);
		snprintf(side, sizeof side, "%s-wal", f->path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", f->path);
		unlink(side);
	}
}

static int begin(struct fixture *f, struct store_tx **tx)
{
	struct store_actor actor = { f->actor, "owner", "test", "127.0.0.1" };
	return store_begin_tenant(f->s, f->tenant, 1, &actor, tx);
}

static int new_customer(struct fixture *f, char id[37], int k)
{
	struct store_tx *tx;
	char phone[20], name[32];
	struct customer_rec c = { 0 };
	uuid_v7(id);
	snprintf(phone, sizeof phone, "+9198%08d", k);
	snprintf(name, sizeof name, "Random %d", k);
	c.id = id;
	c.name = name;
	c.phone = phone;
	c.created_at = 1;
	int rc = begin(f, &tx);
	if (rc != STORE_OK)
		return rc;
	rc = store_customer_insert(tx, &c);
	if (rc == STORE_OK)
		return store_commit(tx);
	store_rollback(tx);
	return rc;
}

/* One entry in its own transaction.  type NULL: reverse `reverse_id`. */
static int write_entry(struct fixture *f, const char *customer, const char *type, int64_t amount,
	int64_t occurred_at, const char *reverse_id, int64_t now, char out_id[37])
{
	struct store_tx *tx;
	struct arena *a = arena_new();
	struct entry_rec e;
	struct limit_refusal why;
	int rc = begin(f, &tx);
	if (rc == STORE_OK) {
		if (type) {
			struct entry_input in = { .customer_id = customer, .type = type,
				.amount_minor = amount, .occurred_at = occurred_at, .note = "",
				.reason = strcmp(type, "adjustment") == 0 ? "test" : NULL,
				.payment_method = strcmp(type, "payment") == 0 ? "cash" : NULL };
			rc = ledger_record(tx, &f->st, &in, now, a, &e, &why);
		} else {
			rc = ledger_reverse(tx, &f->st, reverse_id, "test", now, a, &e);
		}
		if (rc == STORE_OK) {
			snprintf(out_id, 37, "%s", e.id);
			rc = store_commit(tx);
		} else {
			store_rollback(tx);
		}
	}
	arena_free(a);
	return rc;
}

/* The row's own figures against the full walk at `samples` moments;
 * *kept: whether the row kept its lots. */
static void check_row(int *check_failed, struct fixture *f, const char *customer, int64_t clock,
	int samples, int *kept)
{
	struct store_tx *tx;
	struct arena *a = arena_new();
	struct customer_rec c;
	CHECK_INT(store_begin_tenant(f->s, f->tenant, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_customer_get(tx, customer, 0, a, &c), STORE_OK);
	struct open_lots l;
	*kept = c.open_lots != NULL;
	if (c.open_lots)
		CHECK_INT(open_lots_parse(c.open_lots, &l), 0);
	for (int t = 0; t < samples; t++) {
		int64_t now = clock - 200 * DAY + (int64_t)(next() % (420 * DAY));
		struct aging_result row, walk, read;
		CHECK_INT(ledger_aging_full(tx, &f->st, customer, now, a, &walk), STORE_OK);
		CHECK_INT(walk.balance_minor, c.balance_minor);
		/* What a GET shows (ledger_aging), and, when the row keeps its
		 * lots, the same from the row alone. */
		CHECK_INT(ledger_aging(tx, &f->st, &c, now, a, &read), STORE_OK);
		const struct aging_result *got[2] = { &read, &row };
		int n = 1;
		if (c.open_lots) {
			CHECK_INT(open_lots_aging(&l, c.balance_minor, (int)f->st.credit_period_days, now, &row), 0);
			n = 2;
		}
		for (int k = 0; k < n; k++) {
			CHECK_INT(got[k]->balance_minor, walk.balance_minor);
			CHECK_INT(got[k]->overdue_minor, walk.overdue_minor);
			CHECK_INT(got[k]->oldest_due_ms, walk.oldest_due_ms);
			for (int b = 0; b < 5; b++)
				CHECK_INT(got[k]->buckets[b], walk.buckets[b]);
		}
		CHECK_INT(c.oldest_due_at, walk.oldest_due_ms);
	}
	store_rollback(tx);
	arena_free(a);
}

static int verify_problems(struct fixture *f)
{
	struct store_tx *tx;
	struct arena *a = arena_new();
	struct ledger_problem *p;
	int n = -1;
	if (store_begin_tenant(f->s, f->tenant, 0, NULL, &tx) == STORE_OK) {
		if (store_ledger_verify(tx, a, &p, &n) != STORE_OK)
			n = -1;
		for (int i = 0; i < n; i++)
			fprintf(stderr, "  verify: customer %s: %s %s, entries give %s\n",
				p[i].customer_id ? p[i].customer_id : "-", p[i].field ? p[i].field : "?",
				p[i].stored_text ? p[i].stored_text : "", p[i].expected_text ? p[i].expected_text : "");
		store_rollback(tx);
	}
	arena_free(a);
	return n;
}

#define MAX_ENTRIES 160
struct book {
	char id[37];
	char entries[MAX_ENTRIES][37];
	int reversible[MAX_ENTRIES];
	int n;
};

static void random_ledgers(int *check_failed, const char *pg_url)
{
	struct fixture f;
	int period = (int)(next() % 45);
	if (open_fixture(&f, pg_url, period) < 0) {
		CHECK(!"fixture");
		return;
	}
	static struct book books[4];
	int64_t clock = 1790000000000LL;
	int followed_rows = 0;
	for (int b = 0; b < 4; b++) {
		memset(&books[b], 0, sizeof books[b]);
		CHECK_INT(new_customer(&f, books[b].id, b), STORE_OK);
	}
	for (int i = 0; i < 4 * 90 && !*check_failed; i++) {
		struct book *bk = &books[next() % 4];
		if (bk->n == MAX_ENTRIES)
			continue;
		uint64_t kind = next() % 20;
		int64_t amount = 1 + (int64_t)(next() % 40000);
		/* Mostly now; one in four back-dated up to 100 days. */
		int64_t at = next() % 4 ? clock : clock - (int64_t)(next() % (100 * DAY));
		char id[37];
		int rc, reversible = 1;
		if (kind < 18 || !bk->n) {
			const char *type = kind < 10 ? "purchase" : kind < 16 ? "payment" : "adjustment";
			if (kind >= 16 && next() & 1)
				amount = -amount;
			rc = write_entry(&f, bk->id, type, amount, at, NULL, clock, id);
		} else {
			int t = (int)(next() % (uint64_t)bk->n);
			if (!bk->reversible[t])
				continue;
			rc = write_entry(&f, bk->id, NULL, 0, 0, bk->entries[t], clock, id);
			bk->reversible[t] = 0;
			reversible = 0;
		}
		CHECK_INT(rc, STORE_OK);
		snprintf(bk->entries[bk->n], 37, "%s", id);
		bk->reversible[bk->n++] = reversible;
		clock += 1 + (int64_t)(next() % (2 * DAY));
		int kept;
		check_row(check_failed, &f, bk->id, clock, 6, &kept);
		followed_rows += kept;
		if (*check_failed)
			fprintf(stderr, "  entry %d (period %d)\n", i, period);
	}
	CHECK(followed_rows > 0);
	CHECK_INT(verify_problems(&f), 0);
	close_fixture(&f);
}

TEST(the_row_gives_the_full_walks_aging_at_any_time_on_random_ledgers)
{
	random_ledgers(check_failed, NULL);
}

TEST(the_row_gives_the_full_walks_aging_at_any_time_on_random_ledgers_on_postgres)
{
	const char *url = getenv("QT_PG_OWNER_URL");
	if (!url || !url[0]) {
		printf("# skipped: QT_PG_OWNER_URL is not set\n");
		return;
	}
	random_ledgers(check_failed, url);
}

/* Past OPEN_LOTS_MAX open lots the row keeps none and reads go to the
 * entries; paid down below it, the row keeps them again. */
static void many_lots(int *check_failed, const char *pg_url)
{
	struct fixture f;
	char customer[37], id[37];
	int kept = -1;
	if (open_fixture(&f, pg_url, 30) < 0) {
		CHECK(!"fixture");
		return;
	}
	int64_t clock = 1790000000000LL;
	CHECK_INT(new_customer(&f, customer, 1), STORE_OK);
	for (int i = 0; i < OPEN_LOTS_MAX + 2 && !*check_failed; i++) {
		CHECK_INT(write_entry(&f, customer, "purchase", 100, clock, NULL, clock, id), STORE_OK);
		clock += DAY / 2;
		if (i == OPEN_LOTS_MAX - 1) {
			check_row(check_failed, &f, customer, clock, 3, &kept);
			CHECK_INT(kept, 1);
		}
	}
	check_row(check_failed, &f, customer, clock, 10, &kept);
	CHECK_INT(kept, 0);
	CHECK_INT(verify_problems(&f), 0);
	/* Three lots paid: OPEN_LOTS_MAX - 1 left, kept again. */
	CHECK_INT(write_entry(&f, customer, "payment", 300, clock, NULL, clock, id), STORE_OK);
	check_row(check_failed, &f, customer, clock, 10, &kept);
	CHECK_INT(kept, 1);
	CHECK_INT(verify_problems(&f), 0);
	close_fixture(&f);
}

TEST(a_customer_with_more_open_lots_than_a_row_keeps_is_read_from_the_entries)
{
	many_lots(check_failed, NULL);
}

TEST(a_customer_with_more_open_lots_than_a_row_keeps_is_read_from_the_entries_on_postgres)
{
	const char *url = getenv("QT_PG_OWNER_URL");
	if (!url || !url[0]) {
		printf("# skipped: QT_PG_OWNER_URL is not set\n");
		return;
	}
	many_lots(check_failed, url);
}

CHECK_MAIN()
