/* store.c — opening the store and its transactions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/directory.h"
#include "store/db_replica.h"
#include "store/migrate.h"
#include "store/store_events.h"
#include "store/store_internal.h"
#include "store/store_member_feed.h"
#include "store/store_replicas.h"
#include "util/log.h"

struct store {
	struct db *db;
	/* store_open_replicas: set before the threads that read start. */
	struct db_replica_set *replicas;
	/* store_set_event_hook: set before the threads that commit start. */
	void (*event_hook)(void *cls, const char *tenant_id, int64_t seq);
	void *event_hook_cls;
	/* store_set_member_hook (store_member_feed.c): set like the above. */
	struct store_member_hook member_hook;
	/* store_attach_directory: tenants over several clusters (NULL: one
	 * database, s->db). */
	struct dir_cache *dir;
};

struct store_member_hook *store_member_hook_of(struct store *s)
{
	return &s->member_hook;
}

void store_set_event_hook(struct store *s,
	void (*fn)(void *cls, const char *tenant_id, int64_t seq), void *cls)
{
	s->event_hook = fn;
	s->event_hook_cls = cls;
}

void store_events_committed(struct store *s, const char *tenant_id, int64_t seq)
{
	if (s->event_hook)
		s->event_hook(s->event_hook_cls, tenant_id, seq);
}

struct db *store_db(struct store *s)
{
	return s->db;
}

int store_map(int rc)
{
	switch (rc) {
	case DB_OK: return STORE_OK;
	case DB_UNAVAILABLE: return STORE_UNAVAILABLE;
	case DB_CONSTRAINT: return STORE_CONFLICT;
	case DB_BUSY: return STORE_BUSY;
	case DB_OVERFLOW: return STORE_OVERFLOW;
	default: return STORE_ERROR;
	}
}

int store_open(const char *url, int pool_size, struct store **out, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	int rc = db_open(url, pool_size, &s->db, err, errlen);
	if (rc != DB_OK) {
		free(s);
		return store_map(rc);
	}
	*out = s;
	return STORE_OK;
}

int store_attach_directory(struct store *s, const char *url, const char *home_url,
	int pool_size, int as_owner, char *err, size_t errlen)
{
	if (db_dialect_of(s->db) != DB_POSTGRES) {
		snprintf(err, errlen, "QT_DIRECTORY_DB needs PostgreSQL for QT_DB");
		return STORE_ERROR;
	}
	/* Before any transaction: a directory attached already (the
	 * command line's, by cli_open_store) is replaced. */
	dir_cache_close(s->dir);
	s->dir = dir_cache_open(url, s->db, home_url, pool_size, as_owner, err, errlen);
	return s->dir ? STORE_OK : STORE_UNAVAILABLE;
}

int store_has_directory(const struct store *s)
{
	return s->dir != NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	dir_cache_close(s->dir);
	db_replica_set_close(s->replicas);
	db_close(s->db);
	free(s);
}

enum db_dialect store_dialect(const struct store *s)
{
	return db_dialect_of(s->db);
}

int store_migrate(struct store *s, int *applied, char *err, size_t errlen)
{
	return store_map(migrate_run(s->db, applied, err, errlen));
}

int store_ready(struct store *s)
{
	return db_ping(s->db);
}

/* ---- Groups: many transactions in one, each a savepoint ---- */

/* A tenant's last event committed inside a group, told to the hook once
 * the group commits. */
struct group_event {
	char tenant_id[37];
	int64_t seq;
};

struct store_group {
	struct store *store;
	struct store_tx *tx;        /* the one real transaction */
	int depth;                  /* savepoints open in it */
	int broken;                 /* one ended out of order or could not be undone */
	struct group_event *events; /* in commit order, nevents of cap */
	size_t nevents, cap;
};

/* The group open on this thread, if any: a store_begin_* on the thread
 * that opened it joins it (store.h). */
static _Thread_local struct store_group *thread_group;

static void group_add_event(struct store_group *g, const char *tenant_id, int64_t seq)
{
	if (g->nevents == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->events = realloc(g->events, g->cap * sizeof *g->events);
		if (!g->events)
			abort();
	}
	struct group_event *e = &g->events[g->nevents++];
	snprintf(e->tenant_id, sizeof e->tenant_id, "%s", tenant_id);
	e->seq = seq;
}

