#!/usr/bin/env bats
# Hostile input and a hostile cache: snapshots come from bug reports, and
# the name cache lives in a directory other users may touch. Each case
# reproduces a defect a security review found (see the test names).

load helpers

V2=$BATS_TEST_DIRNAME/fixtures/v2.allocinfo
CACHE_FILE=names-6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d-1
SLUB="384 mm/slub.c"	# what -f slub.c must find (calls, file) in the v2 fixture

# hostile_fixture FILE LINE...: an allocinfo 2.0 file with these lines
hostile_fixture() {
	local file=$1
	shift
	{
		echo "allocinfo - version: 2.0"
		echo "#     <size>  <calls> <tag info>"
		printf '%s\n' "$@"
	} >"$file"
}

# no_control_bytes: $output has no byte below 0x20 but newline, no DEL, and
# no C1 control (0x80-0x9f) outside a UTF-8 sequence
no_control_bytes() {
	if LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]' <<<"$output"; then
		printf 'control bytes in:\n%s\n' "$output" | od -c | head -20 >&2
		return 1
	fi
	# iconv accepts only valid UTF-8: a lone 0x9b is not
	iconv -f UTF-8 -t UTF-8 <<<"$output" >/dev/null
}

# Rows found by -f slub.c through the ioctl test double, as "calls file"
slub_rows() {
	allocq_ioctl -f slub.c --csv -n -o calls,file | tr ',' ' '
}

@test "1. a cache line that starts with a NUL byte, a zero-filled cache: read afresh" {
	make_proc "$V2"
	mkdir -m 700 "$ALLOCQ_CACHE_DIR"
	for content in zeros nul-line; do
		if [[ $content == zeros ]]; then
			head -c 4096 /dev/zero >"$ALLOCQ_CACHE_DIR/$CACHE_FILE"
		else
			printf 'allocq-names 2\nboot 6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d\ncontent 1\n\0file x\nend\n' \
				>"$ALLOCQ_CACHE_DIR/$CACHE_FILE"
		fi
		chmod 600 "$ALLOCQ_CACHE_DIR/$CACHE_FILE"
		run -0 --separate-stderr slub_rows
		expect_stderr ""
		expect_output "$SLUB"
		[[ $(tail -n1 "$ALLOCQ_CACHE_DIR/$CACHE_FILE") == end ]]	# rewritten whole
	done
}

@test "2. a cache planted in a directory of another user, or one others can write, is not used" {
	((EUID == 0)) || skip "needs root to give the directory to another user"
	make_proc "$V2"
	# the planted cache leaves mm/slub.c out and gives a cut name a terminal escape
	mkdir -m 700 "$ALLOCQ_CACHE_DIR"
	printf 'allocq-names 2\nboot 6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d\ncontent 1\nfile arch/x86/events/rapl.c\nend\n' \
		>"$ALLOCQ_CACHE_DIR/$CACHE_FILE"
	chmod 600 "$ALLOCQ_CACHE_DIR/$CACHE_FILE"
	chown -R nobody "$ALLOCQ_CACHE_DIR"
	run -0 --separate-stderr slub_rows
	expect_output "$SLUB"
	expect_stderr "allocq: warning: not using the name cache $ALLOCQ_CACHE_DIR: it is not owned by this user, or others can write to it: remove it, or set ALLOCQ_CACHE_DIR"
	# ours, but writable by others
	chown -R root "$ALLOCQ_CACHE_DIR"
	chmod 777 "$ALLOCQ_CACHE_DIR"
	run -0 --separate-stderr slub_rows
	expect_output "$SLUB"
	expect_stderr "allocq: warning: not using the name cache $ALLOCQ_CACHE_DIR: it is not owned by this user, or others can write to it: remove it, or set ALLOCQ_CACHE_DIR"
	[[ $(grep -c . "$ALLOCQ_CACHE_DIR/$CACHE_FILE") == 5 ]]	# not rewritten either
}

