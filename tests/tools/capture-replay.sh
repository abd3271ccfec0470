#!/usr/bin/env bash
# capture-replay.sh - real rounds for the replay test of checks of what
# changed (tests/unit/test_model_replay.c): the fixture nginx under
# valgrind, a burst per round, then right after each other
# `leak_check full reachable changed` (cN.txt: what changed since the
# search before) and `leak_check full reachable any` (aN.txt: all of it,
# at the same moment: nginx idles between the two, and the second search
# changes nothing the next `changed` compares with but for its own
# records, which are the same). a0.txt is the baseline, a full check.
#
#   tests/tools/capture-replay.sh [OUTDIR]   (default tests/data/replay)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/tests/data/replay}
. "$repo/tests/lib.sh"
nginx=$repo/build/nginx/objs/nginx
dir=$(mktemp -d)
port=$(lt_free_port)
mkdir -p "$dir/logs" "$out"
sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$dir|g" -e "s|@HTML@|$repo/tests/fixture/html|g" \
	"$repo/tests/fixture/nginx.conf.in" >"$dir/nginx.conf"
valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$dir/vgdb" --num-callers=30 \
	--keep-stacktraces=alloc-and-free --fullpath-after= --error-limit=no \
	"$nginx" -p "$dir/" -c "$dir/nginx.conf" -g 'daemon off; master_process off;' \
	>"$dir/valgrind.out" 2>&1 &
vg=$!
trap 'kill $vg 2>/dev/null; wait $vg 2>/dev/null; rm -rf "$dir"; lt_cleanup' EXIT
for _ in $(seq 240); do
	curl -s -o /dev/null "http://127.0.0.1:$port/clean" && break
	kill -0 $vg || { cat "$dir/valgrind.out" >&2; exit 1; }
	sleep 0.5
done
ask() { vgdb --vgdb-prefix="$dir/vgdb" --pid=$vg "$@" 2>/dev/null; }
# get N PATH...: N requests to each path over one keepalive connection
get() {
	local n=$1 urls=() i p
	shift
	for p in "$@"; do for ((i = 0; i < n; i++)); do urls+=("http://127.0.0.1:$port$p"); done; done
	curl -s -o /dev/null "${urls[@]}"
}
get 1 /lazy /clean /leak/alloc
ask leak_check full reachable any >"$out/a0.txt"
# round 1: steady leaks, a cache filling, a one-off that already ran
get 20 /leak/alloc /leak/struct /lazy /clean
get 2 /cache/k1 /cache/k2 /cache/k3 /cache/k4
ask leak_check full reachable changed >"$out/c1.txt"
ask leak_check full reachable any >"$out/a1.txt"
# round 2: the connection pool's leak on a connection held open over the
# check (closed in round 3: its records fall to zero, "0 (-N) bytes in 0
# (-1) blocks"), the cache full
get 10 /leak/alloc /leak/pool
get 1 /cache/k5 /cache/k6 /cache/k7 /cache/k8 /cache/k9
exec 3<>"/dev/tcp/127.0.0.1/$port"
for _ in 1 2 3; do
	printf 'GET /leak/conn HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3
	clen=0
	while IFS= read -r -t 20 line <&3 && [ "$line" != $'\r' ]; do
		[[ ${line,,} =~ ^content-length:\ *([0-9]+) ]] && clen=${BASH_REMATCH[1]}
	done
	[ "$clen" -eq 0 ] || read -r -t 20 -N "$clen" _ <&3
done
ask leak_check full reachable changed >"$out/c2.txt"
ask leak_check full reachable any >"$out/a2.txt"
# round 3: that connection closed; only some leaks, a rare one, an error path
exec 3>&-
get 20 /leak/alloc /rare /err/bad /err/ok
ask leak_check full reachable changed >"$out/c3.txt"
ask leak_check full reachable any >"$out/a3.txt"
# round 4: nothing of the module leaks (a quiet round)
get 20 /clean /lazy
ask leak_check full reachable changed >"$out/c4.txt"
ask leak_check full reachable any >"$out/a4.txt"
# round 5: steady leaks again
get 20 /leak/alloc /leak/struct /leak/cycle
ask leak_check full reachable changed >"$out/c5.txt"
ask leak_check full reachable any >"$out/a5.txt"
# round 6: someone else's search between (a user's vgdb): the deltas of
# c6 follow that search, not a5, and must not be taken as deltas
get 5 /leak/alloc
ask leak_check summary >/dev/null
get 5 /leak/alloc
ask leak_check full reachable changed >"$out/c6.txt"
ask leak_check full reachable any >"$out/a6.txt"
ls -l "$out"
