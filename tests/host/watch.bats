#!/usr/bin/env bats
# --watch: samples of a fake /proc whose allocinfo changes from one read to
# the next (the ioctl test double serves snapshot N to the Nth open, and
# allocq opens the file for every sample); the terminal view in tmux.

load helpers

V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo

# snapshots DIR: DIR/1..3, the rapl.c call sites growing: rapl_pmu_init
# 12288/3 -> 16384/4 -> 28672/7, init_rapl_pmus 4096/1 -> 0/0 -> 0/0
snapshots() {
	cp "$V2" "$1/1"
	sed 's/^ *12288        3 arch/       16384        4 arch/; s/^ *4096        1 arch/           0        0 arch/' "$V2" >"$1/2"
	sed 's/^ *12288        3 arch/       28672        7 arch/; s/^ *4096        1 arch/           0        0 arch/' "$V2" >"$1/3"
	cmp -s "$1/1" "$1/2" && return 1
	cmp -s "$1/2" "$1/3" && return 1
	return 0
}

# snapshot_proc: $ALLOCQ_PROC whose allocinfo the ioctl test double turns
# into snapshots 1, 2, 3 (then 3 again), one per open: allocq opens the file
# for every sample (--source text: the probe of auto would open it too)
snapshot_proc() {
	make_proc "$V2"
	export FAKEIOCTL_SNAPSHOTS=$BATS_TEST_TMPDIR/snap
	mkdir -p "$FAKEIOCTL_SNAPSHOTS"
	snapshots "$FAKEIOCTL_SNAPSHOTS"
}

# allocq_snap ARGS...: allocq with the snapshots
allocq_snap() {
	LD_PRELOAD=$FAKEIOCTL_LIB allocq --source text "$@"
}

@test "--watch --json: one object a line, exact changes since the first sample, the rate" {
	snapshot_proc
	run -0 --separate-stderr allocq_snap --watch=0.2 --count 3 --json -f rapl.c
	expect_stderr ""
	expect_lines 3
	local samples=$output
	run -0 jq -c '[.allocations[] | [.function, .bytes, .calls, .delta_bytes, .delta_calls]]' <<<"$samples"
	expect_output '[["rapl_pmu_init",12288,3,0,0],["init_rapl_pmus",4096,1,0,0],["rapl_probe",512,2,0,0]]
[["rapl_pmu_init",16384,4,4096,1],["rapl_probe",512,2,0,0],["init_rapl_pmus",0,0,-4096,-1]]
[["rapl_pmu_init",28672,7,16384,4],["rapl_probe",512,2,0,0],["init_rapl_pmus",0,0,-4096,-1]]'
	# the rate is the change since the previous sample over the time between
	# them: the times are printed to the millisecond, the rate rounded; a
	# sample late on a busy machine shortens the next interval, which the
	# rate must follow
	allocq_watch_rates_ok() {
		jq -s -e '
			def within(d; dt; r): dt > 0.01 and d / (dt + 0.0011) - 1 <= r and r <= d / (dt - 0.0011) + 1;
			[.[] | {t: .time, r: (.allocations[] | select(.function == "rapl_pmu_init")).rate}] as $s
			| ($s[0].r == 0)
			and within(4096; $s[1].t - $s[0].t; $s[1].r)
			and within(12288; $s[2].t - $s[1].t; $s[2].r)
		'
	}
	allocq_watch_rates_ok <<<"$samples" >/dev/null ||
		fail_with "rates do not match the times:" "$samples"
	[[ $(tail -n 1 <<<"$samples" | jq -c '.total | [.bytes, .delta_bytes]') == '[29184,12288]' ]]
	[[ $(head -n 1 <<<"$samples" | jq -r '[.schema, .source] | join(" ")') == "1 text" ]]
}

