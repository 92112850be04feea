/*
 * schema_sqlite.c — the SQLite schema.  Times are unix milliseconds
 * (INTEGER), money is INTEGER minor units, ids are UUID text.  Every
 * tenant-owned table has tenant_id first in its primary key and in its
 * foreign keys.  Ledger entries and audit rows are append-only: triggers
 * refuse UPDATE and DELETE, except DELETE while the tenant is listed in
 * tenant_purges (deleting a whole tenant).
 */
#include "store/migrate.h"

static const char v1[] =
"CREATE TABLE plans ("
"  name TEXT PRIMARY KEY,"
"  customer_limit INTEGER,"          /* NULL = unlimited */
"  storage_mb INTEGER,"
"  requests_per_min INTEGER,"
"  features TEXT NOT NULL,"          /* JSON array of feature names */
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL);"
"INSERT INTO plans VALUES"
" ('free', 50, 100, 60, '[\"ledger\",\"link_reminders\"]', 0, 0),"
" ('starter', 250, 1024, 300, '[\"ledger\",\"link_reminders\",\"reports\",\"csv_export\",\"realtime\"]', 0, 0),"
" ('professional', 1000, 5120, 1200, '[\"ledger\",\"link_reminders\",\"credit_lines\",\"whatsapp_reminders\",\"reports\",\"csv_export\",\"csv_import\",\"multi_currency\",\"realtime\",\"documents\",\"api_keys\"]', 0, 0),"
" ('enterprise', NULL, 51200, NULL, '[\"ledger\",\"link_reminders\",\"credit_lines\",\"whatsapp_reminders\",\"reports\",\"csv_export\",\"csv_import\",\"multi_currency\",\"realtime\",\"documents\",\"api_keys\"]', 0, 0);"

"CREATE TABLE tenants ("
"  id TEXT PRIMARY KEY,"
"  slug TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  domain TEXT UNIQUE,"
"  plan TEXT NOT NULL REFERENCES plans(name),"
"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL);"

"CREATE TABLE tenant_purges (tenant_id TEXT PRIMARY KEY);"

"CREATE TABLE tenant_settings ("
"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),"
"  currency TEXT NOT NULL DEFAULT 'INR',"
"  locale TEXT NOT NULL DEFAULT 'en-IN',"
"  timezone TEXT NOT NULL DEFAULT 'Asia/Kolkata',"
"  default_credit_limit_minor INTEGER NOT NULL DEFAULT 500000,"
"  credit_period_days INTEGER NOT NULL DEFAULT 30,"
"  phone_country TEXT NOT NULL DEFAULT '+91',"
"  upi_id TEXT,"
"  reminder_template TEXT NOT NULL DEFAULT 'Namaste {name}, your balance at {store} is {balance}, due since {due_date}. Please pay: {upi_link}',"
"  reminder_schedule TEXT NOT NULL DEFAULT '{\"enabled\":false,\"hour\":10}',"
"  quiet_hours_start INTEGER NOT NULL DEFAULT 21,"
"  quiet_hours_end INTEGER NOT NULL DEFAULT 9,"
"  building_towers INTEGER NOT NULL DEFAULT 0,"
"  building_floors INTEGER NOT NULL DEFAULT 0,"
"  building_units INTEGER NOT NULL DEFAULT 0,"
"  whatsapp_provider TEXT NOT NULL DEFAULT 'link',"
"  whatsapp_config TEXT NOT NULL DEFAULT '{}',"   /* non-secret provider settings */
"  whatsapp_secret_sealed TEXT,"                  /* libsodium secretbox, base64url */
"  updated_at INTEGER NOT NULL);"

"CREATE TABLE users ("
"  id TEXT PRIMARY KEY,"
"  email TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  password_hash TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL);"

"CREATE TABLE memberships ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  user_id TEXT NOT NULL REFERENCES users(id),"
"  role TEXT NOT NULL CHECK (role IN ('owner','admin','member','viewer')),"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, user_id));"
"CREATE INDEX memberships_user ON memberships(user_id);"

"CREATE TABLE operators ("
"  id TEXT PRIMARY KEY,"
"  email TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  password_hash TEXT NOT NULL,"
"  created_at INTEGER NOT NULL);"

