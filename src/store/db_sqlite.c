/* db_sqlite.c — the SQLite backend: WAL, busy_timeout, foreign keys, a pool
 * of connections with a per-connection prepared-statement cache. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_backend.h"

#define STMT_CACHE 256   /* power of two */

struct sq_conn {
	struct db_conn base;
	sqlite3 *h;
	int in_use;
	int holds_write;        /* this connection holds sq_db.write_lock */
	char err[512];
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[STMT_CACHE];
};

struct sq_db {
	struct db base;
	char *path;
	int size;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	/* One writer at a time inside this process: writers queue on a mutex
	 * instead of spinning in SQLite's busy handler, whose sleeps (up to
	 * 100 ms each) would dominate write latency.  Other processes (the
	 * CLI) still meet busy_timeout. */
	pthread_mutex_t write_lock;
	struct sq_conn *conns;   /* size entries; h == NULL until first use */
};

static void set_err(struct sq_conn *c, const char *what)
{
	snprintf(c->err, sizeof c->err, "%s: %s", what, c->h ? sqlite3_errmsg(c->h) : "no connection");
}

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return DB_UNAVAILABLE;
	default:
		return DB_ERROR;
	}
}

static int sq_connect(struct sq_db *db, struct sq_conn *c)
{
	int rc = sqlite3_open_v2(db->path, &c->h,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		set_err(c, "open");
		sqlite3_close(c->h);
		c->h = NULL;
		return DB_UNAVAILABLE;
	}
	sqlite3_busy_timeout(c->h, 10000);
	sqlite3_extended_result_codes(c->h, 1);
	rc = sqlite3_exec(c->h,
		"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
		"PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
		"PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384;", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		set_err(c, "configure");
		sqlite3_close(c->h);
		c->h = NULL;
		return map_rc(rc);
	}
	return DB_OK;
}

static void sq_disconnect(struct sq_conn *c)
{
	for (int i = 0; i < STMT_CACHE; i++) {
		if (c->cache[i].stmt)
			sqlite3_finalize(c->cache[i].stmt);
		c->cache[i].stmt = NULL;
		c->cache[i].sql = NULL;
	}
	if (c->h)
		sqlite3_close(c->h);
	c->h = NULL;
}

static void sq_close(struct db *base)
{
	struct sq_db *db = (struct sq_db *)base;
	for (int i = 0; i < db->size; i++)
		sq_disconnect(&db->conns[i]);
	free(db->conns);
	free(db->path);
	pthread_mutex_destroy(&db->lock);
	pthread_cond_destroy(&db->freed);
	pthread_mutex_destroy(&db->write_lock);
	free(db);
}

static int sq_acquire(struct db *base, struct db_conn **out)
{
	struct sq_db *db = (struct sq_db *)base;
	struct sq_conn *c = NULL;

	pthread_mutex_lock(&db->lock);
	for (;;) {
		for (int i = 0; i < db->size; i++) {
			if (!db->conns[i].in_use) {
				c = &db->conns[i];
				break;
			}
		}
		if (c)
			break;
		pthread_cond_wait(&db->freed, &db->lock);
	}
	c->in_use = 1;
	pthread_mutex_unlock(&db->lock);
	if (!c->h) {
		int rc = sq_connect(db, c);
		if (rc != DB_OK) {
			pthread_mutex_lock(&db->lock);
			c->in_use = 0;
			pthread_cond_signal(&db->freed);
			pthread_mutex_unlock(&db->lock);
			return rc;
		}
	}
	*out = &c->base;
	return DB_OK;
}

static void drop_write_lock(struct sq_conn *c)
{
	if (c->holds_write) {
		c->holds_write = 0;
		pthread_mutex_unlock(&((struct sq_db *)c->base.db)->write_lock);
	}
}

static void sq_release(struct db *base, struct db_conn *cb)
{
	struct sq_db *db = (struct sq_db *)base;
	struct sq_conn *c = (struct sq_conn *)cb;
	if (c->h && !sqlite3_get_autocommit(c->h))
		sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
	drop_write_lock(c);
	pthread_mutex_lock(&db->lock);
	c->in_use = 0;
	pthread_cond_signal(&db->freed);
	pthread_mutex_unlock(&db->lock);
}

static int sq_exec_script(struct db_conn *cb, const char *sql)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	char *msg = NULL;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(c->err, sizeof c->err, "%s", msg ? msg : sqlite3_errmsg(c->h));
		sqlite3_free(msg);
		return map_rc(rc);
	}
	return DB_OK;
}

static int sq_begin(struct db_conn *cb, const char *tenant_id, int write)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	(void)tenant_id;   /* SQLite has no RLS: the store scopes every query */
	if (!write)
		return sq_exec_script(cb, "BEGIN");
	if (!c->holds_write) {
		pthread_mutex_lock(&((struct sq_db *)c->base.db)->write_lock);
		c->holds_write = 1;
	}
	int rc = sq_exec_script(cb, "BEGIN IMMEDIATE");
	if (rc != DB_OK)
		drop_write_lock(c);
	return rc;
}

static int sq_commit(struct db_conn *cb)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	int rc = sq_exec_script(cb, "COMMIT");
	if (rc == DB_OK || sqlite3_get_autocommit(c->h))
		drop_write_lock(c);
	return rc;
}

static void sq_rollback(struct db_conn *cb)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	if (c->h && !sqlite3_get_autocommit(c->h))
		sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
	drop_write_lock(c);
}

