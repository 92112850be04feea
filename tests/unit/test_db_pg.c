/*
 * test_db_pg.c — the PostgreSQL driver and schema against a real server:
 * migrations as the owner, then Row Level Security, grants and the shared
 * SQL dialect as quantumtrack_app.
 *
 * Needs QT_PG_OWNER_URL and QT_PG_APP_URL (tests/lib/pg.sh start DIR prints
 * them); without them it reports one skipped test and passes.  Every run
 * makes fresh tenants, so it can run again on the same database.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
/* Reaches inside the store: the driver and the migrations are private. */
#define QT_STORE_PRIVATE 1
#include "store/db.h"
#include "store/migrate.h"

static struct db *owner_db, *app_db;
static char tenant_a[37], tenant_b[37];
static char customer_a[37], customer_b[37];
static int setup_failed;

static const char insert_tenant[] =
	"INSERT INTO tenants (id, slug, name, plan, created_at, updated_at)"
	" VALUES ($1, $2, $3, 'free', $4, $4)";
static const char insert_customer[] =
	"INSERT INTO customers (tenant_id, id, name, phone, last_activity_at, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $5, $5)";
static const char insert_transaction[] =
	"INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor,"
	" occurred_at, created_at, created_by, balance_after_minor)"
	" VALUES ($1, $2, $3, 'purchase', $4, $4, $5, $5, 'test', $4)";
static const char insert_audit[] =
	"INSERT INTO audit_log (tenant_id, seq, id, actor_id, actor_role, action, entity, entity_id,"
	" request_id, client_ip, created_at, prev_hash, hash)"
	" VALUES ($1, $2, $3, 'test', 'owner', 'create', 'customer', $4, 'req-1', '127.0.0.1', $5, '', 'h')";
static const char insert_user[] =
	"INSERT INTO users (tenant_id, id, email, name, password_hash, created_at, updated_at)"
	" VALUES ($1, $2, $3, 'Test', 'x', 0, 0)";
static const char new_uuid_sql[] = "SELECT gen_random_uuid()";
static const char count_customers[] = "SELECT count(*) FROM customers";
static const char count_transactions[] = "SELECT count(*) FROM transactions";
static const char count_audit[] = "SELECT count(*) FROM audit_log";

static void new_uuid(struct db_conn *c, char out[37])
{
	struct db_res *r = NULL;
	out[0] = '\0';
	if (db_exec(c, new_uuid_sql, NULL, 0, &r) == DB_OK && db_res_text(r, 0, 0))
		snprintf(out, 37, "%s", db_res_text(r, 0, 0));
	db_res_free(r);
}

static int64_t count_in(struct db *db, const char *tenant, const char *sql)
{
	struct db_conn *c;
	struct db_res *r = NULL;
	int64_t n = -1;
	if (db_acquire(db, &c) != DB_OK)
		return -1;
	if (db_begin(c, tenant, 0) == DB_OK && db_exec(c, sql, NULL, 0, &r) == DB_OK)
		n = db_res_int(r, 0, 0);
	else
		fprintf(stderr, "  count: %s\n", db_conn_error(c));
	db_res_free(r);
	db_rollback(c);
	db_release(db, c);
	return n;
}

/* The tenant, created by the owner role (the app role may not create
 * stores), then one customer, one purchase and one audit row for it,
 * written by the app role with that tenant set. */
static int seed_tenant(struct db_conn *c, const char *tenant, char customer[37], const char *slug)
{
	char tx[37], audit[37];
	struct db_conn *owner;
	int rc;
	struct db_param tp[4] = { DB_TEXT(tenant), DB_TEXT(slug), DB_TEXT(slug), DB_INT(1700000000000) };
	if ((rc = db_acquire(owner_db, &owner)) != DB_OK)
		return rc;
	if ((rc = db_begin(owner, NULL, 1)) != DB_OK || (rc = db_exec(owner, insert_tenant, tp, 4, NULL)) != DB_OK ||
	    (rc = db_commit(owner)) != DB_OK) {
		fprintf(stderr, "  seed %s: %s\n", slug, db_conn_error(owner));
		db_release(owner_db, owner);
		return rc;
	}
	db_release(owner_db, owner);
	new_uuid(c, customer);
	new_uuid(c, tx);
	new_uuid(c, audit);
	struct db_param cp[5] = { DB_TEXT(tenant), DB_TEXT(customer), DB_TEXT("Asha"),
		DB_TEXT("+919812345678"), DB_INT(1700000000001) };
	struct db_param xp[5] = { DB_TEXT(tenant), DB_TEXT(tx), DB_TEXT(customer), DB_INT(12345),
		DB_INT(1700000000002) };
	struct db_param ap[5] = { DB_TEXT(tenant), DB_INT(1), DB_TEXT(audit), DB_TEXT(customer),
		DB_INT(1700000000003) };
	if ((rc = db_begin(c, tenant, 1)) != DB_OK ||
	    (rc = db_exec(c, insert_customer, cp, 5, NULL)) != DB_OK ||
	    (rc = db_exec(c, insert_transaction, xp, 5, NULL)) != DB_OK ||
	    (rc = db_exec(c, insert_audit, ap, 5, NULL)) != DB_OK || (rc = db_commit(c)) != DB_OK)
		fprintf(stderr, "  seed %s: %s\n", slug, db_conn_error(c));
	return rc;
}

