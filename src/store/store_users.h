/*
 * store_users.h — a store's accounts and their memberships.
 *
 * An account belongs to one store (docs/ACCOUNTS.md): every function here
 * takes a tenant transaction (or a platform one that has entered the
 * tenant, store_tx_enter_tenant) and touches that store's accounts only.
 * The same email in another store is another account: nothing here looks
 * across.  Strings in returned records come from the arena `a` and live as
 * long as it.  Every function returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_USERS_H
#define QT_STORE_USERS_H

#include "store/store.h"
#include "store/store_settings.h"

struct user_rec {
	char *id, *email, *name;
	char *password_hash;        /* NULL in store_member_list's rows */
	char *role;                 /* the membership's role */
	int64_t created_at;         /* when the membership began */
	int64_t updated_at;
	int64_t token_version;      /* access tokens carry it; a bump ends them all */
};

/* What each authenticated request re-checks, in one query. */
struct member_ctx {
	char *role, *email, *name, *tenant_slug, *tenant_name, *tenant_status, *plan;
	int64_t token_version;
	char *plan_features;        /* the plan's JSON array of feature names, as text */
	int64_t plan_updated_at;    /* the plan's version: features change only with it */
	/* The plan's limits, read with it on every request (-1 = unlimited). */
	int64_t plan_customer_limit, plan_storage_mb, plan_requests_per_min;
	char *language;             /* the account's "en" | "hi", NULL: the store's locale's */
	struct settings_rec *settings; /* the store's settings, read in the same query; NULL if unreadable */
};

/* Create the account and its membership with `role`, into *out.
 * STORE_CONFLICT when the store already has an account with this email. */
QT_MUST_CHECK int store_user_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, const char *role, struct arena *a, struct user_rec *out);
/* The account with its role and token_version (updated_at is the
 * account's); STORE_NOT_FOUND when the store has none (by id: also for an
 * id that is not a UUID). */
QT_MUST_CHECK int store_user_by_email(struct store_tx *tx, const char *email, struct arena *a,
	struct user_rec *out);
QT_MUST_CHECK int store_user_by_id(struct store_tx *tx, const char *id, struct arena *a,
	struct user_rec *out);
/* Set the password hash and end every session (store_user_end_sessions).
 * STORE_NOT_FOUND when the store has no such account. */
QT_MUST_CHECK int store_user_set_password(struct store_tx *tx, const char *id, const char *password_hash);
/* Set the display name; STORE_NOT_FOUND when there is no such account. */
QT_MUST_CHECK int store_user_set_name(struct store_tx *tx, const char *id, const char *name);
/* Set the account's language ("en" or "hi"; NULL: follow the store's
 * locale).  STORE_NOT_FOUND when there is no such account; any other
 * value is refused by the database (STORE_CONSTRAINT or the like). */
QT_MUST_CHECK int store_user_set_language(struct store_tx *tx, const char *id, const char *language);
/* Bump token_version (every access token of the account stops working on
 * its next request) and revoke every refresh token of the account.
 * STORE_NOT_FOUND when there is no such account. */
QT_MUST_CHECK int store_user_end_sessions(struct store_tx *tx, const char *id);

/* The member's role, account, store, plan and settings, into *out;
 * STORE_NOT_FOUND when user_id is not a member (or not a UUID). */
QT_MUST_CHECK int store_member_context(struct store_tx *tx, const char *user_id, struct arena *a,
	struct member_ctx *out);
/* Every member by email, into *out (an arena array, never NULL) and *n
 * rows: id, email, name, role, and the membership's created_at and
 * updated_at; password_hash is NULL and token_version 0. */
QT_MUST_CHECK int store_member_list(struct store_tx *tx, struct arena *a, struct user_rec **out, int *n);
/* STORE_NOT_FOUND when user_id is not a member. */
QT_MUST_CHECK int store_member_set_role(struct store_tx *tx, const char *user_id, const char *role);
/* Remove the member and their account; their sessions end.
 * STORE_NOT_FOUND when user_id is not a member. */
QT_MUST_CHECK int store_member_remove(struct store_tx *tx, const char *user_id);
/* How many members have `role`, into *count.  On PostgreSQL their rows
 * stay locked to the end of the transaction, so that two owners demoting
 * each other at once cannot both see two owners. */
QT_MUST_CHECK int store_member_count_role(struct store_tx *tx, const char *role, int64_t *count);

#endif
