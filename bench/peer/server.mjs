// bench/peer/server.mjs — a Node.js peer of QuantumTrack's
// GET /api/v1/customers/{id}, for bench/all.sh to compare against (not part
// of the product).
//
// Idiomatic Node: Fastify, better-sqlite3 (SQLite) or node-postgres `pg`
// (PostgreSQL), node:crypto for the token, node:cluster with one worker per
// core (os.availableParallelism()), as Node is run to use more than one core.
// It does what the C server does for this route today (src/api/dispatch.c,
// src/api/customers.c):
//   1. the access token: HS256 with QT_JWT_SECRET, the header's alg exactly
//      HS256, the signature compared in constant time, then the claims
//      (sub, tid, role, jti, iat, exp; ver optional, 0), exp > now, iat no
//      more than 60 s ahead, operator tokens refused (security/jwt.c);
//   2. one transaction (BEGIN ... COMMIT; on PostgreSQL REPEATABLE READ as
//      the server's reads, and set_config('app.tenant_id', tid, true) first,
//      as the app role, so row-level security applies);
//   3. the membership, account, store, plan and settings in one query
//      (store_users.c store_member_context): not a member -> 401, a token
//      whose ver is not the account's token_version -> 401, no settings -> 500;
//   4. the customer row (store_customers.c store_customer_get) -> 404;
//   5. the aging from the open lots, newest first a page at a time (16, 32,
//      ...) until they cover the balance (store_entries.c
//      store_entry_open_lots, domain/aging.c aging_from_newest_lots);
//   6. the same JSON (api/ledger_json.c api_customer_json), the same
//      problem+json shape for failures.
// Amounts are JavaScript numbers (exact to 2^53), as a Node app would keep
// them; the benchmark's amounts are far below that.  Where the open lots do
// not reach the stored balance the C server walks the whole ledger; this
// peer answers 500 (it never happens on a consistent ledger).
//
// Environment: QT_DB (sqlite:PATH or a postgres:// URL: the app role's),
// QT_JWT_SECRET, PEER_LISTEN (default 127.0.0.1:8090), PEER_WORKERS (default
// os.availableParallelism()), PEER_PG_POOL (pool size per worker, default 10
// as pg's own default).
import cluster from 'node:cluster';
import crypto from 'node:crypto';
import os from 'node:os';
import Fastify from 'fastify';

const DB = process.env.QT_DB || '';
const SECRET = process.env.QT_JWT_SECRET || '';
const [HOST, PORT] = (process.env.PEER_LISTEN || '127.0.0.1:8090').split(/:(?=\d+$)/);
const WORKERS = Number(process.env.PEER_WORKERS || os.availableParallelism());
const PG_POOL = Number(process.env.PEER_PG_POOL || 10);

if (SECRET.length < 32) {
  console.error('peer: QT_JWT_SECRET (at least 32 bytes) is required');
  process.exit(2);
}

// ---- the access token (security/jwt.c) -------------------------------------

const KEY = Buffer.from(SECRET, 'utf8');
const ID_RE = /^[A-Za-z0-9_-]{1,36}$/;
const ROLES = new Set(['owner', 'admin', 'member', 'viewer']);
const RANK = { viewer: 1, member: 2, admin: 3, owner: 4 };

class Problem extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

function verifyToken(header) {
  if (!header || !/^bearer /i.test(header)) throw new Problem(401, 'unauthorized', 'an access token is required (Authorization: Bearer ...)');
  const token = header.slice(7).trimStart();
  const bad = (why, code = 'invalid_token') => new Problem(401, code, `access token rejected: ${why}`);
  if (token.length === 0 || token.length > 4096) throw bad('token is malformed');
  const parts = token.split('.');
  if (parts.length !== 3) throw bad('token is malformed');
  let head;
  try {
    head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    throw bad('token is malformed');
  }
  if (!head || typeof head !== 'object' || Array.isArray(head)) throw bad('token is malformed');
  if (head.alg !== 'HS256') throw bad('token algorithm must be HS256');
  if (head.typ !== undefined && head.typ !== 'JWT') throw bad('token is malformed');
  const mac = Buffer.from(parts[2], 'base64url');
  const expect = crypto.createHmac('sha256', KEY).update(`${parts[0]}.${parts[1]}`).digest();
  if (parts[2].length !== 43 || mac.length !== 32 || !crypto.timingSafeEqual(mac, expect)) throw bad('token signature is invalid');
  let c;
  try {
    c = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw bad('token is malformed');
  }
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw bad('token is malformed');
  const claims = () => bad('token claims are invalid');
  if (typeof c.sub !== 'string' || !ID_RE.test(c.sub) || typeof c.jti !== 'string' || !ID_RE.test(c.jti)) throw claims();
  if (c.sid !== undefined && (typeof c.sid !== 'string' || !ID_RE.test(c.sid))) throw claims();
  if (!Number.isInteger(c.iat) || !Number.isInteger(c.exp) || c.iat < 0 || c.exp <= c.iat) throw claims();
  if (c.op !== undefined && typeof c.op !== 'boolean') throw claims();
  if (c.op) {
    if (c.tid !== undefined || c.role !== undefined) throw claims();
  } else {
    if (typeof c.tid !== 'string' || !ID_RE.test(c.tid) || !ROLES.has(c.role)) throw claims();
    if (c.ver !== undefined && (!Number.isInteger(c.ver) || c.ver < 0)) throw claims();
  }
  const now = Math.floor(Date.now() / 1000);
  if (c.exp <= now) throw bad('token has expired', 'token_expired');
  if (c.iat - 60 > now) throw claims();
  if (c.op) throw new Problem(403, 'forbidden', 'operator tokens cannot reach tenant data');
  return { sub: c.sub, tid: c.tid, ver: c.ver ?? 0 };
}

