/*
 * test_migrate_lots.c — migration 10 fills each customer's open lots (and
 * its oldest due, at the credit period in force) from the entries already
 * there: a database at version 9 with random ledgers (reversals,
 * back-dated entries, customers in credit, paid up, owing more lots than a
 * row keeps, and owing sums near int64), oldest dues written under an
 * older credit period; after the migration `verify`'s ledger check
 * (store_ledger_verify, the full FIFO walk) finds nothing, and the lists
 * are kept wherever they fit.
 *
 * On SQLite always; on PostgreSQL too when QT_PG_ADMIN_URL and
 * QT_PG_OWNER_URL are set (tests/lib/pg.sh start DIR): a database of its
 * own, migrated by the owner role as in production, dropped at the end.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
/* Reaches inside the store: the driver and the migrations are private. */
#define QT_STORE_PRIVATE 1
#include "domain/aging.h"
#include "domain/open_lots.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_verify.h"
#include "util/arena.h"
#include "util/uuid.h"

#define DAY AGING_DAY_MS
#define OLD_PERIOD 10
#define NEW_PERIOD 30

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Versions 1..9 by hand, as a database made before version 10 has them. */
static int migrate_to_9(struct db *db)
{
	size_t n;
	const struct migration *list = db_dialect_of(db) == DB_POSTGRES ? migrations_postgres
		: migrations_sqlite;
	n = db_dialect_of(db) == DB_POSTGRES ? migrations_postgres_count : migrations_sqlite_count;
	struct db_conn *c;
	if (db_acquire(db, &c) != DB_OK)
		return -1;
	int rc = db_exec_script(c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
		" name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
	for (size_t i = 0; i < n && rc == DB_OK && list[i].version < 10; i++) {
		rc = db_begin(c, NULL, 1);
		if (rc == DB_OK)
			rc = db_exec_script(c, list[i].sql);
		struct db_param p[] = { DB_INT(list[i].version), DB_TEXT(list[i].name) };
		if (rc == DB_OK)
			rc = db_exec(c, "INSERT INTO schema_migrations VALUES ($1, $2, 0)", p, 2, NULL);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			fprintf(stderr, "  version %d: %s\n", list[i].version, db_conn_error(c));
	}
	db_release(db, c);
	return rc == DB_OK ? 0 : -1;
}

struct gen_entry {
	char id[37], reverses[37];
	const char *type;
	int64_t amount, effect, occurred_at;
	int reversed;
};

/* One customer's random ledger, inserted with the fields its row had
 * before version 10 (oldest due under OLD_PERIOD). */
static int add_customer(struct db_conn *c, const char *tenant, int k, int style)
{
	static struct gen_entry e[400];
	struct aging_entry ae[400];
	char id[37], phone[24], name[32];
	int n = style == 2 ? OPEN_LOTS_MAX + 5 : 1 + (int)(next() % 150);
	int64_t clock = 1790000000000LL, balance = 0, last_purchase = 0, last_payment = 0;
	uuid_v7(id);
	for (int i = 0; i < n; i++) {
		struct gen_entry *x = &e[i];
		uint64_t kind = style == 2 ? 0 : next() % 20;
		int64_t amount = style == 3 ? 3000000000000000000LL : 1 + (int64_t)(next() % 50000);
		memset(x, 0, sizeof *x);
		uuid_v7(x->id);
		x->occurred_at = next() % 4 ? clock : clock - (int64_t)(next() % (90 * DAY));
		clock += 1 + (int64_t)(next() % DAY);
		if (style == 3 && i > 1)
			kind = 12; /* a payment that leaves a near-int64 balance */
		if (kind < 10) {
			x->type = "purchase";
			x->amount = x->effect = amount;
		} else if (kind < 16) {
			x->type = "payment";
			x->amount = style == 3 ? 1 : amount;
			x->effect = -x->amount;
		} else if (kind < 18) {
			x->type = "adjustment";
			x->amount = x->effect = next() & 1 ? amount : -amount;
		} else {
			int t = i ? (int)(next() % (uint64_t)i) : 0;
			if (!i || e[t].reversed || strcmp(e[t].type, "reversal") == 0) {
				x->type = "purchase";
				x->amount = x->effect = amount;
			} else {
				x->type = "reversal";
				x->amount = e[t].amount;
				x->effect = -e[t].effect;
				x->occurred_at = clock;
				memcpy(x->reverses, e[t].id, 37);
				e[t].reversed = 1;
			}
		}
		balance += x->effect;
	}
	for (int i = 0; i < n; i++) {
		ae[i] = (struct aging_entry){ e[i].id, entry_type_parse(e[i].type), e[i].occurred_at,
			e[i].effect, e[i].reverses[0] ? e[i].reverses : NULL };
		if (!e[i].reversed && strcmp(e[i].type, "purchase") == 0 && e[i].occurred_at > last_purchase)
			last_purchase = e[i].occurred_at;
		if (!e[i].reversed && strcmp(e[i].type, "payment") == 0 && e[i].occurred_at > last_payment)
			last_payment = e[i].occurred_at;
	}
	struct aging_result ag;
	/* Near int64 the walk's own sums overflow: such a customer keeps
	 * the oldest due it has, which must then already be right. */
	if (aging_compute(ae, (size_t)n, style == 3 ? NEW_PERIOD : OLD_PERIOD, 0, &ag) < 0)
		return -1;
	snprintf(phone, sizeof phone, "+9197%08d", k);
	snprintf(name, sizeof name, "Old %d", k);
	struct db_param cp[] = { DB_TEXT(tenant), DB_TEXT(id), DB_TEXT(name), DB_TEXT(phone),
		DB_INT(balance), ag.oldest_due_ms ? DB_INT(ag.oldest_due_ms) : DB_NULLP,
		last_purchase ? DB_INT(last_purchase) : DB_NULLP,
		last_payment ? DB_INT(last_payment) : DB_NULLP };
	int rc = db_exec(c, "INSERT INTO customers (tenant_id, id, name, phone, balance_minor,"
		" oldest_due_at, last_purchase_at, last_payment_at, last_activity_at, created_at,"
		" updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0)", cp, 8, NULL);
	for (int i = 0; i < n && rc == DB_OK; i++) {
		struct db_param p[] = { DB_TEXT(tenant), DB_TEXT(e[i].id), DB_TEXT(id), DB_TEXT(e[i].type),
			DB_INT(e[i].amount), DB_INT(e[i].effect), DB_INT(e[i].occurred_at),
			DB_TEXT(e[i].reverses[0] ? e[i].reverses : NULL) };
		rc = db_exec(c, "INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor,"
			" effect_minor, occurred_at, created_at, created_by, reverses_id, balance_after_minor)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 'test', $8, 0)", p, 8, NULL);
	}
	if (rc != DB_OK)
		fprintf(stderr, "  insert: %s\n", db_conn_error(c));
	return rc == DB_OK ? 0 : -1;
}

static void migrate_and_verify(int *check_failed, const char *url)
{
	char err[256], tenants[2][37];
	struct db *db = NULL;
	struct db_conn *c;
	CHECK_INT(db_open(url, 1, &db, err, sizeof err), DB_OK);
	if (!db)
		return;
	CHECK_INT(migrate_to_9(db), 0);
	CHECK_INT(migrate_current_version(db), 9);
	CHECK_INT(db_acquire(db, &c), DB_OK);
	for (int t = 0; t < 2 && !*check_failed; t++) {
		char slug[16];
		uuid_v7(tenants[t]);
		snprintf(slug, sizeof slug, "old-%d", t);
		struct db_param p[] = { DB_TEXT(tenants[t]), DB_TEXT(slug) };
		CHECK_INT(db_begin(c, NULL, 1), DB_OK);
		CHECK_INT(db_exec(c, "INSERT INTO tenants (id, slug, name, plan, created_at, updated_at)"
			" VALUES ($1, $2, $2, 'free', 0, 0)", p, 2, NULL), DB_OK);
		CHECK_INT(db_commit(c), DB_OK);
		struct db_param sp[] = { DB_TEXT(tenants[t]), DB_INT(NEW_PERIOD) };
		CHECK_INT(db_begin(c, tenants[t], 1), DB_OK);
		CHECK_INT(db_exec(c, "INSERT INTO tenant_settings (tenant_id, credit_period_days, updated_at)"
			" VALUES ($1, $2, 0)", sp, 2, NULL), DB_OK);
		/* style 0 random, 2 more open lots than a row keeps, 3 near int64 */
		for (int k = 0; k < 40; k++)
			CHECK_INT(add_customer(c, tenants[t], t * 100 + k, k == 0 ? 2 : k == 1 ? 3 : 0), 0);
		CHECK_INT(db_commit(c), DB_OK);
	}
	db_release(db, c);
	int applied = -1;
	CHECK_INT(migrate_run(db, &applied, err, sizeof err), DB_OK);
	/* 10, and any later version written since. */
	CHECK(applied >= 1);
	CHECK(migrate_current_version(db) >= 10);
	db_close(db);

	struct store *s = NULL;
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
	for (int t = 0; t < 2 && s; t++) {
		struct store_tx *tx;
		struct arena *a = arena_new();
		struct ledger_problem *p;
		int n = -1;
		CHECK_INT(store_begin_tenant(s, tenants[t], 0, NULL, &tx), STORE_OK);
		CHECK_INT(store_ledger_verify(tx, a, &p, &n), STORE_OK);
		for (int i = 0; i < n; i++)
			fprintf(stderr, "  %s: %s %s, entries give %s\n", p[i].customer_id,
				p[i].field ? p[i].field : "balance", p[i].stored_text ? p[i].stored_text : "",
				p[i].expected_text ? p[i].expected_text : "");
		CHECK_INT(n, 0);
		store_rollback(tx);
		arena_free(a);
	}
	store_close(s);
	/* Kept wherever they fit: all but the customer with too many open
	 * lots (and, on SQLite, the one whose lots add up past 4e18). */
	CHECK_INT(db_open(url, 1, &db, err, sizeof err), DB_OK);
	CHECK_INT(db_acquire(db, &c), DB_OK);
	for (int t = 0; t < 2; t++) {
		struct db_res *r = NULL;
		struct db_param p[] = { DB_TEXT(tenants[t]) };
		CHECK_INT(db_begin(c, tenants[t], 0), DB_OK);
		CHECK_INT(db_exec(c, "SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND open_lots IS NULL",
			p, 1, &r), DB_OK);
		int64_t not_kept = r ? db_res_int(r, 0, 0) : -1;
		CHECK(not_kept >= 1 && not_kept <= 5);
		db_res_free(r);
		db_rollback(c);
	}
	db_release(db, c);
	db_close(db);
}

TEST(migration_10_fills_the_open_lots_from_the_entries_on_sqlite)
{
	char path[] = "/tmp/qt-migrate-lots-XXXXXX", url[64], side[64];
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", path);
	migrate_and_verify(check_failed, url);
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

/* url with its database name replaced by name (malloc'd). */
static char *url_for(const char *url, const char *name)
{
	const char *slash = strrchr(url, '/'), *q = strchr(slash, '?');
	size_t n = strlen(url) + strlen(name) + 2;
	char *out = malloc(n);
	snprintf(out, n, "%.*s/%s%s", (int)(slash - url), url, name, q ? q : "");
	return out;
}

TEST(migration_10_fills_the_open_lots_from_the_entries_on_postgres)
{
	const char *admin = getenv("QT_PG_ADMIN_URL"), *owner = getenv("QT_PG_OWNER_URL");
	char err[256], name[40], sql[160];
	struct db *db = NULL;
	struct db_conn *c;
	if (!admin || !owner || !admin[0] || !owner[0]) {
		printf("# skipped: QT_PG_ADMIN_URL and QT_PG_OWNER_URL are not set\n");
		return;
	}
	/* The owner role's name, from its URL (postgres://NAME:...@...). */
	const char *user = strstr(owner, "://");
	size_t ulen = user ? strcspn(user + 3, ":@") : 0;
	char u[37];
	uuid_v7(u);
	snprintf(name, sizeof name, "qt_lots_%.8s", u + 28);
	CHECK_INT(db_open(admin, 1, &db, err, sizeof err), DB_OK);
	if (!db)
		return;
	CHECK_INT(db_acquire(db, &c), DB_OK);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER %.*s", name, (int)ulen, user ? user + 3 : "");
	CHECK_INT(db_exec_script(c, sql), DB_OK);
	db_release(db, c);
	char *url = url_for(owner, name);
	migrate_and_verify(check_failed, url);
	free(url);
	CHECK_INT(db_acquire(db, &c), DB_OK);
	snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", name);
	CHECK_INT(db_exec_script(c, sql), DB_OK);
	db_release(db, c);
	db_close(db);
}

CHECK_MAIN()
