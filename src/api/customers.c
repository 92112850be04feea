/*
 * customers.c — a store's customers: create, read, update, archive, list
 * with search and filters, and the statement of account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/ledger_json.h"
#include "api/statement.h"
#include "core/audit_payload.h"
#include "core/events.h"
#include "core/ledger.h"
#include "domain/apartment.h"
#include "domain/money.h"
#include "domain/phone.h"
#include "http/jsonin.h"
#include "pdf/statement_pdf.h"
#include "util/base64url.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/csv.h"
#include "util/idtext.h"
#include "util/uuid.h"

static const struct jfield customer_fields[] = {
	{ "name", JF_STRING, 0, 0, 120 },
	{ "phone", JF_STRING, 0, 0, 32 },
	{ "apartment", JF_STRING, 0, 1, 5 },
	{ "email", JF_STRING, 0, 1, 254 },
	{ "credit_limit_minor", JF_INTEGER, 0, 1, 0 },
	{ "notes", JF_STRING, 0, 0, 1000 },
	{ "reminders_opt_out", JF_BOOLEAN, 0, 0, 0 },
	{ "status", JF_STRING, 0, 0, 16 },
};
#define NCUSTOMER_FIELDS (sizeof customer_fields / sizeof customer_fields[0])

static int bad(struct req *r, const char *field, const char *msg)
{
	return req_fail_field(r, 422, "validation_failed", field, msg);
}

/* Apply the body's fields to c, validating each.  Returns 0 or -1. */
static int apply_fields(struct req *r, json_t *body, struct customer_rec *c, int creating)
{
	const struct settings_rec *s = api_settings(r);
	char err[200];
	const char *v;

	if (creating && !jsonin_has(body, "name"))
		return bad(r, "name", "is required");
	if (creating && !jsonin_has(body, "phone"))
		return bad(r, "phone", "is required");
	if ((v = jsonin_str(body, "name", NULL))) {
		const char *p = v;
		while (*p == ' ')
			p++;
		if (!*p || text_has_control_chars(v))
			return bad(r, "name", "must be 1-120 characters without control characters");
		c->name = arena_strdup(r->arena, v);
	}
	if ((v = jsonin_str(body, "phone", NULL))) {
		char e164[20];
		if (phone_normalize(v, s->phone_country, e164, sizeof e164, err, sizeof err) < 0)
			return bad(r, "phone", err);
		c->phone = arena_strdup(r->arena, e164);
	}
	if (jsonin_has(body, "apartment")) {
		v = jsonin_str(body, "apartment", NULL);
		if (v && v[0]) {
			struct apartment_number an;
			struct building_layout l = { (int)s->building_towers, (int)s->building_floors,
				(int)s->building_units };
			if (apartment_parse(v, &l, &an, err, sizeof err) < 0)
				return bad(r, "apartment", err);
			c->apartment = arena_strdup(r->arena, an.text);
			c->tower = an.tower;
			c->floor = an.floor;
			c->unit = an.unit;
		} else {
			c->apartment = NULL;
		}
	}
	if (jsonin_has(body, "email")) {
		v = jsonin_str(body, "email", NULL);
		if (v && v[0] && !email_valid(v))
			return bad(r, "email", "must be an email address");
		c->email = v && v[0] ? arena_strdup(r->arena, v) : NULL;
	}
	if (jsonin_has(body, "credit_limit_minor")) {
		if (jsonin_is_null(body, "credit_limit_minor")) {
			c->has_credit_limit = 0;
		} else {
			int64_t n = jsonin_int(body, "credit_limit_minor", -1);
			if (n < 0 || n > MONEY_CREDIT_LIMIT_MAX)
				return bad(r, "credit_limit_minor", "must be between 0 and 10^15 minor units");
			if (!creating && strcmp(r->caller.role, "admin") && strcmp(r->caller.role, "owner"))
				return req_fail_field(r, 403, "forbidden", "credit_limit_minor", "only admins set credit limits");
			/* A limit of its own is the credit_lines feature.  Without
			 * it a customer may still have the store's default, and one
			 * who kept a limit of their own from before a downgrade keeps
			 * it (sending it back unchanged is no change). */
			int unchanged = !creating && c->has_credit_limit && c->credit_limit_minor == n;
			if (n != s->default_credit_limit_minor && !unchanged &&
			    api_require_feature(r, "credit_lines") < 0) {
				req_add_field_error(r, "credit_limit_minor", arena_printf(r->arena,
					"a limit other than the store's default (%lld) needs the credit_lines feature",
					(long long)s->default_credit_limit_minor));
				return -1;
			}
			c->has_credit_limit = 1;
			c->credit_limit_minor = n;
		}
	}
	if ((v = jsonin_str(body, "notes", NULL))) {
		c->notes = arena_strdup(r->arena, v);
	}
	if (jsonin_has(body, "reminders_opt_out"))
		c->reminders_opt_out = jsonin_bool(body, "reminders_opt_out", 0);
	if ((v = jsonin_str(body, "status", NULL))) {
		if (strcmp(v, "active") && strcmp(v, "archived"))
			return bad(r, "status", "must be active or archived");
		if (creating && strcmp(v, "active"))
			return bad(r, "status", "a new customer is active");
		c->status = arena_strdup(r->arena, v);
	}
	return 0;
}

