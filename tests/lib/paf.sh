#!/bin/sh
# paf.sh — a throwaway pg_auto_failover formation for tests, on loopback:
# a monitor, a primary and a secondary with synchronous replication
# (Debian package postgresql-15-auto-failover: pg_autoctl).
#
#   tests/lib/paf.sh start DIR   create the monitor (DIR/monitor), node1 and
#                                node2 (DIR/node1, DIR/node2), each run by its
#                                own `pg_autoctl run` in its own process
#                                group; tune the monitor's timeouts (below);
#                                create the owner role qt_owner, the database
#                                quantumtrack owned by it and the login role
#                                quantumtrack_app; wait until node1 is primary
#                                and node2 its synchronous secondary.
#                                Prints shell-sourceable NAME=value lines on
#                                stdout (everything else goes to stderr):
#                                  QT_PAF_DIR, QT_PAF_MONITOR_URL,
#                                  QT_PAF_PORTS     (node1's and node2's ports)
#                                  QT_PG_OWNER_URL  (run migrations with this)
#                                  QT_PG_APP_URL    (the server connects with this)
#                                  QT_PG_ADMIN_URL  (superuser, for tests only)
#                                  QT_PAF_NODE1_APP_URL, QT_PAF_NODE2_APP_URL
#                                                   (the app role on one node:
#                                                   node2's is a read replica's)
#                                The three URLs name both nodes with
#                                target_session_attrs=read-write: libpq tries
#                                them in turn and keeps the one that accepts
#                                writes, so they follow the primary.
#   tests/lib/paf.sh env DIR     print the same lines again
#   tests/lib/paf.sh state DIR   the monitor's view: one line per node,
#                                "name port reported_state goal_state"
#   tests/lib/paf.sh primary DIR the primary's name, or nothing: the node
#                                both reported and assigned primary,
#                                wait_primary or single, if any
#   tests/lib/paf.sh kill-primary DIR
#                                the primary's machine dies: SIGKILL its
#                                pg_autoctl processes (or the keeper would
#                                restart Postgres on the spot: that is a
#                                restart, not a failover), then SIGKILL its
#                                postmaster.  Prints the node's name.
#   tests/lib/paf.sh wait-primary DIR NAME SECONDS
#                                wait until the monitor reports NAME primary
#                                (or wait_primary) and it accepts writes
#   tests/lib/paf.sh stop DIR    stop everything and remove DIR
#
# The monitor's timeouts (pgautofailover.*) are tuned for a failover well
# under 30 s; docs/SCALING.md ("Failover") gives the values and why.  They can
# be overridden here through the environment (milliseconds):
#   QT_PAF_HEALTH_CHECK_PERIOD (1000), QT_PAF_HEALTH_CHECK_TIMEOUT (1000),
#   QT_PAF_HEALTH_CHECK_MAX_RETRIES (2), QT_PAF_HEALTH_CHECK_RETRY_DELAY (500),
#   QT_PAF_UNHEALTHY_TIMEOUT (5000), QT_PAF_DEMOTE_TIMEOUT (5000);
# and the keepers' timeout.network_partition_timeout, in seconds:
#   QT_PAF_PARTITION_TIMEOUT (3)
#
# Everything lives under DIR, pg_autoctl's config and state too (XDG_*).
# Ports are picked below the kernel's ephemeral range, so that a client
# socket of another test cannot hold them.  pg_autoctl and postgres refuse
# to run as root: they run as the postgres OS user (runuser) when this
# script runs as root.  fsync is off: the tests kill processes, never the
# machine, so the page cache survives every fault they make; replication
# stays synchronous (synchronous_commit=on), which is what they test.
set -eu

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${PG_OS_USER:-postgres}
MARKER=.qt_paf
START_TIMEOUT=${QT_PAF_START_TIMEOUT:-120}

die() { echo "paf.sh: $*" >&2; exit 1; }

usage() {
	echo "usage: $0 start|env|state|primary|kill-primary|stop DIR | wait-primary DIR NAME SECONDS" >&2
	exit 2
}

abs_dir() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}

# Run a command as the cluster owner, with pg_autoctl's files under DIR.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_OS_USER" -- env XDG_CONFIG_HOME="$dir/xdg/config" XDG_DATA_HOME="$dir/xdg/data" \
			XDG_RUNTIME_DIR="$dir/xdg/run" PATH="$PG_BIN:$PATH" "$@"
	else
		env XDG_CONFIG_HOME="$dir/xdg/config" XDG_DATA_HOME="$dir/xdg/data" \
			XDG_RUNTIME_DIR="$dir/xdg/run" PATH="$PG_BIN:$PATH" "$@"
	fi
}

