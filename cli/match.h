/*
 * The one name matcher, for every source and stage. A --file, --func or
 * --module value is an exact name, or a shell pattern when it has '*', '?'
 * or '[' ('*' also crosses '/'). A --file value without a '/' is a
 * basename: rapl.c matches arch/x86/events/rapl.c, and so does r*.c.
 */
#ifndef ALLOCQ_MATCH_H
#define ALLOCQ_MATCH_H

#include <stdbool.h>

#include "query.h"
#include "record.h"

bool is_pattern(const char *want);
/* The last NAME_TAIL characters of @s: what the kernel keeps of a name. */
const char *name_tail(const char *s);
const char *basename_of(const char *path);
/*
 * Whether @name (a record's) is what @want asks for. @as_file: @want is a
 * --file value. @trimmed: @name is TRIM_MARK + a kernel tail, which can only
 * be compared by that tail.
 */
bool name_matches(const char *want, const char *name, bool trimmed, bool as_file);
/* Whether @r passes every filter of @f. */
bool filter_matches(const struct filter *f, const struct record *r);
/* Whether @r passes @f's size bounds, applied to @bytes. */
bool size_matches(const struct filter *f, count_t bytes);

#endif
