/*
 * db.h — the SQL driver under the store: one small interface, two backends
 * (SQLite in db_sqlite.c, PostgreSQL in db_pg.c).
 *
 * The store writes each statement once, in the dialect both engines accept:
 * numbered parameters $1..$n (SQLite treats "$1" as a named parameter; the
 * driver binds by name), integers for booleans and for times (unix
 * milliseconds), text for ids.  Every statement is prepared once per
 * connection and cached by the address of its SQL text, so pass string
 * literals (or strings that live as long as the db).
 *
 * A parameter that may be NULL must first appear where PostgreSQL can infer
 * its type: write "(col = $2 OR $2 IS NULL)", never "($2 IS NULL OR ...)".
 * Behind PgBouncer in transaction mode add ?statement_cache=off to the URL
 * (unnamed statements, still with separate parameters).
 *
 * Tenant context: db_begin() takes the tenant id.  On PostgreSQL
 * set_config('app.tenant_id', id, true) runs inside the transaction, which
 * Row Level Security reads; on SQLite it is only recorded.  The store layer
 * (store.c) is the only caller.
 */
#ifndef QT_STORE_DB_H
#define QT_STORE_DB_H

/* Private to src/store/ (the Makefile defines QT_STORE_PRIVATE for those
 * files; a unit test that reaches inside defines it itself). */
#ifndef QT_STORE_PRIVATE
#error "store/db.h is private to src/store/: use the typed functions of store/store*.h"
#endif

#include <stddef.h>
#include <stdint.h>

/* A result that must be looked at: ignoring a returned error code is a
 * bug (gcc's warn_unused_result is not silenced by a (void) cast). */
#ifndef QT_MUST_CHECK
#define QT_MUST_CHECK __attribute__((warn_unused_result))
#endif

enum db_dialect { DB_SQLITE = 1, DB_POSTGRES = 2 };

enum {
	DB_OK = 0,
	DB_ERROR = -1,        /* anything else: message in db_conn_error() */
	DB_UNAVAILABLE = -2,  /* cannot reach the database */
	DB_CONSTRAINT = -3,   /* unique or foreign-key or check violation */
	DB_BUSY = -4,         /* lock timeout / serialization failure: retry */
	DB_OVERFLOW = -5,     /* an integer result past int64: SQLite's "integer
				 overflow" from SUM(), PostgreSQL's SQLSTATE 22003
				 (e.g. CAST(SUM(x) AS BIGINT) out of range) */
};

struct db;
struct db_conn;
struct db_res;

enum db_param_kind { DBP_NULL = 0, DBP_TEXT, DBP_INT, DBP_BLOB };
struct db_param {
	enum db_param_kind kind;
	const char *text;   /* DBP_TEXT; DBP_BLOB: its bytes */
	int64_t i;          /* DBP_INT; DBP_BLOB: their length */
};
static inline struct db_param db_text_param(const char *s)
{
	struct db_param p = { .kind = s ? DBP_TEXT : DBP_NULL, .text = s, .i = 0 };
	return p;
}
#define DB_TEXT(s) db_text_param(s)
#define DB_INT(v) ((struct db_param){ .kind = DBP_INT, .i = (int64_t)(v) })
#define DB_NULLP ((struct db_param){ .kind = DBP_NULL })
/* Bytes (a BLOB on SQLite, bytea on PostgreSQL, sent in binary). */
#define DB_BLOB(p, n) ((struct db_param){ .kind = DBP_BLOB, .text = (const char *)(p), .i = (int64_t)(n) })

/* Open a pool of up to pool_size connections for "sqlite:PATH" or
 * "postgres://..." / "postgresql://...".  For SQLite the file's directory
 * must exist.  On failure returns a DB_* code and a message in err. */
QT_MUST_CHECK int db_open(const char *url, int pool_size, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);
enum db_dialect db_dialect_of(const struct db *db);

/* Check a connection out of the pool (blocks while all are busy) and back.
 * db_acquire returns DB_UNAVAILABLE when no connection can be made. */
QT_MUST_CHECK int db_acquire(struct db *db, struct db_conn **out);
void db_release(struct db *db, struct db_conn *c);