"CREATE TABLE refresh_tokens ("
"  token_hash TEXT PRIMARY KEY,"
"  family_id TEXT NOT NULL,"
"  subject_id TEXT NOT NULL,"
"  tenant_id TEXT,"                  /* NULL for operator sessions */
"  is_operator INTEGER NOT NULL DEFAULT 0,"
"  expires_at INTEGER NOT NULL,"
"  used_at INTEGER,"
"  revoked_at INTEGER,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);"
"CREATE INDEX refresh_tokens_subject ON refresh_tokens(subject_id);"

"CREATE TABLE customers ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  id TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  phone TEXT NOT NULL,"
"  apartment TEXT,"
"  tower INTEGER,"
"  floor INTEGER,"
"  unit INTEGER,"
"  email TEXT,"
"  credit_limit_minor INTEGER,"      /* NULL = tenant default */
"  notes TEXT NOT NULL DEFAULT '',"
"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','archived')),"
"  reminders_opt_out INTEGER NOT NULL DEFAULT 0,"
"  balance_minor INTEGER NOT NULL DEFAULT 0,"
"  oldest_due_at INTEGER,"           /* due time of the oldest unpaid purchase (FIFO) */
"  last_purchase_at INTEGER,"
"  last_payment_at INTEGER,"
"  last_activity_at INTEGER NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, id));"
"CREATE UNIQUE INDEX customers_phone_active ON customers(tenant_id, phone) WHERE status = 'active';"
"CREATE INDEX customers_name ON customers(tenant_id, name, id);"
"CREATE INDEX customers_apartment ON customers(tenant_id, apartment, id);"
"CREATE INDEX customers_balance ON customers(tenant_id, balance_minor, id);"
"CREATE INDEX customers_activity ON customers(tenant_id, last_activity_at, id);"

"CREATE TABLE apartments ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  number TEXT NOT NULL,"
"  tower INTEGER NOT NULL,"
"  floor INTEGER NOT NULL,"
"  unit INTEGER NOT NULL,"
"  occupant_name TEXT NOT NULL DEFAULT '',"
"  occupancy TEXT NOT NULL DEFAULT 'vacant' CHECK (occupancy IN ('owner','tenant','vacant')),"
"  notes TEXT NOT NULL DEFAULT '',"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, number));"

"CREATE TABLE transactions ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  id TEXT NOT NULL,"
"  customer_id TEXT NOT NULL,"
"  type TEXT NOT NULL CHECK (type IN ('purchase','payment','adjustment','reversal')),"
"  amount_minor INTEGER NOT NULL,"   /* > 0, signed for adjustment */
"  effect_minor INTEGER NOT NULL,"   /* signed change of what the customer owes */
"  occurred_at INTEGER NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  created_by TEXT NOT NULL,"
"  note TEXT NOT NULL DEFAULT '',"
"  items TEXT,"                      /* JSON array or NULL */
"  payment_method TEXT,"
"  payment_reference TEXT,"
"  reason TEXT,"
"  override INTEGER NOT NULL DEFAULT 0,"
"  override_reason TEXT,"
"  reverses_id TEXT,"
"  balance_after_minor INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),"
"  FOREIGN KEY (tenant_id, reverses_id) REFERENCES transactions(tenant_id, id));"
"CREATE UNIQUE INDEX transactions_reverses ON transactions(tenant_id, reverses_id) WHERE reverses_id IS NOT NULL;"
"CREATE INDEX transactions_customer ON transactions(tenant_id, customer_id, occurred_at, id);"
"CREATE INDEX transactions_occurred ON transactions(tenant_id, occurred_at, id);"
/* The open lots, newest first, without touching the table: aging reads
 * these on every customer read and every entry. */
"CREATE INDEX transactions_lots ON transactions(tenant_id, customer_id, occurred_at, id, effect_minor, type)"
" WHERE effect_minor > 0 AND type <> 'reversal';"
"CREATE TRIGGER transactions_immutable BEFORE UPDATE ON transactions"
" BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;"
"CREATE TRIGGER transactions_append_only BEFORE DELETE ON transactions"
" WHEN NOT EXISTS (SELECT 1 FROM tenant_purges p WHERE p.tenant_id = OLD.tenant_id)"
" BEGIN SELECT RAISE(ABORT, 'ledger entries cannot be deleted'); END;"

"CREATE TABLE idempotency_keys ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  key TEXT NOT NULL,"
"  request_hash TEXT NOT NULL,"
"  status INTEGER NOT NULL DEFAULT 0,"     /* 0 while the first request runs */
"  response_body TEXT,"
"  created_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, key));"
"CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);"

"CREATE TABLE audit_heads ("
"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),"
"  seq INTEGER NOT NULL,"
"  hash TEXT NOT NULL);"

