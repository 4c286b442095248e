#define _GNU_SOURCE
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "options.h"

#ifndef ALLOCQ_VERSION
#define ALLOCQ_VERSION "unknown"
#endif

const char *argp_program_version = "allocq " ALLOCQ_VERSION;

enum {
	GROUP_FILTERS = 1,
	GROUP_SOURCE,
	GROUP_ANALYSIS,
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
	OPT_DIFF,
	OPT_TOTAL,
	OPT_FORMAT,
	OPT_CSV,
	OPT_LIMIT,
	OPT_OUTPUT_FILE,
	OPT_STATUS,
	OPT_WATCH,
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0,
	  "Filters (a record must pass every flag; a flag given several times "
	  "passes any of its values; a name with *, ? or [ is a shell pattern):",
	  GROUP_FILTERS },
	{ "file", 'f', "PATH", 0,
	  "Source file: with a '/', the path as in /proc/allocinfo; without, a "
	  "basename (rapl.c matches arch/x86/events/rapl.c)", GROUP_FILTERS },
	{ "func", 'F', "NAME", 0, "Function name", GROUP_FILTERS },
	{ "module", 'm', "NAME", 0, "Module name", GROUP_FILTERS },
	{ "builtin", 'B', NULL, 0,
	  "Code built into the kernel image (ORs with --module)", GROUP_FILTERS },
	{ "line", OPT_LINE, "N", 0, "Line number", GROUP_FILTERS },
	{ "min-size", OPT_MIN_SIZE, "SIZE", 0,
	  "At least SIZE bytes (of a row: a call site, a group, or with --diff the "
	  "change either way)", GROUP_FILTERS },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0, "At most SIZE bytes (as --min-size)",
	  GROUP_FILTERS },
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

	{ NULL, 0, NULL, 0, "Analysis:", GROUP_ANALYSIS },
	{ "diff", OPT_DIFF, "OLD", 0,
	  "What changed since OLD, a saved /proc/allocinfo ('-': standard input): "
	  "call sites that grew, shrank, are new or gone", GROUP_ANALYSIS },
	{ "group-by", 'g', "KEY", 0,
	  "Add up call sites by module, file, function, dir or dir:N (the first N "
	  "directories of the file)", GROUP_ANALYSIS },
	{ "total", OPT_TOTAL, NULL, 0, "A total line after the rows (table, CSV)",
	  GROUP_ANALYSIS },
	{ "watch", 'w', "SECONDS", OPTION_ARG_OPTIONAL,
	  "Repeat the query every SECONDS (default 2, at least 0.1) until "
	  "interrupted: a full-screen view on a terminal, else a stream of samples "
	  "with the change since the first and the rate", GROUP_ANALYSIS },
	{ "count", 'c', "N", 0, "With --watch: stop after N samples", GROUP_ANALYSIS },
	{ "status", OPT_STATUS, NULL, 0,
	  "Say what allocq sees (kernel, /proc/allocinfo, profiling, ioctl) and "
	  "exit with the status a query would get", GROUP_ANALYSIS },

	{ NULL, 0, NULL, 0, "Output:", GROUP_OUTPUT },
	{ "format", OPT_FORMAT, "FORMAT", 0,
	  "table (default), csv, json, allocinfo (the kernel's text format) or "
	  "prometheus", GROUP_OUTPUT },
	{ "json", 'J', NULL, 0, "Same as --format=json", GROUP_OUTPUT },
	{ "csv", OPT_CSV, NULL, 0, "Same as --format=csv", GROUP_OUTPUT },
	{ "output", 'o', "LIST", 0,
	  "Columns of the table or CSV, comma separated (default: every column of "
	  "the rows; see allocq(1))", GROUP_OUTPUT },
	{ "bytes", 'b', NULL, 0, "Exact byte counts in the table (default: human sizes)",
	  GROUP_OUTPUT },
	{ "no-headings", 'n', NULL, 0, "No header line", GROUP_OUTPUT },
	{ "sort", 's', "KEY", 0,
	  "bytes (default), calls, delta (the change in bytes; default with "
	  "--diff) or sites, largest first; file, func, module or line, ascending",
	  GROUP_OUTPUT },
	{ "reverse", 'r', NULL, 0, "Reverse the sort order", GROUP_OUTPUT },
	{ "limit", OPT_LIMIT, "N", 0, "Print at most N rows", GROUP_OUTPUT },
	{ "output-file", OPT_OUTPUT_FILE, "FILE", 0,
	  "Write to FILE, not to standard output: a regular file atomically (a "
	  "temporary file renamed over it), a device or FIFO in place", GROUP_OUTPUT },
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
	{ "delta", SORT_DELTA }, { "sites", SORT_SITES },
	{ NULL, 0 }
};

