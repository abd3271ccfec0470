#!/usr/bin/env bash
# A leak tool must not leak: run the batch engine end to end against the
# fixture nginx (1) under valgrind memcheck and (2) built with ASan+UBSan.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb gdb jq pgrep

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
# --break: the debugger's code (gdb/MI, the breakpoint's evidence, the
# detach) runs in both, too
args=(--batch -c "$ngx/nginx.conf" -u /leak/alloc -u /cache/x -u /lazy -u /clean -n 80 --rounds 3
	--json "$lt_tmp/r.json" --break "ngx_http_leaky_module.c:$(lt_leak_line leak_alloc)")

# (1) memcheck on ngx-leaktop itself (not on its children: --trace-children=no)
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=no \
	--log-file="$lt_tmp/self.vg" "$LT" "${args[@]}" "$NGINX" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "under valgrind: ngx-leaktop ran its rounds and found the leak (exit 1, got $rc)" [ "$rc" -eq 1 ]
lt_check "under valgrind: 0 errors" grep -q "ERROR SUMMARY: 0 errors" "$lt_tmp/self.vg"
lt_check "under valgrind: 0 bytes definitely lost" \
	bash -c "! grep -q 'definitely lost: [1-9]' '$lt_tmp/self.vg'"
lt_check "under valgrind: 0 bytes indirectly lost" \
	bash -c "! grep -q 'indirectly lost: [1-9]' '$lt_tmp/self.vg'"
lt_check "under valgrind: the --break evidence printed" grep -q 'hit (breakpoint 1 hit, round 1)' "$lt_tmp/err"
lt_check "under valgrind: report still right" \
	jqt '[.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .growth == "growing")] | length > 0' "$lt_tmp/r.json"
grep -E "ERROR SUMMARY|definitely lost|indirectly lost" "$lt_tmp/self.vg" | sed 's/^/# /'

# (2) the ASan+UBSan build: any report aborts with a non-0/1 status
# a master, 2 workers and a reload: the processes, their models and XML files
wargs=(--batch --no-session --workers 2 --reloads 1 --rounds 2 -n 40 -C 8 -u /leak/alloc -u /clean
	--directives 'location = /leak/alloc { leaky leak_alloc; } location = /clean { leaky clean; }'
	--json "$lt_tmp/w.json")
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=no \
	--log-file="$lt_tmp/selfw.vg" "$LT" "${wargs[@]}" "$NGINX" >/dev/null 2>"$lt_tmp/werr"
rc=$?
lt_check "under valgrind, master + 2 workers + a reload: the rounds ran (exit 1, got $rc)" [ "$rc" -eq 1 ] ||
	tail -n 5 "$lt_tmp/werr" | sed 's/^/#   /'
lt_check "under valgrind, workers: 0 errors, 0 bytes lost" bash -c "grep -q 'ERROR SUMMARY: 0 errors' \
	'$lt_tmp/selfw.vg' && ! grep -qE '(definitely|indirectly) lost: [1-9]' '$lt_tmp/selfw.vg'"
lt_check "under valgrind, workers: the report has the master and its 4 workers" \
	jqt '([.processes[] | .role] | sort) == ["master", "worker", "worker", "worker", "worker"]' "$lt_tmp/w.json"
grep -E "ERROR SUMMARY|definitely lost|indirectly lost" "$lt_tmp/selfw.vg" | sed 's/^/# workers: /'

# TLS, HTTP/2, a request file and TCP exchanges: OpenSSL, nghttp2 and the
# raw sockets of the bursts
pargs=(--batch --no-session --tls --http2 --rounds 2 -n 40 -C 4 --directives 'location = /req { leaky_req; }'
	--request-file "$lt_repo/tests/data/reqfile/shapes.http" --stream-directives 'leaky_stream;'
	--send "$lt_repo/tests/data/stream/leak.txt" --send "$lt_repo/tests/data/stream/clean.txt" --read 3
	--json "$lt_tmp/p.json")
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=no \
	--log-file="$lt_tmp/selfp.vg" "$LT" "${pargs[@]}" "$NGINX" >/dev/null 2>"$lt_tmp/perr"
rc=$?
lt_check "under valgrind, TLS + HTTP/2 + request file + TCP: the rounds ran (exit 1, got $rc)" \
	[ "$rc" -eq 1 ] || tail -n 5 "$lt_tmp/perr" | sed 's/^/#   /'
lt_check "under valgrind, protocols: 0 errors, 0 bytes lost" bash -c "grep -q 'ERROR SUMMARY: 0 errors' \
	'$lt_tmp/selfp.vg' && ! grep -qE '(definitely|indirectly) lost: [1-9]' '$lt_tmp/selfp.vg'"
lt_check "under valgrind, protocols: every request and exchange answered" \
	jqt '.protocol == "HTTP/2 (TLS) + TCP" and ([.rounds[] | .failed] | add) == 0' "$lt_tmp/p.json"
grep -E "ERROR SUMMARY|definitely lost|indirectly lost" "$lt_tmp/selfp.vg" | sed 's/^/# protocols: /'

ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=98 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$lt_repo/build/ngx-leaktop-asan" "${args[@]}" "$NGINX" >/dev/null 2>"$lt_tmp/asan.err"
rc=$?
lt_check "ASan+UBSan build: clean run (exit 1 for the leak, got $rc)" [ "$rc" -eq 1 ]
lt_check "ASan+UBSan build: the --break evidence printed" grep -q 'hit (breakpoint 1 hit, round 1)' "$lt_tmp/asan.err"
lt_check "ASan+UBSan build: no sanitizer report" \
	bash -c "! grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error' '$lt_tmp/asan.err'"
grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$lt_tmp/asan.err" | head -n 20 | sed 's/^/# /'
lt_check "nothing left running" lt_no_leftovers "$ngx"
lt_check "private dirs removed" lt_empty_dir "$TMPDIR"

lt_finish
