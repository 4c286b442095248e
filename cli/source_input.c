/* The input source: a saved /proc/allocinfo (--input FILE, '-' for stdin). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "errors.h"
#include "match.h"
#include "parse.h"
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

bool filter_has_names(const struct filter *f)
{
	return f->files.n || f->funcs.n || f->modules.n;
}

void select_record(const struct record *r, void *arg)
{
	struct selection *sel = arg;

	if (sel->known)
		names_add(sel->known, r);
	if (filter_matches(sel->filter, r))
		record_list_add(sel->out, r);
}

void input_read(const char *option, const char *path, const struct filter *f,
		struct record_list *out, struct names *known)
{
	struct selection sel = { f, out, known };
	bool is_stdin = !strcmp(path, "-");
	FILE *in = is_stdin ? stdin : open_file(path);
	struct parse_error err;

	if (!in)
		die(EX_NOINPUT, "cannot open %s: %s: give a saved /proc/allocinfo to %s", path,
		    strerror(errno), option);
	text_buffer(in);
	if (!text_parse(in, select_record, &sel, &err))
		die_parse(is_stdin ? "<stdin>" : path, &err);
	if (!is_stdin)
		fclose(in);
	if (known)
		names_finish(known);
}

static struct names *seen;

static void read_input(const struct query *q, const struct filter *f,
		       struct record_list *out)
{
	names_free(seen);
	seen = filter_has_names(f) ? names_new() : NULL;
	input_read("--input", q->input, f, out, seen);
}

static struct names *input_names(void)
{
	return seen;
}

const struct source source_input = {
	.name = "input",
	.read = read_input,
	.names = input_names,
};
