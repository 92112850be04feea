/*
 * test_open_lots.c — the open lots a customer row keeps (domain/open_lots.h):
 * the text form and its bound, and, on random ledgers, that following each
 * entry with open_lots_apply (reading the lots again from the full walk
 * whenever it cannot tell, as the writer reads them from the entries)
 * keeps exactly the lots of the full FIFO walk, whose aging at many `now`
 * values is the walk's.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "domain/open_lots.h"

#define DAY AGING_DAY_MS

TEST(text_form_round_trips_and_is_canonical)
{
	struct open_lots l;
	char out[OPEN_LOTS_TEXT_MAX];
	static const char *const good[] = { "", "1:2", "1:2,3:4", "5:1,5:7", "-86400000:3",
		"0:9223372036854775807", "-9223372036854775808:1" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		CHECK_INT(open_lots_parse(good[i], &l), 0);
		CHECK(open_lots_format(&l, out, sizeof out) >= 0);
		CHECK_STR(out, good[i]);
	}
	CHECK_INT(open_lots_parse("1:2,3:4", &l), 0);
	CHECK_INT(l.n, 2);
	CHECK_INT(l.lot[0].occurred_at_ms, 1);
	CHECK_INT(l.lot[0].remaining_minor, 2);
	CHECK_INT(l.lot[1].occurred_at_ms, 3);
	CHECK_INT(l.lot[1].remaining_minor, 4);
	static const char *const bad[] = { "01:2", "1:02", "+1:2", "-0:2", "1:0", "1:-3", "1:2,",
		",1:2", "1:2,,3:4", "1:2 ", " 1:2", "1", "1:", ":2", "a:1", "1:2;3:4",
		"3:1,2:1",                                /* out of date order */
		"1:9223372036854775807,2:1",              /* sums past int64 */
		"1:9223372036854775808",                  /* not an int64 */
		"-9223372036854775809:1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		l.n = 7;
		CHECK_INT(open_lots_parse(bad[i], &l), -1);
		CHECK_INT(l.n, 0);
	}
	CHECK_INT(open_lots_parse(NULL, &l), -1);
}

TEST(at_most_open_lots_max_are_kept_and_their_longest_text_fits)
{
	struct open_lots l = { 0 };
	char out[OPEN_LOTS_TEXT_MAX], *big = malloc(OPEN_LOTS_TEXT_MAX * 2);
	for (size_t i = 0; i < OPEN_LOTS_MAX; i++) {
		l.lot[i].occurred_at_ms = INT64_MIN;
		l.lot[i].remaining_minor = i ? 1 : INT64_MAX - (int64_t)OPEN_LOTS_MAX;
	}
	l.n = OPEN_LOTS_MAX;
	l.lot[OPEN_LOTS_MAX - 1].remaining_minor = 1;
	int len = open_lots_format(&l, out, sizeof out);
	CHECK(len > 0 && (size_t)len < sizeof out);
	CHECK_INT(open_lots_parse(out, &l), 0);
	CHECK_INT(l.n, OPEN_LOTS_MAX);
	CHECK_INT(open_lots_format(&l, out, 40), -1);
	/* One lot more than a row keeps is not a list. */
	snprintf(big, OPEN_LOTS_TEXT_MAX * 2, "%s,1:1", out);
	CHECK_INT(open_lots_parse(big, &l), -1);
	free(big);
	/* More open lots than that are not kept: the caller reads the entries. */
	int64_t occ[OPEN_LOTS_MAX + 1], amt[OPEN_LOTS_MAX + 1];
	for (int i = 0; i <= OPEN_LOTS_MAX; i++) {
		occ[i] = 1000 - i;
		amt[i] = 10;
	}
	CHECK_INT(open_lots_from_newest(occ, amt, OPEN_LOTS_MAX + 1, 10 * (OPEN_LOTS_MAX + 1), &l), 1);
	CHECK_INT(l.n, 0);
	CHECK_INT(open_lots_from_newest(occ, amt, OPEN_LOTS_MAX + 1, 10 * OPEN_LOTS_MAX - 3, &l), 0);
	CHECK_INT(l.n, OPEN_LOTS_MAX);
	CHECK_INT(l.lot[0].remaining_minor, 7);
	CHECK_INT(l.lot[0].occurred_at_ms, 1000 - (OPEN_LOTS_MAX - 1));
	/* A full list takes no new lot by itself. */
	CHECK_INT(open_lots_apply(&l, 10 * OPEN_LOTS_MAX - 3, 5, 2000), 1);
}

