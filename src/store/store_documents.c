/* store_documents.c — see store_documents.h. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/store_documents.h"
#include "store/store_internal.h"
#include "util/hex.h"

#define DOC_COLS "id, customer_id, filename, content_type, sha256, created_by, size_bytes," \
	" chunk_count, created_at"

static void doc_from_row(struct arena *a, const struct db_res *r, int row, struct document_rec *d)
{
	d->id = store_dup(a, r, row, 0);
	d->customer_id = store_dup(a, r, row, 1);
	d->filename = store_dup(a, r, row, 2);
	d->content_type = store_dup(a, r, row, 3);
	d->sha256 = store_dup(a, r, row, 4);
	d->created_by = store_dup(a, r, row, 5);
	d->size_bytes = db_res_int(r, row, 6);
	d->chunk_count = db_res_int(r, row, 7);
	d->created_at = db_res_int(r, row, 8);
}

/*
 * The bytes a store's rows take, estimated without scanning them (an
 * upload asks twice, and a store may hold millions of entries): every
 * change a store makes writes one audit row, kept for good, and the chain
 * head's seq is their number.  Each counts ROW_BYTES_CHANGE: the audit
 * row itself with its indexes (about 1,020 bytes) and the ledger entry it
 * usually records (about 710 with its four indexes), as measured on SQLite
 * over 200 customers and 429 entries.  Customers are counted and weigh
 * ROW_BYTES_CUSTOMER more each (a customer row with its five indexes is
 * about 860 bytes, 150 more than an entry).  A document's own row counts
 * ROW_BYTES_DOCUMENT besides its bytes.  docs/DOCUMENTS.md says the same.
 */
#define ROW_BYTES_CHANGE 1728
#define ROW_BYTES_CUSTOMER 256
#define ROW_BYTES_DOCUMENT 384
#define ROW_BYTES_FIXED 4096   /* the store's settings, tenant row, chain head */
int64_t store_rows_bytes_estimate(int64_t changes, int64_t customers, int64_t documents)
{
	return changes * ROW_BYTES_CHANGE + customers * ROW_BYTES_CUSTOMER + documents * ROW_BYTES_DOCUMENT +
		ROW_BYTES_FIXED;
}

static const char usage_sql[] =
	"SELECT (SELECT count(*) FROM plans WHERE name = $2),"
	" (SELECT storage_mb FROM plans WHERE name = $2),"
	" COALESCE((SELECT bytes FROM document_usage WHERE tenant_id = $1), 0),"
	" COALESCE((SELECT documents FROM document_usage WHERE tenant_id = $1), 0),"
	" COALESCE((SELECT seq FROM audit_heads WHERE tenant_id = $1), 0),"
	" (SELECT count(*) FROM customers WHERE tenant_id = $1)";

int store_storage_usage(struct store_tx *tx, const char *plan, int lock, struct storage_usage *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(plan) };
	int rc;

	memset(out, 0, sizeof *out);
	if (lock && store_is_pg(tx)) {
		/* The row, made when missing, is the store's upload lock. */
		rc = store_exec(tx, "INSERT INTO document_usage (tenant_id) VALUES ($1)"
			" ON CONFLICT (tenant_id) DO UPDATE SET bytes = document_usage.bytes", p, 1, NULL);
		if (rc != STORE_OK)
			return rc;
	}
	rc = store_one_row(store_exec(tx, usage_sql, p, 2, &r), &r);
	if (rc == STORE_OK && db_res_int(r, 0, 0) != 1)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK) {
		int64_t mb = db_res_int(r, 0, 1);
		out->limit_bytes = db_res_isnull(r, 0, 1) || mb < 0 ? -1 : mb * 1024 * 1024;
		out->documents_bytes = db_res_int(r, 0, 2);
		out->documents = db_res_int(r, 0, 3);
		out->rows_bytes = store_rows_bytes_estimate(db_res_int(r, 0, 4), db_res_int(r, 0, 5), out->documents);
		out->used_bytes = out->documents_bytes + out->rows_bytes;
	}
	db_res_free(r);
	return rc;
}

