/*
 * A source yields the records that pass the query's filter. There is one
 * implementation per file; main picks one, once. Nothing after the source
 * knows which one ran, except for its name in the JSON output.
 */
#ifndef ALLOCQ_SOURCE_H
#define ALLOCQ_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "query.h"
#include "record.h"

struct source {
	const char *name;	/* "ioctl", "text" or "input" */
	/* Appends the matching records to @out; exits on errors. */
	void (*read)(const struct query *q, struct record_list *out);
};

extern const struct source source_ioctl;	/* source_ioctl.c */
extern const struct source source_text;		/* source_text.c */
extern const struct source source_input;	/* source_input.c */

/*
 * Opens /proc/allocinfo and asks for its content id: true when the kernel
 * has the ioctl interface (source_ioctl then uses the open file).
 */
bool ioctl_available(void);

/* The content id of the open allocinfo @fd; false (and errno) if none. */
bool allocinfo_content_id(int fd, uint64_t *id);

/* How often a read is tried again because modules came or went. */
#define READ_ATTEMPTS 10
_Noreturn void die_tags_changing(void);

/*
 * The one parser of the allocinfo text format (versions 1.x and 2.x), used
 * by the text and input sources and by the name cache. Calls @fn for every
 * record; the record's strings live until @fn returns. Exits with EX_DATAERR
 * on a malformed line, naming @label and the line number.
 */
typedef void record_fn(const struct record *r, void *arg);
void text_parse(FILE *f, const char *label, record_fn *fn, void *arg);

/*
 * text_parse of the live /proc/allocinfo. The file is read in pieces, so a
 * module that comes or goes meanwhile could leave part of its tags in the
 * result: where the kernel has the content id, the read is done again
 * (after @restart undid what @fn did) until the id was the same before and
 * after. Kernels without it (6.12) give one read, as it was.
 */
void allocinfo_text_parse(record_fn *fn, void (*restart)(void *arg), void *arg);

/* A record_fn that appends the records that pass a filter. */
struct filter_sink {
	const struct filter *filter;
	struct record_list *out;
};
void add_if_matches(const struct record *r, void *filter_sink);

#endif
