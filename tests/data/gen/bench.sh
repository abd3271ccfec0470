#!/bin/sh
# bench.sh - time leakcheck on a big generated answer against `wc -l`.
#
#   tests/data/gen/bench.sh [NRECORDS]      (default 100000, ~30 frames each)
#
# Builds gen_big and leakcheck_bench (with the model when src/model/model/ exists),
# generates the answer from a real capture, and prints the median of 5 runs
# of each (and the runs) with the ratios of the medians.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
n=${1:-100000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM HUP

cflags="-std=c11 -D_GNU_SOURCE -O2 -g -I$root/include"
src="$(echo $root/src/valgrind/leakcheck/*.c)
	$root/src/base/linescan.c $root/src/base/util.c $root/src/valgrind/leak.c"
gcc -O2 -o "$TMP/gen_big" "$here/gen_big.c"
gcc $cflags -o "$TMP/leakcheck_bench" "$here/leakcheck_bench.c" $src
if [ -d "$root/src/model/model" ] && [ -f "$root/src/base/intern.c" ]; then
	gcc $cflags -DWITH_MODEL -o "$TMP/leakcheck_bench_model" "$here/leakcheck_bench.c" $src \
		$root/src/model/model/*.c "$root/src/base/intern.c"
fi

capture=$root/tests/data/leak_check_full_any_1.txt
[ -f "$capture" ] || capture=$root/tests/data/leakcheck/full_any.txt
"$TMP/gen_big" "$capture" "$n" >"$TMP/big.txt"
echo "input: $(wc -c <"$TMP/big.txt") bytes, $(wc -l <"$TMP/big.txt") lines, $n records"

# median NAME CMD...: the median wall time of 5 runs, in ms, and the spread
median() {
	name=$1
	shift
	ts=
	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		ts="$ts $(((t1 - t0) / 1000000))"
	done
	sorted=$(printf '%s\n' $ts | sort -n | tr '\n' ' ')
	m=$(echo "$sorted" | awk '{ print $3 }')
	echo "$name: $m ms (median of 5; runs: $sorted)"
	eval "ms_$name=$m"
}

median wc wc -l "$TMP/big.txt"
median leakcheck "$TMP/leakcheck_bench" time "$TMP/big.txt"
echo "leakcheck / wc -l = $(awk "BEGIN { printf \"%.2f\", $ms_leakcheck / $ms_wc }")"
if [ -x "$TMP/leakcheck_bench_model" ]; then
	median model "$TMP/leakcheck_bench_model" time "$TMP/big.txt"
	echo "leakcheck+model / wc -l = $(awk "BEGIN { printf \"%.2f\", $ms_model / $ms_wc }")"
fi
