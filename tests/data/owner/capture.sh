#!/usr/bin/env bash
# Capture real valgrind answers for the owner search ("what holds it",
# issue 13): `leak_check`, `block_list`, `who_points_at`, raw vgdb stdout.
#
# usage: bash tests/data/owner/capture.sh [NGINX_BINARY] [OUTDIR]
#   NGINX_BINARY  default <repo>/build/nginx/objs/nginx (the fixture nginx)
#   OUTDIR        default tests/data/owner (overwrites its *.txt)
#
# nginx runs with the valgrind options ngx-leaktop uses (target_argv in
# src/nginx/target/target_prepare.c, minus the XML file), single process.
# One keepalive connection to /leak/conn stays open over the checks. See
# README.md in this folder for what each file is.
set -euo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../.." && pwd -P)
nginx=${1:-$repo/build/nginx/objs/nginx}
out=${2:-$repo/tests/data/owner}
. "$repo/tests/lib.sh"	# lt_free_port, lt_fixture_conf, private $lt_tmp

mkdir -p "$out"
ngx=$lt_tmp/ngx
port=$(lt_fixture_conf "$ngx")
prefix=$lt_tmp/vgdb
base=http://127.0.0.1:$port

valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$prefix" --num-callers=40 \
	--keep-stacktraces=alloc-and-free --fullpath-after= --error-limit=no \
	--log-file="$lt_tmp/vg.log" \
	"$nginx" -p "$ngx/" -c "$ngx/nginx.conf" -g 'daemon off; master_process off;' &
vg=$!
lt_pids+=("$vg")
for _ in $(seq 600); do
	curl -s -o /dev/null "$base/clean" && break
	sleep 0.1
done

vg() {	# vg FILE WORDS...: one monitor command, its raw answer saved as FILE
	local f=$1; shift
	vgdb --vgdb-prefix="$prefix" --pid="$vg" --max-invoke-ms=1 "$*" >"$out/$f" 2>"$lt_tmp/vgdb.err"
	echo "$f: $*" >>"$lt_tmp/commands"
}
hits() {	# hits URL N: N requests, each on its own connection
	local i
	for ((i = 0; i < $2; i++)); do curl -s -o /dev/null "$base$1"; done
}
record_of() {	# record_of FILE:LINE: the biggest loss record whose stack has FILE:LINE
	awk -v at="/$1)" '
		/bytes in .* blocks are .* in loss record/ {
			rec = $0; sub(/.*in loss record /, "", rec); sub(/ of .*/, "", rec)
			b = $2; gsub(/,/, "", b); cur = rec; curb = b + 0; next }
		index($0, at) && cur != "" { if (curb > best) { best = curb; bestrec = cur }; cur = "" }
		END { print bestrec }' "$out/leak_check.txt"
}
site_at() {	# site_at MODE: FILE:LINE of the fixture's "LEAK: MODE" marker
	local f n
	for f in ngx_http_leaky_module.c ngx_http_leaky_why.c; do
		n=$(grep -n "LEAK: $1 \*/" "$repo/tests/fixture/ngx_http_leaky_module/$f" | head -n 1 | cut -d: -f1)
		[ -n "$n" ] && { echo "$f:$n"; return; }
	done
}
last_block() {	# last_block FILE: the last 0xADDR[SIZE] of a block_list answer
	grep -oE '0x[0-9A-Fa-f]+\[[0-9,]+\]' "$out/$1" | tail -n 1
}

# held open: 60 keepalive requests to /leak/conn on one connection (more
# than its first 512-byte pool block holds links for)
exec 3<>"/dev/tcp/127.0.0.1/$port"
for _ in $(seq 60); do
	printf 'GET /leak/conn HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3
done
n=0
while [ "$n" -lt 60 ] && IFS= read -r -t 10 line <&3; do
	case $line in "HTTP/1.1 200"*) n=$((n + 1)) ;; esac
done
[ "$n" -eq 60 ] || { echo "capture.sh: only $n of 60 /leak/conn answers" >&2; exit 1; }

hits /leak/cycle 20
hits /leak/static 20
hits /leak/modpool 300	# more than its 4 KB first block holds links for
hits /leak/alloc 20
sleep 0.5

: >"$lt_tmp/commands"
vg leak_check.txt leak_check full reachable any
vg block_list_bad_record.txt block_list 99999
vg block_list_bad_zero.txt block_list 0
for site in leak_cycle leak_static leak_modpool leak_conn leak_alloc; do
	rec=$(record_of "$(site_at "$site")")
	[ -n "$rec" ] || { echo "capture.sh: no loss record for $site" >&2; exit 1; }
	vg "block_list_$site.txt" block_list "$rec"
done
made_by_create_pool() {	# made_by_create_pool FILE: its first holder block came from ngx_create_pool
	awk '/Address .* inside a block/ { n++ } n == 1 && /ngx_create_pool/ { f = 1 } END { exit !f }' "$out/$1"
}
for site in leak_cycle leak_static leak_modpool leak_conn leak_alloc; do
	blk=$(last_block "block_list_$site.txt")
	addr=${blk%%\[*}; size=${blk#*\[}; size=${size%\]}; size=${size//,/}
	f=who_points_at_$site.txt
	vg "$f" who_points_at "$addr"
	vg "who_points_at_${site}_len.txt" who_points_at "$addr" "$size"
	# follow the holders back: the block a pointer sits in, then who points
	# at that block's start, until the block ngx_create_pool made (asked
	# once more: that names where the pool pointer is kept); 6 steps at most
	for step in 1 2 3 4 5 6; do
		line=$(grep -m 1 -E 'Address 0x[0-9a-fA-F]+ is [0-9,]+ bytes inside a block of size [0-9,]+' "$out/$f" || true)
		[ -n "$line" ] || break
		a=$(sed -E 's/.*Address (0x[0-9a-fA-F]+) is.*/\1/' <<<"$line")
		off=$(sed -E 's/.* is ([0-9,]+) bytes inside.*/\1/' <<<"$line"); off=${off//,/}
		hsize=$(sed -E 's/.*block of size ([0-9,]+).*/\1/' <<<"$line"); hsize=${hsize//,/}
		start=$(printf '0x%x' $((a - off)))
		prev=$f
		f=who_points_at_${site}_holder$step.txt
		vg "$f" who_points_at "$start"
		# with LEN, every pointer into the holder: only for a small block
		# that is not the pool's first one (the cycle pool's answer is ~1 MB,
		# a 4 KB first block full of large links 0.5 MB)
		if made_by_create_pool "$prev"; then
			break
		fi
		if [ "$hsize" -le 4096 ]; then
			vg "who_points_at_${site}_holder${step}_len.txt" who_points_at "$start" "$hsize"
		fi
	done
done

vg block_list_valid_again.txt block_list "$(record_of "$(site_at leak_cycle)")"
curl -s -o /dev/null "$base/clean"
vg block_list_obsolete.txt block_list "$(record_of "$(site_at leak_cycle)")"
vg block_list_obsolete_bad_record.txt block_list 99999

# the connection still open: this is what made /leak/conn's blocks reachable
exec 3>&-
kill -QUIT "$vg"
wait "$vg" || true
cp "$lt_tmp/commands" "$out/commands.txt"
echo "captured into $out:"
cat "$out/commands.txt"
