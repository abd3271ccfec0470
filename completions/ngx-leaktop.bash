# bash completion for ngx-leaktop                          -*- shell-script -*-
#
# Installed as $(PREFIX)/share/bash-completion/completions/ngx-leaktop
# (bash-completion loads it on the first TAB after "ngx-leaktop "); or
# source it from ~/.bashrc. Needs nothing but bash itself.
#
# The options are those of `ngx-leaktop --help`: tests/integration/install.sh
# completes each of them and fails when this file and --help differ.

# Every option; those that take a value are in _ngx_leaktop_value below.
_ngx_leaktop_opts='--batch --load --session --no-session -c --conf -p --prefix
	--directives -u --url --request-file --tls --http2 --http1.1
	--stream-directives --http-block --stream-block --tcp --send --read --idle
	-n --requests -C --concurrency --no-keepalive -X --method -H --header
	-d --data --request-timeout --workers --reloads --attach --every
	--vgdb-prefix --rounds --json --fail-on --sarif --junit --folded
	--max-bytes-per-request --max-bytes-per-reload --suppressions
	--gen-suppressions --no-default-suppressions --diff --baseline
	--source-root --break --alloc-fn --source-dir --allow-no-debug-palloc
	--num-callers --valgrind --vgdb --gdb --valgrind-opt --check-timeout
	--full-checks --start-timeout -h --help -V --version'

# _ngx_leaktop_kind OPTION: what OPTION's value is, in _ngx_leaktop_k:
# file, dir, program, fail-on, prefix, other (a number, text, a URL);
# false when OPTION takes no value.
_ngx_leaktop_kind()
{
	case $1 in
	-c | --conf | --load | --session | --request-file | --send | --json | --sarif | \
	--junit | --folded | --suppressions | --gen-suppressions | --baseline)
		_ngx_leaktop_k='file' ;;
	-p | --prefix | --source-dir | --source-root)
		_ngx_leaktop_k=dir ;;
	--valgrind | --vgdb | --gdb)
		_ngx_leaktop_k=program ;;
	--fail-on)
		_ngx_leaktop_k=fail-on ;;
	--vgdb-prefix)
		_ngx_leaktop_k=prefix ;;
	--directives | -u | --url | --stream-directives | --http-block | --stream-block | \
	--tcp | --read | --idle | -n | --requests | -C | --concurrency | -X | --method | \
	-H | --header | -d | --data | --request-timeout | --workers | --reloads | --every | \
	--rounds | --max-bytes-per-request | --max-bytes-per-reload | --break | \
	--alloc-fn | --num-callers | --valgrind-opt | --check-timeout | --start-timeout)
		_ngx_leaktop_k=other ;;
	*)
		return 1 ;;
	esac
}

# _ngx_leaktop_value OPTION CUR: COMPREPLY for the value of OPTION; false
# when OPTION takes no value.
_ngx_leaktop_value()
{
	local _ngx_leaktop_k
	_ngx_leaktop_kind "$1" || return 1
	case $_ngx_leaktop_k in
	file) _ngx_leaktop_files "$2" ;;
	dir) _ngx_leaktop_files "$2" -d ;;
	program)
		_ngx_leaktop_files "$2"
		[[ $2 == */* ]] || mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -c -- "$2") ;;
	fail-on) mapfile -t COMPREPLY < <(compgen -W 'growing definite error none' -- "$2") ;;
	prefix) mapfile -t COMPREPLY < <(compgen -W '/tmp/vgdb-pipe' -- "$2") ;;
	*) COMPREPLY=() ;;	# no list can offer a number, a text, a URL
	esac
	return 0	# (a compgen that matched nothing is no "takes no value")
}

# _ngx_leaktop_files CUR [-d]: file names (directories only with -d).
_ngx_leaktop_files()
{
	compopt -o filenames 2>/dev/null
	if [ "${2:-}" = -d ]; then
		mapfile -t COMPREPLY < <(compgen -d -- "$1")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$1")
	fi
}

# The processes valgrind runs (the first word of their command line is
# valgrind): what --attach takes.
_ngx_leaktop_pids()
{
	local d cmd pids=()
	for d in /proc/[0-9]*; do
		IFS= read -r -d '' cmd 2>/dev/null <"$d/cmdline" || continue
		[[ ${cmd##*/} == valgrind* ]] && pids+=("${d#/proc/}")
	done
	mapfile -t COMPREPLY < <(compgen -W "${pids[*]}" -- "$1")
}

_ngx_leaktop()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' i w attach='' npos=0 skip='' _ngx_leaktop_k
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value: bash splits it at '=' (COMP_WORDBREAKS)
	if [ "$cur" = = ]; then
		cur=
	elif [ "$prev" = = ] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	else
		[ "$prev" = = ] || [[ $prev == -* ]] || prev=
	fi
	COMPREPLY=()
	if [ -n "$prev" ] && _ngx_leaktop_value "$prev" "$cur"; then
		return 0
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_ngx_leaktop_opts" -- "$cur")
		return 0
	fi
	# the words before: --attach, and how many arguments that are no option
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ -n "$skip" ]; then skip=; continue; fi
		case $w in
		--attach) attach=1 ;;
		=) skip=1 ;;
		-*) _ngx_leaktop_kind "$w" && [ "${COMP_WORDS[i + 1]:-}" != = ] && skip=1 ;;
		*) npos=$((npos + 1)) ;;
		esac
	done
	COMPREPLY=()
	if [ -n "$attach" ] && [ "$npos" -eq 0 ]; then
		_ngx_leaktop_pids "$cur"
		[ ${#COMPREPLY[@]} -gt 0 ] && return 0
	fi
	# the nginx binary, or the runs of --diff OLD NEW
	_ngx_leaktop_files "$cur"
}
complete -F _ngx_leaktop ngx-leaktop
