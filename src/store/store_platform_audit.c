/* store_platform_audit.c — see store_platform_audit.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_platform_audit.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/uuid.h"

#define ROW_COLS "seq, id, actor_id, actor_role, action, entity, entity_id, before_json," \
	" after_json, request_id, client_ip, created_at, prev_hash, hash"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

int store_platform_audit(struct store_tx *tx, const struct store_actor *actor,
	const char *action, const char *entity, const char *entity_id, json_t *before, json_t *after)
{
	struct db_res *r = NULL;
	char *before_text = NULL, *after_text = NULL;
	char id[37], hash[65], prev[65];
	struct buf canonical = BUF_INIT;
	int64_t now = clock_now_ms();
	const struct store_actor *who = actor ? actor : &tx->actor;
	const char *actor_id = who->actor_id ? who->actor_id : "system";
	const char *actor_role = who->actor_role ? who->actor_role : "system";
	const char *request_id = or_empty(who->request_id), *client_ip = or_empty(who->client_ip);
	int pg = store_is_pg(tx);

	/* The head is locked to the end of the transaction (FOR UPDATE inside
	 * the definer function; SQLite's write transaction), so the row added
	 * here follows the newest one whoever else writes. */
	int rc = store_one_row(store_exec(tx, pg
		? "SELECT seq, hash FROM qt_platform_audit_head()"
		: "SELECT seq, hash FROM platform_audit_head WHERE id = 1", NULL, 0, &r), &r);
	if (rc != STORE_OK)
		goto out;
	int64_t seq = db_res_int(r, 0, 0) + 1;
	snprintf(prev, sizeof prev, "%s", or_empty(db_res_text(r, 0, 1)));
	if (before)
		before_text = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
	if (after)
		after_text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
	uuid_v7(id);
	store_audit_canonical_into(&canonical, NULL, seq, id, actor_id, actor_role, action, entity,
		entity_id, before_text, after_text, request_id, client_ip, now);
	store_audit_chain_hash(prev, canonical.data, canonical.len, hash);

	struct db_param p[] = {
		DB_INT(seq), DB_TEXT(id), DB_TEXT(actor_id), DB_TEXT(actor_role), DB_TEXT(action),
		DB_TEXT(entity), DB_TEXT(entity_id), DB_TEXT(before_text), DB_TEXT(after_text),
		DB_TEXT(request_id), DB_TEXT(client_ip), DB_INT(now), DB_TEXT(prev), DB_TEXT(hash),
	};
	if (pg) {
		rc = store_exec(tx, "SELECT qt_platform_audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9,"
			" $10, $11, $12, $13, $14)", p, 14, NULL);
		goto out;
	}
	rc = store_exec(tx, "INSERT INTO platform_audit_log (" ROW_COLS ")"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", p, 14, NULL);
	if (rc == STORE_OK) {
		struct db_param ph[] = { DB_INT(seq), DB_TEXT(hash) };
		rc = store_exec(tx, "UPDATE platform_audit_head SET seq = $1, hash = $2 WHERE id = 1", ph, 2, NULL);
	}
out:
	buf_release(&canonical);
	free(before_text);
	free(after_text);
	db_res_free(r);
	return rc;
}

static void row_from(struct arena *a, const struct db_res *r, int i, struct audit_row *o)
{
	o->seq = db_res_int(r, i, 0);
	o->id = store_dup(a, r, i, 1);
	o->actor_id = store_dup(a, r, i, 2);
	o->actor_role = store_dup(a, r, i, 3);
	o->action = store_dup(a, r, i, 4);
	o->entity = store_dup(a, r, i, 5);
	o->entity_id = store_dup(a, r, i, 6);
	o->before_json = store_dup(a, r, i, 7);
	o->after_json = store_dup(a, r, i, 8);
	o->request_id = store_dup(a, r, i, 9);
	o->client_ip = store_dup(a, r, i, 10);
	o->created_at = db_res_int(r, i, 11);
	o->prev_hash = store_dup(a, r, i, 12);
	o->hash = store_dup(a, r, i, 13);
}

