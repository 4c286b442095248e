#!/usr/bin/env bats
# The test module's allocations, whose every field is known
# (kernel/testmod/expected): exact records after insmod from every source
# and in every format, and none after rmmod.

load helpers

setup() {
	export LC_ALL=C
	export ALLOCQ_CACHE_DIR=$BATS_TEST_TMPDIR/cache
	T=$BATS_TEST_TMPDIR
	profiling_on
	expected
}

teardown_file() {
	unload_module
}

# exact [AWK-CONDITION] -- ARGS...: allocq --csv ARGS, from the default
# source and from --source=text (see sources), gives exactly the expected records for
# which AWK-CONDITION on R[] holds (see same; default: all of them), and
# nothing else
exact() {
	local cond=1 src
	[[ $1 == -- ]] || { cond=$1; shift; }
	shift
	sources
	for src in "${SOURCES[@]}"; do
		# shellcheck disable=SC2046
		run_allocq "$src" --csv $(source_opt "$src") "$@" || return
		same "$EXPECTED" "$T/$src.out" "$cond" ||
			fail_with "(allocq --csv $*, $src source)" || return
	done
}

@test "after insmod, /proc/allocinfo and allocq show exactly the expected records" {
	unload_module
	load_module
	grep -F " [$MODNAME] " /proc/allocinfo | sort >"$T/module.txt" || :
	sort "$EXPECTED" | diff -u - "$T/module.txt" >&2 ||
		fail_with "/proc/allocinfo does not hold what kernel/testmod/expected says"
	exact -- -m "$MODNAME"
	# and the unfiltered listing holds them too
	run_allocq all --csv
	same "$EXPECTED" "$T/all.out" 1 "R[5] == \"$MODNAME\""
}

@test "after rmmod, no source shows the module's records" {
	load_module
	# a name cache filled while the module is loaded
	local n
	run_allocq before --csv -f allocq_test_long_path.c
	records n "$T/before.out"
	((n == 1))
	rmmod "$MODNAME"
	! grep -F "[$MODNAME]" /proc/allocinfo || false
	local args src
	for args in "-m $MODNAME" "-f allocq_test_main.c -f allocq_test_long_path.c -f $LONG_PATH" \
		"-F allocq_test_alloc_loop -F $LONG_FUNC"; do
		for src in auto text; do
			# shellcheck disable=SC2086
			run_allocq q --csv --source=$src $args
			records n "$T/q.out"
			((n == 0)) || fail_with "allocq --source=$src $args after rmmod:" "$(<"$T/q.out")"
		done
	done
	run_allocq all --csv
	! grep -F ",$MODNAME," "$T/all.out" || false
	# loaded again: all of them again, exact
	load_module
	exact -- -m "$MODNAME"
}

