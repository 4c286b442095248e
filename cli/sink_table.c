/*
 * The table: aligned columns like lsblk, numbers right-aligned, sizes
 * human-readable unless --bytes, changes signed. Names are escaped: a
 * snapshot can carry terminal control sequences.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "sink.h"

#define TOTAL_LABEL "(total)"

static bool is_change(enum column c)
{
	return c == COL_DELTA_BYTES || c == COL_DELTA_CALLS;
}

/*
 * The text of one cell: numbers are written to @buf; names are returned as
 * they are and *@raw is set (they are escaped when measured and printed).
 */
static const char *cell_text(const struct report *rep, const struct record *r,
			     enum column c, bool total, char buf[48], bool *raw)
{
	struct cell v = cell_of(r, c);

	*raw = false;
	switch (v.kind) {
	case CELL_COUNT: {
		const char *plus = is_change(c) && v.n > 0 ? "+" : "";
		char num[COUNT_TEXT];

		if (column_is_size(c) && !rep->q->out.exact_bytes)
			format_size(buf, 44, v.n, plus);
		else
			snprintf(buf, 44, "%s%s", plus, count_text(v.n, num));
		if (c == COL_RATE)
			strcat(buf, "/s");
		return buf;
	}
	case CELL_UNSIGNED:
		if (total && c == COL_LINE)
			return "";
		snprintf(buf, 48, "%" PRIu64, v.u);
		return buf;
	case CELL_BOOL:
		return total ? "" : v.b ? "yes" : "no";
	case CELL_TEXT:
		break;
	}
	if (total)
		return "";
	*raw = true;
	return v.text ? v.text : "-";
}

static bool right_aligned(enum column c)
{
	struct cell v = cell_of(&(struct record){ 0 }, c);

	return v.kind == CELL_COUNT || v.kind == CELL_UNSIGNED;
}

static const char *header(enum column c, char *buf, size_t size)
{
	size_t i;

	for (i = 0; column_names[c][i] && i + 1 < size; i++)
		buf[i] = (char)(column_names[c][i] == '_' ? '-' : column_names[c][i] - 32);
	buf[i] = '\0';
	return buf;
}

enum row_kind { ROW_HEADER, ROW_RECORD, ROW_TOTAL };

/* The text of column @i of a row; the total's label in its first column of names. */
static const char *row_cell(const struct report *rep, enum row_kind kind,
			    const struct record *r, size_t i, char buf[48], bool *raw)
{
	enum column c = rep->cols[i];

	*raw = false;
	if (kind == ROW_HEADER)
		return header(c, buf, 48);
	if (kind == ROW_TOTAL && !right_aligned(c)) {
		bool first = true;

		for (size_t j = 0; j < i; j++)
			first = first && right_aligned(rep->cols[j]);
		if (first)
			return TOTAL_LABEL;
	}
	return cell_text(rep, r, c, kind == ROW_TOTAL, buf, raw);
}

static size_t text_width(const char *s, bool raw)
{
	return raw ? escape_width(s) : strlen(s);
}

static void measure(const struct report *rep, enum row_kind kind, const struct record *r,
		    size_t width[])
{
	char buf[48];
	bool raw;

	for (size_t i = 0; i < rep->ncols; i++) {
		const char *s = row_cell(rep, kind, r, i, buf, &raw);
		size_t w = text_width(s, raw);

		if (w > width[i])
			width[i] = w;
	}
}

static void print_row(const struct report *rep, enum row_kind kind, const struct record *r,
		      const size_t width[], FILE *out)
{
	char buf[48];
	bool raw;

	for (size_t i = 0; i < rep->ncols; i++) {
		const char *s = row_cell(rep, kind, r, i, buf, &raw);
		int pad = (int)(width[i] - text_width(s, raw));

		if (i)
			putc(' ', out);
		if (right_aligned(rep->cols[i]))
			fprintf(out, "%*s", pad, "");
		if (raw)
			escape_put(s, out);
		else
			fputs(s, out);
		if (!right_aligned(rep->cols[i]) && i + 1 < rep->ncols)
			fprintf(out, "%*s", pad, "");	/* no trailing blanks */
	}
	putc('\n', out);
}

static void print_time(const struct report *rep, FILE *out)
{
	time_t secs = (time_t)rep->time;
	struct tm tm;
	char buf[32];

	localtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "# %s.%03d\n", buf, (int)((rep->time - (double)secs) * 1000));
}

/* Two passes over the rows, measuring then printing: nothing is kept. */
static void table_print(const struct report *rep, FILE *out)
{
	bool headings = !rep->q->out.no_headings, total = rep->q->out.total;
	struct record t = total_row(&rep->total);
	size_t width[NCOLUMNS] = { 0 };

	if (headings)
		measure(rep, ROW_HEADER, NULL, width);
	for (size_t r = 0; r < rep->n; r++)
		measure(rep, ROW_RECORD, &rep->rows[r], width);
	if (total)
		measure(rep, ROW_TOTAL, &t, width);
	if (rep->watching)
		print_time(rep, out);
	if (headings)
		print_row(rep, ROW_HEADER, NULL, width, out);
	for (size_t r = 0; r < rep->n && !ferror(out); r++)
		print_row(rep, ROW_RECORD, &rep->rows[r], width, out);
	if (total)
		print_row(rep, ROW_TOTAL, &t, width, out);
}

const struct sink sink_table = {
	.print = table_print,
};
