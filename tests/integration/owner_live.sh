#!/usr/bin/env bash
# The owner search in the live screen, with a keepalive connection held
# open across checks: /leak/conn (256 B per request on r->connection->pool)
# sent over one connection this script keeps, a check (c) after each
# batch of requests. The site grows, and the detail line and the backtrace
# header name the connection pool and what it means.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

. "$lt_repo/tests/tmux.sh"
conn=$(grep -n 'LEAK: leak_conn \*/' "$lt_repo/tests/fixture/ngx_http_leaky_module/ngx_http_leaky_why.c" |
	cut -d: -f1)

nothing_left() {
	for _ in $(seq 100); do pgrep -f "valgrind.*$ngx" >/dev/null || break; sleep 0.1; done
	! pgrep -f "valgrind.*$ngx" >/dev/null && [ -z "$(ls -A "$TMPDIR")" ]
}
# send N: N keepalive requests to /leak/conn on the held connection (fd 3),
# their answers read before the next check: as they come, up to the N-th
# status line (each read bounded, 60 s), so every request has run
send() {
	local i got=0 line
	for ((i = 0; i < $1; i++)); do
		printf 'GET /leak/conn HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3
	done
	while [ "$got" -lt "$1" ] && IFS= read -r -t 60 line <&3; do
		[[ $line == *"HTTP/1."[01]" "* ]] && got=$((got + 1))
	done
	[ "$got" -eq "$1" ] || echo "# send $1: only $got answers"
}
check() {	# check N: a check (c), check #N on screen
	keys c
	wait_for "check #$1 at" 60
}

tm_new "conn" 200 30 "cd '$lt_tmp' && TMPDIR='$TMPDIR' '$LT' --no-session -c '$ngx/nginx.conf' \
	-u /clean -n 10 '$NGINX'; $lt_shell_tail"
lt_check "the screen opens and the baseline check runs" wait_for 'check #0 at' 120
exec 3<>"/dev/tcp/127.0.0.1/$port"
for n in 1 2 3; do
	send 20
	check "$n" || break
done
exec 3>&-
lt_check "leak_conn (line $conn) on a held connection: growing" \
	grep -qE "ngx_http_leaky_why.c:$conn +ngx_http_leaky_leak_conn +reachable .* growing" "$lt_tmp/pane"
# the round shows as soon as it is in; its holders when the search after it ends
lt_check "the detail line: held per request from the connection pool, as long as the connection" \
	wait_for 'held: per request from the connection pool: lives as long as the connection \(keepalive' 10
keys Enter
lt_check "the backtrace header says it too" wait_for '\| held: per request from the connection pool' 10
keys q
keys q
lt_check "q: ngx-leaktop exited" wait_exit 60
lt_check "nothing left running, private dirs removed" nothing_left

lt_finish
