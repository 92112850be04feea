/*
 * ledger.h — the credit book's rules that need the store: recording an
 * entry under the credit limit, reversing one, keeping each customer's
 * derived fields (balance, open lots, oldest due, last purchase and
 * payment) in step with its entries in the customer's row, and the aging
 * read from them.
 *
 * Every function runs inside the caller's tenant write transaction; the
 * customer row is locked before its balance is read, so the limit check
 * and the insert are atomic even under parallel requests.  Each change
 * writes its audit row in the same transaction.
 */
#ifndef QT_CORE_LEDGER_H
#define QT_CORE_LEDGER_H

#include <jansson.h>

#include "domain/aging.h"
#include "store/store_customers.h"
#include "store/store_entries.h"
#include "store/store_settings.h"

enum {
	LEDGER_ARCHIVED = -20,          /* customer archived: no new entries */
	LEDGER_LIMIT = -21,             /* credit_limit_exceeded */
	LEDGER_OVERFLOW = -22,          /* balance would overflow int64 */
	LEDGER_ALREADY_REVERSED = -23,
	LEDGER_REVERSE_REVERSAL = -24,
};

struct entry_input {
	const char *customer_id;
	const char *type;               /* purchase, payment, adjustment */
	int64_t amount_minor;           /* > 0; signed for adjustment */
	int64_t occurred_at;            /* unix ms */
	const char *note;
	const char *items_json;         /* validated JSON array text or NULL */
	const char *payment_method;
	const char *payment_reference;
	const char *reason;
	int override;
	const char *override_reason;
};

struct limit_refusal {
	int64_t credit_limit_minor;
	int64_t balance_minor;
	int64_t shortfall_minor;        /* how far over the limit it would go */
	int64_t available_credit_minor;
};

/* The credit limit that applies to c. */
int64_t ledger_credit_limit(const struct customer_rec *c, const struct settings_rec *s);

/* What c may still buy on credit: max(limit - balance, 0).  Returns 0 with
 * *out set, or LEDGER_OVERFLOW when limit - balance does not fit int64 (a
 * balance in credit near INT64_MIN). */
int ledger_available_credit(const struct customer_rec *c, const struct settings_rec *s,
	int64_t *out);

/* Record one entry.  Returns STORE_OK with *out filled, a STORE_* code, or
 * a LEDGER_* code (LEDGER_LIMIT fills *why). */
int ledger_record(struct store_tx *tx, const struct settings_rec *s,
	const struct entry_input *in, int64_t now_ms, struct arena *a,
	struct entry_rec *out, struct limit_refusal *why);

/* Reverse entry `id` with a reason.  STORE_NOT_FOUND, LEDGER_ARCHIVED (the
 * customer is archived), LEDGER_REVERSE_REVERSAL, LEDGER_ALREADY_REVERSED or
 * LEDGER_OVERFLOW, else STORE_OK with the reversal in *out. */
int ledger_reverse(struct store_tx *tx, const struct settings_rec *s, const char *id,
	const char *reason, int64_t now_ms, struct arena *a, struct entry_rec *out);

/* Aging of customer c at now_ms.  From the open lots the customer row
 * keeps (c->open_lots, domain/open_lots.h) when it keeps them and they add
 * up to c->balance_minor: no query.  Otherwise (a customer with more than
 * OPEN_LOTS_MAX open lots, or a record read without them) the open lots
 * are read from the entries: under FIFO settlement they are the newest
 * ones adding up to the balance, so only those (a few rows), falling back
 * to the full walk over every entry when they do not cover the balance.
 * LEDGER_OVERFLOW when a due date or sum passes int64. */
int ledger_aging(struct store_tx *tx, const struct settings_rec *s,
	const struct customer_rec *c, int64_t now_ms, struct arena *a, struct aging_result *out);

/* Recompute c's open lots (c->open_lots: the text, or NULL when there are
 * too many to keep) and c->oldest_due_at from its entries, for the
 * balance in c->balance_minor; nothing is written (the caller writes them
 * with store_customer_set_ledger in the same transaction).  Strings come
 * from a.  For writers that do not go through ledger_record (the import). */
int ledger_refresh_derived(struct store_tx *tx, const struct settings_rec *s,
	struct customer_rec *c, int64_t now_ms, struct arena *a);

/* The full walk over every entry of the customer (aging_compute). */
int ledger_aging_full(struct store_tx *tx, const struct settings_rec *s, const char *customer_id,
	int64_t now_ms, struct arena *a, struct aging_result *out);

#endif
