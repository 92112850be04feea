/*
 * import.c — `quantumtrack import customers|transactions --tenant S FILE
 * [--dry-run]`: the API's CSV import (core/import.c) from the command
 * line, in one transaction: all rows or none.  FILE "-" is stdin.
 *
 * On a terminal, stderr shows a progress bar (rows, rows per second, an
 * estimate of the time left) while the file is read, checked and
 * written; otherwise only the one-line summary is printed.  Each error
 * goes to stderr with its line and column.  Exit 0 when imported (or the
 * dry run found nothing wrong), 1 on errors in the file or a store
 * failure, 2 on a usage error.
 *
 * The plan's customer limit holds here as on the API; the plan feature
 * (csv_import) does not: whoever runs this has the database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/import.h"
#include "store/store_plans.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "util/clock.h"

static const struct store_actor import_actor = { "cli", "system", "cli", "local" };

#define BAR_WIDTH 24

struct bar {
	int on;                /* stderr is a terminal */
	int64_t started_ms, shown_ms;
	const char *phase;
	uint64_t rows;         /* rows read, checked or written so far */
	double fraction;       /* of the phase done, 0-1 */
	int64_t phase_ms;      /* when the phase began */
	int drawn;
};

static void bar_draw(struct bar *b, int force)
{
	int64_t now = clock_mono_ms();
	if (!b->on || (!force && now - b->shown_ms < 100))
		return;
	b->shown_ms = now;
	double secs = (double)(now - b->phase_ms) / 1000.0;
	double rate = secs > 0 ? (double)b->rows / secs : 0;
	char eta[32] = "--:--";
	if (b->fraction > 0.001 && b->fraction < 1) {
		long left = (long)(secs / b->fraction * (1 - b->fraction) + 0.5);
		snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
	} else if (b->fraction >= 1) {
		snprintf(eta, sizeof eta, "0:00");
	}
	int fill = (int)(b->fraction * BAR_WIDTH + 0.5);
	char line[BAR_WIDTH + 1];
	for (int i = 0; i < BAR_WIDTH; i++)
		line[i] = i < fill ? '#' : '-';
	line[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%-8s [%s] %3d%%  %llu rows  %.0f rows/s  ETA %s\033[K", b->phase, line,
		(int)(b->fraction * 100), (unsigned long long)b->rows, rate, eta);
	fflush(stderr);
	b->drawn = 1;
}

static void bar_phase(struct bar *b, const char *phase)
{
	if (b->phase && b->on)
		bar_draw(b, 1);
	b->phase = phase;
	b->phase_ms = clock_mono_ms();
	b->rows = 0;
	b->fraction = 0;
}

static void bar_end(struct bar *b)
{
	if (b->on && b->drawn) {
		bar_draw(b, 1);
		fputc('\n', stderr);
	}
}

static void on_progress(void *cls, enum import_phase phase, uint64_t done, uint64_t total)
{
	struct bar *b = cls;
	const char *name = phase == IMPORT_CHECKING ? "checking" : "writing";
	if (!b->phase || strcmp(b->phase, name) != 0)
		bar_phase(b, name);
	b->rows = done;
	b->fraction = total ? (double)done / (double)total : 1;
	bar_draw(b, done == total);
}

/* Read the whole file into the importer.  0, or -1 with a message. */
static int read_file(const char *path, struct import_file *f, struct bar *b)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[64 * 1024];
	struct stat st;
	uint64_t size = 0, seen = 0;

	if (!in) {
		fprintf(stderr, "quantumtrack: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
		size = (uint64_t)st.st_size;
	bar_phase(b, "reading");
	for (;;) {
		size_t n = fread(chunk, 1, sizeof chunk, in);
		if (n == 0)
			break;
		seen += n;
		if (import_file_feed(f, chunk, n) < 0)
			break;   /* the error is the importer's to report */
		b->rows = import_file_rows(f);
		b->fraction = size ? (double)seen / (double)size : 0;
		bar_draw(b, 0);
	}
	int bad = ferror(in);
	if (in != stdin)
		fclose(in);
	if (bad) {
		fprintf(stderr, "quantumtrack: cannot read %s\n", path);
		return -1;
	}
	import_file_finish(f);
	b->rows = import_file_rows(f);
	b->fraction = 1;
	return 0;
}

/* The store and its plan's customer limit; 0, or -1 with a message. */
static int find_store(struct store *s, const char *slug, struct arena *a, struct tenant_rec *t,
	int64_t *customer_limit)
{
	struct store_tx *tx;
	struct plan_rec plan;
	int rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_by_slug(tx, slug, a, t);
		if (rc == STORE_OK)
			rc = store_plan_get(tx, t->plan, a, &plan);
		store_rollback(tx);
	}
	if (rc == STORE_NOT_FOUND) {
		fprintf(stderr, "quantumtrack: no store with slug \"%s\" (or its plan is gone)\n", slug);
		return -1;
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: cannot read the store (code %d)\n", rc);
		return -1;
	}
	*customer_limit = plan.customer_limit;
	return 0;
}

int cmd_import(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *tenant = NULL;
	int dry_run = 0, help = 0;
	const char *usage =
		"usage: quantumtrack import customers|transactions --tenant SLUG FILE [--dry-run]\n"
		"                          [--db URL] [--data-dir DIR]\n\n"
		"Import a CSV file (UTF-8, optional BOM, CRLF or LF, a header row naming the\n"
		"columns) into a store, all rows or none.  FILE - reads stdin.\n"
		"  customers:    name,phone,apartment,email,credit_limit_minor (or credit_limit),notes\n"
		"  transactions: type,amount_minor (or amount),occurred_at (or date),note,\n"
		"                payment_method,payment_reference, and customer_id, phone or\n"
		"                apartment (+ name or customer_name); id and reverses_id for reversals\n"
		"An export of the store imports as it is.  --dry-run checks everything and\n"
		"writes nothing.  Exit 0 when imported, 1 on errors (each printed with its line\n"
		"and column), 2 on usage.";
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
		{ "tenant", 1, &tenant, NULL, "the store (slug)" },
		{ "dry-run", 0, NULL, &dry_run, "check the file and report what would be created; write nothing" },
	};
	if (argc < 1 || (strcmp(argv[0], "customers") != 0 && strcmp(argv[0], "transactions") != 0)) {
		if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
			printf("%s\n", usage);
			return EXIT_OK;
		}
		fprintf(stderr, "%s\n", usage);
		return EXIT_USAGE;
	}
	enum import_kind kind = strcmp(argv[0], "customers") == 0 ? IMPORT_CUSTOMERS : IMPORT_TRANSACTIONS;
	const char *pos[1];
	int npos = 0;
	int rc = cli_parse(argc - 1, argv + 1, opts, 4, pos, 1, &npos, usage, &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	if (!tenant || npos != 1) {
		fprintf(stderr, "quantumtrack: import needs --tenant SLUG and a FILE\n%s\n", usage);
		return EXIT_USAGE;
	}

	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, 1, strncmp(cfg.db_url, "sqlite:", 7) == 0);
	if (!s)
		return EXIT_FAIL;
	struct arena *a = arena_new();
	if (!a)
		abort();
	struct tenant_rec t;
	struct settings_rec settings;
	struct import_result res;
	struct store_tx *tx = NULL;
	struct bar bar = { .on = isatty(STDERR_FILENO), .started_ms = clock_mono_ms() };
	int64_t limit = -1;
	int status = EXIT_FAIL;

	if (find_store(s, tenant, a, &t, &limit) < 0)
		goto out;
	struct import_file *f = import_file_new(kind, a);
	if (read_file(pos[0], f, &bar) < 0)
		goto out;
	rc = store_begin_tenant(s, t.id, 1, &import_actor, &tx);
	if (rc == STORE_OK)
		rc = store_settings_get(tx, a, &settings);
	if (rc != STORE_OK) {
		bar_end(&bar);
		fprintf(stderr, "quantumtrack: %s: cannot open the store for writing (code %d)\n", tenant, rc);
		goto out;
	}
	struct import_options o = {
		.now_ms = clock_now_ms(),
		.customer_limit = kind == IMPORT_CUSTOMERS ? limit : -1,
		.progress = on_progress,
		.progress_cls = &bar,
	};
	rc = import_run(tx, &settings, f, &o, a, &res);
	bar_end(&bar);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: the import failed in the store (code %d); nothing was imported\n",
			tenant, rc);
		goto out;
	}
	const char *what = kind == IMPORT_CUSTOMERS ? "customers" : "entries";
	double secs = (double)(clock_mono_ms() - bar.started_ms) / 1000.0;
	if (res.error_count) {
		for (int i = 0; i < res.nerrors; i++) {
			const struct import_error *e = &res.errors[i];
			fprintf(stderr, "%s: line %llu%s%s: %s [%s]\n", pos[0], (unsigned long long)e->line,
				e->column ? ", column " : "", e->column ? e->column : "", e->message, e->code);
		}
		if (res.error_count > (uint64_t)res.nerrors)
			fprintf(stderr, "%s: ... and %llu more errors\n", pos[0],
				(unsigned long long)(res.error_count - (uint64_t)res.nerrors));
		printf("%s%s: %llu rows, %llu error%s; nothing was imported\n", dry_run ? "dry run: " : "",
			tenant, (unsigned long long)res.rows, (unsigned long long)res.error_count,
			res.error_count == 1 ? "" : "s");
		goto out;
	}
	if (dry_run) {
		printf("dry run: %s: %llu rows, %llu %s would be created; nothing was written (%.1f s)\n", tenant,
			(unsigned long long)res.rows, (unsigned long long)res.created, what, secs);
		status = EXIT_OK;
		goto out;
	}
	rc = store_commit(tx);
	tx = NULL;
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: the commit failed (code %d); nothing was imported\n", tenant, rc);
		goto out;
	}
	printf("%s: %llu rows imported, %llu %s created (%.1f s)\n", tenant, (unsigned long long)res.rows,
		(unsigned long long)res.created, what, secs);
	status = EXIT_OK;
out:
	store_rollback(tx);
	arena_free(a);
	store_close(s);
	return status;
}
