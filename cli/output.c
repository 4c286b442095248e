#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "output.h"
#include "temp.h"

/* Links followed to the file they name at most, as Linux's own limit. */
#define MAX_HOPS 40

/*
 * The --output-file being replaced: the directory of the file, opened once
 * and everything done relative to it, so that a directory moved meanwhile
 * moves nothing elsewhere; the file's name in it, and the temporary file's
 * while that exists. dir is -1 when nothing is being replaced.
 */
static struct {
	int dir;
	char *name;
	char *tmp;
} dest = { .dir = -1 };

static _Noreturn void fail(const char *what, const char *path, int err)
{
	/* die() removes the temporary file (see temp.h) */
	die(EXIT_RUNTIME, "cannot %s %s: %s: check the directory and the disk", what, path,
	    strerror(err));
}

/* The replacement done: nothing left to clean. */
static void forget(void)
{
	char *tmp = dest.tmp;

	temp_done(tmp);
	dest.tmp = NULL;
	free(tmp);
	free(dest.name);
	close(dest.dir);
	dest.name = NULL;
	dest.dir = -1;
}

/* @path's directory, looked up from @at; its last component in *name. */
static int open_parent(int at, const char *path, char **name)
{
	char *d = xstrdup(path), *b = xstrdup(path);
	int fd;

	*name = xstrdup(basename(b));
	free(b);
	fd = openat(at, dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(d);	/* which keeps errno */
	return fd;
}

/* The target of @name in @dir; NULL, errno EINVAL, when it is no link. */
static char *read_link(int dir, const char *name)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dir, name, buf, sizeof(buf));

	if (n < 0)
		return NULL;
	if ((size_t)n == sizeof(buf)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	buf[n] = '\0';
	return xstrdup(buf);
}

/*
 * Follows @path's symbolic links, as realpath(3) would, but to a file that
 * need not exist yet: dest.dir is the directory of the file they name and
 * dest.name its name there. A link's target is looked up from the directory
 * the link is in.
 */
static void resolve(const char *path)
{
	dest.dir = open_parent(AT_FDCWD, path, &dest.name);
	for (int hops = 0; dest.dir >= 0; hops++) {
		char *target = read_link(dest.dir, dest.name);
		int dir;

		/* EINVAL: no link; ENOENT: a file still to be made */
		if (!target && (errno == EINVAL || errno == ENOENT))
			return;
		if (!target)
			break;
		if (hops == MAX_HOPS) {
			free(target);
			errno = ELOOP;
			break;
		}
		free(dest.name);
		dir = open_parent(dest.dir, target, &dest.name);
		free(target);
		close(dest.dir);
		dest.dir = dir;
	}
	fail("write", path, errno);
}

/* Bits for a temporary name: random when the kernel has them, else the clock's. */
static uint64_t name_bits(void)
{
	struct timespec ts;
	uint64_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == sizeof(r))
		return r;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 40;
}

/*
 * mkostemp(3) in dest.dir: ".NAME.XXXXXX", mode 0600. The name need only be
 * unlikely to be taken, O_EXCL makes it safe; it is dest.tmp once the file
 * is there, so that nothing else of that name is ever removed. Every fatal
 * path removes it (see temp.h).
 */
