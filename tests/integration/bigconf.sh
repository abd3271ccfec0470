#!/usr/bin/env bash
# End to end on a big nginx config (tests/tools/bigconf.sh, issue 17):
# thousands of loss records in every full answer. Batch with -c finds the
# fixture's leak among them (100 bytes per /leak/alloc request, nothing of
# the module on /clean); the checks after the baseline ask for what
# changed (rounds[].check); the session file grows by little per round;
# and, attached to an nginx this script starts, each check costs at most
# K times a raw `vgdb leak_check summary` on the same process.
#
# Sized for make check on a loaded 2-core machine: BIGCONF_LOCATIONS
# (default 1000) locations, 10 maps, 10 servers (2,200 sites in the report;
# about 90 s at a load of 15 on 2 cores, 3.5 min at 17).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$lt_repo/tests/tools/bigconf_lib.sh"
lt_need valgrind vgdb jq curl pgrep
export TMPDIR=$lt_tmp/tmp
mkdir -p "$TMPDIR"
nloc=${BIGCONF_LOCATIONS:-1000} nmap=${BIGCONF_MAPS:-10} nsrv=${BIGCONF_SERVERS:-10}
K=${BIGCONF_K:-3}		# a check <= K x raw summary (generous: a loaded machine)
MAX_ROUND_BYTES=${BIGCONF_MAX_ROUND_BYTES:-8192}	# session file growth per later round
dir=$lt_tmp/big
port=$(lt_free_port)
bash "$lt_repo/tests/tools/bigconf.sh" "$dir" "$port" "$nloc" "$nmap" "$nsrv"
conf=$dir/nginx.conf
show() { sed 's/^/#   /' "$@" | tail -n 20; }
json=$lt_tmp/r.json
session=$lt_tmp/r.jsonl

# --- batch with -c: the leak among thousands of records ----------------------
"$LT" --batch -c "$conf" -u /leak/alloc -u /clean -n 100 --rounds 3 --json "$json" \
	--session "$session" "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "big config: batch exits 1 (a growing site)" [ "$rc" -eq 1 ] || show "$lt_tmp/err"
lt_check "big config: baseline + 3 rounds in the JSON" jqt '(.rounds | length) == 4' "$json"
nsites=$(jq '.sites | length' "$json")
lt_check "big config: a big heap ($nsites sites, at least 1,000)" [ "${nsites:-0}" -ge 1000 ]
line=$(lt_leak_line leak_alloc)
lt_check "big config: ngx_http_leaky_module.c:$line growing at 100 bytes per /leak/alloc request" \
	jqt --argjson l "$line" '[.sites[] | select(.line == $l and (.file | endswith("ngx_http_leaky_module.c"))
		and .growth == "growing")] as $s | ($s | length) >= 1 and
		(([$s[] | .urls[]? | select(.url == "/leak/alloc") | .bytes_per_request] | add // 0) - 100 | fabs) < 2' \
	"$json" || jq -c --argjson l "$line" '[.sites[] | select(.line == $l) | {growth, urls}]' "$json"
lt_check "big config: nothing of the module on /clean" \
	jqt '[.sites[] | select((.file // "" | endswith("ngx_http_leaky_module.c")) and
		(.function == "ngx_http_leaky_clean" or any(.urls[]?; .url == "/clean")))] | length == 0' "$json"
lt_check "big config: no growing site outside the fixture's module" \
	jqt '[.sites[] | select(.growth == "growing" and (.function | startswith("ngx_http_leaky_") | not))]
		| length == 0' "$json"
# The chain of checks (issue 17): the baseline asks for every record, the
# later rounds for what changed. Fails until the engine reports which check
# a round was (rounds[].check): on purpose, it is the contract.
kinds=$(jq -c '[.rounds[] | .check]' "$json")
lt_check "big config: the baseline is an 'any' check, the later rounds 'changed' ($kinds)" \
	[ "$kinds" = '["any","changed","changed","changed"]' ]
# The session file: the first round line has every site; each later round
# adds what changed (a few sites), not every site again.
first_end=$(grep -b -m 1 '"type":"round"' "$session" | cut -d: -f1)
first_len=$(grep -m 1 '"type":"round"' "$session" | wc -c)
total=$(wc -c <"$session")
per=$(((total - first_end - first_len) / 3))
lt_check "big config: the session file grows by $per bytes per round after the first (< $MAX_ROUND_BYTES; the first round line $first_len)" \
	[ "$per" -lt "$MAX_ROUND_BYTES" ] ||
	awk '{ t = "?"; if (match($0, /"type":"[a-z_]+"/)) t = substr($0, RSTART + 8, RLENGTH - 9)
		n[t]++; b[t] += length($0) + 1 }
		END { for (t in n) printf "#   %d %s lines, %d bytes\n", n[t], t, b[t] }' "$session"
lt_check "big config: nothing left running, private dirs removed" lt_nothing_left "$dir" "$TMPDIR"

# --- attached: each check against raw summary on the same process -----------
lt_new_port "$conf"
bc_start "$dir"
if ! bc_wait_ready "$port" 300; then
	lt_not_ok "big config: nginx under valgrind answers on $port in 300 s"
	show "$dir/valgrind.err"
	lt_finish
	exit 1
fi
raw=()
for i in 1 2 3; do raw+=($(bc_raw "$lt_tmp/sum" summary)); done
lt_check "raw summary answers with a LEAK SUMMARY" grep -q 'LEAK SUMMARY' "$lt_tmp/sum" || show "$lt_tmp/sum"
"$LT" --attach "$bc_pid" "$NGINX" --vgdb-prefix "$bc_prefix" --batch --rounds 3 --every 1 \
	--json "$lt_tmp/a.json" --no-session --fail-on none >"$lt_tmp/a.out" 2>"$lt_tmp/a.err"
rc=$?
for i in 1 2; do raw+=($(bc_raw "$lt_tmp/sum" summary)); done
lt_check "attached: exit 0, baseline + 3 checks" \
	eval '[ "$rc" -eq 0 ] && jqt "(.rounds | length) == 4" "$lt_tmp/a.json"' || show "$lt_tmp/a.err"
m=$(bc_median "${raw[@]}")
checks=$(jq -r '[.rounds[1:][] | .check_ms | floor] | map(tostring) | join(" ")' "$lt_tmp/a.json")
slow=$(jq --argjson lim "$(awk -v m="$m" -v k="$K" 'BEGIN { print m * k }')" \
	'[.rounds[1:][] | select(.check_ms > $lim)] | length' "$lt_tmp/a.json")
lt_check "attached: each check after the baseline ($checks ms) <= ${K}x raw summary (median $m ms of ${raw[*]})" \
	[ "${slow:-1}" -eq 0 ]
lt_check "attached: their nginx still runs" kill -0 "$bc_pid"
bc_stop
lt_check "nothing left running, private dirs removed" lt_nothing_left "$dir" "$TMPDIR"
lt_finish
