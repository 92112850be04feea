/* role.c — see role.h. */
#include <string.h>

#include "domain/role.h"

int role_rank(const char *role)
{
	if (!role)
		return 0;
	if (strcmp(role, "viewer") == 0)
		return 1;
	if (strcmp(role, "member") == 0)
		return 2;
	if (strcmp(role, "admin") == 0)
		return 3;
	if (strcmp(role, "owner") == 0)
		return 4;
	return 0;
}

int role_valid(const char *role)
{
	return role_rank(role) > 0;
}

int role_may_manage(const char *actor, const char *target)
{
	int a = role_rank(actor), t = role_rank(target);
	if (a < 3 || t == 0)
		return 0;
	if (a == 4)
		return 1;
	return t <= 2;
}