/* A customer's figures that are worked out, not stored, must fit int64:
 * else a 422 amount_overflow naming the field (at `path`), never a wrapped
 * number.  Returns 0 or -1. */
static int customer_sums_fit(struct req *r, const struct customer_rec *c, const char *path)
{
	int64_t available;
	if (ledger_available_credit(c, api_settings(r), &available) == 0)
		return 0;
	return api_overflow(r, arena_printf(r->arena, "the available credit of customer %s "
		"(credit limit %lld minus balance %lld)", c->id,
		(long long)ledger_credit_limit(c, api_settings(r)), (long long)c->balance_minor),
		path, NULL);
}

/* ledger_aging's failure as a problem: LEDGER_OVERFLOW is a sum (or due
 * date) of the customer's lots past int64. */
static int aging_fail(struct req *r, int rc, const struct customer_rec *c, const char *path)
{
	if (rc == LEDGER_OVERFLOW)
		return api_overflow(r, arena_printf(r->arena, "the aging of customer %s", c->id), path, NULL);
	return api_store_fail(r, rc, "customer");
}

static int customer_json_out(struct req *r, int status, const struct customer_rec *c)
{
	struct aging_result ag;
	int64_t now = clock_now_ms();
	const struct settings_rec *s = api_settings(r);
	if (customer_sums_fit(r, c, "available_credit_minor") < 0)
		return -1;
	int rc = ledger_aging(r->tx, s, c, now, r->arena, &ag);
	if (rc != STORE_OK)
		return aging_fail(r, rc, c, "aging");
	struct jw w;
	jw_init(&w, resp_json_buf(r, status));
	api_customer_write(&w, c, s, &ag, now);
	return 0;
}

/* Is there room for one more active customer on the plan?  A store over
 * its limit (after a downgrade) keeps its customers and their ledger, but
 * adds none and brings none back from the archive.  The limit is the one
 * read with the membership on this request.  Returns 0, or -1 with 403
 * plan_limit_reached. */
static int customer_room(struct req *r)
{
	int64_t limit = r->caller.plan_customer_limit, active = 0;
	if (limit < 0)
		return 0;
	int rc = store_customer_count_active(r->tx, &active);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	if (active < limit)
		return 0;
	req_failf(r, 403, "plan_limit_reached",
		"the %s plan allows %lld active customers and the store has %lld; archive some or change plan",
		r->caller.plan, (long long)limit, (long long)active);
	req_problem_extra(r, "limit", json_integer(limit));
	req_problem_extra(r, "plan", json_string(r->caller.plan));
	req_problem_extra(r, "customers", json_integer(active));
	return -1;
}

