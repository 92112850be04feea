/* db_common.c — result sets and URL dispatch shared by both backends.
 * Reading a row or column a result does not have is a bug in the caller
 * (a SELECT list and its reader disagree), not a NULL: it is asserted. */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/db_backend.h"

/* One result is three blocks however many cells it has: the struct, the
 * cells and the cell text, each grown by doubling.  A cell is text (its
 * bytes in `text`), an integer read as one (SQLite's INTEGER, PostgreSQL's
 * boolean), or NULL; an integer becomes text only if someone asks for it
 * as text, so the common path (an int64 column read with db_res_int) never
 * goes through text.
 *
 * Results are reused: db_res_free keeps one per thread (with its blocks,
 * when they are of a common size) for that thread's next db_res_new, so a
 * request's queries allocate nothing once the thread has served one. */
#define CELL_NULL SIZE_MAX
#define CELL_INT (SIZE_MAX - 1)
#define SPARE_MAX_CELLS 4096
#define SPARE_MAX_TEXT (64 * 1024)

const char db_int_cell[1] = "";

struct cell {
	size_t off;     /* into text; CELL_NULL, or CELL_INT with the value in i */
	size_t len;
	int64_t i;
	char *itext;    /* an integer cell's text, made when first asked for */
};

struct db_res {
	int cols;
	int rows;
	int cap;            /* rows the cells have room for */
	struct cell *cells; /* rows*cols */
	char *text;         /* every text cell's bytes and its NUL, back to back */
	size_t len;
	size_t text_cap;
	char *itexts;       /* room for integer cells' text, 24 bytes a cell */
	size_t itexts_cap;  /* cells it has room for */
};

static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_destroy(void *p)
{
	struct db_res *r = p;
	free(r->cells);
	free(r->text);
	free(r->itexts);
	free(r);
}

static void spare_init(void)
{
	if (pthread_key_create(&spare_key, spare_destroy) != 0)
		abort();
}

struct db_res *db_res_new(int cols)
{
	assert(cols >= 0);
	pthread_once(&spare_once, spare_init);
	struct db_res *r = pthread_getspecific(spare_key);
	if (r) {
		pthread_setspecific(spare_key, NULL);
		/* Keep the blocks; what they held is forgotten. */
		int cells_room = r->cap * (r->cols ? r->cols : 1);
		r->cols = cols;
		r->cap = cells_room / (cols ? cols : 1);
		r->rows = 0;
		r->len = 0;
		return r;
	}
	r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->cols = cols;
	return r;
}

void db_res_add_row_typed(struct db_res *r, const char *const *values, const size_t *lens,
	const int64_t *ints)
{
	assert(r && (r->cols == 0 || (values && lens)));
	if (r->rows == r->cap) {
		int cap = r->cap ? r->cap * 2 : 8;
		struct cell *cells = realloc(r->cells, sizeof(struct cell) * (size_t)cap * (size_t)(r->cols ? r->cols : 1));
		if (!cells)
			abort();
		r->cells = cells;
		r->cap = cap;
	}
	size_t need = r->len;
	for (int c = 0; c < r->cols; c++)
		if (values[c] && values[c] != db_int_cell)
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
	struct cell *row = r->cells + (size_t)r->rows * (size_t)r->cols;
	for (int c = 0; c < r->cols; c++) {
		row[c].itext = NULL;
		if (!values[c]) {
			row[c].off = CELL_NULL;
			row[c].len = 0;
			continue;
		}
		if (values[c] == db_int_cell) {
			assert(ints);
			row[c].off = CELL_INT;
			row[c].i = ints[c];
			row[c].len = 0;
			continue;
		}
		row[c].off = r->len;
		row[c].len = lens[c];
		memcpy(r->text + r->len, values[c], lens[c]);
		r->len += lens[c];
		r->text[r->len++] = '\0';
	}
	r->rows++;
}

void db_res_add_row(struct db_res *r, const char *const *values, const size_t *lens)
{
	db_res_add_row_typed(r, values, lens, NULL);
}

