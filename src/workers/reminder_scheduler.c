/* reminder_scheduler.c — see reminder_scheduler.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/reminders.h"
#include "util/log.h"
#include "workers/reminder_scheduler.h"

struct reminder_scheduler {
	struct store *store;
	const uint8_t *master_key;
	const char *public_url;
	int tick_s;
	volatile int stop;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

static void *loop(void *arg)
{
	struct reminder_scheduler *rs = arg;
	for (;;) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += rs->tick_s;
		pthread_mutex_lock(&rs->lock);
		while (!rs->stop) {
			int rc = pthread_cond_timedwait(&rs->wake, &rs->lock, &until);
			if (rc == ETIMEDOUT)
				break;
		}
		int stop = rs->stop;
		pthread_mutex_unlock(&rs->lock);
		if (stop)
			break;
		struct reminders_run_options o = {
			.master_key = rs->master_key, .public_url = rs->public_url, .stop = &rs->stop,
		};
		struct reminders_run_report rep;
		if (reminders_run(rs->store, &o, &rep) != 0)
			log_warn("scheduled reminders: the stores could not be listed");
		else if (rep.reminded || rep.failed)
			log_info("scheduled reminders: %d sent, %d failed, %d skipped in %d store(s)",
				rep.reminded, rep.failed, rep.skipped, rep.stores);
	}
	return NULL;
}

struct reminder_scheduler *reminder_scheduler_start(struct store *s, const uint8_t *master_key,
	const char *public_url, int tick_s)
{
	struct reminder_scheduler *rs = calloc(1, sizeof *rs);
	if (!rs)
		return NULL;
	rs->store = s;
	rs->master_key = master_key;
	rs->public_url = public_url;
	rs->tick_s = tick_s > 0 ? tick_s : 60;
	pthread_mutex_init(&rs->lock, NULL);
	pthread_cond_init(&rs->wake, NULL);
	if (pthread_create(&rs->thread, NULL, loop, rs) != 0) {
		log_error("scheduled reminders: cannot start the thread");
		pthread_cond_destroy(&rs->wake);
		pthread_mutex_destroy(&rs->lock);
		free(rs);
		return NULL;
	}
	return rs;
}

void reminder_scheduler_stop(struct reminder_scheduler *rs)
{
	if (!rs)
		return;
	pthread_mutex_lock(&rs->lock);
	rs->stop = 1;
	pthread_cond_signal(&rs->wake);
	pthread_mutex_unlock(&rs->lock);
	pthread_join(rs->thread, NULL);
	pthread_cond_destroy(&rs->wake);
	pthread_mutex_destroy(&rs->lock);
	free(rs);
}