/* The hub keeps only each tenant's last seq: tell it once per tenant. */
static void group_tell_events(struct store_group *g)
{
	for (size_t i = 0; i < g->nevents; i++) {
		int later = 0;
		for (size_t j = i + 1; j < g->nevents && !later; j++)
			later = strcmp(g->events[j].tenant_id, g->events[i].tenant_id) == 0;
		if (!later)
			store_events_committed(g->store, g->events[i].tenant_id, g->events[i].seq);
	}
}

static int begin_in_group(struct store_group *g, struct store_tx *tx, struct store_tx **out)
{
	if (g->broken) {
		free(tx);
		return STORE_ERROR;
	}
	tx->group = g;
	tx->conn = g->tx->conn;
	int rc = db_savepoint(tx->conn);
	if (rc != DB_OK) {
		log_error("database: %s", db_conn_error(tx->conn));
		g->broken = 1;
		free(tx);
		return store_map(rc);
	}
	tx->depth = ++g->depth;
	tx->events_mark = g->nevents;
	*out = tx;
	return STORE_OK;
}

/* Release (commit) or undo the savepoint tx, the group's most recent. */
static int end_in_group(struct store_tx *tx, int commit)
{
	struct store_group *g = tx->group;
	int rc = STORE_OK;
	if (g->broken || tx->depth != g->depth) {
		if (!g->broken)
			log_error("group commit: a transaction ended out of order (savepoint %d of %d)",
				tx->depth, g->depth);
		g->broken = 1;
		free(tx);
		return STORE_ERROR;
	}
	g->depth--;
	if (commit) {
		rc = store_map(db_savepoint_release(tx->conn));
		if (rc == STORE_OK && tx->event_seq > 0)
			group_add_event(g, tx->tenant_id, tx->event_seq);
		/* What it changed of members and settings is told with the
		 * group's real commit (store_commit of g->tx): one store's
		 * news stays one store's, two stores' become everyone's. */
		if (rc == STORE_OK && tx->member_news) {
			struct store_tx *gt = g->tx;
			if (!gt->member_news && tx->member_news == 1) {
				gt->member_news = 1;
				memcpy(gt->member_tenant, tx->member_tenant, sizeof gt->member_tenant);
			} else if (tx->member_news == 2 || gt->member_news == 2 ||
			    strcmp(gt->member_tenant, tx->member_tenant) != 0) {
				gt->member_news = 2;
			}
		}
	}
	if (!commit || rc != STORE_OK) {
		g->nevents = tx->events_mark;
		if (db_savepoint_rollback(tx->conn) != DB_OK)
			g->broken = 1;
	}
	if (rc != STORE_OK || g->broken) {
		log_error("database: %s", db_conn_error(tx->conn));
		g->broken = 1;
	}
	free(tx);
	return rc;
}

/* ---- Replicas (store_replicas.h) ---- */

/* The request on this thread, if any (store_reads_begin). */
static _Thread_local struct store_reads *thread_reads;

void store_reads_begin(struct store_reads *r)
{
	thread_reads = r;
}

void store_reads_end(void)
{
	thread_reads = NULL;
}

int store_open_replicas(struct store *s, const char *primary_url, const char *replica_urls,
	int max_lag_ms, int pool_size, char *err, size_t errlen)
{
	if (s->replicas) {
		snprintf(err, errlen, "QT_DB_REPLICAS: replicas are already attached");
		return STORE_ERROR;
	}
	struct db_replica_config cfg = { .max_lag_ms = max_lag_ms, .wait_ms = -1,
		.pool_size = pool_size };
	return store_map(db_replica_set_open(s->db, primary_url, replica_urls, &cfg, &s->replicas,
		err, errlen));
}

int store_replica_count(const struct store *s)
{
	return db_replica_count(s->replicas);
}

int store_tx_on_replica(const struct store_tx *tx)
{
	return tx->replica >= 0;
}

void store_replica_info(struct store *s, int i, struct store_replica_info *out)
{
	struct db_replica_status st;
	db_replica_status(s->replicas, i, &st);
	memset(out, 0, sizeof *out);
	memcpy(out->url, st.url, sizeof out->url);
	out->up = st.up;
	out->lag_ms = st.lag_ms;
	out->reads = st.reads;
	out->fallbacks = st.fallbacks;
}

