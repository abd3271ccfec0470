#!/usr/bin/env bash
# End to end: ngx-leaktop --batch against the real fixture nginx under real
# valgrind. Asserts every leak class at its exact file:line with kind and
# verdict, the clean handler, --fail-on, and the bad-input matrix (each a
# clear message, exit 2, nothing left running).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq curl pgrep

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
# Every start that binds gets a port of its own first (lt_new_port).
leaky_urls=(-u /leak/alloc -u /leak/struct -u /leak/pool -u /leak/cycle -u /cache/a -u /cache/b
	-u /lazy -u /clean)

nothing_left() { lt_nothing_left "$ngx" "$TMPDIR"; }

# --- the leak classes -------------------------------------------------------
lt_new_port "$conf"
"$LT" --batch -c "$conf" "${leaky_urls[@]}" -n 160 --rounds 4 --json "$lt_tmp/r.json" --session "$lt_tmp/r.jsonl" "$NGINX" \
	>"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "leaky run exits 1 (growing sites, --fail-on growing)" [ "$rc" -eq 1 ]
lt_check "JSON report written and valid" jqt '.ngx_leaktop and .nginx.debug_palloc == true' "$lt_tmp/r.json"
lt_check "JSON has the baseline + 4 rounds" [ "$(jq '.rounds | length' "$lt_tmp/r.json")" -eq 5 ]
lt_check "rounds count the requests" [ "$(jq '[.rounds[].requests] | add' "$lt_tmp/r.json")" -eq 640 ]

# site KIND FUNCTION LINE -> the merged verdicts of every site at that line
# (the strongest, as the table groups them: a path seen only on a
# connection's first request stops growing while the connection is held)
site() {
	jq -r --arg k "$1" --arg f "$2" --argjson l "$3" \
		'[.sites[] | select(.kind == $k and .function == $f and .line == $l and
		  (.file | endswith("ngx_http_leaky_module.c"))) | .growth] |
		 if index("growing") then "growing" elif index("bounded") then "bounded"
		 else unique | join(",") end' \
		"$lt_tmp/r.json"
}
expect() {	# expect KIND MODE MARKER VERDICT
	local line fn got
	line=$(lt_leak_line "$3")
	fn=ngx_http_leaky_${2}
	got=$(site "$1" "$fn" "$line")
	if [ "$got" = "$4" ]; then
		lt_ok "$3: $1 at ngx_http_leaky_module.c:$line in $fn is $4"
	else
		lt_not_ok "$3: $1 at ngx_http_leaky_module.c:$line in $fn: want $4, got '${got}'"
	fi
}
expect definitely_lost leak_alloc leak_alloc growing
expect definitely_lost leak_struct leak_struct growing
expect indirectly_lost leak_struct leak_struct/member growing
expect definitely_lost leak_pool leak_pool growing
expect indirectly_lost leak_pool leak_pool/palloc growing
expect still_reachable leak_cycle leak_cycle growing
expect still_reachable cache cache bounded
expect still_reachable lazy lazy bounded

n=$(jq '[.sites[] | select(.function == "ngx_http_leaky_clean")] | length' "$lt_tmp/r.json")
lt_check "clean handler leaves no site at all" [ "$n" -eq 0 ]
n=$(jq '[.sites[] | select(.growth == "growing" and (.function | startswith("ngx_http_leaky_") | not))] | length' "$lt_tmp/r.json")
lt_check "no growing site outside the fixture's leaks (nginx core is clean)" [ "$n" -eq 0 ]
# each round's requests of /leak/alloc (URL 0) from the session file: the
# leak grew by exactly 100 bytes for each
reqs=$(jq -s '[.[] | select(.type == "round") | .url_requests[] | select(.[0] == 0) | .[1]] | add' \
	"$lt_tmp/r.jsonl")
grew=$(jq '[.sites[] | select(.function == "ngx_http_leaky_leak_alloc") | .bytes[-1] - .bytes[0]] | add' \
	"$lt_tmp/r.json")
lt_check "leak_alloc: 100 bytes per /leak/alloc request ($grew bytes after $reqs of them)" \
	[ "$grew" -eq $((reqs * 100)) ]
line=$(lt_leak_line leak_alloc)
lt_check "table names ngx_http_leaky_module.c:$line" grep -q "ngx_http_leaky_module.c:$line .*growing" "$lt_tmp/out"
lt_check "progress went to stderr" grep -q "round 4/4" "$lt_tmp/err"
lt_check "nothing left running, private dirs removed" nothing_left

# --- budgets: a growing site under them does not fail the run, and says so ----
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /leak/alloc -u /clean -n 80 --rounds 4 --max-bytes-per-request 1000 \
	--json "$lt_tmp/b.json" "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
