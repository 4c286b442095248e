// SPDX-License-Identifier: GPL-2.0
/*
 * Bad-input sweep of the /proc/allocinfo ioctls (linux/alloc_tag.h).
 *
 * Phase 1, one thread: random masks, fields and positions, huge positions,
 * min > max, bad, unaligned and partially unmapped pointers, unterminated
 * 64-byte names, unknown commands.
 * Phase 2, for a bounded time: threads hammering GET_AT/GET_NEXT/CONTENT_ID
 * on one shared fd, threads with fds of their own, a reader of the text
 * file, and (with -m) a thread loading and unloading a module in a loop.
 *
 * Every result must be one of the documented outcomes (0, EINVAL, ENOENT,
 * EFAULT; ENOTTY for unknown commands) and, where the input decides it, the
 * expected one; every returned record must be well-formed. Exit status 0 if
 * so, 1 on any violation, 2 on a setup error, 4 if there is nothing to test.
 *
 * Usage: allocinfo_sweep [-m MODULE.ko] [-t SECONDS] [-s SEED] [-n ITERATIONS]
 *                        [-j SHARED_THREADS] [-o OWN_FD_THREADS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/alloc_tag.h>

#define PATH		"/proc/allocinfo"
#define STR		ALLOCINFO_STR_SIZE
#define VALID_MASK	((__u64)ALLOCINFO_FILTER_MASKS)
#define SIZE_BITS	(ALLOCINFO_FILTER_MASK_MIN_SIZE | ALLOCINFO_FILTER_MASK_MAX_SIZE)
#define MAX_REPORTS	40
#define BIT(n)		(1u << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ outcomes */

enum outcome { O_OK, O_EINVAL, O_ENOENT, O_EFAULT, O_ENOTTY, O_OTHER, O_NR };

#define A_OK		BIT(O_OK)
#define A_EINVAL	BIT(O_EINVAL)
#define A_ENOENT	BIT(O_ENOENT)
#define A_EFAULT	BIT(O_EFAULT)
#define A_ENOTTY	BIT(O_ENOTTY)

static const char * const outcome_name[O_NR] = {
	"ok", "EINVAL", "ENOENT", "EFAULT", "ENOTTY", "other"
};

enum category {
	C_MASK, C_POS, C_MINMAX, C_BADPTR, C_UNALIGNED, C_PARTIAL, C_UNTERM,
	C_UNKNOWN, C_SHARED, C_OWN, C_RACE, C_NR
};

static const char * const category_name[C_NR] = {
	"random masks/fields", "huge/random pos", "min > max", "bad pointers",
	"unaligned pointers", "partially unmapped", "unterminated names",
	"unknown commands", "shared fd threads", "own fd threads",
	"iterator vs unload"
};

