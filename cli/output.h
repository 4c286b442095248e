/*
 * Where a report goes: standard output, or --output-file FILE written
 * atomically (a temporary file beside it, synced, then renamed over it, mode
 * 0644), so that a collector never reads half a file. A reader that went
 * away (allocq | head) ends allocq quietly; any other write error is fatal,
 * and leaves FILE as it was.
 */
#ifndef ALLOCQ_OUTPUT_H
#define ALLOCQ_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "query.h"

FILE *output_open(const struct output *o);
/* Completes what output_open began; false when the reader went away. */
bool output_close(FILE *f, const struct output *o);

#endif