static const struct choice formats[] = {
	{ "table", FORMAT_TABLE }, { "csv", FORMAT_CSV }, { "json", FORMAT_JSON },
	{ "allocinfo", FORMAT_ALLOCINFO }, { "prometheus", FORMAT_PROMETHEUS },
	{ NULL, 0 }
};

static const struct choice sources[] = {
	{ "auto", SOURCE_AUTO }, { "ioctl", SOURCE_IOCTL }, { "text", SOURCE_TEXT },
	{ NULL, 0 }
};

static const struct choice group_keys[] = {
	{ "module", GROUP_MODULE }, { "file", GROUP_FILE }, { "function", GROUP_FUNCTION },
	{ "dir", GROUP_DIR },
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
		die(EX_USAGE, "bad column '%.*s' in --output: list each column at most once, "
		    "comma separated (see allocq(1))", (int)strcspn(bad, ","), bad);
}

/* module, file, function, dir or dir:N */
static void set_group(struct query *q, const char *arg)
{
	static const char valid[] = "module, file, function, dir or dir:N";
	const char *colon = strchr(arg, ':');
	char key[16];
	uint64_t depth = 0;

	snprintf(key, sizeof(key), "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
	q->group = choose("--group-by key", key, group_keys, valid);
	if (colon && (q->group != GROUP_DIR || !parse_u64(colon + 1, &depth) || !depth ||
		      depth > 64))
		die(EX_USAGE, "unknown --group-by key '%s': use %s (N from 1 to 64)", arg, valid);
	q->dir_depth = (unsigned)depth;
}

/* Seconds, fractions allowed: 2, 0.5, 1.25. */
static double interval(const char *arg)
{
	char *end;
	double v;

	if (!arg)
		return 2;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0.1) || v > 86400 || arg[0] == '-' ||
	    arg[0] == '+' || !isdigit((unsigned char)arg[0]))
		die(EX_USAGE, "invalid interval '%s' for --watch: use seconds from 0.1 to 86400 "
		    "(fractions allowed)", arg);
	return v;
}

static void check_columns(const struct query *q)
{
	enum column all[NCOLUMNS];
	size_t n = query_columns(q, all);

	for (size_t i = 0; i < q->out.ncolumns; i++) {
		bool found = false;

		for (size_t j = 0; j < n; j++)
			found = found || all[j] == q->out.columns[i];
		if (!found)
			die(EX_USAGE, "column '%s' is not one of these rows': use %s%s",
			    column_names[q->out.columns[i]], q->group ? "the columns of --group-by" :
			    q->diff ? "the columns of --diff" : "the columns of call sites",
			    " (see allocq(1))");
	}
}

static const char *format_name(enum format f)
{
	const struct choice *c = formats;

	while (c->name && c->value != (int)f)
		c++;
	return c->name;
}

static void check_format(const struct query *q)
{
	enum format f = q->out.format;

	/* a report of a few fields, not rows: a table to read or JSON to parse */
	if (q->status && f != FORMAT_TABLE && f != FORMAT_JSON)
		die(EX_USAGE, "--status prints a table or JSON, not %s: give --json, or no "
		    "format for the table", format_name(f));

	if (f == FORMAT_ALLOCINFO && (q->group || q->diff))
		die(EX_USAGE, "--format allocinfo prints call sites: drop --group-by and --diff");
	if (f == FORMAT_PROMETHEUS && q->diff)
		die(EX_USAGE, "--format prometheus prints the state, not a change: drop --diff");
}

