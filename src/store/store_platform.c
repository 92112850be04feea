/* store_platform.c — see store_platform.h. */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "store/store_internal.h"
#include "store/store_platform.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/uuid.h"

/* Pass the result by address: the call's own argument must not be read
 * before store_exec() has filled it. */
static int one_row(int rc, struct db_res **r)
{
	if (rc != STORE_OK)
		return rc;
	return db_res_rows(*r) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

static json_t *time_json(int64_t ms)
{
	char t[25];
	civil_format_rfc3339(ms, t);
	return json_string(t);
}

/* ---- tenants ---- */

#define TENANT_COLS "id, slug, name, domain, plan, status, created_at, updated_at"

static void tenant_from_row(struct arena *a, struct db_res *r, int row, struct tenant_rec *t)
{
	t->id = store_dup(a, r, row, 0);
	t->slug = store_dup(a, r, row, 1);
	t->name = store_dup(a, r, row, 2);
	t->domain = store_dup(a, r, row, 3);
	t->plan = store_dup(a, r, row, 4);
	t->status = store_dup(a, r, row, 5);
	t->created_at = db_res_int(r, row, 6);
	t->updated_at = db_res_int(r, row, 7);
}

static int tenant_by(struct store_tx *tx, const char *sql, const char *value,
	struct arena *a, struct tenant_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(value) };
	int rc = one_row(store_exec(tx, sql, p, 1, &r), &r);
	if (rc == STORE_OK)
		tenant_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_tenant_by_slug(struct store_tx *tx, const char *slug, struct arena *a, struct tenant_rec *out)
{
	return tenant_by(tx, "SELECT " TENANT_COLS " FROM tenants WHERE slug = $1", slug, a, out);
}

int store_tenant_by_id(struct store_tx *tx, const char *id, struct arena *a, struct tenant_rec *out)
{
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	return tenant_by(tx, "SELECT " TENANT_COLS " FROM tenants WHERE id = $1", id, a, out);
}

int store_tenant_by_domain(struct store_tx *tx, const char *domain, struct arena *a, struct tenant_rec *out)
{
	return tenant_by(tx, "SELECT " TENANT_COLS " FROM tenants WHERE domain = $1", domain, a, out);
}

int store_tx_enter_tenant(struct store_tx *tx, const char *tenant_id)
{
	snprintf(tx->tenant_id, sizeof tx->tenant_id, "%s", tenant_id);
	if (db_conn_dialect(tx->conn) != DB_POSTGRES)
		return STORE_OK;
	struct db_param p[] = { DB_TEXT(tenant_id) };
	return store_exec(tx, "SELECT set_config('app.tenant_id', $1, true)", p, 1, NULL);
}

int store_tenant_create(struct store_tx *tx, const char *slug, const char *name,
	const char *domain, const char *plan, struct arena *a, struct tenant_rec *out)
{
	char id[37];
	int64_t now = clock_now_ms();
	uuid_v7(id);
	struct db_param p[] = { DB_TEXT(id), DB_TEXT(slug), DB_TEXT(name), DB_TEXT(domain),
		DB_TEXT(plan), DB_INT(now) };
	/* On PostgreSQL the tenant row comes from a definer function: the app
	 * role may create a store only inside an operator's session. */
	int rc = store_exec(tx, store_is_pg(tx)
		? "SELECT qt_tenant_create($1, $2, $3, $4, $5, $6)"
		: "INSERT INTO tenants (id, slug, name, domain, plan, status, created_at, updated_at)"
		  " VALUES ($1, $2, $3, $4, $5, 'active', $6, $6)", p, 6, NULL);
	if (rc != STORE_OK)
		return rc;
	rc = store_tx_enter_tenant(tx, id);
	if (rc != STORE_OK)
		return rc;
	struct db_param p2[] = { DB_TEXT(id), DB_INT(now) };
	/* An empty reminder template is the built-in one (schema v4). */
	rc = store_exec(tx, "INSERT INTO tenant_settings (tenant_id, updated_at, reminder_template)"
		" VALUES ($1, $2, '')",
		p2, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	return store_tenant_by_id(tx, id, a, out);
}

int store_tenant_list(struct store_tx *tx, json_t *out)
{
	static const char sql_sqlite[] =
		"SELECT t.id, t.slug, t.name, t.domain, t.plan, t.status, t.created_at, t.updated_at,"
		" (SELECT COUNT(*) FROM customers c WHERE c.tenant_id = t.id AND c.status = 'active'),"
		" (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id)"
		" FROM tenants t ORDER BY t.slug";
	/* Under RLS a platform transaction sees no tenant rows; usage comes from
	 * a SECURITY DEFINER function that returns counts only. */
	static const char sql_pg[] =
		"SELECT t.id, t.slug, t.name, t.domain, t.plan, t.status, t.created_at, t.updated_at,"
		" COALESCE(u.customers, 0), COALESCE(u.members, 0)"
		" FROM tenants t LEFT JOIN qt_tenant_usage() u ON u.tenant_id = t.id ORDER BY t.slug";
	struct db_res *r = NULL;
	int rc = store_exec(tx, db_conn_dialect(tx->conn) == DB_POSTGRES ? sql_pg : sql_sqlite,
		NULL, 0, &r);
	if (rc != STORE_OK)
		return rc;
	for (int i = 0; i < db_res_rows(r); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(db_res_text(r, i, 0)));
		json_object_set_new(o, "slug", json_string(db_res_text(r, i, 1)));
		json_object_set_new(o, "name", json_string(db_res_text(r, i, 2)));
		json_object_set_new(o, "domain", db_res_isnull(r, i, 3) ? json_null() : json_string(db_res_text(r, i, 3)));
		json_object_set_new(o, "plan", json_string(db_res_text(r, i, 4)));
		json_object_set_new(o, "status", json_string(db_res_text(r, i, 5)));
		json_object_set_new(o, "created_at", time_json(db_res_int(r, i, 6)));
		json_object_set_new(o, "updated_at", time_json(db_res_int(r, i, 7)));
		json_t *usage = json_object();
		json_object_set_new(usage, "customers", json_integer(db_res_int(r, i, 8)));
		json_object_set_new(usage, "users", json_integer(db_res_int(r, i, 9)));
		json_object_set_new(o, "usage", usage);
		json_array_append_new(out, o);
	}
	db_res_free(r);
	return STORE_OK;
}

int store_tenant_active(struct store_tx *tx, struct arena *a, struct tenant_rec **out, int *n)
{
	struct db_res *r = NULL;
	int rc = store_exec(tx, "SELECT id, slug, plan, name FROM tenants WHERE status = 'active' ORDER BY slug",
		NULL, 0, &r);
	*out = NULL;
	*n = 0;
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		*out = arena_alloc(a, sizeof **out * (size_t)(rows ? rows : 1));
		for (int i = 0; i < rows; i++) {
			memset(&(*out)[i], 0, sizeof (*out)[i]);
			(*out)[i].id = store_dup(a, r, i, 0);
			(*out)[i].slug = store_dup(a, r, i, 1);
			(*out)[i].plan = store_dup(a, r, i, 2);
			(*out)[i].name = store_dup(a, r, i, 3);
		}
		*n = rows;
	}
	db_res_free(r);
	return rc;
}

