#!/usr/bin/env bash
# End to end: promises of README.md about the live screen (tmux, the real
# fixture nginx under real valgrind) that no other script holds:
# - a stop (q, S, Ctrl-C, SIGTERM) during a leak check keeps that check:
#   its round is in the session file;
# - the live screen exits 2 after an nginx crash that was not restarted;
# - --source-dir finds a source tree that moved since the build (a real
#   run's session file with its paths moved) and the source pane shows it.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

. "$lt_repo/tests/tmux.sh"
show() { sed 's/^/#   /' "$@"; }
nothing_left() {
	! pgrep -f "valgrind.*$ngx" >/dev/null && [ -z "$(ls -A "$TMPDIR")" ]
}

# exited_clean STATUS: the pane recorded that exit status, the terminal is
# restored, no valgrind of ours runs, the private dirs are gone
exited_clean() { grep -q "LT-EXIT=$1\$" "$lt_tmp/exit" && terminal_restored && nothing_left; }

# vgdb through the gate (tests/tools/vgdb-gate): the check `c` asks for
# (call 1; 0 is the baseline) is held in flight until the stop is on the
# screen, then let go: the stop lands during the check, whatever the timing.
gate_vgdb=$lt_repo/tests/tools/vgdb-gate
held() { until_ok 60 test -s "$lt_tmp/gate-$1/held"; }
release() { : >"$lt_tmp/gate-$1/go"; }

# start NAME ARGS...: ngx-leaktop in a fresh 120x40 window, its session file
# $lt_tmp/NAME.jsonl
start() {
	local name=$1; shift
	lt_new_port "$conf"	# a port of its own for each start
	mkdir -p "$lt_tmp/gate-$name"
	echo 1 >"$lt_tmp/gate-$name/at"
	command -v vgdb >"$lt_tmp/gate-$name/vgdb"
	tm_new "$name" 120 40 "cd '$lt_tmp' && env TMPDIR='$TMPDIR' LT_GATE='$lt_tmp/gate-$name' '$LT' -c '$conf' \
		--session '$lt_tmp/$name.jsonl' $* '$NGINX'; $lt_shell_tail"
}
# has_round NAME N: the session file of run NAME holds round N
has_round() { grep -q "^{\"type\":\"round\",\"n\":$2," "$lt_tmp/$1.jsonl" 2>/dev/null; }

# --- a stop keeps the check in flight -------------------------------------------------
for how in q S C-c TERM; do
	start "stop-$how" --vgdb "$gate_vgdb" -u /leak/alloc -n 20
	if ! wait_for 'check #0 at' 120; then
		lt_not_ok "stop with $how: the baseline check never came"
		continue
	fi
	keys c
	held "stop-$how" || lt_not_ok "stop with $how: the check never reached vgdb"
	case $how in
	TERM)
		pid=$(pgrep -f -- "--session $lt_tmp/stop-TERM.jsonl" | head -n 1)
		kill -TERM "$pid" ;;
	*) keys "$how" ;;
	esac
	lt_check "$how during a check: the stop is under way while the check is held" \
		wait_for 'stopping nginx' 30
	release "stop-$how"
	if [ "$how" = S ]; then
		lt_check "S during a check: nginx stopped, valgrind's exit report shown" \
			wait_for "valgrind's exit report \(x: back\)" 60
		lt_check "S during a check: the screen shows that check (#1)" grep -q 'check #1 at' "$lt_tmp/pane"
		keys q q
	fi
	lt_check "$how during a check: ngx-leaktop exited" wait_exit 60
	lt_check "$how during a check: its round (1) is in the session file" has_round "stop-$how" 1 ||
		show "$lt_tmp/pane"
	lt_check "$how during a check: the session file ends with the stop, not a cut" \
		bash -c "tail -n 1 '$lt_tmp/stop-$how.jsonl' | grep -q '\"type\":\"end\"'"
	lt_check "$how during a check: exit status 0, nothing left running" exited_clean 0
done

