/*
 * entry.h — the rules for a new ledger entry, before it touches the store
 * (SPEC section 2, "Ledger entry"):
 *
 *  - type is purchase, payment or adjustment; reversals have their own
 *    route and are refused here;
 *  - purchases and payments are > 0; an adjustment is signed, non-zero,
 *    needs a reason and an admin;
 *  - |amount_minor| is at most MONEY_AMOUNT_MAX;
 *  - occurred_at may not be more than 5 minutes in the future, nor more
 *    than 7 days in the past unless the caller is an admin;
 *  - payment_method (cash, upi, card, bank, other; default cash) and
 *    payment_reference are for payments only;
 *  - override (of the credit limit) is for purchases, admins, and needs
 *    override_reason; override_reason without override is refused;
 *  - line items only for positive amounts (their own rules: items.h);
 *  - the note has no control characters but line breaks and tabs.
 *
 * Pure: no I/O, the clock and the caller's role are arguments.
 */
#ifndef QT_DOMAIN_ENTRY_H
#define QT_DOMAIN_ENTRY_H

#include <stdint.h>

#include "domain/role.h"

enum entry_type {
	ENTRY_NONE = 0,     /* not a type: unknown text parses to this */
	ENTRY_PURCHASE,
	ENTRY_PAYMENT,
	ENTRY_ADJUSTMENT,
	ENTRY_REVERSAL,
};

/* The type named by text ("purchase", "payment", "adjustment",
 * "reversal"), or ENTRY_NONE. */
enum entry_type entry_type_parse(const char *text);
/* The name of a type; "" for ENTRY_NONE or out of range. */
const char *entry_type_name(enum entry_type type);

/* How far back members may date an entry, and the clock skew allowed
 * into the future. */
#define ENTRY_BACKDATE_MS (7LL * 86400000)
#define ENTRY_FUTURE_SLACK_MS (5LL * 60000)

/* A new entry as the caller asked for it.  Strings may be NULL (absent). */
struct entry_draft {
	enum entry_type type;
	int64_t amount_minor;
	int has_occurred_at;        /* 0: occurred_at becomes now */
	int64_t occurred_at;        /* unix ms */
	const char *note;
	int has_items;
	const char *payment_method; /* entry_check() sets "cash" for payments */
	const char *payment_reference;
	const char *reason;
	int override;
	const char *override_reason;
};

/* Why a draft was refused: 422 (bad input) or 403 (the role may not),
 * the field at fault and a message for people. */
struct entry_refusal {
	int status;
	const char *field;
	const char *detail;
};

/*
 * Check d against the rules for a caller with role `caller` at now_ms.
 * Returns 0 and completes d (occurred_at when absent, the default payment
 * method), or -1 with *why filled (static strings).
 */
int entry_check(struct entry_draft *d, enum role caller, int64_t now_ms, struct entry_refusal *why);

/* 1 when s is a valid payment method name. */
int entry_payment_method_valid(const char *s);

/* 1 when s holds control characters other than line breaks and tabs. */
int entry_note_has_controls(const char *s);

#endif
