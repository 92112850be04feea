/* store_verify.c — see store_verify.h. */
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "store/store_verify.h"
#include "store/store_internal.h"

struct vrow {
	const char *id, *customer_id, *type, *reverses_id;
	int64_t amount, effect;
};

static int cmp_id(const void *x, const void *y)
{
	return strcmp(((const struct vrow *)x)->id, ((const struct vrow *)y)->id);
}

static int cmp_customer(const void *x, const void *y)
{
	return strcmp(((const struct vrow *)x)->customer_id, ((const struct vrow *)y)->customer_id);
}

/* Problems gather in a malloc'd array (their number is not known up
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

int store_ledger_verify(struct store_tx *tx, struct arena *a,
	struct ledger_problem **out, int *n_out)
{
	struct db_res *e = NULL, *c = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	struct problems ps = { 0 };
	int rc = store_exec(tx,
		"SELECT id, customer_id, type, amount_minor, effect_minor, reverses_id FROM transactions"
		" WHERE tenant_id = $1", p, 1, &e);
	if (rc == STORE_OK)
		rc = store_exec(tx,
			"SELECT id, name, balance_minor FROM customers WHERE tenant_id = $1 ORDER BY id", p, 1, &c);
	if (rc != STORE_OK)
		goto out;
	int n = db_res_rows(e);
	struct vrow *rows = calloc((size_t)(n ? n : 1), sizeof *rows);
	if (!rows)
		abort();
	for (int i = 0; i < n; i++) {
		rows[i].id = db_res_text(e, i, 0);
		rows[i].customer_id = db_res_text(e, i, 1);
		rows[i].type = db_res_text(e, i, 2);
		rows[i].amount = db_res_int(e, i, 3);
		rows[i].effect = db_res_int(e, i, 4);
		rows[i].reverses_id = db_res_text(e, i, 5);
	}
	qsort(rows, (size_t)n, sizeof *rows, cmp_id);
	/* Each entry's effect follows from its type and amount; a reversal's
	 * from the entry it reverses. */
	for (int i = 0; i < n; i++) {
		struct vrow *v = &rows[i];
		int64_t expect;
		if (strcmp(v->type, "purchase") == 0)
			expect = v->amount;
		else if (strcmp(v->type, "payment") == 0)
			expect = -v->amount;
		else if (strcmp(v->type, "adjustment") == 0)
			expect = v->amount;
		else {
			struct vrow key = { .id = v->reverses_id ? v->reverses_id : "" };
			struct vrow *orig = bsearch(&key, rows, (size_t)n, sizeof *rows, cmp_id);
			expect = orig ? -orig->effect : 0;
			if (!orig) {
				entry_problem(&ps, a, LEDGER_PROBLEM_REVERSES_MISSING, v)->reverses_id =
					arena_strdup(a, v->reverses_id);
			} else if (orig->amount != v->amount) {
				entry_problem(&ps, a, LEDGER_PROBLEM_REVERSAL_AMOUNT, v)->reversed_amount_minor =
					orig->amount;
			}
		}
		if (expect != v->effect) {
			struct ledger_problem *q = entry_problem(&ps, a, LEDGER_PROBLEM_EFFECT, v);
			q->recorded_effect_minor = v->effect;
			q->expected_effect_minor = expect;
			v->effect = expect;
		}
	}
	/* Merge customers (ordered by id) with entries re-sorted by customer. */
	qsort(rows, (size_t)n, sizeof *rows, cmp_customer);
	int k = 0;
	for (int i = 0; i < db_res_rows(c); i++) {
		const char *cid = db_res_text(c, i, 0);
		int64_t stored = db_res_int(c, i, 2), sum = 0;
		int overflow = 0;
		while (k < n && strcmp(rows[k].customer_id, cid) < 0)
			k++;
		for (; k < n && strcmp(rows[k].customer_id, cid) == 0; k++)
			if (!overflow && money_add(sum, rows[k].effect, &sum) < 0)
				overflow = 1;
		if (overflow || sum != stored) {
			struct ledger_problem *q = add(&ps,
				overflow ? LEDGER_PROBLEM_BALANCE_OVERFLOW : LEDGER_PROBLEM_BALANCE);
			q->customer_id = arena_strdup(a, cid);
			q->customer_name = arena_strdup(a, db_res_text(c, i, 1));
			q->stored_balance_minor = stored;
			q->entries_sum_minor = overflow ? 0 : sum;
		}
	}
	free(rows);
	*out = arena_alloc(a, sizeof **out * (size_t)(ps.n ? ps.n : 1));
	if (ps.n)
		memcpy(*out, ps.v, sizeof *ps.v * (size_t)ps.n);
	*n_out = ps.n;
out:
	free(ps.v);
	db_res_free(e);
	db_res_free(c);
	return rc;
}