int store_platform_audit_list(struct store_tx *tx, const struct platform_audit_filter *f,
	struct arena *a, struct audit_row **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = {
		DB_TEXT(f->action), DB_TEXT(f->entity), DB_TEXT(f->entity_id), DB_TEXT(f->actor),
		DB_INT(f->before_seq), DB_INT(f->limit),
	};
	*out = NULL;
	*n = 0;
	int rc = store_exec(tx,
		"SELECT " ROW_COLS " FROM platform_audit_log"
		" WHERE (action = $1 OR $1 IS NULL) AND (entity = $2 OR $2 IS NULL)"
		" AND (entity_id = $3 OR $3 IS NULL) AND (actor_id = $4 OR $4 IS NULL)"
		" AND ($5 = 0 OR seq < $5) ORDER BY seq DESC LIMIT $6", p, 6, &r);
	if (rc != STORE_OK)
		return rc;
	int rows = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(rows ? rows : 1));
	for (int i = 0; i < rows; i++)
		row_from(a, r, i, &(*out)[i]);
	*n = rows;
	db_res_free(r);
	return STORE_OK;
}

#define VERIFY_PAGE 4096

static void chain_break(struct audit_chain_status *out, enum audit_chain_state state,
	int64_t seq, int64_t found_seq, const char *id)
{
	out->state = state;
	out->seq = seq;
	out->found_seq = found_seq;
	snprintf(out->id, sizeof out->id, "%s", id ? id : "");
}

int store_platform_audit_verify(struct store_tx *tx, struct audit_chain_status *out)
{
	struct db_res *r = NULL, *h = NULL;
	struct buf canonical = BUF_INIT;
	char prev[65], hash[65];
	int64_t expect_seq = 1;
	int more = 1, rc = STORE_OK;

	memset(out, 0, sizeof *out);
	snprintf(prev, sizeof prev, "%s", STORE_AUDIT_ZERO_HASH);
	while (more && out->state == AUDIT_CHAIN_INTACT) {
		struct db_param p[] = { DB_INT(expect_seq - 1), DB_INT(VERIFY_PAGE) };
		db_res_free(r);
		r = NULL;
		rc = store_exec(tx, "SELECT " ROW_COLS " FROM platform_audit_log WHERE seq > $1"
			" ORDER BY seq LIMIT $2", p, 2, &r);
		if (rc != STORE_OK)
			goto out;
		more = db_res_rows(r) == VERIFY_PAGE;
		for (int i = 0; i < db_res_rows(r) && out->state == AUDIT_CHAIN_INTACT; i++, expect_seq++) {
			int64_t seq = db_res_int(r, i, 0);
			const char *id = db_res_text(r, i, 1);
			if (seq != expect_seq) {
				chain_break(out, AUDIT_CHAIN_SEQ_MISSING, expect_seq, seq, NULL);
				break;
			}
			store_audit_canonical_into(&canonical, NULL, seq, id,
				db_res_text(r, i, 2), db_res_text(r, i, 3), db_res_text(r, i, 4),
				db_res_text(r, i, 5), db_res_text(r, i, 6), db_res_text(r, i, 7),
				db_res_text(r, i, 8), db_res_text(r, i, 9), db_res_text(r, i, 10),
				db_res_int(r, i, 11));
			store_audit_chain_hash(prev, canonical.data, canonical.len, hash);
			const char *stored_prev = db_res_text(r, i, 12);
			const char *stored = db_res_text(r, i, 13);
			if (!stored_prev || strcmp(stored_prev, prev) != 0)
				chain_break(out, AUDIT_CHAIN_PREV_MISMATCH, seq, 0, id);
			else if (!stored || strcmp(stored, hash) != 0)
				chain_break(out, AUDIT_CHAIN_EDITED, seq, 0, id);
			snprintf(prev, sizeof prev, "%s", or_empty(stored));
		}
	}
	if (out->state == AUDIT_CHAIN_INTACT) {
		rc = store_exec(tx, "SELECT seq, hash FROM platform_audit_head WHERE id = 1", NULL, 0, &h);
		if (rc == STORE_OK && db_res_rows(h) == 1 && db_res_int(h, 0, 0) != expect_seq - 1)
			chain_break(out, AUDIT_CHAIN_HEAD_MISMATCH, expect_seq - 1, db_res_int(h, 0, 0), NULL);
	}
out:
	buf_release(&canonical);
	db_res_free(h);
	db_res_free(r);
	return rc;
}
