/*
 * test_store_verify.c — what `quantumtrack verify` rests on, as the store
 * returns it: typed ledger problems (store_ledger_verify), the audit
 * chain's first break (store_audit_verify) and typed audit rows
 * (store_audit_list), on a SQLite file tampered with behind the store's
 * back.  The CLI's wording of the same problems is covered black-box in
 * tests/api/audit_verify.test.mjs.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "store/store.h"
#include "domain/open_lots.h"
#include "store/store_verify.h"
#include "util/buf.h"

/* A migrated database in a temporary file; *url for store_open. */
static int fresh_db(char path[32], char url[64])
{
	char err[256];
	struct store *s = NULL;
	snprintf(path, 32, "/tmp/qt-verify-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(url, 64, "sqlite:%s", path);
	if (store_open(url, 1, &s, err, sizeof err) != STORE_OK)
		return -1;
	int rc = store_migrate(s, NULL, err, sizeof err);
	store_close(s);
	return rc == STORE_OK ? 0 : -1;
}

/* Raw SQL on the file, as an attacker with the file would (no foreign
 * keys, triggers dropped where the statement says so). */
static int raw(const char *path, const char *sql)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "  raw SQL: %s\n", msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void cleanup(const char *path)
{
	char side[48];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

#define TENANT(id, slug) \
	"INSERT INTO tenants (id, slug, name, plan, created_at, updated_at)" \
	" VALUES ('" id "', '" slug "', '" slug "', 'free', 0, 0);"
/* A customer whose row keeps no open lots (NULL: read from the entries),
 * with the oldest due and last purchase its entries give (the fixture's
 * entries are all dated 1, and no settings row means a 30-day period). */
#define CUSTOMER_AT(t, id, balance, oldest_due, last_purchase) \
	"INSERT INTO customers (tenant_id, id, name, phone, balance_minor, oldest_due_at," \
	" last_purchase_at, open_lots, last_activity_at, created_at, updated_at) VALUES ('" t "', '" \
	id "', 'Name " id "', '+91" id "', " balance ", " oldest_due ", " last_purchase ", NULL," \
	" 0, 0, 0);"
#define DUE_1 "2592000001"
#define CUSTOMER(t, id, balance) CUSTOMER_AT(t, id, balance, DUE_1, "1")
#define ENTRY(t, id, customer, type, amount, effect, reverses) \
	"INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor," \
	" occurred_at, created_at, created_by, reverses_id, balance_after_minor) VALUES ('" t "', '" \
	id "', '" customer "', '" type "', " amount ", " effect ", 1, 1, 'test', " reverses ", 0);"

static const char ledger_fixture[] =
	TENANT("t-bad", "bad") TENANT("t-good", "good")
	/* c-1 holds: one purchase, balance equal to it. */
	CUSTOMER("t-bad", "c-1", "1000") ENTRY("t-bad", "e-1", "c-1", "purchase", "1000", "1000", "NULL")
	/* c-2's stored balance is not what its entries add up to. */
	CUSTOMER("t-bad", "c-2", "500") ENTRY("t-bad", "e-2", "c-2", "purchase", "300", "300", "NULL")
	/* e-3's recorded effect does not follow from its amount. */
	CUSTOMER("t-bad", "c-3", "100") ENTRY("t-bad", "e-3", "c-3", "purchase", "100", "90", "NULL")
	/* e-r1 reverses an entry that does not exist; e-r2 reverses e-4 with
	 * another amount (its effect still undoes e-4's). */
	CUSTOMER_AT("t-bad", "c-4", "0", "NULL", "NULL")
	ENTRY("t-bad", "e-4", "c-4", "purchase", "200", "200", "NULL")
	ENTRY("t-bad", "e-r1", "c-4", "reversal", "50", "0", "'e-missing'")
	ENTRY("t-bad", "e-r2", "c-4", "reversal", "150", "-200", "'e-4'")
	/* c-5's entries sum past int64. */
	CUSTOMER("t-bad", "c-5", "0")
	ENTRY("t-bad", "e-5a", "c-5", "purchase", "9223372036854775807", "9223372036854775807", "NULL")
	ENTRY("t-bad", "e-5b", "c-5", "purchase", "9223372036854775807", "9223372036854775807", "NULL")
	/* Another store with a sound ledger sees none of it. */
	CUSTOMER("t-good", "c-1", "700") ENTRY("t-good", "e-1", "c-1", "purchase", "700", "700", "NULL");

static int ledger_problems(const char *url, const char *tenant, struct arena *a,
	struct ledger_problem **out, int *n)
{
	char err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	int rc = store_open(url, 1, &s, err, sizeof err);
	if (rc == STORE_OK)
		rc = store_begin_tenant(s, tenant, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_ledger_verify(tx, a, out, n);
		store_rollback(tx);
	}
	store_close(s);
	return rc;
}

TEST(ledger_verify_returns_each_problem_typed_entries_first_then_customers)
{
	char path[32], url[64];
	struct arena *a = arena_new();
	struct ledger_problem *p = NULL;
	int n = -1;
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(raw(path, ledger_fixture), 0);

	CHECK_INT(ledger_problems(url, "t-bad", a, &p, &n), STORE_OK);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK_INT(p[0].kind, LEDGER_PROBLEM_EFFECT);
		CHECK_STR(p[0].entry_id, "e-3");
		CHECK_STR(p[0].entry_type, "purchase");
		CHECK_INT(p[0].amount_minor, 100);
		CHECK_INT(p[0].recorded_effect_minor, 90);
		CHECK_INT(p[0].expected_effect_minor, 100);

		CHECK_INT(p[1].kind, LEDGER_PROBLEM_REVERSES_MISSING);
		CHECK_STR(p[1].entry_id, "e-r1");
		CHECK_STR(p[1].reverses_id, "e-missing");

		CHECK_INT(p[2].kind, LEDGER_PROBLEM_REVERSAL_AMOUNT);
		CHECK_STR(p[2].entry_id, "e-r2");
		CHECK_INT(p[2].amount_minor, 150);
		CHECK_INT(p[2].reversed_amount_minor, 200);

		CHECK_INT(p[3].kind, LEDGER_PROBLEM_BALANCE);
		CHECK_STR(p[3].customer_id, "c-2");
		CHECK_STR(p[3].customer_name, "Name c-2");
		CHECK_INT(p[3].stored_balance_minor, 500);
		CHECK_INT(p[3].entries_sum_minor, 300);

		CHECK_INT(p[4].kind, LEDGER_PROBLEM_BALANCE_OVERFLOW);
		CHECK_STR(p[4].customer_id, "c-5");
		CHECK_INT(p[4].stored_balance_minor, 0);
	}

	n = -1;
	CHECK_INT(ledger_problems(url, "t-good", a, &p, &n), STORE_OK);
	CHECK_INT(n, 0);
	CHECK(p != NULL);
	arena_free(a);
	cleanup(path);
}

/* Entries dated 1 and 2: a purchase of 1000, then a payment of 300.  Its
 * row should keep the open lot "1:700", the oldest due 1 + 30 days, the
 * last purchase 1 and the last payment 2.  (ENTRY dates every entry 1: the
 * test moves the payments to 2.) */
#define PAID_DOWN(t, c) \
	ENTRY(t, "p-" c, c, "purchase", "1000", "1000", "NULL") \
	ENTRY(t, "q-" c, c, "payment", "300", "-300", "NULL")
#define KEPT(t, id, lots, oldest_due, last_purchase, last_payment) \
	"INSERT INTO customers (tenant_id, id, name, phone, balance_minor, oldest_due_at," \
	" last_purchase_at, last_payment_at, open_lots, last_activity_at, created_at, updated_at)" \
	" VALUES ('" t "', '" id "', 'Name " id "', '+91" id "', 700, " oldest_due ", " \
	last_purchase ", " last_payment ", " lots ", 0, 0, 0);" PAID_DOWN(t, id)

TEST(ledger_verify_names_each_derived_field_that_drifted_from_the_entries)
{
	char path[32], url[64];
	struct arena *a = arena_new();
	struct ledger_problem *p = NULL;
	int n = -1;
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(raw(path, TENANT("t-d", "drift")
		KEPT("t-d", "d-1", "'1:700'", DUE_1, "1", "2")     /* all in step */
		KEPT("t-d", "d-2", "NULL", DUE_1, "1", "2")        /* lots not kept: sound */
		KEPT("t-d", "d-3", "'1:600'", DUE_1, "1", "2")     /* lots drifted */
		KEPT("t-d", "d-4", "' 1:700'", DUE_1, "1", "2")    /* not the canonical text */
		KEPT("t-d", "d-5", "'1:700'", "5", "1", "2")       /* oldest due drifted */
		KEPT("t-d", "d-6", "'1:700'", DUE_1, "NULL", "9")  /* last purchase and payment */
		"DROP TRIGGER transactions_immutable;"
		"UPDATE transactions SET occurred_at = 2 WHERE type = 'payment';"), 0);
	CHECK_INT(ledger_problems(url, "t-d", a, &p, &n), STORE_OK);
	CHECK_INT(n, 5);
	if (n == 5) {
		for (int i = 0; i < 5; i++)
			CHECK_INT(p[i].kind, LEDGER_PROBLEM_DERIVED);
		CHECK_STR(p[0].customer_id, "d-3");
		CHECK_STR(p[0].field, "open_lots");
		CHECK_STR(p[0].stored_text, "\"1:600\"");
		CHECK_STR(p[0].expected_text, "\"1:700\"");
		CHECK_STR(p[1].customer_id, "d-4");
		CHECK_STR(p[1].field, "open_lots");
		CHECK_STR(p[2].customer_id, "d-5");
		CHECK_STR(p[2].field, "oldest_due_at");
		CHECK_STR(p[2].stored_text, "5");
		CHECK_STR(p[2].expected_text, DUE_1);
		CHECK_STR(p[3].customer_id, "d-6");
		CHECK_STR(p[3].field, "last_purchase_at");
		CHECK_STR(p[3].stored_text, "null");
		CHECK_STR(p[3].expected_text, "1");
		CHECK_STR(p[4].field, "last_payment_at");
		CHECK_STR(p[4].stored_text, "9");
		CHECK_STR(p[4].expected_text, "2");
	}
	arena_free(a);
	cleanup(path);
}

TEST(ledger_verify_refuses_a_kept_list_for_a_customer_with_more_open_lots_than_a_row_keeps)
{
	char path[32], url[64];
	struct arena *a = arena_new();
	struct ledger_problem *p = NULL;
	struct buf sql = BUF_INIT, lots = BUF_INIT;
	int n = -1;
	CHECK_INT(fresh_db(path, url), 0);
	/* OPEN_LOTS_MAX + 1 purchases of 1 each, dated 1, 2, …; the row
	 * claims to keep the newest OPEN_LOTS_MAX of them. */
	buf_puts(&sql, TENANT("t-m", "many"));
	for (int i = 1; i <= OPEN_LOTS_MAX + 1; i++) {
		buf_printf(&sql, "INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor,"
			" effect_minor, occurred_at, created_at, created_by, balance_after_minor) VALUES"
			" ('t-m', 'e-%03d', 'm-1', 'purchase', 1, 1, %d, 1, 'test', %d);", i, i, i);
		if (i > 1)
			buf_printf(&lots, "%s%d:1", i > 2 ? "," : "", i);
	}
	buf_printf(&sql, "INSERT INTO customers (tenant_id, id, name, phone, balance_minor, oldest_due_at,"
		" last_purchase_at, open_lots, last_activity_at, created_at, updated_at) VALUES"
		" ('t-m', 'm-1', 'Many', '+91m1', %d, %lld, %d, '%s', 0, 0, 0);", OPEN_LOTS_MAX + 1,
		1 + 30 * 86400000LL, OPEN_LOTS_MAX + 1, lots.data);
	/* The same customer keeping nothing (NULL) is sound. */
	buf_printf(&sql, "INSERT INTO customers (tenant_id, id, name, phone, balance_minor, oldest_due_at,"
		" last_purchase_at, open_lots, last_activity_at, created_at, updated_at) SELECT tenant_id,"
		" 'm-2', 'Many too', '+91m2', balance_minor, oldest_due_at, last_purchase_at, NULL, 0, 0, 0"
		" FROM customers WHERE id = 'm-1';"
		"INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor,"
		" occurred_at, created_at, created_by, balance_after_minor) SELECT tenant_id, 'n' || id,"
		" 'm-2', type, amount_minor, effect_minor, occurred_at, created_at, created_by,"
		" balance_after_minor FROM transactions WHERE customer_id = 'm-1';");
	CHECK_INT(raw(path, sql.data), 0);
	CHECK_INT(ledger_problems(url, "t-m", a, &p, &n), STORE_OK);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(p[0].kind, LEDGER_PROBLEM_DERIVED);
		CHECK_STR(p[0].customer_id, "m-1");
		CHECK_STR(p[0].field, "open_lots");
		CHECK(strstr(p[0].expected_text, "129 open lots") != NULL);
	}
	buf_release(&sql);
	buf_release(&lots);
	arena_free(a);
	cleanup(path);
}