/* Migrate as the owner, open the app pool and write two tenants' rows.
 * Returns 1 when the tests can run. */
static int setup(void)
{
	static int done;
	char err[256];
	if (done)
		return !setup_failed;
	done = 1;
	setup_failed = 1;

	int rc = db_open(getenv("QT_PG_OWNER_URL"), 2, &owner_db, err, sizeof err);
	if (rc != DB_OK) {
		fprintf(stderr, "  owner: %s\n", err);
		return 0;
	}
	if (migrate_run(owner_db, NULL, err, sizeof err) != DB_OK) {
		fprintf(stderr, "  %s\n", err);
		return 0;
	}
	rc = db_open(getenv("QT_PG_APP_URL"), 3, &app_db, err, sizeof err);
	if (rc != DB_OK) {
		fprintf(stderr, "  app: %s\n", err);
		return 0;
	}
	struct db_conn *c;
	if (db_acquire(app_db, &c) != DB_OK)
		return 0;
	new_uuid(c, tenant_a);
	new_uuid(c, tenant_b);
	char slug_a[48], slug_b[48];
	snprintf(slug_a, sizeof slug_a, "a-%.8s", tenant_a);
	snprintf(slug_b, sizeof slug_b, "b-%.8s", tenant_b);
	rc = seed_tenant(c, tenant_a, customer_a, slug_a);
	if (rc == DB_OK)
		rc = seed_tenant(c, tenant_b, customer_b, slug_b);
	if (rc != DB_OK)
		fprintf(stderr, "  seed: %s\n", db_conn_error(c));
	db_release(app_db, c);
	setup_failed = rc != DB_OK;
	return !setup_failed;
}

TEST(migrations_apply_once_as_owner)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	char err[256];
	int applied = -1;
	CHECK_INT(migrate_run(owner_db, &applied, err, sizeof err), DB_OK);
	CHECK_INT(applied, 0);
	CHECK_INT(migrate_current_version(owner_db), (int64_t)migrations_postgres[migrations_postgres_count - 1].version);
	CHECK_INT(migrate_current_version(app_db), (int64_t)migrations_postgres[migrations_postgres_count - 1].version);
	CHECK_INT(migrations_postgres_count, migrations_sqlite_count);
	for (size_t i = 0; i < migrations_postgres_count && i < migrations_sqlite_count; i++)
		CHECK_INT(migrations_postgres[i].version, migrations_sqlite[i].version);
}

TEST(no_tenant_set_sees_no_tenant_rows)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	CHECK_INT(count_in(app_db, NULL, count_customers), 0);
	CHECK_INT(count_in(app_db, NULL, count_transactions), 0);
	CHECK_INT(count_in(app_db, NULL, count_audit), 0);
	/* The rows exist. */
	CHECK_INT(count_in(app_db, tenant_a, count_customers), 1);
	CHECK_INT(count_in(app_db, tenant_b, count_transactions), 1);
	CHECK_INT(count_in(app_db, tenant_b, count_audit), 1);
	/* The owner is held to the policies too (FORCE ROW LEVEL SECURITY). */
	CHECK_INT(count_in(owner_db, NULL, count_customers), 0);
}

TEST(tenant_sees_only_its_own_rows)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	static const char by_tenant[][80] = {
		"SELECT count(*) FROM customers WHERE tenant_id = $1",
		"SELECT count(*) FROM transactions WHERE tenant_id = $1",
		"SELECT count(*) FROM audit_log WHERE tenant_id = $1",
	};
	static const char by_id[] = "SELECT name FROM customers WHERE id = $1";
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	for (int i = 0; i < 3; i++) {
		struct db_param p[1] = { DB_TEXT(tenant_b) };
		CHECK_INT(db_exec(c, by_tenant[i], p, 1, &r), DB_OK);
		CHECK_INT(db_res_int(r, 0, 0), 0);
		db_res_free(r);
		p[0] = DB_TEXT(tenant_a);
		CHECK_INT(db_exec(c, by_tenant[i], p, 1, &r), DB_OK);
		CHECK_INT(db_res_int(r, 0, 0), 1);
		db_res_free(r);
	}
	struct db_param p[1] = { DB_TEXT(customer_b) };
	CHECK_INT(db_exec(c, by_id, p, 1, &r), DB_OK);
	CHECK_INT(db_res_rows(r), 0);
	db_res_free(r);
	/* Changing another tenant's row finds nothing to change. */
	static const char rename[] = "UPDATE customers SET name = 'x' WHERE id = $1";
	CHECK_INT(db_exec(c, rename, p, 1, NULL), DB_OK);
	CHECK_INT(db_changes(c), 0);
	db_rollback(c);
	db_release(app_db, c);
}