"CREATE TABLE audit_log ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  seq INTEGER NOT NULL,"
"  id TEXT NOT NULL,"
"  actor_id TEXT NOT NULL,"
"  actor_role TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  entity TEXT NOT NULL,"
"  entity_id TEXT NOT NULL,"
"  before_json TEXT,"
"  after_json TEXT,"
"  request_id TEXT NOT NULL,"
"  client_ip TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  prev_hash TEXT NOT NULL,"
"  hash TEXT NOT NULL,"
"  PRIMARY KEY (tenant_id, seq));"
"CREATE INDEX audit_log_entity ON audit_log(tenant_id, entity, entity_id, seq);"
"CREATE INDEX audit_log_time ON audit_log(tenant_id, created_at, seq);"
"CREATE TRIGGER audit_log_immutable BEFORE UPDATE ON audit_log"
" BEGIN SELECT RAISE(ABORT, 'audit rows are immutable'); END;"
"CREATE TRIGGER audit_log_append_only BEFORE DELETE ON audit_log"
" WHEN NOT EXISTS (SELECT 1 FROM tenant_purges p WHERE p.tenant_id = OLD.tenant_id)"
" BEGIN SELECT RAISE(ABORT, 'audit rows cannot be deleted'); END;"
;

/* Version 2: accounts belong to one store.  A user row is (tenant_id, id):
 * the same person in two stores has two accounts with their own password,
 * name and sessions, so nothing one store does reaches another
 * (docs/ACCOUNTS.md).  Existing users are copied once per membership under
 * their old id, so entries and audit rows keep naming them; users without a
 * membership had no access and are dropped.  token_version ends every
 * access token of the account at once (logout, password change). */
static const char v2[] =
"PRAGMA defer_foreign_keys = ON;"
"CREATE TABLE users_v2 ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  id TEXT NOT NULL,"
"  email TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  password_hash TEXT NOT NULL,"
"  token_version INTEGER NOT NULL DEFAULT 0,"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  UNIQUE (tenant_id, email));"
"INSERT INTO users_v2 (tenant_id, id, email, name, password_hash, created_at, updated_at)"
"  SELECT m.tenant_id, u.id, u.email, u.name, u.password_hash, m.created_at, u.updated_at"
"  FROM memberships m JOIN users u ON u.id = m.user_id;"
"CREATE TABLE memberships_v2 ("
"  tenant_id TEXT NOT NULL,"
"  user_id TEXT NOT NULL,"
"  role TEXT NOT NULL CHECK (role IN ('owner','admin','member','viewer')),"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, user_id),"
"  FOREIGN KEY (tenant_id, user_id) REFERENCES users_v2(tenant_id, id));"
"INSERT INTO memberships_v2 SELECT tenant_id, user_id, role, created_at, updated_at FROM memberships;"
"DROP TABLE memberships;"
"DROP TABLE users;"
"ALTER TABLE users_v2 RENAME TO users;"
"ALTER TABLE memberships_v2 RENAME TO memberships;"
"CREATE INDEX memberships_user ON memberships(user_id);"
;

/* Version 3: operator sessions in their own table (on PostgreSQL the app
 * role cannot reach it); refresh_tokens holds store users' sessions only,
 * each with its tenant (NOT NULL, a foreign key).  SQLite cannot add a
 * NOT NULL or a foreign key to a column in place, so the table is rebuilt. */
static const char v3[] =
"CREATE TABLE operator_sessions ("
"  token_hash TEXT PRIMARY KEY,"
"  family_id TEXT NOT NULL,"
"  operator_id TEXT NOT NULL REFERENCES operators(id),"
"  expires_at INTEGER NOT NULL,"
"  used_at INTEGER,"
"  revoked_at INTEGER,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX operator_sessions_family ON operator_sessions(family_id);"
"CREATE INDEX operator_sessions_operator ON operator_sessions(operator_id);"
"INSERT INTO operator_sessions"
"  SELECT r.token_hash, r.family_id, r.subject_id, r.expires_at, r.used_at, r.revoked_at, r.created_at"
"  FROM refresh_tokens r JOIN operators o ON o.id = r.subject_id WHERE r.is_operator = 1;"
"CREATE TABLE refresh_tokens_v3 ("
"  token_hash TEXT PRIMARY KEY,"
"  family_id TEXT NOT NULL,"
"  subject_id TEXT NOT NULL,"
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  expires_at INTEGER NOT NULL,"
"  used_at INTEGER,"
"  revoked_at INTEGER,"
"  created_at INTEGER NOT NULL);"
"INSERT INTO refresh_tokens_v3"
"  SELECT r.token_hash, r.family_id, r.subject_id, r.tenant_id, r.expires_at, r.used_at, r.revoked_at, r.created_at"
"  FROM refresh_tokens r JOIN tenants t ON t.id = r.tenant_id WHERE r.is_operator = 0;"
"DROP TABLE refresh_tokens;"
"ALTER TABLE refresh_tokens_v3 RENAME TO refresh_tokens;"
"CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);"
"CREATE INDEX refresh_tokens_subject ON refresh_tokens(subject_id);"
;

