/* db_replica.c — read replicas of one cluster and their lag (db_replica.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db_replica.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/lsn.h"

#define SAMPLES 256
#define RYW_POLL_MS 5

struct db_replica_set;

struct replica {
	struct db_replica_set *set;
	pthread_t thread;
	int started;
	char *url;
	char shown[256];                /* url without its password */
	_Atomic(struct db *) pool;      /* opened by the monitor, once */
	struct db *mon;                 /* its checker's own connection (its thread only) */
	atomic_int up;
	atomic_llong lag_ms;
	atomic_ullong replay_lsn;
	atomic_llong checked_ms;        /* clock_mono_ms of the last good check */
	atomic_ullong reads, fallbacks;
	int64_t next_check_ms;          /* while down (its thread only) */
	int was_up;                     /* for the log line on a change (its thread only) */
};

struct db_replica_set {
	struct db *primary;
	char *primary_url;
	struct db *mon_primary;
	struct db_replica_config cfg;
	int n;
	struct replica r[DB_REPLICA_MAX];
	atomic_uint next;               /* round robin */
	/* The primary's positions, oldest first, under samples_lock: one
	 * thread samples the primary, one thread per replica checks it, so
	 * a replica slow to answer (or to refuse) holds up no other. */
	pthread_mutex_t samples_lock;
	int64_t sample_t[SAMPLES];
	uint64_t sample_p[SAMPLES];
	int nsamples;
	pthread_mutex_t lock;           /* stop and wake */
	pthread_cond_t wake;
	int stop;
	int started;
	pthread_t thread;               /* the primary's sampler */
};

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* "postgres://user:secret@host/db" -> "postgres://user:***@host/db". */
static void redact(const char *url, char *out, size_t cap)
{
	const char *scheme = strstr(url, "://");
	const char *auth = scheme ? scheme + 3 : url;
	const char *at = strchr(auth, '@');
	const char *slash = strchr(auth, '/');
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!at || (slash && slash < at) || !colon) {
		snprintf(out, cap, "%s", url);
		return;
	}
	snprintf(out, cap, "%.*s***%s", (int)(colon + 1 - url), url, at);
}

int64_t db_replica_lag_of(const int64_t *t, const uint64_t *p, int n, uint64_t replayed, int64_t now_ms)
{
	if (n <= 0)
		return INT64_MAX;
	for (int i = n - 1; i >= 0; i--)
		if (lsn_reached(replayed, p[i]))
			return now_ms > t[i] ? now_ms - t[i] : 0;
	return now_ms - t[0] + 1;
}

/* One column of one row as an LSN; 0 when NULL or not one. */
static uint64_t res_lsn(const struct db_res *res, int col)
{
	uint64_t v = 0;
	if (db_res_rows(res) != 1 || db_res_isnull(res, 0, col) || lsn_parse(db_res_text(res, 0, col), &v) < 0)
		return 0;
	return v;
}

/* sql (outside any transaction) on *c of pool; a connection found broken
 * (the server restarted since it was last used) is given back, which drops
 * it, and the statement runs once more on a new one in *c.  DB_* code;
 * on failure *c is NULL, already given back. */
static int exec_fresh(struct db *pool, struct db_conn **c, const char *sql, struct db_res **res)
{
	int rc = db_exec(*c, sql, NULL, 0, res);
	if (rc == DB_UNAVAILABLE) {
		db_release(pool, *c);
		*c = NULL;
		if ((rc = db_acquire(pool, c)) != DB_OK) {
			*c = NULL;
			return rc;
		}
		rc = db_exec(*c, sql, NULL, 0, res);
	}
	if (rc != DB_OK && *c) {
		db_release(pool, *c);
		*c = NULL;
	}
	return rc;
}

/* Ask a connection pool one row; DB_* code. */
static int ask(struct db *db, const char *sql, struct db_res **res)
{
	struct db_conn *c;
	int rc = db_acquire(db, &c);
	if (rc != DB_OK)
		return rc;
	rc = exec_fresh(db, &c, sql, res);
	if (c)
		db_release(db, c);
	return rc;
}

static const char primary_sql[] = "SELECT pg_current_wal_insert_lsn()::text";
static const char replica_sql[] =
	"SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text";
static const char replay_sql[] = "SELECT pg_last_wal_replay_lsn()::text";

