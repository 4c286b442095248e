#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "output.h"

static char *tmp_path;

/* Killed while writing: the temporary file goes, then the signal does its work. */
static void drop_temp(int sig)
{
	if (tmp_path)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * While a temporary file exists, SIGINT and SIGTERM remove it first, where
 * they would end allocq (--watch has handlers of its own, which end it
 * after a whole sample).
 */
static void guard_temp(bool on)
{
	static const int sigs[] = { SIGINT, SIGTERM };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		sigaction(sigs[i], NULL, &old);
		if (on && old.sa_handler == SIG_DFL)
			signal(sigs[i], drop_temp);
		else if (!on && old.sa_handler == drop_temp)
			signal(sigs[i], SIG_DFL);
	}
}

static _Noreturn void fail(const char *what, const char *path, int err)
{
	guard_temp(false);
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
	guard_temp(true);
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
	guard_temp(false);
	free(tmp_path);
	tmp_path = NULL;
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