@test "2. a cache file of another user, or readable by others, is not used" {
	((EUID == 0)) || skip "needs root to give the file to another user"
	make_proc "$V2"
	mkdir -m 700 "$ALLOCQ_CACHE_DIR"
	for how in owner mode; do
		printf 'allocq-names 2\nboot 6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d\ncontent 1\nfile arch/x86/events/rapl.c\nend\n' \
			>"$ALLOCQ_CACHE_DIR/$CACHE_FILE"
		if [[ $how == owner ]]; then
			chmod 600 "$ALLOCQ_CACHE_DIR/$CACHE_FILE"
			chown nobody "$ALLOCQ_CACHE_DIR/$CACHE_FILE"
		else
			chmod 644 "$ALLOCQ_CACHE_DIR/$CACHE_FILE"
		fi
		run -0 --separate-stderr slub_rows
		expect_stderr ""
		expect_output "$SLUB"
		# replaced by a cache of our own
		[[ $(stat -c '%U %a' "$ALLOCQ_CACHE_DIR/$CACHE_FILE") == "root 600" ]]
		grep -qx 'file mm/slub.c' "$ALLOCQ_CACHE_DIR/$CACHE_FILE"
	done
}

@test "2. names in a cache that no kernel prints make it invalid: escapes are never shown" {
	make_proc "$BATS_TEST_DIRNAME/fixtures/long.allocinfo"
	mkdir -m 700 "$ALLOCQ_CACHE_DIR"
	# a cache of our own whose long name carries a terminal escape
	printf 'allocq-names 2\nboot 6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d\ncontent 1\nfunc \e]0;owned\a%s\nend\n' \
		allocq_test_function_with_a_deliberately_long_name_beyond_the_limit_of_63 \
		>"$ALLOCQ_CACHE_DIR/$CACHE_FILE"
	chmod 600 "$ALLOCQ_CACHE_DIR/$CACHE_FILE"
	run -0 allocq_ioctl -m allocq_test --csv -n -o function
	no_control_bytes
	expect_output $'allocq_test_function_with_a_deliberately_long_name_beyond_the_limit_of_63\nallocq_test_short\nallocq_test_init'
}

@test "2. the cache is synced before it is renamed into place" {
	command -v strace >/dev/null || fail_with "strace is missing: install the Debian package strace"
	make_proc "$V2"
	# LeakSanitizer cannot run under strace; the rest of the sanitizers can
	run -0 strace -f -e trace=fsync,rename,renameat,renameat2 -o "$BATS_TEST_TMPDIR/trace" \
		env ${ALLOCQ_SANITIZE:+ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0} \
		LD_PRELOAD="$FAKEIOCTL_LIB" FAKEIOCTL_DATA="$ALLOCQ_PROC/allocinfo" "$ALLOCQ" -f slub.c
	run -0 grep -E 'fsync|rename' "$BATS_TEST_TMPDIR/trace"
	[[ ${lines[0]} == *fsync* && ${lines[1]} == *rename* ]] || fail_with "$output"
}

@test "2. a signal while the cache is written leaves no temporary file; old ones are swept" {
	command -v strace >/dev/null || fail_with "strace is missing: install the Debian package strace"
	make_proc "$V2"
	# SIGINT at the cache's fsync: as in a Ctrl-C at the wrong moment
	run -130 bash -c 'ulimit -c 0; exec "$@"' _ \
		strace -o /dev/null -e trace=fsync -e inject=fsync:signal=INT:when=1 \
		env --default-signal ${ALLOCQ_SANITIZE:+ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0} \
		LD_PRELOAD="$FAKEIOCTL_LIB" FAKEIOCTL_DATA="$ALLOCQ_PROC/allocinfo" "$ALLOCQ" -f slub.c
	run -0 ls -A "$ALLOCQ_CACHE_DIR"
	expect_output ""
	# one killed for good (SIGKILL) long ago, one being written now, and
	# names that are not the writer's temporaries
	cd "$ALLOCQ_CACHE_DIR"
	touch -d '-2 minutes' .names-0123456789abcdef .names-notours .names-0123456789abcdef0
	touch .names-fedcba9876543210
	cd - >/dev/null
	run -0 --separate-stderr slub_rows
	expect_output "$SLUB"
	run -0 ls -A "$ALLOCQ_CACHE_DIR"
	expect_output $'.names-0123456789abcdef0\n.names-fedcba9876543210\n.names-notours\n'"$CACHE_FILE"
}

