#!/usr/bin/env bash
# End to end: the debugger view (issue 14) in a real terminal (tmux), a real
# gdb attached through vgdb to the fixture nginx under real valgrind.
#   - d on leak_alloc's row: stopped at its line with the backtrace and
#     locals; n steps over the ngx_alloc (p is no longer NULL); L runs a
#     leak check through gdb: the line's bytes up by 100; c lets the held
#     request finish with its 200; q detaches and rounds go on through vgdb;
#   - the same for a memcheck error (d in the errors table);
#   - b sets a breakpoint, p prints an expression (escaped);
#   - G hands the terminal to a full gdb attached the same way: continue
#     reaches the breakpoint with ngx-leaktop's request, quit gives the
#     screen back;
#   - quitting (Q) and SIGTERM while nginx is stopped at a breakpoint end
#     cleanly: the terminal restored, no valgrind, gdb or vgdb left.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb gdb pgrep tmux

. "$lt_repo/tests/tmux.sh"
alloc=$(lt_leak_line leak_alloc)
ir=$(grep -n 'BUG: bug_invalid_read' "$LT_SRC" | cut -d: -f1)
nothing_left() {
	lt_wait_gone "valgrind.*$ngx" && lt_wait_gone "^gdb .*$NGINX" && lt_wait_gone "vgdb --vgdb-prefix=$TMPDIR" &&
		lt_nothing_left "$ngx" "$TMPDIR"
}
debugger_gone() { lt_wait_gone "^gdb .*$NGINX" && lt_wait_gone "vgdb --vgdb-prefix=$TMPDIR"; }
start() {	# start NAME COLS [OPTION...]: the screen on the fixture, baseline checked
	lt_new_port "$ngx/nginx.conf"
	tm_new "$1" "$2" 45 "cd '$lt_tmp' && TMPDIR='$TMPDIR' '$LT' --no-session -c '$ngx/nginx.conf' \
		-u /leak/alloc -u /clean -u /bug/invalid-read -n 30 ${*:3} '$NGINX'; $lt_shell_tail"
	wait_for 'check #0 at' 120
}
row_bytes() {	# the line's bytes in the debugger's numbers line
	sed -n "s/.*ngx_http_leaky_module.c:$alloc leaks \([0-9,]*\) B.*/\1/p" "$lt_tmp/pane" | tr -d ,
}

# --- a leak: d, n, the locals, L, c, q ---------------------------------------
start leak 150
keys r
lt_check "a round: leak_alloc's line is growing" \
	wait_for "ngx_http_leaky_module.c:$alloc +ngx_http_leaky_leak_alloc .* growing" 60
keys / l e a k _ a l l o c Enter
wait_for 'only sites allocated in' 10
t0=$(date +%s%N)
keys d
lt_check "d: stopped at ngx_http_leaky_module.c:$alloc (breakpoint 1 hit)" \
	wait_for "STOPPED breakpoint 1 hit" 60
echo "# d -> stopped on screen: $((($(date +%s%N) - t0) / 1000000)) ms (polled every 100 ms)"
lt_check "the source pane marks the line (breakpoint * and current >)" \
	grep -qE "\*> +$alloc +p = ngx_alloc\(100" "$lt_tmp/pane"
lt_check "the backtrace: #0 ngx_http_leaky_leak_alloc at :$alloc, #1 the handler" \
	bash -c "grep -qE '>#0 +ngx_http_leaky_leak_alloc +ngx_http_leaky_module.c:$alloc' '$lt_tmp/pane' &&
		grep -qE ' #1 +ngx_http_leaky_handler ' '$lt_tmp/pane'"
lt_check "the locals with types: r ngx_http_request_t * 0x..." \
	grep -qE '(^| )r +ngx_http_request_t \* +0x[0-9a-f]+' "$lt_tmp/pane"
before=$(row_bytes)
keys n
lt_check "n: the next line ($((alloc + 1))), end of step" \
	wait_for "STOPPED end of step" 30
