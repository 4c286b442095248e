#!/usr/bin/env bats
# What is growing, and where: --diff, --group-by, --total, name patterns,
# unknown names, --format allocinfo, on fixtures whose every number was
# worked out by hand (before.allocinfo is format 1.0, after.allocinfo 2.0):
#
#   grows      4096/1 -> 1052672/3     +1 MiB
#   shrinks    8192/2 -> 4096/1        -4 KiB
#   goes       1024/1 -> (gone)
#   arrives    (new)  -> 2048/4
#   stays      512/1  -> 512/1         unchanged: left out
#   probe      core.c:50 in mod_a 2048/1 -> 6144/3, in mod_b unchanged
#   first, second: fs/two.c:60, first unchanged, second 256/1 -> 1280/2
#   alloc_user_cpus_ptr: two tags of one call site on each side,
#              2000/2 -> 4000/3
#   flagged    100/1 -> 300/2, accurate:no only after
#   never_ran  new, 0/0: left out

load helpers

OLD=$BATS_TEST_DIRNAME/fixtures/before.allocinfo
NEW=$BATS_TEST_DIRNAME/fixtures/after.allocinfo
V1=$BATS_TEST_DIRNAME/fixtures/v1.allocinfo
V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo
# Sums past 2^63 and 2^64 (jq 1.6 rounds such numbers: the tests compare text;
# a directory of its own: prometheus.bats sums every fixture in floating point):
#   fs/big/a.c a, fs/big/b.c b [m1]  2^63-1 bytes, 2^64-1 calls each
#   mm/c.c c, built in: two tags     2^63-1 and 2 bytes, 1 call each
#   module m1  18446744073709551614 bytes (2^64-2), 36893488147419103230 calls
#   call site c, built-in code       9223372036854775809 bytes (2^63+1), 2 calls
#   total      27670116110564327423 bytes (3*2^63-1), 36893488147419103232 calls (2^65)
HUGE=$BATS_TEST_DIRNAME/fixtures/exact/huge.allocinfo

@test "--diff: every kind of change, largest growth first, exact numbers" {
	run -0 --separate-stderr allocq -i "$NEW" --diff "$OLD" --csv
	expect_stderr ""
	expect_output "bytes,calls,old_bytes,old_calls,delta_bytes,delta_calls,change,file,line,module,function,accurate
1052672,3,4096,1,1048576,2,changed,mm/grow.c,10,,grows,true
6144,3,2048,1,4096,2,changed,drivers/x/core.c,50,mod_a,probe,true
2048,4,0,0,2048,4,new,mm/new.c,35,,arrives,true
4000,3,2000,2,2000,1,changed,kernel/sched/sched.h,70,,alloc_user_cpus_ptr,true
1280,2,256,1,1024,1,changed,fs/two.c,60,,second,true
300,2,100,1,200,1,changed,lib/flag.c,80,,flagged,false
0,0,1024,1,-1024,-1,gone,mm/gone.c,30,,goes,true
4096,1,8192,2,-4096,-1,changed,mm/shrink.c,20,,shrinks,true"
}

@test "--diff: the table shows signed human sizes, exact with -b" {
	run -0 allocq -i "$NEW" --diff "$OLD" -o delta_bytes,delta_calls,change,function --limit 3
	expect_output "DELTA-BYTES DELTA-CALLS CHANGE  FUNCTION
        +1M          +2 changed grows
        +4K          +2 changed probe
        +2K          +4 new     arrives"
	run -0 allocq -i "$NEW" --diff "$OLD" -o delta_bytes,function -b -s delta -r --limit 2
	expect_output "DELTA-BYTES FUNCTION
      -4096 shrinks
      -1024 goes"
}

@test "--diff: JSON rows and the total of the changes" {
	run -0 allocq -i "$NEW" --diff "$OLD" -J
	[[ $(jq -c '.allocations[0]' <<<"$output") == '{"bytes":1052672,"calls":3,"old_bytes":4096,"old_calls":1,"delta_bytes":1048576,"delta_calls":2,"change":"changed","file":"mm/grow.c","line":10,"module":null,"function":"grows","accurate":true}' ]]
	[[ $(jq -c '.total' <<<"$output") == '{"bytes":1070540,"calls":18,"old_bytes":17716,"old_calls":9,"delta_bytes":1052824,"delta_calls":9,"sites":8}' ]]
	[[ $(jq -r '[.allocations[].change] | join(",")' <<<"$output") == changed,changed,new,changed,changed,changed,gone,changed ]]
}

