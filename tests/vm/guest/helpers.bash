# Shared by the guest suites (tests/vm/guest, tests/vm/never): load helpers
# shellcheck disable=SC2034 # (the constants below are for the suites)
#
# They run as root inside a kernel booted by kernel/vm (tests/vm/run), with
# the environment it sets: ALLOCQ (the binary), ALLOCQ_TEST_MODULE (the
# allocq_test.ko built for this kernel), ALLOCQ_KERNEL (7.2, 7.3, 6.12,
# 7.2-stock), ALLOCQ_TESTMOD_SRC (kernel/testmod: its "expected" script).
#
# Records (bytes calls file line module function accurate) are read from
# /proc/allocinfo and from allocq's CSV by the awk of REC_AWK, a parser of
# its own (not allocq's), and compared with awk too: every process costs
# in the guest, awk over a file costs less than a pipeline of tools.

bats_require_minimum_version 1.5.0

: "${ALLOCQ:?set ALLOCQ to the allocq binary (tests/vm/run does)}"
: "${ALLOCQ_KERNEL:?set ALLOCQ_KERNEL to the kernel this guest claims to be}"
: "${ALLOCQ_TEST_MODULE:?set ALLOCQ_TEST_MODULE to allocq_test.ko for this kernel}"
: "${ALLOCQ_TESTMOD_SRC:?set ALLOCQ_TESTMOD_SRC to kernel/testmod}"

MODNAME=allocq_test
LONG_PATH=allocq_test_subdirectory_with_a_deliberately_long_name/allocq_test_long_path.c
LONG_FUNC=allocq_test_function_whose_name_is_longer_than_sixty_three_characters
MSG_NOPERM="allocq: permission denied opening /proc/allocinfo (it is readable by root only): run allocq as root"
MSG_NOIOCTL="allocq: this kernel has no /proc/allocinfo ioctl interface (it needs Linux 7.3+, or 7.2 with allocq's patches): use --source=text"
MSG_NOINPUT="allocq: no /proc/allocinfo (memory allocation profiling not built in, or disabled at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without sysctl.vm.mem_profiling=never"
MSG_NEVER="allocq: memory allocation profiling was disabled at boot (vm.mem_profiling is 0 and read-only): boot without sysctl.vm.mem_profiling=never"
MSG_FROZEN="allocq: warning: memory allocation profiling is switched off (vm.mem_profiling=0): counters are frozen; enable it with sysctl vm.mem_profiling=1"

# The kernels that must have the ioctl: the patched 7.2 and stock 7.3.
# Anything else (6.12, 7.2-stock) must not.
kernel_has_ioctl() {
	case $ALLOCQ_KERNEL in
	7.2 | 7.3) return 0 ;;
	*) return 1 ;;
	esac
}

# The source --source=auto must pick on this kernel.
auto_source() {
	if kernel_has_ioctl; then echo ioctl; else echo text; fi
}

setup() {
	export LC_ALL=C
	export ALLOCQ_CACHE_DIR=$BATS_TEST_TMPDIR/cache
	T=$BATS_TEST_TMPDIR
}

# diag TEXT...: a line on the TAP stream (a "# " comment), even when passing
diag() {
	printf '# %s\n' "$*" >&3
}

# fail_with TEXT...: print the reason (shown by bats) and fail
fail_with() {
	printf '%s\n' "$@" >&2
	return 1
}

module_loaded() {
	grep -q "^$MODNAME " /proc/modules
}

load_module() {
	module_loaded || insmod "$ALLOCQ_TEST_MODULE"
}

unload_module() {
	! module_loaded || rmmod "$MODNAME"
}

# profiling_on: counters are updated (the module's counts are exact only
# when it loads with profiling on)
profiling_on() {
	[[ $(</proc/sys/vm/mem_profiling) == 1 ]] ||
		sysctl -q vm.mem_profiling=1
}

# The text format version of /proc/allocinfo: 1.0 or 2.0
text_version() {
	sed -n '1s/^allocinfo - version: //p' /proc/allocinfo
}

