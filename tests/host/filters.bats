#!/usr/bin/env bats
# Every filter, alone and combined, on the v2 fixture through --input (the
# userspace matcher). ioctl.bats checks that the ioctl source agrees.

load helpers

V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo

# funcs ARGS...: the functions of the matching records, sorted by name
funcs() {
	run -0 --separate-stderr allocq -i "$V2" -n -o function -s func "$@"
	expect_stderr ""
}

# unknown KIND NAME ARGS...: no record, and the one warning that no call
# site has that name (names.bats checks the suggestions)
unknown() {
	local kind=$1 name=$2
	shift 2
	run -0 --separate-stderr allocq -i "$V2" -n -o function -s func "$@"
	expect_output ""
	[[ $stderr == "allocq: warning: no call site has a $kind named '$name'"* ]] ||
		{ echo "stderr: $stderr" >&2; return 1; }
	[[ $stderr != *$'\n'* ]]
}

ALL_BUILTIN="__alloc_pages_noprof
__vmalloc_area_node
alloc_slab_page
alloc_thread_stack_node
do_initcalls
init_rapl_pmus
pagetable_alloc_noprof
pagetable_alloc_noprof
pcpu_mem_zalloc
rapl_pmu_init
xas_alloc"

@test "--file with a basename matches every path ending in it" {
	funcs -f rapl.c
	expect_output $'init_rapl_pmus\nrapl_pmu_init\nrapl_probe'
	funcs --file=xfs_buf.c
	expect_output $'xfs_buf_alloc_kmem\nxfs_buf_alloc_pages'
}

@test "--file with a '/' is the exact kernel path" {
	funcs -f arch/x86/events/rapl.c
	expect_output $'init_rapl_pmus\nrapl_pmu_init'
	funcs -f drivers/powercap/rapl.c
	expect_output rapl_probe
}

@test "--file compares whole names: no suffix, prefix, case folding" {
	for v in events/rapl.c x86/events/rapl.c /arch/x86/events/rapl.c rapl RAPL.C \
		apl.c arch/x86/events/rapl; do
		unknown file "$v" -f "$v"
	done
}

@test "--file given twice ORs, without duplicates" {
	funcs -f slub.c -f fork.c
	expect_output $'alloc_slab_page\nalloc_thread_stack_node'
	funcs -f rapl.c -f arch/x86/events/rapl.c -f rapl.c
	expect_output $'init_rapl_pmus\nrapl_pmu_init\nrapl_probe'
}

@test "--func is exact; given twice ORs" {
	funcs -F pagetable_alloc_noprof
	expect_output $'pagetable_alloc_noprof\npagetable_alloc_noprof'
	unknown function pagetable --func pagetable
	funcs -F xas_alloc --func=do_initcalls
	expect_output $'do_initcalls\nxas_alloc'
}

@test "--module is exact; given twice ORs" {
	funcs -m xfs
	expect_output $'xfs_buf_alloc_kmem\nxfs_buf_alloc_pages\nxfs_inode_alloc'
	funcs -m xfs --module ext4
	expect_output $'ext4_alloc_inode\nxfs_buf_alloc_kmem\nxfs_buf_alloc_pages\nxfs_inode_alloc'
	unknown module XFS -m XFS
	unknown module xf -m xf
}

@test "--builtin selects code without a module, and ORs with --module" {
	funcs -B
	expect_output "$ALL_BUILTIN"
	funcs --builtin -m intel_rapl
	expect_output "$(sort <<<"$ALL_BUILTIN"$'\nrapl_probe')"
	funcs -B -F rapl_probe
	expect_output ""
}

@test "--line; given twice ORs" {
	funcs --line 372
	expect_output $'xfs_buf_alloc_kmem\nxfs_buf_alloc_pages'
	funcs --line 372 --line=717
	expect_output $'init_rapl_pmus\nxfs_buf_alloc_kmem\nxfs_buf_alloc_pages'
	funcs --line 373
	expect_output ""
}

@test "--accurate and --inaccurate" {
	funcs --inaccurate
	expect_output $'alloc_slab_page\nxfs_buf_alloc_kmem'
	funcs --accurate
	expect_lines 14
	[[ $output != *alloc_slab_page* && $output != *xfs_buf_alloc_kmem* ]]
	funcs --accurate --accurate -F alloc_slab_page
	expect_output ""
}

@test "--min-size and --max-size are inclusive" {
	funcs --min-size 0 --max-size 1023
	expect_output $'do_initcalls\nrapl_probe\nxas_alloc'
	funcs --min-size 1023 --max-size 1024
	expect_output $'alloc_thread_stack_node\nxas_alloc'
	funcs --min-size 64K --max-size 64K -m xfs
	expect_output xfs_inode_alloc
	funcs --min-size 0
	expect_lines 15
}

