#!/usr/bin/env bash
# End to end, issue 16: stream (TCP) modules and configs that speak TLS,
# HTTP/2 and stream themselves, against the fixture nginx under real
# valgrind, ngx-leaktop --batch:
#   - the generated config with --stream-directives 'leaky_stream;' and
#     --send: the stream fixture's definitely lost block (LEAK) and its
#     still-reachable one (KEEP) are found at their lines, each attributed
#     to the exchange that causes it; CLEAN flags nothing; every session
#     is over before each check (the session pool's block never shows);
#   - --read: an exchange cut after N bytes is drained, not failed;
#   - a user config (tests/fixture/nginx-proto.conf.in) whose first listen
#     is `ssl http2`: https:// and HTTP/2 without asking, and --send goes
#     to its stream {} server; one whose first listen is a cleartext
#     `http2`: h2c by prior knowledge;
#   - a refused port and an off-machine --tcp: failures said, exit 2.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep timeout

lt_fixture_setup
fixture=$lt_repo/tests/fixture/ngx_http_leaky_module
data=$lt_repo/tests/data/stream
show() { sed 's/^/#   /' "$1" | tail -n "${2:-15}"; }
nothing_left() { lt_nothing_left "$NGINX" "$TMPDIR"; }
marker() {	# FILE:LINE of the "/* LEAK: MODE */" marker
	local f n
	for f in ngx_http_leaky_module.c ngx_stream_leaky_module.c; do
		n=$(grep -n "LEAK: $1 \*/" "$fixture/$f" | head -n 1 | cut -d: -f1)
		[ -n "$n" ] && { echo "$f:$n"; return 0; }
	done
	echo "nomarker:0"
}
run() {	# run NAME ARGS...: a batch run into $lt_tmp/NAME.{json,err}; sets $rc, $j
	local name=$1 t0; shift
	t0=$(date +%s)
	timeout -s KILL 600 "$LT" --batch --no-session --json "$lt_tmp/$name.json" "$@" "$NGINX" \
		>"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err"
	rc=$?
	j=$lt_tmp/$name.json
	echo "# $name: $* -> exit $rc in $(($(date +%s) - t0)) s"
}
# leak J FILE:LINE KIND(definitely_lost|still_reachable) NAME BYTES: growing,
# BYTES (+-12%) per request of NAME, its top kind
leak() {
	jqt --arg f "${2%%:*}" --argjson l "${2##*:}" --arg k "$3" --arg n "$4" --argjson b "$5" '
		[.sites[] | select((.file // "" | endswith("/" + $f)) and .line == $l and .kind == $k)] |
		(map(.growth) | index("growing") != null) and
		([.[] | .urls[0]?.url] | index($n) != null) and
		((([.[] | .urls[]? | select(.url == $n) | .bytes_per_request] | add // 0) - $b | fabs)
			<= $b * 0.12)' "$1"
}
recs() {	# recs J FILE:LINE: what the records at FILE:LINE say
	jq -c --arg f "${2%%:*}" --argjson l "${2##*:}" '[.sites[] | select((.file // "" |
		endswith("/" + $f)) and .line == $l) | {kind, growth, urls}]' "$1" | head -c 600
}
# only J FILE:LINE...: the growing sites with a fixture frame are these only
only() {
	local j=$1; shift
	jqt --argjson want "$(printf '%s\n' "$@" | jq -R . | jq -sc .)" '
		[.sites[] | select(.growth == "growing" and (.core_only | not) and
			((.file // "") | test("leaky"))) | "\(.file | split("/") | last):\(.line)"] |
		unique - $want == []' "$j"
}
sleak=$(marker stream_leak) skeep=$(marker stream_keep) sclean=$(marker stream_clean)
alloc=$(marker leak_alloc)

# --- the generated config's stream server ---
run gen -C 4 -n 60 --rounds 5 --stream-directives 'leaky_stream;' \
	--send "$data/leak.txt" --send "$data/keep.txt" --send "$data/clean.txt"
lt_check "stream: exit 1, the leaks found (got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/gen.err"
lt_check "stream: protocol TCP, three kinds sent to tcp://127.0.0.1" \
	jqt '.protocol == "TCP" and (.kinds | length) == 3 and
		all(.kinds[]; .protocol == "tcp" and (.target | startswith("tcp://127.0.0.1:")))' "$j"
lt_check "stream: every exchange went through" jqt '([.rounds[] | .failed // 0] | add) == 0 and
	([.rounds[] | .requests] | add) == 300' "$j"
nleak=$(jq -r '.kinds[0].name' "$j") nkeep=$(jq -r '.kinds[1].name' "$j")
lt_check "stream: LEAK's block $sleak definitely lost, 96 B per '$nleak'" \
	leak "$j" "$sleak" definitely_lost "$nleak" 96 || recs "$j" "$sleak"
lt_check "stream: KEEP's block $skeep still reachable, growing, 64 B per '$nkeep'" \
	leak "$j" "$skeep" still_reachable "$nkeep" 64 || recs "$j" "$skeep"
lt_check "stream: nothing else of the module grows (CLEAN flags nothing)" only "$j" "$sleak" "$skeep"
lt_check "stream: no session was alive at a check (its pool's block $sclean never seen)" \
	jqt --arg l "${sclean##*:}" '[.sites[] | select(.file // "" | endswith("ngx_stream_leaky_module.c")) |
		select(.line == ($l | tonumber))] | length == 0' "$j" || recs "$j" "$sclean"
lt_check "stream: nothing left running" nothing_left

# --- --read: the exchange ends after 3 bytes (of "ok leak\n"), drained ---
run read -C 2 -n 20 --rounds 1 --stream-directives 'leaky_stream;' --send "$data/clean.txt" --read 3
lt_check "--read 3: exit 0, every exchange counted, none failed (got $rc)" \
	jqt '([.rounds[] | .failed // 0] | add) == 0 and ([.rounds[] | .requests] | add) == 20' "$j" ||
	show "$lt_tmp/read.err"
lt_check "--read 3: nothing left running" nothing_left

# --- --http-block and --stream-block: directives nginx takes only there ---
run blocks -C 2 -n 20 --rounds 1 --http-block 'map $uri $lt_x { default 1; }' \
	--stream-block 'upstream lt_up { server 127.0.0.1:1; }' --stream-directives 'leaky_stream;' \
	--send "$data/clean.txt"
lt_check "--http-block map, --stream-block upstream: nginx takes them there, the exchanges go through" \
	jqt '([.rounds[] | .failed // 0] | add) == 0 and ([.rounds[] | .requests] | add) == 20' "$j" ||
	show "$lt_tmp/blocks.err"
lt_check "--stream-block alone: refused, says it needs --stream-directives" \
	bash -c "'$LT' --batch --stream-block 'upstream u { server 127.0.0.1:1; }' '$NGINX' 2>&1 |
		grep -q 'goes with --stream-directives'"

# --- user configs that speak TLS, HTTP/2 and stream themselves ---
lt_fixture_proto_conf "$lt_tmp/proto" || lt_not_ok "lt_fixture_proto_conf"
# drop_servers IN OUT K...: IN without its http server blocks number K...
# (from 1): the first http listen left decides the base URL
drop_servers() {
	local in=$1 out=$2; shift 2
	awk -v skip=" $* " '/^    server \{/ && !instream { k++; drop = index(skip, " " k " ") > 0 }
		/^stream/ { instream = 1 } !drop { print } drop && /^    \}$/ { drop = 0 }' "$in" >"$out"
}
drop_servers "$lt_tmp/proto/nginx.conf" "$lt_tmp/proto/tls.conf" 1
run usertls -c "$lt_tmp/proto/tls.conf" -p "$lt_tmp/proto" -C 4 -n 60 --rounds 5 \
	-u /leak/alloc -u /clean --send "$data/clean.txt"
lt_check "config with 'listen ... ssl http2': exit 1 (got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/usertls.err"
lt_check "... HTTP/2 over TLS without asking, and TCP to its stream server" \
	jqt --arg sp "$stream_port" '.protocol == "HTTP/2 (TLS) + TCP" and
		(.kinds[0].target | startswith("https://127.0.0.1:")) and
		.kinds[2].target == "tcp://127.0.0.1:\($sp)"' "$j" || jq -c '.protocol, .kinds' "$j"
lt_check "... every request answered" jqt '[.rounds[] | .failed // 0] | add == 0' "$j"
lt_check "... $alloc growing, 100 B per /leak/alloc" leak "$j" "$alloc" definitely_lost /leak/alloc 100 ||
	recs "$j" "$alloc"
lt_check "... nothing else grows (/clean, CLEAN)" only "$j" "$alloc"
lt_check "... nothing left running" nothing_left

drop_servers "$lt_tmp/proto/nginx.conf" "$lt_tmp/proto/h2c.conf" 1 2
run userh2c -c "$lt_tmp/proto/h2c.conf" -p "$lt_tmp/proto" -C 4 -n 40 --rounds 2 -u /clean
lt_check "config with a cleartext 'listen ... http2': h2c without asking, every request answered" \
	jqt '.protocol == "HTTP/2 (h2c)" and ([.rounds[] | .failed // 0] | add == 0) and
		([.rounds[1:][] | .requests] | add) == 80' "$j" || { jq -c '.protocol' "$j"; show "$lt_tmp/userh2c.err"; }
lt_check "... nothing left running" nothing_left

# --- failures ---
closed=$(lt_free_port)
run refused -C 2 -n 10 --rounds 1 --tcp "127.0.0.1:$closed" --send "$data/clean.txt"
lt_check "a refused --tcp port: exit 2, said (got $rc)" [ "$rc" -eq 2 ] && grep -q "could not connect\|refused\|connect" "$lt_tmp/refused.err" ||
	show "$lt_tmp/refused.err"
lt_check "... nothing left running" nothing_left
timeout -s KILL 60 "$LT" --batch --tcp 192.0.2.9:80 --send "$data/clean.txt" "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "an off-machine --tcp: exit 2, one line says loopback" \
	[ "$rc" -eq 2 ] && grep -q "loopback" "$lt_tmp/err" && [ "$(wc -l <"$lt_tmp/err")" -eq 1 ] ||
	show "$lt_tmp/err"
timeout -s KILL 60 "$LT" --batch --send "$data/clean.txt" "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "--send with no stream server: exit 2, says what to add" \
	[ "$rc" -eq 2 ] && grep -q -- "--stream-directives" "$lt_tmp/err" || show "$lt_tmp/err"

lt_finish
