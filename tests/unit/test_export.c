/*
 * test_export.c — the CSV rows of the exports (core/export.c): the header
 * rows, money twice (minor units and the decimal with the currency's
 * exponent), RFC 3339 UTC times beside the local date, formula injection
 * made inert in text while our own numbers stay plain, quoting, the file
 * name, the local-date range; then a whole stream over a migrated SQLite
 * store, read in pieces of every size, equal to the batch formatter's
 * bytes, with the BOM first when asked.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/export.h"
#include "store/store_tenants.h"
#include "util/csv.h"

/* The records hold char *; these tests fill them with literals. */
#define T(s) ((char *)(s))

static struct export_format fmt(const char *currency, const char *zone)
{
	struct settings_rec s = { 0 };
	struct export_format f;
	s.currency = (char *)currency;
	s.timezone = (char *)zone;
	s.credit_period_days = 30;
	export_format_init(&f, &s, 1790000000000LL);
	return f;
}

static char *batch_csv(enum export_kind kind, const struct export_format *f, struct export_batch *b)
{
	struct buf out;
	buf_init(&out);
	export_format_batch(&out, kind, f, b);
	return buf_detach(&out);
}

TEST(headers_list_the_documented_columns)
{
	CHECK_STR(export_header(EXPORT_CUSTOMERS),
		"id,name,phone,apartment,tower,floor,unit,email,credit_limit_minor,notes,balance_minor,"
		"overdue_minor,oldest_due_date,status,reminders_opt_out,created_at\r\n");
	CHECK_STR(export_header(EXPORT_TRANSACTIONS),
		"id,date,occurred_at,customer_id,customer_name,phone,apartment,type,amount_minor,amount,"
		"currency,payment_method,payment_reference,note,reverses_id,created_by,created_at\r\n");
	CHECK(strncmp(export_header(EXPORT_REMINDERS), "id,date,created_at,customer_id,", 31) == 0);
	CHECK(strncmp(export_header(EXPORT_AUDIT), "seq,id,date,created_at,actor_id,", 32) == 0);
	enum export_kind k;
	CHECK_INT(export_kind_parse("transactions", &k), 0);
	CHECK_INT(k, EXPORT_TRANSACTIONS);
	CHECK_INT(export_kind_parse("audit", &k), 0);
	CHECK_INT(k, EXPORT_AUDIT);
	CHECK_INT(export_kind_parse("Audit", &k), -1);
	CHECK_INT(export_kind_parse("", &k), -1);
	CHECK_INT(export_kind_parse(NULL, &k), -1);
}

TEST(entry_row_money_twice_times_and_local_date)
{
	struct export_format f = fmt("INR", "Asia/Kolkata");
	struct export_entry_row e = { 0 };
	e.e.id = T("e1");
	e.e.customer_id = T("c1");
	e.e.type = T("adjustment");
	e.e.amount_minor = -250;
	/* 2026-03-31T20:00:00Z is 2026-04-01 01:30 in Kolkata. */
	e.e.occurred_at = 1774987200000LL;
	e.e.created_at = 1774987200123LL;
	e.e.created_by = T("u1");
	e.e.note = T("-write off");
	e.e.payment_method = NULL;
	e.e.payment_reference = T("=HYPERLINK(\"x\")");
	e.customer_name = T("@Ravi, \"the\" grocer");
	e.phone = T("+919876543210");
	e.apartment = T("10104");
	struct export_batch b = { .n = 1, .entries = &e };
	char *csv = batch_csv(EXPORT_TRANSACTIONS, &f, &b);
	CHECK_STR(csv, "e1,2026-04-01,2026-03-31T20:00:00.000Z,c1,\"'@Ravi, \"\"the\"\" grocer\","
		"\"'+919876543210\",10104,adjustment,-250,-2.50,INR,,\"'=HYPERLINK(\"\"x\"\")\","
		"\"'-write off\",,u1,2026-03-31T20:00:00.123Z\r\n");
	free(csv);

	/* Yen has no decimals, dinar three. */
	struct export_format jpy = fmt("JPY", "UTC");
	e.e.amount_minor = 1500;
	e.e.note = T("");
	e.customer_name = T("Tab\there");
	e.e.payment_reference = NULL;
	csv = batch_csv(EXPORT_TRANSACTIONS, &jpy, &b);
	CHECK(strstr(csv, ",2026-03-31,2026-03-31T20:00:00.000Z,") != NULL);
	CHECK(strstr(csv, ",adjustment,1500,1500,JPY,,,,,u1,") != NULL);
	CHECK(strstr(csv, ",Tab\there,") != NULL);  /* TAB inside is harmless, only a leading one */
	free(csv);
	struct export_format kwd = fmt("KWD", "UTC");
	e.e.amount_minor = 5;
	csv = batch_csv(EXPORT_TRANSACTIONS, &kwd, &b);
	CHECK(strstr(csv, ",5,0.005,KWD,") != NULL);
	free(csv);
}

