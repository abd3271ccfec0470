#!/usr/bin/env bash
# End to end, issue 18 items 5 and 6: --diff OLD NEW and folded stacks.
# Two real batch runs on the fixture nginx play a leaking build and a
# changed one: "leaking" sends /leak/alloc and /cache/a; "changed" sends
# /leak/struct and /cache/a (the /leak/alloc leak gone, a new one added).
#   1. A --json report loaded back (report_load, build/drivers/load_driver)
#      gives every site the growth, bytes per round and bytes per request
#      (and per URL) of the run that wrote it.
#   2. --diff between their session files, their JSON reports, and mixed:
#      the /leak/alloc row fixed, the two /leak/struct rows new, exit 1;
#      a third run, "worse", sends only /leak/alloc: worse one way (exit
#      1), better the other (exit 0);
#      --json checked with jq; a run against itself: all unchanged, exit 0;
#      --fail-on none and a budget pass.
#   3. --folded: one run's stacks (root first, bytes) and the diff's
#      two-column form, every line checked against the format
#      flamegraph.pl / inferno read (no reader of them is packaged in
#      Debian 12: a strict check of the format instead).
#   4. Bad inputs: exit 2 and one line naming the file.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq cmp gzip

lt_fixture_setup	# private TMPDIR, the fixture config: $ngx, $conf, $port
drv=$lt_repo/build/drivers/load_driver
[ -x "$drv" ] || { lt_not_ok "no $drv (make unit)"; lt_finish; exit 1; }
show() { sed 's/^/#   /' "$@"; }
t=$lt_tmp

run() {	# NAME URL...: a batch run, its session file and JSON report
	local name=$1; shift
	local args=() u
	for u; do args+=(-u "$u"); done
	lt_new_port "$conf"
	"$LT" --batch --session "$t/$name.jsonl" -c "$conf" --rounds 4 -n 60 -C 2 "${args[@]}" \
		--json "$t/$name.json" "$NGINX" >"$t/$name.out" 2>"$t/$name.err"
	echo "# $name: exit $?"
}
run leaking /leak/alloc /cache/a
run changed /leak/struct /cache/a
run worse /leak/alloc	# every request leaks: twice the bytes per request
lt_check "the leaking run: /leak/alloc grows" \
	jqt '.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .growth == "growing")' \
	"$t/leaking.json" || show "$t/leaking.err"
lt_check "the changed run: /leak/struct grows" \
	jqt '.sites[] | select(.function == "ngx_http_leaky_leak_struct" and .growth == "growing")' \
	"$t/changed.json" || show "$t/changed.err"

# --- 1. a JSON report loaded back ---------------------------------------------
sites='[.sites[] | {kind, file, line, function, growth, bytes, blocks,
	r: (.bytes_per_request * 1000 | round), rl: (.bytes_per_reload * 1000 | round),
	u: [.urls[] | [.url, (.bytes_per_request * 1000 | round)]], verdict}]
	| sort_by(.kind, .file, .line, .function, .bytes)'
for name in leaking changed; do
	"$drv" "$t/$name.json" >"$t/$name.back.json" 2>"$t/err"
	rc=$?
	jq -c "$sites" "$t/$name.json" >"$t/$name.want" 2>/dev/null
	jq -c "$sites" "$t/$name.back.json" >"$t/$name.got" 2>/dev/null
	n=$(jq length "$t/$name.want" 2>/dev/null)
	lt_check "$name.json loaded back (exit $rc): its $n sites with the same growth, bytes, blocks, B/req, URLs" \
		bash -c "[ $rc -eq 0 ] && [ ${n:-0} -gt 100 ] && cmp -s '$t/$name.want' '$t/$name.got'" ||
		{ show "$t/err"; diff <(jq . "$t/$name.want") <(jq . "$t/$name.got") | head -20 | show; }
