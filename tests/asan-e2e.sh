#!/usr/bin/env bash
# asan-e2e.sh SCRIPT: an end-to-end test script run against the ASan+UBSan
# build of ngx-leaktop (build/ngx-leaktop-asan), the real nginx and
# valgrind behind it. The script's own assertions must hold, and no
# sanitizer may report anything: every report goes to a file of its own
# (log_path), so one from a process whose output the script throws away
# still counts. Prints the script's lines and a closing "N passed, M failed"
# that includes the sanitizer verdict.
set -uo pipefail
cd "$(dirname "$0")/.."
script=$1
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# ncurses keeps terminfo caches for the process's life: not our leaks
printf 'leak:libncursesw.so\nleak:libtinfo.so\n' >"$logs/lsan.supp"

export LT=$PWD/build/ngx-leaktop-asan
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:log_path=$logs/report
export LSAN_OPTIONS=suppressions=$logs/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/report
bash "$script" >"$logs/out" 2>&1
rc=$?
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$logs/out"
read -r p f < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/out" | tail -n 1 | awk '{print $1+0, $3+0}')
p=${p:-0}
f=${f:-0}
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
if ls "$logs"/report* >/dev/null 2>&1; then
	echo "not ok - $(basename "$script") under ASan+UBSan: sanitizer reports"
	head -n 40 "$logs"/report* | sed 's/^/#   /'
	f=$((f + 1))
else
	echo "ok - $(basename "$script") under ASan+UBSan: no sanitizer report"
	p=$((p + 1))
fi
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