@test "3. a symlinked cache directory is not followed, and nothing is deleted there" {
	make_proc "$V2"
	mkdir -m 700 "$BATS_TEST_TMPDIR/victim"
	touch "$BATS_TEST_TMPDIR/victim/names-precious" "$BATS_TEST_TMPDIR/victim/other"
	ln -s "$BATS_TEST_TMPDIR/victim" "$ALLOCQ_CACHE_DIR"
	run -0 --separate-stderr slub_rows
	expect_output "$SLUB"
	expect_stderr "allocq: warning: not using the name cache $ALLOCQ_CACHE_DIR: it is a symbolic link, or under one: remove it, or set ALLOCQ_CACHE_DIR"
	run -0 ls "$BATS_TEST_TMPDIR/victim"
	expect_output $'names-precious\nother'
	# $HOME/.cache/allocq as a link, as root with another user's HOME
	unset ALLOCQ_CACHE_DIR
	mkdir -p "$BATS_TEST_TMPDIR/home/.cache"
	ln -s "$BATS_TEST_TMPDIR/victim" "$BATS_TEST_TMPDIR/home/.cache/allocq"
	HOME=$BATS_TEST_TMPDIR/home XDG_CACHE_HOME= run -0 --separate-stderr slub_rows
	expect_output "$SLUB"
	run -0 ls "$BATS_TEST_TMPDIR/victim"
	expect_output $'names-precious\nother'
	# a link higher up: ~/.cache pointing elsewhere is not followed either
	rm "$BATS_TEST_TMPDIR/home/.cache/allocq"
	rmdir "$BATS_TEST_TMPDIR/home/.cache"
	ln -s "$BATS_TEST_TMPDIR/victim" "$BATS_TEST_TMPDIR/home/.cache"
	HOME=$BATS_TEST_TMPDIR/home XDG_CACHE_HOME= run -0 --separate-stderr slub_rows
	expect_output "$SLUB"
	expect_stderr "allocq: warning: not using the name cache $BATS_TEST_TMPDIR/home/.cache/allocq: it is a symbolic link, or under one: remove it, or set ALLOCQ_CACHE_DIR"
	run -0 ls "$BATS_TEST_TMPDIR/victim"
	expect_output $'names-precious\nother'
}

@test "3. in a shared cache directory, only this user's stale cache files are deleted" {
	make_proc "$V2"
	local stale=names-0dd0b007-1111-2222-3333-444455556666-3 other=names-$BOOT_ID-9 keep
	mkdir -m 700 "$ALLOCQ_CACHE_DIR" "$BATS_TEST_TMPDIR/elsewhere"
	touch "$BATS_TEST_TMPDIR/elsewhere/target"
	# other programs' files, and cache names that are no regular file
	keep=(names-of-my-servers.txt names-link "names-$BOOT_ID-7" names-$BOOT_ID-8.bak
		names-dead-beef names-)
	cd "$ALLOCQ_CACHE_DIR"
	touch names-of-my-servers.txt "names-$BOOT_ID-8.bak" names-dead-beef names-
	ln -s "$BATS_TEST_TMPDIR/elsewhere/target" names-link
	ln -s "$BATS_TEST_TMPDIR/elsewhere/target" "names-$BOOT_ID-7"
	touch "$stale"	# another boot's: of no more use
	if ((EUID == 0)); then
		touch "$other"	# another user's, with this user's name pattern
		chown nobody "$other"
		keep+=("$other")
	fi
	cd - >/dev/null
	run -0 --separate-stderr slub_rows
	expect_stderr ""
	expect_output "$SLUB"
	run -0 ls -A "$ALLOCQ_CACHE_DIR"
	expect_output "$(printf '%s\n' "${keep[@]}" "$CACHE_FILE" | LC_ALL=C sort)"
	[[ -f $BATS_TEST_TMPDIR/elsewhere/target ]]
}

@test "3. a directory on the cache's way that another user can change: not used" {
	((EUID == 0)) || skip "needs root to give the directory to another user"
	make_proc "$V2"
	mkdir -m 755 "$BATS_TEST_TMPDIR/theirs"
	chown nobody "$BATS_TEST_TMPDIR/theirs"
	ALLOCQ_CACHE_DIR=$BATS_TEST_TMPDIR/theirs/cache run -0 --separate-stderr slub_rows
	expect_output "$SLUB"
	expect_stderr "allocq: warning: not using the name cache $BATS_TEST_TMPDIR/theirs/cache: a directory on its way is another user's, or others can write to it: remove it, or set ALLOCQ_CACHE_DIR"
	[[ ! -e $BATS_TEST_TMPDIR/theirs/cache ]]
}

