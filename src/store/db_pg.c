/*
 * db_pg.c — the PostgreSQL backend: a pool of libpq connections opened
 * lazily, each with its own prepared-statement cache; text-format
 * parameters and results (bytes excepted: bytea parameters go in binary,
 * bytea results are decoded); errors mapped from SQLSTATE.
 *
 * Round trips are what a request costs here, so every db_exec is one libpq
 * pipeline closed by one Sync: one round trip, also for a statement new on
 * the connection (its Prepare travels in the same pipeline).  db_begin
 * sends nothing; it records the transaction, and the first statement
 * carries BEGIN and set_config('app.tenant_id') in its pipeline.  The
 * COMMIT of a read transaction (write=0) is sent without waiting for its
 * answer, which whoever uses the connection next reads first (settle).  A
 * request reading its membership, one row and its lots is three round
 * trips, not five.
 *
 * A connection that shows it is broken (socket gone, SQLSTATE class 08,
 * admin shutdown) is marked and dropped when it goes back to the pool, so
 * the next acquire reconnects: the process survives a database restart.
 * Only the start of a transaction is retried on a fresh connection: when
 * the BEGIN sent with the first statement got no success back, nothing of
 * the transaction took effect (whatever the server ran after it was inside
 * a transaction that can no longer commit).
 *
 * URL: any libpq URL, plus our own query parameter statement_cache=off for
 * poolers that cannot keep named prepared statements across transactions
 * (PgBouncer in transaction mode before 1.21, or without
 * max_prepared_statements): statements are then parsed on every call, still
 * with separate parameters.  connect_timeout defaults to 3 seconds.
 */
#include <assert.h>
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_backend.h"
#include "util/lsn.h"

#define STMT_CACHE 256     /* power of two */
#define MAX_PARAMS 64
#define MAX_COLS 64
#define CONNECT_TIMEOUT "3" /* seconds; the URL may override it */

/* Type OIDs from pg_type.h (server headers are not needed for three). */
#define BOOLOID 16
#define INT8OID 20
#define INT2OID 21
#define INT4OID 23
#define TEXTOID 25
#define BYTEAOID 17

struct pg_stmt {
	const char *sql;   /* cache key: the address of the SQL text */
	int nrefs;         /* highest $n the text refers to */
	char name[16];     /* "s<n>" */
};

#define MAX_LATER_SLOTS 16

struct pg_conn {
	struct db_conn base;
	PGconn *h;
	int in_use;
	int broken;        /* drop on release, reconnect on next acquire */
	int64_t changes;
	unsigned next_stmt;
	unsigned next_cursor;  /* cursor names qt_cursor_<n>, unique per connection */
	/* The transaction db_begin recorded, not yet sent: the next statement
	 * opens it. */
	int begin_pending;
	int begin_write;
	char begin_tenant[64];
	/* The open transaction may skip waiting for its COMMIT only when it
	 * was begun with write=0 (tx_write 0) and ran nothing but SELECTs. */
	int tx_write;
	int tx_changed;
	int commit_pending;  /* a read transaction's COMMIT awaits settle() */
	/* pg_current_wal_insert_lsn() read in the round trip of the last
	 * COMMIT that waited (db_commit_lsn); 0: none. */
	uint64_t commit_lsn;
	/* Statements of db_exec_later sent in the open pipeline, their
	 * results not read yet: the next statement or COMMIT reads them
	 * before its own (flush_later for anything else). */
	int later;
	int64_t *later_int[MAX_LATER_SLOTS];  /* where a later statement's first value goes */
	char err[512];
	struct pg_stmt cache[STMT_CACHE];
};

struct pg_db {
	struct db base;
	char *url;         /* as given, minus statement_cache= */
	int statement_cache;  /* 0: unnamed statements only (PgBouncer < 1.21) */
	int size;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct pg_conn *conns;   /* size entries; h == NULL until first use */
};

static const char set_tenant_sql[] = "SELECT set_config('app.tenant_id', $1, true)";

/* A read transaction sees one snapshot: a balance and the entries it is
 * checked against (aging, statements, `quantumtrack verify` on a live
 * server) come from the same moment.  Under READ COMMITTED each statement
 * would see the commits made between them.  Readers never fail with
 * serialization errors at this level; writers keep READ COMMITTED and
 * serialize on row locks (SELECT ... FOR UPDATE). */
static const char begin_read_sql[] = "BEGIN ISOLATION LEVEL REPEATABLE READ";
static const char begin_write_sql[] = "BEGIN";

/* Copy msg into the connection's error buffer, without libpq's trailing
 * newline. */
static void set_err(struct pg_conn *c, const char *what, const char *msg)
{
	snprintf(c->err, sizeof c->err, "%s: %s", what, msg && *msg ? msg : "unknown error");
	size_t n = strlen(c->err);
	while (n > 0 && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
		c->err[--n] = '\0';
}

static int conn_is_bad(const struct pg_conn *c)
{
	return !c->h || PQstatus(c->h) != CONNECTION_OK;
}

/* Map a failed result (r may be NULL) to a DB_* code, recording the message
 * and whether the connection can be used again. */
static int map_error(struct pg_conn *c, const PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : NULL;
	if (!msg || !*msg)
		msg = c->h ? PQerrorMessage(c->h) : "no connection";
	set_err(c, what, msg);

	if (conn_is_bad(c)) {
		c->broken = 1;
		return DB_UNAVAILABLE;
	}
	if (!state)
		return DB_ERROR;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(state, "22003") == 0) /* numeric_value_out_of_range */
		return DB_OVERFLOW;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		return DB_BUSY;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
		c->broken = 1;
		return DB_UNAVAILABLE;
	}
	return DB_ERROR;
}

/* The connection cannot be used (it failed now, or an earlier failure
 * marked it): say so in the caller's words. */
