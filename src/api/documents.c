/*
 * documents.c — files attached to a customer (plan feature `documents`):
 *
 *   POST   /api/v1/customers/{id}/documents   upload (member+): the raw
 *          file as the body with its Content-Type (and ?filename=), or
 *          multipart/form-data with one part named `file`
 *   GET    /api/v1/customers/{id}/documents   list (viewer+)
 *   GET    /api/v1/documents/{id}             the bytes (viewer+)
 *   DELETE /api/v1/documents/{id}             delete (admin+)
 *
 * An upload is refused as early as it can be.  Before any body byte
 * (documents_prepare, through the route's prepare_body): the caller is
 * authenticated, the plan must have the feature, the customer must be the
 * store's, a raw body must declare one of the four types, and a
 * Content-Length over 10 MiB, or over what the store's storage quota has
 * left, is answered at once, the body unread.  While the body streams in
 * (upload_write, the body sink): the file is hashed and kept in 256 KiB
 * chunks (the only copy: the body is not buffered), its first bytes
 * sniffed, and the 10 MiB limit and the quota hold; a breach stops the
 * upload and is the answer.  Once it is all in (h_documents_upload,
 * inside the write transaction): everything is checked again, the quota
 * under the store's usage row lock, and the document written with its
 * chunks and an audit row.
 *
 * A download checks every chunk against its SHA-256 and the whole against
 * the document's in the request's read transaction before the first byte
 * goes out: a mismatch is logged and answered 500 document_corrupt, never
 * served.  Then the bytes stream a chunk at a time, each read in a short
 * transaction of its own (no connection is held while a slow client
 * reads) and checked again before it is sent; a chunk changed in between
 * cuts the response off.
 *
 * Only the upload needs the plan's feature: after a downgrade a store
 * keeps reading, and may delete, the documents it has (read-only, as the
 * plan change rules say), and deleting frees its storage at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "domain/document.h"
#include "domain/sniff.h"
#include "store/store_customers.h"
#include "store/store_documents.h"
#include "util/clock.h"
#include "util/errtext.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/multipart.h"
#include "util/uuid.h"

#define TYPES_ALLOWED "image/jpeg, image/png, image/webp or application/pdf"

/* ---- the upload as it arrives ---- */

struct upload {
	struct req *r;
	int multipart;
	struct multipart mp;
	int parts;
	int have_file;             /* the file's bytes have begun (raw: always) */
	int file_ended;
	const char *declared;      /* the Content-Type declared for the file */
	const char *filename;      /* the name given, or NULL */
	int64_t quota_left;        /* bytes the store may add (early check); -1: no limit known */
	unsigned char **chunks;
	int64_t nchunks, chunk_cap;
	size_t last_len;           /* bytes in the last chunk */
	size_t size;
	unsigned char head[SNIFF_HEAD_BYTES];
	size_t head_len;
	int sniffed;
	crypto_hash_sha256_state whole;
};

static int type_refused(struct req *r, const char *declared)
{
	char shown[48];
	req_failf(r, 415, "unsupported_media_type",
		"Content-Type %s: a document must be %s", declared && *declared ? errtext_shown(declared, shown) :
		"(none)", TYPES_ALLOWED);
	req_problem_extra(r, "accepted", json_pack("[ssss]", "image/jpeg", "image/png", "image/webp",
		"application/pdf"));
	return -1;
}

static int too_large(struct req *r)
{
	req_failf(r, 413, "file_too_large", "a document may be at most %d bytes (10 MiB)", DOCUMENT_MAX_BYTES);
	req_problem_extra(r, "max_bytes", json_integer(DOCUMENT_MAX_BYTES));
	return -1;
}

static int over_quota(struct req *r, const struct storage_usage *u, int64_t size)
{
	req_failf(r, 413, "storage_quota_exceeded",
		"the store's plan allows %lld bytes of storage; %lld are used and this file needs %lld more",
		(long long)u->limit_bytes, (long long)u->used_bytes, (long long)size);
	req_problem_extra(r, "limit_bytes", json_integer(u->limit_bytes));
	req_problem_extra(r, "used_bytes", json_integer(u->used_bytes));
	req_problem_extra(r, "file_bytes", json_integer(size));
	return -1;
}

