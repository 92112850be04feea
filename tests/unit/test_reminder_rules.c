/* Unit tests for src/domain/reminder_rules.c */
#include "check.h"
#include "domain/money.h"
#include "domain/reminder_rules.h"

#define HOUR_MS ((int64_t)3600000)
#define DAY_MS REMINDER_DAY_MS
/* 2026-03-10T00:00:00Z */
#define T0 ((int64_t)1773100800000)

TEST(default_quiet_hours_21_to_9_wrap_midnight)
{
	int quiet[24] = { 0 };
	for (int h = 21; h < 24; h++)
		quiet[h] = 1;
	for (int h = 0; h < 9; h++)
		quiet[h] = 1;
	for (int h = 0; h < 24; h++)
		CHECK_INT(reminder_quiet(h, REMINDER_QUIET_START_DEFAULT, REMINDER_QUIET_END_DEFAULT),
			  quiet[h]);
}

TEST(quiet_hours_within_one_day_and_none_when_start_equals_end)
{
	for (int h = 0; h < 24; h++) {
		CHECK_INT(reminder_quiet(h, 13, 15), h == 13 || h == 14);
		CHECK_INT(reminder_quiet(h, 0, 6), h < 6);
		CHECK_INT(reminder_quiet(h, 23, 0), h == 23);
		CHECK_INT(reminder_quiet(h, 9, 9), 0);
		CHECK_INT(reminder_quiet(h, 0, 0), 0);
	}
}

TEST(bad_hours_count_as_quiet)
{
	CHECK_INT(reminder_quiet(24, 9, 9), 1);
	CHECK_INT(reminder_quiet(-1, 9, 9), 1);
	CHECK_INT(reminder_quiet(12, 24, 9), 1);
	CHECK_INT(reminder_quiet(12, 21, -3), 1);
}

TEST(local_hour_from_offset_and_zone)
{
	int hour = -1;
	/* 2026-03-10T15:30Z is 21:00 in India (UTC+5:30). */
	CHECK_INT(reminder_local_hour(T0 + 15 * HOUR_MS + 30 * 60000, 19800), 21);
	CHECK_INT(reminder_local_hour(T0 + 15 * HOUR_MS + 29 * 60000, 19800), 20);
	CHECK_INT(reminder_local_hour(T0, 0), 0);
	CHECK_INT(reminder_local_hour(T0 - 1, 0), 23);
	CHECK_INT(reminder_local_hour(-1, 0), 23);
	CHECK_INT(reminder_local_hour(-3600001, 0), 22);
	CHECK_INT(reminder_local_hour(T0, -18000), 19);
	CHECK_INT(reminder_local_hour(INT64_MAX, 93599) >= 0, 1);
	CHECK_INT(reminder_local_hour(INT64_MIN, -89999) >= 0, 1);
	CHECK_INT(reminder_local_hour_in_zone(T0 + 15 * HOUR_MS + 30 * 60000, "Asia/Kolkata", &hour), 0);
	CHECK_INT(hour, 21);
	CHECK_INT(reminder_local_hour_in_zone(T0 + 3 * HOUR_MS, "UTC", &hour), 0);
	CHECK_INT(hour, 3);
	hour = 7;
	CHECK_INT(reminder_local_hour_in_zone(T0, "Not/AZone", &hour), -1);
	CHECK_INT(hour, 7);
	CHECK_INT(reminder_local_hour_in_zone(T0, "../etc/passwd", &hour), -1);
}

TEST(next_allowed_is_24_hours_after_the_last_reminder)
{
	CHECK_INT(reminder_next_allowed_at(T0), T0 + DAY_MS);
	CHECK_INT(reminder_next_allowed_at(INT64_MAX - 5), INT64_MAX);
}

static struct reminder_candidate overdue_customer(void)
{
	struct reminder_candidate c = {
		.has_phone = 1,
		.balance_minor = 150000,
		.overdue_minor = 100000,
		.oldest_due_ms = T0 - 10 * DAY_MS, /* 10 days ago: day 11 */
		.last_reminder_at_ms = 0,
	};
	return c;
}