@test "--file with a basename, a full path, a path longer than 63 characters: exact records" {
	load_module
	((${#LONG_PATH} > 63))
	grep -qF " $LONG_PATH:" "$EXPECTED"
	exact 'R[3] == "allocq_test_main.c"' -- -f allocq_test_main.c
	exact 'R[3] ~ /\/allocq_test_long_path\.c$/' -- -f allocq_test_long_path.c
	exact "R[3] == \"$LONG_PATH\"" -- --file "$LONG_PATH"
	exact -- -f allocq_test_main.c -f "$LONG_PATH"
}

@test "--func with a name longer than 63 characters: the exact record, full name" {
	load_module
	((${#LONG_FUNC} > 63))
	grep -qF " func:$LONG_FUNC " "$EXPECTED"
	exact "R[6] == \"$LONG_FUNC\"" -- -F "$LONG_FUNC"
	exact 'R[6] == "allocq_test_alloc_loop"' -- -F allocq_test_alloc_loop
}

@test "--module selects the module's records, --builtin all the others" {
	load_module
	exact -- -m "$MODNAME"
	local src n_all n_builtin n_both
	for src in auto text; do
		run_allocq all --csv --source=$src
		run_allocq builtin --csv --source=$src -B
		run_allocq both --csv --source=$src -B -m "$MODNAME"
		records n_all "$T/all.out"
		records n_builtin "$T/builtin.out"
		records n_both "$T/both.out"
		((n_builtin > 100))
		((n_builtin + 7 == n_all && n_both == n_all)) ||
			fail_with "$src: $n_all records, $n_builtin built-in, $n_both built-in or $MODNAME"
		# built-in: no module in any row; both: the names of all
		! awk -F , 'NR > 1 && $5 != ""' "$T/builtin.out" | grep . || false
		keys "$T/all.out" >"$T/all.keys"
		keys "$T/both.out" | diff -u "$T/all.keys" - >&2
	done
}

@test "--accurate and --inaccurate on the module's records" {
	load_module
	exact 'R[7] == "true"' -- --accurate -m "$MODNAME"
	if [[ $(text_version) == 2.* ]]; then
		grep -q ' accurate:no ' "$EXPECTED"
		exact 'R[7] == "false"' -- --inaccurate -m "$MODNAME"
	else
		# the 1.0 text format has no flag: the module's seven are accurate
		! grep -q ' accurate:no ' "$EXPECTED" || false
		local n
		run_allocq q --csv --inaccurate -m "$MODNAME"
		records n "$T/q.out"
		((n == 0))
	fi
}

# table_csv FILE: allocq's table output (-b, all columns) as its CSV
table_csv() {
	awk -v OFS=, '
	NR == 1 {
		if ($0 !~ /^ *BYTES +CALLS +FILE +LINE +MODULE +FUNCTION +ACCURATE$/) {
			print "table: bad header: " $0 > "/dev/stderr"; exit 1
		}
		print "bytes,calls,file,line,module,function,accurate"
		next
	}
	NF != 7 || ($7 != "yes" && $7 != "no") { print "table: bad row: " $0 > "/dev/stderr"; exit 1 }
	{ if ($5 == "-") $5 = ""; $7 = $7 == "yes" ? "true" : "false"; print }' "$1"
}

# json_csv FILE: allocq's JSON output as its CSV
json_csv() {
	jq -r '"bytes,calls,file,line,module,function,accurate",
		(.allocations[] | [.bytes, .calls, .file, .line, (.module // ""), .function,
		.accurate] | map(tostring) | join(","))' "$1"
}

@test "table -b, CSV and JSON of one query hold the same records, in the same order" {
	load_module
	local base n
	# the built-in basename with the most records
	base=$(awk 'NR > 2 && $4 !~ /^\[/ { sub(/:[0-9]+$/, "", $3); sub(/.*\//, "", $3); n[$3]++ }
		END { for (b in n) if (n[b] > max) { max = n[b]; m = b }; print m }' /proc/allocinfo)
	[[ -n $base ]]
	# (the sinks do not know the source: the default one will do)
	# the module's records: everything, counters too
	run_allocq table -b -m "$MODNAME"
	run_allocq csv --csv -m "$MODNAME"
	run_allocq json --json -m "$MODNAME"
	json_csv "$T/json.out" >"$T/json.csv"
	table_csv "$T/table.out" >"$T/table.csv"
	same "$EXPECTED" "$T/json.csv"
	diff -u "$T/json.csv" "$T/csv.out" >&2
	diff -u "$T/json.csv" "$T/table.csv" >&2
	# built-in code in files of that basename, by file: the names (counters
	# move)
	run_allocq table -b -B -s file -f "$base"
	run_allocq csv --csv -B -s file -f "$base"
	run_allocq json --json -B -s file -f "$base"
	records n "$T/csv.out"
	((n > 1))
	json_csv "$T/json.out" | cut -d , -f 3- >"$T/json.csv"
	table_csv "$T/table.out" | cut -d , -f 3- >"$T/table.csv"
	cut -d , -f 3- "$T/csv.out" | diff -u "$T/json.csv" - >&2
	diff -u "$T/json.csv" "$T/table.csv" >&2
}
