#!/usr/bin/env bash
# Prove the fixture's ground truth with valgrind itself, without ngx-leaktop.
#
# usage: tests/ground-truth.sh [--capture] [NGINX_BINARY]
#
#   NGINX_BINARY  default <repo>/build/nginx/objs/nginx, (re)built first with
#                 tests/nginx/build-nginx.sh (a no-op when up to date)
#   --capture     also save the real outputs under tests/data/ (fixtures for
#                 the C parser's unit tests); normal runs leave them alone
#
# Run 1 (text, vgdb): three rounds of requests, each followed by
# `leak_check full reachable any`; asserts kind and exact growth of every
# leaking site (found by the /* LEAK: mode */ markers in the module source),
# and that the cache, lazy and clean sites do not grow.
# Run 2 (XML): hits /bug/invalid-read and /bug/uninit, exits gracefully;
# asserts the errors and the exit leak report.
# Run 3 (XML): hits /crash; asserts the SIGSEGV at the marked line.
# Run 4 (text, vgdb, master and 2 workers, "leaky_reload_leak on;"): two
# reloads (SIGHUP), a check of the master after start and after each;
# asserts the per-load leaks of ngx_http_leaky_reload.c (72 B definitely
# lost, a 48 B node more on a reachable list, per load), and that run 1,
# without the directive, has no record there.
#
# Prints "ok - ..." / "not ok - ..." per assertion and ends with
# "N passed, M failed"; exits 1 if M > 0.

set -euo pipefail

script_path=$(readlink -f "${BASH_SOURCE[0]}")
repo=$(cd "$(dirname "$script_path")/.." && pwd -P)
fixture=$repo/tests/fixture
src=$fixture/ngx_http_leaky_module/ngx_http_leaky_module.c
data=$repo/tests/data

capture=no
nginx=
while [ $# -gt 0 ]; do
    case $1 in
    --capture) capture=yes ;;
    -h|--help) sed -n '2,20p' "$script_path" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "ground-truth.sh: unknown option $1" >&2; exit 2 ;;
    *) nginx=$1 ;;
    esac
    shift
done