/* A read transaction of a request that allows replicas: a fit replica's
 * connection into tx, or 0 for the primary. */
static int begin_on_replica(struct store *s, struct store_tx *tx)
{
	struct store_reads *r = thread_reads;
	if (tx->write || !r || !r->replica_ok || !s->replicas)
		return 0;
	if (db_replica_acquire(s->replicas, r->min_lsn, &tx->conn, &tx->replica) != DB_OK) {
		r->primary_reads++;
		return 0;
	}
	tx->db = NULL;    /* released through the set */
	r->replica_reads++;
	return 1;
}

static void tx_release(struct store_tx *tx)
{
	if (!tx->conn)
		return;
	if (tx->replica >= 0)
		db_replica_release(tx->store->replicas, tx->replica, tx->conn);
	else
		db_release(tx->db, tx->conn);
	tx->conn = NULL;
}

/* The first statement of tx found its replica gone: nothing ran there,
 * so the transaction begins again on the primary.  DB_* code. */
static int tx_move_to_primary(struct store_tx *tx)
{
	struct store *s = tx->store;
	db_replica_failed(s->replicas, tx->replica);
	db_rollback(tx->conn);
	tx_release(tx);
	tx->replica = -1;
	tx->db = s->db;
	if (thread_reads) {
		thread_reads->replica_reads--;
		thread_reads->primary_reads++;
	}
	int rc = db_acquire(s->db, &tx->conn);
	if (rc != DB_OK) {
		tx->conn = NULL;
		return rc;
	}
	rc = db_begin(tx->conn, tx->tenant_id[0] ? tx->tenant_id : NULL, 0);
	if (rc != DB_OK) {
		db_release(s->db, tx->conn);
		tx->conn = NULL;
	}
	return rc;
}

static struct store_tx *tx_new(struct store *s, const char *tenant_id, int write,
	const struct store_actor *actor)
{
	struct store_tx *tx = calloc(1, sizeof *tx);
	if (!tx)
		abort();
	tx->store = s;
	tx->db = s->db;
	tx->replica = -1;
	tx->write = write;
	if (tenant_id)
		snprintf(tx->tenant_id, sizeof tx->tenant_id, "%s", tenant_id);
	if (actor)
		tx->actor = *actor;
	if (!tx->actor.actor_id)
		tx->actor.actor_id = "system";
	if (!tx->actor.actor_role)
		tx->actor.actor_role = "system";
	if (!tx->actor.request_id)
		tx->actor.request_id = "";
	if (!tx->actor.client_ip)
		tx->actor.client_ip = "";
	return tx;
}

static int begin(struct store *s, const char *tenant_id, int write,
	const struct store_actor *actor, struct store_tx **out)
{
	struct store_tx *tx = tx_new(s, tenant_id, write, actor);
	if (thread_group && thread_group->store == s)
		return begin_in_group(thread_group, tx, out);
	/* With a directory, a tenant's transaction runs on its cluster; a
	 * write waits out a move's freeze (503 with Retry-After).  Replicas
	 * are the home database's (store_replicas.h). */
	struct db *db = s->db;
	int rc;
	if (s->dir && tenant_id) {
		int frozen = 0;
		rc = dir_cache_route(s->dir, tenant_id, &db, &frozen);
		if (rc == DB_OK && frozen && write)
			rc = STORE_MOVING;
		if (rc != DB_OK) {
			free(tx);
			return rc == STORE_MOVING ? rc : store_map(rc);
		}
	}
	tx->db = db;
	rc = db == s->db && begin_on_replica(s, tx) ? DB_OK : db_acquire(db, &tx->conn);
	if (rc != DB_OK) {
		free(tx);
		return store_map(rc);
	}
	rc = db_begin(tx->conn, tenant_id, write);
	if (rc != DB_OK) {
		tx_release(tx);
		free(tx);
		return store_map(rc);
	}
	*out = tx;
	return STORE_OK;
}

int store_begin_tenant(struct store *s, const char *tenant_id, int write,
	const struct store_actor *actor, struct store_tx **out)
{
	if (!tenant_id || !tenant_id[0])
		return STORE_ERROR;
	return begin(s, tenant_id, write, actor, out);
}

