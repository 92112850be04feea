/*
 * store_internal.h — what the store modules (the .c files in src/store)
 * share and nothing outside src/store may see: the SQL driver, the fields
 * of a transaction, and the shorthands every module uses.  Callers get
 * typed records through store*.h instead.
 */
#ifndef QT_STORE_INTERNAL_H
#define QT_STORE_INTERNAL_H

/* Private to src/store/ (the Makefile defines QT_STORE_PRIVATE for those
 * files; a unit test that reaches inside defines it itself). */
#ifndef QT_STORE_PRIVATE
#error "store/store_internal.h is private to src/store/: use the typed functions of store/store*.h"
#endif

#include "store/db.h"
#include "store/store.h"

struct store_tx {
	struct store *store;
	struct db_conn *conn;
	char tenant_id[37];       /* "" for platform transactions */
	int write;
	struct store_actor actor; /* every field set (defaults "system", "") */
	int64_t event_seq;        /* the last event appended (store_events.c), 0: none */
	/* What this transaction changed of what store_member_context reads
	 * (store_member_touch): 0 nothing, 1 member_tenant's, 2 every store's. */
	int member_news;
	char member_tenant[37];
	/* Inside a group (store_group_begin): a savepoint in the group's
	 * transaction, sharing its connection; its place on the group's
	 * stack and the group's event count when it began. */
	struct store_group *group;
	int depth;
	size_t events_mark;
	int statements;           /* run on conn so far (store_exec, store_exec_later) */
	/* The pool conn came from: the store's primary (or, with a tenant
	 * directory, its tenant's cluster's), or replica number `replica`
	 * (>= 0) of its set (store_replicas.h); ran: a statement was sent
	 * (before that a replica found gone can be left). */
	struct db *db;
	int replica;
	int ran;
};

/* With a directory (store_attach_directory): move tx to tenant_id's
 * cluster, or to the cluster of the tenant the directory names by slug,
 * when it is on another one (a platform transaction that found its
 * tenant).  STORE_OK also without a directory or when already there;
 * STORE_MOVING for a write while the tenant's writes are frozen;
 * STORE_ELSEWHERE for a write transaction that already ran statements on
 * the other cluster. */
QT_MUST_CHECK int store_tx_route(struct store_tx *tx, const char *tenant_id);
QT_MUST_CHECK int store_tx_route_slug(struct store_tx *tx, const char *slug);
/* With a directory: move tx (which has written nothing) to the i-th
 * cluster, for a row found by something other than its tenant (a refresh
 * token by its hash).  STORE_NOT_FOUND past the last cluster and without
 * a directory. */
QT_MUST_CHECK int store_tx_try_cluster(struct store_tx *tx, int i);
/* 1 when tx's store has a directory reaching the clusters as their owner
 * (the command line, store_attach_directory). */
int store_tx_directory_owner(const struct store_tx *tx);
/* A lookup of one row by a key that does not name its tenant (a token's
 * hash): store_exec and store_one_row on tx, then, with a directory and
 * while not found, on each cluster in turn (tx moves there; it must not
 * have written).  STORE_OK with the row in *res, STORE_NOT_FOUND, or an
 * error; free *res in every case. */
QT_MUST_CHECK int store_exec_any_cluster(struct store_tx *tx, const char *sql, const struct db_param *p,
	int n, struct db_res **res);

/* The store's SQL driver (store_events.c opens its LISTEN connection on it). */
struct db *store_db(struct store *s);
/* After a commit of a transaction that appended events: tell the hook
 * set with store_set_event_hook (store_events.c). */
void store_events_committed(struct store *s, const char *tenant_id, int64_t seq);

/* The member feed (store_member_feed.h, store_member_feed.c).  A store
 * function that changes a membership, an account, a store's status, plan,
 * slug or name, its settings, or a plan calls store_member_touch (tenant_id
 * NULL: every store) before it returns; store_commit calls
 * store_member_committed once the commit succeeded.  The events listener
 * (store_events.c) passes on what it hears: store_member_heard (NULL:
 * every store) and store_member_listening.  The hook lives in struct
 * store (store.c). */
