/*
 * store_api_keys.h — a store's API keys: integrations act in the store
 * with a key's role instead of a user's session (docs/API-KEYS.md).
 *
 * Only the SHA-256 of a key's text is stored (key_hash), with its first 8
 * characters (prefix) to tell keys apart in a list.  Revoking sets
 * revoked_at; the row stays, so audit rows that name the key keep a name.
 * A revoked key is never found again by store_api_key_lookup or
 * store_api_key_context, so it stops working on the next request of every
 * server process: nothing here is cached.
 *
 * Strings in returned records come from the arena `a` and live as long
 * as it.  Every function returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_API_KEYS_H
#define QT_STORE_API_KEYS_H

#include "store/store.h"
#include "store/store_users.h"

struct api_key_rec {
	char *id, *name, *role, *prefix, *created_by;
	int64_t created_at;
	int64_t last_used_at;       /* 0 = never used */
	int64_t expires_at;         /* 0 = never expires */
	int64_t revoked_at;         /* 0 = live */
};

/* What the lookup by hash gives before the store is known. */
struct api_key_hit {
	char *id, *tenant_id, *role;
	int64_t expires_at;         /* 0 = never */
	int64_t last_used_at;       /* 0 = never */
};

/* The live (not revoked) key whose text hashes to key_hash, in any store,
 * into *out: a platform transaction (on PostgreSQL through the definer
 * function qt_api_key(), which returns only that row's id, tenant, role,
 * expiry and last use).  STORE_NOT_FOUND when there is none.  Expiry is
 * the caller's to check. */
QT_MUST_CHECK int store_api_key_lookup(struct store_tx *tx, const char *key_hash, struct arena *a,
	struct api_key_hit *out);

/* Insert k (id, name, role, prefix, created_at, expires_at set by the
 * caller; created_by from the transaction's actor when NULL) with
 * key_hash, in the transaction's store.  STORE_CONFLICT when the hash is
 * taken (a 256-bit collision: never, in practice). */
QT_MUST_CHECK int store_api_key_insert(struct store_tx *tx, const struct api_key_rec *k,
	const char *key_hash);
/* The store's live keys, newest first, into *out (an arena array, never
 * NULL) and *n. */
QT_MUST_CHECK int store_api_key_list(struct store_tx *tx, struct arena *a, struct api_key_rec **out,
	int *n);
/* The store's key `id`, live or revoked; STORE_NOT_FOUND when it has
 * none (also for an id that is not a UUID). */
QT_MUST_CHECK int store_api_key_get(struct store_tx *tx, const char *id, struct arena *a,
	struct api_key_rec *out);
/* Revoke the live key `id` at now_ms; STORE_NOT_FOUND when the store has
 * no such live key. */
QT_MUST_CHECK int store_api_key_revoke(struct store_tx *tx, const char *id, int64_t now_ms);
/* Record a use at now_ms, unless one was recorded less than min_gap_ms
 * before (so a busy key writes its row at most once per min_gap_ms,
 * whatever the number of server processes).  *written says whether it did. */
QT_MUST_CHECK int store_api_key_touch(struct store_tx *tx, const char *id, int64_t now_ms,
	int64_t min_gap_ms, int *written);

/* What each request made with a key re-reads, in one query: the live
 * key's role (as out->role) and name (as out->name; out->email is ""),
 * its store, plan and settings, as store_member_context gives them for a
 * member, and the key's expiry into *expires_at (0 = never).
 * STORE_NOT_FOUND when the store has no such live key. */
QT_MUST_CHECK int store_api_key_context(struct store_tx *tx, const char *id, struct arena *a,
	struct member_ctx *out, int64_t *expires_at);

#endif