static void sample_primary(struct db_replica_set *set)
{
	char err[256];
	if (!set->mon_primary && db_open(set->primary_url, 1, &set->mon_primary, err, sizeof err) != DB_OK) {
		set->mon_primary = NULL;
		return;
	}
	struct db_res *res = NULL;
	int rc = ask(set->mon_primary, primary_sql, &res);
	uint64_t p = rc == DB_OK ? res_lsn(res, 0) : 0;
	db_res_free(res);
	if (!p)
		return;    /* no sample: lags are judged on the older ones */
	pthread_mutex_lock(&set->samples_lock);
	if (set->nsamples == SAMPLES) {
		memmove(set->sample_t, set->sample_t + 1, (SAMPLES - 1) * sizeof set->sample_t[0]);
		memmove(set->sample_p, set->sample_p + 1, (SAMPLES - 1) * sizeof set->sample_p[0]);
		set->nsamples--;
	}
	set->sample_t[set->nsamples] = clock_mono_ms();
	set->sample_p[set->nsamples] = p;
	set->nsamples++;
	pthread_mutex_unlock(&set->samples_lock);
}

static void mark_down(struct db_replica_set *set, struct replica *r, const char *why)
{
	atomic_store(&r->up, 0);
	atomic_store(&r->lag_ms, -1);
	r->next_check_ms = clock_mono_ms() + set->cfg.recheck_ms;
	if (r->was_up)
		log_warn("replica %s: skipped (%s); checked again every %d ms", r->shown, why,
			set->cfg.recheck_ms);
	r->was_up = 0;
}

static void check_replica(struct db_replica_set *set, struct replica *r)
{
	char err[512];
	int64_t now = clock_mono_ms();
	if (!atomic_load(&r->up) && now < r->next_check_ms)
		return;
	if (!r->mon && db_open(r->url, 1, &r->mon, err, sizeof err) != DB_OK) {
		r->mon = NULL;
		mark_down(set, r, err);
		return;
	}
	struct db_res *res = NULL;
	int rc = ask(r->mon, replica_sql, &res);
	int in_recovery = rc == DB_OK && db_res_rows(res) == 1 && db_res_int(res, 0, 0) != 0;
	uint64_t replayed = rc == DB_OK ? res_lsn(res, 1) : 0;
	db_res_free(res);
	if (rc != DB_OK || !in_recovery || !replayed) {
		mark_down(set, r, rc != DB_OK ? "unreachable" : "not a replica in recovery");
		return;
	}
	if (!atomic_load(&r->pool)) {
		struct db *pool;
		if (db_open(r->url, set->cfg.pool_size, &pool, err, sizeof err) != DB_OK) {
			mark_down(set, r, err);
			return;
		}
		atomic_store(&r->pool, pool);
	}
	pthread_mutex_lock(&set->samples_lock);
	now = clock_mono_ms();
	int64_t lag = db_replica_lag_of(set->sample_t, set->sample_p, set->nsamples, replayed, now);
	pthread_mutex_unlock(&set->samples_lock);
	atomic_store(&r->lag_ms, lag);
	uint64_t old = atomic_load(&r->replay_lsn);
	while (replayed > old && !atomic_compare_exchange_weak(&r->replay_lsn, &old, replayed))
		;
	atomic_store(&r->checked_ms, now);
	atomic_store(&r->up, 1);
	if (!r->was_up)
		log_info("replica %s: serving reads (lag %lld ms)", r->shown, (long long)lag);
	r->was_up = 1;
}

void db_replica_check_now(struct db_replica_set *set)
{
	sample_primary(set);
	for (int i = 0; i < set->n; i++)
		check_replica(set, &set->r[i]);
}

/* Sleep poll_ms or until the set closes; returns 1 once it is closing. */
static int tick(struct db_replica_set *set)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)set->cfg.poll_ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&set->lock);
	if (!set->stop)
		pthread_cond_timedwait(&set->wake, &set->lock, &ts);
	int stop = set->stop;
	pthread_mutex_unlock(&set->lock);
	return stop;
}

static void *sampler_main(void *arg)
{
	struct db_replica_set *set = arg;
	do
		sample_primary(set);
	while (!tick(set));
	return NULL;
}

static void *checker_main(void *arg)
{
	struct replica *r = arg;
	do
		check_replica(r->set, r);
	while (!tick(r->set));
	return NULL;
}

static int is_pg_url(const char *s, size_t n)
{
	return (n > 11 && strncmp(s, "postgres://", 11) == 0) ||
		(n > 13 && strncmp(s, "postgresql://", 13) == 0);
}

