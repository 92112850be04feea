/*
 * postgrest.c — /rest/v1, a PostgREST subset over the store's resources
 * (customers, transactions, apartment_records, reminders, tenants) and a
 * few RPCs, translated into the /api/v1 handlers (compat.h).
 *
 * Reads page through the /api/v1 list handler in the request's one
 * transaction (so RLS, the tenant and the role are those of /api/v1) and
 * then filter, order, count and cut the rows here (pgrst_filter.h).  A
 * read stops early when the order asked for is the list's own and no
 * exact count is wanted; it refuses a store with more than COMPAT_MAX_SCAN
 * rows of one resource rather than read without bound.  Writes call the
 * create, update and archive handlers once per row, all in one
 * transaction: all rows or none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/handlers.h"
#include "compat/compat.h"
#include "compat/pgrst_filter.h"
#include "util/csv.h"
#include "util/uuid.h"

#define COMPAT_MAX_SCAN 20000
#define COMPAT_PAGE "200"
#define COMPAT_MAX_WRITE_ROWS 200

/* ---- the resources' whitelists ---- */

static const struct pgrst_column customer_cols[] = {
	{ "id", PGRST_TEXT }, { "name", PGRST_TEXT }, { "phone", PGRST_TEXT },
	{ "apartment", PGRST_TEXT }, { "tower", PGRST_INT }, { "floor", PGRST_INT },
	{ "unit", PGRST_INT }, { "email", PGRST_TEXT }, { "credit_limit_minor", PGRST_INT },
	{ "effective_credit_limit_minor", PGRST_INT }, { "notes", PGRST_TEXT },
	{ "status", PGRST_TEXT }, { "reminders_opt_out", PGRST_BOOL },
	{ "balance_minor", PGRST_INT }, { "available_credit_minor", PGRST_INT },
	{ "overdue_minor", PGRST_INT }, { "oldest_due_date", PGRST_TEXT }, { "aging", PGRST_JSON },
	{ "last_purchase_at", PGRST_TIME }, { "last_payment_at", PGRST_TIME },
	{ "currency", PGRST_TEXT }, { "created_at", PGRST_TIME }, { "updated_at", PGRST_TIME },
};

static const struct pgrst_resource customers_res = {
	"customers", customer_cols, sizeof customer_cols / sizeof customer_cols[0], NULL, 0,
};

static const struct pgrst_column entry_cols[] = {
	{ "id", PGRST_TEXT }, { "customer_id", PGRST_TEXT }, { "type", PGRST_TEXT },
	{ "amount_minor", PGRST_INT }, { "currency", PGRST_TEXT }, { "occurred_at", PGRST_TIME },
	{ "created_at", PGRST_TIME }, { "created_by", PGRST_TEXT }, { "note", PGRST_TEXT },
	{ "items", PGRST_JSON }, { "payment_method", PGRST_TEXT },
	{ "payment_reference", PGRST_TEXT }, { "reason", PGRST_TEXT }, { "override", PGRST_BOOL },
	{ "override_reason", PGRST_TEXT }, { "reverses_id", PGRST_TEXT },
	{ "reversed_by_id", PGRST_TEXT }, { "balance_after_minor", PGRST_INT },
};

static const struct pgrst_link to_customer[] = {
	{ "customers", "customer_id", &customers_res },
	{ "customer", "customer_id", &customers_res },
};

static const struct pgrst_resource transactions_res = {
	"transactions", entry_cols, sizeof entry_cols / sizeof entry_cols[0], to_customer, 2,
};

static const struct pgrst_column apartment_cols[] = {
	{ "number", PGRST_TEXT }, { "tower", PGRST_INT }, { "floor", PGRST_INT },
	{ "unit", PGRST_INT }, { "occupant_name", PGRST_TEXT }, { "occupancy", PGRST_TEXT },
	{ "notes", PGRST_TEXT }, { "customers", PGRST_JSON }, { "balance_minor", PGRST_INT },
	{ "currency", PGRST_TEXT }, { "created_at", PGRST_TIME }, { "updated_at", PGRST_TIME },
};

static const struct pgrst_resource apartments_res = {
	"apartment_records", apartment_cols, sizeof apartment_cols / sizeof apartment_cols[0], NULL, 0,
};

static const struct pgrst_column reminder_cols[] = {
	{ "id", PGRST_TEXT }, { "customer_id", PGRST_TEXT }, { "kind", PGRST_TEXT },
	{ "trigger", PGRST_TEXT }, { "channel", PGRST_TEXT }, { "status", PGRST_TEXT },
	{ "message", PGRST_TEXT }, { "balance_minor", PGRST_INT }, { "overdue_minor", PGRST_INT },
	{ "currency", PGRST_TEXT }, { "link", PGRST_TEXT }, { "entry_id", PGRST_TEXT },
	{ "provider_message_id", PGRST_TEXT }, { "error_code", PGRST_TEXT },
	{ "error_message", PGRST_TEXT }, { "created_by", PGRST_TEXT },
	{ "created_at", PGRST_TIME }, { "updated_at", PGRST_TIME },
};

static const struct pgrst_resource reminders_res = {
	"reminders", reminder_cols, sizeof reminder_cols / sizeof reminder_cols[0], to_customer, 2,
};

