/*
 * reminder_rules.c — see reminder_rules.h.
 */
#include "domain/reminder_rules.h"
#include "domain/money.h"
#include "util/tz.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int hour_ok(int h)
{
	return h >= 0 && h <= 23;
}

int reminder_quiet(int local_hour, int start, int end)
{
	if (!hour_ok(local_hour) || !hour_ok(start) || !hour_ok(end))
		return 1;
	if (start == end)
		return 0;
	if (start < end)
		return local_hour >= start && local_hour < end;
	return local_hour >= start || local_hour < end;
}

int reminder_local_hour(int64_t now_ms, int32_t utc_offset_s)
{
	/* Work in seconds so no sum can overflow; floor, not truncation,
	 * so times before 1970 fall in the right hour. */
	int64_t s = now_ms / 1000 - (now_ms % 1000 < 0), day;

	s += utc_offset_s;
	day = s % 86400;
	if (day < 0)
		day += 86400;
	return (int)(day / 3600);
}

int reminder_local_hour_in_zone(int64_t now_ms, const char *zone, int *hour)
{
	int32_t offset;
	int64_t now_s = now_ms / 1000 - (now_ms % 1000 < 0);

	if (!hour || tz_offset(zone, now_s, &offset) != 0)
		return -1;
	*hour = reminder_local_hour(now_ms, offset);
	return 0;
}

