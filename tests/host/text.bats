#!/usr/bin/env bats
# The allocinfo text format, through --input: versions, quirks, malformed
# lines, standard input, a large file.

load helpers

V1=$BATS_TEST_DIRNAME/fixtures/v1.allocinfo
V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo

HEADER='allocinfo - version: 2.0'
COLUMNS='#     <size>  <calls> <tag info>'

# write_fixture LINE...: $BATS_TEST_TMPDIR/f.allocinfo, one argument a line
write_fixture() {
	F=$BATS_TEST_TMPDIR/f.allocinfo
	printf '%s\n' "$@" >"$F"
}

@test "version 2.0: modules, accurate:no, unknown keys, duplicates, negative bytes" {
	run -0 --separate-stderr allocq -i "$V2" --csv -s file
	expect_stderr ""
	expect_output "bytes,calls,file,line,module,function,accurate
4096,1,arch/x86/events/rapl.c,717,,init_rapl_pmus,true
12288,3,arch/x86/events/rapl.c,745,,rapl_pmu_init,true
512,2,drivers/powercap/rapl.c,101,intel_rapl,rapl_probe,true
262144,64,fs/ext4/super.c,1342,ext4,ext4_alloc_inode,true
1048575,255,fs/xfs/xfs_buf.c,372,xfs,xfs_buf_alloc_kmem,false
8388608,2048,fs/xfs/xfs_buf.c,372,xfs,xfs_buf_alloc_pages,true
65536,16,fs/xfs/xfs_icache.c,89,xfs,xfs_inode_alloc,true
131072,32,include/linux/mm.h,3156,,pagetable_alloc_noprof,true
40960,10,include/linux/mm.h,3156,,pagetable_alloc_noprof,true
0,0,init/main.c,1310,,do_initcalls,true
1024,1,kernel/fork.c,311,,alloc_thread_stack_node,true
1023,7,lib/xarray.c,378,,xas_alloc,true
2147483648,524288,mm/page_alloc.c,4890,,__alloc_pages_noprof,true
-4096,3,mm/percpu.c,512,,pcpu_mem_zalloc,true
1572864,384,mm/slub.c,2456,,alloc_slab_page,false
3298534883328,805306368,mm/vmalloc.c,3790,,__vmalloc_area_node,true"
}

@test "version 1.0" {
	run -0 --separate-stderr allocq -i "$V1" --csv
	expect_stderr ""
	expect_output "bytes,calls,file,line,module,function,accurate
8388608,2048,fs/xfs/xfs_buf.c,372,xfs,xfs_buf_alloc_pages,true
131072,32,include/linux/mm.h,3156,,pagetable_alloc_noprof,true
40960,10,include/linux/mm.h,3156,,pagetable_alloc_noprof,true
12288,3,arch/x86/events/rapl.c,745,,rapl_pmu_init,true
4096,1,arch/x86/events/rapl.c,717,,init_rapl_pmus,true
0,0,init/main.c,1310,,do_initcalls,true"
}

@test "every line of the fixture is a record" {
	run -0 allocq -i "$V2" -n --csv
	expect_lines "$(grep -vc -e '^allocinfo' -e '^#' "$V2")"
}

@test "minor versions, trailing blanks and spaces, no trailing newline" {
	printf '%s\n' 'allocinfo - version: 2.13  ' "$COLUMNS" \
		'          -1 18446744073709551615 a.c:1 func:f   ' >"$BATS_TEST_TMPDIR/f"
	printf '   5 1 b.c:2 [m] func:g accurate:yes other:x:y' >>"$BATS_TEST_TMPDIR/f"
	run -0 allocq -i "$BATS_TEST_TMPDIR/f" --csv
	expect_output "bytes,calls,file,line,module,function,accurate
5,1,b.c,2,m,g,true
-1,18446744073709551615,a.c,1,,f,true"
}

@test "the extreme counter values" {
	write_fixture 'allocinfo - version: 1.0' \
		'9223372036854775807 0 a.c:1 func:max' \
		'-9223372036854775808 18446744073709551615 a.c:2 func:min'
	run -0 allocq -i "$F" --csv -o bytes,calls,function
	expect_output "bytes,calls,function
9223372036854775807,0,max
-9223372036854775808,18446744073709551615,min"
}

@test "blank lines and '#' lines are skipped anywhere after the header" {
	write_fixture "$HEADER" '' "$COLUMNS" '   ' '# a note' '  1 1 a.c:1 func:f ' ''
	run -0 allocq -i "$F" --csv -n
	expect_output "1,1,a.c,1,,f,true"
}

@test "a header-only file has no records" {
	write_fixture "$HEADER" "$COLUMNS"
	run -0 --separate-stderr allocq -i "$F" --csv
	expect_output "bytes,calls,file,line,module,function,accurate"
	expect_stderr ""
}

@test "--input - reads standard input" {
	run -0 allocq -i "$V2" --csv
	local from_file=$output
	run -0 --separate-stderr allocq -i - --csv <"$V2"
	expect_output "$from_file"
	expect_stderr ""
	run -0 allocq --input=- -J <"$V2"
	[[ $(jq -r .source <<<"$output") == input ]]
}

# malformed N MESSAGE: allocq on $F exits 65 with "allocq: $F:N: MESSAGE"
malformed() {
	run -65 --separate-stderr allocq -i "$F"
	expect_output ""
	expect_stderr "allocq: $F:$1: $2"
}