@test "--diff: the size filters bound the change either way; names select on both sides" {
	run -0 allocq -i "$NEW" --diff "$OLD" --min-size 2K --csv -n -o delta_bytes,file,module
	expect_output "1048576,mm/grow.c,
4096,drivers/x/core.c,mod_a
2048,mm/new.c,
-4096,mm/shrink.c,"
	run -0 allocq -i "$NEW" --diff "$OLD" --min-size 1M --csv -n -o function
	expect_output grows
	run -0 allocq -i "$NEW" --diff "$OLD" --max-size 1K --csv -n -o delta_bytes,function
	expect_output $'1024,second\n200,flagged\n-1024,goes'
	run -0 allocq -i "$NEW" --diff "$OLD" -m mod_a --csv -n
	expect_output "6144,3,2048,1,4096,2,changed,drivers/x/core.c,50,mod_a,probe,true"
	run -0 allocq -i "$NEW" --diff "$OLD" -f two.c --csv -n -o function,change
	expect_output "second,changed"
	# accurate:no only after: with --accurate the call site is only in OLD
	run -0 allocq -i "$NEW" --diff "$OLD" --accurate -F flagged --csv -n -o change,bytes,old_bytes
	expect_output "gone,0,100"
	run -0 allocq -i "$NEW" --diff "$OLD" --inaccurate --csv -n -o change,bytes,old_bytes
	expect_output "new,300,0"
}

@test "--diff the other way round: new and gone swap, signs turn" {
	run -0 allocq -i "$OLD" --diff "$NEW" --csv -n -o delta_bytes,change,function
	expect_output "4096,changed,shrinks
1024,new,goes
-200,changed,flagged
-1024,changed,second
-2000,changed,alloc_user_cpus_ptr
-2048,gone,arrives
-4096,changed,probe
-1048576,changed,grows"
}

@test "--diff: a call site listed twice is added up on both sides, one row" {
	run -0 allocq -i "$NEW" --diff "$OLD" -F alloc_user_cpus_ptr --csv -n -o bytes,calls,old_bytes,old_calls
	expect_output "4000,3,2000,2"
	# same file and line in two functions, same site in two modules: apart
	run -0 allocq -i "$NEW" --diff "$OLD" -f core.c -f two.c --max-size 1T --csv -n -o module,function
	expect_output $'mod_a,probe\n,second'
}

@test "--diff: identical snapshots, or another kernel's" {
	run -0 --separate-stderr allocq -i "$NEW" --diff "$NEW" --csv
	expect_stderr ""
	expect_output "bytes,calls,old_bytes,old_calls,delta_bytes,delta_calls,change,file,line,module,function,accurate"
	# nothing in common: everything that holds memory is new or gone
	run -0 --separate-stderr allocq -i "$V2" --diff "$NEW" -J
	expect_stderr "allocq: warning: the two sides of --diff share 0 of the 11 call sites of the smaller one (0%): snapshots of two kernels? compare two of the same kernel"
	[[ $(jq '[.allocations[] | select(.change == "changed")] | length' <<<"$output") == 0 ]]
	[[ $(jq '[.allocations[] | select(.change == "gone")] | length' <<<"$output") == 10 ]]
	[[ $(jq '[.allocations[] | select(.change == "new")] | length' <<<"$output") == 14 ]]
}

# kernel-a and kernel-b: 3 of kernel-a's 8 call sites are also in kernel-b's 10
@test "--diff of two kernels' snapshots: one warning line, what they share, the same rows" {
	local a=$FIXTURES/kernel-a.allocinfo b=$FIXTURES/kernel-b.allocinfo
	local warning="allocq: warning: the two sides of --diff share 3 of the 8 call sites of the smaller one (37%): snapshots of two kernels? compare two of the same kernel"
	run -0 --separate-stderr allocq -i "$b" --diff "$a" --csv -n -o change,function
	expect_stderr "$warning"
	expect_lines 13	# 7 new, 5 gone, 1 changed (xas_alloc and do_initcalls did not)
	[[ $(grep -c ^new, <<<"$output") == 7 && $(grep -c ^gone, <<<"$output") == 5 ]]
	run -0 --separate-stderr allocq -i "$a" --diff "$b" -J -g module
	expect_stderr "$warning"
	jq -e .groups <<<"$output" >/dev/null
	# the call sites the filters select: 1 of 3 shared warns, 1 of 2 does not
	run -0 --separate-stderr allocq -i "$b" --diff "$a" -f slub.c -f fork.c -f vmalloc.c
	expect_stderr "allocq: warning: the two sides of --diff share 1 of the 3 call sites of the smaller one (33%): snapshots of two kernels? compare two of the same kernel"
	run -0 --separate-stderr allocq -i "$b" --diff "$a" -f slub.c -f vmalloc.c
	expect_stderr ""
	# nothing on one side: nothing to compare
	run -0 --separate-stderr allocq -i "$b" --diff "$a" -F kmalloc_large
	expect_stderr ""
	expect_lines 2
}

