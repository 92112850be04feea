/*
 * export.c — `quantumtrack export customers|transactions|reminders|audit
 * --tenant SLUG [--from DATE] [--to DATE] [--output FILE] [--bom]`: the
 * same CSV as GET /api/v1/export/<kind>.csv (core/export.h), byte for
 * byte, to stdout or a file.  A file is written beside its final name and
 * renamed into place once complete, so a failed export leaves no partial
 * file behind.  The CLI is the operator's tool: no role or plan applies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/export.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "util/civil.h"
#include "util/clock.h"

static const char usage_text[] =
	"usage: quantumtrack export customers|transactions|reminders|audit --tenant SLUG\n"
	"                          [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--output FILE] [--bom]\n\n"
	"Write one store's data as CSV (RFC 4180, UTF-8, CRLF, a header row), exactly as\n"
	"GET /api/v1/export/<kind>.csv answers it.  --from and --to are dates in the store's\n"
	"timezone, both inclusive (customers by when they were added, transactions by when\n"
	"they occurred, reminders and audit rows by when they were made).  --bom starts the\n"
	"file with a UTF-8 byte order mark (for Excel).  Without --output the CSV goes to\n"
	"stdout.  Exit 0 on success, 1 on failure, 2 on a usage error.";

static int write_all(FILE *f, const char *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* Stream the export into f; returns 0 or -1 (message printed). */
static int run_export(struct store *s, const struct tenant_rec *t, enum export_kind kind,
	int has_from, int64_t from_day, int has_to, int64_t to_day, int bom, FILE *f,
	const char *out_name, int64_t *rows)
{
	struct store_tx *tx;
	struct settings_rec st;
	struct export_format fmt;
	struct export_stream *x = NULL;
	int64_t from_ms, to_ms;
	char chunk[64 * 1024];
	int ret = -1;

	struct arena *a = arena_new();
	if (!a)
		abort();
	int rc = store_begin_tenant(s, t->id, 0, NULL, &tx);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: cannot read (code %d)\n", t->slug, rc);
		arena_free(a);
		return -1;
	}
	rc = store_settings_get(tx, a, &st);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: cannot read the store's settings (code %d)\n", t->slug, rc);
		goto out;
	}
	if (export_range(st.timezone, has_from, from_day, has_to, to_day, &from_ms, &to_ms) < 0) {
		fprintf(stderr, "quantumtrack: --from/--to: out of range in timezone %s\n", st.timezone);
		goto out;
	}
	export_format_init(&fmt, &st, clock_now_ms());
	rc = export_stream_open(tx, kind, &fmt, from_ms, to_ms, bom, &x);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: the export could not start (code %d)\n", t->slug, rc);
		goto out;
	}
	for (;;) {
		long n = export_stream_read(x, chunk, sizeof chunk);
		if (n == 0)
			break;
		if (n < 0) {
			fprintf(stderr, "quantumtrack: %s: the export stopped: the database could not be read (code %ld)\n",
				t->slug, n);
			goto out;
		}
		if (write_all(f, chunk, (size_t)n) < 0) {
			fprintf(stderr, "quantumtrack: %s: %s\n", out_name, strerror(errno));
			goto out;
		}
	}
	if (fflush(f) != 0) {
		fprintf(stderr, "quantumtrack: %s: %s\n", out_name, strerror(errno));
		goto out;
	}
	*rows = export_stream_rows(x);
	ret = 0;
out:
	export_stream_close(x);
	store_rollback(tx);
	arena_free(a);
	return ret;
}

static int parse_day(const char *flag, const char *v, int64_t *day)
{
	if (civil_parse_date(v, day) < 0) {
		fprintf(stderr, "quantumtrack: --%s \"%s\": must be a date YYYY-MM-DD\n", flag, v);
		return -1;
	}
	return 0;
}

int cmd_export(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *tenant = NULL, *from = NULL, *to = NULL, *output = NULL;
	const char *pos[1];
	int bom = 0, help = 0, npos = 0;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
		{ "tenant", 1, &tenant, NULL, "the store (slug)" },
		{ "from", 1, &from, NULL, "first local date, inclusive (YYYY-MM-DD)" },
		{ "to", 1, &to, NULL, "last local date, inclusive (YYYY-MM-DD)" },
		{ "output", 1, &output, NULL, "write to FILE instead of stdout" },
		{ "bom", 0, NULL, &bom, "start with a UTF-8 byte order mark (for Excel)" },
	};
	int rc = cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0], pos, 1, &npos, usage_text, &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	enum export_kind kind;
	if (npos != 1 || export_kind_parse(pos[0], &kind) < 0) {
		if (npos == 1)
			fprintf(stderr, "quantumtrack: unknown export \"%s\": customers, transactions, reminders or audit\n", pos[0]);
		fprintf(stderr, "%s\n", usage_text);
		return EXIT_USAGE;
	}
	if (!tenant || !*tenant) {
		fprintf(stderr, "quantumtrack: --tenant is required\n%s\n", usage_text);
		return EXIT_USAGE;
	}
	int64_t from_day = 0, to_day = 0;
	if ((from && parse_day("from", from, &from_day) < 0) || (to && parse_day("to", to, &to_day) < 0))
		return EXIT_USAGE;
	if (from && to && from_day > to_day) {
		fprintf(stderr, "quantumtrack: --from %s is after --to %s\n", from, to);
		return EXIT_USAGE;
	}

	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, 1, 0);
	if (!s)
		return EXIT_FAIL;
	struct arena *a = arena_new();
	if (!a)
		abort();
	struct store_tx *tx;
	struct tenant_rec t;
	rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_by_slug(tx, tenant, a, &t);
		store_rollback(tx);
	}
	if (rc != STORE_OK) {
		if (rc == STORE_NOT_FOUND)
			fprintf(stderr, "quantumtrack: no store with slug \"%s\"\n", tenant);
		else
			fprintf(stderr, "quantumtrack: cannot look up the store (code %d)\n", rc);
		arena_free(a);
		store_close(s);
		return EXIT_FAIL;
	}

	FILE *f = stdout;
	char *tmp = NULL;
	if (output) {
		size_t len = strlen(output) + 16;
		tmp = malloc(len);
		if (!tmp)
			abort();
		snprintf(tmp, len, "%s.tmpXXXXXX", output);
		int fd = mkstemp(tmp);
		f = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (!f) {
			fprintf(stderr, "quantumtrack: %s: %s\n", output, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			free(tmp);
			arena_free(a);
			store_close(s);
			return EXIT_FAIL;
		}
	}
	int64_t rows = 0;
	int failed = run_export(s, &t, kind, from != NULL, from_day, to != NULL, to_day, bom, f,
		output ? output : "stdout", &rows) < 0;
	if (output) {
		/* Durable before it takes the final name. */
		if (!failed && fsync(fileno(f)) != 0) {
			fprintf(stderr, "quantumtrack: %s: %s\n", output, strerror(errno));
			failed = 1;
		}
		if (fclose(f) != 0 && !failed) {
			fprintf(stderr, "quantumtrack: %s: %s\n", output, strerror(errno));
			failed = 1;
		}
		if (!failed && rename(tmp, output) != 0) {
			fprintf(stderr, "quantumtrack: %s: %s\n", output, strerror(errno));
			failed = 1;
		}
		if (failed)
			unlink(tmp);
		else
			fprintf(stderr, "quantumtrack: wrote %lld row(s) of %s's %s to %s\n",
				(long long)rows, t.slug, export_kind_name(kind), output);
		free(tmp);
	}
	arena_free(a);
	store_close(s);
	return failed ? EXIT_FAIL : EXIT_OK;
}
