#!/usr/bin/env bash
# The CI examples run: examples/ci/leak-gate.sh, the script the GitHub
# Actions workflow and the GitLab CI job call step by step, run here with
# the same steps against the fixture module (tests/fixture/): the packages
# (all there: a no-op), ngx-leaktop installed into a temp prefix, nginx
# really built from Debian's source tarball (the one make nginx fetched)
# with the module and -DNGX_DEBUG_PALLOC=1, then the gate, which must fail
# on a leaking URL with its reports written, and pass on a clean one. Both
# YAML files are parsed and must call every step of the script.
# Cost: the nginx build (about a minute on 2 CPUs) and two short runs.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need valgrind vgdb jq xmllint make gcc tar dpkg-query nproc /usr/bin/python3
/usr/bin/python3 -c 'import yaml' 2>/dev/null ||
	{ lt_not_ok "python3-yaml is not installed (apt-get install python3-yaml)"; lt_finish; exit 1; }

gate=$lt_repo/examples/ci/leak-gate.sh
tarball=${NGX_LEAKTOP_CACHE:-$HOME/.cache/ngx-leaktop}/nginx_1.22.1.orig.tar.gz
[ -f "$tarball" ] || { lt_not_ok "no $tarball (make nginx downloads it)"; lt_finish; exit 1; }
export TMPDIR=$lt_tmp/tmp
mkdir -p "$TMPDIR"

# --- the YAML files call the script ---------------------------------------------
yaml_check() {
	/usr/bin/python3 - "$@" <<'EOF'
import re, sys, yaml

steps = {"deps", "tool", "nginx", "gate"}
def calls(cmds):
    """the steps of leak-gate.sh the commands run, in order"""
    out = []
    for c in cmds:
        out += re.findall(r'examples/ci/leak-gate\.sh"?\s+(\w+)', c)
    return out

gh = yaml.safe_load(open(sys.argv[1]))
job = gh["jobs"]["leaks"]
runs = [s["run"] for s in job["steps"] if "run" in s]
uses = {s["uses"].split("@")[0]: s for s in job["steps"] if "uses" in s}
sarif = uses.get("github/codeql-action/upload-sarif")
art = uses.get("actions/upload-artifact")
on = gh.get("on", gh.get(True))
problems = []
if calls(runs) != ["deps", "tool", "nginx", "gate"]: problems.append("github: steps %s" % calls(runs))
if not sarif or "always()" not in sarif.get("if", "") or not sarif["with"]["sarif_file"].endswith("leaks.sarif"):
    problems.append("github: upload-sarif if: always() of leaks.sarif")
if not art or "always()" not in art.get("if", ""): problems.append("github: upload-artifact if: always()")
if "pull_request" not in on: problems.append("github: on pull_request")
if gh["permissions"].get("security-events") != "write": problems.append("github: security-events: write")

gl = yaml.safe_load(open(sys.argv[2]))
j = gl["leak-gate"]
if calls(j["script"]) != ["deps", "tool", "nginx", "gate"]: problems.append("gitlab: steps %s" % calls(j["script"]))
a = j["artifacts"]
if a.get("when") != "always" or not a.get("reports", {}).get("junit", "").endswith("leaks.xml"):
    problems.append("gitlab: artifacts when: always, reports: junit: leaks.xml")
if not any("leak-reports" in p for p in a["paths"]): problems.append("gitlab: the reports as artifacts")

# the variables both set are the ones the script reads
script = open(sys.argv[3]).read()
for name, env in (("github", job["env"]), ("gitlab", j["variables"])):
    for k in env:
        if k.startswith("LEAKTOP_REPO") or k == "LEAKTOP_REF": continue
        if not re.search(r"^#   %s\b" % k, script, re.M): problems.append("%s: %s is not the script's" % (name, k))
for p in problems: print(p)
sys.exit(1 if problems else 0)
EOF
}
out=$(yaml_check "$lt_repo/examples/github-actions.yml" "$lt_repo/examples/gitlab-ci.yml" "$gate" 2>&1)
lt_check "both YAML files parse and run the script's four steps, uploading SARIF and JUnit always" \
	[ -z "$out" ] || printf '# %s\n' "$out"

# --- the script, as the examples run it -----------------------------------------
work=$lt_tmp/work
reports=$lt_tmp/reports
fixture=$lt_repo/tests/fixture/ngx_http_leaky_module
export MODULE_DIR=$fixture NGINX_SRC=$tarball WORK_DIR=$work REPORT_DIR=$reports \
	SOURCE_ROOT=$fixture LEAKTOP_SRC=$lt_repo
