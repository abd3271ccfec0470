#!/usr/bin/env bash
# End to end: the live screen in a real terminal (tmux) against the fixture
# nginx under real valgrind. Keys go in with send-keys, the screen comes
# back with capture-pane; every wait is a bounded loop on the screen.
# Asserts the leaking fixture lines, the backtrace with its source, the
# editor, help, resize, a crash of nginx with restart, and that quitting
# (q, Ctrl-C, SIGTERM) restores the terminal and leaves nothing running.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep tmux

. "$lt_repo/tests/tmux.sh"
mkdir -p "$lt_tmp/home"	# the screen's working dir (w saves there)
urls=(-u /leak/alloc -u /leak/struct -u /leak/pool -u /leak/cycle -u /cache/a -u /cache/b
	-u /lazy -u /clean)

# An editor that records how it was called: never a shell in between.
cat >"$lt_tmp/editor" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$lt_tmp/editor.args"
EOF
chmod +x "$lt_tmp/editor"

# start NAME ARGS...: ngx-leaktop in a fresh 120x40 window
start() {
	local name=$1; shift
	lt_new_port "$ngx/nginx.conf"	# a port of its own for each start
	tm_new "$name" 120 40 "cd '$lt_tmp/home' && env EDITOR='$lt_tmp/editor' TMPDIR='$TMPDIR' \
		'$LT' -c '$ngx/nginx.conf' $* '$NGINX'; $lt_shell_tail"
}

nothing_left() { lt_nothing_left "$ngx" "$TMPDIR"; }

# --- rounds, the table -------------------------------------------------------
start "rounds" "${urls[*]}" -n 160
lt_check "the screen opens and the baseline check runs" wait_for 'check #0 at' 120
for r in 1 2 3; do
	keys r
	wait_for "check #$r at" 60 || break
done
lt_check "three rounds of burst + check from the r key" wait_for 'check #3 at' 1
for m in leak_alloc leak_struct leak_pool leak_cycle; do
	line=$(lt_leak_line "$m")
	lt_check "table: ngx_http_leaky_module.c:$line ($m) growing" \
		grep -qE "ngx_http_leaky_module.c:$line +ngx_http_leaky_.* growing" "$lt_tmp/pane"
done
for m in cache lazy; do
	line=$(lt_leak_line "$m")
	lt_check "table: ngx_http_leaky_module.c:$line ($m) bounded, not a leak" \
		grep -qE "ngx_http_leaky_module.c:$line +ngx_http_leaky_.* bounded" "$lt_tmp/pane"
done
lt_check "header: requests counted (480 sent)" grep -q 'requests 480' "$lt_tmp/pane"

# --- backtrace and source --------------------------------------------------------
line=$(lt_leak_line leak_alloc)
src_text=$(sed -n "${line}p" "$LT_SRC" | sed 's/^ *//; s/ *$//')
keys / l e a k _ a l l o c Enter
lt_check "/ filters the table to leak_alloc" wait_for 'only sites allocated in a function or file matching' 10
keys Enter
lt_check "Enter: the backtrace, the allocation site marked" \
	wait_for ">#[0-9]+ +ngx_http_leaky_leak_alloc +ngx_http_leaky_module.c:$line" 10
source_shown() {	# source_shown LINE TEXT: "  LINE   TEXT" in the source pane
	grep -F -- "$2" "$lt_tmp/pane" | grep -qE "^ *$1 "
}
lt_check "the source of the allocation site: line $line, '$src_text'" \
	source_shown "$line" "$src_text"
keys j
caller=$(grep -n 'rc = ngx_http_leaky_leak_alloc' "$LT_SRC" | cut -d: -f1)
lt_check "j walks up to the caller (line $caller), its source follows" \
	wait_for "ngx_http_leaky_module/ngx_http_leaky_module.c:$caller" 10
keys k e
for _ in $(seq 50); do [ -s "$lt_tmp/editor.args" ] && break; sleep 0.1; done
lt_check "e runs \$EDITOR +$line on the fixture source" \
	bash -c "[ \"\$(head -n 1 '$lt_tmp/editor.args')\" = '+$line' ] &&
		sed -n 2p '$lt_tmp/editor.args' | grep -q 'ngx_http_leaky_module.c\$'"
lt_check "back from the editor, the screen is redrawn" wait_for 'n next +e edit' 10

# --- help, resize ------------------------------------------------------------------
keys '?'
lt_check "? shows the help from the action table" wait_for 'Keys \(from the action table\)' 10
lt_check "help lists the round key" grep -q 'burst of requests, then a leak check' "$lt_tmp/pane"
keys q q
lt_check "precondition: q q back to the table" wait_for 'SITE +FUNCTION' 10
T resize-window -t lt -x 80 -y 24
lt_check "resize to 80x24: redrawn at once, narrow header" \
	wait_for '^ def [0-9]+ .* pos ' 10
lt_check "resize: the table's narrow titles" grep -qE 'KIND +BYTES +BLKS' "$lt_tmp/pane"
T resize-window -t lt -x 132 -y 40
lt_check "resize back to 132x40: the wide header again" wait_for '^ definite [0-9]+' 10

# --- quit ----------------------------------------------------------------------------
keys q
lt_check "q: nginx stopped, ngx-leaktop exited" wait_exit 60
lt_check "q: exit status 0" exit_status 0
lt_check "terminal restored (cooked mode, screen left)" terminal_restored
lt_check "nothing left running, private dirs removed" nothing_left

