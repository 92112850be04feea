/*
 * store_internal.h — what the store modules (the .c files in src/store)
 * share and nothing outside src/store may see.
 */
#ifndef QT_STORE_INTERNAL_H
#define QT_STORE_INTERNAL_H

#include "store/store.h"

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
