#!/usr/bin/env bash
# Faults with a master and workers (issue 15): a worker that crashes (the
# message names it and the signal; the master's new worker is checked from
# the next round on; the dead one's rounds are kept), the master killed, a
# storm of SIGHUPs sent behind ngx-leaktop's back, SIGTERM to ngx-leaktop
# while the workers run. Each ends with nothing left running and nothing
# lost from the session file. Every run is bounded by `timeout`.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep timeout curl

export TMPDIR=$lt_tmp/tmp
mkdir -p "$TMPDIR"
nothing_left() { lt_nothing_left "$NGINX" "$TMPDIR"; }
show() { sed 's/^/#   /' "$1" | tail -n 12; }
wait_for() {	# wait_for FILE PATTERN: bounded
	for _ in $(seq 3000); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	echo "# timed out waiting for '$2' in $1"
	return 1
}
dirs='location = /leak/alloc { leaky leak_alloc; } location = /crash { leaky crash; } location = /clean { leaky clean; }'
# start NAME ARGS...: ngx-leaktop --batch in the background, session file kept
start() {
	name=$1; shift
	timeout -s KILL 400 "$LT" --batch --workers 2 --session "$lt_tmp/$name.jsonl" \
		--json "$lt_tmp/$name.json" --directives "$dirs" "$@" "$NGINX" \
		>"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err" &
	bg=$!
	lt_pids+=("$bg")
}
master_pid() { jq -r 'select(.pid) | .pid' "$lt_tmp/$1.jsonl" 2>/dev/null | head -n 1; }
session_rounds() { grep -c '"round"' "$lt_tmp/$1.jsonl" 2>/dev/null || echo 0; }

# --- a worker crashes: one request to /crash is SIGSEGV in a worker ---
ngx=$lt_tmp/ngx
port=$(lt_fixture_conf "$ngx")
sed -i -E -e 's/^worker_processes .*/master_process on;\nworker_processes 2;/' \
	-e 's/^( *listen +127\.0\.0\.1:[0-9]+)/\1 reuseport/' "$ngx/nginx.conf"
name=crash
timeout -s KILL 400 "$LT" --batch --session "$lt_tmp/crash.jsonl" --json "$lt_tmp/crash.json" \
	-c "$ngx/nginx.conf" -C 8 -n 40 --rounds 4 -u /leak/alloc "$NGINX" \
	>"$lt_tmp/crash.out" 2>"$lt_tmp/crash.err" &
bg=$!
lt_pids+=("$bg")
wait_for "$lt_tmp/crash.err" "round 1/4"
curl -s -m 20 "http://127.0.0.1:$port/crash" -o /dev/null
wait "$bg"; rc=$?
lt_check "crash: the run goes on to its end (exit 1: the leak, got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/crash.err"
lt_check "crash: the message names the worker, the signal and where it died" \
	grep -qE 'worker [0-9]+ killed by signal 11 \(SIGSEGV\).*ngx_http_leaky_crash \(ngx_http_leaky_module.c:[0-9]+\)' \
	"$lt_tmp/crash.err" || show "$lt_tmp/crash.err"
lt_check "crash: the dead worker is in the JSON with how it ended, its rounds kept" \
	jqt '[.processes[] | select(.role == "worker" and (.end // "" | test("SIGSEGV")))] |
		length == 1 and .[0].first_round == 0 and .[0].last_round >= 1' "$lt_tmp/crash.json" ||
	jq -c .processes "$lt_tmp/crash.json"
