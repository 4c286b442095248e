// SPDX-License-Identifier: GPL-2.0
/*
 * A differential conformance test of the /proc/allocinfo ioctl interface:
 * run it on two kernels (7.2 with allocq's series, stock 7.3) and compare
 * the traces it prints. They must be identical.
 *
 * The two kernels have different tags, so a returned tag is named by its
 * rank in the list of tags that match the filter in force (0, 1, ...
 * from the start, n-1, n-2 ... from the end), the list being taken from an
 * unfiltered walk of the same kernel. Positions are chosen the same way
 * (0, n-1, n, the number of tags ...). Filters are about the allocq_test
 * module, whose tags are the same everywhere, or about all tags or the
 * built-in ones, where only the ends of the list are looked at.
 *
 * Usage: allocinfo_conform -m allocq_test.ko [-s SEED] [-r SEQUENCES]
 *        allocinfo_conform -f -m allocq_test.ko [-b MODULE.ko]
 *
 * Without -f: hand-written sequences of ioctls, then SEQUENCES (default
 * 300) random ones from SEED (default 1), on fresh, reused and dup'ed
 * file descriptors, and the content id around loading, unloading and a
 * load that fails (the module's fail_init). The trace goes to stdout;
 * the exit status is 0 unless something could not be run at all.
 *
 * With -f, the faults: a thread blocked inside the kernel's copy to user
 * memory (userfaultfd) must not block another thread using the same file,
 * nor module loading; and a process killed during a long walk (with -b, a
 * module with many tags, loaded for the purpose) must die promptly. Prints
 * five TAP results (no plan); exit status 1 when a check failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/alloc_tag.h>

#define PATH		"/proc/allocinfo"
#define MODNAME		"allocq_test"
#define STR		ALLOCINFO_STR_SIZE

static void fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("allocinfo_conform: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ------------------------------------------------------------ the kernel */

static int open_info(void)
{
	int fd = open(PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fatal("open %s: %s", PATH, strerror(errno));
	return fd;
}

static uint64_t content_id(void)
{
	struct allocinfo_content_id c;
	int fd = open_info();

	if (ioctl(fd, ALLOCINFO_IOC_CONTENT_ID, &c))
		fatal("CONTENT_ID: %s", strerror(errno));
	close(fd);
	return c.id;
}

static int get_at(int fd, uint64_t pos, const struct allocinfo_filter *f,
		  struct allocinfo_tag_data *out)
{
	struct allocinfo_get_at ga;

	memset(&ga, 0x5a, sizeof(ga));
	ga.pos = pos;
	ga.filter = *f;
	if (ioctl(fd, ALLOCINFO_IOC_GET_AT, &ga))
		return errno;
	*out = ga.data;
	return 0;
}

static int get_next(int fd, struct allocinfo_tag_data *out)
{
	memset(out, 0xa5, sizeof(*out));
	return ioctl(fd, ALLOCINFO_IOC_GET_NEXT, out) ? errno : 0;
}

static int load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		fatal("open %s: %s", path, strerror(errno));
	ret = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	return ret;
}

static int unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

/* ------------------------------------------------------ the reference */

struct tag {
	struct allocinfo_tag t;
	uint64_t bytes;
	bool accurate;
};

static struct tag *tags;	/* every tag, in the kernel's order */
static size_t ntags;

/* An unfiltered walk, under one content id. */
static void read_tags(void)
{
	static const struct allocinfo_filter none;

	for (int attempt = 0; attempt < 10; attempt++) {
		uint64_t id = content_id();
		struct allocinfo_tag_data d;
		int fd = open_info(), ret;
		size_t cap = 0;

		ntags = 0;
		for (ret = get_at(fd, 0, &none, &d); !ret; ret = get_next(fd, &d)) {
			if (ntags == cap) {
				cap = cap ? 2 * cap : 4096;
				tags = realloc(tags, cap * sizeof(*tags));
				if (!tags)
					fatal("out of memory");
			}
			tags[ntags++] = (struct tag){ d.tag, d.counter.bytes, d.counter.accurate };
		}
		close(fd);
		if (ret != ENOENT)
			fatal("walking the tags: %s", strerror(ret));
		if (content_id() == id)
			return;
	}
	fatal("the tags kept changing");
}

