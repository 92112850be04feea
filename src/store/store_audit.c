/*
 * store_audit.c — the per-tenant hash-chained audit trail.
 *
 * Each row stores hash = SHA-256(prev_hash || canonical row), where the
 * canonical row is a compact JSON object with sorted keys over every
 * column except the hashes.  The chain head (last seq and hash) lives in
 * audit_heads; appending locks it (FOR UPDATE on PostgreSQL, the write
 * transaction on SQLite), so the chain stays linear under parallel writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/hex.h"
#include "util/buf.h"
#include "store/store_internal.h"
#include "util/jsonesc.h"
#include "util/clock.h"
#include "util/uuid.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* ,"key": then the value as a JSON string or null.  key is a plain
 * literal with its quotes and colon: "\"action\":".  Strings as jansson's
 * compact dump writes them (the first rows of every chain were hashed
 * that way), bytes kept as stored: see util/jsonesc.h. */
static void put_member(struct buf *b, const char *key, size_t key_len, const char *value)
{
	buf_append(b, key, key_len);
	if (value)
		json_escape_append(b, value, strlen(value), JSON_ESCAPE_BYTES);
	else
		buf_append(b, "null", 4);
}

#define MEMBER(b, key, value) put_member(b, ",\"" key "\":", sizeof(",\"" key "\":") - 1, value)

static void put_int_member(struct buf *b, const char *key, size_t key_len, int64_t v)
{
	/* What "%lld" writes, without printf (verify writes two a row). */
	char num[24];
	size_t n = sizeof num;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		num[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		num[--n] = '-';
	buf_append(b, key, key_len);
	buf_append(b, num + n, sizeof num - n);
}

#define INT_MEMBER(b, key, v) put_int_member(b, ",\"" key "\":", sizeof(",\"" key "\":") - 1, v)

/* The canonical text of one row into b (emptied first); store_internal.h. */
void store_audit_canonical_into(struct buf *b, const char *tenant_id, int64_t seq, const char *id,
	const char *actor_id, const char *actor_role, const char *action,
	const char *entity, const char *entity_id, const char *before_json,
	const char *after_json, const char *request_id, const char *client_ip,
	int64_t created_at)
{
	b->len = 0;
	buf_grow(b, 512);
	put_member(b, "{\"action\":", sizeof("{\"action\":") - 1, action);
	MEMBER(b, "actor_id", actor_id);
	MEMBER(b, "actor_role", actor_role);
	MEMBER(b, "after", after_json);
	MEMBER(b, "before", before_json);
	MEMBER(b, "client_ip", client_ip);
	INT_MEMBER(b, "created_at", created_at);
	MEMBER(b, "entity", entity);
	MEMBER(b, "entity_id", entity_id);
	MEMBER(b, "id", id);
	MEMBER(b, "request_id", request_id);
	INT_MEMBER(b, "seq", seq);
	MEMBER(b, "tenant_id", tenant_id);
	buf_putc(b, '}');
}

/* Written by hand rather than through jansson: verify hashes every row of
 * every chain, and this is several times faster.  The output is byte for
 * byte what json_dumps(JSON_COMPACT | JSON_SORT_KEYS) gives for the same
 * object (tests/unit/test_audit_canonical.c holds the two side by side). */
char *audit_canonical(const char *tenant_id, int64_t seq, const char *id,
	const char *actor_id, const char *actor_role, const char *action,
	const char *entity, const char *entity_id, const char *before_json,
	const char *after_json, const char *request_id, const char *client_ip,
	int64_t created_at)
{
	struct buf b;
	buf_init(&b);
	store_audit_canonical_into(&b, tenant_id, seq, id, actor_id, actor_role, action, entity,
		entity_id, before_json, after_json, request_id, client_ip, created_at);
	return buf_detach(&b);
}

/* SHA-256(prev || canonical) as hex, without joining the two; store_internal.h. */
void store_audit_chain_hash(const char *prev, const char *canonical, size_t canonical_len, char out[65])
{
	crypto_hash_sha256_state st;
	uint8_t digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)prev, strlen(prev));
	crypto_hash_sha256_update(&st, (const uint8_t *)canonical, canonical_len);
	crypto_hash_sha256_final(&st, digest);
	hex_encode(digest, sizeof digest, out);
}

/* PostgreSQL: the head is locked, the row numbered and hashed, and the
 * head moved by audit_append() (migration 19), sent with the commit so the
 * store's audit head is held only while the commit's pipeline runs.  The
 * canonical text is written here with seq 0 and cut around its seq member
 * (the members are in key order, and a quote inside a value is escaped, so
 * ,"seq":0,"tenant_id": occurs once); the function puts the seq back. */
static int audit_append_pg(struct store_tx *tx, const char *action, const char *entity,
	const char *entity_id, json_t *before, json_t *after)
{
	static const char seq_member[] = ",\"seq\":0,\"tenant_id\":";
	char *before_text = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *after_text = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char id[37];
	int64_t now = clock_now_ms();
	int rc = STORE_ERROR;

	uuid_v7(id);
	char *canonical = audit_canonical(tx->tenant_id, 0, id, tx->actor.actor_id,
		tx->actor.actor_role, action, entity, entity_id, before_text, after_text,
		tx->actor.request_id, tx->actor.client_ip, now);
	char *cut = canonical ? strstr(canonical, seq_member) : NULL;
	if ((before && !before_text) || (after && !after_text) || !cut)
		goto out;
	*cut = '\0';
	/* The tail starts at the tenant member: the comma before "tenant_id". */
	const char *tail = cut + sizeof ",\"seq\":0" - 1;
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(tx->actor.actor_id),
		DB_TEXT(tx->actor.actor_role), DB_TEXT(action), DB_TEXT(entity),
		DB_TEXT(entity_id), DB_TEXT(before_text), DB_TEXT(after_text),
		DB_TEXT(tx->actor.request_id), DB_TEXT(tx->actor.client_ip), DB_INT(now),
		DB_TEXT(canonical), DB_TEXT(tail),
	};
	rc = store_exec_later(tx,
		"SELECT audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
		p, 14, NULL);
