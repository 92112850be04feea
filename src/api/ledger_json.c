/*
 * ledger_json.c — the API's JSON for customers and ledger entries, with
 * the derived fields a person needs (effective limit, available credit,
 * overdue, oldest due date, aging) and times in RFC 3339.
 */
#include <stdlib.h>

#include "api/common.h"
#include "api/ledger_json.h"
#include "core/ledger.h"
#include "util/civil.h"

json_t *api_customer_json(const struct customer_rec *c, const struct settings_rec *s,
	const struct aging_result *aging, int64_t now_ms)
{
	json_t *o = json_object();
	int64_t limit = ledger_credit_limit(c, s);
	int64_t overdue = 0, oldest_due = c->oldest_due_at;
	if (aging) {
		overdue = aging->overdue_minor;
		oldest_due = aging->oldest_due_ms;
	} else if (c->balance_minor > 0 && c->oldest_due_at && c->oldest_due_at <= now_ms) {
		overdue = c->balance_minor;
	}
	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "phone", json_string(c->phone));
	json_object_set_new(o, "apartment", api_str_or_null(c->apartment));
	json_object_set_new(o, "tower", c->apartment ? json_integer(c->tower) : json_null());
	json_object_set_new(o, "floor", c->apartment ? json_integer(c->floor) : json_null());
	json_object_set_new(o, "unit", c->apartment ? json_integer(c->unit) : json_null());
	json_object_set_new(o, "email", api_str_or_null(c->email));
	json_object_set_new(o, "credit_limit_minor", c->has_credit_limit ? json_integer(c->credit_limit_minor) : json_null());
	json_object_set_new(o, "effective_credit_limit_minor", json_integer(limit));
	json_object_set_new(o, "notes", json_string(c->notes ? c->notes : ""));
	json_object_set_new(o, "status", json_string(c->status));
	json_object_set_new(o, "reminders_opt_out", json_boolean(c->reminders_opt_out));
	json_object_set_new(o, "balance_minor", json_integer(c->balance_minor));
	int64_t available;
	json_object_set_new(o, "available_credit_minor", ledger_available_credit(c, s, &available) == 0
		? json_integer(available) : json_null());
	json_object_set_new(o, "overdue_minor", json_integer(overdue));
	if (oldest_due) {
		int64_t day;
		char d[11];
		if (civil_local_days(oldest_due, s->timezone, &day) == 0) {
			civil_format_date(day, d);
			json_object_set_new(o, "oldest_due_date", json_string(d));
		} else {
			json_object_set_new(o, "oldest_due_date", json_null());
		}
	} else {
		json_object_set_new(o, "oldest_due_date", json_null());
	}
	if (aging) {
		json_object_set_new(o, "aging", json_pack("{s:I, s:I, s:I, s:I, s:I}",
			"current_minor", (json_int_t)aging->buckets[AGING_CURRENT],
			"days_1_30_minor", (json_int_t)aging->buckets[AGING_1_30],
			"days_31_60_minor", (json_int_t)aging->buckets[AGING_31_60],
			"days_61_90_minor", (json_int_t)aging->buckets[AGING_61_90],
			"days_90_plus_minor", (json_int_t)aging->buckets[AGING_90_PLUS]));
	}
	json_object_set_new(o, "last_purchase_at", api_time_or_null(c->last_purchase_at));
	json_object_set_new(o, "last_payment_at", api_time_or_null(c->last_payment_at));
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "created_at", api_time_or_null(c->created_at));
	json_object_set_new(o, "updated_at", api_time_or_null(c->updated_at));
	return o;
}

json_t *api_entry_json(const struct entry_rec *e, const struct settings_rec *s)
{
	json_t *o = json_object();
	json_t *items = e->items ? json_loads(e->items, 0, NULL) : NULL;
	json_object_set_new(o, "id", json_string(e->id));
	json_object_set_new(o, "customer_id", json_string(e->customer_id));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "amount_minor", json_integer(e->amount_minor));
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "occurred_at", api_time_or_null(e->occurred_at));
	json_object_set_new(o, "created_at", api_time_or_null(e->created_at));
	json_object_set_new(o, "created_by", api_str_or_null(e->created_by));
	json_object_set_new(o, "note", json_string(e->note ? e->note : ""));
	json_object_set_new(o, "items", items ? items : json_null());
	json_object_set_new(o, "payment_method", api_str_or_null(e->payment_method));
	json_object_set_new(o, "payment_reference", api_str_or_null(e->payment_reference));
	json_object_set_new(o, "reason", api_str_or_null(e->reason));
	json_object_set_new(o, "override", json_boolean(e->override));
	json_object_set_new(o, "override_reason", api_str_or_null(e->override_reason));
	json_object_set_new(o, "reverses_id", api_str_or_null(e->reverses_id));
	json_object_set_new(o, "reversed_by_id", api_str_or_null(e->reversed_by_id));
	json_object_set_new(o, "balance_after_minor", json_integer(e->balance_after_minor));
	return o;
}