static bool name_matches(const char *have, const char *want)
{
	return !strncmp(have, want, STR);
}

/* The same tag: names (up to their NUL) and line. */
static bool same_tag(const struct allocinfo_tag *a, const struct allocinfo_tag *b)
{
	return name_matches(a->modname, b->modname) && name_matches(a->function, b->function) &&
	       name_matches(a->filename, b->filename) && a->lineno == b->lineno;
}

/* What bytes past what a record carries hold: zeros, the caller's, or else. */
static const char *unused_bytes(const unsigned char *p, size_t n, unsigned char fill)
{
	bool zero = true, caller = true;

	for (size_t i = 0; i < n; i++) {
		zero = zero && !p[i];
		caller = caller && p[i] == fill;
	}
	return zero ? "zeros" : caller ? "the caller's" : "OTHER BYTES";
}

static void print_unused(const struct allocinfo_tag_data *d, unsigned char fill)
{
	const struct allocinfo_tag *t = &d->tag;
	size_t m = strnlen(t->modname, STR) + 1, f = strnlen(t->function, STR) + 1;
	size_t l = strnlen(t->filename, STR) + 1;

	printf("  after the names: %s, %s, %s; counter padding: %s\n",
	       unused_bytes((const void *)t->modname + m, STR - m, fill),
	       unused_bytes((const void *)t->function + f, STR - f, fill),
	       unused_bytes((const void *)t->filename + l, STR - l, fill),
	       unused_bytes((const void *)&d->counter + offsetof(struct allocinfo_counter, accurate) + 1,
			    sizeof(d->counter) - offsetof(struct allocinfo_counter, accurate) - 1,
			    fill));
}

/* The filter's semantics, as the interface documents them. */
static bool matches(const struct allocinfo_filter *f, const struct tag *t)
{
	uint64_t m = f->mask;

	return (!(m & ALLOCINFO_FILTER_MASK_MODNAME) ||
		name_matches(t->t.modname, f->fields.modname)) &&
	       (!(m & ALLOCINFO_FILTER_MASK_FUNCTION) ||
		name_matches(t->t.function, f->fields.function)) &&
	       (!(m & ALLOCINFO_FILTER_MASK_FILENAME) ||
		name_matches(t->t.filename, f->fields.filename)) &&
	       (!(m & ALLOCINFO_FILTER_MASK_LINENO) || t->t.lineno == f->fields.lineno) &&
	       (!(m & ALLOCINFO_FILTER_MASK_INACCURATE) || !t->accurate == !!f->inaccurate) &&
	       (!(m & ALLOCINFO_FILTER_MASK_MIN_SIZE) || t->bytes >= f->min_size) &&
	       (!(m & ALLOCINFO_FILTER_MASK_MAX_SIZE) || t->bytes <= f->max_size);
}

/* ------------------------------------------------------------- filters */

struct named_filter {
	const char *name;
	struct allocinfo_filter f;
	bool stable;	/* its matches are the same on every kernel */
};

static struct named_filter pool[24];
static size_t npool;

static struct allocinfo_filter *add_filter(const char *name, uint64_t mask, bool stable)
{
	struct named_filter *nf = &pool[npool++];

	memset(nf, 0, sizeof(*nf));
	nf->name = name;
	nf->f.mask = mask;
	nf->stable = stable;
	return &nf->f;
}

static void set_str(char dst[STR], const char *s)
{
	size_t len = strlen(s);

	if (len > STR - 1)
		s += len - (STR - 1);
	memset(dst, 0, STR);
	memcpy(dst, s, strlen(s));
}

/* The module's tag whose function is @func (it must be there). */
static const struct tag *module_tag(const char *func)
{
	for (size_t i = 0; i < ntags; i++)
		if (!strcmp(tags[i].t.modname, MODNAME) && name_matches(tags[i].t.function, func))
			return &tags[i];
	fatal("no tag of %s in function %s: is it loaded?", MODNAME, func);
	return NULL;
}