TEST(writing_another_tenants_row_is_refused)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	struct db_conn *c;
	char id[37];
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	new_uuid(c, id);
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	struct db_param cp[5] = { DB_TEXT(tenant_b), DB_TEXT(id), DB_TEXT("Intruder"),
		DB_TEXT("+919800000001"), DB_INT(1) };
	int rc = db_exec(c, insert_customer, cp, 5, NULL);
	CHECK(rc == DB_ERROR || rc == DB_CONSTRAINT);
	CHECK(strstr(db_conn_error(c), "row-level security") != NULL);
	db_rollback(c);
	/* Nor can a row be moved to another tenant. */
	static const char move[] = "UPDATE customers SET tenant_id = $1 WHERE id = $2";
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	struct db_param mp[2] = { DB_TEXT(tenant_b), DB_TEXT(customer_a) };
	rc = db_exec(c, move, mp, 2, NULL);
	CHECK(rc == DB_ERROR || rc == DB_CONSTRAINT);
	db_rollback(c);
	/* And with no tenant set nothing can be written. */
	CHECK_INT(db_begin(c, NULL, 1), DB_OK);
	rc = db_exec(c, insert_customer, cp, 5, NULL);
	CHECK(rc == DB_ERROR || rc == DB_CONSTRAINT);
	db_rollback(c);
	db_release(app_db, c);
	CHECK_INT(count_in(app_db, tenant_b, count_customers), 1);
}

TEST(app_role_cannot_set_all_tenants_switch)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	static const char sw[] = "SELECT set_config('qt.all_tenants', 'on', true)";
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	CHECK_INT(db_exec(c, sw, NULL, 0, NULL), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 0);
	db_res_free(r);
	db_rollback(c);
	db_release(app_db, c);
}

TEST(ledger_and_audit_rows_cannot_be_updated_or_deleted)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	static const char *const stmts[] = {
		"UPDATE transactions SET amount_minor = 1 WHERE tenant_id = $1",
		"DELETE FROM transactions WHERE tenant_id = $1",
		"UPDATE audit_log SET hash = 'forged' WHERE tenant_id = $1",
		"DELETE FROM audit_log WHERE tenant_id = $1",
	};
	for (int i = 0; i < 4; i++) {
		struct db_conn *c;
		struct db_param p[1] = { DB_TEXT(tenant_a) };
		/* The app role has no UPDATE or DELETE grant. */
		CHECK_INT(db_acquire(app_db, &c), DB_OK);
		CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
		CHECK_INT(db_exec(c, stmts[i], p, 1, NULL), DB_ERROR);
		CHECK(strstr(db_conn_error(c), "permission denied") != NULL);
		db_rollback(c);
		db_release(app_db, c);
		/* The owner has the grants; the triggers refuse. */
		CHECK_INT(db_acquire(owner_db, &c), DB_OK);
		CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
		CHECK_INT(db_exec(c, stmts[i], p, 1, NULL), DB_CONSTRAINT);
		db_rollback(c);
		db_release(owner_db, c);
	}
	CHECK_INT(count_in(app_db, tenant_a, count_transactions), 1);
	CHECK_INT(count_in(app_db, tenant_a, count_audit), 1);
}

