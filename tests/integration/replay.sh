#!/usr/bin/env bash
# End to end, issue 17: checks of what changed (`leak_check full
# reachable changed`, the model applying the deltas) give the verdicts
# that full checks (`any`) give.
#   1. Replay of real rounds: tests/tools/capture-replay.sh captures, on
#      the fixture nginx under valgrind, after each burst both answers at
#      the same moment; build/drivers/replay_driver feeds one model the
#      full ones and another the deltas and compares every site at every
#      round (values and verdicts). Leaving one round's deltas out must
#      make a difference (the comparison can fail). Before round 6 the
#      capture runs a leak search of its own (as a user's vgdb would):
#      that round's deltas must be refused (model_round_follows) and its
#      full answer taken, as the engine does.
#   2. The tool itself: the same batch run with and without --full-checks
#      gives the same rows of the module; JSON says which checks were which.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep curl

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
drv=$lt_repo/build/drivers/replay_driver
show() { sed 's/^/#   /' "$@"; }

# 1. replay
cap=$lt_tmp/replay
if bash "$lt_repo/tests/tools/capture-replay.sh" "$cap" >"$lt_tmp/capture.out" 2>&1; then
	lt_ok "capture-replay.sh captured $(ls "$cap" | wc -l) answers"
else
	lt_not_ok "capture-replay.sh captured the rounds"; show "$lt_tmp/capture.out"
fi
zero=$(cat "$cap"/c*.txt 2>/dev/null | grep -c '== 0 (-[0-9,]*) bytes in 0 (-')
lt_check "the captured deltas include records that fell to zero ($zero)" [ "${zero:-0}" -gt 0 ]
"$drv" "$cap" >"$lt_tmp/replay.out" 2>&1
rc=$?
show "$lt_tmp/replay.out"
lt_check "replay: every round the same sites, values and verdicts (exit $rc)" [ "$rc" -eq 0 ]
rounds=$(grep -c ': .* sites, same' "$lt_tmp/replay.out")
lt_check "replay: 6 rounds compared ($rounds)" [ "$rounds" -eq 6 ]
nf=$(grep -c 'do not follow' "$lt_tmp/replay.out")
lt_check "replay: someone else's search before round 6 found, that round taken whole ($nf)" \
	grep -qx 'round 6: the deltas do not follow' "$lt_tmp/replay.out"
lt_check "replay: no other round's deltas refused" [ "$nf" -eq 1 ]
lt_check "replay: the rounds have growing and bounded sites to compare" \
	grep -qE 'round 6: .* \([1-9][0-9]* growing, [1-9][0-9]* bounded\)' "$lt_tmp/replay.out"
"$drv" "$cap" --skip 2 >"$lt_tmp/skip.out" 2>&1
rc=$?
lt_check "replay: a round's deltas left out is a difference (exit $rc)" [ "$rc" -eq 1 ]
grep -q 'round 2: differs' "$lt_tmp/skip.out" || show "$lt_tmp/skip.out"

# 2. the tool, both ways
rows() {	# the module's rows of a batch table: site, kind, verdict, top URL
	grep -E '^ngx_http_leaky' "$1" | awk '{print $1, $3, $(NF-2), $(NF-1)}' | sort
}
for mode in changed any; do
	lt_new_port "$conf"
	extra=()
	[ "$mode" = any ] && extra=(--full-checks)
	"$LT" --batch --no-session "${extra[@]}" -c "$conf" --rounds 6 -n 60 -C 2 \
		-u /leak/alloc -u /clean -u /cache/x -u /lazy -u /leak/struct \
		--json "$lt_tmp/$mode.json" "$NGINX" >"$lt_tmp/$mode.out" 2>"$lt_tmp/$mode.err"
	echo "# $mode: exit $?"
	checks=$(jq -r '[.rounds[].check] | join(" ")' "$lt_tmp/$mode.json" 2>/dev/null)
	want="any $(printf "$mode %.0s" 1 2 3 4 5 6)"
	lt_check "$mode: the JSON's checks are '${want% }' ($checks)" [ "$checks" = "${want% }" ]
done
grep -q '(what changed)' "$lt_tmp/changed.err"
lt_check "batch says which checks asked for what changed" [ $? -eq 0 ]
if grep -q '(what changed)' "$lt_tmp/any.err"; then
	lt_not_ok "--full-checks: no check asked for what changed"
else
	lt_ok "--full-checks: no check asked for what changed"
fi
rows "$lt_tmp/changed.out" >"$lt_tmp/changed.rows"
rows "$lt_tmp/any.out" >"$lt_tmp/any.rows"
lt_check "the module's rows: /leak/alloc and /leak/struct grow ($(wc -l <"$lt_tmp/changed.rows") rows)" \
	grep -q 'ngx_http_leaky_module.c:188 definite growing' "$lt_tmp/changed.rows"
if diff "$lt_tmp/any.rows" "$lt_tmp/changed.rows" >"$lt_tmp/rows.diff"; then
	lt_ok "the same rows with checks of what changed as with full checks"
else
	lt_not_ok "the same rows with checks of what changed as with full checks"; show "$lt_tmp/rows.diff"
fi
lt_check "nothing left behind" lt_nothing_left "$ngx" "$TMPDIR"
lt_finish
