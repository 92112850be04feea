/* Unit tests for src/domain/aging.c */
#include "check.h"
#include "domain/aging.h"

#include <stdlib.h>

#define DAY AGING_DAY_MS
#define T0 ((int64_t)1767225600000) /* 2026-01-01T00:00:00Z */

static struct aging_entry purchase(const char *id, int day, int64_t amount)
{
	return (struct aging_entry){ id, ENTRY_PURCHASE, T0 + day * DAY, amount, NULL };
}

static struct aging_entry payment(const char *id, int day, int64_t amount)
{
	return (struct aging_entry){ id, ENTRY_PAYMENT, T0 + day * DAY, -amount, NULL };
}

static struct aging_entry adjustment(const char *id, int day, int64_t effect)
{
	return (struct aging_entry){ id, ENTRY_ADJUSTMENT, T0 + day * DAY, effect, NULL };
}

static struct aging_entry reversal(const char *id, int day, const struct aging_entry *of)
{
	return (struct aging_entry){ id, ENTRY_REVERSAL, T0 + day * DAY, -of->effect_minor, of->id };
}

static int64_t bucket_sum(const struct aging_result *r)
{
	int64_t s = 0;

	for (int i = 0; i < 5; i++)
		s += r->buckets[i];
	return s;
}

static void check_invariants(const struct aging_result *r, int *check_failed)
{
	CHECK_INT(bucket_sum(r), r->balance_minor > 0 ? r->balance_minor : 0);
	CHECK_INT(r->overdue_minor, bucket_sum(r) - r->buckets[AGING_CURRENT]);
	CHECK_INT(r->oldest_due_ms == 0, bucket_sum(r) == 0);
}

#define COMPUTE(e, period, now, r)                                                   \
	do {                                                                         \
		CHECK_INT(aging_compute(e, sizeof(e) / sizeof((e)[0]), period, now, &(r)), 0); \
		check_invariants(&(r), check_failed);                                \
	} while (0)

TEST(no_entries_means_nothing_owed)
{
	struct aging_result r;

	memset(&r, 0x55, sizeof(r));
	CHECK_INT(aging_compute(NULL, 0, 30, T0, &r), 0);
	CHECK_INT(r.balance_minor, 0);
	CHECK_INT(r.oldest_due_ms, 0);
	CHECK_INT(bucket_sum(&r), 0);
}

TEST(purchase_is_current_until_the_credit_period_ends)
{
	struct aging_entry e[] = { purchase("a", 0, 10000) };
	struct aging_result r;

	COMPUTE(e, 30, T0 + 30 * DAY - 1, r);
	CHECK_INT(r.balance_minor, 10000);
	CHECK_INT(r.buckets[AGING_CURRENT], 10000);
	CHECK_INT(r.overdue_minor, 0);
	CHECK_INT(r.oldest_due_ms, T0 + 30 * DAY);
	COMPUTE(e, 30, T0 + 30 * DAY, r);
	CHECK_INT(r.buckets[AGING_1_30], 10000);
	CHECK_INT(r.overdue_minor, 10000);
}

TEST(credit_period_zero_makes_a_purchase_due_at_once)
{
	struct aging_entry e[] = { purchase("a", 0, 500) };
	struct aging_result r;

	COMPUTE(e, 0, T0 - 1, r);
	CHECK_INT(r.buckets[AGING_CURRENT], 500);
	COMPUTE(e, 0, T0, r);
	CHECK_INT(r.buckets[AGING_1_30], 500);
	CHECK_INT(r.overdue_minor, 500);
	CHECK_INT(r.oldest_due_ms, T0);
}

TEST(payment_settles_oldest_purchase_first)
{
	struct aging_entry e[] = {
		purchase("p1", 0, 10000),
		purchase("p2", 10, 20000),
		payment("m1", 20, 15000),
	};
	struct aging_result r;

	COMPUTE(e, 0, T0 + 40 * DAY, r);
	CHECK_INT(r.balance_minor, 15000);
	/* p1 fully paid; p2 keeps 15000, due day 10, 30 days late -> day 31 */
	CHECK_INT(r.oldest_due_ms, T0 + 10 * DAY);
	CHECK_INT(r.buckets[AGING_31_60], 15000);
	CHECK_INT(r.buckets[AGING_1_30] + r.buckets[AGING_61_90], 0);
}

