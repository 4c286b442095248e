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
 *        allocinfo_conform -c SECONDS -m allocq_test.ko -b MODULE.ko
 *        allocinfo_conform -w -m allocq_test.ko -b MODULE.ko
 *        allocinfo_conform -k -m allocq_test.ko -b MODULE.ko
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
 * module with many tags, loaded for the purpose) must die promptly, and a
 * process sharing the file with a child killed in a walk or a GET_AT must
 * find the walk as if the child's call had completed or never run. Prints
 * seven TAP results (no plan); exit status 1 when a check failed.
 *
 * With -c, the churn stress of the same module loaded and unloaded while
 * processes query (see churn() below): seven TAP results, no plan.
 *
 * With -w, a figure: how long a module load and unload wait while another
 * process walks the tags by size alone.
 *
 * With -k, only the two cases of a child sharing the file killed in a call
 * (two TAP results): what a kernel that completes every call, such as
 * stock 7.3, gives there is what the series must give.
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

static uint64_t fd_content_id(int fd)
{
	struct allocinfo_content_id c;

	if (ioctl(fd, ALLOCINFO_IOC_CONTENT_ID, &c))
		fatal("CONTENT_ID: %s", strerror(errno));
	return c.id;
}

static uint64_t content_id(void)
{
	int fd = open_info();
	uint64_t id = fd_content_id(fd);

	close(fd);
	return id;
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

/* Load @bench, the module of many tags, unless it is there already. */
static void load_bench(const char *bench)
{
	int err = load_module(bench, "");

	if (err && err != EEXIST)
		fatal("load %s: %s", bench, strerror(err));
}

/* Load @bench; how long one long walk takes. */
static double load_and_walk(const char *bench)
{
	double start;
	int fd;

	load_bench(bench);
	fd = open_info();
	start = now();
	for (int i = 0; i < 3; i++)
		long_walk(fd);
	close(fd);
	return (now() - start) / 3;
}

/*
 * A process killed during a long walk dies within a small part of the
 * walk's time, not at its end: beyond what dying takes anyway (a process
 * killed while it sleeps), at most a quarter of the walk.
 */
static void fault_kill_walk(const char *bench)
{
	double walk, idle, died;
	int fd, ready[2];
	pid_t pid;
	char c;

	if (!bench) {
		tap(true, "# SKIP a process killed during a walk (no -b module with many tags)");
		return;
	}
	walk = load_and_walk(bench);

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
}

/*
 * A child that shares the file is killed in a call; the parent's next
 * GET_NEXT must find the walk as a kernel that completes every call would
 * leave it: as if the killed call had completed, or had never run. The
 * filter is the bench module's sites of 1 MiB and more, a dozen among
 * thousands, so that each call walks long and the kill lands inside one.
 */
static void fault_shared_kill(bool at)
{
	struct allocinfo_filter f = { .mask = ALLOCINFO_FILTER_MASK_MODNAME |
					      ALLOCINFO_FILTER_MASK_MIN_SIZE,
				      .min_size = 1 << 20 };
	struct allocinfo_tag_data l[64], d;
	size_t n = 0, calls = 0;
	int fd, err, done[2];
	double start, walk;
	long want1, want2, got = -1;
	pid_t pid;
	char c;

	set_str(f.fields.modname, "allocq_bench");
	fd = open_info();
	start = now();
	for (err = get_at(fd, 0, &f, &d); !err && n < 64; err = get_next(fd, &d))
		l[n++] = d;
	walk = now() - start;
	close(fd);
	if (n < 4) {
		tap(false, "a child sharing the file killed in a %s: %zu sites of 1 MiB, want 4",
		    at ? "GET_AT" : "GET_NEXT", n);
		return;
	}

	fd = open_info();
	if (get_at(fd, 0, &f, &d) || !same_tag(&d.tag, &l[0].tag))
		fatal("GET_AT of the first site of 1 MiB failed");
	if (pipe(done) < 0)
		fatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(done[0]);
		for (;;) {
			if (at)
				get_at(fd, n - 1, &f, &d);
			else
				get_next(fd, &d);
			if (write(done[1], "c", 1) != 1)
				_exit(1);
		}
	}
	close(done[1]);
	if (read(done[0], &c, 1) != 1)
		fatal("the child died");
	calls = 1;
	/* a GET_AT walks everything; a GET_NEXT, one site's share of it */
	usleep((useconds_t)(walk * 1e6 / (at ? 3 : 3 * (double)n)));
	kill_and_reap(pid);
	while (read(done[0], &c, 1) == 1)
		calls++;
	close(done[0]);

	/*
	 * Where a GET_NEXT may be: the sites are 0..n-1 and the end (ENOENT) is
	 * n; each GET_NEXT steps on one, cyclically. The child completed @calls
	 * calls, and the one it was killed in took effect or not.
	 */
	want1 = (long)((calls + 1) % (n + 1));
	want2 = (long)((calls + 2) % (n + 1));
	err = get_next(fd, &d);
	if (err == ENOENT)
		got = (long)n;
	else if (!err)
		for (size_t i = 0; i < n; i++)
			if (same_tag(&d.tag, &l[i].tag) && d.counter.bytes >= f.min_size)
				got = (long)i;
	if (at)	/* every GET_AT that took effect left the walk at site n-1 */
		tap(got == (long)n, "a child sharing the file killed in a GET_AT after %zu: the "
		    "parent's GET_NEXT gives %s (want the end)", calls,
		    got == (long)n ? "the end" : got >= 0 ? "a site in the middle" :
		    err ? strerror(err) : "a record that is no such site");
	else
		tap(got == want1 || got == want2, "a child sharing the file killed in a GET_NEXT "
		    "after %zu: the parent's GET_NEXT gives step %ld (want %ld or %ld of 0..%zu)",
		    calls, got, want1, want2, n);
	close(fd);
}