int store_document_insert(struct store_tx *tx, const struct document_rec *d,
	const struct document_chunk *chunks)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(d->id), DB_TEXT(d->customer_id), DB_TEXT(d->filename),
		DB_TEXT(d->content_type), DB_INT(d->size_bytes), DB_TEXT(d->sha256),
		DB_INT(d->chunk_count), DB_TEXT(d->created_by ? d->created_by : tx->actor.actor_id),
		DB_INT(d->created_at),
	};
	int rc = store_exec(tx,
		"INSERT INTO documents (tenant_id, id, customer_id, filename, content_type, size_bytes,"
		" sha256, chunk_count, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		p, 10, NULL);
	for (int64_t i = 0; rc == STORE_OK && i < d->chunk_count; i++) {
		struct db_param c[] = {
			DB_TEXT(tx->tenant_id), DB_TEXT(d->id), DB_INT(i), DB_TEXT(chunks[i].sha256),
			DB_BLOB(chunks[i].data, chunks[i].len),
		};
		rc = store_exec(tx, "INSERT INTO document_chunks (tenant_id, document_id, seq, sha256, data)"
			" VALUES ($1, $2, $3, $4, $5)", c, 5, NULL);
	}
	if (rc == STORE_OK) {
		struct db_param u[] = { DB_TEXT(tx->tenant_id), DB_INT(d->size_bytes) };
		rc = store_exec(tx, "INSERT INTO document_usage (tenant_id, bytes, documents) VALUES ($1, $2, 1)"
			" ON CONFLICT (tenant_id) DO UPDATE SET bytes = document_usage.bytes + excluded.bytes,"
			" documents = document_usage.documents + 1", u, 2, NULL);
	}
	return rc;
}

int store_document_get(struct store_tx *tx, const char *id, struct arena *a, struct document_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id) };
	int rc = store_one_row(store_exec(tx,
		"SELECT " DOC_COLS " FROM documents WHERE tenant_id = $1 AND id = $2", p, 2, &r), &r);
	if (rc == STORE_OK)
		doc_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_document_list(struct store_tx *tx, const char *customer_id,
	int64_t after_ms, const char *after_id, int limit, struct arena *a,
	struct document_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(customer_id), DB_INT(after_ms),
		DB_TEXT(after_id), DB_INT(limit) };
	int rc = store_exec(tx,
		"SELECT " DOC_COLS " FROM documents WHERE tenant_id = $1 AND customer_id = $2"
		" AND (created_at < $3 OR (created_at = $3 AND id < $4) OR $4 IS NULL)"
		" ORDER BY created_at DESC, id DESC LIMIT $5", p, 5, &r);
	*out = NULL;
	*n = 0;
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		*out = arena_alloc(a, sizeof **out * (size_t)(rows ? rows : 1));
		for (int i = 0; i < rows; i++)
			doc_from_row(a, r, i, &(*out)[i]);
		*n = rows;
	}
	db_res_free(r);
	return rc;
}

int store_document_chunk(struct store_tx *tx, const char *document_id, int64_t seq,
	unsigned char *out, size_t cap, size_t *len, char sha256[65])
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(document_id), DB_INT(seq) };
	int rc = store_one_row(store_exec(tx,
		"SELECT data, sha256 FROM document_chunks WHERE tenant_id = $1 AND document_id = $2 AND seq = $3",
		p, 3, &r), &r);
	if (rc == STORE_OK) {
		size_t n = db_res_len(r, 0, 0);
		const char *h = db_res_text(r, 0, 1);
		if (n > cap || !h || strlen(h) != 64) {
			rc = STORE_ERROR;
		} else {
			memcpy(out, db_res_text(r, 0, 0), n);
			memcpy(sha256, h, 65);
			*len = n;
		}
	}
	db_res_free(r);
	return rc;
}

int store_document_delete(struct store_tx *tx, const char *id, struct arena *a, struct document_rec *out)
{
	int rc = store_document_get(tx, id, a, out);
	if (rc != STORE_OK)
		return rc;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id) };
	rc = store_exec(tx, "DELETE FROM documents WHERE tenant_id = $1 AND id = $2", p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) != 1)
		return STORE_NOT_FOUND;
	/* The chunks go with the row (ON DELETE CASCADE).  The total never
	 * goes below zero, even if rows were removed behind our back. */
	struct db_param u[] = { DB_TEXT(tx->tenant_id), DB_INT(out->size_bytes) };
	return store_exec(tx, "UPDATE document_usage SET"
		" bytes = CASE WHEN bytes > $2 THEN bytes - $2 ELSE 0 END,"
		" documents = CASE WHEN documents > 0 THEN documents - 1 ELSE 0 END"
		" WHERE tenant_id = $1", u, 2, NULL);
}

