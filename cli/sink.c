#include <inttypes.h>
#include <stdio.h>

#include "sink.h"

/* The decimal digits of @v, ending before @end; returns where they start. */
static char *put_digits(unsigned __int128 v, char *end)
{
	uint64_t low;

	/* a 128-bit division is a call into libgcc: only while the value needs it */
	for (; v > UINT64_MAX; v /= 10)
		*--end = (char)('0' + (int)(v % 10));
	low = (uint64_t)v;
	do
		*--end = (char)('0' + (int)(low % 10));
	while (low /= 10);
	return end;
}

static unsigned __int128 magnitude(count_t v)
{
	return v < 0 ? 0 - (unsigned __int128)v : (unsigned __int128)v;
}

const char *count_text(count_t v, char buf[COUNT_TEXT])
{
	char *p = buf + COUNT_TEXT - 1;

	*p = '\0';
	p = put_digits(magnitude(v), p);
	if (v < 0)
		*--p = '-';
	return p;
}

/* Sums stay below 2^96 (see count_t): whole exbibytes fit 64 bits. */
void format_size(char *buf, size_t size, count_t bytes, const char *plus)
{
	static const char units[] = "KMGTPE";
	const char *sign = bytes < 0 ? "-" : plus;
	unsigned __int128 mag = magnitude(bytes);
	uint64_t div = 1024, whole, tenths;
	int unit = 0;

	if (mag < 1024) {
		snprintf(buf, size, "%s%" PRIu64, sign, (uint64_t)mag);
		return;
	}
	while (unit < 5 && mag / div >= 1024) {
		div *= 1024;
		unit++;
	}
	whole = (uint64_t)(mag / div);
	tenths = ((uint64_t)(mag % div) * 10 + div / 2) / div;	/* rounded */
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

bool column_is_size(enum column c)
{
	return c == COL_BYTES || c == COL_OLD_BYTES || c == COL_DELTA_BYTES || c == COL_RATE;
}

static const char *const changes[] = {
	[CHANGE_NONE] = "unchanged",
	[CHANGE_CHANGED] = "changed",
	[CHANGE_NEW] = "new",
	[CHANGE_GONE] = "gone",
};

struct cell cell_of(const struct record *r, enum column c)
{
	switch (c) {
	case COL_BYTES:
		return (struct cell){ .kind = CELL_COUNT, .n = r->bytes };
	case COL_CALLS:
		return (struct cell){ .kind = CELL_COUNT, .n = r->calls };
	case COL_OLD_BYTES:
		return (struct cell){ .kind = CELL_COUNT, .n = r->old_bytes };
	case COL_OLD_CALLS:
		return (struct cell){ .kind = CELL_COUNT, .n = r->old_calls };
	case COL_DELTA_BYTES:
		return (struct cell){ .kind = CELL_COUNT, .n = delta_bytes(r) };
	case COL_DELTA_CALLS:
		return (struct cell){ .kind = CELL_COUNT, .n = delta_calls(r) };
	case COL_CHANGE:
		return (struct cell){ .kind = CELL_TEXT, .text = changes[r->change] };
	case COL_RATE:
		return (struct cell){ .kind = CELL_COUNT, .n = r->rate };
	case COL_SITES:
		return (struct cell){ .kind = CELL_UNSIGNED, .u = r->sites };
	case COL_FILE:
	case COL_DIR:
		return (struct cell){ .kind = CELL_TEXT, .text = r->file };
	case COL_LINE:
		return (struct cell){ .kind = CELL_UNSIGNED, .u = r->line };
	case COL_MODULE:
		return (struct cell){ .kind = CELL_TEXT, .text = r->module };
	case COL_FUNCTION:
		return (struct cell){ .kind = CELL_TEXT, .text = r->function };
	case COL_ACCURATE:
		return (struct cell){ .kind = CELL_BOOL, .b = r->accurate };
	case NCOLUMNS:
		break;
	}
	return (struct cell){ .kind = CELL_TEXT };
}

struct record total_row(const struct total *t)
{
	return (struct record){
		.bytes = t->bytes, .calls = t->calls, .old_bytes = t->old_bytes,
		.old_calls = t->old_calls, .sites = t->sites, .rate = t->rate,
		.change = CHANGE_NONE, .accurate = true,
	};
}
