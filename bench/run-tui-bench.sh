#!/usr/bin/env bash
# Build and run bench/tui_redraw.c, linked by make with the engine and the
# screen (without the front ends). Arguments go to the benchmark:
# [SITES (100000)] [RUNS (31)].
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory build/bench/tui_redraw >/dev/null
exec build/bench/tui_redraw "$@"
