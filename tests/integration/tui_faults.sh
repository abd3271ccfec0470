#!/usr/bin/env bash
# The live screen's fault matrix in a real terminal (tmux) against the
# fixture nginx under real valgrind: no terminal at all, a terminal curses
# cannot drive, a 1x1 terminal at start, a storm of resizes while rounds
# run, a stop (SIGTSTP) and fg from a shell with job control, and the
# terminal closed (SIGHUP) in auto mode. Each ends with a working screen or
# one clear line, the terminal given back, and no process or private dir
# left; what was gathered stays in the session file.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq curl pgrep clear tmux

. "$lt_repo/tests/tmux.sh"
sessions=$XDG_STATE_HOME/ngx-leaktop/sessions
line=$(lt_leak_line leak_alloc)
args="-c '$ngx/nginx.conf' -u /leak/alloc -u /clean -n 100"

nothing_left() {
	lt_wait_gone "valgrind.*$ngx"
	lt_nothing_left "$ngx" "$TMPDIR"
}
no_session_file() { [ -z "$(ls -A "$sessions" 2>/dev/null)" ]; }
# run NAME COLS ROWS ENV [ARGS]: ngx-leaktop in a fresh terminal, stderr kept
# (the port: lt_new_port before each start that binds, as here)
run() {
	tm_new "$1" "$2" "$3" "env $4 TMPDIR='$TMPDIR' '$LT' $args ${5:-} '$NGINX' \
		2>'$lt_tmp/stderr'; $lt_shell_tail"
}
# ngx-leaktop's pid (the pane's shell has the path in quotes: no match)
lt_pid() { pgrep -f -- "-c $ngx/nginx.conf -u /leak/alloc" | head -n 1; }
check_no() { local n; n=$(grep -oE 'check #[0-9]+ at' "$lt_tmp/pane" | head -n 1 | tr -dc 0-9); echo "${n:-0}"; }
exited_with() { exit_status "$1"; }
# Of the process $pid: an empty pid (not found) is neither gone nor running.
pid_gone() { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }
pid_running() { [ -n "$pid" ] && [ -r "/proc/$pid/status" ] && ! grep -q '^State:.*T (stopped)' "/proc/$pid/status"; }
pid_stopped() { [ -n "$pid" ] && grep -q '^State:.*T (stopped)' "/proc/$pid/status"; }

# --- no terminal: refused before anything starts ---------------------------------
"$LT" -c "$ngx/nginx.conf" "$NGINX" </dev/null >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "stdin not a terminal: exit 2 (got $rc)" [ "$rc" -eq 2 ]
lt_check "stdin not a terminal: one line, 'use --batch'" \
	bash -c "grep -q 'needs a terminal; use --batch' '$lt_tmp/err' && [ \$(wc -l <'$lt_tmp/err') -eq 1 ]"
lt_check "stdin not a terminal: nginx never started" no_session_file

# --- a terminal curses cannot drive ------------------------------------------------
for t in TERM=dumb "-u TERM"; do
	run "$t" 80 24 "$t"
	lt_check "$t: exit 2" exited_with 2
	lt_check "$t: one clear line naming TERM and --batch" \
		bash -c "grep -q 'cannot drive the terminal (TERM is .*use --batch' '$lt_tmp/stderr' &&
			[ \$(wc -l <'$lt_tmp/stderr') -eq 1 ]"
	[ "$(wc -l <"$lt_tmp/stderr")" -eq 1 ] || sed 's/^/# /' "$lt_tmp/stderr"
	lt_check "$t: nginx never started (no session file)" no_session_file
	lt_check "$t: nothing left" nothing_left
	lt_check "$t: terminal restored" terminal_restored
done

# --- 1x1 at start, then a usable size ------------------------------------------------
lt_new_port "$ngx/nginx.conf"
run "1x1" 1 1 ""
# the baseline check reached the session file: it ran, and drew, at 1x1
baseline_saved() { grep -qs '"type":"round"' "$(ls -t "$sessions"/*.jsonl 2>/dev/null | head -n 1)"; }
lt_check "1x1 at start: the baseline check ran" until_ok 120 baseline_saved
lt_check "1x1 at start: still running" [ -n "$(lt_pid)" ]
T resize-window -t lt -x 120 -y 40
lt_check "1x1 at start: grown to 120x40, the baseline check is shown" wait_for 'check #0 at' 120
T resize-window -t lt -x 10 -y 2
lt_check "10x2: says it is too small" wait_for '^too small' 10
T resize-window -t lt -x 120 -y 40
keys r
lt_check "back at 120x40: r runs a round" wait_for 'check #1 at' 60
# the kind editor is held to loopback as -u is, by the host libcurl would use
keys u d j d j a
keys -l 'http://localhost:80@example.com/x'
keys Enter A
lt_check "u: a URL off this machine is refused" wait_for 'loopback only' 10
keys Escape
keys r
lt_check "u: the URL set is unchanged, r runs a round" wait_for 'check #2 at.*' 60
lt_check "u: still 2 kinds" grep -q 'kinds 2' "$lt_tmp/pane"
keys q
lt_check "1x1 at start: q exits 0" exited_with 0
lt_check "1x1 at start: terminal restored" terminal_restored
lt_check "1x1 at start: nothing left" nothing_left

