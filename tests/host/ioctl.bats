#!/usr/bin/env bats
# The ioctl source, against fakeioctl.so: a test double of the kernel's
# allocinfo ioctl (LD_PRELOAD) serving $ALLOCQ_PROC/allocinfo, which logs
# each open of allocinfo and each ioctl to $FAKEIOCTL_LOG.

load helpers

V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo
LONG=$BATS_TEST_DIRNAME/fixtures/long.allocinfo
AMBIGUOUS=$BATS_TEST_DIRNAME/fixtures/ambiguous.allocinfo
CACHE_FILE=names-6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d

# the GET_AT lines of the log, without "get_at pos=0 "
get_ats() {
	grep '^get_at' "$FAKEIOCTL_LOG" | sed 's/^get_at pos=0 //'
}

@test "auto picks the ioctl where the kernel has it" {
	make_proc "$V2"
	run -0 --separate-stderr allocq_ioctl -J
	expect_stderr ""
	[[ $(jq -r .source <<<"$output") == ioctl ]]
	run -0 allocq_ioctl --source ioctl -J
	[[ $(jq -r .source <<<"$output") == ioctl ]]
}

@test "--source text reads the file, with the content id before and after" {
	make_proc "$V2"
	run -0 allocq_ioctl --source text -J
	[[ $(jq -r .source <<<"$output") == text ]]
	[[ $(log_count content_id) == 2 && $(log_count get_) == 0 ]]
}

@test "--source text: the content id changed during the read: read again" {
	make_proc "$V2"
	run -0 allocq --source text --csv -f rapl.c
	local once=$output
	FAKEIOCTL_BUMP_AT=2 run -0 --separate-stderr allocq_ioctl --source text --csv -f rapl.c
	expect_stderr ""
	expect_output "$once"
	# before, after (a new id), after the second read (the same)
	run -0 grep '^content_id' "$FAKEIOCTL_LOG"
	expect_output $'content_id 1\ncontent_id 2\ncontent_id 2'
	[[ $(log_count open) == 1 ]]	# read again from the start
}

@test "--source text: the content id kept changing: exit 75 after 10 attempts" {
	make_proc "$V2"
	FAKEIOCTL_BUMP_EVERY=1 run -75 --separate-stderr allocq_ioctl --source text -f rapl.c
	expect_output ""
	expect_stderr "allocq: the set of allocation tags kept changing while reading it (10 attempts; modules loading or unloading): try again"
	[[ $(log_count content_id) == 11 && $(log_count open) == 1 ]]
}

@test "the ioctl source gives the same records as the text source, for every filter" {
	make_proc "$V2"
	while read -r args; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr allocq --source text --csv $args
		local from_text=$output text_stderr=$stderr
		# shellcheck disable=SC2086
		run -0 --separate-stderr allocq_ioctl --source ioctl --csv $args
		expect_stderr "$text_stderr"	# the same names unknown
		expect_output "$from_text"
	done <"$BATS_TEST_DIRNAME/filter-cases"
}

@test "the same records in every sort order and format" {
	make_proc "$V2"
	for args in "-s calls" "-s file -r" "-s func --limit 3" "-s module" "-s line" "-J" "-b" ""; do
		# shellcheck disable=SC2086
		run -0 allocq --source text $args
		local from_text=$output
		# shellcheck disable=SC2086
		run -0 allocq_ioctl $args
		expect_output "${from_text//\"source\": \"text\"/\"source\": \"ioctl\"}"
	done
}

@test "no filter: one query with an empty mask, then GET_NEXT to the end" {
	make_proc "$V2"
	run -0 allocq_ioctl --csv -n
	expect_lines 16
	run -0 get_ats
	expect_output "mask=0x0"
	[[ $(log_count get_next) == 16 ]]	# 15 records, then ENOENT
	[[ $(log_count content_id) == 3 ]]	# the probe, before and after
}

