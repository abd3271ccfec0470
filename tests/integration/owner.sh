#!/usr/bin/env bash
# End to end: the owner search ("what holds it", issue 13) against the real
# fixture nginx under real valgrind. Each still-reachable leak class names
# its holder in the JSON and the table: /leak/cycle the cycle pool (made in
# ngx_cycle.c), /leak/static the static array, /leak/modpool the pool the
# module created (its line); and the search changes nothing the checks
# measured: the same run with the search off (NGX_LEAKTOP_OWNER=0) has the
# same bytes and blocks per round for every leak site.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq curl pgrep

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
why=$lt_repo/tests/fixture/ngx_http_leaky_module/ngx_http_leaky_why.c
why_line() { grep -n "LEAK: $1 \*/" "$why" | head -n 1 | cut -d: -f1; }
cycle=$(lt_leak_line leak_cycle)
static=$(why_line leak_static)
modpool=$(why_line leak_modpool)
modpool_pool=$(why_line leak_modpool/pool)
urls=(-u /leak/cycle -u /leak/static -u /leak/modpool -u /leak/pool -u /clean)

run() {	# run NAME [ENV=VALUE]: a batch run, its JSON in $lt_tmp/NAME.json
	local name=$1
	shift
	lt_new_port "$conf"
	env "$@" "$LT" --batch --session "$lt_tmp/$name.jsonl" -c "$conf" "${urls[@]}" -n 100 --rounds 3 \
		--json "$lt_tmp/$name.json" "$NGINX" >"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err"
	echo "# $name: exit $?"
}
# held FUNCTION LINE FILTER: the jq FILTER holds for the held_by of every
# growing still-reachable site at FUNCTION:LINE (and there is one)
held() {
	jq -e --arg f "$1" --argjson l "$2" "[.sites[] | select(.function == \$f and .line == \$l and
		.kind == \"still_reachable\" and .growth == \"growing\") | .held_by]
		| length > 0 and all(.[]; $3)" "$lt_tmp/on.json" >/dev/null
}

run on
lt_check "run with the search: JSON written" jqt '.sites' "$lt_tmp/on.json"
lt_check "leak_cycle (line $cycle): the cycle pool, made in ngx_init_cycle (ngx_cycle.c)" \
	held ngx_http_leaky_leak_cycle "$cycle" \
	'.pool == "cycle" and .created_at.function == "ngx_init_cycle" and (.created_at.file | endswith("/ngx_cycle.c"))'
lt_check "leak_static (line $static): static ngx_http_leaky_static_blocks" \
	held ngx_http_leaky_leak_static "$static" '.pool == "static" and .symbol == "ngx_http_leaky_static_blocks"'
lt_check "leak_modpool (line $modpool): the module's pool made at ngx_http_leaky_why.c:$modpool_pool" \
	held ngx_http_leaky_leak_modpool "$modpool" \
	".pool == \"module\" and .created_at.line == $modpool_pool and (.created_at.file | endswith(\"/ngx_http_leaky_why.c\")) and (has(\"symbol\") | not)"
lt_check "a definitely lost site names no holder" \
	jqt '[.sites[] | select(.kind == "definitely_lost" and .held_by)] | length == 0' "$lt_tmp/on.json"
lt_check "the table says what the cycle pool means" \
	grep -q '^  held: per request from the cycle pool: lives until reload - allocate from r->pool$' "$lt_tmp/on.out"
lt_check "the table names the module's pool by its line" \
	grep -q "^  held: in a pool created at ngx_http_leaky_why.c:$modpool_pool: lives until that pool is destroyed" "$lt_tmp/on.out"
lt_check "owner_search counts its monitor commands (1..8 per searched site)" \
	jqt '.owner_search.commands >= 3 and .owner_search.commands <= 8 * ([.sites[] | select(.held_by)] | length) and .owner_search.ms > 0' "$lt_tmp/on.json"
jq -r '"# owner search: \(.owner_search.commands) commands, \(.owner_search.ms | floor) ms in \(.owner_search.rounds) rounds; checks: \([.rounds[].check_ms // empty] | add // "?") ms"' "$lt_tmp/on.json"

# --load of the run's session file: the same holders, nothing lost
"$LT" --load "$lt_tmp/on.jsonl" --batch --json "$lt_tmp/load.json" >"$lt_tmp/load.out" 2>&1
holders() { jq -c '[.sites[] | select(.held_by) | {function, line, kind, held_by}] | sort' "$1"; }
lt_check "--load of the session file: the same holders as the run ($(holders "$lt_tmp/on.json" | jq length) sites)" \
	[ "$(holders "$lt_tmp/on.json" | jq length)" -ge 3 -a "$(holders "$lt_tmp/on.json")" = "$(holders "$lt_tmp/load.json")" ]
lt_check "--load's table says what the cycle pool means" \
	grep -q '^  held: per request from the cycle pool: lives until reload - allocate from r->pool$' "$lt_tmp/load.out"

run off NGX_LEAKTOP_OWNER=0
lt_check "run without the search: no holders, no commands" \
	jqt '([.sites[] | select(.held_by)] | length == 0) and .owner_search.commands == 0' "$lt_tmp/off.json"
# the leak sites' bytes and blocks per round, by function:line, summed over their stacks
measured() {
	jq -c '[.sites[] | select(.file != null and (.file | test("ngx_http_leaky_")))
		| {k: "\(.function):\(.line):\(.kind)", bytes, blocks}]
		| group_by(.k) | map({k: .[0].k, bytes: (map(.bytes) | transpose | map(add)),
		blocks: (map(.blocks) | transpose | map(add))})' "$1"
}
lt_check "the search changes nothing measured: leak sites' bytes and blocks per round equal" \
	[ "$(measured "$lt_tmp/on.json")" = "$(measured "$lt_tmp/off.json")" ]
lt_check "and they are there (leak_cycle, leak_static, leak_modpool rise)" \
	jqt "[.sites[] | select(.growth == \"growing\" and .kind == \"still_reachable\") | .line]
		| (index($cycle) != null) and (index($static) != null) and (index($modpool) != null)" "$lt_tmp/off.json"
lt_check "nothing left running, private dirs removed" lt_nothing_left "$ngx" "$TMPDIR"

# A stop (SIGINT) around round 1's check and its search: prompt, the rounds kept.
lt_new_port "$conf"
"$LT" --batch --no-session -c "$conf" "${urls[@]}" -n 100 --rounds 3 --json "$lt_tmp/stop.json" \
	"$NGINX" >"$lt_tmp/stop.out" 2>"$lt_tmp/stop.err" &
pid=$!
for _ in $(seq 600); do grep -q 'baseline check' "$lt_tmp/stop.err" && break; sleep 0.05; done
sleep 0.45
t0=$(date +%s%N)
kill -INT "$pid"
wait "$pid"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# stopped $ms ms after SIGINT: $(jq -c '{rounds: (.rounds | length), owner_search: .owner_search.commands}' "$lt_tmp/stop.json")"
lt_check "SIGINT during the round: ngx-leaktop ends within 3 s ($ms ms)" [ "$ms" -lt 3000 ]
lt_check "its report keeps the rounds checked (baseline + 1 at least)" jqt '.rounds | length >= 2' "$lt_tmp/stop.json"
lt_check "nothing left running after the stop" lt_nothing_left "$ngx" "$TMPDIR"

lt_finish
