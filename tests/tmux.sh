# tests/tmux.sh - the live screen in a real terminal, for the shell tests
# (sourced after lib.sh): the fixture config in $ngx, a private TMPDIR, a
# private tmux server per run, keys in with send-keys, the screen back with
# capture-pane, every wait a bounded loop.
# A run's pane records "LT-EXIT=status" in $lt_tmp/exit and the
# terminal's modes (stty -a) in $lt_tmp/stty when ngx-leaktop exits.

lt_need tmux stty
lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
sock=				# the running server's socket (see tm_new)
T() { tmux -S "$sock" "$@"; }
kill_servers() {
	local s
	for s in "$lt_tmp"/tmux.*; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
}
trap 'kill_servers; lt_cleanup' EXIT

# tm_new NAME COLS ROWS COMMAND: COMMAND in a fresh COLSxROWS terminal
tm_new() {
	local name=$1 cols=$2 rows=$3
	rm -f "$lt_tmp/exit" "$lt_tmp/stty"
	kill_servers
	sock=$lt_tmp/tmux.$name
	T new-session -d -s lt -x "$cols" -y "$rows" "$4"
	echo "# $name"
}

# lt_shell_tail: what the pane runs after ngx-leaktop
lt_shell_tail="echo LT-EXIT=\$? >'$lt_tmp/exit'; stty -a >'$lt_tmp/stty'; echo LT-EXITED; sleep 600"

screen() { T capture-pane -p -t lt 2>/dev/null; }

# wait_for PATTERN SECONDS: the screen shows PATTERN (grep -E) in time
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		T has-session -t lt 2>/dev/null || break	# no terminal: no use waiting
		screen >"$lt_tmp/pane"
		grep -qE -- "$1" "$lt_tmp/pane" && return 0
		sleep 0.1
	done
	echo "# timed out waiting for /$1/; screen:"
	sed 's/^/#   /' "$lt_tmp/pane"
	return 1
}

keys() { T send-keys -t lt "$@"; }

# until_ok SECONDS COMMAND...: COMMAND succeeds in time (tried every 0.1 s)
until_ok() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# keybar_on_row N: the screen is N rows and its last one is the key bar
keybar_on_row() {
	screen >"$lt_tmp/pane"
	[ "$(grep -c '' "$lt_tmp/pane")" -eq "$1" ] && tail -n 1 "$lt_tmp/pane" | grep -q '^? help'
}

# wait_exit SECONDS: ngx-leaktop exited and the pane recorded the modes
wait_exit() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ -s "$lt_tmp/stty" ] && return 0
		sleep 0.1
	done
	return 1
}

# exit_status N: ngx-leaktop exited (the pane recorded it) with status N
exit_status() {
	wait_exit 60 || { echo "# no exit recorded"; return 1; }
	[ "$(cat "$lt_tmp/exit")" = "LT-EXIT=$1" ] && return 0
	echo "# want LT-EXIT=$1, got $(cat "$lt_tmp/exit")"
	return 1
}

# cooked mode and echo back, the screen left
terminal_restored() {
	grep -qE '(^| )icanon( |;|$)' "$lt_tmp/stty" && grep -qE '(^| )echo( |;|$)' "$lt_tmp/stty" &&
		screen | grep -q LT-EXITED && ! screen | grep -q 'ngx-leaktop  nginx/'
}
