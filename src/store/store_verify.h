/*
 * store_verify.h — checking one tenant's ledger against itself, for
 * `quantumtrack verify` (the audit chain is checked by store_audit_verify).
 * The store finds the problems; the CLI words them (cli/verify.c).
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
};

/* Recompute each entry's effect from its type and amount (a reversal's
 * from the entry it reverses) and each customer's balance from its
 * entries, and compare with what is stored.  Every problem found goes into
 * *out (an arena array, never NULL; strings from the arena too), *n of
 * them, entry problems first (by entry id), then customers (by id).
 * Returns STORE_OK, even with problems, or a negative STORE_* code when
 * the ledger cannot be read. */
QT_MUST_CHECK int store_ledger_verify(struct store_tx *tx, struct arena *a,
	struct ledger_problem **out, int *n);

#endif
