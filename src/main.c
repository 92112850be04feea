/* main.c — QuantumTrack: the command name picks a cli/ subcommand. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "serve", cmd_serve, "serve the JSON API and the web app" },
	{ "migrate", cmd_migrate, "apply database migrations" },
	{ "demo", cmd_demo, "create the demo store with sample data" },
	{ "tenant", cmd_tenant, "create, list, suspend, delete or move stores" },
	{ "cluster", cmd_cluster, "add or list the clusters of the tenant directory (QT_DIRECTORY_DB)" },
	{ "user", cmd_user, "add a user to a store" },
	{ "operator", cmd_operator, "add a platform operator" },
	{ "verify", cmd_verify, "check balances against entries and the audit chains" },
	{ "backup", cmd_backup, "copy the SQLite database" },
	{ "reminders", cmd_reminders, "send the scheduled WhatsApp reminders that are due (for cron)" },
	{ "export", cmd_export, "write a store's customers, transactions, reminders or audit trail as CSV" },
	{ "import", cmd_import, "import customers or transactions from CSV (all rows or none)" },
	{ "keys", cmd_keys, "keys rotate: re-seal every store's secrets under a new master key" },
	{ "wa-send", cmd_wa_send, "send one WhatsApp message through a provider (check credentials)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: quantumtrack COMMAND [options]   (quantumtrack COMMAND --help)\n\nCommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nEnvironment: QT_DB, QT_LISTEN, QT_DATA_DIR, QT_JWT_SECRET, QT_MASTER_KEY,\n"
		"QT_BASE_DOMAIN, QT_THREADS, QT_DB_POOL, QT_BODY_LIMIT, QT_IMPORT_LIMIT, QT_ACCESS_TTL,\nQT_REFRESH_TTL.\n");
}

#if defined(__SANITIZE_ADDRESS__)
/* A sanitizer build only: fontconfig keeps its font patterns behind
 * encoded offsets the leak checker cannot follow, so the font map the PDF
 * statements make once and keep (src/pdf/) reads as leaked at exit. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}
#endif

int main(int argc, char **argv)
{
	/* Everything this program writes (the SQLite database and its side
	 * files, secrets, backups) is for its owner alone. */
	umask(077);
	if (sodium_init() < 0) {
		fprintf(stderr, "quantumtrack: libsodium failed to initialise\n");
		return EXIT_FAIL;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 2, argv + 2);
	fprintf(stderr, "quantumtrack: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
