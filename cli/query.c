#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "query.h"

const char *const column_names[NCOLUMNS] = {
	[COL_BYTES] = "bytes",
	[COL_CALLS] = "calls",
	[COL_OLD_BYTES] = "old_bytes",
	[COL_OLD_CALLS] = "old_calls",
	[COL_DELTA_BYTES] = "delta_bytes",
	[COL_DELTA_CALLS] = "delta_calls",
	[COL_CHANGE] = "change",
	[COL_RATE] = "rate",
	[COL_SITES] = "sites",
	[COL_FILE] = "file",
	[COL_DIR] = "dir",
	[COL_LINE] = "line",
	[COL_MODULE] = "module",
	[COL_FUNCTION] = "function",
	[COL_ACCURATE] = "accurate",
};

void query_init(struct query *q)
{
	*q = (struct query){ .source = SOURCE_AUTO, .sort = SORT_BYTES };
}

void query_free(struct query *q)
{
	strlist_free(&q->filter.files);
	strlist_free(&q->filter.funcs);
	strlist_free(&q->filter.modules);
	free(q->filter.lines.v);
}

static const enum column group_columns[] = {
	[GROUP_MODULE] = COL_MODULE,
	[GROUP_FILE] = COL_FILE,
	[GROUP_FUNCTION] = COL_FUNCTION,
	[GROUP_DIR] = COL_DIR,
};

const char *group_key_name(enum group_key key)
{
	return key == GROUP_NONE ? NULL : column_names[group_columns[key]];
}

/*
 * A call site: its counters and names. A diff adds the old counters and the
 * change, --watch the change since the first sample and the rate; a group
 * has its key and how many sites it sums instead of the names.
 */
size_t query_columns(const struct query *q, enum column *cols)
{
	size_t n = 0;

	cols[n++] = COL_BYTES;
	cols[n++] = COL_CALLS;
	if (q->diff) {
		cols[n++] = COL_OLD_BYTES;
		cols[n++] = COL_OLD_CALLS;
	}
	if (q->diff || q->watch) {
		cols[n++] = COL_DELTA_BYTES;
		cols[n++] = COL_DELTA_CALLS;
	}
	if (q->diff && !q->group)
		cols[n++] = COL_CHANGE;
	if (q->watch)
		cols[n++] = COL_RATE;
	if (q->group) {
		cols[n++] = COL_SITES;
		cols[n++] = group_columns[q->group];
		return n;
	}
	cols[n++] = COL_FILE;
	cols[n++] = COL_LINE;
	cols[n++] = COL_MODULE;
	cols[n++] = COL_FUNCTION;
	cols[n++] = COL_ACCURATE;
	return n;
}

/* Rows that are not the kernel's tags: changes, groups, or call sites added up. */
bool query_sizes_on_rows(const struct query *q)
{
	return q->diff || q->group || q->watch || q->out.format == FORMAT_PROMETHEUS;
}

struct filter query_site_filter(const struct query *q)
{
	struct filter f = q->filter;

	if (query_sizes_on_rows(q))
		f.has_min = f.has_max = false;
	return f;
}

void strlist_add(struct strlist *list, const char *s)
{
	for (size_t i = 0; i < list->n; i++)
		if (!strcmp(list->v[i], s))
			return;
	list->v = xreallocarray(list->v, list->n + 1, sizeof(*list->v));
	list->v[list->n++] = xstrdup(s);
}

void strlist_free(struct strlist *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

void numlist_add(struct numlist *list, uint64_t v)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i] == v)
			return;
	list->v = xreallocarray(list->v, list->n + 1, sizeof(*list->v));
	list->v[list->n++] = v;
}

/* Parses the leading digits of @s into @v; returns the rest, or NULL. */
static const char *parse_digits(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (!isdigit((unsigned char)*s))
		return NULL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (n > (UINT64_MAX - d) / 10)
			return NULL;
		n = n * 10 + d;
	}
	*v = n;
	return s;
}

bool parse_u64(const char *s, uint64_t *v)
{
	const char *rest = parse_digits(s, v);

	return rest && !*rest;
}

static int size_shift(const char *suffix)
{
	static const struct {
		const char *s;
		int shift;
	} units[] = {
		{ "", 0 },
		{ "K", 10 }, { "k", 10 }, { "KiB", 10 },
		{ "M", 20 }, { "m", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "g", 30 }, { "GiB", 30 },
		{ "T", 40 }, { "t", 40 }, { "TiB", 40 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(suffix, units[i].s))
			return units[i].shift;
	return -1;
}

bool parse_size(const char *s, uint64_t *v)
{
	const char *suffix = parse_digits(s, v);
	int shift;

	if (!suffix || (shift = size_shift(suffix)) < 0)
		return false;
	if (shift && *v > UINT64_MAX >> shift)
		return false;
	*v <<= shift;
	return true;
}

static int column_index(const char *name, size_t len)
{
	for (size_t i = 0; i < NCOLUMNS; i++)
		if (strlen(column_names[i]) == len && !strncmp(name, column_names[i], len))
			return (int)i;
	return -1;
}

bool parse_columns(const char *list, struct output *out, const char **bad)
{
	bool seen[NCOLUMNS] = { false };
	const char *p = list;

	out->ncolumns = 0;
	out->columns_given = true;
	for (;;) {
		size_t len = strcspn(p, ",");
		int c = column_index(p, len);

		if (c < 0 || seen[c]) {
			*bad = p;
			return false;
		}
		seen[c] = true;
		out->columns[out->ncolumns++] = (enum column)c;
		if (!p[len])
			return true;
		p += len + 1;
	}
}
