/*
 * Fuzz target: the diff, group and order stages on two record lists made
 * from the input in a compact binary form, checked against sums and counts
 * computed apart from them:
 *
 *   byte 0     the group key (bits 0-2: none, module, file, function, dir),
 *              the dir depth (bits 3-5), --diff (bit 6), --reverse (bit 7)
 *   byte 1     the sort key (bits 0-2), --limit (bits 3-6, 15: none)
 *   then 8 bytes a record:
 *     0: bit 7: OLD (else current); bits 0-3: file; bits 4-6: module
 *     1: bits 0-3: function; bits 4-7: line
 *     2-3: bytes (signed 16 bits), shifted left by byte 4 bits 0-5
 *     4: bit 6: accurate:no; bit 7: bytes are all of bytes 2-7 instead
 *     5-6: calls, shifted left by byte 7 bits 0-5
 *
 * A few names of each kind, so that call sites repeat and groups fill.
 *   - the diff: no unchanged row, no row for a site without a change, the
 *     right counters for changed, new and gone sites, and as many rows as
 *     sites that changed (a site on one side only is zero on the other: a
 *     new or gone site without bytes or calls is no change);
 *   - the group: its bytes, calls and old counters add up to the sites'
 *     (exactly), its sites add up to the distinct call sites, each key once;
 *   - order: the total is that of the rows, --limit is kept.
 */
#include <inttypes.h>

#include "fuzz.h"

#include "diff.h"
#include "group.h"
#include "order.h"
#include "query.h"

#define MAX_RECORDS 512

static const char *const files[16] = {
	"mm/slub.c", "mm/util.c", "fs/xfs/xfs_buf.c", "fs/xfs/libxfs/xfs_btree.c",
	"kernel/fork.c", "a.c", "/abs/x.c", "/top.c", "fs/", "fs//double.c",
	"include/linux/slab.h", "drivers/net/ethernet/intel/e1000/e1000_main.c",
	"arch/x86/events/rapl.c", "lib/xarray.c", "\x1b[2Jevil/\x9b.c",
	"a-directory-name-of-many-characters/another-directory-of-many-chars/file-of-64-chars.c",
};
static const char *const modules[8] = {
	NULL, "xfs", "ext4", "e1000", "allocq_test", "[x]", "mod-with-63-characters-"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
};
static const char *const functions[16] = {
	"kmalloc", "xfs_buf_alloc", "dup_task_struct", "xas_alloc", "init_rapl_pmus",
	"f", "g", "kmem_cache_alloc_noprof", "alloc_slab_page", "__vmalloc_area_node",
	"a_function_name_of_exactly_sixty_three_characters_xxxxxxxxxxxxx",
	"a_function_name_of_exactly_sixty_four_characters_xxxxxxxxxxxxxx", "h", "i",
	"\x1b]0;title\x07", "do_initcalls",
};

static uint64_t read_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void decode(const uint8_t *p, struct record_list *cur, struct record_list *old)
{
	struct record r = { .accurate = !(p[4] & 0x40) };
	int16_t b16 = (int16_t)read_le(p + 2, 2);

	r.file = files[p[0] & 15];
	r.module = modules[(p[0] >> 4) & 7];
	r.function = functions[p[1] & 15];
	r.line = p[1] >> 4;
	if (p[4] & 0x80)
		r.bytes = (int64_t)(read_le(p + 2, 6) << 16) >> 16;
	else
		r.bytes = (int64_t)((uint64_t)(int64_t)b16 << (p[4] & 63));
	r.calls = read_le(p + 5, 2) << (p[7] & 63);
	record_list_add(p[0] & 0x80 ? old : cur, &r);
}

/* The distinct call sites of @l, each with its sums: the model of a merge. */
static void model_merge(const struct record_list *l, struct record_list *sites)
{
	for (size_t i = 0; i < l->n; i++) {
		size_t j;

		for (j = 0; j < sites->n; j++)
			if (fuzz_same_site(&sites->v[j], &l->v[i]))
				break;
		if (j == sites->n) {
			record_list_add(sites, &l->v[i]);
			continue;
		}
		sites->v[j].bytes += l->v[i].bytes;
		sites->v[j].calls += l->v[i].calls;
		sites->v[j].old_bytes += l->v[i].old_bytes;
		sites->v[j].old_calls += l->v[i].old_calls;
		sites->v[j].accurate = sites->v[j].accurate && l->v[i].accurate;
	}
}