TEST(text_starting_like_a_formula_is_inert)
{
	struct export_format f = fmt("INR", "UTC");
	const char *bad[] = { "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx" };
	const char *want[] = { "\"'=1+1\"", "\"'+1\"", "\"'-1\"", "\"'@SUM(A1)\"", "\"'\tx\"", "\"'\rx\"" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct export_customer_row c = { 0 };
		c.c.id = T("c1");
		c.c.name = (char *)bad[i];
		c.c.phone = T("+15551234567");
		c.c.notes = (char *)bad[i];
		c.c.status = T("active");
		c.c.balance_minor = -1200;   /* in credit: a plain negative number */
		c.c.created_at = 0;
		struct export_batch b = { .n = 1, .customers = &c };
		char *csv = batch_csv(EXPORT_CUSTOMERS, &f, &b);
		char expect[256];
		snprintf(expect, sizeof expect, "c1,%s,\"'+15551234567\",,,,,,,%s,-1200,0,,active,false,"
			"1970-01-01T00:00:00.000Z\r\n", want[i], want[i]);
		CHECK_STR(csv, expect);
		free(csv);
	}
}

TEST(customer_row_overdue_and_oldest_due_date)
{
	struct export_format f = fmt("INR", "Asia/Kolkata");
	struct export_customer_row c = { 0 };
	c.c.id = T("c1");
	c.c.name = T("Asha");
	c.c.phone = T("+919812345678");
	c.c.apartment = T("42012");
	c.c.tower = 42;
	c.c.floor = 1;
	c.c.unit = 2;
	c.c.email = T("asha@example.com");
	c.c.has_credit_limit = 1;
	c.c.credit_limit_minor = 300000;
	c.c.notes = T("line one\nline two");
	c.c.status = T("active");
	c.c.reminders_opt_out = 1;
	c.c.balance_minor = 10000;
	c.c.oldest_due_at = 1774987200000LL;  /* 2026-04-01 in Kolkata */
	c.c.created_at = 1700000000000LL;
	c.recent_minor = 2500;
	struct export_batch b = { .n = 1, .customers = &c };
	char *csv = batch_csv(EXPORT_CUSTOMERS, &f, &b);
	CHECK_STR(csv, "c1,Asha,\"'+919812345678\",42012,42,1,2,asha@example.com,300000,"
		"\"line one\nline two\",10000,7500,2026-04-01,active,true,2023-11-14T22:13:20.000Z\r\n");
	free(csv);
	/* Everything owed is still within the credit period: nothing overdue. */
	c.recent_minor = 12000;
	csv = batch_csv(EXPORT_CUSTOMERS, &f, &b);
	CHECK(strstr(csv, ",10000,0,2026-04-01,") != NULL);
	free(csv);
}