@test "--diff: format 1.0 and 2.0 mix either way" {
	run -0 allocq -i "$V1" --diff "$V2" --csv -n
	local one=$output
	run -0 allocq -i "$V2" --diff "$V1" --csv -n
	[[ -n $one && -n $output ]]
	run -0 allocq -i "$V1" --diff "$V1" --csv -n
	expect_output ""
}

@test "--diff: bad OLD files say so, with the documented status" {
	run -66 --separate-stderr allocq -i "$NEW" --diff "$BATS_TEST_TMPDIR/missing"
	expect_stderr "allocq: cannot open $BATS_TEST_TMPDIR/missing: No such file or directory: give a saved /proc/allocinfo to --diff"
	run -66 --separate-stderr allocq -i "$NEW" --diff "$BATS_TEST_TMPDIR"
	expect_stderr "allocq: cannot open $BATS_TEST_TMPDIR: Is a directory: give a saved /proc/allocinfo to --diff"
	: >"$BATS_TEST_TMPDIR/empty"
	run -65 --separate-stderr allocq -i "$NEW" --diff "$BATS_TEST_TMPDIR/empty"
	expect_stderr "allocq: $BATS_TEST_TMPDIR/empty:1: empty file, no allocinfo header: expected 'allocinfo - version: 1.x' or '2.x'"
	echo "not allocinfo" >"$BATS_TEST_TMPDIR/text"
	run -65 --separate-stderr allocq -i "$NEW" --diff "$BATS_TEST_TMPDIR/text"
	expect_stderr "allocq: $BATS_TEST_TMPDIR/text:1: not an allocinfo file, its first line is no allocinfo header: expected 'allocinfo - version: 1.x' or '2.x'"
	run -64 --separate-stderr allocq -i - --diff - <"$NEW"
	expect_stderr "allocq: --diff - and --input - would both read standard input: give one of them a file"
	# OLD from standard input, the current from a file
	run -0 allocq -i "$NEW" --diff - --csv -n -o function --limit 1 <"$OLD"
	expect_output grows
}

@test "--diff: with --format allocinfo or prometheus, a usage error" {
	run -64 --separate-stderr allocq -i "$NEW" --diff "$OLD" --format allocinfo
	expect_stderr "allocq: --format allocinfo prints call sites: drop --group-by and --diff"
	run -64 --separate-stderr allocq -i "$NEW" --diff "$OLD" --format prometheus
	expect_stderr "allocq: --format prometheus prints the state, not a change: drop --diff"
}

@test "--group-by module, with a total line; built-in code is one group" {
	run -0 allocq -i "$NEW" -g module --total
	expect_output "BYTES CALLS SITES MODULE
   1M    17     9 -
   6K     3     1 mod_a
   2K     1     1 mod_b
   1M    21    11 (total)"
	run -0 allocq -i "$NEW" -g module -J
	[[ $(jq -c '.groups' <<<"$output") == '[{"module":null,"bytes":1065164,"calls":17,"sites":9},{"module":"mod_a","bytes":6144,"calls":3,"sites":1},{"module":"mod_b","bytes":2048,"calls":1,"sites":1}]' ]]
	[[ $(jq -c '[.group_by, .total]' <<<"$output") == '["module",{"bytes":1073356,"calls":21,"sites":11}]' ]]
}

