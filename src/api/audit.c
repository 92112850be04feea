/* audit.c — GET /api/v1/audit: the tenant's audit trail, newest first. */
#include <stdio.h>
#include <stdlib.h>

#include "api/common.h"
#include "api/handlers.h"
#include "util/civil.h"

/* A payload column is the JSON text that was hashed; answer it as JSON
 * (as text if a tampered row no longer parses). */
static json_t *payload_json(const char *text)
{
	if (!text)
		return json_null();
	json_t *v = json_loads(text, 0, NULL);
	return v ? v : json_string(text);
}

json_t *api_audit_row_json(const struct audit_row *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "seq", json_integer(a->seq));
	json_object_set_new(o, "id", json_string(a->id));
	json_object_set_new(o, "actor_id", json_string(a->actor_id));
	json_object_set_new(o, "actor_role", json_string(a->actor_role));
	json_object_set_new(o, "action", json_string(a->action));
	json_object_set_new(o, "entity", json_string(a->entity));
	json_object_set_new(o, "entity_id", json_string(a->entity_id));
	json_object_set_new(o, "before", payload_json(a->before_json));
	json_object_set_new(o, "after", payload_json(a->after_json));
	json_object_set_new(o, "request_id", json_string(a->request_id));
	json_object_set_new(o, "client_ip", json_string(a->client_ip));
	json_object_set_new(o, "created_at", api_time(a->created_at));
	json_object_set_new(o, "prev_hash", json_string(a->prev_hash));
	json_object_set_new(o, "hash", json_string(a->hash));
	return o;
}

int h_audit_list(struct req *r)
{
	struct audit_filter f = { 0 };
	const struct settings_rec *s = api_settings(r);
	int64_t from_day = 0, to_day = 0, cursor = 0;
	int limit;

	if (api_query_limit(r, &limit) < 0)
		return -1;
	int hf = api_query_date(r, "from", &from_day);
	int ht = api_query_date(r, "to", &to_day);
	if (hf < 0 || ht < 0)
		return -1;
	if (api_query_int(r, "cursor", 1, INT64_MAX, &cursor) < 0)
		return -1;
	f.entity = req_query(r, "entity");
	f.entity_id = req_query(r, "entity_id");
	f.actor = req_query(r, "actor");
	if (hf && civil_local_midnight_ms(from_day, s->timezone, &f.from_ms) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "from", "is out of range");
	if (ht && civil_local_midnight_ms(to_day + 1, s->timezone, &f.to_ms) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "to", "is out of range");
	f.before_seq = cursor;
	f.limit = limit + 1;
	struct audit_row *rows;
	int n;
	int rc = store_audit_list(r->tx, &f, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	char *next = NULL;
	if (n > limit) {
		n = limit;
		next = arena_printf(r->arena, "%lld", (long long)rows[n - 1].seq);
	}
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, api_audit_row_json(&rows[i]));
	return api_list(r, data, next);
}
