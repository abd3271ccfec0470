#!/usr/bin/env bash
# End to end, issue 18 item 4: suppressions on the real fixture nginx under
# real valgrind.
#   - a leaky batch run exits 1 and --gen-suppressions writes a file valgrind
#     reads (valgrind itself is run with it), one block per leak with '...'
#     below the module's entry point and no nginx core frame;
#   - the same leak reached through two core paths (a connection's first
#     request: ngx_http_wait_request_handler; a keepalive one:
#     ngx_http_keepalive_handler) is one block, and a second run with
#     --suppressions exits 0: the leak rows are gone, and stdout, stderr and
#     the JSON count what valgrind suppressed;
#   - the default set keeps the fixture's leaks (the cycle-pool one too) and
#     hides nginx's exit noise, which --no-default-suppressions shows;
#   - attached to an nginx someone else started under valgrind (without our
#     files): our matching hides the sites, and counts them;
#   - a malformed file: one line FILE:LINE, exit 2, before nginx starts.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep grep timeout awk true curl

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
nothing_left() { lt_nothing_left "$ngx" "$TMPDIR"; }
show() { sed 's/^/#   /' "$1" | tail -n 15; }
leaky=(-u /leak/alloc -u /leak/struct -u /leak/pool -u /leak/cycle -u /clean)
gen=$lt_tmp/gen.supp

run() {	# run NAME ARGS...: a batch run, rc in $rc, out/err/json in $lt_tmp/NAME.*
	local name=$1
	shift
	lt_new_port "$conf"
	timeout -s KILL 600 "$LT" --batch --no-session -c "$conf" --json "$lt_tmp/$name.json" "$@" \
		"$NGINX" >"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err"
	rc=$?
}

# --- a leaky run writes the suppressions --------------------------------------
run leaky "${leaky[@]}" -n 120 --rounds 3 --gen-suppressions "$gen"
lt_check "leaky: exit 1 (got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/leaky.err"
lt_check "leaky: --gen-suppressions wrote blocks" [ "$(grep -c '^{$' "$gen" 2>/dev/null)" -ge 5 ]
lt_check "leaky: named ngx-leaktop:KIND:FILE:LINE:FUNCTION" \
	grep -qE '^   ngx-leaktop:definite:ngx_http_leaky_module\.c:[0-9]+:ngx_http_leaky_leak_alloc$' "$gen"
lt_check "leaky: a header comment says how it was made" grep -q '^# valgrind suppressions written by ngx-leaktop' "$gen"
# every block: frames up to the module's handler exact, then '...', no core frame
blocks_ok=$(awk '/^\{$/ {last=""; core=0; next}
	/^   fun:ngx_http_(core|handler|process|wait|keepalive)/ {core=1}
	/^   fun:/ {last=$1}
	/^   \.\.\.$/ {dots=1}
	/^\}$/ {n++; if (last == "fun:ngx_http_leaky_handler" && dots && !core) ok++; dots=0}
	END {print ok "/" n}' "$gen")
lt_check "leaky: every block ends at the module's entry point, then '...', no core frame ($blocks_ok)" \
	[ "${blocks_ok%/*}" = "${blocks_ok#*/}" ] || cat "$gen"
lt_check "leaky: the cycle-pool leak is found with the default suppressions on" \
	grep -qE '^ngx_http_leaky_module\.c:[0-9]+ +ngx_http_leaky_leak_cycle +reachable .* growing' "$lt_tmp/leaky.out"
lt_check "leaky: the defaults hide nginx's exit noise, not the module's exit leaks" \
	jqt '([.exit.sites[] | select(.function == "ngx_event_process_init" or
		.function == "ngx_set_environment")] | length) == 0 and
		([.exit.sites[] | select(.function == "ngx_http_leaky_leak_alloc")] | length) > 0' \
	"$lt_tmp/leaky.json"
# the same leak through two core paths: two stacks, one block
paths=$(jq '[.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .kind == "definitely_lost") |
	[.stack[] | (.function // .fn)] | map(select(. == "ngx_http_wait_request_handler" or
	. == "ngx_http_keepalive_handler")) | .[0]] | unique | length' "$lt_tmp/leaky.json")
