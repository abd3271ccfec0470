#!/bin/sh
# bench.sh - time lparse on a big generated answer against `wc -l`.
#
#   tests/data/gen/bench.sh [NRECORDS]      (default 100000, ~30 frames each)
#
# Builds gen_big and lparse_bench (with the model when src/model.c exists),
# generates the answer from a real capture, and prints the best of 5 runs.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
n=${1:-100000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM HUP

cflags="-std=c11 -D_GNU_SOURCE -O2 -g -I$root/include"
src="$root/src/lparse.c $root/src/lpframe.c $root/src/linescan.c $root/src/util.c $root/src/leak.c"
gcc -O2 -o "$TMP/gen_big" "$here/gen_big.c"
gcc $cflags -o "$TMP/lparse_bench" "$here/lparse_bench.c" $src
if [ -f "$root/src/model.c" ] && [ -f "$root/src/intern.c" ]; then
	gcc $cflags -DWITH_MODEL -o "$TMP/lparse_bench_model" "$here/lparse_bench.c" $src \
		"$root/src/model.c" "$root/src/intern.c"
fi

capture=$root/tests/data/leak_check_full_any_1.txt
[ -f "$capture" ] || capture=$root/tests/data/lparse/full_any.txt
"$TMP/gen_big" "$capture" "$n" >"$TMP/big.txt"
echo "input: $(wc -c <"$TMP/big.txt") bytes, $(wc -l <"$TMP/big.txt") lines, $n records"

# best NAME CMD...: best wall time of 5 runs, in ms
best() {
	name=$1
	shift
	b=
	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		t=$(((t1 - t0) / 1000000))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "$name: $b ms"
	eval "ms_$name=$b"
}

best wc wc -l "$TMP/big.txt"
best lparse "$TMP/lparse_bench" time "$TMP/big.txt"
echo "lparse / wc -l = $(awk "BEGIN { printf \"%.2f\", $ms_lparse / $ms_wc }")"
if [ -x "$TMP/lparse_bench_model" ]; then
	best model "$TMP/lparse_bench_model" time "$TMP/big.txt"
	echo "lparse+model / wc -l = $(awk "BEGIN { printf \"%.2f\", $ms_model / $ms_wc }")"
fi
