/*
 * The one parser of the allocinfo text format (versions 1.x and 2.x), for
 * the text and input sources, --diff's OLD file and the name cache:
 *
 *   allocinfo - version: 2.0
 *   #     <size>  <calls> <tag info>
 *           4096        1 arch/x86/events/rapl.c:717 func:init_rapl_pmus
 *          12288        3 fs/xfs/xfs_buf.c:123 [xfs] func:xfs_buf_alloc accurate:no
 *
 * Input is untrusted (snapshots come from bug reports): a line is at most
 * PARSE_LINE_MAX bytes, a NUL byte is malformed, and nothing the parser
 * reads can make it allocate beyond one line buffer.
 */
#ifndef ALLOCQ_PARSE_H
#define ALLOCQ_PARSE_H

#include <stdbool.h>
#include <stdio.h>

#include "record.h"

/* A real line is under 300 bytes; a name under 256. */
#define PARSE_LINE_MAX 65536
#define PARSE_NAME_MAX 4096

struct parse_error {
	enum {
		PARSE_EMPTY,	/* no header line */
		PARSE_HEADER,	/* @detail: the header (its start), if allocinfo's */
		PARSE_LINE,	/* @detail: what is wrong with line @line */
		PARSE_READ,	/* @detail: strerror */
	} kind;
	unsigned long line;
	char detail[64];
};

enum line_status {
	LINE_OK,
	LINE_EOF,
	LINE_NUL,		/* a NUL byte: never in a text file */
	LINE_LONG,		/* over PARSE_LINE_MAX bytes */
	LINE_ERROR,		/* a read error: errno */
};

/*
 * The next line of @f, without its newline, into @buf (PARSE_LINE_MAX + 1
 * bytes): nothing is allocated, so nothing but EOF is taken for the end.
 */
enum line_status read_line(FILE *f, char *buf, size_t *len);

/* Called for every record; its names live until it returns. */
typedef void record_fn(const struct record *r, void *arg);

/* Parses @f to its end: true, or false with @err filled. */
bool text_parse(FILE *f, record_fn *fn, void *arg, struct parse_error *err);

/* @err's exit status, and in *@why (malloc'd) its message, naming @label. */
int parse_problem(const char *label, const struct parse_error *err, char **why);
/* Exits with @err's status and message (parse_problem). */
_Noreturn void die_parse(const char *label, const struct parse_error *err);

#endif
