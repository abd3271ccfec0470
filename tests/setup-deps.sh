#!/usr/bin/env bash
# Install the Debian packages ngx-leaktop's build, tests and demo need
# (the C toolchain aside). Idempotent and quiet when everything is present.
# As root it installs; with sudo it uses sudo; otherwise it prints the exact
# apt-get line and stops.
set -euo pipefail

# The packages: tests/deps.list, "package file [commands...]" a line. A
# file test per package (dpkg -s is slow per package; a file test is
# instant and proves the package is usable).
list=$(dirname "$0")/deps.list
pkgs=()
while read -r pkg file _; do
	case $pkg in ''|'#'*) continue ;; esac
	pkgs+=("$pkg:$file")
done <"$list"

# --package-of COMMAND: the package whose commands include COMMAND (for
# lt_need's message); "?" if the list does not name it.
if [ "${1:-}" = --package-of ]; then
	awk -v c="$2" '!/^#/ { for (i = 3; i <= NF; i++) if ($i == c) { print $1; found = 1; exit } }
		END { if (!found) print "?" }' "$list"
	exit 0
fi

# --check: after the install, every package's file and every command of
# tests/deps.list is there (a wrong command -> package line would only
# show on a machine without the command). TAP-like, "N passed, M failed".
if [ "${1:-}" = --check ]; then
	passed=0 failed=0
	triplet=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
	while read -r pkg file cmds; do
		case $pkg in ''|'#'*) continue ;; esac
		file=${file//x86_64-linux-gnu/$triplet}
		for c in "" $cmds; do
			if [ -z "$c" ]; then
				what="$pkg: $file"
				there=$([ -e "$file" ] && echo y || true)
			else
				what="$pkg: command $c"
				there=$(command -v "$c" >/dev/null && echo y || true)
			fi
			if [ -n "$there" ]; then passed=$((passed + 1)); echo "ok - $what"
			else failed=$((failed + 1)); echo "not ok - $what (tests/deps.list)"; fi
		done
	done <"$list"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

# curl.h lives under the multiarch triplet; find it for any architecture.
triplet=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

missing=()
for entry in "${pkgs[@]}"; do
	pkg=${entry%%:*}
	file=${entry#*:}
	file=${file//x86_64-linux-gnu/$triplet}
	[ -e "$file" ] || missing+=("$pkg")
done
for extra in "$@"; do
	pkg=${extra%%:*}
	file=${extra#*:}
	[ -e "$file" ] || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "setup-deps: missing Debian packages; as root run: apt-get update && $line" >&2
	exit 2
fi
echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "setup-deps: apt-get failed; run by hand: $line" >&2
	exit 2
fi
