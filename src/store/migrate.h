/*
 * migrate.h — versioned schema migrations, one sequence per dialect with
 * the same version numbers, table names and column names.
 */
#ifndef QT_STORE_MIGRATE_H
#define QT_STORE_MIGRATE_H

#include <stddef.h>
#include "store/db.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations_sqlite[];
extern const size_t migrations_sqlite_count;
extern const struct migration migrations_postgres[];
extern const size_t migrations_postgres_count;

/* Apply every migration not yet applied, in order, each in its own
 * transaction.  *applied receives how many ran (may be NULL).  Returns a DB_*
 * code with a message in err. */
int migrate_run(struct db *db, int *applied, char *err, size_t errlen);
/* The version the database is at (0 when none): the last migration before
 * the first one not applied, so a gap left by a later version that landed
 * first counts as not migrated. */
int migrate_current_version(struct db *db);

#endif
