/*
 * store_verify.c — see store_verify.h.
 *
 * The ledger check reads a tenant's entries once, ordered by customer and
 * date (the transactions_customer index), and its customers once, by id;
 * everything else is done in memory: an id index for reversals, then one
 * merge of the two lists in which each customer's entries are summed and
 * walked (FIFO) to recompute what its row keeps.  No query per customer.
 *
 * The chain check hashes with OpenSSL's SHA-256 (which uses the CPU's SHA
 * instructions where it has them; libsodium's portable code took most of
 * verify's time) and builds each row's canonical text with the writers'
 * own function (store_audit_canonical_into).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "domain/aging.h"
#include "domain/entry.h"
#include "domain/money.h"
#include "domain/open_lots.h"
#include "store/store_internal.h"
#include "store/store_verify.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hex.h"

struct vrow {
	const char *id, *customer_id, *type, *reverses_id;
	enum entry_type kind;     /* ENTRY_NONE (unknown text) counts as a reversal */
	int64_t amount, effect, occurred_at;
	int reversed;             /* some reversal names this entry */
};

/* Problems gather in malloc'd arrays (their number is not known up
 * front) and move to the arena at the end. */
struct problems {
	struct ledger_problem *v;
	int n, cap;
};

static struct ledger_problem *add(struct problems *ps, enum ledger_problem_kind kind)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 8;
		ps->v = realloc(ps->v, sizeof *ps->v * (size_t)ps->cap);
		if (!ps->v)
			abort();
	}
	struct ledger_problem *p = &ps->v[ps->n++];
	memset(p, 0, sizeof *p);
	p->kind = kind;
	return p;
}

static struct ledger_problem *entry_problem(struct problems *ps, struct arena *a,
	enum ledger_problem_kind kind, const struct vrow *v)
{
	struct ledger_problem *p = add(ps, kind);
	p->entry_id = arena_strdup(a, v->id);
	p->entry_type = arena_strdup(a, v->type);
	p->amount_minor = v->amount;
	return p;
}

static int cmp_problem_entry(const void *x, const void *y)
{
	const struct ledger_problem *a = x, *b = y;
	int c = strcmp(a->entry_id, b->entry_id);
	/* qsort is not stable: keep one entry's problems in the order found. */
	return c ? c : (a < b ? -1 : a > b);
}

/* ---- the id index: open addressing over row numbers ---- */

struct id_index {
	int *slot;     /* row number + 1; 0 = empty */
	size_t mask;
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ^ (h >> 29);
}

static void index_build(struct id_index *x, const struct vrow *rows, int n)
{
	size_t cap = 16;
	while (cap < (size_t)n * 2)
		cap *= 2;
	x->slot = calloc(cap, sizeof *x->slot);
	if (!x->slot)
		abort();
	x->mask = cap - 1;
	for (int i = 0; i < n; i++) {
		size_t k = id_hash(rows[i].id) & x->mask;
		while (x->slot[k])
			k = (k + 1) & x->mask;
		x->slot[k] = i + 1;
	}
}

/* The first row with this id (ids are the primary key), or NULL. */
static struct vrow *index_find(const struct id_index *x, struct vrow *rows, const char *id)
{
	if (!id)
		return NULL;
	for (size_t k = id_hash(id) & x->mask; x->slot[k]; k = (k + 1) & x->mask)
		if (strcmp(rows[x->slot[k] - 1].id, id) == 0)
			return &rows[x->slot[k] - 1];
	return NULL;
}

/* -x without overflow's undefined behaviour (INT64_MIN stays itself). */
static int64_t negate(int64_t x)
{
	return (int64_t)((uint64_t)0 - (uint64_t)x);
}

/* Each entry's effect follows from its type and amount; a reversal's from
 * the entry it reverses (corrected first, so one wrong entry is reported
 * once).  Corrects v->effect where it does not, and marks reversed rows. */
