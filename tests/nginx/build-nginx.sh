#!/usr/bin/env bash
# Build the fixture nginx for ngx-leaktop's tests.
#
# usage: tests/nginx/build-nginx.sh [OUTDIR]      (default: <repo>/build/nginx)
#
# Gets nginx 1.22.1 from Debian's source package (cached in
# ${NGX_LEAKTOP_CACHE:-$HOME/.cache/ngx-leaktop}), unpacks it as the source
# tree OUTDIR and builds it with -O0 -g -DNGX_DEBUG_PALLOC=1, TLS, HTTP/2 and
# stream, plus the leaky test modules.  The binary is OUTDIR/objs/nginx; the source tree stays in
# OUTDIR so the debug info points to files that exist.  A stamp file makes a
# second run a no-op while this script and the module are unchanged.
# Prints the binary path as the last line on success.

set -euo pipefail

NGX_VERSION=1.22.1
NGX_TARBALL=nginx_${NGX_VERSION}.orig.tar.gz
NGX_SHA256=9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31
MARKER=.ngx-leaktop-build         # marks a directory this script may wipe
STAMP=.ngx-leaktop-stamp

script_path=$(readlink -f "${BASH_SOURCE[0]}")
repo=$(cd "$(dirname "$script_path")/../.." && pwd -P)
module_dir=$repo/tests/fixture/ngx_http_leaky_module

outdir=${1:-$repo/build/nginx}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd -P)
binary=$outdir/objs/nginx
log=$outdir/build.log

cache=${NGX_LEAKTOP_CACHE:-$HOME/.cache/ngx-leaktop}

die() {
    echo "build-nginx.sh: $*" >&2
    exit 1
}

tmp=
cleanup() {
    if [ -n "$tmp" ]; then
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

# --- up to date? ---------------------------------------------------------

stamp_value() {
    (cd "$repo" \
        && find tests/nginx/build-nginx.sh tests/fixture/ngx_http_leaky_module \
                -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
        | sha256sum | cut -d' ' -f1
}

want_stamp=$(stamp_value)
if [ -x "$binary" ] && [ -f "$outdir/$STAMP" ] \
   && [ "$(cat "$outdir/$STAMP")" = "$want_stamp" ]; then
    echo "fixture nginx up to date: $binary"
    exit 0
fi

# --- get the source ------------------------------------------------------

have_deb_src() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        if grep -Eqs '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' "$f"; then
            return 0
        fi
    done
    return 1
}

src_lines='Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

download() {
    local can_root=no
    if [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; then
        can_root=yes
    fi

    if ! have_deb_src; then
        if [ "$can_root" = no ]; then
            {
                echo "build-nginx.sh: no deb-src entry in APT sources and no root/sudo to add one."
                echo "Add these lines as /etc/apt/sources.list.d/ngx-leaktop-src.sources, then re-run:"
                echo
                echo "$src_lines"
            } >&2
            exit 2
        fi
        echo "build-nginx.sh: adding /etc/apt/sources.list.d/ngx-leaktop-src.sources" >&2
        printf '%s\n' "$src_lines" \
            | as_root tee /etc/apt/sources.list.d/ngx-leaktop-src.sources >/dev/null
    fi

    local dl
    dl=$(mktemp -d)
    tmp=$dl
    echo "build-nginx.sh: downloading nginx source package (apt-get source nginx/bookworm)" >&2
    if [ "$can_root" = yes ]; then
        as_root apt-get update -qq >"$dl/apt.log" 2>&1 \
            || { tail -n 20 "$dl/apt.log" >&2; die "apt-get update failed"; }
    fi
    # The private temp dir is not writable for the _apt sandbox user;
    # apt then downloads unsandboxed and says so: that note goes to the log.
    (cd "$dl" && apt-get source -qq --download-only "nginx/bookworm") \
        >>"$dl/apt.log" 2>&1 \
        || { tail -n 20 "$dl/apt.log" >&2; die "apt-get source --download-only nginx/bookworm failed (as root, run apt-get update first)"; }
    [ -f "$dl/$NGX_TARBALL" ] \
        || { tail -n 20 "$dl/apt.log" >&2; die "apt-get source did not fetch $NGX_TARBALL"; }
    mkdir -p "$cache"
    cp "$dl/$NGX_TARBALL" "$cache/$NGX_TARBALL.part"
    mv "$cache/$NGX_TARBALL.part" "$cache/$NGX_TARBALL"
}

if [ ! -f "$cache/$NGX_TARBALL" ]; then
    download
fi

got_sha=$(sha256sum "$cache/$NGX_TARBALL" | cut -d' ' -f1)
if [ "$got_sha" != "$NGX_SHA256" ]; then
    die "sha256 mismatch for $cache/$NGX_TARBALL: got $got_sha, want $NGX_SHA256 (delete it to re-download)"
fi

# --- build ---------------------------------------------------------------

# Only wipe a directory that is empty or that this script built before.
if [ -n "$(ls -A "$outdir")" ] && [ ! -f "$outdir/$MARKER" ]; then
    die "$outdir is not empty and was not made by build-nginx.sh; refusing to overwrite it"
fi
find "$outdir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
touch "$outdir/$MARKER"

fail_build() {
    echo "build-nginx.sh: $1 failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
}

tar -xzf "$cache/$NGX_TARBALL" -C "$outdir" --strip-components=1 \
    || die "cannot unpack $cache/$NGX_TARBALL into $outdir"

cd "$outdir"
: >"$log"
./configure \
    --prefix="$outdir/prefix" \
    --with-debug \
    --with-cc-opt='-O0 -g -DNGX_DEBUG_PALLOC=1' \
    --with-http_stub_status_module \
    --with-http_ssl_module \
    --with-http_v2_module \
    --with-stream \
    --add-module="$module_dir" \
    >>"$log" 2>&1 || fail_build configure
make -j2 >>"$log" 2>&1 || fail_build make

[ -x "$binary" ] || fail_build "make (no $binary)"
echo "$want_stamp" >"$outdir/$STAMP"
echo "$binary"
