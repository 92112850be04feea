/*
 * ledger_json.h — customers and ledger entries as the API shows them.
 */
#ifndef QT_API_LEDGER_JSON_H
#define QT_API_LEDGER_JSON_H

#include <jansson.h>

#include "core/ledger.h"
#include "util/jsonw.h"

/* A customer with derived fields; aging may be NULL (then overdue_minor
 * and oldest_due_date come from the stored fields).
 * available_credit_minor is null when ledger_available_credit() fails;
 * the API refuses to answer with such a customer (api/customers.c). */
json_t *api_customer_json(const struct customer_rec *c, const struct settings_rec *s,
	const struct aging_result *aging, int64_t now_ms);
/* An entry, with the store's currency. */
json_t *api_entry_json(const struct entry_rec *e, const struct settings_rec *s);

/* The same, written into w as one value: what the hot routes send. */
void api_customer_write(struct jw *w, const struct customer_rec *c, const struct settings_rec *s,
	const struct aging_result *aging, int64_t now_ms);
void api_entry_write(struct jw *w, const struct entry_rec *e, const struct settings_rec *s);

#endif