@test "--watch --csv: one header, a time column, every sample" {
	snapshot_proc
	run -0 allocq_snap -w0.2 -c3 --csv -f rapl.c -F rapl_pmu_init
	expect_lines 4
	[[ ${lines[0]} == "time,bytes,calls,delta_bytes,delta_calls,rate,file,line,module,function,accurate" ]]
	local i
	for i in 1 2 3; do
		[[ ${lines[i]} =~ ^[0-9]+\.[0-9]{3},[0-9]+,[0-9]+,-?[0-9]+,-?[0-9]+,-?[0-9]+,arch/x86/events/rapl.c,745,,rapl_pmu_init,true$ ]] ||
			fail_with "line $i: ${lines[i]}"
	done
	[[ $(cut -d, -f2-5 <<<"$output" | tail -n 3) == $'12288,3,0,0\n16384,4,4096,1\n28672,7,16384,4' ]]
}

@test "--watch, table: a '# time' line before each whole sample, --group-by and --limit" {
	snapshot_proc
	run -0 allocq_snap -w0.2 -c2 -g module --limit 2 -b
	expect_lines 8
	[[ ${lines[0]} =~ ^#\ [0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$ ]]
	[[ ${lines[1]} == "        BYTES     CALLS DELTA-BYTES DELTA-CALLS RATE SITES MODULE" ]]
	[[ ${lines[4]} =~ ^#\  ]]
	[[ ${lines[5]} == "${lines[1]}" ]]
}

@test "--watch --format prometheus rewrites --output-file every sample" {
	snapshot_proc
	local kept=$BATS_TEST_TMPDIR/kept n
	mkdir "$kept"
	# every version of the file, kept by the test double as it is renamed
	KEEPRENAMED_NAME=allocq.prom KEEPRENAMED_DIR=$kept \
		LD_PRELOAD="$FAKEIOCTL_LIB $KEEPRENAMED_LIB" run -0 --separate-stderr \
		allocq --source text -w0.2 -c3 --format prometheus -f rapl.c \
		--output-file "$BATS_TEST_TMPDIR/allocq.prom"
	expect_output ""
	expect_stderr ""
	run -0 ls "$kept"
	expect_output $'1\n2\n3'
	# sample N is snapshot N, whole, as a single query prints it (and no
	# two are alike)
	for n in 1 2 3; do	# not i: run sets it
		run -0 allocq -i "$FAKEIOCTL_SNAPSHOTS/$n" --format prometheus -f rapl.c
		[[ $(<"$kept/$n") == "$output" ]] ||
			fail_with "sample $n:" "$(diff <(echo "$output") "$kept/$n")"
	done
	! cmp -s "$kept/1" "$kept/2" && ! cmp -s "$kept/2" "$kept/3"
	[[ $BATS_TEST_TMPDIR/allocq.prom -ef $kept/3 ]]
	[[ $(stat -c %a "$BATS_TEST_TMPDIR/allocq.prom") == 644 ]]
}

@test "SIGTERM and SIGINT end --watch after a whole sample, status 0" {
	make_proc "$V2"
	local sig
	for sig in TERM INT; do
		"$ALLOCQ" --watch=0.1 --json >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
		local pid=$!
		sleep 0.7
		kill -"$sig" "$pid"
		local rc=0
		wait "$pid" || rc=$?
		((rc == 0)) || fail_with "SIG$sig: exit $rc: $(<"$BATS_TEST_TMPDIR/err")"
		[[ ! -s $BATS_TEST_TMPDIR/err ]]
		# every line a whole object, the last one too
		local n
		n=$(grep -c . "$BATS_TEST_TMPDIR/out")
		((n >= 3))
		[[ $(jq -s length "$BATS_TEST_TMPDIR/out") == "$n" ]]
		[[ $(tail -c 1 "$BATS_TEST_TMPDIR/out" | od -An -c | tr -d ' ') == '\n' ]]
	done
}

@test "--watch: bad intervals and combinations are usage errors" {
	run -64 --separate-stderr allocq --watch=0.05
	expect_stderr "allocq: invalid interval '0.05' for --watch: use seconds from 0.1 to 86400 (fractions allowed)"
	for v in x -1 1e9 '' 1s; do
		run -64 --separate-stderr allocq "--watch=$v"
		[[ $stderr == "allocq: invalid interval '$v' for --watch:"* ]]
	done
	run -64 --separate-stderr allocq --count 3
	expect_stderr "allocq: --count counts the samples of --watch: give --watch too"
	run -64 --separate-stderr allocq -w --count 0
	expect_stderr "allocq: invalid number '0' for --count: give at least 1 sample"
	run -64 --separate-stderr allocq -w --diff "$V2"
	expect_stderr "allocq: --watch compares each sample with the first: drop --diff"
	run -64 --separate-stderr allocq -w -i "$V2"
	expect_stderr "allocq: --watch samples the kernel again and again: drop --input"
	run -64 --separate-stderr allocq -w --format prometheus
	expect_stderr "allocq: --watch --format prometheus rewrites a file: give --output-file"
	run -64 --separate-stderr allocq -w --format allocinfo
	expect_stderr "allocq: --format allocinfo saves one snapshot: drop --watch"
}

# allocq and its environment as a shell command line, quoted: the tree may
# sit under a path with a space in it
allocq_cmdline() {
	printf 'ALLOCQ_PROC=%q ALLOCQ_CACHE_DIR=%q %q' "$ALLOCQ_PROC" "$ALLOCQ_CACHE_DIR" "$ALLOCQ"
}

# tmux_run NAME COLS ROWS CMD: CMD in a new tmux session of that size
tmux_run() {
	command -v tmux >/dev/null || fail_with "tmux is missing: install the Debian package tmux"
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux
	tmux -S "$TMUX_SOCKET" new-session -d -s "$1" -x "$2" -y "$3" "$4"
}

# screen: the pane's text; SCREEN: its lines, blank ones too
screen() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -t w
}

read_screen() {
	mapfile -t SCREEN < <(screen)
}

# wait_screen TEXT: until the pane shows TEXT (10 s at most)
wait_screen() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(screen) == *"$1"* ]] && return 0
		sleep 0.1
	done
	fail_with "the screen never showed '$1':" "$(screen)"
}