int h_customers_create(struct req *r)
{
	struct customer_rec c = { 0 };
	json_t *body = jsonin_object(r, customer_fields, NCUSTOMER_FIELDS);
	int rc = -1;

	if (!body)
		return -1;
	if (apply_fields(r, body, &c, 1) < 0)
		goto out;
	if (c.has_credit_limit && strcmp(r->caller.role, "admin") && strcmp(r->caller.role, "owner")) {
		req_fail_field(r, 403, "forbidden", "credit_limit_minor", "only admins set credit limits");
		goto out;
	}
	if (customer_room(r) < 0)
		goto out;
	rc = store_customer_phone_taken(r->tx, c.phone, NULL);
	if (rc < 0) {
		rc = api_store_fail(r, rc, NULL);
		goto out;
	}
	if (rc > 0) {
		rc = req_fail_field(r, 409, "phone_taken", "phone", "another active customer has this phone number");
		goto out;
	}
	char *id = arena_alloc(r->arena, 37);
	uuid_v7(id);
	c.id = id;
	c.status = arena_strdup(r->arena, "active");
	c.created_at = clock_now_ms();
	rc = store_customer_insert(r->tx, &c);
	if (rc == STORE_CONFLICT) {
		rc = req_fail_field(r, 409, "phone_taken", "phone", "another active customer has this phone number");
		goto out;
	}
	if (rc == STORE_OK)
		rc = store_customer_get(r->tx, id, 0, r->arena, &c);
	if (rc == STORE_OK) {
		json_t *after = audit_payload_customer(&c);
		rc = store_audit(r->tx, "customer.created", "customer", id, NULL, after);
		json_decref(after);
	}
	if (rc == STORE_OK)
		rc = events_customer(r->tx, "customer.created", &c);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "customer");
		goto out;
	}
	rc = customer_json_out(r, 201, &c);
out:
	json_decref(body);
	return rc;
}

static int load(struct req *r, struct customer_rec *c, int lock)
{
	const char *id = req_param(r, "id");
	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "customer not found");
	int rc = store_customer_get(r->tx, id, lock, r->arena, c);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	return 0;
}

int h_customers_get(struct req *r)
{
	struct customer_rec c;
	if (load(r, &c, 0) < 0)
		return -1;
	return customer_json_out(r, 200, &c);
}

/* action names the audit row; event the live event (customer.updated or
 * customer.archived, whichever route archived it). */
static int change(struct req *r, struct customer_rec *c, json_t *before, const char *action,
	const char *event)
{
	int rc = store_customer_update(r->tx, c);
	if (rc == STORE_CONFLICT)
		return req_fail_field(r, 409, "phone_taken", "phone", "another active customer has this phone number");
	if (rc == STORE_OK)
		rc = store_customer_get(r->tx, c->id, 0, r->arena, c);
	if (rc == STORE_OK) {
		json_t *after = audit_payload_customer(c);
		rc = store_audit(r->tx, action, "customer", c->id, before, after);
		json_decref(after);
	}
	if (rc == STORE_OK)
		rc = events_customer(r->tx, event, c);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	return customer_json_out(r, 200, c);
}

int h_customers_update(struct req *r)
{
	struct customer_rec c;
	json_t *body = jsonin_object(r, customer_fields, NCUSTOMER_FIELDS);
	json_t *before = NULL;
	int rc = -1;

	if (!body)
		return -1;
	if (load(r, &c, 1) < 0)
		goto out;
	before = audit_payload_customer(&c);
	const char *old_status = c.status;
	if (apply_fields(r, body, &c, 0) < 0)
		goto out;
	if (strcmp(old_status, "active") == 0 && strcmp(c.status, "archived") == 0 && c.balance_minor != 0) {
		rc = req_failf(r, 409, "balance_not_zero",
			"a customer with a balance cannot be archived (balance %lld minor units)", (long long)c.balance_minor);
		goto out;
	}
	if (strcmp(old_status, "archived") == 0 && strcmp(c.status, "active") == 0 && customer_room(r) < 0) {
		rc = -1;
		goto out;
	}
	if (strcmp(c.status, "active") == 0) {
		rc = store_customer_phone_taken(r->tx, c.phone, c.id);
		if (rc < 0) {
			rc = api_store_fail(r, rc, NULL);
			goto out;
		}
		if (rc > 0) {
			rc = req_fail_field(r, 409, "phone_taken", "phone", "another active customer has this phone number");
			goto out;
		}
	}
	int archived = strcmp(old_status, "active") == 0 && strcmp(c.status, "archived") == 0;
	rc = change(r, &c, before, "customer.updated", archived ? "customer.archived" : "customer.updated");
out:
	json_decref(before);
	json_decref(body);
	return rc;
}

