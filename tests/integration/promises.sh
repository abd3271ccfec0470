#!/usr/bin/env bash
# End to end: promises of README.md and --help that no other script holds,
# in batch mode against the real fixture nginx under real valgrind:
# --directives with the generated config, -p with a user config, request
# shaping (-X -d -H --no-keepalive --request-timeout) as nginx logged it,
# --alloc-fn moving a site to its caller, --load of a torn session file,
# --allow-no-debug-palloc, --help against the option table of src/cli/cli.c,
# make install, and README's `make demo` table against the demo's output.
# (The live screen's promises: promises_live.sh. The socket-level loopback
# guard: tests/unit/test_burst_guard.c, which says why not here.)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
leak_alloc=$(lt_leak_line leak_alloc)
nothing_left() {
	! pgrep -f "valgrind.*$lt_tmp" >/dev/null && [ -z "$(ls -A "$TMPDIR")" ]
}
show() { sed 's/^/#   /' "$@"; }	# what went wrong, after a failed check

# --- --directives: the generated config really holds them ------------------------
"$LT" --batch --directives 'location = /promise { leaky leak_alloc; }' -u /promise -n 40 \
	--rounds 2 --json "$lt_tmp/dir.json" "$NGINX" >/dev/null 2>"$lt_tmp/err"
lt_check "--directives, no -c: exit 1 (the location leaks)" [ $? -eq 1 ] || show "$lt_tmp/err"
lt_check "--directives: the burst reached the fixture handler (80 requests, none failed)" \
	jqt '([.rounds[].requests] | add) == 80 and ([.rounds[].failed] | add) == 0' "$lt_tmp/dir.json"
lt_check "--directives: leak_alloc's line $leak_alloc, definitely lost, growing" \
	jqt --argjson l "$leak_alloc" '[.sites[] | select(.kind == "definitely_lost" and
	  .function == "ngx_http_leaky_leak_alloc" and .line == $l and .growth == "growing")] | length > 0' \
	"$lt_tmp/dir.json"
lt_check "--directives: nothing left running, private dirs removed" nothing_left

# --- -p: a user config with relative paths, its prefix elsewhere -------------------
mkdir -p "$lt_tmp/pconf" "$lt_tmp/pfx/logs"
port_p=$(lt_free_port)
sed -e "s|@PORT@|$port_p|g" -e "s|@PREFIX@/||g" -e "s|@HTML@|$lt_repo/tests/fixture/html|g" \
	-e 's|access_log  off;|access_log  logs/access.log;|' \
	"$lt_repo/tests/fixture/nginx.conf.in" >"$lt_tmp/pconf/nginx.conf"
"$LT" --batch -c "$lt_tmp/pconf/nginx.conf" -p "$lt_tmp/pfx" -u /clean -n 10 --rounds 1 \
	--json "$lt_tmp/p.json" "$NGINX" >/dev/null 2>"$lt_tmp/err"
lt_check "-p DIR with a config elsewhere: exit 0, 10 requests answered" \
	bash -c "[ $? -eq 0 ] && jq -e '([.rounds[].failed] | add) == 0' '$lt_tmp/p.json' >/dev/null" ||
	show "$lt_tmp/err"
lt_check "-p: nginx's relative logs/ are under the prefix (10 requests in its access log)" \
	[ "$(grep -c '"GET /clean HTTP/1.1" 200' "$lt_tmp/pfx/logs/access.log" 2>/dev/null)" = 10 ]
lt_check "-p: the readiness probe went to that nginx (its error log)" \
	grep -q 'LEAKTOP-PROBE' "$lt_tmp/pfx/logs/error.log"
lt_check "-p: nothing written beside the config" [ ! -e "$lt_tmp/pconf/logs" ]