static int conn_lost(struct pg_conn *c, const char *what)
{
	const char *msg = c->h ? PQerrorMessage(c->h) : NULL;
	set_err(c, what, msg && *msg ? msg : "the connection to the database was lost");
	c->broken = 1;
	return DB_UNAVAILABLE;
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Close the connection.  A transaction db_begin recorded but has not sent
 * stays recorded: the caller may reconnect and send it. */
static void pg_disconnect(struct pg_conn *c)
{
	if (c->h)
		PQfinish(c->h);
	c->h = NULL;
	c->broken = 0;
	c->commit_pending = 0;
	c->tx_write = 1;
	c->tx_changed = 0;
	c->next_stmt = 0;
	memset(c->cache, 0, sizeof c->cache);
}

static int pg_connect(struct pg_db *db, struct pg_conn *c)
{
	/* Keywords are applied in order and the expanded URL comes last, so a
	 * connect_timeout in the URL wins over ours. */
	static const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { CONNECT_TIMEOUT, "quantumtrack", db->url, NULL };

	pg_disconnect(c);
	c->h = PQconnectdbParams(keys, vals, 1);
	if (!c->h) {
		set_err(c, "connect", "out of memory");
		return DB_UNAVAILABLE;
	}
	if (PQstatus(c->h) != CONNECTION_OK) {
		set_err(c, "connect", PQerrorMessage(c->h));
		PQfinish(c->h);
		c->h = NULL;
		return DB_UNAVAILABLE;
	}
	/* NOTICEs ("relation already exists, skipping") must not reach
	 * stderr, where the server writes its JSON log. */
	PQsetNoticeProcessor(c->h, ignore_notice, NULL);
	return DB_OK;
}

/* Read the results of a pipeline's n queries and of the Sync that closes
 * it, then leave pipeline mode.  out[i] receives query i's result (the
 * caller clears it), or NULL when the connection failed before it came.
 * Returns 0, or -1 with the connection marked broken. */
static int pipeline_read(struct pg_conn *c, int n, PGresult **out)
{
	int query = 0;
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	for (;;) {
		PGresult *r = PQgetResult(c->h);
		if (!r) {
			/* The end of one query's results; or, once the
			 * connection has failed, of everything. */
			if (conn_is_bad(c) || ++query > n)
				goto broken;
			continue;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (query < n && !out[query])
			out[query] = r;
		else
			PQclear(r);
	}
	if (!PQexitPipelineMode(c->h))
		goto broken;
	return 0;
broken:
	c->broken = 1;
	return -1;
}

#define MAX_LATER MAX_LATER_SLOTS

static int result_error(struct pg_conn *c, const PGresult *r, const char *what);

/* The first failure among n results of statements sent by db_exec_later
 * (a DB_* code), clearing them.  A statement after a failed one in the
 * pipeline is skipped (PGRES_PIPELINE_ABORTED) and reports nothing. */
static int later_outcome(struct pg_conn *c, PGresult **out, int n)
{
	int rc = DB_OK;
	for (int i = 0; i < n; i++) {
		ExecStatusType st = out[i] ? PQresultStatus(out[i]) : PGRES_FATAL_ERROR;
		if (rc == DB_OK && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
		    st != PGRES_PIPELINE_ABORTED)
			rc = result_error(c, out[i], "exec");
		if (rc == DB_OK && st == PGRES_TUPLES_OK && c->later_int[i] && PQntuples(out[i]) > 0 &&
		    PQnfields(out[i]) > 0 && !PQgetisnull(out[i], 0, 0))
			*c->later_int[i] = strtoll(PQgetvalue(out[i], 0, 0), NULL, 10);
		c->later_int[i] = NULL;
		PQclear(out[i]);
		out[i] = NULL;
	}
	return rc;
}

/* Read what db_exec_later sent, with a Sync of its own: for the calls
 * that cannot carry those results in their own round trip (scripts,
 * cursors, rollback). */
static int flush_later(struct pg_conn *c)
{
	PGresult *out[MAX_LATER];
	int n = c->later;
	if (!n)
		return DB_OK;
	c->later = 0;
	if (!PQpipelineSync(c->h)) {
		c->broken = 1;
		return conn_lost(c, "exec");
	}
	int failed = pipeline_read(c, n, out);
	int rc = later_outcome(c, out, n);
	if (rc == DB_OK && failed)
		rc = conn_lost(c, "exec");
	return rc;
}

/* Read the answer to a read transaction's COMMIT, which pg_commit sent
 * without waiting.  The transaction changed nothing, so nothing is lost
 * when that COMMIT failed: the failure only shows the connection cannot be
 * trusted, and it is closed here, outside any transaction, for the next
 * statement or acquire to replace (ensure_conn). */
static void settle(struct pg_conn *c)
{
	PGresult *r;
	if (!c->commit_pending)
		return;
	c->commit_pending = 0;
	int failed = pipeline_read(c, 1, &r);
	if (!failed && r && PQresultStatus(r) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(r), "COMMIT") == 0) {
		PQclear(r);
		return;
	}
	if (r && PQresultStatus(r) == PGRES_COMMAND_OK)
		set_err(c, "commit", "the transaction had failed and was rolled back");
	else
		set_err(c, "commit", r ? PQresultErrorMessage(r) : c->h ? PQerrorMessage(c->h) : NULL);
	PQclear(r);
	pg_disconnect(c);
}

/* Make sure the connection can take the next statement.  A connection may
 * be replaced when nothing can be lost: when it is closed (it is closed
 * only outside any transaction) or when the transaction db_begin recorded
 * has not been sent yet.  One that failed inside a transaction may not. */
static int ensure_conn(struct pg_conn *c, const char *what)
{
	if (!c->broken && !conn_is_bad(c))
		return DB_OK;
	if (c->h && !c->begin_pending)
		return conn_lost(c, what);
	return pg_connect((struct pg_db *)c->base.db, c);
}

static void pg_close(struct db *base)
{
	struct pg_db *db = (struct pg_db *)base;
	for (int i = 0; i < db->size; i++)
		pg_disconnect(&db->conns[i]);
	free(db->conns);
	free(db->url);
	pthread_mutex_destroy(&db->lock);
	pthread_cond_destroy(&db->freed);
	free(db);
}

static void put_back(struct pg_db *db, struct pg_conn *c)
{
	pthread_mutex_lock(&db->lock);
	c->in_use = 0;
	pthread_cond_signal(&db->freed);
	pthread_mutex_unlock(&db->lock);
}

static int pg_acquire(struct db *base, struct db_conn **out)
{
	struct pg_db *db = (struct pg_db *)base;
	struct pg_conn *c = NULL;

	pthread_mutex_lock(&db->lock);
	for (;;) {
		/* Prefer a connection that is already open. */
		for (int i = 0; i < db->size; i++) {
			if (!db->conns[i].in_use && db->conns[i].h) {
				c = &db->conns[i];
				break;
			}
		}
		for (int i = 0; !c && i < db->size; i++) {
			if (!db->conns[i].in_use)
				c = &db->conns[i];
		}
		if (c)
			break;
		pthread_cond_wait(&db->freed, &db->lock);
	}
	c->in_use = 1;
	pthread_mutex_unlock(&db->lock);

	/* Read the last user's COMMIT (by now it has usually arrived), and
	 * connect, outside the lock: a slow or unreachable server must not
	 * hold up threads that could use another open connection. */
	settle(c);
	if (c->broken || conn_is_bad(c)) {
		int rc = pg_connect(db, c);
		if (rc != DB_OK) {
			put_back(db, c);
			return rc;
		}
	}
	c->changes = 0;
	*out = &c->base;
	return DB_OK;
}

static void pg_release(struct db *base, struct db_conn *cb)
{
	struct pg_db *db = (struct pg_db *)base;
	struct pg_conn *c = (struct pg_conn *)cb;

	c->begin_pending = 0;
	if (c->later && flush_later(c) == DB_UNAVAILABLE)
		c->broken = 1;
	if (c->h && !c->broken && PQstatus(c->h) == CONNECTION_OK && c->commit_pending) {
		/* A read transaction's COMMIT is in flight: the connection goes
		 * back as it is, and the next acquire reads the answer. */
	} else if (c->h && !c->broken && PQstatus(c->h) == CONNECTION_OK &&
	    PQpipelineStatus(c->h) == PQ_PIPELINE_OFF) {
		PGTransactionStatusType ts = PQtransactionStatus(c->h);
		if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
			PGresult *r = PQexec(c->h, "ROLLBACK");
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				c->broken = 1;
			PQclear(r);
		} else if (ts != PQTRANS_IDLE) {
			c->broken = 1;
		}
	} else if (c->h) {
		c->broken = 1;
	}
	if (c->broken)
		pg_disconnect(c);
	put_back(db, c);
}

