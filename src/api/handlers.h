/*
 * handlers.h — every API handler, grouped by the file that defines it.
 * The route table in api/routes.c is the only caller.  A handler fills
 * r->resp (resp_json...) and returns 0, or records a problem and returns
 * -1.  Tenant routes run inside r->tx, opened, committed or rolled back by
 * the dispatcher.
 */
#ifndef QT_API_HANDLERS_H
#define QT_API_HANDLERS_H

#include "http/request.h"

/* health.c */
int h_healthz(struct req *r);
int h_readyz(struct req *r);
int h_metrics(struct req *r);
/* web.c: the embedded web app (not in the route table) */
int h_web(struct req *r);
/* auth.c */
int h_auth_login(struct req *r);
int h_auth_refresh(struct req *r);
int h_auth_logout(struct req *r);
int h_auth_me(struct req *r);
int h_auth_me_update(struct req *r);
int h_auth_password(struct req *r);
int h_platform_login(struct req *r);
int h_platform_refresh(struct req *r);
int h_platform_logout(struct req *r);
/* openapi.c */
int h_openapi(struct req *r);
/* tenant.c */
int h_tenant_discover(struct req *r);
/* users.c */
int h_users_list(struct req *r);
int h_users_create(struct req *r);
int h_users_update(struct req *r);
int h_users_delete(struct req *r);
/* settings.c */
int h_settings_get(struct req *r);
int h_settings_update(struct req *r);
int h_settings_reminder_preview(struct req *r);
/* platform.c */
int h_platform_tenants_list(struct req *r);
int h_platform_tenants_create(struct req *r);
int h_platform_tenants_update(struct req *r);
int h_platform_tenants_delete(struct req *r);
int h_platform_audit_list(struct req *r);
/* plans.c */
int h_platform_plans_list(struct req *r);
int h_platform_plans_create(struct req *r);
int h_platform_plans_update(struct req *r);
int h_platform_plans_delete(struct req *r);
/* usage.c */
int h_usage_get(struct req *r);
int h_platform_usage_csv(struct req *r);
/* audit.c; api_audit_row_json is one row of a store's trail or the
 * platform's (struct audit_row, store.h) as the lists show it. */
int h_audit_list(struct req *r);
struct audit_row;
json_t *api_audit_row_json(const struct audit_row *a);
/* customers.c */
int h_customers_list(struct req *r);
int h_customers_create(struct req *r);
int h_customers_get(struct req *r);
int h_customers_update(struct req *r);
int h_customers_archive(struct req *r);
int h_customers_statement(struct req *r);
/* apartments.c */
int h_apartments_list(struct req *r);
int h_apartments_create(struct req *r);
int h_apartments_get(struct req *r);
int h_apartments_update(struct req *r);
/* reports.c */
int h_reports_summary(struct req *r);
int h_reports_aging(struct req *r);
int h_reports_daily(struct req *r);
int h_reports_towers(struct req *r);
/* events.c */
int h_events_ticket(struct req *r);
int h_events_stream(struct req *r);
/* export.c */
int h_export_customers(struct req *r);
int h_export_transactions(struct req *r);
int h_export_reminders(struct req *r);
int h_export_audit(struct req *r);
int h_reports_collections(struct req *r);
/* transactions.c */
int h_transactions_list(struct req *r);
int h_transactions_create(struct req *r);
int h_transactions_get(struct req *r);
int h_transactions_reverse(struct req *r);
int h_transactions_receipt(struct req *r);
int h_customers_remind(struct req *r);
int h_reminders_bulk(struct req *r);
int h_reminders_list(struct req *r);
int h_webhook_twilio(struct req *r);
int h_webhook_whatsapp_verify(struct req *r);
int h_webhook_whatsapp(struct req *r);
/* import.c: the handlers, and the routes' prepare_body (the body is
 * read into the CSV importer as it arrives, up to QT_IMPORT_LIMIT) */
int h_import_customers(struct req *r);
int h_import_transactions(struct req *r);
void api_import_prepare_customers(struct req *r);
void api_import_prepare_transactions(struct req *r);
/* shares.c: h_shared_page answers GET /s/<token> (not in the route table;
 * api/dispatch.c sends /s/ paths to it) */
int h_shares_create(struct req *r);
int h_shares_revoke(struct req *r);
int h_shared_json(struct req *r);
int h_shared_page(struct req *r);
/* api_keys.c */
int h_api_keys_list(struct req *r);
int h_api_keys_create(struct req *r);
int h_api_keys_revoke(struct req *r);

/* documents.c; documents_prepare is the upload route's prepare_body */
void documents_prepare(struct req *r);
int h_documents_upload(struct req *r);
int h_documents_list(struct req *r);
int h_documents_get(struct req *r);
int h_documents_delete(struct req *r);

#endif
