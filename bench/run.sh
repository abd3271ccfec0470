#!/usr/bin/env bash
# make bench: every figure of the suite as a ratio against a baseline
# measured in the same run, on the real fixture nginx under valgrind where
# it applies. Results: bench/results/latest.txt (and a dated copy).
# Every RATIO line is judged against its target: "met" or "MISSED" (a
# figure that never came, its bench having failed, is MISSED too); the
# summary counts them and the exit status is 1 when any target is missed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tests/lib.sh
mkdir -p bench/results
out=bench/results/latest.txt
XML_SIZE=${XML_SIZE:-1G}
ngx=$lt_tmp/ngx
lt_fixture_conf "$ngx" >/dev/null

{
	echo "# ngx-leaktop $(./ngx-leaktop --version | cut -d' ' -f2) bench, $(date -u +%FT%TZ), $(nproc) cores"
	echo
	echo "## 1. leak check round trip: command -> model updated, vs raw vgdb on the same nginx"
	build/bench/bench_roundtrip "$NGINX" "$ngx/nginx.conf" 10
	echo
	echo "## 2. burst throughput, same URL and concurrency, vs wrk; held connections vs closed"
	build/bench/bench_burst "$NGINX" "$ngx/nginx.conf" / 4 3 5
	echo
	echo "## 2b. burst throughput over TLS vs wrk, over HTTP/2 (TLS, one connection) vs h2load, same nginx"
	read -r u_http u_https u_h2 < <(bench/proto_conf.sh "$lt_tmp/ngx-proto")
	build/bench/bench_burst_proto "$NGINX" "$lt_tmp/ngx-proto/nginx.conf" "$u_http" "$u_https" "$u_h2" 4 3 5
	echo
	echo "## 3. text leak report parse + model update, 100,000 records, vs wc -l"
	sh tests/data/gen/bench.sh 100000 | tee "$lt_tmp/parse"
	awk '/leakcheck\+model \/ wc -l/ { printf "RATIO parse_model %s (target <= 3)\n", $NF }' "$lt_tmp/parse"
	echo
	echo "## 4. ngx-leaktop --load of XML ($XML_SIZE generated), vs xmllint --stream --noout"
	sh bench/xml_load.sh "$XML_SIZE" | tee "$lt_tmp/xml"
	awk '/ngx-leaktop --load \/ xmllint/ { printf "RATIO xml_load %s (target <= 1.5)\n", $(NF-3) }' "$lt_tmp/xml"
	echo
	echo "## 5. TUI full redraw, 100,000 sites, vs a 16 ms frame"
	bash bench/run-tui-bench.sh 100000 31 | tee "$lt_tmp/tui"
	awk '/full redraw, rows cached/ { printf "RATIO tui_redraw %s (target <= 1.0)\n", $(NF-5) }' "$lt_tmp/tui"
	echo
	echo "## 6. cold start to first finding, vs valgrind start + 1 burst + 1 raw check"
	bash bench/cold_start.sh 3 200
	echo
	echo "## 7. the debugger: d -> stopped at the line, n -> stepped, vs raw gdb/MI on the same nginx"
	build/bench/bench_debug "$NGINX" "$ngx/nginx.conf" "$(lt_leak_line leak_alloc)" 5 \
		"$(sed -n 's/.*listen *127.0.0.1:\([0-9]*\).*/\1/p' "$ngx/nginx.conf" | head -n 1)"
	echo
	echo "## 8. the bursts under --vgdb=full (the live screen's, for the debugger) vs --vgdb=yes (batch's)"
	bash bench/vgdb_mode.sh 3 400
	echo
	echo "## 9. a check round over a master and 1, 2, 4 workers vs as many raw vgdb calls"
	for w in 1 2 4; do build/bench/bench_workers "$NGINX" "$w" 5; done
	echo
	echo "## 10. checks on a big config (4,000 locations, issue 17): each round vs raw vgdb leak_check summary on the same nginx"
	bash bench/bigconf.sh 4000 5 6
	echo
	echo "## 11. a round's verdicts early and late in a long session (4,400 sites)"
	build/bench/bench_verdict 10000 4400 3
	echo
	echo "## 12. a long session: 10,000 rounds of 4,400 sites through the parser, model and session file"
	# The session file on tmpfs when there is one: the figure is the
	# tool's work per round, not the disk's fsync, which is the same in
	# every round and varies with what else the disk does.
	long_dir=$lt_tmp
	[ -d /dev/shm ] && [ -w /dev/shm ] && long_dir=$(mktemp -d /dev/shm/bench-long.XXXXXX)
	build/bench/bench_long "${LONG_ROUNDS:-10000}" 4400 "$long_dir"
	[ "$long_dir" = "$lt_tmp" ] || rm -rf "$long_dir"
} 2>&1 | tee "$out"

# judge: each expected figure against its target, "met" or "MISSED"
judge() {
	local name line
	for name in roundtrip burst burst_hold burst_https burst_h2 parse_model xml_load tui_redraw cold_start debug_stop debug_next vgdb_full_rps \
		workers1_vs_sequential workers2_vs_sequential workers4_vs_sequential \
		workers1_vs_parallel workers2_vs_parallel workers4_vs_parallel bigconf_roundtrip \
		verdict_flat long_rss_mb long_round_flat long_file_mb long_load_s; do
		line=$(grep -E "^RATIO $name " "$out" | tail -n 1)
		if [ -z "$line" ]; then
			echo "RATIO $name none MISSED (no figure: its bench failed)"
			continue
		fi
		echo "$line" | awk '{
			v = $3 + 0; op = $5; t = $6; sub(/\)$/, "", t); t += 0
			ok = (op == "<=") ? v <= t : (op == ">=") ? v >= t : 0
			printf "%s %s\n", $0, ok ? "met" : "MISSED"
		}'
	done
}
judge >"$lt_tmp/verdicts"
missed=$(grep -c ' MISSED' "$lt_tmp/verdicts")
total=$(wc -l <"$lt_tmp/verdicts")
{
	echo
	echo "== summary =="
	cat "$lt_tmp/verdicts"
	echo "bench: $((total - missed)) of $total targets met, $missed MISSED"
} | tee -a "$out"
cp "$out" "bench/results/$(date -u +%Y%m%d-%H%M%S).txt"
[ "$missed" -eq 0 ]