/* Version 4: WhatsApp reminders and receipts, shared statement links.
 * A reminder row is claimed (queued or link_ready) before any provider is
 * called and updated afterwards, so the 24-hour rule holds across
 * channels and server processes.  An empty reminder_template means the
 * built-in template of reminder_language.  whatsapp_secret_sealed holds
 * the provider secrets as one sealed JSON object. */
static const char v4[] =
"ALTER TABLE tenant_settings ADD COLUMN reminder_language TEXT NOT NULL DEFAULT 'en';"
"ALTER TABLE tenant_settings ADD COLUMN receipts TEXT NOT NULL DEFAULT 'off';"
"UPDATE tenant_settings SET reminder_template = '' WHERE reminder_template ="
"  'Namaste {name}, your balance at {store} is {balance}, due since {due_date}. Please pay: {upi_link}';"
"CREATE TABLE reminders ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  id TEXT NOT NULL,"
"  customer_id TEXT NOT NULL,"
"  kind TEXT NOT NULL CHECK (kind IN ('reminder','receipt')),"
"  trigger TEXT NOT NULL CHECK (trigger IN ('manual','bulk','scheduled')),"
"  channel TEXT NOT NULL CHECK (channel IN ('link','whatsapp_cloud','twilio')),"
"  status TEXT NOT NULL CHECK (status IN ('link_ready','queued','sent','delivered','read','failed')),"
"  message TEXT NOT NULL,"
"  balance_minor INTEGER NOT NULL,"
"  overdue_minor INTEGER NOT NULL,"
"  currency TEXT NOT NULL,"
"  link TEXT,"
"  entry_id TEXT,"
"  provider_message_id TEXT,"
"  error_code TEXT,"
"  error_message TEXT,"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE);"
"CREATE INDEX reminders_customer ON reminders(tenant_id, customer_id, created_at);"
"CREATE INDEX reminders_created ON reminders(tenant_id, created_at, id);"
"CREATE UNIQUE INDEX reminders_provider ON reminders(tenant_id, channel, provider_message_id)"
"  WHERE provider_message_id IS NOT NULL;"
"CREATE TABLE shares ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id),"
"  id TEXT NOT NULL,"
"  customer_id TEXT NOT NULL,"
"  token_hash TEXT NOT NULL,"
"  expires_at INTEGER NOT NULL,"
"  revoked_at INTEGER,"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  UNIQUE (tenant_id, token_hash),"
"  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE);"
;

/* Version 5: the live event stream (GET /api/v1/events).  tenant_events
 * holds each tenant's changes in the order they committed: seq comes from
 * the tenant's row in tenant_event_heads, which the appending transaction
 * holds until it commits, so a tenant's sequence has no gaps.  pruned_seq
 * is the last seq deleted by retention (a client behind it must reload).
 * event_tickets are the single-use tickets an EventSource presents
 * (?ticket=), stored by hash.  Rows go with their tenant. */
static const char v5[] =
"CREATE TABLE tenant_event_heads ("
"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
"  seq INTEGER NOT NULL,"
"  pruned_seq INTEGER NOT NULL DEFAULT 0);"
"CREATE TABLE tenant_events ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  seq INTEGER NOT NULL,"
"  type TEXT NOT NULL,"
"  entity_id TEXT NOT NULL,"
"  data TEXT NOT NULL,"               /* JSON object, opaque to the store */
"  created_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, seq));"
"CREATE TABLE event_tickets ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  token_hash TEXT NOT NULL,"         /* sha256 of the ticket, hex */
"  user_id TEXT NOT NULL,"
"  token_version INTEGER NOT NULL,"   /* the account's, when it was issued */
"  expires_at INTEGER NOT NULL,"
"  used_at INTEGER,"
"  created_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, token_hash));"
;

