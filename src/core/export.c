/* export.c — see export.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export.h"
#include "domain/money.h"
#include "util/civil.h"
#include "util/csv.h"

static const struct {
	const char *name;
	const char *header;
} kinds[] = {
	[EXPORT_CUSTOMERS] = { "customers",
		"id,name,phone,apartment,tower,floor,unit,email,credit_limit_minor,notes,balance_minor,"
		"overdue_minor,oldest_due_date,status,reminders_opt_out,created_at\r\n" },
	[EXPORT_TRANSACTIONS] = { "transactions",
		"id,date,occurred_at,customer_id,customer_name,phone,apartment,type,amount_minor,amount,"
		"currency,payment_method,payment_reference,note,reverses_id,created_by,created_at\r\n" },
	[EXPORT_REMINDERS] = { "reminders",
		"id,date,created_at,customer_id,customer_name,phone,apartment,kind,trigger,channel,status,"
		"balance_minor,balance,overdue_minor,overdue,currency,entry_id,message,provider_message_id,"
		"error_code,error_message,created_by,updated_at\r\n" },
	[EXPORT_AUDIT] = { "audit",
		"seq,id,date,created_at,actor_id,actor_role,action,entity,entity_id,before,after,"
		"request_id,client_ip,prev_hash,hash\r\n" },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

int export_kind_parse(const char *name, enum export_kind *out)
{
	for (size_t i = 0; name && i < NKINDS; i++) {
		if (strcmp(name, kinds[i].name) == 0) {
			*out = (enum export_kind)i;
			return 0;
		}
	}
	return -1;
}

const char *export_kind_name(enum export_kind kind)
{
	return (size_t)kind < NKINDS ? kinds[kind].name : "";
}

const char *export_header(enum export_kind kind)
{
	return (size_t)kind < NKINDS ? kinds[kind].header : "";
}

void export_format_init(struct export_format *f, const struct settings_rec *s, int64_t now_ms)
{
	memset(f, 0, sizeof *f);
	snprintf(f->currency, sizeof f->currency, "%s", s->currency ? s->currency : "");
	snprintf(f->timezone, sizeof f->timezone, "%s", s->timezone ? s->timezone : "UTC");
	f->exponent = currency_exponent(f->currency);
	if (f->exponent < 0)
		f->exponent = 2;
	f->now_ms = now_ms;
	f->credit_period_days = s->credit_period_days;
}

/* ---- Cells ---- */

static void cell_int(struct buf *b, int64_t v, int first)
{
	char t[24];
	snprintf(t, sizeof t, "%lld", (long long)v);
	csv_plain(b, t, first);
}

static void cell_money(struct buf *b, int64_t minor, int exponent)
{
	char t[MONEY_FORMAT_MAX];
	if (money_format_plain(minor, exponent, t, sizeof t) < 0)
		t[0] = '\0';
	csv_plain(b, t, 0);
}

static void cell_time(struct buf *b, int64_t ms)
{
	char t[CIVIL_RFC3339_LEN];
	civil_format_rfc3339(ms, t);
	csv_plain(b, t, 0);
}

/* The local date of ms; empty when the zone cannot say. */
static void cell_date(struct buf *b, int64_t ms, const char *zone)
{
	int64_t day;
	char d[11];
	if (civil_local_days(ms, zone, &day) < 0) {
		csv_plain(b, NULL, 0);
		return;
	}
	civil_format_date(day, d);
	csv_plain(b, d, 0);
}

static void cell_bool(struct buf *b, int v)
{
	csv_plain(b, v ? "true" : "false", 0);
}

/* ---- Rows ---- */

