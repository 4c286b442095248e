#!/usr/bin/env bats
# Formats (exact), columns, headings, sizes, sorting, limits, closed pipes;
# --output-file to whatever its path names (its atomic rewrite under
# readers, and on a full disk, is in prometheus.bats).

load helpers

V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo
ODD=$BATS_TEST_DIRNAME/fixtures/odd.allocinfo
SIZES=$BATS_TEST_DIRNAME/fixtures/sizes.allocinfo

@test "table: the default, human sizes, sorted by bytes" {
	run -0 --separate-stderr allocq -i "$V2"
	expect_stderr ""
	expect_output "BYTES     CALLS FILE                    LINE MODULE     FUNCTION                ACCURATE
   3T 805306368 mm/vmalloc.c            3790 -          __vmalloc_area_node     yes
   2G    524288 mm/page_alloc.c         4890 -          __alloc_pages_noprof    yes
   8M      2048 fs/xfs/xfs_buf.c         372 xfs        xfs_buf_alloc_pages     yes
 1.5M       384 mm/slub.c               2456 -          alloc_slab_page         no
   1M       255 fs/xfs/xfs_buf.c         372 xfs        xfs_buf_alloc_kmem      no
 256K        64 fs/ext4/super.c         1342 ext4       ext4_alloc_inode        yes
 128K        32 include/linux/mm.h      3156 -          pagetable_alloc_noprof  yes
  64K        16 fs/xfs/xfs_icache.c       89 xfs        xfs_inode_alloc         yes
  40K        10 include/linux/mm.h      3156 -          pagetable_alloc_noprof  yes
  12K         3 arch/x86/events/rapl.c   745 -          rapl_pmu_init           yes
   4K         1 arch/x86/events/rapl.c   717 -          init_rapl_pmus          yes
   1K         1 kernel/fork.c            311 -          alloc_thread_stack_node yes
 1023         7 lib/xarray.c             378 -          xas_alloc               yes
  512         2 drivers/powercap/rapl.c  101 intel_rapl rapl_probe              yes
    0         0 init/main.c             1310 -          do_initcalls            yes
  -4K         3 mm/percpu.c              512 -          pcpu_mem_zalloc         yes"
}

@test "table: --bytes prints exact counts" {
	run -0 allocq -i "$V2" -b -f rapl.c -f xfs_buf.c
	expect_output "  BYTES CALLS FILE                    LINE MODULE     FUNCTION            ACCURATE
8388608  2048 fs/xfs/xfs_buf.c         372 xfs        xfs_buf_alloc_pages yes
1048575   255 fs/xfs/xfs_buf.c         372 xfs        xfs_buf_alloc_kmem  no
  12288     3 arch/x86/events/rapl.c   745 -          rapl_pmu_init       yes
   4096     1 arch/x86/events/rapl.c   717 -          init_rapl_pmus      yes
    512     2 drivers/powercap/rapl.c  101 intel_rapl rapl_probe          yes"
}

@test "table: human sizes in powers of 1024, one decimal at most" {
	run -0 allocq -i "$SIZES" -s line -o line,bytes -n
	expect_output " 1     0
 2     1
 3   512
 4  1023
 5    1K
 6    1K
 7  1.1K
 8  1.5K
 9  1.9K
10   10K
11    1M
12    1M
13  1.5M
14    1G
15    2G
16    1T
17    1P
18    1E
19    8E
20    -1
21 -1.5K
22   -8E"
}

@test "table: -o picks and orders the columns; the last one is not padded" {
	run -0 allocq -i "$V2" -o function,line,module -f rapl.c
	expect_output "FUNCTION       LINE MODULE
rapl_pmu_init   745 -
init_rapl_pmus  717 -
rapl_probe      101 intel_rapl"
	run -0 allocq -i "$V2" --output=accurate -m xfs
	expect_output $'ACCURATE\nyes\nno\nyes'
	[[ $(grep -c ' $' <<<"$output") == 0 ]]
}