# --- exit status 2 after a crash that was not restarted -----------------------------------
# --no-keepalive: with held connections the first requests open them before
# the baseline, and /crash would kill nginx before the first check.
start "crash" -u /crash -n 4 --no-keepalive
lt_check "crash run: baseline done" wait_for 'check #0 at' 120
keys r
lt_check "crash run: nginx killed by SIGSEGV, shown" wait_for 'nginx killed by signal 11 \(SIGSEGV\)' 60
keys q
lt_check "crash run: q quits" wait_exit 60
lt_check "crash run: exit status 2 (nginx died, not restarted)" grep -q 'LT-EXIT=2' "$lt_tmp/exit" ||
	show "$lt_tmp/exit"
reason_left() { screen | grep -q 'ngx-leaktop: .*SIGSEGV'; }
lt_check "crash run: the reason is left on the terminal after the screen" reason_left
lt_check "crash run: the terminal restored, nothing left running" exited_clean 2

# --- --source-dir: the tree moved since the build ------------------------------------------
# Where the build put the fixture source: the path valgrind reports.
"$LT" --batch -c "$conf" -u /leak/alloc -n 10 --rounds 1 --fail-on none --no-session \
	--json "$lt_tmp/where.json" "$NGINX" >/dev/null 2>&1
built=$(jq -r '[.sites[] | select(.function == "ngx_http_leaky_leak_alloc") | .file][0] // empty' \
	"$lt_tmp/where.json")
lt_check "the build path of the fixture source is known ($built)" [ -n "$built" ] && [ -f "$built" ]
line=$(lt_leak_line leak_alloc)
# The moved tree: the same file, its leaking line marked so that the screen
# can only have read it from there.
moved=$lt_tmp/moved
mkdir -p "$moved/ngx_http_leaky_module"
sed "${line}s|LEAK: leak_alloc \*/|LEAK: leak_alloc, MOVED-TREE-COPY */|" "$LT_SRC" \
	>"$moved/ngx_http_leaky_module/ngx_http_leaky_module.c"
# A real run's session file, its source paths moved under a folder that
# does not exist (a checkout moved since the build); --load shows it in
# the live screen, which must find the source through --source-dir. (No
# mount namespace: a chroot or a container may not allow one.)
"$LT" --batch -c "$conf" -u /leak/alloc -n 20 --rounds 1 --fail-on none --session "$lt_tmp/src.jsonl" \
	"$NGINX" >/dev/null 2>&1
gone=/nonexistent-build-$$
sed "s|$(dirname "$built")/|$gone/ngx_http_leaky_module/|g" "$lt_tmp/src.jsonl" >"$lt_tmp/moved.jsonl"
lt_check "the session file names the source where no file is ($gone)" \
	bash -c "grep -q '$gone/ngx_http_leaky_module/ngx_http_leaky_module.c' '$lt_tmp/moved.jsonl' &&
		[ ! -e '$gone' ]"
tm_new "source-dir" 120 40 "cd '$lt_tmp' && env TMPDIR='$TMPDIR' '$LT' --load '$lt_tmp/moved.jsonl' \
	--source-dir '$moved'; $lt_shell_tail"
lt_check "source-dir run: the recorded run is shown" wait_for 'ngx_http_leaky_leak_alloc' 60
keys / l e a k _ a l l o c Enter
wait_for 'only sites allocated in a function or file matching' 10 >/dev/null
keys Enter
lt_check "source-dir run: the backtrace, the allocation site at :$line" \
	wait_for ">#[0-9]+ +ngx_http_leaky_leak_alloc +ngx_http_leaky_module.c:$line" 10
lt_check "the source pane shows line $line from the moved tree (--source-dir)" \
	grep -qE "^ *$line .*MOVED-TREE-COPY" "$lt_tmp/pane" || show "$lt_tmp/pane"
keys q q q
lt_check "source-dir run: q quits" wait_exit 60
lt_check "source-dir run: exit 0, nothing left running" exited_clean 0

lt_finish
