/*
 * apartments.c — building records by apartment number (TTFFU), with the
 * customers who live there and what they owe.
 */
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/audit_payload.h"
#include "core/ledger.h"
#include "domain/apartment.h"
#include "domain/money.h"
#include "http/jsonin.h"
#include "store/store_apartments.h"
#include "util/clock.h"
#include "util/idtext.h"

static const struct jfield apartment_fields[] = {
	{ "number", JF_STRING, 0, 0, 5 },
	{ "occupant_name", JF_STRING, 0, 0, 120 },
	{ "occupancy", JF_STRING, 0, 0, 10 },
	{ "notes", JF_STRING, 0, 0, 1000 },
};

/* The record with its customers and what they owe together, or NULL with a
 * 422 amount_overflow recorded when that total does not fit int64. */
static json_t *apartment_json(struct req *r, const struct apartment_rec *ap)
{
	struct customer_rec *cs;
	int n = 0;
	int64_t owed = 0;
	json_t *o = json_object();
	json_object_set_new(o, "number", json_string(ap->number));
	json_object_set_new(o, "tower", json_integer(ap->tower));
	json_object_set_new(o, "floor", json_integer(ap->floor));
	json_object_set_new(o, "unit", json_integer(ap->unit));
	json_object_set_new(o, "occupant_name", json_string(ap->occupant_name ? ap->occupant_name : ""));
	json_object_set_new(o, "occupancy", json_string(ap->occupancy ? ap->occupancy : "vacant"));
	json_object_set_new(o, "notes", json_string(ap->notes ? ap->notes : ""));
	json_t *list = json_array();
	if (store_customers_in_apartment(r->tx, ap->number, r->arena, &cs, &n) == STORE_OK) {
		for (int i = 0; i < n; i++) {
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", cs[i].id,
				"name", cs[i].name, "phone", cs[i].phone,
				"balance_minor", (json_int_t)cs[i].balance_minor, "status", cs[i].status));
			if (money_add(owed, cs[i].balance_minor, &owed) < 0) {
				json_decref(list);
				json_decref(o);
				api_overflow(r, arena_printf(r->arena, "the balance of apartment %s "
					"(its customers' balances together)", ap->number), "balance_minor", NULL);
				return NULL;
			}
		}
	}
	json_object_set_new(o, "customers", list);
	json_object_set_new(o, "balance_minor", json_integer(owed));
	json_object_set_new(o, "currency", json_string(api_settings(r)->currency));
	json_object_set_new(o, "created_at", api_time_or_null(ap->created_at));
	json_object_set_new(o, "updated_at", api_time_or_null(ap->updated_at));
	return o;
}

static int parse_number(struct req *r, const char *field, const char *s, struct apartment_number *an)
{
	char err[200];
	const struct settings_rec *st = api_settings(r);
	struct building_layout l = { (int)st->building_towers, (int)st->building_floors, (int)st->building_units };
	if (apartment_parse(s, &l, an, err, sizeof err) < 0)
		return req_fail_field(r, 422, "validation_failed", field, err);
	return 0;
}

static int apply(struct req *r, json_t *body, struct apartment_rec *ap)
{
	const char *v;
	if ((v = jsonin_str(body, "occupant_name", NULL))) {
		if (text_has_control_chars(v))
			return req_fail_field(r, 422, "validation_failed", "occupant_name", "must not contain control characters");
		ap->occupant_name = arena_strdup(r->arena, v);
	}
	if ((v = jsonin_str(body, "occupancy", NULL))) {
		if (strcmp(v, "owner") && strcmp(v, "tenant") && strcmp(v, "vacant"))
			return req_fail_field(r, 422, "validation_failed", "occupancy", "must be owner, tenant or vacant");
		ap->occupancy = arena_strdup(r->arena, v);
	}
	if ((v = jsonin_str(body, "notes", NULL)))
		ap->notes = arena_strdup(r->arena, v);
	return 0;
}

int h_apartments_create(struct req *r)
{
	struct apartment_rec ap = { 0 };
	struct apartment_number an;
	json_t *body = jsonin_object(r, apartment_fields, 4);
	int rc = -1;

	if (!body)
		return -1;
	if (!jsonin_has(body, "number")) {
		req_fail_field(r, 422, "validation_failed", "number", "is required");
		goto out;
	}
	if (parse_number(r, "number", jsonin_str(body, "number", ""), &an) < 0)
		goto out;
	ap.number = arena_strdup(r->arena, an.text);
	ap.tower = an.tower;
	ap.floor = an.floor;
	ap.unit = an.unit;
	ap.occupant_name = arena_strdup(r->arena, "");
	ap.occupancy = arena_strdup(r->arena, "vacant");
	ap.notes = arena_strdup(r->arena, "");
	if (apply(r, body, &ap) < 0)
		goto out;
	rc = store_apartment_insert(r->tx, &ap);
	if (rc == STORE_CONFLICT) {
		rc = req_fail_field(r, 409, "apartment_exists", "number", "a record for this apartment already exists");
		goto out;
	}
	if (rc == STORE_OK)
		rc = store_apartment_get(r->tx, ap.number, r->arena, &ap);
	json_t *payload = rc == STORE_OK ? audit_payload_apartment(&ap) : NULL;
	if (rc == STORE_OK)
		rc = store_audit(r->tx, "apartment.created", "apartment", ap.number, NULL, payload);
	json_decref(payload);
	json_t *after = rc == STORE_OK ? apartment_json(r, &ap) : NULL;
	if (rc == STORE_OK && !after) {
		rc = -1;
		goto out;
	}
	if (rc != STORE_OK) {
		json_decref(after);
		rc = api_store_fail(r, rc, "apartment");
		goto out;
	}
	rc = resp_json(r, 201, after);
out:
	json_decref(body);
	return rc;
}

