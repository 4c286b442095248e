/* The table: aligned columns like lsblk, numbers right-aligned. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sink.h"

static const char *const headers[NCOLUMNS] = {
	[COL_BYTES] = "BYTES",
	[COL_CALLS] = "CALLS",
	[COL_FILE] = "FILE",
	[COL_LINE] = "LINE",
	[COL_MODULE] = "MODULE",
	[COL_FUNCTION] = "FUNCTION",
	[COL_ACCURATE] = "ACCURATE",
};

static const struct output *out;
static size_t width[NCOLUMNS];

/* Sizes in powers of 1024 with at most one decimal: 512, 4K, 1.5M, 2G. */
static void human_size(char *buf, size_t size, int64_t bytes)
{
	static const char units[] = "KMGTPE";
	uint64_t mag = bytes < 0 ? 0 - (uint64_t)bytes : (uint64_t)bytes;
	uint64_t div = 1024, whole, tenths;
	int unit = 0;
	const char *sign = bytes < 0 ? "-" : "";

	if (mag < 1024) {
		snprintf(buf, size, "%s%" PRIu64, sign, mag);
		return;
	}
	while (unit < 5 && mag / div >= 1024) {
		div *= 1024;
		unit++;
	}
	whole = mag / div;
	tenths = ((mag % div) * 10 + div / 2) / div;	/* rounded */
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && unit < 5) {
		whole = 1;
		unit++;
	}
	if (tenths)
		snprintf(buf, size, "%s%" PRIu64 ".%" PRIu64 "%c", sign, whole, tenths,
			 units[unit]);
	else
		snprintf(buf, size, "%s%" PRIu64 "%c", sign, whole, units[unit]);
}

/* The text of one cell; numbers go to @buf. */
static const char *cell(const struct record *r, enum column c, char *buf, size_t size)
{
	switch (c) {
	case COL_BYTES:
		if (out->exact_bytes)
			snprintf(buf, size, "%" PRId64, r->bytes);
		else
			human_size(buf, size, r->bytes);
		return buf;
	case COL_CALLS:
		snprintf(buf, size, "%" PRIu64, r->calls);
		return buf;
	case COL_FILE:
		return r->file;
	case COL_LINE:
		snprintf(buf, size, "%" PRIu64, r->line);
		return buf;
	case COL_MODULE:
		return r->module ? r->module : "-";
	case COL_FUNCTION:
		return r->function;
	case COL_ACCURATE:
		return r->accurate ? "yes" : "no";
	case NCOLUMNS:
		break;
	}
	return "";
}

static int right_aligned(enum column c)
{
	return c == COL_BYTES || c == COL_CALLS || c == COL_LINE;
}

static void print_row(const char *const cells[])
{
	for (size_t i = 0; i < out->ncolumns; i++) {
		enum column c = out->columns[i];
		int w = (int)width[c];

		if (i)
			putchar(' ');
		if (right_aligned(c))
			printf("%*s", w, cells[i]);
		else if (i + 1 < out->ncolumns)
			printf("%-*s", w, cells[i]);
		else
			fputs(cells[i], stdout);	/* no trailing blanks */
	}
	putchar('\n');
}

static void widen(enum column c, const char *text)
{
	size_t len = strlen(text);

	if (len > width[c])
		width[c] = len;
}

static void table_begin(const struct output *o, const char *source,
			const struct record *recs, size_t n)
{
	const char *cells[NCOLUMNS];
	char buf[32];

	(void)source;
	out = o;
	memset(width, 0, sizeof(width));
	for (size_t i = 0; i < out->ncolumns; i++) {
		enum column c = out->columns[i];

		cells[i] = headers[c];
		if (!out->no_headings)
			widen(c, headers[c]);
		for (size_t j = 0; j < n; j++)
			widen(c, cell(&recs[j], c, buf, sizeof(buf)));
	}
	if (!out->no_headings)
		print_row(cells);
}

static void table_record(const struct record *r)
{
	char bufs[NCOLUMNS][32];
	const char *cells[NCOLUMNS];

	for (size_t i = 0; i < out->ncolumns; i++)
		cells[i] = cell(r, out->columns[i], bufs[i], sizeof(bufs[i]));
	print_row(cells);
}

static void table_end(void)
{
}

const struct sink sink_table = {
	.begin = table_begin,
	.record = table_record,
	.end = table_end,
};