@test "4. out of memory while reading is an error, never a cut snapshot" {
	[[ -z ${ALLOCQ_WRAPPER:-} ]] || skip "the allocator of $ALLOCQ_WRAPPER replaces the failing one"
	[[ -z ${ALLOCQ_SANITIZE:-} ]] || skip "the allocator of the $ALLOCQ_SANITIZE sanitizer replaces the failing one"
	# a line long enough that reading it whole needs 128 KiB: an
	# allocation that fails here; the parser must not take it for the end
	hostile_fixture "$BATS_TEST_TMPDIR/long" "  1 1 a.c:1 func:one " "  2 1 b.c:2 func:two " \
		"  3 1 c.c:3 func:$(head -c 100000 /dev/zero | tr '\0' x) " "  4 1 d.c:4 func:four "
	FAILALLOC_MIN=131072 LD_PRELOAD=$FAILALLOC_LIB run -65 --separate-stderr \
		"$ALLOCQ" -i "$BATS_TEST_TMPDIR/long" --csv -n
	expect_output ""
	expect_stderr "allocq: $BATS_TEST_TMPDIR/long:5: malformed line (longer than 65536 bytes): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
	# storing records fails: a run-time error, no partial output
	seq 1 5000 | awk '{ printf "%12d %8d f%d.c:%d func:f%d \n", $1, 1, $1, $1, $1 }' |
		cat <(echo "allocinfo - version: 2.0") - >"$BATS_TEST_TMPDIR/many"
	FAILALLOC_MIN=131072 LD_PRELOAD=$FAILALLOC_LIB run -1 --separate-stderr \
		"$ALLOCQ" -i "$BATS_TEST_TMPDIR/many" --csv -n
	expect_output ""
	expect_stderr "allocq: out of memory: free some memory or narrow the query"
}

# cut_short SIZE WHEN: allocq reads a 3 MiB snapshot (3 read windows) that
# the test double cuts to SIZE bytes WHEN (see cutfile.c); it must fail as
# for a read error, with no output, whatever SIZE is
cut_short() {
	local file=$BATS_TEST_TMPDIR/big
	# a 64-byte header, then 64-byte lines: a window ends at the end of a line
	{
		printf '%s\n' "allocinfo - version: 2.0" "#     <size>  <calls> <tag info>      "
		yes "        4096        1 mm/a.c:1 func:abcdefghijklmnopqrstuvwxyz " | head -n 49151
	} >"$file"
	CUTFILE_PATH=$file CUTFILE_SIZE=$1 CUTFILE_WHEN=$2 LD_PRELOAD=$CUTFILE_LIB \
		run -1 --separate-stderr allocq -i "$file" -n --csv -o bytes
	expect_output ""
	expect_stderr "allocq: cannot read $file: the file was cut short while allocq read it: check the file"
}

@test "4. a snapshot cut short between two read windows: an error, never its end" {
	# at the end of a window, in the middle of a line, in the last page
	# of the first 64 KiB the parser takes from the next window
	cut_short $((1 << 20)) unmapped
	cut_short $(((1 << 20) + 10)) unmapped
	cut_short $(((1 << 20) + (60 << 10) + 10)) unmapped
	cut_short 0 unmapped
}

@test "4. a snapshot cut short while it is read: an error, never SIGBUS" {
	cut_short 0 mapped
	cut_short 10 mapped
	cut_short $((1 << 19)) mapped
}

