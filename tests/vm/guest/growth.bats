#!/usr/bin/env bats
# What is growing, on a real kernel: the test module's on-demand site
# (pages=N, N order-0 pages at one call site) grows by a known amount, and
# --diff, --group-by module, --watch and --status must report exactly that,
# through every source this kernel has.

load helpers

PAGES=/sys/module/allocq_test/parameters/pages
PAGE=4096

setup_file() {
	load_module
	profiling_on
}

teardown_file() {
	unload_module
}

# hold N: the module holds N pages at its on-demand site
hold() {
	echo "$1" >"$PAGES"
	[[ $(<"$PAGES") == "$1" ]]
}

# each_source CMD...: CMD with every source of this kernel, $src set
each_source() {
	local s
	for s in auto text $(kernel_has_ioctl && echo ioctl); do
		src=$s "$@" || return
	done
}

snapshot_and_grow() {
	hold 0
	run_allocq before --format allocinfo --source="$src" || return
	hold 10
	run_allocq diff --csv -n --source="$src" --diff "$T/before.out" -m "$MODNAME"
	[[ $(<"$T/diff.out") == "$((10 * PAGE)),10,0,0,$((10 * PAGE)),10,changed,allocq_test_main.c,"*",allocq_test,allocq_test_alloc_on_demand,true" ]] ||
		fail_with "$src: --diff -m $MODNAME after 10 pages:" "$(<"$T/diff.out")"
	# the same through --group-by module
	run_allocq group --csv -n --source="$src" --diff "$T/before.out" -g module -m "$MODNAME"
	[[ $(<"$T/group.out") == "$((10 * PAGE)),10,0,0,$((10 * PAGE)),10,1,allocq_test" ]] ||
		fail_with "$src: --diff -g module after 10 pages:" "$(<"$T/group.out")"
	# shrink to 4: a change of -6 pages against the 10
	run_allocq mid --format allocinfo --source="$src"
	hold 4
	run_allocq shrink --csv -n --source="$src" --diff "$T/mid.out" -o delta_bytes,delta_calls,change,function
	[[ $(<"$T/shrink.out") == "$((-6 * PAGE)),-6,changed,allocq_test_alloc_on_demand" ]] ||
		fail_with "$src: --diff after shrinking from 10 to 4 pages:" "$(<"$T/shrink.out")"
	hold 0
}

@test "--diff and --group-by module see exactly the pages the module took and gave back" {
	each_source snapshot_and_grow
}

@test "--input NEW --diff OLD of two snapshots of this kernel, and the size bound on the change" {
	hold 0
	run_allocq before --format allocinfo
	hold 300		# 1.2 MiB
	run_allocq after --format allocinfo
	hold 0
	run_allocq diff --csv -n -i "$T/after.out" --diff "$T/before.out" --min-size 1M -o delta_bytes,module,function
	# built-in call sites also moved meanwhile; none by a mebibyte
	[[ $(<"$T/diff.out") == "$((300 * PAGE)),allocq_test,allocq_test_alloc_on_demand" ]] ||
		fail_with "--diff --min-size 1M:" "$(<"$T/diff.out")"
	# the round trip: the saved text reads back to what the kernel said
	run_allocq json -J -i "$T/after.out" -m "$MODNAME"
	[[ $(jq -c '[.allocations[] | select(.function == "allocq_test_alloc_on_demand") | .bytes]' "$T/json.out") == "[$((300 * PAGE))]" ]]
}

@test "--group-by module counts the module's call sites and sums its bytes" {
	hold 3
	expected
	local want_bytes want_sites
	want_bytes=$(awk '{ b += $1 } END { print b + 3 * 4096 }' "$EXPECTED")
	want_sites=$(grep -c . "$EXPECTED")
	run_allocq g --csv -n -g module -m "$MODNAME"
	hold 0
	[[ $(<"$T/g.out") == "$want_bytes,"*",$want_sites,allocq_test" ]] ||
		fail_with "--group-by module -m $MODNAME: want $want_bytes bytes in $want_sites sites:" "$(<"$T/g.out")"
}