/* Which of $1..$MAX_PARAMS the SQL text refers to, outside literals, quoted
 * names and comments; returns the highest.  Parameters the text never
 * mentions must not be declared with an unknown type: PostgreSQL refuses to
 * prepare that. */
static int scan_params(const char *s, unsigned char used[MAX_PARAMS])
{
	int max = 0;
	memset(used, 0, MAX_PARAMS);
	while (*s) {
		if (*s == '\'' || *s == '"') {
			char q = *s++;
			while (*s && *s != q)
				s++;
			if (*s)
				s++;
		} else if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");
			s = end ? end + 2 : s + strlen(s);
		} else if (s[0] == '$' && s[1] >= '0' && s[1] <= '9') {
			int n = 0;
			for (s++; *s >= '0' && *s <= '9'; s++)
				n = n < 100000 ? n * 10 + (*s - '0') : n;
			if (n > max)
				max = n;
			if (n >= 1 && n <= MAX_PARAMS)
				used[n - 1] = 1;
		} else {
			s++;
		}
	}
	return max;
}

/* Parameter types for sql: DBP_INT is int8; anything else is left for the
 * server to infer from context, except a gap ($1 and $3 used, $2 not),
 * which is declared text.  Returns the number of parameters or -1. */
static int param_types(struct pg_conn *c, const char *sql, const struct db_param *params,
	int nparams, Oid types[MAX_PARAMS])
{
	unsigned char used[MAX_PARAMS];
	int nrefs = scan_params(sql, used);
	if (nrefs > MAX_PARAMS) {
		snprintf(c->err, sizeof c->err, "prepare: $%d (at most %d parameters)", nrefs, MAX_PARAMS);
		return -1;
	}
	for (int i = 0; i < nrefs; i++) {
		if (!used[i])
			types[i] = TEXTOID;
		else
			types[i] = i >= nparams ? 0 : params[i].kind == DBP_INT ? INT8OID :
				params[i].kind == DBP_BLOB ? BYTEAOID : 0;
	}
	return nrefs;
}

/* The cache entry for sql on this connection, or NULL with *free_slot set
 * to where it goes once prepared (NULL too when the cache is full). */
static const struct pg_stmt *cache_find(struct pg_conn *c, const char *sql,
	struct pg_stmt **free_slot)
{
	size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ull;
	size_t slot = (h >> 20) & (STMT_CACHE - 1);

	*free_slot = NULL;
	for (int probe = 0; probe < STMT_CACHE; probe++) {
		size_t i = (slot + (size_t)probe) & (STMT_CACHE - 1);
		if (c->cache[i].sql == sql)
			return &c->cache[i];
		if (!c->cache[i].sql) {
			*free_slot = &c->cache[i];
			return NULL;
		}
	}
	return NULL;
}

/* Convert params to values: text, except bytes, which go in binary
 * (lengths and formats then set; *binary tells whether any did); buf
 * holds the decimal integers. */
static void param_values(const struct db_param *params, int n, const char **vals,
	char (*buf)[24], int *lengths, int *formats, int *binary)
{
	*binary = 0;
	for (int i = 0; i < n; i++) {
		lengths[i] = 0;
		formats[i] = 0;
		if (params[i].kind == DBP_BLOB) {
			vals[i] = params[i].text ? params[i].text : "";
			lengths[i] = (int)params[i].i;
			formats[i] = 1;
			*binary = 1;
		} else if (params[i].kind == DBP_TEXT) {
			vals[i] = params[i].text;
		} else if (params[i].kind == DBP_INT) {
			snprintf(buf[i], sizeof buf[i], "%lld", (long long)params[i].i);
			vals[i] = buf[i];
		} else {
			vals[i] = NULL;
		}
	}
}

/* An integer column's text (PostgreSQL writes an optional '-' and
 * digits, within int64 by its type) as its value; 0 when it is not that
 * (then it stays text, read as strtoll would). */
