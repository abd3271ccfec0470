#!/bin/sh
# capture.sh - regenerate tests/data/xml/*.xml: real valgrind 3.19 XML of the
# small programs next to this script.
#
#   tests/data/xml/gen/capture.sh [OUTDIR]      (default: tests/data/xml)
#
# Programs are built in a fixed directory so object paths in the frames are
# stable; source paths are those of this directory. test_vgxml_captures.c asserts
# line numbers: find them with `grep -n 'ERR:' tests/data/xml/gen/*.c*`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/..}
mkdir -p "$out"
out=$(cd "$out" && pwd)
B=/tmp/ngx-leaktop-xml-capture
rm -rf "$B"
mkdir -p "$B"
kpid=""
cleanup() {
	if [ -n "$kpid" ]; then kill -9 "$kpid" 2>/dev/null || true; fi
	rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
cd "$B"

gcc -O0 -g -fno-builtin -c "$here/errors.c"
g++ -O0 -g -c "$here/mismatch.cc"
g++ -o errors errors.o mismatch.o
for p in threads killed clientleak abort repeat; do
	gcc -O0 -g -pthread -o $p "$here/$p.c"
done
bad=$(printf 'caf\351\001.c')
cp "$here/badbytes.c" "$bad"
gcc -O0 -g -o badbytes "$bad"

vg() {
	name=$1
	shift
	valgrind --xml=yes --xml-file="$out/$name.xml" --log-file="$B/$name.log" "$@" || true
	echo "captured $name.xml ($(grep -c '<error>' "$out/$name.xml" || true) errors)"
}

vg errors --show-leak-kinds=all --track-origins=yes --read-var-info=yes --num-callers=30 ./errors
vg errors_supp --gen-suppressions=all --num-callers=6 ./errors
# every construct in few bytes: a fuzzing seed
vg errors_small --gen-suppressions=all --track-origins=yes --read-var-info=yes --num-callers=2 ./errors
vg threads --show-leak-kinds=all ./threads
vg helgrind --tool=helgrind ./threads race
vg clientleak ./clientleak
vg abort ./abort
vg repeat ./repeat
vg badbytes ./badbytes

# SIGKILL once the error is written: no </valgrindoutput>.
valgrind --xml=yes --xml-file="$out/killed.xml" --log-file="$B/killed.log" ./killed "$B/marker" &
kpid=$!
i=0
while [ ! -e "$B/marker" ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "capture.sh: killed.c never started" >&2; exit 1; }
	sleep 0.1
done
sleep 0.5
kill -9 "$kpid"
wait "$kpid" 2>/dev/null || true
kpid=""
echo "captured killed.xml ($(grep -c '<error>' "$out/killed.xml") errors, $(tail -c 40 "$out/killed.xml" | tr '\n' ' '))"
