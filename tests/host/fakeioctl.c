/*
 * TEST DOUBLE, never installed: an LD_PRELOAD library that makes ioctl() on
 * an fd opened on a file named "allocinfo" behave like the kernel's
 * allocinfo ioctl interface (see the facts in the project's design notes),
 * serving the records of an allocinfo text fixture. It is deliberately
 * written apart from allocq's code (its own parser and matcher), so that it
 * checks allocq rather than agreeing with it.
 *
 * Environment:
 *   FAKEIOCTL_DATA=FILE      the fixture to serve (unset: pass ioctls through)
 *   FAKEIOCTL_ID=N           the first content id (default 1)
 *   FAKEIOCTL_BUMP_EVERY=N   every Nth CONTENT_ID call first bumps the id,
 *                            as if a module had been loaded
 *   FAKEIOCTL_BUMP_AT=N,M..  the CONTENT_ID calls numbered N, M... (from 1,
 *                            counting those of every fd) first bump the id
 *   FAKEIOCTL_ERRNO=N        every allocinfo ioctl fails with errno N (22:
 *                            EINVAL, a kernel that rejects the command)
 *   FAKEIOCTL_SNAPSHOTS=DIR  the Nth open of a file named allocinfo opens
 *                            DIR/N instead (the last one when there are
 *                            fewer): counters that change between reads
 *   FAKEIOCTL_LOG=FILE       append one line per open of an allocinfo file
 *                            and per ioctl: "open PATH", "content_id N",
 *                            "get_at pos=P mask=0xM [field=value...]",
 *                            "get_next"
 */
#define _GNU_SOURCE
/* open and open64 are both defined here: no redirection of one to the other */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/alloc_tag.h>

#define MAX_FDS 1024

struct tag {
	struct allocinfo_tag_data d;
	long long bytes;	/* signed, as the size filters compare u64 */
};

struct fd_state {
	struct allocinfo_filter filter;
	long last;		/* index of the last tag returned, -1: none */
};

static struct tag *tags;
static long ntags = -1;
static struct fd_state fds[MAX_FDS];
static unsigned long long content_id;
static unsigned long content_reads;

static void logf_(const char *fmt, ...)
{
	const char *path = getenv("FAKEIOCTL_LOG");
	static int (*real_open)(const char *, int, ...);
	va_list ap;
	int fd;

	if (!path)
		return;
	if (!real_open)
		real_open = dlsym(RTLD_NEXT, "open");
	fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
	close(fd);
}

/* Names keep their last 63 characters, as the kernel keeps them. */
static void put_name(char dst[ALLOCINFO_STR_SIZE], const char *src)
{
	size_t len = strlen(src);

	if (len > ALLOCINFO_STR_SIZE - 1)
		src += len - (ALLOCINFO_STR_SIZE - 1);
	memset(dst, 0, ALLOCINFO_STR_SIZE);
	strcpy(dst, src);
}

static void parse_line(char *line, struct tag *t)
{
	char *save, *tok, *colon;

	memset(t, 0, sizeof(*t));
	t->d.counter.accurate = 1;
	t->bytes = strtoll(strtok_r(line, " \n", &save), NULL, 10);
	t->d.counter.bytes = (unsigned long long)t->bytes;
	t->d.counter.calls = strtoull(strtok_r(NULL, " \n", &save), NULL, 10);
	tok = strtok_r(NULL, " \n", &save);
	colon = strrchr(tok, ':');
	*colon = '\0';
	put_name(t->d.tag.filename, tok);
	t->d.tag.lineno = strtoull(colon + 1, NULL, 10);
	while ((tok = strtok_r(NULL, " \n", &save))) {
		if (tok[0] == '[') {
			tok[strlen(tok) - 1] = '\0';
			put_name(t->d.tag.modname, tok + 1);
		} else if (!strncmp(tok, "func:", 5)) {
			put_name(t->d.tag.function, tok + 5);
		} else if (!strcmp(tok, "accurate:no")) {
			t->d.counter.accurate = 0;
		}
	}
}

