/*
 * The kernel's own text format (2.0), so that a consistent read can be
 * saved and read back (allocq --format allocinfo > before.txt). Names are
 * data here, as in CSV: written as they are.
 */
#include <inttypes.h>

#include "sink.h"

static void allocinfo_print(const struct report *rep, FILE *out)
{
	fputs("allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n", out);
	for (size_t i = 0; i < rep->n && !ferror(out); i++) {
		const struct record *r = &rep->rows[i];
		char bytes[COUNT_TEXT], calls[COUNT_TEXT];

		fprintf(out, "%12s %8s %s:%" PRIu64, count_text(r->bytes, bytes),
			count_text(r->calls, calls), r->file, r->line);
		if (r->module)
			fprintf(out, " [%s]", r->module);
		fprintf(out, " func:%s%s \n", r->function, r->accurate ? "" : " accurate:no");
	}
}

const struct sink sink_allocinfo = {
	.print = allocinfo_print,
};
