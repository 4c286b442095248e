// SPDX-License-Identifier: GPL-2.0
/*
 * An allocation site in a file whose path, as the kernel prints it
 * (relative to the module directory), is longer than 63 characters.
 */
#include <linux/gfp.h>

#include "../allocq_test.h"

struct page *allocq_test_alloc_long_path(void)
{
	return alloc_pages(GFP_KERNEL, 0); /* ALLOCQ: bytes=4096 calls=1 */
}