enum {
	F_NONE, F_BUILTIN, F_MODULE, F_ACCURATE, F_INACCURATE, F_MIN_1M, F_MAX_4K,
	F_ALL_SIZES, F_FUNCTION, F_LONG_FUNCTION, F_LONG_FILE, F_FILE_LINE, F_MIN_ONLY,
	F_NOTHING, F_UNTERMINATED,
};

static void make_filters(void)
{
	static const char long_func[] =
		"allocq_test_function_whose_name_is_longer_than_sixty_three_characters";
	const struct tag *loop = module_tag("allocq_test_alloc_loop");
	const struct tag *longpath = NULL;
	struct allocinfo_filter *f;

	for (size_t i = 0; i < ntags; i++)
		if (!strcmp(tags[i].t.modname, MODNAME) &&
		    strstr(tags[i].t.filename, "allocq_test_long_path.c"))
			longpath = &tags[i];
	if (!longpath)
		fatal("no tag of %s in allocq_test_long_path.c", MODNAME);

	add_filter("none", 0, false);
	add_filter("builtin", ALLOCINFO_FILTER_MASK_MODNAME, false);
	f = add_filter("module", ALLOCINFO_FILTER_MASK_MODNAME, true);
	set_str(f->fields.modname, MODNAME);
	f = add_filter("module+accurate",
		       ALLOCINFO_FILTER_MASK_MODNAME | ALLOCINFO_FILTER_MASK_INACCURATE, true);
	set_str(f->fields.modname, MODNAME);
	f = add_filter("module+inaccurate",
		       ALLOCINFO_FILTER_MASK_MODNAME | ALLOCINFO_FILTER_MASK_INACCURATE, true);
	set_str(f->fields.modname, MODNAME);
	f->inaccurate = 7;	/* any non-zero value */
	f = add_filter("module+min1M",
		       ALLOCINFO_FILTER_MASK_MODNAME | ALLOCINFO_FILTER_MASK_MIN_SIZE, true);
	set_str(f->fields.modname, MODNAME);
	f->min_size = 1 << 20;
	f = add_filter("module+max4K",
		       ALLOCINFO_FILTER_MASK_MODNAME | ALLOCINFO_FILTER_MASK_MAX_SIZE, true);
	set_str(f->fields.modname, MODNAME);
	f->max_size = 4096;
	f = add_filter("module+sizes0..max", ALLOCINFO_FILTER_MASK_MODNAME |
		       ALLOCINFO_FILTER_MASK_MIN_SIZE | ALLOCINFO_FILTER_MASK_MAX_SIZE, true);
	set_str(f->fields.modname, MODNAME);
	f->max_size = UINT64_MAX;
	f = add_filter("function", ALLOCINFO_FILTER_MASK_FUNCTION, true);
	set_str(f->fields.function, "allocq_test_alloc_large");
	f = add_filter("long-function-tail", ALLOCINFO_FILTER_MASK_FUNCTION, true);
	set_str(f->fields.function, long_func);
	f = add_filter("long-file-tail", ALLOCINFO_FILTER_MASK_FILENAME, true);
	memcpy(f->fields.filename, longpath->t.filename, STR);
	f = add_filter("file+line", ALLOCINFO_FILTER_MASK_FILENAME | ALLOCINFO_FILTER_MASK_LINENO,
		       true);
	memcpy(f->fields.filename, loop->t.filename, STR);
	f->fields.lineno = loop->t.lineno;
	/* only the lower bound is in force: max_size below it is no error */
	f = add_filter("module+min4K-max-unset",
		       ALLOCINFO_FILTER_MASK_MODNAME | ALLOCINFO_FILTER_MASK_MIN_SIZE, true);
	set_str(f->fields.modname, MODNAME);
	f->min_size = 4096;
	f->max_size = 1;
	f = add_filter("nothing", ALLOCINFO_FILTER_MASK_FUNCTION, true);
	set_str(f->fields.function, "allocinfo_conform_no_such_function");
	f = add_filter("unterminated-name", ALLOCINFO_FILTER_MASK_FUNCTION, true);
	memset(f->fields.function, 'x', STR);
	/* rejected ones */
	add_filter("bit7", 1ULL << 7, true);
	add_filter("bit63", 1ULL << 63, true);
	f = add_filter("min>max", ALLOCINFO_FILTER_MASK_MIN_SIZE | ALLOCINFO_FILTER_MASK_MAX_SIZE,
		       true);
	f->min_size = 2;
	f->max_size = 1;
}