@test "--watch --json: the change since the first sample and the rate follow the pages taken" {
	hold 0
	# the pages change only after allocq printed a sample, so the first
	# sample sees none however slowly allocq starts; a second leaves room
	# for the change to land before the next sample
	(
		local n tries=600 printed
		for n in 8 16 24; do
			until printed=$(grep -c . "$T/watch.out" 2>/dev/null)
				((${printed:-0} >= n / 8 || tries-- <= 0)); do
				sleep 0.05
			done
			echo "$n" >"$PAGES"
		done
	) 3>&- &
	local loop=$!
	run_allocq watch --watch=1 --count 4 --json -m "$MODNAME" -F allocq_test_alloc_on_demand
	wait "$loop"
	hold 0
	[[ $(grep -c . "$T/watch.out") == 4 ]] || fail_with "not 4 samples:" "$(<"$T/watch.out")"
	# every sample: the site's bytes are whole pages of what was held, never
	# fewer than before; change = bytes - first; rate = change over time
	jq -s -e --argjson page "$PAGE" '
		[.[] | {t: .time, a: .allocations[0]}] as $s
		| ($s[0].a.bytes == 0)
		and ($s[-1].a.bytes == 24 * $page and $s[-1].a.calls == 24)
		and all(range(1; $s | length);
			. as $i
			| ($s[$i].a.bytes % (8 * $page) == 0)
			and ($s[$i].a.bytes >= $s[$i - 1].a.bytes)
			and ($s[$i].a.delta_bytes == $s[$i].a.bytes - $s[0].a.bytes)
			and ($s[$i].a.delta_calls == $s[$i].a.calls - $s[0].a.calls)
			and ((($s[$i].a.bytes - $s[$i - 1].a.bytes) / ($s[$i].t - $s[$i - 1].t)
			      - $s[$i].a.rate) | fabs) <= ($s[$i].a.rate | fabs) * 0.01 + 2)
	' "$T/watch.out" >/dev/null || fail_with "samples do not add up:" "$(<"$T/watch.out")"
}

@test "--status: what allocq sees on this kernel, and exit 0" {
	run_allocq status --status -J
	local want_format ioctl
	want_format=$(text_version)
	ioctl=false
	kernel_has_ioctl && ioctl=true
	jq -e --arg k "$(uname -r)" --arg f "$want_format" --argjson io "$ioctl" '
		.kernel == $k and .allocinfo == "/proc/allocinfo" and .present and .readable
		and .format == $f and .profiling == "on" and .ioctl == $io
		and (if $io then (.content_id | type) == "number" and .content_id > 0
		     else .content_id == null end)
		and .sites > 1000 and .bytes > 0 and .status == 0 and .error == null
	' "$T/status.out" >/dev/null || fail_with "--status -J:" "$(<"$T/status.out")"
	# the number of call sites is the text's: its distinct tuples
	local sites
	sites=$(tsv /proc/allocinfo | cut -f 3-6 | sort -u | wc -l)
	[[ $(jq .sites "$T/status.out") == "$sites" ]] ||
		fail_with "--status: $(jq .sites "$T/status.out") call sites, /proc/allocinfo has $sites"
	run_allocq table --status
	grep -q "^IOCTL       $([[ $ioctl == true ]] && echo yes || echo no)\$" "$T/table.out" ||
		fail_with "--status table:" "$(<"$T/table.out")"
}

@test "--status as a user that cannot read /proc/allocinfo: exit 77 and why" {
	local rc=0 dir
	# a copy that user can run, in a directory it can reach
	dir=$(mktemp -d /tmp/allocq-nobody.XXXXXX)
	chmod 755 "$dir"
	install -m 755 "$ALLOCQ" "$dir/allocq"
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$dir/allocq" --status -J \
		>"$T/s.out" 2>"$T/s.err" || rc=$?
	rm -rf "$dir"
	((rc == 77)) || fail_with "exit $rc, not 77:" "$(<"$T/s.err")"
	[[ $(<"$T/s.err") == "$MSG_NOPERM" ]] || fail_with "stderr:" "$(<"$T/s.err")"
	jq -e '.present and (.readable | not) and .status == 77 and .sites == null' "$T/s.out" >/dev/null ||
		fail_with "--status -J:" "$(<"$T/s.out")"
}
