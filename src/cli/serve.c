/* serve.c — `quantumtrack serve`: the HTTP server until SIGTERM/SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/group_commit.h"
#include "api/ratelimit_gate.h"
#include "api/routes.h"
#include "cli/cli.h"
#include "http/server.h"
#include "store/store_events.h"
#include "store/store_idempotency.h"
#include "store/store_replicas.h"
#include "util/cidr.h"
#include "util/clock.h"
#include "util/log.h"
#include "workers/event_hub.h"
#include "workers/member_cache.h"
#include "workers/reminder_scheduler.h"
#include "workers/usage_meter.h"

#define IDEM_KEEP_MS (48LL * 3600 * 1000)
/* Live events are kept 48 hours: a client may resume from any id of the
 * last 24 (the spec's promise) and some way beyond. */
#define EVENTS_KEEP_MS (48LL * 3600 * 1000)

static int parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	if (!colon || colon == s || (size_t)(colon - s) >= hostlen)
		return -1;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	*port = (int)p;
	return 0;
}

/* A token that fits in an Authorization header and is not trivially short. */
static int metrics_token_sane(const char *t)
{
	size_t n = strlen(t);
	if (n < 16 || n > 256)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return 0;
	return 1;
}

/* Keys past IDEM_KEEP_MS go; a failure is logged and retried next hour
 * (keys kept longer than promised harm nothing). */
static void expire_idempotency_keys(struct store *s, int64_t now_ms)
{
	int rc = store_idem_expire(s, now_ms - IDEM_KEEP_MS);
	if (rc != STORE_OK)
		log_warn("idempotency keys: expiry failed (code %d); retrying in an hour", rc);
}

/* Events past EVENTS_KEEP_MS and expired tickets go, like the keys. */
static void prune_events(struct store *s, int64_t now_ms)
{
	int rc = store_event_prune(s, now_ms - EVENTS_KEEP_MS, now_ms);
	if (rc != STORE_OK)
		log_warn("events: pruning failed (code %d); retrying in an hour", rc);
}