TEST(days_overdue_count_like_aging)
{
	struct reminder_candidate c = overdue_customer();
	CHECK_INT(reminder_days_overdue(&c, T0), 11);
	CHECK_INT(reminder_days_overdue(&c, c.oldest_due_ms), 1);
	CHECK_INT(reminder_days_overdue(&c, c.oldest_due_ms + DAY_MS - 1), 1);
	CHECK_INT(reminder_days_overdue(&c, c.oldest_due_ms + DAY_MS), 2);
	c.overdue_minor = 0;
	CHECK_INT(reminder_days_overdue(&c, T0), 0);
	c.overdue_minor = 1;
	c.oldest_due_ms = INT64_MIN;
	CHECK(reminder_days_overdue(&c, INT64_MAX) >= 1);
	CHECK_INT(reminder_days_overdue(NULL, T0), 0);
}

TEST(overdue_customer_with_phone_is_eligible)
{
	struct reminder_candidate c = overdue_customer();
	struct reminder_criteria cr = { .min_overdue_days = 11, .min_amount_minor = 100000 };
	CHECK_INT(reminder_check_bulk(NULL, &c, T0, NULL), REMINDER_ALLOWED);
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_ALLOWED);
	CHECK(reminder_refusal_name(REMINDER_ALLOWED) == NULL);
}

TEST(bulk_skip_reasons_come_in_a_fixed_order)
{
	struct reminder_candidate c = overdue_customer();
	struct reminder_criteria cr = { .min_overdue_days = 30, .min_amount_minor = 200000 };
	c.opted_out = 1;
	c.has_phone = 0;
	c.last_reminder_at_ms = T0 - HOUR_MS;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_OPTED_OUT);
	c.opted_out = 0;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_NO_PHONE);
	c.has_phone = 1;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_NOT_OVERDUE);
	cr.min_overdue_days = 11;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_BELOW_MINIMUM);
	cr.min_amount_minor = 100000;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_REMINDED_RECENTLY);
	c.last_reminder_at_ms = T0 - DAY_MS;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_ALLOWED);
}

TEST(skip_reason_names_are_the_api_names)
{
	CHECK_STR(reminder_refusal_name(REMINDER_OPTED_OUT), "opted_out");
	CHECK_STR(reminder_refusal_name(REMINDER_REMINDED_RECENTLY), "reminded_recently");
	CHECK_STR(reminder_refusal_name(REMINDER_NOT_OVERDUE), "not_overdue");
	CHECK_STR(reminder_refusal_name(REMINDER_BELOW_MINIMUM), "below_minimum");
	CHECK_STR(reminder_refusal_name(REMINDER_NO_PHONE), "no_phone");
	CHECK_STR(reminder_refusal_name(REMINDER_NOTHING_OWED), "nothing_owed");
	CHECK(reminder_refusal_name((enum reminder_refusal)99) == NULL);
}

TEST(not_overdue_covers_nothing_overdue_and_too_few_days)
{
	struct reminder_candidate c = overdue_customer();
	struct reminder_criteria cr = { .min_overdue_days = 12 };
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_NOT_OVERDUE);
	CHECK_INT(reminder_check_bulk(&cr, &c, T0 + DAY_MS, NULL), REMINDER_ALLOWED);
	c.overdue_minor = 0;
	CHECK_INT(reminder_check_bulk(NULL, &c, T0, NULL), REMINDER_NOT_OVERDUE);
	/* Owing nothing (or being in credit) is not overdue either. */
	c.balance_minor = -500;
	c.overdue_minor = 0;
	CHECK_INT(reminder_check_bulk(NULL, &c, T0, NULL), REMINDER_NOT_OVERDUE);
	/* Negative thresholds are read as zero. */
	cr.min_overdue_days = -5;
	cr.min_amount_minor = -5;
	c = overdue_customer();
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, NULL), REMINDER_ALLOWED);
}

TEST(never_twice_in_24_hours_even_with_a_shorter_gap)
{
	struct reminder_candidate c = overdue_customer();
	struct reminder_criteria cr = { .min_gap_ms = HOUR_MS };
	int64_t next = 0;
	c.last_reminder_at_ms = T0 - 23 * HOUR_MS;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, &next), REMINDER_REMINDED_RECENTLY);
	CHECK_INT(next, T0 + HOUR_MS);
	CHECK_INT(reminder_check_bulk(&cr, &c, T0 + HOUR_MS - 1, NULL), REMINDER_REMINDED_RECENTLY);
	CHECK_INT(reminder_check_bulk(&cr, &c, T0 + HOUR_MS, NULL), REMINDER_ALLOWED);
}

