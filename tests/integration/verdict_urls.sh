#!/usr/bin/env bash
# The verdict under URL sets that change between rounds, in the live screen
# against the fixture nginx under real valgrind: a leak whose URL only every
# other burst hits rises in those rounds only. One rise and a flat round
# read as a one-off (`bounded`); once it rose again it is `growing`, and a
# flat round after that (no longer than the pause it came back from) keeps
# it so; under "rose in each of the last two rounds" it read `bounded`. A
# lazy init hit in the same bursts stays `bounded`. (-C 2: the two requests
# that open the held connections before the baseline, the first burst's
# first two, go to /leak/alloc: the lazy init comes after the baseline.)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

. "$lt_repo/tests/tmux.sh"
alloc=$(lt_leak_line leak_alloc)
lazy=$(lt_leak_line lazy)

nothing_left() {
	for _ in $(seq 100); do pgrep -f "valgrind.*$ngx" >/dev/null || break; sleep 0.1; done
	! pgrep -f "valgrind.*$ngx" >/dev/null && [ -z "$(ls -A "$TMPDIR")" ]
}
urls() {	# urls N URL...: the kinds for the next bursts, in the kind editor:
	# its N rows deleted, each URL added, applied
	local n=$1 i u; shift
	keys u
	for ((i = 0; i < n; i++)); do keys d j; done
	for u; do
		keys a
		keys -l "$u"
		keys Enter
	done
	keys A
	wait_for "kinds* for the next bursts" 10
	keys Escape
}
round() {	# round N: a burst and check #N
	keys r
	wait_for "check #$1 at" 60
}
row() {	# row LINE VERDICT: the table shows the site at LINE with VERDICT
	grep -qE "ngx_http_leaky_module.c:$1 +ngx_http_leaky_.* $2 " "$lt_tmp/pane"
}

tm_new "alternate" 132 40 "cd '$lt_tmp' && TMPDIR='$TMPDIR' '$LT' --no-session -c '$ngx/nginx.conf' \
	-u /leak/alloc -u /lazy -n 40 -C 2 '$NGINX'; $lt_shell_tail"
lt_check "the screen opens and the baseline check runs" wait_for 'check #0 at' 120
round 1
urls 2 /clean
round 2
lt_check "one rise, then a round without its URL: leak_alloc (line $alloc) bounded so far" \
	row "$alloc" bounded
urls 1 /leak/alloc /lazy
round 3
lt_check "its URL again in round 3: leak_alloc (line $alloc) rose again, growing" row "$alloc" growing
urls 2 /clean
round 4
lt_check "4 rounds, its URL in rounds 1 and 3: leak_alloc (line $alloc) growing" row "$alloc" growing
lt_check "lazy init (line $lazy), hit in rounds 1 and 3: bounded" row "$lazy" bounded
lt_check "the kinds ended as /clean only" grep -q 'kinds 1' "$lt_tmp/pane"
keys q
lt_check "q: ngx-leaktop exited" wait_exit 60
lt_check "exit status 0" grep -q 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "nothing left running, private dirs removed" nothing_left

lt_finish
