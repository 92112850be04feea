/*
 * store_entries.h — the ledger entries of one tenant (the transactions
 * table).  Every function takes a tenant transaction first and scopes by
 * the transaction's tenant.  Strings in records come from the arena `a`.
 *
 * Entries are append-only: there is no update or delete function, and the
 * schema refuses both (triggers on SQLite; grants and triggers on
 * PostgreSQL).
 */
#ifndef QT_STORE_ENTRIES_H
#define QT_STORE_ENTRIES_H

#include "store/store.h"

struct entry_rec {
	char *id, *customer_id, *type, *note, *items, *payment_method, *payment_reference;
	char *reason, *override_reason, *reverses_id, *reversed_by_id, *created_by;
	int64_t amount_minor, effect_minor, occurred_at, created_at, balance_after_minor;
	int override;
};

struct entry_filter {
	const char *customer_id;
	const char *type;
	int64_t from_ms, to_ms;     /* 0 = open; to is exclusive */
	int64_t after_occurred;     /* keyset (newest first): rows before this */
	const char *after_id;
	int limit;
};

QT_MUST_CHECK int store_entry_insert(struct store_tx *tx, const struct entry_rec *e);
/* STORE_NOT_FOUND when the tenant has no such entry. */
QT_MUST_CHECK int store_entry_get(struct store_tx *tx, const char *id, struct arena *a, struct entry_rec *out);
/* Every entry of one customer, oldest first (by occurred_at, id). */
QT_MUST_CHECK int store_entry_all_for_customer(struct store_tx *tx, const char *customer_id,
	struct arena *a, struct entry_rec **out, int *n);
/* The customer's open lots when it owes `balance`: entries with a
 * positive effect that are not reversals and were not reversed, newest
 * first (occurred_at, id descending), as many as it takes to reach the
 * balance (FIFO leaves the newest lots open; fewer when the entries do not
 * reach it).  Lot i is (*occurred_at)[i], (*effect_minor)[i]; both arrays
 * come from the arena (never NULL) and hold *n lots. */
QT_MUST_CHECK int store_entry_open_lots(struct store_tx *tx, const char *customer_id, int64_t balance,
	struct arena *a, int64_t **occurred_at, int64_t **effect_minor, size_t *n);
/* occurred_at of the customer's latest entry of `type` that was not
 * reversed; 0 when none. */
QT_MUST_CHECK int store_entry_latest(struct store_tx *tx, const char *customer_id, const char *type,
	int64_t *out);
/* Newest first with keyset paging. */
QT_MUST_CHECK int store_entry_list(struct store_tx *tx, const struct entry_filter *f,
	struct arena *a, struct entry_rec **out, int *n);

#endif
