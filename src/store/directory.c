/* directory.c — see directory.h.  libpq directly: the directory is a small
 * database of its own, not a tenant store, and the move's statements name
 * tables that are only known at run time (the db.h driver caches
 * statements by the address of their text). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>

#include "store/db.h"
#include "store/directory.h"
#include "util/clock.h"
#include "util/log.h"

/* ---- libpq helpers ---- */

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* libpq's messages end with a newline. */
	size_t n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
}

/* Run sql with text parameters; *out gets the result when wanted (rows
 * or none).  0 or -1 (the server's message in err). */
static int pq_run(PGconn *c, const char *sql, int n, const char *const *params, PGresult **out,
	char *err, size_t errlen)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		errf(err, errlen, "%s", PQerrorMessage(c));
		PQclear(r);
		return -1;
	}
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

static PGconn *pq_connect(const char *url, const char *what, char *err, size_t errlen)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		errf(err, errlen, "%s: %s", what, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PGresult *r = PQexec(c, "SET client_min_messages = warning");
	PQclear(r);
	return c;
}

static char *dup_or_null(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	char *s = strdup(PQgetvalue(r, row, col));
	if (!s)
		abort();
	return s;
}

/* ---- The directory's own schema ---- */

static const char *const dir_migrations[] = {
	/* 1: clusters, tenants, moves, and a version every change bumps and
	 * announces. */
	"CREATE TABLE dir_clusters ("
	"  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),"
	"  primary_url text NOT NULL,"
	"  replica_urls text NOT NULL DEFAULT '',"
	"  owner_url text,"
	"  created_at bigint NOT NULL);"
	"CREATE TABLE dir_tenants ("
	"  tenant_id uuid PRIMARY KEY,"
	"  slug text NOT NULL UNIQUE,"
	"  cluster text NOT NULL REFERENCES dir_clusters (name),"
	"  frozen boolean NOT NULL DEFAULT false,"
	"  updated_at bigint NOT NULL);"
	"CREATE INDEX dir_tenants_cluster ON dir_tenants (cluster);"
	"CREATE TABLE dir_moves ("
	"  tenant_id uuid PRIMARY KEY REFERENCES dir_tenants (tenant_id) ON DELETE CASCADE,"
	"  from_cluster text NOT NULL REFERENCES dir_clusters (name),"
	"  to_cluster text NOT NULL REFERENCES dir_clusters (name),"
	"  step integer NOT NULL,"
	"  started_at bigint NOT NULL,"
	"  updated_at bigint NOT NULL);"
	"CREATE TABLE dir_version (one integer PRIMARY KEY CHECK (one = 1), version bigint NOT NULL);"
	"INSERT INTO dir_version VALUES (1, 1);"
	"CREATE FUNCTION dir_changed() RETURNS trigger LANGUAGE plpgsql"
	"  SET search_path = pg_catalog, public, pg_temp AS $$"
	"BEGIN"
	"  UPDATE public.dir_version SET version = version + 1;"
	"  PERFORM pg_notify('qt_directory', '');"
	"  RETURN NULL;"
	"END $$;"
	"CREATE TRIGGER dir_clusters_changed AFTER INSERT OR UPDATE OR DELETE ON dir_clusters"
	"  FOR EACH STATEMENT EXECUTE FUNCTION dir_changed();"
	"CREATE TRIGGER dir_tenants_changed AFTER INSERT OR UPDATE OR DELETE ON dir_tenants"
	"  FOR EACH STATEMENT EXECUTE FUNCTION dir_changed();",
};

struct dir_conn {
	PGconn *c;
};

static int dir_migrate(PGconn *c, char *err, size_t errlen)
{
	int n = (int)(sizeof dir_migrations / sizeof dir_migrations[0]);
	PGresult *r = NULL;
	/* One migrator at a time (two `cluster add` at once). */
	if (pq_run(c, "BEGIN", 0, NULL, NULL, err, errlen) < 0)
		return -1;
	if (pq_run(c, "SELECT pg_advisory_xact_lock(7147001)", 0, NULL, NULL, err, errlen) < 0 ||
	    pq_run(c, "CREATE TABLE IF NOT EXISTS dir_schema (version integer NOT NULL)", 0, NULL, NULL,
		    err, errlen) < 0 ||
	    pq_run(c, "SELECT coalesce(max(version), 0) FROM dir_schema", 0, NULL, &r, err, errlen) < 0)
		goto fail;
	int have = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	for (int v = have + 1; v <= n; v++) {
		PGresult *x = PQexec(c, dir_migrations[v - 1]);
		if (PQresultStatus(x) != PGRES_COMMAND_OK) {
			errf(err, errlen, "directory migration %d: %s", v, PQerrorMessage(c));
			PQclear(x);
			goto fail;
		}
		PQclear(x);
		char vs[16];
		snprintf(vs, sizeof vs, "%d", v);
		const char *p[] = { vs };
		if (pq_run(c, "INSERT INTO dir_schema (version) VALUES ($1::integer)", 1, p, NULL, err, errlen) < 0)
			goto fail;
	}
	return pq_run(c, "COMMIT", 0, NULL, NULL, err, errlen);
fail:
	PQclear(PQexec(c, "ROLLBACK"));
	return -1;
}

struct dir_conn *dir_connect(const char *url, char *err, size_t errlen)
{
	PGconn *c = pq_connect(url, "directory", err, errlen);
	if (!c)
		return NULL;
	if (dir_migrate(c, err, errlen) < 0) {
		PQfinish(c);
		return NULL;
	}
	struct dir_conn *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	d->c = c;
	return d;
}

