# tests/tools/bigconf_lib.sh - what bench/bigconf.sh and
# tests/integration/bigconf.sh share (sourced after tests/lib.sh): the
# debug-palloc nginx under valgrind on a config, started the way
# ngx-leaktop starts it (src/nginx/target/target_prepare.c's argv), and
# raw vgdb commands on it, timed: the baselines a check of ngx-leaktop is
# compared with, on the same process.

bc_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bc_start DIR: nginx -c DIR/nginx.conf -p DIR/ under valgrind, one process
# (daemon off; master_process off), vgdb prefix DIR/vgdb; sets bc_pid
# (valgrind's pid: nginx's) and bc_prefix. Killed at the script's exit.
bc_start() {
	local dir=$1
	bc_prefix=$dir/vgdb
	valgrind --tool=memcheck --vgdb=yes --vgdb-prefix="$bc_prefix" --xml=yes \
		--xml-file="$dir/valgrind.xml" --num-callers=40 --keep-stacktraces=alloc-and-free \
		--fullpath-after= --error-limit=no \
		"$NGINX" -p "$dir/" -c "$dir/nginx.conf" -g 'daemon off; master_process off;' \
		2>"$dir/valgrind.err" &
	bc_pid=$!
	lt_pids+=("$bc_pid")
}

# bc_wait_ready PORT SECONDS: nginx answers on PORT (curl /clean); false if
# it died or did not answer in time. Sets bc_ready_ms (from the call).
bc_wait_ready() {
	local port=$1 t0 end
	t0=$(bc_now_ms)
	end=$((t0 + $2 * 1000))
	while [ "$(bc_now_ms)" -lt "$end" ]; do
		kill -0 "$bc_pid" 2>/dev/null || return 1
		if curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/clean"; then
			bc_ready_ms=$(($(bc_now_ms) - t0))
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# bc_raw OUT WORDS...: `vgdb leak_check WORDS` on bc_pid as a user types it
# (vgdb's default --max-invoke-ms), its answer in OUT; echoes the ms taken.
# BC_VGDB_OPTS (e.g. --max-invoke-ms=1) go before the command.
bc_raw() {
	local out=$1 t0
	shift
	t0=$(date +%s%N)
	vgdb ${BC_VGDB_OPTS:-} --vgdb-prefix="$bc_prefix" --pid="$bc_pid" leak_check "$@" >"$out" 2>&1
	echo $((($(date +%s%N) - t0) / 1000000))
}

# bc_stop: SIGQUIT to nginx, wait for it (bounded), SIGKILL if it lingers.
bc_stop() {
	local i
	kill -QUIT "$bc_pid" 2>/dev/null || return 0
	for ((i = 0; i < 300; i++)); do
		kill -0 "$bc_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$bc_pid" 2>/dev/null || true
	wait "$bc_pid" 2>/dev/null || true
}

# bc_median N...: the median (the upper one of an even count)
bc_median() { printf '%s\n' "$@" | sort -n | sed -n "$(($# / 2 + 1))p"; }