static void load(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t size = 0;

	ntags = 0;
	if (!f)
		return;
	while (getline(&line, &size, f) > 0) {
		if (!strncmp(line, "allocinfo", 9) || line[0] == '#')
			continue;
		tags = realloc(tags, (ntags + 1) * sizeof(*tags));
		parse_line(line, &tags[ntags++]);
	}
	free(line);
	fclose(f);
	content_id = getenv("FAKEIOCTL_ID") ? strtoull(getenv("FAKEIOCTL_ID"), NULL, 10) : 1;
}

static int matches(const struct allocinfo_filter *f, const struct tag *t)
{
	const struct allocinfo_tag *want = &f->fields, *have = &t->d.tag;
	unsigned long long bytes = t->d.counter.bytes;

	if ((f->mask & ALLOCINFO_FILTER_MASK_MODNAME) && strcmp(want->modname, have->modname))
		return 0;
	if ((f->mask & ALLOCINFO_FILTER_MASK_FUNCTION) && strcmp(want->function, have->function))
		return 0;
	if ((f->mask & ALLOCINFO_FILTER_MASK_FILENAME) && strcmp(want->filename, have->filename))
		return 0;
	if ((f->mask & ALLOCINFO_FILTER_MASK_LINENO) && want->lineno != have->lineno)
		return 0;
	if ((f->mask & ALLOCINFO_FILTER_MASK_INACCURATE) &&
	    !!f->inaccurate != !t->d.counter.accurate)
		return 0;
	if ((f->mask & ALLOCINFO_FILTER_MASK_MIN_SIZE) && bytes < f->min_size)
		return 0;
	if ((f->mask & ALLOCINFO_FILTER_MASK_MAX_SIZE) && bytes > f->max_size)
		return 0;
	return 1;
}

/* The first matching tag at or after @from, or -1. */
static long find(const struct allocinfo_filter *f, long from)
{
	for (long i = from; i < ntags; i++)
		if (matches(f, &tags[i]))
			return i;
	return -1;
}

static void log_get_at(const struct allocinfo_get_at *at)
{
	const struct allocinfo_filter *f = &at->filter;
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "get_at pos=%llu mask=0x%llx",
			 (unsigned long long)at->pos, (unsigned long long)f->mask);

#define FIELD(bit, fmt, value) \
	if (f->mask & (bit)) \
		n += snprintf(buf + n, sizeof(buf) - n, fmt, value)
	FIELD(ALLOCINFO_FILTER_MASK_MODNAME, " modname=%s", f->fields.modname);
	FIELD(ALLOCINFO_FILTER_MASK_FUNCTION, " function=%s", f->fields.function);
	FIELD(ALLOCINFO_FILTER_MASK_FILENAME, " filename=%s", f->fields.filename);
	FIELD(ALLOCINFO_FILTER_MASK_LINENO, " lineno=%llu",
	      (unsigned long long)f->fields.lineno);
	FIELD(ALLOCINFO_FILTER_MASK_INACCURATE, " inaccurate=%llu",
	      (unsigned long long)f->inaccurate);
	FIELD(ALLOCINFO_FILTER_MASK_MIN_SIZE, " min_size=%llu",
	      (unsigned long long)f->min_size);
	FIELD(ALLOCINFO_FILTER_MASK_MAX_SIZE, " max_size=%llu",
	      (unsigned long long)f->max_size);
#undef FIELD
	logf_("%s\n", buf);
}

static int get_at(struct fd_state *s, struct allocinfo_get_at *at)
{
	const struct allocinfo_filter *f = &at->filter;
	long i = -1;

	log_get_at(at);
	if (f->mask & ~(unsigned long long)ALLOCINFO_FILTER_MASKS)
		return EINVAL;
	if ((f->mask & ALLOCINFO_FILTER_MASK_MIN_SIZE) &&
	    (f->mask & ALLOCINFO_FILTER_MASK_MAX_SIZE) && f->min_size > f->max_size)
		return EINVAL;
	if (at->pos >= (unsigned long long)ntags)
		return ENOENT;
	s->filter = *f;
	s->last = -1;
	for (unsigned long long skip = at->pos + 1; skip; skip--)
		if ((i = find(f, i + 1)) < 0)
			return ENOENT;
	s->last = i;
	at->data = tags[i].d;
	return 0;
}