lt_check "... the source follows to line $((alloc + 1))" \
	grep -qE "> +$((alloc + 1)) +if \(p == NULL\)" "$lt_tmp/pane"
lt_check "p is not NULL after the ngx_alloc" grep -qE '(^| )p +u_char \* +0x[0-9a-f]*[1-9a-f][0-9a-f]*' "$lt_tmp/pane"
keys L
lt_check "L: a leak check through gdb while stopped" wait_for 'leak check done \(round 2\)' 60
after=$(row_bytes)
lt_check "the line's bytes up by 100 ($before -> $after)" test "$((after - before))" -eq 100
keys p
keys -l 'r->uri'
keys Enter
lt_check "p r->uri: gdb's answer in the note" wait_for 'r->uri = \{len = 11, data = 0x' 20
keys c
lt_check "c: the held request finishes with its 200" wait_for 'last HTTP 200' 30
lt_check "... and nginx runs under gdb, breakpoints armed" grep -q 'RUNNING' "$lt_tmp/pane"
keys q
lt_check "q detaches: nginx ready, the table back" wait_for 'ready +pid' 20
lt_check "... no gdb attached any more" lt_wait_gone "^gdb .*$NGINX"
keys r
lt_check "rounds go on through vgdb after the detach (check #3)" wait_for 'check #3 at' 60
wait_for 'ready +pid' 30	# the owner search after the check ends too

# --- b: a second breakpoint; r sends requests again -----------------------------
keys d
wait_for "STOPPED breakpoint 1 hit" 60
keys J J J J J b
lt_check "b at the source cursor: a breakpoint at line $((alloc + 5))" \
	wait_for "breakpoint at [^ ]*ngx_http_leaky_module.c:$((alloc + 5))" 20
keys c
lt_check "c: stops at the new breakpoint in the same request" wait_for "STOPPED breakpoint 2 hit" 30
keys c
wait_for 'last HTTP 200' 30
keys r
lt_check "r: requests again until a breakpoint is hit" wait_for "STOPPED breakpoint 1 hit" 60
keys q
wait_for 'ready +pid' 20
keys r	# a round: the invalid read happens (nothing of it while debugging leak_alloc)
wait_for 'check #4 at' 60
wait_for 'ready +pid' 30

# --- a memcheck error: d in the errors table ------------------------------------
keys E
lt_check "E: the invalid read is listed" \
	wait_for "ngx_http_leaky_module.c:$ir +ngx_http_leaky_bug_invalid_read +InvalidRead" 20
keys d
lt_check "d on the error: stopped where it happens (line $ir)" \
	wait_for ">#0 +ngx_http_leaky_bug_invalid_re.* ngx_http_leaky_module.c:$ir" 60
lt_check "... at a breakpoint" wait_for 'STOPPED breakpoint 1 hit' 10
keys c
lt_check "c: that request finishes too" wait_for 'last HTTP 200' 30
keys q
lt_check "q: back, nginx ready" wait_for 'ready +pid' 20

# --- G: a full gdb on the terminal ---------------------------------------------
keys Escape
keys d
wait_for "STOPPED breakpoint 1 hit" 60
keys G
lt_check "G: a full gdb attached, with our breakpoint and a word on what to do" \
	wait_for "ngx-leaktop: nginx \(pid [0-9]+\) is stopped; 'continue'" 60
keys -l 'continue'
keys Enter
lt_check "continue in gdb: our request reaches the breakpoint" \
	wait_for "Breakpoint 1, ngx_http_leaky_leak_alloc" 60
keys -l 'quit'
keys Enter
lt_check "quit: gdb detaches (not kills) nginx" wait_for 'Inferior 1 \[Remote target\] will be detached' 20
keys y Enter
lt_check "y: the screen is back" wait_for 'ngx-leaktop +nginx/' 30
lt_check "... nginx ready again" wait_for 'ready +pid' 30
lt_check "... the full gdb gone" lt_wait_gone "^gdb -q -ex target remote"
keys q
keys Q
lt_check "Q: ngx-leaktop exits 0" until_ok 60 grep -qs 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "nothing left running (valgrind, gdb, vgdb), private dirs gone" nothing_left

