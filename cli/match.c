#include <fnmatch.h>
#include <string.h>

#include "match.h"

bool is_pattern(const char *want)
{
	return strpbrk(want, "*?[") != NULL;
}

const char *name_tail(const char *s)
{
	size_t len = strlen(s);

	return len > NAME_TAIL ? s + len - NAME_TAIL : s;
}

const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool ends_with(const char *s, const char *end)
{
	size_t ls = strlen(s), le = strlen(end);

	return ls >= le && !strcmp(s + ls - le, end);
}

/* A file value without '/' is compared with the basename of the name. */
static bool by_basename(const char *want, bool as_file)
{
	return as_file && !strchr(want, '/');
}

/*
 * Only the tail of a trimmed name is known: a path compares by tails; a
 * basename compares with the tail's basename when the tail holds a '/',
 * else the tail is part of the basename, which must end with it. A pattern
 * can only be tried on what is known.
 */
static bool tail_matches(const char *want, const char *tail, bool as_file)
{
	if (is_pattern(want))
		return !fnmatch(want, by_basename(want, as_file) ? basename_of(tail) : tail, 0);
	if (!by_basename(want, as_file))
		return !strcmp(name_tail(want), tail);
	if (strchr(tail, '/'))
		return !strcmp(want, basename_of(tail));
	return ends_with(want, tail);
}

bool name_matches(const char *want, const char *name, bool trimmed, bool as_file)
{
	if (trimmed)
		return tail_matches(want, name + strlen(TRIM_MARK), as_file);
	if (by_basename(want, as_file))
		name = basename_of(name);
	if (is_pattern(want))
		return !fnmatch(want, name, 0);
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
 * Sizes compare as they sort, as signed numbers (a bound converts to
 * count_t exactly): a transiently negative count is below every bound.
 * (The kernel compares them unsigned: the ioctl source asks it only for
 * bounds where both agree.)
 */
bool size_matches(const struct filter *f, count_t bytes)
{
	return (!f->has_min || bytes >= f->min) && (!f->has_max || bytes <= f->max);
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
