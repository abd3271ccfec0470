#!/usr/bin/env bash
# Run every test suite of `make check` and print one closing line
# "check: N passed, M failed". Suites: the layout rules (tests/layers.sh),
# cmocka unit tests (plain and ASan+UBSan), the valgrind ground truth of
# the fixture nginx, the end-to-end integration tests (again on the
# ASan+UBSan build for the live screen, batch mode and XML), and
# ngx-leaktop under valgrind itself.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failed_suites=()
log_dir=build/test-logs
mkdir -p "$log_dir"

# Count a suite's assertions from its output: cmocka's summary lines or
# the "N passed, M failed" line of the shell tests.
count() {
	local log=$1 p f
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		p=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 | awk '{print $1+0}')
		f=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 | awk '{print $3+0}')
	fi
	echo "${p:-0} ${f:-0}"
}

run_suite() {
	local name=$1; shift
	local log=$log_dir/${name//\//_}.log start end rc p f
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	read -r p f < <(count "$log")
	# A suite that failed without a failing assertion still counts as one.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ]; then p=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-40s %4d passed %3d failed  (%ds)\n' "$name" "$p" "$f" $((end - start))
	if [ "$rc" -ne 0 ]; then
		failed_suites+=("$name")
		sed 's/^/    | /' "$log" | grep -E 'not ok|FAIL|ERROR|error|Error' | head -n 30
		echo "    | (full log: $log)"
	fi
}

# What the tests run is installed (tests/deps.list, installed by make deps).
run_suite "deps" tests/setup-deps.sh --check

# The house plan first (README, Layout): layers, private headers, file
# sizes, calls that go one way; then the same checks shown to fail.
run_suite "layers" tests/layers.sh
run_suite "layers-selftest" tests/layers.sh --self-test

for t in build/unit/test_*; do
	[ -x "$t" ] && run_suite "unit/$(basename "$t")" "$t"
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in build/unit-asan/test_*; do
	[ -x "$t" ] && run_suite "unit-asan/$(basename "$t")" "$t"
done
unset ASAN_OPTIONS UBSAN_OPTIONS

run_suite "ground-truth" tests/ground-truth.sh build/nginx/objs/nginx

for t in tests/integration/*.sh; do
	[ -f "$t" ] && run_suite "integration/$(basename "$t" .sh)" bash "$t"
done
# The live screen, batch mode and XML loading once more, on the ASan+UBSan
# build: memory bugs that only the real run reaches (a restart, a crash).
for t in tui batch xml; do
	run_suite "integration-asan/$t" tests/asan-e2e.sh "tests/integration/$t.sh"
done

echo
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "failed suites: ${failed_suites[*]}"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
