/* test_entry.c — the rules for a new ledger entry (domain/entry.c). */
#include "check.h"
#include "domain/entry.h"
#include "domain/money.h"

#define NOW 1800000000000LL
#define DAY 86400000LL

static struct entry_draft purchase(int64_t amount)
{
	return (struct entry_draft){ .type = ENTRY_PURCHASE, .amount_minor = amount, .note = "" };
}

static int check(struct entry_draft d, enum role role, const char **field, int *status)
{
	struct entry_refusal why = { 0 };
	int rc = entry_check(&d, role, NOW, &why);
	*field = why.field;
	*status = why.status;
	return rc;
}

#define REFUSED(draft, role, want_status, want_field)                     \
	do {                                                                  \
		const char *f_ = NULL;                                            \
		int s_ = 0;                                                       \
		CHECK_INT(check((draft), (role), &f_, &s_), -1);                  \
		CHECK_INT(s_, (want_status));                                     \
		CHECK_STR(f_ ? f_ : "(none)", (want_field));                      \
	} while (0)

TEST(entry_types_parse_and_name)
{
	CHECK_INT(entry_type_parse("purchase"), ENTRY_PURCHASE);
	CHECK_INT(entry_type_parse("reversal"), ENTRY_REVERSAL);
	CHECK_INT(entry_type_parse("Purchase"), ENTRY_NONE);
	CHECK_INT(entry_type_parse(NULL), ENTRY_NONE);
	CHECK_STR(entry_type_name(ENTRY_ADJUSTMENT), "adjustment");
	CHECK_STR(entry_type_name(ENTRY_NONE), "");
}

TEST(a_plain_purchase_passes_and_gets_now_as_its_time)
{
	struct entry_draft d = purchase(12550);
	struct entry_refusal why;
	CHECK_INT(entry_check(&d, ROLE_MEMBER, NOW, &why), 0);
	CHECK_INT(d.occurred_at, NOW);
	CHECK(d.payment_method == NULL);
}

TEST(a_payment_defaults_to_cash_and_checks_the_method)
{
	struct entry_draft d = { .type = ENTRY_PAYMENT, .amount_minor = 100 };
	struct entry_refusal why;
	CHECK_INT(entry_check(&d, ROLE_MEMBER, NOW, &why), 0);
	CHECK_STR(d.payment_method, "cash");
	d.payment_method = "upi";
	CHECK_INT(entry_check(&d, ROLE_MEMBER, NOW, &why), 0);
	struct entry_draft bad = { .type = ENTRY_PAYMENT, .amount_minor = 100, .payment_method = "cheque" };
	REFUSED(bad, ROLE_MEMBER, 422, "payment_method");
	struct entry_draft p = purchase(100);
	p.payment_method = "cash";
	REFUSED(p, ROLE_MEMBER, 422, "payment_method");
	p = purchase(100);
	p.payment_reference = "UTR1";
	REFUSED(p, ROLE_MEMBER, 422, "payment_reference");
}

TEST(amounts_must_be_positive_and_at_most_the_cap)
{
	REFUSED(purchase(0), ROLE_OWNER, 422, "amount_minor");
	REFUSED(purchase(-5), ROLE_OWNER, 422, "amount_minor");
	REFUSED(purchase(MONEY_AMOUNT_MAX + 1), ROLE_OWNER, 422, "amount_minor");
	const char *f;
	int s;
	CHECK_INT(check(purchase(MONEY_AMOUNT_MAX), ROLE_OWNER, &f, &s), 0);
}

TEST(adjustments_need_an_admin_a_reason_and_a_nonzero_amount)
{
	struct entry_draft d = { .type = ENTRY_ADJUSTMENT, .amount_minor = -500, .reason = "rounding" };
	REFUSED(d, ROLE_MEMBER, 403, "type");
	const char *f;
	int s;
	CHECK_INT(check(d, ROLE_ADMIN, &f, &s), 0);
	d.reason = "";
	REFUSED(d, ROLE_ADMIN, 422, "reason");
	d.reason = "x";
	d.amount_minor = 0;
	REFUSED(d, ROLE_ADMIN, 422, "amount_minor");
	d.amount_minor = -MONEY_AMOUNT_MAX - 1;
	REFUSED(d, ROLE_OWNER, 422, "amount_minor");
}

TEST(reversals_and_unknown_types_are_refused_here)
{
	struct entry_draft d = { .type = ENTRY_REVERSAL, .amount_minor = 5 };
	REFUSED(d, ROLE_OWNER, 422, "type");
	d.type = ENTRY_NONE;
	REFUSED(d, ROLE_OWNER, 422, "type");
}

TEST(members_backdate_at_most_seven_days_admins_further_nobody_into_the_future)
{
	struct entry_draft d = purchase(100);
	d.has_occurred_at = 1;
	d.occurred_at = NOW - 6 * DAY;
	const char *f;
	int s;
	CHECK_INT(check(d, ROLE_MEMBER, &f, &s), 0);
	d.occurred_at = NOW - 8 * DAY;
	REFUSED(d, ROLE_MEMBER, 403, "occurred_at");
	CHECK_INT(check(d, ROLE_ADMIN, &f, &s), 0);
	d.occurred_at = NOW + ENTRY_FUTURE_SLACK_MS + 1;
	REFUSED(d, ROLE_OWNER, 422, "occurred_at");
	d.occurred_at = NOW + ENTRY_FUTURE_SLACK_MS;
	CHECK_INT(check(d, ROLE_MEMBER, &f, &s), 0);
}

TEST(credit_limit_overrides_are_for_admin_purchases_with_a_reason)
{
	struct entry_draft d = purchase(100);
	d.override = 1;
	d.override_reason = "regular customer";
	REFUSED(d, ROLE_MEMBER, 403, "override");
	const char *f;
	int s;
	CHECK_INT(check(d, ROLE_ADMIN, &f, &s), 0);
	d.override_reason = NULL;
	REFUSED(d, ROLE_ADMIN, 422, "override_reason");
	struct entry_draft p = { .type = ENTRY_PAYMENT, .amount_minor = 5, .override = 1, .override_reason = "x" };
	REFUSED(p, ROLE_OWNER, 422, "override");
	d = purchase(100);
	d.override_reason = "no override";
	REFUSED(d, ROLE_OWNER, 422, "override_reason");
}

TEST(notes_allow_line_breaks_and_tabs_only)
{
	struct entry_draft d = purchase(100);
	d.note = "line one\nline\ttwo";
	const char *f;
	int s;
	CHECK_INT(check(d, ROLE_MEMBER, &f, &s), 0);
	d.note = "bell\a";
	REFUSED(d, ROLE_MEMBER, 422, "note");
	d.note = "del\x7f";
	REFUSED(d, ROLE_MEMBER, 422, "note");
}

TEST(items_only_on_positive_amounts)
{
	struct entry_draft d = { .type = ENTRY_ADJUSTMENT, .amount_minor = -100, .reason = "r", .has_items = 1 };
	REFUSED(d, ROLE_OWNER, 422, "items");
	d.amount_minor = 100;
	const char *f;
	int s;
	CHECK_INT(check(d, ROLE_OWNER, &f, &s), 0);
}

CHECK_MAIN()
