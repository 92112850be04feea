/*
 * users.c — a store's members and their roles.  Admins manage members and
 * viewers; only owners manage admins and owners; the last owner can be
 * neither removed nor demoted.
 */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/audit_payload.h"
#include "domain/role.h"
#include "http/jsonin.h"
#include "security/password.h"
#include "store/store_users.h"
#include "util/idtext.h"

static json_t *member_json(const struct user_rec *u)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(u->id));
	json_object_set_new(o, "email", json_string(u->email));
	json_object_set_new(o, "name", json_string(u->name));
	json_object_set_new(o, "role", json_string(u->role ? u->role : ""));
	json_object_set_new(o, "created_at", api_time(u->created_at));
	json_object_set_new(o, "updated_at", api_time(u->updated_at));
	return o;
}

int h_users_list(struct req *r)
{
	struct user_rec *members;
	int n;
	int rc = store_member_list(r->tx, r->arena, &members, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, member_json(&members[i]));
	return api_list(r, data, NULL);
}

static int forbid_manage(struct req *r, const char *target_role)
{
	return req_failf(r, 403, "forbidden", "a %s cannot manage a user with the %s role",
		r->caller.role, target_role);
}

int h_users_create(struct req *r)
{
	static const struct jfield fields[] = {
		{ "email", JF_STRING, 1, 0, 254 },
		{ "name", JF_STRING, 0, 0, 120 },
		{ "role", JF_STRING, 1, 0, 16 },
		{ "password", JF_STRING, 0, 0, 1024 },
	};
	struct user_rec u;
	char hash[128], err[160];
	json_t *body = jsonin_object(r, fields, 4);
	int rc;

	if (!body)
		return -1;
	char *email = arena_strdup(r->arena, jsonin_str(body, "email", ""));
	for (char *p = email; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *role = arena_strdup(r->arena, jsonin_str(body, "role", ""));
	const char *name = arena_strdup(r->arena, jsonin_str(body, "name", ""));
	const char *password = jsonin_str(body, "password", NULL);
	if (!email_valid(email)) {
		rc = req_fail_field(r, 422, "validation_failed", "email", "must be an email address");
		goto out;
	}
	if (!role_valid(role)) {
		rc = req_fail_field(r, 422, "validation_failed", "role", "must be owner, admin, member or viewer");
		goto out;
	}
	if (text_has_control_chars(name)) {
		rc = req_fail_field(r, 422, "validation_failed", "name", "must not contain control characters");
		goto out;
	}
	if (!role_may_manage(r->caller.role, role)) {
		rc = forbid_manage(r, role);
		goto out;
	}
	/* Accounts are per store (docs/ACCOUNTS.md): this always makes a new
	 * account of this store, whatever other stores hold, so the answer
	 * cannot tell whether the email is known elsewhere. */
	if (!password) {
		rc = req_fail_field(r, 422, "validation_failed", "password", "is required");
		goto out;
	}
	if (password_policy_check(password, err, sizeof err) < 0) {
		rc = req_fail_field(r, 422, "validation_failed", "password", err);
		goto out;
	}
	if (password_hash(password, hash) < 0) {
		rc = req_fail(r, 500, "internal_error", "could not hash the password");
		goto out;
	}
	rc = store_user_create(r->tx, email, name[0] ? name : email, hash, role, r->arena, &u);
	sodium_memzero(hash, sizeof hash);
	if (rc == STORE_CONFLICT) {
		rc = req_fail_field(r, 409, "already_member", "email", "is already a member of this store");
		goto out;
	}
	json_t *payload = rc == STORE_OK ? audit_payload_user(&u) : NULL;
	if (rc == STORE_OK)
		rc = store_audit(r->tx, "user.added", "user", u.id, NULL, payload);
	json_decref(payload);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "user");
		goto out;
	}
	rc = resp_json(r, 201, member_json(&u));
out:
	json_decref(body);
	return rc;
}

int h_users_update(struct req *r)
{
	static const struct jfield fields[] = {
		{ "role", JF_STRING, 0, 0, 16 },
		{ "name", JF_STRING, 0, 0, 120 },
	};
	struct user_rec u;
	const char *id = req_param(r, "id");
	json_t *body = jsonin_object(r, fields, 2);
	int rc;

	if (!body)
		return -1;
	rc = store_user_by_id(r->tx, id, r->arena, &u);
	if (rc != STORE_OK) {
		json_decref(body);
		return api_store_fail(r, rc, "user");
	}
	json_t *before = audit_payload_user(&u);
	const char *role = jsonin_str(body, "role", NULL);
	const char *name = jsonin_str(body, "name", NULL);
	if (role) {
		if (!role_valid(role)) {
			rc = req_fail_field(r, 422, "validation_failed", "role", "must be owner, admin, member or viewer");
			goto out;
		}
		if (!role_may_manage(r->caller.role, u.role)) {
			rc = forbid_manage(r, u.role);
			goto out;
		}
		if (!role_may_manage(r->caller.role, role)) {
			rc = forbid_manage(r, role);
			goto out;
		}
		if (role_parse(u.role) == ROLE_OWNER && role_parse(role) != ROLE_OWNER) {
			int64_t owners = 0;
			rc = store_member_count_role(r->tx, "owner", &owners);
			if (rc != STORE_OK) {
				rc = api_store_fail(r, rc, NULL);
				goto out;
			}
			if (owners <= 1) {
				rc = req_fail(r, 409, "last_owner", "the store's last owner cannot be demoted");
				goto out;
			}
		}
		rc = store_member_set_role(r->tx, u.id, role);
		if (rc != STORE_OK) {
			rc = api_store_fail(r, rc, "user");
			goto out;
		}
	}
	if (name) {
		if (!name[0] || text_has_control_chars(name)) {
			rc = req_fail_field(r, 422, "validation_failed", "name", "must be 1-120 characters without control characters");
			goto out;
		}
		if (strcmp(u.id, r->caller.user_id) != 0 && !role_may_manage(r->caller.role, u.role)) {
			rc = forbid_manage(r, u.role);
			goto out;
		}
		rc = store_user_set_name(r->tx, u.id, name);
		if (rc != STORE_OK) {
			rc = api_store_fail(r, rc, "user");
			goto out;
		}
	}
	rc = store_user_by_id(r->tx, u.id, r->arena, &u);
	json_t *after = rc == STORE_OK ? audit_payload_user(&u) : NULL;
	if (rc == STORE_OK)
		rc = store_audit(r->tx, "user.updated", "user", u.id, before, after);
	json_decref(after);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "user");
		goto out;
	}
	rc = resp_json(r, 200, member_json(&u));
out:
	json_decref(before);
	json_decref(body);
	return rc;
}

int h_users_delete(struct req *r)
{
	struct user_rec u;
	const char *id = req_param(r, "id");
	int rc = store_user_by_id(r->tx, id, r->arena, &u);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "user");
	if (!role_may_manage(r->caller.role, u.role))
		return forbid_manage(r, u.role);
	if (role_parse(u.role) == ROLE_OWNER) {
		int64_t owners = 0;
		rc = store_member_count_role(r->tx, "owner", &owners);
		if (rc != STORE_OK)
			return api_store_fail(r, rc, NULL);
		if (owners <= 1)
			return req_fail(r, 409, "last_owner", "the store's last owner cannot be removed");
	}
	json_t *before = audit_payload_user(&u);
	rc = store_member_remove(r->tx, u.id);
	if (rc == STORE_OK)
		rc = store_audit(r->tx, "user.removed", "user", u.id, before, NULL);
	json_decref(before);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "user");
	return resp_empty(r, 204);
}
