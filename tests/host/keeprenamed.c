/*
 * TEST DOUBLE, never installed: an LD_PRELOAD library that keeps every
 * version of a file that allocq replaces by renaming a new one over it
 * (--output-file), so that a test can read each, not only the last.
 *
 *   KEEPRENAMED_NAME  the last component of the name renamed onto
 *   KEEPRENAMED_DIR   where the versions go, as hard links 1, 2, ... to the
 *                     new file, made just before each rename (so on the
 *                     same file system as the file)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void keep(int olddir, const char *oldpath, const char *newpath)
{
	const char *name = getenv("KEEPRENAMED_NAME"), *dir = getenv("KEEPRENAMED_DIR");
	const char *last = strrchr(newpath, '/');
	static int versions;
	char path[PATH_MAX];

	if (!name || !dir || strcmp(last ? last + 1 : newpath, name))
		return;
	snprintf(path, sizeof(path), "%s/%d", dir, ++versions);
	linkat(olddir, oldpath, AT_FDCWD, path, 0);
}

int renameat(int olddir, const char *oldpath, int newdir, const char *newpath)
{
	static int (*real)(int, const char *, int, const char *);

	if (!real)
		real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT,
									      "renameat");
	keep(olddir, oldpath, newpath);
	return real(olddir, oldpath, newdir, newpath);
}
