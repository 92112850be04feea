/*
 * reminder_rules.h — who may be reminded, and when (SPEC section 2,
 * "Reminder"; issue 9): quiet hours, the 24-hour rule, the schedule and
 * its settings, the reasons a customer is skipped, the order of delivery
 * statuses, and the STOP / START words.
 *
 * Pure: the clock, the store's local hour and every fact about the
 * customer are arguments; nothing here reads the store or the network.
 * (reminder_local_hour_in_zone() is the one exception that reads
 * /usr/share/zoneinfo, once per zone, through util/tz.h.)  Thread-safe.
 */
#ifndef QT_DOMAIN_REMINDER_RULES_H
#define QT_DOMAIN_REMINDER_RULES_H

#include <jansson.h>
#include <stdint.h>

#define REMINDER_DAY_MS ((int64_t)86400000)
/* Never two reminders to one customer within this, on any channel
 * (receipts are not reminders and do not count). */
#define REMINDER_MIN_GAP_MS REMINDER_DAY_MS

/* ---- Quiet hours and local time ---------------------------------- */

#define REMINDER_QUIET_START_DEFAULT 21
#define REMINDER_QUIET_END_DEFAULT 9

/*
 * 1 when local_hour (0-23) is inside the quiet hours [start, end), 0 when
 * not.  The range may wrap midnight: the default 21 -> 9 makes 21, 22, 23
 * and 0..8 quiet, 9..20 not.  start == end means no quiet hours at all
 * (not "always quiet").  An hour outside 0-23 in any argument counts as
 * quiet, so bad data never sends a message at night.
 */
int reminder_quiet(int local_hour, int start, int end);

/* The local hour (0-23) at unix ms now_ms for a UTC offset in seconds
 * (east positive, as tz_offset() gives it).  Correct before 1970 too. */
int reminder_local_hour(int64_t now_ms, int32_t utc_offset_s);

/* The same for an IANA zone ("Asia/Kolkata"): 0 with *hour set, or -1 on
 * an unknown zone (*hour untouched).  Reads the zone file once (tz.h). */
int reminder_local_hour_in_zone(int64_t now_ms, const char *zone, int *hour);

/* ---- The 24-hour rule -------------------------------------------- */

/* When the next reminder may go out after one at last_reminder_at_ms:
 * last + 24 h (INT64_MAX when that overflows).  The 409
 * reminded_recently answer carries it as next_allowed_at. */
int64_t reminder_next_allowed_at(int64_t last_reminder_at_ms);

/* ---- Eligibility ------------------------------------------------- */

/* Why a customer is not reminded.  The names are the API's. */
enum reminder_refusal {
	REMINDER_ALLOWED = 0,
	REMINDER_OPTED_OUT,         /* "opted_out" */
	REMINDER_NO_PHONE,          /* "no_phone" */
	REMINDER_NOTHING_OWED,      /* "nothing_owed": manual reminders only */
	REMINDER_NOT_OVERDUE,       /* "not_overdue": bulk and scheduled only */
	REMINDER_BELOW_MINIMUM,     /* "below_minimum": bulk and scheduled only */
	REMINDER_REMINDED_RECENTLY, /* "reminded_recently" */
};

/* The API name of a refusal; NULL for REMINDER_ALLOWED or out of range. */
const char *reminder_refusal_name(enum reminder_refusal r);

/* What the caller knows about one customer at the time of the check. */
struct reminder_candidate {
	int has_phone;                /* a number a message can go to */
	int opted_out;                /* reminders_opt_out */
	int64_t balance_minor;        /* what they owe in all (aging_result) */
	int64_t overdue_minor;        /* the overdue part (aging_result) */
	int64_t oldest_due_ms;        /* aging_result.oldest_due_ms, 0 if none */
	int64_t last_reminder_at_ms;  /* newest reminder sent or made ready on
					 any channel (not receipts); 0 = never */
};

