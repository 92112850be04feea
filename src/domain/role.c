/* role.c — see role.h. */
#include <string.h>

#include "domain/role.h"

static const char *const names[] = {
	[ROLE_NONE] = "", [ROLE_VIEWER] = "viewer", [ROLE_MEMBER] = "member",
	[ROLE_ADMIN] = "admin", [ROLE_OWNER] = "owner",
};

enum role role_parse(const char *text)
{
	if (!text)
		return ROLE_NONE;
	for (int r = ROLE_VIEWER; r <= ROLE_OWNER; r++)
		if (strcmp(text, names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *role_name(enum role role)
{
	if (role < ROLE_NONE || role > ROLE_OWNER)
		return "";
	return names[role];
}

int role_rank(const char *role)
{
	return (int)role_parse(role);
}

int role_valid(const char *role)
{
	return role_parse(role) != ROLE_NONE;
}

int role_at_least(const char *role, enum role min)
{
	enum role r = role_parse(role);
	return r != ROLE_NONE && r >= min;
}

int role_may_manage(const char *actor, const char *target)
{
	enum role a = role_parse(actor), t = role_parse(target);
	if (a < ROLE_ADMIN || t == ROLE_NONE)
		return 0;
	if (a == ROLE_OWNER)
		return 1;
	return t <= ROLE_MEMBER;
}
