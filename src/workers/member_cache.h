/*
 * member_cache.h — what a tenant request needs to know about its caller
 * (store_member_context: role, token version, the store's status, slug
 * and name, its plan with features and limits, its settings), kept in
 * memory per (user, store), so that a request that finds it reads nothing
 * about its caller from the database.  docs/MEMBER-CACHE.md has the whole
 * design; in short:
 *
 * Invalidation is by version numbers held here: one per slot of stores
 * (a hash of the store's id picks one of MEMBER_CACHE_SLOTS) and one for
 * every store.  An entry records both as they were *before* its row was
 * read, and is good only while both are unchanged.  member_cache_changed()
 * moves a store's number (or every store's) on; it is called
 *   - by this process's commits that change members, accounts, the store,
 *     its settings or a plan, after the commit and before the request that
 *     made the change is answered (the store's member hook,
 *     store/store_member_feed.h): at once on the same process;
 *   - on PostgreSQL, for other processes' changes, by the events listener
 *     (LISTEN, kept by the event hub) as their notifications arrive;
 *   - on SQLite, for other processes' changes, by a thread of this module
 *     that reads the database's numbered changes every MEMBER_CACHE_POLL_MS.
 * Since a number is read before the row and moved after the change
 * committed, an entry read before a change can never carry the number
 * moved after it.
 *
 * Other processes' news can stop (the LISTEN connection is lost or cannot
 * be had, behind a transaction pooler without QT_EVENTS_DB; a poll fails):
 * an entry is then trusted only for MEMBER_CACHE_UNHEARD_MS after it was
 * read, and read again after that.  When the news comes back every entry
 * is dropped (what was said meanwhile is lost).  No entry is trusted past
 * MEMBER_CACHE_MAX_AGE_MS in any case.
 *
 * Memory: a fixed table of `entries` (rounded up to a multiple of 8),
 * 8-way set associative, least recently used out first; each entry's
 * strings in one malloc'd block, made on a miss and reused by the entry
 * after it.  A hit takes one lock of a stripe of them, copies the block
 * into the request's arena in one allocation, and mallocs nothing.
 *
 * Thread-safe: every function may be called from any thread.
 */
#ifndef QT_WORKERS_MEMBER_CACHE_H
#define QT_WORKERS_MEMBER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_users.h"
#include "util/arena.h"

#define MEMBER_CACHE_SLOTS 4096
#define MEMBER_CACHE_POLL_MS 250
#define MEMBER_CACHE_UNHEARD_MS 500
#define MEMBER_CACHE_MAX_AGE_MS 60000

struct member_cache;

/* A table of about `entries` (>= 8), with nothing cached and no news
 * from other processes yet (so entries are trusted MEMBER_CACHE_UNHEARD_MS
 * only, until member_cache_start or member_cache_listening says
 * otherwise).  NULL on OOM. */
struct member_cache *member_cache_new(size_t entries);
/* Stop (member_cache_stop) and free; NULL is fine. */
void member_cache_free(struct member_cache *c);

/* Take the store's news: set c as its member hook (every commit of this
 * process, and on PostgreSQL the events listener, tell it from now on),
 * and on SQLite start the thread that reads other processes' changes.
 * Call before the threads that commit start.  Returns 0, or -1 when the
 * thread cannot start (logged). */
int member_cache_start(struct member_cache *c, struct store *s);
/* Clear the hook and join the thread; after the threads that commit
 * stopped.  Harmless when not started. */
void member_cache_stop(struct member_cache *c);

/* What a lookup read before the database: hand it to member_cache_put
 * with what was read, so that the entry carries the numbers of before. */
struct member_cache_mark {
	uint64_t store_version, all_version;
	int64_t read_ms;
};

/* The entry of (user_id, tenant_id), if there is one that can be trusted
 * at now_ms (monotonic milliseconds): returns 1 with *m filled (its
 * strings and settings from arena a) and *plan_features the plan's
 * feature bits as given to member_cache_put.  Otherwise returns 0 and
 * fills *mark for member_cache_put.  A NULL cache always returns 0. */
int member_cache_get(struct member_cache *c, const char *user_id, const char *tenant_id,
	int64_t now_ms, struct arena *a, struct member_ctx *m, uint32_t *plan_features,
	struct member_cache_mark *mark);
/* Keep a copy of *m (read after the lookup that filled *mark) and its
 * plan's feature bits for (user_id, tenant_id).  Nothing is kept when the
 * numbers moved since the mark, when m has no settings, or when an id is
 * not 36 characters.  NULL cache: nothing. */
void member_cache_put(struct member_cache *c, const char *user_id, const char *tenant_id,
	const struct member_cache_mark *mark, const struct member_ctx *m, uint32_t plan_features);

/* News: what tenant_id's members read may have changed (NULL: every
 * store's).  Matches store_member_hook.changed with c as cls. */
void member_cache_changed(void *c, const char *tenant_id);
/* News of other processes arrives from now on (1; every entry is dropped
 * first) or no longer (0).  Matches store_member_hook.listening. */
void member_cache_listening(void *c, int up);
/* SQLite's poll: other processes' changes up to now_ms (monotonic, when
 * the poll began) have been applied; entries are trusted beyond
 * MEMBER_CACHE_UNHEARD_MS until 3 polls' time after. */
void member_cache_heard_until(struct member_cache *c, int64_t now_ms);

struct member_cache_stats {
	uint64_t hits, misses, stale, evictions;
	size_t capacity;
};
void member_cache_stats(struct member_cache *c, struct member_cache_stats *out);

#endif