static const struct pgrst_column tenant_cols[] = {
	{ "id", PGRST_TEXT }, { "slug", PGRST_TEXT }, { "name", PGRST_TEXT },
	{ "status", PGRST_TEXT }, { "plan", PGRST_TEXT }, { "features", PGRST_JSON },
	{ "currency", PGRST_TEXT }, { "locale", PGRST_TEXT }, { "timezone", PGRST_TEXT },
	{ "phone_country", PGRST_TEXT },
};

static const struct pgrst_resource tenants_res = {
	"tenants", tenant_cols, sizeof tenant_cols / sizeof tenant_cols[0], NULL, 0,
};

enum resource_id { RES_CUSTOMERS, RES_TRANSACTIONS, RES_APARTMENTS, RES_REMINDERS, RES_TENANTS };

/* How one resource is read through /api/v1: the list route and handler,
 * the list's own order (a read in that order may stop early). */
struct resource_map {
	const char *name;
	const struct pgrst_resource *res;
	const char *list_pattern;
	route_handler list;
	const char *native_column;
	int native_desc;
};

static const struct resource_map resources[] = {
	[RES_CUSTOMERS] = { "customers", &customers_res, "/api/v1/customers", h_customers_list, "name", 0 },
	[RES_TRANSACTIONS] = { "transactions", &transactions_res, "/api/v1/transactions", h_transactions_list,
		"occurred_at", 1 },
	[RES_APARTMENTS] = { "apartment_records", &apartments_res, "/api/v1/apartments", h_apartments_list,
		"number", 0 },
	[RES_REMINDERS] = { "reminders", &reminders_res, "/api/v1/reminders", h_reminders_list, "created_at", 1 },
	[RES_TENANTS] = { "tenants", &tenants_res, "/api/v1/tenant", h_tenant_discover, NULL, 0 },
};
#define NRESOURCES (sizeof resources / sizeof resources[0])

/* ---- one request's state ---- */

enum accept { ACCEPT_ARRAY, ACCEPT_OBJECT, ACCEPT_CSV };

struct rest {
	enum resource_id rid;
	const struct resource_map *map;
	struct pgrst_query *q;
	struct compat_key key;
	enum accept accept;
	int strip_nulls;
	int want_representation;   /* Prefer: return=representation */
	int want_count;            /* Prefer: count=exact|planned|estimated */
	int64_t range_start, range_end;  /* Range header, -1 when absent */
	const char *rpc;           /* rpc/<name> */
	json_t *args;              /* the RPC's arguments */
};

/* ---- errors in PostgREST's shape ---- */

static void pgrst_answer(struct req *r, int status, const char *code, const char *message,
	const char *details, const char *hint, json_t *qt)
{
	json_t *o = json_object();
	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "details", details && *details ? json_string(details) : json_null());
	json_object_set_new(o, "hint", hint ? json_string(hint) : json_null());
	json_object_set_new(o, "message", json_string(message));
	if (qt)
		json_object_set_new(o, "qt", qt);
	compat_json(r, status, o);
}

static void answer_parse_error(struct req *r, const struct pgrst_error *e)
{
	pgrst_answer(r, e->status, e->code, e->message, e->details, e->hint, NULL);
}