/* Three audit rows for `tenant` through store_audit. */
static int audit_three(struct store *s, const char *tenant)
{
	struct store_actor actor = { "u-1", "owner", "req-1", "127.0.0.1" };
	struct store_tx *tx;
	int rc = store_begin_tenant(s, tenant, 1, &actor, &tx);
	for (int i = 1; rc == STORE_OK && i <= 3; i++) {
		json_t *after = json_pack("{s:i, s:s}", "n", i, "note", "a \"quoted\" line\n");
		char id[16];
		snprintf(id, sizeof id, "c-%d", i);
		rc = store_audit(tx, "customer.created", "customer", id, NULL, after);
		json_decref(after);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

static int chain_of(const char *url, const char *tenant, struct audit_chain_status *out)
{
	char err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	int rc = store_open(url, 1, &s, err, sizeof err);
	if (rc == STORE_OK)
		rc = store_begin_tenant(s, tenant, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_audit_verify(tx, out);
		store_rollback(tx);
	}
	store_close(s);
	return rc;
}

TEST(audit_verify_names_the_first_break_by_kind_seq_and_id)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	struct audit_chain_status st;
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(raw(path, TENANT("t-prev", "prev") TENANT("t-edit", "edit") TENANT("t-cut", "cut")), 0);
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
	CHECK_INT(audit_three(s, "t-prev"), STORE_OK);
	CHECK_INT(audit_three(s, "t-edit"), STORE_OK);
	CHECK_INT(audit_three(s, "t-cut"), STORE_OK);
	store_close(s);

	CHECK_INT(chain_of(url, "t-prev", &st), STORE_OK);
	CHECK_INT(st.state, AUDIT_CHAIN_INTACT);

	CHECK_INT(raw(path, "DROP TRIGGER audit_log_immutable; DROP TRIGGER audit_log_append_only;"
		"UPDATE audit_log SET prev_hash = 'x' WHERE tenant_id = 't-prev' AND seq = 2;"
		"UPDATE audit_log SET after_json = '{\"n\":9}' WHERE tenant_id = 't-edit' AND seq = 3;"
		"DELETE FROM audit_log WHERE tenant_id = 't-cut' AND seq = 3;"), 0);

	CHECK_INT(chain_of(url, "t-prev", &st), STORE_OK);
	CHECK_INT(st.state, AUDIT_CHAIN_PREV_MISMATCH);
	CHECK_INT(st.seq, 2);
	CHECK_INT(strlen(st.id), 36);

	CHECK_INT(chain_of(url, "t-edit", &st), STORE_OK);
	CHECK_INT(st.state, AUDIT_CHAIN_EDITED);
	CHECK_INT(st.seq, 3);

	/* The newest row gone: only the head tells. */
	CHECK_INT(chain_of(url, "t-cut", &st), STORE_OK);
	CHECK_INT(st.state, AUDIT_CHAIN_HEAD_MISMATCH);
	CHECK_INT(st.seq, 2);
	CHECK_INT(st.found_seq, 3);

	/* The first row gone: the sequence tells. */
	CHECK_INT(raw(path, "DELETE FROM audit_log WHERE tenant_id = 't-cut' AND seq = 1;"), 0);
	CHECK_INT(chain_of(url, "t-cut", &st), STORE_OK);
	CHECK_INT(st.state, AUDIT_CHAIN_SEQ_MISSING);
	CHECK_INT(st.seq, 1);
	CHECK_INT(st.found_seq, 2);
	cleanup(path);
}

/* What verify makes of a chain cut into parts, each checked in its own
 * transaction: the first break of the first part that has one, else the
 * head against the last row. */
static int chain_in_parts(const char *url, const char *tenant, int parts,
	struct audit_chain_status *out)
{
	char err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	struct audit_extent x;
	int rc = store_open(url, 1, &s, err, sizeof err);
	if (rc == STORE_OK)
		rc = store_begin_tenant(s, tenant, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_audit_extent(tx, &x);
		store_rollback(tx);
	}
	memset(out, 0, sizeof *out);
	for (int i = 0; rc == STORE_OK && i < parts; i++) {
		struct audit_chain_status part;
		rc = store_begin_tenant(s, tenant, 0, NULL, &tx);
		if (rc != STORE_OK)
			break;
		rc = store_audit_verify_range(tx, x.last_seq * i / parts, x.last_seq * (i + 1) / parts, &part);
		store_rollback(tx);
		if (rc == STORE_OK && out->state == AUDIT_CHAIN_INTACT && part.state != AUDIT_CHAIN_INTACT)
			*out = part;
	}
	if (rc == STORE_OK && out->state == AUDIT_CHAIN_INTACT && x.has_head && x.head_seq != x.last_seq) {
		out->state = AUDIT_CHAIN_HEAD_MISMATCH;
		out->seq = x.last_seq;
		out->found_seq = x.head_seq;
	}
	store_close(s);
	return rc;
}

/* n audit rows for `tenant`. */
static int audit_rows(struct store *s, const char *tenant, int n)
{
	struct store_actor actor = { "u-1", "owner", "req-1", "127.0.0.1" };
	struct store_tx *tx;
	int rc = store_begin_tenant(s, tenant, 1, &actor, &tx);
	for (int i = 1; rc == STORE_OK && i <= n; i++) {
		json_t *after = json_pack("{s:i, s:s}", "n", i, "note", "tab\there \"quoted\"");
		rc = store_audit(tx, "customer.updated", "customer", "c-1", NULL, after);
		json_decref(after);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

TEST(a_chain_checked_in_parts_breaks_where_the_whole_walk_breaks)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	static const char *const tamper[] = {
		NULL,
		"UPDATE audit_log SET prev_hash = 'x' WHERE tenant_id = 't-p' AND seq = 7;",
		"UPDATE audit_log SET after_json = '{}' WHERE tenant_id = 't-p' AND seq = 13;",
		"UPDATE audit_log SET hash = 'y' WHERE tenant_id = 't-p' AND seq = 12;",
		"DELETE FROM audit_log WHERE tenant_id = 't-p' AND seq = 10;",
		"DELETE FROM audit_log WHERE tenant_id = 't-p' AND seq IN (4, 5, 6, 7);",
		"DELETE FROM audit_log WHERE tenant_id = 't-p' AND seq >= 19;",
		"DELETE FROM audit_log WHERE tenant_id = 't-p' AND seq = 1;",
	};
	for (size_t k = 0; k < sizeof tamper / sizeof tamper[0]; k++) {
		struct audit_chain_status whole, parts;
		CHECK_INT(fresh_db(path, url), 0);
		CHECK_INT(raw(path, TENANT("t-p", "parts")), 0);
		CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
		CHECK_INT(audit_rows(s, "t-p", 20), STORE_OK);
		store_close(s);
		if (tamper[k])
			CHECK_INT(raw(path, "DROP TRIGGER audit_log_immutable; DROP TRIGGER audit_log_append_only;"), 0);
		if (tamper[k])
			CHECK_INT(raw(path, tamper[k]), 0);
		CHECK_INT(chain_of(url, "t-p", &whole), STORE_OK);
		CHECK_INT(whole.state != AUDIT_CHAIN_INTACT, tamper[k] != NULL);
		for (int n = 1; n <= 7; n++) {
			CHECK_INT(chain_in_parts(url, "t-p", n, &parts), STORE_OK);
			CHECK_INT(parts.state, whole.state);
			CHECK_INT(parts.seq, whole.seq);
			CHECK_INT(parts.found_seq, whole.found_seq);
			CHECK_STR(parts.id, whole.id);
		}
		cleanup(path);
		if (*check_failed) {
			fprintf(stderr, "  tampering %zu\n", k);
			return;
		}
	}
}

TEST(audit_list_returns_typed_rows_newest_first_with_the_payload_text_that_was_hashed)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	struct arena *a = arena_new();
	struct audit_row *rows = NULL;
	int n = -1;
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(raw(path, TENANT("t-a", "a") TENANT("t-b", "b")), 0);
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
	CHECK_INT(audit_three(s, "t-a"), STORE_OK);
	CHECK_INT(audit_three(s, "t-b"), STORE_OK);

	struct audit_filter f = { .limit = 2 };
	CHECK_INT(store_begin_tenant(s, "t-a", 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_audit_list(tx, &f, a, &rows, &n), STORE_OK);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(rows[0].seq, 3);
		CHECK_INT(rows[1].seq, 2);
		CHECK_STR(rows[0].actor_id, "u-1");
		CHECK_STR(rows[0].actor_role, "owner");
		CHECK_STR(rows[0].action, "customer.created");
		CHECK_STR(rows[0].entity, "customer");
		CHECK_STR(rows[0].entity_id, "c-3");
		CHECK(rows[0].before_json == NULL);
		CHECK_STR(rows[0].after_json, "{\"n\":3,\"note\":\"a \\\"quoted\\\" line\\n\"}");
		CHECK_STR(rows[0].request_id, "req-1");
		CHECK_STR(rows[0].client_ip, "127.0.0.1");
		CHECK(rows[0].created_at > 0);
		CHECK_STR(rows[0].prev_hash, rows[1].hash);
		CHECK_INT(strlen(rows[0].hash), 64);
	}
	/* Keyset paging: rows before seq 2. */
	f.before_seq = 2;
	CHECK_INT(store_audit_list(tx, &f, a, &rows, &n), STORE_OK);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(rows[0].seq, 1);
	f = (struct audit_filter){ .entity_id = "c-2", .limit = 10 };
	CHECK_INT(store_audit_list(tx, &f, a, &rows, &n), STORE_OK);
	CHECK_INT(n, 1);
	store_rollback(tx);
	store_close(s);
	arena_free(a);
	cleanup(path);
}

CHECK_MAIN()
