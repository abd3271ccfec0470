#!/usr/bin/env bash
# --load of valgrind's XML holds its memory constant: a file five times
# the size must not raise ngx-leaktop's peak RSS (the parser streams, the
# errors are grouped by kind and stack, and the table of unique ids kept
# for <errorcounts> is bounded by MEMERRORS_MAX_REPEAT_IDS). The files are made
# by bench/gen_xml.c from real captures: 35 distinct errors written again
# and again with fresh unique ids, as `valgrind --error-limit=no` would.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$lt_repo" || exit 1

SMALL=${SMALL:-20M}
BIG=${BIG:-100M}
MARGIN_KB=1024		# the big file may cost this much more, no more
LIMIT_S=120		# each load, generous: 100 MB loads in about 1 s

cc -O2 -o "$lt_tmp/gen_xml" bench/gen_xml.c || exit 1
cc -O2 -o "$lt_tmp/peakrss" tests/tools/peakrss.c || exit 1

# load SIZE: generate a file of SIZE, load it, print the peak RSS in KiB
load() {
	local size=$1 f=$lt_tmp/m-$1.xml line rc
	"$lt_tmp/gen_xml" "$size" "$f" >/dev/null 2>&1 || { echo "gen_xml $size failed" >&2; return 1; }
	line=$("$lt_tmp/peakrss" timeout "$LIMIT_S" "$LT" --load "$f" --batch \
		--json "$lt_tmp/m-$size.json" 2>"$lt_tmp/m-$size.err")
	rc=$?
	echo "# $size: $line" >&2
	# every <error> but the leak records (before FINISHED: not the exit report)
	echo $(($(grep -c '<error>' "$f") - $(grep -c '<kind>Leak_' "$f"))) >"$lt_tmp/m-$size.n"
	rm -f "$f"
	[ "$rc" -eq 0 ] || { echo "# ngx-leaktop --load of $size exited $rc:" >&2; cat "$lt_tmp/m-$size.err" >&2; return 1; }
	echo "$line" | sed -n 's/^maxrss_kb=\([0-9]*\) .*/\1/p'
}

small=$(load "$SMALL")
lt_check "--load of a $SMALL file ends within ${LIMIT_S}s, exit 0" [ -n "$small" ]
big=$(load "$BIG")
lt_check "--load of a $BIG file ends within ${LIMIT_S}s, exit 0" [ -n "$big" ]
for size in "$SMALL" "$BIG"; do
	n=$(cat "$lt_tmp/m-$size.n" 2>/dev/null || echo 0)
	lt_check "the $size load grouped its $n errors, each one counted" \
		jqt --argjson n "$n" '(.errors | length) > 0 and ([.errors[].count] | add) == $n' "$lt_tmp/m-$size.json"
done
if [ -n "$small" ] && [ -n "$big" ]; then
	lt_check "peak RSS does not grow with the file: $SMALL ${small} KiB, $BIG ${big} KiB (margin ${MARGIN_KB} KiB)" \
		[ "$big" -le $((small + MARGIN_KB)) ]
else
	lt_not_ok "peak RSS compared: a load failed"
fi
lt_finish
