/*
 * verify.c — `quantumtrack verify [--tenant S]`: recompute every
 * customer's balance from its entries and every tenant's audit hash chain,
 * check every document's chunks against their checksums and (without
 * --tenant) the platform's audit chain.  Prints each problem; exit 1 on
 * any, 0 when everything holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store_documents.h"
#include "store/store_platform_audit.h"
#include "store/store_tenants.h"
#include "store/store_verify.h"

static void print_problem(const char *slug, const struct ledger_problem *p)
{
	switch (p->kind) {
	case LEDGER_PROBLEM_REVERSES_MISSING:
		printf("%s: MISMATCH entry %s: reverses %s, which does not exist\n", slug, p->entry_id,
			p->reverses_id ? p->reverses_id : "(none)");
		break;
	case LEDGER_PROBLEM_REVERSAL_AMOUNT:
		printf("%s: MISMATCH entry %s: reversal amount %lld differs from the reversed entry's %lld\n",
			slug, p->entry_id, (long long)p->amount_minor, (long long)p->reversed_amount_minor);
		break;
	case LEDGER_PROBLEM_EFFECT:
		printf("%s: MISMATCH entry %s (%s, amount %lld): recorded effect %lld, expected %lld\n",
			slug, p->entry_id, p->entry_type, (long long)p->amount_minor,
			(long long)p->recorded_effect_minor, (long long)p->expected_effect_minor);
		break;
	case LEDGER_PROBLEM_BALANCE:
		printf("%s: MISMATCH customer %s (%s): stored balance %lld, entries sum to %lld\n", slug,
			p->customer_id, p->customer_name, (long long)p->stored_balance_minor,
			(long long)p->entries_sum_minor);
		break;
	case LEDGER_PROBLEM_BALANCE_OVERFLOW:
		printf("%s: MISMATCH customer %s (%s): stored balance %lld, entries sum past int64"
			" (beyond +/-%lld)\n", slug, p->customer_id, p->customer_name,
			(long long)p->stored_balance_minor, (long long)INT64_MAX);
		break;
	}
}

static void print_chain_break(const char *slug, const struct audit_chain_status *c)
{
	printf("%s: AUDIT CHAIN BROKEN ", slug);
	switch (c->state) {
	case AUDIT_CHAIN_INTACT:
		break;
	case AUDIT_CHAIN_SEQ_MISSING:
		printf("audit row seq %lld missing (found seq %lld next)", (long long)c->seq,
			(long long)c->found_seq);
		break;
	case AUDIT_CHAIN_PREV_MISMATCH:
		printf("audit row seq %lld (id %s): prev_hash does not match row %lld", (long long)c->seq,
			c->id, (long long)(c->seq - 1));
		break;
	case AUDIT_CHAIN_EDITED:
		printf("audit row seq %lld (id %s): content does not match its hash (edited)",
			(long long)c->seq, c->id);
		break;
	case AUDIT_CHAIN_HEAD_MISMATCH:
		printf("audit log ends at seq %lld but the chain head says %lld (rows deleted)",
			(long long)c->seq, (long long)c->found_seq);
		break;
	}
	printf("\n");
}

static void print_document_problem(const char *slug, const struct document_problem *p)
{
	if (!p->doc.id) {
		printf("%s: DOCUMENT USAGE MISMATCH the store's total says %lld bytes in %lld documents,"
			" its documents hold %lld bytes in %lld\n", slug, (long long)p->recorded_bytes,
			(long long)p->recorded_count, (long long)p->actual_bytes, (long long)p->actual_count);
		return;
	}
	printf("%s: DOCUMENT CORRUPT document %s (customer %s, \"%s\", %lld bytes): %s", slug, p->doc.id,
		p->doc.customer_id, p->doc.filename, (long long)p->doc.size_bytes,
		document_state_text(p->check.state));
	if (p->check.seq >= 0)
		printf(" (chunk %lld)", (long long)p->check.seq);
	printf("\n");
}

/* The number of problems in one store, or -1 when it cannot be checked. */
static int verify_tenant(struct store *s, const char *id, const char *slug)
{
	struct store_tx *tx;
	struct ledger_problem *problems;
	struct audit_chain_status chain;
	struct document_problem *docs;
	int n, ndocs = 0, checked = 0;
	int rc = store_begin_tenant(s, id, 0, NULL, &tx);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: cannot read (code %d)\n", slug, rc);
		return -1;
	}
	struct arena *a = arena_new();
	if (!a)
		abort();
	rc = store_ledger_verify(tx, a, &problems, &n);
	if (rc == STORE_OK)
		rc = store_audit_verify(tx, &chain);
	if (rc == STORE_OK)
		rc = store_documents_verify(tx, a, &docs, &ndocs, &checked);
	store_rollback(tx);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: verification could not run (code %d)\n", slug, rc);
		arena_free(a);
		return -1;
	}
	for (int i = 0; i < n; i++)
		print_problem(slug, &problems[i]);
	if (chain.state != AUDIT_CHAIN_INTACT)
		print_chain_break(slug, &chain);
	for (int i = 0; i < ndocs; i++)
		print_document_problem(slug, &docs[i]);
	if (!n && chain.state == AUDIT_CHAIN_INTACT)
		printf("%s: ok (balances match their entries; audit chain intact)\n", slug);
	if (!ndocs && checked)
		printf("%s: ok (%d documents match their checksums)\n", slug, checked);
	arena_free(a);
	return n + (chain.state != AUDIT_CHAIN_INTACT) + ndocs;
}

/* The platform's chain of operator actions: 0 when intact, 1 when broken,
 * -1 when it cannot be read. */
static int verify_platform(struct store *s)
{
	struct store_tx *tx;
	struct audit_chain_status chain;
	int rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_platform_audit_verify(tx, &chain);
		store_rollback(tx);
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: platform: the audit trail could not be read (code %d)\n", rc);
		return -1;
	}
	if (chain.state != AUDIT_CHAIN_INTACT) {
		print_chain_break("platform", &chain);
		return 1;
	}
	printf("platform: ok (platform audit chain intact)\n");
	return 0;
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
		"Check that every balance equals the sum of its entries, that every\n"
		"audit chain is intact, the platform's too (not with --tenant), and\n"
		"that every document matches its checksum.\n"
		"Exit 1 on any mismatch.", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, 1, 0);
	if (!s)
		return EXIT_FAIL;
	struct store_tx *tx;
	struct tenant_usage *rows = NULL;
	int n = 0;
	struct arena *a = arena_new();
	rc = a ? store_begin_platform(s, 0, NULL, &tx) : STORE_ERROR;
	if (rc == STORE_OK) {
		rc = store_tenant_list(tx, a, &rows, &n);
		store_rollback(tx);
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: cannot list stores\n");
		arena_free(a);
		store_close(s);
		return EXIT_FAIL;
	}
	int problems = 0, seen = 0;
	for (int i = 0; i < n; i++) {
		const struct tenant_rec *t = &rows[i].tenant;
		if (tenant && strcmp(tenant, t->slug) != 0)
			continue;
		seen++;
		int found = verify_tenant(s, t->id, t->slug);
		problems += found < 0 ? 1 : found;
	}
	if (!tenant) {
		int found = verify_platform(s);
		problems += found < 0 ? 1 : found;
	}
	arena_free(a);
	store_close(s);
	if (tenant && !seen) {
		fprintf(stderr, "quantumtrack: no store with slug \"%s\"\n", tenant);
		return EXIT_FAIL;
	}
	return problems ? EXIT_FAIL : EXIT_OK;
}