static const struct record *find_site(const struct record_list *l, const struct record *r)
{
	for (size_t i = 0; i < l->n; i++)
		if (fuzz_same_site(&l->v[i], r))
			return &l->v[i];
	return NULL;
}

static void check_diff(const struct record_list *rows, const struct record_list *cur,
		       const struct record_list *old)
{
	struct record_list mc = { 0 }, mo = { 0 };
	size_t changed = 0;

	model_merge(cur, &mc);
	model_merge(old, &mo);
	for (size_t i = 0; i < mc.n; i++) {
		const struct record *o = find_site(&mo, &mc.v[i]);

		/* a site on one side only counts as zero on the other */
		changed += o ? o->bytes != mc.v[i].bytes || o->calls != mc.v[i].calls
			     : mc.v[i].bytes || mc.v[i].calls;
	}
	for (size_t i = 0; i < mo.n; i++)
		changed += !find_site(&mc, &mo.v[i]) && (mo.v[i].bytes || mo.v[i].calls);
	CHECK(rows->n == changed, "%zu diff rows for %zu changed sites", rows->n, changed);
	for (size_t i = 0; i < rows->n; i++) {
		const struct record *r = &rows->v[i];
		const struct record *c = find_site(&mc, r), *o = find_site(&mo, r);

		CHECK(r->change != CHANGE_NONE, "row %zu: an unchanged row", i);
		CHECK(r->bytes != r->old_bytes || r->calls != r->old_calls,
		      "row %zu: %s but the same counters", i,
		      r->change == CHANGE_NEW ? "new" : r->change == CHANGE_GONE ? "gone" : "changed");
		for (size_t j = 0; j < i; j++)
			CHECK(!fuzz_same_site(&rows->v[j], r), "rows %zu and %zu: one site", j, i);
		switch (r->change) {
		case CHANGE_NEW:
			CHECK(c && !o, "row %zu: new, but in OLD", i);
			break;
		case CHANGE_GONE:
			CHECK(!c && o, "row %zu: gone, but current", i);
			CHECK(!r->bytes && !r->calls, "row %zu: gone, with counters", i);
			break;
		case CHANGE_CHANGED:
			CHECK(c && o, "row %zu: changed, but not on both sides", i);
			break;
		case CHANGE_NONE:
			break;
		}
		if (c)
			CHECK(r->bytes == c->bytes && r->calls == c->calls,
			      "row %zu: not the current counters", i);
		if (o)
			CHECK(r->old_bytes == o->bytes && r->old_calls == o->calls,
			      "row %zu: not the old counters", i);
		else
			CHECK(!r->old_bytes && !r->old_calls, "row %zu: old counters of nothing", i);
	}
	record_list_free(&mc);
	record_list_free(&mo);
}

struct sums {
	count_t bytes, calls, old_bytes, old_calls;
	uint64_t sites;
};

static struct sums sum_of(const struct record_list *l)
{
	struct sums s = { 0 };

	for (size_t i = 0; i < l->n; i++) {
		s.bytes += l->v[i].bytes;
		s.calls += l->v[i].calls;
		s.old_bytes += l->v[i].old_bytes;
		s.old_calls += l->v[i].old_calls;
		s.sites += l->v[i].sites;
	}
	return s;
}

static bool same_key(const struct record *a, const struct record *b, enum group_key key)
{
	switch (key) {
	case GROUP_MODULE: return a->module == b->module;
	case GROUP_FILE:
	case GROUP_DIR: return a->file == b->file;
	case GROUP_FUNCTION: return a->function == b->function;
	case GROUP_NONE: break;
	}
	return false;
}

static void check_group(const struct record_list *groups, const struct record_list *sites,
			enum group_key key)
{
	struct record_list distinct = { 0 };
	struct sums g = sum_of(groups), s = sum_of(sites);
	char got[COUNT_TEXT], want[COUNT_TEXT];

