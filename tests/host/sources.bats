#!/usr/bin/env bats
# The kernel sources without the ioctl: the text file under $ALLOCQ_PROC,
# the automatic choice, and their errors and warning.

load helpers

V1=$BATS_TEST_DIRNAME/fixtures/v1.allocinfo
V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo
FROZEN="allocq: warning: memory allocation profiling is switched off (vm.mem_profiling=0): counters are frozen; enable it with sysctl vm.mem_profiling=1"

@test "auto reads the text file when the kernel has no ioctl (ENOTTY)" {
	make_proc "$V2"
	run -0 --separate-stderr allocq -J
	expect_stderr ""
	[[ $(jq -r .source <<<"$output") == text ]]
	[[ $(jq '.allocations | length' <<<"$output") == 16 ]]
	run -0 allocq --source=auto -J
	[[ $(jq -r .source <<<"$output") == text ]]
}

@test "--source text reads the text file" {
	make_proc "$V1"
	run -0 --separate-stderr allocq --source text --csv -n -o function -s func
	expect_stderr ""
	expect_output "do_initcalls
init_rapl_pmus
pagetable_alloc_noprof
pagetable_alloc_noprof
rapl_pmu_init
xfs_buf_alloc_pages"
}

@test "the same records from --input and from the text source, for every filter" {
	make_proc "$V2"
	while read -r args; do
		# shellcheck disable=SC2086
		run -0 allocq -i "$V2" --csv $args
		local from_input=$output
		# shellcheck disable=SC2086
		run -0 allocq --source text --csv $args
		expect_output "$from_input"
	done <"$BATS_TEST_DIRNAME/filter-cases"
}

@test "--source ioctl on a kernel without the interface: exit 69" {
	make_proc "$V2"
	run -69 --separate-stderr allocq --source ioctl
	expect_output ""
	expect_stderr "allocq: this kernel has no /proc/allocinfo ioctl interface (it needs Linux 7.3+, or 7.2 with allocq's patches): use --source=text"
}

@test "no allocinfo (not built in, or disabled at boot): exit 66" {
	local missing=$ALLOCQ_PROC/allocinfo
	for source in auto ioctl text; do
		run -66 --separate-stderr allocq --source "$source"
		expect_output ""
		expect_stderr "allocq: no $missing (memory allocation profiling not built in, or disabled at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without sysctl.vm.mem_profiling=never"
	done
	# 7.2 and 7.3 booted with never: no file, the sysctl 0 and writable;
	# the missing file is the one message, no warning about the sysctl
	mkdir -p "$ALLOCQ_PROC/sys/vm"
	echo 0 >"$ALLOCQ_PROC/sys/vm/mem_profiling"
	for source in auto ioctl text; do
		run -66 --separate-stderr allocq --source "$source" -J
		expect_output ""
		expect_stderr "allocq: no $missing (memory allocation profiling not built in, or disabled at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without sysctl.vm.mem_profiling=never"
	done
}

@test "ALLOCQ_PROC defaults to /proc" {
	[[ ! -e /proc/allocinfo ]] || skip "this kernel has /proc/allocinfo"
	run -66 --separate-stderr env -u ALLOCQ_PROC "$ALLOCQ"
	expect_stderr "allocq: no /proc/allocinfo (memory allocation profiling not built in, or disabled at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without sysctl.vm.mem_profiling=never"
	run -66 --separate-stderr env ALLOCQ_PROC= "$ALLOCQ"
	expect_stderr "allocq: no /proc/allocinfo (memory allocation profiling not built in, or disabled at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without sysctl.vm.mem_profiling=never"
}

# as_nobody CMD...: CMD without root's right to read anything
as_nobody() {
	if ((EUID == 0)); then
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"
	else
		"$@"
	fi
}

