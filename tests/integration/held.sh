#!/usr/bin/env bash
# Bursts against the fixture nginx under real valgrind, batch mode: which
# request and connections that live across checks (issue 13, the burst
# side).
#   - several URLs: each round's per-URL counts in the session file are the
#     arrangement's exactly (burst k: half to URL k mod n; round 1 without
#     the requests that opened the held connections before the baseline),
#     and --load reads the file back;
#   - with default options (keepalive: connections held across checks) a
#     module's per-request allocation on the connection pool (/leak/conn)
#     is `growing` at its line, 256 B per request; with --no-keepalive
#     (the control) it never shows;
#   - nginx closing connections mid-run (keepalive_requests 50) flags
#     nothing on clean URLs, and says so in one warning.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need jq

lt_fixture_setup
conn=$(grep -n "LEAK: leak_conn \*/" "$lt_repo/tests/fixture/ngx_http_leaky_module/ngx_http_leaky_why.c" |
	head -n 1 | cut -d: -f1)

# 1. per-URL counts: 30 requests over 3 URLs, 4 rounds
"$LT" --batch --rounds 4 -n 30 -c "$conf" -u / -u /clean -u /lazy --session "$lt_tmp/s.jsonl" \
	--json "$lt_tmp/s.json" "$NGINX" >"$lt_tmp/s.out" 2>&1
lt_check "3 URLs, 4 rounds: the run ends clean (exit 0)" test $? -eq 0 || cat "$lt_tmp/s.out"
counts=$(jq -c 'select(.type == "round") | [.n, .requests, .url_requests]' "$lt_tmp/s.jsonl" | tr '\n' ' ')
# round 1: what reached nginx after the baseline - the first request of
# each of the 4 connections (/, /, /clean, /: the burst's first picks)
# went before it, to open the connections that are held
want='[0,0,[]] [1,30,[[0,17],[1,4],[2,5]]] [2,30,[[0,5],[1,20],[2,5]]] [3,30,[[0,5],[1,5],[2,20]]] [4,30,[[0,20],[1,5],[2,5]]] '
lt_check "per round, the requests of each URL: 20 to the focus URL, 5 to the others, rotating" \
	test "$counts" = "$want" || echo "# got: $counts"
lt_check "the URL table is in the session file, as given with -u, in -u order" \
	jqt -s \
	'[.[] | select(.type == "round") | .urls[]] == ["/", "/clean", "/lazy"]' \
	"$lt_tmp/s.jsonl"
"$LT" --load "$lt_tmp/s.jsonl" --batch --json "$lt_tmp/l.json" >/dev/null 2>&1
lt_check "--load reads it back (exit 0)" test $? -eq 0
jsoncounts=$(jq -c '[.rounds[] | .url_requests | [.["/"], .["/clean"], .["/lazy"]]]' "$lt_tmp/s.json")
lt_check "the JSON report's rounds carry the same requests per URL" \
	test "$jsoncounts" = '[[0,0,0],[17,4,5],[5,20,5],[5,5,20],[20,5,5]]' || echo "# got: $jsoncounts"
lt_check "and so does --load's report" \
	test "$(jq -c '[.rounds[] | .url_requests | [.["/"], .["/clean"], .["/lazy"]]]' "$lt_tmp/l.json")" = "$jsoncounts"

# 2. held connections: /leak/conn
"$LT" --batch --rounds 4 --no-session -c "$conf" -u /leak/conn --json "$lt_tmp/c.json" "$NGINX" \
	>"$lt_tmp/c.out" 2>&1
lt_check "/leak/conn with default options: exit 1 (a leak)" test $? -eq 1 || cat "$lt_tmp/c.out"
lt_check "leak_conn (line $conn) is growing, 256 B per request, still reachable" \
	jqt --argjson l "$conn" '[.sites[] | select(.line == $l and .growth == "growing" and
	.kind == "still_reachable" and .bytes_per_request == 256)] | length >= 1' "$lt_tmp/c.json"
lt_check "nothing of nginx core is growing beside it" \
	jqt --argjson l "$conn" '[.sites[] | select(.growth == "growing" and .line != $l)] | length == 0' \
	"$lt_tmp/c.json"
"$LT" --batch --rounds 4 --no-session --no-keepalive -c "$conf" -u /leak/conn \
	--json "$lt_tmp/c0.json" "$NGINX" >"$lt_tmp/c0.out" 2>&1
lt_check "--no-keepalive (nothing held): exit 0, leak_conn never shows" \
	jqt --argjson l "$conn" '[.sites[] | select(.line == $l and .bytes[-1] > 0)] | length == 0' \
	"$lt_tmp/c0.json"

# 3. nginx closes connections mid-run: every burst of 200 over 4
# connections crosses keepalive_requests 50
sed -i 's|^http {|http {\n    keepalive_requests 50;|' "$conf"
"$LT" --batch --rounds 8 --no-session -c "$conf" -u / -u /clean --json "$lt_tmp/k.json" "$NGINX" \
	>"$lt_tmp/k.out" 2>&1
lt_check "keepalive_requests 50, clean URLs, 8 rounds: exit 0, nothing growing" test $? -eq 0 ||
	cat "$lt_tmp/k.out"
lt_check "... no site growing in the JSON either" \
	jqt '[.sites[] | select(.growth == "growing")] | length == 0' "$lt_tmp/k.json"
lt_check "... one warning that nginx closed kept-alive connections" \
	test "$(grep -c 'nginx closed kept-alive connections' "$lt_tmp/k.out")" -eq 1
lt_check "nothing left running, private dirs removed" lt_nothing_left "$ngx" "$TMPDIR"

lt_finish
