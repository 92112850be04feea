/*
 * share.h — shared statement links that need the store: making one for a
 * customer (a fresh id and signed token, only its hash stored, audited) and
 * revoking one (audited once).  The token format is security/share_token.h;
 * the pages are api/shares.c.
 *
 * Both run inside the caller's tenant write transaction and write their
 * audit row ("share.created", "share.revoked") in it.  The reminder
 * template's {statement_link} makes its link here too, with
 * SHARE_DAYS_DEFAULT.
 */
#ifndef QT_CORE_SHARE_H
#define QT_CORE_SHARE_H

#include <stdint.h>

#include "security/share_token.h"
#include "store/store_shares.h"

#define SHARE_DAYS_DEFAULT 30
#define SHARE_DAYS_MIN 1
#define SHARE_DAYS_MAX 90

/*
 * Make a link to customer_id's statement that works for `days` days from
 * now_ms.  tenant_id is the transaction's tenant (it goes into the token).
 * On STORE_OK *out is the stored share (strings from a) and token holds
 * the token, which exists nowhere else: the caller hands it out once.
 * STORE_NOT_FOUND when the tenant has no such customer; STORE_ERROR for
 * days out of range or ids that are not UUIDs.
 */
QT_MUST_CHECK int share_create(struct store_tx *tx, const uint8_t key[SHARE_KEY_BYTES],
	const char *tenant_id, const char *customer_id, int days, int64_t now_ms, struct arena *a,
	struct share_rec *out, char token[SHARE_TOKEN_LEN + 1]);

/*
 * Revoke share id at now_ms.  Revoking a revoked share changes nothing and
 * writes no second audit row.  STORE_NOT_FOUND when the tenant has no such
 * share.
 */
QT_MUST_CHECK int share_revoke(struct store_tx *tx, const char *id, int64_t now_ms, struct arena *a);

/* "<base>/s/<token>" from the arena; base is scheme://host[:port] without
 * a trailing slash. */
char *share_url(struct arena *a, const char *base, const char *token);

#endif
