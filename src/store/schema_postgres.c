/*
 * schema_postgres.c — the PostgreSQL schema: the same versions, tables and
 * columns as schema_sqlite.c, so the store's SQL runs on both.  Ids are
 * uuid, times BIGINT unix milliseconds, money BIGINT minor units, booleans
 * SMALLINT 0/1, JSON documents TEXT (the store reads and writes them as
 * text).  The columns the store sorts by text (customer name, apartment
 * number) are COLLATE "C": byte order, as SQLite's BINARY, whatever the
 * database's locale, so ORDER BY and keyset pagination agree on both.
 *
 * Roles.  Migrations run as the owner role (whoever the migration URL
 * names); it owns every object.  The server connects as quantumtrack_app,
 * which owns nothing, has no BYPASSRLS, cannot create temporary tables and
 * is granted only what it needs: no UPDATE or DELETE on transactions and
 * audit_log, nothing on tenant_purges, operators and operator_sessions,
 * SELECT on plans, SELECT and UPDATE (name) on tenants.  Version 1 creates
 * it NOLOGIN when it does not exist; `quantumtrack migrate
 * --app-password-stdin` (cli/migrate.c) makes it a login role with that
 * password, or the operator creates it with LOGIN before migrating, as
 * tests/lib/pg.sh does.  Every later migration that adds a table must GRANT
 * to it too, and tests/api/app_role.test.mjs lists what it may do.
 *
 * Tenant isolation.  Every table with a tenant_id column has Row Level
 * Security, forced on the owner as well, with the policy tenant_isolation:
 * a row is visible and writable only when its tenant_id equals
 * app.tenant_id, which db_begin() sets per transaction with
 * set_config(..., true).  No tenant set means no rows.
 * tests/api/rls.test.mjs checks the rule from pg_class and pg_attribute.
 *
 * Platform paths that must cross tenants, or that the app role may not
 * take by itself, call SECURITY DEFINER functions owned by the owner role.
 * Every one runs with search_path pg_catalog, public, pg_temp (pg_temp
 * last, so no temporary object can shadow a table) and names its tables
 * with public.  They switch qt.all_tenants to 'on' for their own duration
 * where they must see every tenant (PostgreSQL 15 does not let a
 * non-superuser put a custom variable in a function's SET clause, so they
 * set and restore it), which the policy all_tenants honours for the owner
 * role only: quantumtrack_app gains nothing by setting the variable
 * itself.  A data migration that must see every tenant's rows does SET
 * LOCAL qt.all_tenants = 'on' first.
 *
 * Changing the platform (creating, suspending, re-planning, purging a
 * store) is allowed by qt_authorized() to the owner role (the CLI) and to
 * a transaction that qt_operator_session() bound to a live operator
 * session; operator sign-in, refresh and sign-out are definer functions
 * too, so the app role can neither read a password hash nor mint a
 * session.  docs/SECURITY-MODEL.md tells the whole design.
 */
#include "store/migrate.h"

static const char v1[] =
"DO $$ BEGIN"
"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'quantumtrack_app') THEN"
"    CREATE ROLE quantumtrack_app NOLOGIN;"
"  END IF;"
"END $$;"

"CREATE TABLE plans ("
"  name TEXT PRIMARY KEY,"
"  customer_limit INTEGER,"          /* NULL = unlimited */
"  storage_mb INTEGER,"
"  requests_per_min INTEGER,"
"  features TEXT NOT NULL,"          /* JSON array of feature names */
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL);"
"INSERT INTO plans VALUES"
" ('free', 50, 100, 60, '[\"ledger\",\"link_reminders\"]', 0, 0),"
" ('starter', 250, 1024, 300, '[\"ledger\",\"link_reminders\",\"reports\",\"csv_export\",\"realtime\"]', 0, 0),"
" ('professional', 1000, 5120, 1200, '[\"ledger\",\"link_reminders\",\"credit_lines\",\"whatsapp_reminders\",\"reports\",\"csv_export\",\"csv_import\",\"multi_currency\",\"realtime\",\"documents\",\"api_keys\"]', 0, 0),"
" ('enterprise', NULL, 51200, NULL, '[\"ledger\",\"link_reminders\",\"credit_lines\",\"whatsapp_reminders\",\"reports\",\"csv_export\",\"csv_import\",\"multi_currency\",\"realtime\",\"documents\",\"api_keys\"]', 0, 0);"

"CREATE TABLE tenants ("
"  id UUID PRIMARY KEY,"
"  slug TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  domain TEXT UNIQUE,"
"  plan TEXT NOT NULL REFERENCES plans(name),"
"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),"
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL);"

"CREATE TABLE tenant_purges (tenant_id UUID PRIMARY KEY);"

"CREATE TABLE tenant_settings ("
"  tenant_id UUID PRIMARY KEY REFERENCES tenants(id),"
"  currency TEXT NOT NULL DEFAULT 'INR',"
"  locale TEXT NOT NULL DEFAULT 'en-IN',"
"  timezone TEXT NOT NULL DEFAULT 'Asia/Kolkata',"
"  default_credit_limit_minor BIGINT NOT NULL DEFAULT 500000,"
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
"  updated_at BIGINT NOT NULL);"

"CREATE TABLE users ("
"  id UUID PRIMARY KEY,"
"  email TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  password_hash TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL);"

"CREATE TABLE memberships ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  user_id UUID NOT NULL REFERENCES users(id),"
"  role TEXT NOT NULL CHECK (role IN ('owner','admin','member','viewer')),"
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, user_id));"
"CREATE INDEX memberships_user ON memberships(user_id);"

"CREATE TABLE operators ("
"  id UUID PRIMARY KEY,"
"  email TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  password_hash TEXT NOT NULL,"
"  created_at BIGINT NOT NULL);"

"CREATE TABLE refresh_tokens ("
"  token_hash TEXT PRIMARY KEY,"
"  family_id UUID NOT NULL,"
"  subject_id UUID NOT NULL,"         /* a user or an operator */
"  tenant_id UUID,"                   /* NULL for operator sessions */
"  is_operator SMALLINT NOT NULL DEFAULT 0,"
"  expires_at BIGINT NOT NULL,"
"  used_at BIGINT,"
"  revoked_at BIGINT,"
"  created_at BIGINT NOT NULL);"
"CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);"
"CREATE INDEX refresh_tokens_subject ON refresh_tokens(subject_id);"

"CREATE TABLE customers ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  id UUID NOT NULL,"
"  name TEXT COLLATE \"C\" NOT NULL,"
"  phone TEXT NOT NULL,"
"  apartment TEXT COLLATE \"C\","
"  tower INTEGER,"
"  floor INTEGER,"
"  unit INTEGER,"
"  email TEXT,"
"  credit_limit_minor BIGINT,"       /* NULL = tenant default */
"  notes TEXT NOT NULL DEFAULT '',"
"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','archived')),"
"  reminders_opt_out SMALLINT NOT NULL DEFAULT 0,"
"  balance_minor BIGINT NOT NULL DEFAULT 0,"
"  oldest_due_at BIGINT,"            /* due time of the oldest unpaid purchase (FIFO) */
"  last_purchase_at BIGINT,"
"  last_payment_at BIGINT,"
"  last_activity_at BIGINT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, id));"
"CREATE UNIQUE INDEX customers_phone_active ON customers(tenant_id, phone) WHERE status = 'active';"
"CREATE INDEX customers_name ON customers(tenant_id, name, id);"
"CREATE INDEX customers_apartment ON customers(tenant_id, apartment, id);"
"CREATE INDEX customers_balance ON customers(tenant_id, balance_minor, id);"
"CREATE INDEX customers_activity ON customers(tenant_id, last_activity_at, id);"

"CREATE TABLE apartments ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  number TEXT COLLATE \"C\" NOT NULL,"
"  tower INTEGER NOT NULL,"
"  floor INTEGER NOT NULL,"
"  unit INTEGER NOT NULL,"
"  occupant_name TEXT NOT NULL DEFAULT '',"
"  occupancy TEXT NOT NULL DEFAULT 'vacant' CHECK (occupancy IN ('owner','tenant','vacant')),"
"  notes TEXT NOT NULL DEFAULT '',"
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, number));"

"CREATE TABLE transactions ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  id UUID NOT NULL,"
"  customer_id UUID NOT NULL,"
"  type TEXT NOT NULL CHECK (type IN ('purchase','payment','adjustment','reversal')),"
"  amount_minor BIGINT NOT NULL,"    /* > 0, signed for adjustment */
"  effect_minor BIGINT NOT NULL,"    /* signed change of what the customer owes */
"  occurred_at BIGINT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  created_by TEXT NOT NULL,"        /* actor id: a user, an API key, the system */
"  note TEXT NOT NULL DEFAULT '',"
"  items TEXT,"                      /* JSON array or NULL */
"  payment_method TEXT,"
"  payment_reference TEXT,"
"  reason TEXT,"
"  override SMALLINT NOT NULL DEFAULT 0,"
"  override_reason TEXT,"
"  reverses_id UUID,"
"  balance_after_minor BIGINT NOT NULL,"
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