# REC_AWK: the awk function rec(), which parses the current line into
# R[1..7] (bytes calls file line module function accurate) from any format
# it can be in: the text of /proc/allocinfo (with or without its two
# header lines), allocq's CSV (all columns; kernel names need no quoting,
# so a quote is an error here), or TSV as tsv prints it (the quickest to
# read again: awk is slow in the guest). It returns 0 for a header line.
# Errors go to stderr and set bad.
REC_AWK='
function rec(   f, n, c, i, k) {
	if (FNR == 1) {
		fmt = "text"
		if ($0 == "bytes,calls,file,line,module,function,accurate") { fmt = "csv"; return 0 }
		if ($0 ~ /^allocinfo - version: /) return 0
		if (index($0, "\t")) fmt = "tsv"
	}
	if (fmt == "tsv") {
		if (split($0, R, "\t") != 7) return oops("bad TSV row")
		return 1
	}
	if (fmt == "csv") {
		n = split($0, f, ",")
		if (n != 7 || index($0, "\"")) return oops("bad CSV row")
		for (i = 1; i <= 7; i++) R[i] = f[i]
		if (R[7] != "true" && R[7] != "false") return oops("bad accurate value")
		return 1
	}
	if ($0 ~ /^#/) return 0
	n = split($0, f, " ")
	c = match(f[3], /:[0-9]+$/)
	if (n < 4 || !c) return oops("no FILE:LINE")
	R[1] = f[1]; R[2] = f[2]
	R[3] = substr(f[3], 1, c - 1); R[4] = substr(f[3], c + 1)
	R[5] = ""; i = 4
	if (f[4] ~ /^\[.*\]$/) { R[5] = substr(f[4], 2, length(f[4]) - 2); i = 5 }
	if (f[i] !~ /^func:/) return oops("no func:NAME")
	R[6] = substr(f[i], 6); R[7] = "true"
	for (k = i + 1; k <= n; k++)
		if (f[k] == "accurate:no") R[7] = "false"
	return 1
}
function oops(why) {
	printf "%s:%d: %s: %s\n", FILENAME, FNR, why, $0 > "/dev/stderr"
	bad = 1
	return 0
}'

# tsv FILE...: the records of saved /proc/allocinfo text or allocq CSV, as TSV
tsv() {
	awk -v OFS='\t' "$REC_AWK"'
	rec() { print R[1], R[2], R[3], R[4], R[5], R[6], R[7] }
	END { exit bad }' "$@"
}

# expected: $EXPECTED, the file (made once per run) of the module's records
# as kernel/testmod/expected prints them for this kernel's text format
# (1.0 has no accuracy flag: there every counter is accurate)
expected() {
	EXPECTED=$BATS_RUN_TMPDIR/allocq_test.expected
	[[ -s $EXPECTED ]] && return
	"$ALLOCQ_TESTMOD_SRC/expected" "$ALLOCQ_TESTMOD_SRC" "$(text_version)" >"$EXPECTED.new" &&
		mv "$EXPECTED.new" "$EXPECTED"
}

# expected_line FUNCTION: the line of the module's tag in FUNCTION
expected_line() {
	expected && awk -v f="func:$1" '$0 ~ " " f " " { sub(/.*:/, "", $3); print $3 }' "$EXPECTED"
}

# records VAR FILE: VAR = the number of records of allocq's CSV (or table)
# output FILE, its lines but the header (without a process: they are slow
# in the guest)
records() {
	local -a _lines
	mapfile -t _lines <"$2"
	printf -v "$1" %d $((${#_lines[@]} - 1))
}

# same WANT GOT [WANT-CONDITION [GOT-CONDITION]]: the records of WANT for
# which the awk condition WANT-CONDITION on R[] holds (default: all) and
# those of GOT for which GOT-CONDITION holds (default: all) are the same,
# counters included, as many times each; else prints the difference and
# fails. WANT and GOT are /proc/allocinfo text or allocq CSV; WANT must
# hold some.
same() {
	awk -v OFS='\t' "$REC_AWK"'
	FNR == 1 { file++ }
	!rec() { next }
	file == 1 && !('"${3:-1}"') { next }
	file == 2 && !('"${4:-1}"') { next }
	{ k = R[1] "\t" R[2] "\t" R[3] "\t" R[4] "\t" R[5] "\t" R[6] "\t" R[7]; K[k] = 1; c[file, k]++; n[file]++ }
	END {
		if (bad) exit 2
		if (!n[1]) { print "  the expected set is empty: the case proves nothing"; exit 1 }
		for (k in K)
			if (c[1, k] != c[2, k]) {
				printf "  %s: %d expected, %d got\n", k, c[1, k], c[2, k]; failed = 1
			}
		exit failed
	}' "$1" "$2" >"$T/same" && return
	fail_with "$2: not the expected records (bytes calls file line module function accurate):" \
		"$(<"$T/same")"
}

# to_bytes VAR SIZE: VAR = the size argument SIZE (K/M/G/T, KiB..., k...)
# in bytes
to_bytes() {
	local n=${2%%[!0-9]*} s=${2##*[0-9]} shift
	case $s in
	'') shift=0 ;;
	K | k | KiB) shift=10 ;;
	M | m | MiB) shift=20 ;;
	G | g | GiB) shift=30 ;;
	T | t | TiB) shift=40 ;;
	*) return 1 ;;
	esac
	printf -v "$1" %d $((n << shift))
}

