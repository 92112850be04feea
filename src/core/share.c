/* share.c — see share.h. */
#include <string.h>

#include "core/audit_payload.h"
#include "core/share.h"
#include "security/token.h"
#include "store/store_customers.h"
#include "util/uuid.h"

int share_create(struct store_tx *tx, const uint8_t key[SHARE_KEY_BYTES],
	const char *tenant_id, const char *customer_id, int days, int64_t now_ms, struct arena *a,
	struct share_rec *out, char token[SHARE_TOKEN_LEN + 1])
{
	struct customer_rec c;
	char hash[TOKEN_HASH_LEN + 1];

	token[0] = '\0';
	if (days < SHARE_DAYS_MIN || days > SHARE_DAYS_MAX || !uuid_valid(customer_id))
		return STORE_ERROR;
	int rc = store_customer_get(tx, customer_id, 0, a, &c);
	if (rc != STORE_OK)
		return rc;
	char *id = arena_alloc(a, 37);
	uuid_v7(id);
	if (share_token_make(key, tenant_id, id, token) != SHARE_TOKEN_OK)
		return STORE_ERROR;
	token_hash(token, hash);
	memset(out, 0, sizeof *out);
	out->id = id;
	out->customer_id = c.id;
	out->token_hash = arena_strdup(a, hash);
	out->expires_at = now_ms + (int64_t)days * 86400000;
	out->created_at = now_ms;
	rc = store_share_insert(tx, out);
	if (rc == STORE_OK) {
		json_t *after = audit_payload_share(out);
		rc = store_audit(tx, "share.created", "share", id, NULL, after);
		json_decref(after);
	}
	if (rc != STORE_OK)
		token[0] = '\0';
	return rc;
}

int share_revoke(struct store_tx *tx, const char *id, int64_t now_ms, struct arena *a)
{
	struct share_rec before, after;
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	int rc = store_share_get(tx, id, a, &before);
	if (rc != STORE_OK || before.revoked_at)
		return rc;
	rc = store_share_revoke(tx, id, now_ms);
	if (rc == STORE_OK)
		rc = store_share_get(tx, id, a, &after);
	if (rc == STORE_OK) {
		json_t *b = audit_payload_share(&before), *af = audit_payload_share(&after);
		rc = store_audit(tx, "share.revoked", "share", id, b, af);
		json_decref(b);
		json_decref(af);
	}
	return rc;
}

char *share_url(struct arena *a, const char *base, const char *token)
{
	return arena_printf(a, "%s/s/%s", base, token);
}
