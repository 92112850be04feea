#!/bin/sh
# pg.sh — a throwaway PostgreSQL 15 cluster for tests.
#
#   tests/lib/pg.sh start DIR   initdb into DIR/data, start on a free port
#                               (55432 upward), listening on 127.0.0.1 and on
#                               a unix socket in DIR; create the owner role
#                               qt_owner, the database quantumtrack owned by
#                               it, and the login role quantumtrack_app.
#                               Prints shell-sourceable NAME=value lines on
#                               stdout (everything else goes to stderr):
#                                 PGPORT, QT_PG_DIR,
#                                 QT_PG_OWNER_URL  (run migrations with this)
#                                 QT_PG_APP_URL    (the server connects with this)
#                                 QT_PG_ADMIN_URL  (superuser over the socket,
#                                                   for fault tests only)
#   tests/lib/pg.sh env DIR     print the same lines again
#   tests/lib/pg.sh stop DIR    stop the cluster (fast) and remove DIR
#   tests/lib/pg.sh stop-server DIR
#                               stop the server (fast) but keep DIR and its
#                               data: the fault tests' "database went away"
#   tests/lib/pg.sh start-server DIR
#                               start it again on the same port and data
#
# Use:  set -a; eval "$(tests/lib/pg.sh start /tmp/qt-pg)"; set +a
#
# With QT_PG_APP_ROLE=0 in the environment, start creates no app role:
# scripts/run-pg.sh leaves that to `quantumtrack migrate
# --app-password-stdin`, with the password printed in QT_PG_APP_URL.
#
# The app role is created here, before any migration, with LOGIN and a
# password, because every test database of the run shares it (roles belong
# to the cluster); the first migration creates quantumtrack_app only if it
# does not exist, so it leaves this one alone and just grants to it.  The
# owner role has CREATEROLE, as in the README's set-up, so that
# `quantumtrack migrate --app-password-stdin` (which creates the app role or
# sets its password, the way production does it) can be tested here too.
#
# initdb and postgres refuse to run as root, so they run as the postgres OS
# user (runuser) when this script runs as root; DIR is chowned to it and
# every directory above DIR must be searchable by it (/tmp is fine).
# Durability is switched off (fsync, synchronous_commit): this cluster is
# for tests only.
set -eu

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${PG_OS_USER:-postgres}
PORT_FIRST=${QT_PG_PORT_FIRST:-55432}
PORT_TRIES=50
MARKER=.qt_pg_cluster

die() { echo "pg.sh: $*" >&2; exit 1; }

usage() {
	echo "usage: $0 start|env|stop|stop-server|start-server DIR" >&2
	exit 2
}

# Run a command as the unprivileged cluster owner (or as ourselves when we
# are not root).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_OS_USER" -- "$@"
	else
		"$@"
	fi
}

port_in_use() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
	[ -e "/tmp/.s.PGSQL.$1" ] && return 0
	return 1
}

# Start the server of the cluster in $1 on port $2 (also after stop-server).
pg_start() {
	as_pg "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/postgres.log" -w -t 30 -s \
		-o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c log_min_messages=warning" \
		start >/dev/null 2>&1
}

abs_dir() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}

cmd_stop_server() {
	dir=$(abs_dir "$1")
	[ -f "$dir/$MARKER" ] || die "$dir: no cluster started by pg.sh here"
	[ -f "$dir/data/postmaster.pid" ] || return 0
	as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 -s stop >/dev/null 2>&1 ||
		die "pg_ctl stop failed (see $dir/postgres.log)"
}