static void check_effects(struct vrow *rows, int n, const struct id_index *ids,
	struct problems *ps, struct arena *a)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			struct vrow *v = &rows[i];
			int reversal = v->kind == ENTRY_REVERSAL || v->kind == ENTRY_NONE;
			int64_t expect;
			if (reversal != pass)
				continue;
			if (v->kind == ENTRY_PURCHASE || v->kind == ENTRY_ADJUSTMENT) {
				expect = v->amount;
			} else if (v->kind == ENTRY_PAYMENT) {
				expect = negate(v->amount);
			} else {
				struct vrow *orig = index_find(ids, rows, v->reverses_id ? v->reverses_id : "");
				expect = orig ? negate(orig->effect) : 0;
				if (!orig) {
					entry_problem(ps, a, LEDGER_PROBLEM_REVERSES_MISSING, v)->reverses_id =
						arena_strdup(a, v->reverses_id);
				} else {
					orig->reversed = 1;
					if (orig->amount != v->amount)
						entry_problem(ps, a, LEDGER_PROBLEM_REVERSAL_AMOUNT, v)
							->reversed_amount_minor = orig->amount;
				}
			}
			if (expect != v->effect) {
				struct ledger_problem *q = entry_problem(ps, a, LEDGER_PROBLEM_EFFECT, v);
				q->recorded_effect_minor = v->effect;
				q->expected_effect_minor = expect;
				v->effect = expect;
			}
		}
	}
}

/* ---- one customer ---- */

struct customer_view {
	const char *id, *name, *open_lots;   /* open_lots NULL: not kept */
	int64_t balance, oldest_due_at, last_purchase_at, last_payment_at;
};

/* Scratch reused from customer to customer. */
struct walk_buf {
	struct aging_entry *e;
	size_t cap;
	struct open_lots lots;
	char text[OPEN_LOTS_TEXT_MAX];
};

static char *time_text(struct arena *a, int64_t ms)
{
	return ms ? arena_printf(a, "%lld", (long long)ms) : arena_strdup(a, "null");
}

static void derived(struct problems *ps, struct arena *a, const struct customer_view *c,
	const char *field, char *stored, char *expected)
{
	struct ledger_problem *q = add(ps, LEDGER_PROBLEM_DERIVED);
	q->customer_id = arena_strdup(a, c->id);
	q->customer_name = arena_strdup(a, c->name);
	q->stored_balance_minor = c->balance;
	q->field = field;
	q->stored_text = stored;
	q->expected_text = expected;
}

static void check_customer(const struct customer_view *c, const struct vrow *rows, size_t n,
	int credit_period_days, struct walk_buf *w, struct problems *ps, struct arena *a)
{
	int64_t sum = 0, last_purchase = 0, last_payment = 0;
	int overflow = 0;

	for (size_t k = 0; k < n; k++) {
		if (!overflow && money_add(sum, rows[k].effect, &sum) < 0)
			overflow = 1;
		if (rows[k].reversed)
			continue;
		if (rows[k].kind == ENTRY_PURCHASE && rows[k].occurred_at > last_purchase)
			last_purchase = rows[k].occurred_at;
		if (rows[k].kind == ENTRY_PAYMENT && rows[k].occurred_at > last_payment)
			last_payment = rows[k].occurred_at;
	}
	if (overflow || sum != c->balance) {
		struct ledger_problem *q = add(ps,
			overflow ? LEDGER_PROBLEM_BALANCE_OVERFLOW : LEDGER_PROBLEM_BALANCE);
		q->customer_id = arena_strdup(a, c->id);
		q->customer_name = arena_strdup(a, c->name);
		q->stored_balance_minor = c->balance;
		q->entries_sum_minor = overflow ? 0 : sum;
	}
	if (overflow)
		return;

	/* The full FIFO walk, as the oracle of what the writers keep. */
	if (n > w->cap) {
		w->cap = n * 2;
		w->e = realloc(w->e, sizeof *w->e * w->cap);
		if (!w->e)
			abort();
	}
	for (size_t k = 0; k < n; k++) {
		w->e[k].id = rows[k].id;
		w->e[k].type = rows[k].kind == ENTRY_NONE ? ENTRY_REVERSAL : rows[k].kind;
		w->e[k].occurred_at_ms = rows[k].occurred_at;
		w->e[k].effect_minor = rows[k].effect;
		w->e[k].reverses_id = rows[k].reverses_id;
	}
	struct aging_result ag;
	size_t nopen = 0;
	/* Fails only past int64 (a due date), which no writer lets in. */
	if (aging_compute_lots(w->e, n, credit_period_days, 0, &ag, w->lots.lot, OPEN_LOTS_MAX, &nopen) == 0) {
		const char *expect = NULL;
		if (nopen <= OPEN_LOTS_MAX) {
			w->lots.n = nopen;
			if (open_lots_format(&w->lots, w->text, sizeof w->text) < 0)
				abort(); /* OPEN_LOTS_TEXT_MAX holds any list */
			expect = w->text;
		}
		/* NULL in the row ("not kept") is always sound: readers then
		 * read the entries.  A list that is kept must be the walk's. */
		if (c->open_lots && (!expect || strcmp(c->open_lots, expect) != 0))
			derived(ps, a, c, "open_lots", arena_printf(a, "\"%s\"", c->open_lots),
				expect ? arena_printf(a, "\"%s\"", expect)
				       : arena_printf(a, "%zu open lots (more than %d: not kept)", nopen,
					       OPEN_LOTS_MAX));
		if (c->oldest_due_at != ag.oldest_due_ms)
			derived(ps, a, c, "oldest_due_at", time_text(a, c->oldest_due_at),
				time_text(a, ag.oldest_due_ms));
	}
	if (c->last_purchase_at != last_purchase)
		derived(ps, a, c, "last_purchase_at", time_text(a, c->last_purchase_at),
			time_text(a, last_purchase));
	if (c->last_payment_at != last_payment)
		derived(ps, a, c, "last_payment_at", time_text(a, c->last_payment_at),
			time_text(a, last_payment));
}

