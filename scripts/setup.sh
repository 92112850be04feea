#!/bin/sh
# Install what QuantumTrack needs on Debian 12, or print the exact command.
#   scripts/setup.sh run    build and run (C libraries, the npm packages the build embeds)
#   scripts/setup.sh run-pg also the PostgreSQL server (make run-pg)
#   scripts/setup.sh test   also PostgreSQL, PgBouncer, clang fuzzing, Chromium, npm packages
set -eu
mode=${1:-run}
cd "$(dirname "$0")/.."

need="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev libssl-dev libpq-dev tzdata"
if [ "$mode" = run-pg ]; then
	need="$need postgresql postgresql-client iproute2"
fi
if [ "$mode" = test ]; then
	need="$need postgresql postgresql-client iproute2 pgbouncer clang libclang-rt-14-dev chromium fonts-lohit-deva valgrind wrk sqlite3 nginx"
	command -v node >/dev/null 2>&1 || need="$need nodejs npm"
fi

missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	cmd="apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" = 0 ]; then
		echo "setup: installing:$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	else
		echo "setup: missing Debian packages. Run:" >&2
		echo "  sudo $cmd" >&2
		exit 1
	fi
fi

# The npm packages: the build embeds the API reference's renderer (Redoc,
# for /docs) from node_modules, and the tests use the rest.  Every mode
# installs them; without npm, `run` says how.
if [ -f package-lock.json ]; then
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		if command -v npm >/dev/null 2>&1; then
			echo "setup: npm ci" >&2
			npm ci --no-audit --no-fund --loglevel=error >/dev/null
		else
			echo "setup: the npm packages are missing (the build embeds node_modules/redoc). Run:" >&2
			echo "  sudo apt-get install -y --no-install-recommends nodejs npm && npm ci" >&2
			exit 1
		fi
	fi
fi