@test "every filter goes into the kernel mask" {
	make_proc "$V2"
	run -0 allocq_ioctl -f arch/x86/events/rapl.c
	run -0 get_ats
	expect_output "mask=0x4 filename=arch/x86/events/rapl.c"

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl -F xas_alloc
	run -0 get_ats
	expect_output "mask=0x2 function=xas_alloc"

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl -m xfs
	run -0 get_ats
	expect_output "mask=0x1 modname=xfs"

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl -B
	run -0 get_ats
	expect_output "mask=0x1 modname="

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl --line 372
	run -0 get_ats
	expect_output "mask=0x8 lineno=372"

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl --accurate
	run -0 get_ats
	expect_output "mask=0x10 inaccurate=0"

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl --inaccurate
	run -0 get_ats
	expect_output "mask=0x10 inaccurate=1"

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl --min-size 1K
	run -0 get_ats
	expect_output "mask=0x20 min_size=1024"

	# a maximum alone is allocq's: the kernel's would drop negative counts
	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl --max-size 16777215T
	run -0 get_ats
	expect_output "mask=0x0"
	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl --min-size 1 --max-size 16777215T
	run -0 get_ats
	expect_output "mask=0x60 min_size=1 max_size=18446742974197923840"

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl -f arch/x86/events/rapl.c -F init_rapl_pmus -B --line 717 \
		--accurate --min-size 0 --max-size 1M
	run -0 get_ats
	expect_output "mask=0x7f modname= function=init_rapl_pmus filename=arch/x86/events/rapl.c lineno=717 inaccurate=0 min_size=0 max_size=1048576"
	expect_lines 1
}

@test "a basename is resolved to the full paths, one query each" {
	make_proc "$V2"
	run -0 allocq_ioctl -f rapl.c -n -o function
	expect_output $'rapl_pmu_init\ninit_rapl_pmus\nrapl_probe'
	run -0 get_ats
	expect_output "mask=0x4 filename=arch/x86/events/rapl.c
mask=0x4 filename=drivers/powercap/rapl.c"
}

@test "several values: the cartesian product of the flags' values" {
	make_proc "$V2"
	run -0 allocq_ioctl -F a -F b -m x -B --line 1 --line 2 --min-size 5
	run -0 get_ats
	expect_lines 8	# 2 functions x 2 modules (x and built-in) x 2 lines
	[[ $(sort -u <<<"$output" | wc -l) == 8 ]]
	[[ $(grep -c 'modname= ' <<<"$output") == 4 ]]
	[[ $(grep -c 'function=b ' <<<"$output") == 4 ]]
	[[ $(grep -c 'lineno=2 ' <<<"$output") == 4 ]]
	[[ $(grep -c 'mask=0x2b .* min_size=5$' <<<"$output") == 8 ]]
}

@test "repeated values are one query" {
	make_proc "$V2"
	run -0 allocq_ioctl -f rapl.c -f arch/x86/events/rapl.c -f rapl.c -m xfs -m xfs
	run -0 get_ats
	expect_output "mask=0x5 modname=xfs filename=arch/x86/events/rapl.c
mask=0x5 modname=xfs filename=drivers/powercap/rapl.c"
}

@test "a basename nothing ends in: no query, no records" {
	make_proc "$V2"
	run -0 --separate-stderr allocq_ioctl -f nosuch.c --csv
	expect_stderr "allocq: warning: no call site has a file named 'nosuch.c'"
	expect_output "bytes,calls,file,line,module,function,accurate"
	[[ $(log_count get_) == 0 ]]
	# the probe, before, before and after the text read of the names, after
	[[ $(log_count content_id) == 5 ]]
}

@test "no match: ENOENT on GET_AT, exit 0" {
	make_proc "$V2"
	run -0 --separate-stderr allocq_ioctl -m nosuchmodule -J
	expect_stderr "allocq: warning: no call site has a module named 'nosuchmodule'"
	[[ $(jq -c .allocations <<<"$output") == "[]" ]]
	[[ $(log_count get_at) == 1 && $(log_count get_next) == 0 ]]
}

@test "the content id changed during the read: read again" {
	make_proc "$V2"
	# CONTENT_ID: the probe, before, around the names' text read (which
	# sees a new id and reads again), after the queries (the new id), then
	# before and after the names' read for the new id, and after again
	FAKEIOCTL_BUMP_AT=4 run -0 --separate-stderr allocq_ioctl --csv -n -f rapl.c
	expect_stderr ""
	expect_lines 3
	run -0 grep '^content_id' "$FAKEIOCTL_LOG"
	expect_output $'content_id 1\ncontent_id 1\ncontent_id 1\ncontent_id 2\ncontent_id 2\ncontent_id 2\ncontent_id 2\ncontent_id 2\ncontent_id 2'
	[[ $(log_count get_at) == 4 ]]	# two paths, two attempts
	# the names read under id 2 were not kept for id 1
	[[ ! -e $ALLOCQ_CACHE_DIR/$CACHE_FILE-1 && -f $ALLOCQ_CACHE_DIR/$CACHE_FILE-2 ]]
}