@test "5. a line is bounded: /dev/zero and endless lines are malformed input, at once" {
	run -65 --separate-stderr timeout 10 "$ALLOCQ" -i /dev/zero
	expect_stderr "allocq: /dev/zero:1: malformed line (a NUL byte): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
	run -65 --separate-stderr timeout 10 bash -c '{ echo "allocinfo - version: 2.0"; yes x | tr -d "\n"; } | "$1" -i -' _ "$ALLOCQ"
	expect_stderr "allocq: <stdin>:2: malformed line (longer than 65536 bytes): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
	# 65536 bytes are one line still
	hostile_fixture "$BATS_TEST_TMPDIR/edge" "$(printf '%-65530s' '  1 1 a.c:1 func:x')"
	run -0 allocq -i "$BATS_TEST_TMPDIR/edge" --csv -n -o function
	expect_output x
	# a name is at most 4096 bytes, so that what --format allocinfo writes
	# reads back
	hostile_fixture "$BATS_TEST_TMPDIR/name" "  1 1 a.c:1 func:$(printf '%04097d' 0) "
	run -65 --separate-stderr allocq -i "$BATS_TEST_TMPDIR/name"
	expect_stderr "allocq: $BATS_TEST_TMPDIR/name:3: malformed line (a name longer than 4096 bytes): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
	hostile_fixture "$BATS_TEST_TMPDIR/name" "  1 1 $(printf '%04096d' 0):1 func:$(printf '%04096d' 1) "
	run -0 bash -c '"$1" -i "$2" --format allocinfo | "$1" -i - --csv -n -o line' _ "$ALLOCQ" "$BATS_TEST_TMPDIR/name"
	expect_output 1
}

@test "6. terminal escapes in names: the table and every message show them as \\x.." {
	local esc=$'\e[2J\e]0;title\a' csi=$'\x9b'
	hostile_fixture "$BATS_TEST_TMPDIR/esc" "  4096 1 evil${esc}.c:1 [m${csi}od] func:f${esc} " \
		"  1 1 back\\slash.c:2 func:ok "
	run -0 allocq -i "$BATS_TEST_TMPDIR/esc" -s line
	no_control_bytes
	expect_output 'BYTES CALLS FILE                          LINE MODULE  FUNCTION                 ACCURATE
   4K     1 evil\x1b[2J\x1b]0;title\x07.c    1 m\x9bod f\x1b[2J\x1b]0;title\x07 yes
    1     1 back\x5cslash.c                  2 -       ok                       yes'
	# DEL too, as the C0 and C1 controls
	hostile_fixture "$BATS_TEST_TMPDIR/del" "  1 1 a.c:2 func:o"$'\x7f'"k "
	run -0 allocq -i "$BATS_TEST_TMPDIR/del" -n -o function
	no_control_bytes
	expect_output 'o\x7fk'
	# the error that echoes a bad header
	printf 'allocinfo\e[2J - version: 9\n' >"$BATS_TEST_TMPDIR/badhdr"
	run -65 --separate-stderr allocq -i "$BATS_TEST_TMPDIR/badhdr"
	output=$stderr no_control_bytes
	expect_stderr "allocq: $BATS_TEST_TMPDIR/badhdr:1: malformed header 'allocinfo\\x1b[2J - version: 9': expected 'allocinfo - version: 1.x' or '2.x'"
	# a warning that quotes a name from the command line
	run -0 --separate-stderr allocq -i "$V2" -m "x${esc}"
	output=$stderr no_control_bytes
	# CSV keeps the bytes (data), quoted as RFC 4180 says; JSON escapes them
	run -0 allocq -i "$BATS_TEST_TMPDIR/esc" --csv -n -o file -s line
	[[ ${lines[0]} == "evil${esc}.c" ]]
	run -0 allocq -i "$BATS_TEST_TMPDIR/esc" -J -s line
	no_control_bytes
	[[ $(jq -r '.allocations[0].file' <<<"$output") == "evil${esc}.c" ]]
	[[ $(jq -r '.allocations[0].module' <<<"$output") == 'm\x9bod' ]]
}

@test "7. a NUL byte in a record is malformed input, naming the line" {
	printf 'allocinfo - version: 2.0\n  1 1 a.c:1 func:x\0tail \n' >"$BATS_TEST_TMPDIR/nul"
	run -65 --separate-stderr allocq -i "$BATS_TEST_TMPDIR/nul"
	expect_stderr "allocq: $BATS_TEST_TMPDIR/nul:2: malformed line (a NUL byte): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
	printf 'allocinfo - version: 2.0\n  1 1 a.c:1 func:x \n\0  2 1 b.c:2 func:y \n' >"$BATS_TEST_TMPDIR/nul"
	run -65 --separate-stderr allocq -i "$BATS_TEST_TMPDIR/nul"
	expect_stderr "allocq: $BATS_TEST_TMPDIR/nul:3: malformed line (a NUL byte): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
	# a header, then 300 MB of NUL bytes: at once, not an empty table
	run -65 --separate-stderr timeout 10 bash -c '{ echo "allocinfo - version: 2.0"; head -c 300000000 /dev/zero; } | "$1" -i -' _ "$ALLOCQ"
	expect_stderr "allocq: <stdin>:2: malformed line (a NUL byte): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
}

