/*
 * allocq: options -> query -> source -> diff -> group -> order -> sink.
 */
#include <signal.h>
#include <stdlib.h>

#include "diff.h"
#include "errors.h"
#include "group.h"
#include "names.h"
#include "options.h"
#include "order.h"
#include "output.h"
#include "sink.h"
#include "source.h"

static const struct sink *const sinks[NFORMATS] = {
	[FORMAT_TABLE] = &sink_table,
	[FORMAT_CSV] = &sink_csv,
	[FORMAT_JSON] = &sink_json,
	[FORMAT_ALLOCINFO] = &sink_allocinfo,
	[FORMAT_PROMETHEUS] = &sink_prometheus,
};

/* What was read: the rows, and what is needed to tell names that matched nothing. */
struct reading {
	const struct source *source;
	struct record_list rows, old;
	struct names *old_names;
};

static struct names *known_names(void *arg)
{
	struct reading *rd = arg;
	struct names *cur = rd->source->names();

	if (cur && rd->old_names)
		names_merge(cur, rd->old_names);
	return cur ? cur : rd->old_names;
}

static void read_sites(const struct query *q, struct reading *rd)
{
	struct filter sites = query_site_filter(q);
	const struct record_list *const lists[] = { &rd->rows, &rd->old };

	rd->source->read(q, &sites, &rd->rows);
	if (q->diff) {
		rd->old_names = filter_has_names(&sites) ? names_new() : NULL;
		input_read("--diff", q->diff, &sites, &rd->old, rd->old_names);
	}
	names_warn_unmatched(&sites, lists, q->diff ? 2 : 1, known_names, rd);
}

static void print(const struct query *q, const char *source, const struct record_list *rows,
		  const struct total *total)
{
	struct report rep = {
		.q = q, .source = source, .rows = rows->v, .n = rows->n, .total = *total,
	};
	FILE *out;

	rep.nall = query_columns(q, rep.all);
	rep.ncols = q->out.columns_given ? q->out.ncolumns : rep.nall;
	for (size_t i = 0; i < rep.ncols; i++)
		rep.cols[i] = q->out.columns_given ? q->out.columns[i] : rep.all[i];
	out = output_open(&q->out);
	sinks[q->out.format]->print(&rep, out);
	output_close(out, &q->out);
}

int main(int argc, char **argv)
{
	struct reading rd = { 0 };
	struct total total;
	struct query q;

	signal(SIGPIPE, SIG_IGN);
	options_parse(argc, argv, &q);
	rd.source = source_pick(&q);
	read_sites(&q, &rd);
	if (q.diff)
		diff_sites(&rd.rows, &rd.old);
	if (q.group)
		group_rows(&rd.rows, q.group, q.dir_depth);
	else if (q.out.format == FORMAT_PROMETHEUS)
		record_list_merge_sites(&rd.rows);	/* one series per label set */
	order_rows(&q, &rd.rows, &total);
	print(&q, rd.source->name, &rd.rows, &total);
	record_list_free(&rd.rows);
	record_list_free(&rd.old);
	names_free(rd.old_names);
	query_free(&q);
	return 0;
}
