/*
 * store_ledger.h — customers, apartment records and ledger entries of one
 * tenant.  Every function takes a tenant transaction first and scopes by
 * tx->tenant_id.  Strings in records come from the arena `a`.
 *
 * Entries are append-only: there is no update or delete function, and the
 * schema refuses both (triggers on SQLite; grants and triggers on
 * PostgreSQL).
 */
#ifndef QT_STORE_LEDGER_H
#define QT_STORE_LEDGER_H

#include "store/store.h"

struct customer_rec {
	char *id, *name, *phone, *apartment, *email, *notes, *status;
	int64_t tower, floor, unit;            /* meaningful when apartment != NULL */
	int64_t credit_limit_minor;            /* when has_credit_limit */
	int has_credit_limit;
	int reminders_opt_out;
	int64_t balance_minor;
	int64_t oldest_due_at;                 /* 0 = nothing unpaid */
	int64_t last_purchase_at, last_payment_at, last_activity_at;
	int64_t created_at, updated_at;
};

struct entry_rec {
	char *id, *customer_id, *type, *note, *items, *payment_method, *payment_reference;
	char *reason, *override_reason, *reverses_id, *reversed_by_id, *created_by;
	int64_t amount_minor, effect_minor, occurred_at, created_at, balance_after_minor;
	int override;
};

struct apartment_rec {
	char *number, *occupant_name, *occupancy, *notes;
	int64_t tower, floor, unit, created_at, updated_at;
};

enum customer_sort { SORT_NAME, SORT_BALANCE, SORT_APARTMENT, SORT_LAST_ACTIVITY };

struct customer_filter {
	const char *q;              /* name substring, phone digits or apartment prefix */
	int64_t tower, floor;       /* -1 = any */
	const char *status;         /* "active", "archived" or NULL for both */
	int has_balance;            /* -1 any, 0 zero, 1 non-zero */
	int overdue;                /* -1 any, 0 not overdue, 1 overdue */
	int64_t now_ms;
	enum customer_sort sort;
	/* keyset cursor: the sort key of the last row seen, and its id */
	const char *after_text;
	int64_t after_int;
	const char *after_id;
	int limit;
};

struct entry_filter {
	const char *customer_id;
	const char *type;
	int64_t from_ms, to_ms;     /* 0 = open; to is exclusive */
	int64_t after_occurred;     /* keyset (newest first): rows before this */
	const char *after_id;
	int limit;
};

/* Customers */
int store_customer_insert(struct store_tx *tx, const struct customer_rec *c);
/* lock=1 holds the row for the rest of the transaction (FOR UPDATE on
 * PostgreSQL; SQLite's write transaction already holds the database). */
int store_customer_get(struct store_tx *tx, const char *id, int lock, struct arena *a,
	struct customer_rec *out);
/* Profile fields: name, phone, apartment, tower, floor, unit, email,
 * credit limit, notes, status, reminders_opt_out. */
int store_customer_update(struct store_tx *tx, const struct customer_rec *c);
/* Ledger-derived fields, written with each entry. */
int store_customer_set_ledger(struct store_tx *tx, const struct customer_rec *c);
int store_customer_count_active(struct store_tx *tx, int64_t *n);
/* 1 when another active customer (not exclude_id) has this phone. */
int store_customer_phone_taken(struct store_tx *tx, const char *phone, const char *exclude_id);
/* Up to f->limit rows into *out (arena array), *n rows. */
int store_customer_list(struct store_tx *tx, const struct customer_filter *f,
	struct arena *a, struct customer_rec **out, int *n);
int store_customers_in_apartment(struct store_tx *tx, const char *number,
	struct arena *a, struct customer_rec **out, int *n);

/* Entries */
int store_entry_insert(struct store_tx *tx, const struct entry_rec *e);
int store_entry_get(struct store_tx *tx, const char *id, struct arena *a, struct entry_rec *out);
/* Every entry of one customer, oldest first (by occurred_at, id). */
int store_entry_all_for_customer(struct store_tx *tx, const char *customer_id,
	struct arena *a, struct entry_rec **out, int *n);
/* The customer's open lots when it owes `balance`: entries with a
 * positive effect that are not reversals and were not reversed, newest
 * first (occurred_at, id descending), as many as it takes to reach the
 * balance (FIFO leaves the newest lots open).  Rows: occurred_at,
 * effect_minor. */
int store_entry_open_lots(struct store_tx *tx, const char *customer_id, int64_t balance,
	struct db_res **out);
/* occurred_at of the customer's latest entry of `type` that was not
 * reversed; 0 when none. */
int store_entry_latest(struct store_tx *tx, const char *customer_id, const char *type,
	int64_t *out);
/* Newest first with keyset paging. */
int store_entry_list(struct store_tx *tx, const struct entry_filter *f,
	struct arena *a, struct entry_rec **out, int *n);

/* Apartments */
int store_apartment_get(struct store_tx *tx, const char *number, struct arena *a,
	struct apartment_rec *out);
int store_apartment_insert(struct store_tx *tx, const struct apartment_rec *ap);
int store_apartment_update(struct store_tx *tx, const struct apartment_rec *ap);
/* tower/floor -1 = any; ordered by number; after = keyset (number) or NULL */
int store_apartment_list(struct store_tx *tx, int64_t tower, int64_t floor,
	const char *after, int limit, struct arena *a, struct apartment_rec **out, int *n);

/* Verification: recompute each customer's balance from its entries (each
 * entry's effect from its type and amount) and compare with the stored
 * balance.  Writes one line per problem to `report` (a JSON array of
 * strings); returns the number of problems or a negative STORE_* code. */
int store_ledger_verify(struct store_tx *tx, json_t *report);

#endif