TEST(reminder_and_audit_rows)
{
	struct export_format f = fmt("INR", "UTC");
	struct export_reminder_row m = { 0 };
	m.m.id = T("r1");
	m.m.customer_id = T("c1");
	m.m.kind = T("reminder");
	m.m.trigger = T("manual");
	m.m.channel = T("link");
	m.m.status = T("link_ready");
	m.m.message = T("Namaste, pay \xe2\x82\xb9" "1,250.00");
	m.m.currency = T("INR");
	m.m.balance_minor = 125000;
	m.m.overdue_minor = 0;
	m.m.created_by = T("u1");
	m.m.created_at = 86400000;
	m.m.updated_at = 86400001;
	m.customer_name = T("\xe0\xa4\xb0\xe0\xa4\xb5\xe0\xa4\xbf");   /* Devanagari passes through */
	m.phone = T("+919812345678");
	struct export_batch b = { .n = 1, .reminders = &m };
	char *csv = batch_csv(EXPORT_REMINDERS, &f, &b);
	CHECK_STR(csv, "r1,1970-01-02,1970-01-02T00:00:00.000Z,c1,\xe0\xa4\xb0\xe0\xa4\xb5\xe0\xa4\xbf,"
		"\"'+919812345678\",,reminder,manual,link,link_ready,125000,1250.00,0,0.00,INR,,"
		"\"Namaste, pay \xe2\x82\xb9" "1,250.00\",,,,u1,1970-01-02T00:00:00.001Z\r\n");
	free(csv);

	struct audit_row a = { 0 };
	a.seq = 7;
	a.id = T("a7");
	a.actor_id = T("u1");
	a.actor_role = T("owner");
	a.action = T("customer.updated");
	a.entity = T("customer");
	a.entity_id = T("c1");
	a.before_json = T("{\"notes\":\"=cmd\"}");
	a.after_json = NULL;
	a.request_id = T("req");
	a.client_ip = T("127.0.0.1");
	a.created_at = 0;
	a.prev_hash = T("00");
	a.hash = T("ab");
	struct export_batch ab = { .n = 1, .audit = &a };
	csv = batch_csv(EXPORT_AUDIT, &f, &ab);
	CHECK_STR(csv, "7,a7,1970-01-01,1970-01-01T00:00:00.000Z,u1,owner,customer.updated,customer,c1,"
		"\"{\"\"notes\"\":\"\"=cmd\"\"}\",,req,127.0.0.1,00,ab\r\n");
	free(csv);
}

TEST(file_names_and_ranges)
{
	char name[128];
	export_filename(name, sizeof name, "shop", EXPORT_TRANSACTIONS, "2026-01-01", "2026-03-31");
	CHECK_STR(name, "shop-transactions-2026-01-01-2026-03-31.csv");
	export_filename(name, sizeof name, "shop", EXPORT_CUSTOMERS, NULL, NULL);
	CHECK_STR(name, "shop-customers-all.csv");
	export_filename(name, sizeof name, "shop", EXPORT_AUDIT, "2026-01-01", NULL);
	CHECK_STR(name, "shop-audit-2026-01-01-latest.csv");
	export_filename(name, sizeof name, "shop", EXPORT_REMINDERS, NULL, "2026-03-31");
	CHECK_STR(name, "shop-reminders-start-2026-03-31.csv");

	int64_t from, to;
	/* 2026-04-01 in Kolkata (+05:30) is [2026-03-31T18:30Z, 2026-04-01T18:30Z). */
	CHECK_INT(export_range("Asia/Kolkata", 1, 20544, 1, 20544, &from, &to), 0);
	CHECK_INT(from, 1774981800000LL);
	CHECK_INT(to, 1774981800000LL + 86400000LL);
	CHECK_INT(export_range("Asia/Kolkata", 0, 0, 0, 0, &from, &to), 0);
	CHECK(from == INT64_MIN && to == INT64_MAX);
	CHECK_INT(export_range("Not/AZone", 1, 20544, 0, 0, &from, &to), -1);
}

/* ---- A whole stream over a real store ---- */

static const struct store_actor actor = { "test", "owner", "test", "local" };

