/*
 * A source yields the call sites that pass a filter. There is one
 * implementation per file; main picks one, once. Nothing after the source
 * knows which one ran, except for its name in the output.
 */
#ifndef ALLOCQ_SOURCE_H
#define ALLOCQ_SOURCE_H

#include "names.h"
#include "query.h"
#include "record.h"

struct source {
	const char *name;	/* "ioctl", "text" or "input" */
	/* Appends the call sites that pass @f to @out; exits on errors. */
	void (*read)(const struct query *q, const struct filter *f, struct record_list *out);
	/* The names of every call site of the last read (NULL: none known). */
	struct names *(*names)(void);
};

extern const struct source source_ioctl;	/* source_ioctl.c */
extern const struct source source_text;		/* source_text.c */
extern const struct source source_input;	/* source_input.c */

/* The source @q reads from: picked once, by asking the kernel if need be. */
const struct source *source_pick(const struct query *q);

/*
 * A record_fn that appends the records that pass @filter to @out (if any)
 * and, when @known is set, notes the names of every record.
 */
struct selection {
	const struct filter *filter;
	struct record_list *out;
	struct names *known;
};
void select_record(const struct record *r, void *selection);
/* Whether @f names files, functions or modules (so that names are worth noting). */
bool filter_has_names(const struct filter *f);

/*
 * A saved /proc/allocinfo (@path, "-" for standard input): appends the
 * records that pass @f to @out. For --input and for --diff's OLD file
 * (@option names which, in errors). The names of all its records are only
 * needed for a name no record has: when @f names some and the input cannot
 * be read again (a pipe), they are noted on the way and returned; else
 * NULL, and input_names() reads them when they are asked for.
 */
struct names *input_read(const char *option, const char *path, const struct filter *f,
			 struct record_list *out);
/* The names of every record of the saved file @path, read again. */
struct names *input_names(const char *option, const char *path);

#endif
