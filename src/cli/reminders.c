/* reminders.c — `quantumtrack reminders run`: one pass of the reminder
 * schedule over every store (or one), for cron; the same pass `serve`
 * makes every QT_REMINDER_TICK_S seconds. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/reminders.h"

int cmd_reminders(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *tenant = NULL;
	int dry_run = 0, help = 0;
	const char *usage = "usage: quantumtrack reminders run [--db URL] [--data-dir DIR] [--tenant SLUG] [--dry-run]\n\n"
		"Send the scheduled WhatsApp reminders that are due now (each store's schedule, quiet\n"
		"hours, 24-hour rule and opt-outs apply), once. --dry-run counts them and sends nothing.";
	if (argc < 1 || strcmp(argv[0], "run") != 0) {
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
		{ "tenant", 1, &tenant, NULL, "only this store (slug)" },
		{ "dry-run", 0, NULL, &dry_run, "count who would be reminded; send nothing" },
	};
	int rc = cli_parse(argc - 1, argv + 1, opts, 4, NULL, 0, NULL, usage, &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	struct app app;
	memset(&app, 0, sizeof app);
	cli_config(&app.cfg, db, NULL, data_dir);
	if (cli_load_secrets(&app, 0) < 0)
		return EXIT_FAIL;
	struct store *s = cli_open_store(&app.cfg, 2, strncmp(app.cfg.db_url, "sqlite:", 7) == 0);
	if (!s)
		return EXIT_FAIL;
	struct reminders_run_options o = {
		.master_key = app.master_key, .public_url = app.cfg.public_url, .tenant_slug = tenant,
		.dry_run = dry_run,
	};
	struct reminders_run_report rep;
	rc = reminders_run(s, &o, &rep);
	store_close(s);
	if (rc != 0) {
		fprintf(stderr, "quantumtrack: the stores could not be read (code %d)\n", rc);
		return EXIT_FAIL;
	}
	printf("%s%d reminder(s) %s, %d failed, %d skipped, in %d store(s) with an open schedule\n",
		dry_run ? "dry run: " : "", rep.reminded, dry_run ? "would be sent" : "sent", rep.failed,
		rep.skipped, rep.stores);
	return rep.failed ? EXIT_FAIL : EXIT_OK;
}
