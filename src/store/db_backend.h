/*
 * db_backend.h — what a database backend provides to db_common.c.  Only
 * the backends and db_common.c include this.
 */
#ifndef QT_STORE_DB_BACKEND_H
#define QT_STORE_DB_BACKEND_H

#include "store/db.h"

struct db_ops {
	void (*close)(struct db *db);
	int (*acquire)(struct db *db, struct db_conn **out);
	void (*release)(struct db *db, struct db_conn *c);
	int (*begin)(struct db_conn *c, const char *tenant_id, int write);
	int (*commit)(struct db_conn *c);
	void (*rollback)(struct db_conn *c);
	int (*exec_script)(struct db_conn *c, const char *sql);
	int (*exec)(struct db_conn *c, const char *sql, const struct db_param *params,
		int nparams, struct db_res **res);
	/* NULL: db_exec_later runs the statement at once. */
	int (*exec_later)(struct db_conn *c, const char *sql, const struct db_param *params,
		int nparams, int64_t *first_int);
	int64_t (*changes)(struct db_conn *c);
	const char *(*error)(const struct db_conn *c);
	int (*ping)(struct db *db);
	int (*cursor_open)(struct db_conn *c, const char *sql, const struct db_param *params,
		int nparams, struct db_cursor **out);
	int (*cursor_fetch)(struct db_cursor *cur, int max_rows, struct db_res **res);
	void (*cursor_close)(struct db_cursor *cur);
	/* Optional (NULL: the backend has none; db.h says what callers get). */
	int (*savepoint)(struct db_conn *c);
	int (*savepoint_release)(struct db_conn *c);
	int (*savepoint_rollback)(struct db_conn *c);
	uint64_t (*commit_lsn)(const struct db_conn *c);
};

/* Every backend's pool and connection structs start with these. */
struct db {
	const struct db_ops *ops;
	enum db_dialect dialect;
};

struct db_conn {
	struct db *db;
};

/* Every backend's cursor struct starts with this. */
struct db_cursor {
	struct db_conn *conn;
};

int db_sqlite_open(const char *path, int pool_size, struct db **out, char *err, size_t errlen);
int db_pg_open(const char *url, int pool_size, struct db **out, char *err, size_t errlen);

#endif
