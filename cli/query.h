/*
 * What the user asked for: the filters, where to read, how to sort and how
 * to print. main.c fills it from the options; the sources apply the filter,
 * main sorts and limits, a sink prints.
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

/* AND across fields; OR between the values of one field. */
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
};

enum column {
	COL_BYTES,
	COL_CALLS,
	COL_FILE,
	COL_LINE,
	COL_MODULE,
	COL_FUNCTION,
	COL_ACCURATE,
	NCOLUMNS,
};

struct output {
	enum format format;
	enum column columns[NCOLUMNS];
	size_t ncolumns;
	bool exact_bytes;
	bool no_headings;
};

struct query {
	struct filter filter;
	enum source_kind source;
	const char *input;	/* --input FILE, "-" for stdin, or NULL */
	enum sort_key sort;
	bool reverse;
	bool has_limit;
	uint64_t limit;
	struct output out;
};

extern const char *const column_names[NCOLUMNS];

void query_init(struct query *q);
void query_free(struct query *q);

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

/* The last NAME_TAIL characters of @s: what the kernel keeps of a name. */
const char *name_tail(const char *s);
/*
 * The one name matcher, for every source. @want is a --file value
 * (@as_file: a path if it has a '/', else a basename) or an exact name.
 * @name is a record's name; @trimmed says it is TRIM_MARK + a kernel tail,
 * which can only be compared by that tail.
 */
bool name_matches(const char *want, const char *name, bool trimmed, bool as_file);
/* Whether @r passes every filter of @f. */
bool filter_matches(const struct filter *f, const struct record *r);

#endif
