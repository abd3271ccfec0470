#!/usr/bin/env bash
# End to end, issue 13 ("why it leaks"): ngx-leaktop --batch with default
# options but the URLs (and -n/--rounds, for time) against the fixture nginx
# under real valgrind. For every fixture leak class: its site (file:line of
# the "LEAK: mode" marker), kind and verdict; the URL that drives it with
# its bytes per request of that URL (sites[].urls, within 10% of the truth)
# and what holds it (sites[].held_by). Clean URLs drive nothing, and a
# 30-round run of clean URLs flags nothing.
#
# A field the JSON does not have yet is a "not ok ... missing", never a skip.
# A site split by valgrind into several records (the first request on a
# connection and the keepalive ones reach a line by different stacks) is all
# its records at that file:line and kind; records allocated through
# ngx_palloc_block (a pool's next block, made while the leak fills its pool)
# are the pool's growth, not the leak's bytes, and are left out.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
fixture=$lt_repo/tests/fixture/ngx_http_leaky_module
show() { sed 's/^/#   /' "$@"; }
nothing_left() { lt_nothing_left "$ngx" "$TMPDIR"; }

# marker MODE: FILE:LINE of the "/* LEAK: MODE */" marker in the module's files
marker() {
	local f n
	for f in ngx_http_leaky_module.c ngx_http_leaky_why.c; do
		n=$(grep -n "LEAK: $1 \*/" "$fixture/$f" | head -n 1 | cut -d: -f1)
		[ -n "$n" ] && { echo "$f:$n"; return 0; }
	done
	echo "why.sh: no marker 'LEAK: $1' in $fixture" >&2
	echo "nomarker:0"
}

# run NAME ARGS...: a batch run into $lt_tmp/NAME.json; sets $rc and $secs
run() {
	local name=$1 t0; shift
	lt_new_port "$conf"
	t0=$(date +%s%N)
	"$LT" --batch --no-session -c "$conf" --json "$lt_tmp/$name.json" "$@" "$NGINX" \
		>"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err"
	rc=$?
	secs=$(( ($(date +%s%N) - t0) / 1000000000 ))
	echo "# $name: $* -> exit $rc in ${secs} s"
}

