/*
 * The Prometheus text exposition format, for node_exporter's textfile
 * collector: gauges (calls fall when memory is freed), one series per call
 * site, or per group with --group-by KEY (families allocinfo_KEY_*), so
 * that sum(allocinfo_bytes) counts every byte once. main adds up the tags
 * of one call site first: a label set may appear only once.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "escape.h"
#include "sink.h"

/*
 * Label values are UTF-8 with \\, \" and \n escaped; bytes that are not
 * UTF-8, and backslashes, are first shown as \xNN, so that two names never
 * make one label set.
 */
static void label_value(const char *s, FILE *out)
{
	char *utf8 = escape_label(s ? s : "");

	putc('"', out);
	for (const char *p = utf8; *p; p++) {
		if (*p == '\\' || *p == '"')
			putc('\\', out);
		if (*p == '\n')
			fputs("\\n", out);
		else
			putc(*p, out);
	}
	putc('"', out);
	free(utf8);
}

static void labels(const struct report *rep, const struct record *r, FILE *out)
{
	enum group_key g = rep->q->group;

	putc('{', out);
	if (g) {
		fprintf(out, "%s=", group_key_name(g));
		label_value(cell_of(r, rep->all[rep->nall - 1]).text, out);
	} else {
		fputs("file=", out);
		label_value(r->file, out);
		fprintf(out, ",line=\"%" PRIu64 "\",module=", r->line);
		label_value(r->module, out);
		fputs(",function=", out);
		label_value(r->function, out);
	}
	putc('}', out);
}

struct family {
	const char *name;
	const char *help;
	enum column col;
};

static void family(const struct report *rep, const struct family *f, FILE *out)
{
	const char *key = rep->q->group ? group_key_name(rep->q->group) : NULL;
	char name[64];

	/* dir:N has families of its own: files of several depths can sit side by side */
	if (rep->q->group == GROUP_DIR && rep->q->dir_depth)
		snprintf(name, sizeof(name), "allocinfo_dir%u_%s", rep->q->dir_depth, f->name);
	else if (key)
		snprintf(name, sizeof(name), "allocinfo_%s_%s", key, f->name);
	else
		snprintf(name, sizeof(name), "allocinfo_%s", f->name);
	fprintf(out, "# HELP %s %s%s%s.\n# TYPE %s gauge\n", name, f->help,
		key ? ", by " : "", key ? key : "", name);
	for (size_t i = 0; i < rep->n && !ferror(out); i++) {
		struct cell v = cell_of(&rep->rows[i], f->col);
		char num[COUNT_TEXT];

		fputs(name, out);
		labels(rep, &rep->rows[i], out);
		/* exact, past 2^64 too: Prometheus reads it as a float */
		if (v.kind == CELL_COUNT)
			fprintf(out, " %s\n", count_text(v.n, num));
		else
			fprintf(out, " %" PRIu64 "\n", v.u);
	}
}

static void prometheus_print(const struct report *rep, FILE *out)
{
	static const struct family sites[] = {
		{ "bytes", "Bytes held by allocations of a call site (/proc/allocinfo)", COL_BYTES },
		{ "calls", "Live allocations of a call site (/proc/allocinfo)", COL_CALLS },
	};
	static const struct family groups[] = {
		{ "bytes", "Bytes held by allocations (/proc/allocinfo)", COL_BYTES },
		{ "calls", "Live allocations (/proc/allocinfo)", COL_CALLS },
		{ "sites", "Allocation call sites (/proc/allocinfo)", COL_SITES },
	};
	const struct family *fams = rep->q->group ? groups : sites;
	size_t n = rep->q->group ? 3 : 2;

	for (size_t i = 0; i < n; i++)
		family(rep, &fams[i], out);
}

const struct sink sink_prometheus = {
	.print = prometheus_print,
};