/* The bytes do not say what the declaration says (or anything we take). */
static int mismatch(struct req *r, enum sniff_type is, const char *declared)
{
	char shown[48];
	const char *d = declared && *declared ? errtext_shown(declared, shown) : "none";
	if (is == SNIFF_UNKNOWN)
		req_failf(r, 415, "unsupported_media_type",
			"the file is not a JPEG, PNG, WebP or PDF (declared: %s)", d);
	else
		req_failf(r, 415, "unsupported_media_type",
			"the file's bytes are %s but it was declared %s", sniff_mime(is), d);
	req_problem_extra(r, "detected", is == SNIFF_UNKNOWN ? json_null() : json_string(sniff_mime(is)));
	return -1;
}

/* Take n bytes of the file: limits, sniffing, hash, chunks.  0, or -1
 * with the problem recorded. */
static int file_bytes(struct upload *u, const char *data, size_t n)
{
	if (n > (size_t)DOCUMENT_MAX_BYTES - u->size)
		return too_large(u->r);
	if (u->quota_left >= 0 && (int64_t)(u->size + n) > u->quota_left) {
		req_failf(u->r, 413, "storage_quota_exceeded",
			"the file does not fit in what is left of the store's storage (%lld bytes)",
			(long long)u->quota_left);
		req_problem_extra(u->r, "available_bytes", json_integer(u->quota_left));
		return -1;
	}
	if (!u->sniffed) {
		size_t k = SNIFF_HEAD_BYTES - u->head_len < n ? SNIFF_HEAD_BYTES - u->head_len : n;
		memcpy(u->head + u->head_len, data, k);
		u->head_len += k;
		if (u->head_len == SNIFF_HEAD_BYTES) {
			u->sniffed = 1;
			enum sniff_type is = sniff_bytes(u->head, u->head_len);
			if (is == SNIFF_UNKNOWN || is != sniff_declared(u->declared))
				return mismatch(u->r, is, u->declared);
		}
	}
	crypto_hash_sha256_update(&u->whole, (const unsigned char *)data, n);
	while (n > 0) {
		if (u->nchunks == 0 || u->last_len == DOCUMENT_CHUNK_BYTES) {
			if (u->nchunks == u->chunk_cap) {
				int64_t cap = u->chunk_cap ? u->chunk_cap * 2 : 8;
				unsigned char **v = arena_alloc(u->r->arena, sizeof *v * (size_t)cap);
				if (u->nchunks)
					memcpy(v, u->chunks, sizeof *v * (size_t)u->nchunks);
				u->chunks = v;
				u->chunk_cap = cap;
			}
			u->chunks[u->nchunks++] = arena_alloc(u->r->arena, DOCUMENT_CHUNK_BYTES);
			u->last_len = 0;
		}
		size_t k = DOCUMENT_CHUNK_BYTES - u->last_len < n ? DOCUMENT_CHUNK_BYTES - u->last_len : n;
		memcpy(u->chunks[u->nchunks - 1] + u->last_len, data, k);
		u->last_len += k;
		u->size += k;
		data += k;
		n -= k;
	}
	return 0;
}

static int multipart_fail(struct req *r, const char *field, const char *detail)
{
	char msg[200];
	snprintf(msg, sizeof msg, "multipart/form-data: %s", detail);
	req_fail_field(r, 400, "invalid_multipart", field, msg);
	return -1;
}

