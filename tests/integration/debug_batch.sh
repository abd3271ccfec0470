#!/usr/bin/env bash
# --break FILE:LINE in batch mode against the fixture nginx under real
# valgrind and a real gdb attached through vgdb (issue 14, point 6): at the
# first hit of each breakpoint the run prints the backtrace and the
# arguments and locals, goes on, and the rounds' leak checks still find the
# leak (gdb has given nginx back before each check). A line no request
# reaches is named at the end; a bad FILE:LINE, a missing gdb: one line,
# exit 2; nothing is left running.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb gdb jq pgrep

lt_fixture_setup
alloc=$(lt_leak_line leak_alloc)
nothing_left() {
	lt_wait_gone "valgrind.*$ngx"
	lt_nothing_left "$ngx" "$TMPDIR" && ! pgrep -f "gdb.*--interpreter=mi3.*$NGINX" >/dev/null
}

# 1. a breakpoint at the leak's line, hit by /leak/alloc
"$LT" --batch --no-session --rounds 3 -n 20 -c "$conf" -u /leak/alloc -u /clean \
	--break "ngx_http_leaky_module.c:$alloc" --json "$lt_tmp/b.json" "$NGINX" \
	>"$lt_tmp/b.out" 2>"$lt_tmp/b.err"
rc=$?
lt_check "--break: the run ends with the leak found (exit 1, --fail-on growing)" test $rc -eq 1 ||
	tail -n 20 "$lt_tmp/b.err"
lt_check "the first hit is told once: 'break ngx_http_leaky_module.c:$alloc hit (breakpoint 1 hit, round 1)'" \
	test "$(grep -c "break ngx_http_leaky_module.c:$alloc hit (breakpoint 1 hit, round 1)" "$lt_tmp/b.err")" -eq 1
lt_check "its backtrace: #0 ngx_http_leaky_leak_alloc at ngx_http_leaky_module.c:$alloc" \
	grep -qE "^  #0 ngx_http_leaky_leak_alloc at .*ngx_http_leaky_module.c:$alloc\$" "$lt_tmp/b.err"
lt_check "... down to the handler and nginx's core (#1 ngx_http_leaky_handler, a frame of ngx_http_core_module.c)" \
	bash -c "grep -qE '^  #1 ngx_http_leaky_handler at ' '$lt_tmp/b.err' &&
		grep -qE '^  #[0-9]+ ngx_http_[a-z_]+ at src/http/ngx_http_core_module.c:[0-9]+' '$lt_tmp/b.err'"
lt_check "its arguments with types and values: r (ngx_http_request_t *, argument) = 0x..." \
	grep -qE '^    r \(ngx_http_request_t \*, argument\) = 0x[0-9a-f]+$' "$lt_tmp/b.err"
lt_check "its locals: p (u_char *) = ..." grep -qE '^    p \(u_char \*\) = ' "$lt_tmp/b.err"
lt_check "the leak at the line is still growing in the JSON (checks ran after gdb left)" \
	jqt "[.sites[] | select(.function == \"ngx_http_leaky_leak_alloc\" and .line == $alloc and
		.growth == \"growing\")] | length >= 1" "$lt_tmp/b.json"
lt_check "JSON breaks[]: the point, hit in round 1, why" \
	jqt ".breaks | length == 1 and .[0].at == \"ngx_http_leaky_module.c:$alloc\" and .[0].hit and
		.[0].round == 1 and .[0].why == \"breakpoint 1 hit\"" "$lt_tmp/b.json"
lt_check "JSON: its backtrace (#0 leak_alloc at line $alloc, #1 the handler) and locals (r an argument, p)" \
	jqt ".breaks[0] | .backtrace[0].function == \"ngx_http_leaky_leak_alloc\" and
		.backtrace[0].line == $alloc and .backtrace[1].function == \"ngx_http_leaky_handler\" and
		([.locals[] | select(.name == \"r\" and .argument and .type == \"ngx_http_request_t *\")] | length == 1) and
		([.locals[] | select(.name == \"p\" and (.argument | not))] | length == 1)" "$lt_tmp/b.json"
lt_check "every request was answered (none cut by the stop at the breakpoint)" \
	jqt '[.rounds[1:][] | .failed] | all(. == 0)' "$lt_tmp/b.json"
lt_check "nothing left running (valgrind, gdb), the private dirs gone" nothing_left || { pgrep -af "valgrind|gdb"; ls -A "$TMPDIR"; }

# 2. a line no request of the run reaches
"$LT" --batch --no-session --rounds 1 -n 10 -c "$conf" -u /clean --json "$lt_tmp/u.json" \
	--break "ngx_http_leaky_module.c:$alloc" "$NGINX" >"$lt_tmp/u.out" 2>"$lt_tmp/u.err"
lt_check "a line never reached: the run ends clean (exit 0)" test $? -eq 0 || tail -n 5 "$lt_tmp/u.err"
lt_check "... and says so: '--break ngx_http_leaky_module.c:$alloc was never reached'" \
	grep -q "warning: --break ngx_http_leaky_module.c:$alloc was never reached" "$lt_tmp/u.err"
lt_check "... and in the JSON: hit false, no evidence" \
	jqt '.breaks == [{"at": "ngx_http_leaky_module.c:'"$alloc"'", "hit": false}]' "$lt_tmp/u.json"
lt_check "nothing left running" nothing_left

# 3. bad input: one line, exit 2
for bad in "nofile" "x.c:" "x.c:0" "x.c:12z" ":12"; do
	"$LT" --batch --break "$bad" "$NGINX" >"$lt_tmp/x.out" 2>"$lt_tmp/x.err"
	lt_check "--break '$bad': exit 2, one line naming FILE:LINE" \
		bash -c "[ $? -eq 2 ] && [ \$(wc -l <'$lt_tmp/x.err') -eq 1 ] && grep -q 'expected FILE:LINE' '$lt_tmp/x.err'"
done
"$LT" --break "x.c:1" "$NGINX" >"$lt_tmp/x.out" 2>"$lt_tmp/x.err"
lt_check "--break without --batch: exit 2, points to d on the live screen" \
	bash -c "[ $? -eq 2 ] && grep -q 'goes with --batch (on the live screen: d on a row)' '$lt_tmp/x.err'"
"$LT" --batch --no-session --rounds 1 -n 5 -c "$conf" -u /clean --gdb no-such-gdb \
	--break "ngx_http_leaky_module.c:$alloc" "$NGINX" >"$lt_tmp/g.out" 2>"$lt_tmp/g.err"
rc=$?
lt_check "a gdb not in PATH: exit 2, the package to install, no round run without it" \
	bash -c "[ $rc -eq 2 ] && grep -q 'no-such-gdb not found: install the Debian package gdb' '$lt_tmp/g.err' &&
		! grep -q 'round 1/1' '$lt_tmp/g.err'" || cat "$lt_tmp/g.err"
"$LT" --batch --no-session --rounds 1 -n 5 -c "$conf" -u /clean --gdb "$lt_tmp/no-gdb" \
	--break "ngx_http_leaky_module.c:$alloc" "$NGINX" >"$lt_tmp/g.out" 2>"$lt_tmp/g.err"
rc=$?
lt_check "a --gdb path that is not there: exit 2, 'cannot start PATH: No such file or directory'" \
	bash -c "[ $rc -eq 2 ] && grep -q 'cannot start $lt_tmp/no-gdb: No such file or directory' '$lt_tmp/g.err'"
lt_check "nothing left running" nothing_left

lt_finish