int db_replica_set_open(struct db *primary, const char *primary_url, const char *replica_urls,
	const struct db_replica_config *cfg, struct db_replica_set **out, char *err, size_t errlen)
{
	if (!primary || db_dialect_of(primary) != DB_POSTGRES) {
		snprintf(err, errlen, "QT_DB_REPLICAS: read replicas need a PostgreSQL primary (QT_DB)");
		return DB_ERROR;
	}
	struct db_replica_set *set = calloc(1, sizeof *set);
	if (!set)
		abort();
	set->primary = primary;
	set->primary_url = strdup(primary_url);
	if (!set->primary_url)
		abort();
	set->cfg = *cfg;
	if (set->cfg.max_lag_ms < 0)
		set->cfg.max_lag_ms = 500;
	if (set->cfg.wait_ms < 0)
		set->cfg.wait_ms = 200;
	if (set->cfg.recheck_ms <= 0)
		set->cfg.recheck_ms = 3000;
	if (set->cfg.poll_ms <= 0)
		set->cfg.poll_ms = 100;
	if (set->cfg.pool_size <= 0)
		set->cfg.pool_size = 4;
	pthread_mutex_init(&set->lock, NULL);
	pthread_mutex_init(&set->samples_lock, NULL);
	pthread_cond_init(&set->wake, NULL);

	const char *s = replica_urls ? replica_urls : "";
	int index = 0;
	for (;;) {
		while (*s == ' ')
			s++;
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		index++;
		if (n == 0 || !is_pg_url(s, n)) {
			snprintf(err, errlen, "QT_DB_REPLICAS: entry %d: must be a postgres:// or postgresql:// URL", index);
			goto fail;
		}
		if (set->n == DB_REPLICA_MAX) {
			snprintf(err, errlen, "QT_DB_REPLICAS: at most %d replicas", DB_REPLICA_MAX);
			goto fail;
		}
		struct replica *r = &set->r[set->n++];
		r->set = set;
		r->url = strndup(s, n);
		if (!r->url)
			abort();
		redact(r->url, r->shown, sizeof r->shown);
		atomic_store(&r->lag_ms, -1);
		r->was_up = 1;    /* a replica down at start-up is said once */
		if (!end)
			break;
		s = end + 1;
	}
	/* The first round before any request: replicas that are up serve
	 * from the start.  Lag needs two samples' worth of history, so the
	 * primary is sampled first. */
	db_replica_check_now(set);
	if (pthread_create(&set->thread, NULL, sampler_main, set) != 0) {
		snprintf(err, errlen, "QT_DB_REPLICAS: cannot start the replica monitor");
		goto fail;
	}
	set->started = 1;
	for (int i = 0; i < set->n; i++) {
		if (pthread_create(&set->r[i].thread, NULL, checker_main, &set->r[i]) != 0) {
			snprintf(err, errlen, "QT_DB_REPLICAS: cannot start the replica monitor");
			goto fail;
		}
		set->r[i].started = 1;
	}
	*out = set;
	return DB_OK;
fail:
	db_replica_set_close(set);
	return DB_ERROR;
}

void db_replica_set_close(struct db_replica_set *set)
{
	if (!set)
		return;
	pthread_mutex_lock(&set->lock);
	set->stop = 1;
	pthread_cond_broadcast(&set->wake);
	pthread_mutex_unlock(&set->lock);
	if (set->started)
		pthread_join(set->thread, NULL);
	for (int i = 0; i < set->n; i++)
		if (set->r[i].started)
			pthread_join(set->r[i].thread, NULL);
	for (int i = 0; i < set->n; i++) {
		struct db *pool = atomic_load(&set->r[i].pool);
		if (pool)
			db_close(pool);
		if (set->r[i].mon)
			db_close(set->r[i].mon);
		free(set->r[i].url);
	}
	if (set->mon_primary)
		db_close(set->mon_primary);
	pthread_mutex_destroy(&set->lock);
	pthread_mutex_destroy(&set->samples_lock);
	pthread_cond_destroy(&set->wake);
	free(set->primary_url);
	free(set);
}

int db_replica_count(const struct db_replica_set *set)
{
	return set ? set->n : 0;
}

struct db *db_replica_primary(const struct db_replica_set *set)
{
	return set->primary;
}

