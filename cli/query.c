#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "query.h"

const char *const column_names[NCOLUMNS] = {
	[COL_BYTES] = "bytes",
	[COL_CALLS] = "calls",
	[COL_FILE] = "file",
	[COL_LINE] = "line",
	[COL_MODULE] = "module",
	[COL_FUNCTION] = "function",
	[COL_ACCURATE] = "accurate",
};

void query_init(struct query *q)
{
	*q = (struct query){ .source = SOURCE_AUTO, .sort = SORT_BYTES };
	for (size_t i = 0; i < NCOLUMNS; i++)
		q->out.columns[i] = (enum column)i;
	q->out.ncolumns = NCOLUMNS;
}

void query_free(struct query *q)
{
	strlist_free(&q->filter.files);
	strlist_free(&q->filter.funcs);
	strlist_free(&q->filter.modules);
	free(q->filter.lines.v);
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

const char *name_tail(const char *s)
{
	size_t len = strlen(s);

	return len > NAME_TAIL ? s + len - NAME_TAIL : s;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool ends_with(const char *s, const char *end)
{
	size_t ls = strlen(s), le = strlen(end);

	return ls >= le && !strcmp(s + ls - le, end);
}

/*
 * Only the tail of a trimmed name is known: a path compares by tails; a
 * basename compares with the tail's basename when the tail holds a '/',
 * else the tail is part of the basename, which must end with it.
 */
static bool tail_matches(const char *want, const char *tail, bool as_file)
{
	if (!as_file || strchr(want, '/'))
		return !strcmp(name_tail(want), tail);
	if (strchr(tail, '/'))
		return !strcmp(want, basename_of(tail));
	return ends_with(want, tail);
}

bool name_matches(const char *want, const char *name, bool trimmed, bool as_file)
{
	if (trimmed)
		return tail_matches(want, name + strlen(TRIM_MARK), as_file);
	if (as_file && !strchr(want, '/'))
		return !strcmp(want, basename_of(name));
	return !strcmp(want, name);
}

static bool any_name(const struct strlist *list, const char *name,
		     bool trimmed, bool as_file)
{
	for (size_t i = 0; i < list->n; i++)
		if (name_matches(list->v[i], name, trimmed, as_file))
			return true;
	return false;
}

static bool module_matches(const struct filter *f, const char *module)
{
	if (!f->builtin && !f->modules.n)
		return true;
	if (!module)
		return f->builtin;
	return any_name(&f->modules, module, false, false);
}

static bool line_matches(const struct numlist *lines, uint64_t line)
{
	if (!lines->n)
		return true;
	for (size_t i = 0; i < lines->n; i++)
		if (lines->v[i] == line)
			return true;
	return false;
}

/*
 * Sizes compare as the kernel compares them, as unsigned 64-bit numbers, so
 * that every source agrees: a transiently negative count is a huge one.
 */
static bool size_matches(const struct filter *f, int64_t bytes)
{
	uint64_t b = (uint64_t)bytes;

	return (!f->has_min || b >= f->min) && (!f->has_max || b <= f->max);
}

static bool accuracy_matches(enum accuracy want, bool accurate)
{
	return want == ACCURACY_ANY || accurate == (want == ACCURACY_ACCURATE);
}

bool filter_matches(const struct filter *f, const struct record *r)
{
	return (!f->files.n ||
		any_name(&f->files, r->file, r->trimmed & TRIMMED_FILE, true)) &&
	       (!f->funcs.n ||
		any_name(&f->funcs, r->function, r->trimmed & TRIMMED_FUNCTION, false)) &&
	       module_matches(f, r->module) &&
	       line_matches(&f->lines, r->line) &&
	       size_matches(f, r->bytes) &&
	       accuracy_matches(f->accuracy, r->accurate);
}
