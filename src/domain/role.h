/*
 * role.h — the tenant roles and what each may do (SPEC section 2).
 *
 * A role is an enum ordered by rank; text appears only at the edges (the
 * database column, JSON, tokens), through role_parse() and role_name().
 */
#ifndef QT_DOMAIN_ROLE_H
#define QT_DOMAIN_ROLE_H

enum role {
	ROLE_NONE = 0,      /* not a role: unknown text parses to this */
	ROLE_VIEWER = 1,
	ROLE_MEMBER = 2,
	ROLE_ADMIN = 3,
	ROLE_OWNER = 4,
};

/* The role named by text ("viewer", "member", "admin", "owner"), or
 * ROLE_NONE for NULL or anything else (case matters). */
enum role role_parse(const char *text);
/* "viewer" … "owner"; "" for ROLE_NONE or out-of-range values. */
const char *role_name(enum role role);

/* Rank 1..4 of a role named by text; 0 when it is not one. */
int role_rank(const char *role);
/* 1 when text names a role. */
int role_valid(const char *role);
/* 1 when the role named by `role` is `min` or above. */
int role_at_least(const char *role, enum role min);
/* May `actor` (a role) create, change or remove a member whose role is
 * `target` (before and after a change)?  Admins manage members and viewers;
 * only owners manage admins and owners. */
int role_may_manage(const char *actor, const char *target);

#endif
