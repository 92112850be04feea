/*
 * shares.c — shared statement links: a member makes one for a customer
 * (POST /api/v1/customers/{id}/share) or revokes one (DELETE
 * /api/v1/shares/{id}); anyone holding the link reads that customer's
 * statement, as a page (GET /s/<token>, sent here by api/dispatch.c) or as
 * JSON (GET /api/v1/shared/{token}).
 *
 * On the public routes the token is the only authority.  Its signature is
 * checked before the database is touched (security/share_token.h); then
 * the tenant it names is entered — no lookup across stores — and the share
 * found by the token's hash in that tenant, live or not; expired, revoked,
 * unknown and tampered tokens all get the same 404.  What leaves is the
 * store's name, the customer's name and flat, the balance and the entries:
 * no ids of staff (created_by), no notes about the customer, nothing of
 * any other customer.  The token never reaches the access log: the path
 * is replaced before the log line is written.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/share_page.h"
#include "api/statement.h"
#include "core/share.h"
#include "domain/money.h"
#include "domain/money_text.h"
#include "domain/upi.h"
#include "http/jsonin.h"
#include "pdf/qr.h"
#include "pdf/statement_pdf.h"
#include "security/share_token.h"
#include "security/token.h"
#include "store/store_customers.h"
#include "store/store_tenants.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/uuid.h"

/* A shared page shows at most this many entries, the newest; the older
 * ones are summed into the balance brought forward. */
#define SHARED_MAX_ENTRIES 200

static void share_key(struct req *r, uint8_t key[SHARE_KEY_BYTES])
{
	share_token_key(r->app->jwt_key, r->app->jwt_key_len, key);
}

/* ---- making and revoking (members) ---- */

/* A Host header we are willing to put into a link: a name or address,
 * optionally with a port, nothing else. */
static int host_sane(const char *h)
{
	size_t n = h ? strlen(h) : 0;
	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return 0;
	}
	return 1;
}

/* scheme://host[:port] of the links we hand out: QT_PUBLIC_URL's when it
 * is set, else this request's Host (https only when a trusted proxy says
 * so).  NULL with a 400 when the Host cannot go into a link. */
const char *api_public_base(struct req *r)
{
	const char *pub = r->app->cfg.public_url;
	const char *sep = pub ? strstr(pub, "://") : NULL;
	if (sep && sep[3]) {
		const char *end = strchr(sep + 3, '/');
		size_t n = end ? (size_t)(end - pub) : strlen(pub);
		return arena_strndup(r->arena, pub, n);
	}
	const char *host = req_header(r, "Host");
	if (!host_sane(host)) {
		req_fail_field(r, 400, "invalid_header", "Host",
			"must be a host name to build the link on (or set QT_PUBLIC_URL)");
		return NULL;
	}
	const char *scheme = "http";
	const char *proto = r->via_trusted_proxy ? req_header(r, "X-Forwarded-Proto") : NULL;
	if (proto && strcasecmp(proto, "https") == 0)
		scheme = "https";
	return arena_printf(r->arena, "%s://%s", scheme, host);
}

static const struct jfield share_fields[] = {
	{ "expires_in_days", JF_INTEGER, 0, 1, 0 },
};

int h_shares_create(struct req *r)
{
	const char *customer_id = req_param(r, "id");
	uint8_t key[SHARE_KEY_BYTES];
	char token[SHARE_TOKEN_LEN + 1];
	struct share_rec sh;
	int64_t days = SHARE_DAYS_DEFAULT;

	/* The body is optional: no body is the default expiry. */
	json_t *body = r->body.len ? jsonin_object(r, share_fields, 1) : json_object();
	if (!body)
		return -1;
	if (jsonin_has(body, "expires_in_days") && !jsonin_is_null(body, "expires_in_days"))
		days = jsonin_int(body, "expires_in_days", -1);
	json_decref(body);
	if (days < SHARE_DAYS_MIN || days > SHARE_DAYS_MAX)
		return req_fail_field(r, 422, "validation_failed", "expires_in_days",
			"must be between 1 and 90 days");
	if (!uuid_valid(customer_id))
		return req_fail(r, 404, "not_found", "customer not found");
	const char *base = api_public_base(r);
	if (!base)
		return -1;
	share_key(r, key);
	int rc = share_create(r->tx, key, r->caller.tenant_id, customer_id, (int)days, clock_now_ms(),
		r->arena, &sh, token);
	sodium_memzero(key, sizeof key);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(sh.id));
	json_object_set_new(o, "customer_id", json_string(sh.customer_id));
	json_object_set_new(o, "url", json_string(share_url(r->arena, base, token)));
	json_object_set_new(o, "expires_at", api_time(sh.expires_at));
	json_object_set_new(o, "created_at", api_time(sh.created_at));
	sodium_memzero(token, sizeof token);
	return resp_json(r, 201, o);
}

