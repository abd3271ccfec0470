#!/usr/bin/env bash
# leak-gate.sh - a module author's CI leak gate, the same from GitHub Actions
# (examples/github-actions.yml), GitLab CI (examples/gitlab-ci.yml) and
# ngx-leaktop's own make check (tests/integration/examples.sh).
#
#   leak-gate.sh [STEP...]     STEP: deps tool nginx gate (default: all four)
#
#   deps   the Debian/Ubuntu packages: the build tools, ngx-leaktop's
#          libraries, valgrind, nginx's libraries (apt-get, as root or via
#          sudo; nothing when all are there)
#   tool   build ngx-leaktop from LEAKTOP_SRC, install it into
#          WORK_DIR/prefix (make install PREFIX=...)
#   nginx  nginx's source (NGINX_SRC, or NGINX_VERSION from nginx.org),
#          built in WORK_DIR/nginx with debug info, the debug pool
#          allocator and the module: --with-debug
#          --with-cc-opt='-O0 -g -DNGX_DEBUG_PALLOC=1' --add-module=MODULE_DIR
#   gate   ngx-leaktop --batch on it; the reports in REPORT_DIR: leaks.json,
#          leaks.sarif (code scanning), leaks.xml (JUnit); exits with
#          ngx-leaktop's status: 0 nothing leaks, 1 leaks, 2 a setup error
#
# Environment (only MODULE_DIR and URLS have no default):
#   MODULE_DIR            the module's source (its `config` file)
#   URLS                  the paths to send, blank-separated: "/my/a /my/b"
#   DIRECTIVES            what the generated nginx config's server block
#                         gets, e.g. "location /my/ { my_module on; }"
#   CONF                  or your own nginx config (then no DIRECTIVES)
#   LEAKTOP_ARGS          more ngx-leaktop options, e.g. "--rounds 6 -n 500
#                         --max-bytes-per-request 8 --suppressions known.supp"
#   NGINX_SRC             an nginx source tarball (.tar.gz) or directory
#   NGINX_VERSION         else this nginx.org release (default: 1.22.1,
#                         the one ngx-leaktop is tested with)
#   NGINX_SHA256          checked against the download when set
#   NGINX_CONFIGURE_ARGS  more ./configure arguments, e.g. "--with-stream"
#   LEAKTOP_SRC           ngx-leaktop's source (default: the tree this
#                         script is in)
#   LEAKTOP               the ngx-leaktop to run (default: the one `tool`
#                         installed, else ngx-leaktop on PATH)
#   WORK_DIR              builds go here (default: ./.leak-gate)
#   REPORT_DIR            reports go here (default: ./leak-reports)
#   SOURCE_ROOT           reports name files relative to it (default: .)
#   JOBS                  make's jobs (default: the number of CPUs)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
LEAKTOP_SRC=${LEAKTOP_SRC:-$(cd "$here/../.." && pwd -P)}
WORK_DIR=${WORK_DIR:-$PWD/.leak-gate}
REPORT_DIR=${REPORT_DIR:-$PWD/leak-reports}
SOURCE_ROOT=${SOURCE_ROOT:-$PWD}
NGINX_VERSION=${NGINX_VERSION:-1.22.1}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

say() { echo "leak-gate: $*" >&2; }
# die MESSAGE: a setup error (exit 2, as ngx-leaktop's own)
die() { say "$*"; exit 2; }
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
need() { [ -n "${!1:-}" ] || die "$1 is not set: $2"; }

PACKAGES=(gcc make libc6-dev pkg-config libncurses-dev libxml2-dev libcurl4-openssl-dev
	libjansson-dev libssl-dev valgrind libpcre2-dev zlib1g-dev curl ca-certificates)

step_deps() {
	local p missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && { say "deps: all installed"; return 0; }
	say "deps: installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}"
}

step_tool() {
	[ -f "$LEAKTOP_SRC/Makefile" ] || die "LEAKTOP_SRC=$LEAKTOP_SRC holds no ngx-leaktop source"
	make -C "$LEAKTOP_SRC" --no-print-directory -j"$JOBS" ngx-leaktop
	make -C "$LEAKTOP_SRC" --no-print-directory install PREFIX="$WORK_DIR/prefix"
	"$WORK_DIR/prefix/bin/ngx-leaktop" --version
}

