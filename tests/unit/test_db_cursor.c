/*
 * test_db_cursor.c — the driver's cursors (db_cursor_*), on SQLite and,
 * when QT_PG_OWNER_URL is set (tests/lib/pg.sh start DIR prints it), on
 * PostgreSQL: a result read in batches comes out whole and in order,
 * other statements run between fetches, the parameters are copied, a
 * failure is reported as the matching DB_* code, and a cursor closed after
 * its transaction ended is only freed.  Without PostgreSQL those cases
 * report as skipped and pass.  On SQLite a cursor reads without the
 * memory map and with a small page cache (an export must not map the whole
 * database into the server), and the connection gets both back when it
 * returns to the pool.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
/* Reaches inside the store: the driver is private. */
#define QT_STORE_PRIVATE 1
#include "store/db.h"

/* Numbers 1..$1 with a label from $2; the same text on both engines. */
static const char series_sql[] =
	"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $1)"
	" SELECT g, $2 || g FROM s ORDER BY g";
static const char one_sql[] = "SELECT 41 + 1";
static const char overflow_sql[] =
	"SELECT CAST(SUM(v) AS BIGINT) FROM (SELECT 9223372036854775807 AS v UNION ALL SELECT 1) AS x";

static struct db *open_sqlite(char path[32])
{
	char err[256];
	struct db *db = NULL;
	snprintf(path, 32, "/tmp/qt-cursor-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	char url[64];
	snprintf(url, sizeof url, "sqlite:%s", path);
	if (db_open(url, 2, &db, err, sizeof err) != DB_OK) {
		fprintf(stderr, "  sqlite: %s\n", err);
		return NULL;
	}
	return db;
}

static void remove_sqlite(const char *path)
{
	char side[48];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static struct db *open_pg(void)
{
	const char *url = getenv("QT_PG_OWNER_URL");
	char err[256];
	struct db *db = NULL;
	if (!url || !*url)
		return NULL;
	if (db_open(url, 2, &db, err, sizeof err) != DB_OK) {
		fprintf(stderr, "  postgres: %s\n", err);
		return NULL;
	}
	return db;
}

/* 1000 rows in batches of 300: 300, 300, 300, 100, then nothing; every
 * row in order; a statement between fetches; the label parameter lives
 * in a buffer overwritten right after the open. */
static void batches_come_whole_and_in_order(struct db *db, int *check_failed)
{
	struct db_conn *c;
	struct db_cursor *cur = NULL;
	char label[16];
	CHECK_INT(db_acquire(db, &c), DB_OK);
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	snprintf(label, sizeof label, "row ");
	struct db_param p[] = { DB_INT(1000), DB_TEXT(label) };
	CHECK_INT(db_cursor_open(c, series_sql, p, 2, &cur), DB_OK);
	memset(label, 'x', sizeof label - 1);
	label[sizeof label - 1] = '\0';
	int64_t next = 1;
	const int want[] = { 300, 300, 300, 100, 0, 0 };
	for (size_t b = 0; cur && b < sizeof want / sizeof want[0]; b++) {
		struct db_res *r = NULL;
		CHECK_INT(db_cursor_fetch(cur, 300, &r), DB_OK);
		CHECK_INT(db_res_rows(r), want[b]);
		for (int i = 0; i < db_res_rows(r); i++, next++) {
			char expect[32];
			snprintf(expect, sizeof expect, "row %lld", (long long)next);
			CHECK_INT(db_res_int(r, i, 0), next);
			CHECK_STR(db_res_text(r, i, 1), expect);
		}
		db_res_free(r);
		/* Another statement on the same connection, mid-cursor. */
		struct db_res *o = NULL;
		CHECK_INT(db_exec(c, one_sql, NULL, 0, &o), DB_OK);
		CHECK_INT(db_res_int(o, 0, 0), 42);
		db_res_free(o);
	}
	CHECK_INT(next, 1001);
	db_cursor_close(cur);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(db, c);
}

static void failures_are_reported(struct db *db, int *check_failed)
{
	struct db_conn *c;
	struct db_cursor *cur = NULL;
	struct db_res *r = NULL;
	CHECK_INT(db_acquire(db, &c), DB_OK);

	/* A statement that does not compile. */
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	CHECK_INT(db_cursor_open(c, "SELECT nope FROM nowhere", NULL, 0, &cur), DB_ERROR);
	CHECK(cur == NULL);
	db_rollback(c);

	/* A sum past int64 fails its fetch as DB_OVERFLOW (PostgreSQL may
	 * already refuse it at the open, when it plans the constant). */
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	int rc = db_cursor_open(c, overflow_sql, NULL, 0, &cur);
	if (rc == DB_OK) {
		CHECK_INT(db_cursor_fetch(cur, 10, &r), DB_OVERFLOW);
		CHECK(r == NULL);
		db_cursor_close(cur);
	} else {
		CHECK_INT(rc, DB_OVERFLOW);
	}
	db_rollback(c);

	/* Closed after its transaction was rolled back: only freed, and the
	 * connection is fine for the next transaction. */
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	struct db_param p[] = { DB_INT(5), DB_TEXT("n") };
	cur = NULL;
	CHECK_INT(db_cursor_open(c, series_sql, p, 2, &cur), DB_OK);
	CHECK_INT(db_cursor_fetch(cur, 2, &r), DB_OK);
	CHECK_INT(db_res_rows(r), 2);
	db_res_free(r);
	db_rollback(c);
	db_cursor_close(cur);
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	r = NULL;
	CHECK_INT(db_exec(c, one_sql, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 42);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(db, c);
}

/* A cursor left open when the connection goes back to the pool does not
 * poison it (the driver rolls the transaction back on release). */
static void release_with_an_open_transaction_is_clean(struct db *db, int *check_failed)
{
	struct db_conn *c;
	struct db_cursor *cur = NULL;
	struct db_res *r = NULL;
	struct db_param p[] = { DB_INT(50), DB_TEXT("n") };
	CHECK_INT(db_acquire(db, &c), DB_OK);
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	CHECK_INT(db_cursor_open(c, series_sql, p, 2, &cur), DB_OK);
	CHECK_INT(db_cursor_fetch(cur, 10, &r), DB_OK);
	db_res_free(r);
	db_cursor_close(cur);
	db_release(db, c);
	CHECK_INT(db_acquire(db, &c), DB_OK);
	CHECK_INT(db_begin(c, NULL, 1), DB_OK);
	r = NULL;
	CHECK_INT(db_exec(c, one_sql, NULL, 0, &r), DB_OK);
	CHECK_INT(db_res_int(r, 0, 0), 42);
	db_res_free(r);
	CHECK_INT(db_commit(c), DB_OK);
	db_release(db, c);
}

TEST(sqlite_cursor_reads_in_batches)
{
	char path[32];
	struct db *db = open_sqlite(path);
	CHECK(db != NULL);
	if (!db)
		return;
	batches_come_whole_and_in_order(db, check_failed);
	failures_are_reported(db, check_failed);
	release_with_an_open_transaction_is_clean(db, check_failed);
	db_close(db);
	remove_sqlite(path);
}

static int64_t pragma(struct db_conn *c, const char *sql)
{
	struct db_res *r = NULL;
	int64_t v = -1;
	if (db_exec(c, sql, NULL, 0, &r) == DB_OK && db_res_rows(r) == 1)
		v = db_res_int(r, 0, 0);
	db_res_free(r);
	return v;
}

static const char mmap_sql[] = "PRAGMA mmap_size";
static const char cache_sql[] = "PRAGMA cache_size";

TEST(sqlite_cursor_reads_through_a_small_cache_until_released)
{
	char path[32];
	struct db *db = open_sqlite(path);
	CHECK(db != NULL);
	if (!db)
		return;
	struct db_conn *c;
	struct db_cursor *cur = NULL;
	struct db_res *r = NULL;
	struct db_param p[] = { DB_INT(3), DB_TEXT("n") };
	CHECK_INT(db_acquire(db, &c), DB_OK);
	/* No memory map at all (db_sqlite.c says why), a 16 MiB cache. */
	CHECK_INT(pragma(c, mmap_sql), 0);
	CHECK_INT(pragma(c, cache_sql), -16384);
	/* A read transaction that has read already: the cache shrinks in it. */
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	CHECK_INT(pragma(c, one_sql), 42);
	CHECK_INT(db_cursor_open(c, series_sql, p, 2, &cur), DB_OK);
	CHECK_INT(pragma(c, cache_sql), -2048);
	CHECK_INT(db_cursor_fetch(cur, 10, &r), DB_OK);
	CHECK_INT(db_res_rows(r), 3);
	db_res_free(r);
	db_cursor_close(cur);
	db_rollback(c);
	db_release(db, c);
	/* Back in the pool with the defaults. */
	CHECK_INT(db_acquire(db, &c), DB_OK);
	CHECK_INT(pragma(c, mmap_sql), 0);
	CHECK_INT(pragma(c, cache_sql), -16384);
	/* A write transaction keeps its cache. */
	CHECK_INT(db_begin(c, NULL, 1), DB_OK);
	cur = NULL;
	CHECK_INT(db_cursor_open(c, series_sql, p, 2, &cur), DB_OK);
	CHECK_INT(pragma(c, cache_sql), -16384);
	db_cursor_close(cur);
	db_rollback(c);
	db_release(db, c);
	db_close(db);
	remove_sqlite(path);
}

TEST(postgres_cursor_reads_in_batches)
{
	struct db *db = open_pg();
	if (!db) {
		printf("# skipped: QT_PG_OWNER_URL not set\n");
		return;
	}
	batches_come_whole_and_in_order(db, check_failed);
	failures_are_reported(db, check_failed);
	release_with_an_open_transaction_is_clean(db, check_failed);
	db_close(db);
}

CHECK_MAIN()