static void check_query(struct query *q)
{
	const struct filter *f = &q->filter;

	if (f->has_min && f->has_max && f->min > f->max)
		die(EX_USAGE, "--min-size (%" PRIu64 " bytes) is above --max-size (%" PRIu64
		    " bytes): give a minimum no larger than the maximum", f->min, f->max);
	if (q->input && q->source == SOURCE_IOCTL)
		die(EX_USAGE, "--input reads a saved file, not the kernel's ioctl: "
		    "drop --source=ioctl or --input");
	if (q->diff && q->input && !strcmp(q->diff, "-") && !strcmp(q->input, "-"))
		die(EX_USAGE, "--diff - and --input - would both read standard input: "
		    "give one of them a file");
	if (q->sort == SORT_DELTA && !q->diff && !q->watch)
		die(EX_USAGE, "--sort delta sorts by a change: use it with --diff or --watch");
	if (q->sort == SORT_SITES && !q->group)
		die(EX_USAGE, "--sort sites sorts groups: use it with --group-by");
	if (q->count && !q->watch)
		die(EX_USAGE, "--count counts the samples of --watch: give --watch too");
	if (q->watch && q->diff)
		die(EX_USAGE, "--watch compares each sample with the first: drop --diff");
	if (q->watch && q->input)
		die(EX_USAGE, "--watch samples the kernel again and again: drop --input");
	if (q->watch && q->out.format == FORMAT_ALLOCINFO)
		die(EX_USAGE, "--format allocinfo saves one snapshot: drop --watch");
	if (q->watch && q->out.format == FORMAT_PROMETHEUS && !q->out.file)
		die(EX_USAGE, "--watch --format prometheus rewrites a file: give --output-file");
	check_format(q);
	if (q->out.columns_given)
		check_columns(q);
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
		q->out.format = choose("format", arg, formats,
				       "table, csv, json, allocinfo or prometheus");
		break;
	case 'J': q->out.format = FORMAT_JSON; break;
	case OPT_CSV: q->out.format = FORMAT_CSV; break;
	case 'o': set_columns(&q->out, arg); break;
	case 'b': q->out.exact_bytes = true; break;
	case 'n': q->out.no_headings = true; break;
	case 's':
		q->sort = choose("sort key", arg, sort_keys,
				 "bytes, calls, delta, sites, file, func, module or line");
		q->sort_given = true;
		break;
	case 'r': q->reverse = true; break;
	case OPT_LIMIT:
		q->limit = number("--limit", arg);
		q->has_limit = true;
		break;
	case OPT_OUTPUT_FILE:
		if (!*arg)
			die(EX_USAGE, "empty name for --output-file: give a file");
		q->out.file = arg;
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t parse_analysis(int key, char *arg, struct query *q)
{
	switch (key) {
	case OPT_SOURCE:
		q->source = choose("source", arg, sources, "auto, ioctl or text");
		break;
	case 'i': q->input = arg; break;
	case OPT_DIFF: q->diff = arg; break;
	case 'g': set_group(q, arg); break;
	case OPT_TOTAL: q->out.total = true; break;
	case 'w': q->watch = interval(arg); break;
	case 'c':
		q->count = number("--count", arg);
		if (!q->count)
			die(EX_USAGE, "invalid number '0' for --count: give at least 1 sample");
		break;
	case OPT_STATUS: q->status = true; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct query *q = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		die(EX_USAGE, "unexpected argument '%s': allocq takes only options "
		    "(see allocq --help)", arg);
	case ARGP_KEY_END:
		if (q->diff && !q->sort_given)
			q->sort = SORT_DELTA;
		check_query(q);
		return 0;
	}
	if (parse_filter(key, arg, &q->filter) == 0 || parse_analysis(key, arg, q) == 0)
		return 0;
	return parse_output(key, arg, q);
}

static const struct argp argp = { options, parse_option, NULL, doc, NULL, NULL, NULL };

void options_parse(int argc, char **argv, struct query *q)
{
	/* getopt names the program by argv[0] in its messages: say "allocq" */
	argv[0] = (char *)"allocq";
	query_init(q);
	argp_parse(&argp, argc, argv, 0, NULL, q);
}
