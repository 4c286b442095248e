/*
 * The ioctl source: the kernel filters (see allocinfo-abi), allocq only asks.
 *
 * Every combination of one value per filter flag is one kernel query (GET_AT
 * at 0, then GET_NEXT to the end); the combinations select disjoint tags, so
 * the results just add up. A basename or a pattern becomes the exact names
 * it matches, from the known names (names.h). Where that makes more queries
 * than one unfiltered read costs, that flag is left to allocq. The content
 * id is read before and after: if a module came or went in between,
 * everything is read again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/alloc_tag.h>

#include "allocinfo.h"
#include "errors.h"
#include "match.h"
#include "source.h"

/* The ABI this binary is built against must be the kernel's, to the byte. */
#define ABI_OFFSET(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)
#define ABI_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), "sizeof " #type)

_Static_assert(ALLOCINFO_STR_SIZE == 64, "ALLOCINFO_STR_SIZE");
ABI_SIZE(allocinfo_content_id, 8);
ABI_OFFSET(allocinfo_content_id, id, 0);
ABI_SIZE(allocinfo_tag, 200);
ABI_OFFSET(allocinfo_tag, modname, 0);
ABI_OFFSET(allocinfo_tag, function, 64);
ABI_OFFSET(allocinfo_tag, filename, 128);
ABI_OFFSET(allocinfo_tag, lineno, 192);
ABI_SIZE(allocinfo_counter, 24);
_Static_assert(_Alignof(struct allocinfo_counter) == 8, "allocinfo_counter alignment");
ABI_OFFSET(allocinfo_counter, bytes, 0);
ABI_OFFSET(allocinfo_counter, calls, 8);
ABI_OFFSET(allocinfo_counter, accurate, 16);
ABI_SIZE(allocinfo_tag_data, 224);
ABI_OFFSET(allocinfo_tag_data, tag, 0);
ABI_OFFSET(allocinfo_tag_data, counter, 200);
ABI_SIZE(allocinfo_filter, 232);
ABI_OFFSET(allocinfo_filter, mask, 0);
ABI_OFFSET(allocinfo_filter, fields, 8);
ABI_OFFSET(allocinfo_filter, min_size, 208);
ABI_OFFSET(allocinfo_filter, max_size, 216);
ABI_OFFSET(allocinfo_filter, inaccurate, 224);
ABI_SIZE(allocinfo_get_at, 464);
ABI_OFFSET(allocinfo_get_at, pos, 0);
ABI_OFFSET(allocinfo_get_at, filter, 8);
ABI_OFFSET(allocinfo_get_at, data, 240);
_Static_assert(ALLOCINFO_IOC_BASE == 0xA6, "ioctl magic");
_Static_assert(ALLOCINFO_IOC_CONTENT_ID == 0x8008a600u, "ALLOCINFO_IOC_CONTENT_ID");
_Static_assert(ALLOCINFO_IOC_GET_AT == 0xc1d0a601u, "ALLOCINFO_IOC_GET_AT");
_Static_assert(ALLOCINFO_IOC_GET_NEXT == 0x80e0a602u, "ALLOCINFO_IOC_GET_NEXT");
_Static_assert(ALLOCINFO_FILTER_MASK_MODNAME == 0x01 &&
	       ALLOCINFO_FILTER_MASK_FUNCTION == 0x02 &&
	       ALLOCINFO_FILTER_MASK_FILENAME == 0x04 &&
	       ALLOCINFO_FILTER_MASK_LINENO == 0x08 &&
	       ALLOCINFO_FILTER_MASK_INACCURATE == 0x10 &&
	       ALLOCINFO_FILTER_MASK_MIN_SIZE == 0x20 &&
	       ALLOCINFO_FILTER_MASK_MAX_SIZE == 0x40 &&
	       ALLOCINFO_FILTER_MASKS == 0x7f, "filter mask bits");

/*
 * Each kernel query walks every tag but sums the counters of matches only;
 * an unfiltered read sums them all, over every possible CPU. Measured at 224
 * possible CPUs, that read costs about as much as a hundred walks: past this
 * many queries, one read filtered here is cheaper.
 */
#define MAX_QUERIES 32

static int fd = -1;
static struct names *names;	/* loaded when a name needs them */
static uint64_t names_id;
static uint64_t last_id;	/* of the last read */

