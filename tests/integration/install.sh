#!/usr/bin/env bash
# Installed like a tool: the man page, the bash completion, make install /
# make uninstall into a DESTDIR, and --version with and without valgrind.
# The options of `ngx-leaktop --help` are the truth: the man page has an
# item for each, the completion offers each and completes its value by
# what --help says it takes, so neither can drift from the option table.
# Starts no nginx and no valgrind.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
lt_need groff man make install find stat sleep

cd "$lt_repo" || exit 2
page=man/ngx-leaktop.1
comp=completions/ngx-leaktop.bash
version=$("$LT" --version | head -n 1)
help=$("$LT" --help)

# The options of --help: "LONG ARG" a line (ARG "" without a value), and
# the short ones.
help_opts=$(printf '%s\n' "$help" | sed -nE \
	's/^ +(-[a-zA-Z], )?--([a-z0-9.-]+)( ([A-Z'"'"'][^ ]*))?( .*)?$/\2 \4/p')
help_short=$(printf '%s\n' "$help" | sed -nE 's/^  -([a-zA-Z]), --.*/\1/p')
nlong=$(printf '%s\n' "$help_opts" | grep -c .)
lt_check "--help lists options ($nlong long, $(echo $help_short | wc -w) short)" \
	bash -c '[ "$1" -ge 50 ] && [ -n "$2" ]' _ "$nlong" "$help_short"

