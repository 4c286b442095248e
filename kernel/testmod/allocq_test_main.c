// SPDX-License-Identifier: GPL-2.0
/*
 * allocq_test: allocations whose allocation tags are exactly known, for
 * testing /proc/allocinfo and its ioctl interface.
 *
 * Every allocation site is marked with a comment
 *	ALLOCQ: bytes=N calls=N [inaccurate]
 * on its line (the line the tag records); the "expected" script next to this
 * file turns the markers into the lines /proc/allocinfo shows while the
 * module is loaded. Only page allocations are used, so that the byte counts
 * do not depend on the slab configuration. Everything is freed on unload.
 *
 * Two parameters drive it from tests:
 *	pages=N		(also written at run time to
 *			/sys/module/allocq_test/parameters/pages) holds N
 *			order-0 pages allocated at one site, allocating or
 *			freeing the difference, so that a test knows exactly
 *			how much that site grew or shrank; 0 at load
 *	fail_init=1	makes loading fail, after the tags were added
 */
#include <linux/alloc_tag.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "allocq_test.h"

#ifndef CONFIG_MEM_ALLOC_PROFILING
#error "allocq_test needs CONFIG_MEM_ALLOC_PROFILING"
#endif

#define ALLOCQ_LARGE_ORDER		8	/* 1 MiB with 4 KiB pages */
#define ALLOCQ_LOOP_PAGES		5
#define ALLOCQ_INACCURATE_ORDER	1
#define ALLOCQ_MAX_PAGES		1024	/* held on demand: 4 MiB */

static struct page *allocq_test_large;
static struct page *allocq_test_loop[ALLOCQ_LOOP_PAGES];
static struct page *allocq_test_long_func;
static struct page *allocq_test_long_path;
static struct page *allocq_test_inaccurate;
static struct page *allocq_test_held[ALLOCQ_MAX_PAGES];
static unsigned int allocq_test_nheld;
static DEFINE_MUTEX(allocq_test_held_lock);
static bool fail_init;
module_param(fail_init, bool, 0444);
MODULE_PARM_DESC(fail_init, "fail to load (after the tags were added)");

static noinline struct page *allocq_test_alloc_large(void)
{
	return alloc_pages(GFP_KERNEL, ALLOCQ_LARGE_ORDER); /* ALLOCQ: bytes=1048576 calls=1 */
}

static noinline int allocq_test_alloc_loop(void)
{
	int i;

	for (i = 0; i < ALLOCQ_LOOP_PAGES; i++) {
		allocq_test_loop[i] = alloc_pages(GFP_KERNEL, 0); /* ALLOCQ: bytes=20480 calls=5 */
		if (!allocq_test_loop[i])
			return -ENOMEM;
	}
	return 0;
}

static noinline struct page *
allocq_test_function_whose_name_is_longer_than_sixty_three_characters(void)
{
	return alloc_pages(GFP_KERNEL, 0); /* ALLOCQ: bytes=4096 calls=1 */
}

/*
 * A tag of our own, flagged inaccurate, made current around the allocation
 * the way alloc_hooks() does it.
 */
static noinline struct page *allocq_test_alloc_inaccurate(void)
{
	struct alloc_tag *old;
	struct page *page;
	DEFINE_ALLOC_TAG(allocq_test_inaccurate_tag); /* ALLOCQ: bytes=8192 calls=1 inaccurate */

#ifdef CODETAG_FLAG_INACCURATE
	/* Kernels before the accuracy flag (6.12) report it accurate. */
	alloc_tag_set_inaccurate(&allocq_test_inaccurate_tag);
#endif
	old = alloc_tag_save(&allocq_test_inaccurate_tag);
	page = alloc_pages_noprof(GFP_KERNEL, ALLOCQ_INACCURATE_ORDER);
	alloc_tag_restore(&allocq_test_inaccurate_tag, old);
	return page;
}

static noinline struct page *allocq_test_alloc_on_demand(void)
{
	return alloc_pages(GFP_KERNEL, 0); /* ALLOCQ: bytes=0 calls=0 */
}

/* Hold @n pages allocated by allocq_test_alloc_on_demand(). */
static int allocq_test_hold(unsigned int n)
{
	int ret = 0;

	if (n > ALLOCQ_MAX_PAGES)
		return -EINVAL;
	mutex_lock(&allocq_test_held_lock);
	while (allocq_test_nheld > n)
		__free_pages(allocq_test_held[--allocq_test_nheld], 0);
	while (allocq_test_nheld < n) {
		struct page *page = allocq_test_alloc_on_demand();

		if (!page) {
			ret = -ENOMEM;
			break;
		}
		allocq_test_held[allocq_test_nheld++] = page;
	}
	mutex_unlock(&allocq_test_held_lock);
	return ret;
}

static int allocq_test_set_pages(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	return ret ? ret : allocq_test_hold(n);
}

static int allocq_test_get_pages(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(allocq_test_nheld));
}

static const struct kernel_param_ops allocq_test_pages_ops = {
	.set = allocq_test_set_pages,
	.get = allocq_test_get_pages,
};
module_param_cb(pages, &allocq_test_pages_ops, NULL, 0644);
MODULE_PARM_DESC(pages, "order-0 pages held, allocated at one site");

/*
 * Never called: its allocation site shows with 0 bytes and 0 calls. It is
 * global (declared in allocq_test.h) so that the compiler keeps it.
 */
noinline struct page *allocq_test_never_called(void)
{
	return alloc_pages(GFP_KERNEL, 0); /* ALLOCQ: bytes=0 calls=0 */
}

static void allocq_test_free_all(void)
{
	int i;

	allocq_test_hold(0);
	if (allocq_test_inaccurate)
		__free_pages(allocq_test_inaccurate, ALLOCQ_INACCURATE_ORDER);
	if (allocq_test_long_path)
		__free_pages(allocq_test_long_path, 0);
	if (allocq_test_long_func)
		__free_pages(allocq_test_long_func, 0);
	for (i = 0; i < ALLOCQ_LOOP_PAGES; i++) {
		if (allocq_test_loop[i])
			__free_pages(allocq_test_loop[i], 0);
	}
	if (allocq_test_large)
		__free_pages(allocq_test_large, ALLOCQ_LARGE_ORDER);

	allocq_test_inaccurate = NULL;
	allocq_test_long_path = NULL;
	allocq_test_long_func = NULL;
	memset(allocq_test_loop, 0, sizeof(allocq_test_loop));
	allocq_test_large = NULL;
}

static int __init allocq_test_init(void)
{
	if (fail_init) {
		allocq_test_hold(0);	/* pages=N may have come first */
		return -EINVAL;
	}
	allocq_test_large = allocq_test_alloc_large();
	if (!allocq_test_large)
		goto nomem;
	if (allocq_test_alloc_loop())
		goto nomem;
	allocq_test_long_func =
		allocq_test_function_whose_name_is_longer_than_sixty_three_characters();
	if (!allocq_test_long_func)
		goto nomem;
	allocq_test_long_path = allocq_test_alloc_long_path();
	if (!allocq_test_long_path)
		goto nomem;
	allocq_test_inaccurate = allocq_test_alloc_inaccurate();
	if (!allocq_test_inaccurate)
		goto nomem;
	return 0;

nomem:
	allocq_test_free_all();
	return -ENOMEM;
}

static void __exit allocq_test_exit(void)
{
	allocq_test_free_all();
}

module_init(allocq_test_init);
module_exit(allocq_test_exit);

MODULE_DESCRIPTION("Allocations with known allocation tags, for testing /proc/allocinfo");
MODULE_LICENSE("GPL");