static unsigned long counts[C_NR][O_NR];
static unsigned long undocumented, unexpected, malformed, filter_mismatch;
static unsigned long loads, unloads, load_errors, text_reads, text_errors;
static unsigned long reports;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void inc(unsigned long *p)
{
	__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

static unsigned long get(const unsigned long *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void report(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED) >= MAX_REPORTS)
		return;
	pthread_mutex_lock(&print_lock);
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

static enum outcome outcome_of(int err)
{
	switch (err) {
	case 0: return O_OK;
	case EINVAL: return O_EINVAL;
	case ENOENT: return O_ENOENT;
	case EFAULT: return O_EFAULT;
	case ENOTTY: return O_ENOTTY;
	default: return O_OTHER;
	}
}

/*
 * Count the result @err (0 or an errno) of @what in @cat; @allowed is the
 * set of outcomes the input allows. Returns whether it was allowed.
 */
static bool account(enum category cat, int err, unsigned int allowed, const char *what)
{
	enum outcome o = outcome_of(err);
	unsigned int documented = A_OK | A_EINVAL | A_ENOENT | A_EFAULT;

	if (cat == C_UNKNOWN)
		documented = A_ENOTTY | A_EINVAL;
	inc(&counts[cat][o]);
	if (!((1u << o) & documented)) {
		inc(&undocumented);
		report("%s: %s: undocumented result %s (%d)", category_name[cat], what,
		       err ? strerror(err) : "success", err);
		return false;
	}
	if (!((1u << o) & allowed)) {
		inc(&unexpected);
		report("%s: %s: got %s", category_name[cat], what,
		       err ? strerror(err) : "success");
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ random */

struct rng {
	__u64 s;
};

static __u64 rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static __u64 rnd_below(struct rng *r, __u64 n)
{
	return n ? rnd(r) % n : 0;
}

/* ------------------------------------------------------------ records */

/*
 * Output buffers are prefilled with FILL. A byte that carries no data must
 * be zero (the kernel cleared it, as the series does) or FILL (the kernel
 * left the caller's byte alone, as mainline does); anything else would be
 * kernel memory showing through.
 */
#define FILL	0xff

static bool no_data(unsigned char c)
{
	return c == 0 || c == FILL;
}

/* Reason why @d is not a well-formed record, or NULL. */
static const char *bad_record(const struct allocinfo_tag_data *d)
{
	const char *names[3] = { d->tag.modname, d->tag.function, d->tag.filename };
	const unsigned char *c = (const unsigned char *)&d->counter;
	size_t i;
	int n;

	for (n = 0; n < 3; n++) {
		const char *nul = memchr(names[n], 0, STR);

		if (!nul)
			return "name not NUL-terminated";
		for (i = nul - names[n]; i < STR; i++)
			if (!no_data(names[n][i]))
				return "kernel data after a name's NUL";
	}
	if (!d->tag.function[0] || !d->tag.filename[0])
		return "empty function or file name";
	if (d->counter.accurate > 1)
		return "accurate not 0 or 1";
	for (i = offsetof(struct allocinfo_counter, accurate) + 1; i < sizeof(d->counter); i++)
		if (!no_data(c[i]))
			return "kernel data in the counter padding";
	return NULL;
}

static bool check_record(enum category cat, const struct allocinfo_tag_data *d)
{
	const char *why = bad_record(d);

	if (!why)
		return true;
	inc(&malformed);
	report("%s: malformed record (%s): %.64s:%llu [%.64s] func:%.64s", category_name[cat],
	       why, d->tag.filename, (unsigned long long)d->tag.lineno, d->tag.modname,
	       d->tag.function);
	return false;
}

static bool terminated(const char s[STR])
{
	return memchr(s, 0, STR);
}

/* Reason why @d does not satisfy @f, or NULL. */
static const char *not_matching(const struct allocinfo_filter *f,
				const struct allocinfo_tag_data *d)
{
	const struct allocinfo_tag *t = &f->fields;

	if ((f->mask & ALLOCINFO_FILTER_MASK_MODNAME) &&
	    (!terminated(t->modname) || strcmp(t->modname, d->tag.modname)))
		return "modname";
	if ((f->mask & ALLOCINFO_FILTER_MASK_FUNCTION) &&
	    (!terminated(t->function) || strcmp(t->function, d->tag.function)))
		return "function";
	if ((f->mask & ALLOCINFO_FILTER_MASK_FILENAME) &&
	    (!terminated(t->filename) || strcmp(t->filename, d->tag.filename)))
		return "filename";
	if ((f->mask & ALLOCINFO_FILTER_MASK_LINENO) && t->lineno != d->tag.lineno)
		return "lineno";
	if ((f->mask & ALLOCINFO_FILTER_MASK_INACCURATE) &&
	    !!f->inaccurate == !!d->counter.accurate)
		return "inaccurate";
	if ((f->mask & ALLOCINFO_FILTER_MASK_MIN_SIZE) && d->counter.bytes < f->min_size)
		return "min_size";
	if ((f->mask & ALLOCINFO_FILTER_MASK_MAX_SIZE) && d->counter.bytes > f->max_size)
		return "max_size";
	return NULL;
}

static void check_filter_match(enum category cat, const struct allocinfo_filter *f,
			       const struct allocinfo_tag_data *d)
{
	const char *why = not_matching(f, d);

	if (!why)
		return;
	inc(&filter_mismatch);
	report("%s: record %.64s:%llu [%.64s] func:%.64s bytes %llu: %s differs (mask %#llx)",
	       category_name[cat], d->tag.filename, (unsigned long long)d->tag.lineno,
	       d->tag.modname, d->tag.function, (unsigned long long)d->counter.bytes, why,
	       (unsigned long long)f->mask);
}

/* ------------------------------------------------------------ ioctls */

static int do_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int get_at(int fd, struct allocinfo_get_at *ga)
{
	memset(&ga->data, FILL, sizeof(ga->data));
	return do_ioctl(fd, ALLOCINFO_IOC_GET_AT, ga);
}

static int get_next(int fd, struct allocinfo_tag_data *d)
{
	memset(d, FILL, sizeof(*d));
	return do_ioctl(fd, ALLOCINFO_IOC_GET_NEXT, d);
}

/* ------------------------------------------------ known tags and inputs */

static struct allocinfo_tag *known;
static size_t nknown;
static char mod_name[STR];

static int collect_known(int fd)
{
	struct allocinfo_get_at ga;
	struct allocinfo_tag_data d;
	size_t cap = 0;
	int err;

	memset(&ga, 0, sizeof(ga));
	err = get_at(fd, &ga);
	d = ga.data;
	while (!err) {
		if (nknown == cap) {
			cap = cap ? cap * 2 : 2048;
			known = realloc(known, cap * sizeof(*known));
			if (!known)
				return -ENOMEM;
		}
		known[nknown++] = d.tag;
		if (nknown > 1000000)
			return -ELOOP;
		err = get_next(fd, &d);
	}
	return err == ENOENT ? 0 : -err;
}

/* @src fits: names come from records or are shorter than STR. */
static void set_name(char *dst, const char *src)
{
	memcpy(dst, src, strnlen(src, STR - 1) + 1);
}

static void rnd_printable(struct rng *r, char *dst, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = 0x21 + rnd_below(r, 0x5e);
}

/* A name field: empty, known, random, unterminated, or with garbage after the NUL. */
static void rnd_name(struct rng *r, char dst[STR], int field)
{
	const struct allocinfo_tag *k = nknown ? &known[rnd_below(r, nknown)] : NULL;
	const char *name = !k ? "" : field == 0 ? k->modname : field == 1 ? k->function :
			   k->filename;
	size_t len, i;

	memset(dst, 0, STR);
	switch (rnd_below(r, 9)) {
	case 0:
		break;
	case 1:
	case 2:
	case 3:
		set_name(dst, name);
		break;
	case 4:
		rnd_printable(r, dst, 1 + rnd_below(r, STR - 1));
		break;
	case 5:
		rnd_printable(r, dst, STR);
		break;
	case 6:
		/* any non-NUL bytes */
		len = rnd_below(r, STR);
		for (i = 0; i < len; i++)
			dst[i] = 1 + rnd_below(r, 255);
		break;
	case 7:
		/* a known name, then garbage after its NUL */
		set_name(dst, name);
		for (i = strlen(name) + 1; i < STR; i++)
			dst[i] = rnd(r);
		break;
	default:
		/* a known name, continued up to 64 bytes without a NUL */
		set_name(dst, name);
		rnd_printable(r, dst + strlen(name), STR - strlen(name));
		break;
	}
	if (field == 0 && mod_name[0] && !rnd_below(r, 4))
		set_name(dst, mod_name);
}

static __u64 rnd_size(struct rng *r)
{
	switch (rnd_below(r, 8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 4096;
	case 3: return 1 << 20;
	case 4: return rnd_below(r, 1 << 22);
	case 5: return ~0ULL;
	case 6: return rnd(r);
	default: return 1ULL << rnd_below(r, 64);
	}
}

static __u64 rnd_mask(struct rng *r)
{
	switch (rnd_below(r, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		return rnd(r) & VALID_MASK;
	case 5:
		return 0;
	case 6:
		return VALID_MASK;
	case 7:
		return 1ULL << rnd_below(r, 64);
	case 8:
		return rnd(r);
	default:
		return (rnd(r) & VALID_MASK) | 1ULL << (7 + rnd_below(r, 57));
	}
}

static void rnd_filter(struct rng *r, struct allocinfo_filter *f)
{
	const struct allocinfo_tag *k = nknown ? &known[rnd_below(r, nknown)] : NULL;

	memset(f, 0, sizeof(*f));
	f->mask = rnd_mask(r);
	rnd_name(r, f->fields.modname, 0);
	rnd_name(r, f->fields.function, 1);
	rnd_name(r, f->fields.filename, 2);
	switch (rnd_below(r, 4)) {
	case 0:
		f->fields.lineno = k ? k->lineno : 0;
		break;
	case 1:
		f->fields.lineno = rnd_below(r, 5000);
		break;
	case 2:
		f->fields.lineno = rnd(r);
		break;
	default:
		f->fields.lineno = 0;
		break;
	}
	f->min_size = rnd_size(r);
	f->max_size = rnd_size(r);
	f->inaccurate = rnd_below(r, 3) == 2 ? rnd(r) : rnd_below(r, 2);
}

/* A valid filter that matches something, often. */
static void rnd_valid_filter(struct rng *r, struct allocinfo_filter *f)
{
	const struct allocinfo_tag *k = nknown ? &known[rnd_below(r, nknown)] : NULL;

	memset(f, 0, sizeof(*f));
	if (!k)
		return;
	switch (rnd_below(r, 8)) {
	case 0:
		break;
	case 1:
		f->mask = ALLOCINFO_FILTER_MASK_MODNAME;
		set_name(f->fields.modname, mod_name[0] && rnd_below(r, 2) ? mod_name : k->modname);
		break;
	case 2:
		f->mask = ALLOCINFO_FILTER_MASK_FUNCTION;
		set_name(f->fields.function, k->function);
		break;
	case 3:
		f->mask = ALLOCINFO_FILTER_MASK_FILENAME | ALLOCINFO_FILTER_MASK_LINENO;
		set_name(f->fields.filename, k->filename);
		f->fields.lineno = k->lineno;
		break;
	case 4:
		f->mask = ALLOCINFO_FILTER_MASK_MIN_SIZE;
		f->min_size = rnd_below(r, 1 << 16);
		break;
	case 5:
		f->mask = SIZE_BITS | ALLOCINFO_FILTER_MASK_INACCURATE;
		f->min_size = rnd_below(r, 8192);
		f->max_size = f->min_size + rnd_below(r, 1 << 20);
		f->inaccurate = rnd_below(r, 2);
		break;
	case 6:
		f->mask = ALLOCINFO_FILTER_MASK_MODNAME;
		if (mod_name[0])
			set_name(f->fields.modname, mod_name);
		break;
	default:
		f->mask = rnd(r) & VALID_MASK & ~SIZE_BITS;
		set_name(f->fields.modname, k->modname);
		set_name(f->fields.function, k->function);
		set_name(f->fields.filename, k->filename);
		f->fields.lineno = k->lineno;
		f->inaccurate = rnd_below(r, 2);
		break;
	}
}

/* The outcomes the filter allows from GET_AT, whatever the tags are. */
static unsigned int filter_allows(const struct allocinfo_filter *f)
{
	if (f->mask & ~VALID_MASK)
		return A_EINVAL;
	if ((f->mask & SIZE_BITS) == SIZE_BITS && f->min_size > f->max_size)
		return A_EINVAL;
	if (((f->mask & ALLOCINFO_FILTER_MASK_MODNAME) && !terminated(f->fields.modname)) ||
	    ((f->mask & ALLOCINFO_FILTER_MASK_FUNCTION) && !terminated(f->fields.function)) ||
	    ((f->mask & ALLOCINFO_FILTER_MASK_FILENAME) && !terminated(f->fields.filename)))
		return A_ENOENT | A_EINVAL;
	return A_OK | A_ENOENT;
}

/* ------------------------------------------------------------ phase 1 */

static int info_fd;
static size_t ntags;		/* tag count while phase 1 runs */

/* GET_AT with @f and @pos on @fd, then a few GET_NEXT; all checked. */
static void probe(enum category cat, int fd, const struct allocinfo_filter *f, __u64 pos,
		  struct rng *r, bool check_match)
{
	struct allocinfo_get_at ga;
	struct allocinfo_tag_data d;
	unsigned int allowed = filter_allows(f);
	char what[128];
	int err, i, n;

	if (pos >= ntags) {
		/* ENOENT; or EINVAL, if the kernel checks the filter first */
		allowed = (allowed & A_EINVAL) | A_ENOENT;
	}
	memset(&ga, 0, sizeof(ga));
	ga.pos = pos;
	ga.filter = *f;
	err = get_at(fd, &ga);
	snprintf(what, sizeof(what), "GET_AT pos %llu mask %#llx min %llu max %llu",
		 (unsigned long long)pos, (unsigned long long)f->mask,
		 (unsigned long long)f->min_size, (unsigned long long)f->max_size);
	if (!account(cat, err, allowed, what) || err)
		return;
	check_record(cat, &ga.data);
	if (check_match)
		check_filter_match(cat, f, &ga.data);
	n = rnd_below(r, 4);
	for (i = 0; i < n; i++) {
		err = get_next(fd, &d);
		if (!account(cat, err, A_OK | A_ENOENT, "GET_NEXT after GET_AT") || err)
			return;
		check_record(cat, &d);
		if (check_match)
			check_filter_match(cat, f, &d);
	}
}

static void phase_random(struct rng *r, unsigned long iterations)
{
	struct allocinfo_filter f;
	unsigned long i;

	for (i = 0; i < iterations; i++) {
		rnd_filter(r, &f);
		probe(C_MASK, info_fd, &f, rnd_below(r, 4) ? 0 : rnd_below(r, ntags + 2), r, true);
	}
}

static void phase_positions(struct rng *r, unsigned long iterations)
{
	const __u64 fixed[] = { ntags - 1, ntags, ntags + 1, 1ULL << 31, 1ULL << 32,
				1ULL << 63, ~0ULL, ~0ULL - 1 };
	struct allocinfo_filter f;
	unsigned long i;

	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		memset(&f, 0, sizeof(f));
		probe(C_POS, info_fd, &f, fixed[i], r, true);
		rnd_valid_filter(r, &f);
		probe(C_POS, info_fd, &f, fixed[i], r, true);
	}
	for (i = 0; i < iterations; i++) {
		rnd_valid_filter(r, &f);
		probe(C_POS, info_fd, &f, rnd_below(r, 2) ? rnd(r) : rnd_below(r, ntags + 16), r,
		      true);
	}
}

static void phase_minmax(struct rng *r, unsigned long iterations)
{
	struct allocinfo_filter f;
	unsigned long i;

	for (i = 0; i < iterations; i++) {
		rnd_valid_filter(r, &f);
		f.mask |= SIZE_BITS;
		f.max_size = rnd_below(r, 2) ? rnd_size(r) : rnd_below(r, 1 << 20);
		if (f.max_size == ~0ULL)
			f.max_size--;
		f.min_size = f.max_size + 1 + rnd_below(r, ~0ULL - f.max_size);
		probe(C_MINMAX, info_fd, &f, rnd_below(r, 4) ? 0 : rnd(r), r, true);
	}
}

/* The three commands, each with the size of its argument. */
static const struct {
	unsigned long cmd;
	size_t size;
	const char *name;
} cmds[3] = {
	{ ALLOCINFO_IOC_CONTENT_ID, sizeof(struct allocinfo_content_id), "CONTENT_ID" },
	{ ALLOCINFO_IOC_GET_AT, sizeof(struct allocinfo_get_at), "GET_AT" },
	{ ALLOCINFO_IOC_GET_NEXT, sizeof(struct allocinfo_tag_data), "GET_NEXT" },
};

/*
 * Put @fd's iterator on the first tag, so that a GET_NEXT has a record to
 * return (at the end, GET_NEXT gives ENOENT before it looks at the buffer).
 */
static void position(int fd, unsigned long cmd)
{
	struct allocinfo_get_at ga;

	if (cmd != ALLOCINFO_IOC_GET_NEXT)
		return;
	memset(&ga, 0, sizeof(ga));
	account(C_POS, get_at(fd, &ga), A_OK, "GET_AT pos 0, no filter");
}

static char *map_two_pages(long page, int second_prot)
{
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, 2 * page);
	if (second_prot < 0)
		munmap(p + page, page);
	else
		mprotect(p + page, page, second_prot);
	return p;
}

static void phase_pointers(struct rng *r)
{
	long page = sysconf(_SC_PAGESIZE);
	char *unmapped = map_two_pages(page, -1);
	char *none = map_two_pages(page, PROT_NONE);
	char *ro = map_two_pages(page, PROT_READ);
	char *buf = malloc(4 * page);
	char what[160];
	int c, i, off;

	if (!unmapped || !none || !ro || !buf) {
		report("pointers: mmap failed: %s", strerror(errno));
		inc(&unexpected);
		return;
	}
	for (c = 0; c < 3; c++) {
		void *bad[] = {
			NULL, (void *)1, (void *)-1L, (void *)-4096L,
			(void *)0xffff888000000000UL, (void *)0xffffffff81000000UL,
			(void *)0x8000000000000000UL, (void *)0x00007ffffffff000UL,
			unmapped + page, none + page, ro + page,
		};

		for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
			snprintf(what, sizeof(what), "%s at %p", cmds[c].name, bad[i]);
			position(info_fd, cmds[c].cmd);
			account(C_BADPTR, do_ioctl(info_fd, cmds[c].cmd, bad[i]), A_EFAULT, what);
		}

		/* straddling into an unmapped, inaccessible or read-only page */
		for (off = 1; off < (int)cmds[c].size; off += 1 + rnd_below(r, 24)) {
			char *bases[3] = { unmapped, none, ro };
			int b;

			for (b = 0; b < 3; b++) {
				void *p = bases[b] + page - off;

				memset(p, 0, off);
				position(info_fd, cmds[c].cmd);
				snprintf(what, sizeof(what), "%s with %d of %zu bytes accessible",
					 cmds[c].name, off, cmds[c].size);
				account(C_PARTIAL, do_ioctl(info_fd, cmds[c].cmd, p), A_EFAULT,
					what);
			}
		}
		if (cmds[c].cmd == ALLOCINFO_IOC_GET_AT) {
			/* input readable, output not writable */
			size_t in = offsetof(struct allocinfo_get_at, data);
			char *bases[3] = { unmapped, none, ro };
			int b;

			for (b = 0; b < 3; b++) {
				void *p = bases[b] + page - in;

				memset(p, 0, in);
				account(C_PARTIAL, do_ioctl(info_fd, cmds[c].cmd, p), A_EFAULT,
					"GET_AT with pos and filter readable, data not writable");
			}
		}

		/* unaligned but valid */
		for (off = 1; off < 8; off++) {
			char *p = buf + off;
			int err;

			memset(p, 0, cmds[c].size);
			if (cmds[c].cmd == ALLOCINFO_IOC_GET_AT) {
				struct allocinfo_get_at ga;

				memset(&ga, 0, sizeof(ga));
				rnd_valid_filter(r, &ga.filter);
				memcpy(p, &ga, sizeof(ga));
			}
			position(info_fd, cmds[c].cmd);
			err = do_ioctl(info_fd, cmds[c].cmd, p);
			snprintf(what, sizeof(what), "%s at an address %d bytes past alignment",
				 cmds[c].name, off);
			if (!account(C_UNALIGNED, err, cmds[c].cmd == ALLOCINFO_IOC_GET_AT ?
				     A_OK | A_ENOENT : A_OK, what) || err)
				continue;
			if (cmds[c].cmd == ALLOCINFO_IOC_GET_AT) {
				struct allocinfo_get_at ga;

				memcpy(&ga, p, sizeof(ga));
				check_record(C_UNALIGNED, &ga.data);
				check_filter_match(C_UNALIGNED, &ga.filter, &ga.data);
			} else if (cmds[c].cmd == ALLOCINFO_IOC_GET_NEXT) {
				struct allocinfo_tag_data d;

				memcpy(&d, p, sizeof(d));
				check_record(C_UNALIGNED, &d);
			}
		}
	}
	munmap(unmapped, page);
	munmap(none, 2 * page);
	munmap(ro, 2 * page);
	free(buf);
}

/* 64 bytes without a NUL in each name field, alone and together. */
static void phase_unterminated(struct rng *r, unsigned long iterations)
{
	const __u64 bits[] = {
		ALLOCINFO_FILTER_MASK_MODNAME, ALLOCINFO_FILTER_MASK_FUNCTION,
		ALLOCINFO_FILTER_MASK_FILENAME,
	};
	struct allocinfo_filter f;
	unsigned long i;

	for (i = 0; i < iterations; i++) {
		const struct allocinfo_tag *k = nknown ? &known[rnd_below(r, nknown)] : NULL;
		int which = rnd_below(r, 4);
		char *fields[3];
		int n;

		rnd_valid_filter(r, &f);
		fields[0] = f.fields.modname;
		fields[1] = f.fields.function;
		fields[2] = f.fields.filename;
		for (n = 0; n < 3; n++) {
			const char *name = !k ? "" : n == 0 ? k->modname : n == 1 ? k->function :
					   k->filename;

			if (which != 3 && which != n)
				continue;
			f.mask |= bits[n];
			switch (rnd_below(r, 3)) {
			case 0:
				memset(fields[n], 'A' + n, STR);
				break;
			case 1:
				/* a real name, its NUL overwritten */
				set_name(fields[n], name);
				rnd_printable(r, fields[n] + strlen(name), STR - strlen(name));
				break;
			default:
				rnd_printable(r, fields[n], STR);
				break;
			}
		}
		probe(C_UNTERM, info_fd, &f, rnd_below(r, 4) ? 0 : rnd_below(r, ntags), r, true);
	}
}

static void phase_unknown(struct rng *r)
{
	char buf[1024];
	char what[64];
	unsigned int nr;

	for (nr = 3; nr < 256; nr++) {
		unsigned int dir = rnd_below(r, 4);
		unsigned int size = rnd_below(r, 512);

		memset(buf, 0, sizeof(buf));
		snprintf(what, sizeof(what), "cmd dir %u nr %u size %u", dir, nr, size);
		account(C_UNKNOWN, do_ioctl(info_fd, _IOC(dir, ALLOCINFO_IOC_BASE, nr, size),
					    buf), A_ENOTTY, what);
	}
	/* the known numbers with the wrong direction or size */
	for (nr = 0; nr < 3; nr++) {
		unsigned int dir, i;

		for (dir = 0; dir < 4; dir++) {
			for (i = 0; i < 4; i++) {
				unsigned int size = i == 0 ? 0 : i == 1 ? 8 : i == 2 ? 224 : 464;
				unsigned long cmd = _IOC(dir, ALLOCINFO_IOC_BASE, nr, size);

				if (cmd == cmds[nr].cmd)
					continue;
				memset(buf, 0, sizeof(buf));
				snprintf(what, sizeof(what), "cmd dir %u nr %u size %u", dir, nr,
					 size);
				account(C_UNKNOWN, do_ioctl(info_fd, cmd, buf), A_ENOTTY, what);
			}
		}
	}
}

/* ------------------------------------------------------------ phase 2 */

static bool stop_flag;

static bool stop(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED);
}

static int shared_fd;
static const char *mod_path;

static void *shared_thread(void *arg)
{
	struct rng r = { .s = (__u64)(unsigned long)arg };
	struct allocinfo_filter f;
	struct allocinfo_get_at ga;
	struct allocinfo_tag_data d;
	struct allocinfo_content_id cid;
	int err, c;

	while (!stop()) {
		switch (rnd_below(&r, 10)) {
		case 0:
		case 1:
		case 2:
		case 3:
			err = get_next(shared_fd, &d);
			if (account(C_SHARED, err, A_OK | A_ENOENT, "GET_NEXT") && !err)
				check_record(C_SHARED, &d);
			break;
		case 4:
		case 5:
		case 6:
			memset(&ga, 0, sizeof(ga));
			if (rnd_below(&r, 4))
				rnd_valid_filter(&r, &ga.filter);
			else
				rnd_filter(&r, &ga.filter);
			ga.pos = rnd_below(&r, 8) ? rnd_below(&r, 64) : rnd(&r);
			f = ga.filter;
			err = get_at(shared_fd, &ga);
			if (account(C_SHARED, err, filter_allows(&f) | A_ENOENT, "GET_AT") &&
			    !err) {
				check_record(C_SHARED, &ga.data);
				check_filter_match(C_SHARED, &f, &ga.data);
			}
			break;
		case 7:
		case 8:
			err = do_ioctl(shared_fd, ALLOCINFO_IOC_CONTENT_ID, &cid);
			account(C_SHARED, err, A_OK, "CONTENT_ID");
			break;
		default:
			c = rnd_below(&r, 3);
			err = do_ioctl(shared_fd, cmds[c].cmd,
				       (void *)(rnd_below(&r, 2) ? 0 : -4096L));
			/* another thread may have run the iterator to the end */
			account(C_SHARED, err, cmds[c].cmd == ALLOCINFO_IOC_GET_NEXT ?
				A_EFAULT | A_ENOENT : A_EFAULT, "bad pointer");
			break;
		}
	}
	return NULL;
}

static void *own_thread(void *arg)
{
	struct rng r = { .s = (__u64)(unsigned long)arg };
	struct allocinfo_get_at ga;
	struct allocinfo_tag_data d;
	int fd = -1, err, i, n;

	while (!stop()) {
		if (fd < 0 || !rnd_below(&r, 16)) {
			if (fd >= 0)
				close(fd);
			fd = open(PATH, O_RDONLY);
			if (fd < 0) {
				report("own fd: open: %s", strerror(errno));
				inc(&unexpected);
				return NULL;
			}
		}
		memset(&ga, 0, sizeof(ga));
		rnd_valid_filter(&r, &ga.filter);
		ga.pos = rnd_below(&r, 4) ? 0 : rnd_below(&r, 32);
		err = get_at(fd, &ga);
		if (!account(C_OWN, err, A_OK | A_ENOENT, "GET_AT") || err)
			continue;
		check_record(C_OWN, &ga.data);
		check_filter_match(C_OWN, &ga.filter, &ga.data);
		n = rnd_below(&r, 2) ? 1000000 : rnd_below(&r, 50);
		for (i = 0; i < n && !stop(); i++) {
			err = get_next(fd, &d);
			if (!account(C_OWN, err, A_OK | A_ENOENT, "GET_NEXT") || err)
				break;
			check_record(C_OWN, &d);
			check_filter_match(C_OWN, &ga.filter, &d);
			if (!rnd_below(&r, 64))
				usleep(rnd_below(&r, 2000));
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Park iterators on the module's tags, then walk on while it goes away. */
static void *race_thread(void *arg)
{
	struct rng r = { .s = (__u64)(unsigned long)arg };
	struct allocinfo_get_at ga;
	struct allocinfo_tag_data d;
	int fd, err, i;

	while (!stop()) {
		fd = open(PATH, O_RDONLY);
		if (fd < 0)
			return NULL;
		memset(&ga, 0, sizeof(ga));
		ga.filter.mask = ALLOCINFO_FILTER_MASK_MODNAME;
		set_name(ga.filter.fields.modname, mod_name);
		ga.pos = rnd_below(&r, 4);
		err = get_at(fd, &ga);
		if (account(C_RACE, err, A_OK | A_ENOENT, "GET_AT module") && !err) {
			check_record(C_RACE, &ga.data);
			check_filter_match(C_RACE, &ga.filter, &ga.data);
			usleep(rnd_below(&r, 3000));
			for (i = 0; i < 8; i++) {
				err = get_next(fd, &d);
				if (!account(C_RACE, err, A_OK | A_ENOENT, "GET_NEXT module"))
					break;
				if (err)
					break;
				check_record(C_RACE, &d);
				check_filter_match(C_RACE, &ga.filter, &d);
				usleep(rnd_below(&r, 1000));
			}
		}
		close(fd);
	}
	return NULL;
}

static void *text_thread(void *arg)
{
	static char buf[1 << 16];
	ssize_t n;
	int fd;

	(void)arg;
	while (!stop()) {
		fd = open(PATH, O_RDONLY);
		if (fd < 0) {
			inc(&text_errors);
			return NULL;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0) {
			inc(&text_errors);
			report("reading %s: %s", PATH, strerror(errno));
		}
		close(fd);
		inc(&text_reads);
	}
	return NULL;
}

static int load_module(void)
{
	int fd = open(mod_path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = errno;
	close(fd);
	return err;
}

static int unload_module(void)
{
	int tries;

	for (tries = 0; tries < 200; tries++) {
		if (!syscall(SYS_delete_module, mod_name, O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return errno;
		usleep(10000);
	}
	return errno;
}

static __u64 content_id(void)
{
	struct allocinfo_content_id cid;
	int err = do_ioctl(info_fd, ALLOCINFO_IOC_CONTENT_ID, &cid);

	account(C_SHARED, err, A_OK, "CONTENT_ID (loader)");
	return err ? 0 : cid.id;
}

static void *loader_thread(void *arg)
{
	struct rng r = { .s = (__u64)(unsigned long)arg };
	int err;

	while (!stop()) {
		__u64 before = content_id();

		err = load_module();
		if (err) {
			inc(&load_errors);
			report("loading %s: %s", mod_path, strerror(err));
			usleep(100000);
			continue;
		}
		inc(&loads);
		if (content_id() == before) {
			inc(&unexpected);
			report("CONTENT_ID did not change on module load");
		}
		/* long enough for the other threads to park iterators on its tags */
		usleep(rnd_below(&r, 20000));
		before = content_id();
		err = unload_module();
		if (err) {
			inc(&load_errors);
			report("unloading %s: %s", mod_name, strerror(err));
			usleep(100000);
			continue;
		}
		inc(&unloads);
		if (content_id() == before) {
			inc(&unexpected);
			report("CONTENT_ID did not change on module unload");
		}
		usleep(rnd_below(&r, 5000));
	}
	return NULL;
}

/* ------------------------------------------------------------ main */

static bool module_loaded(void)
{
	char line[512];
	size_t len = strlen(mod_name);
	bool found = false;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, mod_name, len) && line[len] == ' ';
	fclose(f);
	return found;
}

static void set_mod_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len, i;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 3 && !strcmp(base + len - 3, ".ko"))
		len -= 3;
	if (len >= STR)
		len = STR - 1;
	memcpy(mod_name, base, len);
	for (i = 0; i < len; i++)
		if (mod_name[i] == '-')
			mod_name[i] = '_';
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-m MODULE.ko] [-t SECONDS] [-s SEED] [-n ITERATIONS]\n"
		"          [-j SHARED_THREADS] [-o OWN_FD_THREADS]\n"
		"  -m  module to load and unload in a loop during phase 2\n"
		"  -t  length of phase 2 (default 20 s)\n"
		"  -s  random seed (default: from the clock; printed either way)\n"
		"  -n  iterations of each random phase-1 sweep (default 20000)\n"
		"  -j  threads sharing one fd (default 4)\n"
		"  -o  threads with their own fds (default 2)\n", prog);
}

int main(int argc, char **argv)
{
	unsigned long seconds = 20, iterations = 20000, nshared = 4, nown = 2, i;
	__u64 seed = 0;
	bool seeded = false;
	struct allocinfo_content_id cid;
	pthread_t *threads;
	size_t nthreads = 0;
	struct rng r;
	int opt, err, c;
	bool failed;

	while ((opt = getopt(argc, argv, "m:t:s:n:j:o:h")) != -1) {
		switch (opt) {
		case 'm':
			mod_path = optarg;
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			iterations = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			nshared = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			nown = strtoul(optarg, NULL, 0);
			break;
		default:
			print_usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (__u64)ts.tv_sec * 1000000007ULL ^ ts.tv_nsec ^ getpid();
	}
	printf("seed %llu (rerun with -s %llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	r.s = seed ? seed : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	info_fd = open(PATH, O_RDONLY);
	if (info_fd < 0) {
		printf("SKIP: open %s: %s\n", PATH, strerror(errno));
		return 4;
	}
	err = do_ioctl(info_fd, ALLOCINFO_IOC_CONTENT_ID, &cid);
	if (err == ENOTTY) {
		printf("SKIP: %s has no ioctl interface\n", PATH);
		return 4;
	}
	if (err) {
		printf("CONTENT_ID: %s\n", strerror(err));
		return 2;
	}

	if (mod_path) {
		set_mod_name(mod_path);
		if (module_loaded() && unload_module())
			printf("warning: cannot unload %s\n", mod_name);
		err = load_module();
		if (err) {
			printf("cannot load %s: %s\n", mod_path, strerror(err));
			return 2;
		}
	}
	err = collect_known(info_fd);
	if (err) {
		printf("collecting the tags: %s\n", strerror(-err));
		return 2;
	}
	ntags = nknown;
	printf("%zu tags%s%s\n", ntags, mod_path ? ", with module " : "", mod_name);

	printf("phase 1: single-threaded sweep, %lu iterations per random part\n", iterations);
	phase_random(&r, iterations);
	phase_positions(&r, iterations / 4);
	phase_minmax(&r, iterations / 4);
	phase_pointers(&r);
	phase_unterminated(&r, iterations / 4);
	phase_unknown(&r);
	if (mod_path && unload_module())
		printf("warning: cannot unload %s\n", mod_name);

	printf("phase 2: %lu s, %lu threads on one fd, %lu with their own fds%s\n", seconds,
	       nshared, nown, mod_path ? ", module load/unload loop" : "");
	shared_fd = open(PATH, O_RDONLY);
	threads = calloc(nshared + nown + 3, sizeof(*threads));
	if (shared_fd < 0 || !threads) {
		printf("setup failed\n");
		return 2;
	}
	for (i = 0; i < nshared; i++)
		if (!pthread_create(&threads[nthreads], NULL, shared_thread,
				    (void *)(unsigned long)(rnd(&r) | 1)))
			nthreads++;
	for (i = 0; i < nown; i++)
		if (!pthread_create(&threads[nthreads], NULL, own_thread,
				    (void *)(unsigned long)(rnd(&r) | 1)))
			nthreads++;
	if (!pthread_create(&threads[nthreads], NULL, text_thread, NULL))
		nthreads++;
	if (mod_path) {
		if (!pthread_create(&threads[nthreads], NULL, race_thread,
				    (void *)(unsigned long)(rnd(&r) | 1)))
			nthreads++;
		if (!pthread_create(&threads[nthreads], NULL, loader_thread,
				    (void *)(unsigned long)(rnd(&r) | 1)))
			nthreads++;
	}
	if (nthreads != nshared + nown + 1 + (mod_path ? 2 : 0)) {
		printf("pthread_create failed\n");
		__atomic_store_n(&stop_flag, true, __ATOMIC_RELAXED);
	}
	sleep(seconds);
	__atomic_store_n(&stop_flag, true, __ATOMIC_RELAXED);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	close(shared_fd);
	free(threads);
	if (mod_path && module_loaded() && unload_module()) {
		printf("cannot unload %s at the end\n", mod_name);
		inc(&load_errors);
	}

	printf("\n%-22s", "outcomes");
	for (c = 0; c < O_NR; c++)
		printf(" %9s", outcome_name[c]);
	printf("\n");
	for (c = 0; c < C_NR; c++) {
		int o;

		printf("%-22s", category_name[c]);
		for (o = 0; o < O_NR; o++)
			printf(" %9lu", get(&counts[c][o]));
		printf("\n");
	}
	printf("module loads %lu, unloads %lu, load/unload errors %lu\n",
	       loads, unloads, load_errors);
	printf("text reads %lu, errors %lu\n", text_reads, text_errors);
	printf("undocumented results %lu, unexpected results %lu\n", undocumented, unexpected);
	printf("malformed records %lu, filter mismatches %lu\n", malformed, filter_mismatch);
	failed = undocumented || unexpected || malformed || filter_mismatch || load_errors ||
		 text_errors;
	printf("%s (seed %llu)\n", failed ? "FAIL" : "PASS", (unsigned long long)seed);
	return failed ? 1 : 0;
}