lt_check "--max-bytes-per-request 1000: leak_alloc grows under it, exit 0" [ $? -eq 0 ]
lt_check "it says the growing site is under budget" \
	grep -q "ngx_http_leaky_module.c:$(lt_leak_line leak_alloc) grows .* B per request (budget 1000.0): under budget" "$lt_tmp/err"
lt_check "JSON: the gate, and the site's verdict 'under budget'" jqt \
	'.gate.max_bytes_per_request == 1000 and .gate.max_bytes_per_reload == null and
	 ([.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .growth == "growing") |
	   .verdict] | unique) == ["under budget"] and ([.sites[] | select(.verdict == "fail")] | length) == 0' \
	"$lt_tmp/b.json"
# the same rule over a recorded run: every leak under a big budget, none under a tiny one
"$LT" --load "$lt_tmp/r.jsonl" --batch --max-bytes-per-request 1000000 >/dev/null 2>"$lt_tmp/err"
lt_check "--load of the leaky run, budget above every leak: exit 0" [ $? -eq 0 ]
lt_check "... and each growing line is said to be under budget" \
	[ "$(grep -c 'under budget, it does not fail the run' "$lt_tmp/err")" -ge 5 ]
"$LT" --load "$lt_tmp/r.jsonl" --batch --max-bytes-per-request 0.5 >/dev/null 2>&1
lt_check "--load of the leaky run, budget 0.5 B per request: exit 1" [ $? -eq 1 ]
"$LT" --load "$lt_tmp/r.jsonl" --batch --max-bytes-per-reload 1000000 >/dev/null 2>&1
lt_check "a reload budget does not excuse growth per request: exit 1" [ $? -eq 1 ]

# --- clean handler, --fail-on ------------------------------------------------
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /clean -u / -n 200 --rounds 4 "$NGINX" >"$lt_tmp/out" 2>&1
lt_check "clean handler + static files: exit 0, no growing site" [ $? -eq 0 ]
lt_new_port "$conf"
"$LT" --batch -c "$conf" "${leaky_urls[@]}" -n 80 --rounds 2 --fail-on none "$NGINX" >/dev/null 2>&1
lt_check "--fail-on none: exit 0 despite leaks" [ $? -eq 0 ]
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /leak/cycle -n 80 --rounds 3 --fail-on definite "$NGINX" >/dev/null 2>&1
lt_check "--fail-on definite: a reachable-only leak exits 0" [ $? -eq 0 ]
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /leak/alloc -n 80 --rounds 2 --fail-on definite --json - "$NGINX" \
	>"$lt_tmp/stdout.json" 2>/dev/null
lt_check "--fail-on definite: a definite leak exits 1" [ $? -eq 1 ]
lt_check "--json - writes only JSON to stdout" jqt '.sites | length > 0' "$lt_tmp/stdout.json"
lt_check "nothing left running" nothing_left

# --- the embedded default config ----------------------------------------------
"$LT" --batch -n 100 --rounds 3 --json "$lt_tmp/e.json" "$NGINX" >/dev/null 2>"$lt_tmp/err"
lt_check "embedded config: static tree, exit 0" [ $? -eq 0 ]
lt_check "embedded config: requests answered 2xx" [ "$(jq '[.rounds[].failed] | add' "$lt_tmp/e.json")" -eq 0 ]

# a TMPDIR with a space, a quote, a ';', braces and valgrind's %-codes: paths
# in the generated config and in -g stay one word each, --xml-file stays itself
odd=$lt_tmp/'my dir "q;x{y}%p%q'
mkdir -p "$odd"
TMPDIR=$odd "$LT" --batch -n 20 --rounds 1 --fail-on none --json "$lt_tmp/odd.json" "$NGINX" \
	>/dev/null 2>"$lt_tmp/err"
lt_check "odd TMPDIR, generated config: runs, 20 requests answered" \
	jqt '([.rounds[].requests] | add) == 20 and ([.rounds[].failed] | add) == 0' "$lt_tmp/odd.json"
lt_new_port "$conf"
grep -v '^pid ' "$conf" >"$ngx/nopid.conf"
TMPDIR=$odd "$LT" --batch -c "$ngx/nopid.conf" -u /clean -u /bug/uninit -n 20 --rounds 1 \
	--fail-on none --json "$lt_tmp/odd2.json" "$NGINX" >/dev/null 2>"$lt_tmp/err"
lt_check "odd TMPDIR, a config without pid (ours given with -g): runs" \
	jqt '([.rounds[].requests] | add) == 20 and ([.rounds[].failed] | add) == 0' "$lt_tmp/odd2.json"
lt_check "odd TMPDIR: valgrind's XML followed (the uninit error is in)" \
	jqt '[.errors[] | select(.kind == "UninitCondition")] | length > 0' "$lt_tmp/odd2.json"
