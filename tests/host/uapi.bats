#!/usr/bin/env bats
# The UAPI header allocq compiles against is the one the kernel series
# creates: cli/uapi/linux/alloc_tag.h must equal, byte for byte, the file
# that kernel/patches adds as include/uapi/linux/alloc_tag.h.

load helpers

ROOT=${ALLOCQ_SOURCE_ROOT:-$BATS_TEST_DIRNAME/../..}
HEADER=include/uapi/linux/alloc_tag.h

# The new file as the series creates it: the + lines of its hunk.
header_from_series() {
	local p
	while read -r p; do
		[[ -z $p || $p == \#* ]] && continue
		awk -v want="b/$HEADER" '
			/^diff --git / { inside = ($4 == want); next }
			inside && /^(\+\+\+|---|@@|new file mode|index )/ { next }
			inside && /^\+/ { print substr($0, 2) }
			inside && /^[ -]/ { print "unexpected context line in a new file" }
		' "$ROOT/kernel/patches/$p"
	done <"$ROOT/kernel/patches/series"
}

@test "the series creates the UAPI header" {
	run -0 header_from_series
	[[ $output == *"#define ALLOCINFO_IOC_BASE"* ]]
	[[ $output == *"struct allocinfo_get_at {"* ]]
}

@test "cli/uapi/linux/alloc_tag.h is the header the series creates" {
	diff -u <(header_from_series) "$ROOT/cli/uapi/linux/alloc_tag.h"
}

@test "the header compiles on its own, for 64-bit and 32-bit layouts alike" {
	local src=$BATS_TEST_TMPDIR/layout.c
	cat >"$src" <<'C'
#include <stddef.h>
#include <linux/alloc_tag.h>
_Static_assert(sizeof(struct allocinfo_tag_data) == 224, "tag_data");
_Static_assert(sizeof(struct allocinfo_get_at) == 464, "get_at");
_Static_assert(offsetof(struct allocinfo_get_at, data) == 240, "data");
_Static_assert(sizeof(struct allocinfo_counter) == 24, "counter");
C
	cc -fsyntax-only -I "$ROOT/cli/uapi" "$src"
	# The same with i386 alignment rules (u64 aligned to 4 unless the
	# header says otherwise). The kernel's x86 asm/ UAPI headers are the
	# same for both; without 32-bit libc headers, borrow the native ones.
	cc -m32 -ffreestanding -fsyntax-only -I "$ROOT/cli/uapi" \
		-isystem "/usr/include/$(cc -print-multiarch)" "$src"
}
