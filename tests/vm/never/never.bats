#!/usr/bin/env bats
# A kernel booted with sysctl.vm.mem_profiling=never: allocq fails with the
# clear "no /proc/allocinfo" error and exit status 66, from every source.

load ../guest/helpers

@test "the kernel was booted with sysctl.vm.mem_profiling=never" {
	grep -qw 'sysctl.vm.mem_profiling=never' /proc/cmdline ||
		fail_with "not booted with sysctl.vm.mem_profiling=never: $(cat /proc/cmdline)"
	[[ $(cat /proc/sys/vm/mem_profiling) == 0 ]]
	if [[ -e /proc/allocinfo ]]; then
		local on=refused
		sysctl -q -w vm.mem_profiling=1 2>/dev/null && on=accepted
		diag "$ALLOCQ_KERNEL keeps /proc/allocinfo under never ($(wc -l </proc/allocinfo) lines," \
			"$(awk 'NR > 2 && ($1 != 0 || $2 != 0)' /proc/allocinfo | wc -l) with counts;" \
			"sysctl vm.mem_profiling=1 $on, mem_profiling $(</proc/sys/vm/mem_profiling))"
	else
		diag "$ALLOCQ_KERNEL has no /proc/allocinfo under never"
	fi
}

@test "allocq exits 66 with the clear error, from every source and format" {
	local args rc
	for args in "" --json --csv "--source=text" "--source=ioctl" "-m $MODNAME" "-f main.c"; do
		rc=0
		# shellcheck disable=SC2086
		"$ALLOCQ" $args >"$T/out" 2>"$T/err" || rc=$?
		((rc == 66)) || fail_with "allocq $args: exit $rc, not 66; stderr:" "$(<"$T/err")"
		[[ $(<"$T/err") == "$MSG_NOINPUT" ]] ||
			fail_with "allocq $args: stderr: $(<"$T/err")" "expected: $MSG_NOINPUT"
		[[ ! -s $T/out ]] || fail_with "allocq $args: stdout: $(head -n 5 "$T/out")"
	done
}
