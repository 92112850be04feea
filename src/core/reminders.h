/*
 * reminders.h — making a WhatsApp reminder or receipt: the message from
 * the store's template, the wa.me link or the provider send, and the row
 * that records it.  The rules of who may be reminded when are in
 * domain/reminder_rules.h; the HTTP routes in api/reminders.c; the
 * scheduler in workers/reminder_scheduler.c.
 *
 * The order is always: check and claim inside a transaction (the reminder
 * row, link_ready or queued, under the customer's lock), commit, call the
 * provider with no transaction held, record the outcome in a second
 * transaction (reminders_record_outcome).
 */
#ifndef QT_CORE_REMINDERS_H
#define QT_CORE_REMINDERS_H

#include <stdint.h>

#include "domain/aging.h"
#include "domain/template.h"
#include "providers/wa_config.h"
#include "store/store_customers.h"
#include "store/store_entries.h"
#include "store/store_platform.h"
#include "store/store_reminders.h"

/* What every reminder of one store needs. */
struct reminder_context {
	const struct settings_rec *settings;
	const char *store_name;
	const uint8_t *master_key;     /* opens the provider secrets */
	int64_t now_ms;
	struct arena *arena;           /* the rendered strings live here */
};

/* One message to compose. */
struct reminder_draft {
	enum template_kind kind;
	const char *trigger;           /* manual | bulk | scheduled */
	enum wa_channel channel;
	const struct customer_rec *customer;
	const struct aging_result *aging;  /* reminders */
	const struct entry_rec *entry;     /* receipts */
	const char *statement_link;        /* {statement_link}, or NULL */
};

/* The template a message of kind uses: the store's reminder template, or
 * the built-in one of its language (always for receipts). */
const char *reminders_template(const struct settings_rec *s, enum template_kind kind);

/* The channel a request names, or the store's provider when NULL.
 * WA_CHANNEL_NONE for an unknown name. */
enum wa_channel reminders_channel(const struct settings_rec *s, const char *requested);

/*
 * Render the draft into *out (id, kind, trigger, channel, status
 * link_ready or queued, message, link, balance, overdue, currency,
 * customer, entry, created_at: strings in ctx->arena) and *values (the
 * placeholder values, for a provider's template parameters).  Returns 0,
 * or -1 with a message in err when the template cannot render (too long).
 */
int reminders_compose(const struct reminder_context *ctx, const struct reminder_draft *d,
	struct reminder_rec *out, struct template_values *values, char *err, size_t errlen);

/*
 * Load the store's provider settings for channel (secrets opened with
 * the master key).  0, or -1 with a message for 422 provider_not_configured.
 * wa_config_release(cfg) after, in both cases.
 */
int reminders_provider(const struct reminder_context *ctx, enum wa_channel channel,
	struct wa_config *cfg, char *err, size_t errlen);

/*
 * Send one claimed message through cfg's provider.  Never inside a
 * transaction.  status_callback_url may be NULL.  Fills *res.
 */
void reminders_deliver(const struct wa_config *cfg, const char *to_e164, const char *message,
	const struct template_values *values, const char *status_callback_url, struct wa_result *res);

/* Record a send's outcome on the claimed row (sent with the provider id,
 * or failed with code and message) and audit it.  Updates *rec. */
int reminders_record_outcome(struct store_tx *tx, struct reminder_rec *rec,
	const struct wa_result *res, int64_t now_ms);

/* ---- Scheduled reminders ---------------------------------------- */

struct reminders_run_options {
	const uint8_t *master_key;
	const char *public_url;        /* for Twilio's StatusCallback, or NULL */
	const char *tenant_slug;       /* only this store, or NULL for all */
	int dry_run;                   /* count who would be reminded, change nothing */
	const volatile int *stop;      /* checked between customers, may be NULL */
};

struct reminders_run_report {
	int stores;                    /* stores whose schedule was open */
	int reminded, failed, skipped;
};

/*
 * One pass of the schedule over every active store (or one) at the
 * program's clock: for each store whose schedule is enabled, past its
 * hour and outside quiet hours, on a provider channel its plan allows,
 * every customer that reminder_check_bulk() allows is claimed in its own
 * transaction under FOR UPDATE SKIP LOCKED (a customer another process
 * holds is skipped), then sent, then recorded.  Stores on the link
 * channel are left alone: a wa.me link needs a person to open it.
 * Returns 0, or a STORE_* code when the store could not be read.
 */
int reminders_run(struct store *s, const struct reminders_run_options *o,
	struct reminders_run_report *out);

#endif
