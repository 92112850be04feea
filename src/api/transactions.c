/*
 * transactions.c — ledger entries: record a purchase, payment or
 * adjustment; read and list them; reverse one.  Entries are never updated
 * or deleted: no route exists for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/ledger_json.h"
#include "core/ledger.h"
#include "domain/entry.h"
#include "domain/items.h"
#include "domain/money.h"
#include "domain/role.h"
#include "http/jsonin.h"
#include "util/base64url.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/idtext.h"
#include "util/uuid.h"

static int bad(struct req *r, const char *field, const char *msg)
{
	return req_fail_field(r, 422, "validation_failed", field, msg);
}

/* Validate line items (rules in domain/items.c); returns canonical JSON
 * text (arena) via *out, with quantities as decimal strings.  The items'
 * total must equal amount. */
static int check_items(struct req *r, json_t *items, int64_t amount, char **out)
{
	static const struct jfield item_fields[] = {
		{ "name", JF_STRING, 1, 0, ITEMS_NAME_MAX_CHARS },
		{ "quantity", JF_ANY, 1, 0, 0 },
		{ "unit_price_minor", JF_INTEGER, 1, 0, 0 },
	};
	struct items_error err;
	int64_t total = 0;
	json_t *item, *canon = NULL;
	size_t i;
	char path[32];

	/* Shape first (unknown fields, wrong types) with the API's usual
	 * statuses; then the item rules. */
	if (json_array_size(items) <= ITEMS_MAX) {
		json_array_foreach(items, i, item) {
			snprintf(path, sizeof path, "items[%zu]", i);
			if (jsonin_check(r, item, path, item_fields, 3) < 0)
				return -1;
		}
	}
	if (items_check(items, &total, &canon, &err) < 0)
		return bad(r, err.field, err.message);
	if (total != amount) {
		json_decref(canon);
		req_failf(r, 422, "items_total_mismatch",
			"items add up to %lld minor units but amount_minor is %lld", (long long)total, (long long)amount);
		req_add_field_error(r, "items", "total must equal amount_minor");
		return -1;
	}
	char *text = json_dumps(canon, JSON_COMPACT);
	*out = arena_strdup(r->arena, text);
	free(text);
	json_decref(canon);
	return 0;
}

static int ledger_fail(struct req *r, int rc, const struct limit_refusal *why)
{
	switch (rc) {
	case LEDGER_ARCHIVED:
		return req_fail(r, 409, "customer_archived", "the customer is archived; restore them before recording entries");
	case LEDGER_OVERFLOW:
		return bad(r, "amount_minor", "the balance would overflow");
	case LEDGER_ALREADY_REVERSED:
		return req_fail(r, 409, "already_reversed", "this entry has already been reversed");
	case LEDGER_REVERSE_REVERSAL:
		return req_fail(r, 422, "cannot_reverse_reversal", "a reversal cannot itself be reversed");
	case LEDGER_LIMIT:
		req_failf(r, 422, "credit_limit_exceeded",
			"this purchase would take the balance to %lld, over the credit limit of %lld by %lld",
			(long long)(why->credit_limit_minor + why->shortfall_minor),
			(long long)why->credit_limit_minor, (long long)why->shortfall_minor);
		req_problem_extra(r, "credit_limit_minor", json_integer(why->credit_limit_minor));
		req_problem_extra(r, "balance_minor", json_integer(why->balance_minor));
		req_problem_extra(r, "shortfall_minor", json_integer(why->shortfall_minor));
		req_problem_extra(r, "available_credit_minor", json_integer(why->available_credit_minor));
		req_add_field_error(r, "amount_minor", "exceeds the available credit");
		return -1;
	default:
		return api_store_fail(r, rc, "customer");
	}
}

/* An entry as the response body. */
static int entry_out(struct req *r, int status, const struct entry_rec *e)
{
	struct jw w;
	jw_init(&w, resp_json_buf(r, status));
	api_entry_write(&w, e, api_settings(r));
	return 0;
}

