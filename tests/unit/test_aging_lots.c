/*
 * aging_from_newest_lots must agree with aging_compute on any ledger that
 * the API can produce: purchases, payments, signed adjustments and
 * reversals of earlier entries, in any time order.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "domain/aging.h"

#define DAY AGING_DAY_MS

struct gen {
	struct aging_entry e[80];
	char ids[80][16];
	char revs[80][16];
	int reversed[80];
	size_t n;
};

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void make_ledger(struct gen *g, int64_t now)
{
	memset(g, 0, sizeof *g);
	size_t n = 1 + next() % 60;
	for (size_t i = 0; i < n; i++) {
		struct aging_entry *e = &g->e[g->n];
		snprintf(g->ids[g->n], sizeof g->ids[0], "id%03zu", g->n);
		e->id = g->ids[g->n];
		e->occurred_at_ms = now - (int64_t)(next() % 120) * DAY - (int64_t)(next() % 86400000);
		uint64_t kind = next() % 10;
		int64_t amount = 1 + (int64_t)(next() % 50000);
		if (kind < 5) {
			e->type = ENTRY_PURCHASE;
			e->effect_minor = amount;
		} else if (kind < 8) {
			e->type = ENTRY_PAYMENT;
			e->effect_minor = -amount;
		} else if (kind < 9) {
			e->type = ENTRY_ADJUSTMENT;
			e->effect_minor = (next() & 1) ? amount : -amount;
		} else {
			/* reverse a random earlier, not yet reversed, non-reversal entry */
			size_t t = g->n ? next() % g->n : 0;
			if (!g->n || g->reversed[t] || g->e[t].type == ENTRY_REVERSAL) {
				e->type = ENTRY_PURCHASE;
				e->effect_minor = amount;
			} else {
				e->type = ENTRY_REVERSAL;
				e->effect_minor = -g->e[t].effect_minor;
				memcpy(g->revs[g->n], g->ids[t], sizeof g->revs[0]);
				e->reverses_id = g->revs[g->n];
				g->reversed[t] = 1;
			}
		}
		g->n++;
	}
}

static int cmp_desc(const void *x, const void *y)
{
	const struct aging_entry *a = *(const struct aging_entry *const *)x;
	const struct aging_entry *b = *(const struct aging_entry *const *)y;
	if (a->occurred_at_ms != b->occurred_at_ms)
		return a->occurred_at_ms > b->occurred_at_ms ? -1 : 1;
	return -strcmp(a->id, b->id);
}

TEST(newest_lots_agree_with_the_full_fifo_walk_on_random_ledgers)
{
	int64_t now = 1795000000000LL;
	for (int round = 0; round < 3000; round++) {
		struct gen g;
		struct aging_result full, fast;
		const struct aging_entry *lots[80];
		int64_t occ[80], amt[80];
		size_t nl = 0;
		int period = (int)(next() % 45);

		make_ledger(&g, now);
		CHECK_INT(aging_compute(g.e, g.n, period, now, &full), 0);
		for (size_t i = 0; i < g.n; i++)
			if (g.e[i].effect_minor > 0 && g.e[i].type != ENTRY_REVERSAL && !g.reversed[i])
				lots[nl++] = &g.e[i];
		qsort(lots, nl, sizeof lots[0], cmp_desc);
		for (size_t i = 0; i < nl; i++) {
			occ[i] = lots[i]->occurred_at_ms;
			amt[i] = lots[i]->effect_minor;
		}
		int rc = aging_from_newest_lots(occ, amt, nl, full.balance_minor, period, now, &fast);
		CHECK_INT(rc, 0);
		CHECK_INT(fast.overdue_minor, full.overdue_minor);
		CHECK_INT(fast.oldest_due_ms, full.balance_minor > 0 ? full.oldest_due_ms : 0);
		for (int b = 0; b < 5; b++)
			CHECK_INT(fast.buckets[b], full.buckets[b]);
		if (*check_failed)
			return;
	}
}

TEST(too_few_lots_to_cover_the_balance_asks_for_more)
{
	int64_t occ[] = { 1000 }, amt[] = { 500 };
	struct aging_result r;
	CHECK_INT(aging_from_newest_lots(occ, amt, 1, 800, 30, 2000, &r), 1);
	CHECK_INT(aging_from_newest_lots(occ, amt, 1, 500, 30, 2000, &r), 0);
	CHECK_INT(r.buckets[AGING_CURRENT], 500);
}

TEST(lots_near_int64_fill_the_buckets_without_wrapping)
{
	/* Newest first: a lot at INT64_MAX covers the whole balance; the older
	 * lot is never read, so nothing is added past it. */
	int64_t occ[] = { 3000, 1000 }, amt[] = { INT64_MAX, INT64_MAX };
	struct aging_result r;
	CHECK_INT(aging_from_newest_lots(occ, amt, 2, INT64_MAX, 0, 2000, &r), 0);
	CHECK_INT(r.buckets[AGING_CURRENT], INT64_MAX);
	CHECK_INT(r.overdue_minor, 0);
	/* Two lots that together make INT64_MAX, in different buckets. */
	int64_t occ2[] = { 3000, 1000 }, amt2[] = { INT64_MAX - 5, 5 };
	CHECK_INT(aging_from_newest_lots(occ2, amt2, 2, INT64_MAX, 0, 2000, &r), 0);
	CHECK_INT(r.buckets[AGING_CURRENT], INT64_MAX - 5);
	CHECK_INT(r.buckets[AGING_1_30], 5);
	CHECK_INT(r.overdue_minor, 5);
	/* A due date past int64 is an error, not a wrap. */
	int64_t late[] = { INT64_MAX - 5 }, one[] = { 1 };
	CHECK_INT(aging_from_newest_lots(late, one, 1, 1, 1, 2000, &r), -1);
}

TEST(no_balance_needs_no_lots)
{
	struct aging_result r;
	CHECK_INT(aging_from_newest_lots(NULL, NULL, 0, -300, 30, 0, &r), 0);
	CHECK_INT(r.overdue_minor, 0);
	CHECK_INT(r.oldest_due_ms, 0);
}

CHECK_MAIN()