TEST(reminder_from_a_clock_in_the_future_counts_as_recent)
{
	struct reminder_candidate c = overdue_customer();
	int64_t next = 0;
	c.last_reminder_at_ms = T0 + 5 * HOUR_MS;
	CHECK_INT(reminder_check_bulk(NULL, &c, T0, &next), REMINDER_REMINDED_RECENTLY);
	CHECK_INT(next, T0 + 29 * HOUR_MS);
	c.last_reminder_at_ms = INT64_MAX - 1;
	CHECK_INT(reminder_check_manual(&c, T0, &next), REMINDER_REMINDED_RECENTLY);
	CHECK_INT(next, INT64_MAX);
}

TEST(scheduled_interval_days_sets_the_gap)
{
	struct reminder_schedule s;
	struct reminder_criteria cr;
	struct reminder_candidate c = overdue_customer();
	int64_t next = 0;

	reminder_schedule_default(&s);
	s.interval_days = 3;
	s.min_overdue_days = 5;
	s.min_amount_minor = 50000;
	reminder_schedule_criteria(&s, &cr);
	CHECK_INT(cr.min_gap_ms, 3 * DAY_MS);
	CHECK_INT(cr.min_overdue_days, 5);
	CHECK_INT(cr.min_amount_minor, 50000);
	c.last_reminder_at_ms = T0 - 2 * DAY_MS;
	CHECK_INT(reminder_check_bulk(&cr, &c, T0, &next), REMINDER_REMINDED_RECENTLY);
	CHECK_INT(next, T0 + DAY_MS);
	CHECK_INT(reminder_check_bulk(&cr, &c, T0 + DAY_MS, NULL), REMINDER_ALLOWED);
	s.interval_days = 0;
	reminder_schedule_criteria(&s, &cr);
	CHECK_INT(cr.min_gap_ms, DAY_MS);
}

TEST(manual_reminder_needs_a_balance_not_an_overdue_amount)
{
	struct reminder_candidate c = overdue_customer();
	int64_t next = 0;
	c.overdue_minor = 0;
	CHECK_INT(reminder_check_manual(&c, T0, NULL), REMINDER_ALLOWED);
	c.balance_minor = 0;
	CHECK_INT(reminder_check_manual(&c, T0, NULL), REMINDER_NOTHING_OWED);
	c.opted_out = 1;
	CHECK_INT(reminder_check_manual(&c, T0, NULL), REMINDER_OPTED_OUT);
	c.opted_out = 0;
	c.balance_minor = 1;
	c.has_phone = 0;
	CHECK_INT(reminder_check_manual(&c, T0, NULL), REMINDER_NO_PHONE);
	c.has_phone = 1;
	c.last_reminder_at_ms = T0 - DAY_MS + 1;
	CHECK_INT(reminder_check_manual(&c, T0, &next), REMINDER_REMINDED_RECENTLY);
	CHECK_INT(next, T0 + 1);
	CHECK_INT(reminder_check_manual(&c, T0 + 1, NULL), REMINDER_ALLOWED);
}

TEST(schedule_opens_at_its_hour_outside_quiet_hours)
{
	struct reminder_schedule s;
	reminder_schedule_default(&s);
	CHECK_INT(reminder_schedule_open(&s, 12, 21, 9), 0); /* disabled */
	s.enabled = 1;
	for (int h = 0; h < 24; h++)
		CHECK_INT(reminder_schedule_open(&s, h, 21, 9), h >= 10 && h < 21);
	s.hour = 0;
	for (int h = 0; h < 24; h++)
		CHECK_INT(reminder_schedule_open(&s, h, 5, 5), 1);
	s.hour = 22;
	for (int h = 0; h < 24; h++)
		CHECK_INT(reminder_schedule_open(&s, h, 21, 9), 0);
	CHECK_INT(reminder_schedule_open(&s, 24, 5, 5), 0);
	CHECK_INT(reminder_schedule_open(NULL, 12, 5, 5), 0);
}

