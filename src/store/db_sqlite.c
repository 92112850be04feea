/* db_sqlite.c — the SQLite backend: WAL, busy_timeout, foreign keys, a pool
 * of connections with a per-connection prepared-statement cache. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db_backend.h"

#define STMT_CACHE 256   /* power of two */
/* WAL frames (pages) after which a commit asks for a checkpoint.  Four
 * times SQLite's default: the pages every entry rewrites (the customer,
 * the chain head, the right edges of the indexes) go back to the database
 * file a quarter as often, for a WAL of up to ~16 MB. */
#define CHECKPOINT_FRAMES 4000

/* How a handle reads: through a page cache of 16 MiB, which keeps the
 * pages every request touches at hand, and no memory map.  A map costs the
 * same instructions a GET (122.7k with it, 121.7k without, callgrind) but
 * each page fault maps its neighbours too (the kernel's fault-around, 64
 * KiB), so the few pages a start reads left 572 KiB of the file resident:
 * an idle server on a seeded store held 8.2 MiB with the map, 7.8 without.
 * A cursor (an export of any size) reads through a 2 MiB page cache
 * instead: a scan of the whole database must not fill the cache with pages
 * no one reads again. */
#define PRAGMA_READ_DEFAULT "PRAGMA mmap_size=0; PRAGMA cache_size=-16384;"
#define PRAGMA_READ_STREAM "PRAGMA cache_size=-2048;"

/* One SQLite connection and the statements prepared on it. */
struct sq_handle {
	sqlite3 *h;
	int wal_frames;         /* WAL size after this handle's last commit */
	int streaming;          /* set to PRAGMA_READ_STREAM by a cursor, until released */
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[STMT_CACHE];
};

struct sq_conn {
	struct db_conn base;
	struct sq_handle own;
	struct sq_handle *cur;  /* &own, or the db's writer while holds_write */
	int in_use;
	int holds_write;        /* this connection holds sq_db.write_lock */
	char err[512];
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
	/* Every write transaction runs on this one handle, lent to whichever
	 * connection holds write_lock.  A commit makes every other handle
	 * drop its page cache (and its memory map) at its next transaction;
	 * the writer sees only its own commits, so it keeps its cache warm
	 * for the work done inside the lock. */
	struct sq_handle writer;
	/* Checkpoints run on a thread of their own, started at the first
	 * one: neither the writer's lock nor a request waits for the copy
	 * and its fsyncs.  Guarded by lock. */
	struct sq_handle checkpoint;
	pthread_t checkpointer;
	pthread_cond_t checkpoint_due;
	int checkpointer_started;
	int checkpoint_wanted;
	int stopping;
	struct sq_conn *conns;   /* size entries; own.h == NULL until first use */
};

static const char sql_begin[] = "BEGIN";
static const char sql_begin_immediate[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
/* One name for every savepoint: they nest as a stack, and RELEASE and
 * ROLLBACK TO act on the most recent one of that name. */
static const char sql_savepoint[] = "SAVEPOINT qt";
static const char sql_savepoint_release[] = "RELEASE qt";
static const char sql_savepoint_rollback[] = "ROLLBACK TO qt";

static void set_err(struct sq_conn *c, const char *what)
{
	sqlite3 *h = c->cur ? c->cur->h : NULL;
	snprintf(c->err, sizeof c->err, "%s: %s", what, h ? sqlite3_errmsg(h) : "no connection");
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

/* Replaces SQLite's automatic checkpoint, which would run inside the
 * committing writer's lock: sq_commit checkpoints after letting go. */
static int wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)h;
	(void)name;
	((struct sq_handle *)arg)->wal_frames = frames;
	return SQLITE_OK;
}

static int sq_connect(struct sq_db *db, struct sq_handle *hd, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(db->path, &hd->h,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "open: %s", hd->h ? sqlite3_errmsg(hd->h) : "out of memory");
		sqlite3_close(hd->h);
		hd->h = NULL;
		return DB_UNAVAILABLE;
	}
	sqlite3_busy_timeout(hd->h, 10000);
	sqlite3_extended_result_codes(hd->h, 1);
	rc = sqlite3_exec(hd->h,
		"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
		"PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
		PRAGMA_READ_DEFAULT, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "configure: %s", sqlite3_errmsg(hd->h));
		sqlite3_close(hd->h);
		hd->h = NULL;
		return map_rc(rc);
	}
	hd->wal_frames = 0;
	sqlite3_wal_hook(hd->h, wal_hook, hd);
	return DB_OK;
}