out:
	free(before_text);
	free(after_text);
	free(canonical);
	return rc;
}

int store_audit(struct store_tx *tx, const char *action, const char *entity,
	const char *entity_id, json_t *before, json_t *after)
{
	static const char head_sqlite[] =
		"SELECT seq, hash FROM audit_heads WHERE tenant_id = $1";
	static const char head_pg[] =
		"SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE";
	struct db_res *r = NULL;
	char *before_text = NULL, *after_text = NULL, *canonical = NULL;
	char id[37], hash[65], prev[65];
	int64_t seq = 1, now = clock_now_ms();
	int rc;

	if (!tx->tenant_id[0])
		return STORE_ERROR;
	if (db_conn_dialect(tx->conn) == DB_POSTGRES)
		return audit_append_pg(tx, action, entity, entity_id, before, after);
	struct db_param p1[] = { DB_TEXT(tx->tenant_id) };
	rc = store_exec(tx, db_conn_dialect(tx->conn) == DB_POSTGRES ? head_pg : head_sqlite,
		p1, 1, &r);
	if (rc != STORE_OK)
		goto out;
	if (db_res_rows(r) == 0) {
		snprintf(prev, sizeof prev, "%s", ZERO_HASH);
		struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(ZERO_HASH) };
		rc = store_exec(tx, "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)",
			p, 2, NULL);
		if (rc != STORE_OK)
			goto out;
	} else {
		seq = db_res_int(r, 0, 0) + 1;
		snprintf(prev, sizeof prev, "%s", db_res_text(r, 0, 1));
	}
	if (before)
		before_text = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
	if (after)
		after_text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
	uuid_v7(id);
	canonical = audit_canonical(tx->tenant_id, seq, id, tx->actor.actor_id,
		tx->actor.actor_role, action, entity, entity_id, before_text, after_text,
		tx->actor.request_id, tx->actor.client_ip, now);
	store_audit_chain_hash(prev, canonical, strlen(canonical), hash);

	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_INT(seq), DB_TEXT(id), DB_TEXT(tx->actor.actor_id),
		DB_TEXT(tx->actor.actor_role), DB_TEXT(action), DB_TEXT(entity),
		DB_TEXT(entity_id), DB_TEXT(before_text), DB_TEXT(after_text),
		DB_TEXT(tx->actor.request_id), DB_TEXT(tx->actor.client_ip), DB_INT(now),
		DB_TEXT(prev), DB_TEXT(hash),
	};
	/* The head is locked: the append and the head's move can only fail
	 * as faults, reported by the next statement or the commit. */
	rc = store_exec_later(tx,
		"INSERT INTO audit_log (tenant_id, seq, id, actor_id, actor_role, action, entity,"
		" entity_id, before_json, after_json, request_id, client_ip, created_at, prev_hash, hash)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
		p, 15, NULL);
	if (rc != STORE_OK)
		goto out;
	struct db_param p3[] = { DB_TEXT(tx->tenant_id), DB_INT(seq), DB_TEXT(hash) };
	rc = store_exec_later(tx, "UPDATE audit_heads SET seq = $2, hash = $3 WHERE tenant_id = $1",
		p3, 3, NULL);
out:
	db_res_free(r);
	free(before_text);
	free(after_text);
	free(canonical);
	return rc;
}

int store_audit_list(struct store_tx *tx, const struct audit_filter *f, struct arena *a,
	struct audit_row **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(f->entity), DB_TEXT(f->entity_id),
		DB_TEXT(f->actor), DB_INT(f->from_ms), DB_INT(f->to_ms),
		DB_INT(f->before_seq), DB_INT(f->limit),
	};
	int rc = store_exec(tx,
		"SELECT seq, id, actor_id, actor_role, action, entity, entity_id, before_json,"
		" after_json, request_id, client_ip, created_at, prev_hash, hash"
		" FROM audit_log WHERE tenant_id = $1"
		" AND (entity = $2 OR $2 IS NULL) AND (entity_id = $3 OR $3 IS NULL)"
		" AND (actor_id = $4 OR $4 IS NULL)"
		" AND ($5 = 0 OR created_at >= $5) AND ($6 = 0 OR created_at < $6)"
		" AND ($7 = 0 OR seq < $7)"
		" ORDER BY seq DESC LIMIT $8", p, 8, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct audit_row *o = &(*out)[i];
		o->seq = db_res_int(r, i, 0);
		o->id = store_dup(a, r, i, 1);
		o->actor_id = store_dup(a, r, i, 2);
		o->actor_role = store_dup(a, r, i, 3);
		o->action = store_dup(a, r, i, 4);
		o->entity = store_dup(a, r, i, 5);
		o->entity_id = store_dup(a, r, i, 6);
		o->before_json = store_dup(a, r, i, 7);
		o->after_json = store_dup(a, r, i, 8);
		o->request_id = store_dup(a, r, i, 9);
		o->client_ip = store_dup(a, r, i, 10);
		o->created_at = db_res_int(r, i, 11);
		o->prev_hash = store_dup(a, r, i, 12);
		o->hash = store_dup(a, r, i, 13);
	}
	db_res_free(r);
	return STORE_OK;
}

/* store_audit_verify: store_verify.c, with the ranges verify checks side by
 * side. */
