/* store_member_feed.c — see store_member_feed.h. */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_member_feed.h"

void store_set_member_hook(struct store *s, const struct store_member_hook *hook)
{
	struct store_member_hook *h = store_member_hook_of(s);
	if (hook)
		*h = *hook;
	else
		memset(h, 0, sizeof *h);
}

void store_member_touch(struct store_tx *tx, const char *tenant_id)
{
	if (!tenant_id || !tenant_id[0]) {
		tx->member_news = 2;
	} else if (tx->member_news == 0) {
		snprintf(tx->member_tenant, sizeof tx->member_tenant, "%s", tenant_id);
		tx->member_news = 1;
	} else if (tx->member_news == 1 && strcmp(tx->member_tenant, tenant_id) != 0) {
		tx->member_news = 2;    /* two stores: rare (the CLI), so all */
	}
}

void store_member_committed(struct store_tx *tx)
{
	store_member_heard(tx->store, tx->member_news == 1 ? tx->member_tenant : NULL);
}

void store_member_heard(struct store *s, const char *tenant_id)
{
	const struct store_member_hook *h = store_member_hook_of(s);
	if (h->changed)
		h->changed(h->cls, tenant_id);
}

void store_member_listening(struct store *s, int up)
{
	const struct store_member_hook *h = store_member_hook_of(s);
	if (h->listening)
		h->listening(h->cls, up);
}

int store_member_polled(struct store *s)
{
	return store_dialect(s) == DB_SQLITE;
}

int store_member_poll(struct store *s, int64_t *cursor)
{
	struct store_tx *tx;
	struct db_res *r = NULL;
	if (store_dialect(s) != DB_SQLITE)
		return STORE_ERROR;
	int rc = store_begin_platform(s, 0, NULL, &tx);
	if (rc != STORE_OK)
		return rc;
	/* Both reads in one snapshot: the rows listed are those the head
	 * counted, and a change that commits later gets a higher number. */
	rc = store_one_row(store_exec(tx, "SELECT seq, all_seq FROM member_version_head WHERE id = 1",
		NULL, 0, &r), &r);
	int64_t seq = rc == STORE_OK ? db_res_int(r, 0, 0) : 0;
	int64_t all_seq = rc == STORE_OK ? db_res_int(r, 0, 1) : 0;
	db_res_free(r);
	r = NULL;
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc == STORE_NOT_FOUND ? STORE_ERROR : rc;
	}
	if (*cursor < 0 || all_seq > *cursor) {
		/* First look, or a plan changed or a store went (its row with
		 * it): every store's. */
		store_rollback(tx);
		*cursor = seq;
		store_member_heard(s, NULL);
		return STORE_OK;
	}
	if (seq > *cursor) {
		struct db_param p[] = { DB_INT(*cursor) };
		rc = store_exec(tx, "SELECT tenant_id FROM member_versions WHERE version > $1", p, 1, &r);
		for (int i = 0; rc == STORE_OK && i < db_res_rows(r); i++)
			store_member_heard(s, db_res_text(r, i, 0));
		db_res_free(r);
	}
	store_rollback(tx);
	if (rc == STORE_OK)
		*cursor = seq;
	return rc;
}
