/*
 * role.h — the tenant roles and what each may do (SPEC section 2).
 */
#ifndef QT_DOMAIN_ROLE_H
#define QT_DOMAIN_ROLE_H

/* viewer 1, member 2, admin 3, owner 4; 0 for anything else. */
int role_rank(const char *role);
int role_valid(const char *role);
/* May `actor` (a role) create, change or remove a member whose role is
 * `target` (before and after a change)?  Admins manage members and viewers;
 * only owners manage admins and owners. */
int role_may_manage(const char *actor, const char *target);

#endif
