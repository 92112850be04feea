/*
 * directory.h — tenants over several clusters (docs/SCALING.md, "Tenants
 * over several clusters").
 *
 * A small PostgreSQL database named by QT_DIRECTORY_DB holds the clusters
 * (a name, the app role's primary URL, replica URLs, the owner's URL for
 * migrations), which cluster each tenant lives on, and the state of the
 * moves under way.  Its schema is its own (a short migration list here,
 * separate from the tenant schema's).
 *
 * `serve` keeps the directory in memory (dir_cache_*): every tenant's
 * cluster and whether its writes are frozen for a move.  A listener thread
 * hears NOTIFY qt_directory and reads the directory's version at least
 * every DIR_POLL_MS; a cache that could not be checked for DIR_LEASE_MS
 * refuses tenant writes (it may miss a freeze), so a mover that waits
 * DIR_FREEZE_WAIT_MS after freezing knows no server still writes the old
 * copy.  A tenant the directory does not name lives on the home database
 * (QT_DB), as without a directory.
 */
#ifndef QT_STORE_DIRECTORY_H
#define QT_STORE_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#define DIR_POLL_MS 250
#define DIR_LEASE_MS 1000
#define DIR_FREEZE_WAIT_MS 1500

/* The steps of a move (dir_moves.step); each is idempotent, and a move
 * killed after any of them resumes from the one recorded. */
enum dir_move_step {
	MOVE_STARTED = 1,   /* recorded: from, to */
	MOVE_COPIED = 2,    /* the rows copied to the target (a snapshot) */
	MOVE_FROZEN = 3,    /* writes refused; every server has heard it */
	MOVE_TAIL = 4,      /* the rows copied again under the freeze */
	MOVE_VERIFIED = 5,  /* both copies compared table by table */
	MOVE_FLIPPED = 6,   /* the directory names the target, writes open */
	/* then the source's copy is purged and the move row deleted */
};

/* ---- The directory database (CLI) ---- */

struct dir_conn;
/* Connect to url and bring its schema up to date.  NULL on failure
 * (message in err). */
struct dir_conn *dir_connect(const char *url, char *err, size_t errlen);
void dir_disconnect(struct dir_conn *d);

struct dir_cluster {
	char name[64];
	char *primary_url;
	char *replica_urls;  /* comma-separated, "" when none */
	char *owner_url;     /* NULL when none */
	int64_t tenants;
};
/* Register (or update) a cluster.  0 or -1 (message in err). */
int dir_cluster_put(struct dir_conn *d, const char *name, const char *primary_url,
	const char *replica_urls, const char *owner_url, char *err, size_t errlen);
/* Every cluster with its tenants' count, by name; *out malloc'd (free
 * with dir_clusters_free).  Returns the count or -1. */
int dir_cluster_list(struct dir_conn *d, struct dir_cluster **out, char *err, size_t errlen);
void dir_clusters_free(struct dir_cluster *c, int n);
/* One cluster by name: 0, 1 when there is none, -1 on error. */
int dir_cluster_get(struct dir_conn *d, const char *name, struct dir_cluster *out, char *err, size_t errlen);
/* The cluster with the fewest tenants (ties: by name): 0, 1 when there is
 * none, -1 on error. */
int dir_cluster_least_loaded(struct dir_conn *d, struct dir_cluster *out, char *err, size_t errlen);
void dir_cluster_clear(struct dir_cluster *c);
/* Record tenant_id (slug) as living on cluster. */
int dir_tenant_put(struct dir_conn *d, const char *tenant_id, const char *slug, const char *cluster,
	char *err, size_t errlen);

/* Forget a deleted tenant (its move row goes with it). */
int dir_tenant_forget(struct dir_conn *d, const char *tenant_id, char *err, size_t errlen);

/* Move the tenant named by slug to cluster `to`, or resume the move
 * recorded for it (to may then be NULL).  rollback != 0: undo a move not
 * yet flipped (one already flipped is finished instead).  Both clusters
 * need an owner URL (the copy and the purge run as the owner, inside a
 * transaction scoped to the tenant).  QT_MOVE_ABORT_AFTER=N in the
 * environment exits the process right after step N is recorded (the
 * tests' way of killing a move at each step).  Progress goes to stdout.
 * 0 or -1 (message in err). */
int dir_tenant_move(struct dir_conn *d, const char *slug, const char *to, int rollback,
	char *err, size_t errlen);

/* ---- The cache in `serve` (store.c routes through it) ---- */

struct db;
struct dir_cache;
/* Load the directory at url and start its listener.  home_url: QT_DB (a
 * cluster whose URL is this one uses the home pool).  as_owner: reach the
 * clusters with their owner URLs (the command line), else with the app
 * role's primary URLs (serve). */
struct dir_cache *dir_cache_open(const char *url, struct db *home, const char *home_url,
	int pool_size, int as_owner, char *err, size_t errlen);
void dir_cache_close(struct dir_cache *c);
/* The pool of tenant_id's cluster (home when the directory does not name
 * it), opened on first use.  *frozen: its writes are refused now (a move,
 * or a cache too stale to know).  DB_OK or a DB_* code. */
int dir_cache_route(struct dir_cache *c, const char *tenant_id, struct db **out, int *frozen);
/* 1 when the cache reaches the clusters as their owner (dir_cache_open). */
int dir_cache_as_owner(const struct dir_cache *c);
/* The pool of the i-th cluster (0, 1, ...), opened on first use: DB_OK,
 * 1 when there is no i-th, or a DB_* code. */
int dir_cache_cluster(struct dir_cache *c, int i, struct db **out);
/* The tenant id the directory records for slug into id[37]: 1, or 0 when
 * it names none. */
int dir_cache_slug(struct dir_cache *c, const char *slug, char id[37]);

#endif