# --- request shaping, as nginx logged it ---------------------------------------------
# /shape proxies to /clean so that nginx reads the body ($request_body);
# /slow delays every request after the first by a minute (limit_req).
shape_conf() {	# shape_conf: a fresh port in $conf (lt_new_port), shape.conf from it
lt_new_port "$conf"
sed -e 's|default_type  text/plain;|&\n    log_format shaped "$request_method\|$http_x_promise\|$request_body\|$connection_requests\|$request_time\|$status";\n    limit_req_zone $binary_remote_addr zone=promise:1m rate=1r/m;|' \
	-e "s|location = /status {|location = /shape { access_log $ngx/logs/shape.log shaped; proxy_pass http://127.0.0.1:$port/clean; }\n        location = /slow { access_log $ngx/logs/slow.log shaped; limit_req zone=promise burst=10; leaky clean; }\n        &|" \
	"$conf" >"$ngx/shape.conf"
}
shape() {	# shape ARGS...: a run against /shape with ARGS; the lines nginx logged
	rm -f "$ngx/logs/shape.log"
	shape_conf
	"$LT" --batch -c "$ngx/shape.conf" -u /shape -n 6 -C 1 --rounds 1 --fail-on none "$@" \
		"$NGINX" >/dev/null 2>"$lt_tmp/err"
	cat "$ngx/logs/shape.log" 2>/dev/null
}
shape -X PATCH -d 'promise-body-42' -H 'X-Promise: kept-7' >"$lt_tmp/shape"
lt_check "-X -d -H: nginx logged 6 requests, each PATCH with that header and body" \
	[ "$(grep -c '^PATCH|kept-7|promise-body-42|' "$lt_tmp/shape")" = 6 ] || show "$lt_tmp/shape" "$lt_tmp/err"
lt_check "keepalive (the default): requests share a connection" \
	[ "$(cut -d'|' -f4 "$lt_tmp/shape" | sort -n | tail -n 1)" -gt 1 ]
shape --no-keepalive -d 'x=1' >"$lt_tmp/shape"
lt_check "--no-keepalive: 6 requests, each the first of its connection; -d alone is a POST" \
	[ "$(grep -c '^POST|-|x=1|1|' "$lt_tmp/shape")" = 6 ] || show "$lt_tmp/shape" "$lt_tmp/err"
shape_conf
start=$(date +%s)
"$LT" --batch -c "$ngx/shape.conf" -u /slow -n 3 -C 1 --rounds 1 --request-timeout 1 --fail-on none \
	--json "$lt_tmp/slow.json" "$NGINX" >/dev/null 2>"$lt_tmp/err"
took=$(($(date +%s) - start))
lt_check "--request-timeout 1: the two delayed requests failed, the first did not" \
	jqt '.rounds[1].requests == 3 and .rounds[1].failed == 2' "$lt_tmp/slow.json" || show "$lt_tmp/err"
# nginx logs 499 (client closed) when the client gave up: after about 1 s
gaveup=$(awk -F'|' '$6 == 499 && $5 >= 0.9 && $5 < 5' "$ngx/logs/slow.log" 2>/dev/null | wc -l)
lt_check "--request-timeout 1: nginx saw the client give up after ~1 s, twice ($gaveup)" [ "$gaveup" -eq 2 ] ||
	show "$ngx/logs/slow.log"
lt_check "--request-timeout 1: the run took ${took}s, not the minute nginx would delay" [ "$took" -lt 40 ]

# --- --alloc-fn: the site moves to the caller ------------------------------------------
caller=$(grep -n 'rc = ngx_http_leaky_leak_alloc' "$LT_SRC" | cut -d: -f1)
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /leak/alloc -n 20 --rounds 3 --alloc-fn 'ngx_http_leaky_leak_a*' \
	--session "$lt_tmp/s.jsonl" --json "$lt_tmp/alloc.json" "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
lt_check "--alloc-fn 'ngx_http_leaky_leak_a*': the definite leak is named at its caller, line $caller" \
	jqt --argjson l "$caller" '[.sites[] | select(.kind == "definitely_lost")] | length > 0 and
	  all(.function == "ngx_http_leaky_handler" and .line == $l) and any(.growth == "growing")' \
	"$lt_tmp/alloc.json" || show "$lt_tmp/err"
lt_check "--alloc-fn: the table names ngx_http_leaky_module.c:$caller" \
	grep -qE "ngx_http_leaky_module.c:$caller +ngx_http_leaky_handler +definite .*growing" "$lt_tmp/out"
lt_check "--alloc-fn: the full stack still holds the wrapper" \
	jqt '[.sites[] | select(.kind == "definitely_lost") | .stack[].function] | index("ngx_http_leaky_leak_alloc")' \
	"$lt_tmp/alloc.json"

