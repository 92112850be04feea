/* audit.c — GET /api/v1/audit: the tenant's audit trail, newest first. */
#include <stdio.h>
#include <stdlib.h>

#include "api/common.h"
#include "api/handlers.h"
#include "util/civil.h"

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
	json_t *data = json_array();
	int rc = store_audit_list(r->tx, &f, data);
	if (rc != STORE_OK) {
		json_decref(data);
		return api_store_fail(r, rc, NULL);
	}
	char *next = NULL;
	if (json_array_size(data) > (size_t)limit) {
		json_array_remove(data, (size_t)limit);
		json_t *last = json_array_get(data, (size_t)limit - 1);
		next = arena_printf(r->arena, "%lld",
			(long long)json_integer_value(json_object_get(last, "seq")));
	}
	return api_list(r, data, next);
}