int h_apartments_get(struct req *r)
{
	struct apartment_rec ap;
	struct apartment_number an;
	const char *number = req_param(r, "number");
	if (apartment_parse(number, NULL, &an, NULL, 0) < 0)
		return req_fail(r, 404, "not_found", "apartment not found");
	int rc = store_apartment_get(r->tx, an.text, r->arena, &ap);
	if (rc == STORE_NOT_FOUND) {
		/* No building record yet: still show who lives there, if anyone. */
		struct customer_rec *cs;
		int n = 0;
		rc = store_customers_in_apartment(r->tx, an.text, r->arena, &cs, &n);
		if (rc != STORE_OK)
			return api_store_fail(r, rc, NULL);
		if (n == 0)
			return req_fail(r, 404, "not_found", "apartment not found");
		memset(&ap, 0, sizeof ap);
		ap.number = arena_strdup(r->arena, an.text);
		ap.tower = an.tower;
		ap.floor = an.floor;
		ap.unit = an.unit;
	} else if (rc != STORE_OK) {
		return api_store_fail(r, rc, "apartment");
	}
	json_t *o = apartment_json(r, &ap);
	return o ? resp_json(r, 200, o) : -1;
}

int h_apartments_update(struct req *r)
{
	struct apartment_rec ap;
	struct apartment_number an;
	json_t *body = jsonin_object(r, apartment_fields, 4);
	json_t *before = NULL, *after = NULL;
	int rc = -1, created = 0;

	if (!body)
		return -1;
	if (jsonin_has(body, "number")) {
		req_fail_field(r, 422, "validation_failed", "number", "cannot be changed");
		goto out;
	}
	if (parse_number(r, "number", req_param(r, "number"), &an) < 0)
		goto out;
	rc = store_apartment_get(r->tx, an.text, r->arena, &ap);
	if (rc == STORE_NOT_FOUND) {
		/* PATCH creates the building record on first edit. */
		memset(&ap, 0, sizeof ap);
		ap.number = arena_strdup(r->arena, an.text);
		ap.tower = an.tower;
		ap.floor = an.floor;
		ap.unit = an.unit;
		ap.occupant_name = arena_strdup(r->arena, "");
		ap.occupancy = arena_strdup(r->arena, "vacant");
		ap.notes = arena_strdup(r->arena, "");
		created = 1;
	} else if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "apartment");
		goto out;
	} else {
		before = audit_payload_apartment(&ap);
	}
	rc = -1;
	if (apply(r, body, &ap) < 0)
		goto out;
	rc = created ? store_apartment_insert(r->tx, &ap) : store_apartment_update(r->tx, &ap);
	if (rc == STORE_OK)
		rc = store_apartment_get(r->tx, ap.number, r->arena, &ap);
	if (rc == STORE_OK) {
		json_t *payload = audit_payload_apartment(&ap);
		rc = store_audit(r->tx, created ? "apartment.created" : "apartment.updated", "apartment",
			ap.number, before, payload);
		json_decref(payload);
	}
	if (rc == STORE_OK && !(after = apartment_json(r, &ap))) {
		rc = -1;
		goto out;
	}
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "apartment");
		goto out;
	}
	rc = resp_json(r, 200, json_incref(after));
out:
	json_decref(before);
	json_decref(after);
	json_decref(body);
	return rc;
}

int h_apartments_list(struct req *r)
{
	struct apartment_rec *rows;
	int64_t tower = -1, floor = -1;
	int n, limit;

	if (api_query_limit(r, &limit) < 0)
		return -1;
	if (api_query_int(r, "tower", 1, 99, &tower) < 0 || api_query_int(r, "floor", 0, 99, &floor) < 0)
		return -1;
	const char *cursor = req_query(r, "cursor");
	struct apartment_number an;
	if (cursor && apartment_parse(cursor, NULL, &an, NULL, 0) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "cursor", "is not a cursor from this list");
	int rc = store_apartment_list(r->tx, tower, floor, cursor, limit + 1, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *data = json_array();
	for (int i = 0; i < n && i < limit; i++) {
		json_t *o = apartment_json(r, &rows[i]);
		if (!o) {
			json_decref(data);
			return -1;
		}
		json_array_append_new(data, o);
	}
	return api_list(r, data, n > limit ? rows[limit - 1].number : NULL);
}