@test "allocinfo readable by root only: exit 77" {
	if ((EUID == 0)); then
		command -v setpriv >/dev/null || skip "no setpriv to drop root"
	fi
	make_proc "$V2"
	chmod 0400 "$ALLOCQ_PROC/allocinfo"
	chmod 0755 "$BATS_TEST_TMPDIR" "$ALLOCQ_PROC"
	((EUID != 0)) || chown root "$ALLOCQ_PROC/allocinfo"
	((EUID == 0)) || chmod 0000 "$ALLOCQ_PROC/allocinfo"
	# a copy of allocq that user can run, wherever the tree lives (a clone
	# in root's home is out of its reach)
	local bin
	bin=$(mktemp -d /tmp/allocq-nobody.XXXXXX)
	chmod 755 "$bin"
	install -m 755 "$ALLOCQ" "$bin/allocq"
	for source in auto ioctl text; do
		run -77 --separate-stderr as_nobody $ALLOCQ_WRAPPER "$bin/allocq" --source "$source"
		expect_output ""
		expect_stderr "allocq: permission denied opening $ALLOCQ_PROC/allocinfo (it is readable by root only): run allocq as root"
	done
	# a saved copy is anybody's
	run -0 as_nobody $ALLOCQ_WRAPPER "$bin/allocq" -i - --csv -n <"$V2"
	rm -rf "$bin"
	expect_lines 16
}

@test "vm.mem_profiling=0: a warning, the records, status 0" {
	make_proc "$V2" 0
	run -0 --separate-stderr allocq --csv -n -f rapl.c
	expect_stderr "$FROZEN"
	expect_lines 3
	run -0 --separate-stderr allocq --source text -J
	expect_stderr "$FROZEN"
	[[ $(jq '.allocations | length' <<<"$output") == 16 ]]
	# also with the ioctl
	run -0 --separate-stderr allocq_ioctl -J
	expect_stderr "$FROZEN"
	[[ $(jq -r .source <<<"$output") == ioctl ]]
}

@test "vm.mem_profiling=0 and read-only (booted with never): the error, status 66" {
	make_proc "$V2" 0
	chmod 0444 "$ALLOCQ_PROC/sys/vm/mem_profiling"
	local args
	for args in "" -J "--source text" "-f rapl.c"; do
		# shellcheck disable=SC2086
		run -66 --separate-stderr allocq $args
		expect_stderr "allocq: memory allocation profiling was disabled at boot (vm.mem_profiling is 0 and read-only): boot without sysctl.vm.mem_profiling=never"
		[[ -z $output ]]
	done
}

@test "vm.mem_profiling=1 or missing: no warning" {
	make_proc "$V2" 1
	run -0 --separate-stderr allocq
	expect_stderr ""
	rm "$ALLOCQ_PROC/sys/vm/mem_profiling"
	run -0 --separate-stderr allocq
	expect_stderr ""
}

@test "--input never warns nor fails on the kernel's state: it is not the live kernel" {
	make_proc "$V2" 0
	# profiling switched off at run time (frozen), then disabled at boot
	for mode in 0644 0444; do
		chmod "$mode" "$ALLOCQ_PROC/sys/vm/mem_profiling"
		run -0 --separate-stderr allocq -i "$V2" --csv -n
		expect_stderr ""
		expect_lines 16
	done
}

@test "a malformed live file: exit 65 naming it and the line" {
	make_proc "$V2"
	echo "garbage" >>"$ALLOCQ_PROC/allocinfo"
	run -65 --separate-stderr allocq --source text
	expect_output ""
	expect_stderr "allocq: $ALLOCQ_PROC/allocinfo:19: malformed line (bad byte count): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
}

@test "--input wins over the kernel, whatever --source" {
	make_proc "$V1"
	run -0 allocq -i "$V2" --source text -J
	[[ $(jq -r .source <<<"$output") == input ]]
	[[ $(jq '.allocations | length' <<<"$output") == 16 ]]
	run -0 allocq -i "$V2" --source auto -J
	[[ $(jq -r .source <<<"$output") == input ]]
}