TEST(fifo_spans_several_purchases_and_payments)
{
	struct aging_entry e[] = {
		purchase("p1", 0, 100), purchase("p2", 1, 200), purchase("p3", 2, 300),
		purchase("p4", 100, 400), payment("m1", 3, 250), payment("m2", 101, 100),
	};
	struct aging_result r;

	/* m1 pays p1 and 150 of p2; m2 pays p2's last 50 and 50 of p3 */
	COMPUTE(e, 0, T0 + 120 * DAY, r);
	CHECK_INT(r.balance_minor, 650);
	CHECK_INT(r.oldest_due_ms, T0 + 2 * DAY);
	CHECK_INT(r.buckets[AGING_90_PLUS], 250);   /* p3, 118 days late */
	CHECK_INT(r.buckets[AGING_1_30], 400);      /* p4, 20 days late */
}

TEST(partial_payment_leaves_the_rest_of_the_lot_open)
{
	struct aging_entry e[] = { purchase("p1", 0, 1000), payment("m1", 5, 300) };
	struct aging_result r;

	COMPUTE(e, 15, T0 + 10 * DAY, r);
	CHECK_INT(r.balance_minor, 700);
	CHECK_INT(r.buckets[AGING_CURRENT], 700);
	CHECK_INT(r.oldest_due_ms, T0 + 15 * DAY);
}

TEST(overpayment_is_held_as_credit_for_later_purchases)
{
	struct aging_entry e[] = { purchase("p1", 0, 1000), payment("m1", 1, 1500) };
	struct aging_entry e2[] = { purchase("p1", 0, 1000), payment("m1", 1, 1500),
				    purchase("p2", 2, 800), purchase("p3", 3, 100) };
	struct aging_result r;

	COMPUTE(e, 0, T0 + 5 * DAY, r);
	CHECK_INT(r.balance_minor, -500);
	CHECK_INT(bucket_sum(&r), 0);
	CHECK_INT(r.oldest_due_ms, 0);
	CHECK_INT(r.overdue_minor, 0);

	COMPUTE(e2, 0, T0 + 5 * DAY, r);
	CHECK_INT(r.balance_minor, 400);
	/* credit 500 settles p2 partly: 300 of p2 (due day 2) and p3 remain */
	CHECK_INT(r.oldest_due_ms, T0 + 2 * DAY);
	CHECK_INT(r.buckets[AGING_1_30], 400);
}

TEST(credit_that_covers_later_purchases_leaves_nothing_open)
{
	struct aging_entry e[] = { payment("m0", 0, 1000), purchase("p1", 1, 400),
				   purchase("p2", 2, 600) };
	struct aging_result r;

	COMPUTE(e, 0, T0 + 5 * DAY, r);
	CHECK_INT(r.balance_minor, 0);
	CHECK_INT(bucket_sum(&r), 0);
	CHECK_INT(r.oldest_due_ms, 0);
}

TEST(reversed_purchase_drops_out_as_if_never_made)
{
	struct aging_entry e[3];
	struct aging_result r;

	e[0] = purchase("p1", 0, 100);
	e[1] = purchase("p2", 5, 100);
	e[2] = reversal("r1", 10, &e[1]);
	/* A plain FIFO credit would settle p1; the reversal must take p2 */
	COMPUTE(e, 0, T0 + 20 * DAY, r);
	CHECK_INT(r.balance_minor, 100);
	CHECK_INT(r.oldest_due_ms, T0);
	CHECK_INT(r.buckets[AGING_1_30], 100);
}

TEST(reversed_payment_drops_out_and_the_purchase_keeps_its_due_date)
{
	struct aging_entry e[3];
	struct aging_result r;

	e[0] = purchase("p1", 0, 100);
	e[1] = payment("m1", 1, 100);
	e[2] = reversal("r1", 50, &e[1]);
	COMPUTE(e, 0, T0 + 60 * DAY, r);
	CHECK_INT(r.balance_minor, 100);
	CHECK_INT(r.oldest_due_ms, T0);       /* not day 50 */
	CHECK_INT(r.buckets[AGING_61_90], 100); /* 60 days late -> day 61 */
}

TEST(reversal_of_a_reversal_restores_the_original_entry)
{
	struct aging_entry e[3];
	struct aging_result r;

	e[0] = purchase("p1", 0, 700);
	e[1] = reversal("r1", 3, &e[0]);
	e[2] = reversal("r2", 6, &e[1]);
	COMPUTE(e, 0, T0 + 10 * DAY, r);
	CHECK_INT(r.balance_minor, 700);
	CHECK_INT(r.oldest_due_ms, T0);
}

