/*
 * db_pg.c — the PostgreSQL backend: a pool of libpq connections opened
 * lazily, each with its own prepared-statement cache; text-format
 * parameters and results; errors mapped from SQLSTATE.
 *
 * A connection that shows it is broken (socket gone, SQLSTATE class 08,
 * admin shutdown) is marked and dropped when it goes back to the pool, so
 * the next acquire reconnects: the process survives a database restart.
 * BEGIN is the only statement retried on a fresh connection, because it is
 * the only one that cannot have had an effect before the failure.
 *
 * URL: any libpq URL, plus our own query parameter statement_cache=off for
 * poolers that cannot keep named prepared statements across transactions
 * (PgBouncer in transaction mode before 1.21, or without
 * max_prepared_statements): statements are then parsed on every call, still
 * with separate parameters.  connect_timeout defaults to 3 seconds.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_backend.h"

#define STMT_CACHE 256     /* power of two */
#define MAX_PARAMS 64
#define MAX_COLS 64
#define CONNECT_TIMEOUT "3" /* seconds; the URL may override it */

/* Type OIDs from pg_type.h (server headers are not needed for three). */
#define BOOLOID 16
#define INT8OID 20
#define TEXTOID 25

struct pg_stmt {
	const char *sql;   /* cache key: the address of the SQL text */
	int nrefs;         /* highest $n the text refers to */
	char name[16];     /* "s<n>" */
};

