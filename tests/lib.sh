# tests/lib.sh - shared helpers for the shell tests (sourced, not run).
# Assertions print "ok - ..." / "not ok - ..."; lt_finish prints the
# closing "N passed, M failed" line and sets the exit status.

lt_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
lt_passed=0
lt_failed=0
LT=${LT:-$lt_repo/ngx-leaktop}
NGINX=${NGINX:-$lt_repo/build/nginx/objs/nginx}
LT_SRC=$lt_repo/tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c

lt_ok() { lt_passed=$((lt_passed + 1)); echo "ok - $*"; }
lt_not_ok() { lt_failed=$((lt_failed + 1)); echo "not ok - $*"; }
# lt_check DESCRIPTION COMMAND...: ok if the command succeeds; returns
# its verdict, so "lt_check ... || show what went wrong" works
lt_check() {
	local what=$1; shift
	if "$@"; then lt_ok "$what"; else lt_not_ok "$what"; return 1; fi
}
lt_finish() {
	echo "$lt_passed passed, $lt_failed failed"
	[ "$lt_failed" -eq 0 ]
}

# A private dir removed on exit; every process we start is killed on exit.
lt_tmp=$(mktemp -d)
chmod 700 "$lt_tmp"
# Session files of test runs stay in the test's private dir.
export XDG_STATE_HOME=$lt_tmp/state
lt_pids=()
lt_cleanup() {
	local p
	for p in "${lt_pids[@]:-}"; do
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
	done
	rm -rf "$lt_tmp"
}
trap lt_cleanup EXIT

# The line of a "/* LEAK: mode */" marker in the fixture source.
lt_leak_line() {
	grep -n "LEAK: $1 \*/" "$LT_SRC" | head -n 1 | cut -d: -f1
}

# lt_free_port: a port no socket of this machine uses (ss sees listeners,
# clients and TIME_WAIT alike), below the ephemeral range the kernel hands
# out to clients when there is room for one, so no client of another test
# takes it between the pick and the bind. Pick one per start: a port kept
# for many starts can be taken in between.
lt_free_port() {
	local lo=32768 hi=60999 port i
	read -r lo hi 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range
	for ((i = 0; i < 100; i++)); do
		if [ "$lo" -gt 11024 ]; then
			port=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
		else
			port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		fi
		if command -v ss >/dev/null; then
			[ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ] || continue
		else
			! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || continue
		fi
		echo "$port"
		return 0
	done
	echo "lt_free_port: no free port found" >&2
	return 1
}

# lt_new_port CONF...: a fresh free port for the next start, written into
# the listen directives of each CONF; sets $port.
lt_new_port() {
	local f
	port=$(lt_free_port) || return 1
	for f; do
		sed -i -E "s/^( *listen +127\.0\.0\.1:)[0-9]+/\1$port/" "$f"
	done
}

# lt_fixture_conf DIR [PORT]: the fixture config in DIR/nginx.conf, echo the port.
lt_fixture_conf() {
	local dir=$1 port=${2:-$(lt_free_port)}
	mkdir -p "$dir/logs"
	sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$dir|g" -e "s|@HTML@|$lt_repo/tests/fixture/html|g" \
		"$lt_repo/tests/fixture/nginx.conf.in" >"$dir/nginx.conf"
	echo "$port"
}

# No valgrind/nginx of ours may survive a test.
lt_no_leftovers() {
	! pgrep -f "valgrind.*$1" >/dev/null 2>&1
}

# jqt FILTER FILE: true if the jq filter holds (jq is installed by setup-deps).
jqt() { jq -e "$@" >/dev/null; }

# lt_fixture_setup: the usual start of an end-to-end script. A private
# TMPDIR for ngx-leaktop's private dirs (it must be empty afterwards), the
# fixture config in $ngx ($conf), its port in $port.
lt_fixture_setup() {
	export TMPDIR=$lt_tmp/tmp
	mkdir -p "$TMPDIR"
	ngx=$lt_tmp/ngx
	port=$(lt_fixture_conf "$ngx")
	conf=$ngx/nginx.conf
}
