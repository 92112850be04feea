/*
 * ledger_json.c — the API's JSON for customers and ledger entries, with
 * the derived fields a person needs (effective limit, available credit,
 * overdue, oldest due date, aging) and times in RFC 3339.
 *
 * Written straight into a buffer (util/jsonw.h): these are the bodies of
 * the busiest routes.  The json_t forms, for the few places that embed
 * one in a tree of their own, are parsed from the same text, so there is
 * one definition of each shape.
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/ledger_json.h"
#include "core/ledger.h"
#include "util/civil.h"

static void time_or_null(struct jw *w, const char *key, int64_t unix_ms)
{
	jw_key(w, key);
	if (!unix_ms) {
		jw_null(w);
		return;
	}
	char t[CIVIL_RFC3339_LEN];
	civil_format_rfc3339(unix_ms, t);
	jw_str(w, t);
}

static void str_key(struct jw *w, const char *key, const char *v)
{
	jw_key(w, key);
	jw_str(w, v);
}

static void int_key(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void api_customer_write(struct jw *w, const struct customer_rec *c, const struct settings_rec *s,
	const struct aging_result *aging, int64_t now_ms)
{
	int64_t limit = ledger_credit_limit(c, s);
	int64_t overdue = 0, oldest_due = c->oldest_due_at;
	if (aging) {
		overdue = aging->overdue_minor;
		oldest_due = aging->oldest_due_ms;
	} else if (c->balance_minor > 0 && c->oldest_due_at && c->oldest_due_at <= now_ms) {
		overdue = c->balance_minor;
	}
	jw_obj(w);
	str_key(w, "id", c->id);
	str_key(w, "name", c->name);
	str_key(w, "phone", c->phone);
	str_key(w, "apartment", c->apartment);
	jw_key(w, "tower");
	c->apartment ? jw_int(w, c->tower) : jw_null(w);
	jw_key(w, "floor");
	c->apartment ? jw_int(w, c->floor) : jw_null(w);
	jw_key(w, "unit");
	c->apartment ? jw_int(w, c->unit) : jw_null(w);
	str_key(w, "email", c->email);
	jw_key(w, "credit_limit_minor");
	c->has_credit_limit ? jw_int(w, c->credit_limit_minor) : jw_null(w);
	int_key(w, "effective_credit_limit_minor", limit);
	str_key(w, "notes", c->notes ? c->notes : "");
	str_key(w, "status", c->status);
	jw_key(w, "reminders_opt_out");
	jw_bool(w, c->reminders_opt_out);
	int_key(w, "balance_minor", c->balance_minor);
	int64_t available;
	jw_key(w, "available_credit_minor");
	ledger_available_credit(c, s, &available) == 0 ? jw_int(w, available) : jw_null(w);
	int_key(w, "overdue_minor", overdue);
	jw_key(w, "oldest_due_date");
	int64_t day;
	if (oldest_due && civil_local_days(oldest_due, s->timezone, &day) == 0) {
		char d[11];
		civil_format_date(day, d);
		jw_str(w, d);
	} else {
		jw_null(w);
	}
	if (aging) {
		jw_key(w, "aging");
		jw_obj(w);
		int_key(w, "current_minor", aging->buckets[AGING_CURRENT]);
		int_key(w, "days_1_30_minor", aging->buckets[AGING_1_30]);
		int_key(w, "days_31_60_minor", aging->buckets[AGING_31_60]);
		int_key(w, "days_61_90_minor", aging->buckets[AGING_61_90]);
		int_key(w, "days_90_plus_minor", aging->buckets[AGING_90_PLUS]);
		jw_end(w);
	}
	time_or_null(w, "last_purchase_at", c->last_purchase_at);
	time_or_null(w, "last_payment_at", c->last_payment_at);
	str_key(w, "currency", s->currency);
	time_or_null(w, "created_at", c->created_at);
	time_or_null(w, "updated_at", c->updated_at);
	jw_end(w);
}

void api_entry_write(struct jw *w, const struct entry_rec *e, const struct settings_rec *s)
{
	jw_obj(w);
	str_key(w, "id", e->id);
	str_key(w, "customer_id", e->customer_id);
	str_key(w, "type", e->type);
	int_key(w, "amount_minor", e->amount_minor);
	str_key(w, "currency", s->currency);
	time_or_null(w, "occurred_at", e->occurred_at);
	time_or_null(w, "created_at", e->created_at);
	str_key(w, "created_by", e->created_by);
	str_key(w, "note", e->note ? e->note : "");
	/* Stored as json_dumps(JSON_COMPACT) wrote it when it was checked
	 * (api/transactions.c check_items, the import): already compact JSON. */
	jw_key(w, "items");
	if (e->items && e->items[0])
		jw_raw(w, e->items, strlen(e->items));
	else
		jw_null(w);
	str_key(w, "payment_method", e->payment_method);
	str_key(w, "payment_reference", e->payment_reference);
	str_key(w, "reason", e->reason);
	jw_key(w, "override");
	jw_bool(w, e->override);
	str_key(w, "override_reason", e->override_reason);
	str_key(w, "reverses_id", e->reverses_id);
	str_key(w, "reversed_by_id", e->reversed_by_id);
	int_key(w, "balance_after_minor", e->balance_after_minor);
	jw_end(w);
}

/* The json_t of what a writer wrote. */
static json_t *parsed(struct buf *b)
{
	json_t *o = json_loadb(b->data, b->len, 0, NULL);
	buf_release(b);
	if (!o)
		abort();   /* the writer writes valid JSON: a bug, not input */
	return o;
}

json_t *api_customer_json(const struct customer_rec *c, const struct settings_rec *s,
	const struct aging_result *aging, int64_t now_ms)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	api_customer_write(&w, c, s, aging, now_ms);
	return parsed(&b);
}

json_t *api_entry_json(const struct entry_rec *e, const struct settings_rec *s)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	api_entry_write(&w, e, s);
	return parsed(&b);
}
