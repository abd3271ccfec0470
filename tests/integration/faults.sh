#!/usr/bin/env bash
# The fault matrix of the batch engine against the real fixture nginx: each
# case ends with a clear message, exit 2, the data gathered so far written
# (--json), and no process or private dir left. Every run is bounded by
# `timeout`, so a hang is a failure, never a stuck test.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep timeout setpriv cc

ngx=$lt_tmp/ngx
lt_fixture_conf "$ngx" >/dev/null
conf=$ngx/nginx.conf
n=0

# Wait (bounded) until file $1 contains $2.
wait_for() {
	for _ in $(seq 2400); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	echo "# timed out waiting for '$2' in $1"
	return 1
}
# until_ok COMMAND...: wait (bounded) until COMMAND succeeds
until_ok() {
	for _ in $(seq 2400); do "$@" && return 0; sleep 0.05; done
	echo "# timed out waiting for: $*"
	return 1
}
# start_case NAME [--hold N] ARGS...: ngx-leaktop in the background with its
# own files, nginx on a port of its own. vgdb goes through the gate
# (tests/tools/vgdb-gate): with --hold N, check N (0 = the baseline) is held
# in flight until `release`, so a fault hits a known state.
start_case() {
	n=$((n + 1))
	case_dir=$lt_tmp/case$n
	gate=$case_dir/gate
	mkdir -p "$case_dir/tmp" "$gate"
	command -v vgdb >"$gate/vgdb"
	case_name=$1; shift
	if [ "${1:-}" = --hold ]; then echo "$2" >"$gate/at"; shift 2; fi
	lt_new_port "$conf"
	LT_GATE=$gate TMPDIR=$case_dir/tmp timeout -s KILL 180 "$LT" --batch -c "$conf" \
		--json "$case_dir/r.json" --vgdb "$lt_repo/tests/tools/vgdb-gate" \
		"$@" "$NGINX" >"$case_dir/out" 2>"$case_dir/err" &
	bg=$!
	lt_pids+=("$bg")
}
# held: the check given to --hold is in flight, waiting at the gate
held() { until_ok test -s "$gate/held"; }
release() { : >"$gate/go"; }
# valgrind is the direct child of ngx-leaktop (under timeout)
valgrind_pid() {
	local lt
	lt=$(pgrep -P "$bg" -f ngx-leaktop | head -n 1)
	pgrep -P "${lt:-$bg}" -f valgrind | head -n 1
}
nothing_left() { lt_nothing_left "$1" "$1/tmp"; }
# end_case PATTERN ROUNDS: exit 2, stderr matches, the JSON keeps exactly
# ROUNDS rounds (the baseline counts) and why it ended, nothing left
end_case() {
	local pat=$1 want=$2 rc got
	wait "$bg"; rc=$?
	lt_check "$case_name: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	lt_check "$case_name: says '$pat'" grep -q -- "$pat" "$case_dir/err"
	got=$(jq '.rounds | length' "$case_dir/r.json" 2>/dev/null)
	lt_check "$case_name: JSON keeps the $want rounds done (got ${got:-none}) and why it ended" \
		jqt --argjson n "$want" '(.rounds | length) == $n and (.end | length) > 0' "$case_dir/r.json"
	lt_check "$case_name: no process left, private dir removed" nothing_left "$case_dir"
	[ "$rc" -eq 2 ] || sed 's/^/# /' "$case_dir/err" | tail -n 5
}

# Round 3's check held in flight: the baseline and rounds 1-2 are done, the
# check that fails is round 3's.
start_case "valgrind killed by SIGKILL" --hold 3 -u /leak/alloc -n 50 --rounds 100000
held && kill -KILL "$(valgrind_pid)"
release
end_case "SIGKILL" 3

start_case "target stopped (SIGSTOP), vgdb hangs" --hold 3 -u /leak/alloc -n 50 --rounds 100000 \
	--check-timeout 3
held && kill -STOP "$(valgrind_pid)"
release
end_case "no answer within the timeout" 3

