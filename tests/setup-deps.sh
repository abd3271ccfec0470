#!/usr/bin/env bash
# Install the Debian packages ngx-leaktop's build, tests and demo need
# (the C toolchain aside). Idempotent and quiet when everything is present.
# As root it installs; with sudo it uses sudo; otherwise it prints the exact
# apt-get line and stops.
set -euo pipefail

# Debian package -> a file it installs (dpkg -s is slow per package; a file
# test is instant and proves the package is usable).
pkgs=(
	"pkg-config:/usr/bin/pkg-config"
	"libncurses-dev:/usr/include/ncursesw/curses.h"
	"libxml2-dev:/usr/include/libxml2/libxml/xmlreader.h"
	"libxml2-utils:/usr/bin/xmllint"
	"libcurl4-openssl-dev:/usr/include/x86_64-linux-gnu/curl/curl.h"
	"libjansson-dev:/usr/include/jansson.h"
	"libcmocka-dev:/usr/include/cmocka.h"
	"valgrind:/usr/bin/vgdb"
	"curl:/usr/bin/curl"
	"tmux:/usr/bin/tmux"
	"jq:/usr/bin/jq"
	"libpcre2-dev:/usr/include/pcre2.h"
	"zlib1g-dev:/usr/include/zlib.h"
	"dpkg-dev:/usr/bin/dpkg-source"
	"clang:/usr/bin/clang"
	"libclang-rt-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a"
)
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
