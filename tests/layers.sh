#!/usr/bin/env bash
# layers.sh [--self-test] [ROOT] - README's house plan (Layout), checked.
#
#   1. curses is included only by the screen (src/tui/) and the live front
#      end (src/front/live/), never by a public header;
#   2. the screen's headers (tui.h, live.h) only by src/tui/, src/front/
#      and src/main.c: the engine never draws;
#   3. no file includes another module's private header (a header under
#      src/ belongs to the module its name starts with, in its folder);
#   4. includes go down the layers (LAYERS below), and the front ends
#      include no header of nginx/ or valgrind/: they see the engine only;
#   5. every public header belongs to a module: include/X.h has its X.c
#      or its folder X/ under src/;
#   6. no .c file over 600 lines (src/, bench/, tests/);
#   7. the Makefile builds the folders: it names no source file but main.c;
#   8. no circle of calls between files of different folders (the symbols
#      of build/obj, so run make first); inside one module folder is fine;
#   9. every function or variable a file exports starts with its module's
#      name (util's x-allocators, which abort on failure, aside).
#
# --self-test breaks each rule in a copy of the tree and expects this
# script to catch it: a check that cannot fail is no check.
# Prints "ok - ..." / "not ok - ..." and "N passed, M failed".
set -uo pipefail

# Layers, lowest first. A file may include headers of its own layer and of
# lower ranks; two layers of one rank know nothing of each other. "spine"
# is src/engine/, src/cli/ and the other files directly in src/; "main" is
# src/main.c.
declare -A RANK=([base]=0 [os]=1 [valgrind]=2 [nginx]=2 [model]=3 [report]=4 [tui]=5
	[spine]=6 [front]=7 [main]=8)
MAX_LINES=600

passed=0
failed=0
check() {	# check NAME PROBLEMS: ok when PROBLEMS is empty
	if [ -z "$2" ]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "not ok - $1"
		printf '%s\n' "$2" | sed 's/^/    /' | head -n 20
		failed=$((failed + 1))
	fi
}

# layer_of PATH (relative to the root): the layer of a file under src/, in LAY.
layer_of() {
	case $1 in
	src/main.c) LAY=main ;;
	src/engine/* | src/cli/*) LAY=spine ;;
	src/*/*) LAY=${1#src/}; LAY=${LAY%%/*} ;;
	src/*) LAY=spine ;;
	*) LAY="?" ;;
	esac
}

# OWNER[X]: the layer of module X (its X.c, else its folder X/);
# HEADER[name.h]: where a private header is.
declare -A OWNER=() HEADER=()
index_tree() {
	local f
	local f b
	# a module's folder, then its X.c (which wins)
	for f in $(find src -mindepth 1 -type d); do
		layer_of "$f/x"
		OWNER[${f##*/}]=$LAY
	done
	for f in $(find src -name '*.c'); do
		b=${f##*/}
		layer_of "$f"
		OWNER[${b%.c}]=$LAY
	done
	for f in $(find src -name '*.h'); do
		HEADER[${f##*/}]=$f
	done
}

# The same without a subshell, into MOD (the loop below runs it often).
set_mod() {
	MOD=${1##*/}
	MOD=${MOD%.*}
	MOD=${MOD%%_*}
}

run_checks() {
	local root=$1 objdir=$2
	cd "$root" || exit 2
	local files f f2 n L L2 mod hdr dir line p1="" p2="" p3="" p4="" p5="" p6="" p7="" p8=""

	index_tree
	files=$(find src include -name '*.[ch]' | sort)
	declare -A LAYER=()
	for f in $files; do
		case $f in
		include/*) f2=${f##*/}; L=${OWNER[${f2%.h}]:-?} ;;
		*) layer_of "$f"; L=$LAY ;;
		esac
		LAYER[$f]=$L
		[ -n "${RANK[$L]+x}" ] ||
			p4+="$f: folder is no layer (add it to LAYERS in tests/layers.sh and README)"$'\n'
	done
	# every include of every file, one grep: "FILE:LINE:#include ..."
	while IFS= read -r line; do
		f=${line%%:*}
		line=${line#*:}
		L=${LAYER[$f]}
		[ -n "${RANK[$L]+x}" ] || continue
		n=${line#*:}
		case $n in
		*'<'*)
			case $f in src/tui/* | src/front/live/*) continue ;; esac
			p1+="$f:${line%%:*}: $n"$'\n'
			continue ;;
		esac
		n=${n#*\"}
		n=${n%%\"*}
		dir=${f%/*}
		if [ -f "include/$n" ] && [[ $n != */* ]]; then
			set_mod "$n"
			mod=$MOD
			L2=${OWNER[${n%.h}]:-?}
			case $mod in tui | live)
				case $f in src/tui/* | src/front/* | src/main.c | include/tui.h | include/live.h) ;;
				*) p2+="$f: includes the screen's $n"$'\n' ;;
				esac ;;
			esac
			if [ -z "${RANK[$L2]+x}" ]; then
				:	# rule 5 names the header without a module
			elif [ "${RANK[$L2]}" -gt "${RANK[$L]}" ] ||
				{ [ "${RANK[$L2]}" -eq "${RANK[$L]}" ] && [ "$L2" != "$L" ]; }; then
				p4+="$f ($L) includes $n ($L2): includes go down the layers"$'\n'
			elif [ "$L" = front ] && { [ "$L2" = nginx ] || [ "$L2" = valgrind ]; }; then
				p4+="$f: a front end includes $n ($L2): it sees the engine only"$'\n'
			fi
			continue
		fi
		hdr=$dir/$n
		[[ $n == */* ]] && hdr=$(realpath -m --relative-to=. "$dir/$n")
		# data the Makefile generates in build/gen/ (a .inc, no module's header)
		[[ $n == *.inc ]] && grep -qF "\$(BUILD)/gen/$n" Makefile && continue
		if [ ! -f "$hdr" ]; then
			hdr=${HEADER[${n##*/}]:-}
			[ -n "$hdr" ] || { p3+="$f: no header $n in include/ or beside it"$'\n'; continue; }
		fi
		set_mod "$hdr"
		mod=$MOD
		set_mod "$f"
		if [ "${hdr%/*}" != "$dir" ] || [ "$mod" != "$MOD" ]; then
			p3+="$f includes $hdr, private to module $mod in ${hdr%/*}/"$'\n'
		fi
	done < <(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])' $files |
		grep -E '"|<((ncursesw?|ncurses)/)?(n?curses|term|panel|menu|form)\.h>' |
		sed -E 's/^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*/\1:\2:/')
	check "curses only in src/tui/ and src/front/live/" "$p1"
	check "the screen's headers only in the screen, the front ends and main.c" "$p2"
	check "no file includes another module's private header" "$p3"
	check "includes go down the layers; front ends see the engine only" "$p4"

	for f in include/*.h; do
		f2=${f##*/}
		f2=${f2%.h}
		[ -z "${OWNER[$f2]:-}" ] && p5+="$f: no module $f2.c or $f2/ under src/"$'\n'
	done
	check "every public header belongs to a module" "$p5"

	p6=$(find src bench tests -name '*.c' -exec wc -l {} + 2>/dev/null |
		awk -v max=$MAX_LINES '$2 != "total" && $1 > max { print $2 ": " $1 " lines (at most " max ")" }')
	check "no .c file over $MAX_LINES lines" "$p6"

	p7=$(grep -vE '^[[:space:]]*#' Makefile | grep -nE '[A-Za-z0-9_]+\.c\b' |
		grep -vE '%\.c|\*\.c|src/main\.c' || true)
	check "the Makefile builds the folders (names no source file)" "$p7"

	p8=$(call_circles "$objdir")
	check "no circle of calls between files of different folders" "$p8"

	p9=$(stray_exports "$objdir")
	check "every exported name starts with its module's name" "$p9"
}

