#!/usr/bin/env bash
# The fault matrix of the batch engine against the real fixture nginx: each
# case ends with a clear message, exit 2, the data gathered so far written
# (--json), and no process or private dir left. Every run is bounded by
# `timeout`, so a hang is a failure, never a stuck test.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ngx=$lt_tmp/ngx
lt_fixture_conf "$ngx" >/dev/null
conf=$ngx/nginx.conf
n=0

# Wait (bounded) until file $1 contains $2.
wait_for() {
	for _ in $(seq 600); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
# start_case NAME ARGS...: ngx-leaktop in the background with its own files
start_case() {
	n=$((n + 1))
	case_dir=$lt_tmp/case$n
	mkdir -p "$case_dir/tmp"
	case_name=$1; shift
	TMPDIR=$case_dir/tmp timeout -s KILL 180 "$LT" --batch -c "$conf" --json "$case_dir/r.json" \
		"$@" "$NGINX" >"$case_dir/out" 2>"$case_dir/err" &
	bg=$!
	lt_pids+=("$bg")
}
# valgrind is the direct child of ngx-leaktop (under timeout)
valgrind_pid() {
	local lt
	lt=$(pgrep -P "$bg" -f ngx-leaktop | head -n 1)
	pgrep -P "${lt:-$bg}" -f valgrind | head -n 1
}
nothing_left() {
	! pgrep -f "valgrind.*$1" >/dev/null && [ -z "$(ls -A "$1/tmp")" ]
}
# end_case PATTERN [ROUNDS]: exit 2, stderr matches, JSON kept >= ROUNDS rounds, nothing left
end_case() {
	local pat=$1 min=${2:-1} rc
	wait "$bg"; rc=$?
	lt_check "$case_name: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	lt_check "$case_name: says '$pat'" grep -q -- "$pat" "$case_dir/err"
	lt_check "$case_name: JSON keeps the rounds done ($min+) and why it ended" \
		jqt --argjson n "$min" '(.rounds | length) >= $n and (.end | length) > 0' "$case_dir/r.json"
	lt_check "$case_name: no process left, private dir removed" nothing_left "$case_dir"
	[ "$rc" -eq 2 ] || sed 's/^/# /' "$case_dir/err" | tail -n 5
}

start_case "valgrind killed by SIGKILL" -u /leak/alloc -n 50 --rounds 100000
wait_for "$case_dir/err" "round 2/" && kill -KILL "$(valgrind_pid)"
end_case "SIGKILL" 2

start_case "target stopped (SIGSTOP), vgdb hangs" -u /leak/alloc -n 50 --rounds 100000 --check-timeout 3
wait_for "$case_dir/err" "round 2/" && kill -STOP "$(valgrind_pid)"
end_case "no answer within the timeout" 2

# A second vgdb holds the lock, as a debugger attached through vgdb does:
# tests/tools/holdlock takes vgdb's fcntl lock on the shared memory file.
cc -o "$lt_tmp/holdlock" "$lt_repo/tests/tools/holdlock.c"
start_case "second vgdb holds the lock" -u /leak/alloc -n 50 --rounds 100000
if wait_for "$case_dir/err" "round 2/"; then
	vp=$(valgrind_pid)
	shm=$(ls "$case_dir"/tmp/*/vgdb-shared-mem-vgdb-"$vp"-* | head -n 1)
	"$lt_tmp/holdlock" "$shm" >"$case_dir/lock" &
	lt_pids+=($!)
	disown $!
fi
end_case "Cannot acquire lock" 2

for sig in INT TERM; do
	start_case "SIG$sig during a burst" -u /leak/alloc -n 1000000 --rounds 2
	wait_for "$case_dir/err" "baseline check" && sleep 0.5 && kill -"$sig" "$bg"
	end_case "SIG$sig: stopping" 1
	# 1 request + 1 check per round: nearly all the time is spent checking
	start_case "SIG$sig during checks" -u /leak/alloc -n 1 --rounds 100000
	wait_for "$case_dir/err" "round 3/" && kill -"$sig" "$bg"
	end_case "SIG$sig: stopping" 3
done

# ngx-leaktop itself killed: valgrind dies with it (PDEATHSIG), every
# completed check is in the session file, the next run removes the dir.
start_case "ngx-leaktop killed by SIGKILL" -u /leak/alloc -n 50 --rounds 100000 --session "$lt_tmp/kill.jsonl"
if wait_for "$case_dir/err" "round 3/"; then
	lt=$(pgrep -P "$bg" -f ngx-leaktop | head -n 1)
	kill -KILL "${lt:-$bg}"
fi
wait "$bg" 2>/dev/null
for _ in $(seq 100); do pgrep -f "valgrind.*$case_dir" >/dev/null || break; sleep 0.1; done
lt_check "$case_name: valgrind and nginx died with it" lt_no_leftovers "$case_dir/"
"$LT" --load "$lt_tmp/kill.jsonl" --batch --json "$lt_tmp/kill.json" >/dev/null 2>&1
lt_check "$case_name: the session file holds the baseline + 3 completed checks" \
	jqt '(.rounds | length) >= 4' "$lt_tmp/kill.json"
lt_check "$case_name: --load of it names the leak as growing" \
	jqt '[.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .growth == "growing")] | length > 0' "$lt_tmp/kill.json"
TMPDIR=$case_dir/tmp timeout 120 "$LT" --batch -c "$conf" -u / -n 10 --rounds 1 --no-session "$NGINX" >/dev/null 2>&1
lt_check "$case_name: the next run removed the dead run's private dir" nothing_left "$case_dir"

# The report cannot be written: the table still reaches stdout, exit 2.
timeout -s KILL 120 "$LT" --batch -c "$conf" -u /leak/alloc -n 40 --rounds 2 --json /dev/full "$NGINX" \
	>"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "report to /dev/full: exit 2 (got $rc)" [ "$rc" -eq 2 ]
lt_check "report to /dev/full: says No space left" grep -q "No space left on device" "$lt_tmp/err"
lt_check "report to /dev/full: the table still printed" grep -q "ngx_http_leaky_leak_alloc" "$lt_tmp/out"
timeout -s KILL 120 "$LT" --batch -c "$conf" -u /leak/alloc -n 40 --rounds 1 \
	--json "$lt_tmp/no/such/dir/r.json" "$NGINX" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "report into a missing directory: exit 2 with the path" \
	bash -c "[ $rc -eq 2 ] && grep -q 'no/such/dir' '$lt_tmp/err'"
lt_check "no valgrind of ours left at the end" lt_no_leftovers "$lt_tmp/"

lt_finish
