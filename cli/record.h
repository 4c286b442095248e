/*
 * The one record type: one allocation call site and its counters, whatever
 * source it came from; after the diff and group stages also a change or a
 * group. And a growable list of them.
 *
 * Names are interned: one copy of each distinct string for the whole run,
 * so records copy cheaply and two names are equal when their pointers are.
 */
#ifndef ALLOCQ_RECORD_H
#define ALLOCQ_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Names over the ioctl are cut to their last 63 characters. */
#define NAME_TAIL 63
/* A cut name that could not be expanded is shown with this prefix. */
#define TRIM_MARK "..."

enum {
	TRIMMED_FILE = 1 << 0,
	TRIMMED_FUNCTION = 1 << 1,
};

/* What the diff stage found for a call site. */
enum change {
	CHANGE_NONE,		/* not a diff, or unchanged */
	CHANGE_CHANGED,
	CHANGE_NEW,		/* only in the current source */
	CHANGE_GONE,		/* only in OLD */
};

/*
 * A counter, or a sum or a change of counters. A tag's bytes are signed 64
 * bits and its calls unsigned 64 bits, but the tags of a call site, the
 * sites of a group and a total add up past both, and a change has either
 * sign: 128 bits hold every sum over a list (at most 2^32 records) exactly.
 */
typedef __int128 count_t;

/* Counters first, small fields last: 128 bytes, nothing lost to padding. */
struct record {
	count_t bytes;		/* signed: counters can be transiently negative */
	count_t calls;
	/* Set by the diff stage (and --watch: the first sample is OLD). */
	count_t old_bytes;
	count_t old_calls;
	/* Set by --watch: bytes per second over the last interval. */
	count_t rate;

	const char *file;	/* a group row keyed by file or dir: the key */
	uint64_t line;
	const char *module;	/* NULL for code built into the kernel image */
	const char *function;
	/* Set by the group stage: distinct call sites in the group. */
	uint64_t sites;
	/* Set by the diff stage. */
	enum change change;
	bool accurate;
	unsigned char trimmed;	/* TRIMMED_*: the name is TRIM_MARK + its tail */
};

struct record_list {
	struct record *v;
	size_t n, cap;
};

enum sort_key {
	SORT_BYTES,
	SORT_CALLS,
	SORT_FILE,
	SORT_FUNC,
	SORT_MODULE,
	SORT_LINE,
	SORT_DELTA,		/* the change in bytes, growth first */
	SORT_SITES,
};

/* The one interned copy of @s (of its first @n bytes). */
const char *intern(const char *s);
const char *intern_n(const char *s, size_t n);

static inline count_t delta_bytes(const struct record *r)
{
	return r->bytes - r->old_bytes;
}

static inline count_t delta_calls(const struct record *r)
{
	return r->calls - r->old_calls;
}

/* Adds @src's counters (and old counters) to @dst's, exactly: the tags of one call site, a group. */
void record_add_counts(struct record *dst, const struct record *src);

/* Appends @r, its names interned. */
void record_list_add(struct record_list *list, const struct record *r);
/* Keeps only the records for which @keep returns true, in order. */
void record_list_keep(struct record_list *list,
		      bool (*keep)(const struct record *r, const void *arg),
		      const void *arg);
void record_list_clear(struct record_list *list);
/* Makes @dst a copy of @src (names are interned: shared, not copied). */
void record_list_assign(struct record_list *dst, const struct record_list *src);
void record_list_free(struct record_list *list);
void record_list_sort(struct record_list *list, enum sort_key key, bool reverse);

/*
 * An index of the records of a list by key: the call site (module, file,
 * line, function), or a group key. It keeps positions only (8 bytes a
 * record) and reads the keys from the list, which may grow but must keep
 * its records where they are. Keys compare by pointer: names are interned.
 */
struct record_index;
struct record_index *record_index_new(const struct record_list *list);
void record_index_free(struct record_index *ix);
/*
 * The position of a record with @r's key, or SIZE_MAX, and then @pos is
 * stored for it (the list's record at @pos must have that key by the next
 * call).
 */
size_t record_index_put(struct record_index *ix, const struct record *r, size_t pos);
/* The position of a record with @r's key, or SIZE_MAX. */
size_t record_index_get(const struct record_index *ix, const struct record *r);

/*
 * The kernel can list one call site several times (an inline function in a
 * header has a tag in every unit that uses it): add such records up into
 * one, in the order of their first occurrence. Accurate only if all were.
 */
void record_list_merge_sites(struct record_list *list);

#endif