void dir_disconnect(struct dir_conn *d)
{
	if (!d)
		return;
	PQfinish(d->c);
	free(d);
}

static void now_text(char out[24])
{
	snprintf(out, 24, "%lld", (long long)clock_now_ms());
}

int dir_cluster_put(struct dir_conn *d, const char *name, const char *primary_url,
	const char *replica_urls, const char *owner_url, char *err, size_t errlen)
{
	char now[24];
	now_text(now);
	const char *p[] = { name, primary_url, replica_urls ? replica_urls : "", owner_url, now };
	return pq_run(d->c,
		"INSERT INTO dir_clusters (name, primary_url, replica_urls, owner_url, created_at)"
		" VALUES ($1, $2, $3, $4, $5::bigint)"
		" ON CONFLICT (name) DO UPDATE SET primary_url = EXCLUDED.primary_url,"
		"   replica_urls = EXCLUDED.replica_urls, owner_url = EXCLUDED.owner_url",
		5, p, NULL, err, errlen);
}

void dir_cluster_clear(struct dir_cluster *c)
{
	free(c->primary_url);
	free(c->replica_urls);
	free(c->owner_url);
	memset(c, 0, sizeof *c);
}

void dir_clusters_free(struct dir_cluster *c, int n)
{
	for (int i = 0; i < n; i++)
		dir_cluster_clear(&c[i]);
	free(c);
}

#define CLUSTER_SELECT \
	"SELECT c.name, c.primary_url, c.replica_urls, c.owner_url," \
	" (SELECT count(*) FROM dir_tenants t WHERE t.cluster = c.name) AS n FROM dir_clusters c"

static void cluster_from_row(const PGresult *r, int i, struct dir_cluster *c)
{
	snprintf(c->name, sizeof c->name, "%s", PQgetvalue(r, i, 0));
	c->primary_url = dup_or_null(r, i, 1);
	c->replica_urls = dup_or_null(r, i, 2);
	c->owner_url = dup_or_null(r, i, 3);
	c->tenants = strtoll(PQgetvalue(r, i, 4), NULL, 10);
}

int dir_cluster_list(struct dir_conn *d, struct dir_cluster **out, char *err, size_t errlen)
{
	PGresult *r;
	if (pq_run(d->c, CLUSTER_SELECT " ORDER BY c.name", 0, NULL, &r, err, errlen) < 0)
		return -1;
	int n = PQntuples(r);
	struct dir_cluster *c = calloc((size_t)n + 1, sizeof *c);
	if (!c)
		abort();
	for (int i = 0; i < n; i++)
		cluster_from_row(r, i, &c[i]);
	PQclear(r);
	*out = c;
	return n;
}

static int cluster_one(struct dir_conn *d, const char *sql, int n, const char *const *p,
	struct dir_cluster *out, char *err, size_t errlen)
{
	PGresult *r;
	if (pq_run(d->c, sql, n, p, &r, err, errlen) < 0)
		return -1;
	int found = PQntuples(r) > 0;
	if (found)
		cluster_from_row(r, 0, out);
	PQclear(r);
	return found ? 0 : 1;
}

int dir_cluster_get(struct dir_conn *d, const char *name, struct dir_cluster *out, char *err, size_t errlen)
{
	const char *p[] = { name };
	return cluster_one(d, CLUSTER_SELECT " WHERE c.name = $1", 1, p, out, err, errlen);
}

int dir_cluster_least_loaded(struct dir_conn *d, struct dir_cluster *out, char *err, size_t errlen)
{
	return cluster_one(d, CLUSTER_SELECT " ORDER BY n, c.name LIMIT 1", 0, NULL, out, err, errlen);
}

int dir_tenant_put(struct dir_conn *d, const char *tenant_id, const char *slug, const char *cluster,
	char *err, size_t errlen)
{
	char now[24];
	now_text(now);
	const char *p[] = { tenant_id, slug, cluster, now };
	return pq_run(d->c,
		"INSERT INTO dir_tenants (tenant_id, slug, cluster, updated_at) VALUES ($1::uuid, $2, $3, $4::bigint)"
		" ON CONFLICT (tenant_id) DO UPDATE SET slug = EXCLUDED.slug",
		4, p, NULL, err, errlen);
}

int dir_tenant_forget(struct dir_conn *d, const char *tenant_id, char *err, size_t errlen)
{
	const char *p[] = { tenant_id };
	return pq_run(d->c, "DELETE FROM dir_tenants WHERE tenant_id = $1::uuid", 1, p, NULL, err, errlen);
}

/* ---- Moving a tenant ---- */

/* The tables that hold a tenant's rows, parents before children (their
 * foreign keys), read from the cluster's catalog: every table of the
 * public schema with a tenant_id column, and tenants itself.  Left out:
 * tenant_purges (the purge's own marker), tenant_totals (kept by the
 * customers trigger as the rows arrive; compared all the same) and
 * rate_buckets (a minute's worth of counting). */
struct move_tables {
	char **name;
	int n;
};

static void tables_free(struct move_tables *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	t->name = NULL;
	t->n = 0;
}