static int pg_int(const char *t, int64_t *out)
{
	int neg = *t == '-';
	const char *p = t + neg;
	uint64_t v = 0;
	if (!*p)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
		return 0;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

static struct db_res *materialize(const PGresult *r)
{
	int cols = PQnfields(r);
	assert(cols <= MAX_COLS && "no statement selects more than MAX_COLS columns");
	if (cols > MAX_COLS)
		cols = MAX_COLS;
	struct db_res *res = db_res_new(cols);
	const char *vals[MAX_COLS];
	size_t lens[MAX_COLS];
	int64_t ints[MAX_COLS];
	int is_bool[MAX_COLS], is_bytea[MAX_COLS], is_int[MAX_COLS];
	unsigned char *bytes[MAX_COLS];
	for (int j = 0; j < cols; j++) {
		is_bool[j] = PQftype(r, j) == BOOLOID;
		is_bytea[j] = PQftype(r, j) == BYTEAOID;
		is_int[j] = PQftype(r, j) == INT8OID || PQftype(r, j) == INT4OID || PQftype(r, j) == INT2OID;
		bytes[j] = NULL;
	}
	int rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		for (int j = 0; j < cols; j++) {
			if (PQgetisnull(r, i, j)) {
				vals[j] = NULL;
				lens[j] = 0;
			} else if (is_bool[j]) {
				/* Booleans read as 1/0, as they do from SQLite. */
				vals[j] = db_int_cell;
				lens[j] = 0;
				ints[j] = PQgetvalue(r, i, j)[0] == 't';
			} else if (is_int[j] && pg_int(PQgetvalue(r, i, j), &ints[j])) {
				vals[j] = db_int_cell;
				lens[j] = 0;
			} else if (is_bytea[j]) {
				/* bytea comes as text (hex): the raw bytes, as SQLite
				 * gives a BLOB. */
				size_t n = 0;
				bytes[j] = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, j), &n);
				if (!bytes[j])
					abort();
				vals[j] = (const char *)bytes[j];
				lens[j] = n;
			} else {
				vals[j] = PQgetvalue(r, i, j);
				lens[j] = (size_t)PQgetlength(r, i, j);
			}
		}
		db_res_add_row_typed(res, vals, lens, ints);
		for (int j = 0; j < cols; j++) {
			PQfreemem(bytes[j]);
			bytes[j] = NULL;
		}
	}
	return res;
}

/* One statement ready to go out: the prepared statement's name (NULL for an
 * unnamed statement), the cache slot to fill when its Prepare goes first,
 * and its parameters. */
struct pg_call {
	const char *name;
	struct pg_stmt *slot;
	char new_name[16];
	int n;
	Oid types[MAX_PARAMS];
	const char *vals[MAX_PARAMS];
	char ints[MAX_PARAMS][24];
	int lengths[MAX_PARAMS], formats[MAX_PARAMS];
	int binary;        /* a parameter goes in binary: lengths and formats apply */
};

/* Everything about sql that can be checked without the server: its cache
 * entry, or a free slot for it (its parameter types are then fixed by this
 * first call's kinds), and a value for every parameter it refers to.
 * Sends nothing; returns a DB_* code. */
static int plan_call(struct pg_conn *c, const char *sql, const struct db_param *params,
	int nparams, struct pg_call *call)
{
	const struct pg_db *db = (const struct pg_db *)c->base.db;
	const struct pg_stmt *st = NULL;

	call->name = NULL;
	call->slot = NULL;
	if (nparams < 0 || nparams > MAX_PARAMS) {
		snprintf(c->err, sizeof c->err, "bind: %d parameters (at most %d)", nparams, MAX_PARAMS);
		return DB_ERROR;
	}
	if (db->statement_cache) {
		st = cache_find(c, sql, &call->slot);
		if (!st && !call->slot) {
			/* Cache full: the store's statement set is fixed, so a
			 * caller passed built strings.  Refuse rather than leak
			 * statements. */
			snprintf(c->err, sizeof c->err, "prepare: statement cache full (%d)", STMT_CACHE);
			return DB_ERROR;
		}
	}
	if (st) {
		call->name = st->name;
		call->n = st->nrefs;
	} else {
		call->n = param_types(c, sql, params, nparams, call->types);
		if (call->n < 0)
			return DB_ERROR;
	}
	if (nparams < call->n) {
		snprintf(c->err, sizeof c->err, "bind: parameter $%d has no value", nparams + 1);
		return DB_ERROR;
	}
	param_values(params, call->n, call->vals, call->ints, call->lengths, call->formats, &call->binary);
	if (call->slot) {
		snprintf(call->new_name, sizeof call->new_name, "s%u", c->next_stmt++);
		call->name = call->new_name;
	}
	return DB_OK;
}

static int result_is(const PGresult *r, ExecStatusType want)
{
	return r && PQresultStatus(r) == want;
}

/* A failed result, or none because the connection failed first. */
static int result_error(struct pg_conn *c, const PGresult *r, const char *what)
{
	return r ? map_error(c, r, what) : conn_lost(c, what);
}

/* One round trip for one db_exec: the recorded BEGIN and set_config when
 * the transaction has not started yet, a Prepare when sql is new on this
 * connection, sql itself (none when sql is NULL: only open the
 * transaction), and a Sync.  BEGIN and set_config go as unnamed
 * statements, which any pooler passes through; the explicit BEGIN keeps
 * the transaction open past the Sync.
 *
 * *retry is set when the connection failed before the statement's turn
 * (BEGIN or set_config got no success back): nothing of the transaction
 * took effect, as it was never able to commit, so it stays recorded and the
 * caller may call again once, which reconnects first. */
