#!/usr/bin/env bash
# End to end: --sarif and --junit of a real batch run on the fixture nginx
# under real valgrind. Both valid by their schemas (the validators reject a
# broken file); SARIF results are exactly the failing rows (the growing
# leaks) at their file and line relative to --source-root, their
# fingerprints and the JUnit names the same in a second run; JUnit
# failures are the failing rows; --fail-on none and budgets pass (and
# say so); memcheck errors are results (errors under --fail-on error);
# a report path that cannot be written fails before the run.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq xmllint pgrep

schema=$lt_repo/tests/data/sarif/sarif-schema-2.1.0.json
xsd=$lt_repo/tests/data/junit/junit.xsd
# Debian's python3 with python3-jsonschema (tests/deps.list), never another one
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	lt_not_ok "/usr/bin/python3 with jsonschema is not installed (apt-get install python3-jsonschema; make deps installs them all)"
	lt_finish
	exit 1
fi
sarif_ok() { /usr/bin/python3 "$lt_repo/tests/tools/validate-sarif.py" "$schema" "$1"; }
junit_ok() { xmllint --noout --schema "$xsd" "$1" 2>&1; }
xcount() { xmllint --xpath "count($1)" "$2"; }
# both CMD... -- CMD... [-- CMD...]: every command succeeds (one lt_check
# over several conditions; "lt_check ... && ..." would test the rest outside it)
both() {
	local cmd=()
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then "${cmd[@]}" >/dev/null || return 1; cmd=(); else cmd+=("$1"); fi
		shift
	done
	"${cmd[@]}" >/dev/null
}

lt_fixture_setup
mod=ngx_http_leaky_module.c
urls=(-u /leak/alloc -u /leak/struct -u /cache/a)
run() {	# run NAME ARGS...: a batch run writing NAME.{sarif,xml,json}, in $lt_tmp
	local name=$1; shift	# (the current directory, the default root); sets rc
	lt_new_port "$conf"
	(cd "$lt_tmp" && exec "$LT" --batch -c "$conf" -n 60 --rounds 4 --sarif "$name.sarif" \
		--junit "$name.xml" --json "$name.json" "$@" "$NGINX") >"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err"
	rc=$?
}

# --- the leaks --------------------------------------------------------------
# The root the fixture's module was built from: its path in the frames
# less the path in the repository (the prebuilt nginx may come from
# another checkout).
run probe "${urls[@]}"
src=$(jq -r --arg m "$mod" 'first(.sites[] | select((.file // "") | endswith("/" + $m)) | .file)' \
	"$lt_tmp/probe.json")
root=${src%/tests/fixture/ngx_http_leaky_module/$mod}
lt_check "the fixture's source found in the frames ($src)" both [ -n "$src" ] -- [ "$root" != "$src" ]

run a "${urls[@]}" --source-root "$root"
lt_check "leaky run exits 1" [ "$rc" -eq 1 ]
lt_check "SARIF valid by the SARIF 2.1.0 schema" sarif_ok "$lt_tmp/a.sarif"
lt_check "JUnit valid by tests/data/junit/junit.xsd" junit_ok "$lt_tmp/a.xml"

# the failing rows by the JSON report: "KIND LINE", one per (kind, line)
short='{"definitely_lost":"definite","indirectly_lost":"indirect","possibly_lost":"possible","still_reachable":"reachable"}'
jq -r --argjson k "$short" '[.sites[] | select(.verdict == "fail") | "leak/\($k[.kind]) \(.file) \(.line)"] |
	unique[]' "$lt_tmp/a.json" | sed "s|$root/||" >"$lt_tmp/want"
jq -r '.runs[0].results[] | .ruleId + " " + .locations[0].physicalLocation.artifactLocation.uri + " " +
	(.locations[0].physicalLocation.region.startLine | tostring)' "$lt_tmp/a.sarif" | sort -u >"$lt_tmp/got"
lt_check "JSON has failing rows: alloc, struct, struct's member ($(wc -l <"$lt_tmp/want"))" \
	[ "$(wc -l <"$lt_tmp/want")" -ge 3 ]
lt_check "SARIF results = the failing rows, file relative to the root, line" cmp -s "$lt_tmp/want" "$lt_tmp/got" ||
	diff "$lt_tmp/want" "$lt_tmp/got"
