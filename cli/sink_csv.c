/*
 * CSV as in RFC 4180: raw integers, the names as they are (quoted where
 * they need it), an empty module for built-in code. --watch streams every
 * sample under one header, with a leading time column.
 */
#include <inttypes.h>
#include <string.h>

#include "sink.h"

static void field(const char *s, FILE *out)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

static void value(const struct record *r, enum column c, bool total, FILE *out)
{
	struct cell v = cell_of(r, c);
	char num[COUNT_TEXT];

	switch (v.kind) {
	case CELL_COUNT:
		fputs(count_text(v.n, num), out);
		break;
	case CELL_UNSIGNED:
		if (!total || c != COL_LINE)
			fprintf(out, "%" PRIu64, v.u);
		break;
	case CELL_BOOL:
		if (!total)
			fputs(v.b ? "true" : "false", out);
		break;
	case CELL_TEXT:
		if (!total)
			field(v.text ? v.text : "", out);
		break;
	}
}

static bool is_text(enum column c)
{
	struct cell v = cell_of(&(struct record){ 0 }, c);

	return v.kind == CELL_TEXT || v.kind == CELL_BOOL;
}

static void row(const struct report *rep, const struct record *r, bool total, FILE *out)
{
	bool labelled = false;

	if (rep->watching)
		fprintf(out, "%.3f,", rep->time);
	for (size_t i = 0; i < rep->ncols; i++) {
		if (i)
			putc(',', out);
		if (total && !labelled && is_text(rep->cols[i])) {
			fputs("(total)", out);
			labelled = true;
			continue;
		}
		value(r, rep->cols[i], total, out);
	}
	putc('\n', out);
}

static void csv_print(const struct report *rep, FILE *out)
{
	/* a stream has one header; a file rewritten each sample has its own */
	if (!rep->q->out.no_headings && (rep->sample == 0 || rep->q->out.file)) {
		if (rep->watching)
			fputs("time,", out);
		for (size_t i = 0; i < rep->ncols; i++)
			fprintf(out, "%s%s", i ? "," : "", column_names[rep->cols[i]]);
		putc('\n', out);
	}
	for (size_t i = 0; i < rep->n && !ferror(out); i++)
		row(rep, &rep->rows[i], false, out);
	if (rep->q->out.total) {
		struct record t = total_row(&rep->total);

		row(rep, &t, true, out);
	}
}

const struct sink sink_csv = {
	.print = csv_print,
};