static int run(struct pg_conn *c, const char *sql, const struct db_param *params,
	int nparams, struct db_res **res, int *retry)
{
	struct pg_call call;
	PGresult *all[MAX_LATER + 4], **out = all + c->later;
	int rc = DB_OK, nq = 0, i_prepare = -1, i_stmt = -1;
	int begins = c->begin_pending, later = c->later;
	const char *what = begins ? "begin" : "exec";

	*retry = 0;
	if ((rc = ensure_conn(c, what)) != DB_OK)
		return rc;
	if (sql && (rc = plan_call(c, sql, params, nparams, &call)) != DB_OK)
		return rc;

	int sent = PQenterPipelineMode(c->h);
	if (sent && begins) {
		const char *tenant = c->begin_tenant;
		sent = PQsendQueryParams(c->h, c->begin_write ? begin_write_sql : begin_read_sql,
			0, NULL, NULL, NULL, NULL, 0) &&
			PQsendQueryParams(c->h, set_tenant_sql, 1, NULL, &tenant, NULL, NULL, 0);
		nq = 2;
	}
	if (sent && sql && call.slot) {
		sent = PQsendPrepare(c->h, call.name, sql, call.n, call.types);
		i_prepare = nq++;
	}
	if (sent && sql) {
		if (call.name)
			sent = PQsendQueryPrepared(c->h, call.name, call.n, call.vals,
				call.binary ? call.lengths : NULL, call.binary ? call.formats : NULL, 0);
		else
			sent = PQsendQueryParams(c->h, sql, call.n, call.types, call.vals,
				call.binary ? call.lengths : NULL, call.binary ? call.formats : NULL, 0);
		i_stmt = nq++;
	}
	if (sent)
		sent = PQpipelineSync(c->h);
	if (!sent) {
		*retry = begins;
		memset(c->later_int, 0, sizeof c->later_int);
		c->later = 0;
		return conn_lost(c, what);
	}

	int failed = pipeline_read(c, later + nq, all);
	c->later = 0;
	/* A statement sent by db_exec_later failed: that is this call's
	 * failure (the pipeline skipped the rest). */
	rc = later_outcome(c, all, later);
	if (begins) {
		int begun = result_is(out[0], PGRES_COMMAND_OK);
		if (!begun)
			rc = result_error(c, out[0], "begin");
		else if (!result_is(out[1], PGRES_TUPLES_OK))
			rc = result_error(c, out[1], "begin");
		if (rc == DB_UNAVAILABLE) {
			begun = 0;
			*retry = 1;
		}
		/* When BEGIN itself failed the transaction is still to be
		 * opened: no later statement may run outside it.  When
		 * set_config failed it is open and aborted, and every later
		 * statement fails until the rollback. */
		if (begun) {
			c->begin_pending = 0;
			c->tx_write = c->begin_write;
			c->tx_changed = 0;
		}
	}
	if (i_prepare >= 0 && result_is(out[i_prepare], PGRES_COMMAND_OK)) {
		call.slot->sql = sql;
		call.slot->nrefs = call.n;
		memcpy(call.slot->name, call.new_name, sizeof call.slot->name);
	} else if (i_prepare >= 0 && rc == DB_OK) {
		rc = result_error(c, out[i_prepare], "prepare");
	}
	if (i_stmt >= 0 && rc == DB_OK) {
		const PGresult *r = out[i_stmt];
		if (!result_is(r, PGRES_TUPLES_OK) && !result_is(r, PGRES_COMMAND_OK)) {
			rc = result_error(c, r, "exec");
		} else if (failed) {
			/* No answer to the Sync: outside a transaction the
			 * statement may or may not have committed. */
			rc = conn_lost(c, "exec");
		} else {
			const char *count = PQcmdTuples(out[i_stmt]);
			c->changes = count && *count ? strtoll(count, NULL, 10) : 0;
			if (strncmp(PQcmdStatus(out[i_stmt]), "SELECT ", 7) != 0)
				c->tx_changed = 1;
			if (res)
				*res = materialize(r);
		}
	}
	if (rc == DB_OK && failed)
		rc = conn_lost(c, what);
	for (int i = 0; i < nq; i++)
		PQclear(out[i]);
	return rc;
}

static int pg_exec(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, struct db_res **res)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	int retry;

	c->changes = 0;
	settle(c);
	int rc = run(c, sql, params, nparams, res, &retry);
	if (retry)
		rc = run(c, sql, params, nparams, res, &retry);
	return rc;
}

/* Send the statement in the open transaction's pipeline and go on: its
 * result is read with the next statement's or the COMMIT's, in their
 * round trip.  Only for a statement already prepared on this connection
 * (its first use here runs at once, preparing it) inside a transaction
 * that has started; otherwise, or with MAX_LATER waiting, it runs now. */
/* Run now, reading the first value into *first_int (when wanted). */
static int exec_now(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, int64_t *first_int)
{
	struct db_res *r = NULL;
	int rc = pg_exec(cb, sql, params, nparams, first_int ? &r : NULL);
	if (rc == DB_OK && first_int && db_res_rows(r) > 0 && db_res_cols(r) > 0 && !db_res_isnull(r, 0, 0))
		*first_int = db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

static int pg_exec_later(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, int64_t *first_int)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	struct pg_call call;

	settle(c);
	if (c->begin_pending || c->broken || conn_is_bad(c) || c->later == MAX_LATER ||
	    PQtransactionStatus(c->h) != (c->later ? PQTRANS_ACTIVE : PQTRANS_INTRANS))
		return exec_now(cb, sql, params, nparams, first_int);
	int rc = plan_call(c, sql, params, nparams, &call);
	if (rc != DB_OK)
		return rc;
	if (call.slot)   /* not prepared here yet */
		return exec_now(cb, sql, params, nparams, first_int);
	int sent = PQenterPipelineMode(c->h);
	if (sent && call.name)
		sent = PQsendQueryPrepared(c->h, call.name, call.n, call.vals,
			call.binary ? call.lengths : NULL, call.binary ? call.formats : NULL, 0);
	else if (sent)
		sent = PQsendQueryParams(c->h, sql, call.n, call.types, call.vals,
			call.binary ? call.lengths : NULL, call.binary ? call.formats : NULL, 0);
	if (!sent) {
		c->broken = 1;
		return conn_lost(c, "exec");
	}
	c->later_int[c->later++] = first_int;
	c->tx_changed = 1;
	c->changes = 0;
	return DB_OK;
}

