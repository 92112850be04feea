/*
 * store_events.c — the tenant event stream, its tickets and the LISTEN
 * connection (see store_events.h).
 *
 * seq: tenant_event_heads holds each tenant's last seq.  Appending bumps
 * it with an upsert, which keeps the row locked (PostgreSQL) or runs
 * under the write lock (SQLite) until the transaction ends, so the next
 * writer of the tenant reads the bumped value only after this one has
 * committed or rolled back: seqs are given in commit order, without
 * gaps, and a reader that sees seq n sees every seq before it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_events.h"
#include "store/store_internal.h"
#include "store/store_tenants.h"
#include "util/clock.h"

int store_event_append(struct store_tx *tx, const char *type, const char *entity_id,
	const char *data_json)
{
	/* One round trip on PostgreSQL: bump the head, insert the row and
	 * queue the notification (sent by the server only at commit). */
	static const char append_pg[] =
		"WITH head AS (INSERT INTO tenant_event_heads AS h (tenant_id, seq, pruned_seq) VALUES ($1, 1, 0)"
		"  ON CONFLICT (tenant_id) DO UPDATE SET seq = h.seq + 1 RETURNING h.tenant_id, h.seq),"
		" e AS (INSERT INTO tenant_events (tenant_id, seq, type, entity_id, data, created_at)"
		"  SELECT head.tenant_id, head.seq, $2, $3, $4, $5 FROM head RETURNING tenant_id, seq)"
		" SELECT e.seq, pg_notify('" STORE_EVENTS_CHANNEL "', e.tenant_id::text || ':' || e.seq::text) FROM e";
	static const char head_sqlite[] =
		"INSERT INTO tenant_event_heads (tenant_id, seq, pruned_seq) VALUES ($1, 1, 0)"
		" ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1 RETURNING seq";
	static const char insert_sqlite[] =
		"INSERT INTO tenant_events (tenant_id, seq, type, entity_id, data, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6)";
	struct db_res *r = NULL;
	int64_t now = clock_now_ms();
	int rc;

	if (!tx->tenant_id[0] || !tx->write)
		return STORE_ERROR;
	if (store_is_pg(tx)) {
		struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(type), DB_TEXT(entity_id),
			DB_TEXT(data_json), DB_INT(now) };
		/* Its seq is only wanted after the commit (store_commit):
		 * it comes back with the COMMIT's round trip. */
		return store_exec_later(tx, append_pg, p, 5, &tx->event_seq);
	}
	struct db_param p1[] = { DB_TEXT(tx->tenant_id) };
	rc = store_one_row(store_exec(tx, head_sqlite, p1, 1, &r), &r);
	int64_t seq = rc == STORE_OK ? db_res_int(r, 0, 0) : 0;
	db_res_free(r);
	if (rc != STORE_OK)
		return rc == STORE_NOT_FOUND ? STORE_ERROR : rc;
	struct db_param p2[] = { DB_TEXT(tx->tenant_id), DB_INT(seq), DB_TEXT(type),
		DB_TEXT(entity_id), DB_TEXT(data_json), DB_INT(now) };
	rc = store_exec(tx, insert_sqlite, p2, 6, NULL);
	if (rc == STORE_OK)
		tx->event_seq = seq;
	return rc;
}

int store_event_head(struct store_tx *tx, struct event_head *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int rc = store_exec(tx, "SELECT seq, pruned_seq FROM tenant_event_heads WHERE tenant_id = $1",
		p, 1, &r);
	if (rc == STORE_OK) {
		out->seq = db_res_rows(r) ? db_res_int(r, 0, 0) : 0;
		out->pruned_seq = db_res_rows(r) ? db_res_int(r, 0, 1) : 0;
	}
	db_res_free(r);
	return rc;
}

int store_event_list(struct store_tx *tx, int64_t after_seq, int limit, struct arena *a,
	struct event_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(after_seq), DB_INT(limit) };
	int rc = store_exec(tx,
		"SELECT seq, type, entity_id, data, created_at FROM tenant_events"
		" WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct event_rec *e = &(*out)[i];
		e->seq = db_res_int(r, i, 0);
		e->type = store_dup(a, r, i, 1);
		e->entity_id = store_dup(a, r, i, 2);
		e->data = store_dup(a, r, i, 3);
		e->created_at = db_res_int(r, i, 4);
	}
	db_res_free(r);
	return STORE_OK;
}