done
lt_check "the leaking run's /leak/alloc row is attributed to /leak/alloc after loading" \
	jqt '.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .growth == "growing")
		| select(.urls[0].url | endswith("/leak/alloc"))' "$t/leaking.back.json"

# a report converted from valgrind's XML: one round, no url_requests (its
# verdicts were by --fail-on definite, as --load judges XML: left out)
"$LT" --load "$lt_repo/tests/data/memcheck_fixture.xml" --batch --json "$t/xml.json" >/dev/null 2>&1
"$drv" "$t/xml.json" >"$t/xml.back.json" 2>"$t/err"
rc=$?
lt_check "a report from valgrind's XML (1 round, no url_requests) loads back (exit $rc): the same sites and bytes" \
	bash -c "[ $rc -eq 0 ] && jq -e '(.rounds | length) == 1 and (.rounds[0] | has(\"url_requests\") | not)' '$t/xml.json' >/dev/null &&
		cmp -s <(jq -c '$sites | map(del(.verdict))' '$t/xml.json') <(jq -c '$sites | map(del(.verdict))' '$t/xml.back.json')" ||
	show "$t/err"
"$LT" --diff "$t/xml.json" "$t/xml.json" --json "$t/x.json" >/dev/null 2>&1
rc=$?
lt_check "--diff of that report with itself: exit 0 (got $rc), nothing but unchanged rows" \
	jqt '.counts.unchanged >= 1 and .counts.new == 0 and .counts.fixed == 0' "$t/x.json"

# --- 2. --diff ------------------------------------------------------------------
rows='[.rows[] | [.change, .kind, .function]] | sort'
for pair in "leaking.jsonl changed.jsonl" "leaking.json changed.json" \
	"leaking.jsonl changed.json" "leaking.json changed.jsonl"; do
	set -- $pair
	"$LT" --diff "$t/$1" "$t/$2" --json "$t/d.json" >"$t/d.out" 2>"$t/d.err"
	rc=$?
	lt_check "--diff $1 $2: exit 1 (got $rc)" [ "$rc" -eq 1 ] || show "$t/d.err"
	lt_check "--diff $1 $2: /leak/alloc fixed, /leak/struct's two rows new" \
		jqt '(.counts.new == 2) and (.counts.fixed == 1) and (.counts.worse == 0) and .fails
		and ([.rows[] | select(.change == "fixed" and .function == "ngx_http_leaky_leak_alloc"
			and .kind == "definitely_lost" and .new == null and .old.growth == "growing"
			and .old.bytes_per_request > 0)] | length == 1)
		and ([.rows[] | select(.change == "new" and .function == "ngx_http_leaky_leak_struct"
			and .old == null and .new.verdict == "fail")] | length == 2)' "$t/d.json" ||
		{ show "$t/d.out"; jq -c "$rows" "$t/d.json" | show; }
	jq -c "$rows" "$t/d.json" >"$t/rows.$1.$2"
done
lt_check "--diff: the same rows from session files, JSON reports or a mix" \
	bash -c "cat '$t'/rows.* | sort -u | wc -l | grep -qx 1"
lt_check "--diff table: the fixed and new rows and the summary line" \
	bash -c "grep -qE '^fixed +definite +ngx_http_leaky_module.c:[0-9]+ +ngx_http_leaky_leak_alloc +[0-9.]+ -> - +gone' '$t/d.out' &&
		grep -qE '^new +indirect +ngx_http_leaky_module.c:[0-9]+ +ngx_http_leaky_leak_struct +- -> [0-9.]+ +fail' '$t/d.out' &&
		grep -qE '^2 new, 1 fixed, 0 worse, 0 better, [0-9]+ unchanged$' '$t/d.out'" || show "$t/d.out"
lt_check "--diff says on stderr what fails, in one line" \
	bash -c "[ \$(wc -l <'$t/d.err') -eq 1 ] && grep -q 'new or worse than' '$t/d.err'" || show "$t/d.err"
