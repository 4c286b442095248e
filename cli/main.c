/*
 * allocq: options -> query -> source -> records -> sort, limit -> sink.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "proc.h"
#include "query.h"
#include "sink.h"
#include "source.h"

#ifndef ALLOCQ_VERSION
#define ALLOCQ_VERSION "unknown"
#endif

const char *argp_program_version = "allocq " ALLOCQ_VERSION;

enum {
	GROUP_FILTERS = 1,
	GROUP_SOURCE,
	GROUP_OUTPUT,
};

/* Keys of the options that have no short form. */
enum {
	OPT_LINE = 0x100,
	OPT_MIN_SIZE,
	OPT_MAX_SIZE,
	OPT_ACCURATE,
	OPT_INACCURATE,
	OPT_SOURCE,
	OPT_FORMAT,
	OPT_CSV,
	OPT_LIMIT,
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0,
	  "Filters (a record must pass every flag; a flag given several times "
	  "passes any of its values):", GROUP_FILTERS },
	{ "file", 'f', "PATH", 0,
	  "Source file: with a '/', the path as in /proc/allocinfo; without, a "
	  "basename (rapl.c matches arch/x86/events/rapl.c)", GROUP_FILTERS },
	{ "func", 'F', "NAME", 0, "Function name", GROUP_FILTERS },
	{ "module", 'm', "NAME", 0, "Module name", GROUP_FILTERS },
	{ "builtin", 'B', NULL, 0,
	  "Code built into the kernel image (ORs with --module)", GROUP_FILTERS },
	{ "line", OPT_LINE, "N", 0, "Line number", GROUP_FILTERS },
	{ "min-size", OPT_MIN_SIZE, "SIZE", 0, "At least SIZE bytes", GROUP_FILTERS },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0, "At most SIZE bytes", GROUP_FILTERS },
	{ "accurate", OPT_ACCURATE, NULL, 0, "Only counters flagged accurate",
	  GROUP_FILTERS },
	{ "inaccurate", OPT_INACCURATE, NULL, 0, "Only counters flagged inaccurate",
	  GROUP_FILTERS },

	{ NULL, 0, NULL, 0, "Source:", GROUP_SOURCE },
	{ "source", OPT_SOURCE, "SOURCE", 0,
	  "auto (default: the ioctl where the kernel has it, else the text "
	  "file), ioctl or text", GROUP_SOURCE },
	{ "input", 'i', "FILE", 0,
	  "Read a saved /proc/allocinfo ('-': standard input) instead of the "
	  "kernel", GROUP_SOURCE },

	{ NULL, 0, NULL, 0, "Output:", GROUP_OUTPUT },
	{ "format", OPT_FORMAT, "FORMAT", 0, "table (default), csv or json",
	  GROUP_OUTPUT },
	{ "json", 'J', NULL, 0, "Same as --format=json", GROUP_OUTPUT },
	{ "csv", OPT_CSV, NULL, 0, "Same as --format=csv", GROUP_OUTPUT },
	{ "output", 'o', "LIST", 0,
	  "Columns of the table or CSV, comma separated, from bytes, calls, "
	  "file, line, module, function, accurate (default: all, in this order)",
	  GROUP_OUTPUT },
	{ "bytes", 'b', NULL, 0, "Exact byte counts in the table (default: human sizes)",
	  GROUP_OUTPUT },
	{ "no-headings", 'n', NULL, 0, "No header line", GROUP_OUTPUT },
	{ "sort", 's', "KEY", 0,
	  "bytes (default) or calls, largest first; file, func, module or line, "
	  "ascending", GROUP_OUTPUT },
	{ "reverse", 'r', NULL, 0, "Reverse the sort order", GROUP_OUTPUT },
	{ "limit", OPT_LIMIT, "N", 0, "Print at most N records", GROUP_OUTPUT },
	{ 0 }
};

static const char doc[] =
	"Query kernel memory allocation profiling (/proc/allocinfo).\v"
	"SIZE is a non-negative integer with an optional suffix K, M, G or T "
	"(also KiB..., k...), powers of 1024.\n\n"
	"Exit status: 0 success (also when nothing matched), 1 run-time error, "
	"64 usage error, 65 malformed input, 66 no /proc/allocinfo or no --input "
	"file, 69 no ioctl interface for --source=ioctl, 75 the tag set kept "
	"changing, 77 permission denied.\n\n"
	"Environment: ALLOCQ_PROC (default /proc), ALLOCQ_CACHE_DIR (default "
	"${XDG_CACHE_HOME:-$HOME/.cache}/allocq).";