struct pg_conn {
	struct db_conn base;
	PGconn *h;
	int in_use;
	int broken;        /* drop on release, reconnect on next acquire */
	int64_t changes;
	unsigned next_stmt;
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
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		return DB_BUSY;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
		c->broken = 1;
		return DB_UNAVAILABLE;
	}
	return DB_ERROR;
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void pg_disconnect(struct pg_conn *c)
{
	if (c->h)
		PQfinish(c->h);
	c->h = NULL;
	c->broken = 0;
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

	/* Connect outside the lock: a slow or unreachable server must not
	 * hold up threads that could use another open connection. */
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

	if (c->h && !c->broken && PQstatus(c->h) == CONNECTION_OK &&
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

static int pg_exec_script(struct db_conn *cb, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	int rc = DB_OK;
	PGresult *r = PQexec(c->h, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
		rc = map_error(c, r, "exec");
	PQclear(r);
	return rc;
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
			types[i] = i < nparams && params[i].kind == DBP_INT ? INT8OID : 0;
	}
	return nrefs;
}

/* Find or create the prepared statement for sql on this connection; the
 * parameter types are fixed by the first call's kinds.  Returns NULL with
 * *rc set on failure. */
static const struct pg_stmt *prepare_cached(struct pg_conn *c, const char *sql,
	const struct db_param *params, int nparams, int *rc)
{
	size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ull;
	size_t slot = (h >> 20) & (STMT_CACHE - 1);
	struct pg_stmt *st = NULL;

	for (int probe = 0; probe < STMT_CACHE; probe++) {
		size_t i = (slot + (size_t)probe) & (STMT_CACHE - 1);
		if (c->cache[i].sql == sql)
			return &c->cache[i];
		if (!c->cache[i].sql) {
			st = &c->cache[i];
			break;
		}
	}
	if (!st) {
		/* Cache full: the store's statement set is fixed, so a caller
		 * passed built strings.  Refuse rather than leak statements. */
		snprintf(c->err, sizeof c->err, "prepare: statement cache full (%d)", STMT_CACHE);
		*rc = DB_ERROR;
		return NULL;
	}

	Oid types[MAX_PARAMS];
	int nrefs = param_types(c, sql, params, nparams, types);
	if (nrefs < 0) {
		*rc = DB_ERROR;
		return NULL;
	}
	char name[16];
	snprintf(name, sizeof name, "s%u", c->next_stmt++);
	PGresult *r = PQprepare(c->h, name, sql, nrefs, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		*rc = map_error(c, r, "prepare");
		PQclear(r);
		return NULL;
	}
	PQclear(r);
	st->sql = sql;
	st->nrefs = nrefs;
	memcpy(st->name, name, sizeof name);
	return st;
}

/* Convert params to text values; buf holds the decimal integers. */
static void param_values(const struct db_param *params, int n, const char **vals,
	char (*buf)[24])
{
	for (int i = 0; i < n; i++) {
		if (params[i].kind == DBP_TEXT) {
			vals[i] = params[i].text;
		} else if (params[i].kind == DBP_INT) {
			snprintf(buf[i], sizeof buf[i], "%lld", (long long)params[i].i);
			vals[i] = buf[i];
		} else {
			vals[i] = NULL;
		}
	}
}

static struct db_res *materialize(const PGresult *r)
{
	int cols = PQnfields(r);
	if (cols > MAX_COLS)
		cols = MAX_COLS;
	struct db_res *res = db_res_new(cols);
	const char *vals[MAX_COLS];
	size_t lens[MAX_COLS];
	int is_bool[MAX_COLS];
	for (int j = 0; j < cols; j++)
		is_bool[j] = PQftype(r, j) == BOOLOID;
	int rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		for (int j = 0; j < cols; j++) {
			if (PQgetisnull(r, i, j)) {
				vals[j] = NULL;
				lens[j] = 0;
			} else if (is_bool[j]) {
				/* Booleans read as 1/0, as they do from SQLite. */
				vals[j] = PQgetvalue(r, i, j)[0] == 't' ? "1" : "0";
				lens[j] = 1;
			} else {
				vals[j] = PQgetvalue(r, i, j);
				lens[j] = (size_t)PQgetlength(r, i, j);
			}
		}
		db_res_add_row(res, vals, lens);
	}
	return res;
}

static int pg_exec(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, struct db_res **res)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	const struct pg_db *db = (const struct pg_db *)c->base.db;
	const char *vals[MAX_PARAMS];
	char ints[MAX_PARAMS][24];
	PGresult *r;
	int rc = DB_OK, n;

	c->changes = 0;
	if (nparams < 0 || nparams > MAX_PARAMS) {
		snprintf(c->err, sizeof c->err, "bind: %d parameters (at most %d)", nparams, MAX_PARAMS);
		return DB_ERROR;
	}
	if (db->statement_cache) {
		const struct pg_stmt *st = prepare_cached(c, sql, params, nparams, &rc);
		if (!st)
			return rc;
		n = st->nrefs;
		if (nparams < n)
			goto missing;
		param_values(params, n, vals, ints);
		r = PQexecPrepared(c->h, st->name, n, vals, NULL, NULL, 0);
	} else {
		/* Unnamed statement: parse, bind and execute in one message
		 * batch, for poolers that cannot keep named statements. */
		Oid types[MAX_PARAMS];
		n = param_types(c, sql, params, nparams, types);
		if (n < 0)
			return DB_ERROR;
		if (nparams < n)
			goto missing;
		param_values(params, n, vals, ints);
		r = PQexecParams(c->h, sql, n, types, vals, NULL, NULL, 0);
	}

	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		rc = map_error(c, r, "exec");
		PQclear(r);
		return rc;
	}
	const char *count = PQcmdTuples(r);
	c->changes = count && *count ? strtoll(count, NULL, 10) : 0;
	if (res)
		*res = materialize(r);
	PQclear(r);
	return DB_OK;
missing:
	snprintf(c->err, sizeof c->err, "bind: parameter $%d has no value", nparams + 1);
	return DB_ERROR;
}

/* A read transaction sees one snapshot: a balance and the entries it is
 * checked against (aging, statements, `quantumtrack verify` on a live
 * server) come from the same moment.  Under READ COMMITTED each statement
 * would see the commits made between them.  Readers never fail with
 * serialization errors at this level; writers keep READ COMMITTED and
 * serialize on row locks (SELECT ... FOR UPDATE). */