static void sq_disconnect(struct sq_handle *hd)
{
	for (int i = 0; i < STMT_CACHE; i++) {
		if (hd->cache[i].stmt)
			sqlite3_finalize(hd->cache[i].stmt);
		hd->cache[i].stmt = NULL;
		hd->cache[i].sql = NULL;
	}
	if (hd->h)
		sqlite3_close(hd->h);
	hd->h = NULL;
}

static void sq_close(struct db *base)
{
	struct sq_db *db = (struct sq_db *)base;
	pthread_mutex_lock(&db->lock);
	db->stopping = 1;
	pthread_cond_signal(&db->checkpoint_due);
	pthread_mutex_unlock(&db->lock);
	if (db->checkpointer_started)
		pthread_join(db->checkpointer, NULL);
	sq_disconnect(&db->checkpoint);
	for (int i = 0; i < db->size; i++)
		sq_disconnect(&db->conns[i].own);
	sq_disconnect(&db->writer);
	free(db->conns);
	free(db->path);
	pthread_mutex_destroy(&db->lock);
	pthread_cond_destroy(&db->freed);
	pthread_cond_destroy(&db->checkpoint_due);
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
	c->cur = &c->own;
	if (!c->own.h) {
		int rc = sq_connect(db, &c->own, c->err, sizeof c->err);
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

/* Give the writer handle back and let the next writer in. */
static void drop_write_lock(struct sq_conn *c)
{
	if (c->holds_write) {
		c->holds_write = 0;
		c->cur = &c->own;
		pthread_mutex_unlock(&((struct sq_db *)c->base.db)->write_lock);
	}
}

static sqlite3_stmt *prepare_cached(struct sq_conn *c, const char *sql, int *rc)
{
	struct sq_handle *hd = c->cur;
	size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ull;
	size_t slot = (h >> 20) & (STMT_CACHE - 1);

	for (int probe = 0; probe < STMT_CACHE; probe++) {
		size_t i = (slot + (size_t)probe) & (STMT_CACHE - 1);
		if (hd->cache[i].sql == sql) {
			sqlite3_reset(hd->cache[i].stmt);
			sqlite3_clear_bindings(hd->cache[i].stmt);
			return hd->cache[i].stmt;
		}
		if (!hd->cache[i].sql) {
			sqlite3_stmt *st = NULL;
			*rc = sqlite3_prepare_v3(hd->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
			if (*rc != SQLITE_OK) {
				set_err(c, "prepare");
				return NULL;
			}
			hd->cache[i].sql = sql;
			hd->cache[i].stmt = st;
			return st;
		}
	}
	/* Cache full: should not happen with the store's fixed statement set. */
	sqlite3_stmt *st = NULL;
	*rc = sqlite3_prepare_v2(hd->h, sql, -1, &st, NULL);
	if (*rc != SQLITE_OK)
		set_err(c, "prepare");
	return st;
}

/* BEGIN, COMMIT, ROLLBACK: prepared once per handle like any statement
 * instead of parsed again by sqlite3_exec on every transaction. */
static int run_control(struct sq_conn *c, const char *sql)
{
	int rc = SQLITE_OK;
	sqlite3_stmt *st = prepare_cached(c, sql, &rc);
	if (!st)
		return map_rc(rc);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		set_err(c, sql);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : map_rc(rc);
}

static void rollback_open(struct sq_conn *c)
{
	if (c->cur->h && !sqlite3_get_autocommit(c->cur->h))
		run_control(c, sql_rollback);
}

static void sq_release(struct db *base, struct db_conn *cb)
{
	struct sq_db *db = (struct sq_db *)base;
	struct sq_conn *c = (struct sq_conn *)cb;
	rollback_open(c);
	drop_write_lock(c);
	rollback_open(c);
	if (c->own.streaming && c->own.h) {
		/* Outside any transaction: the map may change now. */
		sqlite3_exec(c->own.h, PRAGMA_READ_DEFAULT, NULL, NULL, NULL);
		c->own.streaming = 0;
	}
	pthread_mutex_lock(&db->lock);
	c->in_use = 0;
	pthread_cond_signal(&db->freed);
	pthread_mutex_unlock(&db->lock);
}

static int sq_exec_script(struct db_conn *cb, const char *sql)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	char *msg = NULL;
	int rc = sqlite3_exec(c->cur->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(c->err, sizeof c->err, "%s", msg ? msg : sqlite3_errmsg(c->cur->h));
		sqlite3_free(msg);
		return map_rc(rc);
	}
	return DB_OK;
}

static int sq_begin(struct db_conn *cb, const char *tenant_id, int write)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	struct sq_db *db = (struct sq_db *)c->base.db;
	(void)tenant_id;   /* SQLite has no RLS: the store scopes every query */
	if (!write)
		return run_control(c, sql_begin);
	if (!c->holds_write) {
		pthread_mutex_lock(&db->write_lock);
		c->holds_write = 1;
		if (!db->writer.h) {
			int rc = sq_connect(db, &db->writer, c->err, sizeof c->err);
			if (rc != DB_OK) {
				drop_write_lock(c);
				return rc;
			}
		}
		c->cur = &db->writer;
	}
	int rc = run_control(c, sql_begin_immediate);
	if (rc != DB_OK)
		drop_write_lock(c);
	return rc;
}

/* PASSIVE: copies what it can without waiting for readers or blocking
 * writers; whatever it cannot copy now goes next time.  An error loses
 * nothing, the WAL keeps the pages. */
static void *checkpoint_main(void *arg)
{
	struct sq_db *db = arg;
	char err[256];

	pthread_mutex_lock(&db->lock);
	while (!db->stopping) {
		if (!db->checkpoint_wanted) {
			pthread_cond_wait(&db->checkpoint_due, &db->lock);
			continue;
		}
		db->checkpoint_wanted = 0;
		pthread_mutex_unlock(&db->lock);
		if (db->checkpoint.h || sq_connect(db, &db->checkpoint, err, sizeof err) == DB_OK)
			sqlite3_wal_checkpoint_v2(db->checkpoint.h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&db->lock);
	}
	pthread_mutex_unlock(&db->lock);
	return NULL;
}

static void request_checkpoint(struct sq_db *db, struct sq_conn *c)
{
	pthread_mutex_lock(&db->lock);
	if (!db->checkpointer_started && !db->stopping &&
	    pthread_create(&db->checkpointer, NULL, checkpoint_main, db) == 0)
		db->checkpointer_started = 1;
	int threaded = db->checkpointer_started;
	db->checkpoint_wanted = 1;
	pthread_cond_signal(&db->checkpoint_due);
	pthread_mutex_unlock(&db->lock);
	/* No thread to be had: checkpoint here, still outside the lock. */
	if (!threaded)
		sqlite3_wal_checkpoint_v2(c->own.h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

static int sq_commit(struct db_conn *cb)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	struct sq_handle *hd = c->cur;
	int rc = run_control(c, sql_commit);
	if (rc != DB_OK && !sqlite3_get_autocommit(hd->h))
		return rc;
	int frames = hd->wal_frames;
	hd->wal_frames = 0;
	drop_write_lock(c);
	if (rc == DB_OK && frames >= CHECKPOINT_FRAMES)
		request_checkpoint((struct sq_db *)c->base.db, c);
	return rc;
}

static void sq_rollback(struct db_conn *cb)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	rollback_open(c);
	drop_write_lock(c);
}

/* Only inside the write transaction: a SAVEPOINT outside one would begin
 * a transaction of its own, and its RELEASE would commit it. */
static int in_write_tx(struct sq_conn *c, const char *what)
{
	if (c->holds_write && c->cur->h && !sqlite3_get_autocommit(c->cur->h))
		return 1;
	snprintf(c->err, sizeof c->err, "%s: no write transaction is open (rolled back?)", what);
	return 0;
}

static int sq_savepoint(struct db_conn *cb)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	return in_write_tx(c, "savepoint") ? run_control(c, sql_savepoint) : DB_ERROR;
}

