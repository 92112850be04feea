/*
 * store.h — the one storage interface.  Handlers and the CLI reach data
 * only through the functions declared in store*.h; no SQL exists outside
 * src/store/.
 *
 * Tenant scoping lives here, in one place: tenant data is reached only
 * inside a `struct store_tx` opened for one tenant by store_begin_tenant().
 * Every tenant-data function takes that transaction as its first argument
 * and binds the transaction's tenant id into every statement it runs, so no
 * query can be written without the tenant.  On PostgreSQL the same
 * transaction also sets app.tenant_id for Row Level Security, which backs
 * the scoping up.
 *
 * What comes back is typed: records and arrays of them from the caller's
 * arena, counts, codes.  The SQL driver (db.h) and the transaction's
 * fields are private to src/store/ (store_internal.h); no caller sees a
 * result row.  Here, the one JSON argument left is store_audit's payload.
 *
 * Errors: functions return STORE_OK (0) or a negative STORE_* code.  The
 * API layer maps them to HTTP in one function (api/common.c).
 */
#ifndef QT_STORE_STORE_H
#define QT_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/arena.h"

/* A result that must be looked at: ignoring a returned error code is a
 * bug (gcc's warn_unused_result is not silenced by a (void) cast). */
#ifndef QT_MUST_CHECK
#define QT_MUST_CHECK __attribute__((warn_unused_result))
#endif

enum {
	STORE_OK = 0,
	STORE_ERROR = -1,
	STORE_UNAVAILABLE = -2,
	STORE_CONFLICT = -3,     /* a unique constraint: slug, email, phone... */
	STORE_BUSY = -4,
	STORE_OVERFLOW = -5,     /* a sum of amounts does not fit int64 */
	STORE_MOVING = -6,       /* the tenant's writes are frozen a moment (a move) */
	STORE_ELSEWHERE = -7,    /* a platform write cannot follow its tenant to another cluster */
	STORE_NOT_FOUND = -10,
};

struct store;

/* Who makes a change: written into audit rows. */
struct store_actor {
	const char *actor_id;     /* user/operator id, or "system", "cli" */
	const char *actor_role;   /* role or "operator", "system" */
	const char *request_id;
	const char *client_ip;
};

/* One transaction on one connection, scoped to a tenant or to the platform
 * tables.  Opaque: its fields are the store's (store_internal.h). */
struct store_tx;

QT_MUST_CHECK int store_open(const char *url, int pool_size, struct store **out, char *err, size_t errlen);
void store_close(struct store *s);
/* Tenants over several clusters (store/directory.h): route each tenant's
 * transactions to the cluster the directory at url names, each cluster's
 * pool (pool_size connections) opened on first use; tenants it does not
 * name stay on s's database, whose URL is home_url.  as_owner: reach the
 * clusters as their owner (the command line) rather than as the app role
 * (serve).  Call it before any transaction; it replaces a directory
 * attached before.  PostgreSQL only.  STORE_OK, or a code with the reason
 * in err. */
QT_MUST_CHECK int store_attach_directory(struct store *s, const char *url, const char *home_url,
	int pool_size, int as_owner, char *err, size_t errlen);
int store_has_directory(const struct store *s);
/* Apply migrations; *applied may be NULL. */
QT_MUST_CHECK int store_migrate(struct store *s, int *applied, char *err, size_t errlen);
/* Schema version in the database (0 when none). */
int store_schema_version(struct store *s);
/* The version this build's migrations reach on s's dialect: a database
 * below it needs `quantumtrack migrate`. */
int store_schema_latest(const struct store *s);
/* SQLite only: VACUUM INTO a new file. */
QT_MUST_CHECK int store_backup(struct store *s, const char *path);
/* 1 when the database answers. */
int store_ready(struct store *s);

/* Open a transaction scoped to one tenant.  write=1 takes the write lock
 * (SQLite) so checks and writes are atomic.  actor may be NULL for reads.
 * On success *out is valid until store_commit or store_rollback. */
QT_MUST_CHECK int store_begin_tenant(struct store *s, const char *tenant_id, int write,
	const struct store_actor *actor, struct store_tx **out);
/* A transaction for platform tables (tenants, users, operators, plans). */
QT_MUST_CHECK int store_begin_platform(struct store *s, int write,
	const struct store_actor *actor, struct store_tx **out);
/* Who the transaction acts for (written into audit rows and entries'
 * created_by): never NULL ("system" when begun without an actor).  The
 * string lives as long as the actor passed to store_begin_*. */
const char *store_tx_actor_id(const struct store_tx *tx);
/* The actor's role, once it is known (the membership is read inside the
 * transaction).  role must outlive tx. */