static int tables_load(PGconn *c, struct move_tables *out, char *err, size_t errlen)
{
	PGresult *r, *k;
	if (pq_run(c,
		"SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
		" AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
		"   AND a.attname = 'tenant_id' AND NOT a.attisdropped))"
		" AND c.relname NOT IN ('tenant_purges', 'tenant_totals', 'rate_buckets') ORDER BY 1",
		0, NULL, &r, err, errlen) < 0)
		return -1;
	if (pq_run(c,
		"SELECT cl.relname, cr.relname FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid"
		" JOIN pg_class cr ON cr.oid = k.confrelid WHERE k.contype = 'f'"
		" AND k.connamespace = 'public'::regnamespace AND cl.oid <> cr.oid",
		0, NULL, &k, err, errlen) < 0) {
		PQclear(r);
		return -1;
	}
	int n = PQntuples(r), nk = PQntuples(k);
	char **name = calloc((size_t)n + 1, sizeof *name);
	int *done = calloc((size_t)n + 1, sizeof *done);
	if (!name || !done)
		abort();
	int placed = 0;
	/* Place a table once every table it refers to (in the set) is placed. */
	while (placed < n) {
		int progress = 0;
		for (int i = 0; i < n; i++) {
			if (done[i])
				continue;
			const char *t = PQgetvalue(r, i, 0);
			int ready = 1;
			for (int j = 0; j < nk && ready; j++) {
				if (strcmp(PQgetvalue(k, j, 0), t) != 0)
					continue;
				const char *parent = PQgetvalue(k, j, 1);
				for (int x = 0; x < n; x++)
					if (!done[x] && x != i && strcmp(PQgetvalue(r, x, 0), parent) == 0)
						ready = 0;
			}
			if (ready) {
				done[i] = 1;
				name[placed] = strdup(t);
				if (!name[placed])
					abort();
				placed++;
				progress = 1;
			}
		}
		if (!progress) {
			errf(err, errlen, "the tenant tables' foreign keys form a cycle");
			for (int i = 0; i < placed; i++)
				free(name[i]);
			free(name);
			free(done);
			PQclear(r);
			PQclear(k);
			return -1;
		}
	}
	free(done);
	PQclear(r);
	PQclear(k);
	out->name = name;
	out->n = n;
	return 0;
}

static const char *tenant_col(const char *table)
{
	return strcmp(table, "tenants") == 0 ? "id" : "tenant_id";
}

/* A transaction scoped to the tenant: Row Level Security (forced on the
 * owner too) then shows and accepts this tenant's rows only. */
static int tenant_begin(PGconn *c, const char *tenant_id, int snapshot, char *err, size_t errlen)
{
	const char *p[] = { tenant_id };
	if (pq_run(c, snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN",
		0, NULL, NULL, err, errlen) < 0)
		return -1;
	return pq_run(c, "SELECT set_config('app.tenant_id', $1, true)", 1, p, NULL, err, errlen);
}

static void tx_end(PGconn *c, int commit)
{
	PQclear(PQexec(c, commit ? "COMMIT" : "ROLLBACK"));
}

/* Delete every row of the tenant on c, inside c's open transaction (the
 * append-only tables allow it while tenant_purges names the tenant, as
 * for `tenant delete`). */
static int purge_in_tx(PGconn *c, const struct move_tables *t, const char *tenant_id, char *err, size_t errlen)
{
	const char *p[] = { tenant_id };
	char sql[256];
	if (pq_run(c, "INSERT INTO public.tenant_purges (tenant_id) VALUES ($1::uuid) ON CONFLICT DO NOTHING",
		1, p, NULL, err, errlen) < 0)
		return -1;
	if (pq_run(c, "DELETE FROM public.rate_buckets WHERE tenant_id = $1::uuid", 1, p, NULL, err, errlen) < 0)
		return -1;
	for (int i = t->n - 1; i >= 0; i--) {
		snprintf(sql, sizeof sql, "DELETE FROM public.%s WHERE %s = $1::uuid", t->name[i], tenant_col(t->name[i]));
		if (pq_run(c, sql, 1, p, NULL, err, errlen) < 0)
			return -1;
	}
	/* After the customers: their deletes add to the store's totals at
	 * commit (migration 19); forgotten with the totals, so the copy's
	 * customers count from nothing. */
	if (pq_run(c, "SELECT public.tenant_totals_forget($1::uuid)", 1, p, NULL, err, errlen) < 0)
		return -1;
	return pq_run(c, "DELETE FROM public.tenant_purges WHERE tenant_id = $1::uuid", 1, p, NULL, err, errlen);
}

static int purge(PGconn *c, const struct move_tables *t, const char *tenant_id, char *err, size_t errlen)
{
	if (tenant_begin(c, tenant_id, 0, err, errlen) < 0 || purge_in_tx(c, t, tenant_id, err, errlen) < 0) {
		tx_end(c, 0);
		return -1;
	}
	return pq_run(c, "COMMIT", 0, NULL, NULL, err, errlen);
}

#define COPY_BATCH 500

/* The target's copy replaced by the source's, in one transaction on each
 * side: the source's a snapshot, the target's all or nothing. */