TEST(apply_tells_what_it_can_and_asks_for_the_entries_otherwise)
{
	struct open_lots l;
	CHECK_INT(open_lots_parse("10:5,20:7", &l), 0);
	/* A payment takes the oldest first. */
	CHECK_INT(open_lots_apply(&l, 12, -6, 5), 0);
	CHECK_INT(l.n, 1);
	CHECK_INT(l.lot[0].occurred_at_ms, 20);
	CHECK_INT(l.lot[0].remaining_minor, 6);
	/* A purchase after the newest lot joins the end. */
	CHECK_INT(open_lots_apply(&l, 6, 4, 30), 0);
	CHECK_INT(l.n, 2);
	CHECK_INT(l.lot[1].remaining_minor, 4);
	/* Back-dated, or at the same time as the newest lot: ask. */
	CHECK_INT(open_lots_apply(&l, 10, 4, 25), 1);
	CHECK_INT(open_lots_parse("20:6,30:4", &l), 0);
	CHECK_INT(open_lots_apply(&l, 10, 4, 30), 1);
	/* Paid off, and beyond: nothing open. */
	CHECK_INT(open_lots_parse("20:6,30:4", &l), 0);
	CHECK_INT(open_lots_apply(&l, 10, -15, 1), 0);
	CHECK_INT(l.n, 0);
	/* In credit, a purchase that leaves it in credit opens nothing... */
	CHECK_INT(open_lots_apply(&l, -5, 3, 40), 0);
	CHECK_INT(l.n, 0);
	/* ...one that goes past it may stand behind settled lots: ask. */
	CHECK_INT(open_lots_apply(&l, -2, 3, 50), 1);
	CHECK_INT(open_lots_parse("", &l), 0);
	CHECK_INT(open_lots_apply(&l, 0, 3, 50), 1);
	/* Nothing changes nothing. */
	CHECK_INT(open_lots_parse("20:6", &l), 0);
	CHECK_INT(open_lots_apply(&l, 6, 0, 1), 0);
	CHECK_INT(l.n, 1);
}

TEST(aging_of_kept_lots_is_the_aging_of_the_newest_lots)
{
	struct open_lots l;
	struct aging_result r;
	int64_t now = 100 * DAY;
	CHECK_INT(open_lots_parse("0:100,5184000000:50", &l), 0); /* day 0 and day 60 */
	CHECK_INT(open_lots_aging(&l, 150, 30, now, &r), 0);
	CHECK_INT(r.balance_minor, 150);
	CHECK_INT(r.oldest_due_ms, 30 * DAY);
	CHECK_INT(r.buckets[AGING_61_90], 100);  /* due day 30, 70 days late: day 71 */
	CHECK_INT(r.buckets[AGING_1_30], 50);    /* due day 90: day 11 */
	CHECK_INT(r.overdue_minor, 150);
	/* Later, the same lots sit in later buckets: nothing was written. */
	CHECK_INT(open_lots_aging(&l, 150, 30, now + 30 * DAY, &r), 0);
	CHECK_INT(r.buckets[AGING_90_PLUS], 100);
	CHECK_INT(r.buckets[AGING_31_60], 50);
	/* A list that does not add up to the balance is not used. */
	CHECK_INT(open_lots_aging(&l, 151, 30, now, &r), 1);
	/* A due date past int64 is an error. */
	CHECK_INT(open_lots_parse("9223372036854775000:1", &l), 0);
	CHECK_INT(open_lots_aging(&l, 1, 30, now, &r), -1);
}

