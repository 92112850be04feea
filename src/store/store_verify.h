/*
 * store_verify.h — checking one tenant's ledger against itself, for
 * `quantumtrack verify` (the audit chain is checked by store_audit_verify).
 */
#ifndef QT_STORE_VERIFY_H
#define QT_STORE_VERIFY_H

#include "store/store.h"

/* Verification: recompute each customer's balance from its entries (each
 * entry's effect from its type and amount) and compare with the stored
 * balance.  Writes one line per problem to `report` (a JSON array of
 * strings); returns the number of problems or a negative STORE_* code. */
int store_ledger_verify(struct store_tx *tx, json_t *report);

#endif