/* Reports read the ledger by time and by customer without touching the
 * table: the two indexes they walk carry the columns they sum (same
 * leading columns as before, so every other query reads them as it did).
 * Version 5 is the events work's. */
static const char v6[] =
"DROP INDEX transactions_occurred;"
"CREATE INDEX transactions_occurred ON transactions(tenant_id, occurred_at, id,"
"  type, amount_minor, payment_method, customer_id, effect_minor);"
"DROP INDEX transactions_customer;"
"CREATE INDEX transactions_customer ON transactions(tenant_id, customer_id, occurred_at, id,"
"  type, effect_minor);"

;

/* Version 7: documents attached to customers, their bytes in the
 * database (docs/DOCUMENTS.md).  A document's metadata row holds its size
 * and SHA-256; its bytes are rows of document_chunks of 256 KiB each (the
 * last shorter), each with its own SHA-256 so a download checks every
 * chunk before sending it.  document_usage keeps each store's running
 * total of document bytes, updated in the same transaction as the rows,
 * for the storage quota.  Deleting a customer's rows (a store's purge)
 * takes its documents with it. */
static const char v7[] =
"CREATE TABLE documents ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  id TEXT NOT NULL,"
"  customer_id TEXT NOT NULL,"
"  filename TEXT NOT NULL,"
"  content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg','image/png','image/webp','application/pdf')),"
"  size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),"
"  sha256 TEXT NOT NULL,"
"  chunk_count INTEGER NOT NULL CHECK (chunk_count > 0),"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE);"
"CREATE INDEX documents_customer ON documents(tenant_id, customer_id, created_at, id);"
"CREATE TABLE document_chunks ("
"  tenant_id TEXT NOT NULL,"
"  document_id TEXT NOT NULL,"
"  seq INTEGER NOT NULL CHECK (seq >= 0),"
"  sha256 TEXT NOT NULL,"
"  data BLOB NOT NULL,"
"  PRIMARY KEY (tenant_id, document_id, seq),"
"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE);"
"CREATE TABLE document_usage ("
"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
"  bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),"
"  documents INTEGER NOT NULL DEFAULT 0 CHECK (documents >= 0));"
;

/* Version 9: plans as data, what stores use, and the platform's own audit
 * trail.
 *
 * - platform_audit_log is the hash chain of operator actions (creating,
 *   re-planning, suspending and deleting stores, editing plans, signing
 *   in), kept like a store's audit_log but with no tenant: the head is the
 *   single row of platform_audit_head.  No row is ever updated or deleted,
 *   not even when a store is purged.
 * - request_counts_minute and request_counts_day hold each store's API
 *   requests per UTC minute and per UTC day.  Every server process counts
 *   in memory and adds its counts every few seconds (workers/usage_meter.c),
 *   so the tables are the sum over processes.  Minutes are kept an hour,
 *   days for good (billing); both go with the store.
 */
static const char v9[] =
"CREATE TABLE platform_audit_log ("
"  seq INTEGER PRIMARY KEY,"
"  id TEXT NOT NULL UNIQUE,"
"  actor_id TEXT NOT NULL,"          /* an operator, or \"cli\" */
"  actor_role TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  entity TEXT NOT NULL,"            /* tenant, plan, operator */
"  entity_id TEXT NOT NULL,"
"  before_json TEXT,"
"  after_json TEXT,"
"  request_id TEXT NOT NULL,"
"  client_ip TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  prev_hash TEXT NOT NULL,"
"  hash TEXT NOT NULL);"
"CREATE INDEX platform_audit_entity ON platform_audit_log(entity, entity_id, seq);"
"CREATE TABLE platform_audit_head ("
"  id INTEGER PRIMARY KEY CHECK (id = 1),"
"  seq INTEGER NOT NULL,"
"  hash TEXT NOT NULL);"
"INSERT INTO platform_audit_head VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');"
"CREATE TRIGGER platform_audit_immutable BEFORE UPDATE ON platform_audit_log"
" BEGIN SELECT RAISE(ABORT, 'platform audit rows are immutable'); END;"
"CREATE TRIGGER platform_audit_append_only BEFORE DELETE ON platform_audit_log"
" BEGIN SELECT RAISE(ABORT, 'platform audit rows cannot be deleted'); END;"
"CREATE TABLE request_counts_minute ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  minute INTEGER NOT NULL,"         /* unix time in minutes (ms / 60000) */
"  requests INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, minute));"
"CREATE TABLE request_counts_day ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  day INTEGER NOT NULL,"            /* days since 1970-01-01, UTC */
"  requests INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, day));"

