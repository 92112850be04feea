/*
 * import.c — see import.h.
 *
 * Memory: a row is one arena block holding the line number and the cells
 * of the columns import uses, each NUL-terminated, in slot order; the
 * export's other columns never reach it.  The checking pass keeps a small
 * fixed record per row (struct entry_plan) and the writing pass builds
 * store records a batch at a time in a scratch arena, so a file of a few
 * hundred thousand rows costs about its own size once.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit_payload.h"
#include "core/events.h"
#include "core/import.h"
#include "core/ledger.h"
#include "domain/apartment.h"
#include "domain/entry.h"
#include "domain/money.h"
#include "domain/phone.h"
#include "store/store_customers.h"
#include "store/store_entries.h"
#include "store/store_import.h"
#include "util/civil.h"
#include "util/csv.h"
#include "util/idtext.h"
#include "util/uuid.h"

/* Rows written per batch (store_import_* and one scratch arena). */
#define WRITE_BATCH 500
/* How often progress is told. */
#define PROGRESS_EVERY 1024
/* The most of a bad value quoted back in a message. */
#define QUOTE_MAX 60

/* ---- columns ---- */

#define SLOT_MAX 16
#define IGNORED (-1)

enum { COL_TRIM = 1, COL_TEXT = 2 };   /* spaces around do not count; CRLF becomes LF */

struct column {
	const char *name;
	int slot;          /* IGNORED: the export's, accepted and dropped */
	int flags;
};

enum { C_NAME, C_PHONE, C_APARTMENT, C_EMAIL, C_LIMIT_MINOR, C_LIMIT, C_NOTES, C_STATUS,
	C_OPT_OUT, C_NSLOTS };

static const struct column customer_columns[] = {
	{ "name", C_NAME, 0 },
	{ "phone", C_PHONE, COL_TRIM },
	{ "apartment", C_APARTMENT, COL_TRIM },
	{ "email", C_EMAIL, COL_TRIM },
	{ "credit_limit_minor", C_LIMIT_MINOR, COL_TRIM },
	{ "credit_limit", C_LIMIT, COL_TRIM },
	{ "notes", C_NOTES, COL_TEXT },
	{ "status", C_STATUS, COL_TRIM },
	{ "reminders_opt_out", C_OPT_OUT, COL_TRIM },
	{ "id", IGNORED, 0 }, { "tower", IGNORED, 0 }, { "floor", IGNORED, 0 },
	{ "unit", IGNORED, 0 }, { "balance_minor", IGNORED, 0 }, { "overdue_minor", IGNORED, 0 },
	{ "oldest_due_date", IGNORED, 0 }, { "created_at", IGNORED, 0 },
};

enum { T_TYPE, T_AMOUNT_MINOR, T_AMOUNT, T_OCCURRED_AT, T_DATE, T_NOTE, T_METHOD,
	T_REFERENCE, T_CUSTOMER_ID, T_PHONE, T_APARTMENT, T_NAME, T_CUSTOMER_NAME, T_ID,
	T_REVERSES_ID, T_CURRENCY, T_NSLOTS };

static const struct column transaction_columns[] = {
	{ "type", T_TYPE, COL_TRIM },
	{ "amount_minor", T_AMOUNT_MINOR, COL_TRIM },
	{ "amount", T_AMOUNT, COL_TRIM },
	{ "occurred_at", T_OCCURRED_AT, COL_TRIM },
	{ "date", T_DATE, COL_TRIM },
	{ "note", T_NOTE, COL_TEXT },
	{ "payment_method", T_METHOD, COL_TRIM },
	{ "payment_reference", T_REFERENCE, COL_TRIM },
	{ "customer_id", T_CUSTOMER_ID, COL_TRIM },
	{ "phone", T_PHONE, COL_TRIM },
	{ "apartment", T_APARTMENT, COL_TRIM },
	{ "name", T_NAME, COL_TRIM },
	{ "customer_name", T_CUSTOMER_NAME, COL_TRIM },
	{ "id", T_ID, COL_TRIM },
	{ "reverses_id", T_REVERSES_ID, COL_TRIM },
	{ "currency", T_CURRENCY, COL_TRIM },
	{ "created_by", IGNORED, 0 }, { "created_at", IGNORED, 0 },
};

#define NCOLUMNS(t) (sizeof t / sizeof t[0])

/* ---- a small string map (open addressing; keys outlive it) ---- */

struct smap_ent {
	const char *key;
	int64_t val;
};

