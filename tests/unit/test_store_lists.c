/*
 * test_store_lists.c — the platform lists come back from the store typed,
 * not as JSON: stores with their usage (store_tenant_list), plans with
 * their features text (store_plan_list) and a store's members with their
 * roles (store_member_list), on a migrated SQLite file.  The JSON the API
 * builds from them is covered black-box in tests/api/platform.test.mjs and
 * users.test.mjs.  Last, the rule that keeps it so: no file in src/store/
 * builds JSON, except the audit trail's payload (store_audit).
 */
#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store/store_plans.h"
#include "store/store_tenants.h"
#include "store/store_users.h"

#ifndef QT_SRC_DIR
#define QT_SRC_DIR "src"
#endif

static const struct store_actor test_actor = { "test", "system", "test", "local" };

/* A migrated database in a temporary file; *url for store_open. */
static int fresh_db(char path[32], char url[64])
{
	char err[256];
	struct store *s = NULL;
	snprintf(path, 32, "/tmp/qt-lists-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(url, 64, "sqlite:%s", path);
	if (store_open(url, 1, &s, err, sizeof err) != STORE_OK)
		return -1;
	int rc = store_migrate(s, NULL, err, sizeof err);
	store_close(s);
	return rc == STORE_OK ? 0 : -1;
}

static void cleanup(const char *path)
{
	char side[48];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

/* A store with one account per email, each with the role after it. */
static int make_store(struct store *s, const char *slug, const char *plan, const char *domain,
	const char *const *members, struct arena *a, struct tenant_rec *t)
{
	struct store_tx *tx;
	int rc = store_begin_platform(s, 1, &test_actor, &tx);
	if (rc != STORE_OK)
		return rc;
	rc = store_tenant_create(tx, slug, slug, domain, plan, a, t);
	for (int i = 0; rc == STORE_OK && members[i]; i += 2) {
		struct user_rec u;
		rc = store_user_create(tx, members[i], members[i], "$argon2id$not-a-real-hash",
			members[i + 1], a, &u);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

/* Customers behind the store's back: `active` active ones and one
 * archived one, which the usage does not count. */
static int add_customers(const char *path, const char *tenant_id, int active)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	int rc = 0;
	for (int i = 0; i <= active && rc == 0; i++) {
		char sql[512];
		snprintf(sql, sizeof sql,
			"INSERT INTO customers (tenant_id, id, name, phone, status, last_activity_at,"
			" created_at, updated_at) VALUES ('%s', 'c-%d', 'Name %d', '+9190000000%02d', '%s', 0, 0, 0)",
			tenant_id, i, i, i, i < active ? "active" : "archived");
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	}
	sqlite3_close(db);
	return rc;
}

TEST(tenant_list_gives_typed_stores_in_slug_order_with_active_customers_and_members)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	struct arena *a = arena_new();
	struct tenant_rec zeta, alpha;
	static const char *const zeta_members[] = { "o@z.example", "owner", "v@z.example", "viewer",
		"m@z.example", "member", NULL };
	static const char *const alpha_members[] = { "o@a.example", "owner", NULL };
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
	CHECK_INT(make_store(s, "zeta", "starter", "zeta.example.com", zeta_members, a, &zeta), STORE_OK);
	CHECK_INT(make_store(s, "alpha", "free", NULL, alpha_members, a, &alpha), STORE_OK);
	CHECK_INT(add_customers(path, zeta.id, 2), 0);

	struct tenant_usage *rows = NULL;
	int n = -1;
	CHECK_INT(store_begin_platform(s, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_tenant_list(tx, a, &rows, &n), STORE_OK);
	store_rollback(tx);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(rows[0].tenant.slug, "alpha");
		CHECK_STR(rows[0].tenant.id, alpha.id);
		CHECK_STR(rows[0].tenant.plan, "free");
		CHECK_STR(rows[0].tenant.status, "active");
		CHECK(rows[0].tenant.domain == NULL);
		CHECK_INT(rows[0].customers, 0);
		CHECK_INT(rows[0].users, 1);

		CHECK_STR(rows[1].tenant.slug, "zeta");
		CHECK_STR(rows[1].tenant.name, "zeta");
		CHECK_STR(rows[1].tenant.domain, "zeta.example.com");
		CHECK_STR(rows[1].tenant.plan, "starter");
		CHECK_INT(rows[1].tenant.created_at, zeta.created_at);
		CHECK_INT(rows[1].tenant.updated_at, zeta.updated_at);
		CHECK(rows[1].tenant.created_at > 0);
		CHECK_INT(rows[1].customers, 2);
		CHECK_INT(rows[1].users, 3);
	}
	store_close(s);
	arena_free(a);
	cleanup(path);
}

TEST(tenant_list_of_no_stores_is_an_empty_array_not_null)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	struct arena *a = arena_new();
	struct tenant_usage *rows = NULL;
	int n = -1;
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
	CHECK_INT(store_begin_platform(s, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_tenant_list(tx, a, &rows, &n), STORE_OK);
	store_rollback(tx);
	CHECK_INT(n, 0);
	CHECK(rows != NULL);
	store_close(s);
	arena_free(a);
	cleanup(path);
}

TEST(plan_list_gives_every_plan_with_its_limits_and_features_text_unlimited_last)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	struct arena *a = arena_new();
	struct plan_rec *plans = NULL;
	int n = -1;
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
	CHECK_INT(store_begin_platform(s, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_plan_list(tx, a, &plans, &n), STORE_OK);
	store_rollback(tx);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(plans[0].name, "free");
		CHECK_INT(plans[0].customer_limit, 50);
		CHECK_INT(plans[0].storage_mb, 100);
		CHECK_INT(plans[0].requests_per_min, 60);
		CHECK_STR(plans[0].features, "[\"ledger\",\"link_reminders\"]");
		CHECK_STR(plans[1].name, "starter");
		CHECK_STR(plans[2].name, "professional");
		CHECK_STR(plans[3].name, "enterprise");
		CHECK_INT(plans[3].customer_limit, -1);
		CHECK_INT(plans[3].requests_per_min, -1);
		CHECK(plans[3].features && plans[3].features[0] == '[');
	}
	store_close(s);
	arena_free(a);
	cleanup(path);
}

TEST(member_list_gives_this_stores_members_by_email_with_roles_and_no_password_hash)
{
	char path[32], url[64], err[256];
	struct store *s = NULL;
	struct store_tx *tx = NULL;
	struct arena *a = arena_new();
	struct tenant_rec one, two;
	static const char *const one_members[] = { "zed@x.example", "viewer", "amy@x.example", "owner",
		"kim@x.example", "admin", NULL };
	/* The same email in another store is another account. */
	static const char *const two_members[] = { "amy@x.example", "member", NULL };
	CHECK_INT(fresh_db(path, url), 0);
	CHECK_INT(store_open(url, 1, &s, err, sizeof err), STORE_OK);
	CHECK_INT(make_store(s, "one", "free", NULL, one_members, a, &one), STORE_OK);
	CHECK_INT(make_store(s, "two", "free", NULL, two_members, a, &two), STORE_OK);

	struct user_rec *m = NULL;
	int n = -1;
	CHECK_INT(store_begin_tenant(s, one.id, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_member_list(tx, a, &m, &n), STORE_OK);
	store_rollback(tx);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(m[0].email, "amy@x.example");
		CHECK_STR(m[0].role, "owner");
		CHECK_STR(m[1].email, "kim@x.example");
		CHECK_STR(m[1].role, "admin");
		CHECK_STR(m[2].email, "zed@x.example");
		CHECK_STR(m[2].role, "viewer");
		CHECK_STR(m[2].name, "zed@x.example");
		for (int i = 0; i < n; i++) {
			CHECK(m[i].id != NULL);
			CHECK(m[i].password_hash == NULL);
			CHECK(m[i].created_at > 0);
			CHECK(m[i].updated_at >= m[i].created_at);
		}
	}

	CHECK_INT(store_begin_tenant(s, two.id, 0, NULL, &tx), STORE_OK);
	CHECK_INT(store_member_list(tx, a, &m, &n), STORE_OK);
	store_rollback(tx);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(m[0].role, "member");
	store_close(s);
	arena_free(a);
	cleanup(path);
}

/* What building JSON looks like in C: jansson's header or its calls. */
static const char *const json_marks[] = {
	"jansson", "json_t", "json_object", "json_array", "json_string(", "json_integer(",
	"json_pack", "json_loads", "json_dumps", "json_null(", "time_json",
};

/* The first JSON mark in the file, or NULL. */
static const char *json_mark_in(const char *file)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return "(unreadable)";
	static char text[1 << 20];
	size_t len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[len] = '\0';
	for (size_t i = 0; i < sizeof json_marks / sizeof json_marks[0]; i++)
		if (strstr(text, json_marks[i]))
			return json_marks[i];
	return NULL;
}

TEST(no_store_module_builds_json_but_the_audit_payload)
{
	/* store.h declares store_audit(), which takes the payload as json_t
	 * (core/audit_payload.c builds it); store_audit.c serializes it.  The
	 * platform's trail takes and serializes its payload the same way. */
	static const char *const allowed[] = { "store.h", "store_audit.c",
		"store_platform_audit.h", "store_platform_audit.c" };
	DIR *d = opendir(QT_SRC_DIR "/store");
	CHECK(d != NULL);
	if (!d)
		return;
	int files = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 3 || (strcmp(e->d_name + len - 2, ".c") && strcmp(e->d_name + len - 2, ".h")))
			continue;
		files++;
		int exempt = 0;
		for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
			exempt |= strcmp(e->d_name, allowed[i]) == 0;
		if (exempt)
			continue;
		char file[512];
		snprintf(file, sizeof file, "%s/store/%s", QT_SRC_DIR, e->d_name);
		const char *mark = json_mark_in(file);
		if (mark)
			fprintf(stderr, "  %s: has \"%s\"\n", file, mark);
		CHECK(mark == NULL);
	}
	closedir(d);
	CHECK(files > 20);
}

CHECK_MAIN()