@test "the content id kept changing: exit 75 after 10 attempts" {
	make_proc "$V2"
	FAKEIOCTL_BUMP_EVERY=1 run -75 --separate-stderr allocq_ioctl -m xfs
	expect_output ""
	expect_stderr "allocq: the set of allocation tags kept changing while reading it (10 attempts; modules loading or unloading): try again"
	[[ $(log_count content_id) == 12 ]]	# the probe, before, 10 times after
	[[ $(log_count get_at) == 10 ]]
}

@test "the name cache: written on the first run, used on the second" {
	make_proc "$V2"
	run -0 allocq_ioctl -f rapl.c
	local first=$output
	# the probe, then the text read that collects the names
	[[ $(log_count open) == 2 ]]
	[[ -f $ALLOCQ_CACHE_DIR/$CACHE_FILE-1 ]]
	[[ $(head -n3 "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1") == $'allocq-names 2\nboot 6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d\ncontent 1' ]]
	grep -qx 'file drivers/powercap/rapl.c' "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1"
	[[ $(tail -n1 "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1") == end ]]

	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl -f rapl.c
	expect_output "$first"
	[[ $(log_count open) == 1 ]]	# the probe only: no text read
}

@test "the name cache is ignored when the content id changed, and replaced" {
	make_proc "$V2"
	run -0 allocq_ioctl -f rapl.c
	[[ -f $ALLOCQ_CACHE_DIR/$CACHE_FILE-1 ]]
	# a module was loaded: a new content id, a new file in it
	sed -i 's|drivers/powercap/rapl.c|drivers/other/rapl.c|' "$ALLOCQ_PROC/allocinfo"
	: >"$FAKEIOCTL_LOG"
	FAKEIOCTL_ID=2 run -0 allocq_ioctl -f rapl.c -n -o file
	expect_output $'arch/x86/events/rapl.c\narch/x86/events/rapl.c\ndrivers/other/rapl.c'
	[[ $(log_count open) == 2 ]]
	[[ -f $ALLOCQ_CACHE_DIR/$CACHE_FILE-2 && ! -e $ALLOCQ_CACHE_DIR/$CACHE_FILE-1 ]]
}

@test "a cached name the kernel does not have: the names are read afresh" {
	make_proc "$V2"
	run -0 allocq_ioctl -f rapl.c
	[[ -f $ALLOCQ_CACHE_DIR/$CACHE_FILE-1 ]]
	# the kernel changed without a new content id (a stale or false cache)
	sed -i 's|drivers/powercap/rapl.c|drivers/other/rapl.c|' "$ALLOCQ_PROC/allocinfo"
	: >"$FAKEIOCTL_LOG"
	run -0 --separate-stderr allocq_ioctl -f rapl.c -n -o file
	expect_stderr ""
	expect_output $'arch/x86/events/rapl.c\narch/x86/events/rapl.c\ndrivers/other/rapl.c'
	# the cached path gave nothing and was asked for alone: no such tag
	run -0 get_ats
	expect_output "mask=0x4 filename=arch/x86/events/rapl.c
mask=0x4 filename=drivers/powercap/rapl.c
mask=0x4 filename=drivers/powercap/rapl.c
mask=0x4 filename=arch/x86/events/rapl.c
mask=0x4 filename=drivers/other/rapl.c"
	[[ $(log_count open) == 2 ]]	# the probe, the text read of the names
	grep -qx 'file drivers/other/rapl.c' "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1"
}