# --- the man page ------------------------------------------------------------
# render FILE: the page as text, ASCII (a '-' stays a '-'), wide lines
render() { LC_ALL=C MANWIDTH=200 man -l "$1" 2>/dev/null; }
text=$(render "$page")
warn=$(groff -man -ww -z "$page" 2>&1; LC_ALL=C MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
lt_check "man page renders with no warning (groff -man -ww, man --warnings -l)" [ -z "$warn" ] ||
	printf '%s\n' "$warn" | head -n 5 | sed 's/^/# /'
for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES "SEE ALSO"; do
	grep -qx "$s" <<<"$text" || missing_sec+="$s "
done
lt_check "man page has every section" [ -z "${missing_sec:-}" ] || echo "# missing: $missing_sec"
lt_check "man page's version is the binary's ($version)" \
	grep -qE "^\.TH .*\"${version//./\\.}\"" "$page"
syn=$(sed -n '/^SYNOPSIS$/,/^DESCRIPTION$/p' <<<"$text")
lt_check "SYNOPSIS has the run, --batch, --attach, --load and --diff forms" \
	bash -c 'for f in "nginx-binary" "--batch" "--attach" "--load file" "--diff"; do
		grep -qe "ngx-leaktop $f" <<<"$1" || grep -qe "^ *ngx-leaktop .*$f" <<<"$1" || exit 1; done' _ "$syn"
# Every option is the tag of an item under OPTIONS ("-c, --conf file"),
# and the page has no item for an option --help does not know.
opts_sec=$(sed -n '/^OPTIONS$/,/^EXIT STATUS$/p' <<<"$text")
bad=""
while read -r long arg; do
	grep -qE "^       (-[a-zA-Z], )?--${long//./\\.}( |$)" <<<"$opts_sec" || bad+="--$long "
done <<<"$help_opts"
for s in $help_short; do
	grep -qE "^       -$s, --" <<<"$opts_sec" || bad+="-$s "
done
lt_check "man page has an item for every option of --help" [ -z "$bad" ] || echo "# missing: $bad"
extra=$(grep -oE '^       (-[a-zA-Z], )?--[a-z0-9.-]+' <<<"$opts_sec" | sed -E 's/.*--//' |
	while read -r o; do grep -qx "$o" <<<"$(cut -d' ' -f1 <<<"$help_opts")" || echo "--$o"; done)
lt_check "man page has no item for an option --help lacks" [ -z "$extra" ] || echo "# extra: $extra"
# Every variable the code reads is under ENVIRONMENT.
env_sec=$(sed -n '/^ENVIRONMENT$/,/^EXAMPLES$/p' <<<"$text")
vars=$(grep -rhoE 'getenv\("[A-Z_]+"\)' src | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)
bad=""
for v in $vars; do grep -qE "^       ($v|.*, $v|$v,)" <<<"$env_sec" || bad+="$v "; done
lt_check "ENVIRONMENT names every variable the code reads ($(echo $vars | wc -w))" [ -z "$bad" ] ||
	echo "# missing: $bad"
files_sec=$(sed -n '/^FILES$/,/^ENVIRONMENT$/p' <<<"$text")
bad=""
grep -q 'ngx-leaktop/sessions/' <<<"$files_sec" || bad+="sessions "
for f in share/*.supp; do
	[ -f "$f" ] || continue
	grep -q "/usr/local/share/ngx-leaktop/${f#share/}" <<<"$files_sec" || bad+="$f "
done
lt_check "FILES names the session files and every share/*.supp as installed" [ -z "$bad" ] ||
	echo "# missing: $bad"

# --- the bash completion -------------------------------------------------------
# complete WORD...: COMPREPLY, one a line, of completing the last WORD of
# "ngx-leaktop WORD...", in a bash with nothing but the completion file.
complete_words() {
	(cd "$cdir" && bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=(ngx-leaktop "$@"); COMP_CWORD=$#
		complete -p ngx-leaktop >/dev/null || exit 3
		_ngx_leaktop; [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$compfile" "$@" | sort -u)
}
compfile=$lt_repo/$comp
cdir=$lt_tmp/cwd
mkdir -p "$cdir/adir" && touch "$cdir/afile"
lt_check "completion file is valid bash and registers ngx-leaktop" \
	bash --norc --noprofile -c '. "$1" && complete -p ngx-leaktop >/dev/null' _ "$compfile"
all=$(complete_words -)
bad=""
while read -r long arg; do grep -qx -- "--$long" <<<"$all" || bad+="--$long "; done <<<"$help_opts"
for s in $help_short; do grep -qx -- "-$s" <<<"$all" || bad+="-$s "; done
lt_check "completion offers every option of --help" [ -z "$bad" ] || echo "# missing: $bad"
extra=$(grep -E '^--' <<<"$all" | while read -r o; do
	grep -qx "${o#--}" <<<"$(cut -d' ' -f1 <<<"$help_opts")" || echo "$o"; done)
lt_check "completion offers no option --help lacks" [ -z "$extra" ] || echo "# extra: $extra"
lt_check "completion: --fail-o completes to --fail-on" [ "$(complete_words --fail-o)" = --fail-on ]
# The value of each option, by what --help says it takes.
bad=""
while read -r long arg; do
	got=$(complete_words "--$long" a | tr '\n' ' ')
	case $arg in
	"") want="adir afile " ;;	# no value: the next word is the binary
	FILE | "FILE|-") want="adir afile " ;;
	PATH) got=$(complete_words "--$long" ./a | tr '\n' ' ') want="./adir ./afile " ;;
	DIR) want="adir " ;;
	WHAT) want="" got=$(complete_words "--$long" "" | tr '\n' ' ')
		want="definite error growing none " ;;
	PREFIX) want="" ;;
	*) want="" ;;	# a number, text, a URL: nothing to list
	esac
	[ "$got" = "$want" ] || bad+="--$long $arg: '$got' (want '$want'); "
done <<<"$help_opts"
lt_check "completion completes each option's value by --help's placeholder" [ -z "$bad" ] ||
	echo "# $bad"
lt_check "completion: --valgrind valgrin offers the valgrind on PATH" \
	grep -qx valgrind <<<"$(complete_words --valgrind valgrin)"
lt_check "completion: --fail-on=d completes to definite" \
	[ "$(complete_words --fail-on = d)" = definite ]
lt_check "completion: -c a (short option) completes files" \
	[ "$(complete_words -c a | tr '\n' ' ')" = "adir afile " ]
touch "$cdir/sp ace*"
lt_check "completion: a file name with a blank and a '*' is one word, as it is" \
	[ "$(complete_words --json sp)" = "sp ace*" ]
rm -f "$cdir/sp ace*"
lt_check "completion: after -n 5 comes the binary again (files)" \
	[ "$(complete_words -n 5 a | tr '\n' ' ')" = "adir afile " ]
# --attach [PID]: the processes valgrind runs (the first word of their
# command line is valgrind), here a sleep that says it is one.
(exec -a /fake/bin/valgrind sleep 30) &
fake=$!
lt_pids+=("$fake")
for _ in $(seq 50); do grep -q valgrind "/proc/$fake/cmdline" 2>/dev/null && break; sleep 0.1; done
lt_check "completion: --attach offers the pids valgrind runs" \
	grep -qx "$fake" <<<"$(complete_words --attach "")"
lt_check "completion: no other pid (its own shell's)" \
	bash -c '! grep -qx "$1" <<<"$2"' _ "$$" "$(complete_words --attach "")"
lt_check "completion: --attach PID then the binary (files)" \
	[ "$(complete_words --attach "$fake" a | tr '\n' ' ')" = "adir afile " ]
kill "$fake" 2>/dev/null

# --- --version -----------------------------------------------------------------
out=$("$LT" --version); rc=$?
lt_check "--version: 'ngx-leaktop VERSION' then the tools found, exit 0" \
	bash -c '[ "$1" -eq 0 ] && grep -qxE "ngx-leaktop [0-9]+\.[0-9]+\.[0-9]+" <<<"$(head -n 1 <<<"$2")" &&
		grep -qxF "valgrind: $(command -v valgrind) ($(valgrind --version))" <<<"$2" &&
		grep -qxF "vgdb: $(command -v vgdb)" <<<"$2" &&
		grep -qxF "gdb: $(command -v gdb) ($(gdb --version | head -n 1))" <<<"$2"' _ "$rc" "$out" ||
	printf '# %s\n' "$out"
mkdir -p "$lt_tmp/emptybin"
out=$(PATH=$lt_tmp/emptybin "$LT" --version); rc=$?
lt_check "--version without valgrind on PATH: 'not found (apt-get install valgrind)', exit 0" \
	bash -c '[ "$1" -eq 0 ] && grep -qxF "valgrind: not found (apt-get install valgrind)" <<<"$2" &&
		grep -qxF "vgdb: not found (apt-get install valgrind)" <<<"$2" &&
		grep -q "^gdb: not found (apt-get install gdb" <<<"$2"' _ "$rc" "$out" || printf '# %s\n' "$out"
printf '#!/bin/sh\nprintf "valgrind-9.9\\033[2J\\n"\n' >"$lt_tmp/vg-esc"
printf '#!/bin/sh\nexec sleep 60\n' >"$lt_tmp/vg-hang"
chmod +x "$lt_tmp/vg-esc" "$lt_tmp/vg-hang"
out=$("$LT" --valgrind "$lt_tmp/vg-esc" --version)
lt_check "--version: the --valgrind given before it, its control bytes escaped" \
	grep -qxF "valgrind: $lt_tmp/vg-esc (valgrind-9.9\\x1b[2J)" <<<"$out" || printf '# %s\n' "$out"
start=$(date +%s)
out=$("$LT" --valgrind "$lt_tmp/vg-hang" --version); rc=$?
secs=$(($(date +%s) - start))
lt_check "--version: a valgrind that hangs is given up after 10 s (${secs}s), exit 0" \
	bash -c '[ "$1" -eq 0 ] && [ "$2" -le 15 ] && grep -qxF "valgrind: $3" <<<"$4"' _ \
	"$rc" "$secs" "$lt_tmp/vg-hang" "$out"

# --- make install / make uninstall ---------------------------------------------
dest=$lt_tmp/dest
make -s --no-print-directory install DESTDIR="$dest" PREFIX=/opt/lt >"$lt_tmp/install.out" 2>&1
lt_check "make install DESTDIR=... PREFIX=/opt/lt succeeds" [ $? -eq 0 ] ||
	sed 's/^/# /' "$lt_tmp/install.out" | tail -n 5
want="755 opt/lt/bin/ngx-leaktop
644 opt/lt/share/bash-completion/completions/ngx-leaktop
644 opt/lt/share/man/man1/ngx-leaktop.1"
for f in share/*.supp; do
	[ -f "$f" ] && want+=$'\n'"644 opt/lt/share/ngx-leaktop/${f#share/}"
done
got=$(cd "$dest" && find . -type f -printf '%m %P\n' | LC_ALL=C sort)
want=$(LC_ALL=C sort <<<"$want")
lt_check "installed: the binary, the man page, the completion, share/*.supp, with their modes" \
	[ "$got" = "$want" ] || { echo "# got:"; sed "s/^/#   /" <<<"$got"; echo "# want:"; sed "s/^/#   /" <<<"$want"; }
lt_check "the installed binary runs: --version says $version" \
	[ "$("$dest/opt/lt/bin/ngx-leaktop" --version | head -n 1)" = "$version" ]
ipage=$dest/opt/lt/share/man/man1/ngx-leaktop.1
warn=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$ipage" 2>&1 >/dev/null)
lt_check "man -l of the installed page: no warning, names the installed data dir" \
	bash -c '[ -z "$1" ] && grep -q "/opt/lt/share/ngx-leaktop/" <<<"$2" &&
		! grep -q "/usr/local/share/ngx-leaktop" <<<"$2"' _ "$warn" "$(render "$ipage")"
compfile=$dest/opt/lt/share/bash-completion/completions/ngx-leaktop
lt_check "the installed completion completes" [ "$(complete_words --fail-on "" | wc -l)" -eq 4 ]
make -s --no-print-directory uninstall DESTDIR="$dest" PREFIX=/opt/lt >"$lt_tmp/uninstall.out" 2>&1
lt_check "make uninstall leaves no file, nor a directory of its own" \
	bash -c '[ $2 -eq 0 ] && [ -z "$(find "$1" -type f)" ] && [ ! -e "$1/opt/lt/share/ngx-leaktop" ]' \
	_ "$dest" $?
# Someone else's file in ngx-leaktop's data dir is kept, and said.
make -s --no-print-directory install DESTDIR="$dest" PREFIX=/opt/lt >/dev/null 2>&1
mkdir -p "$dest/opt/lt/share/ngx-leaktop" && echo mine >"$dest/opt/lt/share/ngx-leaktop/mine.supp"
out=$(make -s --no-print-directory uninstall DESTDIR="$dest" PREFIX=/opt/lt 2>&1)
lt_check "make uninstall keeps a file it did not install, and says so" \
	bash -c '[ "$(cd "$1" && find . -type f)" = ./opt/lt/share/ngx-leaktop/mine.supp ] &&
		grep -q "did not install: kept" <<<"$2"' _ "$dest" "$out"

lt_finish