lt_check "--diff --json: both runs named, with their nginx" \
	jqt --arg o "$t/leaking.json" '.old.path == $o and (.new.nginx | endswith("objs/nginx"))' "$t/d.json"

# a report from a pipe (a session file must be a path: it is read twice)
"$LT" --diff "$t/leaking.json" <(gzip -c "$t/changed.json" | gzip -dc) --json "$t/p.json" >/dev/null 2>&1
rc=$?
lt_check "--diff OLD <(gzip -dc NEW.json.gz): exit 1 (got $rc), the same rows" \
	bash -c "[ $rc -eq 1 ] && cmp -s <(jq -c '$rows' '$t/p.json') '$t/rows.leaking.json.changed.json'"
"$LT" --diff "$t/leaking.json" <(cat "$t/changed.jsonl") >/dev/null 2>"$t/err"
rc=$?
lt_check "--diff with a session file from a pipe: exit 2 (got $rc), one line saying so" \
	bash -c "[ $rc -eq 2 ] && grep -q 'not a pipe' '$t/err' && [ \$(wc -l <'$t/err') -eq 1 ]"

# the other way round: /leak/struct fixed, /leak/alloc new
"$LT" --diff "$t/changed.json" "$t/leaking.jsonl" --json - >"$t/r.json" 2>"$t/r.err"
rc=$?
lt_check "--diff NEW OLD swapped: exit 1 (got $rc), 1 new, 2 fixed; --json - on stdout, table on stderr" \
	bash -c "[ $rc -eq 1 ] && jq -e '.counts.new == 1 and .counts.fixed == 2' '$t/r.json' >/dev/null &&
		grep -q '^1 new, 2 fixed' '$t/r.err'" || show "$t/r.err"

# worse and better: /leak/alloc leaking on every request instead of every other
"$LT" --diff "$t/leaking.jsonl" "$t/worse.json" --json "$t/w.json" >"$t/w.out" 2>&1
rc=$?
lt_check "--diff to a run that leaks more per request: exit 1 (got $rc), the /leak/alloc row worse" \
	jqt '.counts.worse == 1 and .counts.new == 0 and .fails and ([.rows[] | select(.change == "worse"
		and .function == "ngx_http_leaky_leak_alloc" and .new.bytes_per_request > 1.1 * .old.bytes_per_request)]
		| length == 1)' "$t/w.json" || show "$t/w.out"
"$LT" --diff "$t/worse.jsonl" "$t/leaking.json" --json "$t/w.json" >"$t/w.out" 2>&1
rc=$?
lt_check "--diff the other way: exit 0 (got $rc), the /leak/alloc row better" \
	bash -c "[ $rc -eq 0 ] && jq -e '.counts.better == 1 and .counts.worse == 0 and (.fails | not)' '$t/w.json' >/dev/null" ||
	show "$t/w.out"

# a run against itself, as a session file and as a report
"$LT" --diff "$t/leaking.json" "$t/leaking.jsonl" --json "$t/s.json" >"$t/s.out" 2>"$t/s.err"
rc=$?
lt_check "--diff of a run with itself: exit 0 (got $rc), every row unchanged" \
	bash -c "[ $rc -eq 0 ] && jq -e '(.rows | length) >= 2 and ([.rows[] | select(.change != \"unchanged\")] | length == 0)
		and (.fails | not)' '$t/s.json' >/dev/null && grep -qE '^0 new, 0 fixed, 0 worse, 0 better, [0-9]+ unchanged$' '$t/s.out'" ||
	{ show "$t/s.out" "$t/s.err"; }

"$LT" --diff "$t/leaking.json" "$t/changed.json" --fail-on none >/dev/null 2>&1
rc=$?
lt_check "--diff --fail-on none: exit 0 (got $rc)" [ "$rc" -eq 0 ]
"$LT" --diff "$t/leaking.json" "$t/changed.json" --max-bytes-per-request 100000 \
	--json "$t/b.json" >/dev/null 2>&1
