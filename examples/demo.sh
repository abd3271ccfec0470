#!/usr/bin/env bash
# make demo: run ngx-leaktop against the fixture nginx, whose leaky module
# has one handler per leak class (tests/fixture/ngx_http_leaky_module).
# Extra arguments go to ngx-leaktop (e.g. --batch --rounds 6).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd -P)
nginx=${NGINX:-$repo/build/nginx/objs/nginx}
# lib.sh gives a private temp dir ($lt_tmp, removed on exit) and the config.
. "$repo/tests/lib.sh"
tmp=$lt_tmp/nginx
port=$(lt_fixture_conf "$tmp")
echo "demo: fixture nginx on 127.0.0.1:$port, leaky module locations /leak/*, /cache/*, /lazy, /clean" >&2
# No terminal (a pipe, CI): the same run as a batch report, with a round
# more than URLs after the baseline, so each leak names the URL behind it.
mode=()
if [ ! -t 0 ] || [ ! -t 1 ]; then
	mode=(--batch --rounds 12)
fi
rc=0
"$repo/ngx-leaktop" -c "$tmp/nginx.conf" \
	-u /leak/alloc -u /leak/struct -u /leak/pool -u /leak/cycle \
	-u /cache/a -u /cache/b -u /cache/c -u /lazy -u /clean -u / \
	-n 200 "${mode[@]}" "$@" "$nginx" || rc=$?
# Exit 1 means "leaks found": what the fixture is for.
if [ "$rc" -eq 1 ]; then
	echo "demo: the fixture's leaks were found, as they should be" >&2
	rc=0
fi
exit "$rc"
