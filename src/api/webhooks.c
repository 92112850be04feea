/*
 * webhooks.c — provider callbacks: delivery statuses and inbound messages
 * (STOP and START) from Twilio and the WhatsApp Cloud API.  No bearer
 * token: the signature is the authentication, checked in constant time
 * against the store's own secret before anything is read or changed
 * (security/webhook_sig.c).  Any missing or bad signature is 401 and
 * changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/audit_payload.h"
#include "core/events.h"
#include "core/reminders.h"
#include "domain/reminder_rules.h"
#include "domain/wa_webhook.h"
#include "security/secret.h"
#include "security/webhook_sig.h"
#include "store/store_tenants.h"
#include "util/clock.h"
#include "util/form.h"

/* The store named in the path, its settings and its provider config, in
 * an open write transaction (*tx) that has entered the store. */
struct hook {
	struct store_tx *tx;
	struct tenant_rec tenant;
	struct settings_rec settings;
	struct wa_config cfg;
};

static int hook_open(struct req *r, enum wa_channel channel, struct hook *h)
{
	static const struct store_actor actor = { "webhook", "system", "", "" };
	struct store_actor a = actor;
	char err[200];
	char *secrets = NULL;
	memset(h, 0, sizeof *h);
	a.request_id = r->request_id;
	a.client_ip = r->client_ip;
	const char *slug = req_param(r, "tenant_slug");
	int rc = store_begin_platform(r->app->store, 1, &a, &h->tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	rc = store_tenant_by_slug(h->tx, slug, r->arena, &h->tenant);
	if (rc == STORE_OK)
		rc = store_tx_enter_tenant(h->tx, h->tenant.id);
	if (rc == STORE_OK)
		rc = store_settings_get(h->tx, r->arena, &h->settings);
	if (rc != STORE_OK)
		goto unknown;
	/* A store that does not use this provider has nothing to verify
	 * with: the same 401 as a bad signature. */
	if (wa_channel_parse(h->settings.whatsapp_provider) != channel)
		goto unknown;
	if (h->settings.whatsapp_secret_sealed &&
	    !(secrets = secret_open(r->app->master_key, h->settings.whatsapp_secret_sealed)))
		goto unknown;
	rc = wa_config_load(channel, h->settings.whatsapp_config, secrets, &h->cfg, err, sizeof err);
	secret_free(secrets);
	if (rc < 0)
		goto unknown;
	return 0;
unknown:
	wa_config_release(&h->cfg);
	store_rollback(h->tx);
	h->tx = NULL;
	return req_fail(r, 401, "invalid_signature", "the webhook signature does not verify");
}

static void hook_close(struct hook *h)
{
	wa_config_release(&h->cfg);
	store_rollback(h->tx);
	h->tx = NULL;
}

/* Apply one status to the reminder the provider knows by id; an unknown
 * id is accepted and ignored, and a status never moves backwards. */
static int apply_status(struct req *r, struct hook *h, const char *channel, const char *message_id,
	enum reminder_status incoming, const char *error_code, const char *error_message)
{
	struct reminder_rec rec;
	if (!message_id || !message_id[0] || incoming == REMINDER_STATUS_NONE)
		return STORE_OK;
	int rc = store_reminder_by_provider_id(h->tx, channel, message_id, r->arena, &rec);
	if (rc == STORE_NOT_FOUND)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	if (!reminder_status_advance(reminder_status_parse(rec.status), incoming))
		return STORE_OK;
	json_t *before = audit_payload_reminder(&rec);
	rec.status = reminder_status_name(incoming);
	if (incoming == REMINDER_FAILED) {
		rec.error_code = error_code;
		rec.error_message = error_message;
	}
	int64_t now = clock_now_ms();
	rc = store_reminder_set_status(h->tx, rec.id, rec.status, NULL,
		incoming == REMINDER_FAILED ? error_code : NULL,
		incoming == REMINDER_FAILED ? error_message : NULL, now);
	json_t *after = rc == STORE_OK ? audit_payload_reminder(&rec) : NULL;
	if (rc == STORE_OK)
		rc = store_audit(h->tx, "reminder.status_changed", "reminder", rec.id, before, after);
	if (rc == STORE_OK)
		rc = events_reminder(h->tx, "reminder.updated", &rec);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* STOP / UNSUBSCRIBE opt the sender out, START back in (audited). */
static int apply_inbound(struct req *r, struct hook *h, const char *from_e164, const char *text)
{
	enum reminder_keyword k = reminder_keyword(text);
	char **ids;
	int n;
	if (k == REMINDER_KEYWORD_NONE || !from_e164)
		return STORE_OK;
	int rc = store_customers_by_phone(h->tx, from_e164, r->arena, &ids, &n);
	for (int i = 0; rc == STORE_OK && i < n; i++) {
		struct customer_rec c;
		rc = store_customer_get(h->tx, ids[i], 0, r->arena, &c);
		if (rc != STORE_OK)
			break;
		int out = k == REMINDER_KEYWORD_STOP;
		if (c.reminders_opt_out == out)
			continue;
		json_t *before = audit_payload_customer(&c);
		rc = store_customer_set_opt_out(h->tx, c.id, out);
		c.reminders_opt_out = out;
		json_t *after = audit_payload_customer(&c);
		if (rc == STORE_OK)
			rc = store_audit(h->tx, out ? "customer.opted_out" : "customer.opted_in", "customer",
				c.id, before, after);
		if (rc == STORE_OK)
			rc = events_customer(h->tx, "customer.updated", &c);
		json_decref(before);
		json_decref(after);
	}
	return rc;
}

static int finish(struct req *r, struct hook *h, int rc)
{
	if (rc == STORE_OK) {
		rc = store_commit(h->tx);
		h->tx = NULL;
	}
	hook_close(h);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	return resp_empty(r, 204);
}

/* The URL Twilio signed: QT_PUBLIC_URL's scheme and host (else the Host
 * header over http), then the path as requested. */
static const char *signed_url(struct req *r)
{
	const char *pub = r->app->cfg.public_url;
	if (pub && pub[0]) {
		const char *host = strstr(pub, "://");
		const char *end = host ? strchr(host + 3, '/') : NULL;
		size_t n = end ? (size_t)(end - pub) : strlen(pub);
		return arena_printf(r->arena, "%.*s%s", (int)n, pub, r->path);
	}
	const char *host = req_header(r, "Host");
	return arena_printf(r->arena, "http://%s%s", host ? host : "localhost", r->path);
}

int h_webhook_twilio(struct req *r)
{
	struct hook h;
	struct form f;
	char err[160];
	const char *sig = req_header(r, "X-Twilio-Signature");

	if (form_parse(r->body.data ? r->body.data : "", r->body.len, &f, err, sizeof err) < 0)
		return req_fail(r, 400, "invalid_form", err);
	if (hook_open(r, WA_CHANNEL_TWILIO, &h) < 0) {
		form_release(&f);
		return -1;
	}
	if (!sig || webhook_sig_twilio_verify(h.cfg.secret, signed_url(r), &f, sig) != 0) {
		form_release(&f);
		hook_close(&h);
		return req_fail(r, 401, "invalid_signature", "the webhook signature does not verify");
	}
	int rc = STORE_OK;
	const char *sid = form_get(&f, "MessageSid");
	const char *status = form_get(&f, "MessageStatus");
	if (status) {
		const char *code = form_get(&f, "ErrorCode");
		const char *text = NULL;
		if (code && code[0]) {
			char *end;
			long c = strtol(code, &end, 10);
			text = *end ? NULL : twilio_error_text(c, NULL);
		}
		rc = apply_status(r, &h, "twilio", sid, reminder_status_from_twilio(status),
			code && code[0] ? code : NULL, text ? text : (code && code[0] ? "the message could not be delivered" : NULL));
	} else {
		const char *from = form_get(&f, "From");
		if (from && strncmp(from, "whatsapp:", 9) == 0)
			from += 9;
		rc = apply_inbound(r, &h, from, form_get(&f, "Body"));
	}
	form_release(&f);
	return finish(r, &h, rc);
}

int h_webhook_whatsapp_verify(struct req *r)
{
	struct hook h;
	const char *mode = req_query(r, "hub.mode");
	const char *token = req_query(r, "hub.verify_token");
	const char *challenge = req_query(r, "hub.challenge");
	if (hook_open(r, WA_CHANNEL_CLOUD, &h) < 0) {
		memset(&r->problem, 0, sizeof r->problem);
		return req_fail(r, 403, "forbidden", "subscription not verified");
	}
	int ok = mode && strcmp(mode, "subscribe") == 0 && token && h.cfg.verify_token && challenge &&
		strlen(token) == strlen(h.cfg.verify_token) &&
		sodium_memcmp(token, h.cfg.verify_token, strlen(token)) == 0 && strlen(challenge) <= 256;
	hook_close(&h);
	if (!ok)
		return req_fail(r, 403, "forbidden", "subscription not verified");
	r->resp.status = 200;
	r->resp.content_type = "text/plain; charset=utf-8";
	buf_puts(&r->resp.body, challenge);
	return 0;
}

int h_webhook_whatsapp(struct req *r)
{
	struct hook h;
	struct wa_webhook w;
	char err[160];
	const char *sig = req_header(r, "X-Hub-Signature-256");
	const char *body = r->body.data ? r->body.data : "";

	if (hook_open(r, WA_CHANNEL_CLOUD, &h) < 0)
		return -1;
	if (!sig || !h.cfg.app_secret ||
	    webhook_sig_meta_verify(h.cfg.app_secret, body, r->body.len, sig) != 0) {
		hook_close(&h);
		return req_fail(r, 401, "invalid_signature", "the webhook signature does not verify");
	}
	if (wa_webhook_parse(body, r->body.len, &w, err, sizeof err) < 0) {
		hook_close(&h);
		return req_fail(r, 400, "invalid_json", err);
	}
	int rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < w.nstatuses; i++) {
		const struct wa_status_update *st = &w.statuses[i];
		char code[32] = "";
		const char *text = NULL;
		if (st->error_code) {
			snprintf(code, sizeof code, "%lld", (long long)st->error_code);
			text = wa_cloud_error_text((long)st->error_code, NULL);
			if (!text)
				text = st->error_title ? st->error_title : "the message could not be delivered";
		}
		rc = apply_status(r, &h, "whatsapp_cloud", st->message_id, st->status,
			code[0] ? code : NULL, text);
	}
	for (size_t i = 0; rc == STORE_OK && i < w.nmessages; i++)
		rc = apply_inbound(r, &h, w.messages[i].from, w.messages[i].text);
	wa_webhook_release(&w);
	return finish(r, &h, rc);
}