/* The indexes (into tags) of @f's matches. */
static size_t match_list(const struct allocinfo_filter *f, size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < ntags; i++)
		if (matches(f, &tags[i]))
			idx[n++] = i;
	return n;
}

/* ------------------------------------------------------------- the trace */

/*
 * The state of one open file, as far as naming what it returns goes: the
 * filter last stored and the rank of the last tag returned.
 */
struct file {
	int fd;
	const struct named_filter *filter;
	size_t last;		/* SIZE_MAX: none yet */
};

static size_t *idx;		/* ntags entries: the matches of a filter */

/* A rank as both kernels can print it: from the start or from the end. */
static void print_rank(size_t rank, size_t n, bool stable)
{
	if (stable || rank < 8)
		printf("rank %zu", rank);
	else if (n - rank <= 8)
		printf("rank n-%zu", n - rank);
	else
		printf("rank (middle)");
}

/*
 * Names the tag @d returned under @file's filter: the first of its
 * occurrences in the match list at or after @from (tags of inline
 * functions in headers repeat), else the first one. Prints it.
 */
static void print_result(struct file *file, int err, const struct allocinfo_tag_data *d,
			 size_t from)
{
	const struct named_filter *nf = file->filter;
	size_t n, found = SIZE_MAX;

	if (err) {
		printf("%s\n", err == ENOENT ? "ENOENT" : err == EINVAL ? "EINVAL" :
		       err == EFAULT ? "EFAULT" : strerror(err));
		return;
	}
	n = match_list(&nf->f, idx);
	for (size_t k = 0; k < n; k++) {
		const struct tag *t = &tags[idx[k]];

		if (!same_tag(&t->t, &d->tag))
			continue;
		if (found == SIZE_MAX || (found < from && k >= from))
			found = k;
		if (found >= from)
			break;
	}
	if (found == SIZE_MAX) {
		printf("a tag that does not match %s: %s:%llu %s [%s]\n", nf->name,
		       d->tag.filename, (unsigned long long)d->tag.lineno, d->tag.function,
		       d->tag.modname);
		return;
	}
	print_rank(found, n, nf->stable);
	putchar('\n');
	file->last = found;
}

enum pos_kind { P_0, P_1, P_2, P_N1, P_N, P_N_PLUS1, P_COUNT1, P_COUNT, P_COUNT_PLUS1,
		P_2_63, P_MAX, NPOS };
static const char *const pos_names[NPOS] = {
	"0", "1", "2", "n-1", "n", "n+1", "count-1", "count", "count+1", "2^63", "max",
};

static uint64_t position(enum pos_kind k, size_t n)
{
	switch (k) {
	case P_0: return 0;
	case P_1: return 1;
	case P_2: return 2;
	case P_N1: return n ? n - 1 : 0;
	case P_N: return n;
	case P_N_PLUS1: return n + 1;
	case P_COUNT1: return ntags - 1;
	case P_COUNT: return ntags;
	case P_COUNT_PLUS1: return ntags + 1;
	case P_2_63: return 1ULL << 63;
	case P_MAX: return UINT64_MAX;
	case NPOS: break;
	}
	return 0;
}

static int step;

static void op_get_at(struct file *file, const struct named_filter *nf, enum pos_kind k)
{
	size_t n = match_list(&nf->f, idx);
	uint64_t pos = position(k, n);
	struct allocinfo_tag_data d;
	int err = get_at(file->fd, pos, &nf->f, &d);

	printf("%d fd%d GET_AT %s pos %s -> ", ++step, file->fd, nf->name, pos_names[k]);
	/* a new filter is in force unless the call changed nothing */
	if (!err || (err == ENOENT && pos < ntags))
		file->filter = nf;
	/* too few matches: at the end, or never positioned; either way from 0 next */
	if (err == ENOENT && pos < ntags)
		file->last = SIZE_MAX;
	print_result(file, err, &d, pos);
}

