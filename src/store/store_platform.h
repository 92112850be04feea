/*
 * store_platform.h — tenants, plans, settings, users, memberships,
 * operators and refresh tokens.
 *
 * Functions taking a platform transaction (store_begin_platform) touch only
 * platform tables; functions on tenant data (settings, memberships) take a
 * tenant transaction and scope by tx->tenant_id.  Strings in returned
 * records are allocated from the arena `a` and live as long as it.
 */
#ifndef QT_STORE_PLATFORM_H
#define QT_STORE_PLATFORM_H

#include "store/store.h"

struct tenant_rec {
	char *id, *slug, *name, *domain, *plan, *status;
	int64_t created_at, updated_at;
};

struct plan_rec {
	char *name;
	int64_t customer_limit;     /* -1 = unlimited */
	int64_t storage_mb;
	int64_t requests_per_min;   /* -1 = unlimited */
	char *features;             /* JSON array text */
};

struct settings_rec {
	char *currency, *locale, *timezone, *phone_country, *upi_id;
	int64_t default_credit_limit_minor;
	int64_t credit_period_days;
	char *reminder_template;    /* "" = the built-in template of reminder_language */
	char *reminder_schedule;    /* JSON object text */
	int64_t quiet_hours_start, quiet_hours_end;
	int64_t building_towers, building_floors, building_units;
	char *whatsapp_provider;
	char *whatsapp_config;      /* JSON object text, no secrets */
	char *whatsapp_secret_sealed; /* the provider secrets (a JSON object), sealed */
	int64_t updated_at;
	char *reminder_language;    /* "en" | "hi": the built-in templates' language */
	char *receipts;             /* "off" | "link" */
};

struct user_rec {
	char *id, *email, *name, *password_hash;
	char *role;                 /* membership role (NULL for operators) */
	int64_t created_at, updated_at;
	int64_t token_version;      /* access tokens carry it; a bump ends them all */
};

struct member_ctx {             /* what each authenticated request re-checks */
	char *role, *email, *name, *tenant_slug, *tenant_name, *tenant_status, *plan;
	int64_t token_version;
	char *plan_features;        /* the plan's JSON array of feature names */
	int64_t plan_updated_at;    /* the plan's version: features change only with it */
	struct settings_rec *settings; /* the store's settings, read in the same query; NULL if unreadable */
};

/* A store user's refresh token (operators' sessions are apart, below). */
struct refresh_rec {
	char *token_hash, *family_id, *subject_id, *tenant_id;
	int64_t expires_at, used_at, revoked_at;
};

struct operator_rec {
	char *id, *email, *name;
};

enum operator_refresh_outcome {
	OPERATOR_REFRESH_OK,
	OPERATOR_REFRESH_INVALID,   /* no such token */
	OPERATOR_REFRESH_REVOKED,
	OPERATOR_REFRESH_EXPIRED,
	OPERATOR_REFRESH_GONE,      /* the operator was removed */
	OPERATOR_REFRESH_REUSED,    /* a used token came back: session revoked */
};

/* Tenants (platform transaction unless stated). */
int store_tenant_create(struct store_tx *tx, const char *slug, const char *name,
	const char *domain, const char *plan, struct arena *a, struct tenant_rec *out);
int store_tenant_by_slug(struct store_tx *tx, const char *slug, struct arena *a, struct tenant_rec *out);
int store_tenant_by_id(struct store_tx *tx, const char *id, struct arena *a, struct tenant_rec *out);
int store_tenant_by_domain(struct store_tx *tx, const char *domain, struct arena *a, struct tenant_rec *out);
/* All tenants ordered by slug, as JSON objects appended to out. */
int store_tenant_list(struct store_tx *tx, json_t *out);
/* The active stores (id, slug, plan, name) in slug order, for the scheduled
 * jobs that visit every store (platform transaction). */
int store_tenant_active(struct store_tx *tx, struct arena *a, struct tenant_rec **out, int *n);
/* NULL arguments leave the column unchanged. */
int store_tenant_update(struct store_tx *tx, const char *id, const char *plan,
	const char *status, const char *domain, int clear_domain);
/* Delete the tenant and every row it owns (only a suspended one on
 * PostgreSQL, which refuses anything else with an error). */
int store_tenant_delete(struct store_tx *tx, const char *id);
/*
 * Creating a store, changing its plan, status or domain and deleting it
 * (the three functions above) are platform changes.  On PostgreSQL they
 * run in SECURITY DEFINER functions that allow them only to the owner
 * role (the CLI, with the migration URL) or in a transaction bound to a
 * live operator session by store_operator_session(); otherwise they fail
 * with STORE_ERROR ("insufficient_privilege").  On SQLite there are no
 * roles: the callers' checks are the only gate.
 *
 * store_platform_admin sets *yes to 1 when tx's connection may make them
 * without an operator session (SQLite, or the owner role), else 0: the
 * CLI asks first, to say which URL it needs.
 */
QT_MUST_CHECK int store_platform_admin(struct store_tx *tx, int *yes);
/* Re-scope a platform transaction to a tenant (creating a tenant, seeding):
 * afterwards tenant functions may be called on tx. */
int store_tx_enter_tenant(struct store_tx *tx, const char *tenant_id);

int store_plan_get(struct store_tx *tx, const char *name, struct arena *a, struct plan_rec *out);
int store_plan_list(struct store_tx *tx, json_t *out);

