#!/bin/sh
# run-pg.sh — `make run-pg`: the SaaS shape on PostgreSQL in one command.
#
# A throwaway local cluster (tests/lib/pg.sh: its own postgres on a free
# port from 55432 up, run as the postgres OS user when we are root,
# durability off), kept across runs and started again when it is stopped;
# migrated as its owner role, which also creates the login role
# quantumtrack_app with a generated password (`migrate
# --app-password-stdin`); the demo store seeded (as the owner: creating a
# store is a platform change); then the server, connected as
# quantumtrack_app, on 127.0.0.1:8080 until Ctrl-C.
#
# Environment (all optional):
#   QT_DATA_DIR       the server's data directory (secrets), default ./data
#   QT_RUN_PG_DIR     the cluster, default $QT_DATA_DIR/pg
#   QT_LISTEN         where to serve, default 127.0.0.1:8080
#   QT_PG_PORT_FIRST  first port tried for a new cluster, default 55432
#   QT_BIN            the binary, default ./quantumtrack
#
# Stop the cluster:  tests/lib/pg.sh stop-server ./data/pg
# Throw it away:     tests/lib/pg.sh stop ./data/pg
set -eu
cd "$(dirname "$0")/.."

bin=${QT_BIN:-./quantumtrack}
data=${QT_DATA_DIR:-./data}
dir=${QT_RUN_PG_DIR:-$data/pg}
listen=${QT_LISTEN:-127.0.0.1:8080}
pg=tests/lib/pg.sh

die() { echo "run-pg: $*" >&2; exit 1; }

[ -x "$bin" ] || die "$bin not found (run make quantumtrack)"
case $dir in
/*) ;;
*) dir=$(pwd)/$dir ;;
esac

if [ "$(id -u)" -eq 0 ]; then
	# postgres runs as the postgres OS user, which must reach $dir: the
	# data directory is private (0700), so let it pass through (0711: no
	# listing; the secrets inside stay 0600).
	parent=$(dirname "$dir")
	mkdir -p "$parent"
	if ! runuser -u postgres -- test -x "$parent"; then
		chmod o+x "$parent"
		echo "run-pg: made $parent searchable by the postgres user (mode o+x)" >&2
	fi
fi

if [ -f "$dir/.qt_pg_cluster" ]; then
	"$pg" start-server "$dir"
else
	echo "run-pg: creating a PostgreSQL cluster in $dir" >&2
	QT_PG_APP_ROLE=0 "$pg" start "$dir" >/dev/null
fi
env=$("$pg" env "$dir")
owner_url=$(printf '%s\n' "$env" | sed -n 's/^QT_PG_OWNER_URL=//p')
app_url=$(printf '%s\n' "$env" | sed -n 's/^QT_PG_APP_URL=//p')
port=$(printf '%s\n' "$env" | sed -n 's/^PGPORT=//p')
app_pw=$(printf '%s\n' "$app_url" | sed -E 's|^postgres://quantumtrack_app:([^@]*)@.*|\1|')

printf '%s\n' "$app_pw" | "$bin" migrate --db "$owner_url" --app-password-stdin >/dev/null
"$bin" demo --db "$owner_url" --data-dir "$data"

cat >&2 <<MSG
run-pg: PostgreSQL on 127.0.0.1:$port (cluster $dir); the server connects as quantumtrack_app.
  owner role (migrate, tenant, operator commands): $owner_url
  app role (serve):                                $app_url
  sign in at http://$listen/?tenant=quantumtrack as owner@quantumtrack.example / quantumtrack-demo
MSG
exec "$bin" serve --db "$app_url" --data-dir "$data" --listen "$listen"
