#!/usr/bin/env bash
# End to end: the live screen stays live while a big leak_check answer
# streams in (issue 17). nginx runs a big generated config
# (tests/tools/bigconf.sh) under valgrind; while the baseline check's
# `leak_check full reachable any` answer arrives, keys go in through tmux
# ('?' help, 'h' back: each one draws). ngx-leaktop's opt-in trace
# (LEAKTOP_TRACE, include/trace.h) gives "key", "frame", "check-start",
# "piece" and "check-end" lines on the monotonic clock. Asserts: keys were
# read between check-start and check-end, in several pieces of the
# answer; every key read got a frame within 50 ms; no piece held the loop
# for more than 50 ms (a key that came meanwhile waited at most that);
# the answer is parsed as it arrives (many pieces), and the round it
# makes is on the screen after.
#
#   LOCATIONS=N tests/integration/tui_stream.sh    (default 1000: a 4.3 MB
#   answer, 3,700 pieces; 2000: 4.9 MB; 3800: 5.8 MB; 10000: 8.7 MB in
#   12,207 pieces, 45 keys served during it; MAPS=N, SERVERS=N:
#   bigconf.sh's other sizes, default 20 and 10)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb tmux

. "$lt_repo/tests/tmux.sh"
locations=${LOCATIONS:-1000} maps=${MAPS:-20} servers=${SERVERS:-10}
big=$lt_tmp/big
trace=$lt_tmp/trace
# The config is generated once per size (thousands of forks: a minute on
# a loaded machine) under build/, then copied with this run's dir and port.
cache=$lt_repo/build/bigconf/$locations-$maps-$servers
if [ ! -e "$cache/done" ]; then
	bash "$lt_repo/tests/tools/bigconf.sh" "$cache" 1 "$locations" "$maps" "$servers" &&
		touch "$cache/done"
fi
mkdir -p "$big/logs"
sed "s|$cache|$big|g" "$cache/nginx.conf" >"$big/nginx.conf"
lt_new_port "$big/nginx.conf" || exit 1
mkdir -p "$lt_tmp/home"

tm_new "stream" 120 40 "cd '$lt_tmp/home' && env LEAKTOP_TRACE='$trace' TMPDIR='$TMPDIR' \
	'$LT' -c '$big/nginx.conf' -u /leak/alloc -n 20 '$NGINX'; $lt_shell_tail"

# check_started: the baseline check was asked
check_started() { grep -q '^check-start' "$trace" 2>/dev/null; }
check_ended() { grep -q '^check-end' "$trace" 2>/dev/null; }

lt_check "the baseline check starts (nginx up with $locations locations)" until_ok 120 check_started
# keys while the answer comes: one every ~20 ms until it has come
sent=0
while ! check_ended && [ "$sent" -lt 2000 ]; do
	if ((sent % 2)); then keys h; else keys '?'; fi
	sent=$((sent + 1))
	sleep 0.02
done
lt_check "the check ends" until_ok 60 check_ended
keys h
lt_check "the baseline round is on the screen" wait_for 'check #0 at' 60

# The trace's verdicts, in awk: times are ms on one clock.
cp "$trace" "$lt_repo/build/tui_stream.trace" 2>/dev/null	# kept for a look after
read -r keys_in pieces bytes worst_gap worst_piece pieces_with_keys whole took < <(awk '
	$1 == "check-start" && !start { start = $2 }
	$1 == "check-end" && !end { end = $2; whole = $3 }
	$1 == "piece" && start && !end { n++; bytes += $3; if ($4 > wp) wp = $4; piece_at = $2 }
	$1 == "key" { if (start && !end) { k++; if (piece_at != last_piece) { pk++; last_piece = piece_at } }
		waiting[++nk] = $2 }
	$1 == "frame" { for (i = done + 1; i <= nk; i++) { g = $2 - waiting[i]; if (g > wg) wg = g }
		done = nk }
	END { printf "%d %d %d %.3f %.3f %d %.1f %.0f\n", k, n, bytes, wg, wp, pk, whole, end - start }' "$trace")
echo "# answer: $bytes bytes in $pieces pieces over $took ms; $keys_in keys read during it" \
	"(between $pieces_with_keys different pieces); worst key->frame $worst_gap ms;" \
	"the loop held at most $worst_piece ms by a piece, $whole ms by all pieces together" \
	"(a parse of the whole at once)"
lt_check "keys were read while the answer streamed in ($keys_in keys)" [ "${keys_in:-0}" -ge 5 ]
lt_check "keys were served between pieces, not after the answer ($pieces_with_keys)" \
	[ "${pieces_with_keys:-0}" -ge 3 ]
in_pieces() { [ "${pieces:-0}" -ge 10 ] && [ "${bytes:-0}" -ge 1000000 ]; }
lt_check "the answer came in pieces ($pieces pieces, $bytes bytes)" in_pieces
lt_check "every key got a frame within 50 ms (worst $worst_gap ms)" \
	awk -v g="$worst_gap" 'BEGIN { exit !(g <= 50) }'
lt_check "no piece held the loop over 50 ms (worst $worst_piece ms)" \
	awk -v g="$worst_piece" 'BEGIN { exit !(g <= 50) }'

keys q
lt_check "q quits" exit_status 0
lt_check "nothing left running, private dirs removed" lt_nothing_left "$big" "$TMPDIR"
lt_finish