int store_tenant_update(struct store_tx *tx, const char *id, const char *plan,
	const char *status, const char *domain, int clear_domain)
{
	struct db_param p[] = { DB_TEXT(id), DB_TEXT(plan), DB_TEXT(status), DB_TEXT(domain),
		DB_INT(clear_domain), DB_INT(clock_now_ms()) };
	if (store_is_pg(tx)) {
		struct db_res *r = NULL;
		if (!uuid_valid(id))
			return STORE_NOT_FOUND;
		int rc = one_row(store_exec(tx, "SELECT qt_tenant_update($1, $2, $3, $4, $5, $6)",
			p, 6, &r), &r);
		if (rc == STORE_OK && db_res_int(r, 0, 0) != 1)
			rc = STORE_NOT_FOUND;
		db_res_free(r);
		return rc;
	}
	int rc = store_exec(tx,
		"UPDATE tenants SET plan = COALESCE($2, plan), status = COALESCE($3, status),"
		" domain = CASE WHEN $5 = 1 THEN NULL ELSE COALESCE($4, domain) END, updated_at = $6"
		" WHERE id = $1", p, 6, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_platform_admin(struct store_tx *tx, int *yes)
{
	struct db_res *r = NULL;
	*yes = 1;
	if (!store_is_pg(tx))
		return STORE_OK;
	/* The definer functions own their tables; whoever may act as their
	 * owner needs no operator session. */
	int rc = one_row(store_exec(tx,
		"SELECT pg_has_role(current_user, c.relowner, 'MEMBER')::int FROM pg_class c"
		" WHERE c.oid = 'public.tenants'::regclass", NULL, 0, &r), &r);
	if (rc == STORE_OK)
		*yes = db_res_int(r, 0, 0) == 1;
	db_res_free(r);
	return rc;
}

int store_tenant_delete(struct store_tx *tx, const char *id)
{
	static const char *const purge_sqlite[] = {
		"INSERT INTO tenant_purges (tenant_id) VALUES ($1)",
		"DELETE FROM audit_log WHERE tenant_id = $1",
		"DELETE FROM audit_heads WHERE tenant_id = $1",
		"DELETE FROM idempotency_keys WHERE tenant_id = $1",
		"DELETE FROM transactions WHERE tenant_id = $1 AND reverses_id IS NOT NULL",
		"DELETE FROM transactions WHERE tenant_id = $1",
		"DELETE FROM customers WHERE tenant_id = $1",
		"DELETE FROM apartments WHERE tenant_id = $1",
		"DELETE FROM memberships WHERE tenant_id = $1",
		"DELETE FROM tenant_settings WHERE tenant_id = $1",
		"DELETE FROM refresh_tokens WHERE tenant_id = $1",
		"DELETE FROM tenant_purges WHERE tenant_id = $1",
		"DELETE FROM tenants WHERE id = $1",
	};
	struct db_param p[] = { DB_TEXT(id) };
	int rc;

	if (store_is_pg(tx))
		return store_exec(tx, "SELECT qt_purge_tenant($1)", p, 1, NULL);
	for (size_t i = 0; i < sizeof purge_sqlite / sizeof purge_sqlite[0]; i++) {
		rc = store_exec(tx, purge_sqlite[i], p, 1, NULL);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* ---- plans ---- */

int store_plan_get(struct store_tx *tx, const char *name, struct arena *a, struct plan_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(name) };
	int rc = one_row(store_exec(tx,
		"SELECT name, customer_limit, storage_mb, requests_per_min, features FROM plans WHERE name = $1",
		p, 1, &r), &r);
	if (rc == STORE_OK) {
		out->name = store_dup(a, r, 0, 0);
		out->customer_limit = db_res_isnull(r, 0, 1) ? -1 : db_res_int(r, 0, 1);
		out->storage_mb = db_res_int(r, 0, 2);
		out->requests_per_min = db_res_isnull(r, 0, 3) ? -1 : db_res_int(r, 0, 3);
		out->features = store_dup(a, r, 0, 4);
	}
	db_res_free(r);
	return rc;
}

int store_plan_list(struct store_tx *tx, json_t *out)
{
	struct db_res *r = NULL;
	int rc = store_exec(tx,
		"SELECT name, customer_limit, storage_mb, requests_per_min, features FROM plans"
		" ORDER BY COALESCE(customer_limit, 1000000000)", NULL, 0, &r);
	if (rc != STORE_OK)
		return rc;
	for (int i = 0; i < db_res_rows(r); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(db_res_text(r, i, 0)));
		json_object_set_new(o, "customer_limit", db_res_isnull(r, i, 1) ? json_null() : json_integer(db_res_int(r, i, 1)));
		json_object_set_new(o, "storage_mb", json_integer(db_res_int(r, i, 2)));
		json_object_set_new(o, "requests_per_min", db_res_isnull(r, i, 3) ? json_null() : json_integer(db_res_int(r, i, 3)));
		json_t *f = json_loads(db_res_text(r, i, 4), 0, NULL);
		json_object_set_new(o, "features", f ? f : json_array());
		json_array_append_new(out, o);
	}
	db_res_free(r);
	return STORE_OK;
}

/* ---- settings ---- */

#define SETTINGS_COLS \
	"s.currency, s.locale, s.timezone, s.phone_country, s.upi_id, s.default_credit_limit_minor," \
	" s.credit_period_days, s.reminder_template, s.reminder_schedule, s.quiet_hours_start," \
	" s.quiet_hours_end, s.building_towers, s.building_floors, s.building_units," \
	" s.whatsapp_provider, s.whatsapp_config, s.whatsapp_secret_sealed, s.updated_at," \
	" s.reminder_language, s.receipts"

static void settings_from_row(struct arena *a, struct db_res *r, int c0, struct settings_rec *s)
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
}

int store_settings_get(struct store_tx *tx, struct arena *a, struct settings_rec *s)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int rc = one_row(store_exec(tx,
		"SELECT " SETTINGS_COLS " FROM tenant_settings s WHERE s.tenant_id = $1", p, 1, &r), &r);
	if (rc == STORE_OK)
		settings_from_row(a, r, 0, s);
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
	};
	int rc = store_exec(tx,
		"UPDATE tenant_settings SET currency = $2, locale = $3, timezone = $4, phone_country = $5,"
		" upi_id = $6, default_credit_limit_minor = $7, credit_period_days = $8,"
		" reminder_template = $9, reminder_schedule = $10, quiet_hours_start = $11,"
		" quiet_hours_end = $12, building_towers = $13, building_floors = $14,"
		" building_units = $15, whatsapp_provider = $16, whatsapp_config = $17,"
		" whatsapp_secret_sealed = $18, updated_at = $19, reminder_language = $20, receipts = $21"
		" WHERE tenant_id = $1", p, 21, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

/* ---- users: accounts of one store (tenant transaction) ---- */

#define USER_COLS "u.id, u.email, u.name, u.password_hash, m.created_at, u.updated_at, m.role, u.token_version"
#define USER_FROM " FROM users u JOIN memberships m ON m.tenant_id = u.tenant_id AND m.user_id = u.id"

static void user_from_row(struct arena *a, struct db_res *r, int row, struct user_rec *u)
{
	u->id = store_dup(a, r, row, 0);
	u->email = store_dup(a, r, row, 1);
	u->name = store_dup(a, r, row, 2);
	u->password_hash = store_dup(a, r, row, 3);
	u->created_at = db_res_int(r, row, 4);
	u->updated_at = db_res_int(r, row, 5);
	u->role = db_res_cols(r) > 6 ? store_dup(a, r, row, 6) : NULL;
	u->token_version = db_res_cols(r) > 7 ? db_res_int(r, row, 7) : 0;
}

static int user_by(struct store_tx *tx, const char *sql, const char *value,
	struct arena *a, struct user_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(value) };
	assert(tx->tenant_id[0]);
	int rc = one_row(store_exec(tx, sql, p, 2, &r), &r);
	if (rc == STORE_OK)
		user_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_user_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, const char *role, struct arena *a, struct user_rec *out)
{
	char id[37];
	uuid_v7(id);
	assert(tx->tenant_id[0]);
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(email), DB_TEXT(name),
		DB_TEXT(password_hash), DB_INT(clock_now_ms()), DB_TEXT(role) };
	int rc = store_exec(tx,
		"INSERT INTO users (tenant_id, id, email, name, password_hash, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $6)", p, 6, NULL);
	if (rc == STORE_OK)
		rc = store_exec(tx,
			"INSERT INTO memberships (tenant_id, user_id, role, created_at, updated_at)"
			" VALUES ($1, $2, $7, $6, $6)", p, 7, NULL);
	if (rc != STORE_OK)
		return rc;
	return store_user_by_id(tx, id, a, out);
}