// ---- the SQL the server runs (src/store/) -----------------------------------

const SETTINGS_COLS =
  's.currency, s.locale, s.timezone, s.phone_country, s.upi_id, s.default_credit_limit_minor,' +
  ' s.credit_period_days, s.reminder_template, s.reminder_schedule, s.quiet_hours_start,' +
  ' s.quiet_hours_end, s.building_towers, s.building_floors, s.building_units,' +
  ' s.whatsapp_provider, s.whatsapp_config, s.whatsapp_secret_sealed, s.updated_at,' +
  ' s.reminder_language, s.receipts';
const MEMBER_SQL =
  'SELECT m.role, u.email, u.name, t.slug, t.name AS tenant_name, t.status, t.plan, u.token_version,' +
  ' p.features, p.updated_at AS plan_updated_at, p.customer_limit, p.storage_mb, p.requests_per_min, ' +
  SETTINGS_COLS +
  ' FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id' +
  ' JOIN tenants t ON t.id = m.tenant_id JOIN plans p ON p.name = t.plan' +
  ' LEFT JOIN tenant_settings s ON s.tenant_id = m.tenant_id' +
  ' WHERE m.tenant_id = $1 AND m.user_id = $2';
const CUSTOMER_SQL =
  'SELECT id, name, phone, apartment, tower, floor, unit, email, credit_limit_minor, notes,' +
  ' status, reminders_opt_out, balance_minor, oldest_due_at, last_purchase_at,' +
  ' last_payment_at, last_activity_at, created_at, updated_at FROM customers WHERE tenant_id = $1 AND id = $2';
const LOTS_FILTER =
  ' FROM transactions t WHERE t.tenant_id = $1 AND t.customer_id = $2' +
  ' AND t.effect_minor > 0 AND t.type <> \'reversal\' AND' +
  ' NOT EXISTS (SELECT 1 FROM transactions x WHERE x.tenant_id = t.tenant_id AND x.reverses_id = t.id)';
const LOTS_FIRST_SQL = `SELECT t.occurred_at, t.effect_minor, t.id${LOTS_FILTER} ORDER BY t.occurred_at DESC, t.id DESC LIMIT $3`;
const LOTS_NEXT_SQL = `SELECT t.occurred_at, t.effect_minor, t.id${LOTS_FILTER} AND (t.occurred_at, t.id) < ($4, $5) ORDER BY t.occurred_at DESC, t.id DESC LIMIT $3`;
const LOTS_FIRST_PAGE = 16;

// ---- the aging (domain/aging.c) and the JSON (api/ledger_json.c) ------------

const DAY_MS = 86400000;

function bucketOf(due, now) {
  if (now < due) return 0;
  const days = Math.floor((now - due) / DAY_MS) + 1;
  return days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
}

// The aging from the open lots, newest first, that cover the balance
// (aging_from_newest_lots).
function agingOf(lots, balance, periodDays, now) {
  const out = { overdue: 0, oldestDue: 0, buckets: [0, 0, 0, 0, 0] };
  if (balance <= 0) return out;
  const period = periodDays * DAY_MS;
  let left = balance;
  for (const r of lots) {
    if (left <= 0) break;
    const due = r.occurred_at + period;
    const take = r.effect_minor < left ? r.effect_minor : left;
    left -= take;
    const b = bucketOf(due, now);
    out.buckets[b] += take;
    if (b !== 0) out.overdue += take;
    out.oldestDue = due;
  }
  if (left > 0) throw new Problem(500, 'internal_error', 'the open lots do not reach the balance');
  return out;
}