static _Noreturn void die_ioctl(const char *what)
{
	die(EXIT_RUNTIME, "ioctl %s on /proc/allocinfo failed: %s: try --source text",
	    what, strerror(errno));
}

/* Opens allocinfo and asks for its content id: true when the kernel has the ioctl. */
static bool ioctl_available(void)
{
	uint64_t id;

	fd = allocinfo_open();
	if (allocinfo_content_id(fd, &id))
		return true;
	if (errno != ENOTTY && errno != EINVAL)
		die_ioctl("CONTENT_ID");
	close(fd);
	fd = -1;
	return false;
}

const struct source *source_pick(const struct query *q)
{
	if (q->input)
		return &source_input;
	if (q->source == SOURCE_TEXT)
		return &source_text;
	if (ioctl_available())
		return &source_ioctl;
	if (q->source == SOURCE_IOCTL)
		die(EX_UNAVAILABLE, "this kernel has no /proc/allocinfo ioctl interface "
		    "(it needs Linux 7.3+, or 7.2 with allocq's patches): use --source=text");
	return &source_text;
}

static struct names *known(uint64_t id)
{
	if (!names || names_id != id) {
		names_free(names);
		names = names_get(id);
		names_id = id;
	}
	return names;
}

/* The values sent for one flag: exact names, cut as the kernel cuts them. */
struct dimension {
	bool active;		/* the flag was given */
	bool in_kernel;		/* else the kernel is not asked to filter by it */
	struct strlist values;
	struct strlist from_names;	/* values that came from the known names */
};

enum { DIM_FILE, DIM_FUNC, DIM_MODULE, DIMS };

static const __u64 dim_bits[DIMS] = {
	[DIM_FILE] = ALLOCINFO_FILTER_MASK_FILENAME,
	[DIM_FUNC] = ALLOCINFO_FILTER_MASK_FUNCTION,
	[DIM_MODULE] = ALLOCINFO_FILTER_MASK_MODNAME,
};

static void add_value(struct dimension *d, const char *name, bool from_names)
{
	strlist_add(&d->values, name_tail(name));
	if (from_names)
		strlist_add(&d->from_names, name);
}

/*
 * A path or a function name goes to the kernel as it is; a basename or a
 * pattern as every known name it matches.
 */
static void resolve(struct dimension *d, const struct strlist *wants, enum name_kind kind,
		    uint64_t id)
{
	for (size_t i = 0; i < wants->n; i++) {
		const char *want = wants->v[i];
		struct strlist matched = { 0 };

		if (!is_pattern(want) && (kind != NAME_FILE || strchr(want, '/'))) {
			add_value(d, want, false);
			continue;
		}
		names_matching(known(id), kind, want, &matched);
		for (size_t j = 0; j < matched.n; j++)
			add_value(d, matched.v[j], true);
		strlist_free(&matched);
	}
}

struct plan {
	struct dimension dim[DIMS];
	const struct numlist *lines;
	bool lines_in_kernel;
};

static size_t span(const struct dimension *d)
{
	return d->active && d->in_kernel ? d->values.n : 1;
}

static size_t line_span(const struct plan *p)
{
	return p->lines_in_kernel && p->lines->n ? p->lines->n : 1;
}

static size_t queries(const struct plan *p)
{
	return span(&p->dim[DIM_FILE]) * span(&p->dim[DIM_FUNC]) *
	       span(&p->dim[DIM_MODULE]) * line_span(p);
}

static void plan_init(struct plan *p, const struct filter *f, uint64_t id)
{
	*p = (struct plan){ .lines = &f->lines, .lines_in_kernel = true };
	p->dim[DIM_FILE].active = f->files.n;
	p->dim[DIM_FUNC].active = f->funcs.n;
	p->dim[DIM_MODULE].active = f->builtin || f->modules.n;
	resolve(&p->dim[DIM_FILE], &f->files, NAME_FILE, id);
	resolve(&p->dim[DIM_FUNC], &f->funcs, NAME_FUNCTION, id);
	if (f->builtin)
		strlist_add(&p->dim[DIM_MODULE].values, "");	/* the kernel's "built-in" */
	resolve(&p->dim[DIM_MODULE], &f->modules, NAME_MODULE, id);
	for (int i = 0; i < DIMS; i++)
		p->dim[i].in_kernel = true;
	/* too many queries: leave the widest flag to allocq, and so on */
	while (queries(p) > MAX_QUERIES) {
		struct dimension *widest = &p->dim[0];

		for (int i = 1; i < DIMS; i++)
			if (span(&p->dim[i]) > span(widest))
				widest = &p->dim[i];
		if (line_span(p) > span(widest))
			p->lines_in_kernel = false;
		else
			widest->in_kernel = false;
	}
}