@test "--group-by dir:N, dir, file, function; a duplicated call site is one site" {
	run -0 allocq -i "$NEW" -g dir:1 --total --csv
	expect_output "bytes,calls,sites,dir
1059328,9,5,mm
8192,4,2,drivers
4000,3,1,kernel
1536,3,2,fs
300,2,1,lib
1073356,21,11,(total)"
	run -0 allocq -i "$NEW" -g dir:2 --csv -n -s file
	expect_output "8192,4,2,drivers/x
1536,3,2,fs
4000,3,1,kernel/sched
300,2,1,lib
1059328,9,5,mm"
	run -0 allocq -i "$NEW" -g dir --csv -n -s file -o dir,sites
	expect_output $'drivers/x,2\nfs,2\nkernel/sched,1\nlib,1\nmm,5'
	run -0 allocq -i "$V2" -g dir:9 -f rapl.c --csv -n -s file -o dir
	expect_output $'arch/x86/events\ndrivers/powercap'
	run -0 allocq -i "$NEW" -g function --csv -n -s sites --limit 2
	expect_output $'8192,4,2,probe\n4000,3,1,alloc_user_cpus_ptr'
	run -0 allocq -i "$NEW" -g file -f sched.h --csv -n
	expect_output "4000,3,1,kernel/sched/sched.h"
}

@test "--group-by: a file without a directory is in '.'" {
	printf 'allocinfo - version: 2.0\n# x\n  10 1 main.c:1 [m] func:f \n  20 2 sub/a.c:2 [m] func:g \n' >"$BATS_TEST_TMPDIR/mod"
	run -0 allocq -i "$BATS_TEST_TMPDIR/mod" -g dir --csv -n -s file
	expect_output $'10,1,1,.\n20,2,1,sub'
	run -0 allocq -i "$BATS_TEST_TMPDIR/mod" -g dir:3 --csv -n -s file -o dir
	expect_output $'.\nsub'
}

@test "--group-by: an absolute path keeps its root; a file at the root is in '/'" {
	printf 'allocinfo - version: 2.0\n# x\n  10 1 /abs/x.c:1 [m] func:f \n  20 2 /x.c:2 [m] func:g \n  40 4 /abs/sub/y.c:3 [m] func:h \n' \
		>"$BATS_TEST_TMPDIR/abs"
	run -0 allocq -i "$BATS_TEST_TMPDIR/abs" -g dir --csv -n -s file -o dir,bytes
	expect_output $'/,20\n/abs,10\n/abs/sub,40'
	# the first components of the directory, as for a relative path
	run -0 allocq -i "$BATS_TEST_TMPDIR/abs" -g dir:1 --csv -n -s file -o dir,bytes
	expect_output $'/,20\n/abs,50'
	run -0 allocq -i "$BATS_TEST_TMPDIR/abs" -g dir:2 --csv -n -s file -o dir,bytes
	expect_output $'/,20\n/abs,10\n/abs/sub,40'
}

@test "--group-by: the size filters bound the group's sum" {
	run -0 allocq -i "$NEW" -g module --min-size 4K --csv -n -o module
	expect_output $'\nmod_a'
	run -0 allocq -i "$NEW" -g module --max-size 2K --csv -n -o module,bytes
	expect_output "mod_b,2048"
}

@test "--group-by with --diff: sums of the changes" {
	run -0 allocq -i "$NEW" --diff "$OLD" -g module --csv
	expect_output "bytes,calls,old_bytes,old_calls,delta_bytes,delta_calls,sites,module
1064396,15,15668,8,1048728,7,7,
6144,3,2048,1,4096,2,1,mod_a"
	run -0 allocq -i "$NEW" --diff "$OLD" -g file -J
	[[ $(jq -c '.groups[0]' <<<"$output") == '{"file":"mm/grow.c","bytes":1052672,"calls":3,"old_bytes":4096,"old_calls":1,"delta_bytes":1048576,"delta_calls":2,"sites":1}' ]]
	run -0 allocq -i "$NEW" --diff "$OLD" -g dir:1 --min-size 4K --csv -n -o dir,delta_bytes
	expect_output $'mm,1045504\ndrivers,4096'
}

