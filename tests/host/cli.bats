#!/usr/bin/env bats
# Options, help, version and every usage error (exit status 64).

load helpers

V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo

@test "--help lists the options in the groups Filters, Source, Output" {
	run -0 --separate-stderr allocq --help
	expect_stderr ""
	[[ $output == "Usage: allocq [OPTION...]"* ]]
	local filters source out
	filters=$(grep -n '^ Filters' <<<"$output" | cut -d: -f1)
	source=$(grep -n '^ Source:' <<<"$output" | cut -d: -f1)
	out=$(grep -n '^ Output:' <<<"$output" | cut -d: -f1)
	((filters < source && source < out))
	for opt in --file=PATH --func=NAME --module=NAME --builtin --line=N \
		--min-size=SIZE --max-size=SIZE --accurate --inaccurate \
		--source=SOURCE --input=FILE --format=FORMAT --json --csv \
		--output=LIST --bytes --no-headings --sort=KEY --reverse --limit=N \
		--help --usage --version; do
		expect_contains "$opt"
	done
	# every filter option is listed between the Filters and Source headers
	sed -n "${filters},${source}p" <<<"$output" | grep -q -- '--min-size=SIZE'
	sed -n "${source},${out}p" <<<"$output" | grep -q -- '--input=FILE'
	sed -n "${out},\$p" <<<"$output" | grep -q -- '--limit=N'
}

@test "-? is --help" {
	run -0 allocq --help
	local help=$output
	run -0 allocq -?
	expect_output "$help"
}

@test "--usage prints the short usage" {
	run -0 --separate-stderr allocq --usage
	expect_stderr ""
	[[ $output == "Usage: allocq ["* ]]
	expect_contains "[--min-size=SIZE]"
	expect_contains "[--source=SOURCE]"
}

@test "--version and -V print the version" {
	run -0 --separate-stderr allocq --version
	expect_output "allocq ${ALLOCQ_VERSION:-0.1.0}"
	expect_stderr ""
	run -0 allocq -V
	expect_output "allocq ${ALLOCQ_VERSION:-0.1.0}"
}

@test "long options may be abbreviated" {
	run -0 allocq -i "$V2" --fil rapl.c -o function -n
	expect_output $'rapl_pmu_init\ninit_rapl_pmus\nrapl_probe'
}

@test "options take their value joined or separate" {
	run -0 allocq -i "$V2" -frapl.c --output=function --no-headings --sort func
	expect_output $'init_rapl_pmus\nrapl_pmu_init\nrapl_probe'
}

# usage_error MESSAGE ARGS...: allocq ARGS exits 64 with MESSAGE on stderr
usage_error() {
	local message=$1
	shift
	run -64 --separate-stderr allocq -i "$V2" "$@"
	expect_stderr "$message"
	expect_output ""
}

@test "unknown options are usage errors (argp)" {
	usage_error "allocq: unrecognized option '--bogus'
Try \`allocq --help' or \`allocq --usage' for more information." --bogus
	usage_error "allocq: invalid option -- 'x'
Try \`allocq --help' or \`allocq --usage' for more information." -x
	usage_error "allocq: option '--file' requires an argument
Try \`allocq --help' or \`allocq --usage' for more information." --file
}

@test "a positional argument is a usage error" {
	usage_error "allocq: unexpected argument 'rapl.c': allocq takes only options (see allocq --help)" rapl.c
}

@test "bad sizes are usage errors" {
	local fix="use a non-negative integer with an optional K, M, G or T suffix (powers of 1024)"
	for bad in 1X -1 1.5M 1MB 1kb 1Ki 1P "" " 1" "1 " K 0x10 +1; do
		usage_error "allocq: invalid size '$bad' for --min-size: $fix" --min-size "$bad"
	done
	usage_error "allocq: invalid size '1e' for --max-size: $fix" --max-size 1e
	# 2^64 and past: overflow
	usage_error "allocq: invalid size '18446744073709551616' for --min-size: $fix" \
		--min-size 18446744073709551616
	usage_error "allocq: invalid size '16777216T' for --max-size: $fix" --max-size 16777216T
	usage_error "allocq: invalid size '17179869184G' for --max-size: $fix" --max-size 17179869184G
}

@test "the largest sizes are accepted" {
	run -0 allocq -i "$V2" --max-size 18446744073709551615 -n -o bytes --limit 1
	expect_output "3T"
	run -0 allocq -i "$V2" --max-size 16777215T -n -o bytes --limit 1
	expect_output "3T"
}

@test "--min-size above --max-size is a usage error" {
	usage_error "allocq: --min-size (2048 bytes) is above --max-size (1024 bytes): give a minimum no larger than the maximum" \
		--min-size 2K --max-size 1K
	usage_error "allocq: --min-size (2048 bytes) is above --max-size (1024 bytes): give a minimum no larger than the maximum" \
		--max-size 1K --min-size 2K
}

@test "bad --sort, --format, --source values are usage errors" {
	usage_error "allocq: unknown sort key 'size': use bytes, calls, delta, sites, file, func, module or line" -s size
	usage_error "allocq: unknown sort key 'function': use bytes, calls, delta, sites, file, func, module or line" --sort=function
	usage_error "allocq: unknown format 'xml': use table, csv, json, allocinfo or prometheus" --format xml
	usage_error "allocq: unknown format 'JSON': use table, csv, json, allocinfo or prometheus" --format JSON
	usage_error "allocq: unknown source 'kernel': use auto, ioctl or text" --source kernel
}

@test "bad -o lists are usage errors" {
	local fix="list each column at most once, comma separated (see allocq(1))"
	usage_error "allocq: bad column 'size' in --output: $fix" -o bytes,size
	usage_error "allocq: bad column 'bytes' in --output: $fix" -o bytes,file,bytes
	usage_error "allocq: bad column '' in --output: $fix" -o ''
	usage_error "allocq: bad column '' in --output: $fix" -o bytes,
	usage_error "allocq: bad column 'func' in --output: $fix" --output func
}

@test "--accurate with --inaccurate is a usage error" {
	usage_error "allocq: --accurate and --inaccurate exclude each other: give one of them" \
		--accurate --inaccurate
	usage_error "allocq: --accurate and --inaccurate exclude each other: give one of them" \
		--inaccurate --accurate
}

@test "--input with --source ioctl is a usage error" {
	usage_error "allocq: --input reads a saved file, not the kernel's ioctl: drop --source=ioctl or --input" \
		--source ioctl
	usage_error "allocq: --input reads a saved file, not the kernel's ioctl: drop --source=ioctl or --input" \
		--source=ioctl --input "$V2"
}

@test "bad --line and --limit numbers are usage errors" {
	for bad in 1x -1 "" 1.0 18446744073709551616; do
		usage_error "allocq: invalid number '$bad' for --line: use a non-negative integer" --line "$bad"
		usage_error "allocq: invalid number '$bad' for --limit: use a non-negative integer" --limit "$bad"
	done
}

@test "empty names are usage errors" {
	usage_error "allocq: empty name for --file: give a name" -f ''
	usage_error "allocq: empty name for --func: give a name" --func=
	usage_error "allocq: empty name for --module: give a name, or --builtin for built-in code" -m ''
}

@test "usage errors win over source errors" {
	# the options are checked before any file is opened
	run -64 --separate-stderr allocq -i /nonexistent --sort size
	expect_stderr "allocq: unknown sort key 'size': use bytes, calls, delta, sites, file, func, module or line"
}
