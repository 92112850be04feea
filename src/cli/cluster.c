/* cluster.c — `cluster add|list`, `tenant move`, and placing a new store
 * on a cluster (`tenant create --cluster`): the tenant directory named by
 * QT_DIRECTORY_DB (store/directory.h, docs/SCALING.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/directory.h"
#include "store/store_tenants.h"

static struct dir_conn *open_directory(const char *given)
{
	const char *url = given ? given : getenv("QT_DIRECTORY_DB");
	char err[512];
	if (!url || !*url) {
		fprintf(stderr, "quantumtrack: no tenant directory: set QT_DIRECTORY_DB (or --directory URL)\n");
		return NULL;
	}
	struct dir_conn *d = dir_connect(url, err, sizeof err);
	if (!d)
		fprintf(stderr, "quantumtrack: %s\n", err);
	return d;
}

static int name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (i > 0 && (ch == '-' || ch == '_'));
		if (!ok)
			return 0;
	}
	return 1;
}

static int url_is_pg(const char *u)
{
	return strncmp(u, "postgres://", 11) == 0 || strncmp(u, "postgresql://", 13) == 0;
}

/* Register every store the cluster already holds (a database that served
 * alone before the directory): their rows stay where they are. */
static int register_existing(struct dir_conn *d, struct store *s, const char *cluster)
{
	struct store_tx *tx;
	struct tenant_usage *rows = NULL;
	int n = 0;
	char err[512];
	struct arena *a = arena_new();
	int rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_list(tx, a, &rows, &n);
		store_rollback(tx);
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: cannot list the cluster's stores\n");
		arena_free(a);
		return -1;
	}
	int added = 0;
	for (int i = 0; i < n; i++) {
		if (dir_tenant_put(d, rows[i].tenant.id, rows[i].tenant.slug, cluster, err, sizeof err) < 0) {
			fprintf(stderr, "quantumtrack: store %s: %s\n", rows[i].tenant.slug, err);
			arena_free(a);
			return -1;
		}
		added++;
	}
	if (added)
		printf("registered %d existing store(s) on %s\n", added, cluster);
	arena_free(a);
	return 0;
}