@test "--group-by: bad keys and columns are usage errors" {
	run -64 --separate-stderr allocq -i "$NEW" -g line
	expect_stderr "allocq: unknown --group-by key 'line': use module, file, function, dir or dir:N"
	for key in dir:0 dir:x module:2 dir:65; do
		run -64 --separate-stderr allocq -i "$NEW" -g "$key"
		expect_stderr "allocq: unknown --group-by key '$key': use module, file, function, dir or dir:N (N from 1 to 64)"
	done
	run -64 --separate-stderr allocq -i "$NEW" -g module -o line
	expect_stderr "allocq: column 'line' is not one of these rows': use the columns of --group-by (see allocq(1))"
	run -64 --separate-stderr allocq -i "$NEW" -s sites
	expect_stderr "allocq: --sort sites sorts groups: use it with --group-by"
	run -64 --separate-stderr allocq -i "$NEW" -s delta
	expect_stderr "allocq: --sort delta sorts by a change: use it with --diff or --watch"
}

@test "--total in the table and CSV, a total object in every JSON" {
	run -0 allocq -i "$V2" -f rapl.c --total -o bytes,calls,file -b
	expect_output "BYTES CALLS FILE
12288     3 arch/x86/events/rapl.c
 4096     1 arch/x86/events/rapl.c
  512     2 drivers/powercap/rapl.c
16896     6 (total)"
	run -0 allocq -i "$V2" -f rapl.c --total --csv -n --limit 1
	expect_output $'12288,3,arch/x86/events/rapl.c,745,,rapl_pmu_init,true\n16896,6,(total),,,,'
	# the total is of everything selected, not only of what --limit prints
	run -0 allocq -i "$V2" -J --limit 1
	[[ $(jq -c '.total' <<<"$output") == '{"bytes":3300693891582,"calls":805833482,"sites":15}' ]]
}

@test "sums past 2^63 and 2^64: exact in the table and CSV total and in group rows" {
	run -0 allocq -i "$HUGE" --total -b -o bytes,calls,function
	expect_output "               BYTES                CALLS FUNCTION
 9223372036854775807 18446744073709551615 a
 9223372036854775807 18446744073709551615 b
 9223372036854775807                    1 c
                   2                    1 c
27670116110564327423 36893488147419103232 (total)"
	run -0 allocq -i "$HUGE" -g module --total
	expect_output "BYTES                CALLS SITES MODULE
  16E 36893488147419103230     2 m1
   8E                    2     1 -
  24E 36893488147419103232     3 (total)"
	run -0 allocq -i "$HUGE" -g module --total --csv
	expect_output "bytes,calls,sites,module
18446744073709551614,36893488147419103230,2,m1
9223372036854775809,2,1,
27670116110564327423,36893488147419103232,3,(total)"
}

@test "sums past 2^63 and 2^64: exact in JSON rows, groups and the total" {
	run -0 allocq -i "$HUGE" -J -g module
	expect_output '{"schema": 1, "source": "input", "group_by": "module", "groups": [
  {"module": "m1", "bytes": 18446744073709551614, "calls": 36893488147419103230, "sites": 2},
  {"module": null, "bytes": 9223372036854775809, "calls": 2, "sites": 1}
], "total": {"bytes": 27670116110564327423, "calls": 36893488147419103232, "sites": 3}}'
	jq -e . <<<"$output" >/dev/null
	run -0 allocq -i "$HUGE" -J -f c.c
	[[ ${lines[-1]} == '], "total": {"bytes": 9223372036854775809, "calls": 2, "sites": 1}}' ]]
}

@test "sums past 2^63 and 2^64: exact in Prometheus series of call sites and groups" {
	run -0 allocq -i "$HUGE" --format prometheus -F c
	expect_contains 'allocinfo_bytes{file="mm/c.c",line="3",module="",function="c"} 9223372036854775809'
	run -0 allocq -i "$HUGE" --format prometheus -g module
	expect_contains 'allocinfo_module_bytes{module="m1"} 18446744073709551614'
	expect_contains 'allocinfo_module_calls{module="m1"} 36893488147419103230'
	expect_contains 'allocinfo_module_bytes{module=""} 9223372036854775809'
}

