/* Unit tests for src/domain/apartment.c */
#include "check.h"
#include "domain/apartment.h"

static const char *apt_err(const char *s, const struct building_layout *l)
{
	static char err[160];
	struct apartment_number a = { .tower = -5 };

	err[0] = '\0';
	if (apartment_parse(s, l, &a, err, sizeof(err)) == 0)
		return "(accepted)";
	if (a.tower != -5)
		return "(output written on error)";
	return err;
}

TEST(ttffu_splits_into_tower_floor_unit)
{
	struct apartment_number a;

	CHECK_INT(apartment_parse("36194", NULL, &a, NULL, 0), 0);
	CHECK_INT(a.tower, 36);
	CHECK_INT(a.floor, 19);
	CHECK_INT(a.unit, 4);
	CHECK_STR(a.text, "36194");
	CHECK_INT(apartment_parse("42012", NULL, &a, NULL, 0), 0);
	CHECK_INT(a.tower, 42);
	CHECK_INT(a.floor, 1);
	CHECK_INT(a.unit, 2);
	CHECK_STR(a.text, "42012");
}

TEST(generic_ranges_tower_01_99_floor_00_99_unit_1_9)
{
	struct apartment_number a;

	CHECK_INT(apartment_parse("01001", NULL, &a, NULL, 0), 0);
	CHECK_INT(apartment_parse("99999", NULL, &a, NULL, 0), 0);
	CHECK_STR(apt_err("00194", NULL), "apartment \"00194\": tower must be 01-99");
	CHECK_STR(apt_err("36190", NULL), "apartment \"36190\": unit must be 1-9");
}

TEST(apartment_must_be_exactly_five_ascii_digits)
{
	CHECK_STR(apt_err("3619", NULL), "apartment \"3619\": must be 5 digits (TTFFU)");
	CHECK_STR(apt_err("361945", NULL), "apartment \"361945\": must be 5 digits (TTFFU)");
	CHECK_STR(apt_err("3619a", NULL), "apartment \"3619a\": must be 5 digits (TTFFU)");
	CHECK_STR(apt_err(" 36194", NULL), "apartment \" 36194\": must be 5 digits (TTFFU)");
	CHECK_STR(apt_err("36194 ", NULL), "apartment \"36194 \": must be 5 digits (TTFFU)");
	CHECK_STR(apt_err("", NULL), "apartment \"\": must be 5 digits (TTFFU)");
	CHECK_STR(apt_err("-3619", NULL), "apartment \"-3619\": must be 5 digits (TTFFU)");
	CHECK_STR(apt_err("\xd9\xa3\xd9\xa6\xd9\xa1", NULL),
		  "apartment \"\xd9\xa3\xd9\xa6\xd9\xa1\": must be 5 digits (TTFFU)");
	CHECK_INT(apartment_parse(NULL, NULL, &(struct apartment_number){0}, NULL, 0), -1);
}

TEST(layout_narrows_towers_floors_and_units)
{
	struct building_layout l = { .towers = 50, .floors = 20, .units = 6 };
	struct apartment_number a;

	CHECK_INT(apartment_parse("50196", &l, &a, NULL, 0), 0);
	CHECK_INT(apartment_parse("01001", &l, &a, NULL, 0), 0);
	CHECK_STR(apt_err("51194", &l), "apartment \"51194\": tower 51 is beyond the building's 50 towers");
	CHECK_STR(apt_err("36204", &l),
		  "apartment \"36204\": floor 20 is beyond the building's 20 floors (00-19)");
	CHECK_STR(apt_err("36197", &l),
		  "apartment \"36197\": unit 7 is beyond the building's 6 units per floor");
}

TEST(layout_floors_count_from_floor_00)
{
	struct building_layout l = { .floors = 1 };
	struct apartment_number a;

	CHECK_INT(apartment_parse("01001", &l, &a, NULL, 0), 0);
	CHECK_STR(apt_err("01011", &l), "apartment \"01011\": floor 01 is beyond the building's 1 floor (00-00)");
	l.floors = 100;
	CHECK_INT(apartment_parse("01991", &l, &a, NULL, 0), 0);
}

