/*
 * verify.c — `quantumtrack verify [--tenant S] [--threads N]`: recompute
 * every customer's balance and the fields its row keeps (open lots, oldest
 * due, last purchase and payment) from its entries, every tenant's audit
 * hash chain, check every document's chunks against their checksums and
 * (without --tenant) the platform's audit chain.  Prints each problem;
 * exit 1 on any, 0 when everything holds.
 *
 * The checks run side by side on a few threads, each with a connection of
 * its own: per tenant one ledger pass, one documents pass and its chain,
 * a long chain cut into parts of CHAIN_PART_ROWS rows
 * (store_audit_verify_range says why the parts may be read in
 * transactions of their own).  The report is printed afterwards, tenant
 * by tenant in the list's order, as one thread would have printed it.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	case LEDGER_PROBLEM_DERIVED:
		printf("%s: MISMATCH customer %s (%s): stored %s %s, entries give %s\n", slug,
			p->customer_id, p->customer_name, p->field, p->stored_text, p->expected_text);
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

/* Rows of one chain per part: below this a chain is checked whole. */
#define CHAIN_PART_ROWS 16384
#define CHAIN_PARTS_MAX 64
#define THREADS_MAX 16

struct tenant_check {
	const char *id, *slug;
	struct arena *ledger_arena, *docs_arena; /* one each: their tasks run side by side */
	int ledger_rc, docs_rc, chain_rc;
	struct ledger_problem *problems;
	int n;
	struct document_problem *docs;
	int ndocs, checked;
	struct audit_extent extent;
	int nparts;                      /* set by the chain task before its parts run */
	int64_t bounds[CHAIN_PARTS_MAX + 1];
	struct audit_chain_status part[CHAIN_PARTS_MAX];
	int part_rc[CHAIN_PARTS_MAX];
};

enum task_kind { TASK_CHAIN, TASK_CHAIN_PART, TASK_LEDGER, TASK_DOCUMENTS, TASK_PLATFORM };

struct task {
	enum task_kind kind;
	struct tenant_check *t;
	int part;
};

/* Tasks in a queue that the chain tasks add their parts to: a worker
 * leaves when the queue is empty and no task that could add to it runs. */
struct queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task *v;
	size_t n, cap, head;
	int active, parts;
	struct store *s;
	int platform_rc;
	struct audit_chain_status platform;
};