static int sq_savepoint_release(struct db_conn *cb)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	return in_write_tx(c, "release savepoint") ? run_control(c, sql_savepoint_release) : DB_ERROR;
}

/* ROLLBACK TO keeps the savepoint open; the RELEASE after it ends it. */
static int sq_savepoint_rollback(struct db_conn *cb)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	if (!in_write_tx(c, "rollback to savepoint"))
		return DB_OK;   /* nothing left to undo */
	int rc = run_control(c, sql_savepoint_rollback);
	return rc == DB_OK ? run_control(c, sql_savepoint_release) : rc;
}

/* Bind params to st by their names ($1..$n).  text is SQLITE_STATIC for
 * db_exec (the caller's strings outlive the step) and SQLITE_TRANSIENT for
 * a cursor, which outlives its caller's frame.  Returns a DB_* code; st is
 * reset on failure. */
static int bind_params(struct sq_conn *c, sqlite3_stmt *st, const struct db_param *params,
	int nparams, sqlite3_destructor_type text)
{
	int count = sqlite3_bind_parameter_count(st), rc = SQLITE_OK;
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
			rc = sqlite3_bind_text(st, i, p->text, -1, text);
		else if (p->kind == DBP_INT)
			rc = sqlite3_bind_int64(st, i, p->i);
		else if (p->kind == DBP_BLOB)
			rc = sqlite3_bind_blob64(st, i, p->text ? p->text : "", (sqlite3_uint64)p->i, text);
		else
			rc = sqlite3_bind_null(st, i);
		if (rc != SQLITE_OK) {
			set_err(c, "bind");
			sqlite3_reset(st);
			return map_rc(rc);
		}
	}
	return DB_OK;
}