lt_check "leaky: leak_alloc reached by first and keepalive requests (2 core paths, got $paths)" [ "$paths" = 2 ]
lt_check "leaky: one block for both paths" \
	[ "$(grep -c '^   ngx-leaktop:definite:ngx_http_leaky_module\.c:[0-9]*:ngx_http_leaky_leak_alloc$' "$gen")" = 1 ]

# --- valgrind reads the generated file --------------------------------------------
valgrind -q --suppressions="$gen" /bin/true >"$lt_tmp/vg.out" 2>&1
vrc=$?
vg_ok() { [ "$vrc" -eq 0 ] && ! grep -q 'FATAL\|bad' "$lt_tmp/vg.out"; }
lt_check "valgrind accepts the generated file (exit $vrc, no FATAL)" vg_ok || show "$lt_tmp/vg.out"

# --- the second run, with the suppressions ----------------------------------------
run quiet "${leaky[@]}" -n 120 --rounds 3 --suppressions "$gen"
lt_check "suppressed: exit 0 (got $rc)" [ "$rc" -eq 0 ] || { show "$lt_tmp/quiet.err"; show "$lt_tmp/quiet.out"; }
no_rows_in() { ! grep -q 'ngx_http_leaky_leak' "$1"; }
lt_check "suppressed: no leak row left" no_rows_in "$lt_tmp/quiet.out" || grep 'ngx_http_leaky_leak' "$lt_tmp/quiet.out"
vgb=$(jq '.suppressed.valgrind.bytes' "$lt_tmp/quiet.json")
lt_check "suppressed: the JSON counts what valgrind suppressed ($vgb bytes) and names the file" \
	jqt --arg f "$gen" '.suppressed.valgrind.bytes > 10000 and .suppressed.valgrind.blocks > 0 and
		.suppressed.files == [$f] and .suppressed.default == true' "$lt_tmp/quiet.json"
lt_check "suppressed: the table says it" grep -qE "valgrind suppressed $vgb bytes in [0-9]+ blocks" "$lt_tmp/quiet.out"
lt_check "suppressed: stderr says it" grep -qE "^ngx-leaktop: suppressed: .*valgrind suppressed $vgb bytes" "$lt_tmp/quiet.err"
lt_check "suppressed: the module's exit leaks are suppressed too" \
	jqt '([.exit.sites[] | select(.function | startswith("ngx_http_leaky_leak"))] | length) == 0' "$lt_tmp/quiet.json" ||
	jq -c '[.exit.sites[] | select(.function | startswith("ngx_http_leaky_leak")) | {kind, line, bytes, blocks}]' "$lt_tmp/quiet.json"
lt_check "suppressed: nothing left running" nothing_left

# --- attached: valgrind has none of our files, our matching hides --------------------
prefix=$lt_tmp/vg/vgdb
mkdir -p "$lt_tmp/vg"
lt_new_port "$conf"
port=$(sed -nE 's/^ *listen +127\.0\.0\.1:([0-9]+).*/\1/p' "$conf" | head -n 1)
valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$prefix" --num-callers=30 \
	--log-file="$lt_tmp/vg.log" "$NGINX" -p "$ngx/" -c "$conf" -g "daemon off; master_process off;" \
	>"$lt_tmp/nginx.out" 2>&1 &
vgpid=$!
lt_pids+=("$vgpid")
lt_check "attached: their nginx runs under valgrind" \
	lt_gdbservers_up "$lt_tmp/vg" 1 "http://127.0.0.1:$port/clean"
# their traffic, done before the checks: requests in flight during an
# attached check are the user's noise, not what this test is about; a
# definite loss present fails --fail-on definite unless suppressed
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/leak/alloc" >/dev/null 2>&1; done
timeout -s KILL 300 "$LT" --attach "$vgpid" --vgdb-prefix "$prefix" --batch --no-session --rounds 2 \
	--every 1 --fail-on definite --suppressions "$gen" --json "$lt_tmp/att.json" "$NGINX" \
	>"$lt_tmp/att.out" 2>"$lt_tmp/att.err"
rc=$?
lt_check "attached, --fail-on definite: exit 0, the leak suppressed (got $rc)" [ "$rc" -eq 0 ] ||
	{ show "$lt_tmp/att.err"; show "$lt_tmp/att.out"; }