port_in_use() {
	ss -Htan "( sport = :$1 or dport = :$1 )" 2>/dev/null | grep -q . && return 0
	[ -e "/tmp/.s.PGSQL.$1" ] && return 0
	[ -e "/var/run/postgresql/.s.PGSQL.$1" ] && return 0
	return 1
}

# A free port in 20000..32000, not one of those already taken in $*.
free_port() {
	tries=0
	while :; do
		tries=$((tries + 1))
		[ $tries -le 200 ] || die "no free port found"
		p=$((20000 + $(od -An -tu2 -N2 /dev/urandom | tr -d ' ') % 12000))
		case " $* " in *" $p "*) continue ;; esac
		port_in_use "$p" || { echo "$p"; return 0; }
	done
}

psql_at() {   # port sql...  (superuser over TCP: trust on loopback)
	_psql_port=$1
	shift
	"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$_psql_port" -U postgres "$@"
}

monitor_sql() {
	psql_at "$mon_port" -d pg_auto_failover -c "$1"
}

# Start `pg_autoctl ARGS...` in the background, in a process group of its
# own, recording the group's id in DIR/NAME.pgid.
spawn() {
	name=$1
	shift
	if [ "$(id -u)" -eq 0 ]; then
		setsid runuser -u "$PG_OS_USER" -- env XDG_CONFIG_HOME="$dir/xdg/config" XDG_DATA_HOME="$dir/xdg/data" \
			XDG_RUNTIME_DIR="$dir/xdg/run" PATH="$PG_BIN:$PATH" pg_autoctl "$@" \
			>>"$dir/$name.log" 2>&1 </dev/null &
	else
		setsid env XDG_CONFIG_HOME="$dir/xdg/config" XDG_DATA_HOME="$dir/xdg/data" \
			XDG_RUNTIME_DIR="$dir/xdg/run" PATH="$PG_BIN:$PATH" pg_autoctl "$@" \
			>>"$dir/$name.log" 2>&1 </dev/null &
	fi
	echo $! >"$dir/$name.pgid"
}

# "name port reported goal" per node, from the monitor.
node_states() {
	monitor_sql "SELECT nodename, nodeport, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodeid" |
		tr '|' ' '
}

wait_for() {   # seconds description command...
	secs=$1
	what=$2
	shift 2
	end=$(($(date +%s) + secs))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.5
	done
	echo "paf.sh: $what" >&2
}

both_ready() {
	s=$(node_states)
	echo "$s" | grep -q "^node1 $p1 primary primary$" &&
		echo "$s" | grep -q "^node2 $p2 secondary secondary$"
}

node_up() { # name port
	node_states | grep -q "^$1 $2 single single$"
}

print_env() {
	[ -f "$dir/$MARKER" ] || die "$dir: no formation started by paf.sh here"
	# shellcheck disable=SC1090
	. "$dir/$MARKER"
	hosts="127.0.0.1:$p1,127.0.0.1:$p2"
	opts="target_session_attrs=read-write"
	echo "QT_PAF_DIR=$dir"
	echo "QT_PAF_MONITOR_URL=postgres://autoctl_node@127.0.0.1:$mon_port/pg_auto_failover?sslmode=disable"
	echo "QT_PAF_PORTS=$p1,$p2"
	echo "QT_PG_OWNER_URL=postgres://qt_owner:$owner_pw@$hosts/quantumtrack?$opts"
	echo "QT_PG_APP_URL=postgres://quantumtrack_app:$app_pw@$hosts/quantumtrack?$opts"
	echo "QT_PG_ADMIN_URL=postgres://postgres@$hosts/quantumtrack?$opts"
	echo "QT_PAF_NODE1_APP_URL=postgres://quantumtrack_app:$app_pw@127.0.0.1:$p1/quantumtrack"
	echo "QT_PAF_NODE2_APP_URL=postgres://quantumtrack_app:$app_pw@127.0.0.1:$p2/quantumtrack"
}

load() {
	[ -f "$dir/$MARKER" ] || die "$dir: no formation started by paf.sh here"
	# shellcheck disable=SC1090
	. "$dir/$MARKER"
}

