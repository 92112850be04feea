/*
 * store_shares.h — shared statement links of one tenant: a customer's
 * read-only statement behind a signed, expiring, revocable token.  Only
 * the token's hash is stored.  Tenant transaction first; strings in
 * records come from the arena `a`.
 */
#ifndef QT_STORE_SHARES_H
#define QT_STORE_SHARES_H

#include "store/store.h"

struct share_rec {
	char *id, *customer_id, *token_hash, *created_by;
	int64_t expires_at, revoked_at, created_at;  /* revoked_at 0 = live */
};

/* Insert s (id, token_hash, expires_at, created_at set by the caller;
 * created_by from the transaction's actor when NULL). */
QT_MUST_CHECK int store_share_insert(struct store_tx *tx, const struct share_rec *s);
/* STORE_NOT_FOUND when the tenant has no such share. */
QT_MUST_CHECK int store_share_get(struct store_tx *tx, const char *id, struct arena *a, struct share_rec *out);
/* The share whose token hashes to token_hash, live or not; STORE_NOT_FOUND
 * when none. */
QT_MUST_CHECK int store_share_by_hash(struct store_tx *tx, const char *token_hash, struct arena *a,
	struct share_rec *out);
/* Revoke at now_ms (once: a revoked share keeps its first time).
 * STORE_NOT_FOUND when the tenant has no such share. */
QT_MUST_CHECK int store_share_revoke(struct store_tx *tx, const char *id, int64_t now_ms);

#endif