TEST(reversal_of_an_adjustment_drops_both)
{
	struct aging_entry e[3];
	struct aging_result r;

	e[0] = purchase("p1", 0, 700);
	e[1] = adjustment("a1", 1, -200);
	e[2] = reversal("r1", 2, &e[1]);
	COMPUTE(e, 0, T0 + 3 * DAY, r);
	CHECK_INT(r.balance_minor, 700);
	CHECK_INT(r.buckets[AGING_1_30], 700);
}

TEST(reversal_without_its_entry_counts_by_its_sign)
{
	struct aging_entry e[2];
	struct aging_result r;

	e[0] = purchase("p1", 0, 700);
	e[1] = (struct aging_entry){ "r1", ENTRY_REVERSAL, T0 + DAY, -200, "gone" };
	COMPUTE(e, 0, T0 + 3 * DAY, r);
	CHECK_INT(r.balance_minor, 500);
	CHECK_INT(r.oldest_due_ms, T0);
}

TEST(reversal_that_does_not_cancel_exactly_stays_in)
{
	struct aging_entry e[2];
	struct aging_result r;

	e[0] = purchase("p1", 0, 700);
	e[1] = (struct aging_entry){ "r1", ENTRY_REVERSAL, T0 + DAY, -200, "p1" };
	COMPUTE(e, 0, T0 + 3 * DAY, r);
	CHECK_INT(r.balance_minor, 500);
	CHECK_INT(r.buckets[AGING_1_30], 500);
}

TEST(an_entry_is_reversed_at_most_once)
{
	struct aging_entry e[3];
	struct aging_result r;

	e[0] = purchase("p1", 0, 300);
	e[1] = reversal("r1", 1, &e[0]);
	e[2] = reversal("r2", 2, &e[0]); /* second reversal: a -300 credit */
	COMPUTE(e, 0, T0 + 3 * DAY, r);
	CHECK_INT(r.balance_minor, -300);
	CHECK_INT(bucket_sum(&r), 0);
}

TEST(positive_adjustment_creates_a_lot_negative_settles_fifo)
{
	struct aging_entry e[] = { purchase("p1", 0, 100), adjustment("a1", 1, 50),
				   adjustment("a2", 2, -120) };
	struct aging_result r;

	COMPUTE(e, 10, T0 + 20 * DAY, r);
	CHECK_INT(r.balance_minor, 30);
	CHECK_INT(r.oldest_due_ms, T0 + 11 * DAY); /* a1's lot, 30 left */
	CHECK_INT(r.buckets[AGING_1_30], 30);
}

TEST(bucket_boundaries_at_30_31_60_61_90_91_days)
{
	int64_t due = T0;

	CHECK_INT(aging_bucket(due, due - 1), AGING_CURRENT);
	CHECK_INT(aging_bucket(due, due), AGING_1_30);                 /* day 1 */
	CHECK_INT(aging_bucket(due, due + DAY - 1), AGING_1_30);       /* day 1 */
	CHECK_INT(aging_bucket(due, due + 30 * DAY - 1), AGING_1_30);  /* day 30 */
	CHECK_INT(aging_bucket(due, due + 30 * DAY), AGING_31_60);     /* day 31 */
	CHECK_INT(aging_bucket(due, due + 60 * DAY - 1), AGING_31_60); /* day 60 */
	CHECK_INT(aging_bucket(due, due + 60 * DAY), AGING_61_90);     /* day 61 */
	CHECK_INT(aging_bucket(due, due + 90 * DAY - 1), AGING_61_90); /* day 90 */
	CHECK_INT(aging_bucket(due, due + 90 * DAY), AGING_90_PLUS);   /* day 91 */
	CHECK_INT(aging_bucket(INT64_MIN, INT64_MAX), AGING_90_PLUS);
	CHECK_INT(aging_bucket(INT64_MAX, INT64_MIN), AGING_CURRENT);
}

