#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "parse.h"
#include "query.h"

struct reader {
	FILE *f;
	unsigned long lineno;
	size_t len;
	char *buf;		/* PARSE_LINE_MAX + 1 bytes */
	struct parse_error *err;
};

static bool fail(struct reader *rd, int kind, const char *detail)
{
	rd->err->kind = kind;
	rd->err->line = rd->lineno;
	snprintf(rd->err->detail, sizeof(rd->err->detail), "%s", detail);
	return false;
}

enum line_status read_line(FILE *f, char *buf, size_t *len)
{
	int c;

	*len = 0;
	errno = 0;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (c == '\0')
			return LINE_NUL;
		if (*len == PARSE_LINE_MAX)
			return LINE_LONG;
		buf[(*len)++] = (char)c;
	}
	buf[*len] = '\0';
	if (c == EOF && ferror(f)) {
		errno = errno ? errno : EIO;
		return LINE_ERROR;
	}
	return c == EOF && !*len ? LINE_EOF : LINE_OK;
}

/* The next line in rd->buf: 1, or 0 at the end of the file, or -1 (error set). */
static int next_line(struct reader *rd)
{
	rd->lineno++;
	switch (read_line(rd->f, rd->buf, &rd->len)) {
	case LINE_OK:
		return 1;
	case LINE_EOF:
		return 0;
	case LINE_NUL:
		fail(rd, PARSE_LINE, "a NUL byte");
		return -1;
	case LINE_LONG:
		fail(rd, PARSE_LINE, "longer than 65536 bytes");
		return -1;
	case LINE_ERROR:
		break;
	}
	fail(rd, PARSE_READ, strerror(errno));
	return -1;
}

struct fields {
	char *next;		/* rest of the line */
	const char *why;	/* what is wrong with it */
};

static char *next_token(struct fields *p)
{
	char *s = p->next + strspn(p->next, " \t\r");
	char *end;

	if (!*s)
		return NULL;
	end = s + strcspn(s, " \t\r");
	p->next = *end ? end + 1 : end;
	*end = '\0';
	return s;
}

static bool parse_s64(const char *s, int64_t *v)
{
	bool negative = *s == '-';
	uint64_t mag;

	if (!parse_u64(s + negative, &mag))
		return false;
	if (negative ? mag > (uint64_t)INT64_MAX + 1 : mag > INT64_MAX)
		return false;
	*v = negative ? (int64_t)(0 - mag) : (int64_t)mag;
	return true;
}

static bool bad(struct fields *p, const char *why)
{
	p->why = why;
	return false;
}

/* "file:line": the line number is after the last ':', and fits the kernel's u32 */
static bool parse_location(struct fields *p, struct record *r)
{
	char *tok = next_token(p), *colon;

	if (!tok)
		return bad(p, "no FILE:LINE");
	colon = strrchr(tok, ':');
	if (!colon || colon == tok)
		return bad(p, "no FILE:LINE");
	*colon = '\0';
	if (!parse_u64(colon + 1, &r->line) || r->line > UINT32_MAX)
		return bad(p, "bad line number");
	r->file = tok;
	return true;
}

/* Optional key:value pairs after func:NAME; unknown keys are ignored. */
static bool parse_pairs(struct fields *p, struct record *r)
{
	char *tok;

	while ((tok = next_token(p))) {
		char *colon = strchr(tok, ':');

		if (!colon || colon == tok)
			return bad(p, "a field after func:NAME is not KEY:VALUE");
		if (!strncmp(tok, "accurate:", 9))
			r->accurate = strcmp(colon + 1, "no") != 0;
	}
	return true;
}