static int pg_exec_script(struct db_conn *cb, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	int rc = DB_OK, retry;

	settle(c);
	if ((rc = flush_later(c)) != DB_OK)
		return rc;
	if (c->begin_pending) {
		/* A script goes as a simple query, which cannot ride in a
		 * pipeline: open the transaction first. */
		rc = run(c, NULL, NULL, 0, NULL, &retry);
		if (retry)
			rc = run(c, NULL, NULL, 0, NULL, &retry);
		if (rc != DB_OK)
			return rc;
	}
	if ((rc = ensure_conn(c, "exec")) != DB_OK)
		return rc;
	c->tx_changed = 1;
	PGresult *r = PQexec(c->h, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
		rc = map_error(c, r, "exec");
	PQclear(r);
	return rc;
}

/* Only records the transaction: the first statement sends BEGIN and
 * set_config with itself (run), and a transaction in which nothing ran
 * costs no round trip at all. */
static int pg_begin(struct db_conn *cb, const char *tenant_id, int write)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	const char *tenant = tenant_id ? tenant_id : "";
	size_t n = strlen(tenant);

	if (n >= sizeof c->begin_tenant) {
		snprintf(c->err, sizeof c->err, "begin: tenant id of %zu bytes (at most %zu)", n,
			sizeof c->begin_tenant - 1);
		return DB_ERROR;
	}
	memcpy(c->begin_tenant, tenant, n + 1);
	c->begin_write = write;
	c->begin_pending = 1;
	return DB_OK;
}

/* A read transaction (begun with write=0, nothing but SELECTs, not failed)
 * has nothing to make durable: its COMMIT only ends the snapshot and
 * releases locks, which the server does when it reads the message, whether
 * or not anyone waits for the answer.  So that COMMIT is sent and not
 * waited for; settle() reads the answer before the connection's next use
 * (a statement or COMMIT on it, or the next acquire once it is back in the
 * pool) and drops the connection if the answer is a failure.  Reading it in
 * db_release would keep the round trip on the request's path, as the store
 * releases right after committing.  Every other COMMIT waits: a write
 * reported as done must be committed, and a failed transaction's COMMIT
 * must report the failure. */
/* The WAL position after a COMMIT, asked in the COMMIT's own pipeline:
 * pg_current_wal_insert_lsn() covers the commit record even when
 * synchronous_commit is off (the write position may not yet).  It is
 * what a client hands back as X-QT-Min-LSN (store/db_replica.h). */
static const char commit_lsn_sql[] = "SELECT pg_current_wal_insert_lsn()::text";

static uint64_t result_lsn(const PGresult *r)
{
	uint64_t v = 0;
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
	    lsn_parse(PQgetvalue(r, 0, 0), &v) == 0)
		return v;
	return 0;
}

/* COMMIT in the same round trip as the statements db_exec_later sent.
 * When one of them failed the pipeline skipped the COMMIT and the
 * transaction is open and aborted: it is rolled back, and the failure
 * reported. */
static int commit_with_later(struct pg_conn *c)
{
	PGresult *all[MAX_LATER + 2];
	int n = c->later;
	c->later = 0;
	c->tx_write = 1;
	if (!PQsendQueryParams(c->h, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsendQueryParams(c->h, commit_lsn_sql, 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(c->h)) {
		c->broken = 1;
		return conn_lost(c, "commit");
	}
	int failed = pipeline_read(c, n + 2, all);
	int rc = later_outcome(c, all, n);
	PGresult *r = all[n];
	uint64_t lsn = result_lsn(all[n + 1]);
	PQclear(all[n + 1]);
	if (rc == DB_OK && failed) {
		rc = conn_lost(c, "commit");
	} else if (rc == DB_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = map_error(c, r, "commit");
	} else if (rc == DB_OK && strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		set_err(c, "commit", "the transaction had failed and was rolled back");
		rc = DB_ERROR;
	}
	PQclear(r);
	if (rc == DB_OK)
		c->commit_lsn = lsn;
	if (rc != DB_OK && !failed && PQtransactionStatus(c->h) != PQTRANS_IDLE) {
		PGresult *rb = PQexec(c->h, "ROLLBACK");
		if (PQresultStatus(rb) != PGRES_COMMAND_OK)
			c->broken = 1;
		PQclear(rb);
	}
	return rc;
}

static int pg_commit(struct db_conn *cb)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	int rc = DB_OK;

	settle(c);
	c->commit_lsn = 0;
	if (c->begin_pending) {
		/* No statement ran, so the transaction never started. */
		c->begin_pending = 0;
		return DB_OK;
	}
	if (c->broken || conn_is_bad(c))
		return conn_lost(c, "commit");
	if (c->later)
		return commit_with_later(c);
	int wait = c->tx_write || c->tx_changed || PQtransactionStatus(c->h) != PQTRANS_INTRANS;
	c->tx_write = 1;
	if (!wait) {
		if (!PQenterPipelineMode(c->h) ||
		    !PQsendQueryParams(c->h, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
		    !PQpipelineSync(c->h))
			return conn_lost(c, "commit");
		c->commit_pending = 1;
		return DB_OK;
	}
	/* COMMIT and the position after it in one round trip. */
	PGresult *out[2];
	if (!PQenterPipelineMode(c->h) ||
	    !PQsendQueryParams(c->h, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsendQueryParams(c->h, commit_lsn_sql, 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(c->h))
		return conn_lost(c, "commit");
	int failed = pipeline_read(c, 2, out);
	PGresult *r = out[0];
	if (!r) {
		rc = conn_lost(c, "commit");
	} else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = map_error(c, r, "commit");
	} else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		/* COMMIT of a transaction that had already failed. */
		set_err(c, "commit", "the transaction had failed and was rolled back");
		rc = DB_ERROR;
	} else if (failed) {
		/* COMMIT answered, then the connection went: committed. */
		c->broken = 1;
	}
	if (rc == DB_OK)
		c->commit_lsn = result_lsn(out[1]);
	PQclear(r);
	PQclear(out[1]);
	return rc;
}

static uint64_t pg_commit_lsn(const struct db_conn *cb)
{
	return ((const struct pg_conn *)cb)->commit_lsn;
}

static void pg_rollback(struct db_conn *cb)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	settle(c);
	if (flush_later(c) == DB_UNAVAILABLE)
		c->broken = 1;
	c->begin_pending = 0;
	c->tx_write = 1;
	if (!c->h || PQstatus(c->h) != CONNECTION_OK || PQtransactionStatus(c->h) == PQTRANS_IDLE)
		return;
	PGresult *r = PQexec(c->h, "ROLLBACK");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		c->broken = 1;
	PQclear(r);
}

static int64_t pg_changes(struct db_conn *cb)
{
	return ((struct pg_conn *)cb)->changes;
}

static const char *pg_error(const struct db_conn *cb)
{
	return ((const struct pg_conn *)cb)->err;
}

static int pg_ping(struct db *base)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct db_conn *cb;
		struct db_res *r = NULL;
		if (pg_acquire(base, &cb) != DB_OK)
			return 0;
		int rc = pg_exec(cb, "SELECT 1", NULL, 0, &r);
		int ok = rc == DB_OK && db_res_rows(r) == 1;
		db_res_free(r);
		pg_release(base, cb);
		if (ok)
			return 1;
		if (rc != DB_UNAVAILABLE)
			return 0;
		/* The connection was stale; the next acquire makes a new one. */
	}
	return 0;
}

