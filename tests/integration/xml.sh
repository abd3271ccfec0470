#!/usr/bin/env bash
# valgrind's XML end to end: live memcheck errors from the fixture nginx at
# their exact lines, --fail-on error, the exit leak report, a crash named
# with its line, and offline --load of nginx and non-nginx XML files.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq tmux gzip cmp pgrep

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
bug_line() { grep -n "BUG: $1 \*/" "$LT_SRC" | head -n 1 | cut -d: -f1; }

lt_new_port "$conf"	# a port of its own for each start
"$LT" --batch -c "$conf" -u /leak/alloc -u /bug/invalid-read -u /bug/uninit -n 60 --rounds 2 \
	--fail-on error --json "$lt_tmp/r.json" "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "--fail-on error with memcheck errors: exit 1 (got $rc)" [ "$rc" -eq 1 ]
for bug in invalid_read:InvalidRead uninit:UninitCondition; do
	mode=bug_${bug%%:*} kind=${bug#*:} line=$(bug_line "bug_${bug%%:*}")
	lt_check "live error $kind at ngx_http_leaky_module.c:$line in ngx_http_leaky_$mode" \
		jqt --arg k "$kind" --argjson l "$line" --arg f "ngx_http_leaky_$mode" \
		'[.errors[] | select(.kind == $k and .line == $l and .function == $f)] | length == 1' "$lt_tmp/r.json"
	lt_check "stderr announced $kind as it arrived" grep -q "memcheck $kind at ngx_http_leaky_module.c:$line" "$lt_tmp/err"
	lt_check "table lists $kind" grep -q "ngx_http_leaky_module.c:$line .*$kind" "$lt_tmp/out"
done
# valgrind writes each error once and its counts at exit (<errorcounts>):
# after the graceful stop each counts every request that hit it. Bursts of
# 60 over 3 URLs send 40 to URL k and 10 to each other in burst k
# (burst_plan): /bug/invalid-read (URL 1) got 10 + 40, /bug/uninit 10 + 10.
for kc in InvalidRead:50 UninitCondition:20; do
	kind=${kc%%:*} count=${kc#*:}
	lt_check "$kind counted once per request to its URL ($count), from valgrind's <errorcounts>" \
		jqt --arg k "$kind" --argjson c "$count" \
		'[.errors[] | select(.kind == $k) | .count] == [$c]' "$lt_tmp/r.json"
done
lt_check "the table shows that count too" grep -Eq "InvalidRead +50 " "$lt_tmp/out"
lt_check "InvalidRead carries where the block was allocated" \
	jqt '.errors[] | select(.kind == "InvalidRead") | .aux[0].note | test("after a block of size 16")' "$lt_tmp/r.json"
line=$(lt_leak_line leak_alloc)
lt_check "exit leak report: leak_alloc definitely lost at line $line" \
	jqt --argjson l "$line" '[.exit.sites[] | select(.kind == "definitely_lost" and .line == $l)] | length > 0' "$lt_tmp/r.json"
lt_check "exit report summary counts definite bytes, and no suppressed bytes it cannot know" jqt '.exit.summary.definitely_lost.bytes > 0 and (.exit.summary | has("suppressed") | not)' "$lt_tmp/r.json"

lt_new_port "$conf"	# a port of its own for each start
"$LT" --batch -c "$conf" -u /leak/cycle -n 60 --rounds 2 --fail-on error "$NGINX" >/dev/null 2>&1
lt_check "--fail-on error without memcheck errors: exit 0" [ $? -eq 0 ]

line=$(bug_line crash)
lt_new_port "$conf"	# a port of its own for each start
# -C 1: burst 0 weighs /leak/alloc at 3 of 4: /leak/alloc twice, then /crash
"$LT" --batch -c "$conf" -u /leak/alloc -u /crash -n 40 -C 1 --rounds 2 --json "$lt_tmp/c.json" "$NGINX" \
	>/dev/null 2>"$lt_tmp/err"
lt_check "crash: the message names SIGSEGV at ngx_http_leaky_module.c:$line" \
	grep -q "SIGSEGV.*ngx_http_leaky_crash (ngx_http_leaky_module.c:$line)" "$lt_tmp/err"
lt_check "crash: the JSON's end says so too" jqt '.end | test("ngx_http_leaky_crash")' "$lt_tmp/c.json" ||
	sed 's/^/#   /' "$lt_tmp/err"	# what it said instead
# valgrind's leak search runs after a fatal signal too (as in
# tests/data/xml/abort.xml): the two /leak/alloc before the crash, 200
# bytes (a connection's first request and the next: two stacks)
lt_check "crash: the exit report after it: leak_alloc's 200 bytes, definitely lost at line $(lt_leak_line leak_alloc)" \
	jqt --argjson l "$(lt_leak_line leak_alloc)" '([.exit.sites[] | [.kind, .function, .line]] | unique) ==
		[["definitely_lost", "ngx_http_leaky_leak_alloc", $l]] and
		([.exit.sites[].bytes[0]] | add) == 200 and
		.exit.summary.definitely_lost == {"bytes": 200, "blocks": 2}' "$lt_tmp/c.json" ||
	jq -c .exit "$lt_tmp/c.json" | sed 's/^/#   /'
lt_check "nothing left running, private dirs removed" lt_nothing_left "$ngx" "$TMPDIR"

# offline
"$LT" --load "$lt_repo/tests/data/memcheck_fixture.xml" --batch --json - >"$lt_tmp/o.json" 2>/dev/null
lt_check "--load nginx XML: exit 1 (definite leaks in its exit report)" [ $? -eq 1 ]
lt_check "--load nginx XML: 2 errors, exit report in the JSON" \
	jqt '(.errors | length) == 2 and (.sites | length) > 0' "$lt_tmp/o.json"
# tests/data/xml/gen/repeat.c: one InvalidRead 25 times, two ClientChecks
# with one stack 3 times each; valgrind wrote each once, then the counts.
"$LT" --load "$lt_repo/tests/data/xml/repeat.xml" --batch --fail-on none --json "$lt_tmp/rep.json" \
	>"$lt_tmp/out" 2>/dev/null
lt_check "--load repeat.xml: the InvalidRead in read_past counts 25 (<errorcounts>)" \
	jqt '[.errors[] | select(.kind == "InvalidRead" and .function == "read_past") | .count] == [25]' \
	"$lt_tmp/rep.json"
lt_check "--load repeat.xml: two ClientCheck errors with one stack: one row, 3 + 3" \
	jqt '[.errors[] | select(.kind == "ClientCheck") | .count] == [6]' "$lt_tmp/rep.json"
lt_check "--load repeat.xml: the table counts 25 and 6" \
	bash -c "grep -Eq 'read_past +InvalidRead +25 ' '$lt_tmp/out' && grep -Eq 'check +ClientCheck +6 ' '$lt_tmp/out'"
# --- each capture of tests/data/xml (see its README.md): all it holds ------------
# report_lines JSON: the report as sorted lines: each memcheck error (kind,
# count, where: function file:line, and the caller of that frame), each
# exit report site (kind, bytes (direct+indirect), blocks, where, caller),
# the exit summary, the rounds, why it ended.
report_lines() {
	jq -r '
	def base: if . == null then "?" else split("/") | last end;
	def at: "\(if (.function // "") == "" then "?" else .function end) \(.file | base):\(.line // "?")";
	def caller: . as $x | ($x.stack | map(.function == $x.function and .line == $x.line) | index(true)) as $i |
		$x.stack[$i + 1] | if . == null then "-" else "\(.function):\(.line // "?")" end;
	(.errors[] | "error \(.kind) x\(.count) at \(at) from \(caller)"),
	(.sites[] | "site \(.kind) \(.bytes | last) bytes (\(.direct_bytes)+\(.indirect_bytes)) in \(.blocks | last) at \(at) from \(caller)"),
	(.rounds[].summary | to_entries[] | select(.value.bytes > 0 or .value.blocks > 0) |
		"summary \(.key) \(.value.bytes) bytes in \(.value.blocks)"),
	"rounds \(.rounds | length)", "end \(.end // "-")"' "$1" | LC_ALL=C sort
}
# capture_is FILE: --load FILE exits 0 and its report is exactly the lines on stdin
capture_is() {
	local rc
	"$LT" --load "$1" --batch --fail-on none --json "$lt_tmp/x.json" >/dev/null 2>"$lt_tmp/err"
	rc=$?
	report_lines "$lt_tmp/x.json" >"$lt_tmp/got" 2>&1
	LC_ALL=C sort >"$lt_tmp/want"
	[ "$rc" -eq 0 ] && cmp -s "$lt_tmp/want" "$lt_tmp/got" && return 0
	echo "# --load ${1##*/}: exit $rc; want (<), got (>):"
	diff "$lt_tmp/want" "$lt_tmp/got" | sed 's/^/#   /'
	return 1
}
fails() { ! "$@" >/dev/null; }
xd=$lt_repo/tests/data/xml
# errors.c + mismatch.cc: each statement marked ERR: there. Where valgrind's
# own free, strcpy or malloc is the first frame, its caller is where.
# SyscallParam is in libc's write, called from two places; the jump to 0x10
# has no function. leak_indirect's block: its 16 bytes + the 200 it holds.
errors_common="\
error ClientCheck x1 at client_check errors.c:135 from main:214
error ClientCheck x1 at client_check errors.c:136 from main:214
error InvalidJump x1 at ? ?:? from main:215
error InvalidMemPool x1 at invalid_mempool errors.c:166 from main:216
error InvalidRead x1 at invalid_read errors.c:33 from main:204
error InvalidRead x1 at use_after_free errors.c:54 from main:206
error InvalidWrite x1 at invalid_write errors.c:43 from main:205
error SyscallParam x1 at write write.c:26 from syscall_param:96
error SyscallParam x1 at write write.c:26 from syscall_stack:107
error UninitCondition x1 at uninit_condition errors.c:85 from main:209
error UninitValue x1 at uninit_value errors.c:74 from main:208
end -
rounds 1
summary definitely_lost 116 bytes in 2
summary possibly_lost 300 bytes in 1"
errors_callers="\
error FishyValue x1 at fishy errors.c:124 from main:213
error InvalidFree x1 at invalid_free errors.c:64 from main:207
error MismatchedFree x1 at new_delete_array() mismatch.cc:20 from cxx_mismatch:27
error MismatchedFree x1 at new_free() mismatch.cc:12 from cxx_mismatch:26
error Overlap x1 at overlap errors.c:117 from main:212
site definitely_lost 100 bytes (100+0) in 1 at leak_definite errors.c:172 from main:218
site definitely_lost 216 bytes (16+200) in 1 at leak_indirect errors.c:180 from main:219
site possibly_lost 300 bytes (300+0) in 1 at leak_possible errors.c:189 from main:220"
errors_all="$errors_common
$errors_callers
site indirectly_lost 200 bytes (200+0) in 1 at leak_indirect errors.c:182 from main:219
site still_reachable 400 bytes (400+0) in 1 at leak_reachable errors.c:197 from main:221
summary indirectly_lost 200 bytes in 1
summary still_reachable 400 bytes in 1"
lt_check "--load errors.xml: 16 errors, the 5 exit sites of all four kinds, each at its ERR: line" \
	capture_is "$xd/errors.xml" <<<"$errors_all"
# --gen-suppressions=all: the same errors; the default leak kinds (no
# indirect, no reachable)
lt_check "--load errors_supp.xml: the same 16 errors, the definite and possible sites" \
	capture_is "$xd/errors_supp.xml" <<<"$errors_common
$errors_callers"
# --num-callers=2: after a frame of valgrind's own no caller is left
lt_check "--load errors_small.xml: the same errors and sites, 2 frames each" \
	capture_is "$xd/errors_small.xml" <<<"$errors_common
$(sed -e 's/ from [^ ]*$/ from -/' <<<"$errors_callers")"
lt_check "--load threads.xml: worker_bug's two errors, 67 bytes in 2 blocks of 2 threads" \
	capture_is "$xd/threads.xml" <<-'EOF'
	error InvalidRead x1 at worker_bug threads.c:20 from worker:37
	error InvalidWrite x1 at worker_bug threads.c:23 from worker:37
	site definitely_lost 67 bytes (67+0) in 2 at worker threads.c:40 from start_thread:442
	summary definitely_lost 67 bytes in 2
	rounds 1
	end -
	EOF
# the client-request checks while running are not the exit report: the
# exit check's 3 blocks, one per call of leak()
lt_check "--load clientleak.xml: the exit check's 3 blocks, not the running checks'" \
	capture_is "$xd/clientleak.xml" <<-'EOF'
	site definitely_lost 128 bytes (128+0) in 1 at leak clientleak.c:12 from main:24
	site definitely_lost 64 bytes (64+0) in 1 at leak clientleak.c:12 from main:20
	site definitely_lost 64 bytes (64+0) in 1 at leak clientleak.c:12 from main:23
	summary definitely_lost 256 bytes in 3
	rounds 1
	end -
	EOF
# SIGABRT in thread doomed; valgrind's leak search ran after it all the same
lt_check "--load abort.xml: the fatal signal, and the exit report after it" \
	capture_is "$xd/abort.xml" <<-'EOF'
	site possibly_lost 272 bytes (272+0) in 1 at allocate_dtv dl-tls.c:401 from _dl_allocate_tls:670
	summary possibly_lost 272 bytes in 1
	rounds 1
	end got SIGABRT in __pthread_kill_implementation (pthread_kill.c:44)
	EOF
lt_check "--load killed.xml: the one error before the kill, no exit report" \
	capture_is "$xd/killed.xml" <<-'EOF'
	error UninitCondition x1 at bug killed.c:14 from main:26
	rounds 0
	end -
	EOF
lt_check "--load killed.xml: says the file is cut off" grep -q "killed.xml is cut off (truncated" "$lt_tmp/err"
lt_check "--load repeat.xml: 25, and 3 + 3 in one row, from <errorcounts>" \
	capture_is "$xd/repeat.xml" <<-'EOF'
	error ClientCheck x6 at check repeat.c:24 from main:39
	error InvalidRead x25 at read_past repeat.c:18 from main:37
	rounds 1
	end -
	EOF
# the source name caf\xe9\x01.c is no UTF-8: U+FFFD for each of the 2 bytes
bad=caf$'\uFFFD\uFFFD'.c
lt_check "--load badbytes.xml: its error and its leak, the name's bad bytes replaced" \
	capture_is "$xd/badbytes.xml" <<-EOF
	error InvalidRead x1 at main $bad:11 from -
	site definitely_lost 4 bytes (4+0) in 1 at main $bad:9 from -
	summary definitely_lost 4 bytes in 1
	rounds 1
	end -
	EOF
"$LT" --load "$xd/helgrind.xml" --batch --fail-on none --json "$lt_tmp/x.json" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "--load helgrind.xml: exit 2 (got $rc), one line: not memcheck" \
	bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$lt_tmp/err') -eq 1 ] &&
		grep -q 'helgrind.xml: valgrind XML from helgrind, not memcheck' '$lt_tmp/err'"
lt_check "the 10 captures of tests/data/xml, each asserted above" [ "$(ls "$xd"/*.xml | wc -l)" -eq 10 ]
# One wrong value is seen: errors.xml with leak_definite's 100 bytes made 101.
sed -e 's|<leakedbytes>100</leakedbytes>|<leakedbytes>101</leakedbytes>|' "$xd/errors.xml" >"$lt_tmp/wrong.xml"
lt_check "a copy of errors.xml with one byte count changed fails the comparison" \
	fails capture_is "$lt_tmp/wrong.xml" <<<"$errors_all"
"$LT" --load "$lt_repo/README.md" --batch >/dev/null 2>"$lt_tmp/err"
lt_check "--load of a non-XML file: exit 2, names the file" \
	bash -c "[ $? -eq 2 ] && grep -q 'README.md' '$lt_tmp/err'"

# --load without --batch: the live screen over the file, then Q
tsock=$lt_tmp/tmux.sock
tmux -S "$tsock" new-session -d -s load -x 120 -y 30 \
	"'$LT' --load '$lt_repo/tests/data/memcheck_fixture.xml'; echo EXIT=\$? >'$lt_tmp/tui.rc'; sleep 30"
for _ in $(seq 100); do
	tmux -S "$tsock" capture-pane -t load -p 2>/dev/null | grep -q "ngx_http_leaky_leak_alloc" && break
	sleep 0.1
done
lt_check "--load in the live screen shows the exit report's leak_alloc line" \
	bash -c "tmux -S '$tsock' capture-pane -t load -p | grep -q 'ngx_http_leaky_module.c:$(lt_leak_line leak_alloc) *ngx_http_leaky_leak_alloc'"
tmux -S "$tsock" send-keys -t load E
for _ in $(seq 50); do
	tmux -S "$tsock" capture-pane -t load -p | grep -q "UninitCondition" && break
	sleep 0.1
done
lt_check "--load in the live screen: E lists the file's memcheck errors at their lines" \
	bash -c "tmux -S '$tsock' capture-pane -t load -p >'$lt_tmp/pane' &&
		grep -Eq 'ngx_http_leaky_module.c:$(bug_line bug_invalid_read) +ngx_http_leaky_bug_invalid_read +InvalidRead' '$lt_tmp/pane' &&
		grep -Eq 'ngx_http_leaky_module.c:$(bug_line bug_uninit) +ngx_http_leaky_bug_uninit +UninitCondition' '$lt_tmp/pane'"
tmux -S "$tsock" send-keys -t load Q
for _ in $(seq 50); do [ -s "$lt_tmp/tui.rc" ] && break; sleep 0.1; done
lt_check "--load in the live screen: Q exits 0" grep -q "EXIT=0" "$lt_tmp/tui.rc"
tmux -S "$tsock" kill-server 2>/dev/null

# --load from a pipe (a compressed XML log): the same report as the file
gzip -c "$lt_repo/tests/data/memcheck_fixture.xml" >"$lt_tmp/m.xml.gz"
"$LT" --load "$lt_repo/tests/data/memcheck_fixture.xml" --batch --json - 2>/dev/null |
	jq -S 'del(.nginx) | del(.. | .time_ms?)' >"$lt_tmp/from-file.json"
"$LT" --load <(gzip -dc "$lt_tmp/m.xml.gz") --batch --json - 2>/dev/null |
	jq -S 'del(.nginx) | del(.. | .time_ms?)' >"$lt_tmp/from-pipe.json"
lt_check "--load <(gzip -dc run.xml.gz): the same sites and errors as from the file" \
	bash -c "jq -e '(.sites | length) > 0 and (.errors | length) > 0' '$lt_tmp/from-pipe.json' >/dev/null &&
		cmp -s '$lt_tmp/from-file.json' '$lt_tmp/from-pipe.json'"

# --load of a --json report: the run again (as --diff and --baseline read it)
"$LT" --load "$lt_repo/tests/data/memcheck_fixture.xml" --batch --json "$lt_tmp/report.json" \
	>/dev/null 2>&1
"$LT" --load "$lt_tmp/report.json" --batch --json "$lt_tmp/again.json" >/dev/null 2>"$lt_tmp/err"
rc=$?
lt_check "--load of a --json report of the XML: exit 1 as the XML's (definite losses), the same sites again" \
	bash -c "[ $rc -eq 1 ] && [ \$(jq '.sites | length' '$lt_tmp/report.json') -gt 0 ] &&
		[ \$(jq '[.sites[] | [.kind, .function, .line]] | sort' '$lt_tmp/report.json' | sha256sum | cut -c1-16) = \
		  \$(jq '[.sites[] | [.kind, .function, .line]] | sort' '$lt_tmp/again.json' | sha256sum | cut -c1-16) ]"

# --load of what is not a session file or valgrind's XML: one line, exit 2,
# never "no leaks" (exit 0) from a file that holds nothing
: >"$lt_tmp/empty.xml"
printf '<?xml version="1.0"?>\n' >"$lt_tmp/prolog.xml"
"$LT" --load "$lt_repo/tests/data/memcheck_fixture.xml" --batch --json "$lt_tmp/report.json" \
	>/dev/null 2>&1
printf '==1== Memcheck, a memory error detector\n' >"$lt_tmp/text.log"
for c in "empty file:$lt_tmp/empty.xml:holds no valgrind output (truncated: empty input)" \
	"/dev/null:/dev/null:holds no valgrind output" \
	"XML cut before <valgrindoutput>:$lt_tmp/prolog.xml:holds no valgrind output" \
	"valgrind's text log:$lt_tmp/text.log:not XML" \
	"a directory:$lt_tmp:Is a directory"; do
	IFS=: read -r what file pat <<<"$c"
	"$LT" --load "$file" --batch >/dev/null 2>"$lt_tmp/err"
	rc=$?
	lt_check "--load $what: exit 2 (got $rc), one line '$pat'" \
		bash -c "[ $rc -eq 2 ] && grep -qF -- '$pat' '$lt_tmp/err' && [ \$(wc -l <'$lt_tmp/err') -eq 1 ]"
done

lt_finish
