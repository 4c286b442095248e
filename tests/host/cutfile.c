/*
 * TEST DOUBLE, never installed: an LD_PRELOAD library that cuts a file
 * short at a chosen moment of allocq's reading of it, as another program
 * truncating it would, but at the same point on every run.
 *
 *   CUTFILE_PATH  the file
 *   CUTFILE_SIZE  the size it is cut to
 *   CUTFILE_WHEN  "mapped": once the first mapping of the file is made
 *                 (before a byte of it is read); "unmapped" (the default):
 *                 once the first mapping is gone, before the next is made
 *                 (between two read windows)
 *
 * It cuts the file once.
 */
/* both mmap and mmap64 are defined here: no redirection of one to the other */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static void *first;	/* the first mapping of the file */
static int done;

static int is_the_file(int fd)
{
	const char *path = getenv("CUTFILE_PATH");
	struct stat a, b;

	return path && fd >= 0 && !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int when_mapped(void)
{
	const char *when = getenv("CUTFILE_WHEN");

	return when && !strcmp(when, "mapped");
}

static void cut(void)
{
	const char *size = getenv("CUTFILE_SIZE");

	if (!done && truncate(getenv("CUTFILE_PATH"), size ? atoll(size) : 0) == 0)
		done = 1;
}

static void *mapped(void *p, int fd)
{
	if (p == MAP_FAILED || first || done || !is_the_file(fd))
		return p;
	first = p;
	if (when_mapped())
		cut();
	return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);

	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	return mapped(real(addr, len, prot, flags, fd, off), fd);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off64_t);

	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off64_t))dlsym(RTLD_NEXT,
										   "mmap64");
	return mapped(real(addr, len, prot, flags, fd, off), fd);
}

int munmap(void *addr, size_t len)
{
	static int (*real)(void *, size_t);
	int ret;

	if (!real)
		real = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
	ret = real(addr, len);
	if (addr == first && !when_mapped())
		cut();
	return ret;
}