# --- nginx crashes: shown, data browsable, restart, Ctrl-C -----------------------------
# --no-keepalive here and below: with held connections the first requests
# open them before the baseline, so /crash and the bugs would come first.
start "crash" -u /leak/alloc -u /crash -n 40 --no-keepalive
lt_check "crash run: baseline done" wait_for 'check #0 at' 120
keys r
lt_check "nginx killed by SIGSEGV: shown in the header" wait_for 'nginx killed by signal 11 \(SIGSEGV\)' 60
lt_check "the last lines of its logs are shown" grep -q 'last lines of nginx' "$lt_tmp/pane"
keys '?'
lt_check "the screen still answers keys after the crash" wait_for 'Keys \(from the action table\)' 10
keys q R
lt_check "R restarts nginx under valgrind: up again" wait_for 'ready  pid [0-9]+' 120
lt_check "after the restart: a fresh baseline check" wait_for 'baseline check done' 60
keys C-c
lt_check "Ctrl-C quits" wait_exit 60
lt_check "Ctrl-C: exit status 0" exit_status 0
lt_check "Ctrl-C: terminal restored" terminal_restored
lt_check "Ctrl-C: nothing left running" nothing_left

# --- memcheck errors as they arrive, then valgrind's exit report -----------------------
bug_line() { grep -n "BUG: $1 \*/" "$LT_SRC" | head -n 1 | cut -d: -f1; }
ir=$(bug_line bug_invalid_read)
un=$(bug_line bug_uninit)
start "errors" -u /leak/alloc -u /bug/invalid-read -u /bug/uninit -n 30 --no-keepalive
lt_check "errors run: baseline done, no error yet" wait_for 'check #0 at' 120
lt_check "errors run: none counted before any request" bash -c "! grep -q 'errors [0-9]* (E)' '$lt_tmp/pane'"
keys r
lt_check "the header counts the two memcheck errors as they arrive" wait_for 'errors 2 \(E\)' 60
lt_check "the status line names the newest one" grep -qE 'memcheck: (InvalidRead|UninitCondition) in ngx_http_leaky_bug' "$lt_tmp/pane"
keys E
lt_check "E: the errors table, the invalid read at :$ir" \
	wait_for "ngx_http_leaky_module.c:$ir +ngx_http_leaky_bug_invalid_read +InvalidRead " 10
lt_check "E: the uninitialised branch at :$un" \
	grep -qE "ngx_http_leaky_module.c:$un +ngx_http_leaky_bug_uninit +UninitCondition " "$lt_tmp/pane"
keys Enter
lt_check "Enter: the invalid read's backtrace, its frame marked" \
	wait_for ">#0 +ngx_http_leaky_bug_invalid_read +ngx_http_leaky_module.c:$ir" 10
lt_check "the source of the invalid read: line $ir" source_shown "$ir" "BUG: bug_invalid_read"
keys n
lt_check "n: where the block was allocated" wait_for "stack 2/2 .*Address 0x[0-9a-f]+ is 0 bytes after a block of size 16" 10
keys S
lt_check "S: nginx stopped, valgrind's exit report shown" wait_for "valgrind's exit report \(x: back\)" 60
lt_check "exit report: leak_alloc's line, definitely lost" grep -qE \
	"ngx_http_leaky_module.c:$(lt_leak_line leak_alloc) +ngx_http_leaky_leak_alloc +definite" "$lt_tmp/pane"
lt_check "the header keeps the errors and offers the exit report" grep -qE 'errors 2 \(E\)  exit report [0-9]+ \(x\)' "$lt_tmp/pane"
keys E
# the burst favours /leak/alloc (4:1:1 of 30 requests): 20, 5, 5
lt_check "the errors stay browsable after nginx stopped; valgrind's counts: 5 of 30 requests each" \
	wait_for "ngx_http_leaky_module.c:$ir +ngx_http_leaky_bug_invalid_read +InvalidRead +5 " 10
lt_check "the uninitialised branch counted 5 times too" \
	grep -qE "ngx_http_leaky_module.c:$un +ngx_http_leaky_bug_uninit +UninitCondition +5 " "$lt_tmp/pane"
keys w
lt_check "w saves a report with the errors and the exit report" wait_for 'saved ngx-leaktop-' 10
saved=$(ls -t "$lt_tmp"/home/ngx-leaktop-*.json 2>/dev/null | head -n 1)
lt_check "the saved report: 2 errors, exit sites" bash -c "jq -e '(.errors | length) == 2 and (.exit.sites | length) > 0' '$saved' >/dev/null"
keys q q
lt_check "errors run: q quits" wait_exit 60
lt_check "errors run: exit status 0" exit_status 0
lt_check "errors run: terminal restored" terminal_restored
lt_check "errors run: nothing left running" nothing_left

# --- SIGTERM from outside ----------------------------------------------------------------
start "sigterm" -u /clean -n 20
lt_check "precondition: SIGTERM run, the baseline check done" wait_for 'check #0 at' 120
pid=$(pgrep -f -- "-c $ngx/nginx.conf -u /clean" | head -n 1)
lt_check "SIGTERM run: found ngx-leaktop's pid" [ -n "$pid" ]
kill -TERM "$pid" 2>/dev/null
lt_check "SIGTERM: exits" wait_exit 60
lt_check "SIGTERM: exit status 0 (a quit asked for)" exit_status 0
lt_check "SIGTERM: terminal restored" terminal_restored
lt_check "SIGTERM: nothing left running" nothing_left

lt_finish
