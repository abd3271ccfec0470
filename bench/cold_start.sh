#!/usr/bin/env bash
# cold_start.sh - `ngx-leaktop --batch --rounds 1` from exec to its first
# finding (the "round 1/1" line) against the same work done by hand and
# timed separately: valgrind+nginx start until it answers, one burst of N
# requests (curl --parallel), one raw `vgdb leak_check full reachable any`.
#
#   bench/cold_start.sh [RUNS] [N]     (default 3 runs, 200 requests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib.sh"
runs=${1:-3}
n=${2:-200}
ngx=$lt_tmp/ngx
port=$(lt_fixture_conf "$ngx")
now() { date +%s%N; }

ours=() base=()
for r in $(seq "$runs"); do
	# ngx-leaktop: exec -> "round 1/1" on stderr (its exit status is the
	# verdict, not the benchmark's business)
	rm -f "$lt_tmp/t1"
	t0=$(now)
	"$LT" --batch -c "$ngx/nginx.conf" -u / -n "$n" -C 4 --rounds 1 --no-session "$NGINX" \
		2> >(while IFS= read -r l; do
			case $l in *"round 1/1"*) echo "$(now)" >"$lt_tmp/t1";; esac
		done) >/dev/null || true
	# the reader of its stderr writes the stamp after it exited: wait for it
	for _ in $(seq 100); do [ -s "$lt_tmp/t1" ] && break; sleep 0.02; done
	[ -s "$lt_tmp/t1" ] || { echo "cold_start: no 'round 1/1' from ngx-leaktop" >&2; exit 1; }
	ours+=($(( ($(cat "$lt_tmp/t1") - t0) / 1000000 )))

	# by hand: start until it answers, one burst, one check
	vg=$lt_tmp/vg$r
	mkdir -p "$vg"
	t0=$(now)
	valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$vg/vgdb" --xml=yes --xml-file="$vg/x.xml" \
		--num-callers=40 --keep-stacktraces=alloc-and-free --fullpath-after= \
		"$NGINX" -p "$ngx/" -c "$ngx/nginx.conf" -g 'daemon off; master_process off;' 2>/dev/null &
	vp=$!
	lt_pids+=("$vp")
	until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.01; done
	t1=$(now)
	curl -s --no-progress-meter --parallel --parallel-max 4 -o /dev/null "http://127.0.0.1:$port/?[1-$n]" >/dev/null
	t2=$(now)
	vgdb --vgdb-prefix="$vg/vgdb" --pid="$vp" leak_check full reachable any >/dev/null 2>&1
	t3=$(now)
	base+=($(( (t3 - t0) / 1000000 )))
	echo "run $r: ngx-leaktop ${ours[-1]} ms; by hand $(( (t1 - t0) / 1000000 )) start + $(( (t2 - t1) / 1000000 )) burst + $(( (t3 - t2) / 1000000 )) check = ${base[-1]} ms"
	kill -QUIT "$vp"; wait "$vp" 2>/dev/null || true
done
med() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
mo=$(med "${ours[@]}") mb=$(med "${base[@]}")
echo "by hand (baseline)                 median $mb ms  ($(printf '%s ' "${base[@]}")ms)"
echo "ngx-leaktop --batch --rounds 1     median $mo ms  ($(printf '%s ' "${ours[@]}")ms)"
awk -v o="$mo" -v b="$mb" 'BEGIN { printf "RATIO cold_start %.3f (target <= 1.3)\n", o / b }'
