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

# lt_need COMMAND...: every COMMAND the script runs is installed. Each one
# missing is a "not ok - COMMAND is not installed (apt-get install PKG)"
# and the script ends there, failed: a test without its tool must not
# pass (a missing pgrep "finds" nothing left running). Every test script
# names what it runs at its top; tests/deps.list maps commands to packages.
lt_need() {
	local c pkg missing=0
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		pkg=$(bash "$lt_repo/tests/setup-deps.sh" --package-of "$c")
		lt_not_ok "$c is not installed (apt-get install $pkg; make deps installs them all)"
		missing=1
	done
	[ "$missing" -eq 0 ] && return 0
	lt_finish
	exit 1
}
lt_need mktemp shuf sed grep ss

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

# lt_free_port: a port nothing uses on this machine, below the kernel's
# ephemeral range: a port in it can be the local end of any outgoing
# connection (or of its TIME_WAIT), which a connect test cannot see and on
# which nginx's bind() fails with "Address already in use". ss sees every
# socket; the connect test stays for a listener ss could not show.
lt_free_port() {
	local lo=32768 out port
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 11000 ] 2>/dev/null || lo=61000
	for port in $(shuf -i 10000-$((lo - 1)) -n 50); do
		out=$(ss -Htan "sport = :$port") || continue
		[ -z "$out" ] || continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
		if command -v ss >/dev/null; then
			[ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ] || continue
		else
			! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || continue
		fi
		echo "$port"
		return 0
	done
	echo "lt_free_port: no free port found (is ss working?)" >&2
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

# lt_fixture_proto_conf DIR [FIRST]: the protocol fixture config
# (tests/fixture/nginx-proto.conf.in) in DIR/nginx.conf, with a throwaway
# key and certificate in DIR (build/drivers/tlscert_driver: make unit)
# and nginx.conf.in's locations in DIR/locations.conf. Sets port (plain),
# tls_port (ssl http2), h2c_port (cleartext http2), stream_port
# (leaky_stream): four distinct free ports. FIRST (plain, tls or h2c;
# plain by default) is the server that comes first in http {}: the one
# whose listen a scan of the config (ngx-leaktop -c) takes for the URLs.
lt_fixture_proto_conf() {
	local dir=$1 first=${2:-plain} drv=$lt_repo/build/drivers/tlscert_driver p v all=" "
	[ -x "$drv" ] || { echo "lt_fixture_proto_conf: no $drv (make unit)" >&2; return 1; }
	mkdir -p "$dir/logs"
	rm -f "$dir/tls.crt" "$dir/tls.key"
	"$drv" "$dir" >/dev/null || return 1
	for p in port tls_port h2c_port stream_port; do
		v=$(lt_free_port) || return 1
		while [[ $all == *" $v "* ]]; do v=$(lt_free_port) || return 1; done
		printf -v "$p" '%s' "$v"
		all+="$v "
	done
	sed -n '/server_name  localhost;/,/^    }$/p' "$lt_repo/tests/fixture/nginx.conf.in" |
		sed -e '1d;$d' -e "s|@HTML@|$lt_repo/tests/fixture/html|g" >"$dir/locations.conf"
	sed -e "s|@PORT@|$port|g" -e "s|@TLSPORT@|$tls_port|g" -e "s|@H2CPORT@|$h2c_port|g" \
		-e "s|@STREAMPORT@|$stream_port|g" -e "s|@CRT@|$dir/tls.crt|g" \
		-e "s|@KEY@|$dir/tls.key|g" -e "s|@PREFIX@|$dir|g" \
		-e "s|@HTML@|$lt_repo/tests/fixture/html|g" \
		"$lt_repo/tests/fixture/nginx-proto.conf.in" >"$dir/nginx.conf.all"
	case $first in
	plain) p=$port ;; tls) p=$tls_port ;; h2c) p=$h2c_port ;;
	*) echo "lt_fixture_proto_conf: FIRST is plain, tls or h2c, not $first" >&2; return 1 ;;
	esac
	# the server block listening on port p moves to the top of http {}
	awk -v want="127.0.0.1:$p" '
		/^http {$/ { inhttp = 1 }
		inhttp && /^    server {$/ { inblk = 1; blk = "" }
		inblk {
			blk = blk $0 "\n"
			if ($0 ~ ("^ +listen +" want "[ ;]")) mine = 1
			if ($0 == "    }") { if (mine) top = blk; else rest = rest "\n" blk; inblk = mine = 0 }
			next
		}
		inhttp && /^}$/ { printf "%s%s", top, rest; inhttp = 0 }
		inhttp && (top != "" || rest != "") && /^$/ { next }
		{ print }
	' "$dir/nginx.conf.all" >"$dir/nginx.conf" && rm -f "$dir/nginx.conf.all"
}

# lt_running PATTERN: a process whose command line matches PATTERN (pgrep
# -f, extended regex) runs. Only pgrep's "none matched" (status 1) says
# no: a pgrep that is missing or fails counts as running, so no "nothing
# left running" check can pass without having looked.
lt_running() {
	local rc
	pgrep -f -- "$1" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 1 ] && return 1
	if [ "$rc" -ne 0 ] && [ -z "${lt_pgrep_said:-}" ]; then
		lt_pgrep_said=1
		echo "# pgrep -f '$1' failed (status $rc): counted as running" >&2
	fi
	return 0
}
# lt_wait_gone PATTERN [SECONDS]: no process matches PATTERN, in time (10 s)
lt_wait_gone() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		lt_running "$1" || return 0
		sleep 0.1
	done
	return 1
}
# lt_no_leftovers PATH: no valgrind (with its nginx) of the run under PATH
# survives; lt_nothing_left PATH DIR: nor anything in the private DIR
# (which must still exist: a vanished dir is no proof of a clean-up).
lt_no_leftovers() { ! lt_running "valgrind.*$1"; }
lt_nothing_left() { lt_no_leftovers "$1" && lt_empty_dir "$2"; }
lt_empty_dir() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }

# jqt FILTER FILE: true if the jq filter holds (a script using it needs jq).
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

# lt_gdbservers_up DIR N URL: within 2 minutes, N valgrind gdbservers have
# their FIFOs in DIR (--vgdb-prefix=DIR/vgdb) and URL answers.
lt_gdbservers_up() {
	local i
	for i in $(seq 1200); do
		[ "$(ls "$1" | grep -c 'from-vgdb-to')" -ge "$2" ] &&
			curl -sf "$3" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

