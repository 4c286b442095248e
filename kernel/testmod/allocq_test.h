/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ALLOCQ_TEST_H
#define _ALLOCQ_TEST_H

struct page;

struct page *allocq_test_alloc_long_path(void);
struct page *allocq_test_never_called(void);

#endif /* _ALLOCQ_TEST_H */