/* ---- random ledgers ---- */

struct ledger {
	struct aging_entry e[400];
	char ids[400][12], revs[400][12];
	int reversed[400];
	size_t n;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One more entry, as the API makes them: dated around `clock` (often
 * now, sometimes back-dated up to 120 days), or a reversal (dated now) of
 * an earlier entry that is not a reversal and not reversed; a customer who
 * rarely pays (`buys`) makes mostly purchases.  Returns its index. */
static size_t add_entry(struct ledger *g, int64_t clock, int buys)
{
	struct aging_entry *e = &g->e[g->n];
	snprintf(g->ids[g->n], sizeof g->ids[0], "id%05zu", g->n);
	e->id = g->ids[g->n];
	e->reverses_id = NULL;
	uint64_t kind = next() % 20;
	if (buys && kind >= 10 && kind < 16 && next() % 8)
		kind = 0;
	int64_t amount = 1 + (int64_t)(next() % 30000);
	e->occurred_at_ms = next() % 4 ? clock : clock - (int64_t)(next() % (120 * DAY));
	if (kind < 10) {
		e->type = ENTRY_PURCHASE;
		e->effect_minor = amount;
	} else if (kind < 16) {
		e->type = ENTRY_PAYMENT;
		e->effect_minor = -amount;
	} else if (kind < 18) {
		e->type = ENTRY_ADJUSTMENT;
		e->effect_minor = next() & 1 ? amount : -amount;
	} else {
		size_t t = g->n ? next() % g->n : 0;
		if (g->n && !g->reversed[t] && g->e[t].type != ENTRY_REVERSAL) {
			e->type = ENTRY_REVERSAL;
			e->effect_minor = -g->e[t].effect_minor;
			e->occurred_at_ms = clock;
			memcpy(g->revs[g->n], g->ids[t], sizeof g->revs[0]);
			e->reverses_id = g->revs[g->n];
			g->reversed[t] = 1;
		} else {
			e->type = ENTRY_PURCHASE;
			e->effect_minor = amount;
		}
	}
	return g->n++;
}

TEST(following_each_entry_keeps_the_lots_of_the_full_walk_on_random_ledgers)
{
	static struct ledger g;
	struct aging_lot walk[OPEN_LOTS_MAX];
	int not_kept = 0;
	for (int round = 0; round < 200; round++) {
		struct open_lots l = { 0 };
		int kept = 1, asked = 0, followed = 0;
		int period = (int)(next() % 60);
		int64_t clock = 1790000000000LL + (int64_t)(next() % (365 * DAY)), balance = 0;
		memset(&g, 0, sizeof g);
		size_t len = 50 + next() % 350;
		for (size_t i = 0; i < len; i++) {
			size_t k = add_entry(&g, clock, round % 8 == 0);
			const struct aging_entry *e = &g.e[k];
			int64_t before = balance;
			struct aging_result full;
			size_t nopen;
			balance += e->effect_minor;
			clock += 1 + (int64_t)(next() % (3 * DAY));
			CHECK_INT(aging_compute_lots(g.e, g.n, period, clock, &full, walk, OPEN_LOTS_MAX, &nopen), 0);
			CHECK_INT(full.balance_minor, balance);
			/* The writer: follow the entry when the kept lots tell,
			 * else read them again (here: from the walk). */
			if (kept && e->type != ENTRY_REVERSAL && open_lots_cover(&l, before) &&
			    open_lots_apply(&l, before, e->effect_minor, e->occurred_at_ms) == 0) {
				followed++;
			} else {
				asked += kept;
				kept = nopen <= OPEN_LOTS_MAX;
				l.n = kept ? nopen : 0;
				memcpy(l.lot, walk, sizeof walk[0] * l.n);
			}
			if (kept != (nopen <= OPEN_LOTS_MAX)) {
				CHECK(!"kept exactly when the lots fit");
				return;
			}
			not_kept += !kept;
			if (!kept)
				continue;
			CHECK_INT(l.n, nopen);
			for (size_t j = 0; j < l.n && j < nopen; j++) {
				CHECK_INT(l.lot[j].occurred_at_ms, walk[j].occurred_at_ms);
				CHECK_INT(l.lot[j].remaining_minor, walk[j].remaining_minor);
			}
			/* Aged at many moments, before, at and long after the
			 * entries, the kept lots give the walk's figures. */
			for (int t = 0; t < (i % 4 ? 0 : 8); t++) {
				int64_t now = clock - 150 * DAY + (int64_t)(next() % (400 * DAY));
				struct aging_result fast, slow;
				CHECK_INT(aging_compute(g.e, g.n, period, now, &slow), 0);
				CHECK_INT(open_lots_aging(&l, balance, period, now, &fast), 0);
				CHECK_INT(fast.balance_minor, slow.balance_minor);
				CHECK_INT(fast.overdue_minor, slow.overdue_minor);
				CHECK_INT(fast.oldest_due_ms, slow.oldest_due_ms);
				for (int b = 0; b < 5; b++)
					CHECK_INT(fast.buckets[b], slow.buckets[b]);
			}
			if (*check_failed) {
				fprintf(stderr, "  round %d, entry %zu\n", round, i);
				return;
			}
		}
		/* Most entries to a kept list are followed without reading the
		 * ledger. */
		CHECK(followed > asked);
	}
	/* Some ledgers outgrew the bound (and were read from the entries). */
	CHECK(not_kept > 0);
}

TEST(lots_read_newest_first_are_the_lots_of_the_full_walk)
{
	static struct ledger g;
	struct aging_lot walk[OPEN_LOTS_MAX];
	for (int round = 0; round < 2000; round++) {
		int64_t clock = 1790000000000LL;
		memset(&g, 0, sizeof g);
		size_t len = 1 + next() % 120;
		for (size_t i = 0; i < len; i++) {
			add_entry(&g, clock, round % 8 == 0);
			clock += (int64_t)(next() % DAY);
		}
		struct aging_result full;
		size_t nopen, nl = 0;
		CHECK_INT(aging_compute_lots(g.e, g.n, 30, clock, &full, walk, OPEN_LOTS_MAX, &nopen), 0);
		/* The live lots newest first, as store_entry_open_lots reads them. */
		int64_t occ[400], amt[400];
		const struct aging_entry *lots[400];
		for (size_t i = 0; i < g.n; i++)
			if (g.e[i].effect_minor > 0 && g.e[i].type != ENTRY_REVERSAL && !g.reversed[i])
				lots[nl++] = &g.e[i];
		for (size_t i = 0; i < nl; i++)
			for (size_t j = i + 1; j < nl; j++)
				if (lots[j]->occurred_at_ms > lots[i]->occurred_at_ms ||
				    (lots[j]->occurred_at_ms == lots[i]->occurred_at_ms &&
				     strcmp(lots[j]->id, lots[i]->id) > 0)) {
					const struct aging_entry *x = lots[i];
					lots[i] = lots[j];
					lots[j] = x;
				}
		for (size_t i = 0; i < nl; i++) {
			occ[i] = lots[i]->occurred_at_ms;
			amt[i] = lots[i]->effect_minor;
		}
		struct open_lots l;
		int rc = open_lots_from_newest(occ, amt, nl, full.balance_minor, &l);
		CHECK_INT(rc, nopen <= OPEN_LOTS_MAX ? 0 : 1);
		if (rc == 0) {
			CHECK_INT(l.n, nopen);
			for (size_t j = 0; j < l.n && j < nopen; j++) {
				CHECK_INT(l.lot[j].occurred_at_ms, walk[j].occurred_at_ms);
				CHECK_INT(l.lot[j].remaining_minor, walk[j].remaining_minor);
			}
		}
		if (*check_failed)
			return;
	}
}

CHECK_MAIN()
