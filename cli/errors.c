#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "escape.h"

static void *check(void *p);

/*
 * "PREFIX MESSAGE\n", the message escaped: messages quote names from files
 * and arguments, never their control bytes. NULL when out of memory.
 */
static char *vline(const char *prefix, const char *fmt, va_list ap)
{
	char *msg, *line = NULL;
	size_t len;
	FILE *out;

	if (vasprintf(&msg, fmt, ap) < 0)
		return NULL;
	out = open_memstream(&line, &len);
	if (out) {
		fputs(prefix, out);
		escape_put(msg, out);
		fputc('\n', out);
		if (fclose(out)) {
			free(line);
			line = NULL;
		}
	}
	free(msg);
	return line;
}

static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	char *line = vline(prefix, fmt, ap);

	fputs(line ? line : "allocq: out of memory\n", stderr);
	free(line);
}

char *die_line(const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = vline("allocq: ", fmt, ap);
	va_end(ap);
	return check(line);
}

/* Few: the terminal view's and the temporary files'. */
#define CLEANUPS 4

static void (*cleanups[CLEANUPS])(void);

void die_cleanup(void (*fn)(void))
{
	for (size_t i = 0; i < CLEANUPS; i++) {
		if (cleanups[i] == fn)
			return;
		if (!cleanups[i]) {
			cleanups[i] = fn;
			return;
		}
	}
	abort();	/* a slot more is needed: a bug, never the user's fault */
}

/* Each once, the latest first: a die() inside one does not run it again. */
static void run_cleanups(void)
{
	for (size_t i = CLEANUPS; i-- > 0;) {
		void (*fn)(void) = cleanups[i];

		cleanups[i] = NULL;
		if (fn)
			fn();
	}
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	run_cleanups();	/* e.g. give the terminal back before saying why */
	va_start(ap, fmt);
	vsay("allocq: ", fmt, ap);
	va_end(ap);
	exit(status);
}

void complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("allocq: ", fmt, ap);
	va_end(ap);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("allocq: warning: ", fmt, ap);
	va_end(ap);
}

static void *check(void *p)
{
	if (!p)
		die(EXIT_RUNTIME, "out of memory: free some memory or narrow the query");
	return p;
}

void *xmalloc(size_t size)
{
	return check(malloc(size ? size : 1));
}

void *xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1));
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	return check(reallocarray(ptr, nmemb ? nmemb : 1, size ? size : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

char *xstrdup(const char *s)
{
	return check(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return check(n < 0 ? NULL : s);
}