# --- quitting while nginx is stopped at a breakpoint ----------------------------
start quit-stopped 120
keys d
lt_check "stopped at a breakpoint" wait_for "STOPPED breakpoint 1 hit" 60
keys Q
lt_check "Q while stopped: exits 0" until_ok 60 grep -qs 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "... the terminal restored (echo, icanon)" grep -qE '(^| )icanon .*(^| )echo ' "$lt_tmp/stty"
lt_check "... nothing left running" nothing_left

start term-stopped 120
keys d
wait_for "STOPPED breakpoint 1 hit" 60
pkill -TERM -f "^$LT .*$ngx/nginx.conf"
lt_check "SIGTERM while stopped: exits (status 0), nginx stopped as usual" \
	until_ok 60 grep -qs 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "... nothing left running" nothing_left

# --- d in auto mode: auto waits for the debugger, and comes back -------------
start auto 120
keys a
wait_for 'check #([2-9]|[1-9][0-9]+) at' 60
keys d
lt_check "d in auto mode: the round in flight ends, then gdb stops nginx at the line" \
	wait_for "STOPPED breakpoint 1 hit" 60
lt_check "... auto mode off meanwhile (no burst or check behind gdb's back)" grep -q 'auto off' "$lt_tmp/pane"
keys q
lt_check "q: auto mode on again" wait_for 'auto on' 20
keys a
wait_for 'auto off' 20
keys Q
until_ok 60 grep -qs 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "... nothing left running" nothing_left

# --- d right after r: the round in flight ends first ----------------------------
start busy 120
keys r d
lt_check "d during a round: it waits for the round, then stops at the line" \
	wait_for "STOPPED breakpoint 1 hit" 60
lt_check "... the round was not cut (check #1 in)" grep -q 'check #1 at' "$lt_tmp/pane"
keys q
wait_for 'ready +pid' 20
keys Q
until_ok 60 grep -qs 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "... nothing left running" nothing_left

# --- what goes wrong: no gdb, gdb killed, nginx killed while stopped ------------
start no-gdb 120 --gdb no-such-gdb
keys r
wait_for "check #1 at" 60
wait_for 'ready +pid' 30
keys / l e a k _ a l l o c Enter
wait_for 'only sites allocated in' 10
keys d
lt_check "d without gdb: one line naming the package, the table stays" \
	wait_for 'no-such-gdb not found: install the Debian package gdb' 20
keys r
lt_check "... and the session goes on (check #2)" wait_for 'check #2 at' 60
keys Q
until_ok 60 grep -qs 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "... nothing left running" nothing_left

start gdb-killed 120
keys d
wait_for "STOPPED breakpoint 1 hit" 60
pkill -KILL -f "^gdb -nx -q --interpreter=mi3 $NGINX"
lt_check "gdb killed while stopped: one line, the debugger is off" \
	wait_for 'gdb killed by signal 9 \(SIGKILL\).*the debugger is off, nginx runs on' 30
lt_check "... nginx goes on: the held request answered, ready" wait_for 'ready +pid' 30
keys q
keys r
lt_check "... a round works after it (check #1)" wait_for 'check #1 at' 60
keys Q
until_ok 60 grep -qs 'LT-EXIT=0' "$lt_tmp/exit"
lt_check "... nothing left running" nothing_left

start nginx-killed 120
keys d
wait_for "STOPPED breakpoint 1 hit" 60
pkill -KILL -f "valgrind.*$ngx/nginx.conf"
lt_check "nginx (valgrind) killed while stopped: the screen says nginx died" \
	wait_for 'killed by signal 9' 30
lt_check "... gdb and vgdb gone" debugger_gone
keys Q
lt_check "... Q exits" until_ok 60 grep -qs 'LT-EXIT=' "$lt_tmp/exit"
lt_check "... nothing left running" nothing_left

lt_finish
