#!/usr/bin/env bash
# run-fuzz.sh [SECONDS] - run every libFuzzer target build/fuzz/fuzz_* for
# SECONDS (default 60) each, from its seeds in tests/fuzz/seeds/NAME/.
#
# The corpus is a temporary copy, so the repository stays clean. Prints
# "# fuzz_NAME: N execs in S s" per target; on a crash it prints the
# sanitizer's report and the path of the input that triggered it (kept under
# build/fuzz-crashes/) and exits non-zero. Build the targets first:
# `make fuzz-build` (or `make fuzz`, which runs this).
set -uo pipefail
cd "$(dirname "$0")/../.."

secs=${1:-60}
crashes=build/fuzz-crashes
mkdir -p "$crashes"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
found=0
for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	found=1
	name=$(basename "$bin")
	target=${name#fuzz_}
	corpus=$tmp/$name
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/seeds/$target" ]; then
		cp tests/fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
	fi
	args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$crashes/$name-")
	[ -f "tests/fuzz/$target.dict" ] && args+=(-dict="tests/fuzz/$target.dict")
	log=$tmp/$name.log
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$bin" "${args[@]}" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(grep -oE '^Done [0-9]+ runs' "$log" | tail -n 1 | awk '{print $2}')
	[ -n "$execs" ] || execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}')
	echo "# $name: ${execs:-?} execs in ${secs} s, corpus $(ls "$corpus" | wc -l) inputs"
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "# $name: FAILED (exit $rc)"
		grep -E 'ERROR: |SUMMARY: |runtime error|^    #[0-9]+ ' "$log" | head -n 30 | sed 's/^/#   /'
		art=$(grep -oE 'Test unit written to [^ ]+' "$log" | awk '{print $5}')
		if [ -n "$art" ]; then
			echo "# $name: crash input: $art (reproduce: $bin $art)"
		else
			cp "$log" "$crashes/$name.log"
			echo "# $name: no crash input written; log kept: $crashes/$name.log"
		fi
	fi
done
if [ "$found" -eq 0 ]; then
	echo "run-fuzz.sh: no targets in build/fuzz (make fuzz-build)" >&2
	exit 2
fi
exit $status