@test "changes past 2^63 either way: --diff rows, groups and totals" {
	printf 'allocinfo - version: 2.0\n' >"$BATS_TEST_TMPDIR/empty"
	run -0 allocq -i "$HUGE" --diff "$BATS_TEST_TMPDIR/empty" -g module --total --csv -o delta_bytes,delta_calls,module
	expect_output "delta_bytes,delta_calls,module
18446744073709551614,36893488147419103230,m1
9223372036854775809,2,
27670116110564327423,36893488147419103232,(total)"
	run -0 allocq -i "$BATS_TEST_TMPDIR/empty" --diff "$HUGE" --total --csv -o old_bytes,delta_bytes,change,function
	expect_output "old_bytes,delta_bytes,change,function
9223372036854775807,-9223372036854775807,gone,a
9223372036854775807,-9223372036854775807,gone,b
9223372036854775809,-9223372036854775809,gone,c
27670116110564327423,-27670116110564327423,(total),"
	run -0 allocq -i "$BATS_TEST_TMPDIR/empty" --diff "$HUGE" -g module -o delta_bytes,module
	expect_output "DELTA-BYTES MODULE
        -8E -
       -16E m1"
}

@test "shell patterns in --file, --func, --module: the same records as grep" {
	run -0 allocq -i "$NEW" -f 'mm/*' --csv -n -o file -s file
	expect_output "$(grep -o ' mm/[^:]*' "$NEW" | sed 's/^ //' | sort)"
	run -0 allocq -i "$NEW" -F '*_ptr' --csv -n -o function
	expect_output $'alloc_user_cpus_ptr\nalloc_user_cpus_ptr'
	run -0 allocq -i "$NEW" -m 'mod_?' --csv -n -o module -s module
	expect_output $'mod_a\nmod_b'
	# without a '/', a basename; '*' crosses '/' in a path pattern
	run -0 allocq -i "$NEW" -f 'c*.c' --csv -n -o file,module -s module
	expect_output $'drivers/x/core.c,mod_a\ndrivers/x/core.c,mod_b'
	run -0 allocq -i "$NEW" -f 'drivers/*core.c' --csv -n -o module -s module
	expect_output $'mod_a\nmod_b'
	# a pattern without '/' is a basename pattern: this one matches none
	run -0 --separate-stderr allocq -i "$NEW" -f 'drivers*core.c' --csv -n
	expect_output ""
	expect_stderr "allocq: warning: no call site has a file matching 'drivers*core.c'"
	run -0 allocq -i "$NEW" -f '[gs]*.c' --csv -n -o function -s func
	expect_output $'grows\nshrinks\nstays'
}

@test "a pattern that matches nothing gives nothing, and a note" {
	run -0 --separate-stderr allocq -i "$NEW" -f 'zz*' --csv
	expect_output "bytes,calls,file,line,module,function,accurate"
	expect_stderr "allocq: warning: no call site has a file matching 'zz*'"
}

@test "a name no call site has: exit 0, no rows, the closest known names" {
	run -0 --separate-stderr allocq -i "$NEW" -m mod_c -n
	expect_output ""
	expect_stderr "allocq: warning: no call site has a module named 'mod_c': did you mean 'mod_a' or 'mod_b'?"
	run -0 --separate-stderr allocq -i "$NEW" -f grow.cc -n
	expect_stderr "allocq: warning: no call site has a file named 'grow.cc': did you mean 'grow.c'?"
	run -0 --separate-stderr allocq -i "$V2" -m xsf -n
	expect_stderr "allocq: warning: no call site has a module named 'xsf': did you mean 'xfs'?"
	run -0 --separate-stderr allocq -i "$V2" -f rapl.cc -n
	expect_stderr "allocq: warning: no call site has a file named 'rapl.cc': did you mean 'rapl.c'?"
	run -0 --separate-stderr allocq -i "$V2" -F nothing_like_it -n
	expect_stderr "allocq: warning: no call site has a function named 'nothing_like_it'"
	# a short name: two edits away is still close (the floor of max(2, length/3)),
	# three is not
	run -0 --separate-stderr allocq -i "$V2" -m ex5 -n
	expect_stderr "allocq: warning: no call site has a module named 'ex5': did you mean 'ext4'?"
	run -0 --separate-stderr allocq -i "$V2" -m zz -n
	expect_stderr "allocq: warning: no call site has a module named 'zz'"
	# a name that exists but whose rows were filtered away: no warning
	run -0 --separate-stderr allocq -i "$V2" -m xfs --min-size 1T -n
	expect_stderr ""
	# one name of two unknown: rows for the other, a note for it
	run -0 --separate-stderr allocq -i "$V2" -m xfs -m xsf --csv -n -o module
	expect_stderr "allocq: warning: no call site has a module named 'xsf': did you mean 'xfs'?"
	expect_lines 3
}