@test "a corrupt or truncated cache is rebuilt, never an error" {
	make_proc "$V2"
	run -0 allocq_ioctl -f rapl.c
	local want=$output
	for corrupt in "garbage" "$(head -n3 "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1")" \
		"$(sed '$d' "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1")" \
		"$(sed 's/^content 1$/content 7/' "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1")" \
		"$(sed 's/^file /fiel /' "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1")"; do
		printf '%s\n' "$corrupt" >"$ALLOCQ_CACHE_DIR/$CACHE_FILE-1"
		: >"$FAKEIOCTL_LOG"
		run -0 --separate-stderr allocq_ioctl -f rapl.c
		expect_stderr ""
		expect_output "$want"
		[[ $(log_count open) == 2 ]]
		[[ $(tail -n1 "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1") == end ]]
	done
	# a truncated last line (no newline) of a cache that is valid but for
	# it, and leaves drivers/powercap/rapl.c out: taken, it would lose rows
	printf 'allocq-names 2\nboot %s\ncontent 1\nfile arch/x86/events/rapl.c\nend' \
		"$BOOT_ID" >"$ALLOCQ_CACHE_DIR/$CACHE_FILE-1"
	: >"$FAKEIOCTL_LOG"
	run -0 --separate-stderr allocq_ioctl -f rapl.c
	expect_stderr ""
	expect_output "$want"
	[[ $(log_count open) == 2 ]]	# the names read afresh
	# rewritten whole: "end" and its newline
	[[ $(tail -n1 "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1") == end &&
		$(tail -c1 "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1" | wc -l) == 1 ]] || fail_with "not rewritten"
	grep -qx 'file drivers/powercap/rapl.c' "$ALLOCQ_CACHE_DIR/$CACHE_FILE-1"
}

@test "an unwritable cache only costs time" {
	make_proc "$V2"
	touch "$BATS_TEST_TMPDIR/afile"
	for dir in "$BATS_TEST_TMPDIR/afile" "$BATS_TEST_TMPDIR/afile/sub" /proc/allocq-cache; do
		: >"$FAKEIOCTL_LOG"
		ALLOCQ_CACHE_DIR=$dir run -0 --separate-stderr allocq_ioctl -f rapl.c -n -o function
		expect_stderr ""
		expect_output $'rapl_pmu_init\ninit_rapl_pmus\nrapl_probe'
		[[ $(log_count open) == 2 ]]
	done
}

@test "no boot id: no cache, still right" {
	make_proc "$V2"
	rm "$ALLOCQ_PROC/sys/kernel/random/boot_id"
	run -0 --separate-stderr allocq_ioctl -f rapl.c -n -o function
	expect_stderr ""
	expect_output $'rapl_pmu_init\ninit_rapl_pmus\nrapl_probe'
	[[ ! -e $ALLOCQ_CACHE_DIR ]]
}

@test "the cache lives in \$XDG_CACHE_HOME/allocq, else \$HOME/.cache/allocq" {
	make_proc "$V2"
	unset ALLOCQ_CACHE_DIR
	XDG_CACHE_HOME=$BATS_TEST_TMPDIR/xdg HOME=$BATS_TEST_TMPDIR/home run -0 allocq_ioctl -f rapl.c
	[[ -f $BATS_TEST_TMPDIR/xdg/allocq/$CACHE_FILE-1 && ! -e $BATS_TEST_TMPDIR/home ]]
	XDG_CACHE_HOME= HOME=$BATS_TEST_TMPDIR/home run -0 allocq_ioctl -f rapl.c
	[[ -f $BATS_TEST_TMPDIR/home/.cache/allocq/$CACHE_FILE-1 ]]
	[[ $(stat -c %a "$BATS_TEST_TMPDIR/home/.cache/allocq") == 700 ]]
}

@test "no basename and no long name: no text read, no cache" {
	make_proc "$V2"
	run -0 --separate-stderr allocq_ioctl -f arch/x86/events/rapl.c -B -F init_rapl_pmus --csv -n
	expect_stderr ""
	expect_output "4096,1,arch/x86/events/rapl.c,717,,init_rapl_pmus,true"
	run -0 get_ats
	expect_output "mask=0x7 modname= function=init_rapl_pmus filename=arch/x86/events/rapl.c"
	# every row, as the saved file has them
	run -0 allocq -i "$V2" --csv -n
	local all=$output
	run -0 --separate-stderr allocq_ioctl --csv -n
	expect_stderr ""
	expect_output "$all"
	[[ $(log_count open) == 2 ]]	# one probe per run
	[[ ! -e $ALLOCQ_CACHE_DIR ]]
}

