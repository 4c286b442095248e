/*
 * Where a report goes: standard output, or --output-file FILE. A regular
 * FILE, or a new one, is replaced atomically (a temporary file in the
 * directory of the file FILE's symbolic links name, synced, then renamed
 * over it, with the old file's mode and, for root, owner; a new one is
 * 0644), so that a collector never reads half a file. A device or a FIFO
 * is written to in place, a directory is an error. A reader that went away
 * (allocq | head) ends allocq quietly; any other write error is fatal, and
 * leaves FILE as it was.
 */
#ifndef ALLOCQ_OUTPUT_H
#define ALLOCQ_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "query.h"
#include "record.h"
#include "sink.h"

/* --watch: which sample a report is, and when it was taken. */
struct sample_info {
	unsigned long sample;
	double time;
};

FILE *output_open(const struct output *o);
/* Completes what output_open began; false when the reader went away. */
bool output_close(FILE *f, const struct output *o);

/* The report of @rows: the columns the query shows, in its order. */
void output_prepare(struct report *rep, const struct query *q, const char *source,
		    const struct record_list *rows, const struct total *total,
		    const struct sample_info *w);
/* Prints @rep with the sink of its query's format. */
void output_write(const struct report *rep, FILE *f);
/* Both: builds the report of @rows and prints it to @f. */
void output_print(const struct query *q, const char *source, const struct record_list *rows,
		  const struct total *total, const struct sample_info *w, FILE *f);
/* The same to where the output goes; false when the reader went away. */
bool output_report(const struct query *q, const char *source, const struct record_list *rows,
		   const struct total *total, const struct sample_info *w);

#endif