static void push(struct queue *q, struct task t)
{
	pthread_mutex_lock(&q->mu);
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->v = realloc(q->v, sizeof *q->v * q->cap);
		if (!q->v)
			abort();
	}
	q->v[q->n++] = t;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static int pop(struct queue *q, struct task *out)
{
	int got = 0;
	pthread_mutex_lock(&q->mu);
	while (q->head == q->n && q->active > 0)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->head < q->n) {
		*out = q->v[q->head++];
		q->active++;
		got = 1;
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

static void done(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->active--;
	if (q->active == 0 && q->head == q->n)
		pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* The chain: its extent, then its parts (all but the first queued). */
static int run_chain(struct queue *q, struct tenant_check *t, struct store_tx *tx)
{
	int rc = store_audit_extent(tx, &t->extent);
	if (rc != STORE_OK)
		return rc;
	int64_t last = t->extent.last_seq;
	int parts = q->parts > 1 ? (int)((last + CHAIN_PART_ROWS - 1) / CHAIN_PART_ROWS) : 1;
	if (parts < 1)
		parts = 1;
	if (parts > CHAIN_PARTS_MAX)
		parts = CHAIN_PARTS_MAX;
	for (int i = 0; i <= parts; i++)
		t->bounds[i] = last * i / parts;
	for (int i = 0; i < parts; i++)
		t->part_rc[i] = STORE_ERROR;
	t->nparts = parts;
	for (int i = 1; i < parts; i++)
		push(q, (struct task){ TASK_CHAIN_PART, t, i });
	t->part_rc[0] = store_audit_verify_range(tx, t->bounds[0], t->bounds[1], &t->part[0]);
	return STORE_OK;
}

static void run(struct queue *q, const struct task *k)
{
	struct tenant_check *t = k->t;
	struct store_tx *tx = NULL;
	int rc = k->kind == TASK_PLATFORM ? store_begin_platform(q->s, 0, NULL, &tx)
		: store_begin_tenant(q->s, t->id, 0, NULL, &tx);
	switch (k->kind) {
	case TASK_CHAIN:
		t->chain_rc = rc == STORE_OK ? run_chain(q, t, tx) : rc;
		break;
	case TASK_CHAIN_PART:
		t->part_rc[k->part] = rc == STORE_OK ? store_audit_verify_range(tx, t->bounds[k->part],
			t->bounds[k->part + 1], &t->part[k->part]) : rc;
		break;
	case TASK_LEDGER:
		t->ledger_rc = rc == STORE_OK ? store_ledger_verify(tx, t->ledger_arena, &t->problems, &t->n) : rc;
		/* Only problems are kept for the report: many sound stores
		 * hold no memory until it is printed. */
		if (t->n == 0) {
			arena_free(t->ledger_arena);
			t->ledger_arena = NULL;
		}
		break;
	case TASK_DOCUMENTS:
		t->docs_rc = rc == STORE_OK ? store_documents_verify(tx, t->docs_arena, &t->docs, &t->ndocs,
			&t->checked) : rc;
		if (t->ndocs == 0) {
			arena_free(t->docs_arena);
			t->docs_arena = NULL;
		}
		break;
	case TASK_PLATFORM:
		q->platform_rc = rc == STORE_OK ? store_platform_audit_verify(tx, &q->platform) : rc;
		break;
	}
	if (tx)
		store_rollback(tx);
}

static void *worker(void *cls)
{
	struct queue *q = cls;
	struct task k;
	while (pop(q, &k)) {
		run(q, &k);
		done(q);
	}
	return NULL;
}

/* The chain's first break over its parts (see store_audit_verify_range). */
static int chain_status(const struct tenant_check *t, struct audit_chain_status *out)
{
	memset(out, 0, sizeof *out);
	if (t->chain_rc != STORE_OK)
		return t->chain_rc;
	for (int i = 0; i < t->nparts; i++)
		if (t->part_rc[i] != STORE_OK)
			return t->part_rc[i];
	for (int i = 0; i < t->nparts; i++)
		if (t->part[i].state != AUDIT_CHAIN_INTACT) {
			*out = t->part[i];
			return STORE_OK;
		}
	if (t->extent.has_head && t->extent.head_seq != t->extent.last_seq) {
		out->state = AUDIT_CHAIN_HEAD_MISMATCH;
		out->seq = t->extent.last_seq;
		out->found_seq = t->extent.head_seq;
	}
	return STORE_OK;
}

/* The number of problems in one store, or -1 when it could not be checked. */
static int report_tenant(const struct tenant_check *t)
{
	struct audit_chain_status chain;
	int rc = chain_status(t, &chain);
	if (rc == STORE_OK)
		rc = t->ledger_rc;
	if (rc == STORE_OK)
		rc = t->docs_rc;
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: %s: verification could not run (code %d)\n", t->slug, rc);
		return -1;
	}
	for (int i = 0; i < t->n; i++)
		print_problem(t->slug, &t->problems[i]);
	if (chain.state != AUDIT_CHAIN_INTACT)
		print_chain_break(t->slug, &chain);
	for (int i = 0; i < t->ndocs; i++)
		print_document_problem(t->slug, &t->docs[i]);
	if (!t->n && chain.state == AUDIT_CHAIN_INTACT)
		/* "balances": each customer's and what its row derives from the
		 * entries (open lots, oldest due, last purchase and payment). */
		printf("%s: ok (balances match their entries; audit chain intact)\n", t->slug);
	if (!t->ndocs && t->checked)
		printf("%s: ok (%d documents match their checksums)\n", t->slug, t->checked);
	return t->n + (chain.state != AUDIT_CHAIN_INTACT) + t->ndocs;
}

/* The platform's chain of operator actions: 0 when intact, 1 when broken,
 * -1 when it cannot be read. */
static int report_platform(const struct queue *q)
{
	if (q->platform_rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: platform: the audit trail could not be read (code %d)\n",
			q->platform_rc);
		return -1;
	}
	if (q->platform.state != AUDIT_CHAIN_INTACT) {
		print_chain_break("platform", &q->platform);
		return 1;
	}
	printf("platform: ok (platform audit chain intact)\n");
	return 0;
}