static int64_t add_saturating(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

int64_t reminder_next_allowed_at(int64_t last_reminder_at_ms)
{
	return add_saturating(last_reminder_at_ms, REMINDER_MIN_GAP_MS);
}

const char *reminder_refusal_name(enum reminder_refusal r)
{
	switch (r) {
	case REMINDER_OPTED_OUT:
		return "opted_out";
	case REMINDER_NO_PHONE:
		return "no_phone";
	case REMINDER_NOTHING_OWED:
		return "nothing_owed";
	case REMINDER_NOT_OVERDUE:
		return "not_overdue";
	case REMINDER_BELOW_MINIMUM:
		return "below_minimum";
	case REMINDER_REMINDED_RECENTLY:
		return "reminded_recently";
	case REMINDER_ALLOWED:
		break;
	}
	return NULL;
}

int64_t reminder_days_overdue(const struct reminder_candidate *c, int64_t now_ms)
{
	int64_t since;

	if (!c || c->overdue_minor <= 0)
		return 0;
	/* Overdue but due "later": inconsistent input, read as day 1. */
	if (now_ms <= c->oldest_due_ms || __builtin_sub_overflow(now_ms, c->oldest_due_ms, &since))
		return 1;
	return since / REMINDER_DAY_MS + 1;
}

/* REMINDER_REMINDED_RECENTLY if the last reminder is within gap_ms. */
static enum reminder_refusal recent(const struct reminder_candidate *c, int64_t now_ms,
				    int64_t gap_ms, int64_t *next_allowed_at_ms)
{
	int64_t next;

	if (c->last_reminder_at_ms == 0)
		return REMINDER_ALLOWED;
	if (gap_ms < REMINDER_MIN_GAP_MS)
		gap_ms = REMINDER_MIN_GAP_MS;
	next = add_saturating(c->last_reminder_at_ms, gap_ms);
	if (now_ms >= next)
		return REMINDER_ALLOWED;
	if (next_allowed_at_ms)
		*next_allowed_at_ms = next;
	return REMINDER_REMINDED_RECENTLY;
}

enum reminder_refusal reminder_check_bulk(const struct reminder_criteria *criteria,
					  const struct reminder_candidate *c, int64_t now_ms,
					  int64_t *next_allowed_at_ms)
{
	int64_t min_days = criteria && criteria->min_overdue_days > 0 ? criteria->min_overdue_days : 0;
	int64_t min_amount = criteria && criteria->min_amount_minor > 0 ? criteria->min_amount_minor : 0;
	int64_t gap = criteria ? criteria->min_gap_ms : REMINDER_MIN_GAP_MS;

	if (c->opted_out)
		return REMINDER_OPTED_OUT;
	if (!c->has_phone)
		return REMINDER_NO_PHONE;
	if (c->overdue_minor <= 0 || reminder_days_overdue(c, now_ms) < min_days)
		return REMINDER_NOT_OVERDUE;
	if (c->overdue_minor < min_amount)
		return REMINDER_BELOW_MINIMUM;
	return recent(c, now_ms, gap, next_allowed_at_ms);
}

enum reminder_refusal reminder_check_manual(const struct reminder_candidate *c, int64_t now_ms,
					    int64_t *next_allowed_at_ms)
{
	if (c->opted_out)
		return REMINDER_OPTED_OUT;
	if (c->balance_minor <= 0)
		return REMINDER_NOTHING_OWED;
	if (!c->has_phone)
		return REMINDER_NO_PHONE;
	return recent(c, now_ms, REMINDER_MIN_GAP_MS, next_allowed_at_ms);
}

void reminder_schedule_default(struct reminder_schedule *s)
{
	s->enabled = 0;
	s->hour = 10;
	s->interval_days = 7;
	s->min_overdue_days = 0;
	s->min_amount_minor = 0;
}

int reminder_schedule_open(const struct reminder_schedule *s, int local_hour, int quiet_start,
			   int quiet_end)
{
	return s && s->enabled && hour_ok(local_hour) && local_hour >= s->hour &&
	       !reminder_quiet(local_hour, quiet_start, quiet_end);
}

void reminder_schedule_criteria(const struct reminder_schedule *s, struct reminder_criteria *out)
{
	int64_t days = s->interval_days > 0 ? s->interval_days : 1;

	out->min_overdue_days = s->min_overdue_days;
	out->min_amount_minor = s->min_amount_minor;
	out->min_gap_ms = days * REMINDER_DAY_MS;
}

static int field_error(struct reminder_field_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int field_error(struct reminder_field_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->field = field;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const struct schedule_member {
	const char *key;
	const char *field;
	int64_t min, max; /* integers; min > max marks the boolean */
} members[] = {
	{ "enabled", "reminder_schedule.enabled", 1, 0 },
	{ "hour", "reminder_schedule.hour", 0, 23 },
	{ "interval_days", "reminder_schedule.interval_days", 1, REMINDER_INTERVAL_DAYS_MAX },
	{ "min_overdue_days", "reminder_schedule.min_overdue_days", 0, REMINDER_MIN_OVERDUE_DAYS_MAX },
	{ "min_amount_minor", "reminder_schedule.min_amount_minor", 0, MONEY_AMOUNT_MAX },
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

int reminder_schedule_from_json(const json_t *v, struct reminder_schedule *inout,
				struct reminder_field_error *err)
{
	struct reminder_schedule s;
	const char *key;
	json_t *val;

	if (!inout)
		return field_error(err, "reminder_schedule", "is missing");
	if (!json_is_object(v))
		return field_error(err, "reminder_schedule", "must be an object");
	s = *inout;
	/* json_object_foreach wants a non-const object; nothing is changed. */
	json_object_foreach((json_t *)v, key, val) {
		const struct schedule_member *m = NULL;
		json_int_t n;

		for (size_t i = 0; i < NMEMBERS; i++)
			if (strcmp(key, members[i].key) == 0)
				m = &members[i];
		if (!m)
			return field_error(err, "reminder_schedule",
					   "unknown member \"%.40s\"; use enabled, hour, interval_days, "
					   "min_overdue_days or min_amount_minor", key);
		if (m->min > m->max) {
			if (!json_is_boolean(val))
				return field_error(err, m->field, "must be true or false");
			s.enabled = json_is_true(val);
			continue;
		}
		if (!json_is_integer(val))
			return field_error(err, m->field, "must be an integer %lld-%lld",
					   (long long)m->min, (long long)m->max);
		n = json_integer_value(val);
		if (n < m->min || n > m->max)
			return field_error(err, m->field, "must be %lld-%lld, not %lld",
					   (long long)m->min, (long long)m->max, (long long)n);
		if (m == &members[1])
			s.hour = (int)n;
		else if (m == &members[2])
			s.interval_days = (int)n;
		else if (m == &members[3])
			s.min_overdue_days = (int)n;
		else
			s.min_amount_minor = n;
	}
	*inout = s;
	return 0;
}

int reminder_schedule_parse(const char *text, struct reminder_schedule *out,
			    struct reminder_field_error *err)
{
	struct reminder_schedule s;
	json_t *root;
	size_t n;
	int rc;

	if (!text || !out)
		return field_error(err, "reminder_schedule", "is missing");
	n = strnlen(text, 4001);
	if (n > 4000)
		return field_error(err, "reminder_schedule", "must be at most 4000 bytes");
	root = json_loadb(text, n, JSON_REJECT_DUPLICATES, NULL);
	if (!root)
		return field_error(err, "reminder_schedule", "is not valid JSON");
	reminder_schedule_default(&s);
	rc = reminder_schedule_from_json(root, &s, err);
	json_decref(root);
	if (rc == 0)
		*out = s;
	return rc;
}

json_t *reminder_schedule_to_json(const struct reminder_schedule *s)
{
	return json_pack("{s:b, s:i, s:i, s:i, s:I}", "enabled", s->enabled, "hour", s->hour,
			 "interval_days", s->interval_days, "min_overdue_days", s->min_overdue_days,
			 "min_amount_minor", (json_int_t)s->min_amount_minor);
}

int reminder_hour_from_json(const json_t *v, const char *field, int *hour,
			    struct reminder_field_error *err)
{
	json_int_t n;

	if (!field)
		field = "hour";
	if (!json_is_integer(v))
		return field_error(err, field, "must be an hour 0-23");
	n = json_integer_value(v);
	if (n < 0 || n > 23)
		return field_error(err, field, "must be an hour 0-23, not %lld", (long long)n);
	if (hour)
		*hour = (int)n;
	return 0;
}

static const char *const status_names[] = {
	[REMINDER_STATUS_NONE] = "",
	[REMINDER_LINK_READY] = "link_ready",
	[REMINDER_QUEUED] = "queued",
	[REMINDER_SENT] = "sent",
	[REMINDER_DELIVERED] = "delivered",
	[REMINDER_READ] = "read",
	[REMINDER_FAILED] = "failed",
};
#define NSTATUS (sizeof(status_names) / sizeof(status_names[0]))

const char *reminder_status_name(enum reminder_status s)
{
	return (unsigned)s < NSTATUS ? status_names[s] : "";
}

enum reminder_status reminder_status_parse(const char *name)
{
	if (!name || !name[0])
		return REMINDER_STATUS_NONE;
	for (size_t i = 1; i < NSTATUS; i++)
		if (strcmp(name, status_names[i]) == 0)
			return (enum reminder_status)i;
	return REMINDER_STATUS_NONE;
}

enum reminder_status reminder_status_from_whatsapp(const char *status)
{
	enum reminder_status s = reminder_status_parse(status);

	return s == REMINDER_SENT || s == REMINDER_DELIVERED || s == REMINDER_READ ||
	       s == REMINDER_FAILED ? s : REMINDER_STATUS_NONE;
}

enum reminder_status reminder_status_from_twilio(const char *status)
{
	static const struct {
		const char *twilio;
		enum reminder_status ours;
	} map[] = {
		{ "accepted", REMINDER_QUEUED },  { "scheduled", REMINDER_QUEUED },
		{ "queued", REMINDER_QUEUED },    { "sending", REMINDER_QUEUED },
		{ "sent", REMINDER_SENT },        { "delivered", REMINDER_DELIVERED },
		{ "read", REMINDER_READ },        { "failed", REMINDER_FAILED },
		{ "undelivered", REMINDER_FAILED },
	};

	if (!status)
		return REMINDER_STATUS_NONE;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(status, map[i].twilio) == 0)
			return map[i].ours;
	return REMINDER_STATUS_NONE;
}

int reminder_status_advance(enum reminder_status current, enum reminder_status incoming)
{
	switch (current) {
	case REMINDER_QUEUED:
	case REMINDER_SENT:
		return incoming == REMINDER_FAILED ||
		       ((incoming == REMINDER_SENT || incoming == REMINDER_DELIVERED ||
			 incoming == REMINDER_READ) && incoming > current);
	case REMINDER_DELIVERED:
		return incoming == REMINDER_READ;
	case REMINDER_READ:
	case REMINDER_FAILED:
	case REMINDER_LINK_READY:
	case REMINDER_STATUS_NONE:
		break;
	}
	return 0;
}

static size_t space_at(const char *s, size_t i, size_t n)
{
	unsigned char c = (unsigned char)s[i];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
		return 1;
	if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0)
		return 2;
	return 0;
}

static int word_is(const char *s, size_t n, const char *word)
{
	if (strlen(word) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != word[i])
			return 0;
	}
	return 1;
}

enum reminder_keyword reminder_keyword(const char *text)
{
	size_t n, from = 0, k;

	if (!text)
		return REMINDER_KEYWORD_NONE;
	n = strlen(text);
	while (from < n && (k = space_at(text, from, n)) > 0)
		from += k;
	/* Trim from the end: a trailing U+00A0 is C2 A0, a space one byte. */
	while (n > from) {
		if (space_at(text, n - 1, n))
			n--;
		else if (n - from >= 2 && space_at(text, n - 2, n) == 2)
			n -= 2;
		else
			break;
	}
	if (word_is(text + from, n - from, "STOP") || word_is(text + from, n - from, "UNSUBSCRIBE"))
		return REMINDER_KEYWORD_STOP;
	if (word_is(text + from, n - from, "START"))
		return REMINDER_KEYWORD_START;
	return REMINDER_KEYWORD_NONE;
}
