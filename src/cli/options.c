/* options.c — option parsing, configuration and secrets for every command. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "cli/cli.h"
#include "security/secret.h"
#include "util/hex.h"

static void print_usage(const char *usage, const struct cli_opt *opts, size_t n, FILE *f)
{
	fprintf(f, "%s\n", usage);
	if (n)
		fprintf(f, "\nOptions:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  --%s%s\n      %s\n", opts[i].name, opts[i].takes_value ? " VALUE" : "", opts[i].help);
	fprintf(f, "  --help\n      show this help\n");
}

int cli_parse(int argc, char **argv, const struct cli_opt *opts, size_t nopts,
	const char **pos, int npos, int *npositional, const char *usage, int *help_shown)
{
	int np = 0;
	*help_shown = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_usage(usage, opts, nopts, stdout);
			*help_shown = 1;
			return EXIT_USAGE;
		}
		if (strncmp(a, "--", 2) != 0) {
			if (np >= npos) {
				fprintf(stderr, "quantumtrack: unexpected argument \"%s\"\n", a);
				print_usage(usage, opts, nopts, stderr);
				return EXIT_USAGE;
			}
			pos[np++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		size_t k;
		for (k = 0; k < nopts; k++)
			if (strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0)
				break;
		if (k == nopts) {
			fprintf(stderr, "quantumtrack: unknown option --%.*s\n", (int)len, name);
			print_usage(usage, opts, nopts, stderr);
			return EXIT_USAGE;
		}
		if (opts[k].takes_value) {
			if (eq)
				*opts[k].value = eq + 1;
			else if (i + 1 < argc)
				*opts[k].value = argv[++i];
			else {
				fprintf(stderr, "quantumtrack: --%s needs a value\n", opts[k].name);
				return EXIT_USAGE;
			}
		} else {
			if (eq) {
				fprintf(stderr, "quantumtrack: --%s takes no value\n", opts[k].name);
				return EXIT_USAGE;
			}
			*opts[k].flag = 1;
		}
	}
	if (npositional)
		*npositional = np;
	return EXIT_OK;
}

static int env_int(const char *name, int dflt, int min, int max)
{
	const char *v = getenv(name);
	char *end;
	if (!v || !*v)
		return dflt;
	long n = strtol(v, &end, 10);
	if (*end || n < min || n > max) {
		fprintf(stderr, "quantumtrack: %s=\"%s\": must be an integer %d-%d\n", name, v, min, max);
		exit(EXIT_USAGE);
	}
	return (int)n;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

void cli_config(struct config *cfg, const char *db, const char *listen, const char *data_dir)
{
	static char default_db[4200];
	memset(cfg, 0, sizeof *cfg);
	cfg->data_dir = data_dir ? data_dir : env_or("QT_DATA_DIR", "./data");
	snprintf(default_db, sizeof default_db, "sqlite:%s/quantumtrack.db", cfg->data_dir);
	cfg->db_url = db ? db : env_or("QT_DB", default_db);
	cfg->listen = listen ? listen : env_or("QT_LISTEN", "127.0.0.1:8080");
	cfg->jwt_secret = env_or("QT_JWT_SECRET", NULL);
	cfg->master_key = env_or("QT_MASTER_KEY", NULL);
	cfg->base_domain = env_or("QT_BASE_DOMAIN", NULL);
	cfg->public_url = env_or("QT_PUBLIC_URL", NULL);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	cfg->threads = env_int("QT_THREADS", cores < 2 ? 2 : (int)cores, 2, 256);
	cfg->db_pool = env_int("QT_DB_POOL", 0, 0, 1024);
	cfg->reminder_tick_s = env_int("QT_REMINDER_TICK_S", 60, 0, 86400);
	cfg->body_limit = (size_t)env_int("QT_BODY_LIMIT", 1 << 20, 1024, 64 << 20);
	cfg->import_limit = (size_t)env_int("QT_IMPORT_LIMIT", 64 << 20, 1024, 1 << 30);
	cfg->access_ttl_s = env_int("QT_ACCESS_TTL", 900, 10, 86400);
	cfg->refresh_ttl_s = env_int("QT_REFRESH_TTL", 30 * 86400, 60, 365 * 86400);
	cfg->login_max_failures = env_int("QT_LOGIN_MAX_FAILURES", 5, 1, 64);
	cfg->login_ip_max_failures = env_int("QT_LOGIN_IP_MAX_FAILURES", 20, 1, 64);
	cfg->login_lockout_s = env_int("QT_LOGIN_LOCKOUT", 300, 1, 86400);
	cfg->timeout_s = env_int("QT_TIMEOUT", 30, 1, 3600);
	cfg->per_ip_connections = env_int("QT_PER_IP_CONNECTIONS", 64, 0, 4096);
	cfg->header_timeout_s = env_int("QT_HEADER_TIMEOUT", 10, 1, 3600);
	cfg->body_budget = (size_t)env_int("QT_BODY_BUDGET", 64 << 20, 1024, 1 << 30);
	cfg->usage_flush_ms = env_int("QT_USAGE_FLUSH_MS", 2000, 10, 600000);
	cfg->group_commit_max = env_int("QT_GROUP_COMMIT_MAX", 64, 0, 4096);
	cfg->trusted_proxies = env_or("QT_TRUSTED_PROXIES", NULL);
	cfg->metrics_listen = env_or("QT_METRICS_LISTEN", NULL);
	cfg->metrics_token = env_or("QT_METRICS_TOKEN", NULL);
	cfg->sse_heartbeat_s = env_int("QT_SSE_HEARTBEAT_S", 15, 1, 3600);
	cfg->sse_per_tenant = env_int("QT_SSE_PER_TENANT", 50, 1, 100000);
	cfg->events_db_url = env_or("QT_EVENTS_DB", NULL);
	cfg->db_replicas = env_or("QT_DB_REPLICAS", NULL);
	cfg->replica_max_lag_ms = env_int("QT_REPLICA_MAX_LAG_MS", 500, 0, 3600000);
	cfg->member_cache_entries = env_int("QT_MEMBER_CACHE", 4096, 0, 1 << 20);
}

static int ensure_dir(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "quantumtrack: cannot create data directory %s: %s\n", dir, strerror(errno));
	return -1;
}

struct store *cli_open_store(const struct config *cfg, int pool, int migrate)
{
	struct store *s;
	char err[512];
	if (strncmp(cfg->db_url, "sqlite:", 7) == 0) {
		/* Create the database's directory on first use. */
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", cfg->db_url + 7);
		char *slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			if (dir[0] && ensure_dir(dir) < 0)
				return NULL;
		}
	}
	if (store_open(cfg->db_url, pool, &s, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s\n", err);
		return NULL;
	}
	if (migrate) {
		int applied = 0;
		if (store_migrate(s, &applied, err, sizeof err) != STORE_OK) {
			fprintf(stderr, "quantumtrack: %s\n", err);
			store_close(s);
			return NULL;
		}
		if (applied)
			fprintf(stderr, "quantumtrack: applied %d migration(s)\n", applied);
	}
	/* With a tenant directory, a command about one store reaches it on
	 * its cluster, as that cluster's owner (docs/SCALING.md). */
	const char *directory = getenv("QT_DIRECTORY_DB");
	if (directory && *directory && strncmp(cfg->db_url, "sqlite:", 7) != 0 &&
	    store_attach_directory(s, directory, cfg->db_url, pool, 1, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "quantumtrack: QT_DIRECTORY_DB: %s\n", err);
		store_close(s);
		return NULL;
	}
	return s;
}