/* The recorded /api/v1 problem, answered as PostgREST would; clears it. */
static void answer_problem(struct req *r, const char *resource)
{
	struct problem *p = &r->problem;
	const char *code = p->code ? p->code : "error";
	const char *detail = p->detail ? p->detail : "";
	const char *sqlstate;
	const char *hint = NULL;
	char message[512];
	int status = p->status;

	snprintf(message, sizeof message, "%s", detail);
	if (strcmp(code, "forbidden") == 0) {
		sqlstate = "42501";
		snprintf(message, sizeof message, "permission denied for %s", resource ? resource : "this resource");
		hint = detail;
	} else if (strcmp(code, "unauthorized") == 0) {
		sqlstate = "42501";
		status = 401;
		snprintf(message, sizeof message, "permission denied for %s: sign in first",
			resource ? resource : "this resource");
	} else if (strcmp(code, "token_expired") == 0) {
		sqlstate = "PGRST303";
		snprintf(message, sizeof message, "JWT expired");
	} else if (strcmp(code, "invalid_token") == 0 || strcmp(code, "invalid_api_key") == 0 ||
		   strcmp(code, "api_key_revoked") == 0) {
		sqlstate = "PGRST301";
		status = 401;
	} else if (strcmp(code, "validation_failed") == 0 || strcmp(code, "items_total_mismatch") == 0 ||
		   strcmp(code, "cannot_reverse_reversal") == 0) {
		sqlstate = "23514";
		status = 400;
	} else if (strcmp(code, "credit_limit_exceeded") == 0) {
		sqlstate = "P0001";
		status = 400;
		hint = "an admin may override the limit with override: true and an override_reason";
	} else if (strcmp(code, "unknown_field") == 0) {
		sqlstate = "PGRST204";
		status = 400;
		const char *field = "";
		if (p->errors && json_array_size(p->errors))
			field = json_string_value(json_object_get(json_array_get(p->errors, 0), "field"));
		snprintf(message, sizeof message, "Could not find the '%s' column of '%s' in the schema cache",
			field ? field : "", resource ? resource : "");
	} else if (strcmp(code, "invalid_json") == 0) {
		sqlstate = "PGRST102";
		status = 400;
	} else if (strcmp(code, "phone_taken") == 0) {
		sqlstate = "23505";
		status = 409;
	} else if (strcmp(code, "not_found") == 0) {
		sqlstate = "P0002";
		status = 404;
	} else if (strcmp(code, "rpc_not_found") == 0) {
		sqlstate = "PGRST202";
		status = 404;
	} else if (strcmp(code, "internal_error") == 0) {
		sqlstate = "XX000";
	} else {
		/* A rule of the ledger or the plan with no SQLSTATE of its
		 * own: PostgREST's PT<status> keeps /api/v1's status. */
		sqlstate = arena_printf(r->arena, "PT%03d", status);
	}
	json_t *qt = json_object();
	json_object_set_new(qt, "code", json_string(code));
	json_object_set_new(qt, "status", json_integer(p->status));
	if (p->errors)
		json_object_set_new(qt, "errors", json_incref(p->errors));
	if (p->extra)
		json_object_update_missing(qt, p->extra);
	const char *details = code;
	if (p->errors && json_array_size(p->errors)) {
		json_t *e0 = json_array_get(p->errors, 0);
		details = arena_printf(r->arena, "%s: %s: %s", code,
			json_string_value(json_object_get(e0, "field")) ? json_string_value(json_object_get(e0, "field")) : "",
			json_string_value(json_object_get(e0, "message")) ? json_string_value(json_object_get(e0, "message")) : "");
	}
	if (p->retry_after > 0)
		resp_header(r, "Retry-After", arena_printf(r->arena, "%d", p->retry_after));
	const char *msg = arena_strdup(r->arena, message);
	const char *hint_copy = hint ? arena_strdup(r->arena, hint) : NULL;
	/* The problem is answered here, not as problem+json. */
	if (p->errors)
		json_decref(p->errors);
	if (p->extra)
		json_decref(p->extra);
	memset(p, 0, sizeof *p);
	pgrst_answer(r, status, sqlstate, msg, details, hint_copy, qt);
}

/* ---- reading rows through /api/v1 ---- */

static int is_native_order(const struct rest *st)
{
	const struct pgrst_query *q = st->q;
	if (q->norder == 0)
		return 1;
	if (!st->map->native_column || q->norder != 1)
		return 0;
	return strcmp(q->res->columns[q->order[0].column].name, st->map->native_column) == 0 &&
		q->order[0].desc == st->map->native_desc;
}

/* Every row of resource map (a new array), read page by page with
 * pushdown filters from q; stop_after > 0 stops once that many rows match
 * q.  Returns NULL with a problem recorded. */
static json_t *read_rows(struct req *r, const struct resource_map *map, const struct pgrst_query *q,
	size_t stop_after)
{
	struct req_overlay o = { 0 };
	json_t *all = json_array();
	size_t matched = 0;
	const char *cursor = NULL;

	if (map->list == h_tenant_discover) {
		json_t *t = compat_call(r, h_tenant_discover, r->overlay, NULL, NULL);
		if (!t) {
			json_decref(all);
			return NULL;
		}
		json_array_append_new(all, t);
		return all;
	}
	compat_overlay_query(&o, "limit", COMPAT_PAGE);
	if (map->list == h_customers_list)
		compat_overlay_query(&o, "status", "all");
	if (q && (map->list == h_transactions_list || map->list == h_reminders_list)) {
		const char *cid = pgrst_query_eq(q, pgrst_column_index(q->res, "customer_id"));
		if (cid && uuid_valid(cid))
			compat_overlay_query(&o, "customer_id", cid);
	}
	if (q && map->list == h_transactions_list) {
		const char *type = pgrst_query_eq(q, pgrst_column_index(q->res, "type"));
		if (type && (!strcmp(type, "purchase") || !strcmp(type, "payment") ||
			     !strcmp(type, "adjustment") || !strcmp(type, "reversal")))
			compat_overlay_query(&o, "type", type);
	}
	for (;;) {
		compat_overlay_query(&o, "cursor", cursor);
		json_t *page = compat_call(r, map->list, &o, NULL, NULL);
		if (!page) {
			json_decref(all);
			return NULL;
		}
		json_t *data = json_object_get(page, "data");
		size_t i;
		json_t *row;
		json_array_foreach(data, i, row) {
			if (q && stop_after && pgrst_match(q, row))
				matched++;
			json_array_append(all, row);
		}
		const char *next = json_string_value(json_object_get(page, "next_cursor"));
		cursor = next ? arena_strdup(r->arena, next) : NULL;
		json_decref(page);
		if (!cursor || (stop_after && matched >= stop_after))
			break;
		if (json_array_size(all) >= COMPAT_MAX_SCAN) {
			json_decref(all);
			req_failf(r, 400, "too_many_rows", "more than %d %s to read: narrow the request with "
				"customer_id=eq. (or read them through /api/v1's paged lists)", COMPAT_MAX_SCAN, map->name);
			return NULL;
		}
	}
	return all;
}

/* ---- answering rows ---- */

