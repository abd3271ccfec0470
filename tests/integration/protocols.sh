#!/usr/bin/env bash
# End to end, issue 16: requests as users send them, against the fixture
# nginx under real valgrind, ngx-leaktop --batch:
#   - --tls: the generated config serves TLS with a throwaway certificate;
#     the per-request leak is found at its line over https, /clean flags
#     nothing;
#   - --tls --http2 (ALPN h2) and --http2 alone (h2c, prior knowledge):
#     the same, over HTTP/2 streams;
#   - a request file whose requests reach ONE location and differ only in
#     method, headers and body (tests/data/reqfile/shapes.http against
#     ngx_http_leaky_req.c), over TLS and HTTP/2: each leak is found at
#     its line and attributed to the request that causes it, by its ###
#     title; the clean requests flag nothing;
#   - malformed request files and off-machine URLs: exit 2, one line
#     naming the file and line, nothing started.
# Every run ends with nothing left running and the private dir removed.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq pgrep timeout

lt_fixture_setup
fixture=$lt_repo/tests/fixture/ngx_http_leaky_module
show() { sed 's/^/#   /' "$1" | tail -n "${2:-15}"; }
nothing_left() { lt_nothing_left "$NGINX" "$TMPDIR"; }
marker() {	# FILE:LINE of the "/* LEAK: MODE */" marker
	local f n
	for f in ngx_http_leaky_module.c ngx_http_leaky_req.c; do
		n=$(grep -n "LEAK: $1 \*/" "$fixture/$f" | head -n 1 | cut -d: -f1)
		[ -n "$n" ] && { echo "$f:$n"; return 0; }
	done
	echo "nomarker:0"
}
# run NAME ARGS...: a batch run into $lt_tmp/NAME.{json,err}; sets $rc, $j
run() {
	local name=$1 t0; shift
	t0=$(date +%s)
	timeout -s KILL 600 "$LT" --batch --no-session --json "$lt_tmp/$name.json" "$@" "$NGINX" \
		>"$lt_tmp/$name.out" 2>"$lt_tmp/$name.err"
	rc=$?
	j=$lt_tmp/$name.json
	echo "# $name: $* -> exit $rc in $(($(date +%s) - t0)) s"
}
# site J FILE:LINE FILTER [KIND]: FILTER on the definitely lost records at
# FILE:LINE ($k: KIND)
site() {
	jq -r --arg f "${2%%:*}" --argjson l "${2##*:}" --arg k "${4:-}" '
		def recs: [.sites[] | select((.file // "" | endswith("/" + $f)) and .line == $l and
			.kind == "definitely_lost")];
		'"$3" "$1"
}
# leak J FILE:LINE KIND BYTES: growing, BYTES (+-12%) per request of KIND, its top kind
leak() {
	[ "$(site "$1" "$2" 'recs | (map(.growth) | index("growing") != null) and
		([.[] | .urls[0]?.url] | index($k) != null) and
		(([.[] | .urls[]? | select(.url == $k) | .bytes_per_request] | add // 0) - '"$4"' |
		fabs) <= '"$4"' * 0.12' "$3")" = true ]
}
# only J FILE...: the growing sites with a frame in the fixture are at these lines only
only() {
	local j=$1; shift
	jqt --argjson want "$(printf '%s\n' "$@" | jq -R . | jq -sc .)" '
		[.sites[] | select(.growth == "growing" and (.core_only | not) and
			((.file // "") | test("ngx_http_leaky"))) | "\(.file | split("/") | last):\(.line)"] |
		unique - $want == []' "$j"
}
dirs='location = /leak/alloc { leaky leak_alloc; } location = /clean { leaky clean; }
location = /req { leaky_req; }'
alloc=$(marker leak_alloc)

# --- bad input: each a clear one-line message and exit 2, nothing started ---
bad() {	# bad DESCRIPTION PATTERN ARGS...
	local what=$1 pat=$2; shift 2
	timeout -s KILL 120 "$LT" "$@" >"$lt_tmp/out" 2>"$lt_tmp/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && grep -qF -- "$pat" "$lt_tmp/err" && [ "$(wc -l <"$lt_tmp/err")" -eq 1 ] &&
		nothing_left; then
		lt_ok "$what: exit 2, one line, says '$pat'"
	else
		lt_not_ok "$what: rc=$rc, stderr: $(tail -n 3 "$lt_tmp/err")"
	fi
}
rf=$lt_tmp/rf
mkdir -p "$rf"
printf '### a\nGET /x\n\n### b\nFETCH\n' >"$rf/noline.http"
printf 'GET /x\nX-Broken header\n' >"$rf/header.http"
printf 'POST /x\n\n< ./missing.json\n' >"$rf/body.http"
printf 'GET {{nope}}/x\n' >"$rf/var.http"
printf '# only comments\n\n' >"$rf/empty.http"
printf 'GET http://192.0.2.7/x\n' >"$rf/offsite.http"
bad "a request line without a URL" "noline.http:5:" --batch "--request-file=$rf/noline.http" "$NGINX"
bad "a header without ':'" "header.http:2:" --batch --request-file "$rf/header.http" "$NGINX"
bad "a body file that is not there" "body.http:3:" --batch --request-file "$rf/body.http" "$NGINX"
bad "an undefined variable" "var.http:1:" --batch --request-file "$rf/var.http" "$NGINX"
bad "a file without a request" "empty.http" --batch --request-file "$rf/empty.http" "$NGINX"
bad "a request file that is not there" "$rf/none.http" --batch --request-file "$rf/none.http" "$NGINX"
bad "a request to another machine" "loopback" --batch --no-session --rounds 1 -n 4 \
	--request-file "$rf/offsite.http" "$NGINX"
bad "--tls with a user config" "--tls is for the generated config" --batch --tls -c "$conf" "$NGINX"
bad "--http2 and --http1.1" "contradict" --batch --http2 --http1.1 "$NGINX"

# --- TLS: the generated config with a throwaway certificate ---
run tls --tls -C 4 -n 60 --rounds 3 -u /leak/alloc -u /clean --directives "$dirs"
lt_check "tls: exit 1, the leak found (got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/tls.err"
lt_check "tls: protocol HTTPS, the kinds went to https://127.0.0.1" \
	jqt '.protocol == "HTTPS" and all(.kinds[]; .protocol == "https" and
		(.target | startswith("https://127.0.0.1:")))' "$j"
lt_check "tls: every request answered" jqt '[.rounds[] | .failed // 0] | add == 0' "$j"
lt_check "tls: $alloc growing, 100 B per /leak/alloc request" leak "$j" "$alloc" /leak/alloc 100 ||
	site "$j" "$alloc" 'recs | map({growth, urls})' | head -c 600
lt_check "tls: nothing else of the module grows (/clean is clean)" only "$j" "$alloc"
lt_check "tls: nothing left running" nothing_left

# --- HTTP/2 over TLS (ALPN) and cleartext (prior knowledge) ---
for mode in h2 h2c; do
	if [ "$mode" = h2 ]; then want='HTTP/2 (TLS)'; set -- --tls --http2; else
		want='HTTP/2 (h2c)'; set -- --http2; fi
	run "$mode" "$@" -C 8 -n 80 --rounds 3 -u /leak/alloc -u /clean --directives "$dirs"
	lt_check "$mode: exit 1 (got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/$mode.err"
	lt_check "$mode: protocol $want, kinds $mode" \
		jqt --arg p "$want" --arg k "$mode" '.protocol == $p and all(.kinds[]; .protocol == $k)' "$j"
	lt_check "$mode: every request answered" jqt '[.rounds[] | .failed // 0] | add == 0' "$j"
	lt_check "$mode: $alloc growing, 100 B per /leak/alloc request" leak "$j" "$alloc" /leak/alloc 100 ||
		site "$j" "$alloc" 'recs | map({growth, urls})' | head -c 600
	lt_check "$mode: nothing else of the module grows" only "$j" "$alloc"
	lt_check "$mode: nothing left running" nothing_left
done

# --- a request file: one location, leaks by method, header and body ---
put=$(marker put) hdr=$(marker header) body=$(marker body)
run shapes --tls --http2 -C 4 -n 100 --rounds 7 --directives "$dirs" \
	--request-file "$lt_repo/tests/data/reqfile/shapes.http"
lt_check "request file: exit 1 (got $rc)" [ "$rc" -eq 1 ] || show "$lt_tmp/shapes.err"
lt_check "request file: 5 kinds named by their ### titles, weights from # @count, from FILE:LINE" \
	jqt '[.kinds[] | .name] == ["put leaks", "header leaks", "body leaks", "clean post", "clean get"]
		and [.kinds[] | .weight] == [1, 1, 2, 1, 1] and [.kinds[] | .method] ==
		["PUT", "GET", "POST", "POST", "GET"] and (.kinds[0].from | test("shapes.http:[0-9]+$"))' "$j" ||
	jq -c '.kinds' "$j"
lt_check "request file: every request answered" jqt '[.rounds[] | .failed // 0] | add == 0' "$j"
lt_check "request file: PUT's leak $put, 40 B per 'put leaks'" leak "$j" "$put" "put leaks" 40 ||
	site "$j" "$put" 'recs | map({growth, urls})' | head -c 600
lt_check "request file: the header's leak $hdr, 24 B per 'header leaks'" \
	leak "$j" "$hdr" "header leaks" 24 || site "$j" "$hdr" 'recs | map({growth, urls})' | head -c 600
lt_check "request file: the body's leak $body, 56 B per 'body leaks'" \
	leak "$j" "$body" "body leaks" 56 || site "$j" "$body" 'recs | map({growth, urls})' | head -c 600
lt_check "request file: nothing else of the module grows (the clean requests flag nothing)" \
	only "$j" "$put" "$hdr" "$body"
lt_check "request file: nothing left running" nothing_left

lt_finish