if [ -z "$nginx" ]; then
    nginx=$("$repo/tests/nginx/build-nginx.sh" | tail -n 1)
    nginx=${nginx#fixture nginx up to date: }
fi
[ -x "$nginx" ] || { echo "ground-truth.sh: no nginx binary at $nginx" >&2; exit 2; }
nginx=$(readlink -f "$nginx")

# Every command it runs, or a failure naming the package (tests/deps.list).
for tool in valgrind vgdb curl timeout; do
    command -v "$tool" >/dev/null && continue
    echo "not ok - $tool is not installed (apt-get install $(bash "$repo/tests/setup-deps.sh" --package-of "$tool"); make deps installs them all)"
    echo "0 passed, 1 failed"
    exit 2
done

ROUND_REQUESTS=20       # per leak location and round

# --- process and temp dir hygiene ----------------------------------------

tmp=$(mktemp -d)
chmod 700 "$tmp"
vg_pid=

alive() {   # pid: running and not a zombie
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

stop_nginx() {   # graceful SIGQUIT, bounded wait, then SIGKILL; reaps
    local i
    [ -n "$vg_pid" ] || return 0
    if alive "$vg_pid"; then
        kill -QUIT "$vg_pid" 2>/dev/null || true
        for ((i = 0; i < 300; i++)); do
            alive "$vg_pid" || break
            sleep 0.1
        done
        if alive "$vg_pid"; then
            echo "# nginx $vg_pid ignored SIGQUIT for 30 s: SIGKILL" >&2
            kill -KILL "$vg_pid" 2>/dev/null || true
        fi
    fi
    wait "$vg_pid" 2>/dev/null || true
    vg_pid=
}

cleanup() {
    local rc=$?
    stop_nginx
    if [ -n "${NGX_LEAKTOP_KEEP_TMP:-}" ]; then
        echo "# kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- TAP-ish reporting ---------------------------------------------------

passed=0
failed=0

ok() {       # description
    passed=$((passed + 1))
    echo "ok - $1"
}

not_ok() {   # description [diagnostic...]
    failed=$((failed + 1))
    echo "not ok - $1"
    shift
    local d
    for d in "$@"; do
        echo "#   $d"
    done
}

check() {    # description, then a command: ok when it succeeds
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

expect_eq() {   # description, got, want
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "got $2, want $3"
    fi
}

# --- the fixture's markers -----------------------------------------------

# marker_lines TAG: line numbers of "/* TAG */" in the module, space separated
marker_lines() {
    grep -nF "/* $1 */" "$src" | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//'
}

# marker_function LINE: name of the function that contains LINE
marker_function() {
    awk -v want="$1" '
        /^[a-z_][a-z_0-9]*\(/ { fn = $0; sub(/\(.*/, "", fn) }
        NR == want { print fn; exit }
    ' "$src"
}

line_of() {   # TAG: exactly one line, or die
    local l
    l=$(marker_lines "$1")
    case $l in
    ''|*' '*) echo "ground-truth.sh: want one '/* $1 */' line in $src, got '$l'" >&2; exit 2 ;;
    esac
    echo "$l"
}

L_ALLOC=$(line_of "LEAK: leak_alloc")
L_STRUCT=$(line_of "LEAK: leak_struct")
L_MEMBER=$(line_of "LEAK: leak_struct/member")
L_POOL=$(line_of "LEAK: leak_pool")
L_POOL_PALLOC=$(line_of "LEAK: leak_pool/palloc")
L_CYCLE=$(line_of "LEAK: leak_cycle")
L_CACHE=$(line_of "LEAK: cache")
L_LAZY=$(line_of "LEAK: lazy")
L_CLEAN=$(marker_lines "LEAK: clean")
L_INVALID=$(line_of "BUG: bug_invalid_read")
L_UNINIT=$(line_of "BUG: bug_uninit")
L_CRASH=$(line_of "BUG: crash")
[ -n "$L_CLEAN" ] || { echo "ground-truth.sh: no '/* LEAK: clean */' line in $src" >&2; exit 2; }

echo "# nginx: $nginx"
echo "# markers: leak_alloc=$L_ALLOC leak_struct=$L_STRUCT leak_struct/member=$L_MEMBER" \
     "leak_pool=$L_POOL leak_pool/palloc=$L_POOL_PALLOC leak_cycle=$L_CYCLE" \
     "cache=$L_CACHE lazy=$L_LAZY clean=[$L_CLEAN] bug_invalid_read=$L_INVALID" \
     "bug_uninit=$L_UNINIT crash=$L_CRASH"

# --- nginx under valgrind ------------------------------------------------

port_free() {
    if command -v ss >/dev/null; then
        [ -z "$(ss -Htan "sport = :$1" 2>/dev/null)" ]
    else
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 1
        fi
    fi
}

pick_port() {
    local i p
    for ((i = 0; i < 100; i++)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if port_free "$p"; then
            echo "$p"
            return 0
        fi
    done
    echo "ground-truth.sh: no free port found" >&2
    return 1
}

# start_nginx NAME VALGRIND_OPTIONS...: runs in $tmp/NAME, sets vg_pid, port, base
start_nginx() {
    local name=$1 i
    shift
    run=$tmp/$name
    mkdir -p "$run/logs"
    port=$(pick_port)
    base=http://127.0.0.1:$port
    sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$run|g" -e "s|@HTML@|$fixture/html|g" \
        "$fixture/nginx.conf.in" >"$run/nginx.conf"

    valgrind --tool=memcheck --num-callers=30 --keep-stacktraces=alloc-and-free \
        --fullpath-after= --log-file="$run/vg.log" "$@" \
        "$nginx" -p "$run/" -c "$run/nginx.conf" \
        -g 'daemon off; master_process off;' \
        </dev/null >"$run/stdout" 2>"$run/stderr" &
    vg_pid=$!

    for ((i = 0; i < 600; i++)); do
        if ! alive "$vg_pid"; then
            break
        fi
        if curl -s -o /dev/null --max-time 5 "$base/status"; then
            echo "# $name: nginx under valgrind (pid $vg_pid) answers on $base after $((i / 10)).$((i % 10)) s"
            return 0
        fi
        sleep 0.1
    done
    echo "ground-truth.sh: $name: nginx under valgrind did not come up on $base" >&2
    tail -n 20 "$run/vg.log" "$run/stderr" "$run/logs/error.log" >&2 2>/dev/null || true
    exit 1
}

vgdb_cmd() {   # monitor command words; output on stdout
    timeout 60 vgdb --vgdb-prefix="$run/vgdb" --pid="$vg_pid" "$@" 2>>"$run/vgdb.err"
}

# fetch DESCRIPTION URL...: every URL once over one curl (keepalive);
# asserts that all of them answered 200
fetch() {
    local desc=$1 u codes n bad
    shift
    local args=()
    for u in "$@"; do
        args+=(-o /dev/null "$base$u")
    done
    codes=$(curl -sg --max-time 60 -w '%{http_code}\n' "${args[@]}" || true)
    n=$(grep -c . <<<"$codes" || true)
    bad=$(grep -vc '^200$' <<<"$codes" || true)
    if [ "$n" -eq $# ] && [ "$bad" -eq 0 ]; then
        ok "$desc: $# requests answered 200"
    else
        not_ok "$desc: $# requests answered 200" "$n answers, $bad not 200"
    fi
}

repeat() {   # COUNT URL...: each URL COUNT times
    local count=$1 u i
    shift
    for u in "$@"; do
        for ((i = 0; i < count; i++)); do
            echo "$u"
        done
    done
}

# --- parsing leak_check text ---------------------------------------------

# records FILE: one line per loss record:
#   kind <TAB> direct <TAB> total <TAB> blocks <TAB> frame;frame;...
# direct = total bytes except for "definitely lost" records with an indirect
# part ("N (D direct, I indirect) bytes"), where it is D; a frame is fn@file:line (basename) or
# fn@in obj.  Delta annotations "(+N)" are dropped.
records() {
    awk '
        function flush() {
            if (kind != "") print kind "\t" bytes "\t" total "\t" blocks "\t" frames
            kind = ""
        }
        {
            line = $0
            sub(/^==[0-9]+== ?/, "", line)
        }
        line ~ / bytes in [0-9,]+ (\([-+][0-9,]+\) )?blocks are .* in loss record / {
            flush()
            gsub(/ \([-+][0-9,]+\)/, "", line)
            gsub(/,/, "", line)
            split(line, w, " ")
            bytes = w[1]
            total = w[1]
            if (match(line, /\([0-9]+ direct/)) {
                bytes = substr(line, RSTART + 1, RLENGTH - 8)
            }
            b = line
            sub(/.* bytes in /, "", b)
            sub(/ blocks are .*/, "", b)
            blocks = b
            k = line
            sub(/.* blocks are /, "", k)
            sub(/ in loss record .*/, "", k)
            kind = k
            frames = ""
            next
        }
        kind != "" && line ~ /^ +(at|by) 0x[0-9A-Fa-f]+: / {
            f = line
            sub(/^ +(at|by) 0x[0-9A-Fa-f]+: /, "", f)
            fn = f
            sub(/ \(.*$/, "", fn)
            loc = ""
            if (match(f, /\(.*\)$/)) {
                loc = substr(f, RSTART + 1, RLENGTH - 2)
                if (loc !~ /^in /) sub(/.*\//, "", loc)
            }
            frames = frames (frames == "" ? "" : ";") fn "@" loc
            next
        }
        kind != "" && line !~ /^ +(at|by) / && line !~ /^ *of which reachable/ { flush() }
        END { flush() }
    ' "$1"
}

# site FILE KIND LINE [all]: "DIRECT TOTAL RECORDS" summed over records of KIND
# (any kind if KIND is "*") with a frame of the marker function at LINE.
# Records reached through ngx_palloc_block (a new pool block that happened
# to be allocated on the site's stack) are left out unless "all" is given.
site() {
    local file=$1 kind=$2 line=$3 all=${4:-} fn
    fn=$(marker_function "$line")
    records "$file" | awk -F'\t' -v kind="$kind" -v frame="$fn@${site_file:-ngx_http_leaky_module.c}:$line" -v all="$all" '
        (kind == "*" || $1 == kind) {
            n = split($5, fr, ";")
            hit = 0; block = 0
            for (i = 1; i <= n; i++) {
                if (fr[i] == frame) hit = 1
                if (fr[i] ~ /^ngx_palloc_block@/) block = 1
            }
            if (hit && (all != "" || !block)) { direct += $2; total += $3; recs++ }
        }
        END { printf "%d %d %d\n", direct, total, recs }
    '
}

site_bytes() { site "$@" | cut -d' ' -f1; }
site_total() { site "$@" | cut -d' ' -f2; }
site_recs() { site "$@" | cut -d' ' -f3; }

complete_check() {   # FILE: a whole leak report came back
    grep -q 'LEAK SUMMARY:' "$1" && grep -q 'still reachable: ' "$1"
}

# --- run 1: leak checks over three rounds --------------------------------

start_nginx text --vgdb=yes --vgdb-prefix="$tmp/text/vgdb"

leak_urls=(/leak/alloc /leak/struct /leak/pool /leak/cycle /lazy /clean)

round() {   # N CACHE_URI...
    local n=$1
    shift
    mapfile -t urls < <(repeat "$ROUND_REQUESTS" "${leak_urls[@]}"; repeat 2 "$@")
    fetch "round $n" "${urls[@]}"
}

check_file() {   # N
    local f=$run/check$1.txt
    vgdb_cmd leak_check full reachable any >"$f" || true
    check "leak_check $1: complete report" complete_check "$f"
}

# cache: 4 new keys in round 1, 8 new keys in round 2 (4 fit, then full),
# 8 new keys in round 3 (all rejected); each key requested twice
round 1 /cache/r1-{0..3}
check_file 1
round 2 /cache/r2-{0..7}
check_file 2
round 3 /cache/r3-{0..7}
check_file 3

c1=$run/check1.txt c2=$run/check2.txt c3=$run/check3.txt

# growing_site DESC KIND LINE PER_REQUEST: present in all checks with the kind,
# ROUND_REQUESTS * PER_REQUEST bytes more at each check. valgrind's scan is
# conservative: a stale pointer into the latest block (nginx's stack, a
# register) can keep it out of its kind at one check (CI saw one 1024 B
# pool of 20 "possibly lost" at check 1). So every round's bytes are there
# in some kind, and in the kind itself but at most one request's worth.
growing_site() {
    local desc=$1 kind=$2 line=$3 per=$4 n b any want
    want=$((ROUND_REQUESTS * per))
    for n in 1 2 3; do
        b=$(site_bytes "$run/check$n.txt" "$kind" "$line")
        any=$(site_bytes "$run/check$n.txt" '*' "$line")
        expect_eq "$desc: $((n * want)) bytes after round $n, in any kind" "$any" "$((n * want))"
        check "$desc: of them, $kind all but at most one request's $per B ($b)" \
            test "$b" -le "$((n * want))" -a "$b" -ge "$((n * want - per))"
    done
    if [ "$(site_recs "$c1" "$kind" "$line")" -gt 0 ] \
       && [ "$(site_recs "$c2" "$kind" "$line")" -gt 0 ] \
       && [ "$(site_recs "$c3" "$kind" "$line")" -gt 0 ]; then
        ok "$desc: $kind at $(marker_function "$line") line $line"
    else
        not_ok "$desc: $kind at $(marker_function "$line") line $line" \
               "records at check 1..3: $(site "$c1" '*' "$line") / $(site "$c3" '*' "$line") (any kind)"
    fi
}

growing_site "leak_alloc" "definitely lost" "$L_ALLOC" 100
growing_site "leak_struct" "definitely lost" "$L_STRUCT" 48
growing_site "leak_struct member" "indirectly lost" "$L_MEMBER" 200
growing_site "leak_pool" "definitely lost" "$L_POOL" 1024
growing_site "leak_pool palloc" "indirectly lost" "$L_POOL_PALLOC" 64
cycle_uri=/leak/cycle   # ngx_pstrdup copies r->uri without a NUL
growing_site "leak_cycle" "still reachable" "$L_CYCLE" ${#cycle_uri}

# the indirect part of the struct and pool records ("N (D direct, I indirect)"):
# every request's, but for the latest one's at most (the conservative scan)
rounds=3
indirect_part() {   # DESC LINE PER_REQUEST
    local got want=$((rounds * ROUND_REQUESTS * $3))
    got=$(( $(site_total "$c3" "definitely lost" "$2") - $(site_bytes "$c3" "definitely lost" "$2") ))
    check "$1 ($got of $want B)" test "$got" -le "$want" -a "$got" -ge "$((want - $3))"
}
indirect_part "leak_struct: its definitely lost records carry the members as indirect part" "$L_STRUCT" 200
indirect_part "leak_pool: its definitely lost records carry the pallocs as indirect part" "$L_POOL" 64

# cache: 4 x 256 after round 1, 8 x 256 after round 2, flat in round 3
b1=$(site_bytes "$c1" "still reachable" "$L_CACHE" all)
b2=$(site_bytes "$c2" "still reachable" "$L_CACHE" all)
b3=$(site_bytes "$c3" "still reachable" "$L_CACHE" all)
expect_eq "cache: still reachable, 4 x 256 bytes after round 1" "$b1" 1024
expect_eq "cache: fills up to 8 x 256 bytes in round 2" "$b2" 2048
expect_eq "cache: does not grow in round 3 (all kinds)" \
    "$(site "$c3" '*' "$L_CACHE" all)" "$(site "$c2" '*' "$L_CACHE" all)"

# lazy: one 512-byte block, flat from the first check on
expect_eq "lazy: one still reachable 512-byte block after round 1" \
    "$(site_bytes "$c1" "still reachable" "$L_LAZY" all)" 512
expect_eq "lazy: does not grow in rounds 2 and 3 (all kinds)" \
    "$(site "$c1" '*' "$L_LAZY" all) $(site "$c2" '*' "$L_LAZY" all)" \
    "$(site "$c2" '*' "$L_LAZY" all) $(site "$c3" '*' "$L_LAZY" all)"

# clean: no record at all at any of its lines
clean_recs=0
for l in $L_CLEAN; do
    for f in "$c1" "$c2" "$c3"; do
        clean_recs=$((clean_recs + $(site_recs "$f" '*' "$l" all)))
    done
done
expect_eq "clean: no loss record at lines $L_CLEAN in any check" "$clean_recs" 0

# --capture: the other monitor outputs the C parser must read.  An idle
# client connection is open during the "increased" check and closed before
# the "changed" check, so "changed" shows records that dropped to zero.
if [ "$capture" = yes ]; then
    mapfile -t urls < <(repeat 5 "${leak_urls[@]}" /cache/r4-0)
    fetch "capture round 4" "${urls[@]}"
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3
    sleep 0.5
    vgdb_cmd leak_check full reachable increased >"$run/increased.txt" || true
    exec 3>&-
    sleep 0.5
    fetch "capture round 5" /leak/alloc /leak/cycle
    vgdb_cmd leak_check full reachable changed >"$run/changed.txt" || true
    vgdb_cmd leak_check summary >"$run/summary.txt" || true
    check "capture: increased report complete" complete_check "$run/increased.txt"
    check "capture: changed report complete" complete_check "$run/changed.txt"
    check "capture: changed report shows a record that dropped to 0" \
        grep -qE ' 0 \(-[0-9,]+\) bytes in 0 \(-[0-9,]+\) blocks' "$run/changed.txt"
    check "capture: summary report complete" complete_check "$run/summary.txt"
fi

stop_nginx
check "text run: nginx exited after SIGQUIT, valgrind wrote its exit summary" \
    grep -q 'ERROR SUMMARY: 0 errors' "$run/vg.log"
text_run=$run

# --- run 2: XML with memcheck errors and an exit leak report -------------

start_nginx xml --vgdb=no --xml=yes --xml-file="$tmp/xml/memcheck.%p.xml" \
    --show-leak-kinds=all

mapfile -t urls < <(repeat 2 "${leak_urls[@]}" /cache/x-0 /cache/x-1)
urls+=(/bug/invalid-read /bug/uninit /)
fetch "xml run" "${urls[@]}"
xml_pid=$vg_pid
stop_nginx
xml=$run/memcheck.$xml_pid.xml

# xml_error KIND LINE FN: an <error> of KIND whose stack has FN at LINE
xml_error() {
    awk -v kind="$1" -v line="$2" -v fn="$3" '
        /<error>/ { inerr = 1; k = ""; hitfn = 0; got = 0 }
        inerr && /<kind>/ { k = $0; gsub(/.*<kind>|<\/kind>.*/, "", k) }
        inerr && /<fn>/ { f = $0; gsub(/.*<fn>|<\/fn>.*/, "", f); hitfn = (f == fn) }
        inerr && /<file>ngx_http_leaky_module.c<\/file>/ { infile = hitfn }
        inerr && /<line>/ { l = $0; gsub(/.*<line>|<\/line>.*/, "", l)
                            if (infile && l == line) got = 1; infile = 0 }
        /<\/error>/ { if (inerr && k == kind && got) found = 1; inerr = 0 }
        END { exit !found }
    ' "$xml"
}

check "xml: document complete" grep -q '</valgrindoutput>' "$xml"
check "xml: InvalidRead at $(marker_function "$L_INVALID") line $L_INVALID" \
    xml_error InvalidRead "$L_INVALID" "$(marker_function "$L_INVALID")"
check "xml: UninitCondition at $(marker_function "$L_UNINIT") line $L_UNINIT" \
    xml_error UninitCondition "$L_UNINIT" "$(marker_function "$L_UNINIT")"
check "xml: exit report has Leak_DefinitelyLost at leak_alloc line $L_ALLOC" \
    xml_error Leak_DefinitelyLost "$L_ALLOC" "$(marker_function "$L_ALLOC")"
check "xml: exit report has Leak_IndirectlyLost at leak_struct/member line $L_MEMBER" \
    xml_error Leak_IndirectlyLost "$L_MEMBER" "$(marker_function "$L_MEMBER")"
check "xml: exit report has Leak_DefinitelyLost at leak_pool line $L_POOL" \
    xml_error Leak_DefinitelyLost "$L_POOL" "$(marker_function "$L_POOL")"

# --- run 3: XML with a crash ---------------------------------------------

# xml_fatal SIGNAME FN LINE: a <fatal_signal> SIGNAME whose top frame is FN at LINE
xml_fatal() {
    awk -v sig="$1" -v fn="$2" -v line="$3" '
        /<fatal_signal>/ { infs = 1; s = ""; f = ""; l = "" }
        infs && /<signame>/ { s = $0; gsub(/.*<signame>|<\/signame>.*/, "", s) }
        infs && /<fn>/ && f == "" { f = $0; gsub(/.*<fn>|<\/fn>.*/, "", f) }
        infs && /<line>/ && l == "" { l = $0; gsub(/.*<line>|<\/line>.*/, "", l) }
        /<\/fatal_signal>/ { if (s == sig && f == fn && l == line) found = 1; infs = 0 }
        END { exit !found }
    ' "$xml"
}

start_nginx crash --vgdb=no --xml=yes --xml-file="$tmp/crash/memcheck.%p.xml"
crash_pid=$vg_pid
# bash reports the SIGSEGV death of its job on stderr: not news here
exec 4>&2 2>/dev/null
curl -s -o /dev/null --max-time 60 "$base/crash" || true
for ((i = 0; i < 300; i++)); do
    alive "$vg_pid" || break
    sleep 0.1
done
crash_status=0
if alive "$vg_pid"; then
    stop_nginx
else
    wait "$vg_pid" 2>/dev/null || crash_status=$?
    vg_pid=
fi
exec 2>&4 4>&-
xml=$run/memcheck.$crash_pid.xml

expect_eq "crash: nginx died of SIGSEGV (exit status 139)" "$crash_status" 139
check "crash: xml has InvalidWrite at $(marker_function "$L_CRASH") line $L_CRASH" \
    xml_error InvalidWrite "$L_CRASH" "$(marker_function "$L_CRASH")"
check "crash: xml <fatal_signal> SIGSEGV in $(marker_function "$L_CRASH") line $L_CRASH" \
    xml_fatal SIGSEGV "$(marker_function "$L_CRASH")" "$L_CRASH"
check "crash: xml document complete" grep -q '</valgrindoutput>' "$xml"

# --- run 4: leaks per configuration load (master, workers, reloads) -----

src=$fixture/ngx_http_leaky_module/ngx_http_leaky_reload.c
site_file=ngx_http_leaky_reload.c
L_RELOAD=$(line_of "LEAK: reload")
L_RELOAD_LIST=$(line_of "LEAK: reload/list")
echo "# markers: reload=$L_RELOAD reload/list=$L_RELOAD_LIST ($site_file)"

expect_eq "reload: no record at its lines without leaky_reload_leak (run 1)" \
    "$(site_recs "$text_run/check3.txt" '*' "$L_RELOAD" all) $(site_recs "$text_run/check3.txt" '*' "$L_RELOAD_LIST" all)" "0 0"

run=$tmp/reload
mkdir -p "$run/logs"
port=$(pick_port)
base=http://127.0.0.1:$port
# workers as the invoking user: a root run's workers would switch to
# nobody and lose valgrind's vgdb FIFOs (issue 15)
user_line=
[ "$(id -u)" -ne 0 ] || user_line='user root;'
sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$run|g" -e "s|@HTML@|$fixture/html|g" \
    -e "s|^worker_processes .*|$user_line worker_processes 2;|" \
    -e 's|^http {|http {\n    leaky_reload_leak on;|' \
    "$fixture/nginx.conf.in" >"$run/nginx.conf"
valgrind --tool=memcheck --num-callers=30 --trace-children=yes --vgdb=yes \
    --vgdb-prefix="$run/vgdb" --log-file="$run/vg.%p.log" \
    "$nginx" -p "$run/" -c "$run/nginx.conf" -g 'daemon off; master_process on;' \
    </dev/null >"$run/stdout" 2>"$run/stderr" &
vg_pid=$!

# serving N: the log says N worker starts and the workers answer
serving() {
    local i n
    for ((i = 0; i < 1200; i++)); do
        alive "$vg_pid" || return 1
        n=$(grep -c 'start worker process' "$run/logs/error.log" 2>/dev/null || true)
        if [ "${n:-0}" -ge "$1" ] \
           && curl -s -o /dev/null --max-time 5 "$base/status"; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

reload_checks=()
for k in 0 1 2; do
    if [ "$k" -gt 0 ]; then
        kill -HUP "$vg_pid"
    fi
    if ! serving $((2 * (k + 1))); then
        not_ok "reload $k: the master serves with 2 new workers"
        break
    fi
    vgdb_cmd leak_check full reachable any >"$run/check$k.txt" || true
    check "reload $k: complete report of the master" complete_check "$run/check$k.txt"
    reload_checks+=("$run/check$k.txt")
done
stop_nginx

if [ "${#reload_checks[@]}" -eq 3 ]; then
    for k in 0 1 2; do
        f=${reload_checks[$k]}
        expect_eq "reload: $((72 * (k + 1))) B definitely lost at line $L_RELOAD after $k reloads" \
            "$(site_bytes "$f" "definitely lost" "$L_RELOAD" all)" $((72 * (k + 1)))
        expect_eq "reload: $((48 * (k + 1))) B still reachable at line $L_RELOAD_LIST after $k reloads" \
            "$(site_bytes "$f" "still reachable" "$L_RELOAD_LIST" all)" $((48 * (k + 1)))
    done
fi

# --- capture -------------------------------------------------------------

if [ "$capture" = yes ]; then
    mkdir -p "$data"
    cp "$text_run/check1.txt" "$data/leak_check_full_any_1.txt"
    cp "$text_run/check2.txt" "$data/leak_check_full_any_2.txt"
    cp "$text_run/check3.txt" "$data/leak_check_full_any_3.txt"
    cp "$text_run/increased.txt" "$data/leak_check_full_reachable_increased.txt"
    cp "$text_run/changed.txt" "$data/leak_check_full_reachable_changed.txt"
    cp "$text_run/summary.txt" "$data/leak_check_summary.txt"
    cp "$tmp/xml/memcheck.$xml_pid.xml" "$data/memcheck_fixture.xml"
    cp "$tmp/crash/memcheck.$crash_pid.xml" "$data/memcheck_crash.xml"
    echo "# captured into $data"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