/* Cursors: DECLARE ... NO SCROLL CURSOR FOR the SELECT, FETCH FORWARD n
 * from it, CLOSE.  The server holds the rest of the result; the client
 * holds one batch.  The DECLARE text is built per cursor, so it goes as an
 * unnamed statement (never into the prepared-statement cache); FETCH and
 * CLOSE take no parameters and go as simple queries. */
struct pg_cursor {
	struct db_cursor base;
	char name[24];
};

static int pg_cursor_open(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, struct db_cursor **out)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	Oid types[MAX_PARAMS];
	const char *vals[MAX_PARAMS];
	char ints[MAX_PARAMS][24];
	int lengths[MAX_PARAMS], formats[MAX_PARAMS], binary;
	int rc = DB_OK, retry;

	settle(c);
	if ((rc = flush_later(c)) != DB_OK)
		return rc;
	if (c->begin_pending) {
		/* DECLARE needs the transaction block open: open it first. */
		rc = run(c, NULL, NULL, 0, NULL, &retry);
		if (retry)
			rc = run(c, NULL, NULL, 0, NULL, &retry);
		if (rc != DB_OK)
			return rc;
	}
	if ((rc = ensure_conn(c, "cursor")) != DB_OK)
		return rc;
	struct pg_cursor *cur = calloc(1, sizeof *cur);
	if (!cur)
		abort();
	cur->base.conn = cb;
	snprintf(cur->name, sizeof cur->name, "qt_cursor_%u", c->next_cursor++);
	size_t len = strlen(sql) + 64;
	char *declare = malloc(len);
	if (!declare)
		abort();
	snprintf(declare, len, "DECLARE %s NO SCROLL CURSOR FOR %s", cur->name, sql);
	int n = param_types(c, declare, params, nparams, types);
	if (n >= 0 && nparams < n) {
		snprintf(c->err, sizeof c->err, "bind: parameter $%d has no value", nparams + 1);
		n = -1;
	}
	if (n < 0) {
		free(declare);
		free(cur);
		return DB_ERROR;
	}
	param_values(params, n, vals, ints, lengths, formats, &binary);
	PGresult *r = PQexecParams(c->h, declare, n, types, vals, binary ? lengths : NULL,
		binary ? formats : NULL, 0);
	free(declare);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = map_error(c, r, "cursor");
		PQclear(r);
		free(cur);
		return rc;
	}
	PQclear(r);
	*out = &cur->base;
	return DB_OK;
}

static int pg_cursor_fetch(struct db_cursor *base, int max_rows, struct db_res **res)
{
	struct pg_cursor *cur = (struct pg_cursor *)base;
	struct pg_conn *c = (struct pg_conn *)base->conn;
	char sql[96];

	settle(c);
	int rc = flush_later(c);
	if (rc != DB_OK)
		return rc;
	if (c->broken || conn_is_bad(c))
		return conn_lost(c, "fetch");
	snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", max_rows, cur->name);
	PGresult *r = PQexec(c->h, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = map_error(c, r, "fetch");
		PQclear(r);
		return rc;
	}
	*res = materialize(r);
	PQclear(r);
	return DB_OK;
}

static void pg_cursor_close(struct db_cursor *base)
{
	struct pg_cursor *cur = (struct pg_cursor *)base;
	struct pg_conn *c = (struct pg_conn *)base->conn;
	char sql[64];

	/* Only inside the cursor's transaction: after a rollback (or in a
	 * failed transaction) the cursor is gone already. */
	if (c->h && !c->broken && PQstatus(c->h) == CONNECTION_OK && !c->commit_pending &&
	    PQpipelineStatus(c->h) == PQ_PIPELINE_OFF && PQtransactionStatus(c->h) == PQTRANS_INTRANS) {
		snprintf(sql, sizeof sql, "CLOSE %s", cur->name);
		PGresult *r = PQexec(c->h, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && conn_is_bad(c))
			c->broken = 1;
		PQclear(r);
	}
	free(cur);
}

static const struct db_ops pg_ops = {
	.close = pg_close, .acquire = pg_acquire, .release = pg_release,
	.begin = pg_begin, .commit = pg_commit, .rollback = pg_rollback,
	.exec_script = pg_exec_script, .exec = pg_exec, .exec_later = pg_exec_later, .changes = pg_changes,
	.error = pg_error, .ping = pg_ping, .commit_lsn = pg_commit_lsn,
	.cursor_open = pg_cursor_open, .cursor_fetch = pg_cursor_fetch, .cursor_close = pg_cursor_close,
};

/* Take our own "statement_cache=on|off" out of the URL's query string
 * (libpq refuses parameters it does not know).  Returns a new string, or
 * NULL with a message in err. */
