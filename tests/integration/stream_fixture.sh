#!/usr/bin/env bash
# The protocol fixture's ground truth, with valgrind itself and no
# ngx-leaktop: the fixture nginx on nginx-proto.conf.in (lt_fixture_proto_conf)
# under memcheck with its gdbserver. The three http servers answer: plain
# HTTP/1.1, TLS with HTTP/2 by ALPN, cleartext HTTP/2 with prior knowledge
# (and nothing else there: HTTP/1.1 gets no answer but a close). Then two
# rounds of stream sessions (10 LEAK, 10 KEEP, 10 CLEAN, 2 other lines)
# through bash's /dev/tcp, each followed by `leak_check full reachable any`
# through vgdb: the LEAK line has 96 B definitely lost per session, the
# KEEP line 64 B still reachable per session, growing by exactly that per
# round, and no loss record names the CLEAN line.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb curl timeout cat
STREAM_SRC=$lt_repo/tests/fixture/ngx_http_leaky_module/ngx_stream_leaky_module.c
SESSIONS=10	# per kind and round

line_of() { grep -n "LEAK: $1 \*/" "$STREAM_SRC" | cut -d: -f1; }
L_LEAK=$(line_of stream_leak) L_KEEP=$(line_of stream_keep) L_CLEAN=$(line_of stream_clean)
lt_check "one marker line each: leak=$L_LEAK keep=$L_KEEP clean=$L_CLEAN" \
	test "$(echo "$L_LEAK $L_KEEP $L_CLEAN" | wc -w)" -eq 3

run=$lt_tmp/proto
lt_fixture_proto_conf "$run" || { lt_not_ok "lt_fixture_proto_conf"; lt_finish; exit 1; }
lt_check "the certificate and key of tlscert_driver are there, the key 0600" \
	test -s "$run/tls.crt" -a "$(stat -c %a "$run/tls.key")" = 600

valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$run/vgdb" --num-callers=30 \
	--fullpath-after= --log-file="$run/vg.log" \
	"$NGINX" -p "$run/" -c "$run/nginx.conf" -g 'daemon off; master_process off;' \
	</dev/null >"$run/stdout" 2>"$run/stderr" &
vg=$!
lt_pids+=("$vg")
for _ in $(seq 1200); do
	curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/status" && break
	kill -0 "$vg" 2>/dev/null || break
	sleep 0.1
done
lt_check "nginx under valgrind answers on the plain port" \
	curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$port/status" ||
	{ tail -n 20 "$run/vg.log" "$run/logs/error.log"; lt_finish; exit 1; }

# ---- the http servers ----
got=$(curl -sk --http2 --max-time 30 -o /dev/null -w '%{http_code} %{http_version}' \
	"https://127.0.0.1:$tls_port/clean")
lt_check "the TLS server speaks HTTP/2 by ALPN (got '$got')" test "$got" = "200 2"
got=$(curl -sk --http1.1 --max-time 30 -o /dev/null -w '%{http_code} %{http_version}' \
	"https://127.0.0.1:$tls_port/clean")
lt_check "... and HTTP/1.1 to a client without h2 (got '$got')" test "$got" = "200 1.1"
got=$(curl -s --http2-prior-knowledge --max-time 30 -o /dev/null \
	-w '%{http_code} %{http_version}' "http://127.0.0.1:$h2c_port/clean")
lt_check "the cleartext http2 server speaks HTTP/2 with prior knowledge (got '$got')" \
	test "$got" = "200 2"
got=$(curl -s --http1.1 --max-time 30 -o /dev/null -w '%{http_code}' \
	"http://127.0.0.1:$h2c_port/clean")
lt_check "... and answers HTTP/1.1 with no HTTP (got '$got')" test "$got" = "000"

