/*
 * store_documents.h — files attached to a customer (ID proof, a signed
 * credit agreement), kept in the database: a metadata row in documents
 * and the bytes in document_chunks, DOCUMENT_CHUNK_BYTES per row (the
 * last one shorter), each chunk with its own SHA-256 and the whole
 * document with one.  One backup holds them all, and every server
 * process on one PostgreSQL reads the same bytes.  document_usage keeps
 * each store's running total of document bytes for the storage quota,
 * changed in the same transaction as the rows.  docs/DOCUMENTS.md tells
 * the whole design.
 *
 * Tenant transaction first; strings in records come from the arena `a`.
 * Every function returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_DOCUMENTS_H
#define QT_STORE_DOCUMENTS_H

#include "store/store.h"

#define DOCUMENT_CHUNK_BYTES (256 * 1024)

struct document_rec {
	char *id, *customer_id, *filename, *content_type;
	char *sha256;              /* 64 lower-case hex digits over all the bytes */
	char *created_by;
	int64_t size_bytes;
	int64_t chunk_count;
	int64_t created_at;
};

/* One chunk to store: len bytes at data (1..DOCUMENT_CHUNK_BYTES), and
 * their SHA-256 in hex. */
struct document_chunk {
	const void *data;
	size_t len;
	const char *sha256;
};

/*
 * What a store holds against its plan's storage: the limit (the plan's
 * storage_mb in MiB; -1 when the plan sets none), the documents' bytes
 * and count (the running total), and an estimate of the bytes of the
 * store's other rows, read without scanning any table: its audit rows
 * (one per change it ever made) and customers, each times a fixed size
 * (docs/DOCUMENTS.md).  used_bytes = documents_bytes + rows_bytes.
 */
struct storage_usage {
	int64_t limit_bytes;
	int64_t documents_bytes;
	int64_t documents;
	int64_t rows_bytes;
	int64_t used_bytes;
};

/* The usage of the transaction's store on plan `plan`.  lock=1 (in a
 * write transaction) also locks the store's usage row until the
 * transaction ends, so a check against the limit and the insert after it
 * cannot interleave with another upload (PostgreSQL; on SQLite the write
 * transaction already excludes every other writer).  STORE_NOT_FOUND
 * when there is no such plan. */
QT_MUST_CHECK int store_storage_usage(struct store_tx *tx, const char *plan, int lock,
	struct storage_usage *out);

/* Insert d (every field but created_by, which comes from the
 * transaction's actor when NULL) with its d->chunk_count chunks, in order,
 * and add its size to the store's total.  STORE_NOT_FOUND when the
 * customer is not the store's. */
QT_MUST_CHECK int store_document_insert(struct store_tx *tx, const struct document_rec *d,
	const struct document_chunk *chunks);

/* STORE_NOT_FOUND when the store has no such document. */
QT_MUST_CHECK int store_document_get(struct store_tx *tx, const char *id, struct arena *a,
	struct document_rec *out);

/* The customer's documents, newest first, after the keyset cursor
 * (after_ms, after_id) when after_id is not NULL, at most limit of them,
 * into *out (an arena array, never NULL) and *n. */
QT_MUST_CHECK int store_document_list(struct store_tx *tx, const char *customer_id,
	int64_t after_ms, const char *after_id, int limit, struct arena *a,
	struct document_rec **out, int *n);

/* Chunk seq of the document into out (cap bytes, at least
 * DOCUMENT_CHUNK_BYTES), its length in *len and its stored SHA-256 in
 * sha256.  STORE_NOT_FOUND when there is no such chunk; STORE_ERROR when
 * it is longer than cap. */
QT_MUST_CHECK int store_document_chunk(struct store_tx *tx, const char *document_id, int64_t seq,
	unsigned char *out, size_t cap, size_t *len, char sha256[65]);

/* Delete the document and its chunks and take its size off the store's
 * total; *out receives the row as it was.  STORE_NOT_FOUND when the
 * store has no such document. */
QT_MUST_CHECK int store_document_delete(struct store_tx *tx, const char *id, struct arena *a,
	struct document_rec *out);

/* What store_document_check found. */
enum document_state {
	DOCUMENT_INTACT = 0,
	DOCUMENT_CHUNK_MISSING,   /* fewer chunks than chunk_count, or a gap */
	DOCUMENT_CHUNK_EXTRA,     /* chunks past chunk_count */
	DOCUMENT_CHUNK_CORRUPT,   /* a chunk's bytes do not match its own SHA-256 */
	DOCUMENT_SIZE_MISMATCH,   /* the chunks do not add up to size_bytes */
	DOCUMENT_HASH_MISMATCH,   /* the bytes do not match the document's SHA-256 */
};
struct document_check {
	enum document_state state;
	int64_t seq;              /* the chunk concerned, or -1 */
};
/* Read every chunk of d, hashing each and the whole, and compare with
 * what is stored.  Holds one chunk in memory.  STORE_OK with *out filled
 * (DOCUMENT_INTACT when all holds), or a negative code when the chunks
 * cannot be read. */
QT_MUST_CHECK int store_document_check(struct store_tx *tx, const struct document_rec *d,
	struct document_check *out);
/* A few words for the state ("chunk 3 does not match its checksum"). */
const char *document_state_text(enum document_state s);

/* One problem `quantumtrack verify` reports. */
struct document_problem {
	struct document_rec doc;  /* doc.id NULL for a usage-total problem */
	struct document_check check;
	int64_t recorded_bytes, actual_bytes;       /* usage total: recorded vs the sum */
	int64_t recorded_count, actual_count;
};
/* Check every document of the store (store_document_check) and the
 * usage total against the documents' sizes; every problem goes into *out
 * (an arena array, never NULL), *n of them.  *checked: how many
 * documents were read. */
QT_MUST_CHECK int store_documents_verify(struct store_tx *tx, struct arena *a,
	struct document_problem **out, int *n, int *checked);

#endif