@test "table: --no-headings" {
	run -0 allocq -i "$V2" -n -o bytes,function -f rapl.c
	expect_output "12K rapl_pmu_init
 4K init_rapl_pmus
512 rapl_probe"
}

@test "CSV: header, raw integers, empty module, true/false" {
	run -0 --separate-stderr allocq -i "$V2" --csv -m xfs -m intel_rapl
	expect_stderr ""
	expect_output "bytes,calls,file,line,module,function,accurate
8388608,2048,fs/xfs/xfs_buf.c,372,xfs,xfs_buf_alloc_pages,true
1048575,255,fs/xfs/xfs_buf.c,372,xfs,xfs_buf_alloc_kmem,false
65536,16,fs/xfs/xfs_icache.c,89,xfs,xfs_inode_alloc,true
512,2,drivers/powercap/rapl.c,101,intel_rapl,rapl_probe,true"
	run -0 allocq -i "$V2" --format=csv -o function,bytes,module -n -F pcpu_mem_zalloc
	expect_output "pcpu_mem_zalloc,-4096,"
}

@test "CSV: RFC 4180 quoting" {
	run -0 allocq -i "$ODD" --csv -F 'f"q"' -F plain -F 'a,b,"c"'
	expect_output 'bytes,calls,file,line,module,function,accurate
4096,1,"drivers/a,b.c",1,"m,od","f""q""",true
2048,2,"""quoted"".c",2,,plain,true
1024,3,plain.c,3,,"a,b,""c""",true'
}

# csv_rows: the CSV in $output parsed back (RFC 4180), one JSON array a row
csv_rows() {
	python3 -c 'import csv, json, sys
for row in csv.reader(sys.stdin):
    print(json.dumps(row))' <<<"$output"
}

@test "CSV parses back into the records" {
	run -0 allocq -i "$ODD" --csv -n -s line --min-size 1K
	run -0 csv_rows
	expect_output '["4096", "1", "drivers/a,b.c", "1", "m,od", "f\"q\"", "true"]
["2048", "2", "\"quoted\".c", "2", "", "plain", "true"]
["1024", "3", "plain.c", "3", "", "a,b,\"c\"", "true"]'
}

@test "JSON: one object, every field in order, raw integers" {
	run -0 --separate-stderr allocq -i "$V2" --json -f rapl.c
	expect_stderr ""
	expect_output '{"schema": 1, "source": "input", "allocations": [
  {"bytes": 12288, "calls": 3, "file": "arch/x86/events/rapl.c", "line": 745, "module": null, "function": "rapl_pmu_init", "accurate": true},
  {"bytes": 4096, "calls": 1, "file": "arch/x86/events/rapl.c", "line": 717, "module": null, "function": "init_rapl_pmus", "accurate": true},
  {"bytes": 512, "calls": 2, "file": "drivers/powercap/rapl.c", "line": 101, "module": "intel_rapl", "function": "rapl_probe", "accurate": true}
], "total": {"bytes": 16896, "calls": 6, "sites": 3}}'
}

