/* The input source: a saved /proc/allocinfo (--input FILE, '-' for stdin). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "errors.h"
#include "source.h"

/* fopen, but a directory is no input either */
static FILE *open_file(const char *path)
{
	FILE *f = fopen(path, "re");
	struct stat st;

	if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	return f;
}

static void read_input(const struct query *q, struct record_list *out)
{
	struct filter_sink sink = { &q->filter, out };
	bool is_stdin = !strcmp(q->input, "-");
	FILE *f = is_stdin ? stdin : open_file(q->input);

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