n=$(jq '.runs[0].results | length' "$lt_tmp/a.sarif")
lt_check "one result per row ($n)" [ "$n" -eq "$(wc -l <"$lt_tmp/got")" ]
line=$(lt_leak_line leak_alloc)
lt_check "leak_alloc: leak/definite at tests/fixture/.../$mod:$line, SRCROOT, level error" jqt --argjson l "$line" \
	'[.runs[0].results[] | select(.ruleId == "leak/definite" and .level == "error" and
	  .locations[0].physicalLocation.artifactLocation.uriBaseId == "SRCROOT" and
	  .locations[0].physicalLocation.region.startLine == $l and
	  (.message.text | test("100.0 per /leak/alloc request")))] | length == 1' "$lt_tmp/a.sarif"
lt_check "SRCROOT is the source root" jqt --arg r "file://$root/" \
	'.runs[0].originalUriBaseIds.SRCROOT.uri == $r' "$lt_tmp/a.sarif"
lt_check "the bounded cache is no result" jqt \
	'[.runs[0].results[] | select(.message.text | test("ngx_http_leaky_cache"))] | length == 0' "$lt_tmp/a.sarif"
lt_check "codeFlows root first: main ... the allocation site last before the allocator" jqt \
	'.runs[0].results | all(.codeFlows[0].threadFlows[0].locations |
	  (.[0].location.logicalLocations[0].name == "main") and
	  (.[-1].location.logicalLocations[0].name | test("alloc")))' "$lt_tmp/a.sarif"
fails=$(xcount "//testcase/failure" "$lt_tmp/a.xml")
lt_check "JUnit failures = the failing rows ($fails)" both [ "$fails" -eq "$n" ] -- \
	[ "$(xmllint --xpath "string(/testsuites/testsuite/@failures)" "$lt_tmp/a.xml")" -eq "$n" ]
lt_check "JUnit names 'file:line function (kind)', classname the module's file" \
	[ "$(xcount "//testcase[@name='$mod:$line ngx_http_leaky_leak_alloc (definite)' and @classname='$mod']/failure" \
	"$lt_tmp/a.xml")" -eq 1 ]
lt_check "JUnit failure body is the stack" grep -q "  at ngx_http_leaky_handler (tests/fixture/" "$lt_tmp/a.xml"
lt_check "JUnit: the bounded cache passes" [ "$(xcount "//testcase[contains(@name, 'ngx_http_leaky_cache')]/failure" \
	"$lt_tmp/a.xml")" -eq 0 ]

# --- the same leaks in a second run: same fingerprints, same names ---------
run b "${urls[@]}" --source-root "$root"
fp() { jq -r '.runs[0].results[] | .ruleId + " " + .partialFingerprints["ngxLeaktopSite/v1"]' "$1" | sort; }
names() { xmllint --xpath "//testcase[@classname='$mod']/@name" "$1" | tr ' ' '\n' | sort; }
lt_check "second run exits 1 too" [ "$rc" -eq 1 ]
lt_check "fingerprints equal across runs ($(fp "$lt_tmp/a.sarif" | wc -l) results)" \
	[ "$(fp "$lt_tmp/a.sarif")" = "$(fp "$lt_tmp/b.sarif")" ]
lt_check "fingerprints distinct within a run" [ "$(fp "$lt_tmp/a.sarif" | awk '{print $2}' | sort -u | wc -l)" -eq "$n" ]
lt_check "JUnit names equal across runs" [ "$(names "$lt_tmp/a.xml")" = "$(names "$lt_tmp/b.xml")" ]
# the default root is the current directory: outside it, absolute file:// URIs
lt_check "without --source-root (the root: the current directory, elsewhere): absolute file:// URIs" jqt \
	'.runs[0].results | length > 0 and
	 all(.locations[0].physicalLocation.artifactLocation | (.uri | startswith("file:///")) and .uriBaseId == null)' \
	"$lt_tmp/probe.sarif"

# --- the validators reject broken reports ----------------------------------
jq '.runs[0].results[0].level = "fatal"' "$lt_tmp/a.sarif" >"$lt_tmp/bad.sarif"
! sarif_ok "$lt_tmp/bad.sarif" >/dev/null; lt_check "SARIF validator: a result with level fatal fails" [ $? -eq 0 ]
sed 's/<testcase /<testcase bogus="1" /' "$lt_tmp/a.xml" >"$lt_tmp/bad.xml"
! junit_ok "$lt_tmp/bad.xml" >/dev/null; lt_check "xmllint with the XSD: an unknown attribute fails" [ $? -eq 0 ]