;

/* Version 8: API keys and the shared rate-limit buckets (issue 11).
 * An API key is stored as the SHA-256 of its text only (key_hash; it
 * carries 256 random bits, so a fast hash suffices: docs/API-KEYS.md);
 * prefix is its first 8 characters, shown to tell keys apart.  Revoking
 * sets revoked_at (the row stays, so audit rows naming the key keep a
 * name).  rate_buckets holds a store's shared bucket (security/
 * ratelimit.h, struct rl_shared): on SQLite the server keeps its buckets
 * in memory and never writes here, but the tables are the same on both
 * backends. */
static const char v8[] =
"CREATE TABLE api_keys ("
"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  id TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  role TEXT NOT NULL CHECK (role IN ('admin','member','viewer')),"
"  key_hash TEXT NOT NULL UNIQUE,"
"  prefix TEXT NOT NULL,"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  last_used_at INTEGER,"
"  expires_at INTEGER,"
"  revoked_at INTEGER,"
"  PRIMARY KEY (tenant_id, id));"
"CREATE INDEX api_keys_created ON api_keys(tenant_id, created_at, id);"
"CREATE TABLE rate_buckets ("
"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
"  units INTEGER NOT NULL,"           /* in 1/60000 of a request */
"  updated_at INTEGER NOT NULL,"
"  lease_window INTEGER NOT NULL,"
"  leased_now INTEGER NOT NULL,"
"  leased_before INTEGER NOT NULL);"
;

/* Version 10: each customer's open lots in its row (domain/open_lots.h),
 * so reading a customer's aging reads that row and no entries.  The
 * column holds, oldest first, "<occurred_at>:<remaining minor>" per open
 * lot, ',' between; '' when nothing is owed; NULL when the row does not
 * keep them (more than 128 open lots, read from the entries instead).
 * The writers keep it with each entry under the customer's lock
 * (core/ledger.c, core/import.c); here it is filled from the entries once:
 * the live lots (positive effect, not a reversal, not reversed), newest
 * first, are open while the newer ones leave part of the balance, the
 * oldest open one cut to that part.  oldest_due_at is set again from the
 * same lots and the store's credit period in force (a period changed
 * before this version left it behind; the settings now move it along).
 * A customer whose lots do not add up to the balance keeps NULL, and so
 * is read as before. */
/* SQLite: group_concat as a window function follows the window's ORDER
 * BY (an aggregate's order would not be defined); customers whose lots
 * add up past 4e18 are left NULL, so the running SUM cannot overflow. */
static const char v10[] =
"ALTER TABLE customers ADD COLUMN open_lots TEXT DEFAULT '';"
"UPDATE customers SET open_lots = NULL WHERE balance_minor > 0;"
"UPDATE customers SET oldest_due_at = NULL WHERE balance_minor <= 0;"
"WITH live AS ("
"  SELECT t.tenant_id, t.customer_id, t.occurred_at, t.id, t.effect_minor FROM transactions t"
"  WHERE t.effect_minor > 0 AND t.type <> 'reversal' AND NOT EXISTS (SELECT 1 FROM transactions x"
"    WHERE x.tenant_id = t.tenant_id AND x.reverses_id = t.id)),"
" safe AS ("
"  SELECT tenant_id, customer_id FROM live GROUP BY tenant_id, customer_id"
"  HAVING TOTAL(effect_minor) < 4e18),"
" lots AS ("
"  SELECT l.tenant_id, l.customer_id, l.occurred_at, l.id, l.effect_minor,"
"    SUM(l.effect_minor) OVER (PARTITION BY l.tenant_id, l.customer_id"
"      ORDER BY l.occurred_at DESC, l.id DESC ROWS UNBOUNDED PRECEDING) - l.effect_minor AS newer"
"  FROM live l JOIN safe s ON s.tenant_id = l.tenant_id AND s.customer_id = l.customer_id),"
" open AS ("
"  SELECT l.tenant_id, l.customer_id, l.occurred_at, l.id,"
"    MIN(l.effect_minor, c.balance_minor - l.newer) AS remaining"
"  FROM lots l JOIN customers c ON c.tenant_id = l.tenant_id AND c.id = l.customer_id"
"  WHERE c.balance_minor > 0 AND l.newer < c.balance_minor),"
" listed AS ("
"  SELECT tenant_id, customer_id, n, total, first_at, lots_text FROM ("
"    SELECT tenant_id, customer_id, COUNT(*) OVER w AS n, SUM(remaining) OVER w AS total,"
"      MIN(occurred_at) OVER w AS first_at,"
"      group_concat(occurred_at || ':' || remaining, ',') OVER w AS lots_text,"
"      ROW_NUMBER() OVER (PARTITION BY tenant_id, customer_id ORDER BY occurred_at, id) AS k"
"    FROM open"
"    WINDOW w AS (PARTITION BY tenant_id, customer_id ORDER BY occurred_at, id"
"      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
"  WHERE k = 1)"
"UPDATE customers SET open_lots = CASE WHEN listed.n <= 128 THEN listed.lots_text END,"
"  oldest_due_at = listed.first_at + COALESCE((SELECT s.credit_period_days FROM tenant_settings s"
"    WHERE s.tenant_id = customers.tenant_id), 30) * 86400000"
" FROM listed WHERE customers.tenant_id = listed.tenant_id AND customers.id = listed.customer_id"
" AND listed.total = customers.balance_minor;"
;

