#!/usr/bin/env bats
# A kernel booted with sysctl.vm.mem_profiling=never: allocq fails with the
# clear "no /proc/allocinfo" error and exit status 66, from every source.

load ../guest/helpers

@test "the kernel was booted with sysctl.vm.mem_profiling=never" {
	grep -qw 'sysctl.vm.mem_profiling=never' /proc/cmdline ||
		fail_with "not booted with sysctl.vm.mem_profiling=never: $(cat /proc/cmdline)"
	[[ $(cat /proc/sys/vm/mem_profiling) == 0 ]]
	if [[ -e /proc/allocinfo ]]; then
		local rc=0
		sysctl -q -w vm.mem_profiling=1 2>/dev/null || rc=$?
		diag "$ALLOCQ_KERNEL keeps /proc/allocinfo under never ($(wc -l </proc/allocinfo) lines," \
			"$(awk 'NR > 2 && ($1 != 0 || $2 != 0)' /proc/allocinfo | wc -l) with counts;" \
			"sysctl vm.mem_profiling=1 exits $rc and leaves it $(</proc/sys/vm/mem_profiling))"
	else
		diag "$ALLOCQ_KERNEL has no /proc/allocinfo under never"
	fi
}

@test "allocq exits 66 with the clear error, from every source and format" {
	local args rc bad=0
	# every variant, so that the report names all that fail
	for args in "" --json --csv "--source=text" "--source=ioctl" "-m $MODNAME" "-f main.c"; do
		rc=0
		# shellcheck disable=SC2086
		"$ALLOCQ" $args >"$T/out" 2>"$T/err" || rc=$?
		# without the ioctl, "no interface" (69) is as true as "no profiling"
		if [[ $args == --source=ioctl ]] && ! kernel_has_ioctl && ((rc == 69)) &&
			[[ $(<"$T/err") == "$MSG_NOIOCTL" && ! -s $T/out ]]; then
			continue
		fi
		# 6.12 keeps /proc/allocinfo (all zeros) with the sysctl read-only
		if ((rc != 66)) || [[ ($(<"$T/err") != "$MSG_NOINPUT" && $(<"$T/err") != "$MSG_NEVER") || -s $T/out ]]; then
			printf 'allocq %s: exit %d (expected 66), stderr:\n%s\n' "$args" "$rc" "$(<"$T/err")" >&2
			[[ ! -s $T/out ]] || printf 'stdout: %s\n' "$(head -n 3 "$T/out")" >&2
			bad=1
		fi
	done
	((bad == 0)) || fail_with "expected: exit 66, stdout empty, stderr only:" "$MSG_NOINPUT" "or" "$MSG_NEVER"
}