static int copy_tenant(PGconn *src, PGconn *dst, const struct move_tables *t, const char *tenant_id,
	int64_t *rows, char *err, size_t errlen)
{
	char sel[320], ins[320], off[24];
	*rows = 0;
	if (tenant_begin(src, tenant_id, 1, err, errlen) < 0)
		goto fail;
	if (tenant_begin(dst, tenant_id, 0, err, errlen) < 0 || purge_in_tx(dst, t, tenant_id, err, errlen) < 0)
		goto fail;
	for (int i = 0; i < t->n; i++) {
		snprintf(sel, sizeof sel,
			"SELECT count(*), coalesce(json_agg(x), '[]')::text FROM (SELECT * FROM public.%s"
			" WHERE %s = $1::uuid ORDER BY ctid LIMIT %d OFFSET $2::bigint) x",
			t->name[i], tenant_col(t->name[i]), COPY_BATCH);
		snprintf(ins, sizeof ins,
			"INSERT INTO public.%s SELECT * FROM json_populate_recordset(NULL::public.%s, $1::json)",
			t->name[i], t->name[i]);
		for (int64_t o = 0;; o += COPY_BATCH) {
			PGresult *r;
			snprintf(off, sizeof off, "%lld", (long long)o);
			const char *p[] = { tenant_id, off };
			if (pq_run(src, sel, 2, p, &r, err, errlen) < 0)
				goto fail;
			long long got = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			if (got > 0) {
				const char *q[] = { PQgetvalue(r, 0, 1) };
				if (pq_run(dst, ins, 1, q, NULL, err, errlen) < 0) {
					char why[512];
					snprintf(why, sizeof why, "%s", err);
					errf(err, errlen, "copying %s: %s", t->name[i], why);
					PQclear(r);
					goto fail;
				}
			}
			PQclear(r);
			*rows += got;
			if (got < COPY_BATCH)
				break;
		}
	}
	tx_end(src, 0);
	return pq_run(dst, "COMMIT", 0, NULL, NULL, err, errlen);
fail:
	tx_end(src, 0);
	tx_end(dst, 0);
	return -1;
}

/* Each table's count and digest of its rows' text, on one side.
 * malloc'd array of t->n + 1 strings (the last is tenant_totals). */
