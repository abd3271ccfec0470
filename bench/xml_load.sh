#!/bin/sh
# xml_load.sh - throughput and memory of `ngx-leaktop --load FILE.xml
# --batch --json OUT` (the product itself: parser, error groups, the exit
# report, the table and the JSON) against `xmllint --stream --noout` on the
# same big memcheck XML file.
#
#   bench/xml_load.sh [SIZE]        (default 1G; K, M, G suffixes)
#
# Builds bench/gen_xml.c and tests/tools/peakrss.c into build/bench/,
# generates build/bench/memcheck-SIZE.xml from real captures (kept for the
# next run), and prints the median wall time of 3 runs of each, their
# ratio and their peak RSS (wait4, no /usr/bin/time needed).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-1G}
out=$root/build/bench
mkdir -p "$out"
cd "$root"

gcc -O2 -o "$out/gen_xml" bench/gen_xml.c
gcc -O2 -o "$out/peakrss" tests/tools/peakrss.c

file=$out/memcheck-$size.xml
if [ ! -s "$file" ]; then
	"$out/gen_xml" "$size" "$file.tmp"
	mv "$file.tmp" "$file"
fi
bytes=$(wc -c <"$file")
cat "$file" >/dev/null			# same page cache state for both

# field LINE NAME: the value of NAME=... in LINE
field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

median() {
	sort -n | sed -n 2p
}

t_x=""; t_l=""; r_x=0; r_l=0
for i in 1 2 3; do
	lx=$("$out/peakrss" ./ngx-leaktop --load "$file" --batch --json "$out/xml_load.json")
	ll=$("$out/peakrss" xmllint --stream --noout "$file")
	echo "  run $i: ngx-leaktop --load: $lx"
	echo "  run $i: xmllint --stream:   $ll"
	[ "$(field "$lx" exit)" = 0 ] || { echo "xml_load: ngx-leaktop --load failed" >&2; exit 1; }
	[ "$(field "$ll" exit)" = 0 ] || { echo "xml_load: xmllint failed" >&2; exit 1; }
	t_x="$t_x $(field "$lx" ms)"
	t_l="$t_l $(field "$ll" ms)"
	m=$(field "$lx" maxrss_kb); [ "$m" -gt "$r_x" ] && r_x=$m
	m=$(field "$ll" maxrss_kb); [ "$m" -gt "$r_l" ] && r_l=$m
done
mx=$(echo "$t_x" | tr ' ' '\n' | sed '/^$/d' | median)
ml=$(echo "$t_l" | tr ' ' '\n' | sed '/^$/d' | median)
echo
echo "input:   $file ($bytes bytes)"
awk -v b="$bytes" -v mx="$mx" -v ml="$ml" -v rx="$r_x" -v rl="$r_l" 'BEGIN {
	printf "ngx-leaktop --load: median %6.0f ms  %6.0f MB/s  peak RSS %6d KiB\n", mx, b / mx / 1e3, rx
	printf "xmllint --stream:   median %6.0f ms  %6.0f MB/s  peak RSS %6d KiB\n", ml, b / ml / 1e3, rl
	printf "ratio:   ngx-leaktop --load / xmllint = %.2f (target <= 1.5)\n", mx / ml
}'
