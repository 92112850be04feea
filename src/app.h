/*
 * app.h — the running server's shared state, built once by `serve` (or by
 * a CLI command) and read by every handler.  Nothing here changes after
 * start-up except inside the objects that guard themselves (store pool,
 * throttles).
 */
#ifndef QT_APP_H
#define QT_APP_H

#include <stddef.h>
#include <stdint.h>

#include "security/throttle.h"
#include "store/store.h"

struct event_hub;
struct usage_meter;
struct api_ratelimit;
struct member_cache;
struct group_commit;

struct config {
	const char *db_url;        /* --db / QT_DB */
	const char *listen;        /* --listen / QT_LISTEN, "127.0.0.1:8080" */
	const char *data_dir;      /* --data-dir / QT_DATA_DIR */
	const char *jwt_secret;    /* QT_JWT_SECRET, >= 32 bytes */
	const char *master_key;    /* QT_MASTER_KEY: encrypts tenant secrets */
	const char *base_domain;   /* QT_BASE_DOMAIN: <slug>.<base> finds a tenant */
	const char *public_url;    /* QT_PUBLIC_URL: where users reach us; https makes cookies Secure */
	int threads;               /* --threads / QT_THREADS */
	int db_pool;               /* --db-pool / QT_DB_POOL */
	size_t body_limit;         /* QT_BODY_LIMIT, bytes */
	size_t import_limit;       /* QT_IMPORT_LIMIT: body limit of the CSV imports, default 64 MiB */
	int access_ttl_s;          /* QT_ACCESS_TTL, default 900 */
	int refresh_ttl_s;         /* QT_REFRESH_TTL, default 30 days */
	int login_max_failures;    /* QT_LOGIN_MAX_FAILURES, default 5 per account */
	int login_ip_max_failures; /* default 20 per IP */
	int login_lockout_s;       /* QT_LOGIN_LOCKOUT, default 300 */
	int timeout_s;             /* connection timeout */
	int reminder_tick_s;       /* QT_REMINDER_TICK_S, default 60; 0 = no scheduled reminders */
	int per_ip_connections;    /* QT_PER_IP_CONNECTIONS, default 64; 0 = no limit */
	int header_timeout_s;      /* QT_HEADER_TIMEOUT: deadline for a request head, default 10 */
	size_t body_budget;        /* QT_BODY_BUDGET: body bytes in flight, default 64 MiB */
	const char *trusted_proxies; /* QT_TRUSTED_PROXIES: CIDRs whose X-Forwarded-For counts */
	const char *metrics_listen;  /* QT_METRICS_LISTEN: HOST:PORT serving only /metrics */
	const char *metrics_token;   /* QT_METRICS_TOKEN: Bearer token that /metrics requires */
	int sse_heartbeat_s;       /* QT_SSE_HEARTBEAT_S: event stream heartbeat, default 15 */
	int sse_per_tenant;        /* QT_SSE_PER_TENANT: event streams per store and process, default 50 */
	const char *events_db_url; /* QT_EVENTS_DB: direct PostgreSQL URL for LISTEN (QT_DB via a pooler) */
	const char *db_replicas;   /* QT_DB_REPLICAS: postgres:// URLs of streaming replicas, comma-separated */
	int replica_max_lag_ms;    /* QT_REPLICA_MAX_LAG_MS: a replica further behind is not read (500) */
	int usage_flush_ms;          /* QT_USAGE_FLUSH_MS: request counts written every, default 2000 */
	int member_cache_entries;    /* QT_MEMBER_CACHE: members' contexts kept, default 4096; 0 = none */
	int group_commit_max;        /* QT_GROUP_COMMIT_MAX: SQLite writes per batch, default 64; 0 = none */
};

struct app {
	struct config cfg;
	struct store *store;
	uint8_t jwt_key[512];
	size_t jwt_key_len;
	uint8_t master_key[32];
	struct throttle *login_by_account;
	struct throttle *login_by_ip;
	struct event_hub *events;  /* live event fan-out (serve only; NULL elsewhere) */
	struct usage_meter *usage;   /* request counts per store (workers/usage_meter.h); NULL outside serve */
	struct api_ratelimit *ratelimit; /* per-store request rates (api/ratelimit_gate.h); NULL: none */
	struct member_cache *members; /* members' contexts (workers/member_cache.h); NULL: read each time */
	/* SQLite: the one writer that applies write requests in batches
	 * (api/group_commit.h); NULL: each write in a transaction of its
	 * own, on the thread that received it (PostgreSQL, the CLI). */
	struct group_commit *group_commit;
};

#endif