static void op_get_next(struct file *file)
{
	struct allocinfo_tag_data d;
	int err = get_next(file->fd, &d);

	printf("%d fd%d GET_NEXT -> ", ++step, file->fd);
	print_result(file, err, &d, file->last == SIZE_MAX ? 0 : file->last + 1);
	if (err == ENOENT)
		file->last = SIZE_MAX;	/* the walk starts over */
}

/* GET_NEXT until ENOENT: whether every match came, in order. */
static void op_walk(struct file *file)
{
	size_t n = match_list(&file->filter->f, idx), got = 0, want;
	struct allocinfo_tag_data d;
	bool in_order = true;
	int err;

	want = file->last == SIZE_MAX ? 0 : file->last + 1;
	while (!(err = get_next(file->fd, &d)) && got < ntags + 1) {
		if (want >= n || !same_tag(&tags[idx[want]].t, &d.tag))
			in_order = false;
		want++;
		got++;
	}
	printf("%d fd%d walk -> %s, then %s\n", ++step, file->fd,
	       in_order && want == n ? "the rest of the matches in order" : "NOT the matches",
	       err == ENOENT ? "ENOENT" : strerror(err));
	file->last = SIZE_MAX;
}

static struct file open_file(void)
{
	static const struct named_filter none = { .name = "none" };

	return (struct file){ open_info(), &none, SIZE_MAX };
}

/* ------------------------------------------------------------ sequences */

static const struct named_filter *filter_named(const char *name)
{
	for (size_t i = 0; i < npool; i++)
		if (!strcmp(pool[i].name, name))
			return &pool[i];
	fatal("no filter %s", name);
	return NULL;
}

static void section(const char *name)
{
	printf("== %s\n", name);
	step = 0;
}

static void fixed_sequences(void)
{
	const struct named_filter *module = filter_named("module");
	struct file a, b, c;

	section("fresh file: GET_NEXT without GET_AT");
	a = open_file();
	op_get_next(&a);
	op_get_next(&a);
	close(a.fd);

	section("GET_AT in range, then GET_NEXT");
	a = open_file();
	for (enum pos_kind k = P_0; k <= P_N1; k++) {
		op_get_at(&a, module, k);
		op_get_next(&a);
	}
	op_get_at(&a, filter_named("none"), P_2);
	op_get_next(&a);
	op_get_at(&a, filter_named("builtin"), P_N1);
	op_get_next(&a);
	close(a.fd);

	section("GET_AT past the matches, on a positioned and on a fresh file");
	a = open_file();
	op_get_at(&a, module, P_1);
	op_get_at(&a, filter_named("function"), P_N);
	op_get_next(&a);
	op_get_next(&a);
	op_get_next(&a);
	close(a.fd);
	a = open_file();
	op_get_at(&a, module, P_N);
	op_get_next(&a);
	op_get_next(&a);
	close(a.fd);

	section("GET_AT at and past the number of tags changes nothing");
	a = open_file();
	op_get_at(&a, module, P_1);
	for (enum pos_kind k = P_COUNT; k < NPOS; k++) {
		op_get_at(&a, filter_named("function"), k);
		op_get_next(&a);
	}
	op_get_at(&a, module, P_COUNT1);
	op_get_next(&a);
	op_get_next(&a);
	close(a.fd);

	section("every rejected filter changes nothing");
	a = open_file();
	op_get_at(&a, module, P_0);
	op_get_at(&a, filter_named("bit7"), P_0);
	op_get_next(&a);
	op_get_at(&a, filter_named("bit63"), P_0);
	op_get_next(&a);
	op_get_at(&a, filter_named("min>max"), P_0);
	op_get_next(&a);
	op_get_at(&a, filter_named("min>max"), P_COUNT);
	op_get_next(&a);
	close(a.fd);

	section("an empty filter clears the stored one");
	a = open_file();
	op_get_at(&a, module, P_N1);
	op_get_at(&a, filter_named("none"), P_0);
	op_get_next(&a);
	close(a.fd);

	section("every filter alone: the first match, and the walk");
	for (size_t i = 0; i < npool; i++) {
		a = open_file();
		op_get_at(&a, &pool[i], P_0);
		op_walk(&a);
		op_get_next(&a);
		close(a.fd);
	}

	section("walk to the end, wrap, and again");
	a = open_file();
	op_get_at(&a, module, P_0);
	op_walk(&a);
	op_get_next(&a);
	op_walk(&a);
	op_get_next(&a);
	op_get_next(&a);
	close(a.fd);

	section("a dup'ed file shares the walk; another file does not");
	a = open_file();
	b = a;
	b.fd = dup(a.fd);
	c = open_file();
	op_get_at(&a, module, P_0);
	op_get_at(&c, filter_named("builtin"), P_0);
	b.filter = a.filter;
	b.last = a.last;
	op_get_next(&b);
	a.last = b.last;
	op_get_next(&a);
	op_get_next(&c);
	close(b.fd);
	op_get_next(&a);
	close(a.fd);
	close(c.fd);

	section("bytes a record does not use: GET_AT keeps the caller's, GET_NEXT zeros");
	{
		const struct named_filter *fs[] = { filter_named("builtin"), module };
		struct allocinfo_tag_data d;

		for (size_t i = 0; i < 2; i++) {
			a = open_file();
			printf("GET_AT %s pos 0: %s\n", fs[i]->name,
			       get_at(a.fd, 0, &fs[i]->f, &d) ? strerror(errno) : "ok");
			print_unused(&d, 0x5a);
			printf("GET_NEXT: %s\n", get_next(a.fd, &d) ? strerror(errno) : "ok");
			print_unused(&d, 0xa5);
			close(a.fd);
		}
	}

	section("a GET_AT whose data cannot be written");
	{
		long page = sysconf(_SC_PAGESIZE);
		char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct allocinfo_get_at *ga;

		if (map == MAP_FAILED)
			fatal("mmap: %s", strerror(errno));
		munmap(map + page, page);
		/* pos and filter readable, the end of data not */
		ga = (void *)(map + page - sizeof(*ga) + 8);
		a = open_file();
		op_get_at(&a, module, P_1);
		memset(ga, 0, sizeof(*ga) - 8);
		ga->filter = filter_named("function")->f;
		printf("%d fd%d GET_AT function pos 0, data unwritable -> %s\n", ++step, a.fd,
		       ioctl(a.fd, ALLOCINFO_IOC_GET_AT, ga) ? strerror(errno) : "success");
		op_get_next(&a);
		close(a.fd);
		munmap(map, page);
	}
}