static char **digests(PGconn *c, const struct move_tables *t, const char *tenant_id, char *err, size_t errlen)
{
	char sql[320];
	char **out = calloc((size_t)t->n + 1, sizeof *out);
	if (!out)
		abort();
	if (tenant_begin(c, tenant_id, 1, err, errlen) < 0)
		goto fail;
	for (int i = 0; i <= t->n; i++) {
		const char *name = i < t->n ? t->name[i] : "tenant_totals";
		snprintf(sql, sizeof sql,
			"SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '-')"
			" FROM public.%s x WHERE %s = $1::uuid", name, tenant_col(name));
		PGresult *r;
		const char *p[] = { tenant_id };
		if (pq_run(c, sql, 1, p, &r, err, errlen) < 0)
			goto fail;
		out[i] = strdup(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (!out[i])
			abort();
	}
	tx_end(c, 0);
	return out;
fail:
	tx_end(c, 0);
	for (int i = 0; i <= t->n; i++)
		free(out[i]);
	free(out);
	return NULL;
}

/* 0 when both copies hold the same rows, 1 when they differ (which table
 * in err), -1 on error. */
static int verify_copies(PGconn *src, PGconn *dst, const struct move_tables *t, const char *tenant_id,
	char *err, size_t errlen)
{
	char **a = digests(src, t, tenant_id, err, errlen);
	if (!a)
		return -1;
	char **b = digests(dst, t, tenant_id, err, errlen);
	if (!b) {
		for (int i = 0; i <= t->n; i++)
			free(a[i]);
		free(a);
		return -1;
	}
	int differ = 0;
	for (int i = 0; i <= t->n; i++) {
		if (!differ && strcmp(a[i], b[i]) != 0) {
			errf(err, errlen, "%s differs: source %s, target %s", i < t->n ? t->name[i] : "tenant_totals",
				a[i], b[i]);
			differ = 1;
		}
	}
	for (int i = 0; i <= t->n; i++) {
		free(a[i]);
		free(b[i]);
	}
	free(a);
	free(b);
	return differ;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The tests' kill switch: QT_MOVE_ABORT_AFTER=N ends the process right
 * after step N is recorded, as a kill -9 would. */
static void maybe_abort(int step)
{
	const char *v = getenv("QT_MOVE_ABORT_AFTER");
	if (v && atoi(v) == step) {
		printf("aborting after step %d (QT_MOVE_ABORT_AFTER)\n", step);
		fflush(stdout);
		_exit(3);
	}
}

static int set_step(struct dir_conn *d, const char *tenant_id, int step, char *err, size_t errlen)
{
	char s[16], now[24];
	snprintf(s, sizeof s, "%d", step);
	now_text(now);
	const char *p[] = { tenant_id, s, now };
	if (pq_run(d->c, "UPDATE dir_moves SET step = $2::integer, updated_at = $3::bigint WHERE tenant_id = $1::uuid",
		3, p, NULL, err, errlen) < 0)
		return -1;
	printf("move step %d done\n", step);
	fflush(stdout);
	return 0;
}

/* Run sql then record step, in one directory transaction. */
static int dir_step_with(struct dir_conn *d, const char *sql, int n, const char *const *p,
	const char *tenant_id, int step, char *err, size_t errlen)
{
	if (pq_run(d->c, "BEGIN", 0, NULL, NULL, err, errlen) < 0)
		return -1;
	if (pq_run(d->c, sql, n, p, NULL, err, errlen) < 0 || set_step(d, tenant_id, step, err, errlen) < 0) {
		tx_end(d->c, 0);
		return -1;
	}
	return pq_run(d->c, "COMMIT", 0, NULL, NULL, err, errlen);
}

int dir_tenant_move(struct dir_conn *d, const char *slug, const char *to, int rollback,
	char *err, size_t errlen)
{
	PGresult *r = NULL;
	PGconn *src = NULL, *dst = NULL;
	struct dir_cluster from_c = { 0 }, to_c = { 0 };
	struct move_tables t = { 0 };
	char tid[40], from[64], target[64];
	int step, rc = -1;

	const char *ps[] = { slug };
	if (pq_run(d->c,
		"SELECT t.tenant_id, t.cluster, m.from_cluster, m.to_cluster, m.step FROM dir_tenants t"
		" LEFT JOIN dir_moves m ON m.tenant_id = t.tenant_id WHERE t.slug = $1",
		1, ps, &r, err, errlen) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		errf(err, errlen, "the directory names no store \"%s\" (`cluster add` registers a cluster's stores)", slug);
		PQclear(r);
		return -1;
	}
	snprintf(tid, sizeof tid, "%s", PQgetvalue(r, 0, 0));
	if (!PQgetisnull(r, 0, 4)) {
		snprintf(from, sizeof from, "%s", PQgetvalue(r, 0, 2));
		snprintf(target, sizeof target, "%s", PQgetvalue(r, 0, 3));
		step = atoi(PQgetvalue(r, 0, 4));
		if (to && strcmp(to, target) != 0 && !rollback) {
			errf(err, errlen, "store \"%s\" is being moved to %s: resume that move (--to %s) or roll it back (--rollback)",
				slug, target, target);
			PQclear(r);
			return -1;
		}
		printf("resuming the move of %s from %s to %s after step %d\n", slug, from, target, step);
	} else {
		if (rollback) {
			errf(err, errlen, "store \"%s\" has no move to roll back", slug);
			PQclear(r);
			return -1;
		}
		if (!to) {
			errf(err, errlen, "--to CLUSTER is required");
			PQclear(r);
			return -1;
		}
		snprintf(from, sizeof from, "%s", PQgetvalue(r, 0, 1));
		snprintf(target, sizeof target, "%s", to);
		if (strcmp(from, target) == 0) {
			errf(err, errlen, "store \"%s\" already lives on %s", slug, from);
			PQclear(r);
			return -1;
		}
		step = 0;
	}
	PQclear(r);
	r = NULL;

	int g1 = dir_cluster_get(d, from, &from_c, err, errlen);
	int g2 = g1 == 0 ? dir_cluster_get(d, target, &to_c, err, errlen) : -1;
	if (g1 != 0 || g2 != 0) {
		if (g1 == 1 || g2 == 1)
			errf(err, errlen, "no cluster \"%s\" in the directory", g1 == 1 ? from : target);
		goto out;
	}
	if (!from_c.owner_url || !to_c.owner_url) {
		errf(err, errlen, "cluster %s has no owner URL (cluster add ... --owner-url URL): a move needs both",
			!from_c.owner_url ? from : target);
		goto out;
	}
	if (!(src = pq_connect(from_c.owner_url, from, err, errlen)) ||
	    !(dst = pq_connect(to_c.owner_url, target, err, errlen)))
		goto out;
	if (tables_load(src, &t, err, errlen) < 0)
		goto out;

	if (step == 0) {
		char now[24];
		now_text(now);
		const char *p[] = { tid, from, target, now };
		if (pq_run(d->c, "INSERT INTO dir_moves (tenant_id, from_cluster, to_cluster, step, started_at, updated_at)"
			" VALUES ($1::uuid, $2, $3, 1, $4::bigint, $4::bigint)", 4, p, NULL, err, errlen) < 0)
			goto out;
		printf("moving %s from %s to %s\n", slug, from, target);
		step = MOVE_STARTED;
		maybe_abort(step);
	}

	if (rollback && step < MOVE_FLIPPED) {
		/* Nothing reads the target's copy yet: drop it, open the
		 * writes again, forget the move. */
		if (purge(dst, &t, tid, err, errlen) < 0)
			goto out;
		const char *p[] = { tid };
		if (pq_run(d->c, "BEGIN", 0, NULL, NULL, err, errlen) < 0)
			goto out;
		if (pq_run(d->c, "UPDATE dir_tenants SET frozen = false WHERE tenant_id = $1::uuid", 1, p, NULL, err, errlen) < 0 ||
		    pq_run(d->c, "DELETE FROM dir_moves WHERE tenant_id = $1::uuid", 1, p, NULL, err, errlen) < 0) {
			tx_end(d->c, 0);
			goto out;
		}
		if (pq_run(d->c, "COMMIT", 0, NULL, NULL, err, errlen) < 0)
			goto out;
		printf("rolled back: %s stays on %s\n", slug, from);
		rc = 0;
		goto out;
	}

	int64_t rows = 0;
	int64_t frozen_at = 0;
	int tries = 0;
	while (step < MOVE_FLIPPED + 1) {
		switch (step) {
		case MOVE_STARTED:
			if (copy_tenant(src, dst, &t, tid, &rows, err, errlen) < 0 ||
			    set_step(d, tid, MOVE_COPIED, err, errlen) < 0)
				goto out;
			printf("copied %lld rows\n", (long long)rows);
			break;
		case MOVE_COPIED: {
			const char *p[] = { tid };
			if (dir_step_with(d, "UPDATE dir_tenants SET frozen = true WHERE tenant_id = $1::uuid", 1, p,
				tid, MOVE_FROZEN, err, errlen) < 0)
				goto out;
			frozen_at = clock_mono_ms();
			break;
		}
		case MOVE_FROZEN: {
			/* Every server has heard of the freeze (or refuses all
			 * writes, its directory too stale to know): nothing
			 * writes the source's copy any more. */
			const char *p[] = { tid };
			if (pq_run(d->c, "UPDATE dir_tenants SET frozen = true WHERE tenant_id = $1::uuid AND NOT frozen",
				1, p, NULL, err, errlen) < 0)
				goto out;
			if (!frozen_at)
				frozen_at = clock_mono_ms();
			sleep_ms(DIR_FREEZE_WAIT_MS);
			if (copy_tenant(src, dst, &t, tid, &rows, err, errlen) < 0 ||
			    set_step(d, tid, MOVE_TAIL, err, errlen) < 0)
				goto out;
			printf("copied %lld rows under the freeze\n", (long long)rows);
			break;
		}
		case MOVE_TAIL: {
			int v = verify_copies(src, dst, &t, tid, err, errlen);
			if (v < 0)
				goto out;
			if (v == 1) {
				printf("verify: %s; copying again\n", err);
				if (++tries > 3 || set_step(d, tid, MOVE_FROZEN, err, errlen) < 0)
					goto out;
				step = MOVE_FROZEN;   /* copy the tail again */
				continue;
			}
			if (set_step(d, tid, MOVE_VERIFIED, err, errlen) < 0)
				goto out;
			printf("verified: both copies hold the same rows\n");
			break;
		}
		case MOVE_VERIFIED: {
			const char *p[] = { tid, target };
			if (dir_step_with(d, "UPDATE dir_tenants SET cluster = $2, frozen = false WHERE tenant_id = $1::uuid",
				2, p, tid, MOVE_FLIPPED, err, errlen) < 0)
				goto out;
			if (frozen_at)
				printf("writes were frozen for %lld ms\n", (long long)(clock_mono_ms() - frozen_at));
			break;
		}
		case MOVE_FLIPPED: {
			/* Every server has heard of the flip before the old
			 * copy goes (a read on it would find nothing). */
			sleep_ms(DIR_FREEZE_WAIT_MS);
			if (purge(src, &t, tid, err, errlen) < 0)
				goto out;
			const char *p[] = { tid };
			if (pq_run(d->c, "DELETE FROM dir_moves WHERE tenant_id = $1::uuid", 1, p, NULL, err, errlen) < 0)
				goto out;
			printf("purged the copy on %s; %s now lives on %s\n", from, slug, target);
			break;
		}
		default:
			errf(err, errlen, "unknown move step %d", step);
			goto out;
		}
		step++;
		if (step <= MOVE_FLIPPED)
			maybe_abort(step);
	}
	rc = 0;
out:
	tables_free(&t);
	if (src)
		PQfinish(src);
	if (dst)
		PQfinish(dst);
	dir_cluster_clear(&from_c);
	dir_cluster_clear(&to_c);
	return rc;
}

/* ---- The cache in `serve` ---- */

struct cache_cluster {
	char name[64];
	char *primary_url;
	struct db *db;       /* opened on first use; home's pool when it is home */
	int is_home;
};

struct cache_tenant {
	char id[37];
	char slug[64];
	int cluster;         /* index into clusters */
	int frozen;
};

struct dir_cache {
	char *url;
	int as_owner;            /* the clusters' owner URLs (the CLI), not the app role's */
	struct db *home;
	char *home_url;
	int pool_size;

	pthread_rwlock_t lock;   /* tenants, by_slug, clusters' names and URLs */
	struct cache_tenant *tenants;   /* by id */
	int *by_slug;                    /* indexes into tenants, by slug */
	int ntenants;
	struct cache_cluster *clusters;
	int nclusters, capclusters;
	int64_t version;

	pthread_mutex_t open_lock;     /* opening a cluster's pool */
	pthread_mutex_t load_lock;     /* one reload at a time */
	PGconn *load_conn;             /* under load_lock */
	int64_t fresh_at;              /* clock_mono_ms of the last good check (atomic) */
	int64_t last_miss_load;        /* under load_lock */

	pthread_t thread;
	int stop;                      /* atomic */
};

static const struct cache_tenant *sort_tenants;   /* by_slug_cmp's array, under load_lock */
static int by_id_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cache_tenant *)a)->id, ((const struct cache_tenant *)b)->id);
}
static int by_slug_cmp(const void *a, const void *b)
{
	const struct cache_tenant *t = sort_tenants;
	return strcmp(t[*(const int *)a].slug, t[*(const int *)b].slug);
}