timeout -s KILL 300 "$LT" --attach "$vgpid" --vgdb-prefix "$prefix" --batch --no-session --rounds 1 \
	--every 1 --fail-on definite "$NGINX" >/dev/null 2>&1
rc=$?
lt_check "attached, --fail-on definite, no --suppressions: exit 1, the leak is there (got $rc)" \
	[ "$rc" -eq 1 ]
lt_check "attached: no leak row" no_rows_in "$lt_tmp/att.out"
hid=$(jq '.suppressed.sites' "$lt_tmp/att.json")
lt_check "attached: the JSON counts the sites our matching hid ($hid)" \
	jqt '.suppressed.sites >= 1 and .suppressed.bytes > 0 and .suppressed.valgrind.bytes == 0' "$lt_tmp/att.json"
lt_check "attached: the table and stderr say it" \
	grep -q "suppressed: $hid sites hidden" "$lt_tmp/att.out" "$lt_tmp/att.err"
kill -QUIT "$vgpid" 2>/dev/null
for _ in $(seq 200); do kill -0 "$vgpid" 2>/dev/null || break; sleep 0.1; done

# --- without the default set: nginx's own noise shows ----------------------------
# (and --fail-on none fails nothing: --gen-suppressions writes what growing fails)
run nodef -u /leak/alloc -u /clean -n 60 --rounds 2 --no-default-suppressions --fail-on none \
	--gen-suppressions "$lt_tmp/none.supp"
lt_check "no defaults: exit 0 (got $rc)" [ "$rc" -eq 0 ] || show "$lt_tmp/nodef.err"
lt_check "--fail-on none: the suppressions of what growing fails (leak_alloc)" \
	grep -qE '^   ngx-leaktop:definite:ngx_http_leaky_module\.c:[0-9]+:ngx_http_leaky_leak_alloc$' "$lt_tmp/none.supp"
lt_check "no defaults: nginx's exit noise shows (ngx_event_process_init, ngx_set_environment)" \
	jqt '([.exit.sites[] | select(.function == "ngx_event_process_init")] | length) > 0 and
		([.exit.sites[] | select(.function == "ngx_set_environment")] | length) > 0 and
		.suppressed.default == false' "$lt_tmp/nodef.json" ||
	jq -c '[.exit.sites[] | .function]' "$lt_tmp/nodef.json"

# --- a malformed file: FILE:LINE, exit 2, nginx never started ------------------------
rm -f "$ngx/logs/error.log"
printf '# broken\n{\n   x\n   Memcheck:Leak\n   fn:malloc\n}\n' >"$lt_tmp/bad.supp"
lt_new_port "$conf"
timeout -s KILL 60 "$LT" --batch --no-session -c "$conf" -u /clean --suppressions "$lt_tmp/bad.supp" \
	"$NGINX" >"$lt_tmp/bad.out" 2>"$lt_tmp/bad.err"
rc=$?
lt_check "malformed: exit 2 (got $rc)" [ "$rc" -eq 2 ]
bad_ok() {
	[ "$(wc -l <"$lt_tmp/bad.err")" -eq 1 ] &&
		grep -qF "$lt_tmp/bad.supp:5: 'fn:malloc': a frame line is fun:NAME" "$lt_tmp/bad.err"
}
lt_check "malformed: one line naming FILE:LINE and what to write" bad_ok || show "$lt_tmp/bad.err"
not_started() { [ ! -e "$ngx/logs/error.log" ] && nothing_left; }
lt_check "malformed: nginx never started (no log, no private dir)" not_started
printf '{\n   x\n   Memcheck:Leak\n   fun:malloc\n' >"$lt_tmp/open.supp"
"$LT" --batch -c "$conf" --suppressions "$lt_tmp/open.supp" "$NGINX" >/dev/null 2>"$lt_tmp/open.err"
rc=$?
open_ok() {
	[ "$rc" -eq 2 ] && grep -qF "$lt_tmp/open.supp:4: the text ends inside the suppression that starts at line 1" \
		"$lt_tmp/open.err"
}
lt_check "unclosed block: exit 2, FILE:LINE (got $rc)" open_ok || show "$lt_tmp/open.err"

lt_finish
