/* CSV as in RFC 4180: raw integers, empty module for built-in code. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sink.h"

static const struct output *out;

static void field(const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void value(const struct record *r, enum column c)
{
	switch (c) {
	case COL_BYTES:
		printf("%" PRId64, r->bytes);
		break;
	case COL_CALLS:
		printf("%" PRIu64, r->calls);
		break;
	case COL_FILE:
		field(r->file);
		break;
	case COL_LINE:
		printf("%" PRIu64, r->line);
		break;
	case COL_MODULE:
		field(r->module ? r->module : "");
		break;
	case COL_FUNCTION:
		field(r->function);
		break;
	case COL_ACCURATE:
		fputs(r->accurate ? "true" : "false", stdout);
		break;
	case NCOLUMNS:
		break;
	}
}

static void csv_begin(const struct output *o, const char *source,
		      const struct record *recs, size_t n)
{
	(void)source;
	(void)recs;
	(void)n;
	out = o;
	if (out->no_headings)
		return;
	for (size_t i = 0; i < out->ncolumns; i++)
		printf("%s%s", i ? "," : "", column_names[out->columns[i]]);
	putchar('\n');
}

static void csv_record(const struct record *r)
{
	for (size_t i = 0; i < out->ncolumns; i++) {
		if (i)
			putchar(',');
		value(r, out->columns[i]);
	}
	putchar('\n');
}

static void csv_end(void)
{
}

const struct sink sink_csv = {
	.begin = csv_begin,
	.record = csv_record,
	.end = csv_end,
};
