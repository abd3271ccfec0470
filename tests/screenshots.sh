#!/usr/bin/env bash
# make screenshots: PNGs of the live screen from a real run against the
# fixture nginx, rendered by a real terminal emulator (xterm on Xvfb).
# ngx-leaktop runs inside tmux inside xterm, so keys go in and readiness is
# read with tmux (send-keys, capture-pane) while xterm draws the pixels.
#   screenshots/table.png      the sites table after a few rounds
#   screenshots/backtrace.png  a leak's backtrace beside its source
#   screenshots/help.png       the help screen
#   screenshots/errors.png     memcheck errors, the invalid read's backtrace
#   screenshots/debugger.png   the debugger stopped at a leak's line, a step and a check
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=${SCREENSHOTS_DIR:-$lt_repo/screenshots}
cols=${SCREENSHOT_COLS:-164}
rows=${SCREENSHOT_ROWS:-44}
mkdir -p "$out"
for tool in Xvfb xterm import xdotool tmux; do
	command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (make screenshots installs it)" >&2; exit 2; }
done

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
sock=$lt_tmp/tmux.sock
T() { tmux -S "$sock" "$@"; }

# a free X display
for d in $(seq 90 120); do
	[ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ] || { disp=:$d; break; }
done
Xvfb "$disp" -screen 0 1920x1200x24 -nolisten tcp >"$lt_tmp/xvfb.log" 2>&1 &
lt_pids+=($!)
disown	# killed at exit by lt_cleanup, without a job notice
export DISPLAY=$disp
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done

cleanup() {
	T kill-server 2>/dev/null
	lt_cleanup
}
trap cleanup EXIT

# tmux without its status line, in xterm with a dark theme and a clear font
cat >"$lt_tmp/tmux.conf" <<'EOF'
set -g status off
set -g default-terminal "tmux-256color"
set -g escape-time 10
EOF
T -f "$lt_tmp/tmux.conf" new-session -d -s shot -x "$cols" -y "$rows" \
	"cd '$lt_repo' && '$LT' -c '$ngx/nginx.conf' -u /leak/alloc -u /leak/struct -u /leak/pool \
	-u /leak/cycle -u /cache/a -u /cache/b -u /lazy -u /clean -n 400 '$NGINX'; sleep 600"
xterm -geometry "${cols}x${rows}+0+0" -fa 'DejaVu Sans Mono' -fs 10 -bg '#1c1c1c' -fg '#d0d0d0' \
	-title ngx-leaktop -e tmux -S "$sock" attach -t shot >"$lt_tmp/xterm.log" 2>&1 &
lt_pids+=($!)
disown

wait_for() {	# wait_for PATTERN SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		T capture-pane -p -t shot 2>/dev/null | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "screenshots: timed out waiting for /$1/" >&2
	T capture-pane -p -t shot >&2
	exit 1
}

shot() {	# shot NAME: the xterm window as NAME.png
	local win
	sleep 0.5	# let xterm paint what tmux sent
	win=$(xdotool search --name '^ngx-leaktop$' | head -n 1)
	import -window "$win" "$out/$1.png"
	echo "screenshots: $out/$1.png"
}

wait_for 'check #0 at' 120
for r in 1 2 3 4; do
	T send-keys -t shot r
	wait_for "check #$r at" 60
done
shot table
T send-keys -t shot / l e a k _ a l l o c Enter
wait_for 'only sites allocated in' 10
T send-keys -t shot Enter
wait_for '>#[0-9]+ +ngx_http_leaky_leak_alloc' 10
shot backtrace
T send-keys -t shot q / C-u Enter '?'
wait_for 'Keys \(from the action table\)' 10
shot help
# a round on the module's buggy locations, then the errors and a backtrace
T send-keys -t shot q u C-u /leak/alloc Space /bug/invalid-read Space /bug/uninit Enter r
wait_for "check #5 at" 60
T send-keys -t shot E
wait_for 'ngx_http_leaky_bug_uninit +UninitCondition' 10
wait_for 'ngx_http_leaky_bug_invalid_read +InvalidRead' 10
# the invalid read's row, wherever the table's order puts it
row=$(T capture-pane -p -t shot | grep -E 'InvalidRead|UninitCondition' | grep -n InvalidRead | head -n 1 | cut -d: -f1)
for _ in $(seq 2 "${row:-1}"); do T send-keys -t shot j; done
T send-keys -t shot Enter
wait_for '>#0 +ngx_http_leaky_bug_invalid_read' 10
shot errors
# the debugger at leak_alloc's line: stopped, a step over the ngx_alloc, a check
T send-keys -t shot q q / C-u l e a k _ a l l o c Enter
wait_for 'only sites allocated in' 10
T send-keys -t shot d
wait_for 'STOPPED breakpoint 1 hit' 60
T send-keys -t shot n
wait_for 'STOPPED end of step' 30
T send-keys -t shot L
wait_for 'leak check done' 60
shot debugger
T send-keys -t shot q
wait_for 'ready +pid' 20
T send-keys -t shot Q
for _ in $(seq 600); do
	pgrep -f "valgrind.*$ngx" >/dev/null || break
	sleep 0.1
done