"CREATE TABLE idempotency_keys ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  key TEXT NOT NULL,"
"  request_hash TEXT NOT NULL,"
"  status INTEGER NOT NULL DEFAULT 0,"     /* 0 while the first request runs */
"  response_body TEXT,"
"  created_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, key));"
"CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);"

"CREATE TABLE audit_heads ("
"  tenant_id UUID PRIMARY KEY REFERENCES tenants(id),"
"  seq BIGINT NOT NULL,"
"  hash TEXT NOT NULL);"

"CREATE TABLE audit_log ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  seq BIGINT NOT NULL,"
"  id UUID NOT NULL,"
"  actor_id TEXT NOT NULL,"          /* a user, an operator, an API key, the system */
"  actor_role TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  entity TEXT NOT NULL,"
"  entity_id TEXT NOT NULL,"         /* a uuid, an apartment number, ... */
"  before_json TEXT,"
"  after_json TEXT,"
"  request_id TEXT NOT NULL,"
"  client_ip TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  prev_hash TEXT NOT NULL,"
"  hash TEXT NOT NULL,"
"  PRIMARY KEY (tenant_id, seq));"
"CREATE INDEX audit_log_entity ON audit_log(tenant_id, entity, entity_id, seq);"
"CREATE INDEX audit_log_time ON audit_log(tenant_id, created_at, seq);"

/* Append-only ledger and audit trail, as the SQLite triggers: no UPDATE
 * ever, DELETE only while the tenant is being purged.  23001
 * (restrict_violation) so the driver reports DB_CONSTRAINT, as SQLite's
 * RAISE(ABORT) does. */
"CREATE FUNCTION qt_refuse_update() RETURNS trigger LANGUAGE plpgsql"
"  SET search_path = pg_catalog, public AS $$"
"BEGIN"
"  RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';"
"END $$;"
"CREATE FUNCTION qt_refuse_delete() RETURNS trigger LANGUAGE plpgsql"
"  SET search_path = pg_catalog, public AS $$"
"BEGIN"
"  IF NOT EXISTS (SELECT 1 FROM tenant_purges p WHERE p.tenant_id = OLD.tenant_id) THEN"
"    RAISE EXCEPTION '% rows cannot be deleted', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';"
"  END IF;"
"  RETURN OLD;"
"END $$;"
"CREATE TRIGGER transactions_immutable BEFORE UPDATE ON transactions"
"  FOR EACH ROW EXECUTE FUNCTION qt_refuse_update();"
"CREATE TRIGGER transactions_append_only BEFORE DELETE ON transactions"
"  FOR EACH ROW EXECUTE FUNCTION qt_refuse_delete();"
"CREATE TRIGGER audit_log_immutable BEFORE UPDATE ON audit_log"
"  FOR EACH ROW EXECUTE FUNCTION qt_refuse_update();"
"CREATE TRIGGER audit_log_append_only BEFORE DELETE ON audit_log"
"  FOR EACH ROW EXECUTE FUNCTION qt_refuse_delete();"
"CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON transactions"
"  FOR EACH STATEMENT EXECUTE FUNCTION qt_refuse_update();"
"CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
"  FOR EACH STATEMENT EXECUTE FUNCTION qt_refuse_update();"

/* Row Level Security on every tenant table, forced on the owner too. */
"DO $$ DECLARE t text; BEGIN"
"  FOREACH t IN ARRAY ARRAY['tenant_purges','tenant_settings','memberships','customers',"
"      'apartments','transactions','idempotency_keys','audit_heads','audit_log'] LOOP"
"    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);"
"    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);"
"    EXECUTE format('CREATE POLICY tenant_isolation ON %I"
"      USING (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))"
"      WITH CHECK (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))', t);"
"    EXECUTE format('CREATE POLICY all_tenants ON %I TO %I"
"      USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"      WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', t, current_user);"
"  END LOOP;"
"END $$;"

"CREATE FUNCTION qt_user_memberships(user_id uuid)"
"  RETURNS TABLE (tenant_id uuid, role text)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT m.tenant_id, m.role FROM memberships m"
"    WHERE m.user_id = qt_user_memberships.user_id ORDER BY m.created_at, m.tenant_id;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

"CREATE FUNCTION qt_purge_tenant(tenant_id uuid) RETURNS void"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public AS $$"
"#variable_conflict use_column\n"
"DECLARE"
"  victim uuid := qt_purge_tenant.tenant_id;"
"  saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
/* Only a suspended store can be purged, even by a caller that reaches
 * this function directly with the app role. */
"  IF NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = victim AND t.status = 'suspended') THEN"
"    RAISE EXCEPTION 'only a suspended tenant can be deleted' USING ERRCODE = 'check_violation';"
"  END IF;"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  INSERT INTO tenant_purges (tenant_id) VALUES (victim) ON CONFLICT DO NOTHING;"
"  DELETE FROM transactions WHERE tenant_id = victim;"
"  DELETE FROM audit_log WHERE tenant_id = victim;"
"  DELETE FROM audit_heads WHERE tenant_id = victim;"
"  DELETE FROM idempotency_keys WHERE tenant_id = victim;"
"  DELETE FROM apartments WHERE tenant_id = victim;"
"  DELETE FROM customers WHERE tenant_id = victim;"
"  DELETE FROM memberships WHERE tenant_id = victim;"
"  DELETE FROM tenant_settings WHERE tenant_id = victim;"
"  DELETE FROM refresh_tokens WHERE tenant_id = victim;"
"  DELETE FROM tenants WHERE id = victim;"
"  DELETE FROM tenant_purges WHERE tenant_id = victim;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

/* Counts per tenant for the operator's store list: numbers only, no rows. */
"CREATE FUNCTION qt_tenant_usage()"
"  RETURNS TABLE (tenant_id uuid, customers bigint, members bigint)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT t.id,"
"    (SELECT COUNT(*) FROM customers c WHERE c.tenant_id = t.id AND c.status = 'active'),"
"    (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id)"
"    FROM tenants t;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

/* Grants: functions are executable by PUBLIC unless revoked. */
"REVOKE ALL ON FUNCTION qt_user_memberships(uuid) FROM PUBLIC;"
"REVOKE ALL ON FUNCTION qt_purge_tenant(uuid) FROM PUBLIC;"
"REVOKE ALL ON FUNCTION qt_tenant_usage() FROM PUBLIC;"
"GRANT EXECUTE ON FUNCTION qt_tenant_usage() TO quantumtrack_app;"
"REVOKE ALL ON FUNCTION qt_refuse_update() FROM PUBLIC;"
"REVOKE ALL ON FUNCTION qt_refuse_delete() FROM PUBLIC;"
"GRANT EXECUTE ON FUNCTION qt_user_memberships(uuid) TO quantumtrack_app;"
"GRANT EXECUTE ON FUNCTION qt_purge_tenant(uuid) TO quantumtrack_app;"
"GRANT USAGE ON SCHEMA public TO quantumtrack_app;"
"GRANT SELECT ON schema_migrations TO quantumtrack_app;"
"GRANT SELECT, INSERT, UPDATE, DELETE ON plans, tenants, users, operators, refresh_tokens,"
"  tenant_settings, memberships, customers, apartments, idempotency_keys, audit_heads"
"  TO quantumtrack_app;"
"GRANT SELECT, INSERT ON transactions, audit_log TO quantumtrack_app;"
;

/* Version 2: accounts belong to one store (see schema_sqlite.c v2 and
 * docs/ACCOUNTS.md).  users gains tenant_id and so comes under Row Level
 * Security like every tenant table.  The copy runs with qt.all_tenants on,
 * since memberships is already under forced RLS for the owner. */
