#!/bin/sh
# capture.sh - regenerate tests/data/leakcheck/*.txt: real answers of valgrind's
# `leak_check` monitor command, captured with vgdb from leaky.c.
#
#   tests/data/gen/capture.sh [OUTDIR]      (default: tests/data/leakcheck)
#
# Each file holds vgdb's stdout and stderr together, as a caller reading both
# would see them (vgdb prints "sending command ..." on stderr, unprefixed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../leakcheck}
mkdir -p "$out"
out=$(cd "$out" && pwd)
TMP=$(mktemp -d)
pids=""

cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

cd "$TMP"
gcc -O0 -g -fPIC -shared -o liblk.so "$here/liblk.c"
strip liblk.so
g++ -O0 -g -c -o leaky_cxx.o "$here/leaky_cxx.cc"
gcc -O0 -g -DLEAKY_LIB -DLEAKY_CXX -o leaky "$here/leaky.c" leaky_cxx.o \
	-L. -llk -Wl,-rpath,"$TMP" -lstdc++
# No C++ runtime and no library: nothing allocated behind our back, so this
# one can free everything.
gcc -O0 -g -o leaky-clean "$here/leaky.c"

# start NAME PROGRAM: run PROGRAM under valgrind, wait until it has leaked.
start() {
	valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$TMP/vgdb" \
		--fullpath-after= --num-callers=30 --log-file="$TMP/$1.log" \
		"./$2" "$TMP/$1" ${3:-} &
	pid=$!
	pids="$pids $pid"
	waitfor "$1.0"
}

waitfor() {
	i=0
	while [ ! -e "$TMP/$1" ]; do
		i=$((i + 1))
		if [ $i -gt 600 ]; then
			echo "capture.sh: timeout waiting for $1" >&2
			exit 1
		fi
		sleep 0.1
	done
}

# cap FILE WORDS...: one monitor command, stdout and stderr into FILE.
cap() {
	f=$1
	shift
	timeout 60 vgdb --vgdb-prefix="$TMP/vgdb" --pid="$pid" "$@" >"$out/$f" 2>&1
	echo "captured $f ($(wc -l <"$out/$f") lines)"
}

stop() {
	timeout 30 vgdb --vgdb-prefix="$TMP/vgdb" --pid="$pid" v.kill >/dev/null 2>&1 || kill -9 "$pid"
	wait "$pid" || true
}

start leaky leaky
cap full_any.txt leak_check full reachable any
kill -USR1 "$pid"
waitfor leaky.1
cap full_increased.txt leak_check full reachable increased
kill -USR2 "$pid"
waitfor leaky.2
cap full_changed.txt leak_check full reachable changed
cap summary.txt leak_check summary
cap full_changed_nothing.txt leak_check full reachable changed
cap full_default.txt leak_check full
cap full_heuristics.txt leak_check full reachable any heuristics all
cap bad_command.txt leak_check fulll
stop

start clean leaky-clean clean
cap empty_heap.txt leak_check full reachable any
cap empty_heap_summary.txt leak_check summary
stop