rc=$?
lt_check "--diff under a budget: exit 0 (got $rc), the new rows still listed, under budget" \
	bash -c "[ $rc -eq 0 ] && jq -e '.counts.new == 2 and ([.rows[] | select(.new.verdict == \"under budget\")] | length == 2)' '$t/b.json' >/dev/null"

# --sarif and --junit of a diff are written (their content: their own tests)
rm -f "$t/d.sarif" "$t/d.xml"
"$LT" --diff "$t/leaking.json" "$t/changed.json" --sarif "$t/d.sarif" --junit "$t/d.xml" \
	>/dev/null 2>&1
rc=$?
lt_check "--diff --sarif --junit: exit 1 (got $rc), both files written" \
	bash -c "[ $rc -eq 1 ] && [ -f '$t/d.sarif' ] && [ -f '$t/d.xml' ]"

# --- 3. folded stacks ---------------------------------------------------------------
one='^[^ ;]+(;[^ ;]+)* [0-9]+$'
two='^[^ ;]+(;[^ ;]+)* [0-9]+ [0-9]+$'
"$LT" --load "$t/leaking.jsonl" --batch --folded "$t/one.folded" >/dev/null 2>&1
rc=$?
lines=$(wc -l <"$t/one.folded" 2>/dev/null)
bad=$(grep -cvE "$one" "$t/one.folded" 2>/dev/null)
lt_check "--folded: exit 1 (got $rc), $lines lines, every one 'frame;frame;... BYTES' ($bad not)" \
	bash -c "[ $rc -eq 1 ] && [ ${lines:-0} -ge 1 ] && [ '$bad' = 0 ]" || show "$t/one.folded"
want=$(jq '[.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .kind == "definitely_lost") | .bytes[-1]] | add' "$t/leaking.json")
got=$(grep -E ';ngx_http_leaky_leak_alloc;ngx_alloc;malloc [0-9]+$' "$t/one.folded" | sed 's/.* //' | jq -s add)
lt_check "--folded: root first (main), the sites of /leak/alloc's row hold their latest bytes ($got of $want)" \
	bash -c "grep -q '^main;' '$t/one.folded' && [ '${got:-x}' = '$want' ] && ! grep -q ngx_http_leaky_cache '$t/one.folded'"
"$LT" --diff "$t/leaking.jsonl" "$t/changed.json" --folded "$t/two.folded" >/dev/null 2>&1
lines=$(wc -l <"$t/two.folded" 2>/dev/null)
bad=$(grep -cvE "$two" "$t/two.folded" 2>/dev/null)
lt_check "--diff --folded: $lines lines, every one 'frame;... OLD NEW' ($bad not)" \
	bash -c "[ ${lines:-0} -ge 3 ] && [ '$bad' = 0 ]" || show "$t/two.folded"
lt_check "--diff --folded: /leak/alloc only in OLD, /leak/struct only in NEW" \
	bash -c "grep -qE ';ngx_http_leaky_leak_alloc;ngx_alloc;malloc [1-9][0-9]* 0$' '$t/two.folded' &&
		grep -qE ';ngx_http_leaky_leak_struct;[^ ]* 0 [1-9][0-9]*$' '$t/two.folded' &&
		! grep -qE ';ngx_http_leaky_leak_struct;[^ ]* [1-9]' '$t/two.folded'" || show "$t/two.folded"

# --- 3b. what the change brought, as suppressions; a report on stdout --------------
"$LT" --diff "$t/leaking.jsonl" "$t/changed.jsonl" --gen-suppressions "$t/new.supp" >/dev/null 2>&1
rc=$?
lt_check "--diff --gen-suppressions: exit 1, the new leak_struct rows' blocks and not leak_alloc's" \
	bash -c "[ $rc -eq 1 ] && grep -q 'fun:ngx_http_leaky_leak_struct' '$t/new.supp' &&
		! grep -q 'fun:ngx_http_leaky_leak_alloc' '$t/new.supp' &&
		[ \$(grep -c '^{' '$t/new.supp') -ge 2 ]" || show "$t/new.supp"
