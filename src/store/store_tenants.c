/* store_tenants.c — see store_tenants.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_tenants.h"
#include "util/clock.h"
#include "util/uuid.h"

#define TENANT_COLS "t.id, t.slug, t.name, t.domain, t.plan, t.status, t.created_at, t.updated_at"

static void tenant_from_row(struct arena *a, const struct db_res *r, int row, struct tenant_rec *t)
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
	int rc = store_one_row(store_exec(tx, sql, p, 1, &r), &r);
	if (rc == STORE_OK)
		tenant_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_tenant_by_slug(struct store_tx *tx, const char *slug, struct arena *a, struct tenant_rec *out)
{
	int rc = store_tx_route_slug(tx, slug);
	if (rc != STORE_OK)
		return rc;
	return tenant_by(tx, "SELECT " TENANT_COLS " FROM tenants t WHERE t.slug = $1", slug, a, out);
}

int store_tenant_by_id(struct store_tx *tx, const char *id, struct arena *a, struct tenant_rec *out)
{
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	int rc = store_tx_route(tx, id);
	if (rc != STORE_OK)
		return rc;
	return tenant_by(tx, "SELECT " TENANT_COLS " FROM tenants t WHERE t.id = $1", id, a, out);
}

int store_tenant_by_domain(struct store_tx *tx, const char *domain, struct arena *a, struct tenant_rec *out)
{
	return tenant_by(tx, "SELECT " TENANT_COLS " FROM tenants t WHERE t.domain = $1", domain, a, out);
}

int store_tx_enter_tenant(struct store_tx *tx, const char *tenant_id)
{
	int rc = store_tx_route(tx, tenant_id);
	if (rc != STORE_OK)
		return rc;
	snprintf(tx->tenant_id, sizeof tx->tenant_id, "%s", tenant_id);
	if (!store_is_pg(tx))
		return STORE_OK;
	struct db_param p[] = { DB_TEXT(tenant_id) };
	rc = store_exec(tx, "SELECT set_config('app.tenant_id', $1, true)", p, 1, NULL);
	tx->statements--;   /* scoping is not a write that ties tx to this cluster */
	return rc;
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

static int usage_by_slug(const void *x, const void *y)
{
	return strcmp(((const struct tenant_usage *)x)->tenant.slug, ((const struct tenant_usage *)y)->tenant.slug);
}

int store_tenant_list(struct store_tx *tx, struct arena *a, struct tenant_usage **out, int *n)
{
	static const char sql_sqlite[] =
		"SELECT " TENANT_COLS ","
		" (SELECT COUNT(*) FROM customers c WHERE c.tenant_id = t.id AND c.status = 'active'),"
		" (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id)"
		" FROM tenants t ORDER BY t.slug";
	/* Under RLS a platform transaction sees no tenant rows; usage comes from
	 * a SECURITY DEFINER function that returns counts only. */
	static const char sql_pg[] =
		"SELECT " TENANT_COLS ", COALESCE(u.customers, 0), COALESCE(u.members, 0)"
		" FROM tenants t LEFT JOIN qt_tenant_usage() u ON u.tenant_id = t.id ORDER BY t.slug";
	*out = NULL;
	*n = 0;
	int cap = 0, rc = STORE_OK;
	/* On the command line with a tenant directory: the stores of every
	 * cluster too (a read transaction goes from one to the next).  A
	 * store being moved has a copy on two: listed once. */
	int everywhere = !tx->write && store_tx_directory_owner(tx);
	for (int c = -1; rc == STORE_OK; c++) {
		if (c >= 0) {
			if (!everywhere)
				break;
			tx->statements--;
			int sw = store_tx_try_cluster(tx, c);
			if (sw == STORE_NOT_FOUND)
				break;
			if ((rc = sw) != STORE_OK)
				break;
		}
		struct db_res *r = NULL;
		rc = store_exec(tx, store_is_pg(tx) ? sql_pg : sql_sqlite, NULL, 0, &r);
		if (rc == STORE_OK) {
			int rows = db_res_rows(r);
			if (*n + rows > cap) {
				cap = (*n + rows) * 2 + 1;
				struct tenant_usage *grown = arena_alloc(a, sizeof *grown * (size_t)cap);
				if (*n)
					memcpy(grown, *out, sizeof *grown * (size_t)*n);
				*out = grown;
			}
			for (int i = 0; i < rows; i++) {
				int seen = 0;
				for (int j = 0; j < *n && !seen; j++)
					seen = strcmp((*out)[j].tenant.id, db_res_text(r, i, 0)) == 0;
				if (seen)
					continue;
				struct tenant_usage *u = &(*out)[(*n)++];
				tenant_from_row(a, r, i, &u->tenant);
				u->customers = db_res_int(r, i, 8);
				u->users = db_res_int(r, i, 9);
			}
		}
		db_res_free(r);
	}
	if (rc == STORE_OK && everywhere && *n > 1)
		qsort(*out, (size_t)*n, sizeof **out, usage_by_slug);
	if (rc == STORE_OK && !*out)
		*out = arena_alloc(a, sizeof **out);
	return rc;
}

