/*
 * store_idempotency.h — Idempotency-Key records, per tenant, kept at least
 * 24 hours.  Claiming a key and completing it happen inside the same
 * tenant write transaction as the effect, so a duplicate either waits for
 * the first to commit (and then replays it) or finds it already there.
 */
#ifndef QT_STORE_IDEMPOTENCY_H
#define QT_STORE_IDEMPOTENCY_H

#include "store/store.h"

enum { IDEM_NEW = 0, IDEM_REPLAY = 1, IDEM_MISMATCH = 2 };

/* Claim `key` for a request whose hash is request_hash.  Returns IDEM_NEW
 * (go ahead, then call store_idem_complete), IDEM_REPLAY (*status and
 * *body, from arena a, hold the first response), IDEM_MISMATCH (same key,
 * different request), or a negative STORE_* code. */
QT_MUST_CHECK int store_idem_claim(struct store_tx *tx, const char *key, const char *request_hash,
	struct arena *a, int *status, char **body);
QT_MUST_CHECK int store_idem_complete(struct store_tx *tx, const char *key, int status, const char *body);
/* Delete keys older than cutoff_ms (all tenants; run by serve hourly).
 * Every tenant is tried; returns STORE_OK or the first failure's code. */
QT_MUST_CHECK int store_idem_expire(struct store *s, int64_t cutoff_ms);

#endif