# ---- the stream server ----
# session WORD: one TCP session; prints what nginx answered before closing
session() {
	local fd ans
	exec {fd}<>"/dev/tcp/127.0.0.1/$stream_port" || return 1
	printf '%s\n' "$1" >&"$fd"
	ans=$(timeout 30 cat <&"$fd")
	exec {fd}>&-
	printf '%s\n' "$ans"
}
# round N: the sessions of one round, their answers checked
round() {
	local w want i n bad=0
	for w in LEAK:leak KEEP:keep CLEAN:clean hello:clean; do
		want="ok ${w#*:}" n=$SESSIONS
		[ "${w%%:*}" = hello ] && n=2
		for ((i = 0; i < n; i++)); do
			[ "$(session "${w%%:*}")" = "$want" ] || bad=$((bad + 1))
		done
	done
	lt_check "round $1: every session answered as its line says ($bad did not)" test "$bad" -eq 0
}
check() {	# N: leak_check into $run/checkN.txt
	timeout 120 vgdb --vgdb-prefix="$run/vgdb" --pid="$vg" leak_check full reachable any \
		>"$run/check$1.txt" 2>>"$run/vgdb.err"
	lt_check "leak_check $1: a whole report" grep -q "LEAK SUMMARY" "$run/check$1.txt"
}
# bytes FILE LINE KIND: bytes of the loss records of KIND ("*": any) with a
# frame at the stream module's LINE (records through ngx_palloc_block, a
# pool block that happened to be made there, left out); "direct" bytes
# for a definitely lost record with an indirect part.
bytes() {
	awk -v at="ngx_stream_leaky_module.c:$2)" -v want="$3" '
		function flush() {
			if (kind != "" && hit && !block && (want == "*" || kind == want)) sum += b
			kind = ""; hit = 0; block = 0
		}
		{ line = $0; sub(/^==[0-9]+== ?/, "", line) }
		line ~ / bytes in [0-9,]+ (\([-+][0-9,]+\) )?blocks are .* in loss record / {
			flush()
			gsub(/ \([-+][0-9,]+\)/, "", line); gsub(/,/, "", line)
			split(line, w, " "); b = w[1]
			if (match(line, /\([0-9]+ direct/)) b = substr(line, RSTART + 1, RLENGTH - 8)
			kind = line; sub(/.* blocks are /, "", kind); sub(/ in loss record .*/, "", kind)
			next
		}
		kind != "" && line ~ /^ +(at|by) 0x/ {
			if (index(line, at)) hit = 1
			if (line ~ /: ngx_palloc_block /) block = 1
			next
		}
		kind != "" && line !~ /^ *of which reachable/ { flush() }
		END { flush(); print sum + 0 }' "$1"
}

round 1
check 1
round 2
check 2
for n in 1 2; do
	f=$run/check$n.txt
	# every session's 96 B at the line; definitely lost but for at most the
	# latest block, which a stale pointer left on nginx's stack or in a
	# register can make possibly lost or reachable to valgrind's scan
	lt_check "check $n: $((n * SESSIONS * 96)) B at ngx_stream_leaky_module.c:$L_LEAK, definitely lost" \
		test "$(bytes "$f" "$L_LEAK" "*")" -eq $((n * SESSIONS * 96)) -a \
			"$(bytes "$f" "$L_LEAK" "definitely lost")" -ge $(((n * SESSIONS - 1) * 96))
	lt_check "check $n: $((n * SESSIONS * 64)) B still reachable at ngx_stream_leaky_module.c:$L_KEEP" \
		test "$(bytes "$f" "$L_KEEP" "still reachable")" -eq $((n * SESSIONS * 64))
	lt_check "check $n: nothing of any kind at the clean line $L_CLEAN" \
		test "$(bytes "$f" "$L_CLEAN" "*")" -eq 0
	lt_check "check $n: the LEAK line's bytes definitely lost, but for at most its latest block" \
		test $(($(bytes "$f" "$L_LEAK" "*") - $(bytes "$f" "$L_LEAK" "definitely lost"))) -le 96
done

kill -QUIT "$vg" 2>/dev/null
for _ in $(seq 300); do kill -0 "$vg" 2>/dev/null || break; sleep 0.1; done
lt_check "nginx under valgrind stopped on SIGQUIT" bash -c "! kill -0 $vg 2>/dev/null"
lt_finish