# --- the port taken by another process: shown, R again once it is free ------------
lt_new_port "$ngx/nginx.conf"	# the holder and ngx-leaktop share it on purpose
busy=$lt_tmp/busy
mkdir -p "$busy/logs"
sed -e "s|$ngx|$busy|g" "$ngx/nginx.conf" >"$busy/nginx.conf"
"$NGINX" -p "$busy/" -c "$busy/nginx.conf" -g 'daemon off; master_process off;' 2>/dev/null &
holder=$!
lt_pids+=("$holder")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
run "port in use" 120 40 ""
lt_check "port in use: the header says why nginx is not running" \
	wait_for "start-up: nginx: \[emerg\] bind\(\) to 127.0.0.1:$port failed" 60
lt_check "port in use: nginx's log lines are shown" grep -q 'Address already in use' "$lt_tmp/pane"
nsessions() { ls "$sessions" | wc -l; }
before=$(nsessions)
keys R
lt_check "port still in use: R starts a new session (file $((before + 1)))" \
	bash -c "for _ in \$(seq 100); do [ \$(ls '$sessions' | wc -l) -gt $before ] && exit 0; sleep 0.1; done; exit 1"
lt_check "port still in use: it fails the same way, shown" \
	wait_for "start-up: nginx: \[emerg\] bind\(\) to 127.0.0.1:$port failed" 60
kill "$holder"
wait "$holder" 2>/dev/null
keys R
lt_check "port freed: R starts nginx, the baseline check runs" wait_for 'check #0 at' 120
keys r
lt_check "port freed: r runs a round" wait_for 'check #1 at' 60
keys q
lt_check "port freed, q: exit 0" exited_with 0
lt_check "port freed: nothing left" nothing_left
# the port taken for good: quitting says why on stderr, exit 2
lt_new_port "$ngx/nginx.conf"
sed -e "s|$ngx|$busy|g" "$ngx/nginx.conf" >"$busy/nginx.conf"
"$NGINX" -p "$busy/" -c "$busy/nginx.conf" -g 'daemon off; master_process off;' 2>/dev/null &
holder=$!
lt_pids+=("$holder")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
run "port in use, quit" 120 40 ""
lt_check "precondition: port in use, quit: the bind error shown" wait_for "start-up: nginx: \[emerg\] bind" 60
keys q
lt_check "port in use, q: exit 2" exited_with 2
lt_check "port in use, q: one line on stderr, the reason once" \
	bash -c "[ \$(wc -l <'$lt_tmp/stderr') -eq 1 ] && grep -q '^ngx-leaktop: nginx exited with status 1 during start-up: nginx: \[emerg\] bind() to 127.0.0.1:$port failed (98: Address already in use)' '$lt_tmp/stderr'"
sed 's/^/# /' "$lt_tmp/stderr"
lt_check "port in use, q: terminal restored" terminal_restored
lt_check "port in use, q: nothing left" nothing_left
kill "$holder"
wait "$holder" 2>/dev/null