# the fixture has a stream module; the rest off for a shorter build
# (the generated config names the proxy, fastcgi, uwsgi and scgi temp paths)
export NGINX_CONFIGURE_ARGS="--with-stream --without-http_rewrite_module --without-http_gzip_module
	--without-http_grpc_module --without-http_memcached_module --without-http_ssi_module
	--without-http_userid_module --without-http_charset_module --without-http_geo_module
	--without-http_map_module --without-http_split_clients_module --without-http_referer_module
	--without-http_browser_module --without-http_autoindex_module --without-http_mirror_module"
export DIRECTIVES="location = /leak/alloc { leaky leak_alloc; } location = /clean { leaky clean; }"
export LEAKTOP_ARGS="-n 100 --rounds 3"

out=$(URLS= "$gate" gate 2>&1); rc=$?
lt_check "no URLS: exit 2 and what to set" bash -c '[ "$1" -eq 2 ] && grep -q "URLS is not set" <<<"$2"' \
	_ "$rc" "$out"
out=$(MODULE_DIR=$lt_tmp/nope "$gate" nginx 2>&1); rc=$?
lt_check "a MODULE_DIR without a config file: exit 2, named" \
	bash -c '[ "$1" -eq 2 ] && grep -q "has no nginx addon .config. file" <<<"$2"' _ "$rc" "$out"
out=$("$gate" deps bogus 2>&1); rc=$?
lt_check "an unknown step: exit 2 before any step runs" \
	bash -c '[ "$1" -eq 2 ] && grep -q "unknown step .bogus." <<<"$2" && ! grep -q "deps:" <<<"$2"' _ "$rc" "$out"

start=$(date +%s)
# MODULE_DIR relative, as a module's own CI gives it (.): configure runs elsewhere
(cd "$lt_repo/tests/fixture" && MODULE_DIR=ngx_http_leaky_module URLS="/leak/alloc /clean" \
	"$gate" deps tool nginx gate) >"$lt_tmp/gate.out" 2>&1
rc=$?
secs=$(($(date +%s) - start))
lt_check "deps, tool, nginx, gate on the leaking fixture: exit 1 (${secs}s)" [ "$rc" -eq 1 ] ||
	tail -n 20 "$lt_tmp/gate.out" | sed 's/^/# /'
lt_check "deps: nothing to install here" grep -q 'deps: all installed' "$lt_tmp/gate.out"
lt_check "tool: ngx-leaktop installed into WORK_DIR/prefix, with its man page" \
	bash -c '[ -x "$1/prefix/bin/ngx-leaktop" ] && [ -f "$1/prefix/share/man/man1/ngx-leaktop.1" ]' _ "$work"
lt_check "nginx: built with -DNGX_DEBUG_PALLOC=1 and the module" \
	bash -c '"$1" -V 2>&1 | grep -q NGX_DEBUG_PALLOC=1 && "$1" -V 2>&1 | grep -q "add-module=$2"' \
	_ "$work/nginx/objs/nginx" "$fixture"
lt_check "JSON report: /leak/alloc's line grows, failing the gate; /clean does not" \
	jqt --argjson l "$(lt_leak_line leak_alloc)" '
		([.sites[] | select(.function == "ngx_http_leaky_leak_alloc" and .line == $l
			and .growth == "growing")] | length) > 0 and
		([.sites[] | select(.function == "ngx_http_leaky_clean" and .growth == "growing")] | length) == 0' \
	"$reports/leaks.json"
lt_check "SARIF report written, JSON that parses" jqt '.version == "2.1.0"' "$reports/leaks.sarif"
lt_check "JUnit report written, XML that parses" xmllint --noout "$reports/leaks.xml"

rm -rf "$reports"
URLS="/clean" "$gate" gate >"$lt_tmp/clean.out" 2>&1
rc=$?
lt_check "gate on the clean URL: exit 0, reports written" \
	bash -c '[ "$1" -eq 0 ] && [ -s "$2/leaks.json" ] && [ -s "$2/leaks.sarif" ] && [ -s "$2/leaks.xml" ]' \
	_ "$rc" "$reports" || tail -n 10 "$lt_tmp/clean.out" | sed 's/^/# /'
lt_check "nothing left running, no private dir left" lt_nothing_left "$work" "$TMPDIR"

lt_finish