lt_check "crash: the master's new worker was checked from the next round to the last" \
	jqt '([.processes[] | select(.role == "worker")] | length) == 3 and
		([.processes[] | select(.role == "worker" and (.end // "" | test("SIGSEGV") | not)) |
		.last_round] | all(. == 4))' "$lt_tmp/crash.json" || jq -c .processes "$lt_tmp/crash.json"
lt_check "crash: the leak is still found, growing" \
	jqt '[.sites[] | select(.growth == "growing" and .kind == "definitely_lost" and
		(.file // "" | endswith("ngx_http_leaky_module.c")))] | length >= 1' "$lt_tmp/crash.json"
lt_check "crash: the memcheck error of the crash, from the worker's own XML, is in the report" \
	jqt '[.errors[]? | select(tostring | test("ngx_http_leaky_crash"))] | length >= 1' "$lt_tmp/crash.json" ||
	jq -c '[.errors[]? | .kind]' "$lt_tmp/crash.json"
lt_check "crash: nothing left running" nothing_left

# --- SIGTERM to ngx-leaktop while the workers run ---
start term -C 8 -n 40 --rounds 1000 -u /leak/alloc
wait_for "$lt_tmp/term.err" "round 2/1000"
kill -TERM "$bg"
wait "$bg"; rc=$?
lt_check "SIGTERM: exit 2 (got $rc), the report written" \
	eval '[ "$rc" -eq 2 ] && jqt "(.rounds | length) >= 3" "$lt_tmp/term.json"'
lt_check "SIGTERM: the session file holds every completed round" \
	[ "$(session_rounds term)" -ge 3 ]
lt_check "SIGTERM: no master, no worker, no private dir left" nothing_left

# --- a second SIGTERM while the workers' checks are in flight: the run
# ends at once. The vgdb of a check is held (SIGSTOP) so the second
# signal surely finds it running, as a terminal's group signal can.
start term2 -C 8 -n 40 --rounds 1000 -u /leak/alloc
wait_for "$lt_tmp/term2.err" "round 2/1000"
lt=$(pgrep -P "$bg" | head -n 1)
held=0
for _ in $(seq 1000); do	# bounded: a check starts every round
	held=$(pkill -STOP -c -P "$lt" -x vgdb) && break
	sleep 0.01
done
kill -TERM "$lt"
wait_for "$lt_tmp/term2.err" "SIGTERM: stopping nginx"
kill -TERM "$lt"
wait "$bg"; rc=$?
lt_check "second SIGTERM, $held checks held: exit 2 (got $rc), said, the report written" \
	eval '[ "$held" -ge 1 ] && [ "$rc" -eq 2 ] && grep -q "second SIGTERM, stopping now" "$lt_tmp/term2.err" &&
		jqt "(.rounds | length) >= 3" "$lt_tmp/term2.json"' || show "$lt_tmp/term2.err"
lt_check "second SIGTERM: the session file holds every completed round" \
	[ "$(session_rounds term2)" -ge 3 ]
lt_check "second SIGTERM: no master, no worker, no vgdb, no private dir left" \
	eval 'nothing_left && ! pgrep -x vgdb -P "$lt" >/dev/null'

# --- the master killed ---
start kill -C 8 -n 40 --rounds 1000 -u /leak/alloc
wait_for "$lt_tmp/kill.err" "round 1/1000"
vg=$(pgrep -o -f "valgrind.*$NGINX.*$TMPDIR")	# the oldest: the master (pids wrap)
[ -n "$vg" ] && kill -KILL "$vg"
wait "$bg"; rc=$?
lt_check "master killed: exit 2 (got $rc), said" \
	eval '[ "$rc" -eq 2 ] && grep -qi "killed\|signal 9" "$lt_tmp/kill.err"'
lt_check "master killed: the rounds done are in the JSON and the session file" \
	eval 'jqt "(.rounds | length) >= 2" "$lt_tmp/kill.json" && [ "$(session_rounds kill)" -ge 2 ]'
lt_check "master killed: its workers do not outlive it" \
	lt_wait_gone "valgrind.*$TMPDIR" 20
lt_check "master killed: nothing left running" nothing_left

# --- a storm of SIGHUPs behind ngx-leaktop's back ---
start storm -C 8 -n 40 --rounds 6 -u /leak/alloc -u /clean
wait_for "$lt_tmp/storm.err" "round 1/6"
vg=$(pgrep -o -f "valgrind.*$NGINX.*$TMPDIR")	# the oldest: the master (pids wrap)
for _ in 1 2 3 4 5 6; do [ -n "$vg" ] && kill -HUP "$vg"; sleep 0.3; done
wait "$bg"; rc=$?
lt_check "HUP storm: the run ends normally (exit 1: the leak, got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/storm.err"
lt_check "HUP storm: every round is in (baseline + 6)" \
	jqt '(.rounds | length) == 7' "$lt_tmp/storm.json"
lt_check "HUP storm: the new workers were followed" \
	jqt '([.processes[] | select(.role == "worker")] | length) > 2' "$lt_tmp/storm.json"
lt_check "HUP storm: nothing left running" nothing_left
lt_finish