int store_user_by_email(struct store_tx *tx, const char *email, struct arena *a, struct user_rec *out)
{
	return user_by(tx, "SELECT " USER_COLS USER_FROM " WHERE u.tenant_id = $1 AND u.email = $2",
		email, a, out);
}

int store_user_by_id(struct store_tx *tx, const char *id, struct arena *a, struct user_rec *out)
{
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	return user_by(tx, "SELECT " USER_COLS USER_FROM " WHERE u.tenant_id = $1 AND u.id = $2",
		id, a, out);
}

int store_user_set_password(struct store_tx *tx, const char *id, const char *password_hash)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(password_hash),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE users SET password_hash = $3, updated_at = $4"
		" WHERE tenant_id = $1 AND id = $2", p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) != 1)
		return STORE_NOT_FOUND;
	return store_user_end_sessions(tx, id);
}

int store_user_set_name(struct store_tx *tx, const char *id, const char *name)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(name),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE users SET name = $3, updated_at = $4"
		" WHERE tenant_id = $1 AND id = $2", p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_user_end_sessions(struct store_tx *tx, const char *id)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE users SET token_version = token_version + 1"
		" WHERE tenant_id = $1 AND id = $2", p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) != 1)
		return STORE_NOT_FOUND;
	return store_exec(tx,
		"UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND subject_id = $2"
		" AND revoked_at IS NULL", p, 3, NULL);
}