int store_begin_platform(struct store *s, int write,
	const struct store_actor *actor, struct store_tx **out)
{
	return begin(s, NULL, write, actor, out);
}

const char *store_tx_actor_id(const struct store_tx *tx)
{
	return tx->actor.actor_id;
}

void store_tx_set_actor_role(struct store_tx *tx, const char *role)
{
	tx->actor.actor_role = role ? role : "system";
}

int store_commit(struct store_tx *tx)
{
	if (tx->group)
		return end_in_group(tx, 1);
	if (!tx->conn) {
		/* It lost its replica and found no primary (tx_move_to_primary). */
		free(tx);
		return STORE_UNAVAILABLE;
	}
	int rc = store_map(db_commit(tx->conn));
	if (rc != STORE_OK)
		db_rollback(tx->conn);
	/* Where a replica must have replayed to for a read to see this
	 * commit: the request's answer tells it (X-QT-Commit-LSN). */
	uint64_t lsn = rc == STORE_OK && tx->write ? db_commit_lsn(tx->conn) : 0;
	if (lsn && thread_reads && lsn > thread_reads->commit_lsn)
		thread_reads->commit_lsn = lsn;
	tx_release(tx);
	/* Every commit of tenant events passes here (requests, the CLI, the
	 * workers): the one place the live streams of this process hear of
	 * them. */
	if (rc == STORE_OK && tx->event_seq > 0)
		store_events_committed(tx->store, tx->tenant_id, tx->event_seq);
	/* And the one place the member cache of this process hears of its
	 * own changes to members, stores, plans and settings. */
	if (rc == STORE_OK && tx->member_news)
		store_member_committed(tx);
	free(tx);
	return rc;
}

void store_rollback(struct store_tx *tx)
{
	if (!tx)
		return;
	if (tx->group) {
		(void)end_in_group(tx, 0);
		return;
	}
	if (tx->conn)
		db_rollback(tx->conn);
	tx_release(tx);
	free(tx);
}

/* Go on on db's connection instead: what tx read on the other is let
 * go; what it wrote could not follow it. */
static int tx_switch(struct store_tx *tx, struct db *db, const char *why)
{
	if (db == tx->db)
		return STORE_OK;
	if (tx->write && tx->statements > 0) {
		log_warn("directory: a platform write then tenant %s, which lives on another cluster", why);
		return STORE_ELSEWHERE;
	}
	struct db_conn *c;
	int rc = db_acquire(db, &c);
	if (rc == DB_OK && (rc = db_begin(c, tx->tenant_id[0] ? tx->tenant_id : NULL, tx->write)) != DB_OK)
		db_release(db, c);
	if (rc != DB_OK)
		return store_map(rc);
	if (tx->conn)
		db_rollback(tx->conn);
	tx_release(tx);
	tx->conn = c;
	tx->db = db;
	tx->replica = -1;
	return STORE_OK;
}

int store_tx_route(struct store_tx *tx, const char *tenant_id)
{
	struct store *s = tx->store;
	if (!s->dir || tx->group)
		return STORE_OK;
	struct db *db;
	int frozen = 0;
	int rc = dir_cache_route(s->dir, tenant_id, &db, &frozen);
	if (rc != DB_OK)
		return store_map(rc);
	if (frozen && tx->write)
		return STORE_MOVING;
	return tx_switch(tx, db, tenant_id);
}

int store_tx_directory_owner(const struct store_tx *tx)
{
	return tx->store->dir && dir_cache_as_owner(tx->store->dir);
}

int store_tx_try_cluster(struct store_tx *tx, int i)
{
	if (!tx->store->dir || tx->group)
		return STORE_NOT_FOUND;
	struct db *db;
	int rc = dir_cache_cluster(tx->store->dir, i, &db);
	if (rc == 1)
		return STORE_NOT_FOUND;
	if (rc != DB_OK)
		return store_map(rc);
	return tx_switch(tx, db, "(a lookup on every cluster)");
}

int store_exec_any_cluster(struct store_tx *tx, const char *sql, const struct db_param *p, int n,
	struct db_res **res)
{
	int rc = store_one_row(store_exec(tx, sql, p, n, res), res);
	for (int i = 0; rc == STORE_NOT_FOUND && tx->store->dir; i++) {
		db_res_free(*res);
		*res = NULL;
		tx->statements--;   /* a read: it ties tx to no cluster */
		int sw = store_tx_try_cluster(tx, i);
		if (sw != STORE_OK)
			return sw;
		rc = store_one_row(store_exec(tx, sql, p, n, res), res);
	}
	return rc;
}

