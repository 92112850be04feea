/*
 * seed.c — fill a store for the benchmarks (bench/all.sh, bench/tenants.sh,
 * bench/ledger.sh): customers with entries, through ledger_record (the
 * API's own path: balance, derived fields and a hash-chained audit row per
 * entry), one transaction per customer.  Not part of the product.
 *
 *   seed DB_URL SLUG OWNER_EMAIL CUSTOMERS ENTRIES_PER_CUSTOMER
 *	an existing store (quantumtrack tenant create): prints the customer
 *	ids, one a line.
 *
 *   seed --tenants [--jobs J] [--first K] DB_URL TENANTS CUSTOMERS_TOTAL ENTRIES_PER_CUSTOMER
 *	makes TENANTS stores (slugs bt00001, bt00002, ...; with --first K the
 *	slugs start at btK, so that several databases of one tenant directory
 *	get distinct slugs (bench/soak.sh); plan enterprise),
 *	each with an owner owner@btNNNNN.example whose password is
 *	"bench-password-123" and CUSTOMERS_TOTAL / TENANTS customers (the
 *	rest go to the first stores).  The stores are made as `quantumtrack
 *	tenant create` makes them (tenant row, settings, owner account and
 *	membership, the store's and the platform's audit rows), except that
 *	the password is hashed once for all owners.  Prints one line per
 *	customer: "ACCESS_TOKEN CUSTOMER_ID", the token being the owner's,
 *	signed with QT_JWT_SECRET exactly as a login signs it (security/jwt.c
 *	through security/session.c: sub, tid, role, ver, jti, iat, exp), valid
 *	for QT_ACCESS_TTL seconds (default 3600).  On PostgreSQL give the
 *	owner role's URL (the one migrations run with): making stores is a
 *	platform change.  --jobs J seeds the stores in J processes (store k
 *	by process k mod J; lines come in any order): for PostgreSQL, where
 *	one process waits on round trips; each store's entries stay in one
 *	transaction a customer, its audit chain in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/audit_payload.h"
#include "core/ledger.h"
#include "security/jwt.h"
#include "security/password.h"
#include "store/store.h"
#include "store/store_customers.h"
#include "store/store_platform_audit.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/uuid.h"

#define DAY (86400000LL)
#define BENCH_PASSWORD "bench-password-123"

/* n customers with nent entries each in the store tenant_id, as owner_id;
 * each id goes to emit(ctx, id).  Returns STORE_OK or the failing code. */
static int seed_customers(struct store *s, const char *tenant_id, const char *owner_id, int first, int n,
	int nent, void (*emit)(void *, const char *), void *ctx)
{
	struct store_tx *tx;
	int64_t now = clock_now_ms();
	struct store_actor actor = { owner_id, "owner", "bench-seed", "local" };
	int rc = STORE_OK;

	for (int j = 0; j < n && rc == STORE_OK; j++) {
		int i = first + j;
		struct arena *ca = arena_new();
		struct settings_rec st;
		struct customer_rec c = { 0 };
		char id[37], phone[20], apt[6], name[40];
		rc = store_begin_tenant(s, tenant_id, 1, &actor, &tx);
		if (rc != STORE_OK) {
			arena_free(ca);
			break;
		}
		rc = store_settings_get(tx, ca, &st);
		uuid_v7(id);
		snprintf(phone, sizeof phone, "+9190%08d", i);
		snprintf(apt, sizeof apt, "%02d%02d%d", 1 + i % 40, i / 40 % 25, 1 + i % 6);
		snprintf(name, sizeof name, "Bench Customer %04d", i);
		c.id = id;
		c.name = name;
		c.phone = phone;
		c.apartment = apt;
		c.tower = 1 + i % 40;
		c.floor = i / 40 % 25;
		c.unit = 1 + i % 6;
		c.has_credit_limit = 1;
		c.credit_limit_minor = 100000000000000LL;
		c.created_at = now - 200 * DAY;
		if (rc == STORE_OK)
			rc = store_customer_insert(tx, &c);
		if (rc == STORE_OK) {
			json_t *after = json_pack("{s:s, s:s}", "name", name, "phone", phone);
			rc = store_audit(tx, "customer.created", "customer", id, NULL, after);
			json_decref(after);
		}
		for (int k = 0; k < nent && rc == STORE_OK; k++) {
			struct entry_input in = { 0 };
			struct entry_rec out;
			struct limit_refusal why;
			int pay = k % 4 == 3;
			in.customer_id = id;
			in.type = pay ? "payment" : "purchase";
			in.amount_minor = pay ? 30000 : 10000 + (k * 37 + i) % 5000;
			in.occurred_at = now - 180 * DAY + (int64_t)k * (180 * DAY / nent);
			in.note = pay ? "" : "Groceries";
			in.payment_method = pay ? "upi" : NULL;
			rc = ledger_record(tx, &st, &in, now, ca, &out, &why);
		}
		if (rc == STORE_OK)
			rc = store_commit(tx);
		else
			store_rollback(tx);
		if (rc == STORE_OK)
			emit(ctx, id);
		arena_free(ca);
	}
	return rc;
}

