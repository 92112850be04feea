/* migrate.c — apply the dialect's migrations in order, one transaction each. */
#include <stdio.h>

#include "store/migrate.h"
#include "util/clock.h"

static const char create_versions[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static const struct migration *dialect_list(struct db *db, size_t *n)
{
	if (db_dialect_of(db) == DB_POSTGRES) {
		*n = migrations_postgres_count;
		return migrations_postgres;
	}
	*n = migrations_sqlite_count;
	return migrations_sqlite;
}

/* *applied = 1 when `version` is recorded; a DB_* code. */
static int version_applied(struct db_conn *c, int version, int *applied)
{
	struct db_res *r = NULL;
	struct db_param p[1] = { DB_INT(version) };
	int rc = db_exec(c, "SELECT count(*) FROM schema_migrations WHERE version = $1", p, 1, &r);
	if (rc == DB_OK)
		*applied = db_res_int(r, 0, 0) > 0;
	db_res_free(r);
	return rc;
}

/*
 * The version the database is at: the last of the dialect's migrations
 * before the first one not applied.  Versions are written in parallel
 * branches, so a database may hold 4 and not yet 3: it is then at 2, and
 * migrate_run applies 3.
 */
int migrate_current_version(struct db *db)
{
	struct db_conn *c;
	size_t n;
	const struct migration *list = dialect_list(db, &n);
	int v = 0;
	if (db_acquire(db, &c) != DB_OK)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int applied = 0;
		if (version_applied(c, list[i].version, &applied) != DB_OK || !applied)
			break;
		v = list[i].version;
	}
	db_release(db, c);
	return v;
}

int migrate_run(struct db *db, int *applied, char *err, size_t errlen)
{
	size_t n;
	const struct migration *list = dialect_list(db, &n);
	struct db_conn *c;
	int rc;

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
		/* Each version by itself, not "above the highest": one written
		 * later may have landed first (see migrate_current_version). */
		int have = 0;
		if (rc == DB_OK)
			rc = version_applied(c, list[i].version, &have);
		if (rc != DB_OK) {
			snprintf(err, errlen, "migrate: reading schema_migrations: %s", db_conn_error(c));
			db_rollback(c);
			goto out;
		}
		if (have) {
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