int db_res_rows(const struct db_res *r) { return r ? r->rows : 0; }
int db_res_cols(const struct db_res *r) { return r ? r->cols : 0; }

static const struct cell *cell_at(const struct db_res *r, int row, int col)
{
	assert(r && "db_res: no result (the statement failed?)");
	assert(row >= 0 && row < r->rows && "db_res: row out of range");
	assert(col >= 0 && col < r->cols && "db_res: column out of range");
	if (!r || row < 0 || row >= r->rows || col < 0 || col >= r->cols)
		return NULL;
	return &r->cells[(size_t)row * (size_t)r->cols + (size_t)col];
}

/* An integer cell's text, written on first use into room of the result's
 * own (the result is logically const: its values do not change).  The
 * room is sized for every cell at once, so a pointer handed out stays
 * valid for the result's life. */
static const char *int_text(const struct db_res *rc, const struct cell *cc)
{
	struct db_res *r = (struct db_res *)rc;
	struct cell *c = (struct cell *)cc;
	if (c->itext)
		return c->itext;
	size_t cells = (size_t)r->rows * (size_t)r->cols;
	if (!r->itexts || r->itexts_cap < cells) {
		/* Sized once per result: every row is in before the first
		 * read, so no cell of this result points into the old block. */
		free(r->itexts);
		r->itexts = malloc(cells * 24);
		if (!r->itexts)
			abort();
		r->itexts_cap = cells;
	}
	char *t = r->itexts + (size_t)(c - r->cells) * 24;
	snprintf(t, 24, "%lld", (long long)c->i);
	c->itext = t;
	return t;
}

const char *db_res_text(const struct db_res *r, int row, int col)
{
	const struct cell *c = cell_at(r, row, col);
	if (!c || c->off == CELL_NULL)
		return NULL;
	if (c->off == CELL_INT)
		return int_text(r, c);
	return r->text + c->off;
}

/* Decimal text to int64 as strtoll would read it for the texts stored
 * here (an optional sign, digits): 0 for anything else. */
int64_t db_res_int(const struct db_res *r, int row, int col)
{
	const struct cell *c = cell_at(r, row, col);
	if (!c || c->off == CELL_NULL)
		return 0;
	if (c->off == CELL_INT)
		return c->i;
	return strtoll(r->text + c->off, NULL, 10);
}

int db_res_isnull(const struct db_res *r, int row, int col)
{
	const struct cell *c = cell_at(r, row, col);
	return !c || c->off == CELL_NULL;
}

size_t db_res_len(const struct db_res *r, int row, int col)
{
	const struct cell *c = cell_at(r, row, col);
	if (!c || c->off == CELL_NULL)
		return 0;
	if (c->off == CELL_INT)
		return strlen(int_text(r, c));
	return c->len;
}

void db_res_free(struct db_res *r)
{
	if (!r)
		return;
	pthread_once(&spare_once, spare_init);
	size_t cells = (size_t)r->cap * (size_t)(r->cols ? r->cols : 1);
	if (cells <= SPARE_MAX_CELLS && r->text_cap <= SPARE_MAX_TEXT &&
	    r->itexts_cap <= SPARE_MAX_CELLS && !pthread_getspecific(spare_key) &&
	    pthread_setspecific(spare_key, r) == 0)
		return;
	spare_destroy(r);
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
int db_exec_later(struct db_conn *c, const char *sql, const struct db_param *params, int nparams,
	int64_t *first_int)
{
	assert(c && sql && nparams >= 0 && (nparams == 0 || params));
	if (c->db->ops->exec_later)
		return c->db->ops->exec_later(c, sql, params, nparams, first_int);
	struct db_res *r = NULL;
	int rc = c->db->ops->exec(c, sql, params, nparams, first_int ? &r : NULL);
	if (rc == DB_OK && first_int && db_res_rows(r) > 0 && db_res_cols(r) > 0 && !db_res_isnull(r, 0, 0))
		*first_int = db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
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
uint64_t db_commit_lsn(const struct db_conn *c)
{
	return c->db->ops->commit_lsn ? c->db->ops->commit_lsn(c) : 0;
}
