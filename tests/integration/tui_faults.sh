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
run() {
	tm_new "$1" "$2" "$3" "env $4 TMPDIR='$TMPDIR' '$LT' $args ${5:-} '$NGINX' \
		2>'$lt_tmp/stderr'; $lt_shell_tail"
}
# ngx-leaktop's pid (the pane's shell has the path in quotes: no match)
lt_pid() { pgrep -f -- "-c $ngx/nginx.conf -u /leak/alloc" | head -n 1; }
check_no() { local n; n=$(grep -oE 'check #[0-9]+ at' "$lt_tmp/pane" | head -n 1 | tr -dc 0-9); echo "${n:-0}"; }
exited_with() { wait_exit 60 && grep -q "LT-EXIT=$1" "$lt_tmp/exit"; }

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
run "1x1" 1 1 ""
sleep 3
lt_check "1x1 at start: still running" [ -n "$(lt_pid)" ]
T resize-window -t lt -x 120 -y 40
lt_check "1x1 at start: grown to 120x40, the baseline check is shown" wait_for 'check #0 at' 120
T resize-window -t lt -x 10 -y 2
lt_check "10x2: says it is too small" wait_for '^too small' 10
T resize-window -t lt -x 120 -y 40
keys r
lt_check "back at 120x40: r runs a round" wait_for 'check #1 at' 60
# the URL prompt is held to loopback as -u is, by the host libcurl would use
keys u C-u
keys -l 'http://localhost:80@example.com/x'
keys Enter
lt_check "u: a URL off this machine is refused" wait_for 'burst goes to loopback only' 10
keys r
lt_check "u: the URL set is unchanged, r runs a round" wait_for 'check #2 at.*' 60
lt_check "u: still 2 URLs" grep -q 'URLs 2' "$lt_tmp/pane"
keys q
lt_check "1x1 at start: q exits 0" exited_with 0
lt_check "1x1 at start: terminal restored" terminal_restored
lt_check "1x1 at start: nothing left" nothing_left

# --- the port taken by another process: shown, R again once it is free ------------
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
"$NGINX" -p "$busy/" -c "$busy/nginx.conf" -g 'daemon off; master_process off;' 2>/dev/null &
holder=$!
lt_pids+=("$holder")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
run "port in use, quit" 120 40 ""
wait_for "start-up: nginx: \[emerg\] bind" 60 >/dev/null
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
run "storm" 132 40 ""
wait_for 'check #0 at' 120 >/dev/null
keys a
lt_check "storm: auto mode runs rounds" wait_for 'check #2 at' 60
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
wait_for 'check #[0-9]+ at' 1 >/dev/null
lt_check "storm: rounds went on through it (check #$before -> #$(check_no))" [ "$(check_no)" -gt "$before" ]
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
tm_new "stop" 120 40 "env -i PATH='$PATH' TERM=screen HOME='$lt_tmp' PS1='SH\$ ' \
	bash --norc --noprofile -i"
wait_for 'SH\$' 10 >/dev/null
keys "TMPDIR='$TMPDIR' XDG_STATE_HOME='$XDG_STATE_HOME' '$LT' $args '$NGINX'" Enter
wait_for 'check #0 at' 120 >/dev/null
pid=$(lt_pid)
lt_check "stop: found ngx-leaktop's pid" [ -n "$pid" ]
state() { [ -n "$pid" ] && grep '^State:' "/proc/$pid/status"; }
stopped() { state | grep -q 'T (stopped)'; }
running() { state >/dev/null && ! stopped; }
round=0
for how in "^Z typed" "SIGTSTP sent"; do
	rm -f "$lt_tmp/stty"
	if [ "$how" = "^Z typed" ]; then keys C-z; else kill -TSTP "$pid"; fi
	lt_check "$how: stopped, the shell says so" wait_for 'Stopped' 10
	lt_check "$how: the process is stopped" stopped
	keys "stty -a >'$lt_tmp/stty'; clear" Enter
	lt_check "$how: the shell has its terminal back (cooked, echo, screen left)" \
		bash -c "sleep 1; grep -qE '(^| )icanon( |;|\$)' '$lt_tmp/stty' &&
			grep -qE '(^| )echo( |;|\$)' '$lt_tmp/stty' && ! tmux -S '$sock' capture-pane -p -t lt |
			grep -q 'ngx-leaktop  nginx/'"
	T resize-window -t lt -x 100 -y 30	# the window changes while it is stopped
	keys fg Enter
	lt_check "fg: the screen is back" wait_for 'ngx-leaktop  nginx/.*ready' 10
	lt_check "fg: running again" running
	lt_check "fg: drawn at the size it has now (key bar on row 30)" until_ok 5 keybar_on_row 30
	round=$((round + 1))
	keys r
	lt_check "fg: r runs a round" wait_for "check #$round at" 60
	T resize-window -t lt -x 120 -y 40
done
keys q
wait_for 'SH\$ *$' 60 >/dev/null
keys 'echo LT-EXIT=$?' Enter
lt_check "fg, q: exit 0" wait_for '^LT-EXIT=0' 10
lt_check "stop/fg: nothing left running, private dirs removed" nothing_left

# --- the terminal closed (SIGHUP) in auto mode -----------------------------------------
run "hangup" 120 40 "" "--session '$lt_tmp/hup.jsonl'"
wait_for 'check #0 at' 120 >/dev/null
keys a
wait_for 'check #2 at' 60 >/dev/null
pid=$(lt_pid)
lt_check "terminal closed: found ngx-leaktop's pid" [ -n "$pid" ]
kill_servers	# the pty goes away: SIGHUP, reads and writes fail
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
lt_check "terminal closed: ngx-leaktop exited" bash -c "[ -n '$pid' ] && ! kill -0 '$pid' 2>/dev/null"
lt_check "terminal closed: nginx stopped, private dirs removed" nothing_left
"$LT" --load "$lt_tmp/hup.jsonl" --batch --json "$lt_tmp/hup.json" >/dev/null 2>&1
lt_check "terminal closed: the session file holds the baseline and 2+ rounds" \
	jqt '(.rounds | length) >= 3' "$lt_tmp/hup.json"

lt_finish