int h_shares_revoke(struct req *r)
{
	int rc = share_revoke(r->tx, req_param(r, "id"), clock_now_ms(), r->arena);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "share");
	return resp_empty(r, 204);
}

/* ---- reading (anyone with the link) ---- */

struct shared_view {
	struct tenant_rec tenant;
	struct settings_rec settings;
	struct share_rec share;
	struct customer_rec customer;
	struct statement st;
	struct statement_range range;
	int shown;                  /* first shown entry, an index into st's period */
	int64_t brought_forward;    /* balance before it */
};

enum { SHARED_OK = 0, SHARED_GONE = 1, SHARED_FAILED = -1 };

/* Keep the token out of the access log and metrics. */
static void redact_path(struct req *r, const char *prefix)
{
	r->path = arena_printf(r->arena, "%s[token]", prefix);
}

static void end_tx(struct req *r)
{
	store_rollback(r->tx);
	r->tx = NULL;
}

/*
 * Verify token, enter its tenant, find the live share by hash and work out
 * the statement into *v.  SHARED_GONE for every reason the link does not
 * work; SHARED_FAILED with a problem recorded when the store fails.  The
 * read transaction is over when this returns.
 */
static int shared_open(struct req *r, const char *token, struct shared_view *v)
{
	struct share_token_ids ids;
	uint8_t key[SHARE_KEY_BYTES];
	char hash[TOKEN_HASH_LEN + 1];
	struct statement_range *range = &v->range;

	memset(v, 0, sizeof *v);
	share_key(r, key);
	int vrc = share_token_verify(key, token, strlen(token), &ids);
	sodium_memzero(key, sizeof key);
	if (vrc != SHARE_TOKEN_OK)
		return SHARED_GONE;
	struct store_actor actor = { "public", "public", r->request_id, r->client_ip };
	int rc = store_begin_tenant(r->app->store, ids.tenant_id, 0, &actor, &r->tx);
	if (rc != STORE_OK) {
		r->tx = NULL;
		api_store_fail(r, rc, NULL);
		return SHARED_FAILED;
	}
	token_hash(token, hash);
	rc = store_share_by_hash(r->tx, hash, r->arena, &v->share);
	int64_t now = clock_now_ms();
	if (rc == STORE_OK && (strcmp(v->share.id, ids.share_id) != 0 || v->share.revoked_at ||
			       now >= v->share.expires_at))
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK)
		rc = store_tenant_by_id(r->tx, ids.tenant_id, r->arena, &v->tenant);
	if (rc == STORE_OK)
		rc = store_settings_get(r->tx, r->arena, &v->settings);
	if (rc == STORE_OK)
		rc = store_customer_get(r->tx, v->share.customer_id, 0, r->arena, &v->customer);
	if (rc == STORE_NOT_FOUND) {
		end_tx(r);
		return SHARED_GONE;
	}
	if (rc != STORE_OK) {
		end_tx(r);
		api_store_fail(r, rc, NULL);
		return SHARED_FAILED;
	}
	r->settings = &v->settings;
	snprintf(r->caller.tenant_slug, sizeof r->caller.tenant_slug, "%s", v->tenant.slug);
	if (api_statement_range(r, &v->settings, 0, 0, 0, 0, range) < 0 ||
	    api_statement_build(r, &v->settings, &v->customer, range, &v->st) < 0) {
		end_tx(r);
		return SHARED_FAILED;
	}
	end_tx(r);
	v->shown = v->st.count > SHARED_MAX_ENTRIES ? v->st.count - SHARED_MAX_ENTRIES : 0;
	v->brought_forward = v->shown ? v->st.running[v->shown - 1] : v->st.opening_minor;
	return SHARED_OK;
}