// How many of a page's rows the walk takes, and whether to read another
// page (store_entry_open_lots).
function takeLots(lots, rows, page, covered, balance) {
  for (const r of rows) {
    lots.push(r);
    covered = r.effect_minor >= balance - covered ? balance : covered + r.effect_minor;
    if (covered >= balance) break;
  }
  return { covered, more: rows.length === page && covered < balance };
}

const dateFormats = new Map();
function localDate(ms, zone) {
  let f = dateFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(zone, f);
  }
  return f.format(ms);
}

const iso = (ms) => (ms ? new Date(ms).toISOString() : null);

function customerJson(c, s, ag) {
  const limit = c.credit_limit_minor !== null ? c.credit_limit_minor : s.default_credit_limit_minor;
  const hasApt = c.apartment !== null;
  let oldest = null;
  if (ag.oldestDue) {
    try {
      oldest = localDate(ag.oldestDue, s.timezone);
    } catch {
      oldest = null;
    }
  }
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    apartment: c.apartment,
    tower: hasApt ? c.tower : null,
    floor: hasApt ? c.floor : null,
    unit: hasApt ? c.unit : null,
    email: c.email,
    credit_limit_minor: c.credit_limit_minor,
    effective_credit_limit_minor: limit,
    notes: c.notes ?? '',
    status: c.status,
    reminders_opt_out: c.reminders_opt_out !== 0,
    balance_minor: c.balance_minor,
    available_credit_minor: Math.max(limit - c.balance_minor, 0),
    overdue_minor: ag.overdue,
    oldest_due_date: oldest,
    aging: {
      current_minor: ag.buckets[0],
      days_1_30_minor: ag.buckets[1],
      days_31_60_minor: ag.buckets[2],
      days_61_90_minor: ag.buckets[3],
      days_90_plus_minor: ag.buckets[4],
    },
    last_purchase_at: iso(c.last_purchase_at),
    last_payment_at: iso(c.last_payment_at),
    currency: s.currency,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
  };
}

const str = { type: 'string' };
const int = { type: 'integer' };
const strOrNull = { type: ['string', 'null'] };
const intOrNull = { type: ['integer', 'null'] };
const CUSTOMER_SCHEMA = {
  type: 'object',
  properties: {
    id: str, name: str, phone: str, apartment: strOrNull, tower: intOrNull, floor: intOrNull, unit: intOrNull,
    email: strOrNull, credit_limit_minor: intOrNull, effective_credit_limit_minor: int, notes: str, status: str,
    reminders_opt_out: { type: 'boolean' }, balance_minor: int, available_credit_minor: intOrNull, overdue_minor: int,
    oldest_due_date: strOrNull,
    aging: {
      type: 'object',
      properties: { current_minor: int, days_1_30_minor: int, days_31_60_minor: int, days_61_90_minor: int, days_90_plus_minor: int },
    },
    last_purchase_at: strOrNull, last_payment_at: strOrNull, currency: str, created_at: strOrNull, updated_at: strOrNull,
  },
};

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

// What dispatch.c checks once the membership row is read.
function checkMember(m, tok) {
  if (!m) throw new Problem(401, 'invalid_token', 'access token rejected: no longer a member of this store');
  if (Number(m.token_version) !== tok.ver) throw new Problem(401, 'invalid_token', 'access token rejected: the session was ended (signed out or password changed)');
  if (m.currency === null) throw new Problem(500, 'settings_unavailable', "the store's settings could not be read");
  if (!(RANK[m.role] >= RANK.viewer)) throw new Problem(403, 'forbidden', 'this action needs the viewer role or higher');
}

// ---- the two backends --------------------------------------------------------

async function sqliteBackend(path) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path, { fileMustExist: true });
  // As the server opens it (store/db_sqlite.c).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('mmap_size = 268435456');
  db.pragma('cache_size = -16384');
  // better-sqlite3 binds anonymous ? in order of appearance ($1, $2, ...
  // in the text, except the next page's: $4, $5 before $3).
  const q = (sql) => db.prepare(sql.replace(/\$\d+/g, '?'));
  const member = q(MEMBER_SQL);
  const customer = q(CUSTOMER_SQL);
  const lotsFirst = q(LOTS_FIRST_SQL);
  const lotsNext = q(LOTS_NEXT_SQL);
  // better-sqlite3 is synchronous: the whole read is one (deferred)
  // transaction, as the server's.
  const read = db.transaction((tok, id, now) => {
    const m = member.get(tok.tid, tok.sub);
    checkMember(m, tok);
    const c = customer.get(tok.tid, id);
    if (!c) throw new Problem(404, 'not_found', 'customer not found');
    const lots = [];
    let covered = 0;
    let after = null;
    for (let page = LOTS_FIRST_PAGE, more = c.balance_minor > 0; more; page *= 2) {
      const rows = after
        ? lotsNext.all(tok.tid, id, after.occurred_at, after.id, page)
        : lotsFirst.all(tok.tid, id, page);
      ({ covered, more } = takeLots(lots, rows, page, covered, c.balance_minor));
      after = rows[rows.length - 1];
    }
    return customerJson(c, m, agingOf(lots, c.balance_minor, m.credit_period_days, now));
  });
  return {
    get: async (tok, id) => read(tok, id, Date.now()),
    close: () => db.close(),
  };
}