int h_customers_archive(struct req *r)
{
	struct customer_rec c;
	if (load(r, &c, 1) < 0)
		return -1;
	if (c.balance_minor != 0)
		return req_failf(r, 409, "balance_not_zero",
			"a customer with a balance cannot be archived (balance %lld minor units)", (long long)c.balance_minor);
	if (strcmp(c.status, "archived") == 0)
		return customer_json_out(r, 200, &c);
	json_t *before = audit_payload_customer(&c);
	c.status = arena_strdup(r->arena, "archived");
	int rc = change(r, &c, before, "customer.archived", "customer.archived");
	json_decref(before);
	return rc;
}

/* Cursor: base64url("<sort>|<text or int>|<id>"). */
static const char *sort_names[] = { "name", "balance", "apartment", "last_activity" };

static char *make_cursor(struct req *r, enum customer_sort sort, const struct customer_rec *c)
{
	char *raw;
	if (sort == SORT_NAME)
		raw = arena_printf(r->arena, "%s|%s|%s", sort_names[sort], c->name, c->id);
	else if (sort == SORT_APARTMENT)
		raw = arena_printf(r->arena, "%s|%s|%s", sort_names[sort], c->apartment ? c->apartment : "~", c->id);
	else
		raw = arena_printf(r->arena, "%s|%lld|%s", sort_names[sort],
			(long long)(sort == SORT_BALANCE ? c->balance_minor : c->last_activity_at), c->id);
	size_t n = strlen(raw);
	char *out = arena_alloc(r->arena, n * 2 + 8);
	base64url_encode((const uint8_t *)raw, n, out, n * 2 + 8);
	return out;
}

static int read_cursor(struct req *r, enum customer_sort sort, struct customer_filter *f)
{
	const char *cur = req_query(r, "cursor");
	uint8_t raw[600];
	size_t n;
	if (!cur)
		return 0;
	if (strlen(cur) > 780 || base64url_decode(cur, strlen(cur), raw, sizeof raw - 1, &n) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "cursor", "is not a cursor from this list");
	raw[n] = '\0';
	char *s = arena_strdup(r->arena, (char *)raw);
	char *p1 = strchr(s, '|'), *p2 = p1 ? strrchr(p1 + 1, '|') : NULL;
	if (!p1 || !p2 || p2 == p1)
		return req_fail_field(r, 400, "invalid_parameter", "cursor", "is not a cursor from this list");
	*p1 = *p2 = '\0';
	if (strcmp(s, sort_names[sort]) != 0 || !uuid_valid(p2 + 1))
		return req_fail_field(r, 400, "invalid_parameter", "cursor", "belongs to a different sort order");
	f->after_id = p2 + 1;
	f->after_text = p1 + 1;
	f->after_int = strtoll(p1 + 1, NULL, 10);
	if (sort == SORT_BALANCE || sort == SORT_LAST_ACTIVITY)
		f->after_text = NULL;
	return 0;
}

