/* audit_payload.c — see audit_payload.h. */
#include "core/audit_payload.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *ms_or_null(int64_t ms)
{
	return ms ? json_integer((json_int_t)ms) : json_null();
}

json_t *audit_payload_customer(const struct customer_rec *c)
{
	if (!c)
		return NULL;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "phone", json_string(c->phone));
	json_object_set_new(o, "apartment", str_or_null(c->apartment));
	json_object_set_new(o, "email", str_or_null(c->email));
	json_object_set_new(o, "credit_limit_minor",
		c->has_credit_limit ? json_integer((json_int_t)c->credit_limit_minor) : json_null());
	json_object_set_new(o, "notes", json_string(c->notes ? c->notes : ""));
	json_object_set_new(o, "status", json_string(c->status ? c->status : "active"));
	json_object_set_new(o, "reminders_opt_out", json_boolean(c->reminders_opt_out));
	json_object_set_new(o, "balance_minor", json_integer((json_int_t)c->balance_minor));
	json_object_set_new(o, "created_at_ms", ms_or_null(c->created_at));
	return o;
}

json_t *audit_payload_entry(const struct entry_rec *e)
{
	if (!e)
		return NULL;
	json_t *o = json_object();
	json_t *items = e->items ? json_loads(e->items, 0, NULL) : NULL;
	json_object_set_new(o, "id", json_string(e->id));
	json_object_set_new(o, "customer_id", json_string(e->customer_id));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "amount_minor", json_integer((json_int_t)e->amount_minor));
	json_object_set_new(o, "effect_minor", json_integer((json_int_t)e->effect_minor));
	json_object_set_new(o, "balance_after_minor", json_integer((json_int_t)e->balance_after_minor));
	json_object_set_new(o, "occurred_at_ms", ms_or_null(e->occurred_at));
	json_object_set_new(o, "note", json_string(e->note ? e->note : ""));
	json_object_set_new(o, "items", items ? items : json_null());
	json_object_set_new(o, "payment_method", str_or_null(e->payment_method));
	json_object_set_new(o, "payment_reference", str_or_null(e->payment_reference));
	json_object_set_new(o, "reason", str_or_null(e->reason));
	json_object_set_new(o, "override", json_boolean(e->override));
	json_object_set_new(o, "override_reason", str_or_null(e->override_reason));
	json_object_set_new(o, "reverses_id", str_or_null(e->reverses_id));
	return o;
}

json_t *audit_payload_apartment(const struct apartment_rec *ap)
{
	if (!ap)
		return NULL;
	return json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:s}",
		"number", ap->number, "tower", (json_int_t)ap->tower, "floor", (json_int_t)ap->floor,
		"unit", (json_int_t)ap->unit, "occupant_name", ap->occupant_name ? ap->occupant_name : "",
		"occupancy", ap->occupancy ? ap->occupancy : "vacant", "notes", ap->notes ? ap->notes : "");
}

json_t *audit_payload_user(const struct user_rec *u)
{
	if (!u)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s}", "id", u->id, "email", u->email,
		"name", u->name ? u->name : "", "role", u->role ? u->role : "");
}

json_t *audit_payload_tenant(const struct tenant_rec *t)
{
	if (!t)
		return NULL;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", t->id, "slug", t->slug,
		"name", t->name, "plan", t->plan, "status", t->status);
	json_object_set_new(o, "domain", str_or_null(t->domain));
	return o;
}

json_t *audit_payload_settings(const struct settings_rec *s, const char *store_name,
	const json_t *secrets_set)
{
	if (!s)
		return NULL;
	json_t *o = json_object();
	json_t *sched = json_loads(s->reminder_schedule ? s->reminder_schedule : "{}", 0, NULL);
	json_t *wa = json_loads(s->whatsapp_config ? s->whatsapp_config : "{}", 0, NULL);
	json_object_set_new(o, "name", json_string(store_name ? store_name : ""));
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "locale", json_string(s->locale));
	json_object_set_new(o, "timezone", json_string(s->timezone));
	json_object_set_new(o, "default_credit_limit_minor", json_integer((json_int_t)s->default_credit_limit_minor));
	json_object_set_new(o, "credit_period_days", json_integer((json_int_t)s->credit_period_days));
	json_object_set_new(o, "phone_country", json_string(s->phone_country));
	json_object_set_new(o, "upi_id", str_or_null(s->upi_id));
	json_object_set_new(o, "address", json_string(s->address ? s->address : ""));
	json_object_set_new(o, "reminder_language", str_or_null(s->reminder_language));
	/* "" is the built-in template of reminder_language. */
	json_object_set_new(o, "reminder_template", str_or_null(s->reminder_template));
	json_object_set_new(o, "reminder_schedule", sched ? sched : json_object());
	json_object_set_new(o, "quiet_hours_start", json_integer((json_int_t)s->quiet_hours_start));
	json_object_set_new(o, "quiet_hours_end", json_integer((json_int_t)s->quiet_hours_end));
	json_object_set_new(o, "receipts", str_or_null(s->receipts));
	json_object_set_new(o, "building_towers", json_integer((json_int_t)s->building_towers));
	json_object_set_new(o, "building_floors", json_integer((json_int_t)s->building_floors));
	json_object_set_new(o, "building_units", json_integer((json_int_t)s->building_units));
	json_object_set_new(o, "whatsapp_provider", json_string(s->whatsapp_provider));
	json_object_set_new(o, "whatsapp_config", wa ? wa : json_object());
	json_object_set_new(o, "whatsapp_secrets_set",
		json_is_array(secrets_set) ? json_deep_copy(secrets_set) : json_array());
	return o;
}

json_t *audit_payload_reminder(const struct reminder_rec *m)
{
	if (!m)
		return NULL;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", m->id,
		"customer_id", m->customer_id, "kind", m->kind, "trigger", m->trigger,
		"channel", m->channel, "status", m->status, "message", m->message);
	json_object_set_new(o, "balance_minor", json_integer((json_int_t)m->balance_minor));
	json_object_set_new(o, "overdue_minor", json_integer((json_int_t)m->overdue_minor));
	json_object_set_new(o, "entry_id", str_or_null(m->entry_id));
	json_object_set_new(o, "provider_message_id", str_or_null(m->provider_message_id));
	json_object_set_new(o, "error_code", str_or_null(m->error_code));
	return o;
}

json_t *audit_payload_share(const struct share_rec *sh)
{
	if (!sh)
		return NULL;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(sh->id));
	json_object_set_new(o, "customer_id", json_string(sh->customer_id));
	json_object_set_new(o, "expires_at_ms", json_integer((json_int_t)sh->expires_at));
	json_object_set_new(o, "revoked_at_ms", ms_or_null(sh->revoked_at));
	return o;
}

json_t *audit_payload_plan(const struct plan_rec *p)
{
	if (!p)
		return NULL;
	json_t *o = json_object();
	json_t *features = p->features ? json_loads(p->features, 0, NULL) : NULL;
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "customer_limit",
		p->customer_limit < 0 ? json_null() : json_integer((json_int_t)p->customer_limit));
	json_object_set_new(o, "storage_mb", json_integer((json_int_t)p->storage_mb));
	json_object_set_new(o, "requests_per_min",
		p->requests_per_min < 0 ? json_null() : json_integer((json_int_t)p->requests_per_min));
	json_object_set_new(o, "features", features ? features : json_null());
	return o;
}
