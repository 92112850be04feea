/*
 * store_events.h — each tenant's stream of changes for the live dashboard
 * (GET /api/v1/events), the single-use tickets an EventSource presents,
 * and how the server hears of new events: in-process after each commit
 * (store_set_event_hook), and on PostgreSQL from other processes through
 * LISTEN/NOTIFY.
 *
 * An event is (seq, type, entity_id, data): seq increases by one per
 * event within a tenant, with no gaps, in commit order; data is a JSON
 * object the caller built, which the store keeps as opaque text.  Events
 * are written in the same transaction as the change they tell of, so a
 * rolled-back change has no event and a committed one always has.
 *
 * Tenant transaction first, as everywhere; rows of other tenants are
 * never seen.
 */
#ifndef QT_STORE_EVENTS_H
#define QT_STORE_EVENTS_H

#include "store/store.h"

/* NOTIFY channel of new events; the payload is "<tenant_id>:<seq>".  It
 * also carries the member feed's news, "m:<tenant_id>" and "m:*", which
 * the listener below hands to the store's member hook, telling it too
 * when it starts and stops listening (store_member_feed.h). */
#define STORE_EVENTS_CHANNEL "qt_events"

/* Append one event inside tx (a tenant write transaction).  type and
 * entity_id are plain text; data_json is one line of JSON.  On PostgreSQL
 * the same statement sends NOTIFY qt_events '<tenant>:<seq>'.  The
 * tenant's event head stays locked until the transaction ends: call this
 * after the change's store_audit (both take a per-tenant row lock; taking
 * them always in that order cannot deadlock).  Returns a STORE_* code. */
QT_MUST_CHECK int store_event_append(struct store_tx *tx, const char *type, const char *entity_id,
	const char *data_json);

/* The tenant's last seq given and the last one deleted by retention (both
 * 0 when it has none).  Events pruned_seq+1 .. seq are all kept. */
struct event_head {
	int64_t seq;
	int64_t pruned_seq;
};
QT_MUST_CHECK int store_event_head(struct store_tx *tx, struct event_head *out);

struct event_rec {
	int64_t seq;
	char *type, *entity_id, *data;
	int64_t created_at;
};
/* Up to limit events with seq > after_seq, oldest first, into *out (an
 * arena array, never NULL; strings from a too), *n of them. */
QT_MUST_CHECK int store_event_list(struct store_tx *tx, int64_t after_seq, int limit, struct arena *a,
	struct event_rec **out, int *n);

/* What the tenant's customers owe together (the sum of positive
 * balances) and how many owe, read inside tx as it stands.  *known is 0
 * when the sum does not fit int64 (*outstanding is then 0); that is not an
 * error, and the transaction stays usable. */
QT_MUST_CHECK int store_event_outstanding(struct store_tx *tx, int64_t *outstanding, int *known,
	int64_t *customers_owing);

/* Delete events created before cutoff_ms, and the seqs before them
 * (retention keeps a prefix-free tail), and tickets that expired before
 * now_ms, in every tenant.  Every tenant is tried; returns STORE_OK or
 * the first failure's code. */
QT_MUST_CHECK int store_event_prune(struct store *s, int64_t cutoff_ms, int64_t now_ms);

/* Every tenant's last seq, through fn.  SQLite only (on PostgreSQL,
 * where Row Level Security hides the heads from a platform transaction,
 * it calls nothing and returns STORE_OK): a server on SQLite uses it to
 * notice events committed by another process (the CLI). */
QT_MUST_CHECK int store_event_heads_all(struct store *s,
	void (*fn)(void *cls, const char *tenant_id, int64_t seq), void *cls);

/* ---- tickets -------------------------------------------------------- */

/* Record a ticket (by the SHA-256 hex of its text) for user_id, whose
 * account is at token_version, valid until expires_at.  Tickets of the
 * tenant that expired before now_ms are deleted on the way. */
QT_MUST_CHECK int store_event_ticket_create(struct store_tx *tx, const char *token_hash,
	const char *user_id, int64_t token_version, int64_t now_ms, int64_t expires_at);

enum event_ticket_state { TICKET_VALID = 0, TICKET_UNKNOWN, TICKET_USED, TICKET_EXPIRED };
/* Use a ticket once, inside a tenant write transaction: *state says what
 * it was; when TICKET_VALID it is now used (once tx commits) and
 * *user_id (arena) and *token_version are its account's.  Returns a
 * STORE_* code. */
QT_MUST_CHECK int store_event_ticket_use(struct store_tx *tx, const char *token_hash, int64_t now_ms,
	struct arena *a, enum event_ticket_state *state, char **user_id, int64_t *token_version);

/* ---- hearing of events ---------------------------------------------- */

/* How events committed by other processes on this database are heard
 * of: STORE_EVENTS_NOTIFY (PostgreSQL: store_event_listen) or
 * STORE_EVENTS_POLL (SQLite: store_event_heads_all). */
enum store_events_reach { STORE_EVENTS_NOTIFY = 1, STORE_EVENTS_POLL = 2 };
enum store_events_reach store_events_reach(struct store *s);

/* fn(cls, tenant_id, seq) is called after every successful store_commit
 * of a transaction that appended events (seq: its last), on the
 * committing thread.  Set it before threads that commit start, clear it
 * (NULL) after they stop. */
void store_set_event_hook(struct store *s,
	void (*fn)(void *cls, const char *tenant_id, int64_t seq), void *cls);

/* PostgreSQL only: a connection of its own listening on
 * STORE_EVENTS_CHANNEL (url: a direct database URL, or NULL for the
 * store's own).  STORE_UNAVAILABLE when it cannot connect now (message in
 * err); STORE_ERROR when it never will: on SQLite, or url NULL while the
 * store's URL goes through a transaction pooler (statement_cache=off). */
struct store_event_listener;
QT_MUST_CHECK int store_event_listen(struct store *s, const char *url,
	struct store_event_listener **out, char *err, size_t errlen);
/* Wait up to timeout_ms and call fn for each notification received.
 * STORE_OK, or STORE_UNAVAILABLE when the connection is lost (close it and
 * listen again; what was sent meanwhile is missed, so re-read). */
QT_MUST_CHECK int store_event_listen_wait(struct store_event_listener *l, int timeout_ms,
	void (*fn)(void *cls, const char *tenant_id, int64_t seq), void *cls);
void store_event_listen_close(struct store_event_listener *l);

#endif
