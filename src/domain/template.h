/*
 * template.h — the text of reminders and receipts: checking a store's
 * template, rendering it for one customer, and the built-in templates.
 *
 * Syntax.  A template is UTF-8 text with placeholders in braces:
 *   reminders  {name} {store} {balance} {overdue} {due_date} {upi_link}
 *              {statement_link}
 *   receipts   {name} {store} {amount} {entry_type} {new_balance} {date}
 *              {upi_link} {statement_link}
 * "{{" is a literal '{' and "}}" a literal '}'.  Nothing else may follow a
 * '{': a placeholder name is lower-case letters and '_', closed by '}' on
 * the same line.  Line breaks are "\n" or "\r\n"; tabs are allowed; other
 * control characters are not.
 *
 * Optional values.  A value that is NULL or "" renders empty.  A line
 * holding at least one placeholder, every one of which renders empty, is
 * left out together with its line break (the one before it when it is the
 * last line kept), so "Pay by UPI: {upi_link}" disappears for a store
 * without a UPI id instead of ending in a dangling label.  The built-in
 * templates put every optional value on such a line.  {overdue} and
 * {due_date} share a line in them: give both or neither.
 *
 * Values are inserted as they are (no escaping, no second expansion: a
 * customer called "{store}" stays "{store}") and must be valid UTF-8.
 *
 * Pure functions, no global state, thread-safe.
 */
#ifndef QT_DOMAIN_TEMPLATE_H
#define QT_DOMAIN_TEMPLATE_H

#include <stddef.h>

/* Longest template a store may save, in characters (code points). */
#define TEMPLATE_MAX_CHARS 1000
/* Longest rendered message, in characters (code points). */
#define TEMPLATE_RENDER_MAX_CHARS 1024
/* A buffer that holds any message template_render() accepts. */
#define TEMPLATE_RENDER_MAX (4 * TEMPLATE_RENDER_MAX_CHARS + 1)

enum template_kind {
	TEMPLATE_REMINDER,
	TEMPLATE_RECEIPT,
};

/* template_render() results (0 or negative). */
enum {
	TEMPLATE_OK = 0,
	TEMPLATE_INVALID = -1,   /* the template or a value is not acceptable */
	TEMPLATE_TOO_LONG = -2,  /* the message would exceed TEMPLATE_RENDER_MAX_CHARS */
	TEMPLATE_NO_SPACE = -3,  /* outcap is too small (TEMPLATE_RENDER_MAX never is) */
};

/*
 * What the placeholders render.  Every field may be NULL (renders empty).
 * Amounts are already formatted (money_text_format), dates already
 * written in the store's style; the links come from upi_link() and the
 * shared-statement route.  The strings are the caller's and are only
 * read during the call.
 */
struct template_values {
	const char *name;            /* the customer's name */
	const char *store;           /* the store's name */
	const char *balance;         /* reminders: what is owed in all */
	const char *overdue;         /* reminders: the overdue part, NULL if none */
	const char *due_date;        /* reminders: since when it is overdue */
	const char *upi_link;        /* both: upi://pay?..., NULL without one */
	const char *statement_link;  /* both: https://<host>/s/<token> */
	const char *amount;          /* receipts: the entry's amount */
	const char *entry_type;      /* receipts: template_entry_type_label() */
	const char *new_balance;     /* receipts: the balance after the entry */
	const char *date;            /* receipts: when the entry happened */
};

/*
 * Check a template for kind before it is saved (PATCH /settings answers
 * 422 with field "reminder_template" and this message).  Refused, with a
 * message naming the problem:
 *   NULL; empty or only white space; more than TEMPLATE_MAX_CHARS
 *   characters; not valid UTF-8; a control character other than tab and
 *   line breaks; an unknown placeholder ("unknown placeholder {amout}; use
 *   {name}, {store}, ..."); a placeholder of the other kind ("{amount} is
 *   only for receipts"); a '{' not closed on its line; a '}' that neither
 *   closes a placeholder nor is doubled.  Positions are characters from 1.
 * Returns 0, or TEMPLATE_INVALID with the message in err (err may be NULL
 * or errlen 0; otherwise it is always NUL-terminated, "" on success).
 */
int template_check(const char *tpl, enum template_kind kind, char *err, size_t errlen);

/*
 * Render tpl (which must pass template_check for kind) with v into out.
 * v may be NULL (everything renders empty).
 *
 * Returns TEMPLATE_OK with the message in out, or (out "" if outcap > 0,
 * message in err as for template_check):
 *   TEMPLATE_INVALID    tpl fails template_check; a value is not valid
 *                       UTF-8; or every line was left out (nothing to send);
 *   TEMPLATE_TOO_LONG   the message has more than TEMPLATE_RENDER_MAX_CHARS
 *                       characters: it is never cut, the caller refuses it
 *                       (the template or a value must be shorter);
 *   TEMPLATE_NO_SPACE   out is NULL or outcap is too small.
 */
int template_render(const char *tpl, enum template_kind kind, const struct template_values *v,
		    char *out, size_t outcap, char *err, size_t errlen);

/*
 * The built-in template of kind for language "en" or "hi" (natural Hindi
 * in Devanagari, amounts in the same digits), used when the store's
 * reminder_template is null.  A static string; NULL for any other
 * language.  Each passes template_check and keeps every optional value on
 * a line of its own.
 */
const char *template_builtin(enum template_kind kind, const char *language);

/* 0 when language is one the built-in templates speak ("en", "hi"), -1 otherwise. */
int template_language_valid(const char *language);

/*
 * The `{entry_type}` of a receipt for an entry type name (entry.h:
 * "purchase", "payment", "adjustment", "reversal") in language ("hi";
 * anything else is English): "Purchase" / "खरीद", "Payment" / "भुगतान", ...
 * A static string, or NULL for an unknown type.
 */
const char *template_entry_type_label(const char *entry_type, const char *language);

#endif