static int part_begin(void *cls, const struct multipart_part *p)
{
	struct upload *u = cls;
	if (++u->parts > 1)
		return multipart_fail(u->r, "file", "send one part only, the file, named \"file\"");
	if (strcmp(p->name, "file") != 0)
		return multipart_fail(u->r, "file", "the file's part must be named \"file\"");
	u->have_file = 1;
	u->filename = arena_strdup(u->r->arena, p->filename);
	/* RFC 7578: a part without a Content-Type is text/plain. */
	u->declared = arena_strdup(u->r->arena, p->content_type ? p->content_type : "text/plain");
	if (sniff_declared(u->declared) == SNIFF_UNKNOWN)
		return type_refused(u->r, u->declared);
	return 0;
}

static int part_data(void *cls, const char *data, size_t n)
{
	return file_bytes(cls, data, n);
}

static int part_end(void *cls)
{
	((struct upload *)cls)->file_ended = 1;
	return 0;
}

static const struct multipart_handler parts = { part_begin, part_data, part_end };

/* The body sink: each piece of the body as it arrives. */
static int upload_write(void *cls, const char *data, size_t n)
{
	struct upload *u = cls;
	if (u->r->problem.status)
		return -1;
	if (!u->multipart)
		return file_bytes(u, data, n);
	int rc = multipart_feed(&u->mp, data, n);
	if (rc == MULTIPART_EINVAL)
		return multipart_fail(u->r, "body", multipart_error(&u->mp));
	/* MULTIPART_ESTOPPED: a callback recorded the problem. */
	return rc == MULTIPART_OK ? 0 : -1;
}

/* A lower bound of the file's size from Content-Length, or -1. */
static int64_t declared_file_size(struct req *r, const struct upload *u)
{
	const char *cl = req_header(r, "Content-Length");
	char *end;
	if (!cl || !*cl)
		return -1;
	unsigned long long n = strtoull(cl, &end, 10);
	if (*end || n > INT64_MAX / 2)
		return -1;
	if (!u->multipart)
		return (int64_t)n;
	size_t framing = MULTIPART_OVERHEAD_MAX(1);
	return n > framing ? (int64_t)(n - framing) : 0;
}

/* The plan and the customer: checked before the body and again after. */
static int upload_allowed(struct req *r)
{
	struct customer_rec c;
	const char *id = req_param(r, "id");

	if (api_require_feature(r, "documents") < 0)
		return -1;
	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "customer not found");
	int rc = store_customer_get(r->tx, id, 0, r->arena, &c);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	if (strcmp(c.status, "active") != 0)
		return req_fail(r, 409, "customer_archived",
			"the customer is archived; restore them before adding documents");
	return 0;
}

/* Before the body: what it is (raw with a type we take, or multipart with
 * a boundary), and whether its declared length already breaks a limit. */
static int upload_start(struct req *r, struct upload *u)
{
	struct storage_usage usage;
	const char *ctype = req_header(r, "Content-Type");
	char boundary[MULTIPART_BOUNDARY_MAX + 1], err[160];

	if (upload_allowed(r) < 0)
		return -1;
	if (ctype && strncasecmp(ctype, "multipart/", 10) == 0) {
		if (multipart_boundary(ctype, boundary, err, sizeof err) < 0)
			return req_fail_field(r, 400, "invalid_multipart", "Content-Type", err);
		u->multipart = 1;
		if (multipart_init(&u->mp, boundary, &parts, u) < 0)
			return req_fail_field(r, 400, "invalid_multipart", "Content-Type", multipart_error(&u->mp));
	} else {
		if (sniff_declared(ctype) == SNIFF_UNKNOWN)
			return type_refused(r, ctype);
		u->declared = arena_strdup(r->arena, ctype);
		u->filename = arena_strdup(r->arena, req_query(r, "filename"));
		u->have_file = 1;
	}
	int rc = store_storage_usage(r->tx, r->caller.plan, 0, &usage);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "plan");
	if (usage.limit_bytes >= 0)
		u->quota_left = usage.limit_bytes > usage.used_bytes ? usage.limit_bytes - usage.used_bytes : 0;
	int64_t size = declared_file_size(r, u);
	if (size > DOCUMENT_MAX_BYTES)
		return too_large(r);
	if (size >= 0 && u->quota_left >= 0 && size > u->quota_left)
		return over_quota(r, &usage, size);
	return 0;
}