# --- a storm of resizes while auto mode runs rounds ----------------------------------
lt_new_port "$ngx/nginx.conf"
run "storm" 132 40 ""
lt_check "precondition: storm, the baseline check done" wait_for 'check #0 at' 120
keys a
lt_check "storm: auto mode runs rounds" wait_for 'check #([2-9]|[1-9][0-9]+) at' 60
before=$(check_no)
# 4 s of back-to-back sizes, tiny to huge, with keys now and then
sizes=(1x1 2x10 10x2 500x200 80x24 3x3 200x60 50x10 49x9 1x200 300x1 132x40 51x11)
storms=0
end=$((SECONDS + 4))
while [ "$SECONDS" -lt "$end" ]; do
	for s in "${sizes[@]}"; do
		T resize-window -t lt -x "${s%x*}" -y "${s#*x}" 2>/dev/null
	done
	storms=$((storms + ${#sizes[@]}))
	((storms % 104)) || keys j k
done
echo "# $storms resizes"
# a size the storm never had: the layout must follow the last SIGWINCH
T resize-window -t lt -x 150 -y 45
lt_check "storm: redrawn at the final 150x45, the wide header" wait_for '^ definite [0-9]+' 10
lt_check "storm: the key bar on the last of 45 rows" until_ok 5 keybar_on_row 45
# a state, not a time: auto mode's next check after the storm's start
past_check() { screen >"$lt_tmp/pane"; [ "$(check_no)" -gt "$1" ]; }
lt_check "storm: rounds went on through it (check #$before -> #$(check_no))" until_ok 60 past_check "$before"
keys a
lt_check "storm: a stops auto mode" wait_for 'ready  pid [0-9]+  auto off' 60
n=$(check_no)
keys r
lt_check "storm: r still runs a round (check #$((n + 1)))" wait_for "check #$((n + 1)) at" 60
lt_check "storm: ngx_http_leaky_module.c:$line still shown growing" \
	grep -qE "ngx_http_leaky_module.c:$line +ngx_http_leaky_leak_alloc .* growing" "$lt_tmp/pane"
keys q
lt_check "storm: q exits 0" exited_with 0
lt_check "storm: nothing on stderr" [ ! -s "$lt_tmp/stderr" ]
lt_check "storm: terminal restored" terminal_restored
lt_check "storm: nothing left running, private dirs removed" nothing_left

# --- stopped (^Z, SIGTSTP) and fg from a shell with job control ----------------------
lt_new_port "$ngx/nginx.conf"
tm_new "stop" 120 40 "env -i PATH='$PATH' TERM=screen HOME='$lt_tmp' PS1='SH\$ ' \
	bash --norc --noprofile -i"
lt_check "precondition: the shell's prompt" wait_for 'SH\$' 10
keys "TMPDIR='$TMPDIR' XDG_STATE_HOME='$XDG_STATE_HOME' '$LT' $args '$NGINX'" Enter
lt_check "precondition: stop, the baseline check done" wait_for 'check #0 at' 120
pid=$(lt_pid)
lt_check "stop: found ngx-leaktop's pid" [ -n "$pid" ]
shell_has_tty() {
	[ -s "$lt_tmp/stty" ] && grep -qE '(^| )icanon( |;|$)' "$lt_tmp/stty" &&
		grep -qE '(^| )echo( |;|$)' "$lt_tmp/stty" && ! screen | grep -q 'ngx-leaktop  nginx/'
}
round=0
for how in "^Z typed" "SIGTSTP sent"; do
	rm -f "$lt_tmp/stty"
	if [ "$how" = "^Z typed" ]; then keys C-z; else kill -TSTP "$pid"; fi
	lt_check "$how: stopped, the shell says so" wait_for 'Stopped' 10
	lt_check "$how: the process is stopped" until_ok 5 pid_stopped
	# the modes once the shell ran stty (the file appears whole), the screen before clear
	keys "stty -a >'$lt_tmp/stty.new'; mv '$lt_tmp/stty.new' '$lt_tmp/stty'" Enter
	lt_check "$how: the shell has its terminal back (cooked, echo, screen left)" until_ok 10 shell_has_tty
	keys clear Enter
	T resize-window -t lt -x 100 -y 30	# the window changes while it is stopped
	keys fg Enter
	lt_check "fg: the screen is back" wait_for 'ngx-leaktop  nginx/.*ready' 10
	lt_check "fg: running again" until_ok 5 pid_running
	lt_check "fg: drawn at the size it has now (key bar on row 30)" until_ok 5 keybar_on_row 30
	round=$((round + 1))
	keys r
	lt_check "fg: r runs a round" wait_for "check #$round at" 60
	T resize-window -t lt -x 120 -y 40
done
keys q
lt_check "precondition: q, the shell's prompt again" wait_for 'SH\$ *$' 60
keys 'echo LT-EXIT=$?' Enter
lt_check "fg, q: exit 0" wait_for '^LT-EXIT=0' 10
lt_check "stop/fg: nothing left running, private dirs removed" nothing_left

# --- the terminal closed (SIGHUP) in auto mode -----------------------------------------
lt_new_port "$ngx/nginx.conf"
run "hangup" 120 40 "" "--session '$lt_tmp/hup.jsonl'"
lt_check "precondition: hangup, the baseline check done" wait_for 'check #0 at' 120
keys a
lt_check "precondition: hangup, auto mode ran two rounds" wait_for 'check #([2-9]|[1-9][0-9]+) at' 60
pid=$(lt_pid)
lt_check "hangup: found ngx-leaktop's pid" [ -n "$pid" ]
kill_servers	# the pty goes away: SIGHUP, reads and writes fail
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
lt_check "terminal closed: ngx-leaktop exited" pid_gone
lt_check "terminal closed: nginx stopped, private dirs removed" nothing_left
"$LT" --load "$lt_tmp/hup.jsonl" --batch --json "$lt_tmp/hup.json" >/dev/null 2>&1
lt_check "terminal closed: the session file holds the baseline and 2+ rounds" \
	jqt '(.rounds | length) >= 3' "$lt_tmp/hup.json"

lt_finish
