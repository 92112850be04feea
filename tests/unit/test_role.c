/* test_role.c — the role table of SPEC section 2. */
#include "check.h"
#include "domain/role.h"

TEST(role_names_and_parse_round_trip)
{
	for (int r = ROLE_VIEWER; r <= ROLE_OWNER; r++)
		CHECK_INT(role_parse(role_name((enum role)r)), r);
	CHECK_STR(role_name(ROLE_ADMIN), "admin");
	CHECK_STR(role_name(ROLE_NONE), "");
	CHECK_STR(role_name((enum role)9), "");
}

TEST(role_parse_refuses_anything_else)
{
	CHECK_INT(role_parse(NULL), ROLE_NONE);
	CHECK_INT(role_parse(""), ROLE_NONE);
	CHECK_INT(role_parse("Owner"), ROLE_NONE);
	CHECK_INT(role_parse("owner "), ROLE_NONE);
	CHECK_INT(role_parse("root"), ROLE_NONE);
	CHECK_INT(role_valid("operator"), 0);
	CHECK_INT(role_valid("viewer"), 1);
}

TEST(roles_are_ordered_viewer_member_admin_owner)
{
	CHECK(role_at_least("owner", ROLE_ADMIN));
	CHECK(role_at_least("admin", ROLE_ADMIN));
	CHECK(!role_at_least("member", ROLE_ADMIN));
	CHECK(role_at_least("member", ROLE_VIEWER));
	CHECK(!role_at_least("nobody", ROLE_VIEWER));
	CHECK(!role_at_least(NULL, ROLE_VIEWER));
}

TEST(admins_manage_members_and_viewers_only_owners_manage_admins)
{
	CHECK(role_may_manage("admin", "member"));
	CHECK(role_may_manage("admin", "viewer"));
	CHECK(!role_may_manage("admin", "admin"));
	CHECK(!role_may_manage("admin", "owner"));
	CHECK(role_may_manage("owner", "owner"));
	CHECK(role_may_manage("owner", "admin"));
	CHECK(!role_may_manage("member", "viewer"));
	CHECK(!role_may_manage("viewer", "viewer"));
	CHECK(!role_may_manage("owner", "root"));
}

CHECK_MAIN()