struct smap {
	struct smap_ent *v;
	size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct smap_ent *smap_slot(const struct smap *m, const char *key)
{
	size_t i = (size_t)str_hash(key) & (m->cap - 1);
	while (m->v[i].key && strcmp(m->v[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

static int smap_get(const struct smap *m, const char *key, int64_t *val)
{
	if (!m->cap)
		return 0;
	struct smap_ent *e = smap_slot(m, key);
	if (!e->key)
		return 0;
	*val = e->val;
	return 1;
}

static void smap_put(struct smap *m, const char *key, int64_t val)
{
	if ((m->n + 1) * 10 > m->cap * 7) {
		struct smap old = *m;
		m->cap = old.cap ? old.cap * 2 : 64;
		m->v = calloc(m->cap, sizeof *m->v);
		if (!m->v)
			abort();
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].key)
				smap_put(m, old.v[i].key, old.v[i].val);
		free(old.v);
	}
	struct smap_ent *e = smap_slot(m, key);
	if (!e->key) {
		e->key = key;
		m->n++;
	}
	e->val = val;
}

static void smap_release(struct smap *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

/* ---- the file ---- */

struct row {
	uint64_t line;
	char cells[];      /* the present slots' cells, in slot order, NUL-terminated */
};

struct error_slot {
	struct import_error e;
	uint64_t order;    /* keeps errors of one line in the order found */
};

struct import_file {
	enum import_kind kind;
	struct arena *a;
	struct csv_reader *csv;
	const struct column *columns;
	size_t ncolumns;
	int nslots;
	int have_header, header_bad, stopped, finished;
	int ncols;                              /* header columns, up to the last named one */
	int slot_of_col[CSV_MAX_COLUMNS];       /* IGNORED or a slot */
	int col_of_slot[SLOT_MAX];              /* -1: the file has no such column */
	const char *col_name[CSV_MAX_COLUMNS];  /* the header's names, lowercased */
	struct row **rows;
	size_t nrows, cap;
	struct error_slot *errors;
	int nerrors;
	uint64_t error_count;
};

static const char *slot_name(const struct import_file *f, int slot)
{
	for (size_t i = 0; i < f->ncolumns; i++)
		if (f->columns[i].slot == slot)
			return f->columns[i].name;
	return NULL;
}

static void add_error(struct import_file *f, uint64_t line, const char *column, const char *code,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_error(struct import_file *f, uint64_t line, const char *column, const char *code,
	const char *fmt, ...)
{
	f->error_count++;
	if (f->nerrors >= IMPORT_MAX_ERRORS)
		return;
	if (!f->errors)
		f->errors = arena_alloc(f->a, sizeof *f->errors * IMPORT_MAX_ERRORS);
	va_list ap;
	va_start(ap, fmt);
	struct error_slot *s = &f->errors[f->nerrors];
	s->e.line = line;
	s->e.column = column;
	s->e.code = code;
	s->e.message = arena_vprintf(f->a, fmt, ap);
	s->order = f->error_count;
	f->nerrors++;
	va_end(ap);
}

/* The error of the column at slot (its name as this kind calls it). */
#define SLOT_ERROR(f, line, slot, code, ...) add_error(f, line, slot_name(f, slot), code, __VA_ARGS__)

static void trim(const char **s, size_t *n)
{
	while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int has_column(const struct import_file *f, int slot)
{
	return f->col_of_slot[slot] >= 0;
}

static int header(struct import_file *f, uint64_t line, const char *const *fields,
	const size_t *len, int n)
{
	int before = f->nerrors;
	f->have_header = 1;
	for (int i = 0; i < n; i++) {
		const char *s = fields[i];
		size_t k = len[i];
		trim(&s, &k);
		if (k)
			f->ncols = i + 1;
	}
	if (!f->ncols) {
		f->header_bad = 1;
		add_error(f, line, NULL, "empty_header", "the first line must name the columns (%s)",
			f->kind == IMPORT_CUSTOMERS ? "name,phone,apartment,email,credit_limit_minor,notes"
			: "type,amount_minor,occurred_at,phone,note,...");
		return -1;
	}
	for (int i = 0; i < f->ncols; i++) {
		const char *s = fields[i];
		size_t k = len[i];
		trim(&s, &k);
		char *name = arena_strndup(f->a, s, k);
		for (char *p = name; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		f->col_name[i] = name;
		f->slot_of_col[i] = IGNORED;
		if (!k) {
			add_error(f, line, NULL, "unnamed_column", "column %d has no name", i + 1);
			continue;
		}
		int dup = 0;
		for (int j = 0; j < i && !dup; j++)
			dup = f->col_name[j] && strcmp(f->col_name[j], name) == 0;
		if (dup) {
			add_error(f, line, name, "duplicate_column", "the column \"%.*s\" is named twice",
				QUOTE_MAX, name);
			continue;
		}
		size_t c;
		for (c = 0; c < f->ncolumns; c++)
			if (strcmp(f->columns[c].name, name) == 0)
				break;
		if (c == f->ncolumns) {
			add_error(f, line, name, "unknown_column", "unknown column \"%.*s\"; %s", QUOTE_MAX, name,
				f->kind == IMPORT_CUSTOMERS
				? "customers take name, phone, apartment, email, credit_limit_minor (or credit_limit), notes"
				: "transactions take type, amount_minor (or amount), occurred_at (or date), note,"
				  " payment_method, payment_reference, customer_id, phone, apartment, name,"
				  " customer_name, id, reverses_id");
			continue;
		}
		f->slot_of_col[i] = f->columns[c].slot;
		if (f->columns[c].slot != IGNORED)
			f->col_of_slot[f->columns[c].slot] = i;
	}
	if (f->kind == IMPORT_CUSTOMERS) {
		if (!has_column(f, C_NAME))
			add_error(f, line, "name", "missing_column", "the file has no name column (customers need name and phone)");
		if (!has_column(f, C_PHONE))
			add_error(f, line, "phone", "missing_column", "the file has no phone column (customers need name and phone)");
	} else {
		if (!has_column(f, T_TYPE))
			add_error(f, line, "type", "missing_column", "the file has no type column");
		if (!has_column(f, T_AMOUNT_MINOR) && !has_column(f, T_AMOUNT))
			add_error(f, line, "amount_minor", "missing_column", "the file has no amount_minor (or amount) column");
		if (!has_column(f, T_OCCURRED_AT) && !has_column(f, T_DATE))
			add_error(f, line, "occurred_at", "missing_column", "the file has no occurred_at (or date) column");
		if (!has_column(f, T_CUSTOMER_ID) && !has_column(f, T_PHONE) && !has_column(f, T_APARTMENT))
			add_error(f, line, "phone", "missing_column",
				"the file names no customer: it needs a customer_id, phone or apartment column");
	}
	f->header_bad = f->nerrors > before;
	return f->header_bad ? -1 : 0;
}

/* One cell as import reads it: one leading apostrophe off, spaces trimmed
 * for COL_TRIM columns. */
static void cell_view(int flags, const char **s, size_t *n)
{
	*s = csv_cell_uninert(*s, n);
	if (flags & COL_TRIM)
		trim(s, n);
}

static int column_flags(const struct import_file *f, int slot)
{
	for (size_t i = 0; i < f->ncolumns; i++)
		if (f->columns[i].slot == slot)
			return f->columns[i].flags;
	return 0;
}

static int on_record(void *cls, uint64_t line, const char *const *fields, const size_t *len, int n)
{
	struct import_file *f = cls;
	if (!f->have_header)
		return header(f, line, fields, len, n) < 0;
	int any = 0;
	for (int i = 0; i < n && !any; i++)
		any = len[i] > 0;
	if (!any)
		return 0;
	for (int i = f->ncols; i < n; i++) {
		if (len[i]) {
			add_error(f, line, NULL, "extra_cells",
				"the row has a value in column %d but the header names %d columns", i + 1, f->ncols);
			break;
		}
	}
	const char *cell[SLOT_MAX];
	size_t clen[SLOT_MAX];
	size_t size = sizeof(struct row);
	for (int s = 0; s < f->nslots; s++) {
		int c = f->col_of_slot[s];
		if (c < 0)
			continue;
		cell[s] = c < n ? fields[c] : "";
		clen[s] = c < n ? len[c] : 0;
		cell_view(column_flags(f, s), &cell[s], &clen[s]);
		size += clen[s] + 1;
	}
	struct row *r = arena_alloc(f->a, size);
	r->line = line;
	char *p = r->cells;
	for (int s = 0; s < f->nslots; s++) {
		if (f->col_of_slot[s] < 0)
			continue;
		int text = column_flags(f, s) & COL_TEXT;
		for (size_t i = 0; i < clen[s]; i++) {
			if (text && cell[s][i] == '\r' && i + 1 < clen[s] && cell[s][i + 1] == '\n')
				continue;
			*p++ = cell[s][i];
		}
		*p++ = '\0';
	}
	if (f->nrows == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		f->rows = realloc(f->rows, sizeof *f->rows * f->cap);
		if (!f->rows)
			abort();
	}
	f->rows[f->nrows++] = r;
	return 0;
}

static void file_release(void *cls)
{
	struct import_file *f = cls;
	csv_reader_free(f->csv);
	f->csv = NULL;
	free(f->rows);
	f->rows = NULL;
}

struct import_file *import_file_new(enum import_kind kind, struct arena *a)
{
	struct import_file *f = arena_alloc(a, sizeof *f);
	f->kind = kind;
	f->a = a;
	f->csv = csv_reader_new(on_record, f);
	if (!f->csv)
		abort();
	if (kind == IMPORT_CUSTOMERS) {
		f->columns = customer_columns;
		f->ncolumns = NCOLUMNS(customer_columns);
		f->nslots = C_NSLOTS;
	} else {
		f->columns = transaction_columns;
		f->ncolumns = NCOLUMNS(transaction_columns);
		f->nslots = T_NSLOTS;
	}
	for (int s = 0; s < SLOT_MAX; s++)
		f->col_of_slot[s] = -1;
	arena_defer(a, file_release, f);
	return f;
}

static const char *csv_code(enum csv_error e)
{
	switch (e) {
	case CSV_E_FIELD_TOO_LONG: return "csv_field_too_long";
	case CSV_E_TOO_MANY_COLUMNS: return "csv_too_many_columns";
	case CSV_E_UNTERMINATED_QUOTE: return "csv_unterminated_quote";
	case CSV_E_BAD_QUOTE: return "csv_bad_quote";
	case CSV_E_NOT_UTF8: return "csv_not_utf8";
	case CSV_E_NUL: return "csv_nul";
	default: return "csv_error";
	}
}

static void csv_failed(struct import_file *f, enum csv_error e)
{
	f->stopped = 1;
	if (e == CSV_E_ABORTED)
		return;     /* a bad header, already reported */
	uint64_t line = csv_error_line(f->csv);
	int col = csv_error_column(f->csv);
	const char *name = f->have_header && line > 1 && col >= 1 && col <= f->ncols
		? f->col_name[col - 1] : NULL;
	add_error(f, line, name, csv_code(e), "%s (line %llu, column %d); nothing after it was read",
		csv_strerror(e), (unsigned long long)line, col);
}

int import_file_feed(struct import_file *f, const char *data, size_t n)
{
	if (f->stopped || f->finished)
		return -1;
	enum csv_error e = csv_feed(f->csv, data, n);
	if (e != CSV_OK) {
		csv_failed(f, e);
		return -1;
	}
	return 0;
}

void import_file_finish(struct import_file *f)
{
	if (f->finished)
		return;
	f->finished = 1;
	if (!f->stopped) {
		enum csv_error e = csv_finish(f->csv);
		if (e != CSV_OK)
			csv_failed(f, e);
	}
	if (!f->have_header && !f->nerrors)
		add_error(f, 1, NULL, "empty_file", "the file is empty: its first line must name the columns");
}

enum import_kind import_file_kind(const struct import_file *f)
{
	return f->kind;
}

uint64_t import_file_rows(const struct import_file *f)
{
	return f->nrows;
}

/* Every slot's cell of row r ("" when the file has no such column). */
static void row_cells(const struct import_file *f, const struct row *r, const char *cell[SLOT_MAX])
{
	const char *p = r->cells;
	for (int s = 0; s < f->nslots; s++) {
		if (f->col_of_slot[s] < 0) {
			cell[s] = "";
			continue;
		}
		cell[s] = p;
		p += strlen(p) + 1;
	}
}

/* ---- shared checks ---- */

struct run {
	struct store_tx *tx;
	const struct settings_rec *s;
	struct import_file *f;
	const struct import_options *o;
	struct arena *a;
	int exponent;
	uint64_t created;
	uint64_t told;         /* the last progress told (within the phase) */
};

static void progress(struct run *x, enum import_phase phase, uint64_t done, uint64_t total)
{
	if (!x->o->progress)
		return;
	if (done < x->told)
		x->told = 0;   /* a new phase */
	if (done == total || done - x->told >= PROGRESS_EVERY || done == 1) {
		x->told = done;
		x->o->progress(x->o->progress_cls, phase, done, total);
	}
}

/* A whole number: optional sign, digits only, within int64.  0 or -1. */
static int parse_int64(const char *s, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* An amount from its minor-units column or its major-units one (either
 * may be empty; given both, they must agree).  Returns 1 with *out set, 0
 * when both are empty, -1 after reporting the error. */
static int amount_of(struct run *x, uint64_t line, const char *minor, int minor_slot,
	const char *major, int major_slot, int allow_negative, int64_t *out)
{
	int64_t a = 0, b = 0;
	char err[160];
	int have_a = minor[0] != '\0', have_b = major[0] != '\0';
	if (have_a && parse_int64(minor, &a) < 0) {
		SLOT_ERROR(x->f, line, minor_slot, "invalid",
			"\"%.*s\" is not a whole number of minor units", QUOTE_MAX, minor);
		return -1;
	}
	if (have_b && money_parse(major, x->exponent, allow_negative, &b, err, sizeof err) < 0) {
		SLOT_ERROR(x->f, line, major_slot, "invalid", "%s", err);
		return -1;
	}
	if (have_a && have_b && a != b) {
		SLOT_ERROR(x->f, line, major_slot, "mismatch",
			"%.*s is %lld minor units but %s says %lld", QUOTE_MAX, major, (long long)b,
			slot_name(x->f, minor_slot), (long long)a);
		return -1;
	}
	if (!have_a && !have_b)
		return 0;
	*out = have_a ? a : b;
	if (*out < 0 && !allow_negative) {
		SLOT_ERROR(x->f, line, have_a ? minor_slot : major_slot, "invalid", "must not be negative");
		return -1;
	}
	return 1;
}

static int lower_word(const char *s, char *out, size_t outlen)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < outlen; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	out[i] = '\0';
	return s[i] ? -1 : 0;
}

static int text_too_long(const char *s, size_t max_chars)
{
	return utf8_length(s) > max_chars;
}

static void sort_errors(struct import_file *f);

static void finish_result(struct run *x, struct import_result *out)
{
	struct import_file *f = x->f;
	sort_errors(f);
	out->rows = f->nrows;
	out->created = f->error_count ? 0 : x->created;
	out->nerrors = f->nerrors;
	out->error_count = f->error_count;
	struct import_error *e = arena_alloc(x->a, sizeof *e * (size_t)(f->nerrors ? f->nerrors : 1));
	for (int i = 0; i < f->nerrors; i++)
		e[i] = f->errors[i].e;
	out->errors = e;
}

static int error_order(const void *p, const void *q)
{
	const struct error_slot *a = p, *b = q;
	if (a->e.line != b->e.line)
		return a->e.line < b->e.line ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void sort_errors(struct import_file *f)
{
	if (f->nerrors > 1)
		qsort(f->errors, (size_t)f->nerrors, sizeof *f->errors, error_order);
}

/* An audit payload marked as imported (from line `line`), as the text
 * store_audit would write for it (compact, keys sorted); malloc'd. */
static char *imported(json_t *after, uint64_t line)
{
	json_object_set_new(after, "imported", json_true());
	json_object_set_new(after, "import_line", json_integer((json_int_t)line));
	char *text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(after);
	if (!text)
		abort();
	return text;
}

static int audit_import(struct run *x, const char *kind, uint64_t touched)
{
	char id[37];
	uuid_v7(id);
	json_t *after = json_pack("{s:s, s:I, s:I}", "kind", kind, "rows", (json_int_t)x->f->nrows,
		"created", (json_int_t)x->created);
	if (touched)
		json_object_set_new(after, "customers", json_integer((json_int_t)touched));
	char *text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(after);
	if (!text)
		abort();
	struct import_audit row = { "import.completed", "import", id, text };
	int rc = store_import_audit(x->tx, &row, 1);
	free(text);
	/* Live streams hear of the whole import once. */
	if (rc == STORE_OK)
		rc = events_import(x->tx, id, kind, (int64_t)x->f->nrows, (int64_t)x->created);
	return rc;
}

/* ---- customers ---- */

static int run_customers(struct run *x)
{
	struct import_file *f = x->f;
	const struct settings_rec *s = x->s;
	size_t n = f->nrows;
	struct customer_rec *c = calloc(n ? n : 1, sizeof *c);
	struct smap phones = { 0 };
	struct building_layout layout = { (int)s->building_towers, (int)s->building_floors,
		(int)s->building_units };
	int64_t active = 0, added = 0;
	int over_reported = 0, rc = STORE_OK;
	char err[200];

	if (!c)
		abort();
	if (x->o->customer_limit >= 0) {
		rc = store_customer_count_active(x->tx, &active);
		if (rc != STORE_OK)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *cell[SLOT_MAX];
		uint64_t line = f->rows[i]->line;
		struct customer_rec *r = &c[i];
		uint64_t before = f->error_count;
		row_cells(f, f->rows[i], cell);
		progress(x, IMPORT_CHECKING, i + 1, n);

		const char *name = cell[C_NAME], *q = name;
		while (*q == ' ')
			q++;
		if (!*q)
			SLOT_ERROR(f, line, C_NAME, "required", "a customer needs a name");
		else if (text_too_long(name, 120))
			SLOT_ERROR(f, line, C_NAME, "too_long", "at most 120 characters (has %zu)", utf8_length(name));
		else if (text_has_control_chars(name))
			SLOT_ERROR(f, line, C_NAME, "invalid", "must not contain control characters");
		r->name = (char *)name;

		char e164[20];
		if (!cell[C_PHONE][0]) {
			SLOT_ERROR(f, line, C_PHONE, "required", "a customer needs a phone number");
		} else if (phone_normalize(cell[C_PHONE], s->phone_country, e164, sizeof e164, err, sizeof err) < 0) {
			SLOT_ERROR(f, line, C_PHONE, "invalid", "%s", err);
		} else {
			r->phone = arena_strdup(x->a, e164);
		}

		if (cell[C_APARTMENT][0]) {
			struct apartment_number an;
			if (apartment_parse(cell[C_APARTMENT], &layout, &an, err, sizeof err) < 0) {
				SLOT_ERROR(f, line, C_APARTMENT, "invalid", "%s", err);
			} else {
				r->apartment = arena_strdup(x->a, an.text);
				r->tower = an.tower;
				r->floor = an.floor;
				r->unit = an.unit;
			}
		}
		if (cell[C_EMAIL][0]) {
			if (strlen(cell[C_EMAIL]) > 254 || !email_valid(cell[C_EMAIL]))
				SLOT_ERROR(f, line, C_EMAIL, "invalid", "\"%.*s\" is not an email address",
					QUOTE_MAX, cell[C_EMAIL]);
			else
				r->email = (char *)cell[C_EMAIL];
		}
		int64_t limit;
		int got = amount_of(x, line, cell[C_LIMIT_MINOR], C_LIMIT_MINOR, cell[C_LIMIT], C_LIMIT, 0, &limit);
		if (got > 0 && limit > MONEY_CREDIT_LIMIT_MAX) {
			SLOT_ERROR(f, line, cell[C_LIMIT_MINOR][0] ? C_LIMIT_MINOR : C_LIMIT, "invalid",
				"must be between 0 and 10^15 minor units");
		} else if (got > 0 && x->o->no_own_credit_limits && limit != s->default_credit_limit_minor) {
			SLOT_ERROR(f, line, cell[C_LIMIT_MINOR][0] ? C_LIMIT_MINOR : C_LIMIT, "feature_not_in_plan",
				"a credit limit other than the store's default (%lld) needs the credit_lines feature",
				(long long)s->default_credit_limit_minor);
		} else if (got > 0) {
			r->has_credit_limit = 1;
			r->credit_limit_minor = limit;
		}
		if (text_too_long(cell[C_NOTES], 1000))
			SLOT_ERROR(f, line, C_NOTES, "too_long", "at most 1000 characters (has %zu)",
				utf8_length(cell[C_NOTES]));
		else if (entry_note_has_controls(cell[C_NOTES]))
			SLOT_ERROR(f, line, C_NOTES, "invalid", "must not contain control characters but line breaks and tabs");
		r->notes = (char *)cell[C_NOTES];

		char word[16];
		r->status = (char *)"active";
		if (cell[C_STATUS][0]) {
			if (lower_word(cell[C_STATUS], word, sizeof word) == 0 && strcmp(word, "archived") == 0)
				r->status = (char *)"archived";
			else if (strcmp(word, "active") != 0)
				SLOT_ERROR(f, line, C_STATUS, "invalid", "\"%.*s\": must be active or archived",
					QUOTE_MAX, cell[C_STATUS]);
		}
		if (cell[C_OPT_OUT][0]) {
			int bad = lower_word(cell[C_OPT_OUT], word, sizeof word) < 0;
			if (!bad && (!strcmp(word, "true") || !strcmp(word, "yes") || !strcmp(word, "1")))
				r->reminders_opt_out = 1;
			else if (bad || (strcmp(word, "false") && strcmp(word, "no") && strcmp(word, "0")))
				SLOT_ERROR(f, line, C_OPT_OUT, "invalid", "\"%.*s\": must be true or false",
					QUOTE_MAX, cell[C_OPT_OUT]);
		}
		if (f->error_count != before || strcmp(r->status, "active") != 0)
			continue;
		/* Phone is unique among the store's active customers. */
		int64_t first;
		if (smap_get(&phones, r->phone, &first)) {
			SLOT_ERROR(f, line, C_PHONE, "duplicate", "line %lld already has the phone number %s",
				(long long)first, r->phone);
			continue;
		}
		smap_put(&phones, r->phone, (int64_t)line);
		int taken = store_customer_phone_taken(x->tx, r->phone, NULL);
		if (taken < 0) {
			rc = taken;
			goto out;
		}
		if (taken) {
			SLOT_ERROR(f, line, C_PHONE, "phone_taken",
				"an active customer of this store already has the phone number %s", r->phone);
			continue;
		}
		added++;
		if (x->o->customer_limit >= 0 && active + added > x->o->customer_limit && !over_reported) {
			over_reported = 1;
			add_error(f, line, NULL, "plan_limit_reached",
				"the plan allows %lld active customers; the store has %lld and this row would be number %lld",
				(long long)x->o->customer_limit, (long long)active, (long long)(active + added));
		}
	}
	if (f->error_count)
		goto out;
	int64_t now = x->o->now_ms;
	struct import_audit *audit = calloc(WRITE_BATCH, sizeof *audit);
	if (!audit)
		abort();
	for (size_t at = 0; at < n && rc == STORE_OK; at += WRITE_BATCH) {
		size_t end = n - at < WRITE_BATCH ? n : at + WRITE_BATCH;
		for (size_t i = at; i < end; i++) {
			char *id = arena_alloc(x->a, 37);
			uuid_v7(id);
			c[i].id = id;
			c[i].created_at = now;
			c[i].updated_at = now;
			c[i].last_activity_at = now;
		}
		rc = store_import_customers(x->tx, c + at, end - at);
		for (size_t i = at; i < end && rc == STORE_OK; i++) {
			audit[i - at].action = "customer.created";
			audit[i - at].entity = "customer";
			audit[i - at].entity_id = c[i].id;
			audit[i - at].after_text = imported(audit_payload_customer(&c[i]), f->rows[i]->line);
		}
		if (rc == STORE_OK)
			rc = store_import_audit(x->tx, audit, end - at);
		for (size_t i = at; i < end; i++) {
			free((char *)audit[i - at].after_text);
			audit[i - at].after_text = NULL;
		}
		x->created = end;
		progress(x, IMPORT_WRITING, end, n);
	}
	free(audit);
	/* Two active customers with one phone: another request got there first. */
	if (rc == STORE_CONFLICT) {
		add_error(f, 0, "phone", "phone_taken", "another customer with one of these phone numbers was added meanwhile; try again");
		rc = STORE_OK;
	}
	if (rc == STORE_OK && n)
		rc = audit_import(x, "customers", 0);
out:
	smap_release(&phones);
	free(c);
	return rc;
}

/* ---- transactions ---- */

/* A customer the file's entries go to. */
struct cust {
	struct customer_rec rec;   /* as read (and locked) before the import */
	int64_t balance;           /* as the rows, in order, take it */
	int touched;
	uint64_t last_line;        /* of its last entry in occurred_at order */
};

/* The active customers of one apartment. */
struct flat {
	struct customer_rec *c;
	int n;
};

/* One row of the file, checked. */
struct entry_plan {
	int ok;                    /* no error on the row */
	enum entry_type type;
	int cust;                  /* index into custs */
	int target;                /* a reversal: the row it reverses, else -1 */
	int reversed_by;           /* the row that reverses this one, else -1 */
	int64_t amount, effect, occurred_at, balance_after;
	uint64_t order;            /* among rows of equal occurred_at */
	char *entry_id;            /* the new entry's id, kept for a reversal to name */
};

struct tx_run {
	struct run *x;
	struct cust *custs;
	int ncusts, capcusts;
	struct smap by_id, by_phone, by_flat;
	struct flat *flats;
	int nflats, capflats;
};

static int cust_add(struct tx_run *t, const struct customer_rec *c)
{
	if (t->ncusts == t->capcusts) {
		t->capcusts = t->capcusts ? t->capcusts * 2 : 64;
		t->custs = realloc(t->custs, sizeof *t->custs * (size_t)t->capcusts);
		if (!t->custs)
			abort();
	}
	struct cust *k = &t->custs[t->ncusts];
	memset(k, 0, sizeof *k);
	k->rec = *c;
	k->balance = c->balance_minor;
	smap_put(&t->by_id, c->id, t->ncusts);
	return t->ncusts++;
}

/* The customer with this id (lowercase), locked: *k is its index, -1
 * when the store has none.  Returns STORE_OK or a store error. */
static int cust_by_id(struct tx_run *t, const char *id, int *k)
{
	int64_t v;
	if (smap_get(&t->by_id, id, &v)) {
		*k = (int)v;
		return STORE_OK;
	}
	struct customer_rec c;
	int rc = store_customer_get(t->x->tx, id, 1, t->x->a, &c);
	*k = -1;
	if (rc == STORE_NOT_FOUND) {
		smap_put(&t->by_id, arena_strdup(t->x->a, id), -1);
		return STORE_OK;
	}
	if (rc != STORE_OK)
		return rc;
	*k = cust_add(t, &c);
	return STORE_OK;
}

/* The customer with this E.164 phone, as cust_by_id: the active one,
 * else the only archived one (*archived_many when several are). */
static int cust_by_phone(struct tx_run *t, const char *e164, int *k, int *archived_many)
{
	int64_t v;
	*archived_many = 0;
	if (smap_get(&t->by_phone, e164, &v)) {
		*k = v >= -1 ? (int)v : -1;
		*archived_many = v == -2;
		return STORE_OK;
	}
	char **ids;
	int n;
	int rc = store_customers_by_phone(t->x->tx, e164, t->x->a, &ids, &n);
	*k = -1;
	if (rc == STORE_OK && !n)
		rc = store_import_archived_by_phone(t->x->tx, e164, t->x->a, &ids, &n);
	if (rc == STORE_OK && n == 1)
		rc = cust_by_id(t, ids[0], k);
	*archived_many = n > 1;
	if (rc == STORE_OK)
		smap_put(&t->by_phone, arena_strdup(t->x->a, e164), *archived_many ? -2 : *k);
	return rc;
}

/* The active customers of apartment `number` into *out.  Returns
 * STORE_OK or a store error. */
static int flat_of(struct tx_run *t, const char *number, const struct flat **out)
{
	int64_t v;
	if (smap_get(&t->by_flat, number, &v)) {
		*out = &t->flats[v];
		return STORE_OK;
	}
	struct customer_rec *all;
	int n;
	int rc = store_customers_in_apartment(t->x->tx, number, t->x->a, &all, &n);
	if (rc != STORE_OK)
		return rc;
	if (t->nflats == t->capflats) {
		t->capflats = t->capflats ? t->capflats * 2 : 16;
		t->flats = realloc(t->flats, sizeof *t->flats * (size_t)t->capflats);
		if (!t->flats)
			abort();
	}
	struct flat *fl = &t->flats[t->nflats];
	fl->c = all;
	fl->n = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(all[i].status, "active") == 0)
			fl->c[fl->n++] = all[i];
	smap_put(&t->by_flat, arena_strdup(t->x->a, number), t->nflats);
	*out = &t->flats[t->nflats++];
	return STORE_OK;
}

/* Of the flat's customers, the one called `who` (exactly, else the only
 * one that matches ignoring ASCII case), or the only one when who is "".
 * -1 when none is. */
static int pick_in_flat(const struct flat *fl, const char *who)
{
	int exact = -1, nexact = 0, folded = -1, nfolded = 0;
	if (!who[0])
		return fl->n == 1 ? 0 : -1;
	for (int i = 0; i < fl->n; i++) {
		if (strcmp(fl->c[i].name, who) == 0)
			exact = i, nexact++;
		if (strcasecmp(fl->c[i].name, who) == 0)
			folded = i, nfolded++;
	}
	if (nexact == 1)
		return exact;
	return !nexact && nfolded == 1 ? folded : -1;
}

/* Resolve the customer of a row: customer_id when it is this store's,
 * else phone, else apartment (+ name).  *k is the index, or -1 after the
 * error saying why none was found.  Returns STORE_OK or a store error. */
static int resolve_customer(struct tx_run *t, uint64_t line, const char *const *cell, int *k)
{
	struct run *x = t->x;
	struct import_file *f = x->f;
	const char *cid = cell[T_CUSTOMER_ID], *ph = cell[T_PHONE], *apt = cell[T_APARTMENT];
	const char *who = cell[T_CUSTOMER_NAME][0] ? cell[T_CUSTOMER_NAME] : cell[T_NAME];
	struct buf why = BUF_INIT;
	const char *code = "customer_not_found";
	char err[200];
	int rc = STORE_OK, looked = 0;   /* looked: some value was well-formed and searched for */

	*k = -1;
	if (cid[0]) {
		char id[37];
		if (strlen(cid) == 36 && uuid_valid(cid)) {
			memcpy(id, cid, 37);
			uuid_lower(id);
			looked = 1;
			rc = cust_by_id(t, id, k);
			if (rc != STORE_OK)
				goto out;
			if (*k < 0)
				buf_printf(&why, "customer_id %s is not a customer of this store", id);
		} else {
			buf_printf(&why, "customer_id \"%.*s\" is not a customer id", QUOTE_MAX, cid);
		}
	}
	if (*k < 0 && ph[0]) {
		char e164[20];
		if (phone_normalize(ph, x->s->phone_country, e164, sizeof e164, err, sizeof err) < 0) {
			buf_printf(&why, "%s%s", why.len ? "; " : "", err);
		} else {
			int many;
			looked = 1;
			rc = cust_by_phone(t, e164, k, &many);
			if (rc != STORE_OK)
				goto out;
			if (many)
				code = "ambiguous_customer";
			if (*k < 0)
				buf_printf(&why, many ? "%sno active customer has the phone number %s, and several archived ones do"
					: "%sno customer has the phone number %s", why.len ? "; " : "", e164);
		}
	}
	if (*k < 0 && apt[0]) {
		struct apartment_number an;
		const struct flat *fl;
		if (apartment_parse(apt, NULL, &an, err, sizeof err) < 0) {
			buf_printf(&why, "%s%s", why.len ? "; " : "", err);
		} else if ((rc = flat_of(t, an.text, &fl)) != STORE_OK) {
			goto out;
		} else {
			int pick = pick_in_flat(fl, who);
			looked = 1;
			if (pick >= 0) {
				rc = cust_by_id(t, fl->c[pick].id, k);
				if (rc != STORE_OK)
					goto out;
			} else if (!fl->n) {
				buf_printf(&why, "%sno active customer lives in apartment %s", why.len ? "; " : "", an.text);
			} else if (!who[0]) {
				code = "ambiguous_customer";
				buf_printf(&why, "%s%d customers live in apartment %s: add a name or customer_name column",
					why.len ? "; " : "", fl->n, an.text);
			} else {
				buf_printf(&why, "%snobody in apartment %s is called \"%.*s\"", why.len ? "; " : "",
					an.text, QUOTE_MAX, who);
			}
		}
	}
	if (*k < 0) {
		int slot = ph[0] ? T_PHONE : apt[0] ? T_APARTMENT : cid[0] ? T_CUSTOMER_ID : -1;
		if (!looked)
			code = "invalid";
		if (slot < 0)
			add_error(f, line, NULL, "customer_required",
				"the row names no customer: give customer_id, phone or apartment");
		else
			SLOT_ERROR(f, line, slot, code, "%s", buf_cstr(&why));
	}
out:
	buf_release(&why);
	return rc;
}

/* The row's own checks (not those between rows).  Returns STORE_OK or a
 * store error. */
static int check_entry_row(struct tx_run *t, size_t i, const char *const *cell, struct entry_plan *p)
{
	struct run *x = t->x;
	struct import_file *f = x->f;
	uint64_t line = f->rows[i]->line;
	uint64_t before = f->error_count;
	char word[16];

	p->target = p->reversed_by = -1;
	p->cust = -1;
	p->type = ENTRY_NONE;
	if (!cell[T_TYPE][0])
		SLOT_ERROR(f, line, T_TYPE, "required", "each row needs a type");
	else if (lower_word(cell[T_TYPE], word, sizeof word) < 0 || (p->type = entry_type_parse(word)) == ENTRY_NONE)
		SLOT_ERROR(f, line, T_TYPE, "invalid", "\"%.*s\": must be purchase, payment, adjustment or reversal",
			QUOTE_MAX, cell[T_TYPE]);
	/* Only purchases and payments are positive by rule (a reversal of
	 * an adjustment carries its sign). */
	int signed_ok = p->type != ENTRY_PURCHASE && p->type != ENTRY_PAYMENT;
	int got = amount_of(x, line, cell[T_AMOUNT_MINOR], T_AMOUNT_MINOR, cell[T_AMOUNT], T_AMOUNT,
		signed_ok, &p->amount);
	int amount_slot = cell[T_AMOUNT_MINOR][0] || (has_column(f, T_AMOUNT_MINOR) && !cell[T_AMOUNT][0])
		? T_AMOUNT_MINOR : T_AMOUNT;
	if (got == 0 && p->type != ENTRY_REVERSAL && p->type != ENTRY_NONE)
		SLOT_ERROR(f, line, amount_slot, "required", "each %s needs an amount", entry_type_name(p->type));
	else if (got > 0 && (p->amount > MONEY_AMOUNT_MAX || p->amount < -MONEY_AMOUNT_MAX))
		SLOT_ERROR(f, line, amount_slot, "invalid", "%lld is too large", (long long)p->amount);
	else if (got > 0 && p->amount == 0)
		SLOT_ERROR(f, line, amount_slot, "invalid", "must not be zero");
	if (got <= 0)
		p->amount = 0;

	if (cell[T_OCCURRED_AT][0]) {
		if (civil_parse_rfc3339(cell[T_OCCURRED_AT], &p->occurred_at) < 0)
			SLOT_ERROR(f, line, T_OCCURRED_AT, "invalid",
				"\"%.*s\" is not an RFC 3339 time such as 2026-11-29T10:30:00Z", QUOTE_MAX, cell[T_OCCURRED_AT]);
	} else if (cell[T_DATE][0]) {
		int64_t day;
		if (civil_parse_date(cell[T_DATE], &day) < 0 ||
		    civil_local_midnight_ms(day, x->s->timezone, &p->occurred_at) < 0)
			SLOT_ERROR(f, line, T_DATE, "invalid", "\"%.*s\" is not a date such as 2026-11-29",
				QUOTE_MAX, cell[T_DATE]);
	} else {
		SLOT_ERROR(f, line, has_column(f, T_OCCURRED_AT) ? T_OCCURRED_AT : T_DATE, "required",
			"each row needs occurred_at (or date)");
	}
	if (f->error_count == before && p->occurred_at > x->o->now_ms + ENTRY_FUTURE_SLACK_MS)
		SLOT_ERROR(f, line, cell[T_OCCURRED_AT][0] ? T_OCCURRED_AT : T_DATE, "future",
			"must not be in the future");

	if (text_too_long(cell[T_NOTE], 500))
		SLOT_ERROR(f, line, T_NOTE, "too_long", "at most 500 characters (has %zu)", utf8_length(cell[T_NOTE]));
	else if (entry_note_has_controls(cell[T_NOTE]))
		SLOT_ERROR(f, line, T_NOTE, "invalid", "must not contain control characters but line breaks and tabs");

	if (cell[T_METHOD][0]) {
		if (p->type != ENTRY_PAYMENT && p->type != ENTRY_NONE)
			SLOT_ERROR(f, line, T_METHOD, "not_allowed", "is only for payments");
		else if (lower_word(cell[T_METHOD], word, sizeof word) < 0 || !entry_payment_method_valid(word))
			SLOT_ERROR(f, line, T_METHOD, "invalid", "\"%.*s\": must be cash, upi, card, bank or other",
				QUOTE_MAX, cell[T_METHOD]);
	}
	if (cell[T_REFERENCE][0]) {
		if (p->type != ENTRY_PAYMENT && p->type != ENTRY_NONE)
			SLOT_ERROR(f, line, T_REFERENCE, "not_allowed", "is only for payments");
		else if (text_too_long(cell[T_REFERENCE], 100) || text_has_control_chars(cell[T_REFERENCE]))
			SLOT_ERROR(f, line, T_REFERENCE, "invalid", "at most 100 characters, no control characters");
	}
	if (cell[T_CURRENCY][0] && strcasecmp(cell[T_CURRENCY], x->s->currency) != 0)
		SLOT_ERROR(f, line, T_CURRENCY, "currency_mismatch",
			"the row is in %.*s but the store keeps its books in %s", QUOTE_MAX, cell[T_CURRENCY],
			x->s->currency);
	if (strlen(cell[T_ID]) > 100)
		SLOT_ERROR(f, line, T_ID, "too_long", "at most 100 characters");
	if (p->type == ENTRY_REVERSAL && !cell[T_REVERSES_ID][0])
		SLOT_ERROR(f, line, T_REVERSES_ID, "required", "a reversal names the id of the row it reverses");
	else if (p->type != ENTRY_REVERSAL && p->type != ENTRY_NONE && cell[T_REVERSES_ID][0])
		SLOT_ERROR(f, line, T_REVERSES_ID, "not_allowed", "is only for reversals");

	/* A reversal's customer is the reversed entry's. */
	if (p->type != ENTRY_REVERSAL) {
		int rc = resolve_customer(t, line, cell, &p->cust);
		if (rc != STORE_OK)
			return rc;
	}
	p->ok = f->error_count == before;
	if (p->ok && p->type != ENTRY_REVERSAL)
		p->effect = p->type == ENTRY_PAYMENT ? -p->amount : p->amount;
	return STORE_OK;
}

static int plan_order(const void *a, const void *b, void *cls)
{
	const struct entry_plan *p = cls;
	const struct entry_plan *x = &p[*(const size_t *)a], *y = &p[*(const size_t *)b];
	if (x->occurred_at != y->occurred_at)
		return x->occurred_at < y->occurred_at ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Row indexes by (occurred_at, order): the order entries are applied. */
static void sort_rows(size_t *idx, size_t n, struct entry_plan *p)
{
	qsort_r(idx, n, sizeof *idx, plan_order, p);
}

/* Between rows: ids unique, each reversal's entry in the file, not a
 * reversal, reversed once, not later than the reversal. */
static void check_reversals(struct tx_run *t, struct entry_plan *p, struct smap *ids)
{
	struct import_file *f = t->x->f;
	size_t n = f->nrows;
	for (size_t i = 0; i < n; i++) {
		const char *cell[SLOT_MAX];
		row_cells(f, f->rows[i], cell);
		uint64_t line = f->rows[i]->line;
		p[i].order = line * 2;
		if (!cell[T_ID][0])
			continue;
		int64_t first;
		if (smap_get(ids, cell[T_ID], &first)) {
			SLOT_ERROR(f, line, T_ID, "duplicate", "line %llu has the same id \"%.*s\"",
				(unsigned long long)f->rows[first]->line, QUOTE_MAX, cell[T_ID]);
			p[i].ok = 0;
			continue;
		}
		smap_put(ids, cell[T_ID], (int64_t)i);
	}
	for (size_t i = 0; i < n; i++) {
		if (!p[i].ok || p[i].type != ENTRY_REVERSAL)
			continue;
		const char *cell[SLOT_MAX];
		row_cells(f, f->rows[i], cell);
		uint64_t line = f->rows[i]->line;
		int64_t ti;
		if (!smap_get(ids, cell[T_REVERSES_ID], &ti)) {
			SLOT_ERROR(f, line, T_REVERSES_ID, "not_found",
				"no row of this file has the id \"%.*s\" (a reversal must reverse an entry of the same file)",
				QUOTE_MAX, cell[T_REVERSES_ID]);
			p[i].ok = 0;
			continue;
		}
		struct entry_plan *g = &p[ti];
		uint64_t gline = f->rows[ti]->line;
		if (!g->ok) {
			/* That row's own errors say what is wrong. */
			p[i].ok = 0;
			continue;
		}
		const char *why = NULL, *code = NULL;
		if (g->type == ENTRY_REVERSAL)
			code = "cannot_reverse_reversal", why = "is itself a reversal, which cannot be reversed";
		else if (g->reversed_by >= 0)
			code = "already_reversed", why = "is already reversed by an earlier row";
		else if (g->occurred_at > p[i].occurred_at)
			code = "reversal_before_entry", why = "comes later than this reversal";
		else if (p[i].amount && p[i].amount != g->amount)
			code = "amount_mismatch", why = "has a different amount";
		if (why) {
			SLOT_ERROR(f, line, strcmp(code, "amount_mismatch") ? T_REVERSES_ID : T_AMOUNT_MINOR, code,
				"the entry it reverses (line %llu) %s", (unsigned long long)gline, why);
			p[i].ok = 0;
			continue;
		}
		g->reversed_by = (int)i;
		p[i].target = (int)ti;
		p[i].cust = g->cust;
		p[i].amount = g->amount;
		p[i].effect = -g->effect;
		if (p[i].occurred_at == g->occurred_at && p[i].order < g->order)
			p[i].order = g->order + 1;
	}
}

static int run_transactions(struct run *x)
{
	struct import_file *f = x->f;
	size_t n = f->nrows, nok = 0;
	struct tx_run t = { .x = x };
	struct entry_plan *p = calloc(n ? n : 1, sizeof *p);
	size_t *idx = calloc(n ? n : 1, sizeof *idx);
	struct smap ids = { 0 };
	struct import_audit *audit = NULL;
	struct entry_rec *batch = NULL;
	struct arena *scratch = NULL;
	int rc = STORE_OK;

	if (!p || !idx)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *cell[SLOT_MAX];
		row_cells(f, f->rows[i], cell);
		rc = check_entry_row(&t, i, cell, &p[i]);
		if (rc != STORE_OK)
			goto out;
		progress(x, IMPORT_CHECKING, i + 1, n);
	}
	check_reversals(&t, p, &ids);
	for (size_t i = 0; i < n; i++)
		if (p[i].ok)
			idx[nok++] = i;
	sort_rows(idx, nok, p);
	/* Every balance along the way must fit. */
	for (size_t k = 0; k < nok; k++) {
		struct entry_plan *e = &p[idx[k]];
		struct cust *c = &t.custs[e->cust];
		if (money_add(c->balance, e->effect, &c->balance) < 0) {
			uint64_t line = f->rows[idx[k]]->line;
			SLOT_ERROR(f, line, has_column(f, T_AMOUNT_MINOR) ? T_AMOUNT_MINOR : T_AMOUNT, "overflow",
				"the balance of %s would pass %lld minor units", c->rec.name, (long long)INT64_MAX);
			c->balance = c->rec.balance_minor;
			e->ok = 0;
			continue;
		}
		e->balance_after = c->balance;
		c->touched = 1;
		c->last_line = f->rows[idx[k]]->line;
	}
	/* An archived customer owes nothing: its imported history must end
	 * where it began. */
	for (int k = 0; k < t.ncusts; k++) {
		struct cust *c = &t.custs[k];
		if (c->touched && strcmp(c->rec.status, "active") != 0 && c->balance != c->rec.balance_minor)
			add_error(f, c->last_line, NULL, "customer_archived",
				"%s (%s) is archived, and after these entries would owe %lld minor units; restore them first",
				c->rec.name, c->rec.phone, (long long)c->balance);
	}
	if (f->error_count)
		goto out;

	int64_t now = x->o->now_ms;
	const char *actor = store_tx_actor_id(x->tx);
	audit = calloc(WRITE_BATCH, sizeof *audit);
	batch = calloc(WRITE_BATCH, sizeof *batch);
	if (!audit || !batch)
		abort();
	for (size_t at = 0; at < nok && rc == STORE_OK; at += WRITE_BATCH) {
		size_t end = nok - at < WRITE_BATCH ? nok : at + WRITE_BATCH;
		scratch = arena_new();
		if (!scratch)
			abort();
		for (size_t k = at; k < end; k++) {
			size_t i = idx[k];
			struct entry_plan *e = &p[i];
			struct entry_rec *r = &batch[k - at];
			const char *cell[SLOT_MAX];
			row_cells(f, f->rows[i], cell);
			char *id = arena_alloc(e->reversed_by >= 0 ? x->a : scratch, 37);
			uuid_v7(id);
			if (e->reversed_by >= 0)
				e->entry_id = id;
			memset(r, 0, sizeof *r);
			r->id = id;
			r->customer_id = t.custs[e->cust].rec.id;
			r->type = (char *)entry_type_name(e->type);
			r->amount_minor = e->amount;
			r->effect_minor = e->effect;
			r->occurred_at = e->occurred_at;
			r->created_at = now;
			r->created_by = (char *)actor;
			r->note = (char *)cell[T_NOTE];
			if (e->type == ENTRY_PAYMENT) {
				char word[16];
				r->payment_method = (char *)"cash";
				if (cell[T_METHOD][0] && lower_word(cell[T_METHOD], word, sizeof word) == 0)
					r->payment_method = arena_strdup(scratch, word);
				r->payment_reference = cell[T_REFERENCE][0] ? (char *)cell[T_REFERENCE] : NULL;
			}
			if (e->type == ENTRY_ADJUSTMENT || e->type == ENTRY_REVERSAL)
				r->reason = cell[T_NOTE][0] ? (char *)cell[T_NOTE] : (char *)"imported";
			if (e->type == ENTRY_REVERSAL) {
				/* The entry it reverses sorts before it (check_reversals). */
				assert(p[e->target].entry_id);
				r->reverses_id = p[e->target].entry_id;
			}
			r->balance_after_minor = e->balance_after;
			audit[k - at].action = e->type == ENTRY_REVERSAL ? "transaction.reversed" : "transaction.created";
			audit[k - at].entity = "transaction";
			audit[k - at].entity_id = id;
			audit[k - at].after_text = imported(audit_payload_entry(r), f->rows[i]->line);
		}
		rc = store_import_entries(x->tx, batch, end - at);
		if (rc == STORE_OK)
			rc = store_import_audit(x->tx, audit, end - at);
		for (size_t k = at; k < end; k++) {
			free((char *)audit[k - at].after_text);
			audit[k - at].after_text = NULL;
		}
		arena_free(scratch);
		scratch = NULL;
		x->created = end;
		progress(x, IMPORT_WRITING, end, nok);
	}
	/* Each customer's derived fields, once, from what is now stored. */
	uint64_t touched = 0;
	for (int k = 0; k < t.ncusts && rc == STORE_OK; k++) {
		struct cust *c = &t.custs[k];
		if (!c->touched)
			continue;
		touched++;
		c->rec.balance_minor = c->balance;
		rc = store_entry_latest(x->tx, c->rec.id, "purchase", &c->rec.last_purchase_at);
		if (rc == STORE_OK)
			rc = store_entry_latest(x->tx, c->rec.id, "payment", &c->rec.last_payment_at);
		/* Back-dated rows may fall anywhere in the ledger: the open lots
		 * and oldest due are read again from the entries. */
		if (rc == STORE_OK)
			rc = ledger_refresh_derived(x->tx, x->s, &c->rec, now, x->a);
		if (rc == LEDGER_OVERFLOW)
			rc = STORE_OVERFLOW;
		if (rc != STORE_OK)
			break;
		c->rec.last_activity_at = now;
		rc = store_customer_set_ledger(x->tx, &c->rec);
	}
	if (rc == STORE_OK && nok)
		rc = audit_import(x, "transactions", touched);
out:
	free(audit);
	free(batch);
	free(p);
	free(idx);
	free(t.custs);
	free(t.flats);
	smap_release(&ids);
	smap_release(&t.by_id);
	smap_release(&t.by_phone);
	smap_release(&t.by_flat);
	return rc;
}

int import_run(struct store_tx *tx, const struct settings_rec *s, struct import_file *f,
	const struct import_options *o, struct arena *a, struct import_result *out)
{
	struct run x = { tx, s, f, o, a, currency_exponent(s->currency), 0, 0 };
	int rc = STORE_OK;

	import_file_finish(f);
	memset(out, 0, sizeof *out);
	if (x.exponent < 0)
		x.exponent = 2;
	/* Under a bad header the rows cannot be read for what they mean;
	 * before a CSV syntax error they can, and their errors are worth
	 * reporting with it (nothing is written either way). */
	if (f->have_header && !f->header_bad) {
		if (f->kind == IMPORT_CUSTOMERS)
			rc = run_customers(&x);
		else
			rc = run_transactions(&x);
	}
	finish_result(&x, out);
	return rc;
}
