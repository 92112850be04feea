/* migrate.c — apply the dialect's migrations in order, one transaction each. */
#include <stdio.h>

#include "store/migrate.h"
#include "util/clock.h"

static const char create_versions[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/* The highest version applied into *v; a DB_* code. */
static int current_version(struct db_conn *c, int *v)
{
	struct db_res *r = NULL;
	int rc = db_exec(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0, &r);
	if (rc == DB_OK)
		*v = (int)db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int migrate_current_version(struct db *db)
{
	struct db_conn *c;
	int v = 0;
	if (db_acquire(db, &c) != DB_OK)
		return 0;
	if (current_version(c, &v) != DB_OK)
		v = 0;
	db_release(db, c);
	return v;
}

int migrate_run(struct db *db, int *applied, char *err, size_t errlen)
{
	const struct migration *list = migrations_sqlite;
	size_t n = migrations_sqlite_count;
	struct db_conn *c;
	int rc;

	if (db_dialect_of(db) == DB_POSTGRES) {
		list = migrations_postgres;
		n = migrations_postgres_count;
	}
	if (applied)
		*applied = 0;
	rc = db_acquire(db, &c);
	if (rc != DB_OK) {
		snprintf(err, errlen, "migrate: cannot connect to the database");
		return rc;
	}
	rc = db_exec_script(c, create_versions);
	if (rc != DB_OK) {
		snprintf(err, errlen, "migrate: %s", db_conn_error(c));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		/* Re-read inside the write transaction so two processes migrating
		 * at once apply each version exactly once. */
		rc = db_begin(c, NULL, 1);
		if (rc != DB_OK) {
			snprintf(err, errlen, "migrate: begin: %s", db_conn_error(c));
			goto out;
		}
		/* A failed lock would let two processes apply the same version;
		 * a failed read would try to apply one again. */
		if (db_conn_dialect(c) == DB_POSTGRES)
			rc = db_exec_script(c, "LOCK TABLE schema_migrations IN EXCLUSIVE MODE");
		int have = 0;
		if (rc == DB_OK)
			rc = current_version(c, &have);
		if (rc != DB_OK) {
			snprintf(err, errlen, "migrate: reading schema_migrations: %s", db_conn_error(c));
			db_rollback(c);
			goto out;
		}
		if (have >= list[i].version) {
			db_rollback(c);
			continue;
		}
		rc = db_exec_script(c, list[i].sql);
		if (rc == DB_OK) {
			struct db_param p[3] = { DB_INT(list[i].version), DB_TEXT(list[i].name),
				DB_INT(clock_now_ms()) };
			rc = db_exec(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				p, 3, NULL);
		}
		if (rc == DB_OK)
			rc = db_commit(c);
		if (rc != DB_OK) {
			snprintf(err, errlen, "migrate: version %d (%s): %s", list[i].version,
				list[i].name, db_conn_error(c));
			db_rollback(c);
			goto out;
		}
		if (applied)
			(*applied)++;
	}
out:
	db_release(db, c);
	return rc;
}