cmd_start_server() {
	dir=$(abs_dir "$1")
	[ -f "$dir/$MARKER" ] || die "$dir: no cluster started by pg.sh here"
	# shellcheck disable=SC1090
	. "$dir/$MARKER"
	[ -n "${port:-}" ] || die "$dir: the cluster never started (no port recorded)"
	if [ -f "$dir/data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		return 0
	fi
	pg_start "$dir" "$port" || {
		tail -20 "$dir/postgres.log" >&2 2>/dev/null || true
		die "pg_ctl start failed (is port $port taken now?)"
	}
}

print_env() {
	dir=$1
	[ -f "$dir/$MARKER" ] || die "$dir: no cluster started by pg.sh here"
	# shellcheck disable=SC1090
	. "$dir/$MARKER"
	enc_dir=$(printf '%s' "$dir" | sed 's|/|%2F|g')
	echo "PGPORT=$port"
	echo "QT_PG_DIR=$dir"
	echo "QT_PG_OWNER_URL=postgres://qt_owner:$owner_pw@127.0.0.1:$port/quantumtrack"
	echo "QT_PG_APP_URL=postgres://quantumtrack_app:$app_pw@127.0.0.1:$port/quantumtrack"
	echo "QT_PG_ADMIN_URL=postgres://postgres@$enc_dir:$port/quantumtrack"
}

cmd_start() {
	dir=$1
	[ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb not found (install postgresql-15 or set PG_BIN)"
	command -v ss >/dev/null 2>&1 || die "ss not found (install iproute2)"
	case $dir in
	/*) ;;
	*) dir=$(pwd)/$dir ;;
	esac
	case $dir in
	*[!A-Za-z0-9._/-]*) die "$dir: use only letters, digits, '.', '_', '-' and '/' in the path" ;;
	esac
	# Unix socket paths are limited to 107 bytes including ".s.PGSQL.NNNNN".
	[ ${#dir} -le 80 ] || die "$dir: path too long for a unix socket (max 80 characters)"
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		die "$dir: exists and is not empty (run: $0 stop $dir)"
	fi
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		id "$PG_OS_USER" >/dev/null 2>&1 || die "OS user $PG_OS_USER does not exist"
		chown "$PG_OS_USER:" "$dir"
		as_pg test -w "$dir" || die "$dir: not writable by $PG_OS_USER (is a parent directory private?)"
	fi
	# Written first so that stop can clean up after a failed start.
	: >"$dir/$MARKER"

	owner_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
	app_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')

	as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
		--auth-local=trust --auth-host=scram-sha-256 --no-sync \
		>"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		die "initdb failed"
	}

	port=$PORT_FIRST
	tries=0
	while :; do
		tries=$((tries + 1))
		[ $tries -le $PORT_TRIES ] || die "no free port in $PORT_FIRST..$((PORT_FIRST + PORT_TRIES - 1))"
		if port_in_use "$port"; then
			port=$((port + 1))
			continue
		fi
		# Another run may take the port between the check and the bind:
		# then start fails and we move on to the next port.
		if pg_start "$dir" "$port"; then
			break
		fi
		if grep -q -e 'could not bind' -e 'could not create lock file' -e 'Address already in use' \
			"$dir/postgres.log" 2>/dev/null; then
			: >"$dir/postgres.log"
			port=$((port + 1))
			continue
		fi
		cat "$dir/postgres.log" >&2 2>/dev/null || true
		die "pg_ctl start failed"
	done

	{
		echo "port=$port"
		echo "owner_pw=$owner_pw"
		echo "app_pw=$app_pw"
	} >"$dir/$MARKER"
	chmod 600 "$dir/$MARKER"

	app_role="CREATE ROLE quantumtrack_app LOGIN PASSWORD '$app_pw' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;"
	[ "${QT_PG_APP_ROLE:-1}" = 0 ] && app_role=
	as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
		>/dev/null <<-EOF || die "creating roles and database failed"
		CREATE ROLE qt_owner LOGIN CREATEROLE PASSWORD '$owner_pw';
		$app_role
		CREATE DATABASE quantumtrack OWNER qt_owner;
	EOF
	print_env "$dir"
}

cmd_stop() {
	dir=$1
	case $dir in
	/*) ;;
	*) dir=$(pwd)/$dir ;;
	esac
	[ -e "$dir" ] || return 0
	[ -f "$dir/$MARKER" ] || die "$dir: not a pg.sh cluster directory (no $MARKER); not removing it"
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 -s stop >/dev/null 2>&1 ||
			echo "pg.sh: pg_ctl stop failed (see $dir/postgres.log); removing anyway" >&2
	fi
	rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case $1 in
start) cmd_start "$2" ;;
env) print_env "$2" ;;
stop) cmd_stop "$2" ;;
stop-server) cmd_stop_server "$2" ;;
start-server) cmd_start_server "$2" ;;
*) usage ;;
esac
