/*
 * The one record type: one allocation call site and its counters, whatever
 * source it came from, and a growable list of them.
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

struct record {
	int64_t bytes;		/* signed: counters can be transiently negative */
	uint64_t calls;
	char *file;
	uint64_t line;
	char *module;		/* NULL for code built into the kernel image */
	char *function;
	bool accurate;
	unsigned trimmed;	/* TRIMMED_*: the name is TRIM_MARK + its tail */
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
};

/* Appends a deep copy of @r. */
void record_list_add(struct record_list *list, const struct record *r);
/* Keeps only the records for which @keep returns true, in order. */
void record_list_keep(struct record_list *list,
		      bool (*keep)(const struct record *r, const void *arg),
		      const void *arg);
void record_list_clear(struct record_list *list);
void record_list_free(struct record_list *list);
void record_list_sort(struct record_list *list, enum sort_key key, bool reverse);

#endif