# The jq definitions every query uses: $f file, $l line, $k kind.
jq_defs='
def recs: [.sites[] | select((.file // "" | endswith("/" + $f)) and .line == $l and .kind == $k)
	| select(all(.stack[]?; .function != "ngx_palloc_block"))];
def main: recs | max_by(.bytes[-1]);
def near($got; $want; $tol): ($got - $want) as $d | (if $d < 0 then -$d else $d end) <= $tol * $want;'
q() {	# q JSON SITE KIND FILTER [jq args]: FILTER with the site's definitions
	local json=$1 site=$2 kind=$3 filter=$4; shift 4
	jq -r --arg f "${site%%:*}" --argjson l "${site##*:}" --arg k "$kind" "$@" \
		"$jq_defs $filter" "$json"
}
qt() { [ "$(q "$@")" = true ]; }

# leak JSON MODE KIND URL TRUTH [PERCENT]: the site of MODE, its kind, verdict
# growing, and URL as its only driving URL with TRUTH bytes per request
# (within PERCENT, 10 unless given)
leak() {
	local json=$1 mode=$2 kind=$3 url=$4 truth=$5 pct=${6:-10} site got
	site=$(marker "$mode")
	lt_check "$mode: a $kind site at $site" qt "$json" "$site" "$kind" 'recs | length > 0' ||
		{ q "$json" "$site" "$kind" '[.sites[] | select(.file // "" | test("leaky"))
			| "\(.file | split("/") | last):\(.line) \(.kind) \(.growth)"] | unique[]' | show; }
	got=$(q "$json" "$site" "$kind" 'main.growth // "absent"')
	lt_check "$mode: $site ($kind) is growing (got $got)" [ "$got" = growing ]
	if ! qt "$json" "$site" "$kind" 'recs | any(has("urls"))'; then
		lt_not_ok "$mode: $site urls missing: want $url at $truth B/request (sites[].urls not in the JSON)"
	else
		got=$(q "$json" "$site" "$kind" '[recs[] | .urls[]? | select(.url == $u) | .bytes_per_request] | add // 0' \
			--arg u "$url")
		lt_check "$mode: $site driven by $url at $got B/request (truth $truth, within $pct%)" \
			qt "$json" "$site" "$kind" "near($got; $truth; $pct / 100)"
		got=$(q "$json" "$site" "$kind" '[recs[] | .urls[]?.url] | unique | join(" ")')
		lt_check "$mode: $url is its only driving URL (got: $got)" [ "$got" = "$url" ]
		got=$(q "$json" "$site" "$kind" 'main.urls[0].url // "none"')
		lt_check "$mode: its top URL is $url (got $got)" [ "$got" = "$url" ]
	fi
}

# held JSON MODE POOL [JQ-CONDITION DESCRIPTION]: a still reachable site held by POOL
held() {
	local json=$1 mode=$2 pool=$3 cond=${4:-true} what=${5:-} site got
	site=$(marker "$mode")
	if ! qt "$json" "$site" still_reachable 'main | has("held_by")'; then
		lt_not_ok "$mode: $site held_by missing: want pool $pool${what:+, $what} (sites[].held_by not in the JSON)"
		return
	fi
	got=$(q "$json" "$site" still_reachable 'main.held_by | tojson')
	lt_check "$mode: held by the $pool pool${what:+, $what} (held_by: $got)" \
		qt "$json" "$site" still_reachable "main.held_by | (.pool == \"$pool\") and ($cond)"
}

# clean JSON URL...: no site names any of these URLs as driving it
clean_urls() {
	local json=$1 u got; shift
	if ! jqt 'any(.sites[]; has("urls"))' "$json"; then
		lt_not_ok "clean URLs ($*) drive nothing: no site has urls (sites[].urls not in the JSON)"
		return
	fi
	for u; do
		got=$(jq -r --arg u "$u" '[.sites[] | select(any(.urls[]?; .url == $u))
			| "\(.file | split("/") | last):\(.line)"] | join(" ")' "$json")
		lt_check "$u drives no site (got: ${got:-none})" [ -z "$got" ]
	done
}

# --- definitely lost: a plain leak, an error path, a rare one (the issue's 5 URLs) ---
run lost -u /leak/pool -u /clean -u /err/ok -u /err/bad -u /rare -n 100 --rounds 12
lt_check "lost: exit 1 (growing sites)" [ "$rc" -eq 1 ] || show "$lt_tmp/lost.err"
lt_check "lost: baseline + 12 rounds" [ "$(jq '.rounds | length' "$lt_tmp/lost.json" 2>/dev/null)" = 13 ]
leak "$lt_tmp/lost.json" leak_pool definitely_lost /leak/pool 1088
# a 400 closes the connection: /err/bad's requests reach the line through
# the first-request stack and the keepalive one in a share that varies,
# and each stack's fit has its own one-off column; their sum came out 12%
# low in 1 of 3 runs (140 and 144 of 160), before and after issue 15: 15%
leak "$lt_tmp/lost.json" err definitely_lost /err/bad 160 15
# one request in 7: whole leaks only, so a round's share of them is off by
# up to one (128 B), and /err/bad's closed connections split them over
# two stacks, each fitted with its own one-off: 20%
leak "$lt_tmp/lost.json" rare definitely_lost /rare 18.29 20
clean_urls "$lt_tmp/lost.json" /clean /err/ok

# --- still reachable: who holds it ----------------------------------------------------
run held -u /leak/cycle -u /leak/conn -u /leak/static -u /leak/modpool -u /clean -n 100 --rounds 12
lt_check "held: exit 1 (growing sites)" [ "$rc" -eq 1 ] || show "$lt_tmp/held.err"
leak "$lt_tmp/held.json" leak_cycle still_reachable /leak/cycle 11
held "$lt_tmp/held.json" leak_cycle cycle
leak "$lt_tmp/held.json" leak_conn still_reachable /leak/conn 256
held "$lt_tmp/held.json" leak_conn connection
leak "$lt_tmp/held.json" leak_static still_reachable /leak/static 64
held "$lt_tmp/held.json" leak_static static '.symbol == "ngx_http_leaky_static_blocks"' \
	'symbol ngx_http_leaky_static_blocks'
leak "$lt_tmp/held.json" leak_modpool still_reachable /leak/modpool 200
pool_at=$(marker leak_modpool/pool)
held "$lt_tmp/held.json" leak_modpool module \
	"(.created_at.file // \"\" | endswith(\"/${pool_at%%:*}\")) and .created_at.line == ${pool_at##*:}" \
	"created at $pool_at"
clean_urls "$lt_tmp/held.json" /clean

# --- clean code over 30 rounds flags nothing -----------------------------------------
run clean -u /clean -u / -u /err/ok -n 100 --rounds 30
lt_check "clean: exit 0 (nothing growing) in ${secs} s" [ "$rc" -eq 0 ] || show "$lt_tmp/clean.err"
lt_check "clean: baseline + 30 rounds" [ "$(jq '.rounds | length' "$lt_tmp/clean.json" 2>/dev/null)" = 31 ]
got=$(jq -r '[.sites[] | select(.growth == "growing" or .growth == "bounded")
	| "\(.file | split("/") | last):\(.line) \(.kind) \(.growth)"] | unique | join(", ")' "$lt_tmp/clean.json")
lt_check "clean: no site growing or bounded over 30 rounds (got: ${got:-none})" [ -z "$got" ]
got=$(jq '[.rounds[].failed] | add' "$lt_tmp/clean.json")
lt_check "clean: no request failed (got $got)" [ "$got" = 0 ]

lt_check "nothing left running, private dirs removed" nothing_left
lt_finish