struct choice {
	const char *name;
	int value;
};

/* The value of @arg among @choices, or a usage error naming them. */
static int choose(const char *what, const char *arg, const struct choice *choices,
		  const char *valid)
{
	for (; choices->name; choices++)
		if (!strcmp(arg, choices->name))
			return choices->value;
	die(EX_USAGE, "unknown %s '%s': use %s", what, arg, valid);
}

static const struct choice sort_keys[] = {
	{ "bytes", SORT_BYTES }, { "calls", SORT_CALLS }, { "file", SORT_FILE },
	{ "func", SORT_FUNC }, { "module", SORT_MODULE }, { "line", SORT_LINE },
	{ NULL, 0 }
};

static const struct choice formats[] = {
	{ "table", FORMAT_TABLE }, { "csv", FORMAT_CSV }, { "json", FORMAT_JSON },
	{ NULL, 0 }
};

static const struct choice sources[] = {
	{ "auto", SOURCE_AUTO }, { "ioctl", SOURCE_IOCTL }, { "text", SOURCE_TEXT },
	{ NULL, 0 }
};

static uint64_t number(const char *option, const char *arg)
{
	uint64_t v;

	if (!parse_u64(arg, &v))
		die(EX_USAGE, "invalid number '%s' for %s: use a non-negative integer",
		    arg, option);
	return v;
}

static uint64_t size(const char *option, const char *arg)
{
	uint64_t v;

	if (!parse_size(arg, &v))
		die(EX_USAGE, "invalid size '%s' for %s: use a non-negative integer with an "
		    "optional K, M, G or T suffix (powers of 1024)", arg, option);
	return v;
}

static void add_name(struct strlist *list, const char *option, const char *arg)
{
	if (!*arg)
		die(EX_USAGE, "empty name for %s: give a name%s", option,
		    strcmp(option, "--module") ? "" : ", or --builtin for built-in code");
	strlist_add(list, arg);
}

/* A flag given several times ORs its values: the loosest bound wins. */
static void set_min(struct filter *f, uint64_t v)
{
	f->min = f->has_min && f->min < v ? f->min : v;
	f->has_min = true;
}

static void set_max(struct filter *f, uint64_t v)
{
	f->max = f->has_max && f->max > v ? f->max : v;
	f->has_max = true;
}

static void set_accuracy(struct filter *f, enum accuracy a)
{
	if (f->accuracy != ACCURACY_ANY && f->accuracy != a)
		die(EX_USAGE, "--accurate and --inaccurate exclude each other: give one of them");
	f->accuracy = a;
}

static void set_columns(struct output *out, const char *arg)
{
	const char *bad;

	if (!parse_columns(arg, out, &bad))
		die(EX_USAGE, "bad column '%.*s' in --output: list each of bytes, calls, "
		    "file, line, module, function, accurate at most once, comma separated",
		    (int)strcspn(bad, ","), bad);
}

static void check_query(const struct query *q)
{
	const struct filter *f = &q->filter;

	if (f->has_min && f->has_max && f->min > f->max)
		die(EX_USAGE, "--min-size (%" PRIu64 " bytes) is above --max-size (%" PRIu64
		    " bytes): give a minimum no larger than the maximum", f->min, f->max);
	if (q->input && q->source == SOURCE_IOCTL)
		die(EX_USAGE, "--input reads a saved file, not the kernel's ioctl: "
		    "drop --source=ioctl or --input");
}

