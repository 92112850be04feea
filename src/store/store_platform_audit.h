/*
 * store_platform_audit.h — the platform's own audit trail: every operator
 * action (creating, re-planning, suspending, reactivating and deleting a
 * store; creating, changing and deleting a plan; signing in) as one
 * hash-chained row, kept apart from the stores' trails so that it outlives
 * a purged store.
 *
 * The chain is built as a store's (store_audit.c): hash = SHA-256(prev_hash
 * || canonical row), the canonical row being the same sorted compact JSON
 * with "tenant_id": null; the head is one row, locked while a row is added,
 * so the chain stays linear across server processes.  Rows are never
 * updated or deleted (triggers refuse both, on both backends).
 *
 * On PostgreSQL the app role may read the trail but adds to it only through
 * definer functions that need the owner role or a live operator session
 * (store_operator_session()), and a row written in an operator's session
 * must name that operator as its actor.
 *
 * Takes a platform transaction (a store transaction works too; the trail
 * has no tenant).  Strings in returned records come from the arena.
 * Every function returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_PLATFORM_AUDIT_H
#define QT_STORE_PLATFORM_AUDIT_H

#include "store/store.h"

/* Append a row for `action` on entity/entity_id (before/after may be NULL;
 * serialized with sorted keys, not taken).  actor names who acted and from
 * where; NULL takes the transaction's actor.  tx must write. */
QT_MUST_CHECK int store_platform_audit(struct store_tx *tx, const struct store_actor *actor,
	const char *action, const char *entity, const char *entity_id, json_t *before, json_t *after);

struct platform_audit_filter {
	const char *action;        /* NULL = any */
	const char *entity;
	const char *entity_id;
	const char *actor;
	int64_t before_seq;        /* keyset cursor: rows with seq < this; 0 = from the newest */
	int limit;
};

/* Up to f->limit rows matching f, newest first, into *out (an arena array,
 * never NULL) and *n; the rows are struct audit_row with tenant-less
 * chains (store.h). */
QT_MUST_CHECK int store_platform_audit_list(struct store_tx *tx, const struct platform_audit_filter *f,
	struct arena *a, struct audit_row **out, int *n);

/* Recompute the platform chain a page at a time; *out as for
 * store_audit_verify (store.h). */
QT_MUST_CHECK int store_platform_audit_verify(struct store_tx *tx, struct audit_chain_status *out);

#endif
