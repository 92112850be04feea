/* statement.c — see statement.h. */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/statement.h"
#include "domain/aging.h"
#include "domain/entry.h"
#include "domain/money.h"
#include "domain/upi.h"
#include "pdf/statement_pdf.h"
#include "util/civil.h"
#include "util/clock.h"

int api_statement_range(struct req *r, const struct settings_rec *s, int has_from, int64_t from_day,
	int has_to, int64_t to_day, struct statement_range *out)
{
	int64_t today;
	memset(out, 0, sizeof *out);
	out->from_ms = INT64_MIN;
	out->to_ms = INT64_MAX;
	if (civil_local_days(clock_now_ms(), s->timezone, &today) < 0)
		today = clock_now_ms() / 86400000;
	if (!has_to)
		to_day = today;
	if (has_from && from_day > to_day)
		return req_fail_field(r, 400, "invalid_parameter", "from", "must not be after to");
	if (has_from && civil_local_midnight_ms(from_day, s->timezone, &out->from_ms) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "from", "is out of range");
	if (civil_local_midnight_ms(to_day + 1, s->timezone, &out->to_ms) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "to", "is out of range");
	out->has_from = has_from;
	out->from_day = from_day;
	out->to_day = to_day;
	return 0;
}

/* Type of the entry `id` among the customer's entries, or NULL. */
static const char *reversed_type(const struct entry_rec *e, int n, const char *id)
{
	for (int k = 0; k < n; k++)
		if (strcmp(e[k].id, id) == 0)
			return e[k].type;
	return NULL;
}

int api_statement_build(struct req *r, const struct settings_rec *s, const struct customer_rec *c,
	const struct statement_range *range, struct statement *out)
{
	struct entry_rec *e;
	int n;

	memset(out, 0, sizeof *out);
	int rc = store_entry_all_for_customer(r->tx, c->id, r->arena, &e, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);

	int64_t from_day = range->from_day, opening = 0, running, purchases = 0, payments = 0;
	int i = 0;
	for (; i < n && e[i].occurred_at < range->from_ms; i++) {
		if (money_add(opening, e[i].effect_minor, &opening) < 0) {
			char fd[11];
			civil_format_date(from_day, fd);
			return api_overflow(r, arena_printf(r->arena, "the opening balance of customer %s "
				"on %s", c->id, fd), "opening_balance_minor", NULL);
		}
	}
	out->first = i;
	if (!range->has_from) {
		int64_t first = n ? e[0].occurred_at : clock_now_ms();
		if (civil_local_days(first, s->timezone, &from_day) < 0)
			from_day = first / 86400000;
	}
	civil_format_date(from_day, out->from);
	civil_format_date(range->to_day, out->to);
	int end = i;
	while (end < n && e[end].occurred_at < range->to_ms)
		end++;
	out->running = arena_alloc(r->arena, sizeof *out->running * (size_t)(end - i + 1));
	running = opening;
	for (; i < end; i++) {
		if (money_add(running, e[i].effect_minor, &running) < 0)
			return api_overflow(r, arena_printf(r->arena, "the running balance of customer %s "
				"at entry %s", c->id, e[i].id), "entries[].running_balance_minor", NULL);
		const char *type = e[i].type;
		int reversal = 0;
		if (strcmp(type, "reversal") == 0 && e[i].reverses_id) {
			type = reversed_type(e, n, e[i].reverses_id);
			reversal = 1;
		}
		int64_t *total = NULL;
		const char *total_name = NULL;
		if (type && strcmp(type, "purchase") == 0) {
			total = &purchases;
			total_name = "purchases";
		} else if (type && strcmp(type, "payment") == 0) {
			total = &payments;
			total_name = "payments";
		}
		if (total && (reversal ? money_sub(*total, e[i].amount_minor, total)
				       : money_add(*total, e[i].amount_minor, total)) < 0)
			return api_overflow(r, arena_printf(r->arena, "the total %s of customer %s from %s to %s",
				total_name, c->id, out->from, out->to), total == &purchases ? "total_purchases_minor"
				: "total_payments_minor", NULL);
		out->running[i - out->first] = running;
	}
	out->entries = e;
	out->nentries = n;
	out->count = end - out->first;
	out->opening_minor = opening;
	out->closing_minor = running;
	out->purchases_minor = purchases;
	out->payments_minor = payments;
	return 0;
}

/* ---- what an entry was, and the PDF ---- */

static const char *method_label(const char *m, int hi)
{
	static const char *const names[][3] = {
		{ "cash", "Cash", "नकद" }, { "upi", "UPI", "UPI" }, { "card", "Card", "कार्ड" },
		{ "bank", "Bank transfer", "बैंक ट्रांसफ़र" }, { "other", "Other", "अन्य" },
	};
	for (size_t i = 0; m && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(m, names[i][0]) == 0)
			return names[i][hi ? 2 : 1];
	return m;
}

/* What an entry was, for the customer: its note, else its items, else the
 * way it was paid or the reason given; "" when there is nothing. */