int store_document_check(struct store_tx *tx, const struct document_rec *d, struct document_check *out)
{
	crypto_hash_sha256_state whole;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[65], stored[65];
	int64_t total = 0;
	int rc = STORE_OK;

	out->state = DOCUMENT_INTACT;
	out->seq = -1;
	unsigned char *buf = malloc(DOCUMENT_CHUNK_BYTES);
	if (!buf)
		abort();
	crypto_hash_sha256_init(&whole);
	for (int64_t seq = 0; seq < d->chunk_count; seq++) {
		size_t len = 0;
		rc = store_document_chunk(tx, d->id, seq, buf, DOCUMENT_CHUNK_BYTES, &len, stored);
		if (rc == STORE_NOT_FOUND) {
			out->state = DOCUMENT_CHUNK_MISSING;
			out->seq = seq;
			rc = STORE_OK;
			goto done;
		}
		if (rc == STORE_ERROR) {
			/* Longer than any chunk we write, or no checksum. */
			out->state = DOCUMENT_CHUNK_CORRUPT;
			out->seq = seq;
			rc = STORE_OK;
			goto done;
		}
		if (rc != STORE_OK)
			goto done;
		crypto_hash_sha256(digest, buf, len);
		hex_encode(digest, sizeof digest, hex);
		if (strcmp(hex, stored) != 0) {
			out->state = DOCUMENT_CHUNK_CORRUPT;
			out->seq = seq;
			goto done;
		}
		crypto_hash_sha256_update(&whole, buf, len);
		total += (int64_t)len;
	}
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(d->id), DB_INT(d->chunk_count) };
	rc = store_exec(tx, "SELECT count(*) FROM document_chunks WHERE tenant_id = $1 AND document_id = $2"
		" AND (seq >= $3 OR seq < 0)", p, 3, &r);
	int64_t extra = rc == STORE_OK && db_res_rows(r) == 1 ? db_res_int(r, 0, 0) : 0;
	db_res_free(r);
	if (rc != STORE_OK)
		goto done;
	if (extra) {
		out->state = DOCUMENT_CHUNK_EXTRA;
		goto done;
	}
	if (total != d->size_bytes) {
		out->state = DOCUMENT_SIZE_MISMATCH;
		goto done;
	}
	crypto_hash_sha256_final(&whole, digest);
	hex_encode(digest, sizeof digest, hex);
	if (!d->sha256 || strcmp(hex, d->sha256) != 0)
		out->state = DOCUMENT_HASH_MISMATCH;
done:
	sodium_memzero(buf, DOCUMENT_CHUNK_BYTES);
	free(buf);
	return rc;
}

const char *document_state_text(enum document_state s)
{
	switch (s) {
	case DOCUMENT_INTACT: return "intact";
	case DOCUMENT_CHUNK_MISSING: return "a chunk is missing";
	case DOCUMENT_CHUNK_EXTRA: return "there are chunks past its end";
	case DOCUMENT_CHUNK_CORRUPT: return "a chunk does not match its checksum";
	case DOCUMENT_SIZE_MISMATCH: return "its chunks do not add up to its size";
	case DOCUMENT_HASH_MISMATCH: return "its bytes do not match its SHA-256";
	}
	return "unknown";
}

int store_documents_verify(struct store_tx *tx, struct arena *a,
	struct document_problem **out, int *n_out, int *checked)
{
	struct db_res *r = NULL, *t = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int n = 0, cap = 8;
	struct document_problem *v = arena_alloc(a, sizeof *v * (size_t)cap);

	*out = v;
	*n_out = 0;
	*checked = 0;
	int rc = store_exec(tx, "SELECT " DOC_COLS " FROM documents WHERE tenant_id = $1 ORDER BY id", p, 1, &r);
	for (int i = 0; rc == STORE_OK && i < db_res_rows(r); i++) {
		struct document_rec d;
		struct document_check c;
		doc_from_row(a, r, i, &d);
		rc = store_document_check(tx, &d, &c);
		if (rc != STORE_OK)
			break;
		(*checked)++;
		if (c.state == DOCUMENT_INTACT)
			continue;
		if (n == cap) {
			struct document_problem *w = arena_alloc(a, sizeof *w * (size_t)cap * 2);
			memcpy(w, v, sizeof *v * (size_t)n);
			v = w;
			cap *= 2;
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].doc = d;
		v[n].check = c;
		n++;
	}
	if (rc == STORE_OK)
		rc = store_one_row(store_exec(tx,
			"SELECT COALESCE(SUM(size_bytes), 0), count(*),"
			" COALESCE((SELECT bytes FROM document_usage WHERE tenant_id = $1), 0),"
			" COALESCE((SELECT documents FROM document_usage WHERE tenant_id = $1), 0)"
			" FROM documents WHERE tenant_id = $1", p, 1, &t), &t);
	if (rc == STORE_OK && (db_res_int(t, 0, 0) != db_res_int(t, 0, 2) ||
			       db_res_int(t, 0, 1) != db_res_int(t, 0, 3))) {
		if (n == cap) {
			struct document_problem *w = arena_alloc(a, sizeof *w * (size_t)cap * 2);
			memcpy(w, v, sizeof *v * (size_t)n);
			v = w;
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].check.seq = -1;
		v[n].actual_bytes = db_res_int(t, 0, 0);
		v[n].actual_count = db_res_int(t, 0, 1);
		v[n].recorded_bytes = db_res_int(t, 0, 2);
		v[n].recorded_count = db_res_int(t, 0, 3);
		n++;
	}
	db_res_free(r);
	db_res_free(t);
	*out = v;
	*n_out = n;
	return rc;
}