/* ---- memberships ---- */

int store_member_context(struct store_tx *tx, const char *user_id, struct arena *a, struct member_ctx *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id) };
	if (!uuid_valid(user_id))
		return STORE_NOT_FOUND;
	/* One round trip gives everything a request needs about its caller
	 * and store, settings included. */
	int rc = one_row(store_exec(tx,
		"SELECT m.role, u.email, u.name, t.slug, t.name, t.status, t.plan, u.token_version,"
		" p.features, p.updated_at, " SETTINGS_COLS
		" FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id"
		" JOIN tenants t ON t.id = m.tenant_id JOIN plans p ON p.name = t.plan"
		" LEFT JOIN tenant_settings s ON s.tenant_id = m.tenant_id"
		" WHERE m.tenant_id = $1 AND m.user_id = $2", p, 2, &r), &r);
	if (rc == STORE_OK) {
		out->role = store_dup(a, r, 0, 0);
		out->email = store_dup(a, r, 0, 1);
		out->name = store_dup(a, r, 0, 2);
		out->tenant_slug = store_dup(a, r, 0, 3);
		out->tenant_name = store_dup(a, r, 0, 4);
		out->tenant_status = store_dup(a, r, 0, 5);
		out->plan = store_dup(a, r, 0, 6);
		out->token_version = db_res_int(r, 0, 7);
		out->plan_features = store_dup(a, r, 0, 8);
		out->plan_updated_at = db_res_int(r, 0, 9);
		/* No settings row: the caller answers 500 rather than guess. */
		out->settings = NULL;
		if (!db_res_isnull(r, 0, 10)) {
			out->settings = arena_alloc(a, sizeof *out->settings);
			settings_from_row(a, r, 10, out->settings);
		}
	}
	db_res_free(r);
	return rc;
}

