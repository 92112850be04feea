/*
 * store_verify.h — checking one tenant's ledger and audit chain against
 * themselves, for `quantumtrack verify`.  The store finds the problems;
 * the CLI words them (cli/verify.c) and runs the checks of many tenants,
 * and the parts of one long chain, side by side, each in a transaction
 * of its own.
 */
#ifndef QT_STORE_VERIFY_H
#define QT_STORE_VERIFY_H

#include "store/store.h"

enum ledger_problem_kind {
	/* Entry problems: entry_id, entry_type, amount_minor are set. */
	LEDGER_PROBLEM_REVERSES_MISSING = 1, /* a reversal names no entry that exists (reverses_id) */
	LEDGER_PROBLEM_REVERSAL_AMOUNT,      /* a reversal's amount is not the reversed entry's
						(reversed_amount_minor) */
	LEDGER_PROBLEM_EFFECT,               /* the recorded effect does not follow from type and
						amount (recorded_effect_minor, expected_effect_minor) */
	/* Customer problems: customer_id, customer_name, stored_balance_minor are set. */
	LEDGER_PROBLEM_BALANCE,              /* the entries sum to entries_sum_minor instead */
	LEDGER_PROBLEM_BALANCE_OVERFLOW,     /* the entries sum past int64 */
	LEDGER_PROBLEM_DERIVED,              /* a field derived from the entries (field) holds
						stored_text where they give expected_text */
};

struct ledger_problem {
	enum ledger_problem_kind kind;
	char *entry_id, *entry_type;
	char *reverses_id;                   /* NULL when the reversal names none */
	int64_t amount_minor;
	int64_t reversed_amount_minor;
	int64_t recorded_effect_minor, expected_effect_minor;
	char *customer_id, *customer_name;
	int64_t stored_balance_minor;
	int64_t entries_sum_minor;
	/* LEDGER_PROBLEM_DERIVED: the column ("open_lots", "oldest_due_at",
	 * "last_purchase_at", "last_payment_at") and both values as text
	 * ("null" for SQL NULL; times in unix ms; open lots in the text form
	 * of domain/open_lots.h, quoted). */
	const char *field;
	char *stored_text, *expected_text;
};

/*
 * Recompute, in one pass over the tenant's entries (one indexed scan, by
 * customer and date) merged with its customers (one scan, by id):
 *   each entry's effect from its type and amount (a reversal's from the
 *   entry it reverses);
 *   each customer's balance from its entries;
 *   and the fields each entry's writer keeps in the customer row, from a
 *   full FIFO walk over the customer's entries (aging_compute_lots): the
 *   open lots (when the row keeps them: NULL, "not kept", always holds,
 *   since readers then go to the entries), the oldest due (at the store's
 *   credit period), the last purchase and last payment not reversed.
 * Compare with what is stored.  A customer whose entries sum past int64 is
 * reported as such and not walked.  Every problem found goes into *out (an
 * arena array, never NULL; strings from the arena too), *n of them, entry
 * problems first (by entry id), then customers (by id; for one customer
 * its balance, then its derived fields in the order above).  Returns
 * STORE_OK, even with problems, or a negative STORE_* code when the ledger
 * cannot be read.
 */
QT_MUST_CHECK int store_ledger_verify(struct store_tx *tx, struct arena *a,
	struct ledger_problem **out, int *n);

/* How far the tenant's audit chain reaches in this transaction's snapshot:
 * last_seq is the highest seq of its rows (0 when none), head_seq what its
 * chain head says (has_head 0 when it has none). */
struct audit_extent {
	int64_t last_seq;
	int has_head;
	int64_t head_seq;
};
QT_MUST_CHECK int store_audit_extent(struct store_tx *tx, struct audit_extent *out);

/*
 * Check the rows lo+1..hi of the tenant's chain (0 <= lo <= hi, hi at most
 * a last_seq seen by store_audit_extent): their seqs follow one another,
 * each row's prev_hash is the stored hash of the row before it (row lo's
 * for row lo+1; the zero hash for row 1), and each row's hash is SHA-256
 * of that prev_hash and the row's canonical text.  *out is the first
 * break in the range, or AUDIT_CHAIN_INTACT.
 *
 * Rows are never changed or deleted (triggers, grants), and a row with a
 * lower seq is never added later, so the ranges of one chain may be
 * checked in transactions of their own, even while the chain grows: the
 * first break of the whole chain is the first break of the first range
 * that has one, and when none has, the chain breaks only where
 * store_audit_extent's last_seq and head_seq differ (the break
 * store_audit_verify reports as AUDIT_CHAIN_HEAD_MISMATCH).
 */
QT_MUST_CHECK int store_audit_verify_range(struct store_tx *tx, int64_t lo, int64_t hi,
	struct audit_chain_status *out);

#endif