/* Transactions.  write=1 takes the write lock up front on SQLite (BEGIN
 * IMMEDIATE) so a read-check-write sequence is atomic.  tenant_id may be
 * NULL for platform work.  A transaction that changes anything must be
 * begun with write=1.
 *
 * On PostgreSQL db_begin sends nothing: the first db_exec (or
 * db_exec_script) sends BEGIN and set_config with its statement in one
 * round trip, so a failing BEGIN or set_config is reported by that call,
 * with a message starting "begin: " (db_begin itself fails only for a
 * tenant id over 63 bytes).  A transaction in which nothing ran commits
 * without a round trip.  db_commit of a write=0 transaction that ran only
 * SELECTs and did not fail returns without waiting for the server's answer
 * (the snapshot had nothing to make durable); the answer is read before
 * the connection's next use, and a connection whose COMMIT failed is
 * replaced then.  Every other db_commit waits and reports the outcome. */
QT_MUST_CHECK int db_begin(struct db_conn *c, const char *tenant_id, int write);
QT_MUST_CHECK int db_commit(struct db_conn *c);
/* PostgreSQL: the server's WAL position (pg_current_wal_insert_lsn(), as
 * util/lsn.h's number) read in the same round trip as this connection's
 * last db_commit that waited for its answer (every commit that changed
 * anything), once that commit succeeded; 0 otherwise (a read transaction,
 * a failed commit, SQLite).  A replica that has replayed up to it has
 * that commit (store/db_replica.h). */
uint64_t db_commit_lsn(const struct db_conn *c);
void db_rollback(struct db_conn *c);
/* Savepoints inside an open write transaction (SQLite only: group
 * commit, store.c).  They nest as a stack: each release or rollback ends
 * the most recent one still open.  db_savepoint never opens a transaction
 * of its own: with none open (never begun, or rolled back by SQLite after
 * an I/O error) it fails with DB_ERROR, and so does db_savepoint_release.
 * db_savepoint_rollback undoes what ran since the savepoint and ends it
 * (DB_OK; with no transaction open there is nothing to undo, also DB_OK);
 * a failure leaves the stack as it was, so the transaction can only be
 * rolled back.  On PostgreSQL all three return DB_ERROR. */
QT_MUST_CHECK int db_savepoint(struct db_conn *c);
QT_MUST_CHECK int db_savepoint_release(struct db_conn *c);
QT_MUST_CHECK int db_savepoint_rollback(struct db_conn *c);
/* Run statements with no parameters and no results (migrations). */
QT_MUST_CHECK int db_exec_script(struct db_conn *c, const char *sql);

/* Run one statement.  res may be NULL when no rows are wanted; otherwise
 * *res receives every row (free with db_res_free).  Returns a DB_* code. */
QT_MUST_CHECK int db_exec(struct db_conn *c, const char *sql, const struct db_param *params,
	int nparams, struct db_res **res);
/* A statement inside a write transaction whose outcome nobody needs
 * before the transaction's next statement or its commit, and whose
 * failure fails the transaction (an INSERT of fresh ids, an UPDATE of a
 * row already locked, the audit chain's append).  SQLite runs it at once.
 * PostgreSQL sends it in the connection's pipeline and goes on: its result
 * comes back in the round trip of the next db_exec or db_commit, which
 * reports its failure as their own (the rest of the pipeline is skipped,
 * the transaction must roll back).  No rows, and db_changes says 0.  The
 * params are copied at the call: they need not outlive it.  first_int,
 * when not NULL, receives the first column of the first row (if any) by
 * the time that next statement or commit returns: it must stay valid
 * until then. */
QT_MUST_CHECK int db_exec_later(struct db_conn *c, const char *sql, const struct db_param *params,
	int nparams, int64_t *first_int);
/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t db_changes(struct db_conn *c);

int db_res_rows(const struct db_res *r);
int db_res_cols(const struct db_res *r);
/* NULL for SQL NULL; the string lives as long as the result.  r must be a
 * result and row/col inside it (asserted, as for db_res_int/_isnull). */
const char *db_res_text(const struct db_res *r, int row, int col);
/* 0 for NULL or non-numeric text. */
int64_t db_res_int(const struct db_res *r, int row, int col);
int db_res_isnull(const struct db_res *r, int row, int col);
/* The length in bytes of a cell (0 for NULL): what a BLOB or bytea
 * column needs, since its bytes may hold NULs.  db_res_text gives the
 * bytes (SQLite's BLOB and PostgreSQL's bytea both come back raw). */
