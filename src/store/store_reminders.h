/*
 * store_reminders.h — WhatsApp reminders and receipts of one tenant: the
 * row is written (link_ready or queued) before any provider is called, and
 * its status moves forward afterwards (domain/reminder_rules.h says which
 * moves are allowed; this module only writes what it is told).  Tenant
 * transaction first; strings in records come from the arena `a`.
 */
#ifndef QT_STORE_REMINDERS_H
#define QT_STORE_REMINDERS_H

#include "store/store.h"

struct reminder_rec {
	const char *id, *customer_id;
	const char *kind;           /* reminder | receipt */
	const char *trigger;        /* manual | bulk | scheduled */
	const char *channel;        /* link | whatsapp_cloud | twilio */
	const char *status;         /* link_ready | queued | sent | delivered | read | failed */
	const char *message, *currency, *link, *entry_id;
	const char *provider_message_id, *error_code, *error_message, *created_by;
	int64_t balance_minor, overdue_minor, created_at, updated_at;
};

struct reminder_filter {
	const char *customer_id, *status, *kind;  /* NULL = any */
	int64_t from_ms, to_ms;     /* created_at range, 0 = open; to exclusive */
	int64_t after_created;      /* keyset (newest first): rows before (after_created, after_id) */
	const char *after_id;
	int limit;
};

/* Insert r (id, created_at set by the caller; created_by from the
 * transaction's actor when NULL). */
QT_MUST_CHECK int store_reminder_insert(struct store_tx *tx, const struct reminder_rec *r);
/* STORE_NOT_FOUND when the tenant has no such reminder. */
QT_MUST_CHECK int store_reminder_get(struct store_tx *tx, const char *id, struct arena *a,
	struct reminder_rec *out);
/* The reminder a provider knows as provider_message_id on `channel`;
 * STORE_NOT_FOUND when none. */
QT_MUST_CHECK int store_reminder_by_provider_id(struct store_tx *tx, const char *channel,
	const char *provider_message_id, struct arena *a, struct reminder_rec *out);
/* When the newest reminder (kind reminder, any channel, not failed) to the
 * customer was made; 0 when none. */
QT_MUST_CHECK int store_reminder_last_at(struct store_tx *tx, const char *customer_id, int64_t *at_ms);
/* Set status and, when not NULL, the provider id and error fields. */
QT_MUST_CHECK int store_reminder_set_status(struct store_tx *tx, const char *id, const char *status,
	const char *provider_message_id, const char *error_code, const char *error_message, int64_t now_ms);
/* Newest first with keyset paging. */
QT_MUST_CHECK int store_reminder_list(struct store_tx *tx, const struct reminder_filter *f,
	struct arena *a, struct reminder_rec **out, int *n);
/* Lock the customer's row until the transaction ends (PostgreSQL: FOR
 * UPDATE, or with skip_locked FOR UPDATE SKIP LOCKED, then STORE_BUSY when
 * another transaction holds it; SQLite's one writer already excludes).
 * STORE_NOT_FOUND when there is no such customer. */
QT_MUST_CHECK int store_customer_lock(struct store_tx *tx, const char *customer_id, int skip_locked);

#endif
