/*
 * store_internal.h — what the store modules (the .c files in src/store)
 * share and nothing outside src/store may see: the SQL driver, the fields
 * of a transaction, and the shorthands every module uses.  Callers get
 * typed records through store*.h instead.
 */
#ifndef QT_STORE_INTERNAL_H
#define QT_STORE_INTERNAL_H

/* Private to src/store/ (the Makefile defines QT_STORE_PRIVATE for those
 * files; a unit test that reaches inside defines it itself). */
#ifndef QT_STORE_PRIVATE
#error "store/store_internal.h is private to src/store/: use the typed functions of store/store*.h"
#endif

#include "store/db.h"
#include "store/store.h"

struct store_tx {
	struct store *store;
	struct db_conn *conn;
	char tenant_id[37];       /* "" for platform transactions */
	int write;
	struct store_actor actor; /* every field set (defaults "system", "") */
};

/* Map a DB_* code to a STORE_* code. */
int store_map(int db_rc);
/* db_exec on the transaction's connection, logging faults (not constraint
 * violations) with the database's message.  Returns a STORE_* code. */
QT_MUST_CHECK int store_exec(struct store_tx *tx, const char *sql, const struct db_param *p,
	int n, struct db_res **res);
/* Copy a result cell into the arena (NULL stays NULL). */
char *store_dup(struct arena *a, const struct db_res *r, int row, int col);
enum db_dialect store_dialect(const struct store *s);

/* 1 on PostgreSQL (for the few statements whose locking differs). */
static inline int store_is_pg(struct store_tx *tx)
{
	return db_conn_dialect(tx->conn) == DB_POSTGRES;
}

/* v as a parameter when has, else NULL. */
static inline struct db_param store_opt_int(int has, int64_t v)
{
	return has ? DB_INT(v) : DB_NULLP;
}

#endif