TEST(lots_fall_into_buckets_by_their_own_due_dates)
{
	/* now = day 100, period 0: lots 30, 31, 60, 61, 90, 91 days past due */
	struct aging_entry e[] = {
		purchase("d91", 10, 1), purchase("d90", 11, 2), purchase("d61", 40, 4),
		purchase("d60", 41, 8), purchase("d31", 70, 16), purchase("d30", 71, 32),
		purchase("cur", 101, 64),
	};
	struct aging_result r;

	COMPUTE(e, 0, T0 + 100 * DAY, r);
	CHECK_INT(r.buckets[AGING_90_PLUS], 1);
	CHECK_INT(r.buckets[AGING_61_90], 2 + 4);
	CHECK_INT(r.buckets[AGING_31_60], 8 + 16);
	CHECK_INT(r.buckets[AGING_1_30], 32);
	CHECK_INT(r.buckets[AGING_CURRENT], 64);
	CHECK_INT(r.overdue_minor, 63);
	CHECK_INT(r.oldest_due_ms, T0 + 10 * DAY);
}

TEST(result_does_not_depend_on_input_order)
{
	struct aging_entry e[6], shuffled[6];
	struct aging_result a, b;

	e[0] = purchase("p1", 0, 100);
	e[1] = purchase("p2", 0, 200); /* same time: id order decides */
	e[2] = payment("m1", 0, 150);
	e[3] = purchase("p3", 7, 50);
	e[4] = reversal("r1", 8, &e[3]);
	e[5] = payment("m2", 9, 10);
	for (int i = 0; i < 6; i++)
		shuffled[i] = e[(i * 5 + 3) % 6];
	COMPUTE(e, 3, T0 + 40 * DAY, a);
	COMPUTE(shuffled, 3, T0 + 40 * DAY, b);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	/* at day 0 "m1" sorts before "p1": its 150 is credit that settles p1 and 50 of p2 */
	CHECK_INT(a.balance_minor, 140);
}

TEST(errors_for_bad_arguments_and_overflow)
{
	struct aging_entry big[] = { purchase("a", 0, INT64_MAX), purchase("b", 1, 1) };
	struct aging_entry late[] = { { "a", ENTRY_PURCHASE, INT64_MAX - 5, 1, NULL } };
	struct aging_entry one[] = { purchase("a", 0, 1) };
	struct aging_entry min[] = { { "a", ENTRY_PAYMENT, T0, INT64_MIN, NULL } };
	struct aging_result r;

	CHECK_INT(aging_compute(big, 2, 0, T0, &r), -1);
	CHECK_INT(r.balance_minor, 0);
	CHECK_INT(aging_compute(late, 1, 1, T0, &r), -1);
	CHECK_INT(aging_compute(one, 1, -1, T0, &r), -1);
	CHECK_INT(aging_compute(one, 1, AGING_MAX_CREDIT_PERIOD_DAYS + 1, T0, &r), -1);
	CHECK_INT(aging_compute(one, 1, AGING_MAX_CREDIT_PERIOD_DAYS, T0, &r), 0);
	CHECK_INT(aging_compute(one, AGING_MAX_ENTRIES + 1, 0, T0, &r), -1);
	CHECK_INT(aging_compute(NULL, 1, 0, T0, &r), -1);
	CHECK_INT(aging_compute(one, 1, 0, T0, NULL), -1);
	CHECK_INT(aging_compute(min, 1, 0, T0, &r), 0);
	CHECK_INT(r.balance_minor, INT64_MIN);
	CHECK_INT(bucket_sum(&r), 0);
}

TEST(buckets_are_added_across_customers_with_overflow_checked)
{
	int64_t totals[5] = { 0 };
	const int64_t a[5] = { 10, 20, 30, 40, 50 };
	const int64_t big[5] = { 0, INT64_MAX - 20, 0, 0, 0 };
	const int64_t past[5] = { INT64_MAX, 0, 0, 0, 1 };
	int k = -1;

	CHECK_INT(aging_buckets_add(totals, a, &k), 0);
	CHECK_INT(aging_buckets_add(totals, a, &k), 0);
	CHECK_INT(k, -1);
	CHECK_INT(totals[AGING_CURRENT], 20);
	CHECK_INT(totals[AGING_90_PLUS], 100);
	/* 40 + (INT64_MAX - 20) overflows: nothing is added, the bucket named. */
	CHECK_INT(aging_buckets_add(totals, big, &k), -1);
	CHECK_INT(k, AGING_1_30);
	CHECK_INT(totals[AGING_1_30], 40);
	CHECK_INT(totals[AGING_CURRENT], 20);
	/* The first bucket that overflows is the one named; none is changed. */
	CHECK_INT(aging_buckets_add(totals, past, &k), -1);
	CHECK_INT(k, AGING_CURRENT);
	CHECK_INT(totals[AGING_90_PLUS], 100);
	/* Up to INT64_MAX exactly is fine; overflowed may be NULL. */
	const int64_t fill[5] = { INT64_MAX - 20, 0, 0, 0, 0 };
	CHECK_INT(aging_buckets_add(totals, fill, NULL), 0);
	CHECK_INT(totals[AGING_CURRENT], INT64_MAX);
	CHECK_INT(aging_buckets_add(totals, a, NULL), -1);
	CHECK_INT(totals[AGING_CURRENT], INT64_MAX);
}