static int cluster_add(int argc, char **argv)
{
	const char *dir_url = NULL, *primary = NULL, *owner = NULL, *pos[1];
	const char *replicas[16];
	int nrep = 0, npos = 0;
	/* --replica repeats: gather them before the shared parser sees the
	 * rest. */
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0;
	if (!rest)
		abort();
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--replica") == 0 && i + 1 < argc) {
			if (nrep == 16) {
				fprintf(stderr, "quantumtrack: at most 16 --replica\n");
				free(rest);
				return EXIT_USAGE;
			}
			replicas[nrep++] = argv[++i];
		} else {
			rest[nrest++] = argv[i];
		}
	}
	const struct cli_opt opts[] = {
		{ "directory", 1, &dir_url, NULL, "the tenant directory's URL (QT_DIRECTORY_DB)" },
		{ "primary", 1, &primary, NULL, "the primary's URL, as the app role" },
		{ "owner-url", 1, &owner, NULL, "the URL migrations run with (the owner role)" },
	};
	int help, rc = cli_parse(nrest, rest, opts, 3, pos, 1, &npos,
		"usage: quantumtrack cluster add NAME --primary URL [--replica URL]... [--owner-url URL]", &help);
	free(rest);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (npos != 1 || !primary) {
		fprintf(stderr, "quantumtrack: cluster add needs a NAME and --primary URL\n");
		return EXIT_USAGE;
	}
	if (!name_valid(pos[0])) {
		fprintf(stderr, "quantumtrack: cluster name \"%s\": must match [a-z0-9][a-z0-9_-]{0,62}\n", pos[0]);
		return EXIT_USAGE;
	}
	if (!url_is_pg(primary) || (owner && !url_is_pg(owner))) {
		fprintf(stderr, "quantumtrack: --primary and --owner-url must be postgres:// URLs\n");
		return EXIT_USAGE;
	}
	char reps[8192] = "";
	size_t used = 0;
	for (int i = 0; i < nrep; i++) {
		if (!url_is_pg(replicas[i])) {
			fprintf(stderr, "quantumtrack: --replica \"%s\": must be a postgres:// URL\n", replicas[i]);
			return EXIT_USAGE;
		}
		int w = snprintf(reps + used, sizeof reps - used, "%s%s", i ? "," : "", replicas[i]);
		if (w < 0 || (size_t)w >= sizeof reps - used) {
			fprintf(stderr, "quantumtrack: --replica: the URLs are too long\n");
			return EXIT_USAGE;
		}
		used += (size_t)w;
	}
	struct dir_conn *d = open_directory(dir_url);
	if (!d)
		return EXIT_FAIL;
	/* Migrated with the owner's URL (when given), then reached with the
	 * app role's, as `serve` will. */
	struct store *s = NULL;
	char err[512];
	int out = EXIT_FAIL;
	if (store_open(owner ? owner : primary, 1, &s, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "quantumtrack: cluster %s: %s\n", pos[0], err);
		s = NULL;
		goto done;
	}
	if (owner) {
		int applied = 0;
		if (store_migrate(s, &applied, err, sizeof err) != STORE_OK) {
			fprintf(stderr, "quantumtrack: migrating %s: %s\n", pos[0], err);
			goto done;
		}
		printf("cluster %s: schema version %d\n", pos[0], store_schema_version(s));
	}
	struct store *app = NULL;
	if (store_open(primary, 1, &app, err, sizeof err) != STORE_OK || !store_ready(app)) {
		fprintf(stderr, "quantumtrack: cluster %s: the primary URL does not answer%s%s\n", pos[0],
			app ? "" : ": ", app ? "" : err);
		store_close(app);
		goto done;
	}
	store_close(app);
	if (dir_cluster_put(d, pos[0], primary, reps, owner, err, sizeof err) < 0) {
		fprintf(stderr, "quantumtrack: %s\n", err);
		goto done;
	}
	if (register_existing(d, s, pos[0]) < 0)
		goto done;
	printf("cluster %s added\n", pos[0]);
	out = EXIT_OK;
done:
	store_close(s);
	dir_disconnect(d);
	return out;
}

