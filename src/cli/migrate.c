/* migrate.c — `quantumtrack migrate` and `quantumtrack backup`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_migrate(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB); on PostgreSQL use the owner role" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR, default ./data)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 2, NULL, 0, NULL,
		"usage: quantumtrack migrate [--db URL]\n\nApply database migrations.", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, 1, 1);
	if (!s)
		return EXIT_FAIL;
	printf("schema version %d\n", store_schema_version(s));
	store_close(s);
	return EXIT_OK;
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