TEST(two_customers_at_half_of_int64_overflow_the_store_total_not_their_own)
{
	/* Each customer's aging fits (buckets sum to its balance); only the
	 * store-wide total passes INT64_MAX. */
	const int64_t half = 5000000000000000000;
	struct aging_entry one[] = { purchase("a", 0, half) };
	struct aging_entry two[] = { purchase("b", 10, half / 2), purchase("c", 20, half / 2) };
	struct aging_result ra, rb;
	int64_t totals[5] = { 0 };
	int k = -1;

	COMPUTE(one, 30, T0 + 45 * DAY, ra);
	COMPUTE(two, 30, T0 + 45 * DAY, rb);
	CHECK_INT(ra.buckets[AGING_1_30], half);
	CHECK_INT(rb.buckets[AGING_1_30], half / 2);
	CHECK_INT(rb.buckets[AGING_CURRENT], half / 2);
	CHECK_INT(aging_buckets_add(totals, ra.buckets, &k), 0);
	CHECK_INT(aging_buckets_add(totals, rb.buckets, &k), 0);
	CHECK_INT(totals[AGING_1_30], half + half / 2);
	CHECK_INT(aging_buckets_add(totals, rb.buckets, &k), -1);
	CHECK_INT(k, AGING_1_30);
}

TEST(a_ledger_whose_running_balance_passes_int64_is_refused)
{
	/* Two purchases near INT64_MAX with a payment between them in the
	 * order recorded, but dated after both: in date order the balance
	 * passes INT64_MAX, and aging says so instead of wrapping. */
	const int64_t half = 5000000000000000000;
	struct aging_entry e[] = { purchase("a", 0, half), payment("b", 5, half), purchase("c", 2, half) };
	struct aging_result r;

	CHECK_INT(aging_compute(e, 3, 30, T0 + 10 * DAY, &r), -1);
	CHECK_INT(r.balance_minor, 0);
	CHECK_INT(bucket_sum(&r), 0);
	/* Dated in the order recorded, the same entries fit. */
	e[1].occurred_at_ms = T0 + 1 * DAY;
	COMPUTE(e, 30, T0 + 10 * DAY, r);
	CHECK_INT(r.balance_minor, half);
}

TEST(null_ids_are_treated_as_empty)
{
	struct aging_entry e[] = {
		{ NULL, ENTRY_PURCHASE, T0, 100, NULL },
		{ NULL, ENTRY_REVERSAL, T0 + DAY, -100, "" },
	};
	struct aging_result r;

	COMPUTE(e, 0, T0 + 2 * DAY, r);
	CHECK_INT(r.balance_minor, 0);
}

TEST(invariants_hold_for_random_ledgers)
{
	uint64_t seed = 12345;
	static char ids[64][16];

	for (int i = 0; i < 64; i++)
		snprintf(ids[i], sizeof(ids[i]), "e%02d", i);
	for (int round = 0; round < 2000; round++) {
		struct aging_entry e[64];
		struct aging_result r;
		int n = (int)(seed % 64), i;
		int64_t sum = 0;

		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			int kind = (int)(seed >> 60) % 4;
			int day = (int)((seed >> 20) % 200);
			int64_t amount = (int64_t)((seed >> 33) % 100000) + 1;
			if (kind == 3 && i > 0) {
				const struct aging_entry *t = &e[(seed >> 8) % (uint64_t)i];
				e[i] = reversal(ids[i], day, t);
			} else if (kind == 1) {
				e[i] = payment(ids[i], day, amount);
			} else if (kind == 2) {
				e[i] = adjustment(ids[i], day, (seed & 1) ? amount : -amount);
			} else {
				e[i] = purchase(ids[i], day, amount);
			}
			sum += e[i].effect_minor;
		}
		CHECK_INT(aging_compute(e, (size_t)n, (int)(seed % 60), T0 + 150 * DAY, &r), 0);
		CHECK_INT(r.balance_minor, sum);
		check_invariants(&r, check_failed);
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	}
}

CHECK_MAIN()