static int cluster_index(struct dir_cache *c, const char *name)
{
	for (int i = 0; i < c->nclusters; i++)
		if (strcmp(c->clusters[i].name, name) == 0)
			return i;
	return -1;
}

/* Read the whole directory into the cache.  Called with load_lock held. */
static int cache_load(struct dir_cache *c, char *err, size_t errlen)
{
	PGresult *v = NULL, *cl = NULL, *tn = NULL;
	if (!c->load_conn) {
		c->load_conn = pq_connect(c->url, "directory", err, errlen);
		if (!c->load_conn)
			return -1;
	}
	PGconn *pc = c->load_conn;
	if (pq_run(pc, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL, err, errlen) < 0 ||
	    pq_run(pc, "SELECT version FROM dir_version", 0, NULL, &v, err, errlen) < 0 ||
	    pq_run(pc, c->as_owner ? "SELECT name, coalesce(owner_url, primary_url) FROM dir_clusters"
		    : "SELECT name, primary_url FROM dir_clusters", 0, NULL, &cl, err, errlen) < 0 ||
	    pq_run(pc, "SELECT tenant_id::text, slug, cluster, frozen FROM dir_tenants", 0, NULL, &tn, err, errlen) < 0) {
		PQclear(v);
		PQclear(cl);
		if (PQstatus(pc) != CONNECTION_OK) {
			PQfinish(pc);
			c->load_conn = NULL;
		} else {
			tx_end(pc, 0);
		}
		return -1;
	}
	tx_end(pc, 0);
	int64_t version = strtoll(PQgetvalue(v, 0, 0), NULL, 10);
	PQclear(v);

	int n = PQntuples(tn);
	struct cache_tenant *t = calloc((size_t)n + 1, sizeof *t);
	int *bs = calloc((size_t)n + 1, sizeof *bs);
	if (!t || !bs)
		abort();

	pthread_rwlock_wrlock(&c->lock);
	/* Clusters are only added (or their URL changed): a pool once
	 * opened stays until the cache closes, as requests may hold it. */
	for (int i = 0; i < PQntuples(cl); i++) {
		const char *name = PQgetvalue(cl, i, 0), *url = PQgetvalue(cl, i, 1);
		int x = cluster_index(c, name);
		if (x < 0) {
			if (c->nclusters == c->capclusters) {
				c->capclusters = c->capclusters ? c->capclusters * 2 : 8;
				c->clusters = realloc(c->clusters, (size_t)c->capclusters * sizeof *c->clusters);
				if (!c->clusters)
					abort();
			}
			x = c->nclusters++;
			memset(&c->clusters[x], 0, sizeof c->clusters[x]);
			snprintf(c->clusters[x].name, sizeof c->clusters[x].name, "%s", name);
		}
		struct cache_cluster *k = &c->clusters[x];
		if (!k->primary_url || strcmp(k->primary_url, url) != 0) {
			if (k->db && !k->is_home)
				log_warn("directory: cluster %s has a new primary URL; the old pool stays open until restart", name);
			free(k->primary_url);
			k->primary_url = strdup(url);
			if (!k->primary_url)
				abort();
			k->is_home = strcmp(url, c->home_url) == 0;
			k->db = k->is_home ? c->home : NULL;
		}
	}
	int m = 0;
	for (int i = 0; i < n; i++) {
		int x = cluster_index(c, PQgetvalue(tn, i, 2));
		if (x < 0)
			continue;
		snprintf(t[m].id, sizeof t[m].id, "%s", PQgetvalue(tn, i, 0));
		snprintf(t[m].slug, sizeof t[m].slug, "%s", PQgetvalue(tn, i, 1));
		t[m].cluster = x;
		t[m].frozen = PQgetvalue(tn, i, 3)[0] == 't';
		m++;
	}
	qsort(t, (size_t)m, sizeof *t, by_id_cmp);
	for (int i = 0; i < m; i++)
		bs[i] = i;
	sort_tenants = t;   /* load_lock: one sort at a time */
	qsort(bs, (size_t)m, sizeof *bs, by_slug_cmp);
	free(c->tenants);
	free(c->by_slug);
	c->tenants = t;
	c->by_slug = bs;
	c->ntenants = m;
	c->version = version;
	pthread_rwlock_unlock(&c->lock);
	PQclear(cl);
	PQclear(tn);
	__atomic_store_n(&c->fresh_at, clock_mono_ms(), __ATOMIC_RELEASE);
	return 0;
}