/* Money as people read it in the store's currency and locale. */
static const char *money_text(struct req *r, const struct settings_rec *s, int64_t minor)
{
	char t[MONEY_TEXT_MAX];
	if (money_text_format(minor, s->currency, s->locale, t, sizeof t) == 0)
		return arena_strdup(r->arena, t);
	/* A currency the text rules do not know: plain digits and its code. */
	int e = currency_exponent(s->currency);
	char p[MONEY_FORMAT_MAX];
	money_format_plain(minor, e < 0 ? 2 : e, p, sizeof p);
	return arena_printf(r->arena, "%s %s", s->currency, p);
}

/* "12 Mar 2025" for a local day. */
static const char *day_text(struct req *r, int64_t day)
{
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec" };
	int y, m, d;
	civil_ymd_from_days(day, &y, &m, &d);
	return arena_printf(r->arena, "%d %s %d", d, mon[(m - 1) % 12], y);
}

static int64_t local_day(const struct settings_rec *s, int64_t ms)
{
	int64_t day;
	if (civil_local_days(ms, s->timezone, &day) < 0)
		day = ms / 86400000;
	return day;
}

static const char *type_label(const char *type)
{
	if (strcmp(type, "purchase") == 0)
		return "Purchase";
	if (strcmp(type, "payment") == 0)
		return "Payment";
	if (strcmp(type, "adjustment") == 0)
		return "Adjustment";
	if (strcmp(type, "reversal") == 0)
		return "Reversal";
	return type;
}

/* The UPI link for the balance, or NULL when there is none. */
static const char *pay_link(struct req *r, const struct shared_view *v)
{
	char link[UPI_LINK_MAX];
	const char *note = arena_printf(r->arena, "Dues of %s", v->customer.name);
	if (upi_link(v->settings.upi_id, v->tenant.name, v->customer.balance_minor, v->settings.currency,
		     note, link, sizeof link) != 0)
		return NULL;
	return arena_strdup(r->arena, link);
}

static json_t *shared_json(struct req *r, const struct shared_view *v)
{
	const struct settings_rec *s = &v->settings;
	const struct statement *st = &v->st;
	json_t *entries = json_array();
	for (int k = v->shown; k < st->count; k++) {
		const struct entry_rec *e = &st->entries[st->first + k];
		char date[11];
		civil_format_date(local_day(s, e->occurred_at), date);
		json_t *o = json_object();
		json_object_set_new(o, "date", json_string(date));
		json_object_set_new(o, "occurred_at", api_time(e->occurred_at));
		json_object_set_new(o, "type", json_string(e->type));
		json_object_set_new(o, "description", json_string(api_entry_description(r, e, "en")));
		json_object_set_new(o, "amount_minor", json_integer(e->amount_minor));
		json_object_set_new(o, "change_minor", json_integer(e->effect_minor));
		json_object_set_new(o, "running_balance_minor", json_integer(st->running[k]));
		json_object_set_new(o, "payment_method", api_str_or_null(e->payment_method));
		json_object_set_new(o, "reversed", json_boolean(e->reversed_by_id != NULL));
		json_array_append_new(entries, o);
	}
	const char *link = pay_link(r, v);
	char from[11];
	if (v->shown)
		civil_format_date(local_day(s, st->entries[st->first + v->shown].occurred_at), from);
	else
		memcpy(from, st->from, sizeof from);
	json_t *o = json_object();
	json_object_set_new(o, "store", json_pack("{s:s}", "name", v->tenant.name));
	json_object_set_new(o, "customer", json_pack("{s:s, s:o}", "name", v->customer.name,
		"apartment", api_str_or_null(v->customer.apartment)));
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "balance_minor", json_integer(v->customer.balance_minor));
	json_object_set_new(o, "balance_text", json_string(money_text(r, s, v->customer.balance_minor)));
	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "to", json_string(st->to));
	json_object_set_new(o, "opening_balance_minor", json_integer(v->brought_forward));
	json_object_set_new(o, "closing_balance_minor", json_integer(st->closing_minor));
	json_object_set_new(o, "entries", entries);
	json_object_set_new(o, "entries_left_out", json_integer(v->shown));
	json_object_set_new(o, "upi_link", api_str_or_null(link));
	json_object_set_new(o, "expires_at", api_time(v->share.expires_at));
	return o;
}

