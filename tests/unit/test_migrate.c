/* test_migrate.c — upgrading a version 1 SQLite database: accounts become
 * per store (migration 2) without losing anyone's access; a version that
 * landed after a higher one is still applied. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
/* Reaches inside the store: the driver and the migrations are private. */
#define QT_STORE_PRIVATE 1
#include "store/migrate.h"
#include "store/store.h"

static const char fixture[] =
	"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);"
	"INSERT INTO schema_migrations VALUES (1, 'foundation and ledger', 0);"
	"INSERT INTO tenants VALUES ('t-a', 'a', 'A', NULL, 'free', 'active', 0, 0);"
	"INSERT INTO tenants VALUES ('t-b', 'b', 'B', NULL, 'free', 'active', 0, 0);"
	"INSERT INTO users VALUES ('u-1', 'x@example.com', 'X', 'hash-x', 1, 2);"
	"INSERT INTO users VALUES ('u-2', 'y@example.com', 'Y', 'hash-y', 1, 2);"
	"INSERT INTO users VALUES ('u-3', 'orphan@example.com', 'O', 'hash-o', 1, 2);"
	"INSERT INTO memberships VALUES ('t-a', 'u-1', 'owner', 10, 10);"
	"INSERT INTO memberships VALUES ('t-b', 'u-1', 'viewer', 20, 20);"
	"INSERT INTO memberships VALUES ('t-b', 'u-2', 'owner', 30, 30);";

static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

TEST(migration_2_gives_each_membership_its_own_account)
{
	char path[] = "/tmp/qt-migrate-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	sqlite3 *db;
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, migrations_sqlite[0].sql, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, fixture, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	char url[64], err[256];
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct store *s = NULL;
	int applied = 0;
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), 0);
	CHECK_INT(store_migrate(s, &applied, err, sizeof err), 0);
	CHECK(applied >= 1);
	store_close(s);

	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	/* One account per membership, under the old id; the orphan had no
	 * access and is gone. */
	CHECK_INT(count(db, "SELECT COUNT(*) FROM users"), 3);
	CHECK_INT(count(db, "SELECT COUNT(*) FROM users WHERE id = 'u-1'"), 2);
	CHECK_INT(count(db, "SELECT COUNT(*) FROM users WHERE email = 'orphan@example.com'"), 0);
	CHECK_INT(count(db, "SELECT COUNT(*) FROM users WHERE tenant_id = 't-b' AND id = 'u-1'"
		" AND password_hash = 'hash-x' AND token_version = 0"), 1);
	CHECK_INT(count(db, "SELECT COUNT(*) FROM memberships m JOIN users u"
		" ON u.tenant_id = m.tenant_id AND u.id = m.user_id"), 3);
	CHECK_INT(count(db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
	/* The same email may now exist once per store, not twice in one. */
	CHECK_INT(sqlite3_exec(db, "INSERT INTO users (tenant_id, id, email, name, password_hash, created_at, updated_at)"
		" VALUES ('t-a', 'u-9', 'y@example.com', 'Y', 'h', 0, 0)", NULL, NULL, NULL), SQLITE_OK);
	CHECK(sqlite3_exec(db, "INSERT INTO users (tenant_id, id, email, name, password_hash, created_at, updated_at)"
		" VALUES ('t-a', 'u-10', 'y@example.com', 'Y', 'h', 0, 0)", NULL, NULL, NULL) != SQLITE_OK);
	sqlite3_close(db);
	unlink(path);
}

/* A migration written in parallel may land before an earlier number: a
 * database that has 1, 2 and 4 still gets 3, and is not "at 4" until then. */
TEST(a_version_missing_below_the_highest_is_applied)
{
	char path[] = "/tmp/qt-migrate-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	sqlite3 *db;
	size_t skip = 0;
	while (skip < migrations_sqlite_count && migrations_sqlite[skip].version != 3)
		skip++;
	CHECK(skip + 1 < migrations_sqlite_count);
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
		" name TEXT NOT NULL, applied_at BIGINT NOT NULL)", NULL, NULL, NULL), SQLITE_OK);
	for (size_t i = 0; i < migrations_sqlite_count; i++) {
		if (i == skip)
			continue;
		char rec[128];
		snprintf(rec, sizeof rec, "INSERT INTO schema_migrations VALUES (%d, 'x', 0)",
			migrations_sqlite[i].version);
		CHECK_INT(sqlite3_exec(db, migrations_sqlite[i].sql, NULL, NULL, NULL), SQLITE_OK);
		CHECK_INT(sqlite3_exec(db, rec, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(db);

	char url[64], err[256];
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct store *s = NULL;
	int applied = 0;
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), 0);
	CHECK_INT(store_schema_version(s), migrations_sqlite[skip - 1].version);
	CHECK_INT(store_migrate(s, &applied, err, sizeof err), 0);
	CHECK_INT(applied, 1);
	CHECK_INT(store_schema_version(s), migrations_sqlite[migrations_sqlite_count - 1].version);
	CHECK_INT(store_migrate(s, &applied, err, sizeof err), 0);
	CHECK_INT(applied, 0);
	store_close(s);
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(count(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'operator_sessions'"), 1);
	sqlite3_close(db);
	unlink(path);
}

CHECK_MAIN()
