/*
 * seed.c — fill a store for bench/ledger.sh: N customers with M entries
 * each, through ledger_record (the API's own path: balance, derived fields
 * and a hash-chained audit row per entry), one transaction per customer.
 * Not part of the product.
 *
 *   seed DB_URL SLUG OWNER_EMAIL CUSTOMERS ENTRIES_PER_CUSTOMER
 *
 * Prints the customer ids, one a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger.h"
#include "store/store.h"
#include "store/store_customers.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/uuid.h"

#define DAY (86400000LL)

int main(int argc, char **argv)
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
	int64_t now = clock_now_ms();
	struct store_actor actor = { owner.id, "owner", "bench-seed", "local" };
	for (int i = 0; i < ncust && rc == STORE_OK; i++) {
		struct arena *ca = arena_new();
		struct settings_rec st;
		struct customer_rec c = { 0 };
		char id[37], phone[20], apt[6], name[40];
		rc = store_begin_tenant(s, t.id, 1, &actor, &tx);
		if (rc != STORE_OK)
			break;
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
			printf("%s\n", id);
		arena_free(ca);
	}
	arena_free(a);
	store_close(s);
	if (rc != STORE_OK) {
		fprintf(stderr, "seed: failed (code %d)\n", rc);
		return 1;
	}
	return 0;
}