int h_transactions_create(struct req *r)
{
	static const struct jfield fields[] = {
		{ "customer_id", JF_STRING, 1, 0, 36 },
		{ "type", JF_STRING, 1, 0, 16 },
		{ "amount_minor", JF_INTEGER, 1, 0, 0 },
		{ "currency", JF_STRING, 0, 0, 3 },
		{ "occurred_at", JF_STRING, 0, 1, 40 },
		{ "note", JF_STRING, 0, 1, 500 },
		{ "items", JF_ARRAY, 0, 1, 0 },
		{ "payment_method", JF_STRING, 0, 1, 16 },
		{ "payment_reference", JF_STRING, 0, 1, 100 },
		{ "reason", JF_STRING, 0, 1, 500 },
		{ "override", JF_BOOLEAN, 0, 0, 0 },
		{ "override_reason", JF_STRING, 0, 1, 500 },
	};
	const struct settings_rec *s = api_settings(r);
	struct entry_input in = { 0 };
	struct entry_rec e;
	struct limit_refusal why;
	struct entry_refusal why_not;
	int64_t now = clock_now_ms();
	json_t *body = jsonin_object(r, fields, sizeof fields / sizeof fields[0]);
	int rc = -1;

	if (!body)
		return -1;
	in.customer_id = jsonin_str(body, "customer_id", "");
	in.type = jsonin_str(body, "type", "");
	in.amount_minor = jsonin_int(body, "amount_minor", 0);
	in.note = jsonin_str(body, "note", "");
	in.payment_method = jsonin_str(body, "payment_method", NULL);
	in.payment_reference = jsonin_str(body, "payment_reference", NULL);
	in.reason = jsonin_str(body, "reason", NULL);
	in.override = jsonin_bool(body, "override", 0);
	in.override_reason = jsonin_str(body, "override_reason", NULL);
	const char *currency = jsonin_str(body, "currency", NULL);
	const char *occurred = jsonin_str(body, "occurred_at", NULL);

	if (!uuid_valid(in.customer_id)) {
		bad(r, "customer_id", "must be a customer id");
		goto out;
	}
	struct entry_draft d = {
		.type = entry_type_parse(in.type),
		.amount_minor = in.amount_minor,
		.note = in.note,
		.has_items = json_is_array(json_object_get(body, "items")),
		.payment_method = in.payment_method,
		.payment_reference = in.payment_reference,
		.reason = in.reason,
		.override = in.override,
		.override_reason = in.override_reason,
	};
	if (occurred) {
		if (civil_parse_rfc3339(occurred, &d.occurred_at) < 0) {
			bad(r, "occurred_at", "must be an RFC 3339 time such as 2026-11-29T10:30:00Z");
			goto out;
		}
		d.has_occurred_at = 1;
	}
	if (currency && strcmp(currency, s->currency) != 0) {
		bad(r, "currency", arena_printf(r->arena, "must be the store's currency %s", s->currency));
		goto out;
	}
	if (entry_check(&d, role_parse(r->caller.role), now, &why_not) < 0) {
		req_fail_field(r, why_not.status, why_not.status == 403 ? "forbidden" : "validation_failed",
			why_not.field, why_not.detail);
		goto out;
	}
	in.type = entry_type_name(d.type);
	in.occurred_at = d.occurred_at;
	in.payment_method = d.payment_method;
	json_t *items = json_object_get(body, "items");
	if (json_is_array(items)) {
		char *items_json = NULL;
		if (check_items(r, items, in.amount_minor, &items_json) < 0)
			goto out;
		in.items_json = items_json;
	}
	rc = ledger_record(r->tx, s, &in, now, r->arena, &e, &why);
	if (rc != STORE_OK) {
		rc = ledger_fail(r, rc, &why);
		goto out;
	}
	rc = entry_out(r, 201, &e);
out:
	json_decref(body);
	return rc;
}

int h_transactions_get(struct req *r)
{
	struct entry_rec e;
	const char *id = req_param(r, "id");
	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "transaction not found");
	int rc = store_entry_get(r->tx, id, r->arena, &e);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "transaction");
	return entry_out(r, 200, &e);
}

int h_transactions_reverse(struct req *r)
{
	static const struct jfield fields[] = {
		{ "reason", JF_STRING, 1, 0, 500 },
	};
	struct entry_rec e;
	const char *id = req_param(r, "id");
	json_t *body = jsonin_object(r, fields, 1);
	int rc;

	if (!body)
		return -1;
	const char *reason = arena_strdup(r->arena, jsonin_str(body, "reason", ""));
	json_decref(body);
	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "transaction not found");
	if (!reason[0])
		return bad(r, "reason", "is required");
	rc = ledger_reverse(r->tx, api_settings(r), id, reason, clock_now_ms(), r->arena, &e);
	if (rc != STORE_OK) {
		if (rc == STORE_NOT_FOUND)
			return req_fail(r, 404, "not_found", "transaction not found");
		return ledger_fail(r, rc, NULL);
	}
	return entry_out(r, 201, &e);
}

int h_transactions_list(struct req *r)
{
	struct entry_filter f = { 0 };
	const struct settings_rec *s = api_settings(r);
	struct entry_rec *rows;
	int n, limit;

	if (api_query_limit(r, &limit) < 0)
		return -1;
	f.customer_id = req_query(r, "customer_id");
	if (f.customer_id && !uuid_valid(f.customer_id))
		return req_fail_field(r, 400, "invalid_parameter", "customer_id", "must be a customer id");
	f.type = req_query(r, "type");
	if (f.type && entry_type_parse(f.type) == ENTRY_NONE)
		return req_fail_field(r, 400, "invalid_parameter", "type", "must be purchase, payment, adjustment or reversal");
	if (api_query_local_range(r, s->timezone, &f.from_ms, &f.to_ms) < 0)
		return -1;
	if (api_keyset_cursor(r, &f.after_occurred, &f.after_id) < 0)
		return -1;
	f.limit = limit + 1;
	int rc = store_entry_list(r->tx, &f, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	struct jw w;
	api_list_open(r, &w);
	for (int i = 0; i < n && i < limit; i++)
		api_entry_write(&w, &rows[i], s);
	const char *next = n > limit ? api_keyset_next(r, rows[limit - 1].occurred_at, rows[limit - 1].id) : NULL;
	return api_list_close(&w, next);
}