lt_check "odd TMPDIR: private dirs removed" lt_empty_dir "$odd"

# --- bad input: each a clear one-line message and exit 2 -----------------------
bad() {	# bad DESCRIPTION PATTERN ARGS...
	local what=$1 pat=$2; shift 2
	"$LT" "$@" >"$lt_tmp/out" 2>"$lt_tmp/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$pat" "$lt_tmp/err" && nothing_left; then
		lt_ok "$what: exit 2, says '$pat'"
	else
		lt_not_ok "$what: rc=$rc, stderr: $(tail -n 3 "$lt_tmp/err")"
	fi
}
bad "missing binary" "No such file" --batch /nonexistent/nginx
bad "budget not a number" "max-bytes-per-request 'lots': expected bytes" --batch \
	--max-bytes-per-request lots "$NGINX"
bad "negative budget" "max-bytes-per-reload '-1': expected bytes" --batch --max-bytes-per-reload -1 "$NGINX"
printf '#!/bin/sh\necho hello\n' >"$lt_tmp/notnginx"; chmod +x "$lt_tmp/notnginx"
bad "not nginx" "is not nginx" --batch "$lt_tmp/notnginx"
printf '#!/bin/sh\necho "nginx version: nginx/1.22.1" >&2\necho "configure arguments: --with-debug" >&2\n' >"$lt_tmp/plainnginx"
chmod +x "$lt_tmp/plainnginx"
bad "nginx without NGX_DEBUG_PALLOC" "NGX_DEBUG_PALLOC" --batch "$lt_tmp/plainnginx"
cp "$lt_tmp/notnginx" "$lt_tmp/noexec"; chmod -x "$lt_tmp/noexec"
bad "binary not executable" "not executable" --batch "$lt_tmp/noexec"
bad "unknown option" "unknown option" --batch --frobnicate "$NGINX"
echo '{}' >"$lt_tmp/taken.jsonl"
bad "--session FILE that exists" "taken.jsonl: File exists (a session file is never overwritten: name a new one)" \
	--batch --session "$lt_tmp/taken.jsonl" "$NGINX"
lt_check "--session FILE that exists: left as it was" [ "$(cat "$lt_tmp/taken.jsonl")" = '{}' ]
bad "--json without --batch" "--json goes with --batch" --json "$lt_tmp/x.json" "$NGINX"
bad "--rounds without --batch" "--rounds goes with --batch" --rounds 3 "$NGINX"
bad "--load with --fail-on, no --batch" "--fail-on goes with --batch" --fail-on none \
	--load "$lt_repo/tests/data/memcheck_fixture.xml"
bad "bad number" "--requests" --batch -n 0 "$NGINX"
bad "non-loopback URL" "loopback" --batch -u http://example.com/ "$NGINX"
# the host as libcurl reads it, not a prefix of the text
bad "loopback as user name of another host" "loopback" --batch -u 'http://localhost:80@example.com/' "$NGINX"
bad "loopback as user of another address" "loopback" --batch -u 'http://127.0.0.1@10.1.2.3/' "$NGINX"
bad "a name that starts like loopback" "loopback" --batch -u 'http://127.0.0.1.example.com/' "$NGINX"
bad "IPv4-mapped non-loopback" "loopback" --batch -u 'http://[::ffff:10.1.2.3]/' "$NGINX"
long=$(head -c 5000 /dev/zero | tr '\0' a)
bad "5000-character config path: the reason survives" "File name too long" --batch -c "/$long" "$NGINX"
bad "5000-character binary path: the reason survives" "File name too long" --batch "/$long"
bad "100000-character header: what is expected survives" "expected 'Name: value'" --batch \
	-H "X-$(head -c 100000 /dev/zero | tr '\0' a)" "$NGINX"
bad "negative requests" "--requests: '-5' is not a number from 1" --batch -n -5 "$NGINX"
bad "--rounds 0" "--rounds: '0' is not a number from 1" --batch --rounds 0 "$NGINX"
bad "concurrency 100000" "--concurrency: '100000' is not a number from 1 to 1024" --batch -C 100000 "$NGINX"
bad "nginx binary is a directory" "not a regular file" --batch "$lt_tmp"
: >"$lt_tmp/empty"; chmod +x "$lt_tmp/empty"
bad "nginx binary is an empty file" "is not nginx" --batch "$lt_tmp/empty"
sed 's/worker_processes  1;/worker_processes  1;\nno_such_directive on;/' "$conf" >"$ngx/broken.conf"
bad "config that fails" "unknown directive" --batch -c "$ngx/broken.conf" "$NGINX"
# daemon off and master_process on|off are fine (a master runs with its
# workers); daemon on is not, nor, run as root, a user the workers would
# switch to after valgrind made their FIFOs (tests/integration/procs.sh
# runs the master and its workers)
sed 's/worker_processes  1;/worker_processes  1;\ndaemon on;/' "$conf" >"$ngx/daemon.conf"
bad "config that sets daemon on" "daemon.conf:[0-9]* sets 'daemon on'" --batch -c "$ngx/daemon.conf" "$NGINX"
if [ "$(id -u)" = 0 ]; then
	sed 's/worker_processes  1;/worker_processes  1;\nmaster_process on;\nuser nobody;/' "$conf" >"$ngx/user.conf"
	bad "a master whose workers switch user, run as root" "user.conf:[0-9]* sets 'user nobody'.*vgdb FIFOs" \
		--batch -c "$ngx/user.conf" "$NGINX"