# stray_exports OBJDIR: exported symbols without their module's prefix.
# One nm over every object (-A names the file on each line): a process
# per object made this the slowest part of the script.
stray_exports() {
	local objdir=$1
	[ -d "$objdir" ] || return 0
	find "$objdir" -name '*.o' | sort | xargs -r nm -A -g --defined-only | awk -v d="$objdir/" '
		{
			i = index($0, ":"); o = substr($0, 1, i - 1)
			if (split(substr($0, i + 1), f, " ") != 3) next
			b = o; sub(/.*\//, "", b); sub(/\.o$/, "", b); m = b; sub(/_.*/, "", m)
			if (index(o, d) == 1) o = substr(o, length(d) + 1)
			if (index(f[3], m "_") != 1 && f[3] != m && f[3] != "main" &&
			    !(m == "util" && f[3] ~ /^x(malloc|calloc|realloc|grow|strdup|strndup|asprintf)$/))
				print o ": " f[3]
		}'
}

# call_circles OBJDIR: pairs of objects in different folders that reach
# each other through the calls their symbols show.
call_circles() {
	local objdir=$1
	if [ ! -d "$objdir" ] || [ -z "$(find "$objdir" -name '*.o' | head -n 1)" ]; then
		echo "no objects in $objdir: build first (make)"
		return
	fi
	find "$objdir" -name '*.o' | sort | xargs -r nm -A | awk -v d="$objdir/" '
		{
			i = index($0, ":"); o = substr($0, 1, i - 1)
			if (index(o, d) == 1) o = substr(o, length(d) + 1)
			n = split(substr($0, i + 1), f, " ")
			if (f[1] == "U") print "U", o, f[2]
			else if (n == 3 && f[2] ~ /^[TDBR]$/) print "D", o, f[3]
		}' | awk '
		$1 == "D" { def[$3] = $2; next }
		{ use[++n] = $2 " " $3 }
		END {
			for (i = 1; i <= n; i++) {
				split(use[i], u, " ")
				if ((u[2] in def) && def[u[2]] != u[1]) edge[u[1], def[u[2]]] = 1
			}
			for (e in edge) { split(e, p, SUBSEP); nodes[p[1]] = 1; nodes[p[2]] = 1 }
			for (a in nodes) {	# what a reaches
				delete seen; delete q; h = 1; t = 0
				q[++t] = a; seen[a] = 1
				while (h <= t) {
					x = q[h++]
					for (b in nodes) if (((x, b) in edge) && !(b in seen)) { seen[b] = 1; q[++t] = b }
				}
				for (b in seen) reach[a, b] = 1
			}
			for (a in nodes) for (b in nodes) {
				if (a >= b || !((a, b) in reach) || !((b, a) in reach)) continue
				da = a; sub(/\/[^\/]*$/, "", da); if (da == a) da = "."
				db = b; sub(/\/[^\/]*$/, "", db); if (db == b) db = "."
				if (da != db) print a " <-> " b
			}
		}' | sort
}

self_test() {
	local src=$1 tmp out
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	# mutate NAME EXPECTED-CHECK COMMAND...: break a copy, expect the check
	# to fail. The objects (rules 8 and 9) are copied only where a case
	# needs them; elsewhere their checks fail too, which is not the point.
	mutate() {
		local name=$1 want=$2
		shift 2
		rm -rf "$tmp/t"
		mkdir -p "$tmp/t/build"
		cp -r "$src/src" "$src/include" "$src/Makefile" "$tmp/t/"
		[ -d "$src/bench" ] && cp -r "$src/bench" "$tmp/t/"
		case $want in "" | "no circle"* | "every exported"*)
			cp -r "$src/build/obj" "$tmp/t/build/obj" ;;
		esac
		(cd "$tmp/t" && "$@")
		out=$(bash "$src/tests/layers.sh" "$tmp/t" 2>&1)
		if [ -z "$want" ]; then
			if printf '%s\n' "$out" | grep -q '^not ok'; then
				check "$name" "$(printf '%s\n' "$out" | grep -A5 '^not ok')"
			else
				check "$name" ""
			fi
		elif printf '%s\n' "$out" | grep -qF "not ok - $want"; then
			check "$name" ""
		else
			check "$name" "expected 'not ok - $want', got:"$'\n'"$out"
		fi
	}
	mutate "the tree as it is passes every rule" "" true
	mutate "a curses include in the engine is caught" "curses only" \
		sed -i '1a #include <curses.h>' src/engine/engine.c
	mutate "a curses include in a public header is caught" "curses only" \
		sed -i '/#define LT_MODEL_H/a #include <ncursesw/curses.h>' include/model.h
	mutate "the screen's header in the model is caught" "the screen's headers" \
		sed -i '1a #include "tui.h"' src/model/memerrors.c
	mutate "the screen's private header in the live front end is caught" "no file includes another" \
		sed -i '1a #include "tui_int.h"' src/front/live/live.c
	mutate "a private header reached by path is caught" "no file includes another" \
		sed -i '1a #include "../vgxml/vgxml_int.h"' src/valgrind/leakcheck/leakcheck.c
	mutate "the engine's header in the model is caught" "includes go down" \
		sed -i '1a #include "engine.h"' src/model/xmlstream.c
	mutate "the target's header in a front end is caught" "includes go down" \
		sed -i '1a #include "target.h"' src/front/batch.c
	mutate "a folder that is no layer is caught" "includes go down" \
		sh -c 'mkdir src/misc && printf "#include \"util.h\"\n" >src/misc/x.c'
	mutate "a public header without a module is caught" "every public header" \
		sh -c 'printf "#ifndef X\n#define X\n#endif\n" >include/orphan.h'
	mutate "a .c file of 601 lines is caught" "no .c file over" \
		sh -c 'for i in $(seq 600); do echo "/* $i */"; done >>src/base/util.c'
	mutate "a hand-kept source list in the Makefile is caught" "the Makefile builds" \
		sh -c 'printf "\nEXTRA_SRC := src/base/util.c\n" >>Makefile'
	mutate "an export without its module's prefix is caught" "every exported name" \
		sh -c 'printf "int stray_name(void); int stray_name(void) { return 0; }\n" >p.c &&
			cc -c -o build/obj/os/proc_more.o p.c'
	mutate "a circle of calls between two folders is caught" "no circle of calls" \
		sh -c 'mkdir -p build/obj/x build/obj/y &&
			printf "void y_f(void); void x_f(void); void x_f(void) { y_f(); }\n" >x.c &&
			printf "void x_f(void); void y_f(void); void y_f(void) { x_f(); }\n" >y.c &&
			cc -c -o build/obj/x/x.o x.c && cc -c -o build/obj/y/y.o y.c'
}

root=.
if [ "${1:-}" = --self-test ]; then
	root=$(cd "$(dirname "$0")/.." && pwd)
	[ -d "$root/build/obj" ] || { echo "layers.sh: build first (make)" >&2; exit 2; }
	self_test "$root"
else
	root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
	root=$(cd "$root" && pwd)
	run_checks "$root" "$root/build/obj"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
