#!/bin/bash
# bench/lib.sh — shared by bench/all.sh, bench/tenants.sh and bench/flame.sh
# (sourced, not run).  Not a test.
#
# After `. bench/lib.sh` (from the repository's root):
#   bench_need TOOL...        exit with the apt-get command for missing tools
#   bench_work                a scratch directory in $work, removed on exit
#                             with every process started by bench_bg
#   bench_bg CMD...           start CMD in the background, remember its pid
#   bench_stop PID            stop one process started by bench_bg
#   bench_build               build $BUILD/quantumtrack and the bench helpers
#                             (bench-seed, bench-startup); sets $bin
#   bench_secrets             export QT_JWT_SECRET, QT_MASTER_KEY, QT_ACCESS_TTL
#   bench_free_port           a free TCP port on 127.0.0.1
#   bench_wait_http URL       until URL answers 2xx (10 s)
#   bench_nginx               nginx, worker_processes 1, serving a 200-byte
#                             file: sets $nginx_url, $nginx_pid
#   bench_serve NAME          quantumtrack serve with $QT_DB: sets $qt_url, $qt_pid
#   bench_login URL SLUG EMAIL PASSWORD   prints an access token
#   bench_wrk NAME ARGS...    wrk -t1 -c$CONNS -d$DURATION --latency ARGS;
#                             keeps the output in $work/wrk-NAME-$round.txt and
#                             prints "rps p50 p99 non2xx errors"
#   bench_median V...         the median of numbers
#   bench_pg_start            a throwaway PostgreSQL cluster (tests/lib/pg.sh)
#                             in $work/pg; exports its PG* / QT_PG_* variables
#   bench_peer_install        npm ci in bench/peer when node_modules is missing
# Knobs: BUILD (build/bench), DURATION (10s), ROUNDS (3), CONNS (32),
# QUICK=1 (DURATION=2s, ROUNDS=1 unless given).

if [ "${QUICK:-0}" = 1 ]; then
	DURATION=${DURATION:-2s}
	ROUNDS=${ROUNDS:-1}
fi
BUILD=${BUILD:-build/bench}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
bench_pids=()
work=

say() { echo "== $*" >&2; }

# Debian package of each tool the benchmarks use.
bench_pkg() {
	case $1 in
	nginx) echo nginx-light ;;
	wrk) echo wrk ;;
	pgbench | psql) echo postgresql-client ;;
	initdb | pg_ctl) echo postgresql ;;
	perf) echo linux-perf ;;
	node) echo nodejs ;;
	npm) echo npm ;;
	curl) echo curl ;;
	sqlite3) echo sqlite3 ;;
	python3) echo python3 ;;
	ss) echo iproute2 ;;
	gcc | make) echo build-essential ;;
	*) echo "$1" ;;
	esac
}

bench_need() {
	local missing=() t
	for t in "$@"; do
		case $t in
		initdb | pg_ctl) [ -x "${PG_BIN:-/usr/lib/postgresql/15/bin}/$t" ] || missing+=("$(bench_pkg "$t")") ;;
		*) command -v "$t" >/dev/null 2>&1 || missing+=("$(bench_pkg "$t")") ;;
		esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local pkgs
	pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
	echo "bench: missing Debian packages. Run:" >&2
	if [ "$(id -u)" = 0 ]; then
		echo "  apt-get update && apt-get install -y --no-install-recommends ${pkgs% }" >&2
	else
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs% }" >&2
	fi
	exit 1
}

bench_cleanup() {
	local p
	for p in "${bench_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${bench_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${QT_PG_DIR:-}" ] && [ -d "$QT_PG_DIR" ]; then
		tests/lib/pg.sh stop "$QT_PG_DIR" >/dev/null 2>&1 || true
	fi
	[ -n "$work" ] && [ "${KEEP:-0}" != 1 ] && rm -rf "$work"
	return 0
}