@test "JSON: types and keys checked with jq, whatever -o, -b, -n say" {
	run -0 allocq -i "$V2" -J -o bytes -b -n
	[[ $(jq -c keys_unsorted <<<"$output") == '["schema","source","allocations","total"]' ]]
	[[ $(jq -c '[.allocations[] | keys_unsorted] | unique' <<<"$output") == \
		'[["bytes","calls","file","line","module","function","accurate"]]' ]]
	[[ $(jq '.allocations | length' <<<"$output") == 16 ]]
	[[ $(jq -c '[.allocations[] | [(.bytes|type), (.calls|type), (.file|type),
		(.line|type), (.module|type), (.function|type), (.accurate|type)]] | unique' \
		<<<"$output") == \
		'[["number","number","string","number","null","string","boolean"],["number","number","string","number","string","string","boolean"]]' ]]
	[[ $(jq -c '[.allocations[] | select(.accurate == false) | .function]' <<<"$output") == \
		'["alloc_slab_page","xfs_buf_alloc_kmem"]' ]]
	[[ $(jq '.allocations[-1].bytes' <<<"$output") == -4096 ]]
	[[ $(jq '.allocations[0].bytes' <<<"$output") == 3298534883328 ]]
}

@test "JSON: quotes and names that are not UTF-8" {
	run -0 allocq -i "$ODD" --format json -s line
	[[ $(jq -c '[.allocations[] | [.file, .module, .function]]' <<<"$output") == \
		'[["drivers/a,b.c","m,od","f\"q\""],["\"quoted\".c",null,"plain"],["plain.c",null,"a,b,\"c\""],["latin1-\\xe9t\\xe9.c",null,"f\\xff"]]' ]]
}

@test "JSON and CSV of one query hold the same records" {
	for args in "" "-f rapl.c" "-m xfs -B --min-size 1K" "--inaccurate" "-s calls -r --limit 5"; do
		# shellcheck disable=SC2086
		run -0 allocq -i "$V2" --csv -n $args
		local from_csv
		from_csv=$(csv_rows)
		# shellcheck disable=SC2086
		run -0 allocq -i "$V2" --json $args
		local from_json
		from_json=$(jq -c '.allocations[] | [(.bytes|tostring), (.calls|tostring),
			.file, (.line|tostring), (.module // ""), .function, (.accurate|tostring)]' \
			<<<"$output" | python3 -c 'import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(line)))')
		[[ -n $from_csv || -z $args ]]
		[[ $from_csv == "$from_json" ]]
	done
}

# order ARGS...: the functions in printed order
order() {
	run -0 allocq -i "$V2" -n -o function "$@"
}

@test "--sort bytes (the default) and calls: largest first" {
	order
	local by_default=$output
	order -s bytes
	expect_output "$by_default"
	expect_output "__vmalloc_area_node
__alloc_pages_noprof
xfs_buf_alloc_pages
alloc_slab_page
xfs_buf_alloc_kmem
ext4_alloc_inode
pagetable_alloc_noprof
xfs_inode_alloc
pagetable_alloc_noprof
rapl_pmu_init
init_rapl_pmus
alloc_thread_stack_node
xas_alloc
rapl_probe
do_initcalls
pcpu_mem_zalloc"
	run -0 allocq -i "$V2" -n -o calls,file,bytes -b --sort=calls
	expect_output "805306368 mm/vmalloc.c            3298534883328
   524288 mm/page_alloc.c            2147483648
     2048 fs/xfs/xfs_buf.c              8388608
      384 mm/slub.c                     1572864
      255 fs/xfs/xfs_buf.c              1048575
       64 fs/ext4/super.c                262144
       32 include/linux/mm.h             131072
       16 fs/xfs/xfs_icache.c             65536
       10 include/linux/mm.h              40960
        7 lib/xarray.c                     1023
        3 arch/x86/events/rapl.c          12288
        3 mm/percpu.c                     -4096
        2 drivers/powercap/rapl.c           512
        1 arch/x86/events/rapl.c           4096
        1 kernel/fork.c                    1024
        0 init/main.c                         0"
}

@test "--sort file, func, module, line: ascending, ties broken by the other fields" {
	run -0 allocq -i "$V2" -n -o file,line,function -s file
	expect_output "arch/x86/events/rapl.c   717 init_rapl_pmus
arch/x86/events/rapl.c   745 rapl_pmu_init
drivers/powercap/rapl.c  101 rapl_probe
fs/ext4/super.c         1342 ext4_alloc_inode
fs/xfs/xfs_buf.c         372 xfs_buf_alloc_kmem
fs/xfs/xfs_buf.c         372 xfs_buf_alloc_pages
fs/xfs/xfs_icache.c       89 xfs_inode_alloc
include/linux/mm.h      3156 pagetable_alloc_noprof
include/linux/mm.h      3156 pagetable_alloc_noprof
init/main.c             1310 do_initcalls
kernel/fork.c            311 alloc_thread_stack_node
lib/xarray.c             378 xas_alloc
mm/page_alloc.c         4890 __alloc_pages_noprof
mm/percpu.c              512 pcpu_mem_zalloc
mm/slub.c               2456 alloc_slab_page
mm/vmalloc.c            3790 __vmalloc_area_node"
	run -0 allocq -i "$V2" -n -o function,bytes -b -s func
	expect_output "__alloc_pages_noprof       2147483648
__vmalloc_area_node     3298534883328
alloc_slab_page               1572864
alloc_thread_stack_node          1024
do_initcalls                        0
ext4_alloc_inode               262144
init_rapl_pmus                   4096
pagetable_alloc_noprof         131072
pagetable_alloc_noprof          40960
pcpu_mem_zalloc                 -4096
rapl_pmu_init                   12288
rapl_probe                        512
xas_alloc                        1023
xfs_buf_alloc_kmem            1048575
xfs_buf_alloc_pages           8388608
xfs_inode_alloc                 65536"
	run -0 allocq -i "$V2" -n -o module,file,function -s module --limit 5
	expect_output "- arch/x86/events/rapl.c init_rapl_pmus
- arch/x86/events/rapl.c rapl_pmu_init
- include/linux/mm.h     pagetable_alloc_noprof
- include/linux/mm.h     pagetable_alloc_noprof
- init/main.c            do_initcalls"
	run -0 allocq -i "$V2" -n -o module,function -s module -r --limit 5
	expect_output "xfs        xfs_inode_alloc
xfs        xfs_buf_alloc_pages
xfs        xfs_buf_alloc_kmem
intel_rapl rapl_probe
ext4       ext4_alloc_inode"
	run -0 allocq -i "$V2" -n -o line,function -s line
	expect_output "  89 xfs_inode_alloc
 101 rapl_probe
 311 alloc_thread_stack_node
 372 xfs_buf_alloc_kmem
 372 xfs_buf_alloc_pages
 378 xas_alloc
 512 pcpu_mem_zalloc
 717 init_rapl_pmus
 745 rapl_pmu_init
1310 do_initcalls
1342 ext4_alloc_inode
2456 alloc_slab_page
3156 pagetable_alloc_noprof
3156 pagetable_alloc_noprof
3790 __vmalloc_area_node
4890 __alloc_pages_noprof"
}

@test "--reverse reverses the whole order" {
	for key in bytes calls file func module line; do
		run -0 allocq -i "$V2" --csv -n -s "$key"
		local forward=$output
		run -0 allocq -i "$V2" --csv -n -s "$key" -r
		expect_output "$(tac <<<"$forward")"
	done
}

@test "the order does not depend on the order of the input" {
	local shuffled=$BATS_TEST_TMPDIR/shuffled
	{ head -n2 "$V2"; tail -n +3 "$V2" | tac; } >"$shuffled"
	for key in bytes calls file func module line; do
		run -0 allocq -i "$V2" --csv -s "$key"
		local want=$output
		run -0 allocq -i "$shuffled" --csv -s "$key"
		expect_output "$want"
	done
}

@test "--limit prints the first N after sorting" {
	order --limit 3
	expect_output $'__vmalloc_area_node\n__alloc_pages_noprof\nxfs_buf_alloc_pages'
	order --limit=2 -r
	expect_output $'pcpu_mem_zalloc\ndo_initcalls'
	order --limit 0
	expect_output ""
	run -0 allocq -i "$V2" --limit 0
	expect_output "BYTES CALLS FILE LINE MODULE FUNCTION ACCURATE"
	order --limit 1000
	expect_lines 16
	run -0 allocq -i "$V2" -J --limit 1
	[[ $(jq '.allocations | length' <<<"$output") == 1 ]]
	run -0 allocq -i "$V2" --csv --limit 1
	expect_lines 2
}

# The large fixture of text.bats: enough output to fill any pipe buffer.
big_fixture() {
	BIG=$BATS_FILE_TMPDIR/big.allocinfo
	[[ -f $BIG ]] && return
	awk 'BEGIN {
		print "allocinfo - version: 2.0"
		print "#     <size>  <calls> <tag info>"
		for (i = 0; i < 30000; i++)
			printf "%12d %8d dir%d/file%d.c:%d func:fn_%d \n", \
				(i * 7919) % 100000 * 64, i % 1000, i % 50, i % 300, i % 5000, i
	}' >"$BIG"
}

@test "a closed pipe ends allocq quietly, status 0, in every format" {
	big_fixture
	for format in table csv json; do
		run -0 --separate-stderr bash -c \
			'$ALLOCQ_WRAPPER "$ALLOCQ" -i "$1" --format "$2" | head -n1; echo "status ${PIPESTATUS[0]}"' \
			_ "$BIG" "$format"
		expect_stderr ""
		expect_lines 2
		[[ ${lines[1]} == "status 0" ]]
	done
}

@test "a write error is reported: exit 1" {
	[[ -w /dev/full ]] || skip "no /dev/full"
	run -1 --separate-stderr bash -c '$ALLOCQ_WRAPPER "$ALLOCQ" -i "$1" >/dev/full' _ "$V2"
	expect_stderr "allocq: cannot write the output: No space left on device: check the disk or the reader"
}

# The rows write_to writes.
RAPL_CSV='12288,3,arch/x86/events/rapl.c,745,,rapl_pmu_init,true
4096,1,arch/x86/events/rapl.c,717,,init_rapl_pmus,true
512,2,drivers/powercap/rapl.c,101,intel_rapl,rapl_probe,true'

# write_to FILE: the CSV of rapl.c's call sites, to --output-file FILE
write_to() {
	allocq -i "$V2" --csv -n -f rapl.c --output-file "$1"
}

# expect_rows FILE: FILE holds what write_to writes
expect_rows() {
	[[ $(<"$1") == "$RAPL_CSV" ]] && return
	diff -u <(printf '%s\n' "$RAPL_CSV") "$1" >&2 || :
	return 1
}

# as_nobody CMD...: CMD as user nobody when root, else as the user one is
as_nobody() {
	if ((EUID == 0)); then
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"
	else
		"$@"
	fi
}

# The directories of other users' tests live outside bats' private one.
teardown() {
	[[ ! -f $BATS_TEST_TMPDIR/remove ]] || xargs -d '\n' rm -rf -- <"$BATS_TEST_TMPDIR/remove"
}

@test "--output-file over a file: an older file keeps its mode, a new one is 0644" {
	local dir=$BATS_TEST_TMPDIR/out
	mkdir "$dir"
	echo old >"$dir/private.csv"
	chmod 0600 "$dir/private.csv"
	echo old >"$dir/group.csv"
	chmod 0640 "$dir/group.csv"
	(umask 022 && write_to "$dir/private.csv" && write_to "$dir/group.csv" &&
		write_to "$dir/new.csv")
	for f in private group new; do
		expect_rows "$dir/$f.csv"
	done
	[[ $(stat -c %a "$dir/private.csv") == 600 ]]
	[[ $(stat -c %a "$dir/group.csv") == 640 ]]
	[[ $(stat -c %a "$dir/new.csv") == 644 ]]
	run -0 ls -A "$dir"
	expect_output $'group.csv\nnew.csv\nprivate.csv'
}

@test "--output-file as root over another user's file: its owner and group stay" {
	((EUID == 0)) || skip "needs root to give a file to another user"
	local dir=$BATS_TEST_TMPDIR/out
	mkdir "$dir"
	echo old >"$dir/theirs.csv"
	chown nobody:nogroup "$dir/theirs.csv"
	chmod 0604 "$dir/theirs.csv"
	write_to "$dir/theirs.csv"
	expect_rows "$dir/theirs.csv"
	[[ $(stat -c %U:%G:%a "$dir/theirs.csv") == nobody:nogroup:604 ]]
	run -0 ls -A "$dir"
	expect_output theirs.csv
}

@test "--output-file as another user, in a directory of theirs: replaced, modes kept" {
	if ((EUID == 0)); then
		command -v setpriv >/dev/null || skip "no setpriv to drop root"
	fi
	local dir
	dir=$(mktemp -d /tmp/allocq-output.XXXXXX)
	echo "$dir" >>"$BATS_TEST_TMPDIR/remove"
	chmod 755 "$dir"
	# a copy of allocq that user can run, wherever the tree lives
	install -m 755 "$ALLOCQ" "$dir/allocq"
	mkdir "$dir/out"
	echo old >"$dir/out/mine.csv"
	chmod 0600 "$dir/out/mine.csv"
	ln -s mine.csv "$dir/out/link.csv"
	((EUID != 0)) || chown -hR nobody:nogroup "$dir/out"
	for f in mine.csv link.csv new.csv; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr as_nobody $ALLOCQ_WRAPPER "$dir/allocq" -i - --csv -n \
			-f rapl.c --output-file "$dir/out/$f" <"$V2"
		expect_stderr ""
	done
	expect_rows "$dir/out/mine.csv"
	expect_rows "$dir/out/new.csv"
	[[ -L $dir/out/link.csv ]]
	[[ $(stat -c %a "$dir/out/mine.csv") == 600 ]]
	[[ $(stat -c %a "$dir/out/new.csv") == 644 ]]
	if ((EUID == 0)); then
		[[ $(stat -c %U "$dir/out/mine.csv") == nobody ]]
		[[ $(stat -c %U "$dir/out/new.csv") == nobody ]]
	fi
	run -0 ls -A "$dir/out"
	expect_output $'link.csv\nmine.csv\nnew.csv'
}

@test "--output-file through symbolic links replaces the file they name, in its directory" {
	local dir=$BATS_TEST_TMPDIR/out
	mkdir -p "$dir/a" "$dir/b" "$dir/c"
	echo old >"$dir/a/real.csv"
	chmod 0600 "$dir/a/real.csv"
	ln -s real.csv "$dir/a/link.csv"
	write_to "$dir/a/link.csv"
	expect_rows "$dir/a/real.csv"
	[[ $(stat -c %a "$dir/a/real.csv") == 600 ]]
	# a relative link into another directory: relative to the link's own
	# directory, not to the current one
	ln -s ../b/real.csv "$dir/a/other.csv"
	(cd "$dir/c" && write_to ../a/other.csv)
	expect_rows "$dir/b/real.csv"
	# a chain: relative, absolute, then relative to a file not there yet
	ln -s ../c/hop2 "$dir/a/hop1"
	ln -s "$dir/b/hop3" "$dir/c/hop2"
	ln -s new.csv "$dir/b/hop3"
	write_to "$dir/a/hop1"
	expect_rows "$dir/b/new.csv"
	[[ $(stat -c %a "$dir/b/new.csv") == 644 ]]
	# every link kept as it was, no temporary file anywhere
	run -0 bash -c 'cd "$1" && find . -mindepth 1 -printf "%p %y %l\n" | sort' _ "$dir"
	expect_output "./a d 
./a/hop1 l ../c/hop2
./a/link.csv l real.csv
./a/other.csv l ../b/real.csv
./a/real.csv f 
./b d 
./b/hop3 l new.csv
./b/new.csv f 
./b/real.csv f 
./c d 
./c/hop2 l $dir/b/hop3"
}

@test "--output-file to a character device writes to it: the device node stays" {
	((EUID == 0)) || skip "needs root to make device nodes"
	local dir=$BATS_TEST_TMPDIR/dev
	mkdir "$dir"
	# the null and full devices' numbers, in a directory of the test's own
	mknod "$dir/null" c 1 3
	mknod "$dir/full" c 1 7
	echo >"$dir/null" 2>/dev/null || skip "device nodes do not open here (nodev)"
	run -0 --separate-stderr write_to "$dir/null"
	expect_output ""
	expect_stderr ""
	[[ -c $dir/null ]]
	# written to, not replaced: the device's own error
	run -1 --separate-stderr write_to "$dir/full"
	expect_stderr "allocq: cannot write $dir/full: No space left on device: check the disk or the reader"
	[[ -c $dir/full ]]
	run -0 ls -A "$dir"
	expect_output $'full\nnull'
}

@test "--output-file to a FIFO writes to it: the reader gets the whole output, the FIFO stays" {
	big_fixture
	local dir=$BATS_TEST_TMPDIR/out reader
	mkdir "$dir"
	mkfifo "$dir/fifo"
	timeout 60 cat "$dir/fifo" >"$BATS_TEST_TMPDIR/got" 3>&- &
	reader=$!
	# shellcheck disable=SC2086
	run -0 --separate-stderr timeout 60 $ALLOCQ_WRAPPER "$ALLOCQ" -i "$BIG" --csv \
		--output-file "$dir/fifo"
	expect_stderr ""
	if [[ ! -p $dir/fifo ]]; then
		kill "$reader"
		fail_with "the FIFO was replaced"
	fi
	wait "$reader"
	cmp "$BATS_TEST_TMPDIR/got" <(allocq -i "$BIG" --csv)
	# a reader that goes away: allocq ends quietly, as with a closed pipe
	head -c 100 "$dir/fifo" >/dev/null 3>&- &
	reader=$!
	# shellcheck disable=SC2086
	run -0 --separate-stderr timeout 60 $ALLOCQ_WRAPPER "$ALLOCQ" -i "$BIG" --csv \
		--output-file "$dir/fifo"
	expect_stderr ""
	wait "$reader"
	[[ -p $dir/fifo ]]
	run -0 ls -A "$dir"
	expect_output fifo
}

@test "--output-file through a link to /proc/self/fd/1, as /dev/stdout is: standard output" {
	ln -s /proc/self/fd/1 "$BATS_TEST_TMPDIR/stdout"
	run -0 --separate-stderr write_to "$BATS_TEST_TMPDIR/stdout"
	expect_stderr ""
	expect_output "$RAPL_CSV"
	[[ $(readlink "$BATS_TEST_TMPDIR/stdout") == /proc/self/fd/1 ]]
}

@test "--output-file naming a directory, or a loop of links: exit 1, one line, nothing changed" {
	local dir=$BATS_TEST_TMPDIR/out f
	mkdir -p "$dir/d"
	echo keep >"$dir/d/keep"
	ln -s d "$dir/to-d"
	for f in "$dir/d" "$dir/to-d" "$dir/d/" "$dir/new/"; do
		run -1 --separate-stderr write_to "$f"
		expect_output ""
		expect_stderr "allocq: cannot write $f: Is a directory: give the name of a file"
	done
	ln -s loop "$dir/loop"
	run -1 --separate-stderr write_to "$dir/loop"
	expect_stderr "allocq: cannot write $dir/loop: Too many levels of symbolic links: check the directory and the disk"
	[[ $(readlink "$dir/to-d") == d && $(readlink "$dir/loop") == loop ]]
	run -0 ls -A "$dir"
	expect_output $'d\nloop\nto-d'
	run -0 ls -A "$dir/d"
	expect_output keep
}

# killed_at_fsync SIGNAL ARG...: allocq ARG..., sent SIGNAL by strace at its
# first fsync, no core dumped (the exit status is strace's: 128 + SIGNAL).
# Every signal at its default first: a shell without job control starts
# its background commands with SIGINT and SIGQUIT ignored, and allocq
# leaves an ignored signal ignored, as it should.
killed_at_fsync() {
	local sig=$1
	shift
	ulimit -c 0
	# LeakSanitizer cannot run under strace; the rest of the sanitizers can
	strace -o /dev/null -e trace=fsync -e inject=fsync:signal="$sig":when=1 \
		env --default-signal ${ALLOCQ_SANITIZE:+ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0} \
		"$ALLOCQ" "$@"
}

@test "--output-file: a signal that ends allocq while it writes leaves no temporary file" {
	command -v strace >/dev/null || fail_with "strace is missing: install the Debian package strace"
	local dir=$BATS_TEST_TMPDIR/out sig
	mkdir "$dir"
	echo old >"$dir/a.prom"
	for sig in HUP INT QUIT TERM ALRM USR1 USR2 XFSZ; do
		run -$((128 + $(kill -l "$sig"))) killed_at_fsync "$sig" -i "$V2" \
			--format prometheus --output-file "$dir/a.prom"
		run -0 ls -A "$dir"
		expect_output a.prom || fail_with "after SIG$sig"
		[[ $(<"$dir/a.prom") == old ]]
	done
}

@test "--output-file: an error inside a sink leaves no temporary file" {
	[[ -z ${ALLOCQ_WRAPPER:-} ]] || skip "the allocator of $ALLOCQ_WRAPPER replaces the failing one"
	[[ -z ${ALLOCQ_SANITIZE:-} ]] || skip "the allocator of the $ALLOCQ_SANITIZE sanitizer replaces the failing one"
	local dir=$BATS_TEST_TMPDIR/out in=$BATS_TEST_TMPDIR/not-utf8 format
	mkdir "$dir"
	echo old >"$dir/a.prom"
	# a name of 4000 bytes that are not UTF-8: JSON and Prometheus escape
	# it as \xff, 4 bytes each, in a buffer that grows past 12000 bytes,
	# which only they ask for: out of memory there, after the file is made
	{
		echo "allocinfo - version: 2.0"
		printf '        4096        1 a.c:1 func:%s \n' "$(head -c 4000 /dev/zero | tr '\0' '\377')"
	} >"$in"
	for format in json prometheus; do
		FAILALLOC_MIN=12000 FAILALLOC_MAX=12100 LD_PRELOAD=$FAILALLOC_LIB \
			run -1 --separate-stderr "$ALLOCQ" -i "$in" --format "$format" --output-file "$dir/a.prom"
		expect_stderr "allocq: out of memory: free some memory or narrow the query"
		run -0 ls -A "$dir"
		expect_output a.prom || fail_with "after --format $format"
		[[ $(<"$dir/a.prom") == old ]]
	done
	# and without the failing allocator, both write the file
	run -0 allocq -i "$in" --format json --output-file "$dir/a.prom"
	[[ $(<"$dir/a.prom") == *'\\xff\\xff'* ]]
}

@test "--output-file: the new file is synced before it is renamed over the old one" {
	command -v strace >/dev/null || fail_with "strace is missing: install the Debian package strace"
	local dir=$BATS_TEST_TMPDIR/out tmp
	mkdir "$dir"
	echo old >"$dir/a.prom"
	# LeakSanitizer cannot run under strace; the rest of the sanitizers can
	run -0 strace -y -o "$BATS_TEST_TMPDIR/trace" -e trace=fsync,fdatasync,rename,renameat,renameat2 \
		env ${ALLOCQ_SANITIZE:+ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0} \
		"$ALLOCQ" -i "$V2" --format prometheus --output-file "$dir/a.prom"
	run -0 grep -E '^(f(data)?sync|rename)' "$BATS_TEST_TMPDIR/trace"
	# the temporary file's data, then the rename of that file, then the directory
	[[ ${lines[0]} =~ ^f(data)?sync\([0-9]+\<"$dir"/(\.a\.prom\.[A-Za-z0-9]{6})\>\)\ +=\ 0$ ]] ||
		fail_with "not the temporary file synced first:" "$output"
	tmp=${BASH_REMATCH[2]}
	[[ ${lines[1]} =~ ^rename(at2?)?\(.*\""$tmp"\",\ .*\"a\.prom\".*\)\ +=\ 0$ ]] ||
		fail_with "not $tmp renamed next:" "$output"
	[[ ${lines[2]} =~ ^fsync\([0-9]+\<"$dir"\>\)\ +=\ 0$ ]] || fail_with "the directory not synced:" "$output"
	run -0 allocq -i "$V2" --format prometheus
	[[ $(<"$dir/a.prom") == "$output" ]]
}
