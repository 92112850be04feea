/* events.c — see events.h. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/events.h"
#include "store/store_events.h"

/* Append type with o's compact text; takes the reference to o. */
static int emit(struct store_tx *tx, const char *type, const char *entity_id, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		abort();
	int rc = store_event_append(tx, type, entity_id, text);
	free(text);
	return rc;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* summary.changed with the store's outstanding figures read inside tx;
 * takes the reference to o, which holds the cause and its ids. */
static int emit_summary(struct store_tx *tx, const char *entity_id, json_t *o)
{
	int64_t outstanding, owing;
	int known;
	int rc = store_event_outstanding(tx, &outstanding, &known, &owing);
	if (rc != STORE_OK) {
		json_decref(o);
		return rc;
	}
	json_object_set_new(o, "outstanding_minor", known ? json_integer((json_int_t)outstanding) : json_null());
	json_object_set_new(o, "customers_owing", json_integer((json_int_t)owing));
	return emit(tx, "summary.changed", entity_id, o);
}

int events_import(struct store_tx *tx, const char *import_id, const char *kind, int64_t rows,
	int64_t created)
{
	json_t *o = json_object();
	json_object_set_new(o, "cause", json_string("import.completed"));
	json_object_set_new(o, "import_id", json_string(import_id));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "rows", json_integer((json_int_t)rows));
	json_object_set_new(o, "created", json_integer((json_int_t)created));
	return emit_summary(tx, import_id, o);
}

int events_entry(struct store_tx *tx, const struct entry_rec *e)
{
	int reversal = e->reverses_id != NULL;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(e->id));
	json_object_set_new(o, "customer_id", json_string(e->customer_id));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "amount_minor", json_integer((json_int_t)e->amount_minor));
	json_object_set_new(o, "balance_minor", json_integer((json_int_t)e->balance_after_minor));
	if (reversal)
		json_object_set_new(o, "reverses_id", json_string(e->reverses_id));
	int rc = emit(tx, reversal ? "entry.reversed" : "entry.created", e->id, o);
	if (rc != STORE_OK)
		return rc;
	o = json_object();
	json_object_set_new(o, "cause", json_string(reversal ? "entry.reversed" : "entry.created"));
	json_object_set_new(o, "entry_id", json_string(e->id));
	json_object_set_new(o, "customer_id", json_string(e->customer_id));
	return emit_summary(tx, e->id, o);
}

int events_customer(struct store_tx *tx, const char *type, const struct customer_rec *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "phone", json_string(c->phone));
	json_object_set_new(o, "apartment", str_or_null(c->apartment));
	json_object_set_new(o, "status", json_string(c->status ? c->status : "active"));
	json_object_set_new(o, "balance_minor", json_integer((json_int_t)c->balance_minor));
	json_object_set_new(o, "reminders_opt_out", json_boolean(c->reminders_opt_out));
	return emit(tx, type, c->id, o);
}

int events_reminder(struct store_tx *tx, const char *type, const struct reminder_rec *m)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(m->id));
	json_object_set_new(o, "customer_id", json_string(m->customer_id));
	json_object_set_new(o, "kind", json_string(m->kind));
	json_object_set_new(o, "channel", json_string(m->channel));
	json_object_set_new(o, "status", json_string(m->status));
	if (m->entry_id)
		json_object_set_new(o, "entry_id", json_string(m->entry_id));
	return emit(tx, type, m->id, o);
}
