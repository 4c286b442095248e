/*
 * The text source: /proc/allocinfo as the kernel formats it, filtered here.
 * Also home of the one parser of that format.
 *
 *   allocinfo - version: 2.0
 *   #     <size>  <calls> <tag info>
 *           4096        1 arch/x86/events/rapl.c:717 func:init_rapl_pmus
 *          12288        3 fs/xfs/xfs_buf.c:123 [xfs] func:xfs_buf_alloc accurate:no
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "proc.h"
#include "source.h"

struct line_parser {
	char *next;		/* rest of the line */
	const char *why;	/* what is wrong with it */
};

static char *next_token(struct line_parser *p)
{
	char *s = p->next + strspn(p->next, " \t\r\n");
	char *end;

	if (!*s)
		return NULL;
	end = s + strcspn(s, " \t\r\n");
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

static bool fail(struct line_parser *p, const char *why)
{
	p->why = why;
	return false;
}

/* "file:line": the line number is after the last ':' */
static bool parse_location(struct line_parser *p, struct record *r)
{
	char *tok = next_token(p), *colon;

	if (!tok)
		return fail(p, "no FILE:LINE");
	colon = strrchr(tok, ':');
	if (!colon || colon == tok)
		return fail(p, "no FILE:LINE");
	*colon = '\0';
	if (!parse_u64(colon + 1, &r->line))
		return fail(p, "bad line number");
	r->file = tok;
	return true;
}

/* Optional key:value pairs after func:NAME; unknown keys are ignored. */
static bool parse_pairs(struct line_parser *p, struct record *r)
{
	char *tok;

	while ((tok = next_token(p))) {
		char *colon = strchr(tok, ':');

		if (!colon || colon == tok)
			return fail(p, "a field after func:NAME is not KEY:VALUE");
		if (!strncmp(tok, "accurate:", 9))
			r->accurate = strcmp(colon + 1, "no") != 0;
	}
	return true;
}

static bool parse_fields(struct line_parser *p, struct record *r)
{
	char *tok;

	*r = (struct record){ .accurate = true };
	if (!(tok = next_token(p)) || !parse_s64(tok, &r->bytes))
		return fail(p, "bad byte count");
	if (!(tok = next_token(p)) || !parse_u64(tok, &r->calls))
		return fail(p, "bad call count");
	if (!parse_location(p, r))
		return false;
	tok = next_token(p);
	if (tok && *tok == '[') {
		size_t len = strlen(tok);

		if (len < 3 || tok[len - 1] != ']')
			return fail(p, "module not in [brackets]");
		tok[len - 1] = '\0';
		r->module = tok + 1;
		tok = next_token(p);
	}
	if (!tok || strncmp(tok, "func:", 5) || !tok[5])
		return fail(p, "no func:NAME");
	r->function = tok + 5;
	return parse_pairs(p, r);
}

/* Returns NULL, or what is wrong with the line. The record points into it. */
static const char *parse_record(char *line, struct record *r)
{
	struct line_parser p = { line, NULL };

	return parse_fields(&p, r) ? NULL : p.why;
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
	return digits && !v[2 + digits + strspn(v + 2 + digits, " \t\r\n")];
}

static bool is_blank(const char *line)
{
	return !line[strspn(line, " \t\r\n")];
}

static void parse_body(FILE *f, const char *label, char **buf, size_t *size,
		       record_fn *fn, void *arg)
{
	unsigned long lineno = 1;

	while (getline(buf, size, f) >= 0) {
		const char *start = *buf + strspn(*buf, " \t");
		const char *why;
		struct record r;

		lineno++;
		if (*start == '#' || is_blank(start))
			continue;
		why = parse_record(*buf, &r);
		if (why)
			die(EX_DATAERR, "%s:%lu: malformed line (%s): expected "
			    "'BYTES CALLS FILE:LINE [MODULE] func:NAME' as in /proc/allocinfo",
			    label, lineno, why);
		fn(&r, arg);
	}
}

static void check_read(FILE *f, const char *label)
{
	if (ferror(f))
		die(EXIT_RUNTIME, "cannot read %s: %s: check the file", label,
		    strerror(errno));
}

void text_parse(FILE *f, const char *label, record_fn *fn, void *arg)
{
	char *buf = NULL;
	size_t size = 0;

	errno = 0;
	if (getline(&buf, &size, f) < 0) {
		check_read(f, label);
		die(EX_DATAERR, "%s:1: empty file, no allocinfo header: "
		    "expected 'allocinfo - version: 1.x' or '2.x'", label);
	}
	if (!header_ok(buf)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		die(EX_DATAERR, "%s:1: malformed header '%.40s': "
		    "expected 'allocinfo - version: 1.x' or '2.x'", label, buf);
	}
	parse_body(f, label, &buf, &size, fn, arg);
	free(buf);
	check_read(f, label);
}

void add_if_matches(const struct record *r, void *arg)
{
	const struct filter_sink *sink = arg;

	if (filter_matches(sink->filter, r))
		record_list_add(sink->out, r);
}

/*
 * One read of the whole file: true if no module came or went meanwhile.
 * A content id that cannot be read (no ioctl, or a broken one) only means
 * that nothing can be checked: the text is what this source stands on.
 */
static bool parse_once(const char *path, record_fn *fn, void *arg)
{
	int fd = proc_open_allocinfo();
	FILE *f = fdopen(fd, "r");
	uint64_t before, after;
	bool have_id, same;

	if (!f)
		die(EXIT_RUNTIME, "cannot read %s: %s: free some memory", path,
		    strerror(errno));
	have_id = allocinfo_content_id(fd, &before);
	text_parse(f, path, fn, arg);
	same = !have_id || !allocinfo_content_id(fd, &after) || after == before;
	fclose(f);
	return same;
}

void allocinfo_text_parse(record_fn *fn, void (*restart)(void *arg), void *arg)
{
	char *path = proc_path("allocinfo");

	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		if (parse_once(path, fn, arg)) {
			free(path);
			return;
		}
		restart(arg);
	}
	die_tags_changing();
}

static void clear_sink(void *arg)
{
	struct filter_sink *sink = arg;

	record_list_clear(sink->out);
}

static void read_text(const struct query *q, struct record_list *out)
{
	struct filter_sink sink = { &q->filter, out };

	allocinfo_text_parse(add_if_matches, clear_sink, &sink);
}

const struct source source_text = {
	.name = "text",
	.read = read_text,
};