@test "names cut to 63 characters are expanded through the cache" {
	make_proc "$LONG"
	for format in table csv json; do
		run -0 allocq --source text --format "$format"
		local from_text=$output
		run -0 --separate-stderr allocq_ioctl --format "$format"
		expect_stderr ""
		expect_output "${from_text//\"source\": \"text\"/\"source\": \"ioctl\"}"
	done
	[[ $output != *...* ]]
	# a basename and a long function, resolved and expanded
	: >"$FAKEIOCTL_LOG"
	run -0 allocq_ioctl -f allocq_test_long_path.c -F allocq_test_function_with_a_deliberately_long_name_beyond_the_limit_of_63 --csv -n
	expect_output "4096,1,allocq_test_subdirectory_with_a_deliberately_long_name/allocq_test_long_path.c,10,allocq_test,allocq_test_function_with_a_deliberately_long_name_beyond_the_limit_of_63,true"
	run -0 get_ats
	expect_output "mask=0x6 function=t_function_with_a_deliberately_long_name_beyond_the_limit_of_63 filename=directory_with_a_deliberately_long_name/allocq_test_long_path.c"
}

@test "long names: the ioctl source agrees with the text source on every name filter" {
	make_proc "$LONG"
	while read -r args; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr allocq --source text --csv $args
		local from_text=$output text_stderr=$stderr
		# shellcheck disable=SC2086
		run -0 --separate-stderr allocq_ioctl --csv $args
		expect_stderr "$text_stderr"
		expect_output "$from_text"
	done <<-'EOF'
		-f drivers/gpu/drm/amd/display/dc/dml2/dml21/src/dml2_core/dml2_core_dcn4_calcs.c
		-f dml2_core_dcn4_calcs.c
		-f allocq_test_long_path.c
		-f allocq_test_subdirectory_with_a_deliberately_long_name/allocq_test_long_path.c
		-f directory_with_a_deliberately_long_name/allocq_test_long_path.c
		-f actions2.c
		-f allocq_test_main.c -f actions2.c
		-F allocq_test_function_with_a_deliberately_long_name_beyond_the_limit_of_63
		-F t_function_with_a_deliberately_long_name_beyond_the_limit_of_63
		-F dml2_core_calcs_calculate_the_watermarks_and_latencies_for_dcn_
		-m allocq_test -F allocq_test_short
		-m allocq_test --inaccurate
		-m mlx5_core --inaccurate
		-B
	EOF
	# a tail alone matches nothing, though the kernel matched it (GET_AT
	# found a tag: GET_NEXT followed): its answer is checked again
	: >"$FAKEIOCTL_LOG"
	run -0 --separate-stderr allocq_ioctl --csv -n -F t_function_with_a_deliberately_long_name_beyond_the_limit_of_63
	expect_output ""
	expect_stderr "allocq: warning: no call site has a function named 't_function_with_a_deliberately_long_name_beyond_the_limit_of_63': did you mean 'allocq_test_function_with_a_deliberately_long_name_beyond_the_limit_of_63'?"
	[[ $(log_count get_next) -gt 0 ]]
}

@test "a name of exactly 63 characters is not marked" {
	make_proc "$LONG"
	run -0 allocq_ioctl -F dml2_core_calcs_calculate_the_watermarks_and_latencies_for_dcn_ -o file,function --csv -n
	expect_output "drivers/gpu/drm/amd/display/dc/dml2/dml21/src/dml2_core/dml2_core_dcn4_calcs.c,dml2_core_calcs_calculate_the_watermarks_and_latencies_for_dcn_
mm/slub.c,dml2_core_calcs_calculate_the_watermarks_and_latencies_for_dcn_"
	run -0 allocq_ioctl -f drivers/net/ethernet/mellanox/mlx5/core/steering/hws/actions2.c -o file --csv -n
	expect_output "drivers/net/ethernet/mellanox/mlx5/core/steering/hws/actions2.c"
}

