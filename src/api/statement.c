/* statement.c — see statement.h. */
#include <string.h>

#include "api/common.h"
#include "api/statement.h"
#include "domain/money.h"
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
