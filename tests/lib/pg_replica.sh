#!/bin/sh
# pg_replica.sh — a streaming replica of a throwaway cluster of pg.sh, for
# the read-replica tests (tests/scale/).
#
#   tests/lib/pg_replica.sh start PRIMARY_DIR DIR
#       pg_basebackup -R of the pg.sh cluster in PRIMARY_DIR into DIR/data
#       (a hot standby streaming from it over its unix socket), started on
#       a free port.  Prints shell-sourceable lines like pg.sh's, for the
#       replica:  QT_REPLICA_PORT, QT_REPLICA_DIR,
#                 QT_REPLICA_APP_URL   (the app role, database quantumtrack)
#                 QT_REPLICA_ADMIN_URL (superuser over the socket: pause
#                                       replay, fault tests)
#   tests/lib/pg_replica.sh env DIR      print the same lines again
#
# DIR gets pg.sh's marker (same port record, same passwords: the roles are
# the primary's, copied with everything else), so the rest is pg.sh's:
#   tests/lib/pg.sh stop-server DIR   the replica goes away (data kept)
#   tests/lib/pg.sh start-server DIR  it comes back and catches up
#   tests/lib/pg.sh stop DIR          stop it and remove DIR
# A database created on the primary later (one per test) appears on the
# replica as soon as it has replayed the CREATE DATABASE.
set -eu

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${PG_OS_USER:-postgres}
PORT_FIRST=${QT_REPLICA_PORT_FIRST:-57432}
PORT_TRIES=50
MARKER=.qt_pg_cluster
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "pg_replica.sh: $*" >&2; exit 1; }

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

abs_dir() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}

print_env() {
	dir=$1
	[ -f "$dir/$MARKER" ] || die "$dir: no replica started here"
	# shellcheck disable=SC1090
	. "$dir/$MARKER"
	enc_dir=$(printf '%s' "$dir" | sed 's|/|%2F|g')
	echo "QT_REPLICA_PORT=$port"
	echo "QT_REPLICA_DIR=$dir"
	echo "QT_REPLICA_APP_URL=postgres://quantumtrack_app:$app_pw@127.0.0.1:$port/quantumtrack"
	echo "QT_REPLICA_ADMIN_URL=postgres://postgres@$enc_dir:$port/quantumtrack"
}

cmd_start() {
	primary=$(abs_dir "$1")
	dir=$(abs_dir "$2")
	[ -f "$primary/$MARKER" ] || die "$primary: no pg.sh cluster there"
	[ ${#dir} -le 80 ] || die "$dir: path too long for a unix socket (max 80 characters)"
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		die "$dir: exists and is not empty (run: tests/lib/pg.sh stop $dir)"
	fi
	# shellcheck disable=SC1090
	. "$primary/$MARKER"
	pport=$port
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$PG_OS_USER:" "$dir"
	fi
	: >"$dir/$MARKER"
	as_pg "$PG_BIN/pg_basebackup" -h "$primary" -p "$pport" -U postgres -D "$dir/data" \
		-R -X stream -c fast --no-sync >"$dir/basebackup.log" 2>&1 || {
		cat "$dir/basebackup.log" >&2
		die "pg_basebackup failed"
	}
	# Replay as it arrives; no delay, so lag is what the tests make it.
	port=$PORT_FIRST
	tries=0
	while :; do
		tries=$((tries + 1))
		[ $tries -le $PORT_TRIES ] || die "no free port"
		if port_in_use "$port"; then
			port=$((port + 1))
			continue
		fi
		if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 -s \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c log_min_messages=warning -c hot_standby=on" \
			start >/dev/null 2>&1; then
			break
		fi
		if grep -q -e 'could not bind' -e 'could not create lock file' -e 'Address already in use' \
			"$dir/postgres.log" 2>/dev/null; then
			: >"$dir/postgres.log"
			port=$((port + 1))
			continue
		fi
		cat "$dir/postgres.log" >&2 2>/dev/null || true
		die "pg_ctl start of the replica failed"
	done
	{
		echo "port=$port"
		echo "owner_pw=$owner_pw"
		echo "app_pw=$app_pw"
	} >"$dir/$MARKER"
	chmod 600 "$dir/$MARKER"
	print_env "$dir"
}

case ${1:-} in
start) [ $# -eq 3 ] || die "usage: $0 start PRIMARY_DIR DIR"; cmd_start "$2" "$3" ;;
env) [ $# -eq 2 ] || die "usage: $0 env DIR"; print_env "$(abs_dir "$2")" ;;
*) echo "usage: $0 start PRIMARY_DIR DIR | env DIR (stop, stop-server, start-server: $here/pg.sh)" >&2; exit 2 ;;
esac