TEST(shared_dialect_parameters_bind_as_expected)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	static const char sel[] =
		"SELECT id, credit_limit_minor, email, reminders_opt_out, balance_minor + $3,"
		" credit_limit_minor IS NULL"
		" FROM customers WHERE tenant_id = $1 AND id = $2";
	static const char set_limit[] =
		"UPDATE customers SET credit_limit_minor = $3, email = $4, updated_at = $5"
		" WHERE tenant_id = $1 AND id = $2";
	static const char gap[] = "SELECT count(*) FROM customers WHERE tenant_id = $1 AND name <> $3";
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);

	/* Text into uuid, int into bigint, NULLs; booleans read as 1/0. */
	struct db_param sp[3] = { DB_TEXT(tenant_a), DB_TEXT(customer_a), DB_INT(5) };
	CHECK_INT(db_exec(c, sel, sp, 3, &r), DB_OK);
	CHECK_INT(db_res_rows(r), 1);
	CHECK_INT(db_res_cols(r), 6);
	CHECK_STR(db_res_text(r, 0, 0), customer_a);
	CHECK(db_res_isnull(r, 0, 1));
	CHECK(db_res_isnull(r, 0, 2));
	CHECK_STR(db_res_text(r, 0, 3), "0");
	CHECK_INT(db_res_int(r, 0, 4), 5);
	CHECK_STR(db_res_text(r, 0, 5), "1");
	db_res_free(r);

	struct db_param up[5] = { DB_TEXT(tenant_a), DB_TEXT(customer_a), DB_INT(9000000000000LL),
		DB_TEXT("asha@example.com"), DB_INT(1700000000009) };
	CHECK_INT(db_exec(c, set_limit, up, 5, NULL), DB_OK);
	CHECK_INT(db_changes(c), 1);
	CHECK_INT(db_exec(c, sel, sp, 3, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 1), 9000000000000LL);
	CHECK_STR(db_res_text(r, 0, 2), "asha@example.com");
	CHECK_STR(db_res_text(r, 0, 5), "0");
	db_res_free(r);
	/* Same statement again (cached) with NULLs where values were. */
	up[2] = DB_NULLP;
	up[3] = DB_TEXT(NULL);
	CHECK_INT(db_exec(c, set_limit, up, 5, NULL), DB_OK);
	CHECK_INT(db_exec(c, sel, sp, 3, &r), DB_OK);
	CHECK(db_res_isnull(r, 0, 1));
	CHECK(db_res_isnull(r, 0, 2));
	db_res_free(r);

	/* A parameter the text skips is accepted, as on SQLite. */
	struct db_param gp[3] = { DB_TEXT(tenant_a), DB_TEXT("unused"), DB_TEXT("nobody") };
	CHECK_INT(db_exec(c, gap, gp, 3, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	/* A missing one is an error. */
	CHECK_INT(db_exec(c, gap, gp, 1, NULL), DB_ERROR);
	CHECK(strstr(db_conn_error(c), "$2") != NULL);
	db_rollback(c);

	/* Unique violation is DB_CONSTRAINT; COMMIT of the failed
	 * transaction reports the failure. */
	char id[37];
	new_uuid(c, id);
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	struct db_param dup[5] = { DB_TEXT(tenant_a), DB_TEXT(id), DB_TEXT("Twin"),
		DB_TEXT("+919812345678"), DB_INT(1) };
	CHECK_INT(db_exec(c, insert_customer, dup, 5, NULL), DB_CONSTRAINT);
	CHECK(db_commit(c) != DB_OK);
	/* A bad uuid is a plain error. */
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	struct db_param bad[3] = { DB_TEXT(tenant_a), DB_TEXT("not-a-uuid"), DB_INT(0) };
	CHECK_INT(db_exec(c, sel, bad, 3, NULL), DB_ERROR);
	db_rollback(c);
	db_release(app_db, c);
}

TEST(tenant_setting_lasts_one_transaction)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	char err[256];
	struct db *one;
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_open(getenv("QT_PG_APP_URL"), 1, &one, err, sizeof err), DB_OK);
	CHECK_INT(db_acquire(one, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	/* Outside any transaction, and in the next one, no tenant. */
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 0);
	db_res_free(r);
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 0);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);

	/* Release rolls back a transaction left open. */
	char id[37];
	new_uuid(c, id);
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	struct db_param cp[5] = { DB_TEXT(tenant_a), DB_TEXT(id), DB_TEXT("Left open"),
		DB_TEXT("+919800000002"), DB_INT(1) };
	CHECK_INT(db_exec(c, insert_customer, cp, 5, NULL), DB_OK);
	db_release(one, c);
	CHECK_INT(db_acquire(one, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	db_rollback(c);
	db_release(one, c);
	db_close(one);
}

/* Accounts belong to one store and sit under RLS like its other rows. */
TEST(accounts_are_visible_and_writable_only_in_their_own_store)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	static const char count_users[] = "SELECT count(*) FROM users WHERE id = $1";
	struct db_conn *c;
	struct db_res *r = NULL;
	char user[37], email[64];
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	new_uuid(c, user);
	snprintf(email, sizeof email, "%.8s@example.com", user);
	struct db_param ua[3] = { DB_TEXT(tenant_a), DB_TEXT(user), DB_TEXT(email) };
	struct db_param ub[3] = { DB_TEXT(tenant_b), DB_TEXT(user), DB_TEXT(email) };
	struct db_param one[1] = { DB_TEXT(user) };
	/* Written in A, with A's tenant. */
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	CHECK_INT(db_exec(c, insert_user, ua, 3, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	/* B sees none of it, and cannot write a row claiming to be A's. */
	CHECK_INT(db_begin(c, tenant_b, 0), DB_OK);
	CHECK_INT(db_exec(c, count_users, one, 1, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 0);
	db_res_free(r);
	r = NULL;
	db_rollback(c);
	CHECK_INT(db_begin(c, tenant_b, 1), DB_OK);
	CHECK(db_exec(c, insert_user, ua, 3, NULL) != DB_OK);
	db_rollback(c);
	/* The same email may have its own account in B. */
	CHECK_INT(db_begin(c, tenant_b, 1), DB_OK);
	CHECK_INT(db_exec(c, insert_user, ub, 3, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	/* No tenant: no rows. */
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	CHECK_INT(db_exec(c, count_users, one, 1, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 0);
	db_res_free(r);
	db_rollback(c);
	db_release(app_db, c);
}

TEST(purging_a_tenant_removes_all_its_rows_and_nothing_else)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	/* A tenant of its own, so the other tests keep theirs. */
	struct db_conn *c;
	struct db_res *r = NULL;
	char victim[37], customer[37], slug[48];
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	new_uuid(c, victim);
	snprintf(slug, sizeof slug, "v-%.8s", victim);
	CHECK_INT(seed_tenant(c, victim, customer, slug), DB_OK);
	static const char purge[] = "SELECT qt_purge_tenant($1)";
	static const char suspend[] = "UPDATE tenants SET status = 'suspended' WHERE id = $1";
	static const char tenant_rows[] = "SELECT count(*) FROM tenants WHERE id = $1";
	struct db_param p[1] = { DB_TEXT(victim) };
	/* The app role can neither suspend nor purge a store by itself. */
	CHECK_INT(db_begin(c, NULL, 1), DB_OK);
	CHECK_INT(db_exec(c, suspend, p, 1, NULL), DB_ERROR);
	db_rollback(c);
	CHECK_INT(db_begin(c, NULL, 1), DB_OK);
	CHECK_INT(db_exec(c, purge, p, 1, NULL), DB_ERROR);
	db_rollback(c);
	db_release(app_db, c);
	/* The owner role (the CLI's path) can, but an active store cannot be
	 * purged, even by calling the function. */
	CHECK_INT(db_acquire(owner_db, &c), DB_OK);
	CHECK_INT(db_begin(c, NULL, 1), DB_OK);
	CHECK_INT(db_exec(c, purge, p, 1, NULL), DB_CONSTRAINT);
	db_rollback(c);
	CHECK_INT(db_begin(c, NULL, 1), DB_OK);
	CHECK_INT(db_exec(c, suspend, p, 1, NULL), DB_OK);
	CHECK_INT(db_exec(c, purge, p, 1, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	CHECK_INT(db_exec(c, tenant_rows, p, 1, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 0);
	db_res_free(r);
	db_release(owner_db, c);
	CHECK_INT(count_in(app_db, victim, count_customers), 0);
	CHECK_INT(count_in(app_db, victim, count_transactions), 0);
	CHECK_INT(count_in(app_db, victim, count_audit), 0);
	CHECK_INT(count_in(owner_db, NULL, "SELECT count(*) FROM tenant_purges"), 0);
	CHECK_INT(count_in(app_db, tenant_a, count_transactions), 1);
	CHECK_INT(count_in(app_db, tenant_b, count_audit), 1);
	/* The app role cannot mark a tenant as being purged itself. */
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	static const char mark[] = "INSERT INTO tenant_purges (tenant_id) VALUES ($1)";
	struct db_param mp[1] = { DB_TEXT(tenant_a) };
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	CHECK_INT(db_exec(c, mark, mp, 1, NULL), DB_ERROR);
	db_rollback(c);
	db_release(app_db, c);
}

TEST(terminated_connection_is_replaced)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	static const char pid_sql[] = "SELECT pg_backend_pid()";
	static const char kill_sql[] = "SELECT pg_terminate_backend(CAST($1 AS integer), 5000)";
	struct db_conn *c1, *c2;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(app_db, &c1), DB_OK);
	CHECK_INT(db_acquire(app_db, &c2), DB_OK);
	CHECK_INT(db_exec(c2, pid_sql, NULL, 0, &r), DB_OK);
	int64_t pid = db_res_int(r, 0, 0);
	db_res_free(r);
	struct db_param p[1] = { DB_INT(pid) };
	CHECK_INT(db_exec(c1, kill_sql, p, 1, &r), DB_OK);
	CHECK_STR(db_res_text(r, 0, 0), "1");
	db_res_free(r);
	/* c2 does not know yet; the next statement finds out. */
	CHECK_INT(db_exec(c2, pid_sql, NULL, 0, NULL), DB_UNAVAILABLE);
	db_release(app_db, c2);
	db_release(app_db, c1);
	/* Every pooled connection works again; BEGIN on a dead idle one
	 * reconnects by itself. */
	CHECK_INT(db_acquire(app_db, &c1), DB_OK);
	CHECK_INT(db_acquire(app_db, &c2), DB_OK);
	CHECK_INT(db_exec(c1, pid_sql, NULL, 0, &r), DB_OK);
	pid = db_res_int(r, 0, 0);
	db_res_free(r);
	p[0] = DB_INT(pid);
	CHECK_INT(db_exec(c2, kill_sql, p, 1, &r), DB_OK);
	CHECK_STR(db_res_text(r, 0, 0), "1");
	db_res_free(r);
	CHECK_INT(db_begin(c1, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c1, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_commit(c1), DB_OK);
	db_release(app_db, c2);
	db_release(app_db, c1);
	CHECK_INT(db_ping(app_db), 1);
}

TEST(unreachable_server_is_unavailable_quickly)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	char err[256];
	struct db *db = NULL;
	struct timespec t0, t1;
	CHECK_INT(db_ping(app_db), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(db_open("postgres://quantumtrack_app:x@127.0.0.1:1/quantumtrack", 2, &db, err,
		sizeof err), DB_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(db == NULL);
	CHECK(strstr(err, "127.0.0.1") != NULL);
	CHECK(t1.tv_sec - t0.tv_sec < 4);
	CHECK_INT(db_open("postgres://h/d?statement_cache=maybe", 1, &db, err, sizeof err), DB_ERROR);
	CHECK_INT(db_open("postgres://h/d?bogus_option=1", 1, &db, err, sizeof err), DB_ERROR);
}

TEST(unnamed_statements_mode_works_for_poolers)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	char err[256], url[512];
	struct db *db;
	struct db_conn *c;
	struct db_res *r = NULL;
	snprintf(url, sizeof url, "%s%sstatement_cache=off&application_name=qt_test",
		getenv("QT_PG_APP_URL"), strchr(getenv("QT_PG_APP_URL"), '?') ? "&" : "?");
	CHECK_INT(db_open(url, 1, &db, err, sizeof err), DB_OK);
	CHECK_INT(db_acquire(db, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_b, 0), DB_OK);
	struct db_param p[3] = { DB_TEXT(tenant_b), DB_TEXT("unused"), DB_TEXT("nobody") };
	CHECK_INT(db_exec(c, "SELECT count(*) FROM customers WHERE tenant_id = $1 AND name <> $3", p, 3, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_exec(c, "SELECT current_setting('application_name')", NULL, 0, &r), DB_OK);
	CHECK_STR(db_res_text(r, 0, 0), "qt_test");
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(db, c);
	db_close(db);
}

static const char backend_pid_sql[] = "SELECT pg_backend_pid()";
static const char tenant_setting_sql[] = "SELECT current_setting('app.tenant_id', true)";

static int64_t backend_pid(struct db_conn *c)
{
	struct db_res *r = NULL;
	int64_t pid = -1;
	if (db_exec(c, backend_pid_sql, NULL, 0, &r) == DB_OK)
		pid = db_res_int(r, 0, 0);
	db_res_free(r);
	return pid;
}

TEST(failing_set_config_is_reported_by_the_first_statement)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	/* Invalid UTF-8 cannot be a text value: set_config's parameter is
	 * refused.  db_begin only records the transaction, so the first
	 * statement, sent with BEGIN and set_config, reports it. */
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, "\xff\xfe", 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_ERROR);
	CHECK(r == NULL);
	CHECK(strncmp(db_conn_error(c), "begin: ", 7) == 0);
	CHECK(strstr(db_conn_error(c), "UTF8") != NULL);
	/* The transaction is open and failed: nothing more runs in it. */
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_ERROR);
	CHECK(strstr(db_conn_error(c), "aborted") != NULL);
	CHECK(db_commit(c) != DB_OK);
	db_rollback(c);
	/* The connection and its statement cache are fine afterwards. */
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(app_db, c);
	/* A tenant id longer than any id is refused by db_begin itself. */
	char long_id[80];
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, long_id, 0), DB_ERROR);
	db_release(app_db, c);
}

TEST(failing_begin_leaves_no_statement_outside_a_transaction)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	/* BEGIN itself fails when the connection is still in a failed
	 * transaction (a caller that forgot to roll back).  The statement
	 * sent with it must not run, and must not run later outside a
	 * transaction either: the next statement tries BEGIN again. */
	static const char fail_sql[] = "SELECT 1 / 0";
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	CHECK_INT(db_exec(c, fail_sql, NULL, 0, NULL), DB_ERROR);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_ERROR);
	CHECK(r == NULL);
	CHECK(strncmp(db_conn_error(c), "begin: ", 7) == 0);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_ERROR);
	CHECK(strncmp(db_conn_error(c), "begin: ", 7) == 0);
	db_rollback(c);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(app_db, c);
}

