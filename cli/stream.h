/*
 * How allocq reads text: a saved snapshot (--input, --diff's OLD) or the
 * name cache, which are regular files, through windows of the file mapped
 * into memory; /proc/allocinfo and pipes with read(2), 64 KiB at a time.
 *
 * Not stdio's own buffering: it reads a /proc file 1 KiB per system call
 * and others 4 KiB (their st_blksize; glibc takes a size from setvbuf only
 * with the buffer), and read(2) copies every byte in the kernel. Both cost
 * more than the parsing: the copy alone was half the system time of a
 * --diff against a 2 MB snapshot. A window, not the whole file: a snapshot
 * of any size costs at most STREAM_WINDOW of resident memory.
 */
#ifndef ALLOCQ_STREAM_H
#define ALLOCQ_STREAM_H

#include <stdio.h>

#define STREAM_WINDOW (1 << 20)
#define STREAM_BUFFER (64 * 1024)

/*
 * A stream over @fd (which it owns: fclose() closes both) for the parser,
 * rewindable. A regular file ends where it ended when opened: one cut
 * short while it is read, whether in a window or between two, makes
 * allocq say so, naming @label, and exit as for a read error (die(), so
 * its cleanups run). NULL when out of memory.
 */
FILE *stream_open(int fd, const char *label);

#endif