int store_tx_route_slug(struct store_tx *tx, const char *slug)
{
	char id[37];
	if (!tx->store->dir || !dir_cache_slug(tx->store->dir, slug, id))
		return STORE_OK;
	return store_tx_route(tx, id);
}

int store_group_begin(struct store *s, struct store_group **out)
{
	static const struct store_actor actor = { "system", "system", "", "" };
	if (thread_group || db_dialect_of(s->db) != DB_SQLITE)
		return STORE_ERROR;
	struct store_group *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	int rc = begin(s, NULL, 1, &actor, &g->tx);
	if (rc != STORE_OK) {
		free(g);
		return rc;
	}
	g->store = s;
	thread_group = g;
	*out = g;
	return STORE_OK;
}

static void group_free(struct store_group *g)
{
	if (thread_group == g)
		thread_group = NULL;
	free(g->events);
	free(g);
}

int store_group_commit(struct store_group *g)
{
	int rc;
	if (thread_group == g)
		thread_group = NULL;
	if (g->broken || g->depth != 0) {
		store_rollback(g->tx);
		rc = STORE_ERROR;
	} else {
		rc = store_commit(g->tx);
	}
	/* Only now are the group's events committed: the live streams hear
	 * of them after the answer is certain, never before. */
	if (rc == STORE_OK)
		group_tell_events(g);
	group_free(g);
	return rc;
}

void store_group_rollback(struct store_group *g)
{
	if (!g)
		return;
	if (thread_group == g)
		thread_group = NULL;
	store_rollback(g->tx);
	group_free(g);
}

int store_exec(struct store_tx *tx, const char *sql, const struct db_param *p,
	int n, struct db_res **res)
{
	if (!tx->conn)
		return STORE_UNAVAILABLE;
	tx->statements++;
	int rc = db_exec(tx->conn, sql, p, n, res);
	if (rc == DB_UNAVAILABLE && tx->replica >= 0 && !tx->ran) {
		log_warn("database: a replica: %s; reading from the primary", db_conn_error(tx->conn));
		rc = tx_move_to_primary(tx);
		if (rc == DB_OK)
			rc = db_exec(tx->conn, sql, p, n, res);
		if (!tx->conn)
			return store_map(rc);
	}
	tx->ran = 1;
	/* Constraint violations are answers (409s); anything else is a fault
	 * worth a log line with the database's own words. */
	if (rc == DB_ERROR || rc == DB_UNAVAILABLE)
		log_error("database: %s (statement: %.120s)", db_conn_error(tx->conn), sql);
	return store_map(rc);
}

int store_exec_later(struct store_tx *tx, const char *sql, const struct db_param *p, int n,
	int64_t *first_int)
{
	tx->statements++;
	int rc = db_exec_later(tx->conn, sql, p, n, first_int);
	if (rc == DB_ERROR || rc == DB_UNAVAILABLE)
		log_error("database: %s (statement: %.120s)", db_conn_error(tx->conn), sql);
	return store_map(rc);
}

char *store_dup(struct arena *a, const struct db_res *r, int row, int col)
{
	return arena_strdup(a, db_res_text(r, row, col));
}

int store_schema_version(struct store *s)
{
	return migrate_current_version(s->db);
}

int store_schema_latest(const struct store *s)
{
	if (db_dialect_of(s->db) == DB_POSTGRES)
		return migrations_postgres[migrations_postgres_count - 1].version;
	return migrations_sqlite[migrations_sqlite_count - 1].version;
}

int store_backup(struct store *s, const char *path)
{
	struct db_conn *c;
	if (db_dialect_of(s->db) != DB_SQLITE)
		return STORE_ERROR;
	int rc = db_acquire(s->db, &c);
	if (rc != DB_OK)
		return store_map(rc);
	struct db_param p[] = { DB_TEXT(path) };
	rc = db_exec(c, "VACUUM INTO $1", p, 1, NULL);
	db_release(s->db, c);
	return store_map(rc);
}