void documents_prepare(struct req *r)
{
	struct upload *u = arena_alloc(r->arena, sizeof *u);
	u->r = r;
	u->quota_left = -1;
	crypto_hash_sha256_init(&u->whole);
	/* Room for a 10 MiB file and its multipart framing, and more: the
	 * sink stops at 10 MiB + 1 of file, so that is the refusal a client
	 * sees, not the server's general body cap. */
	r->body_cap = DOCUMENT_MAX_BYTES + MULTIPART_OVERHEAD_MAX(1) + 1024 * 1024;
	r->sink.write = upload_write;
	r->sink.cls = u;
	if (api_authenticate_early(r) < 0)
		return;
	upload_start(r, u);
	store_rollback(req_take_tx(r));
}

/* ---- JSON ---- */

static json_t *document_json(const struct document_rec *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(d->id));
	json_object_set_new(o, "customer_id", json_string(d->customer_id));
	json_object_set_new(o, "filename", json_string(d->filename));
	json_object_set_new(o, "content_type", json_string(d->content_type));
	json_object_set_new(o, "size_bytes", json_integer(d->size_bytes));
	json_object_set_new(o, "sha256", json_string(d->sha256));
	json_object_set_new(o, "created_at", api_time(d->created_at));
	json_object_set_new(o, "created_by", json_string(d->created_by));
	return o;
}

/* ---- upload ---- */

int h_documents_upload(struct req *r)
{
	struct upload *u = r->sink.write == upload_write ? r->sink.cls : NULL;
	struct storage_usage usage;
	char name[DOCUMENT_NAME_CAP];

	if (!u)
		return req_fail(r, 500, "internal_error", "an internal error occurred");
	/* Again, now in the write transaction. */
	if (upload_allowed(r) < 0)
		return -1;
	if (u->multipart) {
		if (multipart_finish(&u->mp) != MULTIPART_OK)
			return multipart_fail(r, "body", multipart_error(&u->mp));
		if (!u->have_file)
			return req_fail_field(r, 422, "validation_failed", "file",
				"is required: one part named \"file\" holding the document");
	}
	if (u->size == 0)
		return req_fail_field(r, 422, "validation_failed", "file", "is empty");
	enum sniff_type is = sniff_bytes(u->head, u->head_len);
	if (is == SNIFF_UNKNOWN || is != sniff_declared(u->declared))
		return mismatch(r, is, u->declared);
	int rc = store_storage_usage(r->tx, r->caller.plan, 1, &usage);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "plan");
	if (usage.limit_bytes >= 0 && usage.used_bytes + (int64_t)u->size > usage.limit_bytes)
		return over_quota(r, &usage, (int64_t)u->size);

	struct document_rec d = { 0 };
	char id[37], hex[65];
	unsigned char digest[crypto_hash_sha256_BYTES];
	uuid_v7(id);
	document_filename(u->filename, is, name);
	crypto_hash_sha256_final(&u->whole, digest);
	hex_encode(digest, sizeof digest, hex);
	struct document_chunk *chunks = arena_alloc(r->arena, sizeof *chunks * (size_t)u->nchunks);
	for (int64_t i = 0; i < u->nchunks; i++) {
		size_t len = i + 1 == u->nchunks ? u->last_len : DOCUMENT_CHUNK_BYTES;
		unsigned char cd[crypto_hash_sha256_BYTES];
		char *ch = arena_alloc(r->arena, 65);
		crypto_hash_sha256(cd, u->chunks[i], len);
		hex_encode(cd, sizeof cd, ch);
		chunks[i] = (struct document_chunk){ u->chunks[i], len, ch };
	}
	d.id = id;
	d.customer_id = (char *)req_param(r, "id");
	d.filename = name;
	d.content_type = (char *)sniff_mime(is);
	d.sha256 = hex;
	d.created_by = (char *)store_tx_actor_id(r->tx);
	d.size_bytes = (int64_t)u->size;
	d.chunk_count = u->nchunks;
	d.created_at = clock_now_ms();
	rc = store_document_insert(r->tx, &d, chunks);
	json_t *after = NULL;
	if (rc == STORE_OK) {
		after = document_json(&d);
		json_object_del(after, "id");
		json_object_del(after, "created_at");
		json_object_del(after, "created_by");
		rc = store_audit(r->tx, "document.created", "document", id, NULL, after);
		json_decref(after);
	}
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	return resp_json(r, 201, document_json(&d));
}