TEST(stream_over_a_store_gives_the_formatter_bytes_in_any_piece_size)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	snprintf(path, sizeof path, "/tmp/qt-export-XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", path);
	CHECK_INT(store_open(url, 2, &s, err, sizeof err), STORE_OK);
	CHECK_INT(store_migrate(s, NULL, err, sizeof err), STORE_OK);

	struct arena *a = arena_new();
	struct store_tx *tx;
	struct tenant_rec t;
	CHECK_INT(store_begin_platform(s, 1, &actor, &tx), STORE_OK);
	CHECK_INT(store_tenant_create(tx, "shop", "Shop", NULL, "professional", a, &t), STORE_OK);
	/* More customers than one batch holds, so the stream refills. */
	const int ncust = EXPORT_BATCH_ROWS * 2 + 7;
	for (int i = 0; i < ncust; i++) {
		struct customer_rec c = { 0 };
		char id[40], phone[20], name[32];
		snprintf(id, sizeof id, "00000000-0000-7000-8000-%012d", i);
		snprintf(phone, sizeof phone, "+9190%08d", i);
		snprintf(name, sizeof name, i % 3 ? "Customer %d" : "=Customer %d", i);
		c.id = id;
		c.name = name;
		c.phone = phone;
		c.created_at = 1700000000000LL + i;
		CHECK_INT(store_customer_insert(tx, &c), STORE_OK);
	}
	CHECK_INT(store_commit(tx), STORE_OK);

	CHECK_INT(store_begin_tenant(s, t.id, 0, &actor, &tx), STORE_OK);
	struct settings_rec st;
	CHECK_INT(store_settings_get(tx, a, &st), STORE_OK);
	struct export_format f;
	export_format_init(&f, &st, 1790000000000LL);

	/* The expected bytes: BOM, header, then the store's rows formatted
	 * batch by batch straight from the store cursor. */
	struct buf want;
	buf_init(&want);
	buf_puts(&want, CSV_BOM);
	buf_puts(&want, export_header(EXPORT_CUSTOMERS));
	struct export_query q = { .kind = EXPORT_CUSTOMERS, .from_ms = INT64_MIN, .to_ms = INT64_MAX,
		.not_due_after_ms = 0 };
	struct store_export *cur = NULL;
	CHECK_INT(store_export_open(tx, &q, &cur), STORE_OK);
	int total = 0;
	for (;;) {
		struct arena *ba = arena_new();
		struct export_batch b;
		CHECK_INT(store_export_next(cur, 100, ba, &b), STORE_OK);
		export_format_batch(&want, EXPORT_CUSTOMERS, &f, &b);
		total += b.n;
		int n = b.n;
		arena_free(ba);
		if (n < 100)
			break;
	}
	store_export_close(cur);
	CHECK_INT(total, ncust);
	CHECK(strstr(want.data, "\"'=Customer 0\"") != NULL);

	const size_t pieces[] = { 1, 7, 4096, 1 << 20 };
	for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
		struct export_stream *x = NULL;
		CHECK_INT(export_stream_open(tx, EXPORT_CUSTOMERS, &f, INT64_MIN, INT64_MAX, 1, &x), STORE_OK);
		if (!x)
			break;
		struct buf got;
		buf_init(&got);
		char *piece = malloc(pieces[k]);
		long n;
		while ((n = export_stream_read(x, piece, pieces[k])) > 0) {
			CHECK(n <= (long)pieces[k]);
			buf_append(&got, piece, (size_t)n);
		}
		CHECK_INT(n, 0);
		CHECK_INT(export_stream_read(x, piece, pieces[k]), 0);   /* stays at the end */
		CHECK_INT(export_stream_rows(x), ncust);
		CHECK_INT(got.len, want.len);
		CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);
		free(piece);
		buf_release(&got);
		export_stream_close(x);
	}

	/* A range that holds nothing: the header alone, no BOM unless asked. */
	struct export_stream *x = NULL;
	CHECK_INT(export_stream_open(tx, EXPORT_TRANSACTIONS, &f, 0, 1, 0, &x), STORE_OK);
	char piece[1024];
	long n = x ? export_stream_read(x, piece, sizeof piece) : -1;
	CHECK_INT(n, (long)strlen(export_header(EXPORT_TRANSACTIONS)));
	if (x) {
		CHECK(memcmp(piece, export_header(EXPORT_TRANSACTIONS), (size_t)n) == 0);
		CHECK_INT(export_stream_read(x, piece, sizeof piece), 0);
		CHECK_INT(export_stream_rows(x), 0);
	}
	export_stream_close(x);

	store_rollback(tx);
	buf_release(&want);
	arena_free(a);
	store_close(s);
	char side[48];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

CHECK_MAIN()
