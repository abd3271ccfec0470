#!/usr/bin/env bash
# vgdb_mode.sh - what valgrind's --vgdb=full (precise stepping for the
# debugger: the live screen's default) costs the bursts, against
# --vgdb=yes (batch's) in the same run: batch rounds of N requests over a leaking and a clean
# URL, alternated, the rounds' req/s compared (median of all rounds).
#
#   bench/vgdb_mode.sh [RUNS] [N]     (default 3 runs, 400 requests)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib.sh"
runs=${1:-3}
n=${2:-400}
ngx=$lt_tmp/ngx
lt_fixture_conf "$ngx" >/dev/null

rates() {	# rates EXTRA...: the req/s of each round of one batch run
	"$LT" --batch --no-session --rounds 3 -n "$n" -C 4 -c "$ngx/nginx.conf" -u /leak/alloc -u /clean \
		"$@" "$NGINX" 2>&1 >/dev/null | sed -n 's/.* failed, \([0-9]*\) req\/s).*/\1/p'
}
full=() yes=()
for _ in $(seq "$runs"); do
	full+=($(rates --valgrind-opt=--vgdb=full))
	yes+=($(rates))
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mf=$(median "${full[@]}")
my=$(median "${yes[@]}")
echo "bursts under --vgdb=yes (batch)      median $my req/s  (${#yes[@]} rounds: ${yes[*]})"
echo "bursts under --vgdb=full (live)      median $mf req/s  (${#full[@]} rounds: ${full[*]})"
awk -v f="$mf" -v y="$my" 'BEGIN { printf "RATIO vgdb_full_rps %.3f (target >= 0.6)\n", f / y }'
