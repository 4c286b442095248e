#!/usr/bin/env bats
# The tag set changing under allocq: the test module loaded and unloaded in
# a loop while allocq queries it. Every answer must be complete: the
# module's 6 records or none of them, never some; allocq never fails but
# with the documented 75 ("kept changing", counted: fine if rare).
#
# Where the kernel has the ioctl, both sources are queried and both hold
# to that (the text source checks the content id around its read). Kernels
# without it (6.12) have nothing to check a text read against: there a mix
# is the documented limit (see allocq(1), SOURCES), reported, not failed.

load helpers

CHURN_SECONDS=10

teardown() {
	[[ -z ${churn_pid:-} ]] || kill "$churn_pid" 2>/dev/null || :
	wait 2>/dev/null || :
	unload_module || :
}

# classify EXPECTED ANSWER...: one line "N KIND" for each CSV answer
# $T/a.N.out: how it compares with the module's expected records: none;
# all (exact); transient: all 6 records, names exact, counters between 0
# and the expected ones in whole allocations (caught while the module's
# init allocates or its exit frees, after its tags appear or before they
# go); or mix: anything else
classify() {
	awk -v OFS='\t' "$REC_AWK"'
	function done() {
		if (!out) return
		id = out; sub(/.*\/a\./, "", id); sub(/\.out$/, "", id)
		if (got == 0) kind = "none"
		else if (mix || got != want_n) kind = "mix"
		else if (part) kind = "transient"
		else kind = "all"
		print id, kind
	}
	FNR == 1 { file++; if (file > 1) { done(); out = FILENAME; got = mix = part = 0; delete seen } }
	!rec() { next }
	file == 1 { k = R[3] "\t" R[4] "\t" R[5] "\t" R[6] "\t" R[7]; want[k] = R[1] "\t" R[2]; want_n++; next }
	{
		k = R[3] "\t" R[4] "\t" R[5] "\t" R[6] "\t" R[7]
		got++
		if (!(k in want) || seen[k]++) { mix = 1; next }
		split(want[k], w, "\t")
		if (R[1] != w[1] || R[2] != w[2]) {
			part = 1
			# fewer whole allocations of the same size, or none
			if (R[2] + 0 > w[2] + 0 || R[1] + 0 < 0 || R[1] * w[2] != R[2] * w[1] ||
			    (w[2] == 0 && R[1] != 0))
				mix = 1
		}
	}
	END { done(); exit bad }' "$@"
}

@test "loading and unloading the module while querying: every answer complete" {
	profiling_on
	unload_module
	expected

	# the churn: load and unload for CHURN_SECONDS (bounded), fd 3 closed
	# so that bats does not wait for it
	(
		end=$((SECONDS + CHURN_SECONDS)) n=0
		while ((SECONDS < end && n < 500)); do
			insmod "$ALLOCQ_TEST_MODULE" || exit 1
			rmmod "$MODNAME" || exit 2
			n=$((n + 1))
		done
		echo "$n" >"$T/cycles"
	) 3>&- &
	churn_pid=$!

	# the queries, answers kept for later: as quick a loop as can be
	local queries=(
		"-m $MODNAME"
		"-f allocq_test_main.c -f allocq_test_long_path.c"
	)
	kernel_has_ioctl && queries+=(
		"--source=text -m $MODNAME"
		"--source=text -f allocq_test_main.c -f allocq_test_long_path.c"
	)
	local i=0 rc
	while kill -0 "$churn_pid" 2>/dev/null; do
		rc=0
		# shellcheck disable=SC2086
		"$ALLOCQ" --csv ${queries[i % ${#queries[@]}]} >"$T/a.$i.out" 2>"$T/a.$i.err" || rc=$?
		echo "$rc" >"$T/a.$i.rc"
		i=$((i + 1))
	done
	local churn_rc=0
	wait "$churn_pid" || churn_rc=$?
	churn_pid=
	((churn_rc == 0)) || fail_with "the load/unload loop failed ($churn_rc)"

	local j kind all=0 none=0 transient=0 mix=0 kept=0 failed=0 msg
	msg="allocq: the set of allocation tags kept changing while reading it (10 attempts; modules loading or unloading): try again"
	local answers=()
	for ((j = 0; j < i; j++)); do
		rc=$(<"$T/a.$j.rc")
		if ((rc == 75)); then
			kept=$((kept + 1))
			[[ $(<"$T/a.$j.err") == "$msg" ]] ||
				fail_with "answer $j: exit 75 with: $(<"$T/a.$j.err")"
		elif ((rc != 0)) || ! only_unknown_names "$T/a.$j.err"; then
			failed=$((failed + 1))
			printf 'query %d (%s): exit %d: %s\n' "$j" "${queries[j % ${#queries[@]}]}" \
				"$rc" "$(<"$T/a.$j.err")" >&2
		else
			answers+=("$T/a.$j.out")
		fi
	done
	((${#answers[@]})) || fail_with "no answer at all"
	classify "$EXPECTED" "${answers[@]}" >"$T/kinds"
	while read -r j kind; do
		case $kind in
		all)
			all=$((all + 1))
			# a note that the module had no call site, with its records: wrong
			[[ ! -s $T/a.$j.err ]] ||
				fail_with "query $j: records, and: $(<"$T/a.$j.err")"
			;;
		none) none=$((none + 1)) ;;
		transient)
			transient=$((transient + 1))
			diag "query $j (${queries[j % ${#queries[@]}]}), mid-init/exit:" "$(tr '\n' ' ' <"$T/a.$j.out")"
			;;
		*)
			mix=$((mix + 1))
			printf 'query %d (%s): some of the records:\n%s\n' "$j" \
				"${queries[j % ${#queries[@]}]}" "$(<"$T/a.$j.out")" >&2
			;;
		esac
	done <"$T/kinds"
	diag "$(<"$T/cycles") load/unload cycles, $i queries: $all complete, $none none," \
		"$transient mid-init/exit, $mix mixed, $kept exit 75, $failed failed"
	((failed == 0))
	if ! kernel_has_ioctl && ((mix)); then
		diag "no content id on this kernel: $mix text reads overlapped a load or unload (documented)"
	else
		((mix == 0))
	fi
	# the loop really raced: both states seen
	((all > 0 && none > 0)) || fail_with "no race: $all complete and $none empty answers"
}