/* Rows by (customer_id, occurred_at, id): the database's order, checked,
 * and sorted here only when it is not byte order. */
static int cmp_customer_time_id(const void *x, const void *y)
{
	const struct vrow *a = x, *b = y;
	int c = strcmp(a->customer_id, b->customer_id);
	if (c)
		return c;
	if (a->occurred_at != b->occurred_at)
		return a->occurred_at < b->occurred_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int cmp_view_id(const void *x, const void *y)
{
	return strcmp(((const struct customer_view *)x)->id, ((const struct customer_view *)y)->id);
}

int store_ledger_verify(struct store_tx *tx, struct arena *a,
	struct ledger_problem **out, int *n_out)
{
	struct db_res *e = NULL, *c = NULL, *st = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	struct problems entry_ps = { 0 }, cust_ps = { 0 };
	struct vrow *rows = NULL;
	struct customer_view *cs = NULL;
	struct id_index ids = { 0 };
	struct walk_buf *w = NULL;
	int rc = store_exec(tx,
		"SELECT COALESCE((SELECT credit_period_days FROM tenant_settings WHERE tenant_id = $1), 30)",
		p, 1, &st);
	if (rc == STORE_OK)
		rc = store_exec(tx,
			"SELECT customer_id, id, type, amount_minor, effect_minor, occurred_at, reverses_id"
			" FROM transactions WHERE tenant_id = $1 ORDER BY customer_id, occurred_at, id", p, 1, &e);
	if (rc == STORE_OK)
		rc = store_exec(tx,
			"SELECT id, name, balance_minor, oldest_due_at, last_purchase_at, last_payment_at,"
			" open_lots FROM customers WHERE tenant_id = $1 ORDER BY id", p, 1, &c);
	if (rc != STORE_OK)
		goto out;
	int period = (int)db_res_int(st, 0, 0);
	int n = db_res_rows(e), nc = db_res_rows(c), sorted = 1;
	rows = calloc((size_t)(n ? n : 1), sizeof *rows);
	cs = calloc((size_t)(nc ? nc : 1), sizeof *cs);
	w = calloc(1, sizeof *w);
	if (!rows || !cs || !w)
		abort();
	for (int i = 0; i < n; i++) {
		struct vrow *v = &rows[i];
		v->customer_id = db_res_text(e, i, 0);
		v->id = db_res_text(e, i, 1);
		v->type = db_res_text(e, i, 2);
		v->kind = entry_type_parse(v->type);
		v->amount = db_res_int(e, i, 3);
		v->effect = db_res_int(e, i, 4);
		v->occurred_at = db_res_int(e, i, 5);
		v->reverses_id = db_res_text(e, i, 6);
		if (i && sorted && cmp_customer_time_id(&rows[i - 1], v) > 0)
			sorted = 0;
	}
	if (!sorted)
		qsort(rows, (size_t)n, sizeof *rows, cmp_customer_time_id);
	index_build(&ids, rows, n);
	check_effects(rows, n, &ids, &entry_ps, a);

	sorted = 1;
	for (int i = 0; i < nc; i++) {
		struct customer_view *v = &cs[i];
		v->id = db_res_text(c, i, 0);
		v->name = db_res_text(c, i, 1);
		v->balance = db_res_int(c, i, 2);
		v->oldest_due_at = db_res_int(c, i, 3);
		v->last_purchase_at = db_res_int(c, i, 4);
		v->last_payment_at = db_res_int(c, i, 5);
		v->open_lots = db_res_text(c, i, 6);
		if (i && sorted && strcmp(cs[i - 1].id, v->id) > 0)
			sorted = 0;
	}
	if (!sorted)
		qsort(cs, (size_t)nc, sizeof *cs, cmp_view_id);
	/* Merge: customers by id with their runs of entries. */
	int k = 0;
	for (int i = 0; i < nc; i++) {
		while (k < n && strcmp(rows[k].customer_id, cs[i].id) < 0)
			k++;
		int end = k;
		while (end < n && strcmp(rows[end].customer_id, cs[i].id) == 0)
			end++;
		check_customer(&cs[i], rows + k, (size_t)(end - k), period, w, &cust_ps, a);
		k = end;
	}

	if (entry_ps.n)
		qsort(entry_ps.v, (size_t)entry_ps.n, sizeof *entry_ps.v, cmp_problem_entry);
	int total = entry_ps.n + cust_ps.n;
	*out = arena_alloc(a, sizeof **out * (size_t)(total ? total : 1));
	if (entry_ps.n)
		memcpy(*out, entry_ps.v, sizeof *entry_ps.v * (size_t)entry_ps.n);
	if (cust_ps.n)
		memcpy(*out + entry_ps.n, cust_ps.v, sizeof *cust_ps.v * (size_t)cust_ps.n);
	*n_out = total;
out:
	if (w)
		free(w->e);
	free(w);
	free(ids.slot);
	free(rows);
	free(cs);
	free(entry_ps.v);
	free(cust_ps.v);
	db_res_free(st);
	db_res_free(e);
	db_res_free(c);
	return rc;
}

/* ---- the audit chain ---- */

/* Rows per read: the chain is walked a page at a time, so verify's memory
 * stays flat however long the trail.  Small pages stay in the cache and in
 * the result blocks the driver reuses; 4096 rows (a few MB of payloads a
 * page) cost a third more CPU in reallocating and faulting in fresh pages. */
#define VERIFY_PAGE 256

static void chain_break(struct audit_chain_status *out, enum audit_chain_state state,
	int64_t seq, int64_t found_seq, const char *id)
{
	out->state = state;
	out->seq = seq;
	out->found_seq = found_seq;
	snprintf(out->id, sizeof out->id, "%s", id ? id : "");
}

int store_audit_extent(struct store_tx *tx, struct audit_extent *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	memset(out, 0, sizeof *out);
	int rc = store_exec(tx,
		"SELECT COALESCE((SELECT MAX(seq) FROM audit_log WHERE tenant_id = $1), 0),"
		" (SELECT seq FROM audit_heads WHERE tenant_id = $1)", p, 1, &r);
	if (rc == STORE_OK && db_res_rows(r) == 1) {
		out->last_seq = db_res_int(r, 0, 0);
		out->has_head = !db_res_isnull(r, 0, 1);
		out->head_seq = db_res_int(r, 0, 1);
	}
	db_res_free(r);
	return rc;
}

/* SHA-256(prev || canonical) as hex: what store_audit_chain_hash computes,
 * through a context made once per range. */
static int chain_hash(EVP_MD_CTX *ctx, const EVP_MD *md, const char *prev,
	const char *canonical, size_t len, char out[65])
{
	unsigned char digest[32];
	if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prev, strlen(prev)) != 1 ||
	    EVP_DigestUpdate(ctx, canonical, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, digest, NULL) != 1)
		return -1;
	hex_encode(digest, sizeof digest, out);
	return 0;
}