static void plan_free(struct plan *p)
{
	for (int i = 0; i < DIMS; i++) {
		strlist_free(&p->dim[i].values);
		strlist_free(&p->dim[i].from_names);
	}
}

/* The part of the kernel filter that is the same for every combination. */
static struct allocinfo_filter base_filter(const struct filter *f, const struct plan *p)
{
	struct allocinfo_filter k = { 0 };

	for (int i = 0; i < DIMS; i++)
		if (p->dim[i].active && p->dim[i].in_kernel)
			k.mask |= dim_bits[i];
	if (f->lines.n && p->lines_in_kernel)
		k.mask |= ALLOCINFO_FILTER_MASK_LINENO;
	if (f->accuracy != ACCURACY_ANY) {
		k.mask |= ALLOCINFO_FILTER_MASK_INACCURATE;
		k.inaccurate = f->accuracy == ACCURACY_INACCURATE;
	}
	if (f->has_min) {
		k.mask |= ALLOCINFO_FILTER_MASK_MIN_SIZE;
		k.min_size = f->min;
	}
	/*
	 * The kernel takes a negative count for a huge one: with a minimum it
	 * passes the kernel's and fails allocq's, as it should; without one
	 * the kernel's maximum would drop it, so allocq applies that alone.
	 */
	if (f->has_max && f->has_min) {
		k.mask |= ALLOCINFO_FILTER_MASK_MAX_SIZE;
		k.max_size = f->max;
	}
	return k;
}

static void set_name(char field[ALLOCINFO_STR_SIZE], const char *name)
{
	memset(field, 0, ALLOCINFO_STR_SIZE);
	memcpy(field, name, strlen(name));	/* a tail: at most 63 chars */
}

static void add_tag(struct record_list *out, struct allocinfo_tag_data *d)
{
	struct allocinfo_tag *t = &d->tag;
	struct record r;

	t->modname[ALLOCINFO_STR_SIZE - 1] = '\0';
	t->function[ALLOCINFO_STR_SIZE - 1] = '\0';
	t->filename[ALLOCINFO_STR_SIZE - 1] = '\0';
	r = (struct record){
		.bytes = (int64_t)d->counter.bytes,	/* may be negative */
		.calls = d->counter.calls,
		.file = t->filename,
		.line = t->lineno,
		.module = t->modname[0] ? t->modname : NULL,
		.function = t->function,
		.accurate = d->counter.accurate != 0,
	};
	record_list_add(out, &r);
}

/* One kernel query: every tag that matches @k; whether there was one. */
static bool fetch(const struct allocinfo_filter *k, struct record_list *out)
{
	struct allocinfo_get_at at = { .pos = 0, .filter = *k };
	struct allocinfo_tag_data d;

	if (ioctl(fd, ALLOCINFO_IOC_GET_AT, &at) < 0) {
		if (errno == ENOENT)
			return false;
		die_ioctl("GET_AT");
	}
	add_tag(out, &at.data);
	while (ioctl(fd, ALLOCINFO_IOC_GET_NEXT, &d) == 0)
		add_tag(out, &d);
	if (errno != ENOENT)
		die_ioctl("GET_NEXT");
	return true;
}

/* Runs one kernel query per combination of one value of each flag. */
static void fetch_all(const struct filter *f, const struct plan *p, struct record_list *out)
{
	struct allocinfo_filter k = base_filter(f, p);
	char *const *file = p->dim[DIM_FILE].values.v;
	char *const *func = p->dim[DIM_FUNC].values.v;
	char *const *module = p->dim[DIM_MODULE].values.v;
	size_t nfile = span(&p->dim[DIM_FILE]), nfunc = span(&p->dim[DIM_FUNC]);
	size_t nmod = span(&p->dim[DIM_MODULE]), nline = line_span(p);
	size_t total = queries(p);

	for (size_t i = 0; i < total; i++) {
		size_t r = i;

		if (k.mask & ALLOCINFO_FILTER_MASK_FILENAME)
			set_name(k.fields.filename, file[r % nfile]);
		r /= nfile;
		if (k.mask & ALLOCINFO_FILTER_MASK_FUNCTION)
			set_name(k.fields.function, func[r % nfunc]);
		r /= nfunc;
		if (k.mask & ALLOCINFO_FILTER_MASK_MODNAME)
			set_name(k.fields.modname, module[r % nmod]);
		r /= nmod;
		if (k.mask & ALLOCINFO_FILTER_MASK_LINENO)
			k.fields.lineno = f->lines.v[r % nline];
		fetch(&k, out);
	}
}

