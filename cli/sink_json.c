/*
 * JSON, one object, stable from the first release (schema 1):
 *
 *   {"schema": 1, "source": "ioctl", "allocations": [
 *     {"bytes": N, "calls": N, "file": S, "line": N, "module": S|null,
 *      "function": S, "accurate": B}],
 *    "total": {"bytes": N, "calls": N, "sites": N}}
 *
 * A diff adds old_bytes, old_calls, delta_bytes, delta_calls and change to
 * each object; --group-by prints "group_by" and "groups" (the key first,
 * then the sums and "sites") instead of "allocations"; --watch prints one
 * such object per line, with "time" and each row's change and rate.
 *
 * Written as it goes, a row at a time (a snapshot can hold a million), with
 * jansson encoding the strings. Numbers are written here, not by jansson,
 * whose integers are 64-bit: sums past 2^64 are exact too (JSON numbers
 * are text, of any length).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>

#include "errors.h"
#include "escape.h"
#include "sink.h"

/* Names come from files; JSON strings are UTF-8: other bytes become \xNN. */
void json_put_string(const char *s, FILE *out)
{
	json_t *j = json_string(s);

	if (!j) {
		char *utf8 = escape_not_utf8(s);

		j = json_string(utf8);
		free(utf8);
	}
	if (!j)
		die(EXIT_RUNTIME, "out of memory: free some memory or narrow the query");
	json_dumpf(j, out, JSON_ENCODE_ANY);
	json_decref(j);
}

static void member(const struct record *r, enum column c, bool first, FILE *out)
{
	struct cell v = cell_of(r, c);
	char num[COUNT_TEXT];

	fprintf(out, "%s\"%s\": ", first ? "" : ", ", column_names[c]);
	switch (v.kind) {
	case CELL_COUNT:
		fputs(count_text(v.n, num), out);
		break;
	case CELL_UNSIGNED:
		fprintf(out, "%" PRIu64, v.u);
		break;
	case CELL_BOOL:
		fputs(v.b ? "true" : "false", out);
		break;
	case CELL_TEXT:
		if (v.text)
			json_put_string(v.text, out);
		else
			fputs("null", out);
		break;
	}
}

/* A group's key comes first. */
static void object(const struct report *rep, const struct record *r, FILE *out)
{
	enum column key = rep->q->group ? rep->all[rep->nall - 1] : NCOLUMNS;
	bool first = true;

	putc('{', out);
	if (key != NCOLUMNS) {
		member(r, key, true, out);
		first = false;
	}
	for (size_t i = 0; i < rep->nall; i++) {
		if (rep->all[i] == key)
			continue;
		member(r, rep->all[i], first, out);
		first = false;
	}
	putc('}', out);
}

static bool in_total(enum column c)
{
	return c == COL_BYTES || c == COL_CALLS || c == COL_OLD_BYTES || c == COL_OLD_CALLS ||
	       c == COL_DELTA_BYTES || c == COL_DELTA_CALLS || c == COL_RATE;
}

static void total(const struct report *rep, FILE *out)
{
	struct record t = total_row(&rep->total);
	bool first = true;

	fputs("\"total\": {", out);
	for (size_t i = 0; i < rep->nall; i++) {
		if (in_total(rep->all[i])) {
			member(&t, rep->all[i], first, out);
			first = false;
		}
	}
	member(&t, COL_SITES, false, out);
	putc('}', out);
}

static void json_print(const struct report *rep, FILE *out)
{
	const char *nl = rep->watching ? "" : "\n  ";

	fputs("{", out);
	if (rep->watching)
		fprintf(out, "\"time\": %.3f, ", rep->time);
	fputs("\"schema\": 1, \"source\": ", out);
	json_put_string(rep->source, out);
	if (rep->q->group) {
		fputs(", \"group_by\": ", out);
		if (rep->q->group == GROUP_DIR && rep->q->dir_depth)
			fprintf(out, "\"dir:%u\"", rep->q->dir_depth);
		else
			json_put_string(group_key_name(rep->q->group), out);
	}
	fprintf(out, ", \"%s\": [", rep->q->group ? "groups" : "allocations");
	for (size_t i = 0; i < rep->n && !ferror(out); i++) {
		fputs(i ? "," : "", out);
		fputs(nl, out);
		object(rep, &rep->rows[i], out);
	}
	fprintf(out, "%s], ", rep->n && !rep->watching ? "\n" : "");
	total(rep, out);
	fputs("}\n", out);
}

const struct sink sink_json = {
	.print = json_print,
};