/*
 * Days overdue, as aging.h counts them: 0 when nothing is overdue
 * (overdue_minor <= 0), otherwise (now_ms - oldest_due_ms) / 1 day + 1,
 * so the first 24 hours after the due instant are day 1.
 */
int64_t reminder_days_overdue(const struct reminder_candidate *c, int64_t now_ms);

/* The thresholds of a bulk run or of the schedule. */
struct reminder_criteria {
	int64_t min_overdue_days;  /* < 0 is read as 0 */
	int64_t min_amount_minor;  /* of the overdue amount; < 0 is read as 0 */
	int64_t min_gap_ms;        /* since the last reminder; below 24 h is
				      read as 24 h (the 24-hour rule) */
};

/*
 * A bulk or scheduled reminder: the first reason that applies, in this
 * order (lasting reasons first, so "reminded_recently" is only said of
 * someone who would otherwise be reminded now):
 *   opted_out; no_phone; not_overdue (nothing overdue, or fewer days than
 *   min_overdue_days); below_minimum (overdue amount < min_amount_minor);
 *   reminded_recently (now_ms < last + min_gap; a last reminder "in the
 *   future", from a clock that moved back, counts as recent).
 * criteria NULL means no thresholds and the 24-hour gap.  When the answer
 * is REMINDER_REMINDED_RECENTLY and next_allowed_at_ms is not NULL, it
 * receives last + the gap (saturating).  Never REMINDER_NOTHING_OWED:
 * someone who owes nothing has nothing overdue.
 */
enum reminder_refusal reminder_check_bulk(const struct reminder_criteria *criteria,
					  const struct reminder_candidate *c, int64_t now_ms,
					  int64_t *next_allowed_at_ms);

/*
 * A reminder someone asked for (POST /customers/{id}/reminders): in
 * order opted_out (409 customer_opted_out); nothing_owed when
 * balance_minor <= 0 (409); no_phone; reminded_recently within 24 h (409,
 * with *next_allowed_at_ms set as above).  Being overdue is not needed.
 */
enum reminder_refusal reminder_check_manual(const struct reminder_candidate *c, int64_t now_ms,
					    int64_t *next_allowed_at_ms);

/* ---- The schedule ------------------------------------------------ */

struct reminder_schedule {
	int enabled;
	int hour;                  /* local hour, 0-23: not before it */
	int interval_days;         /* 1..REMINDER_INTERVAL_DAYS_MAX */
	int min_overdue_days;      /* 0..REMINDER_MIN_OVERDUE_DAYS_MAX */
	int64_t min_amount_minor;  /* 0..MONEY_AMOUNT_MAX (money.h) */
};

#define REMINDER_INTERVAL_DAYS_MAX 365
#define REMINDER_MIN_OVERDUE_DAYS_MAX 3650

/* The schedule of a store that has set nothing: disabled, hour 10, every
 * 7 days, any overdue amount. */
void reminder_schedule_default(struct reminder_schedule *s);

/*
 * 1 when the schedule may send at local_hour: enabled, local_hour >=
 * hour, and outside the quiet hours (reminder_quiet).  Else 0.  (With
 * hour 22 and the default quiet hours it never sends; settings may warn.)
 */
int reminder_schedule_open(const struct reminder_schedule *s, int local_hour, int quiet_start,
			   int quiet_end);

/* The per-customer thresholds of a schedule: its minimums, and a gap of
 * interval_days (never under 24 h). */
void reminder_schedule_criteria(const struct reminder_schedule *s, struct reminder_criteria *out);

/* A settings error: the API answers 422 with these (field names such as
 * "reminder_schedule.hour", "quiet_hours_start"). */
struct reminder_field_error {
	const char *field;     /* a static string, never NULL after an error */
	char message[160];
};

