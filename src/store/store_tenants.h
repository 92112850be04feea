/*
 * store_tenants.h — the stores on the platform (tenants): creating one,
 * finding it, listing them with what they use, changing its plan, status,
 * domain and name, purging it, and the scan of active stores that the
 * scheduled jobs make.
 *
 * tenants is a platform table: the functions here take a platform
 * transaction (store_begin_platform) unless stated.  Strings in returned
 * records come from the arena `a` and live as long as it.  Every function
 * returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_TENANTS_H
#define QT_STORE_TENANTS_H

#include "store/store.h"

struct tenant_rec {
	char *id, *slug, *name;
	char *domain;               /* NULL when the store has none */
	char *plan;                 /* a plans.name */
	char *status;               /* "active" | "suspended" */
	int64_t created_at, updated_at;
};

/* One row of store_tenant_list: the store and what it uses. */
struct tenant_usage {
	struct tenant_rec tenant;
	int64_t customers;          /* active customers */
	int64_t users;              /* members (accounts) */
};

/* Create an active store and its settings row (the defaults), then scope
 * tx to it (store_tx_enter_tenant), and fill *out.  STORE_CONFLICT when
 * the slug or the domain is taken.  domain may be NULL. */
QT_MUST_CHECK int store_tenant_create(struct store_tx *tx, const char *slug, const char *name,
	const char *domain, const char *plan, struct arena *a, struct tenant_rec *out);
/* Look a store up; STORE_NOT_FOUND when there is none (by id: also for an
 * id that is not a UUID).  Readable from any transaction. */
QT_MUST_CHECK int store_tenant_by_slug(struct store_tx *tx, const char *slug, struct arena *a,
	struct tenant_rec *out);
QT_MUST_CHECK int store_tenant_by_id(struct store_tx *tx, const char *id, struct arena *a,
	struct tenant_rec *out);
QT_MUST_CHECK int store_tenant_by_domain(struct store_tx *tx, const char *domain, struct arena *a,
	struct tenant_rec *out);
/* Every store in slug order with its usage, into *out (an arena array,
 * never NULL, strings from a too) and *n rows.  On PostgreSQL the counts
 * come from a SECURITY DEFINER function that returns counts only, since a
 * platform transaction sees no tenant rows under RLS.  On the command line
 * with a tenant directory (a read transaction), the stores of every
 * cluster; tx ends on the last one. */
QT_MUST_CHECK int store_tenant_list(struct store_tx *tx, struct arena *a, struct tenant_usage **out,
	int *n);
/* The active stores in slug order, for the scheduled jobs that visit every
 * store: *out (arena array, never NULL) with id, slug, plan and name set,
 * the other fields NULL or 0; *n rows.  With a tenant directory and a
 * read transaction, the active stores of every cluster (tx ends on the
 * last one). */
QT_MUST_CHECK int store_tenant_active(struct store_tx *tx, struct arena *a, struct tenant_rec **out,
	int *n);
/* Every store's id (any status), for the housekeeping that visits each
 * store in a transaction of its own; with a tenant directory, those of
 * every cluster.  *out: arena array of *n ids. */
QT_MUST_CHECK int store_tenant_ids(struct store *s, struct arena *a, const char ***out, int *n);
/* Change plan, status and domain; NULL leaves a column as it is, and
 * clear_domain != 0 sets the domain to NULL.  STORE_NOT_FOUND when there
 * is no such store, STORE_CONFLICT when another store has the domain. */
QT_MUST_CHECK int store_tenant_update(struct store_tx *tx, const char *id, const char *plan,
	const char *status, const char *domain, int clear_domain);
/* Rename a store; STORE_NOT_FOUND when there is none.  Callable from a
 * tenant transaction too (the store's own settings). */
QT_MUST_CHECK int store_tenant_set_name(struct store_tx *tx, const char *id, const char *name);
/* Delete the store and every row it owns, audit trail included (only a
 * suspended one on PostgreSQL, which refuses anything else with an
 * error: callers check the status first on both backends). */
QT_MUST_CHECK int store_tenant_delete(struct store_tx *tx, const char *id);

/*
 * Creating a store, changing its plan, status or domain and deleting it
 * (store_tenant_create, store_tenant_update, store_tenant_delete), and
 * adding an operator (store_operator_create), are platform changes.  On
 * PostgreSQL the tenant changes run in SECURITY DEFINER functions that
 * allow them only to the owner role (the CLI, with the migration URL) or
 * in a transaction bound to a live operator session by
 * store_operator_session() (store_sessions.h); otherwise they fail with
 * STORE_ERROR ("insufficient_privilege").  On SQLite there are no roles:
 * the callers' checks are the only gate.
 *
 * store_platform_admin sets *yes to 1 when tx's connection may make them
 * without an operator session (SQLite, or the owner role), else 0: the
 * CLI asks first, to say which URL it needs.
 */
QT_MUST_CHECK int store_platform_admin(struct store_tx *tx, int *yes);

/* Re-scope a platform transaction to a tenant (after creating one, for
 * seeding, for a refresh token's store): afterwards the tenant functions
 * may be called on tx, and on PostgreSQL Row Level Security shows that
 * tenant's rows. */
QT_MUST_CHECK int store_tx_enter_tenant(struct store_tx *tx, const char *tenant_id);

#endif