static int get_next(struct fd_state *s, struct allocinfo_tag_data *d)
{
	long i = find(&s->filter, s->last + 1);

	logf_("get_next\n");
	s->last = -1;		/* at the end, the iterator starts over */
	if (i < 0)
		return ENOENT;
	s->last = i;
	*d = tags[i].d;
	return 0;
}

/* Whether call number @n is in the comma-separated list @list. */
static int in_list(const char *list, long n)
{
	char *end;

	while (list && *list) {
		if (strtol(list, &end, 10) == n)
			return 1;
		list = *end == ',' ? end + 1 : NULL;
	}
	return 0;
}

static int get_content_id(struct allocinfo_content_id *cid)
{
	const char *every = getenv("FAKEIOCTL_BUMP_EVERY");

	content_reads++;
	if ((every && atol(every) > 0 && content_reads % atol(every) == 0) ||
	    in_list(getenv("FAKEIOCTL_BUMP_AT"), content_reads))
		content_id++;
	cid->id = content_id;
	logf_("content_id %llu\n", content_id);
	return 0;
}

static int is_allocinfo(int fd)
{
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return n >= 10 && !strcmp(target + n - 10, "/allocinfo");
}

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	void *arg;
	int err;
	va_list ap;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	if (!getenv("FAKEIOCTL_DATA") || fd < 0 || fd >= MAX_FDS || !is_allocinfo(fd) ||
	    (request != ALLOCINFO_IOC_CONTENT_ID && request != ALLOCINFO_IOC_GET_AT &&
	     request != ALLOCINFO_IOC_GET_NEXT))
		return real_ioctl(fd, request, arg);
	if (ntags < 0)
		load(getenv("FAKEIOCTL_DATA"));
	if (getenv("FAKEIOCTL_ERRNO"))
		err = atoi(getenv("FAKEIOCTL_ERRNO"));
	else if (request == ALLOCINFO_IOC_CONTENT_ID)
		err = get_content_id(arg);
	else if (request == ALLOCINFO_IOC_GET_AT)
		err = get_at(&fds[fd], arg);
	else
		err = get_next(&fds[fd], arg);
	if (!err)
		return 0;
	errno = err;
	return -1;
}

/* Opens of allocinfo are logged so tests can see when allocq reads the text. */
static void log_open(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!strcmp(slash ? slash + 1 : path, "allocinfo"))
		logf_("open %s\n", path);
}

static int is_allocinfo_path(const char *path)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(slash ? slash + 1 : path, "allocinfo");
}

/* FAKEIOCTL_SNAPSHOTS: the snapshot this open of allocinfo reads. */
static const char *snapshot_path(const char *path)
{
	static char buf[4096];
	static int opens;
	const char *dir = getenv("FAKEIOCTL_SNAPSHOTS");

	if (!dir || !is_allocinfo_path(path))
		return path;
	opens++;
	for (int n = opens; n > 0; n--) {
		snprintf(buf, sizeof(buf), "%s/%d", dir, n);
		if (access(buf, F_OK) == 0)
			return buf;
	}
	return path;
}

static int forward_open(const char *name, const char *path, int flags, va_list ap)
{
	int (*real)(const char *, int, ...) = dlsym(RTLD_NEXT, name);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	int fd = real(snapshot_path(path), flags, mode);

	if (fd >= 0 && fd < MAX_FDS) {
		log_open(path);
		fds[fd].last = -1;
		memset(&fds[fd].filter, 0, sizeof(fds[fd].filter));
	}
	return fd;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = forward_open("open", path, flags, ap);
	va_end(ap);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = forward_open("open64", path, flags, ap);
	va_end(ap);
	return fd;
}