int store_member_list(struct store_tx *tx, json_t *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int rc = store_exec(tx,
		"SELECT u.id, u.email, u.name, m.role, m.created_at, m.updated_at"
		" FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id"
		" WHERE m.tenant_id = $1 ORDER BY u.email", p, 1, &r);
	if (rc != STORE_OK)
		return rc;
	for (int i = 0; i < db_res_rows(r); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(db_res_text(r, i, 0)));
		json_object_set_new(o, "email", json_string(db_res_text(r, i, 1)));
		json_object_set_new(o, "name", json_string(db_res_text(r, i, 2)));
		json_object_set_new(o, "role", json_string(db_res_text(r, i, 3)));
		json_object_set_new(o, "created_at", time_json(db_res_int(r, i, 4)));
		json_object_set_new(o, "updated_at", time_json(db_res_int(r, i, 5)));
		json_array_append_new(out, o);
	}
	db_res_free(r);
	return STORE_OK;
}

int store_member_set_role(struct store_tx *tx, const char *user_id, const char *role)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id), DB_TEXT(role),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx,
		"UPDATE memberships SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND user_id = $2",
		p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_member_remove(struct store_tx *tx, const char *user_id)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id) };
	int rc = store_exec(tx, "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2",
		p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) != 1)
		return STORE_NOT_FOUND;
	/* The account was this store's only: it goes too, and its sessions
	 * end now.  Entries and audit rows keep the id as text. */
	struct db_param p2[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id), DB_INT(clock_now_ms()) };
	rc = store_exec(tx, "DELETE FROM users WHERE tenant_id = $1 AND id = $2", p2, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	return store_exec(tx,
		"UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND subject_id = $2"
		" AND revoked_at IS NULL", p2, 3, NULL);
}

int store_member_count_role(struct store_tx *tx, const char *role, int64_t *count)
{
	/* On PostgreSQL the rows are locked (in a fixed order, so two callers
	 * cannot deadlock): two owners demoting each other at once must not
	 * both see two owners.  SQLite's write transaction already excludes. */
	static const char sql[] =
		"SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = $2 ORDER BY user_id";
	static const char sql_lock[] =
		"SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = $2 ORDER BY user_id FOR UPDATE";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(role) };
	int rc = store_exec(tx, db_conn_dialect(tx->conn) == DB_POSTGRES ? sql_lock : sql, p, 2, &r);
	if (rc == STORE_OK)
		*count = db_res_rows(r);
	db_res_free(r);
	return rc;
}

/* ---- operators and their sessions ---- */

