#!/usr/bin/env bash
# The target's TLS, HTTP/2 and stream server with real nginx under real
# valgrind, on the target module alone (build/drivers/target_driver), in
# master mode (one worker: READY and every reload wait for one answered
# probe there):
#   - the generated config with --tls --http2 --stream 'leaky_stream;':
#     https:// base URL that answers HTTP/2, the stream server on its own
#     port, the key and certificate 0600 in the private dir, a reload, a
#     stop that leaves nothing;
#   - user configs whose first listen is cleartext http2 (h2c) or ssl:
#     the URL, http2 and stream address come from the scan, and nginx's
#     log shows the readiness probe reached that listen at start and at the
#     reload ("invalid connection preface", "client sent invalid method");
#   - --tls with a user config: refused in one line, nothing started.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind curl timeout stat
DRV=${DRV:-$lt_repo/build/drivers/target_driver}
VG=$(command -v valgrind)
[ -x "$DRV" ] || { lt_not_ok "no $DRV (make unit)"; lt_finish; exit 1; }
export TMPDIR=$lt_tmp/tmp
mkdir -p "$TMPDIR"

drv_start() {	# NAME ARGS...: a driver in the background, its lines in $lt_tmp/NAME.out
	local name=$1 fd; shift
	mkfifo "$lt_tmp/$name.in"
	"$DRV" "$@" <"$lt_tmp/$name.in" >"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err" &
	lt_pids+=($!)
	eval "${name}_pid=$!"
	exec {fd}>"$lt_tmp/$name.in"
	eval "${name}_fd=$fd"
}
drv_say() { local fd="${1}_fd"; echo "$2" >&"${!fd}"; }
wait_line() {	# NAME REGEX [SECONDS]: the first matching line, bounded
	local i line
	for i in $(seq $((${3:-120} * 20))); do
		line=$(grep -E -m1 -- "$2" "$lt_tmp/$1.out" 2>/dev/null) && { echo "$line"; return 0; }
		sleep 0.05
	done
	echo "# timed out waiting for /$2/ in $1:" >&2
	sed 's/^/#   /' "$lt_tmp/$1.out" "$lt_tmp/$1.err" >&2
	return 1
}
seen() { wait_line "$@" >/dev/null; }
field() { cut -d' ' -f"$1"; }
gone() { for _ in $(seq 400); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }
session() {	# ADDR WORD: one stream session, what nginx answered
	local fd ans
	exec {fd}<>"/dev/tcp/${1%:*}/${1##*:}" || return 1
	printf '%s\n' "$2" >&"$fd"
	ans=$(timeout 30 cat <&"$fd")
	exec {fd}>&-
	printf '%s\n' "$ans"
}
h2() { curl -sk --http2 --max-time 30 -o /dev/null -w '%{http_code} %{http_version}' "$@"; }
stop_and_check() {	# NAME: stop, nothing left
	drv_say "$1" stop
	lt_check "$1: the stop ends cleanly" \
		seen "$1" '^STATE exited nginx stopped \(exited with status 0\)' 60
	local p=${1}_pid
	lt_check "$1: the driver ended" gone "${!p}"
}

