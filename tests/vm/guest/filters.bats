#!/usr/bin/env bats
# Every filter flag, alone, twice (OR) and combined, on the running kernel
# with the test module loaded: allocq's records (the default source and
# --source=text) against the same filter applied with awk to /proc/allocinfo.
# Names, lines and flags are compared for every record, counters only for
# the test module's (see check_filter in helpers.bash).

load helpers

# Values picked from this kernel's /proc/allocinfo (built-in code differs
# between kernels), written once as shell assignments.
setup_file() {
	export LC_ALL=C
	profiling_on
	load_module
	base_snapshot
	T=$BATS_FILE_TMPDIR
	tsv "$T/base.txt" >"$T/base.tsv"
	# a basename shared by the most distinct built-in paths, and the path of
	# that name with the most records; a built-in file:line func that
	# appears several times (inlined); a built-in function flagged
	# inaccurate (2.0 text format)
	awk -F '\t' '
	$5 == "" {
		b = $3; sub(/.*\//, "", b)
		if (!(($3) in seen)) { seen[$3] = 1; paths[b]++ }
		recs[$3]++
		k = $3 "\t" $4 "\t" $6
		if (++dup[k] > dups) { dups = dup[k]; dupk = k }
		if ($7 == "false" && inacc == "") inacc = $6
	}
	END {
		for (b in paths) if (paths[b] > most) { most = paths[b]; base = b }
		for (p in recs) {
			b = p; sub(/.*\//, "", b)
			if (b == base && recs[p] > pr) { pr = recs[p]; path = p }
		}
		split(dupk, dk, "\t")
		printf "MULTI_BASE=%s\nMULTI_PATHS=%d\nMULTI_PATH=%s\n", base, most, path
		printf "DUP_COUNT=%d\nDUP_FILE=%s\nDUP_LINE=%s\nDUP_FUNC=%s\n", dups, dk[1], dk[2], dk[3]
		printf "INACC_FUNC=%s\n", inacc
	}' "$T/base.tsv" >"$T/picks"
	echo "L_LARGE=$(expected_line allocq_test_alloc_large)" >>"$T/picks"
	echo "L_LOOP=$(expected_line allocq_test_alloc_loop)" >>"$T/picks"
}

teardown_file() {
	unload_module
}

setup() {
	export LC_ALL=C
	# one name cache for the file: the tag set does not change in it
	export ALLOCQ_CACHE_DIR=$BATS_FILE_TMPDIR/cache
	T=$BATS_TEST_TMPDIR
	# shellcheck disable=SC1091
	source "$BATS_FILE_TMPDIR/picks"
	module_loaded || fail_with "the test module is not loaded"
}

@test "the picked values exist on this kernel" {
	diag "basename $MULTI_BASE ($MULTI_PATHS paths, e.g. $MULTI_PATH);" \
		"$DUP_COUNT x $DUP_FILE:$DUP_LINE $DUP_FUNC; inaccurate ${INACC_FUNC:-none};" \
		"module lines $L_LARGE $L_LOOP"
	((MULTI_PATHS >= 2))
	[[ $MULTI_PATH == */"$MULTI_BASE" ]]
	((DUP_COUNT >= 2))
	[[ -n $DUP_FUNC && $DUP_LINE -gt 0 ]]
	[[ $L_LARGE -gt 0 && $L_LOOP -gt 0 ]]
	if [[ $(text_version) == 2.* ]]; then
		[[ -n $INACC_FUNC ]]
	fi
}

@test "--file with a basename matches every path ending in it" {
	check_filter -f allocq_test_main.c
	check_filter --file "$MULTI_BASE"
	check_filter --file=allocq_test_long_path.c
}

@test "--file with a full path, also one longer than 63 characters" {
	((${#LONG_PATH} > 63))
	check_filter -f "$MULTI_PATH"
	check_filter --file "$LONG_PATH"
}

@test "--file compares whole paths: no suffix, no prefix, no kernel-cut name" {
	# (one value per flag would do; given together, any match fails)
	check_filter --empty -f "/$MULTI_PATH" -f "${MULTI_PATH%.*}" -f "${MULTI_BASE%?}" \
		-f "x/${LONG_PATH#*/}" -f "${MULTI_BASE^^}"
	# the last 63 characters, as the ioctl interface keeps them
	check_filter --empty -f "${LONG_PATH: -63}"
}

@test "--file given twice ORs, without duplicates" {
	check_filter -f allocq_test_main.c -f "$MULTI_PATH"
	check_filter -f "$MULTI_BASE" -f "$MULTI_PATH"
}

@test "--func, also a name longer than 63 characters; given twice ORs" {
	((${#LONG_FUNC} > 63))
	check_filter -F allocq_test_alloc_loop
	check_filter --func "$LONG_FUNC"
	check_filter --func="$DUP_FUNC"
	check_filter -F allocq_test_alloc_large -F "$DUP_FUNC"
	check_filter --empty -F allocq_test_alloc -F "${DUP_FUNC^^}" -F "${LONG_FUNC: -63}"
}

@test "--module, alone and twice" {
	check_filter -m "$MODNAME"
	check_filter --module "$MODNAME" --module nosuchmodule
	check_filter --empty -m allocq -m ALLOCQ_TEST
}

@test "--builtin, and --builtin with --module (OR)" {
	check_filter -B
	check_filter --builtin -m "$MODNAME"
	check_filter --empty -B -F allocq_test_alloc_loop
}

@test "--line, alone and twice" {
	check_filter --line "$L_LOOP"
	check_filter --line "$L_LOOP" --line "$DUP_LINE"
	check_filter --empty --line 999999
}

@test "--min-size and --max-size on the test module (exact counters)" {
	check_filter -m "$MODNAME" --min-size 1M
	check_filter -m "$MODNAME" --min-size 4K --max-size 20K
	check_filter -m "$MODNAME" --max-size 0
	check_filter --empty -m "$MODNAME" --min-size 1048577 --max-size 2M
}

@test "--min-size and --max-size given twice keep the loosest value" {
	check_filter -m "$MODNAME" --min-size 1M --min-size 8K
	check_filter -m "$MODNAME" --max-size 4K --max-size 8192
}

@test "--min-size and --max-size over the whole kernel" {
	check_filter --min-size 64K
	check_filter -B --max-size 4095
}

@test "--accurate and --inaccurate" {
	check_filter --accurate -m "$MODNAME"
	if [[ $(text_version) == 2.* ]]; then
		check_filter --inaccurate
		check_filter --inaccurate --inaccurate -F "$INACC_FUNC"
		check_filter --accurate -F "$INACC_FUNC" -F allocq_test_alloc_inaccurate -F allocq_test_alloc_loop
	else
		# the 1.0 text format has no flag: every counter is accurate
		check_filter --empty --inaccurate
		check_filter --accurate -F allocq_test_alloc_inaccurate
	fi
}

@test "filters combined" {
	check_filter -f allocq_test_main.c --line "$L_LOOP" -m "$MODNAME" --accurate
	check_filter -B -f "$DUP_FILE" -F "$DUP_FUNC" --line "$DUP_LINE"
	check_filter -f allocq_test_main.c -f "$LONG_PATH" -F "$LONG_FUNC" \
		-F allocq_test_alloc_long_path -m "$MODNAME" --min-size 4K --max-size 4K
	check_filter -f allocq_test_main.c -f "$MULTI_PATH" -F allocq_test_alloc_large \
		-F "$DUP_FUNC" -m "$MODNAME" -B --line "$L_LARGE" --line "$DUP_LINE" --accurate \
		--min-size 0 --max-size 1M
	check_filter --empty -B -m "$MODNAME" -F allocq_test_alloc_loop --line "$L_LARGE"
}
