/*
 * verify.c — `quantumtrack verify [--tenant S]`: recompute every
 * customer's balance from its entries and every tenant's audit hash chain.
 * Prints each problem; exit 1 on any, 0 when everything holds.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store_verify.h"
#include "store/store_platform.h"

static int verify_tenant(struct store *s, const char *id, const char *slug)
{
	struct store_tx *tx;
	char problem[512];
	json_t *report = json_array();
	int rc = store_begin_tenant(s, id, 0, NULL, &tx);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: cannot read (code %d)\n", slug, rc);
		json_decref(report);
		return -1;
	}
	int bad = store_ledger_verify(tx, report);
	int chain = store_audit_verify(tx, problem, sizeof problem);
	store_rollback(tx);
	if (bad < 0 || chain < 0) {
		fprintf(stderr, "quantumtrack: %s: verification could not run\n", slug);
		json_decref(report);
		return -1;
	}
	size_t i;
	json_t *line;
	json_array_foreach(report, i, line)
		printf("%s: MISMATCH %s\n", slug, json_string_value(line));
	if (chain)
		printf("%s: AUDIT CHAIN BROKEN %s\n", slug, problem);
	if (!bad && !chain)
		printf("%s: ok (balances match their entries; audit chain intact)\n", slug);
	json_decref(report);
	return bad + chain;
}

int cmd_verify(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *tenant = NULL;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
		{ "tenant", 1, &tenant, NULL, "only this store (slug)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 3, NULL, 0, NULL,
		"usage: quantumtrack verify [--tenant SLUG]\n\n"
		"Check that every balance equals the sum of its entries and that every\n"
		"audit chain is intact.  Exit 1 on any mismatch.", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, 1, 0);
	if (!s)
		return EXIT_FAIL;
	struct store_tx *tx;
	json_t *list = json_array();
	rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_list(tx, list);
		store_rollback(tx);
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: cannot list stores\n");
		json_decref(list);
		store_close(s);
		return EXIT_FAIL;
	}
	int problems = 0, seen = 0;
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t) {
		const char *slug = json_string_value(json_object_get(t, "slug"));
		if (tenant && strcmp(tenant, slug) != 0)
			continue;
		seen++;
		int n = verify_tenant(s, json_string_value(json_object_get(t, "id")), slug);
		problems += n < 0 ? 1 : n;
	}
	json_decref(list);
	store_close(s);
	if (tenant && !seen) {
		fprintf(stderr, "quantumtrack: no store with slug \"%s\"\n", tenant);
		return EXIT_FAIL;
	}
	return problems ? EXIT_FAIL : EXIT_OK;
}