static char *strip_options(const char *url, int *statement_cache, char *err, size_t errlen)
{
	size_t len = strlen(url);
	char *out = malloc(len + 1);
	if (!out)
		abort();
	const char *q = strchr(url, '?');
	if (!q) {
		memcpy(out, url, len + 1);
		return out;
	}
	size_t n = (size_t)(q - url);
	memcpy(out, url, n);
	char sep = '?';
	for (const char *p = q + 1; *p;) {
		const char *end = strchr(p, '&');
		size_t plen = end ? (size_t)(end - p) : strlen(p);
		static const char key[] = "statement_cache=";
		if (plen >= sizeof key - 1 && memcmp(p, key, sizeof key - 1) == 0) {
			const char *v = p + sizeof key - 1;
			size_t vlen = plen - (sizeof key - 1);
			if (vlen == 2 && memcmp(v, "on", 2) == 0) {
				*statement_cache = 1;
			} else if (vlen == 3 && memcmp(v, "off", 3) == 0) {
				*statement_cache = 0;
			} else {
				snprintf(err, errlen, "postgres URL: statement_cache=%.*s: must be on or off",
					(int)(vlen > 20 ? 20 : vlen), v);
				free(out);
				return NULL;
			}
		} else if (plen > 0) {
			out[n++] = sep;
			memcpy(out + n, p, plen);
			n += plen;
			sep = '&';
		}
		p += plen + (end ? 1 : 0);
	}
	out[n] = '\0';
	return out;
}

int db_pg_open(const char *url, int pool_size, struct db **out, char *err, size_t errlen)
{
	int statement_cache = 1;
	char *conninfo = strip_options(url, &statement_cache, err, errlen);
	if (!conninfo)
		return DB_ERROR;
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	if (!opts) {
		snprintf(err, errlen, "postgres URL: %s", perr ? perr : "cannot parse");
		PQfreemem(perr);
		free(conninfo);
		return DB_ERROR;
	}
	PQconninfoFree(opts);

	struct pg_db *db = calloc(1, sizeof *db);
	if (!db)
		abort();
	db->base.ops = &pg_ops;
	db->base.dialect = DB_POSTGRES;
	db->url = conninfo;
	db->statement_cache = statement_cache;
	db->size = pool_size < 1 ? 1 : pool_size;
	db->conns = calloc((size_t)db->size, sizeof *db->conns);
	if (!db->conns)
		abort();
	for (int i = 0; i < db->size; i++)
		db->conns[i].base.db = &db->base;
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->freed, NULL);

	/* Open one connection now so a wrong host, password or database name
	 * fails at start-up; the others open on demand. */
	struct db_conn *c;
	int rc = pg_acquire(&db->base, &c);
	if (rc != DB_OK) {
		snprintf(err, errlen, "postgres: %s", db->conns[0].err);
		pg_close(&db->base);
		return rc;
	}
	pg_release(&db->base, c);
	*out = &db->base;
	return DB_OK;
}

char *db_pg_password_verifier(struct db_conn *cb, const char *role, const char *password)
{
	if (cb->db->dialect != DB_POSTGRES)
		return NULL;
	struct pg_conn *c = (struct pg_conn *)cb;
	if (ensure_conn(c, "password") != DB_OK)
		return NULL;
	/* With the algorithm named, libpq computes locally and sends nothing. */
	char *v = PQencryptPasswordConn(c->h, password, role, "scram-sha-256");
	if (!v) {
		set_err(c, "password", PQerrorMessage(c->h));
		return NULL;
	}
	char *out = strdup(v);
	PQfreemem(v);
	if (!out)
		abort();
	return out;
}

/* ---- LISTEN ---------------------------------------------------------- */

struct db_listener {
	PGconn *h;
};

int db_listen(struct db *base, const char *url, const char *channel,
	struct db_listener **out, char *err, size_t errlen)
{
	if (base->dialect != DB_POSTGRES) {
		snprintf(err, errlen, "LISTEN needs PostgreSQL");
		return DB_ERROR;
	}
	struct pg_db *db = (struct pg_db *)base;
	for (const char *p = channel; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return DB_ERROR;
	/* statement_cache=off says the pool goes through a transaction
	 * pooler, where a LISTEN would land on a server connection that other
	 * clients then share (and get our notifications in the middle of
	 * their pipelines). */
	if (!url && !db->statement_cache) {
		snprintf(err, errlen, "the database URL goes through a transaction pooler (statement_cache=off):"
			" LISTEN needs a direct URL (QT_EVENTS_DB)");
		return DB_ERROR;
	}
	char *conninfo = NULL;
	if (url) {
		int statement_cache = 1;
		conninfo = strip_options(url, &statement_cache, err, errlen);
		if (!conninfo)
			return DB_ERROR;
	}
	static const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { CONNECT_TIMEOUT, "quantumtrack-listen", conninfo ? conninfo : db->url, NULL };
	PGconn *h = PQconnectdbParams(keys, vals, 1);
	free(conninfo);
	if (!h || PQstatus(h) != CONNECTION_OK) {
		snprintf(err, errlen, "listen: connect: %s", h ? PQerrorMessage(h) : "out of memory");
		PQfinish(h);
		return DB_UNAVAILABLE;
	}
	PQsetNoticeProcessor(h, ignore_notice, NULL);
	char sql[96];
	snprintf(sql, sizeof sql, "LISTEN %s", channel);
	PGresult *r = PQexec(h, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(err, errlen, "listen: %s", PQerrorMessage(h));
	PQclear(r);
	if (!ok) {
		PQfinish(h);
		return DB_UNAVAILABLE;
	}
	*out = calloc(1, sizeof **out);
	if (!*out)
		abort();
	(*out)->h = h;
	return DB_OK;
}

int db_listen_wait(struct db_listener *l, int timeout_ms,
	void (*fn)(void *cls, const char *payload), void *cls)
{
	if (PQstatus(l->h) != CONNECTION_OK)
		return DB_UNAVAILABLE;
	struct pollfd pfd = { .fd = PQsocket(l->h), .events = POLLIN };
	if (pfd.fd < 0)
		return DB_UNAVAILABLE;
	int n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? DB_OK : DB_UNAVAILABLE;
	if (n > 0) {
		if (pfd.revents & (POLLERR | POLLNVAL))
			return DB_UNAVAILABLE;
		/* A closed socket reads as readable: consuming it then fails. */
		if (!PQconsumeInput(l->h) || PQstatus(l->h) != CONNECTION_OK)
			return DB_UNAVAILABLE;
	}
	PGnotify *note;
	while ((note = PQnotifies(l->h)) != NULL) {
		fn(cls, note->extra ? note->extra : "");
		PQfreemem(note);
	}
	return DB_OK;
}

void db_listen_close(struct db_listener *l)
{
	if (!l)
		return;
	PQfinish(l->h);
	free(l);
}
