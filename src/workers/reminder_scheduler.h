/*
 * reminder_scheduler.h — scheduled reminders inside `serve`: a thread that
 * runs one pass of core/reminders.c reminders_run() every tick
 * (QT_REMINDER_TICK_S, default 60) until stopped.  Several serve processes
 * on one PostgreSQL may run it at once: reminders_run claims each customer
 * with FOR UPDATE SKIP LOCKED and re-checks the 24-hour rule under the
 * lock, so nobody is reminded twice.
 */
#ifndef QT_WORKERS_REMINDER_SCHEDULER_H
#define QT_WORKERS_REMINDER_SCHEDULER_H

#include <stdint.h>

#include "store/store.h"

struct reminder_scheduler;

/* Start the thread (first pass after one tick).  master_key and
 * public_url must outlive the scheduler.  NULL on failure (logged). */
struct reminder_scheduler *reminder_scheduler_start(struct store *s, const uint8_t *master_key,
	const char *public_url, int tick_s);
/* Stop after the customer in hand, join, free.  NULL is fine. */
void reminder_scheduler_stop(struct reminder_scheduler *rs);

#endif
