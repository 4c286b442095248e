/* The input source: a saved /proc/allocinfo (--input FILE, '-' for stdin). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "match.h"
#include "parse.h"
#include "source.h"
#include "stream.h"

bool filter_has_names(const struct filter *f)
{
	return f->files.n || f->funcs.n || f->modules.n;
}

void select_record(const struct record *r, void *arg)
{
	struct selection *sel = arg;

	if (sel->known)
		names_add(sel->known, r);
	if (sel->out && filter_matches(sel->filter, r))
		record_list_add(sel->out, r);
}

static const char *label(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

/* @path opened for the parser (a directory is no input either), or exits. */
static FILE *open_input(const char *option, const char *path, bool *again)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st = { 0 };
	FILE *f;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		fd = -1;
		errno = EISDIR;
	}
	if (fd < 0)
		die(EX_NOINPUT, "cannot open %s: %s: give a saved /proc/allocinfo to %s", path,
		    strerror(errno), option);
	*again = !is_stdin && S_ISREG(st.st_mode);
	f = stream_open(fd, label(path));
	if (!f)
		die(EXIT_RUNTIME, "out of memory: free some memory or narrow the query");
	return f;
}

static void parse(const char *path, FILE *in, struct selection *sel)
{
	struct parse_error err;

	if (!text_parse(in, select_record, sel, &err))
		die_parse(label(path), &err);
	fclose(in);
	if (sel->known)
		names_finish(sel->known);
}

struct names *input_read(const char *option, const char *path, const struct filter *f,
			 struct record_list *out)
{
	bool again;
	FILE *in = open_input(option, path, &again);
	/* names are for a name no record has: read them now only if never again */
	struct selection sel = { f, out, !again && filter_has_names(f) ? names_new() : NULL };

	parse(path, in, &sel);
	return sel.known;
}

struct names *input_names(const char *option, const char *path)
{
	bool again;
	FILE *in = open_input(option, path, &again);
	struct selection sel = { NULL, NULL, names_new() };

	parse(path, in, &sel);
	return sel.known;
}

static const char *input_path;
static struct names *seen;

static void read_input(const struct query *q, const struct filter *f,
		       struct record_list *out)
{
	names_free(seen);
	input_path = q->input;
	seen = input_read("--input", q->input, f, out);
}

static struct names *known_names(void)
{
	if (!seen)
		seen = input_names("--input", input_path);
	return seen;
}

const struct source source_input = {
	.name = "input",
	.read = read_input,
	.names = known_names,
};
