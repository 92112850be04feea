/* db_common.c — result sets and URL dispatch shared by both backends.
 * Reading a row or column a result does not have is a bug in the caller
 * (a SELECT list and its reader disagree), not a NULL: it is asserted. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/db_backend.h"

/* One result is three blocks however many cells it has: the struct, the
 * cell offsets and the cell text, each grown by doubling. */
#define CELL_NULL SIZE_MAX

struct db_res {
	int cols;
	int rows;
	int cap;        /* rows the offsets have room for */
	size_t *cells;  /* rows*cols offsets into text, CELL_NULL for SQL NULL */
	char *text;     /* every cell's bytes and its NUL, back to back */
	size_t len;
	size_t text_cap;
};

struct db_res *db_res_new(int cols)
{
	assert(cols >= 0);
	struct db_res *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->cols = cols;
	return r;
}

void db_res_add_row(struct db_res *r, const char *const *values, const size_t *lens)
{
	assert(r && (r->cols == 0 || (values && lens)));
	if (r->rows == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->cells = realloc(r->cells, sizeof(size_t) * (size_t)r->cap * (size_t)(r->cols ? r->cols : 1));
		if (!r->cells)
			abort();
	}
	size_t need = r->len;
	for (int c = 0; c < r->cols; c++)
		if (values[c])
			need += lens[c] + 1;
	if (need > r->text_cap) {
		size_t cap = r->text_cap ? r->text_cap : 256;
		while (cap < need)
			cap *= 2;
		r->text = realloc(r->text, cap);
		if (!r->text)
			abort();
		r->text_cap = cap;
	}
	size_t *row = r->cells + (size_t)r->rows * (size_t)r->cols;
	for (int c = 0; c < r->cols; c++) {
		if (!values[c]) {
			row[c] = CELL_NULL;
			continue;
		}
		row[c] = r->len;
		memcpy(r->text + r->len, values[c], lens[c]);
		r->len += lens[c];
		r->text[r->len++] = '\0';
	}
	r->rows++;
}

int db_res_rows(const struct db_res *r) { return r ? r->rows : 0; }
int db_res_cols(const struct db_res *r) { return r ? r->cols : 0; }

const char *db_res_text(const struct db_res *r, int row, int col)
{
	assert(r && "db_res_text: no result (the statement failed?)");
	assert(row >= 0 && row < r->rows && "db_res_text: row out of range");
	assert(col >= 0 && col < r->cols && "db_res_text: column out of range");
	if (!r || row < 0 || row >= r->rows || col < 0 || col >= r->cols)
		return NULL;
	size_t off = r->cells[(size_t)row * (size_t)r->cols + (size_t)col];
	return off == CELL_NULL ? NULL : r->text + off;
}

int64_t db_res_int(const struct db_res *r, int row, int col)
{
	const char *t = db_res_text(r, row, col);
	if (!t)
		return 0;
	return strtoll(t, NULL, 10);
}

int db_res_isnull(const struct db_res *r, int row, int col)
{
	return db_res_text(r, row, col) == NULL;
}

size_t db_res_len(const struct db_res *r, int row, int col)
{
	if (!db_res_text(r, row, col))
		return 0;
	/* Cells lie back to back, each followed by its NUL: this one ends
	 * where the next non-NULL cell begins, or where the text does. */
	size_t cells = (size_t)r->rows * (size_t)r->cols;
	size_t at = (size_t)row * (size_t)r->cols + (size_t)col;
	size_t off = r->cells[at];
	for (size_t k = at + 1; k < cells; k++)
		if (r->cells[k] != CELL_NULL)
			return r->cells[k] - off - 1;
	return r->len - off - 1;
}

void db_res_free(struct db_res *r)
{
	if (!r)
		return;
	free(r->cells);
	free(r->text);
	free(r);
}

int db_open(const char *url, int pool_size, struct db **out, char *err, size_t errlen)
{
	if (strncmp(url, "sqlite:", 7) == 0)
		return db_sqlite_open(url + 7, pool_size, out, err, errlen);
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return db_pg_open(url, pool_size, out, err, errlen);
	snprintf(err, errlen, "database URL \"%.80s\": must start with sqlite: or postgres://", url);
	return DB_ERROR;
}

void db_close(struct db *db) { if (db) db->ops->close(db); }
enum db_dialect db_dialect_of(const struct db *db) { return db->dialect; }
int db_acquire(struct db *db, struct db_conn **out) { return db->ops->acquire(db, out); }
void db_release(struct db *db, struct db_conn *c) { if (c) db->ops->release(db, c); }
int db_begin(struct db_conn *c, const char *tenant_id, int write)
{
	return c->db->ops->begin(c, tenant_id, write);
}
int db_commit(struct db_conn *c) { return c->db->ops->commit(c); }
void db_rollback(struct db_conn *c) { c->db->ops->rollback(c); }
int db_exec_script(struct db_conn *c, const char *sql) { return c->db->ops->exec_script(c, sql); }
int db_exec(struct db_conn *c, const char *sql, const struct db_param *params,
	int nparams, struct db_res **res)
{
	assert(c && sql && nparams >= 0 && (nparams == 0 || params));
	if (res)
		*res = NULL;
	return c->db->ops->exec(c, sql, params, nparams, res);
}
int64_t db_changes(struct db_conn *c) { return c->db->ops->changes(c); }
const char *db_conn_error(const struct db_conn *c) { return c->db->ops->error(c); }
enum db_dialect db_conn_dialect(const struct db_conn *c) { return c->db->dialect; }
int db_ping(struct db *db) { return db->ops->ping(db); }
int db_cursor_open(struct db_conn *c, const char *sql, const struct db_param *params,
	int nparams, struct db_cursor **out)
{
	assert(c && sql && out && nparams >= 0 && (nparams == 0 || params));
	return c->db->ops->cursor_open(c, sql, params, nparams, out);
}
int db_cursor_fetch(struct db_cursor *cur, int max_rows, struct db_res **res)
{
	assert(cur && res && max_rows > 0);
	*res = NULL;
	return cur->conn->db->ops->cursor_fetch(cur, max_rows, res);
}
void db_cursor_close(struct db_cursor *cur)
{
	if (cur)
		cur->conn->db->ops->cursor_close(cur);
}
int db_savepoint(struct db_conn *c)
{
	return c->db->ops->savepoint ? c->db->ops->savepoint(c) : DB_ERROR;
}
int db_savepoint_release(struct db_conn *c)
{
	return c->db->ops->savepoint_release ? c->db->ops->savepoint_release(c) : DB_ERROR;
}
int db_savepoint_rollback(struct db_conn *c)
{
	return c->db->ops->savepoint_rollback ? c->db->ops->savepoint_rollback(c) : DB_ERROR;
}