static void strip_nulls(json_t *o)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(o, tmp, k, v) {
		if (json_is_null(v))
			json_object_del(o, k);
		else if (json_is_object(v))
			strip_nulls(v);
	}
}

static void csv_cell(struct buf *b, json_t *v, int first)
{
	if (!v || json_is_null(v)) {
		csv_plain(b, "", first);
	} else if (json_is_string(v)) {
		csv_text(b, json_string_value(v), first);
	} else if (json_is_integer(v)) {
		char n[32];
		snprintf(n, sizeof n, "%lld", (long long)json_integer_value(v));
		csv_plain(b, n, first);
	} else if (json_is_boolean(v)) {
		csv_plain(b, json_is_true(v) ? "true" : "false", first);
	} else {
		char *t = json_dumps(v, JSON_COMPACT);
		csv_text(b, t ? t : "", first);
		free(t);
	}
}

static void answer_csv(struct req *r, int status, json_t *rows)
{
	struct buf *b = &r->resp.body;
	r->resp.body.len = 0;
	json_t *first = json_array_get(rows, 0);
	if (first) {
		const char *k;
		json_t *v;
		int i = 0;
		json_object_foreach(first, k, v)
			csv_plain(b, k, i++ == 0);
		csv_end_row(b);
		size_t n;
		json_t *row;
		json_array_foreach(rows, n, row) {
			i = 0;
			json_object_foreach(first, k, v)
				csv_cell(b, json_object_get(row, k), i++ == 0);
			csv_end_row(b);
		}
	}
	r->resp.status = status;
	r->resp.content_type = "text/csv; charset=utf-8";
}

/* Answer rows (stolen) as the Accept header asked: an array, one object
 * (PGRST116 unless exactly one), or CSV. */
static void answer_rows(struct req *r, struct rest *st, int status, json_t *rows)
{
	if (st->strip_nulls) {
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row)
			strip_nulls(row);
	}
	if (st->accept == ACCEPT_OBJECT) {
		size_t n = json_array_size(rows);
		if (n != 1) {
			pgrst_answer(r, 406, "PGRST116", "JSON object requested, multiple (or no) rows returned",
				arena_printf(r->arena, "The result contains %zu rows", n), NULL, NULL);
			json_decref(rows);
			return;
		}
		json_t *one = json_incref(json_array_get(rows, 0));
		json_decref(rows);
		compat_json(r, status, one);
		r->resp.content_type = "application/vnd.pgrst.object+json; charset=utf-8";
		return;
	}
	if (st->accept == ACCEPT_CSV) {
		answer_csv(r, status, rows);
		json_decref(rows);
		return;
	}
	compat_json(r, status, rows);
}

/* The linked row of `row` through link l of q's resource, from by_id. */
static json_t *linked_row(const struct pgrst_query *q, int l, json_t *row, json_t *by_id)
{
	const char *id = json_string_value(json_object_get(row, q->res->links[l].key));
	return id ? json_object_get(by_id, id) : NULL;
}

/* rows (borrowed) projected by q, with embeds filled from customers. */
static json_t *project_all(const struct pgrst_query *q, json_t *rows, json_t *customers_by_id)
{
	json_t *out = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		json_t *embedded[PGRST_MAX_EMBEDS] = { 0 };
		int e = 0;
		for (int k = 0; k < q->npicks; k++)
			if (q->picks[k].column < 0 && e < PGRST_MAX_EMBEDS)
				embedded[e++] = customers_by_id ? linked_row(q, q->picks[k].link, row, customers_by_id) : NULL;
		json_array_append_new(out, pgrst_project(q, row, embedded));
	}
	return out;
}

/* Customers by id, when q embeds them; NULL (no problem) when it does not. */
static json_t *embeds_of(struct req *r, const struct pgrst_query *q, int *failed)
{
	*failed = 0;
	if (q->nembeds == 0)
		return NULL;
	json_t *rows = read_rows(r, &resources[RES_CUSTOMERS], NULL, 0);
	if (!rows) {
		*failed = 1;
		return NULL;
	}
	json_t *by_id = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		if (id)
			json_object_set(by_id, id, row);
	}
	json_decref(rows);
	return by_id;
}