# FILTER_AWK: the awk function pass(), true when R[] passes the filter the
# way allocq's contract says: AND across flags, OR within one; --file with
# a '/' is the whole path, else the basename; sizes are compared as
# unsigned 64-bit numbers, so a negative counter is a huge one. The filter
# comes in awk variables set by filter_vars. sized() is pass() without the
# size bounds; near() tells whether R[]'s bytes are within a factor of 2 of
# a bound (or, for a bound of 0, up to 8 KiB), or R[] is a site of the 9p
# file reads the guest does all the time.
FILTER_AWK='
function set(s, a,    n, i, v, c) {
	n = split(s, v, "\n")
	for (i = 1; i <= n; i++) if (v[i] != "") { a[v[i]] = 1; c++ }
	return c + 0
}
BEGIN { nf = set(files, F); nfn = set(funcs, FN); nm = set(mods, M); nl = set(lines, L) }
function sized(   base, ok, v) {
	if (nf) {
		base = R[3]; sub(/.*\//, "", base); ok = 0
		for (v in F)
			if ((index(v, "/") && R[3] == v) || (!index(v, "/") && base == v)) ok = 1
		if (!ok) return 0
	}
	if (nfn && !(R[6] in FN)) return 0
	if ((nm || builtin) && !((R[5] == "" && builtin) || (R[5] != "" && (R[5] in M)))) return 0
	if (nl && !((R[4] "") in L)) return 0
	if (acc != "" && R[7] != acc) return 0
	return 1
}
function pass(   neg) {
	if (!sized()) return 0
	neg = substr(R[1], 1, 1) == "-"
	if (min != "" && !neg && R[1] + 0 < min + 0) return 0
	if (max != "" && (neg || R[1] + 0 > max + 0)) return 0
	return 1
}
function near1(b, bound) {
	if (bound == "") return 0
	if (bound + 0 == 0) return b <= 8192
	return b >= bound / 2 && b <= bound * 2
}
function near(   b) {
	if (substr(R[1], 1, 1) == "-") return 0
	if (io()) return 1
	b = R[1] + 0
	return near1(b, min) || near1(b, max)
}
# The guest reads its root over 9p: every file read (the start of allocq
# among them) holds netfs requests and 9p buffers while it lasts, so these
# sites move with the reading whatever they hold before and after.
function io() {
	return R[3] ~ /^(fs\/netfs|fs\/9p|net\/9p)\//
}
# the comparison key of R[]: names, line and flag, and the counters only of
# the test module (the only ones that cannot move between two reads)
function key() {
	if (R[5] == mod)
		return R[3] "\t" R[4] "\t" R[5] "\t" R[6] "\t" R[7] "\t" R[1] "\t" R[2]
	return R[3] "\t" R[4] "\t" R[5] "\t" R[6] "\t" R[7]
}'

# filter_vars ARGS...: the awk -v options (in FILTER_VARS) of the filter
# flags ARGS; min and max keep their loosest value
filter_vars() {
	local files='' funcs='' mods='' lines='' builtin=0 min='' max='' acc='' b
	while (($#)); do
		if [[ $1 == --*=* ]]; then
			set -- "${1%%=*}" "${1#*=}" "${@:2}"
		fi
		case $1 in
		-f | --file) files+=$2$'\n'; shift ;;
		-F | --func) funcs+=$2$'\n'; shift ;;
		-m | --module) mods+=$2$'\n'; shift ;;
		-B | --builtin) builtin=1 ;;
		--line) lines+=$2$'\n'; shift ;;
		--min-size)
			to_bytes b "$2" || return
			[[ -z $min ]] || ((b < min)) && min=$b
			shift
			;;
		--max-size)
			to_bytes b "$2" || return
			[[ -z $max ]] || ((b > max)) && max=$b
			shift
			;;
		--accurate) acc=true ;;
		--inaccurate) acc=false ;;
		*) echo "filter_vars: unknown filter $1" >&2; return 1 ;;
		esac
		shift
	done
	FILTER_VARS=(-v "files=$files" -v "funcs=$funcs" -v "mods=$mods" -v "lines=$lines"
		-v "builtin=$builtin" -v "min=$min" -v "max=$max" -v "acc=$acc" -v "mod=$MODNAME")
}

