#!/usr/bin/env bash
# Master and workers, reloads and attach, on the target module alone
# (build/drivers/target_driver) with the real fixture nginx under real
# valgrind: a master and 2 workers with gdbservers that answer vgdb, a
# reload that brings 2 new workers (generation 1) while the old ones exit,
# a reload of a broken config that reports nginx's [emerg] line while the
# old workers serve on, a worker's crash named with its signal, attach
# (and let go) of a running master, reloads refused in single mode, and
# a stop that leaves no process behind. PROCS_MEASURE=1 also times spawn
# -> READY with 1, 2 and 4 workers.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb curl timeout
DRV=${DRV:-$lt_repo/build/drivers/target_driver}
VG=$(command -v valgrind)
[ -x "$DRV" ] || { lt_not_ok "no $DRV (make unit)"; lt_finish; exit 1; }

# drv_start NAME ARGS...: a driver in the background; its lines in $lt_tmp/NAME.out
drv_start() {
	local name=$1; shift
	mkfifo "$lt_tmp/$name.in"
	"$DRV" "$@" <"$lt_tmp/$name.in" >"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err" &
	lt_pids+=($!)
	eval "${name}_pid=$!"
	exec {fd}>"$lt_tmp/$name.in"
	eval "${name}_fd=$fd"
}
drv_say() { local fd="${1}_fd"; echo "$2" >&"${!fd}"; }
# wait_line NAME REGEX [SECONDS]: the first line matching REGEX (after the
# line number in ${NAME}_seen), printed; bounded.
wait_line() {
	local f=$lt_tmp/$1.out i line
	for i in $(seq $((${3:-120} * 20))); do
		line=$(grep -E -m1 -- "$2" "$f" 2>/dev/null) && { echo "$line"; return 0; }
		sleep 0.05
	done
	echo "# timed out waiting for /$2/ in $1:" >&2
	sed 's/^/#   /' "$f" >&2
	return 1
}
# wait_count NAME REGEX N: until N lines match (bounded)
wait_count() {
	for _ in $(seq 600); do
		[ "$(grep -cE -- "$2" "$lt_tmp/$1.out")" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}
all_in() { local f=$1 p; shift; for p; do grep -qF -- "$p" "$f" || return 1; done; }
seen() { wait_line "$@" >/dev/null; }
field() { cut -d' ' -f"$1"; }
answers() {	# answers PREFIX PID: leak_check summary through vgdb
	timeout 60 vgdb --vgdb-prefix="$1" --pid="$2" leak_check summary 2>&1 | grep -q "LEAK SUMMARY"
}
gone() { for _ in $(seq 400); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }

# ---- a master and 2 workers ----
drv_start m "$NGINX" "$VG" 2
start=$(wait_line m '^STARTED') || { lt_not_ok "driver started"; lt_finish; exit 1; }
prefix=$(echo "$start" | field 2)
url=$(echo "$start" | field 3)
conf=$(echo "$start" | field 4)
ready=$(wait_line m '^READY') && lt_ok "READY with 2 workers after $(echo "$ready" | field 2) ms"
master=$(wait_line m '^NEW [0-9]+ master 0' | field 2)
mapfile -t w0 < <(grep -E '^NEW [0-9]+ worker 0' "$lt_tmp/m.out" | field 2)
lt_check "the master and 2 workers got their gdbservers before READY" \
	test -n "$master" -a "${#w0[@]}" -eq 2
lt_check "NEW for the master came first" \
	test "$(grep -m1 '^NEW' "$lt_tmp/m.out" | field 3)" = master
for w in "${w0[@]}"; do
	lt_check "vgdb leak_check answers on worker $w" answers "$prefix" "$w"
done
lt_check "the generated config listens with reuseport, 2 workers, user root" \
	all_in "$conf" 'worker_processes 2;' 'reuseport;' 'user root;'
lt_check "nginx answers HTTP" curl -s -o /dev/null "$url/"

lines=$("$DRV" --list "$prefix")
lt_check "the listing shows the master, then its workers indented" \
	grep -qE "^LIST $master  .*valgrind.*nginx" <<<"$lines"
lt_check "the listing names each worker's master" \
	test "$(grep -cE "^LIST   [0-9]+  worker of $master  " <<<"$lines")" -eq 2

# ---- attach to that master, then let go ----
drv_start a --attach "$master" "$prefix"
wait_line a '^READY' >/dev/null
lt_check "attach: the master and its 2 workers found" \
	wait_count a '^NEW [0-9]+ (master|worker)' 3
drv_say a stop
wait_line a '^STATE exited' >/dev/null
lt_check "attach: stop lets go, the master runs on" kill -0 "$master"
lt_check "attach: the workers run on" kill -0 "${w0[0]}"
drv_start bad --attach "$$" "$prefix"
lt_check "attach: a pid without a gdbserver is refused, naming the prefix and valgrind --vgdb=yes" \
	seen bad "^ERR .*$prefix.*valgrind --vgdb=yes" 10

# ---- a reload: 2 new workers, the old ones exit ----
drv_say m reload
rl=$(wait_line m '^RELOAD') || true
lt_check "the reload succeeded ($rl)" test "$(echo "$rl" | field 2)" = ok
mapfile -t w1 < <(grep -E '^NEW [0-9]+ worker 1' "$lt_tmp/m.out" | field 2)
lt_check "2 new workers of generation 1" test "${#w1[@]}" -eq 2
for w in "${w0[@]}"; do
	lt_check "old worker $w exited" seen m "^EXIT $w worker" 60
done
for w in "${w1[@]}"; do
	lt_check "vgdb leak_check answers on new worker $w" answers "$prefix" "$w"
done

# ---- a reload with a config error on disk ----
cp "$conf" "$lt_tmp/conf.good"
echo "bogus_directive_of_procs_sh on;" >>"$conf"
drv_say m reload
rl=$(wait_line m '^RELOAD fail') || true
lt_check "the failed reload reports nginx's [emerg] line" \
	grep -q '\[emerg\].*bogus_directive_of_procs_sh' <<<"$rl"
cp "$lt_tmp/conf.good" "$conf"
for w in "${w1[@]}"; do
	lt_check "worker $w of the old cycle still answers vgdb" answers "$prefix" "$w"
done
lt_check "no worker of generation 2" bash -c "! grep -qE '^NEW [0-9]+ worker 2' '$lt_tmp/m.out'"

# ---- a worker's crash, named with its signal ----
kill -SEGV "${w1[0]}"
lt_check "the crashed worker's exit names SIGSEGV" \
	seen m "^EXIT ${w1[0]} worker killed by signal 11" 60

# ---- stop: nothing left ----
drv_say m procs
wait_line m '^END' >/dev/null
mapfile -t all < <(grep -E '^NEW ' "$lt_tmp/m.out" | field 2)
drv_say m stop
lt_check "the master's exit is reported" seen m "^EXIT $master master" 120
wait_line m '^STATE exited' >/dev/null
left=""
for p in "${all[@]}"; do gone "$p" || left="$left $p"; done
lt_check "stop left no process behind (${#all[@]} seen)" test -z "$left"
lt_check "the driver ended" gone "$m_pid"

# ---- the master killed: its orphaned worker goes too ----
drv_start k "$NGINX" "$VG" 1
seen k '^READY'
kmaster=$(wait_line k '^NEW [0-9]+ master' | field 2)
kworker=$(wait_line k '^NEW [0-9]+ worker' | field 2)
kill -KILL "$kmaster"
seen k '^STATE exited'
lt_check "after SIGKILL of the master its worker is gone" gone "$kworker"
lt_check "and its exit was reported" seen k "^EXIT $kworker worker" 10

# ---- a user config with master_process on and 2 worker_processes ----
uport=$(lt_fixture_conf "$lt_tmp/u")
sed -i 's/worker_processes  1;/worker_processes 2;\nmaster_process on;/' "$lt_tmp/u/nginx.conf"
drv_start u "$NGINX" "$VG" 0 "$lt_tmp/u/nginx.conf"
seen u '^READY'
lt_check "user config, master_process on: the master and its 2 workers" \
	wait_count u '^NEW [0-9]+ (master|worker) 0' 3
lt_check "user config: nginx answers on its own port" curl -s -o /dev/null "http://127.0.0.1:$uport/"
drv_say u stop
seen u '^STATE exited'
lt_check "user config: its stop ends cleanly" seen u '^STATE exited nginx stopped \(exited with status 0\)' 5

# ---- ngx-leaktop killed: the next run kills its orphaned worker ----
drv_start o "$NGINX" "$VG" 1
seen o '^READY'
oworker=$(wait_line o '^NEW [0-9]+ worker' | field 2)
kill -KILL "$o_pid"; wait "$o_pid" 2>/dev/null
lt_check "(a SIGKILLed owner leaves its worker orphaned)" kill -0 "$oworker"

# ---- single mode: reloads refused with the reason ----
drv_start s "$NGINX" "$VG" 0
lt_check "the next start killed the orphaned worker of the killed run" gone "$oworker"
wait_line s '^READY' >/dev/null
lt_check "single mode: one process, role single" seen s '^NEW [0-9]+ single 0' 5
drv_say s reload
lt_check "single mode: a reload is refused, saying why" \
	seen s '^ERR reloads need nginx.s master process' 10
drv_say s stop
wait_line s '^STATE exited' >/dev/null

if [ "${PROCS_MEASURE:-0}" = 1 ]; then
	for n in 1 2 4; do
		drv_start "t$n" "$NGINX" "$VG" "$n"
		echo "# spawn -> READY with $n workers: $(wait_line "t$n" '^READY' | field 2) ms"
		drv_say "t$n" reload
		echo "# SIGHUP -> reload done with $n workers: $(wait_line "t$n" '^RELOAD' | field 3) ms"
		drv_say "t$n" stop
		wait_line "t$n" '^STATE exited' >/dev/null
	done
fi
lt_finish