static const char v2[] =
"SET LOCAL qt.all_tenants = 'on';"
"ALTER TABLE memberships DROP CONSTRAINT memberships_user_id_fkey;"
"ALTER TABLE users RENAME TO users_v1;"
"CREATE TABLE users ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
"  id UUID NOT NULL,"
"  email TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  password_hash TEXT NOT NULL,"
"  token_version BIGINT NOT NULL DEFAULT 0,"
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  UNIQUE (tenant_id, email));"
"INSERT INTO users (tenant_id, id, email, name, password_hash, created_at, updated_at)"
"  SELECT m.tenant_id, u.id, u.email, u.name, u.password_hash, m.created_at, u.updated_at"
"  FROM memberships m JOIN users_v1 u ON u.id = m.user_id;"
"DROP TABLE users_v1;"
"ALTER TABLE memberships ADD CONSTRAINT memberships_user_fkey"
"  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id);"
"ALTER TABLE users ENABLE ROW LEVEL SECURITY;"
"ALTER TABLE users FORCE ROW LEVEL SECURITY;"
"CREATE POLICY tenant_isolation ON users"
"  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))"
"  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));"
"DO $$ BEGIN"
"  EXECUTE format('CREATE POLICY all_tenants ON users TO %I"
"    USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"    WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', current_user);"
"END $$;"
"GRANT SELECT, INSERT, UPDATE, DELETE ON users TO quantumtrack_app;"
"SET LOCAL qt.all_tenants = '';"
;

/*
 * Version 3: the definer functions cannot be misled, and the app role can
 * no longer act as the platform.
 *
 * - Every function in the schema runs with search_path pg_catalog, public,
 *   pg_temp (pg_temp last: a temporary table can no longer shadow one of
 *   ours), and the functions written here name their tables with public.
 *   The loop also catches any function an earlier version created.
 * - Nobody but the database owner may create temporary tables (TEMP is
 *   revoked from PUBLIC and from the app role on this database).
 * - Operator sessions move out of refresh_tokens into operator_sessions,
 *   which the app role cannot reach at all; refresh_tokens gets Row Level
 *   Security like every other table with a tenant_id.
 * - The app role keeps SELECT on plans and tenants and may only rename a
 *   store (tenants.name); operators it cannot read.  Creating, suspending,
 *   re-planning and purging stores go through definer functions that
 *   demand the owner role or a live operator session (qt_authorized()).
 */
static const char v3[] =
"CREATE TABLE public.operator_sessions ("
"  token_hash TEXT PRIMARY KEY,"      /* sha256 of the refresh token, hex */
"  family_id UUID NOT NULL,"          /* the session: one per sign-in */
"  operator_id UUID NOT NULL REFERENCES public.operators(id),"
"  expires_at BIGINT NOT NULL,"
"  used_at BIGINT,"
"  revoked_at BIGINT,"
"  created_at BIGINT NOT NULL);"
"CREATE INDEX operator_sessions_family ON public.operator_sessions(family_id);"
"CREATE INDEX operator_sessions_operator ON public.operator_sessions(operator_id);"
"INSERT INTO public.operator_sessions"
"  SELECT r.token_hash, r.family_id, r.subject_id, r.expires_at, r.used_at, r.revoked_at, r.created_at"
"  FROM public.refresh_tokens r JOIN public.operators o ON o.id = r.subject_id WHERE r.is_operator = 1;"
"DELETE FROM public.refresh_tokens r WHERE r.is_operator <> 0 OR r.tenant_id IS NULL"
"  OR NOT EXISTS (SELECT 1 FROM public.tenants t WHERE t.id = r.tenant_id);"
"ALTER TABLE public.refresh_tokens DROP COLUMN is_operator;"
"ALTER TABLE public.refresh_tokens ALTER COLUMN tenant_id SET NOT NULL;"
"ALTER TABLE public.refresh_tokens ADD CONSTRAINT refresh_tokens_tenant"
"  FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);"
"ALTER TABLE public.refresh_tokens ENABLE ROW LEVEL SECURITY;"
"ALTER TABLE public.refresh_tokens FORCE ROW LEVEL SECURITY;"
"CREATE POLICY tenant_isolation ON public.refresh_tokens"
"  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))"
"  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));"
"DO $$ BEGIN"
"  EXECUTE format('CREATE POLICY all_tenants ON public.refresh_tokens TO %I"
"    USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"    WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', current_user);"
"END $$;"

/* Grants: only what the server's code paths need. */
"REVOKE ALL ON public.plans, public.operators, public.operator_sessions FROM quantumtrack_app;"
"GRANT SELECT ON public.plans TO quantumtrack_app;"
"REVOKE ALL ON public.tenants FROM quantumtrack_app;"
"GRANT SELECT ON public.tenants TO quantumtrack_app;"
"GRANT UPDATE (name, updated_at) ON public.tenants TO quantumtrack_app;"
"REVOKE ALL ON public.refresh_tokens FROM quantumtrack_app;"
"GRANT SELECT, INSERT ON public.refresh_tokens TO quantumtrack_app;"
"GRANT UPDATE (used_at, revoked_at) ON public.refresh_tokens TO quantumtrack_app;"
"DO $$ BEGIN"
"  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());"
"  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM quantumtrack_app', current_database());"
"END $$;"

/* Who may change the platform: the owner role (the CLI, connected with
 * the migration URL) or a request that qt_operator_session() has bound to
 * a live operator session in this transaction.  The app role can set
 * qt.operator_session itself, but it cannot read operator_sessions, so it
 * has no live session id to put there. */
"CREATE FUNCTION public.qt_authorized() RETURNS boolean"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE"
"  v text := current_setting('qt.operator_session', true);"
"  now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;"
"BEGIN"
"  IF pg_catalog.pg_has_role(session_user, current_user, 'MEMBER') THEN"
"    RETURN true;"
"  END IF;"
"  IF v IS NULL OR v !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN"
"    RETURN false;"
"  END IF;"
"  RETURN EXISTS (SELECT 1 FROM public.operator_sessions s"
"    JOIN public.operators o ON o.id = s.operator_id"
"    WHERE s.family_id = v::uuid AND s.revoked_at IS NULL AND s.expires_at > now_ms);"
"END $$;"

"CREATE FUNCTION public.qt_require_authorized(what text) RETURNS void"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"BEGIN"
"  IF NOT public.qt_authorized() THEN"
"    RAISE EXCEPTION '%: needs the database owner role or a live operator session', what"
"      USING ERRCODE = 'insufficient_privilege';"
"  END IF;"
"END $$;"

/* The session behind an operator's access token: its operator when the
 * session is live, and from now on in this transaction the proof that
 * qt_authorized() looks for. */
"CREATE FUNCTION public.qt_operator_session(family uuid)"
"  RETURNS TABLE (operator_id uuid, email text, name text)"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;"
"BEGIN"
"  RETURN QUERY SELECT o.id, o.email, o.name FROM public.operators o"
"    WHERE o.id = (SELECT s.operator_id FROM public.operator_sessions s"
"      WHERE s.family_id = family AND s.revoked_at IS NULL AND s.expires_at > now_ms LIMIT 1);"
"  IF FOUND THEN"
"    PERFORM set_config('qt.operator_session', family::text, true);"
"  END IF;"
"END $$;"

/* Operator sign-in, in two steps, so the app role never sees a password
 * hash: the settings of the stored argon2id hash (everything but the hash
 * itself), then the encoding the server computed with them, compared here.
 * Digests are compared rather than the strings, so the time taken says
 * nothing about how much of the hash matched. */