static int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	/* A few: the database does part of the work on the same cores. */
	return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

int cmd_verify(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *tenant = NULL, *threads_text = NULL;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
		{ "tenant", 1, &tenant, NULL, "only this store (slug)" },
		{ "threads", 1, &threads_text, NULL, "checks run side by side (default: cores, at most 4)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 4, NULL, 0, NULL,
		"usage: quantumtrack verify [--tenant SLUG] [--threads N]\n\n"
		"Check that every balance equals the sum of its entries and every\n"
		"customer's derived fields (open lots, oldest due, last purchase and\n"
		"payment) what its entries give, that every audit chain is intact,\n"
		"the platform's too (not with --tenant), and that every document\n"
		"matches its checksum.\n"
		"Exit 1 on any mismatch.", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	int threads = default_threads();
	if (threads_text) {
		char *end;
		long v = strtol(threads_text, &end, 10);
		if (*end || end == threads_text || v < 1 || v > THREADS_MAX) {
			fprintf(stderr, "quantumtrack: --threads: must be a number from 1 to %d, not \"%s\"\n",
				THREADS_MAX, threads_text);
			return EXIT_USAGE;
		}
		threads = (int)v;
	}
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);
	struct store *s = cli_open_store(&cfg, threads, 0);
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
	struct tenant_check *checks = calloc((size_t)(n ? n : 1), sizeof *checks);
	struct queue q = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
		.s = s, .parts = threads };
	if (!checks)
		abort();
	int seen = 0;
	for (int i = 0; i < n; i++) {
		const struct tenant_rec *t = &rows[i].tenant;
		if (tenant && strcmp(tenant, t->slug) != 0)
			continue;
		struct tenant_check *c = &checks[seen++];
		c->id = t->id;
		c->slug = t->slug;
		c->ledger_arena = arena_new();
		c->docs_arena = arena_new();
		if (!c->ledger_arena || !c->docs_arena)
			abort();
	}
	/* The longest work first: chains (which queue their parts), then
	 * ledgers, then documents. */
	for (int i = 0; i < seen; i++)
		push(&q, (struct task){ TASK_CHAIN, &checks[i], 0 });
	for (int i = 0; i < seen; i++)
		push(&q, (struct task){ TASK_LEDGER, &checks[i], 0 });
	for (int i = 0; i < seen; i++)
		push(&q, (struct task){ TASK_DOCUMENTS, &checks[i], 0 });
	if (!tenant)
		push(&q, (struct task){ TASK_PLATFORM, NULL, 0 });
	pthread_t tid[THREADS_MAX];
	int started = 0;
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &q) != 0)
			break;
	if (!started)
		worker(&q);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);

	int problems = 0;
	for (int i = 0; i < seen; i++) {
		int found = report_tenant(&checks[i]);
		problems += found < 0 ? 1 : found;
		arena_free(checks[i].ledger_arena);
		arena_free(checks[i].docs_arena);
	}
	if (!tenant) {
		int found = report_platform(&q);
		problems += found < 0 ? 1 : found;
	}
	free(q.v);
	free(checks);
	arena_free(a);
	store_close(s);
	if (tenant && !seen) {
		fprintf(stderr, "quantumtrack: no store with slug \"%s\"\n", tenant);
		return EXIT_FAIL;
	}
	return problems ? EXIT_FAIL : EXIT_OK;
}