# --- --load of a session file whose last line is torn ---------------------------------
rounds=$(grep -c '"type":"round"' "$lt_tmp/s.jsonl")
last=$(grep -n '"type":"round"' "$lt_tmp/s.jsonl" | tail -n 1 | cut -d: -f1)
head -n $((last - 1)) "$lt_tmp/s.jsonl" >"$lt_tmp/torn.jsonl"
sed -n "${last}p" "$lt_tmp/s.jsonl" | head -c 300 >>"$lt_tmp/torn.jsonl"	# a crash mid-write
"$LT" --load "$lt_tmp/torn.jsonl" --batch --json - >"$lt_tmp/torn.json" 2>"$lt_tmp/err"
lt_check "--load torn session: the $((rounds - 1)) whole rounds of $rounds kept" \
	jqt --argjson n $((rounds - 1)) '(.rounds | length) == $n and
	  all(.sites[]; (.bytes | length) == $n)' "$lt_tmp/torn.json" || show "$lt_tmp/err"
lt_check "--load torn session: says it skipped a torn line" \
	grep -q "torn.jsonl ends in a torn line (a crash mid-write): skipped it" "$lt_tmp/err"
# (named at its own line: a session file does not keep --alloc-fn)
lt_check "--load torn session: the definite leak is still there, growing" \
	jqt '[.sites[] | select(.kind == "definitely_lost" and .growth == "growing")] | length > 0' \
	"$lt_tmp/torn.json"

# --- --allow-no-debug-palloc ------------------------------------------------------------
# An nginx whose -V lacks the flag: the fixture binary with "NGX_DEBUG_PALLOC=1"
# in its configure line rewritten to "=0" (same length). It still allocates
# one block per pool allocation, so this checks the path through preflight
# and the run, not what a real plain nginx's report looks like.
perl -pe 's/NGX_DEBUG_PALLOC=1/NGX_DEBUG_PALLOC=0/g' "$NGINX" >"$lt_tmp/nginx-plain"
chmod +x "$lt_tmp/nginx-plain"
lt_check "the rewritten binary's -V says NGX_DEBUG_PALLOC=0" \
	bash -c "'$lt_tmp/nginx-plain' -V 2>&1 | grep -q 'NGX_DEBUG_PALLOC=0' && ! '$lt_tmp/nginx-plain' -V 2>&1 | grep -q 'PALLOC=1'"
"$LT" --batch -c "$conf" -u /leak/alloc -n 20 --rounds 2 "$lt_tmp/nginx-plain" >/dev/null 2>"$lt_tmp/err"
lt_check "without --allow-no-debug-palloc: refused, exit 2" \
	bash -c "[ $? -eq 2 ] && grep -q 'NGX_DEBUG_PALLOC' '$lt_tmp/err'" || show "$lt_tmp/err"
lt_new_port "$conf"
"$LT" --batch -c "$conf" -u /leak/alloc -n 20 --rounds 2 --allow-no-debug-palloc --json "$lt_tmp/plain.json" \
	"$lt_tmp/nginx-plain" >/dev/null 2>"$lt_tmp/err"
lt_check "--allow-no-debug-palloc: runs (exit 1, the leak), warns" \
	bash -c "[ $? -eq 1 ] && grep -q 'warning: nginx was built without -DNGX_DEBUG_PALLOC=1' '$lt_tmp/err'" ||
	show "$lt_tmp/err"
lt_check "--allow-no-debug-palloc: the JSON says debug_palloc false, rounds complete" \
	jqt '.nginx.debug_palloc == false and (.rounds | length) == 3' "$lt_tmp/plain.json"
lt_check "nothing left running, private dirs removed" nothing_left

# --- --help lists every option of the table in src/cli/cli.c ----------------------------------
"$LT" --help >"$lt_tmp/help" 2>&1
table=$(sed -n '/^static const struct cli_option options\[\] = {/,/^};/p' "$lt_repo/src/cli/cli.c" |
	sed -nE "s/^\t\{ \"([a-z0-9.-]+)\", ('(.)'|[A-Z_0-9]+), .*/\1 \3/p")
n=0 missing=
while read -r name short; do
	n=$((n + 1))
	if [ -n "$short" ]; then pat="^  -$short, --$name( |$)"; else pat="^      --$name( |$)"; fi
	grep -qE -- "$pat" "$lt_tmp/help" || missing="$missing --$name"
done <<<"$table"
lt_check "--help: the option table has its options ($n)" [ "$n" -ge 25 ]
lt_check "--help: every option of the table is listed${missing:+, missing:$missing}" [ -z "$missing" ]
lt_check "--help: and nothing else ($n option lines)" \
	[ "$(grep -cE '^  (-[a-zA-Z], |    )--[a-z]' "$lt_tmp/help")" -eq "$n" ]