TEST(layout_zero_fields_are_not_set)
{
	struct building_layout l = { .towers = 0, .floors = 0, .units = 3 };
	struct apartment_number a;

	CHECK_INT(apartment_parse("99993", &l, &a, NULL, 0), 0);
	CHECK_STR(apt_err("99994", &l), "apartment \"99994\": unit 4 is beyond the building's 3 units per floor");
	l = (struct building_layout){ .towers = 1 };
	CHECK_STR(apt_err("02001", &l), "apartment \"02001\": tower 2 is beyond the building's 1 tower");
}

TEST(invalid_layout_is_reported_by_parse)
{
	struct building_layout l = { .towers = 120 };

	CHECK_STR(apt_err("36194", &l), "building layout towers 120: must be 1-99 (or 0 for not set)");
}

TEST(building_layout_ranges)
{
	char err[128];

	CHECK_INT(building_layout_valid(&(struct building_layout){ 0, 0, 0 }, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(building_layout_valid(&(struct building_layout){ 99, 100, 9 }, NULL, 0), 0);
	CHECK_INT(building_layout_valid(&(struct building_layout){ 1, 1, 1 }, NULL, 0), 0);
	CHECK_INT(building_layout_valid(NULL, NULL, 0), 0);
	CHECK_INT(building_layout_valid(&(struct building_layout){ 100, 0, 0 }, err, sizeof(err)), -1);
	CHECK_STR(err, "building layout towers 100: must be 1-99 (or 0 for not set)");
	CHECK_INT(building_layout_valid(&(struct building_layout){ 0, 101, 0 }, err, sizeof(err)), -1);
	CHECK_STR(err, "building layout floors 101: must be 1-100 (or 0 for not set)");
	CHECK_INT(building_layout_valid(&(struct building_layout){ 0, 0, 10 }, err, sizeof(err)), -1);
	CHECK_STR(err, "building layout units 10: must be 1-9 (or 0 for not set)");
	CHECK_INT(building_layout_valid(&(struct building_layout){ -1, 0, 0 }, NULL, 0), -1);
	CHECK_INT(building_layout_valid(&(struct building_layout){ 0, -1, 0 }, NULL, 0), -1);
	CHECK_INT(building_layout_valid(&(struct building_layout){ 0, 0, -1 }, NULL, 0), -1);
}

TEST(prefix_of_one_to_five_digits_that_can_start_a_number)
{
	CHECK_INT(apartment_prefix_valid("3"), 0);
	CHECK_INT(apartment_prefix_valid("0"), 0);
	CHECK_INT(apartment_prefix_valid("05"), 0);
	CHECK_INT(apartment_prefix_valid("36"), 0);
	CHECK_INT(apartment_prefix_valid("361"), 0);
	CHECK_INT(apartment_prefix_valid("3600"), 0);
	CHECK_INT(apartment_prefix_valid("36194"), 0);
	CHECK_INT(apartment_prefix_valid("00"), -1);
	CHECK_INT(apartment_prefix_valid("001"), -1);
	CHECK_INT(apartment_prefix_valid("36190"), -1);
	CHECK_INT(apartment_prefix_valid("361945"), -1);
	CHECK_INT(apartment_prefix_valid(""), -1);
	CHECK_INT(apartment_prefix_valid("3a"), -1);
	CHECK_INT(apartment_prefix_valid(" 3"), -1);
	CHECK_INT(apartment_prefix_valid(NULL), -1);
}

TEST(every_valid_number_is_a_valid_prefix)
{
	char s[12];
	struct apartment_number a;

	for (int v = 0; v < 100000; v += 13) {
		snprintf(s, sizeof(s), "%05d", v);
		if (apartment_parse(s, NULL, &a, NULL, 0) == 0) {
			for (int n = 1; n <= 5; n++) {
				char p[6];
				memcpy(p, s, (size_t)n);
				p[n] = '\0';
				CHECK_INT(apartment_prefix_valid(p), 0);
			}
		} else {
			CHECK_INT(apartment_prefix_valid(s), -1);
		}
	}
}

CHECK_MAIN()