# --- --fail-on none, budgets (4 x the biggest figure of both runs: the mix of
# URLs differs from burst to burst, so does a site's bytes per request of all) ---
run none "${urls[@]}" --fail-on none
lt_check "--fail-on none: exit 0" [ "$rc" -eq 0 ]
lt_check "--fail-on none: no SARIF result, valid" both jqt '.runs[0].results == []' "$lt_tmp/none.sarif" -- \
	sarif_ok "$lt_tmp/none.sarif"
lt_check "--fail-on none: no JUnit failure, every case still there" \
	both [ "$(xcount "//failure" "$lt_tmp/none.xml")" -eq 0 ] -- [ "$(xcount "//testcase" "$lt_tmp/none.xml")" -ge "$n" ]
max=$(jq -s '[.[].sites[] | .bytes_per_request, .bytes_per_reload] | max * 4 + 1' "$lt_tmp/a.json" "$lt_tmp/b.json")
run budget "${urls[@]}" --max-bytes-per-request "$max"
lt_check "--max-bytes-per-request $max (above every site): exit 0" [ "$rc" -eq 0 ]
lt_check "budget: no SARIF result" jqt '.runs[0].results == []' "$lt_tmp/budget.sarif"
under=$(xcount "//testcase[not(failure)]/system-out[contains(., 'under budget')]" "$lt_tmp/budget.xml")
lt_check "budget: the growing rows pass, their system-out says under budget ($under)" \
	both [ "$under" -ge 3 ] -- [ "$(xcount "//failure" "$lt_tmp/budget.xml")" -eq 0 ]
lt_check "budget: valid JUnit" junit_ok "$lt_tmp/budget.xml"
lt_check "budget: stderr says it too" grep -q "under budget, it does not fail the run" "$lt_tmp/budget.err"

# --- memcheck errors --------------------------------------------------------
run err -u /leak/alloc -u /bug/invalid-read --fail-on error
lt_check "--fail-on error with an invalid read: exit 1" [ "$rc" -eq 1 ]
lt_check "SARIF: memcheck/InvalidRead result, level error, its rule listed" jqt \
	'(.runs[0].results | map(select(.ruleId == "memcheck/InvalidRead" and .level == "error")) | length == 1) and
	 (.runs[0].tool.driver.rules | map(.id) | index("memcheck/InvalidRead"))' "$lt_tmp/err.sarif"
lt_check "SARIF with errors valid" sarif_ok "$lt_tmp/err.sarif"
lt_check "JUnit: the error is a failing case" [ "$(xcount "//testcase/failure[@type='memcheck/InvalidRead']" \
	"$lt_tmp/err.xml")" -eq 1 ]
lt_check "JUnit with errors valid" junit_ok "$lt_tmp/err.xml"

# --- a report that cannot be written: known before the run -----------------
start=$SECONDS
"$LT" --batch -c "$conf" -u /leak/alloc --sarif /nonexistent/dir/x.sarif "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "--sarif /nonexistent/dir/x.sarif: exit 2 at once" both [ "$rc" -eq 2 ] -- [ $((SECONDS - start)) -lt 5 ]
lt_check "one line naming --sarif ($(head -c 120 "$lt_tmp/err"))" both [ "$(wc -l <"$lt_tmp/err")" -eq 1 ] -- \
	grep -q -e --sarif "$lt_tmp/err"
"$LT" --batch -c "$conf" -u /leak/alloc --junit /nonexistent/dir/x.xml "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "--junit /nonexistent/dir/x.xml: exit 2, one line naming --junit" both [ "$rc" -eq 2 ] -- \
	[ "$(wc -l <"$lt_tmp/err")" -eq 1 ] -- grep -q -e --junit "$lt_tmp/err"
# /proc takes no file, not even root's (access(2) says root may write there)
"$LT" --batch -c "$conf" -u /leak/alloc --json /proc/x.json "$NGINX" >"$lt_tmp/out" 2>"$lt_tmp/err"
rc=$?
lt_check "--json /proc/x.json: exit 2, one line naming --json and /proc" both [ "$rc" -eq 2 ] -- \
	[ "$(wc -l <"$lt_tmp/err")" -eq 1 ] -- grep -q -e "--json path" "$lt_tmp/err" -- \
	grep -q "directory /proc" "$lt_tmp/err"
lt_check "nothing left running, private dirs removed" lt_nothing_left "$ngx" "$TMPDIR"

lt_finish