/* Parse decimal text as int64: 1, or 0 when it is not one (past int64). */
static int text_int64(const char *text, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = text ? strtoll(text, &end, 10) : 0;
	if (!text || errno != 0 || end == text || *end != '\0')
		return 0;
	*out = v;
	return 1;
}

/* The figures summed over the store's customers. */
static int sum_outstanding(struct store_tx *tx, int64_t *outstanding, int *known,
	int64_t *customers_owing)
{
	/* PostgreSQL sums bigints as numeric, which never fails (a failed
	 * statement would end the writer's transaction): the text is checked
	 * here.  SQLite reports an integer overflow as an error of the
	 * statement alone; the count is then read by itself. */
	static const char sum_sql[] =
		"SELECT COALESCE(SUM(balance_minor), 0), COUNT(*) FROM customers"
		" WHERE tenant_id = $1 AND balance_minor > 0";
	static const char count_sql[] =
		"SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND balance_minor > 0";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };

	*outstanding = 0;
	*known = 0;
	*customers_owing = 0;
	int rc = store_one_row(store_exec(tx, sum_sql, p, 1, &r), &r);
	if (rc == STORE_OK) {
		*known = text_int64(db_res_text(r, 0, 0), outstanding);
		*customers_owing = db_res_int(r, 0, 1);
		db_res_free(r);
		return STORE_OK;
	}
	db_res_free(r);
	r = NULL;
	if (rc != STORE_OVERFLOW)
		return rc;
	rc = store_one_row(store_exec(tx, count_sql, p, 1, &r), &r);
	if (rc == STORE_OK)
		*customers_owing = db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int store_event_outstanding(struct store_tx *tx, int64_t *outstanding, int *known,
	int64_t *customers_owing)
{
	/* tenant_totals (migration 12) is kept by triggers as balances
	 * change.  NUMERIC on PostgreSQL: past int64 is "unknown".  On SQLite
	 * a NULL (a store from before the triggers) or REAL (a sum that went
	 * past int64) is summed again from the customers and stored. */
	/* PostgreSQL applies a transaction's changes at its commit
	 * (migration 19): until then they are summed in a setting, added
	 * here, so a write's summary counts its own change. */
	static const char read_pg[] =
		"SELECT (COALESCE(t.outstanding_minor, 0)"
		" + COALESCE(NULLIF(split_part(p.v, ' ', 1), '')::numeric, 0))::text,"
		" COALESCE(t.customers_owing, 0) + COALESCE(NULLIF(split_part(p.v, ' ', 2), '')::bigint, 0),"
		" t.tenant_id IS NOT NULL OR COALESCE(p.v, '') <> ''"
		" FROM (SELECT current_setting('qt_totals.t' || replace($1::uuid::text, '-', ''), true) AS v) p"
		" LEFT JOIN tenant_totals t ON t.tenant_id = $1::uuid";
	static const char read_sqlite[] =
		"SELECT outstanding_minor, customers_owing, typeof(outstanding_minor) = 'integer'"
		" AND typeof(customers_owing) = 'integer' FROM tenant_totals WHERE tenant_id = $1";
	static const char repair_sqlite[] =
		"UPDATE tenant_totals SET outstanding_minor = $2, customers_owing = $3 WHERE tenant_id = $1";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int pg = store_is_pg(tx);

	*outstanding = 0;
	*known = 1;
	*customers_owing = 0;
	int rc = store_exec(tx, pg ? read_pg : read_sqlite, p, 1, &r);
	if (rc != STORE_OK || db_res_rows(r) == 0 || (pg && !db_res_int(r, 0, 2))) {
		/* No row: nobody in the store ever owed anything. */
		db_res_free(r);
		return rc;
	}
	if (pg) {
		*known = text_int64(db_res_text(r, 0, 0), outstanding);
		*customers_owing = db_res_int(r, 0, 1);
		db_res_free(r);
		return STORE_OK;
	}
	int stored = (int)db_res_int(r, 0, 2);
	if (stored) {
		*outstanding = db_res_int(r, 0, 0);
		*customers_owing = db_res_int(r, 0, 1);
	}
	db_res_free(r);
	if (stored)
		return STORE_OK;
	rc = sum_outstanding(tx, outstanding, known, customers_owing);
	if (rc != STORE_OK || !*known || !tx->write)
		return rc;
	struct db_param q[] = { DB_TEXT(tx->tenant_id), DB_INT(*outstanding), DB_INT(*customers_owing) };
	return store_exec(tx, repair_sqlite, q, 3, NULL);
}

