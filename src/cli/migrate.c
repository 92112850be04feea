/* migrate.c — `quantumtrack migrate` (and the app role's password) and `quantumtrack backup`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli/cli.h"
#include "store/store_roles.h"

static void free_password(char *p)
{
	if (p) {
		sodium_memzero(p, strlen(p));
		free(p);
	}
}

/* The app role's password: --app-password-stdin, else QT_APP_PASSWORD,
 * else none (*out NULL).  Returns EXIT_OK or EXIT_USAGE (message printed). */
static int app_password(int from_stdin, char **out)
{
	const char *env = getenv("QT_APP_PASSWORD");
	*out = NULL;
	if (from_stdin)
		*out = cli_password(NULL, 1, "app-password");
	else if (env && *env)
		*out = strdup(env);
	else
		return EXIT_OK;
	if (!*out)
		return EXIT_USAGE;
	/* A machine's credential: long, and one line. */
	size_t n = strlen(*out);
	if (n < 12 || n > 1024) {
		fprintf(stderr, "quantumtrack: the app password must be 12-1024 bytes (got %zu); "
			"for example: openssl rand -hex 16\n", n);
		sodium_memzero(*out, n);
		free(*out);
		*out = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_migrate(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL;
	int pw_stdin = 0;
	char *password = NULL, err[600];
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB); on PostgreSQL use the owner role" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR, default ./data)" },
		{ "app-password-stdin", 0, NULL, &pw_stdin,
			"PostgreSQL: read a password from stdin and make " STORE_APP_ROLE " a login role with it\n"
			"      (QT_APP_PASSWORD does the same; without either the role is left as it is)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 3, NULL, 0, NULL,
		"usage: quantumtrack migrate [--db URL] [--app-password-stdin]\n\n"
		"Apply database migrations.  On PostgreSQL run it as the owner role; with\n"
		"--app-password-stdin (or QT_APP_PASSWORD) it also creates or updates the\n"
		"server's login role " STORE_APP_ROLE " (the owner role needs CREATEROLE for that).", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	int postgres = strncmp(cfg.db_url, "sqlite:", 7) != 0;
	rc = app_password(pw_stdin, &password);
	if (rc != EXIT_OK)
		return rc;
	if (password && !postgres) {
		fprintf(stderr, "quantumtrack: an app password is for PostgreSQL; SQLite has no database roles\n");
		free_password(password);
		return EXIT_USAGE;
	}
	struct store *s = cli_open_store(&cfg, 1, 1);
	if (!s) {
		free_password(password);
		return EXIT_FAIL;
	}
	printf("schema version %d\n", store_schema_version(s));
	rc = EXIT_OK;
	if (password) {
		if (store_app_role_password(s, password, err, sizeof err) == STORE_OK) {
			printf("role %s: login with the given password\n", STORE_APP_ROLE);
		} else {
			fprintf(stderr, "quantumtrack: setting the password of %s: %s%s\n", STORE_APP_ROLE, err,
				strstr(err, "permission denied") ? " (the role migrate runs as needs CREATEROLE)" : "");
			rc = EXIT_FAIL;
		}
		free_password(password);
	}
	store_close(s);
	return rc;
}

int cmd_backup(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL;
	const char *pos[1];
	int npos = 0;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR, default ./data)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 2, pos, 1, &npos,
		"usage: quantumtrack backup FILE\n\nWrite a consistent copy of the SQLite database to FILE\n"
		"(on PostgreSQL, use pg_dump).", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (npos != 1) {
		fprintf(stderr, "quantumtrack: backup needs a target FILE\n");
		return EXIT_USAGE;
	}
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	if (strncmp(cfg.db_url, "sqlite:", 7) != 0) {
		fprintf(stderr, "quantumtrack: backup copies SQLite databases; for PostgreSQL use pg_dump\n");
		return EXIT_FAIL;
	}
	struct store *s = cli_open_store(&cfg, 1, 0);
	if (!s)
		return EXIT_FAIL;
	rc = store_backup(s, pos[0]);
	store_close(s);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: backup to %s failed (does it already exist?)\n", pos[0]);
		return EXIT_FAIL;
	}
	printf("backed up to %s\n", pos[0]);
	return EXIT_OK;
}