/* Both, with @bench loaded. */
static void fault_shared_kills(const char *bench)
{
	load_bench(bench);
	fault_shared_kill(false);
	fault_shared_kill(true);
}

/* ----------------------------------------------------------------- churn */

/*
 * The churn stress (-c SECONDS, with -b): a module with well over 256 tags
 * (the walk's unlock interval) is loaded and unloaded in a loop while
 * walker processes run every kind of query, on their own files and on one
 * they all share, and are killed at random and replaced. What a record may
 * not be:
 * - a tag of the churned module when the module was not loaded and the
 *   content id did not change around the call (the id counts loads and
 *   unloads, so its parity says whether the module is there);
 * - counters read from freed memory: the debug build poisons the counters
 *   of unloaded tags, so that their sum is at least CHURN_POISON;
 * - a contradiction of the filter it was returned for (names, line, size
 *   bounds, accuracy);
 * - on the shared file, a step back: one filter for every user of it, so
 *   the records it returns come in the kernel's order until the end.
 * And no call may take longer than CHURN_CALL_SECS.
 */
#define CHURN_MOD	"allocq_bench"
#define CHURN_POISON	(1ULL << 56)
#define CHURN_WALKERS	4
#define CHURN_CALL_SECS	10.0
#define CHURN_SHARED_MIN	(64 << 10)

enum churn_fail { CF_UNLOADED, CF_POISON, CF_FILTER, CF_BACK, CF_SLOW, CF_ERRNO, CF_NKINDS };

static const char *const churn_fail_names[CF_NKINDS] = {
	"no record names a tag of the module while it was not loaded",
	"no counters were read from freed memory (sums below 2^56)",
	"every record agrees with the filter it was returned for",
	"a walk shared across processes never steps back",
	"every call completes in bounded time while modules load",
	"no call fails with anything but ENOENT",
};

/* Shared by every process of the stress (MAP_SHARED). */
struct churn_state {
	pthread_mutex_t shared_lock;	/* around each call on the shared file */
	long prev;		/* reference index of its last record, -1: none */
	uint64_t prev_id;	/* the content id it was returned under */
	unsigned long cycles, queries, records, kills;
	double max_call;
	unsigned long fails[CF_NKINDS];
	char first[CF_NKINDS][200];	/* the first failure of each kind */
};

static struct churn_state *cs;
static uint64_t churn_base_id;	/* the content id while the module is not loaded */
static size_t churn_nmod;	/* tags of the churned module in the reference */
static long *churn_hash;	/* open addressing, reference indexes; -1 empty, -2 ambiguous */
static size_t churn_hsize;

static uint64_t tag_hash(const struct allocinfo_tag *t)
{
	const unsigned char *p = (const void *)t;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*t); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* Zeros after each name's NUL: GET_AT leaves the caller's bytes there. */
