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

int store_ledger_verify(struct store_tx *tx, json_t *report)
{
	struct db_res *e = NULL, *c = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int problems = 0;
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
				json_array_append_new(report, json_sprintf(
					"entry %s: reverses %s, which does not exist", v->id,
					v->reverses_id ? v->reverses_id : "(none)"));
				problems++;
			} else if (orig->amount != v->amount) {
				json_array_append_new(report, json_sprintf(
					"entry %s: reversal amount %lld differs from the reversed entry's %lld",
					v->id, (long long)v->amount, (long long)orig->amount));
				problems++;
			}
		}
		if (expect != v->effect) {
			json_array_append_new(report, json_sprintf(
				"entry %s (%s, amount %lld): recorded effect %lld, expected %lld", v->id,
				v->type, (long long)v->amount, (long long)v->effect, (long long)expect));
			problems++;
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
		if (overflow) {
			json_array_append_new(report, json_sprintf(
				"customer %s (%s): stored balance %lld, entries sum past int64 (beyond +/-%lld)", cid,
				db_res_text(c, i, 1), (long long)stored, (long long)INT64_MAX));
			problems++;
		} else if (sum != stored) {
			json_array_append_new(report, json_sprintf(
				"customer %s (%s): stored balance %lld, entries sum to %lld", cid,
				db_res_text(c, i, 1), (long long)stored, (long long)sum));
			problems++;
		}
	}
	free(rows);
out:
	db_res_free(e);
	db_res_free(c);
	return rc == STORE_OK ? problems : rc;
}