/* One tenant's retention, in its own write transaction. */
static int prune_tenant(struct store *s, const char *tenant_id, int64_t cutoff_ms, int64_t now_ms)
{
	struct store_tx *tx;
	struct db_res *r = NULL;
	int rc = store_begin_tenant(s, tenant_id, 1, NULL, &tx);
	if (rc != STORE_OK)
		return rc;
	/* Rows are appended in time order, so what goes is the prefix
	 * before the first row young enough to keep.  That row is found by
	 * walking the primary key from the oldest row kept, which reads
	 * only the rows that go; a search by created_at would read every
	 * row of the tenant (there is no index on it), at start-up. */
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(cutoff_ms) };
	rc = store_exec(tx, "SELECT seq FROM tenant_events WHERE tenant_id = $1 AND created_at >= $2"
		" ORDER BY seq LIMIT 1", p, 2, &r);
	int64_t last = 0;
	if (rc == STORE_OK && db_res_rows(r) == 1) {
		last = db_res_int(r, 0, 0) - 1;
	} else if (rc == STORE_OK) {
		db_res_free(r);
		r = NULL;
		rc = store_one_row(store_exec(tx,
			"SELECT MAX(seq) FROM tenant_events WHERE tenant_id = $1", p, 1, &r), &r);
		last = rc == STORE_OK && !db_res_isnull(r, 0, 0) ? db_res_int(r, 0, 0) : 0;
	}
	db_res_free(r);
	if (rc == STORE_OK && last > 0) {
		/* The head row first: it is the lock appenders take, so a
		 * reader's pruned_seq and the rows left always agree. */
		struct db_param q[] = { DB_TEXT(tx->tenant_id), DB_INT(last) };
		rc = store_exec(tx, "UPDATE tenant_event_heads SET pruned_seq = $2"
			" WHERE tenant_id = $1 AND pruned_seq < $2", q, 2, NULL);
		if (rc == STORE_OK)
			rc = store_exec(tx, "DELETE FROM tenant_events WHERE tenant_id = $1 AND seq <= $2",
				q, 2, NULL);
	}
	if (rc == STORE_OK) {
		struct db_param q[] = { DB_TEXT(tx->tenant_id), DB_INT(now_ms) };
		rc = store_exec(tx, "DELETE FROM event_tickets WHERE tenant_id = $1 AND expires_at < $2",
			q, 2, NULL);
	}
	if (rc == STORE_OK)
		return store_commit(tx);
	store_rollback(tx);
	return rc;
}

int store_event_prune(struct store *s, int64_t cutoff_ms, int64_t now_ms)
{
	/* Per tenant, so it works under Row Level Security as it is. */
	const char **ids = NULL;
	int nids = 0;
	struct arena *a = arena_new();
	int rc = store_tenant_ids(s, a, &ids, &nids);
	if (rc != STORE_OK) {
		arena_free(a);
		return rc;
	}
	int first = STORE_OK;
	for (int i = 0; i < nids; i++) {
		rc = prune_tenant(s, ids[i], cutoff_ms, now_ms);
		if (rc != STORE_OK && first == STORE_OK)
			first = rc;
	}
	arena_free(a);
	return first;
}

int store_event_heads_all(struct store *s,
	void (*fn)(void *cls, const char *tenant_id, int64_t seq), void *cls)
{
	struct store_tx *tx;
	struct db_res *r = NULL;
	if (store_dialect(s) != DB_SQLITE)
		return STORE_OK;
	int rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc != STORE_OK)
		return rc;
	rc = store_exec(tx, "SELECT tenant_id, seq FROM tenant_event_heads", NULL, 0, &r);
	store_rollback(tx);
	for (int i = 0; rc == STORE_OK && i < db_res_rows(r); i++)
		fn(cls, db_res_text(r, i, 0), db_res_int(r, i, 1));
	db_res_free(r);
	return rc;
}

/* ---- tickets -------------------------------------------------------- */