# ---- the generated config ----
drv_start g --tls --http2 --stream 'leaky_stream;' "$NGINX" "$VG" 1
start=$(wait_line g '^STARTED') || { lt_not_ok "generated: started"; lt_finish; exit 1; }
url=$(echo "$start" | field 3) conf=$(echo "$start" | field 4)
dir=${conf%/nginx/conf/nginx.conf}
proto=$(wait_line g '^PROTO')
saddr=$(echo "$proto" | field 3) saddr=${saddr#stream=}
lt_check "generated: https:// base URL ($url)" grep -Eq '^https://127\.0\.0\.1:[0-9]+$' <<<"$url"
lt_check "generated: http2 and a stream address of its own ($proto)" \
	test "$(echo "$proto" | field 2)" = http2=1 -a "$saddr" != "${url#https://}"
lt_check "generated: READY" seen g '^READY' 180
lt_check "generated: the key and certificate are in the private dir, 0600" \
	test "$(stat -c %a "$dir/tls.key") $(stat -c %a "$dir/tls.crt")" = "600 600"
lt_check "generated: the listen says ssl http2 reuseport, with the certificate" \
	grep -q "ssl http2 reuseport;" "$conf"
lt_check "generated: ... and ssl_certificate is the private dir's" \
	grep -qF "ssl_certificate \"$dir/tls.crt\";" "$conf"
got=$(h2 "$url/")
lt_check "generated: the base URL answers over HTTP/2 (got '$got')" test "$got" = "200 2"
got=$(session "$saddr" LEAK)
lt_check "generated: the stream server runs its directives (got '$got')" test "$got" = "ok leak"
drv_say g reload
lt_check "generated: a reload finishes (its probe over https)" \
	seen g '^RELOAD ok' 120
got=$(h2 "$url/")
lt_check "generated: the new workers answer over HTTP/2 (got '$got')" test "$got" = "200 2"
stop_and_check g
lt_check "generated: the private dir (key and all) is removed" test ! -e "$dir"

# ---- user configs: h2c first, ssl first ----
# lt_fixture_proto_conf's FIRST server is the listen the scan takes; a
# master and its one worker, as the config says (workers 0: no -g)
ngx=$lt_tmp/ngx
for first in h2c tls; do
	lt_fixture_proto_conf "$ngx" "$first" || { lt_not_ok "lt_fixture_proto_conf"; lt_finish; exit 1; }
	sed '1i master_process on;' "$ngx/nginx.conf" >"$ngx/$first.conf"
	declare "stream_$first=127.0.0.1:$stream_port"
done
log=$ngx/logs/error.log

user_run() {	# NAME CONF WANT_URL WANT_PROTO PROBE_LINE
	local name=$1 before
	before=$(grep -c -- "$5" "$log" 2>/dev/null)
	drv_start "$name" "$NGINX" "$VG" 0 "$2"
	lt_check "$name: base URL $3" \
		test "$(wait_line "$name" '^STARTED' | field 3)" = "$3"
	lt_check "$name: $4" test "$(wait_line "$name" '^PROTO' | cut -d' ' -f2-)" = "$4"
	lt_check "$name: READY" seen "$name" '^READY' 180
	lt_check "$name: the probe reached that listen before READY ('$5' in nginx's log)" \
		test "$(grep -c -- "$5" "$log")" -eq $((before + 1))
	drv_say "$name" reload
	lt_check "$name: a reload finishes" seen "$name" '^RELOAD ok' 120
	lt_check "$name: ... after its probe reached the new workers" \
		test "$(grep -c -- "$5" "$log")" -eq $((before + 2))
	stop_and_check "$name"
}
h2c=$(grep -o "127.0.0.1:[0-9]* http2;" "$ngx/h2c.conf" | head -n 1)
tls=$(grep -o "127.0.0.1:[0-9]* ssl http2;" "$ngx/tls.conf" | head -n 1)
user_run h2c "$ngx/h2c.conf" "http://${h2c%% *}" \
	"http2=1 stream=$stream_h2c" "invalid connection preface"
user_run tls "$ngx/tls.conf" "https://${tls%% *}" \
	"http2=1 stream=$stream_tls" "client sent invalid method"

# ---- refused ----
out=$("$DRV" --tls "$NGINX" "$VG" 0 "$ngx/nginx.conf" </dev/null 2>&1)
rc=$?
lt_check "--tls with a user config: refused in one line (rc $rc)" test "$rc" -eq 1 -a \
	"$out" = "ERR --tls is for the generated config: your config's listen says ssl itself"
lt_check "no private dir is left in TMPDIR" lt_empty_dir "$TMPDIR"
lt_check "no valgrind of this test runs" lt_no_leftovers "$lt_tmp"
lt_finish