# keys FILE...: the comparison keys (see key) of the records of saved
# /proc/allocinfo text or allocq CSV, sorted
keys() {
	awk -v mod="$MODNAME" "$REC_AWK$FILTER_AWK"'
	rec() { print key() }
	END { exit bad }' "$@" | LC_ALL=C sort
}

# base_snapshot: /proc/allocinfo read once for the whole file, as
# $BATS_FILE_TMPDIR/base.txt and .tsv; its names, and the test module's
# counters, do not change while no module is loaded or unloaded
base_snapshot() {
	[[ -s $BATS_FILE_TMPDIR/base.tsv ]] && return
	cat /proc/allocinfo >"$BATS_FILE_TMPDIR/base.txt" &&
		tsv "$BATS_FILE_TMPDIR/base.txt" >"$BATS_FILE_TMPDIR/base.tsv"
}

# compare EMPTY MOVING BEFORE AFTER GOT ARGS...: GOT (allocq's CSV output
# for the filter ARGS) holds the records of the reference BEFORE and AFTER
# (/proc/allocinfo as TSV, or allocq CSV, read just before and just after
# GOT; the same file where nothing moves) that pass the filter, and no
# other. Each key, with
# its multiplicity (inlined helpers repeat file:line func), appears in GOT
# between its counts in BEFORE and in AFTER. MOVING=1: counters move and
# the filter has sizes; a key with a record whose bytes are near a bound
# (see near) in BEFORE or AFTER may be in GOT or not. EMPTY=1: the expected
# set must be empty, else it must not be (a case must be able to fail).
compare() {
	local empty=$1 moving=$2 before=$3 after=$4 got=$5
	shift 5
	filter_vars "$@" || return
	local files=("$before" "$after" "$got")
	# the same reference twice: read it once
	[[ $before == "$after" ]] && files=("$before" "$got")
	awk "${FILTER_VARS[@]}" -v empty="$empty" -v moving="$moving" -v nfiles=${#files[@]} \
		"$REC_AWK$FILTER_AWK"'
	FNR == 1 { file++; if (nfiles == 2 && file == 2) file = 3 }
	!rec() { next }
	file < 3 && moving && sized() && near() { skip[key()] = 1 }
	# the filter picks the expected records; allocq answers for itself
	file < 3 && !pass() { next }
	{ k = key(); K[k] = 1; n[file]++; c[file, k]++; if (nfiles == 2 && file == 1) { n[2]++; c[2, k]++ } }
	END {
		if (bad) exit 2
		if (empty && (n[1] || n[2])) {
			printf "  %d/%d records match, expected none\n", n[1], n[2]; exit 1
		}
		if (!empty && !n[1] && !n[2]) {
			print "  no record matches: the case proves nothing"; exit 1
		}
		for (k in K) {
			lo = c[1, k] + 0; hi = c[2, k] + 0; g = c[3, k] + 0
			if (lo > hi) { t = lo; lo = hi; hi = t }
			if ((g < lo || g > hi) && !(k in skip)) {
				printf "  %s: allocq %d, expected %d before and %d after\n", \
					k, g, c[1, k], c[2, k]
				failed = 1
			}
		}
		exit failed
	}' "${files[@]}"
}

# only_unknown_names FILE: FILE holds nothing but the notes for names no
# call site has (the host suites check their words; here the records count)
only_unknown_names() {
	! grep -qv "^allocq: warning: no call site has a [a-z]* \(named\|matching\) '" "$1"
}

# run_allocq NAME ARGS...: allocq ARGS, stdout in $T/NAME.out, stderr in
# $T/NAME.err; fails unless it exits 0 with nothing on stderr but notes of
# names that no call site has
run_allocq() {
	local name=$1 rc=0
	shift
	"$ALLOCQ" "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	((rc == 0)) && only_unknown_names "$T/$name.err" && return
	fail_with "allocq $* exited $rc, stderr:" "$(<"$T/$name.err")"
}

# sources: the sources a case runs allocq with: the default one and
# --source=text, or only the default where that is the text file already
sources() {
	SOURCES=(default)
	[[ $(auto_source) == text ]] || SOURCES+=(text)
}

# source_opt SOURCE: the option that selects SOURCE (none for the default)
source_opt() {
	[[ $1 == default ]] || echo "--source=$1"
}

# check_filter [--empty] ARGS...: allocq --csv ARGS, from the default
# source and from --source=text (see sources), gives the records the same
# filter gives with awk over /proc/allocinfo (base_snapshot). The expected
# set must not be empty (--empty: must be). (sources.bats checks which
# source the default is.)
#
# Size filters over built-in code look at counters that move, some of them
# because of the reading itself (reading /proc/allocinfo as text allocates
# the seq_file buffer, the ioctl does not, writing the output allocates
# page cache): their records are compared with the unfiltered records of
# the same source read just before and just after, whose names the other
# cases compare with /proc/allocinfo, and a record near a bound may be in
# or out (see compare). The other cases run the sources side by side (the
# guest has two CPUs).
check_filter() {
	local empty=0 moving=0 static=0 a
	[[ $1 == --empty ]] && { empty=1; shift; }
	for a in "$@"; do
		case $a in
		--min-size* | --max-size*) moving=1 ;;
		-m | --module*) ((static == 0)) && static=1 ;;
		-B | --builtin) static=2 ;;
		esac
	done
	# --module alone selects only the test module, whose counters hold still
	((static == 1)) && moving=0
	((moving)) || base_snapshot || return

	local src opt pids=() pid rc=0 before after
	sources
	if ((moving)); then
		# one after the other: a reader moves the counters of another
		for src in "${SOURCES[@]}"; do
			opt=$(source_opt "$src")
			# shellcheck disable=SC2086
			run_allocq "$src-before" --csv $opt || return
			# shellcheck disable=SC2086
			run_allocq "$src" --csv $opt "$@" || return
			# shellcheck disable=SC2086
			run_allocq "$src-after" --csv $opt || return
		done
	else
		for src in "${SOURCES[@]}"; do
			# shellcheck disable=SC2046
			run_allocq "$src" --csv $(source_opt "$src") "$@" &
			pids+=($!)
		done
		for pid in "${pids[@]}"; do
			wait "$pid" || rc=1
		done
		((rc == 0)) || return
	fi
	pids=()
	for src in "${SOURCES[@]}"; do
		before=$BATS_FILE_TMPDIR/base.tsv after=$before
		((moving)) && before=$T/$src-before.out after=$T/$src-after.out
		{
			compare "$empty" "$moving" "$before" "$after" "$T/$src.out" "$@" >"$T/$src.compare" ||
				fail_with "allocq --csv $* (${src} source) differs from the expected records:" \
					"$(<"$T/$src.compare")"
		} &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || rc=1
	done
	return $rc
}
