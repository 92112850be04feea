/*
 * demo.c — `quantumtrack demo`: the demo store from the seed document.
 * Tenant "quantumtrack" (professional plan) with the sample customers
 * Rajesh Kumar (36194), Priya Singh (42012) and Amit Sharma (10056), their
 * apartment records and a few weeks of purchases and payments: Rajesh is
 * overdue, Priya is near her credit limit.  Entries go through the same
 * ledger code as the API.  Running it again changes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit_payload.h"
#include "core/ledger.h"
#include "store/store_apartments.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "util/clock.h"
#include "util/uuid.h"

#define DAY (86400000LL)

struct demo_customer {
	const char *name, *phone, *apartment, *occupant, *occupancy;
	int tower, floor, unit;
	int64_t credit_limit_minor;    /* 0 = store default */
};

static const struct demo_customer customers[] = {
	{ "Rajesh Kumar", "+919876543210", "36194", "Rajesh Kumar", "owner", 36, 19, 4, 0 },
	{ "Priya Singh", "+919812345678", "42012", "Priya Singh", "tenant", 42, 1, 2, 300000 },
	{ "Amit Sharma", "+917012345678", "10056", "Amit Sharma", "owner", 10, 5, 6, 0 },
	{ "Sunita Reddy", "+918123456789", "36192", "Sunita Reddy", "tenant", 36, 19, 2, 0 },
	{ "Vikram Patel", "+919900112233", "05031", "Vikram Patel", "owner", 5, 3, 1, 0 },
};

struct demo_entry {
	int customer;
	const char *type;
	int64_t amount_minor;
	int days_ago;
	const char *note;
	const char *method;
};

static const struct demo_entry entries[] = {
	/* Rajesh: bought through last month, paid part: overdue. */
	{ 0, "purchase", 125000, 52, "Monthly groceries", NULL },
	{ 0, "purchase", 48050, 45, "Rice 10 kg, dal, oil", NULL },
	{ 0, "payment", 100000, 38, "", "upi" },
	{ 0, "purchase", 36075, 20, "Milk and bread (week)", NULL },
	{ 0, "purchase", 12500, 6, "Detergent, soap", NULL },
	/* Priya: close to her 3,000 limit. */
	{ 1, "purchase", 150000, 25, "Groceries", NULL },
	{ 1, "payment", 50000, 18, "", "cash" },
	{ 1, "purchase", 120000, 10, "Atta 10 kg, sugar, tea", NULL },
	{ 1, "purchase", 65000, 2, "Vegetables and fruit", NULL },
	/* Amit: pays on time. */
	{ 2, "purchase", 80000, 30, "Groceries", NULL },
	{ 2, "payment", 80000, 24, "", "upi" },
	{ 2, "purchase", 42000, 4, "Snacks, cold drinks", NULL },
	/* Sunita: small recent purchase. */
	{ 3, "purchase", 23500, 3, "Milk, eggs", NULL },
	/* Vikram: settled. */
	{ 4, "purchase", 56000, 15, "Household items", NULL },
	{ 4, "payment", 56000, 1, "", "card" },
};