"CREATE FUNCTION public.qt_operator_password_settings(login_email text) RETURNS text"
"  LANGUAGE sql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"  SELECT substring(o.password_hash FROM"
"    '^(\\$argon2id\\$v=19\\$m=[0-9]+,t=[0-9]+,p=[0-9]+\\$[A-Za-z0-9+/]+\\$)[A-Za-z0-9+/]+$')"
"  FROM public.operators o WHERE o.email = login_email"
"$$;"

"CREATE FUNCTION public.qt_operator_login(login_email text, computed text, token_hash text,"
"    family uuid, expires_at bigint)"
"  RETURNS TABLE (operator_id uuid, email text, name text)"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE"
"  op public.operators%ROWTYPE;"
"  now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;"
"BEGIN"
"  SELECT * INTO op FROM public.operators o WHERE o.email = login_email;"
"  IF NOT FOUND OR computed IS NULL OR"
"     sha256(convert_to(op.password_hash, 'UTF8')) <> sha256(convert_to(computed, 'UTF8')) THEN"
"    RETURN;"
"  END IF;"
"  INSERT INTO public.operator_sessions (token_hash, family_id, operator_id, expires_at, created_at)"
"    VALUES (qt_operator_login.token_hash, family, op.id, qt_operator_login.expires_at, now_ms);"
"  RETURN QUERY SELECT op.id, op.email, op.name;"
"END $$;"

/* Rotate an operator refresh token.  outcome: ok, invalid, revoked,
 * expired, gone (the operator was removed) or reused (a used token came
 * back: the whole session is revoked, and the caller must commit that). */
"CREATE FUNCTION public.qt_operator_refresh(old_hash text, new_hash text, new_expires_at bigint)"
"  RETURNS TABLE (outcome text, operator_id uuid, email text, name text, family_id uuid)"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE"
"  cur public.operator_sessions%ROWTYPE;"
"  op public.operators%ROWTYPE;"
"  now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;"
"BEGIN"
"  SELECT * INTO cur FROM public.operator_sessions s WHERE s.token_hash = old_hash FOR UPDATE;"
"  IF NOT FOUND THEN"
"    RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::text, NULL::text, NULL::uuid; RETURN;"
"  END IF;"
"  IF cur.revoked_at IS NOT NULL THEN"
"    RETURN QUERY SELECT 'revoked'::text, NULL::uuid, NULL::text, NULL::text, cur.family_id; RETURN;"
"  END IF;"
"  IF cur.used_at IS NOT NULL THEN"
"    UPDATE public.operator_sessions SET revoked_at = now_ms"
"      WHERE family_id = cur.family_id AND revoked_at IS NULL;"
"    RETURN QUERY SELECT 'reused'::text, NULL::uuid, NULL::text, NULL::text, cur.family_id; RETURN;"
"  END IF;"
"  IF cur.expires_at <= now_ms THEN"
"    RETURN QUERY SELECT 'expired'::text, NULL::uuid, NULL::text, NULL::text, cur.family_id; RETURN;"
"  END IF;"
"  SELECT * INTO op FROM public.operators o WHERE o.id = cur.operator_id;"
"  IF NOT FOUND THEN"
"    RETURN QUERY SELECT 'gone'::text, NULL::uuid, NULL::text, NULL::text, cur.family_id; RETURN;"
"  END IF;"
"  UPDATE public.operator_sessions SET used_at = now_ms WHERE token_hash = old_hash;"
"  INSERT INTO public.operator_sessions (token_hash, family_id, operator_id, expires_at, created_at)"
"    VALUES (new_hash, cur.family_id, op.id, new_expires_at, now_ms);"
"  RETURN QUERY SELECT 'ok'::text, op.id, op.email, op.name, cur.family_id;"
"END $$;"

/* Sign-out: revoke the session the refresh token belongs to. */
"CREATE FUNCTION public.qt_operator_logout(old_hash text) RETURNS void"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;"
"BEGIN"
"  UPDATE public.operator_sessions SET revoked_at = now_ms"
"    WHERE family_id = (SELECT s.family_id FROM public.operator_sessions s WHERE s.token_hash = old_hash)"
"    AND revoked_at IS NULL;"
"END $$;"

/* A store user's refresh token by its hash, before any tenant is known:
 * that one row and nothing else. */
"CREATE FUNCTION public.qt_refresh_token(wanted_hash text)"
"  RETURNS TABLE (token_hash text, family_id uuid, subject_id uuid, tenant_id uuid,"
"    expires_at bigint, used_at bigint, revoked_at bigint)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT r.token_hash, r.family_id, r.subject_id, r.tenant_id, r.expires_at,"
"    r.used_at, r.revoked_at FROM public.refresh_tokens r WHERE r.token_hash = wanted_hash;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

/* Stores: create, change plan/status/domain, purge. */
/* The tenant row only: its settings row is tenant data, which the caller
 * writes under RLS once it has entered the new tenant. */
"CREATE FUNCTION public.qt_tenant_create(new_id uuid, new_slug text, new_name text,"
"    new_domain text, new_plan text, now_ms bigint) RETURNS void"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"BEGIN"
"  PERFORM public.qt_require_authorized('creating a store');"
"  INSERT INTO public.tenants (id, slug, name, domain, plan, status, created_at, updated_at)"
"    VALUES (new_id, new_slug, new_name, new_domain, new_plan, 'active', now_ms, now_ms);"
"END $$;"

"CREATE FUNCTION public.qt_tenant_update(target uuid, new_plan text, new_status text,"
"    new_domain text, clear_domain bigint, now_ms bigint) RETURNS bigint"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE n bigint;"
"BEGIN"
"  PERFORM public.qt_require_authorized('changing a store''s plan, status or domain');"
"  UPDATE public.tenants t SET plan = COALESCE(new_plan, t.plan), status = COALESCE(new_status, t.status),"
"    domain = CASE WHEN clear_domain = 1 THEN NULL ELSE COALESCE(new_domain, t.domain) END,"
"    updated_at = now_ms WHERE t.id = target;"
"  GET DIAGNOSTICS n = ROW_COUNT;"
"  RETURN n;"
"END $$;"

"CREATE OR REPLACE FUNCTION public.qt_purge_tenant(tenant_id uuid) RETURNS void"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE"
"  victim uuid := qt_purge_tenant.tenant_id;"
"  saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM public.qt_require_authorized('deleting a store');"
/* Only a suspended store can be purged, even by a caller that reaches
 * this function directly. */
"  IF NOT EXISTS (SELECT 1 FROM public.tenants t WHERE t.id = victim AND t.status = 'suspended') THEN"
"    RAISE EXCEPTION 'only a suspended tenant can be deleted' USING ERRCODE = 'check_violation';"
"  END IF;"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  INSERT INTO public.tenant_purges (tenant_id) VALUES (victim) ON CONFLICT DO NOTHING;"
"  DELETE FROM public.transactions WHERE tenant_id = victim;"
"  DELETE FROM public.audit_log WHERE tenant_id = victim;"
"  DELETE FROM public.audit_heads WHERE tenant_id = victim;"
"  DELETE FROM public.idempotency_keys WHERE tenant_id = victim;"
"  DELETE FROM public.apartments WHERE tenant_id = victim;"
"  DELETE FROM public.customers WHERE tenant_id = victim;"
"  DELETE FROM public.memberships WHERE tenant_id = victim;"
"  DELETE FROM public.tenant_settings WHERE tenant_id = victim;"
"  DELETE FROM public.refresh_tokens WHERE tenant_id = victim;"
"  DELETE FROM public.tenants WHERE id = victim;"
"  DELETE FROM public.tenant_purges WHERE tenant_id = victim;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

"CREATE OR REPLACE FUNCTION public.qt_tenant_usage()"
"  RETURNS TABLE (tenant_id uuid, customers bigint, members bigint)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT t.id,"
"    (SELECT COUNT(*) FROM public.customers c WHERE c.tenant_id = t.id AND c.status = 'active'),"
"    (SELECT COUNT(*) FROM public.memberships m WHERE m.tenant_id = t.id)"
"    FROM public.tenants t;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

"CREATE OR REPLACE FUNCTION public.qt_refuse_delete() RETURNS trigger LANGUAGE plpgsql"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"BEGIN"
"  IF NOT EXISTS (SELECT 1 FROM public.tenant_purges p WHERE p.tenant_id = OLD.tenant_id) THEN"
"    RAISE EXCEPTION '% rows cannot be deleted', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';"
"  END IF;"
"  RETURN OLD;"
"END $$;"

/* pg_temp last for every function of ours, whichever version made it. */
"DO $$ DECLARE f regprocedure; BEGIN"
"  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p"
"      WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)"
"      AND p.prokind = 'f' LOOP"
"    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, public, pg_temp', f);"
"  END LOOP;"
"END $$;"

"DO $$ DECLARE f text; BEGIN"
"  FOREACH f IN ARRAY ARRAY['qt_authorized()', 'qt_require_authorized(text)',"
"      'qt_operator_session(uuid)', 'qt_operator_password_settings(text)',"
"      'qt_operator_login(text,text,text,uuid,bigint)', 'qt_operator_refresh(text,text,bigint)',"
"      'qt_operator_logout(text)', 'qt_refresh_token(text)',"
"      'qt_tenant_create(uuid,text,text,text,text,bigint)',"
"      'qt_tenant_update(uuid,text,text,text,bigint,bigint)'] LOOP"
"    EXECUTE format('REVOKE ALL ON FUNCTION public.%s FROM PUBLIC', f);"
"  END LOOP;"
"END $$;"
"GRANT EXECUTE ON FUNCTION public.qt_operator_session(uuid), public.qt_operator_password_settings(text),"
"  public.qt_operator_login(text,text,text,uuid,bigint), public.qt_operator_refresh(text,text,bigint),"
"  public.qt_operator_logout(text), public.qt_refresh_token(text),"
"  public.qt_tenant_create(uuid,text,text,text,text,bigint),"
"  public.qt_tenant_update(uuid,text,text,text,bigint,bigint) TO quantumtrack_app;"
;

/* Version 4: WhatsApp reminders and receipts, shared statement links (see
 * schema_sqlite.c v4); both tables under forced RLS like every tenant
 * table, the app role may read, add and update them but not delete. */
static const char v4[] =
"SET LOCAL qt.all_tenants = 'on';"
"ALTER TABLE tenant_settings ADD COLUMN reminder_language TEXT NOT NULL DEFAULT 'en';"
"ALTER TABLE tenant_settings ADD COLUMN receipts TEXT NOT NULL DEFAULT 'off';"
"UPDATE tenant_settings SET reminder_template = '' WHERE reminder_template ="
"  'Namaste {name}, your balance at {store} is {balance}, due since {due_date}. Please pay: {upi_link}';"
"CREATE TABLE reminders ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  id UUID NOT NULL,"
"  customer_id UUID NOT NULL,"
"  kind TEXT NOT NULL CHECK (kind IN ('reminder','receipt')),"
"  trigger TEXT NOT NULL CHECK (trigger IN ('manual','bulk','scheduled')),"
"  channel TEXT NOT NULL CHECK (channel IN ('link','whatsapp_cloud','twilio')),"
"  status TEXT NOT NULL CHECK (status IN ('link_ready','queued','sent','delivered','read','failed')),"
"  message TEXT NOT NULL,"
"  balance_minor BIGINT NOT NULL,"
"  overdue_minor BIGINT NOT NULL,"
"  currency TEXT NOT NULL,"
"  link TEXT,"
"  entry_id UUID,"
"  provider_message_id TEXT,"
"  error_code TEXT,"
"  error_message TEXT,"
"  created_by TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE);"
"CREATE INDEX reminders_customer ON reminders(tenant_id, customer_id, created_at);"
"CREATE INDEX reminders_created ON reminders(tenant_id, created_at, id);"
"CREATE UNIQUE INDEX reminders_provider ON reminders(tenant_id, channel, provider_message_id)"
"  WHERE provider_message_id IS NOT NULL;"
"CREATE TABLE shares ("
"  tenant_id UUID NOT NULL REFERENCES tenants(id),"
"  id UUID NOT NULL,"
"  customer_id UUID NOT NULL,"
"  token_hash TEXT NOT NULL,"
"  expires_at BIGINT NOT NULL,"
"  revoked_at BIGINT,"
"  created_by TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  UNIQUE (tenant_id, token_hash),"
"  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE);"
"DO $$ DECLARE t text; BEGIN"
"  FOREACH t IN ARRAY ARRAY['reminders','shares'] LOOP"
"    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);"
"    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);"
"    EXECUTE format('CREATE POLICY tenant_isolation ON public.%I"
"      USING (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))"
"      WITH CHECK (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))', t);"
"    EXECUTE format('CREATE POLICY all_tenants ON public.%I TO %I"
"      USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"      WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', t, current_user);"
"  END LOOP;"
"END $$;"
"GRANT SELECT, INSERT, UPDATE ON reminders, shares TO quantumtrack_app;"
"SET LOCAL qt.all_tenants = '';"
;

/* Version 5: the live event stream (see schema_sqlite.c v5).  Appending
 * an event locks the tenant's tenant_event_heads row until commit, so
 * concurrent writers of one tenant take their seq in commit order, and
 * sends NOTIFY qt_events 'tenant_id:seq' in the same transaction (only
 * delivered if it commits).  All three are tenant tables under forced
 * RLS; the app role may prune events and tickets but never rewrite an
 * event. */
static const char v5[] =
"CREATE TABLE public.tenant_event_heads ("
"  tenant_id UUID PRIMARY KEY REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  seq BIGINT NOT NULL,"
"  pruned_seq BIGINT NOT NULL DEFAULT 0);"
"CREATE TABLE public.tenant_events ("
"  tenant_id UUID NOT NULL REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  seq BIGINT NOT NULL,"
"  type TEXT NOT NULL,"
"  entity_id TEXT NOT NULL,"
"  data TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, seq));"
"CREATE TABLE public.event_tickets ("
"  tenant_id UUID NOT NULL REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  token_hash TEXT NOT NULL,"
"  user_id UUID NOT NULL,"
"  token_version BIGINT NOT NULL,"
"  expires_at BIGINT NOT NULL,"
"  used_at BIGINT,"
"  created_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, token_hash));"
"DO $$ DECLARE t text; BEGIN"
"  FOREACH t IN ARRAY ARRAY['tenant_event_heads','tenant_events','event_tickets'] LOOP"
"    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);"
"    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);"
"    EXECUTE format('CREATE POLICY tenant_isolation ON public.%I"
"      USING (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))"
"      WITH CHECK (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))', t);"
"    EXECUTE format('CREATE POLICY all_tenants ON public.%I TO %I"
"      USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"      WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', t, current_user);"
"  END LOOP;"
"END $$;"
"GRANT SELECT, INSERT, UPDATE ON public.tenant_event_heads TO quantumtrack_app;"
"GRANT SELECT, INSERT, DELETE ON public.tenant_events TO quantumtrack_app;"
"GRANT SELECT, INSERT, UPDATE, DELETE ON public.event_tickets TO quantumtrack_app;"
;

/* Reports read the ledger by time and by customer from the indexes alone
 * (index-only scans): the two indexes they walk include the columns they
 * sum; their keys stay as they were.  Version 5 is the events work's. */
static const char v6[] =
"DROP INDEX transactions_occurred;"
"CREATE INDEX transactions_occurred ON transactions(tenant_id, occurred_at, id)"
"  INCLUDE (type, amount_minor, payment_method, customer_id, effect_minor);"
"DROP INDEX transactions_customer;"
"CREATE INDEX transactions_customer ON transactions(tenant_id, customer_id, occurred_at, id)"
"  INCLUDE (type, effect_minor);"

;

/* Version 7: documents (see schema_sqlite.c v7 and docs/DOCUMENTS.md):
 * bytes as bytea chunks, so one pg_dump holds them and every server
 * process reads the same ones.  All three tables are under forced RLS;
 * the app role may read, add and delete documents and chunks but never
 * change one (a stored document is immutable), and read, add and update
 * the usage total. */
static const char v7[] =
"SET LOCAL qt.all_tenants = 'on';"
"CREATE TABLE public.documents ("
"  tenant_id UUID NOT NULL REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  id UUID NOT NULL,"
"  customer_id UUID NOT NULL,"
"  filename TEXT NOT NULL,"
"  content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg','image/png','image/webp','application/pdf')),"
"  size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),"
"  sha256 TEXT NOT NULL,"
"  chunk_count INTEGER NOT NULL CHECK (chunk_count > 0),"
"  created_by TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, id),"
"  FOREIGN KEY (tenant_id, customer_id) REFERENCES public.customers(tenant_id, id) ON DELETE CASCADE);"
"CREATE INDEX documents_customer ON public.documents(tenant_id, customer_id, created_at, id);"
"CREATE TABLE public.document_chunks ("
"  tenant_id UUID NOT NULL,"
"  document_id UUID NOT NULL,"
"  seq INTEGER NOT NULL CHECK (seq >= 0),"
"  sha256 TEXT NOT NULL,"
"  data BYTEA NOT NULL,"
"  PRIMARY KEY (tenant_id, document_id, seq),"
"  FOREIGN KEY (tenant_id, document_id) REFERENCES public.documents(tenant_id, id) ON DELETE CASCADE);"
/* The chunks are compressed images and PDFs already: kept out of line
 * as they are, without a second compression pass. */
"ALTER TABLE public.document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;"
"CREATE TABLE public.document_usage ("
"  tenant_id UUID PRIMARY KEY REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  bytes BIGINT NOT NULL DEFAULT 0 CHECK (bytes >= 0),"
"  documents BIGINT NOT NULL DEFAULT 0 CHECK (documents >= 0));"
"DO $$ DECLARE t text; BEGIN"
"  FOREACH t IN ARRAY ARRAY['documents','document_chunks','document_usage'] LOOP"
"    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);"
"    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);"
"    EXECUTE format('CREATE POLICY tenant_isolation ON public.%I"
"      USING (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))"
"      WITH CHECK (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))', t);"
"    EXECUTE format('CREATE POLICY all_tenants ON public.%I TO %I"
"      USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"      WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', t, current_user);"
"  END LOOP;"
"END $$;"
"GRANT SELECT, INSERT, DELETE ON public.documents, public.document_chunks TO quantumtrack_app;"
"GRANT SELECT, INSERT, UPDATE ON public.document_usage TO quantumtrack_app;"
"SET LOCAL qt.all_tenants = '';"
;

/* Version 8: API keys and the shared rate-limit buckets (see
 * schema_sqlite.c v8), both under forced RLS like every tenant table.
 * A request with a key knows no tenant until the key is found, so the
 * lookup by hash goes through qt_api_key(), a definer function that gives
 * that one live key's id, tenant, role, expiry and last use, and nothing
 * else.  The app role may add keys and mark them used or revoked (no
 * DELETE: a revoked key stays on record); it reads, adds and updates the
 * buckets (api/ratelimit_gate.c leases from them). */
static const char v8[] =
"CREATE TABLE public.api_keys ("
"  tenant_id UUID NOT NULL REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  id UUID NOT NULL,"
"  name TEXT NOT NULL,"
"  role TEXT NOT NULL CHECK (role IN ('admin','member','viewer')),"
"  key_hash TEXT NOT NULL UNIQUE,"
"  prefix TEXT NOT NULL,"
"  created_by TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  last_used_at BIGINT,"
"  expires_at BIGINT,"
"  revoked_at BIGINT,"
"  PRIMARY KEY (tenant_id, id));"
"CREATE INDEX api_keys_created ON public.api_keys(tenant_id, created_at, id);"
"CREATE TABLE public.rate_buckets ("
"  tenant_id UUID PRIMARY KEY REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  units BIGINT NOT NULL,"
"  updated_at BIGINT NOT NULL,"
"  lease_window BIGINT NOT NULL,"
"  leased_now BIGINT NOT NULL,"
"  leased_before BIGINT NOT NULL);"
"DO $$ DECLARE t text; BEGIN"
"  FOREACH t IN ARRAY ARRAY['api_keys','rate_buckets'] LOOP"
"    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);"
"    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);"
"    EXECUTE format('CREATE POLICY tenant_isolation ON public.%I"
"      USING (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))"
"      WITH CHECK (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))', t);"
"    EXECUTE format('CREATE POLICY all_tenants ON public.%I TO %I"
"      USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"      WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', t, current_user);"
"  END LOOP;"
"END $$;"
"GRANT SELECT, INSERT ON public.api_keys TO quantumtrack_app;"
"GRANT UPDATE (last_used_at, revoked_at) ON public.api_keys TO quantumtrack_app;"
"GRANT SELECT, INSERT, UPDATE ON public.rate_buckets TO quantumtrack_app;"

/* A live key by the hash of its text, before any tenant is known: that
 * one row's id, tenant, role, expiry and last use. */
"CREATE FUNCTION public.qt_api_key(wanted_hash text)"
"  RETURNS TABLE (id uuid, tenant_id uuid, role text, expires_at bigint, last_used_at bigint)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT k.id, k.tenant_id, k.role, k.expires_at, k.last_used_at"
"    FROM public.api_keys k WHERE k.key_hash = wanted_hash AND k.revoked_at IS NULL;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"
"REVOKE ALL ON FUNCTION public.qt_api_key(text) FROM PUBLIC;"
"GRANT EXECUTE ON FUNCTION public.qt_api_key(text) TO quantumtrack_app;"
;

/*
 * Version 9: plans as data, what stores use, the platform audit trail (see
 * schema_sqlite.c v9).
 *
 * - The app role still has only SELECT on plans: creating, changing and
 *   deleting a plan are definer functions behind qt_authorized(), as the
 *   store changes are.
 * - platform_audit_log and its head are the owner's: the app role may read
 *   them (the operator's audit list, `verify`) and append only through
 *   qt_platform_audit_head() (which locks the head) and
 *   qt_platform_audit_append(), both behind qt_authorized(); a row written
 *   in an operator's session must name that session's operator.  No row is
 *   ever updated or deleted, by anyone.
 * - request_counts_minute and request_counts_day are tenant tables under
 *   forced RLS: each server process adds its counts inside the store's
 *   scope.  The operator's figures across stores come from definer
 *   functions that return numbers only, behind qt_authorized().
 * - The storage estimate of every store (the quota's: docs/DOCUMENTS.md)
 *   is made from counts that qt_usage_storage() returns per store.
 */
static const char v9[] =
"CREATE TABLE public.platform_audit_log ("
"  seq BIGINT PRIMARY KEY,"
"  id UUID NOT NULL UNIQUE,"
"  actor_id TEXT NOT NULL,"
"  actor_role TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  entity TEXT NOT NULL,"
"  entity_id TEXT NOT NULL,"
"  before_json TEXT,"
"  after_json TEXT,"
"  request_id TEXT NOT NULL,"
"  client_ip TEXT NOT NULL,"
"  created_at BIGINT NOT NULL,"
"  prev_hash TEXT NOT NULL,"
"  hash TEXT NOT NULL);"
"CREATE INDEX platform_audit_entity ON public.platform_audit_log(entity, entity_id, seq);"
"CREATE TABLE public.platform_audit_head ("
"  id SMALLINT PRIMARY KEY CHECK (id = 1),"
"  seq BIGINT NOT NULL,"
"  hash TEXT NOT NULL);"
"INSERT INTO public.platform_audit_head VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');"
"CREATE TRIGGER platform_audit_immutable BEFORE UPDATE OR DELETE ON public.platform_audit_log"
"  FOR EACH ROW EXECUTE FUNCTION public.qt_refuse_update();"
"CREATE TRIGGER platform_audit_no_truncate BEFORE TRUNCATE ON public.platform_audit_log"
"  FOR EACH STATEMENT EXECUTE FUNCTION public.qt_refuse_update();"

"CREATE TABLE public.request_counts_minute ("
"  tenant_id UUID NOT NULL REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  minute BIGINT NOT NULL,"
"  requests BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, minute));"
"CREATE TABLE public.request_counts_day ("
"  tenant_id UUID NOT NULL REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  day BIGINT NOT NULL,"
"  requests BIGINT NOT NULL,"
"  PRIMARY KEY (tenant_id, day));"
"DO $$ DECLARE t text; BEGIN"
"  FOREACH t IN ARRAY ARRAY['request_counts_minute','request_counts_day'] LOOP"
"    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);"
"    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);"
"    EXECUTE format('CREATE POLICY tenant_isolation ON public.%I"
"      USING (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))"
"      WITH CHECK (tenant_id = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))', t);"
"    EXECUTE format('CREATE POLICY all_tenants ON public.%I TO %I"
"      USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"      WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', t, current_user);"
"  END LOOP;"
"END $$;"
"GRANT SELECT, INSERT, UPDATE, DELETE ON public.request_counts_minute TO quantumtrack_app;"
"GRANT SELECT, INSERT, UPDATE ON public.request_counts_day TO quantumtrack_app;"
"GRANT SELECT ON public.platform_audit_log, public.platform_audit_head TO quantumtrack_app;"

/* Plans. */
"CREATE FUNCTION public.qt_plan_create(plan_name text, new_customer_limit bigint,"
"    new_storage_mb bigint, new_requests_per_min bigint, new_features text, now_ms bigint)"
"  RETURNS void"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"BEGIN"
"  PERFORM public.qt_require_authorized('creating a plan');"
"  INSERT INTO public.plans (name, customer_limit, storage_mb, requests_per_min, features, created_at, updated_at)"
"    VALUES (plan_name, new_customer_limit, new_storage_mb, new_requests_per_min, new_features, now_ms, now_ms);"
"END $$;"

/* updated_at is the plan's version, which the servers' caches key on:
 * it moves forward on every change, even two in one millisecond. */
"CREATE FUNCTION public.qt_plan_update(plan_name text, new_customer_limit bigint,"
"    new_storage_mb bigint, new_requests_per_min bigint, new_features text, now_ms bigint)"
"  RETURNS bigint"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE n bigint;"
"BEGIN"
"  PERFORM public.qt_require_authorized('changing a plan');"
"  UPDATE public.plans p SET customer_limit = new_customer_limit, storage_mb = new_storage_mb,"
"    requests_per_min = new_requests_per_min, features = new_features,"
"    updated_at = GREATEST(p.updated_at + 1, now_ms) WHERE p.name = plan_name;"
"  GET DIAGNOSTICS n = ROW_COUNT;"
"  RETURN n;"
"END $$;"

/* A plan a store is on cannot go: the foreign key from tenants refuses
 * (23503), which the caller reports as in use. */
"CREATE FUNCTION public.qt_plan_delete(plan_name text) RETURNS bigint"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE n bigint;"
"BEGIN"
"  PERFORM public.qt_require_authorized('deleting a plan');"
"  DELETE FROM public.plans p WHERE p.name = plan_name;"
"  GET DIAGNOSTICS n = ROW_COUNT;"
"  RETURN n;"
"END $$;"

/* The platform audit chain: lock the head, then append the row the server
 * hashed.  An operator's request may write rows in that operator's name
 * only; the owner role (the CLI) writes its own. */
"CREATE FUNCTION public.qt_platform_audit_head() RETURNS TABLE (seq bigint, hash text)"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"BEGIN"
"  PERFORM public.qt_require_authorized('writing the platform audit trail');"
"  RETURN QUERY SELECT h.seq, h.hash FROM public.platform_audit_head h WHERE h.id = 1 FOR UPDATE;"
"END $$;"

"CREATE FUNCTION public.qt_platform_audit_append(new_seq bigint, new_id uuid, new_actor_id text,"
"    new_actor_role text, new_action text, new_entity text, new_entity_id text, new_before text,"
"    new_after text, new_request_id text, new_client_ip text, new_created_at bigint,"
"    new_prev_hash text, new_hash text) RETURNS void"
"  LANGUAGE plpgsql SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE"
"  head public.platform_audit_head%ROWTYPE;"
"  sess text := current_setting('qt.operator_session', true);"
"BEGIN"
"  PERFORM public.qt_require_authorized('writing the platform audit trail');"
"  IF NOT pg_catalog.pg_has_role(session_user, current_user, 'MEMBER') AND NOT EXISTS ("
"      SELECT 1 FROM public.operator_sessions s"
"      WHERE s.family_id = sess::uuid AND s.operator_id::text = new_actor_id) THEN"
"    RAISE EXCEPTION 'a platform audit row names the signed-in operator'"
"      USING ERRCODE = 'insufficient_privilege';"
"  END IF;"
"  SELECT * INTO head FROM public.platform_audit_head h WHERE h.id = 1 FOR UPDATE;"
"  IF head.seq + 1 <> new_seq OR head.hash <> new_prev_hash THEN"
"    RAISE EXCEPTION 'the platform audit chain moved on' USING ERRCODE = 'serialization_failure';"
"  END IF;"
"  INSERT INTO public.platform_audit_log (seq, id, actor_id, actor_role, action, entity, entity_id,"
"      before_json, after_json, request_id, client_ip, created_at, prev_hash, hash)"
"    VALUES (new_seq, new_id, new_actor_id, new_actor_role, new_action, new_entity, new_entity_id,"
"      new_before, new_after, new_request_id, new_client_ip, new_created_at, new_prev_hash, new_hash);"
"  UPDATE public.platform_audit_head SET seq = new_seq, hash = new_hash WHERE id = 1;"
"END $$;"

/* The counts the storage estimate is made of (store_usage.c applies it,
 * as the quota does: docs/DOCUMENTS.md), per store. */
"CREATE FUNCTION public.qt_usage_storage()"
"  RETURNS TABLE (tenant_id uuid, changes bigint, customers bigint, documents bigint, documents_bytes bigint)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM public.qt_require_authorized('reading every store''s usage');"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT t.id,"
"    COALESCE((SELECT h.seq FROM public.audit_heads h WHERE h.tenant_id = t.id), 0)::bigint,"
"    (SELECT COUNT(*) FROM public.customers c WHERE c.tenant_id = t.id)::bigint,"
"    COALESCE((SELECT u.documents FROM public.document_usage u WHERE u.tenant_id = t.id), 0)::bigint,"
"    COALESCE((SELECT u.bytes FROM public.document_usage u WHERE u.tenant_id = t.id), 0)::bigint"
"    FROM public.tenants t;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

"CREATE FUNCTION public.qt_usage_requests(cur_minute bigint, cur_day bigint)"
"  RETURNS TABLE (tenant_id uuid, requests_minute bigint, requests_prev_minute bigint, requests_today bigint)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM public.qt_require_authorized('reading every store''s usage');"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT t.id,"
"    COALESCE((SELECT m.requests FROM public.request_counts_minute m"
"      WHERE m.tenant_id = t.id AND m.minute = cur_minute), 0)::bigint,"
"    COALESCE((SELECT m.requests FROM public.request_counts_minute m"
"      WHERE m.tenant_id = t.id AND m.minute = cur_minute - 1), 0)::bigint,"
"    COALESCE((SELECT d.requests FROM public.request_counts_day d"
"      WHERE d.tenant_id = t.id AND d.day = cur_day), 0)::bigint"
"    FROM public.tenants t;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

"CREATE FUNCTION public.qt_usage_month(first_day bigint, last_day bigint, from_ms bigint, to_ms bigint)"
"  RETURNS TABLE (tenant_id uuid, requests bigint, active_days bigint, peak_day_requests bigint,"
"    customers_added bigint)"
"  LANGUAGE plpgsql STABLE SECURITY DEFINER"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"#variable_conflict use_column\n"
"DECLARE saved text := current_setting('qt.all_tenants', true);"
"BEGIN"
"  PERFORM public.qt_require_authorized('reading every store''s usage');"
"  PERFORM set_config('qt.all_tenants', 'on', true);"
"  RETURN QUERY SELECT t.id,"
"    COALESCE((SELECT SUM(d.requests) FROM public.request_counts_day d"
"      WHERE d.tenant_id = t.id AND d.day BETWEEN first_day AND last_day), 0)::bigint,"
"    (SELECT COUNT(*) FROM public.request_counts_day d"
"      WHERE d.tenant_id = t.id AND d.day BETWEEN first_day AND last_day AND d.requests > 0)::bigint,"
"    COALESCE((SELECT MAX(d.requests) FROM public.request_counts_day d"
"      WHERE d.tenant_id = t.id AND d.day BETWEEN first_day AND last_day), 0)::bigint,"
"    (SELECT COUNT(*) FROM public.customers c"
"      WHERE c.tenant_id = t.id AND c.created_at >= from_ms AND c.created_at < to_ms)::bigint"
"    FROM public.tenants t;"
"  PERFORM set_config('qt.all_tenants', coalesce(saved, ''), true);"
"END $$;"

"DO $$ DECLARE f text; BEGIN"
"  FOREACH f IN ARRAY ARRAY["
"      'qt_plan_create(text,bigint,bigint,bigint,text,bigint)',"
"      'qt_plan_update(text,bigint,bigint,bigint,text,bigint)',"
"      'qt_plan_delete(text)', 'qt_platform_audit_head()',"
"      'qt_platform_audit_append(bigint,uuid,text,text,text,text,text,text,text,text,text,bigint,text,text)',"
"      'qt_usage_storage()', 'qt_usage_requests(bigint,bigint)',"
"      'qt_usage_month(bigint,bigint,bigint,bigint)'] LOOP"
"    EXECUTE format('REVOKE ALL ON FUNCTION public.%s FROM PUBLIC', f);"
"    EXECUTE format('GRANT EXECUTE ON FUNCTION public.%s TO quantumtrack_app', f);"
"  END LOOP;"
"END $$;"
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
/* PostgreSQL: every tenant's rows, under qt.all_tenants for the owner
 * role (the policy all_tenants); SUM over bigint is numeric, so the
 * running sums cannot overflow. */
static const char v10[] =
"SET LOCAL qt.all_tenants = 'on';"
"ALTER TABLE customers ADD COLUMN open_lots TEXT DEFAULT '';"
"UPDATE customers SET open_lots = NULL WHERE balance_minor > 0;"
"UPDATE customers SET oldest_due_at = NULL WHERE balance_minor <= 0;"
"WITH lots AS ("
"  SELECT t.tenant_id, t.customer_id, t.occurred_at, t.id, t.effect_minor,"
"    SUM(t.effect_minor) OVER (PARTITION BY t.tenant_id, t.customer_id"
"      ORDER BY t.occurred_at DESC, t.id DESC ROWS UNBOUNDED PRECEDING) - t.effect_minor AS newer"
"  FROM transactions t"
"  WHERE t.effect_minor > 0 AND t.type <> 'reversal' AND NOT EXISTS (SELECT 1 FROM transactions x"
"    WHERE x.tenant_id = t.tenant_id AND x.reverses_id = t.id)),"
" open AS ("
"  SELECT l.tenant_id, l.customer_id, l.occurred_at, l.id,"
"    LEAST(l.effect_minor, c.balance_minor - l.newer)::bigint AS remaining"
"  FROM lots l JOIN customers c ON c.tenant_id = l.tenant_id AND c.id = l.customer_id"
"  WHERE c.balance_minor > 0 AND l.newer < c.balance_minor),"
" listed AS ("
"  SELECT o.tenant_id, o.customer_id, COUNT(*) AS n, SUM(o.remaining) AS total,"
"    MIN(o.occurred_at) AS first_at,"
"    string_agg(o.occurred_at::text || ':' || o.remaining::text, ',' ORDER BY o.occurred_at, o.id)"
"      AS lots_text"
"  FROM open o GROUP BY o.tenant_id, o.customer_id)"
"UPDATE customers c SET open_lots = CASE WHEN l.n <= 128 THEN l.lots_text END,"
"  oldest_due_at = l.first_at + COALESCE((SELECT s.credit_period_days FROM tenant_settings s"
"    WHERE s.tenant_id = c.tenant_id), 30)::bigint * 86400000"
" FROM listed l WHERE c.tenant_id = l.tenant_id AND c.id = l.customer_id"
" AND l.total = c.balance_minor;"
;

/*
 * Version 11: the member feed (store/store_member_feed.h, see
 * schema_sqlite.c v11).  Each server process keeps what
 * store_member_context reads in memory (workers/member_cache.h); a change
 * made through another process reaches it as a notification, sent by
 * these triggers in the transaction of the change and so delivered only
 * if it commits: "m:<tenant id>" on the events channel for a membership,
 * an account's role-bearing columns, a store's slug, name, plan or status,
 * or its settings; "m:*" for a plan.  NOTIFY folds identical payloads of
 * one transaction into one.
 *
 * Unlike SQLite's, the changes are not numbered in a table here: every
 * process hears them by LISTEN (from the event hub's connection), and one
 * that was not listening forgets all it kept, so nothing would read such a
 * counter; and its row, locked by each member change of a store to the
 * end of the transaction, would be a lock that a member's removal and the
 * same member's sign-out could take in opposite orders.  The functions
 * run as the caller (NOTIFY needs no privilege) with a pinned search_path.
 */
static const char v11[] =
"CREATE FUNCTION public.qt_member_row_changed() RETURNS trigger LANGUAGE plpgsql"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"BEGIN"
"  IF TG_OP = 'DELETE' THEN"
"    PERFORM pg_notify('qt_events', 'm:' || OLD.tenant_id::text);"
"  ELSE"
"    PERFORM pg_notify('qt_events', 'm:' || NEW.tenant_id::text);"
"    IF TG_OP = 'UPDATE' AND OLD.tenant_id IS DISTINCT FROM NEW.tenant_id THEN"
"      PERFORM pg_notify('qt_events', 'm:' || OLD.tenant_id::text);"
"    END IF;"
"  END IF;"
"  RETURN NULL;"
"END $$;"
"CREATE FUNCTION public.qt_member_store_changed() RETURNS trigger LANGUAGE plpgsql"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"BEGIN"
"  IF TG_OP = 'DELETE' THEN"
"    PERFORM pg_notify('qt_events', 'm:' || OLD.id::text);"
"  ELSE"
"    PERFORM pg_notify('qt_events', 'm:' || NEW.id::text);"
"  END IF;"
"  RETURN NULL;"
"END $$;"
"CREATE FUNCTION public.qt_member_plans_changed() RETURNS trigger LANGUAGE plpgsql"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"BEGIN"
"  PERFORM pg_notify('qt_events', 'm:*');"
"  RETURN NULL;"
"END $$;"
"CREATE TRIGGER memberships_member_changed AFTER INSERT OR UPDATE OR DELETE ON public.memberships"
"  FOR EACH ROW EXECUTE FUNCTION public.qt_member_row_changed();"
"CREATE TRIGGER users_member_changed"
"  AFTER UPDATE OF email, name, password_hash, token_version OR DELETE ON public.users"
"  FOR EACH ROW EXECUTE FUNCTION public.qt_member_row_changed();"
"CREATE TRIGGER tenant_settings_member_changed AFTER INSERT OR UPDATE OR DELETE ON public.tenant_settings"
"  FOR EACH ROW EXECUTE FUNCTION public.qt_member_row_changed();"
"CREATE TRIGGER tenants_member_changed AFTER UPDATE OF slug, name, plan, status OR DELETE ON public.tenants"
"  FOR EACH ROW EXECUTE FUNCTION public.qt_member_store_changed();"
"CREATE TRIGGER plans_member_changed AFTER INSERT OR UPDATE OR DELETE ON public.plans"
"  FOR EACH STATEMENT EXECUTE FUNCTION public.qt_member_plans_changed();"
"DO $$ DECLARE f text; BEGIN"
"  FOREACH f IN ARRAY ARRAY['qt_member_row_changed()', 'qt_member_store_changed()',"
"      'qt_member_plans_changed()'] LOOP"
"    EXECUTE format('REVOKE ALL ON FUNCTION public.%s FROM PUBLIC', f);"
"  END LOOP;"
"END $$;"
;

/* Version 12: the store's outstanding total and the count of customers
 * owing, kept by a trigger on customers (see schema_sqlite.c v12).  The
 * total is NUMERIC here, so it never overflows; the reader says "unknown"
 * when it is past int64.  The trigger runs as whoever changes the
 * customer, in that customer's tenant, under the same RLS; on a delete it
 * only updates (a store being deleted loses its row by cascade). */
static const char v12[] =
"CREATE TABLE public.tenant_totals ("
"  tenant_id UUID PRIMARY KEY REFERENCES public.tenants(id) ON DELETE CASCADE,"
"  outstanding_minor NUMERIC NOT NULL DEFAULT 0,"
"  customers_owing BIGINT NOT NULL DEFAULT 0);"
"ALTER TABLE public.tenant_totals ENABLE ROW LEVEL SECURITY;"
"ALTER TABLE public.tenant_totals FORCE ROW LEVEL SECURITY;"
"CREATE POLICY tenant_isolation ON public.tenant_totals"
"  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))"
"  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));"
"DO $$ BEGIN"
"  EXECUTE format('CREATE POLICY all_tenants ON public.tenant_totals TO %I"
"    USING ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')"
"    WITH CHECK ((SELECT current_setting(''qt.all_tenants'', true)) = ''on'')', current_user);"
"END $$;"
"GRANT SELECT, INSERT, UPDATE ON public.tenant_totals TO quantumtrack_app;"
"CREATE FUNCTION public.customers_keep_totals() RETURNS trigger LANGUAGE plpgsql"
"  SET search_path = pg_catalog, public, pg_temp AS $$"
"DECLARE d numeric := 0; o bigint := 0;"
"BEGIN"
"  IF TG_OP IN ('UPDATE', 'DELETE') THEN"
"    d := d - greatest(OLD.balance_minor, 0); o := o - (OLD.balance_minor > 0)::int;"
"  END IF;"
"  IF TG_OP IN ('INSERT', 'UPDATE') THEN"
"    d := d + greatest(NEW.balance_minor, 0); o := o + (NEW.balance_minor > 0)::int;"
"  END IF;"
"  IF d = 0 AND o = 0 THEN RETURN NULL; END IF;"
"  IF TG_OP = 'DELETE' THEN"
"    UPDATE public.tenant_totals SET outstanding_minor = outstanding_minor + d,"
"      customers_owing = customers_owing + o WHERE tenant_id = OLD.tenant_id;"
"  ELSE"
"    INSERT INTO public.tenant_totals AS tt (tenant_id, outstanding_minor, customers_owing)"
"      VALUES (NEW.tenant_id, d, o) ON CONFLICT (tenant_id) DO UPDATE"
"      SET outstanding_minor = tt.outstanding_minor + d, customers_owing = tt.customers_owing + o;"
"  END IF;"
"  RETURN NULL;"
"END $$;"
"CREATE TRIGGER customers_keep_totals AFTER INSERT OR DELETE OR UPDATE OF balance_minor"
"  ON public.customers FOR EACH ROW EXECUTE FUNCTION public.customers_keep_totals();"
"SET LOCAL qt.all_tenants = 'on';"
"INSERT INTO public.tenant_totals (tenant_id, outstanding_minor, customers_owing)"
"  SELECT tenant_id, COALESCE(SUM(greatest(balance_minor, 0)), 0), COUNT(*) FILTER (WHERE balance_minor > 0)"
"  FROM public.customers GROUP BY tenant_id;"
"SET LOCAL qt.all_tenants = '';"
;

/* Version 13: each account's language (see schema_sqlite.c v13); the
 * member feed's trigger on users (v11) now fires on it too. */
static const char v13[] =
"ALTER TABLE public.users ADD COLUMN language TEXT"
"  CHECK (language IS NULL OR language IN ('en','hi'));"
"DROP TRIGGER users_member_changed ON public.users;"
"CREATE TRIGGER users_member_changed"
"  AFTER UPDATE OF email, name, password_hash, token_version, language OR DELETE ON public.users"
"  FOR EACH ROW EXECUTE FUNCTION public.qt_member_row_changed();"
;

const struct migration migrations_postgres[] = {
	{ 1, "foundation and ledger", v1 },
	{ 2, "accounts per store, token versions", v2 },
	{ 3, "security: definer search_path, no temp tables, operator sessions, RLS on refresh tokens", v3 },
	{ 4, "reminders, receipts and shared statements", v4 },
	{ 5, "live event stream and its tickets", v5 },
	{ 6, "covering indexes for the reports", v6 },
	{ 7, "documents in chunks, storage usage", v7 },
	{ 8, "API keys and shared rate-limit buckets", v8 },
	{ 9, "plans as data, usage counts, the platform audit trail", v9 },
	{ 10, "open lots kept in the customer row", v10 },
	{ 11, "the member feed: notifications of changes to members, stores, plans and settings", v11 },
	{ 12, "store totals kept as balances change", v12 },
	{ 13, "each account's language", v13 },
};
const size_t migrations_postgres_count = sizeof migrations_postgres / sizeof migrations_postgres[0];
