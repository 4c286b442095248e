/*
 * The names of the call sites a source knows: every file, function and
 * module name, and the whole names of the tags whose names the kernel cuts
 * to 63 characters over the ioctl. They turn a basename or a pattern into
 * the exact names the ioctl compares, expand cut names, and tell a name
 * that matches nothing ("did you mean ...").
 *
 * For the live kernel, collecting them means reading all of /proc/allocinfo,
 * which sums every counter; but they only change with the content id, so
 * they are cached (see names.c) in a private directory.
 */
#ifndef ALLOCQ_NAMES_H
#define ALLOCQ_NAMES_H

#include <stdint.h>
#include <stdio.h>

#include "query.h"
#include "record.h"

enum name_kind {
	NAME_FILE,
	NAME_FUNCTION,
	NAME_MODULE,
	NAME_KINDS,
};

struct names;

/* An empty set, to be filled by names_add and finished by names_finish. */
struct names *names_new(void);
void names_add(struct names *names, const struct record *r);
void names_finish(struct names *names);
void names_free(struct names *names);

/* The names of the live tag set @content_id: from the cache, else from the text. */
struct names *names_get(uint64_t content_id);
/* Whether @names came from the cache (and so could be stale). */
bool names_cached(const struct names *names);
/*
 * Reads one cache file's contents: NULL unless it is complete, sane and for
 * the boot @boot and tag set @id (names.c has the format).
 */
struct names *names_read_cache(FILE *f, const char *boot, uint64_t id);
/* Reads the names afresh from the text and rewrites the cache. */
struct names *names_reload(struct names *names, uint64_t content_id);

/* Adds to @out every known name of @kind that @want (see match.h) matches. */
void names_matching(const struct names *names, enum name_kind kind, const char *want,
		    struct strlist *out);
/*
 * A record from the ioctl whose file or function has exactly NAME_TAIL
 * characters may carry a cut name: give it the whole names of the one tag
 * it can be, or mark the names as cut. False when no known tag fits.
 */
bool names_expand(const struct names *names, struct record *r);
/*
 * Says on stderr that no call site has the name @want of @kind, with the
 * closest known names, if any ("did you mean").
 */
void names_report_unknown(const struct names *names, enum name_kind kind, const char *want);

/* Adds the names of @from to @into. */
void names_merge(struct names *into, const struct names *from);

/*
 * Warns about each name of @f (files, functions, modules) that no row of
 * @rows[0..@nrows) matches and no known name does either. The known names
 * come from @get, called at most once, and only when a name matched no row.
 */
void names_warn_unmatched(const struct filter *f, const struct record_list *const rows[],
			  size_t nrows, struct names *(*get)(void *arg), void *arg);

#endif
