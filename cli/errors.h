/*
 * Fatal errors, warnings and allocation helpers.
 *
 * Every error is one line on stderr, "allocq: CAUSE: FIX", and a sysexits(3)
 * exit status, so scripts can tell usage errors from run-time ones.
 */
#ifndef ALLOCQ_ERRORS_H
#define ALLOCQ_ERRORS_H

#include <stddef.h>
#include <sysexits.h>

/* Run-time errors that have no better sysexits code (I/O, out of memory). */
#define EXIT_RUNTIME 1

/* Prints "allocq: " + the formatted "cause: fix" message and exits with @status. */
_Noreturn void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "allocq: " + the formatted message, as die() does, but returns. */
void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The line die() would print, for a signal handler to write(2); malloc'd. */
char *die_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Adds @fn to what die() runs before it prints its message (once, however
 * often it is added; the latest added first).
 */
void die_cleanup(void (*fn)(void));

/* Prints "allocq: warning: " + the formatted message; does not exit. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
void *xcalloc(size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
