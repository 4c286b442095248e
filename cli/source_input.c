/* The input source: a saved /proc/allocinfo (--input FILE, '-' for stdin). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "source.h"

static void read_input(const struct query *q, struct record_list *out)
{
	struct filter_sink sink = { &q->filter, out };
	bool is_stdin = !strcmp(q->input, "-");
	FILE *f = is_stdin ? stdin : fopen(q->input, "re");

	if (!f)
		die(EX_NOINPUT, "cannot open %s: %s: give a saved /proc/allocinfo to --input",
		    q->input, strerror(errno));
	text_parse(f, is_stdin ? "<stdin>" : q->input, add_if_matches, &sink);
	if (!is_stdin)
		fclose(f);
}

const struct source source_input = {
	.name = "input",
	.read = read_input,
};