static int cluster_list(int argc, char **argv)
{
	const char *dir_url = NULL;
	const struct cli_opt opts[] = {
		{ "directory", 1, &dir_url, NULL, "the tenant directory's URL (QT_DIRECTORY_DB)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 1, NULL, 0, NULL, "usage: quantumtrack cluster list", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	struct dir_conn *d = open_directory(dir_url);
	if (!d)
		return EXIT_FAIL;
	struct dir_cluster *c = NULL;
	char err[512];
	int n = dir_cluster_list(d, &c, err, sizeof err);
	dir_disconnect(d);
	if (n < 0) {
		fprintf(stderr, "quantumtrack: %s\n", err);
		return EXIT_FAIL;
	}
	printf("%-20s %8s  %s\n", "CLUSTER", "TENANTS", "REPLICAS");
	for (int i = 0; i < n; i++) {
		int nrep = 0;
		if (c[i].replica_urls && *c[i].replica_urls) {
			nrep = 1;
			for (const char *p = c[i].replica_urls; *p; p++)
				nrep += *p == ',';
		}
		printf("%-20s %8lld  %d\n", c[i].name, (long long)c[i].tenants, nrep);
	}
	dir_clusters_free(c, n);
	return EXIT_OK;
}

int cmd_cluster(int argc, char **argv)
{
	const char *usage =
		"usage: quantumtrack cluster add NAME --primary URL [--replica URL]... [--owner-url URL]\n"
		"       quantumtrack cluster list\n"
		"  (the tenant directory: QT_DIRECTORY_DB or --directory URL)";
	if (argc < 1) {
		fprintf(stderr, "quantumtrack: cluster needs a command: add or list\n%s\n", usage);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		printf("%s\n", usage);
		return EXIT_OK;
	}
	if (strcmp(argv[0], "add") == 0)
		return cluster_add(argc - 1, argv + 1);
	if (strcmp(argv[0], "list") == 0)
		return cluster_list(argc - 1, argv + 1);
	fprintf(stderr, "quantumtrack: unknown cluster command \"%s\"\n%s\n", argv[0], usage);
	return EXIT_USAGE;
}

int cli_tenant_move(int argc, char **argv)
{
	const char *dir_url = NULL, *to = NULL, *pos[1];
	int rollback = 0, npos = 0;
	const struct cli_opt opts[] = {
		{ "directory", 1, &dir_url, NULL, "the tenant directory's URL (QT_DIRECTORY_DB)" },
		{ "to", 1, &to, NULL, "the cluster to move the store to" },
		{ "rollback", 0, NULL, &rollback, "undo the store's unfinished move instead" },
	};
	int help, rc = cli_parse(argc, argv, opts, 3, pos, 1, &npos,
		"usage: quantumtrack tenant move SLUG --to CLUSTER   (again to resume a move that stopped)\n"
		"       quantumtrack tenant move SLUG --rollback", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (npos != 1 || (!to && !rollback)) {
		fprintf(stderr, "quantumtrack: tenant move needs a SLUG and --to CLUSTER (or --rollback)\n");
		return EXIT_USAGE;
	}
	struct dir_conn *d = open_directory(dir_url);
	if (!d)
		return EXIT_FAIL;
	char err[1024] = "";
	rc = dir_tenant_move(d, pos[0], to, rollback, err, sizeof err);
	dir_disconnect(d);
	if (rc < 0) {
		fprintf(stderr, "quantumtrack: tenant move %s: %s\n", pos[0], err);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cli_tenant_place(const char *cluster, struct cli_placement *out)
{
	memset(out, 0, sizeof *out);
	const char *url = getenv("QT_DIRECTORY_DB");
	if (!cluster && (!url || !*url))
		return 0;
	struct dir_conn *d = open_directory(NULL);
	if (!d)
		return -1;
	struct dir_cluster c = { 0 };
	char err[512];
	int rc = cluster ? dir_cluster_get(d, cluster, &c, err, sizeof err)
		: dir_cluster_least_loaded(d, &c, err, sizeof err);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "quantumtrack: %s\n", err);
		else if (cluster)
			fprintf(stderr, "quantumtrack: no cluster \"%s\" in the directory (cluster list)\n", cluster);
		else
			fprintf(stderr, "quantumtrack: the directory has no cluster yet (cluster add)\n");
		dir_disconnect(d);
		return -1;
	}
	if (!c.owner_url) {
		fprintf(stderr, "quantumtrack: cluster %s has no owner URL: creating a store there needs it "
			"(cluster add %s --primary ... --owner-url URL)\n", c.name, c.name);
		dir_cluster_clear(&c);
		dir_disconnect(d);
		return -1;
	}
	out->dir = d;
	snprintf(out->cluster, sizeof out->cluster, "%s", c.name);
	out->owner_url = c.owner_url;
	c.owner_url = NULL;
	dir_cluster_clear(&c);
	return 1;
}

int cli_tenant_placed(struct cli_placement *p, const struct tenant_rec *t)
{
	char err[512];
	int rc = dir_tenant_put(p->dir, t->id, t->slug, p->cluster, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "quantumtrack: the store was created on %s but not recorded in the directory: %s\n",
			p->cluster, err);
	return rc;
}

int cli_tenant_deleted(const char *tenant_id)
{
	const char *url = getenv("QT_DIRECTORY_DB");
	if (!url || !*url)
		return 0;
	struct dir_conn *d = open_directory(NULL);
	char err[512];
	int rc = d ? dir_tenant_forget(d, tenant_id, err, sizeof err) : -1;
	if (d && rc < 0)
		fprintf(stderr, "quantumtrack: the store was deleted but is still in the directory: %s\n", err);
	dir_disconnect(d);
	return rc;
}

void cli_placement_release(struct cli_placement *p)
{
	dir_disconnect(p->dir);
	free(p->owner_url);
	memset(p, 0, sizeof *p);
}
