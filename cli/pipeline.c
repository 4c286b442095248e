#include "diff.h"
#include "group.h"
#include "pipeline.h"

static struct names *known_names(void *arg)
{
	struct reading *rd = arg;
	struct names *cur = rd->source->names();

	if (rd->old_path && !rd->old_names)
		rd->old_names = input_names("--diff", rd->old_path);
	if (cur && rd->old_names)
		names_merge(cur, rd->old_names);
	return cur ? cur : rd->old_names;
}

static void read_sites(const struct query *q, struct reading *rd)
{
	struct filter sites = query_site_filter(q);
	const struct record_list *const lists[] = { &rd->rows, &rd->old };

	record_list_clear(&rd->rows);
	rd->source->read(q, &sites, &rd->rows);
	if (q->diff) {
		rd->old_path = q->diff;
		rd->old_names = input_read("--diff", q->diff, &sites, &rd->old);
	}
	if (!rd->quiet)
		names_warn_unmatched(&sites, lists, q->diff ? 2 : 1, known_names, rd);
}

void pipeline_read(const struct query *q, struct reading *rd)
{
	read_sites(q, rd);
	if (q->diff)
		diff_warn_unrelated(diff_sites(&rd->rows, &rd->old));
	if (q->group)
		group_rows(&rd->rows, q->group, q->dir_depth);
	else if (q->out.format == FORMAT_PROMETHEUS || q->watch)
		record_list_merge_sites(&rd->rows);	/* one series, one row a key */
}

void pipeline_free(struct reading *rd)
{
	record_list_free(&rd->rows);
	record_list_free(&rd->old);
	names_free(rd->old_names);
}