/* Version 11: the member feed (store/store_member_feed.h).  Each server
 * process keeps what store_member_context reads in memory
 * (workers/member_cache.h); a change made by another process (a second
 * server on the same file, the CLI, even the sqlite3 shell) reaches it
 * through these triggers: every change to a membership, an account's
 * role-bearing columns, a store's slug, name, plan or status, its settings
 * or a plan takes the next number from member_version_head.seq and writes
 * it against its store in member_versions (plans and deleted stores, whose
 * rows go, set all_seq: every store's).  The writer holds SQLite's one
 * write lock, so the numbers follow commit order and a reader that has
 * seen seq n has seen every change numbered up to n: each process reads
 * the rows past the last seq it saw, four times a second.  The store
 * itself need not exist any more when a trigger runs inside its deletion;
 * then only the head moves. */
#define MEMBER_CHANGED(trigger, event, table, tenant) \
"CREATE TRIGGER " trigger " AFTER " event " ON " table " BEGIN" \
"  UPDATE member_version_head SET seq = seq + 1 WHERE id = 1;" \
"  INSERT INTO member_versions (tenant_id, version)" \
"    SELECT " tenant ", h.seq FROM member_version_head h" \
"    WHERE h.id = 1 AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = " tenant ")" \
"    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;" \
" END;"
#define EVERY_STORE_CHANGED(trigger, event, table) \
"CREATE TRIGGER " trigger " AFTER " event " ON " table " BEGIN" \
"  UPDATE member_version_head SET seq = seq + 1, all_seq = seq + 1 WHERE id = 1;" \
" END;"
static const char v11[] =
"CREATE TABLE member_version_head ("
"  id INTEGER PRIMARY KEY CHECK (id = 1),"
"  seq INTEGER NOT NULL,"             /* the last number given */
"  all_seq INTEGER NOT NULL);"        /* the last one that concerned every store */
"INSERT INTO member_version_head VALUES (1, 0, 0);"
"CREATE TABLE member_versions ("
"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
"  version INTEGER NOT NULL);"        /* the store's last change's number */
"CREATE INDEX member_versions_version ON member_versions(version);"
MEMBER_CHANGED("memberships_member_insert", "INSERT", "memberships", "NEW.tenant_id")
MEMBER_CHANGED("memberships_member_update", "UPDATE", "memberships", "NEW.tenant_id")
MEMBER_CHANGED("memberships_member_delete", "DELETE", "memberships", "OLD.tenant_id")
MEMBER_CHANGED("users_member_update", "UPDATE OF email, name, password_hash, token_version", "users",
	"NEW.tenant_id")
MEMBER_CHANGED("users_member_delete", "DELETE", "users", "OLD.tenant_id")
MEMBER_CHANGED("tenants_member_update", "UPDATE OF slug, name, plan, status", "tenants", "NEW.id")
EVERY_STORE_CHANGED("tenants_member_delete", "DELETE", "tenants")
MEMBER_CHANGED("tenant_settings_member_insert", "INSERT", "tenant_settings", "NEW.tenant_id")
MEMBER_CHANGED("tenant_settings_member_update", "UPDATE", "tenant_settings", "NEW.tenant_id")
MEMBER_CHANGED("tenant_settings_member_delete", "DELETE", "tenant_settings", "OLD.tenant_id")
EVERY_STORE_CHANGED("plans_member_insert", "INSERT", "plans")
EVERY_STORE_CHANGED("plans_member_update", "UPDATE", "plans")
EVERY_STORE_CHANGED("plans_member_delete", "DELETE", "plans")
;
#undef MEMBER_CHANGED
#undef EVERY_STORE_CHANGED