static void clear_unused(struct allocinfo_tag *t)
{
	char *names[] = { t->modname, t->function, t->filename };

	for (int i = 0; i < 3; i++) {
		size_t n = strnlen(names[i], STR);

		memset(names[i] + n, 0, STR - n);
	}
}

/* Reference indexes by tag; a tag listed twice (inline helpers) is ambiguous. */
static void churn_index(void)
{
	churn_hsize = 4 * ntags + 1;
	churn_hash = malloc(churn_hsize * sizeof(*churn_hash));
	if (!churn_hash)
		fatal("out of memory");
	for (size_t i = 0; i < churn_hsize; i++)
		churn_hash[i] = -1;
	for (size_t i = 0; i < ntags; i++) {
		size_t h;

		clear_unused(&tags[i].t);
		h = tag_hash(&tags[i].t) % churn_hsize;

		while (churn_hash[h] != -1 && churn_hash[h] != -2 &&
		       memcmp(&tags[churn_hash[h]].t, &tags[i].t, sizeof(tags[i].t)))
			h = (h + 1) % churn_hsize;
		churn_hash[h] = churn_hash[h] == -1 ? (long)i : -2;
		churn_nmod += !strcmp(tags[i].t.modname, CHURN_MOD);
	}
}

/* The record's tag in the reference (-2: listed twice), or -1: unknown. */
static long churn_lookup(const struct allocinfo_tag *t)
{
	struct allocinfo_tag key = *t;
	size_t h;

	clear_unused(&key);
	h = tag_hash(&key) % churn_hsize;
	while (churn_hash[h] != -1) {
		if (churn_hash[h] == -2 ||
		    !memcmp(&tags[churn_hash[h]].t, &key, sizeof(key)))
			return churn_hash[h];
		h = (h + 1) % churn_hsize;
	}
	return -1;
}

static void churn_fail(enum churn_fail kind, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&cs->fails[kind], 1, __ATOMIC_RELAXED) == 0) {
		va_start(ap, fmt);
		vsnprintf(cs->first[kind], sizeof(cs->first[kind]), fmt, ap);
		va_end(ap);
	}
}

static bool churn_module_loaded(uint64_t id)
{
	return (id - churn_base_id) % 2;
}

