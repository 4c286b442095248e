# Shared by the host suites: load helpers
#
# Environment (meson test sets it): ALLOCQ (the binary), FAKEIOCTL_LIB (the
# ioctl test double), ALLOCQ_WRAPPER (optional, e.g. valgrind: every allocq
# invocation runs under it), ALLOCQ_VERSION.

bats_require_minimum_version 1.5.0

: "${ALLOCQ:?set ALLOCQ to the allocq binary, or run the suites with meson test}"

FIXTURES=$BATS_TEST_DIRNAME/fixtures

# LD_PRELOAD splits its list at blanks, and the tree may sit under a path
# with a space in it: the test doubles are preloaded by name, from a
# directory on LD_LIBRARY_PATH.
if [[ ${FAKEIOCTL_LIB:-} == */* ]]; then
	export LD_LIBRARY_PATH=${FAKEIOCTL_LIB%/*}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	FAKEIOCTL_LIB=${FAKEIOCTL_LIB##*/} FAILALLOC_LIB=${FAILALLOC_LIB##*/}
	CUTFILE_LIB=${CUTFILE_LIB##*/} KEEPRENAMED_LIB=${KEEPRENAMED_LIB##*/}
fi

BOOT_ID=6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d

# allocq, under $ALLOCQ_WRAPPER when set (word-split on purpose)
allocq() {
	# shellcheck disable=SC2086
	$ALLOCQ_WRAPPER "$ALLOCQ" "$@"
}

# allocq with the ioctl test double serving $ALLOCQ_PROC/allocinfo
allocq_ioctl() {
	LD_PRELOAD=$FAKEIOCTL_LIB FAKEIOCTL_DATA=$ALLOCQ_PROC/allocinfo allocq "$@"
}

# sources_agree FILE ARG...: allocq -i FILE, --source text (of the fake
# /proc) and --source ioctl print the same CSV rows for ARG...; $output is
# the last of them
sources_agree() {
	local file=$1 want
	shift
	run -0 allocq -i "$file" --csv -n "$@"
	want=$output
	run -0 allocq --source text --csv -n "$@"
	expect_output "$want"
	run -0 allocq_ioctl --source ioctl --csv -n "$@"
	expect_output "$want"
}

# Every test starts with a private cache and no /proc tree (a test that
# reads the "kernel" builds one with make_proc).
setup() {
	export ALLOCQ_CACHE_DIR=$BATS_TEST_TMPDIR/cache
	export ALLOCQ_PROC=$BATS_TEST_TMPDIR/no-proc
	export FAKEIOCTL_LOG=$BATS_TEST_TMPDIR/fakeioctl.log
	unset FAKEIOCTL_DATA FAKEIOCTL_ID FAKEIOCTL_BUMP_EVERY FAKEIOCTL_BUMP_AT FAKEIOCTL_ERRNO
	export LC_ALL=C
}

# make_proc FIXTURE [MEM_PROFILING]: a fixture /proc tree, as $ALLOCQ_PROC
make_proc() {
	ALLOCQ_PROC=$BATS_TEST_TMPDIR/proc
	mkdir -p "$ALLOCQ_PROC/sys/vm" "$ALLOCQ_PROC/sys/kernel/random"
	cp "$1" "$ALLOCQ_PROC/allocinfo"
	echo "${2:-1}" >"$ALLOCQ_PROC/sys/vm/mem_profiling"
	echo "$BOOT_ID" >"$ALLOCQ_PROC/sys/kernel/random/boot_id"
}

# peak_rss_kib CMD...: the peak resident set of CMD in KiB (its output
# discarded), measured by ptime (getrusage of the child)
peak_rss_kib() {
	local out
	out=$("$PTIME" -o /dev/null "$@") || return
	set -- $out
	(($5 == 0)) || { echo "exit status $5: $*" >&2; return 1; }
	echo "$4"
}

# fail_with TEXT...: print the reason (shown by bats) and fail
fail_with() {
	printf '%s\n' "$@" >&2
	return 1
}

# expect_output TEXT: $output is exactly TEXT (else show a diff)
expect_output() {
	[[ $output == "$1" ]] && return
	diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$output") >&2 || :
	return 1
}

# expect_stderr TEXT: $stderr (run --separate-stderr) is exactly TEXT
expect_stderr() {
	[[ $stderr == "$1" ]] && return
	diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$stderr") >&2 || :
	return 1
}

# expect_contains TEXT: $output has TEXT in it
expect_contains() {
	[[ $output == *"$1"* ]] && return
	printf 'expected to find: %s\nin:\n%s\n' "$1" "$output" >&2
	return 1
}

# expect_lines N: $output has N lines
expect_lines() {
	[[ ${#lines[@]} -eq $1 ]] && return
	printf 'expected %s lines, got %s:\n%s\n' "$1" "${#lines[@]}" "$output" >&2
	return 1
}

# log_count PREFIX: how many lines of the ioctl test double's log start with it
log_count() {
	if [[ -f $FAKEIOCTL_LOG ]]; then
		grep -c "^$1" "$FAKEIOCTL_LOG" || :
	else
		echo 0
	fi
}
