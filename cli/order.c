#include "match.h"
#include "order.h"

/* With --diff the size bounds are on the change, either way. */
static bool row_in_bounds(const struct record *r, const void *arg)
{
	const struct query *q = arg;
	count_t d = delta_bytes(r);

	return size_matches(&q->filter, !q->diff ? r->bytes : d < 0 ? -d : d);
}

/* Call sites a list of sites holds: tags of one call site count once. */
static uint64_t distinct_sites(const struct record_list *rows)
{
	struct record_index *ix = record_index_new(rows);
	uint64_t n = 0;

	for (size_t i = 0; i < rows->n; i++)
		n += record_index_put(ix, &rows->v[i], i) == SIZE_MAX;
	record_index_free(ix);
	return n;
}

static struct total sum(const struct query *q, const struct record_list *rows)
{
	struct total t = { 0 };

	for (size_t i = 0; i < rows->n; i++) {
		const struct record *r = &rows->v[i];

		t.bytes += r->bytes;
		t.calls += r->calls;
		t.old_bytes += r->old_bytes;
		t.old_calls += r->old_calls;
		t.rate += r->rate;
		if (q->group)
			t.sites += r->sites;
	}
	if (!q->group)
		t.sites = distinct_sites(rows);
	return t;
}

void order_rows(const struct query *q, struct record_list *rows, struct total *total)
{
	if (query_sizes_on_rows(q))
		record_list_keep(rows, row_in_bounds, q);
	*total = sum(q, rows);
	record_list_sort(rows, q->sort, q->reverse);
	if (q->has_limit && q->limit < rows->n)
		rows->n = (size_t)q->limit;
}