/* The directory's version, or -1 when it cannot be read now. */
static int64_t read_version(struct dir_cache *c)
{
	char err[256];
	PGresult *r;
	if (!c->load_conn && !(c->load_conn = pq_connect(c->url, "directory", err, sizeof err)))
		return -1;
	if (pq_run(c->load_conn, "SELECT version FROM dir_version", 0, NULL, &r, err, sizeof err) < 0) {
		PQfinish(c->load_conn);
		c->load_conn = NULL;
		return -1;
	}
	int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static void *listener(void *arg)
{
	struct dir_cache *c = arg;
	PGconn *l = NULL;
	char err[256];
	int down_logged = 0;
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		if (!l) {
			l = pq_connect(c->url, "directory listener", err, sizeof err);
			if (l && pq_run(l, "LISTEN qt_directory", 0, NULL, NULL, err, sizeof err) < 0) {
				PQfinish(l);
				l = NULL;
			}
		}
		if (l) {
			struct pollfd pfd = { .fd = PQsocket(l), .events = POLLIN };
			(void)poll(&pfd, 1, DIR_POLL_MS);
			if (!PQconsumeInput(l)) {
				PQfinish(l);
				l = NULL;
			} else {
				PGnotify *n;
				while ((n = PQnotifies(l)))
					PQfreemem(n);
			}
		} else {
			sleep_ms(DIR_POLL_MS);
		}
		/* Notified or not, the version is read: a lost notification
		 * costs at most one poll, and each good read renews the
		 * lease. */
		pthread_mutex_lock(&c->load_lock);
		int64_t v = read_version(c);
		int ok = v >= 0;
		if (ok && v != c->version)
			ok = cache_load(c, err, sizeof err) == 0;
		else if (ok)
			__atomic_store_n(&c->fresh_at, clock_mono_ms(), __ATOMIC_RELEASE);
		pthread_mutex_unlock(&c->load_lock);
		if (!ok && !down_logged) {
			log_warn("directory: cannot be read (%s): tenant writes are refused until it can", err);
			down_logged = 1;
		} else if (ok && down_logged) {
			log_info("directory: readable again");
			down_logged = 0;
		}
	}
	if (l)
		PQfinish(l);
	return NULL;
}

struct dir_cache *dir_cache_open(const char *url, struct db *home, const char *home_url,
	int pool_size, int as_owner, char *err, size_t errlen)
{
	/* The schema first (a directory no `cluster add` has touched yet). */
	struct dir_conn *d = dir_connect(url, err, errlen);
	if (!d)
		return NULL;
	dir_disconnect(d);
	struct dir_cache *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->url = strdup(url);
	c->home_url = strdup(home_url);
	if (!c->url || !c->home_url)
		abort();
	c->home = home;
	c->pool_size = pool_size;
	c->as_owner = as_owner;
	c->version = -1;
	pthread_rwlock_init(&c->lock, NULL);
	pthread_mutex_init(&c->open_lock, NULL);
	pthread_mutex_init(&c->load_lock, NULL);
	pthread_mutex_lock(&c->load_lock);
	int rc = cache_load(c, err, errlen);
	pthread_mutex_unlock(&c->load_lock);
	if (rc < 0 || pthread_create(&c->thread, NULL, listener, c) != 0) {
		if (rc == 0)
			errf(err, errlen, "cannot start the directory listener");
		dir_cache_close(c);
		return NULL;
	}
	if (!as_owner)
		log_info("directory: %d store(s) on %d cluster(s)", c->ntenants, c->nclusters);
	return c;
}