int store_event_ticket_create(struct store_tx *tx, const char *token_hash,
	const char *user_id, int64_t token_version, int64_t now_ms, int64_t expires_at)
{
	struct db_param p1[] = { DB_TEXT(tx->tenant_id), DB_INT(now_ms) };
	int rc = store_exec(tx, "DELETE FROM event_tickets WHERE tenant_id = $1 AND expires_at < $2",
		p1, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(token_hash), DB_TEXT(user_id),
		DB_INT(token_version), DB_INT(expires_at), DB_INT(now_ms) };
	return store_exec(tx,
		"INSERT INTO event_tickets (tenant_id, token_hash, user_id, token_version, expires_at, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6)", p, 6, NULL);
}

int store_event_ticket_use(struct store_tx *tx, const char *token_hash, int64_t now_ms,
	struct arena *a, enum event_ticket_state *state, char **user_id, int64_t *token_version)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(token_hash), DB_INT(now_ms) };
	/* One conditional update: of two processes presenting the same
	 * ticket at once, the second finds it used (PostgreSQL re-checks
	 * used_at once the first's row lock is released). */
	int rc = store_exec(tx,
		"UPDATE event_tickets SET used_at = $3 WHERE tenant_id = $1 AND token_hash = $2"
		" AND used_at IS NULL AND expires_at > $3 RETURNING user_id, token_version", p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	if (db_res_rows(r) == 1) {
		*state = TICKET_VALID;
		*user_id = store_dup(a, r, 0, 0);
		*token_version = db_res_int(r, 0, 1);
		db_res_free(r);
		return STORE_OK;
	}
	db_res_free(r);
	r = NULL;
	struct db_param q[] = { DB_TEXT(tx->tenant_id), DB_TEXT(token_hash) };
	rc = store_exec(tx, "SELECT used_at FROM event_tickets WHERE tenant_id = $1 AND token_hash = $2",
		q, 2, &r);
	if (rc == STORE_OK)
		*state = db_res_rows(r) == 0 ? TICKET_UNKNOWN
			: !db_res_isnull(r, 0, 0) ? TICKET_USED : TICKET_EXPIRED;
	db_res_free(r);
	return rc;
}

/* ---- LISTEN ----------------------------------------------------------- */

enum store_events_reach store_events_reach(struct store *s)
{
	return store_dialect(s) == DB_POSTGRES ? STORE_EVENTS_NOTIFY : STORE_EVENTS_POLL;
}

struct store_event_listener {
	struct store *store;
	struct db_listener *l;
	void (*fn)(void *cls, const char *tenant_id, int64_t seq);
	void *cls;
};

int store_event_listen(struct store *s, const char *url,
	struct store_event_listener **out, char *err, size_t errlen)
{
	struct db_listener *l;
	int rc = db_listen(store_db(s), url, STORE_EVENTS_CHANNEL, &l, err, errlen);
	if (rc != DB_OK)
		return store_map(rc);
	*out = calloc(1, sizeof **out);
	if (!*out)
		abort();
	(*out)->store = s;
	(*out)->l = l;
	/* The same channel carries the member feed's news: from now on it
	 * arrives (store_member_feed.h). */
	store_member_listening(s, 1);
	return STORE_OK;
}

/* "<uuid>:<seq>" from our own NOTIFY, or the member feed's "m:<uuid>" and
 * "m:*" (the triggers of migration 11); anything else is ignored. */
static void on_payload(void *cls, const char *payload)
{
	struct store_event_listener *sl = cls;
	if (payload[0] == 'm' && payload[1] == ':') {
		if (strcmp(payload + 2, "*") == 0)
			store_member_heard(sl->store, NULL);
		else if (strlen(payload + 2) == 36)
			store_member_heard(sl->store, payload + 2);
		return;
	}
	const char *colon = strchr(payload, ':');
	if (!colon || colon - payload != 36)
		return;
	char tenant[37];
	memcpy(tenant, payload, 36);
	tenant[36] = '\0';
	char *end;
	errno = 0;
	long long seq = strtoll(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || seq <= 0)
		return;
	sl->fn(sl->cls, tenant, seq);
}

int store_event_listen_wait(struct store_event_listener *l, int timeout_ms,
	void (*fn)(void *cls, const char *tenant_id, int64_t seq), void *cls)
{
	l->fn = fn;
	l->cls = cls;
	int rc = store_map(db_listen_wait(l->l, timeout_ms, on_payload, l));
	if (rc != STORE_OK)
		store_member_listening(l->store, 0);
	return rc;
}

void store_event_listen_close(struct store_event_listener *l)
{
	if (!l)
		return;
	store_member_listening(l->store, 0);
	db_listen_close(l->l);
	free(l);
}
