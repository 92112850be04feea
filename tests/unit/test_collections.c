/* Unit tests for src/domain/collections.c */
#include "check.h"
#include "domain/collections.h"

#define DAY COLLECTIONS_DAY_MS
#define HOUR (DAY / 24)

TEST(ratio_rounds_half_up_in_basis_points)
{
	int64_t x = -1;
	CHECK_INT(collections_ratio(1, 3, 10000, &x), 0);
	CHECK_INT(x, 3333);
	CHECK_INT(collections_ratio(2, 3, 10000, &x), 0);
	CHECK_INT(x, 6667);
	CHECK_INT(collections_ratio(1, 8, 100, &x), 0); /* 12.5 -> 13 */
	CHECK_INT(x, 13);
	CHECK_INT(collections_ratio(0, 5, 10000, &x), 0);
	CHECK_INT(x, 0);
	CHECK_INT(collections_ratio(3, 2, 10000, &x), 0); /* more than 100 % is kept */
	CHECK_INT(x, 15000);
}

TEST(ratio_of_a_zero_denominator_is_undefined_and_leaves_out_alone)
{
	int64_t x = 42;
	CHECK_INT(collections_ratio(7, 0, 10000, &x), COLLECTIONS_UNDEFINED);
	CHECK_INT(x, 42);
	CHECK_INT(collections_ratio(0, 0, 10000, &x), COLLECTIONS_UNDEFINED);
	CHECK_INT(x, 42);
}

TEST(ratio_of_huge_amounts_is_exact_and_refuses_what_does_not_fit)
{
	int64_t x = 0;
	/* INT64_MAX * 36600 / INT64_MAX: the product needs 128 bits. */
	CHECK_INT(collections_ratio(INT64_MAX, INT64_MAX, 36600, &x), 0);
	CHECK_INT(x, 36600);
	CHECK_INT(collections_ratio(INT64_MAX - 1, INT64_MAX, 10000, &x), 0);
	CHECK_INT(x, 10000);
	x = 5;
	CHECK_INT(collections_ratio(INT64_MAX, 1, 2, &x), -1);
	CHECK_INT(x, 5);
	CHECK_INT(collections_ratio(-1, 3, 100, &x), -1);
	CHECK_INT(collections_ratio(1, -3, 100, &x), -1);
	CHECK_INT(collections_ratio(1, 3, 0, &x), -1);
	CHECK_INT(x, 5);
}

TEST(reminder_effect_with_no_reminders_has_no_share_and_no_median)
{
	struct reminder_effect e;
	CHECK_INT(collections_reminder_effect(NULL, 0, &e), 0);
	CHECK_INT(e.reminded_customers, 0);
	CHECK_INT(e.paid_customers, 0);
	CHECK_INT(e.has_share, 0);
	CHECK_INT(e.has_median, 0);
}

TEST(reminder_effect_counts_customers_not_reminders)
{
	/* a: reminded twice, paid after the second (1.5 days); b: paid after
	 * its only reminder (3 days); c: reminded, never paid.  Given out of
	 * order on purpose. */
	const int64_t t = 1700000000000LL;
	struct reminder_response rows[] = {
		{ "c", t, 0, 0 },
		{ "a", t + 10 * DAY, 1, t + 10 * DAY + 36 * HOUR },
		{ "b", t, 1, t + 3 * DAY },
		{ "a", t, 0, 0 },
	};
	struct reminder_effect e;
	CHECK_INT(collections_reminder_effect(rows, 4, &e), 0);
	CHECK_INT(e.reminded_customers, 3);
	CHECK_INT(e.paid_customers, 2);
	CHECK_INT(e.has_share, 1);
	CHECK_INT(e.paid_share_bp, 6667);
	CHECK_INT(e.has_median, 1);
	CHECK_INT(e.median_days_x100, 225); /* mean of 1.5 and 3 days */
}

TEST(reminder_effect_measures_from_the_earliest_answered_reminder)
{
	/* Two reminders a day apart, one payment 2 days after the first: the
	 * customer's delay is 2 days, not 1. */
	const int64_t t = 1700000000000LL;
	struct reminder_response rows[] = {
		{ "a", t + DAY, 1, t + 2 * DAY },
		{ "a", t, 1, t + 2 * DAY },
	};
	struct reminder_effect e;
	CHECK_INT(collections_reminder_effect(rows, 2, &e), 0);
	CHECK_INT(e.reminded_customers, 1);
	CHECK_INT(e.paid_customers, 1);
	CHECK_INT(e.paid_share_bp, 10000);
	CHECK_INT(e.median_days_x100, 200);
}

TEST(reminder_effect_median_of_an_odd_count_is_the_middle_value)
{
	const int64_t t = 1700000000000LL;
	struct reminder_response rows[] = {
		{ "a", t, 1, t },                 /* paid at the same instant: 0 days */
		{ "b", t, 1, t + 7 * DAY },       /* the edge of the window counts */
		{ "c", t, 1, t + DAY + HOUR },    /* 1.0417 days -> 104 */
	};
	struct reminder_effect e;
	CHECK_INT(collections_reminder_effect(rows, 3, &e), 0);
	CHECK_INT(e.paid_customers, 3);
	CHECK_INT(e.median_days_x100, 104);
}

TEST(reminder_effect_refuses_a_payment_outside_the_window)
{
	const int64_t t = 1700000000000LL;
	struct reminder_response late[] = { { "a", t, 1, t + 7 * DAY + 1 } };
	struct reminder_response early[] = { { "a", t, 1, t - 1 } };
	struct reminder_effect e;
	CHECK_INT(collections_reminder_effect(late, 1, &e), -1);
	CHECK_INT(e.reminded_customers, 0);
	CHECK_INT(collections_reminder_effect(early, 1, &e), -1);
	CHECK_INT(collections_reminder_effect(NULL, 1, &e), -1);
	CHECK_INT(collections_reminder_effect(late, 1, NULL), -1);
}

CHECK_MAIN()