bench_work() {
	work=$(mktemp -d /tmp/qt-bench.XXXXXX)
	# The postgres user (pg.sh runs the cluster as it when we are root)
	# and nginx's workers must reach into it.
	chmod 755 "$work"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_bg() {
	"$@" &
	bench_pids+=($!)
}

bench_stop() {
	local p=$1 keep=() q
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	for q in "${bench_pids[@]}"; do
		[ "$q" != "$p" ] && keep+=("$q")
	done
	bench_pids=("${keep[@]}")
}

bench_build() {
	say "build ($BUILD)"
	make -s BUILD="$BUILD" "$BUILD/quantumtrack" "$BUILD/libqt.a" >&2
	bin=$PWD/$BUILD/quantumtrack
	local pkgs="libmicrohttpd jansson sqlite3 libsodium libcurl libpq libcrypto"
	local cflags libs
	cflags=$(pkg-config --cflags $pkgs)
	libs=$(pkg-config --libs $pkgs)
	if [ ! -x "$BUILD/bench-seed" ] || [ bench/seed.c -nt "$BUILD/bench-seed" ] ||
		[ "$BUILD/libqt.a" -nt "$BUILD/bench-seed" ]; then
		# shellcheck disable=SC2086
		gcc -std=c17 -D_GNU_SOURCE -O2 -Isrc $cflags -o "$BUILD/bench-seed" bench/seed.c \
			"$BUILD/libqt.a" $libs -lpthread -lm
	fi
	if [ ! -x "$BUILD/bench-startup" ] || [ bench/startup.c -nt "$BUILD/bench-startup" ]; then
		gcc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$BUILD/bench-startup" bench/startup.c
	fi
}

bench_secrets() {
	QT_JWT_SECRET=bench-secret-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
	QT_MASTER_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	export QT_JWT_SECRET QT_MASTER_KEY
	# Access tokens outlive the run (default 15 minutes).
	export QT_ACCESS_TTL=${QT_ACCESS_TTL:-14400}
}

bench_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_wait_http() {
	local _
	for _ in $(seq 200); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: $1 did not come up" >&2
	return 1
}

bench_nginx() {
	local port
	port=$(bench_free_port)
	mkdir -p "$work/nginx/html" "$work/nginx/tmp"
	head -c 200 /dev/zero | tr '\0' 'x' >"$work/nginx/html/static.txt"
	cat >"$work/nginx/nginx.conf" <<-CONF
		worker_processes 1;
		daemon off;
		pid $work/nginx/nginx.pid;
		error_log $work/nginx/error.log warn;
		$([ "$(id -u)" -eq 0 ] && echo "user nobody nogroup;")
		events { worker_connections 1024; }
		http {
			access_log off;
			client_body_temp_path $work/nginx/tmp;
			proxy_temp_path $work/nginx/tmp;
			fastcgi_temp_path $work/nginx/tmp;
			uwsgi_temp_path $work/nginx/tmp;
			scgi_temp_path $work/nginx/tmp;
			server {
				listen 127.0.0.1:$port;
				root $work/nginx/html;
			}
		}
	CONF
	chmod -R a+rX "$work/nginx"
	bench_bg nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
	nginx_pid=$!
	nginx_url=http://127.0.0.1:$port
	bench_wait_http "$nginx_url/static.txt" || { cat "$work/nginx/error.log" >&2; exit 1; }
}

# The server on $QT_DB, its logs in $work/NAME.{access,err}.log.
bench_serve() {
	local name=$1 port
	port=$(bench_free_port)
	bench_bg "$bin" serve --listen "127.0.0.1:$port" >"$work/$name.access.log" 2>"$work/$name.err.log"
	qt_pid=$!
	qt_url=http://127.0.0.1:$port
	bench_wait_http "$qt_url/readyz" || { tail -5 "$work/$name.err.log" >&2; exit 1; }
}

bench_login() {
	curl -fsS -X POST "$1/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"tenant\":\"$2\",\"email\":\"$3\",\"password\":\"$4\"}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# wrk's latency in microseconds ("1.23ms" -> 1230).
bench_us() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n = n; else if (u == "ms") n *= 1000; else if (u == "s") n *= 1000000; else if (u == "m") n *= 60000000
		printf "%.0f", n }'
}

bench_round=0
bench_wrk() {
	local name=$1 f
	shift
	f=$work/wrk-$name-$bench_round.txt
	wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$@" >"$f" 2>&1 || { cat "$f" >&2; return 1; }
	local rps p50 p99 bad errs
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
	p50=$(awk '$1 == "50%" {print $2}' "$f")
	p99=$(awk '$1 == "99%" {print $2}' "$f")
	bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$f")
	errs=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$f")
	echo "${rps:-0} $(bench_us "${p50:-0}") $(bench_us "${p99:-0}") ${bad:-0} ${errs:-0}"
}

bench_median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print 0; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_pg_start() {
	bench_need initdb pg_ctl psql ss
	mkdir -p "$work/pg"
	set -a
	eval "$(tests/lib/pg.sh start "$work/pg")"
	set +a
}

bench_peer_install() {
	bench_need node npm
	if [ ! -d bench/peer/node_modules ] || [ bench/peer/package-lock.json -nt bench/peer/node_modules/.package-lock.json ]; then
		say "npm ci in bench/peer (better-sqlite3 builds from source: about 2 minutes)"
		(cd bench/peer && npm_config_nodedir=/usr npm ci --no-audit --no-fund --loglevel=error >&2)
	fi
}
