/*
 * The ioctl source: the kernel filters (see allocinfo-abi), allocq only asks.
 *
 * Every combination of one value per filter flag is one kernel query (GET_AT
 * at 0, then GET_NEXT to the end); the combinations select disjoint tags, so
 * the results just add up. The content id is read before and after: if a
 * module came or went in between, everything is read again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/alloc_tag.h>

#include "errors.h"
#include "names.h"
#include "proc.h"
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

static int fd = -1;
static uint64_t first_id;	/* read by the probe */

static _Noreturn void die_ioctl(const char *what)
{
	die(EXIT_RUNTIME, "ioctl %s on /proc/allocinfo failed: %s: try --source text",
	    what, strerror(errno));
}

_Noreturn void die_tags_changing(void)
{
	die(EX_TEMPFAIL, "the set of allocation tags kept changing while reading it "
	    "(%d attempts; modules loading or unloading): try again", READ_ATTEMPTS);
}

bool allocinfo_content_id(int allocinfo, uint64_t *id)
{
	struct allocinfo_content_id cid;

	if (ioctl(allocinfo, ALLOCINFO_IOC_CONTENT_ID, &cid) < 0)
		return false;
	*id = cid.id;
	return true;
}

static uint64_t content_id(void)
{
	uint64_t id;

	if (!allocinfo_content_id(fd, &id))
		die_ioctl("CONTENT_ID");
	return id;
}

bool ioctl_available(void)
{
	fd = proc_open_allocinfo();
	if (allocinfo_content_id(fd, &first_id))
		return true;
	if (errno != ENOTTY && errno != EINVAL)
		die_ioctl("CONTENT_ID");
	close(fd);
	fd = -1;
	return false;
}

/* The names sent for each flag: distinct, cut as the kernel cuts them. */
struct kernel_values {
	struct strlist files, funcs, modules;
};

static void add_files(const struct strlist *files, uint64_t id, struct names **names,
		      struct strlist *out)
{
	for (size_t i = 0; i < files->n; i++) {
		struct strlist paths = { 0 };

		if (strchr(files->v[i], '/')) {
			strlist_add(out, name_tail(files->v[i]));
			continue;
		}
		/* the kernel compares whole names: a basename needs its paths */
		if (!*names)
			*names = names_get(id);
		names_paths_for_basename(*names, files->v[i], &paths);
		for (size_t j = 0; j < paths.n; j++)
			strlist_add(out, name_tail(paths.v[j]));
		strlist_free(&paths);
	}
}

static void add_tails(const struct strlist *names, struct strlist *out)
{
	for (size_t i = 0; i < names->n; i++)
		strlist_add(out, name_tail(names->v[i]));
}

static void kernel_values_init(struct kernel_values *kv, const struct filter *f,
			       uint64_t id, struct names **names)
{
	*kv = (struct kernel_values){ 0 };
	add_files(&f->files, id, names, &kv->files);
	add_tails(&f->funcs, &kv->funcs);
	if (f->builtin)
		strlist_add(&kv->modules, "");	/* the kernel's "built-in" */
	add_tails(&f->modules, &kv->modules);
}

static void kernel_values_free(struct kernel_values *kv)
{
	strlist_free(&kv->files);
	strlist_free(&kv->funcs);
	strlist_free(&kv->modules);
}

/* The part of the kernel filter that is the same for every combination. */
static struct allocinfo_filter base_filter(const struct filter *f)
{
	struct allocinfo_filter k = { 0 };