int cmd_serve(int argc, char **argv)
{
	const char *db = NULL, *listen = NULL, *data_dir = NULL, *threads = NULL, *pool = NULL;
	const struct cli_opt opts[] = {
		{ "db", 1, &db, NULL, "database URL: sqlite:PATH or postgres://... (QT_DB)" },
		{ "listen", 1, &listen, NULL, "address to listen on, HOST:PORT (QT_LISTEN, default 127.0.0.1:8080)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR, default ./data)" },
		{ "threads", 1, &threads, NULL, "HTTP worker threads (QT_THREADS, default: cores)" },
		{ "db-pool", 1, &pool, NULL, "database connections (QT_DB_POOL, default 2 x threads)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 5, NULL, 0, NULL,
		"usage: quantumtrack serve [--db URL] [--listen HOST:PORT] [--data-dir DIR]\n\n"
		"Serve the JSON API and the web app.", &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;

	static struct app app;
	cli_config(&app.cfg, db, listen, data_dir);
	if (threads) {
		app.cfg.threads = atoi(threads);
		if (app.cfg.threads < 2 || app.cfg.threads > 256) {
			fprintf(stderr, "quantumtrack: --threads must be 2-256\n");
			return EXIT_USAGE;
		}
	}
	if (pool) {
		app.cfg.db_pool = atoi(pool);
		if (app.cfg.db_pool < 1 || app.cfg.db_pool > 1024) {
			fprintf(stderr, "quantumtrack: --db-pool must be 1-1024\n");
			return EXIT_USAGE;
		}
	}
	char host[256];
	int port;
	if (parse_listen(app.cfg.listen, host, sizeof host, &port) < 0) {
		fprintf(stderr, "quantumtrack: --listen \"%s\": must be HOST:PORT\n", app.cfg.listen);
		return EXIT_USAGE;
	}
	static struct cidr_list trusted;
	char cerr[256];
	if (cidr_list_parse(app.cfg.trusted_proxies, &trusted, cerr, sizeof cerr) < 0) {
		fprintf(stderr, "quantumtrack: QT_TRUSTED_PROXIES: %s\n", cerr);
		return EXIT_USAGE;
	}
	if (app.cfg.body_budget < app.cfg.body_limit) {
		fprintf(stderr, "quantumtrack: QT_BODY_BUDGET (%zu) must be at least QT_BODY_LIMIT (%zu)\n",
			app.cfg.body_budget, app.cfg.body_limit);
		return EXIT_USAGE;
	}
	if (app.cfg.metrics_token && !metrics_token_sane(app.cfg.metrics_token)) {
		fprintf(stderr, "quantumtrack: QT_METRICS_TOKEN must be 16-256 printable ASCII characters without spaces\n");
		return EXIT_USAGE;
	}
	char mhost[256];
	int mport = 0;
	if (app.cfg.metrics_listen && parse_listen(app.cfg.metrics_listen, mhost, sizeof mhost, &mport) < 0) {
		fprintf(stderr, "quantumtrack: QT_METRICS_LISTEN \"%s\": must be HOST:PORT\n", app.cfg.metrics_listen);
		return EXIT_USAGE;
	}
	if (cli_load_secrets(&app, 0) < 0)
		return EXIT_FAIL;
	int db_pool = app.cfg.db_pool ? app.cfg.db_pool : app.cfg.threads * 2;
	int is_sqlite = strncmp(app.cfg.db_url, "sqlite:", 7) == 0;
	/* SQLite migrates at start; on PostgreSQL the server's role owns
	 * nothing, so migrations run separately with `migrate` as the owner. */
	app.store = cli_open_store(&app.cfg, db_pool, is_sqlite);
	if (!app.store)
		return EXIT_FAIL;
	if (!is_sqlite) {
		int have = store_schema_version(app.store);
		int want = store_schema_latest(app.store);
		if (have < want) {
			fprintf(stderr, "quantumtrack: the database schema is at version %d, this build needs %d: "
				"run `quantumtrack migrate --db <owner URL>` first\n", have, want);
			store_close(app.store);
			return EXIT_FAIL;
		}
	}
	/* Read-only store routes read from streaming replicas that keep up
	 * (store/store_replicas.h). */
	if (app.cfg.db_replicas) {
		char rerr[512];
		if (is_sqlite || store_open_replicas(app.store, app.cfg.db_url, app.cfg.db_replicas,
		    app.cfg.replica_max_lag_ms, db_pool, rerr, sizeof rerr) != STORE_OK) {
			fprintf(stderr, "quantumtrack: %s\n", is_sqlite ?
				"QT_DB_REPLICAS: read replicas need PostgreSQL (QT_DB is SQLite)" : rerr);
			store_close(app.store);
			return EXIT_FAIL;
		}
	}
	/* QT_DIRECTORY_DB: tenants over several clusters (docs/SCALING.md);
	 * without it, one database as before. */
	const char *directory = getenv("QT_DIRECTORY_DB");
	if (directory && *directory) {
		char derr[512];
		if (store_attach_directory(app.store, directory, app.cfg.db_url, db_pool, 0, derr, sizeof derr) != STORE_OK) {
			fprintf(stderr, "quantumtrack: QT_DIRECTORY_DB: %s\n", derr);
			store_close(app.store);
			return EXIT_FAIL;
		}
		/* The member cache hears of changes through the home
		 * database's feed only: a store on another cluster is read
		 * afresh by every request instead. */
		app.cfg.member_cache_entries = 0;
	}
	app.login_by_account = throttle_new(app.cfg.login_max_failures, 900, app.cfg.login_lockout_s);
	app.login_by_ip = throttle_new(app.cfg.login_ip_max_failures, 900, app.cfg.login_lockout_s);
	/* Block the signals before any thread starts so only sigwait sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Request counts are kept in memory and written every few seconds. */
	app.usage = usage_meter_new(app.store, app.cfg.usage_flush_ms);
	if (!app.usage || usage_meter_start(app.usage) < 0) {
		fprintf(stderr, "quantumtrack: cannot start counting requests\n");
		usage_meter_free(app.usage);
		store_close(app.store);
		return EXIT_FAIL;
	}

	/* Several processes may serve one PostgreSQL: they share each store's
	 * bucket through the database.  SQLite has one process: in memory. */
	app.ratelimit = api_ratelimit_open(app.store, !is_sqlite);
	if (!app.ratelimit) {
		fprintf(stderr, "quantumtrack: out of memory\n");
		usage_meter_free(app.usage);
		store_close(app.store);
		return EXIT_FAIL;
	}

	/* Idempotency keys are kept 48 hours (the spec asks for at least 24);
	 * older ones go at start-up and then hourly. */
	expire_idempotency_keys(app.store, clock_now_ms());
	prune_events(app.store, clock_now_ms());

	/* Members' contexts are kept between requests; the cache hears of
	 * changes from this process's commits and from other processes (on
	 * PostgreSQL through the hub's LISTEN connection, so it starts
	 * first).  QT_MEMBER_CACHE=0: every request reads them. */
	if (app.cfg.member_cache_entries > 0) {
		app.members = member_cache_new((size_t)app.cfg.member_cache_entries);
		if (!app.members || member_cache_start(app.members, app.store) < 0) {
			fprintf(stderr, "quantumtrack: cannot start the member cache\n");
			member_cache_free(app.members);
			usage_meter_free(app.usage);
			api_ratelimit_close(app.ratelimit);
			store_close(app.store);
			return EXIT_FAIL;
		}
	}

	/* Live events: every commit of this process tells the hub, which
	 * wakes the streams of that store. */
	struct event_hub_config ec = {
		.heartbeat_s = app.cfg.sse_heartbeat_s,
		.per_tenant = app.cfg.sse_per_tenant,
		.listen_url = app.cfg.events_db_url,
	};
	app.events = event_hub_start(app.store, &ec);
	if (!app.events) {
		member_cache_free(app.members);
		store_close(app.store);
		return EXIT_FAIL;
	}
	store_set_event_hook(app.store, event_hub_notify, app.events);

	/* SQLite: the write routes are applied in batches by one writer,
	 * each batch one transaction (api/group_commit.h). */
	if (is_sqlite && app.cfg.group_commit_max > 0) {
		app.group_commit = group_commit_start(&app, app.cfg.group_commit_max);
		if (!app.group_commit) {
			fprintf(stderr, "quantumtrack: cannot start the writer thread\n");
			store_set_event_hook(app.store, NULL, NULL);
			event_hub_stop(app.events);
			usage_meter_free(app.usage);
			api_ratelimit_close(app.ratelimit);
			store_close(app.store);
			return EXIT_FAIL;
		}
	}

	struct http_config hc = {
		.host = host,
		.port = port,
		.threads = app.cfg.threads,
		.body_limit = app.cfg.body_limit,
		.timeout_s = app.cfg.timeout_s,
		.per_ip_connections = (unsigned int)app.cfg.per_ip_connections,
		.header_timeout_s = app.cfg.header_timeout_s,
		.body_budget = app.cfg.body_budget,
		.trusted_proxies = &trusted,
		.prepare = api_prepare,
	};
	char err[256];
	struct http_server *srv = http_server_start(&hc, api_dispatch, &app, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "quantumtrack: %s\n", err);
		group_commit_stop(app.group_commit);
		store_set_event_hook(app.store, NULL, NULL);
		event_hub_stop(app.events);
		member_cache_free(app.members);
		usage_meter_free(app.usage);
		api_ratelimit_close(app.ratelimit);
		store_close(app.store);
		return EXIT_FAIL;
	}
	/* The metrics listener: only /metrics, meant for a private address;
	 * same limits as the main one, two threads.  Started before the
	 * "listening" line, which says that everything is ready. */
	struct http_server *msrv = NULL;
	if (app.cfg.metrics_listen) {
		struct http_config mc = hc;
		mc.host = mhost;
		mc.port = mport;
		mc.threads = 2;
		mc.prepare = NULL;
		msrv = http_server_start(&mc, api_dispatch_metrics, &app, err, sizeof err);
		if (!msrv) {
			fprintf(stderr, "quantumtrack: metrics: %s\n", err);
			http_server_stop(srv, 0);
			group_commit_stop(app.group_commit);
			store_set_event_hook(app.store, NULL, NULL);
			event_hub_stop(app.events);
			member_cache_free(app.members);
			usage_meter_free(app.usage);
			api_ratelimit_close(app.ratelimit);
			store_close(app.store);
			return EXIT_FAIL;
		}
		log_info("metrics on http://%s:%d/metrics", mhost, http_server_port(msrv));
	}
	log_info("listening on http://%s:%d (%s, %d threads)", host, http_server_port(srv),
		is_sqlite ? "SQLite" : "PostgreSQL", app.cfg.threads);
	fflush(stderr);

	struct reminder_scheduler *scheduler = app.cfg.reminder_tick_s > 0
		? reminder_scheduler_start(app.store, app.master_key, app.cfg.public_url, app.cfg.reminder_tick_s)
		: NULL;
	int64_t next_housekeeping = clock_now_ms() + 3600LL * 1000;
	for (;;) {
		struct timespec ts = { 60, 0 };
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		int64_t now = clock_now_ms();
		if (now >= next_housekeeping) {
			expire_idempotency_keys(app.store, now);
			prune_events(app.store, now);
			next_housekeeping = now + 3600LL * 1000;
		}
	}
	log_info("shutting down: finishing %d request(s) in flight", http_server_in_flight(srv));
	reminder_scheduler_stop(scheduler);
	http_server_stop(srv, 25);
	http_server_stop(msrv, 1);
	/* Nothing is queued any more: the writer answers what it holds. */
	group_commit_stop(app.group_commit);
	/* The streams ended with the server; nothing commits any more. */
	store_set_event_hook(app.store, NULL, NULL);
	event_hub_stop(app.events);
	member_cache_free(app.members);
	usage_meter_free(app.usage);
	store_close(app.store);
	throttle_free(app.login_by_account);
	throttle_free(app.login_by_ip);
	api_ratelimit_close(app.ratelimit);
	log_info("stopped");
	return EXIT_OK;
}
