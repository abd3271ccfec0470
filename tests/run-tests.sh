#!/usr/bin/env bash
# Run every test suite of `make check` and print one closing line
# "check: N passed, M failed" (CI reads it).
#
#   tests/run-tests.sh                 run the suites (logs in build/test-logs/)
#   tests/run-tests.sh --build CMD     the same, CMD (make check: the ASan build
#                                      and the fuzz targets) built meanwhile
#   tests/run-tests.sh --recount DIR   count the logs of an earlier run again
#
# The suites run in two lanes at once, one line per suite printed in the
# order below as the lanes get there: the valgrind lane (the ground truth,
# the integration scripts, then the ASan integration runs), one after the
# other, for several of them check that no valgrind of the fixture nginx is
# left when they end and would see each other's; and the light lane (the
# layout rules and their self-test, the unit tests, the ASan unit tests,
# the short fuzz run), which needs no valgrind and no port. With --build,
# CMD runs from the start beside both lanes, and a suite that needs its
# output (the ASan suites, selfcheck, the fuzz run: a script naming
# ngx-leaktop-asan, unit-asan or build/fuzz) waits for CMD to end (on a
# lock CMD's lane holds, not a poll); a CMD that fails is one failure,
# named "build".
#
# N counts every distinct check of ngx-leaktop once: the layout rules
# (tests/layers.sh), the cmocka unit tests and the end-to-end integration
# scripts. The other suites run, and fail the run when they fail, but add
# nothing to N, for their checks are not new checks of the product:
#   asan     the unit tests and six integration scripts once more on the
#            ASan+UBSan build: one line "asan: clean over K suites"
#   harness  the valgrind ground truth of the fixture nginx and the
#            self-test of tests/layers.sh: they check the test bench
# M counts the failed product checks, plus one for every failed asan or
# harness suite. A suite that prints no count of its checks, or that exits
# non-zero without a failed check, is one failure; a suite that runs past
# its time limit is killed and counts as one failure, named on a TIMEOUT
# line.
set -uo pipefail
cd "$(dirname "$0")/.."

# Time limits in seconds, by suite type: several times the slowest run
# seen on a 2-CPU machine loaded by other test runs (layers self-test 79 s,
# unit 29 s, asan unit 68 s, ground truth 22 s, integration 176 s, asan
# integration 173 s).
LIMIT_LAYERS=300
LIMIT_UNIT=180
LIMIT_UNIT_ASAN=360
LIMIT_GROUND_TRUTH=300
LIMIT_INTEGRATION=600
LIMIT_INTEGRATION_ASAN=900
# The build beside the suites (--build): clang's fuzz objects and the ASan
# build took 7 minutes alone on a loaded 2-CPU machine.
LIMIT_BUILD=1800
# Seconds between the polite TERM and the KILL of a suite past its limit.
KILL_GRACE=20

passed=0
failed=0
failed_suites=()
asan_suites=0
asan_failed=()
harness=()
log_dir=build/test-logs
recount=""
build=""
if [ "${1:-}" = "--build" ]; then
	build=${2:?usage: tests/run-tests.sh --build COMMAND}
elif [ "${1:-}" = "--recount" ]; then
	recount=${2:?usage: tests/run-tests.sh --recount LOG_DIR}
	log_dir=$recount
	[ -d "$log_dir" ] || { echo "run-tests: no such log directory: $log_dir" >&2; exit 2; }
fi
mkdir -p "$log_dir"

# count LOG: "PASSED FAILED" of a suite's output, from cmocka's summary
# lines or the closing "N passed, M failed" line of the shell tests;
# "none" when the log holds neither.
count() {
	local log=$1 p f
	if grep -qE '^\[  (PASSED|FAILED)  \] [0-9]+ test' "$log"; then
		p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
		f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
		echo "$p $f"
	elif grep -qE '^[0-9]+ passed, [0-9]+ failed' "$log"; then
		grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 | awk '{print $1+0, $3+0}'
	else
		echo none
	fi
}

# tally KIND NAME LOG RC SECONDS LIMIT: add one suite's result to the
# totals and print its line.
tally() {
	local kind=$1 name=$2 log=$3 rc=$4 secs=$5 limit=$6 p f note="" bad=0 why=""
	if [ "$kind" = build ]; then
		tally_build "$@"
		return
	fi
	read -r p f < <(count "$log")
	if [ "$p" = none ]; then
		p=0; f=0; bad=1; why="printed no count of its checks"
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		bad=1
		[ -n "$recount" ] || echo "TIMEOUT: $name hung, killed after ${limit}s" >>"$log"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		bad=1; why=${why:-"exited $rc without a failed check"}
	fi
	[ "$bad" -eq 1 ] && [ "$f" -eq 0 ] && f=1
	case $kind in
	product)
		passed=$((passed + p))
		failed=$((failed + f))
		;;
	asan)
		asan_suites=$((asan_suites + 1))
		note="  [asan, not in N]"
		if [ "$f" -gt 0 ] || [ "$bad" -eq 1 ]; then
			asan_failed+=("$name"); failed=$((failed + 1))
		fi
		;;
	harness)
		note="  [harness, not in N]"
		harness+=("$name ($p passed, $f failed)")
		[ "$f" -gt 0 ] || [ "$bad" -eq 1 ] && failed=$((failed + 1))
		;;
	esac
	printf '%-40s %4d passed %3d failed  (%ds)%s\n' "$name" "$p" "$f" "$secs" "$note"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "TIMEOUT: $name hung, killed after ${limit}s"
	elif [ -n "$why" ]; then
		echo "    | $name $why"
	fi
	if [ "$f" -gt 0 ] || [ "$bad" -eq 1 ]; then
		failed_suites+=("$name")
		sed 's/^/    | /' "$log" | grep -E 'not ok|FAIL|ERROR|error|Error' | head -n 30
		echo "    | (full log: $log)"
	fi
}