/*
 * Read a reminder_schedule JSON object into *inout, which holds the
 * values to keep for members that are absent (the current schedule for a
 * PATCH, or reminder_schedule_default()).  Members:
 *   enabled           true or false;
 *   hour              integer 0-23;
 *   interval_days     integer 1-365;
 *   min_overdue_days  integer 0-3650;
 *   min_amount_minor  integer 0-MONEY_AMOUNT_MAX.
 * Refused, naming the field ("reminder_schedule.<member>", or
 * "reminder_schedule" when v is not an object): a wrong type (1.0 is not
 * an integer; null is not allowed), a value out of range, an unknown
 * member.  Returns 0, or -1 with *err filled and *inout unchanged.
 * err may be NULL.
 */
int reminder_schedule_from_json(const json_t *v, struct reminder_schedule *inout,
				struct reminder_field_error *err);

/* The same from stored JSON text of at most 4000 bytes, over the defaults
 * (so the schema default '{"enabled":false,"hour":10}' reads as
 * disabled, 10, 7, 0, 0).  Text that is not JSON is refused likewise. */
int reminder_schedule_parse(const char *text, struct reminder_schedule *out,
			    struct reminder_field_error *err);

/* All five members as a new JSON object (the caller json_decref()s it),
 * or NULL on OOM. */
json_t *reminder_schedule_to_json(const struct reminder_schedule *s);

/*
 * quiet_hours_start / quiet_hours_end: an integer 0-23.  field names the
 * setting in the error.  Returns 0 with *hour set, or -1 ("must be an hour
 * 0-23") with *err filled.
 */
int reminder_hour_from_json(const json_t *v, const char *field, int *hour,
			    struct reminder_field_error *err);

/* ---- Delivery status --------------------------------------------- */

enum reminder_status {
	REMINDER_STATUS_NONE = 0,  /* not a status: unknown text parses to this */
	REMINDER_LINK_READY,
	REMINDER_QUEUED,
	REMINDER_SENT,
	REMINDER_DELIVERED,
	REMINDER_READ,
	REMINDER_FAILED,
};

/* "link_ready", "queued", "sent", "delivered", "read", "failed"; "" for NONE. */
const char *reminder_status_name(enum reminder_status s);
/* The status our API names, or REMINDER_STATUS_NONE. */
enum reminder_status reminder_status_parse(const char *name);

/* WhatsApp Cloud statuses[].status: sent, delivered, read, failed; any
 * other value (such as "deleted" or "warning") is REMINDER_STATUS_NONE. */
enum reminder_status reminder_status_from_whatsapp(const char *status);

/* Twilio MessageStatus: accepted, scheduled, queued, sending -> queued;
 * sent; delivered; read; failed, undelivered -> failed; anything else
 * (canceled, receiving, received, ...) -> REMINDER_STATUS_NONE. */
enum reminder_status reminder_status_from_twilio(const char *status);

/*
 * 1 when a webhook's incoming status should replace current, 0 when it
 * is ignored.  Statuses only move forward: queued < sent < delivered <
 * read, so a late "delivered" after "read" changes nothing, and a repeat
 * changes nothing.  failed replaces queued or sent only: once a message
 * was delivered it was not lost, and a failure is final (no later status
 * revives it).  A link_ready reminder has no provider and takes nothing;
 * REMINDER_STATUS_NONE on either side is never applied.
 */
int reminder_status_advance(enum reminder_status current, enum reminder_status incoming);

/* ---- STOP and START ---------------------------------------------- */

enum reminder_keyword {
	REMINDER_KEYWORD_NONE = 0,
	REMINDER_KEYWORD_STOP,   /* opt out */
	REMINDER_KEYWORD_START,  /* opt back in */
};

/*
 * What an inbound message asks for: its text, with white space (ASCII
 * space, tab, CR, LF, VT, FF and U+00A0 no-break space) trimmed from both
 * ends, equal in any case to "STOP" or "UNSUBSCRIBE" -> STOP, to "START"
 * -> START; anything else (NULL included, and "stop please") -> NONE.
 */
enum reminder_keyword reminder_keyword(const char *text);

#endif