size_t db_res_len(const struct db_res *r, int row, int col);
void db_res_free(struct db_res *r);

/* Cursors: a SELECT too large to hold (an export) read a batch of rows
 * at a time, inside the connection's open transaction and its snapshot.
 * SQLite steps a prepared statement of the cursor's own (not the shared
 * cache), reading without the memory map and through a 2 MiB page cache
 * (a scan of the whole database would otherwise leave every page it
 * touched mapped into the process) until the connection goes back to the
 * pool; since the map can only change between transactions, a read
 * transaction with no statement running is ended and begun again first,
 * so the cursor reads a snapshot taken at its first row.  PostgreSQL
 * DECLAREs a NO SCROLL cursor in the transaction and FETCHes from it, so
 * the server keeps the rest of the result and the client holds one batch.
 * Other statements may run on the connection between fetches.
 *
 * db_cursor_open: sql is any SELECT (it need not be a literal: it is not
 * cached) and params are copied, so neither need outlive the call.  On
 * PostgreSQL it starts the transaction db_begin recorded, when none ran
 * yet.  Returns a DB_* code; *out is set only on DB_OK.
 * db_cursor_fetch: the next rows, at most max_rows (> 0), into *res (free
 * with db_res_free); fewer than max_rows (0 too) only once the result is
 * used up.  Returns a DB_* code (DB_OVERFLOW as db_exec); after an error
 * the cursor can only be closed.
 * db_cursor_close: ends the cursor and frees it; NULL is fine.  Close it
 * before the transaction ends; a cursor whose transaction already ended
 * (rolled back, or the connection was lost) is only freed. */
struct db_cursor;
QT_MUST_CHECK int db_cursor_open(struct db_conn *c, const char *sql, const struct db_param *params,
	int nparams, struct db_cursor **out);
QT_MUST_CHECK int db_cursor_fetch(struct db_cursor *cur, int max_rows, struct db_res **res);
void db_cursor_close(struct db_cursor *cur);

/* Last error message on this connection (never NULL). */
const char *db_conn_error(const struct db_conn *c);
enum db_dialect db_conn_dialect(const struct db_conn *c);
/* 1 when the connection's database answers a trivial query. */
int db_ping(struct db *db);

/* PostgreSQL only: the SCRAM-SHA-256 verifier of password for role,
 * computed here by libpq (PQencryptPasswordConn), so that a statement
 * setting a role's password never carries the password itself.  malloc'd;
 * NULL on failure (message in db_conn_error) or on SQLite. */
char *db_pg_password_verifier(struct db_conn *c, const char *role, const char *password);

/* PostgreSQL only: a connection of its own, outside the pool, that has
 * run LISTEN channel.  url: where to connect (NULL: the pool's URL; a
 * transaction pooler cannot carry LISTEN, so a direct URL may be given).
 * channel must be a plain identifier.  Returns DB_OK, DB_UNAVAILABLE
 * (cannot connect now: try again later; message in err), or DB_ERROR
 * (never will: on SQLite, or url NULL and the pool's URL has
 * statement_cache=off, i.e. goes through a transaction pooler). */
struct db_listener;
QT_MUST_CHECK int db_listen(struct db *db, const char *url, const char *channel,
	struct db_listener **out, char *err, size_t errlen);
/* Wait up to timeout_ms for notifications and call fn with each payload
 * (NUL-terminated, valid during the call).  Returns DB_OK (also when none
 * came), or DB_UNAVAILABLE when the connection is lost: close it and
 * listen again (notifications sent meanwhile are gone). */
QT_MUST_CHECK int db_listen_wait(struct db_listener *l, int timeout_ms,
	void (*fn)(void *cls, const char *payload), void *cls);
void db_listen_close(struct db_listener *l);

/* Shared by the backends: a materialized result set. */
struct db_res *db_res_new(int cols);
void db_res_add_row(struct db_res *r, const char *const *values, const size_t *lens);
/* The same, where a value may be db_int_cell: that cell is the integer
 * ints[col] (no text; db_res_text writes it out if ever asked). */
extern const char db_int_cell[1];
void db_res_add_row_typed(struct db_res *r, const char *const *values, const size_t *lens,
	const int64_t *ints);

#endif