const char *api_entry_description(struct req *r, const struct entry_rec *e, const char *lang)
{
	int hi = lang && strcmp(lang, "hi") == 0;
	if (e->note && e->note[0])
		return e->note;
	if (e->items) {
		json_t *items = json_loads(e->items, 0, NULL);
		struct buf b = BUF_INIT;
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it) {
			const char *name = json_string_value(json_object_get(it, "name"));
			json_t *q = json_object_get(it, "quantity");
			if (!name)
				continue;
			if (b.len)
				buf_puts(&b, ", ");
			buf_puts(&b, name);
			if (json_is_string(q))
				buf_printf(&b, " × %s", json_string_value(q));
			else if (json_is_integer(q))
				buf_printf(&b, " × %lld", (long long)json_integer_value(q));
		}
		json_decref(items);
		if (b.len) {
			const char *out = arena_strdup(r->arena, buf_cstr(&b));
			buf_release(&b);
			return out;
		}
		buf_release(&b);
	}
	if (strcmp(e->type, "payment") == 0 && e->payment_method)
		return method_label(e->payment_method, hi);
	if (e->reason && e->reason[0])
		return e->reason;
	return "";
}

static int64_t local_day(const struct settings_rec *s, int64_t ms)
{
	int64_t day;
	if (civil_local_days(ms, s->timezone, &day) < 0)
		day = ms / 86400000;
	return day;
}

/* The aging of the balance at the end of the period: the entries up to
 * its end, aged at that end (or now, when the period runs to today). */
static int period_aging(const struct settings_rec *s, const struct statement *st, int64_t at_ms,
	struct aging_result *out)
{
	int n = st->first + st->count;
	struct aging_entry *ae = calloc((size_t)(n ? n : 1), sizeof *ae);
	if (!ae)
		abort();
	for (int i = 0; i < n; i++) {
		const struct entry_rec *e = &st->entries[i];
		enum entry_type type = entry_type_parse(e->type);
		ae[i].id = e->id;
		ae[i].type = type == ENTRY_NONE ? ENTRY_REVERSAL : type;
		ae[i].occurred_at_ms = e->occurred_at;
		ae[i].effect_minor = e->effect_minor;
		ae[i].reverses_id = e->reverses_id;
	}
	int rc = aging_compute(ae, (size_t)n, (int)s->credit_period_days, at_ms, out);
	free(ae);
	return rc;
}

const char *api_statement_lang(const struct settings_rec *s)
{
	const char *l = s->locale;
	return l && l[0] == 'h' && l[1] == 'i' && (l[2] == '\0' || l[2] == '-' || l[2] == '_') ? "hi" : "en";
}

int api_statement_pdf(struct req *r, const struct settings_rec *s, const char *store_name,
	const struct customer_rec *c, const struct statement *st, const struct statement_range *range,
	const char *lang, struct buf *out)
{
	struct statement_pdf p = { 0 };
	int shown = st->count > STATEMENT_PDF_MAX_ENTRIES ? st->count - STATEMENT_PDF_MAX_ENTRIES : 0;
	int n = st->count - shown;
	struct statement_pdf_entry *rows = arena_alloc(r->arena, sizeof *rows * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		const struct entry_rec *e = &st->entries[st->first + shown + i];
		rows[i].day = local_day(s, e->occurred_at);
		rows[i].type = e->type;
		rows[i].description = api_entry_description(r, e, lang);
		rows[i].change_minor = e->effect_minor;
		rows[i].balance_minor = st->running[shown + i];
		rows[i].reversed = e->reversed_by_id != NULL;
	}
	int64_t now = clock_now_ms();
	int64_t to_day = range->to_day, from_day = range->from_day;
	if (civil_parse_date(st->to, &to_day) < 0)
		to_day = local_day(s, now);
	if (civil_parse_date(st->from, &from_day) < 0)
		from_day = to_day;
	struct aging_result ag;
	int64_t at = range->to_ms - 1 < now ? range->to_ms - 1 : now;
	p.has_aging = period_aging(s, st, at, &ag) == 0;
	if (p.has_aging)
		memcpy(p.aging, ag.buckets, sizeof p.aging);
	char *link = arena_alloc(r->arena, UPI_LINK_MAX);
	/* The link the reminders send, for the closing balance. */
	if (upi_link(s->upi_id, store_name, st->closing_minor, s->currency, "Payment", link, UPI_LINK_MAX) == 0) {
		p.upi_link = link;
		p.upi_id = s->upi_id;
	}
	p.lang = lang;
	p.currency = s->currency;
	p.locale = s->locale;
	p.store_name = store_name;
	p.store_address = s->address;
	p.customer_name = c->name;
	p.apartment = c->apartment;
	p.from_day = from_day;
	p.to_day = to_day;
	p.issued_day = local_day(s, now);
	p.opening_minor = st->opening_minor;
	p.closing_minor = st->closing_minor;
	p.purchases_minor = st->purchases_minor;
	p.payments_minor = st->payments_minor;
	p.left_out = shown;
	p.left_out_balance_minor = shown ? st->running[shown - 1] : st->opening_minor;
	p.entries = rows;
	p.nentries = n;
	if (statement_pdf_render(&p, out) < 0)
		return req_fail(r, 500, "internal_error", "the statement could not be drawn");
	return 0;
}