static void print_id(void *ctx, const char *id)
{
	(void)ctx;
	printf("%s\n", id);
}

static int seed_one_store(int argc, char **argv)
{
	struct store *s;
	struct store_tx *tx;
	struct tenant_rec t;
	struct user_rec owner;
	char err[256];

	if (argc != 6) {
		fprintf(stderr, "usage: seed DB_URL SLUG OWNER_EMAIL CUSTOMERS ENTRIES_PER_CUSTOMER\n");
		return 2;
	}
	int ncust = atoi(argv[4]), nent = atoi(argv[5]);
	if (store_open(argv[1], 1, &s, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "seed: %s\n", err);
		return 1;
	}
	struct arena *a = arena_new();
	int rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_by_slug(tx, argv[2], a, &t);
		store_rollback(tx);
	}
	/* Accounts are per store: the owner is read in the store's transaction. */
	if (rc == STORE_OK)
		rc = store_begin_tenant(s, t.id, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_user_by_email(tx, argv[3], a, &owner);
		store_rollback(tx);
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "seed: no store %s with owner %s (code %d)\n", argv[2], argv[3], rc);
		return 1;
	}
	rc = seed_customers(s, t.id, owner.id, 0, ncust, nent, print_id, NULL);
	arena_free(a);
	store_close(s);
	if (rc != STORE_OK) {
		fprintf(stderr, "seed: failed (code %d)\n", rc);
		return 1;
	}
	return 0;
}

/* One store as cli_tenant_create makes it, with a hash made beforehand. */
static int make_store(struct store *s, int k, const char *hash, struct arena *a, struct tenant_rec *t,
	struct user_rec *u)
{
	static const struct store_actor actor = { "cli", "system", "bench-seed", "local" };
	struct store_tx *tx;
	char slug[32], name[48], email[64];