# tally_build KIND NAME LOG RC SECONDS LIMIT: the line of the build run
# beside the suites (--build); one failure when it failed.
tally_build() {
	local name=$2 log=$3 rc=$4 secs=$5 limit=$6
	if [ "$rc" -eq 0 ]; then
		printf '%-40s %s  (%ds)\n' "$name" "built" "$secs"
		return
	fi
	failed=$((failed + 1))
	failed_suites+=("$name")
	printf '%-40s %s  (%ds)\n' "$name" "FAILED (exit $rc)" "$secs"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		[ -n "$recount" ] || echo "TIMEOUT: $name hung, killed after ${limit}s" >>"$log"
		echo "TIMEOUT: $name hung, killed after ${limit}s"
	fi
	[ -n "$recount" ] || echo "build failed: exit $rc" >>"$log"
	tail -n 20 "$log" | sed 's/^/    | /'
	echo "    | (full log: $log)"
}

# The plan: suite I runs in lane S_LANE[I] (A, valgrind; B, light; C, the
# build), its line printed I-th. A suite named "wait" waits for the build.
S_LANE=() S_KIND=() S_NAME=() S_LIMIT=() S_CMD=()
# plan LANE KIND NAME LIMIT COMMAND...: one more suite
plan() {
	local i=${#S_NAME[@]}
	S_LANE[i]=$1 S_KIND[i]=$2 S_NAME[i]=$3 S_LIMIT[i]=$4
	shift 4
	printf -v "S_CMD[$i]" '%q ' "$@"
}

# run_suite I: run suite I's command, its output in the suite's log, killed
# (with everything it started in its process group: TERM, then KILL after
# KILL_GRACE seconds) after its limit; "RC SECONDS" in $res/I, I on fd 9.
run_suite() {
	local i=$1 log start rc
	log=$log_dir/${S_NAME[i]//\//_}.log
	start=$(date +%s)
	# timeout(1) puts the suite in a process group of its own, off the
	# terminal: no suite reads one (the live screen runs in tmux's). The
	# suite gets neither the lanes' pipe (fd 9) nor the build's lock (fd 7).
	eval "timeout -k \"\$KILL_GRACE\" \"\${S_LIMIT[i]}\" ${S_CMD[i]}" </dev/null >"$log" 2>&1 7>&- 9>&-
	rc=$?
	echo "$rc $(($(date +%s) - start))" >"$res/$i"
	echo "$i" >&9
}

# run_lane L: the suites of lane L in plan order; "end" on fd 9 when done.
run_lane() {
	local i
	trap 'echo end >&9' EXIT
	for i in "${!S_NAME[@]}"; do
		[ "${S_LANE[i]}" = "$1" ] || continue
		if [ "${S_NAME[i]}" = wait ]; then
			# the build's lane holds the lock until the build ends
			[ -z "$build" ] || flock -s "$res/build.lock" true
			continue
		fi
		run_suite "$i"
	done
}

# run_plan: the lanes at once; each suite's line printed in plan order as
# soon as it and every suite before it ended.
run_plan() {
	local next=0 ends=0 lanes=2 msg rc secs lane_pids=()
	res=$(mktemp -d)
	trap 'rm -rf "$res"' EXIT
	mkfifo "$res/done"
	# read and write: neither side's open blocks, the reader never sees EOF
	exec 9<>"$res/done"
	rm -f "$log_dir/build.log"	# --recount must not count an old one
	if [ -n "$build" ]; then
		lanes=3
		exec 7>"$res/build.lock"
		flock 7
		run_lane C &
		lane_pids+=($!)
		exec 7>&-
	fi
	run_lane A &
	lane_pids+=($!)
	run_lane B &
	lane_pids+=($!)
	trap 'kill "${lane_pids[@]}" 2>/dev/null; exit 130' INT TERM
	while [ "$ends" -lt "$lanes" ] && read -r msg <&9; do
		[ "$msg" = end ] && ends=$((ends + 1))
		while [ "$next" -lt "${#S_NAME[@]}" ]; do
			if [ "${S_NAME[next]}" != wait ]; then
				[ -f "$res/$next" ] || break
				read -r rc secs <"$res/$next"
				tally "${S_KIND[next]}" "${S_NAME[next]}" "$log_dir/${S_NAME[next]//\//_}.log" \
					"$rc" "$secs" "${S_LIMIT[next]}"
			fi
			next=$((next + 1))
		done
	done
	wait "${lane_pids[@]}"
	exec 9<&-
	# a lane that ended early (killed): its suites did not run
	for ((; next < ${#S_NAME[@]}; next++)); do
		[ "${S_NAME[next]}" = wait ] && continue
		echo "run-tests: ${S_NAME[next]} did not run" >&2
		failed=$((failed + 1))
		failed_suites+=("${S_NAME[next]}")
	done
}

# recount_logs: the same totals from the logs of an earlier run (their
# exit status is gone: a log with a failed check, or with no count, failed).
recount_logs() {
	local log base name kind limit rc
	for log in "$log_dir"/*.log; do
		[ -f "$log" ] || continue
		base=$(basename "$log" .log)
		case $base in
		build) kind=build; limit=$LIMIT_BUILD; name=$base ;;
		deps) kind=harness; limit=$LIMIT_LAYERS; name=$base ;;
		layers) kind=product; limit=$LIMIT_LAYERS; name=$base ;;
		layers-selftest) kind=harness; limit=$LIMIT_LAYERS; name=$base ;;
		ground-truth) kind=harness; limit=$LIMIT_GROUND_TRUTH; name=$base ;;
		unit-asan_*) kind=asan; limit=$LIMIT_UNIT_ASAN; name=unit-asan/${base#unit-asan_} ;;
		unit_*) kind=product; limit=$LIMIT_UNIT; name=unit/${base#unit_} ;;
		integration-asan_*) kind=asan; limit=$LIMIT_INTEGRATION_ASAN; name=integration-asan/${base#integration-asan_} ;;
		integration_*) kind=product; limit=$LIMIT_INTEGRATION; name=integration/${base#integration_} ;;
		*) echo "run-tests: unknown log $log" >&2; continue ;;
		esac
		rc=0
		if grep -q '^TIMEOUT: ' "$log"; then rc=124
		elif [ "$kind" = build ]; then grep -q '^build failed: exit' "$log" && rc=1
		elif [ "$(count "$log")" = none ] || [ "$(count "$log" | cut -d' ' -f2)" -gt 0 ]; then rc=1
		fi
		tally "$kind" "$name" "$log" "$rc" 0 "$limit"
	done
}

if [ -n "$recount" ]; then
	recount_logs
else
	# What the tests run is installed (tests/deps.list, installed by make deps).
	plan B harness "deps" "$LIMIT_LAYERS" tests/setup-deps.sh --check
	# The house plan first (README, Layout): layers, private headers, file
	# sizes, calls that go one way; then the same checks shown to fail.
	plan B product "layers" "$LIMIT_LAYERS" tests/layers.sh
	plan B harness "layers-selftest" "$LIMIT_LAYERS" tests/layers.sh --self-test

	# Every unit test of tests/unit/ (a binary that is missing fails).
	units=()
	for t in tests/unit/test_*.c; do
		[ -f "$t" ] && units+=("$(basename "$t" .c)")
	done
	for t in "${units[@]}"; do
		plan B product "unit/$t" "$LIMIT_UNIT" "build/unit/$t"
	done
	# The build at a lower priority: it takes the CPU the suites leave,
	# their timing stays as it was (a unit test ran into its limit, on a
	# loaded machine, beside a build at the same priority).
	[ -z "$build" ] || plan C build "build" "$LIMIT_BUILD" nice -n 10 bash -c "$build"
	plan B - wait 0
	for t in "${units[@]}"; do
		plan B asan "unit-asan/$t" "$LIMIT_UNIT_ASAN" env \
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "build/unit-asan/$t"
	done

	plan A harness "ground-truth" "$LIMIT_GROUND_TRUTH" tests/ground-truth.sh build/nginx/objs/nginx

	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		# the fuzz run and the installed files (man page, completion, make
		# install) start no valgrind and take no port: the light lane
		case $t in */fuzz_short.sh | */install.sh) lane=B ;; *) lane=A ;; esac
		# a script that runs what --build builds waits for it
		grep -qE 'ngx-leaktop-asan|build/fuzz|unit-asan' "$t" && plan $lane - wait 0
		plan $lane product "integration/$(basename "$t" .sh)" "$LIMIT_INTEGRATION" bash "$t"
	done
	# The live screen, batch mode and XML loading once more, on the ASan+UBSan
	# build: memory bugs that only the real run reaches (a restart, a crash,
	# a signal while every worker is being checked).
	plan A - wait 0
	for t in tui batch xml debugger stream workers_faults; do
		plan A asan "integration-asan/$t" "$LIMIT_INTEGRATION_ASAN" tests/asan-e2e.sh "tests/integration/$t.sh"
	done
	run_plan
fi

echo
if [ ${#asan_failed[@]} -eq 0 ]; then
	echo "asan: clean over $asan_suites suites"
else
	echo "asan: ${#asan_failed[@]} of $asan_suites suites failed: ${asan_failed[*]}"
fi
[ ${#harness[@]} -gt 0 ] && (IFS=';'; echo "harness (checks of the test bench, not in N): ${harness[*]}" | sed 's/;/, /g')
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "failed suites: ${failed_suites[*]}"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