static int read_handler(struct req *r)
{
	struct rest *st = r->translator;
	const struct pgrst_query *q = st->q;

	if (st->key.anon && r->caller.tenant_id[0] && strcmp(st->key.tenant_id, r->caller.tenant_id) != 0)
		return req_fail(r, 401, "invalid_token", "the access token is for another store than the apikey");
	const char *xt = req_header(r, "X-Tenant");
	if (xt && r->caller.tenant_slug[0] && strcmp(xt, r->caller.tenant_slug) != 0)
		return req_fail(r, 401, "invalid_token", "the access token is for another store than X-Tenant");

	/* A CSV answer is an export: /api/v1/export's role and plan gate. */
	if (st->accept == ACCEPT_CSV && st->rid != RES_TENANTS &&
	    (api_require_role(r, ROLE_ADMIN) < 0 || api_require_feature(r, "csv_export") < 0))
		return -1;
	/* Which window of the matching rows: ?offset&limit within Range. */
	int64_t start = q->offset, end = q->limit >= 0 ? q->offset + q->limit - 1 : INT64_MAX;
	if (st->range_start >= 0) {
		if (st->range_start > start)
			start = st->range_start;
		if (st->range_end >= 0 && st->range_end < end)
			end = st->range_end;
	}
	size_t stop_after = 0;
	if (!st->want_count && is_native_order(st) && end != INT64_MAX && st->accept != ACCEPT_OBJECT)
		stop_after = (size_t)end + 1;
	json_t *all = read_rows(r, st->map, q, stop_after);
	if (!all)
		return -1;
	size_t n = json_array_size(all), kept = 0;
	json_t **rows = malloc((n ? n : 1) * sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array_get(all, i);
		if (pgrst_match(q, row))
			rows[kept++] = row;
	}
	pgrst_sort(q, rows, kept);
	int failed;
	json_t *by_id = embeds_of(r, q, &failed);
	if (failed) {
		free(rows);
		json_decref(all);
		return -1;
	}
	json_t *window = json_array();
	for (int64_t i = start; i <= end && i < (int64_t)kept; i++)
		json_array_append(window, rows[i]);
	free(rows);
	size_t shown = json_array_size(window);
	if (st->want_count && kept > 0 && start >= (int64_t)kept) {
		json_decref(window);
		json_decref(all);
		json_decref(by_id);
		resp_header(r, "Content-Range", arena_printf(r->arena, "*/%zu", kept));
		pgrst_answer(r, 416, "PGRST103", "Requested range not satisfiable",
			arena_printf(r->arena, "An offset of %lld was requested, but there are only %zu rows.",
				(long long)start, kept), NULL, NULL);
		return 0;
	}
	json_t *out = project_all(q, window, by_id);
	json_decref(window);
	json_decref(all);
	json_decref(by_id);
	const char *total = st->want_count ? arena_printf(r->arena, "%zu", kept) : "*";
	if (shown)
		resp_header(r, "Content-Range", arena_printf(r->arena, "%lld-%lld/%s", (long long)start,
			(long long)(start + (int64_t)shown - 1), total));
	else
		resp_header(r, "Content-Range", arena_printf(r->arena, "*/%s", total));
	int status = st->want_count && shown < kept ? 206 : 200;
	if (strcmp(r->method, "HEAD") == 0) {
		json_decref(out);
		resp_empty(r, status);
		return 0;
	}
	answer_rows(r, st, status, out);
	return 0;
}

/* ---- writes ---- */

static int check_store(struct req *r, struct rest *st)
{
	if (st->key.anon && strcmp(st->key.tenant_id, r->caller.tenant_id) != 0)
		return req_fail(r, 401, "invalid_token", "the access token is for another store than the apikey");
	const char *xt = req_header(r, "X-Tenant");
	if (xt && strcmp(xt, r->caller.tenant_slug) != 0)
		return req_fail(r, 401, "invalid_token", "the access token is for another store than X-Tenant");
	return 0;
}

/* The written rows (stolen) as the Prefer header asked. */
static int answer_written(struct req *r, struct rest *st, int status, json_t *written)
{
	if (st->want_count)
		resp_header(r, "Content-Range", arena_printf(r->arena, "*/%zu", json_array_size(written)));
	if (!st->want_representation) {
		json_decref(written);
		/* PostgREST: 201 for an insert, 204 for an update or delete */
		return resp_empty(r, status == 201 ? 201 : 204);
	}
	int failed;
	json_t *by_id = embeds_of(r, st->q, &failed);
	if (failed) {
		json_decref(written);
		return -1;
	}
	json_t *out = project_all(st->q, written, by_id);
	json_decref(written);
	json_decref(by_id);
	answer_rows(r, st, status, out);
	return 0;
}

static int insert_handler(struct req *r)
{
	struct rest *st = r->translator;
	if (check_store(r, st) < 0)
		return -1;
	json_error_t e;
	json_t *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &e);
	if (!body || (!json_is_object(body) && !json_is_array(body))) {
		json_decref(body);
		return req_fail(r, 400, "invalid_json", "the body is a JSON object or an array of objects");
	}
	if (json_is_object(body)) {
		json_t *a = json_array();
		json_array_append_new(a, body);
		body = a;
	}
	if (json_array_size(body) > COMPAT_MAX_WRITE_ROWS) {
		json_decref(body);
		return req_failf(r, 413, "too_many_rows", "at most %d rows in one insert", COMPAT_MAX_WRITE_ROWS);
	}
	route_handler create = st->rid == RES_CUSTOMERS ? h_customers_create :
		st->rid == RES_TRANSACTIONS ? h_transactions_create : h_apartments_create;
	json_t *written = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(body, i, row) {
		if (!json_is_object(row)) {
			json_decref(body);
			json_decref(written);
			return req_fail(r, 400, "invalid_json", "each row is a JSON object");
		}
		char *text = json_dumps(row, JSON_COMPACT);
		json_t *made = compat_call(r, create, NULL, text, NULL);
		free(text);
		if (!made) {
			json_decref(body);
			json_decref(written);
			return -1;
		}
		json_array_append_new(written, made);
	}
	json_decref(body);
	return answer_written(r, st, 201, written);
}

