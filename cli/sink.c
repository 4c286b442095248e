#include <inttypes.h>
#include <stdio.h>

#include "sink.h"

void format_size(char *buf, size_t size, uint64_t mag, const char *sign)
{
	static const char units[] = "KMGTPE";
	uint64_t div = 1024, whole, tenths;
	int unit = 0;

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
		return (struct cell){ .kind = CELL_SIGNED, .s = r->bytes };
	case COL_CALLS:
		return (struct cell){ .kind = CELL_UNSIGNED, .u = r->calls };
	case COL_OLD_BYTES:
		return (struct cell){ .kind = CELL_SIGNED, .s = r->old_bytes };
	case COL_OLD_CALLS:
		return (struct cell){ .kind = CELL_UNSIGNED, .u = r->old_calls };
	case COL_DELTA_BYTES:
		return (struct cell){ .kind = CELL_SIGNED, .s = delta_bytes(r) };
	case COL_DELTA_CALLS:
		return (struct cell){ .kind = CELL_SIGNED, .s = delta_calls(r) };
	case COL_CHANGE:
		return (struct cell){ .kind = CELL_TEXT, .text = changes[r->change] };
	case COL_RATE:
		return (struct cell){ .kind = CELL_SIGNED, .s = r->rate };
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