teardown() {
	[[ -z ${TMUX_SOCKET:-} ]] || tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || :
}

# allocq --watch=SECS [REDIRECTION] on an 80x24 terminal in tmux, from a
# script that keeps `stty -a` before and after and the exit status, then
# prints SHELL-PROMPT-BACK: the terminal must be given back as it was
watch_in_tmux() {
	local sh=$BATS_TEST_TMPDIR/run.sh
	cat >"$sh" <<-EOF
		stty -a >"$BATS_TEST_TMPDIR/stty.before"
		$(allocq_cmdline) --watch=$1 ${2:-}
		echo "exit \$?" >"$BATS_TEST_TMPDIR/status"
		stty -a >"$BATS_TEST_TMPDIR/stty.after"
		echo SHELL-PROMPT-BACK
		sleep 60
	EOF
	tmux_run w 80 24 "bash $(printf %q "$sh")"
}

@test "on a terminal: a full-screen view at 80x24 and 200x50, keys, resize, and the terminal given back" {
	make_proc "$V2"
	watch_in_tmux 0.3
	wait_screen "every 0.3s"
	read_screen
	[[ ${SCREEN[0]} =~ ^[0-9]{2}:[0-9]{2}:[0-9]{2}\ \ text\ \ every\ 0\.3s\ \ 15\ of\ 15\ rows\ \ total\ 3T\ \(\+0\ since ]] ||
		fail_with "header: ${SCREEN[0]}"
	[[ ${SCREEN[2]} == "BYTES     CALLS DELTA-BYTES DELTA-CALLS RATE FILE"* ]] || fail_with "columns: ${SCREEN[2]}"
	[[ ${SCREEN[3]} == "   3T 805306368"*"mm/vmalloc.c"* ]] || fail_with "first row: ${SCREEN[3]}"
	[[ ${SCREEN[23]} == "q quit"* ]]
	# c: by calls; the second row is now the one with the most calls after
	tmux -S "$TMUX_SOCKET" send-keys -t w c
	wait_screen "   2G    524288"
	read_screen
	[[ ${SCREEN[4]} == "   2G    524288"* ]] || fail_with "after c: ${SCREEN[4]}"
	# r reverses: the fewest calls first
	tmux -S "$TMUX_SOCKET" send-keys -t w r
	sleep 0.5
	read_screen
	[[ ${SCREEN[3]} == "    0         0"*"init/main.c"* ]] || fail_with "after r: ${SCREEN[3]}"
	# ?: the keys; any key goes back
	tmux -S "$TMUX_SOCKET" send-keys -t w '?'
	wait_screen "sort by the change since the first sample"
	tmux -S "$TMUX_SOCKET" send-keys -t w x
	wait_screen "every 0.3s"
	# resize to 200x50: redrawn at the new size
	tmux -S "$TMUX_SOCKET" resize-window -t w -x 200 -y 50
	sleep 1
	read_screen
	((${#SCREEN[@]} == 50)) || fail_with "${#SCREEN[@]} lines after the resize"
	[[ ${SCREEN[49]} == "q quit"* ]] || fail_with "last line after the resize: ${SCREEN[49]}"
	[[ ${SCREEN[2]} == *"FUNCTION"*"ACCURATE"* ]] || fail_with "all columns at 200: ${SCREEN[2]}"
	# q: the screen goes, the terminal is as it was
	tmux -S "$TMUX_SOCKET" send-keys -t w q
	wait_screen SHELL-PROMPT-BACK
	[[ $(<"$BATS_TEST_TMPDIR/status") == "exit 0" ]]
	# the same modes; only the size is the new window's
	diff <(sed 's/rows [0-9]*; columns [0-9]*;//' "$BATS_TEST_TMPDIR/stty.before") \
		<(sed 's/rows [0-9]*; columns [0-9]*;//' "$BATS_TEST_TMPDIR/stty.after")
}

@test "on a terminal: as many rows as fit, the header says how many of how many" {
	make_proc "$V2"
	tmux_run w 80 12 "$(allocq_cmdline) --watch=0.5 -n; sleep 60"
	wait_screen "8 of 15 rows"
	read_screen
	# the header, a blank line, the column names (also with -n), 8 rows, the keys
	[[ ${SCREEN[2]} == "BYTES"* ]] || fail_with "line 2: ${SCREEN[2]}"
	[[ ${SCREEN[10]} == *" 0/s "* && ${SCREEN[11]} == "q quit"* ]] ||
		fail_with "$(screen)"
}

@test "on a terminal: an error ends the view, the message comes after the screen is gone" {
	make_proc "$V2"
	watch_in_tmux 0.2 "2>$(printf %q "$BATS_TEST_TMPDIR/err")"
	wait_screen "every 0.2s"
	rm "$ALLOCQ_PROC/allocinfo"	# profiling gone: the next sample fails
	wait_screen SHELL-PROMPT-BACK
	[[ $(<"$BATS_TEST_TMPDIR/status") == "exit 66" ]]
	[[ $(<"$BATS_TEST_TMPDIR/err") == "allocq: no $ALLOCQ_PROC/allocinfo (memory allocation profiling not built in, or disabled at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without sysctl.vm.mem_profiling=never" ]]
	diff "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
}

@test "SIGTERM while the reader does not read: allocq waits for the write, then ends, status 0" {
	make_proc "$V2"
	# samples of some 100 KB, more than a pipe holds
	seq 1 800 | awk '{ printf "%12d %8d drivers/x/file%d.c:%d func:function_%d \n", $1, 1, $1, $1, $1 }' |
		cat <(echo "allocinfo - version: 2.0") - >"$ALLOCQ_PROC/allocinfo"
	# a reader that takes nothing for 4 s: allocq blocks writing the first
	# sample, and is told to stop meanwhile
	"$ALLOCQ" --watch=0.1 --json 2>"$BATS_TEST_TMPDIR/err" \
		> >(sleep 4; cat >"$BATS_TEST_TMPDIR/out") &
	local pid=$! rc=0
	sleep 3.5
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	((rc == 0)) || fail_with "exit $rc: $(<"$BATS_TEST_TMPDIR/err")"
	[[ ! -s $BATS_TEST_TMPDIR/err ]]
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -s $BATS_TEST_TMPDIR/out ]] && [[ $(tail -c 1 "$BATS_TEST_TMPDIR/out") == "" ]] && break
		sleep 0.2
	done
	sleep 0.5
	local n
	n=$(grep -c . "$BATS_TEST_TMPDIR/out")
	((n >= 1))
	[[ $(jq -s 'map(.allocations | length) | unique' "$BATS_TEST_TMPDIR/out") == "[
  800
]" ]]
}

@test "--watch held up (stopped) skips the samples it missed: no burst, no absurd rate" {
	snapshot_proc
	local out=$BATS_TEST_TMPDIR/out tries=0 t0 held
	# allocq itself, not a subshell of a function, is what SIGSTOP must stop
	# shellcheck disable=SC2086
	LD_PRELOAD=$FAKEIOCTL_LIB $ALLOCQ_WRAPPER "$ALLOCQ" --source text \
		--watch=0.5 --count 5 --json -f rapl.c >"$out" &
	local pid=$!
	# stopped after its first sample, before its third (due a second later)
	until (($(wc -l <"$out") >= 1)); do
		((++tries < 200)) || fail_with "no first sample in 10 s"
		sleep 0.05
	done
	# woken up halfway between two of the samples it missed, 3.5 intervals
	# after the first one (worked out first: nothing may fail while allocq
	# is stopped, or bats would wait for it for ever)
	t0=$(head -n 1 "$out" | jq .time)
	held=$(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN { d = t0 + 1.75 - now; print (d > 0 ? d : 0) }')
	kill -STOP "$pid"
	sleep "$held"
	kill -CONT "$pid"
	wait "$pid"
	# the samples keep to the schedule, the first one + k intervals, the
	# missed ones skipped: but for the one taken on waking up, each is on
	# it, at a k of its own (a burst of the missed ones would share one)
	jq -s -e '[.[].time] | .[0] as $t0 | map((. - $t0) / 0.5)
		| (map(. - round | fabs | select(. > 0.1)) | length <= 1)
		and (map(. + 0.1 | floor) | unique | length) == length' \
		"$out" >/dev/null || fail_with "off the schedule: $(jq -c '.time' "$out")"
	# each row's rate is its change over the time since the previous
	# sample, across the stop too (times are printed to the millisecond)
	local rates='[.[] | {t: .time, r: (.allocations | map({(.function): {bytes, rate}}) | add)}] as $s
		| [range(1; $s | length) as $i | ($s[$i].t - $s[$i - 1].t) as $dt
			| $s[$i].r | to_entries[] | {$dt, key, rate: .value.rate,
			want: ((.value.bytes - $s[$i - 1].r[.key].bytes) / $dt)}]'
	run -0 jq -s -c "$rates" "$out"
	local pairs=$output
	# the stop made a gap over which rapl_pmu_init grew
	jq -e 'any(.[]; .dt >= 1 and .key == "rapl_pmu_init" and .want > 0)' <<<"$pairs" \
		>/dev/null || fail_with "no sample after the stop saw a change: $pairs"
	jq -e 'all(.[]; (.want - .rate | fabs) <= 1 + (.want | fabs) * 0.02)' <<<"$pairs" \
		>/dev/null || fail_with "rates that are not change over time: $pairs"
}

@test "--watch --csv --output-file: every sample's file has its header" {
	snapshot_proc
	run -0 allocq_snap -w0.2 -c2 --csv -o bytes,file -f rapl.c --output-file "$BATS_TEST_TMPDIR/out.csv"
	[[ $(head -n 1 "$BATS_TEST_TMPDIR/out.csv") == "time,bytes,file" ]]
	[[ $(grep -c '^time,' "$BATS_TEST_TMPDIR/out.csv") == 1 ]]
}

@test "--watch: the note for a name no call site has comes once" {
	make_proc "$V2"
	run -0 --separate-stderr allocq --watch=0.1 --count 3 --json -F nosuch
	expect_stderr "allocq: warning: no call site has a function named 'nosuch'"
	expect_lines 3
}