static const char begin_read_sql[] = "BEGIN ISOLATION LEVEL REPEATABLE READ";
static const char begin_write_sql[] = "BEGIN";

/* BEGIN and set_config in one round trip (pipeline mode).  The explicit
 * BEGIN keeps the transaction open past the pipeline's sync point.  Both go
 * as unnamed statements, which any pooler passes through. */
static int begin_once(struct pg_conn *c, const char *tenant_id, int write)
{
	const char *val = tenant_id ? tenant_id : "";
	const char *begin_sql = write ? begin_write_sql : begin_read_sql;
	int rc = DB_OK;

	if (!PQenterPipelineMode(c->h)) {
		rc = map_error(c, NULL, "begin");
		return c->broken ? DB_UNAVAILABLE : rc;
	}
	if (!PQsendQueryParams(c->h, begin_sql, 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsendQueryParams(c->h, set_tenant_sql, 1, NULL, &val, NULL, NULL, 0) ||
	    !PQpipelineSync(c->h)) {
		map_error(c, NULL, "begin");
		c->broken = 1;
		return DB_UNAVAILABLE;
	}
	/* Results: BEGIN, NULL, set_config, NULL, PIPELINE_SYNC. */
	int nulls = 0;
	for (;;) {
		PGresult *r = PQgetResult(c->h);
		if (!r) {
			if (++nulls > 2 || conn_is_bad(c)) {
				if (rc == DB_OK)
					map_error(c, NULL, "begin");
				c->broken = 1;
				return DB_UNAVAILABLE;
			}
			continue;
		}
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (s == PGRES_FATAL_ERROR && rc == DB_OK)
			rc = map_error(c, r, "begin");
		else if (s == PGRES_PIPELINE_ABORTED && rc == DB_OK)
			rc = DB_ERROR;
		PQclear(r);
	}
	if (!PQexitPipelineMode(c->h)) {
		set_err(c, "begin", PQerrorMessage(c->h));
		c->broken = 1;
		return rc == DB_OK ? DB_ERROR : rc;
	}
	if (rc != DB_OK && PQtransactionStatus(c->h) != PQTRANS_IDLE) {
		PGresult *r = PQexec(c->h, "ROLLBACK");
		PQclear(r);
	}
	return rc;
}

static int pg_begin(struct db_conn *cb, const char *tenant_id, int write)
{
	struct pg_conn *c = (struct pg_conn *)cb;

	int rc = begin_once(c, tenant_id, write);
	if (rc == DB_UNAVAILABLE && c->broken) {
		/* An idle connection the server had closed (restart, idle
		 * timeout, pooler): nothing ran, so try once on a fresh one. */
		if (pg_connect((struct pg_db *)c->base.db, c) != DB_OK) {
			c->broken = 1;
			return DB_UNAVAILABLE;
		}
		rc = begin_once(c, tenant_id, write);
	}
	return rc;
}

static int pg_commit(struct db_conn *cb)
{
	struct pg_conn *c = (struct pg_conn *)cb;
	int rc = DB_OK;
	PGresult *r = PQexec(c->h, "COMMIT");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = map_error(c, r, "commit");
	} else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		/* COMMIT of a transaction that had already failed. */
		set_err(c, "commit", "the transaction had failed and was rolled back");
		rc = DB_ERROR;
	}
	PQclear(r);
	return rc;
}

static void pg_rollback(struct db_conn *cb)
{
	struct pg_conn *c = (struct pg_conn *)cb;
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

static const struct db_ops pg_ops = {
	.close = pg_close, .acquire = pg_acquire, .release = pg_release,
	.begin = pg_begin, .commit = pg_commit, .rollback = pg_rollback,
	.exec_script = pg_exec_script, .exec = pg_exec, .changes = pg_changes,
	.error = pg_error, .ping = pg_ping,
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
