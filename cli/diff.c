#include <stdlib.h>

#include "diff.h"
#include "errors.h"

/* An index of @list's keys: each key once. */
static struct record_index *index_of(const struct record_list *list)
{
	struct record_index *ix = record_index_new(list);

	for (size_t i = 0; i < list->n; i++)
		record_index_put(ix, &list->v[i], i);
	return ix;
}

void diff_fill_old(struct record_list *rows, const struct record_list *old)
{
	struct record_index *ix = index_of(old);

	for (size_t i = 0; i < rows->n; i++) {
		struct record *r = &rows->v[i];
		size_t at = record_index_get(ix, r);

		r->old_bytes = at == SIZE_MAX ? 0 : old->v[at].bytes;
		r->old_calls = at == SIZE_MAX ? 0 : old->v[at].calls;
	}
	record_index_free(ix);
}

static bool changed(const struct record *r, const void *arg)
{
	(void)arg;
	return r->bytes != r->old_bytes || r->calls != r->old_calls;
}

struct diff_sides diff_sites(struct record_list *cur, struct record_list *old)
{
	struct diff_sides sides;
	struct record_index *ix;
	bool *matched;

	record_list_merge_sites(cur);
	record_list_merge_sites(old);
	sides = (struct diff_sides){ .cur = cur->n, .old = old->n };
	matched = xcalloc(old->n, sizeof(*matched));
	ix = index_of(old);
	for (size_t i = 0; i < cur->n; i++) {
		struct record *r = &cur->v[i];
		size_t at = record_index_get(ix, r);

		r->change = at == SIZE_MAX ? CHANGE_NEW : CHANGE_CHANGED;
		if (at == SIZE_MAX)
			continue;
		r->old_bytes = old->v[at].bytes;
		r->old_calls = old->v[at].calls;
		matched[at] = true;
		sides.common++;
	}
	for (size_t i = 0; i < old->n; i++) {
		struct record gone = old->v[i];

		if (matched[i])
			continue;
		gone.old_bytes = gone.bytes;
		gone.old_calls = gone.calls;
		gone.bytes = 0;
		gone.calls = 0;
		gone.change = CHANGE_GONE;
		record_list_add(cur, &gone);
	}
	record_list_keep(cur, changed, NULL);
	record_index_free(ix);
	free(matched);
	return sides;
}

void diff_warn_unrelated(struct diff_sides sides)
{
	size_t smaller = sides.cur < sides.old ? sides.cur : sides.old;

	if (2 * sides.common >= smaller)
		return;
	warn("the two sides of --diff share %zu of the %zu call sites of the smaller one "
	     "(%zu%%): snapshots of two kernels? compare two of the same kernel",
	     sides.common, smaller, 100 * sides.common / smaller);
}