/* Fit to serve reads at now: up, and behind by at most the limit even if
 * it stopped replaying right after its last check (the lag then measured
 * plus the time since). */
static int fit(const struct db_replica_set *set, struct replica *r, int64_t now)
{
	if (!atomic_load(&r->up) || !atomic_load(&r->pool))
		return 0;
	int64_t lag = atomic_load(&r->lag_ms);
	if (lag < 0)
		return 0;
	return lag + (now - atomic_load(&r->checked_ms)) <= set->cfg.max_lag_ms;
}

/* Wait on *c until its replica has replayed min_lsn, up to wait_ms.
 * Returns 1 when it has, 0 when the time ran out, -1 when the replica
 * could not be reached (*c is then NULL, given back). */
static int wait_replayed(struct db_replica_set *set, struct replica *r, struct db *pool,
	struct db_conn **c, uint64_t min_lsn)
{
	int64_t deadline = clock_mono_ms() + set->cfg.wait_ms;
	for (;;) {
		struct db_res *res = NULL;
		int rc = exec_fresh(pool, c, replay_sql, &res);
		uint64_t replayed = rc == DB_OK ? res_lsn(res, 0) : 0;
		db_res_free(res);
		if (rc != DB_OK)
			return -1;
		uint64_t old = atomic_load(&r->replay_lsn);
		while (replayed > old && !atomic_compare_exchange_weak(&r->replay_lsn, &old, replayed))
			;
		if (lsn_reached(replayed, min_lsn))
			return 1;
		if (clock_mono_ms() >= deadline)
			return 0;
		sleep_ms(RYW_POLL_MS);
	}
}

int db_replica_acquire(struct db_replica_set *set, uint64_t min_lsn, struct db_conn **out, int *which)
{
	int64_t now = clock_mono_ms();
	unsigned start = atomic_fetch_add(&set->next, 1);
	int ready = -1, behind = -1;
	uint64_t behind_lsn = 0;
	for (int k = 0; k < set->n && ready < 0; k++) {
		int i = (int)((start + (unsigned)k) % (unsigned)set->n);
		struct replica *r = &set->r[i];
		if (!fit(set, r, now))
			continue;
		uint64_t replayed = atomic_load(&r->replay_lsn);
		if (!min_lsn || lsn_reached(replayed, min_lsn))
			ready = i;
		else if (behind < 0 || replayed > behind_lsn)
			behind = i, behind_lsn = replayed;
	}
	int i = ready >= 0 ? ready : behind;
	if (i < 0)
		return DB_UNAVAILABLE;
	struct replica *r = &set->r[i];
	struct db *pool = atomic_load(&r->pool);
	struct db_conn *c;
	if (db_acquire(pool, &c) != DB_OK) {
		db_replica_failed(set, i);
		return DB_UNAVAILABLE;
	}
	if (ready < 0) {
		int got = wait_replayed(set, r, pool, &c, min_lsn);
		if (got <= 0) {
			if (c)
				db_release(pool, c);
			if (got < 0)
				db_replica_failed(set, i);
			else
				atomic_fetch_add(&r->fallbacks, 1);
			return DB_UNAVAILABLE;
		}
	}
	atomic_fetch_add(&r->reads, 1);
	*out = c;
	*which = i;
	return DB_OK;
}

void db_replica_release(struct db_replica_set *set, int which, struct db_conn *c)
{
	db_release(atomic_load(&set->r[which].pool), c);
}

void db_replica_failed(struct db_replica_set *set, int which)
{
	struct replica *r = &set->r[which];
	/* The monitor thread owns next_check_ms: the request only stops the
	 * replica's use; the monitor's next check sees it down too (or back)
	 * and then waits recheck_ms between tries. */
	if (atomic_exchange(&r->up, 0))
		log_warn("replica %s: a read could not reach it; skipped until a check finds it back", r->shown);
}

void db_replica_status(struct db_replica_set *set, int i, struct db_replica_status *out)
{
	struct replica *r = &set->r[i];
	memset(out, 0, sizeof *out);
	snprintf(out->url, sizeof out->url, "%s", r->shown);
	out->up = atomic_load(&r->up);
	out->lag_ms = out->up ? atomic_load(&r->lag_ms) : -1;
	out->replay_lsn = atomic_load(&r->replay_lsn);
	out->reads = atomic_load(&r->reads);
	out->fallbacks = atomic_load(&r->fallbacks);
}