static void operator_from_row(struct arena *a, struct db_res *r, int c0, struct operator_rec *o)
{
	o->id = store_dup(a, r, 0, c0);
	o->email = store_dup(a, r, 0, c0 + 1);
	o->name = store_dup(a, r, 0, c0 + 2);
}

int store_operator_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, struct arena *a, struct operator_rec *out)
{
	char id[37];
	uuid_v7(id);
	struct db_param p[] = { DB_TEXT(id), DB_TEXT(email), DB_TEXT(name),
		DB_TEXT(password_hash), DB_INT(clock_now_ms()) };
	int rc = store_exec(tx,
		"INSERT INTO operators (id, email, name, password_hash, created_at)"
		" VALUES ($1, $2, $3, $4, $5)", p, 5, NULL);
	if (rc != STORE_OK)
		return rc;
	out->id = arena_strdup(a, id);
	out->email = arena_strdup(a, email);
	out->name = arena_strdup(a, name);
	return STORE_OK;
}

int store_operator_password_settings(struct store_tx *tx, const char *email, struct arena *a,
	char **settings)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(email) };
	int rc = one_row(store_exec(tx, store_is_pg(tx)
		? "SELECT qt_operator_password_settings($1)"
		: "SELECT password_hash FROM operators WHERE email = $1", p, 1, &r), &r);
	if (rc == STORE_OK && db_res_isnull(r, 0, 0))
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK) {
		/* SQLite hands over the whole hash: keep the settings only, so
		 * both backends give the caller the same thing. */
		*settings = store_dup(a, r, 0, 0);
		char *last = strrchr(*settings, '$');
		if (strncmp(*settings, "$argon2id$", 10) != 0 || !last)
			rc = STORE_NOT_FOUND;
		else
			last[1] = '\0';
	}
	db_res_free(r);
	return rc;
}

int store_operator_login(struct store_tx *tx, const char *email, const char *computed,
	const char *token_hash, const char *family_id, int64_t expires_at,
	struct arena *a, struct operator_rec *out)
{
	struct db_res *r = NULL;
	int rc;
	if (store_is_pg(tx)) {
		struct db_param p[] = { DB_TEXT(email), DB_TEXT(computed), DB_TEXT(token_hash),
			DB_TEXT(family_id), DB_INT(expires_at) };
		rc = one_row(store_exec(tx, "SELECT operator_id, email, name FROM qt_operator_login($1, $2, $3, $4, $5)",
			p, 5, &r), &r);
		if (rc == STORE_OK)
			operator_from_row(a, r, 0, out);
		db_res_free(r);
		return rc;
	}
	struct db_param p[] = { DB_TEXT(email) };
	rc = one_row(store_exec(tx, "SELECT id, email, name, password_hash FROM operators WHERE email = $1",
		p, 1, &r), &r);
	if (rc == STORE_OK) {
		const char *stored = db_res_text(r, 0, 3);
		size_t n = strlen(stored);
		if (n != strlen(computed) || sodium_memcmp(stored, computed, n) != 0)
			rc = STORE_NOT_FOUND;
	}
	if (rc == STORE_OK) {
		operator_from_row(a, r, 0, out);
		struct db_param p2[] = { DB_TEXT(token_hash), DB_TEXT(family_id), DB_TEXT(out->id),
			DB_INT(expires_at), DB_INT(clock_now_ms()) };
		rc = store_exec(tx,
			"INSERT INTO operator_sessions (token_hash, family_id, operator_id, expires_at, created_at)"
			" VALUES ($1, $2, $3, $4, $5)", p2, 5, NULL);
	}
	db_res_free(r);
	return rc;
}

static const struct {
	const char *name;
	enum operator_refresh_outcome outcome;
} refresh_outcomes[] = {
	{ "ok", OPERATOR_REFRESH_OK }, { "invalid", OPERATOR_REFRESH_INVALID },
	{ "revoked", OPERATOR_REFRESH_REVOKED }, { "expired", OPERATOR_REFRESH_EXPIRED },
	{ "gone", OPERATOR_REFRESH_GONE }, { "reused", OPERATOR_REFRESH_REUSED },
};

/* SQLite: the same steps as qt_operator_refresh(), in the write
 * transaction that already excludes every other writer. */