/* PATCH (body: the changes) or DELETE (archive) every matching row. */
static int change_handler(struct req *r)
{
	struct rest *st = r->translator;
	int deleting = strcmp(r->method, "DELETE") == 0;
	if (check_store(r, st) < 0)
		return -1;
	char *changes = NULL;
	if (!deleting) {
		json_error_t e;
		json_t *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &e);
		if (!json_is_object(body)) {
			json_decref(body);
			return req_fail(r, 400, "invalid_json", "the body is a JSON object of the columns to change");
		}
		char *t = json_dumps(body, JSON_COMPACT);
		changes = arena_strdup(r->arena, t);
		free(t);
		json_decref(body);
	}
	json_t *all = read_rows(r, st->map, st->q, 0);
	if (!all)
		return -1;
	route_handler h = st->rid == RES_CUSTOMERS ? (deleting ? h_customers_archive : h_customers_update)
		: h_apartments_update;
	const char *key = st->rid == RES_CUSTOMERS ? "id" : "number";
	json_t *written = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(all, i, row) {
		if (!pgrst_match(st->q, row))
			continue;
		if (json_array_size(written) >= COMPAT_MAX_WRITE_ROWS) {
			json_decref(all);
			json_decref(written);
			return req_failf(r, 413, "too_many_rows", "at most %d rows in one change", COMPAT_MAX_WRITE_ROWS);
		}
		compat_param(r, key, arena_strdup(r->arena, json_string_value(json_object_get(row, key))));
		json_t *done = compat_call(r, h, NULL, changes, NULL);
		if (!done) {
			json_decref(all);
			json_decref(written);
			return -1;
		}
		json_array_append_new(written, done);
	}
	json_decref(all);
	return answer_written(r, st, 200, written);
}

/* ---- RPCs ---- */

static int rpc_args_check(struct req *r, struct rest *st, const char *const *names, size_t n)
{
	const char *k;
	json_t *v;
	json_object_foreach(st->args, k, v) {
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(k, names[i]) == 0)
				break;
		if (i == n)
			return req_failf(r, 404, "rpc_not_found", "Could not find the function public.%s(%s) in the schema cache",
				st->rpc, k);
	}
	return 0;
}