# pcpu_mem_zalloc holds -4096 bytes (a transient count): below 0, as it sorts
@test "a negative byte count is below every size: it fails every --min-size, passes every --max-size" {
	funcs --min-size 1M
	expect_output $'__alloc_pages_noprof\n__vmalloc_area_node\nalloc_slab_page\nxfs_buf_alloc_pages'
	funcs --min-size 0
	expect_lines 15
	[[ $output != *pcpu_mem_zalloc* ]]
	funcs --min-size 16777215T
	expect_output ""
	funcs --max-size 0
	expect_output $'do_initcalls\npcpu_mem_zalloc'
	funcs --max-size 16777215T
	expect_lines 16
	run -0 allocq -i "$V2" -n -o bytes,function -b --max-size 1K
	expect_output " 1024 alloc_thread_stack_node
 1023 xas_alloc
  512 rapl_probe
    0 do_initcalls
-4096 pcpu_mem_zalloc"
}

@test "a negative byte count: the same rows from every source" {
	make_proc "$V2"
	local args
	for args in "--min-size 0" "--min-size 1M" "--max-size 0" "--max-size 1M" \
		"--max-size 16777215T" "--min-size 0 --max-size 1M"; do
		# shellcheck disable=SC2086
		sources_agree "$V2" $args
		[[ $args != --max-size* ]] || expect_contains pcpu_mem_zalloc
		[[ $args == --max-size* ]] || [[ $output != *pcpu_mem_zalloc* ]]
	done
}

@test "a group whose sum is negative is below every size too" {
	printf 'allocinfo - version: 2.0\n  100 1 a.c:1 [m] func:f \n  -300 1 b.c:2 [m] func:g \n  50 1 c.c:3 [n] func:h \n' \
		>"$BATS_TEST_TMPDIR/negative"
	run -0 allocq -i "$BATS_TEST_TMPDIR/negative" -g module --csv -n --min-size 0
	expect_output "50,1,1,n"
	run -0 allocq -i "$BATS_TEST_TMPDIR/negative" -g module --csv -n --max-size 60
	expect_output $'50,1,1,n\n-200,2,2,m'
}

@test "every size suffix" {
	local -A cases=(
		[init_rapl_pmus]="4096 4K 4k 4KiB"
		[alloc_slab_page]="1572864 1536K 1536k 1536KiB"
		[xfs_buf_alloc_pages]="8388608 8M 8m 8MiB 8192K"
		[__alloc_pages_noprof]="2147483648 2G 2g 2GiB 2048M"
		[__vmalloc_area_node]="3298534883328 3T 3t 3TiB 3072G"
	)
	for want in "${!cases[@]}"; do
		for size in ${cases[$want]}; do
			funcs --min-size "$size" --max-size "$size"
			expect_output "$want"
		done
	done
	funcs --min-size 0K --max-size 0T
	expect_output do_initcalls
}

@test "a size flag given twice ORs: the loosest bound" {
	funcs --max-size 512 --max-size 1023 --max-size 0 --min-size 0
	expect_output $'do_initcalls\nrapl_probe\nxas_alloc'
	funcs --min-size 2G --min-size 3T --max-size 2G
	expect_output __alloc_pages_noprof
}

@test "filters combine with AND across flags" {
	funcs -f xfs_buf.c --line 372 -m xfs --accurate
	expect_output xfs_buf_alloc_pages
	funcs -f xfs_buf.c -F xfs_buf_alloc_kmem --inaccurate
	expect_output xfs_buf_alloc_kmem
	funcs -B -f rapl.c
	expect_output $'init_rapl_pmus\nrapl_pmu_init'
	funcs -f rapl.c -f slub.c --line 745 --line 2456 --min-size 4K
	expect_output $'alloc_slab_page\nrapl_pmu_init'
	funcs -m xfs -F pagetable_alloc_noprof
	expect_output ""
}

@test "nothing matched: exit 0 with an empty table, CSV or JSON" {
	run -0 --separate-stderr allocq -i "$V2" --min-size 1T --max-size 2T
	expect_output "BYTES CALLS FILE LINE MODULE FUNCTION ACCURATE"
	expect_stderr ""
	run -0 allocq -i "$V2" --line 1 --csv
	expect_output "bytes,calls,file,line,module,function,accurate"
	run -0 allocq -i "$V2" -m xfs --line 1 -n
	expect_output ""
	run -0 --separate-stderr allocq -i "$V2" -m xfs --line 1 --json
	expect_stderr ""
	[[ $(jq -c . <<<"$output") == '{"schema":1,"source":"input","allocations":[],"total":{"bytes":0,"calls":0,"sites":0}}' ]]
}
