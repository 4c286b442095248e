/*
 * The one place that knows where /proc is: $ALLOCQ_PROC (default /proc),
 * so that tests can point allocq at a fixture tree.
 */
#ifndef ALLOCQ_PROC_H
#define ALLOCQ_PROC_H

#include <stdbool.h>
#include <stddef.h>

/* "$ALLOCQ_PROC/@rel", malloc'd. */
char *proc_path(const char *rel);
/*
 * Opens allocinfo read-only, or exits with the status that says why not;
 * the first time, also warns if profiling is switched off (counters
 * frozen), or exits 66 if it was disabled at boot.
 */
int proc_open_allocinfo(void);
/* Reads the first line of a /proc file, without its newline. */
bool proc_read_line(const char *rel, char *buf, size_t size);

#endif