static error_t parse_filter(int key, char *arg, struct filter *f)
{
	switch (key) {
	case 'f': add_name(&f->files, "--file", arg); break;
	case 'F': add_name(&f->funcs, "--func", arg); break;
	case 'm': add_name(&f->modules, "--module", arg); break;
	case 'B': f->builtin = true; break;
	case OPT_LINE: numlist_add(&f->lines, number("--line", arg)); break;
	case OPT_MIN_SIZE: set_min(f, size("--min-size", arg)); break;
	case OPT_MAX_SIZE: set_max(f, size("--max-size", arg)); break;
	case OPT_ACCURATE: set_accuracy(f, ACCURACY_ACCURATE); break;
	case OPT_INACCURATE: set_accuracy(f, ACCURACY_INACCURATE); break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t parse_output(int key, char *arg, struct query *q)
{
	switch (key) {
	case OPT_FORMAT:
		q->out.format = choose("format", arg, formats, "table, csv or json");
		break;
	case 'J': q->out.format = FORMAT_JSON; break;
	case OPT_CSV: q->out.format = FORMAT_CSV; break;
	case 'o': set_columns(&q->out, arg); break;
	case 'b': q->out.exact_bytes = true; break;
	case 'n': q->out.no_headings = true; break;
	case 's':
		q->sort = choose("sort key", arg, sort_keys,
				 "bytes, calls, file, func, module or line");
		break;
	case 'r': q->reverse = true; break;
	case OPT_LIMIT:
		q->limit = number("--limit", arg);
		q->has_limit = true;
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct query *q = state->input;

	switch (key) {
	case OPT_SOURCE:
		q->source = choose("source", arg, sources, "auto, ioctl or text");
		return 0;
	case 'i':
		q->input = arg;
		return 0;
	case ARGP_KEY_ARG:
		die(EX_USAGE, "unexpected argument '%s': allocq takes only options "
		    "(see allocq --help)", arg);
	case ARGP_KEY_END:
		check_query(q);
		return 0;
	}
	if (parse_filter(key, arg, &q->filter) == 0)
		return 0;
	return parse_output(key, arg, q);
}

static const struct argp argp = { options, parse_option, NULL, doc, NULL, NULL, NULL };

/* Picked once; only the ioctl needs a question to the kernel to decide. */
static const struct source *pick_source(const struct query *q)
{
	if (q->input)
		return &source_input;
	if (q->source == SOURCE_TEXT)
		return &source_text;
	if (ioctl_available())
		return &source_ioctl;
	if (q->source == SOURCE_IOCTL)
		die(EX_UNAVAILABLE, "this kernel has no /proc/allocinfo ioctl interface "
		    "(it needs Linux 7.3+, or 7.2 with allocq's patches): use --source=text");
	return &source_text;
}

static const struct sink *const sinks[] = {
	[FORMAT_TABLE] = &sink_table,
	[FORMAT_CSV] = &sink_csv,
	[FORMAT_JSON] = &sink_json,
};

/*
 * SIGPIPE is ignored, so a reader that went away (allocq | head -1) shows
 * up as EPIPE: allocq then stops printing and exits 0, quietly. stdio drops
 * what a failed write held, so the error is taken when it is first seen.
 */
static int write_error;

static bool output_failed(void)
{
	if (!write_error && ferror(stdout))
		write_error = errno ? errno : EIO;
	return write_error != 0;
}

static void finish_output(void)
{
	if (fflush(stdout) != 0 && !write_error)
		write_error = errno;
	if (!output_failed() || write_error == EPIPE)
		return;
	die(EXIT_RUNTIME, "cannot write the output: %s: check the disk or the reader",
	    strerror(write_error));
}

static void print(const struct query *q, const char *source, const struct record_list *recs)
{
	const struct sink *sink = sinks[q->out.format];
	size_t n = recs->n;

	if (q->has_limit && q->limit < n)
		n = (size_t)q->limit;
	sink->begin(&q->out, source, recs->v, n);
	for (size_t i = 0; i < n && !output_failed(); i++)
		sink->record(&recs->v[i]);
	sink->end();
	finish_output();
}

int main(int argc, char **argv)
{
	struct record_list recs = { 0 };
	const struct source *source;
	struct query q;

	signal(SIGPIPE, SIG_IGN);
	/* getopt names the program by argv[0] in its messages: say "allocq" */
	argv[0] = (char *)"allocq";
	query_init(&q);
	argp_parse(&argp, argc, argv, 0, NULL, &q);
	source = pick_source(&q);
	source->read(&q, &recs);
	record_list_sort(&recs, q.sort, q.reverse);
	print(&q, source->name, &recs);
	record_list_free(&recs);
	query_free(&q);
	return 0;
}