	if (f->files.n)
		k.mask |= ALLOCINFO_FILTER_MASK_FILENAME;
	if (f->funcs.n)
		k.mask |= ALLOCINFO_FILTER_MASK_FUNCTION;
	if (f->builtin || f->modules.n)
		k.mask |= ALLOCINFO_FILTER_MASK_MODNAME;
	if (f->lines.n)
		k.mask |= ALLOCINFO_FILTER_MASK_LINENO;
	if (f->accuracy != ACCURACY_ANY) {
		k.mask |= ALLOCINFO_FILTER_MASK_INACCURATE;
		k.inaccurate = f->accuracy == ACCURACY_INACCURATE;
	}
	if (f->has_min) {
		k.mask |= ALLOCINFO_FILTER_MASK_MIN_SIZE;
		k.min_size = f->min;
	}
	if (f->has_max) {
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

/* One kernel query: every tag that matches @k. */
static void fetch(const struct allocinfo_filter *k, struct record_list *out)
{
	struct allocinfo_get_at at = { .pos = 0, .filter = *k };
	struct allocinfo_tag_data d;

	if (ioctl(fd, ALLOCINFO_IOC_GET_AT, &at) < 0) {
		if (errno == ENOENT)
			return;
		die_ioctl("GET_AT");
	}
	add_tag(out, &at.data);
	while (ioctl(fd, ALLOCINFO_IOC_GET_NEXT, &d) == 0)
		add_tag(out, &d);
	if (errno != ENOENT)
		die_ioctl("GET_NEXT");
}

/* A flag given no value spans one "any" slot; one with values, each value. */
static size_t span(bool active, size_t n)
{
	return active ? n : 1;
}

/* Runs one kernel query per combination of one value of each flag. */
static void fetch_all(const struct filter *f, const struct kernel_values *kv,
		      struct record_list *out)
{
	struct allocinfo_filter k = base_filter(f);
	size_t nfile = span(f->files.n, kv->files.n);
	size_t nfunc = span(f->funcs.n, kv->funcs.n);
	size_t nmod = span(f->builtin || f->modules.n, kv->modules.n);
	size_t nline = span(f->lines.n, f->lines.n);
	size_t total = nfile * nfunc * nmod * nline;

	for (size_t i = 0; i < total; i++) {
		size_t r = i;

		if (f->files.n)
			set_name(k.fields.filename, kv->files.v[r % nfile]);
		r /= nfile;
		if (f->funcs.n)
			set_name(k.fields.function, kv->funcs.v[r % nfunc]);
		r /= nfunc;
		if (k.mask & ALLOCINFO_FILTER_MASK_MODNAME)
			set_name(k.fields.modname, kv->modules.v[r % nmod]);
		r /= nmod;
		if (f->lines.n)
			k.fields.lineno = f->lines.v[r % nline];
		fetch(&k, out);
	}
}

/*
 * A name of exactly NAME_TAIL characters may have been cut by the kernel:
 * replace it by the one full name that ends with it, or mark it as cut.
 */
static void expand(char **name, const char *full, unsigned *trimmed, unsigned flag)
{
	char *old = *name;

	if (full) {
		*name = xstrdup(full);
	} else {
		*name = xasprintf(TRIM_MARK "%s", old);
		*trimmed |= flag;
	}
	free(old);
}

static void expand_names(struct record_list *list, uint64_t id, struct names **names)
{
	for (size_t i = 0; i < list->n; i++) {
		struct record *r = &list->v[i];
		bool cut_file = strlen(r->file) == NAME_TAIL;
		bool cut_func = strlen(r->function) == NAME_TAIL;

		if (!cut_file && !cut_func)
			continue;
		if (!*names)
			*names = names_get(id);
		if (cut_file)
			expand(&r->file, names_expand_file(*names, r->file),
			       &r->trimmed, TRIMMED_FILE);
		if (cut_func)
			expand(&r->function, names_expand_function(*names, r->function),
			       &r->trimmed, TRIMMED_FUNCTION);
	}
}

static bool keep_matching(const struct record *r, const void *filter)
{
	return filter_matches(filter, r);
}

static void read_once(const struct filter *f, uint64_t id, struct record_list *out)
{
	struct names *names = NULL;
	struct kernel_values kv;

	kernel_values_init(&kv, f, id, &names);
	fetch_all(f, &kv, out);
	expand_names(out, id, &names);
	/* the kernel compared cut names; full ones can be told apart */
	record_list_keep(out, keep_matching, f);
	kernel_values_free(&kv);
	names_free(names);
}

static void read_ioctl(const struct query *q, struct record_list *out)
{
	uint64_t id = first_id;

	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		uint64_t now;

		read_once(&q->filter, id, out);
		now = content_id();
		if (now == id) {
			close(fd);
			fd = -1;
			return;
		}
		record_list_clear(out);
		id = now;
	}
	die_tags_changing();
}

const struct source source_ioctl = {
	.name = "ioctl",
	.read = read_ioctl,
};