int store_audit_verify_range(struct store_tx *tx, int64_t lo, int64_t hi,
	struct audit_chain_status *out)
{
	static const char sql[] =
		"SELECT seq, id, actor_id, actor_role, action, entity, entity_id, before_json,"
		" after_json, request_id, client_ip, created_at, prev_hash, hash"
		" FROM audit_log WHERE tenant_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3";
	struct db_res *r = NULL;
	struct buf canonical = BUF_INIT;
	char prev[65], hash[65];
	int64_t expect = lo + 1, from = lo > 0 ? lo : 1;
	int more = 1, rc = STORE_OK;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);

	memset(out, 0, sizeof *out);
	if (!ctx || !md) {
		rc = STORE_ERROR;
		goto out;
	}
	/* Row lo is read for its hash only (its own check is the range
	 * before's); if it is missing, that range reports it first. */
	snprintf(prev, sizeof prev, "%s", lo > 0 ? "" : STORE_AUDIT_ZERO_HASH);
	while (more && expect <= hi && out->state == AUDIT_CHAIN_INTACT) {
		struct db_param pp[] = { DB_TEXT(tx->tenant_id), DB_INT(from), DB_INT(VERIFY_PAGE) };
		db_res_free(r);
		r = NULL;
		rc = store_exec(tx, sql, pp, 3, &r);
		if (rc != STORE_OK)
			goto out;
		int rows = db_res_rows(r);
		more = rows == VERIFY_PAGE;
		for (int i = 0; i < rows && expect <= hi && out->state == AUDIT_CHAIN_INTACT; i++) {
			int64_t seq = db_res_int(r, i, 0);
			const char *id = db_res_text(r, i, 1);
			const char *stored_prev = db_res_text(r, i, 12);
			const char *stored = db_res_text(r, i, 13);
			from = seq + 1;
			if (seq < expect) { /* row lo */
				snprintf(prev, sizeof prev, "%s", stored ? stored : "");
				continue;
			}
			if (seq != expect) {
				chain_break(out, AUDIT_CHAIN_SEQ_MISSING, expect, seq, NULL);
				break;
			}
			store_audit_canonical_into(&canonical, tx->tenant_id, seq, id,
				db_res_text(r, i, 2), db_res_text(r, i, 3), db_res_text(r, i, 4),
				db_res_text(r, i, 5), db_res_text(r, i, 6), db_res_text(r, i, 7),
				db_res_text(r, i, 8), db_res_text(r, i, 9), db_res_text(r, i, 10),
				db_res_int(r, i, 11));
			if (chain_hash(ctx, md, prev, canonical.data, canonical.len, hash) < 0) {
				rc = STORE_ERROR;
				goto out;
			}
			if (!stored_prev || strcmp(stored_prev, prev) != 0)
				chain_break(out, AUDIT_CHAIN_PREV_MISMATCH, seq, 0, id);
			else if (!stored || strcmp(stored, hash) != 0)
				chain_break(out, AUDIT_CHAIN_EDITED, seq, 0, id);
			snprintf(prev, sizeof prev, "%s", stored ? stored : "");
			expect++;
		}
	}
out:
	EVP_MD_free(md);
	EVP_MD_CTX_free(ctx);
	buf_release(&canonical);
	db_res_free(r);
	return rc;
}

int store_audit_verify(struct store_tx *tx, struct audit_chain_status *out)
{
	struct audit_extent x;
	int rc = store_audit_extent(tx, &x);
	if (rc == STORE_OK)
		rc = store_audit_verify_range(tx, 0, x.last_seq, out);
	if (rc == STORE_OK && out->state == AUDIT_CHAIN_INTACT && x.has_head && x.head_seq != x.last_seq)
		chain_break(out, AUDIT_CHAIN_HEAD_MISMATCH, x.last_seq, x.head_seq, NULL);
	return rc;
}