struct store_member_hook;
struct store_member_hook *store_member_hook_of(struct store *s);
void store_member_touch(struct store_tx *tx, const char *tenant_id);
void store_member_committed(struct store_tx *tx);
void store_member_heard(struct store *s, const char *tenant_id);
void store_member_listening(struct store *s, int up);

/* Map a DB_* code to a STORE_* code. */
int store_map(int db_rc);
/* db_exec on the transaction's connection, logging faults (not constraint
 * violations) with the database's message.  Returns a STORE_* code. */
QT_MUST_CHECK int store_exec(struct store_tx *tx, const char *sql, const struct db_param *p,
	int n, struct db_res **res);
/* db_exec_later (store/db.h) through the same error log: a write whose
 * failure fails the transaction and whose outcome can wait for the next
 * statement or the commit, which then report it (one round trip fewer on
 * PostgreSQL). */
QT_MUST_CHECK int store_exec_later(struct store_tx *tx, const char *sql, const struct db_param *p,
	int n, int64_t *first_int);
/* Copy a result cell into the arena (NULL stays NULL). */
char *store_dup(struct arena *a, const struct db_res *r, int row, int col);
enum db_dialect store_dialect(const struct store *s);

/* 1 on PostgreSQL (for the few statements whose locking differs). */
static inline int store_is_pg(struct store_tx *tx)
{
	return db_conn_dialect(tx->conn) == DB_POSTGRES;
}

/* Fold "the statement ran and gave exactly one row" into one code:
 * rc when it is an error, STORE_NOT_FOUND when there is not one row.  The
 * result is passed by address because the call's own argument
 * (store_exec(..., &r)) must fill it before it is read. */
static inline int store_one_row(int rc, struct db_res **r)
{
	if (rc != STORE_OK)
		return rc;
	return db_res_rows(*r) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

/* The tenant_settings columns (table alias s) in the order
 * store_settings_from_row() reads them, for the queries that read the
 * settings with something else (store_member_context).  store_settings.c. */
#define STORE_SETTINGS_COLS \
	"s.currency, s.locale, s.timezone, s.phone_country, s.upi_id, s.default_credit_limit_minor," \
	" s.credit_period_days, s.reminder_template, s.reminder_schedule, s.quiet_hours_start," \
	" s.quiet_hours_end, s.building_towers, s.building_floors, s.building_units," \
	" s.whatsapp_provider, s.whatsapp_config, s.whatsapp_secret_sealed, s.updated_at," \
	" s.reminder_language, s.receipts, s.address"
struct settings_rec;
/* Row 0 of r from column c0 on (STORE_SETTINGS_COLS) into *s, strings
 * from a. */
void store_settings_from_row(struct arena *a, const struct db_res *r, int c0, struct settings_rec *s);

/* The audit chains (store_audit.c: a store's; store_platform_audit.c: the
 * platform's).  A row's canonical text into b (emptied first): compact
 * JSON, sorted keys, every column but the hashes; tenant_id NULL for the
 * platform's rows.  And SHA-256(prev || canonical) as hex. */
struct buf;
void store_audit_canonical_into(struct buf *b, const char *tenant_id, int64_t seq, const char *id,
	const char *actor_id, const char *actor_role, const char *action,
	const char *entity, const char *entity_id, const char *before_json,
	const char *after_json, const char *request_id, const char *client_ip,
	int64_t created_at);
void store_audit_chain_hash(const char *prev, const char *canonical, size_t canonical_len, char out[65]);
#define STORE_AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* The bytes of a store's rows other than its documents' bytes, estimated
 * from the number of changes it made (its audit chain head's seq), its
 * customers and its documents, without scanning a table
 * (store_documents.c, docs/DOCUMENTS.md): the one estimate the quota and
 * every usage figure use. */
int64_t store_rows_bytes_estimate(int64_t changes, int64_t customers, int64_t documents);

/* v as a parameter when has, else NULL. */
static inline struct db_param store_opt_int(int has, int64_t v)
{
	return has ? DB_INT(v) : DB_NULLP;
}

#endif