void store_tx_set_actor_role(struct store_tx *tx, const char *role);
/* Commit and free tx.  On failure the transaction is rolled back and freed. */
QT_MUST_CHECK int store_commit(struct store_tx *tx);
/* Roll back and free tx; NULL is fine. */
void store_rollback(struct store_tx *tx);

/* ---- group commit (SQLite) ----
 *
 * One write transaction that many transactions run inside, each in a
 * savepoint of its own, committed once for all of them (api/group_commit.c
 * runs a batch of write requests so).  While a group is open on a thread,
 * every store_begin_tenant and store_begin_platform on that thread and
 * store, reads too (they must see what ran before them in the group),
 * opens a savepoint in the group's transaction instead of a transaction of
 * its own.  store_commit of one releases the savepoint: what it did joins
 * the group and is durable only once store_group_commit returns STORE_OK;
 * the effects a commit has outside the database (the event hook) wait
 * until then, and are dropped when the group does not commit.
 * store_rollback of one undoes it alone and leaves the rest of the group
 * as it was.  They end in the order opposite to their begins (a stack);
 * one that does not, or a savepoint that cannot be undone, breaks the
 * group: every later begin in it fails with STORE_ERROR and so does
 * store_group_commit.  A group belongs to the thread that began it, one
 * at a time.  PostgreSQL has no groups (store_group_begin: STORE_ERROR). */
struct store_group;
QT_MUST_CHECK int store_group_begin(struct store *s, struct store_group **out);
/* Commit the group and free it.  STORE_OK: everything committed in it is
 * durable (synchronous=NORMAL in WAL: it survives the process being
 * killed; the last commits can be lost to a power cut) and the event hook
 * has heard of its events.  Otherwise nothing of it is committed (the
 * STORE_* code of the failure; STORE_ERROR for a broken group). */
QT_MUST_CHECK int store_group_commit(struct store_group *g);
/* Roll the whole group back and free it; NULL is fine. */
void store_group_rollback(struct store_group *g);

/* ---- audit trail (store_audit.c) ---- */

/* Append an audit row to the tenant's hash chain inside tx (which must be a
 * tenant write transaction).  before/after may be NULL; they are
 * serialized with sorted keys.  Returns a STORE_* code. */
QT_MUST_CHECK int store_audit(struct store_tx *tx, const char *action, const char *entity,
	const char *entity_id, json_t *before, json_t *after);

struct audit_filter {
	const char *entity;
	const char *entity_id;
	const char *actor;
	int64_t from_ms, to_ms;    /* 0 = open */
	int64_t before_seq;        /* keyset cursor: rows with seq < this; 0 = start */
	int limit;
};

/* One audit row as stored.  before_json and after_json are the JSON text
 * that was hashed (NULL when the row has none); the API parses them. */
struct audit_row {
	int64_t seq;
	char *id, *actor_id, *actor_role, *action, *entity, *entity_id;
	char *before_json, *after_json;
	char *request_id, *client_ip;
	int64_t created_at;
	char *prev_hash, *hash;
};
/* Up to f->limit rows matching f, newest first, into *out (an arena array,
 * never NULL; strings from the arena too), *n rows. */
QT_MUST_CHECK int store_audit_list(struct store_tx *tx, const struct audit_filter *f, struct arena *a,
	struct audit_row **out, int *n);

/* What store_audit_verify found: the first break, if any. */
enum audit_chain_state {
	AUDIT_CHAIN_INTACT = 0,
	AUDIT_CHAIN_SEQ_MISSING,    /* no row `seq`; the next row found is found_seq */
	AUDIT_CHAIN_PREV_MISMATCH,  /* row `seq` (id): prev_hash is not row seq-1's hash */
	AUDIT_CHAIN_EDITED,         /* row `seq` (id): its content does not match its hash */
	AUDIT_CHAIN_HEAD_MISMATCH,  /* the rows end at `seq` but the chain head says
				       found_seq (rows deleted from the end) */
};
struct audit_chain_status {
	enum audit_chain_state state;
	int64_t seq, found_seq;
	char id[64];                /* the row's id (truncated if a tampered one is longer) */
};
/* Recompute the tenant's chain, a page at a time.  Returns STORE_OK with
 * *out filled (state AUDIT_CHAIN_INTACT when it holds), or a negative
 * STORE_* code when the log cannot be read. */
QT_MUST_CHECK int store_audit_verify(struct store_tx *tx, struct audit_chain_status *out);

/* The canonical text hashed for one audit row (shared with verify). */
char *audit_canonical(const char *tenant_id, int64_t seq, const char *id,
	const char *actor_id, const char *actor_role, const char *action,
	const char *entity, const char *entity_id, const char *before_json,
	const char *after_json, const char *request_id, const char *client_ip,
	int64_t created_at);

#endif