LINE_FIX="expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
HEADER_FIX="expected 'allocinfo - version: 1.x' or '2.x'"

@test "malformed: empty file" {
	write_fixture
	: >"$F"
	malformed 1 "empty file, no allocinfo header: $HEADER_FIX"
}

@test "malformed: bad headers" {
	for bad in 'allocinfo - version: 3.0' 'allocinfo - version: 2' \
		'allocinfo - version: 2.0x' 'allocinfo - version: .0' \
		'allocinfo version: 2.0'; do
		write_fixture "$bad" "$COLUMNS"
		malformed 1 "malformed header '$bad': $HEADER_FIX"
	done
}

@test "malformed: the first line of a file that is not allocinfo is not shown" {
	for bad in '# allocinfo' 'hello' 'root:$6$secret:19000:0:99999:7:::' \
		'        4096        1 mm/a.c:1 func:f '; do
		write_fixture "$bad" "$COLUMNS"
		malformed 1 "not an allocinfo file, its first line is no allocinfo header: $HEADER_FIX"
	done
}

@test "malformed: each kind of bad record names its line" {
	local ok='        4096        1 mm/a.c:1 func:f '
	local -A kinds=(
		['abc 1 mm/a.c:1 func:f']='bad byte count'
		['4k 1 mm/a.c:1 func:f']='bad byte count'
		['9223372036854775808 1 mm/a.c:1 func:f']='bad byte count'
		['-9223372036854775809 1 mm/a.c:1 func:f']='bad byte count'
		['4096']='bad call count'
		['4096 x mm/a.c:1 func:f']='bad call count'
		['4096 -1 mm/a.c:1 func:f']='bad call count'
		['4096 18446744073709551616 mm/a.c:1 func:f']='bad call count'
		['4096 1']='no FILE:LINE'
		['4096 1 mm/a.c func:f']='no FILE:LINE'
		['4096 1 :1 func:f']='no FILE:LINE'
		['4096 1 mm/a.c:x func:f']='bad line number'
		['4096 1 mm/a.c: func:f']='bad line number'
		['4096 1 mm/a.c:1 [xfs func:f']='module not in [brackets]'
		['4096 1 mm/a.c:1 [] func:f']='module not in [brackets]'
		['4096 1 mm/a.c:1 f']='no func:NAME'
		['4096 1 mm/a.c:1 func:']='no func:NAME'
		['4096 1 mm/a.c:1 [xfs]']='no func:NAME'
		['4096 1 mm/a.c:1 function:f']='no func:NAME'
		['4096 1 mm/a.c:1 func:f accurate']='a field after func:NAME is not KEY:VALUE'
		['4096 1 mm/a.c:1 func:f :no']='a field after func:NAME is not KEY:VALUE'
	)
	for line in "${!kinds[@]}"; do
		write_fixture "$HEADER" "$COLUMNS" "$ok" "$ok" "$line" "$ok"
		malformed 5 "malformed line (${kinds[$line]}): $LINE_FIX"
	done
}

@test "malformed standard input is named <stdin>" {
	write_fixture "$HEADER" "$COLUMNS" "1 1 a.c:1 func:f" "1 oops"
	run -65 --separate-stderr allocq -i - <"$F"
	expect_stderr "allocq: <stdin>:4: malformed line (bad call count): $LINE_FIX"
}

@test "a missing or unreadable --input file: exit 66" {
	local missing=$BATS_TEST_TMPDIR/missing
	run -66 --separate-stderr allocq -i "$missing"
	expect_output ""
	expect_stderr "allocq: cannot open $missing: No such file or directory: give a saved /proc/allocinfo to --input"
	run -66 --separate-stderr allocq -i "$BATS_TEST_TMPDIR"
	expect_stderr "allocq: cannot open $BATS_TEST_TMPDIR: Is a directory: give a saved /proc/allocinfo to --input"
}

# A file shaped like a big machine's /proc/allocinfo, made here rather than
# committed: 30000 records over 300 files, 50 directories, 3 modules.
big_fixture() {
	BIG=$BATS_FILE_TMPDIR/big.allocinfo
	[[ -f $BIG ]] && return
	awk 'BEGIN {
		print "allocinfo - version: 2.0"
		print "#     <size>  <calls> <tag info>"
		for (i = 0; i < 30000; i++) {
			mod = i % 7 == 0 ? " [mod" i % 3 "]" : ""
			acc = i % 11 == 0 ? " accurate:no" : ""
			printf "%12d %8d dir%d/file%d.c:%d%s func:fn_%d%s \n", \
				(i * 7919) % 100000 * 64 - 4096, i % 1000, i % 50, \
				i % 300, i % 5000, mod, i, acc
		}
	}' >"$BIG"
}

@test "a large file: every record, filters, sorting" {
	big_fixture
	run -0 allocq -i "$BIG" --csv -n
	expect_lines 30000
	# sorted by bytes, largest first
	sort -t, -k1,1nr -c <<<"$output"
	run -0 allocq -i "$BIG" --csv -n -m mod1
	expect_lines "$(grep -c ' \[mod1\] ' "$BIG")"
	run -0 allocq -i "$BIG" --csv -n -f file7.c --inaccurate
	expect_lines "$(grep ' dir[0-9]*/file7\.c:' "$BIG" | grep -c 'accurate:no')"
}