static void shared_page(struct req *r, const struct shared_view *v, const char *pdf_href, struct buf *out)
{
	const struct settings_rec *s = &v->settings;
	const struct statement *st = &v->st;
	struct share_page p = { 0 };
	int n = st->count - v->shown;
	struct share_page_entry *rows = arena_alloc(r->arena, sizeof *rows * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		int k = st->count - 1 - i; /* newest first */
		const struct entry_rec *e = &st->entries[st->first + k];
		const char *what = api_entry_description(r, e, "en");
		const char *amount = money_text(r, s, e->effect_minor);
		/* What it was in bold, the kind of entry with the date below. */
		const char *day = day_text(r, local_day(s, e->occurred_at));
		int how_paid = strcmp(e->type, "payment") == 0 && !(e->note && e->note[0]);
		if (how_paid || !what[0]) {
			rows[i].what = what[0] ? arena_printf(r->arena, "%s · %s", type_label(e->type), what)
					       : type_label(e->type);
			rows[i].date = day;
		} else {
			rows[i].what = what;
			rows[i].date = arena_printf(r->arena, "%s · %s", type_label(e->type), day);
		}
		rows[i].credit = e->effect_minor < 0;
		rows[i].amount = arena_printf(r->arena, "%s %s", rows[i].credit ? "−" : "+",
			amount[0] == '-' ? amount + 1 : amount);
		rows[i].balance = money_text(r, s, st->running[k]);
		rows[i].reversed = e->reversed_by_id != NULL;
	}
	int64_t bal = v->customer.balance_minor;
	const char *bal_text = money_text(r, s, bal);
	p.store_name = v->tenant.name;
	p.customer_name = v->customer.name;
	p.apartment = v->customer.apartment;
	p.balance = bal < 0 && bal_text[0] == '-' ? bal_text + 1 : bal_text;
	p.owes = bal > 0;
	p.in_credit = bal < 0;
	p.upi_link = pay_link(r, v);
	p.pay_label = arena_printf(r->arena, "Pay %s with UPI", bal_text);
	if (p.upi_link) {
		struct buf svg = BUF_INIT;
		if (qr_svg(p.upi_link, 200, "UPI QR code to pay", &svg) == 0)
			p.qr_svg = arena_strdup(r->arena, buf_cstr(&svg));
		buf_release(&svg);
	}
	p.pdf_href = pdf_href;
	int64_t to_day;
	if (civil_parse_date(st->to, &to_day) < 0)
		to_day = local_day(s, clock_now_ms());
	p.as_of = day_text(r, to_day);
	p.expires = day_text(r, local_day(s, v->share.expires_at));
	p.earlier = v->shown ? money_text(r, s, v->brought_forward) : NULL;
	p.entries = rows;
	p.nentries = n;
	share_page_render(&p, out);
}

/* Drop a recorded problem: the page answers in HTML, not problem JSON. */
static int problem_status_taken(struct req *r)
{
	int status = r->problem.status ? r->problem.status : 500;
	if (r->problem.errors)
		json_decref(r->problem.errors);
	if (r->problem.extra)
		json_decref(r->problem.extra);
	memset(&r->problem, 0, sizeof r->problem);
	return status;
}

static void page_headers(struct req *r)
{
	resp_header(r, "Content-Security-Policy", share_page_csp());
	resp_header(r, "X-Robots-Tag", "noindex, nofollow");
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "Referrer-Policy", "no-referrer");
	resp_header(r, "X-Frame-Options", "DENY");
}

/* The statement of a shared link as a PDF (/s/<token>.pdf), in ?lang or
 * the store's language. */