# A second vgdb holds the lock, as a debugger attached through vgdb does:
# tests/tools/holdlock takes vgdb's fcntl lock on the shared memory file
# while round 3's vgdb waits at the gate; it then finds the lock taken.
cc -o "$lt_tmp/holdlock" "$lt_repo/tests/tools/holdlock.c"
start_case "second vgdb holds the lock" --hold 3 -u /leak/alloc -n 50 --rounds 100000
if held; then
	vp=$(valgrind_pid)
	shm=$(ls "$case_dir"/tmp/*/vgdb-shared-mem-vgdb-"$vp"-* | head -n 1)
	"$lt_tmp/holdlock" "$shm" >"$case_dir/lock" &
	lt_pids+=($!)
	disown $!
	wait_for "$case_dir/lock" locked
fi
release
end_case "Cannot acquire lock" 3

# sig_group SIG: SIG to each process of the run's group, as a ^C at the
# terminal sends it, but to timeout(1) itself: it would pass SIG on once more
# (a second signal stops at once, by design).
sig_group() { kill -"$1" $(pgrep -g "$bg" | grep -vx "$bg") 2>/dev/null; }
# nginx's listening port on our side of established connections: the burst runs
burst_on() { [ -n "$(ss -Htn state established "sport = :$port" 2>/dev/null)" ]; }
for sig in INT TERM; do
	# The baseline line is printed as the burst starts (one step of the
	# engine); once connections are up the signal hits the burst: the
	# baseline alone is kept.
	start_case "SIG$sig during a burst" -u /leak/alloc -n 1000000 --rounds 2
	wait_for "$case_dir/err" "baseline check" && until_ok burst_on && sig_group "$sig"
	end_case "SIG$sig: stopping" 1
	# 1 request + 1 check per round: nearly all the time is spent checking.
	# The signal comes while round 4's check is in flight, to the whole
	# process group as a ^C sends it; a stop lets that check end: the
	# baseline + 4 rounds.
	start_case "SIG$sig during checks" --hold 4 -u /leak/alloc -n 1 --rounds 100000
	held && sig_group "$sig" && wait_for "$case_dir/err" "SIG$sig: stopping"
	release
	end_case "SIG$sig: stopping" 5
	lt_check "$case_name: the check in flight ended, not cut" \
		bash -c "! grep -qE 'did not end within|leak check failed|second SIG' '$case_dir/err'"
done

# ngx-leaktop itself killed while round 4's check is in flight: valgrind
# dies with it (PDEATHSIG), the baseline and rounds 1-3 are in the session
# file, the next run removes the dir.
start_case "ngx-leaktop killed by SIGKILL" --hold 4 -u /leak/alloc -n 50 --rounds 100000 \
	--session "$lt_tmp/kill.jsonl"
if held; then
	lt=$(pgrep -P "$bg" -f ngx-leaktop | head -n 1)
	kill -KILL "${lt:-$bg}"
fi
release
wait "$bg" 2>/dev/null
lt_wait_gone "valgrind.*$case_dir"
lt_check "$case_name: valgrind and nginx died with it" lt_no_leftovers "$case_dir/"
"$LT" --load "$lt_tmp/kill.jsonl" --batch --json "$lt_tmp/kill.json" >/dev/null 2>&1
lt_check "$case_name: the session file holds the baseline + 3 completed checks" \
	jqt '(.rounds | length) == 4' "$lt_tmp/kill.json"
lt_check "$case_name: --load of it names the leak as growing" \
	jqt '[.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .growth == "growing")] | length > 0' "$lt_tmp/kill.json"
lt_new_port "$conf"
TMPDIR=$case_dir/tmp timeout 120 "$LT" --batch -c "$conf" -u / -n 10 --rounds 1 --no-session "$NGINX" >/dev/null 2>&1
lt_check "$case_name: the next run removed the dead run's private dir" nothing_left "$case_dir"

# The report cannot be written: the table still reaches stdout, exit 2.
lt_new_port "$conf"
timeout -s KILL 120 "$LT" --batch -c "$conf" -u /leak/alloc -n 40 --rounds 2 --json /dev/full "$NGINX" \
	>"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "report to /dev/full: exit 2 (got $rc)" [ "$rc" -eq 2 ]
lt_check "report to /dev/full: says No space left" grep -q "No space left on device" "$lt_tmp/err"
lt_check "report to /dev/full: the table still printed" grep -q "ngx_http_leaky_leak_alloc" "$lt_tmp/out"
# A report path that cannot take a file is known before the rounds: one
# line, exit 2, nothing started.
report_refused() {	# report_refused NAME PATTERN PATH
	timeout -s KILL 60 "$LT" --batch -c "$conf" -u /leak/alloc -n 40 --rounds 1 --json "$3" \
		"$NGINX" >/dev/null 2>"$lt_tmp/err"
	local rc=$?
	lt_check "$1: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	lt_check "$1: one line naming the path and '$2'" \
		bash -c "grep -qF -- '$3' '$lt_tmp/err' && grep -q -- '$2' '$lt_tmp/err' &&
			[ \$(wc -l <'$lt_tmp/err') -eq 1 ]"
	[ "$(wc -l <"$lt_tmp/err")" -eq 1 ] || sed 's/^/# /' "$lt_tmp/err"
}
report_refused "report into a missing directory" "No such file or directory" "$lt_tmp/no/such/dir/r.json"
report_refused "report path is a directory" "is a directory" "$lt_tmp"

# --- no permission: run as an unprivileged user (root passes every mode bit) ------
# nobody gets a dir of its own with copies of the binaries and the static
# tree (the checkout may sit where nobody cannot reach), the config,
# nginx's logs, TMPDIR and XDG_STATE_HOME.
as_user=()
nb=$lt_tmp/nobody
if [ "$(id -u)" -eq 0 ]; then
	as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	chmod 711 "$lt_tmp"
fi
lt_fixture_conf "$nb/ngx" >/dev/null
mkdir -p "$nb/tmp" "$nb/state" "$nb/out" "$nb/ro"
cp "$LT" "$nb/ngx-leaktop"
cp "$NGINX" "$nb/nginx"
cp -r "$lt_repo/tests/fixture/html" "$nb/html"
sed -i "s|$lt_repo/tests/fixture/html|$nb/html|" "$nb/ngx/nginx.conf"
[ "$(id -u)" -eq 0 ] && chown -R nobody:nogroup "$nb" && chown root:root "$nb/ro"
[ "$(id -u)" -eq 0 ] || chmod 555 "$nb/ro"
as_nobody() {
	"${as_user[@]}" env TMPDIR="$nb/tmp" XDG_STATE_HOME="$nb/state" timeout -s KILL 180 \
		"$nb/ngx-leaktop" --batch -c "$nb/ngx/nginx.conf" -u /leak/alloc "$@" "$nb/nginx"
}
lt_check "the unprivileged user can run ngx-leaktop and write its dirs" \
	"${as_user[@]}" bash -c "'$nb/ngx-leaktop' --version >/dev/null && [ -w '$nb/tmp' ] && [ ! -w '$nb/ro' ]"
as_nobody -n 40 --rounds 1 --json "$nb/ro/r.json" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "report into a directory we may not write: exit 2 before any round (got $rc)" \
	bash -c "[ $rc -eq 2 ] && ! grep -q 'starting' '$lt_tmp/err'"
lt_check "... says the path, Permission denied, and what to do" \
	grep -q "$nb/ro/r.json: directory $nb/ro: Permission denied: pass a --json path" "$lt_tmp/err"
# The directory is taken away during the run: the rounds are not lost.
lt_new_port "$nb/ngx/nginx.conf"
as_nobody -n 200 --rounds 5 --json "$nb/out/r.json" >"$lt_tmp/out" 2>"$lt_tmp/err" &
bg=$!
lt_pids+=("$bg")
if wait_for "$lt_tmp/err" "round 2/"; then
	if [ "$(id -u)" -eq 0 ]; then chown root:root "$nb/out"; else chmod 555 "$nb/out"; fi
fi
wait "$bg"
rc=$?
session=$(sed -n 's/^ngx-leaktop: session file //p' "$lt_tmp/err")
lt_check "report refused at the end (EACCES): exit 2 (got $rc)" [ "$rc" -eq 2 ]
lt_check "... one line: the path, Permission denied, the session file and how to get the report" \
	grep -q "JSON report next to $nb/out/r.json: Permission denied; the 6 checks are in the session file $session: ngx-leaktop --load $session --batch --json FILE" "$lt_tmp/err"
[ "$rc" -eq 2 ] || tail -n 3 "$lt_tmp/err" | sed 's/^/# /'
lt_check "... the table still printed" grep -q "ngx_http_leaky_leak_alloc .*growing" "$lt_tmp/out"
"$LT" --load "$session" --batch --json "$lt_tmp/again.json" >/dev/null 2>&1
lt_check "... the session file gives the report: 6 rounds, the leak growing" \
	jqt '(.rounds | length) == 6 and ([.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and
		.growth == "growing")] | length > 0)' "$lt_tmp/again.json"
lt_check "... nothing left running, private dir removed" nothing_left "$nb"
# No place for the session file: said before anything starts.
"${as_user[@]}" env XDG_STATE_HOME="$nb/ro" "$nb/ngx-leaktop" --batch -c "$nb/ngx/nginx.conf" \
	"$nb/nginx" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "XDG_STATE_HOME not writable: exit 2 (got $rc), says so and what to pass" \
	bash -c "[ $rc -eq 2 ] && grep -q '$nb/ro/ngx-leaktop/sessions for the session file: Permission denied (pass --session FILE or --no-session)' '$lt_tmp/err'"
env -u HOME -u XDG_STATE_HOME "$LT" --batch -c "$conf" "$NGINX" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "HOME and XDG_STATE_HOME unset: exit 2 (got $rc), one line naming both" \
	bash -c "[ $rc -eq 2 ] && grep -q 'set HOME or XDG_STATE_HOME, or pass --session FILE or --no-session' '$lt_tmp/err'"
lt_new_port "$conf"
env -u HOME -u XDG_STATE_HOME "$LT" --batch -c "$conf" --no-session -u /clean -n 20 --rounds 1 \
	--fail-on none "$NGINX" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "HOME unset with --no-session: runs its round (exit 0, got $rc)" \
	bash -c "[ $rc -eq 0 ] && grep -q 'round 1/1' '$lt_tmp/err'"
[ $rc -eq 0 ] || tail -n 3 "$lt_tmp/err" | sed 's/^/# /'

# The table into a pipe nobody reads any more (| head -1 gone, here | true):
# no death by SIGPIPE (141), the verdict's status stands, the session file is whole.
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /leak/alloc -n 40 --rounds 2 --session "$lt_tmp/pipe.jsonl" "$NGINX" \
	2>"$lt_tmp/err" | true
rc=${PIPESTATUS[0]}
lt_check "table to a closed pipe: exit 1 for the leak, not killed by SIGPIPE (got $rc)" [ "$rc" -eq 1 ]
"$LT" --load "$lt_tmp/pipe.jsonl" --batch --json "$lt_tmp/pipe.json" >/dev/null 2>&1
lt_check "table to a closed pipe: the session file holds the 3 checks" \
	jqt '(.rounds | length) == 3' "$lt_tmp/pipe.json"

# --json - into a pipe closed early: no SIGPIPE death, exit 2, data pointed at.
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /leak/alloc -n 40 --rounds 2 --json - "$NGINX" 2>"$lt_tmp/err" |
	head -c 1 >/dev/null
rc=${PIPESTATUS[0]}
lt_check "--json - to a closed pipe: exit 2 (got $rc), Broken pipe, the session file named" \
	bash -c "[ $rc -eq 2 ] && grep -q 'standard output: Broken pipe; the 3 checks are in the session file' '$lt_tmp/err'"

# An "nginx" that exits 0 at once (a shell script that passes the -V check),
# with an [emerg] of an earlier run in the error log: the message must not
# blame that old line.
cat >"$lt_tmp/exit0" <<'EOS'
#!/bin/sh
if [ "$1" = -V ]; then
	echo "nginx version: nginx/1.22.1" >&2
	echo "configure arguments: --with-debug --with-cc-opt='-O0 -g -DNGX_DEBUG_PALLOC=1'" >&2
fi
exit 0
EOS
chmod +x "$lt_tmp/exit0"
echo "2020/01/01 00:00:00 [emerg] 1#0: STALE line of an earlier run" >>"$ngx/logs/error.log"
timeout -s KILL 120 "$LT" --batch -c "$conf" -n 5 --rounds 1 "$lt_tmp/exit0" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "nginx exits 0 at start: exit 2 (got $rc), 'exited with status 0 during start-up'" \
	bash -c "[ $rc -eq 2 ] && grep -q 'nginx exited with status 0 during start-up' '$lt_tmp/err'"
lt_check "... not blamed on an earlier run's log line" bash -c "! grep -q STALE '$lt_tmp/err'"
grep STALE "$lt_tmp/err" | sed 's/^/# /'

# An "nginx" that never gets ready: the message says so (not "killed by
# SIGQUIT", the signal ngx-leaktop sent it), the run ends, nothing is left.
cat >"$lt_tmp/hang" <<'EOS'
#!/bin/sh
if [ "$1" = -V ]; then exec "$(dirname "$0")/exit0" -V; fi
exec sleep 100
EOS
chmod +x "$lt_tmp/hang"
NGINX=$lt_tmp/hang start_case "nginx never ready" -n 5 --rounds 1 --start-timeout 2
end_case "nginx did not become ready within 2 s (no pid file at" 0
lt_check "$case_name: not blamed on the SIGQUIT that stopped it" bash -c "! grep -q SIGQUIT '$case_dir/err'"
# A bad --valgrind-opt: valgrind's own complaint, not its "Use --help".
start_case "valgrind refuses an option" -n 5 --rounds 1 --valgrind-opt=--frobnicate=yes
end_case "during start-up: valgrind: Unknown option: --frobnicate=yes" 0

# -u on a port nothing listens on: the rounds would measure an idle nginx
# and pass. The first burst that reaches nothing ends the run.
start_case "no request reaches nginx" -u "http://127.0.0.1:$(lt_free_port)/" -n 20 --rounds 5
end_case "no request of round 1 reached nginx (.*Couldn.t connect to server): check the -u URLs" 2
# A config whose server has no address to send load to (a unix socket)
sed "s|listen .*;|listen unix:$ngx/ngx.sock;|" "$conf" >"$ngx/unix.conf"
conf=$ngx/unix.conf start_case "config listens on a unix socket" -n 20 --rounds 2
end_case "cannot tell nginx's address from the config for URL /: give a full URL" 0
# every request answered 404: nginx ran them, so it is said, not fatal
lt_new_port "$conf"
timeout -s KILL 120 "$LT" --batch -c "$conf" -u /no/such/location -n 20 --rounds 1 --fail-on none \
	"$NGINX" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "every request 404: exit 0 (got $rc), a warning to check -u" \
	bash -c "[ $rc -eq 0 ] && grep -q 'warning: every request of round 1 got an error status (20 4xx, 0 5xx): check the -u URLs' '$lt_tmp/err'"

# Open files: a low soft limit is raised (nginx inherits it); a low hard
# limit is said before the rounds, not left to fail requests silently.
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1024 ]; then
	lt_new_port "$conf"
	# -C 48: well over the soft limit for both sides, and under the fixture's
	# worker_connections 64 (its listening socket and a closing connection
	# take slots too: -C 64 lost a request now and then under load)
	(ulimit -Sn 40; exec "$LT" --batch -c "$conf" -u /clean -C 48 -n 400 --rounds 1 \
		--json "$lt_tmp/fd.json" "$NGINX") >/dev/null 2>"$lt_tmp/err"
	lt_check "ulimit -Sn 40, -C 48: the soft limit raised, no request failed" \
		jqt '[.rounds[].failed] | add == 0' "$lt_tmp/fd.json"
fi
lt_new_port "$conf"
(ulimit -n 40; exec "$LT" --batch -c "$conf" -u /clean -C 64 -n 100 --rounds 1 "$NGINX") \
	>/dev/null 2>"$lt_tmp/err"
lt_check "ulimit -n 40, -C 64: a warning names the limit and what to do" \
	grep -q "warning: the open files limit is 40 (ulimit -n): concurrency 64 needs about" "$lt_tmp/err"

lt_check "no valgrind of ours left at the end" lt_no_leftovers "$lt_tmp/"

lt_finish
