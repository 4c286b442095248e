#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "output.h"

static char *tmp_path;

static _Noreturn void fail(const char *what, const char *path, int err)
{
	if (tmp_path) {
		unlink(tmp_path);
		free(tmp_path);
		tmp_path = NULL;
	}
	die(EXIT_RUNTIME, "cannot %s %s: %s: check the directory and the disk", what, path,
	    strerror(err));
}

/* The temporary file is hidden and has no .prom suffix: nothing reads it. */
static FILE *open_temp(const char *path)
{
	char *copy = xstrdup(path), *dir = dirname(copy);
	char *base_copy = xstrdup(path);
	FILE *f;
	int fd;

	tmp_path = xasprintf("%s/.%s.XXXXXX", dir, basename(base_copy));
	free(copy);
	free(base_copy);
	fd = mkostemp(tmp_path, O_CLOEXEC);
	if (fd < 0)
		fail("create a temporary file for", path, errno);
	if (fchmod(fd, 0644) < 0)
		fail("set the mode of", tmp_path, errno);
	f = fdopen(fd, "w");
	if (!f)
		fail("write", tmp_path, errno);
	return f;
}

FILE *output_open(const struct output *o)
{
	return o->file ? open_temp(o->file) : stdout;
}

static void sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

bool output_close(FILE *f, const struct output *o)
{
	int err = ferror(f) ? (errno ? errno : EIO) : 0;

	if (!err && fflush(f) != 0)
		err = errno;
	if (!o->file) {
		if (!err)
			return true;
		if (err == EPIPE)
			return false;
		die(EXIT_RUNTIME, "cannot write the output: %s: check the disk or the reader",
		    strerror(err));
	}
	if (!err && fsync(fileno(f)) < 0)
		err = errno;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (err)
		fail("write", o->file, err);
	if (rename(tmp_path, o->file) < 0)
		fail("rename the new output over", o->file, errno);
	sync_dir(o->file);
	free(tmp_path);
	tmp_path = NULL;
	return true;
}