static const char *arg_text(struct rest *st, const char *name)
{
	json_t *v = json_object_get(st->args, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int rpc_reply(struct req *r, json_t *out)
{
	if (!out)
		return -1;
	return compat_json(r, 200, out);
}

static int rpc_remind(struct req *r)
{
	struct rest *st = r->translator;
	static const char *const names[] = { "customer_id", "channel" };
	if (check_store(r, st) < 0 || rpc_args_check(r, st, names, 2) < 0)
		return -1;
	const char *id = arg_text(st, "customer_id");
	if (!id)
		return req_fail_field(r, 422, "validation_failed", "customer_id", "is required");
	compat_param(r, "id", id);
	json_t *b = json_object();
	if (json_object_get(st->args, "channel"))
		json_object_set(b, "channel", json_object_get(st->args, "channel"));
	char *text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	json_t *out = compat_call(r, h_customers_remind, NULL, text, NULL);
	free(text);
	return rpc_reply(r, out);
}

static int rpc_reverse(struct req *r)
{
	struct rest *st = r->translator;
	static const char *const names[] = { "id", "reason" };
	if (check_store(r, st) < 0 || rpc_args_check(r, st, names, 2) < 0)
		return -1;
	const char *id = arg_text(st, "id");
	if (!id)
		return req_fail_field(r, 422, "validation_failed", "id", "is required");
	compat_param(r, "id", id);
	json_t *b = json_object();
	if (json_object_get(st->args, "reason"))
		json_object_set(b, "reason", json_object_get(st->args, "reason"));
	char *text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	json_t *out = compat_call(r, h_transactions_reverse, NULL, text, NULL);
	free(text);
	return rpc_reply(r, out);
}

static int rpc_statement(struct req *r)
{
	struct rest *st = r->translator;
	static const char *const names[] = { "customer_id", "from", "to" };
	struct req_overlay o = { 0 };
	if (check_store(r, st) < 0 || rpc_args_check(r, st, names, 3) < 0)
		return -1;
	const char *id = arg_text(st, "customer_id");
	if (!id)
		return req_fail_field(r, 422, "validation_failed", "customer_id", "is required");
	compat_param(r, "id", id);
	if (arg_text(st, "from"))
		compat_overlay_query(&o, "from", arg_text(st, "from"));
	if (arg_text(st, "to"))
		compat_overlay_query(&o, "to", arg_text(st, "to"));
	return rpc_reply(r, compat_call(r, h_customers_statement, &o, NULL, NULL));
}

static int rpc_summary(struct req *r)
{
	struct rest *st = r->translator;
	if (check_store(r, st) < 0 || rpc_args_check(r, st, NULL, 0) < 0)
		return -1;
	return rpc_reply(r, compat_call(r, h_reports_summary, NULL, NULL, NULL));
}

static const struct {
	const char *name, *method, *pattern;
	route_handler h;
} rpcs[] = {
	{ "send_whatsapp_reminder", "POST", "/api/v1/customers/{id}/reminders", rpc_remind },
	{ "reverse_transaction", "POST", "/api/v1/transactions/{id}/reverse", rpc_reverse },
	{ "customer_statement", "GET", "/api/v1/customers/{id}/statement", rpc_statement },
	{ "dashboard_summary", "GET", "/api/v1/reports/summary", rpc_summary },
};

/* ---- the request's headers ---- */

static void read_prefer(struct rest *st, const char *prefer)
{
	if (!prefer)
		return;
	if (strstr(prefer, "return=representation"))
		st->want_representation = 1;
	if (strstr(prefer, "count=exact") || strstr(prefer, "count=planned") || strstr(prefer, "count=estimated"))
		st->want_count = 1;
}

static int read_accept(struct req *r, struct rest *st)
{
	const char *a = req_header(r, "Accept");
	if (!a || !*a || strcmp(a, "*/*") == 0)
		return 0;
	if (strstr(a, "nulls=stripped"))
		st->strip_nulls = 1;
	if (strncmp(a, "application/vnd.pgrst.object+json", 33) == 0) {
		st->accept = ACCEPT_OBJECT;
		return 0;
	}
	if (strncmp(a, "text/csv", 8) == 0) {
		st->accept = ACCEPT_CSV;
		return 0;
	}
	if (strstr(a, "application/json") || strstr(a, "application/vnd.pgrst.array+json") || strstr(a, "*/*"))
		return 0;
	pgrst_answer(r, 406, "PGRST107", arena_printf(r->arena, "None of these media types are available: %.100s", a),
		NULL, NULL, NULL);
	return -1;
}

/* Range: [items=]0-9 (Range-Unit: items). */
static int read_range(struct req *r, struct rest *st)
{
	st->range_start = st->range_end = -1;
	const char *h = req_header(r, "Range");
	if (!h)
		return 0;
	const char *unit = req_header(r, "Range-Unit");
	if (unit && strcmp(unit, "items") != 0)
		goto bad;
	if (strncmp(h, "items=", 6) == 0)
		h += 6;
	char *end;
	if (*h < '0' || *h > '9')
		goto bad;
	long long s = strtoll(h, &end, 10);
	if (*end != '-' || s < 0 || s > 1000000000LL)
		goto bad;
	st->range_start = s;
	if (end[1]) {
		char *e2;
		long long e = strtoll(end + 1, &e2, 10);
		if (*e2 || e < s || e > 1000000000LL)
			goto bad;
		st->range_end = e;
	}
	return 0;
bad:
	pgrst_answer(r, 416, "PGRST103", "Requested range not satisfiable", "Range is items=START-[END]", NULL, NULL);
	return -1;
}

static int profile_ok(struct req *r)
{
	const char *p = req_header(r, "Accept-Profile");
	if (!p)
		p = req_header(r, "Content-Profile");
	if (!p || strcmp(p, "public") == 0)
		return 1;
	pgrst_answer(r, 406, "PGRST106", "Invalid schema: only public is exposed",
		NULL, "Only the following schemas are exposed: public", NULL);
	return 0;
}

struct query_cls {
	struct pgrst_query *q;
	struct pgrst_error *err;
};

static int take_param(void *cls, const char *name, const char *value)
{
	struct query_cls *c = cls;
	if (strcmp(name, "apikey") == 0)
		return 0;
	return pgrst_query_add(c->q, name, value, c->err) < 0 ? 1 : 0;
}

static int rpc_args_from_query(void *cls, const char *name, const char *value)
{
	json_t *args = cls;
	if (strcmp(name, "apikey") != 0 && json_object_size(args) < 8)
		json_object_set_new(args, name, value ? json_string(value) : json_null());
	return 0;
}

static void method_refused(struct req *r, const char *resource, const char *why, const char *hint)
{
	resp_header(r, "Allow", "GET, HEAD");
	(void)resource;
	pgrst_answer(r, 405, "25006", why, NULL, hint, NULL);
}

void postgrest_dispatch(struct req *r)
{
	struct rest *st = arena_alloc(r->arena, sizeof *st);
	const char *message = NULL;
	const char *name = r->path + (strlen(r->path) > 9 ? 9 : strlen(r->path));

	r->translator = st;
	if (compat_apikey(r, &st->key, &message) < 0) {
		pgrst_answer(r, 401, "PGRST301", message, NULL,
			"send the store's anon key (settings) or an API key in the apikey header", NULL);
		return;
	}
	if (!profile_ok(r) || read_accept(r, st) < 0 || read_range(r, st) < 0)
		return;
	/* supabase-js sends the anon key as the bearer until someone signs
	 * in: that is no session at all (401 42501 on data, as for anon). */
	const char *auth = req_header(r, "Authorization");
	if (st->key.anon && auth && strncasecmp(auth, "Bearer ", 7) == 0 && strcmp(auth + 7, st->key.raw) == 0) {
		struct req_overlay *o = arena_alloc(r->arena, sizeof *o);
		compat_overlay_header(o, "Authorization", NULL);
		r->overlay = o;
	}
	read_prefer(st, req_header(r, "Prefer"));

	/* RPCs */
	if (strncmp(name, "rpc/", 4) == 0) {
		st->rpc = name + 4;
		for (size_t i = 0; i < sizeof rpcs / sizeof rpcs[0]; i++) {
			if (strcmp(rpcs[i].name, st->rpc) != 0)
				continue;
			r->route = arena_printf(r->arena, "/rest/v1/rpc/%s", rpcs[i].name);
			if (strcmp(r->method, "POST") == 0) {
				json_error_t e;
				st->args = r->body.len ? json_loadb(r->body.data, r->body.len, 0, &e) : json_object();
				if (!json_is_object(st->args)) {
					json_decref(st->args);
					st->args = NULL;
					pgrst_answer(r, 400, "PGRST102", "Invalid body: the arguments are a JSON object", NULL, NULL, NULL);
					return;
				}
			} else if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) {
				st->args = json_object();
				req_query_each(r, rpc_args_from_query, st->args);
			} else {
				resp_header(r, "Allow", "GET, POST");
				pgrst_answer(r, 405, "PGRST117", arena_printf(r->arena, "Unsupported HTTP method: %s", r->method),
					NULL, NULL, NULL);
				return;
			}
			if (compat_run_as(r, rpcs[i].method, rpcs[i].pattern, rpcs[i].h))
				answer_problem(r, st->rpc);
			json_decref(st->args);
			return;
		}
		pgrst_answer(r, 404, "PGRST202", arena_printf(r->arena,
			"Could not find the function public.%.64s without parameters in the schema cache", st->rpc),
			"the functions are send_whatsapp_reminder, reverse_transaction, customer_statement and dashboard_summary",
			NULL, NULL);
		return;
	}

	for (size_t i = 0; i < NRESOURCES; i++)
		if (strcmp(resources[i].name, name) == 0) {
			st->rid = (enum resource_id)i;
			st->map = &resources[i];
			r->route = arena_printf(r->arena, "/rest/v1/%s", resources[i].name);
		}
	if (!st->map) {
		pgrst_answer(r, 404, "PGRST205", arena_printf(r->arena,
			"Could not find the table 'public.%.64s' in the schema cache", name),
			NULL, "the resources are customers, transactions, apartment_records, reminders and tenants", NULL);
		return;
	}
	struct pgrst_error err;
	st->q = arena_alloc(r->arena, sizeof *st->q);
	pgrst_query_init(st->q, st->map->res);
	struct query_cls qc = { st->q, &err };
	if (req_query_each(r, take_param, &qc)) {
		answer_parse_error(r, &err);
		return;
	}

	const char *m = r->method;
	int reading = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	int rc = 0;
	if (st->rid == RES_TENANTS) {
		if (!reading) {
			method_refused(r, "tenants", "tenants are read-only here", "stores are managed by the platform's operators");
			return;
		}
		/* Public discovery: the store found from Host or X-Tenant, else
		 * the anon key's. */
		struct req_overlay *o = r->overlay ? r->overlay : arena_alloc(r->arena, sizeof *o);
		if (!req_header(r, "X-Tenant") && st->key.anon)
			compat_overlay_header(o, "X-Tenant", st->key.slug);
		/* The client's query string is PostgREST's, not ?tenant=. */
		compat_overlay_query(o, "tenant", NULL);
		r->overlay = o;
		rc = compat_run_as(r, "GET", "/api/v1/tenant", read_handler);
	} else if (reading) {
		rc = compat_run_as(r, "GET", st->map->list_pattern, read_handler);
	} else if (strcmp(m, "POST") == 0) {
		if (st->rid == RES_CUSTOMERS)
			rc = compat_run_as(r, "POST", "/api/v1/customers", insert_handler);
		else if (st->rid == RES_TRANSACTIONS)
			rc = compat_run_as(r, "POST", "/api/v1/transactions", insert_handler);
		else if (st->rid == RES_APARTMENTS)
			rc = compat_run_as(r, "POST", "/api/v1/apartments", insert_handler);
		else {
			method_refused(r, name, "reminders are sent with rpc/send_whatsapp_reminder", NULL);
			return;
		}
	} else if (strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0) {
		int deleting = strcmp(m, "DELETE") == 0;
		if (st->rid == RES_TRANSACTIONS) {
			method_refused(r, name, "transactions are append-only: an entry is never changed or deleted",
				"reverse an entry with rpc/reverse_transaction {id, reason}");
			return;
		}
		if (st->rid == RES_REMINDERS || (st->rid == RES_APARTMENTS && deleting)) {
			method_refused(r, name, arena_printf(r->arena, "%s cannot be %s here", name,
				deleting ? "deleted" : "changed"), NULL);
			return;
		}
		if (st->q->nroots == 0) {
			pgrst_answer(r, 400, "21000", deleting ? "DELETE requires a WHERE clause" : "UPDATE requires a WHERE clause",
				NULL, "add a filter such as id=eq.<id>", NULL);
			return;
		}
		if (st->rid == RES_CUSTOMERS)
			rc = compat_run_as(r, m, "/api/v1/customers/{id}", change_handler);
		else
			rc = compat_run_as(r, "PATCH", "/api/v1/apartments/{number}", change_handler);
	} else {
		resp_header(r, "Allow", "GET, HEAD, POST, PATCH, DELETE");
		pgrst_answer(r, 405, "PGRST117", arena_printf(r->arena, "Unsupported HTTP method: %.16s", m), NULL, NULL, NULL);
		return;
	}
	if (rc)
		answer_problem(r, name);
}