async function pgBackend(url) {
  const { default: pg } = await import('pg');
  // BIGINT (int8) columns as numbers, not strings.
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  const pool = new pg.Pool({ connectionString: url, max: PG_POOL });
  // Named queries: each connection prepares them once.
  const member = { name: 'member_context', text: MEMBER_SQL };
  const customer = { name: 'customer_get', text: CUSTOMER_SQL };
  const lotsFirst = { name: 'open_lots_first', text: LOTS_FIRST_SQL };
  const lotsNext = { name: 'open_lots_next', text: LOTS_NEXT_SQL };
  const setTenant = { name: 'set_tenant', text: "SELECT set_config('app.tenant_id', $1, true)" };
  return {
    async get(tok, id) {
      const now = Date.now();
      const client = await pool.connect();
      let ok = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await client.query({ ...setTenant, values: [tok.tid] });
        const m = (await client.query({ ...member, values: [tok.tid, tok.sub] })).rows[0];
        checkMember(m, tok);
        const c = (await client.query({ ...customer, values: [tok.tid, id] })).rows[0];
        if (!c) throw new Problem(404, 'not_found', 'customer not found');
        const lots = [];
        let covered = 0;
        let after = null;
        for (let page = LOTS_FIRST_PAGE, more = c.balance_minor > 0; more; page *= 2) {
          const { rows } = after
            ? await client.query({ ...lotsNext, values: [tok.tid, id, page, after.occurred_at, after.id] })
            : await client.query({ ...lotsFirst, values: [tok.tid, id, page] });
          ({ covered, more } = takeLots(lots, rows, page, covered, c.balance_minor));
          after = rows[rows.length - 1];
        }
        const body = customerJson(c, m, agingOf(lots, c.balance_minor, m.credit_period_days, now));
        await client.query('COMMIT');
        ok = true;
        return body;
      } finally {
        if (!ok) await client.query('ROLLBACK').catch(() => {});
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

// ---- the app -----------------------------------------------------------------

async function worker() {
  const backend = DB.startsWith('sqlite:') ? await sqliteBackend(DB.slice(7)) : await pgBackend(DB);
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  // A response schema, as Fastify recommends: the body is written by
  // fast-json-stringify instead of JSON.stringify.
  app.get('/api/v1/customers/:id', { schema: { response: { 200: CUSTOMER_SCHEMA } } }, async (req, reply) => {
    const tok = verifyToken(req.headers.authorization);
    const { id } = req.params;
    if (!UUID_RE.test(id)) throw new Problem(404, 'not_found', 'customer not found');
    reply.header('Cache-Control', 'no-store');
    return backend.get(tok, id);
  });
  app.setErrorHandler((err, req, reply) => {
    const status = err instanceof Problem ? err.status : 500;
    const code = err instanceof Problem ? err.code : 'internal_error';
    if (!(err instanceof Problem)) console.error(`peer: ${req.method} ${req.url}: ${err.stack || err}`);
    if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
    reply.code(status).type('application/problem+json').send({
      type: `/problems/${code}`,
      title: status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : status === 403 ? 'Forbidden' : 'Internal Server Error',
      status,
      detail: err instanceof Problem ? err.message : 'an internal error occurred',
      code,
      request_id: req.id,
      errors: [],
    });
  });
  await app.listen({ host: HOST, port: Number(PORT) });
  if (process.send) process.send('ready');
  else console.log(`peer: listening on http://${HOST}:${PORT} (1 process, ${DB.startsWith('sqlite:') ? 'better-sqlite3' : 'pg'})`);
  const stop = async () => {
    await app.close();
    await backend.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// ---- one process per core -------------------------------------------------------

if (cluster.isPrimary && WORKERS > 1) {
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  let ready = 0;
  cluster.on('message', (w, m) => {
    if (m === 'ready' && ++ready === WORKERS) console.log(`peer: listening on http://${HOST}:${PORT} (${WORKERS} workers, ${DB.startsWith('sqlite:') ? 'better-sqlite3' : 'pg'})`);
  });
  cluster.on('exit', (w, code) => {
    console.error(`peer: worker ${w.process.pid} exited (${code})`);
    process.exit(1);
  });
  const stop = () => {
    for (const w of Object.values(cluster.workers)) w.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  await worker();
}