/* Whether the kernel has a tag by the name @name, asked by that name alone. */
static bool kernel_has(int dim, const char *name)
{
	struct allocinfo_get_at at = { .filter.mask = dim_bits[dim] };
	char *field = dim == DIM_FILE ? at.filter.fields.filename :
		      dim == DIM_FUNC ? at.filter.fields.function : at.filter.fields.modname;

	set_name(field, name_tail(name));
	if (ioctl(fd, ALLOCINFO_IOC_GET_AT, &at) == 0)
		return true;
	if (errno != ENOENT)
		die_ioctl("GET_AT");
	return false;
}

static const char *field_of(const struct record *r, int dim)
{
	return dim == DIM_FILE ? r->file : dim == DIM_FUNC ? r->function : r->module;
}

/*
 * Every name taken from the cached names must still be one the kernel has:
 * one that no record carries is asked for alone.
 */
static bool names_still_true(const struct plan *p, const struct record_list *out)
{
	for (int d = 0; d < DIMS; d++) {
		const struct strlist *names = &p->dim[d].from_names;

		if (!p->dim[d].in_kernel)
			continue;	/* too many to ask for; allocq filters them */
		for (size_t i = 0; i < names->n; i++) {
			const char *tail = name_tail(names->v[i]);
			bool seen = false;

			for (size_t j = 0; j < out->n && !seen; j++) {
				const char *have = field_of(&out->v[j], d);

				seen = have && !strcmp(name_tail(have), tail);
			}
			if (!seen && !kernel_has(d, names->v[i]))
				return false;
		}
	}
	return true;
}

/* A name of exactly NAME_TAIL characters may have been cut by the kernel. */
static bool expand_names(struct record_list *list, uint64_t id)
{
	bool ok = true;

	for (size_t i = 0; i < list->n; i++) {
		struct record *r = &list->v[i];

		if (strlen(r->file) == NAME_TAIL || strlen(r->function) == NAME_TAIL)
			ok = names_expand(known(id), r) && ok;
	}
	return ok;
}

struct attempt {
	const struct filter *filter;
	struct record_list *out;
};

static bool keep_matching(const struct record *r, const void *filter)
{
	return filter_matches(filter, r);
}

/* One read; false when the known names turned out stale. */
static bool read_with_names(const struct filter *f, uint64_t id, struct record_list *out)
{
	struct plan p;
	bool ok;

	plan_init(&p, f, id);
	fetch_all(f, &p, out);
	ok = expand_names(out, id);
	if (names && names_cached(names))
		ok = ok && names_still_true(&p, out);
	plan_free(&p);
	/* the kernel compared cut names, or not at all: allocq compares whole ones */
	record_list_keep(out, keep_matching, f);
	return ok;
}

static void read_once(int allocinfo, uint64_t id, void *arg)
{
	struct attempt *a = arg;

	(void)allocinfo;
	last_id = id;
	if (read_with_names(a->filter, id, a->out) || !names || !names_cached(names))
		return;
	/* a cache that does not match the kernel: collect the names afresh */
	names = names_reload(names, id);
	record_list_clear(a->out);
	read_with_names(a->filter, id, a->out);
}

static void restart(void *arg)
{
	struct attempt *a = arg;

	record_list_clear(a->out);
}

static void read_ioctl(const struct query *q, const struct filter *f,
		       struct record_list *out)
{
	struct attempt a = { f, out };

	(void)q;
	if (fd < 0)
		fd = allocinfo_open();	/* --watch: every sample on a fresh file */
	allocinfo_consistent(fd, read_once, restart, &a);
	close(fd);
	fd = -1;
}

static struct names *ioctl_names(void)
{
	return known(last_id);
}

const struct source source_ioctl = {
	.name = "ioctl",
	.read = read_ioctl,
	.names = ioctl_names,
};
