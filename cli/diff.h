/*
 * The diff stage (--diff OLD): what changed between two sets of call sites.
 * A call site is the tuple (module, file, line, function); the tags of one
 * call site are added up on each side first.
 */
#ifndef ALLOCQ_DIFF_H
#define ALLOCQ_DIFF_H

#include "record.h"

/* The call sites of each side of a diff, and how many both have. */
struct diff_sides {
	size_t cur, old, common;
};

/*
 * Turns @cur into one row per call site whose bytes or calls differ from
 * @old's: its old counters and CHANGE_CHANGED or CHANGE_NEW, and the sites
 * only in @old as CHANGE_GONE with zero counters. Unchanged sites are
 * dropped. @old is merged by call site in place.
 */
struct diff_sides diff_sites(struct record_list *cur, struct record_list *old);

/*
 * Warns when the sides share fewer than half of the call sites of the
 * smaller one: snapshots of two kernels, where every call site that moved
 * is gone and new, which is almost never the comparison that was meant.
 */
void diff_warn_unrelated(struct diff_sides sides);

/*
 * Sets the old counters of each row of @rows to those of the row with the
 * same key in @old (zero where there is none): for --watch, whose rows can
 * be call sites or groups.
 */
void diff_fill_old(struct record_list *rows, const struct record_list *old);

#endif
