/*
 * Bytes through the SQL driver (store/db*.c): a DB_BLOB parameter reaches
 * the database as those bytes, NULs and high bytes included, and comes
 * back from a BLOB (SQLite) or bytea (PostgreSQL, sent in binary, read
 * from hex) with its length.  PostgreSQL is tried when QT_PG_APP_URL is
 * set (tests/lib/pg.sh start), SQLite always.
 */
#define QT_STORE_PRIVATE 1 /* the driver is private to src/store */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store/db.h"

TEST(cell_lengths_hold_nuls_and_skip_null_cells)
{
	struct db_res *r = db_res_new(3);
	const char *row0[] = { "a\0b", NULL, "xyz" };
	size_t lens0[] = { 3, 0, 3 };
	const char *row1[] = { NULL, "", "\0\0" };
	size_t lens1[] = { 0, 0, 2 };
	db_res_add_row(r, row0, lens0);
	db_res_add_row(r, row1, lens1);
	CHECK_INT(db_res_len(r, 0, 0), 3);
	CHECK(memcmp(db_res_text(r, 0, 0), "a\0b", 3) == 0);
	CHECK_INT(db_res_len(r, 0, 1), 0);
	CHECK_INT(db_res_len(r, 0, 2), 3);
	CHECK_INT(db_res_len(r, 1, 0), 0);
	CHECK_INT(db_res_len(r, 1, 1), 0);
	CHECK(!db_res_isnull(r, 1, 1));
	CHECK_INT(db_res_len(r, 1, 2), 2);
	db_res_free(r);
}

/* Round trip through `SELECT $1, length($1), $2` on url. */
static void round_trip(int *check_failed, const char *url)
{
	struct db *db;
	struct db_conn *c;
	struct db_res *r = NULL;
	char err[256];
	size_t n = 300 * 1024 + 7;
	unsigned char *bytes = malloc(n);
	for (size_t i = 0; i < n; i++)
		bytes[i] = (unsigned char)(i * 7 + (i >> 9));
	bytes[0] = 0;
	bytes[n - 1] = 0;

	if (db_open(url, 1, &db, err, sizeof err) != DB_OK) {
		fprintf(stderr, "  %s: %s\n", url, err);
		*check_failed = 1;
		free(bytes);
		return;
	}
	CHECK_INT(db_acquire(db, &c), DB_OK);
	CHECK_INT(db_begin(c, NULL, 0), DB_OK);
	static const char sql[] = "SELECT $1, length($1), $2";
	for (int round = 0; round < 2; round++) {   /* prepared, then cached */
		struct db_param p[2] = { DB_BLOB(bytes, n - (size_t)round), DB_TEXT("after") };
		CHECK_INT(db_exec(c, sql, p, 2, &r), DB_OK);
		CHECK_INT(db_res_rows(r), 1);
		CHECK_INT(db_res_len(r, 0, 0), n - (size_t)round);
		CHECK(memcmp(db_res_text(r, 0, 0), bytes, n - (size_t)round) == 0);
		CHECK_INT(db_res_int(r, 0, 1), (int64_t)(n - (size_t)round));
		CHECK_STR(db_res_text(r, 0, 2), "after");
		db_res_free(r);
		r = NULL;
	}
	/* No bytes at all is an empty value, not NULL. */
	struct db_param e[2] = { DB_BLOB(NULL, 0), DB_TEXT("x") };
	CHECK_INT(db_exec(c, sql, e, 2, &r), DB_OK);
	CHECK(!db_res_isnull(r, 0, 0));
	CHECK_INT(db_res_len(r, 0, 0), 0);
	CHECK_INT(db_res_int(r, 0, 1), 0);
	db_res_free(r);
	db_rollback(c);
	db_release(db, c);
	db_close(db);
	free(bytes);
}

TEST(blobs_round_trip_on_sqlite)
{
	char dir[] = "/tmp/qt-blob-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char url[96], path[80];
	snprintf(path, sizeof path, "%s/t.db", dir);
	snprintf(url, sizeof url, "sqlite:%s", path);
	round_trip(check_failed, url);
	const char *side[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < 3; i++) {
		char f[96];
		snprintf(f, sizeof f, "%s%s", path, side[i]);
		unlink(f);
	}
	rmdir(dir);
}

TEST(byteas_round_trip_on_postgres)
{
	const char *url = getenv("QT_PG_APP_URL");
	if (!url) {
		fprintf(stderr, "  (QT_PG_APP_URL not set: PostgreSQL part skipped)\n");
		return;
	}
	round_trip(check_failed, url);
}

CHECK_MAIN()