static int active_on(struct store_tx *tx, struct arena *a, struct tenant_rec **out, int *n, int *cap)
{
	struct db_res *r = NULL;
	int rc = store_exec(tx, "SELECT id, slug, plan, name FROM tenants WHERE status = 'active' ORDER BY slug",
		NULL, 0, &r);
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		if (*n + rows > *cap) {
			int want = (*n + rows) * 2 + 1;
			/* arena_alloc zeroes: the fields not read stay NULL and 0. */
			struct tenant_rec *grown = arena_alloc(a, sizeof *grown * (size_t)want);
			if (*n)
				memcpy(grown, *out, sizeof *grown * (size_t)*n);
			*out = grown;
			*cap = want;
		}
		for (int i = 0; i < rows; i++) {
			const char *id = db_res_text(r, i, 0);
			int seen = 0;
			/* A store being moved has a copy on both clusters. */
			for (int j = 0; j < *n && !seen; j++)
				seen = strcmp((*out)[j].id, id) == 0;
			if (seen)
				continue;
			struct tenant_rec *t = &(*out)[(*n)++];
			t->id = store_dup(a, r, i, 0);
			t->slug = store_dup(a, r, i, 1);
			t->plan = store_dup(a, r, i, 2);
			t->name = store_dup(a, r, i, 3);
		}
	}
	db_res_free(r);
	return rc;
}

int store_tenant_ids(struct store *s, struct arena *a, const char ***out, int *n)
{
	struct store_tx *tx;
	int cap = 0;
	*out = NULL;
	*n = 0;
	int rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc != STORE_OK)
		return rc;
	for (int i = -1; rc == STORE_OK; i++) {
		if (i >= 0) {
			tx->statements--;   /* reads: they tie tx to no cluster */
			int sw = store_tx_try_cluster(tx, i);
			if (sw == STORE_NOT_FOUND)
				break;
			if ((rc = sw) != STORE_OK)
				break;
		}
		struct db_res *r = NULL;
		rc = store_exec(tx, "SELECT id FROM tenants", NULL, 0, &r);
		for (int k = 0; rc == STORE_OK && k < db_res_rows(r); k++) {
			const char *id = db_res_text(r, k, 0);
			int seen = 0;
			for (int j = 0; j < *n && !seen; j++)
				seen = strcmp((*out)[j], id) == 0;
			if (seen)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				const char **grown = arena_alloc(a, sizeof *grown * (size_t)cap);
				if (*n)
					memcpy(grown, *out, sizeof *grown * (size_t)*n);
				*out = grown;
			}
			(*out)[(*n)++] = store_dup(a, r, k, 0);
		}
		db_res_free(r);
	}
	store_rollback(tx);
	return rc;
}

static int by_slug(const void *x, const void *y)
{
	return strcmp(((const struct tenant_rec *)x)->slug, ((const struct tenant_rec *)y)->slug);
}

int store_tenant_active(struct store_tx *tx, struct arena *a, struct tenant_rec **out, int *n)
{
	int cap = 0;
	*out = arena_alloc(a, sizeof **out);
	*n = 0;
	int rc = active_on(tx, a, out, n, &cap);
	/* With a tenant directory, the stores of every cluster (a read
	 * transaction goes from one to the next). */
	for (int i = 0; rc == STORE_OK && !tx->write; i++) {
		tx->statements--;
		int sw = store_tx_try_cluster(tx, i);
		if (sw == STORE_NOT_FOUND)
			break;
		rc = sw == STORE_OK ? active_on(tx, a, out, n, &cap) : sw;
	}
	if (rc == STORE_OK && *n > 1)
		qsort(*out, (size_t)*n, sizeof **out, by_slug);
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
		store_member_touch(tx, id);
		int rc = store_one_row(store_exec(tx, "SELECT qt_tenant_update($1, $2, $3, $4, $5, $6)",
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
	store_member_touch(tx, id);
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_tenant_set_name(struct store_tx *tx, const char *id, const char *name)
{
	struct db_param p[] = { DB_TEXT(id), DB_TEXT(name), DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE tenants SET name = $2, updated_at = $3 WHERE id = $1", p, 3, NULL);
	if (rc != STORE_OK)
		return rc;
	store_member_touch(tx, id);
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
	int rc = store_one_row(store_exec(tx,
		"SELECT pg_has_role(current_user, c.relowner, 'MEMBER')::int FROM pg_class c"
		" WHERE c.oid = 'public.tenants'::regclass", NULL, 0, &r), &r);
	tx->statements--;   /* a read: it ties tx to no cluster */
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

	store_member_touch(tx, id);
	if (store_is_pg(tx))
		return store_exec(tx, "SELECT qt_purge_tenant($1)", p, 1, NULL);
	for (size_t i = 0; i < sizeof purge_sqlite / sizeof purge_sqlite[0]; i++) {
		rc = store_exec(tx, purge_sqlite[i], p, 1, NULL);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}
