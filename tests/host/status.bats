#!/usr/bin/env bats
# --status on fixture /proc trees: what allocq sees, and the exit status a
# query would get, with its message.

load helpers

V1=$BATS_TEST_DIRNAME/fixtures/v1.allocinfo
V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo
KERNEL=$(uname -r)

@test "--status: the text file only, readable: every field, exit 0" {
	make_proc "$V2"
	run -0 --separate-stderr allocq --status
	expect_stderr ""
	expect_output "KERNEL      $KERNEL
ALLOCINFO   $ALLOCQ_PROC/allocinfo: readable
FORMAT      2.0
PROFILING   on
IOCTL       no
CONTENT ID  -
CALL SITES  15
BYTES       3300693891582
STATUS      0
ERROR       -"
	run -0 allocq --status -J
	expect_output "{\"schema\": 1, \"kernel\": \"$KERNEL\", \"allocinfo\": \"$ALLOCQ_PROC/allocinfo\", \"present\": true, \"readable\": true, \"format\": \"2.0\", \"profiling\": \"on\", \"compressed\": false, \"ioctl\": false, \"content_id\": null, \"sites\": 15, \"bytes\": 3300693891582, \"status\": 0, \"error\": null}"
}

@test "--status: the ioctl and its content id; format 1.0" {
	make_proc "$V1"
	FAKEIOCTL_ID=7 run -0 allocq_ioctl --status -J
	[[ $(jq -c '[.format, .ioctl, .content_id, .status]' <<<"$output") == '["1.0",true,7,0]' ]]
	FAKEIOCTL_ID=7 run -0 allocq_ioctl --status
	[[ ${lines[4]} == "IOCTL       yes" && ${lines[5]} == "CONTENT ID  7" ]]
}

@test "--status: profiling switched off, and compressed on the command line" {
	make_proc "$V2" 0
	echo "console=ttyS0 sysctl.vm.mem_profiling=1,compressed quiet" >"$ALLOCQ_PROC/cmdline"
	run -0 --separate-stderr allocq --status
	# as a query: it works, the counters are frozen
	expect_stderr "allocq: warning: memory allocation profiling is switched off (vm.mem_profiling=0): counters are frozen; enable it with sysctl vm.mem_profiling=1"
	[[ ${lines[3]} == "PROFILING   off, compressed" ]]
	run -0 --separate-stderr allocq --status -J
	[[ $(jq -c '[.profiling, .compressed, .status]' <<<"$output") == '["off",true,0]' ]]
}