@test "ambiguous cut names are shown as '...' and their 63 characters, in every format" {
	make_proc "$AMBIGUOUS"
	# two tags share module, line and the tails of both names: they cannot
	# be told apart; at another line the same tail is one tag: expanded
	run -0 --separate-stderr allocq_ioctl -s line
	expect_stderr ""
	expect_output "BYTES CALLS FILE                                                                        LINE MODULE FUNCTION                                                           ACCURATE
   4K     1 ...aging/very/long/directory/names/to/share/one/tail/of/63/chars.c             1 -      alloc_a                                                            yes
   2K     1 ...aging/very/long/directory/names/to/share/one/tail/of/63/chars.c             1 -      alloc_a                                                            yes
   1K     1 mm/one.c                                                                       3 -      ..._function_name_long_enough_to_be_cut_by_the_kernel_to_63_chars_ yes
  512     1 mm/one.c                                                                       3 -      ..._function_name_long_enough_to_be_cut_by_the_kernel_to_63_chars_ yes
  256     1 mm/short.c                                                                     5 -      short_name                                                         yes
  128     1 drivers/c/staging/very/long/directory/names/to/share/one/tail/of/63/chars.c    7 -      alloc_c                                                            yes"
	run -0 allocq_ioctl -s line --csv -n -o file,function --limit 3
	expect_output "...aging/very/long/directory/names/to/share/one/tail/of/63/chars.c,alloc_a
...aging/very/long/directory/names/to/share/one/tail/of/63/chars.c,alloc_a
mm/one.c,..._function_name_long_enough_to_be_cut_by_the_kernel_to_63_chars_"
	run -0 allocq_ioctl -s line -J
	[[ $(jq -r '.allocations[0].file' <<<"$output") == "...aging/very/long/directory/names/to/share/one/tail/of/63/chars.c" ]]
	[[ $(jq -r '.allocations[3].function' <<<"$output") == "..._function_name_long_enough_to_be_cut_by_the_kernel_to_63_chars_" ]]
	[[ $(jq -r '.allocations[5].file' <<<"$output") == "drivers/c/staging/very/long/directory/names/to/share/one/tail/of/63/chars.c" ]]
}

@test "ambiguous cut names still match their filters by the 63 characters" {
	make_proc "$AMBIGUOUS"
	run -0 allocq_ioctl -f chars.c -o line --csv -n -s line
	expect_output $'1\n1\n7'
	run -0 allocq_ioctl -f drivers/a/staging/very/long/directory/names/to/share/one/tail/of/63/chars.c -o line --csv -n -s line
	expect_output $'1\n1'
	# the whole name of line 7, but lines 1 cannot be told from it
	run -0 allocq_ioctl -f drivers/c/staging/very/long/directory/names/to/share/one/tail/of/63/chars.c -o line --csv -n -s line
	expect_output $'1\n1\n7'
	run -0 allocq_ioctl -F two_a_function_name_long_enough_to_be_cut_by_the_kernel_to_63_chars_ -o line --csv -n -s line
	expect_output $'3\n3'
	run -0 allocq_ioctl -F short_name -o line --csv -n
	expect_output 5
}

@test "a kernel that answers EINVAL has no interface" {
	make_proc "$V2"
	FAKEIOCTL_ERRNO=22 run -0 --separate-stderr allocq_ioctl -J
	expect_stderr ""
	[[ $(jq -r .source <<<"$output") == text ]]
	FAKEIOCTL_ERRNO=22 run -69 --separate-stderr allocq_ioctl --source ioctl
	expect_stderr "allocq: this kernel has no /proc/allocinfo ioctl interface (it needs Linux 7.3+, or 7.2 with allocq's patches): use --source=text"
}

@test "another ioctl error is a run-time error: exit 1" {
	make_proc "$V2"
	FAKEIOCTL_ERRNO=5 run -1 --separate-stderr allocq_ioctl
	expect_output ""
	expect_stderr "allocq: ioctl CONTENT_ID on /proc/allocinfo failed: Input/output error: try --source text"
	# which works: it reads the file once, without the content id
	FAKEIOCTL_ERRNO=5 run -0 --separate-stderr allocq_ioctl --source text --csv -n
	expect_stderr ""
	expect_lines 16
}

@test "more line values than queries are worth: the lines are left to allocq, the answer the same" {
	make_proc "$V2"
	local args=() i
	for ((i = 1; i <= 40; i++)); do args+=(--line "$i"); done
	args+=(--line 372 --line 745)
	run -0 allocq --source text --csv "${args[@]}"
	local from_text=$output
	: >"$FAKEIOCTL_LOG"
	run -0 timeout 20 env LD_PRELOAD="$FAKEIOCTL_LIB" FAKEIOCTL_DATA="$ALLOCQ_PROC/allocinfo" \
		"$ALLOCQ" --source ioctl --csv "${args[@]}"
	expect_output "$from_text"
	[[ $(log_count get_at) == 1 ]]
	run -0 get_ats
	expect_output "mask=0x0"
}