static void shared_pdf(struct req *r, const struct shared_view *v)
{
	const char *lang = req_query(r, "lang");
	if (!lang || statement_pdf_lang_valid(lang) != 0)
		lang = api_statement_lang(&v->settings);
	if (api_statement_pdf(r, &v->settings, v->tenant.name, &v->customer, &v->st, &v->range, lang,
			&r->resp.body) < 0) {
		r->resp.status = problem_status_taken(r);
		share_page_unavailable(&r->resp.body);
		return;
	}
	r->resp.status = 200;
	r->resp.content_type = "application/pdf";
	resp_header(r, "Content-Disposition", arena_printf(r->arena,
		"inline; filename=\"statement-%s.pdf\"", v->st.to));
}

/* A .pdf link answered with one of the pages: the pages' policy. */
static void html_instead_of_pdf(struct req *r)
{
	resp_header(r, "Content-Security-Policy", share_page_csp());
	resp_header(r, "X-Frame-Options", "DENY");
}

int h_shared_page(struct req *r)
{
	struct shared_view v;
	char token[SHARE_TOKEN_LEN + 2];
	const char *tail = r->path + 3;
	size_t tl = strlen(tail);
	/* /s/<token>.pdf is the same statement as a PDF. */
	int pdf = tl > 4 && strcmp(tail + tl - 4, ".pdf") == 0;
	if (pdf)
		tl -= 4;

	snprintf(token, sizeof token, "%.*s", (int)(tl < sizeof token - 1 ? tl : sizeof token - 1), tail);
	int whole = tl <= SHARE_TOKEN_LEN;
	if (pdf)
		r->path = "/s/[token].pdf";
	else
		redact_path(r, "/s/");
	if (pdf) {
		/* Not the page's policy: a browser shows a PDF with a plugin,
		 * which default-src 'none' refuses. */
		resp_header(r, "X-Robots-Tag", "noindex, nofollow");
		resp_header(r, "Cache-Control", "no-store");
		resp_header(r, "Referrer-Policy", "no-referrer");
		resp_header(r, "X-Content-Type-Options", "nosniff");
	} else {
		page_headers(r);
	}
	r->resp.content_type = "text/html; charset=utf-8";
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		resp_header(r, "Allow", "GET, HEAD");
		r->resp.status = 405;
		share_page_not_found(&r->resp.body);
		if (pdf)
			html_instead_of_pdf(r);
		return 0;
	}
	int rc = whole ? shared_open(r, token, &v) : SHARED_GONE;
	/* The page links its PDF relative to itself: /s/<token> -> <token>.pdf. */
	const char *pdf_href = rc == SHARED_OK && !pdf ? arena_printf(r->arena, "%s.pdf", token) : NULL;
	sodium_memzero(token, sizeof token);
	if (rc == SHARED_OK && pdf) {
		shared_pdf(r, &v);
	} else if (rc == SHARED_OK) {
		r->resp.status = 200;
		shared_page(r, &v, pdf_href, &r->resp.body);
	} else if (rc == SHARED_GONE) {
		r->resp.status = 404;
		share_page_not_found(&r->resp.body);
	} else {
		r->resp.status = problem_status_taken(r);
		if (r->resp.status == 503)
			resp_header(r, "Retry-After", "5");
		share_page_unavailable(&r->resp.body);
	}
	if (pdf && strcmp(r->resp.content_type, "application/pdf") != 0)
		html_instead_of_pdf(r);
	return 0;
}

int h_shared_json(struct req *r)
{
	struct shared_view v;
	const char *token = arena_strdup(r->arena, req_param(r, "token"));
	redact_path(r, "/api/v1/shared/");
	resp_header(r, "X-Robots-Tag", "noindex, nofollow");
	resp_header(r, "Referrer-Policy", "no-referrer");
	int rc = shared_open(r, token, &v);
	if (rc == SHARED_FAILED)
		return -1;
	if (rc == SHARED_GONE)
		return req_fail(r, 404, "not_found", "shared statement not found (the link may have expired or been withdrawn)");
	return resp_json(r, 200, shared_json(r, &v));
}