static bool parse_fields(struct fields *p, struct record *r)
{
	int64_t bytes;
	uint64_t calls;
	char *tok;

	if (!(tok = next_token(p)) || !parse_s64(tok, &bytes))
		return bad(p, "bad byte count");
	if (!(tok = next_token(p)) || !parse_u64(tok, &calls))
		return bad(p, "bad call count");
	*r = (struct record){ .bytes = bytes, .calls = calls, .accurate = true };
	if (!parse_location(p, r))
		return false;
	tok = next_token(p);
	if (tok && *tok == '[') {
		size_t len = strlen(tok);

		if (len < 3 || tok[len - 1] != ']')
			return bad(p, "module not in [brackets]");
		tok[len - 1] = '\0';
		r->module = tok + 1;
		tok = next_token(p);
	}
	if (!tok || strncmp(tok, "func:", 5) || !tok[5])
		return bad(p, "no func:NAME");
	r->function = tok + 5;
	/* what --format allocinfo writes must read back: a line stays in bounds */
	if (strlen(r->file) > PARSE_NAME_MAX || strlen(r->function) > PARSE_NAME_MAX ||
	    (r->module && strlen(r->module) > PARSE_NAME_MAX))
		return bad(p, "a name longer than 4096 bytes");
	return parse_pairs(p, r);
}

/* "allocinfo - version: 1.x" or "2.x" (trailing white space allowed) */
static bool header_ok(const char *line)
{
	static const char prefix[] = "allocinfo - version: ";
	const char *v = line + sizeof(prefix) - 1;
	size_t digits;

	if (strncmp(line, prefix, sizeof(prefix) - 1) || (v[0] != '1' && v[0] != '2') ||
	    v[1] != '.')
		return false;
	digits = strspn(v + 2, "0123456789");
	return digits && !v[2 + digits + strspn(v + 2 + digits, " \t\r")];
}

static bool parse_header(struct reader *rd)
{
	int got = next_line(rd);

	if (got < 0)
		return false;	/* a NUL byte, a line too long, a read error */
	if (got == 0)
		return fail(rd, PARSE_EMPTY, "");
	if (!header_ok(rd->buf)) {
		/*
		 * Only a header of allocinfo's is shown: the first line of any
		 * other file (given by mistake, or to a sudo rule) is not echoed.
		 */
		if (strncmp(rd->buf, "allocinfo", 9))
			return fail(rd, PARSE_HEADER, "");
		rd->buf[strcspn(rd->buf, "\r")] = '\0';
		return fail(rd, PARSE_HEADER, rd->buf);
	}
	return true;
}

static bool parse_body(struct reader *rd, record_fn *fn, void *arg)
{
	int got;

	while ((got = next_line(rd)) > 0) {
		const char *start = rd->buf + strspn(rd->buf, " \t");
		struct fields p = { rd->buf, NULL };
		struct record r;

		if (*start == '#' || !start[strspn(start, " \t\r")])
			continue;
		if (!parse_fields(&p, &r))
			return fail(rd, PARSE_LINE, p.why);
		fn(&r, arg);
	}
	return got == 0;
}

bool text_parse(FILE *f, record_fn *fn, void *arg, struct parse_error *err)
{
	struct reader rd = { .f = f, .buf = xmalloc(PARSE_LINE_MAX + 1), .err = err };
	bool ok = parse_header(&rd) && parse_body(&rd, fn, arg);

	free(rd.buf);
	return ok;
}

int parse_problem(const char *label, const struct parse_error *err, char **why)
{
	static const char want_header[] = "expected 'allocinfo - version: 1.x' or '2.x'";

	switch (err->kind) {
	case PARSE_EMPTY:
		*why = xasprintf("%s:1: empty file, no allocinfo header: %s", label, want_header);
		return EX_DATAERR;
	case PARSE_HEADER:
		if (!err->detail[0])
			*why = xasprintf("%s:1: not an allocinfo file, its first line is no "
					 "allocinfo header: %s", label, want_header);
		else
			*why = xasprintf("%s:1: malformed header '%.40s': %s", label,
					 err->detail, want_header);
		return EX_DATAERR;
	case PARSE_LINE:
		*why = xasprintf("%s:%lu: malformed line (%s): expected "
				 "'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo",
				 label, err->line, err->detail);
		return EX_DATAERR;
	case PARSE_READ:
		break;
	}
	*why = xasprintf("cannot read %s: %s: check the file", label, err->detail);
	return EXIT_RUNTIME;
}

void die_parse(const char *label, const struct parse_error *err)
{
	char *why;
	int status = parse_problem(label, err, &why);

	die(status, "%s", why);
}
