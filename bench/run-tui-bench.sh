#!/usr/bin/env bash
# Build and run bench/tui_redraw.c against the objects `make` built
# (engine + TUI, without main/batch). Arguments go to the benchmark:
# [SITES (100000)] [RUNS (31)].
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory all >/dev/null
objs=()
for o in build/obj/*.o; do
	case $o in build/obj/main.o|build/obj/batch.o) ;; *) objs+=("$o") ;; esac
done
pkgs="ncursesw libxml-2.0 libcurl jansson"
mkdir -p build/bench
# shellcheck disable=SC2046
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iinclude $(pkg-config --cflags $pkgs) \
	-o build/bench/tui_redraw bench/tui_redraw.c "${objs[@]}" $(pkg-config --libs $pkgs)
exec build/bench/tui_redraw "$@"