cmd_start() {
	command -v pg_autoctl >/dev/null 2>&1 || die "pg_autoctl not found (apt-get install postgresql-15-auto-failover)"
	command -v ss >/dev/null 2>&1 || die "ss not found (install iproute2)"
	case $dir in
	*[!A-Za-z0-9._/-]*) die "$dir: use only letters, digits, '.', '_', '-' and '/' in the path" ;;
	esac
	[ ${#dir} -le 80 ] || die "$dir: path too long (max 80 characters)"
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		die "$dir: exists and is not empty (run: $0 stop $dir)"
	fi
	mkdir -p "$dir/xdg/config" "$dir/xdg/data" "$dir/xdg/run"
	chmod 700 "$dir/xdg/run"
	if [ "$(id -u)" -eq 0 ]; then
		id "$PG_OS_USER" >/dev/null 2>&1 || die "OS user $PG_OS_USER does not exist"
		chown -R "$PG_OS_USER:" "$dir"
	fi
	mon_port=$(free_port)
	p1=$(free_port "$mon_port")
	p2=$(free_port "$mon_port" "$p1")
	owner_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
	app_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
	{
		echo "mon_port=$mon_port"
		echo "p1=$p1"
		echo "p2=$p2"
		echo "owner_pw=$owner_pw"
		echo "app_pw=$app_pw"
	} >"$dir/$MARKER"
	chmod 600 "$dir/$MARKER"

	# The monitor.
	as_pg pg_autoctl create monitor --pgctl "$PG_BIN/pg_ctl" --pgdata "$dir/monitor" \
		--pgport "$mon_port" --hostname 127.0.0.1 --auth trust --no-ssl >"$dir/monitor.log" 2>&1 ||
		{ tail -20 "$dir/monitor.log" >&2; die "pg_autoctl create monitor failed"; }
	as_pg pg_autoctl config set --pgdata "$dir/monitor" postgresql.listen_addresses 127.0.0.1 >/dev/null
	spawn monitor run --pgdata "$dir/monitor"
	wait_for 30 "monitor up on port $mon_port" monitor_sql "SELECT 1" ||
		{ tail -20 "$dir/monitor.log" >&2; die "the monitor did not start"; }
	psql_at "$mon_port" -d pg_auto_failover >/dev/null <<-EOF || die "tuning the monitor failed"
		ALTER SYSTEM SET pgautofailover.health_check_period = ${QT_PAF_HEALTH_CHECK_PERIOD:-1000};
		ALTER SYSTEM SET pgautofailover.health_check_timeout = ${QT_PAF_HEALTH_CHECK_TIMEOUT:-1000};
		ALTER SYSTEM SET pgautofailover.health_check_max_retries = ${QT_PAF_HEALTH_CHECK_MAX_RETRIES:-2};
		ALTER SYSTEM SET pgautofailover.health_check_retry_delay = ${QT_PAF_HEALTH_CHECK_RETRY_DELAY:-500};
		ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = ${QT_PAF_UNHEALTHY_TIMEOUT:-5000};
		ALTER SYSTEM SET pgautofailover.primary_demote_timeout = ${QT_PAF_DEMOTE_TIMEOUT:-5000};
		ALTER SYSTEM SET fsync = off;
		SELECT pg_reload_conf();
	EOF

	monitor_url="postgres://autoctl_node@127.0.0.1:$mon_port/pg_auto_failover?sslmode=disable"
	for n in 1 2; do
		eval "node_port=\$p$n"
		if [ "$n" = 2 ]; then
			# node2 clones node1 (pg_basebackup), pg_hba.conf and
			# postgresql.auto.conf included.
			wait_for 30 "node1 up on port $p1" node_up node1 "$p1" ||
				{ tail -20 "$dir/node1.log" >&2; die "node1 did not start"; }
			node1_setup
		fi
		spawn "node$n" create postgres --pgctl "$PG_BIN/pg_ctl" --pgdata "$dir/node$n" \
			--pgport "$node_port" --listen 127.0.0.1 --hostname 127.0.0.1 --name "node$n" \
			--dbname quantumtrack --monitor "$monitor_url" --auth trust --no-ssl --run
	done

	# pg_basebackup waits for a spread checkpoint: ask for it at once.
	end=$(($(date +%s) + START_TIMEOUT))
	until both_ready; do
		[ "$(date +%s)" -lt "$end" ] || {
			node_states >&2 || true
			tail -20 "$dir/node2.log" >&2
			die "node1 primary and node2 secondary not reached in ${START_TIMEOUT}s"
		}
		psql_at "$p1" -d quantumtrack -c CHECKPOINT >/dev/null 2>&1 || true
		sleep 1
	done
	# A primary cut off from the monitor and from its standby demotes
	# itself after this long (default 20 s): before the monitor, which
	# waits pgautofailover.primary_demote_timeout for it, promotes the
	# standby (docs/SCALING.md, "Failover").  Set once both run: creating
	# a node writes its configuration afresh.
	for n in node1 node2; do
		as_pg pg_autoctl config set --pgdata "$dir/$n" timeout.network_partition_timeout \
			"${QT_PAF_PARTITION_TIMEOUT:-3}" >/dev/null
	done

	sync_names=$(psql_at "$p1" -d quantumtrack -c "SHOW synchronous_standby_names")
	[ -n "$sync_names" ] || die "node1 has no synchronous standby"
	echo "paf.sh: node1 primary on $p1, node2 synchronous secondary on $p2 ($sync_names)" >&2
	print_env
}

# On node1 once it runs alone: durability off (see above), our roles with
# passwords checked (scram; pg_autoctl's own rules stay trust), the database
# given to the owner role.
node1_setup() {
	hba="$dir/node1/pg_hba.conf"
	{
		echo "host all qt_owner,quantumtrack_app 127.0.0.1/32 scram-sha-256"
		cat "$hba"
	} >"$hba.new"
	mv "$hba.new" "$hba"
	[ "$(id -u)" -ne 0 ] || chown "$PG_OS_USER:" "$hba"
	psql_at "$p1" -d quantumtrack >/dev/null <<-EOF || die "creating roles failed"
		ALTER SYSTEM SET fsync = off;
		ALTER SYSTEM SET full_page_writes = off;
		ALTER SYSTEM SET log_min_messages = warning;
		CREATE ROLE qt_owner LOGIN CREATEROLE PASSWORD '$owner_pw';
		CREATE ROLE quantumtrack_app LOGIN PASSWORD '$app_pw' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
		ALTER DATABASE quantumtrack OWNER TO qt_owner;
		SELECT pg_reload_conf();
	EOF
}

cmd_state() {
	load
	node_states
}

cmd_primary() {
	load
	# Reported and assigned: a dead primary's last report stays "primary".
	node_states | awk '$3 ~ /^(primary|wait_primary|single)$/ && $4 ~ /^(primary|wait_primary|single)$/ { print $1; exit }'
}

cmd_kill_primary() {
	load
	name=$(cmd_primary)
	[ -n "$name" ] || die "no primary to kill"
	pgid=$(cat "$dir/$name.pgid")
	pm=$(head -1 "$dir/$name/postmaster.pid")
	# The keeper first, so nothing restarts Postgres; then the postmaster,
	# whose backends find their postmaster gone and exit by themselves.
	for p in $(ps -o pid=,comm= -g "$pgid" | awk '$2 != "postgres" { print $1 }'); do
		kill -KILL "$p" 2>/dev/null || true
	done
	kill -KILL "$pm"
	echo "$name"
}

writable() { # port
	[ "$(psql_at "$1" -d quantumtrack -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null)" = t ]
}

primary_is() { # name
	node_states | grep -Eq "^$1 [0-9]+ (primary|wait_primary) (primary|wait_primary)$"
}

cmd_wait_primary() {
	load
	name=$1
	eval "port=\$p${name#node}"
	end=$(($(date +%s) + $2))
	until primary_is "$name" && writable "$port"; do
		[ "$(date +%s)" -lt "$end" ] || { node_states >&2 || true; die "$name is not primary after $2 s"; }
		sleep 0.5
	done
}

group_alive() { kill -0 "-$1" 2>/dev/null; }

cmd_stop() {
	[ -e "$dir" ] || return 0
	[ -f "$dir/$MARKER" ] || die "$dir: not a paf.sh directory (no $MARKER); not removing it"
	groups=
	for n in node2 node1 monitor; do
		[ -f "$dir/$n.pgid" ] && groups="$groups $(cat "$dir/$n.pgid")"
	done
	# pg_autoctl stops its Postgres on SIGTERM; whatever is left after
	# 10 s is killed, again and again until the groups are empty (a
	# supervisor may be forking a service as the signal lands).
	for g in $groups; do kill -TERM "-$g" 2>/dev/null || true; done
	end=$(($(date +%s) + 10))
	for g in $groups; do
		while group_alive "$g" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		alive=
		for g in $groups; do
			if group_alive "$g"; then
				alive=1
				kill -KILL "-$g" 2>/dev/null || true
			fi
		done
		[ -n "$alive" ] || break
		sleep 0.2
	done
	# A postmaster that left its group (none expected): stop it too.
	for n in node1 node2 monitor; do
		[ -f "$dir/$n/postmaster.pid" ] || continue
		pm=$(head -1 "$dir/$n/postmaster.pid")
		if [ -n "$pm" ] && grep -qx postgres "/proc/$pm/comm" 2>/dev/null; then
			kill -KILL "$pm" 2>/dev/null || true
		fi
	done
	rm -rf "$dir"
}

[ $# -ge 2 ] || usage
dir=$(abs_dir "$2")
case $1 in
start)
	[ $# -eq 2 ] || usage
	# A failed start leaves nothing running behind it.
	trap 'rc=$?; [ $rc -eq 0 ] || cmd_stop; exit $rc' EXIT
	cmd_start
	;;
env) load; print_env ;;
state) cmd_state ;;
primary) cmd_primary ;;
kill-primary) cmd_kill_primary ;;
wait-primary) [ $# -eq 4 ] || usage; cmd_wait_primary "$3" "$4" ;;
stop) cmd_stop ;;
*) usage ;;
esac