static int seed(struct store *s, const char *tenant_id, const char *owner_id, struct arena *a)
{
	struct store_actor actor = { owner_id, "owner", "demo", "local" };
	struct store_tx *tx;
	struct settings_rec st;
	char ids[5][37];
	int64_t now = clock_now_ms();
	int rc = store_begin_tenant(s, tenant_id, 1, &actor, &tx);
	if (rc != STORE_OK)
		return rc;
	rc = store_settings_get(tx, a, &st);
	if (rc == STORE_OK) {
		st.upi_id = arena_strdup(a, "quantumtrack@upi");
		st.building_towers = 50;
		st.building_floors = 25;
		st.building_units = 6;
		rc = store_settings_put(tx, &st);
	}
	for (size_t i = 0; rc == STORE_OK && i < sizeof customers / sizeof customers[0]; i++) {
		const struct demo_customer *d = &customers[i];
		struct customer_rec c = { 0 };
		struct apartment_rec ap = { 0 };
		uuid_v7(ids[i]);
		c.id = ids[i];
		c.name = (char *)(uintptr_t)d->name;
		c.phone = (char *)(uintptr_t)d->phone;
		c.apartment = (char *)(uintptr_t)d->apartment;
		c.tower = d->tower;
		c.floor = d->floor;
		c.unit = d->unit;
		c.has_credit_limit = d->credit_limit_minor > 0;
		c.credit_limit_minor = d->credit_limit_minor;
		c.created_at = now - 60 * DAY;
		rc = store_customer_insert(tx, &c);
		if (rc == STORE_OK) {
			json_t *after = audit_payload_customer(&c);
			rc = store_audit(tx, "customer.created", "customer", c.id, NULL, after);
			json_decref(after);
		}
		ap.number = (char *)(uintptr_t)d->apartment;
		ap.tower = d->tower;
		ap.floor = d->floor;
		ap.unit = d->unit;
		ap.occupant_name = (char *)(uintptr_t)d->occupant;
		ap.occupancy = (char *)(uintptr_t)d->occupancy;
		ap.notes = (char *)(uintptr_t)"";
		if (rc == STORE_OK)
			rc = store_apartment_insert(tx, &ap);
	}
	for (size_t i = 0; rc == STORE_OK && i < sizeof entries / sizeof entries[0]; i++) {
		const struct demo_entry *d = &entries[i];
		struct entry_input in = { 0 };
		struct entry_rec out;
		struct limit_refusal why;
		in.customer_id = ids[d->customer];
		in.type = d->type;
		in.amount_minor = d->amount_minor;
		in.occurred_at = now - d->days_ago * DAY - 3600000LL * (int64_t)(i % 5);
		in.note = d->note;
		in.payment_method = d->method;
		rc = ledger_record(tx, &st, &in, now, a, &out, &why);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc;
	}
	return store_commit(tx);
}

int cmd_demo(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL (QT_DB, default sqlite:<data-dir>/quantumtrack.db)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR, default ./data)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 2, NULL, 0, NULL,
		"usage: quantumtrack demo [--db URL] [--data-dir DIR]\n\n"
		"Create the demo store \"quantumtrack\" with sample customers and entries\n"
		"(once), and development secrets in the data directory.", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	static struct app app;
	cli_config(&app.cfg, db, NULL, data_dir);
	if (cli_load_secrets(&app, 1) < 0)
		return EXIT_FAIL;
	struct store *s = cli_open_store(&app.cfg, 1, strncmp(app.cfg.db_url, "sqlite:", 7) == 0);
	if (!s)
		return EXIT_FAIL;
	struct arena *a = arena_new();
	struct store_tx *tx;
	struct tenant_rec t;
	rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_tenant_by_slug(tx, "quantumtrack", a, &t);
		store_rollback(tx);
	}
	if (rc == STORE_OK) {
		printf("demo store \"quantumtrack\" already exists: sign in as owner@quantumtrack.example\n");
		arena_free(a);
		store_close(s);
		return EXIT_OK;
	}
	rc = cli_tenant_create(s, "quantumtrack", "QuantumTrack", "professional",
		"quantumtrack.quantum-climb.com", "owner@quantumtrack.example", "Store Owner",
		"quantumtrack-demo", a, &t);
	struct user_rec owner;
	if (rc == STORE_OK && (rc = store_begin_platform(s, 0, NULL, &tx)) == STORE_OK) {
		rc = store_tx_enter_tenant(tx, t.id);
		if (rc == STORE_OK)
			rc = store_user_by_email(tx, "owner@quantumtrack.example", a, &owner);
		store_rollback(tx);
	}
	if (rc == STORE_OK)
		rc = seed(s, t.id, owner.id, a);
	arena_free(a);
	store_close(s);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: could not create the demo store (code %d)\n", rc);
		return EXIT_FAIL;
	}
	printf("created demo store \"quantumtrack\" (QuantumTrack, professional plan)\n"
		"  sign in: tenant quantumtrack, email owner@quantumtrack.example, password quantumtrack-demo\n");
	return EXIT_OK;
}
