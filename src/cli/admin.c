/* admin.c — `tenant create|list|suspend|delete`, `user add`, `operator add`. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli/cli.h"
#include "core/audit_payload.h"
#include "domain/role.h"
#include "security/password.h"
#include "store/store_operators.h"
#include "store/store_plans.h"
#include "store/store_platform_audit.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "util/idtext.h"

static const struct store_actor cli_actor = { "cli", "system", "cli", "local" };

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* Creating, suspending and deleting stores and adding operators are
 * platform changes: on PostgreSQL the app role may make them only inside
 * an operator's session, so the command line needs the owner role. */
static int require_admin(struct store_tx *tx, const char *what)
{
	int yes = 0;
	int rc = store_platform_admin(tx, &yes);
	if (rc == STORE_OK && !yes) {
		fprintf(stderr, "quantumtrack: %s needs the database owner role; on PostgreSQL "
			"give the URL you run `quantumtrack migrate` with (--db or QT_DB), "
			"not the app role's\n", what);
		rc = STORE_ERROR;
	}
	return rc;
}

/* Create `email` as a new account of the store tx has entered, with
 * `role`; accounts are per store (docs/ACCOUNTS.md). */
static int create_user(struct store_tx *tx, const char *email, const char *name,
	const char *password, const char *role, struct arena *a, struct user_rec *u)
{
	char hash[128], err[160];
	if (!password) {
		fprintf(stderr, "quantumtrack: a password is required for %s\n", email);
		return STORE_ERROR;
	}
	if (password_policy_check(password, err, sizeof err) < 0) {
		fprintf(stderr, "quantumtrack: %s\n", err);
		return STORE_ERROR;
	}
	if (password_hash(password, hash) < 0)
		return STORE_ERROR;
	int rc = store_user_create(tx, email, name && *name ? name : email, hash, role, a, u);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int cli_tenant_create(struct store *s, const char *slug, const char *name, const char *plan,
	const char *domain, const char *email, const char *owner_name, const char *password,
	struct arena *a, struct tenant_rec *t)
{
	struct store_tx *tx;
	struct user_rec u;
	struct plan_rec p;

	int rc = store_begin_platform(s, 1, &cli_actor, &tx);
	if (rc != STORE_OK)
		return rc;
	rc = require_admin(tx, "creating a store");
	if (rc == STORE_OK)
		rc = store_plan_get(tx, plan, a, &p);
	if (rc == STORE_NOT_FOUND)
		fprintf(stderr, "quantumtrack: no plan \"%s\" (free, starter, professional, enterprise)\n", plan);
	if (rc == STORE_OK) {
		rc = store_tenant_create(tx, slug, name, domain, plan, a, t);
		if (rc == STORE_CONFLICT)
			fprintf(stderr, "quantumtrack: a store with slug \"%s\" or that domain exists\n", slug);
	}
	if (rc == STORE_OK)
		rc = create_user(tx, email, owner_name, password, "owner", a, &u);
	if (rc == STORE_OK) {
		json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", t->id, "slug", t->slug,
			"name", t->name, "plan", t->plan, "owner", u.email);
		rc = store_audit(tx, "tenant.created", "tenant", t->id, NULL, after);
		json_decref(after);
	}
	if (rc == STORE_OK) {
		json_t *facts = audit_payload_tenant(t);
		json_object_set_new(facts, "owner_email", json_string(u.email));
		rc = store_platform_audit(tx, NULL, "tenant.created", "tenant", t->id, NULL, facts);
		json_decref(facts);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

static int tenant_create(int argc, char **argv, struct store **sp, struct config *cfg)
{
	const char *db = NULL, *data_dir = NULL, *slug = NULL, *name = NULL, *plan = "free";
	const char *domain = NULL, *email = NULL, *pw = NULL, *owner_name = NULL, *cluster = NULL;
	int pw_stdin = 0;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
		{ "slug", 1, &slug, NULL, "short name in addresses: [a-z0-9][a-z0-9-]{1,62}" },
		{ "name", 1, &name, NULL, "the store's display name" },
		{ "plan", 1, &plan, NULL, "free, starter, professional or enterprise (default free)" },
		{ "domain", 1, &domain, NULL, "custom domain, optional" },
		{ "owner-email", 1, &email, NULL, "the owner's email" },
		{ "owner-name", 1, &owner_name, NULL, "the owner's name" },
		{ "owner-password", 1, &pw, NULL, "the owner's password" },
		{ "owner-password-stdin", 0, NULL, &pw_stdin, "read the owner's password from stdin" },
		{ "cluster", 1, &cluster, NULL, "the directory's cluster to place it on (default: the least loaded)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 11, NULL, 0, NULL,
		"usage: quantumtrack tenant create --slug S --name N [--plan P] [--domain D]\n"
		"         --owner-email E (--owner-password P | --owner-password-stdin) [--cluster NAME]", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (!slug || !name || !email) {
		fprintf(stderr, "quantumtrack: --slug, --name and --owner-email are required\n");
		return EXIT_USAGE;
	}
	if (!slug_valid(slug)) {
		fprintf(stderr, "quantumtrack: slug \"%s\": must match [a-z0-9][a-z0-9-]{1,62}\n", slug);
		return EXIT_USAGE;
	}
	char dom[254] = "";
	if (domain) {
		if (strlen(domain) >= sizeof dom) {
			fprintf(stderr, "quantumtrack: domain: must be at most 253 characters\n");
			return EXIT_USAGE;
		}
		snprintf(dom, sizeof dom, "%s", domain);
		lower(dom);
		if (!hostname_valid(dom)) {
			fprintf(stderr, "quantumtrack: domain \"%s\": must be a host name such as shop.example.com\n", domain);
			return EXIT_USAGE;
		}
	}
	char *em = strdup(email);
	lower(em);
	if (!email_valid(em)) {
		fprintf(stderr, "quantumtrack: owner email \"%s\" is not an email address\n", email);
		free(em);
		return EXIT_USAGE;
	}
	char *password = NULL;
	if (pw || pw_stdin) {
		password = cli_password(pw, pw_stdin, "owner-password");
		if (!password) {
			free(em);
			return EXIT_USAGE;
		}
	}
	cli_config(cfg, db, NULL, data_dir);
	/* With a tenant directory the store goes on a cluster of it. */
	struct cli_placement place;
	int placed = cli_tenant_place(cluster, &place);
	if (placed < 0) {
		free(em);
		free_secret(password);
		return EXIT_FAIL;
	}
	if (placed)
		cfg->db_url = place.owner_url;
	*sp = cli_open_store(cfg, 1, strncmp(cfg->db_url, "sqlite:", 7) == 0);
	if (!*sp) {
		if (placed)
			cli_placement_release(&place);
		free(em);
		free_secret(password);
		return EXIT_FAIL;
	}
	struct arena *a = arena_new();
	struct tenant_rec t;
	rc = cli_tenant_create(*sp, slug, name, plan, domain ? dom : NULL, em, owner_name, password, a, &t);
	if (rc == STORE_OK && placed && cli_tenant_placed(&place, &t) < 0)
		rc = STORE_ERROR;
	if (rc == STORE_OK)
		printf("created store %s (%s), id %s, owner %s%s%s\n", t.slug, t.name, t.id, em,
			placed ? ", on cluster " : "", placed ? place.cluster : "");
	if (placed)
		cli_placement_release(&place);
	arena_free(a);
	free(em);
	free_secret(password);
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}

static int tenant_list(struct store *s)
{
	struct store_tx *tx;
	struct tenant_usage *rows = NULL;
	int n = 0;
	struct arena *a = arena_new();
	if (!a)
		return EXIT_FAIL;
	int rc = store_begin_platform(s, 0, &cli_actor, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_list(tx, a, &rows, &n);
		store_rollback(tx);
	}
	if (rc == STORE_OK) {
		printf("%-24s %-30s %-13s %-10s %s\n", "SLUG", "NAME", "PLAN", "STATUS", "CUSTOMERS");
		for (int i = 0; i < n; i++)
			printf("%-24s %-30s %-13s %-10s %lld\n", rows[i].tenant.slug, rows[i].tenant.name,
				rows[i].tenant.plan, rows[i].tenant.status, (long long)rows[i].customers);
	} else {
		fprintf(stderr, "quantumtrack: cannot list stores\n");
	}
	arena_free(a);
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}

static int tenant_change(struct store *s, const char *slug, int del)
{
	struct store_tx *tx;
	struct tenant_rec t;
	struct arena *a = arena_new();
	int rc = store_begin_platform(s, 1, &cli_actor, &tx);
	if (rc != STORE_OK) {
		arena_free(a);
		return EXIT_FAIL;
	}
	rc = require_admin(tx, del ? "deleting a store" : "suspending a store");
	if (rc == STORE_OK)
		rc = store_tenant_by_slug(tx, slug, a, &t);
	if (rc == STORE_NOT_FOUND)
		fprintf(stderr, "quantumtrack: no store with slug \"%s\"\n", slug);
	if (rc == STORE_OK && del && strcmp(t.status, "suspended") != 0) {
		fprintf(stderr, "quantumtrack: suspend store \"%s\" before deleting it\n", slug);
		rc = STORE_ERROR;
	}
	if (rc == STORE_OK && del)
		rc = store_tenant_delete(tx, t.id);
	if (rc == STORE_OK) {
		json_t *before = audit_payload_tenant(&t), *after = NULL;
		if (!del) {
			after = json_deep_copy(before);
			json_object_set_new(after, "status", json_string("suspended"));
		}
		rc = store_platform_audit(tx, NULL, del ? "tenant.deleted" : "tenant.suspended", "tenant",
			t.id, before, after);
		json_decref(before);
		json_decref(after);
	}
	if (rc == STORE_OK && !del) {
		rc = store_tenant_update(tx, t.id, NULL, "suspended", NULL, 0);
		if (rc == STORE_OK)
			rc = store_tx_enter_tenant(tx, t.id);
		if (rc == STORE_OK) {
			json_t *before = json_pack("{s:s}", "status", t.status);
			json_t *after = json_pack("{s:s}", "status", "suspended");
			rc = store_audit(tx, "tenant.updated", "tenant", t.id, before, after);
			json_decref(before);
			json_decref(after);
		}
	}
	if (rc == STORE_OK)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	if (rc == STORE_OK && del && cli_tenant_deleted(t.id) < 0)
		rc = STORE_ERROR;
	if (rc == STORE_OK)
		printf("%s store %s\n", del ? "deleted" : "suspended", slug);
	arena_free(a);
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}

int cmd_tenant(int argc, char **argv)
{
	const char *usage =
		"usage: quantumtrack tenant create --slug S --name N [--plan P] [--domain D] --owner-email E ...\n"
		"       quantumtrack tenant list\n"
		"       quantumtrack tenant move SLUG --to CLUSTER | --rollback   (QT_DIRECTORY_DB)\n"
		"       quantumtrack tenant suspend SLUG\n"
		"       quantumtrack tenant delete SLUG   (only a suspended store)";
	if (argc < 1) {
		fprintf(stderr, "quantumtrack: tenant needs a command: create, list, suspend or delete\n%s\n", usage);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		printf("%s\n", usage);
		return EXIT_OK;
	}
	struct config cfg;
	struct store *s = NULL;
	int rc;
	if (strcmp(argv[0], "move") == 0)
		return cli_tenant_move(argc - 1, argv + 1);
	if (strcmp(argv[0], "create") == 0) {
		rc = tenant_create(argc - 1, argv + 1, &s, &cfg);
		store_close(s);
		return rc;
	}
	const char *db = NULL, *data_dir = NULL, *pos[1];
	int npos = 0, help;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
	};
	int is_list = strcmp(argv[0], "list") == 0;
	int is_suspend = strcmp(argv[0], "suspend") == 0;
	int is_delete = strcmp(argv[0], "delete") == 0;
	if (!is_list && !is_suspend && !is_delete) {
		fprintf(stderr, "quantumtrack: unknown tenant command \"%s\"\n%s\n", argv[0], usage);
		return EXIT_USAGE;
	}
	rc = cli_parse(argc - 1, argv + 1, opts, 2, pos, 1, &npos, usage, &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (!is_list && npos != 1) {
		fprintf(stderr, "quantumtrack: tenant %s needs a SLUG\n", argv[0]);
		return EXIT_USAGE;
	}
	if (is_list && npos != 0) {
		fprintf(stderr, "quantumtrack: tenant list takes no arguments, got \"%s\"\n", pos[0]);
		return EXIT_USAGE;
	}
	cli_config(&cfg, db, NULL, data_dir);
	s = cli_open_store(&cfg, 1, strncmp(cfg.db_url, "sqlite:", 7) == 0);
	if (!s)
		return EXIT_FAIL;
	rc = is_list ? tenant_list(s) : tenant_change(s, pos[0], is_delete);
	store_close(s);
	return rc;
}

int cmd_user(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *tenant = NULL, *email = NULL, *pw = NULL;
	const char *role = NULL, *name = NULL;
	int pw_stdin = 0, help;
	const char *usage = "usage: quantumtrack user add --tenant SLUG --email E --role R [--name N]\n"
		"         (--password P | --password-stdin)\n\nAdd a user to a store (roles: owner, admin, member, viewer).";
	if (argc < 1 || strcmp(argv[0], "add") != 0) {
		if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
			printf("%s\n", usage);
			return EXIT_OK;
		}
		fprintf(stderr, "%s\n", usage);
		return EXIT_USAGE;
	}
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
		{ "tenant", 1, &tenant, NULL, "the store's slug" },
		{ "email", 1, &email, NULL, "the user's email" },
		{ "name", 1, &name, NULL, "the user's name" },
		{ "role", 1, &role, NULL, "owner, admin, member or viewer" },
		{ "password", 1, &pw, NULL, "the user's password in this store" },
		{ "password-stdin", 0, NULL, &pw_stdin, "read the password from stdin" },
	};
	int rc = cli_parse(argc - 1, argv + 1, opts, 8, NULL, 0, NULL, usage, &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (!tenant || !email || !role) {
		fprintf(stderr, "quantumtrack: --tenant, --email and --role are required\n");
		return EXIT_USAGE;
	}
	if (!role_valid(role)) {
		fprintf(stderr, "quantumtrack: role \"%s\": must be owner, admin, member or viewer\n", role);
		return EXIT_USAGE;
	}
	char *em = strdup(email);
	lower(em);
	if (!email_valid(em)) {
		fprintf(stderr, "quantumtrack: \"%s\" is not an email address\n", email);
		free(em);
		return EXIT_USAGE;
	}
	char *password = NULL;
	if (pw || pw_stdin) {
		password = cli_password(pw, pw_stdin, "password");
		if (!password) {
			free(em);
			return EXIT_USAGE;
		}
	}
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, 1, strncmp(cfg.db_url, "sqlite:", 7) == 0);
	if (!s) {
		free(em);
		free_secret(password);
		return EXIT_FAIL;
	}
	struct arena *a = arena_new();
	struct store_tx *tx;
	struct tenant_rec t;
	struct user_rec u;

	rc = store_begin_platform(s, 1, &cli_actor, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_by_slug(tx, tenant, a, &t);
		if (rc == STORE_NOT_FOUND)
			fprintf(stderr, "quantumtrack: no store with slug \"%s\"\n", tenant);
		if (rc == STORE_OK)
			rc = store_tx_enter_tenant(tx, t.id);
		if (rc == STORE_OK) {
			rc = create_user(tx, em, name, password, role, a, &u);
			if (rc == STORE_CONFLICT)
				fprintf(stderr, "quantumtrack: %s is already a member of %s\n", em, tenant);
		}
		if (rc == STORE_OK) {
			json_t *after = json_pack("{s:s, s:s, s:s}", "id", u.id, "email", u.email, "role", role);
			rc = store_audit(tx, "user.added", "user", u.id, NULL, after);
			json_decref(after);
		}
		if (rc == STORE_OK)
			rc = store_commit(tx);
		else
			store_rollback(tx);
	}
	if (rc == STORE_OK)
		printf("created and added %s to %s as %s\n", em, tenant, role);
	arena_free(a);
	store_close(s);
	free(em);
	free_secret(password);
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}

int cmd_operator(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *email = NULL, *pw = NULL, *name = NULL;
	int pw_stdin = 0, help;
	const char *usage = "usage: quantumtrack operator add --email E [--name N] (--password P | --password-stdin)\n\n"
		"Add a platform operator (manages stores and plans, sees no ledger).";
	if (argc < 1 || strcmp(argv[0], "add") != 0) {
		if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
			printf("%s\n", usage);
			return EXIT_OK;
		}
		fprintf(stderr, "%s\n", usage);
		return EXIT_USAGE;
	}
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
		{ "email", 1, &email, NULL, "the operator's email" },
		{ "name", 1, &name, NULL, "the operator's name" },
		{ "password", 1, &pw, NULL, "password" },
		{ "password-stdin", 0, NULL, &pw_stdin, "read the password from stdin" },
	};
	int rc = cli_parse(argc - 1, argv + 1, opts, 6, NULL, 0, NULL, usage, &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (!email) {
		fprintf(stderr, "quantumtrack: --email is required\n");
		return EXIT_USAGE;
	}
	char *em = strdup(email);
	lower(em);
	char *password = cli_password(pw, pw_stdin, "password");
	char hash[128], err[160];
	if (!password || !email_valid(em)) {
		if (password)
			fprintf(stderr, "quantumtrack: \"%s\" is not an email address\n", email);
		free(em);
		free_secret(password);
		return EXIT_USAGE;
	}
	if (password_policy_check(password, err, sizeof err) < 0) {
		fprintf(stderr, "quantumtrack: %s\n", err);
		free(em);
		free_secret(password);
		return EXIT_USAGE;
	}
	int hashed = password_hash(password, hash);
	free_secret(password);
	if (hashed < 0) {
		fprintf(stderr, "quantumtrack: could not hash the password\n");
		free(em);
		return EXIT_FAIL;
	}
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, 1, strncmp(cfg.db_url, "sqlite:", 7) == 0);
	if (!s) {
		free(em);
		return EXIT_FAIL;
	}
	struct arena *a = arena_new();
	struct store_tx *tx;
	struct operator_rec op;
	rc = store_begin_platform(s, 1, &cli_actor, &tx);
	if (rc == STORE_OK) {
		rc = require_admin(tx, "adding an operator");
		if (rc == STORE_OK)
			rc = store_operator_create(tx, em, name ? name : em, hash, a, &op);
		if (rc == STORE_CONFLICT)
			fprintf(stderr, "quantumtrack: operator %s already exists\n", em);
		if (rc == STORE_OK) {
			json_t *after = json_pack("{s:s, s:s, s:s}", "id", op.id, "email", op.email, "name", op.name);
			rc = store_platform_audit(tx, NULL, "operator.created", "operator", op.id, NULL, after);
			json_decref(after);
		}
		if (rc == STORE_OK)
			rc = store_commit(tx);
		else
			store_rollback(tx);
	}
	sodium_memzero(hash, sizeof hash);
	if (rc == STORE_OK)
		printf("added operator %s\n", em);
	arena_free(a);
	store_close(s);
	free(em);
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}