TEST(transaction_with_no_statement_costs_nothing_and_commits)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	struct db_conn *c;
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 1), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	db_rollback(c);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, NULL), DB_OK);
	db_release(app_db, c);
}

TEST(read_commit_then_the_connection_is_used_again)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	/* A read transaction's COMMIT is not waited for; every next use of
	 * the connection reads its answer first.  One connection, so every
	 * acquire gets the same one back. */
	char err[256];
	struct db *one;
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_open(getenv("QT_PG_APP_URL"), 1, &one, err, sizeof err), DB_OK);
	CHECK_INT(db_acquire(one, &c), DB_OK);
	int64_t pid = backend_pid(c);
	CHECK(pid > 0);

	/* Next use: a statement outside any transaction. */
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	CHECK_INT(db_exec(c, tenant_setting_sql, NULL, 0, &r), DB_OK);
	CHECK(db_res_isnull(r, 0, 0) || strcmp(db_res_text(r, 0, 0), "") == 0);
	db_res_free(r);

	/* Next use: another transaction, read then write. */
	CHECK_INT(db_begin(c, tenant_b, 0), DB_OK);
	CHECK_INT(db_exec(c, count_transactions, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	char id[37];
	struct db_param cp[5] = { DB_TEXT(tenant_b), DB_TEXT(id), DB_TEXT("Reader's neighbour"),
		DB_TEXT("+919800000003"), DB_INT(1) };
	new_uuid(c, id);
	CHECK_INT(db_begin(c, tenant_b, 1), DB_OK);
	CHECK_INT(db_exec(c, insert_customer, cp, 5, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);

	/* Next use: rollback, commit, a script, after a read commit. */
	CHECK_INT(db_begin(c, tenant_b, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 2);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	db_rollback(c);
	CHECK_INT(db_begin(c, tenant_b, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	CHECK_INT(db_begin(c, tenant_b, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	CHECK_INT(db_exec_script(c, "SELECT 1; SELECT 2"), DB_OK);

	/* Next use: the next acquire, after release with the answer unread. */
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(one, c);
	CHECK_INT(db_acquire(one, &c), DB_OK);
	CHECK_INT(backend_pid(c), pid);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, count_customers, NULL, 0, NULL), DB_OK);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(one, c);
	CHECK_INT(db_ping(one), 1);
	CHECK_INT(db_acquire(one, &c), DB_OK);
	CHECK_INT(backend_pid(c), pid);
	db_release(one, c);
	db_close(one);

	/* A read transaction that failed still reports it from its COMMIT. */
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, "SELECT 1 / 0", NULL, 0, NULL), DB_ERROR);
	CHECK_INT(db_commit(c), DB_ERROR);
	CHECK(strstr(db_conn_error(c), "rolled back") != NULL);
	db_rollback(c);
	db_release(app_db, c);
}

TEST(failing_read_commit_drops_the_connection_before_its_next_use)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	/* A write=0 transaction must change nothing.  One that does so
	 * behind a SELECT breaks that contract, and its COMMIT, not waited
	 * for, fails on a deferred unique check: the connection is replaced
	 * before anything else runs on it. */
	static const char setup_sql[] =
		"CREATE TEMP TABLE qt_twice (x int UNIQUE DEFERRABLE INITIALLY DEFERRED);"
		"CREATE FUNCTION pg_temp.qt_twice() RETURNS int LANGUAGE sql"
		" AS 'INSERT INTO qt_twice VALUES (1), (1); SELECT 1'";
	static const char call_sql[] = "SELECT pg_temp.qt_twice()";
	static const char has_table_sql[] = "SELECT to_regclass('pg_temp.qt_twice') IS NOT NULL";
	char err[256];
	struct db *one;
	struct db_conn *c;
	struct db_res *r = NULL;
	/* The owner: the app role may not create temporary tables. */
	CHECK_INT(db_open(getenv("QT_PG_OWNER_URL"), 1, &one, err, sizeof err), DB_OK);

	for (int next_use = 0; next_use < 3; next_use++) {
		CHECK_INT(db_acquire(one, &c), DB_OK);
		CHECK_INT(db_exec_script(c, setup_sql), DB_OK);
		int64_t pid = backend_pid(c);
		CHECK_INT(db_begin(c, NULL, 0), DB_OK);
		CHECK_INT(db_exec(c, call_sql, NULL, 0, &r), DB_OK);
		CHECK_INT(db_res_int(r, 0, 0), 1);
		db_res_free(r);
		r = NULL;
		CHECK_INT(db_commit(c), DB_OK);
		if (next_use == 0) {
			/* A statement on the same connection. */
			CHECK_INT(db_exec(c, has_table_sql, NULL, 0, &r), DB_OK);
		} else if (next_use == 1) {
			/* A transaction on the same connection. */
			CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
			CHECK_INT(db_exec(c, has_table_sql, NULL, 0, &r), DB_OK);
			CHECK_INT(db_commit(c), DB_OK);
		} else {
			/* The next acquire. */
			db_release(one, c);
			CHECK_INT(db_acquire(one, &c), DB_OK);
			CHECK_INT(db_exec(c, has_table_sql, NULL, 0, &r), DB_OK);
		}
		/* A new session: the temporary table went with the old one. */
		CHECK_STR(db_res_text(r, 0, 0), "0");
		db_res_free(r);
		r = NULL;
		CHECK(backend_pid(c) != pid);
		db_release(one, c);
	}
	db_close(one);
}

TEST(write_commit_waits_and_reports_its_failure)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	/* A COMMIT that fails on a deferred unique check is reported by
	 * db_commit itself when the transaction was begun with write=1, and
	 * when a write=0 one ran anything but a SELECT. */
	static const char setup_sql[] =
		"CREATE TEMP TABLE qt_once (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)";
	static const char insert_twice[] = "INSERT INTO qt_once VALUES (1), (1)";
	struct db_conn *c;
	/* The owner: the app role may not create temporary tables. */
	CHECK_INT(db_acquire(owner_db, &c), DB_OK);
	CHECK_INT(db_exec_script(c, setup_sql), DB_OK);
	for (int write = 1; write >= 0; write--) {
		CHECK_INT(db_begin(c, tenant_a, write), DB_OK);
		CHECK_INT(db_exec(c, insert_twice, NULL, 0, NULL), DB_OK);
		CHECK_INT(db_commit(c), DB_CONSTRAINT);
		CHECK(strncmp(db_conn_error(c), "commit: ", 8) == 0);
		db_rollback(c);
	}
	CHECK_INT(db_exec_script(c, "DROP TABLE qt_once"), DB_OK);
	db_release(owner_db, c);
}

TEST(statement_new_on_the_connection_is_prepared_in_the_same_round_trip)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	/* A statement that fails to prepare is reported as such, is not
	 * cached, and leaves the transaction failed; the next one prepares. */
	static const char bad_sql[] = "SELECT no_such_column FROM customers";
	static const char by_name[] = "SELECT count(*) FROM customers WHERE name = $1";
	struct db_conn *c;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(app_db, &c), DB_OK);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
		CHECK_INT(db_exec(c, bad_sql, NULL, 0, NULL), DB_ERROR);
		CHECK(strncmp(db_conn_error(c), "prepare: ", 9) == 0);
		CHECK_INT(db_exec(c, count_customers, NULL, 0, NULL), DB_ERROR);
		db_rollback(c);
	}
	struct db_param p[1] = { DB_TEXT("Asha") };
	CHECK_INT(db_begin(c, tenant_a, 0), DB_OK);
	CHECK_INT(db_exec(c, by_name, p, 1, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_exec(c, by_name, p, 1, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 1);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(app_db, c);
}

static void *pool_worker(void *arg)
{
	int *errors = arg;
	for (int i = 0; i < 100; i++) {
		struct db_conn *c;
		struct db_res *r = NULL;
		const char *tenant = i % 2 ? tenant_a : tenant_b;
		if (db_acquire(app_db, &c) != DB_OK) {
			(*errors)++;
			continue;
		}
		if (db_begin(c, tenant, 0) != DB_OK || db_exec(c, count_transactions, NULL, 0, &r) != DB_OK ||
		    db_res_int(r, 0, 0) != 1 || db_commit(c) != DB_OK)
			(*errors)++;
		db_res_free(r);
		db_release(app_db, c);
	}
	return NULL;
}

TEST(pool_serves_more_threads_than_connections)
{
	if (!setup()) {
		CHECK(0);
		return;
	}
	pthread_t threads[8];
	int errors[8] = { 0 };
	for (int i = 0; i < 8; i++)
		CHECK_INT(pthread_create(&threads[i], NULL, pool_worker, &errors[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		CHECK_INT(errors[i], 0);
	}
}

struct check_case check_cases[CHECK_MAX_CASES];
int check_ncases;

int main(void)
{
	if (!getenv("QT_PG_OWNER_URL") || !getenv("QT_PG_APP_URL")) {
		printf("ok - skipped_no_postgres # SKIP no QT_PG_OWNER_URL\n");
		printf("# 0 passed, 0 failed\n");
		return 0;
	}
	int passed = 0, failed = 0;
	for (int i = 0; i < check_ncases; i++) {
		int f = 0;
		check_cases[i].fn(&f);
		printf("%s - %s\n", f ? "not ok" : "ok", check_cases[i].name);
		if (f)
			failed++;
		else
			passed++;
	}
	printf("# %d passed, %d failed\n", passed, failed);
	db_close(app_db);
	db_close(owner_db);
	return failed ? 1 : 0;
}