char *cli_password(const char *given, int from_stdin, const char *what)
{
	if (given && from_stdin) {
		fprintf(stderr, "quantumtrack: give the %s either as a flag or on stdin, not both\n", what);
		return NULL;
	}
	if (given)
		return strdup(given);
	if (!from_stdin) {
		fprintf(stderr, "quantumtrack: a %s is required (flag or --%s-stdin)\n", what, what);
		return NULL;
	}
	char line[1100];
	if (!fgets(line, sizeof line, stdin)) {
		fprintf(stderr, "quantumtrack: no %s on stdin\n", what);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	char *p = strdup(line);
	sodium_memzero(line, sizeof line);
	return p;
}

/* Read a secret file in the data directory, or create it with random
 * bytes (hex) when create != 0.  Returns a malloc'd string or NULL. */
static char *data_secret(const char *dir, const char *name, int create)
{
	char path[4200], buf[200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		/* A secret readable by others is made owner-only. */
		struct stat st;
		if (fstat(fd, &st) == 0 && (st.st_mode & 077) && fchmod(fd, 0600) == 0)
			fprintf(stderr, "quantumtrack: %s was readable by others; made it 0600\n", path);
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			return NULL;
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		return strdup(buf);
	}
	if (!create)
		return NULL;
	if (ensure_dir(dir) < 0)
		return NULL;
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	hex_encode(raw, sizeof raw, buf);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, buf, 64) != 64 || write(fd, "\n", 1) != 1) {
		fprintf(stderr, "quantumtrack: cannot write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	return strdup(buf);
}

int cli_load_secrets(struct app *app, int create)
{
	const char *jwt = app->cfg.jwt_secret;
	char *from_file = NULL;
	if (!jwt) {
		from_file = data_secret(app->cfg.data_dir, "jwt_secret", create);
		jwt = from_file;
	}
	if (!jwt) {
		fprintf(stderr, "quantumtrack: QT_JWT_SECRET is required (at least 32 bytes); "
			"for development, `quantumtrack demo` creates one in the data directory\n");
		return -1;
	}
	if (strlen(jwt) < 32 || strlen(jwt) > sizeof app->jwt_key) {
		fprintf(stderr, "quantumtrack: QT_JWT_SECRET must be 32-512 bytes\n");
		free(from_file);
		return -1;
	}
	app->jwt_key_len = strlen(jwt);
	memcpy(app->jwt_key, jwt, app->jwt_key_len);
	if (from_file) {
		sodium_memzero(from_file, strlen(from_file));
		free(from_file);
	}
	const char *mk = app->cfg.master_key;
	char *mk_file = NULL;
	if (!mk) {
		mk_file = data_secret(app->cfg.data_dir, "master_key", create);
		mk = mk_file;
	}
	if (!mk) {
		fprintf(stderr, "quantumtrack: QT_MASTER_KEY is required (64 hex digits or 32+ bytes); "
			"for development, `quantumtrack demo` creates one in the data directory\n");
		return -1;
	}
	int rc = secret_key_from_string(mk, app->master_key);
	if (mk_file) {
		sodium_memzero(mk_file, strlen(mk_file));
		free(mk_file);
	}
	if (rc < 0) {
		fprintf(stderr, "quantumtrack: QT_MASTER_KEY must be 64 hex digits or at least 32 bytes\n");
		return -1;
	}
	return 0;
}