/* The columns of st's current row appended to r (cols <= 64). */
static void add_row(sqlite3_stmt *st, int cols, struct db_res *r)
{
	const char *vals[64];
	size_t lens[64];
	int64_t ints[64];
	for (int i = 0; i < cols; i++) {
		int type = sqlite3_column_type(st, i);
		if (type == SQLITE_NULL) {
			vals[i] = NULL;
			lens[i] = 0;
		} else if (type == SQLITE_INTEGER) {
			/* Read as the int64 it is: no text round trip. */
			vals[i] = db_int_cell;
			lens[i] = 0;
			ints[i] = sqlite3_column_int64(st, i);
		} else if (type == SQLITE_BLOB) {
			/* A zero-length BLOB reads as a NULL pointer. */
			const void *b = sqlite3_column_blob(st, i);
			lens[i] = (size_t)sqlite3_column_bytes(st, i);
			vals[i] = b ? (const char *)b : "";
		} else {
			vals[i] = (const char *)sqlite3_column_text(st, i);
			lens[i] = (size_t)sqlite3_column_bytes(st, i);
		}
	}
	db_res_add_row_typed(r, vals, lens, ints);
}

/* A step that did not end in SQLITE_DONE as a DB_* code.  SUM() over
 * integers raises a plain SQLITE_ERROR; its message is the only sign of
 * an overflow. */
static int step_error(struct sq_conn *c, int rc)
{
	set_err(c, "step");
	int overflow = (rc & 0xff) == SQLITE_ERROR &&
		strcmp(sqlite3_errmsg(c->cur->h), "integer overflow") == 0;
	return overflow ? DB_OVERFLOW : map_rc(rc);
}

static int column_count(sqlite3_stmt *st)
{
	int cols = sqlite3_column_count(st);
	assert(cols <= 64 && "no statement selects more than 64 columns");
	return cols > 64 ? 64 : cols;
}

static int sq_exec(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, struct db_res **res)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	int rc = SQLITE_OK;
	sqlite3_stmt *st = prepare_cached(c, sql, &rc);
	if (!st)
		return map_rc(rc);
	rc = bind_params(c, st, params, nparams, SQLITE_STATIC);
	if (rc != DB_OK)
		return rc;

	int cols = column_count(st);
	struct db_res *r = res ? db_res_new(cols) : NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r)
			add_row(st, cols, r);
	}
	if (rc != SQLITE_DONE) {
		int err = step_error(c, rc);
		sqlite3_reset(st);
		db_res_free(r);
		return err;
	}
	sqlite3_reset(st);
	if (res)
		*res = r;
	return DB_OK;
}

/* A cursor is a statement of its own, finalized on close: the shared
 * cache's statements are reset by every db_exec of the same text. */
struct sq_cursor {
	struct db_cursor base;
	sqlite3_stmt *st;
	int done;
};

/* Switch the connection's own handle to PRAGMA_READ_STREAM for a cursor
 * (sq_release switches it back): a smaller page cache, so a scan does not
 * push out the pages requests read.  SQLite resizes the cache at any time;
 * a write transaction keeps its cache, where a smaller one would spill its
 * changed pages early. */