# --- make install ------------------------------------------------------------------------
dest=$lt_tmp/dest
make -s -C "$lt_repo" install DESTDIR="$dest" PREFIX=/usr >"$lt_tmp/out" 2>&1
lt_check "make install DESTDIR=... PREFIX=/usr: exit 0" [ $? -eq 0 ] || show "$lt_tmp/out"
lt_check "the binary is \$DESTDIR/usr/bin/ngx-leaktop, mode 755, and runs" \
	bash -c "[ \"\$(stat -c %a '$dest/usr/bin/ngx-leaktop')\" = 755 ] &&
		[ \"\$('$dest/usr/bin/ngx-leaktop' --version)\" = \"\$('$lt_repo/ngx-leaktop' --version)\" ]"
# the installed page names the data dir of this PREFIX (tests/integration/install.sh
# checks the rest of what make install puts where)
lt_check "the man page is \$DESTDIR/usr/share/man/man1/ngx-leaktop.1, naming /usr/share/ngx-leaktop" \
	bash -c "sed 's|/usr/local/share/ngx\\\\-leaktop|/usr/share/ngx\\\\-leaktop|g' '$lt_repo/man/ngx-leaktop.1' |
		cmp -s - '$dest/usr/share/man/man1/ngx-leaktop.1'"

# --- README's `make demo` table is what the demo prints -------------------------------------
readme_table() {
	sed -n '/^What `make demo` prints/,/^## /p' "$lt_repo/README.md" |
		sed -n '/^```$/,/^```$/p' | grep -E '^(SITE|ngx_)' | tr -s ' '
}
readme_table >"$lt_tmp/readme.table"
NGINX=$NGINX "$lt_repo/examples/demo.sh" </dev/null >"$lt_tmp/demo.out" 2>"$lt_tmp/demo.err"
lt_check "make demo's script: exit 0 (leaks found, as it should)" [ $? -eq 0 ] || show "$lt_tmp/demo.err"
grep -E '^(SITE|ngx_)' "$lt_tmp/demo.out" | tr -s ' ' >"$lt_tmp/demo.table"
lt_check "README's demo table has its 9 rows" [ "$(grep -c '^ngx_' "$lt_tmp/readme.table")" -eq 9 ]
# same_table A B: the same rows (site, function, kind, verdict, top URL),
# the numbers within a block or 2%. The last block a leaking line
# allocated may still be pointed at from nginx's stack or registers when
# the check runs: valgrind calls it reachable, possibly lost or lost as the
# stale pointer falls, and it shows as a one-block row of its own. A
# bounded row at a site that also has a growing row is that block; it is
# left out of both tables.
same_table() {
	awk 'function near(a, b, tol) { d = a - b; if (d < 0) d = -d; return d <= tol }
		function keep(f) { return !(f[7] == "bounded" && growing[FILENAME, f[1]]) }
		FNR == 1 { next }
		{ split($0, f, " "); if (f[7] == "growing") growing[FILENAME, f[1]] = 1
		  row[FILENAME, FNR] = $0; n[FILENAME] = FNR }
		END {
			for (i = 0; i < 2; i++) { file = ARGV[i + 1]
				for (r = 2; r <= n[file]; r++) { split(row[file, r], f, " ")
					if (!keep(f)) continue
					k = f[1] " " f[2] " " f[3] " " f[7] " " f[8]
					if (i == 0) { want[k] = row[file, r]; continue }
					if (!(k in want)) { print "only in the demo: " row[file, r]; bad = 1; continue }
					split(want[k], g, " "); seen[k] = 1
					if (!near(f[4], g[4], (g[4] > 6400 ? g[4] * 0.02 : 128)) ||
						!near(f[6], g[6], g[6] * 0.05 + 0.2) || !near(f[9], g[9], g[9] * 0.02 + 0.1)) {
						print "numbers differ: " row[file, r] " / README: " want[k]; bad = 1 } } }
			for (k in want) if (!(k in seen)) { print "only in README: " want[k]; bad = 1 }
			exit bad }' "$1" "$2"
}
lt_check "README's demo table is what the demo prints (sites, kinds, bytes, per request, verdicts)" \
	same_table "$lt_tmp/readme.table" "$lt_tmp/demo.table" >"$lt_tmp/table.diff" ||
	sed 's/^/#   /' "$lt_tmp/table.diff"
lt_check "nothing left running, private dirs removed" nothing_left

lt_finish
