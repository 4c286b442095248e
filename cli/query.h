/*
 * What the user asked for: the filters, where to read, what to compare with
 * and group by, how to sort and how to print. options.c fills it; every
 * stage after it only reads it.
 */
#ifndef ALLOCQ_QUERY_H
#define ALLOCQ_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* Distinct values of one flag, in the order given. */
struct strlist {
	char **v;
	size_t n;
};

struct numlist {
	uint64_t *v;
	size_t n;
};

enum accuracy {
	ACCURACY_ANY,
	ACCURACY_ACCURATE,
	ACCURACY_INACCURATE,
};

/*
 * AND across fields; OR between the values of one field. A name with '*',
 * '?' or '[' is a shell pattern (see match.h).
 */
struct filter {
	struct strlist files;	/* with a '/': a path; without: a basename */
	struct strlist funcs;
	struct strlist modules;
	bool builtin;		/* ORs with modules */
	struct numlist lines;
	bool has_min, has_max;
	uint64_t min, max;	/* inclusive */
	enum accuracy accuracy;
};

enum source_kind {
	SOURCE_AUTO,
	SOURCE_IOCTL,
	SOURCE_TEXT,
};

enum format {
	FORMAT_TABLE,
	FORMAT_CSV,
	FORMAT_JSON,
	FORMAT_ALLOCINFO,	/* the kernel's own text format */
	FORMAT_PROMETHEUS,	/* text exposition format */
	NFORMATS,
};

enum group_key {
	GROUP_NONE,
	GROUP_MODULE,
	GROUP_FILE,
	GROUP_FUNCTION,
	GROUP_DIR,		/* the file's directory, or its first N components */
};

/* Every column any output can have, in the order they are printed. */
enum column {
	COL_BYTES,
	COL_CALLS,
	COL_OLD_BYTES,
	COL_OLD_CALLS,
	COL_DELTA_BYTES,
	COL_DELTA_CALLS,
	COL_CHANGE,
	COL_RATE,
	COL_SITES,
	COL_FILE,
	COL_DIR,
	COL_LINE,
	COL_MODULE,
	COL_FUNCTION,
	COL_ACCURATE,
	NCOLUMNS,
};

struct output {
	enum format format;
	enum column columns[NCOLUMNS];	/* -o, or every column of the rows */
	size_t ncolumns;
	bool columns_given;
	bool exact_bytes;
	bool no_headings;
	bool total;
	const char *file;	/* --output-file, or NULL: standard output */
};

struct query {
	struct filter filter;
	enum source_kind source;
	const char *input;	/* --input FILE, "-" for stdin, or NULL */
	const char *diff;	/* --diff OLD, or NULL */
	enum group_key group;
	unsigned dir_depth;	/* --group-by dir:N; 0: the whole directory */
	enum sort_key sort;
	bool sort_given;
	bool reverse;
	bool has_limit;
	uint64_t limit;
	double watch;		/* --watch interval in seconds, 0: no watch */
	uint64_t count;		/* --count: samples, 0: until interrupted */
	bool status;		/* --status */
	struct output out;
};

extern const char *const column_names[NCOLUMNS];

void query_init(struct query *q);
void query_free(struct query *q);

/* The columns of the rows @q prints, in order; returns how many. */
size_t query_columns(const struct query *q, enum column *cols);
/* Whether the size bounds apply to the printed rows rather than to call sites. */
bool query_sizes_on_rows(const struct query *q);
/* The filter that selects call sites: @q's, without the sizes where they bound rows. */
struct filter query_site_filter(const struct query *q);
/* The name of --group-by's key ("dir" for dir:N). */
const char *group_key_name(enum group_key key);

/* Adds @s unless it is already there. */
void strlist_add(struct strlist *list, const char *s);
void strlist_free(struct strlist *list);
void numlist_add(struct numlist *list, uint64_t v);

/* A decimal number: digits only, no sign, no overflow. */
bool parse_u64(const char *s, uint64_t *v);
/* A decimal number with an optional K/M/G/T (KiB..., k...) suffix, powers of 1024. */
bool parse_size(const char *s, uint64_t *v);
/* -o: a comma separated list of column_names, each at most once. */
bool parse_columns(const char *list, struct output *out, const char **bad);

#endif