static int operator_refresh_sqlite(struct store_tx *tx, const char *old_hash, const char *new_hash,
	int64_t new_expires_at, struct arena *a, struct operator_rec *out, char **family_id,
	enum operator_refresh_outcome *outcome)
{
	struct db_res *r = NULL;
	int64_t now = clock_now_ms();
	struct db_param p[] = { DB_TEXT(old_hash) };
	int rc = store_exec(tx,
		"SELECT s.family_id, s.operator_id, s.expires_at, s.used_at IS NOT NULL, s.revoked_at IS NOT NULL,"
		" o.id, o.email, o.name FROM operator_sessions s LEFT JOIN operators o ON o.id = s.operator_id"
		" WHERE s.token_hash = $1", p, 1, &r);
	if (rc != STORE_OK)
		return rc;
	if (db_res_rows(r) != 1)
		*outcome = OPERATOR_REFRESH_INVALID;
	else if (db_res_int(r, 0, 4))
		*outcome = OPERATOR_REFRESH_REVOKED;
	else if (db_res_int(r, 0, 3))
		*outcome = OPERATOR_REFRESH_REUSED;
	else if (db_res_int(r, 0, 2) <= now)
		*outcome = OPERATOR_REFRESH_EXPIRED;
	else if (db_res_isnull(r, 0, 5))
		*outcome = OPERATOR_REFRESH_GONE;
	else
		*outcome = OPERATOR_REFRESH_OK;
	if (*outcome == OPERATOR_REFRESH_REUSED) {
		struct db_param p2[] = { DB_TEXT(db_res_text(r, 0, 0)), DB_INT(now) };
		rc = store_exec(tx, "UPDATE operator_sessions SET revoked_at = $2"
			" WHERE family_id = $1 AND revoked_at IS NULL", p2, 2, NULL);
	}
	if (*outcome == OPERATOR_REFRESH_OK) {
		*family_id = store_dup(a, r, 0, 0);
		operator_from_row(a, r, 5, out);
		struct db_param p2[] = { DB_TEXT(old_hash), DB_INT(now) };
		rc = store_exec(tx, "UPDATE operator_sessions SET used_at = $2 WHERE token_hash = $1",
			p2, 2, NULL);
		struct db_param p3[] = { DB_TEXT(new_hash), DB_TEXT(*family_id), DB_TEXT(out->id),
			DB_INT(new_expires_at), DB_INT(now) };
		if (rc == STORE_OK)
			rc = store_exec(tx,
				"INSERT INTO operator_sessions (token_hash, family_id, operator_id, expires_at, created_at)"
				" VALUES ($1, $2, $3, $4, $5)", p3, 5, NULL);
	}
	db_res_free(r);
	return rc;
}

int store_operator_refresh(struct store_tx *tx, const char *old_hash, const char *new_hash,
	int64_t new_expires_at, struct arena *a, struct operator_rec *out, char **family_id,
	enum operator_refresh_outcome *outcome)
{
	if (!store_is_pg(tx))
		return operator_refresh_sqlite(tx, old_hash, new_hash, new_expires_at, a, out,
			family_id, outcome);
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(old_hash), DB_TEXT(new_hash), DB_INT(new_expires_at) };
	int rc = one_row(store_exec(tx,
		"SELECT outcome, family_id, operator_id, email, name FROM qt_operator_refresh($1, $2, $3)",
		p, 3, &r), &r);
	if (rc == STORE_OK) {
		const char *name = db_res_text(r, 0, 0);
		rc = STORE_ERROR;
		for (size_t i = 0; i < sizeof refresh_outcomes / sizeof refresh_outcomes[0]; i++)
			if (strcmp(name, refresh_outcomes[i].name) == 0) {
				*outcome = refresh_outcomes[i].outcome;
				rc = STORE_OK;
			}
	}
	if (rc == STORE_OK && *outcome == OPERATOR_REFRESH_OK) {
		*family_id = store_dup(a, r, 0, 1);
		operator_from_row(a, r, 2, out);
	}
	db_res_free(r);
	return rc;
}

int store_operator_logout(struct store_tx *tx, const char *token_hash)
{
	if (store_is_pg(tx)) {
		struct db_param p[] = { DB_TEXT(token_hash) };
		return store_exec(tx, "SELECT qt_operator_logout($1)", p, 1, NULL);
	}
	struct db_param p[] = { DB_TEXT(token_hash), DB_INT(clock_now_ms()) };
	return store_exec(tx,
		"UPDATE operator_sessions SET revoked_at = $2 WHERE family_id ="
		" (SELECT s.family_id FROM operator_sessions s WHERE s.token_hash = $1) AND revoked_at IS NULL",
		p, 2, NULL);
}

