#!/usr/bin/env bats
# The kernel is the one it claims to be, with the interface it must have;
# the sources allocq picks and their agreement; the name cache.

load helpers

setup_file() {
	profiling_on
	load_module
}

setup() {
	export LC_ALL=C
	export ALLOCQ_CACHE_DIR=$BATS_TEST_TMPDIR/cache
	T=$BATS_TEST_TMPDIR
	expected
}

teardown_file() {
	unload_module
}

@test "the kernel is the one ALLOCQ_KERNEL claims" {
	local release
	release=$(uname -r)
	diag "ALLOCQ_KERNEL=$ALLOCQ_KERNEL, uname -r $release, /proc/allocinfo $(text_version)"
	[[ $release == "${ALLOCQ_KERNEL%-stock}".* ]] ||
		fail_with "ALLOCQ_KERNEL=$ALLOCQ_KERNEL but the guest runs $release"
	# allocinfo 1.0 up to about 6.17, 2.0 after
	case $ALLOCQ_KERNEL in
	6.12) [[ $(text_version) == 1.0 ]] ;;
	*) [[ $(text_version) == 2.0 ]] ;;
	esac
}

@test "7.2 and 7.3 have the ioctl, the others do not (--source=ioctl)" {
	local rc=0
	"$ALLOCQ" --source=ioctl --json -m "$MODNAME" >"$T/out" 2>"$T/err" || rc=$?
	if kernel_has_ioctl; then
		((rc != 69)) || fail_with \
			"ALLOCQ_KERNEL=$ALLOCQ_KERNEL has no allocinfo ioctl: allocq --source=ioctl exits 69:" \
			"$(<"$T/err")" \
			"(for 7.2: was the patch series in kernel/patches applied to this kernel?)"
		((rc == 0)) || fail_with "allocq --source=ioctl exited $rc: $(<"$T/err")"
		[[ ! -s $T/err ]]
		[[ $(jq -r '"\(.source) \(.allocations | length)"' "$T/out") == "ioctl 7" ]]
	else
		((rc == 69)) || fail_with "--source=ioctl on $ALLOCQ_KERNEL: exit $rc, not 69"
		[[ ! -s $T/out ]] || fail_with "stdout not empty: $(<"$T/out")"
		[[ $(<"$T/err") == "$MSG_NOIOCTL" ]] ||
			fail_with "stderr: $(<"$T/err")" "expected: $MSG_NOIOCTL"
	fi
}

@test "the default source is the ioctl on 7.2 and 7.3, the text file on the others" {
	local opt got want
	want=$(auto_source)
	for opt in "" --source=auto --source=text; do
		[[ $opt == --source=text ]] && want=text
		run_allocq q --json -m "$MODNAME" $opt
		got=$(jq -r '"\(.source) \(.allocations | length)"' "$T/q.out")
		[[ $got == "$want 7" ]] || fail_with "allocq --json $opt: source and records '$got', not '$want 7'"
	done
}

@test "every source gives the records of /proc/allocinfo" {
	# ioctl and text where the kernel has the ioctl; auto (the text
	# fallback) and text where it does not
	local srcs=(auto text) src
	if kernel_has_ioctl; then
		srcs+=(ioctl)
	fi
	cat /proc/allocinfo >"$T/now.txt"
	keys "$T/now.txt" >"$T/want"
	[[ $(grep -c "	$MODNAME	" "$T/want") == 7 ]]
	for src in "${srcs[@]}"; do
		run_allocq "$src" --csv --source="$src"
		keys "$T/$src.out" >"$T/$src.keys"
		diff -u "$T/want" "$T/$src.keys" >&2 ||
			fail_with "--source=$src: not the records of /proc/allocinfo"
	done
}

@test "the name cache: written where ALLOCQ_CACHE_DIR says, the same answers without one" {
	local dir=$T/cache out q n
	# the long path's basename and the module's long names need the full
	# names (for the ioctl): without a usable cache (HOME is read-only in
	# the guest), with one, and from it
	[[ ! -w $HOME ]] || diag "HOME=$HOME is writable here"
	for q in file module; do
		local args=(-f allocq_test_long_path.c) cond='R[3] ~ /\/allocq_test_long_path\.c$/'
		[[ $q == module ]] && args=(-m "$MODNAME") cond=1
		env -u ALLOCQ_CACHE_DIR -u XDG_CACHE_HOME "$ALLOCQ" --csv "${args[@]}" \
			>"$T/nocache.out" 2>"$T/nocache.err"
		[[ ! -s $T/nocache.err ]] || fail_with "without a cache: $(<"$T/nocache.err")"
		run_allocq cached --csv "${args[@]}"
		run_allocq cached2 --csv "${args[@]}"
		for out in nocache cached cached2; do
			same "$EXPECTED" "$T/$out.out" "$cond" ||
				fail_with "allocq ${args[*]} ($out)"
		done
	done
	if kernel_has_ioctl; then
		# one cache file, for this boot and tag set
		local files=("$dir"/names-*)
		((${#files[@]} == 1)) && [[ -f ${files[0]} ]] ||
			fail_with "not one name cache file in $dir:" "$(ls -la "$dir")"
	fi
	# the tag set changes: the answers follow it, never the old cache
	rmmod "$MODNAME"
	run_allocq gone --csv -f allocq_test_long_path.c
	records n "$T/gone.out"
	((n == 0)) || fail_with "after rmmod:" "$(<"$T/gone.out")"
	insmod "$ALLOCQ_TEST_MODULE"
	run_allocq back --csv -f allocq_test_long_path.c
	same "$EXPECTED" "$T/back.out" 'R[3] ~ /\/allocq_test_long_path\.c$/'
}