/* ---- list ---- */

int h_documents_list(struct req *r)
{
	const char *id = req_param(r, "id");
	struct customer_rec c;
	struct document_rec *docs;
	int limit, n;
	int64_t after_ms = 0;
	const char *after_id = NULL;

	if (api_query_limit(r, &limit) < 0 || api_keyset_cursor(r, &after_ms, &after_id) < 0)
		return -1;
	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "customer not found");
	int rc = store_customer_get(r->tx, id, 0, r->arena, &c);
	if (rc == STORE_OK)
		rc = store_document_list(r->tx, id, after_ms, after_id, limit + 1, r->arena, &docs, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	json_t *data = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(data, document_json(&docs[i]));
	const char *next = n > limit ? api_keyset_next(r, docs[limit - 1].created_at, docs[limit - 1].id) : NULL;
	return api_list(r, data, next);
}

/* ---- download ---- */

/* RFC 6266 with RFC 8187's filename*: an ASCII stand-in for old clients,
 * the exact UTF-8 name percent-encoded for the rest.  The stand-in keeps
 * printable ASCII but quotes, backslashes and percent signs; every other
 * character becomes '_'. */
static const char *content_disposition(struct arena *a, const char *name)
{
	size_t n = strlen(name);
	char *ascii = arena_alloc(a, n + 1), *pct = arena_alloc(a, 3 * n + 1);
	size_t i = 0, o = 0, p = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '%')
			ascii[o++] = (char)c;
		else if ((c & 0xC0) != 0x80)   /* one '_' per character */
			ascii[o++] = '_';
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    strchr("!#$&+-.^_`|~", c))
			pct[p++] = (char)c;
		else
			p += (size_t)snprintf(pct + p, 4, "%%%02X", c);
	}
	ascii[o] = '\0';
	pct[p] = '\0';
	return arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, pct);
}

/* One download in flight: what the stream needs once the request's
 * transaction is over.  malloc'd; freed by its done(). */
struct download {
	struct store *store;
	char tenant_id[37], id[37], request_id[72];
	int64_t chunk_count, size_bytes, next, sent;
	char sha256[65];
	crypto_hash_sha256_state whole;
	unsigned char *buf;
	size_t len, pos;
};

static long download_read(void *cls, struct http_stream *h, char *out, size_t max)
{
	struct download *d = cls;
	(void)h;
	if (d->pos == d->len) {
		unsigned char digest[crypto_hash_sha256_BYTES];
		char hex[65], stored[65];
		if (d->next == d->chunk_count) {
			crypto_hash_sha256_final(&d->whole, digest);
			hex_encode(digest, sizeof digest, hex);
			if (d->sent != d->size_bytes || strcmp(hex, d->sha256) != 0) {
				log_error("document %s (request %s): changed while it was sent; response cut off",
					d->id, d->request_id);
				return RESP_STREAM_ERROR;
			}
			return RESP_STREAM_END;
		}
		struct store_tx *tx;
		struct store_actor actor = { "system", "system", d->request_id, "" };
		int rc = store_begin_tenant(d->store, d->tenant_id, 0, &actor, &tx);
		if (rc == STORE_OK) {
			rc = store_document_chunk(tx, d->id, d->next, d->buf, DOCUMENT_CHUNK_BYTES, &d->len, stored);
			store_rollback(tx);
		}
		if (rc != STORE_OK || d->len == 0) {
			log_error("document %s (request %s): chunk %lld could not be read (code %d); response cut off",
				d->id, d->request_id, (long long)d->next, rc);
			return RESP_STREAM_ERROR;
		}
		crypto_hash_sha256(digest, d->buf, d->len);
		hex_encode(digest, sizeof digest, hex);
		if (strcmp(hex, stored) != 0) {
			log_error("document %s (request %s): chunk %lld does not match its checksum; response cut off",
				d->id, d->request_id, (long long)d->next);
			return RESP_STREAM_ERROR;
		}
		crypto_hash_sha256_update(&d->whole, d->buf, d->len);
		d->pos = 0;
		d->next++;
	}
	size_t n = d->len - d->pos < max ? d->len - d->pos : max;
	memcpy(out, d->buf + d->pos, n);
	d->pos += n;
	d->sent += (int64_t)n;
	return (long)n;
}

