/*
 * audit_payload.h — what an audit row records about a thing before and
 * after a change: the stored facts of the typed record, never an API
 * response.  Responses carry derived and presentational fields (aging,
 * available credit, the currency, formatted dates) that may change meaning
 * between versions; an audit trail must not.  Times are unix milliseconds
 * as stored; money is integer minor units.
 *
 * Each function returns a new JSON object (the caller json_decref's, or
 * hands it to store_audit, which does not take ownership), or NULL for a
 * NULL record.  Secrets never appear: the sealed WhatsApp provider secrets
 * are recorded only as the names of those that are set.
 */
#ifndef QT_CORE_AUDIT_PAYLOAD_H
#define QT_CORE_AUDIT_PAYLOAD_H

#include <jansson.h>

#include "store/store_apartments.h"
#include "store/store_plans.h"
#include "store/store_customers.h"
#include "store/store_entries.h"
#include "store/store_settings.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "store/store_reminders.h"
#include "store/store_shares.h"

json_t *audit_payload_customer(const struct customer_rec *c);
json_t *audit_payload_entry(const struct entry_rec *e);
json_t *audit_payload_apartment(const struct apartment_rec *ap);
/* An account of the store with its role (never the password hash). */
json_t *audit_payload_user(const struct user_rec *u);
json_t *audit_payload_tenant(const struct tenant_rec *t);
/* A reminder or receipt: channel, status, what was said and owed. */
json_t *audit_payload_reminder(const struct reminder_rec *m);
/* The store's settings and its display name.  secrets_set is the sorted
 * JSON array of the names of the provider secrets that are set (copied;
 * NULL records []): the caller opens the sealed object, this never sees a
 * secret's value. */
json_t *audit_payload_settings(const struct settings_rec *s, const char *store_name,
	const json_t *secrets_set);
/* A shared statement link: which customer, until when, revoked when;
 * never the token or its hash. */
json_t *audit_payload_share(const struct share_rec *sh);
/* A plan: its name, limits (null = unlimited) and features, as stored. */
json_t *audit_payload_plan(const struct plan_rec *p);

#endif