fi
# master_process on is a master and its workers (workers.sh has the rest)
lt_new_port "$conf"
sed 's/worker_processes  1;/worker_processes  1;\nmaster_process on;/' "$conf" >"$ngx/master.conf"
"$LT" --batch -c "$ngx/master.conf" -u /clean -n 10 --rounds 1 --fail-on none --no-session \
	--json "$lt_tmp/m.json" "$NGINX" >/dev/null 2>"$lt_tmp/err"
lt_check "config with master_process on: a master and its worker, both checked" \
	jqt '([.processes[] | .role] | sort) == ["master", "worker"] and
		all(.processes[]; .last_round == 1)' "$lt_tmp/m.json" || tail -n 3 "$lt_tmp/err"
# only directives count: the words in a comment or a string do not
lt_new_port "$conf"
sed -e 's/worker_processes  1;/worker_processes  1;\n# daemon on; master_process on;/' \
	-e 's|location = /clean |location = /daemon { return 200 "master_process on;"; }\n        location = /clean |' \
	"$conf" >"$ngx/comment.conf"
"$LT" --batch -c "$ngx/comment.conf" -u /daemon -n 10 --rounds 1 --fail-on none --json "$lt_tmp/c.json" \
	"$NGINX" >/dev/null 2>"$lt_tmp/err"
lt_check "daemon/master_process in a comment and a string: runs, requests answered" \
	jqt '([.rounds[].failed] | add) == 0 and ([.rounds[].requests] | add) == 10' "$lt_tmp/c.json"

# busy port: a plain (no valgrind) fixture nginx holds it
lt_new_port "$conf"
busy=$lt_tmp/busy
mkdir -p "$busy/logs"
sed -e "s|$ngx|$busy|g" "$conf" >"$busy/nginx.conf"
"$NGINX" -p "$busy/" -c "$busy/nginx.conf" -g 'daemon off; master_process off;' 2>/dev/null &
lt_pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
bad "port already in use" "Address already in use" --batch -c "$conf" "$NGINX"
kill "${lt_pids[-1]}"; wait "${lt_pids[-1]}" 2>/dev/null

# nginx killed mid-burst: /crash segfaults it; the JSON still has the baseline
lt_new_port "$conf"
# (-C 2: the requests that open the 2 held connections before the
# baseline, the burst's first two, both go to /leak/alloc)
"$LT" --batch -c "$conf" -u /leak/alloc -u /crash -n 50 -C 2 --rounds 2 --json "$lt_tmp/crash.json" \
	"$NGINX" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "nginx crash mid-burst: exit 2" [ "$rc" -eq 2 ]
lt_check "nginx crash mid-burst: names SIGSEGV" grep -q "SIGSEGV" "$lt_tmp/err" ||
	sed 's/^/#   /' "$lt_tmp/err"	# what it said instead
lt_check "nginx crash mid-burst: JSON keeps the baseline round and the end reason" \
	jqt '(.rounds | length) >= 1 and (.end | test("SIGSEGV"))' "$lt_tmp/crash.json"
lt_check "nothing left running after the crash" nothing_left

# The baseline waits for nginx's event loop (probe.h): taken between the pid
# file and ngx_event_process_init, it made that init "growing" in round 1
# of a clean location, two runs in three.
grew=0
for i in 1 2 3 4 5; do
	lt_new_port "$conf"
	"$LT" --batch -c "$conf" -u / -n 100 --rounds 1 --no-session --json "$lt_tmp/r1.json" \
		"$NGINX" >/dev/null 2>&1
	jq -e '[.sites[] | select(.growth == "growing")] | length == 0' "$lt_tmp/r1.json" >/dev/null ||
		grew=$((grew + 1))
done
lt_check "--rounds 1 on a clean location: no growing site in 5 runs (got $grew runs with some)" \
	[ "$grew" -eq 0 ]
lt_check "the probe's 400 is in nginx's log: it reached the event loop" \
	grep -q 'client sent invalid method.*LEAKTOP-PROBE' "$ngx/logs/error.log"

lt_finish