void dir_cache_close(struct dir_cache *c)
{
	if (!c)
		return;
	if (c->thread) {
		__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
		pthread_join(c->thread, NULL);
	}
	for (int i = 0; i < c->nclusters; i++) {
		if (c->clusters[i].db && !c->clusters[i].is_home)
			db_close(c->clusters[i].db);
		free(c->clusters[i].primary_url);
	}
	free(c->clusters);
	free(c->tenants);
	free(c->by_slug);
	if (c->load_conn)
		PQfinish(c->load_conn);
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->open_lock);
	pthread_mutex_destroy(&c->load_lock);
	free(c->url);
	free(c->home_url);
	free(c);
}

/* A tenant the cache does not know may have been placed a moment ago:
 * read the directory again, at most every 100 ms. */
static void reload_on_miss(struct dir_cache *c)
{
	char err[256];
	pthread_mutex_lock(&c->load_lock);
	int64_t now = clock_mono_ms();
	if (now - c->last_miss_load >= 100) {
		c->last_miss_load = now;
		if (cache_load(c, err, sizeof err) < 0)
			log_warn("directory: %s", err);
	}
	pthread_mutex_unlock(&c->load_lock);
}

/* Cluster x's pool, opened on first use. */
static int cluster_db(struct dir_cache *c, int x, struct db **out)
{
	pthread_rwlock_rdlock(&c->lock);
	struct db *db = c->clusters[x].db;
	char url[1024];
	snprintf(url, sizeof url, "%s", c->clusters[x].primary_url);
	pthread_rwlock_unlock(&c->lock);
	if (db) {
		*out = db;
		return DB_OK;
	}
	pthread_mutex_lock(&c->open_lock);
	pthread_rwlock_rdlock(&c->lock);
	db = c->clusters[x].db;
	pthread_rwlock_unlock(&c->lock);
	int rc = DB_OK;
	if (!db) {
		char err[256];
		rc = db_open(url, c->pool_size, &db, err, sizeof err);
		if (rc == DB_OK) {
			pthread_rwlock_wrlock(&c->lock);
			c->clusters[x].db = db;
			pthread_rwlock_unlock(&c->lock);
			log_info("directory: opened the pool of cluster %s", c->clusters[x].name);
		} else {
			log_error("directory: cluster %s: %s", c->clusters[x].name, err);
		}
	}
	pthread_mutex_unlock(&c->open_lock);
	*out = db;
	return rc;
}

static int find_tenant(struct dir_cache *c, const char *id)
{
	struct cache_tenant key;
	snprintf(key.id, sizeof key.id, "%s", id);
	struct cache_tenant *t = bsearch(&key, c->tenants, (size_t)c->ntenants, sizeof *c->tenants, by_id_cmp);
	return t ? (int)(t - c->tenants) : -1;
}

int dir_cache_route(struct dir_cache *c, const char *tenant_id, struct db **out, int *frozen)
{
	int stale = clock_mono_ms() - __atomic_load_n(&c->fresh_at, __ATOMIC_ACQUIRE) > DIR_LEASE_MS;
	pthread_rwlock_rdlock(&c->lock);
	int i = find_tenant(c, tenant_id);
	if (i < 0) {
		pthread_rwlock_unlock(&c->lock);
		reload_on_miss(c);
		pthread_rwlock_rdlock(&c->lock);
		i = find_tenant(c, tenant_id);
	}
	if (i < 0) {
		pthread_rwlock_unlock(&c->lock);
		*out = c->home;
		*frozen = stale;
		return DB_OK;
	}
	*frozen = c->tenants[i].frozen || stale;
	int x = c->tenants[i].cluster;
	pthread_rwlock_unlock(&c->lock);
	return cluster_db(c, x, out);
}

int dir_cache_as_owner(const struct dir_cache *c)
{
	return c->as_owner;
}

int dir_cache_cluster(struct dir_cache *c, int i, struct db **out)
{
	pthread_rwlock_rdlock(&c->lock);
	int n = c->nclusters;
	pthread_rwlock_unlock(&c->lock);
	if (i < 0 || i >= n)
		return 1;
	return cluster_db(c, i, out);
}

int dir_cache_slug(struct dir_cache *c, const char *slug, char id[37])
{
	int found = 0;
	for (int pass = 0; pass < 2 && !found; pass++) {
		if (pass)
			reload_on_miss(c);
		pthread_rwlock_rdlock(&c->lock);
		int lo = 0, hi = c->ntenants - 1;
		while (lo <= hi && !found) {
			int mid = (lo + hi) / 2;
			const struct cache_tenant *t = &c->tenants[c->by_slug[mid]];
			int cmp = strcmp(t->slug, slug);
			if (cmp == 0) {
				snprintf(id, 37, "%s", t->id);
				found = 1;
			} else if (cmp < 0) {
				lo = mid + 1;
			} else {
				hi = mid - 1;
			}
		}
		pthread_rwlock_unlock(&c->lock);
	}
	return found;
}