static void customer_csv(struct buf *b, const struct export_format *f, const struct export_customer_row *row)
{
	const struct customer_rec *c = &row->c;
	int64_t overdue = c->balance_minor > row->recent_minor ? c->balance_minor - row->recent_minor : 0;
	if (c->balance_minor <= 0)
		overdue = 0;
	csv_plain(b, c->id, 1);
	csv_text(b, c->name, 0);
	csv_text(b, c->phone, 0);
	csv_text(b, c->apartment, 0);
	if (c->apartment) {
		cell_int(b, c->tower, 0);
		cell_int(b, c->floor, 0);
		cell_int(b, c->unit, 0);
	} else {
		csv_plain(b, NULL, 0);
		csv_plain(b, NULL, 0);
		csv_plain(b, NULL, 0);
	}
	csv_text(b, c->email, 0);
	if (c->has_credit_limit)
		cell_int(b, c->credit_limit_minor, 0);
	else
		csv_plain(b, NULL, 0);
	csv_text(b, c->notes, 0);
	cell_int(b, c->balance_minor, 0);
	cell_int(b, overdue, 0);
	if (c->balance_minor > 0 && c->oldest_due_at)
		cell_date(b, c->oldest_due_at, f->timezone);
	else
		csv_plain(b, NULL, 0);
	csv_text(b, c->status, 0);
	cell_bool(b, c->reminders_opt_out);
	cell_time(b, c->created_at);
	csv_end_row(b);
}

static void entry_csv(struct buf *b, const struct export_format *f, const struct export_entry_row *row)
{
	const struct entry_rec *e = &row->e;
	csv_plain(b, e->id, 1);
	cell_date(b, e->occurred_at, f->timezone);
	cell_time(b, e->occurred_at);
	csv_plain(b, e->customer_id, 0);
	csv_text(b, row->customer_name, 0);
	csv_text(b, row->phone, 0);
	csv_text(b, row->apartment, 0);
	csv_text(b, e->type, 0);
	cell_int(b, e->amount_minor, 0);
	cell_money(b, e->amount_minor, f->exponent);
	csv_text(b, f->currency, 0);
	csv_text(b, e->payment_method, 0);
	csv_text(b, e->payment_reference, 0);
	csv_text(b, e->note, 0);
	csv_plain(b, e->reverses_id, 0);
	csv_text(b, e->created_by, 0);
	cell_time(b, e->created_at);
	csv_end_row(b);
}

static void reminder_csv(struct buf *b, const struct export_format *f, const struct export_reminder_row *row)
{
	const struct reminder_rec *m = &row->m;
	/* A reminder keeps the currency it was written in. */
	int exponent = currency_exponent(m->currency);
	if (exponent < 0)
		exponent = f->exponent;
	csv_plain(b, m->id, 1);
	cell_date(b, m->created_at, f->timezone);
	cell_time(b, m->created_at);
	csv_plain(b, m->customer_id, 0);
	csv_text(b, row->customer_name, 0);
	csv_text(b, row->phone, 0);
	csv_text(b, row->apartment, 0);
	csv_text(b, m->kind, 0);
	csv_text(b, m->trigger, 0);
	csv_text(b, m->channel, 0);
	csv_text(b, m->status, 0);
	cell_int(b, m->balance_minor, 0);
	cell_money(b, m->balance_minor, exponent);
	cell_int(b, m->overdue_minor, 0);
	cell_money(b, m->overdue_minor, exponent);
	csv_text(b, m->currency, 0);
	csv_plain(b, m->entry_id, 0);
	csv_text(b, m->message, 0);
	csv_text(b, m->provider_message_id, 0);
	csv_text(b, m->error_code, 0);
	csv_text(b, m->error_message, 0);
	csv_text(b, m->created_by, 0);
	cell_time(b, m->updated_at);
	csv_end_row(b);
}

static void audit_csv(struct buf *b, const struct export_format *f, const struct audit_row *a)
{
	cell_int(b, a->seq, 1);
	csv_plain(b, a->id, 0);
	cell_date(b, a->created_at, f->timezone);
	cell_time(b, a->created_at);
	csv_text(b, a->actor_id, 0);
	csv_text(b, a->actor_role, 0);
	csv_text(b, a->action, 0);
	csv_text(b, a->entity, 0);
	csv_text(b, a->entity_id, 0);
	csv_text(b, a->before_json, 0);
	csv_text(b, a->after_json, 0);
	csv_text(b, a->request_id, 0);
	csv_text(b, a->client_ip, 0);
	csv_text(b, a->prev_hash, 0);
	csv_text(b, a->hash, 0);
	csv_end_row(b);
}