static uint64_t rnd_state;

static uint64_t rnd(uint64_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (rnd_state >> 33) % n;
}

/* Random ops on two files and a dup of one of them. */
static void random_sequence(int number)
{
	struct file f[2] = { open_file(), open_file() };
	int dup_of = -1, dupfd = -1;

	printf("== random %d\n", number);
	step = 0;
	for (int i = 0; i < 12; i++) {
		int which = (int)rnd(2);
		struct file *file = &f[which];
		uint64_t op = rnd(10);

		if (op < 4) {
			op_get_at(file, &pool[rnd(npool)], (enum pos_kind)rnd(NPOS));
		} else if (op < 8) {
			op_get_next(file);
		} else if (op == 8) {
			printf("%d fd%d reopened\n", ++step, file->fd);
			close(file->fd);
			if (dup_of == which) {
				close(dupfd);
				dup_of = -1;
			}
			*file = open_file();
		} else if (dup_of < 0) {
			/* a dup shares the state: ops on it go through the same struct */
			dupfd = dup(file->fd);
			dup_of = which;
			printf("%d fd%d dup'ed\n", ++step, file->fd);
		} else {
			struct allocinfo_tag_data d;
			int err = get_next(dupfd, &d);

			printf("%d dup of fd%d GET_NEXT -> ", ++step, f[dup_of].fd);
			print_result(&f[dup_of], err, &d, f[dup_of].last == SIZE_MAX ? 0 :
				     f[dup_of].last + 1);
			if (err == ENOENT)
				f[dup_of].last = SIZE_MAX;
		}
	}
	if (dupfd >= 0)
		close(dupfd);
	close(f[0].fd);
	close(f[1].fd);
}