/* A string field: NUL-terminated and printable. */
static bool sane_name(const char *s)
{
	size_t n = strnlen(s, STR);

	if (n == STR)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/*
 * Check a record returned under @f by a call between content ids @id0 and
 * @id1; its reference index (or -1).
 */
static long churn_check(const struct allocinfo_filter *f, const struct allocinfo_tag_data *d,
			uint64_t id0, uint64_t id1)
{
	const struct allocinfo_tag *t = &d->tag;
	struct tag have = { *t, d->counter.bytes, d->counter.accurate };
	bool ours = !strcmp(t->modname, CHURN_MOD);

	__atomic_fetch_add(&cs->records, 1, __ATOMIC_RELAXED);
	if (!sane_name(t->modname) || !sane_name(t->function) || !sane_name(t->filename) ||
	    !t->function[0] || !t->filename[0] ||
	    (t->modname[0] && strcmp(t->modname, MODNAME) && !ours)) {
		churn_fail(CF_FILTER, "a record with damaged names: [%.64s] %.64s %.64s",
			   t->modname, t->function, t->filename);
		return -1;
	}
	if (d->counter.bytes >= CHURN_POISON || d->counter.calls >= CHURN_POISON)
		churn_fail(CF_POISON, "%s:%llu %s [%s]: bytes %llu, calls %llu", t->filename,
			   (unsigned long long)t->lineno, t->function, t->modname,
			   (unsigned long long)d->counter.bytes,
			   (unsigned long long)d->counter.calls);
	else if (!matches(f, &have))
		churn_fail(CF_FILTER, "%s:%llu %s [%s] bytes %llu accurate %d under mask %#llx "
			   "(min %llu max %llu inaccurate %llu)", t->filename,
			   (unsigned long long)t->lineno, t->function, t->modname,
			   (unsigned long long)d->counter.bytes, d->counter.accurate,
			   (unsigned long long)f->mask, (unsigned long long)f->min_size,
			   (unsigned long long)f->max_size, (unsigned long long)f->inaccurate);
	if (ours && id0 == id1 && !churn_module_loaded(id0))
		churn_fail(CF_UNLOADED, "%s:%llu %s returned at content id %llu, module unloaded",
			   t->filename, (unsigned long long)t->lineno, t->function,
			   (unsigned long long)id0);
	return churn_lookup(t);
}

/*
 * One call, timed and checked; the record's reference index, -1, or -3 at
 * ENOENT. *@id is the content id around the call, or 0 if it changed.
 */
static long churn_call(int fd, bool at, uint64_t pos, const struct allocinfo_filter *f,
		       uint64_t *id)
{
	struct allocinfo_tag_data d;
	uint64_t id0 = fd_content_id(fd), id1;
	double start = now(), secs;
	int err = at ? get_at(fd, pos, f, &d) : get_next(fd, &d);

	secs = now() - start;
	id1 = fd_content_id(fd);
	*id = id0 == id1 ? id0 : 0;
	__atomic_fetch_add(&cs->queries, 1, __ATOMIC_RELAXED);
	if (secs > cs->max_call)	/* racy, but only ever raised */
		cs->max_call = secs;
	if (secs > CHURN_CALL_SECS)
		churn_fail(CF_SLOW, "a %s took %.1f s", at ? "GET_AT" : "GET_NEXT", secs);
	if (err == ENOENT)
		return -3;
	if (err) {
		churn_fail(CF_ERRNO, "%s: %s", at ? "GET_AT" : "GET_NEXT", strerror(err));
		return -3;
	}
	return churn_check(f, &d, id0, id1);
}

/* GET_AT @pos, then GET_NEXT to the end (at most @max records). */
static void churn_walk(int fd, uint64_t pos, const struct allocinfo_filter *f, size_t max)
{
	uint64_t id;
	long r = churn_call(fd, true, pos, f, &id);

	for (size_t n = 0; r != -3 && n < max; n++)
		r = churn_call(fd, false, 0, f, &id);
}

/* The filter of the shared file, the same for every process. */
static struct allocinfo_filter churn_shared_filter(void)
{
	return (struct allocinfo_filter){ .mask = ALLOCINFO_FILTER_MASK_MIN_SIZE,
					  .min_size = CHURN_SHARED_MIN };
}

/*
 * A call on the shared file: its record comes after the last one returned,
 * unless the walk restarted (ENOENT, GET_AT) or a module came or went (one
 * that comes back is walked from its first tag, as a new module). A holder
 * of the lock killed in its call left the walk as if that call had
 * completed or had never run, either of which may be a restart: the record
 * after it may be anywhere, the ones after that are in order again.
 */
static void churn_shared(int fd, bool at)
{
	struct allocinfo_filter f = churn_shared_filter();
	uint64_t id;
	long r;
	int err;

	err = pthread_mutex_lock(&cs->shared_lock);
	if (err == EOWNERDEAD) {
		cs->prev = -1;
		pthread_mutex_consistent(&cs->shared_lock);
	} else if (err) {
		fatal("the shared lock: %s", strerror(err));
	}
	r = churn_call(fd, at, 0, &f, &id);
	if (r == -3 || at) {
		cs->prev = r == -3 ? -1 : r;
	} else if (r >= 0) {
		if (cs->prev >= 0 && r <= cs->prev && id && id == cs->prev_id)
			churn_fail(CF_BACK, "the shared walk went from %s:%llu back to %s:%llu",
				   tags[cs->prev].t.filename,
				   (unsigned long long)tags[cs->prev].t.lineno,
				   tags[r].t.filename, (unsigned long long)tags[r].t.lineno);
		cs->prev = r;
	}
	cs->prev_id = id;
	pthread_mutex_unlock(&cs->shared_lock);
}

/* The shared file, with its filter stored before any process uses it. */
static int churn_shared_open(void)
{
	struct allocinfo_filter f = churn_shared_filter();
	struct allocinfo_tag_data d;
	int fd = open_info();

	get_at(fd, 0, &f, &d);
	return fd;
}

/* A tag of the churned module from the reference, to name in a filter. */
static const struct tag *churn_some_tag(void)
{
	size_t k = rnd(churn_nmod);

	for (size_t i = 0; i < ntags; i++)
		if (!strcmp(tags[i].t.modname, CHURN_MOD) && !k--)
			return &tags[i];
	fatal("no tag of %s", CHURN_MOD);
	return NULL;
}

static void churn_walker(int shared, double end)
{
	int fd = open_info();

	rnd_state = (uint64_t)getpid() * 2654435761u + (uint64_t)(now() * 1e6);
	while (now() < end) {
		struct allocinfo_filter f = { 0 };
		const struct tag *t;

		switch (rnd(8)) {
		case 0:	/* by size alone: walks everything, sums everything */
			f.mask = ALLOCINFO_FILTER_MASK_MIN_SIZE;
			f.min_size = CHURN_POISON / 2;
			churn_walk(fd, 0, &f, 4);
			break;
		case 1:	/* sparse: one call site among all tags */
			t = churn_some_tag();
			f.mask = ALLOCINFO_FILTER_MASK_FILENAME | ALLOCINFO_FILTER_MASK_LINENO;
			memcpy(f.fields.filename, t->t.filename, STR);
			f.fields.lineno = t->t.lineno;
			churn_walk(fd, 0, &f, 8);
			break;
		case 2:	/* unfiltered, to the end */
			churn_walk(fd, 0, &f, ntags + 1000);
			break;
		case 3:	/* GET_AT among the module's tags */
			f.mask = ALLOCINFO_FILTER_MASK_MODNAME;
			set_str(f.fields.modname, CHURN_MOD);
			churn_walk(fd, rnd(churn_nmod + 8), &f, rnd(80));
			break;
		case 4:	/* accuracy, either way */
			f.mask = ALLOCINFO_FILTER_MASK_INACCURATE;
			f.inaccurate = rnd(2);
			churn_walk(fd, 0, &f, ntags + 1000);
			break;
		case 5:	/* a size range */
			f.mask = ALLOCINFO_FILTER_MASK_MIN_SIZE | ALLOCINFO_FILTER_MASK_MAX_SIZE;
			f.min_size = rnd(2) ? 1 : 4096;
			f.max_size = f.min_size + rnd(64 << 10);
			churn_walk(fd, 0, &f, ntags + 1000);
			break;
		default:	/* the shared file */
			churn_shared(shared, rnd(6) == 0);
			break;
		}
	}
	_exit(0);
}

/* Load and unload the module until @end; it is unloaded at the end. */
static void churn_loader(const char *bench, double end)
{
	rnd_state = (uint64_t)getpid();
	while (now() < end) {
		int err = load_module(bench, "");

		if (err)
			churn_fail(CF_ERRNO, "load %s: %s", bench, strerror(err));
		usleep((useconds_t)rnd(30000));
		while ((err = unload_module(CHURN_MOD)) == EAGAIN || err == EBUSY)
			usleep(1000);
		if (err)
			churn_fail(CF_ERRNO, "unload %s: %s", CHURN_MOD, strerror(err));
		__atomic_fetch_add(&cs->cycles, 1, __ATOMIC_RELAXED);
		usleep((useconds_t)rnd(30000));
	}
	_exit(0);
}

static pid_t churn_spawn_walker(int shared, double end)
{
	pid_t pid = fork();

	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (!pid)
		churn_walker(shared, end);
	return pid;
}

static void churn(const char *bench, double secs)
{
	pthread_mutexattr_t ma;
	pid_t walkers[CHURN_WALKERS], loader;
	double start, end;
	int shared, status, err;

	load_bench(bench);
	read_tags();
	churn_index();
	err = unload_module(CHURN_MOD);
	if (err)
		fatal("unload %s: %s", CHURN_MOD, strerror(err));
	if (churn_nmod < 2 * 256)
		fatal("%s has %zu tags: too few to span the walk's unlocks", CHURN_MOD, churn_nmod);
	churn_base_id = content_id();

	cs = mmap(NULL, sizeof(*cs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cs == MAP_FAILED)
		fatal("mmap: %s", strerror(errno));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&cs->shared_lock, &ma);
	cs->prev = -1;

	shared = churn_shared_open();
	start = now();
	end = start + secs;
	loader = fork();
	if (loader < 0)
		fatal("fork: %s", strerror(errno));
	if (!loader)
		churn_loader(bench, end);
	for (int i = 0; i < CHURN_WALKERS; i++)
		walkers[i] = churn_spawn_walker(shared, end);
	rnd_state = 1;
	while (now() < end - 1) {
		int i = (int)rnd(CHURN_WALKERS);

		usleep(50000 + (useconds_t)rnd(250000));
		kill(walkers[i], SIGKILL);
		waitpid(walkers[i], &status, 0);
		cs->kills++;
		walkers[i] = churn_spawn_walker(shared, end);
	}
	for (int i = 0; i < CHURN_WALKERS; i++)
		waitpid(walkers[i], &status, 0);
	waitpid(loader, &status, 0);
	close(shared);
	unload_module(CHURN_MOD);

	tap(cs->cycles >= 5 && cs->queries >= 100,
	    "churn: %lu load/unload cycles of %zu tags, %lu calls, %lu records, "
	    "%lu walkers killed, in %.0f s", cs->cycles, churn_nmod, cs->queries,
	    cs->records, cs->kills, now() - start);
	for (int k = 0; k < CF_NKINDS; k++) {
		if (k == CF_SLOW)
			tap(!cs->fails[k], "%s (the longest: %.2f s)", churn_fail_names[k],
			    cs->max_call);
		else
			tap(!cs->fails[k], "%s", churn_fail_names[k]);
		if (cs->fails[k])
			printf("# %lu times; the first: %s\n", cs->fails[k], cs->first[k]);
	}
}

/* ------------------------------------------------------------- lock wait */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Ten unload-and-load pairs of the test module, sorted by how long they took. */
static void unload_load_times(const char *module, double t[10])
{
	for (int i = 0; i < 10; i++) {
		double start;
		int err;

		usleep(50000);
		start = now();
		err = unload_module(MODNAME);
		if (!err)
			err = load_module(module, "");
		t[i] = now() - start;
		if (err)
			fatal("unload and load %s: %s", MODNAME, strerror(err));
	}
	qsort(t, 10, sizeof(t[0]), cmp_double);
}

/*
 * A figure, not a test (-w, with -b): how long a module unload and load
 * take, alone and while another process walks by size alone, which sums
 * every tag's counters with the tag list locked. Prints the walk's time
 * and the median and longest of ten unload-and-load pairs each way.
 */
static void lock_wait(const char *module, const char *bench)
{
	double alone[10], beside[10], walk;
	pid_t pid;
	int fd;

	walk = load_and_walk(bench);
	unload_load_times(module, alone);
	pid = fork();
	if (pid == 0) {
		fd = open_info();
		for (;;)
			long_walk(fd);
	}
	usleep(200000);
	unload_load_times(module, beside);
	kill_and_reap(pid);
	printf("a walk by size alone: %.1f ms; an unload and load of %s: median %.1f ms, "
	       "longest %.1f ms; beside walks: median %.1f ms, longest %.1f ms\n",
	       walk * 1e3, MODNAME, alone[5] * 1e3, alone[9] * 1e3, beside[5] * 1e3,
	       beside[9] * 1e3);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	enum { TRACE, FAULTS, SHARED, CHURN, WAIT } mode = TRACE;
	const char *module = NULL, *bench = NULL;
	unsigned long seed = 1, sequences = 300;
	double churn_secs = 0;
	int opt;

	while ((opt = getopt(argc, argv, "m:b:s:r:fkc:w")) != -1) {
		switch (opt) {
		case 'm': module = optarg; break;
		case 'b': bench = optarg; break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'r': sequences = strtoul(optarg, NULL, 0); break;
		case 'f': mode = FAULTS; break;
		case 'k': mode = SHARED; break;
		case 'c': mode = CHURN; churn_secs = strtod(optarg, NULL); break;
		case 'w': mode = WAIT; break;
		default:
			fprintf(stderr, "usage: %s -m allocq_test.ko [-s SEED] [-r N] | "
				"-f -m allocq_test.ko [-b MODULE.ko] | "
				"-k|-w|-c SECONDS -m allocq_test.ko -b MODULE.ko\n", argv[0]);
			return 2;
		}
	}
	if (!module)
		fatal("-m allocq_test.ko is needed");
	if (mode != TRACE && mode != FAULTS && !bench)
		fatal("-k, -w and -c need -b MODULE.ko, a module with many tags");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* in a guest booted for the test: the kernel image's tags only */
	if (mode == TRACE)
		printf("content id at the start: %llu\n", (unsigned long long)content_id());
	unload_module(MODNAME);
	if (load_module(module, ""))
		fatal("load %s: %s", module, strerror(errno));

	switch (mode) {
	case FAULTS:
		fault_blocked_copy(module);
		fault_kill_walk(bench);
		if (bench)
			fault_shared_kills(bench);
		break;
	case SHARED:
		fault_shared_kills(bench);
		break;
	case CHURN:
		churn(bench, churn_secs);
		break;
	case WAIT:
		lock_wait(module, bench);
		break;
	case TRACE:
		break;
	}
	if (mode != TRACE) {
		unload_module("allocq_bench");
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
