/*
 * A sink prints a report in one format: a table of print operations per
 * format, picked once by main. The source is only known by its name.
 */
#ifndef ALLOCQ_SINK_H
#define ALLOCQ_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "query.h"
#include "record.h"

/* Sums over every row that was selected (before --limit), exact. */
struct total {
	count_t bytes;
	count_t calls;
	count_t old_bytes;
	count_t old_calls;
	uint64_t sites;		/* distinct call sites */
	count_t rate;
};

struct report {
	const struct query *q;
	const char *source;
	enum column cols[NCOLUMNS];	/* what the table and CSV print */
	size_t ncols;
	enum column all[NCOLUMNS];	/* every column of the rows (JSON) */
	size_t nall;
	const struct record *rows;
	size_t n;
	struct total total;
	/* --watch: each sample is a report; a stream has one header */
	bool watching;
	unsigned long sample;	/* 0 for the first */
	double time;		/* Unix seconds */
};

struct sink {
	void (*print)(const struct report *rep, FILE *out);
};

extern const struct sink sink_table;		/* sink_table.c */
extern const struct sink sink_csv;		/* sink_csv.c */
extern const struct sink sink_json;		/* sink_json.c */
extern const struct sink sink_allocinfo;	/* sink_allocinfo.c */
extern const struct sink sink_prometheus;	/* sink_prometheus.c */

/* One cell: a count, another number, or a text (NULL: none, e.g. built-in). */
struct cell {
	enum { CELL_COUNT, CELL_UNSIGNED, CELL_TEXT, CELL_BOOL } kind;
	count_t n;
	uint64_t u;
	const char *text;
	bool b;
};

/* What column @c of @r holds (sink.c): the one mapping for every sink. */
struct cell cell_of(const struct record *r, enum column c);
/* The row of the total, for the sinks that print one. */
struct record total_row(const struct total *t);
/* @s as a JSON string (sink_json.c). */
void json_put_string(const char *s, FILE *out);
/* Room for any count_t in decimal, its sign and a NUL. */
#define COUNT_TEXT 41
/* @v in decimal, exactly, in @buf; returns where it starts in @buf. */
const char *count_text(count_t v, char buf[COUNT_TEXT]);
/*
 * @bytes in powers of 1024 with at most one decimal (512, 4K, 1.5M), after
 * a '-' when negative, else after @plus ("" or "+").
 */
void format_size(char *buf, size_t size, count_t bytes, const char *plus);
/* Whether @c holds bytes (human-readable in the table unless --bytes). */
bool column_is_size(enum column c);

#endif