# nginx's source into WORK_DIR/nginx: a tarball, a directory, or nginx.org's.
nginx_source() {
	local src=$WORK_DIR/nginx tarball
	rm -rf "$src"
	mkdir -p "$src"
	if [ -n "${NGINX_SRC:-}" ] && [ -d "$NGINX_SRC" ]; then
		[ -x "$NGINX_SRC/configure" ] || die "NGINX_SRC=$NGINX_SRC has no ./configure (a release tarball's tree)"
		cp -a "$NGINX_SRC/." "$src/"
		return
	fi
	if [ -n "${NGINX_SRC:-}" ]; then
		[ -f "$NGINX_SRC" ] || die "NGINX_SRC=$NGINX_SRC: no such file or directory"
		tarball=$NGINX_SRC
	else
		tarball=$WORK_DIR/nginx-$NGINX_VERSION.tar.gz
		[ -f "$tarball" ] || {
			say "nginx: downloading nginx-$NGINX_VERSION from nginx.org"
			curl -fsSL -o "$tarball.part" "https://nginx.org/download/nginx-$NGINX_VERSION.tar.gz" ||
				die "cannot download nginx-$NGINX_VERSION.tar.gz (set NGINX_VERSION to a release, or NGINX_SRC)"
			mv "$tarball.part" "$tarball"
		}
	fi
	if [ -n "${NGINX_SHA256:-}" ]; then
		echo "$NGINX_SHA256  $tarball" | sha256sum -c --quiet - ||
			die "$tarball: sha256 is not NGINX_SHA256"
	fi
	tar -xzf "$tarball" -C "$src" --strip-components=1 || die "cannot unpack $tarball"
}

step_nginx() {
	local src=$WORK_DIR/nginx extra=() module
	need MODULE_DIR "the directory of your module (its config file)"
	[ -f "$MODULE_DIR/config" ] || die "MODULE_DIR=$MODULE_DIR has no nginx addon 'config' file"
	# resolved here: configure runs in nginx's source directory
	module=$(cd "$MODULE_DIR" && pwd -P)
	mkdir -p "$WORK_DIR"
	nginx_source
	# shellcheck disable=SC2206 # word splitting is what NGINX_CONFIGURE_ARGS is for
	[ -z "${NGINX_CONFIGURE_ARGS:-}" ] || extra=($NGINX_CONFIGURE_ARGS)
	say "nginx: configure and make -j$JOBS in $src"
	(cd "$src" && ./configure --with-debug --with-cc-opt='-O0 -g -DNGX_DEBUG_PALLOC=1' \
		--add-module="$module" "${extra[@]}" >configure.log 2>&1) ||
		{ tail -n 20 "$src/configure.log" >&2; die "nginx's ./configure failed (log above)"; }
	make -C "$src" -j"$JOBS" >"$src/make.log" 2>&1 ||
		{ tail -n 30 "$src/make.log" >&2; die "nginx's make failed (log above)"; }
	"$src/objs/nginx" -V 2>&1 | grep -q 'NGX_DEBUG_PALLOC=1' ||
		die "the nginx built has no -DNGX_DEBUG_PALLOC=1"
	say "nginx: $src/objs/nginx"
}

step_gate() {
	local lt=${LEAKTOP:-} args=() u rc=0
	need URLS "the paths to send, e.g. URLS='/my/location /other'"
	if [ -z "$lt" ]; then
		lt=$WORK_DIR/prefix/bin/ngx-leaktop
		[ -x "$lt" ] || lt=$(command -v ngx-leaktop) || die "no ngx-leaktop: run the tool step or set LEAKTOP"
	fi
	[ -x "$WORK_DIR/nginx/objs/nginx" ] || die "no $WORK_DIR/nginx/objs/nginx: run the nginx step first"
	for u in $URLS; do args+=(-u "$u"); done
	[ -z "${CONF:-}" ] || args+=(-c "$CONF")
	[ -z "${DIRECTIVES:-}" ] || args+=(--directives "$DIRECTIVES")
	# shellcheck disable=SC2206 # word splitting is what LEAKTOP_ARGS is for
	[ -z "${LEAKTOP_ARGS:-}" ] || args+=($LEAKTOP_ARGS)
	mkdir -p "$REPORT_DIR"
	"$lt" --batch --no-session "${args[@]}" --source-root "$SOURCE_ROOT" \
		--json "$REPORT_DIR/leaks.json" --sarif "$REPORT_DIR/leaks.sarif" \
		--junit "$REPORT_DIR/leaks.xml" "$WORK_DIR/nginx/objs/nginx" || rc=$?
	case $rc in
	0) say "gate: no leak" ;;
	1) say "gate: leaks found (reports in $REPORT_DIR)" ;;
	*) say "gate: ngx-leaktop failed (exit $rc)" ;;
	esac
	return "$rc"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(deps tool nginx gate)
for s in "${steps[@]}"; do
	case $s in
	deps | tool | nginx | gate) ;;
	*) die "unknown step '$s': the steps are deps, tool, nginx, gate" ;;
	esac
done
# each step a plain command: set -e ends the script with its status (in
# "step || exit" bash would ignore set -e inside the step)
for s in "${steps[@]}"; do
	"step_$s"
done
