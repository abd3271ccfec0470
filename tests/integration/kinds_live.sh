#!/usr/bin/env bash
# End to end, issue 16, the live screen: nginx under real valgrind, the
# bursts over HTTP/2 with TLS plus TCP exchanges, from a request file and
# --send. The header shows the protocol and the kinds; the kind editor (u)
# lists each kind with its protocol, method and where it came from; an
# entry added there (PUT /req) is sent by the next bursts, and its leak
# (ngx_http_leaky_req.c, 40 B per PUT) shows in the table under that
# kind's name; an off-machine entry is refused and changes nothing.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb tmux pgrep

. "$lt_repo/tests/tmux.sh"
nothing_left() {
	for _ in $(seq 100); do lt_running "valgrind.*$NGINX.*$TMPDIR" || break; sleep 0.1; done
	lt_nothing_left "$NGINX.*$TMPDIR" "$TMPDIR"
}
lt_fixture_setup
put=$(grep -n "LEAK: put \*/" "$lt_repo/tests/fixture/ngx_http_leaky_module/ngx_http_leaky_req.c" | cut -d: -f1)
printf '### header leaks\nGET /req\nX-Leak: 1\n\n### clean get\nGET /req\n' >"$lt_tmp/two.http"

tm_new "kinds" 160 40 "cd '$lt_tmp' && TMPDIR='$TMPDIR' '$LT' --no-session --tls --http2 \
	--directives 'location = /req { leaky_req; }' --request-file '$lt_tmp/two.http' \
	--stream-directives 'leaky_stream;' --send '$lt_repo/tests/data/stream/clean.txt' \
	-n 60 -C 4 '$NGINX'; $lt_shell_tail"
lt_check "the screen opens and the baseline check runs" wait_for 'check #0 at' 120
lt_check "the header: 3 kinds over HTTP/2 (TLS) + TCP" grep -q 'kinds 3 .*HTTP/2 (TLS) + TCP' "$lt_tmp/pane"
keys u
lt_check "u: the kind editor lists the request file's kinds by title, h2, from the file" \
	wait_for 'header leaks +h2 +GET .*two.http:2' 10
lt_check "... and the TCP exchange" grep -qE 'tcp clean.txt +tcp +.*tcp://127.0.0.1:' "$lt_tmp/pane"
keys a
keys -l 'http://192.0.2.1/x'
keys Enter A
lt_check "an off-machine entry: refused, says loopback" wait_for 'loopback' 10
keys d
keys a
keys -l 'PUT /req'
keys Enter A
lt_check "PUT /req added and applied: 4 kinds for the next bursts" wait_for 'kinds 4 ' 10
keys Escape
for r in 1 2 3 4 5 6; do
	keys r
	wait_for "check #$r at" 90 || break
done
lt_check "after 6 rounds: the PUT's leak (line $put) grows, named 'PUT /req'" \
	grep -qE "ngx_http_leaky_req.c:$put .* growing +PUT /req" "$lt_tmp/pane"
keys q
lt_check "q: ngx-leaktop exited" wait_exit 60
lt_check "exit status 0" grep -q 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "nothing left running, private dirs removed" nothing_left

lt_finish
