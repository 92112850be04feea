/*
 * store_member_feed.h — how a server process hears that what
 * store_member_context() reads may have changed: a store's memberships,
 * its members' accounts (role, token version, name, email, password), the
 * store's status, plan, slug and name, its settings, or any plan.  The
 * member cache (workers/member_cache.h) keeps member contexts on the
 * strength of this news; docs/MEMBER-CACHE.md tells the whole story.
 *
 * The news comes three ways:
 *   - this process's commits: every store function that makes such a
 *     change marks its transaction, and store_commit tells the hook once
 *     the commit has succeeded, on the committing thread, before it
 *     returns (so a request answered after a removal, a demotion or a
 *     sign-out already finds the change);
 *   - other processes on PostgreSQL: triggers (migration 11) send NOTIFY
 *     on the events channel (STORE_EVENTS_CHANNEL) with the payload
 *     "m:<tenant id>" or "m:*" (a plan: every store), delivered only if
 *     the change commits; the events listener (store_events.h), which the
 *     event hub keeps connected, hands them to the hook, and tells it when
 *     it starts and stops listening;
 *   - other processes on SQLite (a second server, the CLI): the same
 *     triggers give each change a number from a counter in the database
 *     (member_version_head) and record it against the store
 *     (member_versions); store_member_poll() reads what moved since the
 *     last call.
 */
#ifndef QT_STORE_MEMBER_FEED_H
#define QT_STORE_MEMBER_FEED_H

#include "store/store.h"

struct store_member_hook {
	/* What a store's members read may have changed; tenant_id NULL:
	 * every store's (a plan changed, a store was deleted, or news may
	 * have been missed). */
	void (*changed)(void *cls, const char *tenant_id);
	/* PostgreSQL: the listener for other processes' changes is
	 * connected (1: from now on their news arrives) or not (0). */
	void (*listening)(void *cls, int up);
	void *cls;
};

/* Set (or, with NULL, clear) the hook.  Set it before the threads that
 * commit start, clear it after they stopped; the struct is copied. */
void store_set_member_hook(struct store *s, const struct store_member_hook *hook);

/* 1 when other processes' changes are found by store_member_poll
 * (SQLite), 0 when they come by NOTIFY (PostgreSQL). */
int store_member_polled(struct store *s);

/* SQLite only: call the hook's changed() for every store whose member
 * context changed since *cursor (a change number; the first call, with
 * *cursor < 0, reads where the counter is and calls changed(NULL)), and
 * move *cursor on.  Returns STORE_OK, a STORE_* code when the database
 * cannot be read now (*cursor is kept: the next call catches up), or
 * STORE_ERROR on PostgreSQL, where the news comes by NOTIFY. */
QT_MUST_CHECK int store_member_poll(struct store *s, int64_t *cursor);

#endif
