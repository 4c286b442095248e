/*
 * The full file and function names of the running kernel, for what the
 * ioctl cannot do by itself: turn a basename into the paths that end in it,
 * and expand a name the kernel cut to its last 63 characters.
 *
 * Collecting them means reading all of /proc/allocinfo, which sums every
 * counter; but the set of names only changes when the content id does, so
 * they are cached in a file keyed by boot id and content id.
 */
#ifndef ALLOCQ_NAMES_H
#define ALLOCQ_NAMES_H

#include <stdint.h>

#include "query.h"

struct names;

/* The names of the tag set @content_id: from the cache, else from the text. */
struct names *names_get(uint64_t content_id);
void names_free(struct names *names);

/* Adds to @out every file path whose basename is @base. */
void names_paths_for_basename(const struct names *names, const char *base,
			      struct strlist *out);
/* The one full file (or function) name ending in @tail, or NULL. */
const char *names_expand_file(const struct names *names, const char *tail);
const char *names_expand_function(const struct names *names, const char *tail);

#endif