int h_customers_list(struct req *r)
{
	struct customer_filter f = { .tower = -1, .floor = -1, .has_balance = -1, .overdue = -1,
		.status = "active" };
	struct customer_rec *rows;
	const struct settings_rec *s = api_settings(r);
	int n, limit, b;
	int64_t v;

	if (api_query_limit(r, &limit) < 0)
		return -1;
	f.q = req_query(r, "q");
	if (f.q && strlen(f.q) > 120)
		return req_fail_field(r, 400, "invalid_parameter", "q", "must be at most 120 characters");
	if (f.q && !utf8_valid(f.q, strlen(f.q)))
		return req_fail_field(r, 400, "invalid_parameter", "q", "must be UTF-8 text");
	if (f.q)
		while (*f.q == ' ')
			f.q++;
	if ((b = api_query_int(r, "tower", 1, 99, &v)) < 0)
		return -1;
	if (b)
		f.tower = v;
	if ((b = api_query_int(r, "floor", 0, 99, &v)) < 0)
		return -1;
	if (b)
		f.floor = v;
	const char *st = req_query(r, "status");
	if (st) {
		if (strcmp(st, "all") == 0)
			f.status = NULL;
		else if (!strcmp(st, "active") || !strcmp(st, "archived"))
			f.status = st;
		else
			return req_fail_field(r, 400, "invalid_parameter", "status", "must be active, archived or all");
	}
	if (api_query_bool(r, "has_balance", &f.has_balance) < 0)
		return -1;
	if (api_query_bool(r, "overdue", &f.overdue) < 0)
		return -1;
	const char *sort = req_query(r, "sort");
	f.sort = SORT_NAME;
	if (sort) {
		size_t i;
		for (i = 0; i < 4; i++)
			if (strcmp(sort, sort_names[i]) == 0)
				break;
		if (i == 4)
			return req_fail_field(r, 400, "invalid_parameter", "sort",
				"must be name, balance, apartment or last_activity");
		f.sort = (enum customer_sort)i;
	}
	if (read_cursor(r, f.sort, &f) < 0)
		return -1;
	f.now_ms = clock_now_ms();
	f.limit = limit + 1;
	int rc = store_customer_list(r->tx, &f, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	struct jw w;
	api_list_open(r, &w);
	for (int i = 0; i < n && i < limit; i++) {
		struct aging_result ag;
		if (customer_sums_fit(r, &rows[i], "data[].available_credit_minor") < 0)
			return -1;
		rc = ledger_aging(r->tx, s, &rows[i], f.now_ms, r->arena, &ag);
		if (rc != STORE_OK)
			return aging_fail(r, rc, &rows[i], "data[].aging");
		api_customer_write(&w, &rows[i], s, &ag, f.now_ms);
	}
	return api_list_close(&w, n > limit ? make_cursor(r, f.sort, &rows[limit - 1]) : NULL);
}

/* ---- statement ---- */

static void plain(struct req *r, int64_t minor, char *out, size_t len)
{
	int e = currency_exponent(api_settings(r)->currency);
	money_format_plain(minor, e < 0 ? 2 : e, out, len);
}

static int statement_csv(struct req *r, const struct customer_rec *c, const struct statement *st)
{
	const struct settings_rec *s = api_settings(r);
	char a[40];
	struct buf *b = &r->resp.body;
	r->resp.status = 200;
	r->resp.content_type = "text/csv; charset=utf-8";
	resp_header(r, "Content-Disposition", arena_printf(r->arena,
		"attachment; filename=\"statement-%s-%s.csv\"", st->from, st->to));
	buf_puts(b, "date,type,description,debit,credit,balance,entry_id\r\n");
	csv_plain(b, st->from, 1);
	csv_plain(b, "opening", 0);
	csv_text(b, c->name, 0);
	csv_plain(b, "", 0);
	csv_plain(b, "", 0);
	plain(r, st->opening_minor, a, sizeof a);
	csv_plain(b, a, 0);
	csv_plain(b, "", 0);
	csv_end_row(b);
	for (int k = 0; k < st->count; k++) {
		const struct entry_rec *e = &st->entries[st->first + k];
		int64_t day = 0;
		civil_local_days(e->occurred_at, s->timezone, &day);
		char dd[11];
		civil_format_date(day, dd);
		csv_plain(b, dd, 1);
		csv_plain(b, e->type, 0);
		csv_text(b, e->note && e->note[0] ? e->note : e->reason, 0);
		/* The change from the previous row is the entry's effect. */
		int64_t change = e->effect_minor;
		plain(r, change, a, sizeof a);
		if (change >= 0) {
			csv_plain(b, a, 0);
			csv_plain(b, "", 0);
		} else {
			csv_plain(b, "", 0);
			csv_plain(b, a + 1, 0); /* the amount without its '-' */
		}
		plain(r, st->running[k], a, sizeof a);
		csv_plain(b, a, 0);
		csv_plain(b, e->id, 0);
		csv_end_row(b);
	}
	csv_plain(b, st->to, 1);
	csv_plain(b, "closing", 0);
	csv_plain(b, "", 0);
	csv_plain(b, "", 0);
	csv_plain(b, "", 0);
	plain(r, st->closing_minor, a, sizeof a);
	csv_plain(b, a, 0);
	csv_plain(b, "", 0);
	csv_end_row(b);
	return 0;
}

static int statement_pdf(struct req *r, const struct customer_rec *c, const struct statement *st,
	const struct statement_range *range, const char *lang)
{
	struct buf pdf = BUF_INIT;
	if (api_statement_pdf(r, api_settings(r), r->caller.tenant_name, c, st, range, lang, &pdf) < 0) {
		buf_release(&pdf);
		return -1;
	}
	r->resp.status = 200;
	r->resp.content_type = "application/pdf";
	resp_header(r, "Content-Disposition", arena_printf(r->arena,
		"attachment; filename=\"statement-%s-%s.pdf\"", st->from, st->to));
	buf_append(&r->resp.body, pdf.data, pdf.len);
	buf_release(&pdf);
	return 0;
}

int h_customers_statement(struct req *r)
{
	struct customer_rec c;
	struct statement_range range;
	struct statement st;
	const struct settings_rec *s = api_settings(r);
	int64_t from_day = 0, to_day = 0;

	if (load(r, &c, 0) < 0)
		return -1;
	int hf = api_query_date(r, "from", &from_day);
	int ht = api_query_date(r, "to", &to_day);
	if (hf < 0 || ht < 0)
		return -1;
	const char *format = req_query(r, "format");
	if (format && strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "pdf"))
		return req_fail_field(r, 400, "invalid_parameter", "format", "must be json, csv or pdf");
	const char *lang = req_query(r, "lang");
	if (lang && statement_pdf_lang_valid(lang) != 0)
		return req_fail_field(r, 400, "invalid_parameter", "lang", "must be en or hi");
	if (api_statement_range(r, s, hf, from_day, ht, to_day, &range) < 0)
		return -1;
	if (customer_sums_fit(r, &c, "customer.available_credit_minor") < 0)
		return -1;
	if (api_statement_build(r, s, &c, &range, &st) < 0)
		return -1;
	if (format && strcmp(format, "csv") == 0)
		return statement_csv(r, &c, &st);
	if (format && strcmp(format, "pdf") == 0)
		return statement_pdf(r, &c, &st, &range, lang ? lang : api_statement_lang(s));

	json_t *entries = json_array();
	for (int k = 0; k < st.count; k++) {
		json_t *o = api_entry_json(&st.entries[st.first + k], s);
		json_object_set_new(o, "running_balance_minor", json_integer(st.running[k]));
		json_array_append_new(entries, o);
	}
	json_t *out = json_object();
	json_object_set_new(out, "customer", api_customer_json(&c, s, NULL, clock_now_ms()));
	json_object_set_new(out, "from", json_string(st.from));
	json_object_set_new(out, "to", json_string(st.to));
	json_object_set_new(out, "currency", json_string(s->currency));
	json_object_set_new(out, "opening_balance_minor", json_integer(st.opening_minor));
	json_object_set_new(out, "entries", entries);
	json_object_set_new(out, "closing_balance_minor", json_integer(st.closing_minor));
	json_object_set_new(out, "total_purchases_minor", json_integer(st.purchases_minor));
	json_object_set_new(out, "total_payments_minor", json_integer(st.payments_minor));
	return resp_json(r, 200, out);
}
