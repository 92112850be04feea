/*
 * import.h — CSV import of customers and of ledger entries: all rows or
 * none (SPEC section 3, issue 10 "Import").
 *
 * Two steps, so a file can be read as it arrives, before anything is
 * known about the store:
 *
 *  1. import_file_new / _feed / _finish read the CSV (util/csv.h).  The
 *     header row names the columns, in any order; the cells of the
 *     columns import uses are kept compactly in the arena (one block per
 *     row), the export's other columns are dropped as they come, and an
 *     unknown column is an error.  Nothing here needs the store.
 *
 *  2. import_run checks every row against the store's rules and data and,
 *     when no row is bad, writes them all in the caller's tenant write
 *     transaction.  With errors it writes nothing that should stay: the
 *     caller rolls the transaction back (it does for a dry run too, which
 *     goes through exactly the same writes).
 *
 * Customers: name, phone (required), apartment, email, credit_limit_minor
 * (or credit_limit in major units), notes; also status (active or
 * archived) and reminders_opt_out, so that an export imports faithfully.
 * The export's ids and derived columns are accepted and ignored.  A phone
 * an active customer of the store (or an earlier row) has is an error, as
 * is going over the plan's customer limit.
 *
 * Transactions: type (purchase, payment, adjustment, reversal),
 * amount_minor (or amount in major units), occurred_at (RFC 3339) or date
 * (the store's local day), note, payment_method, payment_reference, and
 * the customer by customer_id (this store's), else phone, else apartment
 * plus name or customer_name (a phone no active customer has may name the
 * one archived customer with it, whose imported history must then end at
 * a zero balance).  id and reverses_id tie a reversal to the entry it
 * reverses in the same file.  currency, when given, must be the
 * store's.  Entries may be dated at any time in the past (not the
 * future); purchases are not refused for the credit limit; each audit row
 * says "imported": true.  The entries are applied in occurred_at order
 * (file order among equal times), so balances after each entry, due
 * dates, aging and the customer's derived fields come out as if each had
 * been recorded on its own in that order.
 *
 * Every cell loses one leading apostrophe (csv_cell_uninert): what the
 * export made inert reads back as it was.  docs/IMPORT.md has the columns,
 * the rules and the error codes for users of the API.
 */
#ifndef QT_CORE_IMPORT_H
#define QT_CORE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_settings.h"
#include "util/arena.h"

enum import_kind { IMPORT_CUSTOMERS, IMPORT_TRANSACTIONS };

/* The most errors reported; counting goes on past it. */
#define IMPORT_MAX_ERRORS 1000

struct import_error {
	uint64_t line;          /* in the file; the header is line 1 */
	const char *column;     /* the column's name, or NULL for the row as a whole */
	const char *code;       /* a machine code: "required", "invalid", "unknown_column", ... */
	const char *message;    /* for people, naming the value */
};

struct import_file;

/* A reader for one file of `kind`; it and everything it keeps live in the
 * arena (its malloc'd state is released when the arena is freed). */
struct import_file *import_file_new(enum import_kind kind, struct arena *a);
/* The next n bytes of the file.  Returns 0, or -1 once reading has
 * stopped (a bad header or a CSV syntax error, both kept as errors): the
 * rest of the file need not be fed. */
int import_file_feed(struct import_file *f, const char *data, size_t n);
/* The end of the file (delivers a last row without a line end). */
void import_file_finish(struct import_file *f);
enum import_kind import_file_kind(const struct import_file *f);
/* Data rows read so far (blank rows are not counted). */
uint64_t import_file_rows(const struct import_file *f);

enum import_phase { IMPORT_CHECKING, IMPORT_WRITING };

struct import_options {
	int64_t now_ms;
	int64_t customer_limit;   /* the plan's active customers at most; -1 = unlimited */
	/* 1 when the plan lacks credit_lines: a customer's credit limit other
	 * than the store's default is then an error of its row
	 * (feature_not_in_plan). */
	int no_own_credit_limits;
	/* Called now and then while import_run works (may be NULL). */
	void (*progress)(void *cls, enum import_phase phase, uint64_t done, uint64_t total);
	void *progress_cls;
};

struct import_result {
	uint64_t rows;                      /* data rows in the file */
	uint64_t created;                   /* customers or entries written */
	const struct import_error *errors;  /* by line; the arena's */
	int nerrors;                        /* up to IMPORT_MAX_ERRORS */
	uint64_t error_count;               /* errors found, reported or not */
};

/*
 * Check f (finished) against store settings s and the store's data inside
 * tx (a tenant write transaction), and write it when nothing is wrong.
 * Returns STORE_OK with *out filled: out->nerrors == 0 means every row was
 * written; otherwise nothing was written that the caller may keep (roll
 * back).  A negative STORE_* code when the store fails.
 */
QT_MUST_CHECK int import_run(struct store_tx *tx, const struct settings_rec *s, struct import_file *f,
	const struct import_options *o, struct arena *a, struct import_result *out);

#endif