"$LT" --diff "$t/leaking.jsonl" "$t/changed.jsonl" --folded - >"$t/dash.out" 2>"$t/dash.err"
lt_check "--diff --folded -: only the folded stacks on stdout, the table on stderr" \
	bash -c "[ -s '$t/dash.out' ] && ! grep -cvE '$two' '$t/dash.out' >/dev/null &&
		grep -q 'new' '$t/dash.err'" || show "$t/dash.out"
"$LT" --diff "$t/leaking.jsonl" "$t/changed.jsonl" --json - --sarif - >"$t/out" 2>"$t/err"
rc=$?
lt_check "two reports on stdout: exit 2 (got $rc), one line" \
	bash -c "[ $rc -eq 2 ] && grep -q 'only one report can go to standard output' '$t/err' &&
		[ \$(wc -l <'$t/err') -eq 1 ]" || show "$t/err"
"$LT" --load "$t/leaking.jsonl" --batch --fail-on error >"$t/out" 2>"$t/err"
rc=$?
lt_check "--load of a session file with --fail-on error: exit 2 (it keeps no memcheck errors)" \
	bash -c "[ $rc -eq 2 ] && grep -q 'keeps its leaks but not its memcheck errors' '$t/err'" || show "$t/err"
head -n 1 "$t/leaking.jsonl" >"$t/header-only.jsonl"
"$LT" --diff "$t/header-only.jsonl" "$t/changed.jsonl" >"$t/out" 2>"$t/err"
rc=$?
lt_check "--diff with a run stopped before its baseline: exit 2 (got $rc), one line" \
	bash -c "[ $rc -eq 2 ] && grep -q 'holds no completed check' '$t/err' && [ \$(wc -l <'$t/err') -eq 1 ]" ||
	show "$t/err"

# --- 4. bad inputs ------------------------------------------------------------------
printf '==1== Memcheck, a memory error detector\n' >"$t/text.log"
printf '{"version": "2.1.0", "runs": []}\n' >"$t/other.json"
head -c 2000 "$t/leaking.json" >"$t/cut.json"
for c in "a missing file:$t/nope.json:cannot open $t/nope.json" \
	"valgrind's text log:$t/text.log:not a session file or an ngx-leaktop JSON report" \
	"another tool's JSON:$t/other.json:another tool" \
	"a report cut short:$t/cut.json:broken JSON at line" \
	"a directory:$t:is a directory"; do
	IFS=: read -r what file pat <<<"$c"
	"$LT" --diff "$t/leaking.json" "$file" >"$t/out" 2>"$t/err"
	rc=$?
	lt_check "--diff with $what: exit 2 (got $rc), one line '$pat'" \
		bash -c "[ $rc -eq 2 ] && grep -qF -- '$pat' '$t/err' && [ \$(wc -l <'$t/err') -eq 1 ] && [ ! -s '$t/out' ]" ||
		show "$t/err"
done
"$LT" --diff "$t/leaking.json" "$t/changed.json" --json "$t/no/such/dir/d.json" >"$t/out" 2>"$t/err"
rc=$?
lt_check "--diff --json into a missing directory: exit 2 (got $rc), one line naming it" \
	bash -c "[ $rc -eq 2 ] && grep -qF '$t/no/such/dir/d.json' '$t/err' && [ \$(wc -l <'$t/err') -eq 1 ]" || show "$t/err"
"$LT" --diff "$t/leaking.json" >"$t/out" 2>"$t/err"
rc=$?
lt_check "--diff with one run: exit 2 (got $rc), one line" \
	bash -c "[ $rc -eq 2 ] && grep -q 'takes two runs' '$t/err' && [ \$(wc -l <'$t/err') -eq 1 ]"

lt_finish
