/*
 * store_plans.h — the plans a store can be on and what each allows.  The
 * migrations seed free, starter, professional and enterprise; the operator
 * creates, changes and deletes plans (api/platform.c).  plans is a platform
 * table: the reads work from any transaction; the changes are platform
 * changes (on PostgreSQL definer functions allow them to the owner role or
 * a live operator session only, see store_tenants.h).  Strings in returned
 * records come from the arena `a` and live as long as it.  Every function
 * returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_PLANS_H
#define QT_STORE_PLANS_H

#include "store/store.h"

struct plan_rec {
	char *name;
	int64_t customer_limit;     /* -1 = unlimited */
	int64_t storage_mb;
	int64_t requests_per_min;   /* -1 = unlimited */
	char *features;             /* the features column: a JSON array of feature names, as text */
	int64_t created_at;
	int64_t updated_at;         /* the plan's version: it moves forward on every change */
};

/* The plan called name; STORE_NOT_FOUND when there is none. */
QT_MUST_CHECK int store_plan_get(struct store_tx *tx, const char *name, struct arena *a,
	struct plan_rec *out);
/* Every plan, smallest customer limit first and the unlimited ones last,
 * into *out (an arena array, never NULL) and *n rows. */
QT_MUST_CHECK int store_plan_list(struct store_tx *tx, struct arena *a, struct plan_rec **out, int *n);

/* Create plan p (name, limits, features; the times are set here).
 * STORE_CONFLICT when a plan has this name. */
QT_MUST_CHECK int store_plan_create(struct store_tx *tx, const struct plan_rec *p);
/* Replace the limits and features of plan p->name; its updated_at moves
 * forward (past the old one even within one millisecond), which is what
 * tells every server process that the plan changed.  STORE_NOT_FOUND when
 * there is no such plan. */
QT_MUST_CHECK int store_plan_update(struct store_tx *tx, const struct plan_rec *p);
/* Delete plan name.  STORE_NOT_FOUND when there is none, STORE_CONFLICT
 * when a store is on it (the caller checks with store_plan_tenant_count
 * first; the foreign key is the last word). */
QT_MUST_CHECK int store_plan_delete(struct store_tx *tx, const char *name);
/* How many stores are on plan name, into *count. */
QT_MUST_CHECK int store_plan_tenant_count(struct store_tx *tx, const char *name, int64_t *count);

#endif
