/*
 * store_customers.h — the customers of one tenant.  Every function takes a
 * tenant transaction first and scopes by the transaction's tenant.  Strings
 * in records come from the arena `a` and live as long as it.
 *
 * The ledger-derived fields (balance, oldest due, last purchase, payment
 * and activity) are written only with an entry, through
 * store_customer_set_ledger (core/ledger.c).
 */
#ifndef QT_STORE_CUSTOMERS_H
#define QT_STORE_CUSTOMERS_H

#include "store/store.h"

struct customer_rec {
	char *id, *name, *phone, *apartment, *email, *notes, *status;
	int64_t tower, floor, unit;            /* meaningful when apartment != NULL */
	int64_t credit_limit_minor;            /* when has_credit_limit */
	int has_credit_limit;
	int reminders_opt_out;
	int64_t balance_minor;
	int64_t oldest_due_at;                 /* 0 = nothing unpaid */
	/* The open lots in the text form of domain/open_lots.h; NULL when the
	 * row does not keep them (too many) or they were not read. */
	char *open_lots;
	int64_t last_purchase_at, last_payment_at, last_activity_at;
	int64_t created_at, updated_at;
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

/* STORE_CONFLICT when the id is taken. */
QT_MUST_CHECK int store_customer_insert(struct store_tx *tx, const struct customer_rec *c);
/* lock=1 holds the row for the rest of the transaction (FOR UPDATE on
 * PostgreSQL; SQLite's write transaction already holds the database).
 * STORE_NOT_FOUND when the tenant has no such customer. */
QT_MUST_CHECK int store_customer_get(struct store_tx *tx, const char *id, int lock, struct arena *a,
	struct customer_rec *out);
/* Profile fields: name, phone, apartment, tower, floor, unit, email,
 * credit limit, notes, status, reminders_opt_out.  STORE_NOT_FOUND when
 * no row matched. */
QT_MUST_CHECK int store_customer_update(struct store_tx *tx, const struct customer_rec *c);
/* Ledger-derived fields, written with each entry: balance, oldest due,
 * open lots (NULL writes "not kept"), last purchase, payment and activity.
 * The caller holds the row's lock (read with lock=1 in this transaction).
 * On SQLite STORE_NOT_FOUND when no row matched; on PostgreSQL the update
 * is sent without waiting (store_exec_later). */
QT_MUST_CHECK int store_customer_set_ledger(struct store_tx *tx, const struct customer_rec *c);
/* The store's credit period changed by delta_ms: every oldest due moves
 * with it (a due is the lot's date plus the period), so the column stays
 * what the entries give under the period in force. */
QT_MUST_CHECK int store_customers_shift_due(struct store_tx *tx, int64_t delta_ms);
/* Active customers into *n.  On PostgreSQL it also takes a per-tenant lock
 * to the end of the transaction, so count-then-insert is atomic. */
QT_MUST_CHECK int store_customer_count_active(struct store_tx *tx, int64_t *n);
/* The active customers with this E.164 phone (at most one, by the unique
 * index; archived ones are left out): their ids into *ids (arena). */
QT_MUST_CHECK int store_customers_by_phone(struct store_tx *tx, const char *phone, struct arena *a,
	char ***ids, int *n);
/* Set reminders_opt_out; STORE_NOT_FOUND when no such customer. */
QT_MUST_CHECK int store_customer_set_opt_out(struct store_tx *tx, const char *id, int opted_out);
/* 1 when another active customer (not exclude_id) has this phone, 0 when
 * none, or a negative STORE_* code. */
QT_MUST_CHECK int store_customer_phone_taken(struct store_tx *tx, const char *phone, const char *exclude_id);
/* Up to f->limit rows into *out (arena array), *n rows. */
QT_MUST_CHECK int store_customer_list(struct store_tx *tx, const struct customer_filter *f,
	struct arena *a, struct customer_rec **out, int *n);
/* Every customer whose apartment is `number`, by name. */
QT_MUST_CHECK int store_customers_in_apartment(struct store_tx *tx, const char *number,
	struct arena *a, struct customer_rec **out, int *n);

#endif
