#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/alloc_tag.h>

#include "allocinfo.h"
#include "errors.h"
#include "stream.h"

char *proc_path(const char *rel)
{
	const char *root = getenv("ALLOCQ_PROC");

	if (!root || !*root)
		root = "/proc";
	return xasprintf("%s/%s", root, rel);
}

bool proc_read_line(const char *rel, char *buf, size_t size)
{
	char *path = proc_path(rel);
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, (int)size, f);

	if (f)
		fclose(f);
	free(path);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

enum profiling allocinfo_profiling(void)
{
	char *path = proc_path("sys/vm/mem_profiling");
	char value[16];
	struct stat st;
	enum profiling p = PROFILING_UNKNOWN;

	if (proc_read_line("sys/vm/mem_profiling", value, sizeof(value))) {
		if (strcmp(value, "0"))
			p = PROFILING_ON;
		else if (!stat(path, &st) && !(st.st_mode & 0222))
			p = PROFILING_NEVER;
		else
			p = PROFILING_OFF;
	}
	free(path);
	return p;
}

/*
 * A missing file is the problem to report, not the sysctl. The sysctl at 0
 * and read-only means booted with sysctl.vm.mem_profiling=never, where some
 * kernels (6.12) keep /proc/allocinfo with every counter at zero: that is
 * no profile at all, so it is the same error as a missing file, though the
 * file is open.
 */
int allocinfo_problem(int *fd, char **why)
{
	char *path = proc_path("allocinfo");
	int status = 0;

	*why = NULL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0 && allocinfo_profiling() == PROFILING_NEVER) {
		status = EX_NOINPUT;
		*why = xstrdup("memory allocation profiling was disabled at boot "
			       "(vm.mem_profiling is 0 and read-only): boot without "
			       "sysctl.vm.mem_profiling=never");
	} else if (*fd < 0 && errno == ENOENT) {
		status = EX_NOINPUT;
		*why = xasprintf("no %s (memory allocation profiling not built in, or disabled "
				 "at boot): use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, "
				 "booted without sysctl.vm.mem_profiling=never", path);
	} else if (*fd < 0 && (errno == EACCES || errno == EPERM)) {
		status = EX_NOPERM;
		*why = xasprintf("permission denied opening %s (it is readable by root only): "
				 "run allocq as root", path);
	} else if (*fd < 0) {
		status = EXIT_RUNTIME;
		*why = xasprintf("cannot open %s: %s: check that /proc is mounted", path,
				 strerror(errno));
	}
	free(path);
	return status;
}

void allocinfo_warn_off(void)
{
	static bool warned;

	/* once: the counters are frozen, worth a warning */
	if (!warned && allocinfo_profiling() == PROFILING_OFF)
		warn("memory allocation profiling is switched off (vm.mem_profiling=0): "
		     "counters are frozen; enable it with sysctl vm.mem_profiling=1");
	warned = true;
}

int allocinfo_open(void)
{
	char *why;
	int fd, status = allocinfo_problem(&fd, &why);

	if (status) {
		if (fd >= 0)
			close(fd);
		die(status, "%s", why);
	}
	allocinfo_warn_off();
	return fd;
}

bool allocinfo_content_id(int fd, uint64_t *id)
{
	struct allocinfo_content_id cid;

	if (ioctl(fd, ALLOCINFO_IOC_CONTENT_ID, &cid) < 0)
		return false;
	*id = cid.id;
	return true;
}

static char *tags_changing(void)
{
	return xasprintf("the set of allocation tags kept changing while reading it "
			 "(%d attempts; modules loading or unloading): try again", READ_ATTEMPTS);
}

/*
 * allocinfo_consistent's loop: false when the set kept changing. A content
 * id that cannot be read (no ioctl, or a broken one) only means that
 * nothing can be checked: then one try is what there is.
 */
static bool try_consistent(int fd, void (*read)(int fd, uint64_t id, void *arg),
			   void (*restart)(void *arg), void *arg, uint64_t *id)
{
	uint64_t before = 0, after;
	bool have_id = allocinfo_content_id(fd, &before);

	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		read(fd, before, arg);
		if (!have_id || !allocinfo_content_id(fd, &after) || after == before) {
			*id = before;
			return true;
		}
		restart(arg);
		before = after;
	}
	return false;
}

uint64_t allocinfo_consistent(int fd, void (*read)(int fd, uint64_t id, void *arg),
			      void (*restart)(void *arg), void *arg)
{
	uint64_t id;

	if (!try_consistent(fd, read, restart, arg, &id))
		die(EX_TEMPFAIL, "%s", tags_changing());
	return id;
}

struct text_read {
	FILE *f;
	record_fn *fn;
	void (*restart)(void *arg);
	void *arg;
	bool parsed;
	struct parse_error err;
};

static void restart_text(void *arg)
{
	struct text_read *t = arg;

	t->restart(t->arg);
}

static void parse_text(int fd, uint64_t id, void *arg)
{
	struct text_read *t = arg;

	(void)fd;
	(void)id;
	rewind(t->f);
	t->parsed = text_parse(t->f, t->fn, t->arg, &t->err);
}

int allocinfo_parse_text(int fd, record_fn *fn, void (*restart)(void *arg), void *arg,
			 uint64_t *id, char **why)
{
	char *path = proc_path("allocinfo");
	FILE *f = stream_open(fd, path);
	struct text_read t = { .f = f, .fn = fn, .restart = restart, .arg = arg };
	int status = 0;

	*why = NULL;
	if (!f)
		die(EXIT_RUNTIME, "cannot read %s: %s: free some memory", path,
		    strerror(errno));
	if (!try_consistent(fd, parse_text, restart_text, &t, id)) {
		status = EX_TEMPFAIL;
		*why = tags_changing();
	} else if (!t.parsed) {
		status = parse_problem(path, &t.err, why);
	}
	fclose(f);
	free(path);
	return status;
}

uint64_t allocinfo_read_text(record_fn *fn, void (*restart)(void *arg), void *arg)
{
	uint64_t id;
	char *why;
	int status = allocinfo_parse_text(allocinfo_open(), fn, restart, arg, &id, &why);

	if (status)
		die(status, "%s", why);
	return id;
}