void export_format_batch(struct buf *b, enum export_kind kind, const struct export_format *f,
	const struct export_batch *batch)
{
	for (int i = 0; i < batch->n; i++) {
		switch (kind) {
		case EXPORT_CUSTOMERS:
			customer_csv(b, f, &batch->customers[i]);
			break;
		case EXPORT_TRANSACTIONS:
			entry_csv(b, f, &batch->entries[i]);
			break;
		case EXPORT_REMINDERS:
			reminder_csv(b, f, &batch->reminders[i]);
			break;
		case EXPORT_AUDIT:
			audit_csv(b, f, &batch->audit[i]);
			break;
		}
	}
}

int export_range(const char *timezone, int has_from, int64_t from_day, int has_to, int64_t to_day,
	int64_t *from_ms, int64_t *to_ms)
{
	*from_ms = INT64_MIN;
	*to_ms = INT64_MAX;
	if (has_from && civil_local_midnight_ms(from_day, timezone, from_ms) < 0)
		return -1;
	if (has_to && civil_local_midnight_ms(to_day + 1, timezone, to_ms) < 0)
		return -1;
	return 0;
}

void export_filename(char *out, size_t outlen, const char *slug, enum export_kind kind,
	const char *from, const char *to)
{
	if (!from && !to)
		snprintf(out, outlen, "%s-%s-all.csv", slug, export_kind_name(kind));
	else
		snprintf(out, outlen, "%s-%s-%s-%s.csv", slug, export_kind_name(kind),
			from ? from : "start", to ? to : "latest");
}

/* ---- The stream ---- */

struct export_stream {
	struct store_export *cur;
	enum export_kind kind;
	struct export_format fmt;
	int bom;
	int started;      /* the BOM and header are in pending (or were sent) */
	int at_end;       /* the cursor gave its last rows */
	struct buf pending;
	size_t off;       /* bytes of pending already handed out */
	int64_t rows;
};

int export_stream_open(struct store_tx *tx, enum export_kind kind, const struct export_format *f,
	int64_t from_ms, int64_t to_ms, int bom, struct export_stream **out)
{
	struct export_query q = {
		.kind = kind, .from_ms = from_ms, .to_ms = to_ms,
		.not_due_after_ms = f->now_ms - f->credit_period_days * CIVIL_DAY_MS,
	};
	struct store_export *cur;
	int rc = store_export_open(tx, &q, &cur);
	if (rc != STORE_OK)
		return rc;
	struct export_stream *x = calloc(1, sizeof *x);
	if (!x)
		abort();
	x->cur = cur;
	x->kind = kind;
	x->fmt = *f;
	x->bom = bom;
	buf_init(&x->pending);
	*out = x;
	return STORE_OK;
}

/* Fill pending with the next piece of the file: one batch of rows, after
 * the BOM and the header the first time.  Returns a STORE_* code. */
static int refill(struct export_stream *x)
{
	buf_reset(&x->pending);
	x->off = 0;
	if (!x->started) {
		x->started = 1;
		if (x->bom)
			buf_puts(&x->pending, CSV_BOM);
		buf_puts(&x->pending, export_header(x->kind));
	}
	struct arena *a = arena_new();
	if (!a)
		abort();
	struct export_batch batch;
	int rc = store_export_next(x->cur, EXPORT_BATCH_ROWS, a, &batch);
	if (rc == STORE_OK) {
		export_format_batch(&x->pending, x->kind, &x->fmt, &batch);
		x->rows += batch.n;
		if (batch.n < EXPORT_BATCH_ROWS)
			x->at_end = 1;
	}
	arena_free(a);
	return rc;
}

int export_stream_prime(struct export_stream *x)
{
	return x->started ? STORE_OK : refill(x);
}

long export_stream_read(struct export_stream *x, char *out, size_t max)
{
	while (x->off >= x->pending.len) {
		if (x->at_end)
			return 0;
		int rc = refill(x);
		if (rc != STORE_OK)
			return rc;
	}
	size_t n = x->pending.len - x->off;
	if (n > max)
		n = max;
	memcpy(out, x->pending.data + x->off, n);
	x->off += n;
	return (long)n;
}

int64_t export_stream_rows(const struct export_stream *x)
{
	return x->rows;
}

void export_stream_close(struct export_stream *x)
{
	if (!x)
		return;
	store_export_close(x->cur);
	buf_release(&x->pending);
	free(x);
}