@test "--status: no /proc/allocinfo: exit 66, the query's message" {
	make_proc "$V2"
	rm "$ALLOCQ_PROC/allocinfo"
	run -66 --separate-stderr allocq --status
	expect_stderr "allocq: no $ALLOCQ_PROC/allocinfo (memory allocation profiling not built in, or disabled at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without sysctl.vm.mem_profiling=never"
	expect_output "KERNEL      $KERNEL
ALLOCINFO   $ALLOCQ_PROC/allocinfo: missing
FORMAT      -
PROFILING   on
IOCTL       -
CONTENT ID  -
CALL SITES  -
BYTES       -
STATUS      66
ERROR       ${stderr#allocq: }"
	run -66 --separate-stderr allocq --status -J
	[[ $(jq -c '[.present, .readable, .sites, .status]' <<<"$output") == '[false,false,null,66]' ]]
	[[ $(jq -r .error <<<"$output") == "${stderr#allocq: }" ]]
}

@test "--status: booted with never (the sysctl 0 and read-only): a readable file, exit 66" {
	make_proc "$V2" 0
	chmod 0444 "$ALLOCQ_PROC/sys/vm/mem_profiling"
	local why="memory allocation profiling was disabled at boot (vm.mem_profiling is 0 and read-only): boot without sysctl.vm.mem_profiling=never"
	run -66 --separate-stderr allocq --status -J
	expect_stderr "allocq: $why"
	[[ $(jq -c '[.present, .readable, .format, .profiling, .sites, .status]' <<<"$output") == '[true,true,"2.0","never",15,66]' ]]
	[[ $(jq -r .error <<<"$output") == "$why" ]]
	run -66 --separate-stderr allocq --status
	expect_output "KERNEL      $KERNEL
ALLOCINFO   $ALLOCQ_PROC/allocinfo: readable
FORMAT      2.0
PROFILING   never
IOCTL       no
CONTENT ID  -
CALL SITES  15
BYTES       3300693891582
STATUS      66
ERROR       $why"
}

@test "--status: an empty /proc/allocinfo: the whole report, exit 65" {
	make_proc "$V2"
	: >"$ALLOCQ_PROC/allocinfo"
	local why="$ALLOCQ_PROC/allocinfo:1: empty file, no allocinfo header: expected 'allocinfo - version: 1.x' or '2.x'"
	run -65 --separate-stderr allocq --status
	expect_stderr "allocq: $why"
	expect_output "KERNEL      $KERNEL
ALLOCINFO   $ALLOCQ_PROC/allocinfo: readable
FORMAT      -
PROFILING   on
IOCTL       no
CONTENT ID  -
CALL SITES  -
BYTES       -
STATUS      65
ERROR       $why"
	run -65 --separate-stderr allocq --status -J
	expect_stderr "allocq: $why"
	[[ $(jq -c '[.present, .readable, .format, .sites, .bytes, .status]' <<<"$output") == '[true,true,null,null,null,65]' ]]
	[[ $(jq -r .error <<<"$output") == "$why" ]]
}

@test "--status: a malformed line: the format, the error naming the line, exit 65" {
	make_proc "$V2"
	printf 'allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n  4096 1 a.c:1 func:f \nnonsense\n' \
		>"$ALLOCQ_PROC/allocinfo"
	run -65 --separate-stderr allocq --status -J
	expect_stderr "allocq: $ALLOCQ_PROC/allocinfo:4: malformed line (bad byte count): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
	[[ $(jq -c '[.readable, .format, .sites, .status]' <<<"$output") == '[true,"2.0",null,65]' ]]
	[[ $(jq -r .error <<<"$output") == "${stderr#allocq: }" ]]
}

@test "--status: the tag set changing under every read: the whole report, exit 75" {
	make_proc "$V1"
	FAKEIOCTL_BUMP_EVERY=1 run -75 --separate-stderr allocq_ioctl --status -J
	expect_stderr "allocq: the set of allocation tags kept changing while reading it (10 attempts; modules loading or unloading): try again"
	[[ $(jq -c '[.readable, .format, .ioctl, .sites, .status]' <<<"$output") == '[true,"1.0",true,null,75]' ]]
}

# Every state: every field, the status and the error among them.
@test "--status: every field in every state, as a table and as JSON" {
	local state keys='["allocinfo","bytes","compressed","content_id","error","format","ioctl","kernel","present","profiling","readable","schema","sites","status"]'
	for state in fine missing empty off never; do
		make_proc "$V2"
		case $state in
		missing) rm "$ALLOCQ_PROC/allocinfo" ;;
		empty) : >"$ALLOCQ_PROC/allocinfo" ;;
		off) echo 0 >"$ALLOCQ_PROC/sys/vm/mem_profiling" ;;
		never) echo 0 >"$ALLOCQ_PROC/sys/vm/mem_profiling"
			chmod 0444 "$ALLOCQ_PROC/sys/vm/mem_profiling" ;;
		esac
		run --separate-stderr allocq --status
		expect_lines 10
		[[ ${lines[8]} == "STATUS      $status" ]] || fail_with "$state: ${lines[8]}"
		run --separate-stderr allocq --status -J
		[[ $(jq -c 'keys' <<<"$output") == "$keys" ]] || fail_with "$state: $output"
		[[ $(jq .status <<<"$output") == "$status" ]] || fail_with "$state: $output"
		rm -rf "$ALLOCQ_PROC"
	done
}

@test "--status prints a table or JSON; every other format is a usage error" {
	make_proc "$V2"
	run -0 allocq --status --format table
	[[ ${lines[0]} == "KERNEL      $KERNEL" ]]
	run -0 allocq --status --format json
	[[ $(jq .status <<<"$output") == 0 ]]
	local format
	for format in csv allocinfo prometheus; do
		run -64 --separate-stderr allocq --status --format "$format"
		expect_output ""
		expect_stderr "allocq: --status prints a table or JSON, not $format: give --json, or no format for the table"
	done
	run -64 --separate-stderr allocq --status --csv
	expect_stderr "allocq: --status prints a table or JSON, not csv: give --json, or no format for the table"
}

@test "--status: not readable by this user: exit 77" {
	((EUID == 0)) || skip "needs root to become another user"
	make_proc "$V2"
	chmod 0400 "$ALLOCQ_PROC/allocinfo"
	chmod 0755 "$BATS_TEST_TMPDIR" "$ALLOCQ_PROC"
	local bin
	bin=$(mktemp -d /tmp/allocq-nobody.XXXXXX)
	chmod 755 "$bin"
	install -m 755 "$ALLOCQ" "$bin/allocq"
	run -77 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all env ALLOCQ_PROC="$ALLOCQ_PROC" "$bin/allocq" --status -J
	rm -rf "$bin"
	expect_stderr "allocq: permission denied opening $ALLOCQ_PROC/allocinfo (it is readable by root only): run allocq as root"
	[[ $(jq -c '[.readable, .format, .ioctl, .sites, .status]' <<<"$output") == '[false,null,null,null,77]' ]]
}

@test "--status: total bytes past 2^64, exact" {
	make_proc "$BATS_TEST_DIRNAME/fixtures/exact/huge.allocinfo"
	run -0 allocq --status
	[[ ${lines[6]} == "CALL SITES  3" && ${lines[7]} == "BYTES       27670116110564327423" ]]
	run -0 allocq --status -J
	expect_contains '"sites": 3, "bytes": 27670116110564327423, "status": 0'
}