@test "8. u64 counters past 2^63 are exact in JSON; a line past 2^32 is malformed" {
	hostile_fixture "$BATS_TEST_TMPDIR/big" "  -1 18446744073709551615 a.c:4294967295 func:x "
	run -0 allocq -i "$BATS_TEST_TMPDIR/big" -J
	[[ $output == *'"bytes": -1, "calls": 18446744073709551615, "file": "a.c", "line": 4294967295,'* ]]
	[[ $output == *'"total": {"bytes": -1, "calls": 18446744073709551615, "sites": 1}'* ]]
	run -0 allocq -i "$BATS_TEST_TMPDIR/big" --csv -n
	expect_output "-1,18446744073709551615,a.c,4294967295,,x,true"
	hostile_fixture "$BATS_TEST_TMPDIR/line" "  1 1 a.c:4294967296 func:x "
	run -65 --separate-stderr allocq -i "$BATS_TEST_TMPDIR/line"
	expect_stderr "allocq: $BATS_TEST_TMPDIR/line:3: malformed line (bad line number): expected 'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo"
}

@test "9. names of 62, 63, 64 and 200 characters: every source gives the same rows" {
	local n62 n63 n64 n200 args
	n62=f$(printf '%061d' 0) n63=g$(printf '%062d' 0) n64=h$(printf '%063d' 0)
	n200=i$(printf '%0199d' 0)
	hostile_fixture "$BATS_TEST_TMPDIR/names" "  62 1 a.c:1 func:$n62 " "  63 1 b.c:2 func:$n63 " \
		"  64 1 c.c:3 func:$n64 " "  200 1 d.c:4 func:$n200 " \
		"  1 1 e.c:5 func:x${n63} " "  2 1 f.c:6 [m] func:${n64:1} "
	make_proc "$BATS_TEST_DIRNAME/fixtures/v2.allocinfo"
	cp "$BATS_TEST_TMPDIR/names" "$ALLOCQ_PROC/allocinfo"
	for args in "" "-F $n62" "-F $n63" "-F $n64" "-F $n200" "-F x$n63" "-F ${n64:1}" "-m m"; do
		# shellcheck disable=SC2086
		sources_agree "$BATS_TEST_TMPDIR/names" $args
		[[ $output != *...* ]]
	done
	run -0 allocq_ioctl -F "$n63" --csv -n -o function
	expect_output "$n63"
}

@test "10. JSON is written as it goes: its peak memory is the table's, not the document's" {
	[[ -z ${ALLOCQ_WRAPPER:-} ]] || skip "measures allocq's own memory, not $ALLOCQ_WRAPPER's"
	[[ -z ${ALLOCQ_SANITIZE:-} ]] || skip "measures allocq's own memory, not the $ALLOCQ_SANITIZE sanitizer's"
	seq 1 100000 | awk '{ printf "%12d %8d drivers/x%d/file%d.c:%d [mod%d] func:function_%d \n", $1 * 64, $1 % 97, $1 % 300, $1, $1, $1 % 50, $1 }' |
		cat <(echo "allocinfo - version: 2.0") - >"$BATS_TEST_TMPDIR/100k"
	local table json
	table=$(peak_rss_kib "$ALLOCQ" -i "$BATS_TEST_TMPDIR/100k" -b)
	json=$(peak_rss_kib "$ALLOCQ" -i "$BATS_TEST_TMPDIR/100k" -J)
	echo "# peak RSS: table $table KiB, JSON $json KiB" >&3
	((json * 2 <= table * 3)) || fail_with "JSON $json KiB, table $table KiB: more than 1.5x"
	run -0 bash -c '"$1" -i "$2" -J | jq ".allocations | length"' _ "$ALLOCQ" "$BATS_TEST_TMPDIR/100k"
	expect_output 100000
}
