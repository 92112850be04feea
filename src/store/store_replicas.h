/*
 * store_replicas.h — read transactions on streaming replicas, and the
 * commit positions that give a client read-your-writes.
 *
 * A store opened on PostgreSQL may be given replicas of its database
 * (QT_DB_REPLICAS, store_open_replicas).  A read transaction (write=0)
 * then goes to a replica when, and only when, the thread that begins it is
 * inside a request that allows it (store_reads_begin with replica_ok: the
 * API's read-only routes) and a replica is fit: reachable, lagging at most
 * QT_REPLICA_MAX_LAG_MS, and replayed up to the request's min_lsn (waiting
 * up to 200 ms for it).  Anything else (every write, every read outside
 * such a request: workers, the CLI, live event streams) uses the primary,
 * and so does a read whose replica cannot be reached at its first
 * statement (the transaction moves to the primary; nothing had run).
 * Replicas are physical copies: the same roles, grants and Row Level
 * Security policies apply there.  See store/db_replica.h for the rules.
 *
 * Every transaction that commits a change on PostgreSQL leaves its commit
 * position in the thread's store_reads (commit_lsn), which the API sends as
 * X-QT-Commit-LSN.  A read-only route's own bookkeeping commits (a rate
 * lease, a ticket used) do not make its reads wait: they read nothing of
 * them.
 * SQLite: no replicas, no positions (0), nothing changes.
 */
#ifndef QT_STORE_STORE_REPLICAS_H
#define QT_STORE_STORE_REPLICAS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* What one request allows and learns about where its reads go.  Lives on
 * the request's stack from store_reads_begin to store_reads_end, on one
 * thread. */
struct store_reads {
	int replica_ok;       /* in: its read transactions may go to a replica */
	uint64_t min_lsn;     /* in: X-QT-Min-LSN, 0: none */
	uint64_t commit_lsn;  /* out: the highest position its commits left (0: none) */
	int replica_reads;    /* out: read transactions a replica served */
	int primary_reads;    /* out: read transactions allowed a replica that went to the primary */
};

/* Give the transactions begun on this thread from now on the request's
 * rules (r is zeroed outputs by the caller) until store_reads_end.  Not
 * nested. */
void store_reads_begin(struct store_reads *r);
void store_reads_end(void);

/* Attach replicas to s: replica_urls as db_replica.h's list, primary_url
 * the URL s was opened with, max_lag_ms (< 0: 500), pool_size connections
 * to each.  Returns STORE_OK, or STORE_ERROR with a message in err
 * (SQLite, a bad list, called twice). */
QT_MUST_CHECK int store_open_replicas(struct store *s, const char *primary_url, const char *replica_urls,
	int max_lag_ms, int pool_size, char *err, size_t errlen);
/* Replicas attached (0: none). */
int store_replica_count(const struct store *s);

/* 1 when tx reads from a replica: what it reads may be up to the lag
 * limit old, so nothing read there may be kept as fresh (the member
 * cache). */
int store_tx_on_replica(const struct store_tx *tx);

/* What is known of replica i (< store_replica_count), for /metrics. */
struct store_replica_info {
	char url[256];         /* without its password */
	int up;
	int64_t lag_ms;        /* -1: down or unknown */
	uint64_t reads;        /* read transactions it served */
	uint64_t fallbacks;    /* reads that waited for it in vain and went to the primary */
};
void store_replica_info(struct store *s, int i, struct store_replica_info *out);

#endif
