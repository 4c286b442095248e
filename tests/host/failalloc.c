/*
 * TEST DOUBLE, never installed: an LD_PRELOAD library that makes every
 * allocation of FAILALLOC_MIN bytes or more (and FAILALLOC_MAX or less,
 * when set: a size only one stage asks for) fail with ENOMEM, as a machine
 * out of memory would, so that tests can see what allocq does then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);

static int refuse(size_t size)
{
	const char *min = getenv("FAILALLOC_MIN"), *max = getenv("FAILALLOC_MAX");

	if (!min || size < strtoull(min, NULL, 10) || (max && size > strtoull(max, NULL, 10)))
		return 0;
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t size)
{
	return refuse(size) ? NULL : __libc_malloc(size);
}

void *realloc(void *ptr, size_t size)
{
	return refuse(size) ? NULL : __libc_realloc(ptr, size);
}

void *calloc(size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return refuse(nmemb * size) ? NULL : __libc_calloc(nmemb, size);
}

void *reallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(ptr, nmemb * size);
}