@test "a name only OLD has is suggested from OLD: a file, a redirect or a pipe" {
	local want="allocq: warning: no call site has a file named 'gone.cc': did you mean 'gone.c'?"
	run -0 --separate-stderr allocq -i "$NEW" --diff "$OLD" -f gone.cc -n
	expect_output ""
	expect_stderr "$want"
	run -0 --separate-stderr bash -c '"$1" -i "$2" --diff - -f gone.cc -n <"$3"' _ "$ALLOCQ" "$NEW" "$OLD"
	expect_stderr "$want"
	run -0 --separate-stderr bash -c 'cat "$3" | "$1" -i "$2" --diff - -f gone.cc -n' _ "$ALLOCQ" "$NEW" "$OLD"
	expect_stderr "$want"
	# and the other way round: a name only the new snapshot has, read from a pipe
	run -0 --separate-stderr bash -c 'cat "$2" | "$1" -i - --diff "$3" -F arrivez -n' _ "$ALLOCQ" "$NEW" "$OLD"
	expect_stderr "allocq: warning: no call site has a function named 'arrivez': did you mean 'arrives'?"
	# the site gone since OLD still matches its name: no warning
	run -0 --separate-stderr allocq -i "$NEW" --diff "$OLD" -f gone.c --csv -n -o change,function
	expect_output "gone,goes"
	expect_stderr ""
}

@test "--format allocinfo: the kernel's format, read back to the same records" {
	run -0 allocq -i "$NEW" --format allocinfo -s line
	expect_output "allocinfo - version: 2.0
#     <size>  <calls> <tag info>
     1052672        3 mm/grow.c:10 func:grows 
        4096        1 mm/shrink.c:20 func:shrinks 
        2048        4 mm/new.c:35 func:arrives 
         512        1 mm/same.c:40 func:stays 
        6144        3 drivers/x/core.c:50 [mod_a] func:probe 
        2048        1 drivers/x/core.c:50 [mod_b] func:probe 
         256        1 fs/two.c:60 func:first 
        1280        2 fs/two.c:60 func:second 
        3000        2 kernel/sched/sched.h:70 func:alloc_user_cpus_ptr 
        1000        1 kernel/sched/sched.h:70 func:alloc_user_cpus_ptr 
         300        2 lib/flag.c:80 func:flagged accurate:no 
           0        0 mm/idle.c:90 func:never_ran "
	for fixture in "$NEW" "$V1" "$V2" "$BATS_TEST_DIRNAME/fixtures/odd.allocinfo"; do
		run -0 allocq -i "$fixture" --json
		local direct=$output
		run -0 bash -c '"$1" -i "$2" --format allocinfo | "$1" -i - --json' _ "$ALLOCQ" "$fixture"
		expect_output "$direct"
	done
}

@test "--format allocinfo with --group-by is a usage error" {
	run -64 --separate-stderr allocq -i "$NEW" -g module --format allocinfo
	expect_stderr "allocq: --format allocinfo prints call sites: drop --group-by and --diff"
}

@test "a diff of two 30,000-line snapshots stays under 16 MiB" {
	[[ -z ${ALLOCQ_WRAPPER:-} ]] || skip "measures allocq's own memory, not $ALLOCQ_WRAPPER's"
	[[ -z ${ALLOCQ_SANITIZE:-} ]] || skip "measures allocq's own memory, not the $ALLOCQ_SANITIZE sanitizer's"
	local n
	for n in 64 65; do
		seq 1 30000 | awk -v n="$n" '{ printf "%12d %8d drivers/x%d/file%d.c:%d [mod%d] func:function_%d \n", $1 * n, $1 % 97, $1 % 300, $1 % 3000, $1, $1 % 50, $1 }' |
			cat <(echo "allocinfo - version: 2.0") - >"$BATS_TEST_TMPDIR/$n"
	done
	local rss
	rss=$(peak_rss_kib "$ALLOCQ" -i "$BATS_TEST_TMPDIR/65" --diff "$BATS_TEST_TMPDIR/64")
	echo "# peak RSS of the diff: $rss KiB" >&3
	((rss < 16384)) || fail_with "$rss KiB"
	run -0 bash -c '"$1" -i "$2" --diff "$3" -J | jq ".allocations | length"' _ "$ALLOCQ" \
		"$BATS_TEST_TMPDIR/65" "$BATS_TEST_TMPDIR/64"
	expect_output 30000
}
