#!/usr/bin/env bats
# Run-time conditions of a real kernel: an unprivileged user, profiling
# switched off with sysctl.

load helpers

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

teardown() {
	# whatever happened, leave profiling on for the other cases
	sysctl -q vm.mem_profiling=1 || :
}

@test "an unprivileged user gets the permission message and exit status 77" {
	# a copy that user can run, and a snapshot that user can read, in a
	# directory it can reach (bats' are private)
	local dir
	dir=$(mktemp -d /tmp/allocq-nobody.XXXXXX)
	chmod 755 "$dir"
	install -m 755 "$ALLOCQ" "$dir/allocq"
	install -m 644 /proc/allocinfo "$dir/snap"
	# the premise: the file is root's only, the user can run allocq
	! "${NOBODY[@]}" cat /proc/allocinfo >/dev/null 2>&1 ||
		fail_with "user 65534 can read /proc/allocinfo: the case proves nothing"
	"${NOBODY[@]}" env ALLOCQ_CACHE_DIR="$dir/cache" "$dir/allocq" --input "$dir/snap" \
		--csv -B --limit 1 >"$T/out" 2>"$T/err" ||
		fail_with "user 65534 cannot run allocq --input: $(<"$T/err")"
	local n
	records n "$T/out"
	((n == 1))
	local args rc bad=0
	# every variant, so that the report names all that fail
	for args in "" --json "--source=text" "--source=ioctl" "-f main.c -m $MODNAME"; do
		rc=0
		# shellcheck disable=SC2086
		"${NOBODY[@]}" env ALLOCQ_CACHE_DIR="$dir/cache" "$dir/allocq" $args \
			>"$T/out" 2>"$T/err" || rc=$?
		if ((rc != 77)) || [[ $(<"$T/err") != "$MSG_NOPERM" || -s $T/out ]]; then
			printf 'allocq %s: exit %d (expected 77), stderr:\n%s\n' "$args" "$rc" "$(<"$T/err")" >&2
			[[ ! -s $T/out ]] || printf 'stdout: %s\n' "$(head -n 3 "$T/out")" >&2
			bad=1
		fi
	done
	rm -rf "$dir"
	((bad == 0)) || fail_with "expected: exit 77, stdout empty, stderr only:" "$MSG_NOPERM"
}

@test "vm.mem_profiling=0 gets the warning, and the records all the same" {
	local src srcs=(text) n
	kernel_has_ioctl && srcs+=(ioctl)
	profiling_on
	# switched on: no warning
	run_allocq on --csv -B --limit 3
	sysctl -q vm.mem_profiling=0
	[[ $(</proc/sys/vm/mem_profiling) == 0 ]]
	for src in "${srcs[@]}"; do
		local rc=0
		"$ALLOCQ" --source="$src" --csv -B --limit 3 >"$T/off.out" 2>"$T/off.err" || rc=$?
		((rc == 0)) || fail_with "--source=$src with profiling off: exit $rc" "$(<"$T/off.err")"
		[[ $(<"$T/off.err") == "$MSG_FROZEN" ]] ||
			fail_with "--source=$src: stderr: $(<"$T/off.err")" "expected: $MSG_FROZEN"
		records n "$T/off.out"
		((n == 3)) ||
			fail_with "--source=$src: not 3 records:" "$(<"$T/off.out")"
	done
	sysctl -q vm.mem_profiling=1
	run_allocq on --csv -B --limit 3
}