	model_merge(sites, &distinct);
	CHECK(g.bytes == s.bytes, "groups hold %s bytes, sites %s", count_text(g.bytes, got),
	      count_text(s.bytes, want));
	CHECK(g.calls == s.calls, "groups have %s calls, sites %s", count_text(g.calls, got),
	      count_text(s.calls, want));
	CHECK(g.old_bytes == s.old_bytes && g.old_calls == s.old_calls,
	      "the old counters of the groups do not add up");
	CHECK(g.sites == distinct.n, "groups count %" PRIu64 " sites of %zu", g.sites,
	      distinct.n);
	CHECK(groups->n <= distinct.n, "%zu groups of %zu sites", groups->n, distinct.n);
	for (size_t i = 0; i < groups->n; i++) {
		const struct record *r = &groups->v[i];

		CHECK(r->sites >= 1, "group %zu: no site", i);
		CHECK(key == GROUP_MODULE || (key == GROUP_FUNCTION ? r->function : r->file),
		      "group %zu: no key", i);
		for (size_t j = 0; j < i; j++)
			CHECK(!same_key(&groups->v[j], r, key), "groups %zu and %zu: one key", j, i);
	}
	record_list_free(&distinct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sort_key sorts[8] = {
		SORT_BYTES, SORT_CALLS, SORT_FILE, SORT_FUNC, SORT_MODULE, SORT_LINE, SORT_DELTA,
		SORT_SITES,
	};
	struct record_list cur = { 0 }, old = { 0 }, rows = { 0 }, sites = { 0 };
	struct query q;
	struct total total;
	struct sums before;
	size_t n_before;

	if (size < 2)
		return 0;
	query_init(&q);
	q.group = (enum group_key)(data[0] & 7);
	if (q.group > GROUP_DIR)
		q.group = GROUP_NONE;
	q.dir_depth = (data[0] >> 3) & 7;
	if (q.dir_depth == 7)
		q.dir_depth = 64;
	q.diff = data[0] & 0x40 ? "OLD" : NULL;
	q.reverse = data[0] & 0x80;
	q.sort = sorts[data[1] & 7];
	q.has_limit = ((data[1] >> 3) & 15) != 15;
	q.limit = (data[1] >> 3) & 15;
	for (size_t i = 2; i + 8 <= size && cur.n + old.n < MAX_RECORDS; i += 8)
		decode(data + i, &cur, &old);

	fuzz_copy_list(&rows, &cur);
	if (q.diff) {
		struct record_list old_copy = { 0 };

		fuzz_copy_list(&old_copy, &old);
		diff_sites(&rows, &old_copy);
		check_diff(&rows, &cur, &old);
		record_list_free(&old_copy);
	} else {
		struct record_list merged = { 0 };

		/* merging keeps the sums and leaves each site once */
		fuzz_copy_list(&rows, &cur);
		fuzz_copy_list(&merged, &cur);
		record_list_merge_sites(&merged);
		model_merge(&cur, &sites);
		CHECK(merged.n == sites.n, "merged into %zu sites of %zu", merged.n, sites.n);
		for (size_t i = 0; i < merged.n; i++) {
			const struct record *m = find_site(&sites, &merged.v[i]);

			CHECK(m && m->bytes == merged.v[i].bytes && m->calls == merged.v[i].calls &&
			      m->accurate == merged.v[i].accurate, "merged site %zu is wrong", i);
		}
		record_list_free(&merged);
		record_list_clear(&sites);
	}
	if (q.group) {
		fuzz_copy_list(&sites, &rows);
		group_rows(&rows, q.group, q.dir_depth);
		check_group(&rows, &sites, q.group);
		if (q.diff) {
			/* --watch's old counters of groups: each from its group in OLD */
			struct record_list og = { 0 };

			fuzz_copy_list(&og, &old);
			group_rows(&og, q.group, q.dir_depth);
			diff_fill_old(&rows, &og);
			record_list_free(&og);
		}
	} else if (q.sort == SORT_SITES) {
		q.sort = SORT_BYTES;	/* options.c: --sort sites needs --group-by */
	}
	if (q.sort == SORT_DELTA && !q.diff)
		q.sort = SORT_CALLS;
	before = sum_of(&rows);
	n_before = rows.n;
	order_rows(&q, &rows, &total);
	CHECK(total.bytes == before.bytes && total.calls == before.calls,
	      "the total is not the sum of the rows");
	if (q.group)
		CHECK(total.sites == before.sites, "the total counts %" PRIu64 " sites, not %"
		      PRIu64, total.sites, before.sites);
	CHECK(rows.n == (q.has_limit && q.limit < n_before ? q.limit : n_before),
	      "%zu rows of %zu with --limit %" PRIu64, rows.n, n_before, q.limit);
	record_list_free(&cur);
	record_list_free(&old);
	record_list_free(&rows);
	record_list_free(&sites);
	return 0;
}