static sqlite3_stmt *prepare_cached(struct sq_conn *c, const char *sql, int *rc)
{
	size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ull;
	size_t slot = (h >> 20) & (STMT_CACHE - 1);

	for (int probe = 0; probe < STMT_CACHE; probe++) {
		size_t i = (slot + (size_t)probe) & (STMT_CACHE - 1);
		if (c->cache[i].sql == sql) {
			sqlite3_reset(c->cache[i].stmt);
			sqlite3_clear_bindings(c->cache[i].stmt);
			return c->cache[i].stmt;
		}
		if (!c->cache[i].sql) {
			sqlite3_stmt *st = NULL;
			*rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
			if (*rc != SQLITE_OK) {
				set_err(c, "prepare");
				return NULL;
			}
			c->cache[i].sql = sql;
			c->cache[i].stmt = st;
			return st;
		}
	}
	/* Cache full: should not happen with the store's fixed statement set. */
	sqlite3_stmt *st = NULL;
	*rc = sqlite3_prepare_v2(c->h, sql, -1, &st, NULL);
	if (*rc != SQLITE_OK)
		set_err(c, "prepare");
	return st;
}

static int sq_exec(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, struct db_res **res)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	int rc = SQLITE_OK;
	sqlite3_stmt *st = prepare_cached(c, sql, &rc);
	if (!st)
		return map_rc(rc);

	int count = sqlite3_bind_parameter_count(st);
	for (int i = 1; i <= count; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		int k = name && name[0] == '$' ? atoi(name + 1) : 0;
		if (k < 1 || k > nparams) {
			snprintf(c->err, sizeof c->err, "bind: parameter %s has no value", name ? name : "?");
			sqlite3_reset(st);
			return DB_ERROR;
		}
		const struct db_param *p = &params[k - 1];
		if (p->kind == DBP_TEXT)
			rc = sqlite3_bind_text(st, i, p->text, -1, SQLITE_STATIC);
		else if (p->kind == DBP_INT)
			rc = sqlite3_bind_int64(st, i, p->i);
		else
			rc = sqlite3_bind_null(st, i);
		if (rc != SQLITE_OK) {
			set_err(c, "bind");
			sqlite3_reset(st);
			return map_rc(rc);
		}
	}

	int cols = sqlite3_column_count(st);
	struct db_res *r = res ? db_res_new(cols) : NULL;
	const char *vals[64];
	size_t lens[64];
	if (cols > 64)
		cols = 64;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!r)
			continue;
		for (int i = 0; i < cols; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_NULL) {
				vals[i] = NULL;
				lens[i] = 0;
			} else {
				vals[i] = (const char *)sqlite3_column_text(st, i);
				lens[i] = (size_t)sqlite3_column_bytes(st, i);
			}
		}
		db_res_add_row(r, vals, lens);
	}
	if (rc != SQLITE_DONE) {
		set_err(c, "step");
		sqlite3_reset(st);
		db_res_free(r);
		return map_rc(rc);
	}
	sqlite3_reset(st);
	if (res)
		*res = r;
	return DB_OK;
}

static int64_t sq_changes(struct db_conn *cb)
{
	return sqlite3_changes64(((struct sq_conn *)cb)->h);
}

static const char *sq_error(const struct db_conn *cb)
{
	return ((const struct sq_conn *)cb)->err;
}

static int sq_ping(struct db *base)
{
	struct db_conn *c;
	struct db_res *r = NULL;
	if (sq_acquire(base, &c) != DB_OK)
		return 0;
	int ok = sq_exec(c, "SELECT 1", NULL, 0, &r) == DB_OK && db_res_rows(r) == 1;
	db_res_free(r);
	sq_release(base, c);
	return ok;
}

static const struct db_ops sq_ops = {
	.close = sq_close, .acquire = sq_acquire, .release = sq_release,
	.begin = sq_begin, .commit = sq_commit, .rollback = sq_rollback,
	.exec_script = sq_exec_script, .exec = sq_exec, .changes = sq_changes,
	.error = sq_error, .ping = sq_ping,
};

int db_sqlite_open(const char *path, int pool_size, struct db **out, char *err, size_t errlen)
{
	if (!path || !*path) {
		snprintf(err, errlen, "sqlite: a file path is required (sqlite:./data/quantumtrack.db)");
		return DB_ERROR;
	}
	struct sq_db *db = calloc(1, sizeof *db);
	if (!db)
		abort();
	db->base.ops = &sq_ops;
	db->base.dialect = DB_SQLITE;
	db->path = strdup(path);
	db->size = pool_size < 1 ? 1 : pool_size;
	db->conns = calloc((size_t)db->size, sizeof *db->conns);
	if (!db->path || !db->conns)
		abort();
	for (int i = 0; i < db->size; i++)
		db->conns[i].base.db = &db->base;
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->freed, NULL);
	pthread_mutex_init(&db->write_lock, NULL);

	/* Open one connection now so a bad path fails at start-up. */
	struct db_conn *c;
	int rc = sq_acquire(&db->base, &c);
	if (rc != DB_OK) {
		snprintf(err, errlen, "sqlite \"%s\": %s", path, db->conns[0].err);
		sq_close(&db->base);
		return rc;
	}
	sq_release(&db->base, c);
	*out = &db->base;
	return DB_OK;
}
