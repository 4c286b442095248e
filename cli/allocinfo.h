/*
 * The one owner of /proc/allocinfo (under $ALLOCQ_PROC, default /proc, so
 * that tests can point allocq at a fixture tree): opening it, the state of
 * profiling, the content id, and the loop that makes a read consistent.
 * The sources, the name cache and --status all go through here.
 */
#ifndef ALLOCQ_ALLOCINFO_H
#define ALLOCQ_ALLOCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* How often a read is tried again because modules came or went. */
#define READ_ATTEMPTS 10

/* "$ALLOCQ_PROC/@rel", malloc'd. */
char *proc_path(const char *rel);
/* Reads the first line of a /proc file, without its newline. */
bool proc_read_line(const char *rel, char *buf, size_t size);

enum profiling {
	PROFILING_UNKNOWN,	/* no vm.mem_profiling */
	PROFILING_ON,
	PROFILING_OFF,		/* switched off at run time: counters frozen */
	PROFILING_NEVER,	/* disabled at boot (the sysctl is read-only) */
};

/* The state of profiling, from vm.mem_profiling. */
enum profiling allocinfo_profiling(void);
/*
 * Opens allocinfo read-only into *@fd (-1 if it cannot be opened): 0, or
 * the exit status a query would get and *@why its message (malloc'd). The
 * file can be open and still be a problem: profiling disabled at boot.
 */
int allocinfo_problem(int *fd, char **why);
/* The first time only: warns if profiling is switched off (counters frozen). */
void allocinfo_warn_off(void);
/*
 * Opens allocinfo read-only, or exits with the status that says why not;
 * then allocinfo_warn_off().
 */
int allocinfo_open(void);
/* The content id of the open allocinfo @fd; false (and errno) if none. */
bool allocinfo_content_id(int fd, uint64_t *id);

/*
 * Calls @read until the set of tags was the same before and after it (the
 * content id), @restart undoing what a try did; exits 75 after
 * READ_ATTEMPTS tries. Without a content id (no ioctl) one try is all.
 * @read gets the id from before the try. Returns the id of the set that
 * was read (0 without one).
 */
uint64_t allocinfo_consistent(int fd, void (*read)(int fd, uint64_t id, void *arg),
			      void (*restart)(void *arg), void *arg);

/*
 * Parses the text of the open allocinfo @fd (closed after), consistently
 * (see above): 0 and *@id the content id, or the exit status a query would
 * get and *@why its message (malloc'd).
 */
int allocinfo_parse_text(int fd, record_fn *fn, void (*restart)(void *arg), void *arg,
			 uint64_t *id, char **why);
/* Opens and parses the live text (as above), or exits; returns its content id. */
uint64_t allocinfo_read_text(record_fn *fn, void (*restart)(void *arg), void *arg);

#endif