static int create_temp(void)
{
	static const char digits[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char *tmp = xasprintf(".%s.XXXXXX", dest.name), *x = tmp + strlen(tmp) - 6;
	int fd = -1;

	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		uint64_t r = name_bits();

		for (int i = 0; i < 6; i++, r /= 62)
			x[i] = digits[r % 62];
		fd = temp_create(dest.dir, tmp);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		free(tmp);
	else
		dest.tmp = tmp;
	return fd;
}

/*
 * The file dest names, if any, into @old: a regular one, as output_open()
 * saw, unless something else took its place meanwhile.
 */
static bool find_old(const char *path, struct stat *old)
{
	if (fstatat(dest.dir, dest.name, old, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			fail("write", path, errno);
		return false;
	}
	if (!S_ISREG(old->st_mode))
		die(EXIT_RUNTIME, "cannot replace %s: it is no regular file any more: try again",
		    path);
	return true;
}

/*
 * The new file takes the old one's mode, and as root (who may give files
 * away) its owner and group; a new file is 0644 whatever the umask, for a
 * textfile collector to read. The hidden temporary file has no .prom
 * suffix: nothing reads it.
 */
static FILE *open_temp(const char *path)
{
	struct stat old;
	bool exists;
	FILE *f;
	int fd;

	resolve(path);
	exists = find_old(path, &old);
	fd = create_temp();
	if (fd < 0)
		fail("create a temporary file for", path, errno);
	if (exists && geteuid() == 0 && fchown(fd, old.st_uid, old.st_gid) < 0)
		fail("set the owner of the new", path, errno);
	/* after fchown(), which clears the set-user-ID and set-group-ID bits */
	if (fchmod(fd, exists ? old.st_mode & 07777 : 0644) < 0)
		fail("set the mode of the new", path, errno);
	f = fdopen(fd, "w");
	if (!f)
		fail("write", path, errno);
	return f;
}

static _Noreturn void write_error(const char *path, int err)
{
	if (!path)
		die(EXIT_RUNTIME, "cannot write the output: %s: check the disk or the reader",
		    strerror(err));
	die(EXIT_RUNTIME, "cannot write %s: %s: check the disk or the reader", path,
	    strerror(err));
}

/* A device, a FIFO: written to, never replaced, as a shell's > would. */
static FILE *open_in_place(const char *path)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (!f)
		write_error(path, errno);
	return f;
}

FILE *output_open(const struct output *o)
{
	const char *path = o->file;
	struct stat st;
	bool found;

	if (!path)
		return stdout;
	/* stat(), not the links resolve() reads: /dev/stdout may lead to a pipe */
	found = stat(path, &st) == 0;
	/* "out/" can only be a directory, as with a shell's > */
	if ((found && S_ISDIR(st.st_mode)) || path[strlen(path) - 1] == '/')
		die(EXIT_RUNTIME, "cannot write %s: %s: give the name of a file", path,
		    strerror(EISDIR));
	return found && !S_ISREG(st.st_mode) ? open_in_place(path) : open_temp(path);
}

/* The rename made to last; best effort, the new file is in place anyway. */
static void sync_dir(void)
{
	int fd = openat(dest.dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Standard output or a file written in place: its reader may have gone away. */
static bool close_in_place(FILE *f, const char *path, int err)
{
	if (f != stdout && fclose(f) != 0 && !err)
		err = errno;
	if (err && err != EPIPE)
		write_error(path, err);
	return !err;
}

bool output_close(FILE *f, const struct output *o)
{
	int err = ferror(f) ? (errno ? errno : EIO) : 0;

	if (!err && fflush(f) != 0)
		err = errno;
	if (dest.dir < 0)
		return close_in_place(f, o->file, err);
	if (!err && fsync(fileno(f)) < 0)
		err = errno;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (err)
		fail("write", o->file, err);
	if (renameat(dest.dir, dest.tmp, dest.dir, dest.name) < 0)
		fail("rename the new output over", o->file, errno);
	sync_dir();
	forget();
	return true;
}

static const struct sink *const sinks[NFORMATS] = {
	[FORMAT_TABLE] = &sink_table,
	[FORMAT_CSV] = &sink_csv,
	[FORMAT_JSON] = &sink_json,
	[FORMAT_ALLOCINFO] = &sink_allocinfo,
	[FORMAT_PROMETHEUS] = &sink_prometheus,
};

void output_prepare(struct report *rep, const struct query *q, const char *source,
		    const struct record_list *rows, const struct total *total,
		    const struct sample_info *w)
{
	*rep = (struct report){
		.q = q, .source = source, .rows = rows->v, .n = rows->n, .total = *total,
		.watching = w != NULL, .sample = w ? w->sample : 0, .time = w ? w->time : 0,
	};
	rep->nall = query_columns(q, rep->all);
	rep->ncols = q->out.columns_given ? q->out.ncolumns : rep->nall;
	for (size_t i = 0; i < rep->ncols; i++)
		rep->cols[i] = q->out.columns_given ? q->out.columns[i] : rep->all[i];
}

void output_write(const struct report *rep, FILE *f)
{
	sinks[rep->q->out.format]->print(rep, f);
}

void output_print(const struct query *q, const char *source, const struct record_list *rows,
		  const struct total *total, const struct sample_info *w, FILE *f)
{
	struct report rep;

	output_prepare(&rep, q, source, rows, total, w);
	output_write(&rep, f);
}

bool output_report(const struct query *q, const char *source, const struct record_list *rows,
		   const struct total *total, const struct sample_info *w)
{
	FILE *f = output_open(&q->out);

	output_print(q, source, rows, total, w, f);
	return output_close(f, &q->out);
}
