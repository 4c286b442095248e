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
BYTES       3300693891582"
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
BYTES       -"
	run -66 --separate-stderr allocq --status -J
	[[ $(jq -c '[.present, .readable, .sites, .status]' <<<"$output") == '[false,false,null,66]' ]]
	[[ $(jq -r .error <<<"$output") == "${stderr#allocq: }" ]]
}

@test "--status: booted with never (the sysctl 0 and read-only): exit 66" {
	make_proc "$V2" 0
	chmod 0444 "$ALLOCQ_PROC/sys/vm/mem_profiling"
	run -66 --separate-stderr allocq --status -J
	expect_stderr "allocq: memory allocation profiling was disabled at boot (vm.mem_profiling is 0 and read-only): boot without sysctl.vm.mem_profiling=never"
	[[ $(jq -c '[.present, .profiling, .status]' <<<"$output") == '[true,"never",66]' ]]
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