int store_operator_session(struct store_tx *tx, const char *family_id, struct arena *a,
	struct operator_rec *out)
{
	struct db_res *r = NULL;
	int rc;
	if (!uuid_valid(family_id))
		return STORE_NOT_FOUND;
	if (store_is_pg(tx)) {
		struct db_param p[] = { DB_TEXT(family_id) };
		rc = one_row(store_exec(tx, "SELECT operator_id, email, name FROM qt_operator_session($1)",
			p, 1, &r), &r);
	} else {
		struct db_param p[] = { DB_TEXT(family_id), DB_INT(clock_now_ms()) };
		rc = one_row(store_exec(tx,
			"SELECT o.id, o.email, o.name FROM operators o WHERE o.id = (SELECT s.operator_id"
			" FROM operator_sessions s WHERE s.family_id = $1 AND s.revoked_at IS NULL"
			" AND s.expires_at > $2 LIMIT 1)", p, 2, &r), &r);
	}
	if (rc == STORE_OK)
		operator_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

/* ---- refresh tokens ---- */

/* refresh_tokens rows are reached under Row Level Security: scope tx to
 * the row's tenant first (a no-op when it already is). */
static int enter_tenant_of(struct store_tx *tx, const char *tenant_id)
{
	if (strcmp(tx->tenant_id, tenant_id) == 0)
		return STORE_OK;
	return store_tx_enter_tenant(tx, tenant_id);
}

int store_refresh_insert(struct store_tx *tx, const struct refresh_rec *t)
{
	if (!t->tenant_id || !uuid_valid(t->tenant_id))
		return STORE_ERROR;
	int rc = enter_tenant_of(tx, t->tenant_id);
	if (rc != STORE_OK)
		return rc;
	struct db_param p[] = { DB_TEXT(t->token_hash), DB_TEXT(t->family_id),
		DB_TEXT(t->subject_id), DB_TEXT(t->tenant_id), DB_INT(t->expires_at),
		DB_INT(clock_now_ms()) };
	return store_exec(tx,
		"INSERT INTO refresh_tokens (token_hash, family_id, subject_id, tenant_id,"
		" expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)", p, 6, NULL);
}

int store_refresh_get(struct store_tx *tx, const char *token_hash, struct arena *a, struct refresh_rec *out)
{
	static const char sql_sqlite[] =
		"SELECT token_hash, family_id, subject_id, tenant_id, expires_at,"
		" COALESCE(used_at, 0), COALESCE(revoked_at, 0) FROM refresh_tokens WHERE token_hash = $1";
	static const char sql_pg[] =
		"SELECT token_hash, family_id, subject_id, tenant_id, expires_at,"
		" COALESCE(used_at, 0), COALESCE(revoked_at, 0) FROM qt_refresh_token($1)";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(token_hash) };
	int rc = one_row(store_exec(tx, store_is_pg(tx) ? sql_pg : sql_sqlite, p, 1, &r), &r);
	if (rc == STORE_OK) {
		out->token_hash = store_dup(a, r, 0, 0);
		out->family_id = store_dup(a, r, 0, 1);
		out->subject_id = store_dup(a, r, 0, 2);
		out->tenant_id = store_dup(a, r, 0, 3);
		out->expires_at = db_res_int(r, 0, 4);
		out->used_at = db_res_int(r, 0, 5);
		out->revoked_at = db_res_int(r, 0, 6);
	}
	db_res_free(r);
	if (rc == STORE_OK)
		rc = enter_tenant_of(tx, out->tenant_id);
	return rc;
}

int store_refresh_use(struct store_tx *tx, const char *token_hash, int64_t now)
{
	struct db_param p[] = { DB_TEXT(token_hash), DB_INT(now) };
	int rc = store_exec(tx,
		"UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1"
		" AND used_at IS NULL AND revoked_at IS NULL", p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_CONFLICT;
}

int store_refresh_revoke_family(struct store_tx *tx, const char *family_id, int64_t now)
{
	struct db_param p[] = { DB_TEXT(family_id), DB_INT(now) };
	return store_exec(tx,
		"UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
		p, 2, NULL);
}

int store_tenant_set_name(struct store_tx *tx, const char *id, const char *name)
{
	struct db_param p[] = { DB_TEXT(id), DB_TEXT(name), DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE tenants SET name = $2, updated_at = $3 WHERE id = $1", p, 3, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}