static void download_done(void *cls, int completed)
{
	struct download *d = cls;
	(void)completed;   /* nothing to end: each chunk had its own transaction */
	free(d->buf);
	free(d);
}

static const struct resp_stream_ops download_ops = { download_read, download_done };

int h_documents_get(struct req *r)
{
	const char *id = req_param(r, "id");
	struct document_rec doc;
	struct document_check check;

	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "document not found");
	int rc = store_document_get(r->tx, id, r->arena, &doc);
	if (rc == STORE_OK)
		rc = store_document_check(r->tx, &doc, &check);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "document");
	if (check.state != DOCUMENT_INTACT) {
		log_error("document %s of store %s is corrupt: %s%s%lld; not served (request %s)", doc.id,
			r->caller.tenant_slug, document_state_text(check.state),
			check.seq >= 0 ? " (chunk " : "", (long long)check.seq, r->request_id);
		req_failf(r, 500, "document_corrupt",
			"document %s failed its checksum and is not served; run quantumtrack verify", doc.id);
		req_problem_extra(r, "document_id", json_string(doc.id));
		return -1;
	}
	struct download *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	d->buf = malloc(DOCUMENT_CHUNK_BYTES);
	if (!d->buf)
		abort();
	d->store = r->app->store;
	snprintf(d->tenant_id, sizeof d->tenant_id, "%s", r->caller.tenant_id);
	snprintf(d->id, sizeof d->id, "%s", doc.id);
	snprintf(d->request_id, sizeof d->request_id, "%s", r->request_id);
	snprintf(d->sha256, sizeof d->sha256, "%s", doc.sha256);
	d->chunk_count = doc.chunk_count;
	d->size_bytes = doc.size_bytes;
	crypto_hash_sha256_init(&d->whole);

	/* Never rendered in our origin: a download, sandboxed should a
	 * browser show it anyway, with its type as sniffed (nosniff is on
	 * every response). */
	resp_header(r, "Content-Disposition", content_disposition(r->arena, doc.filename));
	resp_header(r, "Content-Security-Policy", "sandbox");
	unsigned char digest[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	size_t dlen = 0;
	if (hex_decode(doc.sha256, 64, digest, sizeof digest, &dlen) == 0) {
		sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
		resp_header(r, "Repr-Digest", arena_printf(r->arena, "sha-256=:%s:", b64));
	}
	resp_header(r, "X-Document-Size", arena_printf(r->arena, "%lld", (long long)doc.size_bytes));
	return resp_stream(r, 200, arena_strdup(r->arena, doc.content_type), &download_ops, d);
}

/* ---- delete ---- */

int h_documents_delete(struct req *r)
{
	const char *id = req_param(r, "id");
	struct document_rec doc;

	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "document not found");
	int rc = store_document_delete(r->tx, id, r->arena, &doc);
	if (rc == STORE_OK) {
		json_t *before = document_json(&doc);
		json_object_del(before, "id");
		rc = store_audit(r->tx, "document.deleted", "document", doc.id, before, NULL);
		json_decref(before);
	}
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "document");
	return resp_empty(r, 204);
}
