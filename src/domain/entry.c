/* entry.c — see entry.h. */
#include <string.h>

#include "domain/entry.h"
#include "domain/money.h"

static const char *const type_names[] = {
	[ENTRY_NONE] = "", [ENTRY_PURCHASE] = "purchase", [ENTRY_PAYMENT] = "payment",
	[ENTRY_ADJUSTMENT] = "adjustment", [ENTRY_REVERSAL] = "reversal",
};

static const char *const payment_methods[] = { "cash", "upi", "card", "bank", "other" };

enum entry_type entry_type_parse(const char *text)
{
	if (!text)
		return ENTRY_NONE;
	for (int t = ENTRY_PURCHASE; t <= ENTRY_REVERSAL; t++)
		if (strcmp(text, type_names[t]) == 0)
			return (enum entry_type)t;
	return ENTRY_NONE;
}

const char *entry_type_name(enum entry_type type)
{
	if (type < ENTRY_NONE || type > ENTRY_REVERSAL)
		return "";
	return type_names[type];
}

int entry_payment_method_valid(const char *s)
{
	for (size_t i = 0; s && i < sizeof payment_methods / sizeof payment_methods[0]; i++)
		if (strcmp(s, payment_methods[i]) == 0)
			return 1;
	return 0;
}

int entry_note_has_controls(const char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

static int refuse(struct entry_refusal *why, int status, const char *field, const char *detail)
{
	why->status = status;
	why->field = field;
	why->detail = detail;
	return -1;
}

int entry_check(struct entry_draft *d, enum role caller, int64_t now_ms, struct entry_refusal *why)
{
	int admin = caller >= ROLE_ADMIN;

	switch (d->type) {
	case ENTRY_PURCHASE:
	case ENTRY_PAYMENT:
		if (d->amount_minor <= 0)
			return refuse(why, 422, "amount_minor", "must be greater than zero (in minor units, e.g. paise)");
		break;
	case ENTRY_ADJUSTMENT:
		if (!admin)
			return refuse(why, 403, "type", "only admins record adjustments");
		if (d->amount_minor == 0)
			return refuse(why, 422, "amount_minor", "must not be zero");
		if (!d->reason || !d->reason[0])
			return refuse(why, 422, "reason", "is required for an adjustment");
		break;
	case ENTRY_REVERSAL:
		return refuse(why, 422, "type", "reversals are made with POST /api/v1/transactions/{id}/reverse");
	default:
		return refuse(why, 422, "type", "must be purchase, payment or adjustment");
	}
	if (d->amount_minor > MONEY_AMOUNT_MAX || d->amount_minor < -MONEY_AMOUNT_MAX)
		return refuse(why, 422, "amount_minor", "is too large");
	if (entry_note_has_controls(d->note))
		return refuse(why, 422, "note", "must not contain control characters");
	if (d->has_occurred_at) {
		if (d->occurred_at > now_ms + ENTRY_FUTURE_SLACK_MS)
			return refuse(why, 422, "occurred_at", "must not be in the future");
		if (d->occurred_at < now_ms - ENTRY_BACKDATE_MS && !admin)
			return refuse(why, 403, "occurred_at", "only admins may backdate entries more than 7 days");
	} else {
		d->occurred_at = now_ms;
	}
	int payment = d->type == ENTRY_PAYMENT;
	if (d->payment_method) {
		if (!payment)
			return refuse(why, 422, "payment_method", "is only for payments");
		if (!entry_payment_method_valid(d->payment_method))
			return refuse(why, 422, "payment_method", "must be cash, upi, card, bank or other");
	} else if (payment) {
		d->payment_method = "cash";
	}
	if (d->payment_reference && !payment)
		return refuse(why, 422, "payment_reference", "is only for payments");
	if (d->override) {
		if (d->type != ENTRY_PURCHASE)
			return refuse(why, 422, "override", "only a purchase can override the credit limit");
		if (!admin)
			return refuse(why, 403, "override", "only admins may override the credit limit");
		if (!d->override_reason || !d->override_reason[0])
			return refuse(why, 422, "override_reason", "is required with override");
	} else if (d->override_reason) {
		return refuse(why, 422, "override_reason", "is only used with override: true");
	}
	if (d->has_items && d->amount_minor <= 0)
		return refuse(why, 422, "items", "only for positive amounts");
	return 0;
}
