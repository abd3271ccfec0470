#!/usr/bin/env bash
# --attach (issue 15): an nginx someone else started under valgrind
# --vgdb=yes, with a master and 2 workers, the traffic sent by someone else
# (curl here). ngx-leaktop --attach finds it (no PID: the only one under the
# prefix), checks the master and the workers every --every seconds, reports
# as usual, and leaves it running: it never stops what it did not start.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep timeout curl

export TMPDIR=$lt_tmp/tmp
mkdir -p "$TMPDIR"
show() { sed 's/^/#   /' "$1" | tail -n 12; }
ngx=$lt_tmp/ngx
port=$(lt_fixture_conf "$ngx")
sed -i -E 's/^worker_processes .*/worker_processes 2;/' "$ngx/nginx.conf"
prefix=$lt_tmp/vg/vgdb
mkdir -p "$lt_tmp/vg"
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
# someone else's nginx: their valgrind, their prefix, their config
valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$prefix" --trace-children=yes \
	--num-callers=30 --log-file="$lt_tmp/vg.%p.log" "$NGINX" -p "$ngx/" -c "$ngx/nginx.conf" \
	-g "daemon off; master_process on; $user" >"$lt_tmp/nginx.out" 2>&1 &
vgpid=$!
lt_pids+=("$vgpid")
up=0
for _ in $(seq 1200); do
	[ "$(ls "$lt_tmp/vg" | grep -c 'from-vgdb-to')" -ge 3 ] &&
		curl -sf "http://127.0.0.1:$port/clean" >/dev/null 2>&1 && { up=1; break; }
	sleep 0.1
done
lt_check "their nginx runs under valgrind with a master and 2 workers" [ "$up" -eq 1 ]

# their traffic: /leak/alloc in a loop while we check
( while kill -0 "$vgpid" 2>/dev/null; do
	curl -s "http://127.0.0.1:$port/leak/alloc" >/dev/null 2>&1; done ) &
lt_pids+=("$!")

timeout -s KILL 300 "$LT" --attach --vgdb-prefix "$prefix" --batch --no-session --rounds 3 \
	--every 3 --json "$lt_tmp/a.json" >"$lt_tmp/a.out" 2>"$lt_tmp/a.err"
rc=$?
lt_check "attach: exit 1, the leak found (got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/a.err"
lt_check "attach: found the one nginx under the prefix, named it" \
	grep -q "attaching to $vgpid" "$lt_tmp/a.err" || show "$lt_tmp/a.err"
lt_check "attach: 1 baseline + 3 checks of the master and both workers" \
	jqt '(.rounds | length) == 4 and ([.processes[] | .role] | sort) == ["master","worker","worker"]
		and all(.processes[]; .last_round == 3)' "$lt_tmp/a.json" || jq -c .processes "$lt_tmp/a.json"
line=$(lt_leak_line leak_alloc)
lt_check "attach: the leak at ngx_http_leaky_module.c:$line, growing" \
	jqt --argjson l "$line" '[.sites[] | select(.line == $l and .growth == "growing")] | length >= 1' \
	"$lt_tmp/a.json"
lt_check "attach: their nginx still runs after ngx-leaktop is gone" kill -0 "$vgpid"
lt_check "attach: its master still answers" curl -sf "http://127.0.0.1:$port/clean" -o /dev/null

# a PID that is not under valgrind: one clear line, exit 2
"$LT" --attach $$ --vgdb-prefix "$prefix" --batch --rounds 1 >"$lt_tmp/b.out" 2>"$lt_tmp/b.err"
rc=$?
lt_check "attach to a process without a gdbserver: exit 2 and one line naming the prefix" \
	eval '[ "$rc" -eq 2 ] && [ "$(wc -l <"$lt_tmp/b.err")" -ge 1 ] && grep -q "$prefix" "$lt_tmp/b.err"' ||
	show "$lt_tmp/b.err"
kill -QUIT "$vgpid" 2>/dev/null
lt_check "their nginx stopped by its owner, not by us" lt_wait_gone "vgdb-prefix=$prefix" 60
lt_check "our private dirs are gone" lt_empty_dir "$TMPDIR"
lt_finish