static void content_ids(const char *module)
{
	uint64_t before, after;
	int err;

	section("content id");
	before = content_id();
	err = unload_module(MODNAME);
	after = content_id();
	printf("unload: %s, id +%llu\n", err ? strerror(err) : "ok",
	       (unsigned long long)(after - before));
	before = after;
	err = load_module(module, "fail_init=1");
	after = content_id();
	printf("a load that fails: %s, id +%llu\n", err ? strerror(err) : "ok",
	       (unsigned long long)(after - before));
	before = after;
	err = load_module(module, "");
	after = content_id();
	printf("load: %s, id +%llu\n", err ? strerror(err) : "ok",
	       (unsigned long long)(after - before));
	before = after;
	printf("nothing in between: id +%llu\n", (unsigned long long)(content_id() - before));
}

/* A walk that goes on while the module is unloaded skips its tags. */
static void walk_across_unload(const char *module)
{
	struct allocinfo_tag_data d;
	struct file a = open_file();
	size_t from_module = 0, got = 0;
	int err;

	section("a walk across an unload");
	op_get_at(&a, filter_named("none"), P_0);
	err = unload_module(MODNAME);
	printf("unload: %s\n", err ? strerror(err) : "ok");
	while (!(err = get_next(a.fd, &d)) && got++ <= ntags)
		from_module += !strcmp(d.tag.modname, MODNAME);
	printf("the rest of the walk: %zu tags of the unloaded module, then %s\n",
	       from_module, err == ENOENT ? "ENOENT" : strerror(err));
	close(a.fd);
	err = load_module(module, "");
	printf("load again: %s\n", err ? strerror(err) : "ok");
}

/* ---------------------------------------------------------------- faults */

static int tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	tap_failed += !ok;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct blocked {
	int fd;
	struct allocinfo_tag_data *buf;
	int err;
};

static void *blocked_get_next(void *arg)
{
	struct blocked *b = arg;

	b->err = ioctl(b->fd, ALLOCINFO_IOC_GET_NEXT, b->buf) ? errno : 0;
	return NULL;
}

struct timed {
	int fd;
	volatile int done;
	int err;
};

static void *timed_get_at(void *arg)
{
	static const struct allocinfo_filter none;
	struct allocinfo_tag_data d;
	struct timed *t = arg;

	t->err = get_at(t->fd, 0, &none, &d);
	t->done = 1;
	return NULL;
}

static bool wait_done(volatile int *done, double secs)
{
	double end = now() + secs;

	while (!*done && now() < end)
		usleep(10000);
	return *done;
}

/*
 * A thread whose GET_NEXT faults on a page that userfaultfd holds back
 * stays inside the ioctl; another thread's GET_AT on the same file, and a
 * module load and unload, must still complete.
 */
static void fault_blocked_copy(const char *module)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_zeropage zero;
	struct blocked b;
	struct timed t = { 0 };
	pthread_t tb, tt;
	char *map;
	int uffd, fd, err;
	bool ok;

	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		fatal("userfaultfd: %s (CONFIG_USERFAULTFD?)", strerror(errno));
	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		fatal("mmap: %s", strerror(errno));
	reg = (struct uffdio_register){ .range = { (unsigned long)map, page },
					.mode = UFFDIO_REGISTER_MODE_MISSING };
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		fatal("UFFDIO_REGISTER: %s", strerror(errno));

	fd = open_info();
	b = (struct blocked){ fd, (void *)map, -1 };
	pthread_create(&tb, NULL, blocked_get_next, &b);
	/* the fault arrives once the thread is inside the copy */
	{
		struct pollfd p = { uffd, POLLIN, 0 };

		ok = poll(&p, 1, 10000) == 1;
	}
	tap(ok, "a GET_NEXT blocks in its copy to a page userfaultfd holds back");

	t.fd = fd;
	pthread_create(&tt, NULL, timed_get_at, &t);
	ok = wait_done(&t.done, 10);
	tap(ok && !t.err, "GET_AT on the same file meanwhile: %s",
	    !ok ? "still blocked after 10 s" : t.err ? strerror(t.err) : "done");

	err = unload_module(MODNAME);
	if (!err)
		err = load_module(module, "");
	tap(!err, "unload and load a module meanwhile: %s", err ? strerror(err) : "done");

	zero = (struct uffdio_zeropage){ .range = { (unsigned long)map, page } };
	ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
	pthread_join(tb, NULL);
	if (ok)
		pthread_join(tt, NULL);
	tap(b.err == 0, "the blocked GET_NEXT completes once the page is there: %s",
	    b.err ? strerror(b.err) : "done");
	close(fd);
	close(uffd);
	munmap(map, page);
}

