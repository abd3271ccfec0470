#!/usr/bin/env bash
# valgrind's XML end to end: live memcheck errors from the fixture nginx at
# their exact lines, --fail-on error, the exit leak report, a crash named
# with its line, and offline --load of nginx and non-nginx XML files.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq tmux gzip cmp pgrep

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
bug_line() { grep -n "BUG: $1 \*/" "$LT_SRC" | head -n 1 | cut -d: -f1; }

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
# after the graceful stop each counts every request that hit it (round
# robin over the 3 URLs).
for kind in InvalidRead UninitCondition; do
	lt_check "$kind counted once per request to its URL, from valgrind's <errorcounts>" \
		jqt --arg k "$kind" '([.rounds[].requests] | add) as $n | $n > 0 and
			([.errors[] | select(.kind == $k) | .count] == [$n / 3])' "$lt_tmp/r.json"
done
lt_check "the table shows that count too" \
	grep -Eq "InvalidRead +$(jq '[.rounds[].requests] | add / 3' "$lt_tmp/r.json") " "$lt_tmp/out"
lt_check "InvalidRead carries where the block was allocated" \
	jqt '.errors[] | select(.kind == "InvalidRead") | .aux[0].note | test("after a block of size 16")' "$lt_tmp/r.json"
line=$(lt_leak_line leak_alloc)
lt_check "exit leak report: leak_alloc definitely lost at line $line" \
	jqt --argjson l "$line" '[.exit.sites[] | select(.kind == "definitely_lost" and .line == $l)] | length > 0' "$lt_tmp/r.json"
lt_check "exit report summary counts definite bytes" jqt '.exit.summary.definitely_lost.bytes > 0' "$lt_tmp/r.json"

"$LT" --batch -c "$conf" -u /leak/cycle -n 60 --rounds 2 --fail-on error "$NGINX" >/dev/null 2>&1
lt_check "--fail-on error without memcheck errors: exit 0" [ $? -eq 0 ]

line=$(bug_line crash)
"$LT" --batch -c "$conf" -u /leak/alloc -u /crash -n 40 --rounds 2 --json "$lt_tmp/c.json" "$NGINX" \
	>/dev/null 2>"$lt_tmp/err"
lt_check "crash: the message names SIGSEGV at ngx_http_leaky_module.c:$line" \
	grep -q "SIGSEGV.*ngx_http_leaky_crash (ngx_http_leaky_module.c:$line)" "$lt_tmp/err"
lt_check "crash: the JSON's end says so too" jqt '.end | test("ngx_http_leaky_crash")' "$lt_tmp/c.json" ||
	sed 's/^/#   /' "$lt_tmp/err"	# what it said instead
lt_check "crash: no exit report (valgrind does no leak search after a fatal signal)" \
	jqt '.exit == null' "$lt_tmp/c.json"
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
for f in "$lt_repo"/tests/data/xml/*.xml; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	"$LT" --load "$f" --batch --fail-on none --json "$lt_tmp/x.json" >/dev/null 2>"$lt_tmp/err"
	rc=$?
	if grep -q "<protocoltool>memcheck" "$f"; then
		lt_check "--load $name (memcheck): exit 0 and valid JSON" \
			bash -c "[ $rc -eq 0 ] && jq -e .ngx_leaktop '$lt_tmp/x.json' >/dev/null"
	else
		lt_check "--load $name (not memcheck): exit 2 with a message" \
			bash -c "[ $rc -eq 2 ] && [ -s '$lt_tmp/err' ]"
	fi
done
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
	"a --json report:$lt_tmp/report.json:not a --json report" \
	"valgrind's text log:$lt_tmp/text.log:not XML" \
	"a directory:$lt_tmp:Is a directory"; do
	IFS=: read -r what file pat <<<"$c"
	"$LT" --load "$file" --batch >/dev/null 2>"$lt_tmp/err"
	rc=$?
	lt_check "--load $what: exit 2 (got $rc), one line '$pat'" \
		bash -c "[ $rc -eq 2 ] && grep -qF -- '$pat' '$lt_tmp/err' && [ \$(wc -l <'$lt_tmp/err') -eq 1 ]"
done

lt_finish
