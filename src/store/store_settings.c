/* store_settings.c — see store_settings.h. */
#include "store/store_internal.h"
#include "store/store_settings.h"
#include "util/clock.h"

void store_settings_from_row(struct arena *a, const struct db_res *r, int c0, struct settings_rec *s)
{
	s->currency = store_dup(a, r, 0, c0 + 0);
	s->locale = store_dup(a, r, 0, c0 + 1);
	s->timezone = store_dup(a, r, 0, c0 + 2);
	s->phone_country = store_dup(a, r, 0, c0 + 3);
	s->upi_id = store_dup(a, r, 0, c0 + 4);
	s->default_credit_limit_minor = db_res_int(r, 0, c0 + 5);
	s->credit_period_days = db_res_int(r, 0, c0 + 6);
	s->reminder_template = store_dup(a, r, 0, c0 + 7);
	s->reminder_schedule = store_dup(a, r, 0, c0 + 8);
	s->quiet_hours_start = db_res_int(r, 0, c0 + 9);
	s->quiet_hours_end = db_res_int(r, 0, c0 + 10);
	s->building_towers = db_res_int(r, 0, c0 + 11);
	s->building_floors = db_res_int(r, 0, c0 + 12);
	s->building_units = db_res_int(r, 0, c0 + 13);
	s->whatsapp_provider = store_dup(a, r, 0, c0 + 14);
	s->whatsapp_config = store_dup(a, r, 0, c0 + 15);
	s->whatsapp_secret_sealed = store_dup(a, r, 0, c0 + 16);
	s->updated_at = db_res_int(r, 0, c0 + 17);
	s->reminder_language = store_dup(a, r, 0, c0 + 18);
	s->receipts = store_dup(a, r, 0, c0 + 19);
	s->address = store_dup(a, r, 0, c0 + 20);
}

int store_settings_get(struct store_tx *tx, struct arena *a, struct settings_rec *s)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int rc = store_one_row(store_exec(tx,
		"SELECT " STORE_SETTINGS_COLS " FROM tenant_settings s WHERE s.tenant_id = $1", p, 1, &r), &r);
	if (rc == STORE_OK)
		store_settings_from_row(a, r, 0, s);
	db_res_free(r);
	return rc;
}

int store_settings_put(struct store_tx *tx, const struct settings_rec *s)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(s->currency), DB_TEXT(s->locale), DB_TEXT(s->timezone),
		DB_TEXT(s->phone_country), DB_TEXT(s->upi_id), DB_INT(s->default_credit_limit_minor),
		DB_INT(s->credit_period_days), DB_TEXT(s->reminder_template),
		DB_TEXT(s->reminder_schedule), DB_INT(s->quiet_hours_start),
		DB_INT(s->quiet_hours_end), DB_INT(s->building_towers), DB_INT(s->building_floors),
		DB_INT(s->building_units), DB_TEXT(s->whatsapp_provider), DB_TEXT(s->whatsapp_config),
		DB_TEXT(s->whatsapp_secret_sealed), DB_INT(clock_now_ms()),
		DB_TEXT(s->reminder_language ? s->reminder_language : "en"),
		DB_TEXT(s->receipts ? s->receipts : "off"),
		DB_TEXT(s->address ? s->address : ""),
	};
	int rc = store_exec(tx,
		"UPDATE tenant_settings SET currency = $2, locale = $3, timezone = $4, phone_country = $5,"
		" upi_id = $6, default_credit_limit_minor = $7, credit_period_days = $8,"
		" reminder_template = $9, reminder_schedule = $10, quiet_hours_start = $11,"
		" quiet_hours_end = $12, building_towers = $13, building_floors = $14,"
		" building_units = $15, whatsapp_provider = $16, whatsapp_config = $17,"
		" whatsapp_secret_sealed = $18, updated_at = $19, reminder_language = $20, receipts = $21,"
		" address = $22 WHERE tenant_id = $1", p, 22, NULL);
	if (rc != STORE_OK)
		return rc;
	store_member_touch(tx, tx->tenant_id);
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}
