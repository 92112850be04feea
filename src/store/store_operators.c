/* store_operators.c — see store_operators.h. */
#include <string.h>

#include "store/store_internal.h"
#include "store/store_operators.h"
#include "util/clock.h"
#include "util/uuid.h"

int store_operator_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, struct arena *a, struct operator_rec *out)
{
	char id[37];
	uuid_v7(id);
	struct db_param p[] = { DB_TEXT(id), DB_TEXT(email), DB_TEXT(name),
		DB_TEXT(password_hash), DB_INT(clock_now_ms()) };
	int rc = store_exec(tx,
		"INSERT INTO operators (id, email, name, password_hash, created_at)"
		" VALUES ($1, $2, $3, $4, $5)", p, 5, NULL);
	if (rc != STORE_OK)
		return rc;
	out->id = arena_strdup(a, id);
	out->email = arena_strdup(a, email);
	out->name = arena_strdup(a, name);
	return STORE_OK;
}

int store_operator_password_settings(struct store_tx *tx, const char *email, struct arena *a,
	char **settings)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(email) };
	int rc = store_one_row(store_exec(tx, store_is_pg(tx)
		? "SELECT qt_operator_password_settings($1)"
		: "SELECT password_hash FROM operators WHERE email = $1", p, 1, &r), &r);
	if (rc == STORE_OK && db_res_isnull(r, 0, 0))
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK) {
		/* SQLite hands over the whole hash: keep the settings only, so
		 * both backends give the caller the same thing. */
		*settings = store_dup(a, r, 0, 0);
		char *last = strrchr(*settings, '$');
		if (strncmp(*settings, "$argon2id$", 10) != 0 || !last)
			rc = STORE_NOT_FOUND;
		else
			last[1] = '\0';
	}
	db_res_free(r);
	return rc;
}