/* Version 12: the store's outstanding total and the count of customers
 * owing, kept by triggers on customers as balances change, so the live
 * summary a write emits reads one row instead of summing every customer.
 * A sum past int64 turns SQLite's integer arithmetic to REAL, and existing
 * stores start with NULL: either way the reader sums the customers again
 * and stores the result (store_event_outstanding).  With no row, no
 * customer of the store has ever owed anything. */
static const char v12[] =
"CREATE TABLE tenant_totals ("
"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
"  outstanding_minor INTEGER,"
"  customers_owing INTEGER);"
"INSERT INTO tenant_totals (tenant_id, outstanding_minor, customers_owing)"
"  SELECT DISTINCT tenant_id, NULL, NULL FROM customers;"
"CREATE TRIGGER customers_totals_insert AFTER INSERT ON customers WHEN NEW.balance_minor > 0 BEGIN"
"  INSERT INTO tenant_totals (tenant_id, outstanding_minor, customers_owing)"
"    VALUES (NEW.tenant_id, NEW.balance_minor, 1)"
"    ON CONFLICT (tenant_id) DO UPDATE SET outstanding_minor = outstanding_minor + excluded.outstanding_minor,"
"      customers_owing = customers_owing + 1;"
"END;"
"CREATE TRIGGER customers_totals_update AFTER UPDATE OF balance_minor ON customers"
"  WHEN max(OLD.balance_minor, 0) <> max(NEW.balance_minor, 0) BEGIN"
"  INSERT INTO tenant_totals (tenant_id, outstanding_minor, customers_owing)"
"    VALUES (NEW.tenant_id, max(NEW.balance_minor, 0) - max(OLD.balance_minor, 0),"
"      (NEW.balance_minor > 0) - (OLD.balance_minor > 0))"
"    ON CONFLICT (tenant_id) DO UPDATE SET outstanding_minor = outstanding_minor + excluded.outstanding_minor,"
"      customers_owing = customers_owing + excluded.customers_owing;"
"END;"
"CREATE TRIGGER customers_totals_delete AFTER DELETE ON customers WHEN OLD.balance_minor > 0 BEGIN"
"  UPDATE tenant_totals SET outstanding_minor = outstanding_minor - OLD.balance_minor,"
"    customers_owing = customers_owing - 1 WHERE tenant_id = OLD.tenant_id;"
"END;"
;

/* Version 13: each account's language for the web app and the API's
 * problem texts ("en" or "hi"; NULL follows the store's locale).  The
 * member cache holds it with the rest of store_member_context, so the
 * trigger that numbers an account's changes for other processes (v11)
 * now fires on it too. */
static const char v13[] =
"ALTER TABLE users ADD COLUMN language TEXT CHECK (language IS NULL OR language IN ('en','hi'));"
"DROP TRIGGER users_member_update;"
"CREATE TRIGGER users_member_update AFTER UPDATE OF email, name, password_hash, token_version, language"
"  ON users BEGIN"
"  UPDATE member_version_head SET seq = seq + 1 WHERE id = 1;"
"  INSERT INTO member_versions (tenant_id, version)"
"    SELECT NEW.tenant_id, h.seq FROM member_version_head h"
"    WHERE h.id = 1 AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = NEW.tenant_id)"
"    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;"
" END;"
;

const struct migration migrations_sqlite[] = {
	{ 1, "foundation and ledger", v1 },
	{ 2, "accounts per store, token versions", v2 },
	{ 3, "security: operator sessions apart from store sessions", v3 },
	{ 4, "reminders, receipts and shared statements", v4 },
	{ 5, "live event stream and its tickets", v5 },
	{ 6, "covering indexes for the reports", v6 },
	{ 7, "documents in chunks, storage usage", v7 },
	{ 8, "API keys and shared rate-limit buckets", v8 },
	{ 9, "plans as data, usage counts, the platform audit trail", v9 },
	{ 10, "open lots kept in the customer row", v10 },
	{ 11, "the member feed: numbered changes to members, stores, plans and settings", v11 },
	{ 12, "store totals kept as balances change", v12 },
	{ 13, "each account's language", v13 },
};
const size_t migrations_sqlite_count = sizeof migrations_sqlite / sizeof migrations_sqlite[0];