/* One walk over every tag that sums every tag's counters: no tag is that big. */
static void long_walk(int fd)
{
	struct allocinfo_filter f = { .mask = ALLOCINFO_FILTER_MASK_MIN_SIZE,
				      .min_size = UINT64_MAX };
	struct allocinfo_tag_data d;

	get_at(fd, 0, &f, &d);
}

/* How long killing @pid and reaping it takes. */
static double kill_and_reap(pid_t pid)
{
	double start = now();
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return now() - start;
}

/*
 * A process killed during a long walk dies within a small part of the
 * walk's time, not at its end: beyond what dying takes anyway (a process
 * killed while it sleeps), at most a quarter of the walk.
 */
static void fault_kill_walk(const char *bench)
{
	double start, walk, idle, died;
	int fd, err, ready[2];
	pid_t pid;
	char c;

	if (!bench) {
		tap(true, "# SKIP a process killed during a walk (no -b module with many tags)");
		return;
	}
	err = load_module(bench, "");
	if (err)
		fatal("load %s: %s", bench, strerror(err));
	fd = open_info();
	start = now();
	for (int i = 0; i < 3; i++)
		long_walk(fd);
	walk = (now() - start) / 3;
	close(fd);

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	usleep(100000);
	idle = kill_and_reap(pid);

	/* the child says when each walk starts: killed a quarter into one */
	if (pipe(ready) < 0)
		fatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		fd = open_info();
		for (;;) {
			if (write(ready[1], "w", 1) != 1)
				_exit(1);
			long_walk(fd);
		}
	}
	close(ready[1]);
	for (int i = 0; i < 2; i++)
		if (read(ready[0], &c, 1) != 1)
			fatal("the walking child died");
	usleep((useconds_t)(walk * 1e6 / 4));
	died = kill_and_reap(pid);
	close(ready[0]);
	tap(died < idle + walk / 4, "a process killed during a walk of %.0f ms dies in %.1f ms "
	    "(%.1f ms when killed asleep)", walk * 1e3, died * 1e3, idle * 1e3);
	err = unload_module("allocq_bench");
	if (err)
		fprintf(stderr, "unload allocq_bench: %s\n", strerror(err));
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	const char *module = NULL, *bench = NULL;
	unsigned long seed = 1, sequences = 300;
	bool faults = false;
	int opt;

	while ((opt = getopt(argc, argv, "m:b:s:r:f")) != -1) {
		switch (opt) {
		case 'm': module = optarg; break;
		case 'b': bench = optarg; break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'r': sequences = strtoul(optarg, NULL, 0); break;
		case 'f': faults = true; break;
		default:
			fprintf(stderr, "usage: %s -m allocq_test.ko [-s SEED] [-r N] | "
				"-f -m allocq_test.ko [-b MODULE.ko]\n", argv[0]);
			return 2;
		}
	}
	if (!module)
		fatal("-m allocq_test.ko is needed");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* in a guest booted for the test: the kernel image's tags only */
	if (!faults)
		printf("content id at the start: %llu\n", (unsigned long long)content_id());
	unload_module(MODNAME);
	if (load_module(module, ""))
		fatal("load %s: %s", module, strerror(errno));

	if (faults) {
		fault_blocked_copy(module);
		fault_kill_walk(bench);
		unload_module(MODNAME);
		return tap_failed ? 1 : 0;
	}

	read_tags();
	idx = calloc(ntags, sizeof(*idx));
	if (!idx)
		fatal("out of memory");
	make_filters();
	printf("# seed %lu, %lu random sequences\n", seed, sequences);
	fixed_sequences();
	rnd_state = seed;
	for (unsigned long i = 0; i < sequences; i++)
		random_sequence((int)i);
	walk_across_unload(module);
	content_ids(module);
	unload_module(MODNAME);
	return 0;
}
