#!/usr/bin/env bash
# Run every test suite of `make check` and print one closing line
# "check: N passed, M failed" (CI reads it).
#
#   tests/run-tests.sh                 run the suites (logs in build/test-logs/)
#   tests/run-tests.sh --recount DIR   count the logs of an earlier run again
#
# N counts every distinct check of ngx-leaktop once: the layout rules
# (tests/layers.sh), the cmocka unit tests and the end-to-end integration
# scripts. The other suites run, and fail the run when they fail, but add
# nothing to N, for their checks are not new checks of the product:
#   asan     the unit tests and three integration scripts once more on the
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
if [ "${1:-}" = "--recount" ]; then
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

# run_suite KIND NAME LIMIT COMMAND...: run COMMAND, its output in the
# suite's log, killed (with everything it started in its process group:
# TERM, then KILL after KILL_GRACE seconds) after LIMIT seconds.
run_suite() {
	local kind=$1 name=$2 limit=$3; shift 3
	local log=$log_dir/${name//\//_}.log start rc
	start=$(date +%s)
	# timeout(1) puts the suite in a process group of its own, off the
	# terminal: no suite reads one (the live screen runs in tmux's).
	timeout -k "$KILL_GRACE" "$limit" "$@" </dev/null >"$log" 2>&1
	rc=$?
	tally "$kind" "$name" "$log" "$rc" $(($(date +%s) - start)) "$limit"
}

# recount_logs: the same totals from the logs of an earlier run (their
# exit status is gone: a log with a failed check, or with no count, failed).
recount_logs() {
	local log base name kind limit rc
	for log in "$log_dir"/*.log; do
		[ -f "$log" ] || continue
		base=$(basename "$log" .log)
		case $base in
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
		elif [ "$(count "$log")" = none ] || [ "$(count "$log" | cut -d' ' -f2)" -gt 0 ]; then rc=1
		fi
		tally "$kind" "$name" "$log" "$rc" 0 "$limit"
	done
}

if [ -n "$recount" ]; then
	recount_logs
else
	# What the tests run is installed (tests/deps.list, installed by make deps).
	run_suite harness "deps" "$LIMIT_LAYERS" tests/setup-deps.sh --check
	# The house plan first (README, Layout): layers, private headers, file
	# sizes, calls that go one way; then the same checks shown to fail.
	run_suite product "layers" "$LIMIT_LAYERS" tests/layers.sh
	run_suite harness "layers-selftest" "$LIMIT_LAYERS" tests/layers.sh --self-test

	for t in build/unit/test_*; do
		[ -x "$t" ] && run_suite product "unit/$(basename "$t")" "$LIMIT_UNIT" "$t"
	done
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	for t in build/unit-asan/test_*; do
		[ -x "$t" ] && run_suite asan "unit-asan/$(basename "$t")" "$LIMIT_UNIT_ASAN" "$t"
	done
	unset ASAN_OPTIONS UBSAN_OPTIONS

	run_suite harness "ground-truth" "$LIMIT_GROUND_TRUTH" tests/ground-truth.sh build/nginx/objs/nginx

	for t in tests/integration/*.sh; do
		[ -f "$t" ] && run_suite product "integration/$(basename "$t" .sh)" "$LIMIT_INTEGRATION" bash "$t"
	done
	# The live screen, batch mode and XML loading once more, on the ASan+UBSan
	# build: memory bugs that only the real run reaches (a restart, a crash).
	for t in tui batch xml debugger stream; do
		run_suite asan "integration-asan/$t" "$LIMIT_INTEGRATION_ASAN" tests/asan-e2e.sh "tests/integration/$t.sh"
	done
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
