/*
 * store_settings.h — a store's settings: currency and locale, credit
 * defaults, the building's shape, reminders and the WhatsApp provider.
 * One row per store, made with the store (store_tenant_create).  Both
 * functions take a tenant transaction and reach that store's row only.
 * Strings in returned records come from the arena `a` and live as long
 * as it.
 */
#ifndef QT_STORE_SETTINGS_H
#define QT_STORE_SETTINGS_H

#include "store/store.h"

struct settings_rec {
	char *currency, *locale, *timezone, *phone_country, *upi_id;
	int64_t default_credit_limit_minor;
	int64_t credit_period_days;
	char *reminder_template;    /* "" = the built-in template of reminder_language */
	char *reminder_schedule;    /* JSON object text */
	int64_t quiet_hours_start, quiet_hours_end;
	int64_t building_towers, building_floors, building_units;
	char *whatsapp_provider;
	char *whatsapp_config;      /* JSON object text, no secrets */
	char *whatsapp_secret_sealed; /* the provider secrets (a JSON object), sealed */
	int64_t updated_at;
	char *reminder_language;    /* "en" | "hi": the built-in templates' language */
	char *receipts;             /* "off" | "link" */
	char *address;              /* free text (lines apart by \n), "" = none; printed on statements */
};

/* The store's settings into *out; STORE_NOT_FOUND when it has no
 * settings row (the caller answers 500 rather than invent defaults). */
QT_MUST_CHECK int store_settings_get(struct store_tx *tx, struct arena *a, struct settings_rec *out);
/* Write every field of *s (updated_at is now; a NULL reminder_language
 * is "en", a NULL receipts "off", a NULL address "").  STORE_NOT_FOUND when the store has no
 * settings row. */
QT_MUST_CHECK int store_settings_put(struct store_tx *tx, const struct settings_rec *s);

#endif