static int from_text(const char *json, struct reminder_schedule *s, struct reminder_field_error *e)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	int rc = reminder_schedule_from_json(v, s, e);
	json_decref(v);
	return rc;
}

TEST(schedule_json_sets_only_the_members_given)
{
	struct reminder_schedule s;
	struct reminder_field_error e;
	reminder_schedule_default(&s);
	CHECK_INT(from_text("{\"enabled\":true,\"hour\":18}", &s, &e), 0);
	CHECK_INT(s.enabled, 1);
	CHECK_INT(s.hour, 18);
	CHECK_INT(s.interval_days, 7);
	CHECK_INT(from_text("{\"interval_days\":1,\"min_overdue_days\":0,\"min_amount_minor\":"
			    "100000000000000}", &s, &e), 0);
	CHECK_INT(s.enabled, 1);
	CHECK_INT(s.hour, 18);
	CHECK_INT(s.interval_days, 1);
	CHECK_INT(s.min_amount_minor, MONEY_AMOUNT_MAX);
	CHECK_INT(from_text("{}", &s, &e), 0);
	CHECK_INT(s.hour, 18);
}

TEST(schedule_json_errors_name_the_field)
{
	struct reminder_schedule s, before;
	struct reminder_field_error e;
	reminder_schedule_default(&s);
	before = s;

	CHECK_INT(from_text("{\"enabled\":1}", &s, &e), -1);
	CHECK_STR(e.field, "reminder_schedule.enabled");
	CHECK_STR(e.message, "must be true or false");
	CHECK_INT(from_text("{\"hour\":24}", &s, &e), -1);
	CHECK_STR(e.field, "reminder_schedule.hour");
	CHECK_STR(e.message, "must be 0-23, not 24");
	CHECK_INT(from_text("{\"hour\":-1}", &s, &e), -1);
	CHECK_INT(from_text("{\"hour\":10.0}", &s, &e), -1);
	CHECK_STR(e.message, "must be an integer 0-23");
	CHECK_INT(from_text("{\"hour\":\"10\"}", &s, &e), -1);
	CHECK_INT(from_text("{\"hour\":null}", &s, &e), -1);
	CHECK_INT(from_text("{\"interval_days\":0}", &s, &e), -1);
	CHECK_STR(e.field, "reminder_schedule.interval_days");
	CHECK_STR(e.message, "must be 1-365, not 0");
	CHECK_INT(from_text("{\"interval_days\":366}", &s, &e), -1);
	CHECK_INT(from_text("{\"min_overdue_days\":-1}", &s, &e), -1);
	CHECK_STR(e.field, "reminder_schedule.min_overdue_days");
	CHECK_INT(from_text("{\"min_amount_minor\":-1}", &s, &e), -1);
	CHECK_STR(e.field, "reminder_schedule.min_amount_minor");
	CHECK_INT(from_text("{\"min_amount_minor\":100000000000001}", &s, &e), -1);
	CHECK_INT(from_text("{\"hour\":12,\"quiet\":true}", &s, &e), -1);
	CHECK_STR(e.field, "reminder_schedule");
	CHECK_STR(e.message, "unknown member \"quiet\"; use enabled, hour, interval_days, "
		  "min_overdue_days or min_amount_minor");
	CHECK_INT(from_text("[1]", &s, &e), -1);
	CHECK_STR(e.field, "reminder_schedule");
	CHECK_STR(e.message, "must be an object");
	CHECK_INT(reminder_schedule_from_json(NULL, &s, &e), -1);
	CHECK_INT(reminder_schedule_from_json(NULL, &s, NULL), -1);
	/* A refused object changes nothing, not even its valid members. */
	CHECK_INT(from_text("{\"hour\":12,\"interval_days\":0}", &s, &e), -1);
	CHECK_INT(memcmp(&s, &before, sizeof s), 0);
}

