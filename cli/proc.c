#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errors.h"
#include "proc.h"

char *proc_path(const char *rel)
{
	const char *root = getenv("ALLOCQ_PROC");

	if (!root || !*root)
		root = "/proc";
	return xasprintf("%s/%s", root, rel);
}

static void check_profiling_state(void);

int proc_open_allocinfo(void)
{
	char *path = proc_path("allocinfo");
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		free(path);
		check_profiling_state();
		return fd;
	}
	if (errno == ENOENT)
		die(EX_NOINPUT, "no %s (memory allocation profiling not built in, or disabled at boot): "
		    "use a kernel built with CONFIG_MEM_ALLOC_PROFILING=y, booted without "
		    "sysctl.vm.mem_profiling=never", path);
	if (errno == EACCES || errno == EPERM)
		die(EX_NOPERM, "permission denied opening %s (it is readable by root only): "
		    "run allocq as root", path);
	die(EXIT_RUNTIME, "cannot open %s: %s: check that /proc is mounted", path,
	    strerror(errno));
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

/*
 * Looked at once, after allocinfo opened (a missing file is the error to
 * report, not the sysctl). Off at run time: the counters are frozen, worth
 * a warning. Off and the sysctl read-only: booted with
 * sysctl.vm.mem_profiling=never, where some kernels (6.12) keep
 * /proc/allocinfo with every counter at zero; that is no profile at all,
 * so it is the same error as a missing file.
 */
static void check_profiling_state(void)
{
	static bool checked;
	char *path;
	char value[16];
	struct stat st;

	if (checked)
		return;
	checked = true;
	path = proc_path("sys/vm/mem_profiling");
	if (proc_read_line("sys/vm/mem_profiling", value, sizeof(value)) &&
	    !strcmp(value, "0")) {
		if (!stat(path, &st) && !(st.st_mode & 0222))
			die(EX_NOINPUT, "memory allocation profiling was disabled at boot "
			    "(vm.mem_profiling is 0 and read-only): boot without "
			    "sysctl.vm.mem_profiling=never");
		warn("memory allocation profiling is switched off (vm.mem_profiling=0): "
		     "counters are frozen; enable it with sysctl vm.mem_profiling=1");
	}
	free(path);
}