static int stream_mode(struct sq_conn *c)
{
	struct sq_handle *hd = c->cur;
	if (hd != &c->own || hd->streaming || c->holds_write)
		return DB_OK;
	sqlite3_exec(hd->h, PRAGMA_READ_STREAM, NULL, NULL, NULL);
	hd->streaming = 1;
	return DB_OK;
}

static int sq_cursor_open(struct db_conn *cb, const char *sql, const struct db_param *params,
	int nparams, struct db_cursor **out)
{
	struct sq_conn *c = (struct sq_conn *)cb;
	sqlite3_stmt *st = NULL;
	int rc = stream_mode(c);
	if (rc != DB_OK)
		return rc;
	rc = sqlite3_prepare_v2(c->cur->h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(c, "prepare");
		sqlite3_finalize(st);
		return map_rc(rc);
	}
	rc = bind_params(c, st, params, nparams, SQLITE_TRANSIENT);
	if (rc != DB_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	struct sq_cursor *cur = calloc(1, sizeof *cur);
	if (!cur)
		abort();
	cur->base.conn = cb;
	cur->st = st;
	*out = &cur->base;
	return DB_OK;
}

static int sq_cursor_fetch(struct db_cursor *base, int max_rows, struct db_res **res)
{
	struct sq_cursor *cur = (struct sq_cursor *)base;
	struct sq_conn *c = (struct sq_conn *)base->conn;
	int cols = column_count(cur->st);
	struct db_res *r = db_res_new(cols);
	while (!cur->done && db_res_rows(r) < max_rows) {
		int rc = sqlite3_step(cur->st);
		if (rc == SQLITE_ROW) {
			add_row(cur->st, cols, r);
		} else if (rc == SQLITE_DONE) {
			cur->done = 1;
		} else {
			db_res_free(r);
			return step_error(c, rc);
		}
	}
	*res = r;
	return DB_OK;
}

static void sq_cursor_close(struct db_cursor *base)
{
	struct sq_cursor *cur = (struct sq_cursor *)base;
	sqlite3_finalize(cur->st);
	free(cur);
}

static int64_t sq_changes(struct db_conn *cb)
{
	return sqlite3_changes64(((struct sq_conn *)cb)->cur->h);
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
	.cursor_open = sq_cursor_open, .cursor_fetch = sq_cursor_fetch, .cursor_close = sq_cursor_close,
	.savepoint = sq_savepoint, .savepoint_release = sq_savepoint_release,
	.savepoint_rollback = sq_savepoint_rollback,
};

/* Before SQLite initialises: without memory statistics its allocator
 * takes no global mutex, which every connection's thread would share. */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Owner-only, whatever an older version or another tool left. */
static void tighten(int fd, const char *path)
{
	struct stat st;
	if ((fd >= 0 ? fstat(fd, &st) : stat(path, &st)) == 0 && (st.st_mode & 077)) {
		if (fd >= 0)
			(void)fchmod(fd, 0600);
		else
			(void)chmod(path, 0600);
	}
}

/* The database holds password hashes and customers' details.  SQLite
 * creates it as 0644 less the umask, and gives its -wal, -shm and journal
 * files the database file's mode; so the file is made (or kept) 0600
 * here, before SQLite opens it, and the side files are made so too. */
static int restrict_files(const char *path, char *err, size_t errlen)
{
	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 0;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "sqlite \"%s\": cannot open: %s", path, strerror(errno));
		return -1;
	}
	tighten(fd, path);
	close(fd);
	static const char *const side[] = { "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
		char p[4200];
		snprintf(p, sizeof p, "%s%s", path, side[i]);
		tighten(-1, p);
	}
	return 0;
}

int db_sqlite_open(const char *path, int pool_size, struct db **out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!path || !*path) {
		snprintf(err, errlen, "sqlite: a file path is required (sqlite:./data/quantumtrack.db)");
		return DB_ERROR;
	}
	pthread_once(&once, configure_sqlite);
	if (restrict_files(path, err, errlen) < 0)
		return DB_UNAVAILABLE;
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
	for (int i = 0; i < db->size; i++) {
		db->conns[i].base.db = &db->base;
		db->conns[i].cur = &db->conns[i].own;
	}
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->freed, NULL);
	pthread_cond_init(&db->checkpoint_due, NULL);
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
