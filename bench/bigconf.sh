#!/usr/bin/env bash
# bigconf.sh - issue 17's figure: ngx-leaktop's leak checks on a big nginx
# config (tests/tools/bigconf.sh) against raw `vgdb leak_check summary`
# (valgrind's heap scan: the floor of any check) on the same process, in
# one run.
#
#   bench/bigconf.sh [LOCATIONS] [RUNS] [ROUNDS]   (default 4000 5 6)
#
# The debug-palloc nginx starts under valgrind as ngx-leaktop would start
# it, idle (no traffic). Raw vgdb first, RUNS times each, alternated:
# `summary`, `full reachable any`, `full reachable changed`, and summary
# with --max-invoke-ms=1 (ngx-leaktop's wake-up). Then `ngx-leaktop
# --attach PID --batch --rounds ROUNDS --every 1` on the same process: its
# baseline (a full `any` check) and ROUNDS checks of what changed
# (rounds[].check says which; rounds[].check_ms is each check, asked until
# its answer is in). Then the same with --full-checks (every check `any`,
# as before issue 17), and raw `summary` RUNS times again. Never
# interleaved: every leak search, raw ones too, moves the point the next
# `changed` answer counts from. The RATIO: the median of the tool's checks
# after its baseline over the median of all raw summaries.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tests/lib.sh
. tests/tools/bigconf_lib.sh
lt_need valgrind vgdb curl jq
nloc=${1:-4000} runs=${2:-5} rounds=${3:-6}
dir=$lt_tmp/big
port=$(lt_free_port)
bash tests/tools/bigconf.sh "$dir" "$port" "$nloc"
echo "config: $nloc locations, 50 maps, 40 servers, $(wc -c <"$dir/nginx.conf") bytes"
bc_start "$dir"
if ! bc_wait_ready "$port" 600; then
	echo "bigconf: nginx under valgrind did not answer on $port in 600 s" >&2
	tail -n 5 "$dir/valgrind.err" >&2
	exit 1
fi
echo "nginx under valgrind answers after $bc_ready_ms ms"

sum=() any=() chg=() sum1=() sizes=()
for ((i = 0; i < runs; i++)); do
	sum+=($(bc_raw "$lt_tmp/sum" summary))
	any+=($(bc_raw "$lt_tmp/any" full reachable any))
	chg+=($(bc_raw "$lt_tmp/chg" full reachable changed))
	# a user's vgdb waits 100 ms before it wakes nginx; ngx-leaktop's 1
	sum1+=($(BC_VGDB_OPTS=--max-invoke-ms=1 bc_raw "$lt_tmp/sum1" summary))
done
grep -q 'LEAK SUMMARY' "$lt_tmp/any" || { echo "bigconf: raw any has no LEAK SUMMARY" >&2; exit 1; }
records=$(grep -c ' in loss record ' "$lt_tmp/any" || true)
echo "idle nginx: raw 'full reachable any' answer $(wc -c <"$lt_tmp/any") bytes, $records loss records;" \
	"raw 'full reachable changed' answer $(wc -c <"$lt_tmp/chg") bytes"

json=$lt_tmp/lt.json
"$LT" --attach "$bc_pid" "$NGINX" --vgdb-prefix "$bc_prefix" --batch --rounds "$rounds" --every 1 \
	--json "$json" --no-session --fail-on none >"$lt_tmp/lt.out" 2>"$lt_tmp/lt.err" ||
	{ echo "bigconf: ngx-leaktop --attach failed:" >&2; tail -n 5 "$lt_tmp/lt.err" >&2; exit 1; }
# the same with --full-checks (every check `any`: the behaviour before
# issue 17), for comparison in the same run
json_full=$lt_tmp/full.json
"$LT" --attach "$bc_pid" "$NGINX" --vgdb-prefix "$bc_prefix" --batch --rounds $(((rounds + 1) / 2)) \
	--every 1 --full-checks --json "$json_full" --no-session --fail-on none >"$lt_tmp/lt.out" \
	2>"$lt_tmp/lt.err" ||
	{ echo "bigconf: ngx-leaktop --attach --full-checks failed:" >&2; tail -n 5 "$lt_tmp/lt.err" >&2; exit 1; }
for ((i = 0; i < runs; i++)); do
	sum+=($(bc_raw "$lt_tmp/sum" summary))
done
bc_stop

mapfile -t ms < <(jq -r '.rounds[].check_ms | floor' "$json")
mapfile -t kind < <(jq -r '.rounds[] | .check // "(no check member)"' "$json")
# attached, the baseline check is a round of its own before the ROUNDS
[ "${#ms[@]}" -eq $((rounds + 1)) ] ||
	{ echo "bigconf: ${#ms[@]} rounds in the JSON, not $((rounds + 1))" >&2; exit 1; }
later=("${ms[@]:1}")
mapfile -t full < <(jq -r '.rounds[1:][] | .check_ms | floor' "$json_full")
m_sum=$(bc_median "${sum[@]}") m_sum1=$(bc_median "${sum1[@]}")
m_any=$(bc_median "${any[@]}") m_chg=$(bc_median "${chg[@]}") m_later=$(bc_median "${later[@]}")
row() { printf '%-44s median %6s ms  (%s)\n' "$1" "$2" "$3"; }
row "raw vgdb leak_check summary (baseline)" "$m_sum" "$(printf '%s ' "${sum[@]}")ms, before and after"
row "raw summary, --max-invoke-ms=1" "$m_sum1" "$(printf '%s ' "${sum1[@]}")ms"
row "raw full reachable any" "$m_any" "$(printf '%s ' "${any[@]}")ms"
row "raw full reachable changed" "$m_chg" "$(printf '%s ' "${chg[@]}")ms"
row "ngx-leaktop baseline round (${kind[0]})" "${ms[0]}" "1 round"
row "ngx-leaktop later rounds (${kind[1]})" "$m_later" "$(printf '%s ' "${later[@]}")ms"
m_full=$(bc_median "${full[@]}")
row "ngx-leaktop --full-checks, later rounds" "$m_full" "$(printf '%s ' "${full[@]}")ms"
awk -v b="${ms[0]}" -v l="$m_later" -v s="$m_sum" -v a="$m_any" -v s1="$m_sum1" -v c="$m_chg" \
	-v f="$m_full" 'BEGIN {
	printf "ngx-leaktop baseline round / raw summary %.3f, / raw any %.3f\n", b / s, b / a
	printf "ngx-leaktop later rounds / raw summary at --max-invoke-ms=1 %.3f, / raw changed %.3f\n", l / s1, l / c
	printf "ngx-leaktop --full-checks later rounds / raw summary %.3f (the checks before issue 17)\n", f / s
	printf "RATIO bigconf_roundtrip %.3f (target <= 1.5)\n", l / s
}'