	snprintf(slug, sizeof slug, "bt%05d", k);
	snprintf(name, sizeof name, "Bench Store %05d", k);
	snprintf(email, sizeof email, "owner@%s.example", slug);
	int rc = store_begin_platform(s, 1, &actor, &tx);
	if (rc != STORE_OK)
		return rc;
	rc = store_tenant_create(tx, slug, name, NULL, "enterprise", a, t);
	if (rc == STORE_OK)
		rc = store_user_create(tx, email, email, hash, "owner", a, u);
	if (rc == STORE_OK) {
		json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", t->id, "slug", t->slug,
			"name", t->name, "plan", t->plan, "owner", u->email);
		rc = store_audit(tx, "tenant.created", "tenant", t->id, NULL, after);
		json_decref(after);
	}
	if (rc == STORE_OK) {
		json_t *facts = audit_payload_tenant(t);
		json_object_set_new(facts, "owner_email", json_string(u->email));
		rc = store_platform_audit(tx, NULL, "tenant.created", "tenant", t->id, NULL, facts);
		json_decref(facts);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

struct token_out {
	const char *token;
};

static void print_pair(void *ctx, const char *id)
{
	const struct token_out *o = ctx;
	printf("%s %s\n", o->token, id);
}

/* Stores job, job + jobs, ... of 1..ntenants into the database at url. */
static int seed_tenants_part(const char *url, int ntenants, int ncust, int nent, int job, int jobs,
	int slug_first, const char *hash, const char *secret, int64_t ttl)
{
	struct store *s;
	char err[256];

	if (store_open(url, 1, &s, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "seed: %s\n", err);
		return 1;
	}
	int rc = STORE_OK;
	for (int k = 1 + job; k <= ntenants && rc == STORE_OK; k += jobs) {
		struct arena *a = arena_new();
		struct tenant_rec t;
		struct user_rec u;
		rc = make_store(s, slug_first + k - 1, hash, a, &t, &u);
		if (rc != STORE_OK) {
			fprintf(stderr, "seed: store %d: code %d\n", k, rc);
			arena_free(a);
			break;
		}
		/* The token a login would give this owner (security/session.c). */
		struct jwt_claims c = { 0 };
		char token[1024];
		snprintf(c.sub, sizeof c.sub, "%s", u.id);
		snprintf(c.tid, sizeof c.tid, "%s", t.id);
		snprintf(c.role, sizeof c.role, "%s", u.role ? u.role : "owner");
		uuid_v7(c.jti);
		c.iat = clock_now_s();
		c.exp = c.iat + ttl;
		c.ver = u.token_version;
		if (jwt_sign(&c, (const uint8_t *)secret, strlen(secret), token, sizeof token) < 0) {
			fprintf(stderr, "seed: could not sign a token\n");
			rc = STORE_ERROR;
			arena_free(a);
			break;
		}
		/* Store k has n customers; the first stores take the remainder. */
		int per = ncust / ntenants, extra = ncust % ntenants;
		int n = per + (k <= extra);
		int first = (k - 1) * per + (k - 1 < extra ? k - 1 : extra);
		struct token_out o = { token };
		rc = seed_customers(s, t.id, u.id, first, n, nent, print_pair, &o);
		arena_free(a);
	}
	store_close(s);
	if (rc != STORE_OK) {
		fprintf(stderr, "seed: failed (code %d)\n", rc);
		return 1;
	}
	return 0;
}

static int seed_tenants(int argc, char **argv)
{
	char hash[128];
	int jobs = 1, slug_first = 1;

	while (argc >= 4 && (strcmp(argv[2], "--jobs") == 0 || strcmp(argv[2], "--first") == 0)) {
		if (strcmp(argv[2], "--jobs") == 0)
			jobs = atoi(argv[3]);
		else
			slug_first = atoi(argv[3]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 6 || jobs < 1 || jobs > 64 || slug_first < 1) {
		fprintf(stderr, "usage: seed --tenants [--jobs J] [--first K] DB_URL TENANTS CUSTOMERS_TOTAL "
				"ENTRIES_PER_CUSTOMER\n");
		return 2;
	}
	int ntenants = atoi(argv[3]), ncust = atoi(argv[4]), nent = atoi(argv[5]);
	const char *secret = getenv("QT_JWT_SECRET");
	const char *ttl_env = getenv("QT_ACCESS_TTL");
	int64_t ttl = ttl_env && *ttl_env ? atoll(ttl_env) : 3600;
	if (ntenants < 1 || ncust < ntenants || nent < 0) {
		fprintf(stderr, "seed: need 1 <= TENANTS <= CUSTOMERS_TOTAL and ENTRIES >= 0\n");
		return 2;
	}
	if (!secret || strlen(secret) < 32) {
		fprintf(stderr, "seed: QT_JWT_SECRET (at least 32 bytes) signs the tokens\n");
		return 2;
	}
	if (password_hash(BENCH_PASSWORD, hash) < 0) {
		fprintf(stderr, "seed: could not hash the password\n");
		return 1;
	}
	if (jobs == 1)
		return seed_tenants_part(argv[2], ntenants, ncust, nent, 0, 1, slug_first, hash, secret, ttl);
	/* One line a write(2), shorter than PIPE_BUF: the jobs' lines do not
	 * mix. */
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int j = 0; j < jobs; j++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("seed: fork");
			return 1;
		}
		if (pid == 0) {
			int rc = seed_tenants_part(argv[2], ntenants, ncust, nent, j, jobs, slug_first, hash, secret, ttl);
			fflush(stdout);
			_exit(rc);
		}
	}
	int failed = 0, st;
	while (wait(&st) > 0)
		failed |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	return failed;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--tenants") == 0)
		return seed_tenants(argc, argv);
	return seed_one_store(argc, argv);
}