TEST(stored_schedule_text_reads_over_the_defaults)
{
	struct reminder_schedule s;
	struct reminder_field_error e;
	char big[4100];
	CHECK_INT(reminder_schedule_parse("{\"enabled\":false,\"hour\":10}", &s, &e), 0);
	CHECK_INT(s.enabled, 0);
	CHECK_INT(s.hour, 10);
	CHECK_INT(s.interval_days, 7);
	CHECK_INT(s.min_overdue_days, 0);
	CHECK_INT(s.min_amount_minor, 0);
	CHECK_INT(reminder_schedule_parse("{\"hour\":", &s, &e), -1);
	CHECK_STR(e.message, "is not valid JSON");
	CHECK_INT(reminder_schedule_parse("{\"hour\":1,\"hour\":2}", &s, &e), -1);
	CHECK_INT(reminder_schedule_parse(NULL, &s, &e), -1);
	memset(big, ' ', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[0] = '{';
	big[4050] = '}';
	CHECK_INT(reminder_schedule_parse(big, &s, &e), -1);
	CHECK_STR(e.message, "must be at most 4000 bytes");
}

TEST(schedule_to_json_round_trips)
{
	struct reminder_schedule s = { 1, 18, 3, 5, 123456 }, back;
	struct reminder_field_error e;
	json_t *j = reminder_schedule_to_json(&s);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(text, "{\"enabled\":true,\"hour\":18,\"interval_days\":3,\"min_amount_minor\":123456,"
		  "\"min_overdue_days\":5}");
	CHECK_INT(reminder_schedule_parse(text, &back, &e), 0);
	CHECK_INT(memcmp(&s, &back, sizeof s), 0);
	free(text);
	json_decref(j);
}

TEST(quiet_hour_settings_are_integers_0_to_23)
{
	struct reminder_field_error e;
	int h = -1;
	json_t *v = json_integer(21);
	CHECK_INT(reminder_hour_from_json(v, "quiet_hours_start", &h, &e), 0);
	CHECK_INT(h, 21);
	json_decref(v);
	v = json_integer(24);
	CHECK_INT(reminder_hour_from_json(v, "quiet_hours_end", &h, &e), -1);
	CHECK_STR(e.field, "quiet_hours_end");
	CHECK_STR(e.message, "must be an hour 0-23, not 24");
	json_decref(v);
	v = json_real(9.0);
	CHECK_INT(reminder_hour_from_json(v, "quiet_hours_end", &h, &e), -1);
	CHECK_STR(e.message, "must be an hour 0-23");
	json_decref(v);
	CHECK_INT(reminder_hour_from_json(NULL, "quiet_hours_start", &h, &e), -1);
	CHECK_INT(h, 21);
}

TEST(status_names_parse_back)
{
	for (int s = REMINDER_LINK_READY; s <= REMINDER_FAILED; s++)
		CHECK_INT(reminder_status_parse(reminder_status_name((enum reminder_status)s)), s);
	CHECK_STR(reminder_status_name(REMINDER_LINK_READY), "link_ready");
	CHECK_STR(reminder_status_name(REMINDER_STATUS_NONE), "");
	CHECK_STR(reminder_status_name((enum reminder_status)42), "");
	CHECK_INT(reminder_status_parse("READ"), REMINDER_STATUS_NONE);
	CHECK_INT(reminder_status_parse(""), REMINDER_STATUS_NONE);
	CHECK_INT(reminder_status_parse(NULL), REMINDER_STATUS_NONE);
}

TEST(provider_statuses_map_to_ours)
{
	CHECK_INT(reminder_status_from_whatsapp("sent"), REMINDER_SENT);
	CHECK_INT(reminder_status_from_whatsapp("delivered"), REMINDER_DELIVERED);
	CHECK_INT(reminder_status_from_whatsapp("read"), REMINDER_READ);
	CHECK_INT(reminder_status_from_whatsapp("failed"), REMINDER_FAILED);
	CHECK_INT(reminder_status_from_whatsapp("deleted"), REMINDER_STATUS_NONE);
	CHECK_INT(reminder_status_from_whatsapp("queued"), REMINDER_STATUS_NONE);
	CHECK_INT(reminder_status_from_whatsapp("link_ready"), REMINDER_STATUS_NONE);
	CHECK_INT(reminder_status_from_twilio("accepted"), REMINDER_QUEUED);
	CHECK_INT(reminder_status_from_twilio("sending"), REMINDER_QUEUED);
	CHECK_INT(reminder_status_from_twilio("sent"), REMINDER_SENT);
	CHECK_INT(reminder_status_from_twilio("delivered"), REMINDER_DELIVERED);
	CHECK_INT(reminder_status_from_twilio("read"), REMINDER_READ);
	CHECK_INT(reminder_status_from_twilio("undelivered"), REMINDER_FAILED);
	CHECK_INT(reminder_status_from_twilio("failed"), REMINDER_FAILED);
	CHECK_INT(reminder_status_from_twilio("canceled"), REMINDER_STATUS_NONE);
	CHECK_INT(reminder_status_from_twilio(NULL), REMINDER_STATUS_NONE);
}

TEST(statuses_never_move_backwards)
{
	CHECK_INT(reminder_status_advance(REMINDER_QUEUED, REMINDER_SENT), 1);
	CHECK_INT(reminder_status_advance(REMINDER_QUEUED, REMINDER_READ), 1);
	CHECK_INT(reminder_status_advance(REMINDER_SENT, REMINDER_DELIVERED), 1);
	CHECK_INT(reminder_status_advance(REMINDER_DELIVERED, REMINDER_READ), 1);
	/* read, then a late delivered: stays read. */
	CHECK_INT(reminder_status_advance(REMINDER_READ, REMINDER_DELIVERED), 0);
	CHECK_INT(reminder_status_advance(REMINDER_READ, REMINDER_SENT), 0);
	CHECK_INT(reminder_status_advance(REMINDER_DELIVERED, REMINDER_SENT), 0);
	CHECK_INT(reminder_status_advance(REMINDER_SENT, REMINDER_QUEUED), 0);
	/* Repeats change nothing. */
	for (int s = REMINDER_STATUS_NONE; s <= REMINDER_FAILED; s++)
		CHECK_INT(reminder_status_advance((enum reminder_status)s, (enum reminder_status)s), 0);
}

TEST(failed_replaces_only_queued_or_sent_and_is_final)
{
	CHECK_INT(reminder_status_advance(REMINDER_QUEUED, REMINDER_FAILED), 1);
	CHECK_INT(reminder_status_advance(REMINDER_SENT, REMINDER_FAILED), 1);
	CHECK_INT(reminder_status_advance(REMINDER_DELIVERED, REMINDER_FAILED), 0);
	CHECK_INT(reminder_status_advance(REMINDER_READ, REMINDER_FAILED), 0);
	for (int s = REMINDER_STATUS_NONE; s <= REMINDER_FAILED; s++) {
		CHECK_INT(reminder_status_advance(REMINDER_FAILED, (enum reminder_status)s), 0);
		CHECK_INT(reminder_status_advance(REMINDER_LINK_READY, (enum reminder_status)s), 0);
		CHECK_INT(reminder_status_advance((enum reminder_status)s, REMINDER_STATUS_NONE), 0);
		CHECK_INT(reminder_status_advance((enum reminder_status)s, REMINDER_LINK_READY), 0);
	}
}

TEST(stop_and_unsubscribe_opt_out_start_opts_in)
{
	CHECK_INT(reminder_keyword("STOP"), REMINDER_KEYWORD_STOP);
	CHECK_INT(reminder_keyword("stop"), REMINDER_KEYWORD_STOP);
	CHECK_INT(reminder_keyword("  Stop \n"), REMINDER_KEYWORD_STOP);
	CHECK_INT(reminder_keyword("\t\r\nsToP\v\f"), REMINDER_KEYWORD_STOP);
	CHECK_INT(reminder_keyword("\xc2\xa0STOP\xc2\xa0"), REMINDER_KEYWORD_STOP);
	CHECK_INT(reminder_keyword("Unsubscribe"), REMINDER_KEYWORD_STOP);
	CHECK_INT(reminder_keyword("START"), REMINDER_KEYWORD_START);
	CHECK_INT(reminder_keyword(" start "), REMINDER_KEYWORD_START);
}

TEST(other_texts_are_no_keyword)
{
	CHECK_INT(reminder_keyword(NULL), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword(""), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("   "), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("\xc2\xa0"), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("stop please"), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("STOP."), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("S TOP"), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("STOPP"), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("STO"), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("restart"), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("\xc2STOP"), REMINDER_KEYWORD_NONE);
	CHECK_INT(reminder_keyword("STOP\xa0"), REMINDER_KEYWORD_NONE);
}

CHECK_MAIN()
