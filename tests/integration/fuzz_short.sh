#!/usr/bin/env bash
# fuzz_short.sh - a short libFuzzer run of every target (tests/fuzz/): each
# one FUZZ_SHORT_SECONDS (default 20) from its seeds, in a temporary corpus.
# Passes when no target crashes; prints the executions of each.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

secs=${FUZZ_SHORT_SECONDS:-20}
out=$lt_tmp/fuzz.out
targets=("$lt_repo"/build/fuzz/fuzz_*)
if [ ! -x "${targets[0]}" ]; then
	lt_not_ok "fuzz targets built (make fuzz-build)"
	lt_finish
	exit
fi
"$lt_repo/tests/fuzz/run-fuzz.sh" "$secs" >"$out" 2>&1
rc=$?
for bin in "${targets[@]}"; do
	name=$(basename "$bin")
	line=$(grep -E "^# $name: [0-9?]+ execs" "$out")
	execs=$(echo "$line" | awk '{print $3}')
	echo "# $name: ${execs:-?} execs"
	if grep -q "^# $name: FAILED" "$out"; then
		grep "^# $name" "$out" | grep -v ' execs in '
		lt_not_ok "$name: no crash in $secs s"
	elif [[ "$execs" =~ ^[0-9]+$ ]] && [ "$execs" -gt 0 ]; then
		lt_ok "$name: no crash in $secs s"
	else
		lt_not_ok "$name: ran ($(tail -n 3 "$out" | tr '\n' ' '))"
	fi
done
lt_check "run-fuzz.sh exit status 0" test "$rc" -eq 0
lt_finish
