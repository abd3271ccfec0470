#!/usr/bin/env bash
# End to end: the live screen's part of CI (#18) in a real terminal (tmux)
# against the fixture nginx under real valgrind. A growing row is marked
# (space) and W writes its suppression to the file the prompt offers: the
# file is one valgrind itself reads, it names the leaking function, the row
# leaves the table and the header counts it. Then two recorded runs, one
# leaking /leak/alloc and one without it, are shown one against the other
# (--load NEW --baseline OLD): the change columns say new, fixed, and C
# keeps only what is new or worse.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb pgrep tmux

. "$lt_repo/tests/tmux.sh"
home=$lt_tmp/home
mkdir -p "$home"	# the screen's working dir: W's default file lands there

# --- mark a growing row, W: its suppression written, the row hidden -----------
lt_new_port "$ngx/nginx.conf"
tm_new "suppress" 120 40 "cd '$home' && env TMPDIR='$TMPDIR' '$LT' -c '$ngx/nginx.conf' \
	--no-session -u /leak/alloc -u /leak/pool -n 80 '$NGINX'; $lt_shell_tail"
lt_check "the screen opens and the baseline check runs" wait_for 'check #0 at' 120
for r in 1 2 3; do
	keys r
	wait_for "check #$r at" 60 || break
done
alloc=$(lt_leak_line leak_alloc)
lt_check "after three rounds ngx_http_leaky_module.c:$alloc (leak_alloc) is growing" \
	wait_for "ngx_http_leaky_module.c:$alloc +ngx_http_leaky_leak_alloc .* growing" 10
keys / l e a k _ a l l o c Enter
lt_check "/ leaves the leak_alloc row alone, the cursor on it" \
	wait_for "^1 row from" 10
keys Space
lt_check "space marks it: '*' before its site, the info line counts it" \
	wait_for "^\*.*module.c:$alloc .*growing" 10
lt_check "the info line counts the mark" grep -q '1 marked (W: suppress' "$lt_tmp/pane"
keys W
lt_check "W asks where, offering ngx-leaktop.supp" \
	wait_for 'suppress 1 row: append to file: ngx-leaktop.supp' 10
keys Enter
lt_check "Enter: written, and said so" \
	wait_for 'wrote 1 suppression to ngx-leaktop.supp; hidden' 10
supp=$home/ngx-leaktop.supp
lt_check "the file holds a Memcheck:Leak suppression naming ngx_http_leaky_leak_alloc" \
	bash -c "grep -q '^ *Memcheck:Leak' '$supp' && grep -q 'fun:ngx_http_leaky_leak_alloc' '$supp'"
lt_check "frames past the module's entry point are a '...' wildcard" grep -q '^ *\.\.\.$' "$supp"
# valgrind refuses a malformed suppression file before it runs anything
lt_check "valgrind itself reads the file" \
	bash -c "valgrind -q --suppressions='$supp' true 2>'$lt_tmp/vg.err' && ! grep -qi 'error' '$lt_tmp/vg.err'"
lt_check "the row is gone from the table" \
	wait_for '^0 rows from 0 of [0-9]+ sites.*\| [0-9]+ suppressed' 10
lt_check "the header counts what is suppressed" \
	grep -qE 'suppressed [0-9]+ sites? \([0-9]+ B\)' "$lt_tmp/pane"
keys / C-u Enter
lt_check "without the filter the pool's row is still there" \
	wait_for "ngx_http_leaky_leak_pool .* growing" 10
lt_check "and the suppressed alloc row is not" \
	bash -c "! grep -q 'ngx_http_leaky_module.c:$alloc ' '$lt_tmp/pane'"
keys r
lt_check "a new round keeps it hidden" wait_for 'check #4 at' 60
lt_check "after the round: still hidden, still counted" \
	bash -c "! grep -q 'ngx_http_leaky_module.c:$alloc ' '$lt_tmp/pane' &&
		grep -qE 'suppressed [0-9]+ site' '$lt_tmp/pane'"
keys q
lt_check "q: exit status 0" exit_status 0
lt_check "nothing left running" lt_nothing_left "$ngx" "$TMPDIR"

# --- two recorded runs, one against the other ---------------------------------
record() {	# record FILE URL...: a batch run's session file
	local file=$1; shift
	local args=() u
	for u in "$@"; do args+=(-u "$u"); done
	lt_new_port "$ngx/nginx.conf"
	"$LT" --batch --session "$file" --fail-on none -c "$ngx/nginx.conf" --rounds 3 -n 60 \
		"${args[@]}" "$NGINX" >"$lt_tmp/record.out" 2>&1
}
lt_check "OLD recorded: /leak/alloc and /leak/pool" record "$lt_tmp/old.jsonl" /leak/alloc /leak/pool
lt_check "NEW recorded: /leak/pool and /leak/struct" record "$lt_tmp/new.jsonl" /leak/pool /leak/struct
tm_new "baseline" 132 40 "cd '$home' && env TMPDIR='$TMPDIR' '$LT' --load '$lt_tmp/new.jsonl' \
	--baseline '$lt_tmp/old.jsonl'; $lt_shell_tail"
lt_check "--load NEW --baseline OLD: the header says against what" wait_for 'against old.jsonl' 30
lt_check "the change columns" grep -qE 'B/REQ +BEFORE +CHANGE' "$lt_tmp/pane"
struct=$(lt_leak_line leak_struct)
lt_check "leak_struct (NEW only) is new, no B/REQ before" \
	grep -qE "module.c:$struct .*leak_struct +definite .* - new +growing" "$lt_tmp/pane"
lt_check "leak_alloc (OLD only) is there, fixed" \
	grep -qE "module.c:$alloc .*leak_alloc +definite .* fixed +growing" "$lt_tmp/pane"
keys C
lt_check "C: only new and worse rows" wait_for 'new and worse only \(C: all\)' 10
lt_check "C: the fixed row is gone, the new one stays" \
	bash -c "! grep -q 'fixed ' '$lt_tmp/pane' && grep -q 'ngx_http_leaky_leak_struct' '$lt_tmp/pane'"
keys q
lt_check "q: exit status 0" exit_status 0

# a baseline that is no run: one line, exit 2, before any screen
printf 'not a run\n' >"$lt_tmp/bad.jsonl"
"$LT" --load "$lt_tmp/new.jsonl" --baseline "$lt_tmp/bad.jsonl" >/dev/null 2>"$lt_tmp/bad.err" </dev/null
rc=$?
lt_check "a bad --baseline: exit 2" [ "$rc" -eq 2 ]
lt_check "a bad --baseline: one line naming it" \
	bash -c "[ \"\$(wc -l <'$lt_tmp/bad.err')\" -eq 1 ] && grep -q 'bad.jsonl' '$lt_tmp/bad.err'"

lt_finish