/* Settings (tenant transaction). */
int store_settings_get(struct store_tx *tx, struct arena *a, struct settings_rec *out);
int store_settings_put(struct store_tx *tx, const struct settings_rec *s);

/*
 * Users: an account belongs to one store (docs/ACCOUNTS.md), so every
 * function here takes a tenant transaction (or a platform one that has
 * entered the tenant) and touches that store's accounts only.  The same
 * email in another store is another account: nothing here looks across.
 */

/* Create the account and its membership with `role`.  STORE_CONFLICT when
 * the store already has an account with this email. */
int store_user_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, const char *role, struct arena *a, struct user_rec *out);
/* With role and token_version; STORE_NOT_FOUND when the store has none. */
int store_user_by_email(struct store_tx *tx, const char *email, struct arena *a, struct user_rec *out);
int store_user_by_id(struct store_tx *tx, const char *id, struct arena *a, struct user_rec *out);
/* Set the password hash and end every session (store_user_end_sessions). */
int store_user_set_password(struct store_tx *tx, const char *id, const char *password_hash);
int store_user_set_name(struct store_tx *tx, const char *id, const char *name);
/* Bump token_version (every access token of the account stops working on
 * its next request) and revoke every refresh token of the account. */
int store_user_end_sessions(struct store_tx *tx, const char *id);

/* Memberships (tenant transaction). */
int store_member_context(struct store_tx *tx, const char *user_id, struct arena *a, struct member_ctx *out);
int store_member_list(struct store_tx *tx, json_t *out);
int store_member_set_role(struct store_tx *tx, const char *user_id, const char *role);
/* Remove the member and their account; their sessions end. */
int store_member_remove(struct store_tx *tx, const char *user_id);
int store_member_count_role(struct store_tx *tx, const char *role, int64_t *count);

/*
 * Operators and their sessions (platform transactions).  On PostgreSQL the
 * app role can read neither operators nor operator_sessions: everything
 * below except store_operator_create runs in SECURITY DEFINER functions,
 * and no password hash ever leaves the database.  Session times are the
 * database's clock there, clock_now_ms() on SQLite.
 */
/* Add an operator (the owner role on PostgreSQL: the CLI). */
QT_MUST_CHECK int store_operator_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, struct arena *a, struct operator_rec *out);
/* The settings of the operator's stored password hash, all but the hash
 * itself (see password_hash_with_settings()), into *settings from a.
 * STORE_NOT_FOUND when there is no such operator or the stored hash is not
 * argon2id. */
QT_MUST_CHECK int store_operator_password_settings(struct store_tx *tx, const char *email, struct arena *a,
	char **settings);
/* Sign in: when computed (the presented password hashed with those
 * settings) equals the stored hash, start session family_id with its first
 * refresh token token_hash, valid until expires_at (unix ms), and fill
 * *out.  STORE_NOT_FOUND when the email or the password is wrong. */
QT_MUST_CHECK int store_operator_login(struct store_tx *tx, const char *email, const char *computed,
	const char *token_hash, const char *family_id, int64_t expires_at,
	struct arena *a, struct operator_rec *out);
/* Rotate the refresh token old_hash for new_hash (valid until
 * new_expires_at).  Returns a STORE_* code; on STORE_OK *outcome says what
 * happened, and with OPERATOR_REFRESH_OK *out and *family_id (from a) are
 * filled.  After OPERATOR_REFRESH_REUSED the session is revoked in tx:
 * commit it. */
QT_MUST_CHECK int store_operator_refresh(struct store_tx *tx, const char *old_hash, const char *new_hash,
	int64_t new_expires_at, struct arena *a, struct operator_rec *out, char **family_id,
	enum operator_refresh_outcome *outcome);
/* Revoke the session the refresh token belongs to; unknown tokens are fine. */
QT_MUST_CHECK int store_operator_logout(struct store_tx *tx, const char *token_hash);
/* The operator of session family_id when it is live (not revoked, not
 * expired), into *out; STORE_NOT_FOUND otherwise (also for a malformed
 * id).  On PostgreSQL this also binds the session to tx, which allows the
 * platform changes above for the rest of the transaction. */
QT_MUST_CHECK int store_operator_session(struct store_tx *tx, const char *family_id, struct arena *a,
	struct operator_rec *out);

/* Refresh tokens of store users.  refresh_tokens is under Row Level
 * Security on PostgreSQL: these functions scope tx to the token's tenant
 * (store_tx_enter_tenant) as they find or insert it, so that the revoke
 * and use calls after them reach the row. */
int store_refresh_insert(struct store_tx *tx, const struct refresh_rec *r);
/* By hash, before any tenant is known (a definer function that returns
 * only that row on PostgreSQL); scopes tx to its tenant. */
int store_refresh_get(struct store_tx *tx, const char *token_hash, struct arena *a, struct refresh_rec *out);
/* Mark used; STORE_CONFLICT when it was already used or revoked (a race
 * lost or a replay). */
int store_refresh_use(struct store_tx *tx, const char *token_hash, int64_t now);
int store_refresh_revoke_family(struct store_tx *tx, const char *family_id, int64_t now);



/* Rename a tenant (platform table; callable from a tenant transaction). */
int store_tenant_set_name(struct store_tx *tx, const char *id, const char *name);
#endif
